//! Configuration: defaults, then `smartcustoms.toml` (or `--config FILE`), then environment
//! variables `SMARTCUSTOMS__<KEY>`, then command-line flags.

use std::sync::Arc;

use anyhow::Context as _;
use figment::providers::{Env, Format, Serialized, Toml};
use figment::Figment;
use serde::{Deserialize, Serialize};

use smartcustoms_storage::Store;

/// Every setting of the platform.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Config {
    /// `sqlite:PATH` (default `sqlite:smartcustoms.db`) or `postgres://…`.
    pub database_url: String,
    /// Address the HTTP API listens on.
    pub listen: String,
    /// Largest accepted request body, bytes.
    pub body_limit: usize,
    /// Webhook for release notifications to temporary-storage holders.
    pub webhook_url: Option<String>,
    /// Most filings committed in one transaction.
    pub max_batch: usize,
    /// Share of declarations that would be released without an officer sent to a random
    /// inspection instead, 0 to 1.
    pub random_share: f64,
    /// Share of declarations the risk model sends to the red lane (inspection capacity).
    pub red_share: f64,
    /// Share of declarations the risk model sends to the yellow or red lane.
    pub yellow_share: f64,
    /// Hours between scheduled retrainings of the risk model (0: only on request).
    pub retrain_every_hours: f64,
    /// Hours between recomputations of operator categories (0: never).
    pub recategorise_every_hours: f64,
    /// Session cookies carry `Secure` (set it when the server is reached over TLS).
    pub secure_cookies: bool,
    /// Minutes without a request after which a session ends.
    pub session_idle_minutes: u64,
    /// Hours after sign-in at which a session ends whatever happens.
    pub session_hours: u64,
    /// Seconds between collections of price observations from released declarations.
    pub price_refresh_secs: u64,
    /// Seconds for which the release times and the dashboard's figures are reused.
    pub figures_max_age_secs: u64,
    /// Most connections open at once; past 80 % anonymous requests are refused.
    pub max_connections: usize,
    /// Seconds a client has to send a request head.
    pub header_read_timeout_secs: u64,
    /// Seconds a request body may pause before the request is refused.
    pub body_read_timeout_secs: u64,
    /// Seconds after which a connection without traffic is closed.
    pub idle_timeout_secs: u64,
    /// The MQTT broker navigation seals report through (`mqtt://host:port`); none: seals
    /// report over HTTP only. Set it on the one process that takes devices' reports.
    pub mqtt_url: Option<String>,
    /// The MQTT client id of this process's seal consumer (the broker keeps its session).
    pub mqtt_client_id: String,
    /// The NATS server seal alerts are published on (`nats://host:port`); none: not published.
    pub nats_url: Option<String>,
    /// Seconds between a seal's reports; two periods without one raise `signal_lost`.
    pub seal_period_secs: u64,
    /// Refuse unsigned messages even from devices without a registered key.
    pub require_device_signatures: bool,
    /// The low-value regime of e-commerce parcels (`[parcel_regime]`: `threshold_eur`,
    /// `duty_per_item_eur`, `vat_rate`, `split_window_days`, `implausible_share`).
    pub parcel_regime: smartcustoms_core::parcels::Regime,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            database_url: "sqlite:smartcustoms.db".into(),
            listen: "127.0.0.1:8080".into(),
            body_limit: 1024 * 1024,
            webhook_url: None,
            max_batch: 512,
            random_share: 0.01,
            red_share: 0.05,
            yellow_share: 0.10,
            retrain_every_hours: 24.0,
            recategorise_every_hours: 1.0,
            secure_cookies: false,
            session_idle_minutes: 30,
            session_hours: 12,
            price_refresh_secs: 60,
            figures_max_age_secs: 5,
            max_connections: 768,
            header_read_timeout_secs: 10,
            body_read_timeout_secs: 30,
            idle_timeout_secs: 60,
            mqtt_url: None,
            mqtt_client_id: "smartcustoms-seals".into(),
            nats_url: None,
            seal_period_secs: 60,
            require_device_signatures: false,
            parcel_regime: smartcustoms_core::parcels::Regime::default(),
        }
    }
}

/// Flags shared by commands that open the database.
#[derive(Debug, Clone, clap::Args)]
pub struct DbArgs {
    /// Database URL (overrides the config file and `SMARTCUSTOMS__DATABASE_URL`).
    #[arg(long)]
    pub database_url: Option<String>,
    /// Configuration file (default `smartcustoms.toml` when present).
    #[arg(long)]
    pub config: Option<String>,
}

impl DbArgs {
    /// The configuration with these flags applied.
    pub fn resolve(&self) -> anyhow::Result<Config> {
        let mut config = load(self.config.as_deref())?;
        if let Some(url) = &self.database_url {
            config.database_url.clone_from(url);
        }
        Ok(config)
    }
}

/// Loads defaults, file and environment.
pub fn load(file: Option<&str>) -> anyhow::Result<Config> {
    let file = file.unwrap_or("smartcustoms.toml");
    Figment::from(Serialized::defaults(Config::default()))
        .merge(Toml::file(file))
        .merge(Env::prefixed("SMARTCUSTOMS__").map(|k| k.as_str().to_lowercase().into()))
        .extract()
        .context("reading the configuration")
}

/// Opens the store of the configuration (running migrations).
pub async fn open_store(config: &Config) -> anyhow::Result<Arc<dyn Store>> {
    smartcustoms_storage::open(&config.database_url)
        .await
        .with_context(|| format!("opening the database {}", redact(&config.database_url)))
}

/// The URL without a password, for messages.
pub fn redact(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(scheme), Some(at)) if at > scheme => format!("{}://…@{}", &url[..scheme], &url[at + 1..]),
        _ => url.to_string(),
    }
}

/// How log lines are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum LogFormat {
    /// Lines for people; colour codes only on a terminal, never in a file or a pipe.
    Text,
    /// One JSON object per line (time, level, target, fields, spans).
    Json,
}

/// The runtime's worker threads: as asked, else one fewer than `cores` and at least one. The
/// group commit writes every batch from a thread of its own; with as many workers as cores it
/// waited for a core behind the request handlers after each batch (15 % of its time in the
/// pipeline benchmark on two cores), and the handlers' filings waited behind it.
pub fn request_workers(asked: Option<u16>, cores: usize) -> usize {
    asked.map_or(cores.saturating_sub(1), usize::from).max(1)
}

/// Logs to stderr; `RUST_LOG` sets the level (default `info`).
pub fn init_tracing(format: LogFormat) {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info,sqlx=warn"));
    let builder = tracing_subscriber::fmt().with_env_filter(filter).with_writer(std::io::stderr);
    let _ = match format {
        LogFormat::Json => builder.json().with_current_span(true).try_init(),
        LogFormat::Text => builder.with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr())).try_init(),
    };
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_are_not_shown_in_messages() {
        assert_eq!(redact("postgres://u:secret@host/db"), "postgres://…@host/db");
        assert_eq!(redact("sqlite:x.db"), "sqlite:x.db");
    }

    #[test]
    fn the_writer_keeps_a_core_unless_told_otherwise() {
        assert_eq!(request_workers(None, 2), 1);
        assert_eq!(request_workers(None, 8), 7);
        assert_eq!(request_workers(None, 1), 1, "one core still runs one worker");
        assert_eq!(request_workers(Some(4), 2), 4);
    }
}
