use rust_decimal_macros::dec;

use super::*;
use crate::traceability::fixtures::{declaration, item, number, registration, RELEASED};

fn codes(findings: &[Finding]) -> Vec<(&str, &str)> {
    findings.iter().map(|f| (f.code.as_str(), f.path.as_str())).collect()
}

#[test]
fn a_batch_number_is_the_registration_number_and_the_item_in_three_digits() {
    let n = number(7);
    assert_eq!(n.as_str(), "10005000/260309/0000042/007");
    assert_eq!(n.registration(), "10005000/260309/0000042");
    assert_eq!(n.item(), 7);
    assert_eq!(BatchNumber::parse(n.as_str()), Ok(n));
    assert_eq!(BatchNumber::new(&registration(), 999).map(|n| n.item()), Some(999));
    assert_eq!(BatchNumber::new(&registration(), 0), None);
    assert_eq!(BatchNumber::new(&registration(), 1000), None);
}

#[test]
fn malformed_batch_numbers_are_refused() {
    for bad in [
        "",
        "10005000/260309/0000042",
        "10005000/260309/0000042/000",
        "10005000/260309/0000042/1",
        "10005000/260309/0000042/0001",
        "10005000/260309/0000042/01a",
        "10005000/261309/0000042/001",
        "10005000/260309/42/001",
    ] {
        assert!(BatchNumber::parse(bad).is_err(), "{bad:?}");
    }
    assert!(serde_json::from_str::<BatchNumber>("\"10005000/260309/0000042/001\"").is_ok());
    assert!(serde_json::from_str::<BatchNumber>("\"nonsense\"").is_err());
}

#[test]
fn release_opens_one_batch_per_traced_item_held_by_the_importer() -> Result<(), Vec<Finding>> {
    let d = declaration(vec![
        item(1, "8418102001", dec!(40), "NAR"),
        item(2, "070310", dec!(900), "KGM"),
        item(3, "640391", dec!(120), "PR"),
    ]);
    let batches = open_batches(&registration(), &d, RELEASED)?;
    assert_eq!(batches.len(), 2, "onions are not traced");
    assert_eq!(batches[0].number.as_str(), "10005000/260309/0000042/001");
    assert_eq!(batches[0].initial, Quantity::new(dec!(40), Unit::Pieces).map_err(|_| vec![])?);
    assert_eq!(batches[0].importer.as_str(), "DE987654321000000");
    assert_eq!(batches[0].origin.as_str(), "CN");
    assert_eq!(batches[0].released_at, RELEASED);
    assert_eq!(batches[1].number.item(), 3);
    assert_eq!(batches[1].unit(), Unit::Pairs, "PR is read as pairs");
    assert!(check_declaration(&d).is_empty());
    Ok(())
}

#[test]
fn exports_and_goods_kept_under_customs_control_open_no_batch() -> Result<(), Vec<Finding>> {
    let mut d = declaration(vec![item(1, "8418102001", dec!(40), "NAR")]);
    d.procedure_code = "7100".into();
    assert_eq!(open_batches(&registration(), &d, RELEASED)?, vec![]);
    d.procedure_code = "6100".into();
    assert_eq!(open_batches(&registration(), &d, RELEASED)?.len(), 1, "re-importation releases");
    d.kind = DeclarationType::Export;
    d.procedure_code = "1000".into();
    assert_eq!(open_batches(&registration(), &d, RELEASED)?, vec![]);
    Ok(())
}

#[test]
fn traced_goods_declared_in_another_unit_are_refused_at_filing_and_at_release() {
    let d = declaration(vec![item(1, "8418102001", dec!(2000), "KGM"), item(2, "401110", dec!(4.5), "NAR")]);
    let found = check_declaration(&d);
    assert_eq!(codes(&found), [("TRC_020", "$.items[0].unit"), ("TRC_021", "$.items[1].quantity")]);
    assert!(found[0].message.contains("traced in NAR (p/st)"), "{}", found[0].message);
    assert_eq!(open_batches(&registration(), &d, RELEASED).err(), Some(found));
}

#[test]
fn an_importer_without_a_trader_id_matters_only_when_something_is_traced() {
    let mut d = declaration(vec![item(1, "070310", dec!(900), "KGM")]);
    d.importer.id = " ".into();
    assert!(check_declaration(&d).is_empty());
    d.items.push(item(2, "845011", dec!(10), "H87"));
    assert_eq!(codes(&check_declaration(&d)), [("TRC_022", "$.importer.id")]);
}

#[test]
fn a_declared_item_is_told_whether_and_how_it_is_traced() {
    let washer = item(1, "845011", dec!(10), "NAR");
    assert_eq!(item_traced_as(&washer).map(|g| (g.prefix, g.unit)), Some(("8450", Unit::Pieces)));
    assert_eq!(item_traced_as(&item(2, "070310", dec!(1), "KGM")), None);
}

#[test]
fn a_batch_reads_back_as_written() -> Result<(), serde_json::Error> {
    let d = declaration(vec![item(1, "300490", dec!(5000), "NMP")]);
    let batches = open_batches(&registration(), &d, RELEASED).unwrap_or_default();
    let json = serde_json::to_string(&batches[0])?;
    assert!(json.contains(r#""initial":{"amount":"5000","unit":"NMP"}"#), "{json}");
    assert_eq!(serde_json::from_str::<Batch>(&json)?, batches[0]);
    Ok(())
}
