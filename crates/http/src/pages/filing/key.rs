//! The user's personal signing key: made on the server and sealed under a passphrase only the
//! user knows; its public half is registered as the declarant's key, so anyone with it can
//! verify what the user signed.

use axum::extract::rejection::FormRejection;
use axum::extract::{Form, State};
use axum::http::StatusCode;
use axum::response::IntoResponse;
use maud::html;

use smartcustoms_core::sealed_key::{MAX_PASSPHRASE, MIN_PASSPHRASE};

use super::super::{csrf_field, layout, posted, signed_in, when, PageError, PageResult};
use crate::app::desk::{self, DeskError};
use crate::auth::Caller;
use crate::i18n::{t, t_with};
use crate::state::AppState;

const HERE: &str = "/trader/key";

/// `GET /trader/key`.
pub async fn page(State(state): State<AppState>, caller: Option<Caller>) -> PageResult {
    let caller = signed_in(caller, HERE)?;
    render(&state, &caller, None, StatusCode::OK).await
}

/// `POST /trader/key`: makes a new key sealed under the passphrase given twice.
pub async fn make(
    State(state): State<AppState>,
    caller: Option<Caller>,
    form: Result<Form<Vec<(String, String)>>, FormRejection>,
) -> PageResult {
    let posted = posted(caller, form, HERE)?;
    match desk::make_key(&state, &posted.caller.0, posted.field("passphrase"), posted.field("again")).await {
        Ok(k) => {
            let note = (false, t_with("key-made", &[("kid", k.kid.to_string().into())]));
            render(&state, &posted.caller, Some(note), StatusCode::CREATED).await
        }
        Err(e @ (DeskError::Mismatch | DeskError::Seal(_))) => {
            render(
                &state,
                &posted.caller,
                Some((true, super::super::errors::desk(&e))),
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await
        }
        Err(e) => Err(PageError::at(HERE)(e)),
    }
}

async fn render(state: &AppState, caller: &Caller, note: Option<(bool, String)>, status: StatusCode) -> PageResult {
    let key = desk::key(state, &caller.0).await.map_err(PageError::at(HERE))?;
    let body = html! {
        h1 { (t("key-title")) }
        p { (t("key-intro")) }
        @if let Some((bad, text)) = &note { p.error[*bad] #key-note role=(if *bad { "alert" } else { "status" }) { (text) } }
        @match &key {
            Some(k) => {
                dl.facts #key-facts {
                    dt { (t("key-id")) } dd { code { (k.kid) } }
                    dt { (t("key-public")) } dd { code { (k.public_key) } }
                    dt { (t("key-made-at")) } dd { (when(k.created_at_us)) " UTC" }
                }
                h2 { (t("key-new")) }
                p.muted { (t("key-new-note")) }
            }
            None => { p #no-key { (t("file-no-key")) } }
        }
        form.stack method="post" action=(HERE) {
            (csrf_field(caller))
            label for="passphrase" { (t_with("key-passphrase", &[("min", MIN_PASSPHRASE.into()), ("max", MAX_PASSPHRASE.into())])) }
            input #passphrase type="password" name="passphrase" autocomplete="new-password" required minlength=(MIN_PASSPHRASE);
            label for="again" { (t("key-again")) }
            input #again type="password" name="again" autocomplete="new-password" required;
            p { button type="submit" { (t("key-button")) } }
        }
        p { a href="/trader/file" { (t("list-file")) } }
    };
    Ok((status, layout(&t("key-title"), Some(caller), body)).into_response())
}
