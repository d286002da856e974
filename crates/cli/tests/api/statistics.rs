//! Time release, published without sign-in, and the supervisors' dashboard.

use smartcustoms_testkit::{all_dbs, spawn_app};

#[tokio::test]
async fn time_release_counts_every_declaration_of_the_period_by_lane_office_hour_and_transport_mode() {
    for (backend, db) in all_dbs("time release").await {
        let app = spawn_app(&db.url).await;
        let mut released = 0;
        let mut registered = 0;
        let mut offices = Vec::new();
        for seed in 1..=8 {
            let (status, body) = app.file((seed % 2) as usize, &app.declaration((seed % 2) as usize, seed)).await;
            assert_eq!(status, 201, "{backend}: {body}");
            if body["registration_number"].is_string() {
                registered += 1;
                offices.push(body["registration_number"].as_str().unwrap().split('/').next().unwrap().to_string());
            }
            released += usize::from(body["state"] == "released");
        }
        assert!(registered > 0, "{backend}");
        // Public: no token.
        let (s, r) = app.get("/api/v1/time-release", None).await;
        assert_eq!(s, 200, "{backend}: {r}");
        assert_eq!(r["overall"]["declarations"], registered, "{backend}: {r}");
        assert_eq!(r["overall"]["to_registration"]["count"], registered, "{backend}");
        assert_eq!(r["overall"]["to_lane"]["count"], registered, "{backend}");
        assert_eq!(r["overall"]["to_release"]["count"].as_u64().unwrap_or(0), released as u64, "{backend}: {r}");
        let stage = &r["overall"]["to_registration"];
        let (median, p95) = (stage["median_s"].as_f64().unwrap(), stage["p95_s"].as_f64().unwrap());
        assert!(0.0 <= median && median <= p95, "{backend}: {stage}");
        let sum = |groups: &serde_json::Value| {
            groups.as_array().unwrap().iter().map(|g| g["declarations"].as_u64().unwrap()).sum::<u64>()
        };
        for groups in ["by_lane", "by_office", "by_hour", "by_transport_mode"] {
            assert_eq!(sum(&r[groups]), registered as u64, "{backend}: {groups} covers every declaration");
        }
        offices.sort();
        offices.dedup();
        let keys: Vec<&str> = r["by_office"].as_array().unwrap().iter().map(|g| g["key"].as_str().unwrap()).collect();
        assert_eq!(keys, offices, "{backend}");
        // Nothing names a declaration or a trader.
        let text = r.to_string();
        assert!(!text.contains(&app.traders[0].id), "{backend}: {text}");

        // The public page of a period that runs to today fetches itself again every minute.
        let r = reqwest::get(format!("{}/time-release", app.base)).await.unwrap();
        assert_eq!(r.headers().get("refresh").map(|v| v.to_str().unwrap()), Some("60"), "{backend}");
        assert!(r.text().await.unwrap().contains("By mode of transport"), "{backend}");
        let r = reqwest::get(format!("{}/time-release?from=2020-01-01&to=2020-01-31", app.base)).await.unwrap();
        assert!(r.headers().get("refresh").is_none(), "{backend}: a past period does not change");

        // A period in the past has nothing; a bad period is refused with a code.
        let (s, past) = app.get("/api/v1/time-release?from=2020-01-01&to=2020-01-31", None).await;
        assert_eq!((s, &past["overall"]["declarations"]), (200, &serde_json::json!(0)), "{backend}");
        assert_eq!(past["overall"]["to_release"], serde_json::Value::Null, "{backend}");
        // The first day there is: the default week before it does not exist, nothing breaks.
        let (s, first) = app.get(&format!("/api/v1/time-release?to={}", chrono::NaiveDate::MIN), None).await;
        assert_eq!((s, &first["overall"]["declarations"]), (200, &serde_json::json!(0)), "{backend}: {first}");
        for bad in ["?from=2026-02-01&to=2026-01-01", "?from=2026-01-01&to=2026-03-01", "?to=yesterday"] {
            let (s, e) = app.get(&format!("/api/v1/time-release{bad}"), None).await;
            assert_eq!((s, e["error"]["code"].as_str()), (400, Some("REQ_004")), "{backend}: {bad}: {e}");
        }
    }
}

#[tokio::test]
async fn the_dashboard_shows_hours_lanes_queues_and_revenue_to_customs_staff_only() {
    for (backend, db) in all_dbs("dashboard").await {
        let app = spawn_app(&db.url).await;
        let (mut registered, mut released, mut under_control) = (0u64, 0u64, 0i64);
        let mut revenue = rust_decimal::Decimal::ZERO;
        for seed in 1..=10 {
            let (_, body) = app.file(0, &app.declaration(0, seed)).await;
            registered += u64::from(body["registration_number"].is_string());
            under_control += i64::from(body["state"] == "under_control");
            if body["state"] == "released" {
                released += 1;
                revenue += body["duties_total"].as_str().unwrap().parse::<rust_decimal::Decimal>().unwrap();
            }
        }
        let (s, d) = app.get("/api/v1/dashboard", Some(&app.officer_token)).await;
        assert_eq!(s, 200, "{backend}: {d}");
        let hours = d["per_hour"].as_array().unwrap();
        assert!((24..=25).contains(&hours.len()), "{backend}: every hour of the day is a point: {}", hours.len());
        let sum = |key: &str| hours.iter().map(|h| h[key].as_u64().unwrap()).sum::<u64>();
        assert_eq!(sum("registered"), registered, "{backend}: {d}");
        assert_eq!(sum("released_automatically"), released, "{backend}: green and blue are released at once");
        let lanes = d["lanes"].as_array().unwrap();
        assert_eq!(lanes.iter().map(|l| l["count"].as_u64().unwrap()).sum::<u64>(), registered, "{backend}");
        let share = d["released_automatically_share"].as_f64().unwrap();
        assert!((share - released as f64 / registered as f64).abs() < 1e-9, "{backend}: {share}");
        let queue = d["queues"].as_array().unwrap().iter().find(|q| q["state"] == "under_control").cloned();
        match queue {
            Some(q) => {
                assert_eq!(q["count"], under_control, "{backend}: {q}");
                assert!(q["oldest_age_s"].as_f64().unwrap() >= 0.0, "{backend}: {q}");
            }
            None => assert_eq!(under_control, 0, "{backend}: {d}"),
        }
        let collected = d["revenue"].as_str().unwrap().parse::<rust_decimal::Decimal>().unwrap();
        assert_eq!(collected, revenue, "{backend}: what the released declarations were debited");

        // Customs staff only, over a window of one hour to a week.
        let (s, e) = app.get("/api/v1/dashboard", Some(&app.traders[0].token)).await;
        assert_eq!((s, e["error"]["code"].as_str()), (403, Some("AUTH_003")), "{backend}");
        let (s, _) = app.get("/api/v1/dashboard", None).await;
        assert_eq!(s, 401, "{backend}");
        for bad in ["0", "169", "many"] {
            let (s, e) = app.get(&format!("/api/v1/dashboard?hours={bad}"), Some(&app.officer_token)).await;
            assert_eq!((s, e["error"]["code"].as_str()), (400, Some("REQ_004")), "{backend}: {bad}");
        }
    }
}

#[tokio::test]
async fn the_work_queue_lists_the_controls_most_urgent_first_with_their_service_clock() {
    for (backend, db) in all_dbs("work queue").await {
        let app = spawn_app(&db.url).await;
        let mut controlled = Vec::new();
        for seed in 1..=300 {
            let (_, body) = app.file(0, &app.declaration(0, 10_000 + seed)).await;
            if body["state"] == "under_control" {
                controlled.push((body["id"].as_str().unwrap().to_string(), body["lane"].as_str().unwrap().to_string()));
            }
            if controlled.len() == 3 {
                break;
            }
        }
        assert_eq!(controlled.len(), 3, "{backend}: the demo sends some declarations to control");
        let (s, queue) = app.get("/api/v1/work-queue", Some(&app.officer_token)).await;
        assert_eq!(s, 200, "{backend}: {queue}");
        let cases = queue.as_array().unwrap();
        let mut ids: Vec<&str> = cases.iter().map(|c| c["declaration"]["id"].as_str().unwrap()).collect();
        ids.sort();
        let mut want: Vec<&str> = controlled.iter().map(|(id, _)| id.as_str()).collect();
        want.sort();
        assert_eq!(ids, want, "{backend}: every declaration under control, and only those");
        for c in cases {
            let hours = match c["declaration"]["lane"].as_str() {
                Some("red") => 24,
                _ => 4,
            };
            let clock = c["due_at"].as_i64().unwrap() - c["waiting_since"].as_i64().unwrap();
            assert_eq!(clock, hours * 3_600_000_000, "{backend}: {c}");
            assert_eq!(c["overdue"], false, "{backend}: just filed");
        }
        let reds: Vec<bool> = cases.iter().map(|c| c["declaration"]["lane"] == "red").collect();
        assert!(reds.windows(2).all(|w| w[0] >= w[1]), "{backend}: red before yellow: {reds:?}");

        // A decided case leaves the queue.
        let (first, _) = &controlled[0];
        let decision = serde_json::json!({ "release": true, "reason": "Documents checked",
            "outcome": { "irregularities": [], "additional_duty": "0.00" } });
        let (s, d) = app.post(&format!("/api/v1/declarations/{first}/decision"), &app.officer_token, &decision).await;
        assert_eq!(s, 200, "{backend}: {d}");
        let (_, queue) = app.get("/api/v1/work-queue", Some(&app.officer_token)).await;
        assert_eq!(queue.as_array().map(Vec::len), Some(2), "{backend}");
        assert!(queue.as_array().unwrap().iter().all(|c| c["declaration"]["id"] != first.as_str()), "{backend}");

        // Officers and administrators work it; a trader or an analyst does not.
        for token in [app.traders[0].token.as_str(), app.analyst_token.as_str()] {
            let (s, e) = app.get("/api/v1/work-queue", Some(token)).await;
            assert_eq!((s, e["error"]["code"].as_str()), (403, Some("AUTH_003")), "{backend}");
        }
        let (s, e) = app.get("/api/v1/work-queue?limit=0", Some(&app.officer_token)).await;
        assert_eq!((s, e["error"]["code"].as_str()), (400, Some("REQ_004")), "{backend}");
    }
}
