//! Risk profiles: analysts write them, every change is a new version.

use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use serde::Serialize;
use utoipa::ToSchema;

use smartcustoms_core::access::Role;
use smartcustoms_core::risk;
use smartcustoms_core::timestamp::Timestamp;
use smartcustoms_storage::{NewProfile, ProfileRecord};

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
    let principal = caller.require(&[Role::Analyst, Role::Admin], "write risk profiles")?;
    let parsed = risk::parse_profile(&body, 1).map_err(|e| ApiError::ProfileSyntax(e.to_string()))?;
    let record = state
        .store
        .add_profile(&NewProfile {
            code: parsed.code,
            source: body,
            author: principal.name.clone(),
            created_at_us: Timestamp::now(),
        })
        .await?;
    state.reload_reference_data().await?;
    Ok((StatusCode::CREATED, Json(record.into())))
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
