//! Declarations: submit (signed, idempotent), read, list own, events, release document.

use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::Json;
use chrono::Utc;
use serde::{Deserialize, Serialize};
use tracing::instrument;
use utoipa::{IntoParams, ToSchema};

use smartcustoms_core::access::Role;
use smartcustoms_core::audit::AuditEntry;
use smartcustoms_core::declaration::DeclarationDoc;
use smartcustoms_core::ids::{DeclarationId, RegistrationNumber, TraderId};
use smartcustoms_core::ledger::Amount;
use smartcustoms_core::registration::Reason;
use smartcustoms_core::release::{ControlDecision, ReleaseDocument};
use smartcustoms_core::risk::{Hit, Lane};
use smartcustoms_core::timestamp::Timestamp;
use smartcustoms_core::workflow::State as DeclState;
use smartcustoms_storage::{DeclarationSummary, RiskView};

use crate::app::control;
use crate::app::declarations::{self, ListRequest, PaymentDue, Read};
use crate::app::filing::{self, FileRequest, Filed};
use crate::app::organisation::{self, Capacity};
use crate::auth::Caller;
use crate::error::ApiError;
use crate::extract::{body_or_error, refuse_other_media, ApiPath, ApiQuery, JsonBody};
use crate::state::AppState;

/// Header carrying the detached JWS over the body.
pub const SIGNATURE_HEADER: &str = "x-jws-signature";
/// Header carrying the client's idempotency key.
pub const IDEMPOTENCY_HEADER: &str = "idempotency-key";

/// A declaration as the API shows it.
#[derive(Debug, Serialize, ToSchema)]
pub struct DeclarationView {
    /// Id.
    pub id: DeclarationId,
    /// Declarant.
    pub declarant: TraderId,
    /// The customs representative that filed it for the declarant, if one did.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub representative: Option<TraderId>,
    /// Current state.
    pub state: DeclState,
    /// Lane, once assessed.
    pub lane: Option<Lane>,
    /// Registration number, once registered.
    pub registration_number: Option<RegistrationNumber>,
    /// Office of declaration as filed.
    pub office: Option<String>,
    /// Time of receipt (RFC 3339).
    pub received_at: String,
    /// Time of registration (RFC 3339).
    pub registered_at: Option<String>,
    /// Time of the last change (RFC 3339).
    pub updated_at: String,
}

impl From<&DeclarationSummary> for DeclarationView {
    fn from(s: &DeclarationSummary) -> Self {
        DeclarationView {
            id: s.id,
            declarant: s.declarant.clone(),
            representative: s.representative.clone(),
            state: s.state,
            lane: s.lane,
            registration_number: s.registration_number.clone(),
            office: s.office.clone(),
            received_at: s.received_at_us.rfc3339(),
            registered_at: s.registered_at_us.map(Timestamp::rfc3339),
            updated_at: s.updated_at_us.rfc3339(),
        }
    }
}

/// The answer to a submission.
#[derive(Debug, Serialize, ToSchema)]
pub struct SubmissionResult {
    /// The declaration.
    #[serde(flatten)]
    pub declaration: DeclarationView,
    /// True when the idempotency key was seen before and this is the earlier declaration.
    pub duplicate: bool,
    /// Why registration was refused (FLC findings and signature reasons), empty otherwise.
    pub reasons: Vec<Reason>,
    /// Risk profiles that fired.
    pub hits: Vec<Hit>,
    /// Number of the electronic release document, when released.
    pub release_document: Option<String>,
    /// The duties to pay (duty, excise and VAT), once calculated.
    pub duties_total: Option<Amount>,
    /// For a declaration awaiting payment: what is missing from the available balance.
    pub payment: Option<PaymentDue>,
}

/// A declaration with its document and decision.
#[derive(Debug, Serialize, ToSchema)]
pub struct DeclarationDetail {
    /// The declaration.
    #[serde(flatten)]
    pub declaration: DeclarationView,
    /// SHA-256 of the exact bytes filed.
    pub document_sha256: String,
    /// The declaration as filed.
    #[schema(value_type = Object)]
    pub document: serde_json::Value,
    /// Refusal reasons.
    pub reasons: Vec<Reason>,
    /// Risk profiles that fired.
    pub hits: Vec<Hit>,
    /// For customs staff: the model's score with the contributions of its features, random
    /// control, the operators' categories and the reasons for the lane in plain terms. Not
    /// shown to traders.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub risk: Option<RiskView>,
    /// The release document, when released.
    pub release: Option<ReleaseDocument>,
    /// The duty calculation with every input (`calculation`) and the customs value check of
    /// each item (`valuation`), once calculated.
    #[schema(value_type = Option<Object>)]
    pub duties: Option<serde_json::Value>,
    /// The duties to pay.
    pub duties_total: Option<Amount>,
    /// For a declaration awaiting payment: what is missing.
    pub payment: Option<PaymentDue>,
}

pub(crate) fn header<'a>(headers: &'a HeaderMap, name: &'static str) -> Result<Option<&'a str>, ApiError> {
    headers.get(name).map(|v| v.to_str().map_err(|_| ApiError::BadHeader(name, "not visible ASCII"))).transpose()
}

/// File a declaration.
///
/// The body is the declaration JSON; `X-JWS-Signature` carries a detached JWS (EdDSA) over the
/// exact body bytes. The declaration is always kept: it is registered when every condition is
/// met (FLC, signature, duties calculated, duties covered by the available balance), refused
/// with all reasons when one of the first three is not, and waits in `awaiting_payment` (with
/// the amount missing) when only the balance is short; a deposit then registers it. A repeated `Idempotency-Key`
/// returns the earlier declaration (`200`, `duplicate: true`) instead of filing another.
#[utoipa::path(post, path = "/api/v1/declarations", tag = "declarations",
    request_body(content = DeclarationDoc, description = "The declaration"),
    params(
        ("X-JWS-Signature" = Option<String>, Header, description = "Detached JWS (EdDSA) over the body"),
        ("Idempotency-Key" = Option<String>, Header, description = "Client key; retries with the same key never file twice"),
    ),
    responses(
        (status = 201, description = "Filed: registered (and possibly released) or refused with reasons", body = SubmissionResult),
        (status = 200, description = "Idempotent repeat: the earlier declaration", body = SubmissionResult),
        (status = 400, description = "Malformed JSON", body = crate::error::ErrorBody),
        (status = 401, description = "Missing or invalid token", body = crate::error::ErrorBody),
        (status = 403, description = "Not a trader, or declarant is not you", body = crate::error::ErrorBody),
        (status = 413, description = "Body too large", body = crate::error::ErrorBody),
        (status = 415, description = "Sent as another media type than application/json (REQ_007)", body = crate::error::ErrorBody),
        (status = 422, description = "Wrong types", body = crate::error::ErrorBody),
    ),
    security(("token" = [])))]
#[instrument(skip_all, fields(declarant))]
pub async fn submit(
    State(state): State<AppState>,
    caller: Caller,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Result<(StatusCode, Json<SubmissionResult>), ApiError> {
    let principal = caller.require(&[Role::Trader], "file declarations")?;
    let trader =
        principal.trader.clone().ok_or(ApiError::Forbidden("trader", "file declarations without a party id"))?;
    organisation::require(principal, Capacity::File, "file declarations")?;
    tracing::Span::current().record("declarant", trader.as_str());
    refuse_other_media(&headers)?;
    let body = body_or_error(body, state.config.body_limit)?;
    let request = FileRequest {
        trader,
        user: principal.name.clone(),
        body: &body,
        signature: header(&headers, SIGNATURE_HEADER)?,
        idempotency_key: header(&headers, IDEMPOTENCY_HEADER)?.map(str::to_string),
        received_at: Utc::now(),
    };
    let Filed { recorded, duplicate, reasons, hits, duties_total } = filing::file(&state, request).await?;
    let status = if duplicate { StatusCode::OK } else { StatusCode::CREATED };
    let s = recorded.summary();
    let release_document = (s.state == DeclState::Released)
        .then(|| s.registration_number.as_ref().map(smartcustoms_core::release::document_number))
        .flatten();
    // Hits are shown once the declaration is registered: until then no lane is decided.
    let hits = if s.state == DeclState::AwaitingPayment { Vec::new() } else { hits };
    let payment = declarations::payment_due(&state, s).await?;
    let declaration = s.into();
    Ok((
        status,
        Json(SubmissionResult { declaration, duplicate, reasons, hits, release_document, duties_total, payment }),
    ))
}

/// Read one declaration with its document, decision and release document.
#[utoipa::path(get, path = "/api/v1/declarations/{id}", tag = "declarations",
    params(("id" = String, Path, description = "Declaration id")),
    responses((status = 200, body = DeclarationDetail), (status = 404, description = "Unknown or not yours", body = crate::error::ErrorBody)),
    security(("token" = [])))]
pub async fn get(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<DeclarationId>,
) -> Result<Json<DeclarationDetail>, ApiError> {
    let Read { record: r, show_risk, release, payment } = declarations::read(&state, &caller.0, id).await?;
    let document = serde_json::from_slice(&r.document).unwrap_or(serde_json::Value::Null);
    Ok(Json(DeclarationDetail {
        declaration: (&r.summary).into(),
        document_sha256: r.document_sha256,
        document,
        reasons: r.reasons,
        hits: r.hits,
        risk: show_risk.then_some(r.risk),
        release,
        duties: r.duties,
        duties_total: r.duties_total,
        payment,
    }))
}

/// The events (audit entries) of one declaration, in order. The trader who filed it sees the
/// lane without the risk assessment that chose it (customs staff see the whole entry).
#[utoipa::path(get, path = "/api/v1/declarations/{id}/events", tag = "declarations",
    params(("id" = String, Path, description = "Declaration id")),
    responses((status = 200, body = Vec<AuditEntry>), (status = 404, body = crate::error::ErrorBody)),
    security(("token" = [])))]
pub async fn events(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<DeclarationId>,
) -> Result<Json<Vec<AuditEntry>>, ApiError> {
    Ok(Json(declarations::events(&state, &caller.0, id).await?))
}

/// Listing parameters.
#[derive(Debug, Deserialize, IntoParams)]
pub struct ListParams {
    /// Only declarations in these states (comma-separated, e.g. `registered,under_control`).
    pub state: Option<String>,
    /// Only declarations filed before this id (paging: pass the last id of the previous page).
    pub before: Option<String>,
    /// Page size, 1 to 500 (default 50).
    pub limit: Option<i64>,
    /// Officers only: only this declarant's declarations.
    pub declarant: Option<String>,
    /// Only at this office of declaration.
    pub office: Option<String>,
    /// Only in this lane (`green`, `yellow`, `red`, `blue`).
    pub lane: Option<String>,
    /// Only filed on or after this day (`YYYY-MM-DD`, UTC).
    pub from: Option<String>,
    /// Only filed on or before this day (`YYYY-MM-DD`, UTC).
    pub to: Option<String>,
    /// Only the declaration with this registration number.
    pub number: Option<String>,
    /// Traders: `true` lists the declarations the caller filed as customs representative for
    /// the declarants that authorised it, instead of its own.
    pub represented: Option<bool>,
    /// The first 2 to 6 digits of a goods item's commodity code (declarations filed before
    /// this search existed are not found by it).
    pub hs: Option<String>,
}

/// List declarations, newest first. Traders see only their own.
#[utoipa::path(get, path = "/api/v1/declarations", tag = "declarations", params(ListParams),
    responses((status = 200, body = Vec<DeclarationView>), (status = 400, body = crate::error::ErrorBody)),
    security(("token" = [])))]
pub async fn list(
    State(state): State<AppState>,
    caller: Caller,
    ApiQuery(p): ApiQuery<ListParams>,
) -> Result<Json<Vec<DeclarationView>>, ApiError> {
    let request = ListRequest {
        state: p.state.as_deref(),
        before: p.before.as_deref(),
        limit: p.limit.unwrap_or(50),
        declarant: p.declarant.as_deref(),
        office: p.office.as_deref(),
        lane: p.lane.as_deref(),
        from: p.from.as_deref(),
        to: p.to.as_deref(),
        number: p.number.as_deref(),
        represented: p.represented.unwrap_or(false),
        hs: p.hs.as_deref(),
    };
    let rows = declarations::list(&state, &caller.0, request).await?;
    Ok(Json(rows.iter().map(DeclarationView::from).collect()))
}

/// An officer releases or refuses a declaration under control (yellow or red lane), with the
/// reasons; the decision is written to the audit log, and a release notifies the warehouse.
#[utoipa::path(post, path = "/api/v1/declarations/{id}/decision", tag = "declarations",
    params(("id" = String, Path, description = "Declaration id")),
    request_body = ControlDecision,
    responses(
        (status = 200, body = DeclarationView),
        (status = 403, description = "Not an officer", body = crate::error::ErrorBody),
        (status = 404, body = crate::error::ErrorBody),
        (status = 409, description = "Not under control", body = crate::error::ErrorBody),
    ),
    security(("token" = [])))]
pub async fn decide(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<DeclarationId>,
    JsonBody(decision): JsonBody<ControlDecision>,
) -> Result<Json<DeclarationView>, ApiError> {
    let summary = control::decide(&state, &caller.0, id, &decision, Utc::now()).await?;
    Ok(Json((&summary).into()))
}

/// The declarant withdraws a declaration not yet registered or awaiting payment: it is refused
/// with reason `WDR_001`, the audit log names the user. Another trader's declaration answers
/// 404; one registered already answers `DEC_001`.
#[utoipa::path(post, path = "/api/v1/declarations/{id}/withdrawal", tag = "declarations",
    params(("id" = String, Path, description = "Declaration id")),
    responses(
        (status = 200, body = DeclarationView),
        (status = 403, description = "Not a trader", body = crate::error::ErrorBody),
        (status = 404, body = crate::error::ErrorBody),
        (status = 409, description = "Registered already, or refused", body = crate::error::ErrorBody),
    ),
    security(("token" = [])))]
pub async fn withdraw(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<DeclarationId>,
) -> Result<Json<DeclarationView>, ApiError> {
    let summary = declarations::withdraw(&state, &caller.0, id, Timestamp::now()).await?;
    Ok(Json((&summary).into()))
}
