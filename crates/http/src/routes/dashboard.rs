//! The supervisors' dashboard (see [`crate::app::dashboard`]).

use axum::extract::State;
use axum::Json;
use serde::Deserialize;
use utoipa::IntoParams;

use smartcustoms_core::timestamp::Timestamp;

use crate::app::dashboard::{self, Dashboard};
use crate::auth::Caller;
use crate::error::ApiError;
use crate::extract::ApiQuery;
use crate::state::AppState;

/// The window.
#[derive(Debug, Deserialize, IntoParams)]
pub struct Window {
    /// Hours back from now, 1 to 168 (default 24).
    pub hours: Option<i64>,
}

/// The supervisors' dashboard: declarations registered per hour and released automatically,
/// each lane's share, the queues waiting for an officer or for payment with the oldest's age,
/// and the revenue collected in the window.
#[utoipa::path(get, path = "/api/v1/dashboard", tag = "statistics", params(Window),
    responses((status = 200, body = Dashboard), (status = 400, body = crate::error::ErrorBody),
        (status = 401, body = crate::error::ErrorBody), (status = 403, body = crate::error::ErrorBody)),
    security(("token" = [])))]
pub async fn get(
    State(state): State<AppState>,
    caller: Caller,
    ApiQuery(w): ApiQuery<Window>,
) -> Result<Json<Dashboard>, ApiError> {
    Ok(Json(
        dashboard::dashboard(&state, &caller.0, w.hours.unwrap_or(dashboard::DEFAULT_HOURS), Timestamp::now())
            .await?
            .as_ref()
            .clone(),
    ))
}
