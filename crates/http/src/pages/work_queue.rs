//! The officers' work queue page: the declarations under control, most urgent first, with the
//! time left on each case's service clock (the cases of `GET /api/v1/work-queue`).

use axum::extract::{Query, State};
use axum::response::IntoResponse;
use maud::html;
use serde::Deserialize;

use smartcustoms_core::timestamp::Timestamp;

use super::{column_heads, live_layout, minute, signed_in, Follows, PageError, PageResult};
use crate::app::work_queue;
use crate::auth::Caller;
use crate::state::AppState;

/// Time left, or how late, for people.
fn clock(due_at: Timestamp, now: Timestamp) -> String {
    let left = (due_at - now).num_minutes();
    let text = |m: i64| if m >= 60 { format!("{} h {:02} min", m / 60, m % 60) } else { format!("{m} min") };
    if left >= 0 {
        format!("{} left", text(left))
    } else {
        format!("overdue by {}", text(-left))
    }
}

/// Which cases the page shows.
#[derive(Debug, Deserialize)]
pub struct Scope {
    /// `all`: every case under control; otherwise an inspector's own (an officer who is not an
    /// inspector, a supervisor and an administrator see all).
    show: Option<String>,
}

/// `/console/queue`: the inspector's work queue (officers, supervisors, administrators).
pub async fn page(State(state): State<AppState>, caller: Option<Caller>, Query(scope): Query<Scope>) -> PageResult {
    let here = "/console/queue";
    let caller = signed_in(caller, here)?;
    let now = Timestamp::now();
    let inspector =
        state.store.inspectors().await.map_err(PageError::at(here))?.iter().any(|i| i.user == caller.0.name);
    let mine = inspector && scope.show.as_deref() != Some("all");
    let cases = work_queue::work_queue(&state, &caller.0, mine, 100, now).await.map_err(PageError::at(here))?;
    let body = html! {
        h1 { "Work queue" }
        @if inspector {
            p #scope { @if mine { "Your cases. " a href="?show=all" { "Show every case under control" } }
                @else { "Every case under control. " a href="?show=mine" { "Show only yours" } } }
        }
        p #case-count { (cases.len()) " declaration(s) under control. A document check is due within 4 hours of going "
            "under control, an inspection within 24; overdue cases come first, then red, then the longest waiting." }
        table #cases {
            (column_heads(&["Declaration", "Registration number", "Lane", "Centre", "Inspector", "Waiting since (UTC)", "Service clock", "Model score"]))
            tbody {
                @for c in &cases {
                    tr.overdue[c.overdue] {
                        td { a href={"/declarations/" (c.declaration.id)} { code { (c.declaration.id) } } }
                        td { (c.declaration.registration_number.as_ref().map(ToString::to_string).unwrap_or_default()) }
                        td { (c.declaration.lane.map(|l| l.as_str()).unwrap_or("-"))
                            @if c.random_control { " (random)" } }
                        td { (c.centre.clone().unwrap_or_else(|| "-".into())) }
                        td.inspector { (c.inspector.clone().unwrap_or_else(|| "-".into())) }
                        td { (minute(c.waiting_since)) }
                        td.clock { @if c.overdue { strong { (clock(c.due_at, now)) } } @else { (clock(c.due_at, now)) } }
                        td { (c.score.map(|s| format!("{s:.3}")).unwrap_or_else(|| "-".into())) }
                    }
                }
            }
        }
    };
    Ok(live_layout("Work queue", Some(&caller), Follows::Declarations, body).into_response())
}
