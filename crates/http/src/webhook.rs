//! Pushes release notifications to the temporary-storage holders' webhook.
//!
//! Notifications are written in the same transaction as the release, so none is lost; this
//! loop delivers them at least once (a receiver must treat the notification id as the key).

use std::sync::Arc;
use std::time::Duration;

use smartcustoms_storage::Store;

/// Delivers undelivered notifications to `url` (HTTP POST, JSON) until the task is stopped.
pub async fn push_loop(store: Arc<dyn Store>, url: String) {
    let client = match reqwest::Client::builder().timeout(Duration::from_secs(10)).build() {
        Ok(c) => c,
        Err(e) => {
            tracing::error!(error = %e, "webhook client could not be built; notifications stay in the outbox");
            return;
        }
    };
    loop {
        let delivered = deliver_once(store.as_ref(), &client, &url).await;
        let pause = if delivered > 0 { Duration::from_millis(50) } else { Duration::from_secs(1) };
        tokio::time::sleep(pause).await;
    }
}

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
        match client.post(url).json(&n).send().await {
            Ok(r) if r.status().is_success() => {
                if store.mark_delivered(n.id, chrono::Utc::now().timestamp_micros()).await.is_ok() {
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
