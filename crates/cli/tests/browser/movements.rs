//! Movements in the browser: the officers' page of open seal alerts follows them live, a
//! movement's page shows its map, alerts and timeline and an officer releases it from there,
//! and the trader lists its transits; each page passes the accessibility check.

use std::time::Instant;

use fantoccini::Locator;
use serde_json::{json, Value};

use smartcustoms_core::signature;
use smartcustoms_core::timestamp::Timestamp;
use smartcustoms_testkit::{spawn_app, sqlite_db, TestApp};

use super::{accessible, browser, click_to, driver, open_signed_in, shot, sign_out, text, STEP};

const ROUTE: [(f64, f64); 3] = [(53.55, 9.99), (52.52, 13.40), (52.34, 14.55)];

async fn file_transit(app: &TestApp) -> Value {
    let party = &app.traders[0].party;
    let doc = json!({
        "local_reference": "LRN-BROWSER-1",
        "declarant": { "id": party.id, "name": party.name, "country": &party.id[..2] },
        "office_of_departure": "DE005000", "office_of_destination": "DE009100",
        "route": { "waypoints": ROUTE.iter().map(|(lat, lon)| json!({ "lat": lat, "lon": lon })).collect::<Vec<_>>(), "corridor_m": 2000 },
        "time_limit_at_us": Timestamp::now().as_micros() + 5 * 86_400_000_000,
        "carrier": { "id": "PL5260250274", "name": "Trans Polska Sp. z o.o.", "country": "PL" },
        "transport": { "mode": "3", "means_id": "HH-AB 1234", "nationality": "DE" },
        "seals": ["NS-B1"], "guarantee": { "kind": "account" },
        "items": [{ "sequence": 1, "commodity_code": "851713", "description": "Smartphones", "gross_mass": "1200.5", "value": "20000.00", "currency": "EUR" }]
    });
    let body = serde_json::to_vec(&doc).unwrap();
    let r = app
        .client
        .post(format!("{}/api/v1/transits", app.base))
        .bearer_auth(&app.traders[0].token)
        .header("content-type", "application/json")
        .header("x-jws-signature", signature::sign_detached(&app.traders[0].key, &body))
        .body(body)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 201);
    r.json().await.unwrap()
}

async fn report(app: &TestApp, n: u32, north: f64) {
    let start = Timestamp::now().as_micros() - 2 * 3_600_000_000;
    let f = f64::from(n) * 0.01;
    let (a, b) = (ROUTE[0], ROUTE[1]);
    let body = json!({
        "seq": n, "time": Timestamp::from_micros(start + i64::from(n) * 120_000_000).rfc3339(),
        "lat": a.0 + (b.0 - a.0) * f + north, "lon": a.1 + (b.1 - a.1) * f, "battery": 80.0, "state": "closed"
    });
    let (s, r) = app.post("/api/v1/seals/NS-B1/reports", "test-device", &body).await;
    assert_eq!(s, 202, "{r}");
}

#[tokio::test]
async fn an_officer_follows_seal_alerts_live_and_releases_a_movement_from_its_page() {
    let Some(d) = driver() else { return };
    let db = sqlite_db();
    let app = spawn_app(&db.url).await;
    let transit = file_transit(&app).await;
    let id = transit["id"].as_str().unwrap().to_string();
    for n in 1..=5 {
        report(&app, n, 0.0).await;
    }
    let c = browser(&d).await;
    open_signed_in(&c, &app.base, "/console/alerts", "test-officer").await;
    assert_eq!(text(&c, "#alert-count").await, "0 alerts open.");
    accessible(&c, "/console/alerts").await;

    // The vehicle leaves its corridor: the alert appears without reloading.
    report(&app, 6, 0.04).await;
    let deadline = Instant::now() + STEP;
    while text(&c, "#alert-count").await != "One alert open." {
        assert!(Instant::now() < deadline, "the alert did not appear within {STEP:?}");
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    }
    shot(&c, "seal-alerts").await;

    // The movement's page: its map, the alert, the timeline; the officer releases it.
    c.goto(&format!("{}/transits/{id}", app.base)).await.unwrap();
    c.wait().at_most(STEP).for_element(Locator::Css("#map polyline")).await.unwrap();
    assert!(text(&c, "#alerts").await.contains("route deviation"));
    assert_eq!(text(&c, "#state").await, "accepted");
    accessible(&c, "/transits/{id}").await;
    shot(&c, "transit").await;
    click_to(&c, "#actions button[value=release]", "the movement's page", |p| p.ends_with(&id)).await;
    let deadline = Instant::now() + STEP;
    while text(&c, "#state").await != "in transit" {
        assert!(Instant::now() < deadline, "the release did not show within {STEP:?}");
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    }
    assert!(text(&c, "#timeline").await.contains("test-officer"));
    sign_out(&c).await;

    // The trader lists its transits.
    open_signed_in(&c, &app.base, "/transits", "test-trader-1").await;
    assert!(text(&c, "#transits").await.contains(transit["mrn"].as_str().unwrap()));
    accessible(&c, "/transits").await;
    c.close().await.unwrap();
}
