//! Devices' keys: an administrator registers the public key a navigation seal or a piece of
//! checkpoint equipment signs its messages with.

use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::State;
use axum::http::HeaderMap;
use axum::Json;

use smartcustoms_core::timestamp::Timestamp;
use smartcustoms_storage::DeviceKeyRecord;

use crate::app::device_keys::{self, KeyDoc};
use crate::auth::Caller;
use crate::error::ApiError;
use crate::extract::{body_or_error, refuse_other_media, ApiPath};
use crate::state::AppState;

/// Register a device's public key (administrators): `kind` `seal` (the device is the seal id)
/// or `checkpoint` (the device is the `device` its events name), `public_key` the Ed25519 key
/// as base64url. From then on its messages must be signed with it (`DEV_003` otherwise);
/// registering another key replaces it.
#[utoipa::path(put, path = "/api/v1/devices/{device}/key", tag = "seals",
    request_body(content = KeyDoc, content_type = "application/json"),
    params(("device" = String, Path, description = "The seal id or the equipment's device id")),
    responses((status = 200, body = DeviceKeyRecord), (status = 400, body = crate::error::ErrorBody),
        (status = 403, body = crate::error::ErrorBody),
        (status = 422, description = "Not an Ed25519 public key (KEY_001)", body = crate::error::ErrorBody)),
    security(("token" = [])))]
pub async fn register(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(device): ApiPath<String>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Result<Json<DeviceKeyRecord>, ApiError> {
    refuse_other_media(&headers)?;
    let body = body_or_error(body, state.config.body_limit)?;
    let doc: KeyDoc = crate::app::checkpoint::parse_json(&body)?;
    let now = Timestamp::from(chrono::Utc::now());
    Ok(Json(device_keys::register(&state, &caller.0, &device, &doc, now).await?))
}

/// The devices with a registered key (administrators and supervisors).
#[utoipa::path(get, path = "/api/v1/devices", tag = "seals",
    responses((status = 200, body = Vec<DeviceKeyRecord>), (status = 403, body = crate::error::ErrorBody)),
    security(("token" = [])))]
pub async fn list(State(state): State<AppState>, caller: Caller) -> Result<Json<Vec<DeviceKeyRecord>>, ApiError> {
    Ok(Json(device_keys::list(&state, &caller.0).await?))
}
