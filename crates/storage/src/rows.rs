//! Mapping of rows to records, shared by both backends.
//!
//! Each record whose columns need parsing (states, lanes, typed ids, stored JSON, times) has a
//! row type that `sqlx::FromRow` fills from the columns as stored, and a `parse` into the
//! record ([`Parse`]), where a value that does not parse is [`StoreError::Corrupt`].

use sqlx::FromRow;

use smartcustoms_core::audit::{Action, AuditEntry};
use smartcustoms_core::ids::{DeclarationId, RegistrationNumber, TraderId};
use smartcustoms_core::ledger::Amount;
use smartcustoms_core::release::{Notification, ReleaseDocument};
use smartcustoms_core::timestamp::Timestamp;

use crate::declarations::{
    parse_decision_json, parse_lane, parse_state, read_document, DeclarationRecord, DeclarationSummary, HourlyCount,
    StateCount, StepTimes, Waiting,
};
use crate::tariff::{TariffEntryRecord, TariffKind};
use crate::{StoreError, StoreResult};

/// A row as stored and the record it reads as.
pub(crate) trait Parse: Sized {
    /// The record.
    type Record;

    /// The record, or `Corrupt` when a column does not parse.
    fn parse(self) -> StoreResult<Self::Record>;

    /// Every row's record.
    fn parse_all(rows: Vec<Self>) -> StoreResult<Vec<Self::Record>> {
        rows.into_iter().map(Self::parse).collect()
    }
}

/// The listing columns of a declaration as stored.
#[derive(FromRow)]
pub(crate) struct SummaryRow {
    pub id: String,
    pub declarant: String,
    pub representative: Option<String>,
    pub state: String,
    pub lane: Option<String>,
    pub registration_number: Option<String>,
    pub office: Option<String>,
    pub received_at_us: i64,
    pub registered_at_us: Option<i64>,
    pub updated_at_us: i64,
}

impl Parse for SummaryRow {
    type Record = DeclarationSummary;

    fn parse(self) -> StoreResult<DeclarationSummary> {
        Ok(DeclarationSummary {
            id: self.id.parse::<DeclarationId>()?,
            declarant: TraderId::new(self.declarant)?,
            representative: self.representative.map(TraderId::new).transpose()?,
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

impl Parse for DeclarationRow {
    type Record = DeclarationRecord;

    fn parse(self) -> StoreResult<DeclarationRecord> {
        let decision = parse_decision_json(&self.decision)?;
        let duties = self
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
            summary: self.summary.parse()?,
            document: self.document,
            document_sha256: self.document_sha256,
            signature: self.signature,
            reasons: decision.reasons,
            hits: decision.hits,
            risk: decision.risk,
            duties,
            duties_total: self.duties_cents.map(Amount::from_cents),
        })
    }
}

/// An hour's count of registrations in one lane as read.
#[derive(FromRow)]
pub(crate) struct HourlyCountRow {
    hour_us: i64,
    lane: Option<String>,
    n: i64,
}

impl Parse for HourlyCountRow {
    type Record = HourlyCount;

    fn parse(self) -> StoreResult<HourlyCount> {
        Ok(HourlyCount {
            hour: Timestamp::from_micros(self.hour_us),
            lane: parse_lane(self.lane.as_deref())?,
            count: self.n,
        })
    }
}

/// A declaration's listing columns and its decision as stored.
#[derive(FromRow)]
pub(crate) struct WaitingRow {
    #[sqlx(flatten)]
    summary: SummaryRow,
    decision: String,
    centre: Option<String>,
    inspector: Option<String>,
}

impl Parse for WaitingRow {
    type Record = Waiting;

    fn parse(self) -> StoreResult<Waiting> {
        Ok(Waiting {
            summary: self.summary.parse()?,
            risk: parse_decision_json(&self.decision)?.risk,
            centre: self.centre,
            inspector: self.inspector,
        })
    }
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

impl Parse for AuditRow {
    type Record = AuditEntry;

    fn parse(self) -> StoreResult<AuditEntry> {
        Ok(AuditEntry {
            seq: self.seq,
            at_us: Timestamp::from_micros(self.at_us),
            declaration_id: self.declaration_id,
            actor: self.actor,
            action: Action::parse(&self.action)
                .ok_or_else(|| StoreError::Corrupt(format!("unknown audit action {:?}", self.action)))?,
            details: self.details,
            prev_hash: self.prev_hash,
            hash: self.hash,
        })
    }
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

impl Parse for NotificationRow {
    type Record = Notification;

    fn parse(self) -> StoreResult<Notification> {
        Ok(Notification {
            id: self.id,
            recipient: self.recipient,
            kind: self.kind,
            payload: serde_json::from_str(&self.payload).map_err(|e| StoreError::Corrupt(e.to_string()))?,
            created_at: Timestamp::from_micros(self.created_at_us).rfc3339(),
            delivered_at: self.delivered_at_us.map(|at| Timestamp::from_micros(at).rfc3339()),
        })
    }
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

impl Parse for ReleaseRow {
    type Record = ReleaseDocument;

    fn parse(self) -> StoreResult<ReleaseDocument> {
        Ok(ReleaseDocument {
            number: self.number,
            declaration_id: self.declaration_id,
            registration_number: self.registration_number,
            released_at: self.released_at,
            location_of_goods: self.location_of_goods,
            automatic: self.automatic,
        })
    }
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

impl Parse for TariffEntryRow {
    type Record = TariffEntryRecord;

    fn parse(self) -> StoreResult<TariffEntryRecord> {
        Ok(TariffEntryRecord {
            kind: TariffKind::parse(&self.kind)
                .ok_or_else(|| StoreError::Corrupt(format!("unknown tariff entry kind {:?}", self.kind)))?,
            key: self.key,
            version: self.version,
            body: serde_json::from_str(&self.body).map_err(|e| StoreError::Corrupt(e.to_string()))?,
            withdrawn: self.withdrawn,
            author: self.author,
            created_at_us: Timestamp::from_micros(self.created_at_us),
        })
    }
}

/// A declaration's step times as read.
#[derive(FromRow)]
pub(crate) struct StepTimesRow {
    office: Option<String>,
    lane: Option<String>,
    transport_mode: Option<String>,
    received_at_us: i64,
    registered_at_us: i64,
    lane_at_us: Option<i64>,
    released_at_us: Option<i64>,
}

impl Parse for StepTimesRow {
    type Record = StepTimes;

    fn parse(self) -> StoreResult<StepTimes> {
        Ok(StepTimes {
            office: self.office,
            lane: parse_lane(self.lane.as_deref())?,
            transport_mode: self.transport_mode,
            received_at_us: Timestamp::from_micros(self.received_at_us),
            registered_at_us: Timestamp::from_micros(self.registered_at_us),
            lane_at_us: self.lane_at_us.map(Timestamp::from_micros),
            released_at_us: self.released_at_us.map(Timestamp::from_micros),
        })
    }
}

/// A count of declarations by state and lane as read.
#[derive(FromRow)]
pub(crate) struct StateCountRow {
    state: String,
    lane: Option<String>,
    n: i64,
}

impl Parse for StateCountRow {
    type Record = StateCount;

    fn parse(self) -> StoreResult<StateCount> {
        Ok(StateCount { state: parse_state(&self.state)?, lane: parse_lane(self.lane.as_deref())?, count: self.n })
    }
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

/// The searchable form of a declaration's commodity codes: the distinct six-digit prefixes of
/// those given, space-separated with a space at each end; `None` when there is none.
pub fn hs_codes<'a>(codes: impl IntoIterator<Item = &'a str>) -> Option<String> {
    let mut seen: Vec<&str> = Vec::new();
    for code in codes {
        let six = &code[..code.len().min(6)];
        if six.len() >= 2 && six.bytes().all(|b| b.is_ascii_digit()) && !seen.contains(&six) {
            seen.push(six);
        }
    }
    (!seen.is_empty()).then(|| format!(" {} ", seen.join(" ")))
}

#[cfg(test)]
mod hs_tests {
    use super::hs_codes;

    #[test]
    fn commodity_codes_are_kept_as_distinct_subheadings_between_spaces() {
        assert_eq!(hs_codes(["8527130000", "852713", "070310", "x1"]), Some(" 852713 070310 ".to_string()));
        assert_eq!(hs_codes(["", "abc"]), None);
        assert_eq!(hs_codes(Vec::<&str>::new()), None);
    }
}
