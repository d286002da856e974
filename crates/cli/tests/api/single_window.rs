//! The Single Window: agencies set requirements and issue documents; registration checks the
//! documents a declaration's goods need and reserves their quantity in the same transaction;
//! release draws it, refusal and withdrawal restore it; concurrent declarations (also through
//! two server processes on one PostgreSQL database) never draw a document beyond its quantity;
//! an agency sees only the declarations its requirements concern, within its competence.

use rust_decimal::Decimal;
use serde_json::{json, Value};
use smartcustoms_core::declaration::{DeclarationDoc, DocumentDoc};
use smartcustoms_core::signature;
use smartcustoms_http::HttpConfig;
use smartcustoms_testkit::{all_dbs, another_server, spawn_app_with, TestApp};

const VET: &str = "test-agency-vet";
const PHYTO: &str = "test-agency-phyto";
const ADMIN: &str = "test-admin";

fn config() -> HttpConfig {
    HttpConfig { random_share: 0.0, retrain_every: None, recategorise_every: None, ..HttpConfig::default() }
}

/// A declaration of trader `i` with one item, referencing document `number` (if any); the
/// description asks the profile for a yellow lane when `control`.
fn one_item(app: &TestApp, i: usize, seed: u64, number: Option<&str>, control: bool) -> DeclarationDoc {
    let mut doc = app.declaration(i, seed);
    let items = doc.items.as_mut().unwrap();
    items.truncate(1);
    let item = &mut items[0];
    if control {
        item.description = Some("Frozen poultry, inspect me".into());
    }
    if let Some(n) = number {
        item.documents
            .get_or_insert_with(Vec::new)
            .push(DocumentDoc { kind: Some("N853".into()), number: Some(n.into()) });
    }
    doc.invoice.as_mut().unwrap().total = item.price;
    doc
}

/// The first four digits of the commodity code of the item of `seed`, and its net mass.
fn goods(app: &TestApp, seed: u64) -> (String, Decimal) {
    let item = one_item(app, 0, seed, None, false).items.unwrap().remove(0);
    (item.commodity_code.unwrap()[..4].to_string(), item.net_mass.unwrap())
}

/// `k` times the mass `m`, as the API writes a quantity.
fn times(m: Decimal, k: &str) -> Decimal {
    (m * k.parse::<Decimal>().unwrap()).normalize()
}

async fn setup_agency(app: &TestApp, hs: &str) {
    let agency =
        json!({ "name": "Veterinary service", "fields": ["importer", "commodity_code", "origin", "net_mass"] });
    let (s, e) = app.put("/api/v1/agencies/VET", "test-officer", &agency).await;
    assert_eq!(s, 403, "only administrators register agencies: {e}");
    let (s, a) = app.put("/api/v1/agencies/VET", ADMIN, &agency).await;
    assert_eq!(s, 200, "{a}");
    let (s, _) = app.put("/api/v1/agencies/PHYTO", ADMIN, &json!({ "name": "Plant health", "fields": [] })).await;
    assert_eq!(s, 200);
    let (s, e) = app.put("/api/v1/agencies/VET", ADMIN, &json!({ "name": "V", "fields": ["password"] })).await;
    assert_eq!((s, e["error"]["code"].as_str()), (400, Some("REQ_004")), "{e}");
    assert!(e["error"]["message"].as_str().unwrap().contains("fields"), "{e}");
    let rule = json!({ "document_kind": "N853", "hs_prefix": hs, "valid_from": "2020-01-01" });
    let (s, e) = app.post("/api/v1/agencies/VET/requirements", PHYTO, &rule).await;
    assert_eq!(s, 404, "an agency sets only its own requirements: {e}");
    let bad = json!({ "document_kind": "N853", "hs_prefix": "0", "valid_from": "2020-01-01" });
    assert_eq!(app.post("/api/v1/agencies/VET/requirements", VET, &bad).await.0, 400);
    let (s, r) = app.post("/api/v1/agencies/VET/requirements", VET, &rule).await;
    assert_eq!(s, 201, "{r}");
}

async fn issue(app: &TestApp, number: &str, holder: &str, hs: &str, quantity: Decimal) -> Value {
    let today = chrono::Utc::now().date_naive();
    let permit = json!({
        "number": number, "kind": "N853", "holder": holder, "hs_prefixes": [hs], "unit": "kg",
        "quantity": quantity.to_string(), "valid_from": today - chrono::Days::new(10), "valid_to": today + chrono::Days::new(30),
    });
    let (s, p) = app.post("/api/v1/permits", VET, &permit).await;
    assert_eq!(s, 201, "{p}");
    p
}

async fn permit(app: &TestApp, number: &str) -> Value {
    let (s, p) = app.get(&format!("/api/v1/permits/{number}"), Some(VET)).await;
    assert_eq!(s, 200, "{p}");
    p
}

fn levels(p: &Value) -> (Decimal, Decimal, Decimal) {
    let d = |k: &str| p[k].as_str().unwrap_or_else(|| panic!("{k} in {p}")).parse::<Decimal>().unwrap().normalize();
    (d("reserved"), d("drawn"), d("remaining"))
}

fn codes(filed: &Value) -> Vec<&str> {
    filed["reasons"].as_array().map(|r| r.iter().filter_map(|r| r["code"].as_str()).collect()).unwrap_or_default()
}

#[tokio::test]
async fn a_document_is_reserved_at_registration_drawn_at_release_and_restored_on_refusal() {
    for (backend, db) in all_dbs("single window").await {
        let app = spawn_app_with(&db.url, config()).await;
        app.add_profile("profile RP-SW-1 \"Inspect\"\nwhen item.description contains \"inspect me\"\nlane yellow\ninstruction \"Check the certificate\"\nvalid from 2020-01-01\n").await;
        let (hs, m) = goods(&app, 501);
        let x = |k: &str| times(m, k);
        setup_agency(&app, &hs).await;
        let holder = app.traders[0].id.clone();

        // No document: refused with the item and the agency named.
        let (s, none) = app.file(0, &one_item(&app, 0, 501, None, false)).await;
        assert_eq!((s, none["state"].as_str()), (201, Some("refused")), "{backend}: {none}");
        assert_eq!(codes(&none), ["SW_001"], "{backend}: {none}");
        assert_eq!(none["reasons"][0]["path"], "$.items[0].documents", "{backend}");

        let p = issue(&app, "VET-1", &holder, &hs, x("2.5")).await;
        assert_eq!(levels(&p), (x("0"), x("0"), x("2.5")), "{backend}");
        let (s, e) = app.post("/api/v1/permits", PHYTO, &json!({})).await;
        assert_eq!((s, e["error"]["code"].as_str()), (422, Some("REQ_002")), "{backend}: {e}");

        // Yellow lane: reserved; green lane: drawn at once; then nothing left for a third.
        let (_, a) = app.file(0, &one_item(&app, 0, 501, Some("VET-1"), true)).await;
        assert_eq!(
            (a["state"].as_str(), a["lane"].as_str()),
            (Some("under_control"), Some("yellow")),
            "{backend}: {a}"
        );
        assert_eq!(levels(&permit(&app, "VET-1").await), (x("1"), x("0"), x("1.5")), "{backend}");
        let (_, b) = app.file(0, &one_item(&app, 0, 501, Some("VET-1"), false)).await;
        assert_eq!(b["state"], "released", "{backend}: {b}");
        assert_eq!(levels(&permit(&app, "VET-1").await), (x("1"), x("1"), x("0.5")), "{backend}");
        let (_, c) = app.file(0, &one_item(&app, 0, 501, Some("VET-1"), false)).await;
        assert_eq!((c["state"].as_str(), codes(&c)), (Some("refused"), vec!["SW_008"]), "{backend}: {c}");
        assert_eq!(c["reasons"][0]["args"]["remaining"], x("0.5").to_string(), "{backend}: {c}");

        // The officer refuses the yellow one: its quantity comes back, and is drawn by the next.
        let a_id = a["id"].as_str().unwrap();
        let refuse = json!({ "release": false, "reason": "Certificate does not match", "outcome": { "irregularities": ["documents"] } });
        let (s, r) = app.post(&format!("/api/v1/declarations/{a_id}/decision"), &app.officer_token, &refuse).await;
        assert_eq!(s, 200, "{backend}: {r}");
        assert_eq!(levels(&permit(&app, "VET-1").await), (x("0"), x("1"), x("1.5")), "{backend}");
        let (_, d) = app.file(0, &one_item(&app, 0, 501, Some("VET-1"), true)).await;
        let d_id = d["id"].as_str().unwrap();
        let release = json!({ "release": true, "reason": "Certificate checked", "outcome": { "irregularities": [] } });
        let (s, r) = app.post(&format!("/api/v1/declarations/{d_id}/decision"), &app.officer_token, &release).await;
        assert_eq!(s, 200, "{backend}: {r}");
        let p = permit(&app, "VET-1").await;
        assert_eq!(levels(&p), (x("0"), x("2"), x("0.5")), "{backend}");
        let states: Vec<(&str, &str)> = p["draws"]
            .as_array()
            .unwrap()
            .iter()
            .map(|d| (d["declaration_id"].as_str().unwrap(), d["state"].as_str().unwrap()))
            .collect();
        assert!(states.contains(&(a_id, "restored")) && states.contains(&(d_id, "drawn")), "{backend}: {states:?}");
        let (_, events) = app.get(&format!("/api/v1/declarations/{a_id}/events"), Some(&app.officer_token)).await;
        let actions: Vec<&str> = events.as_array().unwrap().iter().map(|e| e["action"].as_str().unwrap()).collect();
        assert_eq!(actions.iter().filter(|a| **a == "permit_quantities").count(), 2, "{backend}: {actions:?}");

        // Another trader cannot use it or read it; its holder can read it.
        let (_, theirs) = app.file(1, &one_item(&app, 1, 501, Some("VET-1"), false)).await;
        assert_eq!(codes(&theirs), ["SW_003"], "{backend}: {theirs}");
        assert_eq!(app.get("/api/v1/permits/VET-1", Some(&app.traders[1].token)).await.0, 404, "{backend}");
        assert_eq!(app.get("/api/v1/permits/VET-1", Some(&app.traders[0].token)).await.0, 200, "{backend}");
        assert_eq!(app.get("/api/v1/permits/VET-1", Some(PHYTO)).await.0, 404, "{backend}");

        // Suspended, a document refuses new declarations; reinstated, it serves again; its
        // quantity cannot go below what was used; revoked is final.
        let change = |what: &str, body: Value| {
            let app = &app;
            let path = format!("/api/v1/permits/VET-1/{what}");
            async move { app.post(&path, VET, &body).await }
        };
        assert_eq!(change("suspend", json!({ "reason": "Outbreak" })).await.0, 200, "{backend}");
        let (_, e) = app.file(0, &one_item(&app, 0, 501, Some("VET-1"), false)).await;
        assert_eq!(codes(&e), ["SW_005"], "{backend}: {e}");
        let (s, e) = change("suspend", json!({ "reason": "Again" })).await;
        assert_eq!(s, 409, "{backend}: suspended already: {e}");
        assert_eq!(change("reinstate", json!({ "reason": "Lifted" })).await.0, 200, "{backend}");
        let (s, e) =
            change("amend", json!({ "reason": "Cut", "quantity": (x("2") - Decimal::new(1, 3)).to_string() })).await;
        assert_eq!(s, 409, "{backend}: below the 200 drawn: {e}");
        let (s, amended) = change("amend", json!({ "reason": "More", "quantity": x("4").to_string() })).await;
        assert_eq!((s, levels(&amended)), (200, (x("0"), x("2"), x("2"))), "{backend}: {amended}");
        assert_eq!(change("explode", json!({ "reason": "x" })).await.0, 404, "{backend}");
        assert_eq!(change("amend", json!({ "reason": "nothing" })).await.0, 400, "{backend}");
        assert_eq!(app.post("/api/v1/permits/VET-1/suspend", PHYTO, &json!({ "reason": "not mine" })).await.0, 404);
        assert_eq!(change("revoke", json!({ "reason": "Fraud" })).await.0, 200, "{backend}");
        assert_eq!(change("reinstate", json!({ "reason": "No" })).await.0, 409, "{backend}");
        let (_, revoked) = app.file(0, &one_item(&app, 0, 501, Some("VET-1"), false)).await;
        assert_eq!(codes(&revoked), ["SW_005"], "{backend}: {revoked}");
        assert_eq!(revoked["reasons"][0]["args"]["status"], "revoked", "{backend}: {revoked}");

        // A document whose validity ended yesterday serves no declaration today.
        let today = chrono::Utc::now().date_naive();
        let expired = json!({
            "number": "VET-OLD", "kind": "N853", "holder": holder, "hs_prefixes": [hs], "unit": "kg",
            "quantity": x("10").to_string(), "valid_from": today - chrono::Days::new(30),
            "valid_to": today - chrono::Days::new(1),
        });
        assert_eq!(app.post("/api/v1/permits", VET, &expired).await.0, 201, "{backend}");
        let (_, late) = app.file(0, &one_item(&app, 0, 501, Some("VET-OLD"), false)).await;
        assert_eq!(codes(&late), ["SW_004"], "{backend}: {late}");

        // The agency sees the declarations its requirement concerns, with its fields only.
        let (s, seen) = app.get("/api/v1/single-window/declarations", Some(VET)).await;
        assert_eq!(s, 200, "{backend}: {seen}");
        let seen = seen.as_array().unwrap();
        assert!(seen.iter().any(|v| v["id"] == a["id"]) && seen.iter().any(|v| v["id"] == none["id"]), "{backend}");
        let view = seen.iter().find(|v| v["id"] == d["id"]).unwrap();
        assert!(
            view["fields"]["importer"].is_object() && view["fields"].get("exporter").is_none(),
            "{backend}: {view}"
        );
        let item = &view["items"][0];
        assert!(item["net_mass"].is_string() || item["net_mass"].is_number(), "{backend}: {item}");
        assert!(item.get("price").is_none() && item.get("description").is_none(), "{backend}: {item}");
        assert_eq!(view["draws"][0]["state"], "drawn", "{backend}: {view}");
        assert_eq!(app.get(&format!("/api/v1/single-window/declarations/{d_id}"), Some(PHYTO)).await.0, 404);
        assert_eq!(app.get(&format!("/api/v1/single-window/declarations/{d_id}"), Some(VET)).await.0, 200);
        assert_eq!(app.get("/api/v1/single-window/declarations", Some(&app.traders[0].token)).await.0, 403);
    }
}

#[tokio::test]
async fn a_withdrawn_declaration_gives_its_quantity_back() {
    for (backend, db) in all_dbs("single window withdrawal").await {
        let app = spawn_app_with(&db.url, config()).await;
        let (hs, m) = goods(&app, 601);
        let x = |k: &str| times(m, k);
        setup_agency(&app, &hs).await;
        let trader = &app.traders[0];
        issue(&app, "VET-W", &trader.id, &hs, x("1")).await;
        let (_, account) = app.get("/api/v1/account", Some(&trader.token)).await;
        let available = account["available"].as_str().unwrap().to_string();
        let (s, r) = app.post("/api/v1/account/refunds", &trader.token, &json!({ "amount": available })).await;
        assert_eq!(s, 201, "{backend}: {r}");
        let (_, w) = app.file(0, &one_item(&app, 0, 601, Some("VET-W"), false)).await;
        assert_eq!(w["state"], "awaiting_payment", "{backend}: {w}");
        assert_eq!(levels(&permit(&app, "VET-W").await), (x("1"), x("0"), x("0")), "{backend}");
        let id = w["id"].as_str().unwrap();
        let r = app.client.post(format!("{}/api/v1/declarations/{id}/withdrawal", app.base)).bearer_auth(&trader.token);
        assert_eq!(r.send().await.unwrap().status().as_u16(), 200, "{backend}");
        assert_eq!(levels(&permit(&app, "VET-W").await), (x("0"), x("0"), x("1")), "{backend}");
    }
}

/// Files `doc` as trader 0 through the server at `base`.
async fn file_at(app: &TestApp, base: &str, doc: &DeclarationDoc) -> Value {
    let body = serde_json::to_vec(doc).unwrap();
    let trader = &app.traders[0];
    let r = app
        .client
        .post(format!("{base}/api/v1/declarations"))
        .bearer_auth(&trader.token)
        .header("content-type", "application/json")
        .header("x-jws-signature", signature::sign_detached(&trader.key, &body))
        .body(body)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 201);
    r.json().await.unwrap()
}

#[tokio::test]
async fn concurrent_declarations_never_draw_a_document_beyond_its_quantity() {
    for (backend, db) in all_dbs("single window concurrency").await {
        let app = spawn_app_with(&db.url, config()).await;
        let (hs, m) = goods(&app, 701);
        setup_agency(&app, &hs).await;
        issue(&app, "VET-C", &app.traders[0].id, &hs, times(m, "5")).await;
        // On PostgreSQL half the declarations go through a second server process.
        let second = match backend {
            "postgres" => another_server(&db.url).await,
            _ => app.base.clone(),
        };
        let docs: Vec<DeclarationDoc> = (0..16).map(|_| one_item(&app, 0, 701, Some("VET-C"), false)).collect();
        let filed = futures_util::future::join_all(
            docs.iter().enumerate().map(|(k, doc)| file_at(&app, if k % 2 == 0 { &app.base } else { &second }, doc)),
        )
        .await;
        let taken = filed.iter().filter(|f| f["state"] != "refused").count();
        let short = filed.iter().filter(|f| codes(f) == ["SW_008"]).count();
        assert_eq!((taken, short), (5, 11), "{backend}: five times the mass of one");
        let p = permit(&app, "VET-C").await;
        let used: Decimal = p["reserved"].as_str().unwrap().parse::<Decimal>().unwrap()
            + p["drawn"].as_str().unwrap().parse::<Decimal>().unwrap();
        assert_eq!((used, p["remaining"].as_str()), (times(m, "5"), Some("0")), "{backend}: {p}");
    }
}

#[tokio::test]
async fn goods_without_enough_document_are_referred_to_the_agency_where_its_requirement_says_so() {
    for (backend, db) in all_dbs("sw referrals").await {
        let app = spawn_app_with(&db.url, config()).await;
        let (hs, m) = goods(&app, 502);
        let agency = json!({ "name": "Veterinary service", "fields": ["commodity_code", "net_mass"] });
        assert_eq!(app.put("/api/v1/agencies/VET", ADMIN, &agency).await.0, 200, "{backend}");
        assert_eq!(
            app.put("/api/v1/agencies/PHYTO", ADMIN, &json!({ "name": "Plant health", "fields": [] })).await.0,
            200
        );
        let rule =
            json!({ "document_kind": "N853", "hs_prefix": hs, "valid_from": "2020-01-01", "on_missing": "refer" });
        let (s, r) = app.post("/api/v1/agencies/VET/requirements", VET, &rule).await;
        assert_eq!((s, r["on_missing"].as_str()), (201, Some("refer")), "{backend}: {r}");

        // No document: registered, sent to control, and queued for the agency.
        let (s, filed) = app.file(0, &one_item(&app, 0, 502, None, false)).await;
        assert_eq!(
            (s, filed["state"].as_str(), filed["lane"].as_str()),
            (201, Some("under_control"), Some("yellow")),
            "{backend}: {filed}"
        );
        assert_eq!(filed["hits"][0]["profile"], "SW_REFERRAL", "{backend}: {filed}");
        let id = filed["id"].as_str().unwrap().to_string();
        let (s, queue) = app.get("/api/v1/single-window/referrals", Some(VET)).await;
        assert_eq!(s, 200, "{backend}: {queue}");
        let waiting: Vec<(&str, &str, &str)> = queue
            .as_array()
            .unwrap()
            .iter()
            .map(|r| (r["declaration_id"].as_str().unwrap(), r["code"].as_str().unwrap(), r["state"].as_str().unwrap()))
            .collect();
        assert_eq!(waiting, [(id.as_str(), "SW_001", "pending")], "{backend}");
        assert_eq!(app.get("/api/v1/single-window/referrals", Some(PHYTO)).await.1, json!([]), "{backend}");
        let referrals = format!("/api/v1/single-window/declarations/{id}/referrals");
        assert_eq!(app.get(&referrals, Some(PHYTO)).await.0, 404, "{backend}: not its goods");
        assert_eq!(app.get(&referrals, Some(&app.traders[0].token)).await.0, 403, "{backend}");
        assert_eq!(app.get(&referrals, Some(&app.officer_token)).await.1[0]["agency"], "VET", "{backend}");

        // The officer cannot release before the agency allows the goods.
        let decision = format!("/api/v1/declarations/{id}/decision");
        let release = json!({ "release": true, "reason": "Goods as declared", "outcome": { "irregularities": [] } });
        let (s, e) = app.post(&decision, &app.officer_token, &release).await;
        assert_eq!((s, e["error"]["code"].as_str()), (409, Some("RES_002")), "{backend}: {e}");
        assert!(e["error"]["message"].as_str().unwrap().contains("waits for the agency"), "{backend}: {e}");

        // Only the agency decides, once, with a note.
        let allow =
            json!({ "item": 1, "kind": "N853", "allow": true, "note": "Health certificate seen at the border post" });
        assert_eq!(app.post(&referrals, PHYTO, &allow).await.0, 404, "{backend}");
        assert_eq!(app.post(&referrals, &app.officer_token, &allow).await.0, 403, "{backend}");
        let blank = json!({ "item": 1, "kind": "N853", "allow": true, "note": " " });
        assert_eq!(app.post(&referrals, VET, &blank).await.0, 400, "{backend}");
        let (s, r) = app.post(&referrals, VET, &allow).await;
        assert_eq!(
            (s, r["state"].as_str(), r["decided_by"].as_str()),
            (200, Some("allowed"), Some(VET)),
            "{backend}: {r}"
        );
        assert_eq!(app.post(&referrals, VET, &allow).await.0, 409, "{backend}: decided before");
        assert_eq!(app.get("/api/v1/single-window/referrals", Some(VET)).await.1, json!([]), "{backend}");
        let (s, r) = app.post(&decision, &app.officer_token, &release).await;
        assert_eq!((s, r["state"].as_str()), (200, Some("released")), "{backend}: {r}");
        let (_, events) = app.get(&format!("/api/v1/declarations/{id}/events"), Some(&app.officer_token)).await;
        let actions: Vec<&str> = events.as_array().unwrap().iter().map(|e| e["action"].as_str().unwrap()).collect();
        assert!(
            actions.contains(&"referred_to_agency") && actions.contains(&"agency_decided"),
            "{backend}: {actions:?}"
        );

        // A document with too little left: referred (SW_008) and nothing reserved; the agency
        // refuses the goods, so the officer cannot release and refuses the declaration.
        let holder = app.traders[0].id.clone();
        let small = issue(&app, "VET-S", &holder, &hs, times(m, "0.5")).await;
        let (_, short) = app.file(0, &one_item(&app, 0, 502, Some("VET-S"), false)).await;
        assert_eq!(short["state"], "under_control", "{backend}: {short}");
        assert_eq!(levels(&permit(&app, "VET-S").await), levels(&small), "{backend}: nothing reserved");
        let short_id = short["id"].as_str().unwrap();
        let path = format!("/api/v1/single-window/declarations/{short_id}/referrals");
        assert_eq!(app.get(&path, Some(VET)).await.1[0]["code"], "SW_008", "{backend}");
        let refuse = json!({ "item": 1, "kind": "N853", "allow": false, "note": "Quota exhausted" });
        assert_eq!(app.post(&path, VET, &refuse).await.0, 200, "{backend}");
        let decision = format!("/api/v1/declarations/{short_id}/decision");
        let (s, e) = app.post(&decision, &app.officer_token, &release).await;
        assert!(s == 409 && e["error"]["message"].as_str().unwrap().contains("refused"), "{backend}: {e}");
        let refused = json!({ "release": false, "reason": "Refused by the veterinary service", "outcome": { "irregularities": ["documents"] } });
        assert_eq!(app.post(&decision, &app.officer_token, &refused).await.0, 200, "{backend}");
    }
}
