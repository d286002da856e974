//! Storage of the declaration centres, their inspectors, the versioned dispatch rules and each
//! case's dispatch with its reasons. The SQL is the same on both backends and is expanded into
//! each by [`dispatch_queries`]; a dispatch itself is a writing transaction (it is audited).

use async_trait::async_trait;
use serde::Serialize;
use utoipa::ToSchema;

use smartcustoms_core::dispatch::{Centre, Dispatch, Inspector, Rules};
use smartcustoms_core::ids::DeclarationId;
use smartcustoms_core::timestamp::Timestamp;

use crate::{StoreError, StoreResult};

/// The rules in force with their version.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct RulesVersion {
    /// Version, from 1.
    pub version: i64,
    /// The rules.
    pub rules: Rules,
    /// Who wrote them.
    pub author: String,
    /// When.
    pub created_at_us: Timestamp,
}

/// A case's dispatch as stored: where it is and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct DispatchRecord {
    /// The declaration.
    pub declaration_id: String,
    /// The dispatch and its reasons (for a reassignment, the supervisor's choice).
    pub dispatch: Dispatch,
    /// When.
    pub at_us: Timestamp,
}

/// The cases under control of one centre and inspector (none: not yet given to one), with the
/// time the longest waiting went under control.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct CentreQueue {
    /// The centre (none: not yet dispatched).
    pub centre: Option<String>,
    /// The inspector (none: waiting in the centre for the supervisor).
    pub inspector: Option<String>,
    /// Cases under control.
    pub open: i64,
    /// Since when the longest waiting one is under control.
    pub oldest_since_us: Timestamp,
}

/// A dispatch to record (see `Store::dispatch`).
#[derive(Debug, Clone)]
pub struct NewDispatch {
    /// The declaration, under control.
    pub declaration: DeclarationId,
    /// The dispatch with its reasons.
    pub dispatch: Dispatch,
    /// Who: `system`, or the supervisor who reassigns.
    pub actor: String,
    /// A reassignment (replaces the case's dispatch) rather than the first dispatch (which
    /// never replaces one: a case is dispatched once).
    pub reassignment: Option<String>,
    /// When.
    pub at_us: Timestamp,
}

/// Storage of centres, inspectors, rules and dispatches.
#[async_trait]
pub trait DispatchQueries {
    /// Creates or replaces a centre.
    async fn put_centre(&self, centre: &Centre) -> StoreResult<()>;
    /// Every centre, by code.
    async fn centres(&self) -> StoreResult<Vec<Centre>>;
    /// Creates or replaces an inspector.
    async fn put_inspector(&self, inspector: &Inspector) -> StoreResult<()>;
    /// Every inspector, by user name.
    async fn inspectors(&self) -> StoreResult<Vec<Inspector>>;
    /// Keeps a new version of the rules; returns it.
    async fn add_dispatch_rules(&self, rules: &Rules, author: &str, at_us: Timestamp) -> StoreResult<i64>;
    /// The rules in force (the latest version), if any were written.
    async fn dispatch_rules(&self) -> StoreResult<Option<RulesVersion>>;
    /// Open cases (under control) of each inspector.
    async fn inspector_loads(&self) -> StoreResult<Vec<(String, i64)>>;
    /// The cases under control per centre and inspector, the undispatched ones included.
    async fn centre_queues(&self) -> StoreResult<Vec<CentreQueue>>;
    /// Declarations under control not yet dispatched, oldest first, at most `limit`, with the
    /// document each was filed with.
    async fn undispatched(&self, limit: i64) -> StoreResult<Vec<(DeclarationId, String, Vec<u8>)>>;
    /// A case's dispatch.
    async fn dispatch_of(&self, id: DeclarationId) -> StoreResult<Option<DispatchRecord>>;
}

pub(crate) fn parse_dispatch(declaration_id: String, reasons: &str, at_us: i64) -> StoreResult<DispatchRecord> {
    let dispatch = serde_json::from_str(reasons).map_err(|e| StoreError::Corrupt(format!("dispatch reasons: {e}")))?;
    Ok(DispatchRecord { declaration_id, dispatch, at_us: Timestamp::from_micros(at_us) })
}

pub(crate) fn competences_text(i: &Inspector) -> String {
    i.competences.iter().cloned().collect::<Vec<_>>().join(",")
}

/// Implements [`DispatchQueries`] for a backend.
/// Needs in scope: `self.pool`, `sql(&str) -> Cow<str>`.
macro_rules! dispatch_queries {
    ($store:ty) => {
        #[async_trait]
        impl crate::dispatch::DispatchQueries for $store {
            async fn put_centre(&self, c: &smartcustoms_core::dispatch::Centre) -> StoreResult<()> {
                sqlx::query(&sql(
                    "INSERT INTO centres (code, name, office) VALUES ($1, $2, $3) \
                     ON CONFLICT (code) DO UPDATE SET name = excluded.name, office = excluded.office",
                ))
                .bind(&c.code)
                .bind(&c.name)
                .bind(&c.office)
                .execute(&self.pool)
                .await?;
                Ok(())
            }

            async fn centres(&self) -> StoreResult<Vec<smartcustoms_core::dispatch::Centre>> {
                let rows: Vec<(String, String, Option<String>)> =
                    sqlx::query_as("SELECT code, name, office FROM centres ORDER BY code").fetch_all(&self.pool).await?;
                Ok(rows
                    .into_iter()
                    .map(|(code, name, office)| smartcustoms_core::dispatch::Centre { code, name, office })
                    .collect())
            }

            async fn put_inspector(&self, i: &smartcustoms_core::dispatch::Inspector) -> StoreResult<()> {
                sqlx::query(&sql(
                    "INSERT INTO inspectors (user_name, centre, competences, leave_from_us, leave_until_us) \
                     VALUES ($1, $2, $3, $4, $5) ON CONFLICT (user_name) DO UPDATE SET centre = excluded.centre, \
                     competences = excluded.competences, leave_from_us = excluded.leave_from_us, \
                     leave_until_us = excluded.leave_until_us",
                ))
                .bind(&i.user)
                .bind(&i.centre)
                .bind(crate::dispatch::competences_text(i))
                .bind(i.leave_from_us.map(Timestamp::as_micros))
                .bind(i.leave_until_us.map(Timestamp::as_micros))
                .execute(&self.pool)
                .await
                .map_err(|e| match &e {
                    sqlx::Error::Database(d) if d.is_foreign_key_violation() => {
                        StoreError::Conflict(format!("no centre {:?}", i.centre))
                    }
                    _ => StoreError::Database(e),
                })?;
                Ok(())
            }

            async fn inspectors(&self) -> StoreResult<Vec<smartcustoms_core::dispatch::Inspector>> {
                let rows: Vec<(String, String, String, Option<i64>, Option<i64>)> = sqlx::query_as(
                    "SELECT user_name, centre, competences, leave_from_us, leave_until_us FROM inspectors ORDER BY user_name",
                )
                .fetch_all(&self.pool)
                .await?;
                Ok(rows
                    .into_iter()
                    .map(|(user, centre, competences, from, until)| smartcustoms_core::dispatch::Inspector {
                        user,
                        centre,
                        competences: competences.split(',').filter(|c| !c.is_empty()).map(str::to_string).collect(),
                        leave_from_us: from.map(Timestamp::from_micros),
                        leave_until_us: until.map(Timestamp::from_micros),
                    })
                    .collect())
            }

            async fn add_dispatch_rules(
                &self,
                rules: &smartcustoms_core::dispatch::Rules,
                author: &str,
                at_us: Timestamp,
            ) -> StoreResult<i64> {
                let body = serde_json::to_string(rules).map_err(|e| StoreError::Internal(e.to_string()))?;
                let version: i64 = sqlx::query_scalar(&sql(
                    "INSERT INTO dispatch_rules (version, body, author, created_at_us) \
                     SELECT COALESCE(MAX(version), 0) + 1, $1, $2, $3 FROM dispatch_rules RETURNING version",
                ))
                .bind(body)
                .bind(author)
                .bind(at_us.as_micros())
                .fetch_one(&self.pool)
                .await
                .map_err(|e| crate::taken(e, || "the rules changed at the same moment; send them again".into()))?;
                Ok(version)
            }

            async fn dispatch_rules(&self) -> StoreResult<Option<crate::dispatch::RulesVersion>> {
                let row: Option<(i64, String, String, i64)> = sqlx::query_as(
                    "SELECT version, body, author, created_at_us FROM dispatch_rules ORDER BY version DESC LIMIT 1",
                )
                .fetch_optional(&self.pool)
                .await?;
                row.map(|(version, body, author, at)| {
                    Ok(crate::dispatch::RulesVersion {
                        version,
                        rules: serde_json::from_str(&body).map_err(|e| StoreError::Corrupt(format!("dispatch rules: {e}")))?,
                        author,
                        created_at_us: Timestamp::from_micros(at),
                    })
                })
                .transpose()
            }

            async fn inspector_loads(&self) -> StoreResult<Vec<(String, i64)>> {
                Ok(sqlx::query_as(
                    "SELECT d.inspector, COUNT(*) FROM dispatches d JOIN declarations x ON x.id = d.declaration_id \
                     WHERE x.state = 'under_control' AND d.inspector IS NOT NULL GROUP BY d.inspector",
                )
                .fetch_all(&self.pool)
                .await?)
            }

            async fn centre_queues(&self) -> StoreResult<Vec<crate::dispatch::CentreQueue>> {
                let rows: Vec<(Option<String>, Option<String>, i64, i64)> = sqlx::query_as(
                    "SELECT d.centre, d.inspector, COUNT(*), MIN(x.updated_at_us) FROM declarations x \
                     LEFT JOIN dispatches d ON d.declaration_id = x.id WHERE x.state = 'under_control' \
                     GROUP BY d.centre, d.inspector ORDER BY d.centre, d.inspector",
                )
                .fetch_all(&self.pool)
                .await?;
                Ok(rows
                    .into_iter()
                    .map(|(centre, inspector, open, oldest)| crate::dispatch::CentreQueue {
                        centre,
                        inspector,
                        open,
                        oldest_since_us: Timestamp::from_micros(oldest),
                    })
                    .collect())
            }

            async fn undispatched(&self, limit: i64) -> StoreResult<Vec<(DeclarationId, String, Vec<u8>)>> {
                let rows: Vec<(String, String, Vec<u8>)> = sqlx::query_as(&sql(
                    "SELECT x.id, x.declarant, x.document FROM declarations x \
                     LEFT JOIN dispatches d ON d.declaration_id = x.id \
                     WHERE x.state = 'under_control' AND d.declaration_id IS NULL ORDER BY x.updated_at_us LIMIT $1",
                ))
                .bind(limit)
                .fetch_all(&self.pool)
                .await?;
                rows.into_iter().map(|(id, declarant, document)| Ok((id.parse()?, declarant, document))).collect()
            }

            async fn dispatch_of(&self, id: DeclarationId) -> StoreResult<Option<crate::dispatch::DispatchRecord>> {
                let row: Option<(String, String, i64)> =
                    sqlx::query_as(&sql("SELECT declaration_id, reasons, at_us FROM dispatches WHERE declaration_id = $1"))
                        .bind(id.to_string())
                        .fetch_optional(&self.pool)
                        .await?;
                row.map(|(d, reasons, at)| crate::dispatch::parse_dispatch(d, &reasons, at)).transpose()
            }
        }
    };
}
pub(crate) use dispatch_queries;
