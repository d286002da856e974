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
    /// Reports taken in (a sequence number stored before is skipped).
    pub reports: Vec<SealReportRow>,
    /// The incidents they (or time) changed, in the order of the changes.
    pub changes: Vec<AlertChange>,
}

/// Seal reports and incidents.
#[async_trait]
pub trait SealQueries: Send + Sync {
    /// Writes a batch of reports and the incidents they changed, with one audit entry per
    /// change, in one transaction.
    async fn record_seal_batch(&self, batch: &SealBatch) -> StoreResult<()>;

    /// The reports of a seal on a movement in the order they were received (to rebuild the
    /// seal's monitor).
    async fn seal_reports(&self, transit_id: &str, seal_id: &str) -> StoreResult<Vec<SealReportRow>>;

    /// A movement's track: its seals' reports in device time, at most `limit` (the newest).
    async fn seal_track(&self, transit_id: &str, limit: i64) -> StoreResult<Vec<SealReportRow>>;

    /// A movement's incidents, in the order they began.
    async fn seal_incidents(&self, transit_id: &str) -> StoreResult<Vec<IncidentRow>>;

    /// Open incidents of every movement, newest first, at most `limit`.
    async fn open_incidents(&self, limit: i64) -> StoreResult<Vec<IncidentRow>>;

    /// The movement a seal is on now: the newest accepted, in transit, in enquiry or arrived
    /// movement that lists it.
    async fn transit_of_seal(&self, seal_id: &str) -> StoreResult<Option<crate::transit::TransitRecord>>;
}

/// Implements [`SealQueries`] for a backend, where the identity area's `append_identity_audit`
/// is in scope. Needs in scope: `self.pool`, `self.begin_write()`, `sql(&str) -> Cow<str>`.
macro_rules! seal_queries {
    ($store:ty) => {
        #[async_trait]
        impl crate::seals::SealQueries for $store {
            #[tracing::instrument(skip_all, fields(reports = batch.reports.len(), changes = batch.changes.len()))]
            async fn record_seal_batch(&self, batch: &crate::seals::SealBatch) -> StoreResult<()> {
                /// Rows per statement: 11 parameters each, well under either backend's limit.
                const ROWS: usize = 500;
                let mut tx = self.begin_write().await?;
                for chunk in batch.reports.chunks(ROWS) {
                    let mut q = sqlx::QueryBuilder::new(
                        "INSERT INTO seal_reports (transit_id, seal_id, seq, device_at_us, received_at_us, lat, lon, \
                         battery, state, events, verdict) ",
                    );
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
                    q.push(" ON CONFLICT (transit_id, seal_id, seq) DO NOTHING");
                    q.build().execute(&mut *tx).await?;
                }
                for change in &batch.changes {
                    let i = &change.incident;
                    sqlx::query(&sql(
                        "INSERT INTO seal_incidents (transit_id, seal_id, number, kind, opened_at_us, opened_by, \
                         closed_at_us, closed_by, disproved, updated_at_us) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) \
                         ON CONFLICT (transit_id, seal_id, number) DO UPDATE SET opened_at_us = excluded.opened_at_us, \
                         opened_by = excluded.opened_by, closed_at_us = excluded.closed_at_us, closed_by = excluded.closed_by, \
                         disproved = excluded.disproved, updated_at_us = excluded.updated_at_us",
                    ))
                    .bind(&i.transit_id)
                    .bind(&i.seal_id)
                    .bind(i.number)
                    .bind(&i.kind)
                    .bind(i.opened_at_us.as_micros())
                    .bind(i.opened_by)
                    .bind(i.closed_at_us.map(Timestamp::as_micros))
                    .bind(i.closed_by)
                    .bind(i.disproved)
                    .bind(i.updated_at_us.as_micros())
                    .execute(&mut *tx)
                    .await?;
                    let details = serde_json::json!({
                        "transit": i.transit_id, "mrn": change.mrn, "seal": i.seal_id, "incident": i.number,
                        "kind": i.kind, "change": change.what, "opened_at_us": i.opened_at_us,
                        "opened_by": i.opened_by, "closed_at_us": i.closed_at_us, "closed_by": i.closed_by,
                        "disproved": i.disproved,
                    });
                    let action = smartcustoms_core::audit::Action::SealAlert;
                    append_identity_audit(
                        &mut tx,
                        crate::identity::identity_entry(i.updated_at_us, "system", action, details),
                    )
                    .await?;
                }
                tx.commit().await?;
                Ok(())
            }

            async fn seal_reports(
                &self,
                transit_id: &str,
                seal_id: &str,
            ) -> StoreResult<Vec<crate::seals::SealReportRow>> {
                Ok(sqlx::query_as(&sql(
                    "SELECT transit_id, seal_id, seq, device_at_us, received_at_us, lat, lon, battery, state, events, verdict \
                     FROM seal_reports WHERE transit_id = $1 AND seal_id = $2 ORDER BY received_at_us, seq",
                ))
                .bind(transit_id)
                .bind(seal_id)
                .fetch_all(&self.pool)
                .await?)
            }

            async fn seal_track(&self, transit_id: &str, limit: i64) -> StoreResult<Vec<crate::seals::SealReportRow>> {
                let mut rows: Vec<crate::seals::SealReportRow> = sqlx::query_as(&sql(
                    "SELECT transit_id, seal_id, seq, device_at_us, received_at_us, lat, lon, battery, state, events, verdict \
                     FROM seal_reports WHERE transit_id = $1 ORDER BY device_at_us DESC, seq DESC LIMIT $2",
                ))
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

            async fn transit_of_seal(&self, seal_id: &str) -> StoreResult<Option<crate::transit::TransitRecord>> {
                let columns = crate::transit::TRANSIT_COLUMNS.replace(", ", ", t.");
                Ok(sqlx::query_as(&sql(&format!(
                    "SELECT t.{columns} FROM transit_seals s JOIN transits t ON t.id = s.transit_id \
                     WHERE s.seal_id = $1 AND t.state IN ('accepted', 'in_transit', 'enquiry', 'arrived') \
                     ORDER BY t.filed_at_us DESC LIMIT 1"
                )))
                .bind(seal_id)
                .fetch_optional(&self.pool)
                .await?)
            }
        }
    };
}

pub(crate) use seal_queries;
