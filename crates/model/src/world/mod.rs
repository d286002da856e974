//! A test world for the risk system: traders whose behaviour the declarations do not show
//! (honest ones, occasional undervaluers, systematic misclassifiers, a ring that changes route
//! partway, newcomers), whose declarations go through the real registration pipeline — FLC,
//! duties, value check, profiles, operator categories, the model and random controls — week
//! after week. The lanes pick what officers control within their capacity, the controls find
//! what the hidden behaviour implies, the model is retrained on those outcomes, and each week
//! is compared with a random selection and an oracle of the same size.
//!
//! Everything runs in memory, seeded: the same settings give the same weeks.
//! `smartcustoms simulate risk` prints the weeks; `docs/risk-simulation.md` describes the world
//! and reads a run against the goals.

mod chart;
mod consignment;
mod report;
mod run;
mod traders;

pub use chart::chart;
pub use consignment::Consignment;
pub use report::{
    RingSummary, RingWeek, Selection, Summary, WeekReport, GOAL_FROM_WEEK, RATIO_GOAL, RING_RECOVERY_WEEKS,
    RING_REFERENCE_WEEKS, RING_TOLERANCE,
};
pub use run::{run, Outcome, Settings, SimulationError, MIN_DECLARATIONS_PER_WEEK, START};
pub use traders::{
    Behaviour, Population, Route, Trader, MISCLASSIFICATIONS, RING_AFTER, RING_BEFORE, RING_FRONTS_REPLACED,
    RING_MEMBERS, RING_SHARE,
};

#[cfg(test)]
mod tests;
