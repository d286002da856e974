//! The knowledge base through the API: the catalogue and its consistency with what the server
//! exposes, the survey repository with its confidentiality, and the maturity self-assessment.

use base64::Engine;
use serde_json::{json, Value};

use smartcustoms_core::knowledge::{Status, CAPABILITIES};
use smartcustoms_testkit::{all_dbs, spawn_app, sqlite_db, TestApp, TEST_PASSWORD};

const MEMBER_1: &str = "test-member-1";
const MEMBER_2: &str = "test-member-2";

#[tokio::test]
async fn the_catalogue_lists_71_technologies_46_terms_and_the_instruments() {
    let db = sqlite_db();
    let app = spawn_app(&db.url).await;
    let (s, all) = app.get("/api/v1/knowledge/technologies", None).await;
    assert_eq!(s, 200);
    let all = all.as_array().unwrap();
    assert_eq!(all.len(), 71);
    for t in all {
        for field in ["number", "name", "group", "summary", "capabilities", "status"] {
            assert!(!t[field].is_null(), "{field} missing in {t}");
        }
    }
    let (_, one) = app.get("/api/v1/knowledge/technologies/34", None).await;
    assert_eq!(one["status"], "implemented");
    assert!(one["capabilities"].as_array().unwrap().iter().any(|c| c["id"] == "C1"));
    let (_, partial) = app.get("/api/v1/knowledge/technologies?status=partial&group=automation", None).await;
    assert!(partial.as_array().unwrap().iter().all(|t| t["status"] == "partial" && t["group"] == "automation"));
    let (s, bad) = app.get("/api/v1/knowledge/technologies?group=nowhere", None).await;
    assert_eq!((s, bad["error"]["code"].as_str()), (400, Some("REQ_004")));
    let (s, missing) = app.get("/api/v1/knowledge/technologies/72", None).await;
    assert_eq!((s, missing["error"]["code"].as_str()), (404, Some("RES_001")));

    let (_, terms) = app.get("/api/v1/knowledge/terms", None).await;
    assert_eq!(terms.as_array().unwrap().len(), 46);
    let (s, term) = app.get("/api/v1/knowledge/terms/single-personal-account", None).await;
    assert_eq!(s, 200);
    assert!(term["definition"].as_str().unwrap().len() > 20);

    let (_, instruments) = app.get("/api/v1/knowledge/instruments", None).await;
    let count = instruments.as_array().unwrap().len();
    assert!(count >= 50, "{count} instruments");
    let (_, blockchain) = app.get("/api/v1/knowledge/instruments?q=blockchain", None).await;
    let found = blockchain.as_array().unwrap();
    assert!(!found.is_empty() && found.len() < count);
    assert!(found.iter().all(|i| i.to_string().to_lowercase().contains("blockchain")));
}

/// A request to an evidence endpoint: the route exists when the answer is anything but the
/// router's own "no such endpoint" or "method not allowed".
async fn routed(app: &TestApp, method: &str, path: &str) -> bool {
    let concrete = path.replace("{id}", "1").replace("{number}", "1").replace("{n}", "1");
    let url = format!("{}{concrete}", app.base);
    let req = match method {
        "GET" => app.client.get(url),
        "POST" => app.client.post(url).json(&json!({})),
        other => panic!("evidence uses method {other}"),
    };
    let r = req.bearer_auth("test-admin").send().await.unwrap();
    let status = r.status().as_u16();
    let body = r.text().await.unwrap_or_default();
    status != 405 && !(status == 404 && body.contains("this endpoint not found"))
}

#[tokio::test]
async fn every_capability_the_catalogue_claims_is_routed_and_documented() {
    let db = sqlite_db();
    let app = spawn_app(&db.url).await;
    let (_, doc) = app.get("/api/v1/openapi.json", None).await;
    let (_, technologies) = app.get("/api/v1/knowledge/technologies", None).await;
    let claimed: Vec<&str> = technologies
        .as_array()
        .unwrap()
        .iter()
        .filter(|t| t["status"] == "implemented" || t["status"] == "partial")
        .flat_map(|t| t["capabilities"].as_array().unwrap().iter())
        .filter(|c| c["status"] == "implemented" || c["status"] == "partial")
        .map(|c| c["id"].as_str().unwrap())
        .collect();
    assert!(claimed.contains(&"A4") && claimed.contains(&"G4"));
    for cap in CAPABILITIES.iter().filter(|c| matches!(c.status, Status::Implemented | Status::Partial)) {
        assert!(!cap.evidence.is_empty(), "{} claims to be built but names nothing that exposes it", cap.id);
        for e in cap.evidence {
            let (method, path) = e.split_once(' ').unwrap();
            if path.starts_with("/api/") {
                let documented = &doc["paths"][path][method.to_lowercase()];
                assert!(documented.is_object(), "{}: {e} is not in the OpenAPI document", cap.id);
            }
            assert!(routed(&app, method, path).await, "{}: {e} is not served", cap.id);
        }
    }
    // The check itself tells an unserved endpoint apart.
    assert!(!routed(&app, "GET", "/api/v1/knowledge/nothing-here").await);
}

fn answer(title: &str, outline: &str, confidential: &[&str]) -> Value {
    json!({
        "organization": "Customs of Examplestan",
        "respondent": "A. Officer",
        "email": "a.officer@customs.example",
        "country": "EE",
        "stakeholder_group": "customs_administration",
        "title": title,
        "primary_technology": "ai_ml",
        "secondary_technologies": ["big_data"],
        "use_cases": ["risk_management", "efficiency"],
        "performance_improvements": ["fair_revenue"],
        "status": "under_development",
        "outline": outline,
        "benefits": ["efficiency"],
        "confidential": confidential,
    })
}

#[tokio::test]
async fn survey_answers_are_validated_field_by_field() {
    let db = sqlite_db();
    let app = spawn_app(&db.url).await;
    let mut bad = answer("T", "o", &[]);
    bad["email"] = json!("nobody");
    bad["country"] = json!("XX");
    bad["use_cases"] = json!(["juggling"]);
    bad["outline"] = json!("word ".repeat(501));
    let (s, body) = app.post("/api/v1/knowledge/survey", MEMBER_1, &json!({ "answer": bad })).await;
    assert_eq!((s, body["error"]["code"].as_str()), (422, Some("KB_001")));
    let findings: Vec<(&str, &str)> = body["error"]["details"]["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| (f["field"].as_str().unwrap(), f["code"].as_str().unwrap()))
        .collect();
    assert_eq!(
        findings,
        vec![
            ("email", "SURVEY_004"),
            ("country", "SURVEY_005"),
            ("use_cases[0]", "SURVEY_003"),
            ("outline", "SURVEY_006")
        ]
    );
    // Unknown fields and bad base64 are refused too; nothing was stored.
    let (s, body) = app.post("/api/v1/knowledge/survey", MEMBER_1, &json!({ "answer": { "colour": "red" } })).await;
    assert_eq!((s, body["error"]["code"].as_str()), (422, Some("REQ_002")));
    let file = json!({ "name": "a.pdf", "content_type": "application/pdf", "data": "***" });
    let (s, body) = app
        .post("/api/v1/knowledge/survey", MEMBER_1, &json!({ "answer": answer("T", "o", &[]), "attachments": [file] }))
        .await;
    assert_eq!((s, body["error"]["details"]["findings"][0]["code"].as_str()), (422, Some("SURVEY_007")));
    let big = base64::engine::general_purpose::STANDARD.encode(vec![7u8; 10 * 1024 * 1024 + 1]);
    let file = json!({ "name": "big.bin", "content_type": "application/octet-stream", "data": big });
    let (s, body) = app
        .post("/api/v1/knowledge/survey", MEMBER_1, &json!({ "answer": answer("T", "o", &[]), "attachments": [file] }))
        .await;
    assert_eq!((s, body["error"]["details"]["findings"][0]["field"].as_str()), (422, Some("attachments[0]")));
    // Traders do not submit; nobody submits without a token.
    let (s, _) =
        app.post("/api/v1/knowledge/survey", &app.traders[0].token, &json!({ "answer": answer("T", "o", &[]) })).await;
    assert_eq!(s, 403);
    let (s, list) = app.get("/api/v1/knowledge/survey", Some(MEMBER_1)).await;
    assert_eq!((s, list.as_array().map(Vec::len)), (200, Some(0)));
}

#[tokio::test]
async fn a_confidential_answer_never_reaches_another_member() {
    for (backend, db) in all_dbs("survey_confidentiality").await {
        let app = spawn_app(&db.url).await;
        let secret = "zanzibarpilot";
        let file = json!({ "name": "plan.txt", "content_type": "text/plain",
            "data": base64::engine::general_purpose::STANDARD.encode(format!("the {secret} plan")) });
        let submission = json!({
            "answer": answer("Risk scoring at the port", &format!("Runs the {secret} at one port."), &["11", "3", "files", "10"]),
            "attachments": [file],
        });
        let (s, created) = app.post("/api/v1/knowledge/survey", MEMBER_1, &submission).await;
        assert_eq!(s, 201, "{backend}: {created}");
        let id = created["id"].as_i64().unwrap();
        let (s, _) = app
            .post(
                "/api/v1/knowledge/survey",
                MEMBER_2,
                &json!({ "answer": answer("Open data", "Public outline.", &[]) }),
            )
            .await;
        assert_eq!(s, 201);

        // The other member: the answer is there, its confidential questions are not.
        let (_, seen) = app.get(&format!("/api/v1/knowledge/survey/{id}"), Some(MEMBER_2)).await;
        assert_eq!(seen["answer"]["title"], "Risk scoring at the port", "{backend}");
        assert!(
            seen["answer"]["outline"].is_null()
                && seen["answer"]["email"].is_null()
                && seen["answer"]["status"].is_null()
        );
        assert!(seen["attachments"].is_null());
        assert!(!seen.to_string().contains(secret));
        let (s, _) = app.get(&format!("/api/v1/knowledge/survey/{id}/attachments/1"), Some(MEMBER_2)).await;
        assert_eq!(s, 404);
        let (_, found) = app.get(&format!("/api/v1/knowledge/survey?q={secret}"), Some(MEMBER_2)).await;
        assert_eq!(found.as_array().unwrap().len(), 0, "{backend}: search leaks");
        let (_, by_status) = app.get("/api/v1/knowledge/survey?status=under_development", Some(MEMBER_2)).await;
        assert_eq!(by_status.as_array().unwrap().len(), 1, "{backend}: a filter on a withheld status leaks");
        let (_, stats) = app.get("/api/v1/knowledge/survey/stats", Some(MEMBER_2)).await;
        let ai =
            stats["technology_status"].as_array().unwrap().iter().find(|t| t["technology"] == "ai_ml").unwrap().clone();
        assert_eq!(ai["total"], 1, "{backend}: statistics count a withheld status");
        let csv = app
            .client
            .get(format!("{}/api/v1/knowledge/survey/export?format=csv", app.base))
            .bearer_auth(MEMBER_2)
            .send()
            .await
            .unwrap();
        assert_eq!(csv.headers()["content-type"], "text/csv; charset=utf-8");
        let csv = csv.text().await.unwrap();
        assert_eq!(csv.lines().count(), 3, "{csv}");
        assert!(!csv.contains(secret) && csv.contains("Risk scoring at the port"));
        let (_, json_export) = app.get("/api/v1/knowledge/survey/export?format=json", Some(MEMBER_2)).await;
        assert!(!json_export.to_string().contains(secret));
        let (_, search) = app.get(&format!("/api/v1/knowledge/search?q={secret}"), None).await;
        assert!(!search.to_string().contains(secret));

        // The submitting member and the administrators see everything.
        for token in [MEMBER_1, "test-admin"] {
            let (_, own) = app.get(&format!("/api/v1/knowledge/survey?q={secret}"), Some(token)).await;
            assert_eq!(own.as_array().unwrap().len(), 1, "{backend} {token}");
            assert_eq!(own[0]["answer"]["email"], "a.officer@customs.example");
        }
        let r = app
            .client
            .get(format!("{}/api/v1/knowledge/survey/{id}/attachments/1", app.base))
            .bearer_auth(MEMBER_1)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200);
        assert_eq!(r.text().await.unwrap(), format!("the {secret} plan"));
        let (_, stats) = app.get("/api/v1/knowledge/survey/stats", Some(MEMBER_1)).await;
        let uses: i64 = stats["use_cases"].as_array().unwrap().iter().find(|u| u["code"] == "risk_management").unwrap()
            ["count"]
            .as_i64()
            .unwrap();
        assert_eq!(uses, 2);
    }
}

#[tokio::test]
async fn a_maturity_assessment_is_scored_kept_and_compared() {
    for (backend, db) in all_dbs("maturity").await {
        let app = spawn_app(&db.url).await;
        let (_, automation) = app.get("/api/v1/knowledge/technologies?group=automation", None).await;
        let items: Vec<i64> = automation.as_array().unwrap().iter().map(|t| t["number"].as_i64().unwrap()).collect();
        let answers: Vec<Value> = items
            .iter()
            .enumerate()
            .map(|(i, n)| json!({ "number": n, "status": if i == 0 { "planned" } else { "adopted" }, "evidence": "law 12/2025" }))
            .collect();
        let draft = json!({ "administration": "Customs of Examplestan", "answers": answers });
        let (s, kept) = app.post("/api/v1/knowledge/maturity", MEMBER_1, &draft).await;
        assert_eq!(s, 201, "{backend}: {kept}");
        let n = items.len() as f64;
        let levels = 4.0 * (n - 1.0) + 2.0;
        let group = &kept["report"]["groups"][0];
        assert_eq!(group["score"].as_f64().unwrap(), (1000.0 * levels / (4.0 * n)).round() / 10.0);
        assert_eq!(kept["report"]["overall"].as_f64().unwrap(), (1000.0 * levels / (4.0 * 71.0)).round() / 10.0);
        assert_eq!(kept["report"]["gaps"].as_array().unwrap().len(), 71 - items.len() + 1);
        let id = kept["id"].as_i64().unwrap();

        // Against this platform's own profile, and the profile itself.
        let (s, against) = app.get(&format!("/api/v1/knowledge/maturity/{id}?target=platform"), Some(MEMBER_1)).await;
        assert_eq!(s, 200);
        assert_eq!(against["report"]["target"], "this platform (last 30 days)");
        let (_, platform) = app.get("/api/v1/knowledge/maturity/platform", Some(MEMBER_1)).await;
        let statuses: Vec<&str> =
            platform["answers"].as_array().unwrap().iter().map(|a| a["status"].as_str().unwrap()).collect();
        assert!(
            statuses.contains(&"under_development")
                && statuses.contains(&"planned")
                && statuses.contains(&"not_considered")
        );
        // No declaration was filed in this fresh database, so nothing that counts filings is adopted.
        assert_eq!(
            platform["answers"][7]["status"], "under_development",
            "{backend}: item 8 (automatic release) unused"
        );

        // Another member neither lists nor reads it; bad answers are refused.
        let (s, _) = app.get(&format!("/api/v1/knowledge/maturity/{id}"), Some(MEMBER_2)).await;
        assert_eq!(s, 404);
        let (_, list) = app.get("/api/v1/knowledge/maturity", Some(MEMBER_2)).await;
        assert!(list.as_array().unwrap().is_empty());
        let (_, list) = app.get("/api/v1/knowledge/maturity", Some("test-analyst")).await;
        assert_eq!(list.as_array().unwrap().len(), 1);
        let bad = json!({ "administration": "X", "answers": [{ "number": 72, "status": "adopted" }] });
        let (s, body) = app.post("/api/v1/knowledge/maturity", MEMBER_1, &bad).await;
        assert_eq!((s, body["error"]["code"].as_str()), (422, Some("KB_002")));
        let (s, body) = app.get(&format!("/api/v1/knowledge/maturity/{id}?target=nonsense"), Some(MEMBER_1)).await;
        assert_eq!((s, body["error"]["code"].as_str()), (400, Some("REQ_004")));
    }
}

#[tokio::test]
async fn the_platform_profile_counts_what_was_used() {
    let db = sqlite_db();
    let app = spawn_app(&db.url).await;
    let item = |profile: &Value, n: i64| {
        profile["answers"].as_array().unwrap().iter().find(|a| a["number"] == n).unwrap().clone()
    };
    // Item 19, the customs value check, counts registered declarations.
    let (_, before) = app.get("/api/v1/knowledge/maturity/platform", Some("test-analyst")).await;
    assert_eq!(item(&before, 19)["status"], "under_development");
    let (s, _) = app.file(0, &app.declaration(0, 7)).await;
    assert_eq!(s, 201);
    let (_, after) = app.get("/api/v1/knowledge/maturity/platform", Some("test-analyst")).await;
    assert_eq!(item(&after, 19)["status"], "adopted");
    assert!(item(&after, 19)["evidence"].as_str().unwrap().contains("1 registered in the last 30 days"));
    // Out of scope stays not considered whatever happens.
    assert_eq!(item(&after, 51)["status"], "not_considered");
}

#[tokio::test]
async fn searching_ranks_passages_and_refuses_empty_questions() {
    let db = sqlite_db();
    let app = spawn_app(&db.url).await;
    let (s, hits) = app.get("/api/v1/knowledge/search?q=How%20do%20navigation%20seals%20work%3F", None).await;
    assert_eq!(s, 200);
    let hits = hits.as_array().unwrap();
    assert!(!hits.is_empty());
    for h in hits {
        for field in ["kind", "id", "title", "snippet", "score", "url"] {
            assert!(!h[field].is_null(), "{field} missing");
        }
    }
    let scores: Vec<f64> = hits.iter().map(|h| h["score"].as_f64().unwrap()).collect();
    assert!(scores.windows(2).all(|w| w[0] >= w[1]));
    let (s, body) = app.get("/api/v1/knowledge/search?q=%20", None).await;
    assert_eq!((s, body["error"]["code"].as_str()), (400, Some("KB_003")));
    let (s, _) = app.get(&format!("/api/v1/knowledge/search?q={}", "x".repeat(501)), None).await;
    assert_eq!(s, 400);
    let (s, _) = app.get("/api/v1/knowledge/search?q=customs&limit=0", None).await;
    assert_eq!(s, 400);
}

#[tokio::test]
async fn the_catalogue_page_lists_every_technology_and_term() {
    let db = sqlite_db();
    let app = spawn_app(&db.url).await;
    let page = app.client.get(format!("{}/knowledge", app.base)).send().await.unwrap().text().await.unwrap();
    assert_eq!(page.matches("id=\"technology-").count(), 71);
    assert_eq!(page.matches("href=\"/knowledge/terms/").count(), 46);
    // The survey pages need a token and send a visitor without one to sign in.
    let r = app.client.get(format!("{}/knowledge/survey", app.base)).send().await.unwrap();
    assert!(r.url().path().starts_with("/login"), "{}", r.url());
}

#[tokio::test]
async fn help_pages_link_each_other_and_show_their_images() {
    let db = sqlite_db();
    let app = spawn_app(&db.url).await;
    let page = app.client.get(format!("{}/help/overview", app.base)).send().await.unwrap().text().await.unwrap();
    assert!(page.contains("href=\"/help/knowledge\""), "the README's link to docs/knowledge.md");
    assert!(page.contains("src=\"/help/img/knowledge.png\""), "the README's screenshot of the catalogue");
    assert!(!page.contains("href=\"ARCHITECTURE.md\""), "a document the server does not serve is not a link");
    let r = app.client.get(format!("{}/help/img/knowledge.png", app.base)).send().await.unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(r.headers()["content-type"], "image/png");
    assert!(r.bytes().await.unwrap().starts_with(b"\x89PNG"));
    let r = app.client.get(format!("{}/help/img/precision-at-n.svg", app.base)).send().await.unwrap();
    assert_eq!(r.headers()["content-type"], "image/svg+xml");
    let r = app.client.get(format!("{}/help/img/..%2FCargo.toml", app.base)).send().await.unwrap();
    assert_eq!(r.status(), 404);
}

#[tokio::test]
async fn signing_in_keeps_a_session_in_a_cookie_that_the_api_accepts() {
    let db = sqlite_db();
    let app = spawn_app(&db.url).await;
    let no_redirect = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap();
    let login = |user: &'static str, password: &'static str| {
        no_redirect
            .post(format!("{}/login", app.base))
            .form(&[("username", user), ("password", password), ("next", "//evil.example/")])
            .send()
    };
    for (user, password) in [("not-a-user", TEST_PASSWORD), (MEMBER_1, "a;b"), ("", "")] {
        let r = login(user, password).await.unwrap();
        assert_eq!(r.status(), 401, "{user}");
        assert!(r.headers().get("set-cookie").is_none());
    }
    let r = login(MEMBER_1, TEST_PASSWORD).await.unwrap();
    assert_eq!(r.status(), 303);
    // Only paths of this site are followed after signing in.
    assert_eq!(r.headers()["location"], "/knowledge");
    let cookie = r.headers()["set-cookie"].to_str().unwrap().to_string();
    assert!(cookie.contains("HttpOnly") && cookie.contains("SameSite=Lax"));
    let pair = cookie.split(';').next().unwrap().to_string();
    let r =
        app.client.get(format!("{}/api/v1/knowledge/survey", app.base)).header("cookie", &pair).send().await.unwrap();
    assert_eq!(r.status(), 200);
    let r = no_redirect.post(format!("{}/logout", app.base)).send().await.unwrap();
    assert!(r.headers()["set-cookie"].to_str().unwrap().contains("Max-Age=0"));
}

/// A page as a visitor whose browser asks for `lang` sees it, with a token when given.
async fn page_in(app: &TestApp, lang: &str, path: &str, token: Option<&str>) -> String {
    let mut r = app.client.get(format!("{}{path}", app.base)).header("accept-language", lang);
    if let Some(token) = token {
        r = r.bearer_auth(token);
    }
    let r = r.send().await.unwrap();
    assert_eq!(r.status(), 200, "{path}");
    r.text().await.unwrap()
}

#[tokio::test]
async fn the_knowledge_pages_name_their_lists_in_russian() {
    for (backend, db) in all_dbs("knowledge_in_russian").await {
        let app = spawn_app(&db.url).await;
        let (s, created) = app
            .post("/api/v1/knowledge/survey", MEMBER_1, &json!({ "answer": answer("Risk scoring", "Scores.", &[]) }))
            .await;
        assert_eq!(s, 201, "{backend}: {created}");
        let id = created["id"].as_i64().unwrap();

        // The survey form offers every closed list's answers in Russian, question 14 included.
        let form = page_in(&app, "ru-RU,ru;q=0.9", "/knowledge/survey/new", Some(MEMBER_1)).await;
        assert!(form.contains("<html lang=\"ru\""), "{backend}");
        for name in [
            "Таможенная администрация",
            "Искусственный интеллект и машинное обучение",
            "Управление рисками, выявление мошенничества и безопасность",
            "Более справедливое взимание платежей",
            "Внедрено и работает (полное развёртывание)",
            "Экономия затрат",
            "7a Основная целевая технология",
        ] {
            assert!(form.contains(name), "{backend}: {name} not on the form");
        }
        assert!(!form.contains("Artificial Intelligence and machine learning"), "{backend}");
        assert!(form.contains("value=\"ai_ml\""), "{backend}: the codes sent stay as they are");
        let english = page_in(&app, "en", "/knowledge/survey/new", Some(MEMBER_1)).await;
        assert!(english.contains("Artificial Intelligence and machine learning"), "{backend}");

        // One answer and the repository's statistics name the answers in Russian too.
        let one = page_in(&app, "ru", &format!("/knowledge/survey/{id}"), Some(MEMBER_1)).await;
        for name in ["Большие данные и анализ данных", "Эффективность работы и упрощение торговли", "В разработке"]
        {
            assert!(one.contains(name), "{backend}: {name} not on the answer");
        }
        let repository = page_in(&app, "ru", "/knowledge/survey", Some(MEMBER_1)).await;
        assert!(repository.contains("Рассматривается (технико-экономическое обоснование не проводилось)"), "{backend}");
        assert!(repository.contains("Повышение эффективности"), "{backend}: the benefits' chart");

        // The catalogue's groups and the platform's capabilities; the technologies stay as written.
        let catalogue = page_in(&app, "ru", "/knowledge", None).await;
        assert!(catalogue.contains("Автоматизация таможенного администрирования"), "{backend}");
        assert!(catalogue.contains("Navigation seals"), "{backend}: a technology's own name");
        let capability = page_in(&app, "ru", "/knowledge/capabilities/A3", None).await;
        assert!(capability.contains("A3 Форматно-логический контроль"), "{backend}");
        let found = page_in(&app, "ru", "/knowledge/search?q=blockchain", None).await;
        assert!(found.contains("<span class=\"kind\">технология</span>"), "{backend}");
    }
}

#[tokio::test]
async fn the_help_index_lists_the_russian_guide_first_to_russian_visitors() {
    let db = sqlite_db();
    let app = spawn_app(&db.url).await;
    let ru = page_in(&app, "ru", "/help", None).await;
    assert!(ru.contains("Справочные документы"), "the introduction in Russian");
    let (guide, overview) = (ru.find("href=\"/help/guide-ru\"").unwrap(), ru.find("href=\"/help/overview\"").unwrap());
    assert!(guide < overview, "the guide comes first");
    assert!(ru.contains(">Руководство пользователя</a>") && ru.contains(">Коды ошибок и причин</a>"));
    assert!(
        ru.contains("<span class=\"muted\" lang=\"en\">(English)</span>"),
        "a reference document is marked English"
    );
    let en = page_in(&app, "en", "/help", None).await;
    let (guide, overview) = (en.find("href=\"/help/guide-ru\"").unwrap(), en.find("href=\"/help/overview\"").unwrap());
    assert!(overview < guide, "English visitors see the English documents first");
    assert!(en.contains(">User's guide</a> <span class=\"muted\" lang=\"ru\">(Русский)</span>"), "{en}");
    assert!(en.contains(">Error and reason codes</a>"));

    let guide = page_in(&app, "en", "/help/guide-ru", None).await;
    assert!(guide.contains("<div lang=\"ru\">"), "the guide says its language");
    assert!(guide.contains("href=\"/help/risk-language\""), "its links lead to the help pages");
    let errors = page_in(&app, "ru", "/help/errors", None).await;
    assert!(
        errors.contains("<div lang=\"en\">") && errors.contains("<title>Коды ошибок и причин — smartcustoms</title>")
    );
}

#[tokio::test]
async fn a_new_risk_profile_starts_from_a_template_in_the_visitors_language() {
    let db = sqlite_db();
    let app = spawn_app(&db.url).await;
    let ru = page_in(&app, "ru", "/console/profiles", Some("test-analyst")).await;
    assert!(ru.contains("profile RP-NEW &quot;Что ищет этот профиль&quot;"), "{ru}");
    assert!(ru.contains("instruction &quot;Что проверяет инспектор&quot;"));
    let en = page_in(&app, "en", "/console/profiles", Some("test-analyst")).await;
    assert!(en.contains("profile RP-NEW &quot;What this profile looks for&quot;"));
}
