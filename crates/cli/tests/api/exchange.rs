//! "Your export is my import": partner administrations registered by administrators, their
//! signed export messages verified and stored once (and refused with their codes when unknown,
//! badly signed, altered, signed with another partner's key or unreadable), imports citing them
//! (document N830) matched whichever comes first, and our own released exports signed once and
//! pushed to the partner's endpoint with a delivery id.

use std::sync::{Arc, Mutex};

use ed25519_dalek::SigningKey;
use serde_json::{json, Value};
use smartcustoms_core::declaration::{DeclarationDoc, DocumentDoc};
use smartcustoms_core::signature::{self, CompactJws};
use smartcustoms_core::wcodm::{PartnerExport, PartnerLine};
use smartcustoms_testkit::{all_dbs, spawn_app, TestApp};

const ADMIN: &str = "test-admin";

fn key(n: u8) -> SigningKey {
    SigningKey::from_bytes(&[n; 32])
}

async fn register(app: &TestApp, token: &str, country: &str, key: &SigningKey, endpoint: Option<&str>) -> (u16, Value) {
    let doc = json!({
        "country": country,
        "name": format!("Customs administration of {country}"),
        "public_key": signature::encode_public_key(&key.verifying_key()),
        "endpoint": endpoint,
    });
    app.post("/api/v1/exchange/partners", token, &doc).await
}

async fn send(app: &TestApp, body: &str) -> (u16, Value) {
    let r = app
        .client
        .post(format!("{}/api/v1/exchange/inbound", app.base))
        .header("content-type", "application/jose")
        .body(body.to_string())
        .send()
        .await
        .unwrap();
    (r.status().as_u16(), r.json().await.unwrap_or(Value::Null))
}

fn signed(export: &PartnerExport, key: &SigningKey) -> String {
    signature::sign_compact(key, &serde_json::to_vec(export).unwrap())
}

fn code(v: &Value) -> &str {
    v["error"]["code"].as_str().unwrap_or_default()
}

/// An import of trader 0 whose items cite the partner's export `reference`.
fn import(app: &TestApp, seed: u64, reference: &str) -> DeclarationDoc {
    let mut doc = app.declaration(0, seed);
    for item in doc.items.iter_mut().flatten() {
        item.documents
            .get_or_insert_with(Vec::new)
            .push(DocumentDoc { kind: Some("N830".to_string()), number: Some(reference.to_string()) });
    }
    doc
}

/// The partner's export of exactly the goods of our import `doc`.
fn export_of(doc: &DeclarationDoc, partner: &str, reference: &str) -> PartnerExport {
    let currency = doc.invoice.as_ref().and_then(|i| i.currency.clone());
    PartnerExport {
        partner: partner.to_string(),
        reference: reference.to_string(),
        exporter: doc.exporter.clone().unwrap(),
        importer: doc.importer.clone().unwrap(),
        lines: doc
            .items
            .iter()
            .flatten()
            .map(|i| PartnerLine {
                sequence: i.sequence.unwrap(),
                commodity_code: i.commodity_code.clone().unwrap(),
                description: i.description.clone().unwrap(),
                quantity: i.quantity,
                unit: i.unit.clone(),
                net_mass: i.net_mass,
                value: i.price,
                currency: currency.clone(),
            })
            .collect(),
        released_at: chrono::Utc::now(),
    }
}

async fn mismatch_codes(app: &TestApp, id: &str) -> Vec<String> {
    let (s, list) = app.get(&format!("/api/v1/exchange/declarations/{id}/mismatches"), Some(&app.officer_token)).await;
    assert_eq!(s, 200, "{list}");
    list.as_array().unwrap().iter().map(|m| m["code"].as_str().unwrap().to_string()).collect()
}

#[tokio::test]
async fn partners_are_registered_by_administrators_and_their_replaced_keys_are_kept() {
    for (backend, db) in all_dbs("exchange partners").await {
        let app = spawn_app(&db.url).await;
        let (a, b, c) = (key(41), key(42), key(43));
        let (s, e) = register(&app, &app.officer_token, "CN", &a, None).await;
        assert_eq!((s, code(&e)), (403, "AUTH_003"), "{backend}: {e}");
        let (s, e) = app.get("/api/v1/exchange/partners", Some(&app.traders[0].token)).await;
        assert_eq!((s, code(&e)), (403, "AUTH_003"), "{backend}: {e}");

        let (s, p) = register(&app, ADMIN, "CN", &a, Some("https://customs.example.cn/inbox")).await;
        assert_eq!(s, 200, "{backend}: {p}");
        assert_eq!(p["key_id"], signature::key_id(&a.verifying_key()), "{backend}: {p}");
        let (s, p) = register(&app, ADMIN, "CN", &b, None).await;
        assert_eq!(s, 200, "{backend}: {p}");
        let keys = p["keys"].as_array().unwrap();
        assert_eq!(keys.len(), 2, "{backend}: the replaced key is kept: {p}");
        assert!(keys[0]["ended_at_us"].is_i64() && keys[1]["ended_at_us"].is_null(), "{backend}: {p}");
        assert_eq!(p["key_id"], signature::key_id(&b.verifying_key()), "{backend}: {p}");

        let (s, e) = register(&app, ADMIN, "TR", &b, None).await;
        assert_eq!((s, code(&e)), (409, "RES_002"), "{backend}: another partner's key: {e}");
        let (s, e) = register(&app, ADMIN, "XX", &c, None).await;
        assert_eq!((s, code(&e)), (400, "REQ_004"), "{backend}: {e}");
        let (s, e) = register(&app, ADMIN, "TR", &c, Some("ftp://customs.example.tr")).await;
        assert_eq!((s, code(&e)), (400, "REQ_004"), "{backend}: {e}");
        let bad = json!({ "country": "TR", "name": "Turkish customs", "public_key": "not-a-key" });
        let (s, e) = app.post("/api/v1/exchange/partners", ADMIN, &bad).await;
        assert_eq!((s, code(&e)), (422, "KEY_001"), "{backend}: {e}");

        let (s, list) = app.get("/api/v1/exchange/partners", Some(&app.analyst_token)).await;
        assert_eq!(s, 200, "{backend}: {list}");
        assert_eq!(list.as_array().unwrap().len(), 1, "{backend}: {list}");

        // Our key is published to anyone, the same on every read.
        let (s, ours) = app.get("/api/v1/exchange/key", None).await;
        assert_eq!(s, 200, "{backend}: {ours}");
        let public = signature::decode_public_key(ours["public_key"].as_str().unwrap()).unwrap();
        assert_eq!(ours["key_id"], signature::key_id(&public), "{backend}: {ours}");
        assert_eq!(app.get("/api/v1/exchange/key", None).await.1, ours, "{backend}");
    }
}

#[tokio::test]
async fn partner_messages_are_verified_stored_once_and_refused_with_their_codes() {
    for (backend, db) in all_dbs("exchange inbound").await {
        let app = spawn_app(&db.url).await;
        let (cn, tr, stranger) = (key(51), key(52), key(53));
        assert_eq!(register(&app, ADMIN, "CN", &cn, None).await.0, 200);
        assert_eq!(register(&app, ADMIN, "TR", &tr, None).await.0, 200);
        let export = export_of(&app.declaration(0, 1), "CN", "CN-EX-0001");

        let (s, first) = send(&app, &signed(&export, &cn)).await;
        assert_eq!(s, 201, "{backend}: {first}");
        assert_eq!((first["duplicate"].as_bool(), first["reference"].as_str()), (Some(false), Some("CN-EX-0001")));
        let (s, again) = send(&app, &signed(&export, &cn)).await;
        assert_eq!((s, again["duplicate"].as_bool()), (200, Some(true)), "{backend}: {again}");
        assert_eq!(again["received_at_us"], first["received_at_us"], "{backend}: answered as recorded");
        let (s, kept) = app.get("/api/v1/exchange/messages", Some(&app.officer_token)).await;
        assert_eq!(s, 200, "{backend}: {kept}");
        assert_eq!(kept.as_array().map(Vec::len), Some(1), "{backend}: stored once: {kept}");
        assert_eq!(kept[0]["jws"].as_str(), Some(signed(&export, &cn).as_str()), "{backend}: kept as received");
        let (s, e) = app.get("/api/v1/exchange/messages", Some(&app.traders[0].token)).await;
        assert_eq!((s, code(&e)), (403, "AUTH_003"), "{backend}: {e}");
        let mut other = export.clone();
        other.lines.truncate(1);
        let (s, e) = send(&app, &signed(&other, &cn)).await;
        assert_eq!((s, code(&e)), (409, "RES_002"), "{backend}: {e}");

        // A bad signature: a key no partner has.
        let mut fresh = export.clone();
        fresh.reference = "CN-EX-0002".into();
        let (s, e) = send(&app, &signed(&fresh, &stranger)).await;
        assert_eq!((s, code(&e)), (422, "PTN_002"), "{backend}: {e}");
        assert_eq!(e["error"]["details"]["reason"], "SIG_004", "{backend}: {e}");
        // An unknown partner.
        let mut french = fresh.clone();
        french.partner = "FR".into();
        let (s, e) = send(&app, &signed(&french, &cn)).await;
        assert_eq!((s, code(&e)), (422, "PTN_001"), "{backend}: {e}");
        // An altered payload: the signature no longer covers it.
        let jws = signed(&fresh, &cn);
        let mut altered_export = fresh.clone();
        altered_export.lines[0].value = Some("1.00".parse().unwrap());
        let parts: Vec<&str> = jws.split('.').collect();
        let altered_payload = signed(&altered_export, &cn);
        let altered = format!("{}.{}.{}", parts[0], altered_payload.split('.').nth(1).unwrap(), parts[2]);
        let (s, e) = send(&app, &altered).await;
        assert_eq!((s, code(&e)), (422, "PTN_002"), "{backend}: {e}");
        assert_eq!(e["error"]["details"]["reason"], "SIG_005", "{backend}: {e}");
        // Another partner's key.
        let (s, e) = send(&app, &signed(&fresh, &tr)).await;
        assert_eq!((s, code(&e)), (422, "PTN_003"), "{backend}: {e}");
        // Unreadable messages.
        let (s, e) = send(&app, "not a message").await;
        assert_eq!((s, code(&e)), (422, "PTN_004"), "{backend}: {e}");
        let (s, e) = send(&app, &signature::sign_compact(&cn, br#"{"partner":"CN"}"#)).await;
        assert_eq!((s, code(&e)), (422, "PTN_004"), "{backend}: {e}");
        let mut lineless = fresh.clone();
        lineless.lines.clear();
        let (s, e) = send(&app, &signed(&lineless, &cn)).await;
        assert_eq!((s, code(&e), e["error"]["details"]["path"].as_str()), (422, "PTN_004", Some("$.lines")));
        let huge = format!("{}.{}.x", "e".repeat(10), "a".repeat(2 * 1024 * 1024));
        assert_eq!(send(&app, &huge).await.0, 413, "{backend}");
        let r = app
            .client
            .post(format!("{}/api/v1/exchange/inbound", app.base))
            .header("content-type", "application/json")
            .body(serde_json::to_string(&fresh).unwrap())
            .send()
            .await
            .unwrap();
        assert_eq!(r.status().as_u16(), 415, "{backend}");
        // The partner's key replaced: the old key signs no new message, the new one does.
        let renewed = key(54);
        assert_eq!(register(&app, ADMIN, "CN", &renewed, None).await.0, 200);
        let (s, e) = send(&app, &signed(&fresh, &cn)).await;
        assert_eq!((s, code(&e)), (422, "PTN_003"), "{backend}: {e}");
        assert_eq!(send(&app, &signed(&fresh, &renewed)).await.0, 201, "{backend}");
    }
}

#[tokio::test]
async fn an_import_citing_a_partner_export_is_matched_whichever_arrives_first() {
    for (backend, db) in all_dbs("exchange matching").await {
        let app = spawn_app(&db.url).await;
        let cn = key(61);
        assert_eq!(register(&app, ADMIN, "CN", &cn, None).await.0, 200);

        // The message first: the import filed later is matched at filing.
        let doc = import(&app, 11, "CN-EX-0101");
        let mut export = export_of(&doc, "CN", "CN-EX-0101");
        let first_value = export.lines[0].value.unwrap();
        export.lines[0].value = Some(first_value * rust_decimal::Decimal::from(2));
        assert_eq!(send(&app, &signed(&export, &cn)).await.0, 201, "{backend}");
        let (s, filed) = app.file(0, &doc).await;
        assert_eq!(s, 201, "{backend}: {filed}");
        let id = filed["id"].as_str().unwrap();
        assert_eq!(mismatch_codes(&app, id).await, ["XCH_005"], "{backend}");
        let (s, e) =
            app.get(&format!("/api/v1/exchange/declarations/{id}/mismatches"), Some(&app.traders[0].token)).await;
        assert_eq!((s, code(&e)), (403, "AUTH_003"), "{backend}: {e}");
        let (_, events) = app.get(&format!("/api/v1/declarations/{id}/events"), Some(&app.officer_token)).await;
        let matched = events.as_array().unwrap().iter().find(|e| e["action"] == "exchange_matched");
        assert!(matched.is_some_and(|e| e["details"].as_str().unwrap().contains("XCH_005")), "{backend}: {events}");
        let (_, seen) = app.get(&format!("/api/v1/declarations/{id}/events"), Some(&app.traders[0].token)).await;
        let matched = seen.as_array().unwrap().iter().find(|e| e["action"] == "exchange_matched");
        assert_eq!(
            matched.map(|e| e["details"].as_str()),
            Some(Some("{}")),
            "{backend}: the trader sees no difference: {seen}"
        );

        // The import first: the message arriving later is matched with it.
        let doc = import(&app, 12, "CN-EX-0102");
        let (s, filed) = app.file(0, &doc).await;
        assert_eq!(s, 201, "{backend}: {filed}");
        let id = filed["id"].as_str().unwrap();
        assert!(mismatch_codes(&app, id).await.is_empty(), "{backend}");
        let mut export = export_of(&doc, "CN", "CN-EX-0102");
        export.lines[0].net_mass = Some(export.lines[0].net_mass.unwrap() * rust_decimal::Decimal::from(3));
        let (s, answer) = send(&app, &signed(&export, &cn)).await;
        assert_eq!(s, 201, "{backend}: {answer}");
        assert_eq!(answer["declarations"], json!([id]), "{backend}: {answer}");
        assert_eq!(mismatch_codes(&app, id).await, ["XCH_002"], "{backend}");
        // Sent again, nothing is recorded twice.
        assert_eq!(send(&app, &signed(&export, &cn)).await.0, 200, "{backend}");
        assert_eq!(mismatch_codes(&app, id).await, ["XCH_002"], "{backend}");

        // The differences found at filing are the declaration's findings: a profile reads them.
        app.add_profile(
            "profile RP-XCH-VALUE \"Value differs from the partner's export\"\n\
             when declaration.findings contains \"XCH_005\"\nlane yellow\n\
             instruction \"Compare the invoice with the partner's export\"\nvalid from 2020-01-01\n",
        )
        .await;
        let doc = import(&app, 13, "CN-EX-0103");
        let mut export = export_of(&doc, "CN", "CN-EX-0103");
        export.lines[0].value = Some(export.lines[0].value.unwrap() * rust_decimal::Decimal::from(2));
        assert_eq!(send(&app, &signed(&export, &cn)).await.0, 201, "{backend}");
        let (s, filed) = app.file(0, &doc).await;
        assert_eq!(s, 201, "{backend}: {filed}");
        let hits = filed["hits"].as_array().unwrap();
        assert!(
            hits.iter().any(|h| h["profile"] == "RP-XCH-VALUE"),
            "{backend}: the finding fired the profile: {filed}"
        );
        assert_ne!(filed["lane"], "green", "{backend}: {filed}");
        // Without a difference, the profile stays silent.
        let doc = import(&app, 14, "CN-EX-0104");
        assert_eq!(send(&app, &signed(&export_of(&doc, "CN", "CN-EX-0104"), &cn)).await.0, 201, "{backend}");
        let (_, filed) = app.file(0, &doc).await;
        assert!(
            !filed["hits"].as_array().unwrap().iter().any(|h| h["profile"] == "RP-XCH-VALUE"),
            "{backend}: {filed}"
        );
        assert!(mismatch_codes(&app, filed["id"].as_str().unwrap()).await.is_empty(), "{backend}");

        let (s, e) = app
            .get(
                &format!("/api/v1/exchange/declarations/{}/mismatches", uuid::Uuid::now_v7()),
                Some(&app.officer_token),
            )
            .await;
        assert_eq!((s, code(&e)), (404, "RES_001"), "{backend}: {e}");
    }
}

/// An export of trader 0 for a consignee in `country`.
fn export_declaration(app: &TestApp, seed: u64, country: &str) -> DeclarationDoc {
    let mut doc = app.declaration(0, seed);
    doc.declaration_type = Some("EX".into());
    doc.procedure_code = Some("1000".into());
    let (ours, theirs) = (doc.importer.take().unwrap(), doc.exporter.take().unwrap());
    doc.exporter = Some(ours);
    doc.importer = Some(smartcustoms_core::declaration::PartyDoc { country: Some(country.into()), ..theirs });
    for item in doc.items.iter_mut().flatten() {
        item.preference = Some("100".into());
    }
    doc
}

/// Files an export and sees it released (by an officer when risk sent it to control).
async fn release_export(app: &TestApp, doc: &DeclarationDoc) -> Value {
    let (s, filed) = app.file(0, doc).await;
    assert_eq!(s, 201, "{filed}");
    let id = filed["id"].as_str().unwrap().to_string();
    if filed["state"] == "under_control" {
        let decision = json!({ "release": true, "reason": "Documents checked", "outcome": { "irregularities": [] } });
        let (s, r) = app.post(&format!("/api/v1/declarations/{id}/decision"), &app.officer_token, &decision).await;
        assert_eq!(s, 200, "{r}");
    }
    let (_, stored) = app.get(&format!("/api/v1/declarations/{id}"), Some(&app.officer_token)).await;
    assert_eq!(stored["state"], "released", "{stored}");
    stored
}

#[tokio::test]
async fn a_released_export_is_signed_once_and_pushed_to_the_partner_with_a_delivery_id() {
    for (backend, db) in all_dbs("exchange outbound").await {
        // The partner's receiver on loopback: what came, with its delivery id. It is down for
        // the first delivery, which is tried again.
        let received: Arc<Mutex<Vec<(String, String)>>> = Arc::default();
        let tries: Arc<Mutex<Vec<String>>> = Arc::default();
        let (sink, knocks) = (received.clone(), tries.clone());
        let receiver = axum::Router::new().route(
            "/inbox",
            axum::routing::post(move |headers: axum::http::HeaderMap, body: String| {
                let (sink, knocks) = (sink.clone(), knocks.clone());
                async move {
                    let delivery = headers.get("smartcustoms-delivery").and_then(|v| v.to_str().ok()).unwrap_or("");
                    let first = {
                        let mut knocks = knocks.lock().unwrap();
                        knocks.push(delivery.to_string());
                        knocks.len() == 1
                    };
                    if first {
                        return axum::http::StatusCode::SERVICE_UNAVAILABLE;
                    }
                    sink.lock().unwrap().push((delivery.to_string(), body));
                    axum::http::StatusCode::OK
                }
            }),
        );
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let inbox = format!("http://{}/inbox", listener.local_addr().unwrap());
        tokio::spawn(async move { axum::serve(listener, receiver).await });

        let app = spawn_app(&db.url).await;
        assert_eq!(register(&app, ADMIN, "CN", &key(71), Some(&inbox)).await.0, 200);
        let (_, ours) = app.get("/api/v1/exchange/key", None).await;
        let public = signature::decode_public_key(ours["public_key"].as_str().unwrap()).unwrap();

        let released = release_export(&app, &export_declaration(&app, 21, "CN")).await;
        let id = released["id"].as_str().unwrap();
        let waiting = release_export(&app, &export_declaration(&app, 22, "BR")).await;

        let deadline = tokio::time::Instant::now() + std::time::Duration::from_secs(20);
        while received.lock().unwrap().is_empty() && tokio::time::Instant::now() < deadline {
            tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        }
        let got = received.lock().unwrap().clone();
        let (delivery, body) = got.first().cloned().unwrap_or_else(|| panic!("{backend}: nothing was pushed"));
        let jws = CompactJws::parse(&body).unwrap();
        jws.verify(&public).unwrap_or_else(|e| panic!("{backend}: our message verifies with our key: {e}"));
        assert_eq!(jws.kid, ours["key_id"].as_str().unwrap(), "{backend}");
        let message: PartnerExport = serde_json::from_slice(&jws.payload).unwrap();
        assert_eq!(Some(message.reference.as_str()), released["registration_number"].as_str(), "{backend}");
        assert_eq!(message.importer.country.as_deref(), Some("CN"), "{backend}");

        // Listed once, delivered under the id it was pushed with; the other waits for a partner.
        let mut listed = Value::Null;
        while tokio::time::Instant::now() < deadline {
            listed = app.get("/api/v1/exchange/outbox", Some(&app.officer_token)).await.1;
            let delivered = listed.as_array().unwrap().iter().any(|m| m["state"] == "delivered");
            if delivered && listed.as_array().unwrap().len() == 2 {
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        }
        let list = listed.as_array().unwrap();
        let mine: Vec<&Value> = list.iter().filter(|m| m["declaration_id"] == id).collect();
        assert_eq!(mine.len(), 1, "{backend}: one message per declaration: {listed}");
        assert_eq!((mine[0]["id"].as_str(), mine[0]["state"].as_str()), (Some(delivery.as_str()), Some("delivered")));
        let other = list.iter().find(|m| m["declaration_id"] == waiting["id"]).unwrap();
        assert_eq!((other["partner"].as_str(), other["state"].as_str()), (Some("BR"), Some("waiting")), "{backend}");
        assert_eq!(received.lock().unwrap().len(), 1, "{backend}: only the partner with an endpoint got one");
        assert_eq!(*tries.lock().unwrap(), [delivery.clone(), delivery.clone()], "{backend}: tried again under its id");
        assert_eq!(mine[0]["attempts"], 2, "{backend}: {listed}");
        let (s, e) = app.get("/api/v1/exchange/outbox", Some(&app.traders[0].token)).await;
        assert_eq!((s, code(&e)), (403, "AUTH_003"), "{backend}: {e}");
    }
}
