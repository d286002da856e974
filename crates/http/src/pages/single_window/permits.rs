//! `/trader/permits`: the documents other government agencies issued to the signed-in trader,
//! with what its declarations reserved and drew on each and what is left
//! (`app::single_window::list`, as `GET /api/v1/permits`).

use axum::extract::State;
use axum::response::IntoResponse;
use maud::html;

use smartcustoms_core::access::Role;

use super::form::{quantity, status};
use crate::app::single_window as sw;
use crate::auth::Caller;
use crate::i18n::{t, t_with};
use crate::pages::{column_heads, layout, signed_in, PageError, PageResult};
use crate::state::AppState;

const HERE: &str = "/trader/permits";

/// `GET /trader/permits`.
pub async fn page(State(state): State<AppState>, caller: Option<Caller>) -> PageResult {
    let caller = signed_in(caller, HERE)?;
    caller.require(&[Role::Trader], "read a trader's documents").map_err(PageError::at(HERE))?;
    let permits = sw::list(&state, &caller.0, None, None).await.map_err(PageError::at(HERE))?;
    let agencies = sw::agencies(&state, &caller.0).await.map_err(PageError::at(HERE))?;
    let agency_name = |code: &str| agencies.iter().find(|a| a.code == code).map(|a| a.name.clone());
    let title = t("sw-permits-title");
    let body = html! {
        h1 { (title) }
        p { (t("sw-permits-intro")) }
        p #permit-count { (t_with("sw-permit-count", &[("count", permits.len().into())])) }
        @if !permits.is_empty() {
            table #permits {
                (column_heads(&[&t("sw-col-number"), &t("sw-col-agency"), &t("sw-col-kind"), &t("sw-col-hs"),
                    &t("sw-col-granted"), &t("sw-col-reserved"), &t("sw-col-drawn"), &t("sw-col-remaining"),
                    &t("sw-col-valid"), &t("sw-col-status")]))
                tbody {
                    @for p in &permits {
                        tr data-number=(p.number) {
                            td.number { (p.number) }
                            td.agency {
                                @match agency_name(&p.agency) {
                                    Some(name) => { (name) " " span.muted { "(" (p.agency) ")" } },
                                    None => { (p.agency) },
                                }
                            }
                            td.kind { code { (p.kind) } }
                            td.hs { (p.hs_prefixes.join(", ")) }
                            td.granted { (quantity(&p.quantity)) " " (p.unit) }
                            td.reserved { (quantity(&p.reserved)) }
                            td.drawn { (quantity(&p.drawn)) }
                            td.remaining { strong { (quantity(&p.remaining)) " " (p.unit) } }
                            td.valid { (crate::i18n::day(p.valid_from)) " – " (crate::i18n::day(p.valid_to)) }
                            td.status { (status(p.status)) }
                        }
                    }
                }
            }
        }
    };
    Ok(layout(&title, Some(&caller), body).into_response())
}
