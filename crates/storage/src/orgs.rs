//! Trader organisations and customs representatives: each user's capacities within its
//! organisation, and the authorisations under which a representative (a customs broker) files
//! for a declarant. Changes are audited. The SQL is the same on both backends and is expanded
//! into each by [`org_queries`].

use async_trait::async_trait;
use chrono::NaiveDate;
use serde::Serialize;
use utoipa::ToSchema;

use smartcustoms_core::ids::TraderId;
use smartcustoms_core::timestamp::Timestamp;

use crate::StoreResult;

/// A user of an organisation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema, sqlx::FromRow)]
pub struct MemberRecord {
    /// Sign-in name.
    pub name: String,
    /// Name shown.
    pub display_name: String,
    /// Capacities, comma-separated; absent: every capacity (the organisation's own account).
    pub capacities: Option<String>,
    /// When the user was disabled, if so.
    #[sqlx(try_from = "crate::rows::NullableMicros")]
    pub disabled_at_us: Option<Timestamp>,
}

/// An authorisation of a representative to file for a declarant.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema, sqlx::FromRow)]
pub struct AuthorisationRecord {
    /// Its id.
    pub id: String,
    /// The representative's party id.
    pub representative: String,
    /// The declarant's party id.
    pub declarant: String,
    /// First day it is valid.
    pub valid_from: NaiveDate,
    /// Last day it is valid.
    pub valid_until: NaiveDate,
    /// Who granted it.
    pub granted_by: String,
    /// When.
    #[sqlx(try_from = "i64")]
    pub granted_at_us: Timestamp,
    /// Who revoked it, if anyone.
    pub revoked_by: Option<String>,
    /// When.
    #[sqlx(try_from = "crate::rows::NullableMicros")]
    pub revoked_at_us: Option<Timestamp>,
}

/// Organisations and authorisations.
#[async_trait]
pub trait OrgQueries: Send + Sync {
    /// The capacities recorded for a user (`None`: none recorded, so every capacity).
    async fn member_capacities(&self, user: &str) -> StoreResult<Option<String>>;

    /// The users of an organisation, by name.
    async fn members(&self, trader: &TraderId) -> StoreResult<Vec<MemberRecord>>;

    /// Sets a user's capacities within its organisation, audited.
    async fn put_member(
        &self,
        user: &str,
        trader: &TraderId,
        capacities: &str,
        actor: &str,
        at_us: Timestamp,
    ) -> StoreResult<()>;

    /// Records an authorisation, audited.
    async fn grant(&self, a: &AuthorisationRecord) -> StoreResult<()>;

    /// Revokes a declarant's authorisation, audited; false when it has none of this id in force.
    async fn revoke_authorisation(
        &self,
        id: &str,
        declarant: &TraderId,
        actor: &str,
        at_us: Timestamp,
    ) -> StoreResult<bool>;

    /// The authorisations a party granted or holds, newest first.
    async fn authorisations(&self, party: &TraderId) -> StoreResult<Vec<AuthorisationRecord>>;

    /// True when `representative` holds an authorisation of `declarant` in force on `day`.
    async fn authorised(&self, representative: &TraderId, declarant: &TraderId, day: NaiveDate) -> StoreResult<bool>;
}

/// Implements [`OrgQueries`] for a backend, where the identity area's `append_identity_audit`
/// is in scope. Needs in scope: `self.pool`, `self.begin_write()`, `sql(&str) -> Cow<str>`.
macro_rules! org_queries {
    ($store:ty) => {
        /// Writes a change's audit entry in its transaction and commits both.
        async fn commit_audited(
            mut tx: sqlx::Transaction<'static, <$store as crate::identity::Backend>::Db>,
            at_us: Timestamp,
            actor: &str,
            action: smartcustoms_core::audit::Action,
            details: serde_json::Value,
        ) -> StoreResult<()> {
            append_identity_audit(&mut tx, crate::identity::identity_entry(at_us, actor, action, details)).await?;
            tx.commit().await?;
            Ok(())
        }

        #[async_trait]
        impl crate::orgs::OrgQueries for $store {
            async fn member_capacities(&self, user: &str) -> StoreResult<Option<String>> {
                Ok(sqlx::query_scalar(&sql("SELECT capacities FROM org_members WHERE user_name = $1"))
                    .bind(user)
                    .fetch_optional(&self.pool)
                    .await?)
            }

            async fn members(&self, trader: &TraderId) -> StoreResult<Vec<crate::orgs::MemberRecord>> {
                Ok(sqlx::query_as(&sql(
                    "SELECT u.name, u.display_name, m.capacities, u.disabled_at_us FROM users u \
                     LEFT JOIN org_members m ON m.user_name = u.name WHERE u.trader_id = $1 ORDER BY u.name",
                ))
                .bind(trader.as_str())
                .fetch_all(&self.pool)
                .await?)
            }

            async fn put_member(
                &self,
                user: &str,
                trader: &TraderId,
                capacities: &str,
                actor: &str,
                at_us: Timestamp,
            ) -> StoreResult<()> {
                let mut tx = self.begin_write().await?;
                sqlx::query(&sql(
                    "INSERT INTO org_members (user_name, trader_id, capacities, added_by, added_at_us) \
                     VALUES ($1, $2, $3, $4, $5) ON CONFLICT (user_name) DO UPDATE SET capacities = excluded.capacities, \
                     added_by = excluded.added_by, added_at_us = excluded.added_at_us",
                ))
                .bind(user)
                .bind(trader.as_str())
                .bind(capacities)
                .bind(actor)
                .bind(at_us.as_micros())
                .execute(&mut *tx)
                .await?;
                let details = serde_json::json!({ "user": user, "trader": trader.as_str(), "capacities": capacities });
                commit_audited(tx, at_us, actor, smartcustoms_core::audit::Action::MemberChanged, details).await
            }

            async fn grant(&self, a: &crate::orgs::AuthorisationRecord) -> StoreResult<()> {
                let mut tx = self.begin_write().await?;
                sqlx::query(&sql(
                    "INSERT INTO authorisations (id, representative, declarant, valid_from, valid_until, granted_by, granted_at_us) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7)",
                ))
                .bind(&a.id)
                .bind(&a.representative)
                .bind(&a.declarant)
                .bind(a.valid_from)
                .bind(a.valid_until)
                .bind(&a.granted_by)
                .bind(a.granted_at_us.as_micros())
                .execute(&mut *tx)
                .await?;
                let details = serde_json::json!({
                    "authorisation": a.id, "representative": a.representative, "declarant": a.declarant,
                    "valid_from": a.valid_from, "valid_until": a.valid_until,
                });
                let action = smartcustoms_core::audit::Action::AuthorisationGranted;
                commit_audited(tx, a.granted_at_us, &a.granted_by, action, details).await
            }

            async fn revoke_authorisation(
                &self,
                id: &str,
                declarant: &TraderId,
                actor: &str,
                at_us: Timestamp,
            ) -> StoreResult<bool> {
                let mut tx = self.begin_write().await?;
                let changed = sqlx::query(&sql(
                    "UPDATE authorisations SET revoked_by = $1, revoked_at_us = $2 \
                     WHERE id = $3 AND declarant = $4 AND revoked_at_us IS NULL",
                ))
                .bind(actor)
                .bind(at_us.as_micros())
                .bind(id)
                .bind(declarant.as_str())
                .execute(&mut *tx)
                .await?
                .rows_affected();
                if changed == 0 {
                    return Ok(false);
                }
                let details = serde_json::json!({ "authorisation": id, "declarant": declarant.as_str() });
                let action = smartcustoms_core::audit::Action::AuthorisationRevoked;
                commit_audited(tx, at_us, actor, action, details).await?;
                Ok(true)
            }

            async fn authorisations(&self, party: &TraderId) -> StoreResult<Vec<crate::orgs::AuthorisationRecord>> {
                Ok(sqlx::query_as(&sql(
                    "SELECT id, representative, declarant, valid_from, valid_until, granted_by, granted_at_us, \
                     revoked_by, revoked_at_us FROM authorisations WHERE representative = $1 OR declarant = $1 \
                     ORDER BY granted_at_us DESC LIMIT 500",
                ))
                .bind(party.as_str())
                .fetch_all(&self.pool)
                .await?)
            }

            async fn authorised(
                &self,
                representative: &TraderId,
                declarant: &TraderId,
                day: chrono::NaiveDate,
            ) -> StoreResult<bool> {
                let found: Option<String> = sqlx::query_scalar(&sql(
                    "SELECT id FROM authorisations WHERE representative = $1 AND declarant = $2 \
                     AND valid_from <= $3 AND valid_until >= $3 AND revoked_at_us IS NULL LIMIT 1",
                ))
                .bind(representative.as_str())
                .bind(declarant.as_str())
                .bind(day)
                .fetch_optional(&self.pool)
                .await?;
                Ok(found.is_some())
            }
        }
    };
}

pub(crate) use org_queries;
