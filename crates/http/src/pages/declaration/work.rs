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
    check_form_csrf, column_heads, csrf_field, minute, posted, signed_in, PageError, PagePath, PageResult,
};
use super::{capitalised, render, Feedback};
use crate::app::declarations::Read;
use crate::app::dispatch::{self, DispatchError};
use crate::app::requests::{self, RequestError};
use crate::auth::{Caller, CSRF_FIELD};
use crate::error::ApiError;
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
        h2 #dispatch-title { "Dispatch" }
        p #dispatch { "Centre " strong { (d.centre) } ", inspector " strong #dispatch-inspector { (d.inspector.clone().unwrap_or_else(|| "none present".into())) }
            " — " (d.rule) " (rules version " (d.rules_version) "), " (minute(record.at_us)) " UTC." }
        @if !d.loads.is_empty() {
            table #dispatch-loads {
                (column_heads(&["Inspector", "Open cases then", "Outcome"]))
                tbody {
                    @for (user, load) in &d.loads {
                        tr { td { (user) } td { (load) } td {
                            @if d.inspector.as_deref() == Some(user.as_str()) { strong { "chosen" } }
                            @else if d.candidates.contains(user) { "tied, not drawn" }
                            @else { @match d.passed.get(user) {
                                Some(Passed::OnLeave) => "on leave",
                                Some(Passed::LacksCompetence) => "lacks a required competence",
                                Some(Passed::MoreLoaded) => "more cases open",
                                None => "-",
                            } }
                        } }
                    }
                }
            }
            p.muted { @if d.requires.is_empty() { "No competence required. " } @else { "Competences required: "
                (d.requires.iter().cloned().collect::<Vec<_>>().join(", ")) ". " }
                @if d.candidates.len() > 1 { "Random draw " (d.draw) " chose among " (d.candidates.len()) " tied inspectors." } }
        }
        @if hands_back {
            @let (reason, error) = match feedback {
                Feedback::HandBack(r, e) => (r.as_str(), Some(e.as_str())),
                _ => ("", None),
            };
            form.stack #hand-back method="post" action={"/declarations/" (read.record.summary.id) "/hand-back"} {
                (csrf_field(caller))
                label for="hand-back-reason" { "Hand the case back to the supervisor, because"
                    @if let Some(e) = error { span.field-error #error-hand-back { (e) } } }
                input #hand-back-reason type="text" name="reason" value=(reason) maxlength=(dispatch::MAX_REASON);
                p { button type="submit" { "Hand back" } }
            }
        }
        @if reassigns {
            form.stack #reassign method="post" action={"/declarations/" (read.record.summary.id) "/dispatch"} {
                (csrf_field(caller))
                label for="inspector" { "Give the case to"
                    @if let Some(e) = error { span.field-error #error-reassign { (e) } } }
                select #inspector name="inspector" {
                    @for i in inspectors {
                        option value=(i.user) selected[i.user == chosen] { (i.user) " (" (i.centre) ")" }
                    }
                }
                label for="reassign-reason" { "Reason (kept in the audit log)" }
                input #reassign-reason type="text" name="reason" value=(reason) maxlength=(dispatch::MAX_REASON);
                p { button type="submit" { "Reassign" } }
            }
        }
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
            let feedback = Feedback::HandBack(reason, capitalised(&problems.join("; ")));
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
            let feedback = Feedback::Reassign(inspector, reason, capitalised(&problems.join("; ")));
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
            h2 #requests-title { "Questions and documents" }
        }
        @for r in requests {
            section.request id={"request-" (r.id)} aria-label={"Request " (r.id)} {
                p { strong { "Asked by " (r.asked_by) } ", " (minute(r.asked_at_us)) " UTC — due " (minute(r.due_at_us)) " UTC"
                    @if r.answered_at_us.is_none() && r.due_at_us < now { " " strong.error { "(overdue)" } } }
                blockquote.question { (r.question) }
                @match (&r.answer, r.answered_at_us) {
                    (Some(answer), Some(at)) => {
                        p { strong { "Answered by " (r.answered_by.clone().unwrap_or_default()) } ", " (minute(at)) " UTC" }
                        @if !answer.is_empty() { blockquote.answer { (answer) } }
                        @if !r.files.is_empty() {
                            ul.files {
                                @for f in &r.files {
                                    li { a href={"/api/v1/declarations/" (s.id) "/requests/" (r.id) "/files/" (f.n)} { (f.name) }
                                        span.muted { " (" (f.content_type) ", " (f.size) " bytes, SHA-256 " code { (f.sha256) } ")" } }
                                }
                            }
                        }
                    }
                    _ => {
                        p.muted { "Not answered yet." }
                        @if answers {
                            @let (text, error) = match feedback {
                                Feedback::Answer(n, t, e) if *n == r.id => (t.as_str(), Some(e.as_str())),
                                _ => ("", None),
                            };
                            form.stack method="post" enctype="multipart/form-data"
                                action={"/declarations/" (s.id) "/requests/" (r.id) "/answer"} {
                                (csrf_field(caller))
                                label for={"answer-" (r.id)} { "Your answer"
                                    @if let Some(e) = error { span.field-error id={"error-answer-" (r.id)} { (e) } } }
                                textarea id={"answer-" (r.id)} name="text" rows="3" maxlength=(smartcustoms_core::requests::MAX_ANSWER) { (text) }
                                label for={"files-" (r.id)} { "Documents (up to " (smartcustoms_core::requests::MAX_FILES)
                                    " files: PDF, PNG, JPEG, XML, JSON or text, 5 MB each)" }
                                input id={"files-" (r.id)} type="file" name="file" multiple
                                    accept=".pdf,.png,.jpg,.jpeg,.xml,.json,.txt";
                                p { button type="submit" { "Send the answer" } }
                            }
                        }
                    }
                }
            }
        }
        @if asks {
            form.stack #ask method="post" action={"/declarations/" (s.id) "/requests"} {
                (csrf_field(caller))
                label for="question" { "Ask the declarant for documents or information"
                    @if let Some(e) = error_of("question") { span.field-error #error-question { (e) } } }
                textarea #question name="question" rows="3" maxlength=(smartcustoms_core::requests::MAX_QUESTION) { (question) }
                label for="due_hours" { "Answer within"
                    @if let Some(e) = error_of("due_hours") { span.field-error #error-due_hours { (e) } } }
                select #due_hours name="due_hours" {
                    @for (value, label) in [("4", "4 hours"), ("24", "1 day"), ("72", "3 days"), ("168", "7 days")] {
                        option value=(value) selected[value == hours] { (label) }
                    }
                }
                p { button type="submit" { "Send the request" } }
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
            let feedback = Feedback::Ask(question, hours_text, (i.field, capitalised(&i.message)));
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
            let feedback = Feedback::Answer(request, text, capitalised(&i.message));
            render(&state, &caller, id, feedback, StatusCode::UNPROCESSABLE_ENTITY).await
        }
        Err(RequestError::Answered(_)) => {
            let feedback = Feedback::Answer(request, text, "This request is answered already.".into());
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
