//! The knowledge base's use cases: the catalogue's instruments and search, the survey
//! repository and the maturity self-assessment. Who may read or write what is checked here,
//! against the caller's [`Principal`].

pub mod maturity;
pub mod survey;

use serde::Deserialize;
use utoipa::IntoParams;

use smartcustoms_core::knowledge::{Instrument, SurveyFinding};
use smartcustoms_search::Hit;
use smartcustoms_storage::StoreError;

use crate::state::AppState;

/// Why a knowledge-base operation did not happen.
#[derive(Debug, thiserror::Error)]
pub enum KnowledgeError {
    /// The caller's role may not do this.
    #[error(transparent)]
    Forbidden(#[from] super::Forbidden),
    /// A survey answer is not valid: every finding.
    #[error("the survey answer is not valid")]
    SurveyInvalid(Vec<SurveyFinding>),
    /// A maturity assessment cannot be scored: every problem.
    #[error("the assessment cannot be scored")]
    AssessmentInvalid(Vec<String>),
    /// A filter or target names something that does not exist.
    #[error("{0}: {1}")]
    BadFilter(&'static str, String),
    /// A search query is empty or too long.
    #[error("{0}")]
    SearchQuery(String),
    /// The thing asked for does not exist, or the caller may not see it.
    #[error("{0} not found")]
    NotFound(String),
    /// A failure of the process, not of the request (a stored answer that does not parse, a
    /// serialisation or search failure).
    #[error("{0}")]
    Internal(String),
    /// The store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// Filters of the instruments.
#[derive(Debug, Deserialize, IntoParams)]
pub struct InstrumentFilter {
    /// Words that must all appear in the title, kind, topic, issuer, authors or reference.
    pub q: Option<String>,
    /// Only this kind (`guidelines`, `research paper`, …).
    pub kind: Option<String>,
    /// Only this year.
    pub year: Option<u16>,
}

/// Does an instrument match a filter?
pub fn instrument_matches(i: &Instrument, f: &InstrumentFilter) -> bool {
    let text = format!("{} {} {} {} {} {}", i.title, i.kind, i.topic, i.issuer, i.authors, i.reference).to_lowercase();
    let words = f.q.as_deref().unwrap_or("").to_lowercase();
    words.split_whitespace().all(|w| text.contains(w))
        && f.kind.as_deref().is_none_or(|k| k.is_empty() || i.kind.eq_ignore_ascii_case(k))
        && f.year.is_none_or(|y| i.year == Some(y))
}

/// Runs a search: ranked passages, best first.
pub fn search(state: &AppState, q: &str, limit: usize) -> Result<Vec<Hit>, KnowledgeError> {
    state.knowledge.index.search(q, limit).map_err(|e| match e {
        smartcustoms_search::SearchError::EmptyQuery | smartcustoms_search::SearchError::QueryTooLong => {
            KnowledgeError::SearchQuery(e.to_string())
        }
        other => KnowledgeError::Internal(format!("search failed: {other}")),
    })
}
