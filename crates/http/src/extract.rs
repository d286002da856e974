//! Extractors of the API. Each wraps the axum one of the same purpose and turns every
//! rejection into an [`ApiError`] with its code and JSON body, so that no error of the API is
//! plain text. Text that no backend can store (the NUL character) is refused here, at the
//! edge, before anything is decided or written.

use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::request::Parts;
use axum::http::{header, StatusCode};
use serde::de::DeserializeOwned;

use crate::app::text::json_has_nul;
use crate::error::ApiError;
use crate::state::AppState;

/// True when URL-encoded text (a path, a query string or a form body) decodes to a NUL.
pub fn url_has_nul(encoded: &[u8]) -> bool {
    encoded.windows(3).any(|w| w == b"%00")
}

/// The refusal of text holding a NUL character, naming where it was found.
pub fn refuse_nul(place: &'static str) -> ApiError {
    ApiError::UnstorableText(place)
}

/// The raw body of a request: too large or unreadable bodies get their coded error.
pub fn body_or_error(body: Result<Bytes, BytesRejection>, limit: usize) -> Result<Bytes, ApiError> {
    body.map_err(|e| {
        if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
            ApiError::TooLarge(limit)
        } else if timed_out(&e) {
            ApiError::BodyTimeout
        } else {
            ApiError::MalformedJson(e.body_text())
        }
    })
}

/// True when reading the body failed because it stopped arriving.
fn timed_out(e: &BytesRejection) -> bool {
    let mut source: Option<&(dyn std::error::Error + 'static)> = std::error::Error::source(e);
    while let Some(s) = source {
        if s.is::<tower_http::timeout::TimeoutError>() {
            return true;
        }
        source = s.source();
    }
    false
}

/// Fails unless the request says its body is JSON (`application/json`, or a `+json` type).
pub fn require_json(headers: &axum::http::HeaderMap) -> Result<(), ApiError> {
    let media = headers.get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or("");
    json_media(media)
}

/// Fails when the request names a media type for its body that is not JSON; a body sent
/// without `Content-Type` is read as JSON. Declarations are filed this way by clients that
/// predate the check, and a browser cannot send a cross-site request without a type.
pub fn refuse_other_media(headers: &axum::http::HeaderMap) -> Result<(), ApiError> {
    match headers.get(header::CONTENT_TYPE) {
        None => Ok(()),
        Some(v) => json_media(v.to_str().unwrap_or("")),
    }
}

/// A media type without its parameters, in lower case (`application/json; charset=utf-8` is
/// `application/json`).
fn essence(media: &str) -> String {
    media.split(';').next().unwrap_or("").trim().to_ascii_lowercase()
}

/// Fails unless the request's `Content-Type` is one of `accepted` (parameters aside); the
/// error names `expected`.
pub fn require_media(
    headers: &axum::http::HeaderMap,
    accepted: &[&str],
    expected: &'static str,
) -> Result<(), ApiError> {
    let media = headers.get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or("");
    match accepted.contains(&essence(media).as_str()) {
        true => Ok(()),
        false => Err(ApiError::UnsupportedMediaType(expected)),
    }
}

fn json_media(media: &str) -> Result<(), ApiError> {
    let essence = essence(media);
    if essence == "application/json" || (essence.starts_with("application/") && essence.ends_with("+json")) {
        Ok(())
    } else {
        Err(ApiError::UnsupportedMediaType("application/json"))
    }
}

/// A JSON body of type `T`: `415` when it is not sent as JSON, `413` when too large, `400`
/// when not JSON or when it holds a NUL, `422` when the JSON does not fit `T` (with the path).
#[derive(Debug)]
pub struct JsonBody<T>(pub T);

impl<T: DeserializeOwned> FromRequest<AppState> for JsonBody<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &AppState) -> Result<Self, Self::Rejection> {
        require_json(req.headers())?;
        let limit = req.extensions().get::<BodyLimit>().map_or(state.config.body_limit, |l| l.0);
        let bytes = body_or_error(Bytes::from_request(req, state).await, limit)?;
        if json_has_nul(&bytes) {
            return Err(refuse_nul("the request body"));
        }
        let de = &mut serde_json::Deserializer::from_slice(&bytes);
        serde_path_to_error::deserialize(de).map(JsonBody).map_err(|e| {
            let path = e.path().to_string();
            let inner = e.into_inner();
            if inner.is_syntax() || inner.is_eof() {
                ApiError::MalformedJson(inner.to_string())
            } else {
                ApiError::Schema { path: format!("$.{path}"), message: inner.to_string() }
            }
        })
    }
}

/// The body limit of a route whose limit is not the API's, set by the router next to axum's
/// own limit so that a `413` names the right figure.
#[derive(Debug, Clone, Copy)]
pub struct BodyLimit(pub usize);

/// Path parameters of type `T`: a segment that does not parse gets `400 REQ_004`.
#[derive(Debug)]
pub struct ApiPath<T>(pub T);

impl<T: DeserializeOwned + Send, S: Send + Sync> FromRequestParts<S> for ApiPath<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        if url_has_nul(parts.uri.path().as_bytes()) {
            return Err(refuse_nul("the path"));
        }
        axum::extract::Path::<T>::from_request_parts(parts, state)
            .await
            .map(|p| ApiPath(p.0))
            .map_err(|e| ApiError::BadParameter("path", e.body_text()))
    }
}

/// Query parameters of type `T`: a parameter that does not parse gets `400 REQ_004`.
#[derive(Debug)]
pub struct ApiQuery<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequestParts<S> for ApiQuery<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        if parts.uri.query().is_some_and(|q| url_has_nul(q.as_bytes())) {
            return Err(refuse_nul("the query"));
        }
        axum::extract::Query::<T>::from_request_parts(parts, state)
            .await
            .map(|q| ApiQuery(q.0))
            .map_err(|e| ApiError::BadParameter("query", e.body_text()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_url_encoded_nul_is_found() {
        assert!(url_has_nul(b"/api/v1/accounts/DE%00X"));
        assert!(!url_has_nul(b"/api/v1/accounts/DE%2000"));
    }

    #[test]
    fn json_media_types_are_told_from_others() {
        let mut h = axum::http::HeaderMap::new();
        assert!(require_json(&h).is_err());
        assert!(refuse_other_media(&h).is_ok());
        h.insert(header::CONTENT_TYPE, axum::http::HeaderValue::from_static("text/plain"));
        assert!(require_json(&h).is_err());
        assert!(refuse_other_media(&h).is_err());
        h.insert(header::CONTENT_TYPE, axum::http::HeaderValue::from_static("application/json; charset=utf-8"));
        assert!(require_json(&h).is_ok());
        h.insert(header::CONTENT_TYPE, axum::http::HeaderValue::from_static("application/problem+json"));
        assert!(require_json(&h).is_ok());
    }
}

/// The address of the peer (the client, or the proxy in front of the server), as text.
#[derive(Debug, Clone)]
pub struct Peer(pub String);

impl<S: Send + Sync> axum::extract::FromRequestParts<S> for Peer {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut axum::http::request::Parts, _: &S) -> Result<Self, Self::Rejection> {
        let address = parts.extensions.get::<axum::extract::ConnectInfo<std::net::SocketAddr>>().map(|c| c.0.ip());
        Ok(Peer(address.map(|a| a.to_string()).unwrap_or_else(|| "unknown".into())))
    }
}
