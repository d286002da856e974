//! The smart checkpoint (D4): the electronic queue with its slots and priority rules, the
//! equipment's events (plate reads, weighings in motion, radiation readings, scans), the match of
//! a plate read to an expected vehicle, the decision on the order of operations, and the waiting
//! and crossing times of the time-release dashboard.
//!
//! Pure logic, as the rest of the core: the storage of bookings and events, the MQTT and HTTP
//! adapters, the pages and the clock live outside and call these functions with "now".
//! `docs/checkpoint.md` holds the contract and the rules.

mod codes;
mod decision;
mod event;
mod plate;
mod priority;
mod queue;
mod reason;
mod times;

pub use codes::{codes, Code, CodeInfo};
pub use decision::{
    decide, is_norm, Case, Decision, DecisionRules, DeclarationStatus, DeclaredMass, Operation, PreArrivalStatus,
    NORM_HS_PREFIXES, OFFICERS_OPERATIONS,
};
pub use event::{
    parse, AccuracyClass, Dimensions, Event, EventDoc, NeutronCounts, PlateRead, RadiationReading, ScanResult,
    ScanVerdict, Stage, Weighing, DEVICE_MAX_LEN, IMAGE_MAX_LEN, MAX_AXLES, MAX_GROSS_MASS_KG,
};
pub use plate::{match_plate, Expected, MatchKind, Plate, PlateMatch, LOOK_ALIKES, LOOK_ALIKE_FACTOR, MIN_CONFIDENCE};
pub use priority::{
    Classification, ConditionDoc, Fact, PriorityRules, Rule, RuleDoc, RulesDoc, VehicleFacts, CLASSES, DEFAULT_CLASS,
    FACTS, RULE_ID_MAX_LEN,
};
pub use queue::{
    availability, book, order, Booking, EntryId, Missed, Order, Position, Presence, QueueEntry, SlotAvailability,
    SlotPolicy, Standing,
};
pub use reason::{Problem, Reason};
pub use times::{stats, time_release, Milestones, Stats, TimeRelease};
