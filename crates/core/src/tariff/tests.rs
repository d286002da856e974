//! Hand-checked calculations: every form of rate, preferences granted and refused, excise,
//! foreign currency, rounding at half a cent, and every reason at once.

use chrono::NaiveDate;
use rust_decimal::Decimal;
use rust_decimal_macros::dec;

use super::*;
use crate::codes::{CountryCode, CurrencyCode, HsCode, TransportMode};
use crate::declaration::{Declaration, DeclarationType, Document, GoodsItem, Party, Transport};
use crate::registration::Reason;

fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap_or_default()
}

fn day() -> NaiveDate {
    date(2026, 5, 4)
}

fn country(code: &str) -> CountryCode {
    CountryCode::parse(code).unwrap_or_else(|| panic!("test country {code}"))
}

fn currency(code: &str) -> CurrencyCode {
    CurrencyCode::parse(code).unwrap_or_else(|| panic!("test currency {code}"))
}

fn measure(id: &str, code: &str, kind: MeasureKind, rate: &str) -> Measure {
    Measure {
        id: id.into(),
        code: code.into(),
        kind,
        origin: Origin::ErgaOmnes,
        rate: Rate::parse(rate).unwrap_or_else(|e| panic!("test rate {rate}: {e}")),
        proof: None,
        valid_from: date(2024, 1, 1),
        valid_to: None,
        legal_base: "Test regulation".into(),
    }
}

fn duty(code: &str, rate: &str) -> Measure {
    measure(&format!("D-{code}"), code, MeasureKind::ImportDuty, rate)
}

/// A small tariff whose figures the examples below check by hand.
fn tariff() -> Tariff {
    let gsp = Measure {
        origin: Origin::Group("GSP".into()),
        proof: Some("N865|N864".into()),
        ..measure("GSP-61", "61", MeasureKind::ImportDuty, "9.6%")
    };
    let measures = vec![
        duty("61", "12%"),
        duty("0703", "8% + 0.02 EUR/kg"),
        duty("0710", "max(14.4%, 0.15 EUR/kg)"),
        duty("10", "95.00 EUR/1000kg"),
        duty("3926", "6.5% min 0.05 EUR/kg max 2.00 EUR/kg"),
        duty("2402", "57.6%"),
        duty("2203", "0%"),
        duty("8517", "0%"),
        gsp,
        measure("EXC-2402", "2402", MeasureKind::Excise, "19.84% + 117.00 EUR/1000p"),
        measure("EXC-2203", "2203", MeasureKind::Excise, "0.09 EUR/l"),
        measure("VAT", "", MeasureKind::Vat, "19%"),
        measure("VAT-07", "07", MeasureKind::Vat, "7%"),
    ];
    let groups = vec![CountryGroup { code: "GSP".into(), name: "GSP".into(), countries: vec![country("VN")] }];
    let rates = vec![ExchangeRate {
        currency: currency("USD"),
        per_eur: dec!(1.0850),
        valid_from: date(2024, 1, 1),
        valid_to: None,
    }];
    Tariff::new(measures, groups, rates).unwrap_or_else(|e| panic!("test tariff: {e:?}"))
}

/// An item: commodity code, origin, net mass (kg), quantity and unit, price.
fn item(code: &str, origin: &str, net_mass: Decimal, quantity: Decimal, unit: &str, price: Decimal) -> GoodsItem {
    GoodsItem {
        sequence: 1,
        commodity_code: HsCode::parse(code).unwrap_or_else(|| panic!("test code {code}")),
        description: "Test goods".into(),
        origin: country(origin),
        net_mass,
        gross_mass: net_mass,
        quantity,
        unit: unit.into(),
        price,
        valuation_method: "1".into(),
        preference: "100".into(),
        documents: vec![Document { kind: "N380".into(), number: "INV-1".into() }],
    }
}

fn by_mass(code: &str, net_mass: Decimal, price: Decimal) -> GoodsItem {
    item(code, "CN", net_mass, net_mass, "KGM", price)
}

fn claiming(mut item: GoodsItem, preference: &str, proof: &str) -> GoodsItem {
    item.preference = preference.into();
    item.documents.push(Document { kind: proof.into(), number: "P-1".into() });
    item
}

fn party(id: &str, code: &str) -> Party {
    Party { id: id.into(), name: format!("{id} Ltd"), country: country(code) }
}

fn declaration(currency_code: &str, items: Vec<GoodsItem>) -> Declaration {
    let items = items.into_iter().zip(1..).map(|(item, sequence)| GoodsItem { sequence, ..item }).collect();
    Declaration {
        kind: DeclarationType::Import,
        procedure_code: "4000".into(),
        office: "DE004851".parse().unwrap_or_else(|e| panic!("{e}")),
        declarant: party("DE123456789012345", "DE"),
        importer: party("DE123456789012345", "DE"),
        exporter: party("CN913301000000", "CN"),
        representative: None,
        transport: Transport { mode: TransportMode::Sea, means_id: "IMO9321483".into(), nationality: None },
        location_of_goods: "DEHAMWAR1".into(),
        currency: currency(currency_code),
        invoice_total: dec!(1),
        incoterm: "CIF".into(),
        declaration_date: day(),
        items,
    }
}

/// Assesses one item invoiced in EUR and returns its duties.
fn one(item: GoodsItem) -> ItemDuties {
    assess_ok(declaration("EUR", vec![item])).items.remove(0)
}

fn assess_ok(d: Declaration) -> DutyAssessment {
    tariff().assess(&d, day()).unwrap_or_else(|r| panic!("unexpected reasons {r:#?}"))
}

/// Checks the item's customs value, duty, excise and VAT.
fn check(item: GoodsItem, expect: [Decimal; 4]) -> ItemDuties {
    let d = one(item);
    let excise = d.excise.as_ref().map_or(Decimal::ZERO, |e| e.amount);
    assert_eq!([d.customs_value, d.duty.amount, excise, d.vat.amount], expect, "{d:#?}");
    d
}

#[test]
fn an_ad_valorem_duty_then_vat_on_value_plus_duty() {
    // 12 % of 1000.00 = 120.00; VAT 19 % of 1120.00 = 212.80.
    let d = check(by_mass("6109100000", dec!(50), dec!(1000.00)), [dec!(1000.00), dec!(120.00), dec!(0), dec!(212.80)]);
    assert_eq!((d.duty.measure_id.as_str(), d.duty.code.as_str()), ("D-61", "61"));
    assert_eq!(d.duty.base, TaxBase { value: Some(dec!(1000.00)), quantities: vec![] });
    assert_eq!(d.vat.base.value, Some(dec!(1120.00)));
    assert_eq!(d.exchange_rate, None);
}

#[test]
fn a_mixed_duty_adds_the_specific_part_on_net_mass() {
    // 8 % of 400.00 = 32.00, plus 0.02 × 500 kg = 10.00: 42.00. VAT 7 % (chapter 07) of 442.00 = 30.94.
    let d = check(by_mass("0703100000", dec!(500), dec!(400.00)), [dec!(400.00), dec!(42.00), dec!(0), dec!(30.94)]);
    let kg = Quantity { amount: dec!(500), unit: QuantityUnit::Kilogram };
    assert_eq!(d.duty.base, TaxBase { value: Some(dec!(400.00)), quantities: vec![kg] });
    assert_eq!(d.duty.rate.to_string(), "8% + 0.02 EUR/kg");
}

#[test]
fn the_higher_of_takes_the_larger_alternative() {
    // 14.4 % of 800.00 = 115.20 < 0.15 × 1000 kg = 150.00. VAT 7 % of 950.00 = 66.50.
    check(by_mass("0710800000", dec!(1000), dec!(800.00)), [dec!(800.00), dec!(150.00), dec!(0), dec!(66.50)]);
    // 14.4 % of 2000.00 = 288.00 > 150.00. VAT 7 % of 2288.00 = 160.16.
    check(by_mass("0710800000", dec!(1000), dec!(2000.00)), [dec!(2000.00), dec!(288.00), dec!(0), dec!(160.16)]);
}

#[test]
fn a_specific_duty_per_tonne_and_vat_rounded_up_at_half_a_cent() {
    // 95.00 EUR per 1000 kg × 2500 kg = 237.50. VAT 19 % of 837.50 = 159.125 → 159.13.
    let d = check(by_mass("1001990000", dec!(2500), dec!(600.00)), [dec!(600.00), dec!(237.50), dec!(0), dec!(159.13)]);
    assert_eq!(d.duty.base.value, None, "a specific rate has no value base");
}

#[test]
fn a_minimum_and_a_maximum_bound_the_duty() {
    // 6.5 % of 50.00 = 3.25, below the minimum 0.05 × 100 kg = 5.00. VAT 19 % of 55.00 = 10.45.
    check(by_mass("3926909700", dec!(100), dec!(50.00)), [dec!(50.00), dec!(5.00), dec!(0), dec!(10.45)]);
    // 6.5 % of 10000.00 = 650.00, above the maximum 2.00 × 100 kg = 200.00. VAT 19 % of 10200.00 = 1938.00.
    check(by_mass("3926909700", dec!(100), dec!(10000.00)), [dec!(10000.00), dec!(200.00), dec!(0), dec!(1938.00)]);
}

#[test]
fn cigarettes_carry_a_mixed_excise_per_thousand_pieces() {
    // Duty 57.6 % of 1500.00 = 864.00. Excise 19.84 % of 1500.00 = 297.60 plus 117.00 × 10000/1000
    // = 1170.00: 1467.60. VAT 19 % of 1500.00 + 864.00 + 1467.60 = 3831.60: 728.004 → 728.00.
    let cigarettes = item("2402200000", "CN", dec!(10), dec!(10000), "NAR", dec!(1500.00));
    let d = check(cigarettes, [dec!(1500.00), dec!(864.00), dec!(1467.60), dec!(728.00)]);
    let excise = d.excise.unwrap_or_else(|| panic!("excise expected"));
    assert_eq!(excise.base.quantities, [Quantity { amount: dec!(10000), unit: QuantityUnit::Piece }]);
    assert_eq!(excise.measure_id, "EXC-2402");
}

#[test]
fn beer_carries_excise_per_litre_in_any_litre_unit() {
    // Excise 0.09 × 1000 l = 90.00. VAT 19 % of 890.00 = 169.10.
    let litres = item("2203000000", "CN", dec!(1050), dec!(1000), "LTR", dec!(800.00));
    check(litres, [dec!(800.00), dec!(0.00), dec!(90.00), dec!(169.10)]);
    let hectolitres = item("2203000000", "CN", dec!(1050), dec!(10), "HLT", dec!(800.00));
    check(hectolitres, [dec!(800.00), dec!(0.00), dec!(90.00), dec!(169.10)]);
}

#[test]
fn goods_without_an_excise_measure_owe_none() {
    assert_eq!(one(by_mass("8517620000", dec!(5), dec!(100.00))).excise, None);
}

#[test]
fn a_foreign_price_is_converted_at_full_precision_then_rounded() {
    // 1234.56 USD / 1.0850 = 1137.8433… → 1137.84. Duty 12 % = 136.5408 → 136.54.
    // VAT 19 % of 1137.84 + 136.54 = 1274.38: 242.1322 → 242.13.
    let a = tariff().assess(&declaration("USD", vec![by_mass("6109100000", dec!(50), dec!(1234.56))]), day());
    let a = a.unwrap_or_else(|r| panic!("{r:?}"));
    let d = &a.items[0];
    assert_eq!([d.customs_value, d.duty.amount, d.vat.amount], [dec!(1137.84), dec!(136.54), dec!(242.13)]);
    let applied = AppliedRate { currency: currency("USD"), per_eur: dec!(1.0850), valid_from: date(2024, 1, 1) };
    assert_eq!(d.exchange_rate, Some(applied));
}

#[test]
fn half_a_cent_rounds_away_from_zero() {
    // Banker's rounding would give 2.66 and 0.28 here.
    assert_eq!(round_to_cent(dec!(2.665)), dec!(2.67));
    assert_eq!(round_to_cent(dec!(-2.665)), dec!(-2.67));
    assert_eq!(round_to_cent(dec!(2.664999)), dec!(2.66));
    // VAT 19 % of 1.50 = 0.285 → 0.29.
    check(by_mass("8517620000", dec!(1), dec!(1.50)), [dec!(1.50), dec!(0.00), dec!(0), dec!(0.29)]);
}

#[test]
fn a_preference_with_origin_in_the_group_and_its_proof_is_granted() {
    // GSP 9.6 % of 1000.00 = 96.00. VAT 19 % of 1096.00 = 208.24.
    let vn = item("6109100000", "VN", dec!(50), dec!(50), "KGM", dec!(1000.00));
    let d = check(claiming(vn, "200", "N865"), [dec!(1000.00), dec!(96.00), dec!(0), dec!(208.24)]);
    assert_eq!((d.duty.measure_id.as_str(), d.duty.origin.to_string()), ("GSP-61", "GSP".to_string()));
    assert_eq!(d.preference_refused, None);
}

#[test]
fn a_preference_without_the_required_proof_falls_back_to_the_conventional_rate() {
    let vn = item("6109100000", "VN", dec!(50), dec!(50), "KGM", dec!(1000.00));
    let d = check(claiming(vn, "200", "N954"), [dec!(1000.00), dec!(120.00), dec!(0), dec!(212.80)]);
    let why = d.preference_refused.unwrap_or_default();
    assert!(why.contains("GSP-61") && why.contains("N865 or N864") && why.contains("N380, N954"), "{why}");
}

#[test]
fn a_preference_for_an_origin_outside_every_group_is_refused() {
    let cn = claiming(by_mass("6109100000", dec!(50), dec!(1000.00)), "300", "N954");
    let d = check(cn, [dec!(1000.00), dec!(120.00), dec!(0), dec!(212.80)]);
    assert!(d
        .preference_refused
        .unwrap_or_default()
        .contains("no preferential rate applies to 6109100000 originating in CN"));
}

#[test]
fn an_unclaimed_preference_is_not_applied() {
    let vn = item("6109100000", "VN", dec!(50), dec!(50), "KGM", dec!(1000.00));
    let mut d = claiming(vn, "200", "N865");
    d.preference = "100".into();
    let duties = one(d);
    assert_eq!((duties.duty.measure_id.as_str(), duties.preference_refused), ("D-61", None));
}

#[test]
fn totals_are_sums_of_the_rounded_item_figures() {
    let a = assess_ok(declaration(
        "EUR",
        vec![by_mass("6109100000", dec!(50), dec!(1000.00)), by_mass("1001990000", dec!(2500), dec!(600.00))],
    ));
    let expect = Totals {
        customs_value: dec!(1600.00),
        duty: dec!(357.50),
        excise: dec!(0),
        vat: dec!(371.93),
        total: dec!(729.43),
    };
    assert_eq!(a.totals, expect);
    assert_eq!(a.total(), dec!(729.43));
    assert_eq!(a.currency.as_str(), "EUR");
    assert_eq!(a.items.iter().map(|i| i.sequence).collect::<Vec<_>>(), [1, 2]);
}

#[test]
fn an_assessment_survives_a_json_round_trip() {
    let cigarettes = item("2402200000", "CN", dec!(10), dec!(10000), "NAR", dec!(1500.00));
    let a = tariff().assess(&declaration("USD", vec![cigarettes]), day()).unwrap_or_else(|r| panic!("{r:?}"));
    let json = serde_json::to_string(&a).unwrap_or_default();
    let back: Result<DutyAssessment, _> = serde_json::from_str(&json);
    assert_eq!(back.ok(), Some(a), "{json}");
}

fn codes_and_paths(reasons: Vec<Reason>) -> Vec<(String, String)> {
    reasons.into_iter().map(|r| (r.code, r.path.unwrap_or_default())).collect()
}

#[test]
fn every_problem_of_every_item_is_reported_at_once() {
    let horses = by_mass("0101210000", dec!(500), dec!(5000.00));
    let beer_by_mass = by_mass("2203000000", dec!(1050), dec!(800.00));
    let cigarettes_by_mass = by_mass("2402200000", dec!(10), dec!(1500.00));
    let d = declaration("GBP", vec![horses, beer_by_mass, cigarettes_by_mass]);
    let reasons = tariff().assess(&d, day()).err().unwrap_or_default();
    let expect = [
        ("TAR_002", "$.invoice.currency"),
        ("TAR_001", "$.items[0].commodity_code"),
        ("TAR_003", "$.items[1].unit"),
        ("TAR_003", "$.items[2].unit"),
    ];
    let expect: Vec<(String, String)> = expect.iter().map(|(c, p)| (c.to_string(), p.to_string())).collect();
    assert_eq!(codes_and_paths(reasons.clone()), expect, "{reasons:#?}");
    assert!(reasons[2].message.contains("EXC-2203 charges 0.09 EUR/l per litre, but the quantity is in KGM"));
}

#[test]
fn nothing_applies_before_the_tariff_starts() {
    let d = declaration("USD", vec![by_mass("6109100000", dec!(50), dec!(1000.00))]);
    let reasons = tariff().assess(&d, date(2023, 12, 31)).err().unwrap_or_default();
    let codes: Vec<String> = reasons.into_iter().map(|r| r.code).collect();
    assert_eq!(codes, ["TAR_002", "TAR_001", "TAR_004"]);
}

#[test]
fn every_reason_code_is_documented() {
    let docs = include_str!("../../../../docs/tariff.md");
    for (code, _) in REASON_CODES {
        assert!(docs.contains(code), "docs/tariff.md lacks {code}");
    }
}
