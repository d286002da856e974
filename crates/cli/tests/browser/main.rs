//! End-to-end tests of the pages in a real headless Chromium, driven through ChromeDriver
//! (Debian's `chromium` and `chromium-driver`, installed by `.ci/run`). The server runs on a
//! random port against a fresh SQLite database. Screenshots of each step are written to
//! `target/screenshots/`, and each of our pages shown is checked with axe-core.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use fantoccini::{Client, ClientBuilder, Locator};
use serde_json::json;

use smartcustoms_testkit::{spawn_app, sqlite_db};

const CHROMEDRIVER: &str = "/usr/bin/chromedriver";
const CHROMIUM: &str = "/usr/bin/chromium";

/// ChromeDriver on a free loopback port, stopped when dropped.
struct Driver {
    child: Child,
    port: u16,
    profile: tempfile::TempDir,
}

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        // A test that failed never closed its session, and Chromium outlives its driver: stop
        // every process of this test's own browser profile.
        let _ = Command::new("pkill").arg("-f").arg(self.profile.path()).status();
    }
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

/// Starts ChromeDriver, or says why the browser tests are skipped.
fn driver() -> Option<Driver> {
    if !Path::new(CHROMEDRIVER).exists() || !Path::new(CHROMIUM).exists() {
        eprintln!("skipped browser tests: {CHROMEDRIVER} or {CHROMIUM} is not installed (apt-get install chromium chromium-driver)");
        return None;
    }
    let port = free_port();
    let child = Command::new(CHROMEDRIVER)
        .arg(format!("--port={port}"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("starting chromedriver");
    let deadline = Instant::now() + Duration::from_secs(20);
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(Instant::now() < deadline, "chromedriver did not listen within 20 s");
        std::thread::sleep(Duration::from_millis(100));
    }
    Some(Driver { child, port, profile: tempfile::tempdir().unwrap() })
}

async fn browser(d: &Driver) -> Client {
    let profile = d.profile.path().display().to_string();
    let caps = json!({
        "browserName": "chrome",
        "goog:chromeOptions": {
            "binary": CHROMIUM,
            "args": [
                "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-quic",
                "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run",
                "--window-size=1280,1000", format!("--user-data-dir={profile}"),
            ],
        },
    });
    let serde_json::Value::Object(caps) = caps else { unreachable!() };
    // ChromeDriver listens on loopback over plain HTTP: no TLS connector is needed.
    ClientBuilder::new(hyper_util::client::legacy::connect::HttpConnector::new())
        .capabilities(caps)
        .connect(&format!("http://127.0.0.1:{}", d.port))
        .await
        .expect("a browser session")
}

fn screenshots() -> PathBuf {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../target/screenshots");
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// Keeps a screenshot of the page shown.
async fn screenshot(c: &Client, name: &str) {
    let png = c.screenshot().await.unwrap();
    std::fs::write(screenshots().join(format!("{name}.png")), png).unwrap();
}

/// Keeps a screenshot of one of our pages and checks it with axe-core.
async fn shot(c: &Client, name: &str) {
    screenshot(c, name).await;
    accessible(c, name).await;
}

/// Runs axe-core (from the npm registry; `.ci/run` names the file in `AXE_CORE`) on the page
/// shown and fails on any serious or critical violation of the WCAG rules it checks.
async fn accessible(c: &Client, page: &str) {
    let Ok(path) = std::env::var("AXE_CORE") else {
        eprintln!("accessibility check of {page} skipped: AXE_CORE (the path of axe.min.js) is not set");
        return;
    };
    let axe = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    c.execute(&axe, vec![]).await.unwrap();
    let violations = c
        .execute_async(
            "const done = arguments[arguments.length - 1];
             axe.run(document, { resultTypes: ['violations'] })
               .then(r => done(r.violations
                 .filter(v => v.impact === 'serious' || v.impact === 'critical')
                 .map(v => ({ id: v.id, impact: v.impact, help: v.help,
                              nodes: v.nodes.map(n => n.target.join(' ')) }))))
               .catch(e => done([{ id: 'axe-error', help: String(e) }]));",
            vec![],
        )
        .await
        .unwrap();
    assert_eq!(violations, json!([]), "{page}: accessibility violations");
}

/// How long a step may take to show its page: a loaded CI machine can be slow.
const STEP: Duration = Duration::from_secs(20);

/// True when a WebDriver error says the element was replaced by a live page's new content.
fn replaced(error: &str) -> bool {
    error.contains("stale element") || error.contains("does not belong to the document")
}

/// The text of an element, waiting for it to appear (a click that navigates returns before the
/// next page has loaded).
async fn text(c: &Client, css: &str) -> String {
    let deadline = Instant::now() + STEP;
    loop {
        let element =
            c.wait().at_most(STEP).for_element(Locator::Css(css)).await.unwrap_or_else(|e| panic!("{css}: {e}"));
        match element.text().await {
            Ok(text) => return text,
            // A live page replaced its content between finding and reading: find it again.
            // (ChromeDriver says so as a stale element, or as a node no longer in the document.)
            Err(e) if replaced(&e.to_string()) && Instant::now() < deadline => continue,
            Err(e) => panic!("{css}: {e}"),
        }
    }
}

/// The texts of every element a selector finds, read at one moment (a live page may replace
/// its content at any time).
async fn texts(c: &Client, css: &str) -> Vec<String> {
    let found = c
        .execute(
            "return Array.from(document.querySelectorAll(arguments[0])).map(e => e.textContent);",
            vec![json!(css)],
        )
        .await
        .unwrap();
    serde_json::from_value(found).unwrap()
}

/// Waits until the browser shows a page whose path satisfies `want`, and returns that path.
async fn wait_path(c: &Client, what: &str, want: impl Fn(&str) -> bool) -> String {
    let deadline = Instant::now() + STEP;
    loop {
        let path = c.current_url().await.unwrap().path().to_owned();
        if want(&path) {
            return path;
        }
        assert!(Instant::now() < deadline, "still on {path} after {STEP:?}, expected {what}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// Fills the sign-in form of the page shown as test user `user`.
async fn sign_in(c: &Client, user: &str) {
    c.find(Locator::Css("#username")).await.unwrap().send_keys(user).await.unwrap();
    c.find(Locator::Css("#password")).await.unwrap().send_keys(smartcustoms_testkit::TEST_PASSWORD).await.unwrap();
}

/// Opens a page that needs signing in: the sign-in page comes first, then the page itself.
async fn open_signed_in(c: &Client, base: &str, path: &str, user: &str) {
    c.goto(&format!("{base}{path}")).await.unwrap();
    wait_path(c, "the sign-in page", |p| p == "/login").await;
    sign_in(c, user).await;
    click_to(c, "form.stack button", path, |p| p == path).await;
}

/// Signs out with the header's button.
async fn sign_out(c: &Client) {
    c.find(Locator::Css("header nav form button")).await.unwrap().click().await.unwrap();
    wait_path(c, "the knowledge base", |p| p == "/knowledge").await;
}

/// Adds a profile that sends every import to the red lane.
async fn control_everything(app: &smartcustoms_testkit::TestApp) {
    let profile = "profile RP-ALL \"Control everything\"\nwhen declaration.type = \"IM\"\nlane red\n\
                   instruction \"Count the cartons\"\nvalid from 2020-01-01\n";
    app.add_profile(profile).await;
}

/// Clicks an element and waits for the page it leads to.
/// The start of the work queue's count line in English: `1 declaration`, `12 declarations`.
fn declarations(n: usize) -> String {
    match n {
        1 => "1 declaration ".to_string(),
        n => format!("{n} declarations "),
    }
}

async fn click_to(c: &Client, css: &str, what: &str, want: impl Fn(&str) -> bool) -> String {
    c.find(Locator::Css(css)).await.unwrap_or_else(|e| panic!("{css}: {e}")).click().await.unwrap();
    wait_path(c, what, want).await
}

#[tokio::test]
async fn an_officer_browses_the_catalogue_searches_and_a_member_submits_a_survey_answer() {
    let Some(d) = driver() else { return };
    let db = sqlite_db();
    let app = spawn_app(&db.url).await;
    let c = browser(&d).await;

    // The catalogue: 71 technologies with their status, 46 terms.
    c.goto(&format!("{}/knowledge", app.base)).await.unwrap();
    assert_eq!(c.find_all(Locator::Css("table.technologies tbody tr")).await.unwrap().len(), 71);
    assert_eq!(c.find_all(Locator::Css("ol.terms li")).await.unwrap().len(), 46);
    shot(&c, "knowledge").await;

    // A technology, then a term it links to.
    click_to(&c, "#technology-21 a", "/knowledge/technologies/21", |p| p == "/knowledge/technologies/21").await;
    assert!(text(&c, "h1").await.starts_with("21. Navigation seals"));
    shot(&c, "technology").await;
    let term_link = c.find(Locator::Css("ul.related-terms a")).await.unwrap();
    let term_name = term_link.text().await.unwrap();
    term_link.click().await.unwrap();
    wait_path(&c, "a term", |p| p.starts_with("/knowledge/terms/")).await;
    assert_eq!(text(&c, "#term-title").await, term_name);
    shot(&c, "term").await;

    // The search box on every page.
    let search = c.find(Locator::Css("header input[name=q]")).await.unwrap();
    search.send_keys("What is a single personal account?").await.unwrap();
    click_to(&c, "header form button", "/knowledge/search", |p| p == "/knowledge/search").await;
    text(&c, "#results").await;
    let results = c.find_all(Locator::Css("#results li a")).await.unwrap();
    assert!(!results.is_empty());
    let mut top = Vec::new();
    for r in results.iter().take(3) {
        top.push(r.attr("href").await.unwrap().unwrap_or_default());
    }
    assert!(
        top.iter().any(|h| h == "/knowledge/terms/single-personal-account" || h == "/knowledge/technologies/17"),
        "{top:?}"
    );
    shot(&c, "search").await;

    // A member signs in and submits the survey form, first with a wrong value.
    c.goto(&format!("{}/knowledge/survey/new", app.base)).await.unwrap();
    assert!(c.current_url().await.unwrap().path().starts_with("/login"));
    shot(&c, "sign-in").await;
    sign_in(&c, "test-member-1").await;
    click_to(&c, "form.stack button", "/knowledge/survey/new", |p| p == "/knowledge/survey/new").await;
    let form = c.form(Locator::Css("#survey-form")).await.unwrap();
    for (name, value) in [
        ("organization", "Customs of Examplestan"),
        ("respondent", "A. Officer"),
        ("email", "a.officer@customs.example"),
        ("country", "XX"),
        ("stakeholder_group", "customs_administration"),
        ("title", "Risk scoring in the browser"),
        ("primary_technology", "ai_ml"),
        ("status", "adopted"),
        ("outline", "Every consignment is scored when it is filed."),
    ] {
        form.set_by_name(name, value).await.unwrap();
    }
    c.find(Locator::Css("input[name=use_cases][value=risk_management]")).await.unwrap().click().await.unwrap();
    c.find(Locator::Css("#submit")).await.unwrap().click().await.unwrap();
    let findings = text(&c, "#findings").await;
    assert!(findings.contains("SURVEY_005"), "{findings}");
    assert!(text(&c, "span.field-error[data-field=country]").await.contains("not an ISO 3166-1 alpha-2 country code"));
    shot(&c, "survey-error").await;

    // The other answers were kept; correct the country and submit again.
    let form = c.form(Locator::Css("#survey-form")).await.unwrap();
    form.set_by_name("country", "EE").await.unwrap();
    click_to(&c, "#submit", "a survey answer", |p| p.starts_with("/knowledge/survey/") && p != "/knowledge/survey/new")
        .await;
    assert_eq!(text(&c, "#answer-title").await, "Risk scoring in the browser");
    shot(&c, "survey-answer").await;

    // It is in the repository, counted in the statistics.
    c.goto(&format!("{}/knowledge/survey", app.base)).await.unwrap();
    assert_eq!(text(&c, "#answer-count").await, "1 answer(s)");
    shot(&c, "survey").await;
    let (_, stored) = app.get("/api/v1/knowledge/survey", Some("test-admin")).await;
    assert_eq!(stored[0]["answer"]["email"], "a.officer@customs.example");
    c.close().await.unwrap();
}

#[tokio::test]
async fn a_member_scores_a_maturity_assessment_in_the_browser() {
    let Some(d) = driver() else { return };
    let db = sqlite_db();
    let app = spawn_app(&db.url).await;
    let c = browser(&d).await;
    c.goto(&format!("{}/login?next=/knowledge/maturity/new", app.base)).await.unwrap();
    sign_in(&c, "test-member-1").await;
    click_to(&c, "form.stack button", "/knowledge/maturity/new", |p| p == "/knowledge/maturity/new").await;
    let form = c.form(Locator::Css("#maturity-form")).await.unwrap();
    form.set_by_name("administration", "Customs of Examplestan").await.unwrap();
    form.set_by_name("status_3", "adopted").await.unwrap();
    form.set_by_name("status_17", "adopted").await.unwrap();
    form.submit().await.unwrap();
    assert_eq!(text(&c, "#maturity-title").await, "Maturity of Customs of Examplestan");
    // Two of 71 items adopted: 8 of 284 levels.
    assert_eq!(text(&c, "#overall").await, "2.8 %");
    shot(&c, "maturity").await;
    c.close().await.unwrap();
}

#[tokio::test]
async fn the_api_reference_renders_offline_from_the_served_document() {
    let Some(d) = driver() else { return };
    let db = sqlite_db();
    let app = spawn_app(&db.url).await;
    let c = browser(&d).await;
    c.goto(&format!("{}/api/docs/", app.base)).await.unwrap();
    // Swagger UI runs under the page's content security policy and fetches the document from
    // this server: each operation becomes a block naming its path.
    let first = text(&c, ".opblock .opblock-summary-path").await;
    assert!(
        first.starts_with("/api/v1/") || first.starts_with("/knowledge") || first.starts_with("/health"),
        "{first}"
    );
    let paths: Vec<String> = {
        let mut out = Vec::new();
        for e in c.find_all(Locator::Css(".opblock .opblock-summary-path")).await.unwrap() {
            out.push(e.text().await.unwrap());
        }
        out
    };
    assert!(paths.iter().any(|p| p == "/api/v1/declarations"), "{paths:?}");
    assert!(paths.len() >= 40, "every operation is listed: {}", paths.len());
    // Swagger UI's own markup is not ours to fix: a screenshot, no accessibility check.
    screenshot(&c, "api-reference").await;
    c.close().await.unwrap();
}

#[tokio::test]
async fn anyone_reads_the_release_times_per_office_without_signing_in() {
    let Some(d) = driver() else { return };
    let db = sqlite_db();
    let app = spawn_app(&db.url).await;
    let mut offices = Vec::new();
    for seed in 1..=4 {
        let (_, body) = app.file(0, &app.declaration(0, seed)).await;
        if let Some(number) = body["registration_number"].as_str() {
            offices.push(number.split('/').next().unwrap().to_string());
        }
    }
    offices.sort();
    offices.dedup();
    let c = browser(&d).await;
    c.goto(&format!("{}/time-release", app.base)).await.unwrap();
    assert_eq!(text(&c, "h1").await, "Release times");
    let mut shown = Vec::new();
    for row in c.find_all(Locator::Css("#by-office tbody th")).await.unwrap() {
        shown.push(row.text().await.unwrap());
    }
    assert_eq!(shown, offices);
    assert!(!text(&c, "#overall tbody td").await.is_empty());
    shot(&c, "time-release").await;
    // A day that is not one gets the error page with its code.
    c.goto(&format!("{}/time-release?from=someday", app.base)).await.unwrap();
    assert!(text(&c, "p.error").await.starts_with("REQ_004"));
    c.close().await.unwrap();
}

#[tokio::test]
async fn an_officer_reads_the_dashboard_as_charts_and_figures() {
    let Some(d) = driver() else { return };
    let db = sqlite_db();
    let app = spawn_app(&db.url).await;
    let mut registered = 0;
    for seed in 1..=6 {
        let (_, body) = app.file(1, &app.declaration(1, seed)).await;
        registered += usize::from(body["registration_number"].is_string());
    }
    let c = browser(&d).await;
    open_signed_in(&c, &app.base, "/console/dashboard", "test-officer").await;
    assert_eq!(text(&c, "#registered").await, registered.to_string());
    assert_eq!(c.find_all(Locator::Css("svg.chart")).await.unwrap().len(), 2, "hours and lanes");
    assert!(!c.find_all(Locator::Css("#lanes tbody tr")).await.unwrap().is_empty());
    shot(&c, "dashboard").await;
    c.close().await.unwrap();
}

#[tokio::test]
async fn an_inspector_sees_the_controls_with_their_service_clock() {
    let Some(d) = driver() else { return };
    let db = sqlite_db();
    let app = spawn_app(&db.url).await;
    let mut controlled = 0;
    for seed in 1..=300 {
        let (_, body) = app.file(0, &app.declaration(0, 20_000 + seed)).await;
        controlled += usize::from(body["state"] == "under_control");
        if controlled == 2 {
            break;
        }
    }
    let c = browser(&d).await;
    open_signed_in(&c, &app.base, "/console/queue", "test-officer").await;
    assert!(text(&c, "#case-count").await.starts_with(&declarations(controlled)));
    let clocks = texts(&c, "#cases td.clock").await;
    assert_eq!(clocks.len(), controlled);
    assert!(clocks.iter().all(|clock| clock.ends_with(" left")), "just filed: {clocks:?}");
    shot(&c, "work-queue").await;

    // The page is live: a declaration sent to control now appears without reloading.
    for seed in 301..=600 {
        let (_, body) = app.file(0, &app.declaration(0, 20_000 + seed)).await;
        if body["state"] == "under_control" {
            break;
        }
    }
    let deadline = Instant::now() + STEP;
    let want = declarations(controlled + 1);
    while !text(&c, "#case-count").await.starts_with(&want) {
        assert!(Instant::now() < deadline, "the queue did not show the new case within {STEP:?}");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    c.close().await.unwrap();
}

#[tokio::test]
async fn a_trader_sees_its_declarations_by_tab_and_a_new_one_appears_live() {
    let Some(d) = driver() else { return };
    let db = sqlite_db();
    let app = spawn_app(&db.url).await;
    let (_, first) = app.file(0, &app.declaration(0, 7)).await;
    app.file(1, &app.declaration(1, 8)).await;
    let c = browser(&d).await;
    open_signed_in(&c, &app.base, "/trader/declarations", "test-trader-1").await;
    let tab = match first["state"].as_str() {
        Some("released") => "released",
        Some("awaiting_payment") => "action",
        Some("refused") => "refused",
        _ => "progress",
    };
    c.goto(&format!("{}/trader/declarations?tab={tab}", app.base)).await.unwrap();
    let rows = texts(&c, "#declarations tbody tr").await;
    assert_eq!(rows.len(), 1, "its own declaration only, not the other trader's: {rows:?}");
    assert!(rows[0].contains(first["id"].as_str().unwrap()), "{rows:?}");
    shot(&c, "trader-declarations").await;

    // Filed meanwhile (by its software), the next one shows without reloading.
    let (_, second) = app.file(0, &app.declaration(0, 9)).await;
    if second["state"] == first["state"] {
        let deadline = Instant::now() + STEP;
        while texts(&c, "#declarations tbody tr").await.len() < 2 {
            assert!(Instant::now() < deadline, "the new declaration did not show within {STEP:?}");
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
    }

    // The account: balances and the statement with the opening deposit.
    click_to(&c, "header a[href='/trader/account']", "the account page", |p| p == "/trader/account").await;
    assert!(text(&c, "#statement").await.contains("TEST-OPENING-"));
    assert!(!text(&c, "#available").await.is_empty());
    shot(&c, "trader-account").await;
    c.close().await.unwrap();
}

#[tokio::test]
async fn an_officer_decides_a_case_on_its_page_and_the_declarant_sees_it_live() {
    let Some(d) = driver() else { return };
    let db = sqlite_db();
    let app = spawn_app(&db.url).await;
    control_everything(&app).await;
    let mut ids = Vec::new();
    for seed in [41, 42] {
        let (_, body) = app.file(0, &app.declaration(0, seed)).await;
        assert_eq!(body["state"], "under_control", "{body}");
        ids.push(body["id"].as_str().unwrap().to_string());
    }
    let c = browser(&d).await;

    // The officer opens the case from the work queue, reads why it is there and asks for a document.
    open_signed_in(&c, &app.base, "/console/queue", "test-officer").await;
    let case = format!("/declarations/{}", ids[0]);
    click_to(&c, &format!("#cases a[href='{case}']"), "the declaration page", |p| p == case).await;
    assert!(text(&c, "#hits").await.contains("Count the cartons"));
    let operator = text(&c, "#operator").await;
    assert!(operator.contains(" declarations;") || operator.contains("1 declaration;"), "{operator}");
    shot(&c, "declaration-officer").await;
    c.find(Locator::Css("#question")).await.unwrap().send_keys("Send the packing list").await.unwrap();
    c.find(Locator::Css("#ask button[type=submit]")).await.unwrap().click().await.unwrap();
    assert!(text(&c, "section.request").await.contains("Not answered yet"));
    sign_out(&c).await;

    // The declarant answers with the document attached.
    open_signed_in(&c, &app.base, &case, "test-trader-1").await;
    assert!(text(&c, "section.request").await.contains("Send the packing list"));
    let upload = tempfile::Builder::new().prefix("packing-list").suffix(".pdf").tempfile().unwrap();
    std::fs::write(upload.path(), b"%PDF-1.4 packing list").unwrap();
    c.find(Locator::Css("section.request textarea")).await.unwrap().send_keys("Packing list attached").await.unwrap();
    c.find(Locator::Css("section.request input[type=file]"))
        .await
        .unwrap()
        .send_keys(&upload.path().display().to_string())
        .await
        .unwrap();
    c.find(Locator::Css("section.request button[type=submit]")).await.unwrap().click().await.unwrap();
    let deadline = Instant::now() + STEP;
    while !text(&c, "section.request").await.contains("Answered by") {
        assert!(Instant::now() < deadline, "the answer did not show within {STEP:?}");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    assert!(text(&c, "section.request ul.files").await.contains("packing-list"));
    shot(&c, "declaration-answered").await;
    sign_out(&c).await;

    // The officer reads the answer and refuses: the cartons are short.
    open_signed_in(&c, &app.base, &case, "test-officer").await;
    assert!(text(&c, "section.request").await.contains("Packing list attached"));
    c.find(Locator::Css("input[name=decision][value=refuse]")).await.unwrap().click().await.unwrap();
    c.find(Locator::Css("input[name=irregularity][value=quantity]")).await.unwrap().click().await.unwrap();
    c.find(Locator::Css("#reason")).await.unwrap().send_keys("Twelve cartons fewer than invoiced").await.unwrap();
    c.find(Locator::Css("#decide + form button[type=submit]")).await.unwrap().click().await.unwrap();
    let deadline = Instant::now() + STEP;
    while text(&c, "#state").await != "Refused" {
        assert!(Instant::now() < deadline, "the decision did not show within {STEP:?}");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    sign_out(&c).await;

    // The declarant reads the reason, then watches its other case released live.
    open_signed_in(&c, &app.base, &case, "test-trader-1").await;
    assert!(text(&c, "#timeline").await.contains("Twelve cartons fewer than invoiced"));
    assert!(texts(&c, "#hits").await.is_empty(), "the declarant does not see the risk explanation");
    let other = format!("/declarations/{}", ids[1]);
    c.goto(&format!("{}{other}", app.base)).await.unwrap();
    assert_eq!(text(&c, "#state").await, "Under customs control");
    shot(&c, "declaration-trader").await;
    let decision = json!({ "release": true, "reason": "Documents in order", "outcome": { "irregularities": [] } });
    let (s, _) = app.post(&format!("/api/v1/declarations/{}/decision", ids[1]), &app.officer_token, &decision).await;
    assert_eq!(s, 200);
    let deadline = Instant::now() + STEP;
    while text(&c, "#state").await != "Released" {
        assert!(Instant::now() < deadline, "the release did not show live within {STEP:?}");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    let print = format!("{other}/release");
    click_to(&c, &format!("#release a[href='{print}']"), "the release document", |p| p == print).await;
    assert!(text(&c, "#release-document").await.contains("Released by a customs officer"));
    shot(&c, "release-document").await;
    c.close().await.unwrap();
}

#[tokio::test]
async fn a_supervisor_reassigns_a_case_and_its_dispatch_explains_it() {
    let Some(d) = driver() else { return };
    let db = sqlite_db();
    let app = spawn_app(&db.url).await;
    let put = |path: String, body: serde_json::Value| {
        let req = app.client.put(format!("{}{path}", app.base)).bearer_auth("test-admin").json(&body);
        async move { assert_eq!(req.send().await.unwrap().status(), 200, "{path}") }
    };
    put("/api/v1/centres/EDC-MAIN".into(), json!({ "name": "Main centre" })).await;
    for user in ["test-officer", "test-officer-2"] {
        put(format!("/api/v1/inspectors/{user}"), json!({ "centre": "EDC-MAIN" })).await;
    }
    let (s, _) =
        app.post("/api/v1/dispatch/rules", "test-admin", &json!({ "rules": [], "default_centre": "EDC-MAIN" })).await;
    assert_eq!(s, 201);
    let profile = "profile RP-ALL \"Control everything\"\nwhen declaration.type = \"IM\"\nlane red\n\
                   instruction \"Inspect\"\nvalid from 2020-01-01\n";
    app.add_profile(profile).await;
    let (_, filed) = app.file(0, &app.declaration(0, 77)).await;
    let id = filed["id"].as_str().unwrap().to_string();
    let deadline = Instant::now() + STEP;
    let first = loop {
        let (s, d) = app.get(&format!("/api/v1/declarations/{id}/dispatch"), Some("test-supervisor")).await;
        if s == 200 {
            break d["dispatch"]["inspector"].as_str().unwrap().to_string();
        }
        assert!(Instant::now() < deadline, "not dispatched within {STEP:?}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    let other = if first == "test-officer" { "test-officer-2" } else { "test-officer" };

    let c = browser(&d).await;
    open_signed_in(&c, &app.base, "/console/queue", "test-supervisor").await;
    assert_eq!(texts(&c, "#cases td.inspector").await, vec![first.clone()]);
    let case = format!("/declarations/{id}");
    click_to(&c, &format!("#cases a[href='{case}']"), "the declaration page", |p| p == case).await;
    assert_eq!(text(&c, "#dispatch-inspector").await, first);
    c.find(Locator::Css(&format!("#inspector option[value='{other}']"))).await.unwrap().click().await.unwrap();
    c.find(Locator::Css("#reassign-reason")).await.unwrap().send_keys("Balances the centre's load").await.unwrap();
    c.find(Locator::Css("#reassign button[type=submit]")).await.unwrap().click().await.unwrap();
    let deadline = Instant::now() + STEP;
    while text(&c, "#dispatch-inspector").await != other {
        assert!(Instant::now() < deadline, "the reassignment did not show within {STEP:?}");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    assert!(text(&c, "#dispatch").await.contains("reassigned by test-supervisor"));
    assert!(text(&c, "#timeline").await.contains("Balances the centre's load"));
    shot(&c, "declaration-dispatch").await;
    click_to(&c, "header a[href='/console/centres']", "the centres page", |p| p == "/console/centres").await;
    let rows = texts(&c, "#queues tbody tr").await;
    assert!(rows.len() == 1 && rows[0].contains(other), "{rows:?}");
    shot(&c, "centres").await;
    sign_out(&c).await;

    // The inspector now finds the case in its own queue.
    open_signed_in(&c, &app.base, "/console/queue", other).await;
    assert!(text(&c, "#scope").await.starts_with("Your cases"));
    assert_eq!(texts(&c, "#cases td.inspector").await, vec![other.to_string()]);
    c.close().await.unwrap();
}

#[tokio::test]
async fn an_analyst_previews_a_profile_in_the_editor() {
    let Some(d) = driver() else { return };
    let db = sqlite_db();
    let app = spawn_app(&db.url).await;
    for seed in 0..6 {
        app.file(0, &app.declaration(0, 300 + seed)).await;
    }
    let c = browser(&d).await;
    open_signed_in(&c, &app.base, "/console/profiles", "test-analyst").await;
    assert!(!texts(&c, "#profiles tbody tr").await.is_empty(), "the demo profiles are listed");
    c.find(Locator::Css("button[value=preview]")).await.unwrap().click().await.unwrap();
    assert!(text(&c, "#preview-hits").await.starts_with("It fires on"));
    assert!(text(&c, "#text").await.starts_with("profile RP-NEW"), "the text stays in the editor");
    shot(&c, "profile-editor").await;
    c.close().await.unwrap();
}

/// True when the page shown is no wider than the window (nothing to scroll sideways).
async fn fits(c: &Client) -> bool {
    let wide = c.execute("return [document.documentElement.scrollWidth, window.innerWidth];", vec![]).await.unwrap();
    let [page, window]: [i64; 2] = serde_json::from_value(wide).unwrap();
    page <= window
}

#[tokio::test]
async fn a_trader_works_on_a_phone_screen() {
    let Some(d) = driver() else { return };
    let db = sqlite_db();
    let app = spawn_app(&db.url).await;
    let (_, filed) = app.file(0, &app.declaration(0, 31)).await;
    let id = filed["id"].as_str().unwrap().to_string();
    let c = browser(&d).await;
    c.set_window_size(390, 844).await.unwrap();
    open_signed_in(&c, &app.base, "/trader/declarations", "test-trader-1").await;
    for path in ["/trader/declarations".to_string(), format!("/declarations/{id}"), "/trader/account".to_string()] {
        c.goto(&format!("{}{path}", app.base)).await.unwrap();
        wait_path(&c, &path, |p| p == path).await;
        if !fits(&c).await {
            let culprits = c
                .execute(
                    "return Array.from(document.querySelectorAll('body *')).filter(e => e.getBoundingClientRect().right > window.innerWidth).slice(0, 8).map(e => e.tagName + '#' + e.id + '.' + e.className + ' ' + Math.round(e.getBoundingClientRect().right));",
                    vec![],
                )
                .await
                .unwrap();
            screenshot(&c, "phone-overflow").await;
            panic!("{path} is wider than a phone's screen: {culprits}");
        }
        let name = format!("phone-{}", path.trim_start_matches('/').split('/').next().unwrap_or("page"));
        shot(&c, &name).await;
    }
    c.close().await.unwrap();
}

mod checkpoint;
mod filing;
mod movements;
mod parcels;
mod russian;
mod single_window;
