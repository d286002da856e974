use proptest::prelude::*;
use rust_decimal_macros::dec;

use super::*;
use crate::traceability::fixtures::t;

const BATCH: &str = "10005000/260309/0000042/001";

fn read(body: &str) -> Result<Report, Vec<Finding>> {
    parse(body.as_bytes(), &t("SELLER"))
}

/// The codes and paths of a refused report; empty when it is accepted.
fn problems(body: &str) -> Vec<(String, String)> {
    match read(body) {
        Ok(_) => vec![],
        Err(found) => found.into_iter().map(|f| (f.code, f.path)).collect(),
    }
}

fn one(code: &str, path: &str) -> Vec<(String, String)> {
    vec![(code.to_string(), path.to_string())]
}

#[test]
fn a_sale_over_two_batches_is_read_with_the_reporter_as_holder() -> Result<(), Vec<Finding>> {
    let body = r#"{"kind":"sale","document":"INV-2026-0042","buyer":"DE555","lines":[
        {"batch":"10005000/260309/0000042/001","quantity":12,"unit":"NAR"},
        {"batch":"10005000/260309/0000042/003","quantity":"2.500","unit":"KGM"}]}"#;
    let report = read(body)?;
    assert_eq!(report.holder, t("SELLER"));
    assert_eq!(report.operation, Operation::Sale { buyer: t("DE555") });
    assert_eq!(report.document.as_str(), "INV-2026-0042");
    assert_eq!(report.lines.len(), 2);
    assert_eq!(report.lines[1].quantity.amount(), dec!(2.5));
    let transfers: Vec<Transfer> = report.transfers().collect();
    assert_eq!(transfers[0].batch.item(), 1);
    assert!(transfers.iter().all(|t| t.holder.as_str() == "SELLER" && t.document.as_str() == "INV-2026-0042"));
    Ok(())
}

#[test]
fn returns_exports_and_write_offs_are_read_with_their_own_fields() -> Result<(), Vec<Finding>> {
    let line = format!(r#""lines":[{{"batch":"{BATCH}","quantity":1,"unit":"H87"}}]"#);
    let ret = read(&format!(r#"{{"kind":"return","document":"CN-7","seller":"IMP","sale_document":"INV-1",{line}}}"#))?;
    assert!(matches!(&ret.operation, Operation::Return { seller, sale_document }
        if seller.as_str() == "IMP" && sale_document.as_str() == "INV-1"));
    assert_eq!(ret.lines[0].quantity.unit(), Unit::Pieces, "H87 is a piece");
    let export = read(&format!(r#"{{"kind":"export","document":"10005000/260410/0000007",{line}}}"#))?;
    assert_eq!(export.operation, Operation::Export);
    let body = format!(
        r#"{{"kind":"write_off","document":"ACT-3","reason":"consumed_in_production","note":"Cut up",{line}}}"#
    );
    assert!(matches!(read(&body)?.operation,
        Operation::WriteOff { reason: WriteOffReason::ConsumedInProduction, ref note } if note.as_str() == "Cut up"));
    Ok(())
}

#[test]
fn every_missing_field_is_named() {
    let paths: Vec<String> = problems("{}").into_iter().map(|(code, path)| format!("{code} {path}")).collect();
    assert_eq!(paths, ["TRC_002 $.kind", "TRC_002 $.document", "TRC_002 $.lines"]);
    assert_eq!(
        problems(r#"{"kind":"sale","document":"I","lines":[{}]}"#),
        [
            ("TRC_002", "$.buyer"),
            ("TRC_002", "$.lines[0].batch"),
            ("TRC_002", "$.lines[0].unit"),
            ("TRC_002", "$.lines[0].quantity")
        ]
        .map(|(c, p)| (c.to_string(), p.to_string()))
    );
    let codes: Vec<String> =
        problems(r#"{"kind":"write_off","document":"A","lines":[]}"#).into_iter().map(|(_, p)| p).collect();
    assert_eq!(codes, ["$.reason", "$.note", "$.lines"]);
    let codes: Vec<String> = problems(r#"{"kind":"return","document":"A"}"#).into_iter().map(|(_, p)| p).collect();
    assert_eq!(codes, ["$.seller", "$.sale_document", "$.lines"]);
}

#[test]
fn a_field_of_another_kind_is_refused() {
    let body = format!(
        r#"{{"kind":"export","document":"EX-1","buyer":"DE1","note":"x","lines":[{{"batch":"{BATCH}","quantity":1,"unit":"NAR"}}]}}"#
    );
    assert_eq!(
        problems(&body),
        [("TRC_004", "$.buyer"), ("TRC_004", "$.note")].map(|(c, p)| (c.to_string(), p.to_string()))
    );
}

#[test]
fn each_bad_value_has_its_own_code_and_path() {
    let line = |batch: &str, quantity: &str, unit: &str| {
        format!(
            r#"{{"kind":"sale","document":"INV-1","buyer":"DE1","lines":[{{"batch":"{batch}","quantity":{quantity},"unit":"{unit}"}}]}}"#
        )
    };
    assert_eq!(problems(&line("10005000/260309/0000042/1", "1", "NAR")), one("TRC_007", "$.lines[0].batch"));
    assert_eq!(problems(&line(BATCH, "1", "KG")), one("TRC_008", "$.lines[0].unit"));
    assert_eq!(problems(&line(BATCH, "0", "NAR")), one("TRC_009", "$.lines[0].quantity"));
    assert_eq!(problems(&line(BATCH, "-3", "KGM")), one("TRC_009", "$.lines[0].quantity"));
    assert_eq!(problems(&line(BATCH, "1.5", "NAR")), one("TRC_010", "$.lines[0].quantity"));
    assert_eq!(problems(&line(BATCH, "0.001", "MTK")), one("TRC_010", "$.lines[0].quantity"));
    assert_eq!(problems(&line(BATCH, "1000000000001", "NAR")), one("TRC_011", "$.lines[0].quantity"));
    assert_eq!(problems(&line(BATCH, "1.000", "NAR")), vec![], "trailing zeros are no decimals");
    let kind = r#"{"kind":"gift","document":"INV-1","lines":[]}"#;
    assert_eq!(problems(kind), [("TRC_003", "$.kind"), ("TRC_014", "$.lines")].map(|(c, p)| (c.into(), p.into())));
    let head = |document: &str, buyer: &str| {
        format!(
            r#"{{"kind":"sale","document":"{document}","buyer":"{buyer}","lines":[{{"batch":"{BATCH}","quantity":1,"unit":"NAR"}}]}}"#
        )
    };
    assert_eq!(problems(&head("INV-1", "")), one("TRC_005", "$.buyer"));
    assert_eq!(problems(&head(" INV-1", "DE1")), one("TRC_006", "$.document"));
    let write_off = |reason: &str, note: &str| {
        format!(
            r#"{{"kind":"write_off","document":"A-1","reason":"{reason}","note":"{note}","lines":[{{"batch":"{BATCH}","quantity":1,"unit":"NAR"}}]}}"#
        )
    };
    assert_eq!(problems(&write_off("stolen", "Gone")), one("TRC_012", "$.reason"));
    assert_eq!(problems(&write_off("lost", "  ")), one("TRC_013", "$.note"));
    assert_eq!(problems(&write_off("lost", "Tab\\there")), one("TRC_013", "$.note"));
}

#[test]
fn a_batch_named_twice_and_too_many_lines_are_refused() {
    let l = format!(r#"{{"batch":"{BATCH}","quantity":1,"unit":"NAR"}}"#);
    let twice = format!(r#"{{"kind":"export","document":"EX-1","lines":[{l},{l}]}}"#);
    assert_eq!(problems(&twice), one("TRC_016", "$.lines[1].batch"));
    let many: Vec<String> = (0..=MAX_LINES)
        .map(|i| format!(r#"{{"batch":"10005000/260309/{:07}/001","quantity":1,"unit":"NAR"}}"#, i + 1))
        .collect();
    let body = format!(r#"{{"kind":"export","document":"EX-1","lines":[{}]}}"#, many.join(","));
    assert_eq!(problems(&body), one("TRC_015", "$.lines"));
}

#[test]
fn bad_json_wrong_types_and_unknown_fields_are_malformed_with_their_path() {
    assert_eq!(problems("{"), one("TRC_001", "$"));
    assert_eq!(problems("[1]"), one("TRC_001", "$"));
    assert_eq!(problems(r#"{"kind":"sale"} trailing"#), one("TRC_001", "$"));
    assert_eq!(problems(r#"{"kind":7}"#), one("TRC_001", "$.kind"));
    assert_eq!(problems(r#"{"lines":[{"quantity":"lots"}]}"#), one("TRC_001", "$.lines[0].quantity"));
    assert_eq!(problems(r#"{"buyer_id":"DE1"}"#), one("TRC_001", "$.buyer_id"));
}

fn trader_id() -> impl Strategy<Value = TraderId> {
    "[A-Z]{2}[0-9A-Z]{1,12}".prop_map(|s| TraderId::new(s).unwrap_or_else(|e| panic!("{e}")))
}

fn document_ref() -> impl Strategy<Value = DocumentRef> {
    "[A-Z0-9][A-Z0-9/ -]{0,33}[A-Z0-9]"
        .prop_map(|s| DocumentRef::parse(&s).unwrap_or_else(|| panic!("test document {s:?}")))
}

fn operation() -> impl Strategy<Value = Operation> {
    prop_oneof![
        trader_id().prop_map(|buyer| Operation::Sale { buyer }),
        (trader_id(), document_ref()).prop_map(|(seller, sale_document)| Operation::Return { seller, sale_document }),
        Just(Operation::Export),
        (proptest::sample::select(WriteOffReason::ALL.to_vec()), "[a-zA-Z][a-zA-Z ,.]{0,60}").prop_map(
            |(reason, note)| Operation::WriteOff { reason, note: Note::parse(&note).unwrap_or_else(|| panic!("note")) }
        ),
    ]
}

fn report() -> impl Strategy<Value = Report> {
    let line =
        (1u64..=9_999_999, 1u32..=999, 1i64..1_000_000_000, 0u32..=3, proptest::sample::select(Unit::ALL.to_vec()))
            .prop_map(|(seq, item, mantissa, scale, unit)| {
                let number = format!("10005000/260309/{seq:07}/{item:03}");
                let amount = rust_decimal::Decimal::new(mantissa, scale.min(unit.decimals()));
                Line {
                    batch: BatchNumber::parse(&number).unwrap_or_else(|e| panic!("{e}")),
                    quantity: Quantity::new(amount, unit).unwrap_or_else(|e| panic!("{e}")),
                }
            });
    (trader_id(), operation(), document_ref(), proptest::collection::vec(line, 1..8)).prop_map(
        |(holder, operation, document, mut lines)| {
            let mut seen = std::collections::BTreeSet::new();
            lines.retain(|l| seen.insert(l.batch.clone()));
            Report { holder, operation, document, lines }
        },
    )
}

fn json_value() -> impl Strategy<Value = serde_json::Value> {
    let leaf = prop_oneof![
        Just(serde_json::Value::Null),
        any::<bool>().prop_map(serde_json::Value::from),
        any::<i64>().prop_map(serde_json::Value::from),
        ".{0,12}".prop_map(serde_json::Value::from),
        prop_oneof![Just("sale"), Just("write_off"), Just("NAR"), Just(BATCH), Just("lost")]
            .prop_map(serde_json::Value::from),
    ];
    leaf.prop_recursive(3, 24, 4, |inner| {
        prop_oneof![
            proptest::collection::vec(inner.clone(), 0..4).prop_map(serde_json::Value::from),
            proptest::collection::btree_map(
                prop_oneof![Just("batch".to_string()), Just("quantity".to_string()), Just("unit".to_string())],
                inner,
                0..4
            )
            .prop_map(|m| serde_json::Value::Object(m.into_iter().collect())),
        ]
    })
}

proptest! {
    /// A valid report written to the wire reads back as the same report.
    #[test]
    fn valid_reports_round_trip(r in report()) {
        let body = serde_json::to_vec(&r.to_doc()).map_err(|e| TestCaseError::fail(e.to_string()))?;
        let back = parse(&body, &r.holder).map_err(|p| TestCaseError::fail(format!("{p:?}")))?;
        prop_assert_eq!(back, r);
    }

    /// Whatever object arrives, reading it returns a report or problems, never a panic, and
    /// problems are never an empty list.
    #[test]
    fn any_json_object_is_answered(fields in proptest::collection::btree_map(
        prop_oneof![Just("kind".to_string()), Just("document".to_string()), Just("buyer".to_string()),
            Just("seller".to_string()), Just("sale_document".to_string()), Just("reason".to_string()),
            Just("note".to_string()), Just("lines".to_string())],
        json_value(), 0..8)) {
        let body = serde_json::to_vec(&fields).map_err(|e| TestCaseError::fail(e.to_string()))?;
        if let Err(problems) = parse(&body, &t("SELLER")) {
            prop_assert!(!problems.is_empty());
            prop_assert!(problems.iter().all(|p| p.code.starts_with("TRC_0") && p.path.starts_with('$')));
        }
    }
}
