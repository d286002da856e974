//! Maturity self-assessment: an administration's answers for the 71 catalogue items scored
//! per group and overall against a target, kept, and re-read against another target; and this
//! platform's own profile filled from its configuration and its use over the last 30 days.

use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use chrono::Utc;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use smartcustoms_core::access::Role;
use smartcustoms_core::knowledge::{
    platform_answers, AssessmentDraft, CapabilityUse, MaturityAnswer, MaturityReport, PlatformUsage, Target,
    CAPABILITIES,
};
use smartcustoms_core::timestamp::rfc3339;
use smartcustoms_storage::AssessmentRecord;

use crate::auth::Caller;
use crate::error::ApiError;
use crate::extract::{ApiPath, ApiQuery, JsonBody};
use crate::state::AppState;

/// Who may assess and read assessments.
pub const ASSESSORS: &[Role] = &[Role::Member, Role::Analyst, Role::Admin];
/// Name of the platform's own profile.
pub const PLATFORM: &str = "this platform (last 30 days)";

/// What to compare with.
#[derive(Debug, Default, Deserialize, IntoParams)]
pub struct TargetQuery {
    /// `full` (every item adopted, the default), `platform` (this platform's own profile) or
    /// the id of another kept assessment (a peer).
    pub target: Option<String>,
}

/// A kept assessment.
#[derive(Debug, Serialize, ToSchema)]
pub struct KeptAssessment {
    /// Id.
    pub id: i64,
    /// Who submitted it.
    pub author: String,
    /// When (UTC).
    pub at: String,
    /// The scored report.
    pub report: MaturityReport,
}

/// A line of the list of assessments.
#[derive(Debug, Serialize, ToSchema)]
pub struct AssessmentSummary {
    /// Id.
    pub id: i64,
    /// Administration assessed.
    pub administration: String,
    /// Who submitted it.
    pub author: String,
    /// When (UTC).
    pub at: String,
    /// Overall score against full adoption, percent.
    pub overall: f64,
}

/// The platform's use of each capability over the last 30 days.
pub async fn platform_usage(state: &AppState) -> Result<PlatformUsage, ApiError> {
    let since = Utc::now().timestamp_micros() - 30 * 24 * 3600 * 1_000_000;
    let counts = state.store.activity_since(since).await?;
    Ok(CAPABILITIES
        .iter()
        .map(|c| {
            let count =
                counts.iter().filter(|(k, _)| c.usage.contains(&k.as_str())).map(|(_, n)| (*n).max(0) as u64).sum();
            (c.id, CapabilityUse { count })
        })
        .collect())
}

/// This platform's answers, filled from its configuration and use.
pub async fn platform_profile(state: &AppState) -> Result<Vec<MaturityAnswer>, ApiError> {
    Ok(platform_answers(&state.knowledge.catalogue, &platform_usage(state).await?))
}

/// The target a query names.
pub async fn target(state: &AppState, caller: &Caller, q: &TargetQuery) -> Result<Target, ApiError> {
    match q.target.as_deref().map(str::trim).filter(|t| !t.is_empty()).unwrap_or("full") {
        "full" => Ok(Target::Full),
        "platform" => Ok(Target::Profile(PLATFORM.into(), platform_profile(state).await?)),
        id => {
            let id: i64 = id
                .parse()
                .map_err(|_| ApiError::BadParameter("target", "full, platform or an assessment id".into()))?;
            let (_, peer) = kept_draft(state, caller, id).await?;
            Ok(Target::Profile(format!("{} (assessment {id})", peer.administration), peer.answers))
        }
    }
}

/// Scores a draft against a target.
pub fn score(state: &AppState, draft: &AssessmentDraft, target: &Target) -> Result<MaturityReport, ApiError> {
    draft.score(&state.knowledge.catalogue, target).map_err(|e| ApiError::AssessmentInvalid(e.0))
}

/// Scores and keeps an assessment (its answers, one per item); returns its id and report.
pub async fn submit(
    state: &AppState,
    caller: &Caller,
    draft: &AssessmentDraft,
    q: &TargetQuery,
) -> Result<KeptAssessment, ApiError> {
    let principal = caller.require(ASSESSORS, "submit maturity assessments")?;
    let target = target(state, caller, q).await?;
    let report = score(state, draft, &target)?;
    let at_us = Utc::now().timestamp_micros();
    let kept = AssessmentDraft { administration: report.administration.clone(), answers: report.answers.clone() };
    let json = serde_json::to_string(&kept).map_err(|e| {
        tracing::error!(error = %e, "serialising a maturity assessment");
        ApiError::Unavailable
    })?;
    let id = state.store.add_maturity_assessment(&report.administration, &principal.name, &json, at_us).await?;
    Ok(KeptAssessment { id, author: principal.name.clone(), at: rfc3339(at_us), report })
}

/// A kept assessment's answers, for a caller who may read them: members read their own,
/// analysts and administrators every one.
async fn kept_draft(
    state: &AppState,
    caller: &Caller,
    id: i64,
) -> Result<(AssessmentRecord, AssessmentDraft), ApiError> {
    let principal = caller.require(ASSESSORS, "read maturity assessments")?;
    let missing = || ApiError::NotFound(format!("assessment {id}"));
    let record = state.store.maturity_assessment(id).await?.ok_or_else(missing)?;
    if principal.role == Role::Member && record.author != principal.name {
        return Err(missing());
    }
    let draft = parse(&record)?;
    Ok((record, draft))
}

fn parse(record: &AssessmentRecord) -> Result<AssessmentDraft, ApiError> {
    serde_json::from_str(&record.assessment).map_err(|e| {
        tracing::error!(assessment = record.id, error = %e, "stored maturity assessment does not parse");
        ApiError::Unavailable
    })
}

/// A kept assessment scored against the target a query names.
pub async fn kept_against(
    state: &AppState,
    caller: &Caller,
    id: i64,
    q: &TargetQuery,
) -> Result<KeptAssessment, ApiError> {
    let (record, draft) = kept_draft(state, caller, id).await?;
    let report = score(state, &draft, &target(state, caller, q).await?)?;
    Ok(KeptAssessment { id, author: record.author, at: rfc3339(record.at_us), report })
}

/// The assessments the caller may read, newest first.
pub async fn summaries(state: &AppState, caller: &Caller) -> Result<Vec<AssessmentSummary>, ApiError> {
    let principal = caller.require(ASSESSORS, "read maturity assessments")?;
    let mut out = Vec::new();
    for r in state.store.maturity_assessments().await? {
        if principal.role == Role::Member && r.author != principal.name {
            continue;
        }
        let overall = score(state, &parse(&r)?, &Target::Full)?.overall;
        out.push(AssessmentSummary {
            id: r.id,
            administration: r.administration,
            author: r.author,
            at: rfc3339(r.at_us),
            overall,
        });
    }
    Ok(out)
}

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
    caller.require(ASSESSORS, "submit maturity assessments")?;
    Ok((StatusCode::CREATED, Json(submit(&state, &caller, &draft, &q).await?)))
}

/// The assessments the caller may read.
#[utoipa::path(get, path = "/api/v1/knowledge/maturity", tag = "knowledge",
    responses((status = 200, body = Vec<AssessmentSummary>)), security(("token" = [])))]
pub async fn list(State(state): State<AppState>, caller: Caller) -> Result<Json<Vec<AssessmentSummary>>, ApiError> {
    Ok(Json(summaries(&state, &caller).await?))
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
    Ok(Json(kept_against(&state, &caller, id, &q).await?))
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
    caller.require(ASSESSORS, "read maturity assessments")?;
    let draft = AssessmentDraft { administration: PLATFORM.into(), answers: platform_profile(&state).await? };
    Ok(Json(score(&state, &draft, &target(&state, &caller, &q).await?)?))
}
