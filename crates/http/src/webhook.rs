//! Pushes release notifications to the temporary-storage holders' webhook.
//!
//! Notifications are written in the same transaction as the release, so none is lost; they
//! are delivered at least once, by one process of the deployment at a time
//! ([`crate::jobs::deliver_webhooks`]). Each delivery carries the notification id in the
//! `Smartcustoms-Delivery` header (and in the body): a receiver that sees an id again after
//! a failure or a takeover drops it.

use smartcustoms_core::timestamp::Timestamp;
use smartcustoms_storage::Store;

/// Header naming the notification a delivery carries.
pub const DELIVERY_HEADER: &str = "smartcustoms-delivery";

/// Delivers one page of notifications; returns how many were accepted by the receiver.
pub async fn deliver_once(store: &dyn Store, client: &reqwest::Client, url: &str) -> usize {
    let pending = match store.undelivered_notifications(100).await {
        Ok(p) => p,
        Err(e) => {
            tracing::warn!(error = %e, "reading the notification outbox failed");
            return 0;
        }
    };
    let mut delivered = 0;
    for n in pending {
        match client.post(url).header(DELIVERY_HEADER, n.id.to_string()).json(&n).send().await {
            Ok(r) if r.status().is_success() => {
                if store.mark_delivered(n.id, Timestamp::now()).await.is_ok() {
                    delivered += 1;
                }
            }
            Ok(r) => {
                tracing::warn!(status = %r.status(), notification = n.id, "webhook refused a notification; will retry");
                break;
            }
            Err(e) => {
                tracing::warn!(error = %e, notification = n.id, "webhook unreachable; will retry");
                break;
            }
        }
    }
    delivered
}
