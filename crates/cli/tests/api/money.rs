//! Duties, the single personal account and the tariff through the API.

use serde_json::json;
use smartcustoms_testkit::{all_dbs, spawn_app, OPENING_BALANCE_CENTS};

fn cents(v: &serde_json::Value) -> i64 {
    let text = v.as_str().unwrap_or_else(|| panic!("amount as a string, got {v}"));
    let d: rust_decimal::Decimal = text.parse().unwrap();
    (d * rust_decimal::Decimal::ONE_HUNDRED).try_into().unwrap()
}

#[tokio::test]
async fn duties_are_calculated_shown_and_debited_and_a_short_balance_waits_for_payment() {
    for (backend, db) in all_dbs("money api").await {
        let app = spawn_app(&db.url).await;
        let trader = &app.traders[1];
        // A filed declaration carries its calculation with every input.
        let (status, body) = app.file(1, &app.declaration(1, 11)).await;
        assert_eq!(status, 201, "{backend}: {body}");
        let duties = cents(&body["duties_total"]);
        assert!(duties > 0, "{backend}: {body}");
        let id = body["id"].as_str().unwrap();
        let (_, detail) = app.get(&format!("/api/v1/declarations/{id}"), Some(&trader.token)).await;
        let item = &detail["duties"]["calculation"]["items"][0];
        assert!(item["duty"]["measure_id"].is_string(), "{backend}: {item}");
        assert!(item["vat"]["rate"].is_string(), "{backend}: {item}");
        let (_, account) = app.get("/api/v1/account", Some(&trader.token)).await;
        let available = cents(&account["available"]);
        let reserved = cents(&account["reserved"]);
        assert_eq!(available + reserved, OPENING_BALANCE_CENTS - if body["state"] == "released" { duties } else { 0 });

        // The trader takes almost everything back; the next declaration waits with the amount missing.
        let refund = format!("{}.{:02}", (available - 1) / 100, (available - 1) % 100);
        let (s, r) = app.post("/api/v1/account/refunds", &trader.token, &json!({ "amount": refund })).await;
        assert_eq!(s, 201, "{backend}: {r}");
        let (s, r) = app.post("/api/v1/account/refunds", &trader.token, &json!({ "amount": "1.00" })).await;
        assert_eq!((s, r["error"]["code"].as_str()), (409, Some("PAY_003")), "{backend}: {r}");
        let (status, waiting) = app.file(1, &app.declaration(1, 12)).await;
        assert_eq!(status, 201);
        assert_eq!(waiting["state"], "awaiting_payment", "{backend}: {waiting}");
        assert!(waiting["registration_number"].is_null() && waiting["lane"].is_null());
        let missing = cents(&waiting["payment"]["missing"]);
        assert_eq!(missing, cents(&waiting["duties_total"]) - 1, "{backend}: {waiting}");

        // Only a bank notifies payments; the notice registers the declaration.
        let pay = json!({ "trader": trader.id, "amount": format!("{}.{:02}", missing / 100, missing % 100), "reference": "BANK-77" });
        let (s, _) = app.post("/api/v1/payments", &trader.token, &pay).await;
        assert_eq!(s, 403, "{backend}: a trader cannot credit itself");
        let (s, paid) = app.post("/api/v1/payments", "test-bank", &pay).await;
        assert_eq!(s, 201, "{backend}: {paid}");
        assert_eq!(paid["registered"][0]["id"], waiting["id"], "{backend}: {paid}");
        let (s, again) = app.post("/api/v1/payments", "test-bank", &pay).await;
        assert_eq!((s, &again["duplicate"]), (200, &json!(true)), "{backend}");
        let other = json!({ "trader": trader.id, "amount": "5.00", "reference": "BANK-77" });
        let (s, e) = app.post("/api/v1/payments", "test-bank", &other).await;
        assert_eq!((s, e["error"]["code"].as_str()), (409, Some("PAY_001")), "{backend}");
        let bad = json!({ "trader": trader.id, "amount": "1.001", "reference": "BANK-78" });
        let (s, e) = app.post("/api/v1/payments", "test-bank", &bad).await;
        assert_eq!((s, e["error"]["code"].as_str()), (422, Some("PAY_002")), "{backend}");

        let wid = waiting["id"].as_str().unwrap();
        let (_, now) = app.get(&format!("/api/v1/declarations/{wid}"), Some(&trader.token)).await;
        assert!(now["registration_number"].is_string(), "{backend}: {now}");
        assert!(now["payment"].is_null());

        // The statement lists every posting; other traders cannot read the account.
        let (s, st) = app.get("/api/v1/account/statement", Some(&trader.token)).await;
        assert_eq!(s, 200, "{backend}: {st}");
        let kinds: Vec<&str> = st["entries"].as_array().unwrap().iter().map(|e| e["kind"].as_str().unwrap()).collect();
        assert_eq!(kinds[0], "deposit");
        assert!(kinds.contains(&"refund") && kinds.contains(&"reservation"), "{backend}: {kinds:?}");
        let (s, _) = app.get(&format!("/api/v1/accounts/{}", trader.id), Some(&app.traders[0].token)).await;
        assert_eq!(s, 404, "{backend}");
        let (s, _) = app.get(&format!("/api/v1/accounts/{}", trader.id), Some(&app.officer_token)).await;
        assert_eq!(s, 200, "{backend}");
    }
}

#[tokio::test]
async fn administrators_change_the_tariff_in_versions_and_bad_changes_are_refused_whole() {
    let db = smartcustoms_testkit::sqlite_db();
    let app = spawn_app(&db.url).await;
    let (s, tariff) = app.get("/api/v1/tariff", Some(&app.traders[0].token)).await;
    assert_eq!(s, 200);
    let mut measure = tariff["measures"][0].clone();
    let key = format!("{}@{}", measure["id"].as_str().unwrap(), measure["valid_from"].as_str().unwrap());
    measure["rate"] = json!("3.5%");
    let change = json!({ "measures": [measure] });
    let (s, _) = app.post("/api/v1/tariff", &app.traders[0].token, &change).await;
    assert_eq!(s, 403);
    let (s, r) = app.post("/api/v1/tariff", "test-admin", &change).await;
    assert_eq!(s, 200, "{r}");
    assert_eq!(r["changed"][0]["version"], 2, "{r}");
    let (_, versions) = app.get(&format!("/api/v1/tariff/measure/{key}/versions"), Some(&app.officer_token)).await;
    assert_eq!(versions.as_array().map(Vec::len), Some(2), "{versions}");

    let mut wrong = measure.clone();
    wrong["code"] = json!("999999");
    let (s, r) = app.post("/api/v1/tariff", "test-admin", &json!({ "measures": [wrong] })).await;
    assert_eq!((s, r["error"]["code"].as_str()), (422, Some("TARIFF_001")), "{r}");
    let (_, versions) = app.get(&format!("/api/v1/tariff/measure/{key}/versions"), Some(&app.officer_token)).await;
    assert_eq!(versions.as_array().map(Vec::len), Some(2), "nothing stored from a refused change");
}
