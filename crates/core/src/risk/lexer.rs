//! Splits a profile text into tokens, each with its line and column.
//!
//! Newlines are ordinary white space: a condition may run over several lines. The parser still
//! knows where lines end from the token positions, which lets it say "found end of line".

use std::str::FromStr;

use chrono::NaiveDate;
use rust_decimal::Decimal;

use super::ast::CmpOp;
use super::error::ParseError;

/// What a token is.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Tok {
    /// A keyword, field name, profile code or lane: starts with a letter or `_`, goes on with
    /// letters, digits, `_`, `.` and `-`.
    Word,
    /// A double-quoted text, escapes resolved.
    Text(String),
    /// A decimal number.
    Number(Decimal),
    /// A date written `YYYY-MM-DD`.
    Date(NaiveDate),
    /// A comparison operator.
    Cmp(CmpOp),
    LParen,
    RParen,
    LBracket,
    RBracket,
    Comma,
}

/// A token and where it is.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Token<'a> {
    pub(crate) tok: Tok,
    /// The token as written, for messages and for words.
    pub(crate) text: &'a str,
    pub(crate) line: u32,
    pub(crate) column: u32,
    /// The column just after the token (tokens never span lines).
    pub(crate) end_column: u32,
}

impl Token<'_> {
    /// True when the token is the word `word`.
    pub(crate) fn is_word(&self, word: &str) -> bool {
        self.tok == Tok::Word && self.text == word
    }
}

/// A cursor over the characters of the text that counts lines and columns in characters.
struct Cursor<'a> {
    text: &'a str,
    offset: usize,
    line: u32,
    column: u32,
}

impl<'a> Cursor<'a> {
    fn peek(&self) -> Option<char> {
        self.text[self.offset..].chars().next()
    }

    fn peek_second(&self) -> Option<char> {
        self.text[self.offset..].chars().nth(1)
    }

    fn bump(&mut self) -> Option<char> {
        let c = self.peek()?;
        self.offset += c.len_utf8();
        if c == '\n' {
            self.line = self.line.saturating_add(1);
            self.column = 1;
        } else {
            self.column = self.column.saturating_add(1);
        }
        Some(c)
    }

    fn bump_while(&mut self, keep: impl Fn(char) -> bool) {
        while self.peek().is_some_and(&keep) {
            self.bump();
        }
    }
}

fn is_word_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '-')
}

/// Splits `text` into tokens; the first malformed token is an error.
pub(crate) fn tokenize(text: &str) -> Result<Vec<Token<'_>>, ParseError> {
    let mut cur = Cursor { text, offset: 0, line: 1, column: 1 };
    let mut tokens = Vec::new();
    while let Some(c) = cur.peek() {
        let (start, line, column) = (cur.offset, cur.line, cur.column);
        let error = |message: String| ParseError::new(line, column, message);
        let tok = match c {
            _ if c.is_whitespace() => {
                cur.bump();
                continue;
            }
            '#' => {
                // A comment runs to the end of the line.
                cur.bump_while(|c| c != '\n');
                continue;
            }
            '"' => {
                cur.bump();
                Tok::Text(text_body(&mut cur).map_err(error)?)
            }
            '“' | '”' | '„' | '«' | '»' => {
                // Texts pasted from a word processor carry typographic quotes.
                return Err(error(format!("use straight double quotes `\"`, not `{c}`")));
            }
            '(' | ')' | '[' | ']' | ',' => {
                cur.bump();
                match c {
                    '(' => Tok::LParen,
                    ')' => Tok::RParen,
                    '[' => Tok::LBracket,
                    ']' => Tok::RBracket,
                    _ => Tok::Comma,
                }
            }
            '=' | '!' | '<' | '>' => {
                cur.bump();
                let followed_by_eq = cur.peek() == Some('=');
                if followed_by_eq {
                    cur.bump();
                }
                match (c, followed_by_eq) {
                    ('=', true) => return Err(error("write `=` rather than `==`".into())),
                    ('=', false) => Tok::Cmp(CmpOp::Eq),
                    ('!', true) => Tok::Cmp(CmpOp::Ne),
                    ('!', false) => {
                        return Err(error("`!` must be followed by `=`; to negate a test, write `not`".into()))
                    }
                    ('<', true) => Tok::Cmp(CmpOp::Le),
                    ('<', false) => Tok::Cmp(CmpOp::Lt),
                    ('>', true) => Tok::Cmp(CmpOp::Ge),
                    _ => Tok::Cmp(CmpOp::Gt),
                }
            }
            _ if c.is_ascii_digit() || (c == '-' && cur.peek_second().is_some_and(|d| d.is_ascii_digit())) => {
                cur.bump();
                cur.bump_while(is_word_char);
                number_or_date(&text[start..cur.offset]).map_err(error)?
            }
            _ if c.is_ascii_alphabetic() || c == '_' => {
                cur.bump_while(is_word_char);
                Tok::Word
            }
            _ => return Err(error(format!("unexpected character `{c}`; text values go in double quotes"))),
        };
        tokens.push(Token { tok, text: &text[start..cur.offset], line, column, end_column: cur.column });
    }
    Ok(tokens)
}

/// Reads the rest of a quoted text after its opening quote.
fn text_body(cur: &mut Cursor<'_>) -> Result<String, String> {
    let mut body = String::new();
    loop {
        match cur.bump() {
            Some('"') => return Ok(body),
            Some('\\') => match cur.bump() {
                Some(c @ ('"' | '\\')) => body.push(c),
                Some(c) if c != '\n' => {
                    return Err(format!("unknown escape `\\{c}` in this text; only `\\\"` and `\\\\` are allowed"))
                }
                _ => return Err("this text has no closing `\"`".into()),
            },
            Some('\n') | None => return Err("this text has no closing `\"`".into()),
            Some(c) => body.push(c),
        }
    }
}

/// Classifies a run that starts with a digit: a date (`2026-01-31`) or a number (`40`, `0.5`,
/// `1_000_000`, `-3`).
fn number_or_date(word: &str) -> Result<Tok, String> {
    let b = word.as_bytes();
    let date_shaped = b.len() == 10
        && b[4] == b'-'
        && b[7] == b'-'
        && b.iter().enumerate().all(|(i, c)| i == 4 || i == 7 || c.is_ascii_digit());
    if date_shaped {
        return NaiveDate::parse_from_str(word, "%Y-%m-%d")
            .map(Tok::Date)
            .map_err(|_| format!("`{word}` is not a calendar date"));
    }
    let unsigned = word.strip_prefix('-').unwrap_or(word);
    if unsigned.contains('-') {
        return Err(format!("`{word}` is not a date; write dates as YYYY-MM-DD, e.g. 2026-01-31"));
    }
    let digits_ok = unsigned.bytes().all(|c| c.is_ascii_digit() || c == b'_' || c == b'.')
        && unsigned.bytes().filter(|&c| c == b'.').count() <= 1
        && !unsigned.ends_with('.');
    if !digits_ok {
        return Err(format!("`{word}` is not a number; write numbers like 40, 0.5 or 1000000"));
    }
    Decimal::from_str(&word.replace('_', "")).map(Tok::Number).map_err(|_| format!("`{word}` is too large a number"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kinds(text: &str) -> Vec<Tok> {
        tokenize(text).unwrap_or_default().into_iter().map(|t| t.tok).collect()
    }

    fn error(text: &str) -> (u32, u32, String) {
        match tokenize(text) {
            Ok(tokens) => panic!("expected an error, got {tokens:?}"),
            Err(e) => (e.line, e.column, e.message),
        }
    }

    #[test]
    fn words_keep_dots_and_dashes_so_fields_and_codes_are_one_token() {
        let tokens = tokenize("profile RP-ELEC-001 item.value_per_kg<40").unwrap_or_default();
        let texts: Vec<&str> = tokens.iter().map(|t| t.text).collect();
        assert_eq!(texts, ["profile", "RP-ELEC-001", "item.value_per_kg", "<", "40"]);
    }

    #[test]
    fn positions_count_characters_from_one() {
        let tokens = tokenize("# comment\n  \"Ärger\" x").unwrap_or_default();
        let positions: Vec<(u32, u32, u32)> = tokens.iter().map(|t| (t.line, t.column, t.end_column)).collect();
        assert_eq!(positions, [(2, 3, 10), (2, 11, 12)]);
    }

    #[test]
    fn numbers_dates_and_operators_are_recognised() {
        assert_eq!(
            kinds("1_000_000 0.5 -3 2026-01-31 <= != >"),
            [
                Tok::Number(Decimal::from(1_000_000)),
                Tok::Number(Decimal::new(5, 1)),
                Tok::Number(Decimal::from(-3)),
                Tok::Date(NaiveDate::from_ymd_opt(2026, 1, 31).unwrap_or_default()),
                Tok::Cmp(CmpOp::Le),
                Tok::Cmp(CmpOp::Ne),
                Tok::Cmp(CmpOp::Gt),
            ]
        );
    }

    #[test]
    fn texts_resolve_their_escapes() {
        assert_eq!(kinds(r#""say \"hi\" \\ ok""#), [Tok::Text(r#"say "hi" \ ok"#.into())]);
    }

    #[test]
    fn an_unclosed_text_is_reported_at_its_opening_quote() {
        assert_eq!(error("lane red\ninstruction \"open"), (2, 13, "this text has no closing `\"`".into()));
    }

    #[test]
    fn typographic_quotes_are_explained() {
        assert_eq!(error("x “a”"), (1, 3, "use straight double quotes `\"`, not `“`".into()));
    }

    #[test]
    fn malformed_dates_and_numbers_are_explained() {
        assert_eq!(error("2026-02-30").2, "`2026-02-30` is not a calendar date");
        assert_eq!(error("2026-1-1").2, "`2026-1-1` is not a date; write dates as YYYY-MM-DD, e.g. 2026-01-31");
        assert_eq!(error("x < 12ab").2, "`12ab` is not a number; write numbers like 40, 0.5 or 1000000");
        assert_eq!(
            error("99999999999999999999999999999999").2,
            "`99999999999999999999999999999999` is too large a number"
        );
    }

    #[test]
    fn double_equals_and_bare_bang_are_explained() {
        assert_eq!(error("a == 1"), (1, 3, "write `=` rather than `==`".into()));
        assert_eq!(error("!a").2, "`!` must be followed by `=`; to negate a test, write `not`");
    }

    #[test]
    fn stray_characters_are_reported_with_their_position() {
        assert_eq!(error("a\n  $"), (2, 3, "unexpected character `$`; text values go in double quotes".into()));
    }
}
