//! Filing in the browser: a trader files through the form and corrects its findings, a broker
//! files for a declarant that authorised it and not for another, and the organisation,
//! administration, model and lookup pages pass the accessibility check.

use std::time::{Duration, Instant};

use fantoccini::Locator;
use serde_json::json;

use smartcustoms_testkit::{spawn_app, sqlite_db};

use super::{
    accessible, browser, click_to, control_everything, driver, open_signed_in, shot, sign_out, text, texts, STEP,
};

#[tokio::test]
async fn a_trader_files_through_the_form_corrects_its_findings_and_sees_it_released_live() {
    let Some(d) = driver() else { return };
    let db = sqlite_db();
    let app = spawn_app(&db.url).await;
    control_everything(&app).await;
    let c = browser(&d).await;
    let passphrase = "a passphrase only I know";

    // The trader makes its signing key.
    open_signed_in(&c, &app.base, "/trader/key", "test-trader-1").await;
    c.find(Locator::Css("#passphrase")).await.unwrap().send_keys(passphrase).await.unwrap();
    c.find(Locator::Css("#again")).await.unwrap().send_keys(passphrase).await.unwrap();
    c.find(Locator::Css("form.stack button[type=submit]")).await.unwrap().click().await.unwrap();
    assert!(text(&c, "#key-facts").await.contains("Ed25519"));
    accessible(&c, "signing key").await;

    // It loads a declaration from a JSON file that names an unknown origin.
    let mut doc = app.declaration(0, 61);
    let item = &mut doc.items.as_mut().unwrap()[0];
    let (origin, gross) = (item.origin.clone().unwrap(), item.gross_mass.unwrap().to_string());
    item.origin = Some("ZZ".into());
    let file = tempfile::Builder::new().prefix("declaration").suffix(".json").tempfile().unwrap();
    std::fs::write(file.path(), serde_json::to_vec_pretty(&doc).unwrap()).unwrap();
    click_to(&c, "main a[href='/trader/file']", "the filing form", |p| p == "/trader/file").await;
    c.find(Locator::Css("#document")).await.unwrap().send_keys(&file.path().display().to_string()).await.unwrap();
    click_to(&c, "#upload-form button", "the loaded form", |p| p == "/trader/file/upload").await;
    assert!(text(&c, "#f-items-0--origin-error").await.contains("FLC_"), "the finding is next to the origin");

    // It types a mass that is not a number and checks: that finding is next to its field too.
    let gross_field = c.find(Locator::Css("#f-items-0--gross_mass")).await.unwrap();
    gross_field.clear().await.unwrap();
    gross_field.send_keys("12,5 kg").await.unwrap();
    c.find(Locator::Css("button[value=check]")).await.unwrap().click().await.unwrap();
    assert!(text(&c, "#f-items-0--gross_mass-error").await.contains("FORM_001"));
    let findings = text(&c, "#findings").await;
    assert!(findings.contains("problems to correct") || findings.contains("1 problem to correct"), "{findings}");
    let kept = c.find(Locator::Css("#f-items-0--gross_mass")).await.unwrap().prop("value").await.unwrap();
    assert_eq!(kept.as_deref(), Some("12,5 kg"), "the input is kept");
    accessible(&c, "filing form with findings").await;
    shot(&c, "filing-form-findings").await;

    // It corrects both, signs with its passphrase and files.
    for (css, value) in [("#f-items-0--origin", origin.as_str()), ("#f-items-0--gross_mass", gross.as_str())] {
        let field = c.find(Locator::Css(css)).await.unwrap();
        field.clear().await.unwrap();
        field.send_keys(value).await.unwrap();
    }
    c.find(Locator::Css("#passphrase")).await.unwrap().send_keys(passphrase).await.unwrap();
    let case = click_to(&c, "button[value=file]", "the filed declaration", |p| p.starts_with("/declarations/")).await;
    assert_eq!(text(&c, "#state").await, "Under customs control");

    // An officer releases it; the trader's page shows it without reloading.
    let id = case.trim_start_matches("/declarations/");
    let decision = json!({ "release": true, "reason": "Documents in order", "outcome": { "irregularities": [] } });
    let (s, _) = app.post(&format!("/api/v1/declarations/{id}/decision"), &app.officer_token, &decision).await;
    assert_eq!(s, 200);
    let deadline = Instant::now() + STEP;
    while text(&c, "#state").await != "Released" {
        assert!(Instant::now() < deadline, "the release did not show live within {STEP:?}");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    assert!(text(&c, "#reuse").await.contains("Copy as new"));
    c.close().await.unwrap();
}

#[tokio::test]
async fn a_broker_files_for_a_declarant_that_authorised_it_and_not_for_another() {
    let Some(d) = driver() else { return };
    let db = sqlite_db();
    let app = spawn_app(&db.url).await;
    let today = chrono::Utc::now().date_naive();
    let grant = json!({ "representative": app.traders[1].id, "valid_from": today, "valid_until": today + chrono::Days::new(30) });
    let (s, _) = app.post("/api/v1/authorisations", &app.traders[0].token, &grant).await;
    assert_eq!(s, 201);
    let c = browser(&d).await;
    let passphrase = "the broker's own passphrase";

    // The broker (the second test trader) makes its key, then files for the first trader.
    open_signed_in(&c, &app.base, "/trader/key", "test-trader-2").await;
    c.find(Locator::Css("#passphrase")).await.unwrap().send_keys(passphrase).await.unwrap();
    c.find(Locator::Css("#again")).await.unwrap().send_keys(passphrase).await.unwrap();
    c.find(Locator::Css("form.stack button[type=submit]")).await.unwrap().click().await.unwrap();
    assert!(text(&c, "#key-facts").await.contains("Ed25519"));
    let file = tempfile::Builder::new().prefix("for-principal").suffix(".json").tempfile().unwrap();
    std::fs::write(file.path(), serde_json::to_vec(&app.declaration(0, 81)).unwrap()).unwrap();
    click_to(&c, "main a[href='/trader/file']", "the filing form", |p| p == "/trader/file").await;
    let choices = texts(&c, "#f-declarant-id option").await;
    assert_eq!(choices.len(), 2, "its own party and the declarant it represents: {choices:?}");
    c.find(Locator::Css("#document")).await.unwrap().send_keys(&file.path().display().to_string()).await.unwrap();
    click_to(&c, "#upload-form button", "the loaded form", |p| p == "/trader/file/upload").await;
    let chosen = c.find(Locator::Css("#f-declarant-id")).await.unwrap().prop("value").await.unwrap();
    assert_eq!(chosen.as_deref(), Some(app.traders[0].id.as_str()));
    c.find(Locator::Css("#passphrase")).await.unwrap().send_keys(passphrase).await.unwrap();
    click_to(&c, "button[value=file]", "the filed declaration", |p| p.starts_with("/declarations/")).await;
    let representative = text(&c, "#representative").await;
    assert!(
        representative.contains(&app.traders[1].id) && representative.contains(&app.traders[0].id),
        "{representative}"
    );
    accessible(&c, "declaration filed by a representative").await;

    // For a declarant that never authorised it, nothing is filed and the form says why.
    let mut other = app.declaration(0, 82);
    other.declarant.as_mut().unwrap().id = Some("DE999999999999999".into());
    std::fs::write(file.path(), serde_json::to_vec(&other).unwrap()).unwrap();
    c.goto(&format!("{}/trader/file", app.base)).await.unwrap();
    c.find(Locator::Css("#document")).await.unwrap().send_keys(&file.path().display().to_string()).await.unwrap();
    click_to(&c, "#upload-form button", "the loaded form", |p| p == "/trader/file/upload").await;
    c.find(Locator::Css("#passphrase")).await.unwrap().send_keys(passphrase).await.unwrap();
    c.find(Locator::Css("button[value=file]")).await.unwrap().click().await.unwrap();
    assert!(text(&c, "#form-note").await.contains("DE999999999999999"));
    let (_, mine) = app.get("/api/v1/declarations?represented=true", Some(&app.traders[1].token)).await;
    assert_eq!(mine.as_array().unwrap().len(), 1, "one declaration filed for others: {mine}");
    c.close().await.unwrap();
}

#[tokio::test]
async fn the_administration_model_organisation_and_lookup_pages_are_accessible() {
    let Some(d) = driver() else { return };
    let db = sqlite_db();
    let app = spawn_app(&db.url).await;
    let c = browser(&d).await;
    c.goto(&format!("{}/hs?q=radio", app.base)).await.unwrap();
    assert!(text(&c, "#hs-found").await.contains("8527"));
    accessible(&c, "HS lookup").await;
    open_signed_in(&c, &app.base, "/console/admin", "test-admin").await;
    assert!(text(&c, "#tokens").await.contains("test-officer"));
    accessible(&c, "administration").await;
    shot(&c, "administration").await;
    c.goto(&format!("{}/console/models", app.base)).await.unwrap();
    assert!(text(&c, "h1").await.contains("Risk model"));
    accessible(&c, "risk model").await;
    sign_out(&c).await;
    open_signed_in(&c, &app.base, "/trader/organisation", "test-trader-1").await;
    c.find(Locator::Css("#m-name")).await.unwrap().send_keys("clerk-one").await.unwrap();
    c.find(Locator::Css("#m-display")).await.unwrap().send_keys("Clerk One").await.unwrap();
    c.find(Locator::Css("#m-password")).await.unwrap().send_keys("a long password").await.unwrap();
    c.find(Locator::Css("#new-filer")).await.unwrap().click().await.unwrap();
    c.find(Locator::Css("#add-member button[type=submit]")).await.unwrap().click().await.unwrap();
    let deadline = Instant::now() + STEP;
    while !text(&c, "#members").await.contains("clerk-one") {
        assert!(Instant::now() < deadline, "the new user did not show within {STEP:?}");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    assert!(text(&c, "#members").await.contains("filer,viewer"));
    accessible(&c, "organisation").await;
    shot(&c, "organisation").await;
    c.close().await.unwrap();
}

#[tokio::test]
async fn the_russian_pages_render_the_filing_flow() {
    let Some(d) = driver() else { return };
    let db = sqlite_db();
    let app = spawn_app(&db.url).await;
    let c = browser(&d).await;
    let lang = || async { c.execute("return document.documentElement.lang", vec![]).await.unwrap() };

    // The visitor chooses Russian in the header; the choice stays.
    c.goto(&format!("{}/time-release", app.base)).await.unwrap();
    click_to(&c, "header nav.languages a[lang=ru]", "the same page", |p| p == "/time-release").await;
    assert_eq!(lang().await, json!("ru"));
    assert_eq!(text(&c, "h1").await, "Время выпуска");
    assert!(text(&c, "#by-mode caption").await.contains("виду транспорта"));
    accessible(&c, "release times in Russian").await;

    // Signing in, making a key and filing with a finding to correct, in Russian.
    let passphrase = "парольная фраза декларанта";
    open_signed_in(&c, &app.base, "/trader/key", "test-trader-1").await;
    c.find(Locator::Css("#passphrase")).await.unwrap().send_keys(passphrase).await.unwrap();
    c.find(Locator::Css("#again")).await.unwrap().send_keys(passphrase).await.unwrap();
    c.find(Locator::Css("form.stack button[type=submit]")).await.unwrap().click().await.unwrap();
    assert!(text(&c, "#key-facts").await.contains("Ed25519"));
    let mut doc = app.declaration(0, 91);
    let origin = doc.items.as_ref().unwrap()[0].origin.clone().unwrap();
    doc.items.as_mut().unwrap()[0].origin = Some("ZZ".into());
    let file = tempfile::Builder::new().prefix("декларация").suffix(".json").tempfile().unwrap();
    std::fs::write(file.path(), serde_json::to_vec(&doc).unwrap()).unwrap();
    c.goto(&format!("{}/trader/file", app.base)).await.unwrap();
    assert_eq!(text(&c, "h1").await, "Подать декларацию");
    assert_eq!(lang().await, json!("ru"));
    c.find(Locator::Css("#document")).await.unwrap().send_keys(&file.path().display().to_string()).await.unwrap();
    click_to(&c, "#upload-form button", "the loaded form", |p| p == "/trader/file/upload").await;
    assert!(text(&c, "#findings-title").await.starts_with("Исправить"));
    assert!(text(&c, "label[for=f-items-0--origin]").await.contains("Страна происхождения"));
    // The finding is said in Russian in full, with the value the declarant typed.
    assert_eq!(
        text(&c, "#f-items-0--origin-error").await,
        "FLC_025: Значение \"ZZ\" в поле «Страна происхождения» не является двухбуквенным кодом страны ISO 3166-1."
    );
    accessible(&c, "filing form in Russian").await;
    shot(&c, "filing-form-ru").await;
    let field = c.find(Locator::Css("#f-items-0--origin")).await.unwrap();
    field.clear().await.unwrap();
    field.send_keys(&origin).await.unwrap();
    c.find(Locator::Css("#passphrase")).await.unwrap().send_keys(passphrase).await.unwrap();
    click_to(&c, "button[value=file]", "the filed declaration", |p| p.starts_with("/declarations/")).await;
    assert!(text(&c, "h1").await.starts_with("Декларация"));
    let state = text(&c, "#state").await;
    assert!(
        ["Выпущена", "Зарегистрирована", "На таможенном контроле", "Ожидает оплаты"].contains(&state.as_str()),
        "{state}"
    );
    assert!(text(&c, "#timeline").await.contains("Подана"));
    accessible(&c, "declaration in Russian").await;

    // The trader's list in Russian, with states and lanes named in Russian.
    c.goto(&format!("{}/trader/declarations?tab=released", app.base)).await.unwrap();
    assert_eq!(text(&c, "h1").await, "Мои декларации");
    assert_eq!(text(&c, "#tab-title").await, "Выпущены");
    accessible(&c, "declarations in Russian").await;
    c.close().await.unwrap();
}
