//! People sign in to server-side sessions; forms and scripts on a session carry its CSRF
//! token; requests from other sites are refused; failed sign-ins are limited; machines' API
//! tokens expire and are revoked on every server process.

use std::time::{Duration, Instant};

use serde_json::json;
use smartcustoms_http::identity::SessionConfig;
use smartcustoms_http::HttpConfig;
use smartcustoms_testkit::{all_dbs, another_server, spawn_app, spawn_app_with, sqlite_db, TestApp, TEST_PASSWORD};

fn code(body: &serde_json::Value) -> Option<&str> {
    body["error"]["code"].as_str()
}

pub(crate) fn no_redirect() -> reqwest::Client {
    reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap()
}

pub(crate) async fn sign_in_as(app: &TestApp, user: &str, password: &str) -> reqwest::Response {
    no_redirect()
        .post(format!("{}/login", app.base))
        .form(&[("username", user), ("password", password), ("next", "/knowledge/maturity")])
        .send()
        .await
        .unwrap()
}

/// Signs in and returns the `name=value` pair of the session cookie.
pub(crate) async fn session(app: &TestApp, user: &str) -> String {
    let r = sign_in_as(app, user, TEST_PASSWORD).await;
    assert_eq!(r.status(), 303, "{user}");
    let cookie = r.headers()["set-cookie"].to_str().unwrap().to_string();
    cookie.split(';').next().unwrap().to_string()
}

/// The CSRF token a page of the session carries in its forms.
async fn csrf_of(base: &str, cookie: &str) -> String {
    let page = reqwest::Client::new()
        .get(format!("{base}/knowledge/maturity/new"))
        .header("cookie", cookie)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let at = page.find("name=\"_csrf\" value=\"").expect("the page has a CSRF field") + 20;
    page[at..].split('"').next().unwrap().to_string()
}

async fn status_with_cookie(base: &str, path: &str, cookie: &str) -> u16 {
    reqwest::Client::new().get(format!("{base}{path}")).header("cookie", cookie).send().await.unwrap().status().as_u16()
}

#[tokio::test]
async fn signing_in_starts_a_server_side_session_that_sign_out_ends_on_every_process() {
    for (backend, db) in all_dbs("sessions").await {
        let app = spawn_app(&db.url).await;
        let other = another_server(&db.url).await;
        for (user, password) in [("test-member-1", "wrong password"), ("nobody", TEST_PASSWORD), ("", "")] {
            let r = sign_in_as(&app, user, password).await;
            assert_eq!(r.status(), 401, "{backend}: {user}");
            assert!(r.headers().get("set-cookie").is_none(), "{backend}: {user}");
        }
        let r = sign_in_as(&app, "test-member-1", TEST_PASSWORD).await;
        assert_eq!(r.status(), 303, "{backend}");
        assert_eq!(r.headers()["location"], "/knowledge/maturity");
        let set = r.headers()["set-cookie"].to_str().unwrap().to_string();
        assert!(set.starts_with("sc_session="), "{set}");
        assert!(set.contains("HttpOnly") && set.contains("SameSite=Lax") && !set.contains("Secure"), "{set}");
        let cookie = set.split(';').next().unwrap().to_string();
        assert!(!cookie.contains(TEST_PASSWORD) && !cookie.contains("test-member-1"), "the cookie is a random id");

        // The session works on both processes, for pages and for the API.
        assert_eq!(status_with_cookie(&app.base, "/api/v1/knowledge/survey", &cookie).await, 200, "{backend}");
        assert_eq!(status_with_cookie(&other, "/api/v1/knowledge/survey", &cookie).await, 200, "{backend}");

        // Sign-out needs the session's CSRF token, then ends the session everywhere.
        let csrf = csrf_of(&app.base, &cookie).await;
        let r = no_redirect().post(format!("{}/logout", app.base)).header("cookie", &cookie).send().await.unwrap();
        assert_eq!(r.status(), 403, "{backend}: sign-out without the token");
        assert_eq!(status_with_cookie(&other, "/api/v1/knowledge/survey", &cookie).await, 200, "{backend}");
        let r = no_redirect()
            .post(format!("{}/logout", app.base))
            .header("cookie", &cookie)
            .form(&[("_csrf", csrf.as_str())])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 303, "{backend}");
        assert!(r.headers()["set-cookie"].to_str().unwrap().contains("Max-Age=0"));
        for base in [&app.base, &other] {
            assert_eq!(status_with_cookie(base, "/api/v1/knowledge/survey", &cookie).await, 401, "{backend}: {base}");
        }

        // Both are in the audit log, whose chain still verifies.
        let entries = app.store.audit_page(0, 10_000).await.unwrap();
        let actions: Vec<&str> = entries.iter().map(|e| e.action.as_str()).collect();
        assert!(actions.contains(&"signed_in") && actions.contains(&"signed_out"), "{backend}: {actions:?}");
        assert!(smartcustoms_core::audit::verify(&entries).is_ok(), "{backend}");
    }
}

#[tokio::test]
async fn a_session_changes_nothing_without_its_csrf_token() {
    let db = sqlite_db();
    let app = spawn_app(&db.url).await;
    let cookie = session(&app, "test-member-1").await;
    let csrf = csrf_of(&app.base, &cookie).await;
    let assessment = json!({ "administration": "Customs of Examplestan", "answers": [] });
    let post = |token: Option<&str>| {
        let mut req = reqwest::Client::new()
            .post(format!("{}/api/v1/knowledge/maturity", app.base))
            .header("cookie", &cookie)
            .json(&assessment);
        if let Some(t) = token {
            req = req.header("x-csrf-token", t);
        }
        req.send()
    };
    for wrong in [None, Some("forged"), Some("")] {
        let r = post(wrong).await.unwrap();
        assert_eq!(r.status(), 403, "{wrong:?}");
        assert_eq!(code(&r.json().await.unwrap()), Some("AUTH_006"));
    }
    let (_, kept) = app.get("/api/v1/knowledge/maturity", Some("test-member-1")).await;
    assert_eq!(kept.as_array().map(Vec::len), Some(0), "nothing was kept");
    let r = post(Some(&csrf)).await.unwrap();
    assert_eq!(r.status(), 201);

    // The page form too: without the field the page says why and keeps nothing more.
    let r = no_redirect()
        .post(format!("{}/knowledge/maturity", app.base))
        .header("cookie", &cookie)
        .form(&[("administration", "Customs of Sampleland")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403);
    assert!(r.text().await.unwrap().contains("AUTH_006"));
    let (_, kept) = app.get("/api/v1/knowledge/maturity", Some("test-member-1")).await;
    assert_eq!(kept.as_array().map(Vec::len), Some(1));

    // A bearer token needs no CSRF token: a browser never sends it on its own.
    let (s, _) = app.post("/api/v1/knowledge/maturity", "test-member-1", &assessment).await;
    assert_eq!(s, 201);
}

#[tokio::test]
async fn requests_from_another_site_are_refused() {
    let db = sqlite_db();
    let app = spawn_app(&db.url).await;
    let cookie = session(&app, "test-member-1").await;
    let csrf = csrf_of(&app.base, &cookie).await;
    let host = app.base.trim_start_matches("http://").to_string();
    for (header, value) in [("origin", "http://evil.example".to_string()), ("sec-fetch-site", "cross-site".into())] {
        let r = no_redirect()
            .post(format!("{}/logout", app.base))
            .header("cookie", &cookie)
            .header(header, &value)
            .form(&[("_csrf", csrf.as_str())])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 403, "{header}: {value}");
        assert_eq!(code(&r.json().await.unwrap()), Some("AUTH_007"));
        assert_eq!(status_with_cookie(&app.base, "/api/v1/knowledge/survey", &cookie).await, 200, "still signed in");
    }
    // The site's own pages send their own origin.
    let r = no_redirect()
        .post(format!("{}/logout", app.base))
        .header("cookie", &cookie)
        .header("origin", format!("http://{host}"))
        .header("sec-fetch-site", "same-origin")
        .form(&[("_csrf", csrf.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
}

#[tokio::test]
async fn the_demo_lists_its_sign_ins_and_a_real_deployment_does_not() {
    let db = sqlite_db();
    let demo = smartcustoms_http::DemoSignIns {
        password: TEST_PASSWORD.into(),
        users: vec![("test-officer".into(), "Test officer (officer)".into())],
    };
    let app = spawn_app_with(&db.url, HttpConfig { demo_sign_ins: Some(demo), ..HttpConfig::default() }).await;
    let page = reqwest::get(format!("{}/login", app.base)).await.unwrap().text().await.unwrap();
    assert!(page.contains("id=\"demo-sign-ins\""), "{page}");
    assert!(page.contains("<code>test-officer</code>") && page.contains("Test officer (officer)"), "{page}");
    assert!(page.contains(&format!("<code>{TEST_PASSWORD}</code>")), "{page}");
    // A listed sign-in works as shown.
    assert_eq!(sign_in_as(&app, "test-officer", TEST_PASSWORD).await.status(), 303);

    let other = sqlite_db();
    let plain = spawn_app(&other.url).await;
    let page = reqwest::get(format!("{}/login", plain.base)).await.unwrap().text().await.unwrap();
    assert!(page.contains("id=\"username\""), "{page}");
    assert!(!page.contains("demo-sign-ins") && !page.contains(TEST_PASSWORD), "{page}");
}

#[tokio::test]
async fn failed_sign_ins_are_limited_per_account() {
    let db = sqlite_db();
    let app = spawn_app(&db.url).await;
    for attempt in 0..smartcustoms_http::identity::SIGN_IN_LIMIT_PER_USER {
        assert_eq!(sign_in_as(&app, "test-officer", "guess").await.status(), 401, "attempt {attempt}");
    }
    // Now even the right password is not checked.
    let r = sign_in_as(&app, "test-officer", TEST_PASSWORD).await;
    assert_eq!(r.status(), 429);
    assert!(r.headers().get("retry-after").is_some());
    assert!(r.headers().get("set-cookie").is_none());
    assert!(r.text().await.unwrap().contains("too many failed sign-ins"));
    // Another account is not held back by it.
    assert_eq!(sign_in_as(&app, "test-analyst", TEST_PASSWORD).await.status(), 303);
}

#[tokio::test]
async fn a_session_ends_when_idle() {
    let db = sqlite_db();
    let sessions = SessionConfig { idle: Duration::from_millis(700), ..SessionConfig::default() };
    let app = spawn_app_with(&db.url, HttpConfig { sessions, ..HttpConfig::default() }).await;
    let cookie = session(&app, "test-member-1").await;
    assert_eq!(status_with_cookie(&app.base, "/api/v1/knowledge/survey", &cookie).await, 200);
    tokio::time::sleep(Duration::from_millis(900)).await;
    assert_eq!(status_with_cookie(&app.base, "/api/v1/knowledge/survey", &cookie).await, 401);
}

/// Polls until `token` is refused on `base`; returns how long it took.
async fn refused_within(base: &str, token: &str, limit: Duration) -> Option<Duration> {
    let started = Instant::now();
    while started.elapsed() < limit {
        let r = reqwest::Client::new().get(format!("{base}/api/v1/knowledge/survey")).bearer_auth(token).send().await;
        if r.unwrap().status() == 401 {
            return Some(started.elapsed());
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    None
}

#[tokio::test]
async fn administrators_issue_and_revoke_tokens_that_stop_working_on_every_process() {
    for (backend, db) in all_dbs("tokens").await {
        let app = spawn_app(&db.url).await;
        let other = another_server(&db.url).await;
        let request = json!({ "name": "Examplestan liaison", "role": "member" });
        let (s, b) = app.post("/api/v1/tokens", "test-officer", &request).await;
        assert_eq!((s, code(&b)), (403, Some("AUTH_003")), "{backend}");
        let (s, b) = app.post("/api/v1/tokens", "test-admin", &json!({ "name": "x", "role": "trader" })).await;
        assert_eq!((s, code(&b)), (400, Some("REQ_004")), "{backend}: a trader token needs its party: {b}");
        let (s, issued) = app.post("/api/v1/tokens", "test-admin", &request).await;
        assert_eq!(s, 201, "{backend}: {issued}");
        let (id, token) = (issued["id"].as_str().unwrap(), issued["token"].as_str().unwrap());
        for base in [&app.base, &other] {
            let r = reqwest::Client::new().get(format!("{base}/api/v1/knowledge/survey")).bearer_auth(token).send();
            assert_eq!(r.await.unwrap().status(), 200, "{backend}");
        }
        let (_, listed) = app.get("/api/v1/tokens", Some("test-admin")).await;
        let listed = listed.to_string();
        assert!(listed.contains(id) && !listed.contains(token), "{backend}: the list never shows a token");

        let r = reqwest::Client::new()
            .delete(format!("{}/api/v1/tokens/{id}", app.base))
            .bearer_auth("test-admin")
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 204, "{backend}");
        assert!(
            refused_within(&app.base, token, Duration::from_millis(100)).await.is_some(),
            "{backend}: at once here"
        );
        let there = refused_within(&other, token, Duration::from_secs(8)).await;
        assert!(there.is_some(), "{backend}: the other process stops accepting it within seconds");
        let r = reqwest::Client::new()
            .delete(format!("{}/api/v1/tokens/unknown", app.base))
            .bearer_auth("test-admin")
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 404, "{backend}");

        // An expiring token stops by itself.
        let soon = (chrono::Utc::now() + chrono::Duration::seconds(1)).to_rfc3339();
        let (s, issued) = app
            .post("/api/v1/tokens", "test-admin", &json!({ "name": "short", "role": "member", "expires_at": soon }))
            .await;
        assert_eq!(s, 201, "{backend}");
        let token = issued["token"].as_str().unwrap();
        assert!(refused_within(&app.base, token, Duration::from_secs(8)).await.is_some(), "{backend}: expired");
        let past = json!({ "name": "late", "role": "member", "expires_at": "2020-01-01T00:00:00Z" });
        let (s, b) = app.post("/api/v1/tokens", "test-admin", &past).await;
        assert_eq!((s, code(&b)), (400, Some("REQ_004")), "{backend}");

        let entries = app.store.audit_page(0, 10_000).await.unwrap();
        let actions: Vec<&str> = entries.iter().map(|e| e.action.as_str()).collect();
        assert!(actions.contains(&"token_issued") && actions.contains(&"token_revoked"), "{backend}");
    }
}
