//! `smartcustoms bench seals`: navigation seals' reports published through Mosquitto by N
//! simulated devices on active transits at a sustained rate, some with faults, taken in by the
//! platform's MQTT consumer; prints reports/s processed, the latency from publishing a faulty
//! report to its alert, and what was lost, alerted twice or alerted falsely.

use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use anyhow::{bail, Context as _};

use smartcustoms_core::timestamp::Timestamp;
use smartcustoms_devices::mqtt::{consume, MqttSettings};

use crate::journeys::{self, Fault, Journey};

/// Arguments of `bench seals`.
#[derive(Debug, clap::Args)]
pub struct SealsArgs {
    /// Simulated seals (devices), each on a movement of 99 seals.
    #[arg(long, default_value_t = 10_000)]
    pub devices: usize,
    /// Reports per second offered, all devices together (each device reports every
    /// devices/rate seconds).
    #[arg(long, default_value_t = 2_000.0)]
    pub rate: f64,
    /// Seconds of sustained publishing.
    #[arg(long, default_value_t = 60)]
    pub seconds: u64,
    /// One device in this many has a fault (opened, tamper, deviation in turn).
    #[arg(long, default_value_t = 50)]
    pub fault_every: usize,
    /// Database to use; default a fresh SQLite file in a temporary directory.
    #[arg(long)]
    pub database_url: Option<String>,
    /// Broker to publish through (`mqtt://host:port`); default a Mosquitto the benchmark
    /// starts with the settings the README gives for production.
    #[arg(long)]
    pub mqtt_url: Option<String>,
}

/// Runs the benchmark and prints one JSON line.
pub async fn run(a: SealsArgs) -> anyhow::Result<u8> {
    if a.devices == 0 || a.rate <= 0.0 || a.seconds == 0 {
        bail!("--devices, --rate and --seconds must be positive");
    }
    let tmp = tempfile::tempdir().context("creating a temporary directory")?;
    let url = a.database_url.clone().unwrap_or_else(|| format!("sqlite:{}", tmp.path().join("seals.db").display()));
    let store = smartcustoms_storage::open(&url).await.context("opening the database")?;
    // Seals report every devices/rate seconds, and the monitors know it: a report held up for
    // two periods raises `signal_lost`, which counts as a false alert.
    let period_s = a.devices as f64 / a.rate;
    let settings = smartcustoms_http::HttpConfig {
        seal_period: Duration::from_secs_f64(period_s),
        ..smartcustoms_http::HttpConfig::default()
    };
    let state = super::bench_state_with(store.clone(), None, settings).await?;
    let run = uuid::Uuid::new_v4().simple().to_string();
    let fleet: journeys::Shared =
        Arc::new(journeys::journeys(&format!("B{}", &run[..6]).to_uppercase(), a.devices, a.fault_every));
    let started = Instant::now();
    let filed = journeys::file_transits(&state, &fleet, &run).await?;
    let setup_s = started.elapsed().as_secs_f64();

    let (_broker, host, port) = super::broker::broker(a.mqtt_url.as_deref())?;
    let settings = MqttSettings { host: host.clone(), port, client_id: format!("bench-consumer-{run}") };
    let consumer = tokio::spawn(consume(state.clone(), settings));
    let ticks = tokio::spawn(smartcustoms_http::jobs::seal_ticks(state.clone()));
    tokio::time::sleep(Duration::from_millis(500)).await;

    // Alerts as the platform commits them, with the instant each arrives.
    let alerts = Arc::new(Mutex::new(Vec::new()));
    let mut notices = state.seals.subscribe();
    let collector = {
        let alerts = alerts.clone();
        tokio::spawn(async move {
            while let Ok(n) = notices.recv().await {
                if let Ok(mut a) = alerts.lock() {
                    a.push((Instant::now(), n));
                }
            }
        })
    };

    // Publishing: every device reports once per period, the fleet spread evenly over it.
    let total = (a.rate * a.seconds as f64) as usize;
    let published_at: Arc<Mutex<HashMap<(usize, u64), Instant>>> = Arc::new(Mutex::new(HashMap::new()));
    let (client, mut events) = journeys::publisher(&host, port, &format!("bench-fleet-{run}"));
    let acked = Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let driver = {
        let acked = acked.clone();
        tokio::spawn(async move {
            loop {
                match events.poll().await {
                    Ok(rumqttc::Event::Incoming(rumqttc::Packet::PubAck(_))) => {
                        acked.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                    }
                    Ok(_) => {}
                    Err(e) => {
                        tracing::warn!(error = %e, "the benchmark's publisher lost its connection");
                        tokio::time::sleep(Duration::from_millis(100)).await;
                    }
                }
            }
        })
    };
    let publish_start = Instant::now();
    let tick = Duration::from_millis(10);
    let mut sent = 0usize;
    let mut interval = tokio::time::interval(tick);
    while sent < total {
        interval.tick().await;
        let due = ((publish_start.elapsed().as_secs_f64() * a.rate) as usize).min(total);
        while sent < due {
            let device = sent % a.devices;
            let seq = (sent / a.devices) as u64 + 1;
            let j: &Journey = &fleet[device];
            let body = serde_json::to_vec(&j.report(seq, Timestamp::now(), period_s))?;
            if j.fault != Fault::None && seq >= j.fault_at {
                if let Ok(mut p) = published_at.lock() {
                    p.insert((device, seq), Instant::now());
                }
            }
            client.publish(journeys::topic(&j.seal), rumqttc::QoS::AtLeastOnce, false, body).await?;
            sent += 1;
        }
    }
    let publish_s = publish_start.elapsed().as_secs_f64();

    // Wait until every report is taken in (at most a minute after the last was sent).
    let processed = || {
        ["accepted", "late", "duplicate", "rejected", "refused"]
            .iter()
            .map(|v| state.metrics.seal_reports.with_label_values(&["mqtt", v]).get())
            .sum::<u64>() as usize
    };
    let deadline = Instant::now() + Duration::from_secs(60);
    while processed() < total && Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let done_s = publish_start.elapsed().as_secs_f64();
    let processed_n = processed();
    tokio::time::sleep(Duration::from_millis(200)).await;
    consumer.abort();
    ticks.abort();
    driver.abort();
    collector.abort();

    // Alerts: the latency of each fault's first alert, and what should not be there.
    let seals: HashMap<&str, usize> = fleet.iter().enumerate().map(|(i, j)| (j.seal.as_str(), i)).collect();
    let alerts = alerts.lock().map(|a| a.clone()).unwrap_or_default();
    let published_at = published_at.lock().map(|p| p.clone()).unwrap_or_default();
    let mut latencies = Vec::new();
    let (mut duplicate_alerts, mut false_alerts) = (0usize, 0usize);
    let mut opened = HashSet::new();
    let mut raised_for = HashSet::new();
    for (at, n) in alerts.iter().filter(|(_, n)| n.change == "opened") {
        let i = &n.incident;
        if !opened.insert((i.transit_id.clone(), i.seal_id.clone(), i.number)) {
            duplicate_alerts += 1;
            continue;
        }
        let Some(&device) = seals.get(i.seal_id.as_str()) else { continue };
        if fleet[device].fault.kind() != Some(i.kind.as_str()) {
            false_alerts += 1;
            continue;
        }
        if !raised_for.insert(device) {
            duplicate_alerts += 1;
            continue;
        }
        let by = i.opened_by.and_then(|s| u64::try_from(s).ok());
        if let Some(sent_at) = by.and_then(|s| published_at.get(&(device, s))) {
            latencies.push(at.duration_since(*sent_at).as_secs_f64() * 1000.0);
        }
    }
    latencies.sort_by(f64::total_cmp);
    let pct =
        |p: f64| latencies.get(((latencies.len() as f64 - 1.0) * p).round() as usize).copied().unwrap_or(f64::NAN);
    let reports_each = (total / a.devices) as u64;
    let faults_due = fleet.iter().filter(|j| j.fault_shows_within(reports_each, period_s)).count();
    let out = serde_json::json!({
        "backend": store.backend(),
        "devices": a.devices,
        "transits": filed,
        "offered_rate_per_s": a.rate,
        "published": total,
        "acknowledged_by_broker": acked.load(std::sync::atomic::Ordering::Relaxed),
        "processed": processed_n,
        "reports_per_s": (processed_n as f64 / done_s * 10.0).round() / 10.0,
        "publish_s": (publish_s * 100.0).round() / 100.0,
        "drain_s": ((done_s - publish_s) * 100.0).round() / 100.0,
        "lost": total.saturating_sub(processed_n),
        "faults_expected_at_least": faults_due,
        "alerts_measured": latencies.len(),
        "p50_ms": (pct(0.5) * 100.0).round() / 100.0,
        "p99_ms": (pct(0.99) * 100.0).round() / 100.0,
        "duplicate_alerts": duplicate_alerts,
        "false_alerts": false_alerts,
        "setup_s": (setup_s * 10.0).round() / 10.0,
    });
    println!("{out}");
    Ok(0)
}
