//! Filing in the browser: the trader's personal signing key, the declaration form with each
//! finding next to its field and the input kept, drafts, signing and filing once however often
//! the form is sent, copy as new and fix and resubmit, JSON upload (good, not JSON, too large),
//! a form posted after its session lapsed, and the HS code lookup.

use std::time::Duration;

use smartcustoms_http::identity::SessionConfig;
use smartcustoms_http::pages::filing::form::Values;
use smartcustoms_http::HttpConfig;
use smartcustoms_testkit::{all_dbs, spawn_app, spawn_app_with, sqlite_db, TestApp};

use crate::declaration_page::{csrf_in, multipart_with, page, post_form};
use crate::sessions::{no_redirect, session};

const PASSPHRASE: &str = "long enough passphrase";

/// Posts a form; returns status, `Location` and text.
async fn send(app: &TestApp, path: &str, cookie: &str, fields: &[(String, String)]) -> (u16, String, String) {
    let r =
        no_redirect().post(format!("{}{path}", app.base)).header("cookie", cookie).form(fields).send().await.unwrap();
    let location = r.headers().get("location").map(|l| l.to_str().unwrap().to_string()).unwrap_or_default();
    (r.status().as_u16(), location, r.text().await.unwrap())
}

/// The form's fields for a valid declaration of trader 0, with `changes` applied.
fn fields(app: &TestApp, seed: u64, csrf: &str, changes: &[(&str, &str)]) -> Vec<(String, String)> {
    let mut pairs = Values::of(&app.declaration(0, seed)).pairs();
    for (name, value) in changes {
        pairs.retain(|(n, _)| n != name);
        pairs.push((name.to_string(), value.to_string()));
    }
    pairs.push(("_csrf".into(), csrf.into()));
    pairs
}

/// Makes the trader's personal key through its page.
async fn make_key(app: &TestApp, cookie: &str) {
    let csrf = csrf_in(&page(app, "/trader/key", cookie).await.1);
    let (s, html) =
        post_form(app, "/trader/key", cookie, &[("_csrf", &csrf), ("passphrase", PASSPHRASE), ("again", PASSPHRASE)])
            .await;
    assert_eq!(s, 201, "{html}");
}

#[tokio::test]
async fn a_trader_files_through_the_form_with_findings_by_field_drafts_and_a_personal_key() {
    for (backend, db) in all_dbs("filing form").await {
        let app = spawn_app(&db.url).await;
        let trader = session(&app, &app.traders[0].token).await;
        let (s, html) = page(&app, "/trader/file", &trader).await;
        assert_eq!(s, 200, "{backend}");
        assert!(html.contains(&format!("value=\"{}\"", app.traders[0].id)), "{backend}: the declarant is filled in");
        assert!(html.contains("You have no signing key yet"), "{backend}");
        let csrf = csrf_in(&html);

        // The personal key: passphrase rules, then made and registered as the trader's key.
        let (s, html) =
            post_form(&app, "/trader/key", &trader, &[("_csrf", &csrf), ("passphrase", "short"), ("again", "short")])
                .await;
        assert_eq!(s, 422, "{backend}");
        assert!(html.contains("10 to 200 characters"), "{backend}: {html}");
        let (s, _) = post_form(
            &app,
            "/trader/key",
            &trader,
            &[("_csrf", &csrf), ("passphrase", PASSPHRASE), ("again", "another passphrase")],
        )
        .await;
        assert_eq!(s, 422, "{backend}: the two passphrases differ");
        make_key(&app, &trader).await;
        let (_, keys) = app.get("/api/v1/keys", Some(&app.traders[0].token)).await;
        assert_eq!(keys.as_array().unwrap().len(), 2, "{backend}: the personal key is registered: {keys}");

        // Errors next to their fields, the input kept, the passphrase never echoed.
        let broken = fields(&app, 31, &csrf, &[("items[0].net_mass", "12,5kg"), ("items[0].description", "")]);
        let mut filing = broken.clone();
        filing.extend([("action".into(), "file".into()), ("passphrase".into(), PASSPHRASE.into())]);
        let (s, _, html) = send(&app, "/trader/file", &trader, &filing).await;
        assert_eq!(s, 422, "{backend}: {html}");
        assert!(html.contains("id=\"f-items-0--net_mass-error\"") && html.contains("FORM_001"), "{backend}: {html}");
        assert!(html.contains("id=\"f-items-0--description-error\""), "{backend}: FLC names the missing description");
        assert!(html.contains("value=\"12,5kg\""), "{backend}: input kept");
        assert!(!html.contains(PASSPHRASE), "{backend}: the passphrase is not sent back");
        let (_, list) = app.get("/api/v1/declarations", Some(&app.traders[0].token)).await;
        assert_eq!(list.as_array().map(Vec::len), Some(0), "{backend}: nothing filed: {list}");

        // Without the CSRF token nothing happens.
        let no_csrf: Vec<(String, String)> = filing.iter().filter(|(n, _)| n != "_csrf").cloned().collect();
        assert_eq!(send(&app, "/trader/file", &trader, &no_csrf).await.0, 403, "{backend}");

        // Saved as a draft, and read back as typed.
        let mut save = broken.clone();
        save.push(("action".into(), "save".into()));
        let (s, location, _) = send(&app, "/trader/file", &trader, &save).await;
        assert_eq!(s, 303, "{backend}");
        let draft = location.split("draft=").nth(1).unwrap().split('&').next().unwrap().to_string();
        let (s, html) = page(&app, &location, &trader).await;
        assert_eq!(s, 200, "{backend}");
        assert!(html.contains("Draft saved") && html.contains("value=\"12,5kg\""), "{backend}");

        // Fixed, then signed with a wrong passphrase, then filed; sent twice, filed once.
        let mut good = fields(&app, 31, &csrf, &[("draft", &draft), ("key", "form-key-1")]);
        good.push(("action".into(), "file".into()));
        let mut wrong = good.clone();
        wrong.push(("passphrase".into(), "not the passphrase".into()));
        let (s, _, html) = send(&app, "/trader/file", &trader, &wrong).await;
        assert_eq!(s, 422, "{backend}");
        assert!(html.contains("does not open the signing key"), "{backend}: {html}");
        good.push(("passphrase".into(), PASSPHRASE.into()));
        let (first, second) =
            tokio::join!(send(&app, "/trader/file", &trader, &good), send(&app, "/trader/file", &trader, &good));
        assert_eq!((first.0, second.0), (303, 303), "{backend}: {} {}", first.2, second.2);
        assert_eq!(first.1, second.1, "{backend}: one declaration");
        let id = first.1.trim_start_matches("/declarations/").to_string();
        let (_, filed) = app.get(&format!("/api/v1/declarations/{id}"), Some(&app.traders[0].token)).await;
        assert_ne!(filed["state"], "refused", "{backend}: the signature verifies: {filed}");
        let (_, list) = app.get("/api/v1/declarations", Some(&app.traders[0].token)).await;
        assert_eq!(list.as_array().map(Vec::len), Some(1), "{backend}");
        let (s, _) = page(&app, &format!("/trader/file?draft={draft}"), &trader).await;
        assert_eq!(s, 404, "{backend}: the filed draft is gone");

        // Copy as new; fix and resubmit shows the reasons by field; another trader's is 404.
        let (s, html) = page(&app, &format!("/trader/file?copy={id}"), &trader).await;
        assert_eq!(s, 200, "{backend}");
        assert!(html.contains(&format!("made from {id}")), "{backend}");
        let mut doc = app.declaration(0, 32);
        doc.items.as_mut().unwrap()[0].origin = Some("ZZ".into());
        let (_, refused) = app.file(0, &doc).await;
        assert_eq!(refused["state"], "refused", "{backend}: {refused}");
        let refused_id = refused["id"].as_str().unwrap();
        let (s, html) = page(&app, &format!("/trader/file?fix={refused_id}"), &trader).await;
        assert_eq!(s, 200, "{backend}");
        assert!(html.contains("id=\"f-items-0--origin-error\"") && html.contains("value=\"ZZ\""), "{backend}: {html}");
        let other = session(&app, &app.traders[1].token).await;
        assert_eq!(page(&app, &format!("/trader/file?copy={id}"), &other).await.0, 404, "{backend}");
        let officer = session(&app, "test-officer").await;
        assert_eq!(page(&app, "/trader/file", &officer).await.0, 403, "{backend}: officers do not file");
    }
}

/// A refused declaration's reasons carry their values (`args`) in the API answer, and the pages
/// in Russian say each reason in full with those values: the fix form next to the field and the
/// declaration's timeline; in English they keep the core's message.
#[tokio::test]
async fn a_refused_declarations_reasons_read_in_russian_with_their_values() {
    for (backend, db) in all_dbs("reasons in Russian").await {
        let app = spawn_app(&db.url).await;
        let mut doc = app.declaration(0, 33);
        let item = &mut doc.items.as_mut().unwrap()[0];
        let gross = item.gross_mass.unwrap();
        let net = gross + rust_decimal::Decimal::ONE;
        item.net_mass = Some(net);
        let (_, refused) = app.file(0, &doc).await;
        assert_eq!(refused["state"], "refused", "{backend}: {refused}");
        let reasons = refused["reasons"].as_array().unwrap();
        let reason = reasons.iter().find(|r| r["code"] == "FLC_038").unwrap_or_else(|| panic!("{backend}: {refused}"));
        let (net, gross) = (net.to_string(), gross.to_string());
        assert_eq!(reason["args"], serde_json::json!({"net": net, "gross": gross}), "{backend}");
        let message = reason["message"].as_str().unwrap();
        let russian = format!("FLC_038: Масса нетто {net} кг больше массы брутто {gross} кг.");

        let trader = session(&app, &app.traders[0].token).await;
        let in_russian = format!("{trader}; sc_lang=ru");
        let id = refused["id"].as_str().unwrap();
        let (s, html) = page(&app, &format!("/trader/file?fix={id}"), &in_russian).await;
        assert_eq!(s, 200, "{backend}");
        assert!(html.contains(&russian) && !html.contains(message), "{backend}: next to the field: {html}");
        let (s, html) = page(&app, &format!("/declarations/{id}"), &in_russian).await;
        assert_eq!(s, 200, "{backend}");
        assert!(html.contains(&russian) && !html.contains(message), "{backend}: in the timeline: {html}");
        let (_, html) = page(&app, &format!("/declarations/{id}"), &trader).await;
        assert!(html.contains(&format!("FLC_038: {message}")), "{backend}: English as the core says it: {html}");
    }
}

#[tokio::test]
async fn a_json_file_fills_the_form_and_bad_files_are_refused_clearly() {
    let db = sqlite_db();
    let app = spawn_app(&db.url).await;
    let trader = session(&app, &app.traders[0].token).await;
    let csrf = csrf_in(&page(&app, "/trader/file", &trader).await.1);
    let upload = |files: Vec<(&'static str, Vec<u8>)>, csrf: String| {
        let (app, trader) = (&app, trader.clone());
        async move {
            let files: Vec<(&str, &str, &[u8])> =
                files.iter().map(|(n, b)| (*n, "application/json", b.as_slice())).collect();
            let (media, body) = multipart_with("document", &[("_csrf", &csrf)], &files);
            let r = no_redirect()
                .post(format!("{}/trader/file/upload", app.base))
                .header("cookie", trader)
                .header("content-type", media)
                .body(body)
                .send()
                .await
                .unwrap();
            (r.status().as_u16(), r.text().await.unwrap())
        }
    };
    let doc = app.declaration(0, 41);
    let json = serde_json::to_vec(&doc).unwrap();
    let (s, html) = upload(vec![("mine.json", json.clone())], csrf.clone()).await;
    assert_eq!(s, 200, "{html}");
    assert!(html.contains("Loaded from mine.json"), "{html}");
    let description = doc.items.as_ref().unwrap()[0].description.clone().unwrap();
    assert!(html.contains(&format!("value=\"{description}\"")), "the file's values are in the form");

    let (s, html) = upload(vec![("notes.json", b"this is not json".to_vec())], csrf.clone()).await;
    assert_eq!(s, 400, "{html}");
    assert!(html.contains("is not a declaration in JSON (REQ_001)"), "{html}");
    let (s, html) = upload(vec![("odd.json", br#"{"office": 5}"#.to_vec())], csrf.clone()).await;
    assert_eq!(s, 422, "{html}");
    assert!(html.contains("REQ_002"), "{html}");
    let (s, html) = upload(vec![("huge.json", vec![b' '; 3 * 1024 * 1024])], csrf.clone()).await;
    assert_eq!(s, 413, "{html}");
    assert!(html.contains("REQ_003"), "{html}");
    let (s, _) = upload(vec![("mine.json", json)], "wrong".into()).await;
    assert_eq!(s, 403, "a wrong CSRF token");
}

#[tokio::test]
async fn a_form_posted_after_its_session_lapsed_is_kept_for_the_next_session() {
    let db = sqlite_db();
    let sessions = SessionConfig { idle: Duration::from_millis(800), ..SessionConfig::default() };
    let app = spawn_app_with(&db.url, HttpConfig { sessions, ..HttpConfig::default() }).await;
    let trader = session(&app, &app.traders[0].token).await;
    let csrf = csrf_in(&page(&app, "/trader/file", &trader).await.1);
    tokio::time::sleep(Duration::from_millis(1000)).await;
    let mut form = fields(&app, 51, &csrf, &[("importer.name", "Typed Before Lapse Ltd")]);
    form.extend([("action".into(), "file".into()), ("passphrase".into(), PASSPHRASE.into())]);
    let (s, location, _) = send(&app, "/trader/file", &trader, &form).await;
    assert_eq!(s, 303);
    assert!(location.starts_with("/login?next=%2Ftrader%2Ffile%3Fdraft%3D"), "{location}");
    let back_to =
        location.trim_start_matches("/login?next=").replace("%2F", "/").replace("%3F", "?").replace("%3D", "=");
    let again = session(&app, &app.traders[0].token).await;
    let (s, html) = page(&app, &back_to, &again).await;
    assert_eq!(s, 200);
    assert!(html.contains("value=\"Typed Before Lapse Ltd\""), "the input is kept");
    assert!(!html.contains(PASSPHRASE), "the passphrase is not kept");
    // A form of no session at all is not kept.
    let (s, location, _) = send(&app, "/trader/file", "sc_session=unknown", &form).await;
    assert_eq!((s, location.as_str()), (303, "/login?next=%2Ftrader%2Ffile"));
}

#[tokio::test]
async fn commodity_codes_are_found_by_words_or_digits() {
    let db = sqlite_db();
    let app = spawn_app(&db.url).await;
    let (s, hits) = app.get("/api/v1/hs?q=radio%20receivers&limit=50", None).await;
    assert_eq!(s, 200, "{hits}");
    assert!(hits.as_array().unwrap().iter().any(|h| h["code"].as_str().unwrap().starts_with("8527")), "{hits}");
    let (s, hits) = app.get("/api/v1/hs?q=0703", None).await;
    assert_eq!(s, 200);
    assert!(hits.as_array().unwrap().iter().all(|h| h["code"].as_str().unwrap().starts_with("0703")), "{hits}");
    for bad in ["/api/v1/hs?q=", "/api/v1/hs?q=onions&limit=0", "/api/v1/hs"] {
        let (s, body) = app.get(bad, None).await;
        assert_eq!((s, body["error"]["code"].as_str()), (400, Some("REQ_004")), "{bad}: {body}");
    }
    let html = reqwest::get(format!("{}/hs?q=onions", app.base)).await.unwrap().text().await.unwrap();
    assert!(html.contains("070310"), "{html}");
}

#[tokio::test]
async fn a_trader_finds_its_declarations_by_commodity_code() {
    for (backend, db) in all_dbs("search by commodity code").await {
        let app = spawn_app(&db.url).await;
        let mut ids = Vec::new();
        for seed in [91, 92, 93] {
            let (_, filed) = app.file(0, &app.declaration(0, seed)).await;
            ids.push((filed["id"].as_str().unwrap().to_string(), app.declaration(0, seed)));
        }
        let (_, doc) = &ids[0];
        let code = doc.items.as_ref().unwrap()[0].commodity_code.clone().unwrap();
        let token = &app.traders[0].token;
        let expected: Vec<&str> = ids
            .iter()
            .filter(|(_, d)| {
                d.items.iter().flatten().any(|i| i.commodity_code.as_deref().unwrap_or("").starts_with(&code[..4]))
            })
            .map(|(id, _)| id.as_str())
            .collect();
        let (s, found) = app.get(&format!("/api/v1/declarations?hs={}", &code[..4]), Some(token)).await;
        assert_eq!(s, 200, "{backend}: {found}");
        let mut got: Vec<&str> = found.as_array().unwrap().iter().map(|d| d["id"].as_str().unwrap()).collect();
        got.sort_unstable();
        let mut want = expected.clone();
        want.sort_unstable();
        assert_eq!(got, want, "{backend}: by heading {}", &code[..4]);
        let (_, other) = app.get(&format!("/api/v1/declarations?hs={}", &code[..4]), Some(&app.traders[1].token)).await;
        assert!(other.as_array().unwrap().is_empty(), "{backend}: another trader's are not found");
        let (_, none) = app.get("/api/v1/declarations?hs=999999", Some(token)).await;
        assert!(none.as_array().unwrap().is_empty(), "{backend}");
        for bad in ["8", "85x7", "8527130000"] {
            let (s, body) = app.get(&format!("/api/v1/declarations?hs={bad}"), Some(token)).await;
            assert_eq!((s, body["error"]["code"].as_str()), (400, Some("REQ_004")), "{backend}: {bad}");
        }
        let trader = session(&app, token).await;
        let (s, html) = page(&app, &format!("/trader/declarations?tab=released&hs={}", &code[..4]), &trader).await;
        assert_eq!(s, 200, "{backend}");
        assert!(html.contains(&format!("value=\"{}\"", &code[..4])), "{backend}: the filter is kept");
    }
}
