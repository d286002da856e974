//! Each alert kind opening and closing once, and the verdicts on odd reports.

use std::sync::Arc;

use chrono::TimeDelta;

use super::*;
use crate::seals::geo::RouteError;
use crate::seals::report::EventSet;

const T0: i64 = 1_800_000_000_000_000;

fn t(seconds: i64) -> Timestamp {
    Timestamp::from_micros(T0 + seconds * 1_000_000)
}

/// A road along the 55th parallel from 37.0° to 37.5° east (about 32 km), a waypoint every
/// 0.05°, with a corridor of 200 m each side.
fn plan(period_s: i64) -> Result<Plan, RouteError> {
    let waypoints = (0..=10).map(|i| Position { lat: 55.0, lon: 37.0 + f64::from(i) * 0.05 }).collect();
    Ok(Plan {
        route: Arc::new(Route::new(waypoints, 200.0)?),
        started_at: t(0),
        deadline: t(4 * 3600),
        period: TimeDelta::seconds(period_s),
    })
}

/// A report `km` along the road at `seconds`, closed, charged, without events.
fn at(seq: u64, seconds: i64, km: f64) -> Report {
    Report {
        seq,
        time: t(seconds),
        position: Position { lat: 55.0, lon: 37.0 + km / 63.9 },
        battery: 80.0,
        state: SealState::Closed,
        events: EventSet::EMPTY,
    }
}

/// The same report `metres` north of the road.
fn north(mut r: Report, metres: f64) -> Report {
    r.position.lat += metres / 111_250.0;
    r
}

fn with(mut r: Report, event: SealEvent) -> Report {
    r.events = r.events.with(event);
    r
}

/// Feeds reports received a second after their device time; every change, in order.
fn feed(track: &mut SealTrack, reports: &[Report]) -> Vec<Change> {
    reports.iter().flat_map(|r| track.observe(r, r.time + TimeDelta::seconds(1)).changes).collect()
}

/// `(what, kind, opened_by, closed_by)` of each change.
fn summary(changes: &[Change]) -> Vec<(ChangeKind, AlertKind, Option<u64>, Option<u64>)> {
    changes.iter().map(|c| (c.what, c.incident.kind, c.incident.opened_by, c.incident.closed_by)).collect()
}

/// A journey of `n` reports a minute apart at 1 km a minute, each changed by `f`.
fn journey(n: u64, f: impl Fn(Report) -> Report) -> Vec<Report> {
    (0..n).map(|i| f(at(i, i as i64 * 60, i as f64))).collect()
}

#[test]
fn a_deviation_opens_once_and_closes_once() -> Result<(), RouteError> {
    let mut track = SealTrack::new(plan(60)?);
    let reports = journey(10, |r| if (4..=6).contains(&r.seq) { north(r, 1000.0) } else { north(r, 50.0) });
    let changes = feed(&mut track, &reports);
    use AlertKind::Deviation;
    assert_eq!(
        summary(&changes),
        [(ChangeKind::Opened, Deviation, Some(4), None), (ChangeKind::Closed, Deviation, Some(4), Some(7))]
    );
    assert_eq!(changes[0].incident.opened_at, t(240));
    assert_eq!(track.incidents().len(), 1);
    Ok(())
}

#[test]
fn the_seals_own_route_deviation_event_is_a_deviation_too() -> Result<(), RouteError> {
    let mut track = SealTrack::new(plan(60)?);
    let reports = journey(4, |r| if r.seq == 1 { with(r, SealEvent::RouteDeviation) } else { r });
    let changes = feed(&mut track, &reports);
    assert_eq!(summary(&changes)[0], (ChangeKind::Opened, AlertKind::Deviation, Some(1), None));
    assert_eq!(summary(&changes)[1], (ChangeKind::Closed, AlertKind::Deviation, Some(1), Some(2)));
    Ok(())
}

#[test]
fn standing_still_ten_minutes_is_one_stop_until_the_vehicle_moves() -> Result<(), RouteError> {
    let mut track = SealTrack::new(plan(60)?);
    // Moving for 3 minutes, standing (with 10 m of GPS jitter) at km 3 from minute 3 to 16.
    let reports: Vec<Report> = (0..20u64)
        .map(|i| {
            let km = (i.min(3) + i.saturating_sub(16)) as f64;
            let jitter = if i % 2 == 0 { 10.0 } else { 0.0 };
            north(at(i, i as i64 * 60, km), jitter)
        })
        .collect();
    let changes = feed(&mut track, &reports);
    use AlertKind::Stop;
    assert_eq!(
        summary(&changes),
        [(ChangeKind::Opened, Stop, Some(13), None), (ChangeKind::Closed, Stop, Some(13), Some(17))]
    );
    Ok(())
}

#[test]
fn standing_at_the_destination_is_no_stop() -> Result<(), RouteError> {
    let mut track = SealTrack::new(plan(60)?);
    let end = 0.5 * 63.9;
    let reports: Vec<Report> = (0..50u64).map(|i| at(i, i as i64 * 60, (i as f64).min(end))).collect();
    assert_eq!(feed(&mut track, &reports), vec![]);
    assert!(track.arrived().is_some());
    Ok(())
}

#[test]
fn an_opened_seal_or_a_broken_sealing_element_is_one_opened_incident() -> Result<(), RouteError> {
    let mut track = SealTrack::new(plan(60)?);
    let reports = journey(8, |mut r| {
        if (3..=4).contains(&r.seq) {
            r.state = SealState::Opened;
        }
        if r.seq == 5 {
            r = with(r, SealEvent::SealingElementBroken);
        }
        r
    });
    let changes = feed(&mut track, &reports);
    use AlertKind::Opened;
    assert_eq!(
        summary(&changes),
        [(ChangeKind::Opened, Opened, Some(3), None), (ChangeKind::Closed, Opened, Some(3), Some(6))]
    );
    Ok(())
}

#[test]
fn a_broken_housing_and_an_unauthorised_action_are_one_tamper_incident() -> Result<(), RouteError> {
    let mut track = SealTrack::new(plan(60)?);
    let reports = journey(6, |r| match r.seq {
        2 => with(r, SealEvent::HousingBroken),
        3 => with(r, SealEvent::UnauthorisedAction),
        _ => r,
    });
    let changes = feed(&mut track, &reports);
    use AlertKind::Tamper;
    assert_eq!(
        summary(&changes),
        [(ChangeKind::Opened, Tamper, Some(2), None), (ChangeKind::Closed, Tamper, Some(2), Some(4))]
    );
    Ok(())
}

#[test]
fn a_malfunction_event_opens_and_closes_a_malfunction() -> Result<(), RouteError> {
    let mut track = SealTrack::new(plan(60)?);
    let reports = journey(5, |r| if r.seq == 1 || r.seq == 2 { with(r, SealEvent::Malfunction) } else { r });
    let changes = feed(&mut track, &reports);
    use AlertKind::Malfunction;
    assert_eq!(
        summary(&changes),
        [(ChangeKind::Opened, Malfunction, Some(1), None), (ChangeKind::Closed, Malfunction, Some(1), Some(3))]
    );
    Ok(())
}

#[test]
fn a_low_battery_opens_below_15_and_closes_only_from_20() -> Result<(), RouteError> {
    let mut track = SealTrack::new(plan(60)?);
    let charges = [30.0, 16.0, 14.0, 13.0, 17.0, 19.0, 21.0, 25.0];
    let reports = journey(8, |mut r| {
        r.battery = charges[r.seq as usize];
        r
    });
    let changes = feed(&mut track, &reports);
    use AlertKind::BatteryLow;
    assert_eq!(
        summary(&changes),
        [(ChangeKind::Opened, BatteryLow, Some(2), None), (ChangeKind::Closed, BatteryLow, Some(2), Some(6))]
    );
    // The seal's own event keeps it open whatever the charge.
    let mut track = SealTrack::new(plan(60)?);
    let reports = journey(3, |r| if r.seq == 1 { with(r, SealEvent::BatteryLow) } else { r });
    assert_eq!(summary(&feed(&mut track, &reports)).len(), 2);
    Ok(())
}

#[test]
fn silence_for_two_periods_is_one_signal_lost_until_the_seal_is_heard() -> Result<(), RouteError> {
    let mut track = SealTrack::new(plan(60)?);
    feed(&mut track, &journey(2, |r| r));
    // Report 1 was received at 61 s; two periods later, at 181 s, the signal is lost.
    assert_eq!(track.tick(t(180)), vec![]);
    let lost = track.tick(t(181));
    assert_eq!(summary(&lost), [(ChangeKind::Opened, AlertKind::SignalLost, None, None)]);
    assert_eq!(lost[0].incident.opened_at, t(181));
    assert_eq!(track.tick(t(500)), vec![]);
    // The seal comes back with a hole in its track: closed, not disproved.
    let back = track.observe(&at(2, 600, 10.0), t(601));
    assert_eq!(summary(&back.changes), [(ChangeKind::Closed, AlertKind::SignalLost, None, Some(2))]);
    assert_eq!(back.changes[0].incident.closed_at, Some(t(601)));
    assert!(!back.changes[0].incident.disproved);
    Ok(())
}

#[test]
fn the_time_limit_passing_is_one_overdue_closed_on_arrival() -> Result<(), RouteError> {
    let mut track = SealTrack::new(plan(60)?);
    feed(&mut track, &journey(2, |r| r));
    let deadline = 4 * 3600;
    let overdue = track.tick(t(deadline + 1));
    assert!(summary(&overdue).contains(&(ChangeKind::Opened, AlertKind::Overdue, None, None)));
    assert!(track.tick(t(deadline + 100)).iter().all(|c| c.incident.kind != AlertKind::Overdue));
    let arrival = track.observe(&at(2, deadline + 200, 0.5 * 63.9), t(deadline + 201));
    let closed: Vec<_> = arrival.changes.iter().filter(|c| c.incident.kind == AlertKind::Overdue).collect();
    assert_eq!(closed.len(), 1);
    assert_eq!((closed[0].what, closed[0].incident.closed_by), (ChangeKind::Closed, Some(2)));
    // Nothing is raised after arrival.
    assert_eq!(track.tick(t(deadline + 10_000)), vec![]);
    Ok(())
}

#[test]
fn arriving_late_without_a_tick_raises_overdue_already_closed() -> Result<(), RouteError> {
    let mut p = plan(60)?;
    p.deadline = t(60);
    let mut track = SealTrack::new(p);
    let changes = feed(&mut track, &[at(0, 0, 31.0), at(1, 120, 31.9)]);
    assert_eq!(summary(&changes), [(ChangeKind::Opened, AlertKind::Overdue, None, Some(1))]);
    assert_eq!(changes[0].incident.opened_at, t(60));
    Ok(())
}

#[test]
fn a_repeated_sequence_number_is_a_duplicate_and_changes_nothing() -> Result<(), RouteError> {
    let mut track = SealTrack::new(plan(60)?);
    let first = track.observe(&north(at(0, 0, 0.0), 1000.0), t(1));
    assert_eq!(first.changes.len(), 1);
    let again = track.observe(&at(0, 0, 0.0), t(2));
    assert_eq!((again.verdict, again.changes), (Verdict::Duplicate, vec![]));
    assert_eq!(track.incidents().len(), 1);
    Ok(())
}

#[test]
fn an_impossible_jump_is_rejected_and_its_position_not_used() -> Result<(), RouteError> {
    let mut track = SealTrack::new(plan(60)?);
    feed(&mut track, &journey(2, |r| r));
    // 30 km in 10 s.
    let jump = track.observe(&north(at(2, 70, 1.0), 30_000.0), t(71));
    match &jump.verdict {
        Verdict::Rejected(p) => assert_eq!(p.code, "SEAL_020"),
        other => panic!("not rejected: {other:?}"),
    }
    assert_eq!(jump.changes, vec![]);
    // The next report is judged against report 1, not the jump.
    let next = track.observe(&at(3, 120, 2.0), t(121));
    assert_eq!((next.verdict, next.changes), (Verdict::Accepted, vec![]));
    Ok(())
}

#[test]
fn a_clock_far_ahead_is_flagged_and_ordered_by_the_received_time() -> Result<(), RouteError> {
    let mut track = SealTrack::new(plan(60)?);
    feed(&mut track, &journey(1, |r| r));
    let mut ahead = north(at(1, 60, 1.0), 1000.0);
    ahead.time = t(60 + 3600);
    let out = track.observe(&ahead, t(61));
    assert_eq!(out.flags.iter().map(|p| p.code.as_str()).collect::<Vec<_>>(), ["SEAL_030"]);
    assert_eq!(out.changes[0].incident.opened_at, t(61));
    // A clock a day behind is flagged too.
    let mut behind = at(2, 120, 2.0);
    behind.time = t(120 - 2 * 86_400);
    let out = track.observe(&behind, t(121));
    assert_eq!(out.flags.iter().map(|p| p.code.as_str()).collect::<Vec<_>>(), ["SEAL_031"]);
    assert_eq!(out.verdict, Verdict::Accepted);
    Ok(())
}

#[test]
fn a_sequence_number_far_below_the_newest_is_rejected_as_too_old() -> Result<(), RouteError> {
    let mut track = SealTrack::new(plan(60)?);
    feed(&mut track, &[at(10_000, 0, 0.0)]);
    match track.observe(&at(1, 60, 1.0), t(61)).verdict {
        Verdict::Rejected(p) => assert_eq!(p.code, "SEAL_021"),
        other => panic!("not rejected: {other:?}"),
    }
    Ok(())
}

#[test]
fn a_late_report_inside_the_corridor_splits_a_deviation_in_two() -> Result<(), RouteError> {
    let mut track = SealTrack::new(plan(60)?);
    let reports = journey(8, |r| if r.seq == 3 || r.seq == 5 { north(r, 1000.0) } else { r });
    let (late, rest): (Vec<Report>, Vec<Report>) = reports.into_iter().partition(|r| r.seq == 4);
    feed(&mut track, &rest);
    let out = track.observe(&late[0], t(600));
    assert_eq!(out.verdict, Verdict::Late);
    use AlertKind::Deviation;
    assert_eq!(
        summary(&out.changes),
        [(ChangeKind::Amended, Deviation, Some(3), Some(4)), (ChangeKind::Opened, Deviation, Some(5), Some(6))]
    );
    Ok(())
}

#[test]
fn a_late_report_outside_the_corridor_moves_a_deviations_start_or_end() -> Result<(), RouteError> {
    let mut track = SealTrack::new(plan(60)?);
    let reports = journey(8, |r| if (3..=5).contains(&r.seq) { north(r, 1000.0) } else { r });
    let (late, rest): (Vec<Report>, Vec<Report>) = reports.into_iter().partition(|r| r.seq == 3 || r.seq == 6);
    feed(&mut track, &rest);
    // Without 3 and 6 the run is 4–5, ended by 7.
    assert_eq!(track.incidents()[0].opened_by, Some(4));
    let start = track.observe(&late[0], t(600));
    assert_eq!(summary(&start.changes), [(ChangeKind::Amended, AlertKind::Deviation, Some(3), Some(7))]);
    let end = track.observe(&late[1], t(601));
    assert_eq!(summary(&end.changes), [(ChangeKind::Amended, AlertKind::Deviation, Some(3), Some(6))]);
    assert_eq!(track.incidents().len(), 1);
    Ok(())
}
