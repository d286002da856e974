//! Electronic transit: a signed transit declaration accepted at once with its MRN and its
//! guarantee reserved on the account, the same local reference answering the same movement,
//! the movement released, arrived, unloaded and completed by officers with the guarantee given
//! back, completed twice refused; certificates drawn and restored, a guarantee that does not
//! cover refusing the movement with the reason; an overdue movement's enquiry; and the bad
//! filings (unsigned, TRN findings, another declarant's name).

use serde_json::{json, Value};
use smartcustoms_core::signature;
use smartcustoms_core::timestamp::Timestamp;
use smartcustoms_testkit::{all_dbs, spawn_app, TestApp};

/// The route every test journey takes: Hamburg, Berlin, Frankfurt (Oder).
pub const ROUTE: [(f64, f64); 3] = [(53.55, 9.99), (52.52, 13.40), (52.34, 14.55)];

/// A transit declaration of trader `i` with local reference `lrn`, its goods worth `value`
/// EUR, under `seals`, secured by `guarantee`.
pub fn transit_doc(app: &TestApp, i: usize, lrn: &str, value: &str, seals: &[&str], guarantee: Value) -> Value {
    let party = &app.traders[i].party;
    let limit = Timestamp::now().as_micros() + 5 * 86_400_000_000;
    json!({
        "local_reference": lrn,
        "declarant": { "id": party.id, "name": party.name, "country": &party.id[..2] },
        "office_of_departure": "DE005000",
        "office_of_destination": "DE009100",
        "route": { "waypoints": ROUTE.iter().map(|(lat, lon)| json!({ "lat": lat, "lon": lon })).collect::<Vec<_>>(), "corridor_m": 2000 },
        "time_limit_at_us": limit,
        "carrier": { "id": "PL5260250274", "name": "Trans Polska Sp. z o.o.", "country": "PL" },
        "transport": { "mode": "3", "means_id": "HH-AB 1234", "nationality": "DE" },
        "seals": seals,
        "guarantee": guarantee,
        "items": [
            { "sequence": 1, "commodity_code": "851713", "description": "Smartphones", "gross_mass": "1200.5", "value": value, "currency": "EUR" }
        ]
    })
}

/// Files `doc` as trader `i`, signed with its key (or not); status and body.
pub async fn file_transit(app: &TestApp, i: usize, doc: &Value, signed: bool) -> (u16, Value) {
    post_signed(app, "/api/v1/transits", i, doc, signed).await
}

/// Posts `doc` to `path` as trader `i`, signed with its key (or not); status and body.
async fn post_signed(app: &TestApp, path: &str, i: usize, doc: &Value, signed: bool) -> (u16, Value) {
    let body = serde_json::to_vec(doc).unwrap();
    let mut req = app
        .client
        .post(format!("{}{path}", app.base))
        .bearer_auth(&app.traders[i].token)
        .header("content-type", "application/json");
    if signed {
        req = req.header("x-jws-signature", signature::sign_detached(&app.traders[i].key, &body));
    }
    let r = req.body(body).send().await.unwrap();
    (r.status().as_u16(), r.json().await.unwrap_or_default())
}

/// Sends `event` to movement `id` as `token`; status and body.
pub async fn step(app: &TestApp, token: &str, id: &str, event: Value) -> (u16, Value) {
    app.post(&format!("/api/v1/transits/{id}/events"), token, &event).await
}

async fn available(app: &TestApp, i: usize) -> f64 {
    let (_, account) = app.get("/api/v1/account", Some(&app.traders[i].token)).await;
    account["available"]
        .as_str()
        .and_then(|a| a.parse().ok())
        .unwrap_or_else(|| panic!("no available balance in {account}"))
}

#[tokio::test]
async fn a_transit_is_accepted_with_its_mrn_moved_by_officers_and_its_guarantee_given_back() {
    for (backend, db) in all_dbs("transit lifecycle").await {
        let app = spawn_app(&db.url).await;
        let (trader, officer) = (app.traders[0].token.clone(), app.officer_token.clone());
        let before = available(&app, 0).await;
        let doc = transit_doc(&app, 0, "LRN-A-1", "25000.00", &["NS-1", "NS-2"], json!({ "kind": "account" }));
        let (s, t) = file_transit(&app, 0, &doc, true).await;
        assert_eq!(s, 201, "{backend}: {t}");
        assert_eq!(t["state"], "accepted", "{backend}: {t}");
        assert_eq!(t["guarantee_hold"], "reserved", "{backend}");
        let mrn = t["mrn"].as_str().unwrap().to_string();
        assert_eq!(mrn.len(), 18, "{backend}: {mrn}");
        assert!(mrn[2..].starts_with("DE"), "{backend}: the MRN names the country of departure: {mrn}");
        // 25,000 EUR of smartphones: the stake is at least the 10 % duty floor plus 20 % VAT.
        let stake = (t["stake_duty_cents"].as_i64().unwrap() + t["stake_vat_cents"].as_i64().unwrap()) as f64 / 100.0;
        assert!(stake >= 2500.0 + 5500.0, "{backend}: stake {stake}");
        let reserved = before - available(&app, 0).await;
        assert!((reserved - stake).abs() < 0.005, "{backend}: {reserved} reserved for a stake of {stake}");

        // The same local reference sent again after a timeout: the same movement, once.
        let (s, again) = file_transit(&app, 0, &doc, true).await;
        assert_eq!(
            (s, again["mrn"].as_str(), again["duplicate"].as_bool()),
            (200, Some(mrn.as_str()), Some(true)),
            "{backend}"
        );
        assert!((before - available(&app, 0).await - stake).abs() < 0.005, "{backend}: reserved once");
        let mut other = doc.clone();
        other["seals"] = json!(["NS-9"]);
        let (s, e) = file_transit(&app, 0, &other, true).await;
        assert_eq!((s, e["error"]["code"].as_str()), (409, Some("MOV_002")), "{backend}: {e}");
        assert_eq!(e["error"]["details"]["fields"], json!(["seals"]), "{backend}: {e}");
        let (_, list) = app.get("/api/v1/transits", Some(&trader)).await;
        assert_eq!(list.as_array().unwrap().len(), 1, "{backend}: {list}");

        // Only officers move it; the other trader does not even see it.
        assert_eq!(step(&app, &trader, &mrn, json!({ "event": "release" })).await.0, 403, "{backend}");
        let stranger = app.traders[1].token.clone();
        assert_eq!(app.get(&format!("/api/v1/transits/{mrn}"), Some(&stranger)).await.0, 404, "{backend}");
        for (event, state) in [("release", "in_transit"), ("arrive", "arrived")] {
            let (s, t) = step(&app, &officer, &mrn, json!({ "event": event })).await;
            assert_eq!((s, t["state"].as_str()), (200, Some(state)), "{backend}: {t}");
        }
        let (s, e) = step(&app, &officer, &mrn, json!({ "event": "complete" })).await;
        assert_eq!(
            (s, e["error"]["code"].as_str()),
            (409, Some("MOV_003")),
            "{backend}: completion needs unloading remarks: {e}"
        );
        let remarks = json!({ "event": "unloading_remarks", "discrepancies": false, "remarks": "seals intact" });
        assert_eq!(step(&app, &officer, &mrn, remarks).await.1["state"], "unloaded", "{backend}");
        let (s, done) = step(&app, &officer, &mrn, json!({ "event": "complete" })).await;
        assert_eq!(
            (s, done["state"].as_str(), done["guarantee_hold"].as_str()),
            (200, Some("completed"), Some("released")),
            "{backend}: {done}"
        );
        assert!((before - available(&app, 0).await).abs() < 0.005, "{backend}: the guarantee is given back");
        let (s, e) = step(&app, &officer, &mrn, json!({ "event": "complete" })).await;
        assert_eq!(
            (s, e["error"]["code"].as_str(), e["error"]["details"]["reason"].as_str()),
            (409, Some("MOV_003"), Some("already_completed")),
            "{backend}: {e}"
        );
        assert!((before - available(&app, 0).await).abs() < 0.005, "{backend}: released once");

        // The timeline tells it all, in order, with who acted.
        let (_, timeline) = app.get(&format!("/api/v1/transits/{mrn}/events"), Some(&trader)).await;
        let events: Vec<&str> = timeline.as_array().unwrap().iter().map(|e| e["event"].as_str().unwrap()).collect();
        assert_eq!(events, ["declare", "accept", "release", "arrive", "unloading_remarks", "complete"], "{backend}");
        assert_eq!(timeline[2]["actor"], "test-officer", "{backend}");
        assert!(timeline[4]["details"].as_str().unwrap().contains("seals intact"), "{backend}: {timeline}");
    }
}

#[tokio::test]
async fn a_guarantee_that_does_not_cover_refuses_the_movement_with_the_reason() {
    for (backend, db) in all_dbs("transit guarantees").await {
        let app = spawn_app(&db.url).await;
        let supervisor = "test-supervisor";
        let holder = app.traders[0].id.clone();

        // The account: ten million EUR cannot secure a billion of goods.
        let doc = transit_doc(&app, 0, "LRN-BIG", "1000000000.00", &["NS-1"], json!({ "kind": "account" }));
        let (s, t) = file_transit(&app, 0, &doc, true).await;
        assert_eq!(
            (s, t["state"].as_str(), t["guarantee_hold"].as_str()),
            (201, Some("refused"), Some("none")),
            "{backend}: {t}"
        );
        assert!(t["refusal"].as_str().unwrap().contains("GUA_001"), "{backend}: {t}");

        // A certificate: issued once by a supervisor, its code shown once.
        let cert = json!({ "reference": "GRN0001", "holder": holder, "limit": "10000.00" });
        assert_eq!(app.post("/api/v1/guarantees", &app.traders[0].token, &cert).await.0, 403, "{backend}");
        let (s, issued) = app.post("/api/v1/guarantees", supervisor, &cert).await;
        assert_eq!(s, 201, "{backend}: {issued}");
        assert_eq!(app.post("/api/v1/guarantees", supervisor, &cert).await.0, 409, "{backend}: issued once");
        let code = issued["access_code"].as_str().unwrap().to_string();
        let by_cert = |code: &str| json!({ "kind": "certificate", "reference": "GRN0001", "access_code": code });

        let (_, t) =
            file_transit(&app, 0, &transit_doc(&app, 0, "LRN-C-1", "20000.00", &["NS-3"], by_cert("WRONGCODE1")), true)
                .await;
        assert_eq!(t["state"], "refused", "{backend}: {t}");
        assert!(t["refusal"].as_str().unwrap().contains("GUA_003"), "{backend}: {t}");
        let (_, t) =
            file_transit(&app, 0, &transit_doc(&app, 0, "LRN-C-2", "90000.00", &["NS-4"], by_cert(&code)), true).await;
        assert!(t["refusal"].as_str().unwrap().contains("GUA_002"), "{backend}: the stake exceeds what is left: {t}");
        let (_, c) = app.get("/api/v1/guarantees/GRN0001", Some(supervisor)).await;
        assert_eq!(c["balance_cents"], 1_000_000, "{backend}: a refused draw takes nothing: {c}");

        let (s, t) =
            file_transit(&app, 0, &transit_doc(&app, 0, "LRN-C-3", "20000.00", &["NS-5"], by_cert(&code)), true).await;
        assert_eq!((s, t["state"].as_str()), (201, Some("accepted")), "{backend}: {t}");
        let stake = t["stake_duty_cents"].as_i64().unwrap() + t["stake_vat_cents"].as_i64().unwrap();
        let (_, c) = app.get("/api/v1/guarantees/GRN0001", Some(&app.traders[0].token)).await;
        assert_eq!(c["balance_cents"].as_i64(), Some(1_000_000 - stake), "{backend}: {c}");
        assert_eq!(app.get("/api/v1/guarantees/GRN0001", Some(&app.traders[1].token)).await.0, 404, "{backend}");

        // Cancelled before release: the certificate is whole again.
        let (s, t) = step(&app, &app.traders[0].token, t["id"].as_str().unwrap(), json!({ "event": "cancel" })).await;
        assert_eq!((s, t["state"].as_str()), (200, Some("cancelled")), "{backend}: {t}");
        let (_, c) = app.get("/api/v1/guarantees/GRN0001", Some(supervisor)).await;
        assert_eq!(c["balance_cents"], 1_000_000, "{backend}: {c}");
    }
}

#[tokio::test]
async fn bad_transit_filings_are_refused_with_their_codes_and_leave_nothing() {
    for (backend, db) in all_dbs("transit bad input").await {
        let app = spawn_app(&db.url).await;
        let doc = transit_doc(&app, 0, "LRN-BAD-1", "1000.00", &["NS-1"], json!({ "kind": "account" }));
        let (s, e) = file_transit(&app, 0, &doc, false).await;
        assert_eq!((s, e["error"]["code"].as_str()), (422, Some("MOV_004")), "{backend}: unsigned: {e}");
        let mut bad = doc.clone();
        bad["route"]["corridor_m"] = json!(5);
        bad["seals"] = json!(["ns 1", "ns 1"]);
        let (s, e) = file_transit(&app, 0, &bad, true).await;
        assert_eq!((s, e["error"]["code"].as_str()), (422, Some("MOV_001")), "{backend}: {e}");
        let codes: Vec<&str> =
            e["error"]["details"]["findings"].as_array().unwrap().iter().map(|f| f["code"].as_str().unwrap()).collect();
        assert!(codes.contains(&"TRN_011") && codes.contains(&"TRN_015"), "{backend}: {codes:?}");
        let (s, e) = file_transit(&app, 1, &doc, true).await;
        assert_eq!((s, e["error"]["code"].as_str()), (403, Some("AUTH_005")), "{backend}: another declarant: {e}");
        let mut unknown = doc.clone();
        unknown["colour"] = json!("red");
        let (s, e) = file_transit(&app, 0, &unknown, true).await;
        assert_eq!((s, e["error"]["code"].as_str()), (422, Some("REQ_002")), "{backend}: {e}");
        let r = app
            .client
            .post(format!("{}/api/v1/transits", app.base))
            .bearer_auth(&app.traders[0].token)
            .header("content-type", "application/json")
            .body("{not json")
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 400, "{backend}");
        let (_, list) = app.get("/api/v1/transits", Some(&app.traders[0].token)).await;
        assert_eq!(list, json!([]), "{backend}: nothing recorded");
        assert_eq!(step(&app, &app.officer_token, "26DE0000000000000X", json!({ "event": "release" })).await.0, 404);
        let (s, e) = step(&app, &app.officer_token, "x", json!({ "event": "teleport" })).await;
        assert_eq!((s, e["error"]["code"].as_str()), (400, Some("REQ_004")), "{backend}: {e}");
    }
}

#[tokio::test]
async fn an_overdue_movement_goes_to_enquiry_once() {
    for (backend, db) in all_dbs("transit enquiry").await {
        let app = spawn_app(&db.url).await;
        let doc = transit_doc(&app, 0, "LRN-LATE", "1000.00", &["NS-1"], json!({ "kind": "account" }));
        let (_, t) = file_transit(&app, 0, &doc, true).await;
        let id = t["id"].as_str().unwrap().to_string();
        assert_eq!(step(&app, &app.officer_token, &id, json!({ "event": "release" })).await.0, 200, "{backend}");
        let later = Timestamp::from_micros(t["time_limit_at_us"].as_i64().unwrap() + 1);
        let opened = smartcustoms_http::app::transit::open_enquiries(&app.state, later).await.unwrap();
        assert_eq!(opened, 1, "{backend}");
        assert_eq!(smartcustoms_http::app::transit::open_enquiries(&app.state, later).await.unwrap(), 0, "{backend}");
        let (_, t) = app.get(&format!("/api/v1/transits/{id}"), Some(&app.officer_token)).await;
        assert_eq!(
            (t["state"].as_str(), t["guarantee_hold"].as_str()),
            (Some("enquiry"), Some("reserved")),
            "{backend}"
        );
        let (_, timeline) = app.get(&format!("/api/v1/transits/{id}/events"), Some(&app.officer_token)).await;
        assert_eq!(timeline.as_array().unwrap().last().unwrap()["actor"], "system", "{backend}");
    }
}

/// Pre-arrival information of trader `i` announcing `means_id` with one item of `code`.
pub fn pre_arrival_doc(app: &TestApp, i: usize, reference: &str, code: &str) -> Value {
    let party = &app.traders[i].party;
    json!({
        "reference": reference,
        "office_of_entry": "DE009100",
        "expected_arrival_at_us": Timestamp::now().as_micros() + 3_600_000_000,
        "transport_document": "CMR 2026/0415",
        "consignor": { "id": "CN91440300MA5F", "name": "Shenzhen Phones Ltd", "country": "CN" },
        "consignee": { "id": party.id, "name": party.name, "country": &party.id[..2] },
        "carrier": { "id": "PL5260250274", "name": "Trans Polska Sp. z o.o.", "country": "PL" },
        "transport": { "mode": "3", "means_id": "HH-AB 1234" },
        "items": [{ "sequence": 1, "commodity_code": code, "description": "Goods announced", "gross_mass": "1200.5", "value": "20000.00", "currency": "EUR" }]
    })
}

pub async fn file_pre_arrival(app: &TestApp, i: usize, doc: &Value, signed: bool) -> (u16, Value) {
    post_signed(app, "/api/v1/pre-arrivals", i, doc, signed).await
}

#[tokio::test]
async fn pre_arrival_information_gets_its_preliminary_decision_and_the_later_transit_is_compared() {
    for (backend, db) in all_dbs("pre-arrival").await {
        let app = spawn_app(&db.url).await;
        // Arms are checked at the border whoever sends them.
        let doc = pre_arrival_doc(&app, 0, "ENS-1", "930190");
        let (s, p) = file_pre_arrival(&app, 0, &doc, true).await;
        assert_eq!(s, 201, "{backend}: {p}");
        let decision = &p["preliminary_decision"];
        assert_eq!(
            (decision["control"].as_str(), decision["place"].as_str()),
            (Some("documents"), Some("border")),
            "{backend}: {p}"
        );
        assert!(decision["reasons"].as_array().unwrap().iter().any(|r| r["code"] == "PRE_003"), "{backend}: {p}");
        let (s, again) = file_pre_arrival(&app, 0, &doc, true).await;
        assert_eq!(
            (s, again["id"].clone(), again["duplicate"].as_bool()),
            (200, p["id"].clone(), Some(true)),
            "{backend}"
        );
        let (s, e) = file_pre_arrival(&app, 0, &pre_arrival_doc(&app, 0, "ENS-1", "851713"), true).await;
        assert_eq!((s, e["error"]["code"].as_str()), (409, Some("MOV_002")), "{backend}: {e}");
        let (s, e) = file_pre_arrival(&app, 0, &pre_arrival_doc(&app, 0, "ENS-2", "851713"), false).await;
        assert_eq!((s, e["error"]["code"].as_str()), (422, Some("MOV_004")), "{backend}: {e}");
        let mut bad = pre_arrival_doc(&app, 0, "ENS-3", "851713");
        bad["office_of_entry"] = json!("nowhere");
        let (s, e) = file_pre_arrival(&app, 0, &bad, true).await;
        assert_eq!((s, e["error"]["code"].as_str()), (422, Some("MOV_001")), "{backend}: {e}");
        let id = p["id"].as_str().unwrap();
        assert_eq!(app.get(&format!("/api/v1/pre-arrivals/{id}"), Some(&app.officer_token)).await.0, 200, "{backend}");
        assert_eq!(
            app.get(&format!("/api/v1/pre-arrivals/{id}"), Some(&app.traders[1].token)).await.0,
            404,
            "{backend}"
        );
        let (_, list) = app.get("/api/v1/pre-arrivals", Some(&app.traders[0].token)).await;
        assert_eq!(list.as_array().unwrap().len(), 1, "{backend}: {list}");

        // The transit of the same vehicle declares smartphones, not arms: the difference is
        // kept on its timeline.
        let doc = transit_doc(&app, 0, "LRN-PRE-1", "20000.00", &["NS-P1"], json!({ "kind": "account" }));
        let (_, t) = file_transit(&app, 0, &doc, true).await;
        let (_, timeline) =
            app.get(&format!("/api/v1/transits/{}/events", t["id"].as_str().unwrap()), Some(&app.officer_token)).await;
        let declared: Value = serde_json::from_str(timeline[0]["details"].as_str().unwrap()).unwrap();
        assert_eq!(declared["pre_arrival"]["pre_arrival"], p["id"], "{backend}: {declared}");
        let kinds: Vec<&str> = declared["pre_arrival"]["differences"]
            .as_array()
            .unwrap()
            .iter()
            .map(|d| d["kind"].as_str().unwrap())
            .collect();
        assert!(kinds.contains(&"hs_code"), "{backend}: {declared}");
    }
}

/// Pre-arrival information announcing exactly the goods of declaration `doc` on `means_id`.
pub fn announcing(doc: &smartcustoms_core::declaration::DeclarationDoc, reference: &str, means_id: &str) -> Value {
    let party = |p: &Option<smartcustoms_core::declaration::PartyDoc>| {
        let p = p.as_ref().unwrap();
        json!({ "id": p.id, "name": p.name, "country": p.country })
    };
    let currency = doc.invoice.as_ref().unwrap().currency.clone();
    let items: Vec<Value> = doc
        .items
        .iter()
        .flatten()
        .map(|i| {
            json!({
                "sequence": i.sequence, "commodity_code": &i.commodity_code.as_deref().unwrap()[..6],
                "description": i.description, "gross_mass": i.gross_mass, "value": i.price, "currency": currency,
            })
        })
        .collect();
    json!({
        "reference": reference,
        "office_of_entry": "DE009100",
        "expected_arrival_at_us": Timestamp::now().as_micros() + 3_600_000_000,
        "transport_document": "CMR 2026/0777",
        "consignor": party(&doc.exporter),
        "consignee": party(&doc.importer),
        "carrier": { "id": "PL5260250274", "name": "Trans Polska Sp. z o.o.", "country": "PL" },
        "transport": { "mode": "3", "means_id": means_id },
        "items": items,
    })
}

#[tokio::test]
async fn a_goods_declaration_is_compared_with_the_pre_arrival_information_of_its_vehicle() {
    for (backend, db) in all_dbs("declaration pre-arrival").await {
        let app = spawn_app(&db.url).await;
        let hits_of = |body: &Value| -> Vec<String> {
            body["hits"].as_array().unwrap().iter().map(|h| h["profile"].as_str().unwrap().to_string()).collect()
        };
        for (seed, means, differs) in [(11, "B-PA 1001", false), (12, "B-PA 2002", true)] {
            let mut doc = app.declaration(0, seed);
            doc.transport.get_or_insert_with(Default::default).means_id = Some(means.to_string());
            let mut pre = announcing(&doc, &format!("ENS-DECL-{seed}"), means);
            if differs {
                pre["items"][0]["gross_mass"] = json!("99999.0");
            }
            let (s, p) = file_pre_arrival(&app, 0, &pre, true).await;
            assert_eq!(s, 201, "{backend}: {p}");
            let (s, filed) = app.file(0, &doc).await;
            assert_eq!(s, 201, "{backend}: {filed}");
            let id = filed["id"].as_str().unwrap();
            let (_, d) = app.get(&format!("/api/v1/declarations/{id}"), Some(&app.officer_token)).await;
            let hit = d["hits"].as_array().unwrap().iter().find(|h| h["profile"] == "PRE_ARRIVAL").cloned();
            match (differs, hit) {
                (false, None) => {}
                (true, Some(h)) => {
                    assert_eq!(h["lane"], "yellow", "{backend}: {h}");
                    let text = h["instruction"].as_str().unwrap();
                    assert!(
                        text.contains("gross_mass") && text.contains(p["id"].as_str().unwrap()),
                        "{backend}: {text}"
                    );
                    assert_ne!(d["lane"], "green", "{backend}: {d}");
                }
                (differs, hit) => panic!("{backend}: differs {differs}, hit {hit:?}, hits {:?}", hits_of(&d)),
            }
        }
    }
}
