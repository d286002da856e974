//! Goods traceability: holders' reports, a batch with its history, a trader's holdings and the
//! list of batches for customs staff. Batch numbers hold `/` (`10005000/260309/0000042/001`):
//! the batch's address takes the number as it is, slashes and all, or percent-encoded.

use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::Json;
use chrono::Utc;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use smartcustoms_core::timestamp::Timestamp;
use smartcustoms_core::traceability::{Movement, Summary};

use crate::app::traceability::{self, BatchView, HoldingsView};
use crate::auth::Caller;
use crate::error::ApiError;
use crate::extract::{body_or_error, refuse_other_media, ApiPath, ApiQuery};
use crate::state::AppState;

/// The movements a report made.
#[derive(Debug, Serialize, ToSchema)]
pub struct Reported {
    /// One movement per line, in line order.
    pub movements: Vec<Movement>,
}

/// Which batches to list.
#[derive(Debug, Deserialize, IntoParams)]
pub struct BatchesQuery {
    /// Only the batches this trader (party id) holds some of now.
    pub holder: Option<String>,
    /// Most batches returned, 1 to 500 (default 100).
    pub limit: Option<i64>,
}

/// Report what was done with traced goods (traders with the filer capacity, for their
/// organisation, the holder): a sale, a return of a sale, an export or a write-off, under one
/// document over one or more batches (docs/traceability.md gives the format). The report is
/// taken whole or not at all: a report that cannot be read is `TRACE_001` with every `TRC_`
/// problem; one the balances refuse (not held, more than held, closed batch…) is `TRACE_002`
/// with the refusal's code and reason.
#[utoipa::path(post, path = "/api/v1/traceability/reports", tag = "traceability",
    request_body(content = smartcustoms_core::traceability::ReportDoc, content_type = "application/json"),
    responses(
        (status = 201, description = "Taken in: the movements, one per line", body = Reported),
        (status = 403, body = crate::error::ErrorBody),
        (status = 409, description = "Refused by the batches' balances (TRACE_002)", body = crate::error::ErrorBody),
        (status = 422, description = "The report cannot be read (TRACE_001)", body = crate::error::ErrorBody),
    ),
    security(("token" = [])))]
pub async fn report(
    State(state): State<AppState>,
    caller: Caller,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Result<(StatusCode, Json<Reported>), ApiError> {
    refuse_other_media(&headers)?;
    let body = body_or_error(body, state.config.body_limit)?;
    let movements = traceability::report(&state, &caller.0, &body, Timestamp::from(Utc::now())).await?;
    Ok((StatusCode::CREATED, Json(Reported { movements })))
}

/// A batch with its holders, totals and whole history: customs staff see any; a trader sees a
/// batch it holds or held (another is not found).
#[utoipa::path(get, path = "/api/v1/traceability/batches/{number}", tag = "traceability",
    params(("number" = String, Path, description = "The batch number, slashes included as they are or percent-encoded, e.g. 10005000/260309/0000042/001")),
    responses((status = 200, body = BatchView), (status = 400, body = crate::error::ErrorBody),
        (status = 404, body = crate::error::ErrorBody)),
    security(("token" = [])))]
pub async fn batch(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(number): ApiPath<String>,
) -> Result<Json<BatchView>, ApiError> {
    Ok(Json(traceability::batch(&state, &caller.0, &number).await?))
}

/// What the caller's organisation holds now: per commodity code and unit, and per batch.
#[utoipa::path(get, path = "/api/v1/traceability/holdings", tag = "traceability",
    responses((status = 200, body = HoldingsView), (status = 403, body = crate::error::ErrorBody)),
    security(("token" = [])))]
pub async fn holdings(State(state): State<AppState>, caller: Caller) -> Result<Json<HoldingsView>, ApiError> {
    Ok(Json(traceability::holdings(&state, &caller.0).await?))
}

/// Batches, newest release first (customs staff): all, or those a holder holds some of now.
#[utoipa::path(get, path = "/api/v1/traceability/batches", tag = "traceability", params(BatchesQuery),
    responses((status = 200, body = Vec<Summary>), (status = 400, body = crate::error::ErrorBody),
        (status = 403, body = crate::error::ErrorBody)),
    security(("token" = [])))]
pub async fn batches(
    State(state): State<AppState>,
    caller: Caller,
    ApiQuery(q): ApiQuery<BatchesQuery>,
) -> Result<Json<Vec<Summary>>, ApiError> {
    Ok(Json(traceability::list(&state, &caller.0, q.holder.as_deref(), q.limit).await?))
}
