//! The Single Window in the browser: the veterinary agency's staff add a requirement (first
//! with a commodity prefix that is refused next to its field), issue a document to a trader,
//! see it drawn on by a declaration that needs it, try amendments that are refused (a negative
//! quantity and a word, each next to the quantity; a quantity below what is used, above the
//! form), suspend it, and read the declaration its requirement concerns; the trader finds the
//! document, suspended, with what is left, on its own page. Each page passes the accessibility
//! check.

use std::time::{Duration, Instant};

use fantoccini::{Client, Locator};
use rust_decimal::Decimal;
use serde_json::json;

use smartcustoms_core::declaration::{DeclarationDoc, DocumentDoc};
use smartcustoms_testkit::{spawn_app, sqlite_db, TestApp};

use super::{browser, click_to, driver, open_signed_in, shot, sign_out, text, STEP};

const NUMBER: &str = "VET-2026-0001";

/// A declaration of trader 0 with one item of the goods of `seed`, naming document `number`.
fn one_item(app: &TestApp, seed: u64, number: &str) -> DeclarationDoc {
    let mut doc = app.declaration(0, seed);
    let items = doc.items.as_mut().unwrap();
    items.truncate(1);
    let item = &mut items[0];
    item.documents
        .get_or_insert_with(Vec::new)
        .push(DocumentDoc { kind: Some("N853".into()), number: Some(number.into()) });
    doc.invoice.as_mut().unwrap().total = item.price;
    doc
}

/// Waits until the element's text satisfies `want` (a form posted shows its answer on the same
/// address, so the address alone does not say the new page is there).
async fn until(c: &Client, css: &str, what: &str, want: impl Fn(&str) -> bool) -> String {
    let deadline = Instant::now() + STEP;
    loop {
        let found = text(c, css).await;
        if want(&found) {
            return found;
        }
        assert!(Instant::now() < deadline, "{css}: still {found:?} after {STEP:?}, expected {what}");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

/// Types `value` into the field `css`, replacing what it holds.
async fn type_in(c: &Client, css: &str, value: &str) {
    let field = c.find(Locator::Css(css)).await.unwrap_or_else(|e| panic!("{css}: {e}"));
    field.clear().await.unwrap();
    field.send_keys(value).await.unwrap();
}

async fn click(c: &Client, css: &str) {
    c.find(Locator::Css(css)).await.unwrap_or_else(|e| panic!("{css}: {e}")).click().await.unwrap();
}

/// Scrolls the element into view, for the screenshot.
async fn show(c: &Client, css: &str) {
    c.execute("document.querySelector(arguments[0]).scrollIntoView();", vec![json!(css)]).await.unwrap();
}

/// The value an input holds.
async fn value(c: &Client, css: &str) -> String {
    c.find(Locator::Css(css)).await.unwrap().prop("value").await.unwrap().unwrap_or_default()
}

#[tokio::test]
async fn an_agency_issues_and_suspends_a_document_and_the_trader_sees_what_is_left() {
    let Some(d) = driver() else { return };
    let db = sqlite_db();
    let app = spawn_app(&db.url).await;
    let agency = json!({ "name": "Veterinary service", "fields": ["importer", "commodity_code", "origin", "net_mass", "documents"] });
    let (s, a) = app.put("/api/v1/agencies/VET", "test-admin", &agency).await;
    assert_eq!(s, 200, "{a}");
    let seed = 811;
    let item = one_item(&app, seed, NUMBER).items.unwrap().remove(0);
    let hs = item.commodity_code.unwrap()[..4].to_string();
    let mass = item.net_mass.unwrap();
    let holder = app.traders[0].id.clone();
    let c = browser(&d).await;

    // The agency's staff add a requirement: first with a prefix of one digit, refused by the field.
    open_signed_in(&c, &app.base, "/agency/requirements", "test-agency-vet").await;
    assert!(text(&c, "#no-requirements").await.starts_with("No requirement"));
    shot(&c, "sw-requirements-empty").await;
    type_in(&c, "#add-document_kind", "N853").await;
    type_in(&c, "#add-hs_prefix", "0").await;
    click(&c, "#add-requirement button[type=submit]").await;
    assert!(text(&c, "#add-hs_prefix-error").await.contains("2 to 10 digits"));
    assert_eq!(value(&c, "#add-document_kind").await, "N853", "the input is kept");
    shot(&c, "sw-requirement-refused").await;
    type_in(&c, "#add-hs_prefix", &hs).await;
    click(&c, "#add-requirement button[type=submit]").await;
    let row = until(&c, "#requirements tbody tr", "the requirement", |t| t.contains("N853")).await;
    assert!(row.contains(&hs) && row.contains("every origin"), "{row}");
    shot(&c, "sw-requirements").await;

    // It issues a document to the trader, and sees it listed.
    click_to(&c, "header a[href='/agency']", "the agency's documents", |p| p == "/agency").await;
    assert!(text(&c, "#no-documents").await.starts_with("No document"));
    let granted = (mass * Decimal::from(10)).normalize();
    type_in(&c, "#issue-number", NUMBER).await;
    type_in(&c, "#issue-kind", "N853").await;
    type_in(&c, "#issue-holder", &holder).await;
    type_in(&c, "#issue-hs_prefixes", &hs).await;
    type_in(&c, "#issue-quantity", &granted.to_string()).await;
    click(&c, "#issue button[type=submit]").await;
    let listed = format!("#permits tr[data-number='{NUMBER}']");
    let shown = text(&c, &listed).await;
    assert!(shown.contains(&holder) && shown.contains("active"), "{shown}");
    shot(&c, "sw-documents").await;

    // A declaration of the trader names it: registration takes the item's net mass from it.
    let (s, filed) = app.file(0, &one_item(&app, seed, NUMBER)).await;
    assert_eq!(s, 201, "{filed}");
    assert!(["under_control", "released"].contains(&filed["state"].as_str().unwrap()), "{filed}");
    let id = filed["id"].as_str().unwrap().to_string();

    // Amendments refused: a negative quantity and a word, each next to the quantity.
    c.goto(&format!("{}/agency", app.base)).await.unwrap();
    type_in(&c, "#amend-0-quantity", "-5").await;
    type_in(&c, "#amend-0-reason", "Correction of the quantity").await;
    click(&c, "#amend-0 button[type=submit]").await;
    assert!(text(&c, "#amend-0-quantity-error").await.contains("positive number"));
    assert_eq!(value(&c, "#amend-0-quantity").await, "-5", "the input is kept");
    assert_eq!(value(&c, "#amend-0-reason").await, "Correction of the quantity", "the input is kept");
    let invalid = c.find(Locator::Css("#amend-0-quantity")).await.unwrap().attr("aria-invalid").await.unwrap();
    assert_eq!(invalid.as_deref(), Some("true"));
    show(&c, "#doc-0").await;
    shot(&c, "sw-amend-refused").await;
    type_in(&c, "#amend-0-quantity", "plenty").await;
    click(&c, "#amend-0 button[type=submit]").await;
    until(&c, "#amend-0-quantity-error", "the word refused", |t| t.contains("Write a number")).await;
    // Below what the declaration took: the document's state refuses it, said above the form.
    let below = (mass / Decimal::from(2)).round_dp(3).normalize();
    type_in(&c, "#amend-0-quantity", &below.to_string()).await;
    click(&c, "#amend-0 button[type=submit]").await;
    let problem = text(&c, "#amend-0-problem").await;
    assert!(problem.contains("reserved or drawn"), "{problem}");
    show(&c, "#doc-0").await;
    shot(&c, "sw-amend-below-used").await;

    // It suspends the document: the list says so, and only reinstating and revoking are offered.
    type_in(&c, "#suspend-0-reason", "Outbreak under investigation").await;
    click(&c, "#suspend-0 button[type=submit]").await;
    until(&c, &format!("{listed} td.status"), "suspended", |t| t == "suspended").await;
    assert!(c.find(Locator::Css("#reinstate-0")).await.is_ok());
    assert!(c.find(Locator::Css("#suspend-0")).await.is_err());
    let left = (granted - mass).normalize().to_string();
    let remaining = text(&c, &format!("{listed} td.remaining")).await;
    assert_eq!(remaining.replace(',', ""), left, "what the declaration took is no longer left");
    shot(&c, "sw-documents-suspended").await;

    // The declaration its requirement concerns, within the agency's competence, with the draw.
    click_to(&c, "header a[href='/agency/declarations']", "the agency's declarations", |p| p == "/agency/declarations")
        .await;
    let section = format!("section[data-declaration='{id}']");
    let shown = text(&c, &section).await;
    assert!(shown.contains(&item_code(&app, seed)) && shown.contains(NUMBER), "{shown}");
    assert!(text(&c, &format!("{section} .draws tr[data-number='{NUMBER}']"))
        .await
        .contains(&mass.normalize().to_string().replace(',', "")));
    shot(&c, "sw-declarations").await;
    sign_out(&c).await;

    // The trader finds the document, suspended, with what is left of it.
    open_signed_in(&c, &app.base, "/trader/permits", "test-trader-1").await;
    let mine = text(&c, &format!("#permits tr[data-number='{NUMBER}']")).await;
    assert!(mine.contains("Veterinary service") && mine.contains("suspended"), "{mine}");
    let remaining = text(&c, &format!("#permits tr[data-number='{NUMBER}'] td.remaining")).await;
    assert_eq!(remaining.replace(',', ""), format!("{left} kg"));
    shot(&c, "sw-trader-permits").await;

    // In Russian, the same page and the agency's pages.
    c.goto(&format!("{}/lang?to=ru", app.base)).await.unwrap();
    c.goto(&format!("{}/trader/permits", app.base)).await.unwrap();
    until(&c, "h1", "the Russian title", |t| t == "Мои разрешения, лицензии и сертификаты").await;
    assert_eq!(text(&c, &format!("#permits tr[data-number='{NUMBER}'] td.status")).await, "приостановлен");
    shot(&c, "sw-trader-permits-ru").await;
    sign_out(&c).await;
    open_signed_in(&c, &app.base, "/agency", "test-agency-vet").await;
    assert!(text(&c, "h1").await.starts_with("Документы ведомства"));
    type_in(&c, "#amend-0-quantity", "-1").await;
    type_in(&c, "#amend-0-reason", "Исправление").await;
    click(&c, "#amend-0 button[type=submit]").await;
    let said = text(&c, "#amend-0-quantity-error").await;
    assert!(said.starts_with("Значение не подходит") && said.contains("positive number"), "{said}");
    show(&c, "#doc-0").await;
    shot(&c, "sw-amend-refused-ru").await;
    for path in ["/agency/requirements", "/agency/declarations"] {
        c.goto(&format!("{}{path}", app.base)).await.unwrap();
        until(&c, "h1", "the Russian title", |t| t.starts_with("Требования") || t.starts_with("Декларации")).await;
        shot(&c, &format!("sw{}-ru", path.replace('/', "-"))).await;
    }
    c.close().await.unwrap();
}

/// The commodity code of the item of `seed`.
fn item_code(app: &TestApp, seed: u64) -> String {
    one_item(app, seed, NUMBER).items.unwrap().remove(0).commodity_code.unwrap()
}

#[tokio::test]
async fn an_agency_decides_on_goods_referred_to_it_without_their_document() {
    let Some(d) = driver() else { return };
    let db = sqlite_db();
    let app = spawn_app(&db.url).await;
    let agency = json!({ "name": "Veterinary service", "fields": ["commodity_code", "net_mass"] });
    assert_eq!(app.put("/api/v1/agencies/VET", "test-admin", &agency).await.0, 200);
    let seed = 812;
    let mut doc = one_item(&app, seed, "none");
    let item = &mut doc.items.as_mut().unwrap()[0];
    if let Some(documents) = item.documents.as_mut() {
        documents.retain(|d| d.kind.as_deref() != Some("N853"));
    }
    let hs = item.commodity_code.clone().unwrap()[..4].to_string();
    let c = browser(&d).await;

    // A requirement that refers goods without their document to the agency, set in its form.
    open_signed_in(&c, &app.base, "/agency/requirements", "test-agency-vet").await;
    type_in(&c, "#add-document_kind", "N853").await;
    type_in(&c, "#add-hs_prefix", &hs).await;
    click(&c, "#add-requirement select[name=on_missing] option[value=refer]").await;
    click(&c, "#add-requirement button[type=submit]").await;
    let row = until(&c, "#requirements tbody tr", "the requirement", |t| t.contains("N853")).await;
    assert!(row.contains("refer to the agency"), "{row}");

    // A declaration without the document is registered and waits for the agency.
    let (s, filed) = app.file(0, &doc).await;
    assert_eq!((s, filed["state"].as_str()), (201, Some("under_control")), "{filed}");
    let id = filed["id"].as_str().unwrap().to_string();
    click_to(&c, "header a[href='/agency/referrals']", "the referred goods", |p| p == "/agency/referrals").await;
    let waiting = text(&c, &format!("#referrals tr[data-declaration='{id}']")).await;
    assert!(waiting.contains("SW_001") && waiting.contains("N853"), "{waiting}");
    shot(&c, "sw-referrals").await;

    // A decision needs a note: refused next to it, then allowed.
    let form = format!("#referral-{id}-1-N853");
    click(&c, &format!("{form} button[value=allow]")).await;
    let said = until(&c, &format!("{form}-note-error"), "the note asked for", |t| !t.is_empty()).await;
    assert!(said.contains("1 to 1000 characters"), "{said}");
    shot(&c, "sw-referral-refused").await;
    type_in(&c, &format!("{form}-note"), "Health certificate checked at the border post").await;
    click(&c, &format!("{form} button[value=allow]")).await;
    until(&c, "#no-referrals", "no goods waiting", |t| t.starts_with("No goods")).await;
    let (_, referrals) =
        app.get(&format!("/api/v1/single-window/declarations/{id}/referrals"), Some("test-officer")).await;
    assert_eq!(referrals[0]["state"], "allowed", "{referrals}");

    c.goto(&format!("{}/lang?to=ru", app.base)).await.unwrap();
    c.goto(&format!("{}/agency/referrals", app.base)).await.unwrap();
    until(&c, "h1", "the Russian title", |t| t.starts_with("Товары, переданные")).await;
    shot(&c, "sw-referrals-ru").await;
    c.close().await.unwrap();
}
