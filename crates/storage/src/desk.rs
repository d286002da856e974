//! The filing desk: declarations being prepared (drafts, kept as the form's fields so nothing a
//! person typed is lost, even what does not parse yet) and the signing keys people hold on the
//! server, sealed under their passphrase. The SQL is the same on both backends and is expanded
//! into each by [`desk_queries`].

use async_trait::async_trait;

use smartcustoms_core::ids::TraderId;
use smartcustoms_core::sealed_key::SealedKey;
use smartcustoms_core::timestamp::Timestamp;

use crate::StoreResult;

/// A draft as stored.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct Draft {
    /// Its id (random, URL-safe).
    pub id: String,
    /// The declarant it is prepared for.
    pub trader_id: String,
    /// The user who saved it last.
    pub author: String,
    /// A short title for the list (e.g. the first goods description).
    pub title: String,
    /// The form's fields as JSON: `[[name, value], …]`.
    pub fields: String,
    /// When it was saved last.
    #[sqlx(try_from = "i64")]
    pub saved_at_us: Timestamp,
}

/// A person's signing key held sealed by the server.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PersonalKey {
    /// The user it belongs to.
    pub user: String,
    /// The declarant whose key it is registered as.
    pub trader: TraderId,
    /// Key id (RFC 7638 thumbprint), as registered.
    pub kid: String,
    /// Public key, base64url.
    pub public_key: String,
    /// The sealed private key.
    pub sealed: SealedKey,
    /// When it was made.
    pub created_at_us: Timestamp,
}

/// Drafts and personal keys.
#[async_trait]
pub trait DeskQueries: Send + Sync {
    /// Saves a draft: a new one, or over the one with the same id and declarant.
    async fn save_draft(&self, draft: &Draft) -> StoreResult<()>;

    /// A declarant's drafts, newest first, without their fields.
    async fn drafts(&self, trader: &TraderId) -> StoreResult<Vec<Draft>>;

    /// One draft of a declarant.
    async fn draft(&self, trader: &TraderId, id: &str) -> StoreResult<Option<Draft>>;

    /// Deletes a declarant's draft; false when there was none.
    async fn delete_draft(&self, trader: &TraderId, id: &str) -> StoreResult<bool>;

    /// Registers the public key as the declarant's and keeps the sealed key as the user's (a
    /// new one replaces the user's former one; the former public key stays registered, so
    /// what it signed stays verifiable), in one transaction.
    async fn put_personal_key(&self, key: &PersonalKey) -> StoreResult<()>;

    /// A user's sealed key.
    async fn personal_key(&self, user: &str) -> StoreResult<Option<PersonalKey>>;
}

type KeyRow = (String, String, String, String, String, String, String, i64);

pub(crate) fn personal_key_of(row: KeyRow) -> StoreResult<PersonalKey> {
    let (user, trader, kid, public_key, salt, nonce, sealed, created) = row;
    Ok(PersonalKey {
        user,
        trader: TraderId::new(trader).map_err(|e| crate::StoreError::Corrupt(e.to_string()))?,
        kid,
        public_key,
        sealed: SealedKey { salt, nonce, sealed },
        created_at_us: Timestamp::from_micros(created),
    })
}

/// Implements [`DeskQueries`] for a backend.
/// Needs in scope: `self.pool`, `sql(&str) -> Cow<str>`.
macro_rules! desk_queries {
    ($store:ty) => {
        #[async_trait]
        impl crate::desk::DeskQueries for $store {
            async fn save_draft(&self, d: &crate::desk::Draft) -> StoreResult<()> {
                sqlx::query(&sql(
                    "INSERT INTO drafts (id, trader_id, author, title, fields, saved_at_us) VALUES ($1, $2, $3, $4, $5, $6) \
                     ON CONFLICT (id) DO UPDATE SET author = excluded.author, title = excluded.title, \
                     fields = excluded.fields, saved_at_us = excluded.saved_at_us WHERE drafts.trader_id = excluded.trader_id",
                ))
                .bind(&d.id)
                .bind(&d.trader_id)
                .bind(&d.author)
                .bind(&d.title)
                .bind(&d.fields)
                .bind(d.saved_at_us.as_micros())
                .execute(&self.pool)
                .await?;
                Ok(())
            }

            async fn drafts(&self, trader: &TraderId) -> StoreResult<Vec<crate::desk::Draft>> {
                Ok(sqlx::query_as(&sql(
                    "SELECT id, trader_id, author, title, '' AS fields, saved_at_us FROM drafts \
                     WHERE trader_id = $1 ORDER BY saved_at_us DESC LIMIT 100",
                ))
                .bind(trader.as_str())
                .fetch_all(&self.pool)
                .await?)
            }

            async fn draft(&self, trader: &TraderId, id: &str) -> StoreResult<Option<crate::desk::Draft>> {
                Ok(sqlx::query_as(&sql(
                    "SELECT id, trader_id, author, title, fields, saved_at_us FROM drafts WHERE trader_id = $1 AND id = $2",
                ))
                .bind(trader.as_str())
                .bind(id)
                .fetch_optional(&self.pool)
                .await?)
            }

            async fn delete_draft(&self, trader: &TraderId, id: &str) -> StoreResult<bool> {
                let done = sqlx::query(&sql("DELETE FROM drafts WHERE trader_id = $1 AND id = $2"))
                    .bind(trader.as_str())
                    .bind(id)
                    .execute(&self.pool)
                    .await?;
                Ok(done.rows_affected() > 0)
            }

            async fn put_personal_key(&self, k: &crate::desk::PersonalKey) -> StoreResult<()> {
                let mut tx = self.pool.begin().await?;
                sqlx::query(&sql(
                    "INSERT INTO signing_keys (kid, trader_id, public_key, created_at_us) VALUES ($1, $2, $3, $4)",
                ))
                .bind(&k.kid)
                .bind(k.trader.as_str())
                .bind(&k.public_key)
                .bind(k.created_at_us.as_micros())
                .execute(&mut *tx)
                .await
                .map_err(|e| crate::taken(e, || "key already registered".into()))?;
                sqlx::query(&sql(
                    "INSERT INTO personal_keys (user_name, kid, salt, nonce, sealed, created_at_us) \
                     VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (user_name) DO UPDATE SET kid = excluded.kid, \
                     salt = excluded.salt, nonce = excluded.nonce, sealed = excluded.sealed, created_at_us = excluded.created_at_us",
                ))
                .bind(&k.user)
                .bind(&k.kid)
                .bind(&k.sealed.salt)
                .bind(&k.sealed.nonce)
                .bind(&k.sealed.sealed)
                .bind(k.created_at_us.as_micros())
                .execute(&mut *tx)
                .await?;
                tx.commit().await?;
                Ok(())
            }

            async fn personal_key(&self, user: &str) -> StoreResult<Option<crate::desk::PersonalKey>> {
                let row: Option<(String, String, String, String, String, String, String, i64)> = sqlx::query_as(&sql(
                    "SELECT p.user_name, k.trader_id, p.kid, k.public_key, p.salt, p.nonce, p.sealed, p.created_at_us \
                     FROM personal_keys p JOIN signing_keys k ON k.kid = p.kid WHERE p.user_name = $1",
                ))
                .bind(user)
                .fetch_optional(&self.pool)
                .await?;
                row.map(crate::desk::personal_key_of).transpose()
            }
        }
    };
}

pub(crate) use desk_queries;
