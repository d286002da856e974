//! Evaluation and assessment tests: per-item semantics, missing values, validity, lane order.

use chrono::NaiveDate;
use rust_decimal::Decimal;
use rust_decimal_macros::dec;

use super::*;
use crate::codes::{CountryCode, CurrencyCode, HsCode, TransportMode};
use crate::declaration::{Declaration, DeclarationType, Document, GoodsItem, Party, Transport};
use crate::valuation::{Basis, Group, Statistics, ValuationCheck};

fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap_or_default()
}

fn country(code: &str) -> CountryCode {
    CountryCode::parse(code).unwrap_or_else(|| panic!("test country {code}"))
}

fn party(id: &str, code: &str) -> Party {
    Party { id: id.into(), name: format!("{id} Ltd"), country: country(code) }
}

/// An ordinary import by sea from China, paid in USD, with the given items.
fn declaration(items: Vec<GoodsItem>) -> Declaration {
    Declaration {
        kind: DeclarationType::Import,
        procedure_code: "4000".into(),
        office: "DE004851".parse().unwrap_or_else(|e| panic!("{e}")),
        declarant: party("DE123456789012345", "DE"),
        importer: party("DE987654321000000", "DE"),
        exporter: party("CN913301000000", "CN"),
        representative: None,
        transport: Transport { mode: TransportMode::Sea, means_id: "IMO9321483".into(), nationality: None },
        location_of_goods: "DEHAMWAR1".into(),
        currency: CurrencyCode::parse("USD").unwrap_or_else(|| panic!("test currency")),
        invoice_total: dec!(12500),
        incoterm: "CIF".into(),
        declaration_date: date(2026, 5, 4),
        items,
    }
}

fn item(sequence: u32, hs: &str, origin: &str, price: Decimal, net_mass: Decimal) -> GoodsItem {
    GoodsItem {
        sequence,
        commodity_code: HsCode::parse(hs).unwrap_or_else(|| panic!("test code {hs}")),
        description: "Goods".into(),
        origin: country(origin),
        net_mass,
        gross_mass: net_mass + dec!(1),
        quantity: dec!(10),
        unit: "NAR".into(),
        price,
        valuation_method: "1".into(),
        preference: "100".into(),
        documents: vec![Document { kind: "N380".into(), number: "INV-1".into() }],
    }
}

fn profile(code: &str, condition: &str, lane: &str) -> Profile {
    let text = format!(
        "profile {code} \"Test\"\nwhen {condition}\nlane {lane}\ninstruction \"Act\"\nvalid from 2026-01-01 to 2026-12-31\n"
    );
    parse_profile(&text, 1).unwrap_or_else(|e| panic!("{e}\nin:\n{text}"))
}

/// The items a condition matches on `declaration`, `None` when it does not fire.
fn check(declaration: &Declaration, condition: &str) -> Option<Vec<u32>> {
    profile("T-1", condition, "red").evaluate(declaration).map(|hit| hit.items)
}

/// Cheap smartphones from China (item 1) and a dear German machine (item 2).
fn mixed() -> Declaration {
    declaration(vec![item(1, "851713", "CN", dec!(300), dec!(10)), item(2, "847130", "DE", dec!(9000), dec!(20))])
}

#[test]
fn an_item_condition_fires_only_when_one_single_item_satisfies_all_of_it() {
    let d = mixed();
    assert_eq!(check(&d, r#"item.hs starts with "851713" and item.origin = "CN""#), Some(vec![1]));
    assert_eq!(check(&d, r#"item.hs starts with "847130" and item.origin = "CN""#), None);
}

#[test]
fn the_hit_lists_every_matching_item_in_order() {
    let d = mixed();
    assert_eq!(check(&d, "item.price > 100"), Some(vec![1, 2]));
    assert_eq!(check(&d, r#"item.origin = "CN" or item.value_per_kg > 100"#), Some(vec![1, 2]));
}

#[test]
fn a_header_only_condition_fires_once_with_no_items() {
    let d = mixed();
    assert_eq!(check(&d, r#"declaration.type = "IM" and declaration.item_count = 2"#), Some(vec![]));
    assert_eq!(check(&d, "declaration.invoice_total > 20000"), None);
}

#[test]
fn header_parts_of_an_item_condition_hold_for_the_declaration() {
    let d = mixed();
    assert_eq!(check(&d, r#"declaration.transport_mode = "1" and item.origin = "DE""#), Some(vec![2]));
    assert_eq!(check(&d, r#"declaration.transport_mode = "4" and item.origin = "DE""#), None);
    assert_eq!(check(&d, r#"declaration.type = "EX" or item.origin = "DE""#), Some(vec![2]));
}

#[test]
fn a_missing_value_makes_every_comparison_false_but_not_its_negation() {
    let d = declaration(vec![item(1, "851713", "CN", dec!(300), dec!(0))]);
    for test in ["< 40", ">= 40", "!= 40", "= 40", "in [1, 2]", "not in [1, 2]"] {
        assert_eq!(check(&d, &format!("item.value_per_kg {test}")), None, "{test}");
    }
    assert_eq!(check(&d, "not item.value_per_kg < 40"), Some(vec![1]));
    assert_eq!(check(&d, "not (item.value_per_kg >= 40)"), Some(vec![1]));
}

#[test]
fn value_per_kg_is_price_over_net_mass() {
    let d = mixed();
    assert_eq!(check(&d, "item.value_per_kg = 30"), Some(vec![1]));
    assert_eq!(check(&d, "item.value_per_kg in [450.00]"), Some(vec![2]));
}

#[test]
fn contains_ignores_case_and_matches_any_of_a_list() {
    let mut d = mixed();
    d.items[0].description = "Mobile PHONES, 128 GB".into();
    assert_eq!(check(&d, r#"item.description contains "phone""#), Some(vec![1]));
    assert_eq!(check(&d, r#"item.description contains ["tablet", "mobile"]"#), Some(vec![1]));
    assert_eq!(check(&d, r#"item.description not contains "phone""#), Some(vec![2]));
}

#[test]
fn document_types_are_matched_by_exact_code() {
    let mut d = mixed();
    d.items[1].documents.push(Document { kind: "N954".into(), number: "EUR1-77".into() });
    assert_eq!(check(&d, r#"item.document_types contains "N954""#), Some(vec![2]));
    assert_eq!(check(&d, r#"item.document_types contains "n954""#), None);
    assert_eq!(check(&d, r#"item.document_types not contains ["N954", "N865"]"#), Some(vec![1]));
}

#[test]
fn every_field_reads_its_part_of_the_declaration() {
    let mut d = mixed();
    d.items[0].preference = "200".into();
    let cases = [
        (r#"declaration.type = "IM""#, Some(vec![])),
        (r#"declaration.procedure = "4000""#, Some(vec![])),
        (r#"declaration.office = "DE004851""#, Some(vec![])),
        (r#"declaration.declarant = "DE123456789012345""#, Some(vec![])),
        (r#"declaration.importer = "DE987654321000000""#, Some(vec![])),
        (r#"declaration.exporter = "CN913301000000""#, Some(vec![])),
        (r#"declaration.exporter_country = "CN""#, Some(vec![])),
        (r#"declaration.transport_mode = "1""#, Some(vec![])),
        (r#"declaration.currency = "USD""#, Some(vec![])),
        ("declaration.invoice_total = 12500.00", Some(vec![])),
        ("declaration.item_count = 2", Some(vec![])),
        (r#"declaration.incoterm = "CIF""#, Some(vec![])),
        // Without facts the categories are missing: neither equal nor different.
        (r#"declaration.declarant_category != "low""#, None),
        (r#"declaration.importer_category != "low""#, None),
        // Without facts nothing was found, and a declaration has no operator quality.
        (r#"declaration.findings not contains "XCH_001""#, Some(vec![])),
        ("not declaration.operator_quality < 1", Some(vec![])),
        (r#"item.hs = "847130""#, Some(vec![2])),
        (r#"item.hs6 = "851713""#, Some(vec![1])),
        (r#"item.chapter = "84""#, Some(vec![2])),
        (r#"item.origin = "DE""#, Some(vec![2])),
        (r#"item.description = "Goods""#, Some(vec![1, 2])),
        ("item.net_mass = 20", Some(vec![2])),
        ("item.gross_mass = 11", Some(vec![1])),
        ("item.quantity = 10", Some(vec![1, 2])),
        (r#"item.unit = "NAR""#, Some(vec![1, 2])),
        ("item.price = 9000", Some(vec![2])),
        ("item.value_per_kg = 450", Some(vec![2])),
        // Without facts the customs value is missing and the undervaluation reads 0.
        ("not item.customs_value > 0", Some(vec![1, 2])),
        ("item.undervaluation = 0", Some(vec![1, 2])),
        (r#"item.preference = "200""#, Some(vec![1])),
        (r#"item.document_types contains "N380""#, Some(vec![1, 2])),
    ];
    assert_eq!(cases.len(), Field::all().count(), "one case per field");
    for (condition, expect) in cases {
        assert_eq!(check(&d, condition), expect, "{condition}");
    }
}

#[test]
fn full_commodity_codes_are_matched_by_prefix() {
    let d = declaration(vec![item(1, "8517130000", "CN", dec!(300), dec!(10))]);
    assert_eq!(check(&d, r#"item.hs starts with ["84", "8517"]"#), Some(vec![1]));
    assert_eq!(check(&d, r#"item.hs = "851713""#), None);
    assert_eq!(check(&d, r#"item.hs6 = "851713""#), Some(vec![1]));
}

#[test]
fn only_profiles_in_force_on_the_date_are_applied_both_ends_included() {
    let d = mixed();
    let profiles = [profile("A-1", "item.price > 0", "red")];
    for (day, lane) in [
        (date(2025, 12, 31), Lane::Green),
        (date(2026, 1, 1), Lane::Red),
        (date(2026, 12, 31), Lane::Red),
        (date(2027, 1, 1), Lane::Green),
    ] {
        assert_eq!(assess(&d, &profiles, day).lane, lane, "{day}");
    }
}

#[test]
fn nothing_firing_means_green_with_no_hits() {
    let a = assess(&mixed(), &[profile("A-1", "item.price > 1_000_000", "red")], date(2026, 6, 1));
    assert_eq!((a.lane, a.hits.len(), a.model, a.random_control), (Lane::Green, 0, None, false));
}

#[test]
fn the_most_severe_lane_wins_and_hits_are_sorted_by_severity_then_code() {
    let profiles = [
        profile("B-2", "item.price > 0", "blue"),
        profile("Y-9", "item.price > 0", "yellow"),
        profile("G-1", "item.price > 0", "green"),
        profile("R-5", r#"item.origin = "CN""#, "red"),
        profile("A-7", "declaration.item_count > 1", "yellow"),
    ];
    let a = assess(&mixed(), &profiles, date(2026, 6, 1));
    assert_eq!(a.lane, Lane::Red);
    let order: Vec<(&str, Lane)> = a.hits.iter().map(|h| (h.profile.as_str(), h.lane)).collect();
    assert_eq!(
        order,
        [("R-5", Lane::Red), ("A-7", Lane::Yellow), ("Y-9", Lane::Yellow), ("B-2", Lane::Blue), ("G-1", Lane::Green)]
    );
    assert_eq!(a.hits[0].items, vec![1]);
    assert_eq!(a.hits[0].instruction, "Act");
}

#[test]
fn a_green_profile_is_reported_without_changing_the_lane() {
    let a = assess(&mixed(), &[profile("G-1", "item.price > 0", "green")], date(2026, 6, 1));
    assert_eq!(a.lane, Lane::Green);
    assert_eq!(a.hits.len(), 1);
}

fn demo() -> Vec<Profile> {
    demo_profiles()
        .into_iter()
        .map(|text| parse_profile(text, 1).unwrap_or_else(|e| panic!("{e}\nin:\n{text}")))
        .collect()
}

#[test]
fn the_demo_profiles_parse_and_have_distinct_codes() {
    let profiles = demo();
    assert!((6..=10).contains(&profiles.len()));
    let mut codes: Vec<&str> = profiles.iter().map(|p| p.code.as_str()).collect();
    codes.sort_unstable();
    codes.dedup();
    assert_eq!(codes.len(), profiles.len());
}

#[test]
fn ordinary_traffic_stays_green_under_the_demo_profiles() {
    let ordinary = [
        declaration(vec![item(1, "847130", "CN", dec!(9000), dec!(20))]),
        declaration(vec![item(1, "851713", "CN", dec!(40000), dec!(50))]),
        declaration(vec![
            item(1, "610910", "BD", dec!(2400), dec!(300)),
            item(2, "620342", "BD", dec!(5000), dec!(500)),
        ]),
        declaration(vec![item(1, "870323", "JP", dec!(25000), dec!(1300))]),
    ];
    let profiles = demo();
    for d in &ordinary {
        let a = assess(d, &profiles, date(2026, 6, 1));
        assert_eq!(a.lane, Lane::Green, "{:?}", a.hits);
    }
}

#[test]
fn each_demo_profile_fires_on_the_pattern_it_targets() {
    let garlic = declaration(vec![item(1, "070320", "CN", dec!(500), dec!(10000))]);
    let mut watched = declaration(vec![item(1, "620463", "CN", dec!(3000), dec!(100))]);
    watched.declarant = party("DE1000000000003", "DE");
    let shoes = declaration(vec![item(1, "640291", "CN", dec!(50), dec!(1000))]);
    let toys = declaration(vec![item(1, "950300", "CN", dec!(2000), dec!(100))]);
    let chillies = declaration(vec![item(1, "090421", "CN", dec!(9000), dec!(1000))]);
    let mut lorry = declaration(vec![item(1, "847130", "DE", dec!(90000), dec!(9000))]);
    lorry.transport.mode = TransportMode::Road;
    let mut big = declaration(vec![item(1, "847130", "DE", dec!(25000), dec!(20))]);
    big.currency = CurrencyCode::parse("EUR").unwrap_or_else(|| panic!("test currency"));
    big.invoice_total = dec!(25000);
    let mut fob = declaration(vec![item(1, "847130", "DE", dec!(9000), dec!(20))]);
    fob.incoterm = "FOB".into();
    let scrap = declaration(vec![item(1, "720449", "JP", dec!(50000), dec!(200000))]);
    let cheap = declaration(vec![item(1, "847130", "DE", dec!(900), dec!(20))]);
    let cheap_facts = Facts {
        items: vec![ItemFacts { customs_value_eur: Some(dec!(828.73)), valuation: Some(valuation(dec!(75))) }],
        ..Facts::default()
    };

    let none = Facts::default;
    let cases = [
        (garlic, none(), "RP-ADD-001", Lane::Red),
        (watched, none(), "RP-WATCH-002", Lane::Red),
        (shoes, none(), "RP-VAL-003", Lane::Yellow),
        (toys, none(), "RP-SAFE-004", Lane::Yellow),
        (chillies, none(), "RP-FOOD-005", Lane::Yellow),
        (lorry, none(), "RP-ROAD-006", Lane::Yellow),
        (big, none(), "RP-AUD-007", Lane::Blue),
        (fob, none(), "RP-AUD-008", Lane::Blue),
        (scrap, none(), "RP-MON-009", Lane::Green),
        (cheap, cheap_facts, "RP-VAL-010", Lane::Yellow),
    ];
    let profiles = demo();
    assert_eq!(cases.len(), profiles.len(), "one case per demo profile");
    for (d, facts, code, lane) in cases {
        let a = assess_with(&d, &facts, &profiles, date(2026, 6, 1));
        let codes: Vec<&str> = a.hits.iter().map(|h| h.profile.as_str()).collect();
        assert_eq!((codes, a.lane), (vec![code], lane), "{code}");
    }
}

#[test]
fn the_language_document_describes_every_field() {
    let doc = include_str!("../../../../docs/risk-language.md");
    for field in Field::all() {
        assert!(doc.contains(&format!("`{}`", field.name())), "{} is not documented", field.name());
    }
}

/// Parses every profile in the `text` blocks of a document; the number parsed.
fn parse_examples(doc: &str) -> usize {
    let blocks = doc.split("```text\n").skip(1).filter_map(|rest| rest.split("```").next());
    let mut parsed = 0;
    for block in blocks.filter(|b| b.contains("\nprofile ") || b.starts_with("profile ")) {
        for text in block.split("\n\n") {
            if let Err(e) = parse_profile(text, 1) {
                panic!("{e}\nin:\n{text}");
            }
            parsed += 1;
        }
    }
    parsed
}

#[test]
fn the_examples_in_the_language_document_parse() {
    let parsed = parse_examples(include_str!("../../../../docs/risk-language.md"));
    assert!(parsed >= 5, "only {parsed} examples found");
}

#[test]
fn the_example_in_the_valuation_document_parses_and_is_the_demo_profile() {
    let doc = include_str!("../../../../docs/valuation.md");
    assert_eq!(parse_examples(doc), 1);
    let demo = demo().into_iter().find(|p| p.code == "RP-VAL-010").map(|p| p.condition().to_string());
    assert_eq!(demo.as_deref(), Some("item.undervaluation > 60"));
}

/// A valuation check of the given undervaluation, otherwise plausible.
fn valuation(undervaluation_percent: Decimal) -> ValuationCheck {
    ValuationCheck {
        basis: Basis::Kg,
        declared: dec!(3),
        group: Group::Origin,
        reference: Statistics { count: 40, median: dec!(10), mad: dec!(1), p25: dec!(9), p75: dec!(11) },
        lower_bound: dec!(5.5522),
        undervaluation_percent,
        flagged: undervaluation_percent > dec!(44.478),
    }
}

/// Facts for [`mixed`]: item 1 at 74.4 % under the reference, item 2 with a customs value only.
fn mixed_facts() -> Facts {
    Facts {
        items: vec![
            ItemFacts { customs_value_eur: Some(dec!(276.24)), valuation: Some(valuation(dec!(74.4))) },
            ItemFacts { customs_value_eur: Some(dec!(8287.29)), valuation: None },
        ],
        ..Facts::default()
    }
}

fn hit_with_facts(condition: &str, facts: &Facts) -> Option<Hit> {
    profile("T-1", condition, "yellow").evaluate_with(&mixed(), facts)
}

#[test]
fn undervaluation_and_customs_value_are_read_from_the_facts() {
    let facts = mixed_facts();
    let items = |condition: &str| hit_with_facts(condition, &facts).map(|hit| hit.items);
    assert_eq!(items("item.undervaluation > 60"), Some(vec![1]));
    assert_eq!(items("item.undervaluation = 0"), Some(vec![2]));
    assert_eq!(items("item.customs_value >= 8000"), Some(vec![2]));
    assert_eq!(items("item.customs_value < 1000 and item.undervaluation >= 74.4"), Some(vec![1]));
}

#[test]
fn an_item_without_facts_reads_no_undervaluation_and_no_customs_value() {
    let partial = Facts { items: vec![ItemFacts::default()], ..Facts::default() };
    for facts in [Facts::default(), partial] {
        assert_eq!(hit_with_facts("item.undervaluation > 0", &facts), None);
        assert_eq!(hit_with_facts("item.customs_value != 1", &facts), None);
        assert_eq!(hit_with_facts("item.undervaluation = 0", &facts).map(|h| h.items), Some(vec![1, 2]));
    }
}

#[test]
fn a_hit_on_fact_fields_records_their_values_for_each_matching_item() {
    let hit = hit_with_facts("item.undervaluation > 60 or item.customs_value > 8000", &mixed_facts());
    let values = hit.map(|h| h.values).unwrap_or_default();
    let value = |item, field: &str, value| HitValue { item, field: field.into(), value };
    assert_eq!(
        values,
        [
            value(1, "item.undervaluation", dec!(74.4)),
            value(1, "item.customs_value", dec!(276.24)),
            value(2, "item.undervaluation", dec!(0)),
            value(2, "item.customs_value", dec!(8287.29)),
        ]
    );
}

#[test]
fn a_hit_on_declaration_fields_records_no_values_and_serializes_as_before() {
    let hit = hit_with_facts("item.value_per_kg < 40", &mixed_facts());
    assert_eq!(hit.as_ref().map(|h| h.values.len()), Some(0));
    let json = serde_json::to_value(&hit).unwrap_or_default();
    assert_eq!(json.get("values"), None);
    let back: Hit = serde_json::from_value(json).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(Some(back), hit);
}

#[test]
fn assess_with_facts_can_change_the_lane_and_assess_without_cannot() {
    let profiles = [profile("VAL-1", "item.undervaluation > 60", "yellow")];
    let day = date(2026, 6, 1);
    assert_eq!(assess_with(&mixed(), &mixed_facts(), &profiles, day).lane, Lane::Yellow);
    assert_eq!(assess(&mixed(), &profiles, day).lane, Lane::Green);
    assert_eq!(assess_with(&mixed(), &Facts::default(), &profiles, day), assess(&mixed(), &profiles, day));
}

#[test]
fn only_conditions_on_fact_fields_use_facts() {
    assert!(profile("A-1", "item.undervaluation > 60", "red").condition().uses_facts());
    assert!(profile("A-1", r#"item.origin = "CN" and not item.customs_value < 5"#, "red").condition().uses_facts());
    assert!(!profile("A-1", "item.value_per_kg < 5", "red").condition().uses_facts());
}

#[test]
fn operator_categories_are_fields_of_the_declaration() {
    let d = declaration(vec![item(1, "847130", "DE", dec!(900), dec!(20))]);
    let high = Facts { declarant_category: Some(Category::High), ..Facts::default() };
    assert!(hit_with_facts(r#"declaration.declarant_category = "high""#, &high).is_some());
    assert!(hit_with_facts(r#"declaration.importer_category = "high""#, &high).is_none(), "unknown is not high");
    assert!(hit_with_facts(r#"declaration.importer_category != "high""#, &high).is_none(), "nor different");
    let text = "profile T-2 \"Test\"\nwhen declaration.declarant_category = \"hi\"\nlane red\ninstruction \"Act\"\nvalid from 2026-01-01\n";
    let Err(err) = parse_profile(text, 1) else { panic!("a category that does not exist compiled") };
    assert!(err.to_string().contains("\"low\", \"medium\" or \"high\""), "{err}");
    let a = assess_with(&d, &high, &[], date(2026, 5, 4));
    assert_eq!(a.declarant_category, Some(Category::High));
}

#[test]
fn findings_of_other_checks_and_operator_quality_are_fields_of_the_declaration() {
    let d = declaration(vec![item(1, "847130", "DE", dec!(900), dec!(20))]);
    let mut found = Facts { operator_quality: Some(dec!(0.4)), ..Facts::default() };
    found.find("XCH_005");
    found.find("XCH_005");
    assert_eq!(found.findings, ["XCH_005"], "a finding is kept once");
    assert!(hit_with_facts(r#"declaration.findings contains "XCH_005""#, &found).is_some());
    assert!(hit_with_facts(r#"declaration.findings contains ["XCH_001", "PCL_101"]"#, &found).is_none());
    assert!(hit_with_facts(r#"declaration.findings not contains "XCH_001""#, &found).is_some());
    assert!(hit_with_facts("declaration.operator_quality < 0.5", &found).is_some());
    assert!(
        hit_with_facts("declaration.operator_quality < 0.5", &Facts::default()).is_none(),
        "a declaration has none"
    );
    let text = "profile T-2 \"Test\"\nwhen declaration.findings contains \"XCH_105\"\nlane red\ninstruction \"Act\"\nvalid from 2026-01-01\n";
    let Err(err) = parse_profile(text, 1) else { panic!("a finding that does not exist compiled") };
    assert!(err.to_string().contains("finding codes: XCH_001"), "{err}");
    assert_eq!(assess_with(&d, &found, &[], date(2026, 5, 4)).findings, ["XCH_005"]);
}

/// A scorer that gives every declaration the same score.
struct Fixed(f64);

impl Scorer for Fixed {
    fn score(&self, _: &Declaration, _: &Facts) -> Option<ModelScore> {
        let thresholds = Thresholds { red_share: 0.05, yellow_share: 0.1, red: 0.8, yellow: 0.5 };
        Some(ModelScore {
            model_version: crate::ids::ModelVersion::from(3),
            score: self.0,
            item: 1,
            lane: thresholds.lane(self.0),
            thresholds,
            contributions: vec![],
            exact: false,
        })
    }
}

#[test]
fn the_lane_is_the_most_severe_of_profiles_model_and_random_control() {
    let d = declaration(vec![item(1, "847130", "DE", dec!(900), dec!(20))]);
    let facts = Facts::default();
    let day = date(2026, 5, 4);
    let with = |score: f64, draw: f64| {
        let scorer = Fixed(score);
        let context =
            RiskContext { scorer: Some(&scorer), categories: None, random_share: 0.01, draw, approximate: false };
        assess_in(&d, &facts, &[], day, context)
    };
    assert_eq!(with(0.9, 0.5).lane, Lane::Red);
    assert_eq!(with(0.6, 0.5).lane, Lane::Yellow);
    let green = with(0.1, 0.5);
    assert_eq!((green.lane, green.random_control), (Lane::Green, false));
    let random = with(0.1, 0.001);
    assert_eq!((random.lane, random.random_control), (Lane::Red, true));
    assert_eq!(random.reasons().last().map(String::as_str), Some("random control"));
    assert!(!with(0.6, 0.001).random_control, "only declarations that would go green are drawn");
    assert_eq!(assess_in(&d, &facts, &[], day, RiskContext::default()).lane, Lane::Green);
}

#[test]
fn a_declaration_that_differs_from_its_pre_arrival_information_goes_to_documents_at_least() {
    use crate::transit::pre_arrival::Difference;
    let d = declaration(vec![item(1, "847130", "DE", dec!(900), dec!(20))]);
    let day = date(2026, 5, 4);
    let announced = |differences: Vec<Difference>| Facts {
        pre_arrival: Some(PreArrivalFacts { id: "pa-1".into(), reference: "ENS-1".into(), differences }),
        ..Facts::default()
    };
    let agreeing = assess_in(&d, &announced(Vec::new()), &[], day, RiskContext::default());
    assert_eq!((agreeing.lane, agreeing.hits.len()), (Lane::Green, 0));
    let mass = Difference::GrossMass { hs6: None, announced: dec!(100), declared: dec!(180), tolerance: dec!(5) };
    let differing = assess_in(&d, &announced(vec![mass]), &[], day, RiskContext::default());
    assert_eq!(differing.lane, Lane::Yellow);
    assert_eq!(differing.hits.first().map(|h| h.profile.as_str()), Some(PRE_ARRIVAL_PROFILE));
    assert!(differing
        .hits
        .first()
        .is_some_and(|h| h.instruction.contains("gross_mass") && h.instruction.contains("ENS-1")));
}
