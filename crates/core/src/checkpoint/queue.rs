//! The electronic queue: slots of a fixed length with a number of places, bookings of a slot, the
//! live queue of vehicles that come without one, and the order in which vehicles are called.
//!
//! The order is priority class first (from the rules, see [`super::priority`]), then the time the
//! vehicle stands at: its slot start when booked and on time, its arrival when late beyond the
//! grace period, its joining time in the live queue; ties are broken by the entry id. Everything
//! is a function of the entries, the rules and "now", so any process computes the same order.

use std::collections::BTreeMap;

use chrono::TimeDelta;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::codes::Code;
use super::plate::Plate;
use super::priority::{PriorityRules, VehicleFacts};
use super::reason::{is_label, Problem, Reason};
use crate::ids::InvalidId;
use crate::timestamp::Timestamp;

/// A queue entry's (or booking's) id: the store's key, 1 to 64 characters, no control
/// characters. Ties in the queue are broken by it, so it is stable for the entry's life.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, ToSchema)]
#[serde(try_from = "String", into = "String")]
#[schema(value_type = String)]
pub struct EntryId(String);

impl EntryId {
    /// An entry id, when `id` has the form of one.
    pub fn new(id: impl Into<String>) -> Result<EntryId, InvalidId> {
        let id = id.into();
        if is_label(&id, 64) {
            Ok(EntryId(id))
        } else {
            Err(InvalidId { kind: "queue entry id", value: id })
        }
    }

    /// The text form.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for EntryId {
    type Error = InvalidId;

    fn try_from(id: String) -> Result<Self, InvalidId> {
        EntryId::new(id)
    }
}

impl From<EntryId> for String {
    fn from(id: EntryId) -> String {
        id.0
    }
}

impl std::fmt::Display for EntryId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// How a checkpoint hands out slots. Slots start at whole multiples of `length` after midnight
/// UTC, so they fall at the same clock times every day.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SlotPolicy {
    length: TimeDelta,
    lanes: u32,
    per_lane: u32,
    horizon: TimeDelta,
    grace: TimeDelta,
}

impl SlotPolicy {
    /// The shortest slot.
    pub const MIN_LENGTH: TimeDelta = TimeDelta::minutes(5);

    /// A policy: slots of `length`, `lanes` lanes taking `per_lane` vehicles each per slot,
    /// bookable up to `horizon` ahead, a booked vehicle keeping its slot until `grace` after its
    /// start.
    ///
    /// # Errors
    ///
    /// `CHK_025` when the length does not divide a day into whole slots of 5 minutes to 24
    /// hours, there are no lanes or places, or the horizon or grace is negative.
    pub fn new(
        length: TimeDelta,
        lanes: u32,
        per_lane: u32,
        horizon: TimeDelta,
        grace: TimeDelta,
    ) -> Result<SlotPolicy, Problem> {
        let day = TimeDelta::days(1).num_microseconds().unwrap_or(i64::MAX);
        let micros = length.num_microseconds().unwrap_or(0);
        let divides_day = length >= Self::MIN_LENGTH && length <= TimeDelta::days(1) && day % micros == 0;
        if !divides_day || lanes == 0 || per_lane == 0 || horizon < TimeDelta::zero() || grace < TimeDelta::zero() {
            let message = format!(
                "Slots of {} min, {lanes} lanes × {per_lane} vehicles, horizon {} h, grace {} min: the length must divide a day into slots of 5 minutes to 24 hours, lanes and places must be at least 1, horizon and grace not negative.",
                length.num_minutes(),
                horizon.num_hours(),
                grace.num_minutes()
            );
            return Err(Problem::new(Code::Policy, "$", message));
        }
        Ok(SlotPolicy { length, lanes, per_lane, horizon, grace })
    }

    /// The length of a slot.
    pub fn length(&self) -> TimeDelta {
        self.length
    }

    /// Places in one slot: lanes × vehicles per lane.
    pub fn capacity(&self) -> u64 {
        u64::from(self.lanes) * u64::from(self.per_lane)
    }

    /// How far ahead a slot may be booked.
    pub fn horizon(&self) -> TimeDelta {
        self.horizon
    }

    /// How late after its slot start a booked vehicle still keeps its slot.
    pub fn grace(&self) -> TimeDelta {
        self.grace
    }

    /// The start of the slot `at` falls in.
    pub fn slot_of(&self, at: Timestamp) -> Timestamp {
        let len = self.length.num_microseconds().unwrap_or(1).max(1);
        Timestamp::from_micros(at.as_micros().div_euclid(len) * len)
    }

    /// True when `at` is the start of a slot.
    pub fn is_slot_start(&self, at: Timestamp) -> bool {
        self.slot_of(at) == at
    }
}

/// A booked slot.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Booking {
    /// The booking's id, which the vehicle's queue entry keeps.
    pub id: EntryId,
    /// The vehicle.
    pub plate: Plate,
    /// The slot's start.
    #[schema(value_type = i64)]
    pub slot: Timestamp,
}

impl Booking {
    /// True while the booking still holds a place: until its slot start plus the grace period.
    pub fn is_current(&self, policy: &SlotPolicy, now: Timestamp) -> bool {
        now <= self.slot + policy.grace
    }
}

/// Books `wanted` for the vehicle: refused, with every reason, when the time is not a slot start,
/// the slot has begun, lies beyond the horizon or is full, or the vehicle already holds a current
/// booking. `existing` are the checkpoint's bookings not cancelled; a booking does not change the
/// operations a vehicle goes through, only the time it is called.
///
/// # Errors
///
/// Every reason of `CHK_020` … `CHK_024`, never an empty list.
pub fn book(
    policy: &SlotPolicy,
    existing: &[Booking],
    wanted: Booking,
    now: Timestamp,
) -> Result<Booking, Vec<Problem>> {
    let mut problems = Vec::new();
    let when = wanted.slot.rfc3339();
    if !policy.is_slot_start(wanted.slot) {
        let message = format!("{when} is not the start of a {}-minute slot.", policy.length.num_minutes());
        problems.push(Problem::new(Code::SlotOffGrid, "$.slot", message));
    }
    if wanted.slot < now {
        let message = format!("The slot {when} has begun or is past; a vehicle that is here joins the live queue.");
        problems.push(Problem::new(Code::SlotPast, "$.slot", message));
    } else if wanted.slot > now + policy.horizon {
        let message = format!("The slot {when} is more than {} hours ahead.", policy.horizon.num_hours());
        problems.push(Problem::new(Code::SlotTooFar, "$.slot", message));
    }
    let slot = policy.slot_of(wanted.slot);
    let taken = existing.iter().filter(|b| policy.slot_of(b.slot) == slot && b.id != wanted.id).count();
    if u64::try_from(taken).unwrap_or(u64::MAX) >= policy.capacity() {
        let message = format!("The slot {} has no free place (of {}).", slot.rfc3339(), policy.capacity());
        problems.push(Problem::new(Code::SlotFull, "$.slot", message));
    }
    if let Some(held) =
        existing.iter().find(|b| b.plate == wanted.plate && b.id != wanted.id && b.is_current(policy, now))
    {
        let message =
            format!("The vehicle {} already holds booking {} for {}.", wanted.plate, held.id, held.slot.rfc3339());
        problems.push(Problem::new(Code::AlreadyBooked, "$.plate", message));
    }
    if problems.is_empty() {
        Ok(wanted)
    } else {
        Err(problems)
    }
}

/// A slot and its free places.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
pub struct SlotAvailability {
    /// The slot's start.
    #[schema(value_type = i64)]
    pub start: Timestamp,
    /// Places not booked.
    pub free: u64,
    /// All places.
    pub capacity: u64,
}

/// The slots that may be booked now (from the next slot start to the horizon), with their free
/// places, for the carrier's page.
pub fn availability(policy: &SlotPolicy, existing: &[Booking], now: Timestamp) -> Vec<SlotAvailability> {
    let mut taken: BTreeMap<Timestamp, u64> = BTreeMap::new();
    for b in existing {
        *taken.entry(policy.slot_of(b.slot)).or_default() += 1;
    }
    let first = if policy.is_slot_start(now) { now } else { policy.slot_of(now) + policy.length };
    let last = now + policy.horizon;
    let mut out = Vec::new();
    let mut start = first;
    while start <= last {
        let used = taken.get(&start).copied().unwrap_or(0);
        out.push(SlotAvailability { start, free: policy.capacity().saturating_sub(used), capacity: policy.capacity() });
        start = start + policy.length;
    }
    out
}

/// Whether a vehicle is booked or came without a booking.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Presence {
    /// Booked for a slot; `arrived_at` once it registered at the checkpoint.
    Booked {
        /// The slot's start.
        #[schema(value_type = i64)]
        slot: Timestamp,
        /// When it arrived; none before.
        #[schema(value_type = Option<i64>)]
        arrived_at: Option<Timestamp>,
    },
    /// In the live queue since `joined_at`.
    Live {
        /// When it joined.
        #[schema(value_type = i64)]
        joined_at: Timestamp,
    },
}

/// A vehicle in (or booked for) the queue. Ids are unique within a queue.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct QueueEntry {
    /// The entry's id.
    pub id: EntryId,
    /// What priority may depend on.
    pub facts: VehicleFacts,
    /// Booked or live.
    pub presence: Presence,
}

/// What a vehicle's time in the order is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Standing {
    /// Arrived in time: its slot start.
    Slot,
    /// Booked, not yet arrived, still within the grace period: its slot start, held.
    Expected,
    /// Arrived after the grace period: its arrival.
    Late,
    /// Came without a booking: its joining time.
    Live,
}

/// A vehicle's place in the order and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
#[schema(as = QueuePosition)]
pub struct Position {
    /// 1 for the first vehicle to call.
    pub rank: usize,
    /// The entry.
    pub id: EntryId,
    /// Its priority class.
    pub class: u8,
    /// The rule that gave the class; none for the default class.
    pub rule: Option<String>,
    /// The time it stands at.
    #[schema(value_type = i64)]
    pub at: Timestamp,
    /// What that time is.
    pub standing: Standing,
    /// Why: the class (`CHK_040` or `CHK_041`), then the time (`CHK_042` … `CHK_045`).
    pub reasons: Vec<Reason>,
}

/// A booked vehicle that missed its slot and has not arrived.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct Missed {
    /// The entry.
    pub id: EntryId,
    /// The slot it missed.
    #[schema(value_type = i64)]
    pub slot: Timestamp,
    /// `CHK_046`.
    pub reason: Reason,
}

/// The queue in calling order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct Order {
    /// The version of the priority rules applied.
    pub rules_version: String,
    /// Vehicles in calling order.
    pub positions: Vec<Position>,
    /// Booked vehicles that missed their slot, in id order; they join the live queue when they
    /// arrive.
    pub missed: Vec<Missed>,
}

/// Orders the queue: priority class, then the time each vehicle stands at, then the entry id.
/// Pure and deterministic: the same entries in any order give the same result.
pub fn order(queue: &[QueueEntry], rules: &PriorityRules, policy: &SlotPolicy, now: Timestamp) -> Order {
    let mut positions = Vec::with_capacity(queue.len());
    let mut missed = Vec::new();
    for entry in queue {
        let (at, standing, time_reason) = match entry.presence {
            Presence::Booked { slot, arrived_at: Some(arrived) } if arrived <= slot + policy.grace => {
                let message = format!("Arrived {} for the slot {}.", arrived.rfc3339(), slot.rfc3339());
                (slot, Standing::Slot, Reason::new(Code::SlotKept, message))
            }
            Presence::Booked { slot, arrived_at: Some(arrived) } => {
                let message = format!(
                    "Arrived {}, more than {} min after the slot {}; placed at its arrival.",
                    arrived.rfc3339(),
                    policy.grace.num_minutes(),
                    slot.rfc3339()
                );
                (arrived, Standing::Late, Reason::new(Code::LateJoinedLive, message))
            }
            Presence::Booked { slot, arrived_at: None } if now <= slot + policy.grace => {
                let message = format!("Not yet arrived; the slot {} is held.", slot.rfc3339());
                (slot, Standing::Expected, Reason::new(Code::SlotExpected, message))
            }
            Presence::Booked { slot, arrived_at: None } => {
                let message = format!(
                    "Not arrived {} min after the slot {}; joins the live queue on arrival.",
                    policy.grace.num_minutes(),
                    slot.rfc3339()
                );
                missed.push(Missed { id: entry.id.clone(), slot, reason: Reason::new(Code::NoShow, message) });
                continue;
            }
            Presence::Live { joined_at } => {
                let message = format!("Joined the live queue {}.", joined_at.rfc3339());
                (joined_at, Standing::Live, Reason::new(Code::LiveQueue, message))
            }
        };
        let c = rules.classify(&entry.facts);
        let class_reason = match c.rule {
            Some(rule) => Reason::new(
                Code::ClassByRule,
                format!("Class {} by rule {:?} of rules {}.", c.class, rule.id, rules.version()),
            ),
            None => Reason::new(
                Code::DefaultClass,
                format!("Class {} (default): no rule of rules {} applies.", c.class, rules.version()),
            ),
        };
        positions.push(Position {
            rank: 0,
            id: entry.id.clone(),
            class: c.class,
            rule: c.rule.map(|r| r.id.clone()),
            at,
            standing,
            reasons: vec![class_reason, time_reason],
        });
    }
    positions.sort_by(|a, b| (a.class, a.at, &a.id).cmp(&(b.class, b.at, &b.id)));
    for (i, p) in positions.iter_mut().enumerate() {
        p.rank = i + 1;
    }
    missed.sort_by(|a, b| a.id.cmp(&b.id));
    Order { rules_version: rules.version().to_string(), positions, missed }
}

#[cfg(test)]
#[path = "queue_tests.rs"]
mod tests;
