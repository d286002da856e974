//! Navigation seals over HTTP: a seal's report in, a movement's alerts and track out, the open
//! alerts of every movement, and the stream of alerts as they are raised.

use std::convert::Infallible;
use std::time::Duration;

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
use smartcustoms_core::seals::Problem;
use smartcustoms_core::timestamp::Timestamp;
use smartcustoms_storage::{IncidentRow, SealReportRow};

use crate::app::seals::{self, AlertNotice, Ingested};
use crate::app::transit;
use crate::auth::Caller;
use crate::error::ApiError;
use crate::extract::{body_or_error, refuse_other_media, ApiPath, ApiQuery};
use crate::state::AppState;

/// Customs staff who follow alerts.
const WATCHERS: &[Role] = &[Role::Officer, Role::Supervisor, Role::Analyst, Role::Admin];

/// How long one alert stream lasts before the server ends it (clients reconnect).
const STREAM_LIFETIME: Duration = Duration::from_secs(300);

/// What became of a report.
#[derive(Debug, Serialize, ToSchema)]
pub struct ReportResult {
    /// The movement it was checked against.
    pub transit_id: String,
    /// `accepted`, `late` (older than the newest report: it may correct past incidents),
    /// `duplicate` (its `seq` was seen before; nothing of it is used) or `rejected` (see
    /// `problems`).
    pub verdict: &'static str,
    /// Why it was rejected (`SEAL_020`, `SEAL_021`) and what was flagged (`SEAL_030` …).
    pub problems: Vec<Problem>,
    /// The incidents it opened, closed or amended.
    pub changes: Vec<IncidentRow>,
}

/// How much of the track.
#[derive(Debug, Deserialize, IntoParams)]
pub struct TrackQuery {
    /// Most reports, newest kept, 1 to 20,000 (default 2,000).
    pub limit: Option<i64>,
}

/// Send a seal's report (seal operators' gateways, with a device token). The body is one
/// report as `docs/seals.md` describes (`seq`, `time`, `lat`, `lon`, `battery`, `state`,
/// `events`); the same contract as the MQTT topic `smartcustoms/seals/{seal_id}/reports`. A seal
/// with a registered key signs: a detached JWS in `X-JWS-Signature`, or the body as a compact
/// JWS with the report attached (`DEV_003` otherwise).
/// Answered once the report is stored.
#[utoipa::path(post, path = "/api/v1/seals/{seal_id}/reports", tag = "seals",
    request_body(content = String, content_type = "application/json", description = "One seal report"),
    params(("seal_id" = String, Path, description = "The seal, as listed on the transit declaration"),
        ("x-jws-signature" = Option<String>, Header, description = "Detached JWS (EdDSA) over the body, for a seal with a registered key")),
    responses(
        (status = 202, description = "Stored and checked against the movement", body = ReportResult),
        (status = 400, body = crate::error::ErrorBody), (status = 403, body = crate::error::ErrorBody),
        (status = 404, description = "The seal is on no active transit (DEV_002)", body = crate::error::ErrorBody),
        (status = 422, description = "The report breaks the contract (DEV_001, SEAL_0xx codes)", body = crate::error::ErrorBody),
    ),
    security(("token" = [])))]
pub async fn report(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(seal_id): ApiPath<String>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Result<(StatusCode, Json<ReportResult>), ApiError> {
    caller.require(&[Role::Device], "send seal reports")?;
    refuse_other_media(&headers)?;
    let body = body_or_error(body, state.config.body_limit)?;
    let received_at = Timestamp::from(chrono::Utc::now());
    let detached = crate::routes::declarations::header(&headers, crate::routes::declarations::SIGNATURE_HEADER)?;
    let outcome = seals::take(&state, &seal_id, &body, detached, received_at).await;
    let verdict = outcome.as_ref().map_or("refused", |i| i.verdict);
    state.metrics.seal_reports.with_label_values(&["http", verdict]).inc();
    let Ingested { transit_id, verdict, problems, changes } = outcome?;
    Ok((StatusCode::ACCEPTED, Json(ReportResult { transit_id, verdict, problems, changes })))
}

/// A movement's alerts: every incident of its seals, in the order they began (the holder, or
/// customs staff).
#[utoipa::path(get, path = "/api/v1/transits/{id}/alerts", tag = "seals",
    params(("id" = String, Path, description = "Movement id or MRN")),
    responses((status = 200, body = Vec<IncidentRow>), (status = 404, body = crate::error::ErrorBody)),
    security(("token" = [])))]
pub async fn alerts(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<String>,
) -> Result<Json<Vec<IncidentRow>>, ApiError> {
    let transit = transit::read(&state, &caller.0, &id).await?;
    Ok(Json(state.store.seal_incidents(&transit.id).await?))
}

/// A movement's track: its seals' reports in device time (the holder, or customs staff).
#[utoipa::path(get, path = "/api/v1/transits/{id}/track", tag = "seals",
    params(("id" = String, Path, description = "Movement id or MRN"), TrackQuery),
    responses((status = 200, body = Vec<SealReportRow>), (status = 404, body = crate::error::ErrorBody)),
    security(("token" = [])))]
pub async fn track(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<String>,
    ApiQuery(q): ApiQuery<TrackQuery>,
) -> Result<Json<Vec<SealReportRow>>, ApiError> {
    let limit = q.limit.unwrap_or(2000);
    if !(1..=20_000).contains(&limit) {
        return Err(ApiError::BadParameter("limit", "between 1 and 20000".into()));
    }
    let transit = transit::read(&state, &caller.0, &id).await?;
    Ok(Json(state.store.seal_track(&transit.id, limit).await?))
}

/// The open alerts of every movement, newest first (customs staff).
#[utoipa::path(get, path = "/api/v1/alerts", tag = "seals",
    responses((status = 200, body = Vec<IncidentRow>), (status = 403, body = crate::error::ErrorBody)),
    security(("token" = [])))]
pub async fn open(State(state): State<AppState>, caller: Caller) -> Result<Json<Vec<IncidentRow>>, ApiError> {
    caller.require(WATCHERS, "follow seal alerts")?;
    Ok(Json(state.store.open_incidents(500).await?))
}

/// Follow seal alerts as they are raised, amended and ended (server-sent events; customs
/// staff): `event` is the change (`opened`, `closed`, `amended`), `data` the alert as JSON.
/// A stream ends after five minutes; clients reconnect.
#[utoipa::path(get, path = "/api/v1/alerts/stream", tag = "seals",
    responses((status = 200, content_type = "text/event-stream", body = String,
            description = "Alerts: `event` the change, `data` the alert as JSON"),
        (status = 403, body = crate::error::ErrorBody)),
    security(("token" = [])))]
pub async fn stream(
    State(state): State<AppState>,
    caller: Caller,
) -> Result<Sse<impl Stream<Item = Result<Event, Infallible>>>, ApiError> {
    caller.require(WATCHERS, "follow seal alerts")?;
    let events = notices(state.seals.subscribe(), |n: &AlertNotice| Some(n.change.to_string()));
    Ok(Sse::new(events).keep_alive(KeepAlive::default()))
}

/// Server-sent events of what a broadcast carries, for [`STREAM_LIFETIME`]: each notice `named`
/// gives (none: skipped) as an event of that name with the notice as JSON; notices missed while
/// the client lagged are skipped.
pub(crate) fn notices<T, F>(
    receiver: tokio::sync::broadcast::Receiver<T>,
    named: F,
) -> impl Stream<Item = Result<Event, Infallible>>
where
    T: Clone + Serialize + Send + 'static,
    F: Fn(&T) -> Option<String> + Send + 'static,
{
    let until = tokio::time::Instant::now() + STREAM_LIFETIME;
    futures_util::stream::unfold((receiver, named), move |(mut receiver, named)| async move {
        loop {
            let notice = match tokio::time::timeout_at(until, receiver.recv()).await {
                Err(_) | Ok(Err(tokio::sync::broadcast::error::RecvError::Closed)) => return None,
                Ok(Err(tokio::sync::broadcast::error::RecvError::Lagged(_))) => continue,
                Ok(Ok(n)) => n,
            };
            let Some(name) = named(&notice) else { continue };
            if let Ok(event) = Event::default().event(name).json_data(&notice) {
                return Some((Ok(event), (receiver, named)));
            }
        }
    })
}
