//! Pre-arrival information: filed before the goods arrive, answered with the preliminary
//! decision on the form of control.

use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::Json;
use chrono::Utc;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use smartcustoms_core::access::Role;
use smartcustoms_core::transit::pre_arrival::PreliminaryDecision;
use smartcustoms_storage::PreArrivalRecord;

use crate::app::organisation::{self, Capacity};
use crate::app::pre_arrival::{self, FilePreArrival, Filed};
use crate::auth::Caller;
use crate::error::ApiError;
use crate::extract::{body_or_error, refuse_other_media, ApiPath, ApiQuery};
use crate::routes::declarations::{header, SIGNATURE_HEADER};
use crate::state::AppState;

/// Pre-arrival information recorded, with its preliminary decision.
#[derive(Debug, Serialize, ToSchema)]
pub struct PreArrivalView {
    /// The record.
    #[serde(flatten)]
    pub record: PreArrivalRecord,
    /// The preliminary decision: the form of control, where, and the indications behind it.
    pub preliminary_decision: PreliminaryDecision,
    /// True when the reference was filed before with the same content.
    pub duplicate: bool,
}

/// Paging of the list.
#[derive(Debug, Deserialize, IntoParams)]
pub struct ListQuery {
    /// Most records returned, 1 to 500 (default 100).
    pub limit: Option<i64>,
}

/// File pre-arrival information (traders with the filer capacity: carriers, forwarders),
/// signed like a declaration. The risk engine assesses it at once: the answer carries the
/// preliminary decision (`none`, `documents` or `inspection`; `border` or `inland`) with its
/// `PRE_` indications. The same reference with the same content answers the record made then.
#[utoipa::path(post, path = "/api/v1/pre-arrivals", tag = "transit",
    request_body(content = smartcustoms_core::transit::pre_arrival::PreArrivalDoc, content_type = "application/json"),
    params(("x-jws-signature" = Option<String>, Header, description = "Detached JWS (EdDSA) over the body")),
    responses(
        (status = 201, body = PreArrivalView), (status = 200, description = "Filed before with the same content", body = PreArrivalView),
        (status = 400, body = crate::error::ErrorBody), (status = 403, body = crate::error::ErrorBody),
        (status = 409, body = crate::error::ErrorBody), (status = 422, body = crate::error::ErrorBody),
    ),
    security(("token" = [])))]
pub async fn file(
    State(state): State<AppState>,
    caller: Caller,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Result<(StatusCode, Json<PreArrivalView>), ApiError> {
    let principal = caller.require(&[Role::Trader], "file pre-arrival information")?;
    let trader = organisation::require(principal, Capacity::File, "file pre-arrival information")?;
    refuse_other_media(&headers)?;
    let body = body_or_error(body, state.config.body_limit)?;
    let request =
        FilePreArrival { trader, body: &body, signature: header(&headers, SIGNATURE_HEADER)?, received_at: Utc::now() };
    let Filed { record, decision, duplicate } = pre_arrival::file(&state, request).await?;
    let status = if duplicate { StatusCode::OK } else { StatusCode::CREATED };
    Ok((status, Json(PreArrivalView { record, preliminary_decision: decision, duplicate })))
}

/// Pre-arrival information, newest first: a trader's own, every one for customs staff.
#[utoipa::path(get, path = "/api/v1/pre-arrivals", tag = "transit", params(ListQuery),
    responses((status = 200, body = Vec<PreArrivalRecord>), (status = 403, body = crate::error::ErrorBody)),
    security(("token" = [])))]
pub async fn list(
    State(state): State<AppState>,
    caller: Caller,
    ApiQuery(q): ApiQuery<ListQuery>,
) -> Result<Json<Vec<PreArrivalRecord>>, ApiError> {
    Ok(Json(pre_arrival::list(&state, &caller.0, q.limit.unwrap_or(100)).await?))
}

/// One record with its preliminary decision (its filer, or customs staff).
#[utoipa::path(get, path = "/api/v1/pre-arrivals/{id}", tag = "transit",
    params(("id" = String, Path, description = "Pre-arrival id")),
    responses((status = 200, body = PreArrivalRecord), (status = 404, body = crate::error::ErrorBody)),
    security(("token" = [])))]
pub async fn get(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<String>,
) -> Result<Json<PreArrivalRecord>, ApiError> {
    Ok(Json(pre_arrival::read(&state, &caller.0, &id).await?))
}
