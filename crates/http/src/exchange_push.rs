//! Pushes our signed messages about released exports to partner administrations' endpoints.
//!
//! Messages are queued in the outbox once per declaration (`app::exchange_outbox`); they are
//! delivered at least once, by the one process of the deployment that holds the exchange's
//! claim ([`crate::jobs::exchange`]). Each delivery is a `POST` of the compact JWS as
//! `application/jose` with the message id in `Smartcustoms-Delivery`: a partner that sees an id
//! again after a failure or a takeover drops it. A refusal or failure is recorded on the message
//! and tried again after a second, twice as long after each further
//! failure, at most ten minutes later.

use smartcustoms_core::timestamp::Timestamp;
use smartcustoms_storage::StoreError;

use crate::state::AppState;

/// Header naming the message a delivery carries.
pub const DELIVERY_HEADER: &str = "smartcustoms-delivery";

/// Media type of a compact JWS.
pub const JOSE: &str = "application/jose";

/// How long a message waits after its `attempts`-th failed delivery: a second, doubled after
/// each failure, at most ten minutes.
pub fn backoff(attempts: i64) -> std::time::Duration {
    let exponent = u32::try_from(attempts.clamp(0, 10)).unwrap_or(10);
    std::time::Duration::from_secs(2u64.pow(exponent)).min(std::time::Duration::from_secs(600))
}

/// Pushes one page of waiting messages whose next attempt is due; returns how many the
/// partners accepted.
pub async fn deliver_once(state: &AppState, client: &reqwest::Client) -> Result<usize, StoreError> {
    let mut delivered = 0;
    // A partner that failed once in this page is not tried again until its message is due.
    let mut failed: std::collections::BTreeSet<String> = std::collections::BTreeSet::new();
    for m in state.store.undelivered_outbound(Timestamp::now(), 100).await? {
        let Some(url) = m.endpoint.as_deref() else { continue };
        if failed.contains(&m.partner) {
            continue;
        }
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
            Some(e) => {
                tracing::warn!(message = %m.id, partner = %m.partner, error = %e,
                    "a partner message was not delivered; it is tried again");
                failed.insert(m.partner.clone());
            }
            None => delivered += 1,
        }
        let now = Timestamp::now();
        let retry_at = now + chrono::TimeDelta::from_std(backoff(m.attempts)).unwrap_or(chrono::TimeDelta::MAX);
        state.store.mark_outbound(&m.id, now, error.as_deref().map(|e| (e, retry_at))).await?;
    }
    Ok(delivered)
}

#[cfg(test)]
mod tests {
    use super::backoff;
    use std::time::Duration;

    #[test]
    fn a_failed_delivery_waits_twice_as_long_each_time_up_to_ten_minutes() {
        assert_eq!(backoff(0), Duration::from_secs(1));
        assert_eq!(backoff(1), Duration::from_secs(2));
        assert_eq!(backoff(5), Duration::from_secs(32));
        assert_eq!(backoff(10), Duration::from_secs(600));
        assert_eq!(backoff(i64::MAX), Duration::from_secs(600));
    }
}
