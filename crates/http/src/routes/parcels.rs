//! E-commerce parcels: bulk files of low-value consignments, their outcomes, the operators'
//! data quality and the register of VAT scheme numbers (see `app::parcels`).

use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::Json;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use smartcustoms_core::access::Role;
use smartcustoms_core::parcels::Quality;
use smartcustoms_storage::{BatchRecord, ParcelRecord, ParcelsFiled, VatRegistration};

use crate::app::organisation::{self, Capacity};
use crate::app::parcels::{self, BulkFile, MAX_FILE};
use crate::auth::Caller;
use crate::error::ApiError;
use crate::extract::{body_or_error, require_media, ApiPath, ApiQuery, JsonBody};
use crate::state::AppState;

/// The media types of a bulk file: newline-delimited JSON.
const NDJSON: [&str; 2] = ["application/x-ndjson", "application/jsonl"];

/// File parcels in bulk (operators: a trader's user with the filer capacity, or its token):
/// one JSON parcel per line (`application/x-ndjson`), at most 100,000 lines and 64 MiB. Each
/// line is checked alone: a bad one is listed in `refusals` with its reasons (`PCL_` codes) and
/// the rest are recorded, charged to the operator's account under the low-value regime and
/// released or held (`results`). A transaction id filed before is answered as recorded then
/// (`duplicate: true`); the same file sent twice records nothing twice.
#[utoipa::path(post, path = "/api/v1/parcels", tag = "parcels",
    request_body(content = String, content_type = "application/x-ndjson",
        description = "One parcel per line: transaction_id, operator, seller {name, country}, buyer {name, address, country}, hs6, description, value, currency, origin, mass, vat_number"),
    responses((status = 201, body = ParcelsFiled), (status = 400, body = crate::error::ErrorBody),
        (status = 403, body = crate::error::ErrorBody), (status = 413, body = crate::error::ErrorBody),
        (status = 415, body = crate::error::ErrorBody)),
    security(("token" = [])))]
pub async fn file(
    State(state): State<AppState>,
    caller: Caller,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Result<(StatusCode, Json<ParcelsFiled>), ApiError> {
    let principal = caller.require(&[Role::Trader], "file parcels")?;
    let operator = organisation::require(principal, Capacity::File, "file parcels")?;
    require_media(&headers, &NDJSON, "application/x-ndjson")?;
    let body = body_or_error(body, MAX_FILE)?;
    let bulk = BulkFile { operator, actor: principal.name.clone(), body: &body, received_at: chrono::Utc::now() };
    Ok((StatusCode::CREATED, Json(parcels::file(&state, bulk).await?)))
}

/// A file with its parcels.
#[derive(Debug, Serialize, ToSchema)]
pub struct BatchView {
    /// The file.
    #[serde(flatten)]
    pub batch: BatchRecord,
    /// Its recorded parcels.
    pub parcels: Vec<ParcelRecord>,
}

/// A file with its recorded parcels (its operator, or customs staff).
#[utoipa::path(get, path = "/api/v1/parcels/batches/{id}", tag = "parcels",
    params(("id" = String, Path, description = "File id")),
    responses((status = 200, body = BatchView), (status = 404, body = crate::error::ErrorBody)),
    security(("token" = [])))]
pub async fn batch(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<String>,
) -> Result<Json<BatchView>, ApiError> {
    let (batch, parcels) = parcels::batch(&state, &caller.0, &id).await?;
    Ok(Json(BatchView { batch, parcels }))
}

/// An officer's decision on a held parcel.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DecisionDoc {
    /// Release it (true) or refuse it (false).
    pub release: bool,
    /// Why.
    pub reason: String,
}

/// Release or refuse a held parcel (officers): released, its charges are debited; refused, the
/// reservation goes back to the operator. A parcel not held (released, refused, or decided by
/// another officer first) is `409`.
#[utoipa::path(post, path = "/api/v1/parcels/{id}/decision", tag = "parcels",
    request_body(content = DecisionDoc, content_type = "application/json"),
    params(("id" = String, Path, description = "Parcel id")),
    responses((status = 200, body = ParcelRecord), (status = 400, body = crate::error::ErrorBody),
        (status = 403, body = crate::error::ErrorBody), (status = 404, body = crate::error::ErrorBody),
        (status = 409, body = crate::error::ErrorBody)),
    security(("token" = [])))]
pub async fn decide(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<String>,
    JsonBody(doc): JsonBody<DecisionDoc>,
) -> Result<Json<ParcelRecord>, ApiError> {
    Ok(Json(parcels::decide(&state, &caller.0, &id, doc.release, &doc.reason).await?))
}

/// Which operator.
#[derive(Debug, Deserialize, IntoParams)]
pub struct OperatorQuery {
    /// The operator (customs staff; an operator reads its own).
    pub operator: Option<String>,
}

/// An operator's files, newest first.
#[utoipa::path(get, path = "/api/v1/parcels/batches", tag = "parcels", params(OperatorQuery),
    responses((status = 200, body = Vec<BatchRecord>), (status = 400, body = crate::error::ErrorBody),
        (status = 403, body = crate::error::ErrorBody)),
    security(("token" = [])))]
pub async fn batches(
    State(state): State<AppState>,
    caller: Caller,
    ApiQuery(q): ApiQuery<OperatorQuery>,
) -> Result<Json<Vec<BatchRecord>>, ApiError> {
    Ok(Json(parcels::batches(&state, &caller.0, q.operator.as_deref()).await?))
}

/// One parcel (its operator, or customs staff).
#[utoipa::path(get, path = "/api/v1/parcels/{id}", tag = "parcels",
    params(("id" = String, Path, description = "Parcel id")),
    responses((status = 200, body = ParcelRecord), (status = 404, body = crate::error::ErrorBody)),
    security(("token" = [])))]
pub async fn get(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<String>,
) -> Result<Json<ParcelRecord>, ApiError> {
    Ok(Json(parcels::parcel(&state, &caller.0, &id).await?))
}

/// An operator's data quality: the share of its parcels with a specific description, a
/// plausible value and a VAT number of their own seller, and their mean.
#[utoipa::path(get, path = "/api/v1/parcels/quality", tag = "parcels", params(OperatorQuery),
    responses((status = 200, body = Quality), (status = 400, body = crate::error::ErrorBody),
        (status = 403, body = crate::error::ErrorBody)),
    security(("token" = [])))]
pub async fn quality(
    State(state): State<AppState>,
    caller: Caller,
    ApiQuery(q): ApiQuery<OperatorQuery>,
) -> Result<Json<Quality>, ApiError> {
    Ok(Json(parcels::quality(&state, &caller.0, q.operator.as_deref()).await?))
}

/// A VAT scheme number's holder.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct VatDoc {
    /// The seller it belongs to.
    pub seller: String,
    /// The registering country.
    pub country: String,
}

/// Register a VAT scheme number (IOSS-like) to a seller (administrators). A parcel naming it
/// pays no VAT here when its seller is that one; another seller's parcel is flagged `PCL_102`.
#[utoipa::path(put, path = "/api/v1/vat-numbers/{number}", tag = "parcels",
    request_body(content = VatDoc, content_type = "application/json"),
    params(("number" = String, Path, description = "The VAT scheme number")),
    responses((status = 200, body = VatRegistration), (status = 400, body = crate::error::ErrorBody),
        (status = 403, body = crate::error::ErrorBody)),
    security(("token" = [])))]
pub async fn put_vat_number(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(number): ApiPath<String>,
    JsonBody(doc): JsonBody<VatDoc>,
) -> Result<Json<VatRegistration>, ApiError> {
    Ok(Json(parcels::register_vat_number(&state, &caller.0, &number, &doc.seller, &doc.country).await?))
}

/// The registered VAT scheme numbers (customs staff).
#[utoipa::path(get, path = "/api/v1/vat-numbers", tag = "parcels",
    responses((status = 200, body = Vec<VatRegistration>), (status = 403, body = crate::error::ErrorBody)),
    security(("token" = [])))]
pub async fn vat_numbers(
    State(state): State<AppState>,
    caller: Caller,
) -> Result<Json<Vec<VatRegistration>>, ApiError> {
    Ok(Json(parcels::vat_numbers(&state, &caller.0).await?))
}
