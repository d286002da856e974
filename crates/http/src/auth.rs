//! Authentication by API token (`Authorization: Bearer …`) and role checks.

use axum::extract::FromRequestParts;
use axum::http::request::Parts;

use smartcustoms_core::access::{Principal, Role};

use crate::error::ApiError;
use crate::state::AppState;

/// The authenticated caller of a request.
#[derive(Debug, Clone)]
pub struct Caller(pub Principal);

impl FromRequestParts<AppState> for Caller {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let header = parts.headers.get(axum::http::header::AUTHORIZATION).ok_or(ApiError::MissingToken)?;
        let value = header.to_str().map_err(|_| ApiError::InvalidToken)?;
        let token = value.strip_prefix("Bearer ").ok_or(ApiError::MissingToken)?.trim();
        if token.is_empty() || token.len() > 256 {
            return Err(ApiError::InvalidToken);
        }
        let principal = state.principal(token).await?.ok_or(ApiError::InvalidToken)?;
        Ok(Caller(principal))
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
