//! Goods traceability (capability D3): batch-by-batch accounting of traced goods after their
//! release. A batch opens when a declaration releases a traced item for free circulation; the
//! traders who hold it then report what they do with it (sale, return, export, write-off),
//! and the batch's balances per holder follow, never below zero, with the quantity released
//! always equal to what is held plus what left. `docs/traceability.md` describes the rules.
//!
//! Pure domain logic like the rest of core: functions take the batch's state, the report and
//! "now", and return decisions; the store applies them (one transaction per report).

mod batch;
mod codes;
mod goods;
mod history;
mod report;
mod state;
mod transfer;

pub use batch::{
    check_declaration, item_traced_as, open_batches, opens_batches, releases_for_free_circulation, Batch, BatchNumber,
    FREE_CIRCULATION,
};
pub use codes::{codes, Code};
pub use goods::{traced_goods, Quantity, QuantityDoc, QuantityError, TracedGoods, Unit, MAX_QUANTITY, TRACED_GOODS};
pub use history::{holdings, replay, Holding, ReplayError};
pub use report::{parse, Line, LineDoc, Report, ReportDoc, MAX_LINES};
pub use state::{
    apply, apply_report, Applied, BatchState, Holder, Movement, Refusal, Refused, SaleRecord, SaleTally, Snapshot,
    Summary,
};
pub use transfer::{DocumentRef, Note, Operation, Transfer, WriteOffReason};

#[cfg(test)]
pub(crate) mod fixtures;
#[cfg(test)]
mod properties_tests;
