//! The one error type of the HTTP API. Every error has a stable code; the body is
//! `{"error":{"code","message","details"}}`. Internal causes are logged, never sent.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::Serialize;
use utoipa::ToSchema;

use smartcustoms_storage::{CommitError, StoreError};

/// An API error.
#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    /// No `Authorization: Bearer` header.
    #[error("this endpoint needs an API token: send `Authorization: Bearer <token>`")]
    MissingToken,
    /// The token is unknown.
    #[error("the API token is not valid")]
    InvalidToken,
    /// The caller's role may not use this endpoint.
    #[error("your role ({0}) may not {1}")]
    Forbidden(&'static str, &'static str),
    /// A trader asked for another trader's data.
    #[error("declaration {0} does not exist or is not yours")]
    NotYours(String),
    /// The body is not JSON.
    #[error("the request body is not valid JSON: {0}")]
    MalformedJson(String),
    /// The JSON has the wrong shape or types.
    #[error("the request body does not match the schema at {path}: {message}")]
    Schema {
        /// JSON path.
        path: String,
        /// What is wrong.
        message: String,
    },
    /// The body is larger than allowed.
    #[error("the request body exceeds the limit of {0} bytes")]
    TooLarge(usize),
    /// The declarant on the declaration is not the authenticated trader.
    #[error("you are authenticated as {token} but the declaration names declarant {declared}")]
    DeclarantMismatch {
        /// Trader of the token.
        token: String,
        /// Declarant on the document.
        declared: String,
    },
    /// Nothing at this id.
    #[error("{0} not found")]
    NotFound(String),
    /// A query parameter or path segment is wrong.
    #[error("invalid parameter {0}: {1}")]
    BadParameter(&'static str, String),
    /// A public key could not be read.
    #[error("the public key is not a base64url Ed25519 key of 32 bytes")]
    BadPublicKey,
    /// The resource exists already.
    #[error("{0}")]
    Conflict(String),
    /// A risk profile does not parse.
    #[error("the risk profile does not parse: {0}")]
    ProfileSyntax(String),
    /// The header is not valid.
    #[error("invalid header {0}: {1}")]
    BadHeader(&'static str, &'static str),
    /// A payment reference was notified before with another trader or amount.
    #[error("{0}")]
    PaymentConflict(String),
    /// An amount of money that is not a positive figure in cents.
    #[error("invalid amount: {0}")]
    BadAmount(String),
    /// The available balance does not cover what was asked.
    #[error("the available balance {available} does not cover {needed}; {missing} is missing")]
    InsufficientFunds {
        /// Available balance.
        available: String,
        /// Amount asked for.
        needed: String,
        /// Difference.
        missing: String,
    },
    /// A tariff file or change is not valid; every problem is listed.
    #[error("the tariff change is not valid: {}", .0.join("; "))]
    TariffInvalid(Vec<String>),
    /// A model cannot be trained now (too few outcomes, a single class).
    #[error("the risk model cannot be trained: {0}")]
    ModelTraining(String),
    /// A survey answer is not valid; every finding is listed.
    #[error("the survey answer is not valid: {} problem(s), see details.findings", .0.len())]
    SurveyInvalid(Vec<smartcustoms_core::knowledge::SurveyFinding>),
    /// A maturity assessment cannot be scored; every problem is listed.
    #[error("the maturity assessment is not valid: {}", .0.join("; "))]
    AssessmentInvalid(Vec<String>),
    /// A search query is empty or too long.
    #[error("invalid search query: {0}")]
    SearchQuery(String),
    /// The store is not available or failed.
    #[error("the service could not complete the request; it was not recorded, retry later")]
    Unavailable,
}

impl ApiError {
    /// The stable code. Never reuse a code; `docs/errors.md` lists them all.
    pub fn code(&self) -> &'static str {
        match self {
            ApiError::MissingToken => "AUTH_001",
            ApiError::InvalidToken => "AUTH_002",
            ApiError::Forbidden(..) => "AUTH_003",
            ApiError::NotYours(_) => "AUTH_004",
            ApiError::DeclarantMismatch { .. } => "AUTH_005",
            ApiError::MalformedJson(_) => "REQ_001",
            ApiError::Schema { .. } => "REQ_002",
            ApiError::TooLarge(_) => "REQ_003",
            ApiError::BadParameter(..) => "REQ_004",
            ApiError::BadHeader(..) => "REQ_005",
            ApiError::BadPublicKey => "KEY_001",
            ApiError::Conflict(_) => "RES_002",
            ApiError::NotFound(_) => "RES_001",
            ApiError::ProfileSyntax(_) => "RISK_001",
            ApiError::PaymentConflict(_) => "PAY_001",
            ApiError::BadAmount(_) => "PAY_002",
            ApiError::InsufficientFunds { .. } => "PAY_003",
            ApiError::TariffInvalid(_) => "TARIFF_001",
            ApiError::ModelTraining(_) => "RISK_002",
            ApiError::SurveyInvalid(_) => "KB_001",
            ApiError::AssessmentInvalid(_) => "KB_002",
            ApiError::SearchQuery(_) => "KB_003",
            ApiError::Unavailable => "SYS_001",
        }
    }

    /// The HTTP status.
    pub fn status(&self) -> StatusCode {
        match self {
            ApiError::MissingToken | ApiError::InvalidToken => StatusCode::UNAUTHORIZED,
            ApiError::Forbidden(..) | ApiError::DeclarantMismatch { .. } => StatusCode::FORBIDDEN,
            // A trader must not learn whether someone else's declaration exists.
            ApiError::NotYours(_) | ApiError::NotFound(_) => StatusCode::NOT_FOUND,
            ApiError::MalformedJson(_)
            | ApiError::BadParameter(..)
            | ApiError::BadHeader(..)
            | ApiError::SearchQuery(_) => StatusCode::BAD_REQUEST,
            ApiError::Schema { .. }
            | ApiError::BadPublicKey
            | ApiError::ProfileSyntax(_)
            | ApiError::BadAmount(_)
            | ApiError::TariffInvalid(_)
            | ApiError::SurveyInvalid(_)
            | ApiError::AssessmentInvalid(_) => StatusCode::UNPROCESSABLE_ENTITY,
            ApiError::PaymentConflict(_) | ApiError::InsufficientFunds { .. } | ApiError::ModelTraining(_) => {
                StatusCode::CONFLICT
            }
            ApiError::TooLarge(_) => StatusCode::PAYLOAD_TOO_LARGE,
            ApiError::Conflict(_) => StatusCode::CONFLICT,
            ApiError::Unavailable => StatusCode::SERVICE_UNAVAILABLE,
        }
    }

    fn details(&self) -> serde_json::Value {
        match self {
            ApiError::Schema { path, .. } => serde_json::json!({ "path": path }),
            ApiError::InsufficientFunds { available, needed, missing } => {
                serde_json::json!({ "available": available, "needed": needed, "missing": missing })
            }
            ApiError::TariffInvalid(problems) | ApiError::AssessmentInvalid(problems) => {
                serde_json::json!({ "problems": problems })
            }
            ApiError::SurveyInvalid(findings) => serde_json::json!({ "findings": findings }),
            _ => serde_json::Value::Null,
        }
    }
}

/// The error body.
#[derive(Debug, Serialize, ToSchema)]
pub struct ErrorBody {
    /// The error.
    pub error: ErrorDetail,
}

/// Code, message and details of an error.
#[derive(Debug, Serialize, ToSchema)]
pub struct ErrorDetail {
    /// Stable code, e.g. `AUTH_002`.
    pub code: &'static str,
    /// Plain-language message.
    pub message: String,
    /// Extra data (e.g. the JSON path of a schema error).
    pub details: serde_json::Value,
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let body =
            ErrorBody { error: ErrorDetail { code: self.code(), message: self.to_string(), details: self.details() } };
        (self.status(), Json(body)).into_response()
    }
}

impl From<StoreError> for ApiError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::NotFound => ApiError::NotFound("the resource".into()),
            StoreError::Conflict(m) => ApiError::Conflict(m),
            other => {
                tracing::error!(error = %other, "store failure");
                ApiError::Unavailable
            }
        }
    }
}

impl From<CommitError> for ApiError {
    fn from(e: CommitError) -> Self {
        tracing::error!(error = %e, "recording a filing failed");
        ApiError::Unavailable
    }
}

/// Every code with its HTTP status, for `docs/errors.md` and its test.
pub fn catalogue() -> Vec<(&'static str, u16, String)> {
    let samples = [
        ApiError::MissingToken,
        ApiError::InvalidToken,
        ApiError::Forbidden("trader", "do this"),
        ApiError::NotYours("…".into()),
        ApiError::DeclarantMismatch { token: "…".into(), declared: "…".into() },
        ApiError::MalformedJson("…".into()),
        ApiError::Schema { path: "…".into(), message: "…".into() },
        ApiError::TooLarge(0),
        ApiError::BadParameter("…", "…".into()),
        ApiError::BadHeader("…", "…"),
        ApiError::BadPublicKey,
        ApiError::NotFound("…".into()),
        ApiError::Conflict("…".into()),
        ApiError::ProfileSyntax("…".into()),
        ApiError::PaymentConflict("…".into()),
        ApiError::BadAmount("…".into()),
        ApiError::InsufficientFunds { available: "…".into(), needed: "…".into(), missing: "…".into() },
        ApiError::TariffInvalid(vec!["…".into()]),
        ApiError::SurveyInvalid(vec![]),
        ApiError::AssessmentInvalid(vec!["…".into()]),
        ApiError::SearchQuery("…".into()),
        ApiError::Unavailable,
    ];
    samples.iter().map(|e| (e.code(), e.status().as_u16(), e.to_string())).collect()
}
