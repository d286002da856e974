//! Who is calling: an API token in `Authorization: Bearer …` (machines), or a server-side
//! session in the `sc_session` cookie (people signed in through `/login`). Role checks, and the
//! CSRF check of session-authenticated requests that change something.

use axum::extract::{FromRequestParts, OptionalFromRequestParts};
use axum::http::request::Parts;

use smartcustoms_core::access::{Principal, Role};

use crate::error::ApiError;
use crate::identity::{self, Session, SESSION_COOKIE};
use crate::state::AppState;

/// Header a script sends the session's CSRF token in.
pub const CSRF_HEADER: &str = "x-csrf-token";

/// Name of the form field that carries the session's CSRF token.
pub const CSRF_FIELD: &str = "_csrf";

/// The authenticated caller of a request, and its session when it came with a cookie.
#[derive(Debug, Clone)]
pub struct Caller(pub Principal, Option<Session>);

/// The value of cookie `name`, if the request has one.
pub fn cookie(parts: &Parts, name: &str) -> Option<String> {
    cookie_in(&parts.headers, name)
}

/// The value of cookie `name` in a request's headers.
pub fn cookie_in(headers: &axum::http::HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(axum::http::header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(n, _)| *n == name)
        .map(|(_, value)| value.trim().to_string())
}

/// The bearer token of a request, if it has an `Authorization` header.
fn bearer(parts: &Parts) -> Result<Option<String>, ApiError> {
    let Some(header) = parts.headers.get(axum::http::header::AUTHORIZATION) else { return Ok(None) };
    let value = header.to_str().map_err(|_| ApiError::InvalidToken)?;
    let token = value.strip_prefix("Bearer ").ok_or(ApiError::MissingToken)?.trim();
    Ok(Some(token.to_string()))
}

impl FromRequestParts<AppState> for Caller {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        if let Some(token) = bearer(parts)? {
            if token.is_empty() || token.len() > 256 {
                return Err(ApiError::InvalidToken);
            }
            let principal = state.principal(&token).await?.ok_or(ApiError::InvalidToken)?;
            return Ok(Caller(principal, None));
        }
        let id = cookie(parts, SESSION_COOKIE).ok_or(ApiError::MissingToken)?;
        let (principal, session) = identity::session(state, &id).await?.ok_or(ApiError::InvalidToken)?;
        let caller = Caller(principal, Some(session));
        // Pages check the token of their form; an API call on a session sends it in a header.
        if !parts.method.is_safe() && parts.uri.path().starts_with("/api/") {
            let given = parts.headers.get(CSRF_HEADER).and_then(|v| v.to_str().ok());
            caller.check_csrf(given)?;
        }
        Ok(caller)
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
        Ok(crate::app::require(&self.0, roles, action)?)
    }

    /// The session, for callers signed in through the sign-in page.
    pub fn session(&self) -> Option<&Session> {
        self.1.as_ref()
    }

    /// The CSRF token the caller's forms must carry (none for token callers).
    pub fn csrf(&self) -> Option<&str> {
        self.1.as_ref().map(|s| s.csrf.as_str())
    }

    /// Checks the CSRF token a state-changing request carries. Token callers pass: a browser
    /// never adds their `Authorization` header on its own.
    pub fn check_csrf(&self, given: Option<&str>) -> Result<(), ApiError> {
        match (&self.1, given) {
            (None, _) => Ok(()),
            (Some(s), Some(given)) if identity::same_secret(given, &s.csrf) => Ok(()),
            (Some(_), _) => Err(ApiError::CsrfMismatch),
        }
    }
}
