//! Tests of the response message and of the pointers.

use chrono::{DateTime, TimeZone, Utc};
use quick_xml::events::Event;
use quick_xml::name::ResolveResult;
use quick_xml::reader::NsReader;

use super::sample::{ctx, with};
use super::{
    parse_dec, wco_pointers, write_res, xml_pointer, ResponseDoc, ResponseError, ResponseFunction, WcoPointer,
};
use crate::flc;
use crate::risk::Lane;

fn at(h: u32, m: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 19, h, m, 0).single().unwrap_or_else(|| panic!("no such time"))
}

fn response(function: ResponseFunction) -> ResponseDoc {
    ResponseDoc {
        function,
        issued_at: at(10, 15),
        declaration_id: Some("0192f3a4-5b6c-7d8e-9f00-112233445566".to_string()),
        functional_reference: Some("HEI-2026-11-0042".to_string()),
        registration_number: None,
        accepted_at: None,
        lane: None,
        released_at: None,
        errors: Vec::new(),
    }
}

/// Every element of a message with text, as (`/Path/Of/Local/Names`, text), in document order;
/// checks on the way that every element is in the RES-DMS namespace.
fn leaves(xml: &str) -> Vec<(String, String)> {
    let mut reader = NsReader::from_str(xml);
    // Open elements with the text gathered so far.
    let mut stack: Vec<(String, String)> = Vec::new();
    let mut out = Vec::new();
    loop {
        let (ns, event) = reader.read_resolved_event().unwrap_or_else(|e| panic!("not XML: {e}\n{xml}"));
        let in_res = matches!(ns, ResolveResult::Bound(n) if n.as_ref() == super::RES_NAMESPACE.as_bytes());
        match event {
            Event::Start(e) => {
                assert!(in_res, "an element outside the RES namespace");
                stack.push((String::from_utf8_lossy(e.local_name().as_ref()).into_owned(), String::new()));
            }
            Event::Empty(_) => panic!("an empty element"),
            Event::End(_) => {
                let path = format!("/{}", stack.iter().map(|(n, _)| n.as_str()).collect::<Vec<_>>().join("/"));
                if let Some((_, text)) = stack.pop() {
                    if !text.trim().is_empty() {
                        out.push((path, text));
                    }
                }
            }
            Event::Text(t) => {
                let text = t.decode().unwrap_or_else(|e| panic!("{e}"));
                if let Some((_, buffer)) = stack.last_mut() {
                    buffer.push_str(&text);
                }
            }
            Event::GeneralRef(r) => {
                let name = r.decode().unwrap_or_else(|e| panic!("{e}")).into_owned();
                let c = match name.as_str() {
                    "lt" => "<",
                    "gt" => ">",
                    "amp" => "&",
                    "quot" => "\"",
                    "apos" => "'",
                    other => panic!("entity {other}"),
                };
                if let Some((_, buffer)) = stack.last_mut() {
                    buffer.push_str(c);
                }
            }
            Event::Eof => break,
            _ => {}
        }
    }
    out
}

fn value<'a>(leaves: &'a [(String, String)], path: &str) -> Vec<&'a str> {
    leaves.iter().filter(|(p, _)| p == path).map(|(_, t)| t.as_str()).collect()
}

#[test]
fn a_rejection_lists_every_finding_with_its_code_description_and_wco_pointer() {
    let xml = with("<DeclarationOfficeID>DE005000</DeclarationOfficeID>", "").replace("<TypeCode>954</TypeCode>", "");
    let doc = parse_dec(xml.as_bytes()).unwrap_or_else(|e| panic!("{e}")).declaration;
    let findings = match flc::check(&doc, &ctx()) {
        Ok(_) => panic!("passed"),
        Err(f) => f,
    };
    let mut r = response(ResponseFunction::Rejected);
    r.errors = findings.iter().map(ResponseError::from).collect();
    let out = write_res(&r);
    assert!(out.starts_with(r#"<?xml version="1.0" encoding="UTF-8"?>"#), "{out}");
    let l = leaves(&out);

    assert_eq!(value(&l, "/Response/FunctionCode"), ["03"]);
    assert_eq!(value(&l, "/Response/FunctionalReferenceID"), ["0192f3a45b6c7d8e9f00112233445566"]);
    assert_eq!(value(&l, "/Response/IssueDateTime/DateTimeString"), ["20261119101500Z"]);
    assert_eq!(value(&l, "/Response/Declaration/FunctionalReferenceID"), ["HEI-2026-11-0042"]);
    assert_eq!(value(&l, "/Response/Declaration/RejectionDateTime/DateTimeString"), ["20261119101500Z"]);
    assert!(value(&l, "/Response/Declaration/ID").is_empty());

    let codes = value(&l, "/Response/Error/ValidationCode");
    assert_eq!(codes, findings.iter().map(|f| f.code.as_str()).collect::<Vec<_>>());
    assert!(codes.contains(&"FLC_001"));
    assert_eq!(value(&l, "/Response/Error/Description").len(), findings.len());
    // The office: the declaration itself, tag 065.
    let compact: String = out.split_whitespace().collect();
    assert!(compact.contains("<Pointer><DocumentSectionCode>42A</DocumentSectionCode><TagID>065</TagID></Pointer>"));
    // The document without its type: item 2, document 2.
    let sections = value(&l, "/Response/Error/Pointer/DocumentSectionCode");
    assert!(sections.windows(4).any(|w| w == ["42A", "67A", "68A", "02A"]), "{sections:?}");
    assert!(value(&l, "/Response/Error/Pointer/TagID").contains(&"D006"));
    assert!(value(&l, "/Response/Error/Pointer/SequenceNumeric").ends_with(&["2", "2"]));
}

#[test]
fn an_acceptance_gives_the_registration_number_and_the_lane() {
    let mut r = response(ResponseFunction::Accepted);
    r.registration_number = Some("DE005000/261119/0000042".to_string());
    r.accepted_at = Some(at(10, 14));
    r.lane = Some(Lane::Yellow);
    let l = leaves(&write_res(&r));
    assert_eq!(value(&l, "/Response/FunctionCode"), ["01"]);
    assert_eq!(value(&l, "/Response/AdditionalInformation/StatementCode"), ["yellow"]);
    assert_eq!(value(&l, "/Response/AdditionalInformation/StatementTypeCode"), ["LAN"]);
    assert_eq!(value(&l, "/Response/Declaration/AcceptanceDateTime/DateTimeString"), ["20261119101400Z"]);
    assert_eq!(value(&l, "/Response/Declaration/ID"), ["DE005000/261119/0000042"]);
    assert!(value(&l, "/Response/Error/ValidationCode").is_empty());
    // Elements come in the order of the schema.
    let order: Vec<_> = l.iter().map(|(p, _)| p.split('/').nth(2).unwrap_or_default()).collect();
    let mut dedup = order.clone();
    dedup.dedup();
    assert_eq!(
        dedup,
        ["FunctionCode", "FunctionalReferenceID", "IssueDateTime", "AdditionalInformation", "Declaration"]
    );
}

#[test]
fn a_release_gives_its_time_in_a_status() {
    let mut r = response(ResponseFunction::Released);
    r.registration_number = Some("DE005000/261119/0000042".to_string());
    r.released_at = Some(at(11, 2));
    let l = leaves(&write_res(&r));
    assert_eq!(value(&l, "/Response/FunctionCode"), ["09"]);
    assert_eq!(value(&l, "/Response/Status/ReleaseDateTime/DateTimeString"), ["20261119110200Z"]);
}

#[test]
fn text_is_escaped_and_characters_xml_cannot_carry_are_replaced() {
    let mut r = response(ResponseFunction::Rejected);
    r.declaration_id = Some("not-a-uuid <&> and much longer than thirty-five characters".to_string());
    r.functional_reference = Some("A<B>&\"C'\u{1}".to_string());
    r.errors = vec![ResponseError {
        code: "SW_001".to_string(),
        message: format!("Needs </Description><x>{}", "y".repeat(600)),
        json_path: Some("$.items[0].documents".to_string()),
        xml_path: xml_pointer("$.items[0].documents"),
    }];
    let out = write_res(&r);
    let l = leaves(&out);
    assert_eq!(value(&l, "/Response/Declaration/FunctionalReferenceID"), ["A<B>&\"C'\u{FFFD}"]);
    let reference = value(&l, "/Response/FunctionalReferenceID").concat();
    assert_eq!(reference.chars().count(), 35);
    let description = value(&l, "/Response/Error/Description").concat();
    assert!(description.starts_with("Needs </Description><x>yyy"));
    assert_eq!(description.chars().count(), 512);
    assert!(!out.contains("<x>"));
}

#[test]
fn json_paths_map_to_dec_elements() {
    let item1 = "/Declaration/GoodsShipment/GovernmentAgencyGoodsItem[1]";
    let cases = [
        ("$", "/Declaration".to_string()),
        ("$.declaration_type", "/Declaration/TypeCode".to_string()),
        ("$.procedure_code", format!("{item1}/GovernmentProcedure")),
        ("$.importer.id", "/Declaration/GoodsShipment/Importer/ID".to_string()),
        ("$.representative.city", "/Declaration/Agent/Address/CityName".to_string()),
        ("$.transport.means_id", "/Declaration/BorderTransportMeans/ID".to_string()),
        ("$.invoice.currency", "/Declaration/InvoiceAmount/@currencyID".to_string()),
        ("$.delivery_terms.incoterm", "/Declaration/GoodsShipment/TradeTerms/ConditionCode".to_string()),
        ("$.items", "/Declaration/GoodsShipment/GovernmentAgencyGoodsItem".to_string()),
        ("$.items[0]", item1.to_string()),
        ("$.items[0].documents", format!("{item1}/AdditionalDocument")),
        ("$.items[0].unit", format!("{item1}/Commodity/GoodsMeasure/TariffQuantity/@unitCode")),
        (
            "$.items[2].documents[1].type",
            "/Declaration/GoodsShipment/GovernmentAgencyGoodsItem[3]/AdditionalDocument[2]/TypeCode".to_string(),
        ),
    ];
    for (json, xml) in cases {
        assert_eq!(xml_pointer(json).as_deref(), Some(xml.as_str()), "{json}");
    }
    for unknown in
        ["", "items", "$.", "$.nope", "$.items[x]", "$.items[0].nope", "$.declarant.nope", "$.items[0].documents[0].x"]
    {
        assert_eq!(xml_pointer(unknown), None, "{unknown}");
    }
}

#[test]
fn element_paths_map_to_wco_pointers() {
    let p = |section, sequence, tag| WcoPointer { section, sequence, tag };
    assert_eq!(
        wco_pointers("/Declaration/GoodsShipment/GovernmentAgencyGoodsItem[2]/AdditionalDocument[1]/ID"),
        [p("42A", None, None), p("67A", None, None), p("68A", Some(2), None), p("02A", Some(1), Some("D005"))]
    );
    assert_eq!(
        wco_pointers("/MetaData/Declaration/GoodsShipment/Consignment/GoodsLocation/ID"),
        [p("42A", None, None), p("67A", None, None), p("28A", None, None), p("64A", None, Some("L017"))]
    );
    assert_eq!(wco_pointers("/Declaration/InvoiceAmount/@currencyID"), [p("42A", None, Some("109"))]);
    assert_eq!(wco_pointers("/Declaration/Unknown/ID"), [p("42A", None, None)]);
    // Every field of our declaration has a pointer that ends in a known class.
    for json in ["$.office", "$.items[0].net_mass", "$.items[0].documents[0].number", "$.exporter.country"] {
        let xml = xml_pointer(json).unwrap_or_default();
        assert!(wco_pointers(&xml).last().is_some_and(|last| last.tag.is_some()), "{json}");
    }
}

#[test]
fn the_response_reads_back_as_json() {
    let mut r = response(ResponseFunction::Accepted);
    r.lane = Some(Lane::Green);
    let json = serde_json::to_value(&r).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(json["function"], "accepted");
    assert_eq!(json["lane"], "green");
    let back: ResponseDoc = serde_json::from_value(json).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(back, r);
}

#[test]
fn a_refused_message_is_answered_with_its_xml_code_and_element() {
    let e = parse_dec(with("<ModeCode>1</ModeCode>", "<ModeCode>1</Mode>").as_bytes())
        .err()
        .unwrap_or_else(|| panic!("accepted"));
    let error = ResponseError::from(&e);
    assert_eq!(error.code, "XML_005");
    assert_eq!(error.json_path, None);
    assert_eq!(error.xml_path.as_deref(), Some("/Declaration/BorderTransportMeans/ModeCode"));
    let mut r = response(ResponseFunction::Rejected);
    r.errors = vec![error];
    let l = leaves(&write_res(&r));
    assert_eq!(value(&l, "/Response/Error/Pointer/TagID"), ["T022"]);
}
