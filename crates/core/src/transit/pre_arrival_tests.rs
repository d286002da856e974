use super::*;
use crate::transit::check::tests::{item_doc, party_doc, NOW};
use chrono::TimeDelta;
use proptest::prelude::*;
use rust_decimal_macros::dec;

fn valid() -> PreArrivalDoc {
    PreArrivalDoc {
        reference: Some("ENS-2026-77".into()),
        office_of_entry: Some("DE004000".into()),
        expected_arrival_at_us: Some(NOW + TimeDelta::days(2)),
        transport_document: Some("CMR 2026/0415".into()),
        consignor: Some(party_doc("CN91440300MA5F", "Shenzhen Phones Ltd", "CN")),
        consignee: Some(party_doc("DE123456789012345", "Elektro Handel GmbH", "DE")),
        carrier: Some(party_doc("PL5260250274", "Trans Polska Sp. z o.o.", "PL")),
        transport: Some(TransportDoc { mode: Some("3".into()), means_id: Some("WX 12345".into()), nationality: None }),
        items: Some(vec![
            item_doc(1, "851713", "Smartphones", dec!(1000), dec!(200000)),
            item_doc(2, "620342", "Men's cotton trousers", dec!(500), dec!(10000)),
        ]),
    }
}

fn ctx() -> PreArrivalContext {
    PreArrivalContext { now: NOW, offices: Arc::from([]) }
}

pub(crate) fn checked() -> PreArrival {
    check(&valid(), &ctx()).unwrap_or_else(|f| panic!("{f:#?}"))
}

fn later_item(hs6: &str, gross_mass: Decimal, value: Decimal, currency: &str) -> ComparedItem {
    ComparedItem {
        hs6: hs6.into(),
        gross_mass,
        value,
        currency: CurrencyCode::parse(currency).unwrap_or_else(|| panic!("{currency}")),
    }
}

fn same_as_announced() -> Later {
    Later {
        items: vec![
            later_item("851713", dec!(600), dec!(120000), "EUR"),
            later_item("620342", dec!(500), dec!(10000), "EUR"),
            later_item("851713", dec!(400), dec!(80000), "EUR"),
        ],
        parties: [(Role::Consignor, "CN91440300MA5F".to_string()), (Role::Consignee, "DE123456789012345".to_string())]
            .into(),
    }
}

#[test]
fn complete_pre_arrival_information_passes() {
    let pre = checked();
    assert_eq!(pre.reference.as_str(), "ENS-2026-77");
    assert_eq!(pre.items.len(), 2);
    assert_eq!(pre.transport_document, "CMR 2026/0415");
}

#[test]
fn pre_arrival_information_is_checked_with_the_transit_rules() {
    let mut doc = valid();
    doc.expected_arrival_at_us = Some(NOW - TimeDelta::hours(1));
    doc.consignee = None;
    doc.items = Some(vec![item_doc(1, "999999", "Smartphones", dec!(1), dec!(1))]);
    let found = check(&doc, &ctx()).err().unwrap_or_default();
    let got: Vec<(&str, &str)> = found.iter().map(|f| (f.code.as_str(), f.path.as_str())).collect();
    assert_eq!(
        got,
        [("TRN_012", "$.expected_arrival_at_us"), ("TRN_001", "$.consignee"), ("TRN_022", "$.items[0].commodity_code")]
    );
    doc = valid();
    doc.expected_arrival_at_us = Some(NOW + TimeDelta::days(MAX_ARRIVAL_DAYS + 1));
    let found = check(&doc, &ctx()).err().unwrap_or_default();
    assert_eq!(found.iter().map(|f| f.code.as_str()).collect::<Vec<_>>(), ["TRN_013"]);
}

#[test]
fn the_same_consignment_split_and_reordered_shows_no_difference() {
    assert_eq!(compare(&checked(), &same_as_announced(), &Tolerances::default()), vec![]);
}

#[test]
fn another_subheading_is_an_hs_difference() {
    let mut later = same_as_announced();
    later.items[1].hs6 = "620343".into();
    let d = compare(&checked(), &later, &Tolerances::default());
    assert_eq!(
        d,
        vec![Difference::HsCode { announced_only: vec!["620342".into()], declared_only: vec!["620343".into()] }]
    );
    assert_eq!(d[0].kind(), "hs_code");
}

#[test]
fn mass_and_value_differ_only_beyond_the_tolerance() {
    let tol = Tolerances::default();
    let mut later = same_as_announced();
    // 5 % of 1000 kg is 50 kg: 1050 kg is within, 1050.001 kg is not.
    later.items[2].gross_mass = dec!(450);
    assert_eq!(compare(&checked(), &later, &tol), vec![]);
    later.items[2].gross_mass = dec!(450.001);
    let d = compare(&checked(), &later, &tol);
    assert_eq!(
        d,
        vec![Difference::GrossMass {
            hs6: Some("851713".into()),
            announced: dec!(1000),
            declared: dec!(1050.001),
            tolerance: dec!(50.00)
        }]
    );
    // A small consignment: 1 kg absolute tolerance wins over 5 % of 2 kg.
    let tiny = Tolerances { mass_fraction: dec!(0.05), mass_kg: dec!(1), ..tol };
    assert_eq!(tolerance(dec!(2), tiny.mass_fraction, tiny.mass_kg), dec!(1));

    let mut later = same_as_announced();
    later.items[1].value = dec!(8000);
    later.items.push(later_item("620342", dec!(0.001), dec!(100), "USD"));
    let d = compare(&checked(), &later, &tol);
    assert_eq!(
        d,
        vec![
            Difference::Value {
                hs6: "620342".into(),
                currency: CurrencyCode::parse("EUR").unwrap_or_else(|| panic!()),
                announced: Some(dec!(10000)),
                declared: Some(dec!(8000))
            },
            Difference::Value {
                hs6: "620342".into(),
                currency: CurrencyCode::parse("USD").unwrap_or_else(|| panic!()),
                announced: None,
                declared: Some(dec!(100))
            },
        ]
    );
    assert!(d.iter().all(|x| x.kind() == "value"));
}

#[test]
fn mass_moved_to_another_subheading_shows_in_the_total() {
    let mut later = same_as_announced();
    later.items.push(later_item("940360", dec!(300), dec!(1), "EUR"));
    let d = compare(&checked(), &later, &Tolerances::default());
    assert_eq!(d.iter().map(Difference::kind).collect::<Vec<_>>(), ["hs_code", "gross_mass"]);
    assert!(
        matches!(&d[1], Difference::GrossMass { hs6: None, announced, declared, .. } if *announced == dec!(1500) && *declared == dec!(1800))
    );
}

#[test]
fn another_party_is_a_difference_and_a_role_not_named_later_is_not_compared() {
    let mut later = same_as_announced();
    later.parties.insert(Role::Consignee, "DE999999999".into());
    let d = compare(&checked(), &later, &Tolerances::default());
    assert_eq!(
        d,
        vec![Difference::Party {
            role: Role::Consignee,
            announced: "DE123456789012345".into(),
            declared: "DE999999999".into()
        }]
    );
    later.parties.clear();
    assert_eq!(compare(&checked(), &later, &Tolerances::default()), vec![]);
}

#[test]
fn the_later_transit_or_goods_declaration_gives_its_items_and_parties() {
    let transit = crate::transit::check(
        &crate::transit::check::tests::valid(),
        &crate::transit::TransitContext { now: NOW, offices: Arc::from([]) },
    )
    .unwrap_or_else(|f| panic!("{f:#?}"))
    .declaration;
    let later = Later::of_transit(&transit);
    assert_eq!(later.items.len(), 2);
    assert_eq!(later.parties.get(&Role::Carrier).map(String::as_str), Some("PL5260250274"));
    let d = compare(&checked(), &later, &Tolerances::default());
    // The transit carries 1200.5 kg of phones for 250,000 EUR, the announcement 1000 kg for 200,000.
    assert!(d.iter().any(|x| matches!(x, Difference::GrossMass { hs6: Some(h), .. } if h == "851713")));
    assert!(d.iter().any(|x| matches!(x, Difference::Value { hs6, .. } if hs6 == "851713")));
    assert!(!d.iter().any(|x| x.kind() == "party"));
}

#[test]
fn the_preliminary_decision_takes_the_strongest_form_and_the_border_when_asked() {
    let ind = |control, place, code: &str| Indication {
        control,
        place,
        code: code.into(),
        reason: format!("because of {code}"),
    };
    let none = preliminary_decision(&[]);
    assert_eq!((none.control, none.place, none.reasons.len()), (FormOfControl::None, None, 0));
    let d = preliminary_decision(&[
        ind(FormOfControl::Documents, Place::Border, "P-DOCS"),
        ind(FormOfControl::Inspection, Place::Inland, "P-VALUE"),
    ]);
    assert_eq!((d.control, d.place), (FormOfControl::Inspection, Some(Place::Inland)));
    assert_eq!(d.reasons.iter().map(|r| r.code.as_str()).collect::<Vec<_>>(), ["P-VALUE"]);
    let d = preliminary_decision(&[
        ind(FormOfControl::Inspection, Place::Inland, "P-VALUE"),
        ind(FormOfControl::Inspection, Place::Border, "P-WEAPONS"),
    ]);
    assert_eq!((d.control, d.place, d.reasons.len()), (FormOfControl::Inspection, Some(Place::Border), 2));
    let json = serde_json::to_value(&d).unwrap_or_default();
    assert_eq!(json["control"], "inspection");
    assert_eq!(json["place"], "border");
}

proptest! {
    /// A consignment compared with itself shows no difference, however its items are split.
    #[test]
    fn a_consignment_equals_itself_however_split(parts in proptest::collection::vec(1i64..1000, 1..6)) {
        let pre = checked();
        let mut later = same_as_announced();
        let total: i64 = parts.iter().sum();
        later.items.retain(|i| i.hs6 != "851713");
        for p in &parts {
            later.items.push(later_item("851713", Decimal::new(1000 * p, 0) / Decimal::from(total), Decimal::new(200_000 * p, 0) / Decimal::from(total), "EUR"));
        }
        prop_assert_eq!(compare(&pre, &later, &Tolerances::default()), vec![]);
    }
}
