use rust_decimal_macros::dec;

use super::*;
use crate::traceability::fixtures::{
    after, back_to, batch, doc, fridges, ok, q, refused, sale, t, transfer, write_off, RELEASED,
};
use crate::traceability::{parse, replay, WriteOffReason};

fn opened() -> BatchState {
    BatchState::opened(fridges(dec!(100)))
}

#[test]
fn at_release_the_importer_holds_everything() {
    let s = opened();
    assert_eq!(s.balance(&t("IMP")), dec!(100));
    assert_eq!(s.balance(&t("NOBODY")), dec!(0));
    assert_eq!((s.exported(), s.written_off(), s.movements(), s.last_at()), (dec!(0), dec!(0), 0, RELEASED));
    assert!(s.is_conserved() && !s.is_closed());
}

#[test]
fn a_sale_moves_the_quantity_to_the_buyer_and_records_both_balances() {
    let s = opened();
    let a = ok(&s, &transfer(&s, "IMP", sale("SHOP"), dec!(30), "INV-1"), after(5));
    assert_eq!(a.state.balance(&t("IMP")), dec!(70));
    assert_eq!(a.state.balance(&t("SHOP")), dec!(30));
    assert_eq!(a.movement.number, 1);
    assert_eq!((a.movement.from.as_str(), a.movement.to().map(TraderId::as_str)), ("IMP", Some("SHOP")));
    assert_eq!((a.movement.from_balance, a.movement.to_balance), (dec!(70), Some(dec!(30))));
    assert_eq!(a.movement.at, after(5));
    assert_eq!(a.state.sale(&t("IMP"), &t("SHOP"), &doc("INV-1")).map(|s| s.sold), Some(dec!(30)));
    assert!(a.state.is_conserved());
}

#[test]
fn selling_everything_removes_the_seller_from_the_holders() {
    let s = opened();
    let a = ok(&s, &transfer(&s, "IMP", sale("SHOP"), dec!(100), "INV-1"), after(1));
    assert_eq!(
        a.state.holders().map(|(t, q)| (t.as_str().to_string(), q)).collect::<Vec<_>>(),
        [("SHOP".into(), dec!(100))]
    );
    assert_eq!(refused(&a.state, &transfer(&a.state, "IMP", sale("X"), dec!(1), "INV-2"), after(2)), "TRC_032");
}

#[test]
fn more_than_the_balance_is_refused_with_what_is_held_and_asked() {
    let s = opened();
    let Err(r) = apply(&s, &transfer(&s, "IMP", sale("SHOP"), dec!(101), "INV-1"), after(1)) else {
        panic!("a sale beyond the balance must be refused")
    };
    assert_eq!(r.code(), "TRC_033");
    assert_eq!(r.reason, Refusal::InsufficientBalance { held: dec!(100), asked: dec!(101), unit: Unit::Pieces });
    assert_eq!(r.message(), "Batch 10005000/260309/0000042/001: 101 p/st asked, but only 100 p/st held.");
    let f = r.to_finding(2);
    assert_eq!((f.code.as_str(), f.path.as_str()), ("TRC_033", "$.lines[2].quantity"));
    assert_eq!(f.args.get("held").map(String::as_str), Some("100"));
}

#[test]
fn only_a_holder_can_transfer() {
    let s = opened();
    assert_eq!(refused(&s, &transfer(&s, "SHOP", sale("OTHER"), dec!(1), "INV-1"), after(1)), "TRC_032");
    assert_eq!(refused(&s, &transfer(&s, "SHOP", Operation::Export, dec!(1), "EX-1"), after(1)), "TRC_032");
}

#[test]
fn a_sale_or_return_to_oneself_is_refused() {
    let s = opened();
    let r = apply(&s, &transfer(&s, "IMP", sale("IMP"), dec!(1), "INV-1"), after(1));
    assert_eq!(r.as_ref().err().map(Refused::code), Some("TRC_035"));
    assert_eq!(r.err().map(|r| r.to_finding(0).path), Some("$.buyer".into()));
    let r = apply(&s, &transfer(&s, "IMP", back_to("IMP", "INV-1"), dec!(1), "CN-1"), after(1));
    assert_eq!(r.err().map(|r| r.to_finding(0).path), Some("$.seller".into()));
}

#[test]
fn a_quantity_in_another_unit_is_refused() {
    let s = opened();
    let mut kg = transfer(&s, "IMP", Operation::Export, dec!(1), "EX-1");
    kg.quantity = q(dec!(1), Unit::Kilograms);
    assert_eq!(refused(&s, &kg, after(1)), "TRC_034");
}

#[test]
fn a_transfer_of_another_batch_is_refused() {
    let s = opened();
    let mut other = transfer(&s, "IMP", Operation::Export, dec!(1), "EX-1");
    other.batch = crate::traceability::fixtures::number(2);
    assert_eq!(refused(&s, &other, after(1)), "TRC_030");
}

#[test]
fn time_only_moves_forward() {
    let s = opened();
    let x = transfer(&s, "IMP", sale("SHOP"), dec!(1), "INV-1");
    assert_eq!(refused(&s, &x, after(-1)), "TRC_038");
    let a = ok(&s, &x, after(10));
    let y = transfer(&a.state, "SHOP", sale("END"), dec!(1), "INV-2");
    assert_eq!(refused(&a.state, &y, after(9)), "TRC_039");
    assert!(apply(&a.state, &y, after(10)).is_ok(), "two movements may share a time");
    assert!(apply(&s, &x, RELEASED).is_ok(), "a movement at the release is allowed");
}

#[test]
fn exports_and_write_offs_leave_circulation_and_close_the_batch_at_the_end() {
    let s = opened();
    let a = ok(&s, &transfer(&s, "IMP", sale("SHOP"), dec!(40), "INV-1"), after(1)).state;
    let b = ok(&a, &transfer(&a, "IMP", Operation::Export, dec!(60), "10005000/260410/0000007"), after(2));
    assert_eq!((b.movement.to(), b.movement.to_balance), (None, None));
    let b = b.state;
    assert_eq!(b.exported(), dec!(60));
    let c = ok(&b, &transfer(&b, "SHOP", write_off(WriteOffReason::Destroyed), dec!(40), "ACT-1"), after(3)).state;
    assert_eq!((c.written_off(), c.in_circulation()), (dec!(40), dec!(0)));
    assert!(c.is_closed() && c.is_conserved());
    assert_eq!(refused(&c, &transfer(&c, "SHOP", Operation::Export, dec!(1), "EX-9"), after(4)), "TRC_031");
    assert!(c.summary().closed);
}

#[test]
fn a_return_takes_back_at_most_what_the_sale_delivered() {
    let s = opened();
    let a = ok(&s, &transfer(&s, "IMP", sale("SHOP"), dec!(10), "INV-1"), after(1)).state;
    let b = ok(&a, &transfer(&a, "SHOP", back_to("IMP", "INV-1"), dec!(4), "CN-1"), after(2)).state;
    assert_eq!((b.balance(&t("IMP")), b.balance(&t("SHOP"))), (dec!(94), dec!(6)));
    let tally = b.sale(&t("IMP"), &t("SHOP"), &doc("INV-1")).unwrap_or_default();
    assert_eq!((tally.sold, tally.returned), (dec!(10), dec!(4)));
    // The shop holds enough (a second sale), but the first sale has only 6 left to return.
    let b = ok(&b, &transfer(&b, "IMP", sale("SHOP"), dec!(5), "INV-2"), after(2)).state;
    let too_much = transfer(&b, "SHOP", back_to("IMP", "INV-1"), dec!(7), "CN-2");
    let Err(r) = apply(&b, &too_much, after(3)) else { panic!("a return beyond the sale must be refused") };
    assert_eq!(r.reason, Refusal::ReturnExceedsSale { sold: dec!(10), returned: dec!(4), asked: dec!(7) });
    assert!(apply(&b, &transfer(&b, "SHOP", back_to("IMP", "INV-1"), dec!(6), "CN-2"), after(3)).is_ok());
}

#[test]
fn a_return_must_name_a_sale_to_the_trader_returning() {
    let s = opened();
    let a = ok(&s, &transfer(&s, "IMP", sale("SHOP"), dec!(10), "INV-1"), after(1)).state;
    for (seller, document) in [("IMP", "INV-2"), ("OTHER", "INV-1")] {
        let x = transfer(&a, "SHOP", back_to(seller, document), dec!(1), "CN-1");
        assert_eq!(refused(&a, &x, after(2)), "TRC_036", "{seller} {document}");
    }
    // The importer cannot "return" goods it was never sold.
    assert_eq!(refused(&a, &transfer(&a, "IMP", back_to("SHOP", "INV-1"), dec!(1), "CN-1"), after(2)), "TRC_036");
}

#[test]
fn kilograms_move_in_grams() {
    let s = BatchState::opened(batch(2, "160431", q(dec!(12.5), Unit::Kilograms)));
    let a = ok(&s, &transfer(&s, "IMP", sale("DELI"), dec!(0.125), "INV-1"), after(1)).state;
    assert_eq!((a.balance(&t("IMP")), a.balance(&t("DELI"))), (dec!(12.375), dec!(0.125)));
    assert!(a.is_conserved());
}

#[test]
fn a_report_applies_whole_or_not_at_all() {
    let first = opened();
    let second = BatchState::opened(batch(2, "845011", q(dec!(5), Unit::Pieces)));
    let states = std::collections::BTreeMap::from([
        (first.batch().number.clone(), first.clone()),
        (second.batch().number.clone(), second.clone()),
    ]);
    let body = |q1: u32, q2: u32| {
        format!(
            r#"{{"kind":"sale","document":"INV-9","buyer":"SHOP","lines":[
            {{"batch":"10005000/260309/0000042/001","quantity":{q1},"unit":"NAR"}},
            {{"batch":"10005000/260309/0000042/002","quantity":{q2},"unit":"NAR"}}]}}"#
        )
    };
    let report = parse(body(10, 5).as_bytes(), &t("IMP")).unwrap_or_else(|e| panic!("{e:?}"));
    let applied = apply_report(&report, |n| states.get(n), after(1)).unwrap_or_else(|e| panic!("{e:?}"));
    assert_eq!(applied.len(), 2);
    assert!(!applied[1].state.is_closed() && applied[1].state.balance(&t("SHOP")) == dec!(5));
    let report = parse(body(10, 6).as_bytes(), &t("IMP")).unwrap_or_else(|e| panic!("{e:?}"));
    let found = apply_report(&report, |n| states.get(n), after(1)).err().unwrap_or_default();
    let paths: Vec<(&str, &str)> = found.iter().map(|f| (f.code.as_str(), f.path.as_str())).collect();
    assert_eq!(paths, [("TRC_033", "$.lines[1].quantity")]);
    let found = apply_report(&report, |_| None, after(1)).err().unwrap_or_default();
    assert_eq!(found.iter().map(|f| f.code.as_str()).collect::<Vec<_>>(), ["TRC_030", "TRC_030"]);
    let to_self = parse(body(1, 1).replace("SHOP", "IMP").as_bytes(), &t("IMP")).unwrap_or_else(|e| panic!("{e:?}"));
    let found = apply_report(&to_self, |n| states.get(n), after(1)).err().unwrap_or_default();
    assert_eq!(found.len(), 1, "a sale to oneself is said once: {found:?}");
}

#[test]
fn a_history_replays_to_the_same_state_and_a_tampered_one_does_not() {
    let s = opened();
    let steps = [
        transfer(&s, "IMP", sale("SHOP"), dec!(30), "INV-1"),
        transfer(&s, "SHOP", back_to("IMP", "INV-1"), dec!(5), "CN-1"),
        transfer(&s, "SHOP", Operation::Export, dec!(20), "EX-1"),
        transfer(&s, "IMP", write_off(WriteOffReason::Lost), dec!(3), "ACT-1"),
    ];
    let (mut state, mut history) = (s.clone(), Vec::new());
    for (i, x) in steps.iter().enumerate() {
        let a = ok(&state, x, after(i as i64));
        history.push(a.movement);
        state = a.state;
    }
    assert_eq!(replay(s.batch(), &history), Ok(state));
    let mut tampered = history.clone();
    tampered[2].from_balance = dec!(99);
    assert_eq!(replay(s.batch(), &tampered).map_err(|e| (e.code, e.movement)), Err(("TRC_052", 3)));
    let mut gap = history.clone();
    gap.remove(1);
    assert_eq!(replay(s.batch(), &gap).map_err(|e| e.code), Err("TRC_051"));
    let mut refused_on_replay = history.clone();
    refused_on_replay[0].quantity = q(dec!(101), Unit::Pieces);
    let e = replay(s.batch(), &refused_on_replay).err();
    assert_eq!(e.map(|e| (e.code, e.refusal)), Some(("TRC_050", Some("TRC_033"))));
}

#[test]
fn a_movement_reads_back_as_written() -> Result<(), serde_json::Error> {
    let s = opened();
    let a = ok(&s, &transfer(&s, "IMP", write_off(WriteOffReason::Destroyed), dec!(2), "ACT-1"), after(1));
    let json = serde_json::to_string(&a.movement)?;
    assert!(
        json.contains(r#""operation":{"kind":"write_off","reason":"destroyed","note":"Dropped from the forklift"}"#),
        "{json}"
    );
    assert_eq!(serde_json::from_str::<Movement>(&json)?, a.movement);
    Ok(())
}
