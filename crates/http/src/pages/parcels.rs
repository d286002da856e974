//! `/trader/parcels`: an e-commerce operator's page. It shows the operator's data quality and
//! its bulk files, newest first, and takes a new file of parcels (newline-delimited JSON) in a
//! form, filed through the same use case as `POST /api/v1/parcels` (`app::parcels::file`);
//! what became of that file (its counts, the refused lines with every reason, the held parcels
//! with their flags) is shown above the list.

use axum::extract::{Multipart, State};
use axum::http::StatusCode;
use axum::response::IntoResponse;
use maud::{html, Markup};
use rust_decimal::Decimal;

use smartcustoms_core::access::{Capacity, Role};
use smartcustoms_core::parcels::Quality;
use smartcustoms_storage::{BatchRecord, ParcelsFiled};

use super::{column_heads, csrf_field, layout, signed_in, when, PageError, PageResult};
use crate::app::organisation;
use crate::app::parcels::{self, BulkFile, ParcelError, MAX_FILE, MAX_PARCELS};
use crate::auth::{Caller, CSRF_FIELD};
use crate::error::ApiError;
use crate::i18n::{money, number, t, t_or, t_with};
use crate::state::AppState;

const HERE: &str = "/trader/parcels";

/// Largest upload the form takes, bytes: the largest file plus room for the form's other parts.
pub const UPLOAD_LIMIT: usize = MAX_FILE + 64 * 1024;

/// What the page shows above its list besides the form.
#[derive(Debug, Default)]
struct Shown {
    /// What is wrong with the upload, said by the form.
    error: Option<String>,
    /// The file just filed, with its name.
    filed: Option<(String, ParcelsFiled)>,
}

fn page_error(e: impl Into<ApiError>) -> PageError {
    PageError::at(HERE)(e)
}

/// `GET /trader/parcels`.
pub async fn page(State(state): State<AppState>, caller: Option<Caller>) -> PageResult {
    let caller = signed_in(caller, HERE)?;
    caller.require(&[Role::Trader], "read an operator's parcels").map_err(page_error)?;
    render(&state, &caller, Shown::default(), StatusCode::OK).await
}

/// `POST /trader/parcels/upload`: a bulk file of parcels, filed.
pub async fn upload(State(state): State<AppState>, caller: Option<Caller>, multipart: Multipart) -> PageResult {
    let caller = signed_in(caller, HERE)?;
    caller.require(&[Role::Trader], "file parcels").map_err(page_error)?;
    let operator = organisation::require(&caller.0, Capacity::File, "file parcels").map_err(page_error)?;
    let (bytes, name) = match read_upload(multipart).await {
        Ok((file, csrf)) => {
            super::check_form_csrf(&caller, csrf.as_deref(), HERE)?;
            match file {
                Some(file) => file,
                None => {
                    let shown = Shown { error: Some(t("parcels-choose")), ..Shown::default() };
                    return render(&state, &caller, shown, StatusCode::UNPROCESSABLE_ENTITY).await;
                }
            }
        }
        Err((status, message)) => {
            return render(&state, &caller, Shown { error: Some(message), ..Shown::default() }, status).await;
        }
    };
    let bulk = BulkFile { operator, actor: caller.0.name.clone(), body: &bytes, received_at: chrono::Utc::now() };
    match parcels::file(&state, bulk).await {
        Ok(filed) => {
            render(&state, &caller, Shown { filed: Some((name, filed)), ..Shown::default() }, StatusCode::OK).await
        }
        Err(e @ (ParcelError::Empty | ParcelError::TooMany(_) | ParcelError::Invalid(..))) => {
            let error = match &e {
                ParcelError::Empty => t_with("parcels-empty", &[("name", name.into())]),
                ParcelError::TooMany(n) => {
                    t_with("parcels-too-many", &[("count", (*n).into()), ("max", MAX_PARCELS.into())])
                }
                _ => super::errors::text(&ApiError::from(e)),
            };
            let shown = Shown { error: Some(error), ..Shown::default() };
            render(&state, &caller, shown, StatusCode::UNPROCESSABLE_ENTITY).await
        }
        Err(e) => Err(page_error(e)),
    }
}

/// The uploaded file (its bytes and name, when one was chosen and is not empty) and the CSRF
/// token; or the status and message of what went wrong reading the form.
type Upload = (Option<(Vec<u8>, String)>, Option<String>);

/// Reads the upload form.
async fn read_upload(mut multipart: Multipart) -> Result<Upload, (StatusCode, String)> {
    let failed = |e: axum::extract::multipart::MultipartError| match e.status() {
        StatusCode::PAYLOAD_TOO_LARGE => {
            (StatusCode::PAYLOAD_TOO_LARGE, t_with("parcels-too-large", &[("mb", (MAX_FILE / (1024 * 1024)).into())]))
        }
        status => (status, t_with("parcels-unreadable", &[("problem", e.body_text().into())])),
    };
    let (mut file, mut csrf) = (None, None);
    while let Some(part) = multipart.next_field().await.map_err(failed)? {
        match part.name().unwrap_or_default() {
            "document" => {
                let name = part.file_name().unwrap_or_default().to_string();
                file = Some((part.bytes().await.map_err(failed)?.to_vec(), name));
            }
            CSRF_FIELD => csrf = Some(part.text().await.map_err(failed)?),
            _ => {}
        }
    }
    Ok((file.filter(|(bytes, _)| !bytes.is_empty()), csrf))
}

/// A share (0 to 1) as a percentage with one decimal, as the request's language writes it.
fn percent(share: f64) -> String {
    let tenths = (share * 1000.0).round();
    let tenths = if tenths.is_finite() { tenths as i64 } else { 0 };
    format!("{}\u{a0}%", number(Decimal::new(tenths, 1)))
}

/// An amount in cents of euro.
fn euros(cents: i64) -> String {
    money(Decimal::new(cents, 2), "EUR")
}

async fn render(state: &AppState, caller: &Caller, shown: Shown, status: StatusCode) -> PageResult {
    let quality = parcels::quality(state, &caller.0, None).await.map_err(page_error)?;
    let files = parcels::batches(state, &caller.0, None).await.map_err(page_error)?;
    let may_file = organisation::require(&caller.0, Capacity::File, "file parcels").is_ok();
    let title = t("parcels-title");
    let body = html! {
        h1 { (title) }
        p { (t("parcels-intro")) }
        (quality_section(&quality))
        @if let Some((name, filed)) = &shown.filed { (outcome(name, filed)) }
        @if may_file {
            (upload_form(caller, shown.error.as_deref()))
        } @else {
            p #parcels-no-filer { (t("parcels-no-filer")) }
        }
        (files_section(&files))
    };
    Ok((status, layout(&title, Some(caller), body)).into_response())
}

fn quality_section(q: &Quality) -> Markup {
    html! {
        section #quality aria-labelledby="quality-title" {
            h2 #quality-title { (t("parcels-quality")) }
            dl.facts {
                dt { (t("parcels-quality-score")) } dd #quality-score { strong { (percent(q.score)) } }
                dt { (t("parcels-quality-descriptions")) } dd #quality-descriptions { (percent(q.specific_descriptions)) }
                dt { (t("parcels-quality-values")) } dd #quality-values { (percent(q.plausible_values)) }
                dt { (t("parcels-quality-vat")) } dd #quality-vat { (percent(q.consistent_vat_numbers)) }
                dt { (t("parcels-quality-parcels")) } dd #quality-parcels { (number(Decimal::from(q.parcels))) }
            }
        }
    }
}

fn upload_form(caller: &Caller, error: Option<&str>) -> Markup {
    html! {
        section #upload aria-labelledby="upload-title" {
            h2 #upload-title { (t("parcels-upload-title")) }
            form.stack #upload-form method="post" action="/trader/parcels/upload" enctype="multipart/form-data" {
                (csrf_field(caller))
                label for="document" {
                    (t_with("parcels-upload-label", &[("mb", (MAX_FILE / (1024 * 1024)).into()), ("max", MAX_PARCELS.into())]))
                    @if let Some(e) = error { " " span.field-error #document-error role="alert" { (e) } }
                }
                input #document type="file" name="document" accept=".ndjson,.jsonl,.json,.txt"
                    aria-invalid=[error.map(|_| "true")] aria-describedby=[error.map(|_| "document-error")];
                p { button type="submit" { (t("parcels-upload-button")) } }
            }
        }
    }
}

/// What became of the file just filed.
fn outcome(name: &str, filed: &ParcelsFiled) -> Markup {
    let c = &filed.counts;
    let held: Vec<_> = filed.results.iter().filter(|r| !r.duplicate && r.outcome != "released").collect();
    html! {
        section #filed role="status" aria-labelledby="filed-title" data-batch=(filed.batch_id) {
            h2 #filed-title { (t_with("parcels-filed", &[("name", name.to_string().into())])) }
            dl.facts #filed-counts {
                dt { (t("parcels-col-accepted")) } dd #filed-accepted { (c.accepted) }
                dt { (t("parcels-col-released")) } dd #filed-released { (c.released) }
                dt { (t("parcels-col-held")) } dd #filed-held { (c.held) }
                dt { (t("parcels-col-duplicates")) } dd #filed-duplicates { (c.duplicates) }
                dt { (t("parcels-col-refused")) } dd #filed-refused { (c.refused) }
                dt { (t("parcels-col-duty")) } dd #filed-duty { (euros(c.duty_cents)) }
                dt { (t("parcels-col-vat")) } dd #filed-vat { (euros(c.vat_cents)) }
            }
            @if !filed.refusals.is_empty() {
                h3 #refusals-title { (t("parcels-refusals")) }
                table #refusals aria-labelledby="refusals-title" {
                    (column_heads(&[&t("parcels-col-line"), &t("parcels-col-transaction"), &t("parcels-col-reasons")]))
                    tbody {
                        @for r in &filed.refusals {
                            tr data-line=(r.line) {
                                td.line { (r.line) }
                                td.transaction { @if let Some(id) = &r.transaction_id { code { (id) } } @else { span.muted { "—" } } }
                                td.reasons {
                                    ul.reasons {
                                        @for reason in &r.reasons {
                                            li {
                                                code { (reason.code) } " "
                                                (crate::i18n::reason(&reason.code, &reason.message, &reason.args))
                                                @if let Some(path) = &reason.path { " " span.muted { "(" (path) ")" } }
                                            }
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
            @if !held.is_empty() {
                h3 #held-title { (t("parcels-held")) }
                table #held aria-labelledby="held-title" {
                    (column_heads(&[&t("parcels-col-line"), &t("parcels-col-transaction"), &t("parcels-col-outcome"), &t("parcels-col-flags")]))
                    tbody {
                        @for r in &held {
                            tr data-line=(r.line) {
                                td.line { (r.line) }
                                td.transaction { code { (r.transaction_id) } }
                                td.outcome { (t_or(&format!("parcel-outcome-{}", r.outcome), &r.outcome)) }
                                td.flags {
                                    @for (i, f) in r.flags.iter().enumerate() {
                                        @if i > 0 { ", " }
                                        (t_or(&format!("parcel-flag-{f}"), f))
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}

/// The operator's files, newest first.
fn files_section(files: &[BatchRecord]) -> Markup {
    html! {
        section #files aria-labelledby="files-title" {
            h2 #files-title { (t("parcels-files")) }
            @if files.is_empty() {
                p #no-files { (t("parcels-no-files")) }
            } @else {
                table #batches {
                    (column_heads(&[&t("parcels-col-received"), &t("parcels-col-lines"), &t("parcels-col-accepted"),
                        &t("parcels-col-released"), &t("parcels-col-held"), &t("parcels-col-duplicates"), &t("parcels-col-refused"), &t("parcels-col-duty"), &t("parcels-col-vat")]))
                    tbody {
                        @for b in files {
                            tr data-batch=(b.id) {
                                td.received { (when(b.received_at_us)) " UTC" }
                                td.lines { (number(Decimal::from(b.lines))) }
                                td.accepted { (number(Decimal::from(b.counts.accepted))) }
                                td.released { (number(Decimal::from(b.counts.released))) }
                                td.held { (number(Decimal::from(b.counts.held))) }
                                td.duplicates { (number(Decimal::from(b.counts.duplicates))) }
                                td.refused { (number(Decimal::from(b.counts.refused))) }
                                td.duty { (euros(b.counts.duty_cents)) }
                                td.vat { (euros(b.counts.vat_cents)) }
                            }
                        }
                    }
                }
            }
        }
    }
}
