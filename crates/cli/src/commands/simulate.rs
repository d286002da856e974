//! `smartcustoms simulate risk`: the test world of the risk system. Traders with hidden
//! behaviours file declarations week after week through the real registration pipeline; the
//! lanes select controls within capacity, the model is retrained on their outcomes, and each
//! week is printed as one JSON line beside a random selection and an oracle of the same size.
//! See `docs/risk-simulation.md`.

use std::path::PathBuf;
use std::time::Instant;

use smartcustoms_model::world::{self, Settings, Summary};

/// Arguments of `simulate`.
#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(subcommand)]
    pub command: SimulateCommand,
}

/// Simulations.
#[derive(Debug, clap::Subcommand)]
pub enum SimulateCommand {
    /// Traders with hidden behaviours, week by week through the real pipeline: one JSON line a
    /// week (platform, random selection and oracle at the same capacity) and a summary line.
    Risk(RiskArgs),
    /// Sealed journeys: movements filed on the database, their navigation seals reporting
    /// through the real MQTT broker in real time, some with faults, for a `serve` process on
    /// the same database that takes seals' reports from that broker (`mqtt_url`).
    Seals(SealsArgs),
}

/// Arguments of `simulate seals`.
#[derive(Debug, clap::Args)]
pub struct SealsArgs {
    /// Movements to file, 99 seals each.
    #[arg(long, default_value_t = 2)]
    pub transits: usize,
    #[command(flatten)]
    pub db: crate::config::DbArgs,
    /// Broker the seals report through.
    #[arg(long, default_value = "mqtt://127.0.0.1:1883")]
    pub mqtt_url: String,
    /// Seconds between a seal's reports.
    #[arg(long, default_value_t = 5.0)]
    pub period: f64,
    /// Minutes to run.
    #[arg(long, default_value_t = 5.0)]
    pub minutes: f64,
    /// One seal in this many has a fault (opened, tamper, deviation in turn; 0: none).
    #[arg(long, default_value_t = 20)]
    pub fault_every: usize,
}

/// Arguments of `simulate risk`.
#[derive(Debug, clap::Args)]
pub struct RiskArgs {
    /// Weeks to simulate.
    #[arg(long, default_value_t = Settings::default().weeks)]
    pub weeks: u32,
    /// Share of declarations officers can control (above 0, at most 1).
    #[arg(long, default_value_t = Settings::default().inspection_rate)]
    pub inspection_rate: f64,
    /// Seed of everything random in the run: the same seed gives the same output.
    #[arg(long, default_value_t = Settings::default().seed)]
    pub seed: u64,
    /// Declarations filed each week.
    #[arg(long, default_value_t = Settings::default().declarations_per_week)]
    pub declarations_per_week: usize,
    /// Share of declarations released without an officer that go to a random control instead.
    #[arg(long, default_value_t = Settings::default().random_share)]
    pub random_share: f64,
    /// Share of the capacity kept for declarations the risk profiles send to control.
    #[arg(long, default_value_t = Settings::default().profile_share)]
    pub profile_share: f64,
    /// The week the ring changes route (default: the week after half the run).
    #[arg(long)]
    pub ring_switch_week: Option<u32>,
    /// Trees of each retrained model.
    #[arg(long, default_value_t = Settings::default().trees)]
    pub trees: usize,
    /// Draw the catches per week into this file (`.svg` or `.png`).
    #[arg(long)]
    pub plot: Option<PathBuf>,
}

/// The last line: the summary and the wall-clock time of the run.
#[derive(serde::Serialize)]
struct SummaryLine<'a> {
    summary: &'a Summary,
    seconds: f64,
}

/// Runs `simulate …`.
pub async fn run(args: Args) -> anyhow::Result<u8> {
    match args.command {
        SimulateCommand::Risk(a) => risk(a),
        SimulateCommand::Seals(a) => seals(a).await,
    }
}

async fn seals(a: SealsArgs) -> anyhow::Result<u8> {
    use anyhow::Context as _;
    use smartcustoms_core::timestamp::Timestamp;

    if a.transits == 0 || a.period <= 0.0 || a.minutes <= 0.0 {
        anyhow::bail!("--transits, --period and --minutes must be positive");
    }
    let cfg = a.db.resolve()?;
    let store = crate::config::open_store(&cfg).await?;
    let state = super::bench::bench_state(store, None).await?;
    let run = uuid::Uuid::new_v4().simple().to_string();
    let fleet = crate::journeys::journeys(
        &format!("SIM{}", &run[..5]).to_uppercase(),
        a.transits * crate::journeys::SEALS_PER_TRANSIT,
        a.fault_every,
    );
    let filed = crate::journeys::file_transits(&state, &fleet, &run).await?;
    let broker =
        smartcustoms_devices::mqtt::MqttSettings::parse(&a.mqtt_url, "x").context("--mqtt-url is mqtt://host:port")?;
    let (client, mut events) = crate::journeys::publisher(&broker.host, broker.port, &format!("simulated-seals-{run}"));
    tokio::spawn(async move {
        loop {
            if let Err(e) = events.poll().await {
                tracing::warn!(error = %e, "the simulated seals lost the broker; reconnecting");
                tokio::time::sleep(std::time::Duration::from_millis(500)).await;
            }
        }
    });
    let faults: Vec<String> = fleet
        .iter()
        .filter_map(|j| j.fault.kind().map(|k| format!("{} {k} from report {}", j.seal, j.fault_at)))
        .collect();
    println!("{}", serde_json::json!({ "transits": filed, "seals": fleet.len(), "faults": faults }));
    let rounds = (a.minutes * 60.0 / a.period).ceil() as u64;
    let mut tick = tokio::time::interval(std::time::Duration::from_secs_f64(a.period));
    for seq in 1..=rounds {
        tick.tick().await;
        for j in &fleet {
            let body = serde_json::to_vec(&j.report(seq, Timestamp::now(), a.period))?;
            client.publish(crate::journeys::topic(&j.seal), rumqttc::QoS::AtLeastOnce, false, body).await?;
        }
        if seq % (60.0 / a.period).max(1.0) as u64 == 0 {
            println!("{}", serde_json::json!({ "round": seq, "reports": seq as usize * fleet.len() }));
        }
    }
    Ok(0)
}

fn risk(a: RiskArgs) -> anyhow::Result<u8> {
    let settings = Settings {
        weeks: a.weeks,
        declarations_per_week: a.declarations_per_week,
        inspection_rate: a.inspection_rate,
        random_share: a.random_share,
        profile_share: a.profile_share,
        seed: a.seed,
        ring_switch_week: a.ring_switch_week,
        trees: a.trees,
    };
    settings.check()?;
    let started = Instant::now();
    let mut unprinted = None;
    let bar = crate::progress::bar(u64::from(settings.weeks), "simulated weeks");
    let outcome = world::run(&settings, |week| {
        bar.inc(1);
        match serde_json::to_string(week) {
            Ok(line) => bar.suspend(|| println!("{line}")),
            Err(e) => unprinted = Some(e),
        }
    })?;
    bar.finish_and_clear();
    if let Some(e) = unprinted {
        return Err(e.into());
    }
    let seconds = (started.elapsed().as_secs_f64() * 10.0).round() / 10.0;
    println!("{}", serde_json::to_string(&SummaryLine { summary: &outcome.summary, seconds })?);
    if let Some(path) = a.plot {
        world::chart(&outcome, settings.switch_week(), &path)?;
        eprintln!("chart written to {}", path.display());
    }
    Ok(0)
}
