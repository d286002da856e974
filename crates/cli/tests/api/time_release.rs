//! Time release, published without sign-in.

use smartcustoms_testkit::{all_dbs, spawn_app};

#[tokio::test]
async fn time_release_counts_every_declaration_of_the_period_by_lane_office_and_hour() {
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
        for groups in ["by_lane", "by_office", "by_hour"] {
            assert_eq!(sum(&r[groups]), registered as u64, "{backend}: {groups} covers every declaration");
        }
        offices.sort();
        offices.dedup();
        let keys: Vec<&str> = r["by_office"].as_array().unwrap().iter().map(|g| g["key"].as_str().unwrap()).collect();
        assert_eq!(keys, offices, "{backend}");
        // Nothing names a declaration or a trader.
        let text = r.to_string();
        assert!(!text.contains(&app.traders[0].id), "{backend}: {text}");

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
