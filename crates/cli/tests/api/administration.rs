//! The administrator's pages: people added with a role (input kept on a problem, never the
//! password) and disabled; offices created; centres, inspectors and new versions of the
//! dispatch rules set from the centres' page, with JSON errors given by line and column; none
//! of it for other roles or without the form's CSRF token.

use smartcustoms_testkit::{all_dbs, spawn_app};

use crate::declaration_page::{csrf_in, page, post_form};
use crate::sessions::{session, sign_in_as};

#[tokio::test]
async fn an_administrator_adds_and_disables_people_and_sets_offices_centres_inspectors_and_rules() {
    for (backend, db) in all_dbs("administration").await {
        let app = spawn_app(&db.url).await;
        let (admin, officer) = (session(&app, "test-admin").await, session(&app, "test-officer").await);
        let csrf = csrf_in(&page(&app, "/console/admin", &admin).await.1);
        let (app_ref, admin_ref) = (&app, &admin);
        let add = |name: &'static str, role: &'static str, password: &'static str| {
            let csrf = csrf.clone();
            async move {
                let fields = [
                    ("_csrf", csrf.as_str()),
                    ("action", "add_person"),
                    ("name", name),
                    ("display_name", "Nadia Petrova"),
                    ("role", role),
                    ("party", ""),
                    ("password", password),
                ];
                post_form(app_ref, "/console/admin", admin_ref, &fields).await
            }
        };

        // A short password: refused, the other fields kept, the password not.
        let (s, html) = add("n.petrova", "officer", "short").await;
        assert_eq!(s, 422, "{backend}: {html}");
        assert!(html.contains("10 to 200 characters"), "{backend}");
        assert!(html.contains("value=\"n.petrova\"") && html.contains("value=\"Nadia Petrova\""), "{backend}: kept");
        assert!(!html.contains("value=\"short\""), "{backend}: a password is never sent back");
        let (s, html) = add("n.petrova", "trader", "a long first password").await;
        assert_eq!(s, 422, "{backend}: a trader's user names its organisation: {html}");

        // Added, the person signs in; disabled, it cannot.
        let (s, html) = add("n.petrova", "officer", "a long first password").await;
        assert_eq!(s, 200, "{backend}: {html}");
        assert!(html.contains("n.petrova can sign in now"), "{backend}");
        assert_eq!(sign_in_as(&app, "n.petrova", "a long first password").await.status(), 303, "{backend}");
        assert_eq!(add("n.petrova", "officer", "a long first password").await.0, 422, "{backend}: the name is taken");

        // Made an inspector of a new centre, on leave for a week.
        let (s, html) = page(&app, "/console/centres", &admin).await;
        assert_eq!(s, 200, "{backend}");
        let csrf_c = csrf_in(&html);
        let centre = [
            ("_csrf", csrf_c.as_str()),
            ("action", "centre"),
            ("code", "EDC-AIR"),
            ("name", "Airport centre"),
            ("office", ""),
        ];
        let (s, html) = post_form(&app, "/console/centres", &admin, &centre).await;
        assert_eq!(s, 200, "{backend}: {html}");
        let bad =
            [("_csrf", csrf_c.as_str()), ("action", "centre"), ("code", "air"), ("name", "Airport"), ("office", "")];
        assert_eq!(
            post_form(&app, "/console/centres", &admin, &bad).await.0,
            422,
            "{backend}: a centre code in capitals"
        );
        let inspector = [
            ("_csrf", csrf_c.as_str()),
            ("action", "inspector"),
            ("user", "n.petrova"),
            ("centre", "EDC-AIR"),
            ("competences", "valuation, air"),
            ("leave_from", "2030-01-01"),
            ("leave_until", "2030-01-07"),
        ];
        let (s, html) = post_form(&app, "/console/centres", &admin, &inspector).await;
        assert_eq!(s, 200, "{backend}: {html}");
        let setup = app.get("/api/v1/dispatch", Some("test-admin")).await.1;
        let petrova =
            setup["inspectors"].as_array().unwrap().iter().find(|i| i["user"] == "n.petrova").unwrap().clone();
        assert_eq!(petrova["centre"], "EDC-AIR", "{backend}");
        assert_eq!(petrova["competences"], serde_json::json!(["air", "valuation"]), "{backend}");
        assert!(petrova["leave_until_us"].as_i64().unwrap() > petrova["leave_from_us"].as_i64().unwrap(), "{backend}");

        // Rules: a syntax error by line and column, an unknown centre listed, then a version.
        let rules =
            |text: &'static str| [("_csrf", csrf_c.clone()), ("action", "rules".into()), ("rules", text.into())];
        let (s, html) = post_form(&app, "/console/centres", &admin, &as_pairs(&rules("{\n  \"rules\": [,\n"))).await;
        assert_eq!(s, 422, "{backend}");
        assert!(html.contains("line 2, column"), "{backend}: {html}");
        assert!(html.contains("[,"), "{backend}: the text is kept");
        let unknown = "{\"rules\": [], \"default_centre\": \"EDC-NOWHERE\"}";
        let (s, html) = post_form(&app, "/console/centres", &admin, &as_pairs(&rules(unknown))).await;
        assert_eq!(s, 422, "{backend}");
        assert!(html.contains("EDC-NOWHERE"), "{backend}");
        let good = "{\"rules\": [{\"name\": \"air freight\", \"when\": {\"transport_modes\": [\"4\"]}, \"centre\": \"EDC-AIR\"}], \"default_centre\": \"EDC-AIR\"}";
        let (s, html) = post_form(&app, "/console/centres", &admin, &as_pairs(&rules(good))).await;
        assert_eq!(s, 200, "{backend}: {html}");
        assert!(html.contains("air freight"), "{backend}: the rules in force are shown");

        // Offices.
        let office =
            [("_csrf", csrf.as_str()), ("action", "office"), ("code", "DE00AIR1"), ("office_name", "Airport office")];
        let (s, html) = post_form(&app, "/console/admin", &admin, &office).await;
        assert_eq!(s, 200, "{backend}: {html}");
        assert!(html.contains("DE00AIR1") && html.contains("Airport office"), "{backend}");
        let wrong =
            [("_csrf", csrf.as_str()), ("action", "office"), ("code", "AIR"), ("office_name", "Airport office")];
        assert_eq!(post_form(&app, "/console/admin", &admin, &wrong).await.0, 422, "{backend}");

        // Disabled: no more sign-in.
        let disable = [("_csrf", csrf.as_str()), ("action", "disable"), ("name", "n.petrova")];
        let (s, html) = post_form(&app, "/console/admin", &admin, &disable).await;
        assert_eq!(s, 200, "{backend}: {html}");
        assert_ne!(sign_in_as(&app, "n.petrova", "a long first password").await.status(), 303, "{backend}");
        let myself = [("_csrf", csrf.as_str()), ("action", "disable"), ("name", "test-admin")];
        assert_eq!(post_form(&app, "/console/admin", &admin, &myself).await.0, 422, "{backend}");

        // Nobody else, and nothing without the CSRF token.
        let csrf_o = csrf_in(&page(&app, "/console/queue", &officer).await.1);
        let by_officer =
            [("_csrf", csrf_o.as_str()), ("action", "centre"), ("code", "EDC-X"), ("name", "X"), ("office", "")];
        assert_eq!(post_form(&app, "/console/centres", &officer, &by_officer).await.0, 403, "{backend}");
        let person = [("_csrf", csrf_o.as_str()), ("action", "disable"), ("name", "test-analyst")];
        assert_eq!(post_form(&app, "/console/admin", &officer, &person).await.0, 403, "{backend}");
        assert_eq!(post_form(&app, "/console/admin", &admin, &disable[1..]).await.0, 403, "{backend}: no CSRF token");
        let (s, html) = page(&app, "/console/centres", &officer).await;
        assert_eq!(s, 200, "{backend}");
        assert!(!html.contains("rules-form"), "{backend}: the set-up forms are the administrator's");
    }
}

fn as_pairs<'a>(fields: &'a [(&'a str, String); 3]) -> [(&'a str, &'a str); 3] {
    [(fields[0].0, fields[0].1.as_str()), (fields[1].0, fields[1].1.as_str()), (fields[2].0, fields[2].1.as_str())]
}
