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
pub fn run(args: Args) -> anyhow::Result<u8> {
    match args.command {
        SimulateCommand::Risk(a) => risk(a),
    }
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
