//! Navigation seals (D2): a seal's report in (from MQTT or HTTP), checked, placed in the
//! seal's monitor for its movement, stored with the incidents it changed, and the changes
//! announced. Every entry point calls [`take_many`] (the broker's consumer with a batch of
//! reports, HTTP with one).
//!
//! Each seal's monitor ([`SealTrack`](smartcustoms_core::seals::SealTrack)) lives in memory in
//! the process that receives the seal's reports; it is rebuilt from the stored reports when the
//! process starts or first hears of the seal, by replaying them in the order they were
//! received, which gives the same incidents with the same numbers (the monitor is
//! deterministic), so nothing is raised twice across a restart. Reports are written in batches
//! by one writer task: a report is acknowledged (the HTTP answer, the MQTT acknowledgement)
//! only once its batch is committed. How reports are logged and then placed: [`watch`].

mod watch;

pub use watch::shares as placing_shares;
use watch::{Tracked, Watch};

use std::collections::HashSet;
use std::sync::Arc;

use chrono::TimeDelta;
use tokio::sync::{broadcast, mpsc, oneshot, Mutex};

use crate::state::AppState;
use smartcustoms_core::seals::{self, ChangeKind, Incident, Problem, Verdict};
use smartcustoms_core::timestamp::Timestamp;
use smartcustoms_storage::{AlertChange, IncidentRow, SealBatch, SealReportRow, Store, StoreError};

/// Reports written per transaction at most.
pub const BATCH_MAX: usize = 4096;

/// Longest seal id: as on transit declarations, 1 to 35 upper-case letters, digits, `-`, `/`.
pub const SEAL_ID_MAX: usize = 35;

/// Why a report is not taken.
#[derive(Debug, thiserror::Error)]
pub enum SealError {
    /// The report breaks the contract: every problem with its `SEAL_0xx` code.
    #[error("the seal report is refused: {}", .0.iter().map(|p| p.code.as_str()).collect::<Vec<_>>().join(", "))]
    Invalid(Vec<Problem>),
    /// The seal id is not one a transit declaration can name.
    #[error("seal id {0:?} is not 1 to 35 upper-case letters, digits, '-' or '/'")]
    BadSealId(String),
    /// No movement that may still report lists this seal.
    #[error("seal {0} is on no active transit")]
    NoTransit(String),
    /// The seal has a registered key and the report is not signed with it (or the seal has
    /// none and the deployment requires signatures).
    #[error("the seal report's signature is not accepted: {0}")]
    Signature(smartcustoms_core::signature::SignatureError),
    /// The store failed; nothing of the report was kept.
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// What became of a report.
#[derive(Debug, Clone, PartialEq)]
pub struct Ingested {
    /// The movement it was checked against.
    pub transit_id: String,
    /// `accepted`, `late`, `duplicate` or `rejected`.
    pub verdict: &'static str,
    /// Why it was rejected, and what was flagged (`SEAL_020` … `SEAL_032`).
    pub problems: Vec<Problem>,
    /// The incidents it opened, closed or amended.
    pub changes: Vec<IncidentRow>,
}

/// An alert as announced to officers and other agencies.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
pub struct AlertNotice {
    /// `opened`, `closed` or `amended`.
    pub change: &'static str,
    /// The movement's MRN.
    pub mrn: String,
    /// The incident as it now stands.
    pub incident: IncidentRow,
}

struct Pending {
    batch: SealBatch,
    done: oneshot::Sender<Result<(), String>>,
}

/// The seals' monitors of this process, their writer and the announcement of alerts.
pub struct SealDesk {
    watch: Mutex<Watch>,
    writer: mpsc::Sender<Pending>,
    alerts: broadcast::Sender<AlertNotice>,
    period: TimeDelta,
}

impl SealDesk {
    /// A desk whose seals report every `period`, writing through `store`. Starts the writer
    /// task (call inside the runtime).
    pub fn start(store: Arc<dyn Store>, period: TimeDelta) -> Arc<SealDesk> {
        let (writer, queue) = mpsc::channel(BATCH_MAX);
        let (alerts, _) = broadcast::channel(4096);
        let desk = Arc::new(SealDesk { watch: Mutex::new(Watch::default()), writer, alerts: alerts.clone(), period });
        tokio::spawn(write_batches(store, queue, alerts));
        desk
    }

    /// Alerts as they are committed.
    pub fn subscribe(&self) -> broadcast::Receiver<AlertNotice> {
        self.alerts.subscribe()
    }
}

/// Takes in one message of `seal_id` as received (the report, or a compact JWS around it;
/// `detached` the detached JWS of an HTTP header): checks its signature, then stores it.
pub async fn take(
    state: &AppState,
    seal_id: &str,
    body: &[u8],
    detached: Option<&str>,
    received_at: Timestamp,
) -> Result<Ingested, SealError> {
    let mut one = take_many(state, &[Message { seal_id, body, detached, received_at }]).await;
    one.pop().unwrap_or_else(|| Err(writer_stopped()))
}

/// One message of a seal as received.
#[derive(Debug, Clone, Copy)]
pub struct Message<'a> {
    /// The seal, as the topic or the path names it.
    pub seal_id: &'a str,
    /// The report, or a compact JWS around it.
    pub body: &'a [u8],
    /// A detached JWS over the body (an HTTP header), if any.
    pub detached: Option<&'a str>,
    /// When it was received.
    pub received_at: Timestamp,
}

/// Takes in messages in the order received: checks each one's signature, then
/// [`ingest_many`]s those that pass, in one store transaction. The outcome of each, in order.
pub async fn take_many(state: &AppState, messages: &[Message<'_>]) -> Vec<Result<Ingested, SealError>> {
    let opened: Vec<Result<_, SealError>> = messages
        .iter()
        .map(|m| {
            let o = super::device_keys::open(m.body).map_err(SealError::Signature)?;
            super::device_keys::check(state, m.seal_id, &o, m.detached).map_err(SealError::Signature)?;
            Ok(o)
        })
        .collect();
    let reports: Vec<Message<'_>> = messages
        .iter()
        .zip(&opened)
        .filter_map(|(m, o)| o.as_ref().ok().map(|o| Message { body: &o.payload, ..*m }))
        .collect();
    let mut ingested = ingest_many(state.store.as_ref(), &state.seals, &reports).await.into_iter();
    opened
        .into_iter()
        .map(|o| match o {
            Ok(_) => ingested.next().unwrap_or_else(|| Err(writer_stopped())),
            Err(e) => Err(e),
        })
        .collect()
}

/// Takes in reports in the order received; returns once they are stored, with the outcome of
/// each in order. The monitors of seals not yet watched are built first, all at once, outside
/// the lock; the reports are then checked in order under one lock and stored in one batch.
pub async fn ingest_many(
    store: &dyn Store,
    desk: &SealDesk,
    messages: &[Message<'_>],
) -> Vec<Result<Ingested, SealError>> {
    let parsed: Vec<Result<seals::Report, SealError>> = messages
        .iter()
        .map(|m| {
            let report = seals::parse(m.body).map_err(SealError::Invalid)?;
            check_seal_id(m.seal_id)?;
            Ok(report)
        })
        .collect();
    let started = std::time::Instant::now();
    let mut batch = SealBatch::default();
    let mut unknown: Vec<(String, Timestamp)> = Vec::new();
    {
        let mut watch = desk.watch.lock().await;
        if !watch.recovered {
            match recover(store, desk.period).await {
                Ok(built) => {
                    watch.monitors.extend(built.monitors);
                    batch.placed = built.stray;
                    watch.recovered = true;
                }
                Err(e) => {
                    return messages
                        .iter()
                        .map(|_| Err(SealError::Store(StoreError::Internal(e.to_string()))))
                        .collect()
                }
            }
        }
        let mut seen = HashSet::new();
        for (m, p) in messages.iter().zip(&parsed) {
            if p.is_ok() && !watch.monitors.contains_key(m.seal_id) && seen.insert(m.seal_id) {
                unknown.push((m.seal_id.to_string(), m.received_at));
            }
        }
    }
    let loads = unknown.len();
    let loaded = if unknown.is_empty() {
        Ok(watch::Built::default())
    } else {
        watch::build(store, desk.period, &unknown, Vec::new()).await
    };

    let mut outcomes = Vec::with_capacity(messages.len());
    let mut lags = Vec::with_capacity(messages.len());
    {
        let mut watch = desk.watch.lock().await;
        let failed = match loaded {
            Ok(built) => {
                for (seal, t) in built.monitors {
                    watch.monitors.entry(seal).or_insert(t);
                }
                None
            }
            Err(e) => Some(e),
        };
        let behind = watch.behind;
        for (m, report) in messages.iter().zip(parsed) {
            let report = match report {
                Ok(r) => r,
                Err(e) => {
                    outcomes.push(Err(e));
                    continue;
                }
            };
            let Some(tracked) = watch.monitors.get_mut(m.seal_id) else {
                let e = failed.as_ref().map_or_else(
                    || SealError::NoTransit(m.seal_id.to_string()),
                    |e| SealError::Store(StoreError::Internal(e.to_string())),
                );
                outcomes.push(Err(e));
                continue;
            };
            let (part, ingested) = observe(tracked, m.seal_id, &report, m.received_at, m.received_at - behind);
            watch.placed |= !part.placed.is_empty();
            batch.append(part);
            outcomes.push(Ok(ingested));
            lags.push(m.received_at - report.time);
        }
        watch.note_lag(lags);
    }
    let checked = started.elapsed();
    if batch.is_empty() {
        return outcomes;
    }
    let committed = commit(desk, batch).await;
    tracing::debug!(
        reports = messages.len(),
        loads,
        checked_ms = checked.as_secs_f64() * 1e3,
        stored_ms = started.elapsed().as_secs_f64() * 1e3,
        "seal reports taken in"
    );
    match committed {
        Ok(()) => outcomes,
        Err(e) => outcomes.into_iter().map(|o| o.and_then(|_| Err(e.again()))).collect(),
    }
}

/// Rebuilds the monitors of the seals whose reports the log holds (left by an earlier process,
/// or by a write that failed).
async fn recover(store: &dyn Store, period: TimeDelta) -> Result<watch::Built, StoreError> {
    let log = store.seal_log().await?;
    let mut seals: Vec<(String, Timestamp)> = Vec::new();
    let mut seen: HashSet<String> = HashSet::new();
    for r in &log {
        if seen.insert(r.seal_id.clone()) {
            seals.push((r.seal_id.clone(), r.received_at_us));
        }
    }
    if seals.is_empty() {
        return Ok(watch::Built::default());
    }
    let built = watch::build(store, period, &seals, log).await?;
    tracing::info!(seals = built.monitors.len(), stray = built.stray.len(), "seal monitors rebuilt from the log");
    Ok(built)
}

/// Places one report in its seal's monitor, after what time alone raised by `clock` (its
/// receipt less how far behind the platform is): the rows to store and what became of it.
fn observe(
    tracked: &mut Tracked,
    seal_id: &str,
    report: &seals::Report,
    received_at: Timestamp,
    clock: Timestamp,
) -> (SealBatch, Ingested) {
    let mut changes = tracked.track.tick(clock);
    let outcome = tracked.track.observe(report, received_at);
    changes.extend(outcome.changes);
    let (verdict, mut problems) = match outcome.verdict {
        Verdict::Accepted => ("accepted", Vec::new()),
        Verdict::Late => ("late", Vec::new()),
        Verdict::Duplicate => ("duplicate", Vec::new()),
        Verdict::Rejected(p) => ("rejected", vec![p]),
    };
    problems.extend(outcome.flags);
    let stored_verdict = std::iter::once(verdict.to_string())
        .chain(problems.iter().map(|p| p.code.clone()))
        .collect::<Vec<_>>()
        .join(" ");
    let row = SealReportRow {
        transit_id: tracked.transit_id.clone(),
        seal_id: seal_id.to_string(),
        seq: i64::try_from(report.seq).unwrap_or(i64::MAX),
        device_at_us: report.time,
        received_at_us: received_at,
        lat: report.position.lat,
        lon: report.position.lon,
        battery: report.battery,
        state: report.state.code().to_string(),
        events: report.events.iter().map(|e| e.code()).collect::<Vec<_>>().join(","),
        verdict: stored_verdict,
    };
    let changes: Vec<AlertChange> = changes
        .iter()
        .map(|c| alert_change(&tracked.transit_id, &tracked.mrn, seal_id, c.what, &c.incident, received_at))
        .collect();
    let rows = changes.iter().map(|c| c.incident.clone()).collect();
    // A duplicate's row is the first one's: it is not written again.
    let reports = if verdict == "duplicate" {
        Vec::new()
    } else {
        tracked.pending.push(row.clone());
        vec![row]
    };
    let placed = tracked.take_due(received_at);
    let ingested = Ingested { transit_id: tracked.transit_id.clone(), verdict, problems, changes: rows };
    (SealBatch { reports, placed, log_before: None, changes }, ingested)
}

fn writer_stopped() -> SealError {
    SealError::Store(StoreError::Internal("the seal report writer stopped".into()))
}

impl SealError {
    /// The same error for another report of the batch it failed: a store failure as its
    /// message, anything else as it is said.
    fn again(&self) -> SealError {
        match self {
            SealError::NoTransit(s) => SealError::NoTransit(s.clone()),
            SealError::BadSealId(s) => SealError::BadSealId(s.clone()),
            SealError::Invalid(p) => SealError::Invalid(p.clone()),
            SealError::Signature(e) => SealError::Signature(e.clone()),
            SealError::Store(e) => SealError::Store(StoreError::Internal(e.to_string())),
        }
    }
}

/// How often time's alerts are raised, what waited long enough placed and the log trimmed.
/// Often, so that each tick's transaction is short: the reports behind it wait for it.
pub const TICK_EVERY: std::time::Duration = std::time::Duration::from_millis(250);

/// Reports a tick places at most (those of seals gone silent; a seal that reports places its
/// own as it reports): the rest wait for the next ticks.
const TICK_PLACES_AT_MOST: usize = 1_024;

/// Raises what time alone raises (`signal_lost`, `overdue`) on every seal this process
/// watches, at `now` less how far behind the reports being taken in are, places the logged
/// reports that waited long enough, and trims the log of what is placed; returns how many
/// incidents changed.
pub async fn tick(desk: &SealDesk, now: Timestamp) -> Result<usize, SealError> {
    let batch = {
        let mut watch = desk.watch.lock().await;
        let mut batch = SealBatch::default();
        let clock = now - watch.behind;
        // Every logged report received before this is placed: the oldest still pending.
        let mut placed_before = now;
        for (seal_id, tracked) in watch.monitors.iter_mut() {
            for c in tracked.track.tick(clock) {
                batch.changes.push(alert_change(&tracked.transit_id, &tracked.mrn, seal_id, c.what, &c.incident, now));
            }
            if batch.placed.len() < TICK_PLACES_AT_MOST {
                batch.placed.extend(tracked.take_due(clock));
            }
            if let Some(first) = tracked.pending.first() {
                placed_before = placed_before.min(first.received_at_us);
            }
        }
        if std::mem::take(&mut watch.placed) || !batch.placed.is_empty() {
            batch.log_before = Some(placed_before);
        }
        batch
    };
    let n = batch.changes.len();
    if !batch.is_empty() {
        commit(desk, batch).await?;
    }
    Ok(n)
}

/// Forgets the monitors of seals whose movement ended (completed, cancelled, recovered…), so
/// that a seal applied to a later movement is checked against that one; what they still had
/// in the log is placed.
pub async fn forget(desk: &SealDesk, seals: &[String]) -> Result<(), SealError> {
    let mut batch = SealBatch::default();
    {
        let mut watch = desk.watch.lock().await;
        for s in seals {
            if let Some(mut t) = watch.monitors.remove(s) {
                batch.placed.append(&mut t.pending);
            }
        }
    }
    if batch.is_empty() {
        return Ok(());
    }
    commit(desk, batch).await
}

/// Queues a batch for the writer and waits for its commit. When it fails the monitors are
/// ahead of what is stored: all are forgotten, and the next report rebuilds them from the
/// store.
async fn commit(desk: &SealDesk, batch: SealBatch) -> Result<(), SealError> {
    let (done, wait) = oneshot::channel();
    let result = match desk.writer.send(Pending { batch, done }).await {
        Err(_) => Err(writer_stopped()),
        Ok(()) => match wait.await {
            Ok(Ok(())) => Ok(()),
            Ok(Err(e)) => Err(SealError::Store(StoreError::Internal(e))),
            Err(_) => Err(writer_stopped()),
        },
    };
    if result.is_err() {
        desk.watch.lock().await.reset();
    }
    result
}

/// The writer: takes what is queued (up to [`BATCH_MAX`] reports), writes it in one
/// transaction, answers every sender, then announces the alerts.
async fn write_batches(
    store: Arc<dyn Store>,
    mut queue: mpsc::Receiver<Pending>,
    alerts: broadcast::Sender<AlertNotice>,
) {
    while let Some(first) = queue.recv().await {
        let mut pending = vec![first];
        let mut reports = pending[0].batch.reports.len();
        while reports < BATCH_MAX {
            match queue.try_recv() {
                Ok(p) => {
                    reports += p.batch.reports.len();
                    pending.push(p);
                }
                Err(_) => break,
            }
        }
        let mut batch = SealBatch::default();
        let mut senders = Vec::with_capacity(pending.len());
        for p in pending {
            batch.append(p.batch);
            senders.push(p.done);
        }
        let result = store.record_seal_batch(&batch).await.map_err(|e| {
            tracing::error!(error = %e, reports = batch.reports.len(), "storing seal reports failed");
            e.to_string()
        });
        let ok = result.is_ok();
        for done in senders {
            let _ = done.send(result.clone());
        }
        if ok {
            for c in batch.changes {
                let _ = alerts.send(AlertNotice { change: c.what, mrn: c.mrn, incident: c.incident });
            }
        }
    }
}

fn check_seal_id(seal_id: &str) -> Result<(), SealError> {
    let ok = (1..=SEAL_ID_MAX).contains(&seal_id.len())
        && seal_id.bytes().all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || b == b'-' || b == b'/');
    if ok {
        Ok(())
    } else {
        Err(SealError::BadSealId(seal_id.chars().take(64).collect()))
    }
}

fn alert_change(
    transit_id: &str,
    mrn: &str,
    seal_id: &str,
    what: ChangeKind,
    incident: &Incident,
    at: Timestamp,
) -> AlertChange {
    let what = match what {
        ChangeKind::Opened => "opened",
        ChangeKind::Closed => "closed",
        ChangeKind::Amended => "amended",
    };
    AlertChange { what, incident: incident_row(transit_id, seal_id, incident, at), mrn: mrn.to_string() }
}

/// An incident as stored.
pub fn incident_row(transit_id: &str, seal_id: &str, i: &Incident, at: Timestamp) -> IncidentRow {
    IncidentRow {
        transit_id: transit_id.to_string(),
        seal_id: seal_id.to_string(),
        number: i64::from(i.number),
        kind: i.kind.code().to_string(),
        opened_at_us: i.opened_at,
        opened_by: i.opened_by.and_then(|s| i64::try_from(s).ok()),
        closed_at_us: i.closed_at,
        closed_by: i.closed_by.and_then(|s| i64::try_from(s).ok()),
        disproved: i.disproved,
        updated_at_us: at,
    }
}
