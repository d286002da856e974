//! Prometheus metrics: requests, latencies, decisions, and declarations by state and lane
//! (counted in the store at scrape time, so every process reports the same totals).

use prometheus::{
    Encoder, Histogram, HistogramOpts, HistogramVec, IntCounter, IntCounterVec, IntGaugeVec, Opts, Registry,
    TextEncoder,
};

use smartcustoms_storage::{Store, StoreResult};

/// The registry and the metrics the handlers update.
pub struct Metrics {
    registry: Registry,
    /// Requests by method, route and status.
    pub requests: IntCounterVec,
    /// Request latency by route.
    pub latency: HistogramVec,
    /// Declarations decided by this process, by outcome state and lane.
    pub decisions: IntCounterVec,
    /// Time from receipt of a filing to its recorded decision.
    pub decision_latency: HistogramVec,
    /// Reference-data loads that failed (the snapshot in force stayed).
    pub reference_reload_failures: IntCounter,
    /// Navigation seals' reports taken in, by channel (`http`, `mqtt`) and verdict.
    pub seal_reports: IntCounterVec,
    /// Seal alerts published on NATS.
    pub alerts_published: IntCounter,
    /// Checkpoint equipment events taken in, by channel (`http`, `mqtt`) and outcome.
    pub checkpoint_events: IntCounterVec,
    /// Signatures of filings verified per batch.
    pub signature_batches: Histogram,
    declarations: IntGaugeVec,
}

fn must<T>(r: prometheus::Result<T>) -> T {
    // Metric definitions are static; a failure here is a programming error caught by the tests.
    #[allow(clippy::expect_used)]
    r.expect("metric definition")
}

impl Metrics {
    /// Defines every metric.
    pub fn new() -> Self {
        let registry = Registry::new();
        let buckets = vec![0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5];
        let requests = must(IntCounterVec::new(
            Opts::new("smartcustoms_http_requests_total", "HTTP requests by method, route and status"),
            &["method", "route", "status"],
        ));
        let latency = must(HistogramVec::new(
            HistogramOpts::new("smartcustoms_http_request_duration_seconds", "HTTP request latency")
                .buckets(buckets.clone()),
            &["route"],
        ));
        let decisions = must(IntCounterVec::new(
            Opts::new("smartcustoms_decisions_total", "Declarations decided by this process, by state and lane"),
            &["state", "lane"],
        ));
        let decision_latency = must(HistogramVec::new(
            HistogramOpts::new("smartcustoms_decision_duration_seconds", "Receipt to recorded decision")
                .buckets(buckets),
            &["state"],
        ));
        let declarations = must(IntGaugeVec::new(
            Opts::new("smartcustoms_declarations", "Declarations in the database by state and lane"),
            &["state", "lane"],
        ));
        let reference_reload_failures = must(IntCounter::new(
            "smartcustoms_reference_reload_failures_total",
            "Loads of reference data (profiles, tariff, offices, model) that failed; the data in force stayed",
        ));
        let seal_reports = must(IntCounterVec::new(
            Opts::new("smartcustoms_seal_reports_total", "Navigation seals' reports by channel and verdict"),
            &["channel", "verdict"],
        ));
        let alerts_published =
            must(IntCounter::new("smartcustoms_alerts_published_total", "Seal alerts published on NATS"));
        let checkpoint_events = must(IntCounterVec::new(
            Opts::new("smartcustoms_checkpoint_events_total", "Checkpoint equipment events by channel and outcome"),
            &["channel", "outcome"],
        ));
        let signature_batches = must(Histogram::with_opts(
            HistogramOpts::new("smartcustoms_signature_batch_size", "Signatures of filings verified per batch")
                .buckets(vec![1.0, 2.0, 4.0, 8.0, 16.0, 32.0, 64.0]),
        ));
        for c in [
            Box::new(requests.clone()) as Box<dyn prometheus::core::Collector>,
            Box::new(signature_batches.clone()),
            Box::new(seal_reports.clone()),
            Box::new(alerts_published.clone()),
            Box::new(checkpoint_events.clone()),
            Box::new(latency.clone()),
            Box::new(decisions.clone()),
            Box::new(decision_latency.clone()),
            Box::new(declarations.clone()),
            Box::new(reference_reload_failures.clone()),
        ] {
            must(registry.register(c));
        }
        Metrics {
            registry,
            requests,
            latency,
            decisions,
            decision_latency,
            reference_reload_failures,
            seal_reports,
            alerts_published,
            checkpoint_events,
            signature_batches,
            declarations,
        }
    }

    /// Renders the Prometheus text format, counting declarations in the store first.
    pub async fn render(&self, store: &dyn Store) -> StoreResult<String> {
        self.declarations.reset();
        for c in store.counts().await? {
            let lane = c.lane.map(|l| l.as_str()).unwrap_or("none");
            self.declarations.with_label_values(&[c.state.as_str(), lane]).set(c.count);
        }
        let mut out = Vec::new();
        let _ = TextEncoder::new().encode(&self.registry.gather(), &mut out);
        Ok(String::from_utf8_lossy(&out).into_owned())
    }
}

impl Default for Metrics {
    fn default() -> Self {
        Self::new()
    }
}
