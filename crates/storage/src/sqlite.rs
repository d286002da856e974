//! The SQLite store: the embedded default. One file, WAL journal, `synchronous = FULL` so that
//! an acknowledged commit survives a crash or power loss. Write transactions start with
//! `BEGIN IMMEDIATE` so concurrent writers queue on the lock instead of failing.

use std::str::FromStr;
use std::time::Duration;

use async_trait::async_trait;
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteRow, SqliteSynchronous};
use sqlx::{Row, SqlitePool};
use tracing::instrument;

use smartcustoms_core::access::Principal;
use smartcustoms_core::audit::AuditEntry;
use smartcustoms_core::ids::{DeclarationId, TraderId};
use smartcustoms_core::ledger::Overdraft;
use smartcustoms_core::release::{ControlDecision, Notification, ReleaseDocument};

use crate::records::*;
use crate::sqlite_writer::{self, Writer};
use crate::{Store, StoreError, StoreResult};

/// The SQLite implementation of [`Store`].
#[derive(Debug, Clone)]
pub struct SqliteStore {
    pool: SqlitePool,
    writer: Writer,
}

const SUMMARY_COLUMNS: &str =
    "id, declarant, state, lane, registration_number, office, received_at_us, registered_at_us, updated_at_us";

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
            .foreign_keys(true);
        // The batch writer opens the same file on a second connection, so the database must
        // be a file: an in-memory database exists once per connection.
        if url.contains(":memory:") || url.contains("mode=memory") {
            return Err(StoreError::UnsupportedUrl(format!("{url} (use a file: sqlite:PATH)")));
        }
        let path = options.get_filename().to_path_buf();
        let pool = SqlitePoolOptions::new().max_connections(8).connect_with(options).await?;
        sqlx::migrate!("./migrations/sqlite").run(&pool).await?;
        let writer = Writer::open(&path)?;
        Ok(SqliteStore { pool, writer })
    }
}

crate::shared_queries::shared_queries!(SqliteStore);
crate::identity::identity_queries!(SqliteStore, "");
crate::jobs::jobs_queries!(SqliteStore);

impl crate::identity::Backend for SqliteStore {
    type Db = sqlx::Sqlite;
}
crate::knowledge::knowledge_queries!(SqliteStore, SqliteRow);

crate::rows::row_mappers!(SqliteRow);

/// The shared SQL with SQLite placeholders (`?1` for `$1`).
fn sql(text: &str) -> std::borrow::Cow<'_, str> {
    std::borrow::Cow::Owned(text.replace('$', "?"))
}

impl SqliteStore {
    /// A write transaction on the pool, taking the write lock at once.
    async fn begin_write(&self) -> StoreResult<sqlx::Transaction<'static, sqlx::Sqlite>> {
        Ok(self.pool.begin_with("BEGIN IMMEDIATE").await?)
    }
}

fn is_unique_violation(e: &sqlx::Error) -> bool {
    matches!(e, sqlx::Error::Database(d) if d.is_unique_violation())
}

#[async_trait]
impl Store for SqliteStore {
    fn backend(&self) -> &'static str {
        "sqlite"
    }

    async fn ping(&self) -> StoreResult<()> {
        sqlx::query("SELECT 1").execute(&self.pool).await?;
        Ok(())
    }

    async fn upsert_office(&self, code: &str, name: &str) -> StoreResult<()> {
        sqlx::query(
            "INSERT INTO offices (code, name) VALUES (?, ?) ON CONFLICT (code) DO UPDATE SET name = excluded.name",
        )
        .bind(code)
        .bind(name)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    async fn offices(&self) -> StoreResult<Vec<Office>> {
        let rows = sqlx::query("SELECT code, name FROM offices ORDER BY code").fetch_all(&self.pool).await?;
        rows.iter().map(|r| Ok(Office { code: r.try_get("code")?, name: r.try_get("name")? })).collect()
    }

    async fn add_key(&self, key: &SigningKeyRecord) -> StoreResult<()> {
        sqlx::query("INSERT INTO signing_keys (kid, trader_id, public_key, created_at_us) VALUES (?, ?, ?, ?)")
            .bind(&key.kid)
            .bind(&key.trader.0)
            .bind(&key.public_key)
            .bind(key.created_at_us)
            .execute(&self.pool)
            .await
            .map_err(|e| {
                if is_unique_violation(&e) {
                    StoreError::Conflict("key already registered".into())
                } else {
                    e.into()
                }
            })?;
        Ok(())
    }

    async fn keys(&self, trader: &TraderId) -> StoreResult<Vec<SigningKeyRecord>> {
        let rows = sqlx::query("SELECT kid, trader_id, public_key, created_at_us FROM signing_keys WHERE trader_id = ? ORDER BY created_at_us")
            .bind(&trader.0)
            .fetch_all(&self.pool)
            .await?;
        rows.iter().map(signing_key).collect()
    }

    async fn add_profile(&self, p: &NewProfile) -> StoreResult<ProfileRecord> {
        let mut tx = self.pool.begin_with("BEGIN IMMEDIATE").await?;
        let version: i64 = sqlx::query_scalar("SELECT COALESCE(MAX(version), 0) + 1 FROM risk_profiles WHERE code = ?")
            .bind(&p.code)
            .fetch_one(&mut *tx)
            .await?;
        sqlx::query("INSERT INTO risk_profiles (code, version, source, author, created_at_us) VALUES (?, ?, ?, ?, ?)")
            .bind(&p.code)
            .bind(version)
            .bind(&p.source)
            .bind(&p.author)
            .bind(p.created_at_us)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(ProfileRecord {
            code: p.code.clone(),
            version,
            source: p.source.clone(),
            author: p.author.clone(),
            created_at_us: p.created_at_us,
        })
    }

    async fn current_profiles(&self) -> StoreResult<Vec<ProfileRecord>> {
        let rows = sqlx::query(
            "SELECT p.code, p.version, p.source, p.author, p.created_at_us FROM risk_profiles p \
             WHERE p.version = (SELECT MAX(version) FROM risk_profiles q WHERE q.code = p.code) ORDER BY p.code",
        )
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(profile).collect()
    }

    async fn profile_versions(&self, code: &str) -> StoreResult<Vec<ProfileRecord>> {
        let rows = sqlx::query(
            "SELECT code, version, source, author, created_at_us FROM risk_profiles WHERE code = ? ORDER BY version",
        )
        .bind(code)
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(profile).collect()
    }

    #[instrument(skip_all, fields(batch = batch.len()))]
    async fn record_batch(&self, batch: &[Filing]) -> StoreResult<Vec<Recorded>> {
        self.writer.record(batch.to_vec()).await
    }

    #[instrument(skip_all, fields(declaration.id = %id))]
    async fn decide_control(
        &self,
        id: DeclarationId,
        decision: &ControlDecision,
        officer: &str,
        at_us: i64,
    ) -> StoreResult<DeclarationSummary> {
        let (decision, officer) = (decision.clone(), officer.to_string());
        self.writer.run(move |tx| sqlite_writer::control(tx, id, &decision, &officer, at_us)).await
    }

    async fn deposit(&self, deposit: &Deposit) -> StoreResult<DepositOutcome> {
        let deposit = deposit.clone();
        self.writer.run(move |tx| sqlite_writer::deposit(tx, &deposit)).await
    }

    async fn refund(&self, refund: &Refund) -> StoreResult<Result<RefundOutcome, Overdraft>> {
        let refund = refund.clone();
        self.writer.run(move |tx| sqlite_writer::refund(tx, &refund)).await
    }

    async fn reserve_batch(&self, requests: &[ReservationRequest]) -> StoreResult<Vec<Result<i64, Overdraft>>> {
        let requests = requests.to_vec();
        self.writer.run(move |tx| sqlite_writer::reserve(tx, &requests)).await
    }

    async fn declaration(&self, id: DeclarationId) -> StoreResult<Option<DeclarationRecord>> {
        let sql = format!(
            "SELECT {SUMMARY_COLUMNS}, document, document_sha256, signature, decision, duties, duties_cents \
             FROM declarations WHERE id = ?"
        );
        let row = sqlx::query(&sql).bind(id.to_string()).fetch_optional(&self.pool).await?;
        row.as_ref().map(declaration_record).transpose()
    }

    async fn list_declarations(&self, q: &ListQuery) -> StoreResult<Vec<DeclarationSummary>> {
        let sql = format!(
            "SELECT {SUMMARY_COLUMNS} FROM declarations WHERE (?1 IS NULL OR declarant = ?1) \
             AND (?2 IS NULL OR state = ?2) AND (?3 IS NULL OR id < ?3) ORDER BY id DESC LIMIT ?4"
        );
        let rows = sqlx::query(&sql)
            .bind(q.declarant.as_ref().map(|t| t.0.as_str()))
            .bind(q.state.map(|s| s.as_str()))
            .bind(q.before.map(|b| b.to_string()))
            .bind(q.limit)
            .fetch_all(&self.pool)
            .await?;
        rows.iter().map(summary).collect()
    }

    async fn declaration_events(&self, id: DeclarationId) -> StoreResult<Vec<AuditEntry>> {
        let rows = sqlx::query("SELECT * FROM audit_log WHERE declaration_id = ? ORDER BY seq")
            .bind(id.to_string())
            .fetch_all(&self.pool)
            .await?;
        rows.iter().map(audit_entry).collect()
    }

    async fn audit_page(&self, after: i64, limit: i64) -> StoreResult<Vec<AuditEntry>> {
        let rows = sqlx::query("SELECT * FROM audit_log WHERE seq > ? ORDER BY seq LIMIT ?")
            .bind(after)
            .bind(limit)
            .fetch_all(&self.pool)
            .await?;
        rows.iter().map(audit_entry).collect()
    }

    async fn counts(&self) -> StoreResult<Vec<StateCount>> {
        let rows = sqlx::query("SELECT state, lane, COUNT(*) AS n FROM declarations GROUP BY state, lane")
            .fetch_all(&self.pool)
            .await?;
        rows.iter().map(state_count).collect()
    }

    async fn release_document(&self, id: DeclarationId) -> StoreResult<Option<ReleaseDocument>> {
        let row = sqlx::query("SELECT * FROM release_documents WHERE declaration_id = ?")
            .bind(id.to_string())
            .fetch_optional(&self.pool)
            .await?;
        row.as_ref().map(release_document).transpose()
    }

    async fn notifications(&self, recipient: &str, after: i64, limit: i64) -> StoreResult<Vec<Notification>> {
        let rows = sqlx::query("SELECT * FROM notifications WHERE recipient = ? AND id > ? ORDER BY id LIMIT ?")
            .bind(recipient)
            .bind(after)
            .bind(limit)
            .fetch_all(&self.pool)
            .await?;
        rows.iter().map(notification).collect()
    }

    async fn undelivered_notifications(&self, limit: i64) -> StoreResult<Vec<Notification>> {
        let rows = sqlx::query("SELECT * FROM notifications WHERE delivered_at_us IS NULL ORDER BY id LIMIT ?")
            .bind(limit)
            .fetch_all(&self.pool)
            .await?;
        rows.iter().map(notification).collect()
    }

    async fn mark_delivered(&self, id: i64, at_us: i64) -> StoreResult<()> {
        sqlx::query("UPDATE notifications SET delivered_at_us = ? WHERE id = ?")
            .bind(at_us)
            .bind(id)
            .execute(&self.pool)
            .await?;
        Ok(())
    }
}
