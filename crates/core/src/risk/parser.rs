//! Compiles a profile text into a [`Profile`]: the header (`profile CODE "title"`), then the
//! `when`, `lane`, `instruction` and `valid` clauses in any order, each exactly once.
//!
//! Every check that can be made on the text is made here, once, so that evaluation cannot fail:
//! field names become [`Field`](super::Field)s, values are checked against the field's type and code list, and
//! `and` mixed with `or` must be parenthesised so that no analyst has to remember precedence.

use chrono::NaiveDate;

use super::ast::Condition;
use super::domain::shorten;
use super::error::ParseError;
use super::lexer::{tokenize, Tok, Token};
use super::{Lane, Profile};

mod condition;

/// Deepest nesting of `(` and `not` accepted. It bounds the recursion of the parser and the
/// evaluator, so a hostile or broken text cannot overflow the stack.
const MAX_DEPTH: u32 = 32;

/// Longest profile code accepted; codes appear in lists, URLs and audit entries.
const MAX_CODE_LEN: usize = 40;

/// Words with a meaning of their own; none can be a profile code or a field.
const KEYWORDS: [&str; 14] = [
    "profile",
    "when",
    "lane",
    "instruction",
    "valid",
    "from",
    "to",
    "and",
    "or",
    "not",
    "in",
    "starts",
    "with",
    "contains",
];

/// Compiles a profile written in the risk language (see `docs/risk-language.md`).
///
/// `version` is stored in the profile; it starts at 1. The text itself is kept in
/// [`Profile::source`] so that what the analyst wrote is what is audited.
pub fn parse_profile(text: &str, version: u32) -> Result<Profile, ParseError> {
    if version == 0 {
        return Err(ParseError::new(1, 1, "profile versions start at 1, not 0"));
    }
    let mut parser = Parser { tokens: tokenize(text)?, pos: 0, depth: 0 };
    let header = parser.header()?;
    let clauses = parser.clauses()?;
    let (valid_from, valid_to) = clauses.valid;
    Ok(Profile {
        code: header.0,
        version,
        title: header.1,
        valid_from,
        valid_to,
        lane: clauses.lane,
        instruction: clauses.instruction,
        source: text.to_string(),
        condition: clauses.when,
    })
}

/// Checks a profile text without keeping the result, e.g. for an editor's "check" button.
pub fn check_profile_text(text: &str) -> Result<(), ParseError> {
    parse_profile(text, 1).map(|_| ())
}

struct Clauses {
    when: Condition,
    lane: Lane,
    instruction: String,
    valid: (NaiveDate, Option<NaiveDate>),
}

struct Parser<'a> {
    tokens: Vec<Token<'a>>,
    pos: usize,
    depth: u32,
}

fn is_keyword(word: &str) -> bool {
    KEYWORDS.contains(&word)
}

impl<'a> Parser<'a> {
    fn peek(&self) -> Option<&Token<'a>> {
        self.tokens.get(self.pos)
    }

    fn peek_is(&self, word: &str) -> bool {
        self.peek().is_some_and(|t| t.is_word(word))
    }

    fn advance(&mut self) -> Option<Token<'a>> {
        let token = self.tokens.get(self.pos).cloned();
        self.pos += 1;
        token
    }

    fn prev(&self) -> Option<&Token<'a>> {
        self.pos.checked_sub(1).and_then(|i| self.tokens.get(i))
    }

    /// "`<`": the previous token as written, for "after …" in messages.
    fn after_prev(&self) -> String {
        self.prev().map_or_else(String::new, |t| format!("after `{}`", shorten(t.text)))
    }

    /// Where the next token is and how to name it. When it sits on a later line than the
    /// previous token, the thing that was expected is missing at the end of that line, which is
    /// both where the analyst has to type and what they will understand.
    fn found(&self) -> (u32, u32, String) {
        match (self.peek(), self.prev()) {
            (None, Some(p)) => (p.line, p.end_column, "end of text".into()),
            (None, None) => (1, 1, "end of text".into()),
            (Some(n), Some(p)) if n.line > p.line => (p.line, p.end_column, "end of line".into()),
            (Some(n), _) => {
                let mut what = format!("`{}`", shorten(n.text));
                let lower = n.text.to_ascii_lowercase();
                if n.tok == Tok::Word && lower != n.text && is_keyword(&lower) {
                    what.push_str(&format!(" (keywords are written in lower case: `{lower}`)"));
                }
                (n.line, n.column, what)
            }
        }
    }

    fn expected(&self, what: &str) -> ParseError {
        let (line, column, found) = self.found();
        ParseError::new(line, column, format!("expected {what}, found {found}"))
    }

    /// `profile CODE "title"`.
    fn header(&mut self) -> Result<(String, String), ParseError> {
        match self.peek() {
            None => return Err(ParseError::new(1, 1, "the profile is empty; it starts with `profile CODE \"title\"`")),
            Some(t) if t.is_word("profile") => self.advance(),
            Some(_) => return Err(self.expected("`profile CODE \"title\"` at the start")),
        };
        let code = match self.peek() {
            Some(t) if t.tok == Tok::Word && !is_keyword(t.text) => t.clone(),
            _ => return Err(self.expected("the profile code, such as RP-ELEC-001, after `profile`")),
        };
        let well_formed = code.text.len() <= MAX_CODE_LEN
            && code.text.starts_with(|c: char| c.is_ascii_alphabetic())
            && !code.text.contains('.');
        if !well_formed {
            return Err(ParseError::new(
                code.line,
                code.column,
                format!(
                    "a profile code starts with a letter and has at most {MAX_CODE_LEN} letters, \
                     digits, `-` and `_`, such as RP-ELEC-001; found `{}`",
                    shorten(code.text)
                ),
            ));
        }
        self.advance();
        let title = self.text("the title in double quotes after the profile code")?;
        if title.1.trim().is_empty() {
            return Err(at(&title.0, "the title is empty; say in a few words what the profile looks for"));
        }
        Ok((code.text.to_string(), title.1))
    }

    /// The clauses after the header, in any order, each exactly once.
    fn clauses(&mut self) -> Result<Clauses, ParseError> {
        let (mut when, mut lane, mut instruction, mut valid) = (None, None, None, None);
        let mut just_read_condition = false;
        while let Some(token) = self.peek().cloned() {
            let word = if token.tok == Tok::Word { token.text } else { "" };
            match word {
                "when" => {
                    once(&when, &token)?;
                    self.advance();
                    when = Some((Condition::new(self.condition()?), token.line));
                }
                "lane" => {
                    once(&lane, &token)?;
                    self.advance();
                    lane = Some((self.lane()?, token.line));
                }
                "instruction" => {
                    once(&instruction, &token)?;
                    self.advance();
                    let (text_token, text) = self.text("the instruction in double quotes after `instruction`")?;
                    if text.trim().is_empty() {
                        return Err(at(&text_token, "the instruction is empty; say what the officer is to do"));
                    }
                    instruction = Some((text, token.line));
                }
                "valid" => {
                    once(&valid, &token)?;
                    self.advance();
                    valid = Some((self.validity()?, token.line));
                }
                _ if token.tok == Tok::RParen && just_read_condition => {
                    return Err(at(&token, "this `)` has no matching `(`"));
                }
                _ if just_read_condition => {
                    return Err(
                        self.expected("`and`, `or`, or a new line starting with `lane`, `instruction` or `valid`")
                    );
                }
                _ => {
                    return Err(self.expected("a line starting with `when`, `lane`, `instruction` or `valid`"));
                }
            }
            just_read_condition = word == "when";
        }
        let missing = |what: &str| {
            let (line, column) = self.prev().map_or((1, 1), |t| (t.line, t.end_column));
            ParseError::new(line, column, format!("the profile has no {what}"))
        };
        Ok(Clauses {
            when: when.ok_or_else(|| missing("`when` condition; add a line such as `when item.origin = \"CN\"`"))?.0,
            lane: lane.ok_or_else(|| missing("`lane`; add a line such as `lane yellow`"))?.0,
            instruction: instruction
                .ok_or_else(|| missing("`instruction`; add a line such as `instruction \"Check the invoice\"`"))?
                .0,
            valid: valid.ok_or_else(|| missing("validity; add a line such as `valid from 2026-01-01`"))?.0,
        })
    }

    fn text(&mut self, what: &str) -> Result<(Token<'a>, String), ParseError> {
        let Some(token) = self.peek().cloned() else {
            return Err(self.expected(what));
        };
        let Tok::Text(text) = &token.tok else {
            return Err(self.expected(what));
        };
        let text = text.clone();
        self.advance();
        Ok((token, text))
    }

    fn lane(&mut self) -> Result<Lane, ParseError> {
        match self.peek().cloned() {
            Some(token) if token.tok == Tok::Word => {
                self.advance();
                Lane::parse(token.text).ok_or_else(|| {
                    at(
                        &token,
                        &format!("unknown lane `{}`; the lanes are green, blue, yellow and red", shorten(token.text)),
                    )
                })
            }
            _ => Err(self.expected("a lane (green, blue, yellow or red) after `lane`")),
        }
    }

    /// `from DATE [to DATE]`, after `valid`.
    fn validity(&mut self) -> Result<(NaiveDate, Option<NaiveDate>), ParseError> {
        if !self.peek_is("from") {
            return Err(self.expected("`from` after `valid`"));
        }
        self.advance();
        let (_, from) = self.date()?;
        if !self.peek_is("to") {
            return Ok((from, None));
        }
        self.advance();
        let (to_token, to) = self.date()?;
        if to < from {
            return Err(at(&to_token, &format!("the end date {to} is before the start date {from}")));
        }
        Ok((from, Some(to)))
    }

    fn date(&mut self) -> Result<(Token<'a>, NaiveDate), ParseError> {
        match self.peek().cloned() {
            Some(token @ Token { tok: Tok::Date(date), .. }) => {
                self.advance();
                Ok((token, date))
            }
            _ => Err(self.expected(&format!("a date such as 2026-01-31 {}", self.after_prev()))),
        }
    }
}

fn at(token: &Token<'_>, message: &str) -> ParseError {
    ParseError::new(token.line, token.column, message)
}

/// Refuses a second clause of the same kind, pointing back at the first.
fn once<T>(seen: &Option<(T, u32)>, token: &Token<'_>) -> Result<(), ParseError> {
    match seen {
        Some((_, line)) => Err(at(token, &format!("`{}` appears twice; the first is on line {line}", token.text))),
        None => Ok(()),
    }
}

#[cfg(test)]
mod tests;
