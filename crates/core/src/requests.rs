//! An officer's request for documents or information on a declaration under control, and the
//! declarant's answer with attached files. Both are decisions of the case: each is an audit
//! entry of the declaration, and the request's number is the sequence number of the entry that
//! asked, so it is unique without a counter of its own.

use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use utoipa::ToSchema;

use crate::audit::{Action, NewEntry};
use crate::timestamp::Timestamp;
use crate::workflow::State;

/// Longest question, characters.
pub const MAX_QUESTION: usize = 2000;
/// Longest answer text, characters.
pub const MAX_ANSWER: usize = 4000;
/// Most files one answer attaches.
pub const MAX_FILES: usize = 3;
/// Largest file, bytes.
pub const MAX_FILE_BYTES: usize = 5 * 1024 * 1024;
/// Longest file name, characters.
pub const MAX_FILE_NAME: usize = 200;
/// Shortest and longest time an officer gives the declarant, hours.
pub const DUE_HOURS: std::ops::RangeInclusive<i64> = 1..=720;
/// The media types an answer may attach: documents, scans and structured data.
pub const MEDIA_TYPES: &[&str] =
    &["application/pdf", "image/png", "image/jpeg", "application/xml", "text/xml", "application/json", "text/plain"];

/// Why a request or an answer is not recorded; the field it concerns and what is wrong.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{field}: {problem}")]
pub struct Invalid {
    /// `question`, `due_hours`, `text` or `files`.
    pub field: &'static str,
    /// What is wrong; its `Display` says it in plain words.
    pub problem: Problem,
}

/// What is wrong with a request for documents or an answer.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Problem {
    /// The question is empty or too long.
    #[error("ask in 1 to {MAX_QUESTION} characters")]
    QuestionLength,
    /// The time given is outside [`DUE_HOURS`].
    #[error("give the declarant {} to {} hours", DUE_HOURS.start(), DUE_HOURS.end())]
    DueHours,
    /// The answer's text is too long.
    #[error("answer in at most {MAX_ANSWER} characters")]
    AnswerLength,
    /// Neither text nor a file.
    #[error("write an answer or attach a document")]
    Empty,
    /// More than [`MAX_FILES`] files.
    #[error("attach at most {MAX_FILES} files")]
    TooManyFiles,
    /// A file name that is empty, too long or holds a path or control characters.
    #[error("{0:?} is not a plain file name of 1 to {MAX_FILE_NAME} characters")]
    FileName(String),
    /// A file of a type not accepted: its name and media type.
    #[error("{0} is a {1}; attach PDF, PNG, JPEG, XML, JSON or text files")]
    MediaType(String, String),
    /// An empty or too large file: its name and size in bytes.
    #[error("{0} has {1} bytes; a file holds 1 byte to {max} MB", max = MAX_FILE_BYTES / (1024 * 1024))]
    FileSize(String, usize),
    /// A file's content is not standard base64 (on the API): its name.
    #[error("{0:?} is not standard base64")]
    NotBase64(String),
}

fn invalid(field: &'static str, problem: Problem) -> Invalid {
    Invalid { field, problem }
}

/// A file as the declarant sent it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Upload {
    /// File name.
    pub name: String,
    /// Media type.
    pub content_type: String,
    /// The content.
    pub bytes: Vec<u8>,
}

impl Upload {
    /// SHA-256 of the content, hex.
    pub fn sha256(&self) -> String {
        hex::encode(Sha256::digest(&self.bytes))
    }
}

/// What an attached file is, without its content.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct FileMeta {
    /// Its number in the answer, from 1.
    pub n: i64,
    /// File name.
    pub name: String,
    /// Media type.
    pub content_type: String,
    /// Size in bytes.
    pub size: i64,
    /// SHA-256 of the content, hex.
    pub sha256: String,
}

/// Checks an officer's question and the time given, and returns the deadline.
pub fn check_question(question: &str, due_hours: i64, now: DateTime<Utc>) -> Result<DateTime<Utc>, Invalid> {
    let length = question.trim().chars().count();
    if length == 0 || length > MAX_QUESTION {
        return Err(invalid("question", Problem::QuestionLength));
    }
    if !DUE_HOURS.contains(&due_hours) {
        return Err(invalid("due_hours", Problem::DueHours));
    }
    Ok(now + Duration::hours(due_hours))
}

/// Checks a declarant's answer: some text or at least one file, at most [`MAX_FILES`] files of
/// the accepted types and sizes, with plain file names.
pub fn check_answer(text: &str, files: &[Upload]) -> Result<(), Invalid> {
    if text.chars().count() > MAX_ANSWER {
        return Err(invalid("text", Problem::AnswerLength));
    }
    if text.trim().is_empty() && files.is_empty() {
        return Err(invalid("text", Problem::Empty));
    }
    if files.len() > MAX_FILES {
        return Err(invalid("files", Problem::TooManyFiles));
    }
    for f in files {
        let plain = !f.name.trim().is_empty()
            && f.name.chars().count() <= MAX_FILE_NAME
            && !f.name.chars().any(|c| c.is_control() || c == '/' || c == '\\');
        if !plain {
            return Err(invalid("files", Problem::FileName(f.name.clone())));
        }
        if !MEDIA_TYPES.contains(&f.content_type.as_str()) {
            return Err(invalid("files", Problem::MediaType(f.name.clone(), f.content_type.clone())));
        }
        if f.bytes.is_empty() || f.bytes.len() > MAX_FILE_BYTES {
            return Err(invalid("files", Problem::FileSize(f.name.clone(), f.bytes.len())));
        }
    }
    Ok(())
}

/// The state of the case does not take a request or an answer now.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("a declaration that is {} takes no {what}", state.as_str())]
pub struct NotUnderControl {
    /// Its state.
    pub state: State,
    /// `request for documents` or `answer`.
    pub what: &'static str,
}

/// The audit entry of a request: only a declaration under control is asked for documents.
pub fn request_entry(
    declaration_id: &str,
    state: State,
    officer: &str,
    question: &str,
    due_at: Timestamp,
    at_us: Timestamp,
) -> Result<NewEntry, NotUnderControl> {
    if state != State::UnderControl {
        return Err(NotUnderControl { state, what: "request for documents" });
    }
    let details = serde_json::json!({ "question": question.trim(), "due_at": due_at.rfc3339() });
    Ok(NewEntry {
        at_us,
        declaration_id: Some(declaration_id.to_string()),
        actor: officer.to_string(),
        action: Action::DocumentsRequested,
        details: details.to_string(),
    })
}

/// The audit entry of an answer to request `request`, naming each file by its hash.
pub fn answer_entry(
    declaration_id: &str,
    state: State,
    request: i64,
    actor: &str,
    text: &str,
    files: &[FileMeta],
    at_us: Timestamp,
) -> Result<NewEntry, NotUnderControl> {
    if state != State::UnderControl {
        return Err(NotUnderControl { state, what: "answer" });
    }
    let details = serde_json::json!({ "request": request, "text": text.trim(), "files": files });
    Ok(NewEntry {
        at_us,
        declaration_id: Some(declaration_id.to_string()),
        actor: actor.to_string(),
        action: Action::DocumentsAnswered,
        details: details.to_string(),
    })
}

/// The metadata of the files of an answer, numbered from 1.
pub fn file_meta(files: &[Upload]) -> Vec<FileMeta> {
    files
        .iter()
        .zip(1..)
        .map(|(f, n)| FileMeta {
            n,
            name: f.name.clone(),
            content_type: f.content_type.clone(),
            size: f.bytes.len() as i64,
            sha256: f.sha256(),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pdf(name: &str, size: usize) -> Upload {
        Upload { name: name.into(), content_type: "application/pdf".into(), bytes: vec![b'%'; size] }
    }

    #[test]
    fn a_question_needs_text_and_a_deadline_of_one_hour_to_thirty_days() {
        let now = Utc::now();
        assert_eq!(check_question("Send the invoice", 24, now), Ok(now + Duration::hours(24)));
        assert_eq!(check_question("  ", 24, now).map_err(|e| e.field), Err("question"));
        assert_eq!(check_question(&"x".repeat(MAX_QUESTION + 1), 24, now).map_err(|e| e.field), Err("question"));
        for hours in [0, 721, -5] {
            assert_eq!(check_question("Send the invoice", hours, now).map_err(|e| e.field), Err("due_hours"));
        }
    }

    #[test]
    fn an_answer_holds_text_or_files_of_accepted_types_and_sizes() {
        assert!(check_answer("Invoice attached", &[pdf("invoice.pdf", 10)]).is_ok());
        assert!(check_answer("", &[pdf("invoice.pdf", 10)]).is_ok());
        assert!(check_answer("Will follow", &[]).is_ok());
        assert_eq!(check_answer(" ", &[]).map_err(|e| e.field), Err("text"));
        let four = vec![pdf("a.pdf", 1); 4];
        assert_eq!(check_answer("x", &four).map_err(|e| e.field), Err("files"));
        for bad in [pdf("../etc/passwd", 1), pdf("a.pdf", 0), pdf("a.pdf", MAX_FILE_BYTES + 1), pdf("", 1)] {
            assert_eq!(
                check_answer("x", std::slice::from_ref(&bad)).map_err(|e| e.field),
                Err("files"),
                "{}",
                bad.name
            );
        }
        let exe = Upload { name: "run.exe".into(), content_type: "application/x-msdownload".into(), bytes: vec![1] };
        assert_eq!(check_answer("x", &[exe]).map_err(|e| e.field), Err("files"));
    }

    #[test]
    fn only_a_case_under_control_is_asked_and_answered() {
        let due = Timestamp::from_micros(10);
        let e =
            request_entry("d", State::UnderControl, "o", " Invoice? ", due, 1.into()).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(e.action, Action::DocumentsRequested);
        assert!(e.details.contains("\"question\":\"Invoice?\""));
        for state in [State::Released, State::Refused, State::Registered, State::AwaitingPayment] {
            assert!(request_entry("d", state, "o", "q", due, 1.into()).is_err());
            assert!(answer_entry("d", state, 7, "t", "a", &[], 1.into()).is_err());
        }
        let files = file_meta(&[pdf("invoice.pdf", 3)]);
        let e =
            answer_entry("d", State::UnderControl, 7, "t", "here", &files, 1.into()).unwrap_or_else(|e| panic!("{e}"));
        assert!(e.details.contains("\"request\":7") && e.details.contains(&files[0].sha256));
    }
}
