//! The seals' monitors a process keeps, and how they are built from the store.
//!
//! A report is written first to the log (in the order received) and kept in its monitor's
//! `pending` list; once the seal has about [`PLACE_AT`] pending reports, or the oldest has
//! waited about [`PLACE_AFTER`], they are placed together by movement, seal and sequence
//! number, so that a fleet's reports land on a page per several reports of a seal rather than
//! one each. A
//! monitor is rebuilt by replaying its seal's placed and logged reports in the order received.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use chrono::TimeDelta;

use smartcustoms_core::seals::{self, Plan, Position, Route, SealTrack};
use smartcustoms_core::timestamp::Timestamp;
use smartcustoms_storage::{SealReportRow, Store, StoreError, TransitRecord};

/// Most pending reports of a seal before they are placed together.
pub const PLACE_AT: usize = 16;

/// Longest a report waits in the log before it is placed.
pub const PLACE_AFTER: TimeDelta = TimeDelta::seconds(60);

/// Reports taken in at once from which the platform judges whether it is behind.
const LAG_SAMPLE: usize = 64;

/// Longest the platform's own backlog holds time's alerts back.
const BEHIND_AT_MOST: TimeDelta = TimeDelta::minutes(10);

/// A seal's monitor on its movement.
pub(super) struct Tracked {
    pub transit_id: String,
    pub mrn: String,
    pub track: SealTrack,
    /// Reports in the log, not yet placed, in the order received.
    pub pending: Vec<SealReportRow>,
    /// This seal's share of [`PLACE_AT`] and [`PLACE_AFTER`]: between half and all of them,
    /// by its id, so that a fleet that began reporting at once does not place at once.
    place_at: usize,
    place_after: TimeDelta,
}

impl Tracked {
    fn new(seal_id: &str, transit: (&str, &str), track: SealTrack, pending: Vec<SealReportRow>) -> Tracked {
        let (place_at, place_after) = shares(seal_id);
        Tracked { transit_id: transit.0.to_string(), mrn: transit.1.to_string(), track, pending, place_at, place_after }
    }

    /// The pending reports to place at `now`: all of them once there are enough or the oldest
    /// has waited long enough.
    pub fn take_due(&mut self, now: Timestamp) -> Vec<SealReportRow> {
        let old = self.pending.first().is_some_and(|first| first.received_at_us + self.place_after <= now);
        if old || self.pending.len() >= self.place_at {
            std::mem::take(&mut self.pending)
        } else {
            Vec::new()
        }
    }
}

/// The monitors of a process.
#[derive(Default)]
pub(super) struct Watch {
    pub monitors: HashMap<String, Tracked>,
    /// True once the reports the log held when the process started (or when a write failed)
    /// are back in their monitors.
    pub recovered: bool,
    /// True when reports were placed since the log was last trimmed.
    pub placed: bool,
    /// How far behind the reports being taken in are (see [`Watch::note_lag`]): time alone
    /// raises nothing for this long more, since the platform's own backlog is not the seals'
    /// silence.
    pub behind: TimeDelta,
}

impl Watch {
    /// Forgets every monitor: the next report rebuilds them from the store.
    pub fn reset(&mut self) {
        self.monitors.clear();
        self.recovered = false;
    }

    /// Notes how far behind a batch of reports taken in at once was: the median of their
    /// received time less their device time, when the batch is large enough to say (a full
    /// batch means more were waiting, and a median is not moved by the few seals whose clock
    /// is off or that replay a buffer); a small batch means nothing waits.
    pub fn note_lag(&mut self, mut lags: Vec<TimeDelta>) {
        self.behind = if lags.len() < LAG_SAMPLE {
            TimeDelta::zero()
        } else {
            let middle = lags.len() / 2;
            (*lags.select_nth_unstable(middle).1).clamp(TimeDelta::zero(), BEHIND_AT_MOST)
        };
    }
}

/// A seal's share of [`PLACE_AT`] and [`PLACE_AFTER`], by its id.
pub fn shares(seal_id: &str) -> (usize, TimeDelta) {
    // FNV-1a: a spread that is the same in every process and every run.
    let h = seal_id.bytes().fold(0xcbf2_9ce4_8422_2325_u64, |h, b| (h ^ u64::from(b)).wrapping_mul(0x100_0000_01b3));
    let share = |whole: u64| whole / 2 + h % (whole / 2 + 1);
    let at = usize::try_from(share(PLACE_AT as u64)).unwrap_or(PLACE_AT);
    let after =
        TimeDelta::milliseconds(i64::try_from(share(PLACE_AFTER.num_milliseconds().unsigned_abs())).unwrap_or(0));
    (at, after)
}

/// Monitors built from the store.
#[derive(Default)]
pub(super) struct Built {
    pub monitors: Vec<(String, Tracked)>,
    /// Logged reports of seals no longer on the movement they were sent on: to place as
    /// they are.
    pub stray: Vec<SealReportRow>,
}

/// Builds the monitors of `seals` (each with the instant it was first heard, from which its
/// silence counts when it has no report yet) from their movements, their placed reports and
/// `log` (the logged reports that are theirs or stray). Seals on no movement are left out.
pub(super) async fn build(
    store: &dyn Store,
    period: TimeDelta,
    seals: &[(String, Timestamp)],
    log: Vec<SealReportRow>,
) -> Result<Built, StoreError> {
    let ids: Vec<String> = seals.iter().map(|(s, _)| s.clone()).collect();
    let on: HashMap<String, TransitRecord> =
        store.transits_of_seals(&ids).await?.into_iter().map(|s| (s.seal_id, s.transit)).collect();
    let transit_ids: Vec<String> = on.values().map(|t| t.id.clone()).collect::<HashSet<_>>().into_iter().collect();
    let mut rows: HashMap<(String, String), Vec<SealReportRow>> = HashMap::new();
    for r in store.placed_seal_reports(&transit_ids).await? {
        rows.entry((r.transit_id.clone(), r.seal_id.clone())).or_default().push(r);
    }
    let mut built = Built::default();
    let mut logged: HashMap<String, Vec<SealReportRow>> = HashMap::new();
    for r in log {
        match on.get(&r.seal_id) {
            Some(t) if t.id == r.transit_id => logged.entry(r.seal_id.clone()).or_default().push(r),
            _ => built.stray.push(r),
        }
    }
    let mut plans: HashMap<&str, Plan> = HashMap::new();
    for (seal, first_heard) in seals {
        let Some(transit) = on.get(seal) else { continue };
        let plan = match plans.get(transit.id.as_str()) {
            Some(p) => p.clone(),
            None => {
                let p = plan(transit, period)?;
                plans.insert(transit.id.as_str(), p.clone());
                p
            }
        };
        let placed = rows.remove(&(transit.id.clone(), seal.clone())).unwrap_or_default();
        let unplaced = logged.remove(seal).unwrap_or_default();
        built.monitors.push((seal.clone(), monitor(seal, transit, plan, placed, unplaced, *first_heard)));
    }
    Ok(built)
}

/// A seal's monitor: its placed reports and its logged ones (a report in both counts once)
/// replayed in the order received. Silence counts from the first report, or from
/// `first_heard` when there is none: before it the seal may not be fitted or the goods not yet
/// released, and a seal that never reports is caught by the movement's time limit.
fn monitor(
    seal_id: &str,
    transit: &TransitRecord,
    mut plan: Plan,
    placed: Vec<SealReportRow>,
    unplaced: Vec<SealReportRow>,
    first_heard: Timestamp,
) -> Tracked {
    let placed_seqs: HashSet<i64> = placed.iter().map(|r| r.seq).collect();
    let pending: Vec<SealReportRow> = unplaced.into_iter().filter(|r| !placed_seqs.contains(&r.seq)).collect();
    let mut replay: Vec<&SealReportRow> = placed.iter().chain(&pending).collect();
    replay.sort_by_key(|r| (r.received_at_us, r.seq));
    plan.started_at = replay.first().map_or(first_heard, |r| r.received_at_us);
    let mut track = SealTrack::new(plan);
    for row in replay {
        if let Some(report) = stored_report(row) {
            track.tick(row.received_at_us);
            track.observe(&report, row.received_at_us);
        }
    }
    Tracked::new(seal_id, (&transit.id, &transit.mrn), track, pending)
}

/// The plan of a movement's journey: its route and corridor, from acceptance to its time
/// limit.
pub(super) fn plan(transit: &TransitRecord, period: TimeDelta) -> Result<Plan, StoreError> {
    #[derive(serde::Deserialize)]
    struct StoredRoute {
        waypoints: Vec<Position>,
        corridor_m: u32,
    }
    let stored: StoredRoute = serde_json::from_str(&transit.route)
        .map_err(|e| StoreError::Corrupt(format!("route of transit {}: {e}", transit.mrn)))?;
    let route = Route::new(stored.waypoints, f64::from(stored.corridor_m))
        .map_err(|e| StoreError::Corrupt(format!("route of transit {}: {e}", transit.mrn)))?;
    Ok(Plan { route: Arc::new(route), started_at: transit.filed_at_us, deadline: transit.time_limit_at_us, period })
}

/// A stored report as the monitor reads it.
fn stored_report(row: &SealReportRow) -> Option<seals::Report> {
    let events = row
        .events
        .split(',')
        .filter(|e| !e.is_empty())
        .map(seals::SealEvent::from_code)
        .try_fold(seals::EventSet::EMPTY, |set, e| e.map(|e| set.with(e)))?;
    Some(seals::Report {
        seq: u64::try_from(row.seq).ok()?,
        time: row.device_at_us,
        position: Position { lat: row.lat, lon: row.lon },
        battery: row.battery,
        state: seals::SealState::from_code(&row.state)?,
        events,
    })
}

#[cfg(test)]
#[allow(clippy::expect_used)]
mod tests {
    use super::*;

    #[test]
    fn the_backlog_is_the_median_lag_of_a_large_batch_within_bounds() {
        let mut w = Watch::default();
        let mut lags: Vec<TimeDelta> = (0..100).map(|_| TimeDelta::seconds(30)).collect();
        // A few seals replaying old buffers or with clocks far off do not move the median.
        lags.extend([TimeDelta::hours(5), TimeDelta::seconds(-600), TimeDelta::hours(2)]);
        w.note_lag(lags);
        assert_eq!(w.behind, TimeDelta::seconds(30));
        w.note_lag(vec![TimeDelta::hours(1); LAG_SAMPLE]);
        assert_eq!(w.behind, BEHIND_AT_MOST, "held back ten minutes at most");
        w.note_lag(vec![TimeDelta::seconds(-5); LAG_SAMPLE]);
        assert_eq!(w.behind, TimeDelta::zero(), "clocks ahead are no backlog");
        w.note_lag(vec![TimeDelta::hours(1); LAG_SAMPLE]);
        w.note_lag(vec![TimeDelta::hours(1); LAG_SAMPLE - 1]);
        assert_eq!(w.behind, TimeDelta::zero(), "a small batch means nothing waited");
    }

    #[test]
    fn a_seal_places_its_pending_reports_at_its_own_share_of_the_count_and_the_age() {
        let transit = ("T1", "26DE0000000000001");
        let plan = Plan {
            route: Arc::new(
                Route::new(vec![Position { lat: 0.0, lon: 0.0 }, Position { lat: 0.0, lon: 1.0 }], 1000.0)
                    .expect("a route"),
            ),
            started_at: Timestamp::from_micros(0),
            deadline: Timestamp::from_micros(i64::MAX / 2),
            period: TimeDelta::seconds(5),
        };
        let row = |n: i64| SealReportRow {
            transit_id: "T1".into(),
            seal_id: "S".into(),
            seq: n,
            device_at_us: Timestamp::from_micros(n * 5_000_000),
            received_at_us: Timestamp::from_micros(n * 5_000_000),
            lat: 0.0,
            lon: 0.5,
            battery: 90.0,
            state: "closed".into(),
            events: String::new(),
            verdict: "accepted".into(),
        };
        let shares: Vec<(usize, TimeDelta)> = ["NS-1", "NS-2", "NS-3", "NS-4", "NS-5", "NS-6"]
            .iter()
            .map(|s| {
                let t = Tracked::new(s, transit, SealTrack::new(plan.clone()), Vec::new());
                (t.place_at, t.place_after)
            })
            .collect();
        for (at, after) in &shares {
            assert!((PLACE_AT / 2..=PLACE_AT).contains(at), "{shares:?}");
            assert!(*after >= PLACE_AFTER / 2 && *after <= PLACE_AFTER, "{shares:?}");
        }
        assert!(shares.iter().any(|s| *s != shares[0]), "seals differ: {shares:?}");

        let mut t = Tracked::new("NS-1", transit, SealTrack::new(plan), Vec::new());
        t.pending = (0..i64::try_from(t.place_at).unwrap_or(0) - 1).map(row).collect();
        assert!(t.take_due(Timestamp::from_micros(1)).is_empty(), "neither enough nor old enough");
        let due = t.pending[0].received_at_us + t.place_after;
        assert_eq!(t.take_due(due).len(), t.place_at - 1, "the oldest waited long enough");
        assert!(t.pending.is_empty());
        t.pending = (0..i64::try_from(t.place_at).unwrap_or(0)).map(row).collect();
        assert_eq!(t.take_due(Timestamp::from_micros(1)).len(), t.place_at, "enough of them");
    }
}
