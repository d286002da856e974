//! Requests for documents: an officer asks the declarant of a case under control for documents
//! or information, with a deadline; the declarant answers with text and files. Both are audited
//! decisions of the case and show on its timeline; the files are kept with their SHA-256.

use chrono::{DateTime, Utc};

use smartcustoms_core::access::{Principal, Role};
use smartcustoms_core::ids::DeclarationId;
use smartcustoms_core::requests::{self, FileMeta, Invalid, Upload};
use smartcustoms_storage::{Answer, Ask, DocumentRequest, StoreError};

use super::control::{explained, Settled};
use super::declarations::{readable, ReadError};
use super::Forbidden;
use crate::state::AppState;

/// Who asks for documents.
pub const ASKERS: &[Role] = &[Role::Officer, Role::Supervisor];
/// Who answers: the declarant's users.
pub const ANSWERERS: &[Role] = &[Role::Trader];
/// The largest body of an answer through the API: its files in base64 and the text.
pub const ANSWER_BODY_LIMIT: usize = requests::MAX_FILES * requests::MAX_FILE_BYTES * 4 / 3 + 64 * 1024;

/// Why a request or an answer is not recorded.
#[derive(Debug, thiserror::Error)]
pub enum RequestError {
    /// The caller's role may not do this.
    #[error(transparent)]
    Forbidden(#[from] Forbidden),
    /// A field is not valid.
    #[error(transparent)]
    Invalid(#[from] Invalid),
    /// The declaration is not the caller's to read, or does not exist.
    #[error(transparent)]
    Read(#[from] ReadError),
    /// No such request on this declaration.
    #[error("request {0} not found on this declaration")]
    NoRequest(i64),
    /// No such file in the request's answer.
    #[error("file {n} of request {request} not found")]
    NoFile {
        /// The request.
        request: i64,
        /// The file's number.
        n: i64,
    },
    /// The request is answered already.
    #[error("request {0} is answered already; the officer asks again if more is needed")]
    Answered(i64),
    /// The case is no longer under control.
    #[error(transparent)]
    Settled(#[from] Settled),
    /// The store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// The requests of a declaration the caller may read, oldest first, with their answers.
pub async fn list(state: &AppState, caller: &Principal, id: DeclarationId) -> Result<Vec<DocumentRequest>, ReadError> {
    readable(state, caller, id).await?;
    Ok(state.store.document_requests(id).await?)
}

/// The requests about a declaration the caller has read (with [`super::declarations::read`],
/// which checked that it may), oldest first.
pub async fn list_of(state: &AppState, read: &super::declarations::Read) -> Result<Vec<DocumentRequest>, ReadError> {
    Ok(state.store.document_requests(read.record.summary.id).await?)
}

/// An officer asks the declarant of case `id` for documents, due within `due_hours`.
pub async fn ask(
    state: &AppState,
    caller: &Principal,
    id: DeclarationId,
    question: &str,
    due_hours: i64,
    now: DateTime<Utc>,
) -> Result<DocumentRequest, RequestError> {
    let officer = super::require(caller, ASKERS, "ask declarants for documents")?;
    let due_at = requests::check_question(question, due_hours, now)?;
    readable(state, caller, id).await?;
    super::dispatch::within_centre(state, caller, id, "ask for documents on another centre's cases").await??;
    let ask = Ask {
        declaration: id,
        officer: officer.name.clone(),
        question: question.to_string(),
        due_at: due_at.into(),
        at_us: now.into(),
    };
    let request = match state.store.request_documents(&ask).await {
        Ok(request) => request,
        Err(e) => return Err(explained(state, id, e).await),
    };
    one(state, id, request).await
}

/// The declarant answers request `request` of its declaration `id`.
pub async fn answer(
    state: &AppState,
    caller: &Principal,
    id: DeclarationId,
    request: i64,
    text: &str,
    files: Vec<Upload>,
    now: DateTime<Utc>,
) -> Result<DocumentRequest, RequestError> {
    super::require(caller, ANSWERERS, "answer requests for documents")?;
    super::organisation::require(caller, super::organisation::Capacity::File, "answer requests for documents")?;
    let Some(declarant) = caller.trader.clone() else { return Err(ReadError::NotYours(id.to_string()).into()) };
    requests::check_answer(text, &files)?;
    readable(state, caller, id).await?;
    let answer = Answer {
        declaration: id,
        request,
        declarant,
        actor: caller.name.clone(),
        text: text.to_string(),
        files,
        at_us: now.into(),
    };
    match state.store.answer_request(&answer).await {
        Ok(()) => one(state, id, request).await,
        Err(StoreError::NotFound) => Err(RequestError::NoRequest(request)),
        Err(e @ StoreError::Conflict(_)) => match one(state, id, request).await? {
            r if r.answered_at_us.is_some() => Err(RequestError::Answered(request)),
            _ => Err(explained(state, id, e).await),
        },
        Err(e) => Err(e.into()),
    }
}

/// One file of an answer, for a caller who may read the declaration.
pub async fn file(
    state: &AppState,
    caller: &Principal,
    id: DeclarationId,
    request: i64,
    n: i64,
) -> Result<(FileMeta, Vec<u8>), RequestError> {
    readable(state, caller, id).await?;
    state.store.request_file(id, request, n).await?.ok_or(RequestError::NoFile { request, n })
}

async fn one(state: &AppState, id: DeclarationId, request: i64) -> Result<DocumentRequest, RequestError> {
    let all = state.store.document_requests(id).await?;
    all.into_iter().find(|r| r.id == request).ok_or(RequestError::NoRequest(request))
}
