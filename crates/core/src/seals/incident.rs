//! Alerts: the kinds, the incident each alert is about, and the changes the monitor reports.

use serde::Serialize;
use utoipa::ToSchema;

use crate::timestamp::Timestamp;

/// The kind of an alert. The codes are stable.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum AlertKind {
    /// The seal is outside the route's corridor, or says it left its route.
    Deviation,
    /// The vehicle stood still outside the destination for too long.
    Stop,
    /// The sealing element is open or broken.
    Opened,
    /// The housing was broken or an unauthorised action was taken on the seal.
    Tamper,
    /// The battery is low.
    BatteryLow,
    /// Nothing was heard from the seal for two reporting periods.
    SignalLost,
    /// The time limit of the transit passed before arrival.
    Overdue,
    /// The seal reports a malfunction.
    Malfunction,
}

impl AlertKind {
    /// Every kind, in code order.
    pub const ALL: [AlertKind; 8] = [
        AlertKind::Deviation,
        AlertKind::Stop,
        AlertKind::Opened,
        AlertKind::Tamper,
        AlertKind::BatteryLow,
        AlertKind::SignalLost,
        AlertKind::Overdue,
        AlertKind::Malfunction,
    ];

    /// The stable code.
    pub fn code(self) -> &'static str {
        match self {
            AlertKind::Deviation => "deviation",
            AlertKind::Stop => "stop",
            AlertKind::Opened => "opened",
            AlertKind::Tamper => "tamper",
            AlertKind::BatteryLow => "battery_low",
            AlertKind::SignalLost => "signal_lost",
            AlertKind::Overdue => "overdue",
            AlertKind::Malfunction => "malfunction",
        }
    }
}

/// One incident of a seal's journey: raised once, closed once, perhaps corrected by late
/// reports. Times are the reports' times (see `docs/seals.md` for the clock rules); the
/// time-driven kinds (`signal_lost`, `overdue`) open at the server time their deadline passed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
pub struct Incident {
    /// The incident's number within the track, from 1; never given twice.
    pub number: u32,
    /// What happened.
    pub kind: AlertKind,
    /// When it began.
    pub opened_at: Timestamp,
    /// The report that showed it first; none for the time-driven kinds.
    pub opened_by: Option<u64>,
    /// When it ended; none while it lasts.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub closed_at: Option<Timestamp>,
    /// The report that ended it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub closed_by: Option<u64>,
    /// For `signal_lost`: the reports replayed from the seal's buffer cover the whole silence
    /// without a hole, so the seal was tracked throughout and only the link was down.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub disproved: bool,
}

impl Incident {
    /// True while the incident lasts.
    pub fn is_open(&self) -> bool {
        self.closed_at.is_none()
    }
}

/// What happened to an incident.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ChangeKind {
    /// Raised: a new incident (possibly already closed, when late reports show it whole).
    Opened,
    /// Ended.
    Closed,
    /// Corrected by a late report: an earlier start, an earlier end, or disproved.
    Amended,
}

/// A change of an incident, with the incident as it now stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
pub struct Change {
    /// What happened to it.
    pub what: ChangeKind,
    /// The incident after the change.
    pub incident: Incident,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn alert_kinds_have_stable_snake_case_codes() -> Result<(), serde_json::Error> {
        for k in AlertKind::ALL {
            assert_eq!(serde_json::to_string(&k)?, format!("\"{}\"", k.code()));
        }
        assert_eq!(serde_json::to_string(&ChangeKind::Amended)?, "\"amended\"");
        Ok(())
    }
}
