//! The administration API: an administration's identity management adds people with a role,
//! lists them page by page and disables them (their sessions and tokens stop at once), and
//! creates or renames customs offices; every bad input has its code and names its field, and
//! nobody but an administrator may do any of it.

use serde_json::{json, Value};
use smartcustoms_core::audit::Action;
use smartcustoms_testkit::{all_dbs, spawn_app, TestApp};

use crate::declaration_page::{csrf_in, page};
use crate::sessions::session;

fn code(body: &Value) -> &str {
    body["error"]["code"].as_str().unwrap_or("")
}

/// POST without a body, with a token if any: status and JSON.
async fn post_empty(app: &TestApp, path: &str, token: Option<&str>) -> (u16, Value) {
    let mut req = app.client.post(format!("{}{path}", app.base));
    if let Some(t) = token {
        req = req.bearer_auth(t);
    }
    let r = req.send().await.unwrap();
    (r.status().as_u16(), r.json().await.unwrap_or(Value::Null))
}

/// GET with a session cookie: the status.
async fn get_with_cookie(app: &TestApp, path: &str, cookie: &str) -> u16 {
    app.client.get(format!("{}{path}", app.base)).header("cookie", cookie).send().await.unwrap().status().as_u16()
}

fn person(name: &str, role: &str, organisation: Option<&str>) -> Value {
    json!({
        "name": name, "display_name": "Nadia Petrova", "password": "a long first password",
        "role": role, "organisation": organisation,
    })
}

#[tokio::test]
async fn an_administration_adds_lists_and_disables_people_by_machine() {
    for (backend, db) in all_dbs("people_api").await {
        let app = spawn_app(&db.url).await;

        // Added: 201 with the person, never the password; it signs in at once.
        let (s, added) = app.post("/api/v1/people", "test-admin", &person("n.petrova", "officer", None)).await;
        assert_eq!(s, 201, "{backend}: {added}");
        assert_eq!(added["name"], "n.petrova", "{backend}");
        assert_eq!(added["display_name"], "Nadia Petrova", "{backend}");
        assert_eq!(added["role"], "officer", "{backend}");
        assert_eq!(added["organisation"], Value::Null, "{backend}");
        assert_eq!(added["disabled"], false, "{backend}");
        assert!(added["created_at_us"].as_i64().unwrap() > 0, "{backend}");
        let text = added.to_string();
        assert!(!text.contains("a long first password") && !text.contains("argon2"), "{backend}: {text}");
        let (s, trader) =
            app.post("/api/v1/people", "test-admin", &person("acme.clerk", "trader", Some("DE123456789012345"))).await;
        assert_eq!(s, 201, "{backend}: {trader}");
        assert_eq!(trader["organisation"], "DE123456789012345", "{backend}");
        let cookie = session_of(&app, "n.petrova", "a long first password").await;
        assert_eq!(get_with_cookie(&app, "/api/v1/work-queue", &cookie).await, 200, "{backend}");

        // Listed by name, page by page, the added ones among the seeded users.
        let (s, all) = app.get("/api/v1/people?limit=500", Some("test-admin")).await;
        assert_eq!(s, 200, "{backend}: {all}");
        let names: Vec<&str> = all.as_array().unwrap().iter().map(|p| p["name"].as_str().unwrap()).collect();
        assert!(names.contains(&"n.petrova") && names.contains(&"acme.clerk") && names.contains(&"test-admin"));
        assert!(all.as_array().unwrap().iter().all(|p| p.get("password_hash").is_none()), "{backend}");
        let clerk = all.as_array().unwrap().iter().find(|p| p["name"] == "acme.clerk").unwrap();
        assert_eq!(
            (clerk["role"].as_str(), clerk["organisation"].as_str()),
            (Some("trader"), Some("DE123456789012345"))
        );
        let mut paged = Vec::new();
        let mut after = String::new();
        loop {
            let (s, page) = app.get(&format!("/api/v1/people?limit=3&after={after}"), Some("test-admin")).await;
            assert_eq!(s, 200, "{backend}: {page}");
            let page = page.as_array().unwrap().clone();
            assert!(page.len() <= 3, "{backend}");
            let Some(last) = page.last() else { break };
            after = last["name"].as_str().unwrap().to_string();
            paged.extend(page.iter().map(|p| p["name"].as_str().unwrap().to_string()));
        }
        assert_eq!(paged, names, "{backend}: the pages make up the whole list, in order");
        for bad in ["0", "501", "x"] {
            let (s, body) = app.get(&format!("/api/v1/people?limit={bad}"), Some("test-admin")).await;
            assert_eq!((s, code(&body)), (400, "REQ_004"), "{backend}: limit {bad}");
        }

        // Disabled: listed as such; its session and a token issued in its name stop at once.
        let (s, issued) =
            app.post("/api/v1/tokens", "test-admin", &json!({"name": "n.petrova", "role": "officer"})).await;
        assert_eq!(s, 201, "{backend}: {issued}");
        let token = issued["token"].as_str().unwrap().to_string();
        assert_eq!(app.get("/api/v1/work-queue", Some(&token)).await.0, 200, "{backend}");
        let (s, disabled) = post_empty(&app, "/api/v1/people/n.petrova/disable", Some("test-admin")).await;
        assert_eq!(s, 200, "{backend}: {disabled}");
        assert_eq!(disabled["disabled"], true, "{backend}");
        assert!(disabled["disabled_at_us"].as_i64().unwrap() > 0, "{backend}");
        assert_eq!(get_with_cookie(&app, "/api/v1/work-queue", &cookie).await, 401, "{backend}: the session ended");
        let (s, body) = app.get("/api/v1/work-queue", Some(&token)).await;
        assert_eq!((s, code(&body)), (401, "AUTH_002"), "{backend}: the token stopped");
        assert_ne!(sign_in_status(&app, "n.petrova", "a long first password").await, 303, "{backend}");
        let (_, all) = app.get("/api/v1/people", Some("test-admin")).await;
        let petrova = all.as_array().unwrap().iter().find(|p| p["name"] == "n.petrova").unwrap();
        assert_eq!(petrova["disabled"], true, "{backend}");
        assert_eq!(app.get("/api/v1/work-queue", Some("test-officer")).await.0, 200, "{backend}: others go on");

        // Each change is in the audit log with the administrator's name.
        let audit = app.store.audit_page(0, 10_000).await.unwrap();
        let by_admin = |action: Action| {
            audit.iter().any(|e| e.action == action && e.actor == "test-admin" && e.details.contains("n.petrova"))
        };
        assert!(by_admin(Action::UserAdded) && by_admin(Action::UserDisabled), "{backend}");
    }
}

#[tokio::test]
async fn every_bad_person_has_its_code_and_field_and_only_administrators_may_act() {
    for (backend, db) in all_dbs("people_api_refusals").await {
        let app = spawn_app(&db.url).await;
        let add = |body: Value| {
            let app = &app;
            async move { app.post("/api/v1/people", "test-admin", &body).await }
        };
        let with = |field: &str, value: Value| {
            let mut body = person("n.petrova", "officer", None);
            body[field] = value;
            body
        };
        for (body, field) in [
            (with("name", json!("NP")), "name"),
            (with("name", json!("nadia petrova")), "name"),
            (with("display_name", json!("  ")), "display_name"),
            (with("password", json!("short")), "password"),
            (with("role", json!("emperor")), "role"),
            (person("n.petrova", "trader", None), "organisation"),
            (person("n.petrova", "officer", Some("DE123456789012345")), "organisation"),
        ] {
            let (s, e) = add(body.clone()).await;
            assert_eq!((s, code(&e)), (422, "ADM_001"), "{backend}: {body}: {e}");
            assert_eq!(e["error"]["details"]["field"], field, "{backend}: {body}");
        }
        let mut missing = person("n.petrova", "officer", None);
        missing.as_object_mut().unwrap().remove("password");
        let (s, e) = add(missing).await;
        assert_eq!((s, code(&e)), (422, "REQ_002"), "{backend}: {e}");
        assert!(e["error"]["message"].as_str().unwrap().contains("password"), "{backend}: {e}");
        let (s, e) = add(with("colour", json!("blue"))).await;
        assert_eq!((s, code(&e)), (422, "REQ_002"), "{backend}: an unknown field: {e}");
        assert_eq!(
            app.get("/api/v1/people", Some("test-admin")).await.1.as_array().unwrap().len(),
            14,
            "{backend}: the seeded people; none of the refused ones"
        );

        // A taken name: 409, nothing changed.
        assert_eq!(add(person("n.petrova", "officer", None)).await.0, 201, "{backend}");
        let (s, e) = add(person("n.petrova", "analyst", None)).await;
        assert_eq!((s, code(&e)), (409, "RES_002"), "{backend}: {e}");
        let (s, e) = add(person("test-officer", "admin", None)).await;
        assert_eq!((s, code(&e)), (409, "RES_002"), "{backend}: {e}");
        let (_, all) = app.get("/api/v1/people", Some("test-admin")).await;
        let officer = all.as_array().unwrap().iter().find(|p| p["name"] == "test-officer").unwrap();
        assert_eq!(officer["role"], "officer", "{backend}: the seeded user is untouched");

        // Disabling oneself, or nobody.
        let (s, e) = post_empty(&app, "/api/v1/people/test-admin/disable", Some("test-admin")).await;
        assert_eq!((s, code(&e)), (422, "ADM_001"), "{backend}: {e}");
        assert_eq!(e["error"]["details"]["field"], "name", "{backend}");
        let (s, e) = post_empty(&app, "/api/v1/people/nobody/disable", Some("test-admin")).await;
        assert_eq!((s, code(&e)), (404, "RES_001"), "{backend}: {e}");

        // Other roles: 403; no token: 401; a session without its CSRF token: 403.
        for token in ["test-officer", "test-supervisor", "test-analyst", "test-trader-1", "test-bank", "test-member-1"]
        {
            let (s, e) = app.get("/api/v1/people", Some(token)).await;
            assert_eq!((s, code(&e)), (403, "AUTH_003"), "{backend}: {token}");
            let (s, e) = app.post("/api/v1/people", token, &person("x.intruder", "admin", None)).await;
            assert_eq!((s, code(&e)), (403, "AUTH_003"), "{backend}: {token}");
            let (s, e) = app.post("/api/v1/people", token, &with("role", json!("emperor"))).await;
            assert_eq!((s, code(&e)), (403, "AUTH_003"), "{backend}: {token}: refused before the body is judged");
            let (s, e) = post_empty(&app, "/api/v1/people/n.petrova/disable", Some(token)).await;
            assert_eq!((s, code(&e)), (403, "AUTH_003"), "{backend}: {token}");
            let (s, e) = app.put("/api/v1/offices/DE00AIR1", token, &json!({"name": "Airport"})).await;
            assert_eq!((s, code(&e)), (403, "AUTH_003"), "{backend}: {token}");
        }
        let (s, e) = app.get("/api/v1/people", None).await;
        assert_eq!((s, code(&e)), (401, "AUTH_001"), "{backend}");
        let r = app.client.post(format!("{}/api/v1/people", app.base)).json(&person("x", "admin", None)).send().await;
        assert_eq!(r.unwrap().status(), 401, "{backend}");
        assert_eq!(post_empty(&app, "/api/v1/people/n.petrova/disable", None).await.0, 401, "{backend}");
        let r =
            app.client.put(format!("{}/api/v1/offices/DE00AIR1", app.base)).json(&json!({"name": "A"})).send().await;
        assert_eq!(r.unwrap().status(), 401, "{backend}");
        assert_eq!(app.get("/api/v1/offices", None).await.0, 401, "{backend}");
        let admin = session(&app, "test-admin").await;
        let post = |csrf: Option<String>| {
            let mut req = app
                .client
                .post(format!("{}/api/v1/people", app.base))
                .header("cookie", &admin)
                .json(&person("s.ivanova", "analyst", None));
            if let Some(csrf) = csrf {
                req = req.header("x-csrf-token", csrf);
            }
            req.send()
        };
        let r = post(None).await.unwrap();
        assert_eq!(r.status(), 403, "{backend}");
        assert_eq!(code(&r.json().await.unwrap()), "AUTH_006", "{backend}");
        let csrf = csrf_in(&page(&app, "/console/admin", &admin).await.1);
        assert_eq!(post(Some(csrf)).await.unwrap().status(), 201, "{backend}: with the session's CSRF token");
        let (_, all) = app.get("/api/v1/people", Some("test-admin")).await;
        assert!(!all.as_array().unwrap().iter().any(|p| p["name"] == "x.intruder"), "{backend}: nothing was added");
        let petrova = all.as_array().unwrap().iter().find(|p| p["name"] == "n.petrova").unwrap();
        assert_eq!(petrova["disabled"], false, "{backend}: nobody else disabled it");
    }
}

#[tokio::test]
async fn an_administrator_creates_and_renames_customs_offices_in_force_at_once() {
    for (backend, db) in all_dbs("offices_api").await {
        let app = spawn_app(&db.url).await;
        let (s, offices) = app.get("/api/v1/offices", Some("test-trader-1")).await;
        assert_eq!(s, 200, "{backend}: anyone signed in reads them");
        let before = offices.as_array().unwrap().len();
        assert!(before > 0, "{backend}: the seeded offices");

        let (s, office) = app.put("/api/v1/offices/DE00AIR1", "test-admin", &json!({"name": "Airport office"})).await;
        assert_eq!(s, 200, "{backend}: {office}");
        assert_eq!(office, json!({"code": "DE00AIR1", "name": "Airport office"}), "{backend}");
        let (s, office) = app.put("/api/v1/offices/DE00AIR1", "test-admin", &json!({"name": "Airport, cargo"})).await;
        assert_eq!((s, office["name"].as_str()), (200, Some("Airport, cargo")), "{backend}");
        let (_, offices) = app.get("/api/v1/offices", Some("test-officer")).await;
        let offices = offices.as_array().unwrap();
        assert_eq!(offices.len(), before + 1, "{backend}: renamed, not added twice");
        let air: Vec<&Value> = offices.iter().filter(|o| o["code"] == "DE00AIR1").collect();
        assert_eq!(air, [&json!({"code": "DE00AIR1", "name": "Airport, cargo"})], "{backend}");
        assert!(
            app.state.reference().offices.iter().any(|c| c.as_str() == "DE00AIR1"),
            "{backend}: in force for the next declaration"
        );
        let saved: Vec<Value> = app
            .store
            .audit_page(0, 10_000)
            .await
            .unwrap()
            .iter()
            .filter(|e| e.action == smartcustoms_core::audit::Action::OfficeSaved && e.actor == "test-admin")
            .map(|e| serde_json::from_str(&e.details).unwrap())
            .collect();
        assert_eq!(
            saved,
            [
                json!({"office": "DE00AIR1", "name": "Airport office", "previous_name": null}),
                json!({"office": "DE00AIR1", "name": "Airport, cargo", "previous_name": "Airport office"})
            ],
            "{backend}: each change audited with the administrator's name"
        );

        for (path, body, field) in [
            ("/api/v1/offices/air", json!({"name": "Airport"}), "code"),
            ("/api/v1/offices/DE00AIR12", json!({"name": "Airport"}), "code"),
            ("/api/v1/offices/DE00AIR2", json!({"name": " "}), "name"),
            ("/api/v1/offices/DE00AIR2", json!({"name": "x".repeat(201)}), "name"),
        ] {
            let (s, e) = app.put(path, "test-admin", &body).await;
            assert_eq!((s, code(&e)), (422, "ADM_001"), "{backend}: {path} {body}: {e}");
            assert_eq!(e["error"]["details"]["field"], field, "{backend}: {path}");
        }
        let (s, e) = app.put("/api/v1/offices/DE00AIR2", "test-admin", &json!({})).await;
        assert_eq!((s, code(&e)), (422, "REQ_002"), "{backend}: {e}");
        assert_eq!(app.get("/api/v1/offices", Some("test-admin")).await.1.as_array().unwrap().len(), before + 1);
    }
}

/// Signs in with a password and returns the session cookie.
async fn session_of(app: &TestApp, user: &str, password: &str) -> String {
    let r = crate::sessions::sign_in_as(app, user, password).await;
    assert_eq!(r.status(), 303, "{user}");
    r.headers()["set-cookie"].to_str().unwrap().split(';').next().unwrap().to_string()
}

async fn sign_in_status(app: &TestApp, user: &str, password: &str) -> u16 {
    crate::sessions::sign_in_as(app, user, password).await.status().as_u16()
}
