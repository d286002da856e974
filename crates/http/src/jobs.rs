//! Scheduled and background work. Each job is claimed through the database (a lease row per
//! job, see `smartcustoms_storage::JobStore`), so a deployment of several server processes on
//! one database retrains once per period, recomputes categories once, collects price
//! observations once and delivers each webhook notification from one process, while every
//! process picks up the results (model, categories, tariff, profiles, prices) on its own.
//! Each run is recorded with its outcome (`job_runs`).

use std::future::Future;
use std::time::Duration;

use smartcustoms_core::timestamp::Timestamp;
use smartcustoms_storage::{Claim, JobRun};

use crate::state::AppState;

/// Job names, as stored.
pub mod names {
    /// Retraining of the risk model.
    pub const RETRAIN: &str = "retrain";
    /// Recomputation of operator categories.
    pub const RECATEGORISE: &str = "recategorise";
    /// Collection of price observations from released declarations.
    pub const PRICE_OBSERVATIONS: &str = "price_observations";
    /// Delivery of release notifications to the webhook.
    pub const WEBHOOK: &str = "webhook_delivery";
    /// Enquiries on overdue transit movements.
    pub const TRANSIT_ENQUIRIES: &str = "transit_enquiries";
    /// Opening the batches of traced goods released for free circulation.
    pub const TRACED_BATCHES: &str = "traced_batches";
    /// Our messages to partner administrations about released exports: queued and pushed.
    pub const EXCHANGE: &str = "exchange_outbox";
}

/// How long a claim on a periodic job holds if its process never reports back.
const LEASE: Duration = Duration::from_secs(3600);

/// How long the webhook sender (and the exchange's) keeps its claim without renewing it.
const WEBHOOK_LEASE: Duration = Duration::from_secs(30);

fn micros(d: Duration) -> i64 {
    i64::try_from(d.as_micros()).unwrap_or(i64::MAX)
}

/// Claims `name` for this process; the time of the claim when it won, none when another
/// process runs the job or it is not due.
async fn claim(state: &AppState, name: &str, every: Duration, lease: Duration) -> Option<Timestamp> {
    let now_us = Timestamp::now();
    let claim = Claim { name, holder: &state.instance, now_us, lease_us: micros(lease), every_us: micros(every) };
    match state.store.claim_job(claim).await {
        Ok(claimed) => claimed.then_some(now_us),
        Err(e) => {
            tracing::warn!(job = name, error = %e, "claiming a job failed");
            None
        }
    }
}

/// Runs `work` once per `every` across the deployment: this process checks every few seconds
/// (and not before `first_after`) whether the job is due and unclaimed, runs it when it wins
/// the claim, and records the run.
pub async fn periodically<F, Fut>(state: AppState, name: &'static str, every: Duration, first_after: Duration, work: F)
where
    F: Fn(AppState) -> Fut,
    Fut: Future<Output = Result<String, String>>,
{
    let poll = every.min(Duration::from_secs(5)).max(Duration::from_millis(50));
    let mut tick = tokio::time::interval_at(tokio::time::Instant::now() + first_after, poll);
    loop {
        tick.tick().await;
        let Some(started_at_us) = claim(&state, name, every, LEASE).await else { continue };
        let outcome = match work(state.clone()).await {
            Ok(done) => done,
            Err(e) => {
                tracing::warn!(job = name, error = %e, "scheduled job failed");
                format!("failed: {e}")
            }
        };
        let run = JobRun {
            name: name.to_string(),
            holder: state.instance.to_string(),
            started_at_us,
            finished_at_us: Timestamp::now(),
            outcome,
        };
        if let Err(e) = state.store.finish_job(&run).await {
            tracing::warn!(job = name, error = %e, "recording a job run failed");
        }
    }
}

/// Retrains the risk model once per `every` across the deployment (the first time one period
/// after start); the other processes load the new model with the reference data.
pub async fn retrain(state: AppState, every: Duration) {
    periodically(state, names::RETRAIN, every, every, |state| async move {
        crate::app::risk::retrain_now(&state)
            .await
            .map(|r| {
                format!("version {} {}: {}", r.version, if r.promoted { "promoted" } else { "kept aside" }, r.reason)
            })
            .map_err(|e| e.to_string())
    })
    .await
}

/// Opens an enquiry on every overdue transit movement, once a minute across the deployment.
pub async fn transit_enquiries(state: AppState) {
    let every = Duration::from_secs(60);
    periodically(state, names::TRANSIT_ENQUIRIES, every, Duration::ZERO, |state| async move {
        crate::app::transit::open_enquiries(&state, Timestamp::now())
            .await
            .map(|n| format!("{n} enquiries opened"))
            .map_err(|e| e.to_string())
    })
    .await
}

/// Opens the batches of traced goods released since the last run, every ten seconds across the
/// deployment.
pub async fn open_batches(state: AppState) {
    let every = Duration::from_secs(10);
    periodically(state, names::TRACED_BATCHES, every, Duration::ZERO, |state| async move {
        crate::app::traceability::open_batches(&state)
            .await
            .map(|n| format!("{n} batches opened"))
            .map_err(|e| e.to_string())
    })
    .await
}

/// Queues a signed message for every export released and pushes the waiting messages to the
/// partners' endpoints, from the one process that holds the exchange claim; the others stand by
/// and take over within seconds when it stops (as [`deliver_webhooks`] does, and like it without
/// a run recorded every second).
pub async fn exchange(state: AppState) {
    let client = match reqwest::Client::builder().timeout(Duration::from_secs(10)).build() {
        Ok(c) => c,
        Err(e) => {
            tracing::error!(error = %e, "the exchange client could not be built; partner messages stay in the outbox");
            return;
        }
    };
    loop {
        let mut busy = false;
        if claim(&state, names::EXCHANGE, Duration::ZERO, WEBHOOK_LEASE).await.is_some() {
            match crate::app::exchange_outbox::queue_released(&state).await {
                Ok(queued) => busy |= queued > 0,
                Err(e) => tracing::warn!(error = %e, "queueing partner messages failed; tried again"),
            }
            match crate::exchange_push::deliver_once(&state, &client).await {
                Ok(delivered) => busy |= delivered > 0,
                Err(e) => tracing::warn!(error = %e, "reading the partner outbox failed; tried again"),
            }
        }
        let pause = if busy { Duration::from_millis(50) } else { Duration::from_secs(1) };
        tokio::time::sleep(pause).await;
    }
}

/// Raises what time alone raises on this process's seals (`signal_lost`, `overdue`), places
/// what waited long enough and trims the log, every [`crate::app::seals::TICK_EVERY`].
pub async fn seal_ticks(state: AppState) {
    let mut tick = tokio::time::interval(crate::app::seals::TICK_EVERY);
    loop {
        tick.tick().await;
        if let Err(e) = crate::app::seals::tick(&state.seals, Timestamp::now()).await {
            tracing::warn!(error = %e, "raising the seals' time alerts failed; tried again in a second");
        }
    }
}

/// Recomputes operator categories at start and once per `every` across the deployment.
pub async fn recategorise(state: AppState, every: Duration) {
    periodically(state, names::RECATEGORISE, every, Duration::ZERO, |state| async move {
        crate::app::risk::recategorise_now(&state)
            .await
            .map(|c| format!("{} operators categorised", c.len()))
            .map_err(|e| e.to_string())
    })
    .await
}

/// Collects price observations once per `every` across the deployment.
pub async fn collect_prices(state: AppState, every: Duration) {
    periodically(state, names::PRICE_OBSERVATIONS, every, Duration::ZERO, |state| async move {
        crate::app::prices::collect(state.store.as_ref())
            .await
            .map(|n| format!("{n} observations added"))
            .map_err(|e| e.to_string())
    })
    .await
}

/// Rebuilds this process's price reference from the stored observations at start and then
/// every `every` (every process, since each holds its own reference).
pub async fn rebuild_prices(state: AppState, every: Duration) {
    let mut tick = tokio::time::interval(every);
    loop {
        tick.tick().await;
        match crate::app::prices::rebuild(state.store.as_ref()).await {
            Ok(reference) => state.set_prices(reference),
            Err(e) => tracing::warn!(error = %e, "rebuilding the price reference failed"),
        }
    }
}

/// Dispatches the cases gone under control to centres and inspectors, every second, in every
/// process (a case is dispatched once whichever process gets to it first).
pub async fn dispatch_cases(state: AppState) {
    let mut tick = tokio::time::interval(Duration::from_secs(1));
    loop {
        tick.tick().await;
        if let Err(e) = crate::app::dispatch::sweep(&state, chrono::Utc::now()).await {
            tracing::warn!(error = %e, "dispatching cases failed; they stay in the queue and are tried again");
        }
    }
}

/// Computes the release times and the dashboard of their default periods once at start, so
/// that their first readers find them ready rather than waiting for the computation (when the
/// figures are reused at all).
pub async fn warm_figures(state: AppState) {
    if state.config.figures_max_age.is_zero() {
        return;
    }
    if let Err(e) = crate::app::time_release::warm(&state).await {
        tracing::warn!(error = %e, "computing the release times failed; the first reader computes them");
    }
    if let Err(e) = crate::app::dashboard::warm(&state).await {
        tracing::warn!(error = %e, "computing the dashboard failed; the first reader computes it");
    }
}

/// Picks up what other processes changed (profiles, offices, tariff, model, categories) every
/// few seconds.
pub async fn refresh_reference_data(state: AppState) {
    let mut tick = tokio::time::interval(Duration::from_secs(5));
    loop {
        tick.tick().await;
        if let Err(e) = state.reload_reference_data().await {
            tracing::warn!(error = %e, "reloading the reference data failed; the data in force stays");
        }
    }
}

/// Delivers release notifications to `url` from the one process that holds the webhook claim;
/// the others stand by and take over within seconds when it stops.
pub async fn deliver_webhooks(state: AppState, url: String) {
    let client = match reqwest::Client::builder().timeout(Duration::from_secs(10)).build() {
        Ok(c) => c,
        Err(e) => {
            tracing::error!(error = %e, "webhook client could not be built; notifications stay in the outbox");
            return;
        }
    };
    loop {
        let delivered = if claim(&state, names::WEBHOOK, Duration::ZERO, WEBHOOK_LEASE).await.is_some() {
            crate::webhook::deliver_once(state.store.as_ref(), &client, &url).await
        } else {
            0
        };
        let pause = if delivered > 0 { Duration::from_millis(50) } else { Duration::from_secs(1) };
        tokio::time::sleep(pause).await;
    }
}
