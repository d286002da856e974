//! An officer's decision on a declaration under control: release or refuse, with reasons and
//! the outcome of the control (irregularities found, duties at stake), which the risk model
//! learns from.

use chrono::{DateTime, Utc};

use smartcustoms_core::ids::DeclarationId;
use smartcustoms_core::release::ControlDecision;
use smartcustoms_storage::{DeclarationSummary, StoreError};

/// Longest reasons text, characters.
pub const MAX_REASON: usize = 2000;

/// Why a control decision is not recorded.
#[derive(Debug, thiserror::Error)]
pub enum ControlError {
    /// No reasons, or too long.
    #[error("give the reasons in 1 to {MAX_REASON} characters")]
    BadReason,
    /// The outcome does not fit the decision (e.g. released with irregularities to settle).
    #[error("{0}")]
    BadOutcome(String),
    /// No such declaration.
    #[error("declaration {0} not found")]
    NotFound(DeclarationId),
    /// The declaration is not under control (decided before, or never sent to control), or
    /// the store failed.
    #[error(transparent)]
    Store(StoreError),
}

/// Records `decision` by `officer` on declaration `id`.
pub async fn decide(
    state: &crate::state::AppState,
    id: DeclarationId,
    decision: &ControlDecision,
    officer: &str,
    at: DateTime<Utc>,
) -> Result<DeclarationSummary, ControlError> {
    if decision.reason.trim().is_empty() || decision.reason.chars().count() > MAX_REASON {
        return Err(ControlError::BadReason);
    }
    decision.outcome.check(decision.release).map_err(ControlError::BadOutcome)?;
    state.store.decide_control(id, decision, officer, at.into()).await.map_err(|e| match e {
        StoreError::NotFound => ControlError::NotFound(id),
        other => ControlError::Store(other),
    })
}
