//! Goods traceability (D3): the job that opens the batches of traced goods released for free
//! circulation, the holders' reports (sale, return, export, write-off) taken in against the
//! batches' balances, a batch with its history, a trader's holdings, and the list of batches
//! for customs staff. The rules are `smartcustoms_core::traceability`'s; this module loads,
//! calls them and stores what they decide.

use serde::Serialize;
use utoipa::ToSchema;

use smartcustoms_core::access::{Principal, Role};
use smartcustoms_core::declaration::Declaration;
use smartcustoms_core::flc::Finding;
use smartcustoms_core::ids::{RegistrationNumber, TraderId};
use smartcustoms_core::timestamp::Timestamp;
use smartcustoms_core::traceability::{self, BatchNumber, Holding, Movement, Summary};
use smartcustoms_storage::{Release, ScannedRelease, StoreError, RESCAN_MARGIN_US};

use crate::app::organisation::{self, Capacity};
use crate::state::AppState;

/// Most batches a list returns.
pub const MAX_LIST: i64 = 500;

/// Most released declarations the scan reads in one transaction.
const SCAN_PAGE: i64 = 500;

/// The roles that see every batch.
const STAFF: &[Role] = &[Role::Officer, Role::Supervisor, Role::Analyst, Role::Admin];

/// Why a traceability request is not taken.
#[derive(Debug, thiserror::Error)]
pub enum TraceError {
    /// The caller may not do this.
    #[error(transparent)]
    Forbidden(#[from] super::Forbidden),
    /// The report cannot be read: every problem (`TRC_001` … `TRC_016`) with its JSON path.
    #[error("the report has {} problem(s), see details.problems", .0.len())]
    Invalid(Vec<Finding>),
    /// The batches' state refuses the report (`TRC_030` … `TRC_039`): every refused line.
    #[error("the report is refused: {}", .0.first().map_or("", |f| f.message.as_str()))]
    Refused(Vec<Finding>),
    /// No such batch, or one the trader never held.
    #[error("batch {0} not found")]
    NotFound(String),
    /// A parameter is not valid: its name and why.
    #[error("invalid {0}: {1}")]
    BadParameter(&'static str, String),
    /// The store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// A batch as shown: its state and its whole history.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct BatchView {
    /// The batch, its holders and totals.
    pub batch: Summary,
    /// Every movement since release, oldest first.
    pub history: Vec<Movement>,
}

/// What a trader holds.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct HoldingsView {
    /// The trader.
    pub trader: TraderId,
    /// Per commodity code and unit, the sum held and the batches it comes from.
    pub holdings: Vec<Holding>,
    /// The batches the trader holds some of, newest release first.
    pub batches: Vec<Summary>,
}

/// Opens the batches of every declaration released since the scan's cursor (the platform's
/// job, run once per deployment); returns how many batches were opened. Each declaration is
/// read once whichever process gets to it, as the store skips those read before.
pub async fn open_batches(state: &AppState) -> Result<u64, StoreError> {
    let mut opened = 0;
    loop {
        let cursor = state.store.traceability_cursor().await?;
        let since = Timestamp::from_micros(cursor.as_micros().saturating_sub(RESCAN_MARGIN_US));
        let releases = state.store.unscanned_releases(since, SCAN_PAGE).await?;
        let Some(last) = releases.iter().map(|r| r.released_at_us).max() else { return Ok(opened) };
        let scanned: Vec<ScannedRelease> = releases.iter().map(scan).collect();
        opened += state.store.open_batches(&scanned, last.max(cursor), Timestamp::now()).await?;
        if i64::try_from(releases.len()).unwrap_or(i64::MAX) < SCAN_PAGE {
            return Ok(opened);
        }
    }
}

/// The batches a released declaration opens, or why none could.
fn scan(release: &Release) -> ScannedRelease {
    let declaration_id = release.id.clone();
    let read = || -> Result<(RegistrationNumber, Declaration), String> {
        let number = release.registration_number.as_deref().ok_or("released without a registration number")?;
        let registration = RegistrationNumber::parse(number).map_err(|e| e.to_string())?;
        let checked = release.checked.as_deref().ok_or("released without its checked declaration")?;
        let declaration = smartcustoms_storage::read_document::<Declaration>(checked, "checked declaration")
            .map_err(|e| e.to_string())?;
        Ok((registration, declaration))
    };
    let (registration, declaration) = match read() {
        Ok(read) => read,
        Err(problem) => {
            tracing::warn!(declaration.id = %declaration_id, %problem, "a released declaration cannot be traced");
            return ScannedRelease { declaration_id, batches: Vec::new(), problems: vec![problem] };
        }
    };
    match traceability::open_batches(&registration, &declaration, release.released_at_us) {
        Ok(batches) => ScannedRelease { declaration_id, batches, problems: Vec::new() },
        Err(findings) => {
            let problems: Vec<String> =
                findings.iter().map(|f| format!("{} at {}: {}", f.code, f.path, f.message)).collect();
            tracing::warn!(declaration.id = %declaration_id, ?problems, "traced goods released without batches");
            ScannedRelease { declaration_id, batches: Vec::new(), problems }
        }
    }
}

/// Takes in a report of `principal` (a trader's user with the filer capacity, reporting for
/// its organisation, the holder) received at `at`: it is read and checked whole, then applied
/// to the batches' balances in one transaction; the movements it made, in line order.
pub async fn report(
    state: &AppState,
    principal: &Principal,
    body: &[u8],
    at: Timestamp,
) -> Result<Vec<Movement>, TraceError> {
    let holder = organisation::require(principal, Capacity::File, "report movements of traced goods")?;
    let report = traceability::parse(body, &holder).map_err(TraceError::Invalid)?;
    state.store.record_report(&report, &principal.name, at).await?.map_err(TraceError::Refused)
}

/// A batch and its history: for staff, any; for a trader, one it holds or held.
pub async fn batch(state: &AppState, principal: &Principal, number: &str) -> Result<BatchView, TraceError> {
    let number = BatchNumber::parse(number).map_err(|e| TraceError::BadParameter("number", e.to_string()))?;
    if principal.role == Role::Trader {
        let trader = organisation::require(principal, Capacity::View, "read traced batches")?;
        if !state.store.held_ever(&number, &trader).await? {
            return Err(TraceError::NotFound(number.to_string()));
        }
    } else {
        super::require(principal, STAFF, "read traced batches")?;
    }
    let batch = state.store.batch_state(&number).await?.ok_or_else(|| TraceError::NotFound(number.to_string()))?;
    let history = state.store.batch_history(&number).await?;
    Ok(BatchView { batch: batch.summary(), history })
}

/// What the caller's organisation holds now.
pub async fn holdings(state: &AppState, principal: &Principal) -> Result<HoldingsView, TraceError> {
    let trader = organisation::require(principal, Capacity::View, "read its holdings of traced goods")?;
    let states = state.store.batch_states(Some(&trader), MAX_LIST).await?;
    let holdings = traceability::holdings(&trader, &states);
    Ok(HoldingsView { trader, holdings, batches: states.iter().map(|s| s.summary()).collect() })
}

/// Batches, newest release first, for customs staff: every batch, or those `holder` holds
/// some of now; at most `limit` (1 to 500, default 100).
pub async fn list(
    state: &AppState,
    principal: &Principal,
    holder: Option<&str>,
    limit: Option<i64>,
) -> Result<Vec<Summary>, TraceError> {
    super::require(principal, STAFF, "list traced batches")?;
    let limit = match limit.unwrap_or(100) {
        n @ 1..=MAX_LIST => n,
        n => return Err(TraceError::BadParameter("limit", format!("{n} is not 1 to {MAX_LIST}"))),
    };
    let holder = holder
        .filter(|h| !h.is_empty())
        .map(|h| TraderId::new(h.to_string()).map_err(|e| TraceError::BadParameter("holder", e.to_string())))
        .transpose()?;
    let states = state.store.batch_states(holder.as_ref(), limit).await?;
    Ok(states.iter().map(|s| s.summary()).collect())
}
