//! Price reference, check and KCS import tests.

use proptest::prelude::*;
use rust_decimal::Decimal;
use rust_decimal_macros::dec;

use super::*;
use crate::codes::{CountryCode, HsCode};
use crate::declaration::{Document, GoodsItem};

fn country(code: &str) -> CountryCode {
    CountryCode::parse(code).unwrap_or_else(|| panic!("test country {code}"))
}

fn observation(hs6: &str, origin: &str, per_kg: Decimal) -> Observation {
    Observation {
        hs6: hs6.into(),
        origin: country(origin),
        value_per_kg: Some(per_kg),
        value_per_unit: None,
        source: Source::Kcs,
    }
}

/// Observations of one subheading and origin at the given values per kg.
fn group(hs6: &str, origin: &str, values: &[Decimal]) -> Vec<Observation> {
    values.iter().map(|v| observation(hs6, origin, *v)).collect()
}

fn item(hs: &str, origin: &str, net_mass: Decimal, quantity: Decimal, unit: &str) -> GoodsItem {
    GoodsItem {
        sequence: 1,
        commodity_code: HsCode::parse(hs).unwrap_or_else(|| panic!("test code {hs}")),
        description: "Goods".into(),
        origin: country(origin),
        net_mass,
        gross_mass: net_mass + dec!(1),
        quantity,
        unit: unit.into(),
        price: dec!(1000),
        valuation_method: "1".into(),
        preference: "100".into(),
        documents: vec![Document { kind: "N380".into(), number: "INV-1".into() }],
    }
}

/// Ten Chinese shirts at 8 to 12 EUR/kg (median 10, MAD 1).
fn shirts() -> PriceReference {
    let values = [8, 9, 9, 10, 10, 10, 10, 11, 11, 12].map(Decimal::from);
    PriceReference::build(group("610910", "CN", &values))
}

#[test]
fn a_group_needs_five_observations() {
    let four = PriceReference::build(group("610910", "CN", &[dec!(1), dec!(2), dec!(3), dec!(4)]));
    assert!(four.is_empty());
    assert_eq!(four.lookup("610910", country("CN")), None);
    let five = PriceReference::build(group("610910", "CN", &[dec!(1), dec!(2), dec!(3), dec!(4), dec!(5)]));
    let figures = five.lookup("610910", country("CN"));
    assert_eq!(figures.map(|f| (f.group(), f.per_kg.as_ref().map(|s| s.median))), Some((Group::Origin, Some(dec!(3)))));
}

#[test]
fn a_small_origin_falls_back_to_all_origins() {
    let mut observations = group("610910", "CN", &[dec!(10); 6]);
    observations.extend(group("610910", "BD", &[dec!(4), dec!(4), dec!(4)]));
    let reference = PriceReference::build(observations);
    let cn = reference.lookup("610910", country("CN"));
    assert_eq!(cn.map(|f| (f.group(), f.origin)), Some((Group::Origin, Some(country("CN")))));
    let bd = reference.lookup("610910", country("BD"));
    let all = bd.and_then(|f| f.per_kg.clone());
    assert_eq!(bd.map(ReferenceFigures::group), Some(Group::AllOrigins));
    assert_eq!(all.map(|s| (s.count, s.median, s.p25)), Some((9, dec!(10), dec!(4))));
    assert_eq!(reference.lookup("610910", country("TR")).map(ReferenceFigures::group), Some(Group::AllOrigins));
    assert_eq!(reference.lookup("620342", country("CN")), None);
}

#[test]
fn values_of_zero_or_less_are_left_out_of_the_reference() {
    let reference =
        PriceReference::build(group("610910", "CN", &[dec!(0), dec!(-1), dec!(2), dec!(2), dec!(2), dec!(2)]));
    assert!(reference.is_empty());
}

#[test]
fn an_item_far_below_the_median_is_flagged() {
    let check = shirts().check(&item("610910", "CN", dec!(100), dec!(50), "KGM"), dec!(300));
    let expected = ValuationCheck {
        basis: Basis::Kg,
        declared: dec!(3),
        group: Group::Origin,
        reference: Statistics { count: 10, median: dec!(10), mad: dec!(1), p25: dec!(9.25), p75: dec!(10.75) },
        // min(10 − 3 × 1.4826 × 1, 70 % of 10)
        lower_bound: dec!(5.5522),
        undervaluation_percent: dec!(70),
        flagged: true,
    };
    assert_eq!(check, Some(expected));
}

#[test]
fn a_modest_discount_is_measured_but_not_flagged() {
    let check = shirts().check(&item("610910", "CN", dec!(100), dec!(50), "KGM"), dec!(750));
    assert_eq!(check.map(|c| (c.undervaluation_percent, c.flagged)), Some((dec!(25), false)));
    let at_median = shirts().check(&item("610910", "CN", dec!(100), dec!(50), "KGM"), dec!(2000));
    assert_eq!(at_median.map(|c| (c.undervaluation_percent, c.flagged)), Some((dec!(0), false)));
}

#[test]
fn a_widely_spread_group_flags_only_outliers_of_its_spread() {
    // Median 10, MAD 5: the robust bound is 10 − 22.239 < 0, so nothing is flagged.
    let values = [2, 4, 5, 6, 10, 10, 15, 16, 40, 80].map(Decimal::from);
    let reference = PriceReference::build(group("610910", "CN", &values));
    let check = reference.check(&item("610910", "CN", dec!(100), dec!(1), "KGM"), dec!(100));
    assert_eq!(check.map(|c| (c.lower_bound, c.undervaluation_percent, c.flagged)), Some((dec!(0), dec!(90), false)));
}

#[test]
fn undervaluation_is_rounded_to_a_tenth_of_a_percent() {
    let check = shirts().check(&item("610910", "CN", dec!(3), dec!(1), "KGM"), dec!(10));
    // 10 / 3 = 3.333333 EUR/kg: 66.66667 % below.
    assert_eq!(check.map(|c| (c.declared, c.undervaluation_percent)), Some((dec!(3.333333), dec!(66.7))));
}

#[test]
fn counted_goods_are_compared_per_unit_when_there_is_a_unit_reference() {
    let phones: Vec<Observation> = (0..6)
        .map(|i| Observation {
            value_per_unit: Some(dec!(200) + Decimal::from(i)),
            ..observation("851713", "CN", dec!(1000))
        })
        .collect();
    let reference = PriceReference::build(phones);
    let by_unit = reference.check(&item("851713", "CN", dec!(10), dec!(100), "NAR"), dec!(5000));
    assert_eq!(by_unit.map(|c| (c.basis, c.declared, c.flagged)), Some((Basis::Unit, dec!(50), true)));
    let by_kg = reference.check(&item("851713", "CN", dec!(10), dec!(100), "KGM"), dec!(5000));
    assert_eq!(by_kg.map(|c| (c.basis, c.declared)), Some((Basis::Kg, dec!(500))));
}

#[test]
fn without_a_unit_value_or_a_reference_there_is_no_check() {
    let no_mass = shirts().check(&item("610910", "CN", dec!(0), dec!(5), "KGM"), dec!(100));
    assert_eq!(no_mass, None);
    let other = shirts().check(&item("620342", "CN", dec!(10), dec!(5), "KGM"), dec!(100));
    assert_eq!(other, None);
}

#[test]
fn a_registered_item_observes_its_value_per_kg_and_per_unit() {
    let counted =
        Observation::from_item(&item("8517130000", "CN", dec!(4), dec!(8), "PCE"), dec!(1600), Source::Declaration);
    assert_eq!(
        counted,
        Observation {
            hs6: "851713".into(),
            origin: country("CN"),
            value_per_kg: Some(dec!(400)),
            value_per_unit: Some(dec!(200)),
            source: Source::Declaration,
        }
    );
    let weighed =
        Observation::from_item(&item("610910", "CN", dec!(0), dec!(8), "KGM"), dec!(1600), Source::Declaration);
    assert_eq!((weighed.value_per_kg, weighed.value_per_unit), (None, None));
}

#[test]
fn sources_round_trip_through_their_names() {
    for source in [Source::Kcs, Source::Declaration] {
        assert_eq!(Source::parse(source.as_str()), Some(source));
    }
}

#[test]
fn a_large_reference_builds_from_synthetic_observations() {
    // 300,000 observations over 2,000 subheadings and 5 origins, about 30 per group.
    let subheadings: Vec<String> = (0..2_000).map(|i| format!("{:06}", 100_000 + i * 37)).collect();
    let origins = ["CN", "VN", "TR", "IN", "BD"].map(country);
    let observations = (0..300_000u32).map(|i| Observation {
        hs6: subheadings[(i as usize * 7) % subheadings.len()].clone(),
        origin: origins[(i as usize / 3) % origins.len()],
        value_per_kg: Some(Decimal::new(i64::from(i % 997) + 1, 2)),
        value_per_unit: (i % 2 == 0).then(|| Decimal::from(i % 89 + 1)),
        source: Source::Kcs,
    });
    let reference = PriceReference::build(observations);
    assert_eq!(reference.len(), subheadings.len());
    let figures = reference.lookup(&subheadings[0], origins[0]);
    assert_eq!(figures.map(ReferenceFigures::group), Some(Group::Origin));
    let all = reference.subheadings.get(&subheadings[0]).and_then(|s| s.all_origins.per_kg.as_ref());
    assert_eq!(all.map(|s| s.count), Some(150));
}

const HEADER: &str = "Declaration ID,Date,Office ID,Process Type,Import Type,Import Use,Payment Type,\
Mode of Transport,Declarant ID,Importer ID,Seller ID,Courier ID,HS6 Code,Country of Departure,Country of Origin,\
Tax Rate,Tax Type,Country of Origin Indicator,Net Mass,Item Price,Fraud,Critical Fraud";

/// A data row with the columns that matter; the others as in the data set.
fn row(hs6: &str, origin: &str, net_mass: &str, price: &str, fraud: &str) -> String {
    format!("97061800,2020-01-01,30,B,11,21,11,10,ZZR1LT6,QLRUBN9,0VKY2BR,,{hs6},{origin},{origin},0.0,FEU1,G,{net_mass},{price},{fraud},0")
}

fn import(rows: &[String]) -> KcsImport {
    let text = format!("{HEADER}\n{}\n", rows.join("\n"));
    parse_kcs_csv(&text).unwrap_or_else(|e| panic!("{e:?}"))
}

#[test]
fn kcs_prices_are_converted_from_krw_to_eur_per_kg() {
    let result = import(&[row("440890", "BE", "108.0", "372254.4", "0")]);
    let per_kg = result.observations.first().and_then(|o| o.value_per_kg);
    // 372,254.4 KRW / 1,450 / 108 kg
    assert_eq!(per_kg.map(|v| v.round_dp(6)), Some(dec!(2.377103)));
    assert_eq!((result.read, result.observations.len()), (1, 1));
    assert_eq!(result.observations[0].source, Source::Kcs);
}

#[test]
fn kcs_rows_are_skipped_and_counted_by_reason() {
    let result = import(&[
        row("690722", "CN", "100", "5000", "0"),
        row("690722", "CN", "100", "5000", "1"),
        row("999999", "CN", "100", "5000", "0"),
        row("690722", "CN", "0.0", "5000", "0"),
        row("690722", "CN", "10", "0", "0"),
        row("690722", "ZZ", "10", "5000", "0"),
        row("690722", "CN", "ten", "5000", "0"),
        row("690722", "CN", "10", "5000", "yes"),
        "1,2,3".to_string(),
        String::new(),
    ]);
    let counts = (
        result.read,
        result.observations.len(),
        result.skipped_fraud,
        result.skipped_unknown_hs,
        result.skipped_unknown_origin,
        result.skipped_no_value,
        result.skipped_invalid,
    );
    assert_eq!(counts, (9, 1, 1, 1, 1, 2, 3));
    let lines: Vec<usize> = result.invalid.iter().map(|e| e.line).collect();
    assert_eq!(lines, [8, 9, 10]);
    let messages: Vec<&str> = result.invalid.iter().map(|e| e.message.as_str()).collect();
    assert_eq!(
        messages,
        [
            "`Net Mass` is a number of zero or more, found \"ten\"",
            "`Fraud` is 0 or 1, found \"yes\"",
            "expected 22 fields, found 3"
        ]
    );
}

#[test]
fn kcs_columns_are_found_by_name_in_any_order() {
    let text = "Fraud,Item Price,Net Mass,Country of Origin,HS6 Code\n0,2900,2,CN,690722\n";
    let result = parse_kcs_csv(text).unwrap_or_else(|e| panic!("{e:?}"));
    assert_eq!(result.observations.first().and_then(|o| o.value_per_kg), Some(dec!(1)));
}

#[test]
fn a_kcs_header_without_the_needed_columns_is_refused_naming_each() {
    let errors = parse_kcs_csv("HS6 Code,Net Mass\n690722,1\n").err().unwrap_or_default();
    let messages: Vec<String> = errors.iter().map(ToString::to_string).collect();
    assert_eq!(
        messages,
        [
            "line 1: the header has no column `Country of Origin`",
            "line 1: the header has no column `Item Price`",
            "line 1: the header has no column `Fraud`",
        ]
    );
    assert!(parse_kcs_csv("").is_err());
}

#[test]
fn quoted_kcs_fields_may_hold_commas_and_crlf_line_ends_are_accepted() {
    let text = "\u{feff}\"HS6 Code\",Country of Origin,Net Mass,Item Price,Fraud,Note\r\n\"690722\",CN,2,2900,0,\"a, \"\"b\"\"\"\r\n";
    let result = parse_kcs_csv(text).unwrap_or_else(|e| panic!("{e:?}"));
    assert_eq!((result.observations.len(), result.skipped_invalid), (1, 0));
}

#[test]
fn the_kcs_training_file_imports() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared/data/customs-declarations/train.csv");
    let Ok(text) = std::fs::read_to_string(path) else {
        println!("skipped: {path} is not there");
        return;
    };
    let result = parse_kcs_csv(&text).unwrap_or_else(|e| panic!("{e:?}"));
    let accounted = result.observations.len()
        + result.skipped_fraud
        + result.skipped_unknown_hs
        + result.skipped_unknown_origin
        + result.skipped_no_value
        + result.skipped_invalid;
    assert_eq!(accounted, result.read);
    assert_eq!(result.skipped_invalid, 0, "{:?}", result.invalid);
    assert!(
        result.read > 30_000 && result.skipped_fraud > 5_000,
        "{} read, {} fraud",
        result.read,
        result.skipped_fraud
    );
    let reference = PriceReference::build(result.observations);
    assert!(reference.len() > 100, "only {} subheadings", reference.len());
    println!(
        "KCS: {} rows, {} fraud, {} unknown HS, {} unknown origin, {} without value; {} subheadings",
        result.read,
        result.skipped_fraud,
        result.skipped_unknown_hs,
        result.skipped_unknown_origin,
        result.skipped_no_value,
        reference.len()
    );
}

proptest! {
    #[test]
    fn the_kcs_parser_never_panics_on_arbitrary_text(text in "\\PC*") {
        let _ = parse_kcs_csv(&text);
    }

    #[test]
    fn the_kcs_parser_never_panics_on_rows_of_the_right_header(rows in prop::collection::vec("[0-9A-Z.,\"e-]{0,80}", 0..20)) {
        let _ = parse_kcs_csv(&format!("{HEADER}\n{}", rows.join("\n")));
    }

    #[test]
    fn undervaluation_stays_between_0_and_100(declared in 0i64..1_000_000, median in 1i64..1_000_000) {
        let percent = check::undervaluation_percent(Decimal::new(declared, 2), Decimal::new(median, 2));
        prop_assert!(percent >= Decimal::ZERO && percent <= Decimal::ONE_HUNDRED);
    }
}
