//! Navigation seals' reports over MQTT: the topic `smartcustoms/seals/{seal_id}/reports`,
//! one report per message, QoS 1. The consumer keeps a persistent session (clean session off)
//! and acknowledges a message only once its report is stored, so a report the broker holds is
//! never lost: not when this process stops, nor when the broker restarts (with persistence on,
//! as Mosquitto's Debian configuration has it). A message that can never be taken (not a
//! report, a seal on no movement) is acknowledged and counted, never retried forever.

use std::sync::Arc;
use std::time::Duration;

use rumqttc::{AsyncClient, Event, MqttOptions, Packet, Publish, QoS};
use tokio::sync::Semaphore;

use smartcustoms_core::timestamp::Timestamp;
use smartcustoms_http::app::seals::{self, SealError};
use smartcustoms_http::state::AppState;

/// The topic filter of every seal's reports.
pub const SEAL_REPORTS: &str = "smartcustoms/seals/+/reports";

/// Reports taken in at once, awaiting their batch's commit.
const IN_FLIGHT: usize = 8192;

/// Where the broker is and who this consumer is.
#[derive(Debug, Clone)]
pub struct MqttSettings {
    /// Host name or address.
    pub host: String,
    /// Port.
    pub port: u16,
    /// Client id; the broker keeps this consumer's session (and what it has not acknowledged)
    /// under it.
    pub client_id: String,
}

impl MqttSettings {
    /// Reads `mqtt://host:port` (port 1883 when absent).
    pub fn parse(url: &str, client_id: &str) -> Option<MqttSettings> {
        let rest = url.strip_prefix("mqtt://")?;
        let (host, port) = match rest.rsplit_once(':') {
            Some((h, p)) => (h, p.parse().ok()?),
            None => (rest, 1883),
        };
        (!host.is_empty()).then(|| MqttSettings { host: host.to_string(), port, client_id: client_id.to_string() })
    }
}

/// The seal a topic names, when it is a seal's report topic.
pub fn seal_of_topic(topic: &str) -> Option<&str> {
    let mut parts = topic.split('/');
    match (parts.next(), parts.next(), parts.next(), parts.next(), parts.next()) {
        (Some("smartcustoms"), Some("seals"), Some(seal), Some("reports"), None) if !seal.is_empty() => Some(seal),
        _ => None,
    }
}

/// Reads seals' reports from the broker until the task is stopped; reconnects by itself.
pub async fn consume_seals(state: AppState, settings: MqttSettings) {
    let mut options = MqttOptions::new(settings.client_id.clone(), settings.host.clone(), settings.port);
    options.set_keep_alive(Duration::from_secs(15));
    options.set_clean_session(false);
    options.set_manual_acks(true);
    options.set_max_packet_size(64 * 1024, 64 * 1024);
    let (client, mut events) = AsyncClient::new(options, 2 * IN_FLIGHT);
    let permits = Arc::new(Semaphore::new(IN_FLIGHT));
    loop {
        match events.poll().await {
            Ok(Event::Incoming(Packet::ConnAck(ack))) => {
                tracing::info!(host = %settings.host, port = settings.port, session = ack.session_present, "connected to the MQTT broker");
                if !ack.session_present {
                    if let Err(e) = client.subscribe(SEAL_REPORTS, QoS::AtLeastOnce).await {
                        tracing::error!(error = %e, "subscribing to the seals' reports failed");
                    }
                }
            }
            Ok(Event::Incoming(Packet::Publish(publish))) => {
                let Ok(permit) = permits.clone().acquire_owned().await else { return };
                let (state, client) = (state.clone(), client.clone());
                tokio::spawn(async move {
                    take(&state, &publish).await;
                    if let Err(e) = client.ack(&publish).await {
                        tracing::warn!(error = %e, "acknowledging a seal report failed; the broker sends it again");
                    }
                    drop(permit);
                });
            }
            Ok(_) => {}
            Err(e) => {
                tracing::warn!(error = %e, "the MQTT connection failed; reconnecting");
                tokio::time::sleep(Duration::from_millis(500)).await;
            }
        }
    }
}

/// Takes one message in; returns once it is stored or can never be. A failing store is tried
/// again (with growing pauses) rather than the message acknowledged unstored.
async fn take(state: &AppState, publish: &Publish) {
    let Some(seal) = seal_of_topic(&publish.topic) else {
        tracing::warn!(topic = %publish.topic, "a message on a topic that names no seal; dropped");
        state.metrics.seal_reports.with_label_values(&["mqtt", "refused"]).inc();
        return;
    };
    let mut pause = Duration::from_millis(50);
    loop {
        let received_at = Timestamp::from(chrono::Utc::now());
        match seals::ingest(state.store.as_ref(), &state.seals, seal, &publish.payload, received_at).await {
            Ok(done) => {
                state.metrics.seal_reports.with_label_values(&["mqtt", done.verdict]).inc();
                return;
            }
            Err(SealError::Store(e)) => {
                tracing::warn!(error = %e, seal, "storing a seal report failed; trying again");
                tokio::time::sleep(pause).await;
                pause = (pause * 2).min(Duration::from_secs(5));
            }
            Err(e) => {
                tracing::info!(error = %e, seal, "a seal report refused");
                state.metrics.seal_reports.with_label_values(&["mqtt", "refused"]).inc();
                return;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_a_seal_report_topic_names_a_seal() {
        assert_eq!(seal_of_topic("smartcustoms/seals/SEAL-1/reports"), Some("SEAL-1"));
        assert_eq!(seal_of_topic("smartcustoms/seals//reports"), None);
        assert_eq!(seal_of_topic("smartcustoms/seals/SEAL-1/reports/x"), None);
        assert_eq!(seal_of_topic("other/seals/SEAL-1/reports"), None);
    }

    #[test]
    fn broker_urls_name_host_and_port() {
        let s = MqttSettings::parse("mqtt://127.0.0.1:1884", "c").map(|s| (s.host, s.port));
        assert_eq!(s, Some(("127.0.0.1".to_string(), 1884)));
        assert_eq!(MqttSettings::parse("mqtt://broker", "c").map(|s| s.port), Some(1883));
        assert!(MqttSettings::parse("http://broker", "c").is_none());
    }
}
