//! Devices over MQTT: navigation seals' reports on `smartcustoms/seals/{seal_id}/reports` and
//! checkpoint equipment's events on `smartcustoms/checkpoints/{code}/events`, one report or
//! event per message, QoS 1. The consumer keeps a persistent session (clean session off)
//! and acknowledges a message only once its report is stored, so a report the broker holds is
//! never lost: not when this process stops, nor when the broker restarts (with persistence on,
//! as Mosquitto's Debian configuration has it). A message that can never be taken (not a
//! report, a seal on no movement, an unknown checkpoint) is acknowledged and counted, never retried
//! forever.

use std::time::Duration;

use rumqttc::{AsyncClient, Event, MqttOptions, Packet, Publish, QoS};
use tokio::sync::mpsc;

use smartcustoms_core::timestamp::Timestamp;
use smartcustoms_http::app::checkpoint::CheckpointError;
use smartcustoms_http::app::checkpoint_events;
use smartcustoms_http::app::seals::{self, Message, SealError};
use smartcustoms_http::state::AppState;

/// The topic filter of every seal's reports.
pub const SEAL_REPORTS: &str = "smartcustoms/seals/+/reports";

/// The topic filter of every checkpoint's equipment events.
pub const CHECKPOINT_EVENTS: &str = "smartcustoms/checkpoints/+/events";

/// Requests (acknowledgements, subscriptions) queued for the connection at most: more than the
/// broker lets a client owe (`max_inflight_messages` 8192 in the README's settings), so that
/// acknowledging never waits for room.
const ACKS_QUEUED: usize = 65_536;

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
/// reconnects by itself. Seals' reports are taken in batches by one task, in the order the
/// broker delivered them, and acknowledged in that order once their batch is stored.
///
/// The loop reading the connection never waits for the reports to be taken: it is also what
/// sends the acknowledgements, so a reader that stopped while acknowledgements wait to be sent
/// would never be given room again. How many messages are held unacknowledged is bounded by the
/// broker (`max_inflight_messages`, see the README), which sends no more until some are
/// acknowledged; what the consumer cannot take yet stays queued at the broker, in order.
pub async fn consume(state: AppState, settings: MqttSettings) {
    let mut options = MqttOptions::new(settings.client_id.clone(), settings.host.clone(), settings.port);
    options.set_keep_alive(Duration::from_secs(15));
    options.set_clean_session(false);
    options.set_manual_acks(true);
    options.set_max_packet_size(64 * 1024, 64 * 1024);
    let (client, mut events) = AsyncClient::new(options, ACKS_QUEUED);
    let (reports, queue) = mpsc::unbounded_channel();
    let taker = tokio::spawn(take_reports(state.clone(), client.clone(), queue));
    let _stop_taker = AbortOnDrop(taker);
    loop {
        match events.poll().await {
            Ok(Event::Incoming(Packet::ConnAck(ack))) => {
                tracing::info!(host = %settings.host, port = settings.port, session = ack.session_present, "connected to the MQTT broker");
                for filter in [SEAL_REPORTS, CHECKPOINT_EVENTS] {
                    if let Err(e) = client.subscribe(filter, QoS::AtLeastOnce).await {
                        tracing::error!(error = %e, filter, "subscribing failed");
                    }
                }
            }
            Ok(Event::Incoming(Packet::Publish(publish))) => {
                if matches!(topic(&publish.topic), Some(Topic::Seal(_))) {
                    if reports.send(publish).is_err() {
                        return;
                    }
                    continue;
                }
                let (state, client) = (state.clone(), client.clone());
                tokio::spawn(async move {
                    take(&state, &publish).await;
                    if let Err(e) = client.ack(&publish).await {
                        tracing::warn!(error = %e, "acknowledging a message failed; the broker sends it again");
                    }
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

/// Stops a task when the owner goes away.
struct AbortOnDrop(tokio::task::JoinHandle<()>);

impl Drop for AbortOnDrop {
    fn drop(&mut self) {
        self.0.abort();
    }
}

/// Reports taken in one batch at most.
const BATCH: usize = 2048;

/// Takes seals' reports in batches as they come and acknowledges each once stored (or once it
/// can never be).
async fn take_reports(state: AppState, client: AsyncClient, mut queue: mpsc::UnboundedReceiver<Publish>) {
    let mut batch = Vec::with_capacity(BATCH);
    while queue.recv_many(&mut batch, BATCH).await > 0 {
        take_batch(&state, &batch).await;
        for publish in batch.drain(..) {
            if let Err(e) = client.ack(&publish).await {
                tracing::warn!(error = %e, "acknowledging a message failed; the broker sends it again");
            }
        }
    }
}

/// Takes a batch of seals' reports in; those the store failed are tried again (with growing
/// pauses) rather than acknowledged unstored.
async fn take_batch(state: &AppState, batch: &[Publish]) {
    let mut pending: Vec<&Publish> = batch.iter().collect();
    let mut pause = Duration::from_millis(50);
    loop {
        let received_at = Timestamp::from(chrono::Utc::now());
        let messages: Vec<Message<'_>> = pending
            .iter()
            .map(|p| Message {
                seal_id: match topic(&p.topic) {
                    Some(Topic::Seal(seal)) => seal,
                    _ => "",
                },
                body: &p.payload,
                detached: None,
                received_at,
            })
            .collect();
        let outcomes = seals::take_many(state, &messages).await;
        let mut again = Vec::new();
        let mut failure = None;
        for (publish, outcome) in pending.into_iter().zip(outcomes) {
            let verdict = match outcome {
                Ok(done) => done.verdict,
                Err(SealError::Store(e)) => {
                    failure = Some(e);
                    again.push(publish);
                    continue;
                }
                Err(e) => {
                    tracing::info!(error = %e, topic = %publish.topic, "a seal report refused");
                    "refused"
                }
            };
            state.metrics.seal_reports.with_label_values(&["mqtt", verdict]).inc();
        }
        let Some(e) = failure else { return };
        tracing::warn!(error = %e, reports = again.len(), "storing seal reports failed; trying again");
        tokio::time::sleep(pause).await;
        pause = (pause * 2).min(Duration::from_secs(5));
        pending = again;
    }
}

/// Takes one message other than a seal's report in; returns once it is stored or can never be.
async fn take(state: &AppState, publish: &Publish) {
    match topic(&publish.topic) {
        Some(Topic::Checkpoint(code)) => take_event(state, code, publish).await,
        Some(Topic::Seal(_)) | None => {
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
