//! Declarations as WCO Data Model messages: a DEC-DMS message signed over its XML is mapped,
//! checked and filed like a JSON declaration and answered with a RES-DMS response (XML, or
//! JSON by `Accept`); messages with a DOCTYPE or entities, malformed XML, a wrong namespace or
//! an oversized body are refused with their reason and record nothing.

use serde_json::Value;
use smartcustoms_core::signature;
use smartcustoms_testkit::{all_dbs, spawn_app, TestApp};

const SAMPLE: &str = include_str!("../../../core/src/wcodm/sample_import.xml");

/// The sample message as trader 0's own: its id as declarant and importer.
fn message(app: &TestApp) -> String {
    SAMPLE.replace("DE123456789012345", &app.traders[0].id)
}

async fn send(app: &TestApp, body: &str, signed: bool, accept: &str) -> (u16, String) {
    let trader = &app.traders[0];
    let mut req = app
        .client
        .post(format!("{}/api/v1/declarations/wco", app.base))
        .bearer_auth(&trader.token)
        .header("content-type", "application/xml")
        .header("accept", accept);
    if signed {
        req = req.header("x-jws-signature", signature::sign_detached(&trader.key, body.as_bytes()));
    }
    let r = req.body(body.to_string()).send().await.unwrap();
    (r.status().as_u16(), r.text().await.unwrap())
}

fn element<'a>(xml: &'a str, name: &str) -> Option<&'a str> {
    let open = format!("<{name}>");
    let start = xml.find(&open)? + open.len();
    Some(&xml[start..start + xml[start..].find('<')?])
}

#[tokio::test]
async fn a_dec_message_is_filed_and_answered_in_the_wco_data_model() {
    for (backend, db) in all_dbs("wco").await {
        let app = spawn_app(&db.url).await;
        let xml = message(&app);

        // Signed over the XML: mapped, checked and filed; the RES answers with its references.
        let (s, res) = send(&app, &xml, true, "application/xml").await;
        assert_eq!(s, 201, "{backend}: {res}");
        assert!(res.contains("urn:wco:datamodel:WCO:RES-DMS:2"), "{backend}: {res}");
        let function = element(&res, "FunctionCode").unwrap_or_default();
        assert!(["01", "03", "05", "09"].contains(&function), "{backend}: {res}");
        assert!(!res.contains("SIG_"), "{backend}: the signature over the XML is accepted: {res}");

        // The same message as JSON, by Accept; the declaration is ours to read.
        let (s, json) = send(&app, &xml, true, "application/json").await;
        assert_eq!(s, 201, "{backend}: {json}");
        let doc: Value = serde_json::from_str(&json).unwrap();
        assert_eq!(doc["functional_reference"], "HEI-2026-11-0042", "{backend}: {doc}");
        let id = doc["declaration_id"].as_str().unwrap();
        let (s, stored) = app.get(&format!("/api/v1/declarations/{id}"), Some(&app.traders[0].token)).await;
        assert_eq!(s, 200, "{backend}: {stored}");
        assert_ne!(doc["function"], "rejected", "{backend}: the sample passes every check: {doc}");
        assert!(doc["registration_number"].is_string() && doc["errors"] == serde_json::json!([]), "{backend}: {doc}");

        // Unsigned: refused for the signature, with the reason in the response.
        let (s, res) = send(&app, &xml, false, "application/json").await;
        let doc: Value = serde_json::from_str(&res).unwrap();
        assert_eq!((s, doc["function"].as_str()), (201, Some("rejected")), "{backend}: {res}");
        assert!(doc["errors"].as_array().unwrap().iter().any(|e| e["code"] == "SIG_001"), "{backend}: {res}");
        // Signed, then altered: the signature does not cover what arrived.
        let trader = &app.traders[0];
        let altered = xml.replace("HEI-2026-11-0042", "HEI-2026-11-0043");
        let r = app
            .client
            .post(format!("{}/api/v1/declarations/wco", app.base))
            .bearer_auth(&trader.token)
            .header("content-type", "application/xml")
            .header("accept", "application/json")
            .header("x-jws-signature", signature::sign_detached(&trader.key, xml.as_bytes()))
            .body(altered)
            .send()
            .await
            .unwrap();
        let doc: Value = r.json().await.unwrap();
        assert!(
            doc["errors"].as_array().unwrap().iter().any(|e| e["code"].as_str().unwrap().starts_with("SIG_")),
            "{backend}: {doc}"
        );

        // Unreadable messages: refused whole, nothing recorded.
        let (_, list) = app.get("/api/v1/declarations?limit=100", Some(&trader.token)).await;
        let before = list.as_array().map_or(0, Vec::len);
        assert!(before >= 4, "{backend}: the filings above are listed: {list}");
        let bomb = "<?xml version=\"1.0\"?><!DOCTYPE d [<!ENTITY a \"aaaaaaaaaa\"><!ENTITY b \"&a;&a;&a;&a;&a;&a;\">]>\
                    <Declaration xmlns=\"urn:wco:datamodel:WCO:DEC-DMS:2\"><FunctionalReferenceID>&b;</FunctionalReferenceID></Declaration>";
        let external = "<?xml version=\"1.0\"?><!DOCTYPE d SYSTEM \"file:///etc/passwd\"><Declaration xmlns=\"urn:wco:datamodel:WCO:DEC-DMS:2\"/>";
        let wrong_ns = xml.replace("urn:wco:datamodel:WCO:DEC-DMS:2", "urn:example:other");
        let malformed = xml.replace("</Declaration>", "");
        for (name, body) in [
            ("entity expansion", bomb.to_string()),
            ("external entity", external.into()),
            ("namespace", wrong_ns),
            ("malformed", malformed),
        ] {
            let (s, res) = send(&app, &body, true, "application/json").await;
            let e: Value = serde_json::from_str(&res).unwrap_or_default();
            assert_eq!((s, e["error"]["code"].as_str()), (400, Some("REQ_009")), "{backend}: {name}: {res}");
            assert!(e["error"]["details"]["reason"].as_str().unwrap().starts_with("XML_"), "{backend}: {name}: {res}");
            let (s, res) = send(&app, &body, true, "application/xml").await;
            assert_eq!(s, 400, "{backend}: {name}");
            assert_eq!(element(&res, "FunctionCode"), Some("03"), "{backend}: {name}: {res}");
        }
        let (_, list) = app.get("/api/v1/declarations?limit=100", Some(&trader.token)).await;
        assert_eq!(list.as_array().map_or(0, Vec::len), before, "{backend}: nothing recorded");
        let huge = format!("{}<!--{}-->", xml, "x".repeat(2 * 1024 * 1024));
        assert_eq!(send(&app, &huge, true, "application/json").await.0, 413, "{backend}");
        let r = app
            .client
            .post(format!("{}/api/v1/declarations/wco", app.base))
            .bearer_auth(&trader.token)
            .header("content-type", "application/json")
            .body("{}")
            .send()
            .await
            .unwrap();
        assert_eq!(r.status().as_u16(), 415, "{backend}");
    }
}
