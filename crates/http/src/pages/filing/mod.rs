//! Filing a declaration in the browser: the form (goods items added and removed, code lists
//! offered while typing, each finding of format-logical control next to its field, input kept
//! on every error), drafts, "copy as new" and "fix and resubmit", upload of a JSON file, and
//! signing with the user's personal key unlocked by its passphrase. Filing goes through the
//! same use case as `POST /api/v1/declarations`.

pub mod form;
pub mod key;

use axum::extract::rejection::FormRejection;
use axum::extract::{Form, Multipart, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect};
use maud::{html, Markup};
use serde::Deserialize;

use smartcustoms_core::codes::Nomenclature;
use smartcustoms_core::ids::DeclarationId;
use smartcustoms_core::registration::Reason;

use self::form::Values;
use super::{csrf_field, layout, minute, signed_in, PageError, PageResult};
use crate::app::desk::{self, DeskError};
use crate::app::filing::{self, FileError, FileRequest};
use crate::auth::{Caller, CSRF_FIELD};
use crate::error::ApiError;
use crate::i18n::{t, t_with};
use crate::identity::SESSION_COOKIE;
use crate::state::AppState;

const HERE: &str = "/trader/file";

/// Largest JSON file the form takes, bytes.
pub const UPLOAD_LIMIT: usize = 1024 * 1024;

/// What the form starts from.
#[derive(Debug, Default, Deserialize)]
pub struct Start {
    draft: Option<String>,
    copy: Option<String>,
    fix: Option<String>,
    saved: Option<String>,
}

/// What the page shows besides the form.
#[derive(Debug, Default)]
struct Shown {
    /// Findings, each placed at its field.
    errors: Vec<Reason>,
    /// A message above the form (what was done, or what is wrong with the whole form).
    note: Option<(bool, String)>,
    /// The draft being edited.
    draft: Option<String>,
    /// The idempotency key of this filing.
    key: String,
    /// What is wrong with the passphrase.
    passphrase_error: Option<String>,
}

fn new_key() -> String {
    uuid::Uuid::now_v7().simple().to_string()
}

fn today() -> chrono::NaiveDate {
    chrono::Utc::now().date_naive()
}

fn page_error(e: impl Into<ApiError>) -> PageError {
    PageError::at(HERE)(e)
}

/// `GET /trader/file`: a blank form, a draft, or a copy of a filed declaration.
pub async fn page(State(state): State<AppState>, caller: Option<Caller>, Query(start): Query<Start>) -> PageResult {
    let here = match (&start.draft, &start.copy, &start.fix) {
        (Some(d), _, _) => format!("{HERE}?draft={d}"),
        _ => HERE.to_string(),
    };
    let caller = signed_in(caller, &here)?;
    let trader = desk::declarant(&caller.0).map_err(page_error)?;
    let mut shown = Shown { key: new_key(), ..Shown::default() };
    let values = if let Some(id) = &start.draft {
        let (draft, fields) = desk::draft(&state, &caller.0, id)
            .await
            .map_err(page_error)?
            .ok_or_else(|| page_error(ApiError::NotFound(format!("draft {id}"))))?;
        shown.draft = Some(draft.id);
        if start.saved.is_some() {
            shown.note = Some((false, t_with("file-draft-saved", &[("at", minute(draft.saved_at_us).into())])));
        }
        Values::posted(&fields)
    } else if let Some(id) = start.copy.as_deref().or(start.fix.as_deref()) {
        let id: DeclarationId = id.parse().map_err(|_| page_error(ApiError::BadParameter("id", id.to_string())))?;
        let (doc, reasons) = desk::copy_of(&state, &caller.0, id).await.map_err(page_error)?;
        let values = Values::of(&doc);
        if start.fix.is_some() {
            shown.note = Some((true, t_with("file-fix", &[("id", id.to_string().into())])));
            shown.errors = reasons;
        } else {
            shown.note = Some((false, t_with("file-copied", &[("id", id.to_string().into())])));
        }
        values
    } else {
        Values::blank(trader.as_str(), today())
    };
    render(&state, &caller, &values, shown, StatusCode::OK).await
}

/// The posted form's own fields, apart from the declaration's.
struct Meta {
    action: String,
    passphrase: String,
    key: String,
    draft: Option<String>,
}

fn meta(fields: &[(String, String)]) -> Meta {
    let get = |name: &str| fields.iter().find(|(n, _)| n == name).map(|(_, v)| v.clone()).unwrap_or_default();
    let draft = Some(get("draft")).filter(|d| !d.is_empty());
    Meta { action: get("action"), passphrase: get("passphrase"), key: get("key"), draft }
}

/// `POST /trader/file`: add or remove an item, check, save as a draft, or sign and file.
pub async fn post(
    State(state): State<AppState>,
    caller: Option<Caller>,
    headers: HeaderMap,
    form: Result<Form<Vec<(String, String)>>, FormRejection>,
) -> PageResult {
    let fields = form.map(|Form(f)| f).unwrap_or_default();
    let Some(caller) = caller else { return keep_for_next_session(&state, &headers, &fields).await };
    super::check_form_csrf(&caller, fields.iter().find(|(n, _)| n == CSRF_FIELD).map(|(_, v)| v.as_str()), HERE)?;
    let meta = meta(&fields);
    let mut values = Values::posted(&fields);
    let key = if meta.key.is_empty() { new_key() } else { meta.key.clone() };
    let mut shown = Shown { key, draft: meta.draft.clone(), ..Shown::default() };
    match meta.action.as_str() {
        "add_item" => values.add_item(),
        "save" => {
            let id = desk::save_draft(&state, &caller.0, meta.draft.as_deref(), &values.title(), &values.pairs())
                .await
                .map_err(page_error)?;
            return Ok(Redirect::to(&format!("{HERE}?draft={id}&saved=1")).into_response());
        }
        "delete_draft" => {
            if let Some(id) = &meta.draft {
                desk::delete_draft(&state, &caller.0, id).await.map_err(page_error)?;
            }
            return Ok(Redirect::to(HERE).into_response());
        }
        "check" => {
            shown.errors = findings(&state, &values).1;
            if shown.errors.is_empty() {
                shown.note = Some((false, t("file-no-problems")));
            }
        }
        "file" => return file(&state, &caller, values, meta, shown).await,
        other => match other.strip_prefix("remove_item:").and_then(|n| n.parse().ok()) {
            Some(n) => values.remove_item(n),
            None => {
                return Err(page_error(ApiError::BadParameter(
                    "action",
                    format!("{other:?} is not an action of the form"),
                )))
            }
        },
    }
    let status = if shown.errors.is_empty() { StatusCode::OK } else { StatusCode::UNPROCESSABLE_ENTITY };
    render(&state, &caller, &values, shown, status).await
}

/// The form's declaration as JSON and what stops it: fields that do not parse, then
/// format-logical control and duty calculation on the rest.
fn findings(state: &AppState, values: &Values) -> (Vec<u8>, Vec<Reason>) {
    let (json, mut problems) = values.document();
    match filing::parse(&json) {
        Ok(doc) => {
            let unparsed: Vec<String> = problems.iter().filter_map(|p| p.path.clone()).collect();
            // A field that did not parse is missing from the document: FLC's "missing" is noise.
            let checked = filing::check(state, &doc, today());
            problems.extend(checked.into_iter().filter(|r| !r.path.as_ref().is_some_and(|p| unparsed.contains(p))));
        }
        Err(e) => problems.push(Reason {
            code: ApiError::from(e).code().into(),
            path: None,
            message: t("file-unreadable"),
            args: Default::default(),
        }),
    }
    (json, problems)
}

async fn file(state: &AppState, caller: &Caller, values: Values, meta: Meta, mut shown: Shown) -> PageResult {
    let (json, errors) = findings(state, &values);
    shown.errors = errors;
    if !shown.errors.is_empty() {
        return render(state, caller, &values, shown, StatusCode::UNPROCESSABLE_ENTITY).await;
    }
    let jws = match desk::sign(state, &caller.0, &meta.passphrase, &json).await {
        Ok(jws) => jws,
        Err(e @ (DeskError::NoKey | DeskError::Seal(_))) => {
            shown.passphrase_error = Some(super::errors::desk(&e));
            return render(state, caller, &values, shown, StatusCode::UNPROCESSABLE_ENTITY).await;
        }
        Err(e) => return Err(page_error(e)),
    };
    let trader = desk::declarant(&caller.0).map_err(page_error)?;
    let request = FileRequest {
        trader,
        user: caller.0.name.clone(),
        body: &json,
        signature: Some(&jws),
        idempotency_key: Some(meta.key.clone()),
        received_at: chrono::Utc::now(),
    };
    let filed = match filing::file(state, request).await {
        Ok(f) => f,
        Err(
            e @ (FileError::Schema { .. }
            | FileError::MalformedJson(_)
            | FileError::DeclarantMismatch { .. }
            | FileError::NotAuthorised { .. }),
        ) => {
            shown.note = Some((true, super::errors::text(&ApiError::from(e))));
            return render(state, caller, &values, shown, StatusCode::UNPROCESSABLE_ENTITY).await;
        }
        Err(e) => return Err(page_error(e)),
    };
    if let Some(id) = &meta.draft {
        desk::delete_draft(state, &caller.0, id).await.map_err(page_error)?;
    }
    Ok(Redirect::to(&format!("/declarations/{}", filed.recorded.summary().id)).into_response())
}

/// A form posted after its session lapsed: its input is kept as a draft of the session's user
/// (when the form carries that session's CSRF token), and the user signs in again and comes
/// back to it. The passphrase is never kept.
async fn keep_for_next_session(state: &AppState, headers: &HeaderMap, fields: &[(String, String)]) -> PageResult {
    let cookie = crate::auth::cookie_in(headers, SESSION_COOKIE).unwrap_or_default();
    let lapsed = crate::identity::lapsed(state, &cookie).await.map_err(page_error)?;
    let given = fields.iter().find(|(n, _)| n == CSRF_FIELD).map(|(_, v)| v.as_str()).unwrap_or("");
    let Some((principal, _)) = lapsed.filter(|(_, csrf)| crate::identity::same_secret(given, csrf)) else {
        return Err(page_error(ApiError::MissingToken));
    };
    let values = Values::posted(fields);
    let id = desk::save_draft(state, &principal, meta(fields).draft.as_deref(), &values.title(), &values.pairs())
        .await
        .map_err(page_error)?;
    tracing::info!(user = %principal.name, draft = %id, "a form posted after its session lapsed was kept as a draft");
    Err(PageError::at(&format!("{HERE}?draft={id}"))(ApiError::MissingToken))
}

/// `POST /trader/file/upload`: a JSON file loaded into the form, checked, not filed.
pub async fn upload(State(state): State<AppState>, caller: Option<Caller>, multipart: Multipart) -> PageResult {
    let caller = signed_in(caller, HERE)?;
    let trader = desk::declarant(&caller.0).map_err(page_error)?;
    let (bytes, name, csrf) = match read_upload(multipart).await {
        Ok(read) => read,
        Err((status, message)) => {
            let shown = Shown { key: new_key(), note: Some((true, message)), ..Shown::default() };
            return render(&state, &caller, &Values::blank(trader.as_str(), today()), shown, status).await;
        }
    };
    super::check_form_csrf(&caller, csrf.as_deref(), HERE)?;
    let mut shown = Shown { key: new_key(), ..Shown::default() };
    match filing::parse(&bytes) {
        Ok(doc) => {
            let values = Values::of(&doc);
            shown.errors = findings(&state, &values).1;
            shown.note = Some((false, t_with("file-loaded", &[("name", name.clone().into())])));
            let status = if shown.errors.is_empty() { StatusCode::OK } else { StatusCode::UNPROCESSABLE_ENTITY };
            render(&state, &caller, &values, shown, status).await
        }
        Err(e) => {
            let e = ApiError::from(e);
            let args = [("name", name.into()), ("code", e.code().into()), ("problem", super::errors::text(&e).into())];
            shown.note = Some((true, t_with("file-not-json", &args)));
            render(&state, &caller, &Values::blank(trader.as_str(), today()), shown, e.status()).await
        }
    }
}

/// Reads the upload form: the file's bytes and name, and the CSRF token; or the status and
/// message of what went wrong.
async fn read_upload(mut multipart: Multipart) -> Result<(Vec<u8>, String, Option<String>), (StatusCode, String)> {
    let failed = |e: axum::extract::multipart::MultipartError| match e.status() {
        StatusCode::PAYLOAD_TOO_LARGE => {
            (StatusCode::PAYLOAD_TOO_LARGE, t_with("file-too-large", &[("kb", (UPLOAD_LIMIT / 1024).into())]))
        }
        status => (status, t_with("file-upload-unreadable", &[("problem", e.body_text().into())])),
    };
    let (mut file, mut csrf) = (None, None);
    while let Some(part) = multipart.next_field().await.map_err(failed)? {
        match part.name().unwrap_or_default() {
            "document" => {
                let name = part.file_name().unwrap_or("the file").to_string();
                file = Some((part.bytes().await.map_err(failed)?.to_vec(), name));
            }
            CSRF_FIELD => csrf = Some(part.text().await.map_err(failed)?),
            _ => {}
        }
    }
    match file {
        Some((bytes, name)) if !bytes.is_empty() => Ok((bytes, name, csrf)),
        _ => Err((StatusCode::UNPROCESSABLE_ENTITY, t("file-choose"))),
    }
}

async fn render(state: &AppState, caller: &Caller, values: &Values, shown: Shown, status: StatusCode) -> PageResult {
    let drafts = desk::drafts(state, &caller.0).await.map_err(page_error)?;
    let has_key = desk::key(state, &caller.0).await.map_err(page_error)?.is_some();
    let offices: Vec<String> = state.reference().offices.iter().map(|o| o.to_string()).collect();
    let today = today();
    let own = caller.0.trader.as_ref().map(|t| t.to_string()).unwrap_or_default();
    let held = crate::app::organisation::authorisations(state, &caller.0).await.map_err(page_error)?;
    let represented = held.into_iter().filter(|a| {
        a.representative == own && a.revoked_at_us.is_none() && a.valid_from <= today && today <= a.valid_until
    });
    let mut declarants = vec![own.clone()];
    for a in represented {
        if !declarants.contains(&a.declarant) {
            declarants.push(a.declarant);
        }
    }
    let errors = form::placed(&shown.errors, values.items);
    let body = html! {
        h1 { (t("file-title")) }
        @if let Some((bad, note)) = &shown.note {
            p.error[*bad] #form-note role=(if *bad { "alert" } else { "status" }) { (note) }
        }
        @if !errors.is_empty() { (summary(&errors)) }
        form.stack.declaration #declaration-form method="post" action=(HERE) {
            (csrf_field(caller))
            input type="hidden" name="key" value=(shown.key);
            @if let Some(d) = &shown.draft { input type="hidden" name="draft" value=(d); }
            (form::fields(values, &errors, &offices, &declarants))
            fieldset #signing {
                legend { (t("file-sign-legend")) }
                @if has_key {
                    label for="passphrase" { (t("file-passphrase")) " "
                        @if let Some(e) = &shown.passphrase_error { span.field-error #passphrase-error { (e) } } }
                    input #passphrase type="password" name="passphrase" autocomplete="off"
                        aria-invalid=[shown.passphrase_error.is_some().then_some("true")]
                        aria-describedby=[shown.passphrase_error.as_ref().map(|_| "passphrase-error")];
                } @else {
                    p #passphrase-error.error { (t("file-no-key")) " " a href="/trader/key" { (t("file-make-key")) } " " (t("file-no-key-after")) }
                }
                p.actions {
                    button type="submit" name="action" value="file" { (t("file-sign-button")) } " "
                    button type="submit" name="action" value="check" formnovalidate { (t("file-check-button")) } " "
                    button type="submit" name="action" value="save" formnovalidate { (t("file-save-button")) }
                    @if shown.draft.is_some() { " " button type="submit" name="action" value="delete_draft" formnovalidate { (t("file-delete-button")) } }
                }
            }
        }
        (side(caller, &drafts))
    };
    let page = layout(&t("file-title"), Some(caller), body);
    Ok((status, page).into_response())
}

/// Every finding above the form, each linked to its field.
fn summary(errors: &[(String, Reason)]) -> Markup {
    html! {
        section #findings role="alert" aria-labelledby="findings-title" {
            h2 #findings-title { (t_with("file-problems", &[("count", errors.len().into())])) }
            ul.findings {
                @for (home, r) in errors {
                    li {
                        @let message = crate::i18n::reason(&r.code, &r.message, &r.args);
                        @if home.is_empty() { (r.code) ": " (message) }
                        @else { a href=(format!("#{}", form::id(home))) { (r.code) } " " span.muted { (home) } ": " (message) }
                    }
                }
            }
        }
    }
}

/// Drafts and the upload form.
fn side(caller: &Caller, drafts: &[smartcustoms_storage::Draft]) -> Markup {
    html! {
        h2 { (t("file-upload-title")) }
        form.stack #upload-form method="post" action="/trader/file/upload" enctype="multipart/form-data" {
            (csrf_field(caller))
            label for="document" { (t_with("file-upload-label", &[("kb", (UPLOAD_LIMIT / 1024).into())])) }
            input #document type="file" name="document" accept="application/json,.json";
            p { button type="submit" { (t("file-upload-button")) } }
        }
        h2 { (t("file-drafts")) }
        @if drafts.is_empty() { p.muted { (t("file-no-drafts")) } }
        ul #drafts {
            @for d in drafts {
                li { a href=(format!("{HERE}?draft={}", d.id)) { (d.title) } " — " (d.author) ", " (minute(d.saved_at_us)) }
            }
        }
    }
}

/// The search of the HS lookup page.
#[derive(Debug, Default, Deserialize)]
pub struct Lookup {
    q: Option<String>,
}

/// `GET /hs`: commodity codes found by words of their description or by their first digits;
/// anyone may use it.
pub async fn lookup(caller: Option<Caller>, Query(l): Query<Lookup>) -> PageResult {
    let q = l.q.unwrap_or_default();
    let q: String = q.chars().take(100).collect();
    let found = Nomenclature::hs2022().search(&q, 50);
    let body = html! {
        h1 { (t("hs-title")) }
        form.filters method="get" action="/hs" role="search" {
            label for="hs-q" { (t("hs-words")) }
            input #hs-q type="search" name="q" value=(q);
            button type="submit" { (t("hs-find")) }
        }
        @if !q.trim().is_empty() && found.is_empty() { p #hs-none { (t_with("hs-none", &[("q", q.clone().into())])) } }
        @if !found.is_empty() {
            table #hs-found {
                thead { tr { th scope="col" { (t("hs-code")) } th scope="col" { (t("hs-subheading")) } th scope="col" { (t("hs-heading")) } } }
                tbody {
                    @for e in &found {
                        tr {
                            td { code { (e.code) } }
                            td { (e.description) }
                            td.muted { (Nomenclature::hs2022().get(&e.code[..4]).map(|h| h.description.as_str()).unwrap_or("")) }
                        }
                    }
                }
            }
        }
    };
    Ok(layout(&t("hs-title"), caller.as_ref(), body).into_response())
}
