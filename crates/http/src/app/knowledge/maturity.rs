//! Maturity self-assessment: an administration's answers for the 71 catalogue items scored
//! per group and overall against a target, kept, and re-read against another target; and this
//! platform's own profile filled from its configuration and its use over the last 30 days.
//! Members read their own assessments; analysts and administrators read every one.

use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use smartcustoms_core::access::{Principal, Role};
use smartcustoms_core::knowledge::{
    platform_answers, AssessmentDraft, CapabilityUse, MaturityAnswer, MaturityReport, PlatformUsage, Target,
    CAPABILITIES,
};
use smartcustoms_core::timestamp::Timestamp;
use smartcustoms_storage::AssessmentRecord;

use super::KnowledgeError;
use crate::app::require;
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
pub async fn platform_usage(state: &AppState) -> Result<PlatformUsage, KnowledgeError> {
    let since = Timestamp::now() - chrono::TimeDelta::days(30);
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
pub async fn platform_profile(state: &AppState) -> Result<Vec<MaturityAnswer>, KnowledgeError> {
    Ok(platform_answers(&state.knowledge.catalogue, &platform_usage(state).await?))
}

/// The target a query names.
pub async fn target(state: &AppState, caller: &Principal, q: &TargetQuery) -> Result<Target, KnowledgeError> {
    match q.target.as_deref().map(str::trim).filter(|t| !t.is_empty()).unwrap_or("full") {
        "full" => Ok(Target::Full),
        "platform" => Ok(Target::Profile(PLATFORM.into(), platform_profile(state).await?)),
        id => {
            let id: i64 = id
                .parse()
                .map_err(|_| KnowledgeError::BadFilter("target", "full, platform or an assessment id".into()))?;
            let (_, peer) = kept_draft(state, caller, id).await?;
            Ok(Target::Profile(format!("{} (assessment {id})", peer.administration), peer.answers))
        }
    }
}

/// Scores a draft against a target.
pub fn score(state: &AppState, draft: &AssessmentDraft, target: &Target) -> Result<MaturityReport, KnowledgeError> {
    draft.score(&state.knowledge.catalogue, target).map_err(|e| KnowledgeError::AssessmentInvalid(e.0))
}

/// Scores and keeps an assessment (its answers, one per item); returns its id and report.
pub async fn submit(
    state: &AppState,
    principal: &Principal,
    draft: &AssessmentDraft,
    q: &TargetQuery,
) -> Result<KeptAssessment, KnowledgeError> {
    require(principal, ASSESSORS, "submit maturity assessments")?;
    let target = target(state, principal, q).await?;
    let report = score(state, draft, &target)?;
    let at_us = Timestamp::now();
    let kept = AssessmentDraft { administration: report.administration.clone(), answers: report.answers.clone() };
    let json = serde_json::to_string(&kept)
        .map_err(|e| KnowledgeError::Internal(format!("serialising a maturity assessment: {e}")))?;
    let id = state.store.add_maturity_assessment(&report.administration, &principal.name, &json, at_us).await?;
    Ok(KeptAssessment { id, author: principal.name.clone(), at: at_us.rfc3339(), report })
}

/// A kept assessment's answers, for a caller who may read them: members read their own,
/// analysts and administrators every one.
async fn kept_draft(
    state: &AppState,
    principal: &Principal,
    id: i64,
) -> Result<(AssessmentRecord, AssessmentDraft), KnowledgeError> {
    require(principal, ASSESSORS, "read maturity assessments")?;
    let missing = || KnowledgeError::NotFound(format!("assessment {id}"));
    let record = state.store.maturity_assessment(id).await?.ok_or_else(missing)?;
    if principal.role == Role::Member && record.author != principal.name {
        return Err(missing());
    }
    let draft = parse(&record)?;
    Ok((record, draft))
}

fn parse(record: &AssessmentRecord) -> Result<AssessmentDraft, KnowledgeError> {
    serde_json::from_str(&record.assessment)
        .map_err(|e| KnowledgeError::Internal(format!("stored maturity assessment {} does not parse: {e}", record.id)))
}

/// A kept assessment scored against the target a query names.
pub async fn kept_against(
    state: &AppState,
    principal: &Principal,
    id: i64,
    q: &TargetQuery,
) -> Result<KeptAssessment, KnowledgeError> {
    let (record, draft) = kept_draft(state, principal, id).await?;
    let report = score(state, &draft, &target(state, principal, q).await?)?;
    Ok(KeptAssessment { id, author: record.author, at: record.at_us.rfc3339(), report })
}

/// The assessments the caller may read, newest first.
pub async fn summaries(state: &AppState, principal: &Principal) -> Result<Vec<AssessmentSummary>, KnowledgeError> {
    require(principal, ASSESSORS, "read maturity assessments")?;
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
            at: r.at_us.rfc3339(),
            overall,
        });
    }
    Ok(out)
}

/// This platform's own profile scored against a target, for a caller who may read assessments.
pub async fn platform_report(
    state: &AppState,
    principal: &Principal,
    q: &TargetQuery,
) -> Result<MaturityReport, KnowledgeError> {
    require(principal, ASSESSORS, "read maturity assessments")?;
    let draft = AssessmentDraft { administration: PLATFORM.into(), answers: platform_profile(state).await? };
    score(state, &draft, &target(state, principal, q).await?)
}
