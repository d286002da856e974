//! The administrator's forms on the centres' page: create or change a declaration centre, an
//! inspector (centre, competences, leave) and a new version of the dispatch rules, written as
//! JSON (a syntax error is given with its line and column, every other problem listed). The
//! same use cases as `PUT /api/v1/centres/{code}`, `PUT /api/v1/inspectors/{user}` and
//! `POST /api/v1/dispatch/rules`.

use axum::extract::rejection::FormRejection;
use axum::extract::{Form, State};
use axum::http::StatusCode;
use chrono::{NaiveDate, TimeDelta};
use maud::{html, Markup};

use smartcustoms_core::access::Role;
use smartcustoms_core::dispatch::{Centre, Inspector, Rules};
use smartcustoms_core::ids::OfficeCode;
use smartcustoms_core::timestamp::Timestamp;

use super::{csrf_field, posted, PageError, PageResult};
use crate::app::dispatch::{self, DispatchError, Setup};
use crate::auth::Caller;
use crate::i18n::{t, t_with, Phrase};
use crate::state::AppState;

/// Where the forms post.
pub const HERE: &str = "/console/centres";

/// What the page says after a change: the text, whether it is a problem, and the fields of
/// the form to give back.
pub struct Said {
    /// The text.
    pub text: String,
    /// A problem (nothing was changed).
    pub bad: bool,
    /// The posted fields, given back after a problem.
    pub kept: Vec<(String, String)>,
}

impl Said {
    fn kept(&self, name: &str) -> Option<&str> {
        self.kept.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str())
    }
}

/// `POST /console/centres`: an administrator changes a centre, an inspector or the rules.
pub async fn post(
    State(state): State<AppState>,
    caller: Option<Caller>,
    form: Result<Form<Vec<(String, String)>>, FormRejection>,
) -> PageResult {
    let posted = posted(caller, form, HERE)?;
    posted.caller.require(&[Role::Admin], "change the dispatch set-up").map_err(PageError::at(HERE))?;
    let who = &posted.caller.0;
    let done = match posted.field("action") {
        "centre" => {
            let office = Some(posted.field("office").trim()).filter(|o| !o.is_empty());
            match office.map(OfficeCode::parse).transpose() {
                Err(e) => Err(DispatchError::Invalid(vec![Phrase::new("dispatch-office").with("detail", e)])),
                Ok(office) => {
                    let code = posted.field("code").trim().to_string();
                    let centre = Centre {
                        code: code.clone(),
                        name: posted.field("name").trim().into(),
                        office: office.map(|o| o.to_string()),
                    };
                    dispatch::put_centre(&state, who, &centre)
                        .await
                        .map(|()| t_with("centres-saved", &[("code", code.into())]))
                }
            }
        }
        "inspector" => match leave(posted.field("leave_from"), posted.field("leave_until")) {
            Err(problem) => Err(DispatchError::Invalid(vec![problem])),
            Ok((leave_from_us, leave_until_us)) => {
                let user = posted.field("user").trim().to_string();
                let inspector = Inspector {
                    user: user.clone(),
                    centre: posted.field("centre").trim().into(),
                    competences: posted
                        .field("competences")
                        .split(',')
                        .map(str::trim)
                        .filter(|c| !c.is_empty())
                        .map(String::from)
                        .collect(),
                    leave_from_us,
                    leave_until_us,
                };
                dispatch::put_inspector(&state, who, &inspector)
                    .await
                    .map(|()| t_with("centres-inspector-saved", &[("user", user.into())]))
            }
        },
        "rules" => match serde_json::from_str::<Rules>(posted.field("rules")) {
            Err(e) => Err(DispatchError::Invalid(vec![Phrase::new("centres-rules-syntax")
                .with("line", e.line())
                .with("column", e.column())
                .with("problem", e)])),
            Ok(rules) => dispatch::put_rules(&state, who, &rules, Timestamp::now())
                .await
                .map(|version| t_with("centres-rules-saved", &[("version", version.into())])),
        },
        other => {
            Err(DispatchError::Invalid(vec![Phrase::new("org-not-an-action").with("action", format!("{other:?}"))]))
        }
    };
    let said = match done {
        Ok(text) => Said { text, bad: false, kept: Vec::new() },
        Err(DispatchError::Invalid(problems)) => {
            let kept = posted.fields().to_vec();
            Said { text: problems.iter().map(Phrase::localised).collect::<Vec<_>>().join("; "), bad: true, kept }
        }
        Err(e) => return Err(PageError::at(HERE)(e)),
    };
    let status = if said.bad { StatusCode::UNPROCESSABLE_ENTITY } else { StatusCode::OK };
    let mut page = super::centres::render(&state, &posted.caller, Some(said)).await?;
    *page.status_mut() = status;
    Ok(page)
}

/// A leave from a first to a last day (both included; both or neither given).
fn leave(from: &str, until: &str) -> Result<(Option<Timestamp>, Option<Timestamp>), Phrase> {
    let day = |field: &'static str, text: &str| {
        NaiveDate::parse_from_str(text.trim(), "%Y-%m-%d")
            .map_err(|_| Phrase::new("dispatch-not-a-day").with("field", field).with("text", format!("{text:?}")))
    };
    match (from.trim().is_empty(), until.trim().is_empty()) {
        (true, true) => Ok((None, None)),
        (false, false) => {
            let (from, until) = (day("leave_from", from)?, day("leave_until", until)?);
            Ok((Some(Timestamp::start_of(from)), Some(Timestamp::start_of(until) + TimeDelta::days(1))))
        }
        _ => Err(Phrase::new("dispatch-leave-days")),
    }
}

/// The forms, for administrators (nothing for other readers).
pub fn forms(caller: &Caller, setup: &Setup, said: Option<&Said>) -> Markup {
    if caller.0.role != Role::Admin {
        return html! {};
    }
    let kept = |form: &str, name: &str| {
        said.filter(|s| s.bad && s.kept("action") == Some(form)).and_then(|s| s.kept(name)).unwrap_or("").to_string()
    };
    let rules_text = match kept("rules", "rules") {
        text if !text.is_empty() => text,
        _ => {
            setup.rules.as_ref().and_then(|r| serde_json::to_string_pretty(&r.rules).ok()).unwrap_or_else(example_rules)
        }
    };
    html! {
        section #setup {
            h2 { (t("centres-setup")) }
            h3 { (t("centres-centre-title")) }
            form.stack #centre-form method="post" action=(HERE) {
                (csrf_field(caller)) input type="hidden" name="action" value="centre";
                label for="c-code" { (t("centres-field-code")) } input #c-code type="text" name="code" value=(kept("centre", "code")) required;
                label for="c-name" { (t("centres-field-name")) } input #c-name type="text" name="name" value=(kept("centre", "name")) required;
                label for="c-office" { (t("centres-field-office")) } input #c-office type="text" name="office" value=(kept("centre", "office"));
                p { button type="submit" { (t("centres-save")) } }
            }
            h3 { (t("centres-inspector-title")) }
            form.stack #inspector-form method="post" action=(HERE) {
                (csrf_field(caller)) input type="hidden" name="action" value="inspector";
                label for="i-user" { (t("centres-field-user")) } input #i-user type="text" name="user" value=(kept("inspector", "user")) required;
                label for="i-centre" { (t("queue-col-centre")) }
                select #i-centre name="centre" { @for c in &setup.centres {
                    option value=(c.code) selected[kept("inspector", "centre") == c.code] { (c.code) " — " (c.name) }
                } }
                label for="i-competences" { (t("centres-field-competences")) }
                input #i-competences type="text" name="competences" value=(kept("inspector", "competences"));
                label for="i-from" { (t("centres-field-leave-from")) } input #i-from type="date" name="leave_from" value=(kept("inspector", "leave_from"));
                label for="i-until" { (t("centres-field-leave-until")) } input #i-until type="date" name="leave_until" value=(kept("inspector", "leave_until"));
                p { button type="submit" { (t("centres-save")) } }
            }
            h3 { (t("centres-rules-title")) }
            form.stack #rules-form method="post" action=(HERE) {
                (csrf_field(caller)) input type="hidden" name="action" value="rules";
                label for="r-rules" { (t("centres-field-rules")) }
                textarea #r-rules name="rules" rows="16" spellcheck="false" { (rules_text) }
                p { button type="submit" { (t("centres-save-rules")) } }
            }
        }
    }
}

/// The rules offered before any were written.
fn example_rules() -> String {
    let example = serde_json::json!({
        "rules": [{"name": "excisable goods", "when": {"hs_prefixes": ["2203", "2208", "24"]}, "centre": "EDC-EXCISE", "requires": ["excise"]}],
        "default_centre": "EDC-MAIN",
    });
    serde_json::to_string_pretty(&example).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_leave_has_both_days_or_none_and_ends_after_its_last_day() {
        assert_eq!(leave("", " "), Ok((None, None)));
        assert!(leave("2026-12-01", "").is_err());
        assert!(leave("1 Dec", "2026-12-05").is_err_and(|e| e.to_string().starts_with("leave_from")));
        let (from, until) = leave("2026-12-01", "2026-12-05").unwrap_or_default();
        let day = |d| Timestamp::start_of(NaiveDate::from_ymd_opt(2026, 12, d).unwrap_or_default());
        assert_eq!((from, until), (Some(day(1)), Some(day(6))));
    }
}
