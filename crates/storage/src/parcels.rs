//! E-commerce parcels (E3): reading recorded parcels and files, an operator's data quality,
//! the recent consignments of sellers to buyers, and the register of VAT scheme numbers. A file
//! is recorded by the writing transaction in [`crate::parcels_tx`]. The SQL is the same on both
//! backends and is expanded into each by [`parcel_queries`].

use async_trait::async_trait;
use serde::Serialize;
use utoipa::ToSchema;

use smartcustoms_core::timestamp::Timestamp;

use crate::StoreResult;

/// A recorded file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema, sqlx::FromRow)]
pub struct BatchRecord {
    /// Its id.
    pub id: String,
    /// The operator.
    pub operator: String,
    /// SHA-256 of the file.
    pub sha256: String,
    /// Lines in the file.
    pub lines: i64,
    /// What became of its parcels when it was filed.
    #[serde(flatten)]
    #[sqlx(flatten)]
    pub counts: crate::parcels_tx::BatchCounts,
    /// The refused parcels with their reasons, JSON.
    pub refusals: String,
    /// When it was received.
    #[sqlx(try_from = "i64")]
    #[schema(value_type = i64)]
    pub received_at_us: Timestamp,
}

/// A recorded parcel.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema, sqlx::FromRow)]
pub struct ParcelRecord {
    /// Its id.
    pub id: String,
    /// The operator.
    pub operator: String,
    /// The marketplace's id.
    pub transaction_id: String,
    /// The file it came in.
    pub batch_id: String,
    /// HS subheading.
    pub hs6: String,
    /// Origin.
    pub origin: String,
    /// Value, EUR cents.
    pub value_eur_cents: i64,
    /// Duty, cents.
    pub duty_cents: i64,
    /// VAT, cents.
    pub vat_cents: i64,
    /// `released`, `held_documents` or `held_inspection` as filed, then `released` or `refused`
    /// once an officer decided.
    pub outcome: String,
    /// Flags, comma-separated.
    pub flags: String,
    /// The lane its risk assessment gave.
    pub lane: String,
    /// The reasons for the lane, one per line.
    pub reasons: String,
    /// The line as filed.
    pub document: String,
    /// When it was received.
    #[sqlx(try_from = "i64")]
    #[schema(value_type = i64)]
    pub received_at_us: Timestamp,
}

pub(crate) const PARCEL_COLUMNS: &str = "id, operator, transaction_id, batch_id, hs6, origin, value_eur_cents, \
     duty_cents, vat_cents, outcome, flags, lane, reasons, document, received_at_us";

/// A VAT scheme number as registered.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema, sqlx::FromRow)]
pub struct VatRegistration {
    /// The number.
    pub number: String,
    /// The seller it belongs to.
    pub seller: String,
    /// The seller as a key (`parcels::party_key`).
    pub seller_key: String,
    /// The registering country.
    pub country: String,
    /// Who registered it.
    pub registered_by: String,
    /// When.
    #[sqlx(try_from = "i64")]
    #[schema(value_type = i64)]
    pub registered_at_us: Timestamp,
}

/// The counts an operator's data quality is computed from: parcels, and those flagged with a
/// vague description, an implausible value, a misused VAT number.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, sqlx::FromRow)]
pub struct QualityCounts {
    /// Parcels recorded.
    pub parcels: i64,
    /// Flagged `vague_description`.
    pub vague: i64,
    /// Flagged `implausible_value`.
    pub implausible: i64,
    /// Flagged `vat_misuse`.
    pub vat_misuse: i64,
}

/// Parcels, files, data quality and VAT scheme numbers.
#[async_trait]
pub trait ParcelQueries: Send + Sync {
    /// One file.
    async fn parcel_batch(&self, id: &str) -> StoreResult<Option<BatchRecord>>;

    /// An operator's files, newest first.
    async fn parcel_batches(&self, operator: &str, limit: i64) -> StoreResult<Vec<BatchRecord>>;

    /// The parcels of a file, in the order recorded.
    async fn parcels_of_batch(&self, batch: &str, limit: i64) -> StoreResult<Vec<ParcelRecord>>;

    /// One parcel.
    async fn parcel(&self, id: &str) -> StoreResult<Option<ParcelRecord>>;

    /// The counts of an operator's data quality.
    async fn parcel_quality(&self, operator: &str) -> StoreResult<QualityCounts>;

    /// Value in EUR cents shipped since `since` by each (seller key, buyer key) pair whose buyer
    /// is one of `buyers`.
    async fn recent_consignments(&self, buyers: &[String], since: Timestamp)
        -> StoreResult<Vec<(String, String, i64)>>;

    /// Registers (or moves) a VAT scheme number, with an audit entry.
    async fn register_vat_number(&self, registration: &VatRegistration) -> StoreResult<()>;

    /// Every VAT scheme number.
    async fn vat_numbers(&self) -> StoreResult<Vec<VatRegistration>>;
}

/// Value shipped per (seller key, buyer key) since a time, for a list of buyers: written for each
/// backend.
#[async_trait]
pub(crate) trait Consignments {
    async fn recent(&self, buyers: &[String], since: Timestamp) -> StoreResult<Vec<(String, String, i64)>>;
}

#[async_trait]
impl Consignments for sqlx::PgPool {
    /// One index lookup per buyer, whatever the planner's statistics of a table growing by a
    /// file at a time say (with a list of buyers it came to scan the whole table per file).
    async fn recent(&self, buyers: &[String], since: Timestamp) -> StoreResult<Vec<(String, String, i64)>> {
        Ok(sqlx::query_as(
            "SELECT s.seller_key, b.key, s.total FROM UNNEST($1::text[]) AS b(key) \
             CROSS JOIN LATERAL (SELECT seller_key, CAST(SUM(value_eur_cents) AS BIGINT) AS total \
             FROM parcels WHERE buyer_key = b.key AND received_at_us >= $2 GROUP BY seller_key) s",
        )
        .bind(buyers)
        .bind(since.as_micros())
        .fetch_all(self)
        .await?)
    }
}

#[async_trait]
impl Consignments for sqlx::SqlitePool {
    async fn recent(&self, buyers: &[String], since: Timestamp) -> StoreResult<Vec<(String, String, i64)>> {
        let mut out = Vec::new();
        for chunk in buyers.chunks(500) {
            let mut q = sqlx::QueryBuilder::new(
                "SELECT seller_key, buyer_key, CAST(SUM(value_eur_cents) AS BIGINT) FROM parcels WHERE received_at_us >= ",
            );
            q.push_bind(since.as_micros()).push(" AND buyer_key IN (");
            let mut list = q.separated(", ");
            for b in chunk {
                list.push_bind(b.clone());
            }
            q.push(") GROUP BY seller_key, buyer_key");
            let rows: Vec<(String, String, i64)> = q.build_query_as().fetch_all(self).await?;
            out.extend(rows);
        }
        Ok(out)
    }
}

/// Implements [`ParcelQueries`] for a backend, where the identity area's
/// `append_identity_audit` is in scope. Needs in scope: `self.pool`, `self.begin_write()`,
/// `sql(&str) -> Cow<str>`.
macro_rules! parcel_queries {
    ($store:ty) => {
        #[async_trait]
        impl crate::parcels::ParcelQueries for $store {
            async fn parcel_batch(&self, id: &str) -> StoreResult<Option<crate::parcels::BatchRecord>> {
                Ok(sqlx::query_as(&sql(
                    "SELECT id, operator, sha256, lines, accepted, released, held, duplicates, refused, duty_cents, \
                     vat_cents, refusals, received_at_us FROM parcel_batches WHERE id = $1",
                ))
                .bind(id)
                .fetch_optional(&self.pool)
                .await?)
            }

            async fn parcel_batches(&self, operator: &str, limit: i64) -> StoreResult<Vec<crate::parcels::BatchRecord>> {
                Ok(sqlx::query_as(&sql(
                    "SELECT id, operator, sha256, lines, accepted, released, held, duplicates, refused, duty_cents, \
                     vat_cents, refusals, received_at_us FROM parcel_batches WHERE operator = $1 \
                     ORDER BY received_at_us DESC, id LIMIT $2",
                ))
                .bind(operator)
                .bind(limit)
                .fetch_all(&self.pool)
                .await?)
            }

            async fn parcels_of_batch(&self, batch: &str, limit: i64) -> StoreResult<Vec<crate::parcels::ParcelRecord>> {
                Ok(sqlx::query_as(&sql(&format!(
                    "SELECT {} FROM parcels WHERE batch_id = $1 ORDER BY id LIMIT $2",
                    crate::parcels::PARCEL_COLUMNS
                )))
                .bind(batch)
                .bind(limit)
                .fetch_all(&self.pool)
                .await?)
            }

            async fn parcel(&self, id: &str) -> StoreResult<Option<crate::parcels::ParcelRecord>> {
                Ok(sqlx::query_as(&sql(&format!(
                    "SELECT {} FROM parcels WHERE id = $1",
                    crate::parcels::PARCEL_COLUMNS
                )))
                .bind(id)
                .fetch_optional(&self.pool)
                .await?)
            }

            async fn parcel_quality(&self, operator: &str) -> StoreResult<crate::parcels::QualityCounts> {
                let counts = sqlx::query_as(&sql(
                    "SELECT parcels, vague, implausible, vat_misuse FROM parcel_quality WHERE operator = $1",
                ))
                .bind(operator)
                .fetch_optional(&self.pool)
                .await?;
                Ok(counts.unwrap_or_default())
            }

            async fn recent_consignments(
                &self,
                buyers: &[String],
                since: Timestamp,
            ) -> StoreResult<Vec<(String, String, i64)>> {
                crate::parcels::Consignments::recent(&self.pool, buyers, since).await
            }

            async fn register_vat_number(&self, r: &crate::parcels::VatRegistration) -> StoreResult<()> {
                let mut tx = self.begin_write().await?;
                sqlx::query(&sql(
                    "INSERT INTO vat_registrations (number, seller, seller_key, country, registered_by, registered_at_us) \
                     VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (number) DO UPDATE SET seller = excluded.seller, \
                     seller_key = excluded.seller_key, country = excluded.country, \
                     registered_by = excluded.registered_by, registered_at_us = excluded.registered_at_us",
                ))
                .bind(&r.number)
                .bind(&r.seller)
                .bind(&r.seller_key)
                .bind(&r.country)
                .bind(&r.registered_by)
                .bind(r.registered_at_us.as_micros())
                .execute(&mut *tx)
                .await?;
                let details = serde_json::json!({ "number": r.number, "seller": r.seller, "country": r.country });
                let action = smartcustoms_core::audit::Action::VatNumberRegistered;
                append_identity_audit(
                    &mut tx,
                    crate::identity::identity_entry(r.registered_at_us, &r.registered_by, action, details),
                )
                .await?;
                tx.commit().await?;
                Ok(())
            }

            async fn vat_numbers(&self) -> StoreResult<Vec<crate::parcels::VatRegistration>> {
                Ok(sqlx::query_as(
                    "SELECT number, seller, seller_key, country, registered_by, registered_at_us \
                     FROM vat_registrations ORDER BY number",
                )
                .fetch_all(&self.pool)
                .await?)
            }
        }
    };
}

pub(crate) use parcel_queries;
