use super::*;
use crate::checkpoint::event::{AccuracyClass, Dimensions, PlateRead};
use crate::checkpoint::plate::Plate;
use crate::timestamp::Timestamp;
use crate::transit::pre_arrival::{preliminary_decision, Indication};
use chrono::TimeDelta;
use proptest::prelude::*;
use rust_decimal_macros::dec;

const T0: Timestamp = Timestamp::from_micros(1_780_272_000_000_000);

fn at(minutes: i64) -> Timestamp {
    T0 + TimeDelta::minutes(minutes)
}

fn hs(code: &str) -> HsCode {
    HsCode::parse(code).unwrap_or_else(|| panic!("{code}"))
}

fn decided(control: FormOfControl, place: Place) -> PreArrivalStatus {
    PreArrivalStatus::Decided(preliminary_decision(&[Indication {
        control,
        place,
        code: "PROFILE_7".into(),
        reason: "route and goods".into(),
    }]))
}

/// A laden lorry: 15 t unladen, 20 t of smartphones declared, nothing else known.
fn case() -> Case {
    Case {
        pre_arrival: decided(FormOfControl::None, Place::Border),
        goods: vec![hs("851713")],
        open_seal_alerts: Vec::new(),
        declared_mass: Some(DeclaredMass { vehicle_kg: dec!(15000), goods_kg: dec!(20000) }),
        declarations: Vec::new(),
        events: Vec::new(),
        done: Vec::new(),
    }
}

fn weighing(minute: i64, kg: Decimal, class: AccuracyClass) -> Event {
    Event::Weighing(Weighing {
        device: "wim-1".into(),
        time: at(minute),
        gross_mass_kg: kg,
        axles: 5,
        dimensions: Some(Dimensions { length_m: dec!(16.5), width_m: dec!(2.55), height_m: dec!(4) }),
        accuracy_class: class,
    })
}

fn reading(minute: i64, stage: Stage, alarm: bool, neutron_alarm: bool) -> Event {
    Event::Radiation(RadiationReading {
        device: "rpm-1".into(),
        time: at(minute),
        stage,
        alarm,
        neutron_alarm,
        gamma_cps: if alarm { 5400.0 } else { 1800.0 },
        gamma_background_cps: 1800.0,
        neutron: None,
    })
}

fn scan(minute: i64, verdict: ScanVerdict) -> Event {
    Event::Scan(ScanResult { device: "xray-1".into(), time: at(minute), verdict, image: format!("img/{minute}") })
}

fn decide_(case: &Case) -> (Vec<Operation>, Vec<String>) {
    let d = decide(case, &DecisionRules::default());
    (d.operations, d.reasons.into_iter().map(|r| r.code).collect())
}

fn with(events: Vec<Event>) -> Case {
    Case { events, ..case() }
}

use Operation::*;

#[test]
fn a_vehicle_nothing_asks_about_passes() {
    assert_eq!(decide_(&case()), (vec![Pass], vec!["CHK_060".into()]));
    let empty = Case { pre_arrival: PreArrivalStatus::NotRequired, goods: vec![], declared_mass: None, ..case() };
    assert_eq!(decide_(&empty).0, [Pass]);
}

#[test]
fn at_booking_an_inspection_at_the_border_plans_a_scan() {
    let c = Case { pre_arrival: decided(FormOfControl::Inspection, Place::Border), ..case() };
    assert_eq!(decide_(&c), (vec![Scan], vec!["CHK_063".into()]));
}

#[test]
fn a_clear_scan_does_the_inspection_at_the_border_and_a_suspect_one_is_inspected() {
    let base = Case { pre_arrival: decided(FormOfControl::Inspection, Place::Border), ..case() };
    let clear = Case { events: vec![scan(5, ScanVerdict::Clear)], ..base.clone() };
    assert_eq!(decide_(&clear), (vec![Pass], vec!["CHK_063".into(), "CHK_064".into(), "CHK_060".into()]));
    let suspect = Case { events: vec![scan(5, ScanVerdict::Suspect), scan(9, ScanVerdict::Clear)], ..base };
    assert_eq!(decide_(&suspect), (vec![Inspect], vec!["CHK_063".into(), "CHK_065".into()]));
    assert_eq!(decide_(&with(vec![scan(5, ScanVerdict::Suspect)])).0, [Inspect], "a scan nobody asked for counts too");
}

#[test]
fn an_unreadable_scan_is_done_again_and_inspected_after_the_second() {
    assert_eq!(decide_(&with(vec![scan(5, ScanVerdict::Unreadable)])), (vec![Scan], vec!["CHK_066".into()]));
    let twice = with(vec![scan(5, ScanVerdict::Unreadable), scan(8, ScanVerdict::Unreadable)]);
    assert_eq!(decide_(&twice), (vec![Inspect], vec!["CHK_067".into()]));
    let then_clear = with(vec![scan(5, ScanVerdict::Unreadable), scan(8, ScanVerdict::Clear)]);
    assert_eq!(decide_(&then_clear).0, [Pass]);
}

#[test]
fn documents_at_the_border_are_checked_and_control_inland_lets_the_vehicle_go_on() {
    let docs = Case { pre_arrival: decided(FormOfControl::Documents, Place::Border), ..case() };
    assert_eq!(decide_(&docs), (vec![CheckDocuments], vec!["CHK_062".into()]));
    let inland = Case { pre_arrival: decided(FormOfControl::Inspection, Place::Inland), ..case() };
    assert_eq!(decide_(&inland), (vec![Pass], vec!["CHK_061".into(), "CHK_060".into()]));
    let missing = Case { pre_arrival: PreArrivalStatus::Missing, ..case() };
    assert_eq!(decide_(&missing), (vec![CheckDocuments], vec!["CHK_080".into()]));
}

#[test]
fn a_weight_within_the_scale_error_and_the_tolerance_passes() {
    // Expected 35,000 kg; class 1 (1 %) + 2 % allows 1,050 kg either way.
    let d = decide(&with(vec![weighing(1, dec!(36000), AccuracyClass::Class1)]), &DecisionRules::default());
    assert_eq!(d.operations, [Pass]);
    assert_eq!(d.reasons[0].code, "CHK_070");
    assert!(d.reasons[0].message.contains("1050"), "{}", d.reasons[0].message);
    assert_eq!(decide_(&with(vec![weighing(1, dec!(33950), AccuracyClass::Class1)])).0, [Pass]);
}

#[test]
fn a_weight_discrepancy_is_weighed_again_then_inspected_if_it_persists() {
    let once = with(vec![weighing(1, dec!(36100), AccuracyClass::Class1)]);
    assert_eq!(decide_(&once), (vec![WeighAgain], vec!["CHK_068".into()]));
    let twice =
        with(vec![weighing(1, dec!(36100), AccuracyClass::Class1), weighing(6, dec!(36080), AccuracyClass::Class0_5)]);
    assert_eq!(decide_(&twice), (vec![Inspect], vec!["CHK_069".into()]));
    let resolved =
        with(vec![weighing(1, dec!(36100), AccuracyClass::Class1), weighing(6, dec!(35200), AccuracyClass::Class1)]);
    assert_eq!(decide_(&resolved), (vec![Pass], vec!["CHK_070".into(), "CHK_060".into()]));
}

#[test]
fn a_less_accurate_scale_allows_more() {
    let rough = with(vec![weighing(1, dec!(38000), AccuracyClass::Class10)]);
    assert_eq!(decide_(&rough).0, [Pass]);
    let fine = with(vec![weighing(1, dec!(35800), AccuracyClass::Class0_2)]);
    assert_eq!(decide_(&fine).0, [WeighAgain]);
    let strict = decide(
        &with(vec![weighing(1, dec!(35500), AccuracyClass::Class0_2)]),
        &DecisionRules { weight_tolerance_pct: dec!(1) },
    );
    assert_eq!(strict.operations, [WeighAgain]);
}

#[test]
fn without_a_declared_mass_the_weight_is_recorded_not_compared() {
    let c = Case { declared_mass: None, ..with(vec![weighing(1, dec!(90000), AccuracyClass::Class1)]) };
    assert_eq!(decide_(&c), (vec![Pass], vec!["CHK_071".into(), "CHK_060".into()]));
}

#[test]
fn a_neutron_alarm_holds_the_vehicle_whatever_else_is_due() {
    let mut c = with(vec![reading(2, Stage::Primary, true, true), weighing(1, dec!(50000), AccuracyClass::Class1)]);
    c.open_seal_alerts = vec![AlertKind::Opened];
    let (ops, codes) = decide_(&c);
    assert_eq!(ops, [Hold]);
    assert!(codes.contains(&"CHK_072".to_string()) && codes.contains(&"CHK_078".to_string()), "{codes:?}");
}

#[test]
fn a_gamma_alarm_asks_for_a_secondary_check_which_clears_or_confirms_it() {
    assert_eq!(
        decide_(&with(vec![reading(2, Stage::Primary, true, false)])),
        (vec![SecondaryRadiationCheck], vec!["CHK_074".into()])
    );
    let cleared = with(vec![reading(2, Stage::Primary, true, false), reading(9, Stage::Secondary, false, false)]);
    assert_eq!(decide_(&cleared), (vec![Pass], vec!["CHK_077".into(), "CHK_060".into()]));
    let confirmed = with(vec![reading(2, Stage::Primary, true, false), reading(9, Stage::Secondary, true, false)]);
    assert_eq!(decide_(&confirmed), (vec![Hold], vec!["CHK_075".into()]));
    let again = with(vec![
        reading(2, Stage::Primary, true, false),
        reading(9, Stage::Secondary, false, false),
        reading(30, Stage::Primary, true, false),
    ]);
    assert_eq!(decide_(&again).0, [SecondaryRadiationCheck], "a new alarm needs a new check");
}

#[test]
fn a_gamma_alarm_on_norm_goods_is_checked_not_held() {
    for goods in [vec![hs("690721")], vec![hs("080390"), hs("310420")], vec![hs("251010")]] {
        let c = Case { goods, ..with(vec![reading(2, Stage::Primary, true, false)]) };
        assert_eq!(decide_(&c), (vec![SecondaryRadiationCheck], vec!["CHK_073".into()]));
        let confirmed = Case {
            events: vec![reading(2, Stage::Primary, true, false), reading(9, Stage::Secondary, true, false)],
            ..c
        };
        assert_eq!(decide_(&confirmed), (vec![Inspect], vec!["CHK_076".into()]));
    }
    let mixed = Case { goods: vec![hs("690721"), hs("851713")], ..with(vec![reading(2, Stage::Primary, true, false)]) };
    assert_eq!(decide_(&mixed).1, ["CHK_074"], "a mixed load has no NORM allowance");
    assert!(!is_norm(&[]));
}

#[test]
fn an_opened_or_tampered_seal_is_inspected_and_other_incidents_reviewed() {
    let opened = Case { open_seal_alerts: vec![AlertKind::Tamper, AlertKind::Opened, AlertKind::Opened], ..case() };
    assert_eq!(decide_(&opened), (vec![Inspect], vec!["CHK_078".into(), "CHK_078".into()]));
    let deviation = Case { open_seal_alerts: vec![AlertKind::Deviation, AlertKind::BatteryLow], ..case() };
    assert_eq!(decide_(&deviation), (vec![CheckDocuments], vec!["CHK_079".into()]));
    let battery = Case { open_seal_alerts: vec![AlertKind::BatteryLow], ..case() };
    assert_eq!(decide_(&battery).0, [Pass]);
}

#[test]
fn operations_due_together_come_in_the_order_they_are_done() {
    let c = Case {
        pre_arrival: decided(FormOfControl::Inspection, Place::Border),
        open_seal_alerts: vec![AlertKind::Opened, AlertKind::Overdue],
        ..with(vec![weighing(1, dec!(40000), AccuracyClass::Class2), reading(2, Stage::Primary, true, false)])
    };
    assert_eq!(decide_(&c).0, [SecondaryRadiationCheck, WeighAgain, CheckDocuments, Scan, Inspect]);
    let codes: Vec<&str> = Operation::ALL.iter().map(|o| o.code()).collect();
    assert_eq!(
        codes,
        ["hold", "secondary_radiation_check", "weigh_again", "check_documents", "scan", "inspect", "pass"]
    );
}

#[test]
fn plate_reads_change_no_operation() {
    let read = Event::PlateRead(PlateRead {
        device: "cam-1".into(),
        time: at(0),
        plate: Plate::parse("AB123").unwrap_or_else(|e| panic!("{e}")),
        country: None,
        confidence: 0.9,
    });
    assert_eq!(decide_(&with(vec![read])), decide_(&case()));
}

fn event(minute: i64) -> impl Strategy<Value = Event> {
    prop_oneof![
        (30_000i64..40_000, proptest::sample::select(AccuracyClass::ALL.to_vec()))
            .prop_map(move |(kg, class)| weighing(minute, Decimal::from(kg), class)),
        (any::<bool>(), any::<bool>(), any::<bool>()).prop_map(move |(secondary, alarm, neutron)| reading(
            minute,
            if secondary { Stage::Secondary } else { Stage::Primary },
            alarm || neutron,
            neutron
        )),
        proptest::sample::select(vec![ScanVerdict::Clear, ScanVerdict::Suspect, ScanVerdict::Unreadable])
            .prop_map(move |v| scan(minute, v)),
    ]
}

fn declaration(n: u32, lane: Option<Lane>, released: bool) -> DeclarationStatus {
    DeclarationStatus { number: format!("10000000/011226/{n:07}"), lane, released }
}

fn any_declaration() -> impl Strategy<Value = DeclarationStatus> {
    let lane = proptest::option::of(proptest::sample::select(vec![Lane::Green, Lane::Yellow, Lane::Red, Lane::Blue]));
    (0u32..100, lane, any::<bool>()).prop_map(|(n, lane, released)| declaration(n, lane, released))
}

fn any_case() -> impl Strategy<Value = Case> {
    let form = proptest::sample::select(vec![FormOfControl::None, FormOfControl::Documents, FormOfControl::Inspection]);
    let place = proptest::sample::select(vec![Place::Border, Place::Inland]);
    let goods = proptest::collection::vec(proptest::sample::select(vec!["851713", "690721", "080390", "020130"]), 0..3);
    let alerts = proptest::collection::vec(proptest::sample::select(AlertKind::ALL.to_vec()), 0..3);
    let events =
        (0usize..6).prop_flat_map(|n| (0..n).map(|i| event(i64::try_from(i).unwrap_or(0) * 3)).collect::<Vec<_>>());
    let declarations = proptest::collection::vec(any_declaration(), 0..3);
    (form, place, goods, alerts, any::<bool>(), declarations, events).prop_map(
        |(form, place, goods, alerts, declared, declarations, events)| Case {
            pre_arrival: decided(form, place),
            goods: goods.into_iter().map(hs).collect(),
            open_seal_alerts: alerts,
            declared_mass: declared.then_some(DeclaredMass { vehicle_kg: dec!(15000), goods_kg: dec!(20000) }),
            declarations,
            events,
            done: Vec::new(),
        },
    )
}

proptest! {
    /// No vehicle passes with a neutron alarm, with a latest weighing outside the declared mass,
    /// with an open opened or tamper alert of its seal, or with a goods declaration under
    /// control in the red lane.
    #[test]
    fn what_must_be_stopped_never_passes(c in any_case()) {
        let d = decide(&c, &DecisionRules::default());
        let rules = DecisionRules::default();
        let neutron = c.events.iter().any(|e| matches!(e, Event::Radiation(r) if r.neutron_alarm));
        let latest_weighing = c.events.iter().rev().find_map(|e| if let Event::Weighing(w) = e { Some(w) } else { None });
        let unresolved = match (latest_weighing, c.declared_mass) {
            (Some(w), Some(m)) => outside(m.total(), w, &rules),
            _ => false,
        };
        let seal_broken = c.open_seal_alerts.iter().any(|a| matches!(a, AlertKind::Opened | AlertKind::Tamper));
        let red = c.declarations.iter().any(|d| !d.released && d.lane == Some(Lane::Red));
        if neutron {
            prop_assert_eq!(&d.operations, &vec![Hold]);
        }
        // A hold comes alone; otherwise a red declaration not released is inspected.
        if red && !d.operations.contains(&Hold) {
            prop_assert!(d.operations.contains(&Inspect), "{:?}", d);
        }
        if unresolved || seal_broken || red {
            prop_assert!(!d.operations.contains(&Pass), "{:?}", d);
        }
        prop_assert!(!d.operations.is_empty());
        prop_assert!(d.operations.windows(2).all(|w| w[0] < w[1]));
        prop_assert!(!d.operations.contains(&Pass) || d.operations == [Pass]);
    }

    /// The decision depends on what happened, not on the order events were delivered in.
    #[test]
    fn the_decision_does_not_depend_on_delivery_order(c in any_case(), turn in 0usize..6) {
        let mut shuffled = c.clone();
        shuffled.events.reverse();
        let n = shuffled.events.len().max(1);
        shuffled.events.rotate_left(turn % n);
        prop_assert_eq!(decide(&shuffled, &DecisionRules::default()), decide(&c, &DecisionRules::default()));
    }
}

#[test]
fn an_officers_cleared_operation_is_no_longer_due_and_a_lifted_hold_lets_the_rest_show() {
    let base = Case { pre_arrival: decided(FormOfControl::Documents, Place::Border), ..case() };
    assert_eq!(decide_(&base).0, vec![CheckDocuments]);
    let checked = Case { done: vec![CheckDocuments], ..base.clone() };
    let (ops, codes) = decide_(&checked);
    assert_eq!(ops, vec![Pass]);
    assert!(codes.contains(&"CHK_081".to_string()), "{codes:?}");

    let held = Case { events: vec![reading(3, Stage::Primary, true, true)], ..base };
    assert_eq!(decide_(&held).0, vec![Hold]);
    let lifted = Case { done: vec![Hold], ..held.clone() };
    assert_eq!(decide_(&lifted).0, vec![CheckDocuments], "the other operations come once the hold is lifted");
    // The equipment's operations are not done by an officer's word.
    let scanned_by_word =
        Case { pre_arrival: decided(FormOfControl::Inspection, Place::Border), done: vec![Scan, WeighAgain], ..case() };
    assert_eq!(decide_(&scanned_by_word).0, vec![Scan]);
}

#[test]
fn the_goods_declarations_of_the_vehicle_ask_at_the_border_what_their_lanes_ask() {
    let with = |declarations: Vec<DeclarationStatus>| Case { declarations, ..case() };
    assert_eq!(decide_(&with(vec![declaration(1, Some(Lane::Red), false)])), (vec![Inspect], vec!["CHK_082".into()]));
    assert_eq!(
        decide_(&with(vec![declaration(2, Some(Lane::Yellow), false)])),
        (vec![CheckDocuments], vec!["CHK_083".into()])
    );
    // Released, or not yet assessed: noted, nothing asked.
    assert_eq!(
        decide_(&with(vec![declaration(3, Some(Lane::Red), true), declaration(4, None, false)])),
        (vec![Pass], vec!["CHK_084".into(), "CHK_085".into(), "CHK_060".into()])
    );
    // Several: the strictest operations are all due, in order.
    let both = with(vec![declaration(5, Some(Lane::Yellow), false), declaration(6, Some(Lane::Red), false)]);
    assert_eq!(decide_(&both).0, vec![CheckDocuments, Inspect]);
    let d = decide(&both, &DecisionRules::default());
    assert!(d.reasons.iter().any(|r| r.message.contains("10000000/011226/0000006")), "{d:?}");
    // A declaration stands for missing pre-arrival information; without one, documents are checked.
    let missing = Case { pre_arrival: PreArrivalStatus::Missing, ..case() };
    assert_eq!(decide_(&missing).0, vec![CheckDocuments]);
    let declared = Case { declarations: vec![declaration(7, Some(Lane::Green), true)], ..missing };
    assert_eq!(decide_(&declared), (vec![Pass], vec!["CHK_084".into(), "CHK_060".into()]));
}
