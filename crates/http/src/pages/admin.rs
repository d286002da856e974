//! The administrator's page: the platform's users with their roles, and the API tokens of
//! machines, issued (the secret shown once) and revoked. The same use cases as
//! `/api/v1/tokens`.

use axum::extract::rejection::FormRejection;
use axum::extract::{Form, State};
use axum::http::StatusCode;
use axum::response::IntoResponse;
use maud::html;

use smartcustoms_core::access::{Principal, Role};
use smartcustoms_core::ids::TraderId;
use smartcustoms_core::timestamp::Timestamp;
use smartcustoms_storage::StoreError;

use super::{csrf_field, layout, minute, posted, signed_in, PageError, PageResult};
use crate::auth::Caller;
use crate::state::AppState;

const HERE: &str = "/console/admin";
const ADMINS: &[Role] = &[Role::Admin];

/// What the page says after an action: a message, whether it is a problem, and a token issued.
type Said = Option<(String, bool, Option<String>)>;

/// `GET /console/admin`.
pub async fn page(State(state): State<AppState>, caller: Option<Caller>) -> PageResult {
    let caller = signed_in(caller, HERE)?;
    render(&state, &caller, None, StatusCode::OK).await
}

/// `POST /console/admin`: issue or revoke a token.
pub async fn post(
    State(state): State<AppState>,
    caller: Option<Caller>,
    form: Result<Form<Vec<(String, String)>>, FormRejection>,
) -> PageResult {
    let posted = posted(caller, form, HERE)?;
    let admin = posted.caller.require(ADMINS, "manage API tokens").map_err(PageError::at(HERE))?.clone();
    let said = match posted.field("action") {
        "issue" => {
            let name = posted.field("name").trim();
            let role = Role::parse(posted.field("role"));
            let party = Some(posted.field("party").trim()).filter(|p| !p.is_empty());
            let trader = party.map(|p| TraderId::new(p.to_string())).transpose();
            match (name.is_empty() || name.chars().count() > 100, role, trader) {
                (true, ..) => ("Give the token a name of 1 to 100 characters.".to_string(), true, None),
                (_, None, _) => ("Choose a role.".to_string(), true, None),
                (_, _, Err(e)) => (format!("Party: {e}"), true, None),
                (false, Some(role), Ok(trader)) => {
                    let principal = Principal::new(name, role, trader);
                    let (token, id) = crate::identity::issue_token(&state, principal, None, &admin.name)
                        .await
                        .map_err(PageError::at(HERE))?;
                    (format!("Token {id} issued. Copy it now: it is not shown again."), false, Some(token))
                }
            }
        }
        "revoke" => {
            let id = posted.field("id");
            match state.store.revoke_token(id, &admin.name, Timestamp::now()).await {
                Ok(()) => {
                    state.forget_principals();
                    (format!("Token {id} revoked."), false, None)
                }
                Err(StoreError::NotFound) => (format!("No token {id}."), true, None),
                Err(e) => return Err(PageError::at(HERE)(e)),
            }
        }
        other => (format!("{other:?} is not an action of this page."), true, None),
    };
    let status = if said.1 { StatusCode::UNPROCESSABLE_ENTITY } else { StatusCode::OK };
    render(&state, &posted.caller, Some(said), status).await
}

async fn render(state: &AppState, caller: &Caller, said: Said, status: StatusCode) -> PageResult {
    caller.require(ADMINS, "administer the platform").map_err(PageError::at(HERE))?;
    let users = state.store.users().await.map_err(PageError::at(HERE))?;
    let tokens = state.store.tokens().await.map_err(PageError::at(HERE))?;
    let body = html! {
        h1 { "Administration" }
        @if let Some((text, bad, token)) = &said {
            p.error[*bad] #admin-note role=(if *bad { "alert" } else { "status" }) { (text) }
            @if let Some(t) = token { p { "Token: " code #issued-token { (t) } } }
        }
        h2 { "API tokens" }
        table #tokens {
            thead { tr { th scope="col" { "Id" } th scope="col" { "Name" } th scope="col" { "Role" } th scope="col" { "Party" }
                th scope="col" { "Issued" } th scope="col" { "Status" } th scope="col" { "Revoke" } } }
            tbody {
                @for t in &tokens {
                    tr {
                        td { code { (t.id) } } td { (t.name) } td { (t.role) } td { (t.trader_id.clone().unwrap_or_default()) }
                        td { (t.issued_at_us.map(minute).unwrap_or_default()) }
                        td { @match t.revoked_at_us { Some(at) => { "revoked " (minute(at)) } None => { "in force" } } }
                        td { @if t.revoked_at_us.is_none() {
                            form method="post" action=(HERE) {
                                (csrf_field(caller)) input type="hidden" name="id" value=(t.id);
                                button type="submit" name="action" value="revoke" aria-label=(format!("Revoke token {}", t.id)) { "Revoke" }
                            }
                        } }
                    }
                }
            }
        }
        h3 { "Issue a token" }
        form.stack #issue method="post" action=(HERE) {
            (csrf_field(caller)) input type="hidden" name="action" value="issue";
            label for="t-name" { "Name (the system that will use it)" } input #t-name type="text" name="name" required;
            label for="t-role" { "Role" }
            select #t-role name="role" { @for r in Role::ALL { option value=(r.as_str()) { (r.as_str()) } } }
            label for="t-party" { "Party id (traders, warehouses)" } input #t-party type="text" name="party";
            p { button type="submit" { "Issue" } }
        }
        h2 { "Users" }
        table #users {
            thead { tr { th scope="col" { "User" } th scope="col" { "Name" } th scope="col" { "Role" } th scope="col" { "Party" } th scope="col" { "Status" } } }
            tbody {
                @for u in &users {
                    tr {
                        td { (u.name) } td { (u.display_name) } td { (u.role) } td { (u.trader_id.clone().unwrap_or_default()) }
                        td { @match u.disabled_at_us { Some(at) => { "disabled " (minute(at)) } None => { "active" } } }
                    }
                }
            }
        }
        p.muted { "Declaration centres, inspectors and dispatch rules: " a href="/console/centres" { "Centres" } "; risk profiles: "
            a href="/console/profiles" { "Risk profiles" } "; model versions: " a href="/console/models" { "Risk model" } "." }
    };
    Ok((status, layout("Administration", Some(caller), body)).into_response())
}
