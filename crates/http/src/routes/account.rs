//! The single personal account: deposits notified by banks, the trader's balance, open
//! reservations, declarations awaiting payment, statements and refunds.

use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::Json;
use chrono::{NaiveDate, Utc};
use rust_decimal::Decimal;
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};

use smartcustoms_core::access::{Principal, Role};
use smartcustoms_core::ids::TraderId;
use smartcustoms_core::ledger::Amount;
use smartcustoms_storage::{AccountView, Deposit, DepositOutcome, Refund, RefundOutcome, Statement, StoreError};

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

fn amount(value: Decimal) -> Result<Amount, ApiError> {
    Amount::payment(value).map_err(|e| ApiError::BadAmount(e.to_string()))
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
    let amount = amount(notice.amount)?;
    check_text("trader", &notice.trader, 64)?;
    check_text("reference", &notice.reference, 128)?;
    let trader = TraderId(notice.trader);
    if !state.store.trader_known(&trader).await? {
        return Err(ApiError::UnknownTrader(trader.0));
    }
    let now = Utc::now();
    let deposit = Deposit {
        trader,
        amount,
        reference: notice.reference,
        actor: bank.name.clone(),
        at_us: now.timestamp_micros(),
        date: now.date_naive(),
    };
    let outcome = state.store.deposit(&deposit).await.map_err(|e| match e {
        StoreError::Conflict(m) => ApiError::PaymentConflict(m),
        other => other.into(),
    })?;
    let status = if outcome.duplicate { StatusCode::OK } else { StatusCode::CREATED };
    Ok((status, Json(outcome)))
}

fn check_text(name: &'static str, value: &str, max: usize) -> Result<(), ApiError> {
    if value.trim().is_empty() || value.len() > max || value.chars().any(char::is_control) {
        return Err(ApiError::BadParameter(name, format!("must be 1 to {max} visible characters")));
    }
    Ok(())
}

/// The trader whose account the caller may read: a trader its own, officers and
/// administrators any (`trader` given).
fn account_holder(principal: &Principal, trader: Option<String>) -> Result<TraderId, ApiError> {
    match (principal.role, trader) {
        (Role::Trader, None) => principal.trader.clone().ok_or(ApiError::Forbidden("trader", "hold an account")),
        (Role::Trader, Some(t)) if principal.trader.as_ref().is_some_and(|own| own.0 == t) => Ok(TraderId(t)),
        (Role::Trader, Some(t)) => Err(ApiError::NotFound(format!("account {t}"))),
        (Role::Officer | Role::Admin, Some(t)) => Ok(TraderId(t)),
        (Role::Officer | Role::Admin, None) => {
            Err(ApiError::BadParameter("trader", "name the trader whose account to read".into()))
        }
        (role, _) => Err(ApiError::Forbidden(role.as_str(), "read accounts")),
    }
}

/// The caller's account (a trader's own): balances, open reservations and declarations
/// awaiting payment with what is missing for each.
#[utoipa::path(get, path = "/api/v1/account", tag = "account",
    responses((status = 200, body = AccountView), (status = 403, body = crate::error::ErrorBody)),
    security(("token" = [])))]
pub async fn own(State(state): State<AppState>, caller: Caller) -> Result<Json<AccountView>, ApiError> {
    let trader = account_holder(&caller.0, None)?;
    Ok(Json(state.store.account(&trader).await?))
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
    let trader = account_holder(&caller.0, Some(trader))?;
    Ok(Json(state.store.account(&trader).await?))
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
    let trader = account_holder(&caller.0, p.trader)?;
    let to = p.to.unwrap_or_else(|| Utc::now().date_naive());
    let from = p.from.unwrap_or(to - chrono::Days::new(30));
    if from > to || (to - from).num_days() > 366 {
        return Err(ApiError::BadParameter("from/to", "the period runs forwards and is at most 366 days".into()));
    }
    let micros = |d: NaiveDate| d.and_hms_opt(0, 0, 0).map(|t| t.and_utc().timestamp_micros()).unwrap_or(0);
    let end = micros(to + chrono::Days::new(1));
    Ok(Json(state.store.statement(&trader, micros(from), end).await?))
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
    let trader = account_holder(principal, None)?;
    let amount = amount(request.amount)?;
    let reference = match headers.get(IDEMPOTENCY_HEADER) {
        Some(v) => {
            let key = v.to_str().map_err(|_| ApiError::BadHeader("Idempotency-Key", "not visible ASCII"))?;
            check_text("Idempotency-Key", key, 128)?;
            format!("{}/{key}", trader.0)
        }
        None => format!("{}/{}", trader.0, uuid::Uuid::now_v7()),
    };
    let refund =
        Refund { trader, amount, reference, actor: principal.name.clone(), at_us: Utc::now().timestamp_micros() };
    match state.store.refund(&refund).await? {
        Ok(outcome) => Ok((StatusCode::CREATED, Json(outcome))),
        Err(overdraft) => Err(ApiError::InsufficientFunds {
            available: overdraft.balance.to_string(),
            needed: overdraft.needed.to_string(),
            missing: overdraft.missing().to_string(),
        }),
    }
}
