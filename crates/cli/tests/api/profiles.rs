//! Analysts preview a risk profile on the declarations of the last days before saving it, by
//! the API and in the editor page; a text that does not parse is refused with line and column.

use smartcustoms_testkit::{all_dbs, spawn_app};

use crate::sessions::{no_redirect, session};

const EVERY_IMPORT: &str = "profile RP-ALL \"Every import\"\nwhen declaration.type = \"IM\"\nlane red\n\
                            instruction \"Inspect\"\nvalid from 2020-01-01\n";

#[tokio::test]
async fn an_analyst_previews_a_profile_on_past_declarations_then_saves_it() {
    for (backend, db) in all_dbs("profile preview").await {
        let app = spawn_app(&db.url).await;
        for seed in 0..12 {
            app.file(seed % 2, &app.declaration(seed % 2, 500 + seed as u64)).await;
        }
        let preview = |token: &str, text: &str, days: &str| {
            let req = app
                .client
                .post(format!("{}/api/v1/risk-profiles/preview?days={days}", app.base))
                .bearer_auth(token)
                .body(text.to_string());
            async move {
                let r = req.send().await.unwrap();
                (r.status().as_u16(), r.json::<serde_json::Value>().await.unwrap())
            }
        };
        let (s, p) = preview(&app.analyst_token, EVERY_IMPORT, "7").await;
        assert_eq!(s, 200, "{backend}: {p}");
        let replayed = p["report"]["declarations"].as_u64().unwrap();
        assert!(replayed >= 10, "{backend}: the registered declarations of the week: {p}");
        assert_eq!(p["hits"].as_u64(), Some(replayed), "{backend}: it fires on every import");
        assert_eq!(p["report"]["replayed"]["lanes"]["red"].as_u64(), Some(replayed), "{backend}: {p}");
        let not_red_before = replayed - p["report"]["actual"]["lanes"]["red"].as_u64().unwrap();
        assert_eq!(p["report"]["changed"].as_u64(), Some(not_red_before), "{backend}: {p}");
        let (_, profiles) = app.get("/api/v1/risk-profiles", Some(&app.analyst_token)).await;
        assert!(profiles.as_array().unwrap().iter().all(|p| p["code"] != "RP-ALL"), "{backend}: nothing saved");

        let (s, e) = preview(&app.analyst_token, "profile RP-X \"x\"\nwhen item.origin = \nlane red\n", "7").await;
        assert_eq!((s, e["error"]["code"].as_str()), (422, Some("RISK_001")), "{backend}: {e}");
        assert!(e["error"]["message"].as_str().unwrap().contains("line 2"), "{backend}: {e}");
        assert_eq!(preview(&app.officer_token, EVERY_IMPORT, "7").await.0, 403, "{backend}");
        assert_eq!(preview(&app.analyst_token, EVERY_IMPORT, "0").await.0, 400, "{backend}");

        // The editor page: preview keeps the text, an error shows by the field, save makes a version.
        let cookie = session(&app, "test-analyst").await;
        let get = |path: &str, cookie: &str| {
            let req = no_redirect().get(format!("{}{path}", app.base)).header("cookie", cookie.to_string());
            async move {
                let r = req.send().await.unwrap();
                (r.status().as_u16(), r.text().await.unwrap())
            }
        };
        let (s, html) = get("/console/profiles", &cookie).await;
        assert_eq!(s, 200, "{backend}");
        let at = html.find("name=\"_csrf\" value=\"").unwrap() + 20;
        let csrf = html[at..].split('"').next().unwrap().to_string();
        let post = |fields: Vec<(&'static str, String)>| {
            let req = no_redirect()
                .post(format!("{}/console/profiles", app.base))
                .header("cookie", cookie.clone())
                .form(&fields);
            async move {
                let r = req.send().await.unwrap();
                (r.status().as_u16(), r.text().await.unwrap())
            }
        };
        let form = |action: &str, text: &str| {
            vec![("_csrf", csrf.clone()), ("text", text.to_string()), ("days", "7".into()), ("action", action.into())]
        };
        let (s, html) = post(form("preview", EVERY_IMPORT)).await;
        assert_eq!(s, 200, "{backend}");
        assert!(html.contains("id=\"preview-hits\"") && html.contains("Every import"), "{backend}: text kept");
        let (s, html) = post(form("save", "profile RP-BAD\n")).await;
        assert_eq!(s, 422, "{backend}");
        assert!(html.contains("id=\"error-text\"") && html.contains("profile RP-BAD"), "{backend}");
        let (s, _) = post(form("save", EVERY_IMPORT)).await;
        assert_eq!(s, 303, "{backend}");
        let (_, html) = get("/console/profiles?code=RP-ALL&saved=1", &cookie).await;
        assert!(html.contains("id=\"saved\"") && html.contains("RP-ALL"), "{backend}");
        let (_, filed) = app.file(0, &app.declaration(0, 599)).await;
        assert_eq!(filed["lane"], "red", "{backend}: in force at once");

        let officer = session(&app, "test-officer").await;
        assert_eq!(get("/console/profiles", &officer).await.0, 403, "{backend}: an inspector does not edit profiles");
    }
}
