//! Authentication by API token and role checks. The token comes in `Authorization: Bearer …`
//! (API clients) or in the `sc_token` cookie the sign-in page sets (browsers).

use axum::extract::{FromRequestParts, OptionalFromRequestParts};
use axum::http::request::Parts;

use smartcustoms_core::access::{Principal, Role};

use crate::error::ApiError;
use crate::state::AppState;

/// Name of the cookie that carries a browser's token.
pub const TOKEN_COOKIE: &str = "sc_token";

/// The authenticated caller of a request.
#[derive(Debug, Clone)]
pub struct Caller(pub Principal);

/// The token of a request: the bearer header first, then the cookie.
fn token(parts: &Parts) -> Result<Option<String>, ApiError> {
    if let Some(header) = parts.headers.get(axum::http::header::AUTHORIZATION) {
        let value = header.to_str().map_err(|_| ApiError::InvalidToken)?;
        let token = value.strip_prefix("Bearer ").ok_or(ApiError::MissingToken)?.trim();
        return Ok(Some(token.to_string()));
    }
    let cookie = parts
        .headers
        .get_all(axum::http::header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(name, _)| *name == TOKEN_COOKIE)
        .map(|(_, value)| value.trim().to_string());
    Ok(cookie)
}

impl FromRequestParts<AppState> for Caller {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let token = token(parts)?.ok_or(ApiError::MissingToken)?;
        if token.is_empty() || token.len() > 256 {
            return Err(ApiError::InvalidToken);
        }
        let principal = state.principal(&token).await?.ok_or(ApiError::InvalidToken)?;
        Ok(Caller(principal))
    }
}

/// Pages that anyone may read take the caller when there is one.
impl OptionalFromRequestParts<AppState> for Caller {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Option<Self>, Self::Rejection> {
        match <Caller as FromRequestParts<AppState>>::from_request_parts(parts, state).await {
            Ok(c) => Ok(Some(c)),
            Err(ApiError::MissingToken | ApiError::InvalidToken) => Ok(None),
            Err(e) => Err(e),
        }
    }
}

impl Caller {
    /// Fails unless the caller has one of `roles`; `action` names what was attempted.
    pub fn require(&self, roles: &[Role], action: &'static str) -> Result<&Principal, ApiError> {
        if roles.contains(&self.0.role) {
            Ok(&self.0)
        } else {
            Err(ApiError::Forbidden(self.0.role.as_str(), action))
        }
    }
}
