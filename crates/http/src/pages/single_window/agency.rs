//! `/agency`: an agency's documents (permits, licences, certificates) with what declarations
//! reserved and drew on each, the form that issues one, and each document's forms to amend,
//! suspend, reinstate or revoke it (`app::single_window::issue` and `change`, as
//! `POST /api/v1/permits` and `POST /api/v1/permits/{number}/{change}`).

use axum::extract::rejection::FormRejection;
use axum::extract::{Form, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect};
use maud::{html, Markup};

use smartcustoms_core::codes::DOCUMENT_TYPES;
use smartcustoms_core::permits::PermitStatus;

use super::form::{agency_of, codes, day, decimal, quantity, status, Fields, Kind, Refusal};
use crate::app::single_window::{self as sw, ChangeDoc, PermitDoc, PermitView};
use crate::auth::Caller;
use crate::i18n::{t, t_with};
use crate::pages::{column_heads, csrf_field, layout, posted, signed_in, PageError, PageResult, Posted};
use crate::state::AppState;

const HERE: &str = "/agency";

/// The fields of the form that issues a document, named as `PermitDoc` names them.
const ISSUE: [&str; 8] = ["number", "kind", "holder", "hs_prefixes", "unit", "quantity", "valid_from", "valid_to"];

/// The fields of an amendment, named as `ChangeDoc` names them.
const AMEND: [&str; 4] = ["quantity", "valid_to", "hs_prefixes", "reason"];

/// The changes of a document's status (each names its button `sw-<change>` and its reason's
/// label `sw-reason-<change>`).
const STATUS_CHANGES: [&str; 3] = ["suspend", "reinstate", "revoke"];

/// `GET /agency`.
pub async fn page(State(state): State<AppState>, caller: Option<Caller>) -> PageResult {
    let caller = signed_in(caller, HERE)?;
    render(&state, &caller, None).await
}

/// `POST /agency`: issue a document, or amend, suspend, reinstate or revoke one (the hidden
/// field `action` says which). Done: back to the page; refused: the page with the form as typed.
pub async fn post(
    State(state): State<AppState>,
    caller: Option<Caller>,
    form: Result<Form<Vec<(String, String)>>, FormRejection>,
) -> PageResult {
    let posted = posted(caller, form, HERE)?;
    agency_of(&posted.caller, HERE)?;
    let done = match posted.field("action") {
        "issue" => issue(&state, &posted).await?,
        action @ ("amend" | "suspend" | "reinstate" | "revoke") => change(&state, &posted, action).await?,
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

/// Issues the document the form describes; the outer error is a failure that is not the
/// visitor's to correct.
async fn issue(state: &AppState, posted: &Posted) -> Result<Result<(), Refusal>, PageError> {
    let unreadable = |field: &str, id: &str| Ok(Err(Refusal::unreadable("issue", posted, field, id)));
    let Some(quantity) = decimal(posted.field("quantity")) else { return unreadable("quantity", "sw-not-a-number") };
    let Some(valid_from) = day(posted.field("valid_from")) else { return unreadable("valid_from", "sw-not-a-day") };
    let Some(valid_to) = day(posted.field("valid_to")) else { return unreadable("valid_to", "sw-not-a-day") };
    let doc = PermitDoc {
        number: posted.field("number").to_string(),
        kind: posted.field("kind").to_string(),
        holder: posted.field("holder").to_string(),
        hs_prefixes: codes(posted.field("hs_prefixes")),
        unit: posted.field("unit").to_string(),
        quantity,
        valid_from,
        valid_to,
    };
    match sw::issue(state, &posted.caller.0, &doc).await {
        Ok(_) => Ok(Ok(())),
        Err(e) => Refusal::of(e, "issue", posted, &ISSUE, HERE).map(Err),
    }
}

/// Applies one change to the document the form names.
async fn change(state: &AppState, posted: &Posted, action: &str) -> Result<Result<(), Refusal>, PageError> {
    let number = posted.field("number");
    let form = format!("{action}:{number}");
    let unreadable = |field: &str, id: &str| Ok(Err(Refusal::unreadable(&form, posted, field, id)));
    let typed = |name: &str| Some(posted.field(name).trim()).filter(|v| !v.is_empty());
    let mut doc = ChangeDoc { reason: posted.field("reason").to_string(), ..ChangeDoc::default() };
    if action == "amend" {
        if let Some(text) = typed("quantity") {
            let Some(q) = decimal(text) else { return unreadable("quantity", "sw-not-a-number") };
            doc.quantity = Some(q);
        }
        if let Some(text) = typed("valid_to") {
            let Some(d) = day(text) else { return unreadable("valid_to", "sw-not-a-day") };
            doc.valid_to = Some(d);
        }
        doc.hs_prefixes = typed("hs_prefixes").map(codes);
    }
    let fields: &[&str] = if action == "amend" { &AMEND } else { &["reason"] };
    match sw::change(state, &posted.caller.0, number, action, &doc).await {
        Ok(_) => Ok(Ok(())),
        Err(e) => Refusal::of(e, &form, posted, fields, HERE).map(Err),
    }
}

async fn render(state: &AppState, caller: &Caller, refusal: Option<Refusal>) -> PageResult {
    let code = agency_of(caller, HERE)?;
    let agency =
        sw::agencies(state, &caller.0).await.map_err(PageError::at(HERE))?.into_iter().find(|a| a.code == code);
    let permits = sw::list(state, &caller.0, None, None).await.map_err(PageError::at(HERE))?;
    // The kinds the agency's requirements name are suggested first, then the other known ones.
    let mut kinds: Vec<String> = sw::requirements(state, &caller.0, Some(&code))
        .map_err(PageError::at(HERE))?
        .into_iter()
        .map(|r| r.document_kind)
        .collect();
    kinds.sort_unstable();
    kinds.dedup();
    let refusal = refusal.as_ref();
    let status_code = refusal.map_or(StatusCode::OK, |r| r.status);
    let title = t("sw-documents-title");
    let unknown_form = refusal.filter(|r| r.form.is_empty());
    let body = html! {
        h1 { (title) " " code { (code) } }
        @match &agency {
            Some(a) => p #agency-name { (a.name) },
            None => p.error #agency-unregistered role="status" { (t("sw-agency-unregistered")) },
        }
        (Fields::new("unknown", "", unknown_form).problem())
        h2 #documents-title { (t("sw-documents-issued")) }
        @if permits.is_empty() { p.muted #no-documents { (t("sw-no-documents")) } }
        @else {
            table #permits aria-labelledby="documents-title" {
                (column_heads(&[&t("sw-col-number"), &t("sw-col-kind"), &t("sw-col-holder"), &t("sw-col-hs"),
                    &t("sw-col-granted"), &t("sw-col-reserved"), &t("sw-col-drawn"), &t("sw-col-remaining"),
                    &t("sw-col-valid"), &t("sw-col-status")]))
                tbody {
                    @for (i, p) in permits.iter().enumerate() {
                        tr data-number=(p.number) {
                            td.number { a href={"#doc-" (i)} { (p.number) } }
                            td.kind { code { (p.kind) } }
                            td.holder { (p.holder) }
                            td.hs { (p.hs_prefixes.join(", ")) }
                            td.granted { (quantity(&p.quantity)) " " (p.unit) }
                            td.reserved { (quantity(&p.reserved)) }
                            td.drawn { (quantity(&p.drawn)) }
                            td.remaining { (quantity(&p.remaining)) }
                            td.valid { (crate::i18n::day(p.valid_from)) " – " (crate::i18n::day(p.valid_to)) }
                            td.status { (status(p.status)) }
                        }
                    }
                }
            }
        }
        h2 #issue-title { (t("sw-issue-title")) }
        (issue_form(caller, refusal))
        datalist #document-kinds {
            @for k in &kinds { option value=(k) {} }
            @for d in DOCUMENT_TYPES.iter().filter(|d| !kinds.iter().any(|k| k == d.code)) {
                option value=(d.code) { (d.name) }
            }
        }
        @if !permits.is_empty() {
            h2 { (t("sw-change-title")) }
            p.muted { (t("sw-change-note")) }
            @for (i, p) in permits.iter().enumerate() { (document_forms(caller, i, p, refusal)) }
        }
    };
    Ok((status_code, layout(&title, Some(caller), body)).into_response())
}

fn issue_form(caller: &Caller, refusal: Option<&Refusal>) -> Markup {
    let f = Fields::new("issue", "issue", refusal);
    let today = chrono::Utc::now().date_naive();
    let year = (today + chrono::Months::new(12)).to_string();
    html! {
        form #issue method="post" action=(HERE) aria-labelledby="issue-title" {
            (csrf_field(caller))
            input type="hidden" name="action" value="issue";
            (f.problem())
            div.grid {
                (f.input("number", &t("sw-col-number"), "", Kind::Text))
                (f.input("kind", &t("sw-col-kind"), "", Kind::Suggested("document-kinds")))
                (f.input("holder", &t("sw-holder-id"), "", Kind::Text))
                (f.input("hs_prefixes", &t("sw-col-hs"), "", Kind::Codes("0207, 0210")))
                (f.input("unit", &t("sw-unit"), "kg", Kind::Text))
                (f.input("quantity", &t("sw-col-granted"), "", Kind::Decimal))
                (f.input("valid_from", &t("sw-valid-from"), &today.to_string(), Kind::Day))
                (f.input("valid_to", &t("sw-valid-to"), &year, Kind::Day))
            }
            p { button type="submit" { (t("sw-issue-button")) } }
        }
    }
}

/// A document's section: its amendment form and the forms that change its status.
fn document_forms(caller: &Caller, i: usize, p: &PermitView, refusal: Option<&Refusal>) -> Markup {
    let heading = format!("doc-{i}-title");
    let amend_form = format!("amend:{}", p.number);
    let f = Fields::new(format!("amend-{i}"), &amend_form, refusal);
    let held = format!("{} {}", quantity(&p.quantity), p.unit);
    let changes: Vec<&str> = STATUS_CHANGES
        .into_iter()
        .filter(|action| match p.status {
            PermitStatus::Active => *action != "reinstate",
            PermitStatus::Suspended => *action != "suspend",
            PermitStatus::Revoked => false,
        })
        .collect();
    html! {
        section.document #{"doc-" (i)} data-number=(p.number) aria-labelledby=(heading) {
            h3 id=(heading) { (t("sw-document")) " " (p.number) " " (status(p.status)) }
            @if p.status == PermitStatus::Revoked { p.muted { (t("sw-revoked-note")) } }
            @else {
                form.amend id={"amend-" (i)} method="post" action=(HERE) {
                    (csrf_field(caller))
                    input type="hidden" name="action" value="amend";
                    input type="hidden" name="number" value=(p.number);
                    (f.problem())
                    div.grid {
                        (f.input("quantity", &t_with("sw-new-quantity", &[("now", held.into())]), "", Kind::Decimal))
                        (f.input("valid_to", &t_with("sw-new-valid-to", &[("now", crate::i18n::day(p.valid_to).into())]), "", Kind::Day))
                        (f.input("hs_prefixes", &t_with("sw-new-hs", &[("now", p.hs_prefixes.join(", ").into())]), "", Kind::Codes("0207, 0210")))
                        (f.input("reason", &t("sw-reason"), "", Kind::Text))
                    }
                    p { button type="submit" { (t("sw-amend")) } }
                }
                div.grid.status-changes {
                    @for action in changes {
                        @let form = format!("{action}:{}", p.number);
                        @let g = Fields::new(format!("{action}-{i}"), &form, refusal);
                        form.status-change id={(action) "-" (i)} method="post" action=(HERE) data-action=(action) {
                            (csrf_field(caller))
                            input type="hidden" name="action" value=(action);
                            input type="hidden" name="number" value=(p.number);
                            (g.problem())
                            (g.input("reason", &t(&format!("sw-reason-{action}")), "", Kind::Text))
                            p { button type="submit" { (t(&format!("sw-{action}"))) } }
                        }
                    }
                }
            }
        }
    }
}
