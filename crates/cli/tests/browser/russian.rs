//! The people's pages in Russian: a trader's account, a declaration with its items and duties,
//! an officer's work queue, the knowledge base's catalogue and survey form, and the help index,
//! each with the accessibility check.

use fantoccini::Locator;

use smartcustoms_testkit::{spawn_app, sqlite_db};

use super::{accessible, browser, control_everything, driver, open_signed_in, shot, sign_out, text, texts};

#[tokio::test]
async fn the_account_a_declaration_and_the_work_queue_speak_russian() {
    let Some(d) = driver() else { return };
    let db = sqlite_db();
    let app = spawn_app(&db.url).await;
    control_everything(&app).await;
    let (_, body) = app.file(0, &app.declaration(0, 41)).await;
    assert_eq!(body["state"], "under_control", "{body}");
    let case = format!("/declarations/{}", body["id"].as_str().unwrap());
    let c = browser(&d).await;
    let lang = || async { c.execute("return document.documentElement.lang", vec![]).await.unwrap() };

    // The choice of Russian is kept for the pages that follow.
    c.goto(&format!("{}/lang?to=ru", app.base)).await.unwrap();
    open_signed_in(&c, &app.base, "/trader/account", "test-trader-1").await;
    assert_eq!(lang().await, serde_json::json!("ru"));
    assert_eq!(text(&c, "h1").await, "Лицевой счёт");
    assert_eq!(text(&c, "#balance dt").await, "Доступно");
    assert!(text(&c, "#available").await.ends_with(" EUR"));
    assert!(text(&c, "#statement thead").await.contains("Время (UTC)"));
    assert!(texts(&c, "h2").await.contains(&"Запросить возврат".to_string()));
    accessible(&c, "account in Russian").await;
    shot(&c, "trader-account-ru").await;

    // The declaration under control: its goods and the duties calculated on them.
    c.goto(&format!("{}{case}", app.base)).await.unwrap();
    assert!(text(&c, "h1").await.starts_with("Декларация"));
    assert_eq!(text(&c, "#state").await, "На таможенном контроле");
    let headings = texts(&c, "h2").await;
    assert!(headings.contains(&"Товары".to_string()), "{headings:?}");
    assert!(headings.iter().any(|h| h.starts_with("Пошлины и налоги (EUR, ставки на ")), "{headings:?}");
    assert!(text(&c, "#items thead").await.contains("Код товара"));
    assert!(text(&c, "#duties thead").await.contains("Таможенная стоимость"));
    assert!(text(&c, "#duties-total").await.ends_with(" EUR"));
    accessible(&c, "declaration with duties in Russian").await;
    shot(&c, "declaration-ru").await;
    sign_out(&c).await;

    // The officer's work queue, with the service clock in Russian.
    open_signed_in(&c, &app.base, "/console/queue", "test-officer").await;
    assert_eq!(text(&c, "h1").await, "Очередь работ");
    assert!(text(&c, "#case-count").await.starts_with("Деклараций на контроле: 1."));
    assert!(text(&c, "#cases thead").await.contains("Срок обслуживания"));
    let clocks = texts(&c, "#cases td.clock").await;
    assert!(clocks.iter().all(|clock| clock.starts_with("осталось ")), "{clocks:?}");
    accessible(&c, "work queue in Russian").await;
    shot(&c, "work-queue-ru").await;
    c.find(Locator::Css(&format!("#cases a[href='{case}']"))).await.unwrap();
    c.close().await.unwrap();
}

#[tokio::test]
async fn the_catalogue_the_survey_form_and_the_help_speak_russian() {
    let Some(d) = driver() else { return };
    let db = sqlite_db();
    let app = spawn_app(&db.url).await;
    let c = browser(&d).await;
    c.goto(&format!("{}/lang?to=ru", app.base)).await.unwrap();

    // The catalogue's groups are named in Russian; the technologies keep their own names.
    c.goto(&format!("{}/knowledge", app.base)).await.unwrap();
    let groups = texts(&c, "main h2").await;
    assert!(groups.contains(&"Автоматизация таможенного администрирования".to_string()), "{groups:?}");
    assert!(text(&c, "#technology-21").await.contains("Navigation seals"));
    accessible(&c, "catalogue in Russian").await;

    // The survey form offers the closed lists' answers in Russian.
    open_signed_in(&c, &app.base, "/knowledge/survey/new", "test-member-1").await;
    assert_eq!(text(&c, "h1").await, "Опрос ВТамО об умной таможне");
    assert_eq!(
        text(&c, "#primary_technology option[value=ai_ml]").await,
        "Искусственный интеллект и машинное обучение"
    );
    assert_eq!(text(&c, "#status option[value=adopted]").await, "Внедрено и работает (полное развёртывание)");
    let benefits = texts(&c, "#survey-form fieldset label").await;
    assert!(benefits.iter().any(|b| b.trim() == "Экономия затрат"), "{benefits:?}");
    accessible(&c, "survey form in Russian").await;
    shot(&c, "survey-form-ru").await;

    // The help index: its introduction in Russian, the user's guide first.
    c.goto(&format!("{}/help", app.base)).await.unwrap();
    assert!(text(&c, "#help-intro").await.starts_with("Руководства и справочные документы"));
    let pages: Vec<String> = texts(&c, "#help-pages li").await.iter().map(|p| p.trim().to_string()).collect();
    assert_eq!(pages.first().map(String::as_str), Some("Руководство пользователя"), "{pages:?}");
    assert!(pages.contains(&"Коды ошибок и причин (English)".to_string()), "{pages:?}");
    accessible(&c, "help index in Russian").await;
    c.find(Locator::Css("#help-pages a[href='/help/guide-ru']")).await.unwrap().click().await.unwrap();
    assert_eq!(text(&c, "h1").await, "Руководство пользователя");
    accessible(&c, "user's guide").await;
    c.close().await.unwrap();
}
