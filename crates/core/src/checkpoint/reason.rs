//! What the checkpoint says about its inputs and its choices: a `Problem` is why an input is
//! refused (with the JSON path of the field), a `Reason` is why something was decided (a queue
//! place, a plate match, an operation). Both carry a stable `CHK_` code and a sentence.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::codes::Code;
use super::decision::Operation;

/// Why an event, a booking or a set of rules cannot be taken in.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
#[schema(as = CheckpointProblem)]
pub struct Problem {
    /// Stable code, `CHK_001` …
    pub code: String,
    /// JSON path of the offending field, e.g. `$.gross_mass_kg`; `$` for the whole input.
    pub path: String,
    /// Plain-language explanation, in English.
    pub message: String,
}

impl Problem {
    pub(crate) fn new(code: Code, path: impl Into<String>, message: impl Into<String>) -> Self {
        Problem { code: code.code().to_string(), path: path.into(), message: message.into() }
    }
}

/// Why something was decided: a place in the queue, a plate match, an operation, or a fact
/// noted on the way (then without an operation).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[schema(as = CheckpointReason)]
pub struct Reason {
    /// Stable code, `CHK_040` …
    pub code: String,
    /// The operation this reason asks for; none when it only explains.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub operation: Option<Operation>,
    /// Plain-language explanation, in English.
    pub message: String,
}

impl Reason {
    /// A reason that only explains, with its code.
    pub fn new(code: Code, message: impl Into<String>) -> Self {
        Reason { code: code.code().to_string(), operation: None, message: message.into() }
    }

    pub(crate) fn asking(code: Code, operation: Operation, message: impl Into<String>) -> Self {
        Reason { code: code.code().to_string(), operation: Some(operation), message: message.into() }
    }
}

/// Shows a value in a message: quoted, escaped and cut to 40 characters, so that a hostile or
/// broken device cannot fill logs and answers with its payload.
pub(crate) fn shown(value: &str) -> String {
    const LIMIT: usize = 40;
    if value.chars().count() <= LIMIT {
        format!("{value:?}")
    } else {
        let head: String = value.chars().take(LIMIT).collect();
        format!("{head:?}…")
    }
}

/// True when `text` has 1 to `max` characters, is not blank and has no control characters: the
/// form of device ids, rule ids and references.
pub(crate) fn is_label(text: &str, max: usize) -> bool {
    !text.trim().is_empty() && text.chars().count() <= max && !text.chars().any(char::is_control)
}
