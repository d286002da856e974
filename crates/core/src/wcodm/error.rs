//! Why a WCO DM message cannot be read: each refusal has a stable code (`XML_001` …), the
//! element path where it happened and the position in the bytes received.

use serde::Serialize;
use utoipa::ToSchema;

/// A place in the message: the byte offset and, for people, the line and column (both from 1;
/// the column counts characters).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
pub struct Position {
    /// Offset in bytes from the start of the message.
    pub byte: u64,
    /// Line, from 1.
    pub line: u32,
    /// Column in characters, from 1.
    pub column: u32,
}

impl Position {
    /// The position of byte `offset` of `input` (clamped to its length).
    pub fn at(input: &[u8], offset: usize) -> Position {
        let offset = offset.min(input.len());
        let before = input.get(..offset).unwrap_or_default();
        let line_start = before.iter().rposition(|&b| b == b'\n').map_or(0, |i| i + 1);
        let lines = before.iter().filter(|&&b| b == b'\n').count();
        let column = String::from_utf8_lossy(before.get(line_start..).unwrap_or_default()).chars().count();
        Position {
            byte: u64::try_from(offset).unwrap_or(u64::MAX),
            line: u32::try_from(lines.saturating_add(1)).unwrap_or(u32::MAX),
            column: u32::try_from(column.saturating_add(1)).unwrap_or(u32::MAX),
        }
    }
}

impl std::fmt::Display for Position {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "line {}, column {}", self.line, self.column)
    }
}

/// Why a message was refused before its content could be mapped (or, for `InvalidValue`,
/// while mapping it). Nothing is decided on a refused message.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum XmlError {
    /// The bytes are not UTF-8.
    #[error("The message is not UTF-8 text: the bytes at {at} are not valid UTF-8.")]
    InvalidUtf8 {
        /// Where the first invalid byte is.
        at: Position,
    },
    /// The XML declaration names an encoding other than UTF-8.
    #[error("The message declares the encoding {encoding:?} at {at}; only UTF-8 is accepted.")]
    UnsupportedEncoding {
        /// The encoding declared.
        encoding: String,
        /// Where the XML declaration is.
        at: Position,
    },
    /// The message carries a document type declaration.
    #[error(
        "The message carries a document type declaration (DOCTYPE) at {at}; it is refused, because a WCO \
         message needs none and the entities it could declare are never expanded."
    )]
    Doctype {
        /// Where the declaration starts.
        at: Position,
    },
    /// An entity reference other than the five predefined ones (and character references).
    #[error(
        "The entity reference &{name}; at {path} ({at}) is not defined; only &lt; &gt; &amp; &quot; &apos; \
         and character references such as &#233; are accepted."
    )]
    UndefinedEntity {
        /// The entity's name.
        name: String,
        /// Element path where it was found.
        path: String,
        /// Where it was found.
        at: Position,
    },
    /// The bytes are not well-formed XML.
    #[error("The message is not well-formed XML at {path} ({at}): {message}")]
    Malformed {
        /// What is wrong.
        message: String,
        /// Element path of the innermost open element (`/` before the root).
        path: String,
        /// Where the reader stopped.
        at: Position,
    },
    /// Elements are nested deeper than `MAX_DEPTH`.
    #[error("Elements are nested more than {limit} levels deep at {path} ({at}).")]
    TooDeep {
        /// The limit.
        limit: usize,
        /// Path of the element that went past it.
        path: String,
        /// Where that element starts.
        at: Position,
    },
    /// The message has more than `MAX_ELEMENTS` elements.
    #[error("The message has more than {limit} elements; the one at {path} ({at}) is one too many.")]
    TooManyElements {
        /// The limit.
        limit: usize,
        /// Path of the first element past the limit.
        path: String,
        /// Where it starts.
        at: Position,
    },
    /// An element has more than `MAX_ATTRIBUTES` attributes or namespace declarations.
    #[error("The element {path} ({at}) has more than {limit} attributes or namespace declarations.")]
    TooManyAttributes {
        /// The limit.
        limit: usize,
        /// Path of the element.
        path: String,
        /// Where it starts.
        at: Position,
    },
    /// The declaration has more than `MAX_ITEMS` goods items.
    #[error(
        "The declaration has more than {limit} goods items (the one at {path}, {at}, is one too many); \
         split the consignment."
    )]
    TooManyItems {
        /// The limit.
        limit: usize,
        /// Path of the first goods item past the limit.
        path: String,
        /// Where it starts.
        at: Position,
    },
    /// The root element is not a declaration.
    #[error(
        "The root element is {found} ({at}); a goods declaration is a Declaration element of namespace \
         urn:wco:datamodel:WCO:DEC-DMS:2, alone or inside the MetaData envelope."
    )]
    WrongRoot {
        /// The root element found, with its namespace when it has one.
        found: String,
        /// Where it starts.
        at: Position,
    },
    /// The declaration element is in another namespace (or none).
    #[error(
        "The element {path} ({at}) is in namespace {found:?}; a goods declaration must be in \
         urn:wco:datamodel:WCO:DEC-DMS:2."
    )]
    WrongNamespace {
        /// The namespace found (empty for none).
        found: String,
        /// Path of the element.
        path: String,
        /// Where it starts.
        at: Position,
    },
    /// A value that our declaration cannot hold: a number, date or sequence number that does
    /// not read, a mass not in kilograms, an item price in another currency than the invoice.
    #[error("The value at {path} ({at}) cannot be taken: {message}")]
    InvalidValue {
        /// What is wrong and what is expected.
        message: String,
        /// Element (or `@attribute`) path of the value.
        path: String,
        /// Where its element starts.
        at: Position,
    },
}

impl XmlError {
    /// Stable code of the refusal. Codes are never reused.
    pub fn code(&self) -> &'static str {
        match self {
            XmlError::InvalidUtf8 { .. } => "XML_001",
            XmlError::UnsupportedEncoding { .. } => "XML_002",
            XmlError::Doctype { .. } => "XML_003",
            XmlError::UndefinedEntity { .. } => "XML_004",
            XmlError::Malformed { .. } => "XML_005",
            XmlError::TooDeep { .. } => "XML_006",
            XmlError::TooManyElements { .. } => "XML_007",
            XmlError::TooManyItems { .. } => "XML_008",
            XmlError::WrongRoot { .. } => "XML_009",
            XmlError::WrongNamespace { .. } => "XML_010",
            XmlError::InvalidValue { .. } => "XML_011",
            XmlError::TooManyAttributes { .. } => "XML_012",
        }
    }

    /// Element path of the refusal, when it concerns an element.
    pub fn path(&self) -> Option<&str> {
        match self {
            XmlError::InvalidUtf8 { .. }
            | XmlError::UnsupportedEncoding { .. }
            | XmlError::Doctype { .. }
            | XmlError::WrongRoot { .. } => None,
            XmlError::UndefinedEntity { path, .. }
            | XmlError::Malformed { path, .. }
            | XmlError::TooDeep { path, .. }
            | XmlError::TooManyElements { path, .. }
            | XmlError::TooManyItems { path, .. }
            | XmlError::TooManyAttributes { path, .. }
            | XmlError::WrongNamespace { path, .. }
            | XmlError::InvalidValue { path, .. } => Some(path),
        }
    }

    /// Where in the message the refusal happened.
    pub fn position(&self) -> Position {
        match self {
            XmlError::InvalidUtf8 { at }
            | XmlError::UnsupportedEncoding { at, .. }
            | XmlError::Doctype { at }
            | XmlError::UndefinedEntity { at, .. }
            | XmlError::Malformed { at, .. }
            | XmlError::TooDeep { at, .. }
            | XmlError::TooManyElements { at, .. }
            | XmlError::TooManyItems { at, .. }
            | XmlError::TooManyAttributes { at, .. }
            | XmlError::WrongRoot { at, .. }
            | XmlError::WrongNamespace { at, .. }
            | XmlError::InvalidValue { at, .. } => *at,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positions_count_lines_and_characters_from_one() {
        let input = "<a>\n  <bé>x</bé>".as_bytes();
        let at = input.iter().position(|&b| b == b'x').unwrap_or_default();
        let p = Position::at(input, at);
        assert_eq!((p.line, p.column), (2, 7));
        assert_eq!(Position::at(input, 0), Position { byte: 0, line: 1, column: 1 });
        assert_eq!(Position::at(input, 10_000).byte, input.len() as u64);
    }
}
