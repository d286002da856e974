//! The quantities of a batch and who holds them, and [`apply`], the only way they change.
//!
//! A batch's state is a fold of its movements over its release: the importer holds the whole
//! quantity at release, and each accepted transfer moves a quantity from its holder to another
//! trader (sale, return) or out of circulation (export, write-off). Balances never go below
//! zero, and after every movement
//!
//! ```text
//! initial = Σ balances + exported + written off
//! ```
//!
//! as the ledger's balance sheet balances after every posting. A refused transfer changes
//! nothing: [`apply`] takes the state by reference and returns a new one.

use std::collections::BTreeMap;

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::flc::Finding;
use crate::ids::TraderId;
use crate::timestamp::Timestamp;

use super::batch::{Batch, BatchNumber};
use super::codes::Code;
use super::goods::{Quantity, Unit};
use super::report::Report;
use super::transfer::{DocumentRef, Operation, Transfer};

/// A sale of the batch under one document from one seller to one buyer: what it delivered
/// and what came back, so that a return never takes back more than was sold.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, ToSchema)]
pub struct SaleTally {
    /// Delivered under the document.
    #[schema(value_type = String)]
    pub sold: Decimal,
    /// Returned of it so far.
    #[schema(value_type = String)]
    pub returned: Decimal,
}

/// Who sold to whom under which document: what a return names.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
struct SaleKey {
    seller: TraderId,
    buyer: TraderId,
    document: DocumentRef,
}

/// The state of a batch: balances per holder (only those above zero), the totals exported and
/// written off, the sales that can still be returned, and how far its history goes. Built only
/// by [`BatchState::opened`] and [`apply`], so the invariants hold for every value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BatchState {
    batch: Batch,
    balances: BTreeMap<TraderId, Decimal>,
    exported: Decimal,
    written_off: Decimal,
    sales: BTreeMap<SaleKey, SaleTally>,
    movements: u32,
    last_at: Timestamp,
}

impl BatchState {
    /// The state at release: the importer holds everything.
    pub fn opened(batch: Batch) -> BatchState {
        let balances = BTreeMap::from([(batch.importer.clone(), batch.initial.amount())]);
        let last_at = batch.released_at;
        BatchState {
            batch,
            balances,
            exported: Decimal::ZERO,
            written_off: Decimal::ZERO,
            sales: BTreeMap::new(),
            movements: 0,
            last_at,
        }
    }

    /// The batch.
    pub fn batch(&self) -> &Batch {
        &self.batch
    }

    /// What `trader` holds (zero for a trader who holds nothing).
    pub fn balance(&self, trader: &TraderId) -> Decimal {
        self.balances.get(trader).copied().unwrap_or(Decimal::ZERO)
    }

    /// The holders and their balances, all above zero, in trader id order.
    pub fn holders(&self) -> impl Iterator<Item = (&TraderId, Decimal)> {
        self.balances.iter().map(|(t, q)| (t, *q))
    }

    /// Exported so far.
    pub fn exported(&self) -> Decimal {
        self.exported
    }

    /// Written off so far.
    pub fn written_off(&self) -> Decimal {
        self.written_off
    }

    /// Held by traders: the sum of the balances.
    pub fn in_circulation(&self) -> Decimal {
        self.balances.values().fold(Decimal::ZERO, |sum, q| sum.saturating_add(*q))
    }

    /// True when nothing is held any more: all was exported or written off.
    pub fn is_closed(&self) -> bool {
        self.balances.is_empty()
    }

    /// True when the initial quantity equals the balances plus the exports and write-offs, and
    /// no balance is zero or less. [`apply`] keeps it true; storage checks it on what it reads.
    pub fn is_conserved(&self) -> bool {
        self.balances.values().all(|q| *q > Decimal::ZERO)
            && self.in_circulation() + self.exported + self.written_off == self.batch.initial.amount()
    }

    /// How many movements were applied since release.
    pub fn movements(&self) -> u32 {
        self.movements
    }

    /// The time of the last movement, or of the release.
    pub fn last_at(&self) -> Timestamp {
        self.last_at
    }

    /// The sale of this batch by `seller` to `buyer` under `document`, if any.
    pub fn sale(&self, seller: &TraderId, buyer: &TraderId, document: &DocumentRef) -> Option<SaleTally> {
        let key = SaleKey { seller: seller.clone(), buyer: buyer.clone(), document: document.clone() };
        self.sales.get(&key).copied()
    }

    /// The state as the API and the pages show it.
    pub fn summary(&self) -> Summary {
        Summary {
            batch: self.batch.clone(),
            holders: self.holders().map(|(trader, quantity)| Holder { trader: trader.clone(), quantity }).collect(),
            exported: self.exported,
            written_off: self.written_off,
            closed: self.is_closed(),
            movements: self.movements,
            last_at: self.last_at,
        }
    }
}

/// A batch's state as shown: the batch, its holders, its totals.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct Summary {
    /// The batch.
    pub batch: Batch,
    /// Who holds how much, in trader id order.
    pub holders: Vec<Holder>,
    /// Exported so far.
    #[schema(value_type = String)]
    pub exported: Decimal,
    /// Written off so far.
    #[schema(value_type = String)]
    pub written_off: Decimal,
    /// True when all was exported or written off.
    pub closed: bool,
    /// Movements since release.
    pub movements: u32,
    /// Time of the last movement, or of the release.
    #[schema(value_type = i64)]
    pub last_at: Timestamp,
}

/// One holder of a batch.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Holder {
    /// The trader.
    pub trader: TraderId,
    /// What they hold, in the batch's unit.
    #[schema(value_type = String)]
    pub quantity: Decimal,
}

/// One entry of a batch's history: an accepted transfer, with the holder before and after and
/// their balances after it, so that a replay can check every step.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Movement {
    /// 1 for the first movement after release, then 2, 3 …
    pub number: u32,
    /// The batch.
    pub batch: BatchNumber,
    /// The holder before: the trader who reported and gave the goods.
    pub from: TraderId,
    /// What was done (for a sale, the buyer; for a return, the seller).
    pub operation: Operation,
    /// How much.
    pub quantity: Quantity,
    /// The document it was done under.
    pub document: DocumentRef,
    /// When it was applied.
    #[schema(value_type = i64)]
    pub at: Timestamp,
    /// What `from` holds after the movement.
    #[schema(value_type = String)]
    pub from_balance: Decimal,
    /// What the receiver holds after a sale or a return; `None` for exports and write-offs.
    #[schema(value_type = Option<String>)]
    pub to_balance: Option<Decimal>,
}

impl Movement {
    /// The holder after: the buyer of a sale or the seller of a return; `None` when the goods
    /// left circulation.
    pub fn to(&self) -> Option<&TraderId> {
        self.operation.receiver()
    }

    /// The transfer the movement applied.
    pub fn transfer(&self) -> Transfer {
        Transfer {
            batch: self.batch.clone(),
            holder: self.from.clone(),
            operation: self.operation.clone(),
            quantity: self.quantity,
            document: self.document.clone(),
        }
    }
}

/// Why a transfer is refused.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "reason", rename_all = "snake_case")]
pub enum Refusal {
    /// No batch has the number.
    UnknownBatch,
    /// The state given is another batch's.
    OtherBatch {
        /// The batch the state is of.
        state: BatchNumber,
    },
    /// All of the batch was exported or written off.
    Closed,
    /// The transfer is dated before the release.
    BeforeRelease {
        /// The release.
        released_at: Timestamp,
        /// The transfer's time.
        at: Timestamp,
    },
    /// The transfer is dated before the last movement.
    BeforeLastMovement {
        /// The last movement.
        last_at: Timestamp,
        /// The transfer's time.
        at: Timestamp,
    },
    /// The quantity is in another unit than the batch.
    UnitMismatch {
        /// The batch's unit.
        batch: Unit,
        /// The unit given.
        given: Unit,
    },
    /// The receiver is the holder.
    ToOneself {
        /// The trader.
        trader: TraderId,
    },
    /// The holder holds none of the batch.
    NotHolder {
        /// The trader reporting.
        holder: TraderId,
    },
    /// The holder holds less than the quantity.
    InsufficientBalance {
        /// What the holder holds.
        held: Decimal,
        /// What the transfer asks.
        asked: Decimal,
        /// The unit of both.
        unit: Unit,
    },
    /// A return names no sale to the holder.
    SaleNotFound {
        /// The seller named.
        seller: TraderId,
        /// The sale document named.
        document: DocumentRef,
    },
    /// A return is more than what is left to return of the sale.
    ReturnExceedsSale {
        /// Delivered under the sale.
        sold: Decimal,
        /// Returned of it already.
        returned: Decimal,
        /// What the return asks.
        asked: Decimal,
    },
}

impl Refusal {
    /// The `TRC_` code.
    pub fn code(&self) -> Code {
        match self {
            Refusal::UnknownBatch | Refusal::OtherBatch { .. } => Code::BatchUnknown,
            Refusal::Closed => Code::BatchClosed,
            Refusal::BeforeRelease { .. } => Code::BeforeRelease,
            Refusal::BeforeLastMovement { .. } => Code::BeforeLastMovement,
            Refusal::UnitMismatch { .. } => Code::UnitMismatch,
            Refusal::ToOneself { .. } => Code::ToOneself,
            Refusal::NotHolder { .. } => Code::NotHolder,
            Refusal::InsufficientBalance { .. } => Code::InsufficientBalance,
            Refusal::SaleNotFound { .. } => Code::SaleNotFound,
            Refusal::ReturnExceedsSale { .. } => Code::ReturnExceedsSale,
        }
    }
}

/// A transfer refused, with the batch it named.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Refused {
    /// The batch the transfer named.
    pub batch: BatchNumber,
    /// The operation refused (its code: `sale`, `return`, `export`, `write_off`).
    pub operation: &'static str,
    /// Why it is refused.
    pub reason: Refusal,
}

impl Refused {
    /// The stable code, `TRC_030` …
    pub fn code(&self) -> &'static str {
        self.reason.code().code()
    }

    /// The refusal in plain words.
    pub fn message(&self) -> String {
        let batch = &self.batch;
        match &self.reason {
            Refusal::UnknownBatch => format!("No batch has the number {batch}."),
            Refusal::OtherBatch { state } => format!("The transfer names batch {batch}, not {state}."),
            Refusal::Closed => format!("Batch {batch} was all exported or written off; it takes no more transfers."),
            Refusal::BeforeRelease { released_at, at } => format!(
                "The transfer at {} is before the release of batch {batch} at {}.",
                at.rfc3339(),
                released_at.rfc3339()
            ),
            Refusal::BeforeLastMovement { last_at, at } => format!(
                "The transfer at {} is before the last movement of batch {batch} at {}.",
                at.rfc3339(),
                last_at.rfc3339()
            ),
            Refusal::UnitMismatch { batch: unit, given } => {
                format!("Batch {batch} is traced in {unit} ({}), not in {given} ({}).", unit.label(), given.label())
            }
            Refusal::ToOneself { trader } => format!("{trader} cannot transfer goods to itself."),
            Refusal::NotHolder { holder } => format!("{holder} holds none of batch {batch}."),
            Refusal::InsufficientBalance { held, asked, unit } => {
                format!("Batch {batch}: {asked} {} asked, but only {held} {} held.", unit.label(), unit.label())
            }
            Refusal::SaleNotFound { seller, document } => {
                format!("Batch {batch} was not sold by {seller} to the trader returning it under {document}.")
            }
            Refusal::ReturnExceedsSale { sold, returned, asked } => format!(
                "Batch {batch}: {asked} to return, but the sale delivered {sold} and {returned} came back already."
            ),
        }
    }

    /// The refusal as a finding about line `line` of a report, at the path of the field it is
    /// about, with the values its message is made from.
    pub fn to_finding(&self, line: usize) -> Finding {
        let path = match &self.reason {
            Refusal::UnitMismatch { .. } => format!("$.lines[{line}].unit"),
            Refusal::InsufficientBalance { .. } | Refusal::ReturnExceedsSale { .. } => {
                format!("$.lines[{line}].quantity")
            }
            Refusal::ToOneself { .. } if self.operation == "return" => "$.seller".into(),
            Refusal::ToOneself { .. } => "$.buyer".into(),
            _ => format!("$.lines[{line}].batch"),
        };
        let mut args: BTreeMap<String, String> = match &self.reason {
            Refusal::InsufficientBalance { held, asked, unit } => {
                [("held", held.to_string()), ("asked", asked.to_string()), ("unit", unit.code().to_string())].into()
            }
            Refusal::ReturnExceedsSale { sold, returned, asked } => {
                [("sold", sold.to_string()), ("returned", returned.to_string()), ("asked", asked.to_string())].into()
            }
            Refusal::UnitMismatch { batch, given } => {
                [("traced", batch.code().to_string()), ("given", given.code().to_string())].into()
            }
            Refusal::ToOneself { trader } | Refusal::NotHolder { holder: trader } => {
                [("trader", trader.to_string())].into()
            }
            Refusal::SaleNotFound { seller, document } => {
                [("seller", seller.to_string()), ("document", document.to_string())].into()
            }
            _ => BTreeMap::<&str, String>::new(),
        }
        .into_iter()
        .map(|(k, v)| (k.to_string(), v))
        .collect();
        args.insert("batch".into(), self.batch.to_string());
        Finding { code: self.code().to_string(), path, message: self.message(), args }
    }
}

impl std::fmt::Display for Refused {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message())
    }
}

impl std::error::Error for Refused {}

/// An accepted transfer: the state after it and the movement to append to the history.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Applied {
    /// The state after the transfer.
    pub state: BatchState,
    /// The history entry.
    pub movement: Movement,
}

/// Applies `transfer` to `state` at `at`: the new state and its movement, or why not.
///
/// The checks run in this order and the first that fails is the refusal: the batch, closed,
/// the time (not before release, not before the last movement), the unit, the receiver not
/// the holder, the holder holding some and enough, and for a return the sale it takes back.
pub fn apply(state: &BatchState, transfer: &Transfer, at: Timestamp) -> Result<Applied, Refused> {
    let refuse = |reason| Refused { batch: transfer.batch.clone(), operation: transfer.operation.code(), reason };
    let batch = &state.batch;
    if transfer.batch != batch.number {
        return Err(refuse(Refusal::OtherBatch { state: batch.number.clone() }));
    }
    if state.is_closed() {
        return Err(refuse(Refusal::Closed));
    }
    if at < batch.released_at {
        return Err(refuse(Refusal::BeforeRelease { released_at: batch.released_at, at }));
    }
    if at < state.last_at {
        return Err(refuse(Refusal::BeforeLastMovement { last_at: state.last_at, at }));
    }
    if transfer.quantity.unit() != batch.unit() {
        return Err(refuse(Refusal::UnitMismatch { batch: batch.unit(), given: transfer.quantity.unit() }));
    }
    let holder = &transfer.holder;
    if transfer.operation.receiver() == Some(holder) {
        return Err(refuse(Refusal::ToOneself { trader: holder.clone() }));
    }
    let held = state.balance(holder);
    if held.is_zero() {
        return Err(refuse(Refusal::NotHolder { holder: holder.clone() }));
    }
    let asked = transfer.quantity.amount();
    if asked > held {
        return Err(refuse(Refusal::InsufficientBalance { held, asked, unit: batch.unit() }));
    }
    let mut next = state.clone();
    match &transfer.operation {
        Operation::Sale { buyer } => {
            let key = SaleKey { seller: holder.clone(), buyer: buyer.clone(), document: transfer.document.clone() };
            let tally = next.sales.entry(key).or_default();
            // A tally only grows by quantities each at most the batch's, so saturation is
            // unreachable in practice; it keeps the fold free of panics all the same.
            tally.sold = tally.sold.saturating_add(asked);
        }
        Operation::Return { seller, sale_document } => {
            let key = SaleKey { seller: seller.clone(), buyer: holder.clone(), document: sale_document.clone() };
            let Some(tally) = next.sales.get_mut(&key) else {
                return Err(refuse(Refusal::SaleNotFound { seller: seller.clone(), document: sale_document.clone() }));
            };
            if asked > tally.sold - tally.returned {
                let (sold, returned) = (tally.sold, tally.returned);
                return Err(refuse(Refusal::ReturnExceedsSale { sold, returned, asked }));
            }
            tally.returned += asked;
        }
        Operation::Export => next.exported += asked,
        Operation::WriteOff { .. } => next.written_off += asked,
    }
    // Balances, exports and write-offs are each at most the initial quantity (at most 10^12),
    // so these sums cannot overflow.
    let from_balance = held - asked;
    if from_balance.is_zero() {
        next.balances.remove(holder);
    } else {
        next.balances.insert(holder.clone(), from_balance);
    }
    let to_balance = transfer.operation.receiver().map(|receiver| {
        let balance = next.balance(receiver) + asked;
        next.balances.insert(receiver.clone(), balance);
        balance
    });
    next.movements = next.movements.saturating_add(1);
    next.last_at = at;
    let movement = Movement {
        number: next.movements,
        batch: batch.number.clone(),
        from: holder.clone(),
        operation: transfer.operation.clone(),
        quantity: transfer.quantity,
        document: transfer.document.clone(),
        at,
        from_balance,
        to_balance,
    };
    Ok(Applied { state: next, movement })
}

/// Applies every line of `report` at `at`, each against the state of its batch that `state_of`
/// finds: the applied lines in line order, or, when any line is refused, every refusal as a
/// finding with the path of its line (the report is refused whole, nothing is applied).
///
/// Lines name distinct batches ([`super::parse`] refuses a batch named twice), so each line
/// is applied to its batch's state as read.
///
/// # Errors
///
/// Every refusal (`TRC_030` … `TRC_039`), never an empty list.
pub fn apply_report<'a>(
    report: &Report,
    state_of: impl Fn(&BatchNumber) -> Option<&'a BatchState>,
    at: Timestamp,
) -> Result<Vec<Applied>, Vec<Finding>> {
    let mut applied = Vec::with_capacity(report.lines.len());
    let mut findings: Vec<Finding> = Vec::new();
    for (i, transfer) in report.transfers().enumerate() {
        let result = match state_of(&transfer.batch) {
            Some(state) => apply(state, &transfer, at),
            None => Err(Refused {
                batch: transfer.batch.clone(),
                operation: transfer.operation.code(),
                reason: Refusal::UnknownBatch,
            }),
        };
        match result {
            Ok(a) => applied.push(a),
            Err(refused) => {
                let finding = refused.to_finding(i);
                // A refusal about the report's head (a sale to oneself) is said once.
                if !findings.iter().any(|f| f.code == finding.code && f.path == finding.path) {
                    findings.push(finding);
                }
            }
        }
    }
    if findings.is_empty() {
        Ok(applied)
    } else {
        Err(findings)
    }
}

#[path = "snapshot.rs"]
mod snapshot;

pub use snapshot::{SaleRecord, Snapshot};

#[cfg(test)]
#[path = "state_tests.rs"]
mod tests;
