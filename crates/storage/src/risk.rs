//! What the risk engine keeps: versioned risk profiles, control outcomes, the learning cases, model
//! versions, operator categories and AEO holders. The SQL is the same on both backends and is
//! expanded into each by [`risk_queries`].

use async_trait::async_trait;
use serde::Serialize;
use smartcustoms_core::ids::ModelVersion;
use smartcustoms_core::inspection::Irregularity;
use smartcustoms_core::timestamp::Timestamp;
use utoipa::ToSchema;

use smartcustoms_core::ledger::Amount;

use crate::{StoreError, StoreResult};

/// A risk profile text to store as a new version.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct NewProfile {
    /// Profile code (from the text).
    pub code: String,
    /// The whole profile text.
    pub source: String,
    /// Who wrote it.
    pub author: String,
    /// Time.
    #[sqlx(try_from = "i64")]
    pub created_at_us: Timestamp,
}

/// A stored risk profile version.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema, sqlx::FromRow)]
pub struct ProfileRecord {
    /// Profile code.
    pub code: String,
    /// Version, from 1.
    pub version: i64,
    /// The profile text.
    pub source: String,
    /// Who wrote it.
    pub author: String,
    /// Time.
    #[sqlx(try_from = "i64")]
    pub created_at_us: Timestamp,
}

/// A recorded control outcome.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct InspectionRecord {
    /// Sequence number, for paging.
    pub id: i64,
    /// The declaration controlled.
    pub declaration_id: String,
    /// Its declarant.
    pub declarant: String,
    /// Who decided (officer, or the source of an import).
    pub officer: String,
    /// Goods released after the control.
    pub released: bool,
    /// Something was found.
    pub irregular: bool,
    /// The kinds found.
    pub irregularities: Vec<Irregularity>,
    /// Additional duty assessed.
    pub additional_duty: Amount,
    /// `officer` for decisions taken in the system.
    pub source: String,
    /// Time of the decision.
    pub at_us: Timestamp,
}

/// A control outcome as stored (irregularities as a comma-separated list of kinds).
#[derive(sqlx::FromRow)]
pub(crate) struct InspectionRow {
    id: i64,
    declaration_id: String,
    declarant: String,
    officer: String,
    released: bool,
    irregular: bool,
    irregularities: String,
    additional_duty_cents: i64,
    source: String,
    at_us: i64,
}

/// Irregularity kinds as stored: their names, comma-separated.
pub(crate) fn stored_irregularities(kinds: &[Irregularity]) -> String {
    let names: Vec<String> = kinds
        .iter()
        .filter_map(|k| serde_json::to_value(k).ok().and_then(|v| v.as_str().map(str::to_string)))
        .collect();
    names.join(",")
}

/// The irregularity kinds of a stored list; a name this version does not know is corrupt data.
fn read_irregularities(stored: &str) -> StoreResult<Vec<Irregularity>> {
    stored
        .split(',')
        .filter(|k| !k.is_empty())
        .map(|k| {
            serde_json::from_value(serde_json::Value::String(k.to_string()))
                .map_err(|_| StoreError::Corrupt(format!("unknown irregularity {k:?}")))
        })
        .collect()
}

impl crate::rows::Parse for InspectionRow {
    type Record = InspectionRecord;

    fn parse(self) -> StoreResult<InspectionRecord> {
        let irregularities = read_irregularities(&self.irregularities)?;
        Ok(InspectionRecord {
            id: self.id,
            declaration_id: self.declaration_id,
            declarant: self.declarant,
            officer: self.officer,
            released: self.released,
            irregular: self.irregular,
            irregularities,
            additional_duty: Amount::from_cents(self.additional_duty_cents),
            source: self.source,
            at_us: Timestamp::from_micros(self.at_us),
        })
    }
}

/// A registered declaration as the risk system learns from it: the document, the duty
/// calculation, the decision (lane, hits, model score, categories) and the outcome of its
/// control when it was controlled.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct StoredCase {
    /// Declaration id.
    pub id: String,
    /// Declarant.
    pub declarant: String,
    /// When it was filed.
    #[sqlx(try_from = "i64")]
    pub received_at_us: Timestamp,
    /// Current state.
    pub state: String,
    /// The lane it was sent to.
    pub lane: String,
    /// The exact bytes filed.
    pub document: Vec<u8>,
    /// The declaration as checked when it was filed (JSON with its format); absent for
    /// declarations recorded before it was kept.
    pub checked: Option<String>,
    /// The duty calculation and value checks (JSON).
    pub duties: Option<String>,
    /// The decision (JSON: hits, model, random control, categories).
    pub decision: String,
    /// The outcome of its control: `Some(true)` when irregularities were found.
    pub irregular: Option<bool>,
    /// Additional duty assessed by the control, cents.
    pub additional_duty_cents: Option<i64>,
}

/// The category of an operator in force, as the last recategorisation computed it.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct OperatorCategory {
    /// The operator (party id).
    pub party: String,
    /// The category's code.
    pub category: String,
    /// The whole categorisation with its reasons (JSON).
    pub record: String,
}

/// The model in force: its version and its document (JSON).
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct ActiveModel {
    /// Version.
    #[sqlx(try_from = "i64")]
    pub version: ModelVersion,
    /// The trained model, JSON.
    pub document: String,
}

/// A trained model version to keep.
#[derive(Debug, Clone)]
pub struct NewRiskModel {
    /// Version (the next free one, see `Queries::next_risk_model_version`).
    pub version: ModelVersion,
    /// When trained.
    pub trained_at_us: Timestamp,
    /// Becomes the active model.
    pub promoted: bool,
    /// Why it was or was not promoted.
    pub reason: String,
    /// Window, measures, thresholds (JSON).
    pub info: String,
    /// The model document.
    pub document: String,
}

/// A kept model version, without its trees.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct RiskModelRecord {
    /// Version.
    pub version: ModelVersion,
    /// When trained.
    pub trained_at_us: Timestamp,
    /// Was promoted when trained.
    pub promoted: bool,
    /// Is the model in force.
    pub active: bool,
    /// Why it was or was not promoted.
    pub reason: String,
    /// Window, measures and thresholds.
    #[schema(value_type = Object)]
    pub info: serde_json::Value,
}

/// A kept model version as stored (its information as JSON text).
#[derive(sqlx::FromRow)]
pub(crate) struct RiskModelRow {
    version: i64,
    trained_at_us: i64,
    promoted: bool,
    active: bool,
    reason: String,
    info: String,
}

impl crate::rows::Parse for RiskModelRow {
    type Record = RiskModelRecord;

    fn parse(self) -> StoreResult<RiskModelRecord> {
        Ok(RiskModelRecord {
            version: self.version.into(),
            trained_at_us: Timestamp::from_micros(self.trained_at_us),
            promoted: self.promoted,
            active: self.active,
            reason: self.reason,
            info: serde_json::from_str(&self.info).map_err(|e| StoreError::Corrupt(format!("model info: {e}")))?,
        })
    }
}

/// A control outcome recorded from an earlier system or from paper files.
#[derive(Debug, Clone)]
pub struct ImportedOutcome {
    /// The declaration controlled.
    pub declaration_id: String,
    /// What the control found.
    pub outcome: smartcustoms_core::inspection::InspectionOutcome,
    /// Where it comes from, e.g. `import:file.csv`.
    pub source: String,
    /// When recorded.
    pub at_us: Timestamp,
}

/// What became of an imported outcome.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ImportResult {
    /// Recorded.
    Recorded,
    /// The declaration already has an outcome; the earlier one stays.
    AlreadyRecorded,
    /// No such declaration.
    UnknownDeclaration,
    /// The declaration was never registered (refused or awaiting payment).
    NotRegistered,
}

/// The risk area of the storage interface.
#[async_trait]
pub trait RiskQueries {
    /// Stores a new version of a risk profile (the next version number of its code) and returns it.
    async fn add_profile(&self, profile: &NewProfile) -> StoreResult<ProfileRecord>;

    /// The latest version of every risk profile.
    async fn current_profiles(&self) -> StoreResult<Vec<ProfileRecord>>;

    /// Every version of one profile, oldest first.
    async fn profile_versions(&self, code: &str) -> StoreResult<Vec<ProfileRecord>>;

    /// Control outcomes with `id > after`, oldest first, at most `limit`.
    async fn inspection_outcomes(&self, after: i64, limit: i64) -> StoreResult<Vec<InspectionRecord>>;

    /// Registered declarations filed since `from_us`, the most recent `limit` of them, oldest
    /// first, each with the outcome of its control when there is one.
    async fn risk_cases(&self, from_us: Timestamp, limit: i64) -> StoreResult<Vec<StoredCase>>;

    /// The next free model version.
    async fn next_risk_model_version(&self) -> StoreResult<ModelVersion>;

    /// Keeps a model version; a promoted one becomes the only active one, in one transaction.
    /// A version taken meanwhile by another process is a conflict.
    async fn add_risk_model(&self, model: &NewRiskModel) -> StoreResult<()>;

    /// Every kept model version, newest first, without documents.
    async fn risk_models(&self) -> StoreResult<Vec<RiskModelRecord>>;

    /// The active model: version and document.
    async fn active_risk_model(&self) -> StoreResult<Option<ActiveModel>>;

    /// The document of a kept model version.
    async fn risk_model_document(&self, version: ModelVersion) -> StoreResult<Option<String>>;

    /// Replaces the operator categories in force: party, category, record (JSON).
    async fn replace_operator_categories(&self, rows: &[OperatorCategory], at_us: Timestamp) -> StoreResult<()>;

    /// The operator categories in force: party, category, record (JSON).
    async fn operator_categories(&self) -> StoreResult<Vec<OperatorCategory>>;

    /// Records an AEO authorisation (a repeat updates the reference).
    async fn add_aeo(&self, party: &str, reference: &str, at_us: Timestamp) -> StoreResult<()>;

    /// Holders of an AEO authorisation.
    async fn aeo_holders(&self) -> StoreResult<Vec<String>>;

    /// Records the outcome of a control made outside the system, for a registered declaration
    /// without an outcome yet.
    async fn import_outcome(&self, outcome: &ImportedOutcome) -> StoreResult<ImportResult>;
}

/// Implements [`RiskQueries`] for a backend.
/// Needs in scope: `self.pool`, `self.begin_write()`, `sql(&str) -> Cow<str>`, `Row`,
/// `SERIALISE_PROFILE_CODE`.
macro_rules! risk_queries {
    ($store:ty) => {
        #[async_trait]
        impl crate::risk::RiskQueries for $store {
        async fn add_profile(&self, p: &NewProfile) -> StoreResult<ProfileRecord> {
            let mut tx = self.begin_write().await?;
            if let Some(lock) = SERIALISE_PROFILE_CODE {
                sqlx::query(lock).bind(&p.code).execute(&mut *tx).await?;
            }
            let version: i64 =
                sqlx::query_scalar(&sql("SELECT COALESCE(MAX(version), 0) + 1 FROM risk_profiles WHERE code = $1"))
                    .bind(&p.code)
                    .fetch_one(&mut *tx)
                    .await?;
            sqlx::query(&sql(
                "INSERT INTO risk_profiles (code, version, source, author, created_at_us) VALUES ($1, $2, $3, $4, $5)",
            ))
            .bind(&p.code)
            .bind(version)
            .bind(&p.source)
            .bind(&p.author)
            .bind(p.created_at_us.as_micros())
            .execute(&mut *tx)
            .await?;
            tx.commit().await?;
            Ok(ProfileRecord {
                code: p.code.clone(),
                version,
                source: p.source.clone(),
                author: p.author.clone(),
                created_at_us: p.created_at_us,
            })
        }

        async fn current_profiles(&self) -> StoreResult<Vec<ProfileRecord>> {
            Ok(sqlx::query_as(
                "SELECT p.code, p.version, p.source, p.author, p.created_at_us FROM risk_profiles p \
                 WHERE p.version = (SELECT MAX(version) FROM risk_profiles q WHERE q.code = p.code) ORDER BY p.code",
            )
            .fetch_all(&self.pool)
            .await?)
        }

        async fn profile_versions(&self, code: &str) -> StoreResult<Vec<ProfileRecord>> {
            Ok(sqlx::query_as(&sql(
                "SELECT code, version, source, author, created_at_us FROM risk_profiles WHERE code = $1 ORDER BY version",
            ))
            .bind(code)
            .fetch_all(&self.pool)
            .await?)
        }

        async fn inspection_outcomes(&self, after: i64, limit: i64) -> StoreResult<Vec<InspectionRecord>> {
            let rows: Vec<crate::risk::InspectionRow> = sqlx::query_as(&sql(
                "SELECT id, declaration_id, declarant, officer, released, irregular, irregularities, \
                 additional_duty_cents, source, at_us FROM inspection_outcomes WHERE id > $1 ORDER BY id LIMIT $2",
            ))
            .bind(after)
            .bind(limit)
            .fetch_all(&self.pool)
            .await?;
            crate::rows::Parse::parse_all(rows)
        }

        async fn risk_cases(&self, from_us: Timestamp, limit: i64) -> StoreResult<Vec<StoredCase>> {
            let mut cases: Vec<StoredCase> = sqlx::query_as(&sql(
                "SELECT d.id, d.declarant, d.received_at_us, d.state, d.lane, d.document, d.checked, d.duties, \
                 d.decision, o.irregular, o.additional_duty_cents FROM declarations d \
                 LEFT JOIN inspection_outcomes o ON o.declaration_id = d.id \
                 WHERE d.lane IS NOT NULL AND d.received_at_us >= $1 ORDER BY d.received_at_us DESC, d.id DESC LIMIT $2",
            ))
            .bind(from_us.as_micros())
            .bind(limit)
            .fetch_all(&self.pool)
            .await?;
            cases.reverse();
            Ok(cases)
        }

        async fn next_risk_model_version(&self) -> StoreResult<smartcustoms_core::ids::ModelVersion> {
            let last: Option<i64> = sqlx::query_scalar("SELECT MAX(version) FROM risk_models").fetch_one(&self.pool).await?;
            Ok(last.map_or(smartcustoms_core::ids::ModelVersion::FIRST, |v| smartcustoms_core::ids::ModelVersion::from(v).next()))
        }

        async fn add_risk_model(&self, m: &NewRiskModel) -> StoreResult<()> {
            let mut tx = self.begin_write().await?;
            if m.promoted {
                sqlx::query(&sql("UPDATE risk_models SET active = $1 WHERE active = $2"))
                    .bind(false)
                    .bind(true)
                    .execute(&mut *tx)
                    .await?;
            }
            sqlx::query(&sql(
                "INSERT INTO risk_models (version, trained_at_us, promoted, active, reason, info, document) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7)",
            ))
            .bind(m.version.get())
            .bind(m.trained_at_us.as_micros())
            .bind(m.promoted)
            .bind(m.promoted)
            .bind(&m.reason)
            .bind(&m.info)
            .bind(&m.document)
            .execute(&mut *tx)
            .await
            .map_err(|e| crate::taken(e, || format!("model version {} was taken meanwhile; retry", m.version)))?;
            tx.commit().await?;
            Ok(())
        }

        async fn risk_models(&self) -> StoreResult<Vec<RiskModelRecord>> {
            let rows: Vec<crate::risk::RiskModelRow> = sqlx::query_as(
                "SELECT version, trained_at_us, promoted, active, reason, info FROM risk_models ORDER BY version DESC",
            )
            .fetch_all(&self.pool)
            .await?;
            crate::rows::Parse::parse_all(rows)
        }

        async fn active_risk_model(&self) -> StoreResult<Option<ActiveModel>> {
            Ok(sqlx::query_as(&sql("SELECT version, document FROM risk_models WHERE active = $1"))
                .bind(true)
                .fetch_optional(&self.pool)
                .await?)
        }

        async fn risk_model_document(&self, version: smartcustoms_core::ids::ModelVersion) -> StoreResult<Option<String>> {
            Ok(sqlx::query_scalar(&sql("SELECT document FROM risk_models WHERE version = $1"))
                .bind(version.get())
                .fetch_optional(&self.pool)
                .await?)
        }

        async fn replace_operator_categories(&self, rows: &[OperatorCategory], at_us: Timestamp) -> StoreResult<()> {
            let mut tx = self.begin_write().await?;
            sqlx::query("DELETE FROM operator_categories").execute(&mut *tx).await?;
            for chunk in rows.chunks(500) {
                let mut q = sqlx::QueryBuilder::new("INSERT INTO operator_categories (party, category, record, computed_at_us) ");
                q.push_values(chunk, |mut b, c| {
                    b.push_bind(&c.party).push_bind(&c.category).push_bind(&c.record).push_bind(at_us.as_micros());
                });
                q.build().execute(&mut *tx).await?;
            }
            tx.commit().await?;
            Ok(())
        }

        async fn operator_categories(&self) -> StoreResult<Vec<OperatorCategory>> {
            Ok(sqlx::query_as("SELECT party, category, record FROM operator_categories ORDER BY party")
                .fetch_all(&self.pool)
                .await?)
        }

        async fn add_aeo(&self, party: &str, reference: &str, at_us: Timestamp) -> StoreResult<()> {
            sqlx::query(&sql(
                "INSERT INTO aeo_holders (party, reference, added_at_us) VALUES ($1, $2, $3) \
                 ON CONFLICT (party) DO UPDATE SET reference = excluded.reference",
            ))
            .bind(party)
            .bind(reference)
            .bind(at_us.as_micros())
            .execute(&self.pool)
            .await?;
            Ok(())
        }

        async fn aeo_holders(&self) -> StoreResult<Vec<String>> {
            Ok(sqlx::query_scalar("SELECT party FROM aeo_holders ORDER BY party").fetch_all(&self.pool).await?)
        }

        async fn import_outcome(&self, o: &ImportedOutcome) -> StoreResult<ImportResult> {
            let mut tx = self.begin_write().await?;
            let declaration: Option<(String, Option<String>)> =
                sqlx::query_as(&sql("SELECT declarant, lane FROM declarations WHERE id = $1"))
                    .bind(&o.declaration_id)
                    .fetch_optional(&mut *tx)
                    .await?;
            let Some((declarant, lane)) = declaration else { return Ok(ImportResult::UnknownDeclaration) };
            if lane.is_none() {
                return Ok(ImportResult::NotRegistered);
            }
            let inserted = sqlx::query(&sql(
                "INSERT INTO inspection_outcomes (declaration_id, declarant, officer, released, irregular, irregularities, \
                 additional_duty_cents, source, at_us) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) \
                 ON CONFLICT (declaration_id) DO NOTHING",
            ))
            .bind(&o.declaration_id)
            .bind(declarant)
            .bind(&o.source)
            .bind(true)
            .bind(o.outcome.is_irregular())
            .bind(crate::risk::stored_irregularities(&o.outcome.irregularities))
            .bind(o.outcome.additional_duty.cents())
            .bind(&o.source)
            .bind(o.at_us.as_micros())
            .execute(&mut *tx)
            .await?
            .rows_affected();
            tx.commit().await?;
            Ok(if inserted == 1 { ImportResult::Recorded } else { ImportResult::AlreadyRecorded })
        }
        }
    };
}

pub(crate) use risk_queries;
