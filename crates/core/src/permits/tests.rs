use chrono::NaiveDate;
use rust_decimal_macros::dec;

use super::*;
use crate::declaration::Document;
use crate::traceability::fixtures::{declaration, item};

const HOLDER: &str = "DE987654321000000";

fn day(d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 3, d).unwrap_or_default()
}

fn vet_rule() -> Requirement {
    Requirement {
        id: 7,
        agency: "VET".into(),
        document_kind: "VET".into(),
        hs_prefix: "0207".into(),
        origins: vec![],
        procedures: vec!["4000".into()],
        valid_from: day(1),
        valid_to: None,
        on_missing: OnMissing::Refuse,
    }
}

fn permit(number: &str, quantity: i64) -> Permit {
    Permit {
        number: number.into(),
        agency: "VET".into(),
        kind: "VET".into(),
        holder: HOLDER.into(),
        hs_prefixes: vec!["0207".into()],
        unit: "kg".into(),
        quantity: Milli(quantity * 1000),
        reserved: Milli(0),
        drawn: Milli(0),
        valid_from: day(1),
        valid_to: day(31),
        status: PermitStatus::Active,
    }
}

fn poultry(sequence: u32, reference: Option<&str>) -> crate::declaration::GoodsItem {
    let mut i = item(sequence, "020714", dec!(10), "PCE");
    if let Some(number) = reference {
        i.documents.push(Document { kind: "VET".into(), number: number.into() });
    }
    i
}

fn codes(reasons: &[Reason]) -> Vec<&str> {
    reasons.iter().map(|r| r.code.as_str()).collect()
}

#[test]
fn a_requirement_concerns_goods_by_prefix_origin_procedure_and_date() {
    let d = declaration(vec![poultry(1, None), item(2, "850440", dec!(1), "PCE")]);
    let needs = needs(&d, &[vet_rule()], day(9));
    assert_eq!(needs.len(), 1, "only the poultry needs a certificate");
    assert_eq!((needs[0].item, needs[0].kind.as_str(), needs[0].number.as_deref()), (1, "VET", None));

    let mut other_origin = vet_rule();
    other_origin.origins = vec!["BR".into()];
    let mut expired = vet_rule();
    expired.valid_to = Some(day(8));
    let mut export_only = vet_rule();
    export_only.procedures = vec!["1000".into()];
    assert!(super::needs(&d, &[other_origin, expired, export_only], day(9)).is_empty());
}

#[test]
fn two_requirements_for_one_kind_make_one_need() {
    let mut wider = vet_rule();
    wider.id = 8;
    wider.hs_prefix = "02".into();
    let d = declaration(vec![poultry(1, Some("V-1"))]);
    let needs = needs(&d, &[vet_rule(), wider], day(9));
    assert_eq!(needs.len(), 1);
    assert_eq!(needs[0].number.as_deref(), Some("V-1"));
}

#[test]
fn a_valid_permit_is_reserved_then_drawn_or_restored() {
    let d = declaration(vec![poultry(1, Some("V-1"))]);
    let needs = needs(&d, &[vet_rule()], day(9));
    let mut levels = Levels::new([permit("V-1", 1200)]);
    let draws = levels.take(&needs, HOLDER, day(9), false).unwrap_or_else(|r| panic!("{r:?}")).draws;
    assert_eq!(draws, vec![Draw { permit: "V-1".into(), item: 1, quantity: Milli(500_000) }], "net mass in kg");
    let p = levels.get("V-1").cloned().unwrap_or_else(|| panic!("read"));
    assert_eq!((p.reserved, p.drawn, p.remaining()), (Milli(500_000), Milli(0), Milli(700_000)));

    let mut released = levels.clone();
    released.settle(&draws, Settlement::Drawn);
    let p = released.get("V-1").cloned().unwrap_or_else(|| panic!("read"));
    assert_eq!((p.reserved, p.drawn, p.remaining()), (Milli(0), Milli(500_000), Milli(700_000)));

    levels.settle(&draws, Settlement::Restored);
    let p = levels.get("V-1").cloned().unwrap_or_else(|| panic!("read"));
    assert_eq!((p.reserved, p.drawn, p.remaining()), (Milli(0), Milli(0), Milli(1_200_000)));
    assert_eq!(levels.changed().len(), 1);
}

#[test]
fn a_release_at_registration_draws_at_once() {
    let needs = needs(&declaration(vec![poultry(1, Some("V-1"))]), &[vet_rule()], day(9));
    let mut levels = Levels::new([permit("V-1", 1200)]);
    assert!(levels.take(&needs, HOLDER, day(9), true).is_ok());
    let p = levels.get("V-1").cloned().unwrap_or_else(|| panic!("read"));
    assert_eq!((p.reserved, p.drawn), (Milli(0), Milli(500_000)));
}

#[test]
fn the_quantity_left_is_shared_by_every_declaration_and_item() {
    let two_items = declaration(vec![poultry(1, Some("V-1")), poultry(2, Some("V-1"))]);
    let needs = needs(&two_items, &[vet_rule()], day(9));
    let mut levels = Levels::new([permit("V-1", 900)]);
    let refused = levels.take(&needs, HOLDER, day(9), false).err().unwrap_or_default();
    assert_eq!(codes(&refused), ["SW_008", "SW_008"], "1,000 kg asked of 900");
    assert_eq!(levels.get("V-1").map(Permit::remaining), Some(Milli(900_000)), "nothing moved");

    let one = super::needs(&declaration(vec![poultry(1, Some("V-1"))]), &[vet_rule()], day(9));
    assert!(levels.take(&one, HOLDER, day(9), false).is_ok());
    let second = levels.take(&one, HOLDER, day(9), false).err().unwrap_or_default();
    assert_eq!(codes(&second), ["SW_008"], "400 kg left, 500 asked");
    assert_eq!(second[0].args.get("remaining").map(String::as_str), Some("400"));
}

#[test]
fn every_fault_of_a_document_has_its_own_reason() {
    let check = |p: Permit, reference: Option<&str>| {
        let needs = needs(&declaration(vec![poultry(1, reference)]), &[vet_rule()], day(9));
        let refused = Levels::new([p]).take(&needs, HOLDER, day(9), false).err().unwrap_or_default();
        codes(&refused).join(",")
    };
    assert_eq!(check(permit("V-1", 1000), None), "SW_001");
    assert_eq!(check(permit("V-1", 1000), Some("V-2")), "SW_002");
    let mut phyto = permit("V-1", 1000);
    phyto.kind = "PHYTO".into();
    assert_eq!(check(phyto, Some("V-1")), "SW_002", "a document of another kind does not serve");
    let mut theirs = permit("V-1", 1000);
    theirs.holder = "FR1".into();
    assert_eq!(check(theirs, Some("V-1")), "SW_003");
    let mut expired = permit("V-1", 1000);
    expired.valid_to = day(8);
    assert_eq!(check(expired, Some("V-1")), "SW_004");
    for status in [PermitStatus::Suspended, PermitStatus::Revoked] {
        let mut p = permit("V-1", 1000);
        p.status = status;
        assert_eq!(check(p, Some("V-1")), "SW_005");
    }
    let mut beef_only = permit("V-1", 1000);
    beef_only.hs_prefixes = vec!["0201".into()];
    assert_eq!(check(beef_only, Some("V-1")), "SW_006");
    let mut litres = permit("V-1", 1000);
    litres.unit = "l".into();
    assert_eq!(check(litres, Some("V-1")), "SW_007");
    let mut pieces = permit("V-1", 10);
    pieces.unit = "pce".into();
    assert_eq!(check(pieces, Some("V-1")), "", "10 pieces declared, 10 granted");
}

#[test]
fn a_refusal_names_the_item_and_its_documents() {
    let needs = needs(&declaration(vec![item(1, "850440", dec!(1), "PCE"), poultry(2, None)]), &[vet_rule()], day(9));
    let refused = Levels::default().take(&needs, HOLDER, day(9), false).err().unwrap_or_default();
    assert_eq!(refused[0].path.as_deref(), Some("$.items[1].documents"));
    assert_eq!(refused[0].args.get("item").map(String::as_str), Some("2"));
}

#[test]
fn quantities_are_exact_thousandths() {
    assert_eq!(Milli::exact(dec!(12.345)), Some(Milli(12_345)));
    assert_eq!(Milli::exact(dec!(0.0001)), None);
    assert_eq!(Milli::drawn(dec!(0.0001)), Some(Milli(1)), "a declaration draws at least what it declares");
    assert_eq!(Milli(1_500).to_string(), "1.5");
    assert_eq!(PermitStatus::parse("suspended"), Some(PermitStatus::Suspended));
}

#[test]
fn an_agency_changes_its_document_within_what_declarations_used() {
    let mut p = permit("V-1", 1000);
    p.reserved = Milli(300_000);
    p.drawn = Milli(200_000);
    let amend = |q: i64| Change::Amend { quantity: Some(Milli(q)), valid_to: None, hs_prefixes: None };
    assert_eq!(p.changed(&amend(500_000)).map(|n| n.remaining()), Ok(Milli(0)));
    assert!(matches!(p.changed(&amend(499_999)), Err(ChangeRefused::BelowUsed { .. })));
    let early = Change::Amend {
        quantity: None,
        valid_to: Some(NaiveDate::from_ymd_opt(2026, 2, 1).unwrap_or_default()),
        hs_prefixes: None,
    };
    assert!(matches!(p.changed(&early), Err(ChangeRefused::EndsBeforeStart { .. })));

    let suspended = p.changed(&Change::Suspend).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(suspended.status, PermitStatus::Suspended);
    assert!(matches!(suspended.changed(&Change::Suspend), Err(ChangeRefused::WrongStatus { .. })));
    assert_eq!(suspended.changed(&Change::Reinstate).map(|n| n.status), Ok(PermitStatus::Active));
    let revoked = suspended.changed(&Change::Revoke).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(revoked.changed(&Change::Reinstate), Err(ChangeRefused::Revoked("V-1".into())));
    assert!(valid_hs_prefix("0207") && !valid_hs_prefix("2") && !valid_hs_prefix("02a7"));
}

mod properties {
    use proptest::prelude::*;

    use super::*;

    #[derive(Debug, Clone)]
    enum Op {
        /// A declaration asking this many kg.
        Take(u16),
        /// The n-th open reservation ends.
        Settle(usize, bool),
    }

    fn ops() -> impl Strategy<Value = Vec<Op>> {
        prop::collection::vec(
            prop_oneof![(1u16..400).prop_map(Op::Take), (0usize..8, any::<bool>()).prop_map(|(n, r)| Op::Settle(n, r))],
            1..60,
        )
    }

    proptest! {
        /// However declarations reserve, draw and restore, a document never gives more than
        /// it grants, a declaration is refused exactly when it asks more than is left, and the
        /// document's figures equal the sum of its open and drawn draws.
        #[test]
        fn a_document_never_gives_more_than_it_grants(ops in ops()) {
            let mut levels = Levels::new([permit("V-1", 1000)]);
            let (mut open, mut drawn): (Vec<Vec<Draw>>, i64) = (Vec::new(), 0);
            for op in ops {
                match op {
                    Op::Take(kg) => {
                        let mut item = poultry(1, Some("V-1"));
                        item.net_mass = rust_decimal::Decimal::from(kg);
                        let needs = needs(&declaration(vec![item]), &[vet_rule()], day(9));
                        let left = levels.get("V-1").map(Permit::remaining).unwrap_or_default();
                        match levels.take(&needs, HOLDER, day(9), false) {
                            Ok(taken) => {
                                prop_assert!(i64::from(kg) * 1000 <= left.0);
                                prop_assert!(taken.referrals.is_empty());
                                open.push(taken.draws);
                            }
                            Err(reasons) => {
                                prop_assert!(i64::from(kg) * 1000 > left.0);
                                prop_assert_eq!(codes(&reasons), vec!["SW_008"]);
                            }
                        }
                    }
                    Op::Settle(n, release) if n < open.len() => {
                        let draws = open.remove(n);
                        let how = if release { Settlement::Drawn } else { Settlement::Restored };
                        levels.settle(&draws, how);
                        if release {
                            drawn += draws.iter().map(|d| d.quantity.0).sum::<i64>();
                        }
                    }
                    Op::Settle(..) => {}
                }
                let p = levels.get("V-1").cloned().unwrap_or_else(|| permit("gone", 0));
                let reserved: i64 = open.iter().flatten().map(|d| d.quantity.0).sum();
                prop_assert_eq!((p.reserved.0, p.drawn.0), (reserved, drawn));
                prop_assert!(p.remaining().0 >= 0 && p.reserved.0 + p.drawn.0 <= p.quantity.0);
            }
        }
    }
}

#[test]
fn a_requirement_that_refers_sends_missing_or_short_documents_to_its_agency() {
    let referring = Requirement { on_missing: OnMissing::Refer, ..vet_rule() };
    let missing = needs(&declaration(vec![poultry(1, None)]), std::slice::from_ref(&referring), day(9));
    assert!(missing[0].refer);
    let mut levels = Levels::new([permit("V-1", 900)]);
    let taken = levels.take(&missing, HOLDER, day(9), false).unwrap_or_else(|r| panic!("{r:?}"));
    assert!(taken.draws.is_empty());
    assert_eq!(taken.referrals.len(), 1);
    assert_eq!((taken.referrals[0].agency.as_str(), taken.referrals[0].reason.code.as_str()), ("VET", "SW_001"));

    // Not enough left: the item short of quantity is referred and draws nothing.
    let two = declaration(vec![poultry(1, Some("V-1")), poultry(2, Some("V-1"))]);
    let short = needs(&two, std::slice::from_ref(&referring), day(9));
    let taken = levels.take(&short, HOLDER, day(9), false).unwrap_or_else(|r| panic!("{r:?}"));
    assert_eq!(taken.referrals.iter().map(|r| r.reason.code.as_str()).collect::<Vec<_>>(), ["SW_008", "SW_008"]);
    assert!(taken.draws.is_empty());
    assert_eq!(levels.get("V-1").map(Permit::remaining), Some(Milli(900_000)), "nothing reserved");

    // A document of another trader still refuses: only missing and short documents are referred.
    let mut theirs = permit("V-2", 900);
    theirs.holder = "SOMEONE-ELSE".into();
    let mut levels = Levels::new([theirs]);
    let other = needs(&declaration(vec![poultry(1, Some("V-2"))]), &[referring], day(9));
    assert_eq!(codes(&levels.take(&other, HOLDER, day(9), false).err().unwrap_or_default()), ["SW_003"]);
}
