//! `smartcustoms bench pipeline`: end-to-end throughput and latency of filing signed
//! declarations over HTTP (duties calculated, reserved and debited), next to the same pipeline
//! without money and the storage floor: the same declarations decided beforehand and recorded
//! through the same writer.
//! `smartcustoms bench ledger`: concurrent reservations on one hot account and on many.
//! `smartcustoms bench knowledge`: building and searching the knowledge base.

use std::fmt::Write as _;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{bail, Context as _};
use ed25519_dalek::SigningKey;
use hyper::header::HeaderValue;
use tokio::net::TcpListener;
use uuid::Uuid;

use smartcustoms_core::signature;
use smartcustoms_core::simulate::{self, World};
use smartcustoms_http::{AppState, HttpConfig};
use smartcustoms_storage::{GroupCommit, GroupCommitConfig, Store};

use crate::demo::{self, Declarant};

mod broker;
mod checkpoint;
mod knowledge;
mod ledger;
mod load;
mod parcels;
mod permits;
mod portal;
mod risk;
mod seals;

/// Arguments of `bench`.
#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(subcommand)]
    pub command: BenchCommand,
}

/// Benchmarks.
#[derive(Debug, clap::Subcommand)]
pub enum BenchCommand {
    /// File N signed declarations over HTTP and measure the pipeline and the storage floor.
    Pipeline(PipelineArgs),
    /// Concurrent reservations per second on one hot account and across many accounts.
    Ledger(LedgerArgs),
    /// Training on outcomes and online scoring with explanations by the platform's model.
    Risk(RiskArgs),
    /// Building and searching the knowledge base; survey statistics and exports.
    Knowledge(knowledge::KnowledgeArgs),
    /// The people's pages (trader's list with a search, a declaration, the work queue, the
    /// supervisors' dashboard, release times) on N seeded declarations, p50/p95/p99 each.
    Portal(portal::PortalArgs),
    /// Navigation seals' reports through Mosquitto from N devices at a sustained rate, with
    /// faults: reports/s processed, publish-to-alert latency, lost, duplicate and false alerts.
    Seals(seals::SealsArgs),
    /// A smart checkpoint: N vehicles booked or queued, driven through their lanes' equipment
    /// events at an arrival rate over HTTP or MQTT: vehicles decided per second, plate-read to
    /// decision latency, lost events and wrong decisions.
    Checkpoint(checkpoint::CheckpointArgs),
    /// Concurrent declarations drawing on the same Single Window documents over HTTP (one or
    /// more server processes on one database): declarations/s and `overdrawn` (must be 0).
    Permits(permits::PermitsArgs),
    /// E-commerce parcels filed in bulk over HTTP (files of newline-delimited JSON): parcels/s
    /// from filing to release decision, p99 per file, and the storage floor of the same run.
    Parcels(parcels::ParcelsArgs),
}

/// Arguments of `bench risk`.
#[derive(Debug, clap::Args)]
pub struct RiskArgs {
    /// Controlled declarations to train on.
    #[arg(long, default_value_t = 20_000)]
    pub outcomes: usize,
    /// Declarations to score.
    #[arg(long, default_value_t = 20_000)]
    pub declarations: usize,
}

/// Arguments of `bench ledger`.
#[derive(Debug, clap::Args)]
pub struct LedgerArgs {
    /// Reservations per scenario.
    #[arg(long, default_value_t = 100_000)]
    pub reservations: usize,
    /// Concurrent clients.
    #[arg(long, default_value_t = 256)]
    pub concurrency: usize,
    /// Accounts of the many-accounts scenario.
    #[arg(long, default_value_t = 10_000)]
    pub accounts: usize,
    /// Database to use; default a fresh SQLite file in a temporary directory.
    #[arg(long)]
    pub database_url: Option<String>,
}

/// Arguments of `bench pipeline`.
#[derive(Debug, clap::Args)]
pub struct PipelineArgs {
    /// Number of declarations.
    #[arg(long, default_value_t = 20_000)]
    pub declarations: usize,
    /// Concurrent clients.
    #[arg(long, default_value_t = 64)]
    pub concurrency: usize,
    /// Database to use (and leave the data in); default a fresh SQLite file in a temporary directory.
    #[arg(long)]
    pub database_url: Option<String>,
    /// Offered load in declarations per second (default: as fast as possible).
    #[arg(long)]
    pub rate: Option<f64>,
    /// Most goods items per declaration (at least 1).
    #[arg(long, default_value_t = 10)]
    pub max_items: usize,
    /// Number of declarants.
    #[arg(long, default_value_t = 50)]
    pub traders: usize,
    /// Put a model in force (trained on this many simulated outcomes), so every declaration
    /// is scored and explained online.
    #[arg(long)]
    pub model: Option<usize>,
    /// Run the whole benchmark this many times (each on a fresh SQLite file unless
    /// `--database-url` is given) and end with a line of the median, lowest and highest of each
    /// rate and of `pipeline_to_bare`.
    #[arg(long, default_value_t = 1)]
    pub rounds: usize,
}

/// Runs a benchmark and prints one JSON line.
pub async fn run(args: Args) -> anyhow::Result<u8> {
    match args.command {
        BenchCommand::Pipeline(a) => pipeline(a).await,
        BenchCommand::Ledger(a) => ledger::run(a).await,
        BenchCommand::Risk(a) => risk::run(a).await,
        BenchCommand::Knowledge(a) => knowledge::run(a).await,
        BenchCommand::Portal(a) => portal::run(a).await,
        BenchCommand::Seals(a) => seals::run(a).await,
        BenchCommand::Checkpoint(a) => checkpoint::run(a).await,
        BenchCommand::Permits(a) => permits::run(a).await,
        BenchCommand::Parcels(a) => parcels::run(a).await,
    }
}

/// Runs `bench pipeline` `--rounds` times, printing each round's line and, after several, the
/// summary of them all. Exit 1 when any round saw an error.
async fn pipeline(a: PipelineArgs) -> anyhow::Result<u8> {
    if a.declarations == 0 || a.concurrency == 0 || a.rounds == 0 {
        bail!("--declarations, --concurrency and --rounds must be at least 1");
    }
    let mut lines = Vec::with_capacity(a.rounds);
    for _ in 0..a.rounds {
        let line = pipeline_round(&a).await?;
        println!("{line}");
        lines.push(line);
    }
    if a.rounds > 1 {
        println!("{}", summary(&lines));
    }
    Ok(if lines.iter().all(|l| l["errors"].as_u64() == Some(0)) { 0 } else { 1 })
}

/// The figures of several rounds: for each rate and ratio its median, lowest and highest.
/// Rounds run one after another on a machine whose speed drifts; the median of rounds
/// alternating pipeline and floor says more than any one round.
fn summary(lines: &[serde_json::Value]) -> serde_json::Value {
    let spread = |key: &str| {
        let mut values: Vec<f64> = lines.iter().filter_map(|l| l[key].as_f64()).collect();
        values.sort_by(f64::total_cmp);
        let n = values.len();
        let median = match n {
            0 => 0.0,
            _ if n % 2 == 1 => values[n / 2],
            _ => (values[n / 2 - 1] + values[n / 2]) / 2.0,
        };
        serde_json::json!({
            "median": round3(median),
            "min": values.first().copied().map_or(0.0, round3),
            "max": values.last().copied().map_or(0.0, round3),
        })
    };
    serde_json::json!({
        "rounds": lines.len(),
        "errors": lines.iter().filter_map(|l| l["errors"].as_u64()).sum::<u64>(),
        "throughput_per_s": spread("throughput_per_s"),
        "without_money_per_s": spread("without_money_per_s"),
        "bare_insert_per_s": spread("bare_insert_per_s"),
        "pipeline_to_bare": spread("pipeline_to_bare"),
        "p99_ms": spread("p99_ms"),
    })
}

/// One round of `bench pipeline`: its JSON line.
async fn pipeline_round(a: &PipelineArgs) -> anyhow::Result<serde_json::Value> {
    let tmp = tempfile::tempdir().context("creating a temporary directory")?;
    let url = a.database_url.clone().unwrap_or_else(|| format!("sqlite:{}", tmp.path().join("bench.db").display()));
    let store = smartcustoms_storage::open(&url).await.context("opening the database")?;
    demo::seed_reference_data(store.as_ref()).await?;

    // Declarants with fresh tokens and keys, so runs on a kept database do not collide.
    let run_id = Uuid::new_v4().simple().to_string();
    let world = World::demo(a.traders.max(1));
    let now = chrono::Utc::now();
    let mut declarants = Vec::new();
    for (i, party) in world.declarants.iter().enumerate() {
        let d = Declarant {
            party: party.clone(),
            token: format!("bench-{run_id}-{i}"),
            key: SigningKey::generate(&mut rand::rngs::OsRng),
        };
        demo::provision(store.as_ref(), &d, now.into()).await?;
        demo::deposit(store.as_ref(), &party.id, 1_000_000_000 * 100, &format!("BENCH-{run_id}-{i}")).await?;
        declarants.push(d);
    }

    // Everything the clients send is prepared before the clock starts.
    let mut rng = simulate::rng(42);
    let requests: Vec<(usize, Vec<u8>, String)> = (0..a.declarations)
        .map(|i| {
            let d = &declarants[i % declarants.len()];
            let doc = world.declaration(&mut rng, &d.party, now.date_naive(), a.max_items);
            let body = serde_json::to_vec(&doc).unwrap_or_default();
            let jws = signature::sign_detached(&d.key, &body);
            (i % declarants.len(), body, jws)
        })
        .collect();
    let requests = Arc::new(requests);
    let declarants = Arc::new(declarants);

    let load = |base: String| {
        let (requests, declarants) = (requests.clone(), declarants.clone());
        async move { run_pipeline(&[base], requests, declarants, a.concurrency, a.rate).await }
    };
    // The pipeline without money first (every rate zero: duties are calculated, nothing is
    // reserved or debited), then with it on the now larger database, then the floor.
    let tariff = smartcustoms_http::app::tariff::file_of(&store.tariff_entries().await?).map_err(anyhow::Error::msg)?;
    set_tariff(store.as_ref(), &zero_rates(tariff.clone())).await?;
    let model = match a.model {
        Some(n) => Some(Arc::new(tokio::task::block_in_place(|| risk::simulated_model(n, 1))?.0)),
        None => None,
    };
    let free = with_server(store.clone(), model.clone(), load).await?;
    set_tariff(store.as_ref(), &tariff).await?;
    let pipeline = with_server(store.clone(), model.clone(), load).await?;
    let bare = floor(store.clone(), model.clone(), &requests, &declarants, a.concurrency).await?;
    let bare_per_s = a.declarations as f64 / bare.elapsed.as_secs_f64();
    let free_per_s = a.declarations as f64 / free.elapsed.as_secs_f64();

    let mut lat = pipeline.latencies_ms;
    lat.sort_by(f64::total_cmp);
    let pct = |p: f64| percentile(&lat, p);
    let throughput = a.declarations as f64 / pipeline.elapsed.as_secs_f64();
    let line = serde_json::json!({
        "backend": store.backend(),
        "model": model.is_some(),
        "declarations": a.declarations,
        "concurrency": a.concurrency,
        "workers": tokio::runtime::Handle::current().metrics().num_workers(),
        "offered_rate_per_s": a.rate,
        "throughput_per_s": round1(throughput),
        "p50_ms": round2(pct(0.50)),
        "p95_ms": round2(pct(0.95)),
        "p99_ms": round2(pct(0.99)),
        "auto_released_share": round3(pipeline.released as f64 / a.declarations as f64),
        "refused": pipeline.refused,
        "awaiting_payment": pipeline.awaiting,
        "errors": pipeline.errors + free.errors + bare.errors,
        "without_money_per_s": round1(free_per_s),
        "money_cost": round3(1.0 - throughput / free_per_s),
        "bare_insert_per_s": round1(bare_per_s),
        "pipeline_to_bare": round3(throughput / bare_per_s),
        "signatures_per_batch": round1(pipeline.signatures_per_batch),
    });
    Ok(line)
}

/// The value at quantile `p` of sorted values (nearest rank below), zero when there are none.
pub(crate) fn percentile(sorted: &[f64], p: f64) -> f64 {
    sorted.get(((sorted.len() as f64 * p) as usize).min(sorted.len().saturating_sub(1))).copied().unwrap_or(0.0)
}

/// The tariff with every rate zero.
fn zero_rates(mut file: smartcustoms_core::tariff::TariffFile) -> smartcustoms_core::tariff::TariffFile {
    for m in &mut file.measures {
        m.rate = smartcustoms_core::tariff::Rate::ad_valorem(rust_decimal::Decimal::ZERO);
    }
    file
}

/// Stores a tariff as the one in force (new versions of the entries that differ).
async fn set_tariff(store: &dyn Store, file: &smartcustoms_core::tariff::TariffFile) -> anyhow::Result<()> {
    smartcustoms_http::app::tariff::apply(store, file, "bench").await.map_err(|e| anyhow::anyhow!("{e}"))?;
    Ok(())
}

pub(crate) fn round1(x: f64) -> f64 {
    (x * 10.0).round() / 10.0
}
pub(crate) fn round2(x: f64) -> f64 {
    (x * 100.0).round() / 100.0
}
pub(crate) fn round3(x: f64) -> f64 {
    (x * 1000.0).round() / 1000.0
}

pub(crate) struct PipelineRun {
    pub(crate) elapsed: Duration,
    pub(crate) latencies_ms: Vec<f64>,
    pub(crate) released: usize,
    pub(crate) refused: usize,
    pub(crate) awaiting: usize,
    pub(crate) errors: usize,
    /// Signatures verified per batch by the server, on average (zero when none was).
    pub(crate) signatures_per_batch: f64,
}

/// The part of a filing's answer the clients read.
#[derive(serde::Deserialize)]
struct Answer {
    state: String,
}

/// Files the prepared requests through the servers at `bases` (request `i` to `bases[i % n]`).
pub(crate) async fn run_pipeline(
    bases: &[String],
    requests: Arc<Vec<(usize, Vec<u8>, String)>>,
    declarants: Arc<Vec<Declarant>>,
    concurrency: usize,
    rate: Option<f64>,
) -> anyhow::Result<PipelineRun> {
    let mut servers = Vec::with_capacity(bases.len());
    for base in bases {
        servers.push(load::Server::at(base).await?);
    }
    let authorizations: Arc<Vec<HeaderValue>> = Arc::new(
        declarants.iter().map(|d| HeaderValue::from_str(&format!("Bearer {}", d.token))).collect::<Result<_, _>>()?,
    );
    let run_tag = Uuid::new_v4().simple().to_string();
    let next = Arc::new(AtomicUsize::new(0));
    let bar = crate::progress::bar(requests.len() as u64, "declarations filed");
    let start = Instant::now();
    let mut workers = Vec::new();
    for _ in 0..concurrency {
        let (next, requests, declarants, authorizations, run_tag, bar) =
            (next.clone(), requests.clone(), declarants.clone(), authorizations.clone(), run_tag.clone(), bar.clone());
        let mut connections: Vec<load::Connection> = servers.iter().cloned().map(load::Connection::to).collect();
        workers.push(tokio::spawn(async move {
            let mut out = (Vec::new(), 0usize, 0usize, 0usize, 0usize);
            let mut key = String::new();
            loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                let Some((who, body, jws)) = requests.get(i) else { break };
                if let Some(rate) = rate {
                    let due = start + Duration::from_secs_f64(i as f64 / rate);
                    tokio::time::sleep_until(due.into()).await;
                }
                key.clear();
                let _ = write!(key, "bench-{i}-{}-{run_tag}", declarants[*who].token);
                let filing = load::Filing { authorization: &authorizations[*who], signature: jws, key: &key, body };
                let t = Instant::now();
                let n = connections.len();
                let answer = connections[i % n].file("/api/v1/declarations", filing).await;
                let state = match answer {
                    Ok((status, body)) if status.as_u16() == 201 => {
                        serde_json::from_slice::<Answer>(&body).ok().map(|a| a.state)
                    }
                    _ => None,
                };
                out.0.push(t.elapsed().as_secs_f64() * 1000.0);
                bar.inc(1);
                match state.as_deref() {
                    Some("released") => out.1 += 1,
                    Some("refused") => out.2 += 1,
                    Some("awaiting_payment") => out.4 += 1,
                    Some(_) => {}
                    None => out.3 += 1,
                }
            }
            out
        }));
    }
    let mut run = PipelineRun {
        elapsed: Duration::ZERO,
        latencies_ms: Vec::new(),
        released: 0,
        refused: 0,
        awaiting: 0,
        errors: 0,
        signatures_per_batch: 0.0,
    };
    for w in workers {
        let (lat, released, refused, errors, awaiting) = w.await?;
        run.latencies_ms.extend(lat);
        run.released += released;
        run.refused += refused;
        run.awaiting += awaiting;
        run.errors += errors;
    }
    run.elapsed = start.elapsed();
    bar.finish_and_clear();
    Ok(run)
}

/// The application state of a benchmark run: no scheduled jobs, the price reference built
/// before the clock starts and not rebuilt during the run.
pub(crate) async fn bench_state(
    store: Arc<dyn Store>,
    model: Option<Arc<smartcustoms_model::TrainedModel>>,
) -> anyhow::Result<AppState> {
    bench_state_with(store, model, HttpConfig::default()).await
}

/// [`bench_state`] over other settings (the jobs are switched off whatever they say).
pub(crate) async fn bench_state_with(
    store: Arc<dyn Store>,
    model: Option<Arc<smartcustoms_model::TrainedModel>>,
    settings: HttpConfig,
) -> anyhow::Result<AppState> {
    let commit = GroupCommit::start(store.clone(), GroupCommitConfig::default());
    let config = HttpConfig {
        price_refresh: None,
        retrain_every: None,
        recategorise_every: None,
        figures_max_age: std::time::Duration::from_secs(5),
        ..settings
    };
    let state = AppState::new(store.clone(), commit, config).await?;
    if let Some(m) = model {
        state.set_model(m);
    }
    state.set_prices(smartcustoms_http::app::prices::refresh(store.as_ref()).await?);
    Ok(state)
}

/// The storage floor: the same declarations, checked and decided before the clock starts
/// (FLC, signature, duties, risk, through the filing use case), then recorded by
/// `concurrency` submitters through the group-commit writer every filing goes through, with
/// the same durability. Each writes the rows the pipeline writes: declaration, audit entries,
/// ledger postings, release notification and document.
async fn floor(
    store: Arc<dyn Store>,
    model: Option<Arc<smartcustoms_model::TrainedModel>>,
    requests: &[(usize, Vec<u8>, String)],
    declarants: &[Declarant],
    concurrency: usize,
) -> anyhow::Result<PipelineRun> {
    use smartcustoms_http::app::filing::{self, FileRequest};
    let state = bench_state(store, model).await?;
    let run_tag = Uuid::new_v4().simple().to_string();
    let mut filings = Vec::with_capacity(requests.len());
    let bar = crate::progress::bar(requests.len() as u64, "floor: deciding");
    for (i, (who, body, jws)) in requests.iter().enumerate() {
        bar.inc(1);
        let request = FileRequest {
            trader: declarants[*who].party.id.parse()?,
            user: "bench".into(),
            body,
            signature: Some(jws),
            idempotency_key: Some(format!("floor-{i}-{run_tag}")),
            received_at: chrono::Utc::now(),
        };
        filings.push(filing::prepare(&state, request).await.map_err(|e| anyhow::anyhow!("preparing: {e}"))?);
    }
    bar.finish_and_clear();
    let queue = Arc::new(std::sync::Mutex::new(filings));
    let start = Instant::now();
    let mut workers = Vec::new();
    for _ in 0..concurrency {
        let (queue, commit) = (queue.clone(), state.commit.clone());
        workers.push(tokio::spawn(async move {
            let mut errors = 0;
            loop {
                let next = queue.lock().ok().and_then(|mut q| q.pop());
                let Some(f) = next else { break };
                errors += usize::from(commit.record(f).await.is_err());
            }
            errors
        }));
    }
    let mut errors = 0;
    for w in workers {
        errors += w.await?;
    }
    Ok(PipelineRun {
        elapsed: start.elapsed(),
        latencies_ms: Vec::new(),
        released: 0,
        refused: 0,
        awaiting: 0,
        errors,
        signatures_per_batch: 0.0,
    })
}

/// Runs `work` against a server on a random port.
async fn with_server<F, Fut>(
    store: Arc<dyn Store>,
    model: Option<Arc<smartcustoms_model::TrainedModel>>,
    work: F,
) -> anyhow::Result<PipelineRun>
where
    F: FnOnce(String) -> Fut,
    Fut: std::future::Future<Output = anyhow::Result<PipelineRun>>,
{
    let state = bench_state(store, model).await?;
    // What the scheduled jobs would still do for the declarations of an earlier run is done
    // before the clock starts, so that a run's clock times its own work.
    let opened = smartcustoms_http::app::traceability::open_batches(&state).await?;
    tracing::debug!(opened, "batches of traced goods of earlier runs opened");
    let listener = TcpListener::bind("127.0.0.1:0").await?;
    let base = format!("http://{}", listener.local_addr()?);
    let batches = state.metrics.signature_batches.clone();
    let server = tokio::spawn(smartcustoms_http::serve(listener, state, std::future::pending()));
    let run = work(base).await;
    server.abort();
    let signatures_per_batch = batches.get_sample_sum() / batches.get_sample_count().max(1) as f64;
    run.map(|run| PipelineRun { signatures_per_batch, ..run })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_summary_gives_each_figure_its_median_and_range_over_the_rounds() {
        let round = |throughput: f64, bare: f64, errors: u64| {
            serde_json::json!({
                "throughput_per_s": throughput,
                "without_money_per_s": throughput + 500.0,
                "bare_insert_per_s": bare,
                "pipeline_to_bare": round3(throughput / bare),
                "p99_ms": 50.0,
                "errors": errors,
            })
        };
        let three = [round(4000.0, 6000.0, 0), round(4600.0, 6200.0, 0), round(4300.0, 6800.0, 1)];
        let s = summary(&three);
        assert_eq!(s["rounds"], 3);
        assert_eq!(s["errors"], 1);
        assert_eq!(s["throughput_per_s"], serde_json::json!({"median": 4300.0, "min": 4000.0, "max": 4600.0}));
        assert_eq!(s["bare_insert_per_s"], serde_json::json!({"median": 6200.0, "min": 6000.0, "max": 6800.0}));
        assert_eq!(s["pipeline_to_bare"], serde_json::json!({"median": 0.667, "min": 0.632, "max": 0.742}));

        let two = summary(&three[..2]);
        assert_eq!(two["throughput_per_s"]["median"], 4300.0, "an even number of rounds takes the middle two");
        assert_eq!(two["p99_ms"], serde_json::json!({"median": 50.0, "min": 50.0, "max": 50.0}));
    }
}
