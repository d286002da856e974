//! The smart checkpoint in the officers' console: the list of checkpoints, a checkpoint's
//! screen (the calling order with every reason, the vehicles in control with the operations
//! due, the vehicles that missed their slot, the equipment's events that named no vehicle and
//! the last day's waiting and crossing times), live as vehicles change, and one vehicle's page
//! with its events and every decision. Officers act on a vehicle from either page through the
//! same use case as the API (`app::checkpoint_events::act`).

use axum::extract::{Form, State};
use axum::response::{IntoResponse, Redirect};
use maud::{html, Markup};
use serde::Deserialize;

use smartcustoms_core::access::Role;
use smartcustoms_core::checkpoint::{Decision, Reason, Standing, VehicleFacts, OFFICERS_OPERATIONS};
use smartcustoms_core::timestamp::Timestamp;
use smartcustoms_storage::{CheckpointEventRecord, VehicleRecord};

use super::work_queue::span;
use super::{column_heads, csrf_field, live_layout, signed_in, when, Follows, PageError, PagePath, PageResult};
use crate::app::checkpoint::{self, Span, Times};
use crate::app::checkpoint_events::{self, ActionDoc};
use crate::auth::Caller;
use crate::i18n::{current, t, t_or, t_with, Lang};
use crate::state::AppState;

/// Customs staff who act on vehicles from the pages (as the API lets them).
const ACTORS: &[Role] = &[Role::Officer, Role::Supervisor];

/// The name of an operation (`check_documents`), in the page's language.
pub fn operation_name(code: &str) -> String {
    t_or(&format!("chk-op-{code}"), code)
}

/// The operations due (comma separated, as stored), named.
fn operations(list: &str) -> Markup {
    html! {
        @for (i, op) in list.split(',').filter(|o| !o.is_empty()).enumerate() {
            @if i > 0 { ", " }
            span.operation data-operation=(op) { (operation_name(op)) }
        }
    }
}

/// The name of a vehicle's state (`in_control`).
fn state_name(state: &str) -> String {
    t_or(&format!("chk-state-{state}"), state)
}

/// The name of an event's kind (`plate_read`).
fn kind_name(kind: &str) -> String {
    t_or(&format!("chk-event-{kind}"), kind)
}

/// What a decision's trigger was: an event's kind, an officer's action (`done:hold`) or the
/// admission.
fn trigger_name(trigger: &str) -> String {
    match trigger.split_once(':') {
        Some(("done", op)) => t_with("chk-trigger-done", &[("operation", operation_name(op).into())]),
        _ => t_or(&format!("chk-trigger-{trigger}"), &kind_name(trigger)),
    }
}

fn standing_name(s: Standing) -> String {
    let code = match s {
        Standing::Slot => "slot",
        Standing::Expected => "expected",
        Standing::Late => "late",
        Standing::Live => "live",
    };
    t(&format!("chk-standing-{code}"))
}

/// A reason: its code, and what it says. The core writes its messages in English with the
/// values they concern; another language names the code from the catalogue and keeps the
/// English detail, marked as English.
pub fn reason(r: &Reason) -> Markup {
    html! {
        code { (r.code) } " "
        @match current() {
            Lang::En => { (r.message) }
            _ => {
                (t_or(&format!("chk-{}", r.code), "")) " "
                span.muted lang="en" { "(" (r.message) ")" }
            }
        }
    }
}

/// The reasons of a decision as a list.
pub fn reasons(list: &[Reason]) -> Markup {
    html! { ul.reasons { @for r in list { li data-code=(r.code) { (reason(r)) } } } }
}

/// A vehicle's latest decision, as stored.
fn decision_of(v: &VehicleRecord) -> Option<Decision> {
    serde_json::from_str(&v.decision).ok()
}

/// Minutes from `since` to `now` as a span.
fn since(at_us: Option<i64>, now: Timestamp) -> String {
    match at_us {
        Some(at) => span((now - Timestamp::from_micros(at)).num_minutes().max(0)),
        None => "–".into(),
    }
}

/// A time stored as microseconds, or a dash.
fn at(us: Option<i64>) -> Markup {
    match us {
        Some(us) => when(Timestamp::from_micros(us)),
        None => html! { "–" },
    }
}

fn screen_path(code: &str) -> String {
    format!("/console/checkpoints/{code}")
}

fn vehicle_path(code: &str, id: &str) -> String {
    format!("/console/checkpoints/{code}/vehicles/{id}")
}

/// `/console/checkpoints`: every checkpoint with its name and lanes (customs staff).
pub async fn list(State(state): State<AppState>, caller: Option<Caller>) -> PageResult {
    let here = "/console/checkpoints";
    let caller = signed_in(caller, here)?;
    crate::app::require(&caller.0, checkpoint::STAFF, "watch checkpoints").map_err(PageError::at(here))?;
    let checkpoints = checkpoint::list(&state).await.map_err(PageError::at(here))?;
    let body = html! {
        h1 { (t("chk-list-title")) }
        p #checkpoint-count { (t_with("chk-list-count", &[("count", checkpoints.len().into())])) }
        @if !checkpoints.is_empty() {
            table #checkpoints {
                (column_heads(&[&t("chk-col-code"), &t("chk-col-name"), &t("chk-col-lanes"), &t("chk-col-slots"), &t("chk-col-rules")]))
                tbody {
                    @for c in &checkpoints {
                        @let s = &c.settings.slots;
                        tr {
                            td { a href=(screen_path(&c.record.code)) { code { (c.record.code) } } }
                            td { a href=(screen_path(&c.record.code)) { (c.record.name) } }
                            td { (s.lanes) }
                            td { (t_with("chk-slots-summary", &[("minutes", s.length_minutes.into()), ("places", (s.lanes * s.per_lane).into())])) }
                            td { code { (c.rules.version()) } }
                        }
                    }
                }
            }
        }
    };
    Ok(super::layout(&t("chk-list-title"), Some(&caller), body).into_response())
}

/// The figures of one stage: count, median and 90th percentile.
fn figures(id: &str, label: &str, s: &Option<Span>) -> Markup {
    let minutes = |secs: i64| span((secs + 30) / 60);
    html! {
        tr id=(id) {
            th scope="row" { (label) }
            @match s {
                Some(s) => { td { (s.count) } td { (minutes(s.median_s)) } td { (minutes(s.p90_s)) } }
                None => { td { "0" } td { "–" } td { "–" } }
            }
        }
    }
}

fn times_table(times: &Times) -> Markup {
    html! {
        table #times {
            caption { (t_with("chk-times-caption", &[("hours", times.hours.into()), ("crossed", times.crossed.into())])) }
            (column_heads(&[&t("chk-times-stage"), &t("chk-times-count"), &t("chk-times-median"), &t("chk-times-p90")]))
            tbody {
                (figures("times-waiting", &t("chk-times-waiting"), &times.waiting))
                (figures("times-crossing", &t("chk-times-crossing"), &times.crossing))
                (figures("times-total", &t("chk-times-total"), &times.total))
            }
        }
    }
}

/// The action forms of a vehicle in the state it is in, for officers and supervisors: call a
/// waiting vehicle, record an officer's operation due as done (a hold, by a supervisor with a
/// note), let a vehicle with nothing due cross, refuse it with a note, cancel a booking.
fn actions(caller: &Caller, code: &str, v: &VehicleRecord, back: &str) -> Markup {
    if !ACTORS.contains(&caller.0.role) {
        return html! {};
    }
    let due: Vec<&str> = v.operations.split(',').collect();
    let open = matches!(v.state.as_str(), "waiting" | "in_control");
    let action = format!("{}/actions", vehicle_path(code, &v.id));
    let form = |name: &str, operation: Option<&str>, note: Option<bool>, label: String| {
        let note_label = t_with("chk-note-for", &[("action", label.clone().into()), ("plate", v.plate.clone().into())]);
        html! {
            form.act method="post" action=(action) data-action=(name) data-operation=[operation] {
                (csrf_field(caller))
                input type="hidden" name="action" value=(name);
                input type="hidden" name="back" value=(back);
                @if let Some(op) = operation { input type="hidden" name="operation" value=(op); }
                @if let Some(required) = note {
                    input type="text" name="note" maxlength="1000" required[required] placeholder=(t("chk-note")) aria-label=(note_label);
                }
                button type="submit" { (label) }
            }
        }
    };
    html! {
        div.actions {
            @if v.state == "waiting" { (form("call", None, None, t("chk-action-call"))) }
            @if open {
                @for op in OFFICERS_OPERATIONS.iter().map(|o| o.code()).filter(|o| due.contains(o)) {
                    @if op == "hold" {
                        @if caller.0.role == Role::Supervisor { (form("done", Some(op), Some(true), t("chk-action-lift-hold"))) }
                    } @else {
                        (form("done", Some(op), Some(false), t_with("chk-action-done", &[("operation", operation_name(op).into())])))
                    }
                }
                @if v.operations == "pass" { (form("cross", None, None, t("chk-action-cross"))) }
            }
            @if open || v.state == "booked" { (form("refuse", None, Some(true), t("chk-action-refuse"))) }
            @if v.state == "booked" { (form("cancel", None, None, t("chk-action-cancel"))) }
        }
    }
}

/// The plate of a vehicle, linked to its page.
fn plate_link(code: &str, v: &VehicleRecord) -> Markup {
    html! {
        a.plate href=(vehicle_path(code, &v.id)) { code { (v.plate) } }
        @if let Some(c) = &v.country { " " span.muted { (c) } }
    }
}

/// An unattached event's plate as read, and why it named no vehicle.
fn unattached_row(code: &str, caller: &Caller, e: &CheckpointEventRecord) -> Markup {
    let body: serde_json::Value = serde_json::from_str(&e.body).unwrap_or_default();
    let outcome: serde_json::Value = serde_json::from_str(&e.outcome).unwrap_or_default();
    let plate = body["plate"].as_str().unwrap_or_default().to_string();
    let country = body["country"].as_str().unwrap_or_default().to_string();
    let why: Option<Reason> = serde_json::from_value(outcome["unattached"].clone()).ok();
    html! {
        tr data-event=(e.id) {
            td { (when(e.received_at_us)) }
            td { (kind_name(&e.kind)) }
            td { code { (e.device) } }
            td.plate-read { @if plate.is_empty() { "–" } @else { code { (plate) } " " span.muted { (country) } }
                @if let Some(c) = body["confidence"].as_f64() { " " span.muted { (format!("{:.0} %", c * 100.0)) } } }
            td { @if let Some(r) = &why { (reason(r)) } }
            td {
                @if ACTORS.contains(&caller.0.role) && !plate.is_empty() {
                    form.act method="post" action={(screen_path(code)) "/vehicles"} {
                        (csrf_field(caller))
                        input type="hidden" name="plate" value=(plate);
                        input type="hidden" name="country" value=(country);
                        button type="submit" { (t_with("chk-register-plate", &[("plate", plate.clone().into())])) }
                    }
                }
            }
        }
    }
}

/// `/console/checkpoints/{code}`: the checkpoint's screen, live (customs staff).
pub async fn screen(
    State(state): State<AppState>,
    caller: Option<Caller>,
    PagePath(code): PagePath<String>,
) -> PageResult {
    let here = screen_path(&code);
    let caller = signed_in(caller, &here)?;
    let now = Timestamp::now();
    let cp = checkpoint::read(&state, &code).await.map_err(PageError::at(&here))?;
    let q = checkpoint::queue(&state, &caller.0, &code, now).await.map_err(PageError::at(&here))?;
    let times = checkpoint::times(&state, &caller.0, &code, 24, now).await.map_err(PageError::at(&here))?;
    let by_id = |id: &str| q.vehicles.iter().find(|v| v.id == id);
    let in_control: Vec<&VehicleRecord> = q.vehicles.iter().filter(|v| v.state == "in_control").collect();
    let title = format!("{} {}", t("chk-title"), cp.record.name);
    let body = html! {
        h1 { (t("chk-title")) " " (cp.record.name) " " code { (cp.record.code) } }
        p #rules { (t_with("chk-rules-line", &[("version", q.order.rules_version.clone().into()),
            ("lanes", cp.settings.slots.lanes.into()), ("minutes", cp.settings.slots.length_minutes.into())])) }
        h2 #order-title { (t("chk-order-title")) }
        p #order-count { (t_with("chk-order-count", &[("count", q.order.positions.len().into())])) }
        @if !q.order.positions.is_empty() {
            table #order aria-labelledby="order-title" {
                (column_heads(&[&t("chk-col-rank"), &t("chk-col-plate"), &t("chk-col-class"), &t("chk-col-standing"),
                    &t("chk-col-waiting"), &t("chk-col-operations"), &t("chk-col-actions")]))
                tbody {
                    @for p in &q.order.positions {
                        @if let Some(v) = by_id(p.id.as_str()) {
                            tr data-vehicle=(v.id) data-state=(v.state) {
                                td.rank { (p.rank) }
                                td { (plate_link(&code, v)) br; span.muted { (state_name(&v.state)) } }
                                td.class { (p.class) " " span.muted { @match &p.rule { Some(r) => code { (r) }, None => (t("chk-default-class")) } } }
                                td { (standing_name(p.standing)) br; (when(p.at)) }
                                td.waiting { (since(v.arrived_at_us, now)) }
                                td.operations { (operations(&v.operations)) }
                                td { (actions(&caller, &code, v, "screen")) }
                            }
                        }
                    }
                }
            }
        }
        h2 #control-title { (t("chk-control-title")) }
        @if in_control.is_empty() { p.muted #no-control { (t("chk-control-none")) } }
        @else {
            table #in-control aria-labelledby="control-title" {
                (column_heads(&[&t("chk-col-plate"), &t("chk-col-called"), &t("chk-col-operations"), &t("chk-col-reasons"), &t("chk-col-actions")]))
                tbody {
                    @for v in &in_control {
                        tr data-vehicle=(v.id) data-state=(v.state) {
                            td { (plate_link(&code, v)) }
                            td { (at(v.called_at_us)) br; span.muted { (since(v.called_at_us, now)) } }
                            td.operations { (operations(&v.operations)) }
                            td { @if let Some(d) = decision_of(v) { (reasons(&d.reasons)) } }
                            td { (actions(&caller, &code, v, "screen")) }
                        }
                    }
                }
            }
        }
        h2 #missed-title { (t("chk-missed-title")) }
        @if q.order.missed.is_empty() { p.muted #no-missed { (t("chk-missed-none")) } }
        @else {
            table #missed aria-labelledby="missed-title" {
                (column_heads(&[&t("chk-col-plate"), &t("chk-col-slot"), &t("chk-col-reasons"), &t("chk-col-actions")]))
                tbody {
                    @for m in &q.order.missed {
                        @if let Some(v) = by_id(m.id.as_str()) {
                            tr data-vehicle=(v.id) {
                                td { (plate_link(&code, v)) }
                                td { (when(m.slot)) }
                                td { (reason(&m.reason)) }
                                td { (actions(&caller, &code, v, "screen")) }
                            }
                        }
                    }
                }
            }
        }
        h2 #unattached-title { (t("chk-unattached-title")) }
        p { (t("chk-unattached-intro")) }
        @if q.unattached.is_empty() { p.muted #no-unattached { (t("chk-unattached-none")) } }
        @else {
            table #unattached aria-labelledby="unattached-title" {
                (column_heads(&[&t("chk-col-received"), &t("chk-col-kind"), &t("chk-col-device"), &t("chk-col-plate-read"),
                    &t("chk-col-reasons"), &t("chk-col-actions")]))
                tbody { @for e in &q.unattached { (unattached_row(&code, &caller, e)) } }
            }
        }
        @if ACTORS.contains(&caller.0.role) { (register_form(&caller, &code)) }
        h2 #times-title { (t("chk-times-title")) }
        (times_table(&times))
        p.muted { (t("chk-json")) " " a href={"/api/v1/checkpoints/" (code) "/queue"} { "/api/v1/checkpoints/" (code) "/queue" } "." }
    };
    Ok(live_layout(&title, Some(&caller), Follows::Checkpoint(code.clone(), None), body).into_response())
}

/// The form that registers a vehicle by hand in the live queue.
fn register_form(caller: &Caller, code: &str) -> Markup {
    html! {
        form.filters #register method="post" action={(screen_path(code)) "/vehicles"} aria-labelledby="register-title" {
            (csrf_field(caller))
            strong #register-title { (t("chk-register-title")) }
            label for="register-plate" { (t("chk-col-plate")) input #register-plate type="text" name="plate" maxlength="20" required; }
            label for="register-country" { (t("chk-register-country")) input #register-country type="text" name="country" maxlength="2" size="3"; }
            button type="submit" { (t("chk-register")) }
        }
    }
}

/// A vehicle registered from the screen.
#[derive(Debug, Deserialize)]
pub struct RegisterForm {
    #[serde(rename = "_csrf")]
    csrf: Option<String>,
    plate: String,
    country: Option<String>,
}

/// `POST /console/checkpoints/{code}/vehicles`: an officer registers a vehicle in the live
/// queue by hand (an unknown plate the camera read, or a vehicle without a booking).
pub async fn register(
    State(state): State<AppState>,
    caller: Option<Caller>,
    PagePath(code): PagePath<String>,
    Form(f): Form<RegisterForm>,
) -> PageResult {
    let here = screen_path(&code);
    let caller = signed_in(caller, &here)?;
    caller.check_csrf(f.csrf.as_deref()).map_err(PageError::at(&here))?;
    let country = f.country.map(|c| c.trim().to_uppercase()).filter(|c| !c.is_empty());
    let doc = serde_json::json!({ "plate": f.plate.trim(), "country": country });
    let body = serde_json::to_vec(&doc).unwrap_or_default();
    let v = checkpoint::admit(&state, &caller.0, &code, &body, Timestamp::now()).await.map_err(PageError::at(&here))?;
    Ok(Redirect::to(&vehicle_path(&code, &v.id)).into_response())
}

/// An action sent from a page.
#[derive(Debug, Deserialize)]
pub struct ActionForm {
    #[serde(rename = "_csrf")]
    csrf: Option<String>,
    action: String,
    operation: Option<String>,
    note: Option<String>,
    /// `screen` to come back to the checkpoint's screen; otherwise the vehicle's page.
    back: Option<String>,
}

/// `POST /console/checkpoints/{code}/vehicles/{id}/actions`: an officer's action from a page.
pub async fn act(
    State(state): State<AppState>,
    caller: Option<Caller>,
    PagePath((code, id)): PagePath<(String, String)>,
    Form(f): Form<ActionForm>,
) -> PageResult {
    let back = match f.back.as_deref() {
        Some("screen") => screen_path(&code),
        _ => vehicle_path(&code, &id),
    };
    let caller = signed_in(caller, &back)?;
    caller.check_csrf(f.csrf.as_deref()).map_err(PageError::at(&back))?;
    let doc = ActionDoc {
        action: f.action,
        operation: f.operation.filter(|o| !o.is_empty()),
        note: f.note.filter(|n| !n.trim().is_empty()),
    };
    checkpoint_events::act(&state, &caller.0, &code, &id, &doc, Timestamp::now())
        .await
        .map_err(PageError::at(&back))?;
    Ok(Redirect::to(&back).into_response())
}

/// The facts priority was decided on that hold for the vehicle, named.
fn facts(v: &VehicleRecord) -> String {
    let Ok(f) = serde_json::from_str::<VehicleFacts>(&v.facts) else { return String::new() };
    let flags = [
        (f.perishable, "perishable"),
        (f.aeo, "aeo"),
        (f.live_animals, "live_animals"),
        (f.dangerous_goods, "dangerous_goods"),
        (f.humanitarian, "humanitarian"),
        (f.empty, "empty"),
    ];
    let mut named: Vec<String> =
        flags.iter().filter(|(on, _)| *on).map(|(_, name)| t(&format!("chk-fact-{name}"))).collect();
    if !f.goods.is_empty() {
        let goods: Vec<String> = f.goods.iter().map(ToString::to_string).collect();
        named.push(t_with("chk-fact-goods", &[("codes", goods.join(", ").into())]));
    }
    match named.is_empty() {
        true => t("chk-fact-none"),
        false => named.join("; "),
    }
}

/// An event's measurement in a few words (the body as the device sent it otherwise).
fn measured(e: &CheckpointEventRecord) -> Markup {
    let b: serde_json::Value = serde_json::from_str(&e.body).unwrap_or_default();
    let text = |k: &str| b[k].as_str().map(str::to_string).or_else(|| b[k].as_f64().map(|n| n.to_string()));
    html! {
        @match e.kind.as_str() {
            "plate_read" => { code { (text("plate").unwrap_or_default()) } " " (t_with("chk-measure-confidence", &[("percent", format!("{:.0}", b["confidence"].as_f64().unwrap_or_default() * 100.0).into())])) }
            "weighing" => { (t_with("chk-measure-weighing", &[("kg", text("gross_mass_kg").unwrap_or_default().into()), ("axles", text("axles").unwrap_or_default().into())])) }
            "radiation" => {
                @if b["neutron_alarm"].as_bool() == Some(true) { strong { (t("chk-measure-neutron")) } }
                @else if b["alarm"].as_bool() == Some(true) { strong { (t("chk-measure-gamma")) } }
                @else { (t("chk-measure-no-alarm")) }
                " " span.muted { (t_with("chk-measure-cps", &[("cps", text("gamma_cps").unwrap_or_default().into()), ("background", text("gamma_background_cps").unwrap_or_default().into())])) }
            }
            "scan" => { (t_or(&format!("chk-verdict-{}", text("verdict").unwrap_or_default()), &text("verdict").unwrap_or_default())) " " code { (text("image").unwrap_or_default()) } }
            _ => { code { (e.body) } }
        }
    }
}

/// `/console/checkpoints/{code}/vehicles/{id}`: one vehicle, its events and every decision
/// (customs staff), live.
pub async fn vehicle(
    State(state): State<AppState>,
    caller: Option<Caller>,
    PagePath((code, id)): PagePath<(String, String)>,
) -> PageResult {
    let here = vehicle_path(&code, &id);
    let caller = signed_in(caller, &here)?;
    crate::app::require(&caller.0, checkpoint::STAFF, "watch checkpoints").map_err(PageError::at(&here))?;
    let view =
        checkpoint::vehicle(&state, &caller.0, &code, &id, Timestamp::now()).await.map_err(PageError::at(&here))?;
    let v = &view.vehicle;
    let now = Timestamp::now();
    let decision = decision_of(v);
    let done: Vec<&str> = v.done.split(',').filter(|d| !d.is_empty()).collect();
    let title = format!("{} {}", t("chk-vehicle-title"), v.plate);
    let body = html! {
        p { a href=(screen_path(&code)) { "← " (t("chk-back-to-screen")) " " code { (code) } } }
        h1 { (t("chk-vehicle-title")) " " code #plate { (v.plate) } }
        dl.facts #vehicle {
            dt { (t("chk-col-state")) } dd #state { (state_name(&v.state)) }
            dt { (t("chk-col-operations")) } dd #operations { (operations(&v.operations)) }
            @if !done.is_empty() {
                dt { (t("chk-done")) } dd #done { (operations(&v.done)) }
            }
            dt { (t("chk-col-class")) } dd { (v.class) " — " (facts(v)) }
            dt { (t("chk-register-country")) } dd { (v.country.clone().unwrap_or_else(|| "–".into())) }
            dt { (t("chk-carrier")) } dd { (v.carrier.clone().unwrap_or_else(|| t("chk-carrier-none"))) }
            dt { (t("chk-col-slot")) } dd { (at(v.slot_us)) }
            dt { (t("chk-joined")) } dd { (at(v.joined_at_us)) }
            dt { (t("chk-arrived")) } dd { (at(v.arrived_at_us)) }
            dt { (t("chk-col-called")) } dd { (at(v.called_at_us)) }
            dt { (t("chk-crossed")) } dd { (at(v.crossed_at_us)) }
            @if v.arrived_at_us.is_some() && v.called_at_us.is_none() && v.crossed_at_us.is_none() {
                dt { (t("chk-col-waiting")) } dd #waiting { (since(v.arrived_at_us, now)) }
            }
            dt { (t("chk-pre-arrival")) } dd #pre-arrival {
                @match &v.pre_arrival {
                    Some(p) => a href={"/api/v1/pre-arrivals/" (p)} { code { (p) } },
                    None => (t("chk-pre-arrival-none")),
                }
            }
            dt { (t("chk-transit")) } dd #transit {
                @match &v.transit {
                    Some(tr) => a href={"/transits/" (tr)} { code { (tr) } },
                    None => "–",
                }
            }
            dt { (t("chk-declarations")) } dd #declarations {
                @if view.declarations.is_empty() { (t("chk-declarations-none")) }
                @for (i, d) in view.declarations.iter().enumerate() {
                    @if i > 0 { ", " }
                    a href={"/declarations/" (d.id)} data-declaration=(d.id) {
                        code { (d.registration_number.as_ref().map_or_else(|| d.id.to_string(), |n| n.to_string())) }
                    }
                    " (" (t(&format!("state-{}", d.state.as_str())))
                    @if let Some(lane) = d.lane { ", " (t(&format!("lane-{}", lane.as_str()))) }
                    ")"
                }
            }
        }
        (actions(&caller, &code, v, "vehicle"))
        @if let Some(d) = &decision {
            h2 { (t("chk-latest-reasons")) }
            div #latest { (reasons(&d.reasons)) }
        }
        h2 #events-title { (t("chk-events-title")) }
        @if view.events.is_empty() { p.muted #no-events { (t("chk-events-none")) } }
        @else {
            table #events aria-labelledby="events-title" {
                (column_heads(&[&t("chk-col-measured"), &t("chk-col-received"), &t("chk-col-kind"), &t("chk-col-device"), &t("chk-col-measure")]))
                tbody {
                    @for e in &view.events {
                        tr data-kind=(e.kind) {
                            td { (when(e.at_us)) } td { (when(e.received_at_us)) } td { (kind_name(&e.kind)) }
                            td { code { (e.device) } } td { (measured(e)) }
                        }
                    }
                }
            }
        }
        h2 #decisions-title { (t("chk-decisions-title")) }
        table #decisions aria-labelledby="decisions-title" {
            (column_heads(&[&t("chk-col-n"), &t("timeline-col-when"), &t("chk-col-trigger"), &t("chk-col-operations"), &t("chk-col-reasons")]))
            tbody {
                @for d in view.decisions.iter().rev() {
                    tr data-trigger=(d.trigger) {
                        td { (d.n) } td { (when(d.at_us)) } td { (trigger_name(&d.trigger)) }
                        td { (operations(&d.operations)) }
                        td { @if let Ok(dec) = serde_json::from_str::<Decision>(&d.decision) { (reasons(&dec.reasons)) } }
                    }
                }
            }
        }
    };
    Ok(live_layout(&title, Some(&caller), Follows::Checkpoint(code.clone(), Some(id.clone())), body).into_response())
}

#[cfg(test)]
mod tests {
    use crate::i18n::{has_message, Lang};
    use smartcustoms_core::checkpoint::{codes, Operation};

    /// Every reason a page shows (queue, plate match, decision and time-release codes, from
    /// `CHK_040` on) and every operation has its name in both catalogues.
    #[test]
    fn every_reason_code_and_operation_has_its_name_in_both_catalogues() {
        let mut named: Vec<String> = codes()
            .iter()
            .filter(|c| c.code.trim_start_matches("CHK_").parse::<u32>().is_ok_and(|n| n >= 40))
            .map(|c| format!("chk-{}", c.code))
            .collect();
        assert!(named.len() > 30, "{named:?}");
        named.extend(Operation::ALL.iter().map(|o| format!("chk-op-{}", o.code())));
        for lang in [Lang::En, Lang::Ru] {
            let missing: Vec<&String> = named.iter().filter(|id| !has_message(lang, id)).collect();
            assert!(missing.is_empty(), "{lang:?}: {missing:?}");
        }
    }
}
