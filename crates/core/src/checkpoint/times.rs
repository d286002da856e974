//! Waiting and crossing times for the time-release dashboard, from a vehicle's milestones at the
//! checkpoint, in the manner of the WCO Time Release Study: each stage is the span between two
//! recorded events, and a stage not yet over is measured to "now" and marked as ongoing.

use chrono::TimeDelta;

use super::codes::Code;
use super::reason::Problem;
use crate::timestamp::Timestamp;

/// A vehicle's times at the checkpoint.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Milestones {
    /// Arrived (registered at the checkpoint) or joined the live queue.
    pub arrived: Timestamp,
    /// The slot's start, when booked.
    pub slot: Option<Timestamp>,
    /// Called to the control lane; none before.
    pub called: Option<Timestamp>,
    /// Crossed (left the checkpoint released); none before.
    pub crossed: Option<Timestamp>,
}

/// The stages of one vehicle.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TimeRelease {
    /// From arrival to the call (to now while waiting; to crossing when it crossed uncalled).
    pub waiting: TimeDelta,
    /// True while the vehicle still waits.
    pub waiting_ongoing: bool,
    /// From the call to crossing (to now while in control); none before the call.
    pub crossing: Option<TimeDelta>,
    /// True while the vehicle is called and has not crossed.
    pub crossing_ongoing: bool,
    /// From arrival to crossing; none before crossing.
    pub total: Option<TimeDelta>,
    /// For a booked vehicle that was called: how long after its slot start, or its arrival when
    /// it came later, it was called; zero when called sooner. The measure of whether slots are
    /// honoured.
    pub beyond_slot: Option<TimeDelta>,
}

/// Measures the stages of one vehicle at `now`.
///
/// # Errors
///
/// `CHK_090` when the times are not in the order arrived ≤ called ≤ crossed ≤ now.
pub fn time_release(m: &Milestones, now: Timestamp) -> Result<TimeRelease, Problem> {
    let chain = [Some(m.arrived), m.called, m.crossed, Some(now)];
    let known: Vec<Timestamp> = chain.into_iter().flatten().collect();
    if known.windows(2).any(|w| w[0] > w[1]) {
        let show = |t: Option<Timestamp>| t.map(Timestamp::rfc3339).unwrap_or_else(|| "-".into());
        let message = format!(
            "arrived {}, called {}, crossed {}, now {} are not in order.",
            m.arrived.rfc3339(),
            show(m.called),
            show(m.crossed),
            now.rfc3339()
        );
        return Err(Problem::new(Code::MilestonesOrder, "$", message));
    }
    let end_of_wait = m.called.or(m.crossed);
    Ok(TimeRelease {
        waiting: end_of_wait.unwrap_or(now) - m.arrived,
        waiting_ongoing: end_of_wait.is_none(),
        crossing: m.called.map(|called| m.crossed.unwrap_or(now) - called),
        crossing_ongoing: m.called.is_some() && m.crossed.is_none(),
        total: m.crossed.map(|crossed| crossed - m.arrived),
        beyond_slot: m.slot.zip(m.called).map(|(slot, called)| (called - slot.max(m.arrived)).max(TimeDelta::zero())),
    })
}

/// Summary of one stage over many vehicles.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Stats {
    /// Vehicles counted.
    pub count: usize,
    /// Mean.
    pub mean: TimeDelta,
    /// Median (the lower middle value for an even count).
    pub median: TimeDelta,
    /// 90th percentile (nearest rank).
    pub p90: TimeDelta,
    /// Longest.
    pub max: TimeDelta,
}

/// Summarises spans (a stage of the vehicles of a day, say); none for no span. Only completed
/// stages should be given, so that the figures do not change as the vehicles wait.
pub fn stats(spans: &[TimeDelta]) -> Option<Stats> {
    let mut sorted = spans.to_vec();
    sorted.sort();
    let count = sorted.len();
    let max = *sorted.last()?;
    let total: i128 = sorted.iter().map(|d| i128::from(d.num_microseconds().unwrap_or(i64::MAX))).sum();
    let mean = i64::try_from(total / i128::try_from(count).unwrap_or(1)).unwrap_or(i64::MAX);
    // Nearest rank: the smallest value with at least p % of the values at or below it.
    let rank = |p: usize| sorted[(count * p).div_ceil(100).clamp(1, count) - 1];
    Some(Stats { count, mean: TimeDelta::microseconds(mean), median: rank(50), p90: rank(90), max })
}

#[cfg(test)]
mod tests {
    use super::*;

    const T0: Timestamp = Timestamp::from_micros(1_780_000_000_000_000);

    fn at(minutes: i64) -> Timestamp {
        T0 + TimeDelta::minutes(minutes)
    }

    #[test]
    fn a_vehicle_that_crossed_has_all_its_stages() -> Result<(), Problem> {
        let m = Milestones { arrived: at(0), slot: Some(at(15)), called: Some(at(40)), crossed: Some(at(55)) };
        let t = time_release(&m, at(90))?;
        assert_eq!(t.waiting, TimeDelta::minutes(40));
        assert_eq!(t.crossing, Some(TimeDelta::minutes(15)));
        assert_eq!(t.total, Some(TimeDelta::minutes(55)));
        assert_eq!(t.beyond_slot, Some(TimeDelta::minutes(25)));
        assert!(!t.waiting_ongoing && !t.crossing_ongoing);
        Ok(())
    }

    #[test]
    fn stages_not_over_are_measured_to_now_and_marked_ongoing() -> Result<(), Problem> {
        let waiting = time_release(&Milestones { arrived: at(0), slot: None, called: None, crossed: None }, at(12))?;
        assert_eq!((waiting.waiting, waiting.waiting_ongoing, waiting.crossing), (TimeDelta::minutes(12), true, None));
        let m = Milestones { arrived: at(0), slot: None, called: Some(at(5)), crossed: None };
        let in_control = time_release(&m, at(12))?;
        assert_eq!(in_control.crossing, Some(TimeDelta::minutes(7)));
        assert!(in_control.crossing_ongoing && !in_control.waiting_ongoing && in_control.total.is_none());
        Ok(())
    }

    #[test]
    fn a_vehicle_called_before_its_slot_waited_nothing_beyond_it() -> Result<(), Problem> {
        let m = Milestones { arrived: at(0), slot: Some(at(30)), called: Some(at(10)), crossed: None };
        assert_eq!(time_release(&m, at(12))?.beyond_slot, Some(TimeDelta::zero()));
        let late = Milestones { arrived: at(50), slot: Some(at(30)), called: Some(at(60)), crossed: None };
        assert_eq!(time_release(&late, at(61))?.beyond_slot, Some(TimeDelta::minutes(10)));
        Ok(())
    }

    #[test]
    fn a_vehicle_that_crossed_without_a_call_waited_until_it_crossed() -> Result<(), Problem> {
        let m = Milestones { arrived: at(0), slot: None, called: None, crossed: Some(at(3)) };
        let t = time_release(&m, at(10))?;
        assert_eq!((t.waiting, t.crossing, t.total), (TimeDelta::minutes(3), None, Some(TimeDelta::minutes(3))));
        Ok(())
    }

    #[test]
    fn times_out_of_order_are_refused() {
        let called_first = Milestones { arrived: at(10), slot: None, called: Some(at(5)), crossed: None };
        let future = Milestones { arrived: at(10), slot: None, called: None, crossed: None };
        for (m, now) in [(called_first, at(20)), (future, at(0))] {
            assert_eq!(time_release(&m, now).map_err(|p| p.code).err().as_deref(), Some("CHK_090"));
        }
    }

    #[test]
    fn stats_give_mean_median_and_nearest_rank_percentile() {
        assert_eq!(stats(&[]), None);
        let spans: Vec<TimeDelta> = (1..=10).rev().map(TimeDelta::minutes).collect();
        let s = stats(&spans);
        assert_eq!(
            s.map(|s| (s.count, s.median, s.p90, s.max)),
            Some((10, TimeDelta::minutes(5), TimeDelta::minutes(9), TimeDelta::minutes(10)))
        );
        assert_eq!(s.map(|s| s.mean), Some(TimeDelta::seconds(330)));
    }
}
