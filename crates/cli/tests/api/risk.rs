//! The self-adjusting risk system through the API and the binary: outcomes imported and
//! recorded by officers, training with promotion only on improvement, scores with their
//! explanations on every registered declaration, operator categories, effectiveness, replay,
//! a refused model document, and retraining while declarations are scored.

use std::process::Command;
use std::time::Duration;

use smartcustoms_core::inspection::{InspectionOutcome, Irregularity};
use smartcustoms_core::ledger::Amount;
use smartcustoms_http::HttpConfig;
use smartcustoms_storage::{ImportResult, ImportedOutcome, NewRiskModel};
use smartcustoms_testkit::{all_dbs, spawn_app_with, TestApp};

fn bin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_smartcustoms"))
}

fn config() -> HttpConfig {
    HttpConfig {
        random_share: 0.0,
        retrain_every: None,
        recategorise_every: None,
        price_refresh: None,
        ..HttpConfig::default()
    }
}

/// Files `n` declarations alternately for both traders; returns (id, trader index) of each.
async fn file_many(app: &TestApp, n: usize, seed: u64) -> Vec<(String, usize)> {
    let mut ids = Vec::new();
    for k in 0..n {
        let who = k % 2;
        let (status, answer) = app.file(who, &app.declaration(who, seed + k as u64)).await;
        assert_eq!(status, 201, "{answer}");
        ids.push((answer["id"].as_str().unwrap().to_string(), who));
    }
    ids
}

/// The history: trader 1's declarations are mostly found undervalued, trader 0's rarely.
async fn import_history(app: &TestApp, ids: &[(String, usize)]) {
    for (k, (id, who)) in ids.iter().enumerate() {
        let irregular = if *who == 1 { k % 5 != 0 } else { k % 17 == 0 };
        let outcome = if irregular {
            InspectionOutcome {
                irregularities: vec![Irregularity::Undervaluation],
                additional_duty: Amount::from_cents(5000),
            }
        } else {
            InspectionOutcome::default()
        };
        let at_us = smartcustoms_core::timestamp::Timestamp::now();
        let r = app
            .store
            .import_outcome(&ImportedOutcome {
                declaration_id: id.clone(),
                outcome,
                source: "import:test".into(),
                at_us,
            })
            .await
            .unwrap();
        assert!(matches!(r, ImportResult::Recorded | ImportResult::NotRegistered), "{r:?}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn outcomes_train_a_model_that_scores_explains_and_is_replaced_only_when_better() {
    for (backend, db) in all_dbs("risk_system").await {
        let app = spawn_app_with(&db.url, config()).await;
        let history = file_many(&app, 120, 1000).await;
        import_history(&app, &history).await;

        // Traders cannot train; too few outcomes would be refused with RISK_002 (tested in the model).
        let (s, _) = app.post("/api/v1/risk/models/train", &app.traders[0].token, &serde_json::json!({})).await;
        assert_eq!(s, 403, "{backend}");
        let (s, first) = app.post("/api/v1/risk/models/train", &app.analyst_token, &serde_json::json!({})).await;
        assert_eq!(s, 200, "{backend}: {first}");
        assert_eq!((first["version"].as_i64(), first["promoted"].as_bool()), (Some(1), Some(true)), "{first}");
        let outcomes_before = first["outcomes"].as_u64().unwrap();

        // Every registered declaration now carries a score with its explanation, for staff only.
        let (status, answer) = app.file(1, &app.declaration(1, 5000)).await;
        assert_eq!(status, 201);
        let id = answer["id"].as_str().unwrap();
        let (_, detail) = app.get(&format!("/api/v1/declarations/{id}"), Some(&app.officer_token)).await;
        let model = &detail["risk"]["model"];
        assert_eq!(model["model_version"], 1, "{backend}: {detail}");
        assert!(model["score"].as_f64().is_some_and(|s| (0.0..=1.0).contains(&s)), "{model}");
        assert_eq!(model["contributions"].as_array().map(Vec::len), Some(5), "{model}");
        let lane = detail["lane"].as_str().unwrap();
        let model_lane = model["lane"].as_str().unwrap();
        let order = ["green", "blue", "yellow", "red"];
        let rank = |l: &str| order.iter().position(|x| *x == l).unwrap();
        assert!(rank(lane) >= rank(model_lane), "the lane is at least the model's: {detail}");
        assert!(detail["risk"]["reasons"].as_array().is_some_and(|r| !r.is_empty()), "{detail}");
        let (_, own) = app.get(&format!("/api/v1/declarations/{id}"), Some(&app.traders[1].token)).await;
        assert!(own.get("risk").is_none(), "traders do not see the risk assessment: {own}");
        let (_, events) = app.get(&format!("/api/v1/declarations/{id}/events"), Some(&app.officer_token)).await;
        let lane_event = events.as_array().unwrap().iter().find(|e| e["action"] == "lane_assigned").unwrap().clone();
        let details: serde_json::Value = serde_json::from_str(lane_event["details"].as_str().unwrap_or("{}"))
            .unwrap_or_else(|_| lane_event["details"].clone());
        assert_eq!(details["model"]["model_version"], 1, "the audit log keeps the score: {lane_event}");
        // The trader's view of the same events has the lane, not how it was chosen.
        let (_, own_events) = app.get(&format!("/api/v1/declarations/{id}/events"), Some(&app.traders[1].token)).await;
        let own_lane = own_events.as_array().unwrap().iter().find(|e| e["action"] == "lane_assigned").unwrap().clone();
        let own_details: serde_json::Value = serde_json::from_str(own_lane["details"].as_str().unwrap_or("{}"))
            .unwrap_or_else(|_| own_lane["details"].clone());
        assert_eq!(
            own_details,
            serde_json::json!({ "lane": lane }),
            "{backend}: traders do not see the risk: {own_lane}"
        );
        assert_eq!(own_events.as_array().map(Vec::len), events.as_array().map(Vec::len), "every event is shown");

        // An officer's result is in the training data of the next training; retraining on the
        // same data does not beat the model in force, so it is kept but not promoted.
        let controlled = loop {
            let (status, answer) = app.file(1, &app.declaration(1, 7000 + rand_seed())).await;
            assert_eq!(status, 201);
            if answer["state"] == "under_control" {
                break answer["id"].as_str().unwrap().to_string();
            }
        };
        let (s, d) = app
            .post(
                &format!("/api/v1/declarations/{controlled}/decision"),
                &app.officer_token,
                &serde_json::json!({ "release": true, "reason": "Value corrected after inspection",
                    "outcome": { "irregularities": ["undervaluation"], "additional_duty": "120.00" } }),
            )
            .await;
        assert_eq!(s, 200, "{d}");
        let (s, second) = app.post("/api/v1/risk/models/train", &app.analyst_token, &serde_json::json!({})).await;
        assert_eq!(s, 200, "{second}");
        assert_eq!(second["outcomes"].as_u64(), Some(outcomes_before + 1), "{backend}: {second}");
        let (s, third) = app.post("/api/v1/risk/models/train", &app.analyst_token, &serde_json::json!({})).await;
        assert_eq!(s, 200);
        assert_eq!(third["promoted"], false, "{backend}: same data cannot beat the model in force: {third}");
        let (_, models) = app.get("/api/v1/risk/models", Some(&app.officer_token)).await;
        let models = models.as_array().unwrap();
        assert_eq!(models.len(), 3);
        assert_eq!(models.iter().filter(|m| m["active"] == true).count(), 1);
        assert_eq!(models[0]["active"], false, "the newest, not promoted, is not active: {models:?}");
        assert!(models[0]["info"]["metrics"]["auc"].is_number());
        let in_force = models.iter().find(|m| m["active"] == true).and_then(|m| m["version"].as_i64());

        // Effectiveness per profile and of the model; categories with AEO status.
        let (s, eff) = app.get("/api/v1/risk/effectiveness", Some(&app.analyst_token)).await;
        assert_eq!(s, 200);
        assert!(eff.as_array().unwrap().iter().all(|e| e["hits"].as_u64() >= e["controlled"].as_u64()), "{eff}");
        let trader = &app.traders[0].id;
        let (s, _) = app
            .client
            .put(format!("{}/api/v1/risk/operators/{trader}/aeo", app.base))
            .bearer_auth(&app.officer_token)
            .json(&serde_json::json!({ "reference": "DEAEOC123" }))
            .send()
            .await
            .map(|r| (r.status().as_u16(), ()))
            .unwrap();
        assert_eq!(s, 403, "only administrators record AEO authorisations");
        let r = app
            .client
            .put(format!("{}/api/v1/risk/operators/{trader}/aeo", app.base))
            .bearer_auth("test-admin")
            .json(&serde_json::json!({ "reference": "DEAEOC123" }))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200);
        let (_, operators) = app.get("/api/v1/risk/operators", Some(&app.officer_token)).await;
        let of = |id: &str| operators.as_array().unwrap().iter().find(|o| o["id"] == id).cloned().unwrap();
        assert_eq!(of(trader)["category"], "low", "{operators}");
        assert_eq!(of(&app.traders[1].id)["category"], "high", "{operators}");
        let (_, next) = app.file(1, &app.declaration(1, 9100)).await;
        let (_, detail) =
            app.get(&format!("/api/v1/declarations/{}", next["id"].as_str().unwrap()), Some(&app.officer_token)).await;
        assert_eq!(detail["risk"]["declarant_category"], "high", "categories are facts of the lane decision");

        // A corrupt model document made active elsewhere is refused; the model in force stays.
        let version = app.store.next_risk_model_version().await.unwrap();
        app.store
            .add_risk_model(&NewRiskModel {
                version,
                trained_at_us: smartcustoms_core::timestamp::Timestamp::EPOCH,
                promoted: true,
                reason: "test".into(),
                info: "{}".into(),
                document: "{\"kind\":\"smartcustoms-risk-model\",\"format\":1,\"info\":".into(),
            })
            .await
            .unwrap();
        app.state.reload_model().await.unwrap();
        assert_eq!(app.state.model().map(|m| m.info.version.get()), in_force, "{backend}");
        let (status, answer) = app.file(0, &app.declaration(0, 9200)).await;
        assert_eq!(status, 201, "{answer}");
    }
}

fn rand_seed() -> u64 {
    chrono::Utc::now().timestamp_subsec_nanos() as u64
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn retraining_while_declarations_are_scored_fails_no_request() {
    let db = smartcustoms_testkit::sqlite_db();
    let app = spawn_app_with(&db.url, config()).await;
    let history = file_many(&app, 80, 300).await;
    import_history(&app, &history).await;
    let (s, _) = app.post("/api/v1/risk/models/train", &app.analyst_token, &serde_json::json!({})).await;
    assert_eq!(s, 200);
    let app = std::sync::Arc::new(app);
    let filer = {
        let app = app.clone();
        tokio::spawn(async move {
            let mut versions = Vec::new();
            for k in 0..40u64 {
                let (status, answer) = app.file((k % 2) as usize, &app.declaration((k % 2) as usize, 20_000 + k)).await;
                assert_eq!(status, 201, "{answer}");
                let (_, d) = app
                    .get(&format!("/api/v1/declarations/{}", answer["id"].as_str().unwrap()), Some(&app.officer_token))
                    .await;
                versions.push(d["risk"]["model"]["model_version"].as_i64());
            }
            versions
        })
    };
    for _ in 0..3 {
        let (s, report) = app.post("/api/v1/risk/models/train", &app.analyst_token, &serde_json::json!({})).await;
        assert_eq!(s, 200, "{report}");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let versions = filer.await.unwrap();
    assert!(versions.iter().all(|v| v.is_some()), "every declaration scored by a whole model: {versions:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_binary_imports_outcomes_trains_and_replays_a_period() {
    let db = smartcustoms_testkit::sqlite_db();
    let app = spawn_app_with(&db.url, config()).await;
    let history = file_many(&app, 100, 4000).await;
    let dir = tempfile::tempdir().unwrap();
    let csv = dir.path().join("outcomes.csv");
    let mut text = String::from("declaration_id,irregularities,additional_duty\n");
    for (k, (id, who)) in history.iter().enumerate() {
        let irregular = if *who == 1 { k % 5 != 0 } else { k % 17 == 0 };
        text.push_str(&if irregular { format!("{id},undervaluation,50.00\n") } else { format!("{id},,\n") });
    }
    text.push_str("not-a-declaration,,\n");
    text.push_str(&format!("{},smuggling,1\n", history[0].0));
    std::fs::write(&csv, text).unwrap();
    let url = ["--database-url", db.url.as_str()];
    let out = bin().args(["risk", "import-outcomes"]).arg(&csv).args(url).output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "a rejected line makes the exit code 1: {stderr}");
    assert!(stderr.contains(":103: unknown irregularity \"smuggling\""), "{stderr}");
    assert!(stderr.contains(":102: declaration not-a-declaration: unknown_declaration"), "{stderr}");
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(report["counts"]["recorded"].as_u64().unwrap() >= 90, "{report}");

    let out = bin().args(["risk", "train"]).args(url).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let trained: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(trained["promoted"], true, "{trained}");
    let out = bin().args(["risk", "models"]).args(url).output().unwrap();
    assert_eq!(String::from_utf8_lossy(&out.stdout).lines().count(), 1);

    let today = chrono::Utc::now().date_naive().to_string();
    let replay = |extra: &[&str]| {
        let out =
            bin().args(["risk", "replay", "--from", &today, "--to", &today]).args(extra).args(url).output().unwrap();
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        serde_json::from_slice::<serde_json::Value>(&out.stdout).unwrap()
    };
    let as_is = replay(&["--no-model", "--random-share", "0"]);
    assert_eq!(as_is["declarations"], 100, "{as_is}");
    assert!(as_is["known_irregular"].as_u64().unwrap() > 20, "{as_is}");
    assert_eq!(as_is["changed"], 0, "the same settings give the same lanes: {as_is}");
    let with_model = replay(&["--red-share", "0.3", "--random-share", "0"]);
    assert!(
        with_model["replayed"]["irregular_caught"].as_u64() > as_is["replayed"]["irregular_caught"].as_u64(),
        "the model catches more of the known irregularities: {with_model} vs {as_is}"
    );
    let out = bin().args(["risk", "replay", "--from", &today, "--to", "2000-01-01"]).args(url).output().unwrap();
    assert!(String::from_utf8_lossy(&out.stderr).contains("is before --from"));
    let out = bin()
        .args(["risk", "replay", "--from", &today, "--to", &today, "--without-profile", "RP-NONE"])
        .args(url)
        .output()
        .unwrap();
    assert!(String::from_utf8_lossy(&out.stderr).contains("RP-NONE: no such profile"));
    let out = bin().args(["risk", "effectiveness"]).args(url).output().unwrap();
    assert!(out.status.success());
    let out = bin().args(["risk", "categorise"]).args(url).output().unwrap();
    let counts: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(counts["operators"], 2, "{counts}");
    drop(app);
}

/// The demo from its README command: it builds a history, trains its first model, and every
/// live declaration registered afterwards carries a score with its largest contributions.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn in_the_demo_every_registered_declaration_carries_a_model_score() {
    use std::io::{BufRead, BufReader};
    let db = smartcustoms_testkit::sqlite_db();
    let mut child = bin()
        .args(["serve", "--demo", "--demo-rate", "20", "--listen", "127.0.0.1:0", "--database-url", &db.url])
        .env("RUST_LOG", "warn")
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let mut line = String::new();
    let mut stdout = BufReader::new(child.stdout.take().unwrap());
    stdout.read_line(&mut line).unwrap();
    let base = line.trim().strip_prefix("listening on ").unwrap().to_string();
    // The demo prints its banner after the address; keep reading so it never writes to a closed pipe.
    std::thread::spawn(move || std::io::copy(&mut stdout, &mut std::io::sink()));
    let client = reqwest::Client::new();
    let get = |path: &str| {
        let (client, url) = (client.clone(), format!("{base}{path}"));
        async move {
            let r = client.get(url).bearer_auth("demo-officer").send().await.ok()?;
            r.json::<serde_json::Value>().await.ok()
        }
    };
    let deadline = std::time::Instant::now() + Duration::from_secs(120);
    let trained_at = loop {
        assert!(std::time::Instant::now() < deadline, "no model within two minutes");
        if let Some(models) = get("/api/v1/risk/models").await {
            if let Some(m) = models.as_array().and_then(|m| m.iter().find(|m| m["active"] == true)) {
                break m["trained_at_us"].as_i64().unwrap();
            }
        }
        tokio::time::sleep(Duration::from_millis(500)).await;
    };
    let mut scored = 0;
    while scored < 10 {
        assert!(std::time::Instant::now() < deadline, "only {scored} live declarations scored");
        tokio::time::sleep(Duration::from_millis(500)).await;
        let Some(list) = get("/api/v1/declarations?limit=20").await else { continue };
        scored = 0;
        for d in list.as_array().into_iter().flatten() {
            let registered_after = d["received_at"]
                .as_str()
                .and_then(|t| chrono::DateTime::parse_from_rfc3339(t).ok())
                .is_some_and(|t| t.timestamp_micros() > trained_at);
            if d["lane"].is_null() || !registered_after {
                continue;
            }
            let detail = get(&format!("/api/v1/declarations/{}", d["id"].as_str().unwrap())).await.unwrap();
            let model = &detail["risk"]["model"];
            assert_eq!(model["model_version"], 1, "{detail}");
            assert!(!model["contributions"].as_array().unwrap().is_empty(), "{detail}");
            scored += 1;
        }
    }
    let _ = child.kill();
    let _ = child.wait();
}
