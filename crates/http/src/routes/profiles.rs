//! Risk profiles: analysts write them, every change is a new version.

use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use serde::Serialize;
use utoipa::ToSchema;

use serde::Deserialize;
use utoipa::IntoParams;

use smartcustoms_core::access::Role;
use smartcustoms_storage::ProfileRecord;

use crate::app::profiles::{self, Preview};
use crate::extract::ApiQuery;

use crate::auth::Caller;
use crate::error::ApiError;
use crate::extract::ApiPath;
use crate::state::AppState;

/// A stored profile version.
#[derive(Debug, Serialize, ToSchema)]
pub struct ProfileView {
    /// Code.
    pub code: String,
    /// Version.
    pub version: i64,
    /// The text.
    pub source: String,
    /// Author.
    pub author: String,
}

impl From<ProfileRecord> for ProfileView {
    fn from(r: ProfileRecord) -> Self {
        ProfileView { code: r.code, version: r.version, source: r.source, author: r.author }
    }
}

/// Save a risk profile (plain text in the profile language). A profile with an existing code
/// becomes its next version; the new version is used for declarations from now on.
#[utoipa::path(post, path = "/api/v1/risk-profiles", tag = "risk",
    request_body(content = String, content_type = "text/plain", description = "Profile text"),
    responses((status = 201, body = ProfileView), (status = 422, description = "Does not parse", body = crate::error::ErrorBody)),
    security(("token" = [])))]
pub async fn create(
    State(state): State<AppState>,
    caller: Caller,
    body: String,
) -> Result<(StatusCode, Json<ProfileView>), ApiError> {
    let record = profiles::save(&state, &caller.0, &body).await?;
    Ok((StatusCode::CREATED, Json(record.into())))
}

/// Query of a preview.
#[derive(Debug, Deserialize, IntoParams)]
pub struct PreviewParams {
    /// Days replayed, 1 to 90 (default 30).
    pub days: Option<i64>,
}

/// What a profile text would do, without saving it: how many declarations of the last days it
/// fires on and how their lanes would change with it in force (replacing the version of the
/// same code).
#[utoipa::path(post, path = "/api/v1/risk-profiles/preview", tag = "risk", params(PreviewParams),
    request_body(content = String, content_type = "text/plain", description = "Profile text"),
    responses((status = 200, body = Preview), (status = 400, body = crate::error::ErrorBody),
        (status = 403, body = crate::error::ErrorBody),
        (status = 422, description = "Does not parse (RISK_001)", body = crate::error::ErrorBody)),
    security(("token" = [])))]
pub async fn preview(
    State(state): State<AppState>,
    caller: Caller,
    ApiQuery(p): ApiQuery<PreviewParams>,
    body: String,
) -> Result<Json<Preview>, ApiError> {
    Ok(Json(profiles::preview(&state, &caller.0, &body, p.days.unwrap_or(30), chrono::Utc::now()).await?))
}

/// The current version of every profile.
#[utoipa::path(get, path = "/api/v1/risk-profiles", tag = "risk", responses((status = 200, body = Vec<ProfileView>)), security(("token" = [])))]
pub async fn list(State(state): State<AppState>, caller: Caller) -> Result<Json<Vec<ProfileView>>, ApiError> {
    caller.require(&[Role::Analyst, Role::Admin, Role::Officer, Role::Supervisor], "read risk profiles")?;
    Ok(Json(state.store.current_profiles().await?.into_iter().map(Into::into).collect()))
}

/// Every version of one profile.
#[utoipa::path(get, path = "/api/v1/risk-profiles/{code}/versions", tag = "risk",
    params(("code" = String, Path, description = "Profile code")),
    responses((status = 200, body = Vec<ProfileView>), (status = 404, body = crate::error::ErrorBody)), security(("token" = [])))]
pub async fn versions(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(code): ApiPath<String>,
) -> Result<Json<Vec<ProfileView>>, ApiError> {
    caller.require(&[Role::Analyst, Role::Admin, Role::Officer, Role::Supervisor], "read risk profiles")?;
    let versions = state.store.profile_versions(&code).await?;
    if versions.is_empty() {
        return Err(ApiError::NotFound(format!("risk profile {code}")));
    }
    Ok(Json(versions.into_iter().map(Into::into).collect()))
}
