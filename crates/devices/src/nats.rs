//! Seal alerts published on NATS for other agencies (border guard, transport control, the
//! seal operator): each change of an incident is published with JetStream on
//! `smartcustoms.alerts.{kind}.{mrn}` into the stream `SMARTCUSTOMS_ALERTS`, with a message id
//! that makes a repeated publication a duplicate JetStream drops. A subscriber that was away
//! reads what it missed from the stream.

use std::time::Duration;

use async_nats::jetstream::{self, stream};
use tokio::sync::broadcast::error::RecvError;

use smartcustoms_http::app::seals::AlertNotice;
use smartcustoms_http::state::AppState;

/// The stream alerts are kept in.
pub const STREAM: &str = "SMARTCUSTOMS_ALERTS";

/// The subject of an alert.
pub fn subject(notice: &AlertNotice) -> String {
    let token = |s: &str| {
        s.chars().map(|c| if c.is_ascii_alphanumeric() || c == '-' || c == '_' { c } else { '_' }).collect::<String>()
    };
    format!("smartcustoms.alerts.{}.{}", token(&notice.incident.kind), token(&notice.mrn))
}

/// The message id JetStream deduplicates by: one change of one incident.
pub fn message_id(notice: &AlertNotice) -> String {
    let i = &notice.incident;
    format!("{}:{}:{}:{}:{}", i.transit_id, i.seal_id, i.number, notice.change, i.updated_at_us.as_micros())
}

/// Publishes this process's alerts as they are committed, until the task is stopped;
/// reconnects by itself. An alert that cannot be published is tried again until it is.
pub async fn publish_alerts(state: AppState, url: String) {
    let mut alerts = state.seals.subscribe();
    let mut pending: Option<AlertNotice> = None;
    loop {
        let client = match async_nats::connect(&url).await {
            Ok(c) => c,
            Err(e) => {
                tracing::warn!(error = %e, url, "connecting to NATS failed; trying again");
                tokio::time::sleep(Duration::from_secs(1)).await;
                continue;
            }
        };
        let js = jetstream::new(client);
        let config = stream::Config {
            name: STREAM.to_string(),
            subjects: vec!["smartcustoms.alerts.>".to_string()],
            duplicate_window: Duration::from_secs(120),
            ..Default::default()
        };
        if let Err(e) = js.get_or_create_stream(config).await {
            tracing::warn!(error = %e, "the NATS alert stream cannot be made; trying again");
            tokio::time::sleep(Duration::from_secs(1)).await;
            continue;
        }
        loop {
            let notice = match pending.take() {
                Some(n) => n,
                None => match alerts.recv().await {
                    Ok(n) => n,
                    Err(RecvError::Lagged(missed)) => {
                        tracing::error!(
                            missed,
                            "NATS publication fell behind; alerts are in the store and the audit log"
                        );
                        continue;
                    }
                    Err(RecvError::Closed) => return,
                },
            };
            match publish(&js, &notice).await {
                Ok(()) => state.metrics.alerts_published.inc(),
                Err(e) => {
                    tracing::warn!(error = %e, "publishing an alert on NATS failed; reconnecting");
                    pending = Some(notice);
                    break;
                }
            }
        }
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
}

async fn publish(js: &jetstream::Context, notice: &AlertNotice) -> Result<(), String> {
    let body = serde_json::to_vec(notice).map_err(|e| e.to_string())?;
    let mut headers = async_nats::HeaderMap::new();
    headers.insert("Nats-Msg-Id", message_id(notice).as_str());
    let ack = js.publish_with_headers(subject(notice), headers, body.into()).await.map_err(|e| e.to_string())?;
    ack.await.map_err(|e| e.to_string())?;
    Ok(())
}
