//! A batch's history read back: [`replay`] rebuilds the state from the release and the stored
//! movements, checking each step, and [`holdings`] sums what one trader holds across batches.
//!
//! Storage keeps the balances beside the history so that a transfer reads one row per batch;
//! `replay` is how it proves the two agree (the same way `ledger::verify` proves the cached
//! balances equal the sum of the postings).

use std::collections::BTreeMap;

use rust_decimal::Decimal;
use serde::Serialize;
use utoipa::ToSchema;

use crate::codes::HsCode;
use crate::ids::TraderId;

use super::batch::{Batch, BatchNumber};
use super::codes::Code;
use super::goods::Unit;
use super::state::{apply, BatchState, Movement};

/// Why a stored history does not replay.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct ReplayError {
    /// The stable code: `TRC_050`, `TRC_051` or `TRC_052`.
    pub code: &'static str,
    /// The number the movement should have had (its position, from 1).
    pub movement: u32,
    /// The refusal's own code, for `TRC_050`.
    pub refusal: Option<&'static str>,
    /// What is wrong.
    pub message: String,
}

impl std::fmt::Display for ReplayError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} at movement {}: {}", self.code, self.movement, self.message)
    }
}

impl std::error::Error for ReplayError {}

/// Rebuilds the state of `batch` from its release and `history`, the movements in the order
/// they were applied: the same state [`apply`] left after the last of them.
///
/// # Errors
///
/// The first movement that is out of sequence (`TRC_051`), refused (`TRC_050`, with the
/// refusal's code), or whose recorded balances differ from the computed ones (`TRC_052`).
pub fn replay(batch: &Batch, history: &[Movement]) -> Result<BatchState, ReplayError> {
    let mut state = BatchState::opened(batch.clone());
    for (i, recorded) in history.iter().enumerate() {
        let expected = state.movements().saturating_add(1);
        let error =
            |code: Code, refusal, message| ReplayError { code: code.code(), movement: expected, refusal, message };
        if recorded.number != expected {
            return Err(error(
                Code::ReplayNumbering,
                None,
                format!("movement {} of the history (position {}) is numbered {}", expected, i + 1, recorded.number),
            ));
        }
        let applied = apply(&state, &recorded.transfer(), recorded.at)
            .map_err(|refused| error(Code::ReplayRefused, Some(refused.code()), refused.message()))?;
        if applied.movement != *recorded {
            return Err(error(
                Code::ReplayBalances,
                None,
                format!(
                    "recorded balances after the movement are {} and {:?}; the replay gives {} and {:?}",
                    recorded.from_balance,
                    recorded.to_balance,
                    applied.movement.from_balance,
                    applied.movement.to_balance
                ),
            ));
        }
        state = applied.state;
    }
    Ok(state)
}

/// What one trader holds of one kind of goods.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct Holding {
    /// The commodity code as declared.
    #[schema(value_type = String)]
    pub commodity_code: HsCode,
    /// The unit.
    pub unit: Unit,
    /// The sum over the batches.
    #[schema(value_type = String)]
    pub quantity: Decimal,
    /// The batches held, in number order.
    pub batches: Vec<BatchNumber>,
}

/// What `trader` holds across `states`, summed per commodity code and unit, in code order.
/// Batches the trader holds nothing of do not count; a batch given twice counts once.
pub fn holdings<'a>(trader: &TraderId, states: impl IntoIterator<Item = &'a BatchState>) -> Vec<Holding> {
    let mut by_goods: BTreeMap<(HsCode, Unit), BTreeMap<BatchNumber, Decimal>> = BTreeMap::new();
    for state in states {
        let held = state.balance(trader);
        if held > Decimal::ZERO {
            let batch = state.batch();
            by_goods
                .entry((batch.commodity_code.clone(), batch.unit()))
                .or_default()
                .insert(batch.number.clone(), held);
        }
    }
    by_goods
        .into_iter()
        .map(|((commodity_code, unit), batches)| Holding {
            commodity_code,
            unit,
            // Each balance is at most 10^12, so no real count of batches reaches the saturation.
            quantity: batches.values().fold(Decimal::ZERO, |sum, q| sum.saturating_add(*q)),
            batches: batches.into_keys().collect(),
        })
        .collect()
}
