//! The officers' work queue (see [`crate::app::work_queue`]).

use axum::extract::State;
use axum::Json;
use serde::Deserialize;
use utoipa::IntoParams;

use smartcustoms_core::timestamp::Timestamp;

use crate::app::work_queue::{self, Case};
use crate::auth::Caller;
use crate::error::ApiError;
use crate::extract::ApiQuery;
use crate::state::AppState;

/// The page of the queue.
#[derive(Debug, Deserialize, IntoParams)]
pub struct QueueParams {
    /// Cases, 1 to 200 (default 50): those waiting longest, most urgent first.
    pub limit: Option<i64>,
    /// `true`: only the cases dispatched to the caller.
    pub mine: Option<bool>,
}

/// The declarations under control, most urgent first (overdue, then red before yellow, then
/// the longest waiting), each with its service clock: a document check is due within 4 hours
/// of going under control, an inspection within 24.
#[utoipa::path(get, path = "/api/v1/work-queue", tag = "declarations", params(QueueParams),
    responses((status = 200, body = Vec<Case>), (status = 400, body = crate::error::ErrorBody),
        (status = 401, body = crate::error::ErrorBody), (status = 403, body = crate::error::ErrorBody)),
    security(("token" = [])))]
pub async fn get(
    State(state): State<AppState>,
    caller: Caller,
    ApiQuery(p): ApiQuery<QueueParams>,
) -> Result<Json<Vec<Case>>, ApiError> {
    Ok(Json(
        work_queue::work_queue(&state, &caller.0, p.mine.unwrap_or(false), p.limit.unwrap_or(50), Timestamp::now())
            .await?,
    ))
}
