//! Requests for documents on a declaration under control and their answers.

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use axum::Json;
use base64::Engine as _;
use serde::Deserialize;
use utoipa::ToSchema;

use smartcustoms_core::ids::DeclarationId;
use smartcustoms_core::requests::{Invalid, Problem, Upload};
use smartcustoms_storage::DocumentRequest;

use crate::app::requests;
use crate::auth::Caller;
use crate::error::ApiError;
use crate::extract::{ApiPath, JsonBody};
use crate::routes::survey::FileUpload;
use crate::state::AppState;

/// An officer's request.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewRequest {
    /// What the declarant is asked for, in plain words.
    pub question: String,
    /// Hours the declarant has to answer, 1 to 720.
    pub due_hours: i64,
}

/// The declarant's answer.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewAnswer {
    /// The answer in plain words (may be empty when files are attached).
    #[serde(default)]
    pub text: String,
    /// Up to three files of at most 5 MB: PDF, PNG, JPEG, XML, JSON or text.
    #[serde(default)]
    pub files: Vec<FileUpload>,
}

/// The requests for documents on a declaration, oldest first, with their answers.
#[utoipa::path(get, path = "/api/v1/declarations/{id}/requests", tag = "declarations",
    params(("id" = String, Path, description = "Declaration id")),
    responses((status = 200, body = Vec<DocumentRequest>), (status = 404, body = crate::error::ErrorBody)),
    security(("token" = [])))]
pub async fn list(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<DeclarationId>,
) -> Result<Json<Vec<DocumentRequest>>, ApiError> {
    Ok(Json(requests::list(&state, &caller.0, id).await?))
}

/// An officer asks the declarant of a case under control for documents or information, with a
/// deadline; audited, shown on the declaration's timeline and sent on the event stream.
#[utoipa::path(post, path = "/api/v1/declarations/{id}/requests", tag = "declarations",
    params(("id" = String, Path, description = "Declaration id")), request_body = NewRequest,
    responses(
        (status = 201, body = DocumentRequest),
        (status = 403, body = crate::error::ErrorBody),
        (status = 404, body = crate::error::ErrorBody),
        (status = 409, description = "Not under control (DEC_001)", body = crate::error::ErrorBody),
        (status = 422, description = "Invalid question or deadline (DOC_001)", body = crate::error::ErrorBody),
    ),
    security(("token" = [])))]
pub async fn ask(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<DeclarationId>,
    JsonBody(r): JsonBody<NewRequest>,
) -> Result<(StatusCode, Json<DocumentRequest>), ApiError> {
    let request = requests::ask(&state, &caller.0, id, &r.question, r.due_hours, chrono::Utc::now()).await?;
    Ok((StatusCode::CREATED, Json(request)))
}

/// The declarant answers a request, with up to three files (base64).
#[utoipa::path(post, path = "/api/v1/declarations/{id}/requests/{request}/answer", tag = "declarations",
    params(("id" = String, Path, description = "Declaration id"), ("request" = i64, Path, description = "Request id")),
    request_body = NewAnswer,
    responses(
        (status = 200, body = DocumentRequest),
        (status = 403, body = crate::error::ErrorBody),
        (status = 404, body = crate::error::ErrorBody),
        (status = 409, description = "Answered already (DOC_002) or no longer under control (DEC_001)", body = crate::error::ErrorBody),
        (status = 413, body = crate::error::ErrorBody),
        (status = 422, description = "Invalid answer or file (DOC_001)", body = crate::error::ErrorBody),
    ),
    security(("token" = [])))]
pub async fn answer(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath((id, request)): ApiPath<(DeclarationId, i64)>,
    JsonBody(a): JsonBody<NewAnswer>,
) -> Result<Json<DocumentRequest>, ApiError> {
    let mut files = Vec::with_capacity(a.files.len());
    for f in a.files {
        let bytes = base64::engine::general_purpose::STANDARD.decode(f.data.as_bytes()).map_err(|_| {
            ApiError::RequestInvalid(Invalid { field: "files", problem: Problem::NotBase64(f.name.clone()) })
        })?;
        files.push(Upload { name: f.name, content_type: f.content_type, bytes });
    }
    Ok(Json(requests::answer(&state, &caller.0, id, request, &a.text, files, chrono::Utc::now()).await?))
}

/// A file of an answer, to whoever may read the declaration.
#[utoipa::path(get, path = "/api/v1/declarations/{id}/requests/{request}/files/{n}", tag = "declarations",
    params(("id" = String, Path, description = "Declaration id"), ("request" = i64, Path), ("n" = i64, Path, description = "1 to 3")),
    responses((status = 200, description = "The file"), (status = 404, body = crate::error::ErrorBody)),
    security(("token" = [])))]
pub async fn file(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath((id, request, n)): ApiPath<(DeclarationId, i64, i64)>,
) -> Result<Response, ApiError> {
    let (meta, bytes) = requests::file(&state, &caller.0, id, request, n).await?;
    Ok(super::download(&meta.name, bytes))
}
