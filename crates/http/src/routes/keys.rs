//! Traders' public signing keys.

use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use smartcustoms_core::access::Role;
use smartcustoms_core::signature;
use smartcustoms_core::timestamp::Timestamp;
use smartcustoms_storage::SigningKeyRecord;

use crate::auth::Caller;
use crate::error::ApiError;
use crate::extract::JsonBody;
use crate::state::AppState;

/// A public key to register.
#[derive(Debug, Deserialize, ToSchema)]
pub struct NewKey {
    /// Ed25519 public key: base64url of the 32 raw bytes (the JWK `x` value).
    pub public_key: String,
}

/// A registered key.
#[derive(Debug, Serialize, ToSchema)]
pub struct KeyView {
    /// Key id to put in the JWS header (`kid`): the RFC 7638 thumbprint.
    pub kid: String,
    /// The public key.
    pub public_key: String,
}

/// Register a public key for signing declarations.
#[utoipa::path(post, path = "/api/v1/keys", tag = "keys", request_body = NewKey,
    responses((status = 201, body = KeyView), (status = 409, body = crate::error::ErrorBody), (status = 422, body = crate::error::ErrorBody)),
    security(("token" = [])))]
pub async fn register(
    State(state): State<AppState>,
    caller: Caller,
    JsonBody(body): JsonBody<NewKey>,
) -> Result<(StatusCode, Json<KeyView>), ApiError> {
    let principal = caller.require(&[Role::Trader], "register signing keys")?;
    let trader = principal.trader.clone().ok_or(ApiError::Forbidden("trader", "register keys without a party id"))?;
    let key = signature::decode_public_key(&body.public_key).ok_or(ApiError::BadPublicKey)?;
    let record = SigningKeyRecord {
        trader,
        kid: signature::key_id(&key),
        public_key: signature::encode_public_key(&key),
        created_at_us: Timestamp::now(),
    };
    state.store.add_key(&record).await?;
    Ok((StatusCode::CREATED, Json(KeyView { kid: record.kid, public_key: record.public_key })))
}

/// List my registered keys.
#[utoipa::path(get, path = "/api/v1/keys", tag = "keys", responses((status = 200, body = Vec<KeyView>)), security(("token" = [])))]
pub async fn list(State(state): State<AppState>, caller: Caller) -> Result<Json<Vec<KeyView>>, ApiError> {
    let principal = caller.require(&[Role::Trader], "list signing keys")?;
    let trader = principal.trader.clone().ok_or(ApiError::Forbidden("trader", "list keys without a party id"))?;
    let keys = state.store.keys(&trader).await?;
    Ok(Json(keys.into_iter().map(|k| KeyView { kid: k.kid, public_key: k.public_key }).collect()))
}
