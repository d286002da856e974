//! Checks of text every use case applies before anything is decided or stored.

/// True when the JSON text holds a NUL character, i.e. the escape `\u0000` (a raw NUL byte is
/// not valid JSON and is refused by the parser). An escaped backslash before `u0000` is text,
/// not an escape, so the backslashes before it are counted.
pub fn json_has_nul(json: &[u8]) -> bool {
    let mut from = 0;
    while let Some(at) = json[from..].windows(6).position(|w| w[0] == b'\\' && is_nul_escape(&w[1..])) {
        let at = from + at;
        let backslashes = json[..=at].iter().rev().take_while(|&&b| b == b'\\').count();
        if backslashes % 2 == 1 {
            return true;
        }
        from = at + 1;
    }
    false
}

/// Why a JSON body could not be read into the expected shape.
#[derive(Debug)]
pub enum JsonProblem {
    /// It is not JSON (or it ends early): the parser's message.
    Malformed(String),
    /// It is JSON of another shape: where, and what the parser expected.
    Schema {
        /// `line L column C` of the first difference.
        path: String,
        /// The parser's message.
        message: String,
    },
}

/// Reads a JSON body into `T`, telling broken JSON from JSON of another shape.
pub fn parse_json<T: serde::de::DeserializeOwned>(body: &[u8]) -> Result<T, JsonProblem> {
    serde_json::from_slice(body).map_err(|e| {
        if e.is_syntax() || e.is_eof() {
            JsonProblem::Malformed(e.to_string())
        } else {
            JsonProblem::Schema { path: format!("line {} column {}", e.line(), e.column()), message: e.to_string() }
        }
    })
}

fn is_nul_escape(tail: &[u8]) -> bool {
    tail[0] == b'u' && tail[1..].iter().all(|&b| b == b'0')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_nul_escape_is_found_and_an_escaped_backslash_is_not_one() {
        assert!(json_has_nul(br#"{"office":"DE00\u00005000"}"#));
        assert!(json_has_nul(br#"["\\\u0000"]"#));
        assert!(!json_has_nul(br#"{"office":"DE00\\u00005000"}"#));
        assert!(!json_has_nul(br#"{"office":"DE005000","x":"\u0001"}"#));
        assert!(!json_has_nul(b""));
        assert!(!json_has_nul(br"\u000"));
    }
}
