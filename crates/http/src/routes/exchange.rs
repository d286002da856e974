//! "Your export is my import": partner administrations and their keys, our exchange key, the
//! partners' signed export messages, the differences found with our imports, and the outbox of
//! our messages about released exports (see `app::exchange` and docs/exchange.md).

use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::Json;
use serde::Deserialize;
use utoipa::IntoParams;

use smartcustoms_core::ids::DeclarationId;
use smartcustoms_core::timestamp::Timestamp;
use smartcustoms_storage::{InboundRecord, MismatchRecord};

use crate::app::exchange::{self, ExchangeKey, InboundAnswer, PartnerDoc, PartnerView, INBOUND_BODY_LIMIT};
use crate::app::exchange_outbox::{self, OutboxView};
use crate::auth::Caller;
use crate::error::ApiError;
use crate::extract::{body_or_error, require_media, ApiPath, ApiQuery, JsonBody};
use crate::state::AppState;

/// Register a partner administration, or change its name, endpoint or key (administrators).
/// `public_key` is its Ed25519 key as base64url; a new key ends the one in force, which is kept
/// so that the messages signed with it stay verifiable. `endpoint`, when given, receives our
/// messages about exports released for its country.
#[utoipa::path(post, path = "/api/v1/exchange/partners", tag = "exchange",
    request_body(content = PartnerDoc, content_type = "application/json"),
    responses((status = 200, body = PartnerView), (status = 400, body = crate::error::ErrorBody),
        (status = 403, body = crate::error::ErrorBody),
        (status = 409, description = "The key is another partner's (RES_002)", body = crate::error::ErrorBody),
        (status = 422, description = "Not an Ed25519 public key (KEY_001)", body = crate::error::ErrorBody)),
    security(("token" = [])))]
pub async fn register(
    State(state): State<AppState>,
    caller: Caller,
    JsonBody(doc): JsonBody<PartnerDoc>,
) -> Result<Json<PartnerView>, ApiError> {
    let now = Timestamp::from(chrono::Utc::now());
    Ok(Json(exchange::register_partner(&state, &caller.0, &doc, now).await?))
}

/// The partner administrations with their keys, ended ones too (customs staff).
#[utoipa::path(get, path = "/api/v1/exchange/partners", tag = "exchange",
    responses((status = 200, body = Vec<PartnerView>), (status = 403, body = crate::error::ErrorBody)),
    security(("token" = [])))]
pub async fn partners(State(state): State<AppState>, caller: Caller) -> Result<Json<Vec<PartnerView>>, ApiError> {
    Ok(Json(exchange::partners(&state, &caller.0).await?))
}

/// Our administration's exchange key, which partners register to verify our messages (anyone).
#[utoipa::path(get, path = "/api/v1/exchange/key", tag = "exchange",
    responses((status = 200, body = ExchangeKey)))]
pub async fn key(State(state): State<AppState>) -> Result<Json<ExchangeKey>, ApiError> {
    Ok(Json(exchange::public_key(&state).await?))
}

/// A partner administration sends its released export declaration: a compact JWS
/// (`application/jose`) whose payload is a `PartnerExport`, signed with the partner's key in
/// force (`kid`). The signature is the partner's authentication; no token is needed. A
/// reference sent before is answered as recorded (200); a new one is recorded (201) and every
/// import citing it (document `N830`) is matched with it.
#[utoipa::path(post, path = "/api/v1/exchange/inbound", tag = "exchange",
    request_body(content = String, content_type = "application/jose",
        description = "Compact JWS (EdDSA) whose payload is a PartnerExport"),
    responses((status = 201, description = "Recorded", body = InboundAnswer),
        (status = 200, description = "Sent before: as recorded then", body = InboundAnswer),
        (status = 409, description = "Another message under a reference recorded before (RES_002)", body = crate::error::ErrorBody),
        (status = 422, description = "Unknown partner (PTN_001), signature not accepted (PTN_002), key not the partner's in force (PTN_003), unreadable message (PTN_004)", body = crate::error::ErrorBody)))]
pub async fn inbound(
    State(state): State<AppState>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Result<(StatusCode, Json<InboundAnswer>), ApiError> {
    require_media(&headers, &[crate::exchange_push::JOSE], "application/jose")?;
    let body = body_or_error(body, INBOUND_BODY_LIMIT)?;
    let answer = exchange::receive(&state, &body, Timestamp::from(chrono::Utc::now())).await?;
    let status = if answer.duplicate { StatusCode::OK } else { StatusCode::CREATED };
    Ok((status, Json(answer)))
}

/// The partners' messages, newest first, each kept as the JWS received (so its signature can
/// be checked again with the partner's key of the time) with its payload (customs staff).
#[utoipa::path(get, path = "/api/v1/exchange/messages", tag = "exchange", params(OutboxQuery),
    responses((status = 200, body = Vec<InboundRecord>), (status = 403, body = crate::error::ErrorBody)),
    security(("token" = [])))]
pub async fn received(
    State(state): State<AppState>,
    caller: Caller,
    ApiQuery(q): ApiQuery<OutboxQuery>,
) -> Result<Json<Vec<InboundRecord>>, ApiError> {
    Ok(Json(exchange::received(&state, &caller.0, q.limit.unwrap_or(100)).await?))
}

/// How many messages to list.
#[derive(Debug, Deserialize, IntoParams)]
pub struct OutboxQuery {
    /// At most this many, newest first (1 to 1000, 100 by default).
    pub limit: Option<i64>,
}

/// Our signed messages about released exports, newest first, with their state: `delivered`,
/// `pending` (tried again until the partner accepts) or `waiting` (the partner is not
/// registered or has no endpoint) (customs staff).
#[utoipa::path(get, path = "/api/v1/exchange/outbox", tag = "exchange", params(OutboxQuery),
    responses((status = 200, body = Vec<OutboxView>), (status = 403, body = crate::error::ErrorBody)),
    security(("token" = [])))]
pub async fn outbox(
    State(state): State<AppState>,
    caller: Caller,
    ApiQuery(q): ApiQuery<OutboxQuery>,
) -> Result<Json<Vec<OutboxView>>, ApiError> {
    Ok(Json(exchange_outbox::outbox(&state, &caller.0, q.limit.unwrap_or(100)).await?))
}

/// The differences (`XCH_001` … `XCH_010`) found between an import and the partners' exports
/// it cites (customs staff).
#[utoipa::path(get, path = "/api/v1/exchange/declarations/{id}/mismatches", tag = "exchange",
    params(("id" = String, Path, description = "Declaration id")),
    responses((status = 200, body = Vec<MismatchRecord>), (status = 403, body = crate::error::ErrorBody),
        (status = 404, body = crate::error::ErrorBody)),
    security(("token" = [])))]
pub async fn mismatches(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<DeclarationId>,
) -> Result<Json<Vec<MismatchRecord>>, ApiError> {
    Ok(Json(exchange::mismatches(&state, &caller.0, id).await?))
}
