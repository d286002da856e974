//! Tests of matching a partner export with our import, one test per kind of difference.

use chrono::{TimeZone, Utc};
use rust_decimal::Decimal;

use super::exchange::{
    EXPORTER_DIFFERS, EXPORT_LINE_MISSING, HS_DIFFERS, IMPORTER_DIFFERS, IMPORT_ITEM_MISSING, MASS_DIFFERS,
    QUANTITY_DIFFERS, QUANTITY_NOT_COMPARABLE, VALUE_DIFFERS, VALUE_NOT_COMPARABLE,
};
use super::sample::{ctx, IMPORT};
use super::{export_message, match_import, parse_dec, Mismatch, PartnerExport, PartnerLine, Tolerance};
use crate::codes::HsCode;
use crate::declaration::Declaration;
use crate::ids::RegistrationNumber;

/// The sample import, checked.
fn import() -> Declaration {
    let doc = parse_dec(IMPORT.as_bytes()).unwrap_or_else(|e| panic!("{e}")).declaration;
    crate::flc::check(&doc, &ctx()).unwrap_or_else(|f| panic!("{f:#?}"))
}

/// What the exporting partner would send for exactly the goods we import.
fn export() -> PartnerExport {
    let d = import();
    let number = RegistrationNumber::parse("CN518000/261020/0001234").unwrap_or_else(|e| panic!("{e}"));
    let released = Utc.with_ymd_and_hms(2026, 10, 20, 8, 0, 0).single().unwrap_or_else(|| panic!("time"));
    let mut e = export_message(&d, &number, released);
    e.partner = "CN".to_string();
    e
}

fn line(e: &mut PartnerExport, n: usize) -> &mut PartnerLine {
    e.lines.get_mut(n).unwrap_or_else(|| panic!("no line {n}"))
}

fn codes(found: &[Mismatch]) -> Vec<&str> {
    found.iter().map(|m| m.code.as_str()).collect()
}

fn check(e: &PartnerExport) -> Vec<Mismatch> {
    match_import(e, &import(), &Tolerance::default())
}

fn dec(text: &str) -> Decimal {
    text.parse().unwrap_or_else(|e| panic!("{text}: {e}"))
}

#[test]
fn the_same_goods_match_without_a_difference() {
    assert_eq!(check(&export()), []);
}

#[test]
fn our_message_for_a_partner_carries_our_country_the_registration_number_and_every_item() {
    let d = import();
    let number = RegistrationNumber::parse("DE005000/261119/0000042").unwrap_or_else(|e| panic!("{e}"));
    let released = Utc.with_ymd_and_hms(2026, 11, 19, 11, 2, 0).single().unwrap_or_else(|| panic!("time"));
    let m = export_message(&d, &number, released);
    assert_eq!((m.partner.as_str(), m.reference.as_str()), ("DE", "DE005000/261119/0000042"));
    assert_eq!(m.exporter.id.as_deref(), Some("CN91440300MA5F"));
    assert_eq!(m.lines.len(), 2);
    let first = m.lines.first().unwrap_or_else(|| panic!("no line"));
    assert_eq!(first.commodity_code, "8517130000");
    assert_eq!((first.value, first.currency.as_deref()), (Some(dec("36000.00")), Some("EUR")));
    let json = serde_json::to_string(&m).unwrap_or_else(|e| panic!("{e}"));
    let back: PartnerExport = serde_json::from_str(&json).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(back, m);
}

#[test]
fn another_subheading_is_reported_once_the_line_is_paired_by_value_and_mass() {
    let mut e = export();
    line(&mut e, 0).commodity_code = "851762".to_string();
    let found = check(&e);
    assert_eq!(codes(&found), [HS_DIFFERS]);
    let m = found.first().unwrap_or_else(|| panic!("nothing"));
    assert_eq!((m.export_line, m.import_item), (Some(1), Some(1)));
    assert_eq!((m.export_value.as_deref(), m.import_value.as_deref()), (Some("851762"), Some("851713")));
}

#[test]
fn net_masses_apart_by_more_than_the_tolerance_are_reported() {
    let mut e = export();
    line(&mut e, 0).net_mass = Some(dec("185"));
    assert_eq!(check(&e), [], "2.7 % is within 5 %");
    line(&mut e, 0).net_mass = Some(dec("200"));
    let found = check(&e);
    assert_eq!(codes(&found), [MASS_DIFFERS]);
    assert!(found.iter().all(|m| m.message.contains("5 %") && m.message.contains("200 kg")), "{found:?}");
}

#[test]
fn quantities_in_the_same_unit_are_compared_and_in_different_units_are_not() {
    let mut e = export();
    line(&mut e, 1).quantity = Some(dec("560"));
    assert_eq!(codes(&check(&e)), [QUANTITY_DIFFERS]);
    let mut e = export();
    line(&mut e, 1).unit = Some("PCE".to_string());
    line(&mut e, 1).quantity = Some(dec("1000"));
    let found = check(&e);
    assert_eq!(codes(&found), [QUANTITY_NOT_COMPARABLE]);
    assert_eq!(found.first().and_then(|m| m.export_value.as_deref()), Some("1000 PCE"));
}

#[test]
fn values_in_the_same_currency_are_compared_and_in_others_are_not() {
    let mut e = export();
    line(&mut e, 0).value = Some(dec("30000"));
    assert_eq!(codes(&check(&e)), [VALUE_DIFFERS]);
    let mut e = export();
    line(&mut e, 0).currency = Some("CNY".to_string());
    line(&mut e, 0).value = Some(dec("280000"));
    let found = check(&e);
    assert_eq!(codes(&found), [VALUE_NOT_COMPARABLE]);
    assert!(found.iter().all(|m| m.message.contains("CNY and EUR")));
}

#[test]
fn lines_on_one_side_only_are_missing_on_the_other() {
    let mut e = export();
    e.lines.truncate(1);
    let found = check(&e);
    assert_eq!(codes(&found), [IMPORT_ITEM_MISSING]);
    assert_eq!(found.first().and_then(|m| m.import_item), Some(2));

    let mut e = export();
    let mut extra = line(&mut e, 1).clone();
    extra.sequence = 3;
    e.lines.push(extra);
    let found = check(&e);
    assert_eq!(codes(&found), [EXPORT_LINE_MISSING]);
    assert_eq!(found.first().and_then(|m| m.export_line), Some(3));
}

#[test]
fn other_parties_are_reported_by_id_or_else_by_name() {
    let mut e = export();
    e.exporter.id = Some("CN91440300XXXX".to_string());
    e.importer.id = None;
    e.importer.name = Some("Nord Elektronik GmbH".to_string());
    assert_eq!(codes(&check(&e)), [EXPORTER_DIFFERS, IMPORTER_DIFFERS]);

    let mut e = export();
    e.exporter.id = Some(" cn91440300ma5f ".to_string());
    e.exporter.name = Some("SHENZHEN BRIGHTWAY TRADING CO LTD".to_string());
    e.importer.id = None;
    e.importer.name = Some("hanse elektronik import gmbh".to_string());
    assert_eq!(check(&e), [], "the same parties written differently");
}

#[test]
fn lines_of_one_subheading_pair_with_the_closest_items() {
    // Both items in one subheading, the export's lines in the other order.
    let mut d = import();
    let phones = HsCode::parse("8517130000").unwrap_or_else(|| panic!("code"));
    if let Some(item) = d.items.get_mut(1) {
        item.commodity_code = phones;
    }
    let mut e = export();
    for l in &mut e.lines {
        l.commodity_code = "851713".to_string();
    }
    e.lines.reverse();
    assert_eq!(match_import(&e, &d, &Tolerance::default()), []);
}

#[test]
fn a_wider_tolerance_hides_smaller_differences() {
    let mut e = export();
    line(&mut e, 0).value = Some(dec("33000"));
    assert_eq!(codes(&check(&e)), [VALUE_DIFFERS]);
    let lenient = Tolerance { value: dec("0.10"), ..Tolerance::default() };
    assert_eq!(match_import(&e, &import(), &lenient), []);
}

#[test]
fn an_import_cites_a_partner_export_by_an_n830_document_on_an_item() {
    let mut doc = parse_dec(IMPORT.as_bytes()).unwrap_or_else(|e| panic!("{e}")).declaration;
    assert_eq!(super::cited_exports(&doc), Vec::<String>::new());
    let cite = |number: &str| crate::declaration::DocumentDoc {
        kind: Some(super::CITING_DOCUMENT.to_string()),
        number: Some(number.to_string()),
    };
    for item in doc.items.iter_mut().flatten() {
        let documents = item.documents.get_or_insert_with(Vec::new);
        documents.push(cite("CN-EX-2026-0001"));
        documents.push(cite(" "));
    }
    assert_eq!(super::cited_exports(&doc), ["CN-EX-2026-0001"], "each reference once, blanks left out");
    for item in doc.items.iter_mut().flatten() {
        item.documents.iter_mut().flatten().for_each(|d| d.number = d.number.take().filter(|n| !n.trim().is_empty()));
        item.documents.iter_mut().for_each(|d| d.retain(|d| d.number.is_some()));
    }
    let checked = crate::flc::check(&doc, &ctx()).unwrap_or_else(|f| panic!("{f:#?}"));
    assert_eq!(super::cited_by(&checked), ["CN-EX-2026-0001"]);
}

#[test]
fn the_findings_are_the_codes_found_each_once_in_code_order() {
    let mut e = export();
    line(&mut e, 0).net_mass = Some(dec("500"));
    line(&mut e, 1).value = Some(dec("1"));
    let matched = super::Matched { partner: "CN".into(), reference: "X".into(), mismatches: check(&e) };
    let again = matched.clone();
    assert_eq!(super::finding_codes(&[matched, again]), [MASS_DIFFERS, VALUE_DIFFERS]);
    assert_eq!(super::finding_codes(&[]), Vec::<String>::new());
}

#[test]
fn a_partner_message_needs_a_country_a_reference_and_numbered_lines() {
    assert_eq!(super::check_message(&export()), Ok(()));
    let path = |e: &PartnerExport| super::check_message(e).err().map(|(p, _)| p);
    let mut e = export();
    e.partner = "cn".into();
    assert_eq!(path(&e).as_deref(), Some("$.partner"));
    let mut e = export();
    e.reference = " X".into();
    assert_eq!(path(&e).as_deref(), Some("$.reference"));
    e.reference = "X".repeat(36);
    assert_eq!(path(&e).as_deref(), Some("$.reference"));
    e.reference = "A\u{7}".into();
    assert_eq!(path(&e).as_deref(), Some("$.reference"));
    let mut e = export();
    e.lines.clear();
    assert_eq!(path(&e).as_deref(), Some("$.lines"));
    let mut e = export();
    line(&mut e, 1).sequence = 1;
    assert_eq!(path(&e).as_deref(), Some("$.lines"));
}

#[test]
fn an_import_is_matched_at_its_decision_with_the_exports_it_cites_and_the_differences_are_findings() {
    use crate::registration::{decide, Decision, Filing};
    let doc = parse_dec(IMPORT.as_bytes()).unwrap_or_else(|e| panic!("{e}")).declaration;
    let tariff = crate::tariff::Tariff::from_file(crate::tariff::demo()).unwrap_or_else(|p| panic!("{p:?}"));
    let prices = crate::valuation::PriceReference::default();
    let context = ctx();
    let mut differs = export();
    line(&mut differs, 0).value = Some(dec("72000.00"));
    let exports = [export(), differs];
    let decision = decide(Filing {
        doc: &doc,
        flc: &context,
        signature: Ok(()),
        profiles: &[],
        tariff: &tariff,
        prices: &prices,
        risk: crate::risk::RiskContext::default(),
        date: context.today,
        pre_arrival: None,
        partner_exports: &exports,
    });
    let Decision::Accepted(a) = decision else { panic!("refused: {decision:?}") };
    assert_eq!(a.exchange.len(), 2, "one match per export");
    assert_eq!(a.exchange.first().map(|m| m.mismatches.len()), Some(0));
    assert_eq!(a.facts.findings, [VALUE_DIFFERS]);
    assert_eq!(a.assessment.findings, [VALUE_DIFFERS], "risk assessment read them");
}
