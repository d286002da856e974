//! Officers' requests for documents on a declaration under control and the declarant's
//! answers with their files: what the writing transactions take, and the records read back.

use serde::Serialize;
use utoipa::ToSchema;

use smartcustoms_core::ids::{DeclarationId, TraderId};
use smartcustoms_core::requests::{FileMeta, Upload};
use smartcustoms_core::timestamp::Timestamp;

/// An officer's request (see `Store::request_documents`).
#[derive(Debug, Clone)]
pub struct Ask {
    /// The declaration, under control.
    pub declaration: DeclarationId,
    /// The officer who asks.
    pub officer: String,
    /// What is asked for.
    pub question: String,
    /// The deadline.
    pub due_at: Timestamp,
    /// When.
    pub at_us: Timestamp,
}

/// The declarant's answer (see `Store::answer_request`).
#[derive(Debug, Clone)]
pub struct Answer {
    /// The declaration.
    pub declaration: DeclarationId,
    /// The request answered.
    pub request: i64,
    /// The declarant the declaration must belong to.
    pub declarant: TraderId,
    /// The user who answers.
    pub actor: String,
    /// The answer's text.
    pub text: String,
    /// Its files, checked.
    pub files: Vec<Upload>,
    /// When.
    pub at_us: Timestamp,
}

/// A request with its answer, as stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema, sqlx::FromRow)]
pub struct DocumentRequest {
    /// Its id (the sequence number of the audit entry that asked).
    pub id: i64,
    /// The declaration.
    pub declaration_id: String,
    /// The officer who asked.
    pub asked_by: String,
    /// What is asked for.
    pub question: String,
    /// The deadline, microseconds since the epoch.
    #[sqlx(try_from = "i64")]
    pub due_at_us: Timestamp,
    /// When it was asked.
    #[sqlx(try_from = "i64")]
    pub asked_at_us: Timestamp,
    /// The declarant's answer, once given.
    pub answer: Option<String>,
    /// Who answered.
    pub answered_by: Option<String>,
    /// When.
    #[sqlx(try_from = "crate::rows::NullableMicros")]
    pub answered_at_us: Option<Timestamp>,
    /// The files of the answer, without their content.
    #[sqlx(skip)]
    pub files: Vec<FileMeta>,
}

/// Puts each file's metadata (request id, number, name, media type, size, hash) with its
/// request.
pub(crate) fn with_files(
    mut requests: Vec<DocumentRequest>,
    files: Vec<(i64, i64, String, String, i64, String)>,
) -> Vec<DocumentRequest> {
    for (request_id, n, name, content_type, size, sha256) in files {
        if let Some(r) = requests.iter_mut().find(|r| r.id == request_id) {
            r.files.push(FileMeta { n, name, content_type, size, sha256 });
        }
    }
    requests
}
