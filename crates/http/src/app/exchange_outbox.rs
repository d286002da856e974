//! Our messages to partner administrations: for each export declaration released, one message
//! (our `export_message` as a compact JWS signed with our exchange key) for the administration
//! of the consignee's country. A cluster-wide job reads the released exports and queues their
//! messages (one per declaration, by a unique constraint); the shell pushes the waiting ones to
//! their partners' endpoints at least once, each with its message id as the delivery id. A
//! message for a partner that is not registered or has
//! no endpoint waits in the outbox, listed, until it has one.

use serde::Serialize;
use utoipa::ToSchema;

use smartcustoms_core::access::Principal;
use smartcustoms_core::declaration::{Declaration, DeclarationType};
use smartcustoms_core::ids::RegistrationNumber;
use smartcustoms_core::signature;
use smartcustoms_core::timestamp::Timestamp;
use smartcustoms_core::wcodm;
use smartcustoms_storage::{NewOutbound, OutboundRecord, StoreError, RESCAN_MARGIN_US};

use super::exchange::{datetime, own_key, ExchangeError, STAFF};
use crate::state::AppState;

/// Released exports read per page.
const PAGE: i64 = 200;

/// Pages read per run at most (the rest waits for the next run).
const PAGES_PER_RUN: usize = 20;

/// One of our messages with its state.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct OutboxView {
    /// The message.
    #[serde(flatten)]
    pub message: OutboundRecord,
    /// `delivered`; `pending` (the partner has an endpoint, delivery is tried again until it
    /// accepts); `waiting` (the partner is not registered or has no endpoint).
    pub state: &'static str,
}

/// Our messages, newest first, with their state (customs staff).
pub async fn outbox(state: &AppState, principal: &Principal, limit: i64) -> Result<Vec<OutboxView>, ExchangeError> {
    super::require(principal, STAFF, "read the exchange outbox")?;
    if !(1..=1000).contains(&limit) {
        return Err(ExchangeError::Invalid("limit", "must be 1 to 1000".into()));
    }
    Ok(state
        .store
        .outbox(limit)
        .await?
        .into_iter()
        .map(|message| {
            let state = match (message.delivered_at_us, &message.endpoint) {
                (Some(_), _) => "delivered",
                (None, Some(_)) => "pending",
                (None, None) => "waiting",
            };
            OutboxView { message, state }
        })
        .collect())
}

/// Queues one signed message for every export released since the last run (read again over a
/// margin, since a release stamped earlier may commit later); returns how many were queued.
pub async fn queue_released(state: &AppState) -> Result<u64, StoreError> {
    let mut queued = 0;
    for _ in 0..PAGES_PER_RUN {
        let cursor = state.store.exchange_cursor().await?;
        let since = Timestamp::from_micros(cursor.as_micros().saturating_sub(RESCAN_MARGIN_US));
        let releases = state.store.unsent_exports(since, PAGE).await?;
        let Some(last) = releases.iter().map(|r| r.released_at_us).max() else { return Ok(queued) };
        let (key, record) = own_key(state).await?;
        let mut messages = Vec::with_capacity(releases.len());
        for r in &releases {
            match message(r, &key, &record.key_id) {
                Ok(Some(m)) => messages.push(m),
                Ok(None) => {}
                Err(problem) => {
                    tracing::warn!(declaration.id = %r.id, %problem, "no partner message for a released export")
                }
            }
        }
        queued += state.store.queue_outbound(&messages, last.max(cursor), Timestamp::now()).await?;
        if messages.is_empty() || i64::try_from(releases.len()).unwrap_or(i64::MAX) < PAGE {
            return Ok(queued);
        }
    }
    Ok(queued)
}

/// The message for one released declaration: none when it is not an export.
fn message(
    r: &smartcustoms_storage::Release,
    key: &ed25519_dalek::SigningKey,
    key_id: &str,
) -> Result<Option<NewOutbound>, String> {
    let checked = r.checked.as_deref().ok_or("released without its checked declaration")?;
    let d: Declaration =
        smartcustoms_storage::read_document(checked, "checked declaration").map_err(|e| e.to_string())?;
    if d.kind != DeclarationType::Export {
        return Ok(None);
    }
    let number = r.registration_number.as_deref().ok_or("released without a registration number")?;
    let number = RegistrationNumber::parse(number).map_err(|e| e.to_string())?;
    let payload = wcodm::export_message(&d, &number, datetime(r.released_at_us));
    let json = serde_json::to_vec(&payload).map_err(|e| e.to_string())?;
    Ok(Some(NewOutbound {
        id: uuid::Uuid::now_v7().to_string(),
        declaration_id: r.id.clone(),
        partner: d.importer.country.as_str().to_string(),
        reference: number.as_str().to_string(),
        key_id: key_id.to_string(),
        jws: signature::sign_compact(key, &json),
    }))
}
