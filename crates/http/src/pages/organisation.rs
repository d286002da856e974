//! The organisation page of a trader: its users and what each may do (the organisation's
//! administrator adds, changes and removes them), the customs representatives it authorised
//! and the declarants that authorised it. The same use cases as `/api/v1/organisation/members`
//! and `/api/v1/authorisations`.

use axum::extract::rejection::FormRejection;
use axum::extract::{Form, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect};
use maud::html;

use super::{csrf_field, layout, minute, posted, signed_in, PageError, PageResult};
use crate::app::organisation::{self, Capacity, NewMember, OrgError};
use crate::auth::Caller;
use crate::i18n::{t, t_with, Phrase};
use crate::state::AppState;

const HERE: &str = "/trader/organisation";

/// `GET /trader/organisation`.
pub async fn page(State(state): State<AppState>, caller: Option<Caller>) -> PageResult {
    let caller = signed_in(caller, HERE)?;
    render(&state, &caller, None, StatusCode::OK).await
}

/// `POST /trader/organisation`: add, change or remove a user; grant or revoke an
/// authorisation. A problem is said above the forms, the page otherwise unchanged.
pub async fn post(
    State(state): State<AppState>,
    caller: Option<Caller>,
    form: Result<Form<Vec<(String, String)>>, FormRejection>,
) -> PageResult {
    let posted = posted(caller, form, HERE)?;
    let p = &posted.caller.0;
    let capacities = || organisation::parse_capacities(posted.all("capacity"));
    let done = match posted.field("action") {
        "add" => match capacities() {
            Ok(capacities) => {
                let new = NewMember {
                    name: posted.field("name").trim(),
                    display_name: posted.field("display_name"),
                    password: posted.field("password"),
                    capacities,
                };
                organisation::add_member(&state, p, new).await
            }
            Err(e) => Err(e),
        },
        "change" => match capacities() {
            Ok(c) => organisation::set_capacities(&state, p, posted.field("user"), &c).await,
            Err(e) => Err(e),
        },
        "remove" => organisation::remove_member(&state, p, posted.field("user")).await,
        "grant" => {
            let day = |name: &'static str| {
                chrono::NaiveDate::parse_from_str(posted.field(name).trim(), "%Y-%m-%d")
                    .map_err(|_| OrgError::Invalid(name, Phrase::new("org-give-date")))
            };
            match (day("valid_from"), day("valid_until")) {
                (Ok(from), Ok(until)) => {
                    organisation::grant(&state, p, posted.field("representative"), from, until).await.map(|_| ())
                }
                (Err(e), _) | (_, Err(e)) => Err(e),
            }
        }
        "revoke" => organisation::revoke(&state, p, posted.field("id")).await,
        other => {
            Err(OrgError::Invalid("action", Phrase::new("org-not-an-action").with("action", format!("{other:?}"))))
        }
    };
    match done {
        Ok(()) => Ok(Redirect::to(HERE).into_response()),
        Err(e @ (OrgError::Invalid(..) | OrgError::NotFound(_))) => {
            render(&state, &posted.caller, Some(super::errors::org(&e)), StatusCode::UNPROCESSABLE_ENTITY).await
        }
        Err(OrgError::Store(smartcustoms_storage::StoreError::Conflict(m))) => {
            render(&state, &posted.caller, Some(m), StatusCode::CONFLICT).await
        }
        Err(e) => Err(PageError::at(HERE)(e)),
    }
}

/// A capacity's name in the request's language.
fn capacity(c: Capacity) -> String {
    t(&format!("capacity-{}", c.as_str()))
}

fn capacity_boxes(prefix: &str, checked: &[Capacity]) -> maud::Markup {
    html! {
        @for c in Capacity::ALL {
            @let id = format!("{prefix}-{}", c.as_str());
            label.inline for=(id) {
                input type="checkbox" id=(id) name="capacity" value=(c.as_str()) checked[checked.contains(&c)];
                " " (capacity(c))
            }
            " "
        }
    }
}

async fn render(state: &AppState, caller: &Caller, problem: Option<String>, status: StatusCode) -> PageResult {
    let mine = caller.0.capacities();
    let admin = mine.contains(&Capacity::Administer);
    let members =
        if admin { organisation::members(state, &caller.0).await.map_err(PageError::at(HERE))? } else { Vec::new() };
    let authorisations = organisation::authorisations(state, &caller.0).await.map_err(PageError::at(HERE))?;
    let own = caller.0.trader.as_ref().map(|t| t.to_string()).unwrap_or_default();
    let today = chrono::Utc::now().date_naive();
    let (granted, held): (Vec<_>, Vec<_>) = authorisations.iter().partition(|a| a.declarant == own);
    let body = html! {
        h1 { (t("org-title")) " " code { (own) } }
        p { (t_with("org-you-may", &[("capacities", mine.iter().map(|c| capacity(*c)).collect::<Vec<_>>().join(", ").into())])) }
        @if let Some(p) = &problem { p.error #org-problem role="alert" { (p) } }
        @if admin {
            h2 { (t("org-users")) }
            table #members {
                thead { tr { th scope="col" { (t("org-col-user")) } th scope="col" { (t("org-col-name")) } th scope="col" { (t("org-col-may")) } th scope="col" { (t("org-col-change")) } } }
                tbody {
                    @for m in &members {
                        @let caps = Capacity::of_stored(m.capacities.as_deref());
                        tr {
                            td { (m.name) @if m.disabled_at_us.is_some() { " " (t("org-removed")) } }
                            td { (m.display_name) }
                            td { (m.capacities.clone().unwrap_or_else(|| t("org-all"))) }
                            td {
                                @if m.name != caller.0.name && m.disabled_at_us.is_none() {
                                    form.inline method="post" action=(HERE) {
                                        (csrf_field(caller)) input type="hidden" name="user" value=(m.name);
                                        (capacity_boxes(&format!("c-{}", m.name), &caps))
                                        button type="submit" name="action" value="change" { (t("org-change")) } " "
                                        button type="submit" name="action" value="remove" { (t("org-remove")) }
                                    }
                                }
                            }
                        }
                    }
                }
            }
            h3 { (t("org-add-title")) }
            form.stack #add-member method="post" action=(HERE) {
                (csrf_field(caller)) input type="hidden" name="action" value="add";
                label for="m-name" { (t("org-sign-in-name")) } input #m-name type="text" name="name" required;
                label for="m-display" { (t("org-col-name")) } input #m-display type="text" name="display_name" required;
                label for="m-password" { (t("org-first-password")) } input #m-password type="password" name="password" autocomplete="new-password" required;
                fieldset { legend { (t("org-col-may")) } (capacity_boxes("new", &[Capacity::View])) }
                p { button type="submit" { (t("org-add-button")) } }
            }
        }
        h2 { (t("org-granted")) }
        (authorisation_table("granted", &granted, today, admin.then_some(caller)))
        @if admin {
            h3 { (t("org-grant-title")) }
            form.stack #grant method="post" action=(HERE) {
                (csrf_field(caller)) input type="hidden" name="action" value="grant";
                label for="a-rep" { (t("org-rep-id")) } input #a-rep type="text" name="representative" required;
                label for="a-from" { (t("org-valid-from")) } input #a-from type="text" name="valid_from" value=(today) required;
                label for="a-until" { (t("org-valid-until")) } input #a-until type="text" name="valid_until" value=(today + chrono::Days::new(365)) required;
                p { button type="submit" { (t("org-grant-button")) } }
            }
        }
        h2 { (t("org-held")) }
        (authorisation_table("held", &held, today, None))
        p.muted { (t("org-note")) }
    };
    Ok((status, layout(&t("org-title"), Some(caller), body)).into_response())
}

fn authorisation_table(
    id: &str,
    rows: &[&smartcustoms_storage::AuthorisationRecord],
    today: chrono::NaiveDate,
    revoker: Option<&Caller>,
) -> maud::Markup {
    html! {
        @if rows.is_empty() { p.muted { (t("org-none")) } }
        @else {
            table id=(id) {
                thead { tr { th scope="col" { (t("org-col-representative")) } th scope="col" { (t("file-group-declarant")) } th scope="col" { (t("org-col-valid")) }
                    th scope="col" { (t("org-col-status")) } @if revoker.is_some() { th scope="col" { (t("org-revoke")) } } } }
                tbody {
                    @for a in rows {
                        @let status = match (&a.revoked_at_us, a.valid_from > today, a.valid_until < today) {
                            (Some(at), _, _) => t_with("org-revoked", &[("at", minute(*at).into()), ("by", a.revoked_by.clone().unwrap_or_default().into())]),
                            (None, true, _) => t("org-not-yet"),
                            (None, _, true) => t("org-expired"),
                            _ => t("org-in-force"),
                        };
                        tr {
                            td { (a.representative) } td { (a.declarant) }
                            td { (crate::i18n::day(a.valid_from)) " – " (crate::i18n::day(a.valid_until)) } td { (status) }
                            @if let Some(c) = revoker {
                                td { @if a.revoked_at_us.is_none() {
                                    form.inline method="post" action=(HERE) {
                                        (csrf_field(c)) input type="hidden" name="id" value=(a.id);
                                        button type="submit" name="action" value="revoke" { (t("org-revoke")) }
                                    }
                                } }
                            }
                        }
                    }
                }
            }
        }
    }
}
