//! The single personal account: deposits notified by banks and refunds asked by traders.
//! Amounts are checked against the payment bound; deposits name known traders; a repeated
//! deposit reference or refund key changes nothing.

use chrono::{DateTime, NaiveDate, Utc};
use rust_decimal::Decimal;

use smartcustoms_core::access::{Principal, Role};
use smartcustoms_core::ids::TraderId;
use smartcustoms_core::ledger::Amount;
use smartcustoms_core::timestamp::Timestamp;
use smartcustoms_storage::{AccountView, Deposit, DepositOutcome, Refund, RefundOutcome, Statement, StoreError};

use super::Forbidden;
use crate::state::AppState;

/// Why money did not move.
#[derive(Debug, thiserror::Error)]
pub enum MoneyError {
    /// The amount is not a positive figure in cents within the payment bound.
    #[error("{0}")]
    BadAmount(smartcustoms_core::ledger::AmountError),
    /// A text field is empty, too long or holds control characters.
    #[error("{field} must be 1 to {max} visible characters")]
    BadText {
        /// The field.
        field: &'static str,
        /// Its longest length.
        max: usize,
    },
    /// The deposit names a trader the platform does not know.
    #[error("{0} is not a trader of the platform")]
    UnknownTrader(String),
    /// The deposit reference was notified before for another trader or amount.
    #[error("{0}")]
    PaymentConflict(String),
    /// The available balance does not cover the refund.
    #[error("the available balance {available} does not cover {needed}")]
    InsufficientFunds {
        /// Available balance.
        available: Amount,
        /// Asked for.
        needed: Amount,
        /// Missing.
        missing: Amount,
    },
    /// The caller's role may not do this.
    #[error(transparent)]
    Forbidden(#[from] super::Forbidden),
    /// The account does not exist or is not the caller's.
    #[error("account {0} not found")]
    NoAccount(String),
    /// A parameter is missing or malformed: its name and why.
    #[error("{0}: {1}")]
    BadParameter(&'static str, String),
    /// The store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// A payment a bank notifies.
#[derive(Debug, Clone)]
pub struct DepositNotice {
    /// The trader credited.
    pub trader: String,
    /// The amount, in the account's currency.
    pub amount: Decimal,
    /// The bank's payment reference, unique per payment.
    pub reference: String,
    /// The bank (written to the ledger and the audit log).
    pub bank: String,
    /// When it was notified.
    pub at: DateTime<Utc>,
}

/// A refund a trader asks for.
#[derive(Debug, Clone)]
pub struct RefundRequest {
    /// The trader.
    pub trader: TraderId,
    /// The amount.
    pub amount: Decimal,
    /// The trader's key for retries (none: every request is a new refund).
    pub key: Option<String>,
    /// Who asks.
    pub actor: String,
    /// When.
    pub at: DateTime<Utc>,
}

/// Longest deposit reference or refund key.
pub const MAX_REFERENCE: usize = 128;

fn amount(value: Decimal) -> Result<Amount, MoneyError> {
    Amount::payment(value).map_err(MoneyError::BadAmount)
}

/// Checks a text field: 1 to `max` bytes, no control characters.
pub fn check_text(field: &'static str, value: &str, max: usize) -> Result<(), MoneyError> {
    if value.trim().is_empty() || value.len() > max || value.chars().any(char::is_control) {
        return Err(MoneyError::BadText { field, max });
    }
    Ok(())
}

/// Credits a deposit to a known trader's account; a reference notified before with the same
/// trader and amount is answered as a duplicate.
pub async fn deposit(state: &AppState, notice: DepositNotice) -> Result<DepositOutcome, MoneyError> {
    let amount = amount(notice.amount)?;
    check_text("reference", &notice.reference, MAX_REFERENCE)?;
    let trader =
        TraderId::new(notice.trader).map_err(|_| MoneyError::BadText { field: "trader", max: TraderId::MAX_LEN })?;
    if !state.store.trader_known(&trader).await? {
        return Err(MoneyError::UnknownTrader(trader.to_string()));
    }
    let deposit = Deposit {
        trader,
        amount,
        reference: notice.reference,
        actor: notice.bank,
        at_us: notice.at.into(),
        date: notice.at.date_naive(),
    };
    state.store.deposit(&deposit).await.map_err(|e| match e {
        StoreError::Conflict(m) => MoneyError::PaymentConflict(m),
        other => other.into(),
    })
}

/// Pays part of a trader's available balance back; refused whole when the balance does not
/// cover it.
pub async fn refund(state: &AppState, request: RefundRequest) -> Result<RefundOutcome, MoneyError> {
    let amount = amount(request.amount)?;
    let reference = match &request.key {
        Some(key) => {
            check_text("Idempotency-Key", key, MAX_REFERENCE)?;
            format!("{}/{key}", request.trader.as_str())
        }
        None => format!("{}/{}", request.trader.as_str(), uuid::Uuid::now_v7()),
    };
    let refund = Refund { trader: request.trader, amount, reference, actor: request.actor, at_us: request.at.into() };
    state.store.refund(&refund).await?.map_err(|overdraft| MoneyError::InsufficientFunds {
        available: overdraft.balance,
        needed: overdraft.needed,
        missing: overdraft.missing(),
    })
}

/// The trader whose account the caller may read: a trader its own, officers and
/// administrators any (`trader` given).
pub fn account_holder(principal: &Principal, trader: Option<String>) -> Result<TraderId, MoneyError> {
    match (principal.role, trader) {
        (Role::Trader, None) => {
            principal.trader.clone().ok_or(Forbidden { role: "trader", action: "hold an account" }.into())
        }
        (Role::Trader, Some(t)) => match &principal.trader {
            Some(own) if own.as_str() == t => Ok(own.clone()),
            _ => Err(MoneyError::NoAccount(t)),
        },
        (Role::Officer | Role::Supervisor | Role::Admin, Some(t)) => {
            TraderId::new(t).map_err(|e| MoneyError::BadParameter("trader", e.to_string()))
        }
        (Role::Officer | Role::Supervisor | Role::Admin, None) => {
            Err(MoneyError::BadParameter("trader", "name the trader whose account to read".into()))
        }
        (role, _) => Err(Forbidden { role: role.as_str(), action: "read accounts" }.into()),
    }
}

/// An account the caller may read (`trader` as for [`account_holder`]): balances, open
/// reservations and declarations awaiting payment with what is missing for each.
pub async fn account(state: &AppState, caller: &Principal, trader: Option<String>) -> Result<AccountView, MoneyError> {
    let trader = account_holder(caller, trader)?;
    Ok(state.store.account(&trader).await?)
}

/// Longest period of a statement, in days.
pub const MAX_STATEMENT_DAYS: i64 = 366;

/// A statement of an account the caller may read for the days `from` to `to` (UTC, both
/// included; by default the 30 days up to today).
pub async fn statement(
    state: &AppState,
    caller: &Principal,
    trader: Option<String>,
    from: Option<NaiveDate>,
    to: Option<NaiveDate>,
) -> Result<Statement, MoneyError> {
    let trader = account_holder(caller, trader)?;
    let to = to.unwrap_or_else(|| Utc::now().date_naive());
    let from = from.unwrap_or(to - chrono::Days::new(30));
    if from > to || (to - from).num_days() > MAX_STATEMENT_DAYS {
        return Err(MoneyError::BadParameter(
            "from/to",
            format!("the period runs forwards and is at most {MAX_STATEMENT_DAYS} days"),
        ));
    }
    let end = Timestamp::start_of(to + chrono::Days::new(1));
    Ok(state.store.statement(&trader, Timestamp::start_of(from), end).await?)
}
