//! The case work on a declaration's page: where it is dispatched and why (with reassignment by a
//! supervisor and hand-back by its inspector), and the officer's requests for documents with the
//! declarant's answers.

use axum::extract::rejection::FormRejection;
use axum::extract::{Form, Multipart, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect};
use maud::{html, Markup};

use smartcustoms_core::ids::DeclarationId;
use smartcustoms_core::requests::Upload;
use smartcustoms_core::timestamp::Timestamp;
use smartcustoms_core::workflow::State as DeclState;

use super::super::{
    check_form_csrf, column_heads, csrf_field, posted, signed_in, when, PageError, PagePath, PageResult,
};
use super::{capitalised, render, Feedback};
use crate::app::declarations::Read;
use crate::app::dispatch::{self, DispatchError};
use crate::app::requests::{self, RequestError};
use crate::auth::{Caller, CSRF_FIELD};
use crate::error::ApiError;
use crate::i18n::{t, t_with, Phrase};
use crate::state::AppState;
use smartcustoms_core::dispatch::Passed;
use smartcustoms_storage::{DispatchRecord, DocumentRequest};

pub(super) fn dispatch_section(
    caller: &Caller,
    read: &Read,
    record: &DispatchRecord,
    inspectors: &[smartcustoms_core::dispatch::Inspector],
    feedback: &Feedback,
) -> Markup {
    let d = &record.dispatch;
    let open = read.record.summary.state == DeclState::UnderControl;
    let reassigns = dispatch::SUPERVISORS.contains(&caller.0.role) && open;
    let hands_back = open && d.inspector.as_deref() == Some(caller.0.name.as_str());
    let (chosen, reason, error) = match feedback {
        Feedback::Reassign(i, r, e) => (i.as_str(), r.as_str(), Some(e.as_str())),
        _ => ("", "", None),
    };
    html! {
        h2 #dispatch-title { (t("work-dispatch")) }
        p #dispatch { (t("work-centre")) " " strong { (d.centre) } ", " (t("work-inspector")) " " strong #dispatch-inspector { (d.inspector.clone().unwrap_or_else(|| t("work-none-present"))) }
            " — " (rule_name(&d.rule)) " (" (t_with("work-rules-version", &[("version", d.rules_version.into())])) "), " (when(record.at_us)) " UTC." }
        @if !d.loads.is_empty() {
            table #dispatch-loads {
                (column_heads(&[&t("work-col-inspector"), &t("work-col-open"), &t("work-col-outcome")]))
                tbody {
                    @for (user, load) in &d.loads {
                        tr { td { (user) } td { (load) } td {
                            @if d.inspector.as_deref() == Some(user.as_str()) { strong { (t("work-chosen")) } }
                            @else if d.candidates.contains(user) { (t("work-tied")) }
                            @else { @match d.passed.get(user) {
                                Some(Passed::OnLeave) => (t("work-on-leave")),
                                Some(Passed::LacksCompetence) => (t("work-lacks")),
                                Some(Passed::MoreLoaded) => (t("work-more-loaded")),
                                None => "-",
                            } }
                        } }
                    }
                }
            }
            p.muted { @if d.requires.is_empty() { (t("work-no-competence")) " " } @else {
                (t_with("work-competences", &[("list", d.requires.iter().cloned().collect::<Vec<_>>().join(", ").into())])) " " }
                @if d.candidates.len() > 1 { (t_with("work-draw", &[("draw", d.draw.to_string().into()), ("count", d.candidates.len().into())])) } }
        }
        @if hands_back {
            @let (reason, error) = match feedback {
                Feedback::HandBack(r, e) => (r.as_str(), Some(e.as_str())),
                _ => ("", None),
            };
            form.stack #hand-back method="post" action={"/declarations/" (read.record.summary.id) "/hand-back"} {
                (csrf_field(caller))
                label for="hand-back-reason" { (t("work-hand-back-label"))
                    @if let Some(e) = error { span.field-error #error-hand-back { (e) } } }
                input #hand-back-reason type="text" name="reason" value=(reason) maxlength=(dispatch::MAX_REASON);
                p { button type="submit" { (t("work-hand-back")) } }
            }
        }
        @if reassigns {
            form.stack #reassign method="post" action={"/declarations/" (read.record.summary.id) "/dispatch"} {
                (csrf_field(caller))
                label for="inspector" { (t("work-give-to"))
                    @if let Some(e) = error { span.field-error #error-reassign { (e) } } }
                select #inspector name="inspector" {
                    @for i in inspectors {
                        option value=(i.user) selected[i.user == chosen] { (i.user) " (" (i.centre) ")" }
                    }
                }
                label for="reassign-reason" { (t("work-reassign-reason")) }
                input #reassign-reason type="text" name="reason" value=(reason) maxlength=(dispatch::MAX_REASON);
                p { button type="submit" { (t("work-reassign")) } }
            }
        }
    }
}

/// The rule that chose the centre, as the page's language says it: a rule of the set by its
/// name, or the default centre, a supervisor's reassignment or an inspector's hand-back.
fn rule_name(rule: &str) -> String {
    if rule == smartcustoms_core::dispatch::DEFAULT_RULE {
        t("work-rule-default")
    } else if let Some(who) = rule.strip_prefix(dispatch::REASSIGNED_BY) {
        t_with("work-rule-reassigned", &[("who", who.to_string().into())])
    } else if let Some(who) = rule.strip_prefix(dispatch::HANDED_BACK_BY) {
        t_with("work-rule-handed-back", &[("who", who.to_string().into())])
    } else {
        rule.to_string()
    }
}

/// `POST /declarations/{id}/hand-back`: the inspector hands the case back to the supervisor.
pub async fn hand_back(
    State(state): State<AppState>,
    caller: Option<Caller>,
    PagePath(id): PagePath<DeclarationId>,
    form: Result<Form<Vec<(String, String)>>, FormRejection>,
) -> PageResult {
    let here = format!("/declarations/{id}");
    let posted = posted(caller, form, &here)?;
    let caller = &posted.caller;
    let reason = posted.field("reason").to_string();
    match dispatch::hand_back(&state, &caller.0, id, &reason, chrono::Utc::now()).await {
        Ok(_) => Ok(Redirect::to(&format!("{here}#dispatch-title")).into_response()),
        Err(DispatchError::Invalid(problems)) => {
            let feedback = Feedback::HandBack(
                reason,
                capitalised(&problems.iter().map(Phrase::localised).collect::<Vec<_>>().join("; ")),
            );
            render(&state, caller, id, feedback, StatusCode::UNPROCESSABLE_ENTITY).await
        }
        Err(DispatchError::Settled(s)) => render(&state, caller, id, Feedback::Settled(s), StatusCode::CONFLICT).await,
        Err(e) => Err(PageError::at(&here)(e)),
    }
}

/// `POST /declarations/{id}/dispatch`: a supervisor reassigns the case.
pub async fn reassign(
    State(state): State<AppState>,
    caller: Option<Caller>,
    PagePath(id): PagePath<DeclarationId>,
    form: Result<Form<Vec<(String, String)>>, FormRejection>,
) -> PageResult {
    let here = format!("/declarations/{id}");
    let posted = posted(caller, form, &here)?;
    let caller = &posted.caller;
    let inspector = posted.field("inspector").to_string();
    let reason = posted.field("reason").to_string();
    match dispatch::reassign(&state, &caller.0, id, &inspector, &reason, chrono::Utc::now()).await {
        Ok(_) => Ok(Redirect::to(&format!("{here}#dispatch-title")).into_response()),
        Err(DispatchError::Invalid(problems)) => {
            let feedback = Feedback::Reassign(
                inspector,
                reason,
                capitalised(&problems.iter().map(Phrase::localised).collect::<Vec<_>>().join("; ")),
            );
            render(&state, caller, id, feedback, StatusCode::UNPROCESSABLE_ENTITY).await
        }
        Err(DispatchError::Settled(s)) => render(&state, caller, id, Feedback::Settled(s), StatusCode::CONFLICT).await,
        Err(e) => Err(PageError::at(&here)(e)),
    }
}

pub(super) fn requests_section(
    caller: &Caller,
    read: &Read,
    requests: &[DocumentRequest],
    feedback: &Feedback,
) -> Markup {
    let s = &read.record.summary;
    let open = s.state == DeclState::UnderControl;
    let asks = open && requests::ASKERS.contains(&caller.0.role);
    let answers = open && requests::ANSWERERS.contains(&caller.0.role);
    let now = Timestamp::now();
    let (question, hours, ask_error) = match feedback {
        Feedback::Ask(q, h, (field, message)) => (q.as_str(), h.as_str(), Some((*field, message.as_str()))),
        _ => ("", "24", None),
    };
    let error_of = |field: &str| ask_error.filter(|(f, _)| *f == field).map(|(_, m)| m);
    html! {
        @if !requests.is_empty() || asks {
            h2 #requests-title { (t("work-requests")) }
        }
        @for r in requests {
            section.request id={"request-" (r.id)} aria-label=(t_with("work-request", &[("id", r.id.into())])) {
                p { strong { (t_with("work-asked-by", &[("who", r.asked_by.clone().into())])) } ", " (when(r.asked_at_us)) " UTC — " (t("work-due")) " " (when(r.due_at_us)) " UTC"
                    @if r.answered_at_us.is_none() && r.due_at_us < now { " " strong.error { (t("work-overdue")) } } }
                blockquote.question { (r.question) }
                @match (&r.answer, r.answered_at_us) {
                    (Some(answer), Some(at)) => {
                        p { strong { (t_with("work-answered-by", &[("who", r.answered_by.clone().unwrap_or_default().into())])) } ", " (when(at)) " UTC" }
                        @if !answer.is_empty() { blockquote.answer { (answer) } }
                        @if !r.files.is_empty() {
                            ul.files {
                                @for f in &r.files {
                                    li { a href={"/api/v1/declarations/" (s.id) "/requests/" (r.id) "/files/" (f.n)} { (f.name) }
                                        span.muted { " (" (f.content_type) ", " (t_with("work-bytes", &[("size", crate::i18n::number(f.size.into()).into())])) ", SHA-256 " code { (f.sha256) } ")" } }
                                }
                            }
                        }
                    }
                    _ => {
                        p.muted { (t("work-not-answered")) }
                        @if answers {
                            @let (text, error) = match feedback {
                                Feedback::Answer(n, t, e) if *n == r.id => (t.as_str(), Some(e.as_str())),
                                _ => ("", None),
                            };
                            form.stack method="post" enctype="multipart/form-data"
                                action={"/declarations/" (s.id) "/requests/" (r.id) "/answer"} {
                                (csrf_field(caller))
                                label for={"answer-" (r.id)} { (t("work-your-answer"))
                                    @if let Some(e) = error { span.field-error id={"error-answer-" (r.id)} { (e) } } }
                                textarea id={"answer-" (r.id)} name="text" rows="3" maxlength=(smartcustoms_core::requests::MAX_ANSWER) { (text) }
                                label for={"files-" (r.id)} { (t_with("work-documents", &[("count", smartcustoms_core::requests::MAX_FILES.into())])) }
                                input id={"files-" (r.id)} type="file" name="file" multiple
                                    accept=".pdf,.png,.jpg,.jpeg,.xml,.json,.txt";
                                p { button type="submit" { (t("work-send-answer")) } }
                            }
                        }
                    }
                }
            }
        }
        @if asks {
            form.stack #ask method="post" action={"/declarations/" (s.id) "/requests"} {
                (csrf_field(caller))
                label for="question" { (t("work-ask"))
                    @if let Some(e) = error_of("question") { span.field-error #error-question { (e) } } }
                textarea #question name="question" rows="3" maxlength=(smartcustoms_core::requests::MAX_QUESTION) { (question) }
                label for="due_hours" { (t("work-within"))
                    @if let Some(e) = error_of("due_hours") { span.field-error #error-due_hours { (e) } } }
                select #due_hours name="due_hours" {
                    @for (value, label) in [("4", "work-4-hours"), ("24", "work-1-day"), ("72", "work-3-days"), ("168", "work-7-days")] {
                        option value=(value) selected[value == hours] { (t(label)) }
                    }
                }
                p { button type="submit" { (t("work-send-request")) } }
            }
        }
    }
}

/// `POST /declarations/{id}/requests`: an officer asks the declarant for documents.
pub async fn ask(
    State(state): State<AppState>,
    caller: Option<Caller>,
    PagePath(id): PagePath<DeclarationId>,
    form: Result<Form<Vec<(String, String)>>, FormRejection>,
) -> PageResult {
    let here = format!("/declarations/{id}");
    let posted = posted(caller, form, &here)?;
    let caller = &posted.caller;
    let question = posted.field("question").to_string();
    let hours_text = posted.field("due_hours").to_string();
    let hours = hours_text.trim().parse::<i64>().unwrap_or(0);
    match requests::ask(&state, &caller.0, id, &question, hours, chrono::Utc::now()).await {
        Ok(r) => Ok(Redirect::to(&format!("{here}#request-{}", r.id)).into_response()),
        Err(RequestError::Invalid(i)) => {
            let feedback =
                Feedback::Ask(question, hours_text, (i.field, capitalised(&super::super::errors::request(&i.problem))));
            render(&state, caller, id, feedback, StatusCode::UNPROCESSABLE_ENTITY).await
        }
        Err(RequestError::Settled(s)) => render(&state, caller, id, Feedback::Settled(s), StatusCode::CONFLICT).await,
        Err(e) => Err(PageError::at(&here)(e)),
    }
}

/// `POST /declarations/{id}/requests/{request}/answer`: the declarant answers, with files.
pub async fn answer(
    State(state): State<AppState>,
    caller: Option<Caller>,
    PagePath((id, request)): PagePath<(DeclarationId, i64)>,
    multipart: Multipart,
) -> PageResult {
    let here = format!("/declarations/{id}");
    let caller = signed_in(caller, &here)?;
    let (text, files, csrf) = read_answer(multipart).await.map_err(PageError::at(&here))?;
    check_form_csrf(&caller, csrf.as_deref(), &here)?;
    match requests::answer(&state, &caller.0, id, request, &text, files, chrono::Utc::now()).await {
        Ok(_) => Ok(Redirect::to(&format!("{here}#request-{request}")).into_response()),
        Err(RequestError::Invalid(i)) => {
            let feedback = Feedback::Answer(request, text, capitalised(&super::super::errors::request(&i.problem)));
            render(&state, &caller, id, feedback, StatusCode::UNPROCESSABLE_ENTITY).await
        }
        Err(RequestError::Answered(_)) => {
            let feedback = Feedback::Answer(request, text, t("work-answered-already"));
            render(&state, &caller, id, feedback, StatusCode::CONFLICT).await
        }
        Err(RequestError::Settled(s)) => render(&state, &caller, id, Feedback::Settled(s), StatusCode::CONFLICT).await,
        Err(e) => Err(PageError::at(&here)(e)),
    }
}

/// Reads the answer form: its text, its files (empty file inputs left out) and CSRF token.
async fn read_answer(mut multipart: Multipart) -> Result<(String, Vec<Upload>, Option<String>), ApiError> {
    let failed = |e: axum::extract::multipart::MultipartError| match e.status() {
        StatusCode::PAYLOAD_TOO_LARGE => ApiError::TooLarge(requests::ANSWER_BODY_LIMIT),
        _ => ApiError::MalformedJson(format!("the form could not be read: {}", e.body_text())),
    };
    let (mut text, mut files, mut csrf) = (String::new(), Vec::new(), None);
    while let Some(part) = multipart.next_field().await.map_err(failed)? {
        match part.name().unwrap_or_default() {
            "file" => {
                let name = part.file_name().unwrap_or_default().to_string();
                let content_type = part.content_type().unwrap_or("application/octet-stream").to_string();
                let bytes = part.bytes().await.map_err(failed)?;
                if !name.is_empty() || !bytes.is_empty() {
                    files.push(Upload { name, content_type, bytes: bytes.to_vec() });
                }
            }
            "text" => text = part.text().await.map_err(failed)?,
            CSRF_FIELD => csrf = Some(part.text().await.map_err(failed)?),
            other => {
                return Err(ApiError::Schema {
                    path: other.to_string(),
                    message: "not a field of the answer form".into(),
                })
            }
        }
    }
    Ok((text, files, csrf))
}
