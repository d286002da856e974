//! The analysts' model page and the administrators' page: model versions and profile
//! effectiveness, retraining on demand; API tokens issued (shown once) and revoked from the
//! page; each page only for its roles.

use smartcustoms_testkit::{all_dbs, spawn_app};

use crate::declaration_page::{csrf_in, page, post_form};
use crate::sessions::session;

#[tokio::test]
async fn administrators_manage_tokens_and_analysts_read_the_model_on_their_pages() {
    for (backend, db) in all_dbs("console pages").await {
        let app = spawn_app(&db.url).await;
        let (admin, analyst, officer, trader) = (
            session(&app, "test-admin").await,
            session(&app, "test-analyst").await,
            session(&app, "test-officer").await,
            session(&app, &app.traders[0].token).await,
        );
        assert_eq!(page(&app, "/console/admin", &officer).await.0, 403, "{backend}: officers do not administer");
        assert_eq!(page(&app, "/console/models", &trader).await.0, 403, "{backend}: traders do not read the model");

        // A token issued on the page works until it is revoked there.
        let (s, html) = page(&app, "/console/admin", &admin).await;
        assert_eq!(s, 200, "{backend}");
        assert!(html.contains("test-officer"), "{backend}: the users are listed");
        let csrf = csrf_in(&html);
        let fields =
            [("_csrf", csrf.as_str()), ("action", "issue"), ("name", "Port community system"), ("role", "officer")];
        let (s, html) = post_form(&app, "/console/admin", &admin, &fields).await;
        assert_eq!(s, 200, "{backend}: {html}");
        let at = html.find("id=\"issued-token\">").unwrap() + 18;
        let token = html[at..].split('<').next().unwrap().to_string();
        assert_eq!(app.get("/api/v1/work-queue", Some(&token)).await.0, 200, "{backend}: the token works");
        let id = html.split("Token ").nth(1).and_then(|t| t.split(' ').next()).unwrap().to_string();
        let (s, _) =
            post_form(&app, "/console/admin", &admin, &[("_csrf", &csrf), ("action", "revoke"), ("id", &id)]).await;
        assert_eq!(s, 200, "{backend}");
        assert_eq!(app.get("/api/v1/work-queue", Some(&token)).await.0, 401, "{backend}: revoked");
        let (s, _) = post_form(
            &app,
            "/console/admin",
            &admin,
            &[("_csrf", &csrf), ("action", "issue"), ("name", ""), ("role", "officer")],
        )
        .await;
        assert_eq!(s, 422, "{backend}: a token needs a name");
        let (s, _) = post_form(&app, "/console/admin", &admin, &[("action", "revoke"), ("id", &id)]).await;
        assert_eq!(s, 403, "{backend}: nothing without the CSRF token");

        // The analyst reads the model page and retrains: too few outcomes is said, not hidden.
        let (s, html) = page(&app, "/console/models", &analyst).await;
        assert_eq!(s, 200, "{backend}");
        assert!(html.contains("Model versions") && html.contains("Retrain now"), "{backend}");
        let csrf = csrf_in(&html);
        let (s, html) = post_form(&app, "/console/models", &analyst, &[("_csrf", &csrf)]).await;
        assert_eq!(s, 409, "{backend}: {html}");
        assert!(html.contains("RISK_002"), "{backend}");
        let (s, html) = page(&app, "/console/models", &officer).await;
        assert_eq!(s, 200, "{backend}");
        assert!(!html.contains("Retrain now"), "{backend}: officers read, analysts retrain");
        let csrf = csrf_in(&page(&app, "/console/queue", &officer).await.1);
        assert_eq!(post_form(&app, "/console/models", &officer, &[("_csrf", &csrf)]).await.0, 403, "{backend}");
    }
}
