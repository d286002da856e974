//! Navigation seals (D2): the reports that seals on vehicles in transit send, the route and its
//! corridor, and the monitor that turns a seal's reports into incidents (deviation, stop,
//! opened, tamper, battery low, signal lost, overdue, malfunction), each raised once.
//!
//! Pure logic, as the rest of the core: the MQTT and HTTP adapters, the storage of reports and
//! incidents and the clock live outside. `docs/seals.md` holds the contract and the rules.

mod geo;
mod incident;

pub use geo::{distance_m, Nearest, Position, Route, RouteError, SEARCH_WINDOW};
pub use incident::{AlertKind, Change, ChangeKind, Incident};
