//! Liveness, readiness and metrics.

use axum::extract::State;
use axum::http::{header, StatusCode};
use axum::response::IntoResponse;
use axum::Json;
use serde::Serialize;
use utoipa::ToSchema;

use crate::state::AppState;

/// Health report.
#[derive(Debug, Serialize, ToSchema)]
pub struct Health {
    /// `ok` when the process runs.
    pub status: &'static str,
    /// `ok` when the database answers, `unavailable` otherwise.
    pub database: &'static str,
    /// `sqlite` or `postgres`.
    pub backend: &'static str,
    /// Program version.
    pub version: &'static str,
}

/// Liveness and database readiness: 200 when both are fine, 503 when the database does not answer.
#[utoipa::path(get, path = "/health", tag = "system",
    responses((status = 200, body = Health), (status = 503, body = Health)))]
pub async fn health(State(state): State<AppState>) -> (StatusCode, Json<Health>) {
    let db_ok = state.store.ping().await.is_ok();
    let status = if db_ok { StatusCode::OK } else { StatusCode::SERVICE_UNAVAILABLE };
    (
        status,
        Json(Health {
            status: "ok",
            database: if db_ok { "ok" } else { "unavailable" },
            backend: state.store.backend(),
            version: env!("CARGO_PKG_VERSION"),
        }),
    )
}

/// Prometheus metrics in the text exposition format.
#[utoipa::path(get, path = "/metrics", tag = "system", responses((status = 200, content_type = "text/plain", body = String)))]
pub async fn metrics(State(state): State<AppState>) -> impl IntoResponse {
    match state.metrics.render(state.store.as_ref()).await {
        Ok(text) => (StatusCode::OK, [(header::CONTENT_TYPE, "text/plain; version=0.0.4")], text),
        Err(e) => {
            tracing::error!(error = %e, "metrics could not count declarations");
            (StatusCode::SERVICE_UNAVAILABLE, [(header::CONTENT_TYPE, "text/plain; version=0.0.4")], String::new())
        }
    }
}
