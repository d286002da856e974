//! The supervisors' dashboard page: the figures of `GET /api/v1/dashboard` as charts drawn on
//! the server (SVG, no script), each with its figures as a table for those who do not see it.

use axum::extract::{Query, State};
use axum::response::IntoResponse;
use maud::{html, Markup};
use serde::Deserialize;

use smartcustoms_core::timestamp::Timestamp;

use super::{column_heads, live_layout, minute, signed_in, Follows, PageError, PageResult};
use crate::app::dashboard::{self, Hour, LaneShare};
use crate::auth::Caller;
use crate::state::AppState;

/// The window as the page's address gives it.
#[derive(Debug, Deserialize)]
pub struct WindowForm {
    hours: Option<String>,
}

/// Chart size, in SVG units.
const WIDTH: f64 = 720.0;
const HEIGHT: f64 = 160.0;

/// Declarations per hour as bars: registered, and within them those released automatically.
fn hours_chart(hours: &[Hour]) -> Markup {
    let top = hours.iter().map(|h| h.registered).max().unwrap_or(0).max(1) as f64;
    let step = WIDTH / hours.len().max(1) as f64;
    let bar = |n: usize| HEIGHT * n as f64 / top;
    let label = format!(
        "Declarations registered per hour over {} hours, at most {} in one hour",
        hours.len(),
        hours.iter().map(|h| h.registered).max().unwrap_or(0)
    );
    html! {
        svg.chart role="img" aria-label=(label) viewBox={"0 0 " (WIDTH) " " (HEIGHT)} width="100%" preserveAspectRatio="none" {
            @for (i, h) in hours.iter().enumerate() {
                rect x=(i as f64 * step + 1.0) y=(HEIGHT - bar(h.registered)) width=((step - 2.0).max(1.0))
                    height=(bar(h.registered)) fill="#9db8d6" {}
                rect x=(i as f64 * step + 1.0) y=(HEIGHT - bar(h.released_automatically)) width=((step - 2.0).max(1.0))
                    height=(bar(h.released_automatically)) fill="#2f74c0" {}
            }
        }
    }
}

/// The lanes as one bar split by share.
fn lanes_chart(lanes: &[LaneShare]) -> Markup {
    let colour = |lane: &str| match lane {
        "green" => "#2e7d32",
        "yellow" => "#b8860b",
        "red" => "#b71c1c",
        _ => "#1565c0",
    };
    let label = lanes.iter().map(|l| format!("{} {:.0} %", l.lane, l.share * 100.0)).collect::<Vec<_>>().join(", ");
    let bars: Vec<(f64, f64, &str)> = lanes
        .iter()
        .scan(0.0, |x, l| {
            let start = *x;
            *x += WIDTH * l.share;
            Some((start, WIDTH * l.share, colour(&l.lane)))
        })
        .collect();
    html! {
        svg.chart role="img" aria-label={"Share of each lane: " (label)} viewBox={"0 0 " (WIDTH) " 24"} width="100%" preserveAspectRatio="none" {
            @for (x, w, fill) in bars {
                rect x=(x) y="0" width=(w) height="24" fill=(fill) {}
            }
        }
    }
}

/// `/console/dashboard`: the supervisors' dashboard (officers, analysts, administrators).
pub async fn page(State(state): State<AppState>, caller: Option<Caller>, Query(w): Query<WindowForm>) -> PageResult {
    let here = "/console/dashboard";
    let caller = signed_in(caller, here)?;
    let at = PageError::at(here);
    let hours = match w.hours.as_deref().map(str::trim) {
        None | Some("") => 24,
        Some(text) => text.parse().unwrap_or(0),
    };
    let d = dashboard::dashboard(&state, &caller.0, hours, Timestamp::now()).await.map_err(at)?;
    let registered: usize = d.per_hour.iter().map(|h| h.registered).sum();
    let body = html! {
        h1 { "Dashboard" }
        p { "From " (minute(d.from)) " to " (minute(d.to)) " UTC: " strong #registered { (registered) } " declarations registered, "
            strong #automatic { (format!("{:.1}", d.released_automatically_share * 100.0)) " %" } " released automatically; "
            strong #revenue { (d.revenue) } " collected." }
        form.noprint method="get" action=(here) {
            label for="hours" { "Hours " } input #hours type="number" name="hours" min="1" max="168" value=(hours);
            " " button type="submit" { "Show" }
        }
        h2 { "Declarations per hour" }
        p.muted { "Light: registered; dark: released automatically." }
        (hours_chart(&d.per_hour))
        details {
            summary { "The figures" }
            table #per-hour {
                (column_heads(&["Hour (UTC)", "Registered", "Released automatically"]))
                tbody { @for h in &d.per_hour { tr { td { (minute(h.hour)) } td { (h.registered) } td { (h.released_automatically) } } } }
            }
        }
        h2 { "Lanes" }
        (lanes_chart(&d.lanes))
        table #lanes {
            (column_heads(&["Lane", "Declarations", "Share"]))
            tbody { @for l in &d.lanes { tr { td { (l.lane) } td { (l.count) } td { (format!("{:.1} %", l.share * 100.0)) } } } }
        }
        h2 { "Queues" }
        table #queues {
            (column_heads(&["Waiting", "Declarations", "Oldest waits"]))
            tbody {
                @for q in &d.queues {
                    tr {
                        td { @if q.state == "under_control" { "for an officer" } @else { "for payment" } }
                        td { (q.count) }
                        td { (format!("{:.1} h", q.oldest_age_s / 3_600.0)) }
                    }
                }
            }
        }
    };
    Ok(live_layout("Dashboard", Some(&caller), Follows::Declarations, body).into_response())
}
