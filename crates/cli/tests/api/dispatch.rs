//! Declaration centres and dispatching: administrators keep centres, inspectors and versioned
//! rules; a case under control goes to the centre its rule names and to the least loaded
//! competent inspector present, with the reasons kept; a supervisor reassigns, audited; the
//! declarant sees the centre only.

use std::time::{Duration, Instant};

use serde_json::{json, Value};
use smartcustoms_testkit::{all_dbs, spawn_app, TestApp};

/// Waits for the case's dispatch (the dispatcher runs every second).
async fn dispatched(app: &TestApp, id: &str) -> Value {
    let deadline = Instant::now() + Duration::from_secs(15);
    loop {
        let (s, d) = app.get(&format!("/api/v1/declarations/{id}/dispatch"), Some(&app.officer_token)).await;
        if s == 200 {
            return d;
        }
        assert!(Instant::now() < deadline, "declaration {id} not dispatched within 15 s: {s} {d}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// Files a declaration that goes under control (the analyst's profile sends every import red).
async fn controlled(app: &TestApp, seed: u64) -> String {
    let (_, filed) = app.file(0, &app.declaration(0, seed)).await;
    assert_eq!(filed["state"], "under_control", "{filed}");
    filed["id"].as_str().unwrap().to_string()
}

#[tokio::test]
async fn cases_go_to_the_least_loaded_competent_inspector_present_and_a_supervisor_reassigns() {
    for (backend, db) in all_dbs("dispatch").await {
        let app = spawn_app(&db.url).await;
        let profile = "profile RP-ALL \"Control everything\"\nwhen declaration.type = \"IM\"\nlane red\n\
                       instruction \"Inspect\"\nvalid from 2020-01-01\n";
        app.add_profile(profile).await;

        // The set-up: only administrators write it, and it is checked.
        let centre = json!({ "name": "Excise goods centre" });
        assert_eq!(app.put("/api/v1/centres/EDC-EXCISE", &app.officer_token, &centre).await.0, 403, "{backend}");
        assert_eq!(app.put("/api/v1/centres/EDC-EXCISE", "test-admin", &centre).await.0, 200, "{backend}");
        let (s, _) = app.put("/api/v1/centres/EDC-MAIN", "test-admin", &json!({ "name": "Main centre" })).await;
        assert_eq!(s, 200);
        let (s, e) = app.put("/api/v1/centres/bad code", "test-admin", &centre).await;
        assert_eq!((s, e["error"]["code"].as_str()), (422, Some("DSP_001")), "{backend}");
        let leave = json!({ "centre": "EDC-EXCISE", "competences": ["excise"], "leave_from_us": 0 });
        let present = json!({ "centre": "EDC-EXCISE", "competences": ["excise"] });
        assert_eq!(app.put("/api/v1/inspectors/test-officer", "test-admin", &present).await.0, 200, "{backend}");
        assert_eq!(app.put("/api/v1/inspectors/test-officer-2", "test-admin", &leave).await.0, 200, "{backend}");
        let (s, e) = app.put("/api/v1/inspectors/test-analyst", "test-admin", &present).await;
        assert_eq!((s, e["error"]["code"].as_str()), (422, Some("DSP_001")), "{backend}: not an officer");
        let nowhere = json!({ "centre": "EDC-NOWHERE" });
        let (s, e) = app.put("/api/v1/inspectors/test-officer", "test-admin", &nowhere).await;
        assert_eq!((s, e["error"]["code"].as_str()), (422, Some("DSP_001")), "{backend}: {e}");
        let bad_rules = json!({ "rules": [{ "name": "x", "centre": "EDC-NOWHERE" }], "default_centre": "EDC-GONE" });
        let (s, e) = app.post("/api/v1/dispatch/rules", "test-admin", &bad_rules).await;
        assert_eq!((s, e["error"]["code"].as_str()), (422, Some("DSP_001")), "{backend}");
        assert_eq!(e["error"]["details"]["problems"].as_array().unwrap().len(), 2, "{backend}: every problem listed");
        let rules = json!({
            "rules": [{ "name": "imports at the excise centre", "when": { "offices": [] }, "centre": "EDC-EXCISE", "requires": ["excise"] }],
            "default_centre": "EDC-MAIN",
        });
        let (s, v) = app.post("/api/v1/dispatch/rules", "test-admin", &rules).await;
        assert_eq!((s, v["version"].as_i64()), (201, Some(1)), "{backend}: {v}");

        // The one present goes first; the one on leave is passed over, and it says so.
        let first = controlled(&app, 1201).await;
        let d = dispatched(&app, &first).await;
        assert_eq!(d["dispatch"]["centre"], "EDC-EXCISE", "{backend}: {d}");
        assert_eq!(d["dispatch"]["inspector"], "test-officer", "{backend}: {d}");
        assert_eq!(d["dispatch"]["rule"], "imports at the excise centre");
        assert_eq!(d["dispatch"]["passed"]["test-officer-2"], "on_leave", "{backend}: {d}");

        // Back from leave, the colleague with fewer open cases gets the next.
        let back = json!({ "centre": "EDC-EXCISE", "competences": ["excise"] });
        assert_eq!(app.put("/api/v1/inspectors/test-officer-2", "test-admin", &back).await.0, 200);
        let second = controlled(&app, 1202).await;
        let d = dispatched(&app, &second).await;
        assert_eq!(d["dispatch"]["inspector"], "test-officer-2", "{backend}: {d}");
        assert_eq!(d["dispatch"]["loads"], json!({ "test-officer": 1, "test-officer-2": 0 }), "{backend}: {d}");
        assert_eq!(d["dispatch"]["passed"]["test-officer"], "more_loaded", "{backend}: {d}");

        // The supervisor sees the cases per centre and inspector with the oldest's time.
        let (_, setup) = app.get("/api/v1/dispatch", Some("test-supervisor")).await;
        let queues: Vec<_> = setup["queues"]
            .as_array()
            .unwrap()
            .iter()
            .map(|q| {
                (
                    q["centre"].as_str().unwrap().to_string(),
                    q["inspector"].as_str().unwrap().to_string(),
                    q["open"].as_i64().unwrap(),
                )
            })
            .collect();
        let want = |who: &str| ("EDC-EXCISE".to_string(), who.to_string(), 1);
        assert_eq!(queues, vec![want("test-officer"), want("test-officer-2")], "{backend}: {setup}");

        // Each inspector's queue holds its own cases.
        let (_, mine) = app.get("/api/v1/work-queue?mine=true", Some(&app.officer_token)).await;
        let ids: Vec<_> = mine.as_array().unwrap().iter().map(|c| c["declaration"]["id"].as_str().unwrap()).collect();
        assert_eq!(ids, vec![first.as_str()], "{backend}");
        let (_, all) = app.get("/api/v1/work-queue", Some(&app.officer_token)).await;
        assert_eq!(all.as_array().unwrap().len(), 2, "{backend}");

        // A supervisor reassigns, with a reason, audited; an officer cannot.
        let to_first = json!({ "inspector": "test-officer", "reason": "Boris knows this importer's files" });
        let path = format!("/api/v1/declarations/{second}/dispatch");
        assert_eq!(app.post(&path, &app.officer_token, &to_first).await.0, 403, "{backend}");
        let (s, e) = app.post(&path, "test-supervisor", &json!({ "inspector": "nobody", "reason": "x" })).await;
        assert_eq!((s, e["error"]["code"].as_str()), (422, Some("DSP_001")), "{backend}");
        let (s, e) = app.post(&path, "test-supervisor", &json!({ "inspector": "test-officer", "reason": " " })).await;
        assert_eq!((s, e["error"]["code"].as_str()), (422, Some("DSP_001")), "{backend}");
        let (s, d) = app.post(&path, "test-supervisor", &to_first).await;
        assert_eq!(s, 200, "{backend}: {d}");
        assert_eq!(d["dispatch"]["inspector"], "test-officer", "{backend}");
        assert_eq!(d["dispatch"]["rule"], "reassigned by test-supervisor", "{backend}");
        let (_, events) = app.get(&format!("/api/v1/declarations/{second}/events"), Some(&app.officer_token)).await;
        let last = events.as_array().unwrap().last().unwrap().clone();
        assert_eq!((last["action"].as_str(), last["actor"].as_str()), (Some("dispatched"), Some("test-supervisor")));
        assert!(last["details"].as_str().unwrap().contains("Boris knows"), "{backend}: {last}");

        // The declarant sees where its case is handled, not who or why.
        let (_, events) = app.get(&format!("/api/v1/declarations/{second}/events"), Some(&app.traders[0].token)).await;
        let seen: Vec<_> = events.as_array().unwrap().iter().filter(|e| e["action"] == "dispatched").collect();
        assert_eq!(seen.len(), 2, "{backend}");
        for e in seen {
            assert_eq!(e["details"].as_str().unwrap(), r#"{"centre":"EDC-EXCISE"}"#, "{backend}");
        }
        assert_eq!(
            app.get(&format!("/api/v1/declarations/{second}/dispatch"), Some(&app.traders[0].token)).await.0,
            403
        );

        // An inspector of another centre neither decides nor questions the case.
        let elsewhere = json!({ "centre": "EDC-MAIN", "competences": ["excise"] });
        assert_eq!(app.put("/api/v1/inspectors/test-officer-2", "test-admin", &elsewhere).await.0, 200);
        let release = json!({ "release": true, "reason": "In order", "outcome": { "irregularities": [] } });
        let (s, e) = app.post(&format!("/api/v1/declarations/{second}/decision"), "test-officer-2", &release).await;
        assert_eq!((s, e["error"]["code"].as_str()), (403, Some("AUTH_003")), "{backend}: {e}");
        let ask = json!({ "question": "Invoice?", "due_hours": 4 });
        let (s, _) = app.post(&format!("/api/v1/declarations/{second}/requests"), "test-officer-2", &ask).await;
        assert_eq!(s, 403, "{backend}");
        let (_, detail) = app.get(&format!("/api/v1/declarations/{second}"), Some("test-supervisor")).await;
        assert_eq!(detail["state"], "under_control", "{backend}: nothing decided");

        // A decided case is not reassigned.
        let decision = json!({ "release": true, "reason": "In order", "outcome": { "irregularities": [] } });
        assert_eq!(
            app.post(&format!("/api/v1/declarations/{first}/decision"), &app.officer_token, &decision).await.0,
            200
        );
        let (s, e) = app.post(&format!("/api/v1/declarations/{first}/dispatch"), "test-supervisor", &to_first).await;
        assert_eq!((s, e["error"]["code"].as_str()), (409, Some("DEC_001")), "{backend}: {e}");
        let (_, setup) = app.get("/api/v1/dispatch", Some("test-supervisor")).await;
        assert_eq!(setup["loads"], json!({ "test-officer": 1 }), "{backend}: {setup}");

        // The inspector hands a case back to the supervisor: it waits in the centre, unassigned.
        let back = format!("/api/v1/declarations/{second}/dispatch/hand-back");
        let reason = json!({ "reason": "I audited this importer last month" });
        let (s, e) = app.post(&back, "test-officer-2", &reason).await;
        assert_eq!((s, e["error"]["code"].as_str()), (422, Some("DSP_001")), "{backend}: not the holder's case");
        assert_eq!(app.post(&back, &app.traders[0].token, &reason).await.0, 403, "{backend}");
        let (s, d) = app.post(&back, &app.officer_token, &reason).await;
        assert_eq!(s, 200, "{backend}: {d}");
        assert!(d["dispatch"]["inspector"].is_null(), "{backend}: {d}");
        assert_eq!(
            (d["dispatch"]["centre"].as_str(), d["dispatch"]["rule"].as_str()),
            (Some("EDC-EXCISE"), Some("handed back by test-officer"))
        );
        let (_, setup) = app.get("/api/v1/dispatch", Some("test-supervisor")).await;
        assert_eq!(setup["loads"], json!({}), "{backend}: {setup}");
        let (_, mine) = app.get("/api/v1/work-queue?mine=true", Some(&app.officer_token)).await;
        assert!(mine.as_array().unwrap().is_empty(), "{backend}: {mine}");
        let entries = app.store.audit_page(0, 100_000).await.unwrap();
        assert!(smartcustoms_core::audit::verify(&entries).is_ok(), "{backend}");
    }
}
