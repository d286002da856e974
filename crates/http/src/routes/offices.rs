//! The customs offices: read by every signed-in caller, created and renamed by administrators
//! through the same use case as the administrator's page, in force at once.

use axum::extract::State;
use axum::Json;
use serde::Deserialize;
use utoipa::ToSchema;

use smartcustoms_storage::Office;

use crate::app::staff::{self, StaffError};
use crate::auth::Caller;
use crate::error::ApiError;
use crate::extract::{ApiPath, JsonBody};
use crate::state::AppState;

/// The name of an office to create or rename.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct OfficeBody {
    /// Name, 1 to 200 characters.
    pub name: String,
}

/// The customs offices, by code (anyone signed in).
#[utoipa::path(get, path = "/api/v1/offices", tag = "administration",
    responses((status = 200, body = Vec<Office>), (status = 401, body = crate::error::ErrorBody)),
    security(("token" = [])))]
pub async fn list(State(state): State<AppState>, _caller: Caller) -> Result<Json<Vec<Office>>, ApiError> {
    Ok(Json(staff::offices(&state).await?))
}

/// Create or rename a customs office (administrators). It is in force at once on the process
/// that answers, and on the others within seconds.
#[utoipa::path(put, path = "/api/v1/offices/{code}", tag = "administration", request_body = OfficeBody,
    params(("code" = String, Path, description = "Office code: 8 capital letters or digits, e.g. DE004000")),
    responses((status = 200, body = Office), (status = 401, body = crate::error::ErrorBody),
        (status = 403, body = crate::error::ErrorBody),
        (status = 422, description = "A bad code or name (ADM_001, `details.field`)", body = crate::error::ErrorBody)),
    security(("token" = [])))]
pub async fn put(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(code): ApiPath<String>,
    JsonBody(body): JsonBody<OfficeBody>,
) -> Result<Json<Office>, ApiError> {
    staff::put_office(&state, &caller.0, &code, &body.name).await.map_err(|e| match e {
        StaffError::Invalid("office_name", m) => ApiError::StaffInvalid("name", m.to_string()),
        e => e.into(),
    })?;
    let office = staff::offices(&state).await?.into_iter().find(|o| o.code.as_str() == code.trim());
    office.map(Json).ok_or_else(|| ApiError::NotFound(format!("office {code}")))
}
