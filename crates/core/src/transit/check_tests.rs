use super::*;
use crate::transit::declaration::WaypointDoc;
use proptest::prelude::*;
use rust_decimal_macros::dec;

pub(crate) const NOW: Timestamp = Timestamp::from_micros(1_780_000_000_000_000);

pub(crate) fn party_doc(id: &str, name: &str, country: &str) -> PartyDoc {
    PartyDoc { id: Some(id.into()), name: Some(name.into()), country: Some(country.into()), ..Default::default() }
}

pub(crate) fn item_doc(sequence: u32, code: &str, description: &str, mass: Decimal, value: Decimal) -> TransitItemDoc {
    TransitItemDoc {
        sequence: Some(sequence),
        commodity_code: Some(code.into()),
        description: Some(description.into()),
        gross_mass: Some(mass),
        value: Some(value),
        currency: Some("EUR".into()),
    }
}

fn wp(lat: f64, lon: f64) -> WaypointDoc {
    WaypointDoc { lat: Some(lat), lon: Some(lon) }
}

/// A road transit from Hamburg to Frankfurt (Oder) under two navigation seals.
pub(crate) fn valid() -> TransitDoc {
    TransitDoc {
        local_reference: Some("LRN-2026-0001".into()),
        declarant: Some(party_doc("DE123456789012345", "Spedition Nord GmbH", "DE")),
        office_of_departure: Some("DE005000".into()),
        office_of_destination: Some("DE004000".into()),
        route: Some(RouteDoc {
            waypoints: Some(vec![wp(53.55, 9.99), wp(52.52, 13.40), wp(52.34, 14.55)]),
            corridor_m: Some(2000),
        }),
        time_limit_at_us: Some(NOW + TimeDelta::days(5)),
        carrier: Some(party_doc("PL5260250274", "Trans Polska Sp. z o.o.", "PL")),
        transport: Some(TransportDoc {
            mode: Some("3".into()),
            means_id: Some("HH-AB 1234".into()),
            nationality: Some("DE".into()),
        }),
        seals: Some(vec!["NS-000123".into(), "NS-000124".into()]),
        guarantee: Some(GuaranteeDoc { kind: Some("account".into()), ..Default::default() }),
        items: Some(vec![
            item_doc(1, "851713", "Smartphones", dec!(1200.5), dec!(250000.00)),
            item_doc(2, "6203420000", "Men's cotton trousers", dec!(800), dec!(12000)),
        ]),
    }
}

fn ctx(offices: &[&str]) -> TransitContext {
    TransitContext {
        now: NOW,
        offices: offices.iter().map(|o| OfficeCode::parse(o).unwrap_or_else(|e| panic!("{e}"))).collect(),
    }
}

fn codes(doc: &TransitDoc) -> Vec<String> {
    match check(doc, &ctx(&[])) {
        Ok(_) => Vec::new(),
        Err(found) => found.into_iter().map(|f| f.code).collect(),
    }
}

fn findings(doc: &TransitDoc) -> Vec<Finding> {
    check(doc, &ctx(&[])).err().unwrap_or_default()
}

#[test]
fn a_complete_road_transit_passes_and_keeps_its_fields() {
    let checked = check(&valid(), &ctx(&["DE005000", "DE004000"])).unwrap_or_else(|f| panic!("{f:#?}"));
    let d = &checked.declaration;
    assert_eq!(d.local_reference.as_str(), "LRN-2026-0001");
    assert_eq!((d.office_of_departure.as_str(), d.office_of_destination.as_str()), ("DE005000", "DE004000"));
    assert_eq!(d.route.waypoints.len(), 3);
    assert_eq!(d.route.corridor_m, 2000);
    assert_eq!(d.seals, ["NS-000123", "NS-000124"]);
    assert_eq!(d.guarantee, GuaranteeForm::Account);
    assert_eq!(d.items[1].commodity_code.hs6(), "620342");
    assert_eq!(checked.access_code, None);
}

#[test]
fn an_empty_document_names_every_missing_group_with_its_path() {
    let found = findings(&TransitDoc::default());
    let paths: Vec<&str> = found.iter().map(|f| f.path.as_str()).collect();
    assert_eq!(
        paths,
        [
            "$.local_reference",
            "$.declarant",
            "$.office_of_departure",
            "$.office_of_destination",
            "$.route",
            "$.time_limit_at_us",
            "$.carrier",
            "$.transport",
            "$.seals",
            "$.guarantee",
            "$.items"
        ]
    );
    assert!(found.iter().all(|f| f.code == "TRN_001"));
}

#[test]
fn departure_and_destination_must_differ_and_be_offices_of_the_administration() {
    let mut doc = valid();
    doc.office_of_destination = Some("DE005000".into());
    let found = findings(&doc);
    assert_eq!(found.iter().map(|f| f.code.as_str()).collect::<Vec<_>>(), ["TRN_008"]);
    assert_eq!(found[0].path, "$.office_of_destination");

    let refused = check(&valid(), &ctx(&["DE005000"])).err().unwrap_or_default();
    assert_eq!(
        refused.iter().map(|f| (f.code.as_str(), f.path.as_str())).collect::<Vec<_>>(),
        [("TRN_006", "$.office_of_destination")]
    );

    doc.office_of_departure = Some("de0050".into());
    doc.office_of_destination = Some("10702070".into());
    assert_eq!(codes(&doc), ["TRN_005"]);
    doc.office_of_departure = Some("10702070".into());
    doc.office_of_destination = Some("DE004000".into());
    assert_eq!(codes(&doc), ["TRN_007"]);
}

#[test]
fn a_route_needs_two_waypoints_on_the_globe_and_a_sane_corridor() {
    let mut doc = valid();
    doc.route = Some(RouteDoc { waypoints: Some(vec![wp(53.55, 9.99)]), corridor_m: Some(99) });
    assert_eq!(codes(&doc), ["TRN_009", "TRN_011"]);
    doc.route = Some(RouteDoc { waypoints: Some(vec![wp(91.0, 9.99), wp(52.0, f64::NAN)]), corridor_m: Some(50_001) });
    let found = findings(&doc);
    assert_eq!(
        found.iter().map(|f| f.path.as_str()).collect::<Vec<_>>(),
        ["$.route.waypoints[0]", "$.route.waypoints[1]", "$.route.corridor_m"]
    );
    assert_eq!(found[0].code, "TRN_010");
    doc.route = Some(RouteDoc { waypoints: Some(vec![wp(53.0, 10.0), wp(52.0, 13.0)]), corridor_m: Some(100) });
    assert!(codes(&doc).is_empty());
    doc.route =
        Some(RouteDoc { waypoints: Some(vec![wp(53.0, 10.0), WaypointDoc::default()]), corridor_m: Some(50_000) });
    assert_eq!(
        findings(&doc).iter().map(|f| f.path.as_str()).collect::<Vec<_>>(),
        ["$.route.waypoints[1].lat", "$.route.waypoints[1].lon"]
    );
}

#[test]
fn the_time_limit_lies_in_the_future_but_within_thirty_days() {
    let mut doc = valid();
    doc.time_limit_at_us = Some(NOW);
    assert_eq!(codes(&doc), ["TRN_012"]);
    doc.time_limit_at_us = Some(NOW + TimeDelta::days(MAX_TIME_LIMIT_DAYS));
    assert!(codes(&doc).is_empty());
    doc.time_limit_at_us = Some(NOW + TimeDelta::days(MAX_TIME_LIMIT_DAYS) + TimeDelta::microseconds(1));
    let found = findings(&doc);
    assert_eq!(found[0].code, "TRN_013");
    assert!(found[0].message.contains("30 days"), "{}", found[0].message);
}

#[test]
fn seals_are_listed_well_formed_and_once() {
    let mut doc = valid();
    doc.seals = Some(vec![]);
    assert_eq!(codes(&doc), ["TRN_014"]);
    doc.seals = Some(vec!["NS-1".into(), "ns 2".into(), "NS-1".into()]);
    let found = findings(&doc);
    assert_eq!(
        found.iter().map(|f| (f.code.as_str(), f.path.as_str())).collect::<Vec<_>>(),
        [("TRN_015", "$.seals[1]"), ("TRN_016", "$.seals[2]")]
    );
    doc.seals = Some((0..=MAX_SEALS).map(|i| format!("S{i}")).collect());
    assert_eq!(codes(&doc), ["TRN_017"]);
}

#[test]
fn items_are_checked_field_by_field_with_core_code_lists() {
    let mut doc = valid();
    doc.items = Some(vec![
        TransitItemDoc {
            sequence: Some(1),
            commodity_code: Some("8517.13".into()),
            description: Some("goods".into()),
            gross_mass: Some(dec!(0)),
            value: Some(dec!(10.005)),
            currency: Some("RMB".into()),
        },
        TransitItemDoc {
            sequence: Some(3),
            commodity_code: Some("851712".into()),
            description: Some("Phones\n".into()),
            ..Default::default()
        },
    ]);
    let found = findings(&doc);
    let got: Vec<(&str, &str)> = found.iter().map(|f| (f.code.as_str(), f.path.as_str())).collect();
    assert_eq!(
        got,
        [
            ("TRN_021", "$.items[0].commodity_code"),
            ("TRN_024", "$.items[0].description"),
            ("TRN_027", "$.items[0].gross_mass"),
            ("TRN_026", "$.items[0].currency"),
            ("TRN_028", "$.items[0].value"),
            ("TRN_020", "$.items[1].sequence"),
            ("TRN_022", "$.items[1].commodity_code"),
            ("TRN_023", "$.items[1].description"),
            ("TRN_003", "$.items[1].gross_mass"),
            ("TRN_003", "$.items[1].currency"),
            ("TRN_003", "$.items[1].value"),
        ]
    );
    assert!(found[6].message.contains("851712"), "{}", found[6].message);
    assert_eq!(found[2].message, "The gross mass 0 kg is implausible: it must be more than zero.");
    assert_eq!(found[4].message, "The value 10.005 is implausible: it has 3 decimals; at most 2 are allowed.");
}

#[test]
fn an_item_list_is_neither_empty_nor_endless() {
    let mut doc = valid();
    doc.items = Some(vec![]);
    assert_eq!(codes(&doc), ["TRN_018"]);
    doc.items = Some((1..=1000).map(|i| item_doc(i, "851713", "Smartphones", dec!(1), dec!(1))).collect());
    assert_eq!(codes(&doc), ["TRN_019"]);
}

#[test]
fn parties_and_transport_use_the_declaration_code_lists() {
    let mut doc = valid();
    doc.declarant = Some(party_doc("ZZ123", "A", "UK"));
    doc.carrier = Some(PartyDoc::default());
    doc.transport = Some(TransportDoc { mode: Some("5".into()), means_id: None, nationality: Some("XX".into()) });
    let found = findings(&doc);
    let got: Vec<(&str, &str)> = found.iter().map(|f| (f.code.as_str(), f.path.as_str())).collect();
    assert_eq!(
        got,
        [
            ("TRN_029", "$.declarant.id"),
            ("TRN_025", "$.declarant.country"),
            ("TRN_002", "$.carrier.id"),
            ("TRN_002", "$.carrier.name"),
            ("TRN_002", "$.carrier.country"),
            ("TRN_030", "$.transport.mode"),
            ("TRN_001", "$.transport.means_id"),
            ("TRN_025", "$.transport.nationality"),
        ]
    );
}

#[test]
fn a_certificate_guarantee_needs_its_reference_and_access_code_which_no_message_repeats() {
    let mut doc = valid();
    doc.guarantee = Some(GuaranteeDoc {
        kind: Some("certificate".into()),
        reference: Some("GRN26DE0001".into()),
        access_code: Some("X1".into()),
    });
    let found = findings(&doc);
    assert_eq!(
        found.iter().map(|f| (f.code.as_str(), f.path.as_str())).collect::<Vec<_>>(),
        [("TRN_031", "$.guarantee.access_code")]
    );
    assert!(!found[0].message.contains("X1"));

    doc.guarantee = Some(GuaranteeDoc {
        kind: Some("certificate".into()),
        reference: Some("GRN26DE0001".into()),
        access_code: Some("A1B2".into()),
    });
    let checked = check(&doc, &ctx(&[])).unwrap_or_else(|f| panic!("{f:#?}"));
    assert_eq!(checked.declaration.guarantee, GuaranteeForm::Certificate { reference: "GRN26DE0001".into() });
    assert_eq!(checked.access_code, AccessCode::parse("A1B2"));

    doc.guarantee = Some(GuaranteeDoc { kind: Some("account".into()), reference: Some("X".into()), access_code: None });
    assert_eq!(codes(&doc), ["TRN_031"]);
    doc.guarantee = Some(GuaranteeDoc { kind: Some("cash".into()), ..Default::default() });
    assert_eq!(codes(&doc), ["TRN_031"]);
}

#[test]
fn a_malformed_local_reference_is_named() {
    let mut doc = valid();
    doc.local_reference = Some("my reference".into());
    assert_eq!(codes(&doc), ["TRN_004"]);
}

/// Text of any characters, mixed with plausible values so that deeper rules run too.
fn text_value() -> impl Strategy<Value = Option<String>> {
    let plausible = prop::sample::select(vec![
        "DE005000",
        "DE004000",
        "851713",
        "EUR",
        "3",
        "NS-1",
        "account",
        "certificate",
        "DE123456789",
        "DE",
    ]);
    prop_oneof![Just(None), plausible.prop_map(|s| Some(s.to_string())), "\\PC{0,30}".prop_map(Some)]
}

proptest! {
    /// Whatever arrives, the check does not panic, and a refusal always names a finding.
    #[test]
    fn the_check_is_total_and_never_refuses_without_a_finding(
        lrn in text_value(),
        departure in text_value(),
        destination in text_value(),
        seals in proptest::collection::vec("\\PC{0,8}", 0..4),
        code in text_value(),
        mass in proptest::option::of(any::<i64>()),
        lat in proptest::option::of(any::<f64>()),
        corridor in proptest::option::of(any::<u32>()),
        limit in proptest::option::of(any::<i64>()),
        kind in text_value(),
    ) {
        let mut doc = valid();
        doc.local_reference = lrn;
        doc.office_of_departure = departure;
        doc.office_of_destination = destination;
        doc.seals = Some(seals);
        doc.time_limit_at_us = limit.map(Timestamp::from_micros);
        doc.guarantee = Some(GuaranteeDoc { kind, reference: Some("G1".into()), access_code: Some("ABCD".into()) });
        doc.route = Some(RouteDoc { waypoints: Some(vec![WaypointDoc { lat, lon: Some(1.0) }, wp(2.0, 2.0)]), corridor_m: corridor });
        doc.items = Some(vec![TransitItemDoc {
            sequence: Some(1),
            commodity_code: code,
            description: Some("Smartphones".into()),
            gross_mass: mass.map(|m| Decimal::new(m, 3)),
            value: Some(dec!(1)),
            currency: Some("EUR".into()),
        }]);
        if let Err(found) = check(&doc, &ctx(&[])) {
            prop_assert!(!found.is_empty());
            prop_assert!(found.iter().all(|f| f.code.starts_with("TRN_") && f.path.starts_with('$')));
        }
    }
}
