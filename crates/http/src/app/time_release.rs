//! Time release, in the manner of the WCO Time Release Study, computed from every recorded
//! event rather than from a sample: for the declarations filed in a period and registered, how
//! long each took from filing to registration, to its lane and to release, overall and by lane,
//! by office, by hour of filing and by mode of transport at the border. Each figure is a count, a mean, a median and a 95th
//! percentile, in seconds. Only aggregates leave this module: no declaration or trader is named.

use std::collections::BTreeMap;
use std::sync::Arc;

use chrono::{NaiveDate, TimeDelta, Timelike};
use serde::Serialize;
use utoipa::ToSchema;

use smartcustoms_core::checkpoint;
use smartcustoms_core::codes;
use smartcustoms_core::timestamp::Timestamp;
use smartcustoms_storage::StepTimes;

use super::declarations::ReadError;
use crate::state::AppState;

/// Longest period one request may cover, days.
pub const MAX_DAYS: i64 = 31;

/// How long one step took across declarations, seconds.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct Durations {
    /// Declarations that passed the step.
    pub count: usize,
    /// Mean.
    pub mean_s: f64,
    /// Median (the mean of the two middle values for an even count).
    pub median_s: f64,
    /// 95th percentile (nearest rank).
    pub p95_s: f64,
}

impl Durations {
    /// The figures of some durations; `None` when there are none.
    pub fn of(mut seconds: Vec<f64>) -> Option<Durations> {
        if seconds.is_empty() {
            return None;
        }
        seconds.sort_by(f64::total_cmp);
        let n = seconds.len();
        let median_s = match n % 2 {
            1 => seconds[n / 2],
            _ => (seconds[n / 2 - 1] + seconds[n / 2]) / 2.0,
        };
        // Nearest rank: the smallest value with at least 95 % of the values at or below it.
        let rank = (n * 95).div_ceil(100).max(1);
        Some(Durations { count: n, mean_s: seconds.iter().sum::<f64>() / n as f64, median_s, p95_s: seconds[rank - 1] })
    }
}

/// The three steps of one group of declarations.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct Steps {
    /// Declarations in the group.
    pub declarations: usize,
    /// From filing to registration.
    pub to_registration: Option<Durations>,
    /// From filing to the lane.
    pub to_lane: Option<Durations>,
    /// From filing to release (released declarations only).
    pub to_release: Option<Durations>,
}

impl Steps {
    fn of<'a>(times: impl Iterator<Item = &'a StepTimes>) -> Steps {
        let (mut registration, mut lane, mut release) = (Vec::new(), Vec::new(), Vec::new());
        let since = |t: &StepTimes, at: Timestamp| (at - t.received_at_us).as_seconds_f64().max(0.0);
        for t in times {
            registration.push(since(t, t.registered_at_us));
            lane.extend(t.lane_at_us.map(|at| since(t, at)));
            release.extend(t.released_at_us.map(|at| since(t, at)));
        }
        Steps {
            declarations: registration.len(),
            to_registration: Durations::of(registration),
            to_lane: Durations::of(lane),
            to_release: Durations::of(release),
        }
    }
}

/// The steps of one group: a lane, an office or an hour.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct Group {
    /// The lane, the office code or the hour of filing (`00` to `23`, UTC).
    pub key: String,
    /// Its steps.
    #[serde(flatten)]
    pub steps: Steps,
}

/// Time release over a period.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct TimeRelease {
    /// First day (UTC) of the period.
    pub from: NaiveDate,
    /// Last day (UTC) of the period, included.
    pub to: NaiveDate,
    /// Every declaration of the period.
    pub overall: Steps,
    /// By lane.
    pub by_lane: Vec<Group>,
    /// By office of declaration.
    pub by_office: Vec<Group>,
    /// By hour of filing (UTC).
    pub by_hour: Vec<Group>,
    /// By mode of transport at the border (`1 sea`, `3 road`, …).
    pub by_transport_mode: Vec<Group>,
}

/// The name of a mode of transport (UN/ECE Rec. 19) with its code, e.g. `3 road`.
pub fn transport_mode(code: &str) -> String {
    let name = codes::find_code(codes::TRANSPORT_MODES, code).map_or("other", |e| e.name);
    format!("{code} {name}")
}

/// The report of some step times.
pub fn report(from: NaiveDate, to: NaiveDate, times: &[StepTimes]) -> TimeRelease {
    let grouped = |key: &dyn Fn(&StepTimes) -> Option<String>| {
        let mut groups: BTreeMap<String, Vec<&StepTimes>> = BTreeMap::new();
        for t in times {
            if let Some(k) = key(t) {
                groups.entry(k).or_default().push(t);
            }
        }
        groups.into_iter().map(|(key, ts)| Group { key, steps: Steps::of(ts.into_iter()) }).collect()
    };
    TimeRelease {
        from,
        to,
        overall: Steps::of(times.iter()),
        by_lane: grouped(&|t| t.lane.map(|l| l.as_str().to_string())),
        by_office: grouped(&|t| t.office.clone()),
        by_hour: grouped(&|t| t.received_at_us.to_datetime().map(|at| format!("{:02}", at.hour()))),
        by_transport_mode: grouped(&|t| t.transport_mode.as_deref().map(transport_mode)),
    }
}

/// Time release for the declarations filed from `from` to `to` (days, UTC, both included;
/// by default the seven days up to `today`); at most [`MAX_DAYS`] days. The figures of a
/// period are reused for the configured few seconds.
pub async fn time_release(
    state: &AppState,
    from: Option<NaiveDate>,
    to: Option<NaiveDate>,
    today: NaiveDate,
) -> Result<Arc<TimeRelease>, ReadError> {
    let to = to.unwrap_or(today);
    let from = from.unwrap_or(to.checked_sub_signed(TimeDelta::days(6)).unwrap_or(NaiveDate::MIN));
    if from > to {
        return Err(ReadError::BadParameter("from", format!("{from} is after {to}")));
    }
    if (to - from).num_days() >= MAX_DAYS {
        return Err(ReadError::BadParameter("to", format!("a period is at most {MAX_DAYS} days")));
    }
    let end = Timestamp::start_of(to) + TimeDelta::days(1);
    let store = state.store.clone();
    let compute = move || async move {
        let times = store.step_times(Timestamp::start_of(from), end).await?;
        Ok(report(from, to, &times))
    };
    state.figures.time_release.get((from, to), compute).await
}

/// How long one stage took at a checkpoint across vehicles, seconds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
pub struct StageTimes {
    /// Vehicles measured.
    pub count: usize,
    /// Median (nearest rank).
    pub median_s: i64,
    /// 90th percentile (nearest rank).
    pub p90_s: i64,
}

impl StageTimes {
    fn of(spans: &[TimeDelta]) -> Option<StageTimes> {
        checkpoint::stats(spans).map(|s| StageTimes {
            count: s.count,
            median_s: s.median.num_seconds(),
            p90_s: s.p90.num_seconds(),
        })
    }
}

/// A checkpoint's waiting (arrival to the call) and crossing (the call to crossing) times
/// over a period, for the vehicles that crossed in it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct CheckpointTimes {
    /// The checkpoint's code.
    pub code: String,
    /// Its name.
    pub name: String,
    /// Vehicles that crossed in the period.
    pub crossed: usize,
    /// Arrival to the call.
    pub waiting: Option<StageTimes>,
    /// The call to crossing.
    pub crossing: Option<StageTimes>,
}

/// Most vehicles of one checkpoint counted over a period.
const CHECKPOINT_VEHICLES: i64 = 100_000;

/// The waiting and crossing times of every checkpoint for the vehicles that crossed from `from`
/// to `to` (days, UTC, both included), as `checkpoint::time_release` measures each vehicle.
/// Only aggregates: no vehicle, plate or carrier is named. Reused for the configured few seconds.
pub async fn checkpoints(
    state: &AppState,
    from: NaiveDate,
    to: NaiveDate,
) -> Result<Arc<Vec<CheckpointTimes>>, ReadError> {
    let store = state.store.clone();
    let compute = move || async move { checkpoint_times(store.as_ref(), from, to).await };
    state.figures.checkpoint_times.get((from, to), compute).await
}

async fn checkpoint_times(
    store: &dyn smartcustoms_storage::Store,
    from: NaiveDate,
    to: NaiveDate,
) -> Result<Vec<CheckpointTimes>, ReadError> {
    let (start, end) = (Timestamp::start_of(from), Timestamp::start_of(to) + TimeDelta::days(1));
    let mut out = Vec::new();
    for c in store.checkpoints().await? {
        let closed = store.closed_vehicles(&c.code, start, CHECKPOINT_VEHICLES).await?;
        let (mut waiting, mut crossing) = (Vec::new(), Vec::new());
        for v in closed.iter().filter(|v| v.state == "crossed") {
            let (Some(arrived), Some(crossed)) = (v.arrived_at_us, v.crossed_at_us) else { continue };
            let crossed = Timestamp::from_micros(crossed);
            if crossed < start || crossed >= end {
                continue;
            }
            let m = checkpoint::Milestones {
                arrived: Timestamp::from_micros(arrived),
                slot: v.slot_us.map(Timestamp::from_micros),
                called: v.called_at_us.map(Timestamp::from_micros),
                crossed: Some(crossed),
            };
            let Ok(t) = checkpoint::time_release(&m, crossed) else { continue };
            waiting.push(t.waiting);
            crossing.extend(t.crossing);
        }
        out.push(CheckpointTimes {
            code: c.code,
            name: c.name,
            crossed: waiting.len(),
            waiting: StageTimes::of(&waiting),
            crossing: StageTimes::of(&crossing),
        });
    }
    Ok(out)
}

/// Computes the default period's figures (the last seven days) ahead of the first reader.
pub async fn warm(state: &AppState) -> Result<(), ReadError> {
    time_release(state, None, None, chrono::Utc::now().date_naive()).await.map(|_| ())
}

#[cfg(test)]
mod tests {
    use super::*;
    use smartcustoms_core::risk::Lane;

    fn at(day: u32, h: u32, s: i64) -> Timestamp {
        let date = NaiveDate::from_ymd_opt(2026, 12, day).unwrap_or_default();
        Timestamp::start_of(date) + TimeDelta::hours(h.into()) + TimeDelta::seconds(s)
    }

    fn times(office: &str, lane: Lane, filed: Timestamp, steps: [Option<i64>; 3]) -> StepTimes {
        let after = |s: Option<i64>| s.map(|s| filed + TimeDelta::seconds(s));
        StepTimes {
            office: Some(office.into()),
            lane: Some(lane),
            transport_mode: Some(if office == "DE000001" { "3" } else { "4" }.into()),
            received_at_us: filed,
            registered_at_us: after(steps[0]).unwrap_or(filed),
            lane_at_us: after(steps[1]),
            released_at_us: after(steps[2]),
        }
    }

    #[test]
    fn durations_have_a_mean_a_median_and_a_nearest_rank_95th_percentile() {
        assert_eq!(Durations::of(Vec::new()), None);
        let one = Durations::of(vec![4.0]).unwrap_or_else(|| panic!("one value"));
        assert_eq!((one.count, one.mean_s, one.median_s, one.p95_s), (1, 4.0, 4.0, 4.0));
        let even = Durations::of(vec![4.0, 1.0, 3.0, 2.0]).unwrap_or_else(|| panic!("values"));
        assert_eq!((even.mean_s, even.median_s, even.p95_s), (2.5, 2.5, 4.0));
        let hundred: Vec<f64> = (1..=100).rev().map(f64::from).collect();
        let d = Durations::of(hundred).unwrap_or_else(|| panic!("values"));
        assert_eq!((d.median_s, d.p95_s), (50.5, 95.0));
    }

    #[test]
    fn steps_are_counted_from_filing_and_grouped_by_lane_office_hour_and_transport_mode() {
        let times = [
            times("DE000001", Lane::Green, at(1, 9, 0), [Some(1), Some(1), Some(2)]),
            times("DE000001", Lane::Red, at(1, 9, 30), [Some(1), Some(1), Some(7_200)]),
            times("DE000002", Lane::Yellow, at(2, 14, 0), [Some(3), Some(3), None]),
        ];
        let date = |d| NaiveDate::from_ymd_opt(2026, 12, d).unwrap_or_default();
        let r = report(date(1), date(2), &times);
        assert_eq!(r.overall.declarations, 3);
        let release = r.overall.to_release.clone().unwrap_or_else(|| panic!("released ones"));
        assert_eq!((release.count, release.median_s, release.p95_s), (2, 3_601.0, 7_200.0), "the yellow one waits");
        assert_eq!(r.overall.to_registration.as_ref().map(|d| d.mean_s), Some(5.0 / 3.0));
        let keys = |groups: &[Group]| groups.iter().map(|g| g.key.clone()).collect::<Vec<_>>();
        assert_eq!(keys(&r.by_lane), ["green", "red", "yellow"]);
        assert_eq!(keys(&r.by_office), ["DE000001", "DE000002"]);
        assert_eq!(keys(&r.by_hour), ["09", "14"]);
        assert_eq!(keys(&r.by_transport_mode), ["3 road", "4 air"]);
        assert_eq!(r.by_office[0].steps.declarations, 2);
        assert_eq!(r.by_lane[2].steps.to_release, None, "nothing released in the yellow lane yet");
    }
}
