//! Reference data of the platform: customs offices and traders' signing keys, and the database's
//! own health. The SQL is the same on both backends and is expanded into each by
//! [`reference_queries`].

use async_trait::async_trait;
use serde::Serialize;
use utoipa::ToSchema;

use smartcustoms_core::ids::{OfficeCode, TraderId};
use smartcustoms_core::timestamp::Timestamp;

use crate::StoreResult;

/// A customs office.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema, sqlx::FromRow)]
pub struct Office {
    /// Office code.
    #[sqlx(try_from = "String")]
    pub code: OfficeCode,
    /// Name.
    pub name: String,
}

/// A trader's registered public key.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema, sqlx::FromRow)]
pub struct SigningKeyRecord {
    /// Owner.
    #[sqlx(rename = "trader_id", try_from = "String")]
    pub trader: TraderId,
    /// Key id (RFC 7638 thumbprint).
    pub kid: String,
    /// Ed25519 public key, base64url of the 32 raw bytes.
    pub public_key: String,
    /// Registration time.
    #[sqlx(try_from = "i64")]
    pub created_at_us: Timestamp,
}

/// The reference area of the storage interface.
#[async_trait]
pub trait ReferenceQueries {
    /// Checks that the database answers.
    async fn ping(&self) -> StoreResult<()>;

    /// Creates or renames a customs office (reference data loaded at set-up).
    async fn upsert_office(&self, code: &str, name: &str) -> StoreResult<()>;

    /// Creates or renames a customs office for `actor`, with an `office_saved` audit entry
    /// naming the code, the name and the name it replaced, in one transaction.
    async fn save_office(&self, code: &str, name: &str, actor: &str, at: Timestamp) -> StoreResult<()>;

    /// Codes of all offices.
    async fn offices(&self) -> StoreResult<Vec<Office>>;

    /// Registers a trader's public signing key. `Conflict` if the key id is already registered.
    async fn add_key(&self, key: &SigningKeyRecord) -> StoreResult<()>;

    /// Every key registered to a trader.
    async fn keys(&self, trader: &TraderId) -> StoreResult<Vec<SigningKeyRecord>>;
}

/// Implements [`ReferenceQueries`] for a backend.
/// Needs in scope: `self.pool`, `self.begin_write()`, `sql(&str) -> Cow<str>`, `Row`,
/// `SERIALISE_PROFILE_CODE`.
macro_rules! reference_queries {
    ($store:ty) => {
        #[async_trait]
        impl crate::reference::ReferenceQueries for $store {
        async fn ping(&self) -> StoreResult<()> {
            sqlx::query("SELECT 1").execute(&self.pool).await?;
            Ok(())
        }

        async fn save_office(&self, code: &str, name: &str, actor: &str, at: Timestamp) -> StoreResult<()> {
            let mut tx = self.begin_write().await?;
            let previous: Option<String> = sqlx::query_scalar(&sql("SELECT name FROM offices WHERE code = $1"))
                .bind(code)
                .fetch_optional(&mut *tx)
                .await?;
            sqlx::query(&sql(
                "INSERT INTO offices (code, name) VALUES ($1, $2) ON CONFLICT (code) DO UPDATE SET name = excluded.name",
            ))
            .bind(code)
            .bind(name)
            .execute(&mut *tx)
            .await?;
            let details = serde_json::json!({ "office": code, "name": name, "previous_name": previous });
            let action = smartcustoms_core::audit::Action::OfficeSaved;
            append_identity_audit(&mut tx, crate::identity::identity_entry(at, actor, action, details)).await?;
            tx.commit().await?;
            Ok(())
        }

        async fn upsert_office(&self, code: &str, name: &str) -> StoreResult<()> {
            sqlx::query(&sql(
                "INSERT INTO offices (code, name) VALUES ($1, $2) ON CONFLICT (code) DO UPDATE SET name = excluded.name",
            ))
            .bind(code)
            .bind(name)
            .execute(&self.pool)
            .await?;
            Ok(())
        }

        async fn offices(&self) -> StoreResult<Vec<Office>> {
            Ok(sqlx::query_as("SELECT code, name FROM offices ORDER BY code").fetch_all(&self.pool).await?)
        }

        async fn add_key(&self, key: &SigningKeyRecord) -> StoreResult<()> {
            sqlx::query(&sql("INSERT INTO signing_keys (kid, trader_id, public_key, created_at_us) VALUES ($1, $2, $3, $4)"))
                .bind(&key.kid)
                .bind(key.trader.as_str())
                .bind(&key.public_key)
                .bind(key.created_at_us.as_micros())
                .execute(&self.pool)
                .await
                .map_err(|e| crate::taken(e, || "key already registered".into()))?;
            Ok(())
        }

        async fn keys(&self, trader: &TraderId) -> StoreResult<Vec<SigningKeyRecord>> {
            Ok(sqlx::query_as(&sql(
                "SELECT kid, trader_id, public_key, created_at_us FROM signing_keys WHERE trader_id = $1 ORDER BY created_at_us",
            ))
            .bind(trader.as_str())
            .fetch_all(&self.pool)
            .await?)
        }
        }
    };
}

pub(crate) use reference_queries;
