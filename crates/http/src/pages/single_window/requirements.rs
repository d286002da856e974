//! `/agency/requirements`: which goods need which document of the agency, the form that adds a
//! requirement and, on each, the form that ends it (`app::single_window::add_requirement` and
//! `end_requirement`, as `POST /api/v1/agencies/{code}/requirements` and `…/{id}/end`).

use axum::extract::rejection::FormRejection;
use axum::extract::{Form, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect};
use maud::{html, Markup};

use smartcustoms_core::codes::DOCUMENT_TYPES;
use smartcustoms_core::permits::{OnMissing, Requirement};

use super::form::{agency_of, codes, day, Fields, Kind, Refusal};
use crate::app::single_window::{self as sw, RequirementDoc, SingleWindowError};
use crate::auth::Caller;
use crate::i18n::{t, t_with};
use crate::pages::{column_heads, csrf_field, layout, posted, signed_in, PageError, PageResult, Posted};
use crate::state::AppState;

const HERE: &str = "/agency/requirements";

/// The fields of the form that adds a requirement, named as `RequirementDoc` names them.
const ADD: [&str; 7] = ["document_kind", "hs_prefix", "origins", "procedures", "valid_from", "valid_to", "on_missing"];

/// `GET /agency/requirements`.
pub async fn page(State(state): State<AppState>, caller: Option<Caller>) -> PageResult {
    let caller = signed_in(caller, HERE)?;
    render(&state, &caller, None).await
}

/// `POST /agency/requirements`: add a requirement, or end one (the hidden field `action` says
/// which). Done: back to the page; refused: the page with the form as typed.
pub async fn post(
    State(state): State<AppState>,
    caller: Option<Caller>,
    form: Result<Form<Vec<(String, String)>>, FormRejection>,
) -> PageResult {
    let posted = posted(caller, form, HERE)?;
    let agency = agency_of(&posted.caller, HERE)?;
    let done = match posted.field("action") {
        "add" => add(&state, &posted, &agency).await?,
        "end" => end(&state, &posted, &agency).await?,
        other => {
            let said = t_with("org-not-an-action", &[("action", format!("{other:?}").into())]);
            Err(Refusal::whole("", &posted, said, StatusCode::UNPROCESSABLE_ENTITY))
        }
    };
    match done {
        Ok(()) => Ok(Redirect::to(HERE).into_response()),
        Err(refusal) => render(&state, &posted.caller, Some(refusal)).await,
    }
}

async fn add(state: &AppState, posted: &Posted, agency: &str) -> Result<Result<(), Refusal>, PageError> {
    let Some(valid_from) = day(posted.field("valid_from")) else {
        return Ok(Err(Refusal::unreadable("add", posted, "valid_from", "sw-not-a-day")));
    };
    let valid_to = match posted.field("valid_to").trim() {
        "" => None,
        text => match day(text) {
            Some(d) => Some(d),
            None => return Ok(Err(Refusal::unreadable("add", posted, "valid_to", "sw-not-a-day"))),
        },
    };
    let doc = RequirementDoc {
        document_kind: posted.field("document_kind").to_string(),
        hs_prefix: posted.field("hs_prefix").trim().to_string(),
        origins: codes(posted.field("origins")),
        procedures: codes(posted.field("procedures")),
        valid_from,
        valid_to,
        on_missing: match posted.field("on_missing") {
            "refer" => OnMissing::Refer,
            _ => OnMissing::Refuse,
        },
    };
    match sw::add_requirement(state, &posted.caller.0, agency, &doc).await {
        Ok(_) => Ok(Ok(())),
        // The use case names the document's kind `kind`, as a document does; the form `document_kind`.
        Err(SingleWindowError::Invalid("kind", m)) => {
            Refusal::of(SingleWindowError::Invalid("document_kind", m), "add", posted, &ADD, HERE).map(Err)
        }
        Err(e) => Refusal::of(e, "add", posted, &ADD, HERE).map(Err),
    }
}

async fn end(state: &AppState, posted: &Posted, agency: &str) -> Result<Result<(), Refusal>, PageError> {
    let id = posted.field("id");
    let form = format!("end:{id}");
    let Ok(number) = id.parse::<i64>() else {
        let said = crate::pages::errors::text(&crate::error::ApiError::NotFound(format!("requirement {id:?}")));
        return Ok(Err(Refusal::whole(&form, posted, said, StatusCode::NOT_FOUND)));
    };
    let Some(valid_to) = day(posted.field("valid_to")) else {
        return Ok(Err(Refusal::unreadable(&form, posted, "valid_to", "sw-not-a-day")));
    };
    match sw::end_requirement(state, &posted.caller.0, agency, number, valid_to).await {
        Ok(_) => Ok(Ok(())),
        Err(e) => Refusal::of(e, &form, posted, &["valid_to"], HERE).map(Err),
    }
}

/// A list of codes, or the word for all of them when it is empty.
fn listed(list: &[String], all: &str) -> String {
    match list.is_empty() {
        true => all.to_string(),
        false => list.join(", "),
    }
}

async fn render(state: &AppState, caller: &Caller, refusal: Option<Refusal>) -> PageResult {
    let agency = agency_of(caller, HERE)?;
    let requirements = sw::requirements(state, &caller.0, Some(&agency)).map_err(PageError::at(HERE))?;
    let refusal = refusal.as_ref();
    let title = t("sw-requirements-title");
    let body = html! {
        h1 { (title) " " code { (agency) } }
        p { (t("sw-requirements-intro")) }
        (Fields::new("unknown", "", refusal.filter(|r| r.form.is_empty())).problem())
        @if requirements.is_empty() { p.muted #no-requirements { (t("sw-no-requirements")) } }
        @else {
            table #requirements {
                (column_heads(&[&t("sw-col-id"), &t("sw-col-kind"), &t("sw-col-hs"), &t("sw-col-origins"),
                    &t("sw-col-procedures"), &t("sw-col-in-force"), &t("sw-col-on-missing"), &t("sw-col-end")]))
                tbody { @for r in &requirements { (row(caller, r, refusal)) } }
            }
        }
        h2 #add-title { (t("sw-add-requirement")) }
        (add_form(caller, refusal))
    };
    let status = refusal.map_or(StatusCode::OK, |r| r.status);
    Ok((status, layout(&title, Some(caller), body)).into_response())
}

fn row(caller: &Caller, r: &Requirement, refusal: Option<&Refusal>) -> Markup {
    let f = Fields::new(format!("end-{}", r.id), &format!("end:{}", r.id), refusal);
    let today = chrono::Utc::now().date_naive();
    let until = match r.valid_to {
        Some(to) => crate::i18n::day(to),
        None => t("sw-open-ended"),
    };
    html! {
        tr data-requirement=(r.id) {
            td { (r.id) }
            td.kind { code { (r.document_kind) } }
            td.hs { code { (r.hs_prefix) } }
            td { (listed(&r.origins, &t("sw-every-origin"))) }
            td { (listed(&r.procedures, &t("sw-every-procedure"))) }
            td.in-force { (crate::i18n::day(r.valid_from)) " – " (until) }
            td.on-missing { (t(&format!("sw-on-missing-{}", r.on_missing.as_str()))) }
            td {
                form.end id={"end-" (r.id)} method="post" action=(HERE) {
                    (csrf_field(caller))
                    input type="hidden" name="action" value="end";
                    input type="hidden" name="id" value=(r.id);
                    (f.problem())
                    (f.input("valid_to", &t("sw-last-day"), &r.valid_to.unwrap_or(today).to_string(), Kind::Day))
                    button type="submit" { (t("sw-end")) }
                }
            }
        }
    }
}

fn add_form(caller: &Caller, refusal: Option<&Refusal>) -> Markup {
    let f = Fields::new("add", "add", refusal);
    let today = chrono::Utc::now().date_naive().to_string();
    html! {
        form #add-requirement method="post" action=(HERE) aria-labelledby="add-title" {
            (csrf_field(caller))
            input type="hidden" name="action" value="add";
            (f.problem())
            div.grid {
                (f.input("document_kind", &t("sw-col-kind"), "", Kind::Suggested("document-types")))
                (f.input("hs_prefix", &t("sw-hs-prefix"), "", Kind::Text))
                (f.input("origins", &t("sw-origins"), "", Kind::Codes("NZ, AR")))
                (f.input("procedures", &t("sw-procedures"), "", Kind::Codes("4000, 4071")))
                (f.input("valid_from", &t("sw-in-force-from"), &today, Kind::Day))
                (f.input("valid_to", &t("sw-valid-to-optional"), "", Kind::Day))
                label {
                    (t("sw-col-on-missing"))
                    select name="on_missing" {
                        option value="refuse" { (t("sw-on-missing-refuse")) }
                        option value="refer" { (t("sw-on-missing-refer")) }
                    }
                }
            }
            p { button type="submit" { (t("sw-add-button")) } }
        }
        datalist #document-types { @for d in DOCUMENT_TYPES { option value=(d.code) { (d.name) } } }
    }
}
