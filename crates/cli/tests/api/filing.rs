//! Filing declarations: registration, lanes, release, refusals, idempotency, events.

use smartcustoms_testkit::{all_dbs, spawn_app};

#[tokio::test]
async fn a_valid_signed_declaration_is_registered_assessed_and_released_or_sent_to_a_lane() {
    for (backend, db) in all_dbs("filing").await {
        let app = spawn_app(&db.url).await;
        let (status, body) = app.file(0, &app.declaration(0, 7)).await;
        assert_eq!(status, 201, "{backend}: {body}");
        let number = body["registration_number"].as_str().unwrap();
        let office = number.split('/').next().unwrap();
        assert!(app.world.offices.iter().any(|o| o.as_str() == office), "{backend}: {number}");
        assert_eq!(number.split('/').nth(2).map(str::len), Some(7));
        let lane = body["lane"].as_str().unwrap();
        let state = body["state"].as_str().unwrap();
        match lane {
            "green" | "blue" => {
                assert_eq!(state, "released");
                assert_eq!(body["release_document"].as_str(), Some(format!("R{number}").as_str()));
            }
            _ => assert_eq!(state, "under_control"),
        }
        // The trader reads it back, with its events in workflow order.
        let id = body["id"].as_str().unwrap();
        let (s, detail) = app.get(&format!("/api/v1/declarations/{id}"), Some(&app.traders[0].token)).await;
        assert_eq!(s, 200);
        assert_eq!(detail["registration_number"].as_str(), Some(number));
        assert_eq!(detail["document"]["procedure_code"].as_str(), Some("4000"));
        let (_, events) = app.get(&format!("/api/v1/declarations/{id}/events"), Some(&app.traders[0].token)).await;
        let actions: Vec<&str> = events.as_array().unwrap().iter().map(|e| e["action"].as_str().unwrap()).collect();
        assert_eq!(&actions[..3], ["submitted", "registered", "lane_assigned"], "{backend}");
    }
}

#[tokio::test]
async fn many_declarations_flow_to_lanes_with_unique_numbers_and_a_warehouse_is_notified() {
    for (backend, db) in all_dbs("lanes").await {
        let app = spawn_app(&db.url).await;
        let mut tasks = Vec::new();
        let app = std::sync::Arc::new(app);
        for i in 0..60u64 {
            let app = app.clone();
            tasks.push(tokio::spawn(async move {
                app.file((i % 2) as usize, &app.declaration((i % 2) as usize, 100 + i)).await
            }));
        }
        let mut numbers = Vec::new();
        let mut released = 0;
        for t in tasks {
            let (status, body) = t.await.unwrap();
            assert_eq!(status, 201, "{backend}: {body}");
            numbers.push(body["registration_number"].as_str().unwrap().to_string());
            released += usize::from(body["state"] == "released");
        }
        numbers.sort();
        numbers.dedup();
        assert_eq!(numbers.len(), 60, "{backend}: registration numbers must be unique");
        assert!(released > 0, "{backend}: some declarations are released automatically");
        // Officers see everything; a warehouse sees the releases of its facility.
        let (_, all) = app.get("/api/v1/declarations?limit=500", Some(&app.officer_token)).await;
        assert_eq!(all.as_array().unwrap().len(), 60);
        let (s, notes) = app.get("/api/v1/notifications", Some(&app.warehouse_token)).await;
        assert_eq!(s, 200);
        for n in notes.as_array().unwrap() {
            assert_eq!(n["recipient"], app.world.warehouses[0].as_str());
            assert_eq!(n["kind"], "release");
        }
        // Metrics count declarations by state and lane.
        let text = app.client.get(format!("{}/metrics", app.base)).send().await.unwrap().text().await.unwrap();
        assert!(text.contains("smartcustoms_declarations{lane=\"green\",state=\"released\"}"), "{text}");
        assert!(text.contains("smartcustoms_http_requests_total"));
    }
}

#[tokio::test]
async fn a_declaration_with_errors_is_refused_with_every_reason_and_kept() {
    for (backend, db) in all_dbs("refusal").await {
        let app = spawn_app(&db.url).await;
        let mut doc = app.declaration(0, 3);
        let items = doc.items.as_mut().unwrap();
        items[0].commodity_code = Some("999998".into());
        items[0].net_mass = Some(rust_decimal::Decimal::from(-5));
        doc.invoice.as_mut().unwrap().currency = Some("XYZ".into());
        let (status, body) = app.file(0, &doc).await;
        assert_eq!(status, 201, "{backend}: {body}");
        assert_eq!(body["state"], "refused");
        assert!(body["registration_number"].is_null());
        let paths: Vec<&str> =
            body["reasons"].as_array().unwrap().iter().map(|r| r["path"].as_str().unwrap_or("")).collect();
        assert!(paths.contains(&"$.items[0].commodity_code"), "{paths:?}");
        assert!(paths.contains(&"$.items[0].net_mass"), "{paths:?}");
        assert!(paths.contains(&"$.invoice.currency"), "{paths:?}");
        // Kept with its reasons.
        let (_, detail) = app
            .get(&format!("/api/v1/declarations/{}", body["id"].as_str().unwrap()), Some(&app.traders[0].token))
            .await;
        assert_eq!(detail["state"], "refused");
        assert_eq!(detail["reasons"], body["reasons"]);
    }
}

#[tokio::test]
async fn missing_malformed_and_wrong_signatures_refuse_registration_with_their_own_codes() {
    for (backend, db) in all_dbs("signatures").await {
        let app = spawn_app(&db.url).await;
        let body = serde_json::to_vec(&app.declaration(0, 5)).unwrap();
        let reason = |v: serde_json::Value| v["reasons"][0]["code"].as_str().unwrap_or("none").to_string();

        let r = app.file_raw(0, body.clone(), None, None).await;
        assert_eq!(reason(r.json().await.unwrap()), "SIG_001", "{backend}: missing");

        let r = app
            .client
            .post(format!("{}/api/v1/declarations", app.base))
            .bearer_auth(&app.traders[0].token)
            .header("x-jws-signature", "not-a-jws")
            .body(body.clone())
            .send()
            .await
            .unwrap();
        assert_eq!(reason(r.json().await.unwrap()), "SIG_002", "{backend}: malformed");

        // Signed by another trader's key: not registered to this declarant.
        let other = app.traders[1].key.clone();
        let r = app.file_raw(0, body.clone(), Some(&other), None).await;
        assert_eq!(reason(r.json().await.unwrap()), "SIG_004", "{backend}: unknown key");

        // Right key, but the body was changed after signing.
        let jws = smartcustoms_core::signature::sign_detached(&app.traders[0].key, &body);
        let mut altered = body.clone();
        let pos = altered.iter().position(|b| *b == b'4').unwrap();
        altered[pos] = b'5';
        let r = app
            .client
            .post(format!("{}/api/v1/declarations", app.base))
            .bearer_auth(&app.traders[0].token)
            .header("x-jws-signature", jws)
            .body(altered)
            .send()
            .await
            .unwrap();
        let v: serde_json::Value = r.json().await.unwrap();
        assert!(v["reasons"].as_array().unwrap().iter().any(|r| r["code"] == "SIG_005"), "{backend}: {v}");
    }
}

#[tokio::test]
async fn a_retried_submission_with_the_same_idempotency_key_never_files_twice() {
    for (backend, db) in all_dbs("idempotency").await {
        let app = spawn_app(&db.url).await;
        let body = serde_json::to_vec(&app.declaration(0, 9)).unwrap();
        let key = app.traders[0].key.clone();
        let first = app.file_raw(0, body.clone(), Some(&key), Some("retry-1")).await;
        assert_eq!(first.status(), 201);
        let first: serde_json::Value = first.json().await.unwrap();
        // Concurrent retries of the same key.
        let mut tasks = Vec::new();
        let app = std::sync::Arc::new(app);
        for _ in 0..5 {
            let (app, body, key) = (app.clone(), body.clone(), key.clone());
            tasks.push(tokio::spawn(async move {
                app.file_raw(0, body, Some(&key), Some("retry-1")).await.json::<serde_json::Value>().await.unwrap()
            }));
        }
        for t in tasks {
            let again = t.await.unwrap();
            assert_eq!(again["id"], first["id"], "{backend}");
            assert_eq!(again["duplicate"], true);
            assert_eq!(again["registration_number"], first["registration_number"]);
        }
        let (_, mine) = app.get("/api/v1/declarations", Some(&app.traders[0].token)).await;
        assert_eq!(mine.as_array().unwrap().len(), 1, "{backend}: exactly one declaration");
    }
}

#[tokio::test]
async fn analysts_add_profile_versions_that_change_lanes_immediately() {
    for (backend, db) in all_dbs("profiles").await {
        let app = spawn_app(&db.url).await;
        let doc = app.declaration(0, 11);
        let origin = doc.items.as_ref().unwrap()[0].origin.clone().unwrap();
        let text = format!(
            "profile RP-TEST-001 \"Everything from {origin}\"\nwhen item.origin = \"{origin}\"\nlane red\ninstruction \"Inspect\"\nvalid from 2020-01-01\n"
        );
        let post = |t: String, token: String| {
            let app = &app;
            async move {
                app.client
                    .post(format!("{}/api/v1/risk-profiles", app.base))
                    .bearer_auth(token)
                    .body(t)
                    .send()
                    .await
                    .unwrap()
            }
        };
        // Traders may not write profiles; broken text is refused with its position.
        assert_eq!(post(text.clone(), app.traders[0].token.clone()).await.status(), 403);
        let bad = post("profile X \"t\"\nwhen item.origin <\n".into(), app.analyst_token.clone()).await;
        assert_eq!(bad.status(), 422);
        let bad: serde_json::Value = bad.json().await.unwrap();
        assert_eq!(bad["error"]["code"], "RISK_001");
        let ok = post(text.clone(), app.analyst_token.clone()).await;
        assert_eq!(ok.status(), 201);
        let v: serde_json::Value = ok.json().await.unwrap();
        assert_eq!(v["version"], 1);
        let (status, body) = app.file(0, &doc).await;
        assert_eq!(status, 201);
        assert_eq!(body["lane"], "red", "{backend}: {body}");
        assert_eq!(body["state"], "under_control");
        assert!(body["hits"].as_array().unwrap().iter().any(|h| h["profile"] == "RP-TEST-001"));
        // A second version retires the measure by sending it to green.
        let v2 = post(text.replace("lane red", "lane green"), app.analyst_token.clone()).await;
        assert_eq!(v2.json::<serde_json::Value>().await.unwrap()["version"], 2);
        let (_, versions) = app.get("/api/v1/risk-profiles/RP-TEST-001/versions", Some(&app.analyst_token)).await;
        assert_eq!(versions.as_array().unwrap().len(), 2);
    }
}

#[tokio::test]
async fn release_notifications_are_pushed_to_the_webhook() {
    use std::sync::{Arc, Mutex};
    // A temporary-storage operator's receiver on loopback.
    let received: Arc<Mutex<Vec<serde_json::Value>>> = Arc::default();
    let sink = received.clone();
    let receiver = axum::Router::new().route(
        "/hook",
        axum::routing::post(move |axum::Json(v): axum::Json<serde_json::Value>| {
            let sink = sink.clone();
            async move {
                sink.lock().unwrap().push(v);
                "ok"
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let hook = format!("http://{}/hook", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, receiver).await });

    let db = smartcustoms_testkit::sqlite_db();
    let config = smartcustoms_http::HttpConfig { webhook_url: Some(hook), ..Default::default() };
    let app = smartcustoms_testkit::spawn_app_with(&db.url, config).await;
    let mut released = Vec::new();
    for seed in 0..10 {
        let (_, body) = app.file(0, &app.declaration(0, 500 + seed)).await;
        if body["state"] == "released" {
            released.push(body["id"].as_str().unwrap().to_string());
        }
    }
    assert!(!released.is_empty());
    let deadline = tokio::time::Instant::now() + std::time::Duration::from_secs(15);
    while received.lock().unwrap().len() < released.len() && tokio::time::Instant::now() < deadline {
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    let got = received.lock().unwrap().clone();
    let ids: Vec<&str> = got.iter().map(|n| n["payload"]["declaration_id"].as_str().unwrap()).collect();
    for id in &released {
        assert!(ids.contains(&id.as_str()), "release of {id} was not pushed");
    }
    // Delivered notifications are marked (just after the receiver answers), so they are not
    // pushed again.
    while !app.store.undelivered_notifications(100).await.unwrap().is_empty() {
        assert!(tokio::time::Instant::now() < deadline, "delivered notifications are still marked undelivered");
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
}

#[tokio::test]
async fn an_officer_releases_or_refuses_a_declaration_under_control_with_reasons() {
    for (backend, db) in all_dbs("control decisions").await {
        let app = spawn_app(&db.url).await;
        let text = "profile RP-ALL \"Control everything\"\nwhen declaration.type = \"IM\"\nlane red\ninstruction \"Inspect\"\nvalid from 2020-01-01\n";
        app.add_profile(text).await;
        let mut ids = Vec::new();
        for seed in 0..2 {
            let (_, body) = app.file(0, &app.declaration(0, 700 + seed)).await;
            assert_eq!(body["state"], "under_control", "{backend}: {body}");
            ids.push(body["id"].as_str().unwrap().to_string());
        }
        let decide = |id: &str, token: &str, release: bool| {
            let outcome = if release {
                serde_json::json!({ "irregularities": [] })
            } else {
                serde_json::json!({ "irregularities": ["undervaluation", "documents"], "additional_duty": "412.30" })
            };
            let req =
                app.client.post(format!("{}/api/v1/declarations/{id}/decision", app.base)).bearer_auth(token).json(
                    &serde_json::json!({ "release": release, "reason": "Seals intact, quantity matches the invoice", "outcome": outcome }),
                );
            async move { req.send().await.unwrap() }
        };
        assert_eq!(decide(&ids[0], &app.traders[0].token, true).await.status(), 403);
        let r = decide(&ids[0], &app.officer_token, true).await;
        assert_eq!(r.status(), 200);
        assert_eq!(r.json::<serde_json::Value>().await.unwrap()["state"], "released");
        let again = decide(&ids[0], "test-officer-2", false).await;
        assert_eq!(again.status(), 409, "{backend}: a released declaration takes no further decision");
        let again = again.json::<serde_json::Value>().await.unwrap();
        assert_eq!(again["error"]["code"], "DEC_001", "{backend}: {again}");
        assert_eq!(again["error"]["details"]["state"], "released", "{backend}: {again}");
        assert_eq!(
            again["error"]["details"]["by"], "test-officer",
            "{backend}: the second officer is told who decided"
        );
        let r = decide(&ids[1], &app.officer_token, false).await;
        assert_eq!(r.json::<serde_json::Value>().await.unwrap()["state"], "refused");
        // A refusal that names no irregularity is refused as inconsistent.
        let bad = app
            .client
            .post(format!("{}/api/v1/declarations/{}/decision", app.base, ids[1]))
            .bearer_auth(&app.officer_token)
            .json(&serde_json::json!({ "release": false, "reason": "x", "outcome": { "irregularities": [] } }))
            .send()
            .await
            .unwrap();
        assert_eq!(bad.status(), 400, "{backend}");
        // The outcomes are recorded as the risk engine's labels.
        let (s, outcomes) = app.get("/api/v1/inspection-outcomes", Some(&app.analyst_token)).await;
        assert_eq!(s, 200);
        let outcomes = outcomes.as_array().unwrap();
        assert_eq!(outcomes.len(), 2, "{backend}: {outcomes:?}");
        assert_eq!((outcomes[0]["released"].as_bool(), outcomes[0]["irregular"].as_bool()), (Some(true), Some(false)));
        assert_eq!(outcomes[1]["irregularities"], serde_json::json!(["undervaluation", "documents"]));
        assert_eq!(outcomes[1]["additional_duty"], "412.30");
        let (s, _) = app.get("/api/v1/inspection-outcomes", Some(&app.traders[0].token)).await;
        assert_eq!(s, 403);

        let (_, detail) = app.get(&format!("/api/v1/declarations/{}", ids[0]), Some(&app.traders[0].token)).await;
        assert_eq!(detail["release"]["automatic"], false);
        let (_, events) =
            app.get(&format!("/api/v1/declarations/{}/events", ids[0]), Some(&app.traders[0].token)).await;
        let last = events.as_array().unwrap().last().unwrap().clone();
        assert_eq!((last["action"].as_str(), last["actor"].as_str()), (Some("released"), Some("test-officer")));
        let entries = app.store.audit_page(0, 100_000).await.unwrap();
        assert!(smartcustoms_core::audit::verify(&entries).is_ok(), "{backend}: chain intact after officer decisions");
    }
}
