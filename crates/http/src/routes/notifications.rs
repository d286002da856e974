//! Release notifications for holders of temporary-storage facilities.

use axum::extract::State;
use axum::Json;
use serde::Deserialize;
use utoipa::IntoParams;

use smartcustoms_core::access::Role;
use smartcustoms_core::release::Notification;

use crate::auth::Caller;
use crate::error::ApiError;
use crate::extract::ApiQuery;
use crate::state::AppState;

/// Paging of notifications.
#[derive(Debug, Deserialize, IntoParams)]
pub struct NotificationParams {
    /// Only notifications with an id above this (pass the last id seen).
    pub after: Option<i64>,
    /// Officers and administrators: the facility to read for. Warehouses read their own.
    pub recipient: Option<String>,
    /// Page size, 1 to 1000 (default 100).
    pub limit: Option<i64>,
}

/// Fetch release notifications for a temporary-storage facility, oldest first.
#[utoipa::path(get, path = "/api/v1/notifications", tag = "release", params(NotificationParams),
    responses((status = 200, body = Vec<Notification>), (status = 400, body = crate::error::ErrorBody)), security(("token" = [])))]
pub async fn list(
    State(state): State<AppState>,
    caller: Caller,
    ApiQuery(p): ApiQuery<NotificationParams>,
) -> Result<Json<Vec<Notification>>, ApiError> {
    let principal = caller
        .require(&[Role::Warehouse, Role::Officer, Role::Supervisor, Role::Admin], "read release notifications")?;
    let recipient = match principal.role {
        Role::Warehouse => principal.trader.as_ref().map(|t| t.to_string()),
        _ => p.recipient,
    }
    .ok_or(ApiError::BadParameter("recipient", "name the facility".into()))?;
    let limit = p.limit.unwrap_or(100);
    if !(1..=1000).contains(&limit) {
        return Err(ApiError::BadParameter("limit", "must be between 1 and 1000".into()));
    }
    Ok(Json(state.store.notifications(&recipient, p.after.unwrap_or(0), limit).await?))
}
