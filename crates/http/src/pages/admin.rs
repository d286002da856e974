//! The administrator's page: the people who sign in, added with a role and disabled; the
//! customs offices, created and renamed; and the API tokens of machines, issued (the secret
//! shown once) and revoked (the same use cases as `/api/v1/tokens`). Declaration centres,
//! inspectors and dispatch rules are set on the centres' page.

use axum::extract::rejection::FormRejection;
use axum::extract::{Form, State};
use axum::http::StatusCode;
use axum::response::IntoResponse;
use maud::html;

use smartcustoms_core::access::{Principal, Role};
use smartcustoms_core::ids::TraderId;
use smartcustoms_core::timestamp::Timestamp;
use smartcustoms_storage::StoreError;

use super::{column_heads, csrf_field, layout, minute, posted, signed_in, PageError, PageResult};
use crate::app::staff::{self, Person, StaffError};
use crate::auth::Caller;
use crate::i18n::{t, t_or, t_with};
use crate::state::AppState;

const HERE: &str = "/console/admin";
const ADMINS: &[Role] = staff::ADMINS;

/// What the page says after an action: a message, whether it is a problem, and a token issued.
type Said = Option<(String, bool, Option<String>)>;

/// The person form's fields given back after a problem (never the password).
#[derive(Default)]
struct Kept {
    name: String,
    display_name: String,
    role: String,
    party: String,
}

/// `GET /console/admin`.
pub async fn page(State(state): State<AppState>, caller: Option<Caller>) -> PageResult {
    let caller = signed_in(caller, HERE)?;
    render(&state, &caller, None, Kept::default(), StatusCode::OK).await
}

/// `POST /console/admin`: issue or revoke a token, add or disable a person, create or rename an
/// office.
pub async fn post(
    State(state): State<AppState>,
    caller: Option<Caller>,
    form: Result<Form<Vec<(String, String)>>, FormRejection>,
) -> PageResult {
    let posted = posted(caller, form, HERE)?;
    let admin = posted.caller.require(ADMINS, "administer the platform").map_err(PageError::at(HERE))?.clone();
    let mut kept = Kept::default();
    let said = match posted.field("action") {
        "add_person" => {
            let person = Person {
                name: posted.field("name").trim(),
                display_name: posted.field("display_name"),
                password: posted.field("password"),
            };
            let said = match Role::parse(posted.field("role")) {
                None => Err(StaffError::Invalid("role", crate::i18n::Phrase::new("admin-error-role"))),
                Some(role) => {
                    let party = Some(posted.field("party")).filter(|p| !p.trim().is_empty());
                    staff::add_person(&state, &admin, person, role, party).await
                }
            };
            match said {
                Ok(()) => (t_with("admin-person-added", &[("name", person.name.to_string().into())]), false, None),
                Err(e) => {
                    kept = Kept {
                        name: person.name.into(),
                        display_name: person.display_name.into(),
                        role: posted.field("role").into(),
                        party: posted.field("party").into(),
                    };
                    (problem(e)?, true, None)
                }
            }
        }
        "disable" => {
            let name = posted.field("name");
            match staff::disable_person(&state, &admin, name, Timestamp::now()).await {
                Ok(()) => (t_with("admin-person-disabled", &[("name", name.to_string().into())]), false, None),
                Err(e) => (problem(e)?, true, None),
            }
        }
        "office" => {
            let (code, name) = (posted.field("code"), posted.field("office_name"));
            match staff::put_office(&state, &admin, code, name).await {
                Ok(()) => (t_with("admin-office-saved", &[("code", code.trim().to_string().into())]), false, None),
                Err(e) => (problem(e)?, true, None),
            }
        }
        "issue" => {
            let name = posted.field("name").trim();
            let role = Role::parse(posted.field("role"));
            let party = Some(posted.field("party").trim()).filter(|p| !p.is_empty());
            let trader = party.map(|p| TraderId::new(p.to_string())).transpose();
            match (name.is_empty() || name.chars().count() > 100, role, trader) {
                (true, ..) => (t("admin-error-name"), true, None),
                (_, None, _) => (t("admin-error-role"), true, None),
                (_, _, Err(e)) => (t_with("admin-error-party", &[("problem", e.to_string().into())]), true, None),
                (false, Some(role), Ok(trader)) => {
                    let principal = Principal::new(name, role, trader);
                    let (token, id) = crate::identity::issue_token(&state, principal, None, &admin.name)
                        .await
                        .map_err(PageError::at(HERE))?;
                    (t_with("admin-issued", &[("id", id.to_string().into())]), false, Some(token))
                }
            }
        }
        "revoke" => {
            let id = posted.field("id");
            match state.store.revoke_token(id, &admin.name, Timestamp::now()).await {
                Ok(()) => {
                    state.forget_principals();
                    (t_with("admin-revoked", &[("id", id.into())]), false, None)
                }
                Err(StoreError::NotFound) => (t_with("admin-no-token", &[("id", id.into())]), true, None),
                Err(e) => return Err(PageError::at(HERE)(e)),
            }
        }
        other => (t_with("org-not-an-action", &[("action", format!("{other:?}").into())]) + ".", true, None),
    };
    let status = if said.1 { StatusCode::UNPROCESSABLE_ENTITY } else { StatusCode::OK };
    render(&state, &posted.caller, Some(said), kept, status).await
}

/// The text of a refused change (a failure of the store is an error page).
fn problem(e: StaffError) -> Result<String, PageError> {
    match e {
        StaffError::Invalid(field, what) => Ok(t_with(
            "admin-invalid",
            &[("field", t_or(&format!("admin-field-{field}"), field).into()), ("problem", what.localised().into())],
        )),
        StaffError::Taken(what) => Ok(t_with(
            "admin-invalid",
            &[("field", t_or("admin-field-name", "name").into()), ("problem", what.localised().into())],
        )),
        StaffError::NotFound(what) => Ok(t_with("admin-not-found", &[("what", what.into())])),
        other => Err(PageError::at(HERE)(other)),
    }
}

/// A role's name in the request's language (its code when it has none).
fn role(code: &str) -> String {
    crate::i18n::t_or(&format!("role-{code}"), code)
}

async fn render(state: &AppState, caller: &Caller, said: Said, kept: Kept, status: StatusCode) -> PageResult {
    caller.require(ADMINS, "administer the platform").map_err(PageError::at(HERE))?;
    let users = state.store.users().await.map_err(PageError::at(HERE))?;
    let tokens = state.store.tokens().await.map_err(PageError::at(HERE))?;
    let offices = state.store.offices().await.map_err(PageError::at(HERE))?;
    let body = html! {
        h1 { (t("nav-administration")) }
        @if let Some((text, bad, token)) = &said {
            p.error[*bad] #admin-note role=(if *bad { "alert" } else { "status" }) { (text) }
            @if let Some(token) = token { p { (t("admin-token")) " " code #issued-token { (token) } } }
        }
        h2 { (t("admin-tokens")) }
        table #tokens {
            thead { tr { th scope="col" { (t("admin-col-id")) } th scope="col" { (t("org-col-name")) } th scope="col" { (t("admin-col-role")) }
                th scope="col" { (t("admin-col-party")) } th scope="col" { (t("admin-col-issued")) } th scope="col" { (t("org-col-status")) }
                th scope="col" { (t("org-revoke")) } } }
            tbody {
                @for token in &tokens {
                    tr {
                        td { code { (token.id) } } td { (token.name) } td { (role(&token.role)) } td { (token.trader_id.clone().unwrap_or_default()) }
                        td { (token.issued_at_us.map(minute).unwrap_or_default()) }
                        td { @match token.revoked_at_us { Some(at) => { (t_with("admin-revoked-at", &[("at", minute(at).into())])) } None => { (t("org-in-force")) } } }
                        td { @if token.revoked_at_us.is_none() {
                            form method="post" action=(HERE) {
                                (csrf_field(caller)) input type="hidden" name="id" value=(token.id);
                                button type="submit" name="action" value="revoke" aria-label=(t_with("admin-revoke-label", &[("id", token.id.to_string().into())])) { (t("org-revoke")) }
                            }
                        } }
                    }
                }
            }
        }
        h3 { (t("admin-issue-title")) }
        form.stack #issue method="post" action=(HERE) {
            (csrf_field(caller)) input type="hidden" name="action" value="issue";
            label for="t-name" { (t("admin-token-name")) } input #t-name type="text" name="name" required;
            label for="t-role" { (t("admin-col-role")) }
            select #t-role name="role" { @for r in Role::ALL { option value=(r.as_str()) { (role(r.as_str())) } } }
            label for="t-party" { (t("admin-party")) } input #t-party type="text" name="party";
            p { button type="submit" { (t("admin-issue")) } }
        }
        h2 { (t("org-users")) }
        table #users {
            (column_heads(&[&t("org-col-user"), &t("org-col-name"), &t("admin-col-role"), &t("admin-col-party"), &t("org-col-status"), &t("admin-disable")]))
            tbody {
                @for u in &users {
                    tr {
                        td { (u.name) } td { (u.display_name) } td { (role(&u.role)) } td { (u.trader_id.clone().unwrap_or_default()) }
                        td { @match u.disabled_at_us { Some(at) => { (t_with("admin-disabled", &[("at", minute(at).into())])) } None => { (t("admin-active")) } } }
                        td { @if u.disabled_at_us.is_none() && u.name != caller.0.name {
                            form method="post" action=(HERE) {
                                (csrf_field(caller)) input type="hidden" name="name" value=(u.name);
                                button type="submit" name="action" value="disable" aria-label=(t_with("admin-disable-label", &[("name", u.name.clone().into())])) { (t("admin-disable")) }
                            }
                        } }
                    }
                }
            }
        }
        h3 { (t("admin-add-person")) }
        form.stack #add-person method="post" action=(HERE) {
            (csrf_field(caller)) input type="hidden" name="action" value="add_person";
            label for="p-name" { (t("admin-field-name")) } input #p-name type="text" name="name" value=(kept.name) required autocomplete="off";
            label for="p-display" { (t("admin-field-display_name")) } input #p-display type="text" name="display_name" value=(kept.display_name) required;
            label for="p-role" { (t("admin-col-role")) }
            select #p-role name="role" { @for r in Role::ALL { option value=(r.as_str()) selected[kept.role == r.as_str()] { (role(r.as_str())) } } }
            label for="p-party" { (t("admin-party-person")) } input #p-party type="text" name="party" value=(kept.party);
            label for="p-password" { (t("admin-field-password")) } input #p-password type="password" name="password" required minlength="10" autocomplete="new-password";
            p { button type="submit" { (t("admin-add")) } }
        }
        h2 { (t("admin-offices")) }
        table #offices {
            (column_heads(&[&t("admin-field-code"), &t("admin-field-office_name")]))
            tbody { @for o in &offices { tr { td { code { (o.code) } } td { (o.name) } } } }
        }
        h3 { (t("admin-office-title")) }
        form.stack #office method="post" action=(HERE) {
            (csrf_field(caller)) input type="hidden" name="action" value="office";
            label for="o-code" { (t("admin-field-code")) } input #o-code type="text" name="code" required pattern="[A-Z0-9]{8}" maxlength="8";
            label for="o-name" { (t("admin-field-office_name")) } input #o-name type="text" name="office_name" required;
            p { button type="submit" { (t("admin-save-office")) } }
        }
        p.muted { (t("admin-see-centres")) " " a href="/console/centres" { (t("nav-centres")) } "; " (t("admin-see-profiles")) " "
            a href="/console/profiles" { (t("nav-risk-profiles")) } "; " (t("admin-see-models")) " " a href="/console/models" { (t("nav-risk-model")) } "." }
    };
    Ok((status, layout(&t("nav-administration"), Some(caller), body)).into_response())
}
