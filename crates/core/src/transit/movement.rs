//! The life of a transit movement as an explicit state machine, and what each step does to its
//! guarantee.
//!
//! ```text
//! declared ──accept──► accepted ──release──► in_transit ──arrive──► arrived ──unloading_remarks──► unloaded ──complete──► completed
//!    │  └──refuse──► refused   │                 │  ▲                                                               (written off)
//!    └──────cancel─────────────┴──► cancelled    └──open_enquiry (overdue)──► enquiry ──arrive──┘
//!                                                                                 └──recover──► recovered
//! ```
//!
//! [`apply`] is the only way to move: every pair of state and event not drawn above is refused
//! with a precise [`Refused`]. The guarantee is reserved at acceptance, kept while the goods
//! travel and during an enquiry, released at completion or cancellation, and called (the duties
//! taken from it) at recovery; so a final movement holds no guarantee.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::timestamp::Timestamp;

/// The state of a transit movement.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum State {
    /// Filed and registered with its MRN; not yet decided.
    Declared,
    /// Accepted at the office of departure, guarantee secured.
    Accepted,
    /// Refused at the office of departure. Final.
    Refused,
    /// Cancelled by the holder before release. Final.
    Cancelled,
    /// Released for transit: the goods travel.
    InTransit,
    /// Presented at the office of destination.
    Arrived,
    /// The office of destination recorded its unloading remarks.
    Unloaded,
    /// Written off: the procedure ended. Final.
    Completed,
    /// Overdue without arrival: the enquiry procedure runs.
    Enquiry,
    /// Not ended after the enquiry: the duties were recovered from the guarantee. Final.
    Recovered,
}

impl State {
    /// Every state.
    pub const ALL: [State; 10] = [
        State::Declared,
        State::Accepted,
        State::Refused,
        State::Cancelled,
        State::InTransit,
        State::Arrived,
        State::Unloaded,
        State::Completed,
        State::Enquiry,
        State::Recovered,
    ];

    /// Stable snake_case code, as stored and shown.
    pub fn as_str(self) -> &'static str {
        match self {
            State::Declared => "declared",
            State::Accepted => "accepted",
            State::Refused => "refused",
            State::Cancelled => "cancelled",
            State::InTransit => "in_transit",
            State::Arrived => "arrived",
            State::Unloaded => "unloaded",
            State::Completed => "completed",
            State::Enquiry => "enquiry",
            State::Recovered => "recovered",
        }
    }

    /// Parses the stored code.
    pub fn parse(s: &str) -> Option<State> {
        State::ALL.into_iter().find(|st| st.as_str() == s)
    }

    /// True for states no event leaves.
    pub fn is_final(self) -> bool {
        matches!(self, State::Refused | State::Cancelled | State::Completed | State::Recovered)
    }

    /// True once the goods were released for transit.
    pub fn is_released(self) -> bool {
        matches!(
            self,
            State::InTransit | State::Arrived | State::Unloaded | State::Completed | State::Enquiry | State::Recovered
        )
    }
}

/// What happens to a movement.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Event {
    /// The office of departure accepts the declaration (the guarantee covers the stake).
    Accept,
    /// The office of departure refuses it.
    Refuse,
    /// The holder cancels it.
    Cancel,
    /// The goods are released for transit.
    Release,
    /// The goods are presented at the office of destination.
    Arrive,
    /// The office of destination records its unloading remarks.
    UnloadingRemarks {
        /// True when the goods or seals differ from the declaration.
        discrepancies: bool,
    },
    /// The procedure is written off.
    Complete,
    /// The time limit passed without arrival: the enquiry opens.
    OpenEnquiry,
    /// The enquiry ended without proof of arrival: the duties are recovered.
    Recover,
}

impl Event {
    /// Stable snake_case code of the event.
    pub fn as_str(&self) -> &'static str {
        match self {
            Event::Accept => "accept",
            Event::Refuse => "refuse",
            Event::Cancel => "cancel",
            Event::Release => "release",
            Event::Arrive => "arrive",
            Event::UnloadingRemarks { .. } => "unloading_remarks",
            Event::Complete => "complete",
            Event::OpenEnquiry => "open_enquiry",
            Event::Recover => "recover",
        }
    }
}

/// Where the guarantee of a movement stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Hold {
    /// Nothing secured yet (before acceptance, or refused or cancelled before it).
    None,
    /// Reserved on the account or drawn from the certificate.
    Reserved,
    /// Given back.
    Released,
    /// Taken as duties at recovery.
    Called,
}

/// What a transition does to the guarantee; the store carries it out in the same transaction.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum GuaranteeEffect {
    /// Nothing.
    None,
    /// Reserve the stake (account reservation or certificate draw).
    Reserve,
    /// Keep what is reserved.
    Keep,
    /// Release it (account reservation release or certificate restore).
    Release,
    /// Take it as duties.
    Call,
}

/// A movement as the state machine sees it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Movement {
    /// Its state.
    pub state: State,
    /// Its time limit at the office of destination.
    pub time_limit: Timestamp,
    /// Where its guarantee stands.
    pub guarantee: Hold,
    /// True when the unloading remarks reported discrepancies (facts for post-transit control).
    pub discrepancies: bool,
}

impl Movement {
    /// A movement just declared.
    pub fn declared(time_limit: Timestamp) -> Movement {
        Movement { state: State::Declared, time_limit, guarantee: Hold::None, discrepancies: false }
    }

    /// True when the time limit passed at `at` and the goods have not arrived.
    pub fn is_overdue(&self, at: Timestamp) -> bool {
        matches!(self.state, State::InTransit) && at > self.time_limit
    }
}

/// Why an event is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Refusal {
    /// The movement is completed already.
    AlreadyCompleted,
    /// The movement ended (refused, cancelled, recovered) and takes no event.
    Ended,
    /// Cancellation after the goods were released.
    CancelAfterRelease,
    /// An enquiry before the time limit passed.
    NotOverdue,
    /// Release after the time limit passed.
    TimeLimitPassed,
    /// Completion before the unloading remarks.
    NoUnloadingRemarks,
    /// Any other event the state does not take.
    NotNow,
}

/// An event the movement does not take now.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Refused {
    /// The state the movement is in.
    pub state: State,
    /// The event refused (its code).
    pub event: &'static str,
    /// Why.
    pub reason: Refusal,
    /// The time limit, for refusals about it.
    pub time_limit: Timestamp,
    /// The time of the event.
    pub at: Timestamp,
}

impl Refused {
    /// The refusal in plain words.
    pub fn message(&self) -> String {
        let (state, event) = (self.state.as_str(), self.event);
        match self.reason {
            Refusal::AlreadyCompleted => format!("the transit is completed already; {event} is refused"),
            Refusal::Ended => format!("the transit ended ({state}); it takes no {event}"),
            Refusal::CancelAfterRelease => {
                format!("the goods were released for transit ({state}); a transit is cancelled only before release")
            }
            Refusal::NotOverdue => format!(
                "the time limit {} has not passed at {}; an enquiry opens only on an overdue transit",
                self.time_limit.rfc3339(),
                self.at.rfc3339()
            ),
            Refusal::TimeLimitPassed => format!(
                "the time limit {} passed before release at {}; the declaration is refused or cancelled instead",
                self.time_limit.rfc3339(),
                self.at.rfc3339()
            ),
            Refusal::NoUnloadingRemarks => {
                "the office of destination has not recorded its unloading remarks; completion waits for them".into()
            }
            Refusal::NotNow => format!("a transit in state {state} cannot take {event}"),
        }
    }
}

impl std::fmt::Display for Refused {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message())
    }
}

impl std::error::Error for Refused {}

/// The result of an accepted event: the movement after it, and what to do to the guarantee.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Applied {
    /// The movement after the event.
    pub movement: Movement,
    /// What the store does to the guarantee.
    pub effect: GuaranteeEffect,
}

/// Applies `event` at time `at`: the new movement and the guarantee effect, or the refusal.
pub fn apply(movement: &Movement, event: &Event, at: Timestamp) -> Result<Applied, Refused> {
    use Event as E;
    use GuaranteeEffect as G;
    use State as S;
    let refuse =
        |reason| Refused { state: movement.state, event: event.as_str(), reason, time_limit: movement.time_limit, at };
    let (state, effect) = match (movement.state, event) {
        (S::Declared, E::Accept) => (S::Accepted, G::Reserve),
        (S::Declared, E::Refuse) => (S::Refused, G::None),
        (S::Declared, E::Cancel) => (S::Cancelled, G::None),
        (S::Accepted, E::Cancel) => (S::Cancelled, G::Release),
        (S::Accepted, E::Release) if at > movement.time_limit => return Err(refuse(Refusal::TimeLimitPassed)),
        (S::Accepted, E::Release) => (S::InTransit, G::Keep),
        (S::InTransit, E::Arrive) | (S::Enquiry, E::Arrive) => (S::Arrived, G::Keep),
        (S::InTransit, E::OpenEnquiry) if at > movement.time_limit => (S::Enquiry, G::Keep),
        (S::InTransit, E::OpenEnquiry) => return Err(refuse(Refusal::NotOverdue)),
        (S::Arrived, E::UnloadingRemarks { .. }) => (S::Unloaded, G::Keep),
        (S::Arrived, E::Complete) => return Err(refuse(Refusal::NoUnloadingRemarks)),
        (S::Unloaded, E::Complete) => (S::Completed, G::Release),
        (S::Enquiry, E::Recover) => (S::Recovered, G::Call),
        (S::Completed, _) => return Err(refuse(Refusal::AlreadyCompleted)),
        (s, _) if s.is_final() => return Err(refuse(Refusal::Ended)),
        (s, E::Cancel) if s.is_released() => return Err(refuse(Refusal::CancelAfterRelease)),
        _ => return Err(refuse(Refusal::NotNow)),
    };
    let guarantee = match effect {
        G::Reserve => Hold::Reserved,
        G::Release => Hold::Released,
        G::Call => Hold::Called,
        G::None | G::Keep => movement.guarantee,
    };
    let discrepancies = match event {
        E::UnloadingRemarks { discrepancies } => *discrepancies,
        _ => movement.discrepancies,
    };
    Ok(Applied { movement: Movement { state, time_limit: movement.time_limit, guarantee, discrepancies }, effect })
}

#[cfg(test)]
#[path = "movement_tests.rs"]
mod tests;
