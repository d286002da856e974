//! The write path of a batch on SQLite, on one synchronous connection with cached prepared
//! statements. A batch is a single call on a blocking thread instead of a dozen asynchronous
//! round trips to the driver's worker, which keeps the serial section of group commit short.
//! Reads and the rarer writes stay on the sqlx pool; both open the same file, and
//! `BEGIN IMMEDIATE` with a busy timeout orders them.

use std::collections::{BTreeMap, HashMap};
use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use rusqlite::{params, Connection, OptionalExtension, TransactionBehavior};

use smartcustoms_core::ids::{DeclarationId, RegistrationNumber, TraderId};

use crate::batch;
use crate::records::{parse_lane, parse_state, DecisionColumns, DeclarationSummary, Filing, Recorded};
use crate::{StoreError, StoreResult};

/// The writing connection.
#[derive(Clone)]
pub(crate) struct Writer {
    conn: Arc<Mutex<Connection>>,
}

impl std::fmt::Debug for Writer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Writer")
    }
}

fn corrupt(e: impl std::fmt::Display) -> StoreError {
    StoreError::Corrupt(e.to_string())
}

fn db(e: rusqlite::Error) -> StoreError {
    match &e {
        rusqlite::Error::SqliteFailure(f, _) if f.extended_code == rusqlite::ffi::SQLITE_CONSTRAINT_UNIQUE => {
            StoreError::Conflict(e.to_string())
        }
        _ => StoreError::Database(sqlx::Error::Protocol(format!("sqlite: {e}"))),
    }
}

const INSERT_DECLARATION: &str = "INSERT INTO {table} (id, declarant, idempotency_key, office, state, lane, \
    registration_number, received_at_us, registered_at_us, updated_at_us, document, document_sha256, signature, decision) \
    VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?8, ?10, ?11, ?12, ?13)";

impl Writer {
    /// Opens the file with the same durability settings as the pool.
    pub(crate) fn open(path: &Path) -> StoreResult<Self> {
        let conn = Connection::open(path).map_err(db)?;
        conn.busy_timeout(Duration::from_secs(30)).map_err(db)?;
        // Checkpoints copy the WAL back into the database file; done in the commit path they
        // stall the batch that triggers them for tens of milliseconds, so the writer leaves
        // them to a background thread.
        conn.execute_batch(
            "PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL; PRAGMA cache_size = -65536; PRAGMA wal_autocheckpoint = 0;",
        )
        .map_err(db)?;
        let conn = Arc::new(Mutex::new(conn));
        start_checkpointer(path, Arc::downgrade(&conn))?;
        Ok(Writer { conn })
    }

    /// Records a batch in one transaction (see `Store::record_batch`).
    pub(crate) async fn record(&self, batch: Vec<Filing>) -> StoreResult<Vec<Recorded>> {
        let conn = self.conn.clone();
        tokio::task::spawn_blocking(move || {
            let mut conn = conn.lock().map_err(corrupt)?;
            record(&mut conn, &batch)
        })
        .await
        .map_err(corrupt)?
    }

    /// Inserts bare rows in one transaction (see `Store::bare_insert_batch`).
    pub(crate) async fn bare(&self, batch: Vec<Filing>) -> StoreResult<()> {
        let conn = self.conn.clone();
        tokio::task::spawn_blocking(move || {
            let mut conn = conn.lock().map_err(corrupt)?;
            let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate).map_err(db)?;
            {
                let mut insert =
                    tx.prepare_cached(&INSERT_DECLARATION.replace("{table}", "bare_declarations")).map_err(db)?;
                for f in &batch {
                    insert_declaration(&mut insert, f, &DecisionColumns::of(&f.decision), None)?;
                }
            }
            tx.commit().map_err(db)
        })
        .await
        .map_err(corrupt)?
    }
}

/// Runs a passive checkpoint (which never blocks the writer) every 200 ms on a connection of
/// its own, until the writer is dropped.
fn start_checkpointer(path: &Path, writer: std::sync::Weak<Mutex<Connection>>) -> StoreResult<()> {
    let conn = Connection::open(path).map_err(db)?;
    conn.busy_timeout(Duration::from_secs(5)).map_err(db)?;
    std::thread::Builder::new()
        .name("sqlite-checkpoint".into())
        .spawn(move || {
            while writer.strong_count() > 0 {
                std::thread::sleep(Duration::from_millis(200));
                if let Err(e) = conn.query_row("PRAGMA wal_checkpoint(PASSIVE)", [], |_| Ok(())) {
                    tracing::warn!(error = %e, "WAL checkpoint failed; will retry");
                }
            }
        })
        .map_err(|e| StoreError::Corrupt(format!("cannot start the checkpoint thread: {e}")))?;
    Ok(())
}

fn insert_declaration(
    stmt: &mut rusqlite::CachedStatement<'_>,
    f: &Filing,
    c: &DecisionColumns,
    number: Option<&RegistrationNumber>,
) -> StoreResult<()> {
    stmt.execute(params![
        f.id.to_string(),
        f.declarant.0,
        f.idempotency_key,
        f.office,
        c.state.as_str(),
        c.lane.map(|l| l.as_str()),
        number.map(|n| n.as_str()),
        f.at_us,
        number.map(|_| f.at_us),
        f.document,
        f.document_sha256,
        f.signature,
        c.decision_json,
    ])
    .map_err(db)?;
    Ok(())
}

/// The summary columns as read by rusqlite, before parsing.
type SummaryColumns = (String, String, String, Option<String>, Option<String>, Option<String>, i64, Option<i64>, i64);

fn stored_summary(row: &rusqlite::Row<'_>) -> rusqlite::Result<SummaryColumns> {
    Ok((
        row.get(0)?,
        row.get(1)?,
        row.get(2)?,
        row.get(3)?,
        row.get(4)?,
        row.get(5)?,
        row.get(6)?,
        row.get(7)?,
        row.get(8)?,
    ))
}

fn record(conn: &mut Connection, batch: &[Filing]) -> StoreResult<Vec<Recorded>> {
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate).map_err(db)?;
    let mut stored = HashMap::new();
    {
        let mut find = tx
            .prepare_cached(
                "SELECT id, declarant, state, lane, registration_number, office, received_at_us, registered_at_us, updated_at_us \
                 FROM declarations WHERE declarant = ?1 AND idempotency_key = ?2",
            )
            .map_err(db)?;
        for f in batch {
            let Some(key) = &f.idempotency_key else { continue };
            if let Some(r) = find.query_row(params![f.declarant.0, key], stored_summary).optional().map_err(db)? {
                let summary = DeclarationSummary {
                    id: DeclarationId(r.0.parse().map_err(corrupt)?),
                    declarant: TraderId(r.1),
                    state: parse_state(&r.2)?,
                    lane: parse_lane(r.3.as_deref())?,
                    registration_number: r.4.map(RegistrationNumber),
                    office: r.5,
                    received_at_us: r.6,
                    registered_at_us: r.7,
                    updated_at_us: r.8,
                };
                stored.insert((f.declarant.0.clone(), key.clone()), summary);
            }
        }
    }
    let slots = batch::slots(batch, &stored);
    let mut last_numbers = BTreeMap::new();
    {
        let mut bump = tx
            .prepare_cached(
                "INSERT INTO registration_sequences (office, day, last) VALUES (?1, ?2, ?3) \
                 ON CONFLICT (office, day) DO UPDATE SET last = last + excluded.last RETURNING last",
            )
            .map_err(db)?;
        for ((office, day), n) in batch::number_demand(batch, &slots) {
            let last: i64 = bump.query_row(params![office, day.to_string(), n], |r| r.get(0)).map_err(db)?;
            last_numbers.insert((office, day), last);
        }
    }
    let head: (i64, String) = tx
        .query_row("SELECT seq, hash FROM audit_head WHERE id = 1", [], |r| Ok((r.get(0)?, r.get(1)?)))
        .map_err(db)?;
    let plan = batch::plan(batch, slots, &last_numbers, head)?;
    {
        let mut insert = tx.prepare_cached(&INSERT_DECLARATION.replace("{table}", "declarations")).map_err(db)?;
        for d in &plan.declarations {
            insert_declaration(&mut insert, d.filing, &d.columns, d.number.as_ref())?;
        }
        let mut audit = tx
            .prepare_cached(
                "INSERT INTO audit_log (seq, at_us, declaration_id, actor, action, details, prev_hash, hash) \
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
            )
            .map_err(db)?;
        for e in &plan.audit {
            audit
                .execute(params![e.seq, e.at_us, e.declaration_id, e.actor, e.action, e.details, e.prev_hash, e.hash])
                .map_err(db)?;
        }
        if let Some((seq, hash)) = plan.head() {
            tx.execute("UPDATE audit_head SET seq = ?1, hash = ?2 WHERE id = 1", params![seq, hash]).map_err(db)?;
        }
        let mut release = tx
            .prepare_cached(
                "INSERT INTO release_documents (number, declaration_id, registration_number, released_at, location_of_goods, automatic) \
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            )
            .map_err(db)?;
        for r in &plan.releases {
            release
                .execute(params![
                    r.number,
                    r.declaration_id,
                    r.registration_number,
                    r.released_at,
                    r.location_of_goods,
                    r.automatic
                ])
                .map_err(db)?;
        }
        let mut notify = tx
            .prepare_cached(
                "INSERT INTO notifications (recipient, kind, payload, created_at_us) VALUES (?1, ?2, ?3, ?4)",
            )
            .map_err(db)?;
        for n in &plan.notifications {
            notify.execute(params![n.recipient, n.kind, n.payload, n.created_at_us]).map_err(db)?;
        }
    }
    let outcomes = plan.outcomes;
    tx.commit().map_err(db)?;
    Ok(outcomes)
}
