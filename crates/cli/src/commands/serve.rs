//! `smartcustoms serve`: the platform's HTTP API.

use std::sync::Arc;
use std::time::Duration;

use anyhow::Context as _;
use tokio::net::TcpListener;

use smartcustoms_http::identity::SessionConfig;
use smartcustoms_http::server::ConnectionLimits;
use smartcustoms_http::{AppState, HttpConfig};
use smartcustoms_model::RetrainSettings;
use smartcustoms_storage::{GroupCommit, GroupCommitConfig};

use crate::config::{self, DbArgs};
use crate::demo;

/// Arguments of `serve`.
#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(flatten)]
    pub db: DbArgs,
    /// Address to listen on (default 127.0.0.1:8080; port 0 picks a free port).
    #[arg(long)]
    pub listen: Option<String>,
    /// Seed demo data and keep simulated declarations flowing.
    #[arg(long)]
    pub demo: bool,
    /// Simulated declarations per second in demo mode.
    #[arg(long, default_value_t = 2.0)]
    pub demo_rate: f64,
}

/// Runs the server until Ctrl-C or SIGTERM.
pub async fn run(args: Args) -> anyhow::Result<u8> {
    let mut cfg = args.db.resolve()?;
    if let Some(l) = args.listen {
        cfg.listen = l;
    }
    let store = config::open_store(&cfg).await?;
    let declarants = if args.demo { Some(demo::seed(store.as_ref()).await?) } else { None };
    let commit =
        GroupCommit::start(store.clone(), GroupCommitConfig { max_batch: cfg.max_batch, ..Default::default() });
    let state = AppState::new(
        store,
        commit,
        HttpConfig {
            body_limit: cfg.body_limit,
            parcel_regime: cfg.parcel_regime.clone(),
            webhook_url: cfg.webhook_url.clone(),
            random_share: cfg.random_share,
            // The demo compresses time: it learns from its officers' results every few minutes.
            retrain_every: hours(if args.demo { cfg.retrain_every_hours.min(0.1) } else { cfg.retrain_every_hours }),
            recategorise_every: hours(if args.demo {
                cfg.recategorise_every_hours.min(0.05)
            } else {
                cfg.recategorise_every_hours
            }),
            retrain: RetrainSettings {
                red_share: cfg.red_share,
                yellow_share: cfg.yellow_share,
                ..RetrainSettings::default()
            },
            sessions: SessionConfig {
                idle: Duration::from_secs(cfg.session_idle_minutes.max(1) * 60),
                absolute: Duration::from_secs(cfg.session_hours.max(1) * 3600),
                secure_cookies: cfg.secure_cookies,
            },
            price_refresh: Some(Duration::from_secs(cfg.price_refresh_secs.max(1))),
            figures_max_age: Duration::from_secs(cfg.figures_max_age_secs),
            seal_period: Duration::from_secs(cfg.seal_period_secs.max(1)),
            require_device_signatures: cfg.require_device_signatures,
            connections: ConnectionLimits {
                max_connections: cfg.max_connections.max(1),
                header_read_timeout: Duration::from_secs(cfg.header_read_timeout_secs.max(1)),
                body_read_timeout: Duration::from_secs(cfg.body_read_timeout_secs.max(1)),
                idle_timeout: Duration::from_secs(cfg.idle_timeout_secs.max(1)),
                ..ConnectionLimits::default()
            },
            demo_sign_ins: declarants.as_deref().map(demo::sign_ins),
        },
    )
    .await?;
    let listener = TcpListener::bind(&cfg.listen).await.with_context(|| format!("listening on {}", cfg.listen))?;
    let addr = listener.local_addr()?;
    // The first line on stdout names the address, so scripts and tests can find a random port.
    println!("listening on http://{addr}");
    tracing::info!(%addr, database = %config::redact(&cfg.database_url), demo = args.demo, "smartcustoms serving");
    if let Some(declarants) = declarants {
        if let Err(e) = crate::demo_checkpoint::seed(&state, &declarants).await {
            tracing::warn!(error = %e, "the demo checkpoint could not be seeded");
        }
        print_demo_banner(addr);
        let (base, state) = (format!("http://{addr}"), state.clone());
        tokio::spawn(async move {
            if let Err(e) = demo::history(&base, &state, &declarants).await {
                tracing::warn!(error = %e, "the demo history could not be built");
            }
            demo::traffic(base, Arc::new(declarants), args.demo_rate).await;
        });
    }
    let mut devices = Vec::new();
    if let Some(url) = cfg.mqtt_url.as_deref() {
        let settings = smartcustoms_devices::mqtt::MqttSettings::parse(url, &cfg.mqtt_client_id)
            .with_context(|| format!("mqtt_url {url:?} is not mqtt://host[:port]"))?;
        devices.push(tokio::spawn(smartcustoms_devices::mqtt::consume(state.clone(), settings)));
    }
    if let Some(url) = cfg.nats_url.clone() {
        devices.push(tokio::spawn(smartcustoms_devices::nats::publish_alerts(state.clone(), url)));
    }
    smartcustoms_http::serve(listener, state, shutdown_signal()).await?;
    for task in devices {
        task.abort();
    }
    Ok(0)
}

/// A period of `h` hours; none when 0 or less.
fn hours(h: f64) -> Option<std::time::Duration> {
    (h > 0.0).then(|| std::time::Duration::from_secs_f64(h * 3600.0))
}

fn print_demo_banner(addr: std::net::SocketAddr) {
    println!("demo: simulated declarations are flowing; try");
    println!("  curl -s http://{addr}/health");
    println!("  curl -s -H 'Authorization: Bearer demo-trader-1' http://{addr}/api/v1/declarations?limit=5");
    println!(
        "  curl -s -H 'Authorization: Bearer demo-officer' 'http://{addr}/api/v1/declarations?state=under_control'"
    );
    println!("  curl -s -H 'Authorization: Bearer demo-warehouse-1' http://{addr}/api/v1/notifications");
    println!("  curl -s -H 'Authorization: Bearer demo-trader-1' http://{addr}/api/v1/account");
    println!("  curl -s -H 'Authorization: Bearer demo-trader-1' http://{addr}/api/v1/account/statement");
    println!("  curl -s -H 'Authorization: Bearer demo-trader-1' http://{addr}/api/v1/tariff | head -c 600");
    println!("  curl -s http://{addr}/metrics | grep smartcustoms_declarations");
    println!("  curl -s -H 'Authorization: Bearer demo-analyst' http://{addr}/api/v1/risk/models");
    println!("  curl -s -H 'Authorization: Bearer demo-analyst' http://{addr}/api/v1/risk/effectiveness");
    println!("  curl -s -H 'Authorization: Bearer demo-officer' http://{addr}/api/v1/risk/operators");
    println!("  curl -s 'http://{addr}/api/v1/knowledge/search?q=how+does+automatic+release+work'");
    println!(
        "  curl -s -H 'Authorization: Bearer demo-member-2' 'http://{addr}/api/v1/knowledge/survey/export?format=csv'"
    );
    println!(
        "knowledge base: http://{addr}/knowledge (sign in at /login as demo-member-1, password {}, for the survey and maturity pages)",
        demo::DEMO_PASSWORD
    );
    println!(
        "checkpoint: http://{addr}/console/checkpoints/{} (sign in as demo-officer, password {})",
        crate::demo_checkpoint::CODE,
        demo::DEMO_PASSWORD
    );
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        if let Ok(mut s) = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            s.recv().await;
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! { () = ctrl_c => {}, () = term => {} }
    tracing::info!("shutting down");
}
