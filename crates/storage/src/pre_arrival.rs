//! Pre-arrival information (A7): what carriers and forwarders announce before goods arrive,
//! with the preliminary decision on the form of control taken when it was filed. Filing is
//! idempotent by the filer's reference. The SQL is the same on both backends and is expanded
//! into each by [`pre_arrival_queries`].

use async_trait::async_trait;
use serde::Serialize;
use utoipa::ToSchema;

use smartcustoms_core::ids::TraderId;
use smartcustoms_core::timestamp::Timestamp;

use crate::StoreResult;

/// Pre-arrival information as stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema, sqlx::FromRow)]
pub struct PreArrivalRecord {
    /// Its id.
    pub id: String,
    /// Who filed it.
    pub filer: String,
    /// The filer's reference.
    pub reference: String,
    /// Office of first entry.
    pub office_of_entry: String,
    /// Transport document number.
    pub transport_document: String,
    /// The means of transport (vehicle registration, vessel, flight).
    pub means_id: String,
    /// Expected arrival.
    #[sqlx(try_from = "i64")]
    #[schema(value_type = i64)]
    pub expected_arrival_at_us: Timestamp,
    /// The preliminary decision as JSON (`control`, `place`, `reasons`).
    pub decision: String,
    /// The form of control decided: `none`, `documents` or `inspection`.
    pub control: String,
    /// When it was filed.
    #[sqlx(try_from = "i64")]
    #[schema(value_type = i64)]
    pub filed_at_us: Timestamp,
}

/// The columns a [`PreArrivalRecord`] is read from.
pub(crate) const PRE_ARRIVAL_COLUMNS: &str =
    "id, filer, reference, office_of_entry, transport_document, means_id, expected_arrival_at_us, decision, control, filed_at_us";

/// What filing pre-arrival information did.
#[derive(Debug, Clone)]
pub enum PreArrivalFiled {
    /// Recorded now.
    New(PreArrivalRecord),
    /// The reference was filed before: that record, with its document.
    Existing(PreArrivalRecord, Vec<u8>),
}

/// The query of [`PreArrivalQueries::pre_arrivals_of_many_means`] for `n` means of transport
/// (`$1` and `$2` the window, then the means).
pub(crate) fn many_means_query(n: usize) -> String {
    let list = (3..n + 3).map(|i| format!("${i}")).collect::<Vec<_>>().join(", ");
    format!(
        "SELECT {PRE_ARRIVAL_COLUMNS} FROM pre_arrivals \
         WHERE expected_arrival_at_us BETWEEN $1 AND $2 AND means_id IN ({list}) \
         ORDER BY means_id, expected_arrival_at_us, id"
    )
}

/// Most records a lookup of one means of transport gives (a few trips a week per vehicle).
pub const PRE_ARRIVALS_PER_MEANS: usize = 20;

/// The query of [`PreArrivalQueries::pre_arrivals_of_means`] (`$1` and `$2` the window, `$3`
/// the means), bounded to [`PRE_ARRIVALS_PER_MEANS`] records; made once.
pub(crate) static ONE_MEANS_QUERY: std::sync::LazyLock<String> = std::sync::LazyLock::new(|| {
    format!(
        "SELECT {PRE_ARRIVAL_COLUMNS} FROM pre_arrivals \
         WHERE means_id = $3 AND expected_arrival_at_us BETWEEN $1 AND $2 \
         ORDER BY expected_arrival_at_us, id LIMIT {PRE_ARRIVALS_PER_MEANS}"
    )
});

/// Pre-arrival information.
#[async_trait]
pub trait PreArrivalQueries: Send + Sync {
    /// Records pre-arrival information with its decision and audit entry, unless the filer's
    /// reference is taken (then the record made before).
    async fn file_pre_arrival(
        &self,
        record: &PreArrivalRecord,
        document: &[u8],
        signature: Option<&str>,
    ) -> StoreResult<PreArrivalFiled>;

    /// One record by id.
    async fn pre_arrival(&self, id: &str) -> StoreResult<Option<PreArrivalRecord>>;

    /// A record's document as filed.
    async fn pre_arrival_document(&self, id: &str) -> StoreResult<Option<Vec<u8>>>;

    /// Records, newest first: a filer's, or everyone's.
    async fn pre_arrivals(&self, filer: Option<&TraderId>, limit: i64) -> StoreResult<Vec<PreArrivalRecord>>;

    /// The records announcing a means of transport arriving between `from` and `to`, in order
    /// of expected arrival (at most [`PRE_ARRIVALS_PER_MEANS`]).
    async fn pre_arrivals_of_means(
        &self,
        means_id: &str,
        from: Timestamp,
        to: Timestamp,
    ) -> StoreResult<Vec<PreArrivalRecord>>;

    /// Every record announcing any of `means` arriving between `from` and `to`, by means of
    /// transport and then in order of expected arrival: the lookups of many filings in one
    /// query, each of which keeps the records of its own window (a few trips a week per vehicle).
    async fn pre_arrivals_of_many_means(
        &self,
        means: &[&str],
        from: Timestamp,
        to: Timestamp,
    ) -> StoreResult<Vec<PreArrivalRecord>>;

    /// [`Self::pre_arrivals_of_means`] answered on the calling thread, without waiting, when
    /// the backend can (SQLite reads its file in tens of microseconds); none when the query has
    /// to be awaited (PostgreSQL, over the network), and is then worth making for many lookups
    /// at once ([`Self::pre_arrivals_of_many_means`]).
    fn pre_arrivals_here(
        &self,
        means_id: &str,
        from: Timestamp,
        to: Timestamp,
    ) -> Option<StoreResult<Vec<PreArrivalRecord>>>;
}

/// Implements [`PreArrivalQueries`] for a backend, where the identity area's
/// `append_identity_audit` is in scope. Needs in scope: `self.pool`, `self.begin_write()`,
/// `self.pre_arrivals_on_this_thread()`, `sql(&str) -> Cow<str>`.
macro_rules! pre_arrival_queries {
    ($store:ty) => {
        #[async_trait]
        impl crate::pre_arrival::PreArrivalQueries for $store {
            async fn file_pre_arrival(
                &self,
                r: &crate::pre_arrival::PreArrivalRecord,
                document: &[u8],
                signature: Option<&str>,
            ) -> StoreResult<crate::pre_arrival::PreArrivalFiled> {
                let mut tx = self.begin_write().await?;
                let earlier: Option<(String, Vec<u8>)> =
                    sqlx::query_as(&sql("SELECT id, document FROM pre_arrivals WHERE filer = $1 AND reference = $2"))
                        .bind(&r.filer)
                        .bind(&r.reference)
                        .fetch_optional(&mut *tx)
                        .await?;
                if let Some((id, document)) = earlier {
                    let record: crate::pre_arrival::PreArrivalRecord = sqlx::query_as(&sql(&format!(
                        "SELECT {} FROM pre_arrivals WHERE id = $1",
                        crate::pre_arrival::PRE_ARRIVAL_COLUMNS
                    )))
                    .bind(&id)
                    .fetch_one(&mut *tx)
                    .await?;
                    return Ok(crate::pre_arrival::PreArrivalFiled::Existing(record, document));
                }
                sqlx::query(&sql(
                    "INSERT INTO pre_arrivals (id, filer, reference, office_of_entry, transport_document, means_id, \
                     expected_arrival_at_us, decision, control, document, signature, filed_at_us) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)",
                ))
                .bind(&r.id)
                .bind(&r.filer)
                .bind(&r.reference)
                .bind(&r.office_of_entry)
                .bind(&r.transport_document)
                .bind(&r.means_id)
                .bind(r.expected_arrival_at_us.as_micros())
                .bind(&r.decision)
                .bind(&r.control)
                .bind(document)
                .bind(signature)
                .bind(r.filed_at_us.as_micros())
                .execute(&mut *tx)
                .await?;
                let details = serde_json::json!({
                    "pre_arrival": r.id, "reference": r.reference, "transport_document": r.transport_document,
                    "means_id": r.means_id, "office_of_entry": r.office_of_entry,
                    "decision": serde_json::from_str::<serde_json::Value>(&r.decision).unwrap_or(serde_json::Value::Null),
                });
                let action = smartcustoms_core::audit::Action::PreArrivalFiled;
                append_identity_audit(&mut tx, crate::identity::identity_entry(r.filed_at_us, &r.filer, action, details))
                    .await?;
                tx.commit().await?;
                Ok(crate::pre_arrival::PreArrivalFiled::New(r.clone()))
            }

            async fn pre_arrival(&self, id: &str) -> StoreResult<Option<crate::pre_arrival::PreArrivalRecord>> {
                Ok(sqlx::query_as(&sql(&format!(
                    "SELECT {} FROM pre_arrivals WHERE id = $1",
                    crate::pre_arrival::PRE_ARRIVAL_COLUMNS
                )))
                .bind(id)
                .fetch_optional(&self.pool)
                .await?)
            }

            async fn pre_arrival_document(&self, id: &str) -> StoreResult<Option<Vec<u8>>> {
                Ok(sqlx::query_scalar(&sql("SELECT document FROM pre_arrivals WHERE id = $1"))
                    .bind(id)
                    .fetch_optional(&self.pool)
                    .await?)
            }

            async fn pre_arrivals(
                &self,
                filer: Option<&TraderId>,
                limit: i64,
            ) -> StoreResult<Vec<crate::pre_arrival::PreArrivalRecord>> {
                let columns = crate::pre_arrival::PRE_ARRIVAL_COLUMNS;
                Ok(match filer {
                    Some(f) => sqlx::query_as(&sql(&format!(
                        "SELECT {columns} FROM pre_arrivals WHERE filer = $1 ORDER BY filed_at_us DESC, id LIMIT $2"
                    )))
                    .bind(f.as_str())
                    .bind(limit)
                    .fetch_all(&self.pool)
                    .await?,
                    None => sqlx::query_as(&sql(&format!(
                        "SELECT {columns} FROM pre_arrivals ORDER BY filed_at_us DESC, id LIMIT $1"
                    )))
                    .bind(limit)
                    .fetch_all(&self.pool)
                    .await?,
                })
            }

            fn pre_arrivals_here(
                &self,
                means_id: &str,
                from: Timestamp,
                to: Timestamp,
            ) -> Option<StoreResult<Vec<crate::pre_arrival::PreArrivalRecord>>> {
                self.pre_arrivals_on_this_thread(means_id, from, to)
            }

            async fn pre_arrivals_of_means(
                &self,
                means_id: &str,
                from: Timestamp,
                to: Timestamp,
            ) -> StoreResult<Vec<crate::pre_arrival::PreArrivalRecord>> {
                if let Some(found) = self.pre_arrivals_here(means_id, from, to) {
                    return found;
                }
                Ok(sqlx::query_as(&sql(&crate::pre_arrival::ONE_MEANS_QUERY))
                    .bind(from.as_micros())
                    .bind(to.as_micros())
                    .bind(means_id)
                    .fetch_all(&self.pool)
                    .await?)
            }

            async fn pre_arrivals_of_many_means(
                &self,
                means: &[&str],
                from: Timestamp,
                to: Timestamp,
            ) -> StoreResult<Vec<crate::pre_arrival::PreArrivalRecord>> {
                if means.is_empty() {
                    return Ok(Vec::new());
                }
                let text = crate::pre_arrival::many_means_query(means.len());
                let text = sql(&text);
                let mut query = sqlx::query_as(&text).bind(from.as_micros()).bind(to.as_micros());
                for m in means {
                    query = query.bind(*m);
                }
                Ok(query
                .fetch_all(&self.pool)
                .await?)
            }
        }
    };
}

pub(crate) use pre_arrival_queries;
