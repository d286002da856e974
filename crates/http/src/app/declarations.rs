//! Reading declarations: one with what its reader may see, its events, and lists. Traders read
//! only their own declarations (another trader's answers as if it did not exist); customs
//! staff read every one, with the risk explanation traders are not shown.

use serde::Serialize;
use utoipa::ToSchema;

use smartcustoms_core::access::{Principal, Role};
use smartcustoms_core::audit::{Action, AuditEntry};
use smartcustoms_core::ids::{DeclarationId, TraderId};
use smartcustoms_core::ledger::Amount;
use smartcustoms_core::release::ReleaseDocument;
use smartcustoms_core::risk::{Category, Lane};
use smartcustoms_core::timestamp::Timestamp;
use smartcustoms_core::workflow::State;
use smartcustoms_storage::{DeclarationRecord, DeclarationSummary, ListQuery, OperatorRecord, StoreError};

use crate::state::AppState;

/// Who may list declarations.
pub const LISTERS: &[Role] = &[Role::Trader, Role::Officer, Role::Supervisor, Role::Analyst, Role::Admin];
/// Largest page of a list.
pub const MAX_PAGE: i64 = 500;

/// Why a declaration cannot be read.
#[derive(Debug, thiserror::Error)]
pub enum ReadError {
    /// The caller's role may not do this.
    #[error(transparent)]
    Forbidden(#[from] super::Forbidden),
    /// A parameter is malformed: its name and why.
    #[error("{0}: {1}")]
    BadParameter(&'static str, String),
    /// No declaration has this id.
    #[error("declaration {0} not found")]
    NotFound(String),
    /// The declaration belongs to another trader.
    #[error("declaration {0} not found")]
    NotYours(String),
    /// The declaration's state takes no such action (e.g. a withdrawal after registration).
    #[error(transparent)]
    Settled(#[from] super::control::Settled),
    /// The store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// What a declaration awaiting payment needs.
#[derive(Debug, Serialize, ToSchema)]
pub struct PaymentDue {
    /// Its duties.
    pub duties: Amount,
    /// What a deposit must add to the available balance to register it (counting the
    /// declarations awaiting payment before it, which register first).
    pub missing: Amount,
}

/// What a declaration awaiting payment needs, from the declarant's account.
pub async fn payment_due(state: &AppState, s: &DeclarationSummary) -> Result<Option<PaymentDue>, StoreError> {
    if s.state != State::AwaitingPayment {
        return Ok(None);
    }
    let account = state.store.account(&s.declarant).await?;
    Ok(account
        .awaiting_payment
        .into_iter()
        .find(|a| a.declaration_id == s.id)
        .map(|a| PaymentDue { duties: a.duties, missing: a.missing }))
}

/// A declaration as one reader may see it.
#[derive(Debug)]
pub struct Read {
    /// The stored declaration; its risk explanation is for customs staff only (see `show_risk`).
    pub record: DeclarationRecord,
    /// Whether the reader may see the risk explanation.
    pub show_risk: bool,
    /// The release document, when released.
    pub release: Option<ReleaseDocument>,
    /// For a declaration awaiting payment: what is missing.
    pub payment: Option<PaymentDue>,
}

/// A declaration the caller may read.
pub(crate) async fn readable(
    state: &AppState,
    caller: &Principal,
    id: DeclarationId,
) -> Result<DeclarationRecord, ReadError> {
    match state.store.declaration(id).await? {
        Some(r) if caller.may_read(r.summary.declarant.as_str()) || represents(caller, &r.summary) => Ok(r),
        Some(_) => Err(ReadError::NotYours(id.to_string())),
        None => Err(ReadError::NotFound(id.to_string())),
    }
}

/// True when the caller is the customs representative that filed the declaration.
pub fn represents(caller: &Principal, s: &DeclarationSummary) -> bool {
    caller.role == Role::Trader && caller.trader.is_some() && s.representative == caller.trader
}

/// One declaration with its release document and what its payment needs.
pub async fn read(state: &AppState, caller: &Principal, id: DeclarationId) -> Result<Read, ReadError> {
    let record = readable(state, caller, id).await?;
    let release = state.store.release_document(id).await?;
    let payment = payment_due(state, &record.summary).await?;
    Ok(Read { record, show_risk: sees_risk(caller), release, payment })
}

/// Whether the caller may see how the risk engine assessed a declaration (the profiles that
/// fired, the model's score, a random selection): customs staff only.
fn sees_risk(caller: &Principal) -> bool {
    STAFF.contains(&caller.role)
}

/// The events (audit entries) of one declaration, in order, as the caller may see them.
pub async fn events(state: &AppState, caller: &Principal, id: DeclarationId) -> Result<Vec<AuditEntry>, ReadError> {
    readable(state, caller, id).await?;
    let entries = state.store.declaration_events(id).await?;
    Ok(as_seen_by(caller, entries))
}

/// The events of a declaration the caller has read (with [`read`], which checked that it may),
/// in order, as the caller may see them.
pub async fn events_of(state: &AppState, caller: &Principal, read: &Read) -> Result<Vec<AuditEntry>, ReadError> {
    Ok(as_seen_by(caller, state.store.declaration_events(read.record.summary.id).await?))
}

/// A declarant's record as customs staff see it beside its declaration.
#[derive(Debug)]
pub struct Operator {
    /// Declarations by state and lane, controls and what they found.
    pub record: OperatorRecord,
    /// Its risk category now.
    pub category: Option<Category>,
    /// Whether it holds an AEO authorisation.
    pub aeo: bool,
}

/// Who may read operators' records: customs staff.
pub const STAFF: &[Role] = &[Role::Officer, Role::Supervisor, Role::Analyst, Role::Admin];

/// The record of declarant `operator`: its declarations, the controls of them and their
/// findings, its risk category and whether it is an authorised economic operator.
pub async fn operator(state: &AppState, caller: &Principal, operator: &TraderId) -> Result<Operator, ReadError> {
    super::require(caller, STAFF, "read operators' records")?;
    let record = state.store.operator_record(operator).await?;
    let aeo = state.store.aeo_holders().await?.iter().any(|h| h == operator.as_str());
    Ok(Operator { record, category: state.reference().categories.get(operator.as_str()), aeo })
}

/// Who may withdraw declarations: the declarant's users.
pub const WITHDRAWERS: &[Role] = &[Role::Trader];

/// The declarant withdraws its declaration `id`, not yet registered or awaiting payment: it is
/// refused with reason `WDR_001`, and the audit log names the user who withdrew it.
pub async fn withdraw(
    state: &AppState,
    caller: &Principal,
    id: DeclarationId,
    at: Timestamp,
) -> Result<DeclarationSummary, ReadError> {
    super::require(caller, WITHDRAWERS, "withdraw declarations")?;
    super::organisation::require(caller, super::organisation::Capacity::File, "withdraw declarations")?;
    let Some(declarant) = &caller.trader else { return Err(ReadError::NotYours(id.to_string())) };
    match state.store.withdraw(id, declarant, &caller.name, at).await {
        Ok(summary) => Ok(summary),
        Err(StoreError::NotFound) => Err(ReadError::NotYours(id.to_string())),
        Err(e) => Err(super::control::explained(state, id, e).await),
    }
}

/// Most events one read of the event stream returns.
pub const EVENT_PAGE: i64 = 200;

/// Where a stream of declaration events starts: after the event the client saw last (the
/// `Last-Event-ID` a reconnecting client sends, as text, or an `after` it names), or after the
/// latest event when it names none, so that it sees what happens from now on.
pub async fn events_cursor(state: &AppState, last_seen: Option<&str>) -> Result<i64, ReadError> {
    match last_seen {
        Some(text) => match text.trim().parse::<i64>() {
            Ok(seq) if seq >= 0 => Ok(seq),
            _ => Err(ReadError::BadParameter("last event id", format!("{text:?} is not an event id"))),
        },
        None => Ok(state.store.last_audit_seq().await?),
    }
}

/// The events after `after` (oldest first, at most [`EVENT_PAGE`]) of the declarations the
/// caller may read, as the caller may see them: a trader's own, every declaration's for
/// customs staff.
pub async fn events_after(state: &AppState, caller: &Principal, after: i64) -> Result<Vec<AuditEntry>, ReadError> {
    super::require(caller, LISTERS, "follow declaration events")?;
    let declarant = match (caller.role, &caller.trader) {
        (Role::Trader, Some(trader)) => Some(trader),
        (Role::Trader, None) => return Ok(Vec::new()),
        _ => None,
    };
    let entries = state.store.declaration_events_after(declarant, after, EVENT_PAGE).await?;
    Ok(as_seen_by(caller, entries))
}

/// Audit entries as the caller may see them: whole for customs staff, without the risk
/// assessment for traders.
fn as_seen_by(caller: &Principal, entries: Vec<AuditEntry>) -> Vec<AuditEntry> {
    if sees_risk(caller) {
        entries
    } else {
        entries.into_iter().map(without_risk).collect()
    }
}

/// An audit entry without what customs keeps to itself: of a lane decision the lane stays and
/// the risk reasons that chose it go; of a dispatch the centre stays and the inspectors, loads
/// and draw go; of a match with a partner administration's export nothing stays (the
/// differences are risk information). The hashes stay those of the entry as kept, so only
/// customs staff, who read the whole entry, can recompute them.
fn without_risk(mut entry: AuditEntry) -> AuditEntry {
    let kept = match entry.action {
        Action::LaneAssigned => "lane",
        Action::Dispatched => "centre",
        Action::ExchangeMatched => {
            entry.details = "{}".to_string();
            return entry;
        }
        _ => return entry,
    };
    let value = serde_json::from_str::<serde_json::Value>(&entry.details)
        .ok()
        .and_then(|details| details.get(kept).cloned())
        .unwrap_or_default();
    entry.details = serde_json::json!({ kept: value }).to_string();
    entry
}

/// What a list asks for; every filter is text as given, checked here.
#[derive(Debug, Default)]
pub struct ListRequest<'a> {
    /// Only declarations in these states (codes, comma-separated).
    pub state: Option<&'a str>,
    /// Only declarations filed before this one (its id, as text).
    pub before: Option<&'a str>,
    /// Page size, 1 to [`MAX_PAGE`].
    pub limit: i64,
    /// Only this declarant's (ignored for traders, who see only their own).
    pub declarant: Option<&'a str>,
    /// Only at this office of declaration.
    pub office: Option<&'a str>,
    /// Only in this lane.
    pub lane: Option<&'a str>,
    /// Only filed on or after this day (`YYYY-MM-DD`, UTC).
    pub from: Option<&'a str>,
    /// Only filed on or before this day (`YYYY-MM-DD`, UTC).
    pub to: Option<&'a str>,
    /// Only the declaration with this registration number.
    pub number: Option<&'a str>,
    /// For a trader: the declarations it filed as customs representative for others, instead
    /// of its own.
    pub represented: bool,
    /// The first 2 to 6 digits of a goods item's commodity code.
    pub hs: Option<&'a str>,
}

/// An empty filter is no filter (a form's empty field).
fn given(value: Option<&str>) -> Option<&str> {
    value.map(str::trim).filter(|v| !v.is_empty())
}

/// A day as a filter: its first moment, or that of the next day (`after`).
fn day(name: &'static str, text: Option<&str>, after: bool) -> Result<Option<Timestamp>, ReadError> {
    given(text)
        .map(|t| {
            let day = chrono::NaiveDate::parse_from_str(t, "%Y-%m-%d")
                .map_err(|_| ReadError::BadParameter(name, format!("{t:?} is not a date YYYY-MM-DD")))?;
            let day = if after { day + chrono::Days::new(1) } else { day };
            Ok(Timestamp::start_of(day))
        })
        .transpose()
}

/// Declarations newest first: a trader's own, or anyone's for customs staff.
pub async fn list(
    state: &AppState,
    caller: &Principal,
    request: ListRequest<'_>,
) -> Result<Vec<DeclarationSummary>, ReadError> {
    super::require(caller, LISTERS, "list declarations")?;
    let declarant = match caller.role {
        // A trader's principal always names its trader; one that does not sees nothing.
        Role::Trader if caller.trader.is_none() => return Ok(Vec::new()),
        Role::Trader if request.represented => None,
        Role::Trader => caller.trader.clone(),
        _ => request
            .declarant
            .map(|d| TraderId::new(d).map_err(|e| ReadError::BadParameter("declarant", e.to_string())))
            .transpose()?,
    };
    if !(1..=MAX_PAGE).contains(&request.limit) {
        return Err(ReadError::BadParameter("limit", format!("must be between 1 and {MAX_PAGE}")));
    }
    let states = given(request.state)
        .map(|list| {
            list.split(',')
                .map(|s| {
                    State::parse(s.trim())
                        .ok_or_else(|| ReadError::BadParameter("state", format!("unknown state {s:?}")))
                })
                .collect::<Result<Vec<_>, _>>()
        })
        .transpose()?
        .unwrap_or_default();
    let before = given(request.before)
        .map(|b| {
            b.parse::<DeclarationId>().map_err(|_| ReadError::BadParameter("before", format!("{b:?} is not an id")))
        })
        .transpose()?;
    let lane = given(request.lane)
        .map(|l| Lane::parse(l).ok_or_else(|| ReadError::BadParameter("lane", format!("unknown lane {l:?}"))))
        .transpose()?;
    let text = |name: &'static str, value: Option<&str>| match given(value) {
        Some(v) if v.len() > 64 || v.contains('\0') => {
            Err(ReadError::BadParameter(name, "at most 64 characters".into()))
        }
        other => Ok(other.map(str::to_string)),
    };
    let representative = match caller.role {
        Role::Trader if request.represented => caller.trader.clone(),
        _ => None,
    };
    let hs = given(request.hs)
        .map(|h| match (2..=6).contains(&h.len()) && h.bytes().all(|b| b.is_ascii_digit()) {
            true => Ok(h.to_string()),
            false => Err(ReadError::BadParameter("hs", format!("{h:?} is not 2 to 6 digits of a commodity code"))),
        })
        .transpose()?;
    let query = ListQuery {
        declarant,
        representative,
        hs,
        states,
        before,
        office: text("office", request.office)?,
        lane,
        received_from: day("from", request.from, false)?,
        received_to: day("to", request.to, true)?,
        registration_number: text("number", request.number)?,
        limit: request.limit,
    };
    Ok(state.store.list_declarations(&query).await?)
}
