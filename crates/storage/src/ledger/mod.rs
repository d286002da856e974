//! The single personal account of each trader: deposits, refunds, reservations, statements and the
//! ledger as a whole. Its writing transactions are in [`crate::transactions`]. The SQL is the same
//! on both backends and is expanded into each by [`ledger_queries`].

pub(crate) mod view;

use async_trait::async_trait;
use chrono::NaiveDate;
use serde::Serialize;
use utoipa::ToSchema;

use smartcustoms_core::ids::{DeclarationId, TraderId};
use smartcustoms_core::ledger::{Amount, PostingKind};
use smartcustoms_core::timestamp::Timestamp;
use smartcustoms_core::workflow::State;

use crate::declarations::DeclarationSummary;
use crate::StoreResult;

/// A deposit notified by a bank or payment operator.
#[derive(Debug, Clone)]
pub struct Deposit {
    /// The trader credited.
    pub trader: TraderId,
    /// Positive amount.
    pub amount: Amount,
    /// The payment reference, unique: a repeated notification with it changes nothing.
    pub reference: String,
    /// The bank's principal name.
    pub actor: String,
    /// Time.
    pub at_us: Timestamp,
    /// Today at the offices (numbers of declarations it registers carry this date).
    pub date: NaiveDate,
}

/// A trader's balances.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct AccountBalance {
    /// The trader.
    pub trader: TraderId,
    /// What the trader can spend.
    pub available: Amount,
    /// What is set aside for registered declarations not yet released.
    pub reserved: Amount,
}

/// What a deposit did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct DepositOutcome {
    /// The ledger posting of the deposit.
    pub posting_id: i64,
    /// True when the reference had been notified before: nothing changed.
    pub duplicate: bool,
    /// Balances after the deposit (now, for a duplicate).
    pub balance: AccountBalance,
    /// Declarations that awaited payment and are now registered.
    pub registered: Vec<DeclarationSummary>,
}

/// A refund a trader asks for.
#[derive(Debug, Clone)]
pub struct Refund {
    /// The trader.
    pub trader: TraderId,
    /// Positive amount, at most the available balance.
    pub amount: Amount,
    /// Reference of the payment order to the bank.
    pub reference: String,
    /// Who asked.
    pub actor: String,
    /// Time.
    pub at_us: Timestamp,
}

/// A refund made.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct RefundOutcome {
    /// The ledger posting.
    pub posting_id: i64,
    /// Reference of the payment order.
    pub reference: String,
    /// Balances after it.
    pub balance: AccountBalance,
}

/// A reservation outside registration.
#[derive(Debug, Clone)]
pub struct ReservationRequest {
    /// The trader.
    pub trader: TraderId,
    /// What the money is set aside for.
    pub reference: String,
    /// Positive amount.
    pub amount: Amount,
    /// Time.
    pub at_us: Timestamp,
}

/// A declaration waiting for a deposit.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct AwaitingPayment {
    /// The declaration.
    pub declaration_id: DeclarationId,
    /// Receipt time.
    pub received_at_us: Timestamp,
    /// Its duties.
    pub duties: Amount,
    /// What a deposit must add to the available balance to register it, counting the
    /// declarations before it (they register first, oldest first).
    pub missing: Amount,
}

/// Duties reserved for a registered declaration not yet released.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct OpenReservation {
    /// The declaration (or the reference of a reservation outside registration).
    pub reference: String,
    /// Amount still reserved.
    pub amount: Amount,
}

/// A trader's account as the trader sees it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct AccountView {
    /// Balances.
    #[serde(flatten)]
    pub balance: AccountBalance,
    /// Open reservations.
    pub reservations: Vec<OpenReservation>,
    /// Declarations awaiting payment, oldest first.
    pub awaiting_payment: Vec<AwaitingPayment>,
}

/// One line of a statement.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct StatementEntry {
    /// Ledger posting.
    pub posting_id: i64,
    /// Time.
    pub at_us: Timestamp,
    /// What it is.
    pub kind: PostingKind,
    /// The declaration concerned.
    pub declaration_id: Option<String>,
    /// The payment reference.
    pub reference: Option<String>,
    /// Change of the available balance (negative when it decreases), as a decimal string.
    pub available_change: String,
    /// Change of the reserved balance.
    pub reserved_change: String,
    /// Available balance after the posting.
    pub available_after: Amount,
    /// Reserved balance after the posting.
    pub reserved_after: Amount,
}

/// A trader's statement for a period.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct Statement {
    /// The trader.
    pub trader: TraderId,
    /// Start of the period (inclusive).
    pub from_us: Timestamp,
    /// End of the period (exclusive).
    pub to_us: Timestamp,
    /// Balances at the start.
    pub opening: AccountBalance,
    /// Postings in the period, in order.
    pub entries: Vec<StatementEntry>,
    /// Balances at the end.
    pub closing: AccountBalance,
}

/// A stored ledger line with its posting, for replay.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct StoredLine {
    /// Posting id.
    pub posting_id: i64,
    /// Posting kind.
    pub kind: String,
    /// Account debited.
    pub debit: String,
    /// Account credited.
    pub credit: String,
    /// Cents.
    pub amount_cents: i64,
}

/// Per declaration: the state, the duties and what the ledger holds for it.
#[derive(Debug, Clone)]
pub struct DeclarationMoney {
    /// The declaration.
    pub id: String,
    /// Its state.
    pub state: State,
    /// Its duties in cents (none for refused filings).
    pub duties_cents: Option<i64>,
    /// Reserved, debited and released cents.
    pub reserved: i64,
    /// Debited cents.
    pub debited: i64,
    /// Released cents.
    pub released: i64,
}

/// The ledger area of the storage interface.
#[async_trait]
pub trait LedgerQueries {
    /// True when the trader is known to the platform: some token of role trader names it.
    async fn trader_known(&self, trader: &TraderId) -> StoreResult<bool>;

    /// Revenue collected (credited to the state's revenue accounts, less what was taken back
    /// from them) by the postings in `[from, to)`, cents.
    async fn revenue_between(&self, from: Timestamp, to: Timestamp) -> StoreResult<i64>;

    /// A trader's balances, open reservations and declarations awaiting payment.
    async fn account(&self, trader: &TraderId) -> StoreResult<AccountView>;

    /// A trader's statement for `[from_us, to_us)`.
    async fn statement(&self, trader: &TraderId, from_us: Timestamp, to_us: Timestamp) -> StoreResult<Statement>;

    /// Ledger lines of postings with `id > after_posting`, in order, at most `limit` postings.
    async fn ledger_lines(&self, after_posting: i64, limit: i64) -> StoreResult<Vec<StoredLine>>;

    /// Every stored balance.
    async fn ledger_balances(&self) -> StoreResult<Vec<(String, i64)>>;

    /// Per declaration with duties or postings: its state, duties and ledger totals.
    async fn declaration_money(&self) -> StoreResult<Vec<DeclarationMoney>>;
}

/// Implements [`LedgerQueries`] for a backend.
/// Needs in scope: `self.pool`, `self.begin_write()`, `sql(&str) -> Cow<str>`, `Row`,
/// `SERIALISE_PROFILE_CODE`.
macro_rules! ledger_queries {
    ($store:ty) => {
        #[async_trait]
        impl crate::ledger::LedgerQueries for $store {
        async fn revenue_between(&self, from: Timestamp, to: Timestamp) -> StoreResult<i64> {
            Ok(sqlx::query_scalar(&sql(
                "SELECT CAST(COALESCE(SUM(CASE WHEN l.credit LIKE 'revenue/%' THEN l.amount_cents ELSE 0 END), 0) \
                 - COALESCE(SUM(CASE WHEN l.debit LIKE 'revenue/%' THEN l.amount_cents ELSE 0 END), 0) AS BIGINT) \
                 FROM ledger_lines l JOIN ledger_postings p ON p.id = l.posting_id WHERE p.at_us >= $1 AND p.at_us < $2",
            ))
            .bind(from.as_micros())
            .bind(to.as_micros())
            .fetch_one(&self.pool)
            .await?)
        }

        async fn trader_known(&self, trader: &TraderId) -> StoreResult<bool> {
            let found: Option<String> =
                sqlx::query_scalar(&sql(
                    "SELECT trader_id FROM tokens WHERE trader_id = $1 AND role = 'trader' \
                     UNION ALL SELECT trader_id FROM users WHERE trader_id = $1 AND role = 'trader' LIMIT 1",
                ))
                    .bind(trader.as_str())
                    .fetch_optional(&self.pool)
                    .await?;
            Ok(found.is_some())
        }

        async fn account(&self, trader: &TraderId) -> StoreResult<AccountView> {
            let keys = [
                smartcustoms_core::ledger::Account::Available(trader.clone()).key(),
                smartcustoms_core::ledger::Account::Reserved(trader.clone()).key(),
            ];
            let mut balances = Vec::new();
            for key in keys {
                let cents: Option<i64> =
                    sqlx::query_scalar(&sql("SELECT balance_cents FROM ledger_balances WHERE account = $1"))
                        .bind(&key)
                        .fetch_optional(&self.pool)
                        .await?;
                balances.push((key, cents.unwrap_or(0)));
            }
            let reservations: Vec<(String, i64)> = sqlx::query_as(&sql(
                "SELECT p.declaration_id AS reference, \
                 CAST(SUM(CASE WHEN p.kind = 'reservation' THEN l.amount_cents ELSE -l.amount_cents END) AS BIGINT) AS open \
                 FROM ledger_postings p JOIN ledger_lines l ON l.posting_id = p.id \
                 WHERE p.trader = $1 AND p.declaration_id IS NOT NULL \
                 AND p.kind IN ('reservation', 'debit', 'reservation_release') \
                 GROUP BY p.declaration_id HAVING SUM(CASE WHEN p.kind = 'reservation' THEN l.amount_cents ELSE -l.amount_cents END) > 0 \
                 ORDER BY p.declaration_id",
            ))
            .bind(trader.as_str())
            .fetch_all(&self.pool)
            .await?;
            let awaiting: Vec<(String, i64, i64)> = sqlx::query_as(&sql(
                "SELECT id, received_at_us, COALESCE(duties_cents, 0) AS duties FROM declarations \
                 WHERE declarant = $1 AND state = 'awaiting_payment' ORDER BY received_at_us, id",
            ))
            .bind(trader.as_str())
            .fetch_all(&self.pool)
            .await?;
            crate::ledger::view::view(crate::ledger::view::balance(trader, &balances), reservations, awaiting)
        }

        async fn statement(&self, trader: &TraderId, from_us: Timestamp, to_us: Timestamp) -> StoreResult<Statement> {
            let lines: Vec<crate::ledger::view::TraderLine> = sqlx::query_as(&sql(
                "SELECT p.id AS posting_id, p.kind, p.declaration_id, p.reference, p.at_us, l.debit, l.credit, \
                 l.amount_cents FROM ledger_postings p JOIN ledger_lines l ON l.posting_id = p.id \
                 WHERE p.trader = $1 AND p.at_us < $2 ORDER BY p.id",
            ))
            .bind(trader.as_str())
            .bind(to_us.as_micros())
            .fetch_all(&self.pool)
            .await?;
            crate::ledger::view::statement(trader, from_us, to_us, lines)
        }

        async fn ledger_lines(&self, after_posting: i64, limit: i64) -> StoreResult<Vec<StoredLine>> {
            Ok(sqlx::query_as(&sql(
                "SELECT p.id AS posting_id, p.kind, l.debit, l.credit, l.amount_cents FROM ledger_postings p \
                 JOIN ledger_lines l ON l.posting_id = p.id \
                 WHERE p.id > $1 AND p.id <= (SELECT COALESCE(MAX(id), 0) FROM \
                 (SELECT id FROM ledger_postings WHERE id > $1 ORDER BY id LIMIT $2) AS page) ORDER BY p.id",
            ))
            .bind(after_posting)
            .bind(limit)
            .fetch_all(&self.pool)
            .await?)
        }

        async fn ledger_balances(&self) -> StoreResult<Vec<(String, i64)>> {
            Ok(sqlx::query_as("SELECT account, balance_cents FROM ledger_balances ORDER BY account")
                .fetch_all(&self.pool)
                .await?)
        }

        async fn declaration_money(&self) -> StoreResult<Vec<DeclarationMoney>> {
            let rows: Vec<(String, String, Option<i64>, i64, i64, i64)> = sqlx::query_as(
                "SELECT d.id, d.state, d.duties_cents, \
                 CAST(COALESCE(SUM(CASE WHEN p.kind = 'reservation' THEN l.amount_cents END), 0) AS BIGINT) AS reserved, \
                 CAST(COALESCE(SUM(CASE WHEN p.kind = 'debit' THEN l.amount_cents END), 0) AS BIGINT) AS debited, \
                 CAST(COALESCE(SUM(CASE WHEN p.kind = 'reservation_release' THEN l.amount_cents END), 0) AS BIGINT) AS released \
                 FROM declarations d LEFT JOIN ledger_postings p ON p.declaration_id = d.id \
                 LEFT JOIN ledger_lines l ON l.posting_id = p.id \
                 WHERE d.duties_cents IS NOT NULL OR p.id IS NOT NULL \
                 GROUP BY d.id, d.state, d.duties_cents ORDER BY d.id",
            )
            .fetch_all(&self.pool)
            .await?;
            rows.into_iter()
                .map(|(id, state, duties_cents, reserved, debited, released)| {
                    Ok(DeclarationMoney { id, state: parse_state(&state)?, duties_cents, reserved, debited, released })
                })
                .collect()
        }
        }
    };
}

pub(crate) use ledger_queries;
