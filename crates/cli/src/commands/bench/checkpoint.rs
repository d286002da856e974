//! `smartcustoms bench checkpoint`: a smart checkpoint configured as a supervisor would, N
//! vehicles booked or queued (some under signed pre-arrival information, filed through the
//! pre-arrival use case so that the preliminary decision is known at booking), then driven
//! through their lanes at a given arrival rate: plate read, weighing, primary radiation
//! portal, and the re-checks and scans their faults call for, over HTTP to the in-process
//! server or over MQTT through Mosquitto to the platform's consumer. Prints vehicles and
//! events decided per second, the latency from the plate read to the vehicle's first decision
//! and from its last event to its final decision, and what was lost, decided wrongly or stored
//! twice.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{anyhow, bail, Context as _};
use ed25519_dalek::SigningKey;
use serde_json::Value;
use tokio::sync::broadcast::error::RecvError;
use tokio::sync::mpsc;

use smartcustoms_core::access::{Principal, Role};
use smartcustoms_core::ids::TraderId;
use smartcustoms_core::risk::{Categories, Category};
use smartcustoms_core::signature;
use smartcustoms_core::simulate::World;
use smartcustoms_core::timestamp::Timestamp;
use smartcustoms_devices::mqtt::{consume, MqttSettings};
use smartcustoms_http::app::checkpoint as chp;
use smartcustoms_http::app::pre_arrival::{self, FilePreArrival};
use smartcustoms_http::AppState;

use super::{percentile, round1, round2};
use crate::demo::{self, Declarant};

mod fleet;

use fleet::{Basis, Cargo, Consignee, Step, Vehicle};

/// How the equipment's events reach the platform.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Transport {
    /// `POST /api/v1/checkpoints/{code}/events` to the in-process server.
    Http,
    /// `smartcustoms/checkpoints/{code}/events` through Mosquitto to the platform's consumer.
    Mqtt,
}

impl Transport {
    fn name(self) -> &'static str {
        match self {
            Transport::Http => "http",
            Transport::Mqtt => "mqtt",
        }
    }
}

/// Arguments of `bench checkpoint`.
#[derive(Debug, clap::Args)]
pub struct CheckpointArgs {
    /// Vehicles booked or queued and driven through the lanes (plus one in a hundred plates the
    /// checkpoint does not know).
    #[arg(long, default_value_t = 2_000)]
    pub vehicles: usize,
    /// Vehicles arriving per second.
    #[arg(long, default_value_t = 50.0)]
    pub rate: f64,
    /// How the equipment's events reach the platform.
    #[arg(long, value_enum, default_value_t = Transport::Http)]
    pub transport: Transport,
    /// Database to use; default a fresh SQLite file in a temporary directory.
    #[arg(long)]
    pub database_url: Option<String>,
    /// Broker for `--transport mqtt` (`mqtt://host:port`); default a Mosquitto the benchmark
    /// starts with the settings the README gives for production.
    #[arg(long)]
    pub mqtt_url: Option<String>,
    /// Seconds after the last arrival within which every decision must come.
    #[arg(long, default_value_t = 120)]
    pub drain_seconds: u64,
}

/// Slots ahead that bookings are spread over (the horizon is 72 hours of 30-minute slots).
const SLOTS_AHEAD: i64 = 140;

/// One vehicle ready to drive: its id at the checkpoint (none for an unknown plate) and its
/// events with the operations due after each.
struct Plan {
    plate: String,
    id: Option<String>,
    steps: Vec<Step>,
    /// Why its provisional plan at booking was not the expected one.
    wrong_at_admission: Option<String>,
}

/// Runs the benchmark and prints one JSON line.
pub async fn run(a: CheckpointArgs) -> anyhow::Result<u8> {
    if a.vehicles == 0 || a.rate <= 0.0 || a.rate.is_nan() {
        bail!("--vehicles and --rate must be positive");
    }
    let tmp = tempfile::tempdir().context("creating a temporary directory")?;
    let url =
        a.database_url.clone().unwrap_or_else(|| format!("sqlite:{}", tmp.path().join("checkpoint.db").display()));
    let store = smartcustoms_storage::open(&url).await.context("opening the database")?;
    let state = super::bench_state(store.clone(), None).await?;
    let run = uuid::Uuid::new_v4().simple().to_string().to_uppercase();
    let code = format!("BN-{}", &run[..6]);
    let unknown = (a.vehicles / 100).max(1);
    let vehicles = fleet::fleet(&run[..3], a.vehicles, unknown, 42);

    let setup_started = Instant::now();
    let plans = setup(&state, &code, &run, &vehicles).await?;
    let setup_s = setup_started.elapsed().as_secs_f64();

    // The equipment's way in: the in-process server, or the broker and the platform's consumer.
    let device_token = format!("bench-lanes-{run}");
    let principal = Principal::new("Lane equipment", Role::Device, None);
    demo::ensure_token(store.as_ref(), &device_token, principal).await?;
    let mut tasks = Vec::new();
    let mut _broker = None;
    let sender = match a.transport {
        Transport::Http => {
            let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
            let base = format!("http://{}", listener.local_addr()?);
            let server = smartcustoms_http::serve(listener, state.clone(), std::future::pending());
            tasks.push(tokio::spawn(async move {
                if let Err(e) = server.await {
                    tracing::error!(error = %e, "the benchmark's server stopped");
                }
            }));
            let client = reqwest::Client::builder().pool_max_idle_per_host(1024).build()?;
            Sender::Http { client, url: format!("{base}/api/v1/checkpoints/{code}/events"), token: device_token }
        }
        Transport::Mqtt => {
            let (broker, host, port) = super::broker::broker(a.mqtt_url.as_deref())?;
            _broker = broker;
            let settings =
                MqttSettings { host: host.clone(), port, client_id: format!("bench-checkpoint-consumer-{run}") };
            tasks.push(tokio::spawn(consume(state.clone(), settings)));
            let (client, mut events) = crate::journeys::publisher(&host, port, &format!("bench-lanes-{run}"));
            tasks.push(tokio::spawn(async move {
                loop {
                    if let Err(e) = events.poll().await {
                        tracing::warn!(error = %e, "the benchmark's publisher lost its connection");
                        tokio::time::sleep(Duration::from_millis(100)).await;
                    }
                }
            }));
            tokio::time::sleep(Duration::from_millis(500)).await;
            Sender::Mqtt { client, topic: format!("smartcustoms/checkpoints/{code}/events") }
        }
    };

    // Decisions as the platform commits them, routed to each vehicle's lane with the instant
    // they were announced.
    let mut routes = HashMap::new();
    let mut inboxes = Vec::with_capacity(plans.len());
    for plan in &plans {
        let inbox = plan.id.as_ref().map(|id| {
            let (tx, rx) = mpsc::unbounded_channel();
            routes.insert(id.clone(), tx);
            rx
        });
        inboxes.push(inbox);
    }
    let missed = Arc::new(AtomicU64::new(0));
    let mut notices = state.checkpoints.subscribe();
    tasks.push({
        let missed = missed.clone();
        tokio::spawn(async move {
            loop {
                match notices.recv().await {
                    Ok(n) => {
                        let at = Instant::now();
                        if let Some(tx) = routes.get(&n.vehicle) {
                            let _ = tx.send(Decided { at, change: n.change, operations: n.operations });
                        }
                    }
                    Err(RecvError::Lagged(k)) => {
                        missed.fetch_add(k, Ordering::Relaxed);
                    }
                    Err(RecvError::Closed) => return,
                }
            }
        })
    });

    // Arrivals at the rate asked, each vehicle through its lane.
    let arrivals = plans.len();
    let plans: Vec<Arc<Plan>> = plans.into_iter().map(Arc::new).collect();
    let bar = crate::progress::bar(arrivals as u64, "vehicles arrived");
    let start = Instant::now();
    let deadline = start + Duration::from_secs_f64(arrivals as f64 / a.rate) + Duration::from_secs(a.drain_seconds);
    let mut lanes = Vec::with_capacity(arrivals);
    for (i, (plan, inbox)) in plans.iter().zip(inboxes).enumerate() {
        tokio::time::sleep_until((start + Duration::from_secs_f64(i as f64 / a.rate)).into()).await;
        lanes.push(tokio::spawn(drive(plan.clone(), sender.clone(), inbox, deadline)));
        bar.inc(1);
    }
    let mut outcomes = Vec::with_capacity(arrivals);
    for lane in lanes {
        outcomes.push(lane.await?);
    }
    bar.finish_and_clear();
    // Over MQTT nothing answers a read of an unknown plate: wait until the store has them all.
    let mut unattached = state.store.unattached_events(&code, 1_000_000).await?.len();
    let mut end = outcomes.iter().filter_map(|o| o.last_at).max().unwrap_or(start);
    while unattached < unknown && Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(20)).await;
        unattached = state.store.unattached_events(&code, 1_000_000).await?.len();
        end = end.max(Instant::now());
    }
    for task in tasks {
        task.abort();
    }

    // What the store holds against what was sent and what the rules imply.
    let (mut lost, mut duplicates, mut wrong, mut undecided) = (0, 0, 0, 0);
    let mut samples = Vec::new();
    for (plan, o) in plans.iter().zip(&outcomes) {
        let Some(id) = &plan.id else {
            wrong += usize::from(o.mismatch.is_some());
            samples.extend(o.mismatch.clone());
            continue;
        };
        let stored = state.store.vehicle_events(id).await?.len();
        lost += o.sent.saturating_sub(stored);
        duplicates += stored.saturating_sub(o.sent);
        let mut mismatch = plan.wrong_at_admission.clone().or(o.mismatch.clone());
        if o.complete {
            let expected = plan.steps.last().map(|s| s.due.as_str()).unwrap_or_default();
            let vehicle = state.store.vehicle(id).await?.map(|v| v.operations).unwrap_or_default();
            if vehicle != expected && mismatch.is_none() {
                mismatch = Some(format!("{}: stored {vehicle}, expected {expected}", plan.plate));
            }
        } else {
            undecided += 1;
        }
        if let Some(m) = mismatch {
            wrong += 1;
            samples.push(m);
        }
    }
    lost += unknown.saturating_sub(unattached);
    // An event of a known vehicle left unattached is lost for its vehicle and wrongly here.
    wrong += unattached.saturating_sub(unknown);
    for m in samples.iter().take(5) {
        eprintln!("wrong: {m}");
    }

    let seconds = end.saturating_duration_since(start).as_secs_f64().max(1e-9);
    let known: Vec<&Outcome> = plans.iter().zip(&outcomes).filter(|(p, _)| p.id.is_some()).map(|(_, o)| o).collect();
    let decided = known.iter().filter(|o| o.complete).count();
    let events: usize = outcomes.iter().map(|o| o.sent).sum();
    let events_decided: usize = known.iter().map(|o| o.decided).sum::<usize>() + unattached.min(unknown);
    let mut first: Vec<f64> = outcomes.iter().filter_map(|o| o.first_ms).collect();
    let mut last: Vec<f64> = outcomes.iter().filter_map(|o| o.final_ms).collect();
    first.sort_by(f64::total_cmp);
    last.sort_by(f64::total_cmp);
    let line = serde_json::json!({
        "bench": "checkpoint",
        "backend": store.backend(),
        "transport": a.transport.name(),
        "vehicles": a.vehicles,
        "offered_rate_per_s": a.rate,
        "events": events,
        "seconds": round2(seconds),
        "vehicles_per_s": round1(decided as f64 / seconds),
        "events_per_s": round1(events_decided as f64 / seconds),
        "p50_ms": round2(percentile(&first, 0.50)),
        "p99_ms": round2(percentile(&first, 0.99)),
        "final_p50_ms": round2(percentile(&last, 0.50)),
        "final_p99_ms": round2(percentile(&last, 0.99)),
        "lost": lost,
        "wrong": wrong,
        "duplicates": duplicates,
        "undecided": undecided,
        "unattached": unattached,
        "missed_notices": missed.load(Ordering::Relaxed),
        "booked": vehicles.iter().filter(|v| v.known && v.booked).count(),
        "announced": vehicles.iter().filter(|v| matches!(v.cargo, Cargo::Announced { .. }) && v.known).count(),
        "setup_s": round1(setup_s),
    });
    println!("{line}");
    Ok(if lost + wrong + duplicates + undecided == 0 { 0 } else { 1 })
}

/// Configures the checkpoint, files the pre-arrival information of the announced vehicles and
/// books or queues every known vehicle, through the platform's use cases (the same the HTTP
/// routes call). Returns each vehicle's plan, in arrival order.
async fn setup(state: &AppState, code: &str, run: &str, vehicles: &[Vehicle]) -> anyhow::Result<Vec<Plan>> {
    let store = state.store.as_ref();
    demo::seed_reference_data(store).await?;
    let now = Timestamp::now();
    // One forwarder files and books for everyone; consignees with a low-risk record, a
    // high-risk one (inspection at the border) and none.
    let parties = World::demo(3).declarants;
    let forwarder = Declarant {
        party: parties[0].clone(),
        token: format!("bench-forwarder-{run}"),
        key: SigningKey::generate(&mut rand::rngs::OsRng),
    };
    demo::provision(store, &forwarder, now).await?;
    let mut categories = (*state.reference().categories).clone();
    categories.0.insert(parties[0].id.clone(), Category::Low);
    categories.0.insert(parties[1].id.clone(), Category::High);
    categories.0.remove(&parties[2].id);
    state.set_categories(Categories(categories.0));

    let booked = vehicles.iter().filter(|v| v.known && v.booked).count();
    let per_lane = (booked as u64).div_ceil(SLOTS_AHEAD as u64 * fleet::LANES as u64).max(6);
    let supervisor = Principal::new("Bench supervisor", Role::Supervisor, None);
    let settings = serde_json::to_vec(&fleet::settings(u32::try_from(per_lane)?))?;
    chp::save(state, &supervisor, code, &settings, now).await.map_err(|e| anyhow!("configuring {code}: {e}"))?;

    let trader = TraderId::new(forwarder.party.id.clone())?;
    let carrier = Principal::new(forwarder.party.name.clone(), Role::Trader, Some(trader.clone()));
    let length = 30 * 60 * 1_000_000;
    let current_slot = now.as_micros() / length * length;
    let mut bookings = 0;
    let mut plans = Vec::with_capacity(vehicles.len());
    let bar = crate::progress::bar(vehicles.len() as u64, "vehicles admitted");
    for (i, v) in vehicles.iter().enumerate() {
        bar.inc(1);
        if !v.known {
            let steps = fleet::script(v, &Basis::Missing, i);
            plans.push(Plan { plate: v.plate.clone(), id: None, steps, wrong_at_admission: None });
            continue;
        }
        let consignee = match v.cargo {
            Cargo::Announced { consignee: Consignee::Low, .. } => &parties[0],
            Cargo::Announced { consignee: Consignee::High, .. } => &parties[1],
            _ => &parties[2],
        };
        let filed = match fleet::pre_arrival(v, &format!("R{}-{i}", &run[..8]), consignee, Timestamp::now()) {
            Some(doc) => {
                let body = serde_json::to_vec(&doc)?;
                let jws = signature::sign_detached(&forwarder.key, &body);
                let request = FilePreArrival {
                    trader: trader.clone(),
                    body: &body,
                    signature: Some(&jws),
                    received_at: chrono::Utc::now(),
                };
                let filed =
                    pre_arrival::file(state, request).await.map_err(|e| anyhow!("filing for {}: {e}", v.plate))?;
                Some((filed.record.id, filed.decision))
            }
            None => None,
        };
        let basis = Basis::of(v, filed.as_ref().map(|(_, d)| d));
        let named = matches!(v.cargo, Cargo::Announced { named: true, .. });
        let pre = filed.as_ref().filter(|_| named).map(|(id, _)| id.as_str());
        let slot = v.booked.then(|| {
            bookings += 1;
            Timestamp::from_micros(current_slot + (1 + bookings % SLOTS_AHEAD) * length).rfc3339()
        });
        let body = serde_json::to_vec(&fleet::admission(v, slot, pre))?;
        let record = chp::admit(state, &carrier, code, &body, Timestamp::now())
            .await
            .map_err(|e| anyhow!("admitting {}: {e}", v.plate))?;
        let planned = fleet::planned(v, &basis);
        let wrong_at_admission = if record.pre_arrival != filed.as_ref().map(|(id, _)| id.clone()) {
            Some(format!("{}: admitted under pre-arrival {:?}", v.plate, record.pre_arrival))
        } else if record.operations != planned {
            Some(format!("{}: planned {} at admission, expected {planned}", v.plate, record.operations))
        } else {
            None
        };
        let steps = fleet::script(v, &basis, i);
        plans.push(Plan { plate: v.plate.clone(), id: Some(record.id), steps, wrong_at_admission });
    }
    bar.finish_and_clear();
    Ok(plans)
}

/// A decision the platform announced for a vehicle.
struct Decided {
    at: Instant,
    change: String,
    operations: String,
}

/// How the lanes' equipment sends.
#[derive(Clone)]
enum Sender {
    Http { client: reqwest::Client, url: String, token: String },
    Mqtt { client: rumqttc::AsyncClient, topic: String },
}

impl Sender {
    /// Sends one event; over HTTP, the platform's answer.
    async fn send(&self, body: Vec<u8>) -> anyhow::Result<Option<Value>> {
        match self {
            Sender::Http { client, url, token } => {
                let r = client
                    .post(url)
                    .bearer_auth(token)
                    .header("content-type", "application/json")
                    .body(body)
                    .send()
                    .await?;
                let status = r.status().as_u16();
                let answer: Value = r.json().await?;
                if status != 202 {
                    bail!("HTTP {status}: {answer}");
                }
                Ok(Some(answer))
            }
            Sender::Mqtt { client, topic } => {
                client.publish(topic.clone(), rumqttc::QoS::AtLeastOnce, false, body).await?;
                Ok(None)
            }
        }
    }
}

/// What became of one vehicle in its lane.
#[derive(Debug, Default)]
struct Outcome {
    /// Events sent.
    sent: usize,
    /// Events decided (announced for the vehicle).
    decided: usize,
    /// Plate read to the first decision, ms.
    first_ms: Option<f64>,
    /// Last event to the final decision, ms.
    final_ms: Option<f64>,
    /// When the final decision came.
    last_at: Option<Instant>,
    /// Every event sent and decided.
    complete: bool,
    /// The first decision that was not the expected one.
    mismatch: Option<String>,
}

/// Drives one vehicle through its lane: each event once the one before is decided, as the
/// vehicle moves on when the lane's display has answered.
async fn drive(
    plan: Arc<Plan>,
    sender: Sender,
    mut inbox: Option<mpsc::UnboundedReceiver<Decided>>,
    deadline: Instant,
) -> Outcome {
    let mut o = Outcome::default();
    for (n, step) in plan.steps.iter().enumerate() {
        let sent_at = Instant::now();
        let answer = match sender.send(step.to_json(Timestamp::now())).await {
            Ok(answer) => answer,
            Err(e) => {
                tracing::warn!(error = %e, plate = %plan.plate, "an event was not sent");
                return o;
            }
        };
        o.sent += 1;
        let Some(inbox) = inbox.as_mut() else {
            // A plate the checkpoint does not know: kept unattached, for an officer.
            if let Some(answer) = answer {
                if answer["unattached"]["code"] != "CHK_052" {
                    o.mismatch = Some(format!("{}: an unknown plate answered {answer}", plan.plate));
                }
                o.last_at = Some(Instant::now());
            }
            o.complete = true;
            return o;
        };
        let decided = loop {
            match tokio::time::timeout_at(deadline.into(), inbox.recv()).await {
                Ok(Some(d)) if d.change == step.kind => break Some(d),
                Ok(Some(_)) => continue,
                Ok(None) | Err(_) => break None,
            }
        };
        let Some(d) = decided else { return o };
        o.decided += 1;
        let ms = d.at.saturating_duration_since(sent_at).as_secs_f64() * 1000.0;
        if d.operations != step.due && o.mismatch.is_none() {
            let m = format!("{} after {} #{n}: {}, expected {}", plan.plate, step.kind, d.operations, step.due);
            o.mismatch = Some(m);
        }
        if n == 0 {
            o.first_ms = Some(ms);
        }
        if n + 1 == plan.steps.len() {
            o.final_ms = Some(ms);
            o.last_at = Some(d.at);
            o.complete = true;
        }
    }
    o
}
