//! The WCO Smart Customs survey repository: answers kept with up to three files, and every
//! read through [`visible`], which gives each caller the answers as they may see them: whole
//! for the organisation that submitted an answer and for administrators, without the questions
//! declared confidential for everyone else — in lists, searches, statistics and exports alike.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use utoipa::{IntoParams, ToSchema};

use smartcustoms_core::access::{Principal, Role};
use smartcustoms_core::knowledge::{
    Attachment, Benefit, PerformanceImprovement, StakeholderGroup, SurveyAnswer, SurveyDraft, SurveyStatus,
    SurveyTechnology, SurveyView, UseCase,
};
use smartcustoms_core::timestamp::Timestamp;
use smartcustoms_storage::{AttachmentMeta, NewAttachment, NewSurveyAnswer, SurveyRecord};

use super::KnowledgeError;
use crate::app::require;
use crate::state::AppState;

/// Who may read the repository.
pub const READERS: &[Role] = &[Role::Member, Role::Officer, Role::Supervisor, Role::Analyst, Role::Admin];
/// Who may submit answers.
pub const SUBMITTERS: &[Role] = &[Role::Member, Role::Analyst, Role::Admin];
/// Largest survey request: three files of 10 MB, base64 in JSON, and the form.
pub const SURVEY_BODY_LIMIT: usize = 45 * 1024 * 1024;

/// A file received, decoded.
#[derive(Debug, Clone)]
pub struct Received {
    /// File name.
    pub name: String,
    /// Media type.
    pub content_type: String,
    /// Content.
    pub bytes: Vec<u8>,
}

/// A survey answer as one caller may see it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct VisibleAnswer {
    /// Id.
    pub id: i64,
    /// When it was submitted (UTC).
    pub submitted_at: String,
    /// Whether the caller's organisation submitted it.
    pub own: bool,
    /// The answer; withheld questions are null.
    pub answer: SurveyView,
    /// Attached files (null when withheld).
    pub attachments: Option<Vec<AttachmentMeta>>,
}

/// Validates and keeps an answer; returns its id.
pub async fn submit(
    state: &AppState,
    principal: &Principal,
    draft: SurveyDraft,
    files: Vec<Received>,
) -> Result<i64, KnowledgeError> {
    require(principal, SUBMITTERS, "submit survey answers")?;
    let described: Vec<Attachment> = files
        .iter()
        .map(|f| Attachment { name: f.name.clone(), content_type: f.content_type.clone(), size: f.bytes.len() })
        .collect();
    let answer = SurveyAnswer::validate(&draft, &described).map_err(KnowledgeError::SurveyInvalid)?;
    let json = serde_json::to_string(&answer)
        .map_err(|e| KnowledgeError::Internal(format!("serialising a survey answer: {e}")))?;
    let attachments = files
        .into_iter()
        .map(|f| NewAttachment {
            sha256: hex::encode(Sha256::digest(&f.bytes)),
            name: f.name,
            content_type: f.content_type,
            bytes: f.bytes,
        })
        .collect();
    let id = state
        .store
        .add_survey_answer(&NewSurveyAnswer {
            submitter: principal.name.clone(),
            submitted_at_us: Timestamp::now(),
            answer: json,
            attachments,
        })
        .await?;
    tracing::info!(survey.id = id, submitter = %principal.name, "survey answer submitted");
    Ok(id)
}

/// The answer as `caller` may see it.
fn view_for(caller: &Principal, record: SurveyRecord) -> Result<VisibleAnswer, KnowledgeError> {
    let answer: SurveyAnswer = serde_json::from_str(&record.answer)
        .map_err(|e| KnowledgeError::Internal(format!("stored survey answer {} does not parse: {e}", record.id)))?;
    let own = caller.name == record.submitter;
    let full = own || caller.role == Role::Admin;
    let view = answer.view(full);
    let files_shown = full || !answer.withholds(smartcustoms_core::knowledge::Question::Files);
    Ok(VisibleAnswer {
        id: record.id,
        submitted_at: record.submitted_at_us.rfc3339(),
        own,
        answer: view,
        attachments: files_shown.then_some(record.attachments),
    })
}

/// Every answer as `caller` may see it, oldest first.
pub async fn visible(state: &AppState, principal: &Principal) -> Result<Vec<VisibleAnswer>, KnowledgeError> {
    require(principal, READERS, "read the survey repository")?;
    state.store.survey_answers().await?.into_iter().map(|r| view_for(principal, r)).collect()
}

/// One answer as `caller` may see it.
pub async fn visible_one(state: &AppState, principal: &Principal, id: i64) -> Result<VisibleAnswer, KnowledgeError> {
    require(principal, READERS, "read the survey repository")?;
    let record =
        state.store.survey_answer(id).await?.ok_or_else(|| KnowledgeError::NotFound(format!("survey answer {id}")))?;
    view_for(principal, record)
}

/// An attached file, for a caller who may see the answer's files.
pub async fn attachment(
    state: &AppState,
    principal: &Principal,
    id: i64,
    n: i64,
) -> Result<(AttachmentMeta, Vec<u8>), KnowledgeError> {
    let answer = visible_one(state, principal, id).await?;
    let missing = || KnowledgeError::NotFound(format!("file {n} of survey answer {id}"));
    if !answer.attachments.is_some_and(|files| files.iter().any(|f| f.n == n)) {
        return Err(missing());
    }
    state.store.survey_attachment(id, n).await?.ok_or_else(missing)
}

/// Search and filters of the repository. A filter on a question an answer withholds never
/// matches it.
#[derive(Debug, Default, Clone, Deserialize, Serialize, IntoParams)]
pub struct SurveyFilter {
    /// Words that must all appear in the visible text.
    pub q: Option<String>,
    /// Primary or secondary technology (code).
    pub technology: Option<String>,
    /// Status (code).
    pub status: Option<String>,
    /// Use case (code).
    pub use_case: Option<String>,
    /// Country (ISO alpha-2).
    pub country: Option<String>,
    /// Stakeholder group (code).
    pub stakeholder_group: Option<String>,
}

/// A filter value parsed against its list, or an error naming the parameter.
fn code<T>(
    name: &'static str,
    value: &Option<String>,
    parse: fn(&str) -> Option<T>,
) -> Result<Option<T>, KnowledgeError> {
    match value.as_deref().map(str::trim).filter(|v| !v.is_empty()) {
        None => Ok(None),
        Some(v) => parse(v).map(Some).ok_or_else(|| KnowledgeError::BadFilter(name, format!("unknown answer {v:?}"))),
    }
}

/// The answers that pass `filter`.
pub fn filter(answers: Vec<VisibleAnswer>, f: &SurveyFilter) -> Result<Vec<VisibleAnswer>, KnowledgeError> {
    let technology = code("technology", &f.technology, SurveyTechnology::parse)?;
    let status = code("status", &f.status, SurveyStatus::parse)?;
    let use_case = code("use_case", &f.use_case, UseCase::parse)?;
    let group = code("stakeholder_group", &f.stakeholder_group, StakeholderGroup::parse)?;
    let country = f.country.as_deref().map(|c| c.trim().to_ascii_uppercase()).filter(|c| !c.is_empty());
    let words: Vec<String> =
        f.q.as_deref().unwrap_or("").to_lowercase().split_whitespace().map(str::to_string).collect();
    Ok(answers
        .into_iter()
        .filter(|a| {
            let v = &a.answer;
            let text = v.text().to_lowercase();
            words.iter().all(|w| text.contains(w.as_str()))
                && technology.is_none_or(|t| {
                    v.primary_technology == Some(t) || v.secondary_technologies.as_ref().is_some_and(|s| s.contains(&t))
                })
                && status.is_none_or(|s| v.status == Some(s))
                && use_case.is_none_or(|u| v.use_cases.as_ref().is_some_and(|l| l.contains(&u)))
                && group.is_none_or(|g| v.stakeholder_group == Some(g))
                && country.as_ref().is_none_or(|c| v.country.as_ref() == Some(c))
        })
        .collect())
}

/// How many answers give one answer of a list.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Count {
    /// Code.
    pub code: String,
    /// Label.
    pub label: String,
    /// Answers.
    pub count: usize,
}

/// A technology's answers by status.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct TechnologyStatus {
    /// Technology code.
    pub technology: String,
    /// Label.
    pub label: String,
    /// Answers per status, in the order of [`SurveyStatus::ALL`].
    pub by_status: Vec<Count>,
    /// All answers naming the technology.
    pub total: usize,
}

/// Aggregates of the answers a caller may see.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct SurveyStats {
    /// Answers counted.
    pub answers: usize,
    /// Technologies (primary and secondary) × status of adoption.
    pub technology_status: Vec<TechnologyStatus>,
    /// Use cases.
    pub use_cases: Vec<Count>,
    /// Benefits.
    pub benefits: Vec<Count>,
    /// Performance improvements.
    pub performance_improvements: Vec<Count>,
    /// Countries.
    pub countries: Vec<Count>,
}

/// Counts of each answer of a list among visible answers, every answer of the list included.
fn counts<T: Copy + PartialEq>(
    all: &[T],
    chosen: impl Iterator<Item = T>,
    code: fn(T) -> &'static str,
    label: fn(T) -> &'static str,
) -> Vec<Count> {
    let chosen: Vec<T> = chosen.collect();
    all.iter()
        .map(|t| Count {
            code: code(*t).into(),
            label: label(*t).into(),
            count: chosen.iter().filter(|c| *c == t).count(),
        })
        .collect()
}

/// The statistics of some answers; withheld questions are not counted.
pub fn stats(answers: &[VisibleAnswer]) -> SurveyStats {
    let views: Vec<&SurveyView> = answers.iter().map(|a| &a.answer).collect();
    let technology_status = SurveyTechnology::ALL
        .iter()
        .map(|t| {
            let statuses: Vec<SurveyStatus> = views
                .iter()
                .filter(|v| {
                    v.primary_technology == Some(*t) || v.secondary_technologies.as_ref().is_some_and(|s| s.contains(t))
                })
                .filter_map(|v| v.status)
                .collect();
            TechnologyStatus {
                technology: t.code().into(),
                label: t.label().into(),
                total: statuses.len(),
                by_status: counts(SurveyStatus::ALL, statuses.into_iter(), SurveyStatus::code, SurveyStatus::label),
            }
        })
        .collect();
    let mut countries: BTreeMap<String, usize> = BTreeMap::new();
    for c in views.iter().filter_map(|v| v.country.clone()) {
        *countries.entry(c).or_default() += 1;
    }
    SurveyStats {
        answers: answers.len(),
        technology_status,
        use_cases: counts(
            UseCase::ALL,
            views.iter().flat_map(|v| v.use_cases.iter().flatten().copied()),
            UseCase::code,
            UseCase::label,
        ),
        benefits: counts(
            Benefit::ALL,
            views.iter().flat_map(|v| v.benefits.iter().flatten().copied()),
            Benefit::code,
            Benefit::label,
        ),
        performance_improvements: counts(
            PerformanceImprovement::ALL,
            views.iter().flat_map(|v| v.performance_improvements.iter().flatten().copied()),
            PerformanceImprovement::code,
            PerformanceImprovement::label,
        ),
        countries: countries.into_iter().map(|(c, n)| Count { label: c.clone(), code: c, count: n }).collect(),
    }
}

/// A CSV cell that a spreadsheet shows as text: a cell opening with `=`, `+`, `-`, `@`, a tab
/// or a carriage return would be read as a formula (`=HYPERLINK(…)`), so it gets a leading `'`.
fn inert_cell(cell: &str) -> std::borrow::Cow<'_, str> {
    match cell.chars().next() {
        Some('=' | '+' | '-' | '@' | '\t' | '\r') => format!("'{cell}").into(),
        _ => cell.into(),
    }
}

/// The CSV of some answers: one row per answer, lists joined with `;`, withheld questions
/// empty and named in the `confidential` column.
pub fn csv(answers: &[VisibleAnswer]) -> Result<Vec<u8>, KnowledgeError> {
    fn codes<T: Copy>(v: &Option<Vec<T>>, code: fn(T) -> &'static str) -> String {
        v.iter().flatten().map(|t| code(*t)).collect::<Vec<_>>().join(";")
    }
    let mut w = ::csv::Writer::from_writer(Vec::new());
    let header = [
        "id",
        "submitted_at",
        "organization",
        "respondent",
        "email",
        "country",
        "stakeholder_group",
        "title",
        "primary_technology",
        "primary_technology_other",
        "secondary_technologies",
        "use_cases",
        "performance_improvements",
        "status",
        "outline",
        "scale",
        "benefits",
        "benefits_other",
        "takeaways",
        "confidential",
        "attachments",
    ];
    let failed = |e: ::csv::Error| KnowledgeError::Internal(format!("writing the survey CSV: {e}"));
    w.write_record(header).map_err(failed)?;
    for a in answers {
        let v = &a.answer;
        let text = |s: &Option<String>| s.clone().unwrap_or_default();
        let row = [
            a.id.to_string(),
            a.submitted_at.clone(),
            text(&v.organization),
            text(&v.respondent),
            text(&v.email),
            text(&v.country),
            v.stakeholder_group.map(|g| g.code().to_string()).unwrap_or_default(),
            text(&v.title),
            v.primary_technology.map(|t| t.code().to_string()).unwrap_or_default(),
            text(&v.primary_technology_other),
            codes(&v.secondary_technologies, SurveyTechnology::code),
            codes(&v.use_cases, UseCase::code),
            codes(&v.performance_improvements, PerformanceImprovement::code),
            v.status.map(|s| s.code().to_string()).unwrap_or_default(),
            text(&v.outline),
            text(&v.scale),
            codes(&v.benefits, Benefit::code),
            text(&v.benefits_other),
            text(&v.takeaways),
            v.confidential.iter().map(|q| q.code()).collect::<Vec<_>>().join(";"),
            a.attachments.iter().flatten().map(|f| f.name.as_str()).collect::<Vec<_>>().join(";"),
        ];
        w.write_record(row.iter().map(|c| inert_cell(c).into_owned())).map_err(failed)?;
    }
    w.into_inner().map_err(|e| failed(e.into_error().into()))
}

#[cfg(test)]
mod csv_tests {
    use super::inert_cell;

    #[test]
    fn cells_a_spreadsheet_would_read_as_formulas_are_written_as_text() {
        assert_eq!(
            inert_cell("=HYPERLINK(\"http://evil.example\",\"x\")"),
            "'=HYPERLINK(\"http://evil.example\",\"x\")"
        );
        for c in ["+1", "-1+2", "@SUM(A1)", "\tx", "\rx"] {
            assert!(inert_cell(c).starts_with('\''), "{c:?}");
        }
        assert_eq!(inert_cell("Customs of Utopia"), "Customs of Utopia");
        assert_eq!(inert_cell(""), "");
    }
}
