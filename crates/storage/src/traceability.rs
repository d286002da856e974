//! Goods traceability (D3): the batches of traced goods opened when declarations release them
//! for free circulation, each batch's state as a snapshot, its history of movements and who
//! holds how much of it, and the scan of released declarations that opens them. Taking in a
//! report is one transaction: the batches it names are locked and read, the core applies the
//! report to them, and the movements, the new snapshots, the holdings and the audit entry are
//! written together, or nothing is. The SQL is the same on both backends and is expanded into
//! each by [`traceability_queries`].

use async_trait::async_trait;

use smartcustoms_core::flc::Finding;
use smartcustoms_core::ids::TraderId;
use smartcustoms_core::timestamp::Timestamp;
use smartcustoms_core::traceability::{Batch, BatchNumber, BatchState, Movement, Report, Snapshot};

use crate::{StoreError, StoreResult};

/// A released declaration the scan has not read yet.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Release {
    /// Declaration id.
    pub id: String,
    /// Its registration number.
    pub registration_number: Option<String>,
    /// The checked declaration kept at registration (versioned JSON).
    pub checked: Option<String>,
    /// When it was released.
    #[sqlx(try_from = "i64")]
    pub released_at_us: Timestamp,
}

/// What the scan found in one released declaration: the batches to open, or the problems
/// that kept them from opening.
#[derive(Debug, Clone)]
pub struct ScannedRelease {
    /// Declaration id.
    pub declaration_id: String,
    /// The batches to open (none when the declaration releases no traced goods).
    pub batches: Vec<Batch>,
    /// Why no batch opened, when the declaration could not be read or its traced items break
    /// the `TRC_020` … `TRC_022` checks (each problem with its code and path first).
    pub problems: Vec<String>,
}

/// How long before the cursor the scan reads again, since a release stamped earlier may commit
/// after a later one: ten minutes, far more than a writing transaction lasts.
pub const RESCAN_MARGIN_US: i64 = 10 * 60 * 1_000_000;

/// Goods traceability.
#[async_trait]
pub trait TraceabilityQueries: Send + Sync {
    /// The release time up to which released declarations were scanned.
    async fn traceability_cursor(&self) -> StoreResult<Timestamp>;

    /// Released declarations marked at recording as opening batches of traced goods
    /// ([`crate::Filing::traced`]) and not read by the scan yet, released at or after `since`,
    /// oldest first, at most `limit`.
    async fn unscanned_releases(&self, since: Timestamp, limit: i64) -> StoreResult<Vec<Release>>;

    /// Opens the batches of scanned declarations in one transaction, audited, and moves the
    /// cursor forward to `cursor` (never back). A declaration read before (by another process)
    /// is skipped; returns how many batches were opened.
    async fn open_batches(&self, scanned: &[ScannedRelease], cursor: Timestamp, at: Timestamp) -> StoreResult<u64>;

    /// Takes in a holder's report as `actor` in one transaction: the batches it names are
    /// locked and read, the report is applied at the later of `at` and their last movements,
    /// and the movements, the new states and holdings and the audit entry are written.
    /// `Ok(Err(findings))` when any line is refused (`TRC_030` … `TRC_039`): nothing is written.
    async fn record_report(
        &self,
        report: &Report,
        actor: &str,
        at: Timestamp,
    ) -> StoreResult<Result<Vec<Movement>, Vec<Finding>>>;

    /// A batch's state.
    async fn batch_state(&self, number: &BatchNumber) -> StoreResult<Option<BatchState>>;

    /// A batch's history, oldest first.
    async fn batch_history(&self, number: &BatchNumber) -> StoreResult<Vec<Movement>>;

    /// True when `trader` holds or ever held some of the batch (its importer, or a party to
    /// one of its movements).
    async fn held_ever(&self, number: &BatchNumber, trader: &TraderId) -> StoreResult<bool>;

    /// Batches, newest release first: those `holder` holds some of now, or every batch.
    async fn batch_states(&self, holder: Option<&TraderId>, limit: i64) -> StoreResult<Vec<BatchState>>;
}

/// A stored snapshot read back as a state.
pub(crate) fn restore(number: &str, json: &str) -> StoreResult<BatchState> {
    let snapshot: Snapshot =
        serde_json::from_str(json).map_err(|e| StoreError::Corrupt(format!("snapshot of batch {number}: {e}")))?;
    BatchState::restore(snapshot).map_err(|e| StoreError::Corrupt(format!("snapshot of batch {number}: {e:?}")))
}

/// A state's stored snapshot.
pub(crate) fn snapshot_json(state: &BatchState) -> StoreResult<String> {
    serde_json::to_string(&state.snapshot()).map_err(|e| StoreError::Internal(e.to_string()))
}

/// A stored movement read back.
pub(crate) fn movement(json: &str) -> StoreResult<Movement> {
    serde_json::from_str(json).map_err(|e| StoreError::Corrupt(format!("batch movement: {e}")))
}

/// Implements [`TraceabilityQueries`] for a backend, where the identity area's
/// `append_identity_audit` is in scope. Needs in scope: `self.pool`, `self.begin_write()`,
/// `sql(&str) -> Cow<str>`; `$lock` locks the rows a `SELECT` reads (`FOR UPDATE` or nothing).
macro_rules! traceability_queries {
    ($store:ty, $lock:literal) => {
        type TraceTx = sqlx::Transaction<'static, <$store as crate::identity::Backend>::Db>;

        /// Takes the lock that orders writing transactions (the audit head) before anything is
        /// read, so that two reports on one batch apply one after the other.
        async fn lock_trace_writers(tx: &mut TraceTx) -> StoreResult<()> {
            sqlx::query(concat!("SELECT seq FROM audit_head WHERE id = 1", $lock)).fetch_one(&mut **tx).await?;
            Ok(())
        }

        /// Writes a batch's state: its snapshot, whether it is closed, and its holdings.
        async fn write_batch_state(
            tx: &mut TraceTx,
            state: &smartcustoms_core::traceability::BatchState,
            at: Timestamp,
        ) -> StoreResult<()> {
            let number = state.batch().number.as_str();
            sqlx::query(&sql("UPDATE traced_batches SET snapshot = $1, closed = $2, updated_at_us = $3 WHERE number = $4"))
                .bind(crate::traceability::snapshot_json(state)?)
                .bind(state.is_closed())
                .bind(at.as_micros())
                .bind(number)
                .execute(&mut **tx)
                .await?;
            sqlx::query(&sql("DELETE FROM batch_holdings WHERE batch = $1")).bind(number).execute(&mut **tx).await?;
            for (holder, quantity) in state.holders() {
                sqlx::query(&sql("INSERT INTO batch_holdings (batch, holder, quantity) VALUES ($1, $2, $3)"))
                    .bind(number)
                    .bind(holder.as_str())
                    .bind(quantity.to_string())
                    .execute(&mut **tx)
                    .await?;
            }
            Ok(())
        }

        #[async_trait]
        impl crate::traceability::TraceabilityQueries for $store {
            async fn traceability_cursor(&self) -> StoreResult<Timestamp> {
                let us: i64 = sqlx::query_scalar("SELECT released_to_us FROM traceability_cursor WHERE id = 1")
                    .fetch_one(&self.pool)
                    .await?;
                Ok(Timestamp::from_micros(us))
            }

            async fn unscanned_releases(
                &self,
                since: Timestamp,
                limit: i64,
            ) -> StoreResult<Vec<crate::traceability::Release>> {
                Ok(sqlx::query_as(&sql(
                    "SELECT d.id, d.registration_number, d.checked, d.released_at_us \
                     FROM declarations d WHERE d.traced AND d.released_at_us >= $1 \
                     AND NOT EXISTS (SELECT 1 FROM traced_declarations t WHERE t.declaration_id = d.id) \
                     ORDER BY d.released_at_us, d.id LIMIT $2",
                ))
                .bind(since.as_micros())
                .bind(limit)
                .fetch_all(&self.pool)
                .await?)
            }

            #[tracing::instrument(skip_all, fields(declarations = scanned.len()))]
            async fn open_batches(
                &self,
                scanned: &[crate::traceability::ScannedRelease],
                cursor: Timestamp,
                at: Timestamp,
            ) -> StoreResult<u64> {
                let mut tx = self.begin_write().await?;
                lock_trace_writers(&mut tx).await?;
                let mut opened = 0u64;
                for release in scanned {
                    let seen: Option<i64> =
                        sqlx::query_scalar(&sql("SELECT batches FROM traced_declarations WHERE declaration_id = $1"))
                            .bind(&release.declaration_id)
                            .fetch_optional(&mut *tx)
                            .await?;
                    if seen.is_some() {
                        continue;
                    }
                    let problems = match release.problems.is_empty() {
                        true => None,
                        false => Some(
                            serde_json::to_string(&release.problems)
                                .map_err(|e| crate::StoreError::Internal(e.to_string()))?,
                        ),
                    };
                    sqlx::query(&sql(
                        "INSERT INTO traced_declarations (declaration_id, batches, problems, scanned_at_us) \
                         VALUES ($1, $2, $3, $4)",
                    ))
                    .bind(&release.declaration_id)
                    .bind(i64::try_from(release.batches.len()).unwrap_or(i64::MAX))
                    .bind(problems)
                    .bind(at.as_micros())
                    .execute(&mut *tx)
                    .await?;
                    for batch in &release.batches {
                        let state = smartcustoms_core::traceability::BatchState::opened(batch.clone());
                        sqlx::query(&sql(
                            "INSERT INTO traced_batches (number, declaration_id, registration_number, item, \
                             commodity_code, unit, initial_quantity, importer, released_at_us, snapshot, closed, \
                             updated_at_us) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)",
                        ))
                        .bind(batch.number.as_str())
                        .bind(&release.declaration_id)
                        .bind(batch.number.registration())
                        .bind(i64::from(batch.number.item()))
                        .bind(batch.commodity_code.as_str())
                        .bind(batch.unit().code())
                        .bind(batch.initial.amount().to_string())
                        .bind(batch.importer.as_str())
                        .bind(batch.released_at.as_micros())
                        .bind(crate::traceability::snapshot_json(&state)?)
                        .bind(false)
                        .bind(at.as_micros())
                        .execute(&mut *tx)
                        .await
                        .map_err(|e| crate::taken(e, || format!("batch {} is open already", batch.number)))?;
                        sqlx::query(&sql("INSERT INTO batch_holdings (batch, holder, quantity) VALUES ($1, $2, $3)"))
                            .bind(batch.number.as_str())
                            .bind(batch.importer.as_str())
                            .bind(batch.initial.amount().to_string())
                            .execute(&mut *tx)
                            .await?;
                        opened += 1;
                    }
                    if !release.batches.is_empty() {
                        let details = serde_json::json!({
                            "declaration_id": release.declaration_id,
                            "batches": release.batches.iter().map(|b| serde_json::json!({
                                "batch": b.number, "commodity_code": b.commodity_code.as_str(),
                                "quantity": b.initial.amount().to_string(), "unit": b.unit().code(),
                                "importer": b.importer,
                            })).collect::<Vec<_>>(),
                        });
                        let action = smartcustoms_core::audit::Action::BatchesOpened;
                        let entry = crate::identity::identity_entry(at, "system", action, details);
                        append_identity_audit(&mut tx, entry).await?;
                    }
                }
                sqlx::query(&sql(
                    "UPDATE traceability_cursor SET released_to_us = $1 WHERE id = 1 AND released_to_us < $1",
                ))
                .bind(cursor.as_micros())
                .execute(&mut *tx)
                .await?;
                tx.commit().await?;
                Ok(opened)
            }

            #[tracing::instrument(skip_all, fields(kind = report.operation.code(), lines = report.lines.len()))]
            async fn record_report(
                &self,
                report: &smartcustoms_core::traceability::Report,
                actor: &str,
                at: Timestamp,
            ) -> StoreResult<
                Result<Vec<smartcustoms_core::traceability::Movement>, Vec<smartcustoms_core::flc::Finding>>,
            > {
                use smartcustoms_core::traceability::{apply_report, BatchNumber, BatchState};

                let mut tx = self.begin_write().await?;
                lock_trace_writers(&mut tx).await?;
                let mut states: std::collections::BTreeMap<BatchNumber, BatchState> = Default::default();
                for line in &report.lines {
                    let snapshot: Option<String> = sqlx::query_scalar(&sql(concat!(
                        "SELECT snapshot FROM traced_batches WHERE number = $1",
                        $lock
                    )))
                    .bind(line.batch.as_str())
                    .fetch_optional(&mut *tx)
                    .await?;
                    if let Some(json) = snapshot {
                        states.insert(line.batch.clone(), crate::traceability::restore(line.batch.as_str(), &json)?);
                    }
                }
                // Two reports may read the clock in one order and take the lock in the other;
                // the later one applies at its batches' last movement rather than be refused
                // as going back in time.
                let at = states.values().map(BatchState::last_at).fold(at, Timestamp::max);
                let applied = match apply_report(report, |number| states.get(number), at) {
                    Ok(applied) => applied,
                    Err(findings) => return Ok(Err(findings)),
                };
                let mut movements = Vec::with_capacity(applied.len());
                for a in applied {
                    let m = &a.movement;
                    sqlx::query(&sql(
                        "INSERT INTO batch_movements (batch, n, at_us, holder_before, holder_after, kind, quantity, \
                         document, actor, movement) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
                    ))
                    .bind(m.batch.as_str())
                    .bind(i64::from(m.number))
                    .bind(m.at.as_micros())
                    .bind(m.from.as_str())
                    .bind(m.to().map(|t| t.as_str().to_string()))
                    .bind(m.operation.code())
                    .bind(m.quantity.amount().to_string())
                    .bind(m.document.as_str())
                    .bind(actor)
                    .bind(serde_json::to_string(m).map_err(|e| crate::StoreError::Internal(e.to_string()))?)
                    .execute(&mut *tx)
                    .await?;
                    write_batch_state(&mut tx, &a.state, at).await?;
                    movements.push(a.movement);
                }
                let details = serde_json::json!({
                    "kind": report.operation.code(),
                    "holder": report.holder,
                    "to": report.operation.receiver(),
                    "document": report.document.as_str(),
                    "lines": movements.iter().map(|m| serde_json::json!({
                        "batch": m.batch, "n": m.number, "quantity": m.quantity.amount().to_string(),
                        "unit": m.quantity.unit().code(),
                    })).collect::<Vec<_>>(),
                });
                let action = smartcustoms_core::audit::Action::BatchTransferred;
                append_identity_audit(&mut tx, crate::identity::identity_entry(at, actor, action, details)).await?;
                tx.commit().await?;
                Ok(Ok(movements))
            }

            async fn batch_state(
                &self,
                number: &smartcustoms_core::traceability::BatchNumber,
            ) -> StoreResult<Option<smartcustoms_core::traceability::BatchState>> {
                let snapshot: Option<String> =
                    sqlx::query_scalar(&sql("SELECT snapshot FROM traced_batches WHERE number = $1"))
                        .bind(number.as_str())
                        .fetch_optional(&self.pool)
                        .await?;
                snapshot.map(|json| crate::traceability::restore(number.as_str(), &json)).transpose()
            }

            async fn batch_history(
                &self,
                number: &smartcustoms_core::traceability::BatchNumber,
            ) -> StoreResult<Vec<smartcustoms_core::traceability::Movement>> {
                let rows: Vec<String> =
                    sqlx::query_scalar(&sql("SELECT movement FROM batch_movements WHERE batch = $1 ORDER BY n"))
                        .bind(number.as_str())
                        .fetch_all(&self.pool)
                        .await?;
                rows.iter().map(|json| crate::traceability::movement(json)).collect()
            }

            async fn held_ever(
                &self,
                number: &smartcustoms_core::traceability::BatchNumber,
                trader: &TraderId,
            ) -> StoreResult<bool> {
                let found: Option<i64> = sqlx::query_scalar(&sql(
                    "SELECT CAST(1 AS BIGINT) FROM traced_batches WHERE number = $1 AND importer = $2 \
                     UNION ALL SELECT CAST(1 AS BIGINT) FROM batch_movements WHERE batch = $1 AND (holder_before = $2 OR holder_after = $2) \
                     LIMIT 1",
                ))
                .bind(number.as_str())
                .bind(trader.as_str())
                .fetch_optional(&self.pool)
                .await?;
                Ok(found.is_some())
            }

            async fn batch_states(
                &self,
                holder: Option<&TraderId>,
                limit: i64,
            ) -> StoreResult<Vec<smartcustoms_core::traceability::BatchState>> {
                let rows: Vec<(String, String)> = match holder {
                    Some(h) => sqlx::query_as(&sql(
                        "SELECT b.number, b.snapshot FROM traced_batches b JOIN batch_holdings h ON h.batch = b.number \
                         WHERE h.holder = $1 ORDER BY b.released_at_us DESC, b.number LIMIT $2",
                    ))
                    .bind(h.as_str())
                    .bind(limit)
                    .fetch_all(&self.pool)
                    .await?,
                    None => sqlx::query_as(&sql(
                        "SELECT number, snapshot FROM traced_batches ORDER BY released_at_us DESC, number LIMIT $1",
                    ))
                    .bind(limit)
                    .fetch_all(&self.pool)
                    .await?,
                };
                rows.iter().map(|(number, json)| crate::traceability::restore(number, json)).collect()
            }
        }
    };
}

pub(crate) use traceability_queries;
