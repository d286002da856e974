//! Goods traceability: a released declaration of refrigerators opens a batch held by its
//! importer; a sale moves the balance to the buyer, who exports and writes off; selling more
//! than held, selling what one does not hold and a malformed report are refused with their
//! codes and change nothing; the history replays to the stored state; a trader who never held
//! a batch cannot read it, staff can list it.

use serde_json::{json, Value};
use smartcustoms_core::traceability::{replay, Movement};
use smartcustoms_testkit::{all_dbs, spawn_app, TestApp};

/// Controls every import, so that the officer releases the declaration of the test.
const CONTROL_ALL: &str =
    "profile RP-ALL \"Control everything\"\nwhen declaration.type = \"IM\"\nlane red\ninstruction \"Inspect\"\nvalid from 2020-01-01\n";

/// Files a declaration of trader 0 whose first item is 20 refrigerators, releases it as an
/// officer, runs the release scan and returns the batch number.
async fn released_refrigerators(app: &TestApp, backend: &str) -> String {
    app.add_profile(CONTROL_ALL).await;
    let mut doc = app.declaration(0, 4242);
    let items = doc.items.as_mut().unwrap();
    items[0].commodity_code = Some("8418102000".into());
    items[0].description = Some("Combined refrigerator-freezers, two doors".into());
    items[0].unit = Some("NAR".into());
    items[0].quantity = Some(20.into());
    let (s, filed) = app.file(0, &doc).await;
    assert_eq!(s, 201, "{backend}: {filed}");
    assert_eq!(filed["state"], "under_control", "{backend}: {filed}");
    let id = filed["id"].as_str().unwrap();
    let decision =
        json!({ "release": true, "reason": "Counted 20 refrigerators", "outcome": { "irregularities": [] } });
    let (s, released) = app.post(&format!("/api/v1/declarations/{id}/decision"), &app.officer_token, &decision).await;
    assert_eq!((s, released["state"].as_str()), (200, Some("released")), "{backend}: {released}");
    smartcustoms_http::app::traceability::open_batches(&app.state).await.unwrap();
    let (_, detail) = app.get(&format!("/api/v1/declarations/{id}"), Some(&app.officer_token)).await;
    let registration = detail["registration_number"].as_str().unwrap_or_else(|| panic!("{backend}: {detail}"));
    format!("{registration}/001")
}

async fn report(app: &TestApp, i: usize, body: &Value) -> (u16, Value) {
    app.post("/api/v1/traceability/reports", &app.traders[i].token, body).await
}

async fn batch(app: &TestApp, token: &str, number: &str) -> (u16, Value) {
    app.get(&format!("/api/v1/traceability/batches/{number}"), Some(token)).await
}

fn sale(document: &str, buyer: &str, number: &str, quantity: Value) -> Value {
    json!({ "kind": "sale", "document": document, "buyer": buyer,
            "lines": [{ "batch": number, "quantity": quantity, "unit": "NAR" }] })
}

fn holders(view: &Value) -> Vec<(String, String)> {
    view["batch"]["holders"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| (h["trader"].as_str().unwrap().to_string(), h["quantity"].as_str().unwrap().to_string()))
        .collect()
}

#[tokio::test]
async fn released_goods_open_a_batch_that_moves_by_sales_exports_and_write_offs() {
    for (backend, db) in all_dbs("traceability journey").await {
        let app = spawn_app(&db.url).await;
        let (importer, buyer) = (app.traders[0].id.clone(), app.traders[1].id.clone());
        let number = released_refrigerators(&app, backend).await;
        // The scan opens each declaration once, however often it runs.
        smartcustoms_http::app::traceability::open_batches(&app.state).await.unwrap();

        let (s, view) = batch(&app, &app.traders[0].token, &number).await;
        assert_eq!(s, 200, "{backend}: {view}");
        assert_eq!(view["batch"]["batch"]["initial"]["unit"], "NAR", "{backend}: {view}");
        assert_eq!(holders(&view), vec![(importer.clone(), "20".to_string())], "{backend}");
        let (_, held) = app.get("/api/v1/traceability/holdings", Some(&app.traders[0].token)).await;
        assert_eq!(held["holdings"][0]["quantity"], "20", "{backend}: {held}");
        assert_eq!(held["holdings"][0]["batches"][0], number.as_str(), "{backend}: {held}");

        // The buyer does not hold the batch and cannot read it.
        let (s, e) = batch(&app, &app.traders[1].token, &number).await;
        assert_eq!(s, 404, "{backend}: {e}");

        // Selling more than held is refused whole and changes nothing.
        let (s, e) = report(&app, 0, &sale("INV-1", &buyer, &number, json!(21))).await;
        assert_eq!(s, 409, "{backend}: {e}");
        assert_eq!(e["error"]["code"], "TRACE_002", "{backend}: {e}");
        assert_eq!(e["error"]["details"]["code"], "TRC_033", "{backend}: {e}");
        assert!(e["error"]["details"]["reason"].as_str().unwrap().contains("20"), "{backend}: {e}");

        // A sale of 12 moves them to the buyer.
        let (s, sold) = report(&app, 0, &sale("INV-1", &buyer, &number, json!(12))).await;
        assert_eq!(s, 201, "{backend}: {sold}");
        assert_eq!(sold["movements"][0]["number"], 1, "{backend}: {sold}");
        assert_eq!(sold["movements"][0]["from_balance"], "8", "{backend}: {sold}");
        assert_eq!(sold["movements"][0]["to_balance"], "12", "{backend}: {sold}");
        let (_, view) = batch(&app, &app.officer_token, &number).await;
        let mut expected = vec![(importer.clone(), "8".to_string()), (buyer.clone(), "12".to_string())];
        expected.sort();
        assert_eq!(holders(&view), expected, "{backend}: {view}");

        // The buyer holds it now: it may read it, export 5 and write off 2.
        let (s, _) = batch(&app, &app.traders[1].token, &number).await;
        assert_eq!(s, 200, "{backend}");
        let export = json!({ "kind": "export", "document": "EXP-77", "lines": [{ "batch": number, "quantity": "5", "unit": "NAR" }] });
        let (s, e) = report(&app, 1, &export).await;
        assert_eq!(s, 201, "{backend}: {e}");
        let write_off = json!({ "kind": "write_off", "document": "ACT-3", "reason": "destroyed", "note": "Dropped from the forklift",
                                "lines": [{ "batch": number, "quantity": 2, "unit": "NAR" }] });
        let (s, e) = report(&app, 1, &write_off).await;
        assert_eq!(s, 201, "{backend}: {e}");

        // A trader who does not hold some of it cannot move it.
        let (s, e) = report(&app, 1, &sale("INV-9", &importer, &number, json!(6))).await;
        assert_eq!((s, e["error"]["details"]["code"].as_str()), (409, Some("TRC_033")), "{backend}: {e}");

        let (_, view) = batch(&app, &app.traders[0].token, &number).await;
        assert_eq!(view["batch"]["exported"], "5", "{backend}: {view}");
        assert_eq!(view["batch"]["written_off"], "2", "{backend}: {view}");
        assert_eq!(view["batch"]["movements"], 3, "{backend}: {view}");
        let history: Vec<Movement> = serde_json::from_value(view["history"].clone()).unwrap();
        assert_eq!(history.len(), 3, "{backend}");
        let number_parsed = smartcustoms_core::traceability::BatchNumber::parse(&number).unwrap();
        let stored = app.store.batch_state(&number_parsed).await.unwrap().unwrap();
        let replayed = replay(stored.batch(), &history).unwrap();
        assert_eq!(replayed, stored, "{backend}: the history replays to the stored state");
        assert!(stored.is_conserved(), "{backend}");

        // Staff list the buyer's batches.
        let (s, list) =
            app.get(&format!("/api/v1/traceability/batches?holder={buyer}"), Some(&app.officer_token)).await;
        assert_eq!(s, 200, "{backend}: {list}");
        assert_eq!(list.as_array().unwrap().len(), 1, "{backend}: {list}");
        let (s, _) = app.get("/api/v1/traceability/batches", Some(&app.traders[0].token)).await;
        assert_eq!(s, 403, "{backend}: traders do not list every batch");
    }
}

#[tokio::test]
async fn a_report_that_cannot_be_read_or_moves_what_is_not_held_is_refused_with_its_codes() {
    for (backend, db) in all_dbs("traceability refusals").await {
        let app = spawn_app(&db.url).await;
        let number = released_refrigerators(&app, backend).await;
        let buyer = app.traders[1].id.clone();

        let malformed = json!({ "kind": "sale", "document": " INV ", "buyer": buyer, "colour": "red",
                                "lines": [{ "batch": "nope", "quantity": 0, "unit": "XYZ" }] });
        let (s, e) = report(&app, 0, &malformed).await;
        assert_eq!((s, e["error"]["code"].as_str()), (422, Some("TRACE_001")), "{backend}: {e}");
        assert_eq!(e["error"]["details"]["problems"][0]["code"], "TRC_001", "{backend}: {e}");
        let bad = json!({ "kind": "sale", "document": " INV ", "buyer": buyer,
                          "lines": [{ "batch": "nope", "quantity": 1, "unit": "XYZ" },
                                    { "batch": number, "quantity": 0, "unit": "NAR" }] });
        let (s, e) = report(&app, 0, &bad).await;
        assert_eq!(s, 422, "{backend}: {e}");
        let codes: Vec<&str> =
            e["error"]["details"]["problems"].as_array().unwrap().iter().map(|p| p["code"].as_str().unwrap()).collect();
        for code in ["TRC_006", "TRC_007", "TRC_008", "TRC_009"] {
            assert!(codes.contains(&code), "{backend}: {code} in {codes:?}");
        }

        // The buyer holds none of the batch: its sale is refused; the batch is unchanged.
        let (s, e) = report(&app, 1, &sale("INV-2", &app.traders[0].id, &number, json!(1))).await;
        assert_eq!((s, e["error"]["details"]["code"].as_str()), (409, Some("TRC_032")), "{backend}: {e}");
        // A batch that does not exist.
        let unknown = format!("{}/999", number.rsplit_once('/').unwrap().0);
        let (s, e) = report(&app, 0, &sale("INV-3", &buyer, &unknown, json!(1))).await;
        assert_eq!((s, e["error"]["details"]["code"].as_str()), (409, Some("TRC_030")), "{backend}: {e}");
        let (_, view) = batch(&app, &app.officer_token, &number).await;
        assert_eq!(view["batch"]["movements"], 0, "{backend}: {view}");
        assert_eq!(view["history"], json!([]), "{backend}");

        // Percent-encoded numbers read the same batch; a malformed one is a bad parameter.
        let (s, _) = batch(&app, &app.officer_token, &number.replace('/', "%2F")).await;
        assert_eq!(s, 200, "{backend}");
        let (s, e) = batch(&app, &app.officer_token, "not-a-batch").await;
        assert_eq!((s, e["error"]["code"].as_str()), (400, Some("REQ_004")), "{backend}: {e}");
    }
}
