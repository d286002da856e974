//! The JSON documents stored with a declaration (decision, duties, registration record, the
//! checked declaration) carry their format: a record of the previous format (no `format`) reads
//! as before, and a record of a later format is refused instead of misread. The checked
//! declaration is what the risk model learns from.

use sqlx::Connection;

use smartcustoms_testkit::{all_dbs, spawn_app};

/// Runs `statement` on the test database, whichever backend it is.
async fn execute(url: &str, statement: &str) {
    if url.starts_with("sqlite:") {
        let mut c = sqlx::SqliteConnection::connect(url).await.unwrap();
        sqlx::query(statement).execute(&mut c).await.unwrap();
    } else {
        let mut c = sqlx::PgConnection::connect(url).await.unwrap();
        sqlx::query(statement).execute(&mut c).await.unwrap();
    }
}

/// The stored documents of declaration `id`, concatenated.
async fn documents(url: &str, id: &str) -> String {
    let q =
        format!("SELECT decision || COALESCE(duties, '') || COALESCE(pending, '') FROM declarations WHERE id = '{id}'");
    if url.starts_with("sqlite:") {
        let mut c = sqlx::SqliteConnection::connect(url).await.unwrap();
        sqlx::query_scalar(&q).fetch_one(&mut c).await.unwrap()
    } else {
        let mut c = sqlx::PgConnection::connect(url).await.unwrap();
        sqlx::query_scalar(&q).fetch_one(&mut c).await.unwrap()
    }
}

#[tokio::test]
async fn a_declaration_stored_in_the_previous_format_reads_the_same() {
    for (backend, db) in all_dbs("stored formats").await {
        let app = spawn_app(&db.url).await;
        let (status, filed) = app.file(0, &app.declaration(0, 11)).await;
        assert_eq!(status, 201, "{backend}: {filed}");
        let id = filed["id"].as_str().unwrap().to_string();
        let path = format!("/api/v1/declarations/{id}");
        let (_, now) = app.get(&path, Some(&app.officer_token)).await;
        assert!(now["duties"].is_object() && now["duties"].get("format").is_none(), "{backend}: {now}");

        assert_eq!(documents(&db.url, &id).await.matches("\"format\":1").count(), 3, "{backend}");
        // The same row as a version without document formats wrote it.
        for column in ["decision", "duties", "pending"] {
            execute(
                &db.url,
                &format!(
                    "UPDATE declarations SET {column} = REPLACE(REPLACE({column}, ',\"format\":1', ''), '\"format\":1,', '') \
                     WHERE id = '{id}'"
                ),
            )
            .await;
        }
        assert!(!documents(&db.url, &id).await.contains("format"), "{backend}");
        let (status, before) = app.get(&path, Some(&app.officer_token)).await;
        assert_eq!(status, 200, "{backend}: {before}");
        assert_eq!(before, now, "{backend}");

        // A row of a later format is refused, not misread.
        execute(
            &db.url,
            &format!("UPDATE declarations SET decision = '{{\"format\":99,' || SUBSTR(decision, 2) WHERE id = '{id}'"),
        )
        .await;
        let (status, body) = app.get(&path, Some(&app.officer_token)).await;
        assert_eq!((status, body["error"]["code"].as_str()), (503, Some("SYS_001")), "{backend}: {body}");
    }
}

#[tokio::test]
async fn the_declaration_as_checked_at_registration_is_what_the_risk_model_learns_from() {
    for (backend, db) in all_dbs("checked declarations").await {
        let app = spawn_app(&db.url).await;
        let (status, filed) = app.file(0, &app.declaration(0, 12)).await;
        assert_eq!(status, 201, "{backend}: {filed}");
        let store = smartcustoms_storage::open(&db.url).await.unwrap();
        let now = chrono::Utc::now() + chrono::Duration::minutes(1);
        let loaded = smartcustoms_http::app::risk::load(store.as_ref(), now, 1).await.unwrap();
        assert_eq!((loaded.cases.len(), loaded.skipped.len()), (1, 0), "{backend}");
        let kept = loaded.cases[0].declaration.clone();

        // The filed bytes as a control rule added later would see them: no longer accepted.
        // The case is still learnt from, as it was checked when filed.
        let unreadable = match backend {
            "sqlite" => "CAST('{ not a declaration' AS BLOB)",
            _ => "convert_to('{ not a declaration', 'UTF8')",
        };
        execute(&db.url, &format!("UPDATE declarations SET document = {unreadable}")).await;
        let loaded = smartcustoms_http::app::risk::load(store.as_ref(), now, 1).await.unwrap();
        assert_eq!((loaded.cases.len(), loaded.skipped.len()), (1, 0), "{backend}");
        assert_eq!(loaded.cases[0].declaration, kept, "{backend}");

        // A record written before the checked declaration was kept is checked again, and
        // counted as skipped when it no longer passes.
        execute(&db.url, "UPDATE declarations SET checked = NULL").await;
        let loaded = smartcustoms_http::app::risk::load(store.as_ref(), now, 1).await.unwrap();
        assert_eq!(loaded.cases.len(), 0, "{backend}");
        assert_eq!(loaded.skipped.get(&smartcustoms_http::app::risk::Skipped::Document), Some(&1), "{backend}");
    }
}
