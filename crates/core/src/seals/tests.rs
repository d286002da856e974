//! Properties of the monitor over whole journeys: the order and repetition of reports do not
//! change the incidents a report shows, nothing is raised twice, and a buffer replayed after a
//! tunnel raises nothing false.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use chrono::TimeDelta;
use proptest::prelude::*;

use super::*;
use crate::timestamp::Timestamp;

const T0: i64 = 1_800_000_000_000_000;

fn t_ms(ms: i64) -> Timestamp {
    Timestamp::from_micros(T0 + ms * 1_000)
}

/// The road of the monitor's unit tests: the 55th parallel from 37.0° to 37.5° east.
fn plan(period_s: i64) -> Result<Plan, TestCaseError> {
    let waypoints = (0..=10).map(|i| Position { lat: 55.0, lon: 37.0 + f64::from(i) * 0.05 }).collect();
    let route = Route::new(waypoints, 200.0).map_err(|e| TestCaseError::fail(e.to_string()))?;
    Ok(Plan {
        route: Arc::new(route),
        started_at: t_ms(0),
        deadline: t_ms(24 * 3_600_000),
        period: TimeDelta::seconds(period_s),
    })
}

/// A report `km` along the road, `north_m` off it, at `seconds`.
fn report(seq: u64, seconds: i64, km: f64, north_m: f64) -> Report {
    Report {
        seq,
        time: t_ms(seconds * 1000),
        position: Position { lat: 55.0 + north_m / 111_250.0, lon: 37.0 + km / 64.0 },
        battery: 80.0,
        state: SealState::Closed,
        events: EventSet::EMPTY,
    }
}

/// A journey of reports a minute apart, 800 m apart along the road, each perhaps a kilometre off
/// it, opened, or carrying a tamper or malfunction event.
fn journey() -> impl Strategy<Value = Vec<Report>> {
    proptest::collection::vec((any::<bool>(), any::<bool>(), 0u8..5), 2..40).prop_map(|steps| {
        steps
            .into_iter()
            .enumerate()
            .map(|(i, (outside, opened, event))| {
                let mut r = report(i as u64, i as i64 * 60, i as f64 * 0.8, if outside { 1000.0 } else { 0.0 });
                if opened {
                    r.state = SealState::Opened;
                }
                r.events = match event {
                    1 => r.events.with(SealEvent::HousingBroken),
                    2 => r.events.with(SealEvent::UnauthorisedAction),
                    3 => r.events.with(SealEvent::Malfunction),
                    _ => r.events,
                };
                r
            })
            .collect()
    })
}

/// Feeds `reports` in the order of `order`, all received after the journey, a second apart;
/// the track and every change.
fn feed(reports: &[Report], order: &[usize]) -> Result<(SealTrack, Vec<Change>), TestCaseError> {
    let mut track = SealTrack::new(plan(60)?);
    let end = reports.len() as i64 * 60_000;
    let mut changes = Vec::new();
    for (k, &i) in order.iter().enumerate() {
        let r = reports.get(i).ok_or_else(|| TestCaseError::fail("index"))?;
        let out = track.observe(r, t_ms(end + k as i64 * 1000));
        prop_assert!(!matches!(out.verdict, Verdict::Rejected(_)), "{:?}", out.verdict);
        changes.extend(out.changes);
    }
    Ok((track, changes))
}

type Shape = (AlertKind, Timestamp, Option<u64>, Option<Timestamp>, Option<u64>);

/// The incidents that single reports show, as a set.
fn shown(track: &SealTrack) -> BTreeSet<Shape> {
    let kinds = [AlertKind::Deviation, AlertKind::Opened, AlertKind::Tamper, AlertKind::Malfunction];
    track
        .incidents()
        .iter()
        .filter(|i| kinds.contains(&i.kind))
        .map(|i| (i.kind, i.opened_at, i.opened_by, i.closed_at, i.closed_by))
        .collect()
}

/// Every incident is raised by exactly one `Opened` change, and no two incidents of a kind
/// were shown first by the same report.
fn raised_once(track: &SealTrack, changes: &[Change]) -> Result<(), TestCaseError> {
    let mut opened: BTreeMap<u32, usize> = BTreeMap::new();
    for c in changes.iter().filter(|c| c.what == ChangeKind::Opened) {
        *opened.entry(c.incident.number).or_default() += 1;
    }
    prop_assert_eq!(opened.len(), track.incidents().len());
    prop_assert!(opened.values().all(|n| *n == 1));
    let firsts: Vec<(AlertKind, u64)> =
        track.incidents().iter().filter_map(|i| i.opened_by.map(|by| (i.kind, by))).collect();
    let distinct: BTreeSet<&(AlertKind, u64)> = firsts.iter().collect();
    prop_assert_eq!(distinct.len(), firsts.len());
    Ok(())
}

fn shuffled_with_repeats() -> impl Strategy<Value = (Vec<Report>, Vec<usize>)> {
    (journey(), proptest::collection::vec(any::<prop::sample::Index>(), 0..8)).prop_flat_map(|(reports, repeats)| {
        let mut order: Vec<usize> = (0..reports.len()).collect();
        order.extend(repeats.iter().map(|r| r.index(reports.len())));
        (Just(reports), Just(order).prop_shuffle())
    })
}

/// How a buffer is sent after a tunnel.
#[derive(Debug, Clone, Copy)]
enum Replay {
    /// The live report first, then the buffer, oldest first.
    LiveFirst,
    /// The buffer, oldest first, then the live report.
    BufferFirst,
    /// The live report first, then the buffer in any order.
    Shuffled,
}

/// A journey at 60 km/h reporting every 5 s, with a tunnel over reports `gap`: the reports
/// before it live, the tunnel's buffered, `after` more live reports after it. Time ticks every
/// period. The track and every change.
fn tunnel(
    before: u64,
    gap: u64,
    after: u64,
    replay: Replay,
    seed: u64,
) -> Result<(SealTrack, Vec<Change>), TestCaseError> {
    let mut track = SealTrack::new(plan(5)?);
    let mut changes = Vec::new();
    let at = |i: u64| report(i, i as i64 * 5, i as f64 * 5.0 / 60.0, 0.0);
    for i in 0..before {
        let r = at(i);
        changes.extend(track.observe(&r, r.time + TimeDelta::seconds(1)).changes);
        changes.extend(track.tick(r.time + TimeDelta::seconds(1)));
    }
    let back = before + gap;
    for s in (before as i64 * 5)..(back as i64 * 5) {
        changes.extend(track.tick(t_ms(s * 1000)));
    }
    let mut burst: Vec<u64> = match replay {
        Replay::LiveFirst => std::iter::once(back).chain(before..back).collect(),
        Replay::BufferFirst => (before..=back).collect(),
        Replay::Shuffled => {
            let mut buffer: Vec<u64> = (before..back).collect();
            // A fixed shuffle from the seed, so the case can be replayed.
            let n = buffer.len() as u64;
            for k in (1..n).rev() {
                let j = (seed
                    .wrapping_mul(6_364_136_223_846_793_005)
                    .wrapping_add(k.wrapping_mul(1_442_695_040_888_963_407))
                    >> 33)
                    % (k + 1);
                buffer.swap(k as usize, j as usize);
            }
            std::iter::once(back).chain(buffer).collect()
        }
    };
    let reconnect = back as i64 * 5_000 + 1_000;
    for (k, i) in burst.drain(..).enumerate() {
        let out = track.observe(&at(i), t_ms(reconnect + k as i64 * 10));
        prop_assert!(!matches!(out.verdict, Verdict::Rejected(_)), "{:?}", out.verdict);
        changes.extend(out.changes);
    }
    for i in back + 1..=back + after {
        let r = at(i);
        changes.extend(track.observe(&r, r.time + TimeDelta::seconds(1)).changes);
        changes.extend(track.tick(r.time + TimeDelta::seconds(1)));
    }
    Ok((track, changes))
}

#[test]
fn a_buffer_sent_after_the_live_report_disproves_the_signal_loss() -> Result<(), TestCaseError> {
    let (track, changes) = tunnel(20, 60, 5, Replay::LiveFirst, 0)?;
    let kinds: Vec<(ChangeKind, AlertKind)> = changes.iter().map(|c| (c.what, c.incident.kind)).collect();
    use AlertKind::SignalLost;
    assert_eq!(
        kinds,
        [(ChangeKind::Opened, SignalLost), (ChangeKind::Closed, SignalLost), (ChangeKind::Amended, SignalLost)]
    );
    let lost = track.incidents()[0];
    // Report 19 was received at 96 s; two periods later the signal was lost. Report 80, live,
    // came back first, at 401 s.
    assert_eq!((lost.opened_at, lost.closed_at, lost.closed_by), (t_ms(106_000), Some(t_ms(401_000)), Some(80)));
    assert!(lost.disproved);
    Ok(())
}

#[test]
fn a_buffer_sent_oldest_first_disproves_the_signal_loss_once_it_covers_it() -> Result<(), TestCaseError> {
    let (track, changes) = tunnel(20, 60, 5, Replay::BufferFirst, 0)?;
    assert_eq!(track.incidents().len(), 1);
    let lost = track.incidents()[0];
    assert_eq!((lost.kind, lost.closed_by, lost.disproved), (AlertKind::SignalLost, Some(20), true));
    assert_eq!(changes.iter().filter(|c| c.what == ChangeKind::Amended).count(), 1);
    Ok(())
}

#[test]
fn a_real_hole_in_the_track_leaves_the_signal_loss_standing() -> Result<(), TestCaseError> {
    let mut track = SealTrack::new(plan(5)?);
    for i in 0..10u64 {
        let r = report(i, i as i64 * 5, i as f64 * 5.0 / 60.0, 0.0);
        track.observe(&r, r.time + TimeDelta::seconds(1));
    }
    track.tick(t_ms(100_000));
    // Only every fourth report of the tunnel survived in the buffer: holes of 20 s.
    for i in (30..=60u64).step_by(4) {
        let r = report(i, i as i64 * 5, i as f64 * 5.0 / 60.0, 0.0);
        track.observe(&r, t_ms(310_000 + i as i64));
    }
    let lost = track.incidents()[0];
    assert_eq!((lost.kind, lost.closed_by, lost.disproved), (AlertKind::SignalLost, Some(30), false));
    Ok(())
}

proptest! {
    /// Whatever the order and repetition of a journey's reports, the deviation, opened, tamper
    /// and malfunction incidents are those of the journey fed in order, and nothing is raised
    /// twice.
    #[test]
    fn any_order_of_reports_shows_the_same_incidents(case in shuffled_with_repeats()) {
        let (reports, order) = case;
        let in_order: Vec<usize> = (0..reports.len()).collect();
        let (expected, straight) = feed(&reports, &in_order)?;
        let (track, changes) = feed(&reports, &order)?;
        prop_assert_eq!(shown(&track), shown(&expected));
        raised_once(&track, &changes)?;
        raised_once(&expected, &straight)?;
    }

    /// A buffer replayed after a tunnel, however it is sent, raises no deviation, stop or
    /// other alert; the signal loss it covers is raised once, closed and disproved.
    #[test]
    fn a_replayed_buffer_raises_nothing_false(
        before in 3u64..30, gap in 3u64..100, after in 0u64..10,
        replay in prop_oneof![Just(Replay::LiveFirst), Just(Replay::BufferFirst), Just(Replay::Shuffled)],
        seed in any::<u64>()) {
        let (track, changes) = tunnel(before, gap, after, replay, seed)?;
        raised_once(&track, &changes)?;
        prop_assert_eq!(track.incidents().len(), 1, "{:?}", track.incidents());
        let lost = track.incidents()[0];
        prop_assert_eq!(lost.kind, AlertKind::SignalLost);
        prop_assert!(!lost.is_open() && lost.disproved, "{:?}", lost);
    }
}
