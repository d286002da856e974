//! The supervisors' dashboard page: the figures of `GET /api/v1/dashboard` as charts drawn on
//! the server (SVG, no script), each with its figures as a table for those who do not see it.

use axum::extract::{Query, State};
use axum::response::IntoResponse;
use maud::{html, Markup};
use serde::Deserialize;

use smartcustoms_core::tariff::NATIONAL_CURRENCY;
use smartcustoms_core::timestamp::Timestamp;

use super::{column_heads, live_layout, minute, signed_in, when, Follows, PageError, PageResult};
use crate::app::dashboard::{self, Hour, LaneShare};
use crate::auth::Caller;
use crate::i18n::{money, t, t_with};
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
    let label = t_with(
        "dash-hours-label",
        &[("hours", hours.len().into()), ("most", hours.iter().map(|h| h.registered).max().unwrap_or(0).into())],
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
    let label =
        lanes.iter().map(|l| format!("{} {:.0} %", lane(&l.lane), l.share * 100.0)).collect::<Vec<_>>().join(", ");
    let bars: Vec<(f64, f64, &str)> = lanes
        .iter()
        .scan(0.0, |x, l| {
            let start = *x;
            *x += WIDTH * l.share;
            Some((start, WIDTH * l.share, colour(&l.lane)))
        })
        .collect();
    html! {
        svg.chart role="img" aria-label=(t_with("dash-lanes-label", &[("shares", label.into())])) viewBox={"0 0 " (WIDTH) " 24"} width="100%" preserveAspectRatio="none" {
            @for (x, w, fill) in bars {
                rect x=(x) y="0" width=(w) height="24" fill=(fill) {}
            }
        }
    }
}

/// A share as a percentage with one decimal, as the language writes it (`12.5 %`, `12,5 %`).
fn share(fraction: f64) -> String {
    format!("{} %", decimal(fraction * 100.0))
}

/// A figure with one decimal, as the language writes it.
fn decimal(value: f64) -> String {
    let text = format!("{value:.1}");
    crate::i18n::number_text(&text)
}

/// A lane's name in the request's language.
fn lane(code: &str) -> String {
    crate::i18n::t_or(&format!("lane-{code}"), code)
}

/// `/console/dashboard`: the supervisors' dashboard (officers, analysts, administrators).
pub async fn page(State(state): State<AppState>, caller: Option<Caller>, Query(w): Query<WindowForm>) -> PageResult {
    let here = "/console/dashboard";
    let caller = signed_in(caller, here)?;
    let at = PageError::at(here);
    let hours = match w.hours.as_deref().map(str::trim) {
        None | Some("") => dashboard::DEFAULT_HOURS,
        Some(text) => text.parse().unwrap_or(0),
    };
    let d = dashboard::dashboard(&state, &caller.0, hours, Timestamp::now()).await.map_err(at)?;
    let registered: usize = d.per_hour.iter().map(|h| h.registered).sum();
    let body = html! {
        h1 { (t("dash-title")) }
        p { (t_with("dash-period", &[("from", minute(d.from).into()), ("to", minute(d.to).into())])) " " strong #registered { (registered) } " "
            (t("dash-registered")) " " strong #automatic { (share(d.released_automatically_share)) } " " (t("dash-automatic")) " "
            strong #revenue { (money(d.revenue.to_decimal(), NATIONAL_CURRENCY)) } " " (t("dash-collected")) }
        form.noprint method="get" action=(here) {
            label for="hours" { (t("dash-hours")) " " } input #hours type="number" name="hours" min="1" max="168" value=(hours);
            " " button type="submit" { (t("tr-show")) }
        }
        h2 { (t("dash-per-hour")) }
        p.muted { (t("dash-legend")) }
        (hours_chart(&d.per_hour))
        details {
            summary { (t("dash-figures")) }
            table #per-hour {
                (column_heads(&[&t("dash-col-hour"), &t("dash-col-registered"), &t("dash-col-automatic")]))
                tbody { @for h in &d.per_hour { tr { td { (when(h.hour)) } td { (h.registered) } td { (h.released_automatically) } } } }
            }
        }
        h2 { (t("dash-lanes")) }
        (lanes_chart(&d.lanes))
        table #lanes {
            (column_heads(&[&t("list-lane"), &t("tr-declarations"), &t("dash-col-share")]))
            tbody { @for l in &d.lanes { tr { td { (lane(&l.lane)) } td { (l.count) } td { (share(l.share)) } } } }
        }
        h2 { (t("dash-queues")) }
        table #queues {
            (column_heads(&[&t("dash-col-waiting"), &t("tr-declarations"), &t("dash-col-oldest")]))
            tbody {
                @for q in &d.queues {
                    tr {
                        td { @if q.state == "under_control" { (t("dash-for-officer")) } @else { (t("dash-for-payment")) } }
                        td { (q.count) }
                        td { (t_with("dash-hours-of", &[("hours", decimal(q.oldest_age_s / 3_600.0).into())])) }
                    }
                }
            }
        }
    };
    Ok(live_layout(&t("dash-title"), Some(&caller), Follows::Declarations, body).into_response())
}
