//! Pre-arrival information (A7): filed by carriers and forwarders before the goods arrive,
//! signed like declarations, checked with the TRN rules, assessed by the risk engine at once
//! (`PRE_` indications) and answered with the preliminary decision on the form of control and
//! where it takes place. A later transit for the same means of transport is compared with it
//! and the differences are kept on the movement's timeline, facts for risk.

use chrono::{DateTime, Utc};

use smartcustoms_core::access::{Principal, Role};
use smartcustoms_core::ids::TraderId;
use smartcustoms_core::timestamp::Timestamp;
use smartcustoms_core::transit::declaration::TransitDeclaration;
use smartcustoms_core::transit::pre_arrival::{
    self, compare, preliminary_decision, Later, PreArrival, PreArrivalContext, PreArrivalDoc, PreliminaryDecision,
    Tolerances,
};
use smartcustoms_core::transit::pre_arrival_risk;
use smartcustoms_storage::{PreArrivalFiled, PreArrivalRecord, StoreError};

use super::transit::{exchange_rates, TransitError};
use crate::state::AppState;

/// How far from a movement's filing the announced arrival of the same means of transport may
/// be for the two to be one consignment.
pub const LINK_WINDOW_HOURS: i64 = 72;

/// Pre-arrival information as received.
#[derive(Debug, Clone)]
pub struct FilePreArrival<'a> {
    /// The authenticated trader (carrier or forwarder).
    pub trader: TraderId,
    /// The body exactly as sent.
    pub body: &'a [u8],
    /// Detached JWS over it.
    pub signature: Option<&'a str>,
    /// When it was received.
    pub received_at: DateTime<Utc>,
}

/// Pre-arrival information recorded, with its decision.
#[derive(Debug, Clone)]
pub struct Filed {
    /// The record.
    pub record: PreArrivalRecord,
    /// The preliminary decision.
    pub decision: PreliminaryDecision,
    /// True when the reference was filed before with the same content.
    pub duplicate: bool,
}

/// Files pre-arrival information: parse, signature, TRN rules, the risk engine's indications,
/// the preliminary decision, then one transaction (idempotent by the filer's reference).
pub async fn file(state: &AppState, request: FilePreArrival<'_>) -> Result<Filed, TransitError> {
    let FilePreArrival { trader, body, signature, received_at } = request;
    let doc = parse(body)?;
    match super::filing::verify_signature(state, &trader, signature, body).await? {
        Ok(()) => {}
        Err(e) => return Err(TransitError::Signature(e)),
    }
    let now = Timestamp::from(received_at);
    let reference = state.reference();
    let pre = pre_arrival::check(&doc, &PreArrivalContext { now, offices: reference.offices.clone() })
        .map_err(TransitError::Invalid)?;
    let exchange = exchange_rates(&reference.tariff, &pre.items, received_at.date_naive());
    let indications = pre_arrival_risk::indications(&pre, &reference.categories, &reference.prices, &exchange);
    let decision = preliminary_decision(&indications);
    let record = PreArrivalRecord {
        id: uuid::Uuid::new_v4().to_string(),
        filer: trader.to_string(),
        reference: pre.reference.as_str().to_string(),
        office_of_entry: pre.office_of_entry.to_string(),
        transport_document: pre.transport_document.clone(),
        means_id: pre.transport.means_id.clone(),
        expected_arrival_at_us: pre.expected_arrival,
        decision: serde_json::to_string(&decision).map_err(|e| StoreError::Internal(e.to_string()))?,
        control: serde_json::to_value(decision.control)
            .ok()
            .and_then(|v| v.as_str().map(str::to_string))
            .unwrap_or_default(),
        filed_at_us: now,
    };
    match state.store.file_pre_arrival(&record, body, signature).await? {
        PreArrivalFiled::New(record) => Ok(Filed { record, decision, duplicate: false }),
        PreArrivalFiled::Existing(earlier, bytes) => {
            let first = parse(&bytes)?;
            if first == doc {
                let decision = serde_json::from_str(&earlier.decision)
                    .map_err(|e| StoreError::Corrupt(format!("decision of pre-arrival {}: {e}", earlier.id)))?;
                Ok(Filed { record: earlier, decision, duplicate: true })
            } else {
                Err(TransitError::ReferenceTaken {
                    reference: earlier.reference,
                    mrn: earlier.id,
                    fields: vec!["content"],
                })
            }
        }
    }
}

fn parse(body: &[u8]) -> Result<PreArrivalDoc, TransitError> {
    super::transit::parse_json(body)
}

/// One record: its filer's, or any for customs staff.
pub async fn read(state: &AppState, principal: &Principal, id: &str) -> Result<PreArrivalRecord, TransitError> {
    let found = state.store.pre_arrival(id).await?;
    match found {
        Some(r)
            if principal.role == Role::Trader && principal.trader.as_ref().is_some_and(|t| t.as_str() == r.filer) =>
        {
            Ok(r)
        }
        Some(r) if matches!(principal.role, Role::Officer | Role::Supervisor | Role::Analyst | Role::Admin) => Ok(r),
        _ => Err(TransitError::NotFound(id.to_string())),
    }
}

/// Records, newest first: a trader's own, every one for customs staff.
pub async fn list(state: &AppState, principal: &Principal, limit: i64) -> Result<Vec<PreArrivalRecord>, TransitError> {
    let limit = limit.clamp(1, super::transit::MAX_LIST);
    match principal.role {
        Role::Trader => match &principal.trader {
            Some(t) => Ok(state.store.pre_arrivals(Some(t), limit).await?),
            None => Ok(Vec::new()),
        },
        Role::Officer | Role::Supervisor | Role::Analyst | Role::Admin => {
            Ok(state.store.pre_arrivals(None, limit).await?)
        }
        _ => Err(super::Forbidden { role: principal.role.as_str(), action: "read pre-arrival information" }.into()),
    }
}

/// The pre-arrival information announcing `means_id` nearest `at` (within
/// [`LINK_WINDOW_HOURS`]), checked as it was when filed: its id and content; none when nothing
/// was announced (or what was stored no longer reads).
pub async fn announcing(
    state: &AppState,
    means_id: &str,
    at: Timestamp,
) -> Result<Option<(PreArrivalRecord, PreArrival)>, StoreError> {
    let window = chrono::TimeDelta::hours(LINK_WINDOW_HOURS);
    let candidates = state.announced.find(&state.store, means_id, at - window, at + window).await?;
    let Some(nearest) = candidates.into_iter().min_by_key(|c| (c.expected_arrival_at_us - at).num_seconds().abs())
    else {
        return Ok(None);
    };
    let Some(bytes) = state.store.pre_arrival_document(&nearest.id).await? else { return Ok(None) };
    let reference = state.reference();
    let context = PreArrivalContext { now: nearest.filed_at_us, offices: reference.offices.clone() };
    let Ok(Ok(pre)) = parse(&bytes).map(|doc| pre_arrival::check(&doc, &context)) else { return Ok(None) };
    Ok(Some((nearest, pre)))
}

/// The pre-arrival information announcing the transit's means of transport nearest its filing
/// and the differences between the two, as JSON for the movement's timeline; none when nothing
/// was announced.
pub async fn link(
    state: &AppState,
    t: &TransitDeclaration,
    at: Timestamp,
) -> Result<Option<serde_json::Value>, StoreError> {
    let Some((nearest, pre)) = announcing(state, &t.transport.means_id, at).await? else { return Ok(None) };
    let differences = compare(&pre, &Later::of_transit(t), &Tolerances::default());
    Ok(Some(serde_json::json!({
        "pre_arrival": nearest.id,
        "reference": nearest.reference,
        "control": nearest.control,
        "differences": differences,
    })))
}
