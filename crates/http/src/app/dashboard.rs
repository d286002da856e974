//! The supervisors' dashboard: for the last hours, declarations filed per hour and how many
//! were released automatically, the share of each lane, the queues (declarations waiting for an
//! officer or for payment, with the oldest's age) and the revenue collected.

use std::collections::BTreeMap;
use std::sync::Arc;

use chrono::{DurationRound, TimeDelta};
use serde::Serialize;
use utoipa::ToSchema;

use smartcustoms_core::access::{Principal, Role};
use smartcustoms_core::ledger::Amount;
use smartcustoms_core::timestamp::Timestamp;
use smartcustoms_storage::HourlyCount;

use super::declarations::ReadError;
use crate::state::AppState;

/// Who may read the dashboard.
pub const READERS: &[Role] = &[Role::Officer, Role::Supervisor, Role::Analyst, Role::Admin];
/// Longest window, hours.
pub const MAX_HOURS: i64 = 168;

/// One hour of filings.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct Hour {
    /// Start of the hour.
    pub hour: Timestamp,
    /// Declarations filed and registered in it.
    pub registered: usize,
    /// Of those, released without an officer (green and blue lanes).
    pub released_automatically: usize,
}

/// One lane's share of the window's declarations.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct LaneShare {
    /// The lane.
    pub lane: String,
    /// Declarations sent to it.
    pub count: usize,
    /// Its share of the declarations assessed, 0 to 1.
    pub share: f64,
}

/// Declarations waiting in one state.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct QueueView {
    /// `under_control` (waiting for an officer) or `awaiting_payment` (for the trader).
    pub state: String,
    /// How many.
    pub count: i64,
    /// How long the oldest has waited, seconds.
    pub oldest_age_s: f64,
}

/// The dashboard.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct Dashboard {
    /// Start of the window.
    pub from: Timestamp,
    /// End of the window (now).
    pub to: Timestamp,
    /// Each hour of the window, oldest first, empty hours included.
    pub per_hour: Vec<Hour>,
    /// Each lane's share.
    pub lanes: Vec<LaneShare>,
    /// Share of the window's declarations released without an officer, 0 to 1.
    pub released_automatically_share: f64,
    /// The queues now.
    pub queues: Vec<QueueView>,
    /// Duties and taxes collected in the window.
    pub revenue: Amount,
}

/// The hourly series and lane shares of registrations counted by hour and lane, over the hours
/// from `from` to `to`.
pub fn series(from: Timestamp, to: Timestamp, counts: &[HourlyCount]) -> (Vec<Hour>, Vec<LaneShare>, f64) {
    let hour_of =
        |t: Timestamp| t.to_datetime().and_then(|at| at.duration_trunc(TimeDelta::hours(1)).ok()).map(Timestamp::from);
    let mut hours: BTreeMap<Timestamp, Hour> = BTreeMap::new();
    let mut next = hour_of(from);
    while let Some(h) = next.filter(|h| *h < to) {
        hours.insert(h, Hour { hour: h, registered: 0, released_automatically: 0 });
        next = Some(h + TimeDelta::hours(1));
    }
    let mut lanes: BTreeMap<&'static str, usize> = BTreeMap::new();
    let mut automatic = 0;
    for c in counts {
        let n = usize::try_from(c.count).unwrap_or(0);
        let released_automatically = if c.lane.is_some_and(|l| l.releases_automatically()) { n } else { 0 };
        automatic += released_automatically;
        if let Some(lane) = c.lane {
            *lanes.entry(lane.as_str()).or_default() += n;
        }
        if let Some(h) = hour_of(c.hour).and_then(|h| hours.get_mut(&h)) {
            h.registered += n;
            h.released_automatically += released_automatically;
        }
    }
    let assessed: usize = lanes.values().sum();
    let share = |n: usize| if assessed == 0 { 0.0 } else { n as f64 / assessed as f64 };
    let lanes =
        lanes.into_iter().map(|(lane, count)| LaneShare { lane: lane.into(), count, share: share(count) }).collect();
    (hours.into_values().collect(), lanes, share(automatic))
}

/// The dashboard of the last `hours` hours (1 to [`MAX_HOURS`]) up to `now`, reused for the
/// configured few seconds.
pub async fn dashboard(
    state: &AppState,
    caller: &Principal,
    hours: i64,
    now: Timestamp,
) -> Result<Arc<Dashboard>, ReadError> {
    super::require(caller, READERS, "read the dashboard")?;
    if !(1..=MAX_HOURS).contains(&hours) {
        return Err(ReadError::BadParameter("hours", format!("must be between 1 and {MAX_HOURS}")));
    }
    let state = state.clone();
    let figures = state.figures.clone();
    figures.dashboard.get(hours, move || async move { compute(&state, hours, now).await }).await
}

/// The window the dashboard shows unless asked for another, hours.
pub const DEFAULT_HOURS: i64 = 24;

/// Computes the default window's figures ahead of the first reader.
pub async fn warm(state: &AppState) -> Result<(), ReadError> {
    let now = Timestamp::now();
    let state = state.clone();
    let figures = state.figures.clone();
    figures
        .dashboard
        .get(DEFAULT_HOURS, move || async move { compute(&state, DEFAULT_HOURS, now).await })
        .await
        .map(|_| ())
}

async fn compute(state: &AppState, hours: i64, now: Timestamp) -> Result<Dashboard, ReadError> {
    let from = now - TimeDelta::hours(hours);
    let counts = state.store.registrations_by_hour(from, now).await?;
    let (per_hour, lanes, released_automatically_share) = series(from, now, &counts);
    let queues = state
        .store
        .queues()
        .await?
        .into_iter()
        .map(|q| QueueView {
            state: q.state,
            count: q.count,
            oldest_age_s: (now - q.oldest_since).as_seconds_f64().max(0.0),
        })
        .collect();
    let revenue = Amount::from_cents(state.store.revenue_between(from, now).await?);
    Ok(Dashboard { from, to: now, per_hour, lanes, released_automatically_share, queues, revenue })
}

#[cfg(test)]
mod tests {
    use super::*;
    use smartcustoms_core::risk::Lane;

    fn filed(at: Timestamp, lane: Lane) -> HourlyCount {
        HourlyCount { hour: at, lane: Some(lane), count: 1 }
    }

    #[test]
    fn every_hour_of_the_window_is_a_point_and_lanes_are_shares() {
        let day = chrono::NaiveDate::from_ymd_opt(2026, 12, 3).unwrap_or_default();
        let from = Timestamp::start_of(day) + TimeDelta::minutes(30);
        let to = from + TimeDelta::hours(3);
        let times = [
            filed(from + TimeDelta::minutes(10), Lane::Green),
            filed(from + TimeDelta::minutes(40), Lane::Red),
            filed(from + TimeDelta::minutes(41), Lane::Blue),
            filed(from + TimeDelta::minutes(150), Lane::Yellow),
        ];
        let (hours, lanes, automatic) = series(from, to, &times);
        // 00:00 (the window starts in it), 01:00, 02:00 and 03:00.
        assert_eq!(hours.len(), 4);
        assert_eq!(hours.iter().map(|h| h.registered).collect::<Vec<_>>(), [1, 2, 0, 1]);
        assert_eq!(hours.iter().map(|h| h.released_automatically).collect::<Vec<_>>(), [1, 1, 0, 0]);
        assert_eq!(hours[0].hour, Timestamp::start_of(day));
        let counted: Vec<(String, usize)> = lanes.iter().map(|l| (l.lane.clone(), l.count)).collect();
        assert_eq!(counted, [("blue".into(), 1), ("green".into(), 1), ("red".into(), 1), ("yellow".into(), 1)]);
        assert_eq!(automatic, 0.5);
        assert_eq!(series(from, to, &[]).2, 0.0, "no declarations, no share");
    }
}
