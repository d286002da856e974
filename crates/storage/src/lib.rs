//! Storage of smartcustoms: one [`Store`] interface with a SQLite implementation (the embedded
//! default) and a PostgreSQL implementation (production), plus [`GroupCommit`], which batches
//! concurrent filings into one durable transaction.
//!
//! Rows are mapped to domain types here; the core never sees SQL. Every `Store` method is one
//! transaction, and every state change writes its audit entries in that same transaction.

mod batch;
mod checkpoint;
mod declarations;
mod desk;
mod device_keys;
mod dispatch;
mod exchange;
mod exchange_tx;
mod group_commit;
mod identity;
mod jobs;
mod knowledge;
mod ledger;
mod listing;
mod migrations;
mod money;
mod orgs;
mod parcels;
mod parcels_tx;
mod permits;
mod permits_tx;
mod postgres;
mod pre_arrival;
mod reference;
mod requests;
mod risk;
mod rows;
mod seals;
mod sqlite;
mod sqlite_reader;
mod sqlite_writer;
mod tariff;
mod traceability;
mod transactions;
mod transit;
mod transit_tx;
mod writeset;

use std::sync::Arc;

use async_trait::async_trait;

pub use checkpoint::{
    operations_text, AdmissionCheck, CheckpointEventRecord, CheckpointQueries, CheckpointRecord, DecisionRecord,
    VehicleChange, VehicleRecord,
};
pub use declarations::{
    read_document, DeclarationQueries, DeclarationRecord, DeclarationSummary, Filing, HourlyCount, ListQuery,
    MoneyColumns, OperatorRecord, Original, Queue, Recorded, RiskView, StateCount, StepTimes, StoredDecision, Waiting,
    DOCUMENT_FORMAT,
};
pub use desk::{DeskQueries, Draft, PersonalKey};
pub use device_keys::{DeviceKeyQueries, DeviceKeyRecord};
pub use dispatch::{CentreQueue, DispatchQueries, DispatchRecord, NewDispatch, RulesVersion};
pub use exchange::{
    Citing, ExchangeQueries, InboundRecord, MismatchRecord, NewOutbound, NewPartner, OutboundRecord, OwnKeyRecord,
    PartnerKeyRecord, PartnerRecord, Received,
};
pub use group_commit::{CommitError, GroupCommit, GroupCommitConfig};
pub use identity::{IdentityStore, NewSession, NewToken, NewUser, SessionRecord, TokenRecord, UserRecord};
pub use jobs::{Claim, JobRun, JobStore};
pub use knowledge::{AssessmentRecord, AttachmentMeta, KnowledgeQueries, NewAttachment, NewSurveyAnswer, SurveyRecord};
pub use ledger::{
    AccountBalance, AccountView, AwaitingPayment, DeclarationMoney, Deposit, DepositOutcome, LedgerQueries,
    OpenReservation, Refund, RefundOutcome, ReservationRequest, Statement, StatementEntry, StoredLine,
};
pub use orgs::{AuthorisationRecord, MemberRecord, OrgQueries};
pub use parcels::{BatchRecord, ParcelQueries, ParcelRecord, QualityCounts, VatRegistration};
pub use parcels_tx::{BatchCounts, NewParcel, ParcelDecision, ParcelFiling, ParcelResult, ParcelsFiled, Refusal};
pub use permits::{
    AgencyRecord, DrawRecord, NewRequirement, PermitFilter, PermitQueries, PermitRecord, ReferralDecision,
    ReferralRecord,
};
pub use postgres::PostgresStore;
pub use pre_arrival::{PreArrivalFiled, PreArrivalQueries, PreArrivalRecord, PRE_ARRIVALS_PER_MEANS};
pub use reference::{Office, ReferenceQueries, SigningKeyRecord};
pub use requests::{Answer, Ask, DocumentRequest};
pub use risk::{
    ActiveModel, ImportResult, ImportedOutcome, InspectionRecord, NewProfile, NewRiskModel, OperatorCategory,
    ProfileRecord, RiskModelRecord, RiskQueries, StoredCase,
};
pub use rows::hs_codes;
pub use seals::{AlertChange, IncidentRow, SealBatch, SealQueries, SealReportRow, SealTransit};
pub use sqlite::SqliteStore;
pub use tariff::{NewTariffEntry, PriceRow, PriceSource, TariffEntryRecord, TariffKind, TariffQueries};
pub use traceability::{Release, ScannedRelease, TraceabilityQueries, RESCAN_MARGIN_US};
pub use transit::{
    CertificateRecord, GuaranteeRefusal, NewTransit, TransitEventRecord, TransitFiled, TransitQueries, TransitRecord,
    TransitStep,
};

use smartcustoms_core::ids::{DeclarationId, TraderId};
use smartcustoms_core::ledger::Overdraft;
use smartcustoms_core::release::ControlDecision;
use smartcustoms_core::timestamp::Timestamp;

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

/// An identifier read from the database that does not have its form.
impl From<smartcustoms_core::ids::InvalidId> for StoreError {
    fn from(e: smartcustoms_core::ids::InvalidId) -> Self {
        StoreError::Corrupt(e.to_string())
    }
}

/// Result of a store operation.
pub type StoreResult<T> = Result<T, StoreError>;

/// A database error as a `Conflict` saying `what` when the row breaks a uniqueness constraint
/// (the thing is taken), as it is otherwise.
pub(crate) fn taken(err: sqlx::Error, what: impl FnOnce() -> String) -> StoreError {
    match &err {
        sqlx::Error::Database(d) if d.is_unique_violation() => StoreError::Conflict(what()),
        _ => StoreError::Database(err),
    }
}

/// The storage interface. One method is one transaction.
#[async_trait]
pub trait Store:
    ReferenceQueries
    + DeclarationQueries
    + LedgerQueries
    + TariffQueries
    + RiskQueries
    + KnowledgeQueries
    + IdentityStore
    + JobStore
    + DispatchQueries
    + DeskQueries
    + OrgQueries
    + TransitQueries
    + SealQueries
    + PreArrivalQueries
    + TraceabilityQueries
    + CheckpointQueries
    + DeviceKeyQueries
    + PermitQueries
    + ParcelQueries
    + ExchangeQueries
    + Send
    + Sync
    + 'static
{
    /// Which backend this is (`sqlite` or `postgres`).
    fn backend(&self) -> &'static str;

    /// Brings the query planner's statistics up to date, as after a bulk load (PostgreSQL's
    /// `VACUUM (ANALYZE)`, which also marks the loaded pages all-visible so that index-only
    /// scans need not visit the table; SQLite's `PRAGMA optimize`, which analyses only where it
    /// helps).
    async fn refresh_statistics(&self) -> StoreResult<()>;

    /// Records a batch of decided filings in one transaction: idempotency check, registration
    /// numbers, declaration rows, the audit trail, release documents and notifications.
    /// Returns one outcome per filing, in order.
    async fn record_batch(&self, batch: Arc<[Filing]>) -> StoreResult<Vec<Recorded>>;

    /// Records a batch as [`Store::record_batch`] does, on the calling thread, which waits for
    /// the commit; `None`, with nothing done, when this backend does not write from the
    /// caller's thread (PostgreSQL). For a thread that does nothing else, such as the group
    /// commit's: the batch is written without being handed to another thread and back.
    fn record_batch_here(&self, batch: &Arc<[Filing]>) -> Option<StoreResult<Vec<Recorded>>>;

    /// Records an officer's decision on a declaration under control: new state, audit entry
    /// and, on release, the release document and the warehouse notification. `Conflict` when
    /// the declaration is not under control, `NotFound` when it does not exist.
    async fn decide_control(
        &self,
        id: DeclarationId,
        decision: &ControlDecision,
        officer: &str,
        at_us: Timestamp,
    ) -> StoreResult<DeclarationSummary>;

    /// Records a bulk file of parcels (see [`parcels_tx`]): parcels filed before are answered
    /// as recorded then, the others charged to the operator while its account covers them.
    async fn record_parcels(&self, filing: std::sync::Arc<ParcelFiling>) -> StoreResult<ParcelsFiled>;

    /// An officer releases (the charges are debited) or refuses (the reservation is given back)
    /// a held parcel, with an audit entry; returns its new outcome. `NotFound` when there is no
    /// such parcel, `Conflict` when it is not held.
    async fn decide_parcel(&self, decision: ParcelDecision) -> StoreResult<&'static str>;

    /// Withdraws a declaration of `declarant` not yet registered or awaiting payment, on the
    /// word of `actor` (a user of the declarant): it is refused with reason `WDR_001`.
    /// `NotFound` when it does not exist or is another declarant's, `Conflict` when its state
    /// takes no withdrawal.
    async fn withdraw(
        &self,
        id: DeclarationId,
        declarant: &TraderId,
        actor: &str,
        at_us: Timestamp,
    ) -> StoreResult<DeclarationSummary>;

    /// Records an officer's request for documents on a declaration under control, with its
    /// audit entry; returns the request's id. `Conflict` when the declaration is not under
    /// control, `NotFound` when it does not exist.
    async fn request_documents(&self, ask: &Ask) -> StoreResult<i64>;

    /// Records the declarant's answer to a request, with its files and its audit entry.
    /// `NotFound` when the declaration is not the declarant's or the request not the
    /// declaration's; `Conflict` when the request is answered already or the declaration is no
    /// longer under control.
    async fn answer_request(&self, answer: &Answer) -> StoreResult<()>;

    /// Records a case's dispatch with its reasons and audit entry. A first dispatch never
    /// replaces one (`Conflict` when the case is dispatched already); a reassignment does.
    /// `Conflict` also when the case is no longer under control.
    async fn dispatch(&self, dispatch: NewDispatch) -> StoreResult<()>;

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

/// The storage areas whose SQL is written once, and the writing transactions of
/// [`crate::transactions`], instantiated for one backend: its store type, its name, its sqlx
/// database and how a `SELECT` locks the rows it reads. The store type has a
/// `script(AsyncFnOnce(&mut Tx) -> StoreResult<T>)` that runs a script in one transaction and
/// commits it when the script succeeds (an overdraft included: it writes nothing).
macro_rules! areas {
    ($store:ty, $name:literal, $db:ty, lock_row = $lock:literal) => {
        crate::reference::reference_queries!($store);
        crate::declarations::declaration_queries!($store);
        crate::ledger::ledger_queries!($store);
        crate::tariff::tariff_queries!($store);
        crate::risk::risk_queries!($store);
        crate::identity::identity_queries!($store, $lock);
        crate::jobs::jobs_queries!($store);
        crate::dispatch::dispatch_queries!($store);
        crate::desk::desk_queries!($store);
        crate::orgs::org_queries!($store);
        impl crate::identity::Backend for $store {
            type Db = $db;
        }
        crate::knowledge::knowledge_queries!($store);
        crate::transit::transit_queries!($store, $lock);
        crate::seals::seal_queries!($store);
        crate::pre_arrival::pre_arrival_queries!($store);
        crate::traceability::traceability_queries!($store, $lock);
        crate::checkpoint::checkpoint_queries!($store, $lock);
        crate::device_keys::device_key_queries!($store);
        crate::permits::permit_queries!($store, $lock);
        crate::parcels::parcel_queries!($store);
        crate::exchange::exchange_queries!($store);

        #[async_trait]
        impl crate::Store for $store {
            fn backend(&self) -> &'static str {
                $name
            }

            async fn refresh_statistics(&self) -> StoreResult<()> {
                let statement = if $name == "postgres" { "VACUUM (ANALYZE)" } else { "PRAGMA optimize" };
                sqlx::query(statement).execute(&self.pool).await?;
                Ok(())
            }

            #[tracing::instrument(skip_all, fields(batch = batch.len()))]
            async fn record_batch(&self, batch: std::sync::Arc<[Filing]>) -> StoreResult<Vec<Recorded>> {
                self.script(async move |tx| crate::transactions::record(tx, &batch).await).await
            }

            fn record_batch_here(&self, batch: &std::sync::Arc<[Filing]>) -> Option<StoreResult<Vec<Recorded>>> {
                self.record_here(batch)
            }

            #[tracing::instrument(skip_all, fields(declaration.id = %id))]
            async fn decide_control(
                &self,
                id: DeclarationId,
                decision: &ControlDecision,
                officer: &str,
                at_us: Timestamp,
            ) -> StoreResult<DeclarationSummary> {
                let (decision, officer) = (decision.clone(), officer.to_string());
                self.script(async move |tx| crate::transactions::control(tx, id, &decision, &officer, at_us).await)
                    .await
            }

            async fn decide_parcel(&self, decision: crate::parcels_tx::ParcelDecision) -> StoreResult<&'static str> {
                self.script(async move |tx| crate::transactions::decide_parcel(tx, &decision).await).await
            }

            #[tracing::instrument(skip_all, fields(parcels = filing.parcels.len()))]
            async fn record_parcels(
                &self,
                filing: std::sync::Arc<crate::parcels_tx::ParcelFiling>,
            ) -> StoreResult<crate::parcels_tx::ParcelsFiled> {
                self.script(async move |tx| crate::transactions::parcels(tx, &filing).await).await
            }

            #[tracing::instrument(skip_all, fields(declaration.id = %id))]
            async fn withdraw(
                &self,
                id: DeclarationId,
                declarant: &TraderId,
                actor: &str,
                at_us: Timestamp,
            ) -> StoreResult<DeclarationSummary> {
                let (declarant, actor) = (declarant.clone(), actor.to_string());
                self.script(async move |tx| crate::transactions::withdraw(tx, id, &declarant, &actor, at_us).await)
                    .await
            }

            #[tracing::instrument(skip_all, fields(declaration.id = %ask.declaration))]
            async fn request_documents(&self, ask: &crate::Ask) -> StoreResult<i64> {
                let ask = ask.clone();
                self.script(async move |tx| crate::transactions::ask(tx, &ask).await).await
            }

            #[tracing::instrument(skip_all, fields(declaration.id = %answer.declaration))]
            async fn answer_request(&self, answer: &crate::Answer) -> StoreResult<()> {
                let answer = answer.clone();
                self.script(async move |tx| crate::transactions::answer(tx, answer).await).await
            }

            #[tracing::instrument(skip_all, fields(declaration.id = %dispatch.declaration))]
            async fn dispatch(&self, dispatch: crate::NewDispatch) -> StoreResult<()> {
                self.script(async move |tx| crate::transactions::dispatch(tx, dispatch).await).await
            }

            async fn deposit(&self, deposit: &Deposit) -> StoreResult<DepositOutcome> {
                let deposit = deposit.clone();
                self.script(async move |tx| crate::transactions::deposit(tx, &deposit).await).await
            }

            async fn refund(&self, refund: &Refund) -> StoreResult<Result<RefundOutcome, Overdraft>> {
                let refund = refund.clone();
                self.script(async move |tx| crate::transactions::refund(tx, &refund).await).await
            }

            async fn reserve_batch(&self, requests: &[ReservationRequest]) -> StoreResult<Vec<Result<i64, Overdraft>>> {
                let requests = requests.to_vec();
                self.script(async move |tx| crate::transactions::reserve(tx, &requests).await).await
            }
        }
    };
}
pub(crate) use areas;

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
