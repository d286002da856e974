//! API tokens of machines (bank links, warehouse systems, traders' software): administrators
//! issue, list and revoke them. A token is shown once; only its hash is kept.

use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use smartcustoms_core::access::{Principal, Role};
use smartcustoms_core::ids::TraderId;
use smartcustoms_core::timestamp::Timestamp;
use smartcustoms_storage::TokenRecord;

use crate::auth::Caller;
use crate::error::ApiError;
use crate::extract::{ApiPath, JsonBody};
use crate::state::AppState;

/// A token to issue.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewTokenRequest {
    /// Name of the person or system that will use it.
    pub name: String,
    /// `trader`, `officer`, `analyst`, `admin`, `warehouse`, `bank` or `member`.
    pub role: String,
    /// The trader (role trader) or facility (role warehouse) it acts for.
    pub party: Option<String>,
    /// When it stops working (RFC 3339); none: until revoked.
    pub expires_at: Option<DateTime<Utc>>,
}

/// An issued token: the secret appears here and nowhere else.
#[derive(Debug, Serialize, ToSchema)]
pub struct IssuedToken {
    /// Public id, used to revoke it.
    pub id: String,
    /// The token, for `Authorization: Bearer …`.
    pub token: String,
}

/// Checks a token request and turns it into the principal the token will act as.
fn principal_of(request: &NewTokenRequest) -> Result<Principal, ApiError> {
    let role = Role::parse(&request.role)
        .ok_or_else(|| ApiError::BadParameter("role", format!("{:?} is not a role", request.role)))?;
    let name = request.name.trim();
    if name.is_empty() || name.chars().count() > 200 {
        return Err(ApiError::BadParameter("name", "give 1 to 200 characters".into()));
    }
    let party = request.party.as_deref().map(str::trim).filter(|p| !p.is_empty());
    if matches!(role, Role::Trader | Role::Warehouse) && party.is_none() {
        return Err(ApiError::BadParameter("party", format!("a {} token needs the party it acts for", role.as_str())));
    }
    let trader = party
        .map(|p| TraderId::new(p).map_err(|_| ApiError::BadParameter("party", "at most 64 characters".into())))
        .transpose()?;
    Ok(Principal::new(name, role, trader))
}

/// Issue an API token (administrators).
#[utoipa::path(post, path = "/api/v1/tokens", tag = "tokens", request_body = NewTokenRequest,
    responses((status = 201, body = IssuedToken), (status = 400, body = crate::error::ErrorBody),
        (status = 401, body = crate::error::ErrorBody), (status = 403, body = crate::error::ErrorBody)),
    security(("token" = [])))]
pub async fn issue(
    State(state): State<AppState>,
    caller: Caller,
    JsonBody(body): JsonBody<NewTokenRequest>,
) -> Result<(StatusCode, Json<IssuedToken>), ApiError> {
    let admin = caller.require(&[Role::Admin], "issue API tokens")?;
    let principal = principal_of(&body)?;
    if body.expires_at.is_some_and(|at| at <= Utc::now()) {
        return Err(ApiError::BadParameter("expires_at", "lies in the past".into()));
    }
    let expires = body.expires_at.map(Timestamp::from);
    let (token, id) = crate::identity::issue_token(&state, principal, expires, &admin.name).await?;
    Ok((StatusCode::CREATED, Json(IssuedToken { id, token })))
}

/// List API tokens, without their secrets (administrators).
#[utoipa::path(get, path = "/api/v1/tokens", tag = "tokens",
    responses((status = 200, body = Vec<TokenRecord>), (status = 401, body = crate::error::ErrorBody),
        (status = 403, body = crate::error::ErrorBody)),
    security(("token" = [])))]
pub async fn list(State(state): State<AppState>, caller: Caller) -> Result<Json<Vec<TokenRecord>>, ApiError> {
    caller.require(&[Role::Admin], "list API tokens")?;
    Ok(Json(state.store.tokens().await?))
}

/// Revoke an API token (administrators). It stops working on every server process within
/// seconds; revoking twice changes nothing.
#[utoipa::path(delete, path = "/api/v1/tokens/{id}", tag = "tokens",
    params(("id" = String, Path, description = "Public id of the token")),
    responses((status = 204), (status = 401, body = crate::error::ErrorBody),
        (status = 403, body = crate::error::ErrorBody), (status = 404, body = crate::error::ErrorBody)),
    security(("token" = [])))]
pub async fn revoke(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<String>,
) -> Result<StatusCode, ApiError> {
    let admin = caller.require(&[Role::Admin], "revoke API tokens")?;
    match state.store.revoke_token(&id, &admin.name, Timestamp::now()).await {
        Ok(()) => {}
        Err(smartcustoms_storage::StoreError::NotFound) => return Err(ApiError::NotFound(format!("token {id}"))),
        Err(e) => return Err(e.into()),
    }
    state.forget_principals();
    Ok(StatusCode::NO_CONTENT)
}
