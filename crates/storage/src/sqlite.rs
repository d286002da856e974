//! The SQLite store: the embedded default. One file, WAL journal, `synchronous = FULL` so that
//! an acknowledged commit survives a crash or power loss. Write transactions start with
//! `BEGIN IMMEDIATE` so concurrent writers queue on the lock instead of failing.

use std::str::FromStr;
use std::time::Duration;

use async_trait::async_trait;
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::SqlitePool;

use smartcustoms_core::access::Principal;
use smartcustoms_core::audit::AuditEntry;
use smartcustoms_core::ids::{DeclarationId, TraderId};
use smartcustoms_core::ledger::Overdraft;
use smartcustoms_core::release::{ControlDecision, Notification, ReleaseDocument};
use smartcustoms_core::timestamp::Timestamp;

use crate::declarations::*;
use crate::ledger::*;
use crate::migrations::{self, Dialect};
use crate::reference::*;
use crate::risk::*;
use crate::sqlite_writer::Writer;
use crate::tariff::*;
use crate::{StoreError, StoreResult};

/// The SQLite implementation of [`Store`].
#[derive(Debug, Clone)]
pub struct SqliteStore {
    pool: SqlitePool,
    writer: Writer,
    reader: crate::sqlite_reader::Reader,
}

const SUMMARY_COLUMNS: &str =
    "id, declarant, representative, state, lane, registration_number, office, received_at_us, registered_at_us, updated_at_us";

impl SqliteStore {
    /// Opens (creating if needed) the database file and runs the migrations.
    pub async fn open(url: &str) -> StoreResult<Self> {
        let options = SqliteConnectOptions::from_str(url)?
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Full)
            .busy_timeout(Duration::from_secs(30))
            // 64 MiB of page cache per connection keeps the hot index pages in memory.
            .pragma("cache_size", "-65536")
            // Reads map the file instead of copying each page through a system call.
            .pragma("mmap_size", "1073741824")
            // Rows cross from the connection's thread in batches, not one wake-up per 50 rows.
            .row_buffer_size(1024)
            .foreign_keys(true);
        // The batch writer opens the same file on a second connection, so the database must
        // be a file: an in-memory database exists once per connection.
        if url.contains(":memory:") || url.contains("mode=memory") {
            return Err(StoreError::UnsupportedUrl(format!("{url} (use a file: sqlite:PATH)")));
        }
        let path = options.get_filename().to_path_buf();
        let pool = SqlitePoolOptions::new().max_connections(8).connect_with(options).await?;
        migrations::migrator(Dialect::Sqlite).await?.run(&pool).await?;
        let writer = Writer::open(&path)?;
        let reader = crate::sqlite_reader::Reader::open(&path)?;
        Ok(SqliteStore { pool, writer, reader })
    }
}

/// What serialises the versioning of one risk profile code (bound to the code) inside a
/// writing transaction: nothing more on SQLite, whose writing transactions are serial.
const SERIALISE_PROFILE_CODE: Option<&str> = None;

/// What a transaction that trims the seals' log runs first: nothing on SQLite, which looks the
/// placed copies up by the key.
const BEFORE_SEAL_TRIM: &[&str] = &[];

crate::areas!(SqliteStore, "sqlite", sqlx::Sqlite, lock_row = "");

/// The shared SQL with SQLite placeholders (`?1` for `$1`).
fn sql(text: &str) -> std::borrow::Cow<'_, str> {
    std::borrow::Cow::Owned(text.replace('$', "?"))
}

impl SqliteStore {
    /// [`crate::Store::record_batch_here`]: the batch's transaction on the writing connection,
    /// from the calling thread.
    fn record_here(&self, batch: &std::sync::Arc<[crate::Filing]>) -> Option<StoreResult<Vec<crate::Recorded>>> {
        Some(self.writer.script_here(async |tx| crate::transactions::record(tx, batch).await))
    }

    /// [`crate::PreArrivalQueries::pre_arrivals_here`]: on the reading connection.
    fn pre_arrivals_on_this_thread(
        &self,
        means_id: &str,
        from: Timestamp,
        to: Timestamp,
    ) -> Option<StoreResult<Vec<crate::pre_arrival::PreArrivalRecord>>> {
        Some(self.reader.pre_arrivals_of_means(means_id, from, to))
    }

    /// A write transaction on the pool, taking the write lock at once.
    async fn begin_write(&self) -> StoreResult<sqlx::Transaction<'static, sqlx::Sqlite>> {
        Ok(self.pool.begin_with("BEGIN IMMEDIATE").await?)
    }

    /// Runs a transaction script (see [`crate::transactions`]) in one transaction, on the
    /// writing connection's thread.
    async fn script<T: Send + 'static>(
        &self,
        script: impl AsyncFnOnce(&mut crate::sqlite_writer::SqliteTx<'_>) -> StoreResult<T> + Send + 'static,
    ) -> StoreResult<T> {
        self.writer.script(script).await
    }
}
