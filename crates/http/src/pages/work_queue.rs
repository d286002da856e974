//! The officers' work queue page: the declarations under control, most urgent first, with the
//! time left on each case's service clock (the cases of `GET /api/v1/work-queue`).

use axum::extract::{Query, State};
use axum::response::IntoResponse;
use maud::html;
use serde::Deserialize;

use smartcustoms_core::timestamp::Timestamp;

use super::{column_heads, live_layout, signed_in, when, Follows, PageError, PageResult};
use crate::app::work_queue;
use crate::auth::Caller;
use crate::i18n::{t, t_or, t_with};
use crate::state::AppState;

/// A span of minutes for people: `2 h 05 min`, `40 min`.
pub fn span(minutes: i64) -> String {
    match minutes >= 60 {
        true => t_with("span-hours", &[("h", (minutes / 60).into()), ("m", format!("{:02}", minutes % 60).into())]),
        false => t_with("span-minutes", &[("m", minutes.into())]),
    }
}

/// Time left, or how late, for people.
fn clock(due_at: Timestamp, now: Timestamp) -> String {
    let left = (due_at - now).num_minutes();
    if left >= 0 {
        t_with("queue-left", &[("time", span(left).into())])
    } else {
        t_with("queue-overdue", &[("time", span(-left).into())])
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
        h1 { (t("nav-work-queue")) }
        @if inspector {
            p #scope { @if mine { (t("queue-yours")) " " a href="?show=all" { (t("queue-show-all")) } }
                @else { (t("queue-all")) " " a href="?show=mine" { (t("queue-show-mine")) } } }
        }
        p #case-count { (t_with("queue-count", &[("count", cases.len().into())])) }
        table #cases {
            (column_heads(&[&t("list-col-declaration"), &t("list-number"), &t("list-lane"), &t("queue-col-centre"), &t("work-col-inspector"),
                &t("queue-col-since"), &t("queue-col-clock"), &t("queue-col-score")]))
            tbody {
                @for c in &cases {
                    tr.overdue[c.overdue] {
                        td { a href={"/declarations/" (c.declaration.id)} { code { (c.declaration.id) } } }
                        td { (c.declaration.registration_number.as_ref().map(ToString::to_string).unwrap_or_default()) }
                        td { (c.declaration.lane.map(|l| t_or(&format!("lane-{}", l.as_str()), l.as_str())).unwrap_or_else(|| "-".into()))
                            @if c.random_control { " " (t("queue-random")) } }
                        td { (c.centre.clone().unwrap_or_else(|| "-".into())) }
                        td.inspector { (c.inspector.clone().unwrap_or_else(|| "-".into())) }
                        td { (when(c.waiting_since)) }
                        td.clock { @if c.overdue { strong { (clock(c.due_at, now)) } } @else { (clock(c.due_at, now)) } }
                        td { (c.score.map(|s| format!("{s:.3}")).unwrap_or_else(|| "-".into())) }
                    }
                }
            }
        }
    };
    Ok(live_layout(&t("nav-work-queue"), Some(&caller), Follows::Declarations, body).into_response())
}
