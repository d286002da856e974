//! Navigation seals (D2): the reports that seals on vehicles in transit send, the route and its
//! corridor, and the monitor that turns a seal's reports into incidents (deviation, stop,
//! opened, tamper, battery low, signal lost, overdue, malfunction), each raised once.
//!
//! Pure logic, as the rest of the core: the MQTT and HTTP adapters, the storage of reports and
//! incidents and the clock live outside. `docs/seals.md` holds the contract and the rules.

mod codes;
mod geo;
mod history;
mod incident;
mod monitor;
mod report;

pub use codes::{codes, Code, CodeInfo};
pub use geo::{distance_m, Nearest, Position, Route, RouteError, SEARCH_WINDOW};
pub use history::{DEDUP_WINDOW, REORDER_WINDOW};
pub use incident::{AlertKind, Change, ChangeKind, Incident};
pub use monitor::{
    Outcome, Plan, SealTrack, Verdict, BATTERY_LOW_PCT, BATTERY_OK_PCT, CLOCK_AHEAD_MAX, CLOCK_BEHIND_MAX,
    DESTINATION_RADIUS_M, JUMP_SLACK_M, MAX_SPEED_KMH, SILENT_PERIODS, STOP_MIN_DURATION, STOP_RADIUS_M,
};
pub use report::{parse, EventSet, Problem, Report, ReportDoc, SealEvent, SealState, Text, MAX_EVENTS};

#[cfg(test)]
mod tests;
