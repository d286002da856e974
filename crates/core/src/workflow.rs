//! The declaration workflow as an explicit state machine.
//!
//! ```text
//! Submitted ──► Refused
//!     │    └──(duties not covered)──► AwaitingPayment ──► Refused (withdrawn)
//!     ▼                                     │
//!     ◄──────────(deposit covers)───────────┘
//! Registered ──(green/blue lane)──► Released
//!     │
//!     └──(yellow/red lane)──► UnderControl ──► Released | Refused
//! ```
//! Every change of state is an [`Event`]; [`State::apply`] is the only way to move and refuses
//! every transition not drawn above.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::risk::Lane;

/// The state of a declaration.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum State {
    /// Filed, not yet decided.
    Submitted,
    /// Refused registration or refused release after control. Final.
    Refused,
    /// Meets every condition but the last: the trader's balance does not cover the duties.
    /// Registered automatically as soon as a deposit covers them.
    AwaitingPayment,
    /// Registered, awaiting the lane decision.
    Registered,
    /// Sent to a yellow or red lane: an officer must act.
    UnderControl,
    /// Goods released. Final.
    Released,
}

impl State {
    /// Every state, for metrics and listings.
    pub const ALL: [State; 6] = [
        State::Submitted,
        State::Refused,
        State::AwaitingPayment,
        State::Registered,
        State::UnderControl,
        State::Released,
    ];

    /// Stable lower-case name, as stored and shown.
    pub fn as_str(self) -> &'static str {
        match self {
            State::Submitted => "submitted",
            State::Refused => "refused",
            State::AwaitingPayment => "awaiting_payment",
            State::Registered => "registered",
            State::UnderControl => "under_control",
            State::Released => "released",
        }
    }

    /// Parses the stored name.
    pub fn parse(s: &str) -> Option<State> {
        State::ALL.into_iter().find(|st| st.as_str() == s)
    }

    /// True for states no event can leave.
    pub fn is_final(self) -> bool {
        matches!(self, State::Refused | State::Released)
    }

    /// Applies an event, returning the new state, or the refusal for an illegal transition.
    pub fn apply(self, event: &EventKind) -> Result<State, IllegalTransition> {
        use EventKind as E;
        use State as S;
        let next = match (self, event) {
            (S::Submitted, E::Refused) => S::Refused,
            (S::Submitted, E::Registered) => S::Registered,
            (S::Submitted, E::AwaitingPayment) => S::AwaitingPayment,
            (S::AwaitingPayment, E::Registered) => S::Registered,
            (S::AwaitingPayment, E::Refused) => S::Refused,
            (S::Registered, E::LaneAssigned { lane }) if lane.releases_automatically() => S::Registered,
            (S::Registered, E::LaneAssigned { .. }) => S::UnderControl,
            (S::Registered, E::Released) => S::Released,
            (S::UnderControl, E::Released) => S::Released,
            (S::UnderControl, E::Refused) => S::Refused,
            _ => return Err(IllegalTransition { from: self, event: event.name() }),
        };
        Ok(next)
    }
}

/// What happened to a declaration. Payload details travel in the audit entry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum EventKind {
    /// Refused (registration or release).
    Refused,
    /// Accepted, but the duties are not covered yet.
    AwaitingPayment,
    /// Registered with a number.
    Registered,
    /// Lane decided by risk assessment.
    LaneAssigned {
        /// The lane.
        lane: Lane,
    },
    /// Goods released.
    Released,
}

impl EventKind {
    /// The audit action that records the event.
    pub fn action(&self) -> crate::audit::Action {
        use crate::audit::Action;
        match self {
            EventKind::Refused => Action::Refused,
            EventKind::AwaitingPayment => Action::AwaitingPayment,
            EventKind::Registered => Action::Registered,
            EventKind::LaneAssigned { .. } => Action::LaneAssigned,
            EventKind::Released => Action::Released,
        }
    }

    /// Stable name of the event.
    pub fn name(&self) -> &'static str {
        match self {
            EventKind::Refused => "refused",
            EventKind::AwaitingPayment => "awaiting_payment",
            EventKind::Registered => "registered",
            EventKind::LaneAssigned { .. } => "lane_assigned",
            EventKind::Released => "released",
        }
    }
}

/// A transition the workflow does not allow.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("a declaration in state {} cannot take event {event}", from.as_str())]
pub struct IllegalTransition {
    /// State the declaration was in.
    pub from: State,
    /// Event that was refused.
    pub event: &'static str,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(events: &[EventKind]) -> Result<State, IllegalTransition> {
        events.iter().try_fold(State::Submitted, |s, e| s.apply(e))
    }

    #[test]
    fn a_green_declaration_is_registered_and_released() {
        let s = run(&[EventKind::Registered, EventKind::LaneAssigned { lane: Lane::Green }, EventKind::Released]);
        assert_eq!(s, Ok(State::Released));
    }

    #[test]
    fn a_red_declaration_goes_under_control_and_can_then_be_released_or_refused() {
        let base = [EventKind::Registered, EventKind::LaneAssigned { lane: Lane::Red }];
        assert_eq!(run(&base), Ok(State::UnderControl));
        let mut released = base.to_vec();
        released.push(EventKind::Released);
        assert_eq!(run(&released), Ok(State::Released));
        let mut refused = base.to_vec();
        refused.push(EventKind::Refused);
        assert_eq!(run(&refused), Ok(State::Refused));
    }

    #[test]
    fn a_declaration_awaiting_payment_registers_once_covered_or_is_withdrawn() {
        let paid = run(&[
            EventKind::AwaitingPayment,
            EventKind::Registered,
            EventKind::LaneAssigned { lane: Lane::Green },
            EventKind::Released,
        ]);
        assert_eq!(paid, Ok(State::Released));
        assert_eq!(run(&[EventKind::AwaitingPayment, EventKind::Refused]), Ok(State::Refused));
        assert!(run(&[EventKind::AwaitingPayment, EventKind::Released]).is_err());
    }

    #[test]
    fn final_states_accept_no_event() {
        for e in [EventKind::Registered, EventKind::Released, EventKind::Refused] {
            assert!(State::Released.apply(&e).is_err());
            assert!(State::Refused.apply(&e).is_err());
        }
    }

    #[test]
    fn a_submitted_declaration_cannot_be_released_without_registration() {
        assert_eq!(run(&[EventKind::Released]), Err(IllegalTransition { from: State::Submitted, event: "released" }));
    }

    #[test]
    fn state_names_round_trip() {
        for s in State::ALL {
            assert_eq!(State::parse(s.as_str()), Some(s));
        }
    }
}
