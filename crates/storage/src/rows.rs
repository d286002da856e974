//! Mapping of rows to records, shared by both backends.
//!
//! Each record whose columns need parsing (states, lanes, typed ids, stored JSON, times) has a
//! row type that `sqlx::FromRow` fills from the columns as stored, and a `parse` into the
//! record, where a value that does not parse is [`StoreError::Corrupt`]. The functions below
//! read a record from a row of either backend.

use sqlx::{FromRow, Row};

use smartcustoms_core::audit::{Action, AuditEntry};
use smartcustoms_core::ids::{DeclarationId, RegistrationNumber, TraderId};
use smartcustoms_core::ledger::Amount;
use smartcustoms_core::release::{Notification, ReleaseDocument};
use smartcustoms_core::timestamp::Timestamp;

use crate::declarations::{
    parse_decision_json, parse_lane, parse_state, read_document, DeclarationRecord, DeclarationSummary, StateCount,
};
use crate::tariff::{TariffEntryRecord, TariffKind};
use crate::{StoreError, StoreResult};

/// The listing columns of a declaration as stored.
#[derive(FromRow)]
pub(crate) struct SummaryRow {
    pub id: String,
    pub declarant: String,
    pub state: String,
    pub lane: Option<String>,
    pub registration_number: Option<String>,
    pub office: Option<String>,
    pub received_at_us: i64,
    pub registered_at_us: Option<i64>,
    pub updated_at_us: i64,
}

impl SummaryRow {
    pub(crate) fn parse(self) -> StoreResult<DeclarationSummary> {
        Ok(DeclarationSummary {
            id: self.id.parse::<DeclarationId>()?,
            declarant: TraderId::new(self.declarant)?,
            state: parse_state(&self.state)?,
            lane: parse_lane(self.lane.as_deref())?,
            registration_number: self.registration_number.as_deref().map(RegistrationNumber::parse).transpose()?,
            office: self.office,
            received_at_us: Timestamp::from_micros(self.received_at_us),
            registered_at_us: self.registered_at_us.map(Timestamp::from_micros),
            updated_at_us: Timestamp::from_micros(self.updated_at_us),
        })
    }
}

/// A declaration's summary from a row.
pub(crate) fn summary<'r, R: Row>(row: &'r R) -> StoreResult<DeclarationSummary>
where
    SummaryRow: FromRow<'r, R>,
{
    SummaryRow::from_row(row)?.parse()
}

/// A declaration with its document and decision as stored.
#[derive(FromRow)]
pub(crate) struct DeclarationRow {
    #[sqlx(flatten)]
    summary: SummaryRow,
    document: Vec<u8>,
    document_sha256: String,
    signature: Option<String>,
    decision: String,
    duties: Option<String>,
    duties_cents: Option<i64>,
}

/// A declaration record from a row.
pub(crate) fn declaration_record<'r, R: Row>(row: &'r R) -> StoreResult<DeclarationRecord>
where
    DeclarationRow: FromRow<'r, R>,
{
    let r = DeclarationRow::from_row(row)?;
    let decision = parse_decision_json(&r.decision)?;
    let duties = r
        .duties
        .map(|d| {
            let mut value: serde_json::Value = read_document(&d, "stored duties")?;
            if let Some(map) = value.as_object_mut() {
                map.remove("format");
            }
            Ok::<_, StoreError>(value)
        })
        .transpose()?;
    Ok(DeclarationRecord {
        summary: r.summary.parse()?,
        document: r.document,
        document_sha256: r.document_sha256,
        signature: r.signature,
        reasons: decision.reasons,
        hits: decision.hits,
        risk: decision.risk,
        duties,
        duties_total: r.duties_cents.map(Amount::from_cents),
    })
}

/// An audit entry as stored.
#[derive(FromRow)]
pub(crate) struct AuditRow {
    seq: i64,
    at_us: i64,
    declaration_id: Option<String>,
    actor: String,
    action: String,
    details: String,
    prev_hash: String,
    hash: String,
}

/// An audit entry from a row.
pub(crate) fn audit_entry<'r, R: Row>(row: &'r R) -> StoreResult<AuditEntry>
where
    AuditRow: FromRow<'r, R>,
{
    let r = AuditRow::from_row(row)?;
    Ok(AuditEntry {
        seq: r.seq,
        at_us: Timestamp::from_micros(r.at_us),
        declaration_id: r.declaration_id,
        actor: r.actor,
        action: Action::parse(&r.action)
            .ok_or_else(|| StoreError::Corrupt(format!("unknown audit action {:?}", r.action)))?,
        details: r.details,
        prev_hash: r.prev_hash,
        hash: r.hash,
    })
}

/// A notification of the outbox as stored.
#[derive(FromRow)]
pub(crate) struct NotificationRow {
    id: i64,
    recipient: String,
    kind: String,
    payload: String,
    created_at_us: i64,
    delivered_at_us: Option<i64>,
}

/// A notification from a row.
pub(crate) fn notification<'r, R: Row>(row: &'r R) -> StoreResult<Notification>
where
    NotificationRow: FromRow<'r, R>,
{
    let r = NotificationRow::from_row(row)?;
    Ok(Notification {
        id: r.id,
        recipient: r.recipient,
        kind: r.kind,
        payload: serde_json::from_str(&r.payload).map_err(|e| StoreError::Corrupt(e.to_string()))?,
        created_at: Timestamp::from_micros(r.created_at_us).rfc3339(),
        delivered_at: r.delivered_at_us.map(|at| Timestamp::from_micros(at).rfc3339()),
    })
}

/// A release document as stored.
#[derive(FromRow)]
pub(crate) struct ReleaseRow {
    number: String,
    declaration_id: String,
    registration_number: String,
    released_at: String,
    location_of_goods: String,
    automatic: bool,
}

/// A release document from a row.
pub(crate) fn release_document<'r, R: Row>(row: &'r R) -> StoreResult<ReleaseDocument>
where
    ReleaseRow: FromRow<'r, R>,
{
    let r = ReleaseRow::from_row(row)?;
    Ok(ReleaseDocument {
        number: r.number,
        declaration_id: r.declaration_id,
        registration_number: r.registration_number,
        released_at: r.released_at,
        location_of_goods: r.location_of_goods,
        automatic: r.automatic,
    })
}

/// A version of a tariff entry as stored.
#[derive(FromRow)]
pub(crate) struct TariffEntryRow {
    kind: String,
    key: String,
    version: i64,
    body: String,
    withdrawn: bool,
    author: String,
    created_at_us: i64,
}

/// A tariff entry version from a row.
pub(crate) fn tariff_entry<'r, R: Row>(row: &'r R) -> StoreResult<TariffEntryRecord>
where
    TariffEntryRow: FromRow<'r, R>,
{
    let r = TariffEntryRow::from_row(row)?;
    Ok(TariffEntryRecord {
        kind: TariffKind::parse(&r.kind)
            .ok_or_else(|| StoreError::Corrupt(format!("unknown tariff entry kind {:?}", r.kind)))?,
        key: r.key,
        version: r.version,
        body: serde_json::from_str(&r.body).map_err(|e| StoreError::Corrupt(e.to_string()))?,
        withdrawn: r.withdrawn,
        author: r.author,
        created_at_us: Timestamp::from_micros(r.created_at_us),
    })
}

/// A count of declarations by state and lane as read.
#[derive(FromRow)]
pub(crate) struct StateCountRow {
    state: String,
    lane: Option<String>,
    n: i64,
}

/// A state count from a row.
pub(crate) fn state_count<'r, R: Row>(row: &'r R) -> StoreResult<StateCount>
where
    StateCountRow: FromRow<'r, R>,
{
    let r = StateCountRow::from_row(row)?;
    Ok(StateCount { state: parse_state(&r.state)?, lane: parse_lane(r.lane.as_deref())?, count: r.n })
}

/// A nullable timestamp column as `FromRow` records read it (`#[sqlx(try_from =
/// "crate::rows::NullableMicros")]` on an `Option<Timestamp>` field); a non-null one reads
/// as `i64` through `#[sqlx(try_from = "i64")]`.
#[derive(sqlx::Type)]
#[sqlx(transparent)]
pub(crate) struct NullableMicros(Option<i64>);

impl From<NullableMicros> for Option<Timestamp> {
    fn from(micros: NullableMicros) -> Self {
        micros.0.map(Timestamp::from_micros)
    }
}
