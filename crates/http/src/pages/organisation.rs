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
                    .map_err(|_| OrgError::Invalid(name, "give a date YYYY-MM-DD".into()))
            };
            match (day("valid_from"), day("valid_until")) {
                (Ok(from), Ok(until)) => {
                    organisation::grant(&state, p, posted.field("representative"), from, until).await.map(|_| ())
                }
                (Err(e), _) | (_, Err(e)) => Err(e),
            }
        }
        "revoke" => organisation::revoke(&state, p, posted.field("id")).await,
        other => Err(OrgError::Invalid("action", format!("{other:?} is not an action of this page"))),
    };
    match done {
        Ok(()) => Ok(Redirect::to(HERE).into_response()),
        Err(e @ (OrgError::Invalid(..) | OrgError::NotFound(_))) => {
            render(&state, &posted.caller, Some(e.to_string()), StatusCode::UNPROCESSABLE_ENTITY).await
        }
        Err(OrgError::Store(smartcustoms_storage::StoreError::Conflict(m))) => {
            render(&state, &posted.caller, Some(m), StatusCode::CONFLICT).await
        }
        Err(e) => Err(PageError::at(HERE)(e)),
    }
}

fn capacity_boxes(prefix: &str, checked: &[Capacity]) -> maud::Markup {
    html! {
        @for c in Capacity::ALL {
            @let id = format!("{prefix}-{}", c.as_str());
            label.inline for=(id) {
                input type="checkbox" id=(id) name="capacity" value=(c.as_str()) checked[checked.contains(&c)];
                " " (c.as_str())
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
        h1 { "My organisation " code { (own) } }
        p { "You may: " (mine.iter().map(|c| c.as_str()).collect::<Vec<_>>().join(", ")) "." }
        @if let Some(p) = &problem { p.error #org-problem role="alert" { (p) } }
        @if admin {
            h2 { "Users" }
            table #members {
                thead { tr { th scope="col" { "User" } th scope="col" { "Name" } th scope="col" { "May" } th scope="col" { "Change" } } }
                tbody {
                    @for m in &members {
                        @let caps = Capacity::of_stored(m.capacities.as_deref());
                        tr {
                            td { (m.name) @if m.disabled_at_us.is_some() { " (removed)" } }
                            td { (m.display_name) }
                            td { (m.capacities.clone().unwrap_or_else(|| "all (the organisation's own account)".into())) }
                            td {
                                @if m.name != caller.0.name && m.disabled_at_us.is_none() {
                                    form.inline method="post" action=(HERE) {
                                        (csrf_field(caller)) input type="hidden" name="user" value=(m.name);
                                        (capacity_boxes(&format!("c-{}", m.name), &caps))
                                        button type="submit" name="action" value="change" { "Change" } " "
                                        button type="submit" name="action" value="remove" { "Remove" }
                                    }
                                }
                            }
                        }
                    }
                }
            }
            h3 { "Add a user" }
            form.stack #add-member method="post" action=(HERE) {
                (csrf_field(caller)) input type="hidden" name="action" value="add";
                label for="m-name" { "Sign-in name" } input #m-name type="text" name="name" required;
                label for="m-display" { "Name" } input #m-display type="text" name="display_name" required;
                label for="m-password" { "First password (10 characters or more)" } input #m-password type="password" name="password" autocomplete="new-password" required;
                fieldset { legend { "May" } (capacity_boxes("new", &[Capacity::View])) }
                p { button type="submit" { "Add the user" } }
            }
        }
        h2 { "Representatives we authorised" }
        (authorisation_table("granted", &granted, today, admin.then_some(caller)))
        @if admin {
            h3 { "Authorise a representative" }
            form.stack #grant method="post" action=(HERE) {
                (csrf_field(caller)) input type="hidden" name="action" value="grant";
                label for="a-rep" { "Representative's party id (EORI)" } input #a-rep type="text" name="representative" required;
                label for="a-from" { "Valid from (YYYY-MM-DD)" } input #a-from type="text" name="valid_from" value=(today) required;
                label for="a-until" { "Valid until (YYYY-MM-DD)" } input #a-until type="text" name="valid_until" value=(today + chrono::Days::new(365)) required;
                p { button type="submit" { "Authorise" } }
            }
        }
        h2 { "Declarants we represent" }
        (authorisation_table("held", &held, today, None))
        p.muted { "A representative files a declaration that names the declarant it acts for; it is signed with the "
            "representative's key, charged to the declarant's account, and its page and audit trail say who filed it." }
    };
    Ok((status, layout("My organisation", Some(caller), body)).into_response())
}

fn authorisation_table(
    id: &str,
    rows: &[&smartcustoms_storage::AuthorisationRecord],
    today: chrono::NaiveDate,
    revoker: Option<&Caller>,
) -> maud::Markup {
    html! {
        @if rows.is_empty() { p.muted { "None." } }
        @else {
            table id=(id) {
                thead { tr { th scope="col" { "Representative" } th scope="col" { "Declarant" } th scope="col" { "Valid" } th scope="col" { "Status" } @if revoker.is_some() { th scope="col" { "Revoke" } } } }
                tbody {
                    @for a in rows {
                        @let status = match (&a.revoked_at_us, a.valid_from > today, a.valid_until < today) {
                            (Some(at), _, _) => format!("revoked {} by {}", minute(*at), a.revoked_by.clone().unwrap_or_default()),
                            (None, true, _) => "not yet valid".to_string(),
                            (None, _, true) => "expired".to_string(),
                            _ => "in force".to_string(),
                        };
                        tr {
                            td { (a.representative) } td { (a.declarant) }
                            td { (a.valid_from) " – " (a.valid_until) } td { (status) }
                            @if let Some(c) = revoker {
                                td { @if a.revoked_at_us.is_none() {
                                    form.inline method="post" action=(HERE) {
                                        (csrf_field(c)) input type="hidden" name="id" value=(a.id);
                                        button type="submit" name="action" value="revoke" { "Revoke" }
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
