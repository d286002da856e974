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
use smartcustoms_core::tariff::DutyAssessment;
use smartcustoms_core::timestamp::Timestamp;
use smartcustoms_core::workflow::State as DeclState;

use super::{
    column_heads, csrf_field, live_layout, minute, posted, signed_in, Follows, PageError, PagePath, PageResult, Posted,
};
use crate::app::control::{self, ControlError, Settled};
use crate::app::declarations::{self, Operator, Read, ReadError};
use crate::app::dispatch::{self, DispatchError};
use crate::app::requests::{self};
use crate::auth::Caller;
use crate::error::ApiError;
use crate::i18n::{t, t_with};
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
            form.errors.push(("decision", "Choose to release the goods or to refuse release.".into()));
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
                    self.errors
                        .push(("additional_duty", "Give an amount such as 120.50 (two decimals at most).".into()));
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
            form.errors.push(("reason", format!("Give the reasons in 1 to {} characters.", control::MAX_REASON)));
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
    let events = declarations::events(state, &caller.0, id).await.map_err(at)?;
    let requests = requests::list(state, &caller.0, id).await.map_err(at)?;
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
            p.error #notice role="alert" { "Nothing was changed: " (s.to_string()) "." }
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
    let title = format!("Declaration {id}");
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
            dt { "Document SHA-256" } dd { code { (read.record.document_sha256) } }
        }
        @if let Some(p) = &read.payment {
            p #payment-due { "The duties of " strong { (p.duties) } " are not covered by your account: a deposit of "
                strong { (p.missing) } " registers this declaration at once." }
        }
        @if let Some(doc) = &read.release {
            p #release { "Released " (doc.released_at) " under release document " strong { (doc.number) }
                " (" a href={"/declarations/" (s.id) "/release"} { "printable release document" } ")." }
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
    crate::i18n::t_or(&format!("action-{}", a.as_str()), a.as_str())
}

/// What an event's details say, in a line: reasons, lane, release document, outcome.
fn event_text(entry: &AuditEntry) -> String {
    let Ok(details) = serde_json::from_str::<serde_json::Value>(&entry.details) else { return String::new() };
    let mut parts = Vec::new();
    if let (Some(r), Some(user)) =
        (details.get("representative").and_then(|r| r.as_str()), details.get("filed_by").and_then(|u| u.as_str()))
    {
        parts.push(format!("filed by {user} of representative {r} for the declarant"));
    }
    if let Some(lane) = details.get("lane").and_then(|l| l.as_str()) {
        parts.push(format!("lane {lane}"));
    }
    if let Some(centre) = details.get("centre").and_then(|c| c.as_str()) {
        parts.push(format!("centre {centre}"));
    }
    if let Some(inspector) = details.get("inspector").and_then(|i| i.as_str()) {
        parts.push(format!("inspector {inspector}"));
    }
    if let Some(reason) = details.pointer("/reassigned/reason").and_then(|r| r.as_str()) {
        parts.push(format!("reassigned: {reason}"));
    }
    if let Some(number) = details.get("registration_number").and_then(|n| n.as_str()) {
        parts.push(format!("number {number}"));
    }
    if details.get("withdrawn").and_then(|w| w.as_bool()) == Some(true) {
        parts.push("withdrawn by the declarant".into());
    } else if let Some(reasons) = details.get("reasons").and_then(|r| r.as_array()) {
        parts.extend(reasons.iter().filter_map(|r| {
            let message = r.get("message")?.as_str()?;
            Some(match r.get("code").and_then(|c| c.as_str()) {
                Some(code) => format!("{code}: {message}"),
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
        parts.push(format!("{} file(s)", files.len()));
    }
    if let Some(doc) = details.get("release_document").and_then(|d| d.as_str()) {
        parts.push(format!("release document {doc}"));
    }
    if details.get("automatic").and_then(|a| a.as_bool()) == Some(true) {
        parts.push("automatic".into());
    }
    parts.join("; ")
}

fn timeline(events: &[AuditEntry]) -> Markup {
    html! {
        h2 { (t("decl-timeline")) }
        ol.timeline #timeline {
            @for e in events {
                li data-action=(e.action.as_str()) {
                    strong { (action_label(e.action)) } " — " (minute(e.at_us)) " UTC, " (e.actor)
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
    let text = |v: Option<Decimal>| v.map(|d| d.to_string()).unwrap_or_default();
    html! {
        h2 { (t("file-goods-items")) }
        @if items.is_empty() { p { "The document as filed holds no goods items that can be read." } }
        @else {
            table #items {
                (column_heads(&["Item", "Commodity code", "Description", "Origin", "Net mass (kg)", "Quantity", "Price"]))
                tbody {
                    @for item in &items {
                        tr {
                            td { (item.sequence.map(|n| n.to_string()).unwrap_or_default()) }
                            td { code { (item.commodity_code.clone().unwrap_or_default()) } }
                            td { (item.description.clone().unwrap_or_default()) }
                            td { (item.origin.clone().unwrap_or_default()) }
                            td { (text(item.net_mass)) }
                            td { (text(item.quantity)) " " (item.unit.clone().unwrap_or_default()) }
                            td { (text(item.price)) " " (doc.as_ref().and_then(|d| d.invoice.as_ref()).and_then(|i| i.currency.clone()).unwrap_or_default()) }
                        }
                    }
                }
            }
        }
        @if let Some(d) = &duties {
            h2 { "Duties and taxes (" (d.currency.as_str()) ", rates of " (d.date) ")" }
            table #duties {
                (column_heads(&["Item", "Customs value", "Duty", "Excise", "VAT", "Legal basis"]))
                tbody {
                    @for i in &d.items {
                        tr {
                            td { (i.sequence) }
                            td { (i.customs_value) }
                            td { (i.duty.amount) " (" (i.duty.rate) ")" }
                            td { @if let Some(x) = &i.excise { (x.amount) " (" (x.rate) ")" } @else { "-" } }
                            td { (i.vat.amount) " (" (i.vat.rate) ")" }
                            td.muted { (i.duty.legal_base) "; " (i.vat.legal_base) }
                        }
                    }
                    tr { th scope="row" { "Total" } td { (d.totals.customs_value) } td { (d.totals.duty) } td { (d.totals.excise) }
                        td { (d.totals.vat) } td { strong #duties-total { (d.totals.total) } } }
                }
            }
        }
    }
}

fn risk(read: &Read) -> Markup {
    let r = &read.record;
    html! {
        h2 { "Risk assessment" }
        @if r.risk.random_control { p #random { strong { "Selected at random" } " for control, as a share of all declarations is." } }
        @if !r.hits.is_empty() {
            table #hits {
                (column_heads(&["Profile", "Lane", "Instruction to the examiner", "Items"]))
                tbody {
                    @for h in &r.hits {
                        tr {
                            td { code { (h.profile) } " v" (h.version) }
                            td { (h.lane.as_str()) }
                            td { (h.instruction) }
                            td { (h.items.iter().map(ToString::to_string).collect::<Vec<_>>().join(", ")) }
                        }
                    }
                }
            }
        }
        @if let Some(m) = &r.risk.model {
            p #model-score { "Model " (m.model_version) ": score " strong { (format!("{:.3}", m.score)) } " on item " (m.item)
                " (lane " (m.lane.as_str()) "; red from " (format!("{:.3}", m.thresholds.red)) ", yellow from "
                (format!("{:.3}", m.thresholds.yellow)) ")" }
            table #contributions {
                (column_heads(&["Feature", "Value", "Contribution (log-odds)"]))
                tbody {
                    @for c in &m.contributions {
                        tr { td { code { (c.feature) } } td { (c.value.map(|v| format!("{v:.3}")).unwrap_or_else(|| "missing".into())) }
                            td { (format!("{:+.3}", c.contribution)) } }
                    }
                }
            }
        }
        @if !r.risk.reasons.is_empty() {
            ul #risk-reasons { @for reason in &r.risk.reasons { li { (reason) } } }
        }
    }
}

fn operator_record(o: &Operator, declarant: &smartcustoms_core::ids::TraderId) -> Markup {
    let total: i64 = o.record.declarations.iter().map(|c| c.count).sum();
    html! {
        h2 { "Operator " (declarant) }
        p #operator { (total) " declaration(s); " (o.record.controls) " control(s), " (o.record.irregular)
            " with irregularities, additional duties " (o.record.additional_duty) "; risk category "
            strong { (o.category.map(|c| c.as_str()).unwrap_or("none yet")) }
            @if o.aeo { "; authorised economic operator" } "." }
        table #operator-declarations {
            (column_heads(&["State", "Lane", "Declarations"]))
            tbody {
                @for c in &o.record.declarations {
                    tr { td { (state_label(c.state)) } td { (c.lane.map(|l| l.as_str()).unwrap_or("-")) } td { (c.count) } }
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
            h2 #decide { "Decision" }
            form.stack method="post" action={"/declarations/" (s.id) "/decision"} {
                (csrf_field(caller))
                fieldset {
                    legend { "Release" (error("decision")) }
                    label { input type="radio" name="decision" value="release" checked[form.release == Some(true)]; " Release the goods" }
                    label { input type="radio" name="decision" value="refuse" checked[form.release == Some(false)]; " Refuse release" }
                }
                fieldset {
                    legend { "What the control found" (error("irregularity")) }
                    @for kind in Irregularity::ALL {
                        label { input type="checkbox" name="irregularity" value=(kind.as_str())
                            checked[form.irregularities.contains(&kind)]; " " (kind.label()) }
                    }
                }
                label for="additional_duty" { "Additional duties assessed" (error("additional_duty")) }
                input #additional_duty type="text" name="additional_duty" inputmode="decimal" value=(form.additional_duty) placeholder="0.00";
                label for="reason" { "Reasons (the declarant reads them)" (error("reason")) }
                textarea #reason name="reason" rows="4" maxlength=(control::MAX_REASON) { (form.reason) }
                p { button type="submit" { "Record the decision" } }
            }
        }
        @if withdraws {
            h2 { "Withdraw" }
            form method="post" action={"/declarations/" (s.id) "/withdrawal"} {
                (csrf_field(caller))
                p { "The declaration is not registered yet; withdrawing it refuses it for good. "
                    button type="submit" #withdraw { "Withdraw this declaration" } }
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
    let body = html! {
        h1 { "Release document " (doc.number) }
        dl.facts #release-document {
            dt { "Declaration" } dd { code { (doc.declaration_id) } }
            dt { "Registration number" } dd { (doc.registration_number) }
            dt { "Declarant" } dd { (s.declarant) }
            dt { "Office" } dd { (s.office.clone().unwrap_or_default()) }
            dt { "Released at" } dd { (doc.released_at) }
            dt { "Goods held at" } dd { (doc.location_of_goods) }
            dt { "Decision" } dd { @if doc.automatic { "Released automatically" } @else { "Released by a customs officer" } }
            dt { "Document SHA-256" } dd { code { (read.record.document_sha256) } }
        }
        table {
            (column_heads(&["Item", "Commodity code", "Description", "Net mass (kg)"]))
            tbody {
                @for item in &items {
                    tr {
                        td { (item.sequence.map(|n| n.to_string()).unwrap_or_default()) }
                        td { (item.commodity_code.clone().unwrap_or_default()) }
                        td { (item.description.clone().unwrap_or_default()) }
                        td { (item.net_mass.map(|m| m.to_string()).unwrap_or_default()) }
                    }
                }
            }
        }
        p.noprint { "Print this page with your browser's print command; the header and links are left out on paper." }
    };
    Ok(super::layout(&format!("Release document {}", doc.number), Some(&caller), body).into_response())
}
