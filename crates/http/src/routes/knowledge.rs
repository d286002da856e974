//! The knowledge base's reference content: technologies, terms, instruments, capabilities
//! and the search over all of them. Anyone may read them; no token is needed.

use axum::extract::State;
use axum::Json;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use smartcustoms_core::knowledge::{capability, Capability, Group, Instrument, Status, Technology, Term, CAPABILITIES};

use crate::app::knowledge::{self, InstrumentFilter};
use crate::error::ApiError;
use crate::extract::{ApiPath, ApiQuery};
use crate::knowledge::{capability_url, technology_url};
use crate::state::AppState;

/// A catalogue item as the API gives it.
#[derive(Debug, Serialize, ToSchema)]
pub struct TechnologyOut {
    /// Number in the source's list.
    pub number: u8,
    /// Name.
    pub name: String,
    /// Group code.
    pub group: Group,
    /// Group name.
    pub group_label: &'static str,
    /// What it is.
    pub summary: String,
    /// What it changes for traders.
    pub for_traders: String,
    /// What it changes for officers.
    pub for_officers: String,
    /// What an administration needs.
    pub needs: String,
    /// Related glossary terms (ids).
    pub terms: Vec<String>,
    /// Capabilities of this platform that implement it, with their status and page.
    pub capabilities: Vec<CapabilityLink>,
    /// Status in this release.
    pub status: Status,
    /// What implements it, what is missing, or why it is out of scope.
    pub status_note: String,
    /// Its page.
    pub url: String,
}

/// A capability named by a catalogue item.
#[derive(Debug, Serialize, ToSchema)]
pub struct CapabilityLink {
    /// Id in the product map.
    pub id: &'static str,
    /// Name.
    pub name: &'static str,
    /// Status in this release.
    pub status: Status,
    /// Its page.
    pub url: String,
}

/// The API form of a technology.
pub fn technology_out(t: &Technology) -> TechnologyOut {
    TechnologyOut {
        number: t.number,
        name: t.name.clone(),
        group: t.group,
        group_label: t.group.label(),
        summary: t.summary.clone(),
        for_traders: t.for_traders.clone(),
        for_officers: t.for_officers.clone(),
        needs: t.needs.clone(),
        terms: t.terms.clone(),
        capabilities: t
            .capabilities
            .iter()
            .filter_map(|id| capability(id))
            .map(|c| CapabilityLink { id: c.id, name: c.name, status: c.status, url: capability_url(c.id) })
            .collect(),
        status: t.status,
        status_note: t.status_note.clone(),
        url: technology_url(t.number),
    }
}

/// Filters of the catalogue.
#[derive(Debug, Deserialize, IntoParams)]
pub struct TechnologyFilter {
    /// Only this group (`automation`, `single_window`, `smart_checkpoint`, …).
    pub group: Option<String>,
    /// Only this status (`implemented`, `partial`, `planned`, `out_of_scope`).
    pub status: Option<String>,
}

/// The 71 advanced customs technologies with their status in this release.
#[utoipa::path(get, path = "/api/v1/knowledge/technologies", tag = "knowledge", params(TechnologyFilter),
    responses((status = 200, body = Vec<TechnologyOut>), (status = 400, body = crate::error::ErrorBody)))]
pub async fn technologies(
    State(state): State<AppState>,
    ApiQuery(f): ApiQuery<TechnologyFilter>,
) -> Result<Json<Vec<TechnologyOut>>, ApiError> {
    let group = f
        .group
        .as_deref()
        .map(|g| Group::parse(g).ok_or_else(|| ApiError::BadParameter("group", format!("unknown group {g:?}"))))
        .transpose()?;
    let status = f
        .status
        .as_deref()
        .map(|s| Status::parse(s).ok_or_else(|| ApiError::BadParameter("status", format!("unknown status {s:?}"))))
        .transpose()?;
    Ok(Json(
        state
            .knowledge
            .catalogue
            .technologies
            .iter()
            .filter(|t| group.is_none_or(|g| t.group == g) && status.is_none_or(|s| t.status == s))
            .map(technology_out)
            .collect(),
    ))
}

/// One technology.
#[utoipa::path(get, path = "/api/v1/knowledge/technologies/{number}", tag = "knowledge",
    params(("number" = u8, Path, description = "1 to 71")),
    responses((status = 200, body = TechnologyOut), (status = 404, body = crate::error::ErrorBody)))]
pub async fn technology(
    State(state): State<AppState>,
    ApiPath(number): ApiPath<String>,
) -> Result<Json<TechnologyOut>, ApiError> {
    number
        .parse::<u8>()
        .ok()
        .and_then(|n| state.knowledge.catalogue.technology(n))
        .map(|t| Json(technology_out(t)))
        .ok_or_else(|| ApiError::NotFound(format!("technology {number}")))
}

/// The 46 terms of the glossary.
#[utoipa::path(get, path = "/api/v1/knowledge/terms", tag = "knowledge", responses((status = 200, body = Vec<Term>)))]
pub async fn terms(State(state): State<AppState>) -> Json<Vec<Term>> {
    Json(state.knowledge.catalogue.terms.clone())
}

/// One term.
#[utoipa::path(get, path = "/api/v1/knowledge/terms/{id}", tag = "knowledge",
    params(("id" = String, Path, description = "the term's id, e.g. `single-personal-account`")),
    responses((status = 200, body = Term), (status = 404, body = crate::error::ErrorBody)))]
pub async fn term(State(state): State<AppState>, ApiPath(id): ApiPath<String>) -> Result<Json<Term>, ApiError> {
    state.knowledge.catalogue.term(&id).cloned().map(Json).ok_or_else(|| ApiError::NotFound(format!("term {id}")))
}

/// WCO legal instruments and tools for Digital (Smart) Customs, searchable.
#[utoipa::path(get, path = "/api/v1/knowledge/instruments", tag = "knowledge", params(InstrumentFilter),
    responses((status = 200, body = Vec<Instrument>)))]
pub async fn instruments(
    State(state): State<AppState>,
    ApiQuery(f): ApiQuery<InstrumentFilter>,
) -> Json<Vec<Instrument>> {
    Json(
        state
            .knowledge
            .catalogue
            .instruments
            .iter()
            .filter(|i| knowledge::instrument_matches(i, &f))
            .cloned()
            .collect(),
    )
}

/// The capabilities of this platform with their status and evidence.
#[utoipa::path(get, path = "/api/v1/knowledge/capabilities", tag = "knowledge",
    responses((status = 200, body = Vec<Capability>)))]
pub async fn capabilities() -> Json<&'static [Capability]> {
    Json(CAPABILITIES)
}

/// A search.
#[derive(Debug, Deserialize, IntoParams)]
pub struct SearchQuery {
    /// The question or words, at most 500 characters.
    pub q: String,
    /// Most results, 1 to 50 (default 10).
    pub limit: Option<usize>,
}

/// A ranked result.
#[derive(Debug, Serialize, ToSchema)]
pub struct SearchResult {
    /// `technology`, `term`, `instrument` or `help`.
    pub kind: String,
    /// Id within its kind.
    pub id: String,
    /// Title.
    pub title: String,
    /// The best passage, plain text.
    pub snippet: String,
    /// Relevance (BM25; higher is better).
    pub score: f32,
    /// Where to read it.
    pub url: String,
}

/// Full-text search over the catalogue, glossary, instruments and help pages, with English
/// stemming: a question in plain words gives the best passages with links.
#[utoipa::path(get, path = "/api/v1/knowledge/search", tag = "knowledge", params(SearchQuery),
    responses((status = 200, body = Vec<SearchResult>), (status = 400, body = crate::error::ErrorBody)))]
pub async fn search(
    State(state): State<AppState>,
    ApiQuery(q): ApiQuery<SearchQuery>,
) -> Result<Json<Vec<SearchResult>>, ApiError> {
    let limit = q.limit.unwrap_or(10);
    if !(1..=50).contains(&limit) {
        return Err(ApiError::BadParameter("limit", "must be between 1 and 50".into()));
    }
    let hits = knowledge::search(&state, &q.q, limit)?;
    Ok(Json(
        hits.into_iter()
            .map(|h| SearchResult {
                kind: h.kind,
                id: h.id,
                title: h.title,
                snippet: h.snippet,
                score: h.score,
                url: h.url,
            })
            .collect(),
    ))
}
