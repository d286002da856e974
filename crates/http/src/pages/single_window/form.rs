//! What the Single Window's pages share: the agency a visitor works for, a refused form given
//! back with what was typed and the problem next to its field, the fields drawn with their
//! labels, and the reading of typed numbers, days and lists into the use cases' input.

use axum::http::StatusCode;
use chrono::NaiveDate;
use maud::{html, Markup};
use rust_decimal::Decimal;

use smartcustoms_core::access::Role;
use smartcustoms_core::permits::PermitStatus;

use crate::app::single_window::SingleWindowError;
use crate::auth::Caller;
use crate::error::ApiError;
use crate::i18n::{current, t, t_or, Lang};
use crate::pages::{PageError, Posted};

/// The code of the agency whose staff the visitor is (the error page for anyone else).
pub fn agency_of(caller: &Caller, here: &str) -> Result<String, PageError> {
    let action = "work on the Single Window's agency pages";
    caller.require(&[Role::Agency], action).map_err(PageError::at(here))?;
    match &caller.0.trader {
        Some(code) => Ok(code.to_string()),
        None => Err(PageError::at(here)(crate::app::Forbidden { role: caller.0.role.as_str(), action })),
    }
}

/// A form given back after a refusal: which form it was, what was typed, and what is wrong.
pub struct Refusal {
    /// Which form: its action, with the document or requirement it concerns (`amend:VET-1`).
    pub form: String,
    values: Vec<(String, String)>,
    /// The field the problem concerns; none: the problem concerns the whole form.
    field: Option<String>,
    message: Markup,
    /// The status of the page that gives the form back.
    pub status: StatusCode,
}

impl Refusal {
    /// A field of the form that does not read as what it should be (message `message_id`).
    pub fn unreadable(form: &str, posted: &Posted, field: &str, message_id: &str) -> Refusal {
        Refusal {
            form: form.to_string(),
            values: posted.fields().to_vec(),
            field: Some(field.to_string()),
            message: html! { (t_or(message_id, message_id)) },
            status: StatusCode::UNPROCESSABLE_ENTITY,
        }
    }

    /// A problem with the whole form, said in the request's language.
    pub fn whole(form: &str, posted: &Posted, message: String, status: StatusCode) -> Refusal {
        Refusal {
            form: form.to_string(),
            values: posted.fields().to_vec(),
            field: None,
            message: html! { (message) },
            status,
        }
    }

    /// What the use case refused: a field's problem goes next to that field when the form has
    /// one of that name (`fields`), anything else above the form. A failure that is not the
    /// visitor's to correct (a role, the store) is the error page.
    pub fn of(
        e: SingleWindowError,
        form: &str,
        posted: &Posted,
        fields: &[&str],
        here: &str,
    ) -> Result<Refusal, PageError> {
        let whole = |error: ApiError, status| Refusal::whole(form, posted, super::super::errors::text(&error), status);
        match e {
            SingleWindowError::Invalid(name, detail) if fields.contains(&name) => Ok(Refusal {
                form: form.to_string(),
                values: posted.fields().to_vec(),
                field: Some(name.to_string()),
                message: detail_in_english(&detail),
                status: StatusCode::UNPROCESSABLE_ENTITY,
            }),
            SingleWindowError::Invalid(name, detail) => {
                Ok(whole(ApiError::BadParameter(name, detail), StatusCode::UNPROCESSABLE_ENTITY))
            }
            SingleWindowError::NotFound(m) => Ok(whole(ApiError::NotFound(m), StatusCode::NOT_FOUND)),
            SingleWindowError::Refused(m) => Ok(whole(ApiError::Conflict(m), StatusCode::CONFLICT)),
            e @ (SingleWindowError::Forbidden(_) | SingleWindowError::Store(_)) => Err(PageError::at(here)(e)),
        }
    }
}

/// A field's problem as the use case states it: in English it is said as it is; another
/// language says that the value does not fit and keeps the detail, marked as English.
fn detail_in_english(detail: &str) -> Markup {
    match current() {
        Lang::En => html! { (detail) },
        _ => html! { (t("sw-field-problem")) " " span lang="en" { "(" (detail) ")" } },
    }
}

/// How a field is typed in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// Free text.
    Text,
    /// A number with decimals.
    Decimal,
    /// A day, `YYYY-MM-DD`.
    Day,
    /// A list of codes, separated by commas or spaces, with an example.
    Codes(&'static str),
    /// Text with suggestions from the `<datalist>` of this id.
    Suggested(&'static str),
}

/// The fields of one form as drawn: each with its label and what was typed (or its first
/// value) and, when this form was refused, the problem next to the field it concerns.
pub struct Fields<'a> {
    prefix: String,
    refusal: Option<&'a Refusal>,
}

impl<'a> Fields<'a> {
    /// The fields of form `form`, their element ids starting with `prefix`; `refusal` is the
    /// form given back, if any (it applies only when it is this form).
    pub fn new(prefix: impl Into<String>, form: &str, refusal: Option<&'a Refusal>) -> Fields<'a> {
        Fields { prefix: prefix.into(), refusal: refusal.filter(|r| r.form == form) }
    }

    /// The element id of field `name`.
    pub fn id(&self, name: &str) -> String {
        format!("{}-{name}", self.prefix)
    }

    fn value(&self, name: &str, first: &str) -> String {
        match self.refusal {
            Some(r) => r.values.iter().find(|(k, _)| k == name).map(|(_, v)| v.clone()).unwrap_or_default(),
            None => first.to_string(),
        }
    }

    fn error(&self, name: &str) -> Option<&Markup> {
        self.refusal.filter(|r| r.field.as_deref() == Some(name)).map(|r| &r.message)
    }

    /// One field: its label (with the problem, if any), and its input holding what was typed.
    pub fn input(&self, name: &str, label: &str, first: &str, kind: Kind) -> Markup {
        let id = self.id(name);
        let error = self.error(name);
        let described = error.map(|_| format!("{id}-error"));
        let (mode, placeholder, list) = match kind {
            Kind::Decimal => (Some("decimal"), None, None),
            Kind::Day => (None, Some("YYYY-MM-DD"), None),
            Kind::Codes(example) => (None, Some(example), None),
            Kind::Suggested(list) => (None, None, Some(list)),
            Kind::Text => (None, None, None),
        };
        html! {
            div.field {
                label for=(id) {
                    (label)
                    @if let Some(e) = error { " " span.field-error id=[described.as_deref()] { (e) } }
                }
                input type="text" id=(id) name=(name) value=(self.value(name, first)) inputmode=[mode]
                    placeholder=[placeholder] list=[list]
                    aria-invalid=[error.map(|_| "true")] aria-describedby=[described.as_deref()];
            }
        }
    }

    /// The problem with the whole form, when this form was refused for one.
    pub fn problem(&self) -> Markup {
        html! {
            @if let Some(r) = self.refusal.filter(|r| r.field.is_none()) {
                p.error id=(self.id("problem")) role="alert" { (r.message) }
            }
        }
    }
}

/// A number as typed: spaces dropped, a decimal comma read as a point.
pub fn decimal(text: &str) -> Option<Decimal> {
    let mut plain: String = text.chars().filter(|c| !c.is_whitespace()).collect();
    if !plain.contains('.') {
        plain = plain.replace(',', ".");
    }
    plain.parse::<Decimal>().ok()
}

/// A day as typed: `2026-12-03`, or `03.12.2026` as Russian writes it.
pub fn day(text: &str) -> Option<NaiveDate> {
    let text = text.trim();
    NaiveDate::parse_from_str(text, "%Y-%m-%d").or_else(|_| NaiveDate::parse_from_str(text, "%d.%m.%Y")).ok()
}

/// A list as typed: the items between commas, semicolons and spaces.
pub fn codes(text: &str) -> Vec<String> {
    text.split([',', ';', ' ', '\t', '\n', '\r']).filter(|c| !c.is_empty()).map(str::to_string).collect()
}

/// A document's status as a label.
pub fn status(s: PermitStatus) -> Markup {
    html! { span class={"status sw-" (s.as_str())} data-status=(s.as_str()) { (t_or(&format!("sw-status-{}", s.as_str()), s.as_str())) } }
}

/// A quantity the API gives as decimal text, as the request's language writes it.
pub fn quantity(text: &str) -> String {
    crate::i18n::number_text(text)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::app::single_window::FIELDS;
    use crate::i18n::has_message;

    /// The messages the pages name by a code (a status, a change, a draw's state, a field of
    /// the competence) are in both catalogues.
    #[test]
    fn every_message_named_by_a_code_is_in_both_catalogues() {
        let mut named: Vec<String> = ["active", "suspended", "revoked"].map(|s| format!("sw-status-{s}")).into();
        for change in ["suspend", "reinstate", "revoke"] {
            named.push(format!("sw-{change}"));
            named.push(format!("sw-reason-{change}"));
        }
        named.extend(["reserved", "drawn", "restored"].map(|s| format!("sw-draw-{s}")));
        named.extend(std::iter::once("sequence").chain(FIELDS).map(|f| format!("sw-field-{f}")));
        named.extend(["sw-not-a-number", "sw-not-a-day"].map(String::from));
        for lang in Lang::ALL {
            let missing: Vec<&String> = named.iter().filter(|id| !has_message(lang, id)).collect();
            assert!(missing.is_empty(), "{lang:?}: {missing:?}");
        }
    }

    #[test]
    fn typed_numbers_days_and_lists_are_read_as_people_write_them() {
        assert_eq!(decimal(" 12,5 "), Some(Decimal::new(125, 1)));
        assert_eq!(decimal("1 200.25"), Some(Decimal::new(120025, 2)));
        assert_eq!(decimal("-3"), Some(Decimal::from(-3)));
        assert_eq!(decimal("a lot"), None);
        assert_eq!(day("2026-12-03"), NaiveDate::from_ymd_opt(2026, 12, 3));
        assert_eq!(day("03.12.2026"), NaiveDate::from_ymd_opt(2026, 12, 3));
        assert_eq!(day("tomorrow"), None);
        assert_eq!(codes("0207, 0210;0301  16"), ["0207", "0210", "0301", "16"]);
        assert!(codes(" ,, ").is_empty());
    }
}
