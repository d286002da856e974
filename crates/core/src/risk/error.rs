use serde::Serialize;
use utoipa::ToSchema;

/// Why a profile text does not compile, and where.
///
/// The message is written for the analyst who wrote the profile, not for a programmer: it says
/// what was expected and what was found ("expected a value after `<`, found end of line").
/// Positions are 1-based and count characters, not bytes, so that they match what an editor shows.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, Serialize, ToSchema)]
#[error("line {line}, column {column}: {message}")]
pub struct ParseError {
    /// Line of the problem, from 1.
    pub line: u32,
    /// Column of the problem, from 1, in characters.
    pub column: u32,
    /// Plain-language explanation.
    pub message: String,
}

impl ParseError {
    /// An error at a position.
    pub(crate) fn new(line: u32, column: u32, message: impl Into<String>) -> Self {
        ParseError { line, column, message: message.into() }
    }
}
