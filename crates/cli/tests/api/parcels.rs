//! E-commerce parcels through the API: a bulk file with good and bad lines (the bad refused
//! with reasons, the rest recorded and charged), the same file sent twice (nothing twice), a
//! split consignment, a VAT scheme number used by the wrong seller, the operators' data quality,
//! risk assessment of each parcel by the profiles, and who may read what.

use serde_json::{json, Value};
use smartcustoms_testkit::{all_dbs, spawn_app, TestApp};

fn parcel(id: &str, seller: &str, buyer: &str, value: &str, description: &str) -> Value {
    json!({
        "transaction_id": id, "operator": "OPERATOR",
        "seller": { "name": seller, "country": "CN" },
        "buyer": { "name": buyer, "address": "Hauptstr. 1, 10115 Berlin", "country": "DE" },
        "hs6": "851762", "description": description, "value": value, "currency": "EUR",
        "origin": "CN", "mass": "0.4",
    })
}

fn ndjson(app: &TestApp, lines: &[Value]) -> String {
    let operator = &app.traders[0].id;
    lines.iter().map(|l| l.to_string().replace("OPERATOR", operator) + "\n").collect()
}

async fn send(app: &TestApp, token: &str, body: String, media: &str) -> (u16, Value) {
    let r = app
        .client
        .post(format!("{}/api/v1/parcels", app.base))
        .bearer_auth(token)
        .header("content-type", media)
        .body(body)
        .send()
        .await
        .unwrap();
    (r.status().as_u16(), r.json().await.unwrap_or_default())
}

async fn available(app: &TestApp) -> String {
    app.get("/api/v1/account", Some(&app.traders[0].token)).await.1["available"].as_str().unwrap().to_string()
}

fn outcomes(filed: &Value) -> Vec<(String, String, bool)> {
    filed["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["transaction_id"].as_str().unwrap().into(),
                r["outcome"].as_str().unwrap().into(),
                r["duplicate"].as_bool().unwrap(),
            )
        })
        .collect()
}

#[tokio::test]
async fn a_bulk_file_is_checked_parcel_by_parcel_charged_once_and_flagged() {
    for (backend, db) in all_dbs("parcels").await {
        let app = spawn_app(&db.url).await;
        let token = app.traders[0].token.clone();
        let mut dear = parcel("T-4", "Shop A", "Anna", "400.00", "Gaming laptop");
        dear["description"] = json!("Gaming laptop");
        let mut missing = parcel("T-3", "Shop A", "Anna", "10.00", "Phone case");
        missing.as_object_mut().unwrap().remove("hs6");
        let lines = [
            parcel("T-1", "Shop A", "Anna", "20.00", "Bluetooth earphones"),
            parcel("T-2", "Shop A", "Bernd", "15.50", "gift"),
            missing,
            dear,
            parcel("T-1", "Shop A", "Anna", "20.00", "Bluetooth earphones"),
        ];
        let mut file = ndjson(&app, &lines);
        file.insert_str(0, "{not json\n\n");
        let before = available(&app).await;

        let (s, filed) = send(&app, &token, file.clone(), "application/x-ndjson").await;
        assert_eq!(s, 201, "{backend}: {filed}");
        assert_eq!(
            outcomes(&filed),
            [("T-1".into(), "released".into(), false), ("T-2".into(), "held_documents".into(), false)],
            "{backend}: {filed}"
        );
        let refused: Vec<(i64, &str)> = filed["refusals"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| (r["line"].as_i64().unwrap(), r["reasons"][0]["code"].as_str().unwrap()))
            .collect();
        assert_eq!(refused, [(1, "PCL_010"), (5, "PCL_001"), (6, "PCL_008"), (7, "PCL_011")], "{backend}: {filed}");
        let counts = &filed["counts"];
        assert_eq!(
            (counts["accepted"].as_i64(), counts["released"].as_i64(), counts["held"].as_i64()),
            (Some(2), Some(1), Some(1))
        );
        // 3.00 duty each; VAT 20 % of value plus duty: 4.60 and 3.70.
        assert_eq!(
            (counts["duty_cents"].as_i64(), counts["vat_cents"].as_i64()),
            (Some(600), Some(830)),
            "{backend}: {counts}"
        );
        let after = available(&app).await;
        let spent: rust_decimal::Decimal =
            before.parse::<rust_decimal::Decimal>().unwrap() - after.parse::<rust_decimal::Decimal>().unwrap();
        assert_eq!(spent, rust_decimal::Decimal::new(1430, 2), "{backend}: charged once to the operator's account");

        // The same file again: nothing new, nothing charged.
        let (s, again) = send(&app, &token, file, "application/x-ndjson").await;
        assert_eq!(s, 201, "{backend}: {again}");
        assert!(outcomes(&again).iter().all(|o| o.2), "{backend}: {again}");
        assert_eq!(again["counts"]["accepted"], 0, "{backend}");
        assert_eq!(available(&app).await, after, "{backend}");

        // An officer decides on the held parcel: released, its reserved charges are debited and
        // the operator's available balance does not move; a second decision is refused.
        let held = filed["results"][1]["id"].as_str().unwrap().to_string();
        let decide = |who: &'static str, release: bool| {
            let app = &app;
            let path = format!("/api/v1/parcels/{held}/decision");
            async move { app.post(&path, who, &json!({ "release": release, "reason": "Description clarified" })).await }
        };
        assert_eq!(decide("test-analyst", true).await.0, 403, "{backend}");
        let (s, p) = decide("test-officer", true).await;
        assert_eq!((s, p["outcome"].as_str()), (200, Some("released")), "{backend}: {p}");
        assert_eq!(available(&app).await, after, "{backend}: the charges were reserved with the file");
        let (s, e) = decide("test-officer-2", false).await;
        assert_eq!((s, e["error"]["code"].as_str()), (409, Some("RES_002")), "{backend}: {e}");
        assert_eq!(
            app.post("/api/v1/parcels/nothing/decision", "test-officer", &json!({ "release": true, "reason": "x" }))
                .await
                .0,
            404
        );

        // The file and its parcels: the operator and staff read them, another trader does not.
        let batch = filed["batch_id"].as_str().unwrap();
        let (s, b) = app.get(&format!("/api/v1/parcels/batches/{batch}"), Some(&token)).await;
        assert_eq!((s, b["parcels"].as_array().map(Vec::len)), (200, Some(2)), "{backend}: {b}");
        assert_eq!((b["released"].as_i64(), b["held"].as_i64()), (Some(1), Some(1)), "{backend}: as filed: {b}");
        assert_eq!(app.get(&format!("/api/v1/parcels/batches/{batch}"), Some(&app.traders[1].token)).await.0, 404);
        assert_eq!(app.get(&format!("/api/v1/parcels/batches/{batch}"), Some(&app.officer_token)).await.0, 200);
        let id = filed["results"][0]["id"].as_str().unwrap();
        let (s, p) = app.get(&format!("/api/v1/parcels/{id}"), Some(&token)).await;
        assert_eq!((s, p["transaction_id"].as_str()), (200, Some("T-1")), "{backend}: {p}");

        // A split consignment: 60 + 60 to one buyer passes nothing, a third 60 passes 150 EUR.
        let split: Vec<Value> =
            (1..=3).map(|k| parcel(&format!("S-{k}"), "Shop B", "Carla", "60.00", "Cotton T-shirt")).collect();
        let (_, filed) = send(&app, &token, ndjson(&app, &split), "application/x-ndjson").await;
        let flags: Vec<Value> = filed["results"].as_array().unwrap().iter().map(|r| r["flags"].clone()).collect();
        assert_eq!(flags, [json!([]), json!([]), json!(["split"])], "{backend}: {filed}");
        assert_eq!(filed["results"][2]["outcome"], "held_inspection", "{backend}");

        // A VAT scheme number: its seller pays no VAT here; another seller using it is flagged.
        let (s, e) =
            app.put("/api/v1/vat-numbers/IM2760000042", &token, &json!({ "seller": "Shop C", "country": "DE" })).await;
        assert_eq!(s, 403, "{backend}: {e}");
        let (s, r) = app
            .put("/api/v1/vat-numbers/IM2760000042", "test-admin", &json!({ "seller": "Shop C", "country": "DE" }))
            .await;
        assert_eq!(s, 200, "{backend}: {r}");
        let mut own = parcel("V-1", "shop c", "Dora", "50.00", "Leather wallet");
        own["vat_number"] = json!("IM2760000042");
        let mut misused = parcel("V-2", "Shop D", "Emil", "50.00", "Leather wallet");
        misused["vat_number"] = json!("IM2760000042");
        let (_, filed) = send(&app, &token, ndjson(&app, &[own, misused]), "application/x-ndjson").await;
        let r = &filed["results"];
        assert_eq!((r[0]["vat_cents"].as_i64(), r[0]["flags"].clone()), (Some(0), json!([])), "{backend}: {filed}");
        assert_eq!((r[1]["flags"].clone(), r[1]["outcome"].as_str()), (json!(["vat_misuse"]), Some("held_inspection")));
        // Refused by an officer, a held parcel's charges go back to the operator.
        let before_refusal: rust_decimal::Decimal = available(&app).await.parse().unwrap();
        let misused_id = r[1]["id"].as_str().unwrap();
        let refuse = json!({ "release": false, "reason": "VAT number of another seller" });
        let (s, p) = app.post(&format!("/api/v1/parcels/{misused_id}/decision"), "test-officer", &refuse).await;
        assert_eq!((s, p["outcome"].as_str()), (200, Some("refused")), "{backend}: {p}");
        let back = available(&app).await.parse::<rust_decimal::Decimal>().unwrap() - before_refusal;
        let charges = r[1]["duty_cents"].as_i64().unwrap() + r[1]["vat_cents"].as_i64().unwrap();
        assert_eq!(back, rust_decimal::Decimal::new(charges, 2), "{backend}: the reservation given back");

        // The operator's data quality: one vague description and one misused number of seven.
        let (s, q) = app.get("/api/v1/parcels/quality", Some(&token)).await;
        assert_eq!((s, q["parcels"].as_i64()), (200, Some(7)), "{backend}: {q}");
        assert!((q["specific_descriptions"].as_f64().unwrap() - 6.0 / 7.0).abs() < 1e-9, "{backend}: {q}");
        let operator = &app.traders[0].id;
        let (s, q) = app.get(&format!("/api/v1/parcels/quality?operator={operator}"), Some(&app.analyst_token)).await;
        assert_eq!((s, q["parcels"].as_i64()), (200, Some(7)), "{backend}: {q}");

        // Files the API does not take.
        let (s, e) = send(&app, &token, "\n \n".into(), "application/x-ndjson").await;
        assert_eq!((s, e["error"]["code"].as_str()), (400, Some("REQ_004")), "{backend}: {e}");
        assert_eq!(send(&app, &token, "{}".into(), "application/json").await.0, 415, "{backend}");
        assert_eq!(send(&app, "test-officer", "{}".into(), "application/x-ndjson").await.0, 403, "{backend}");
        let theirs = ndjson(&app, &[parcel("X-1", "Shop A", "Anna", "20.00", "Bluetooth earphones")]);
        let (_, filed) = send(&app, &app.traders[1].token.clone(), theirs, "application/x-ndjson").await;
        assert_eq!(filed["refusals"][0]["reasons"][0]["code"], "PCL_009", "{backend}: another operator's parcel");
    }
}

#[tokio::test]
async fn parcels_are_assessed_by_the_risk_profiles_and_only_staff_read_why() {
    for (backend, db) in all_dbs("parcel_risk").await {
        let app = spawn_app(&db.url).await;
        let token = app.traders[0].token.clone();
        app.add_profile(
            "profile RP-PCL-1 \"Toy drones by post\"\nwhen declaration.procedure = \"4000\" and declaration.transport_mode = \"5\" and item.description contains \"drone\"\nlane yellow\ninstruction \"Check the radio equipment certificate\"\nvalid from 2020-01-01\n",
        )
        .await;
        app.add_profile(
            "profile RP-PCL-2 \"Vague parcels\"\nwhen declaration.findings contains \"PCL_104\"\nlane red\ninstruction \"Open the parcel\"\nvalid from 2020-01-01\n",
        )
        .await;
        let drone = parcel("R-1", "Shop A", "Anna", "80.00", "Camera drone");
        let lines = [
            parcel("R-0", "Shop A", "Bernd", "20.00", "Bluetooth earphones"),
            drone,
            parcel("R-2", "Shop A", "Carla", "15.00", "gift"),
        ];
        let (s, filed) = send(&app, &token, ndjson(&app, &lines), "application/x-ndjson").await;
        assert_eq!(s, 201, "{backend}: {filed}");
        let got: Vec<(&str, &str)> = filed["results"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| (r["outcome"].as_str().unwrap(), r["lane"].as_str().unwrap()))
            .collect();
        assert_eq!(
            got,
            [("released", "green"), ("held_documents", "yellow"), ("held_inspection", "red")],
            "{backend}: a profile on the goods, and a profile on a flag: {filed}"
        );
        assert!(filed["results"][1].get("reasons").is_none(), "{backend}: the operator is not told which profile");

        // Customs staff read the reasons; the operator reads its parcel without them.
        let drone_id = filed["results"][1]["id"].as_str().unwrap();
        let (s, p) = app.get(&format!("/api/v1/parcels/{drone_id}"), Some(&app.officer_token)).await;
        assert_eq!((s, p["lane"].as_str()), (200, Some("yellow")), "{backend}: {p}");
        assert!(p["reasons"].as_str().unwrap().contains("profile RP-PCL-1 v1 asks for yellow"), "{backend}: {p}");
        let (s, p) = app.get(&format!("/api/v1/parcels/{drone_id}"), Some(&token)).await;
        assert_eq!((s, p["lane"].as_str(), p["reasons"].as_str()), (200, Some("yellow"), Some("")), "{backend}: {p}");
        let batch = filed["batch_id"].as_str().unwrap();
        let (_, b) = app.get(&format!("/api/v1/parcels/batches/{batch}"), Some(&token)).await;
        assert!(b["parcels"].as_array().unwrap().iter().all(|p| p["reasons"] == ""), "{backend}: {b}");

        // The operator's data quality is a fact the profiles read: one vague parcel of three
        // puts its score under 0.9, and the next file is checked by its documents.
        app.add_profile(
            "profile RP-PCL-3 \"Careless operators\"\nwhen declaration.operator_quality < 0.9\nlane yellow\ninstruction \"Check the invoices\"\nvalid from 2020-01-01\n",
        )
        .await;
        let next = [parcel("R-3", "Shop A", "Dora", "20.00", "Bluetooth earphones")];
        let (_, filed) = send(&app, &token, ndjson(&app, &next), "application/x-ndjson").await;
        assert_eq!(filed["results"][0]["lane"], "yellow", "{backend}: {filed}");
    }
}
