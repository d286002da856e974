//! Trader organisations and customs representatives: users with capacities added by the
//! organisation's administrator, each doing only what its capacities allow; a broker filing for
//! a declarant that authorised it, and refused for one that did not, after a revocation and
//! after the authorisation expired; the declaration says who filed for whom.

use serde_json::json;
use smartcustoms_core::timestamp::Timestamp;
use smartcustoms_storage::AuthorisationRecord;
use smartcustoms_testkit::{all_dbs, spawn_app, TestApp};

use crate::declaration_page::{csrf_in, page, post_form};
use crate::sessions::session;

/// Files `doc` as trader `filer` (signed with its key); status and body.
async fn file_as(
    app: &TestApp,
    filer: usize,
    doc: &smartcustoms_core::declaration::DeclarationDoc,
) -> (u16, serde_json::Value) {
    let body = serde_json::to_vec(doc).unwrap();
    let r = app.file_raw(filer, body, Some(&app.traders[filer].key.clone()), None).await;
    (r.status().as_u16(), r.json().await.unwrap_or_default())
}

#[tokio::test]
async fn an_organisation_has_users_with_capacities_and_a_broker_files_only_under_authorisation() {
    for (backend, db) in all_dbs("organisations and brokers").await {
        let app = spawn_app(&db.url).await;
        let (owner, broker) = (app.traders[0].token.clone(), app.traders[1].token.clone());

        // The organisation's own account adds a viewer and a filer.
        for (name, caps) in [("clerk-view", json!(["viewer"])), ("clerk-file", json!(["filer", "viewer"]))] {
            let user =
                json!({ "name": name, "display_name": name, "password": "clerk password 1", "capacities": caps });
            let (s, body) = app.post("/api/v1/organisation/members", &owner, &user).await;
            assert_eq!(s, 201, "{backend}: {body}");
        }
        let again = json!({ "name": "clerk-view", "display_name": "x", "password": "clerk password 1", "capacities": ["viewer"] });
        assert_eq!(
            app.post("/api/v1/organisation/members", &owner, &again).await.0,
            409,
            "{backend}: a name is taken once"
        );
        let odd =
            json!({ "name": "clerk-x", "display_name": "x", "password": "clerk password 1", "capacities": ["owner"] });
        let (s, body) = app.post("/api/v1/organisation/members", &owner, &odd).await;
        assert_eq!((s, body["error"]["code"].as_str()), (400, Some("REQ_004")), "{backend}: {body}");
        let (_, members) = app.get("/api/v1/organisation/members", Some(&owner)).await;
        assert_eq!(members.as_array().unwrap().len(), 3, "{backend}: {members}");

        // Each does only what it may: the viewer neither files nor asks for refunds.
        let sign_in = |name: &'static str| {
            let base = app.base.clone();
            async move {
                let r = crate::sessions::no_redirect()
                    .post(format!("{base}/login"))
                    .form(&[("username", name), ("password", "clerk password 1"), ("next", "/trader/declarations")])
                    .send()
                    .await
                    .unwrap();
                assert_eq!(r.status(), 303, "{name} signs in");
                r.headers()["set-cookie"].to_str().unwrap().split(';').next().unwrap().to_string()
            }
        };
        let viewer = sign_in("clerk-view").await;
        assert_eq!(page(&app, "/trader/declarations", &viewer).await.0, 200, "{backend}: the viewer reads");
        assert_eq!(page(&app, "/trader/file", &viewer).await.0, 403, "{backend}: the viewer does not file");
        let (_, html) = page(&app, "/trader/account", &viewer).await;
        let csrf = csrf_in(&html);
        let (s, _) = post_form(
            &app,
            "/trader/account/refunds",
            &viewer,
            &[("_csrf", &csrf), ("amount", "10.00"), ("key", "k1")],
        )
        .await;
        assert_eq!(s, 403, "{backend}: the viewer does not ask for refunds");
        let filer = sign_in("clerk-file").await;
        assert_eq!(page(&app, "/trader/file", &filer).await.0, 200, "{backend}: the filer files");
        assert_eq!(page(&app, "/trader/organisation", &filer).await.0, 200, "{backend}");
        let (_, members) = app.get("/api/v1/organisation/members", None).await;
        assert!(members.get("error").is_some(), "{backend}: members need a sign-in");

        // A broker files for a declarant that never authorised it: refused.
        let doc = app.declaration(0, 71);
        let (s, body) = file_as(&app, 1, &doc).await;
        assert_eq!((s, body["error"]["code"].as_str()), (403, Some("AUTH_005")), "{backend}: {body}");

        // Authorised, it files for the declarant: charged to the declarant, recorded with both.
        let today = chrono::Utc::now().date_naive();
        let grant = json!({ "representative": app.traders[1].id, "valid_from": today, "valid_until": today + chrono::Days::new(30) });
        let (s, authorisation) = app.post("/api/v1/authorisations", &owner, &grant).await;
        assert_eq!(s, 201, "{backend}: {authorisation}");
        let (s, body) = app
            .post(
                "/api/v1/authorisations",
                &broker,
                &json!({ "representative": app.traders[0].id,
            "valid_from": today, "valid_until": today - chrono::Days::new(1) }),
            )
            .await;
        assert_eq!(s, 400, "{backend}: a period that ended: {body}");
        let (s, filed) = file_as(&app, 1, &doc).await;
        assert_eq!(s, 201, "{backend}: {filed}");
        assert_eq!(filed["declarant"], app.traders[0].id.as_str(), "{backend}");
        let id = filed["id"].as_str().unwrap().to_string();
        let (_, view) = app.get(&format!("/api/v1/declarations/{id}"), Some(&broker)).await;
        assert_eq!(view["representative"], app.traders[1].id.as_str(), "{backend}: {view}");
        let (_, represented) = app.get("/api/v1/declarations?represented=true", Some(&broker)).await;
        assert_eq!(represented.as_array().unwrap().len(), 1, "{backend}: {represented}");
        let (_, own) = app.get("/api/v1/declarations", Some(&broker)).await;
        assert!(own.as_array().unwrap().is_empty(), "{backend}: not the broker's own declaration");
        let (_, events) = app.get(&format!("/api/v1/declarations/{id}/events"), Some(&owner)).await;
        let submitted = events.as_array().unwrap().iter().find(|e| e["action"] == "submitted").unwrap().clone();
        let details: serde_json::Value = serde_json::from_str(submitted["details"].as_str().unwrap()).unwrap();
        assert_eq!(
            (details["representative"].as_str(), details["filed_by"].as_str()),
            (Some(app.traders[1].id.as_str()), Some(app.traders[1].party.name.as_str())),
            "{backend}: the token of the broker's software"
        );
        let (s, html) = page(&app, &format!("/declarations/{id}"), &session(&app, &owner).await).await;
        assert_eq!(s, 200, "{backend}");
        assert!(html.contains("Filed by representative"), "{backend}");

        // Not for another declarant that never authorised it.
        let mut other = app.declaration(0, 72);
        other.declarant.as_mut().unwrap().id = Some("DE999999999999999".into());
        let (s, body) = file_as(&app, 1, &other).await;
        assert_eq!((s, body["error"]["code"].as_str()), (403, Some("AUTH_005")), "{backend}: {body}");

        // Revoked: no longer, with its own code.
        let auth_id = authorisation["id"].as_str().unwrap();
        let r = app
            .client
            .delete(format!("{}/api/v1/authorisations/{auth_id}", app.base))
            .bearer_auth(&broker)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 404, "{backend}: only the declarant revokes");
        let r = app
            .client
            .delete(format!("{}/api/v1/authorisations/{auth_id}", app.base))
            .bearer_auth(&owner)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 204, "{backend}");
        let (s, body) = file_as(&app, 1, &app.declaration(0, 73)).await;
        assert_eq!((s, body["error"]["code"].as_str()), (403, Some("AUTH_009")), "{backend}: {body}");

        // Expired: the same.
        let expired = AuthorisationRecord {
            id: "expired-1".into(),
            representative: app.traders[1].id.clone(),
            declarant: app.traders[0].id.clone(),
            valid_from: today - chrono::Days::new(60),
            valid_until: today - chrono::Days::new(1),
            granted_by: "test-trader-1".into(),
            granted_at_us: Timestamp::now(),
            revoked_by: None,
            revoked_at_us: None,
        };
        app.store.grant(&expired).await.unwrap();
        let (s, body) = file_as(&app, 1, &app.declaration(0, 74)).await;
        assert_eq!((s, body["error"]["code"].as_str()), (403, Some("AUTH_009")), "{backend}: {body}");
        let (_, list) = app.get("/api/v1/authorisations", Some(&broker)).await;
        assert_eq!(list.as_array().unwrap().len(), 2, "{backend}: the broker sees what it holds: {list}");
    }
}
