//! Storage of smartcustoms: one [`Store`] interface with a SQLite implementation (the embedded
//! default) and a PostgreSQL implementation (production), plus [`GroupCommit`], which batches
//! concurrent filings into one durable transaction.
//!
//! Rows are mapped to domain types here; the core never sees SQL. Every `Store` method is one
//! transaction, and every state change writes its audit entries in that same transaction.

mod account;
mod batch;
mod group_commit;
mod identity;
mod jobs;
mod knowledge;
mod money;
mod postgres;
mod records;
mod rows;
mod shared_queries;
mod sqlite;
mod sqlite_writer;
mod transactions;
mod writeset;

use async_trait::async_trait;

pub use group_commit::{CommitError, GroupCommit, GroupCommitConfig};
pub use identity::{IdentityStore, NewSession, NewToken, NewUser, SessionRecord, TokenRecord, UserRecord};
pub use jobs::{Claim, JobRun, JobStore};
pub use knowledge::{AssessmentRecord, AttachmentMeta, KnowledgeQueries, NewAttachment, NewSurveyAnswer, SurveyRecord};
pub use postgres::PostgresStore;
pub use records::*;
pub use sqlite::SqliteStore;

use smartcustoms_core::audit::AuditEntry;
use smartcustoms_core::ids::{DeclarationId, TraderId};
use smartcustoms_core::ledger::Overdraft;
use smartcustoms_core::release::{ControlDecision, Notification, ReleaseDocument};

/// Errors of the storage layer.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The thing asked for does not exist.
    #[error("not found")]
    NotFound,
    /// A uniqueness rule was violated (the message says which).
    #[error("conflict: {0}")]
    Conflict(String),
    /// The database URL is not one we know.
    #[error("unsupported database URL {0:?}: use sqlite:PATH or postgres://…")]
    UnsupportedUrl(String),
    /// Any other database failure.
    #[error("database error: {0}")]
    Database(#[from] sqlx::Error),
    /// Migrations failed.
    #[error("migration error: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    /// Stored data that cannot be read back (a tampered database, or data written by a
    /// version that wrote it wrong).
    #[error("corrupt stored data: {0}")]
    Corrupt(String),
    /// A failure inside this process, not of the data: a lock poisoned by a panic, a worker
    /// thread that could not start or did not return, a planned transaction that breaks its
    /// own invariants (an illegal state transition, a posting refused after its funding check).
    #[error("internal error: {0}")]
    Internal(String),
    /// The SQLite writing connection (rusqlite) failed.
    #[error("database error: {0}")]
    Sqlite(#[from] rusqlite::Error),
}

/// Result of a store operation.
pub type StoreResult<T> = Result<T, StoreError>;

/// The storage interface. One method is one transaction.
#[async_trait]
pub trait Store: Queries + KnowledgeQueries + IdentityStore + JobStore + Send + Sync + 'static {
    /// Which backend this is (`sqlite` or `postgres`).
    fn backend(&self) -> &'static str;

    /// Records a batch of decided filings in one transaction: idempotency check, registration
    /// numbers, declaration rows, the audit trail, release documents and notifications.
    /// Returns one outcome per filing, in order.
    async fn record_batch(&self, batch: &[Filing]) -> StoreResult<Vec<Recorded>>;

    /// Records an officer's decision on a declaration under control: new state, audit entry
    /// and, on release, the release document and the warehouse notification. `Conflict` when
    /// the declaration is not under control, `NotFound` when it does not exist.
    async fn decide_control(
        &self,
        id: DeclarationId,
        decision: &ControlDecision,
        officer: &str,
        at_us: i64,
    ) -> StoreResult<DeclarationSummary>;

    /// Credits a deposit and registers, oldest first, the trader's declarations awaiting
    /// payment that the new balance covers, in one transaction. A reference notified before
    /// with the same trader and amount changes nothing (`duplicate`); with another trader or
    /// amount it is a `Conflict`.
    async fn deposit(&self, deposit: &Deposit) -> StoreResult<DepositOutcome>;

    /// Pays money back to a trader; `Err(Overdraft)` when the available balance is short.
    /// `Conflict` when the reference was used before.
    async fn refund(&self, refund: &Refund) -> StoreResult<Result<RefundOutcome, Overdraft>>;

    /// Reserves money outside registration, each request in order against what the ones
    /// before it left, in one transaction.
    async fn reserve_batch(&self, requests: &[ReservationRequest]) -> StoreResult<Vec<Result<i64, Overdraft>>>;
}

/// The part of the storage interface whose SQL is the same on both backends: the account
/// views, the ledger replay, the tariff and the price observations.
#[async_trait]
pub trait Queries {
    /// Stores a new version of a risk profile (the next version number of its code) and returns it.
    async fn add_profile(&self, profile: &NewProfile) -> StoreResult<ProfileRecord>;

    /// Checks that the database answers.
    async fn ping(&self) -> StoreResult<()>;

    /// Creates or renames a customs office.
    async fn upsert_office(&self, code: &str, name: &str) -> StoreResult<()>;

    /// Codes of all offices.
    async fn offices(&self) -> StoreResult<Vec<Office>>;

    /// Registers a trader's public signing key. `Conflict` if the key id is already registered.
    async fn add_key(&self, key: &SigningKeyRecord) -> StoreResult<()>;

    /// Every key registered to a trader.
    async fn keys(&self, trader: &TraderId) -> StoreResult<Vec<SigningKeyRecord>>;

    /// The latest version of every risk profile.
    async fn current_profiles(&self) -> StoreResult<Vec<ProfileRecord>>;

    /// Every version of one profile, oldest first.
    async fn profile_versions(&self, code: &str) -> StoreResult<Vec<ProfileRecord>>;

    /// One declaration.
    async fn declaration(&self, id: DeclarationId) -> StoreResult<Option<DeclarationRecord>>;

    /// Declarations, newest first, optionally only one declarant's, before a cursor id.
    async fn list_declarations(&self, query: &ListQuery) -> StoreResult<Vec<DeclarationSummary>>;

    /// The audit entries of one declaration, in order.
    async fn declaration_events(&self, id: DeclarationId) -> StoreResult<Vec<AuditEntry>>;

    /// Audit entries with `seq > after`, at most `limit`, in order.
    async fn audit_page(&self, after: i64, limit: i64) -> StoreResult<Vec<AuditEntry>>;

    /// Number of declarations per state and lane.
    async fn counts(&self) -> StoreResult<Vec<StateCount>>;

    /// The release document of a declaration.
    async fn release_document(&self, id: DeclarationId) -> StoreResult<Option<ReleaseDocument>>;

    /// Notifications for a recipient with `id > after`, oldest first.
    async fn notifications(&self, recipient: &str, after: i64, limit: i64) -> StoreResult<Vec<Notification>>;

    /// Notifications not yet pushed to a webhook, oldest first.
    async fn undelivered_notifications(&self, limit: i64) -> StoreResult<Vec<Notification>>;

    /// Marks a notification as delivered to its webhook.
    async fn mark_delivered(&self, id: i64, at_us: i64) -> StoreResult<()>;

    /// True when the trader is known to the platform: some token of role trader names it.
    async fn trader_known(&self, trader: &TraderId) -> StoreResult<bool>;

    /// A trader's balances, open reservations and declarations awaiting payment.
    async fn account(&self, trader: &TraderId) -> StoreResult<AccountView>;

    /// A trader's statement for `[from_us, to_us)`.
    async fn statement(&self, trader: &TraderId, from_us: i64, to_us: i64) -> StoreResult<Statement>;

    /// Ledger lines of postings with `id > after_posting`, in order, at most `limit` postings.
    async fn ledger_lines(&self, after_posting: i64, limit: i64) -> StoreResult<Vec<StoredLine>>;

    /// Every stored balance.
    async fn ledger_balances(&self) -> StoreResult<Vec<(String, i64)>>;

    /// Per declaration with duties or postings: its state, duties and ledger totals.
    async fn declaration_money(&self) -> StoreResult<Vec<DeclarationMoney>>;

    /// Stores new versions of tariff entries in one transaction and returns them.
    async fn add_tariff_entries(
        &self,
        entries: &[NewTariffEntry],
        author: &str,
        at_us: i64,
    ) -> StoreResult<Vec<TariffEntryRecord>>;

    /// The latest version of every tariff entry (withdrawn ones included, flagged).
    async fn tariff_entries(&self) -> StoreResult<Vec<TariffEntryRecord>>;

    /// Every version of one tariff entry, oldest first.
    async fn tariff_history(&self, kind: TariffKind, key: &str) -> StoreResult<Vec<TariffEntryRecord>>;

    /// Adds price observations; with `cursor = (from, to)`, also moves the price cursor from
    /// `from` to `to` in the same transaction, only if it still stands at `from` (otherwise
    /// `Conflict` and nothing is added: another process added these declarations).
    async fn add_price_observations(&self, rows: &[PriceRow], cursor: Option<(&str, &str)>) -> StoreResult<u64>;

    /// The id of the last released declaration whose items are in the price observations.
    async fn price_cursor(&self) -> StoreResult<String>;

    /// Control outcomes with `id > after`, oldest first, at most `limit`.
    async fn inspection_outcomes(&self, after: i64, limit: i64) -> StoreResult<Vec<InspectionRecord>>;

    /// Every price observation.
    async fn price_observations(&self) -> StoreResult<Vec<PriceRow>>;

    /// Released declarations with an id after `after`, at most `limit`: id, document, duties JSON.
    async fn price_sources(&self, after: &str, limit: i64) -> StoreResult<Vec<(String, Vec<u8>, Option<String>)>>;

    /// Registered declarations filed since `from_us`, the most recent `limit` of them, oldest
    /// first, each with the outcome of its control when there is one.
    async fn risk_cases(&self, from_us: i64, limit: i64) -> StoreResult<Vec<StoredCase>>;

    /// The next free model version.
    async fn next_risk_model_version(&self) -> StoreResult<i64>;

    /// Keeps a model version; a promoted one becomes the only active one, in one transaction.
    /// A version taken meanwhile by another process is a conflict.
    async fn add_risk_model(&self, model: &NewRiskModel) -> StoreResult<()>;

    /// Every kept model version, newest first, without documents.
    async fn risk_models(&self) -> StoreResult<Vec<RiskModelRecord>>;

    /// The active model: version and document.
    async fn active_risk_model(&self) -> StoreResult<Option<(i64, String)>>;

    /// The document of a kept model version.
    async fn risk_model_document(&self, version: i64) -> StoreResult<Option<String>>;

    /// Replaces the operator categories in force: party, category, record (JSON).
    async fn replace_operator_categories(&self, rows: &[(String, String, String)], at_us: i64) -> StoreResult<()>;

    /// The operator categories in force: party, category, record (JSON).
    async fn operator_categories(&self) -> StoreResult<Vec<(String, String, String)>>;

    /// Records an AEO authorisation (a repeat updates the reference).
    async fn add_aeo(&self, party: &str, reference: &str, at_us: i64) -> StoreResult<()>;

    /// Holders of an AEO authorisation.
    async fn aeo_holders(&self) -> StoreResult<Vec<String>>;

    /// Records the outcome of a control made outside the system, for a registered declaration
    /// without an outcome yet.
    async fn import_outcome(&self, outcome: &ImportedOutcome) -> StoreResult<ImportResult>;
}

/// Opens the store a URL names (`sqlite:PATH`, a file, or `postgres://…`) and runs
/// its migrations.
pub async fn open(url: &str) -> StoreResult<std::sync::Arc<dyn Store>> {
    if url.starts_with("sqlite:") {
        Ok(std::sync::Arc::new(SqliteStore::open(url).await?))
    } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
        Ok(std::sync::Arc::new(PostgresStore::open(url).await?))
    } else {
        Err(StoreError::UnsupportedUrl(url.to_string()))
    }
}
