//! The smart checkpoint in the browser: an officer opens the checkpoint's screen from the list,
//! sees a vehicle with the operations due, records the documents checked and lets it cross
//! through the page's forms, watches a booked lorry arrive live when the lane's camera reads its
//! plate, reads a vehicle's decisions on its page, and finds the crossing on the release-times
//! page; each page passes the accessibility check.

use std::time::{Duration, Instant};

use fantoccini::{Client, Locator};
use serde_json::{json, Value};

use smartcustoms_core::timestamp::Timestamp;
use smartcustoms_testkit::{spawn_app, sqlite_db, TestApp};

use super::{accessible, browser, click_to, driver, open_signed_in, shot, text, STEP};

const CODE: &str = "DE-FFO";

fn settings() -> Value {
    json!({
        "name": "Frankfurt (Oder) road crossing",
        "slots": { "length_minutes": 30, "lanes": 2, "per_lane": 2, "horizon_hours": 48, "grace_minutes": 15 },
        "priority_rules": {
            "version": "2026-03",
            "rules": [{ "id": "perishable-flag", "class": 2, "when": [{ "fact": "perishable" }] }]
        }
    })
}

/// The start of the slot after the current one.
fn next_slot() -> String {
    let length = 30 * 60 * 1_000_000;
    Timestamp::from_micros((Timestamp::now().as_micros() / length + 1) * length).rfc3339()
}

async fn admit(app: &TestApp, token: &str, body: Value) -> String {
    let (s, v) = app.post(&format!("/api/v1/checkpoints/{CODE}/vehicles"), token, &body).await;
    assert_eq!(s, 201, "{v}");
    v["id"].as_str().unwrap().to_string()
}

/// Waits until the element's text satisfies `want` (a live page or a redirect replaces it).
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

#[tokio::test]
async fn an_officer_works_the_checkpoint_screen_and_sees_a_lorry_arrive_live() {
    let Some(d) = driver() else { return };
    let db = sqlite_db();
    let app = spawn_app(&db.url).await;
    let r = app
        .client
        .put(format!("{}/api/v1/checkpoints/{CODE}", app.base))
        .bearer_auth("test-supervisor")
        .json(&settings())
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    // A lorry without pre-arrival information joins the live queue: its documents are checked.
    let lorry = admit(&app, &app.officer_token, json!({ "plate": "FF-XY 900", "country": "DE" })).await;
    // Another is booked for the next slot and has not arrived.
    let booked = admit(&app, &app.traders[0].token, json!({ "plate": "FF-AB 101", "slot": next_slot() })).await;

    let c = browser(&d).await;
    open_signed_in(&c, &app.base, "/console/checkpoints", "test-officer").await;
    assert!(text(&c, "#checkpoints").await.contains("Frankfurt (Oder) road crossing"));
    accessible(&c, "/console/checkpoints").await;
    let screen = format!("/console/checkpoints/{CODE}");
    click_to(&c, &format!("#checkpoints a[href='{screen}']"), "the checkpoint's screen", |p| p == screen).await;
    let row = format!("#order tr[data-vehicle='{lorry}']");
    let shown = text(&c, &row).await;
    assert!(shown.contains("FFXY900") && shown.contains("check documents"), "{shown}");
    assert!(text(&c, &format!("#order tr[data-vehicle='{booked}']")).await.contains("booked"));
    assert!(text(&c, "#times").await.contains("Vehicles that crossed in the last 24 hours: 0"));
    accessible(&c, "checkpoint screen").await;
    shot(&c, "checkpoint").await;

    // The officer checks the documents, then lets the lorry cross, from the screen.
    let done = format!("{row} form[data-operation=check_documents] button");
    click_to(&c, &done, "the checkpoint's screen", |p| p == screen).await;
    until(&c, &format!("{row} td.operations"), "pass", |t| t == "pass").await;
    click_to(&c, &format!("{row} form[data-action=cross] button"), "the checkpoint's screen", |p| p == screen).await;
    until(&c, "#times caption", "one crossing", |t| t.ends_with(": 1")).await;
    assert!(c.find(Locator::Css(&row)).await.is_err(), "a vehicle that crossed leaves the order");

    // The lane's camera reads the booked lorry's plate: the screen shows it arrived, unreloaded.
    tokio::time::sleep(Duration::from_millis(500)).await;
    let read = json!({ "kind": "plate_read", "device": "cam-1", "time": Timestamp::now().rfc3339(), "plate": "ff ab 101", "confidence": 0.95 });
    let (s, taken) = app.post(&format!("/api/v1/checkpoints/{CODE}/events"), "test-device", &read).await;
    assert_eq!((s, taken["vehicle"].as_str()), (202, Some(booked.as_str())), "{taken}");
    until(&c, &format!("#order tr[data-vehicle='{booked}']"), "the lorry waiting", |t| t.contains("waiting")).await;
    shot(&c, "checkpoint-live").await;

    // The crossed lorry's page: every decision with what caused it and why.
    let page = format!("/console/checkpoints/{CODE}/vehicles/{lorry}");
    c.goto(&format!("{}{page}", app.base)).await.unwrap();
    assert_eq!(text(&c, "#state").await, "crossed");
    let decisions = text(&c, "#decisions").await;
    assert!(decisions.contains("check documents done") && decisions.contains("CHK_081"), "{decisions}");
    assert!(decisions.contains("CHK_080"), "the first decision's reason: {decisions}");
    accessible(&c, "checkpoint vehicle").await;
    shot(&c, "checkpoint-vehicle").await;

    // The release times count the crossing.
    c.goto(&format!("{}/time-release", app.base)).await.unwrap();
    assert_eq!(text(&c, &format!("#checkpoints tr[data-checkpoint='{CODE}'] td.crossed")).await, "1");
    accessible(&c, "time release with checkpoints").await;

    // The screen in Russian: the lorry that arrived waits with its documents to check.
    c.goto(&format!("{}/lang?to=ru", app.base)).await.unwrap();
    c.goto(&format!("{}{screen}", app.base)).await.unwrap();
    assert_eq!(text(&c, "#order-title").await, "Порядок вызова");
    let shown = text(&c, &format!("#order tr[data-vehicle='{booked}']")).await;
    assert!(shown.contains("ожидает") && shown.contains("проверка документов"), "{shown}");
    accessible(&c, "checkpoint screen in Russian").await;
    shot(&c, "checkpoint-ru").await;
    c.close().await.unwrap();
}
