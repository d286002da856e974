//! Declaration centres, inspectors, dispatch rules and each case's dispatch.

use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use smartcustoms_core::dispatch::{Centre, Inspector, Rules};
use smartcustoms_core::ids::DeclarationId;
use smartcustoms_core::timestamp::Timestamp;
use smartcustoms_storage::DispatchRecord;

use crate::app::dispatch::{self, Setup};
use crate::auth::Caller;
use crate::error::ApiError;
use crate::extract::{ApiPath, JsonBody};
use crate::state::AppState;

/// A centre as an administrator writes it.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CentreBody {
    /// Name.
    pub name: String,
    /// The customs office it belongs to.
    #[serde(default)]
    pub office: Option<String>,
}

/// An inspector as an administrator writes it.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct InspectorBody {
    /// The centre's code.
    pub centre: String,
    /// Competence tags.
    #[serde(default)]
    pub competences: std::collections::BTreeSet<String>,
    /// On leave from (microseconds since the epoch).
    #[serde(default)]
    pub leave_from_us: Option<Timestamp>,
    /// Until (open-ended when absent).
    #[serde(default)]
    pub leave_until_us: Option<Timestamp>,
}

/// A new version of the rules.
#[derive(Debug, Serialize, ToSchema)]
pub struct RulesWritten {
    /// Its version.
    pub version: i64,
}

/// A reassignment.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Reassignment {
    /// The inspector's user name.
    pub inspector: String,
    /// Why, for the audit log.
    pub reason: String,
}

/// The centres, inspectors (with open cases) and dispatch rules in force.
#[utoipa::path(get, path = "/api/v1/dispatch", tag = "dispatch",
    responses((status = 200, body = Setup), (status = 403, body = crate::error::ErrorBody)), security(("token" = [])))]
pub async fn setup(State(state): State<AppState>, caller: Caller) -> Result<Json<Setup>, ApiError> {
    Ok(Json(dispatch::setup(&state, &caller.0).await?))
}

/// Creates or replaces a declaration centre (administrators).
#[utoipa::path(put, path = "/api/v1/centres/{code}", tag = "dispatch", request_body = CentreBody,
    params(("code" = String, Path, description = "Centre code, e.g. EDC-EXCISE")),
    responses((status = 200, body = Centre), (status = 403, body = crate::error::ErrorBody),
        (status = 422, description = "Invalid (DSP_001)", body = crate::error::ErrorBody)),
    security(("token" = [])))]
pub async fn put_centre(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(code): ApiPath<String>,
    JsonBody(b): JsonBody<CentreBody>,
) -> Result<Json<Centre>, ApiError> {
    let centre = Centre { code, name: b.name, office: b.office };
    dispatch::put_centre(&state, &caller.0, &centre).await?;
    Ok(Json(centre))
}

/// Creates or replaces an inspector: an officer's user, its centre, competences and leave
/// (administrators).
#[utoipa::path(put, path = "/api/v1/inspectors/{user}", tag = "dispatch", request_body = InspectorBody,
    params(("user" = String, Path, description = "The officer's user name")),
    responses((status = 200, body = Inspector), (status = 403, body = crate::error::ErrorBody),
        (status = 422, description = "Invalid (DSP_001)", body = crate::error::ErrorBody)),
    security(("token" = [])))]
pub async fn put_inspector(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(user): ApiPath<String>,
    JsonBody(b): JsonBody<InspectorBody>,
) -> Result<Json<Inspector>, ApiError> {
    let inspector = Inspector {
        user,
        centre: b.centre,
        competences: b.competences,
        leave_from_us: b.leave_from_us,
        leave_until_us: b.leave_until_us,
    };
    dispatch::put_inspector(&state, &caller.0, &inspector).await?;
    Ok(Json(inspector))
}

/// Keeps a new version of the dispatch rules (administrators); cases are dispatched by the
/// latest version from then on.
#[utoipa::path(post, path = "/api/v1/dispatch/rules", tag = "dispatch", request_body = Rules,
    responses((status = 201, body = RulesWritten), (status = 403, body = crate::error::ErrorBody),
        (status = 422, description = "Invalid (DSP_001), every problem listed", body = crate::error::ErrorBody)),
    security(("token" = [])))]
pub async fn put_rules(
    State(state): State<AppState>,
    caller: Caller,
    JsonBody(rules): JsonBody<Rules>,
) -> Result<(StatusCode, Json<RulesWritten>), ApiError> {
    let version = dispatch::put_rules(&state, &caller.0, &rules, Timestamp::now()).await?;
    Ok((StatusCode::CREATED, Json(RulesWritten { version })))
}

/// Where a case is dispatched and why: the rule and its version, the loads seen, the
/// candidates, the inspectors passed over and the random draw (customs staff).
#[utoipa::path(get, path = "/api/v1/declarations/{id}/dispatch", tag = "dispatch",
    params(("id" = String, Path, description = "Declaration id")),
    responses((status = 200, body = DispatchRecord), (status = 404, description = "Not dispatched", body = crate::error::ErrorBody)),
    security(("token" = [])))]
pub async fn of(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<DeclarationId>,
) -> Result<Json<DispatchRecord>, ApiError> {
    dispatch::of(&state, &caller.0, id)
        .await?
        .map(Json)
        .ok_or_else(|| ApiError::NotFound(format!("a dispatch of declaration {id}")))
}

/// A supervisor gives a case under control to another inspector, with the reason (audited).
#[utoipa::path(post, path = "/api/v1/declarations/{id}/dispatch", tag = "dispatch", request_body = Reassignment,
    params(("id" = String, Path, description = "Declaration id")),
    responses((status = 200, body = DispatchRecord), (status = 403, body = crate::error::ErrorBody),
        (status = 409, description = "Not under control (DEC_001)", body = crate::error::ErrorBody),
        (status = 422, description = "Unknown inspector, on leave, or no reason (DSP_001)", body = crate::error::ErrorBody)),
    security(("token" = [])))]
pub async fn reassign(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<DeclarationId>,
    JsonBody(r): JsonBody<Reassignment>,
) -> Result<Json<DispatchRecord>, ApiError> {
    Ok(Json(dispatch::reassign(&state, &caller.0, id, &r.inspector, &r.reason, chrono::Utc::now()).await?))
}

/// Why a case is handed back.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct HandBack {
    /// The reason, for the audit log and the supervisor.
    pub reason: String,
}

/// The inspector a case is dispatched to hands it back to the centre's supervisor, with the
/// reason; it waits in the centre without an inspector (audited).
#[utoipa::path(post, path = "/api/v1/declarations/{id}/dispatch/hand-back", tag = "dispatch", request_body = HandBack,
    params(("id" = String, Path, description = "Declaration id")),
    responses((status = 200, body = DispatchRecord), (status = 403, body = crate::error::ErrorBody),
        (status = 409, description = "Not under control (DEC_001)", body = crate::error::ErrorBody),
        (status = 422, description = "Not dispatched to the caller, or no reason (DSP_001)", body = crate::error::ErrorBody)),
    security(("token" = [])))]
pub async fn hand_back(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<DeclarationId>,
    JsonBody(h): JsonBody<HandBack>,
) -> Result<Json<DispatchRecord>, ApiError> {
    Ok(Json(dispatch::hand_back(&state, &caller.0, id, &h.reason, chrono::Utc::now()).await?))
}
