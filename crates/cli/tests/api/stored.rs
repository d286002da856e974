//! The JSON documents stored with a declaration (decision, duties, registration record)
//! carry their format: a record of the previous format (no `format`) reads as before, and a
//! record of a later format is refused instead of misread.

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
