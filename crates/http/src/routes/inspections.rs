//! Outcomes of controls: the labels of the risk engine, readable by staff.

use axum::extract::State;
use axum::Json;
use serde::Deserialize;
use utoipa::IntoParams;

use smartcustoms_core::access::Role;
use smartcustoms_storage::InspectionRecord;

use crate::auth::Caller;
use crate::error::ApiError;
use crate::extract::ApiQuery;
use crate::state::AppState;

/// Paging.
#[derive(Debug, Deserialize, IntoParams)]
pub struct Page {
    /// Only outcomes with an id above this one.
    pub after: Option<i64>,
    /// Page size, 1 to 1000 (default 100).
    pub limit: Option<i64>,
}

/// Recorded control outcomes, oldest first.
#[utoipa::path(get, path = "/api/v1/inspection-outcomes", tag = "risk", params(Page),
    responses((status = 200, body = Vec<InspectionRecord>), (status = 403, body = crate::error::ErrorBody)),
    security(("token" = [])))]
pub async fn list(
    State(state): State<AppState>,
    caller: Caller,
    ApiQuery(p): ApiQuery<Page>,
) -> Result<Json<Vec<InspectionRecord>>, ApiError> {
    caller.require(&[Role::Officer, Role::Supervisor, Role::Analyst, Role::Admin], "read control outcomes")?;
    let limit = p.limit.unwrap_or(100);
    if !(1..=1000).contains(&limit) {
        return Err(ApiError::BadParameter("limit", "must be between 1 and 1000".into()));
    }
    Ok(Json(state.store.inspection_outcomes(p.after.unwrap_or(0), limit).await?))
}
