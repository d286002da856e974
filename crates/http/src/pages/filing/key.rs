//! The user's personal signing key: made on the server and sealed under a passphrase only the
//! user knows; its public half is registered as the declarant's key, so anyone with it can
//! verify what the user signed.

use axum::extract::rejection::FormRejection;
use axum::extract::{Form, State};
use axum::http::StatusCode;
use axum::response::IntoResponse;
use maud::html;

use smartcustoms_core::sealed_key::{MAX_PASSPHRASE, MIN_PASSPHRASE};

use super::super::{csrf_field, layout, minute, posted, signed_in, PageError, PageResult};
use crate::app::desk::{self, DeskError};
use crate::auth::Caller;
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
            let note = (false, format!("Your signing key {} is made and registered.", k.kid));
            render(&state, &posted.caller, Some(note), StatusCode::CREATED).await
        }
        Err(e @ (DeskError::Mismatch | DeskError::Seal(_))) => {
            render(&state, &posted.caller, Some((true, e.to_string())), StatusCode::UNPROCESSABLE_ENTITY).await
        }
        Err(e) => Err(PageError::at(HERE)(e)),
    }
}

async fn render(state: &AppState, caller: &Caller, note: Option<(bool, String)>, status: StatusCode) -> PageResult {
    let key = desk::key(state, &caller.0).await.map_err(PageError::at(HERE))?;
    let body = html! {
        h1 { "Your signing key" }
        p { "Declarations you file in the browser are signed with your own key. The server keeps it sealed "
            "under a passphrase that only you know and opens it for one signature each time you give the "
            "passphrase; its public half is registered to your organisation, so anyone can verify your signatures." }
        @if let Some((bad, text)) = &note { p.error[*bad] #key-note role=(if *bad { "alert" } else { "status" }) { (text) } }
        @match &key {
            Some(k) => {
                dl.facts #key-facts {
                    dt { "Key id" } dd { code { (k.kid) } }
                    dt { "Public key (Ed25519, base64url)" } dd { code { (k.public_key) } }
                    dt { "Made" } dd { (minute(k.created_at_us)) }
                }
                h2 { "Make a new key" }
                p.muted { "The new key replaces this one for signing; what this one signed stays verifiable." }
            }
            None => { p #no-key { "You have no signing key yet." } }
        }
        form.stack method="post" action=(HERE) {
            (csrf_field(caller))
            label for="passphrase" { "Passphrase (" (MIN_PASSPHRASE) " to " (MAX_PASSPHRASE) " characters)" }
            input #passphrase type="password" name="passphrase" autocomplete="new-password" required minlength=(MIN_PASSPHRASE);
            label for="again" { "The passphrase again" }
            input #again type="password" name="again" autocomplete="new-password" required;
            p { button type="submit" { "Make my signing key" } }
        }
        p { a href="/trader/file" { "File a declaration" } }
    };
    Ok((status, layout("Your signing key", Some(caller), body)).into_response())
}
