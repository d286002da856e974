//! Transit movements (file, list, read, timeline, events) and guarantee certificates.

use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::Json;
use chrono::Utc;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use smartcustoms_core::access::Role;
use smartcustoms_core::timestamp::Timestamp;
use smartcustoms_storage::{CertificateRecord, TransitEventRecord, TransitRecord};

use crate::app::organisation::{self, Capacity};
use crate::app::transit::{self, FileTransit, FiledTransit};
use crate::auth::Caller;
use crate::error::ApiError;
use crate::extract::{body_or_error, refuse_other_media, ApiPath, ApiQuery, JsonBody};
use crate::routes::declarations::{header, SIGNATURE_HEADER};
use crate::state::AppState;

/// A movement as the API shows it: the stored record with its route, seals, stake and refusal
/// read out of their JSON.
#[derive(Debug, Serialize, ToSchema)]
pub struct TransitView {
    /// The movement.
    #[serde(flatten)]
    pub transit: TransitRecord,
    /// True when this answers a local reference filed before with the same content.
    pub duplicate: bool,
}

/// Paging of the list.
#[derive(Debug, Deserialize, IntoParams)]
pub struct ListQuery {
    /// Most movements returned, 1 to 500 (default 100).
    pub limit: Option<i64>,
}

/// An event asked of a movement.
#[derive(Debug, Deserialize, ToSchema)]
pub struct EventRequest {
    /// The event: `release`, `arrive`, `unloading_remarks`, `complete`, `cancel`,
    /// `open_enquiry` or `recover`.
    pub event: String,
    /// For `unloading_remarks`: true when goods or seals differ from the declaration.
    #[serde(default)]
    pub discrepancies: bool,
    /// Remarks kept on the timeline, at most 2,000 characters.
    pub remarks: Option<String>,
}

/// A certificate to issue.
#[derive(Debug, Deserialize, ToSchema)]
pub struct CertificateRequest {
    /// Its reference: 1 to 24 upper-case letters or digits.
    pub reference: String,
    /// The trader it secures (party id).
    pub holder: String,
    /// Its limit in the national currency, e.g. `"50000.00"`.
    #[schema(value_type = String, example = "50000.00")]
    pub limit: Decimal,
}

/// A certificate issued, with its access code, shown this once.
#[derive(Debug, Serialize, ToSchema)]
pub struct IssuedCertificate {
    /// The certificate.
    pub certificate: CertificateRecord,
    /// The access code the holder names on its transit declarations; kept by the platform
    /// only as a digest.
    pub access_code: String,
}

/// File a transit declaration (traders with the filer capacity), signed like a goods
/// declaration. It is checked with the TRN rules; its amount at stake is secured on the
/// declarant's account or on a guarantee certificate, and it is accepted with an MRN at once,
/// or refused with the reason the guarantee does not cover. A local reference filed before
/// answers the same movement (200) when the content is the same.
#[utoipa::path(post, path = "/api/v1/transits", tag = "transit",
    request_body(content = smartcustoms_core::transit::TransitDoc, content_type = "application/json"),
    params(("x-jws-signature" = Option<String>, Header, description = "Detached JWS (EdDSA) over the body")),
    responses(
        (status = 201, description = "Accepted, or refused because the guarantee does not cover", body = TransitView),
        (status = 200, description = "The local reference was filed before with the same content", body = TransitView),
        (status = 400, body = crate::error::ErrorBody), (status = 403, body = crate::error::ErrorBody),
        (status = 409, description = "Local reference filed before with other content (MOV_002)", body = crate::error::ErrorBody),
        (status = 422, description = "TRN findings, signature or stake problems", body = crate::error::ErrorBody),
    ),
    security(("token" = [])))]
pub async fn file(
    State(state): State<AppState>,
    caller: Caller,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Result<(StatusCode, Json<TransitView>), ApiError> {
    let principal = caller.require(&[Role::Trader], "file transit declarations")?;
    let trader = organisation::require(principal, Capacity::File, "file transit declarations")?;
    refuse_other_media(&headers)?;
    let body = body_or_error(body, state.config.body_limit)?;
    let request = FileTransit {
        trader,
        user: principal.name.clone(),
        body: &body,
        signature: header(&headers, SIGNATURE_HEADER)?,
        received_at: Utc::now(),
    };
    let FiledTransit { transit, duplicate } = transit::file(&state, request).await?;
    let status = if duplicate { StatusCode::OK } else { StatusCode::CREATED };
    Ok((status, Json(TransitView { transit, duplicate })))
}

/// Movements, newest first: a trader's own, every one for customs staff.
#[utoipa::path(get, path = "/api/v1/transits", tag = "transit", params(ListQuery),
    responses((status = 200, body = Vec<TransitRecord>), (status = 403, body = crate::error::ErrorBody)),
    security(("token" = [])))]
pub async fn list(
    State(state): State<AppState>,
    caller: Caller,
    ApiQuery(q): ApiQuery<ListQuery>,
) -> Result<Json<Vec<TransitRecord>>, ApiError> {
    Ok(Json(transit::list(&state, &caller.0, q.limit.unwrap_or(100)).await?))
}

/// One movement by id or MRN (a trader's own; another's is not found).
#[utoipa::path(get, path = "/api/v1/transits/{id}", tag = "transit",
    params(("id" = String, Path, description = "Movement id or MRN")),
    responses((status = 200, body = TransitRecord), (status = 404, body = crate::error::ErrorBody)),
    security(("token" = [])))]
pub async fn get(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<String>,
) -> Result<Json<TransitRecord>, ApiError> {
    Ok(Json(transit::read(&state, &caller.0, &id).await?))
}

/// A movement's timeline: every change of state with who, when and why.
#[utoipa::path(get, path = "/api/v1/transits/{id}/events", tag = "transit",
    params(("id" = String, Path, description = "Movement id or MRN")),
    responses((status = 200, body = Vec<TransitEventRecord>), (status = 404, body = crate::error::ErrorBody)),
    security(("token" = [])))]
pub async fn timeline(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<String>,
) -> Result<Json<Vec<TransitEventRecord>>, ApiError> {
    Ok(Json(transit::timeline(&state, &caller.0, &id).await?))
}

/// Move a movement: officers release it for transit, record arrival, unloading remarks and
/// completion (which gives the guarantee back) and recover the duties after an enquiry; the
/// holder cancels it before release. A state that does not take the event is `MOV_003`, with
/// nothing changed (a movement completed twice, say).
#[utoipa::path(post, path = "/api/v1/transits/{id}/events", tag = "transit", request_body = EventRequest,
    params(("id" = String, Path, description = "Movement id or MRN")),
    responses((status = 200, body = TransitRecord), (status = 403, body = crate::error::ErrorBody),
        (status = 404, body = crate::error::ErrorBody), (status = 409, body = crate::error::ErrorBody),
        (status = 422, body = crate::error::ErrorBody)),
    security(("token" = [])))]
pub async fn event(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<String>,
    JsonBody(e): JsonBody<EventRequest>,
) -> Result<Json<TransitRecord>, ApiError> {
    let event = transit::event_named(&e.event, e.discrepancies)
        .ok_or_else(|| ApiError::BadParameter("event", format!("{:?} is not an event a caller may send", e.event)))?;
    let at = Timestamp::from(Utc::now());
    Ok(Json(transit::step(&state, &caller.0, &id, event, e.remarks, at).await?))
}

/// Issue a guarantee certificate (supervisors, administrators); audited. The access code is
/// drawn by the platform and shown this once.
#[utoipa::path(post, path = "/api/v1/guarantees", tag = "transit", request_body = CertificateRequest,
    responses((status = 201, body = IssuedCertificate), (status = 403, body = crate::error::ErrorBody),
        (status = 409, body = crate::error::ErrorBody), (status = 422, body = crate::error::ErrorBody)),
    security(("token" = [])))]
pub async fn issue(
    State(state): State<AppState>,
    caller: Caller,
    JsonBody(c): JsonBody<CertificateRequest>,
) -> Result<(StatusCode, Json<IssuedCertificate>), ApiError> {
    let at = Timestamp::from(Utc::now());
    let issued = transit::issue_certificate(&state, &caller.0, &c.reference, &c.holder, c.limit, at).await?;
    Ok((
        StatusCode::CREATED,
        Json(IssuedCertificate { certificate: issued.certificate, access_code: issued.access_code }),
    ))
}

/// A guarantee certificate with what is left of it (its holder, or customs staff).
#[utoipa::path(get, path = "/api/v1/guarantees/{reference}", tag = "transit",
    params(("reference" = String, Path, description = "Certificate reference")),
    responses((status = 200, body = CertificateRecord), (status = 404, body = crate::error::ErrorBody)),
    security(("token" = [])))]
pub async fn certificate(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(reference): ApiPath<String>,
) -> Result<Json<CertificateRecord>, ApiError> {
    Ok(Json(transit::certificate(&state, &caller.0, &reference).await?))
}
