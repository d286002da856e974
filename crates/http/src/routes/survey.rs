//! The WCO Smart Customs survey repository over HTTP: submit answers with up to three files,
//! list and search them, aggregate them and export them. The use cases, and who sees what, are
//! in [`crate::app::knowledge::survey`].

use axum::extract::State;
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use base64::Engine;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use smartcustoms_core::knowledge::{SurveyDraft, SurveyFinding};

use crate::app::knowledge::survey::{self, Received, SurveyFilter, SurveyStats, VisibleAnswer};
use crate::auth::Caller;
use crate::error::ApiError;
use crate::extract::{ApiPath, ApiQuery, JsonBody};
use crate::state::AppState;

/// A file sent with an answer through the API.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct FileUpload {
    /// File name.
    pub name: String,
    /// Media type.
    pub content_type: String,
    /// The content, standard base64.
    pub data: String,
}

/// A survey answer as the API takes it.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SurveySubmission {
    /// The form.
    pub answer: SurveyDraft,
    /// Up to three files of at most 10 MB.
    #[serde(default)]
    pub attachments: Vec<FileUpload>,
}

/// The id of a new answer.
#[derive(Debug, Serialize, ToSchema)]
pub struct Submitted {
    /// Id.
    pub id: i64,
    /// Its address in the API.
    pub url: String,
}

/// Submit an answer to the WCO Smart Customs survey (Appendix 1 form), with up to three files.
///
/// Every field is checked and every problem is listed at once (`KB_001`, `details.findings`
/// with `field`, `code` and `message`). Question 14: `answer.confidential` lists the questions
/// (`1`…`13`, `7a`, `11a`, `files`) other members must not see.
#[utoipa::path(post, path = "/api/v1/knowledge/survey", tag = "knowledge", request_body = SurveySubmission,
    responses(
        (status = 201, body = Submitted),
        (status = 403, body = crate::error::ErrorBody),
        (status = 413, body = crate::error::ErrorBody),
        (status = 422, description = "Invalid answer (KB_001) or body", body = crate::error::ErrorBody),
    ),
    security(("token" = [])))]
pub async fn create(
    State(state): State<AppState>,
    caller: Caller,
    JsonBody(submission): JsonBody<SurveySubmission>,
) -> Result<(StatusCode, Json<Submitted>), ApiError> {
    caller.require(survey::SUBMITTERS, "submit survey answers")?;
    let mut files = Vec::new();
    let mut bad = Vec::new();
    for (i, f) in submission.attachments.into_iter().enumerate() {
        match base64::engine::general_purpose::STANDARD.decode(f.data.as_bytes()) {
            Ok(bytes) => files.push(Received { name: f.name, content_type: f.content_type, bytes }),
            Err(_) => bad.push(SurveyFinding {
                field: format!("attachments[{i}]"),
                code: "SURVEY_007",
                message: format!("{:?} is not standard base64", f.name),
            }),
        }
    }
    if !bad.is_empty() {
        return Err(ApiError::SurveyInvalid(bad));
    }
    let id = survey::submit(&state, &caller.0, submission.answer, files).await?;
    Ok((StatusCode::CREATED, Json(Submitted { id, url: format!("/api/v1/knowledge/survey/{id}") })))
}

/// Answers matching the filters, as the caller may see them, oldest first.
#[utoipa::path(get, path = "/api/v1/knowledge/survey", tag = "knowledge", params(SurveyFilter),
    responses((status = 200, body = Vec<VisibleAnswer>), (status = 400, body = crate::error::ErrorBody),
        (status = 403, body = crate::error::ErrorBody)),
    security(("token" = [])))]
pub async fn list(
    State(state): State<AppState>,
    caller: Caller,
    ApiQuery(f): ApiQuery<SurveyFilter>,
) -> Result<Json<Vec<VisibleAnswer>>, ApiError> {
    Ok(Json(survey::filter(survey::visible(&state, &caller.0).await?, &f)?))
}

/// One answer as the caller may see it.
#[utoipa::path(get, path = "/api/v1/knowledge/survey/{id}", tag = "knowledge", params(("id" = i64, Path)),
    responses((status = 200, body = VisibleAnswer), (status = 404, body = crate::error::ErrorBody)),
    security(("token" = [])))]
pub async fn get(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<i64>,
) -> Result<Json<VisibleAnswer>, ApiError> {
    Ok(Json(survey::visible_one(&state, &caller.0, id).await?))
}

/// An attached file (404 when the answer withholds its files from the caller).
#[utoipa::path(get, path = "/api/v1/knowledge/survey/{id}/attachments/{n}", tag = "knowledge",
    params(("id" = i64, Path), ("n" = i64, Path, description = "1 to 3")),
    responses((status = 200, description = "The file"), (status = 404, body = crate::error::ErrorBody)),
    security(("token" = [])))]
pub async fn attachment(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath((id, n)): ApiPath<(i64, i64)>,
) -> Result<Response, ApiError> {
    let (meta, bytes) = survey::attachment(&state, &caller.0, id, n).await?;
    Ok(super::download(&meta.name, bytes))
}

/// Aggregate statistics of the answers matching the filters, as the caller may see them.
#[utoipa::path(get, path = "/api/v1/knowledge/survey/stats", tag = "knowledge", params(SurveyFilter),
    responses((status = 200, body = SurveyStats)), security(("token" = [])))]
pub async fn statistics(
    State(state): State<AppState>,
    caller: Caller,
    ApiQuery(f): ApiQuery<SurveyFilter>,
) -> Result<Json<SurveyStats>, ApiError> {
    Ok(Json(survey::stats(&survey::filter(survey::visible(&state, &caller.0).await?, &f)?)))
}

/// Export format.
#[derive(Debug, Deserialize, IntoParams)]
pub struct ExportQuery {
    /// `csv` (default) or `json`.
    pub format: Option<String>,
    /// Filters, as for the list.
    #[serde(flatten)]
    #[param(ignore)]
    pub filter: SurveyFilter,
}

/// Export the answers matching the filters, as the caller may see them, as CSV or JSON.
#[utoipa::path(get, path = "/api/v1/knowledge/survey/export", tag = "knowledge", params(ExportQuery, SurveyFilter),
    responses((status = 200, description = "text/csv or application/json")), security(("token" = [])))]
pub async fn export(
    State(state): State<AppState>,
    caller: Caller,
    ApiQuery(q): ApiQuery<ExportQuery>,
) -> Result<Response, ApiError> {
    let answers = survey::filter(survey::visible(&state, &caller.0).await?, &q.filter)?;
    match q.format.as_deref().unwrap_or("csv") {
        "csv" => Ok((
            [
                (header::CONTENT_TYPE, "text/csv; charset=utf-8"),
                (header::CONTENT_DISPOSITION, "attachment; filename=\"smart-customs-survey.csv\""),
            ],
            survey::csv(&answers)?,
        )
            .into_response()),
        "json" => Ok(Json(answers).into_response()),
        other => Err(ApiError::BadParameter("format", format!("{other:?}: use csv or json"))),
    }
}
