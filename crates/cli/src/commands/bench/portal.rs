//! `smartcustoms bench portal`: the pages people work in, on a database of a mid-size
//! administration's year. Seeds N declarations over the traders (each decided once by the
//! filing use case, then recorded again under new ids, declarants and times through the same
//! writer), dispatches the cases under control to the inspectors of three centres, signs in the
//! concurrent users and measures, page by page, p50/p95/p99 of the trader's list with a search,
//! a declaration's page, an inspector's work queue, the supervisors' dashboard and the public
//! release times.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Instant;

use anyhow::{bail, Context as _};
use ed25519_dalek::SigningKey;
use rand::Rng;
use tokio::net::TcpListener;

use smartcustoms_core::access::{Principal, Role};
use smartcustoms_core::dispatch::Inspector;
use smartcustoms_core::ids::{DeclarationId, TraderId};
use smartcustoms_core::registration::Decision;
use smartcustoms_core::signature;
use smartcustoms_core::simulate::{self, World};
use smartcustoms_core::timestamp::Timestamp;
use smartcustoms_http::app::dispatch;
use smartcustoms_http::app::filing::{self, FileRequest};
use smartcustoms_storage::Filing;

use super::{bench_state, percentile, round2};
use crate::demo::{self, Declarant, DEMO_PASSWORD};

/// Arguments of `bench portal`.
#[derive(Debug, clap::Args)]
pub struct PortalArgs {
    /// Declarations on the database, spread over the last year.
    #[arg(long, default_value_t = 1_000_000)]
    pub declarations: usize,
    /// Traders the declarations belong to.
    #[arg(long, default_value_t = 1_000)]
    pub traders: usize,
    /// Concurrent signed-in users (each a trader's clerk; the officers' pages are read with a
    /// supervisor's session).
    #[arg(long, default_value_t = 32)]
    pub users: usize,
    /// Inspectors the cases under control are dispatched to (each reads its own queue).
    #[arg(long, default_value_t = 50)]
    pub inspectors: usize,
    /// Requests per page measured.
    #[arg(long, default_value_t = 400)]
    pub requests: usize,
    /// Database to use (and leave the data in); default a fresh SQLite file in a temporary directory.
    #[arg(long)]
    pub database_url: Option<String>,
}

/// Distinct declarations decided by the filing use case before they are recorded again.
const POOL: usize = 2_000;
/// Declarations recorded per transaction while seeding.
const SEED_BATCH: usize = 1_000;
/// The pages measured.
const PAGES: [&str; 5] = ["trader_search", "declaration", "work_queue", "dashboard", "time_release"];

/// Runs the benchmark and prints one JSON line.
pub async fn run(a: PortalArgs) -> anyhow::Result<u8> {
    if a.declarations == 0 || a.traders == 0 || a.users == 0 || a.requests == 0 || a.inspectors == 0 {
        bail!("--declarations, --traders, --users, --inspectors and --requests must be at least 1");
    }
    let users = a.users.min(a.traders);
    let tmp = tempfile::tempdir().context("creating a temporary directory")?;
    let url = a.database_url.clone().unwrap_or_else(|| format!("sqlite:{}", tmp.path().join("portal.db").display()));
    let store = smartcustoms_storage::open(&url).await.context("opening the database")?;
    demo::seed_reference_data(store.as_ref()).await?;
    let run_id = uuid::Uuid::new_v4().simple().to_string();

    // Traders: the first `users` sign in and sign their declarations; every one has funds.
    let world = World::demo(a.traders);
    let now = chrono::Utc::now();
    let mut clerks = Vec::new();
    for (i, party) in world.declarants.iter().enumerate() {
        if i < users {
            let d = Declarant {
                party: party.clone(),
                token: format!("portal-{run_id}-{i}"),
                key: SigningKey::generate(&mut rand::rngs::OsRng),
            };
            demo::provision(store.as_ref(), &d, now.into()).await?;
            clerks.push(d);
        }
        demo::deposit(store.as_ref(), &party.id, 1_000_000_000_000, &format!("PORTAL-{run_id}-{i}")).await?;
    }
    let supervisor = format!("portal-supervisor-{run_id}");
    let principal = Principal::new(supervisor.clone(), Role::Supervisor, None);
    demo::ensure_user(store.as_ref(), &supervisor, "Supervisor", principal).await?;

    // The declaration centres of the demo, with the inspectors spread over them (the excise
    // and port centres get a tenth each); the first is on leave.
    demo::seed_dispatch(store.as_ref(), now.into()).await?;
    let mut inspectors = Vec::new();
    for i in 0..a.inspectors {
        let user = format!("portal-inspector-{run_id}-{i}");
        let principal = Principal::new(user.clone(), Role::Officer, None);
        demo::ensure_user(store.as_ref(), &user, "Inspector", principal).await?;
        let (centre, competences) = match i % 10 {
            0 => ("EDC-EXCISE", vec!["excise".to_string()]),
            1 => ("EDC-SEA", Vec::new()),
            _ => ("EDC-MAIN", vec!["valuation".to_string()]),
        };
        let away = i == 0;
        let leave = (away.then_some(now.into()), away.then_some((now + chrono::TimeDelta::days(14)).into()));
        let inspector = Inspector {
            user: user.clone(),
            centre: centre.into(),
            competences: competences.into_iter().collect(),
            leave_from_us: leave.0,
            leave_until_us: leave.1,
        };
        store.put_inspector(&inspector).await?;
        inspectors.push(user);
    }

    // The pool: distinct declarations of the clerks, each decided once (FLC, signature,
    // duties, risk) as filing does.
    let state = bench_state(store.clone(), None).await?;
    let mut rng = simulate::rng(7);
    let mut pool: Vec<Filing> = Vec::with_capacity(POOL.min(a.declarations));
    for i in 0..POOL.min(a.declarations) {
        let d = &clerks[i % clerks.len()];
        let doc = world.declaration(&mut rng, &d.party, now.date_naive(), 4);
        let body = serde_json::to_vec(&doc)?;
        let jws = signature::sign_detached(&d.key, &body);
        let request = FileRequest {
            trader: d.party.id.parse()?,
            user: "bench".into(),
            body: &body,
            signature: Some(&jws),
            idempotency_key: None,
            received_at: now,
        };
        pool.push(filing::prepare(&state, request).await.map_err(|e| anyhow::anyhow!("preparing: {e}"))?);
    }

    // Seeding: the pool recorded again and again under new ids, spread over the traders and
    // over the last year, through the writer every filing goes through. Officers decide the
    // cases under control within hours, so only the last two days hold open cases: an older
    // declaration is one that needed no officer.
    let year_us = 365 * 24 * 3600 * 1_000_000_i64;
    let settled_before = Timestamp::from(now) - chrono::TimeDelta::days(2);
    let settled: Vec<usize> =
        (0..pool.len()).filter(|&i| !matches!(&pool[i].decision, Decision::Accepted(a) if !a.auto_release)).collect();
    let seeded = Instant::now();
    let bar = crate::progress::bar(a.declarations as u64, "declarations seeded");
    let mut samples: Vec<Vec<DeclarationId>> = vec![Vec::new(); clerks.len()];
    let mut k = 0;
    while k < a.declarations {
        let n = SEED_BATCH.min(a.declarations - k);
        let mut batch = Vec::with_capacity(n);
        for j in k..k + n {
            let at_us = Timestamp::from_micros(now.timestamp_micros() - rng.gen_range(0..year_us));
            let mut f = match at_us < settled_before && !settled.is_empty() {
                true => pool[settled[j % settled.len()]].clone(),
                false => pool[j % pool.len()].clone(),
            };
            let trader = j % a.traders;
            f.id = DeclarationId::generate();
            f.declarant = TraderId::new(world.declarants[trader].id.clone())?;
            f.at_us = at_us;
            if trader < clerks.len() && samples[trader].len() < 64 {
                samples[trader].push(f.id);
            }
            batch.push(f);
        }
        store.record_batch(Arc::from(batch)).await?;
        bar.inc(n as u64);
        k += n;
    }
    bar.finish_and_clear();
    // Every case under control dispatched by the rules, as the server's sweep does, and the
    // planner's statistics brought up to date as after any bulk load.
    while dispatch::sweep(&state, now).await? > 0 {}
    store.refresh_statistics().await?;
    let seed_seconds = seeded.elapsed().as_secs_f64();

    // The server, and a session per clerk and the supervisor's.
    let listener = TcpListener::bind("127.0.0.1:0").await?;
    let base = format!("http://{}", listener.local_addr()?);
    let server = tokio::spawn(smartcustoms_http::serve(listener, state, std::future::pending()));
    let client = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build()?;
    let sign_in = |user: String| {
        let (client, base) = (client.clone(), base.clone());
        async move {
            let r = client
                .post(format!("{base}/login"))
                .form(&[("username", user.as_str()), ("password", DEMO_PASSWORD), ("next", "/")])
                .send()
                .await?;
            let cookie = r.headers().get("set-cookie").and_then(|v| v.to_str().ok()).unwrap_or_default();
            let pair = cookie.split(';').next().unwrap_or_default().to_string();
            anyhow::ensure!(r.status().as_u16() == 303 && !pair.is_empty(), "signing in as {user}: {}", r.status());
            Ok::<_, anyhow::Error>(pair)
        }
    };
    let mut sessions = Vec::new();
    for d in &clerks {
        sessions.push(sign_in(d.token.clone()).await?);
    }
    let supervisor_session = sign_in(supervisor).await?;
    let mut inspector_sessions = Vec::new();
    for user in &inspectors {
        inspector_sessions.push(sign_in(user.clone()).await?);
    }

    // The load: `users` workers share the requests, each page in turn.
    let total = a.requests * PAGES.len();
    let next = Arc::new(AtomicUsize::new(0));
    let samples = Arc::new(samples);
    let mut workers = Vec::new();
    for w in 0..users {
        let (client, base, next, samples) = (client.clone(), base.clone(), next.clone(), samples.clone());
        let (clerk, supervisor) = (sessions[w].clone(), supervisor_session.clone());
        let inspector = inspector_sessions[w % inspector_sessions.len()].clone();
        workers.push(tokio::spawn(async move {
            let mut out: Vec<(usize, f64, bool)> = Vec::new();
            loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                if i >= total {
                    break;
                }
                let page = i % PAGES.len();
                let mine = &samples[w];
                let (path, cookie) = match PAGES[page] {
                    "trader_search" => ("/trader/declarations?tab=released&lane=green".to_string(), &clerk),
                    "declaration" => (format!("/declarations/{}", mine[i % mine.len().max(1)]), &clerk),
                    "work_queue" => ("/console/queue".to_string(), &inspector),
                    "dashboard" => ("/console/dashboard".to_string(), &supervisor),
                    _ => ("/time-release".to_string(), &supervisor),
                };
                let t = Instant::now();
                let ok = match client.get(format!("{base}{path}")).header("cookie", cookie).send().await {
                    Ok(r) => r.status().as_u16() == 200 && r.bytes().await.is_ok(),
                    Err(_) => false,
                };
                out.push((page, t.elapsed().as_secs_f64() * 1000.0, ok));
            }
            out
        }));
    }
    let mut latencies: Vec<Vec<f64>> = vec![Vec::new(); PAGES.len()];
    let mut errors = [0usize; PAGES.len()];
    for w in workers {
        for (page, ms, ok) in w.await? {
            latencies[page].push(ms);
            errors[page] += usize::from(!ok);
        }
    }
    server.abort();
    let mut pages = serde_json::Map::new();
    for (p, name) in PAGES.iter().enumerate() {
        let lat = &mut latencies[p];
        lat.sort_by(f64::total_cmp);
        pages.insert(
            name.to_string(),
            serde_json::json!({
                "p50_ms": round2(percentile(lat, 0.50)),
                "p95_ms": round2(percentile(lat, 0.95)),
                "p99_ms": round2(percentile(lat, 0.99)),
                "errors": errors[p],
            }),
        );
    }
    let line = serde_json::json!({
        "backend": store.backend(),
        "declarations": a.declarations,
        "traders": a.traders,
        "users": users,
        "requests_per_page": a.requests,
        "seed_seconds": round2(seed_seconds),
        "pages": pages,
    });
    println!("{line}");
    Ok(if errors.iter().sum::<usize>() == 0 { 0 } else { 1 })
}
