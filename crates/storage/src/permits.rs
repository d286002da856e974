//! Single Window (E1): agencies, their requirements, the documents they issue, and what
//! declarations reserved and drew on them. Registering agencies, requirements and documents
//! and changing documents are written here, each with its audit entry, after taking the lock
//! that orders writing transactions; the quantities declarations move are written by the
//! filing, decision, deposit and withdrawal transactions ([`crate::permits_tx`]). The SQL is
//! the same on both backends and is expanded into each by [`permit_queries`].

use async_trait::async_trait;
use chrono::NaiveDate;
use serde::Serialize;
use utoipa::ToSchema;

use smartcustoms_core::permits::{Change, Milli, OnMissing, Permit, PermitStatus, Requirement};
use smartcustoms_core::timestamp::Timestamp;

use crate::rows::Parse;
use crate::{StoreError, StoreResult};

/// An agency as stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema, sqlx::FromRow)]
pub struct AgencyRecord {
    /// Its code (e.g. `VET`).
    pub code: String,
    /// Its name.
    pub name: String,
    /// The declaration fields it may read, comma-separated.
    pub fields: String,
    /// Who registered it.
    pub created_by: String,
    /// When.
    #[sqlx(try_from = "i64")]
    #[schema(value_type = i64)]
    pub created_at_us: Timestamp,
}

impl AgencyRecord {
    /// The fields it may read.
    pub fn field_list(&self) -> Vec<&str> {
        split(&self.fields)
    }
}

fn split(list: &str) -> Vec<&str> {
    list.split(',').map(str::trim).filter(|s| !s.is_empty()).collect()
}

/// A stored comma-separated list (prefixes, origins, procedures) as owned texts.
pub(crate) fn list(text: &str) -> Vec<String> {
    split(text).into_iter().map(str::to_string).collect()
}

/// A requirement to add.
#[derive(Debug, Clone)]
pub struct NewRequirement {
    /// The requirement (its id is allocated when stored).
    pub requirement: Requirement,
    /// Who adds it.
    pub actor: String,
    /// When.
    pub at_us: Timestamp,
}

#[derive(sqlx::FromRow)]
pub(crate) struct RequirementRow {
    id: i64,
    agency: String,
    document_kind: String,
    hs_prefix: String,
    origins: String,
    procedures: String,
    valid_from: NaiveDate,
    valid_to: Option<NaiveDate>,
    on_missing: String,
}

impl Parse for RequirementRow {
    type Record = Requirement;

    fn parse(self) -> StoreResult<Requirement> {
        Ok(Requirement {
            id: self.id,
            agency: self.agency,
            document_kind: self.document_kind,
            hs_prefix: self.hs_prefix,
            origins: list(&self.origins),
            procedures: list(&self.procedures),
            valid_from: self.valid_from,
            valid_to: self.valid_to,
            on_missing: OnMissing::parse(&self.on_missing).ok_or_else(|| {
                StoreError::Corrupt(format!("requirement {}: on_missing {:?}", self.id, self.on_missing))
            })?,
        })
    }
}

pub(crate) const REQUIREMENT_COLUMNS: &str =
    "id, agency, document_kind, hs_prefix, origins, procedures, valid_from, valid_to, on_missing";

/// A document as stored: the document and its record keeping.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PermitRecord {
    /// The document with its quantities.
    pub permit: Permit,
    /// Changes made since it was issued, plus one.
    pub version: i64,
    /// Who issued it.
    pub issued_by: String,
    /// When.
    pub issued_at_us: Timestamp,
    /// Last change (of its terms or of its quantities).
    pub updated_at_us: Timestamp,
}

#[derive(sqlx::FromRow)]
pub(crate) struct PermitRow {
    number: String,
    agency: String,
    kind: String,
    holder: String,
    hs_prefixes: String,
    unit: String,
    quantity_milli: i64,
    reserved_milli: i64,
    drawn_milli: i64,
    valid_from: NaiveDate,
    valid_to: NaiveDate,
    status: String,
    version: i64,
    issued_by: String,
    issued_at_us: i64,
    updated_at_us: i64,
}

impl Parse for PermitRow {
    type Record = PermitRecord;

    fn parse(self) -> StoreResult<PermitRecord> {
        let status = PermitStatus::parse(&self.status)
            .ok_or_else(|| StoreError::Corrupt(format!("document {} has status {:?}", self.number, self.status)))?;
        Ok(PermitRecord {
            permit: Permit {
                hs_prefixes: list(&self.hs_prefixes),
                number: self.number,
                agency: self.agency,
                kind: self.kind,
                holder: self.holder,
                unit: self.unit,
                quantity: Milli(self.quantity_milli),
                reserved: Milli(self.reserved_milli),
                drawn: Milli(self.drawn_milli),
                valid_from: self.valid_from,
                valid_to: self.valid_to,
                status,
            },
            version: self.version,
            issued_by: self.issued_by,
            issued_at_us: Timestamp::from_micros(self.issued_at_us),
            updated_at_us: Timestamp::from_micros(self.updated_at_us),
        })
    }
}

pub(crate) const PERMIT_COLUMNS: &str = "number, agency, kind, holder, hs_prefixes, unit, quantity_milli, \
     reserved_milli, drawn_milli, valid_from, valid_to, status, version, issued_by, issued_at_us, updated_at_us";

/// What one item of a declaration took from a document.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema, sqlx::FromRow)]
pub struct DrawRecord {
    /// The declaration.
    pub declaration_id: String,
    /// The item's sequence number.
    pub item: i64,
    /// The document.
    pub permit: String,
    /// Quantity, thousandths of the document's unit.
    pub quantity_milli: i64,
    /// `reserved`, `drawn` or `restored`.
    pub state: String,
    /// When it last changed.
    #[sqlx(try_from = "i64")]
    #[schema(value_type = i64)]
    pub at_us: Timestamp,
}

pub(crate) const DRAW_COLUMNS: &str = "declaration_id, item, permit, quantity_milli, state, at_us";

/// Goods referred to an agency, as stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema, sqlx::FromRow)]
pub struct ReferralRecord {
    /// The declaration.
    pub declaration_id: String,
    /// The goods item.
    pub item: i64,
    /// The kind of document required.
    pub kind: String,
    /// The agency that decides.
    pub agency: String,
    /// The requirement that referred the goods.
    pub requirement: i64,
    /// What the check found: `SW_001` (no document) or `SW_008` (not enough left).
    pub code: String,
    /// The finding in plain words.
    pub message: String,
    /// `pending`, `allowed` or `refused`.
    pub state: String,
    /// When the goods were referred.
    #[sqlx(try_from = "i64")]
    #[schema(value_type = i64)]
    pub at_us: Timestamp,
    /// Who decided.
    pub decided_by: Option<String>,
    /// When.
    pub decided_at_us: Option<i64>,
    /// The agency's note.
    pub note: Option<String>,
}

pub(crate) const REFERRAL_COLUMNS: &str = "r.declaration_id, r.item, r.kind, r.agency, r.requirement, r.code, \
     r.message, r.state, r.at_us, r.decided_by, r.decided_at_us, r.note";

/// An agency's decision on referred goods.
#[derive(Debug, Clone)]
pub struct ReferralDecision {
    /// The agency deciding.
    pub agency: String,
    /// The declaration.
    pub declaration_id: String,
    /// The goods item.
    pub item: i64,
    /// The kind of document required.
    pub kind: String,
    /// Allow the goods, or refuse them.
    pub allow: bool,
    /// Why.
    pub note: String,
    /// Who decides.
    pub actor: String,
    /// When.
    pub at_us: Timestamp,
}

/// Which documents to list.
#[derive(Debug, Clone, Default)]
pub struct PermitFilter {
    /// Issued by this agency.
    pub agency: Option<String>,
    /// Issued to this trader.
    pub holder: Option<String>,
}

/// The Single Window's agencies, requirements and documents.
#[async_trait]
pub trait PermitQueries: Send + Sync {
    /// Registers an agency, or changes its name and competence; with an audit entry.
    async fn save_agency(&self, agency: &AgencyRecord) -> StoreResult<()>;

    /// Every agency, by code.
    async fn agencies(&self) -> StoreResult<Vec<AgencyRecord>>;

    /// Adds a requirement (its id allocated here), with an audit entry. `NotFound` when the
    /// agency is not registered.
    async fn add_requirement(&self, new: &NewRequirement) -> StoreResult<Requirement>;

    /// Ends an agency's requirement on `valid_to`, with an audit entry. `NotFound` when the
    /// agency has no such requirement.
    async fn end_requirement(
        &self,
        agency: &str,
        id: i64,
        valid_to: NaiveDate,
        actor: &str,
        at_us: Timestamp,
    ) -> StoreResult<Requirement>;

    /// Every requirement, of every date.
    async fn requirements(&self) -> StoreResult<Vec<Requirement>>;

    /// Issues a document, with an audit entry. `Conflict` when its number is taken, `NotFound`
    /// when its agency is not registered.
    async fn issue_permit(&self, permit: &Permit, actor: &str, at_us: Timestamp) -> StoreResult<PermitRecord>;

    /// Changes a document of `agency`, with an audit entry giving the reason. `NotFound` when
    /// the agency has no such document, `Conflict` when the change is refused.
    async fn change_permit(
        &self,
        agency: &str,
        number: &str,
        change: &Change,
        reason: &str,
        actor: &str,
        at_us: Timestamp,
    ) -> StoreResult<PermitRecord>;

    /// One document.
    async fn permit(&self, number: &str) -> StoreResult<Option<PermitRecord>>;

    /// Documents, newest first (at most `limit`).
    async fn permits(&self, filter: &PermitFilter, limit: i64) -> StoreResult<Vec<PermitRecord>>;

    /// What declarations took from a document, oldest first (at most `limit`).
    async fn permit_draws(&self, number: &str, limit: i64) -> StoreResult<Vec<DrawRecord>>;

    /// What a declaration took from documents.
    async fn declaration_draws(&self, declaration: &str) -> StoreResult<Vec<DrawRecord>>;

    /// The declarations an agency's requirements concern, newest first (at most `limit`).
    async fn agency_declarations(&self, agency: &str, limit: i64) -> StoreResult<Vec<String>>;

    /// True when an agency's requirements concern a declaration.
    async fn concerns_agency(&self, agency: &str, declaration: &str) -> StoreResult<bool>;

    /// The goods waiting for an agency's decision, on declarations still under control,
    /// oldest first (at most `limit`).
    async fn pending_referrals(&self, agency: &str, limit: i64) -> StoreResult<Vec<ReferralRecord>>;

    /// The goods of a declaration referred to agencies, decided or not.
    async fn declaration_referrals(&self, declaration: &str) -> StoreResult<Vec<ReferralRecord>>;

    /// Records an agency's decision on referred goods, with an audit entry. `NotFound` when the
    /// agency has no such referral, `Conflict` when it was decided before.
    async fn decide_referral(&self, decision: &ReferralDecision) -> StoreResult<ReferralRecord>;
}

/// The audit entry of a change of the Single Window's data.
pub(crate) fn entry(at_us: Timestamp, actor: &str, details: serde_json::Value) -> smartcustoms_core::audit::NewEntry {
    crate::identity::identity_entry(at_us, actor, smartcustoms_core::audit::Action::SingleWindowChanged, details)
}

/// A document's terms as audited.
pub(crate) fn terms(p: &Permit) -> serde_json::Value {
    serde_json::json!({
        "number": p.number, "agency": p.agency, "kind": p.kind, "holder": p.holder,
        "hs_prefixes": p.hs_prefixes, "unit": p.unit, "quantity": p.quantity.to_string(),
        "valid_from": p.valid_from, "valid_to": p.valid_to, "status": p.status.as_str(),
    })
}

/// Implements [`PermitQueries`] for a backend, where the identity area's
/// `append_identity_audit` is in scope. Needs in scope: `self.pool`, `self.begin_write()`,
/// `sql(&str) -> Cow<str>`; `$lock` is what locks the audit head row (`FOR UPDATE` or nothing).
macro_rules! permit_queries {
    ($store:ty, $lock:literal) => {
        #[async_trait]
        impl crate::permits::PermitQueries for $store {
            async fn save_agency(&self, a: &crate::permits::AgencyRecord) -> StoreResult<()> {
                let mut tx = self.begin_write().await?;
                sqlx::query(&sql(
                    "INSERT INTO agencies (code, name, fields, created_by, created_at_us) VALUES ($1, $2, $3, $4, $5) \
                     ON CONFLICT (code) DO UPDATE SET name = excluded.name, fields = excluded.fields",
                ))
                .bind(&a.code)
                .bind(&a.name)
                .bind(&a.fields)
                .bind(&a.created_by)
                .bind(a.created_at_us.as_micros())
                .execute(&mut *tx)
                .await?;
                let details = serde_json::json!({ "agency": a.code, "name": a.name, "fields": a.field_list() });
                append_identity_audit(&mut tx, crate::permits::entry(a.created_at_us, &a.created_by, details)).await?;
                tx.commit().await?;
                Ok(())
            }

            async fn agencies(&self) -> StoreResult<Vec<crate::permits::AgencyRecord>> {
                Ok(sqlx::query_as("SELECT code, name, fields, created_by, created_at_us FROM agencies ORDER BY code")
                    .fetch_all(&self.pool)
                    .await?)
            }

            async fn add_requirement(
                &self,
                new: &crate::permits::NewRequirement,
            ) -> StoreResult<smartcustoms_core::permits::Requirement> {
                let mut tx = self.begin_write().await?;
                sqlx::query(concat!("SELECT seq FROM audit_head WHERE id = 1", $lock)).execute(&mut *tx).await?;
                let r = &new.requirement;
                let known: Option<String> = sqlx::query_scalar(&sql("SELECT code FROM agencies WHERE code = $1"))
                    .bind(&r.agency)
                    .fetch_optional(&mut *tx)
                    .await?;
                if known.is_none() {
                    return Err(StoreError::NotFound);
                }
                let id: i64 = sqlx::query_scalar("SELECT COALESCE(MAX(id), 0) + 1 FROM sw_requirements")
                    .fetch_one(&mut *tx)
                    .await?;
                sqlx::query(&sql(
                    "INSERT INTO sw_requirements (id, agency, document_kind, hs_prefix, origins, procedures, valid_from, \
                     valid_to, created_by, created_at_us, on_missing) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
                ))
                .bind(id)
                .bind(&r.agency)
                .bind(&r.document_kind)
                .bind(&r.hs_prefix)
                .bind(r.origins.join(","))
                .bind(r.procedures.join(","))
                .bind(r.valid_from)
                .bind(r.valid_to)
                .bind(&new.actor)
                .bind(new.at_us.as_micros())
                .bind(r.on_missing.as_str())
                .execute(&mut *tx)
                .await?;
                let stored = smartcustoms_core::permits::Requirement { id, ..r.clone() };
                let details = serde_json::json!({ "requirement": stored, "change": "added" });
                append_identity_audit(&mut tx, crate::permits::entry(new.at_us, &new.actor, details)).await?;
                tx.commit().await?;
                Ok(stored)
            }

            async fn end_requirement(
                &self,
                agency: &str,
                id: i64,
                valid_to: chrono::NaiveDate,
                actor: &str,
                at_us: Timestamp,
            ) -> StoreResult<smartcustoms_core::permits::Requirement> {
                use crate::rows::Parse as _;
                let mut tx = self.begin_write().await?;
                let row: Option<crate::permits::RequirementRow> = sqlx::query_as(&sql(&format!(
                    "UPDATE sw_requirements SET valid_to = $1 WHERE id = $2 AND agency = $3 RETURNING {}",
                    crate::permits::REQUIREMENT_COLUMNS
                )))
                .bind(valid_to)
                .bind(id)
                .bind(agency)
                .fetch_optional(&mut *tx)
                .await?;
                let stored = row.ok_or(StoreError::NotFound)?.parse()?;
                let details = serde_json::json!({ "requirement": stored, "change": "ended" });
                append_identity_audit(&mut tx, crate::permits::entry(at_us, actor, details)).await?;
                tx.commit().await?;
                Ok(stored)
            }

            async fn requirements(&self) -> StoreResult<Vec<smartcustoms_core::permits::Requirement>> {
                use crate::rows::Parse as _;
                let rows: Vec<crate::permits::RequirementRow> = sqlx::query_as(&format!(
                    "SELECT {} FROM sw_requirements ORDER BY id",
                    crate::permits::REQUIREMENT_COLUMNS
                ))
                .fetch_all(&self.pool)
                .await?;
                crate::permits::RequirementRow::parse_all(rows)
            }

            async fn issue_permit(
                &self,
                p: &smartcustoms_core::permits::Permit,
                actor: &str,
                at_us: Timestamp,
            ) -> StoreResult<crate::permits::PermitRecord> {
                let mut tx = self.begin_write().await?;
                let known: Option<String> = sqlx::query_scalar(&sql("SELECT code FROM agencies WHERE code = $1"))
                    .bind(&p.agency)
                    .fetch_optional(&mut *tx)
                    .await?;
                if known.is_none() {
                    return Err(StoreError::NotFound);
                }
                sqlx::query(&sql(
                    "INSERT INTO permits (number, agency, kind, holder, hs_prefixes, unit, quantity_milli, reserved_milli, \
                     drawn_milli, valid_from, valid_to, status, version, issued_by, issued_at_us, updated_at_us) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7, 0, 0, $8, $9, $10, 1, $11, $12, $12)",
                ))
                .bind(&p.number)
                .bind(&p.agency)
                .bind(&p.kind)
                .bind(&p.holder)
                .bind(p.hs_prefixes.join(","))
                .bind(&p.unit)
                .bind(p.quantity.0)
                .bind(p.valid_from)
                .bind(p.valid_to)
                .bind(p.status.as_str())
                .bind(actor)
                .bind(at_us.as_micros())
                .execute(&mut *tx)
                .await
                .map_err(|e| crate::taken(e, || format!("document number {} is taken", p.number)))?;
                let details = serde_json::json!({ "permit": crate::permits::terms(p), "change": "issued" });
                append_identity_audit(&mut tx, crate::permits::entry(at_us, actor, details)).await?;
                tx.commit().await?;
                let permit = smartcustoms_core::permits::Permit {
                    reserved: smartcustoms_core::permits::Milli(0),
                    drawn: smartcustoms_core::permits::Milli(0),
                    ..p.clone()
                };
                Ok(crate::permits::PermitRecord {
                    permit,
                    version: 1,
                    issued_by: actor.to_string(),
                    issued_at_us: at_us,
                    updated_at_us: at_us,
                })
            }

            async fn change_permit(
                &self,
                agency: &str,
                number: &str,
                change: &smartcustoms_core::permits::Change,
                reason: &str,
                actor: &str,
                at_us: Timestamp,
            ) -> StoreResult<crate::permits::PermitRecord> {
                use crate::rows::Parse as _;
                let mut tx = self.begin_write().await?;
                sqlx::query(concat!("SELECT seq FROM audit_head WHERE id = 1", $lock)).execute(&mut *tx).await?;
                let row: Option<crate::permits::PermitRow> = sqlx::query_as(&sql(&format!(
                    "SELECT {} FROM permits WHERE number = $1 AND agency = $2",
                    crate::permits::PERMIT_COLUMNS
                )))
                .bind(number)
                .bind(agency)
                .fetch_optional(&mut *tx)
                .await?;
                let mut record = row.ok_or(StoreError::NotFound)?.parse()?;
                let next = record.permit.changed(change).map_err(|e| StoreError::Conflict(e.to_string()))?;
                sqlx::query(&sql(
                    "UPDATE permits SET quantity_milli = $1, valid_to = $2, hs_prefixes = $3, status = $4, \
                     version = version + 1, updated_at_us = $5 WHERE number = $6",
                ))
                .bind(next.quantity.0)
                .bind(next.valid_to)
                .bind(next.hs_prefixes.join(","))
                .bind(next.status.as_str())
                .bind(at_us.as_micros())
                .bind(number)
                .execute(&mut *tx)
                .await?;
                let details = serde_json::json!({
                    "permit": crate::permits::terms(&next), "change": change.as_str(), "reason": reason,
                    "before": crate::permits::terms(&record.permit),
                });
                append_identity_audit(&mut tx, crate::permits::entry(at_us, actor, details)).await?;
                tx.commit().await?;
                record.permit = next;
                record.version += 1;
                record.updated_at_us = at_us;
                Ok(record)
            }

            async fn permit(&self, number: &str) -> StoreResult<Option<crate::permits::PermitRecord>> {
                use crate::rows::Parse as _;
                let row: Option<crate::permits::PermitRow> = sqlx::query_as(&sql(&format!(
                    "SELECT {} FROM permits WHERE number = $1",
                    crate::permits::PERMIT_COLUMNS
                )))
                .bind(number)
                .fetch_optional(&self.pool)
                .await?;
                row.map(|r| r.parse()).transpose()
            }

            async fn permits(
                &self,
                filter: &crate::permits::PermitFilter,
                limit: i64,
            ) -> StoreResult<Vec<crate::permits::PermitRecord>> {
                let rows: Vec<crate::permits::PermitRow> = sqlx::query_as(&sql(&format!(
                    "SELECT {} FROM permits WHERE ($1 IS NULL OR agency = $1) AND ($2 IS NULL OR holder = $2) \
                     ORDER BY issued_at_us DESC, number LIMIT $3",
                    crate::permits::PERMIT_COLUMNS
                )))
                .bind(&filter.agency)
                .bind(&filter.holder)
                .bind(limit)
                .fetch_all(&self.pool)
                .await?;
                <crate::permits::PermitRow as crate::rows::Parse>::parse_all(rows)
            }

            async fn permit_draws(&self, number: &str, limit: i64) -> StoreResult<Vec<crate::permits::DrawRecord>> {
                Ok(sqlx::query_as(&sql(&format!(
                    "SELECT {} FROM permit_draws WHERE permit = $1 ORDER BY at_us, declaration_id, item LIMIT $2",
                    crate::permits::DRAW_COLUMNS
                )))
                .bind(number)
                .bind(limit)
                .fetch_all(&self.pool)
                .await?)
            }

            async fn declaration_draws(&self, declaration: &str) -> StoreResult<Vec<crate::permits::DrawRecord>> {
                Ok(sqlx::query_as(&sql(&format!(
                    "SELECT {} FROM permit_draws WHERE declaration_id = $1 ORDER BY item, permit",
                    crate::permits::DRAW_COLUMNS
                )))
                .bind(declaration)
                .fetch_all(&self.pool)
                .await?)
            }

            async fn agency_declarations(&self, agency: &str, limit: i64) -> StoreResult<Vec<String>> {
                Ok(sqlx::query_scalar(&sql(
                    "SELECT declaration_id FROM agency_declarations WHERE agency = $1 \
                     ORDER BY at_us DESC, declaration_id LIMIT $2",
                ))
                .bind(agency)
                .bind(limit)
                .fetch_all(&self.pool)
                .await?)
            }

            async fn pending_referrals(&self, agency: &str, limit: i64) -> StoreResult<Vec<crate::permits::ReferralRecord>> {
                Ok(sqlx::query_as(&sql(&format!(
                    "SELECT {} FROM sw_referrals r JOIN declarations d ON d.id = r.declaration_id \
                     WHERE r.agency = $1 AND r.state = 'pending' AND d.state = 'under_control' \
                     ORDER BY r.at_us, r.declaration_id, r.item LIMIT $2",
                    crate::permits::REFERRAL_COLUMNS
                )))
                .bind(agency)
                .bind(limit)
                .fetch_all(&self.pool)
                .await?)
            }

            async fn declaration_referrals(&self, declaration: &str) -> StoreResult<Vec<crate::permits::ReferralRecord>> {
                Ok(sqlx::query_as(&sql(&format!(
                    "SELECT {} FROM sw_referrals r WHERE r.declaration_id = $1 ORDER BY r.item, r.kind",
                    crate::permits::REFERRAL_COLUMNS
                )))
                .bind(declaration)
                .fetch_all(&self.pool)
                .await?)
            }

            async fn decide_referral(
                &self,
                d: &crate::permits::ReferralDecision,
            ) -> StoreResult<crate::permits::ReferralRecord> {
                let mut tx = self.begin_write().await?;
                sqlx::query(concat!("SELECT seq FROM audit_head WHERE id = 1", $lock)).execute(&mut *tx).await?;
                let select = format!(
                    "SELECT {} FROM sw_referrals r WHERE r.declaration_id = $1 AND r.item = $2 AND r.kind = $3 \
                     AND r.agency = $4",
                    crate::permits::REFERRAL_COLUMNS
                );
                let found: Option<crate::permits::ReferralRecord> = sqlx::query_as(&sql(&select))
                    .bind(&d.declaration_id)
                    .bind(d.item)
                    .bind(&d.kind)
                    .bind(&d.agency)
                    .fetch_optional(&mut *tx)
                    .await?;
                let Some(found) = found else { return Err(StoreError::NotFound) };
                if found.state != "pending" {
                    return Err(StoreError::Conflict(format!(
                        "the agency decided on item {} of declaration {} already: {}",
                        d.item, d.declaration_id, found.state
                    )));
                }
                let state = if d.allow { "allowed" } else { "refused" };
                sqlx::query(&sql(
                    "UPDATE sw_referrals SET state = $1, decided_by = $2, decided_at_us = $3, note = $4 \
                     WHERE declaration_id = $5 AND item = $6 AND kind = $7",
                ))
                .bind(state)
                .bind(&d.actor)
                .bind(d.at_us.as_micros())
                .bind(&d.note)
                .bind(&d.declaration_id)
                .bind(d.item)
                .bind(&d.kind)
                .execute(&mut *tx)
                .await?;
                let details = serde_json::json!({
                    "agency": d.agency, "item": d.item, "kind": d.kind, "decision": state, "note": d.note,
                    "found": found.code,
                });
                let entry = smartcustoms_core::audit::NewEntry {
                    at_us: d.at_us,
                    declaration_id: Some(d.declaration_id.clone()),
                    actor: d.actor.clone(),
                    action: smartcustoms_core::audit::Action::AgencyDecided,
                    details: details.to_string(),
                };
                append_identity_audit(&mut tx, entry).await?;
                let decided: crate::permits::ReferralRecord = sqlx::query_as(&sql(&select))
                    .bind(&d.declaration_id)
                    .bind(d.item)
                    .bind(&d.kind)
                    .bind(&d.agency)
                    .fetch_one(&mut *tx)
                    .await?;
                tx.commit().await?;
                Ok(decided)
            }

            async fn concerns_agency(&self, agency: &str, declaration: &str) -> StoreResult<bool> {
                let found: Option<String> = sqlx::query_scalar(&sql(
                    "SELECT declaration_id FROM agency_declarations WHERE agency = $1 AND declaration_id = $2",
                ))
                .bind(agency)
                .bind(declaration)
                .fetch_optional(&self.pool)
                .await?;
                Ok(found.is_some())
            }
        }
    };
}

pub(crate) use permit_queries;
