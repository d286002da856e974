//! The reference data of decisions (profiles, offices, tariff, model, categories, prices) is
//! one snapshot: a reload that fails keeps the snapshot in force, counts the failure, and
//! filing goes on deciding with it.

use sqlx::Connection;

use smartcustoms_testkit::{spawn_app, sqlite_db};

async fn failures(app: &smartcustoms_testkit::TestApp) -> u64 {
    let text = app.client.get(format!("{}/metrics", app.base)).send().await.unwrap().text().await.unwrap();
    text.lines()
        .find_map(|l| l.strip_prefix("smartcustoms_reference_reload_failures_total "))
        .and_then(|v| v.trim().parse().ok())
        .expect("the metric is exported")
}

#[tokio::test]
async fn a_reload_that_fails_keeps_the_snapshot_in_force() {
    let db = sqlite_db();
    let app = spawn_app(&db.url).await;
    let before = app.state.reference();
    assert!(!before.offices.is_empty() && !before.profiles.is_empty());
    assert_eq!(failures(&app).await, 0);

    // The offices table disappears under the running server.
    let mut conn = sqlx::SqliteConnection::connect(&db.url).await.unwrap();
    sqlx::query("ALTER TABLE offices RENAME TO offices_away").execute(&mut conn).await.unwrap();
    assert!(app.state.reload_reference_data().await.is_err());
    assert!(failures(&app).await >= 1, "the failure is counted");
    let after = app.state.reference();
    assert_eq!(after.offices, before.offices, "never an empty office list");
    assert_eq!(after.profiles.len(), before.profiles.len(), "never an empty profile list");

    // Filings are still checked against the offices and profiles in force.
    let (status, body) = app.file(0, &app.declaration(0, 7)).await;
    assert_eq!(status, 201, "{body}");
    assert!(body["registration_number"].is_string(), "{body}");

    sqlx::query("ALTER TABLE offices_away RENAME TO offices").execute(&mut conn).await.unwrap();
    app.state.reload_reference_data().await.unwrap();
}
