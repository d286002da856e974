//! Maturity self-assessment over HTTP; the use cases are in [`crate::app::knowledge::maturity`].

use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;

use smartcustoms_core::knowledge::{AssessmentDraft, MaturityReport};

use crate::app::knowledge::maturity::{self, AssessmentSummary, KeptAssessment, TargetQuery};
use crate::auth::Caller;
use crate::error::ApiError;
use crate::extract::{ApiPath, ApiQuery, JsonBody};
use crate::state::AppState;

/// Score a self-assessment and keep it.
///
/// The answers give, per catalogue item, `adopted`, `under_development`, `planned`,
/// `under_consideration` or `not_considered` with evidence; items left out count as not
/// considered. The report scores each group and the whole (mean level as a percentage of full
/// adoption) and lists the gaps against the target.
#[utoipa::path(post, path = "/api/v1/knowledge/maturity", tag = "knowledge", params(TargetQuery), request_body = AssessmentDraft,
    responses((status = 201, body = KeptAssessment), (status = 422, description = "KB_002", body = crate::error::ErrorBody)),
    security(("token" = [])))]
pub async fn create(
    State(state): State<AppState>,
    caller: Caller,
    ApiQuery(q): ApiQuery<TargetQuery>,
    JsonBody(draft): JsonBody<AssessmentDraft>,
) -> Result<(StatusCode, Json<KeptAssessment>), ApiError> {
    Ok((StatusCode::CREATED, Json(maturity::submit(&state, &caller.0, &draft, &q).await?)))
}

/// The assessments the caller may read.
#[utoipa::path(get, path = "/api/v1/knowledge/maturity", tag = "knowledge",
    responses((status = 200, body = Vec<AssessmentSummary>)), security(("token" = [])))]
pub async fn list(State(state): State<AppState>, caller: Caller) -> Result<Json<Vec<AssessmentSummary>>, ApiError> {
    Ok(Json(maturity::summaries(&state, &caller.0).await?))
}

/// A kept assessment scored against a target (export as JSON; the printable page is
/// `/knowledge/maturity/{id}`).
#[utoipa::path(get, path = "/api/v1/knowledge/maturity/{id}", tag = "knowledge", params(("id" = i64, Path), TargetQuery),
    responses((status = 200, body = KeptAssessment), (status = 404, body = crate::error::ErrorBody)), security(("token" = [])))]
pub async fn get(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<i64>,
    ApiQuery(q): ApiQuery<TargetQuery>,
) -> Result<Json<KeptAssessment>, ApiError> {
    Ok(Json(maturity::kept_against(&state, &caller.0, id, &q).await?))
}

/// This platform's own maturity profile, filled from the capabilities this release implements
/// and their use over the last 30 days, scored against a target.
#[utoipa::path(get, path = "/api/v1/knowledge/maturity/platform", tag = "knowledge", params(TargetQuery),
    responses((status = 200, body = MaturityReport)), security(("token" = [])))]
pub async fn platform(
    State(state): State<AppState>,
    caller: Caller,
    ApiQuery(q): ApiQuery<TargetQuery>,
) -> Result<Json<MaturityReport>, ApiError> {
    Ok(Json(maturity::platform_report(&state, &caller.0, &q).await?))
}
