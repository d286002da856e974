//! Property tests of the batch fold: whatever traders report, in whatever order, balances stay
//! above zero, the quantity released is conserved, a refusal changes nothing, the history of
//! accepted movements replays to the state and every state restores from its snapshot; and
//! the holdings view adds up.

use proptest::prelude::*;
use rust_decimal::Decimal;
use rust_decimal_macros::dec;

use super::fixtures::{after, batch, doc, q, t};
use super::*;
use crate::ids::TraderId;

const TRADERS: [&str; 4] = ["IMP", "A", "B", "C"];

#[derive(Debug, Clone)]
enum Op {
    Sale { from: usize, to: usize, amount: i64, document: u8 },
    Return { from: usize, to: usize, amount: i64, document: u8 },
    Export { from: usize, amount: i64 },
    WriteOff { from: usize, amount: i64 },
}

/// An operation with a time step (sometimes backwards), whether it is aimed at a current
/// holder (and a return at a recorded sale) and, now and then, a wrong unit. Aiming most
/// operations keeps the accepted ones frequent; the others probe the refusals.
fn op() -> impl Strategy<Value = (Op, i64, bool, bool)> {
    let who = 0..TRADERS.len();
    let amount = 1i64..25;
    let op = prop_oneof![
        (who.clone(), who.clone(), amount.clone(), 0u8..3).prop_map(|(from, to, amount, document)| Op::Sale {
            from,
            to,
            amount,
            document
        }),
        (who.clone(), who.clone(), amount.clone(), 0u8..3).prop_map(|(from, to, amount, document)| Op::Return {
            from,
            to,
            amount,
            document
        }),
        (who.clone(), amount.clone()).prop_map(|(from, amount)| Op::Export { from, amount }),
        (who, amount).prop_map(|(from, amount)| Op::WriteOff { from, amount }),
    ];
    (op, -2i64..10, proptest::bool::weighted(0.8), proptest::bool::weighted(0.05))
}

fn to_transfer(state: &BatchState, op: &Op, aimed: bool, wrong_unit: bool) -> Transfer {
    let holders: Vec<TraderId> = state.holders().map(|(t, _)| t.clone()).collect();
    let sales = state.snapshot().sales;
    // An aimed operation is made by the `from`-th current holder instead of the `from`-th trader.
    let pick = |from: usize| match holders.get(from % holders.len().max(1)) {
        Some(holder) if aimed => holder.clone(),
        _ => t(TRADERS[from]),
    };
    let (holder, operation, amount, document) = match op {
        Op::Sale { from, to, amount, document } => {
            (pick(*from), Operation::Sale { buyer: t(TRADERS[*to]) }, *amount, format!("INV-{document}"))
        }
        Op::Return { from, to, amount, document } => {
            let (buyer, seller, sale_document) = match sales.get(*from % sales.len().max(1)) {
                Some(s) if aimed => (s.buyer.clone(), s.seller.clone(), s.document.clone()),
                _ => (t(TRADERS[*from]), t(TRADERS[*to]), doc(&format!("INV-{document}"))),
            };
            (buyer, Operation::Return { seller, sale_document }, *amount, format!("CN-{document}"))
        }
        Op::Export { from, amount } => (pick(*from), Operation::Export, *amount, "EX-1".to_string()),
        Op::WriteOff { from, amount } => (
            pick(*from),
            Operation::WriteOff {
                reason: WriteOffReason::Destroyed,
                note: Note::parse("Broken").unwrap_or_else(|| panic!("note")),
            },
            *amount,
            "ACT-1".to_string(),
        ),
    };
    let unit = if wrong_unit { Unit::Pairs } else { state.batch().unit() };
    Transfer {
        batch: state.batch().number.clone(),
        holder,
        operation,
        quantity: q(Decimal::from(amount), unit),
        document: doc(&document),
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    /// Random transfers, valid and not: balances never go below zero, the quantity released is
    /// conserved after every step, a refused transfer leaves the state as it was, and the
    /// accepted history replays to the final state.
    #[test]
    fn the_batch_fold_conserves_the_goods(initial in 1i64..300, ops in proptest::collection::vec(op(), 1..80)) {
        let opened = BatchState::opened(batch(1, "845011", q(Decimal::from(initial), Unit::Pieces)));
        let (mut state, mut history, mut minutes) = (opened.clone(), Vec::new(), 0i64);
        for (op, step, aimed, wrong_unit) in &ops {
            minutes += step;
            let transfer = to_transfer(&state, op, *aimed, *wrong_unit);
            let before = state.clone();
            match apply(&state, &transfer, after(minutes)) {
                Ok(applied) => {
                    prop_assert_eq!(applied.movement.number as usize, history.len() + 1);
                    prop_assert_eq!(applied.movement.from_balance, applied.state.balance(&transfer.holder));
                    history.push(applied.movement);
                    state = applied.state;
                }
                Err(refused) => {
                    prop_assert!(refused.code().starts_with("TRC_03"));
                    prop_assert_eq!(&state, &before);
                }
            }
            prop_assert!(state.holders().all(|(_, q)| q > Decimal::ZERO));
            prop_assert_eq!(
                state.in_circulation() + state.exported() + state.written_off(),
                Decimal::from(initial)
            );
            prop_assert!(state.is_conserved());
            prop_assert_eq!(state.is_closed(), state.in_circulation().is_zero());
            let restored = BatchState::restore(state.snapshot());
            prop_assert_eq!(restored.as_ref(), Ok(&state));
        }
        prop_assert_eq!(replay(opened.batch(), &history), Ok(state));
    }

    /// What a trader holds across batches is the sum of their balances, per goods and unit.
    #[test]
    fn holdings_add_up_the_balances(splits in proptest::collection::vec((1i64..50, 0i64..50, 0usize..3), 1..12)) {
        let codes = ["845011", "841810", "640391"];
        let mut states = Vec::new();
        for (i, (initial, sold, code)) in splits.iter().enumerate() {
            let unit = if *code == 2 { Unit::Pairs } else { Unit::Pieces };
            let item = u32::try_from(i + 1).unwrap_or(1);
            let opened = BatchState::opened(batch(item, codes[*code], q(Decimal::from(*initial), unit)));
            let sold = (*sold).min(*initial);
            let state = if sold == 0 {
                opened
            } else {
                let x = Transfer {
                    batch: opened.batch().number.clone(),
                    holder: t("IMP"),
                    operation: Operation::Sale { buyer: t("A") },
                    quantity: q(Decimal::from(sold), unit),
                    document: doc("INV-1"),
                };
                apply(&opened, &x, after(1)).map_err(|e| TestCaseError::fail(e.to_string()))?.state
            };
            states.push(state);
        }
        for trader in ["IMP", "A"] {
            let held = holdings(&t(trader), &states);
            let total: Decimal = held.iter().map(|h| h.quantity).sum();
            let expected: Decimal = states.iter().map(|s| s.balance(&t(trader))).sum();
            prop_assert_eq!(total, expected);
            prop_assert!(held.windows(2).all(|w| (&w[0].commodity_code, w[0].unit) < (&w[1].commodity_code, w[1].unit)));
            let batches: usize = held.iter().map(|h| h.batches.len()).sum();
            prop_assert_eq!(batches, states.iter().filter(|s| s.balance(&t(trader)) > Decimal::ZERO).count());
        }
    }
}

#[test]
fn holdings_sum_per_commodity_code_and_unit() {
    let fridges = BatchState::opened(batch(1, "8418102001", q(dec!(10), Unit::Pieces)));
    let more_fridges = BatchState::opened(batch(2, "8418102001", q(dec!(5), Unit::Pieces)));
    let shoes = BatchState::opened(batch(3, "640391", q(dec!(8), Unit::Pairs)));
    let held = holdings(&t("IMP"), [&fridges, &more_fridges, &shoes]);
    assert_eq!(held.len(), 2);
    assert_eq!((held[0].commodity_code.as_str(), held[0].unit, held[0].quantity), ("640391", Unit::Pairs, dec!(8)));
    assert_eq!((held[1].quantity, held[1].batches.len()), (dec!(15), 2));
    assert!(holdings(&t("NOBODY"), [&fridges]).is_empty());
}
