//! Authentication and authorisation.

use smartcustoms_testkit::{spawn_app, sqlite_db};

#[tokio::test]
async fn requests_without_a_valid_token_are_refused_with_a_code() {
    let db = sqlite_db();
    let app = spawn_app(&db.url).await;
    let (s, body) = app.get("/api/v1/declarations", None).await;
    assert_eq!((s, body["error"]["code"].as_str()), (401, Some("AUTH_001")));
    let (s, body) = app.get("/api/v1/declarations", Some("not-a-token")).await;
    assert_eq!((s, body["error"]["code"].as_str()), (401, Some("AUTH_002")));
    let r = app.client.post(format!("{}/api/v1/declarations", app.base)).body("{}").send().await.unwrap();
    assert_eq!(r.status(), 401);
}

#[tokio::test]
async fn a_trader_never_sees_another_traders_declaration() {
    let db = sqlite_db();
    let app = spawn_app(&db.url).await;
    let (_, body) = app.file(0, &app.declaration(0, 1)).await;
    let id = body["id"].as_str().unwrap();
    let (s, other) = app.get(&format!("/api/v1/declarations/{id}"), Some(&app.traders[1].token)).await;
    assert_eq!((s, other["error"]["code"].as_str()), (404, Some("AUTH_004")));
    let (s, _) = app.get(&format!("/api/v1/declarations/{id}/events"), Some(&app.traders[1].token)).await;
    assert_eq!(s, 404);
    let (_, list) = app.get("/api/v1/declarations", Some(&app.traders[1].token)).await;
    assert!(list.as_array().unwrap().is_empty());
    // Asking for another declarant in the listing does not widen a trader's view.
    let (_, list) =
        app.get(&format!("/api/v1/declarations?declarant={}", app.traders[0].id), Some(&app.traders[1].token)).await;
    assert!(list.as_array().unwrap().is_empty());
    // An officer sees it.
    let (s, _) = app.get(&format!("/api/v1/declarations/{id}"), Some(&app.officer_token)).await;
    assert_eq!(s, 200);
}

#[tokio::test]
async fn a_trader_cannot_file_in_another_declarants_name_and_officers_cannot_file() {
    let db = sqlite_db();
    let app = spawn_app(&db.url).await;
    let doc = app.declaration(1, 2);
    let body = serde_json::to_vec(&doc).unwrap();
    let r = app.file_raw(0, body.clone(), Some(&app.traders[0].key.clone()), None).await;
    assert_eq!(r.status(), 403);
    assert_eq!(r.json::<serde_json::Value>().await.unwrap()["error"]["code"], "AUTH_005");
    let r = app
        .client
        .post(format!("{}/api/v1/declarations", app.base))
        .bearer_auth(&app.officer_token)
        .body(body)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403);
    assert_eq!(r.json::<serde_json::Value>().await.unwrap()["error"]["code"], "AUTH_003");
    let (s, _) = app.get("/api/v1/notifications", Some(&app.traders[0].token)).await;
    assert_eq!(s, 403);
}

#[tokio::test]
async fn traders_register_keys_and_sign_with_them() {
    let db = sqlite_db();
    let app = spawn_app(&db.url).await;
    let key = ed25519_dalek::SigningKey::from_bytes(&[42; 32]);
    let public = smartcustoms_core::signature::encode_public_key(&key.verifying_key());
    let register = |pk: String| {
        let app = &app;
        async move {
            app.client
                .post(format!("{}/api/v1/keys", app.base))
                .bearer_auth(&app.traders[0].token)
                .json(&serde_json::json!({ "public_key": pk }))
                .send()
                .await
                .unwrap()
        }
    };
    let r = register(public.clone()).await;
    assert_eq!(r.status(), 201);
    assert_eq!(register(public).await.status(), 409);
    let r = register("short".into()).await;
    assert_eq!(r.json::<serde_json::Value>().await.unwrap()["error"]["code"], "KEY_001");
    let body = serde_json::to_vec(&app.declaration(0, 4)).unwrap();
    let r = app.file_raw(0, body, Some(&key), None).await;
    let v: serde_json::Value = r.json().await.unwrap();
    assert_ne!(v["state"], "refused", "{v}");
    let (_, keys) = app.get("/api/v1/keys", Some(&app.traders[0].token)).await;
    assert_eq!(keys.as_array().unwrap().len(), 2);
}
