//! One declaration's page, for its declarant and for customs staff: where it stands, its
//! timeline, items and duties, the release document; for staff also the risk explanation and
//! the operator's record, and for an officer the decision on a case under control. A trader
//! withdraws here a declaration awaiting payment. The page follows the declaration's events
//! live; its forms post back to it (CSRF-checked) and call the same use cases as the API.

use axum::extract::rejection::FormRejection;
use axum::extract::{Form, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect};
use maud::{html, Markup};
use rust_decimal::Decimal;

use smartcustoms_core::access::Role;
use smartcustoms_core::audit::{Action, AuditEntry};
use smartcustoms_core::declaration::DeclarationDoc;
use smartcustoms_core::ids::DeclarationId;
use smartcustoms_core::inspection::{InspectionOutcome, Irregularity};
use smartcustoms_core::ledger::Amount;
use smartcustoms_core::release::ControlDecision;
use smartcustoms_core::tariff::{DutyAssessment, NATIONAL_CURRENCY};
use smartcustoms_core::timestamp::Timestamp;
use smartcustoms_core::workflow::State as DeclState;

use super::{
    column_heads, csrf_field, live_layout, minute, posted, signed_in, when, Follows, PageError, PagePath, PageResult,
    Posted,
};
use crate::app::control::{self, ControlError, Settled};
use crate::app::declarations::{self, Operator, Read, ReadError};
use crate::app::dispatch::{self, DispatchError};
use crate::app::requests::{self};
use crate::auth::Caller;
use crate::error::ApiError;
use crate::i18n::{money, number, reason, t, t_or, t_with};
use crate::state::AppState;

mod work;
pub use work::{answer, ask, hand_back, reassign};
use work::{dispatch_section, requests_section};

/// What an officer typed into the decision form, kept when it is shown again with its errors.
#[derive(Debug, Default)]
struct DecisionForm {
    release: Option<bool>,
    reason: String,
    irregularities: Vec<Irregularity>,
    additional_duty: String,
    /// Errors by field name.
    errors: Vec<(&'static str, String)>,
}

impl DecisionForm {
    fn read(form: &Posted) -> DecisionForm {
        let mut form = DecisionForm {
            release: match form.field("decision") {
                "release" => Some(true),
                "refuse" => Some(false),
                _ => None,
            },
            reason: form.field("reason").to_string(),
            irregularities: form.all("irregularity").filter_map(Irregularity::parse).collect(),
            additional_duty: form.field("additional_duty").trim().to_string(),
            errors: Vec::new(),
        };
        if form.release.is_none() {
            form.errors.push(("decision", t("decl-error-decision")));
        }
        form
    }

    /// The decision, or `None` when the form has errors (they are added to it).
    fn decision(&mut self) -> Option<ControlDecision> {
        let additional_duty = match self.additional_duty.as_str() {
            "" => Amount::ZERO,
            text => match text.parse::<Decimal>().ok().and_then(|d| Amount::from_decimal(d).ok()) {
                Some(a) => a,
                None => {
                    self.errors.push(("additional_duty", t("decl-error-duty")));
                    Amount::ZERO
                }
            },
        };
        let release = self.release?;
        let outcome = InspectionOutcome { irregularities: self.irregularities.clone(), additional_duty };
        self.errors.is_empty().then(|| ControlDecision { release, reason: self.reason.trim().to_string(), outcome })
    }

    fn error(&self, name: &str) -> Option<&str> {
        self.errors.iter().find(|(n, _)| *n == name).map(|(_, m)| m.as_str())
    }
}

/// What a form posted to the page left to show: the input kept and its errors, or why the
/// action could not be done.
#[derive(Default)]
enum Feedback {
    #[default]
    None,
    /// The case's state changed before the action: nothing was done.
    Settled(Settled),
    /// The decision form with its errors.
    Decision(DecisionForm),
    /// The request form with its error: question, hours, (field, message).
    Ask(String, String, (&'static str, String)),
    /// An answer form with its error: request, text, message.
    Answer(i64, String, String),
    /// The reassignment form with its error: inspector, reason, message.
    Reassign(String, String, String),
    /// The hand-back form with its error: reason, message.
    HandBack(String, String),
}

/// `GET /declarations/{id}`.
pub async fn page(
    State(state): State<AppState>,
    caller: Option<Caller>,
    PagePath(id): PagePath<DeclarationId>,
) -> PageResult {
    let here = format!("/declarations/{id}");
    let caller = signed_in(caller, &here)?;
    render(&state, &caller, id, Feedback::None, StatusCode::OK).await
}

/// `POST /declarations/{id}/decision`: an officer releases or refuses a case under control.
pub async fn decide(
    State(state): State<AppState>,
    caller: Option<Caller>,
    PagePath(id): PagePath<DeclarationId>,
    form: Result<Form<Vec<(String, String)>>, FormRejection>,
) -> PageResult {
    let here = format!("/declarations/{id}");
    let posted = posted(caller, form, &here)?;
    let caller = &posted.caller;
    let mut form = DecisionForm::read(&posted);
    let Some(decision) = form.decision() else {
        return render(&state, caller, id, Feedback::Decision(form), StatusCode::UNPROCESSABLE_ENTITY).await;
    };
    match control::decide(&state, &caller.0, id, &decision, chrono::Utc::now()).await {
        Ok(_) => Ok(Redirect::to(&here).into_response()),
        Err(ControlError::BadReason) => {
            form.errors.push(("reason", t_with("decl-error-reason", &[("max", control::MAX_REASON.into())])));
            render(&state, caller, id, Feedback::Decision(form), StatusCode::UNPROCESSABLE_ENTITY).await
        }
        Err(ControlError::BadOutcome(m)) => {
            form.errors.push(("irregularity", capitalised(&m)));
            render(&state, caller, id, Feedback::Decision(form), StatusCode::UNPROCESSABLE_ENTITY).await
        }
        Err(ControlError::Settled(s)) => render(&state, caller, id, Feedback::Settled(s), StatusCode::CONFLICT).await,
        Err(e) => Err(PageError::at(&here)(e)),
    }
}

/// `POST /declarations/{id}/withdrawal`: the declarant withdraws a declaration awaiting payment.
pub async fn withdraw(
    State(state): State<AppState>,
    caller: Option<Caller>,
    PagePath(id): PagePath<DeclarationId>,
    form: Result<Form<Vec<(String, String)>>, FormRejection>,
) -> PageResult {
    let here = format!("/declarations/{id}");
    let posted = posted(caller, form, &here)?;
    let caller = &posted.caller;
    match declarations::withdraw(&state, &caller.0, id, Timestamp::now()).await {
        Ok(_) => Ok(Redirect::to(&here).into_response()),
        Err(ReadError::Settled(s)) => render(&state, caller, id, Feedback::Settled(s), StatusCode::CONFLICT).await,
        Err(e) => Err(PageError::at(&here)(e)),
    }
}

fn capitalised(s: &str) -> String {
    let mut chars = s.chars();
    chars.next().map(|c| c.to_uppercase().chain(chars).collect::<String>() + ".").unwrap_or_default()
}

async fn render(
    state: &AppState,
    caller: &Caller,
    id: DeclarationId,
    feedback: Feedback,
    status: StatusCode,
) -> PageResult {
    let here = format!("/declarations/{id}");
    let at = |e: ReadError| PageError::at(&here)(e);
    let read = declarations::read(state, &caller.0, id).await.map_err(at)?;
    let (events, requests) =
        tokio::join!(declarations::events_of(state, &caller.0, &read), requests::list_of(state, &read));
    let (events, requests) = (events.map_err(at)?, requests.map_err(at)?);
    let (dispatched, inspectors) = match read.show_risk {
        true => {
            let to = |e: DispatchError| PageError::at(&here)(e);
            let d = dispatch::of(state, &caller.0, id).await.map_err(to)?;
            let all = match dispatch::SUPERVISORS.contains(&caller.0.role) {
                true => state.store.inspectors().await.map_err(|e| PageError::at(&here)(e))?,
                false => Vec::new(),
            };
            (d, all)
        }
        false => (None, Vec::new()),
    };
    let operator = match read.show_risk {
        true => Some(declarations::operator(state, &caller.0, &read.record.summary.declarant).await.map_err(at)?),
        false => None,
    };
    let body = html! {
        @if let Feedback::Settled(s) = &feedback {
            p.error #notice role="alert" { (super::errors::settled(s)) }
        }
        (summary(&read))
        @if caller.0.role == smartcustoms_core::access::Role::Trader { (reuse(&read)) }
        (timeline(&events))
        (items_and_duties(&read))
        @if read.show_risk { (risk(&read)) }
        @if let Some(d) = &dispatched { (dispatch_section(caller, &read, d, &inspectors, &feedback)) }
        @if let Some(o) = &operator { (operator_record(o, &read.record.summary.declarant)) }
        (requests_section(caller, &read, &requests, &feedback))
        (actions(caller, &read, &feedback))
    };
    let title = t_with("decl-page-title", &[("id", id.to_string().into())]);
    Ok((status, live_layout(&title, Some(caller), Follows::Declaration(id), body)).into_response())
}

fn summary(read: &Read) -> Markup {
    let s = &read.record.summary;
    html! {
        h1 { (t("decl-title")) " " code { (s.id) } }
        dl.facts #summary {
            dt { (t("list-col-state")) } dd #state { (state_label(s.state)) }
            dt { (t("list-lane")) } dd #lane { (s.lane.map(lane_label).unwrap_or_else(|| t("decl-not-assessed"))) }
            dt { (t("list-number")) } dd { (s.registration_number.as_ref().map(ToString::to_string).unwrap_or_else(|| "-".into())) }
            dt { (t("list-office")) } dd { (s.office.clone().unwrap_or_default()) }
            dt { (t("file-group-declarant")) } dd { (s.declarant) }
            @if let Some(r) = &s.representative { dt { (t("decl-representative")) } dd #representative { (t_with("decl-for", &[("representative", r.to_string().into()), ("declarant", s.declarant.to_string().into())])) } }
            dt { (t("list-col-filed")) } dd { (minute(s.received_at_us)) }
            dt { (t("decl-last-change")) } dd { (minute(s.updated_at_us)) }
            dt { (t("decl-sha")) } dd { code { (read.record.document_sha256) } }
        }
        @if let Some(p) = &read.payment {
            p #payment-due { (t("decl-due-before")) " " strong { (national(p.duties)) } " " (t("decl-due-middle")) " "
                strong { (national(p.missing)) } " " (t("decl-due-after")) }
        }
        @if let Some(doc) = &read.release {
            p #release { (t("decl-released")) " " (super::when_text(&doc.released_at)) " " (t("decl-released-under")) " " strong { (doc.number) }
                " (" a href={"/declarations/" (s.id) "/release"} { (t("decl-printable")) } ")." }
        }
    }
}

/// The declarant's ways to start a new declaration from this one.
fn reuse(read: &Read) -> Markup {
    let s = &read.record.summary;
    html! {
        p.noprint #reuse {
            @if s.state == DeclState::Refused {
                a #fix href={"/trader/file?fix=" (s.id)} { (t("decl-fix")) } " · "
            }
            a #copy href={"/trader/file?copy=" (s.id)} { (t("decl-copy")) }
        }
    }
}

fn state_label(s: DeclState) -> String {
    t(&format!("state-{}", s.as_str()))
}

fn lane_label(lane: smartcustoms_core::risk::Lane) -> String {
    t(&format!("lane-meaning-{}", lane.as_str()))
}

fn action_label(a: Action) -> String {
    t_or(&format!("action-{}", a.as_str()), a.as_str())
}

/// An amount of the national currency, as the language writes it.
fn national(amount: Amount) -> String {
    money(amount.to_decimal(), NATIONAL_CURRENCY)
}

/// What an event's details say, in a line: reasons, lane, release document, outcome.
fn event_text(entry: &AuditEntry) -> String {
    let Ok(details) = serde_json::from_str::<serde_json::Value>(&entry.details) else { return String::new() };
    let mut parts = Vec::new();
    if let (Some(r), Some(user)) =
        (details.get("representative").and_then(|r| r.as_str()), details.get("filed_by").and_then(|u| u.as_str()))
    {
        parts.push(t_with("event-filed-by", &[("user", user.into()), ("representative", r.into())]));
    }
    if let Some(lane) = details.get("lane").and_then(|l| l.as_str()) {
        parts.push(t_with("event-lane", &[("lane", t_or(&format!("lane-{lane}"), lane).into())]));
    }
    if let Some(centre) = details.get("centre").and_then(|c| c.as_str()) {
        parts.push(t_with("event-centre", &[("centre", centre.into())]));
    }
    if let Some(inspector) = details.get("inspector").and_then(|i| i.as_str()) {
        parts.push(t_with("event-inspector", &[("inspector", inspector.into())]));
    }
    if let Some(reason) = details.pointer("/reassigned/reason").and_then(|r| r.as_str()) {
        parts.push(t_with("event-reassigned", &[("reason", reason.into())]));
    }
    if let Some(number) = details.get("registration_number").and_then(|n| n.as_str()) {
        parts.push(t_with("event-number", &[("number", number.into())]));
    }
    if details.get("withdrawn").and_then(|w| w.as_bool()) == Some(true) {
        parts.push(t("event-withdrawn"));
    } else if let Some(reasons) = details.get("reasons").and_then(|r| r.as_array()) {
        parts.extend(reasons.iter().filter_map(|r| {
            let message = r.get("message")?.as_str()?;
            // Reasons recorded before they carried their values have no `args`.
            let args = r.get("args").and_then(|a| serde_json::from_value(a.clone()).ok()).unwrap_or_default();
            Some(match r.get("code").and_then(|c| c.as_str()) {
                Some(code) => format!("{code}: {}", reason(code, message, &args)),
                None => message.to_string(),
            })
        }));
    }
    for key in ["reason", "question", "text"] {
        if let Some(text) = details.get(key).and_then(|r| r.as_str()).filter(|t| !t.is_empty()) {
            parts.push(text.to_string());
        }
    }
    if let Some(files) = details.get("files").and_then(|f| f.as_array()).filter(|f| !f.is_empty()) {
        parts.push(t_with("event-files", &[("count", files.len().into())]));
    }
    if let Some(doc) = details.get("release_document").and_then(|d| d.as_str()) {
        parts.push(t_with("event-release-document", &[("number", doc.into())]));
    }
    if details.get("automatic").and_then(|a| a.as_bool()) == Some(true) {
        parts.push(t("event-automatic"));
    }
    parts.join("; ")
}

fn timeline(events: &[AuditEntry]) -> Markup {
    html! {
        h2 { (t("decl-timeline")) }
        ol.timeline #timeline {
            @for e in events {
                li data-action=(e.action.as_str()) {
                    strong { (action_label(e.action)) } " — " (when(e.at_us)) " UTC, " (e.actor)
                    @let text = event_text(e);
                    @if !text.is_empty() { br; span.muted { (text) } }
                }
            }
        }
    }
}

fn items_and_duties(read: &Read) -> Markup {
    let doc = serde_json::from_slice::<DeclarationDoc>(&read.record.document).ok();
    let items = doc.as_ref().and_then(|d| d.items.clone()).unwrap_or_default();
    let duties = read
        .record
        .duties
        .as_ref()
        .and_then(|d| d.get("calculation"))
        .and_then(|c| serde_json::from_value::<DutyAssessment>(c.clone()).ok());
    let text = |v: Option<Decimal>| v.map(number).unwrap_or_default();
    let currency = doc.as_ref().and_then(|d| d.invoice.as_ref()).and_then(|i| i.currency.clone()).unwrap_or_default();
    html! {
        h2 { (t("file-goods-items")) }
        @if items.is_empty() { p { (t("decl-no-items")) } }
        @else {
            table #items {
                (column_heads(&[&t("decl-col-item"), &t("decl-col-code"), &t("decl-col-description"), &t("decl-col-origin"), &t("decl-col-net"), &t("decl-col-quantity"), &t("decl-col-price")]))
                tbody {
                    @for item in &items {
                        tr {
                            td { (item.sequence.map(|n| n.to_string()).unwrap_or_default()) }
                            td { code { (item.commodity_code.clone().unwrap_or_default()) } }
                            td { (item.description.clone().unwrap_or_default()) }
                            td { (item.origin.clone().unwrap_or_default()) }
                            td { (text(item.net_mass)) }
                            td { (text(item.quantity)) " " (item.unit.clone().unwrap_or_default()) }
                            td { @if let Some(price) = item.price { (money(price, &currency)) } }
                        }
                    }
                }
            }
        }
        @if let Some(d) = &duties {
            h2 { (t_with("decl-duties", &[("currency", d.currency.as_str().into()), ("date", crate::i18n::day(d.date).into())])) }
            table #duties {
                (column_heads(&[&t("decl-col-item"), &t("decl-col-value"), &t("decl-col-duty"), &t("decl-col-excise"), &t("decl-col-vat"), &t("decl-col-basis")]))
                tbody {
                    @for i in &d.items {
                        tr {
                            td { (i.sequence) }
                            td { (number(i.customs_value)) }
                            td { (number(i.duty.amount)) " (" (i.duty.rate) ")" }
                            td { @if let Some(x) = &i.excise { (number(x.amount)) " (" (x.rate) ")" } @else { "-" } }
                            td { (number(i.vat.amount)) " (" (i.vat.rate) ")" }
                            td.muted { (i.duty.legal_base) "; " (i.vat.legal_base) }
                        }
                    }
                    tr { th scope="row" { (t("decl-total")) } td { (number(d.totals.customs_value)) } td { (number(d.totals.duty)) } td { (number(d.totals.excise)) }
                        td { (number(d.totals.vat)) } td { strong #duties-total { (money(d.totals.total, d.currency.as_str())) } } }
                }
            }
        }
    }
}

fn risk(read: &Read) -> Markup {
    let r = &read.record;
    html! {
        h2 { (t("decl-risk")) }
        @if r.risk.random_control { p #random { strong { (t("decl-random")) } " " (t("decl-random-rest")) } }
        @if !r.hits.is_empty() {
            table #hits {
                (column_heads(&[&t("decl-col-profile"), &t("list-lane"), &t("decl-col-instruction"), &t("decl-col-items")]))
                tbody {
                    @for h in &r.hits {
                        tr {
                            td { code { (h.profile) } " v" (h.version) }
                            td { (t(&format!("lane-{}", h.lane.as_str()))) }
                            td { (h.instruction) }
                            td { (h.items.iter().map(ToString::to_string).collect::<Vec<_>>().join(", ")) }
                        }
                    }
                }
            }
        }
        @if let Some(m) = &r.risk.model {
            p #model-score { (t_with("decl-model", &[("version", m.model_version.to_string().into())])) " " strong { (format!("{:.3}", m.score)) } " "
                (t_with("decl-model-rest", &[("item", m.item.to_string().into()), ("lane", t(&format!("lane-{}", m.lane.as_str())).into()),
                    ("red", format!("{:.3}", m.thresholds.red).into()), ("yellow", format!("{:.3}", m.thresholds.yellow).into())])) }
            table #contributions {
                (column_heads(&[&t("decl-col-feature"), &t("decl-col-value-of"), &t("decl-col-contribution")]))
                tbody {
                    @for c in &m.contributions {
                        tr { td { code { (c.feature) } } td { (c.value.map(|v| format!("{v:.3}")).unwrap_or_else(|| t("decl-missing"))) }
                            td { (format!("{:+.3}", c.contribution)) } }
                    }
                }
            }
        }
        @let reasons = lane_reasons(read);
        @if !reasons.is_empty() {
            ul #risk-reasons { @for reason in &reasons { li { (reason) } } }
        }
    }
}

/// The reasons for the lane, one line per cause, in the page's language: each profile that
/// fired, the model's score with the features that raised it most, the random selection.
fn lane_reasons(read: &Read) -> Vec<String> {
    let r = &read.record;
    let lane = |l: smartcustoms_core::risk::Lane| t(&format!("lane-{}", l.as_str()));
    let mut reasons: Vec<String> = r
        .hits
        .iter()
        .map(|h| {
            t_with(
                "risk-reason-profile",
                &[
                    ("profile", h.profile.clone().into()),
                    ("version", h.version.to_string().into()),
                    ("lane", lane(h.lane).into()),
                ],
            )
        })
        .collect();
    if let Some(m) = &r.risk.model {
        let raised: Vec<String> = m
            .raised_by()
            .map(|c| match c.value {
                Some(v) => format!("{} = {}", c.feature, number(decimal_of(v))),
                None => t_with("risk-reason-unknown", &[("feature", c.feature.clone().into())]),
            })
            .collect();
        let score = number(decimal_of(m.score * 100.0));
        let args = [("score", score.into()), ("item", m.item.to_string().into()), ("lane", lane(m.lane).into())];
        reasons.push(match raised.is_empty() {
            true => t_with("risk-reason-model", &args),
            false => {
                let mut args = args.to_vec();
                args.push(("raised", raised.join(", ").into()));
                t_with("risk-reason-model-raised", &args)
            }
        });
    }
    if r.risk.random_control {
        reasons.push(t("risk-reason-random"));
    }
    reasons
}

/// A figure of the model rounded to two decimals, for [`number`].
fn decimal_of(x: f64) -> rust_decimal::Decimal {
    rust_decimal::Decimal::from_f64_retain((x * 100.0).round() / 100.0).unwrap_or_default().round_dp(2).normalize()
}

fn operator_record(o: &Operator, declarant: &smartcustoms_core::ids::TraderId) -> Markup {
    let total: i64 = o.record.declarations.iter().map(|c| c.count).sum();
    html! {
        h2 { (t_with("decl-operator", &[("operator", declarant.to_string().into())])) }
        p #operator { (t_with("decl-operator-record", &[("total", total.into()), ("controls", o.record.controls.into()),
                ("irregular", o.record.irregular.into()), ("duties", number(o.record.additional_duty.to_decimal()).into())])) " "
            strong { (o.category.map(|c| t(&format!("category-{}", c.as_str()))).unwrap_or_else(|| t("category-none"))) }
            @if o.aeo { (t("decl-aeo")) } "." }
        table #operator-declarations {
            (column_heads(&[&t("list-col-state"), &t("list-lane"), &t("tr-declarations")]))
            tbody {
                @for c in &o.record.declarations {
                    tr { td { (state_label(c.state)) } td { (c.lane.map(|l| t(&format!("lane-{}", l.as_str()))).unwrap_or_else(|| "-".into())) } td { (c.count) } }
                }
            }
        }
    }
}

fn actions(caller: &Caller, read: &Read, feedback: &Feedback) -> Markup {
    let blank = DecisionForm::default();
    let form = match feedback {
        Feedback::Decision(form) => form,
        _ => &blank,
    };
    let s = &read.record.summary;
    let decides = control::DECIDERS.contains(&caller.0.role) && s.state == DeclState::UnderControl;
    let withdraws =
        caller.0.role == Role::Trader && matches!(s.state, DeclState::Submitted | DeclState::AwaitingPayment);
    let error =
        |name: &str| html! { @if let Some(m) = form.error(name) { span.field-error id={"error-" (name)} { (m) } } };
    html! {
        @if decides {
            h2 #decide { (t("decl-decision")) }
            form.stack method="post" action={"/declarations/" (s.id) "/decision"} {
                (csrf_field(caller))
                fieldset {
                    legend { (t("decl-release")) (error("decision")) }
                    label { input type="radio" name="decision" value="release" checked[form.release == Some(true)]; " " (t("decl-release-goods")) }
                    label { input type="radio" name="decision" value="refuse" checked[form.release == Some(false)]; " " (t("decl-refuse-release")) }
                }
                fieldset {
                    legend { (t("decl-found")) (error("irregularity")) }
                    @for kind in Irregularity::ALL {
                        label { input type="checkbox" name="irregularity" value=(kind.as_str())
                            checked[form.irregularities.contains(&kind)]; " " (t_or(&format!("irregularity-{}", kind.as_str()), kind.label())) }
                    }
                }
                label for="additional_duty" { (t("decl-additional")) (error("additional_duty")) }
                input #additional_duty type="text" name="additional_duty" inputmode="decimal" value=(form.additional_duty) placeholder="0.00";
                label for="reason" { (t("decl-reasons")) (error("reason")) }
                textarea #reason name="reason" rows="4" maxlength=(control::MAX_REASON) { (form.reason) }
                p { button type="submit" { (t("decl-record")) } }
            }
        }
        @if withdraws {
            h2 { (t("decl-withdraw")) }
            form method="post" action={"/declarations/" (s.id) "/withdrawal"} {
                (csrf_field(caller))
                p { (t("decl-withdraw-note")) " "
                    button type="submit" #withdraw { (t("decl-withdraw-button")) } }
            }
        }
    }
}

/// `GET /declarations/{id}/release`: the release document, laid out to be printed.
pub async fn release_document(
    State(state): State<AppState>,
    caller: Option<Caller>,
    PagePath(id): PagePath<DeclarationId>,
) -> PageResult {
    let here = format!("/declarations/{id}/release");
    let caller = signed_in(caller, &here)?;
    let read = declarations::read(&state, &caller.0, id).await.map_err(PageError::at(&here))?;
    let Some(doc) = &read.release else {
        return Err(PageError::at(&here)(ApiError::NotFound(format!("a release document of declaration {id}"))));
    };
    let declaration = serde_json::from_slice::<DeclarationDoc>(&read.record.document).ok();
    let items = declaration.as_ref().and_then(|d| d.items.clone()).unwrap_or_default();
    let s = &read.record.summary;
    let title = t_with("rd-title", &[("number", doc.number.to_string().into())]);
    let body = html! {
        h1 { (title) }
        dl.facts #release-document {
            dt { (t("decl-title")) } dd { code { (doc.declaration_id) } }
            dt { (t("list-number")) } dd { (doc.registration_number) }
            dt { (t("file-group-declarant")) } dd { (s.declarant) }
            dt { (t("list-office")) } dd { (s.office.clone().unwrap_or_default()) }
            dt { (t("rd-released-at")) } dd { (super::when_text(&doc.released_at)) }
            dt { (t("rd-held-at")) } dd { (doc.location_of_goods) }
            dt { (t("decl-decision")) } dd { @if doc.automatic { (t("rd-automatic")) } @else { (t("rd-by-officer")) } }
            dt { (t("decl-sha")) } dd { code { (read.record.document_sha256) } }
        }
        table {
            (column_heads(&[&t("decl-col-item"), &t("decl-col-code"), &t("decl-col-description"), &t("decl-col-net")]))
            tbody {
                @for item in &items {
                    tr {
                        td { (item.sequence.map(|n| n.to_string()).unwrap_or_default()) }
                        td { (item.commodity_code.clone().unwrap_or_default()) }
                        td { (item.description.clone().unwrap_or_default()) }
                        td { (item.net_mass.map(number).unwrap_or_default()) }
                    }
                }
            }
        }
        p.noprint { (t("rd-print")) }
    };
    Ok(super::layout(&title, Some(&caller), body).into_response())
}
