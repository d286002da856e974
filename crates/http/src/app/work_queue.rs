//! The officers' work queue: the declarations under control, most urgent first, each with its
//! service clock. A document check (yellow lane) is due within 4 hours of the declaration going
//! under control, an inspection (red lane) within 24 hours; an overdue case comes first, then
//! red before yellow, then the one waiting longest.

use std::cmp::Reverse;

use chrono::TimeDelta;
use serde::Serialize;
use utoipa::ToSchema;

use smartcustoms_core::access::{Principal, Role};
use smartcustoms_core::risk::Lane;
use smartcustoms_core::timestamp::Timestamp;
use smartcustoms_core::workflow::State;
use smartcustoms_storage::{DeclarationSummary, Waiting};

use super::declarations::ReadError;
use crate::state::AppState;

/// Who works the queue.
pub const WORKERS: &[Role] = &[Role::Officer, Role::Supervisor, Role::Admin];
/// Longest page of the queue.
pub const MAX_CASES: i64 = 200;

/// How long an officer has to decide a case of a lane.
pub fn service_time(lane: Option<Lane>) -> TimeDelta {
    match lane {
        Some(Lane::Red) => TimeDelta::hours(24),
        _ => TimeDelta::hours(4),
    }
}

/// One case of the queue.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct Case {
    /// The declaration.
    pub declaration: DeclarationSummary,
    /// Since when it waits for an officer.
    pub waiting_since: Timestamp,
    /// When its service time runs out.
    pub due_at: Timestamp,
    /// Its service time has run out.
    pub overdue: bool,
    /// The risk model's score, when a model scored it.
    pub score: Option<f64>,
    /// Sent to control by the random share of controls rather than by its risk.
    pub random_control: bool,
    /// The centre it is dispatched to (none before dispatch).
    pub centre: Option<String>,
    /// The inspector it is dispatched to (none before dispatch, or when the centre had nobody
    /// present with the competences).
    pub inspector: Option<String>,
}

/// The order of the queue: overdue first, then red before yellow, then the longest waiting.
pub fn order(cases: &mut [Case]) {
    cases.sort_by_key(|c| (Reverse(c.overdue), Reverse(c.declaration.lane == Some(Lane::Red)), c.waiting_since));
}

/// The cases under control, at most `limit` of those waiting longest, most urgent first: every
/// case, or only those dispatched to the caller (`mine`).
pub async fn work_queue(
    state: &AppState,
    caller: &Principal,
    mine: bool,
    limit: i64,
    now: Timestamp,
) -> Result<Vec<Case>, ReadError> {
    super::require(caller, WORKERS, "work the queue of controls")?;
    if !(1..=MAX_CASES).contains(&limit) {
        return Err(ReadError::BadParameter("limit", format!("must be between 1 and {MAX_CASES}")));
    }
    let mut cases = Vec::new();
    let inspector = mine.then_some(caller.name.as_str());
    for Waiting { summary: declaration, risk, centre, inspector } in
        state.store.oldest_in_state(State::UnderControl, inspector, limit).await?
    {
        let waiting_since = declaration.updated_at_us;
        let due_at = waiting_since + service_time(declaration.lane);
        cases.push(Case {
            waiting_since,
            due_at,
            overdue: due_at <= now,
            score: risk.model.map(|m| m.score),
            random_control: risk.random_control,
            declaration,
            centre,
            inspector,
        });
    }
    order(&mut cases);
    Ok(cases)
}

#[cfg(test)]
mod tests {
    use super::*;
    use smartcustoms_core::ids::{DeclarationId, TraderId};

    fn case(lane: Lane, waiting_since: Timestamp, now: Timestamp) -> Case {
        let due_at = waiting_since + service_time(Some(lane));
        Case {
            declaration: DeclarationSummary {
                id: DeclarationId::generate(),
                declarant: TraderId::new("DE123456789012345".to_string()).unwrap_or_else(|e| panic!("{e}")),
                representative: None,
                state: State::UnderControl,
                lane: Some(lane),
                registration_number: None,
                office: None,
                received_at_us: waiting_since,
                registered_at_us: Some(waiting_since),
                updated_at_us: waiting_since,
            },
            waiting_since,
            due_at,
            overdue: due_at <= now,
            score: None,
            random_control: false,
            centre: None,
            inspector: None,
        }
    }

    #[test]
    fn overdue_cases_come_first_then_red_then_the_longest_waiting() {
        let now = Timestamp::from(1_000_000_000_000_000);
        let h = |n: i64| now - TimeDelta::hours(n);
        let mut cases = vec![
            case(Lane::Yellow, h(1), now),
            case(Lane::Red, h(2), now),
            case(Lane::Yellow, h(5), now),
            case(Lane::Red, h(3), now),
            case(Lane::Red, h(30), now),
        ];
        order(&mut cases);
        let seen: Vec<(Lane, bool, Timestamp)> =
            cases.iter().map(|c| (c.declaration.lane.unwrap_or(Lane::Green), c.overdue, c.waiting_since)).collect();
        assert_eq!(
            seen,
            [
                (Lane::Red, true, h(30)),
                (Lane::Yellow, true, h(5)),
                (Lane::Red, false, h(3)),
                (Lane::Red, false, h(2)),
                (Lane::Yellow, false, h(1)),
            ]
        );
    }

    #[test]
    fn a_document_check_has_four_hours_and_an_inspection_a_day() {
        assert_eq!(service_time(Some(Lane::Yellow)), TimeDelta::hours(4));
        assert_eq!(service_time(Some(Lane::Red)), TimeDelta::hours(24));
    }
}
