//! Storage of identity: people (users with a password hash and a role), their server-side
//! sessions, failed sign-ins (for rate limiting) and the API tokens machines use. Session ids
//! and tokens are stored only as SHA-256 hashes. The SQL is the same on both backends and is
//! expanded into each by [`identity_queries`]; every change of who may act is written to the
//! audit log in the same transaction.

use async_trait::async_trait;
use serde::Serialize;
use utoipa::ToSchema;

use smartcustoms_core::access::Principal;
use smartcustoms_core::timestamp::Timestamp;

use crate::StoreResult;

/// A person to register.
#[derive(Debug, Clone)]
pub struct NewUser {
    /// Sign-in name, unique.
    pub name: String,
    /// Name shown on pages.
    pub display_name: String,
    /// Password hash in PHC string format (argon2id).
    pub password_hash: String,
    /// Role, and for traders' staff the trader they work for.
    pub principal: Principal,
    /// When.
    pub created_at_us: Timestamp,
}

/// A stored user.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct UserRecord {
    /// Sign-in name.
    pub name: String,
    /// Name shown on pages.
    pub display_name: String,
    /// Password hash in PHC string format.
    pub password_hash: String,
    /// Role, as stored.
    pub role: String,
    /// The trader, for traders' staff.
    pub trader_id: Option<String>,
    /// When the user was added.
    #[sqlx(try_from = "i64")]
    pub created_at_us: Timestamp,
    /// When the user was disabled, if so: a disabled user cannot sign in and its sessions end.
    #[sqlx(try_from = "crate::rows::NullableMicros")]
    pub disabled_at_us: Option<Timestamp>,
}

/// A session to start.
#[derive(Debug, Clone)]
pub struct NewSession {
    /// SHA-256 of the session id the cookie carries, hex.
    pub id_sha256: String,
    /// The user.
    pub user_name: String,
    /// The CSRF token of the session's forms.
    pub csrf: String,
    /// When.
    pub created_at_us: Timestamp,
    /// Absolute end of the session.
    pub expires_at_us: Timestamp,
    /// The address the sign-in came from (written to the audit log).
    pub address: String,
}

/// A session that has not been ended, with its user.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct SessionRecord {
    /// SHA-256 of the session id, hex.
    pub id_sha256: String,
    /// The CSRF token of the session's forms.
    pub csrf: String,
    /// When the session started.
    #[sqlx(try_from = "i64")]
    pub created_at_us: Timestamp,
    /// Last request seen (updated at most about once a minute).
    #[sqlx(try_from = "i64")]
    pub last_seen_us: Timestamp,
    /// Absolute end.
    #[sqlx(try_from = "i64")]
    pub expires_at_us: Timestamp,
    /// The user's sign-in name.
    pub user_name: String,
    /// The user's display name.
    pub display_name: String,
    /// The user's role, as stored.
    pub role: String,
    /// The user's trader, for traders' staff.
    pub trader_id: Option<String>,
    /// The user's capacities within its organisation, when restricted (comma-separated).
    pub capacities: Option<String>,
}

impl SessionRecord {
    /// Who acts through this session, with the capacities recorded for the user.
    pub fn principal(&self) -> StoreResult<Principal> {
        let mut principal = principal_of(self.user_name.clone(), &self.role, self.trader_id.clone())?;
        principal.capacities =
            self.capacities.as_deref().map(|c| smartcustoms_core::access::Capacity::of_stored(Some(c)));
        Ok(principal)
    }
}

impl UserRecord {
    /// Who this user acts as.
    pub fn principal(&self) -> StoreResult<Principal> {
        principal_of(self.name.clone(), &self.role, self.trader_id.clone())
    }
}

/// An API token to store.
#[derive(Debug, Clone)]
pub struct NewToken {
    /// SHA-256 of the token, hex; its first 16 characters are the token's public id.
    pub sha256: String,
    /// Who the token acts as.
    pub principal: Principal,
    /// When it was issued.
    pub issued_at_us: Timestamp,
    /// When it stops working, if ever.
    pub expires_at_us: Option<Timestamp>,
}

impl NewToken {
    /// The public id of the token: the first 16 hex characters of its hash.
    pub fn id(&self) -> &str {
        self.sha256.get(..16).unwrap_or(&self.sha256)
    }
}

/// An API token as listed to administrators (never the token itself).
#[derive(Debug, Clone, Serialize, ToSchema, sqlx::FromRow)]
pub struct TokenRecord {
    /// Public id (first 16 hex characters of the token's SHA-256).
    pub id: String,
    /// Name of the person or system.
    pub name: String,
    /// Role.
    pub role: String,
    /// Trader or facility, where the role has one.
    pub trader_id: Option<String>,
    /// When issued (absent for tokens older than expiry support).
    #[sqlx(try_from = "crate::rows::NullableMicros")]
    pub issued_at_us: Option<Timestamp>,
    /// When it stops working, if ever.
    #[sqlx(try_from = "crate::rows::NullableMicros")]
    pub expires_at_us: Option<Timestamp>,
    /// When it was revoked, if so.
    #[sqlx(try_from = "crate::rows::NullableMicros")]
    pub revoked_at_us: Option<Timestamp>,
}

/// Storage of users, sessions and tokens.
#[async_trait]
pub trait IdentityStore {
    /// Registers a person. `Conflict` when the name is taken.
    async fn add_user(&self, user: &NewUser, actor: &str) -> StoreResult<()>;

    /// A user by sign-in name.
    async fn user(&self, name: &str) -> StoreResult<Option<UserRecord>>;

    /// Every user, by name.
    async fn users(&self) -> StoreResult<Vec<UserRecord>>;

    /// One page of users by name: those whose name sorts after `after` (empty: from the
    /// first), at most `limit`.
    async fn users_after(&self, after: &str, limit: i64) -> StoreResult<Vec<UserRecord>>;

    /// Replaces a user's password hash and ends every session of the user. `NotFound` when
    /// there is no such user.
    async fn set_password(&self, name: &str, password_hash: &str, actor: &str, at_us: Timestamp) -> StoreResult<()>;

    /// Disables a user and ends every session of the user. `NotFound` when there is no such user.
    async fn disable_user(&self, name: &str, actor: &str, at_us: Timestamp) -> StoreResult<()>;

    /// Records a failed sign-in for a name from an address.
    async fn add_sign_in_failure(&self, user_name: &str, address: &str, at_us: Timestamp) -> StoreResult<()>;

    /// Failed sign-ins since `since_us`: for this name, and from this address.
    async fn sign_in_failures(&self, user_name: &str, address: &str, since_us: Timestamp) -> StoreResult<(i64, i64)>;

    /// Starts a session and writes the sign-in to the audit log.
    async fn start_session(&self, session: &NewSession) -> StoreResult<()>;

    /// A session that has not been ended and whose user is not disabled (expiry is the
    /// caller's to check against its settings).
    async fn session(&self, id_sha256: &str) -> StoreResult<Option<SessionRecord>>;

    /// Notes activity on a session.
    async fn touch_session(&self, id_sha256: &str, at_us: Timestamp) -> StoreResult<()>;

    /// Ends a session (sign-out) and writes it to the audit log; false when it had ended.
    async fn end_session(&self, id_sha256: &str, at_us: Timestamp) -> StoreResult<bool>;

    /// Stores an API token (only its hash) and writes its issue to the audit log; returns its id.
    async fn add_token(&self, token: &NewToken, actor: &str) -> StoreResult<String>;

    /// The principal a token hash belongs to, if the token is neither revoked nor expired at
    /// `now_us` and does not act in the name of a disabled user.
    async fn principal(&self, token_sha256: &str, now_us: Timestamp) -> StoreResult<Option<Principal>>;

    /// Every token, newest first.
    async fn tokens(&self) -> StoreResult<Vec<TokenRecord>>;

    /// Revokes a token by id and writes it to the audit log. `NotFound` when no token has this
    /// id; revoking a revoked token changes nothing.
    async fn revoke_token(&self, id: &str, actor: &str, at_us: Timestamp) -> StoreResult<()>;
}

/// The principal of a user or session row.
pub(crate) fn principal_of(name: String, role: &str, trader_id: Option<String>) -> StoreResult<Principal> {
    Ok(Principal::new(
        name,
        smartcustoms_core::access::Role::parse(role)
            .ok_or_else(|| crate::StoreError::Corrupt(format!("unknown role {role}")))?,
        trader_id.map(smartcustoms_core::ids::TraderId::new).transpose()?,
    ))
}

/// One audit entry about identity (no declaration).
pub(crate) fn identity_entry(
    at_us: Timestamp,
    actor: &str,
    action: smartcustoms_core::audit::Action,
    details: serde_json::Value,
) -> smartcustoms_core::audit::NewEntry {
    smartcustoms_core::audit::NewEntry {
        at_us,
        declaration_id: None,
        actor: actor.to_string(),
        action,
        details: details.to_string(),
    }
}

/// Implements [`IdentityStore`] for a backend.
/// Needs in scope: `self.pool`, `self.begin_write()`, `sql(&str) -> Cow<str>`, `Row`;
/// `$lock` is what locks the audit head row (`FOR UPDATE` or nothing).
macro_rules! identity_queries {
    ($store:ty, $lock:literal) => {
        /// Appends one entry to the audit chain inside `tx`.
        async fn append_identity_audit(
            tx: &mut sqlx::Transaction<'static, <$store as crate::identity::Backend>::Db>,
            entry: smartcustoms_core::audit::NewEntry,
        ) -> StoreResult<()> {
            append_identity_audits(tx, vec![entry]).await
        }

        /// Appends entries to the audit chain inside `tx`, in their order: the head is read
        /// and moved once, the entries inserted 500 to a statement.
        async fn append_identity_audits(
            tx: &mut sqlx::Transaction<'static, <$store as crate::identity::Backend>::Db>,
            entries: Vec<smartcustoms_core::audit::NewEntry>,
        ) -> StoreResult<()> {
            /// Entries per statement: 8 parameters each.
            const ROWS: usize = 500;
            if entries.is_empty() {
                return Ok(());
            }
            let (seq, hash): (i64, String) =
                sqlx::query_as(concat!("SELECT seq, hash FROM audit_head WHERE id = 1", $lock))
                    .fetch_one(&mut **tx)
                    .await?;
            let chained = smartcustoms_core::audit::chain_all(entries, seq, &hash);
            for chunk in chained.chunks(ROWS) {
                let mut q = sqlx::QueryBuilder::new(
                    "INSERT INTO audit_log (seq, at_us, declaration_id, actor, action, details, prev_hash, hash) ",
                );
                q.push_values(chunk, |mut b, e| {
                    b.push_bind(e.seq)
                        .push_bind(e.at_us.as_micros())
                        .push_bind(e.declaration_id.clone())
                        .push_bind(e.actor.clone())
                        .push_bind(e.action.as_str())
                        .push_bind(e.details.clone())
                        .push_bind(e.prev_hash.clone())
                        .push_bind(e.hash.clone());
                });
                q.build().execute(&mut **tx).await?;
            }
            if let Some(head) = chained.last() {
                sqlx::query(&sql("UPDATE audit_head SET seq = $1, hash = $2 WHERE id = 1"))
                    .bind(head.seq)
                    .bind(&head.hash)
                    .execute(&mut **tx)
                    .await?;
            }
            Ok(())
        }

        #[async_trait]
        impl crate::identity::IdentityStore for $store {
            async fn add_user(&self, u: &crate::identity::NewUser, actor: &str) -> StoreResult<()> {
                let mut tx = self.begin_write().await?;
                sqlx::query(&sql(
                    "INSERT INTO users (name, display_name, password_hash, role, trader_id, created_at_us) \
                     VALUES ($1, $2, $3, $4, $5, $6)",
                ))
                .bind(&u.name)
                .bind(&u.display_name)
                .bind(&u.password_hash)
                .bind(u.principal.role.as_str())
                .bind(u.principal.trader.as_ref().map(|t| t.as_str()))
                .bind(u.created_at_us.as_micros())
                .execute(&mut *tx)
                .await
                .map_err(|e| crate::taken(e, || format!("user {} exists", u.name)))?;
                let details = serde_json::json!({
                    "user": u.name, "role": u.principal.role.as_str(), "trader": u.principal.trader.as_ref().map(|t| t.as_str()),
                });
                append_identity_audit(&mut tx, crate::identity::identity_entry(u.created_at_us, actor, smartcustoms_core::audit::Action::UserAdded, details))
                    .await?;
                tx.commit().await?;
                Ok(())
            }

            async fn user(&self, name: &str) -> StoreResult<Option<crate::identity::UserRecord>> {
                Ok(sqlx::query_as(&sql(
                    "SELECT name, display_name, password_hash, role, trader_id, created_at_us, disabled_at_us \
                     FROM users WHERE name = $1",
                ))
                .bind(name)
                .fetch_optional(&self.pool)
                .await?)
            }

            async fn users(&self) -> StoreResult<Vec<crate::identity::UserRecord>> {
                Ok(sqlx::query_as(
                    "SELECT name, display_name, password_hash, role, trader_id, created_at_us, disabled_at_us \
                     FROM users ORDER BY name",
                )
                .fetch_all(&self.pool)
                .await?)
            }

            async fn users_after(&self, after: &str, limit: i64) -> StoreResult<Vec<crate::identity::UserRecord>> {
                Ok(sqlx::query_as(&sql(
                    "SELECT name, display_name, password_hash, role, trader_id, created_at_us, disabled_at_us \
                     FROM users WHERE name > $1 ORDER BY name LIMIT $2",
                ))
                .bind(after)
                .bind(limit)
                .fetch_all(&self.pool)
                .await?)
            }

            async fn set_password(&self, name: &str, hash: &str, actor: &str, at_us: Timestamp) -> StoreResult<()> {
                let mut tx = self.begin_write().await?;
                let changed = sqlx::query(&sql("UPDATE users SET password_hash = $1 WHERE name = $2"))
                    .bind(hash)
                    .bind(name)
                    .execute(&mut *tx)
                    .await?
                    .rows_affected();
                end_user_change(tx, changed, name, smartcustoms_core::audit::Action::PasswordChanged, actor, at_us).await
            }

            async fn disable_user(&self, name: &str, actor: &str, at_us: Timestamp) -> StoreResult<()> {
                let mut tx = self.begin_write().await?;
                let changed = sqlx::query(&sql(
                    "UPDATE users SET disabled_at_us = COALESCE(disabled_at_us, $1) WHERE name = $2",
                ))
                .bind(at_us.as_micros())
                .bind(name)
                .execute(&mut *tx)
                .await?
                .rows_affected();
                end_user_change(tx, changed, name, smartcustoms_core::audit::Action::UserDisabled, actor, at_us).await
            }

            async fn add_sign_in_failure(&self, user_name: &str, address: &str, at_us: Timestamp) -> StoreResult<()> {
                sqlx::query(&sql("INSERT INTO sign_in_failures (user_name, address, at_us) VALUES ($1, $2, $3)"))
                    .bind(user_name)
                    .bind(address)
                    .bind(at_us.as_micros())
                    .execute(&self.pool)
                    .await?;
                Ok(())
            }

            async fn sign_in_failures(&self, user_name: &str, address: &str, since_us: Timestamp) -> StoreResult<(i64, i64)> {
                let by_user: i64 =
                    sqlx::query_scalar(&sql("SELECT COUNT(*) FROM sign_in_failures WHERE user_name = $1 AND at_us >= $2"))
                        .bind(user_name)
                        .bind(since_us.as_micros())
                        .fetch_one(&self.pool)
                        .await?;
                let by_address: i64 =
                    sqlx::query_scalar(&sql("SELECT COUNT(*) FROM sign_in_failures WHERE address = $1 AND at_us >= $2"))
                        .bind(address)
                        .bind(since_us.as_micros())
                        .fetch_one(&self.pool)
                        .await?;
                Ok((by_user, by_address))
            }

            async fn start_session(&self, s: &crate::identity::NewSession) -> StoreResult<()> {
                let mut tx = self.begin_write().await?;
                sqlx::query(&sql(
                    "INSERT INTO sessions (id_sha256, user_name, csrf, created_at_us, last_seen_us, expires_at_us) \
                     VALUES ($1, $2, $3, $4, $4, $5)",
                ))
                .bind(&s.id_sha256)
                .bind(&s.user_name)
                .bind(&s.csrf)
                .bind(s.created_at_us.as_micros())
                .bind(s.expires_at_us.as_micros())
                .execute(&mut *tx)
                .await?;
                let details = serde_json::json!({
                    "session": s.id_sha256.get(..16), "address": s.address, "expires_at_us": s.expires_at_us,
                });
                append_identity_audit(
                    &mut tx,
                    crate::identity::identity_entry(s.created_at_us, &s.user_name, smartcustoms_core::audit::Action::SignedIn, details),
                )
                .await?;
                tx.commit().await?;
                Ok(())
            }

            async fn session(&self, id_sha256: &str) -> StoreResult<Option<crate::identity::SessionRecord>> {
                Ok(sqlx::query_as(&sql(
                    "SELECT s.id_sha256, s.csrf, s.created_at_us, s.last_seen_us, s.expires_at_us, \
                     u.name AS user_name, u.display_name, u.role, u.trader_id, m.capacities \
                     FROM sessions s JOIN users u ON u.name = s.user_name \
                     LEFT JOIN org_members m ON m.user_name = u.name \
                     WHERE s.id_sha256 = $1 AND s.ended_at_us IS NULL AND u.disabled_at_us IS NULL",
                ))
                .bind(id_sha256)
                .fetch_optional(&self.pool)
                .await?)
            }

            async fn touch_session(&self, id_sha256: &str, at_us: Timestamp) -> StoreResult<()> {
                sqlx::query(&sql(
                    "UPDATE sessions SET last_seen_us = $1 WHERE id_sha256 = $2 AND last_seen_us < $1",
                ))
                .bind(at_us.as_micros())
                .bind(id_sha256)
                .execute(&self.pool)
                .await?;
                Ok(())
            }

            async fn end_session(&self, id_sha256: &str, at_us: Timestamp) -> StoreResult<bool> {
                let mut tx = self.begin_write().await?;
                let user: Option<String> = sqlx::query_scalar(&sql(
                    "UPDATE sessions SET ended_at_us = $1 WHERE id_sha256 = $2 AND ended_at_us IS NULL RETURNING user_name",
                ))
                .bind(at_us.as_micros())
                .bind(id_sha256)
                .fetch_optional(&mut *tx)
                .await?;
                let Some(user) = user else { return Ok(false) };
                let details = serde_json::json!({ "session": id_sha256.get(..16) });
                append_identity_audit(&mut tx, crate::identity::identity_entry(at_us, &user, smartcustoms_core::audit::Action::SignedOut, details))
                    .await?;
                tx.commit().await?;
                Ok(true)
            }

            async fn add_token(&self, t: &crate::identity::NewToken, actor: &str) -> StoreResult<String> {
                let mut tx = self.begin_write().await?;
                sqlx::query(&sql(
                    "INSERT INTO tokens (token_sha256, id, name, role, trader_id, issued_at_us, expires_at_us) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7)",
                ))
                .bind(&t.sha256)
                .bind(t.id())
                .bind(&t.principal.name)
                .bind(t.principal.role.as_str())
                .bind(t.principal.trader.as_ref().map(|t| t.as_str()))
                .bind(t.issued_at_us.as_micros())
                .bind(t.expires_at_us.map(Timestamp::as_micros))
                .execute(&mut *tx)
                .await
                .map_err(|e| crate::taken(e, || "token exists".into()))?;
                let details = serde_json::json!({
                    "token": t.id(), "name": t.principal.name, "role": t.principal.role.as_str(),
                    "trader": t.principal.trader.as_ref().map(|t| t.as_str()), "expires_at_us": t.expires_at_us,
                });
                append_identity_audit(&mut tx, crate::identity::identity_entry(t.issued_at_us, actor, smartcustoms_core::audit::Action::TokenIssued, details))
                    .await?;
                tx.commit().await?;
                Ok(t.id().to_string())
            }

            async fn principal(&self, token_sha256: &str, now_us: Timestamp) -> StoreResult<Option<Principal>> {
                let row: Option<(String, String, Option<String>)> = sqlx::query_as(&sql(
                    "SELECT name, role, trader_id FROM tokens WHERE token_sha256 = $1 \
                     AND revoked_at_us IS NULL AND (expires_at_us IS NULL OR expires_at_us > $2) \
                     AND NOT EXISTS (SELECT 1 FROM users u WHERE u.name = tokens.name AND u.disabled_at_us IS NOT NULL)",
                ))
                .bind(token_sha256)
                .bind(now_us.as_micros())
                .fetch_optional(&self.pool)
                .await?;
                row.map(|(name, role, trader)| crate::identity::principal_of(name, &role, trader)).transpose()
            }

            async fn tokens(&self) -> StoreResult<Vec<crate::identity::TokenRecord>> {
                Ok(sqlx::query_as(
                    "SELECT COALESCE(id, SUBSTR(token_sha256, 1, 16)) AS id, name, role, trader_id, issued_at_us, \
                     expires_at_us, revoked_at_us FROM tokens ORDER BY issued_at_us DESC, id",
                )
                .fetch_all(&self.pool)
                .await?)
            }

            async fn revoke_token(&self, id: &str, actor: &str, at_us: Timestamp) -> StoreResult<()> {
                let mut tx = self.begin_write().await?;
                let found: Option<Option<i64>> =
                    sqlx::query_scalar(&sql("SELECT revoked_at_us FROM tokens WHERE id = $1"))
                        .bind(id)
                        .fetch_optional(&mut *tx)
                        .await?;
                match found {
                    None => return Err(StoreError::NotFound),
                    Some(Some(_)) => return Ok(()),
                    Some(None) => {}
                }
                sqlx::query(&sql("UPDATE tokens SET revoked_at_us = $1 WHERE id = $2"))
                    .bind(at_us.as_micros())
                    .bind(id)
                    .execute(&mut *tx)
                    .await?;
                let details = serde_json::json!({ "token": id });
                append_identity_audit(&mut tx, crate::identity::identity_entry(at_us, actor, smartcustoms_core::audit::Action::TokenRevoked, details))
                    .await?;
                tx.commit().await?;
                Ok(())
            }
        }

        /// Finishes a change of a user (`changed` rows updated, 0 when there is no such user):
        /// ends every open session of the user, writes the audit entry and commits.
        async fn end_user_change(
            mut tx: sqlx::Transaction<'static, <$store as crate::identity::Backend>::Db>,
            changed: u64,
            name: &str,
            action: smartcustoms_core::audit::Action,
            actor: &str,
            at_us: Timestamp,
        ) -> StoreResult<()> {
            if changed == 0 {
                return Err(StoreError::NotFound);
            }
            sqlx::query(&sql("UPDATE sessions SET ended_at_us = $1 WHERE user_name = $2 AND ended_at_us IS NULL"))
                .bind(at_us.as_micros())
                .bind(name)
                .execute(&mut *tx)
                .await?;
            let details = serde_json::json!({ "user": name });
            append_identity_audit(&mut tx, crate::identity::identity_entry(at_us, actor, action, details)).await?;
            tx.commit().await?;
            Ok(())
        }
    };
}

pub(crate) use identity_queries;

/// The sqlx database of a backend (lets helpers of the shared SQL name their transaction type).
pub(crate) trait Backend {
    /// The sqlx database.
    type Db: sqlx::Database;
}
