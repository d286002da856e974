//! The public time-release page: how long declarations take from filing to registration, to
//! their lane and to release, per office and per lane, for anyone and without sign-in (the
//! figures of `GET /api/v1/time-release`).

use axum::extract::{Query, State};
use axum::response::IntoResponse;
use chrono::{NaiveDate, Utc};
use maud::{html, Markup};
use serde::Deserialize;

use super::{layout, PageError, PageResult};
use crate::app::declarations::ReadError;
use crate::app::time_release::{self, CheckpointTimes, Durations, Group, StageTimes, Steps};
use crate::auth::Caller;
use crate::i18n::{t, t_with};
use crate::state::AppState;

/// The period as the page's form sends it: days as `YYYY-MM-DD`, empty for the default.
#[derive(Debug, Deserialize)]
pub struct PeriodForm {
    from: Option<String>,
    to: Option<String>,
}

/// A day of the form: `None` when left empty.
fn day(name: &'static str, text: &Option<String>) -> Result<Option<NaiveDate>, ReadError> {
    match text.as_deref().map(str::trim) {
        None | Some("") => Ok(None),
        Some(t) => {
            t.parse().map(Some).map_err(|_| ReadError::BadParameter(name, format!("{t:?} is not a day (YYYY-MM-DD)")))
        }
    }
}

/// A duration for people: seconds, minutes or hours with one decimal.
fn human(seconds: f64) -> String {
    match seconds {
        s if s < 60.0 => format!("{s:.1} s"),
        s if s < 3_600.0 => format!("{:.1} min", s / 60.0),
        s => format!("{:.1} h", s / 3_600.0),
    }
}

/// The cells of one step: median and 95th percentile, or a dash when nothing passed it.
fn step(d: &Option<Durations>) -> Markup {
    match d {
        Some(d) => html! { td { (human(d.median_s)) } td { (human(d.p95_s)) } },
        None => html! { td { "–" } td { "–" } },
    }
}

/// A table of groups (or of the overall figures alone) with its caption.
fn table(id: &str, caption: &str, first: &str, rows: &[(String, &Steps)]) -> Markup {
    html! {
        table id=(id) {
            caption { (caption) }
            thead {
                tr {
                    th scope="col" { (first) } th scope="col" { (t("tr-declarations")) }
                    th scope="col" { (t("tr-to-registration")) } th scope="col" { (t("tr-p95")) }
                    th scope="col" { (t("tr-to-lane")) } th scope="col" { (t("tr-p95")) }
                    th scope="col" { (t("tr-to-release")) } th scope="col" { (t("tr-p95")) }
                }
            }
            tbody {
                @for (key, s) in rows {
                    tr {
                        th scope="row" { (key) } td { (s.declarations) }
                        (step(&s.to_registration)) (step(&s.to_lane)) (step(&s.to_release))
                    }
                }
            }
        }
    }
}

/// The cells of one checkpoint stage: median and 90th percentile, or dashes.
fn stage(s: &Option<StageTimes>) -> Markup {
    match s {
        // Whole seconds are exact here: `human` writes them as it writes the declarations'.
        Some(s) => html! { td { (human(s.median_s as f64)) } td { (human(s.p90_s as f64)) } },
        None => html! { td { "–" } td { "–" } },
    }
}

/// Each checkpoint's waiting and crossing times over the period.
fn checkpoint_table(rows: &[CheckpointTimes]) -> Markup {
    html! {
        section #checkpoint-times aria-labelledby="checkpoint-times-title" {
            h2 #checkpoint-times-title { (t("tr-checkpoints")) }
            p { (t("tr-checkpoints-intro")) }
            @if rows.is_empty() { p.muted { (t("tr-checkpoints-none")) } }
            @else {
                table #checkpoints {
                    thead {
                        tr {
                            th scope="col" { (t("tr-checkpoint")) } th scope="col" { (t("tr-crossed")) }
                            th scope="col" { (t("tr-waiting")) } th scope="col" { (t("tr-p90")) }
                            th scope="col" { (t("tr-crossing")) } th scope="col" { (t("tr-p90")) }
                        }
                    }
                    tbody {
                        @for c in rows {
                            tr data-checkpoint=(c.code) {
                                th scope="row" { (c.name) " " span.muted { "(" (c.code) ")" } }
                                td.crossed { (c.crossed) }
                                (stage(&c.waiting)) (stage(&c.crossing))
                            }
                        }
                    }
                }
            }
        }
    }
}

fn groups(groups: &[Group]) -> Vec<(String, &Steps)> {
    groups.iter().map(|g| (g.key.clone(), &g.steps)).collect()
}

/// `/time-release`: the live release times of the administration, per office and per lane.
pub async fn page(State(state): State<AppState>, caller: Option<Caller>, Query(p): Query<PeriodForm>) -> PageResult {
    let at = PageError::at("/time-release");
    let (from, to) = match (day("from", &p.from), day("to", &p.to)) {
        (Ok(from), Ok(to)) => (from, to),
        (Err(e), _) | (_, Err(e)) => return Err(at(e)),
    };
    let r = time_release::time_release(&state, from, to, Utc::now().date_naive()).await.map_err(at)?;
    let checkpoints = time_release::checkpoints(&state, r.from, r.to).await.map_err(PageError::at("/time-release"))?;
    let body = html! {
        h1 { (t("tr-title")) }
        p { (t_with("tr-intro", &[("from", r.from.to_string().into()), ("to", r.to.to_string().into())])) }
        form.noprint method="get" action="/time-release" {
            label for="from" { (t("tr-from")) " " } input #from type="date" name="from" value=(r.from);
            label for="to" { " " (t("tr-to")) " " } input #to type="date" name="to" value=(r.to);
            " " button type="submit" { (t("tr-show")) }
        }
        (table("overall", &t("tr-overall"), &t("tr-period"), &[(format!("{} – {}", r.from, r.to), &r.overall)]))
        (table("by-office", &t("tr-by-office"), &t("tr-office"), &groups(&r.by_office)))
        (table("by-lane", &t("tr-by-lane"), &t("tr-lane"), &groups(&r.by_lane)))
        (table("by-mode", &t("tr-by-mode"), &t("tr-mode"), &groups(&r.by_transport_mode)))
        (checkpoint_table(&checkpoints))
        p.muted { (t("tr-json")) " " a href="/api/v1/time-release" { "/api/v1/time-release" } "." }
    };
    let page = layout(&t("tr-title"), caller.as_ref(), body);
    // A period that runs to today is still filling: the browser fetches it again every minute.
    let live = r.to >= Utc::now().date_naive();
    Ok(match live {
        true => ([(axum::http::header::REFRESH, "60")], page).into_response(),
        false => page.into_response(),
    })
}
