//! Devices over MQTT: navigation seals' reports on `smartcustoms/seals/{seal_id}/reports` and
//! checkpoint equipment's events on `smartcustoms/checkpoints/{code}/events`, one report or
//! event per message, QoS 1. The consumer keeps a persistent session (clean session off)
//! and acknowledges a message only once its report is stored, so a report the broker holds is
//! never lost: not when this process stops, nor when the broker restarts (with persistence on,
//! as Mosquitto's Debian configuration has it). A message that can never be taken (not a
//! report, a seal on no movement, an unknown checkpoint) is acknowledged and counted, never retried
//! forever.

use std::sync::Arc;
use std::time::Duration;

use rumqttc::{AsyncClient, Event, MqttOptions, Packet, Publish, QoS};
use tokio::sync::Semaphore;

use smartcustoms_core::timestamp::Timestamp;
use smartcustoms_http::app::checkpoint::CheckpointError;
use smartcustoms_http::app::checkpoint_events;
use smartcustoms_http::app::seals::{self, SealError};
use smartcustoms_http::state::AppState;

/// The topic filter of every seal's reports.
pub const SEAL_REPORTS: &str = "smartcustoms/seals/+/reports";

/// The topic filter of every checkpoint's equipment events.
pub const CHECKPOINT_EVENTS: &str = "smartcustoms/checkpoints/+/events";

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

/// What a topic is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Topic<'a> {
    /// A seal's reports.
    Seal(&'a str),
    /// A checkpoint's equipment events.
    Checkpoint(&'a str),
}

/// The seal or checkpoint a topic names.
pub fn topic(topic: &str) -> Option<Topic<'_>> {
    let mut parts = topic.split('/');
    match (parts.next(), parts.next(), parts.next(), parts.next(), parts.next()) {
        (Some("smartcustoms"), Some("seals"), Some(seal), Some("reports"), None) if !seal.is_empty() => {
            Some(Topic::Seal(seal))
        }
        (Some("smartcustoms"), Some("checkpoints"), Some(code), Some("events"), None) if !code.is_empty() => {
            Some(Topic::Checkpoint(code))
        }
        _ => None,
    }
}

/// Reads seals' reports and checkpoint events from the broker until the task is stopped;
/// reconnects by itself.
pub async fn consume(state: AppState, settings: MqttSettings) {
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
                // Subscribing again over a kept session changes nothing, and a session kept from
                // a version that read fewer topics gains the new ones.
                for filter in [SEAL_REPORTS, CHECKPOINT_EVENTS] {
                    if let Err(e) = client.subscribe(filter, QoS::AtLeastOnce).await {
                        tracing::error!(error = %e, filter, "subscribing failed");
                    }
                }
            }
            Ok(Event::Incoming(Packet::Publish(publish))) => {
                let Ok(permit) = permits.clone().acquire_owned().await else { return };
                let (state, client) = (state.clone(), client.clone());
                tokio::spawn(async move {
                    take(&state, &publish).await;
                    if let Err(e) = client.ack(&publish).await {
                        tracing::warn!(error = %e, "acknowledging a message failed; the broker sends it again");
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

/// Takes one message in; returns once it is stored or can never be.
async fn take(state: &AppState, publish: &Publish) {
    match topic(&publish.topic) {
        Some(Topic::Seal(seal)) => take_report(state, seal, publish).await,
        Some(Topic::Checkpoint(code)) => take_event(state, code, publish).await,
        None => {
            tracing::warn!(topic = %publish.topic, "a message on a topic that names no seal or checkpoint; dropped")
        }
    }
}

/// Takes a checkpoint event in; a failing store is tried again (with growing pauses) rather
/// than the message acknowledged unstored.
async fn take_event(state: &AppState, code: &str, publish: &Publish) {
    let mut pause = Duration::from_millis(50);
    loop {
        let received_at = Timestamp::from(chrono::Utc::now());
        let outcome = match checkpoint_events::take_event(state, code, &publish.payload, None, received_at).await {
            Ok(t) if t.duplicate => "duplicate",
            Ok(t) if t.vehicle.is_none() => "unattached",
            Ok(_) => "accepted",
            Err(CheckpointError::Store(e)) => {
                tracing::warn!(error = %e, code, "storing a checkpoint event failed; trying again");
                tokio::time::sleep(pause).await;
                pause = (pause * 2).min(Duration::from_secs(5));
                continue;
            }
            Err(e) => {
                tracing::info!(error = %e, code, "a checkpoint event refused");
                "refused"
            }
        };
        state.metrics.checkpoint_events.with_label_values(&["mqtt", outcome]).inc();
        return;
    }
}

/// Takes a seal's report in; a failing store is tried again (with growing pauses) rather than
/// the message acknowledged unstored.
async fn take_report(state: &AppState, seal: &str, publish: &Publish) {
    let mut pause = Duration::from_millis(50);
    loop {
        let received_at = Timestamp::from(chrono::Utc::now());
        match seals::take(state, seal, &publish.payload, None, received_at).await {
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
    fn only_a_seal_report_or_checkpoint_event_topic_names_a_device() {
        assert_eq!(topic("smartcustoms/seals/SEAL-1/reports"), Some(Topic::Seal("SEAL-1")));
        assert_eq!(topic("smartcustoms/checkpoints/BY-KOZ/events"), Some(Topic::Checkpoint("BY-KOZ")));
        assert_eq!(topic("smartcustoms/seals//reports"), None);
        assert_eq!(topic("smartcustoms/checkpoints//events"), None);
        assert_eq!(topic("smartcustoms/seals/SEAL-1/reports/x"), None);
        assert_eq!(topic("smartcustoms/checkpoints/BY-KOZ/reports"), None);
        assert_eq!(topic("other/seals/SEAL-1/reports"), None);
    }

    #[test]
    fn broker_urls_name_host_and_port() {
        let s = MqttSettings::parse("mqtt://127.0.0.1:1884", "c").map(|s| (s.host, s.port));
        assert_eq!(s, Some(("127.0.0.1".to_string(), 1884)));
        assert_eq!(MqttSettings::parse("mqtt://broker", "c").map(|s| s.port), Some(1883));
        assert!(MqttSettings::parse("http://broker", "c").is_none());
    }
}
