//! The monitor of one sealed journey: `SealTrack` takes the seal's reports one by one
//! (`observe`) and the passing of time (`tick`), and says which incidents opened, closed or were
//! corrected. It does no I/O and reads no clock: the received time and "now" are arguments.
//!
//! Incidents that a single report shows (deviation, opened, tamper, malfunction) are the
//! maximal runs of such reports in device-time order, whatever order they arrive in: a late
//! report is placed among its neighbours and opens, extends, splits or shortens a run, so any
//! permutation of the same reports yields the same incidents. The incidents that depend on the
//! sequence (stop, battery low with its hysteresis, arrival and overdue) are judged on the
//! in-order stream only, so a replayed buffer cannot raise them falsely. The rules and their
//! thresholds are in `docs/seals.md`.

use std::sync::Arc;

use chrono::TimeDelta;

use super::codes::Code;
use super::geo::{distance_m, Position, Route};
use super::history::{Entry, Key, Novelty, Place, Seen, Window};
use super::incident::{AlertKind, Change, ChangeKind, Incident};
use super::report::{Problem, Report, SealEvent, SealState};
use crate::timestamp::Timestamp;

/// The fastest a sealed vehicle is believed to move; a faster jump between neighbouring reports
/// is rejected (`SEAL_020`).
pub const MAX_SPEED_KMH: f64 = 300.0;
/// The error allowed on every fix before a jump is judged, metres.
pub const JUMP_SLACK_M: f64 = 200.0;
/// A device time more than this after the received time is flagged (`SEAL_030`).
pub const CLOCK_AHEAD_MAX: TimeDelta = TimeDelta::minutes(5);
/// A device time more than this before the received time is flagged (`SEAL_031`).
pub const CLOCK_BEHIND_MAX: TimeDelta = TimeDelta::hours(24);
/// A vehicle that stays within this many metres of where it stopped is standing still.
pub const STOP_RADIUS_M: f64 = 50.0;
/// Standing still this long outside the destination is a stop.
pub const STOP_MIN_DURATION: TimeDelta = TimeDelta::minutes(10);
/// Within this many metres of the last waypoint the vehicle has arrived.
pub const DESTINATION_RADIUS_M: f64 = 500.0;
/// Below this charge, percent, the battery is low …
pub const BATTERY_LOW_PCT: f64 = 15.0;
/// … and it is low again only after it reaches this charge.
pub const BATTERY_OK_PCT: f64 = 20.0;
/// Without a report for this many reporting periods the signal is lost.
pub const SILENT_PERIODS: i32 = 2;

const DEVIATION: u8 = 1;
const OPENED: u8 = 2;
const TAMPER: u8 = 4;
const MALFUNCTION: u8 = 8;

/// The incidents decided report by report, with their bit in an entry's flags.
const RUN_KINDS: [(AlertKind, u8); 4] = [
    (AlertKind::Deviation, DEVIATION),
    (AlertKind::Opened, OPENED),
    (AlertKind::Tamper, TAMPER),
    (AlertKind::Malfunction, MALFUNCTION),
];

/// What a sealed journey is checked against.
#[derive(Debug, Clone, PartialEq)]
pub struct Plan {
    /// The route and its corridor; shared by the seals of one transit.
    pub route: Arc<Route>,
    /// When the seal was applied; silence is counted from here until the first report.
    pub started_at: Timestamp,
    /// The time limit of the transit.
    pub deadline: Timestamp,
    /// How often the seal reports.
    pub period: TimeDelta,
}

/// What became of a report.
#[derive(Debug, Clone, PartialEq)]
pub enum Verdict {
    /// Taken in as the newest report in device time.
    Accepted,
    /// Taken into the history, older than the newest report: it may correct incidents of the
    /// past (an earlier start or end, a run it completes) but raises nothing twice.
    Late,
    /// Its sequence number was seen before; nothing of it is used.
    Duplicate,
    /// Not used, for the reason given (`SEAL_020`, `SEAL_021`).
    Rejected(Problem),
}

/// What a report did: its verdict, what was noticed about it, and the incidents it opened,
/// closed or corrected. Hearing from the seal ends a silence (`signal_lost`) whatever the
/// verdict, so a duplicate may carry a change too.
#[derive(Debug, Clone, PartialEq)]
pub struct Outcome {
    /// What became of the report.
    pub verdict: Verdict,
    /// What was noticed (`SEAL_030`, `SEAL_031`, `SEAL_032`); empty as a rule.
    pub flags: Vec<Problem>,
    /// The incidents it opened, closed or corrected; empty as a rule.
    pub changes: Vec<Change>,
}

/// Where the vehicle began to stand still.
#[derive(Debug, Clone, Copy, PartialEq)]
struct Still {
    at: Position,
    since: Timestamp,
}

/// A silence that ended, waiting for the replayed buffer to show whether the seal was tracked
/// throughout: reports from `from` to `to` (device time) with no hole longer than allowed.
#[derive(Debug, Clone, Copy, PartialEq)]
struct Silence {
    incident: usize,
    from: Timestamp,
    to: Timestamp,
}

/// The monitor's state for one seal on one journey.
#[derive(Debug, Clone)]
pub struct SealTrack {
    plan: Plan,
    seen: Seen,
    window: Window,
    incidents: Vec<Incident>,
    /// The server time the seal was last heard from (any report, even a duplicate).
    heard_at: Timestamp,
    /// The newest report's time when the current silence began.
    silent_from: Option<Timestamp>,
    open_signal_lost: Option<usize>,
    open_stop: Option<usize>,
    open_battery: Option<usize>,
    overdue: Option<usize>,
    still: Option<Still>,
    arrived: Option<Key>,
    silence: Option<Silence>,
}

impl SealTrack {
    /// A track that has heard nothing yet.
    pub fn new(plan: Plan) -> SealTrack {
        let heard_at = plan.started_at;
        SealTrack {
            plan,
            seen: Seen::default(),
            window: Window::default(),
            incidents: Vec::new(),
            heard_at,
            silent_from: None,
            open_signal_lost: None,
            open_stop: None,
            open_battery: None,
            overdue: None,
            still: None,
            arrived: None,
            silence: None,
        }
    }

    /// Every incident of the journey so far, in the order they were raised.
    pub fn incidents(&self) -> &[Incident] {
        &self.incidents
    }

    /// The key of the report that arrived at the destination, if one did.
    pub fn arrived(&self) -> Option<(Timestamp, u64)> {
        self.arrived
    }

    /// Takes in a report received at `received_at` (server time).
    pub fn observe(&mut self, report: &Report, received_at: Timestamp) -> Outcome {
        let mut out = Outcome { verdict: Verdict::Accepted, flags: Vec::new(), changes: Vec::new() };
        self.heard(report.seq, received_at, &mut out.changes);
        match self.seen.insert(report.seq) {
            Novelty::New => {}
            Novelty::Duplicate => {
                out.verdict = Verdict::Duplicate;
                return out;
            }
            Novelty::TooOld => {
                out.verdict = Verdict::Rejected(Problem::new(
                    Code::TooOld,
                    "$.seq",
                    format!("Report {} is too far below the newest report to tell it from a duplicate.", report.seq),
                ));
                return out;
            }
        }
        let time = self.ordering_time(report, received_at, &mut out.flags);
        let (index, before, after) = match self.window.place((time, report.seq)) {
            Place::At { index, before, after } => (index, before, after),
            Place::Outside => {
                out.flags.push(Problem::new(
                    Code::OutsideWindow,
                    "$.time",
                    "The report is older than the reports kept for reordering; it changes no incident.",
                ));
                out.verdict = Verdict::Late;
                return out;
            }
        };
        for neighbour in [before, after].into_iter().flatten() {
            if let Some(problem) = jump(report.position, time, &neighbour) {
                out.verdict = Verdict::Rejected(problem);
                return out;
            }
        }
        let hint = before.or(after).map_or(0, |e| e.segment as usize);
        let near = self.plan.route.nearest_from(report.position, hint);
        let entry = Entry {
            time,
            seq: report.seq,
            lat: report.position.lat as f32,
            lon: report.position.lon as f32,
            segment: u32::try_from(near.segment).unwrap_or(u32::MAX),
            flags: conditions(report, near.distance_m > self.plan.route.corridor_m()),
        };
        self.window.insert(index, entry);
        for (kind, bit) in RUN_KINDS {
            self.update_run(kind, bit, &entry, before, after, &mut out.changes);
        }
        if after.is_none() {
            self.follow(report, time, &mut out.changes);
        } else {
            out.verdict = Verdict::Late;
        }
        self.check_silence(&mut out.changes);
        out
    }

    /// The alerts that time alone raises at `now` (server time): `signal_lost` after
    /// `SILENT_PERIODS` periods without a report, `overdue` past the time limit. Neither is
    /// raised after arrival, nor twice for the same silence or journey.
    pub fn tick(&mut self, now: Timestamp) -> Vec<Change> {
        let mut changes = Vec::new();
        if self.arrived.is_some() {
            return changes;
        }
        let lost_at = self.heard_at + self.plan.period * SILENT_PERIODS;
        if self.open_signal_lost.is_none() && now >= lost_at {
            let i = self.raise(AlertKind::SignalLost, lost_at, None, &mut changes);
            self.open_signal_lost = Some(i);
            self.silent_from = Some(self.window.head().map_or(self.plan.started_at, |h| h.time));
        }
        if self.overdue.is_none() && now > self.plan.deadline {
            let i = self.raise(AlertKind::Overdue, self.plan.deadline, None, &mut changes);
            self.overdue = Some(i);
        }
        changes
    }

    /// Notes that the seal was heard; ends the silence if there was one.
    fn heard(&mut self, seq: u64, received_at: Timestamp, changes: &mut Vec<Change>) {
        let silent_for = received_at - self.heard_at;
        self.heard_at = self.heard_at.max(received_at);
        if let Some(i) = self.open_signal_lost.take() {
            self.close(i, received_at, seq, changes);
            if let Some(from) = self.silent_from.take() {
                self.silence = Some(Silence { incident: i, from, to: from + silent_for });
            }
        }
    }

    /// The time that orders the report: the device time, unless it is too far from the
    /// received time to be trusted.
    fn ordering_time(&self, report: &Report, received_at: Timestamp, flags: &mut Vec<Problem>) -> Timestamp {
        if report.time > received_at + CLOCK_AHEAD_MAX {
            flags.push(Problem::new(
                Code::ClockAhead,
                "$.time",
                format!(
                    "The device time {} is more than {} minutes after the received time {}; the received time is used.",
                    report.time.rfc3339(),
                    CLOCK_AHEAD_MAX.num_minutes(),
                    received_at.rfc3339()
                ),
            ));
            received_at
        } else if report.time < received_at - CLOCK_BEHIND_MAX {
            flags.push(Problem::new(
                Code::ClockBehind,
                "$.time",
                format!(
                    "The device time {} is more than {} hours before the received time {}; the received time is used.",
                    report.time.rfc3339(),
                    CLOCK_BEHIND_MAX.num_hours(),
                    received_at.rfc3339()
                ),
            ));
            received_at
        } else {
            report.time
        }
    }

    /// Keeps the incidents of one kind equal to the runs of reports showing it, after `entry`
    /// was placed between `before` and `after`.
    fn update_run(
        &mut self,
        kind: AlertKind,
        bit: u8,
        entry: &Entry,
        before: Option<Entry>,
        after: Option<Entry>,
        changes: &mut Vec<Change>,
    ) {
        let shows = |e: Option<Entry>| e.is_some_and(|e| e.flags & bit != 0);
        match (entry.flags & bit != 0, shows(before), shows(after)) {
            // A new run: raised, and already over when a later report without it is known.
            (true, false, false) => {
                let i = self.raise(kind, entry.time, Some(entry.seq), changes);
                if let Some(next) = after {
                    self.close(i, next.time, next.seq, changes);
                }
            }
            // The run that follows began earlier than known.
            (true, false, true) => {
                if let Some(i) = after.and_then(|next| self.covering(kind, next.key())) {
                    if let Some(incident) = self.incidents.get_mut(i) {
                        incident.opened_at = entry.time;
                        incident.opened_by = Some(entry.seq);
                        changes.push(Change { what: ChangeKind::Amended, incident: *incident });
                    }
                }
            }
            // Inside or at the end of a run: nothing changes.
            (true, true, _) | (false, false, _) => {}
            // A run is cut in two: the first part ends here, the second is a new incident.
            (false, true, true) => {
                let Some(i) = before.and_then(|prev| self.covering(kind, prev.key())) else { return };
                let Some(old) = self.incidents.get(i).copied() else { return };
                self.close(i, entry.time, entry.seq, changes);
                if let Some(next) = after {
                    let j = self.raise(kind, next.time, Some(next.seq), changes);
                    if let (Some(at), Some(by)) = (old.closed_at, old.closed_by) {
                        self.close(j, at, by, changes);
                    }
                }
            }
            // A run ends here, or ends earlier than known.
            (false, true, false) => {
                if let Some(i) = before.and_then(|prev| self.covering(kind, prev.key())) {
                    self.close(i, entry.time, entry.seq, changes);
                }
            }
        }
    }

    /// The incident of `kind` whose run holds the report of `key`.
    fn covering(&self, kind: AlertKind, key: Key) -> Option<usize> {
        self.incidents.iter().rposition(|i| {
            i.kind == kind
                && i.opened_by.is_some_and(|by| (i.opened_at, by) <= key)
                && match (i.closed_at, i.closed_by) {
                    (Some(at), Some(by)) => key < (at, by),
                    _ => true,
                }
        })
    }

    /// The rules of the in-order stream: arrival, overdue, stop and battery.
    fn follow(&mut self, report: &Report, time: Timestamp, changes: &mut Vec<Change>) {
        let seq = report.seq;
        let destination = self.plan.route.waypoints().last().copied();
        let at_destination = destination.is_some_and(|d| distance_m(d, report.position) <= DESTINATION_RADIUS_M);
        if at_destination && self.arrived.is_none() {
            self.arrived = Some((time, seq));
            let overdue = self.overdue;
            match overdue {
                Some(i) => self.close(i, time, seq, changes),
                None if time > self.plan.deadline => {
                    let i = self.raise(AlertKind::Overdue, self.plan.deadline, None, changes);
                    self.close(i, time, seq, changes);
                    self.overdue = Some(i);
                }
                None => {}
            }
        }
        // Stop: standing within STOP_RADIUS_M of where the vehicle stopped.
        let standing = self.still.filter(|s| distance_m(s.at, report.position) <= STOP_RADIUS_M);
        match standing {
            Some(still) if !at_destination => {
                if self.open_stop.is_none() && time - still.since >= STOP_MIN_DURATION {
                    self.open_stop = Some(self.raise(AlertKind::Stop, time, Some(seq), changes));
                }
            }
            _ => {
                if let Some(i) = self.open_stop.take() {
                    self.close(i, time, seq, changes);
                }
                self.still = Some(Still { at: report.position, since: time });
            }
        }
        // Battery: low below BATTERY_LOW_PCT or by the seal's event, well again from BATTERY_OK_PCT.
        let event = report.events.contains(SealEvent::BatteryLow);
        let open_battery = self.open_battery;
        match open_battery {
            None if event || report.battery < BATTERY_LOW_PCT => {
                self.open_battery = Some(self.raise(AlertKind::BatteryLow, time, Some(seq), changes));
            }
            Some(i) if !event && report.battery >= BATTERY_OK_PCT => {
                self.close(i, time, seq, changes);
                self.open_battery = None;
            }
            _ => {}
        }
    }

    /// Marks the last silence disproved once the reports in the window cover it without a hole
    /// longer than `SILENT_PERIODS` periods.
    fn check_silence(&mut self, changes: &mut Vec<Change>) {
        let Some(silence) = self.silence else { return };
        if self.window.lost_before(silence.from) {
            self.silence = None;
            return;
        }
        let allowed = self.plan.period * SILENT_PERIODS;
        let mut last = silence.from;
        for e in self.window.since(silence.from) {
            if e.time - last > allowed {
                return;
            }
            last = e.time;
            if last >= silence.to {
                break;
            }
        }
        if silence.to - last > allowed {
            return;
        }
        self.silence = None;
        if let Some(incident) = self.incidents.get_mut(silence.incident) {
            incident.disproved = true;
            changes.push(Change { what: ChangeKind::Amended, incident: *incident });
        }
    }

    /// Raises a new incident; its index.
    fn raise(&mut self, kind: AlertKind, at: Timestamp, by: Option<u64>, changes: &mut Vec<Change>) -> usize {
        let number = u32::try_from(self.incidents.len() + 1).unwrap_or(u32::MAX);
        let incident =
            Incident { number, kind, opened_at: at, opened_by: by, closed_at: None, closed_by: None, disproved: false };
        self.incidents.push(incident);
        changes.push(Change { what: ChangeKind::Opened, incident });
        self.incidents.len() - 1
    }

    /// Ends an incident, or moves its end; a change of an incident raised by this same report
    /// is folded into its `Opened` change.
    fn close(&mut self, i: usize, at: Timestamp, by: u64, changes: &mut Vec<Change>) {
        let Some(incident) = self.incidents.get_mut(i) else { return };
        let what = if incident.is_open() { ChangeKind::Closed } else { ChangeKind::Amended };
        incident.closed_at = Some(at);
        incident.closed_by = Some(by);
        let now = *incident;
        match changes.iter_mut().find(|c| c.incident.number == now.number && c.what == ChangeKind::Opened) {
            Some(opened) => opened.incident = now,
            None => changes.push(Change { what, incident: now }),
        }
    }
}

/// The conditions a report shows, as entry flags.
fn conditions(report: &Report, outside: bool) -> u8 {
    let e = report.events;
    let mut flags = 0;
    if outside || e.contains(SealEvent::RouteDeviation) {
        flags |= DEVIATION;
    }
    if report.state == SealState::Opened || e.contains(SealEvent::SealingElementBroken) {
        flags |= OPENED;
    }
    if e.contains(SealEvent::HousingBroken) || e.contains(SealEvent::UnauthorisedAction) {
        flags |= TAMPER;
    }
    if e.contains(SealEvent::Malfunction) {
        flags |= MALFUNCTION;
    }
    flags
}

/// The rejection of a position that cannot be reached from (or reach) a neighbouring report.
fn jump(position: Position, time: Timestamp, neighbour: &Entry) -> Option<Problem> {
    let metres = distance_m(position, neighbour.position());
    let seconds = (time - neighbour.time).num_milliseconds().unsigned_abs() as f64 / 1000.0;
    if metres <= JUMP_SLACK_M + MAX_SPEED_KMH / 3.6 * seconds {
        return None;
    }
    let kmh =
        if seconds > 0.0 { format!("{:.0} km/h", (metres - JUMP_SLACK_M) / seconds * 3.6) } else { "no time".into() };
    Some(Problem::new(
        Code::ImpossibleJump,
        "$.lat",
        format!(
            "The position is {:.0} m from report {} in {seconds:.0} s ({kmh}); more than {MAX_SPEED_KMH:.0} km/h is not believed.",
            metres, neighbour.seq
        ),
    ))
}

#[cfg(test)]
#[path = "monitor_tests.rs"]
mod tests;
