//! Data-driven tests of format-logical control.
//!
//! `tests/flc_fixtures/valid.json` is a realistic import that passes. Every other fixture
//! describes a change to a base declaration (`valid.json` unless it names another `base`, or a
//! whole `doc`) and the exact set of rule codes FLC must return for it:
//!
//! ```json
//! { "about": "…", "base": "valid.json", "set": { "/items/1/net_mass": "500.000" },
//!   "remove": ["/importer"], "grow_items": 1000, "expect": ["FLC_038"] }
//! ```
//!
//! `set` and `remove` take JSON pointers. `grow_items` copies the last item until there are
//! that many, renumbering them and keeping the invoice total equal to the sum of the prices.
//! The messages and paths of every fixture are kept in one insta snapshot for review.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use chrono::NaiveDate;
use proptest::prelude::*;
use rust_decimal::Decimal;
use serde::Deserialize;
use serde_json::{Map, Value};
use smartcustoms_core::declaration::{
    DeclarationDoc, DeliveryTermsDoc, DocumentDoc, GoodsItemDoc, InvoiceDoc, PartyDoc, TransportDoc,
};
use smartcustoms_core::flc::{self, Context, Finding};
use smartcustoms_core::ids::OfficeCode;

type TestResult = Result<(), Box<dyn std::error::Error>>;

/// The office's "today" in every test, so that fixture dates never go stale.
fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, 20).unwrap_or_default()
}

/// The administration of the tests lists a handful of realistic office codes.
fn ctx() -> Context {
    let offices = ["DE005000", "DE004800", "DE002600", "NL000396", "BE101000", "FR002300"];
    Context {
        today: today(),
        offices: offices.iter().map(|o| OfficeCode::parse(o).unwrap_or_else(|e| panic!("{e}"))).collect(),
    }
}

fn fixtures_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/flc_fixtures")
}

fn read_json(name: &str) -> Result<Value, Box<dyn std::error::Error>> {
    let text = std::fs::read_to_string(fixtures_dir().join(name))?;
    Ok(serde_json::from_str(&text)?)
}

/// One bad (or good) declaration and what FLC must say about it.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Fixture {
    about: String,
    #[serde(default)]
    base: Option<String>,
    #[serde(default)]
    doc: Option<Value>,
    #[serde(default)]
    set: Map<String, Value>,
    #[serde(default)]
    remove: Vec<String>,
    #[serde(default)]
    grow_items: Option<usize>,
    expect: BTreeSet<String>,
}

/// Splits a JSON pointer into the parent's pointer and the last token.
fn split_pointer(pointer: &str) -> Result<(&str, &str), String> {
    pointer.rsplit_once('/').ok_or_else(|| format!("bad pointer {pointer}"))
}

fn set(doc: &mut Value, pointer: &str, value: Value) -> Result<(), String> {
    let (parent, key) = split_pointer(pointer)?;
    match doc.pointer_mut(parent) {
        Some(Value::Object(map)) => {
            map.insert(key.to_string(), value);
        }
        Some(Value::Array(list)) => {
            let i: usize = key.parse().map_err(|_| format!("bad index in {pointer}"))?;
            if i < list.len() {
                list[i] = value;
            } else if i == list.len() {
                list.push(value);
            } else {
                return Err(format!("{pointer} is past the end"));
            }
        }
        _ => return Err(format!("no parent for {pointer}")),
    }
    Ok(())
}

fn remove(doc: &mut Value, pointer: &str) -> Result<(), String> {
    let (parent, key) = split_pointer(pointer)?;
    let removed = match doc.pointer_mut(parent) {
        Some(Value::Object(map)) => map.remove(key).is_some(),
        Some(Value::Array(list)) => match key.parse::<usize>() {
            Ok(i) if i < list.len() => {
                list.remove(i);
                true
            }
            _ => false,
        },
        _ => false,
    };
    if removed {
        Ok(())
    } else {
        Err(format!("nothing to remove at {pointer}"))
    }
}

fn grow_items(doc: &mut Value, count: usize) -> Result<(), Box<dyn std::error::Error>> {
    let items = doc.pointer_mut("/items").and_then(Value::as_array_mut).ok_or("no items to grow")?;
    let last = items.last().cloned().ok_or("no item to copy")?;
    items.resize(count, last);
    let mut total = Decimal::ZERO;
    for (i, item) in items.iter_mut().enumerate() {
        set(item, "/sequence", Value::from(i + 1))?;
        let price = item.get("price").and_then(Value::as_str).ok_or("price is not a string")?;
        total += price.parse::<Decimal>()?;
    }
    set(doc, "/invoice/total", Value::from(total.to_string()))?;
    Ok(())
}

/// Builds the declaration a fixture describes.
fn build(fixture: &Fixture) -> Result<DeclarationDoc, Box<dyn std::error::Error>> {
    let mut doc = match &fixture.doc {
        Some(doc) => doc.clone(),
        None => read_json(fixture.base.as_deref().unwrap_or("valid.json"))?,
    };
    for pointer in &fixture.remove {
        remove(&mut doc, pointer)?;
    }
    for (pointer, value) in &fixture.set {
        set(&mut doc, pointer, value.clone())?;
    }
    if let Some(count) = fixture.grow_items {
        grow_items(&mut doc, count)?;
    }
    Ok(serde_json::from_value(doc)?)
}

/// The one helper: runs FLC on `input` and asserts that it returns exactly the codes in
/// `expect` (`Ok` when `expect` is empty). Returns the findings for the snapshot.
fn check(name: &str, input: &DeclarationDoc, expect: &BTreeSet<String>) -> Vec<Finding> {
    match flc::check(input, &ctx()) {
        Ok(_) => {
            assert!(expect.is_empty(), "{name}: expected {expect:?}, got Ok");
            vec![]
        }
        Err(findings) => {
            let got: BTreeSet<String> = findings.iter().map(|f| f.code.clone()).collect();
            assert_eq!(&got, expect, "{name}: {findings:#?}");
            findings
        }
    }
}

/// Every fixture file except the bases, by name.
fn fixtures() -> Result<BTreeMap<String, Fixture>, Box<dyn std::error::Error>> {
    let mut all = BTreeMap::new();
    for entry in std::fs::read_dir(fixtures_dir())? {
        let path = entry?.path();
        let name = path.file_stem().and_then(|s| s.to_str()).unwrap_or_default().to_string();
        if path.extension().is_some_and(|e| e == "json") && !name.starts_with("valid") {
            let fixture: Fixture =
                serde_json::from_str(&std::fs::read_to_string(&path)?).map_err(|e| format!("{name}: {e}"))?;
            all.insert(name, fixture);
        }
    }
    Ok(all)
}

#[test]
fn the_valid_import_passes_and_keeps_its_data() -> TestResult {
    let doc: DeclarationDoc = serde_json::from_value(read_json("valid.json")?)?;
    let declaration = flc::check(&doc, &ctx()).map_err(|f| format!("{f:#?}"))?;
    assert_eq!(declaration.office.as_str(), "DE005000");
    assert_eq!(declaration.procedure_code, "4000");
    assert_eq!(declaration.items.len(), 3);
    assert_eq!(declaration.invoice_total, Decimal::new(4_875_000, 2));
    assert_eq!(declaration.transport.means_id, "IMO9811000");
    let hs6: Vec<&str> = declaration.items.iter().map(|i| i.commodity_code.hs6()).collect();
    assert_eq!(hs6, ["851713", "640399", "950300"]);
    Ok(())
}

#[test]
fn any_office_code_passes_when_the_administration_lists_none() -> TestResult {
    let mut json = read_json("valid.json")?;
    set(&mut json, "/office", Value::from("PL443010"))?;
    let doc: DeclarationDoc = serde_json::from_value(json)?;
    let open = Context { today: today(), offices: Default::default() };
    assert!(flc::check(&doc, &open).is_ok());
    Ok(())
}

#[test]
fn every_fixture_yields_exactly_its_expected_codes() -> TestResult {
    let mut snapshot = BTreeMap::new();
    for (name, fixture) in fixtures()? {
        let doc = build(&fixture).map_err(|e| format!("{name}: {e}"))?;
        let findings = check(&name, &doc, &fixture.expect);
        snapshot.insert(name, (fixture.about, findings));
    }
    let mut settings = insta::Settings::clone_current();
    settings.set_snapshot_path(fixtures_dir().join("snapshots"));
    settings.set_prepend_module_to_snapshot(false);
    settings.bind(|| insta::assert_json_snapshot!("flc_findings", snapshot));
    Ok(())
}

/// Every finding carries the values its message is made from: each argument's value appears in
/// the message, except the few that only choose the wording of another language's template
/// (which part of a procedure code, which declaration type, which date an invoice is after, and
/// `unknown` for a mode of transport or a currency that is not known). The pages' tests render
/// each rule's templates with these arguments against the same messages.
#[test]
fn every_finding_carries_the_values_of_its_message() -> TestResult {
    const CHOOSERS: [&str; 3] = ["part", "declaration_type", "after"];
    let mut with_args = 0;
    for (name, fixture) in fixtures()? {
        let doc = build(&fixture).map_err(|e| format!("{name}: {e}"))?;
        for finding in flc::check(&doc, &ctx()).err().unwrap_or_default() {
            assert!(!finding.args.is_empty() || !finding.message.contains(char::is_numeric), "{name}: {finding:?}");
            with_args += usize::from(!finding.args.is_empty());
            for (arg, value) in &finding.args {
                if CHOOSERS.contains(&arg.as_str()) || value == "unknown" {
                    continue;
                }
                assert!(finding.message.contains(value.as_str()), "{name}: {arg} = {value:?} not in {finding:?}");
            }
        }
    }
    assert!(with_args > 60, "{with_args}");
    Ok(())
}

#[test]
fn every_rule_code_is_unique_and_has_a_fixture() -> TestResult {
    let codes: Vec<&str> = flc::rules().iter().map(|r| r.code).collect();
    let unique: BTreeSet<&str> = codes.iter().copied().collect();
    assert_eq!(unique.len(), codes.len(), "a rule code is used twice");
    assert!(codes.len() >= 45);

    let fixtures = fixtures()?;
    let covered: BTreeSet<&str> = fixtures.values().flat_map(|f| f.expect.iter().map(String::as_str)).collect();
    for code in &codes {
        assert!(covered.contains(code), "no fixture expects {code}");
        assert!(fixtures.keys().any(|name| name.starts_with(code)), "no fixture is named after {code}");
    }
    for code in covered {
        assert!(unique.contains(code), "a fixture expects {code}, which is not in rules()");
    }
    Ok(())
}

#[test]
fn the_rules_document_lists_every_rule_and_no_other() -> TestResult {
    let doc = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/flc-rules.md"))?;
    let listed: BTreeSet<&str> =
        doc.lines().filter_map(|line| line.strip_prefix("| FLC_")).filter_map(|rest| rest.get(..3)).collect();
    let known: BTreeSet<&str> = flc::rules().iter().filter_map(|r| r.code.strip_prefix("FLC_")).collect();
    assert_eq!(listed, known);
    Ok(())
}

// Property tests: whatever arrives on the wire, `check` does not panic, and it never returns
// an empty list of findings.

/// Strings of any characters, mixed with plausible values so that deeper rules run too.
fn text() -> impl Strategy<Value = Option<String>> {
    let plausible = prop::sample::select(vec![
        "IM",
        "EX",
        "4000",
        "1000",
        "DE005000",
        "DE123456789012345",
        "CN91440300MA5F",
        "DE",
        "CN",
        "VN",
        "1",
        "3",
        "5",
        "7",
        "IMO9811000",
        "DEHAMCTA",
        "EUR",
        "KWD",
        "CIF",
        "851713",
        "2711210000",
        "640399",
        "NAR",
        "KGM",
        "TNE",
        "100",
        "300",
        "N954",
        "N380",
        "Smartphones",
        "goods",
        "",
    ])
    .prop_map(str::to_string);
    prop::option::of(prop_oneof![any::<String>(), plausible])
}

/// Any decimal the type can hold, mixed with everyday values.
fn decimal() -> impl Strategy<Value = Option<Decimal>> {
    let any_decimal = (any::<u32>(), any::<u32>(), any::<u32>(), any::<bool>(), 0u32..=28)
        .prop_map(|(lo, mid, hi, negative, scale)| Decimal::from_parts(lo, mid, hi, negative, scale));
    let everyday = (-10_000i64..10_000_000, 0u32..=4).prop_map(|(n, scale)| Decimal::new(n, scale));
    prop::option::of(prop_oneof![any_decimal, everyday])
}

fn date() -> impl Strategy<Value = Option<NaiveDate>> {
    let near = (-400i64..400).prop_map(|d| today().checked_add_signed(chrono::TimeDelta::days(d)));
    let far = any::<i32>().prop_map(NaiveDate::from_num_days_from_ce_opt);
    prop_oneof![near, far]
}

fn party() -> impl Strategy<Value = Option<PartyDoc>> {
    prop::option::of(
        (text(), text(), text(), text(), text(), text()).prop_map(|(id, name, street, city, postcode, country)| {
            PartyDoc { id, name, street, city, postcode, country }
        }),
    )
}

fn item() -> impl Strategy<Value = GoodsItemDoc> {
    let document = (text(), text()).prop_map(|(kind, number)| DocumentDoc { kind, number });
    (
        prop::option::of(0u32..5),
        text(),
        text(),
        text(),
        decimal(),
        decimal(),
        decimal(),
        text(),
        decimal(),
        text(),
        text(),
        prop::option::of(prop::collection::vec(document, 0..3)),
    )
        .prop_map(
            |(
                sequence,
                commodity_code,
                description,
                origin,
                net_mass,
                gross_mass,
                quantity,
                unit,
                price,
                valuation_method,
                preference,
                documents,
            )| {
                GoodsItemDoc {
                    sequence,
                    commodity_code,
                    description,
                    origin,
                    net_mass,
                    gross_mass,
                    quantity,
                    unit,
                    price,
                    valuation_method,
                    preference,
                    documents,
                }
            },
        )
}

fn declaration() -> impl Strategy<Value = DeclarationDoc> {
    let header = (text(), text(), text(), party(), party(), party(), party());
    let rest = (
        prop::option::of((text(), text(), text()).prop_map(|(mode, means_id, nationality)| TransportDoc {
            mode,
            means_id,
            nationality,
        })),
        text(),
        prop::option::of((text(), decimal(), text(), date()).prop_map(|(currency, total, number, date)| InvoiceDoc {
            currency,
            total,
            number,
            date,
        })),
        prop::option::of((text(), text()).prop_map(|(incoterm, place)| DeliveryTermsDoc { incoterm, place })),
        date(),
        prop::option::of(prop::collection::vec(item(), 0..4)),
    );
    (header, rest).prop_map(
        |(
            (declaration_type, procedure_code, office, declarant, importer, exporter, representative),
            (transport, location_of_goods, invoice, delivery_terms, declaration_date, items),
        )| {
            DeclarationDoc {
                declaration_type,
                procedure_code,
                office,
                declarant,
                importer,
                exporter,
                representative,
                transport,
                location_of_goods,
                invoice,
                delivery_terms,
                declaration_date,
                items,
            }
        },
    )
}

proptest! {
    #[test]
    fn check_never_panics_and_never_fails_without_a_reason(doc in declaration()) {
        if let Err(findings) = flc::check(&doc, &ctx()) {
            prop_assert!(!findings.is_empty());
            for f in &findings {
                prop_assert!(flc::rules().iter().any(|r| r.code == f.code), "unknown code {}", f.code);
                prop_assert!(f.path.starts_with('$'));
            }
        }
    }
}

/// Fields of the valid declaration that the second property overwrites.
const POINTERS: &[&str] = &[
    "/declaration_type",
    "/procedure_code",
    "/office",
    "/declarant/id",
    "/importer/country",
    "/transport/mode",
    "/transport/means_id",
    "/location_of_goods",
    "/invoice/currency",
    "/invoice/total",
    "/invoice/date",
    "/delivery_terms/incoterm",
    "/declaration_date",
    "/items/0/sequence",
    "/items/0/commodity_code",
    "/items/0/description",
    "/items/0/price",
    "/items/1/origin",
    "/items/1/net_mass",
    "/items/1/gross_mass",
    "/items/1/preference",
    "/items/1/documents/1/type",
    "/items/2/quantity",
    "/items/2/unit",
];

/// A JSON value of the kinds the wire carries: any string, a decimal string, a small number.
fn json_value() -> impl Strategy<Value = Value> {
    prop_oneof![
        any::<String>().prop_map(Value::from),
        text().prop_map(|t| Value::from(t.unwrap_or_default())),
        decimal().prop_map(|d| Value::from(d.unwrap_or_default().to_string())),
        (0u32..5).prop_map(Value::from),
        (-400i64..400).prop_map(|d| Value::from(
            today().checked_add_signed(chrono::TimeDelta::days(d)).unwrap_or_default().to_string()
        )),
    ]
}

fn valid_json() -> &'static Value {
    static VALID: std::sync::OnceLock<Value> = std::sync::OnceLock::new();
    VALID.get_or_init(|| read_json("valid.json").unwrap_or(Value::Null))
}

proptest! {
    #[test]
    fn changing_a_few_fields_of_the_valid_declaration_never_panics(
        changes in prop::collection::vec((prop::sample::select(POINTERS), json_value()), 1..4)
    ) {
        let mut json = valid_json().clone();
        for (pointer, value) in changes {
            set(&mut json, pointer, value).map_err(TestCaseError::fail)?;
        }
        // A value of the wrong JSON type is refused by serde before FLC runs.
        let Ok(doc) = serde_json::from_value::<DeclarationDoc>(json) else { return Ok(()) };
        match flc::check(&doc, &ctx()) {
            Ok(declaration) => prop_assert_eq!(declaration.items.len(), 3),
            Err(findings) => prop_assert!(!findings.is_empty()),
        }
    }
}
