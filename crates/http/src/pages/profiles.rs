//! The risk analysts' profile editor: the profiles in force, and a text checked (errors with
//! line and column), previewed on the declarations of the last days (how many it fires on,
//! which lanes would change) and saved as the profile's next version.

use axum::extract::rejection::FormRejection;
use axum::extract::{Form, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect};
use maud::{html, Markup};
use serde::Deserialize;

use super::{column_heads, csrf_field, layout, posted, signed_in, PageError, PageResult};
use crate::app::profiles::{self, Preview, ProfileError, MAX_PREVIEW_DAYS};
use crate::app::risk::ReplaySide;
use crate::auth::Caller;
use crate::error::ApiError;
use crate::i18n::{t, t_with};
use crate::state::AppState;

const HERE: &str = "/console/profiles";

/// A new profile's starting text: the keywords of the profile language stay as they are, the
/// quoted texts for people are in the visitor's language.
fn template() -> String {
    format!(
        "profile RP-NEW \"{}\"\nwhen item.origin = \"CN\" and item.customs_value > 10000\nlane yellow\ninstruction \"{}\"\nvalid from 2026-01-01\n",
        t("prof-template-title"),
        t("prof-template-instruction")
    )
}

/// Which profile the editor opens, and the version just saved.
#[derive(Debug, Deserialize)]
pub struct Open {
    code: Option<String>,
    saved: Option<i64>,
}

/// What the editor shows besides the text.
enum Outcome {
    None,
    Saved(i64),
    Preview(Box<Preview>),
    Problem(String),
}

/// `GET /console/profiles`.
pub async fn page(State(state): State<AppState>, caller: Option<Caller>, Query(open): Query<Open>) -> PageResult {
    let caller = signed_in(caller, HERE)?;
    crate::app::require(&caller.0, profiles::WRITERS, "write risk profiles")
        .map_err(|f| PageError::at(HERE)(ApiError::from(f)))?;
    let current = state.store.current_profiles().await.map_err(PageError::at(HERE))?;
    let text = open
        .code
        .as_deref()
        .and_then(|code| current.iter().find(|p| p.code == code))
        .map(|p| p.source.clone())
        .unwrap_or_else(template);
    let outcome = open.saved.map_or(Outcome::None, Outcome::Saved);
    render(&state, &caller, &text, 30, outcome, StatusCode::OK).await
}

/// `POST /console/profiles`: preview or save the text.
pub async fn submit(
    State(state): State<AppState>,
    caller: Option<Caller>,
    form: Result<Form<Vec<(String, String)>>, FormRejection>,
) -> PageResult {
    let posted = posted(caller, form, HERE)?;
    let caller = &posted.caller;
    let text = posted.field("text").replace("\r\n", "\n");
    let days = posted.field("days").trim().parse::<i64>().unwrap_or(30);
    let result = match posted.field("action") {
        "save" => match profiles::save(&state, &caller.0, &text).await {
            Ok(r) => return Ok(Redirect::to(&format!("{HERE}?code={}&saved={}", r.code, r.version)).into_response()),
            Err(e) => Err(e),
        },
        _ => profiles::preview(&state, &caller.0, &text, days, chrono::Utc::now()).await,
    };
    let (outcome, status) = match result {
        Ok(preview) => (Outcome::Preview(Box::new(preview)), StatusCode::OK),
        Err(ProfileError::Syntax(m)) => (Outcome::Problem(m), StatusCode::UNPROCESSABLE_ENTITY),
        Err(e) => return Err(PageError::at(HERE)(e)),
    };
    render(&state, caller, &text, days, outcome, status).await
}

fn side(label: &str, s: &ReplaySide) -> Markup {
    html! {
        tr {
            th scope="row" { (label) }
            td { (s.lanes.green) } td { (s.lanes.blue) } td { (s.lanes.yellow) } td { (s.lanes.red) }
            td { (s.irregular_caught) } td { (s.irregular_missed) }
        }
    }
}

async fn render(
    state: &AppState,
    caller: &Caller,
    text: &str,
    days: i64,
    outcome: Outcome,
    status: StatusCode,
) -> PageResult {
    let current = state.store.current_profiles().await.map_err(PageError::at(HERE))?;
    let body = html! {
        h1 { (t("nav-risk-profiles")) }
        table #profiles {
            (column_heads(&[&t("decl-col-profile"), &t("models-col-version"), &t("prof-col-author"), ""]))
            tbody { @for p in &current {
                tr { td { code { (p.code) } } td { (p.version) } td { (p.author) }
                    td { a href={(HERE) "?code=" (p.code)} aria-label=(t_with("prof-edit-label", &[("code", p.code.clone().into())])) { (t("prof-edit")) } } }
            } }
        }
        p { a href=(HERE) { (t("prof-new")) } }
        h2 #editor-title { (t("prof-editor")) }
        @match &outcome {
            Outcome::Saved(v) => { p #saved role="status" { (t_with("prof-saved", &[("version", (*v).into())])) } }
            Outcome::Preview(p) => {
                section #preview aria-labelledby="preview-title" {
                    h3 #preview-title { (t("prof-preview-of")) " " code { (p.code) } " " (t_with("prof-preview-days", &[("days", p.days.into())])) }
                    p #preview-hits { (t("prof-fires-on")) " " strong { (p.hits) } " "
                        (t_with("prof-of-declarations", &[("count", p.report.declarations.into())])) " "
                        strong { (p.report.changed) } " " (t("prof-would-change")) }
                    table {
                        (column_heads(&["", &t("prof-green"), &t("prof-blue"), &t("prof-yellow"), &t("prof-red"), &t("prof-caught"), &t("prof-missed")]))
                        tbody { (side(&t("prof-as-decided"), &p.report.actual)) (side(&t("prof-with-text"), &p.report.replayed)) }
                    }
                }
            }
            _ => {}
        }
        form.stack #profile-form method="post" action=(HERE) {
            (csrf_field(caller))
            label for="text" { (t("prof-text"))
                @if let Outcome::Problem(m) = &outcome { span.field-error #error-text role="alert" { (m) } } }
            textarea #text name="text" rows="10" spellcheck="false" { (text) }
            label for="days" { (t_with("prof-days", &[("max", MAX_PREVIEW_DAYS.into())])) }
            input #days type="number" name="days" min="1" max=(MAX_PREVIEW_DAYS) value=(days);
            p { button type="submit" name="action" value="preview" { (t("prof-preview")) } " "
                button type="submit" name="action" value="save" { (t("prof-save")) } }
        }
        p.muted { (t("prof-note")) }
    };
    Ok((status, layout(&t("nav-risk-profiles"), Some(caller), body)).into_response())
}

#[cfg(test)]
mod tests {
    use super::template;
    use crate::i18n::{in_language, Lang};

    /// The template parses in every language, with its title and instruction in that language.
    #[test]
    fn the_template_parses_in_every_language() {
        for lang in Lang::ALL {
            let text = in_language(lang, template);
            let parsed = smartcustoms_core::risk::parse_profile(&text, 1);
            let Ok(profile) = parsed else { panic!("the {} template does not parse: {parsed:?}\n{text}", lang.code()) };
            assert_eq!(profile.code, "RP-NEW");
            assert_eq!(profile.title, in_language(lang, || crate::i18n::t("prof-template-title")));
            assert_eq!(profile.instruction, in_language(lang, || crate::i18n::t("prof-template-instruction")));
        }
        let ru = in_language(Lang::Ru, template);
        assert!(ru.contains("\"Что ищет этот профиль\""), "{ru}");
        assert!(ru.contains("lane yellow") && ru.starts_with("profile RP-NEW"), "{ru}");
    }
}
