//! The trader's declarations: tabs for what needs the trader's action, what is in progress, what
//! is released and what was refused, newest first with paging, live (a lane or a release shows
//! without reloading).

use axum::extract::{Query, State};
use axum::response::IntoResponse;
use maud::html;
use serde::Deserialize;

use smartcustoms_core::access::Role;
use smartcustoms_core::workflow::State as DeclState;

use super::{column_heads, live_layout, minute, signed_in, Follows, PageError, PageResult};
use crate::app::declarations::{self, ListRequest, ReadError};
use crate::auth::Caller;
use crate::state::AppState;

/// Declarations on one page.
const PAGE: i64 = 50;

/// A tab: its code, its title and the states it shows.
const TABS: &[(&str, &str, &[DeclState])] = &[
    ("action", "Action needed", &[DeclState::AwaitingPayment]),
    ("progress", "In progress", &[DeclState::Submitted, DeclState::Registered, DeclState::UnderControl]),
    ("released", "Released", &[DeclState::Released]),
    ("refused", "Refused", &[DeclState::Refused]),
];

/// The tab and page the address asks for.
#[derive(Debug, Deserialize)]
pub struct TabQuery {
    tab: Option<String>,
    before: Option<String>,
}

/// `/trader/declarations`: the signed-in trader's declarations, by tab.
pub async fn page(State(state): State<AppState>, caller: Option<Caller>, Query(q): Query<TabQuery>) -> PageResult {
    let here = "/trader/declarations";
    let caller = signed_in(caller, here)?;
    let at = |e: ReadError| PageError::at(here)(e);
    crate::app::require(&caller.0, &[Role::Trader], "read a trader's declarations").map_err(|f| at(f.into()))?;
    let &(tab, title, states) = TABS.iter().find(|(code, ..)| Some(*code) == q.tab.as_deref()).unwrap_or(&TABS[0]);
    let mut rows = Vec::new();
    for s in states {
        let request =
            ListRequest { state: Some(s.as_str()), before: q.before.as_deref(), limit: PAGE, declarant: None };
        rows.extend(declarations::list(&state, &caller.0, request).await.map_err(&at)?);
    }
    rows.sort_by_key(|r| std::cmp::Reverse(r.id));
    rows.truncate(PAGE as usize);
    let next = (rows.len() == PAGE as usize).then(|| rows.last().map(|r| r.id)).flatten();
    let body = html! {
        h1 { "My declarations" }
        nav.tabs aria-label="Declarations by state" {
            @for &(code, label, _) in TABS {
                @if code == tab { a href={"?tab=" (code)} aria-current="page" { strong { (label) } } }
                @else { a href={"?tab=" (code)} { (label) } }
                " "
            }
        }
        h2 #tab-title { (title) }
        @if rows.is_empty() {
            p #no-declarations { "No declarations here." }
        } @else {
            table #declarations {
                (column_heads(&["Declaration", "Registration number", "Office", "State", "Lane", "Filed (UTC)"]))
                tbody {
                    @for r in &rows {
                        tr {
                            td { a href={"/declarations/" (r.id)} { code { (r.id) } } }
                            td { (r.registration_number.as_ref().map(ToString::to_string).unwrap_or_default()) }
                            td { (r.office.clone().unwrap_or_default()) }
                            td.state { (r.state.as_str()) }
                            td { (r.lane.map(|l| l.as_str()).unwrap_or("-")) }
                            td { (minute(r.received_at_us)) }
                        }
                    }
                }
            }
        }
        @if let Some(last) = next {
            p { a #next href={"?tab=" (tab) "&before=" (last)} { "Older" } }
        }
    };
    Ok(live_layout("My declarations", Some(&caller), Follows::Declarations, body).into_response())
}
