//! Devices' signatures: once a seal's or a checkpoint device's key is registered, its messages
//! are taken only signed with it (attached or detached JWS, over HTTP and MQTT); unsigned,
//! altered or other-key messages are refused with their reason and change nothing.

use std::time::Duration;

use ed25519_dalek::SigningKey;
use serde_json::{json, Value};
use smartcustoms_core::signature;
use smartcustoms_testkit::{all_dbs, spawn_app, sqlite_db, TestApp};

use crate::checkpoint::{event, put, settings};
use crate::seals::{publisher, report, sealed_transit, send, start_consumer};

const ADMIN: &str = "test-admin";

async fn register(app: &TestApp, token: &str, device: &str, kind: &str, key: &SigningKey) -> (u16, Value) {
    let body = json!({ "kind": kind, "public_key": signature::encode_public_key(&key.verifying_key()) });
    put_key(app, token, device, &body).await
}

async fn put_key(app: &TestApp, token: &str, device: &str, body: &Value) -> (u16, Value) {
    app.put(&format!("/api/v1/devices/{device}/key"), token, body).await
}

/// Posts `body` as it is (a compact JWS, or JSON with a detached one).
async fn post_raw(app: &TestApp, path: &str, body: String, detached: Option<String>) -> (u16, Value) {
    let mut req = app
        .client
        .post(format!("{}{path}", app.base))
        .bearer_auth("test-device")
        .header("content-type", "application/json");
    if let Some(d) = detached {
        req = req.header("x-jws-signature", d);
    }
    let r = req.body(body).send().await.unwrap();
    (r.status().as_u16(), r.json().await.unwrap_or_default())
}

fn refused(r: &(u16, Value)) -> (u16, Option<&str>, Option<&str>) {
    (r.0, r.1["error"]["code"].as_str(), r.1["error"]["details"]["reason"].as_str())
}

#[tokio::test]
async fn a_device_with_a_registered_key_is_heard_only_when_it_signs() {
    for (backend, db) in all_dbs("device keys").await {
        let app = spawn_app(&db.url).await;
        let (key, other) = (SigningKey::from_bytes(&[21; 32]), SigningKey::from_bytes(&[22; 32]));
        let transit = sealed_transit(&app, "LRN-SIG-1", &["NS-SIG"]).await;
        let (s, _) = register(&app, "test-officer", "NS-SIG", "seal", &key).await;
        assert_eq!(s, 403, "{backend}: only administrators register keys");
        let (s, e) = put_key(&app, ADMIN, "NS-SIG", &json!({ "kind": "seal", "public_key": "short" })).await;
        assert_eq!((s, e["error"]["code"].as_str()), (422, Some("KEY_001")), "{backend}: not a key: {e}");
        let (s, k) = register(&app, ADMIN, "NS-SIG", "seal", &key).await;
        assert_eq!(
            (s, k["key_id"].as_str()),
            (200, Some(signature::key_id(&key.verifying_key()).as_str())),
            "{backend}"
        );

        let path = "/api/v1/seals/NS-SIG/reports";
        assert_eq!(
            refused(&send(&app, "test-device", "NS-SIG", &report(1, 0.0)).await),
            (422, Some("DEV_003"), Some("SIG_001")),
            "{backend}: unsigned"
        );
        let body = serde_json::to_vec(&report(1, 0.0)).unwrap();
        let by_other = post_raw(&app, path, signature::sign_compact(&other, &body), None).await;
        assert_eq!(refused(&by_other), (422, Some("DEV_003"), Some("SIG_004")), "{backend}: another key");
        let detached = signature::sign_detached(&key, &body);
        let altered = serde_json::to_string(&report(2, 0.0)).unwrap();
        assert_eq!(
            refused(&post_raw(&app, path, altered, Some(detached.clone())).await),
            (422, Some("DEV_003"), Some("SIG_005")),
            "{backend}: altered"
        );
        let (s, r) = post_raw(&app, path, signature::sign_compact(&key, &body), None).await;
        assert_eq!((s, r["verdict"].as_str()), (202, Some("accepted")), "{backend}: attached: {r}");
        let body = serde_json::to_vec(&report(2, 0.0)).unwrap();
        let (s, r) =
            post_raw(&app, path, String::from_utf8(body.clone()).unwrap(), Some(signature::sign_detached(&key, &body)))
                .await;
        assert_eq!((s, r["verdict"].as_str()), (202, Some("accepted")), "{backend}: detached: {r}");
        let (_, track) = app.get(&format!("/api/v1/transits/{transit}/track"), Some(&app.officer_token)).await;
        assert_eq!(track.as_array().unwrap().len(), 2, "{backend}: only the signed reports were kept: {track}");

        // A checkpoint device signs its events the same way; other devices are unaffected.
        assert_eq!(put(&app, "test-supervisor", "DE-SIG", &settings(2)).await.0, 200, "{backend}");
        let (_, v) = app
            .post(
                "/api/v1/checkpoints/DE-SIG/vehicles",
                &app.traders[0].token,
                &json!({ "plate": "SIG 1", "empty": true }),
            )
            .await;
        assert_eq!(register(&app, ADMIN, "scan-1", "checkpoint", &key).await.0, 200, "{backend}");
        let scan = serde_json::to_vec(&event("scan", json!({ "plate": "SIG1", "verdict": "suspect", "image": "i/1" })))
            .unwrap();
        let events = "/api/v1/checkpoints/DE-SIG/events";
        let unsigned = post_raw(&app, events, String::from_utf8(scan.clone()).unwrap(), None).await;
        assert_eq!(refused(&unsigned), (422, Some("DEV_003"), Some("SIG_001")), "{backend}");
        let (s, t) = post_raw(&app, events, signature::sign_compact(&key, &scan), None).await;
        assert_eq!((s, t["decision"]["operations"].clone()), (202, json!(["inspect"])), "{backend}: {t}");
        let plate = event("plate_read", json!({ "plate": "SIG 1", "confidence": 0.9 }));
        let (s, t) = app.post(events, "test-device", &plate).await;
        assert_eq!((s, t["vehicle"].clone()), (202, v["id"].clone()), "{backend}: an unregistered camera: {t}");
        let (_, keys) = app.get("/api/v1/devices", Some(ADMIN)).await;
        assert_eq!(keys.as_array().unwrap().len(), 2, "{backend}: {keys}");
    }
}

#[tokio::test]
async fn a_signed_event_through_the_mqtt_broker_is_verified_and_an_unsigned_one_dropped() {
    let db = sqlite_db();
    let app = spawn_app(&db.url).await;
    let key = SigningKey::from_bytes(&[23; 32]);
    let code = format!("SG-{}", &uuid::Uuid::new_v4().simple().to_string()[..8].to_uppercase());
    assert_eq!(put(&app, "test-supervisor", &code, &settings(2)).await.0, 200);
    let (_, v) = app
        .post(
            &format!("/api/v1/checkpoints/{code}/vehicles"),
            &app.traders[0].token,
            &json!({ "plate": "MQS 1", "empty": true }),
        )
        .await;
    assert_eq!(register(&app, ADMIN, "wim-mq", "checkpoint", &key).await.0, 200);
    let (consumer, host, port) = start_consumer(&app).await;
    let client = publisher(&host, port).await;
    let topic = format!("smartcustoms/checkpoints/{code}/events");
    let weighing = |kg: u32, second: u32| {
        let mut e = event("weighing", json!({ "plate": "MQS1", "gross_mass_kg": kg, "axles": 4, "accuracy_class": 1 }));
        e["device"] = json!("wim-mq");
        e["time"] = json!(format!("2026-12-04T10:00:{second:02}Z"));
        serde_json::to_vec(&e).unwrap()
    };
    let unsigned = weighing(9000, 1);
    let signed = signature::sign_compact(&key, &weighing(9100, 2)).into_bytes();
    for body in [unsigned, signed] {
        client.publish(&topic, rumqttc::QoS::AtLeastOnce, false, body).await.unwrap();
    }
    let id = v["id"].as_str().unwrap();
    let mut events = Vec::new();
    for _ in 0..100 {
        let (_, view) = app.get(&format!("/api/v1/checkpoints/{code}/vehicles/{id}"), Some(&app.officer_token)).await;
        events = view["events"].as_array().cloned().unwrap_or_default();
        if !events.is_empty() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    tokio::time::sleep(Duration::from_millis(300)).await;
    let (_, view) = app.get(&format!("/api/v1/checkpoints/{code}/vehicles/{id}"), Some(&app.officer_token)).await;
    let events = view["events"].as_array().cloned().unwrap_or(events);
    assert_eq!(events.len(), 1, "only the signed weighing: {view}");
    assert!(events[0]["body"].as_str().unwrap().contains("9100"), "{view}");
    consumer.abort();
}
