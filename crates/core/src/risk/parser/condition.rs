//! The `when` condition: operands joined by `and` or `or`, `not`, parentheses and tests.
//!
//! Each test is typed here: the operator must suit the field's type and every value must have
//! that type and belong to the field's code list, so evaluation never meets a mismatch.

use rust_decimal::Decimal;

use super::{at, is_keyword, Parser, MAX_DEPTH};
use crate::risk::ast::{CmpOp, Expr, Field, FieldType, Op, Test};
use crate::risk::domain::{check_prefix, check_value, shorten};
use crate::risk::error::ParseError;
use crate::risk::lexer::{Tok, Token};

/// A literal as read, before it is placed into a typed [`Op`].
enum Value {
    Text(String),
    Number(Decimal),
}

impl<'a> Parser<'a> {
    /// Operands joined by one kind of connective. Mixing `and` and `or` at one level is refused
    /// rather than resolved by precedence, which analysts would have to remember.
    pub(super) fn condition(&mut self) -> Result<Expr, ParseError> {
        let first = self.operand()?;
        let mut rest = Vec::new();
        let mut joiner: Option<&'static str> = None;
        while let Some(token) = self.peek().cloned() {
            let word = match token.text {
                "and" if token.tok == Tok::Word => "and",
                "or" if token.tok == Tok::Word => "or",
                _ => break,
            };
            if let Some(previous) = joiner.filter(|j| *j != word) {
                return Err(at(
                    &token,
                    &format!(
                        "`{word}` after `{previous}` needs parentheses: write \
                         `(… {previous} …) {word} …` or `… {previous} (… {word} …)`"
                    ),
                ));
            }
            joiner = Some(word);
            self.advance();
            rest.push(self.operand()?);
        }
        if rest.is_empty() {
            return Ok(first);
        }
        rest.insert(0, first);
        Ok(if joiner == Some("and") { Expr::All(rest) } else { Expr::Any(rest) })
    }

    /// `not operand`, `( condition )` or a test.
    fn operand(&mut self) -> Result<Expr, ParseError> {
        let Some(token) = self.peek().cloned() else {
            return Err(self.expected_operand());
        };
        if token.is_word("not") || token.tok == Tok::LParen {
            self.depth += 1;
            if self.depth > MAX_DEPTH {
                return Err(at(
                    &token,
                    &format!(
                        "the condition is nested too deeply \
                         (more than {MAX_DEPTH} levels of `(` and `not`)"
                    ),
                ));
            }
            self.advance();
            let inner = if token.tok == Tok::LParen {
                let inner = self.condition()?;
                if !self.peek().is_some_and(|t| t.tok == Tok::RParen) {
                    let (line, column) = (token.line, token.column);
                    return Err(self.expected(&format!("`)` to close the `(` of line {line}, column {column}")));
                }
                self.advance();
                inner
            } else {
                Expr::Not(Box::new(self.operand()?))
            };
            self.depth -= 1;
            return Ok(inner);
        }
        if token.tok == Tok::Word && !is_keyword(token.text) {
            self.advance();
            let field = Field::parse(token.text).ok_or_else(|| unknown_field(&token))?;
            return self.test(field).map(Expr::Test);
        }
        Err(self.expected_operand())
    }

    fn expected_operand(&self) -> ParseError {
        self.expected(&format!("a field (such as `item.origin`), `not` or `(` {}", self.after_prev()))
    }

    /// The part of a test after the field name.
    fn test(&mut self, field: Field) -> Result<Test, ParseError> {
        let operators = "`=`, `!=`, `<`, `<=`, `>`, `>=`, `in`, `starts with` or `contains`";
        let negated = self.peek_is("not");
        if negated {
            self.advance();
        }
        let Some(op_token) = self.peek().cloned() else {
            return Err(self.expected(&format!("{operators} {}", self.after_prev())));
        };
        let (name, kind) = (field.name(), field.field_type());
        let op = match (&op_token.tok, op_token.text) {
            (Tok::Cmp(_), _) | (Tok::Word, "in" | "starts") if kind == FieldType::CodeList => {
                return Err(at(
                    &op_token,
                    &format!(
                        "`{name}` is a list of document codes; test it with \
                         `{name} contains \"N954\"` or `{name} not contains \"N954\"`"
                    ),
                ));
            }
            (Tok::Cmp(cmp), _) if !negated => {
                let cmp = *cmp;
                if kind == FieldType::Text && !matches!(cmp, CmpOp::Eq | CmpOp::Ne) {
                    return Err(at(
                        &op_token,
                        &format!(
                            "`{}` compares numbers, but `{name}` is text; \
                             use `=`, `!=`, `in` or `starts with`",
                            cmp.symbol()
                        ),
                    ));
                }
                self.advance();
                return Ok(match self.exact_value(field)? {
                    Value::Text(t) => Test { field, negated: cmp == CmpOp::Ne, op: Op::TextEq(t) },
                    Value::Number(n) => Test { field, negated: false, op: Op::NumCmp(cmp, n) },
                });
            }
            (Tok::Word, "starts" | "contains") if kind == FieldType::Number => {
                let op = if op_token.text == "starts" { "starts with" } else { "contains" };
                return Err(at(&op_token, &format!("`{op}` works on text, but `{name}` is a number")));
            }
            (Tok::Word, "in") => {
                self.advance();
                let values = self.list(field, Self::exact_value)?;
                let (mut texts, mut numbers) = (Vec::new(), Vec::new());
                for value in values {
                    match value {
                        Value::Text(t) => texts.push(t),
                        Value::Number(n) => numbers.push(n),
                    }
                }
                if kind == FieldType::Number {
                    Op::NumIn(numbers)
                } else {
                    Op::TextIn(texts)
                }
            }
            (Tok::Word, "starts") => {
                self.advance();
                if !self.peek_is("with") {
                    return Err(self.expected("`with` after `starts`"));
                }
                self.advance();
                Op::StartsWith(self.texts(field, check_prefix)?)
            }
            (Tok::Word, "contains") => {
                self.advance();
                let needles = if kind == FieldType::CodeList {
                    self.texts(field, check_value)?
                } else {
                    self.texts(field, |_, _| Ok(()))?
                };
                if kind == FieldType::CodeList {
                    Op::Has(needles)
                } else {
                    // Lower-cased once here so that evaluation only lower-cases the field.
                    let lower = |n: &String| n.chars().flat_map(char::to_lowercase).collect();
                    Op::Contains(needles.iter().map(lower).collect())
                }
            }
            _ if negated => return Err(self.expected("`in`, `starts with` or `contains` after `not`")),
            _ => return Err(self.expected(&format!("{operators} {}", self.after_prev()))),
        };
        Ok(Test { field, negated, op })
    }

    /// One value for `field`, of the field's type.
    fn value(&mut self, field: Field) -> Result<(Token<'a>, Value), ParseError> {
        let what = format!("a value {}", self.after_prev());
        let Some(token) = self.peek().cloned() else {
            return Err(self.expected(&what));
        };
        let name = field.name();
        let value = match (&token.tok, field.field_type()) {
            (Tok::Text(text), FieldType::Number) => {
                let hint = if text.parse::<Decimal>().is_ok() {
                    format!("write {text} without quotes")
                } else {
                    "compare it with a number such as 40".into()
                };
                return Err(at(&token, &format!("`{name}` is a number: {hint}")));
            }
            (Tok::Number(_), FieldType::Text | FieldType::CodeList) => {
                let message = format!("`{name}` is text: write the value in double quotes, \"{}\"", token.text);
                return Err(at(&token, &message));
            }
            (Tok::Word, FieldType::Text | FieldType::CodeList) if !is_keyword(token.text) => {
                let (line, column, found) = self.found();
                let message = format!(
                    "expected {what}, found {found}; text values go in double quotes: \"{}\"",
                    shorten(token.text)
                );
                return Err(ParseError::new(line, column, message));
            }
            (Tok::Text(text), _) => Value::Text(text.clone()),
            (Tok::Number(n), _) => Value::Number(*n),
            _ => return Err(self.expected(&what)),
        };
        self.advance();
        Ok((token, value))
    }

    /// A value compared exactly (`=`, `!=`, `in`), so a text must be in the field's code list.
    fn exact_value(&mut self, field: Field) -> Result<Value, ParseError> {
        let (token, value) = self.value(field)?;
        if let Value::Text(text) = &value {
            check_value(field, text).map_err(|message| at(&token, &message))?;
        }
        Ok(value)
    }

    /// `[v, v, …]`: at least one value, a trailing comma allowed.
    fn list<T>(
        &mut self,
        field: Field,
        mut item: impl FnMut(&mut Self, Field) -> Result<T, ParseError>,
    ) -> Result<Vec<T>, ParseError> {
        let example = match field.field_type() {
            FieldType::Number => "[1, 2]",
            FieldType::Text | FieldType::CodeList => "[\"CN\", \"HK\"]",
        };
        let open = match self.peek() {
            Some(t) if t.tok == Tok::LBracket => t.clone(),
            _ => {
                let what = format!("a list such as {example} {}", self.after_prev());
                return Err(self.expected(&what));
            }
        };
        self.advance();
        if self.peek().is_some_and(|t| t.tok == Tok::RBracket) {
            return Err(at(&open, "the list is empty; put at least one value between `[` and `]`"));
        }
        let mut values = Vec::new();
        loop {
            values.push(item(self, field)?);
            match self.peek().map(|t| &t.tok) {
                Some(Tok::Comma) => {
                    self.advance();
                    if self.peek().is_some_and(|t| t.tok == Tok::RBracket) {
                        self.advance();
                        return Ok(values);
                    }
                }
                Some(Tok::RBracket) => {
                    self.advance();
                    return Ok(values);
                }
                _ => return Err(self.expected(&format!("`,` or `]` {}", self.after_prev()))),
            }
        }
    }

    /// A text or a list of texts, for `starts with` and `contains`. An empty text would match
    /// everything, which is never what the analyst meant.
    fn texts(
        &mut self,
        field: Field,
        check: impl Fn(Field, &str) -> Result<(), String>,
    ) -> Result<Vec<String>, ParseError> {
        let one_text = |parser: &mut Self, field: Field| {
            let (token, value) = parser.value(field)?;
            let Value::Text(text) = value else {
                return Err(at(&token, "expected a text in double quotes"));
            };
            if text.is_empty() {
                return Err(at(&token, "an empty text matches everything; write the text to look for"));
            }
            check(field, &text).map_err(|message| at(&token, &message))?;
            Ok(text)
        };
        if self.peek().is_some_and(|t| t.tok == Tok::LBracket) {
            self.list(field, one_text)
        } else {
            one_text(self, field).map(|text| vec![text])
        }
    }
}

/// Names an unknown field and, when there is one, the field the analyst probably meant.
fn unknown_field(token: &Token<'_>) -> ParseError {
    let word = shorten(token.text);
    let message = match Field::closest(token.text) {
        Some(field) => format!("unknown field `{word}`; did you mean `{}`?", field.name()),
        None => format!("unknown field `{word}`; the fields are listed in docs/risk-language.md"),
    };
    at(token, &message)
}
