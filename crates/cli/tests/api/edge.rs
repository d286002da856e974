//! What an attacker or a careless client sends: text a database cannot store, bodies of the
//! wrong media type, parameters that do not parse, absurd amounts. Each gets its coded JSON
//! error and nothing is recorded.

use serde_json::json;
use smartcustoms_testkit::{all_dbs, spawn_app, sqlite_db, TestApp};

fn code(body: &serde_json::Value) -> Option<&str> {
    body["error"]["code"].as_str()
}

async fn count_declarations(app: &TestApp) -> usize {
    let (_, list) = app.get("/api/v1/declarations?limit=500", Some(&app.officer_token)).await;
    list.as_array().map_or(0, Vec::len)
}

#[tokio::test]
async fn text_holding_a_nul_is_refused_at_the_edge_and_other_filings_are_recorded() {
    for (backend, db) in all_dbs("nul text").await {
        let app = spawn_app(&db.url).await;
        let mut doc = app.declaration(0, 3);
        doc.office = Some("DE00\u{0}5000".into());
        let (s, b) = app.file(0, &doc).await;
        assert_eq!((s, code(&b)), (400, Some("REQ_006")), "{backend}: {b}");

        // Clean filings of another trader sent alongside NUL ones are all recorded.
        let mut tasks = Vec::new();
        let app = std::sync::Arc::new(app);
        for seed in 0..40u64 {
            let app = app.clone();
            tasks.push(tokio::spawn(async move {
                let mut doc = app.declaration(usize::from(seed % 2 == 0), 100 + seed);
                if seed % 2 == 1 {
                    doc.office = Some("DE00\u{0}5000".into());
                }
                app.file(usize::from(seed % 2 == 0), &doc).await.0
            }));
        }
        let mut statuses = Vec::new();
        for t in tasks {
            statuses.push(t.await.unwrap());
        }
        assert!(statuses.iter().step_by(2).all(|s| *s == 201), "{backend}: {statuses:?}");
        assert!(statuses.iter().skip(1).step_by(2).all(|s| *s == 400), "{backend}: {statuses:?}");
        assert_eq!(count_declarations(&app).await, 20, "{backend}");

        // The same on the knowledge base and the AEO register, and in paths.
        let draft = json!({ "administration": "Customs\u{0}of X", "answers": [] });
        let (s, b) = app.post("/api/v1/knowledge/maturity", "test-member-1", &draft).await;
        assert_eq!((s, code(&b)), (400, Some("REQ_006")), "{backend}: {b}");
        let r = app
            .client
            .put(format!("{}/api/v1/risk/operators/{}/aeo", app.base, app.traders[0].id))
            .bearer_auth("test-admin")
            .json(&json!({ "reference": "DE\u{0}AEO" }))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 400, "{backend}");
        let (s, b) = app.get("/api/v1/accounts/DE%00X", Some(&app.officer_token)).await;
        assert_eq!((s, code(&b)), (400, Some("REQ_006")), "{backend}: {b}");
        let (s, b) = app.get("/api/v1/declarations?state=re%00fused", Some(&app.officer_token)).await;
        assert_eq!((s, code(&b)), (400, Some("REQ_006")), "{backend}: {b}");
    }
}

#[tokio::test]
async fn a_declaration_must_be_sent_as_json() {
    let db = sqlite_db();
    let app = spawn_app(&db.url).await;
    let body = serde_json::to_vec(&app.declaration(0, 1)).unwrap();
    let r = app
        .client
        .post(format!("{}/api/v1/declarations", app.base))
        .bearer_auth(&app.traders[0].token)
        .header("content-type", "text/plain")
        .body(body)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 415);
    let b: serde_json::Value = r.json().await.unwrap();
    assert_eq!(code(&b), Some("REQ_007"), "{b}");
    assert_eq!(count_declarations(&app).await, 0);
}

#[tokio::test]
async fn parameters_that_do_not_parse_get_a_coded_json_error() {
    let db = sqlite_db();
    let app = spawn_app(&db.url).await;
    for path in [
        "/api/v1/declarations?limit=abc",
        "/api/v1/knowledge/maturity/99999999999999999999999999",
        "/api/v1/knowledge/survey/abc",
        "/api/v1/notifications?after=x",
    ] {
        let r = app.client.get(format!("{}{path}", app.base)).bearer_auth(&app.officer_token).send().await.unwrap();
        let status = r.status().as_u16();
        assert!(r.headers()["content-type"].to_str().unwrap().starts_with("application/json"), "{path}");
        let b: serde_json::Value = r.json().await.unwrap();
        assert_eq!((status, code(&b)), (400, Some("REQ_004")), "{path}: {b}");
    }
}

#[tokio::test]
async fn amounts_are_bounded_and_deposits_name_known_traders() {
    for (backend, db) in all_dbs("money bounds").await {
        let app = spawn_app(&db.url).await;
        let trader = app.traders[0].id.clone();
        for (n, amount) in ["90000000000000000.00", "92233720368547758.07", "100000000000.01"].iter().enumerate() {
            let pay = json!({ "trader": trader, "amount": amount, "reference": format!("BIG-{n}") });
            let (s, b) = app.post("/api/v1/payments", "test-bank", &pay).await;
            assert_eq!((s, code(&b)), (422, Some("PAY_002")), "{backend} {amount}: {b}");
        }
        let (s, b) = app.post("/api/v1/account/refunds", &app.traders[0].token, &json!({ "amount": "1e30" })).await;
        assert_eq!(s, 422, "{backend}: {b}");

        let stranger = json!({ "trader": "ZZ999999999", "amount": "10.00", "reference": "STRANGER-1" });
        let (s, b) = app.post("/api/v1/payments", "test-bank", &stranger).await;
        assert_eq!((s, code(&b)), (422, Some("PAY_004")), "{backend}: {b}");
        let (s, _) = app.get("/api/v1/accounts/ZZ999999999", Some(&app.officer_token)).await;
        assert_eq!(s, 200, "{backend}: an unknown trader's account reads as empty");

        // The largest payment is accepted, and a second one still is: balances stay sound.
        for n in 0..2 {
            let pay = json!({ "trader": trader, "amount": "100000000000.00", "reference": format!("MAX-{n}") });
            let (s, b) = app.post("/api/v1/payments", "test-bank", &pay).await;
            assert_eq!(s, 201, "{backend}: {b}");
        }
        let (s, account) = app.get("/api/v1/account", Some(&app.traders[0].token)).await;
        assert_eq!(s, 200, "{backend}: {account}");
    }
}
