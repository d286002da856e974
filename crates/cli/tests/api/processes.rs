//! Real server processes: killed during a burst, and two processes on one PostgreSQL database.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::Duration;

use smartcustoms_core::signature;
use smartcustoms_testkit::{postgres_db, seed, sqlite_db, TestTrader};

struct Server {
    child: Child,
    base: String,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn start(url: &str) -> Server {
    start_with(url, &[])
}

/// Starts a server with settings given as `SMARTCUSTOMS__…` environment variables.
fn start_with(url: &str, settings: &[(&str, &str)]) -> Server {
    let mut child = Command::new(env!("CARGO_BIN_EXE_smartcustoms"))
        .args(["serve", "--listen", "127.0.0.1:0", "--database-url", url])
        .envs(settings.iter().map(|(k, v)| (format!("SMARTCUSTOMS__{}", k.to_uppercase()), *v)))
        .env("RUST_LOG", "warn")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap()).read_line(&mut line).unwrap();
    let base = line.trim().strip_prefix("listening on ").expect("first line names the address").to_string();
    Server { child, base }
}

async fn seeded(url: &str) -> (Vec<TestTrader>, smartcustoms_core::simulate::World) {
    let store = smartcustoms_storage::open(url).await.unwrap();
    seed(store.as_ref()).await
}

async fn file(
    client: &reqwest::Client,
    base: &str,
    t: &TestTrader,
    world: &smartcustoms_core::simulate::World,
    seed: u64,
) -> Option<serde_json::Value> {
    let doc =
        world.declaration(&mut smartcustoms_core::simulate::rng(seed), &t.party, chrono::Utc::now().date_naive(), 3);
    let body = serde_json::to_vec(&doc).unwrap();
    let r = client
        .post(format!("{base}/api/v1/declarations"))
        .bearer_auth(&t.token)
        .header("x-jws-signature", signature::sign_detached(&t.key, &body))
        .body(body)
        .timeout(Duration::from_secs(10))
        .send()
        .await
        .ok()?;
    if r.status().as_u16() != 201 {
        return None;
    }
    r.json().await.ok()
}

fn audit_verify(url: &str) -> serde_json::Value {
    verify("audit", url)
}

fn verify(what: &str, url: &str) -> serde_json::Value {
    let out = Command::new(env!("CARGO_BIN_EXE_smartcustoms"))
        .args([what, "verify", "--database-url", url])
        .output()
        .unwrap();
    assert!(out.status.success(), "{what} verify failed: {}", String::from_utf8_lossy(&out.stdout));
    serde_json::from_slice(&out.stdout).unwrap()
}

fn cents(v: &serde_json::Value) -> i64 {
    let d: rust_decimal::Decimal = v.as_str().expect("an amount").parse().unwrap();
    (d * rust_decimal::Decimal::ONE_HUNDRED).try_into().unwrap()
}

/// Many concurrent filings of one trader whose balance covers about half of them, through every
/// server in `urls`: the covered ones register, the rest wait, and the money never goes below
/// zero or is spent twice.
async fn one_account_under_contention(url: &str, processes: usize) {
    let (traders, world) = seeded(url).await;
    let t = traders[0].clone();
    let store = smartcustoms_storage::open(url).await.unwrap();
    let servers: Vec<Server> = (0..processes).map(|_| start(url)).collect();
    let client = reqwest::Client::new();
    // Leave 2,000.00 available: a fraction of what 80 declarations owe.
    let refund = smartcustoms_storage::Refund {
        trader: t.id.parse::<smartcustoms_core::ids::TraderId>().unwrap(),
        amount: smartcustoms_core::ledger::Amount::from_cents(
            smartcustoms_testkit::OPENING_BALANCE_CENTS - 2_000 * 100,
        ),
        reference: "drain".into(),
        actor: "test".into(),
        at_us: smartcustoms_core::timestamp::Timestamp::EPOCH,
    };
    store.refund(&refund).await.unwrap().unwrap();
    let mut tasks = Vec::new();
    for w in 0..8u64 {
        let (client, base, t, world) =
            (client.clone(), servers[w as usize % processes].base.clone(), t.clone(), world.clone());
        tasks.push(tokio::spawn(async move {
            let mut answers = Vec::new();
            for i in 0..10u64 {
                answers.push(file(&client, &base, &t, &world, 5000 + w * 100 + i).await.expect("filed"));
            }
            answers
        }));
    }
    let mut answers = Vec::new();
    for task in tasks {
        answers.extend(task.await.unwrap());
    }
    let registered: i64 =
        answers.iter().filter(|a| a["registration_number"].is_string()).map(|a| cents(&a["duties_total"])).sum();
    let waiting: Vec<i64> =
        answers.iter().filter(|a| a["state"] == "awaiting_payment").map(|a| cents(&a["duties_total"])).collect();
    assert!(registered > 0 && !waiting.is_empty(), "registered {registered}, waiting {}", waiting.len());
    assert!(registered <= 2_000 * 100, "spent {registered} of 2000.00");
    let account = store.account(&t.id.parse::<smartcustoms_core::ids::TraderId>().unwrap()).await.unwrap();
    assert_eq!(account.balance.available.cents(), 2_000 * 100 - registered);
    assert!(waiting.iter().all(|d| *d > account.balance.available.cents()), "a covered declaration was left waiting");
    let report = verify("ledger", url);
    assert_eq!(report["status"], "ok", "{report}");
    assert_eq!(audit_verify(url)["status"], "ok");
}

#[tokio::test]
async fn one_account_under_concurrent_filings_is_never_overdrawn_on_sqlite() {
    let db = sqlite_db();
    one_account_under_contention(&db.url, 1).await;
}

#[tokio::test]
async fn one_account_under_concurrent_filings_on_two_postgresql_processes_is_never_overdrawn() {
    let Some(db) = postgres_db("hot account, two server processes").await else { return };
    one_account_under_contention(&db.url, 2).await;
}

#[tokio::test]
async fn every_acknowledged_declaration_survives_a_kill_during_a_burst() {
    let db = sqlite_db();
    let (traders, world) = seeded(&db.url).await;
    let server = start(&db.url);
    let client = reqwest::Client::new();
    let acked = Arc::new(std::sync::Mutex::new(Vec::new()));
    let mut tasks = Vec::new();
    for w in 0..16u64 {
        let (client, base, t, world, acked) =
            (client.clone(), server.base.clone(), traders[(w % 2) as usize].clone(), world.clone(), acked.clone());
        tasks.push(tokio::spawn(async move {
            for i in 0..200u64 {
                match file(&client, &base, &t, &world, w * 1000 + i).await {
                    Some(v) => acked.lock().unwrap().push(v["id"].as_str().unwrap().to_string()),
                    None => break,
                }
            }
        }));
    }
    // Let the burst run, then kill the server without warning.
    let deadline = tokio::time::Instant::now() + Duration::from_secs(20);
    while acked.lock().unwrap().len() < 300 && tokio::time::Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    drop(server);
    for t in tasks {
        let _ = t.await;
    }
    let acked = acked.lock().unwrap().clone();
    assert!(acked.len() >= 300, "the burst was acknowledged before the kill");

    let store = smartcustoms_storage::open(&db.url).await.unwrap();
    for id in &acked {
        let rec = store.declaration(id.parse::<smartcustoms_core::ids::DeclarationId>().unwrap()).await.unwrap();
        assert!(rec.is_some(), "acknowledged declaration {id} was lost");
    }
    let report = audit_verify(&db.url);
    assert_eq!(report["status"], "ok");
    // The server starts again on the same file and goes on numbering.
    let server = start(&db.url);
    assert!(file(&client, &server.base, &traders[0], &world, 999_999).await.is_some());
}

#[tokio::test]
async fn two_server_processes_on_one_postgresql_database_never_share_a_registration_number() {
    let Some(db) = postgres_db("two server processes").await else { return };
    let (traders, world) = seeded(&db.url).await;
    let servers = [start(&db.url), start(&db.url)];
    let client = reqwest::Client::new();
    let mut tasks = Vec::new();
    for w in 0..12u64 {
        let (client, base, t, world) =
            (client.clone(), servers[(w % 2) as usize].base.clone(), traders[(w % 2) as usize].clone(), world.clone());
        tasks.push(tokio::spawn(async move {
            let mut numbers = Vec::new();
            for i in 0..25u64 {
                let v = file(&client, &base, &t, &world, w * 1000 + i).await.expect("filed");
                numbers.push(v["registration_number"].as_str().expect("registered").to_string());
            }
            numbers
        }));
    }
    let mut all = Vec::new();
    for t in tasks {
        all.extend(t.await.unwrap());
    }
    let total = all.len();
    all.sort();
    all.dedup();
    assert_eq!(total, 300);
    assert_eq!(all.len(), 300, "duplicate registration numbers across processes");
    let report = audit_verify(&db.url);
    assert_eq!(report["status"], "ok");
    assert!(report["entries"].as_i64().unwrap() >= 900, "at least three entries per registered declaration");
}

/// Starts a webhook receiver on loopback; returns its URL and the delivery ids it received.
async fn webhook_receiver() -> (String, Arc<std::sync::Mutex<Vec<String>>>) {
    let received = Arc::new(std::sync::Mutex::new(Vec::new()));
    let sink = received.clone();
    let app = axum::Router::new().route(
        "/hook",
        axum::routing::post(move |headers: axum::http::HeaderMap| {
            let sink = sink.clone();
            async move {
                let id = headers.get("smartcustoms-delivery").and_then(|v| v.to_str().ok()).unwrap_or("none");
                sink.lock().unwrap().push(id.to_string());
                axum::http::StatusCode::OK
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/hook", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await });
    (url, received)
}

#[tokio::test]
async fn two_server_processes_on_one_postgresql_database_run_each_job_once() {
    let Some(db) = postgres_db("jobs once per cluster").await else { return };
    let (traders, world) = seeded(&db.url).await;
    let (hook, received) = webhook_receiver().await;
    // Retraining and recategorisation every 1.8 s, price collection every second.
    let settings = [
        ("retrain_every_hours", "0.0005"),
        ("recategorise_every_hours", "0.0005"),
        ("price_refresh_secs", "1"),
        ("webhook_url", hook.as_str()),
    ];
    let servers = [start_with(&db.url, &settings), start_with(&db.url, &settings)];
    let client = reqwest::Client::new();
    // One at a time, so declarations are released in the order of their ids.
    let mut released = 0;
    for i in 0..40u64 {
        let server = &servers[(i % 2) as usize];
        let v = file(&client, &server.base, &traders[(i % 2) as usize], &world, 50_000 + i).await.expect("filed");
        released += usize::from(v["state"] == "released");
    }
    assert!(released > 0, "some declarations are released at once");
    tokio::time::sleep(Duration::from_secs(6)).await;
    let store = smartcustoms_storage::open(&db.url).await.unwrap();

    let period = chrono::TimeDelta::microseconds(1_800_000);
    for job in ["retrain", "recategorise"] {
        let runs = store.job_runs(job).await.unwrap();
        assert!(runs.len() >= 2, "{job}: {runs:?}");
        for pair in runs.windows(2) {
            let gap = pair[1].started_at_us - pair[0].started_at_us;
            assert!(gap >= period, "{job}: two runs {gap} apart: {pair:?}");
        }
    }
    // Each released declaration's items were observed once, whichever process collected them.
    let sources = store.price_sources("", 10_000).await.unwrap();
    let expected: usize = sources
        .iter()
        .map(|s| smartcustoms_http::app::prices::observations(&s.document, s.duties.as_deref()).len())
        .sum();
    let observed = store.price_observations().await.unwrap().iter().filter(|r| r.source == "declaration").count();
    assert!(expected > 0);
    assert_eq!(observed, expected, "price observations counted twice or missed");
    // Every notification was delivered, each once.
    assert!(store.undelivered_notifications(1_000).await.unwrap().is_empty(), "all delivered");
    let ids = received.lock().unwrap().clone();
    assert!(!ids.is_empty());
    let mut unique = ids.clone();
    unique.sort();
    unique.dedup();
    assert_eq!(unique.len(), ids.len(), "a notification was delivered twice: {ids:?}");
    assert!(!ids.contains(&"none".to_string()), "every delivery names its notification");
}

/// Schemathesis (from PyPI; `.ci/run` installs it and names it in `SCHEMATHESIS`) generates
/// requests from the served OpenAPI document for several roles and fails on any server error,
/// undocumented status code or response that does not match its schema.
#[tokio::test]
async fn the_served_openapi_document_says_what_the_server_does() {
    let Ok(st) = std::env::var("SCHEMATHESIS") else {
        eprintln!("skipped: SCHEMATHESIS (the path of the `st` command) is not set");
        return;
    };
    let db = sqlite_db();
    seeded(&db.url).await;
    let server = start(&db.url);
    let schema = format!("{}/api/v1/openapi.json", server.base);
    // Schemathesis keeps a cache where it runs: a directory of the test's own.
    let workdir = tempfile::tempdir().unwrap();
    for token in [
        None,
        Some("test-trader-1"),
        Some("test-officer"),
        Some("test-analyst"),
        Some("test-admin"),
        Some("test-member-1"),
        Some("test-device"),
        Some("test-agency-vet"),
    ] {
        let mut command = Command::new(&st);
        command.current_dir(workdir.path());
        command.args(["run", &schema, "--url", &server.base]);
        command.args(["--checks", "not_a_server_error,status_code_conformance,response_schema_conformance"]);
        // The event, alert and checkpoint streams answer a valid request with a stream that
        // lasts minutes, longer than any request timeout here; `api::events`, `api::seals` and
        // the checkpoint's browser test exercise them, their refusals included.
        command.args(["--exclude-path", "/api/v1/events"]);
        command.args(["--exclude-path", "/api/v1/alerts/stream"]);
        command.args(["--exclude-path", "/api/v1/checkpoints/{code}/stream"]);
        // Schemathesis has no serializer for newline-delimited JSON, the body of a bulk file of
        // parcels; `api::parcels` sends good, bad and unreadable files, and other media types.
        command.args(["--exclude-path", "/api/v1/parcels"]);
        // Nor for a compact JWS (`application/jose`), the body of a partner administration's
        // message; `api::exchange` sends good, forged, altered and unreadable messages, and other
        // media types.
        command.args(["--exclude-path", "/api/v1/exchange/inbound"]);
        command.args([
            "--max-examples",
            "15",
            "--generation-deterministic",
            "--continue-on-failure",
            "--request-timeout",
            "10",
        ]);
        if let Some(t) = token {
            command.args(["--header", &format!("Authorization: Bearer {t}")]);
        }
        let out = tokio::task::spawn_blocking(move || command.output()).await.unwrap().unwrap();
        let report = String::from_utf8_lossy(&out.stdout);
        assert!(out.status.success(), "schemathesis as {token:?} found failures:\n{report}");
    }
}
