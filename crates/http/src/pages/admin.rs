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
use crate::i18n::{t, t_with};
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
    render(&state, &posted.caller, Some(said), status).await
}

/// A role's name in the request's language (its code when it has none).
fn role(code: &str) -> String {
    crate::i18n::t_or(&format!("role-{code}"), code)
}

async fn render(state: &AppState, caller: &Caller, said: Said, status: StatusCode) -> PageResult {
    caller.require(ADMINS, "administer the platform").map_err(PageError::at(HERE))?;
    let users = state.store.users().await.map_err(PageError::at(HERE))?;
    let tokens = state.store.tokens().await.map_err(PageError::at(HERE))?;
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
            thead { tr { th scope="col" { (t("org-col-user")) } th scope="col" { (t("org-col-name")) } th scope="col" { (t("admin-col-role")) }
                th scope="col" { (t("admin-col-party")) } th scope="col" { (t("org-col-status")) } } }
            tbody {
                @for u in &users {
                    tr {
                        td { (u.name) } td { (u.display_name) } td { (role(&u.role)) } td { (u.trader_id.clone().unwrap_or_default()) }
                        td { @match u.disabled_at_us { Some(at) => { (t_with("admin-disabled", &[("at", minute(at).into())])) } None => { (t("admin-active")) } } }
                    }
                }
            }
        }
        p.muted { (t("admin-see-centres")) " " a href="/console/centres" { (t("nav-centres")) } "; " (t("admin-see-profiles")) " "
            a href="/console/profiles" { (t("nav-risk-profiles")) } "; " (t("admin-see-models")) " " a href="/console/models" { (t("nav-risk-model")) } "." }
    };
    Ok((status, layout(&t("nav-administration"), Some(caller), body)).into_response())
}
