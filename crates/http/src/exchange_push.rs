//! Pushes our signed messages about released exports to partner administrations' endpoints.
//!
//! Messages are queued in the outbox once per declaration (`app::exchange_outbox`); they are
//! delivered at least once, by the one process of the deployment that holds the exchange job's
//! claim ([`crate::jobs::exchange`]). Each delivery is a `POST` of the compact JWS as
//! `application/jose` with the message id in `Smartcustoms-Delivery`: a partner that sees an id
//! again after a failure or a takeover drops it. A refusal or failure is recorded on the message
//! and tried again on the next run.

use smartcustoms_core::timestamp::Timestamp;
use smartcustoms_storage::StoreError;

use crate::state::AppState;

/// Header naming the message a delivery carries.
pub const DELIVERY_HEADER: &str = "smartcustoms-delivery";

/// Media type of a compact JWS.
pub const JOSE: &str = "application/jose";

/// Pushes one page of waiting messages; returns how many the partners accepted.
pub async fn deliver_once(state: &AppState, client: &reqwest::Client) -> Result<usize, StoreError> {
    let mut delivered = 0;
    for m in state.store.undelivered_outbound(100).await? {
        let Some(url) = m.endpoint.as_deref() else { continue };
        let sent = client
            .post(url)
            .header(DELIVERY_HEADER, &m.id)
            .header(reqwest::header::CONTENT_TYPE, JOSE)
            .body(m.jws.clone())
            .send()
            .await;
        let error = match sent {
            Ok(r) if r.status().is_success() => None,
            Ok(r) => Some(format!("the partner answered {}", r.status())),
            Err(e) => Some(format!("the partner is unreachable: {e}")),
        };
        match &error {
            Some(e) => tracing::warn!(message = %m.id, partner = %m.partner, error = %e,
                "a partner message was not delivered; it is tried again"),
            None => delivered += 1,
        }
        state.store.mark_outbound(&m.id, Timestamp::now(), error.as_deref()).await?;
    }
    Ok(delivered)
}
