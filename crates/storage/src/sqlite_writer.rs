//! The writing transactions on SQLite (the scripts of [`crate::transactions`]), on one
//! synchronous connection with cached prepared statements. A batch is a single call on a blocking thread instead of a dozen asynchronous
//! round trips to the driver's worker, which keeps the serial section of group commit short.
//! Reads and the rarer writes stay on the sqlx pool; both open the same file, and
//! `BEGIN IMMEDIATE` with a busy timeout orders them.

use std::collections::{BTreeMap, HashMap};
use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use rusqlite::{params, Connection, OptionalExtension, Transaction, TransactionBehavior};

use smartcustoms_core::ids::RegistrationNumber;
use smartcustoms_core::timestamp::Timestamp;

use crate::batch::SequenceKey;
use crate::declarations::*;
use crate::rows::{Parse, SummaryRow};
use crate::transactions::{self, EarlierPosting, StoredDeclaration, WriteTx};
use crate::writeset::{StepMark, WriteSet};
use crate::{StoreError, StoreResult};

/// The writing connection.
#[derive(Clone)]
pub(crate) struct Writer {
    conn: Arc<Mutex<Connection>>,
    /// Set by the checkpointer when the log has grown past [`WAL_LIMIT_FRAMES`]: the writer
    /// copies back what is left of it between two transactions (see [`start_checkpointer`]).
    catch_up: Arc<AtomicBool>,
}

impl std::fmt::Debug for Writer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Writer")
    }
}

fn internal(e: impl std::fmt::Display) -> StoreError {
    StoreError::Internal(e.to_string())
}

fn db(e: rusqlite::Error) -> StoreError {
    match &e {
        rusqlite::Error::SqliteFailure(f, _) if f.extended_code == rusqlite::ffi::SQLITE_CONSTRAINT_UNIQUE => {
            StoreError::Conflict(e.to_string())
        }
        _ => StoreError::Sqlite(e),
    }
}

const INSERT_DECLARATION: &str = "INSERT INTO {table} (id, declarant, idempotency_key, office, state, lane, \
    registration_number, received_at_us, registered_at_us, updated_at_us, document, document_sha256, signature, decision, \
    duties, duties_cents, pending, checked, representative, hs_codes, \
    transport_mode, lane_at_us, released_at_us, transport_means, kind, traced) \
    VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?8, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20, ?21, ?22, ?23, ?24, \
    ?25)";

const INSERT_ORIGINAL: &str =
    "INSERT INTO declaration_originals (declaration_id, media_type, sha256, bytes) VALUES (?1, ?2, ?3, ?4)";

impl Writer {
    /// Opens the file with the same durability settings as the pool.
    pub(crate) fn open(path: &Path) -> StoreResult<Self> {
        let conn = Connection::open(path).map_err(db)?;
        conn.busy_timeout(Duration::from_secs(30)).map_err(db)?;
        // Checkpoints copy the WAL back into the database file; done in the commit path they
        // stall the batch that triggers them for tens of milliseconds, so the writer leaves
        // them to a background thread.
        //
        // The page cache is kept at 16 MiB, a quarter of the pool's. Rebalancing an index moves
        // pages through a page number past the end of any database under 1 GiB (the locking
        // page), and the commit after such a move drops every cached page above the database's
        // end by walking the whole cache: a cost per commit that grows with the cache, and was
        // about 9 % of the writer's time at 64 MiB. The writer's working set is the right-hand
        // edges of the tables and the index pages it inserts into, which 16 MiB holds.
        conn.execute_batch(
            "PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL; PRAGMA cache_size = -16384; PRAGMA wal_autocheckpoint = 0;",
        )
        .map_err(db)?;
        // The statements of the filing batch and the ledger are prepared once and kept (the
        // rarer ones of controls and document requests are prepared when run): rusqlite keeps
        // 16 by default, fewer than the writing transactions use between them.
        conn.set_prepared_statement_cache_capacity(128);
        let conn = Arc::new(Mutex::new(conn));
        let catch_up = Arc::new(AtomicBool::new(false));
        start_checkpointer(path, Arc::downgrade(&conn), catch_up.clone())?;
        Ok(Writer { conn, catch_up })
    }

    /// Runs `work` in one `BEGIN IMMEDIATE` transaction on the writing connection and commits
    /// it when `work` succeeds.
    pub(crate) async fn run<T: Send + 'static>(
        &self,
        work: impl FnOnce(&Transaction<'_>) -> StoreResult<T> + Send + 'static,
    ) -> StoreResult<T> {
        let writer = self.clone();
        tokio::task::spawn_blocking(move || writer.run_here(work)).await.map_err(internal)?
    }

    /// [`Writer::run`] on the calling thread, which waits for the connection and the commit.
    pub(crate) fn run_here<T>(&self, work: impl FnOnce(&Transaction<'_>) -> StoreResult<T>) -> StoreResult<T> {
        let mut conn = self.conn.lock().map_err(internal)?;
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate).map_err(db)?;
        let out = work(&tx)?;
        tx.commit().map_err(db)?;
        if self.catch_up.swap(false, Ordering::AcqRel) {
            // The batches wait while this connection is held, so this checkpoint reaches the end
            // of the log (unless one of the pool's rarer writes lands meanwhile) and the next
            // transaction starts the log over.
            if let Err(e) = conn.query_row("PRAGMA wal_checkpoint(PASSIVE)", [], |_| Ok(())) {
                tracing::warn!(error = %e, "WAL checkpoint on the writing connection failed");
            }
        }
        Ok(out)
    }

    /// Runs a transaction script (see [`crate::transactions`]) in one transaction.
    pub(crate) async fn script<T: Send + 'static>(
        &self,
        script: impl AsyncFnOnce(&mut SqliteTx<'_>) -> StoreResult<T> + Send + 'static,
    ) -> StoreResult<T> {
        self.run(move |tx| transactions::run_ready(script(&mut SqliteTx(tx)))).await
    }

    /// [`Writer::script`] on the calling thread (see [`Writer::run_here`]).
    pub(crate) fn script_here<T>(
        &self,
        script: impl AsyncFnOnce(&mut SqliteTx<'_>) -> StoreResult<T>,
    ) -> StoreResult<T> {
        self.run_here(move |tx| transactions::run_ready(script(&mut SqliteTx(tx))))
    }
}

/// Frames in the write-ahead log (about 64 MiB of 4 KiB pages) past which the writer is asked
/// to copy back what is left of it, so that its next transaction starts the log over.
const WAL_LIMIT_FRAMES: i64 = 16_384;

/// Frames past which the checkpointer itself takes the write lock to start the log over: the
/// writer's own checkpoints did not get there (readers held the log), and the log must not grow
/// without bound.
const WAL_STALL_FRAMES: i64 = 4 * WAL_LIMIT_FRAMES;

/// Runs a passive checkpoint (which never blocks a writer) every 200 ms on a connection of its
/// own, until the writer is dropped. Under sustained writing a passive checkpoint never reaches
/// the end of the log (more is written while it copies), so SQLite never starts the log over
/// and it would grow without bound. Past [`WAL_LIMIT_FRAMES`] the checkpointer sets `catch_up`,
/// and the writer, between two transactions, copies back the few batches written since: as the
/// batches wait for it, that checkpoint reaches the end, and the writer's next transaction
/// starts the log over from its beginning. Waiting for the write lock here instead (a
/// restarting checkpoint) let the log grow to over 100,000 frames while it waited, and then
/// stopped every writer for one to three seconds while it copied them; it remains the fallback
/// past [`WAL_STALL_FRAMES`]. The log file keeps its size: a truncated log grows again page by
/// page, and each commit's sync then also writes the file's new length.
fn start_checkpointer(
    path: &Path,
    writer: std::sync::Weak<Mutex<Connection>>,
    catch_up: Arc<AtomicBool>,
) -> StoreResult<()> {
    let conn = Connection::open(path).map_err(db)?;
    conn.busy_timeout(Duration::from_secs(5)).map_err(db)?;
    std::thread::Builder::new()
        .name("sqlite-checkpoint".into())
        .spawn(move || {
            // The frames in the log and those copied back, after the checkpoint of `mode`.
            let checkpoint = |mode: &str| {
                let started = std::time::Instant::now();
                let frames = conn.query_row(&format!("PRAGMA wal_checkpoint({mode})"), [], |r| {
                    Ok((r.get::<_, i64>(1)?, r.get::<_, i64>(2)?))
                })?;
                let ms = started.elapsed().as_secs_f64() * 1e3;
                tracing::debug!(mode, log = frames.0, copied = frames.1, ms, "WAL checkpoint");
                Ok::<_, rusqlite::Error>(frames.0)
            };
            while writer.strong_count() > 0 {
                std::thread::sleep(Duration::from_millis(200));
                let done = match checkpoint("PASSIVE") {
                    Ok(frames) if frames > WAL_STALL_FRAMES => checkpoint("RESTART").map(|_| ()),
                    Ok(frames) => {
                        catch_up.store(frames > WAL_LIMIT_FRAMES, Ordering::Release);
                        Ok(())
                    }
                    Err(e) => Err(e),
                };
                if let Err(e) = done {
                    tracing::warn!(error = %e, "WAL checkpoint failed; will retry");
                }
            }
        })
        .map_err(|e| StoreError::Internal(format!("cannot start the checkpoint thread: {e}")))?;
    Ok(())
}

fn insert_declaration(
    stmt: &mut rusqlite::CachedStatement<'_>,
    f: &Filing,
    c: &DecisionColumns,
    number: Option<&RegistrationNumber>,
    steps: StepMark,
) -> StoreResult<()> {
    stmt.execute(params![
        f.id.to_string(),
        f.declarant.as_str(),
        f.idempotency_key,
        f.office,
        c.state.as_str(),
        c.lane.map(|l| l.as_str()),
        number.map(|n| n.as_str()),
        f.at_us.as_micros(),
        number.map(|_| f.at_us.as_micros()),
        f.document,
        f.document_sha256,
        f.signature,
        c.decision_json,
        f.money.duties_json,
        f.money.duties_cents,
        f.money.pending_json,
        f.money.checked_json,
        f.representative.as_ref().map(|(r, _)| r.as_str()),
        f.hs_codes,
        f.transport_mode,
        steps.lane_at_us,
        steps.released_at_us,
        f.transport_means,
        f.kind(),
        f.traced(),
    ])
    .map_err(db)?;
    Ok(())
}

/// The summary columns ([`SUMMARY`]) of a rusqlite row, before parsing.
fn stored_summary(row: &rusqlite::Row<'_>) -> rusqlite::Result<SummaryRow> {
    Ok(SummaryRow {
        id: row.get(0)?,
        declarant: row.get(1)?,
        state: row.get(2)?,
        lane: row.get(3)?,
        registration_number: row.get(4)?,
        office: row.get(5)?,
        received_at_us: row.get(6)?,
        registered_at_us: row.get(7)?,
        updated_at_us: row.get(8)?,
        representative: row.get(9)?,
    })
}

const SUMMARY: &str =
    "id, declarant, state, lane, registration_number, office, received_at_us, registered_at_us, updated_at_us, \
     representative";

/// An open writing transaction on the SQLite writer. Every step finishes at once.
pub(crate) struct SqliteTx<'a>(&'a Transaction<'a>);

impl SqliteTx<'_> {
    fn stored(&self, filter: &str, bind: &str, with_document: bool) -> StoreResult<Vec<StoredDeclaration>> {
        let document = if with_document { "document" } else { "NULL" };
        let mut stmt = self
            .0
            .prepare_cached(&format!("SELECT {SUMMARY}, pending, {document} FROM declarations WHERE {filter}"))
            .map_err(db)?;
        let rows = stmt
            .query_map(params![bind], |r| {
                Ok((stored_summary(r)?, r.get::<_, Option<String>>(10)?, r.get::<_, Option<Vec<u8>>>(11)?))
            })
            .map_err(db)?;
        let mut out = Vec::new();
        for row in rows {
            let (summary, pending, document) = row.map_err(db)?;
            out.push(StoredDeclaration { summary: summary.parse()?, pending, document: document.unwrap_or_default() });
        }
        Ok(out)
    }
}

impl WriteTx for SqliteTx<'_> {
    /// `BEGIN IMMEDIATE` already holds the write lock.
    async fn head(&mut self) -> StoreResult<(i64, String)> {
        let mut head = self.0.prepare_cached("SELECT seq, hash FROM audit_head WHERE id = 1").map_err(db)?;
        head.query_row([], |r| Ok((r.get(0)?, r.get(1)?))).map_err(db)
    }

    async fn stored_filings(
        &mut self,
        keys: Vec<(String, String)>,
    ) -> StoreResult<HashMap<(String, String), DeclarationSummary>> {
        let mut stored = HashMap::new();
        let mut find = self
            .0
            .prepare_cached(&format!(
                "SELECT {SUMMARY} FROM declarations WHERE declarant = ?1 AND idempotency_key = ?2"
            ))
            .map_err(db)?;
        for (declarant, key) in keys {
            if let Some(r) = find.query_row(params![declarant, key], stored_summary).optional().map_err(db)? {
                stored.insert((declarant, key), r.parse()?);
            }
        }
        Ok(stored)
    }

    async fn balances(&mut self, accounts: Vec<String>) -> StoreResult<(Vec<(String, i64)>, i64)> {
        let mut balances = Vec::with_capacity(accounts.len());
        let mut find =
            self.0.prepare_cached("SELECT balance_cents FROM ledger_balances WHERE account = ?1").map_err(db)?;
        for key in accounts {
            if let Some(cents) = find.query_row(params![key], |r| r.get::<_, i64>(0)).optional().map_err(db)? {
                balances.push((key, cents));
            }
        }
        let mut newest = self.0.prepare_cached("SELECT COALESCE(MAX(id), 0) FROM ledger_postings").map_err(db)?;
        let last: i64 = newest.query_row([], |r| r.get(0)).map_err(db)?;
        Ok((balances, last))
    }

    async fn allocate(&mut self, demand: &BTreeMap<SequenceKey, i64>) -> StoreResult<BTreeMap<SequenceKey, i64>> {
        let mut last_numbers = BTreeMap::new();
        let mut bump = self
            .0
            .prepare_cached(
                "INSERT INTO registration_sequences (office, day, last) VALUES (?1, ?2, ?3) \
                 ON CONFLICT (office, day) DO UPDATE SET last = last + excluded.last RETURNING last",
            )
            .map_err(db)?;
        for ((office, day), n) in demand {
            let last: i64 = bump.query_row(params![office.as_str(), day.to_string(), n], |r| r.get(0)).map_err(db)?;
            last_numbers.insert((office.clone(), *day), last);
        }
        Ok(last_numbers)
    }

    async fn posting_by_reference(
        &mut self,
        kind: &'static str,
        reference: &str,
    ) -> StoreResult<Option<EarlierPosting>> {
        self.0
            .query_row(
                "SELECT p.id, p.trader, COALESCE(SUM(l.amount_cents), 0) FROM ledger_postings p \
                 JOIN ledger_lines l ON l.posting_id = p.id WHERE p.kind = ?1 AND p.reference = ?2 GROUP BY p.id, p.trader",
                params![kind, reference],
                |r| Ok(EarlierPosting { id: r.get(0)?, trader: r.get(1)?, cents: r.get(2)? }),
            )
            .optional()
            .map_err(db)
    }

    async fn awaiting_payment(&mut self, trader: &str) -> StoreResult<Vec<StoredDeclaration>> {
        self.stored("declarant = ?1 AND state = 'awaiting_payment' ORDER BY received_at_us, id", trader, false)
    }

    async fn declaration(&mut self, id: &str) -> StoreResult<Option<StoredDeclaration>> {
        Ok(self.stored("id = ?1", id, true)?.pop())
    }

    async fn request(&mut self, id: i64) -> StoreResult<Option<(String, bool)>> {
        self.0
            .query_row(
                "SELECT declaration_id, answered_at_us IS NOT NULL FROM document_requests WHERE id = ?1",
                params![id],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()
            .map_err(db)
    }

    async fn dispatched(&mut self, id: &str) -> StoreResult<Option<String>> {
        self.0
            .query_row("SELECT centre FROM dispatches WHERE declaration_id = ?1", params![id], |r| r.get(0))
            .optional()
            .map_err(db)
    }

    async fn permits(&mut self, numbers: Vec<String>) -> StoreResult<Vec<smartcustoms_core::permits::Permit>> {
        crate::permits_tx::sqlite_permits(self.0, &numbers)
    }

    async fn reserved_draws(
        &mut self,
        ids: Vec<String>,
    ) -> StoreResult<Vec<(String, smartcustoms_core::permits::Draw)>> {
        crate::permits_tx::sqlite_reserved(self.0, &ids)
    }

    async fn stored_parcels(
        &mut self,
        operator: &str,
        ids: &[&str],
    ) -> StoreResult<HashMap<String, crate::parcels_tx::StoredParcel>> {
        crate::parcels_tx::sqlite_stored(self.0, operator, ids)
    }

    async fn held_parcel(&mut self, id: &str) -> StoreResult<Option<crate::parcels_tx::HeldParcel>> {
        crate::parcels_tx::sqlite_held(self.0, id)
    }

    async fn write(&mut self, set: WriteSet<'_>) -> StoreResult<()> {
        crate::permits_tx::sqlite_write(self.0, &set.permits)?;
        crate::parcels_tx::sqlite_write(self.0, &set.parcels)?;
        crate::exchange_tx::sqlite_write(self.0, &set.exchange)?;
        write(self.0, &set)
    }
}

/// Writes everything a transaction planned.
fn write(tx: &Transaction<'_>, set: &WriteSet<'_>) -> StoreResult<()> {
    let mut marks = set.step_marks();
    let mut insert = tx.prepare_cached(&INSERT_DECLARATION.replace("{table}", "declarations")).map_err(db)?;
    for d in &set.inserts {
        let steps = marks.take(&d.filing.id.to_string());
        insert_declaration(&mut insert, d.filing, &d.columns, d.number.as_ref(), steps)?;
        if let Some(o) = &d.filing.original {
            tx.prepare_cached(INSERT_ORIGINAL)
                .map_err(db)?
                .execute(params![d.filing.id.to_string(), o.media_type, o.sha256, o.bytes])
                .map_err(db)?;
        }
    }
    let mut update = tx
        .prepare_cached(
            "UPDATE declarations SET state = ?1, lane = COALESCE(?2, lane), \
             registration_number = COALESCE(?3, registration_number), registered_at_us = COALESCE(?4, registered_at_us), \
             updated_at_us = ?5, decision = COALESCE(?6, decision) WHERE id = ?7",
        )
        .map_err(db)?;
    for u in &set.updates {
        update
            .execute(params![
                u.state,
                u.lane,
                u.registration_number,
                u.registered_at_us.map(Timestamp::as_micros),
                u.updated_at_us.as_micros(),
                u.decision_json,
                u.id
            ])
            .map_err(db)?;
    }
    let mut audit = tx
        .prepare_cached(
            "INSERT INTO audit_log (seq, at_us, declaration_id, actor, action, details, prev_hash, hash) \
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
        )
        .map_err(db)?;
    for e in &set.audit {
        audit
            .execute(params![
                e.seq,
                e.at_us.as_micros(),
                e.declaration_id,
                e.actor,
                e.action.as_str(),
                e.details,
                e.prev_hash,
                e.hash
            ])
            .map_err(db)?;
    }
    let mut mark = tx
        .prepare_cached(
            "UPDATE declarations SET lane_at_us = COALESCE(lane_at_us, ?1), \
             released_at_us = COALESCE(released_at_us, ?2) WHERE id = ?3",
        )
        .map_err(db)?;
    for (id, m) in &marks.0 {
        mark.execute(params![m.lane_at_us, m.released_at_us, id]).map_err(db)?;
    }
    if let Some((seq, hash)) = set.head() {
        let mut advance = tx.prepare_cached("UPDATE audit_head SET seq = ?1, hash = ?2 WHERE id = 1").map_err(db)?;
        advance.execute(params![seq, hash]).map_err(db)?;
    }
    let mut release = tx
        .prepare_cached(
            "INSERT INTO release_documents (number, declaration_id, registration_number, released_at, location_of_goods, automatic) \
             VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        )
        .map_err(db)?;
    for r in &set.releases {
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
        .prepare_cached("INSERT INTO notifications (recipient, kind, payload, created_at_us) VALUES (?1, ?2, ?3, ?4)")
        .map_err(db)?;
    for n in &set.notifications {
        notify.execute(params![n.recipient, n.kind, n.payload, n.created_at_us.as_micros()]).map_err(db)?;
    }
    let mut posting = tx
        .prepare_cached(
            "INSERT INTO ledger_postings (id, kind, trader, declaration_id, reference, at_us, actor) \
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
        )
        .map_err(db)?;
    for p in &set.postings {
        let q = &p.posting;
        posting
            .execute(params![
                p.id,
                q.kind.as_str(),
                q.trader.as_str(),
                q.declaration,
                q.reference,
                p.at_us.as_micros(),
                p.actor
            ])
            .map_err(db)?;
    }
    let mut line = tx
        .prepare_cached("INSERT INTO ledger_lines (posting_id, debit, credit, amount_cents) VALUES (?1, ?2, ?3, ?4)")
        .map_err(db)?;
    for (id, debit, credit, cents) in set.lines() {
        line.execute(params![id, debit, credit, cents]).map_err(db)?;
    }
    let mut balance = tx
        .prepare_cached(
            "INSERT INTO ledger_balances (account, balance_cents) VALUES (?1, ?2) \
             ON CONFLICT (account) DO UPDATE SET balance_cents = excluded.balance_cents",
        )
        .map_err(db)?;
    for (account, cents) in &set.balances {
        balance.execute(params![account, cents]).map_err(db)?;
    }
    for o in &set.outcomes {
        tx.execute(
            "INSERT INTO inspection_outcomes (declaration_id, declarant, officer, released, irregular, irregularities, \
             additional_duty_cents, source, at_us) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, 'officer', ?8)",
            params![
                o.declaration_id,
                o.declarant,
                o.officer,
                o.released,
                o.outcome.is_irregular(),
                o.irregularities(),
                o.outcome.additional_duty.cents(),
                o.at_us.as_micros()
            ],
        )
        .map_err(db)?;
    }
    for r in &set.requests {
        tx.execute(
            "INSERT INTO document_requests (id, declaration_id, asked_by, question, due_at_us, asked_at_us) \
             VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            params![r.id, r.declaration_id, r.asked_by, r.question, r.due_at_us.as_micros(), r.asked_at_us.as_micros()],
        )
        .map_err(db)?;
    }
    for d in &set.dispatches {
        tx.execute(
            "INSERT INTO dispatches (declaration_id, centre, inspector, reasons, at_us) VALUES (?1, ?2, ?3, ?4, ?5) \
             ON CONFLICT (declaration_id) DO UPDATE SET centre = excluded.centre, inspector = excluded.inspector, \
             reasons = excluded.reasons, at_us = excluded.at_us",
            params![d.declaration_id, d.centre, d.inspector, d.reasons, d.at_us.as_micros()],
        )
        .map_err(db)?;
    }
    for a in &set.answers {
        tx.execute(
            "UPDATE document_requests SET answer = ?1, answered_by = ?2, answered_at_us = ?3 WHERE id = ?4",
            params![a.text, a.by, a.at_us.as_micros(), a.request_id],
        )
        .map_err(db)?;
        for (f, bytes) in &a.files {
            tx.execute(
                "INSERT INTO request_files (request_id, n, name, content_type, size, sha256, bytes) \
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
                params![a.request_id, f.n, f.name, f.content_type, f.size, f.sha256, bytes],
            )
            .map_err(db)?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    type TestResult = Result<(), Box<dyn std::error::Error>>;

    /// Frames in the log, read by a passive checkpoint on a connection of the test's own.
    fn log_frames(path: &Path) -> rusqlite::Result<i64> {
        Connection::open(path)?.query_row("PRAGMA wal_checkpoint(PASSIVE)", [], |r| r.get(1))
    }

    /// Writing without a pause never lets a passive checkpoint reach the end of the log: the
    /// checkpointer still starts it over, so it stays near its limit instead of holding all
    /// that was ever written.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn the_log_stays_bounded_under_writing_without_a_pause() -> TestResult {
        let dir = tempfile::tempdir()?;
        let path = dir.path().join("wal.db");
        let writer = Writer::open(&path)?;
        writer.run(|tx| tx.execute_batch("CREATE TABLE big (b BLOB)").map_err(db)).await?;
        // 640 commits of 256 KiB each: 160 MiB, 40,960 frames of 4 KiB, two and a half times
        // the limit.
        for _ in 0..640 {
            writer
                .run(|tx| {
                    tx.execute("INSERT INTO big (b) VALUES (zeroblob(262144))", []).map_err(db)?;
                    tx.execute("DELETE FROM big WHERE rowid < (SELECT max(rowid) FROM big)", []).map_err(db)?;
                    Ok(())
                })
                .await?;
        }
        let frames = log_frames(&path)?;
        assert!(
            frames < 2 * WAL_LIMIT_FRAMES,
            "the log holds {frames} frames, past twice its limit of {WAL_LIMIT_FRAMES}"
        );
        let rows: i64 = writer.run(|tx| tx.query_row("SELECT count(*) FROM big", [], |r| r.get(0)).map_err(db)).await?;
        assert_eq!(rows, 1, "every commit kept its one row");
        Ok(())
    }
}
