//! What happens to a vehicle at the checkpoint: the equipment's events (plate reads, weighings,
//! radiation readings, scans) over HTTP or MQTT, and the officers' actions (call to the control
//! lane, an operation done, crossing, refusal, cancellation). Each change decides the
//! operations due again, from everything known, and is written over the version it was decided
//! from; officers following the checkpoint are told at once.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use smartcustoms_core::access::{Principal, Role};
use smartcustoms_core::checkpoint::{
    self as chk, decide, match_plate, Code, Decision, Event, Expected, Operation, Plate, PlateMatch, Problem, Reason,
    OFFICERS_OPERATIONS,
};
use smartcustoms_core::timestamp::Timestamp;
use smartcustoms_storage::{operations_text, CheckpointEventRecord, StoreError, VehicleChange, VehicleRecord};

use super::checkpoint::{open_alerts, read, visible, Basis, CheckpointError};
use crate::state::AppState;

/// How often a change is decided again when other changes of the same vehicle keep coming
/// first.
const ATTEMPTS: usize = 16;

/// A change of a vehicle, as officers following the checkpoint see it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct VehicleNotice {
    /// The checkpoint.
    pub checkpoint: String,
    /// The vehicle.
    pub vehicle: String,
    /// Its plate.
    pub plate: String,
    /// Its state now.
    pub state: String,
    /// The operations due now, comma separated.
    pub operations: String,
    /// What changed it (`admitted`, an event's kind, an action; `unattached` for an event that
    /// named no vehicle, when the vehicle fields are empty).
    pub change: String,
    /// When.
    pub at_us: i64,
}

/// Tells the officers following the checkpoint (in this process) of a vehicle's change.
pub fn notify(state: &AppState, v: &VehicleRecord, change: &str) {
    // No receiver is no error: nobody is watching.
    let _ = state.checkpoints.send(VehicleNotice {
        checkpoint: v.checkpoint.clone(),
        vehicle: v.id.clone(),
        plate: v.plate.clone(),
        state: v.state.clone(),
        operations: v.operations.clone(),
        change: change.to_string(),
        at_us: v.updated_at_us.as_micros(),
    });
}

/// What became of an equipment event.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Taken {
    /// The event's id.
    pub event: String,
    /// The vehicle it was attached to; none when it named none the checkpoint knows.
    pub vehicle: Option<String>,
    /// For a plate read: how it matched.
    pub plate_match: Option<PlateMatch>,
    /// Why it is unattached, when it is.
    pub unattached: Option<Reason>,
    /// True when the same event was taken before (same device, kind and time): nothing changed.
    pub duplicate: bool,
    /// The vehicle's decision now.
    pub decision: Option<Decision>,
}

/// The vehicle an event names besides its measurement: `vehicle` (the id the checkpoint gave)
/// or `plate` (as the lane's camera read it). Plate reads name none: they are matched.
#[derive(Debug, Default, Deserialize)]
struct Envelope {
    vehicle: Option<String>,
    plate: Option<String>,
}

/// Takes an equipment event in (devices, over HTTP or MQTT): the event, or a compact JWS around
/// it; `detached` the detached JWS of an HTTP header. A device with a registered key signs.
pub async fn take_event(
    state: &AppState,
    code: &str,
    body: &[u8],
    detached: Option<&str>,
    received_at: Timestamp,
) -> Result<Taken, CheckpointError> {
    let opened = super::device_keys::open(body).map_err(CheckpointError::Signature)?;
    let body: &[u8] = &opened.payload;
    let event = chk::parse(body).map_err(CheckpointError::Event)?;
    super::device_keys::check(state, event.device(), &opened, detached).map_err(CheckpointError::Signature)?;
    let envelope: Envelope = serde_json::from_slice(body).unwrap_or_default();
    if !matches!(event, Event::PlateRead(_)) && envelope.vehicle.is_none() && envelope.plate.is_none() {
        let message = "An event other than a plate read names its vehicle: `vehicle` (the id given at its plate read) or `plate`.";
        return Err(CheckpointError::Event(vec![Problem {
            code: Code::Missing.code().to_string(),
            path: "$.plate".into(),
            message: message.into(),
        }]));
    }
    let checkpoint = read(state, code).await?;
    let mut record = CheckpointEventRecord {
        id: uuid::Uuid::new_v4().to_string(),
        checkpoint: code.to_string(),
        vehicle: None,
        kind: kind_of(&event).to_string(),
        device: event.device().to_string(),
        at_us: event.time(),
        received_at_us: received_at,
        body: String::from_utf8_lossy(body).into_owned(),
        outcome: String::new(),
    };
    for _ in 0..ATTEMPTS {
        let (found, plate_match) = match &event {
            Event::PlateRead(read) => {
                let open = state.store.open_vehicles(code).await?;
                let expected: Vec<Expected> = open
                    .iter()
                    .filter_map(|v| {
                        Some(Expected {
                            id: chk::EntryId::new(v.id.clone()).ok()?,
                            plate: Plate::parse(&v.plate).ok()?,
                            country: v.country.as_deref().and_then(smartcustoms_core::codes::CountryCode::parse),
                        })
                    })
                    .collect();
                let m = match_plate(read, &expected, checkpoint.settings.min_confidence);
                let found = match &m {
                    PlateMatch::Matched { id, .. } => open.iter().find(|v| v.id == id.as_str()).cloned(),
                    PlateMatch::Unmatched { .. } => None,
                };
                (found, Some(m))
            }
            _ => (named(state, code, &envelope).await?, None),
        };
        let Some(vehicle) = found else {
            let reason = match &plate_match {
                Some(PlateMatch::Unmatched { reason, .. }) => reason.clone(),
                _ => Reason::new(Code::UnknownPlate, "The event names no vehicle booked, waiting or in control here."),
            };
            record.outcome = serde_json::json!({ "plate_match": plate_match, "unattached": reason }).to_string();
            state.store.record_unattached(&record).await?;
            // No receiver is no error: nobody is watching.
            let _ = state.checkpoints.send(VehicleNotice {
                checkpoint: code.to_string(),
                vehicle: String::new(),
                plate: String::new(),
                state: String::new(),
                operations: String::new(),
                change: "unattached".into(),
                at_us: received_at.as_micros(),
            });
            return Ok(Taken {
                event: record.id,
                vehicle: None,
                plate_match,
                unattached: Some(reason),
                duplicate: false,
                decision: None,
            });
        };
        let stored = state.store.vehicle_events(&vehicle.id).await?;
        if stored.iter().any(|e| e.kind == record.kind && e.device == record.device && e.at_us == record.at_us) {
            return Ok(Taken {
                event: record.id,
                vehicle: Some(vehicle.id.clone()),
                plate_match,
                unattached: None,
                duplicate: true,
                decision: serde_json::from_str(&vehicle.decision).ok(),
            });
        }
        let mut events: Vec<Event> = stored.iter().filter_map(|e| chk::parse(e.body.as_bytes()).ok()).collect();
        events.push(event.clone());
        let mut next = vehicle.clone();
        if matches!(event, Event::PlateRead(_)) && next.arrived_at_us.is_none() {
            next.arrived_at_us = Some(received_at.as_micros());
            next.state = "waiting".into();
        }
        let decision = redecide(state, &checkpoint, &mut next, events, received_at).await?;
        record.vehicle = Some(vehicle.id.clone());
        record.outcome = serde_json::json!({ "plate_match": plate_match, "operations": next.operations }).to_string();
        let arrived = (next.state != vehicle.state).then(|| {
            serde_json::json!({
                "checkpoint": code, "vehicle": vehicle.id, "plate": vehicle.plate, "from": vehicle.state,
                "to": next.state, "by": record.device,
            })
        });
        let change = VehicleChange {
            vehicle: next.clone(),
            event: Some(record.clone()),
            trigger: record.kind.clone(),
            actor: record.device.clone(),
            decided: true,
            state_change: arrived,
        };
        if state.store.change_vehicle(&change).await? {
            notify(state, &VehicleRecord { version: next.version + 1, ..next }, &record.kind);
            return Ok(Taken {
                event: record.id,
                vehicle: Some(vehicle.id),
                plate_match,
                unattached: None,
                duplicate: false,
                decision: Some(decision),
            });
        }
    }
    Err(StoreError::Internal(format!("vehicle changes at {code} kept coming first; the event was not taken")).into())
}

fn kind_of(e: &Event) -> &'static str {
    match e {
        Event::PlateRead(_) => "plate_read",
        Event::Weighing(_) => "weighing",
        Event::Radiation(_) => "radiation",
        Event::Scan(_) => "scan",
    }
}

/// The open vehicle an event names: by id, else by plate, preferring the vehicle that arrived
/// first (a lane's measurement may come a moment before the camera's read is taken in).
async fn named(state: &AppState, code: &str, envelope: &Envelope) -> Result<Option<VehicleRecord>, StoreError> {
    let open =
        |v: &VehicleRecord| v.checkpoint == code && matches!(v.state.as_str(), "booked" | "waiting" | "in_control");
    if let Some(id) = &envelope.vehicle {
        return Ok(state.store.vehicle(id).await?.filter(open));
    }
    let Some(plate) = envelope.plate.as_deref().and_then(|p| Plate::parse(p).ok()) else { return Ok(None) };
    let candidates = state.store.open_vehicles(code).await?;
    Ok(candidates
        .into_iter()
        .filter(|v| v.plate == plate.as_str())
        .min_by_key(|v| (v.arrived_at_us.is_none(), v.arrived_at_us, v.created_at_us)))
}

/// Decides the vehicle's operations again from its basis, `events`, the seal's open alerts
/// and what officers did; sets its operations, decision and time.
async fn redecide(
    state: &AppState,
    checkpoint: &super::checkpoint::Checkpoint,
    v: &mut VehicleRecord,
    events: Vec<Event>,
    now: Timestamp,
) -> Result<Decision, CheckpointError> {
    let corrupt = |e: serde_json::Error| StoreError::Corrupt(format!("vehicle {}: {e}", v.id));
    let basis: Basis = serde_json::from_str(&v.basis).map_err(corrupt)?;
    let alerts = match &v.transit {
        Some(t) => open_alerts(state, t).await?,
        None => Vec::new(),
    };
    let declarations = super::checkpoint::declarations_of(state, &v.plate, v.created_at_us, now).await?;
    let decision = decide(&basis.case(alerts, &declarations, events, done_of(v)), &checkpoint.decision_rules());
    v.operations = operations_text(&decision.operations);
    v.decision = serde_json::to_string(&decision).map_err(|e| StoreError::Internal(e.to_string()))?;
    v.updated_at_us = now;
    Ok(decision)
}

fn done_of(v: &VehicleRecord) -> Vec<Operation> {
    v.done.split(',').filter_map(|code| Operation::ALL.into_iter().find(|o| o.code() == code)).collect()
}

/// An officer's (or a carrier's) action on a vehicle.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ActionDoc {
    /// `call` (to the control lane), `done` (an officer's operation done and cleared), `cross`,
    /// `refuse` (not let through; a note says why) or `cancel` (a booking).
    pub action: String,
    /// For `done`: `check_documents`, `inspect` or `hold` (a hold is lifted by a supervisor, on
    /// the radiation authority's word).
    pub operation: Option<String>,
    /// What the officer found or why; required to lift a hold and to refuse.
    pub note: Option<String>,
}

const OFFICERS: &[Role] = &[Role::Officer, Role::Supervisor];

/// Applies an action to a vehicle and decides again.
pub async fn act(
    state: &AppState,
    principal: &Principal,
    code: &str,
    id: &str,
    doc: &ActionDoc,
    now: Timestamp,
) -> Result<VehicleRecord, CheckpointError> {
    let checkpoint = read(state, code).await?;
    let note = doc.note.as_deref().map(str::trim).filter(|n| !n.is_empty());
    if note.is_some_and(|n| n.chars().count() > 1000 || n.chars().any(|c| c.is_control() && c != '\n')) {
        return Err(CheckpointError::Schema { path: "$.note".into(), message: "at most 1,000 characters".into() });
    }
    for _ in 0..ATTEMPTS {
        let vehicle = visible(state, principal, code, id).await?;
        let refuse = |reason: String| CheckpointError::Refused {
            state: vehicle.state.clone(),
            action: doc.action.clone(),
            reason,
            operations: vehicle.operations.split(',').map(str::to_string).collect(),
        };
        let open = matches!(vehicle.state.as_str(), "waiting" | "in_control");
        let mut next = vehicle.clone();
        next.updated_at_us = now;
        let mut decided = false;
        match doc.action.as_str() {
            "call" => {
                super::require(principal, OFFICERS, "call vehicles")?;
                if vehicle.state != "waiting" {
                    return Err(refuse(format!("A vehicle {} is not called; only a waiting one is.", vehicle.state)));
                }
                next.state = "in_control".into();
                next.called_at_us = Some(now.as_micros());
            }
            "done" => {
                super::require(principal, OFFICERS, "record operations")?;
                let op = doc.operation.as_deref().unwrap_or_default();
                let Some(op) = OFFICERS_OPERATIONS.into_iter().find(|o| o.code() == op) else {
                    return Err(CheckpointError::Schema {
                        path: "$.operation".into(),
                        message: "one of check_documents, inspect, hold".into(),
                    });
                };
                if !open || !vehicle.operations.split(',').any(|o| o == op.code()) {
                    return Err(refuse(format!("{} is not due for this vehicle.", op.code())));
                }
                if op == Operation::Hold && (principal.role != Role::Supervisor || note.is_none()) {
                    return Err(refuse(
                        "A hold is lifted by a supervisor, with a note of the radiation authority's decision.".into(),
                    ));
                }
                let mut done = done_of(&vehicle);
                done.push(op);
                next.done = done.iter().map(|o| o.code()).collect::<Vec<_>>().join(",");
                let events = state.store.vehicle_events(&vehicle.id).await?;
                let events = events.iter().filter_map(|e| chk::parse(e.body.as_bytes()).ok()).collect();
                redecide(state, &checkpoint, &mut next, events, now).await?;
                decided = true;
            }
            "cross" => {
                super::require(principal, OFFICERS, "let vehicles cross")?;
                if !open || vehicle.operations != Operation::Pass.code() {
                    return Err(refuse(format!(
                        "The vehicle crosses only when nothing is due; due: {}.",
                        vehicle.operations.replace(',', ", ")
                    )));
                }
                next.state = "crossed".into();
                next.called_at_us = vehicle.called_at_us.or(Some(now.as_micros()));
                next.crossed_at_us = Some(now.as_micros());
            }
            "refuse" => {
                super::require(principal, OFFICERS, "refuse vehicles")?;
                if note.is_none() {
                    return Err(refuse("A refusal says why in its note.".into()));
                }
                if !open && vehicle.state != "booked" {
                    return Err(refuse(format!("A vehicle {} is not refused.", vehicle.state)));
                }
                next.state = "refused".into();
            }
            "cancel" => {
                if principal.role == Role::Trader {
                    super::organisation::require(principal, super::organisation::Capacity::File, "cancel bookings")?;
                } else {
                    super::require(principal, OFFICERS, "cancel bookings")?;
                }
                if vehicle.state != "booked" {
                    return Err(refuse(format!(
                        "Only a booking not yet arrived is cancelled; this one is {}.",
                        vehicle.state
                    )));
                }
                next.state = "cancelled".into();
            }
            other => {
                return Err(CheckpointError::Schema {
                    path: "$.action".into(),
                    message: format!("{other:?} is not call, done, cross, refuse or cancel"),
                })
            }
        }
        let details = serde_json::json!({
            "checkpoint": code, "vehicle": vehicle.id, "plate": vehicle.plate, "action": doc.action,
            "operation": doc.operation, "note": note, "from": vehicle.state, "to": next.state,
            "operations": next.operations,
        });
        let change = VehicleChange {
            vehicle: next.clone(),
            event: None,
            trigger: match &doc.operation {
                Some(op) if doc.action == "done" => format!("done:{op}"),
                _ => doc.action.clone(),
            },
            actor: principal.name.clone(),
            decided,
            state_change: Some(details),
        };
        if state.store.change_vehicle(&change).await? {
            let next = VehicleRecord { version: next.version + 1, ..next };
            notify(state, &next, &doc.action);
            return Ok(next);
        }
    }
    Err(StoreError::Internal(format!("vehicle {id} kept changing; the action was not taken")).into())
}
