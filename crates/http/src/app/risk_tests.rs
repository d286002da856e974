//! Unit tests of the risk engine's pure parts: rebuilding learning cases, profile
//! effectiveness and operator records.

use smartcustoms_core::timestamp::Timestamp;

use super::*;

type TestResult = Result<(), Box<dyn std::error::Error>>;

/// The day the demo world's declarations are filed.
fn filing_day() -> Result<NaiveDate, &'static str> {
    NaiveDate::from_ymd_opt(2023, 11, 14).ok_or("a valid date")
}

/// The UTC day of a time.
fn day_of(at: Timestamp) -> Result<NaiveDate, &'static str> {
    at.date().ok_or("a time in range")
}

fn stored(document: Vec<u8>, decision: &str) -> StoredCase {
    StoredCase {
        id: "0192f0c4-0000-7000-8000-000000000001".into(),
        declarant: "DE123".into(),
        received_at_us: Timestamp::from_micros(1_700_000_000_000_000),
        state: "released".into(),
        lane: "green".into(),
        document,
        checked: None,
        duties: None,
        decision: decision.into(),
        irregular: None,
        additional_duty_cents: None,
    }
}

#[test]
fn a_stored_declaration_that_cannot_be_rebuilt_says_why() -> TestResult {
    let world = smartcustoms_core::simulate::World::demo(1);
    let today = filing_day()?;
    let doc = world.declaration(&mut smartcustoms_core::simulate::rng(1), &world.declarants[0], today, 3);
    let good = serde_json::to_vec(&doc)?;
    assert!(rebuild(stored(good.clone(), r#"{"reasons":[],"hits":[]}"#)).is_ok());
    assert_eq!(rebuild(stored(b"{ not json".to_vec(), "{}")).err(), Some(Skipped::Document));
    let mut unchecked = doc.clone();
    unchecked.items = Some(Vec::new());
    let unchecked = serde_json::to_vec(&unchecked)?;
    assert_eq!(rebuild(stored(unchecked, "{}")).err(), Some(Skipped::Checks));
    assert_eq!(rebuild(stored(good.clone(), "not a decision")).err(), Some(Skipped::Decision));
    assert_eq!(rebuild(stored(good, r#"{"format":99}"#)).err(), Some(Skipped::Decision), "a later format");
    Ok(())
}

#[test]
fn a_case_kept_as_checked_at_registration_survives_a_later_control_rule() -> TestResult {
    let world = smartcustoms_core::simulate::World::demo(1);
    let today = filing_day()?;
    let doc = world.declaration(&mut smartcustoms_core::simulate::rng(1), &world.declarants[0], today, 3);
    let declaration =
        flc::check(&doc, &flc::Context { today, offices: Default::default() }).map_err(|f| format!("{f:?}"))?;
    let mut checked = serde_json::to_value(&declaration)?;
    checked["format"] = 1.into();
    // The filed document as a later rule would see it: refused.
    let mut refused_now = doc.clone();
    refused_now.items = Some(Vec::new());
    let mut case = stored(serde_json::to_vec(&refused_now)?, r#"{"reasons":[],"hits":[]}"#);
    assert_eq!(rebuild(case.clone()).err(), Some(Skipped::Checks), "without the kept declaration");
    case.checked = Some(checked.to_string());
    let rebuilt = rebuild(case.clone()).map_err(|s| format!("skipped: {s:?}"))?;
    assert_eq!(rebuilt.declaration, declaration, "the declaration as it was checked when filed");
    case.checked = Some(r#"{"format":1,"kind":"nonsense"}"#.into());
    assert_eq!(rebuild(case).err(), Some(Skipped::Checked));
    Ok(())
}

/// A controlled (or not) case on which `profiles` fired, with or without random control.
fn hit_case(profiles: &[&str], random: bool, irregular: Option<bool>, recovered: i64) -> StoredCase {
    let hits: Vec<serde_json::Value> = profiles
        .iter()
        .map(|p| serde_json::json!({"profile": p, "version": 1, "lane": "yellow", "instruction": "", "items": []}))
        .collect();
    let decision = serde_json::json!({"reasons": [], "hits": hits, "risk": {"random_control": random}});
    let mut case = stored(Vec::new(), &decision.to_string());
    case.irregular = irregular;
    case.additional_duty_cents = irregular.map(|_| recovered);
    case
}

#[test]
fn effectiveness_counts_hits_controls_and_confirmations_per_source() -> TestResult {
    let cases = vec![
        hit_case(&["P1", "P2"], false, Some(true), 500),
        hit_case(&["P1"], false, Some(false), 0),
        hit_case(&["P1", "P1"], false, None, 0),
        hit_case(&["P2"], true, Some(true), 250),
        hit_case(&[], true, Some(false), 0),
        stored(Vec::new(), "not a decision"),
    ];
    let e = effectiveness(&cases);
    let by = |p: &str| e.iter().find(|x| x.profile == p).cloned().ok_or(format!("no line for {p}"));
    let p1 = by("P1")?;
    assert_eq!(
        (p1.hits, p1.controlled, p1.confirmed, p1.recovered_cents),
        (3, 2, 1, 500),
        "a profile counts once per case"
    );
    assert_eq!(p1.hit_rate, Some(0.5));
    let p2 = by("P2")?;
    assert_eq!((p2.hits, p2.controlled, p2.confirmed, p2.recovered_cents, p2.hit_rate), (2, 2, 2, 750, Some(1.0)));
    let random = by("RANDOM")?;
    assert_eq!((random.hits, random.confirmed, random.hit_rate), (2, 1, Some(0.5)));
    assert!(e.iter().all(|x| x.profile != "MODEL"), "the model sent nothing to control");
    let order: Vec<&str> = e.iter().map(|x| x.profile.as_str()).collect();
    assert_eq!(order, ["P2", "P1", "RANDOM"], "best hit rate first, then by code");
    Ok(())
}

#[test]
fn a_profile_never_confirmed_over_enough_controls_is_proposed_for_retirement() -> TestResult {
    let quiet: Vec<StoredCase> = (0..RETIRE_AFTER).map(|_| hit_case(&["P9"], true, Some(false), 0)).collect();
    let e = effectiveness(&quiet);
    let p9 = e.iter().find(|x| x.profile == "P9").ok_or("no line for P9")?;
    assert_eq!(p9.hit_rate, Some(0.0));
    assert!(p9.proposal.as_deref().is_some_and(|p| p.starts_with("propose retirement")), "{p9:?}");
    let random = e.iter().find(|x| x.profile == "RANDOM").ok_or("no line for RANDOM")?;
    assert_eq!(random.proposal, None, "random control is never proposed for retirement");
    let fewer = effectiveness(&quiet[1..]);
    assert_eq!(fewer.iter().find(|x| x.profile == "P9").ok_or("no line for P9")?.proposal, None);
    Ok(())
}

#[test]
fn operator_records_count_declarants_and_importers_and_keep_aeo_holders() -> TestResult {
    let world = smartcustoms_core::simulate::World::demo(1);
    let today = filing_day()?;
    let mut doc = world.declaration(&mut smartcustoms_core::simulate::rng(1), &world.declarants[0], today, 2);
    doc.importer.as_mut().ok_or("an importer")?.id = Some("IMP1".into());
    let document = serde_json::to_vec(&doc)?;
    let mut first = stored(document.clone(), "{}");
    first.received_at_us = first.received_at_us - chrono::TimeDelta::days(10);
    first.irregular = Some(true);
    let mut second = stored(document, "{}");
    second.irregular = Some(false);
    let third = stored(b"{ unreadable".to_vec(), "{}");
    let aeo: HashSet<String> = ["AEO1".to_string(), "DE123".to_string()].into();
    let now = day_of(second.received_at_us)?;
    let c = categories_of(&[first.clone(), second, third], &aeo, now);
    let by =
        |id: &str| c.iter().find(|x| x.record.id == id).map(|x| x.record.clone()).ok_or(format!("no record of {id}"));
    let declarant = by("DE123")?;
    assert_eq!((declarant.declarations, declarant.controls, declarant.irregular), (3, 2, 1));
    assert!(declarant.aeo);
    let first_day = day_of(first.received_at_us)?;
    assert_eq!(declarant.first_seen, first_day, "first seen is the earliest declaration");
    let importer = by("IMP1")?;
    assert_eq!((importer.declarations, importer.controls, importer.irregular, importer.aeo), (2, 2, 1, false));
    let holder = by("AEO1")?;
    assert_eq!(
        (holder.declarations, holder.aeo, holder.first_seen),
        (0, true, now),
        "an AEO holder without declarations"
    );
    assert_eq!(c.len(), 3);
    Ok(())
}
