//! The smart checkpoint (D4) as the platform runs it: each checkpoint's settings (slots,
//! priority rules, decision tolerance), bookings and the live queue, the order vehicles are
//! called in, and the waiting and crossing times that feed the time-release figures. The
//! equipment's events and the officers' actions are in [`super::checkpoint_events`]. The rules
//! themselves are the core's (`smartcustoms_core::checkpoint`); this module reads and writes
//! what they decide on.

use chrono::TimeDelta;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use smartcustoms_core::access::{Principal, Role};
use smartcustoms_core::checkpoint::{
    self as chk, availability, book, decide, order, Booking, Case, DecisionRules, DeclarationStatus, DeclaredMass,
    EntryId, Operation, Order, Plate, PreArrivalStatus, Presence, PriorityRules, Problem, QueueEntry, Reason,
    SlotAvailability, SlotPolicy, VehicleFacts,
};
use smartcustoms_core::codes::{CountryCode, HsCode};
use smartcustoms_core::seals::AlertKind;
use smartcustoms_core::timestamp::Timestamp;
use smartcustoms_core::transit::pre_arrival::{PreArrivalDoc, PreliminaryDecision};
use smartcustoms_storage::{operations_text, CheckpointRecord, DeclarationSummary, StoreError, VehicleRecord};

use super::text::JsonProblem;
use crate::state::AppState;

/// Customs staff, who see every vehicle of a checkpoint.
pub const STAFF: &[Role] = &[Role::Officer, Role::Supervisor, Role::Analyst, Role::Admin];

/// Who may change a checkpoint's settings.
const SETTERS: &[Role] = &[Role::Supervisor, Role::Admin];

/// Errors of the checkpoint's use cases.
#[derive(Debug, thiserror::Error)]
pub enum CheckpointError {
    /// The caller may not do this.
    #[error(transparent)]
    Forbidden(#[from] super::Forbidden),
    /// Not JSON.
    #[error("{0}")]
    MalformedJson(String),
    /// JSON of another shape.
    #[error("at {path}: {message}")]
    Schema {
        /// Where.
        path: String,
        /// What is wrong.
        message: String,
    },
    /// An equipment event breaks the contract: every problem.
    #[error("the checkpoint event is refused: {} problem(s)", .0.len())]
    Event(Vec<Problem>),
    /// A checkpoint's settings are not valid: every problem.
    #[error("the checkpoint settings are refused: {} problem(s)", .0.len())]
    Settings(Vec<Problem>),
    /// A booking or queue entry is refused: every reason.
    #[error("{}", .0.first().map_or("the booking is refused", |r| r.message.as_str()))]
    Booking(Vec<Reason>),
    /// The vehicle's state does not take the action.
    #[error("{reason}")]
    Refused {
        /// The vehicle's state.
        state: String,
        /// The action.
        action: String,
        /// Why.
        reason: String,
        /// The operations still due.
        operations: Vec<String>,
    },
    /// The device has a registered key and the event is not signed with it.
    #[error("the checkpoint event's signature is not accepted: {0}")]
    Signature(smartcustoms_core::signature::SignatureError),
    /// No such checkpoint, vehicle or pre-arrival information (or not the caller's).
    #[error("{0} not found")]
    NotFound(String),
    /// The store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// A checkpoint's slots, as written in its settings.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Slots {
    /// Minutes per slot; divides a day (15 and 30 are usual).
    pub length_minutes: u32,
    /// Control lanes.
    pub lanes: u32,
    /// Vehicles per lane and slot.
    pub per_lane: u32,
    /// How far ahead a slot may be booked, hours.
    pub horizon_hours: u32,
    /// How long after its start a booked vehicle keeps its slot, minutes.
    pub grace_minutes: u32,
}

impl Default for Slots {
    fn default() -> Self {
        Slots { length_minutes: 30, lanes: 2, per_lane: 4, horizon_hours: 72, grace_minutes: 15 }
    }
}

/// A checkpoint's settings besides its priority rules.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Settings {
    /// The slots.
    pub slots: Slots,
    /// Percent of the expected mass allowed on top of the scale's accuracy class.
    #[schema(value_type = String)]
    pub weight_tolerance_pct: Decimal,
    /// The lowest confidence of a plate read matched without an officer.
    pub min_confidence: f64,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            slots: Slots::default(),
            weight_tolerance_pct: DecisionRules::default().weight_tolerance_pct,
            min_confidence: chk::MIN_CONFIDENCE,
        }
    }
}

/// A checkpoint's settings as sent (`PUT /api/v1/checkpoints/{code}`).
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CheckpointDoc {
    /// The name shown.
    pub name: String,
    /// The slots.
    pub slots: Slots,
    /// Percent of the expected mass allowed on top of the scale's accuracy class (default 2).
    #[schema(value_type = Option<String>)]
    pub weight_tolerance_pct: Option<Decimal>,
    /// The lowest confidence of a plate read matched without an officer (default 0.6).
    pub min_confidence: Option<f64>,
    /// The priority rules (docs/checkpoint.md).
    #[schema(value_type = Object)]
    pub priority_rules: serde_json::Value,
}

/// A checkpoint in force: its record with everything read and checked.
#[derive(Debug, Clone)]
pub struct Checkpoint {
    /// As stored.
    pub record: CheckpointRecord,
    /// The settings.
    pub settings: Settings,
    /// The slot policy.
    pub policy: SlotPolicy,
    /// The priority rules.
    pub rules: PriorityRules,
}

impl Checkpoint {
    /// Reads a stored checkpoint; a stored one that no longer reads is corrupt.
    fn of(record: CheckpointRecord) -> Result<Checkpoint, CheckpointError> {
        let corrupt = |what: String| StoreError::Corrupt(format!("checkpoint {}: {what}", record.code));
        let settings: Settings = serde_json::from_str(&record.settings).map_err(|e| corrupt(e.to_string()))?;
        let policy = policy_of(&settings.slots).map_err(|p| corrupt(p.message))?;
        let rules = PriorityRules::parse(record.rules.as_bytes())
            .map_err(|p| corrupt(p.into_iter().map(|p| p.message).collect::<Vec<_>>().join("; ")))?;
        Ok(Checkpoint { record, settings, policy, rules })
    }

    /// The decision settings.
    pub fn decision_rules(&self) -> DecisionRules {
        DecisionRules { weight_tolerance_pct: self.settings.weight_tolerance_pct }
    }
}

fn policy_of(s: &Slots) -> Result<SlotPolicy, Problem> {
    SlotPolicy::new(
        TimeDelta::minutes(i64::from(s.length_minutes)),
        s.lanes,
        s.per_lane,
        TimeDelta::hours(i64::from(s.horizon_hours)),
        TimeDelta::minutes(i64::from(s.grace_minutes)),
    )
}

/// Parses a JSON body into `T`, as the API's errors name it.
pub fn parse_json<T: serde::de::DeserializeOwned>(body: &[u8]) -> Result<T, CheckpointError> {
    super::text::parse_json(body).map_err(|e| match e {
        JsonProblem::Malformed(message) => CheckpointError::MalformedJson(message),
        JsonProblem::Schema { path, message } => CheckpointError::Schema { path, message },
    })
}

/// A checkpoint's code: 3 to 16 capital letters, digits or dashes.
fn valid_code(code: &str) -> bool {
    (3..=16).contains(&code.len()) && code.bytes().all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || b == b'-')
}

/// Creates or changes a checkpoint (supervisors and administrators): the slots must make a
/// policy and the priority rules must pass `PriorityRules::parse`, else every problem.
pub async fn save(
    state: &AppState,
    principal: &Principal,
    code: &str,
    body: &[u8],
    now: Timestamp,
) -> Result<Checkpoint, CheckpointError> {
    super::require(principal, SETTERS, "configure checkpoints")?;
    if super::text::json_has_nul(body) {
        return Err(CheckpointError::MalformedJson("the settings hold a NUL character".into()));
    }
    let doc: CheckpointDoc = parse_json(body)?;
    let defaults = Settings::default();
    let settings = Settings {
        slots: doc.slots,
        weight_tolerance_pct: doc.weight_tolerance_pct.unwrap_or(defaults.weight_tolerance_pct),
        min_confidence: doc.min_confidence.unwrap_or(defaults.min_confidence),
    };
    let mut problems = Vec::new();
    let problem = |path: &str, message: String| Problem { code: "CHK_025".into(), path: path.into(), message };
    if !valid_code(code) {
        problems.push(problem("code", format!("{code:?} is not 3 to 16 capital letters, digits or dashes.")));
    }
    let name = doc.name.trim();
    if name.is_empty() || name.chars().count() > 100 || name.chars().any(char::is_control) {
        problems.push(problem("$.name", "The name must be 1 to 100 characters without control characters.".into()));
    }
    if let Err(p) = policy_of(&settings.slots) {
        problems.push(Problem { path: "$.slots".into(), ..p });
    }
    let tolerance = settings.weight_tolerance_pct;
    if tolerance.is_sign_negative() || tolerance > Decimal::from(20) {
        problems.push(problem("$.weight_tolerance_pct", format!("{tolerance} is not within 0 … 20 percent.")));
    }
    if !(0.0..=1.0).contains(&settings.min_confidence) {
        problems.push(problem("$.min_confidence", "The minimum confidence must be within 0 … 1.".into()));
    }
    let rules = serde_json::to_vec(&doc.priority_rules).unwrap_or_default();
    if let Err(found) = PriorityRules::parse(&rules) {
        problems.extend(found.into_iter().map(|p| Problem { path: format!("$.priority_rules{}", &p.path[1..]), ..p }));
    }
    if !problems.is_empty() {
        return Err(CheckpointError::Settings(problems));
    }
    let record = CheckpointRecord {
        code: code.to_string(),
        name: name.to_string(),
        settings: serde_json::to_string(&settings).map_err(|e| StoreError::Internal(e.to_string()))?,
        rules: String::from_utf8_lossy(&rules).into_owned(),
        updated_by: principal.name.clone(),
        updated_at_us: now,
    };
    state.store.save_checkpoint(&record).await?;
    Checkpoint::of(record)
}

/// One checkpoint (anyone signed in: carriers book against it).
pub async fn read(state: &AppState, code: &str) -> Result<Checkpoint, CheckpointError> {
    match state.store.checkpoint(code).await? {
        Some(record) => Checkpoint::of(record),
        None => Err(CheckpointError::NotFound(format!("checkpoint {code}"))),
    }
}

/// Every checkpoint.
pub async fn list(state: &AppState) -> Result<Vec<Checkpoint>, CheckpointError> {
    state.store.checkpoints().await?.into_iter().map(Checkpoint::of).collect()
}

/// A booking or a live queue entry as sent by a carrier (or an officer registering a vehicle).
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct VehicleDoc {
    /// The number plate.
    pub plate: String,
    /// Country of registration (ISO 3166-1 alpha-2).
    pub country: Option<String>,
    /// The slot's start (RFC 3339); bookings only.
    pub slot: Option<String>,
    /// The pre-arrival information the goods were announced with; when absent, the platform
    /// looks for one announcing this plate within 72 hours.
    pub pre_arrival: Option<String>,
    /// The transit the vehicle travels under (id or MRN).
    pub transit: Option<String>,
    /// Unladen mass of the vehicle, kg (registration papers).
    #[schema(value_type = Option<String>)]
    pub unladen_mass_kg: Option<Decimal>,
    /// The vehicle is empty.
    #[serde(default)]
    pub empty: bool,
    /// The goods are perishable.
    #[serde(default)]
    pub perishable: bool,
    /// Live animals are carried.
    #[serde(default)]
    pub live_animals: bool,
    /// Dangerous goods (ADR) are carried.
    #[serde(default)]
    pub dangerous_goods: bool,
    /// Humanitarian aid.
    #[serde(default)]
    pub humanitarian: bool,
}

/// What a vehicle's decision is made from besides its events, kept with it.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Basis {
    /// The preliminary decision, when pre-arrival information was found.
    #[schema(value_type = Option<Object>)]
    pub preliminary: Option<PreliminaryDecision>,
    /// True when none is needed (an empty vehicle).
    pub not_required: bool,
    /// The goods' commodity codes.
    pub goods: Vec<String>,
    /// The expected mass, when the goods' mass and the vehicle's unladen mass are known.
    pub declared_mass: Option<DeclaredMass>,
}

impl Basis {
    /// The case with these facts, the vehicle's goods declarations as they stand and `events`.
    pub fn case(
        &self,
        open_alerts: Vec<AlertKind>,
        declarations: &[DeclarationSummary],
        events: Vec<chk::Event>,
        done: Vec<Operation>,
    ) -> Case {
        let pre_arrival = match (&self.preliminary, self.not_required) {
            (Some(d), _) => PreArrivalStatus::Decided(d.clone()),
            (None, true) => PreArrivalStatus::NotRequired,
            (None, false) => PreArrivalStatus::Missing,
        };
        let goods = self.goods.iter().filter_map(|g| HsCode::parse(g)).collect();
        // A refused declaration covers nothing: the goods are checked as if it had not been filed.
        let declarations = declarations
            .iter()
            .filter(|d| d.state != smartcustoms_core::workflow::State::Refused)
            .map(|d| DeclarationStatus {
                number: d.registration_number.as_ref().map_or_else(|| d.id.to_string(), |n| n.to_string()),
                lane: d.lane,
                released: d.state == smartcustoms_core::workflow::State::Released,
            })
            .collect();
        Case {
            pre_arrival,
            goods,
            open_seal_alerts: open_alerts,
            declared_mass: self.declared_mass,
            declarations,
            events,
            done,
        }
    }
}

/// Goods declarations of one vehicle looked at, at most.
const VEHICLE_DECLARATIONS: i64 = 20;

/// The goods declarations naming the plate as their means of transport, filed from 72 hours
/// before the vehicle was registered at the checkpoint (`since`) until `now`, newest first.
pub async fn declarations_of(
    state: &AppState,
    plate: &str,
    since: Timestamp,
    now: Timestamp,
) -> Result<Vec<DeclarationSummary>, StoreError> {
    let window = TimeDelta::hours(super::pre_arrival::LINK_WINDOW_HOURS);
    state.store.declarations_of_means(plate, since - window, now + TimeDelta::seconds(1), VEHICLE_DECLARATIONS).await
}

/// Books a slot (`slot` given) or joins the live queue: the vehicle is matched to its
/// pre-arrival information and transit, classed by the priority rules and decided at once with
/// what is known (the provisional plan).
pub async fn admit(
    state: &AppState,
    principal: &Principal,
    code: &str,
    body: &[u8],
    now: Timestamp,
) -> Result<VehicleRecord, CheckpointError> {
    let carrier = match principal.role {
        Role::Trader => Some(
            super::organisation::require(principal, super::organisation::Capacity::File, "book a checkpoint")?
                .to_string(),
        ),
        Role::Officer | Role::Supervisor | Role::Admin => None,
        _ => return Err(super::Forbidden { role: principal.role.as_str(), action: "book a checkpoint" }.into()),
    };
    if super::text::json_has_nul(body) {
        return Err(CheckpointError::MalformedJson("the vehicle holds a NUL character".into()));
    }
    let doc: VehicleDoc = parse_json(body)?;
    let checkpoint = read(state, code).await?;
    let plate = Plate::parse(&doc.plate).map_err(|e| schema("$.plate", e.to_string()))?;
    let country = match &doc.country {
        Some(c) => Some(
            CountryCode::parse(c)
                .ok_or_else(|| schema("$.country", format!("{c:?} is not an ISO 3166-1 alpha-2 code")))?,
        ),
        None => None,
    };
    let slot = match &doc.slot {
        Some(s) => Some(
            chrono::DateTime::parse_from_rfc3339(s)
                .map(|t| Timestamp::from(t.with_timezone(&chrono::Utc)))
                .map_err(|_| schema("$.slot", format!("{s:?} is not RFC 3339 with an offset")))?,
        ),
        None => None,
    };
    let (basis, pre_arrival) = basis_of(state, principal, &doc, &plate, now).await?;
    let transit = match &doc.transit {
        Some(t) => Some(super::transit::read(state, principal, t).await.map_err(|_| not_found("transit", t))?.id),
        None => None,
    };
    let facts = VehicleFacts {
        goods: basis.goods.iter().filter_map(|g| HsCode::parse(g)).collect(),
        perishable: doc.perishable,
        aeo: match &carrier {
            Some(c) => state.store.aeo_holders().await?.iter().any(|h| h == c),
            None => false,
        },
        live_animals: doc.live_animals,
        dangerous_goods: doc.dangerous_goods,
        humanitarian: doc.humanitarian,
        empty: doc.empty,
    };
    let class = checkpoint.rules.classify(&facts).class;
    let alerts = match &transit {
        Some(t) => open_alerts(state, t).await?,
        None => Vec::new(),
    };
    let declarations = declarations_of(state, plate.as_str(), now, now).await?;
    let decision = decide(&basis.case(alerts, &declarations, Vec::new(), Vec::new()), &checkpoint.decision_rules());
    let id = uuid::Uuid::new_v4().to_string();
    let vehicle = VehicleRecord {
        id: id.clone(),
        checkpoint: checkpoint.record.code.clone(),
        plate: plate.as_str().to_string(),
        country: country.map(|c| c.to_string()),
        carrier,
        slot_us: slot.map(Timestamp::as_micros),
        joined_at_us: slot.is_none().then_some(now.as_micros()),
        arrived_at_us: slot.is_none().then_some(now.as_micros()),
        called_at_us: None,
        crossed_at_us: None,
        state: if slot.is_some() { "booked" } else { "waiting" }.to_string(),
        facts: serde_json::to_string(&facts).map_err(|e| StoreError::Internal(e.to_string()))?,
        basis: serde_json::to_string(&basis).map_err(|e| StoreError::Internal(e.to_string()))?,
        pre_arrival,
        transit,
        class: i64::from(class),
        operations: operations_text(&decision.operations),
        decision: serde_json::to_string(&decision).map_err(|e| StoreError::Internal(e.to_string()))?,
        done: String::new(),
        version: 1,
        created_at_us: now,
        updated_at_us: now,
    };
    let policy = checkpoint.policy;
    let (wanted_plate, entry) = (plate.clone(), EntryId::new(id).map_err(|e| StoreError::Internal(e.to_string()))?);
    let check: smartcustoms_storage::AdmissionCheck = Box::new(move |open: &[VehicleRecord]| {
        let present = open.iter().any(|v| v.plate == wanted_plate.as_str() && v.arrived_at_us.is_some());
        if present {
            let message = format!("Vehicle {wanted_plate} is at the checkpoint already.");
            return vec![Reason::new(chk::Code::AlreadyBooked, message)];
        }
        match slot {
            Some(slot) => {
                let wanted = Booking { id: entry, plate: wanted_plate, slot };
                let refused = book(&policy, &bookings_of(open), wanted, now).err().unwrap_or_default();
                refused.into_iter().map(|p| Reason { code: p.code, operation: None, message: p.message }).collect()
            }
            None => Vec::new(),
        }
    });
    match state.store.admit_vehicle(&vehicle, check).await {
        Ok(Ok(v)) => {
            super::checkpoint_events::notify(state, &v, "admitted");
            Ok(v)
        }
        Ok(Err(reasons)) => Err(CheckpointError::Booking(reasons)),
        Err(StoreError::NotFound) => Err(not_found("checkpoint", code)),
        Err(e) => Err(e.into()),
    }
}

fn schema(path: &str, message: String) -> CheckpointError {
    CheckpointError::Schema { path: path.to_string(), message }
}

fn not_found(what: &str, id: &str) -> CheckpointError {
    CheckpointError::NotFound(format!("{what} {id}"))
}

/// The bookings among a checkpoint's open vehicles.
fn bookings_of(open: &[VehicleRecord]) -> Vec<Booking> {
    open.iter()
        .filter_map(|v| {
            let slot = Timestamp::from_micros(v.slot_us?);
            Some(Booking { id: EntryId::new(v.id.clone()).ok()?, plate: Plate::parse(&v.plate).ok()?, slot })
        })
        .collect()
}

/// The pre-arrival information's decision, goods and mass for the vehicle: the one named, or
/// the nearest announcing its plate within 72 hours.
async fn basis_of(
    state: &AppState,
    principal: &Principal,
    doc: &VehicleDoc,
    plate: &Plate,
    now: Timestamp,
) -> Result<(Basis, Option<String>), CheckpointError> {
    let record = match &doc.pre_arrival {
        Some(id) => Some(
            super::pre_arrival::read(state, principal, id)
                .await
                .map_err(|_| not_found("pre-arrival information", id))?,
        ),
        None => {
            // The means of transport as the pre-arrival information wrote it: as the carrier
            // typed the plate, or in the plate's normal form.
            let window = TimeDelta::hours(super::pre_arrival::LINK_WINDOW_HOURS);
            let mut found = state.store.pre_arrivals_of_means(doc.plate.trim(), now - window, now + window).await?;
            if found.is_empty() {
                found = state.store.pre_arrivals_of_means(plate.as_str(), now - window, now + window).await?;
            }
            found.into_iter().min_by_key(|r| (r.expected_arrival_at_us - now).num_seconds().abs())
        }
    };
    let Some(record) = record else {
        return Ok((Basis { not_required: doc.empty, ..Basis::default() }, None));
    };
    let corrupt = |e: String| StoreError::Corrupt(format!("pre-arrival information {}: {e}", record.id));
    let preliminary: PreliminaryDecision =
        serde_json::from_str(&record.decision).map_err(|e| corrupt(e.to_string()))?;
    let bytes = state.store.pre_arrival_document(&record.id).await?.unwrap_or_default();
    let filed: PreArrivalDoc = serde_json::from_slice(&bytes).map_err(|e| corrupt(e.to_string()))?;
    let items = filed.items.unwrap_or_default();
    let goods: Vec<String> = items.iter().filter_map(|i| i.commodity_code.clone()).collect();
    let goods_kg = items.iter().filter_map(|i| i.gross_mass).fold(Decimal::ZERO, Decimal::saturating_add);
    let declared_mass = doc.unladen_mass_kg.map(|vehicle_kg| DeclaredMass { vehicle_kg, goods_kg });
    Ok((Basis { preliminary: Some(preliminary), not_required: doc.empty, goods, declared_mass }, Some(record.id)))
}

/// The open alerts of a movement's seals.
pub async fn open_alerts(state: &AppState, transit: &str) -> Result<Vec<AlertKind>, StoreError> {
    let incidents = state.store.seal_incidents(transit).await?;
    Ok(incidents
        .iter()
        .filter(|i| i.closed_at_us.is_none())
        .filter_map(|i| AlertKind::ALL.iter().copied().find(|k| k.code() == i.kind))
        .collect())
}

/// The bookable slots of a checkpoint with their free places.
pub async fn slots(state: &AppState, code: &str, now: Timestamp) -> Result<Vec<SlotAvailability>, CheckpointError> {
    let checkpoint = read(state, code).await?;
    let open = state.store.open_vehicles(code).await?;
    Ok(availability(&checkpoint.policy, &bookings_of(&open), now))
}

/// A checkpoint's queue as officers see it: the order of the vehicles waiting or expected,
/// those in control, those that missed their slot, and events that named no vehicle.
#[derive(Debug, Serialize, ToSchema)]
pub struct QueueView {
    /// The checkpoint.
    pub checkpoint: String,
    /// The calling order, with every reason.
    pub order: Order,
    /// The vehicles by id: plate, state, operations due and times.
    pub vehicles: Vec<VehicleRecord>,
    /// Events of the last day that named no vehicle, for an officer to register.
    pub unattached: Vec<smartcustoms_storage::CheckpointEventRecord>,
}

/// The queue of a checkpoint (customs staff).
pub async fn queue(
    state: &AppState,
    principal: &Principal,
    code: &str,
    now: Timestamp,
) -> Result<QueueView, CheckpointError> {
    super::require(principal, STAFF, "watch a checkpoint's queue")?;
    let checkpoint = read(state, code).await?;
    let vehicles = state.store.open_vehicles(code).await?;
    let entries: Vec<QueueEntry> = vehicles
        .iter()
        .filter(|v| v.state != "in_control")
        .filter_map(|v| {
            let facts: VehicleFacts = serde_json::from_str(&v.facts).ok()?;
            let presence = match (v.slot_us, v.joined_at_us) {
                (Some(slot), _) => Presence::Booked {
                    slot: Timestamp::from_micros(slot),
                    arrived_at: v.arrived_at_us.map(Timestamp::from_micros),
                },
                (None, joined) => {
                    Presence::Live { joined_at: Timestamp::from_micros(joined.unwrap_or(v.created_at_us.as_micros())) }
                }
            };
            Some(QueueEntry { id: EntryId::new(v.id.clone()).ok()?, facts, presence })
        })
        .collect();
    let order = order(&entries, &checkpoint.rules, &checkpoint.policy, now);
    let unattached = state.store.unattached_events(code, 50).await?;
    let day_ago = now - TimeDelta::days(1);
    let unattached = unattached.into_iter().filter(|e| e.received_at_us >= day_ago).collect();
    Ok(QueueView { checkpoint: code.to_string(), order, vehicles, unattached })
}

/// One vehicle with its events and decisions: its carrier's, or any for customs staff.
#[derive(Debug, Serialize, ToSchema)]
pub struct VehicleView {
    /// The vehicle.
    pub vehicle: VehicleRecord,
    /// Its events, in device time.
    pub events: Vec<smartcustoms_storage::CheckpointEventRecord>,
    /// Every decision taken on it, in order.
    pub decisions: Vec<smartcustoms_storage::DecisionRecord>,
    /// The goods declarations naming its plate (customs staff only; a carrier sees none).
    pub declarations: Vec<DeclarationSummary>,
}

/// Reads one vehicle, with its goods declarations for customs staff.
pub async fn vehicle(
    state: &AppState,
    principal: &Principal,
    code: &str,
    id: &str,
    now: Timestamp,
) -> Result<VehicleView, CheckpointError> {
    let vehicle = visible(state, principal, code, id).await?;
    let events = state.store.vehicle_events(id).await?;
    let decisions = state.store.vehicle_decisions(id).await?;
    let declarations = match STAFF.contains(&principal.role) {
        true => declarations_of(state, &vehicle.plate, vehicle.created_at_us, now).await?,
        false => Vec::new(),
    };
    Ok(VehicleView { vehicle, events, decisions, declarations })
}

/// The vehicle when the caller may see it: its carrier, or customs staff.
pub async fn visible(
    state: &AppState,
    principal: &Principal,
    code: &str,
    id: &str,
) -> Result<VehicleRecord, CheckpointError> {
    let found = state.store.vehicle(id).await?.filter(|v| v.checkpoint == code);
    match found {
        Some(v) if STAFF.contains(&principal.role) => Ok(v),
        Some(v)
            if principal.role == Role::Trader
                && v.carrier.is_some()
                && principal.trader.as_ref().map(|t| t.as_str()) == v.carrier.as_deref() =>
        {
            Ok(v)
        }
        _ => Err(not_found("vehicle", id)),
    }
}

/// A carrier's own bookings and queue entries, newest first.
pub async fn mine(state: &AppState, principal: &Principal, limit: i64) -> Result<Vec<VehicleRecord>, CheckpointError> {
    let Some(trader) = principal.trader.as_ref().filter(|_| principal.role == Role::Trader) else {
        return Err(super::Forbidden { role: principal.role.as_str(), action: "list its bookings" }.into());
    };
    Ok(state.store.carrier_vehicles(trader.as_str(), limit.clamp(1, 500)).await?)
}

/// Waiting and crossing times at a checkpoint over a window, WCO Time Release Study style.
#[derive(Debug, Default, Serialize, ToSchema)]
pub struct Times {
    /// The checkpoint.
    pub checkpoint: String,
    /// Hours looked back.
    pub hours: i64,
    /// Vehicles crossed in the window.
    pub crossed: usize,
    /// Arrival to the call, seconds: count, mean, median, p90, max.
    pub waiting: Option<Span>,
    /// The call to crossing, seconds.
    pub crossing: Option<Span>,
    /// Arrival to crossing, seconds.
    pub total: Option<Span>,
    /// Beyond the booked slot's start, seconds (booked vehicles).
    pub beyond_slot: Option<Span>,
}

/// Figures of one stage, in seconds.
#[derive(Debug, Serialize, ToSchema)]
pub struct Span {
    /// Vehicles measured.
    pub count: usize,
    /// Mean.
    pub mean_s: i64,
    /// Median.
    pub median_s: i64,
    /// 90th percentile.
    pub p90_s: i64,
    /// Maximum.
    pub max_s: i64,
}

fn span(spans: &[TimeDelta]) -> Option<Span> {
    chk::stats(spans).map(|s| Span {
        count: s.count,
        mean_s: s.mean.num_seconds(),
        median_s: s.median.num_seconds(),
        p90_s: s.p90.num_seconds(),
        max_s: s.max.num_seconds(),
    })
}

/// The times of the vehicles that crossed a checkpoint within `hours` (customs staff).
pub async fn times(
    state: &AppState,
    principal: &Principal,
    code: &str,
    hours: i64,
    now: Timestamp,
) -> Result<Times, CheckpointError> {
    super::require(principal, STAFF, "read a checkpoint's times")?;
    read(state, code).await?;
    let hours = hours.clamp(1, 24 * 31);
    let closed = state.store.closed_vehicles(code, now - TimeDelta::hours(hours), 100_000).await?;
    let (mut waiting, mut crossing, mut total, mut beyond) = (Vec::new(), Vec::new(), Vec::new(), Vec::new());
    let mut crossed = 0;
    for v in closed.iter().filter(|v| v.state == "crossed") {
        let (Some(arrived), Some(crossed_at)) = (v.arrived_at_us, v.crossed_at_us) else { continue };
        let m = chk::Milestones {
            arrived: Timestamp::from_micros(arrived),
            slot: v.slot_us.map(Timestamp::from_micros),
            called: v.called_at_us.map(Timestamp::from_micros),
            crossed: Some(Timestamp::from_micros(crossed_at)),
        };
        let Ok(t) = chk::time_release(&m, now) else { continue };
        crossed += 1;
        waiting.push(t.waiting);
        crossing.extend(t.crossing);
        total.extend(t.total);
        beyond.extend(t.beyond_slot);
    }
    Ok(Times {
        checkpoint: code.to_string(),
        hours,
        crossed,
        waiting: span(&waiting),
        crossing: span(&crossing),
        total: span(&total),
        beyond_slot: span(&beyond),
    })
}
