//! Declaration centres and dispatching: administrators keep the centres, the inspectors (with
//! their competences and leave) and the dispatch rules; every case that goes under control is
//! dispatched to a centre and its least loaded competent inspector present (see
//! `smartcustoms_core::dispatch`), with the reasons kept; a supervisor reassigns a case,
//! audited with the reason.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use rand::RngCore;
use serde::Serialize;
use utoipa::ToSchema;

use smartcustoms_core::access::{Principal, Role};
use smartcustoms_core::declaration::DeclarationDoc;
use smartcustoms_core::dispatch::{self, Case, Centre, Dispatch, Inspector, Rules};
use smartcustoms_core::ids::DeclarationId;
use smartcustoms_core::timestamp::Timestamp;
use smartcustoms_storage::{CentreQueue, DispatchRecord, NewDispatch, RulesVersion, StoreError};

use super::control::{explained, Settled};
use super::declarations::{readable, ReadError, STAFF};
use super::Forbidden;
use crate::i18n::Phrase;
use crate::state::AppState;

/// Who keeps centres, inspectors and rules.
pub const ADMINS: &[Role] = &[Role::Admin];
/// Who reassigns cases.
pub const SUPERVISORS: &[Role] = &[Role::Supervisor, Role::Admin];
/// Most cases one sweep dispatches.
const SWEEP: i64 = 200;
/// Longest reason of a reassignment, characters.
pub const MAX_REASON: usize = 500;

/// Why a change of the set-up or a reassignment is not made.
#[derive(Debug, thiserror::Error)]
pub enum DispatchError {
    /// The caller's role may not do this.
    #[error(transparent)]
    Forbidden(#[from] Forbidden),
    /// The input is not valid; every problem is listed.
    #[error("{}", .0.iter().map(ToString::to_string).collect::<Vec<_>>().join("; "))]
    Invalid(Vec<Phrase>),
    /// The declaration cannot be read by the caller.
    #[error(transparent)]
    Read(#[from] ReadError),
    /// The case is no longer under control.
    #[error(transparent)]
    Settled(#[from] Settled),
    /// The store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// How a dispatch made by a supervisor's reassignment names its rule, before the supervisor's
/// name (kept in the dispatch's `rule`).
pub const REASSIGNED_BY: &str = "reassigned by ";
/// How a dispatch made when an inspector hands a case back names its rule, before the
/// inspector's name.
pub const HANDED_BACK_BY: &str = "handed back by ";

fn invalid(problem: Phrase) -> DispatchError {
    DispatchError::Invalid(vec![problem])
}

/// The centres, inspectors and rules in force, with each inspector's open cases.
#[derive(Debug, Serialize, ToSchema)]
pub struct Setup {
    /// The centres.
    pub centres: Vec<Centre>,
    /// The inspectors.
    pub inspectors: Vec<Inspector>,
    /// The rules in force, if any were written (no case is dispatched before).
    pub rules: Option<RulesVersion>,
    /// Open cases of each inspector.
    pub loads: BTreeMap<String, i64>,
    /// The cases under control per centre and inspector, with the oldest's time.
    pub queues: Vec<CentreQueue>,
}

/// The set-up, for customs staff.
pub async fn setup(state: &AppState, caller: &Principal) -> Result<Setup, DispatchError> {
    super::require(caller, STAFF, "read the dispatch set-up")?;
    Ok(Setup {
        centres: state.store.centres().await?,
        inspectors: state.store.inspectors().await?,
        rules: state.store.dispatch_rules().await?,
        loads: state.store.inspector_loads().await?.into_iter().collect(),
        queues: state.store.centre_queues().await?,
    })
}

/// An inspector works the cases of its own centre: an officer registered as an inspector may
/// not act on a case dispatched to another centre. Supervisors, administrators and officers of
/// an office without centres act on any case.
pub async fn within_centre(
    state: &AppState,
    caller: &Principal,
    id: DeclarationId,
    action: &'static str,
) -> Result<Result<(), Forbidden>, StoreError> {
    if caller.role != Role::Officer {
        return Ok(Ok(()));
    }
    let inspectors = state.store.inspectors().await?;
    let Some(own) = inspectors.iter().find(|i| i.user == caller.name) else { return Ok(Ok(())) };
    Ok(match state.store.dispatch_of(id).await? {
        Some(d) if d.dispatch.centre != own.centre => Err(Forbidden { role: caller.role.as_str(), action }),
        _ => Ok(()),
    })
}

/// Creates or replaces a centre.
pub async fn put_centre(state: &AppState, caller: &Principal, centre: &Centre) -> Result<(), DispatchError> {
    super::require(caller, ADMINS, "change declaration centres")?;
    let code_ok = (2..=32).contains(&centre.code.len())
        && centre.code.bytes().all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || b == b'-');
    if !code_ok {
        return Err(invalid(Phrase::new("dispatch-centre-code")));
    }
    if centre.name.trim().is_empty() || centre.name.chars().count() > 200 {
        return Err(invalid(Phrase::new("dispatch-centre-name")));
    }
    Ok(state.store.put_centre(centre).await?)
}

/// Creates or replaces an inspector: a signed-in officer or supervisor of an existing centre.
pub async fn put_inspector(state: &AppState, caller: &Principal, inspector: &Inspector) -> Result<(), DispatchError> {
    super::require(caller, ADMINS, "change inspectors")?;
    let user = state.store.user(&inspector.user).await?;
    if !user.is_some_and(|u| matches!(Role::parse(&u.role), Some(Role::Officer | Role::Supervisor))) {
        return Err(invalid(Phrase::new("dispatch-not-officer").with("user", format!("{:?}", inspector.user))));
    }
    if let (Some(from), Some(until)) = (inspector.leave_from_us, inspector.leave_until_us) {
        if until <= from {
            return Err(invalid(Phrase::new("dispatch-leave-order")));
        }
    }
    if inspector.competences.iter().any(|c| c.is_empty() || c.len() > 40 || c.contains(',')) {
        return Err(invalid(Phrase::new("dispatch-competences")));
    }
    match state.store.put_inspector(inspector).await {
        Err(StoreError::Conflict(m)) => Err(invalid(Phrase::new("dispatch-centre-conflict").with("detail", m))),
        other => Ok(other?),
    }
}

/// Keeps a new version of the rules, checked against the centres; returns it.
pub async fn put_rules(
    state: &AppState,
    caller: &Principal,
    rules: &Rules,
    now: Timestamp,
) -> Result<i64, DispatchError> {
    let admin = super::require(caller, ADMINS, "change dispatch rules")?;
    let problems = rules.problems(&state.store.centres().await?);
    if !problems.is_empty() {
        return Err(DispatchError::Invalid(problems.into_iter().map(Phrase::verbatim).collect()));
    }
    Ok(state.store.add_dispatch_rules(rules, &admin.name, now).await?)
}

/// What dispatching reads of a filed document (an unreadable one is dispatched by the default
/// rule).
pub fn case_of(document: &[u8], declarant: &str) -> Case {
    let doc = serde_json::from_slice::<DeclarationDoc>(document).unwrap_or_default();
    Case {
        commodity_codes: doc.items.unwrap_or_default().into_iter().filter_map(|i| i.commodity_code).collect(),
        transport_mode: doc.transport.and_then(|t| t.mode),
        office: doc.office,
        region: doc.declarant.and_then(|p| p.country).or_else(|| declarant.get(..2).map(str::to_string)),
    }
}

/// Dispatches the cases under control that are not yet dispatched, oldest first; returns how
/// many. Nothing is dispatched before an administrator writes the first rules. Several server
/// processes may sweep at once: a case is dispatched once (the store refuses a second first
/// dispatch), and the loads each process counts are at most a sweep stale.
pub async fn sweep(state: &AppState, now: DateTime<Utc>) -> Result<usize, StoreError> {
    let Some(rules) = state.store.dispatch_rules().await? else { return Ok(0) };
    let pending = state.store.undispatched(SWEEP).await?;
    if pending.is_empty() {
        return Ok(0);
    }
    let inspectors = state.store.inspectors().await?;
    let mut loads: BTreeMap<String, i64> = state.store.inspector_loads().await?.into_iter().collect();
    let mut done = 0;
    for (id, declarant, document) in pending {
        let case = case_of(&document, &declarant);
        let draw = rand::rngs::OsRng.next_u64();
        let d = dispatch::dispatch(&case, &rules.rules, rules.version, &inspectors, &loads, now.into(), draw);
        let chosen = d.inspector.clone();
        let new =
            NewDispatch { declaration: id, dispatch: d, actor: "system".into(), reassignment: None, at_us: now.into() };
        match state.store.dispatch(new).await {
            Ok(()) => {
                done += 1;
                if let Some(user) = chosen {
                    *loads.entry(user).or_default() += 1;
                }
            }
            // Decided or dispatched by another process meanwhile.
            Err(StoreError::Conflict(_)) => {}
            Err(e) => return Err(e),
        }
    }
    Ok(done)
}

/// A case's dispatch and its reasons, for customs staff.
pub async fn of(
    state: &AppState,
    caller: &Principal,
    id: DeclarationId,
) -> Result<Option<DispatchRecord>, DispatchError> {
    super::require(caller, STAFF, "read dispatches")?;
    readable(state, caller, id).await?;
    Ok(state.store.dispatch_of(id).await?)
}

/// A supervisor gives case `id` to `inspector` (of any centre), with the reason; audited.
pub async fn reassign(
    state: &AppState,
    caller: &Principal,
    id: DeclarationId,
    inspector: &str,
    reason: &str,
    now: DateTime<Utc>,
) -> Result<DispatchRecord, DispatchError> {
    let supervisor = super::require(caller, SUPERVISORS, "reassign cases")?;
    let reason = reason_of(reason)?;
    readable(state, caller, id).await?;
    let inspectors = state.store.inspectors().await?;
    let Some(to) = inspectors.iter().find(|i| i.user == inspector) else {
        return Err(invalid(Phrase::new("dispatch-not-inspector").with("inspector", format!("{inspector:?}"))));
    };
    if to.on_leave(now.into()) {
        return Err(invalid(Phrase::new("dispatch-on-leave").with("inspector", inspector)));
    }
    let dispatch = chosen(state, &to.centre, Some(&to.user), format!("{REASSIGNED_BY}{}", supervisor.name)).await?;
    record(state, &supervisor.name, id, dispatch, reason, now).await
}

/// The inspector a case is dispatched to hands it back to the centre's supervisor, with the
/// reason (a conflict of interest, a competence lacking); the case waits in the centre without
/// an inspector until a supervisor gives it to someone. Audited.
pub async fn hand_back(
    state: &AppState,
    caller: &Principal,
    id: DeclarationId,
    reason: &str,
    now: DateTime<Utc>,
) -> Result<DispatchRecord, DispatchError> {
    let officer = super::require(caller, super::control::DECIDERS, "hand cases back")?;
    let reason = reason_of(reason)?;
    readable(state, caller, id).await?;
    let current = state.store.dispatch_of(id).await?;
    let Some(current) = current.filter(|d| d.dispatch.inspector.as_deref() == Some(officer.name.as_str())) else {
        return Err(invalid(Phrase::new("dispatch-not-yours")));
    };
    let dispatch = chosen(state, &current.dispatch.centre, None, format!("{HANDED_BACK_BY}{}", officer.name)).await?;
    record(state, &officer.name, id, dispatch, reason, now).await
}

fn reason_of(reason: &str) -> Result<String, DispatchError> {
    match reason.trim().chars().count() {
        1..=MAX_REASON => Ok(reason.trim().to_string()),
        _ => Err(invalid(Phrase::new("dispatch-reason").with("max", MAX_REASON))),
    }
}

/// A dispatch chosen by a person (a reassignment or a hand-back), with the loads of the
/// centre's inspectors at that moment.
async fn chosen(state: &AppState, centre: &str, inspector: Option<&str>, rule: String) -> Result<Dispatch, StoreError> {
    let inspectors = state.store.inspectors().await?;
    let loads: BTreeMap<String, i64> = state.store.inspector_loads().await?.into_iter().collect();
    Ok(Dispatch {
        centre: centre.to_string(),
        inspector: inspector.map(str::to_string),
        rule,
        rules_version: state.store.dispatch_rules().await?.map(|r| r.version).unwrap_or(0),
        requires: Default::default(),
        loads: inspectors
            .iter()
            .filter(|i| i.centre == centre)
            .map(|i| (i.user.clone(), loads.get(&i.user).copied().unwrap_or(0)))
            .collect(),
        candidates: inspector.map(str::to_string).into_iter().collect(),
        passed: Default::default(),
        draw: 0,
    })
}

/// Records a person's dispatch of case `id` with the reason, audited as `actor`'s.
async fn record(
    state: &AppState,
    actor: &str,
    id: DeclarationId,
    dispatch: Dispatch,
    reason: String,
    now: DateTime<Utc>,
) -> Result<DispatchRecord, DispatchError> {
    let new = NewDispatch {
        declaration: id,
        dispatch,
        actor: actor.to_string(),
        reassignment: Some(reason),
        at_us: now.into(),
    };
    match state.store.dispatch(new).await {
        Ok(()) => Ok(state.store.dispatch_of(id).await?.ok_or(StoreError::NotFound)?),
        Err(e) => Err(explained(state, id, e).await),
    }
}
