//! What a simulated week shows — the platform's controls next to a random selection and an
//! oracle with the same number of controls — and the summary of a run against the goals.

use rust_decimal::Decimal;
use serde::Serialize;

/// From this week on, the platform is to catch at least [`RATIO_GOAL`] times the irregular
/// declarations a random selection of the same size catches.
pub const GOAL_FROM_WEEK: u32 = 8;
/// The ratio to random selection to reach.
pub const RATIO_GOAL: f64 = 3.0;
/// After the ring changes route, its catch rate is to be back within this share of its rate
/// before the change …
pub const RING_TOLERANCE: f64 = 0.10;
/// … within this many weeks of the new behaviour (the week of the change counting as the first).
pub const RING_RECOVERY_WEEKS: u32 = 4;
/// Weeks before the change whose catch rate is the ring's previous rate.
pub const RING_REFERENCE_WEEKS: u32 = 3;

/// The outcome of one selection of declarations for control.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Selection {
    /// Declarations controlled.
    pub inspections: usize,
    /// Of which irregular.
    pub caught: usize,
    /// Share of the controls that found an irregularity.
    pub precision: f64,
    /// Share of the week's irregular declarations caught.
    pub caught_share: f64,
    /// Duties and taxes the controls recover (EUR): what the true declarations owe beyond
    /// what was declared.
    pub duties_recovered: Decimal,
}

impl Selection {
    /// The outcome of controlling `chosen` among declarations whose hidden irregularity and
    /// recoverable duties are `irregular` and `recoverable`.
    pub fn of(chosen: &[usize], irregular: &[bool], recoverable: &[Decimal]) -> Selection {
        let caught = chosen.iter().filter(|&&i| irregular[i]).count();
        let all = irregular.iter().filter(|x| **x).count();
        Selection {
            inspections: chosen.len(),
            caught,
            precision: share(caught, chosen.len()),
            caught_share: share(caught, all),
            duties_recovered: chosen.iter().filter(|&&i| irregular[i]).map(|&i| recoverable[i]).sum(),
        }
    }
}

/// `part / whole`, rounded to four places; 0 when `whole` is 0.
pub fn share(part: usize, whole: usize) -> f64 {
    if whole == 0 {
        0.0
    } else {
        round4(part as f64 / whole as f64)
    }
}

fn round4(x: f64) -> f64 {
    (x * 10_000.0).round() / 10_000.0
}

/// The ring in one week.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RingWeek {
    /// `before` or `after` the change of route.
    pub route: &'static str,
    /// Declarations the ring filed (every one of them undervalued).
    pub declarations: usize,
    /// Of which controlled.
    pub caught: usize,
    /// Share caught.
    pub caught_share: f64,
}

/// One simulated week, printed as one JSON line.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct WeekReport {
    /// Week number, from 1.
    pub week: u32,
    /// Declarations filed.
    pub declarations: usize,
    /// Of which refused at registration (FLC, duties); none in a sound world.
    pub refused: usize,
    /// Declarations hiding an irregularity.
    pub irregular: usize,
    /// Duties and taxes all of them hide (EUR).
    pub duties_hidden: Decimal,
    /// Controls the officers can do: the inspection rate times the declarations.
    pub capacity: usize,
    /// Declarations the lanes sent to control (yellow or red), random controls included.
    pub selected: usize,
    /// Of which selected by the random share of controls.
    pub random_controls: usize,
    /// What the platform's controls found.
    #[serde(flatten)]
    pub platform: Selection,
    /// A random selection of as many declarations.
    pub random: Selection,
    /// The truly irregular declarations, largest hidden duties first, as many as controlled.
    pub oracle: Selection,
    /// Irregularities caught per irregularity a random selection caught; none when random
    /// selection caught nothing.
    pub ratio_to_random: Option<f64>,
    /// The model in force during the week; none before the first.
    pub model_version: Option<smartcustoms_core::ids::ModelVersion>,
    /// The retraining after the week produced a model that replaces the one in force.
    pub promoted: bool,
    /// AUC of the week's candidate model on the held-out recent outcomes.
    pub candidate_auc: Option<f64>,
    /// The ring.
    pub ring: RingWeek,
}

/// The ring against its goal.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RingSummary {
    /// The week the ring changes route.
    pub switch_week: u32,
    /// Its catch rate over the weeks before the change.
    pub share_before: Option<f64>,
    /// Its lowest weekly catch rate from the change on.
    pub lowest_after: Option<f64>,
    /// The first week from the change on whose catch rate is within the tolerance of the rate
    /// before.
    pub recovered_in_week: Option<u32>,
    /// Weeks of new behaviour until then, the week of the change counting as the first.
    pub weeks_to_recover: Option<u32>,
    /// Its catch rate from that week to the end of the run: whether it stays caught.
    pub share_after_recovery: Option<f64>,
    /// Back within the tolerance within the weeks allowed; none when the run is too short to
    /// tell.
    pub goal_met: Option<bool>,
}

/// The run against the goals, printed as the last JSON line.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Summary {
    /// Weeks simulated.
    pub weeks: u32,
    /// Declarations filed.
    pub declarations: usize,
    /// Of which irregular.
    pub irregular: usize,
    /// Controls done by the platform.
    pub inspections: usize,
    /// Irregular declarations the platform caught.
    pub caught: usize,
    /// Caught by random selection of the same sizes.
    pub random_caught: usize,
    /// Caught by the oracle at the same sizes.
    pub oracle_caught: usize,
    /// Duties and taxes the platform's controls recovered (EUR).
    pub duties_recovered: Decimal,
    /// The same for random selection.
    pub random_duties_recovered: Decimal,
    /// The same for the oracle.
    pub oracle_duties_recovered: Decimal,
    /// The first week the ratio goal applies to.
    pub goal_from_week: u32,
    /// Caught by the platform per irregularity caught by random selection, over the weeks from
    /// [`Summary::goal_from_week`].
    pub ratio_to_random: Option<f64>,
    /// The lowest weekly ratio over those weeks.
    pub lowest_weekly_ratio: Option<f64>,
    /// Every one of those weeks caught at least three times what random selection caught;
    /// none when the run ends before.
    pub ratio_goal_met: Option<bool>,
    /// The ring.
    pub ring: RingSummary,
}

impl Summary {
    /// Sums the weeks and measures them against the goals; the ring changed route in
    /// `switch_week`.
    pub fn of(weeks: &[WeekReport], switch_week: u32) -> Summary {
        let sum = |f: fn(&WeekReport) -> usize| weeks.iter().map(f).sum::<usize>();
        let money = |f: fn(&WeekReport) -> Decimal| weeks.iter().map(f).sum::<Decimal>();
        let late: Vec<&WeekReport> = weeks.iter().filter(|w| w.week >= GOAL_FROM_WEEK).collect();
        let late_caught: usize = late.iter().map(|w| w.platform.caught).sum();
        let late_random: usize = late.iter().map(|w| w.random.caught).sum();
        let weekly: Vec<f64> = late.iter().map(|w| w.ratio_to_random.unwrap_or(f64::INFINITY)).collect();
        let lowest = weekly.iter().copied().reduce(f64::min).filter(|x| x.is_finite());
        Summary {
            weeks: weeks.len() as u32,
            declarations: sum(|w| w.declarations),
            irregular: sum(|w| w.irregular),
            inspections: sum(|w| w.platform.inspections),
            caught: sum(|w| w.platform.caught),
            random_caught: sum(|w| w.random.caught),
            oracle_caught: sum(|w| w.oracle.caught),
            duties_recovered: money(|w| w.platform.duties_recovered),
            random_duties_recovered: money(|w| w.random.duties_recovered),
            oracle_duties_recovered: money(|w| w.oracle.duties_recovered),
            goal_from_week: GOAL_FROM_WEEK,
            ratio_to_random: (late_random > 0).then(|| round4(late_caught as f64 / late_random as f64)),
            lowest_weekly_ratio: lowest,
            ratio_goal_met: (!late.is_empty()).then(|| weekly.iter().all(|r| *r >= RATIO_GOAL)),
            ring: ring_summary(weeks, switch_week),
        }
    }
}

fn ring_summary(weeks: &[WeekReport], switch_week: u32) -> RingSummary {
    let before: Vec<&WeekReport> =
        weeks.iter().filter(|w| w.week < switch_week && w.week + RING_REFERENCE_WEEKS >= switch_week).collect();
    let pooled = |ws: &[&WeekReport]| {
        let filed: usize = ws.iter().map(|w| w.ring.declarations).sum();
        (filed > 0).then(|| share(ws.iter().map(|w| w.ring.caught).sum(), filed))
    };
    let share_before = pooled(&before);
    let after: Vec<&WeekReport> = weeks.iter().filter(|w| w.week >= switch_week && w.ring.declarations > 0).collect();
    let lowest_after = after.iter().map(|w| w.ring.caught_share).reduce(f64::min);
    let recovered_in_week = share_before
        .and_then(|b| after.iter().find(|w| w.ring.caught_share >= b * (1.0 - RING_TOLERANCE)).map(|w| w.week));
    let weeks_to_recover = recovered_in_week.map(|w| w - switch_week + 1);
    let since: Vec<&WeekReport> =
        after.iter().copied().filter(|w| recovered_in_week.is_some_and(|r| w.week >= r)).collect();
    let share_after_recovery = pooled(&since);
    let last = weeks.last().map_or(0, |w| w.week);
    let goal_met = match weeks_to_recover {
        Some(n) => Some(n <= RING_RECOVERY_WEEKS),
        None if share_before.is_some() && last + 1 >= switch_week + RING_RECOVERY_WEEKS => Some(false),
        None => None,
    };
    RingSummary {
        switch_week,
        share_before,
        lowest_after,
        recovered_in_week,
        weeks_to_recover,
        share_after_recovery,
        goal_met,
    }
}
