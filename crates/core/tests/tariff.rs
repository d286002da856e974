//! The demo tariff against the simulator: the tariff is valid, and every declaration the
//! simulator can produce is assessed without a reason on every day from 2024 to 2027.

use std::collections::BTreeSet;

use chrono::{Days, NaiveDate};
use smartcustoms_core::codes::HsCode;
use smartcustoms_core::declaration::Declaration;
use smartcustoms_core::flc;
use smartcustoms_core::simulate::{self, World};
use smartcustoms_core::tariff::{self, Tariff, TariffFile};

type TestResult = Result<(), Box<dyn std::error::Error>>;

fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap_or_default()
}

/// The first and last day the demo tariff must cover.
fn covered() -> (NaiveDate, NaiveDate) {
    (date(2024, 1, 1), date(2027, 12, 31))
}

/// The commodity-code suffixes the simulator appends to an HS subheading.
const SUFFIXES: [&str; 3] = ["0000", "0010", "0020"];

fn demo_tariff() -> Result<Tariff, String> {
    Tariff::from_file(tariff::demo()).map_err(|problems| problems.join("\n"))
}

/// Every day on which some measure or exchange rate of the demo starts or ends, with the day
/// after each end and both ends of the covered range: between two of these days nothing changes.
fn change_days(file: &TariffFile) -> BTreeSet<NaiveDate> {
    let (first, last) = covered();
    let periods = file
        .measures
        .iter()
        .map(|m| (m.valid_from, m.valid_to))
        .chain(file.rates.iter().map(|r| (r.valid_from, r.valid_to)));
    let mut days = BTreeSet::from([first, last]);
    for (from, to) in periods {
        days.insert(from);
        if let Some(to) = to {
            days.insert(to);
            days.extend(to.checked_add_days(Days::new(1)));
        }
    }
    days.into_iter().filter(|d| (first..=last).contains(d)).collect()
}

/// Simulated declarations that passed FLC, enough to draw every line of the price sample.
fn simulated(count: usize) -> Result<Vec<Declaration>, String> {
    let world = World::demo(3);
    let today = date(2026, 11, 20);
    let ctx = flc::Context { today, offices: world.offices.clone() };
    let mut rng = simulate::rng(7);
    (0..count)
        .map(|i| {
            let doc = world.declaration(&mut rng, &world.declarants[i % 3], today, 10);
            flc::check(&doc, &ctx).map_err(|f| format!("simulated declaration {i} fails FLC: {f:?}"))
        })
        .collect()
}

/// The declarations that bring an invoice currency or a kind of item (subheading, origin, unit,
/// preference and documents) not seen before: the others would be assessed the same way.
fn distinct(declarations: &[Declaration]) -> Vec<&Declaration> {
    let mut seen = BTreeSet::new();
    let mut kept = Vec::new();
    for d in declarations {
        let mut keys = vec![d.currency.to_string()];
        keys.extend(d.items.iter().map(|i| {
            let documents: Vec<&str> = i.documents.iter().map(|doc| doc.kind.as_str()).collect();
            format!("{} {} {} {} {documents:?}", i.commodity_code.hs6(), i.origin, i.unit, i.preference)
        }));
        let mut new = false;
        for key in keys {
            new |= seen.insert(key);
        }
        if new {
            kept.push(d);
        }
    }
    kept
}

/// The declaration with every item's code ending in `suffix` instead.
fn with_suffix(d: &Declaration, suffix: &str) -> Result<Declaration, String> {
    let mut d = d.clone();
    for item in &mut d.items {
        let code = format!("{}{suffix}", item.commodity_code.hs6());
        item.commodity_code = HsCode::parse(&code).ok_or(format!("{code} is not a commodity code"))?;
    }
    Ok(d)
}

#[test]
fn the_demo_tariff_is_valid() -> TestResult {
    let tariff = demo_tariff()?;
    assert!(tariff.measures().len() > 100);
    assert_eq!(tariff.groups().count(), 3);
    Ok(())
}

#[test]
fn every_declaration_the_simulator_makes_is_assessed_on_every_day_the_tariff_covers() -> TestResult {
    let tariff = demo_tariff()?;
    let declarations = simulated(1500)?;
    let drawn: BTreeSet<&str> = declarations.iter().flat_map(|d| &d.items).map(|i| i.commodity_code.hs6()).collect();
    let sample: BTreeSet<String> = simulate::price_sample().into_iter().map(|l| l.hs6).collect();
    let missing: Vec<&String> = sample.iter().filter(|hs6| !drawn.contains(hs6.as_str())).collect();
    assert!(missing.is_empty(), "draw more declarations: no item with {missing:?}");

    let days = change_days(&tariff::demo());
    for d in distinct(&declarations) {
        for suffix in SUFFIXES {
            let d = with_suffix(d, suffix)?;
            for &day in &days {
                if let Err(reasons) = tariff.assess(&d, day) {
                    return Err(format!("on {day} a {} declaration gets {reasons:#?}", d.currency).into());
                }
            }
        }
    }
    Ok(())
}

#[test]
fn simulated_preferences_are_mostly_granted_and_sometimes_refused() -> TestResult {
    let tariff = demo_tariff()?;
    let (mut granted, mut refused) = (0, 0);
    for d in simulated(1500)? {
        let assessment = tariff.assess(&d, date(2026, 11, 20)).map_err(|r| format!("{r:?}"))?;
        for (item, duties) in d.items.iter().zip(&assessment.items) {
            match (item.preference.as_str(), &duties.preference_refused) {
                ("100", None) => {}
                ("100", Some(why)) => return Err(format!("refused without a claim: {why}").into()),
                (_, None) => granted += 1,
                (_, Some(_)) => refused += 1,
            }
        }
    }
    assert!(refused > 0 && granted > 4 * refused, "granted {granted}, refused {refused}");
    Ok(())
}

#[test]
fn the_simulator_invoices_in_euro_dollars_and_yuan() -> TestResult {
    let declarations = simulated(1000)?;
    let share = |code: &str| declarations.iter().filter(|d| d.currency.as_str() == code).count();
    let (eur, usd, cny) = (share("EUR"), share("USD"), share("CNY"));
    assert_eq!(eur + usd + cny, declarations.len());
    assert!((150..250).contains(&usd) && (25..80).contains(&cny), "USD {usd}, CNY {cny}");
    Ok(())
}

#[test]
fn the_demo_tariff_file_reads_back_as_csv_measures() -> TestResult {
    // The CSV form of the demo's measures (as an administrator would export them) reads back the same.
    let file = tariff::demo();
    let mut csv = String::from(tariff::CSV_HEADER);
    for m in &file.measures {
        let field = |s: &str| format!("\"{}\"", s.replace('"', "\"\""));
        csv.push_str(&format!(
            "\n{},{},{},{},{},{},{},{},{}",
            m.id,
            m.code,
            m.kind,
            m.origin,
            field(&m.rate.to_string()),
            m.proof.as_deref().unwrap_or(""),
            m.valid_from,
            m.valid_to.map(|d| d.to_string()).unwrap_or_default(),
            field(&m.legal_base)
        ));
    }
    let parsed = tariff::parse_file(&csv, "measures.csv").map_err(|e| format!("{e:?}"))?;
    assert_eq!(parsed.measures, file.measures);
    Ok(())
}

/// The body of the first fenced block of `lang` in `text`.
fn fenced<'a>(text: &'a str, lang: &str) -> Option<&'a str> {
    let start = text.find(&format!("```{lang}\n"))? + lang.len() + 4;
    let len = text.get(start..)?.find("```")?;
    text.get(start..start + len)
}

#[test]
fn the_examples_in_the_documentation_are_valid_tariff_files() -> TestResult {
    let docs = include_str!("../../../docs/tariff.md");
    let csv = fenced(docs, "csv").ok_or("no csv example")?;
    let measures = tariff::parse_csv(csv).map_err(|e| format!("{e:?}"))?;
    assert_eq!(measures.len(), 4);
    let json = fenced(docs, "json").ok_or("no json example")?;
    let file = tariff::parse_file(json, "example.json").map_err(|e| format!("{e:?}"))?;
    Tariff::from_file(file).map_err(|e| e.join("\n"))?;
    Ok(())
}
