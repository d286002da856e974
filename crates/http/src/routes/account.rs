//! The single personal account: deposits notified by banks, the trader's balance, open
//! reservations, declarations awaiting payment, statements and refunds.

use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::Json;
use chrono::{NaiveDate, Utc};
use rust_decimal::Decimal;
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};

use smartcustoms_core::access::Role;
use smartcustoms_storage::{AccountView, DepositOutcome, RefundOutcome, Statement};

use crate::app::money;
use crate::auth::Caller;
use crate::error::ApiError;
use crate::extract::{ApiPath, JsonBody};
use crate::routes::declarations::IDEMPOTENCY_HEADER;
use crate::state::AppState;

/// A deposit notified by a bank or payment operator.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DepositNotice {
    /// The trader credited (its party id, e.g. EORI).
    pub trader: String,
    /// Amount in the national currency, positive, at most two decimals.
    #[schema(value_type = String, example = "1500.00")]
    pub amount: Decimal,
    /// The bank's payment reference, unique: a repeated notice with it changes nothing.
    pub reference: String,
}

/// A refund asked for by a trader.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RefundRequest {
    /// Amount, positive, at most the available balance.
    #[schema(value_type = String, example = "200.00")]
    pub amount: Decimal,
}

/// A bank notifies a deposit to a trader's account. Declarations of the trader awaiting
/// payment that the new balance covers are registered at once, oldest first.
#[utoipa::path(post, path = "/api/v1/payments", tag = "account", request_body = DepositNotice,
    responses(
        (status = 201, description = "Credited", body = DepositOutcome),
        (status = 200, description = "Reference notified before: nothing changed", body = DepositOutcome),
        (status = 403, description = "Not a bank", body = crate::error::ErrorBody),
        (status = 409, description = "Reference used for another trader or amount (PAY_001)", body = crate::error::ErrorBody),
        (status = 422, description = "Bad amount (PAY_002), unknown trader (PAY_004) or body", body = crate::error::ErrorBody),
    ),
    security(("token" = [])))]
pub async fn deposit(
    State(state): State<AppState>,
    caller: Caller,
    JsonBody(notice): JsonBody<DepositNotice>,
) -> Result<(StatusCode, Json<DepositOutcome>), ApiError> {
    let bank = caller.require(&[Role::Bank], "notify payments")?;
    let notice = money::DepositNotice {
        trader: notice.trader,
        amount: notice.amount,
        reference: notice.reference,
        bank: bank.name.clone(),
        at: Utc::now(),
    };
    let outcome = money::deposit(&state, notice).await?;
    let status = if outcome.duplicate { StatusCode::OK } else { StatusCode::CREATED };
    Ok((status, Json(outcome)))
}

/// The caller's account (a trader's own): balances, open reservations and declarations
/// awaiting payment with what is missing for each.
#[utoipa::path(get, path = "/api/v1/account", tag = "account",
    responses((status = 200, body = AccountView), (status = 403, body = crate::error::ErrorBody)),
    security(("token" = [])))]
pub async fn own(State(state): State<AppState>, caller: Caller) -> Result<Json<AccountView>, ApiError> {
    Ok(Json(money::account(&state, &caller.0, None).await?))
}

/// A trader's account, for officers and administrators (a trader may read only its own).
#[utoipa::path(get, path = "/api/v1/accounts/{trader}", tag = "account",
    params(("trader" = String, Path, description = "Trader id")),
    responses((status = 200, body = AccountView), (status = 403, body = crate::error::ErrorBody), (status = 404, body = crate::error::ErrorBody)),
    security(("token" = [])))]
pub async fn of_trader(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(trader): ApiPath<String>,
) -> Result<Json<AccountView>, ApiError> {
    Ok(Json(money::account(&state, &caller.0, Some(trader)).await?))
}

/// Period of a statement.
#[derive(Debug, Deserialize, IntoParams)]
pub struct StatementParams {
    /// First day (UTC, inclusive), default 30 days before `to`.
    pub from: Option<NaiveDate>,
    /// Last day (UTC, inclusive), default today.
    pub to: Option<NaiveDate>,
    /// Officers and administrators: the trader.
    pub trader: Option<String>,
}

/// A statement of the account for a period: opening balance, every posting with its effect
/// on the available and reserved balances, closing balance.
#[utoipa::path(get, path = "/api/v1/account/statement", tag = "account", params(StatementParams),
    responses((status = 200, body = Statement), (status = 400, body = crate::error::ErrorBody)),
    security(("token" = [])))]
pub async fn statement(
    State(state): State<AppState>,
    caller: Caller,
    query: Result<Query<StatementParams>, axum::extract::rejection::QueryRejection>,
) -> Result<Json<Statement>, ApiError> {
    let Query(p) = query.map_err(|e| ApiError::BadParameter("from/to", e.body_text()))?;
    Ok(Json(money::statement(&state, &caller.0, p.trader, p.from, p.to).await?))
}

/// A trader asks for money back from its available balance. `Idempotency-Key` makes a retry
/// safe: the key is the refund's reference.
#[utoipa::path(post, path = "/api/v1/account/refunds", tag = "account", request_body = RefundRequest,
    params(("Idempotency-Key" = Option<String>, Header, description = "Reference of the refund; a retry with it is refused as used (RES_002) instead of paying twice")),
    responses(
        (status = 201, body = RefundOutcome),
        (status = 409, description = "Balance short (PAY_003) or reference used (RES_002)", body = crate::error::ErrorBody),
        (status = 422, body = crate::error::ErrorBody),
    ),
    security(("token" = [])))]
pub async fn refund(
    State(state): State<AppState>,
    caller: Caller,
    headers: HeaderMap,
    JsonBody(request): JsonBody<RefundRequest>,
) -> Result<(StatusCode, Json<RefundOutcome>), ApiError> {
    let principal = caller.require(&[Role::Trader], "ask for refunds")?;
    crate::app::organisation::require(principal, crate::app::organisation::Capacity::Pay, "ask for refunds")?;
    let trader = money::account_holder(principal, None)?;
    let key = headers
        .get(IDEMPOTENCY_HEADER)
        .map(|v| v.to_str().map_err(|_| ApiError::BadHeader("Idempotency-Key", "not visible ASCII")))
        .transpose()?;
    let request = money::RefundRequest {
        trader,
        amount: request.amount,
        key: key.map(str::to_string),
        actor: principal.name.clone(),
        at: Utc::now(),
    };
    Ok((StatusCode::CREATED, Json(money::refund(&state, request).await?)))
}
