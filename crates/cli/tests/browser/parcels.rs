//! An e-commerce operator's parcels page in the browser: trader 0 finds its data quality and
//! no file, files a small bulk file (two good parcels, one with a vague description, and a
//! line that is not JSON), sees what became of each line, then the file in its list and its
//! score lowered; an empty file is refused by the form; the page reads in Russian too. Each
//! page passes the accessibility check.

use fantoccini::{Client, Locator};
use serde_json::json;

use smartcustoms_testkit::{spawn_app, sqlite_db};

use super::{browser, click_to, driver, open_signed_in, shot, text, wait_path};

/// A parcel of trader 0 (`operator`) with its transaction id and description.
fn parcel(operator: &str, id: &str, buyer: &str, value: &str, description: &str) -> String {
    json!({
        "transaction_id": id, "operator": operator,
        "seller": { "name": "Shop A", "country": "CN" },
        "buyer": { "name": buyer, "address": "Hauptstr. 1, 10115 Berlin", "country": "DE" },
        "hs6": "851762", "description": description, "value": value, "currency": "EUR",
        "origin": "CN", "mass": "0.4",
    })
    .to_string()
}

/// Chooses `path` in the upload form and sends it.
async fn upload(c: &Client, path: &std::path::Path) {
    c.find(Locator::Css("#document")).await.unwrap().send_keys(&path.display().to_string()).await.unwrap();
    click_to(c, "#upload-form button", "the page after the upload", |p| p == "/trader/parcels/upload").await;
}

#[tokio::test]
async fn an_operator_files_parcels_and_sees_each_line_and_its_data_quality() {
    let Some(d) = driver() else { return };
    let db = sqlite_db();
    let app = spawn_app(&db.url).await;
    let operator = app.traders[0].id.clone();
    let c = browser(&d).await;

    // The page: a perfect score and no file yet; the nav leads to it.
    open_signed_in(&c, &app.base, "/trader/parcels", "test-trader-1").await;
    assert_eq!(text(&c, "h1").await, "Parcels");
    assert!(c.find(Locator::Css("header a[href='/trader/parcels']")).await.is_ok());
    assert_eq!(text(&c, "#quality-score").await, "100.0 %");
    assert!(text(&c, "#no-files").await.starts_with("No file"));
    shot(&c, "parcels-empty").await;

    // A file whose lines are all blank is refused by the form.
    let blank = tempfile::Builder::new().prefix("blank").suffix(".ndjson").tempfile().unwrap();
    std::fs::write(blank.path(), "\n  \n").unwrap();
    upload(&c, blank.path()).await;
    assert!(text(&c, "#document-error").await.contains("holds no parcel"));
    let invalid = c.find(Locator::Css("#document")).await.unwrap().attr("aria-invalid").await.unwrap();
    assert_eq!(invalid.as_deref(), Some("true"));
    assert!(text(&c, "#no-files").await.starts_with("No file"), "nothing was filed");
    shot(&c, "parcels-empty-file").await;

    // Two good parcels, one described as a gift, and a line that is not JSON.
    let lines = [
        parcel(&operator, "WEB-1", "Anna", "20.00", "Bluetooth earphones"),
        parcel(&operator, "WEB-2", "Bernd", "15.50", "gift"),
        "{not json".to_string(),
    ];
    let file = tempfile::Builder::new().prefix("parcels").suffix(".ndjson").tempfile().unwrap();
    std::fs::write(file.path(), lines.join("\n") + "\n").unwrap();
    c.goto(&format!("{}/trader/parcels", app.base)).await.unwrap();
    wait_path(&c, "the parcels page", |p| p == "/trader/parcels").await;
    upload(&c, file.path()).await;
    assert!(text(&c, "#filed-title").await.starts_with("Filed: parcels"));
    let counts = [("accepted", "2"), ("released", "1"), ("held", "1"), ("duplicates", "0"), ("refused", "1")];
    for (what, n) in counts {
        assert_eq!(text(&c, &format!("#filed-{what}")).await, n, "{what}");
    }
    let refused = text(&c, "#refusals tr[data-line='3']").await;
    assert!(refused.contains("PCL_010"), "{refused}");
    let held = text(&c, "#held tr[data-line='2']").await;
    assert!(held.contains("WEB-2") && held.contains("held") && held.contains("vague description"), "{held}");
    assert!(c.find(Locator::Css("#held tr[data-line='1']")).await.is_err(), "the released parcel is not held");
    // The file is listed, and half the parcels now have a vague description.
    let row = text(&c, "#batches tbody tr").await;
    assert!(row.contains("EUR") && row.split_whitespace().any(|w| w == "3"), "{row}");
    assert_eq!(text(&c, "#batches tbody tr td.released").await, "1", "{row}");
    assert_eq!(text(&c, "#batches tbody tr td.held").await, "1", "{row}");
    assert_eq!(text(&c, "#quality-descriptions").await, "50.0 %");
    assert_eq!(text(&c, "#quality-score").await, "83.3 %");
    shot(&c, "parcels-filed").await;

    // The same page in Russian, with the file listed.
    c.goto(&format!("{}/lang?to=ru", app.base)).await.unwrap();
    c.goto(&format!("{}/trader/parcels", app.base)).await.unwrap();
    assert_eq!(text(&c, "h1").await, "Посылки");
    assert_eq!(text(&c, "#quality-score").await, "83,3 %");
    assert!(text(&c, "#batches tbody tr").await.contains("EUR"));
    shot(&c, "parcels-ru").await;
    upload(&c, file.path()).await;
    assert_eq!(text(&c, "#filed-duplicates").await, "2", "the same file again records nothing twice");
    assert!(text(&c, "#refusals tr[data-line='3']").await.contains("PCL_010"));
    shot(&c, "parcels-filed-ru").await;
    c.close().await.unwrap();
}
