//! `smartcustoms bench parcels`: e-commerce parcels filed in bulk through the HTTP API.
//! Files of `--batch` parcels (newline-delimited JSON, generated before the clock starts from
//! the price sample: sellers, buyers, goods, values, some vague descriptions, some VAT scheme
//! numbers, some split consignments) are sent by `--concurrency` clients; every parcel is
//! checked, charged, flagged, assessed by the risk profiles and the model, and recorded durably
//! with its release decision. Then the storage
//! floor: the same number of parcels, prepared through the same use case beforehand, recorded
//! through the same transaction. Prints one JSON line.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{bail, Context as _};
use ed25519_dalek::SigningKey;
use rand::{Rng, SeedableRng};
use tokio::net::TcpListener;
use uuid::Uuid;

use smartcustoms_core::simulate::{self, World};
use smartcustoms_http::app::parcels::{self as app_parcels, BulkFile};
use smartcustoms_storage::Store;

use super::{bench_state, percentile, round1, round2, round3};
use crate::demo::{self, Declarant};

/// Arguments of `bench parcels`.
#[derive(Debug, clap::Args)]
pub struct ParcelsArgs {
    /// Number of parcels.
    #[arg(long, default_value_t = 200_000)]
    pub parcels: usize,
    /// Parcels per file.
    #[arg(long, default_value_t = 10_000)]
    pub batch: usize,
    /// Files in flight at once.
    #[arg(long, default_value_t = 4)]
    pub concurrency: usize,
    /// Database to use; default a fresh SQLite file in a temporary directory.
    #[arg(long)]
    pub database_url: Option<String>,
    /// Put a model in force, trained on this many simulated outcomes before the clock starts,
    /// so every parcel is scored by it as well as by the demo risk profiles (0: profiles only).
    #[arg(long, default_value_t = 20_000)]
    pub model: usize,
}

const SELLERS: usize = 2_000;
const BUYERS: usize = 50_000;
const VAGUE: [&str; 4] = ["gift", "goods", "parts", "accessories"];

/// The parcels of `files` files, as NDJSON bodies: transaction ids tagged with `tag`.
fn files(operator: &str, n: usize, batch: usize, tag: &str) -> Vec<Vec<u8>> {
    let sample: Vec<_> = simulate::price_sample().into_iter().filter(|l| l.hs6.len() == 6).collect();
    let mut rng = rand::rngs::StdRng::seed_from_u64(11);
    let mut out = Vec::new();
    let mut body = Vec::new();
    for i in 0..n {
        let line = &sample[rng.gen_range(0..sample.len())];
        let seller = rng.gen_range(0..SELLERS);
        // One parcel in fifty goes to a buyer who just got parcels from the same seller.
        let buyer = if i % 50 == 0 { seller } else { rng.gen_range(0..BUYERS) };
        let value = rng.gen_range(500..14_000);
        let description = if i % 40 == 0 {
            VAGUE[i % VAGUE.len()].to_string()
        } else {
            format!("{} goods of heading {}", line.origin, &line.hs6[..4])
        };
        let mut parcel = serde_json::json!({
            "transaction_id": format!("{tag}-{i}"), "operator": operator,
            "seller": { "name": format!("Seller {seller}"), "country": line.origin },
            "buyer": { "name": format!("Buyer {buyer}"), "address": format!("Street {buyer}, Town"), "country": "DE" },
            "hs6": line.hs6, "description": description,
            "value": format!("{}.{:02}", value / 100, value % 100), "currency": "EUR",
            "origin": line.origin, "mass": format!("0.{}", rng.gen_range(1..9)),
        });
        if seller % 10 == 0 {
            parcel["vat_number"] =
                serde_json::json!(format!("IM{:010}", if i % 100 == 0 { seller + 1 } else { seller }));
        }
        body.extend_from_slice(parcel.to_string().as_bytes());
        body.push(b'\n');
        if (i + 1) % batch == 0 || i + 1 == n {
            out.push(std::mem::take(&mut body));
        }
    }
    out
}

pub async fn run(a: ParcelsArgs) -> anyhow::Result<u8> {
    if a.parcels == 0 || a.batch == 0 || a.concurrency == 0 || a.batch > app_parcels::MAX_PARCELS {
        bail!("--parcels, --batch and --concurrency must be at least 1, --batch at most {}", app_parcels::MAX_PARCELS);
    }
    let tmp = tempfile::tempdir().context("creating a temporary directory")?;
    let url = a.database_url.clone().unwrap_or_else(|| format!("sqlite:{}", tmp.path().join("bench.db").display()));
    let store = smartcustoms_storage::open(&url).await.context("opening the database")?;
    demo::seed_reference_data(store.as_ref()).await?;
    let run_id = Uuid::new_v4().simple().to_string()[..8].to_string();
    let party = World::demo(1).declarants[0].clone();
    let operator =
        Declarant { party, token: format!("bench-{run_id}"), key: SigningKey::generate(&mut rand::rngs::OsRng) };
    let now = chrono::Utc::now();
    demo::provision(store.as_ref(), &operator, now.into()).await?;
    demo::deposit(store.as_ref(), &operator.party.id, 1_000_000_000 * 100, &format!("BENCH-{run_id}")).await?;
    for seller in (0..SELLERS).step_by(10) {
        let r = smartcustoms_storage::VatRegistration {
            number: format!("IM{seller:010}"),
            seller: format!("Seller {seller}"),
            seller_key: smartcustoms_core::parcels::party_key(&[&format!("Seller {seller}")]),
            country: "DE".into(),
            registered_by: "bench".into(),
            registered_at_us: now.into(),
        };
        store.register_vat_number(&r).await?;
    }
    let operator_id = operator.party.id.clone();
    let bodies = Arc::new(files(&operator_id, a.parcels, a.batch, &format!("P{run_id}")));

    // The pipeline through HTTP.
    let model = match a.model {
        0 => None,
        n => Some(Arc::new(tokio::task::block_in_place(|| super::risk::simulated_model(n, 1))?.0)),
    };
    let model_version = model.as_ref().map(|m| m.info.version);
    let state = bench_state(store.clone(), model).await?;
    let profiles = state.reference().profiles.len();
    let listener = TcpListener::bind("127.0.0.1:0").await?;
    let url = format!("http://{}/api/v1/parcels", listener.local_addr()?);
    let server = tokio::spawn(smartcustoms_http::serve(listener, state.clone(), std::future::pending()));
    let client = reqwest::Client::builder().pool_max_idle_per_host(a.concurrency).build()?;
    let next = Arc::new(AtomicUsize::new(0));
    let bar = crate::progress::bar(bodies.len() as u64, "files of parcels filed");
    let start = Instant::now();
    let mut workers = Vec::new();
    for _ in 0..a.concurrency {
        let (client, next, bodies, url, token, bar) =
            (client.clone(), next.clone(), bodies.clone(), url.clone(), operator.token.clone(), bar.clone());
        workers.push(tokio::spawn(async move {
            let mut out = (Vec::new(), [0i64; 4], 0usize);
            while let Some(body) = bodies.get(next.fetch_add(1, Ordering::Relaxed)) {
                let t = Instant::now();
                let sent = client
                    .post(&url)
                    .bearer_auth(&token)
                    .header("content-type", "application/x-ndjson")
                    .body(body.clone())
                    .send()
                    .await;
                let filed = match sent {
                    Ok(r) if r.status().as_u16() == 201 => r.json::<serde_json::Value>().await.ok(),
                    _ => None,
                };
                out.0.push(t.elapsed().as_secs_f64() * 1000.0);
                bar.inc(1);
                match filed {
                    Some(f) => {
                        for (k, name) in ["accepted", "released", "held", "refused"].iter().enumerate() {
                            out.1[k] += f["counts"][name].as_i64().unwrap_or(0);
                        }
                    }
                    None => out.2 += 1,
                }
            }
            out
        }));
    }
    let (mut latencies, mut counts, mut errors) = (Vec::new(), [0i64; 4], 0);
    for w in workers {
        let (lat, c, e) = w.await?;
        latencies.extend(lat);
        for k in 0..4 {
            counts[k] += c[k];
        }
        errors += e;
    }
    let elapsed = start.elapsed();
    bar.finish_and_clear();
    server.abort();

    // The floor: the same parcels (fresh ids), prepared before the clock, then recorded.
    let floor_bodies = files(&operator_id, a.parcels, a.batch, &format!("F{run_id}"));
    let trader: smartcustoms_core::ids::TraderId = operator_id.parse()?;
    let mut filings = Vec::with_capacity(floor_bodies.len());
    for body in &floor_bodies {
        let bulk = BulkFile { operator: trader.clone(), actor: "bench".into(), body, received_at: chrono::Utc::now() };
        filings.push(Arc::new(app_parcels::prepare(&state, bulk).await.map_err(|e| anyhow::anyhow!("{e}"))?));
    }
    let floor = record_all(store.clone(), filings, a.concurrency).await?;

    latencies.sort_by(f64::total_cmp);
    let throughput = a.parcels as f64 / elapsed.as_secs_f64();
    let floor_per_s = a.parcels as f64 / floor.as_secs_f64();
    let line = serde_json::json!({
        "bench": "parcels",
        "backend": store.backend(),
        "parcels": a.parcels,
        "batch": a.batch,
        "concurrency": a.concurrency,
        "profiles": profiles,
        "model_version": model_version,
        "parcels_per_s": round1(throughput),
        "p50_ms": round2(percentile(&latencies, 0.50)),
        "p99_ms": round2(percentile(&latencies, 0.99)),
        "accepted": counts[0],
        "released": counts[1],
        "held": counts[2],
        "refused": counts[3],
        "errors": errors,
        "storage_floor_per_s": round1(floor_per_s),
        "pipeline_to_floor": round3(throughput / floor_per_s),
    });
    println!("{line}");
    Ok(if errors == 0 { 0 } else { 1 })
}

/// Records prepared files with `concurrency` submitters; the time it took.
async fn record_all(
    store: Arc<dyn Store>,
    filings: Vec<Arc<smartcustoms_storage::ParcelFiling>>,
    concurrency: usize,
) -> anyhow::Result<Duration> {
    let queue = Arc::new(std::sync::Mutex::new(filings));
    let start = Instant::now();
    let mut workers = Vec::new();
    for _ in 0..concurrency {
        let (queue, store) = (queue.clone(), store.clone());
        workers.push(tokio::spawn(async move {
            loop {
                let next = queue.lock().ok().and_then(|mut q| q.pop());
                let Some(f) = next else { return anyhow::Ok(()) };
                store.record_parcels(f).await?;
            }
        }));
    }
    for w in workers {
        w.await??;
    }
    Ok(start.elapsed())
}
