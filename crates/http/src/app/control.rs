//! An officer's decision on a declaration under control: release or refuse, with reasons and
//! the outcome of the control (irregularities found, duties at stake), which the risk model
//! learns from.

use chrono::{DateTime, Utc};

use smartcustoms_core::access::Principal;
use smartcustoms_core::audit::Action;
use smartcustoms_core::ids::DeclarationId;
use smartcustoms_core::release::ControlDecision;
use smartcustoms_core::timestamp::Timestamp;
use smartcustoms_core::workflow::State;
use smartcustoms_storage::{DeclarationSummary, StoreError};

use crate::state::AppState;

/// Who decides cases under control.
pub const DECIDERS: &[smartcustoms_core::access::Role] =
    &[smartcustoms_core::access::Role::Officer, smartcustoms_core::access::Role::Supervisor];

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
    /// The declaration is not under control: decided before (by another officer, perhaps at
    /// the same moment), or never sent to control. Nothing was recorded.
    #[error(transparent)]
    Settled(#[from] Settled),
    /// Goods of the declaration are referred to an agency that has not allowed them: release
    /// waits for its decision, or the agency refused them.
    #[error("{0}")]
    AwaitingAgency(String),
    /// The caller may not decide this case (its role, or another centre's case).
    #[error(transparent)]
    Forbidden(#[from] super::Forbidden),
    /// The store failed.
    #[error(transparent)]
    Store(StoreError),
}

/// Where a declaration stands when an action on it finds its state changed: the state and the
/// last change's author and time, so that the one who acted second is told who acted first.
#[derive(Debug, Clone, thiserror::Error)]
#[error("declaration {id} is {} now{}; nothing was changed", state.as_str(), by.as_ref().map(|(who, at)| format!(" (by {who}, {})", at.rfc3339())).unwrap_or_default())]
pub struct Settled {
    /// The declaration.
    pub id: DeclarationId,
    /// Its state now.
    pub state: State,
    /// Who changed its state last, and when.
    pub by: Option<(String, Timestamp)>,
}

/// The error a store error means for an action on declaration `id`: a conflict (its state
/// takes no such action) becomes [`Settled`], read after the fact, with who acted first.
pub async fn explained<E: From<Settled> + From<StoreError>>(state: &AppState, id: DeclarationId, err: StoreError) -> E {
    if !matches!(err, StoreError::Conflict(_)) {
        return err.into();
    }
    let changes_state =
        |a: Action| matches!(a, Action::Released | Action::Refused | Action::Registered | Action::AwaitingPayment);
    let now = async {
        let record = state.store.declaration(id).await?.ok_or(StoreError::NotFound)?;
        let events = state.store.declaration_events(id).await?;
        let by = events.iter().rev().find(|e| changes_state(e.action)).map(|e| (e.actor.clone(), e.at_us));
        Ok::<_, StoreError>(Settled { id, state: record.summary.state, by })
    };
    match now.await {
        Ok(settled) => settled.into(),
        Err(e) => e.into(),
    }
}

/// Records `decision` by the officer `caller` on declaration `id` (an inspector decides the
/// cases of its own centre only).
pub async fn decide(
    state: &AppState,
    caller: &Principal,
    id: DeclarationId,
    decision: &ControlDecision,
    at: DateTime<Utc>,
) -> Result<DeclarationSummary, ControlError> {
    let officer = super::require(caller, DECIDERS, "decide on controls")?;
    if decision.reason.trim().is_empty() || decision.reason.chars().count() > MAX_REASON {
        return Err(ControlError::BadReason);
    }
    decision.outcome.check(decision.release).map_err(ControlError::BadOutcome)?;
    super::dispatch::within_centre(state, caller, id, "decide another centre's cases").await??;
    if decision.release {
        if let Some(why) = super::referrals::release_blocker(state, id).await? {
            return Err(ControlError::AwaitingAgency(why));
        }
    }
    match state.store.decide_control(id, decision, &officer.name, at.into()).await {
        Ok(summary) => Ok(summary),
        Err(StoreError::NotFound) => Err(ControlError::NotFound(id)),
        Err(e) => Err(explained(state, id, e).await),
    }
}

impl From<StoreError> for ControlError {
    fn from(e: StoreError) -> Self {
        ControlError::Store(e)
    }
}
