//! `smartcustoms bench knowledge`: how fast the knowledge base is built and searched, in
//! process and over HTTP, and how fast the survey repository answers its statistics and
//! exports with many answers stored.

use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::Context as _;
use tokio::net::TcpListener;

use smartcustoms_core::access::{Principal, Role};
use smartcustoms_core::knowledge::{SurveyAnswer, SurveyDraft, SurveyTechnology, UseCase};
use smartcustoms_core::timestamp::Timestamp;
use smartcustoms_http::knowledge::RELEVANCE_QUESTIONS;
use smartcustoms_http::{identity, AppState, HttpConfig};
use smartcustoms_storage::{GroupCommit, GroupCommitConfig, NewSurveyAnswer};

use super::{percentile, round1, round3};

/// Arguments of `bench knowledge`.
#[derive(Debug, clap::Args)]
pub struct KnowledgeArgs {
    /// Searches to run (the relevance questions, in turn).
    #[arg(long, default_value_t = 20_000)]
    pub searches: usize,
    /// Concurrent HTTP clients.
    #[arg(long, default_value_t = 32)]
    pub concurrency: usize,
    /// Survey answers stored before timing statistics and exports.
    #[arg(long, default_value_t = 2_000)]
    pub answers: usize,
}

/// Runs the benchmark and prints one JSON line.
pub async fn run(a: KnowledgeArgs) -> anyhow::Result<u8> {
    anyhow::ensure!(a.searches > 0 && a.concurrency > 0, "--searches and --concurrency must be at least 1");
    let started = Instant::now();
    let built = smartcustoms_http::knowledge::build().map_err(anyhow::Error::msg)?;
    let build_ms = started.elapsed().as_secs_f64() * 1000.0;
    let passages = built.index.len();

    // In process, on one core.
    let started = Instant::now();
    for i in 0..a.searches {
        let (q, _) = RELEVANCE_QUESTIONS[i % RELEVANCE_QUESTIONS.len()];
        built.index.search(q, 10).context("searching")?;
    }
    let in_process_per_s = a.searches as f64 / started.elapsed().as_secs_f64();

    // A server on a fresh database, with survey answers stored.
    let tmp = tempfile::tempdir().context("creating a temporary directory")?;
    let store = smartcustoms_storage::open(&format!("sqlite:{}", tmp.path().join("bench.db").display())).await?;
    store
        .add_token(&identity::token_record("bench-member", Principal::new("bench-member", Role::Member, None)), "bench")
        .await?;
    for i in 0..a.answers {
        let draft = SurveyDraft {
            organization: format!("Administration {}", i % 97),
            respondent: "Bench respondent".into(),
            email: "bench@customs.example".into(),
            country: ["EE", "FI", "DE", "KZ", "BR", "KE"][i % 6].into(),
            stakeholder_group: "customs_administration".into(),
            title: format!("Project {i}"),
            primary_technology: SurveyTechnology::ALL[i % SurveyTechnology::ALL.len()].code().into(),
            primary_technology_other: "a technology of the benchmark".into(),
            use_cases: vec![UseCase::ALL[i % UseCase::ALL.len()].code().into()],
            status: ["adopted", "under_development", "planned", "under_consideration"][i % 4].into(),
            outline: "A project of the survey benchmark with an outline of a few words.".into(),
            confidential: if i % 5 == 0 { vec!["11".into()] } else { vec![] },
            ..SurveyDraft::default()
        };
        let answer = SurveyAnswer::validate(&draft, &[]).map_err(|f| anyhow::anyhow!("{f:?}"))?;
        store
            .add_survey_answer(&NewSurveyAnswer {
                submitter: draft.organization.clone(),
                submitted_at_us: Timestamp::EPOCH,
                answer: serde_json::to_string(&answer)?,
                attachments: vec![],
            })
            .await?;
    }
    let commit = GroupCommit::start(store.clone(), GroupCommitConfig::default());
    let config =
        HttpConfig { price_refresh: None, retrain_every: None, recategorise_every: None, ..HttpConfig::default() };
    let state = AppState::new(store.clone(), commit, config).await?;
    let listener = TcpListener::bind("127.0.0.1:0").await?;
    let base = format!("http://{}", listener.local_addr()?);
    let server = tokio::spawn(smartcustoms_http::serve(listener, state, std::future::pending()));

    // Searches over HTTP with concurrent clients.
    let client = reqwest::Client::new();
    let next = Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let started = Instant::now();
    let mut workers = Vec::new();
    for _ in 0..a.concurrency {
        let (client, base, next) = (client.clone(), base.clone(), next.clone());
        let total = a.searches;
        workers.push(tokio::spawn(async move {
            let mut latencies = Vec::new();
            let mut errors = 0usize;
            loop {
                let i = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                if i >= total {
                    break;
                }
                let (q, _) = RELEVANCE_QUESTIONS[i % RELEVANCE_QUESTIONS.len()];
                let t = Instant::now();
                let ok = client
                    .get(format!("{base}/api/v1/knowledge/search"))
                    .query(&[("q", q)])
                    .send()
                    .await
                    .is_ok_and(|r| r.status().is_success());
                latencies.push(t.elapsed().as_secs_f64() * 1000.0);
                errors += usize::from(!ok);
            }
            (latencies, errors)
        }));
    }
    let mut latencies = Vec::new();
    let mut errors = 0;
    for w in workers {
        let (l, e) = w.await?;
        latencies.extend(l);
        errors += e;
    }
    let http_per_s = a.searches as f64 / started.elapsed().as_secs_f64();
    latencies.sort_by(f64::total_cmp);

    // The repository's statistics and CSV export, one request at a time.
    let timed = |path: &'static str| {
        let (client, base) = (client.clone(), base.clone());
        async move {
            let mut total = Duration::ZERO;
            for _ in 0..10 {
                let t = Instant::now();
                let r = client.get(format!("{base}{path}")).bearer_auth("bench-member").send().await?;
                anyhow::ensure!(r.status().is_success(), "{path}: {}", r.status());
                r.bytes().await?;
                total += t.elapsed();
            }
            Ok::<f64, anyhow::Error>(total.as_secs_f64() * 100.0)
        }
    };
    let stats_ms = timed("/api/v1/knowledge/survey/stats").await?;
    let export_ms = timed("/api/v1/knowledge/survey/export?format=csv").await?;
    server.abort();

    let line = serde_json::json!({
        "passages": passages,
        "index_build_ms": round1(build_ms),
        "searches": a.searches,
        "in_process_searches_per_s": round1(in_process_per_s),
        "http_searches_per_s": round1(http_per_s),
        "http_p50_ms": round3(percentile(&latencies, 0.5)),
        "http_p99_ms": round3(percentile(&latencies, 0.99)),
        "concurrency": a.concurrency,
        "errors": errors,
        "survey_answers": a.answers,
        "survey_stats_ms": round1(stats_ms),
        "survey_csv_export_ms": round1(export_ms),
    });
    println!("{line}");
    Ok(u8::from(errors > 0))
}
