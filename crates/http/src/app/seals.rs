//! Navigation seals (D2): a seal's report in (from MQTT or HTTP), checked, placed in the
//! seal's monitor for its movement, stored with the incidents it changed, and the changes
//! announced. Every entry point calls [`take_many`] (the broker's consumer with a batch of
//! reports, HTTP with one).
//!
//! Each seal's monitor ([`SealTrack`]) lives in memory in the process that receives the seal's
//! reports; it is rebuilt from the stored reports when the process starts or first hears of the
//! seal, by replaying them in the order they were received, which gives the same incidents with
//! the same numbers (the monitor is deterministic), so nothing is raised twice across a
//! restart. Reports are written in batches by one writer task: a report is acknowledged (the
//! HTTP answer, the MQTT acknowledgement) only once its batch is committed.

use std::collections::HashMap;
use std::sync::Arc;

use chrono::TimeDelta;
use tokio::sync::{broadcast, mpsc, oneshot, Mutex};

use crate::state::AppState;
use smartcustoms_core::seals::{self, ChangeKind, Incident, Plan, Position, Problem, Route, SealTrack, Verdict};
use smartcustoms_core::timestamp::Timestamp;
use smartcustoms_storage::{AlertChange, IncidentRow, SealBatch, SealReportRow, Store, StoreError, TransitRecord};

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

struct Tracked {
    transit_id: String,
    mrn: String,
    track: SealTrack,
}

struct Pending {
    batch: SealBatch,
    done: oneshot::Sender<Result<(), String>>,
}

/// The seals' monitors of this process, their writer and the announcement of alerts.
pub struct SealDesk {
    tracks: Mutex<HashMap<String, Tracked>>,
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
        let desk = Arc::new(SealDesk { tracks: Mutex::new(HashMap::new()), writer, alerts: alerts.clone(), period });
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
/// each in order. The monitors of seals not yet watched are built first, outside the lock; the
/// reports are then checked in order under one lock and stored in one batch.
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
    let mut unknown: Vec<(&str, Timestamp)> = Vec::new();
    {
        let tracks = desk.tracks.lock().await;
        let mut seen = std::collections::HashSet::new();
        for (m, p) in messages.iter().zip(&parsed) {
            if p.is_ok() && !tracks.contains_key(m.seal_id) && seen.insert(m.seal_id) {
                unknown.push((m.seal_id, m.received_at));
            }
        }
    }
    let started = std::time::Instant::now();
    let mut loaded: Vec<(&str, Result<Tracked, SealError>)> = Vec::with_capacity(unknown.len());
    for chunk in unknown.chunks(LOADS_AT_ONCE) {
        let mut builds = Vec::with_capacity(chunk.len());
        for &(seal, first_heard) in chunk {
            builds.push(load(store, seal, desk.period, first_heard));
        }
        let results = futures_util::future::join_all(builds).await;
        loaded.extend(chunk.iter().map(|&(seal, _)| seal).zip(results));
    }

    let mut outcomes = Vec::with_capacity(messages.len());
    let mut batch = SealBatch::default();
    let loads = loaded.len();
    let mut involved: Vec<&str> = Vec::new();
    {
        let mut tracks = desk.tracks.lock().await;
        let mut failed: HashMap<&str, SealError> = HashMap::new();
        for (seal, tracked) in loaded {
            match tracked {
                Ok(t) => {
                    tracks.entry(seal.to_string()).or_insert(t);
                }
                Err(e) => {
                    failed.insert(seal, e);
                }
            }
        }
        for (m, report) in messages.iter().zip(parsed) {
            let report = match report {
                Ok(r) => r,
                Err(e) => {
                    outcomes.push(Err(e));
                    continue;
                }
            };
            let Some(tracked) = tracks.get_mut(m.seal_id) else {
                let e =
                    failed.get(m.seal_id).map_or_else(|| SealError::NoTransit(m.seal_id.to_string()), SealError::again);
                outcomes.push(Err(e));
                continue;
            };
            let (part, ingested) = observe(tracked, m.seal_id, &report, m.received_at);
            if !part.reports.is_empty() || !part.changes.is_empty() {
                involved.push(m.seal_id);
            }
            batch.reports.extend(part.reports);
            batch.changes.extend(part.changes);
            outcomes.push(Ok(ingested));
        }
    }
    let checked = started.elapsed();
    if batch.reports.is_empty() && batch.changes.is_empty() {
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
    if let Err(e) = committed {
        // The monitors are ahead of what is stored: forget them, so the next reports rebuild
        // them from the store.
        let mut tracks = desk.tracks.lock().await;
        for seal in involved {
            tracks.remove(seal);
        }
        return outcomes.into_iter().map(|o| o.and_then(|_| Err(e.again()))).collect();
    }
    outcomes
}

/// Monitors of seals built at once from the store when a batch names seals not yet watched.
const LOADS_AT_ONCE: usize = 8;

/// Places one report in its seal's monitor: the rows to store and what became of it.
fn observe(
    tracked: &mut Tracked,
    seal_id: &str,
    report: &seals::Report,
    received_at: Timestamp,
) -> (SealBatch, Ingested) {
    let mut changes = tracked.track.tick(received_at);
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
    let reports = if verdict == "duplicate" { Vec::new() } else { vec![row] };
    let ingested = Ingested { transit_id: tracked.transit_id.clone(), verdict, problems, changes: rows };
    (SealBatch { reports, changes }, ingested)
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

/// Raises what time alone raises (`signal_lost`, `overdue`) on every seal this process
/// watches, at `now`; returns how many incidents changed.
pub async fn tick(desk: &SealDesk, now: Timestamp) -> Result<usize, SealError> {
    let batch = {
        let mut tracks = desk.tracks.lock().await;
        let mut changes = Vec::new();
        for (seal_id, tracked) in tracks.iter_mut() {
            for c in tracked.track.tick(now) {
                changes.push(alert_change(&tracked.transit_id, &tracked.mrn, seal_id, c.what, &c.incident, now));
            }
        }
        SealBatch { reports: Vec::new(), changes }
    };
    let n = batch.changes.len();
    if n > 0 {
        commit(desk, batch).await?;
    }
    Ok(n)
}

/// Forgets the monitors of seals whose movement ended (completed, cancelled, recovered…), so
/// that a seal applied to a later movement is checked against that one.
pub async fn forget(desk: &SealDesk, seals: &[String]) {
    let mut tracks = desk.tracks.lock().await;
    for s in seals {
        tracks.remove(s);
    }
}

async fn commit(desk: &SealDesk, batch: SealBatch) -> Result<(), SealError> {
    let (done, wait) = oneshot::channel();
    desk.writer.send(Pending { batch, done }).await.map_err(|_| writer_stopped())?;
    match wait.await {
        Ok(Ok(())) => Ok(()),
        Ok(Err(e)) => Err(SealError::Store(StoreError::Internal(e))),
        Err(_) => Err(writer_stopped()),
    }
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
            batch.reports.extend(p.batch.reports);
            batch.changes.extend(p.batch.changes);
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

/// The plan of a movement's journey: its route and corridor, from acceptance to its time
/// limit.
pub fn plan(transit: &TransitRecord, period: TimeDelta) -> Result<Plan, StoreError> {
    #[derive(serde::Deserialize)]
    struct StoredRoute {
        waypoints: Vec<Position>,
        corridor_m: u32,
    }
    let stored: StoredRoute = serde_json::from_str(&transit.route)
        .map_err(|e| StoreError::Corrupt(format!("route of transit {}: {e}", transit.mrn)))?;
    let route = Route::new(stored.waypoints, f64::from(stored.corridor_m))
        .map_err(|e| StoreError::Corrupt(format!("route of transit {}: {e}", transit.mrn)))?;
    Ok(Plan { route: Arc::new(route), started_at: transit.filed_at_us, deadline: transit.time_limit_at_us, period })
}

/// Rebuilds a seal's monitor from its movement and the reports stored for it. Silence is
/// counted from the first report the platform heard from the seal (`first_heard` when there
/// is none yet): before it the seal may not be fitted or the goods not yet released, and a
/// seal that never reports is caught by the movement's time limit.
async fn load(
    store: &dyn Store,
    seal_id: &str,
    period: TimeDelta,
    first_heard: Timestamp,
) -> Result<Tracked, SealError> {
    let transit = store.transit_of_seal(seal_id).await?.ok_or_else(|| SealError::NoTransit(seal_id.to_string()))?;
    let stored = store.seal_reports(&transit.id, seal_id).await?;
    let mut plan = plan(&transit, period)?;
    plan.started_at = stored.first().map_or(first_heard, |r| r.received_at_us);
    let mut track = SealTrack::new(plan);
    for row in stored {
        if let Some(report) = stored_report(&row) {
            track.tick(row.received_at_us);
            track.observe(&report, row.received_at_us);
        }
    }
    Ok(Tracked { transit_id: transit.id, mrn: transit.mrn, track })
}

/// A stored report as the monitor reads it.
fn stored_report(row: &SealReportRow) -> Option<seals::Report> {
    let events = row
        .events
        .split(',')
        .filter(|e| !e.is_empty())
        .map(seals::SealEvent::from_code)
        .try_fold(seals::EventSet::EMPTY, |set, e| e.map(|e| set.with(e)))?;
    Some(seals::Report {
        seq: u64::try_from(row.seq).ok()?,
        time: row.device_at_us,
        position: Position { lat: row.lat, lon: row.lon },
        battery: row.battery,
        state: seals::SealState::from_code(&row.state)?,
        events,
    })
}
