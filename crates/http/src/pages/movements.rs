//! Movements of goods in pages: a trader's transits and every transit for customs staff, one
//! movement's page (state, guarantee, timeline, the seals' alerts and a map of the route, its
//! corridor and the track), officers' actions on it, and the officers' page of open seal
//! alerts, live.

use axum::extract::{Form, State};
use axum::response::{IntoResponse, Redirect};
use maud::{html, Markup};
use serde::Deserialize;

use smartcustoms_core::access::Role;
use smartcustoms_core::seals::Position;
use smartcustoms_core::timestamp::Timestamp;
use smartcustoms_storage::{IncidentRow, SealReportRow, TransitRecord};

use super::{column_heads, csrf_field, live_layout, signed_in, when, Follows, PageError, PageResult};
use crate::app::transit;
use crate::auth::Caller;
use crate::extract::ApiPath;
use crate::i18n::{money, t, t_or, t_with};
use crate::state::AppState;

/// Customs staff who act on movements from their page.
const ACTORS: &[Role] = &[Role::Officer, Role::Supervisor];

fn state_name(state: &str) -> String {
    t_or(&format!("transit-state-{state}"), state)
}

fn alert_name(kind: &str) -> String {
    t_or(&format!("alert-{kind}"), kind)
}

fn stake(r: &TransitRecord) -> String {
    money(r.stake_total().to_decimal(), smartcustoms_core::tariff::NATIONAL_CURRENCY)
}

/// `/transits`: a trader's movements, or every movement for customs staff, newest first.
pub async fn list(State(state): State<AppState>, caller: Option<Caller>) -> PageResult {
    let here = "/transits";
    let caller = signed_in(caller, here)?;
    let movements = transit::list(&state, &caller.0, 200).await.map_err(PageError::at(here))?;
    let body = html! {
        h1 { (t("transits-title")) }
        p { (t_with("transits-count", &[("count", movements.len().into())])) }
        table #transits {
            (column_heads(&[&t("transit-col-mrn"), &t("transit-col-state"), &t("transit-col-route"),
                &t("transit-col-guarantee"), &t("transit-col-limit"), &t("transit-col-filed")]))
            tbody {
                @for m in &movements {
                    tr {
                        td { a href={"/transits/" (m.id)} { code { (m.mrn) } } }
                        td { (state_name(&m.state)) }
                        td { (m.office_of_departure) " → " (m.office_of_destination) }
                        td { (stake(m)) " (" (t_or(&format!("guarantee-{}", m.guarantee_kind), &m.guarantee_kind)) ")" }
                        td { (when(m.time_limit_at_us)) }
                        td { (when(m.filed_at_us)) }
                    }
                }
            }
        }
    };
    Ok(live_layout(&t("transits-title"), Some(&caller), Follows::Alerts, body).into_response())
}

/// `/transits/{id}`: one movement (its holder, or customs staff).
pub async fn page(State(state): State<AppState>, caller: Option<Caller>, ApiPath(id): ApiPath<String>) -> PageResult {
    let here = format!("/transits/{id}");
    let caller = signed_in(caller, &here)?;
    let m = transit::read(&state, &caller.0, &id).await.map_err(PageError::at(&here))?;
    let timeline = state.store.transit_timeline(&m.id).await.map_err(PageError::at(&here))?;
    let alerts = state.store.seal_incidents(&m.id).await.map_err(PageError::at(&here))?;
    let track = state.store.seal_track(&m.id, 5000).await.map_err(PageError::at(&here))?;
    let refusal: Option<serde_json::Value> = m.refusal.as_deref().and_then(|r| serde_json::from_str(r).ok());
    let body = html! {
        h1 { (t("transit-title")) " " code { (m.mrn) } }
        dl #summary {
            dt { (t("transit-col-state")) } dd #state { (state_name(&m.state)) }
            dt { (t("transit-col-route")) } dd { (m.office_of_departure) " → " (m.office_of_destination) }
            dt { (t("transit-col-guarantee")) } dd { (stake(&m)) ", "
                (t_or(&format!("guarantee-{}", m.guarantee_kind), &m.guarantee_kind))
                @if let Some(r) = &m.guarantee_reference { " " code { (r) } } ": "
                (t_or(&format!("hold-{}", m.guarantee_hold), &m.guarantee_hold)) }
            dt { (t("transit-col-limit")) } dd { (when(m.time_limit_at_us)) }
            dt { (t("transit-col-local-reference")) } dd { (m.local_reference) }
            @if let Some(r) = &refusal {
                dt { (t("transit-refusal")) } dd #refusal { code { (r["code"].as_str().unwrap_or_default()) } " " (r["message"].as_str().unwrap_or_default()) }
            }
        }
        @if ACTORS.contains(&caller.0.role) || caller.0.role == Role::Trader {
            (actions(&caller, &m))
        }
        h2 { (t("transit-map")) }
        (map(&m, &track, &alerts))
        h2 { (t("transit-alerts")) }
        (alert_table(&alerts, false))
        h2 { (t("transit-timeline")) }
        table #timeline {
            (column_heads(&[&t("timeline-col-when"), &t("timeline-col-event"), &t("transit-col-state"), &t("timeline-col-who"), &t("timeline-col-details")]))
            tbody {
                @for e in &timeline {
                    tr {
                        td { (when(e.at_us)) }
                        td { (t_or(&format!("transit-event-{}", e.event), &e.event)) }
                        td { (state_name(&e.from_state)) " → " (state_name(&e.to_state)) }
                        td { (e.actor) }
                        td { code { (e.details) } }
                    }
                }
            }
        }
    };
    Ok(live_layout(&t("transit-title"), Some(&caller), Follows::Alerts, body).into_response())
}

/// The events the caller may send the movement now, as buttons.
fn actions(caller: &Caller, m: &TransitRecord) -> Markup {
    let events: &[&str] = match (caller.0.role, m.state.as_str()) {
        (Role::Trader, "accepted") => &["cancel"],
        (Role::Trader, _) => &[],
        (_, "accepted") => &["release", "cancel"],
        (_, "in_transit") => &["arrive", "open_enquiry"],
        (_, "arrived") => &["unloading_remarks"],
        (_, "unloaded") => &["complete"],
        (_, "enquiry") => &["arrive", "recover"],
        _ => &[],
    };
    html! {
        @if !events.is_empty() {
            form #actions method="post" action={"/transits/" (m.id) "/events"} {
                (csrf_field(caller))
                label for="remarks" { (t("transit-remarks")) }
                input #remarks type="text" name="remarks" maxlength="2000";
                @if events.contains(&"unloading_remarks") {
                    label { input type="checkbox" name="discrepancies" value="true"; " " (t("transit-discrepancies")) }
                }
                @for e in events {
                    button type="submit" name="event" value=(e) { (t_or(&format!("transit-event-{e}"), e)) }
                }
            }
        }
    }
}

/// An event sent from a movement's page.
#[derive(Debug, Deserialize)]
pub struct EventForm {
    #[serde(rename = "_csrf")]
    csrf: Option<String>,
    event: String,
    remarks: Option<String>,
    discrepancies: Option<String>,
}

/// `POST /transits/{id}/events`: an officer's (or the holder's) event from the page.
pub async fn act(
    State(state): State<AppState>,
    caller: Option<Caller>,
    ApiPath(id): ApiPath<String>,
    Form(f): Form<EventForm>,
) -> PageResult {
    let here = format!("/transits/{id}");
    let caller = signed_in(caller, &here)?;
    caller.check_csrf(f.csrf.as_deref()).map_err(PageError::at(&here))?;
    let Some(event) = transit::event_named(&f.event, f.discrepancies.is_some()) else {
        let e = crate::error::ApiError::BadParameter("event", format!("{:?}", f.event));
        return Err(PageError::at(&here)(e));
    };
    let remarks = f.remarks.filter(|r| !r.trim().is_empty());
    transit::step(&state, &caller.0, &id, event, remarks, Timestamp::now()).await.map_err(PageError::at(&here))?;
    Ok(Redirect::to(&here).into_response())
}

fn alert_table(alerts: &[IncidentRow], with_movement: bool) -> Markup {
    html! {
        @if alerts.is_empty() { p.muted #no-alerts { (t("alerts-none")) } }
        @else {
            table #alerts {
                @if with_movement {
                    (column_heads(&[&t("transit-col-mrn"), &t("alerts-col-seal"), &t("alerts-col-kind"), &t("alerts-col-from"), &t("alerts-col-until")]))
                } @else {
                    (column_heads(&[&t("alerts-col-seal"), &t("alerts-col-kind"), &t("alerts-col-from"), &t("alerts-col-until")]))
                }
                tbody {
                    @for a in alerts {
                        tr.open[a.closed_at_us.is_none()] {
                            @if with_movement { td { a href={"/transits/" (a.transit_id)} { (t("alerts-open-movement")) } } }
                            td { code { (a.seal_id) } }
                            td { (alert_name(&a.kind)) @if a.disproved { " (" (t("alerts-disproved")) ")" } }
                            td { (when(a.opened_at_us)) @if let Some(s) = a.opened_by { " #" (s) } }
                            td { @match a.closed_at_us { Some(c) => { (when(c)) @if let Some(s) = a.closed_by { " #" (s) } }, None => strong { (t("alerts-ongoing")) } } }
                        }
                    }
                }
            }
        }
    }
}

/// The route, its corridor and the track on a plain SVG map (no tiles: equirectangular, the
/// longitude scaled by the cosine of the mean latitude so that distances look right).
fn map(m: &TransitRecord, track: &[SealReportRow], alerts: &[IncidentRow]) -> Markup {
    #[derive(Deserialize)]
    struct Stored {
        waypoints: Vec<Position>,
        corridor_m: u32,
    }
    let Ok(route) = serde_json::from_str::<Stored>(&m.route) else { return html! {} };
    let points: Vec<Position> =
        route.waypoints.iter().copied().chain(track.iter().map(|r| Position { lat: r.lat, lon: r.lon })).collect();
    let (w, h, pad) = (800.0_f64, 420.0_f64, 20.0_f64);
    let lat0 = points.iter().map(|p| p.lat).sum::<f64>() / points.len().max(1) as f64;
    let k = lat0.to_radians().cos().max(0.01);
    let xs = points.iter().map(|p| p.lon * k);
    let ys = points.iter().map(|p| p.lat);
    let (x_min, x_max) = xs.clone().fold((f64::MAX, f64::MIN), |(a, b), x| (a.min(x), b.max(x)));
    let (y_min, y_max) = ys.fold((f64::MAX, f64::MIN), |(a, b), y| (a.min(y), b.max(y)));
    let scale = ((w - 2.0 * pad) / (x_max - x_min).max(1e-6)).min((h - 2.0 * pad) / (y_max - y_min).max(1e-6));
    let at = |p: Position| (pad + (p.lon * k - x_min) * scale, h - pad - (p.lat - y_min) * scale);
    let line = |ps: &mut dyn Iterator<Item = Position>| {
        ps.map(|p| {
            let (x, y) = at(p);
            format!("{x:.1},{y:.1}")
        })
        .collect::<Vec<_>>()
        .join(" ")
    };
    // Degrees of latitude are 111.2 km: the corridor's width in pixels.
    let corridor_px = (2.0 * f64::from(route.corridor_m) / 111_195.0 * scale).max(2.0);
    let flagged: std::collections::HashSet<i64> =
        alerts.iter().filter(|a| a.kind == "deviation").filter_map(|a| a.opened_by).collect();
    let label = t_with("transit-map-label", &[("reports", track.len().into()), ("alerts", alerts.len().into())]);
    html! {
        svg #map viewBox={"0 0 " (w) " " (h)} width="100%" role="img" aria-label=(label) {
            title { (label) }
            rect width=(w) height=(h) fill="#f6f8f6" {}
            polyline points=(line(&mut route.waypoints.iter().copied())) fill="none" stroke="#9ec5a0"
                stroke-width=(format!("{corridor_px:.1}")) stroke-linejoin="round" stroke-linecap="round" stroke-opacity="0.6" {}
            polyline points=(line(&mut route.waypoints.iter().copied())) fill="none" stroke="#2e6b31" stroke-width="2" {}
            @if !track.is_empty() {
                polyline points=(line(&mut track.iter().map(|r| Position { lat: r.lat, lon: r.lon }))) fill="none" stroke="#1f4e8c" stroke-width="1.5" {}
            }
            @for r in track.iter().filter(|r| flagged.contains(&r.seq) || r.state == "opened") {
                @let (x, y) = at(Position { lat: r.lat, lon: r.lon });
                circle cx=(format!("{x:.1}")) cy=(format!("{y:.1}")) r="5" fill="#b3261e" {}
            }
            @for (i, wp) in route.waypoints.iter().enumerate() {
                @let (x, y) = at(*wp);
                circle cx=(format!("{x:.1}")) cy=(format!("{y:.1}")) r="4" fill="#2e6b31" {}
                text x=(format!("{:.1}", x + 6.0)) y=(format!("{:.1}", y - 6.0)) font-size="12" { (i + 1) }
            }
        }
    }
}

/// `/console/alerts`: the open seal alerts of every movement, newest first, live.
pub async fn console(State(state): State<AppState>, caller: Option<Caller>) -> PageResult {
    let here = "/console/alerts";
    let caller = signed_in(caller, here)?;
    crate::app::require(
        &caller.0,
        &[Role::Officer, Role::Supervisor, Role::Analyst, Role::Admin],
        "follow seal alerts",
    )
    .map_err(PageError::at(here))?;
    let alerts = state.store.open_incidents(500).await.map_err(PageError::at(here))?;
    let body = html! {
        h1 { (t("alerts-title")) }
        p #alert-count { (t_with("alerts-count", &[("count", alerts.len().into())])) }
        (alert_table(&alerts, true))
    };
    Ok(live_layout(&t("alerts-title"), Some(&caller), Follows::Alerts, body).into_response())
}
