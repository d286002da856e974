use chrono::NaiveDate;
use rust_decimal::Decimal;

use smartcustoms_core::declaration::DeclarationDoc;
use smartcustoms_core::flc;
use smartcustoms_core::inspection::Irregularity;
use smartcustoms_core::simulate;
use smartcustoms_core::tariff::{self, Tariff};

use super::*;

fn small(weeks: u32, declarations_per_week: usize, seed: u64) -> Settings {
    Settings { weeks, declarations_per_week, seed, ..Settings::default() }
}

fn run_quietly(settings: &Settings) -> Outcome {
    run(settings, |_| {}).unwrap_or_else(|e| panic!("{e}"))
}

fn start() -> NaiveDate {
    NaiveDate::from_ymd_opt(START.0, START.1, START.2).unwrap_or_default()
}

#[test]
fn a_short_run_catches_at_least_twice_what_random_selection_catches_and_reports_the_ring_switch() {
    let settings = small(10, 600, 7);
    let mut printed = Vec::new();
    let outcome = run(&settings, |w| printed.push(w.week)).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(printed, (1..=10).collect::<Vec<u32>>(), "each week is reported as it ends");
    assert!(outcome.weeks.iter().all(|w| w.refused == 0), "every simulated declaration registers");
    assert!(outcome.weeks.iter().all(|w| w.platform.inspections <= w.capacity));
    assert_eq!(outcome.weeks[0].model_version, None, "the first week has no model");
    // 30 controls a week: the 40 outcomes a first model needs are there after two weeks.
    assert_eq!(outcome.weeks[1].model_version, None);
    assert!(outcome.weeks[2..].iter().all(|w| w.model_version.is_some()), "a model decides from week 3 on");

    let late = &outcome.weeks[6..];
    let caught: usize = late.iter().map(|w| w.platform.caught).sum();
    let random: usize = late.iter().map(|w| w.random.caught).sum();
    assert!(caught >= 2 * random, "weeks 7–10: the platform caught {caught}, random selection {random}");
    let oracle: usize = late.iter().map(|w| w.oracle.caught).sum();
    assert!(oracle >= caught, "nobody beats the oracle");

    let switch = settings.switch_week();
    assert_eq!(switch, 6);
    assert_eq!(outcome.summary.ring.switch_week, 6);
    for w in &outcome.weeks {
        assert_eq!(w.ring.route, if w.week < switch { "before" } else { "after" }, "week {}", w.week);
        assert!(w.ring.declarations > 0, "the ring files every week");
    }
    assert!(outcome.summary.ring.share_before.is_some());
    assert_eq!(outcome.summary.goal_from_week, GOAL_FROM_WEEK);
    assert!(outcome.summary.ratio_goal_met.is_some());
}

#[test]
fn the_same_seed_gives_the_same_weeks_and_another_seed_other_weeks() {
    let first = run_quietly(&small(3, 300, 11));
    let again = run_quietly(&small(3, 300, 11));
    assert_eq!(first, again);
    let other = run_quietly(&small(3, 300, 12));
    assert_ne!(first.weeks, other.weeks);
}

#[test]
fn bad_settings_are_refused_with_clear_errors() {
    let refused = |settings: Settings| match run(&settings, |_| {}) {
        Ok(_) => panic!("{settings:?} accepted"),
        Err(e) => e.to_string(),
    };
    assert_eq!(refused(Settings { weeks: 0, ..Settings::default() }), "the number of weeks must be at least 1");
    for rate in [0.0, -0.1, 1.5, f64::NAN] {
        let message = refused(Settings { inspection_rate: rate, ..Settings::default() });
        assert!(message.starts_with("the inspection rate must be above 0 and at most 1"), "{message}");
    }
    assert!(refused(Settings { random_share: 1.0, ..Settings::default() }).contains("random share"));
    assert!(refused(Settings { profile_share: 1.5, ..Settings::default() }).contains("profiles' share"));
    assert_eq!(
        refused(Settings { declarations_per_week: 10, ..Settings::default() }),
        "at least 100 declarations a week are needed, not 10"
    );
    assert_eq!(
        refused(Settings { weeks: 4, ring_switch_week: Some(9), ..Settings::default() }),
        "the ring changes route in a week from 2 to 4, not 9"
    );
    assert!(Settings { inspection_rate: 1.0, ..Settings::default() }.check().is_ok());
}

#[test]
fn simulated_declarations_register_and_what_they_hide_costs_duties() {
    let tariff = Tariff::from_file(tariff::demo()).unwrap_or_else(|p| panic!("{p:?}"));
    let mut rng = simulate::rng(3);
    let mut population = Population::new(&mut rng, 2_000, start());
    population.arrive(&mut rng, 1);
    let mut consignments = population.declarations(&mut rng, 1, 2_000);
    population.switch_ring(&mut rng, 2);
    consignments.extend(population.declarations(&mut rng, 2, 500));
    let offices = smartcustoms_core::simulate::demo_offices();
    let total = |doc: &DeclarationDoc, date: NaiveDate| -> Decimal {
        let context = flc::Context { today: date, offices: offices.clone() };
        let declaration = flc::check(doc, &context).unwrap_or_else(|f| panic!("{f:?}"));
        tariff.assess(&declaration, date).unwrap_or_else(|r| panic!("{r:?}")).totals.total
    };
    let mut irregular = 0;
    for c in &consignments {
        let declared = total(&c.declared, c.date);
        match &c.actual {
            Some(actual) => {
                irregular += 1;
                assert!(total(actual, c.date) > declared, "{:?} hides nothing: {:?}", c.kinds, c.declared);
            }
            None => assert!(c.kinds.is_empty()),
        }
    }
    for kind in [Irregularity::Undervaluation, Irregularity::Misclassification] {
        assert!(consignments.iter().any(|c| c.kinds == [kind]), "no declaration hides only {kind:?}");
    }
    let share = irregular as f64 / consignments.len() as f64;
    assert!((0.04..0.2).contains(&share), "irregular share {share}");
    let ring: Vec<&Consignment> = consignments.iter().filter(|c| c.ring).collect();
    assert!(ring.iter().all(|c| c.is_irregular()));
    let origin = |c: &&Consignment| c.declared.items.as_ref().and_then(|i| i[0].origin.clone()).unwrap_or_default();
    assert!(
        ring.iter().any(|c| origin(c) == RING_BEFORE.origin) && ring.iter().any(|c| origin(c) == RING_AFTER.origin)
    );
}

#[test]
fn a_run_is_charted_as_svg_and_png_and_other_files_are_refused() {
    let outcome = run_quietly(&small(2, 200, 5));
    let dir = std::env::temp_dir().join(format!("smartcustoms-world-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap_or_else(|e| panic!("{e}"));
    let svg = dir.join("chart.svg");
    chart(&outcome, 2, &svg).unwrap_or_else(|e| panic!("{e}"));
    let text = std::fs::read_to_string(&svg).unwrap_or_else(|e| panic!("{e}"));
    assert!(text.contains("<svg") && text.contains("random selection"), "{}", &text[..200.min(text.len())]);
    let png = dir.join("chart.png");
    chart(&outcome, 2, &png).unwrap_or_else(|e| panic!("{e}"));
    let bytes = std::fs::read(&png).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(&bytes[1..4], b"PNG");
    let Err(refused) = chart(&outcome, 2, &dir.join("chart.pdf")) else { panic!("a PDF chart was drawn") };
    let refused = refused.to_string();
    assert!(refused.contains("neither .svg nor .png"), "{refused}");
    std::fs::remove_dir_all(&dir).unwrap_or_else(|e| panic!("{e}"));
}
