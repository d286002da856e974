//! The smart checkpoint: settings checked whole (priority cannot be bought), bookings against
//! slots and the live queue in priority order; equipment events over HTTP deciding the order of
//! operations from the pre-arrival decision on (a hold lifted only by a supervisor, crossing only
//! when nothing is due), bad and unknown-plate events, duplicates, waiting and crossing times;
//! and events through the real MQTT broker.

use std::time::Duration;

use serde_json::{json, Value};
use smartcustoms_core::timestamp::Timestamp;
use smartcustoms_testkit::{all_dbs, spawn_app, sqlite_db, TestApp};

use crate::seals::{publisher, start_consumer};
use crate::transit::{announcing, file_pre_arrival, pre_arrival_doc};

const SUPERVISOR: &str = "test-supervisor";
const DEVICE: &str = "test-device";

/// Settings of a checkpoint with `lanes` lanes of one place per 30-minute slot.
pub fn settings(lanes: u32) -> Value {
    json!({
        "name": "Frankfurt (Oder) road crossing",
        "slots": { "length_minutes": 30, "lanes": lanes, "per_lane": 1, "horizon_hours": 48, "grace_minutes": 15 },
        "weight_tolerance_pct": "2",
        "min_confidence": 0.6,
        "priority_rules": {
            "version": "2026-03",
            "rules": [
                { "id": "perishable-hs", "class": 2, "when": [{ "fact": "goods_hs", "any_of": ["07", "08"] }] },
                { "id": "empty", "class": 4, "when": [{ "fact": "empty" }] }
            ]
        }
    })
}

/// Saves checkpoint `code`'s settings.
pub async fn put(app: &TestApp, token: &str, code: &str, body: &Value) -> (u16, Value) {
    app.put(&format!("/api/v1/checkpoints/{code}"), token, body).await
}

/// The start of the slot `n` slots after the current one.
fn slot(n: i64) -> String {
    let length = 30 * 60 * 1_000_000;
    Timestamp::from_micros((Timestamp::now().as_micros() / length + n) * length).rfc3339()
}

pub fn event(kind: &str, fields: Value) -> Value {
    let mut e = json!({ "kind": kind, "device": format!("{kind}-1"), "time": Timestamp::now().rfc3339() });
    for (k, v) in fields.as_object().unwrap() {
        e[k] = v.clone();
    }
    e
}

async fn send(app: &TestApp, code: &str, body: &Value) -> (u16, Value) {
    app.post(&format!("/api/v1/checkpoints/{code}/events"), DEVICE, body).await
}

async fn act(app: &TestApp, token: &str, code: &str, vehicle: &str, body: Value) -> (u16, Value) {
    app.post(&format!("/api/v1/checkpoints/{code}/vehicles/{vehicle}/actions"), token, &body).await
}

fn codes(list: &Value) -> Vec<String> {
    list.as_array().unwrap().iter().map(|p| p["code"].as_str().unwrap().to_string()).collect()
}

#[tokio::test]
async fn settings_are_checked_whole_bookings_keep_to_their_slots_and_the_queue_follows_priority() {
    for (backend, db) in all_dbs("checkpoint queue").await {
        let app = spawn_app(&db.url).await;
        let (s, e) = put(&app, &app.traders[0].token, "DE-FFO", &settings(1)).await;
        assert_eq!((s, e["error"]["code"].as_str()), (403, Some("AUTH_003")), "{backend}: {e}");
        let mut bought = settings(0);
        bought["priority_rules"]["rules"][1] = json!({ "id": "fast", "class": 0, "when": [{ "fact": "fee_paid" }] });
        let (s, e) = put(&app, SUPERVISOR, "DE-FFO", &bought).await;
        assert_eq!((s, e["error"]["code"].as_str()), (422, Some("CHP_002")), "{backend}: {e}");
        let found = codes(&e["error"]["details"]["problems"]);
        assert!(found.contains(&"CHK_025".into()) && found.contains(&"CHK_033".into()), "{backend}: {found:?}");
        let (s, c) = put(&app, SUPERVISOR, "DE-FFO", &settings(1)).await;
        assert_eq!((s, c["rules_version"].as_str()), (200, Some("2026-03")), "{backend}: {c}");

        let trader = app.traders[0].token.clone();
        let path = "/api/v1/checkpoints/DE-FFO/vehicles";
        let (s, booked) = app.post(path, &trader, &json!({ "plate": "FF-AB 101", "slot": slot(2) })).await;
        assert_eq!((s, booked["state"].as_str()), (201, Some("booked")), "{backend}: {booked}");
        assert_eq!(booked["plate"], "FFAB101", "{backend}: the plate is kept in its normal form");
        assert_eq!(booked["operations"], "check_documents", "{backend}: no pre-arrival information: {booked}");
        let (s, e) = app.post(path, &trader, &json!({ "plate": "FFAB101", "slot": slot(3) })).await;
        assert_eq!((s, codes(&e["error"]["details"]["reasons"])), (409, vec!["CHK_024".to_string()]), "{backend}");
        let (s, e) = app.post(path, &app.traders[1].token, &json!({ "plate": "FF-CD 202", "slot": slot(2) })).await;
        assert_eq!((s, codes(&e["error"]["details"]["reasons"])), (409, vec!["CHK_023".to_string()]), "{backend}");
        let (s, e) = app.post(path, &trader, &json!({ "plate": "FF-CD 202", "slot": "2026-12-04T10:07:00Z" })).await;
        assert!(s == 409 && codes(&e["error"]["details"]["reasons"]).contains(&"CHK_020".into()), "{backend}: {e}");
        let (s, e) = app.post(path, &trader, &json!({ "plate": "FF-CD 202", "colour": "red" })).await;
        assert_eq!((s, e["error"]["code"].as_str()), (422, Some("REQ_002")), "{backend}: {e}");
        let (s, e) = app.post("/api/v1/checkpoints/NOWHERE/vehicles", &trader, &json!({ "plate": "X1" })).await;
        assert_eq!((s, e["error"]["code"].as_str()), (404, Some("RES_001")), "{backend}: {e}");
        let (_, slots) = app.get("/api/v1/checkpoints/DE-FFO/slots", Some(&trader)).await;
        let taken = slots.as_array().unwrap().iter().find(|s| s["start"] == json!(timestamp(&slot(2)))).unwrap();
        assert_eq!((taken["free"].as_u64(), taken["capacity"].as_u64()), (Some(0), Some(1)), "{backend}: {taken}");

        // The live queue: an ordinary lorry joins first, a lorry of fruit (announced by
        // pre-arrival information under its plate) second, and is called first.
        let (s, ordinary) = app.post(path, &trader, &json!({ "plate": "FF-EF 303" })).await;
        assert_eq!((s, ordinary["state"].as_str()), (201, Some("waiting")), "{backend}: {ordinary}");
        let mut fruit = pre_arrival_doc(&app, 1, "ENS-FRUIT", "080390");
        fruit["transport"]["means_id"] = json!("FF-GH 404");
        assert_eq!(file_pre_arrival(&app, 1, &fruit, true).await.0, 201, "{backend}");
        let (s, perishable) = app.post(path, &app.traders[1].token, &json!({ "plate": "FF-GH 404" })).await;
        assert_eq!(s, 201, "{backend}: {perishable}");
        assert!(perishable["pre_arrival"].is_string(), "{backend}: matched by its plate: {perishable}");
        assert_eq!(perishable["class"], 2, "{backend}: {perishable}");
        let (s, q) = app.get("/api/v1/checkpoints/DE-FFO/queue", Some(&app.officer_token)).await;
        assert_eq!(s, 200, "{backend}: {q}");
        let order: Vec<&str> =
            q["order"]["positions"].as_array().unwrap().iter().map(|p| p["id"].as_str().unwrap()).collect();
        assert_eq!(order[0], perishable["id"].as_str().unwrap(), "{backend}: {q}");
        assert_eq!(order[1], ordinary["id"].as_str().unwrap(), "{backend}: {q}");
        assert_eq!(q["order"]["positions"][0]["rule"], "perishable-hs", "{backend}: {q}");
        assert_eq!(app.get("/api/v1/checkpoints/DE-FFO/queue", Some(&trader)).await.0, 403, "{backend}");

        // A carrier cancels its own booking, not another's; then the slot is free again.
        let id = booked["id"].as_str().unwrap();
        let (s, _) = act(&app, &app.traders[1].token, "DE-FFO", id, json!({ "action": "cancel" })).await;
        assert_eq!(s, 404, "{backend}: another carrier's booking is not even seen");
        let (s, v) = act(&app, &trader, "DE-FFO", id, json!({ "action": "cancel" })).await;
        assert_eq!((s, v["state"].as_str()), (200, Some("cancelled")), "{backend}: {v}");
        let (_, mine) = app.get("/api/v1/checkpoint-vehicles", Some(&trader)).await;
        assert_eq!(mine.as_array().unwrap().len(), 2, "{backend}: {mine}");
    }
}

fn timestamp(rfc3339: &str) -> i64 {
    Timestamp::from(chrono::DateTime::parse_from_rfc3339(rfc3339).unwrap().with_timezone(&chrono::Utc)).as_micros()
}

#[tokio::test]
async fn equipment_events_decide_the_operations_and_only_a_vehicle_with_nothing_due_crosses() {
    for (backend, db) in all_dbs("checkpoint events").await {
        let app = spawn_app(&db.url).await;
        assert_eq!(put(&app, SUPERVISOR, "DE-FFO", &settings(2)).await.0, 200, "{backend}");
        // Arms are checked at the border: documents, known before the lorry arrives.
        let mut arms = pre_arrival_doc(&app, 0, "ENS-ARMS", "930190");
        arms["transport"]["means_id"] = json!("FF-XY 900");
        let (_, pre) = file_pre_arrival(&app, 0, &arms, true).await;
        let body =
            json!({ "plate": "FF-XY 900", "slot": slot(1), "pre_arrival": pre["id"], "unladen_mass_kg": "14000" });
        let (s, v) = app.post("/api/v1/checkpoints/DE-FFO/vehicles", &app.traders[0].token, &body).await;
        assert_eq!((s, v["operations"].as_str()), (201, Some("check_documents")), "{backend}: {v}");
        let id = v["id"].as_str().unwrap().to_string();

        let (s, t) =
            send(&app, "DE-FFO", &event("plate_read", json!({ "plate": "ff xy900", "confidence": 0.93 }))).await;
        assert_eq!((s, t["vehicle"].as_str()), (202, Some(id.as_str())), "{backend}: {t}");
        assert_eq!(t["plate_match"]["reason"]["code"], "CHK_050", "{backend}: {t}");
        // 14,000 kg of lorry and 1,200.5 kg of goods; 15,150 kg is within 3 %.
        let weighing =
            event("weighing", json!({ "plate": "FFXY900", "gross_mass_kg": 15150, "axles": 5, "accuracy_class": 1 }));
        let (_, t) = send(&app, "DE-FFO", &weighing).await;
        assert_eq!(t["decision"]["operations"], json!(["check_documents"]), "{backend}: {t}");
        let (_, again) = send(&app, "DE-FFO", &weighing).await;
        assert_eq!(again["duplicate"], true, "{backend}: {again}");
        let neutron = event(
            "radiation",
            json!({ "vehicle": id, "alarm": true, "neutron_alarm": true, "gamma_cps": 2100, "gamma_background_cps": 1800 }),
        );
        let (_, t) = send(&app, "DE-FFO", &neutron).await;
        assert_eq!(t["decision"]["operations"], json!(["hold"]), "{backend}: {t}");

        let (s, e) = act(&app, &app.officer_token, "DE-FFO", &id, json!({ "action": "cross" })).await;
        assert_eq!((s, e["error"]["code"].as_str()), (409, Some("CHP_004")), "{backend}: {e}");
        assert_eq!(e["error"]["details"]["operations"], json!(["hold"]), "{backend}: {e}");
        let lift =
            json!({ "action": "done", "operation": "hold", "note": "Radiation authority: medical isotopes, licensed" });
        let (s, e) = act(&app, &app.officer_token, "DE-FFO", &id, lift.clone()).await;
        assert_eq!((s, e["error"]["code"].as_str()), (409, Some("CHP_004")), "{backend}: only a supervisor: {e}");
        let (s, v) = act(&app, SUPERVISOR, "DE-FFO", &id, lift).await;
        assert_eq!((s, v["operations"].as_str()), (200, Some("check_documents")), "{backend}: {v}");
        let (s, v) = act(&app, &app.officer_token, "DE-FFO", &id, json!({ "action": "call" })).await;
        assert_eq!((s, v["state"].as_str()), (200, Some("in_control")), "{backend}: {v}");
        let done = json!({ "action": "done", "operation": "check_documents" });
        let (_, v) = act(&app, &app.officer_token, "DE-FFO", &id, done).await;
        assert_eq!(v["operations"], "pass", "{backend}: {v}");
        let (s, v) = act(&app, &app.officer_token, "DE-FFO", &id, json!({ "action": "cross" })).await;
        assert_eq!((s, v["state"].as_str()), (200, Some("crossed")), "{backend}: {v}");
        let (s, e) = act(&app, &app.officer_token, "DE-FFO", &id, json!({ "action": "cross" })).await;
        assert_eq!((s, e["error"]["code"].as_str()), (409, Some("CHP_004")), "{backend}: crossed twice: {e}");

        let (s, view) =
            app.get(&format!("/api/v1/checkpoints/DE-FFO/vehicles/{id}"), Some(&app.traders[0].token)).await;
        assert_eq!((s, view["events"].as_array().unwrap().len()), (200, 3), "{backend}: {view}");
        let triggers: Vec<&str> =
            view["decisions"].as_array().unwrap().iter().map(|d| d["trigger"].as_str().unwrap()).collect();
        assert_eq!(
            triggers,
            ["admitted", "plate_read", "weighing", "radiation", "done:hold", "done:check_documents"],
            "{backend}: every decision kept with what caused it"
        );
        assert_eq!(
            app.get(&format!("/api/v1/checkpoints/DE-FFO/vehicles/{id}"), Some(&app.traders[1].token)).await.0,
            404,
            "{backend}"
        );
        let (s, times) = app.get("/api/v1/checkpoints/DE-FFO/times", Some(&app.officer_token)).await;
        assert_eq!((s, times["crossed"].as_u64()), (200, Some(1)), "{backend}: {times}");
        assert_eq!(times["total"]["count"], 1, "{backend}: {times}");

        // Bad and unknown events.
        let (s, e) = send(&app, "DE-FFO", &json!({ "kind": "weighing", "device": "", "gross_mass_kg": -5 })).await;
        assert_eq!((s, e["error"]["code"].as_str()), (422, Some("CHP_001")), "{backend}: {e}");
        let found = codes(&e["error"]["details"]["problems"]);
        assert!(found.contains(&"CHK_005".into()) && found.contains(&"CHK_009".into()), "{backend}: {found:?}");
        let (s, e) = send(&app, "DE-FFO", &event("scan", json!({ "verdict": "clear", "image": "img/1" }))).await;
        assert_eq!((s, e["error"]["code"].as_str()), (422, Some("CHP_001")), "{backend}: names no vehicle: {e}");
        let unknown = event("plate_read", json!({ "plate": "ZZ 999 ZZ", "confidence": 0.95 }));
        let (s, t) = send(&app, "DE-FFO", &unknown).await;
        assert_eq!((s, t["unattached"]["code"].as_str()), (202, Some("CHK_052")), "{backend}: {t}");
        let (_, q) = app.get("/api/v1/checkpoints/DE-FFO/queue", Some(&app.officer_token)).await;
        assert_eq!(q["unattached"].as_array().unwrap().len(), 1, "{backend}: kept for an officer: {q}");
        let (s, _) = send(&app, "NOWHERE", &unknown).await;
        assert_eq!(s, 404, "{backend}");
        let (s, e) = app.post("/api/v1/checkpoints/DE-FFO/events", &app.officer_token, &unknown).await;
        assert_eq!((s, e["error"]["code"].as_str()), (403, Some("AUTH_003")), "{backend}: {e}");
    }
}

/// The codes of a vehicle's latest decision as returned (the decision is kept as JSON text).
fn decision_codes(v: &Value) -> Vec<String> {
    let decision: Value = serde_json::from_str(v["decision"].as_str().unwrap()).unwrap();
    codes(&decision["reasons"])
}

#[tokio::test]
async fn a_vehicle_is_checked_as_its_goods_declarations_ask_until_they_are_released() {
    for (backend, db) in all_dbs("checkpoint declarations").await {
        let app = spawn_app(&db.url).await;
        assert_eq!(put(&app, SUPERVISOR, "DE-FFO", &settings(2)).await.0, 200, "{backend}");
        // A declaration whose goods weigh far less than announced goes to documents (yellow).
        let means = "FF-DC 500";
        let mut doc = app.declaration(0, 31);
        doc.transport.get_or_insert_with(Default::default).means_id = Some(means.to_string());
        let mut pre = announcing(&doc, "ENS-CHK-31", means);
        pre["items"][0]["gross_mass"] = json!("99999.0");
        let (s, p) = file_pre_arrival(&app, 0, &pre, true).await;
        assert_eq!(s, 201, "{backend}: {p}");
        let (s, filed) = app.file(0, &doc).await;
        assert_eq!((s, filed["lane"].as_str()), (201, Some("yellow")), "{backend}: {filed}");
        let declaration = filed["id"].as_str().unwrap().to_string();

        // The lorry joins the live queue with its plate typed another way: its declaration is found.
        let body = json!({ "plate": "ff-dc500", "unladen_mass_kg": "14000" });
        let (s, v) = app.post("/api/v1/checkpoints/DE-FFO/vehicles", &app.traders[0].token, &body).await;
        assert_eq!(s, 201, "{backend}: {v}");
        assert!(v["operations"].as_str().unwrap().contains("check_documents"), "{backend}: {v}");
        let found = decision_codes(&v);
        assert!(found.contains(&"CHK_083".into()) && !found.contains(&"CHK_080".into()), "{backend}: {found:?}");
        let id = v["id"].as_str().unwrap().to_string();
        let vehicle = format!("/api/v1/checkpoints/DE-FFO/vehicles/{id}");
        let (_, view) = app.get(&vehicle, Some(&app.officer_token)).await;
        assert_eq!(view["declarations"][0]["id"], json!(declaration), "{backend}: {view}");
        assert_eq!(view["declarations"][0]["lane"], "yellow", "{backend}: {view}");
        let (_, view) = app.get(&vehicle, Some(&app.traders[0].token)).await;
        assert_eq!(view["declarations"], json!([]), "{backend}: the carrier is not shown the declarations");

        // Released by the officer: the next event decides without it asking for anything.
        let decision = json!({ "release": true, "reason": "Weights explained", "outcome": { "irregularities": [] } });
        let (s, d) =
            app.post(&format!("/api/v1/declarations/{declaration}/decision"), &app.officer_token, &decision).await;
        assert_eq!(s, 200, "{backend}: {d}");
        let (s, t) =
            send(&app, "DE-FFO", &event("plate_read", json!({ "plate": "FFDC500", "confidence": 0.97 }))).await;
        assert_eq!((s, t["vehicle"].as_str()), (202, Some(id.as_str())), "{backend}: {t}");
        let found = codes(&t["decision"]["reasons"]);
        assert!(found.contains(&"CHK_084".into()) && !found.contains(&"CHK_083".into()), "{backend}: {found:?}");

        // A vehicle with no declaration and no pre-arrival information has its documents checked.
        let (_, v) = app
            .post("/api/v1/checkpoints/DE-FFO/vehicles", &app.traders[0].token, &json!({ "plate": "FF-ZZ 1" }))
            .await;
        assert_eq!(decision_codes(&v), ["CHK_080"], "{backend}: {v}");
    }
}

#[tokio::test]
async fn events_through_the_mqtt_broker_reach_the_vehicle_once() {
    let db = sqlite_db();
    let app = spawn_app(&db.url).await;
    let code = format!("MQ-{}", &uuid::Uuid::new_v4().simple().to_string()[..8].to_uppercase());
    assert_eq!(put(&app, SUPERVISOR, &code, &settings(2)).await.0, 200);
    let (_, v) = app
        .post(
            &format!("/api/v1/checkpoints/{code}/vehicles"),
            &app.traders[0].token,
            &json!({ "plate": "MQ 1", "empty": true }),
        )
        .await;
    assert_eq!(v["operations"], "pass", "an empty vehicle needs no pre-arrival information: {v}");
    let (consumer, host, port) = start_consumer(&app).await;
    let client = publisher(&host, port).await;
    let topic = format!("smartcustoms/checkpoints/{code}/events");
    let scan = event("scan", json!({ "plate": "MQ1", "verdict": "suspect", "image": "img/mq-1" }));
    for body in [json!({ "kind": "plate_read" }), scan.clone(), scan] {
        client.publish(&topic, rumqttc::QoS::AtLeastOnce, false, serde_json::to_vec(&body).unwrap()).await.unwrap();
    }
    let id = v["id"].as_str().unwrap();
    let mut view = Value::Null;
    for _ in 0..100 {
        view = app.get(&format!("/api/v1/checkpoints/{code}/vehicles/{id}"), Some(&app.officer_token)).await.1;
        if view["vehicle"]["operations"] == "inspect" {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(view["vehicle"]["operations"], "inspect", "a suspect scan: {view}");
    tokio::time::sleep(Duration::from_millis(300)).await;
    let view = app.get(&format!("/api/v1/checkpoints/{code}/vehicles/{id}"), Some(&app.officer_token)).await.1;
    assert_eq!(view["events"].as_array().unwrap().len(), 1, "the scan once, the malformed event dropped: {view}");
    consumer.abort();
}
