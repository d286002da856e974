//! A trader organisation's users and its authorisations of customs representatives.

use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use serde::Deserialize;
use utoipa::ToSchema;

use smartcustoms_storage::{AuthorisationRecord, MemberRecord};

use crate::app::organisation::{self, NewMember};
use crate::auth::Caller;
use crate::error::ApiError;
use crate::extract::{ApiPath, JsonBody};
use crate::state::AppState;

/// A user to add to the caller's organisation.
#[derive(Debug, Deserialize, ToSchema)]
pub struct MemberRequest {
    /// Sign-in name: 3 to 64 lower-case letters, digits, dots, dashes or underscores.
    pub name: String,
    /// Name shown.
    pub display_name: String,
    /// First password, 10 to 200 characters.
    pub password: String,
    /// What the user may do: any of `filer`, `payer`, `viewer`, `admin`.
    pub capacities: Vec<String>,
}

/// An authorisation to grant.
#[derive(Debug, Deserialize, ToSchema)]
pub struct GrantRequest {
    /// The representative's party id.
    pub representative: String,
    /// First day it is valid.
    pub valid_from: chrono::NaiveDate,
    /// Last day it is valid (at most five years later).
    pub valid_until: chrono::NaiveDate,
}

/// The users of the caller's organisation with their capacities (organisation administrators).
#[utoipa::path(get, path = "/api/v1/organisation/members", tag = "organisation",
    responses((status = 200, body = Vec<MemberRecord>), (status = 403, body = crate::error::ErrorBody)),
    security(("token" = [])))]
pub async fn members(State(state): State<AppState>, caller: Caller) -> Result<Json<Vec<MemberRecord>>, ApiError> {
    Ok(Json(organisation::members(&state, &caller.0).await?))
}

/// Add a user to the caller's organisation (organisation administrators); audited.
#[utoipa::path(post, path = "/api/v1/organisation/members", tag = "organisation", request_body = MemberRequest,
    responses((status = 201), (status = 400, body = crate::error::ErrorBody), (status = 403, body = crate::error::ErrorBody),
        (status = 409, body = crate::error::ErrorBody)),
    security(("token" = [])))]
pub async fn add_member(
    State(state): State<AppState>,
    caller: Caller,
    JsonBody(m): JsonBody<MemberRequest>,
) -> Result<StatusCode, ApiError> {
    let capacities = organisation::parse_capacities(m.capacities.iter().map(String::as_str))?;
    let new = NewMember { name: &m.name, display_name: &m.display_name, password: &m.password, capacities };
    organisation::add_member(&state, &caller.0, new).await?;
    Ok(StatusCode::CREATED)
}

/// The authorisations the caller's organisation granted to representatives or holds from
/// declarants, newest first.
#[utoipa::path(get, path = "/api/v1/authorisations", tag = "organisation",
    responses((status = 200, body = Vec<AuthorisationRecord>), (status = 403, body = crate::error::ErrorBody)),
    security(("token" = [])))]
pub async fn authorisations(
    State(state): State<AppState>,
    caller: Caller,
) -> Result<Json<Vec<AuthorisationRecord>>, ApiError> {
    Ok(Json(organisation::authorisations(&state, &caller.0).await?))
}

/// Authorise a customs representative to file for the caller's organisation for a period
/// (organisation administrators); audited.
#[utoipa::path(post, path = "/api/v1/authorisations", tag = "organisation", request_body = GrantRequest,
    responses((status = 201, body = AuthorisationRecord), (status = 400, body = crate::error::ErrorBody),
        (status = 403, body = crate::error::ErrorBody)),
    security(("token" = [])))]
pub async fn grant(
    State(state): State<AppState>,
    caller: Caller,
    JsonBody(g): JsonBody<GrantRequest>,
) -> Result<(StatusCode, Json<AuthorisationRecord>), ApiError> {
    let record = organisation::grant(&state, &caller.0, &g.representative, g.valid_from, g.valid_until).await?;
    Ok((StatusCode::CREATED, Json(record)))
}

/// Revoke one of the caller's organisation's authorisations (organisation administrators);
/// audited. The representative can no longer file for the organisation from now on.
#[utoipa::path(delete, path = "/api/v1/authorisations/{id}", tag = "organisation",
    params(("id" = String, Path, description = "Authorisation id")),
    responses((status = 204), (status = 403, body = crate::error::ErrorBody), (status = 404, body = crate::error::ErrorBody)),
    security(("token" = [])))]
pub async fn revoke(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<String>,
) -> Result<StatusCode, ApiError> {
    organisation::revoke(&state, &caller.0, &id).await?;
    Ok(StatusCode::NO_CONTENT)
}
