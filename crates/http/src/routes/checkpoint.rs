//! The smart checkpoint over HTTP: its settings, bookings and the live queue, the equipment's
//! events, officers' actions on a vehicle, the queue and times officers watch, and the stream
//! of vehicles' changes.

use std::convert::Infallible;

use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::Json;
use futures_util::Stream;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use smartcustoms_core::access::Role;
use smartcustoms_core::checkpoint::SlotAvailability;
use smartcustoms_core::timestamp::Timestamp;
use smartcustoms_storage::VehicleRecord;

use crate::app::checkpoint::{self, Checkpoint, QueueView, Settings, Times, VehicleView, STAFF};
use crate::app::checkpoint_events::{self, ActionDoc, Taken, VehicleNotice};
use crate::auth::Caller;
use crate::error::ApiError;
use crate::extract::{body_or_error, refuse_other_media, ApiPath, ApiQuery};
use crate::state::AppState;

/// A checkpoint as served.
#[derive(Debug, Serialize, ToSchema)]
pub struct CheckpointView {
    /// Its code.
    pub code: String,
    /// Its name.
    pub name: String,
    /// Slots and decision settings.
    pub settings: Settings,
    /// The priority rules' version.
    pub rules_version: String,
    /// The priority rules as written.
    #[schema(value_type = Object)]
    pub priority_rules: serde_json::Value,
    /// Who changed it last.
    pub updated_by: String,
    /// When.
    pub updated_at_us: i64,
}

impl From<Checkpoint> for CheckpointView {
    fn from(c: Checkpoint) -> Self {
        CheckpointView {
            rules_version: c.rules.version().to_string(),
            priority_rules: serde_json::from_str(&c.record.rules).unwrap_or(serde_json::Value::Null),
            code: c.record.code,
            name: c.record.name,
            settings: c.settings,
            updated_by: c.record.updated_by,
            updated_at_us: c.record.updated_at_us.as_micros(),
        }
    }
}

fn now() -> Timestamp {
    Timestamp::from(chrono::Utc::now())
}

/// Create or change a checkpoint (supervisors and administrators): its name, slots (length,
/// lanes, places per lane, booking horizon, grace), weight tolerance, minimum plate-read
/// confidence and priority rules. Refused whole with every problem (`CHP_002`).
#[utoipa::path(put, path = "/api/v1/checkpoints/{code}", tag = "checkpoints",
    request_body(content = checkpoint::CheckpointDoc, content_type = "application/json"),
    params(("code" = String, Path, description = "The checkpoint's code")),
    responses((status = 200, body = CheckpointView), (status = 403, body = crate::error::ErrorBody),
        (status = 422, description = "Settings refused (CHP_002)", body = crate::error::ErrorBody)),
    security(("token" = [])))]
pub async fn put(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(code): ApiPath<String>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Result<Json<CheckpointView>, ApiError> {
    refuse_other_media(&headers)?;
    let body = body_or_error(body, state.config.body_limit)?;
    Ok(Json(checkpoint::save(&state, &caller.0, &code, &body, now()).await?.into()))
}

/// The checkpoints (anyone signed in).
#[utoipa::path(get, path = "/api/v1/checkpoints", tag = "checkpoints",
    responses((status = 200, body = Vec<CheckpointView>)), security(("token" = [])))]
pub async fn list(State(state): State<AppState>, _caller: Caller) -> Result<Json<Vec<CheckpointView>>, ApiError> {
    Ok(Json(checkpoint::list(&state).await?.into_iter().map(CheckpointView::from).collect()))
}

/// One checkpoint (anyone signed in).
#[utoipa::path(get, path = "/api/v1/checkpoints/{code}", tag = "checkpoints",
    params(("code" = String, Path, description = "The checkpoint's code")),
    responses((status = 200, body = CheckpointView), (status = 404, body = crate::error::ErrorBody)),
    security(("token" = [])))]
pub async fn get(
    State(state): State<AppState>,
    _caller: Caller,
    ApiPath(code): ApiPath<String>,
) -> Result<Json<CheckpointView>, ApiError> {
    Ok(Json(checkpoint::read(&state, &code).await?.into()))
}

/// The bookable slots with their free places (anyone signed in).
#[utoipa::path(get, path = "/api/v1/checkpoints/{code}/slots", tag = "checkpoints",
    params(("code" = String, Path, description = "The checkpoint's code")),
    responses((status = 200, body = Vec<SlotAvailability>), (status = 404, body = crate::error::ErrorBody)),
    security(("token" = [])))]
pub async fn slots(
    State(state): State<AppState>,
    _caller: Caller,
    ApiPath(code): ApiPath<String>,
) -> Result<Json<Vec<SlotAvailability>>, ApiError> {
    Ok(Json(checkpoint::slots(&state, &code, now()).await?))
}

/// Book a slot (carriers, with `slot`) or join the live queue (without; carriers at the
/// checkpoint, or an officer registering a vehicle by hand). The vehicle is matched to its
/// pre-arrival information (named, or found by its plate within 72 hours) and transit, classed
/// by the priority rules and its operations decided at once. A refused booking is `CHP_003`
/// with every reason.
#[utoipa::path(post, path = "/api/v1/checkpoints/{code}/vehicles", tag = "checkpoints",
    request_body(content = checkpoint::VehicleDoc, content_type = "application/json"),
    params(("code" = String, Path, description = "The checkpoint's code")),
    responses((status = 201, body = VehicleRecord), (status = 403, body = crate::error::ErrorBody),
        (status = 404, body = crate::error::ErrorBody),
        (status = 409, description = "Booking refused (CHP_003)", body = crate::error::ErrorBody),
        (status = 422, body = crate::error::ErrorBody)),
    security(("token" = [])))]
pub async fn admit(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(code): ApiPath<String>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Result<(StatusCode, Json<VehicleRecord>), ApiError> {
    refuse_other_media(&headers)?;
    let body = body_or_error(body, state.config.body_limit)?;
    Ok((StatusCode::CREATED, Json(checkpoint::admit(&state, &caller.0, &code, &body, now()).await?)))
}

/// The queue (customs staff): the calling order with every reason, the vehicles booked,
/// waiting and in control with the operations due, and the last day's events that named no
/// vehicle.
#[utoipa::path(get, path = "/api/v1/checkpoints/{code}/queue", tag = "checkpoints",
    params(("code" = String, Path, description = "The checkpoint's code")),
    responses((status = 200, body = QueueView), (status = 403, body = crate::error::ErrorBody),
        (status = 404, body = crate::error::ErrorBody)),
    security(("token" = [])))]
pub async fn queue(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(code): ApiPath<String>,
) -> Result<Json<QueueView>, ApiError> {
    Ok(Json(checkpoint::queue(&state, &caller.0, &code, now()).await?))
}

/// One vehicle with its events and every decision (its carrier, or customs staff).
#[utoipa::path(get, path = "/api/v1/checkpoints/{code}/vehicles/{id}", tag = "checkpoints",
    params(("code" = String, Path, description = "The checkpoint's code"), ("id" = String, Path, description = "The vehicle")),
    responses((status = 200, body = VehicleView), (status = 404, body = crate::error::ErrorBody)),
    security(("token" = [])))]
pub async fn vehicle(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath((code, id)): ApiPath<(String, String)>,
) -> Result<Json<VehicleView>, ApiError> {
    Ok(Json(checkpoint::vehicle(&state, &caller.0, &code, &id, Timestamp::now()).await?))
}

/// Act on a vehicle: `call` it to the control lane, record an officer's operation `done`
/// (`check_documents`, `inspect`; a supervisor lifts a `hold` with a note), let it `cross`
/// (only when nothing is due), `refuse` it (with a note) or `cancel` a booking (its carrier or
/// an officer). A state that does not take the action is `CHP_004`.
#[utoipa::path(post, path = "/api/v1/checkpoints/{code}/vehicles/{id}/actions", tag = "checkpoints",
    request_body(content = ActionDoc, content_type = "application/json"),
    params(("code" = String, Path, description = "The checkpoint's code"), ("id" = String, Path, description = "The vehicle")),
    responses((status = 200, body = VehicleRecord), (status = 403, body = crate::error::ErrorBody),
        (status = 404, body = crate::error::ErrorBody),
        (status = 409, description = "Refused by the vehicle's state (CHP_004)", body = crate::error::ErrorBody)),
    security(("token" = [])))]
pub async fn act(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath((code, id)): ApiPath<(String, String)>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Result<Json<VehicleRecord>, ApiError> {
    refuse_other_media(&headers)?;
    let body = body_or_error(body, state.config.body_limit)?;
    let doc: ActionDoc = checkpoint::parse_json(&body)?;
    Ok(Json(checkpoint_events::act(&state, &caller.0, &code, &id, &doc, now()).await?))
}

/// Send an equipment event (checkpoint equipment, with a device token): a plate read, a
/// weighing, a radiation reading or a scan, as `docs/checkpoint.md` describes; events other
/// than a plate read name their vehicle by `vehicle` or `plate`. The same contract as the MQTT
/// topic `smartcustoms/checkpoints/{code}/events`. An event that names no known vehicle is
/// kept unattached for an officer, not refused. Equipment with a registered key signs: a detached
/// JWS in `X-JWS-Signature`, or the body as a compact JWS with the event attached (`DEV_003`
/// otherwise).
#[utoipa::path(post, path = "/api/v1/checkpoints/{code}/events", tag = "checkpoints",
    request_body(content = String, content_type = "application/json", description = "One equipment event"),
    params(("code" = String, Path, description = "The checkpoint's code"),
        ("x-jws-signature" = Option<String>, Header, description = "Detached JWS (EdDSA) over the body, for equipment with a registered key")),
    responses((status = 202, description = "Stored; the vehicle's decision", body = Taken),
        (status = 403, body = crate::error::ErrorBody), (status = 404, body = crate::error::ErrorBody),
        (status = 422, description = "The event breaks the contract (CHP_001)", body = crate::error::ErrorBody)),
    security(("token" = [])))]
pub async fn event(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(code): ApiPath<String>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Result<(StatusCode, Json<Taken>), ApiError> {
    caller.require(&[Role::Device], "send checkpoint events")?;
    refuse_other_media(&headers)?;
    let body = body_or_error(body, state.config.body_limit)?;
    let detached = crate::routes::declarations::header(&headers, crate::routes::declarations::SIGNATURE_HEADER)?;
    let taken = checkpoint_events::take_event(&state, &code, &body, detached, now()).await;
    let outcome = match &taken {
        Ok(t) if t.duplicate => "duplicate",
        Ok(t) if t.vehicle.is_none() => "unattached",
        Ok(_) => "accepted",
        Err(_) => "refused",
    };
    state.metrics.checkpoint_events.with_label_values(&["http", outcome]).inc();
    Ok((StatusCode::ACCEPTED, Json(taken?)))
}

/// How far back the times look.
#[derive(Debug, Deserialize, IntoParams)]
pub struct TimesQuery {
    /// Hours, 1 to 744 (default 24).
    pub hours: Option<i64>,
}

/// Waiting and crossing times of the vehicles that crossed within the window (customs staff):
/// count, mean, median, 90th percentile and maximum per stage, in seconds.
#[utoipa::path(get, path = "/api/v1/checkpoints/{code}/times", tag = "checkpoints",
    params(("code" = String, Path, description = "The checkpoint's code"), TimesQuery),
    responses((status = 200, body = Times), (status = 403, body = crate::error::ErrorBody)),
    security(("token" = [])))]
pub async fn times(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(code): ApiPath<String>,
    ApiQuery(q): ApiQuery<TimesQuery>,
) -> Result<Json<Times>, ApiError> {
    let hours = q.hours.unwrap_or(24);
    if !(1..=744).contains(&hours) {
        return Err(ApiError::BadParameter("hours", "between 1 and 744".into()));
    }
    Ok(Json(checkpoint::times(&state, &caller.0, &code, hours, now()).await?))
}

/// A carrier's own bookings and queue entries, newest first.
#[utoipa::path(get, path = "/api/v1/checkpoint-vehicles", tag = "checkpoints",
    responses((status = 200, body = Vec<VehicleRecord>), (status = 403, body = crate::error::ErrorBody)),
    security(("token" = [])))]
pub async fn mine(State(state): State<AppState>, caller: Caller) -> Result<Json<Vec<VehicleRecord>>, ApiError> {
    Ok(Json(checkpoint::mine(&state, &caller.0, 200).await?))
}

/// Follow a checkpoint's vehicles as they change (server-sent events; customs staff): `event`
/// is what changed them, `data` the vehicle's state and operations due. A stream ends after
/// five minutes; clients reconnect.
#[utoipa::path(get, path = "/api/v1/checkpoints/{code}/stream", tag = "checkpoints",
    params(("code" = String, Path, description = "The checkpoint's code")),
    responses((status = 200, content_type = "text/event-stream", body = String,
            description = "Changes: `event` the change, `data` the vehicle as JSON"),
        (status = 403, body = crate::error::ErrorBody)),
    security(("token" = [])))]
pub async fn stream(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(code): ApiPath<String>,
) -> Result<Sse<impl Stream<Item = Result<Event, Infallible>>>, ApiError> {
    caller.require(STAFF, "follow a checkpoint")?;
    let named = move |n: &VehicleNotice| (n.checkpoint == code).then(|| n.change.clone());
    Ok(Sse::new(super::seals::notices(state.checkpoints.subscribe(), named)).keep_alive(KeepAlive::default()))
}
