//! The stored form of a batch's state, so that the store reads one row per batch to apply a
//! report instead of replaying the batch's history every time. A snapshot is checked when it
//! is restored: what [`BatchState`] promises (balances above zero, the quantity conserved,
//! returns within their sales, time after the release) holds for every restored state too.

use std::collections::BTreeMap;

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::ids::TraderId;
use crate::timestamp::Timestamp;

use super::super::batch::Batch;
use super::super::codes::Code;
use super::super::history::ReplayError;
use super::super::transfer::DocumentRef;
use super::{BatchState, Holder, SaleKey, SaleTally};

/// A batch's state as stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Snapshot {
    /// The batch.
    pub batch: Batch,
    /// The holders, each once, with balances above zero.
    pub holders: Vec<Holder>,
    /// Exported so far.
    #[schema(value_type = String)]
    pub exported: Decimal,
    /// Written off so far.
    #[schema(value_type = String)]
    pub written_off: Decimal,
    /// The sales of the batch, for the returns to come.
    pub sales: Vec<SaleRecord>,
    /// Movements since release.
    pub movements: u32,
    /// Time of the last movement, or of the release.
    #[schema(value_type = i64)]
    pub last_at: Timestamp,
}

/// A sale as stored in a snapshot.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct SaleRecord {
    /// The seller.
    pub seller: TraderId,
    /// The buyer.
    pub buyer: TraderId,
    /// The sale's document.
    pub document: DocumentRef,
    /// Delivered under it.
    #[schema(value_type = String)]
    pub sold: Decimal,
    /// Returned of it.
    #[schema(value_type = String)]
    pub returned: Decimal,
}

impl BatchState {
    /// The state as stored.
    pub fn snapshot(&self) -> Snapshot {
        Snapshot {
            batch: self.batch.clone(),
            holders: self.holders().map(|(trader, quantity)| Holder { trader: trader.clone(), quantity }).collect(),
            exported: self.exported,
            written_off: self.written_off,
            sales: self
                .sales
                .iter()
                .map(|(key, tally)| SaleRecord {
                    seller: key.seller.clone(),
                    buyer: key.buyer.clone(),
                    document: key.document.clone(),
                    sold: tally.sold,
                    returned: tally.returned,
                })
                .collect(),
            movements: self.movements,
            last_at: self.last_at,
        }
    }

    /// The state a snapshot holds, when it is one [`super::apply`] could have left.
    ///
    /// # Errors
    ///
    /// `TRC_053` when a holder is listed twice or holds zero or less, a total is negative,
    /// the quantity is not conserved, a sale returned more than it sold, or the last movement
    /// is before the release.
    pub fn restore(snapshot: Snapshot) -> Result<BatchState, ReplayError> {
        let movement = snapshot.movements;
        let inconsistent =
            |message: String| ReplayError { code: Code::SnapshotInconsistent.code(), movement, refusal: None, message };
        let mut balances = BTreeMap::new();
        for h in snapshot.holders {
            if h.quantity <= Decimal::ZERO {
                return Err(inconsistent(format!("{} holds {}", h.trader, h.quantity)));
            }
            if let Some(twice) = balances.insert(h.trader.clone(), h.quantity) {
                return Err(inconsistent(format!("{} is listed twice (also with {twice})", h.trader)));
            }
        }
        let mut sales = BTreeMap::new();
        for s in snapshot.sales {
            if s.sold <= Decimal::ZERO || s.returned < Decimal::ZERO || s.returned > s.sold {
                return Err(inconsistent(format!("the sale {} returned {} of {}", s.document, s.returned, s.sold)));
            }
            let key = SaleKey { seller: s.seller, buyer: s.buyer, document: s.document };
            if sales.insert(key, SaleTally { sold: s.sold, returned: s.returned }).is_some() {
                return Err(inconsistent("a sale is listed twice".into()));
            }
        }
        if snapshot.exported < Decimal::ZERO || snapshot.written_off < Decimal::ZERO {
            return Err(inconsistent("a total is negative".into()));
        }
        if snapshot.last_at < snapshot.batch.released_at {
            return Err(inconsistent(format!(
                "the last movement at {} is before the release",
                snapshot.last_at.rfc3339()
            )));
        }
        let state = BatchState {
            batch: snapshot.batch,
            balances,
            exported: snapshot.exported,
            written_off: snapshot.written_off,
            sales,
            movements: snapshot.movements,
            last_at: snapshot.last_at,
        };
        if !state.is_conserved() {
            return Err(inconsistent(format!(
                "{} held, {} exported and {} written off do not add up to the {} released",
                state.in_circulation(),
                state.exported,
                state.written_off,
                state.batch.initial.amount()
            )));
        }
        Ok(state)
    }
}

#[cfg(test)]
mod tests {
    use rust_decimal_macros::dec;

    use super::*;
    use crate::traceability::fixtures::{after, back_to, fridges, ok, sale, t, transfer};

    fn state() -> BatchState {
        let s = BatchState::opened(fridges(dec!(10)));
        let s = ok(&s, &transfer(&s, "IMP", sale("SHOP"), dec!(4), "INV-1"), after(1)).state;
        ok(&s, &transfer(&s, "SHOP", back_to("IMP", "INV-1"), dec!(1), "CN-1"), after(2)).state
    }

    #[test]
    fn a_snapshot_restores_the_same_state_and_reads_back_as_written() -> Result<(), serde_json::Error> {
        let s = state();
        let json = serde_json::to_string(&s.snapshot())?;
        let back: Snapshot = serde_json::from_str(&json)?;
        assert_eq!(BatchState::restore(back), Ok(s));
        Ok(())
    }

    #[test]
    fn an_inconsistent_snapshot_is_refused() {
        let tamper: [fn(&mut Snapshot); 6] = [
            |s| s.holders[0].quantity += dec!(1),
            |s| s.holders[0].quantity = dec!(0),
            |s| s.holders.push(s.holders[0].clone()),
            |s| s.sales[0].returned = dec!(5),
            |s| s.exported = dec!(-1),
            |s| s.last_at = Timestamp::EPOCH,
        ];
        for (i, change) in tamper.iter().enumerate() {
            let mut snapshot = state().snapshot();
            change(&mut snapshot);
            let restored = BatchState::restore(snapshot).map_err(|e| e.code);
            assert_eq!(restored, Err("TRC_053"), "tampering {i}");
        }
        assert_eq!(state().snapshot().holders[0].trader, t("IMP"));
    }
}
