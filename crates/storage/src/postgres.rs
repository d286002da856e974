//! The PostgreSQL store: production storage, shared by several `serve` processes.
//!
//! Every writing transaction (batches, deposits, refunds, reservations, officers' decisions)
//! takes the row lock on `audit_head` first, which serialises them across processes: the
//! ledger's balances are read and written by one transaction at a time, and
//! the audit chain stays one chain, and the registration counters (also row-locked by their
//! upsert) can never hand out a number twice. Rows are inserted with one `UNNEST` statement per
//! table, so a batch costs a handful of round trips whatever its size.

use std::collections::{BTreeMap, HashMap};
use std::time::Duration;

use async_trait::async_trait;
use sqlx::postgres::PgPoolOptions;
use sqlx::PgPool;

use smartcustoms_core::access::Principal;
use smartcustoms_core::audit::AuditEntry;
use smartcustoms_core::ids::{DeclarationId, TraderId};
use smartcustoms_core::ledger::Overdraft;
use smartcustoms_core::release::{ControlDecision, Notification, ReleaseDocument};
use smartcustoms_core::timestamp::Timestamp;

use crate::batch::SequenceKey;
use crate::declarations::*;
use crate::ledger::*;
use crate::migrations::{self, Dialect};
use crate::reference::*;
use crate::risk::*;
use crate::rows::{Parse, SummaryRow};
use crate::tariff::*;
use crate::transactions::{EarlierPosting, StoredDeclaration, WriteTx};
use crate::writeset::{StepMarks, WriteSet};
use crate::{StoreError, StoreResult};

/// The PostgreSQL implementation of [`Store`].
#[derive(Debug, Clone)]
pub struct PostgresStore {
    pool: PgPool,
}

const SUMMARY_COLUMNS: &str =
    "id, declarant, representative, state, lane, registration_number, office, received_at_us, registered_at_us, updated_at_us";

impl PostgresStore {
    /// Connects and runs the migrations (concurrent starts are serialised by sqlx's migration lock).
    pub async fn open(url: &str) -> StoreResult<Self> {
        let pool =
            PgPoolOptions::new().max_connections(16).acquire_timeout(Duration::from_secs(30)).connect(url).await?;
        migrations::migrator(Dialect::Postgres).await?.run(&pool).await?;
        Ok(PostgresStore { pool })
    }
}

/// What serialises the versioning of one risk profile code (bound to the code) inside a
/// writing transaction: a transaction-scoped advisory lock, across processes.
const SERIALISE_PROFILE_CODE: Option<&str> = Some("SELECT pg_advisory_xact_lock(hashtext($1))");

/// What a transaction that trims the seals' log runs first. The trim deletes at most a few
/// tens of thousands of log rows, each only if its placed copy exists; not knowing how few, the
/// planner would hash the whole of `seal_reports` for it, so the transaction asks for index
/// lookups instead.
const BEFORE_SEAL_TRIM: &[&str] = &["SET LOCAL enable_hashjoin = off", "SET LOCAL enable_mergejoin = off"];

crate::areas!(PostgresStore, "postgres", sqlx::Postgres, lock_row = " FOR UPDATE");

/// The shared SQL as it is (PostgreSQL placeholders).
fn sql(text: &str) -> std::borrow::Cow<'_, str> {
    std::borrow::Cow::Borrowed(text)
}

impl PostgresStore {
    /// [`crate::Store::record_batch_here`]: never, as every statement goes over the network.
    fn record_here(&self, _batch: &std::sync::Arc<[crate::Filing]>) -> Option<StoreResult<Vec<crate::Recorded>>> {
        None
    }

    /// [`crate::PreArrivalQueries::pre_arrivals_here`]: never, as every query goes over the
    /// network.
    fn pre_arrivals_on_this_thread(
        &self,
        _means_id: &str,
        _from: smartcustoms_core::timestamp::Timestamp,
        _to: smartcustoms_core::timestamp::Timestamp,
    ) -> Option<StoreResult<Vec<crate::pre_arrival::PreArrivalRecord>>> {
        None
    }

    /// A write transaction on the pool.
    async fn begin_write(&self) -> StoreResult<sqlx::Transaction<'static, sqlx::Postgres>> {
        Ok(self.pool.begin().await?)
    }

    /// Runs a transaction script (see [`crate::transactions`]) in one transaction.
    async fn script<T>(&self, script: impl AsyncFnOnce(&mut PgTx) -> StoreResult<T>) -> StoreResult<T> {
        let mut tx = PgTx(self.pool.begin().await?);
        let out = script(&mut tx).await?;
        tx.0.commit().await?;
        Ok(out)
    }
}

type Tx = sqlx::Transaction<'static, sqlx::Postgres>;

/// An open writing transaction on PostgreSQL.
struct PgTx(Tx);

impl PgTx {
    async fn stored(&mut self, filter: &str, bind: &str, with_document: bool) -> StoreResult<Vec<StoredDeclaration>> {
        let document = if with_document { ", document" } else { "" };
        let sql = format!("SELECT {SUMMARY_COLUMNS}, pending{document} FROM declarations WHERE {filter}");
        let rows: Vec<StoredRow> = sqlx::query_as(&sql).bind(bind).fetch_all(&mut *self.0).await?;
        rows.into_iter()
            .map(|r| Ok(StoredDeclaration { summary: r.summary.parse()?, pending: r.pending, document: r.document }))
            .collect()
    }
}

/// A declaration as a writing transaction reads it (the document only where selected).
#[derive(sqlx::FromRow)]
struct StoredRow {
    #[sqlx(flatten)]
    summary: SummaryRow,
    pending: Option<String>,
    #[sqlx(default)]
    document: Vec<u8>,
}

/// A declaration's summary with the idempotency key it was filed with.
#[derive(sqlx::FromRow)]
struct KeyedRow {
    #[sqlx(flatten)]
    summary: SummaryRow,
    idempotency_key: String,
}

impl WriteTx for PgTx {
    /// Takes the row lock on `audit_head`, which every writing transaction takes first.
    async fn head(&mut self) -> StoreResult<(i64, String)> {
        Ok(sqlx::query_as("SELECT seq, hash FROM audit_head WHERE id = 1 FOR UPDATE").fetch_one(&mut *self.0).await?)
    }

    async fn stored_filings(
        &mut self,
        keys: Vec<(String, String)>,
    ) -> StoreResult<HashMap<(String, String), DeclarationSummary>> {
        let mut stored = HashMap::new();
        if keys.is_empty() {
            return Ok(stored);
        }
        let (declarants, keys): (Vec<String>, Vec<String>) = keys.into_iter().unzip();
        let sql = format!(
            "SELECT {SUMMARY_COLUMNS}, idempotency_key FROM declarations \
             WHERE (declarant, idempotency_key) IN (SELECT * FROM UNNEST($1::text[], $2::text[]))"
        );
        let rows: Vec<KeyedRow> = sqlx::query_as(&sql).bind(&declarants).bind(&keys).fetch_all(&mut *self.0).await?;
        for row in rows {
            let s = row.summary.parse()?;
            stored.insert((s.declarant.to_string(), row.idempotency_key), s);
        }
        Ok(stored)
    }

    async fn balances(&mut self, accounts: Vec<String>) -> StoreResult<(Vec<(String, i64)>, i64)> {
        let balances: Vec<(String, i64)> =
            sqlx::query_as("SELECT account, balance_cents FROM ledger_balances WHERE account = ANY($1)")
                .bind(&accounts)
                .fetch_all(&mut *self.0)
                .await?;
        let last: i64 =
            sqlx::query_scalar("SELECT COALESCE(MAX(id), 0) FROM ledger_postings").fetch_one(&mut *self.0).await?;
        Ok((balances, last))
    }

    /// One statement for every (office, day) of the batch: a batch spread over many days (a
    /// bulk load) allocates in one round trip, and no row-limited `RETURNING` portal is left
    /// suspended between the statements of the transaction.
    async fn allocate(&mut self, demand: &BTreeMap<SequenceKey, i64>) -> StoreResult<BTreeMap<SequenceKey, i64>> {
        if demand.is_empty() {
            return Ok(BTreeMap::new());
        }
        let mut offices = Vec::with_capacity(demand.len());
        let mut days = Vec::with_capacity(demand.len());
        let mut counts = Vec::with_capacity(demand.len());
        for ((office, day), n) in demand {
            offices.push(office.as_str());
            days.push(*day);
            counts.push(*n);
        }
        let rows: Vec<(String, chrono::NaiveDate, i64)> = sqlx::query_as(
            "INSERT INTO registration_sequences (office, day, last) \
             SELECT * FROM UNNEST($1::text[], $2::date[], $3::bigint[]) \
             ON CONFLICT (office, day) DO UPDATE SET last = registration_sequences.last + excluded.last \
             RETURNING office, day, last",
        )
        .bind(&offices)
        .bind(&days)
        .bind(&counts)
        .fetch_all(&mut *self.0)
        .await?;
        let asked: BTreeMap<(&str, chrono::NaiveDate), &SequenceKey> =
            demand.keys().map(|key| ((key.0.as_str(), key.1), key)).collect();
        let mut last_numbers = BTreeMap::new();
        for (office, day, last) in rows {
            let key = asked.get(&(office.as_str(), day)).copied().cloned();
            let key = key.ok_or_else(|| StoreError::Corrupt(format!("a number was allocated for {office} {day}")))?;
            last_numbers.insert(key, last);
        }
        if last_numbers.len() != demand.len() {
            return Err(StoreError::Corrupt("not every office and day got its registration numbers".into()));
        }
        Ok(last_numbers)
    }

    async fn posting_by_reference(
        &mut self,
        kind: &'static str,
        reference: &str,
    ) -> StoreResult<Option<EarlierPosting>> {
        let row: Option<(i64, String, i64)> = sqlx::query_as(
            "SELECT p.id, p.trader, COALESCE(SUM(l.amount_cents), 0)::bigint FROM ledger_postings p \
             JOIN ledger_lines l ON l.posting_id = p.id WHERE p.kind = $1 AND p.reference = $2 GROUP BY p.id, p.trader",
        )
        .bind(kind)
        .bind(reference)
        .fetch_optional(&mut *self.0)
        .await?;
        Ok(row.map(|(id, trader, cents)| EarlierPosting { id, trader, cents }))
    }

    async fn awaiting_payment(&mut self, trader: &str) -> StoreResult<Vec<StoredDeclaration>> {
        self.stored("declarant = $1 AND state = 'awaiting_payment' ORDER BY received_at_us, id", trader, false).await
    }

    async fn declaration(&mut self, id: &str) -> StoreResult<Option<StoredDeclaration>> {
        Ok(self.stored("id = $1", id, true).await?.pop())
    }

    async fn request(&mut self, id: i64) -> StoreResult<Option<(String, bool)>> {
        Ok(sqlx::query_as(
            "SELECT declaration_id, answered_at_us IS NOT NULL FROM document_requests WHERE id = $1 FOR UPDATE",
        )
        .bind(id)
        .fetch_optional(&mut *self.0)
        .await?)
    }

    async fn dispatched(&mut self, id: &str) -> StoreResult<Option<String>> {
        Ok(sqlx::query_scalar("SELECT centre FROM dispatches WHERE declaration_id = $1 FOR UPDATE")
            .bind(id)
            .fetch_optional(&mut *self.0)
            .await?)
    }

    async fn permits(&mut self, numbers: Vec<String>) -> StoreResult<Vec<smartcustoms_core::permits::Permit>> {
        crate::permits_tx::pg_permits(&mut self.0, &numbers).await
    }

    async fn reserved_draws(
        &mut self,
        ids: Vec<String>,
    ) -> StoreResult<Vec<(String, smartcustoms_core::permits::Draw)>> {
        crate::permits_tx::pg_reserved(&mut self.0, &ids).await
    }

    async fn stored_parcels(
        &mut self,
        operator: &str,
        ids: &[&str],
    ) -> StoreResult<HashMap<String, crate::parcels_tx::StoredParcel>> {
        crate::parcels_tx::pg_stored(&mut self.0, operator, ids).await
    }

    async fn held_parcel(&mut self, id: &str) -> StoreResult<Option<crate::parcels_tx::HeldParcel>> {
        crate::parcels_tx::pg_held(&mut self.0, id).await
    }

    async fn write(&mut self, set: WriteSet<'_>) -> StoreResult<()> {
        crate::permits_tx::pg_write(&mut self.0, &set.permits).await?;
        crate::parcels_tx::pg_write(&mut self.0, &set.parcels).await?;
        crate::exchange_tx::pg_write(&mut self.0, &set.exchange).await?;
        write(&mut self.0, set).await
    }
}

/// Writes everything a transaction planned, one statement per table.
async fn write(tx: &mut Tx, set: WriteSet<'_>) -> StoreResult<()> {
    let mut marks = set.step_marks();
    if !set.inserts.is_empty() {
        let mut cols = DeclarationColumns::default();
        for d in &set.inserts {
            cols.push(d.filing, &d.columns, d.number.as_ref().map(|n| n.to_string()), &mut marks);
        }
        cols.insert("declarations", tx).await?;
        for d in set.inserts.iter().filter(|d| d.filing.original.is_some()) {
            let Some(o) = &d.filing.original else { continue };
            sqlx::query(
                "INSERT INTO declaration_originals (declaration_id, media_type, sha256, bytes) VALUES ($1, $2, $3, $4)",
            )
            .bind(d.filing.id.to_string())
            .bind(o.media_type)
            .bind(&o.sha256)
            .bind(&o.bytes)
            .execute(&mut **tx)
            .await?;
        }
    }
    for u in &set.updates {
        sqlx::query(
            "UPDATE declarations SET state = $1, lane = COALESCE($2, lane), \
             registration_number = COALESCE($3, registration_number), registered_at_us = COALESCE($4, registered_at_us), \
             updated_at_us = $5, decision = COALESCE($6, decision) WHERE id = $7",
        )
        .bind(u.state)
        .bind(u.lane)
        .bind(&u.registration_number)
        .bind(u.registered_at_us.map(Timestamp::as_micros))
        .bind(u.updated_at_us.as_micros())
        .bind(&u.decision_json)
        .bind(&u.id)
        .execute(&mut **tx)
        .await?;
    }
    if !set.audit.is_empty() {
        let a = &set.audit;
        sqlx::query(
            "INSERT INTO audit_log (seq, at_us, declaration_id, actor, action, details, prev_hash, hash) \
             SELECT * FROM UNNEST($1::bigint[], $2::bigint[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[])",
        )
        .bind(a.iter().map(|e| e.seq).collect::<Vec<_>>())
        .bind(a.iter().map(|e| e.at_us.as_micros()).collect::<Vec<_>>())
        .bind(a.iter().map(|e| e.declaration_id.clone()).collect::<Vec<_>>())
        .bind(a.iter().map(|e| e.actor.clone()).collect::<Vec<_>>())
        .bind(a.iter().map(|e| e.action.as_str()).collect::<Vec<_>>())
        .bind(a.iter().map(|e| e.details.clone()).collect::<Vec<_>>())
        .bind(a.iter().map(|e| e.prev_hash.clone()).collect::<Vec<_>>())
        .bind(a.iter().map(|e| e.hash.clone()).collect::<Vec<_>>())
        .execute(&mut **tx)
        .await?;
    }
    let marks = &marks.0;
    if !marks.is_empty() {
        sqlx::query(
            "UPDATE declarations d SET lane_at_us = COALESCE(d.lane_at_us, m.lane_at_us), \
             released_at_us = COALESCE(d.released_at_us, m.released_at_us) \
             FROM UNNEST($1::text[], $2::bigint[], $3::bigint[]) AS m (id, lane_at_us, released_at_us) WHERE d.id = m.id",
        )
        .bind(marks.keys().cloned().collect::<Vec<_>>())
        .bind(marks.values().map(|m| m.lane_at_us).collect::<Vec<_>>())
        .bind(marks.values().map(|m| m.released_at_us).collect::<Vec<_>>())
        .execute(&mut **tx)
        .await?;
    }
    if let Some((seq, hash)) = set.head() {
        sqlx::query("UPDATE audit_head SET seq = $1, hash = $2 WHERE id = 1")
            .bind(seq)
            .bind(hash)
            .execute(&mut **tx)
            .await?;
    }
    if !set.releases.is_empty() {
        let r = &set.releases;
        sqlx::query(
            "INSERT INTO release_documents (number, declaration_id, registration_number, released_at, location_of_goods, automatic) \
             SELECT * FROM UNNEST($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::bool[])",
        )
        .bind(r.iter().map(|d| d.number.clone()).collect::<Vec<_>>())
        .bind(r.iter().map(|d| d.declaration_id.clone()).collect::<Vec<_>>())
        .bind(r.iter().map(|d| d.registration_number.clone()).collect::<Vec<_>>())
        .bind(r.iter().map(|d| d.released_at.clone()).collect::<Vec<_>>())
        .bind(r.iter().map(|d| d.location_of_goods.clone()).collect::<Vec<_>>())
        .bind(r.iter().map(|d| d.automatic).collect::<Vec<_>>())
        .execute(&mut **tx)
        .await?;
    }
    if !set.notifications.is_empty() {
        let n = &set.notifications;
        sqlx::query(
            "INSERT INTO notifications (recipient, kind, payload, created_at_us) \
             SELECT * FROM UNNEST($1::text[], $2::text[], $3::text[], $4::bigint[])",
        )
        .bind(n.iter().map(|x| x.recipient.clone()).collect::<Vec<_>>())
        .bind(n.iter().map(|x| x.kind).collect::<Vec<_>>())
        .bind(n.iter().map(|x| x.payload.clone()).collect::<Vec<_>>())
        .bind(n.iter().map(|x| x.created_at_us.as_micros()).collect::<Vec<_>>())
        .execute(&mut **tx)
        .await?;
    }
    if !set.postings.is_empty() {
        let p = &set.postings;
        sqlx::query(
            "INSERT INTO ledger_postings (id, kind, trader, declaration_id, reference, at_us, actor) \
             SELECT * FROM UNNEST($1::bigint[], $2::text[], $3::text[], $4::text[], $5::text[], $6::bigint[], $7::text[])",
        )
        .bind(p.iter().map(|r| r.id).collect::<Vec<_>>())
        .bind(p.iter().map(|r| r.posting.kind.as_str()).collect::<Vec<_>>())
        .bind(p.iter().map(|r| r.posting.trader.to_string()).collect::<Vec<_>>())
        .bind(p.iter().map(|r| r.posting.declaration.clone()).collect::<Vec<_>>())
        .bind(p.iter().map(|r| r.posting.reference.clone()).collect::<Vec<_>>())
        .bind(p.iter().map(|r| r.at_us.as_micros()).collect::<Vec<_>>())
        .bind(p.iter().map(|r| r.actor.clone()).collect::<Vec<_>>())
        .execute(&mut **tx)
        .await?;
        let (ids, debits, credits, cents): (Vec<i64>, Vec<String>, Vec<String>, Vec<i64>) =
            set.lines().fold(Default::default(), |mut acc, (i, d, c, a)| {
                acc.0.push(i);
                acc.1.push(d);
                acc.2.push(c);
                acc.3.push(a);
                acc
            });
        sqlx::query(
            "INSERT INTO ledger_lines (posting_id, debit, credit, amount_cents) \
             SELECT * FROM UNNEST($1::bigint[], $2::text[], $3::text[], $4::bigint[])",
        )
        .bind(ids)
        .bind(debits)
        .bind(credits)
        .bind(cents)
        .execute(&mut **tx)
        .await?;
    }
    if !set.balances.is_empty() {
        let (accounts, cents): (Vec<String>, Vec<i64>) = set.balances.iter().cloned().unzip();
        sqlx::query(
            "INSERT INTO ledger_balances (account, balance_cents) SELECT * FROM UNNEST($1::text[], $2::bigint[]) \
             ON CONFLICT (account) DO UPDATE SET balance_cents = excluded.balance_cents",
        )
        .bind(accounts)
        .bind(cents)
        .execute(&mut **tx)
        .await?;
    }
    for o in &set.outcomes {
        sqlx::query(
            "INSERT INTO inspection_outcomes (declaration_id, declarant, officer, released, irregular, irregularities, \
             additional_duty_cents, source, at_us) VALUES ($1, $2, $3, $4, $5, $6, $7, 'officer', $8)",
        )
        .bind(&o.declaration_id)
        .bind(&o.declarant)
        .bind(&o.officer)
        .bind(o.released)
        .bind(o.outcome.is_irregular())
        .bind(o.irregularities())
        .bind(o.outcome.additional_duty.cents())
        .bind(o.at_us.as_micros())
        .execute(&mut **tx)
        .await?;
    }
    for r in &set.requests {
        sqlx::query(
            "INSERT INTO document_requests (id, declaration_id, asked_by, question, due_at_us, asked_at_us) \
             VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(r.id)
        .bind(&r.declaration_id)
        .bind(&r.asked_by)
        .bind(&r.question)
        .bind(r.due_at_us.as_micros())
        .bind(r.asked_at_us.as_micros())
        .execute(&mut **tx)
        .await?;
    }
    for d in &set.dispatches {
        sqlx::query(
            "INSERT INTO dispatches (declaration_id, centre, inspector, reasons, at_us) VALUES ($1, $2, $3, $4, $5) \
             ON CONFLICT (declaration_id) DO UPDATE SET centre = excluded.centre, inspector = excluded.inspector, \
             reasons = excluded.reasons, at_us = excluded.at_us",
        )
        .bind(&d.declaration_id)
        .bind(&d.centre)
        .bind(&d.inspector)
        .bind(&d.reasons)
        .bind(d.at_us.as_micros())
        .execute(&mut **tx)
        .await?;
    }
    for a in &set.answers {
        sqlx::query("UPDATE document_requests SET answer = $1, answered_by = $2, answered_at_us = $3 WHERE id = $4")
            .bind(&a.text)
            .bind(&a.by)
            .bind(a.at_us.as_micros())
            .bind(a.request_id)
            .execute(&mut **tx)
            .await?;
        for (f, bytes) in &a.files {
            sqlx::query(
                "INSERT INTO request_files (request_id, n, name, content_type, size, sha256, bytes) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7)",
            )
            .bind(a.request_id)
            .bind(f.n)
            .bind(&f.name)
            .bind(&f.content_type)
            .bind(f.size)
            .bind(&f.sha256)
            .bind(bytes)
            .execute(&mut **tx)
            .await?;
        }
    }
    Ok(())
}

/// Column arrays of declaration rows for one `UNNEST` insert.
#[derive(Default)]
struct DeclarationColumns {
    id: Vec<String>,
    declarant: Vec<String>,
    idempotency_key: Vec<Option<String>>,
    office: Vec<Option<String>>,
    state: Vec<&'static str>,
    lane: Vec<Option<&'static str>>,
    number: Vec<Option<String>>,
    at_us: Vec<i64>,
    registered_at_us: Vec<Option<i64>>,
    document: Vec<Vec<u8>>,
    sha: Vec<String>,
    signature: Vec<Option<String>>,
    decision: Vec<String>,
    duties: Vec<Option<String>>,
    duties_cents: Vec<Option<i64>>,
    pending: Vec<Option<String>>,
    checked: Vec<Option<String>>,
    representative: Vec<Option<String>>,
    hs_codes: Vec<Option<String>>,
    transport_mode: Vec<Option<String>>,
    lane_at_us: Vec<Option<i64>>,
    released_at_us: Vec<Option<i64>>,
    transport_means: Vec<Option<String>>,
    kind: Vec<Option<&'static str>>,
    traced: Vec<Option<bool>>,
}

impl DeclarationColumns {
    fn push(&mut self, f: &Filing, c: &DecisionColumns, number: Option<String>, marks: &mut StepMarks) {
        let id = f.id.to_string();
        let steps = marks.take(&id);
        self.lane_at_us.push(steps.lane_at_us);
        self.released_at_us.push(steps.released_at_us);
        self.id.push(id);
        self.declarant.push(f.declarant.to_string());
        self.idempotency_key.push(f.idempotency_key.clone());
        self.office.push(f.office.clone());
        self.state.push(c.state.as_str());
        self.lane.push(c.lane.map(|l| l.as_str()));
        self.registered_at_us.push(number.as_ref().map(|_| f.at_us.as_micros()));
        self.number.push(number);
        self.at_us.push(f.at_us.as_micros());
        self.document.push(f.document.clone());
        self.sha.push(f.document_sha256.clone());
        self.signature.push(f.signature.clone());
        self.decision.push(c.decision_json.clone());
        self.duties.push(f.money.duties_json.clone());
        self.duties_cents.push(f.money.duties_cents);
        self.pending.push(f.money.pending_json.clone());
        self.checked.push(f.money.checked_json.clone());
        self.representative.push(f.representative.as_ref().map(|(r, _)| r.to_string()));
        self.hs_codes.push(f.hs_codes.clone());
        self.transport_mode.push(f.transport_mode.clone());
        self.transport_means.push(f.transport_means.clone());
        self.kind.push(f.kind());
        self.traced.push(f.traced());
    }

    async fn insert(self, table: &str, tx: &mut sqlx::PgConnection) -> StoreResult<()> {
        let sql = format!(
            "INSERT INTO {table} (id, declarant, idempotency_key, office, state, lane, registration_number, \
             received_at_us, registered_at_us, updated_at_us, document, document_sha256, signature, decision, \
             duties, duties_cents, pending, checked, representative, hs_codes, transport_mode, lane_at_us, released_at_us, \
             transport_means, kind, traced) \
             SELECT id, declarant, ikey, office, state, lane, num, at, reg, at, doc, sha, sig, dec, dut, cents, pend, chk, rep, hs, mode, \
             lane_at, released_at, means, kind, traced \
             FROM UNNEST($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], \
             $8::bigint[], $9::bigint[], $10::bytea[], $11::text[], $12::text[], $13::text[], $14::text[], \
             $15::bigint[], $16::text[], $17::text[], $18::text[], $19::text[], $20::text[], $21::bigint[], $22::bigint[], \
             $23::text[], $24::text[], $25::boolean[]) \
             AS t(id, declarant, ikey, office, state, lane, num, at, reg, doc, sha, sig, dec, dut, cents, pend, chk, rep, hs, mode, \
             lane_at, released_at, means, kind, traced)"
        );
        sqlx::query(&sql)
            .bind(self.id)
            .bind(self.declarant)
            .bind(self.idempotency_key)
            .bind(self.office)
            .bind(self.state)
            .bind(self.lane)
            .bind(self.number)
            .bind(self.at_us)
            .bind(self.registered_at_us)
            .bind(self.document)
            .bind(self.sha)
            .bind(self.signature)
            .bind(self.decision)
            .bind(self.duties)
            .bind(self.duties_cents)
            .bind(self.pending)
            .bind(self.checked)
            .bind(self.representative)
            .bind(self.hs_codes)
            .bind(self.transport_mode)
            .bind(self.lane_at_us)
            .bind(self.released_at_us)
            .bind(self.transport_means)
            .bind(self.kind)
            .bind(self.traced)
            .execute(&mut *tx)
            .await?;
        Ok(())
    }
}
