//! `smartcustoms bench permits`: concurrent declarations drawing on the same Single Window
//! documents. Every goods item needs a veterinary document; every declaration references one
//! of `--permits` documents, each granted only `--share` of what the declarations referencing
//! it ask, so that many declarations race for the last quantity. Filed over HTTP through one
//! or more servers on one database (`--servers`, as several `serve` processes would run);
//! prints one JSON line with declarations/s, latency, how many drew and how many were refused
//! for want of quantity, and `overdrawn`: documents whose reserved and drawn quantity exceeds
//! what was granted or differs from the sum of their draws (must be 0).

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use anyhow::{bail, Context as _};
use ed25519_dalek::SigningKey;
use rust_decimal::Decimal;
use tokio::net::TcpListener;
use uuid::Uuid;

use smartcustoms_core::declaration::DocumentDoc;
use smartcustoms_core::permits::{Milli, Permit, PermitStatus, Requirement};
use smartcustoms_core::signature;
use smartcustoms_core::simulate::{self, World};
use smartcustoms_core::timestamp::Timestamp;
use smartcustoms_storage::{AgencyRecord, NewRequirement, PermitFilter, Store};

use super::{bench_state, percentile, round1, round2, run_pipeline};
use crate::demo::{self, Declarant};

/// Arguments of `bench permits`.
#[derive(Debug, clap::Args)]
pub struct PermitsArgs {
    /// Number of declarations.
    #[arg(long, default_value_t = 5_000)]
    pub declarations: usize,
    /// Documents they draw on (each declaration references one, in turn).
    #[arg(long, default_value_t = 1)]
    pub permits: usize,
    /// Share of what the declarations ask that each document grants (0 to 1).
    #[arg(long, default_value_t = 0.5)]
    pub share: f64,
    /// Concurrent clients.
    #[arg(long, default_value_t = 64)]
    pub concurrency: usize,
    /// Server processes' worth of application state on the one database.
    #[arg(long, default_value_t = 1)]
    pub servers: usize,
    /// Database to use; default a fresh SQLite file in a temporary directory.
    #[arg(long)]
    pub database_url: Option<String>,
}

pub async fn run(a: PermitsArgs) -> anyhow::Result<u8> {
    if a.declarations == 0 || a.permits == 0 || a.concurrency == 0 || a.servers == 0 {
        bail!("--declarations, --permits, --concurrency and --servers must be at least 1");
    }
    if !(0.0..=1.0).contains(&a.share) {
        bail!("--share must be between 0 and 1");
    }
    let tmp = tempfile::tempdir().context("creating a temporary directory")?;
    let url = a.database_url.clone().unwrap_or_else(|| format!("sqlite:{}", tmp.path().join("bench.db").display()));
    let store = smartcustoms_storage::open(&url).await.context("opening the database")?;
    demo::seed_reference_data(store.as_ref()).await?;

    let run_id = Uuid::new_v4().simple().to_string()[..8].to_uppercase();
    let world = World::demo(1);
    let now = chrono::Utc::now();
    let today = now.date_naive();
    let party = world.declarants[0].clone();
    let declarant =
        Declarant { party, token: format!("bench-{run_id}"), key: SigningKey::generate(&mut rand::rngs::OsRng) };
    demo::provision(store.as_ref(), &declarant, now.into()).await?;
    demo::deposit(store.as_ref(), &declarant.party.id, 1_000_000_000 * 100, &format!("BENCH-{run_id}")).await?;

    // The declarations, each referencing one document on every item, and what each asks.
    let mut rng = simulate::rng(7);
    let numbers: Vec<String> = (0..a.permits).map(|k| format!("BENCH-{run_id}-{k}")).collect();
    let mut asked: BTreeMap<&str, Decimal> = BTreeMap::new();
    let mut chapters = BTreeSet::new();
    let mut requests = Vec::with_capacity(a.declarations);
    for i in 0..a.declarations {
        let number = &numbers[i % numbers.len()];
        let mut doc = world.declaration(&mut rng, &declarant.party, today, 3);
        for item in doc.items.iter_mut().flatten() {
            chapters.extend(item.commodity_code.as_deref().map(|c| c[..2].to_string()));
            *asked.entry(number.as_str()).or_default() += item.net_mass.unwrap_or_default().ceil();
            let reference = DocumentDoc { kind: Some("N853".into()), number: Some(number.clone()) };
            item.documents.get_or_insert_with(Vec::new).push(reference);
        }
        let body = serde_json::to_vec(&doc)?;
        let jws = signature::sign_detached(&declarant.key, &body);
        requests.push((0, body, jws));
    }

    // The agency, a requirement per chapter declared, and the documents.
    let agency = format!("VET{}", &run_id[..4]);
    let at = Timestamp::from(now);
    let record = AgencyRecord {
        code: agency.clone(),
        name: "Veterinary service (benchmark)".into(),
        fields: "commodity_code,net_mass".into(),
        created_by: "bench".into(),
        created_at_us: at,
    };
    store.save_agency(&record).await?;
    for chapter in &chapters {
        let requirement = Requirement {
            id: 0,
            agency: agency.clone(),
            document_kind: "N853".into(),
            hs_prefix: chapter.clone(),
            origins: vec![],
            procedures: vec![],
            valid_from: today,
            valid_to: None,
            on_missing: smartcustoms_core::permits::OnMissing::Refuse,
        };
        store.add_requirement(&NewRequirement { requirement, actor: "bench".into(), at_us: at }).await?;
    }
    for number in &numbers {
        let total = asked.get(number.as_str()).copied().unwrap_or_default();
        let granted = (total * Decimal::try_from(a.share)?).round_dp(0).max(Decimal::ONE);
        let permit = Permit {
            number: number.clone(),
            agency: agency.clone(),
            kind: "N853".into(),
            holder: declarant.party.id.clone(),
            hs_prefixes: chapters.iter().cloned().collect(),
            unit: "kg".into(),
            quantity: Milli::exact(granted).context("granted quantity")?,
            reserved: Milli(0),
            drawn: Milli(0),
            valid_from: today,
            valid_to: today + chrono::Days::new(30),
            status: PermitStatus::Active,
        };
        store.issue_permit(&permit, "bench", at).await?;
    }

    // The servers, then the load.
    let mut bases = Vec::new();
    let mut servers = Vec::new();
    for _ in 0..a.servers {
        let state = bench_state(store.clone(), None).await?;
        let listener = TcpListener::bind("127.0.0.1:0").await?;
        bases.push(format!("http://{}", listener.local_addr()?));
        servers.push(tokio::spawn(smartcustoms_http::serve(listener, state, std::future::pending())));
    }
    let run = run_pipeline(&bases, Arc::new(requests), Arc::new(vec![declarant]), a.concurrency, None).await;
    for s in servers {
        s.abort();
    }
    let run = run?;

    let (overdrawn, drew) = audit_permits(store.as_ref(), &agency).await?;
    let mut lat = run.latencies_ms;
    lat.sort_by(f64::total_cmp);
    let line = serde_json::json!({
        "backend": store.backend(),
        "declarations": a.declarations,
        "permits": a.permits,
        "servers": a.servers,
        "concurrency": a.concurrency,
        "throughput_per_s": round1(a.declarations as f64 / run.elapsed.as_secs_f64()),
        "p50_ms": round2(percentile(&lat, 0.50)),
        "p99_ms": round2(percentile(&lat, 0.99)),
        "accepted": a.declarations - run.refused - run.errors,
        "refused": run.refused,
        "errors": run.errors,
        "draws": drew,
        "overdrawn": overdrawn,
    });
    println!("{line}");
    if let Some(url) = a.database_url.filter(|u| u.starts_with("postgres")) {
        eprintln!("the benchmark's agency {agency} and its documents stay in {url}");
    }
    Ok(if overdrawn == 0 && run.errors == 0 { 0 } else { 1 })
}

/// The documents of `agency` whose reserved and drawn quantity exceeds what was granted or
/// differs from the sum of their open and drawn draws; and the number of draws.
async fn audit_permits(store: &dyn Store, agency: &str) -> anyhow::Result<(usize, usize)> {
    let filter = PermitFilter { agency: Some(agency.to_string()), holder: None };
    let mut overdrawn = 0;
    let mut draws = 0;
    for record in store.permits(&filter, 100_000).await? {
        let p = record.permit;
        let rows = store.permit_draws(&p.number, i64::MAX).await?;
        draws += rows.len();
        let held: i64 = rows.iter().filter(|d| d.state != "restored").map(|d| d.quantity_milli).sum();
        let used = p.reserved.0 + p.drawn.0;
        if used > p.quantity.0 || used != held {
            overdrawn += 1;
        }
    }
    Ok((overdrawn, draws))
}
