//! The versioned tariff and the price observations behind the price reference. The SQL is the same
//! on both backends and is expanded into each by [`tariff_queries`].

use async_trait::async_trait;
use serde::Serialize;
use utoipa::ToSchema;

use smartcustoms_core::timestamp::Timestamp;

use crate::StoreResult;

/// A tariff entry kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, serde::Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum TariffKind {
    /// A measure.
    Measure,
    /// A country group.
    Group,
    /// An exchange rate.
    Rate,
}

impl TariffKind {
    /// Stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            TariffKind::Measure => "measure",
            TariffKind::Group => "group",
            TariffKind::Rate => "rate",
        }
    }

    /// Parses the stored name.
    pub fn parse(s: &str) -> Option<TariffKind> {
        [TariffKind::Measure, TariffKind::Group, TariffKind::Rate].into_iter().find(|k| k.as_str() == s)
    }
}

/// A new version of a tariff entry.
#[derive(Debug, Clone, PartialEq)]
pub struct NewTariffEntry {
    /// Kind.
    pub kind: TariffKind,
    /// Stable key (measure id, group code, `CURRENCY/valid_from` for a rate).
    pub key: String,
    /// The entry as JSON.
    pub body: serde_json::Value,
    /// True to withdraw the entry.
    pub withdrawn: bool,
}

/// A stored version of a tariff entry.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct TariffEntryRecord {
    /// Kind.
    pub kind: TariffKind,
    /// Key.
    pub key: String,
    /// Version, from 1.
    pub version: i64,
    /// The entry.
    #[schema(value_type = Object)]
    pub body: serde_json::Value,
    /// Withdrawn in this version.
    pub withdrawn: bool,
    /// Who changed it.
    pub author: String,
    /// When.
    pub created_at_us: Timestamp,
}

/// A released declaration the price reference learns from.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct PriceSource {
    /// Declaration id.
    pub id: String,
    /// The exact bytes filed.
    pub document: Vec<u8>,
    /// The duty calculation with the customs value of each item (JSON).
    pub duties: Option<String>,
}

/// A price observation row.
#[derive(Debug, Clone, PartialEq)]
pub struct PriceRow {
    /// HS subheading.
    pub hs6: String,
    /// Country of origin.
    pub origin: String,
    /// EUR per kg.
    pub value_per_kg: Option<rust_decimal::Decimal>,
    /// EUR per unit.
    pub value_per_unit: Option<rust_decimal::Decimal>,
    /// Where it comes from.
    pub source: String,
}

/// The tariff area of the storage interface.
#[async_trait]
pub trait TariffQueries {
    /// Stores new versions of tariff entries in one transaction and returns them.
    async fn add_tariff_entries(
        &self,
        entries: &[NewTariffEntry],
        author: &str,
        at_us: Timestamp,
    ) -> StoreResult<Vec<TariffEntryRecord>>;

    /// The latest version of every tariff entry (withdrawn ones included, flagged).
    async fn tariff_entries(&self) -> StoreResult<Vec<TariffEntryRecord>>;

    /// Every version of one tariff entry, oldest first.
    async fn tariff_history(&self, kind: TariffKind, key: &str) -> StoreResult<Vec<TariffEntryRecord>>;

    /// Adds price observations; with `cursor = (from, to)`, also moves the price cursor from
    /// `from` to `to` in the same transaction, only if it still stands at `from` (otherwise
    /// `Conflict` and nothing is added: another process added these declarations).
    async fn add_price_observations(&self, rows: &[PriceRow], cursor: Option<(&str, &str)>) -> StoreResult<u64>;

    /// The id of the last released declaration whose items are in the price observations.
    async fn price_cursor(&self) -> StoreResult<String>;

    /// Every price observation.
    async fn price_observations(&self) -> StoreResult<Vec<PriceRow>>;

    /// Released declarations with an id after `after`, at most `limit`: id, document, duties JSON.
    async fn price_sources(&self, after: &str, limit: i64) -> StoreResult<Vec<PriceSource>>;
}

/// Implements [`TariffQueries`] for a backend.
/// Needs in scope: `self.pool`, `self.begin_write()`, `sql(&str) -> Cow<str>`, `Row`,
/// `SERIALISE_PROFILE_CODE`.
macro_rules! tariff_queries {
    ($store:ty) => {
        #[async_trait]
        impl crate::tariff::TariffQueries for $store {
        async fn add_tariff_entries(
            &self,
            entries: &[NewTariffEntry],
            author: &str,
            at_us: Timestamp,
        ) -> StoreResult<Vec<TariffEntryRecord>> {
            let mut tx = self.begin_write().await?;
            let mut out = Vec::with_capacity(entries.len());
            for e in entries {
                let last: Option<i64> =
                    sqlx::query_scalar(&sql("SELECT MAX(version) FROM tariff_entries WHERE kind = $1 AND key = $2"))
                        .bind(e.kind.as_str())
                        .bind(&e.key)
                        .fetch_one(&mut *tx)
                        .await?;
                let version = last.unwrap_or(0) + 1;
                sqlx::query(&sql(
                    "INSERT INTO tariff_entries (kind, key, version, body, withdrawn, author, created_at_us) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7)",
                ))
                .bind(e.kind.as_str())
                .bind(&e.key)
                .bind(version)
                .bind(e.body.to_string())
                .bind(e.withdrawn)
                .bind(author)
                .bind(at_us.as_micros())
                .execute(&mut *tx)
                .await
                .map_err(|err| crate::taken(err, || format!("tariff entry {} changed concurrently; retry", e.key)))?;
                out.push(TariffEntryRecord {
                    kind: e.kind,
                    key: e.key.clone(),
                    version,
                    body: e.body.clone(),
                    withdrawn: e.withdrawn,
                    author: author.to_string(),
                    created_at_us: at_us,
                });
            }
            tx.commit().await?;
            Ok(out)
        }

        async fn tariff_entries(&self) -> StoreResult<Vec<TariffEntryRecord>> {
            let rows: Vec<crate::rows::TariffEntryRow> = sqlx::query_as(
                "SELECT t.* FROM tariff_entries t JOIN (SELECT kind, key, MAX(version) AS version FROM tariff_entries \
                 GROUP BY kind, key) latest ON latest.kind = t.kind AND latest.key = t.key AND latest.version = t.version \
                 ORDER BY t.kind, t.key",
            )
            .fetch_all(&self.pool)
            .await?;
            crate::rows::Parse::parse_all(rows)
        }

        async fn tariff_history(&self, kind: TariffKind, key: &str) -> StoreResult<Vec<TariffEntryRecord>> {
            let rows: Vec<crate::rows::TariffEntryRow> = sqlx::query_as(&sql("SELECT * FROM tariff_entries WHERE kind = $1 AND key = $2 ORDER BY version"))
                    .bind(kind.as_str())
                    .bind(key)
                    .fetch_all(&self.pool)
                    .await?;
            crate::rows::Parse::parse_all(rows)
        }

        async fn add_price_observations(&self, rows: &[PriceRow], cursor: Option<(&str, &str)>) -> StoreResult<u64> {
            let mut tx = self.begin_write().await?;
            for chunk in rows.chunks(500) {
                let mut q = sqlx::QueryBuilder::new(
                    "INSERT INTO price_observations (hs6, origin, value_per_kg, value_per_unit, source) ",
                );
                q.push_values(chunk, |mut b, r| {
                    b.push_bind(&r.hs6)
                        .push_bind(&r.origin)
                        .push_bind(r.value_per_kg.map(|d| d.to_string()))
                        .push_bind(r.value_per_unit.map(|d| d.to_string()))
                        .push_bind(&r.source);
                });
                q.build().execute(&mut *tx).await?;
            }
            if let Some((from, to)) = cursor {
                let moved = sqlx::query(&sql(
                    "UPDATE price_cursor SET last_declaration = $1 WHERE id = 1 AND last_declaration = $2",
                ))
                .bind(to)
                .bind(from)
                .execute(&mut *tx)
                .await?
                .rows_affected();
                if moved != 1 {
                    return Err(StoreError::Conflict("the price cursor has moved".into()));
                }
            }
            tx.commit().await?;
            Ok(rows.len() as u64)
        }

        async fn price_cursor(&self) -> StoreResult<String> {
            Ok(sqlx::query_scalar("SELECT last_declaration FROM price_cursor WHERE id = 1").fetch_one(&self.pool).await?)
        }

        async fn price_observations(&self) -> StoreResult<Vec<PriceRow>> {
            let rows: Vec<(String, String, Option<String>, Option<String>, String)> =
                sqlx::query_as("SELECT hs6, origin, value_per_kg, value_per_unit, source FROM price_observations")
                    .fetch_all(&self.pool)
                    .await?;
            let decimal = |s: Option<String>| -> StoreResult<Option<rust_decimal::Decimal>> {
                s.map(|s| s.parse().map_err(|_| StoreError::Corrupt(format!("bad price {s:?}")))).transpose()
            };
            rows.into_iter()
                .map(|(hs6, origin, per_kg, per_unit, source)| {
                    Ok(PriceRow {
                        hs6,
                        origin,
                        value_per_kg: decimal(per_kg)?,
                        value_per_unit: decimal(per_unit)?,
                        source,
                    })
                })
                .collect()
        }

        async fn price_sources(&self, after: &str, limit: i64) -> StoreResult<Vec<PriceSource>> {
            Ok(sqlx::query_as(&sql(
                "SELECT id, document, duties FROM declarations WHERE state = 'released' \
                 AND id > $1 ORDER BY id LIMIT $2",
            ))
            .bind(after)
            .bind(limit)
            .fetch_all(&self.pool)
            .await?)
        }
        }
    };
}

pub(crate) use tariff_queries;
