//! Bad input gets a precise, coded error and nothing is recorded.

use smartcustoms_http::HttpConfig;
use smartcustoms_testkit::{spawn_app, spawn_app_with, sqlite_db, TestApp};

async fn post(app: &TestApp, body: &str) -> (u16, serde_json::Value) {
    let r = app.file_raw(0, body.as_bytes().to_vec(), Some(&app.traders[0].key.clone()), None).await;
    (r.status().as_u16(), r.json().await.unwrap_or_default())
}

async fn nothing_recorded(app: &TestApp) {
    let (_, list) = app.get("/api/v1/declarations", Some(&app.officer_token)).await;
    assert!(list.as_array().unwrap().is_empty(), "nothing may be recorded: {list}");
}

#[tokio::test]
async fn malformed_json_and_wrong_types_are_refused_with_the_path() {
    let db = sqlite_db();
    let app = spawn_app(&db.url).await;
    let (s, b) = post(&app, "{\"declaration_type\": \"IM\",").await;
    assert_eq!((s, b["error"]["code"].as_str()), (400, Some("REQ_001")));
    let (s, b) = post(&app, "{\"items\": [{\"net_mass\": \"heavy\"}]}").await;
    assert_eq!((s, b["error"]["code"].as_str()), (422, Some("REQ_002")));
    assert_eq!(b["error"]["details"]["path"], "$.items[0].net_mass");
    let (s, b) = post(&app, "{\"items\": [{\"sequence\": -1}]}").await;
    assert_eq!((s, b["error"]["code"].as_str()), (422, Some("REQ_002")));
    let (s, b) = post(&app, "{\"unknown_field\": 1}").await;
    assert_eq!((s, b["error"]["code"].as_str()), (422, Some("REQ_002")));
    let (s, _) = post(&app, "[]").await;
    assert_eq!(s, 422);
    nothing_recorded(&app).await;
}

#[tokio::test]
async fn oversized_bodies_are_refused_before_parsing() {
    let db = sqlite_db();
    let app = spawn_app_with(&db.url, HttpConfig { body_limit: 4096, ..HttpConfig::default() }).await;
    let big = format!("{{\"office\": \"{}\"}}", "A".repeat(10_000));
    let (s, b) = post(&app, &big).await;
    assert_eq!((s, b["error"]["code"].as_str()), (413, Some("REQ_003")));
    nothing_recorded(&app).await;
}

#[tokio::test]
async fn unknown_codes_absurd_quantities_and_unknown_hs_codes_are_refused_by_rule() {
    let db = sqlite_db();
    let app = spawn_app(&db.url).await;
    let mut doc = app.declaration(0, 21);
    let item = &mut doc.items.as_mut().unwrap()[0];
    item.commodity_code = Some("123456".into());
    item.quantity = Some(rust_decimal::Decimal::from(-3));
    item.origin = Some("XX".into());
    item.net_mass = Some(rust_decimal::Decimal::from(900_000_000));
    doc.transport.as_mut().unwrap().mode = Some("6".into());
    let (status, body) = app.file(0, &doc).await;
    assert_eq!(status, 201);
    assert_eq!(body["state"], "refused");
    let paths: Vec<String> =
        body["reasons"].as_array().unwrap().iter().map(|r| r["path"].as_str().unwrap_or("").to_string()).collect();
    for p in [
        "$.items[0].commodity_code",
        "$.items[0].quantity",
        "$.items[0].origin",
        "$.items[0].net_mass",
        "$.transport.mode",
    ] {
        assert!(paths.iter().any(|x| x == p), "{p} missing from {paths:?}");
    }
}

#[tokio::test]
async fn bad_parameters_and_unknown_routes_have_codes() {
    let db = sqlite_db();
    let app = spawn_app(&db.url).await;
    let t = Some(app.traders[0].token.as_str());
    let (s, b) = app.get("/api/v1/declarations/not-a-uuid", t).await;
    assert_eq!((s, b["error"]["code"].as_str()), (400, Some("REQ_004")));
    let (s, b) = app.get("/api/v1/declarations?limit=0", t).await;
    assert_eq!((s, b["error"]["code"].as_str()), (400, Some("REQ_004")));
    let (s, b) = app.get("/api/v1/declarations?state=lost", t).await;
    assert_eq!((s, b["error"]["code"].as_str()), (400, Some("REQ_004")));
    let (s, b) = app.get("/api/v1/declarations/01900000-0000-7000-8000-000000000000", t).await;
    assert_eq!((s, b["error"]["code"].as_str()), (404, Some("RES_001")));
    let (s, b) = app.get("/nowhere", None).await;
    assert_eq!((s, b["error"]["code"].as_str()), (404, Some("RES_001")));
}

#[tokio::test]
async fn health_and_the_openapi_document_are_served() {
    let db = sqlite_db();
    let app = spawn_app(&db.url).await;
    let (s, h) = app.get("/health", None).await;
    assert_eq!((s, h["database"].as_str()), (200, Some("ok")));
    let (s, doc) = app.get("/api/v1/openapi.json", None).await;
    assert_eq!(s, 200);
    assert!(doc["paths"]["/api/v1/declarations"]["post"].is_object());
    assert!(doc["components"]["schemas"]["DeclarationDoc"].is_object());
}

#[test]
fn the_openapi_document_lists_the_codes_the_server_sends_and_the_errors_it_answers() {
    let doc = serde_json::to_value(smartcustoms_http::openapi::document()).unwrap();
    let schemas = &doc["components"]["schemas"];
    for (schema, code) in [
        ("Status", "partial"),
        ("Group", "automation"),
        ("SurveyTechnology", "ai_ml"),
        ("Adoption", "not_considered"),
        ("Benefit", "cost_savings"),
        ("StakeholderGroup", "customs_administration"),
    ] {
        let values: Vec<&str> =
            schemas[schema]["enum"].as_array().unwrap().iter().map(|v| v.as_str().unwrap()).collect();
        assert!(values.contains(&code), "{schema}: {values:?}");
        assert!(values.iter().all(|v| !v.chars().next().unwrap().is_uppercase()), "{schema}: {values:?}");
    }
    for (path, item) in doc["paths"].as_object().unwrap() {
        for (method, op) in item.as_object().unwrap() {
            let responses = &op["responses"];
            assert!(responses["400"].is_object() && responses["503"].is_object(), "{method} {path}");
            if op["security"].as_array().is_some_and(|s| !s.is_empty()) {
                assert!(responses["401"].is_object() && responses["403"].is_object(), "{method} {path}");
            }
        }
    }
}

/// A reason and a finding describe their values by name: `args`, an object of strings that may
/// be left out.
#[test]
fn the_openapi_document_describes_the_values_of_a_reason() {
    let doc = serde_json::to_value(smartcustoms_http::openapi::document()).unwrap();
    for schema in ["Reason", "Finding"] {
        let schema = &doc["components"]["schemas"][schema];
        let args = &schema["properties"]["args"];
        assert_eq!(args["type"], "object", "{schema}");
        assert_eq!(args["additionalProperties"]["type"], "string", "{schema}");
        let required = schema["required"].as_array().unwrap();
        assert!(required.iter().any(|r| r == "message") && !required.iter().any(|r| r == "args"), "{schema}");
    }
}

#[tokio::test]
async fn a_page_address_that_does_not_parse_gets_an_error_page() {
    let db = sqlite_db();
    let app = spawn_app(&db.url).await;
    let r = app.client.get(format!("{}/knowledge/maturity/99999999999999999999999", app.base)).send().await.unwrap();
    assert_eq!(r.status(), 400);
    assert!(r.headers()["content-type"].to_str().unwrap().starts_with("text/html"));
    assert!(r.text().await.unwrap().contains("REQ_004"));
}

#[test]
fn every_api_error_code_is_documented_once() {
    let docs = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../../docs/errors.md")).unwrap();
    let mut seen = std::collections::HashSet::new();
    for kind in smartcustoms_http::error::ErrorKind::ALL {
        assert!(seen.insert(kind.code()), "code {} used twice", kind.code());
    }
    let table = smartcustoms_http::error::markdown_table();
    assert!(
        docs.contains(&table),
        "the API error table of docs/errors.md differs from the code; it should read:\n{table}"
    );
    for code in ["SIG_001", "SIG_002", "SIG_003", "SIG_004", "SIG_005"] {
        assert!(docs.contains(code), "docs/errors.md lacks {code}");
    }
}

#[tokio::test]
async fn every_response_forbids_framing_sniffing_and_foreign_scripts() {
    let db = sqlite_db();
    let app = spawn_app(&db.url).await;
    for path in ["/health", "/knowledge", "/login", "/nowhere"] {
        let r = reqwest::get(format!("{}{path}", app.base)).await.unwrap();
        let h = r.headers();
        assert_eq!(h["x-frame-options"], "DENY", "{path}");
        assert_eq!(h["x-content-type-options"], "nosniff", "{path}");
        let csp = h["content-security-policy"].to_str().unwrap();
        assert!(csp.contains("frame-ancestors 'none'") && csp.contains("script-src 'none'"), "{path}: {csp}");
    }
}

#[tokio::test]
async fn only_the_console_and_the_api_reference_run_this_sites_scripts_and_never_inline_ones() {
    let db = sqlite_db();
    let app = spawn_app(&db.url).await;
    let client = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap();
    for path in ["/console/queue", "/console/dashboard", "/static/live.js", "/api/docs/"] {
        let r = client.get(format!("{}{path}", app.base)).send().await.unwrap();
        let csp = r.headers()["content-security-policy"].to_str().unwrap().to_string();
        assert!(csp.contains("script-src 'self';") && csp.contains("frame-ancestors 'none'"), "{path}: {csp}");
        assert!(!csp.contains("unsafe-eval"), "{path}: {csp}");
        let script_src = csp.split(';').find(|d| d.trim().starts_with("script-src")).unwrap();
        assert!(!script_src.contains("unsafe-inline"), "{path}: {csp}");
    }
    let r = reqwest::get(format!("{}/static/live.js", app.base)).await.unwrap();
    assert_eq!(r.headers()["content-type"], "text/javascript; charset=utf-8");
    assert!(r.text().await.unwrap().contains("new EventSource('/api/v1/events')"));
}

#[tokio::test]
async fn sign_in_follows_only_paths_of_this_site() {
    let db = sqlite_db();
    let app = spawn_app(&db.url).await;
    let client = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap();
    for next in ["/\t/evil.example", "/\n/evil.example", "/\\evil.example"] {
        let r = client
            .post(format!("{}/login", app.base))
            .form(&[("username", "test-officer"), ("password", smartcustoms_testkit::TEST_PASSWORD), ("next", next)])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 303, "{next:?}");
        assert_eq!(r.headers()["location"], "/knowledge", "{next:?}");
    }
}
