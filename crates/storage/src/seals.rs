//! Navigation seals (D2): the reports seals sent on a movement, each kept once by sequence
//! number with the monitor's verdict, and the incidents (alerts) they showed, raised once and
//! amended or ended in place. A batch of reports with the incidents they changed and the audit
//! entries of those changes is one transaction. The SQL is the same on both backends and is
//! expanded into each by [`seal_queries`].

use async_trait::async_trait;
use serde::Serialize;
use utoipa::ToSchema;

use smartcustoms_core::timestamp::Timestamp;

use crate::StoreResult;

/// A seal's report as stored.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema, sqlx::FromRow)]
pub struct SealReportRow {
    /// The movement it was sent on.
    pub transit_id: String,
    /// The seal.
    pub seal_id: String,
    /// The seal's own counter.
    pub seq: i64,
    /// Device time of the fix.
    #[sqlx(try_from = "i64")]
    #[schema(value_type = i64)]
    pub device_at_us: Timestamp,
    /// When the platform received it.
    #[sqlx(try_from = "i64")]
    #[schema(value_type = i64)]
    pub received_at_us: Timestamp,
    /// Latitude, WGS 84 degrees.
    pub lat: f64,
    /// Longitude, WGS 84 degrees.
    pub lon: f64,
    /// Battery, percent.
    pub battery: f64,
    /// `closed` or `opened`.
    pub state: String,
    /// Event codes, separated by commas.
    pub events: String,
    /// The monitor's verdict: `accepted`, `late`, `duplicate`, or the code of its rejection
    /// (`SEAL_020`, `SEAL_021`), followed by the codes of what was flagged (`SEAL_030` …).
    pub verdict: String,
}

/// An incident of a sealed journey (an alert) as stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema, sqlx::FromRow)]
pub struct IncidentRow {
    /// The movement.
    pub transit_id: String,
    /// The seal that showed it.
    pub seal_id: String,
    /// Its number within the seal's journey, from 1.
    pub number: i64,
    /// `deviation`, `stop`, `opened`, `tamper`, `battery_low`, `signal_lost`, `overdue` or
    /// `malfunction`.
    pub kind: String,
    /// When it began.
    #[sqlx(try_from = "i64")]
    #[schema(value_type = i64)]
    pub opened_at_us: Timestamp,
    /// The report (`seq`) that showed it first; none for those time raises.
    pub opened_by: Option<i64>,
    /// When it ended, once over.
    #[sqlx(try_from = "crate::rows::NullableMicros")]
    #[schema(value_type = Option<i64>)]
    pub closed_at_us: Option<Timestamp>,
    /// The report that ended it.
    pub closed_by: Option<i64>,
    /// True when late reports showed it never happened (a signal loss the replayed buffer
    /// covered).
    pub disproved: bool,
    /// When it last changed.
    #[sqlx(try_from = "i64")]
    #[schema(value_type = i64)]
    pub updated_at_us: Timestamp,
}

/// A change of an incident to audit: the incident after the change, and what happened to it.
#[derive(Debug, Clone)]
pub struct AlertChange {
    /// `opened`, `closed` or `amended`.
    pub what: &'static str,
    /// The incident as it now stands.
    pub incident: IncidentRow,
    /// The movement's MRN (named in the audit entry).
    pub mrn: String,
}

/// What one batch writes.
#[derive(Debug, Clone, Default)]
pub struct SealBatch {
    /// Reports taken in, written to the log in the order received.
    pub reports: Vec<SealReportRow>,
    /// Reports of the log placed by movement, seal and sequence number (a report placed
    /// before is skipped), each seal's several together.
    pub placed: Vec<SealReportRow>,
    /// Reports received before this instant that are placed leave the log (the oldest
    /// [`TRIM_AT_MOST`] of them at most).
    pub log_before: Option<Timestamp>,
    /// The incidents the reports (or time) changed, in the order of the changes.
    pub changes: Vec<AlertChange>,
}

impl SealBatch {
    /// True when the batch writes nothing.
    pub fn is_empty(&self) -> bool {
        self.reports.is_empty() && self.placed.is_empty() && self.log_before.is_none() && self.changes.is_empty()
    }

    /// Adds `other`'s writes after this batch's (the later bound of the log wins).
    pub fn append(&mut self, other: SealBatch) {
        self.reports.extend(other.reports);
        self.placed.extend(other.placed);
        self.log_before = self.log_before.max(other.log_before);
        self.changes.extend(other.changes);
    }
}

/// A seal and the movement it is on now.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct SealTransit {
    /// The seal.
    pub seal_id: String,
    /// Its movement.
    #[sqlx(flatten)]
    pub transit: crate::transit::TransitRecord,
}

/// Seal reports and incidents.
#[async_trait]
pub trait SealQueries: Send + Sync {
    /// Writes a batch of reports, the placed ones and the incidents they changed, with one
    /// audit entry per change, in one transaction.
    async fn record_seal_batch(&self, batch: &SealBatch) -> StoreResult<()>;

    /// The placed reports of the movements, by movement and seal, each seal's in the order
    /// received.
    async fn placed_seal_reports(&self, transit_ids: &[String]) -> StoreResult<Vec<SealReportRow>>;

    /// The reports of the log not yet placed, in the order received.
    async fn seal_log(&self) -> StoreResult<Vec<SealReportRow>>;

    /// A movement's track: its seals' reports in device time, at most `limit` (the newest).
    async fn seal_track(&self, transit_id: &str, limit: i64) -> StoreResult<Vec<SealReportRow>>;

    /// A movement's incidents, in the order they began.
    async fn seal_incidents(&self, transit_id: &str) -> StoreResult<Vec<IncidentRow>>;

    /// Open incidents of every movement, newest first, at most `limit`.
    async fn open_incidents(&self, limit: i64) -> StoreResult<Vec<IncidentRow>>;

    /// The movement each seal is on now: the newest accepted, in transit, in enquiry or
    /// arrived movement that lists it (seals on none are left out).
    async fn transits_of_seals(&self, seal_ids: &[String]) -> StoreResult<Vec<SealTransit>>;
}

/// The columns of a stored report, in [`SealReportRow`]'s order.
pub(crate) const REPORT_COLUMNS: &str =
    "transit_id, seal_id, seq, device_at_us, received_at_us, lat, lon, battery, state, events, verdict";

/// Rows of the log one batch trims at most.
pub(crate) const TRIM_AT_MOST: i64 = 8_192;

/// Keys bound per `IN` list: far under SQLite's limit of parameters.
pub(crate) const KEYS_PER_QUERY: usize = 1000;

/// The query `head` (which ends in `IN (`) with `keys` bound as its list, then `tail`.
pub(crate) fn keyed<'k, DB: sqlx::Database>(head: String, keys: &'k [String], tail: &str) -> sqlx::QueryBuilder<'k, DB>
where
    &'k str: sqlx::Encode<'k, DB> + sqlx::Type<DB>,
{
    let mut q = sqlx::QueryBuilder::new(head);
    let mut list = q.separated(", ");
    for key in keys {
        list.push_bind(key.as_str());
    }
    q.push(tail);
    q
}

/// Implements [`SealQueries`] for a backend, where the identity area's `append_identity_audits`
/// is in scope. Needs in scope: `self.pool`, `self.begin_write()`, `sql(&str) -> Cow<str>`,
/// `BEFORE_SEAL_TRIM`.
macro_rules! seal_queries {
    ($store:ty) => {
        /// Inserts reports into `table` (`seal_log` or `seal_reports`), a report already
        /// there skipped.
        async fn insert_seal_reports(
            tx: &mut sqlx::Transaction<'static, <$store as crate::identity::Backend>::Db>,
            table: &str,
            rows: &[crate::seals::SealReportRow],
        ) -> StoreResult<()> {
            /// Rows per statement: 11 parameters each, well under either backend's limit.
            const ROWS: usize = 500;
            for chunk in rows.chunks(ROWS) {
                let mut q = sqlx::QueryBuilder::new(format!(
                    "INSERT INTO {table} ({}) ",
                    crate::seals::REPORT_COLUMNS
                ));
                q.push_values(chunk, |mut b, r| {
                    b.push_bind(r.transit_id.clone())
                        .push_bind(r.seal_id.clone())
                        .push_bind(r.seq)
                        .push_bind(r.device_at_us.as_micros())
                        .push_bind(r.received_at_us.as_micros())
                        .push_bind(r.lat)
                        .push_bind(r.lon)
                        .push_bind(r.battery)
                        .push_bind(r.state.clone())
                        .push_bind(r.events.clone())
                        .push_bind(r.verdict.clone());
                });
                if table == "seal_reports" {
                    q.push(" ON CONFLICT (transit_id, seal_id, seq) DO NOTHING");
                }
                q.build().execute(&mut **tx).await?;
            }
            Ok(())
        }

        #[async_trait]
        impl crate::seals::SealQueries for $store {
            #[tracing::instrument(skip_all, fields(reports = batch.reports.len(), placed = batch.placed.len(), changes = batch.changes.len()))]
            async fn record_seal_batch(&self, batch: &crate::seals::SealBatch) -> StoreResult<()> {
                /// Incidents per statement: 10 parameters each.
                const INCIDENTS: usize = 500;
                let started = std::time::Instant::now();
                let mut tx = self.begin_write().await?;
                let began = started.elapsed();
                insert_seal_reports(&mut tx, "seal_log", &batch.reports).await?;
                let logged = started.elapsed();
                insert_seal_reports(&mut tx, "seal_reports", &batch.placed).await?;
                let placed = started.elapsed();
                if let Some(before) = batch.log_before {
                    for statement in BEFORE_SEAL_TRIM {
                        sqlx::query(statement).execute(&mut *tx).await?;
                    }
                    // At most TRIM_AT_MOST rows go at once: a log that grew while the seals
                    // placed nothing is trimmed over several batches rather than in one long
                    // transaction that holds up the reports behind it.
                    let cut: Option<i64> = sqlx::query_scalar(&sql(
                        "SELECT received_at_us FROM seal_log WHERE received_at_us < $1 ORDER BY received_at_us \
                         LIMIT 1 OFFSET $2",
                    ))
                    .bind(before.as_micros())
                    .bind(crate::seals::TRIM_AT_MOST)
                    .fetch_optional(&mut *tx)
                    .await?;
                    let before = cut.map_or(before.as_micros(), |c| c.min(before.as_micros()));
                    // Only what is placed leaves the log, whatever the caller believed.
                    sqlx::query(&sql(
                        "DELETE FROM seal_log WHERE received_at_us < $1 AND EXISTS (SELECT 1 FROM seal_reports r \
                         WHERE r.transit_id = seal_log.transit_id AND r.seal_id = seal_log.seal_id AND r.seq = seal_log.seq)",
                    ))
                    .bind(before)
                    .execute(&mut *tx)
                    .await?;
                }
                // An incident changed twice in the batch is written as it ends up (one
                // statement cannot write a row twice); each change is audited.
                let mut last = std::collections::HashMap::new();
                for (n, c) in batch.changes.iter().enumerate() {
                    last.insert((&c.incident.transit_id, &c.incident.seal_id, c.incident.number), n);
                }
                let mut finals: Vec<usize> = last.into_values().collect();
                finals.sort_unstable();
                for chunk in finals.chunks(INCIDENTS) {
                    let mut q = sqlx::QueryBuilder::new(
                        "INSERT INTO seal_incidents (transit_id, seal_id, number, kind, opened_at_us, opened_by, \
                         closed_at_us, closed_by, disproved, updated_at_us) ",
                    );
                    q.push_values(chunk, |mut b, &n| {
                        let i = &batch.changes[n].incident;
                        b.push_bind(i.transit_id.clone())
                            .push_bind(i.seal_id.clone())
                            .push_bind(i.number)
                            .push_bind(i.kind.clone())
                            .push_bind(i.opened_at_us.as_micros())
                            .push_bind(i.opened_by)
                            .push_bind(i.closed_at_us.map(Timestamp::as_micros))
                            .push_bind(i.closed_by)
                            .push_bind(i.disproved)
                            .push_bind(i.updated_at_us.as_micros());
                    });
                    q.push(
                        " ON CONFLICT (transit_id, seal_id, number) DO UPDATE SET opened_at_us = excluded.opened_at_us, \
                         opened_by = excluded.opened_by, closed_at_us = excluded.closed_at_us, closed_by = excluded.closed_by, \
                         disproved = excluded.disproved, updated_at_us = excluded.updated_at_us",
                    );
                    q.build().execute(&mut *tx).await?;
                }
                let entries = batch
                    .changes
                    .iter()
                    .map(|change| {
                        let i = &change.incident;
                        let details = serde_json::json!({
                            "transit": i.transit_id, "mrn": change.mrn, "seal": i.seal_id, "incident": i.number,
                            "kind": i.kind, "change": change.what, "opened_at_us": i.opened_at_us,
                            "opened_by": i.opened_by, "closed_at_us": i.closed_at_us, "closed_by": i.closed_by,
                            "disproved": i.disproved,
                        });
                        let action = smartcustoms_core::audit::Action::SealAlert;
                        crate::identity::identity_entry(i.updated_at_us, "system", action, details)
                    })
                    .collect();
                let trimmed = started.elapsed();
                append_identity_audits(&mut tx, entries).await?;
                let written = started.elapsed();
                tx.commit().await?;
                let ms = |d: std::time::Duration| d.as_secs_f64() * 1e3;
                tracing::debug!(
                    begin_ms = ms(began),
                    log_ms = ms(logged - began),
                    place_ms = ms(placed - logged),
                    trim_and_incidents_ms = ms(trimmed - placed),
                    audit_ms = ms(written - trimmed),
                    commit_ms = ms(started.elapsed() - written),
                    "seal batch written"
                );
                Ok(())
            }

            async fn placed_seal_reports(&self, transit_ids: &[String]) -> StoreResult<Vec<crate::seals::SealReportRow>> {
                let mut rows = Vec::new();
                for chunk in transit_ids.chunks(crate::seals::KEYS_PER_QUERY) {
                    let mut q = crate::seals::keyed(
                        format!("SELECT {} FROM seal_reports WHERE transit_id IN (", crate::seals::REPORT_COLUMNS),
                        chunk,
                        ") ORDER BY transit_id, seal_id, received_at_us, seq",
                    );
                    rows.extend(q.build_query_as::<crate::seals::SealReportRow>().fetch_all(&self.pool).await?);
                }
                Ok(rows)
            }

            async fn seal_log(&self) -> StoreResult<Vec<crate::seals::SealReportRow>> {
                Ok(sqlx::query_as(&format!(
                    "SELECT {} FROM seal_log ORDER BY received_at_us, seq",
                    crate::seals::REPORT_COLUMNS
                ))
                .fetch_all(&self.pool)
                .await?)
            }

            async fn seal_track(&self, transit_id: &str, limit: i64) -> StoreResult<Vec<crate::seals::SealReportRow>> {
                let columns = crate::seals::REPORT_COLUMNS;
                let mut rows: Vec<crate::seals::SealReportRow> = sqlx::query_as(&sql(&format!(
                    "SELECT {columns} FROM (SELECT {columns} FROM seal_reports WHERE transit_id = $1 \
                     UNION ALL SELECT {columns} FROM seal_log l WHERE transit_id = $1 AND NOT EXISTS \
                     (SELECT 1 FROM seal_reports r WHERE r.transit_id = l.transit_id AND r.seal_id = l.seal_id AND r.seq = l.seq)) \
                     AS track ORDER BY device_at_us DESC, seq DESC LIMIT $2"
                )))
                .bind(transit_id)
                .bind(limit)
                .fetch_all(&self.pool)
                .await?;
                rows.reverse();
                Ok(rows)
            }

            async fn seal_incidents(&self, transit_id: &str) -> StoreResult<Vec<crate::seals::IncidentRow>> {
                Ok(sqlx::query_as(&sql(
                    "SELECT transit_id, seal_id, number, kind, opened_at_us, opened_by, closed_at_us, closed_by, disproved, \
                     updated_at_us FROM seal_incidents WHERE transit_id = $1 ORDER BY opened_at_us, seal_id, number",
                ))
                .bind(transit_id)
                .fetch_all(&self.pool)
                .await?)
            }

            async fn open_incidents(&self, limit: i64) -> StoreResult<Vec<crate::seals::IncidentRow>> {
                Ok(sqlx::query_as(&sql(
                    "SELECT transit_id, seal_id, number, kind, opened_at_us, opened_by, closed_at_us, closed_by, disproved, \
                     updated_at_us FROM seal_incidents WHERE closed_at_us IS NULL ORDER BY opened_at_us DESC LIMIT $1",
                ))
                .bind(limit)
                .fetch_all(&self.pool)
                .await?)
            }

            async fn transits_of_seals(&self, seal_ids: &[String]) -> StoreResult<Vec<crate::seals::SealTransit>> {
                let columns = crate::transit::TRANSIT_COLUMNS.replace(", ", ", t.");
                let mut found: Vec<crate::seals::SealTransit> = Vec::new();
                for chunk in seal_ids.chunks(crate::seals::KEYS_PER_QUERY) {
                    let mut q = crate::seals::keyed(
                        format!(
                            "SELECT s.seal_id, t.{columns} FROM transit_seals s JOIN transits t ON t.id = s.transit_id \
                             WHERE t.state IN ('accepted', 'in_transit', 'enquiry', 'arrived') AND s.seal_id IN ("
                        ),
                        chunk,
                        ") ORDER BY s.seal_id, t.filed_at_us DESC",
                    );
                    found.extend(q.build_query_as::<crate::seals::SealTransit>().fetch_all(&self.pool).await?);
                }
                // The newest movement of each seal.
                found.dedup_by(|later, first| later.seal_id == first.seal_id);
                Ok(found)
            }
        }
    };
}

pub(crate) use seal_queries;
