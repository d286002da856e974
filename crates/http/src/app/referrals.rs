//! Goods referred to an agency (Single Window, E1). Where a requirement says so, goods whose
//! document is missing or has not enough left are not refused at registration: the
//! declaration is registered, sent to the yellow lane, and each referred item waits in the
//! agency's queue. The agency allows or refuses the goods, once, with a note; the officer may
//! release the declaration only when every referred item is allowed, and refuses it when the
//! agency refused any.

use smartcustoms_core::access::{Principal, Role};
use smartcustoms_core::ids::DeclarationId;
use smartcustoms_core::timestamp::Timestamp;
use smartcustoms_storage::{ReferralDecision, ReferralRecord, StoreError};

use super::single_window::{own_agency, SingleWindowError};
use crate::state::AppState;

type Result<T> = std::result::Result<T, SingleWindowError>;

/// Longest note of an agency's decision, characters.
pub const MAX_NOTE: usize = 1000;

/// The goods waiting for the caller's agency, oldest first.
pub async fn pending(state: &AppState, caller: &Principal, limit: i64) -> Result<Vec<ReferralRecord>> {
    let agency = own_agency(caller, "read the goods referred to an agency")?;
    Ok(state.store.pending_referrals(agency, limit.clamp(1, 500)).await?)
}

/// The goods of a declaration referred to agencies: all of them for customs staff, its own
/// for an agency (`NotFound` when none is).
pub async fn of_declaration(state: &AppState, caller: &Principal, id: DeclarationId) -> Result<Vec<ReferralRecord>> {
    let all = state.store.declaration_referrals(&id.to_string()).await?;
    match caller.role {
        Role::Officer | Role::Supervisor | Role::Analyst | Role::Admin => Ok(all),
        Role::Agency => {
            let agency = own_agency(caller, "read the goods referred to an agency")?;
            let own: Vec<ReferralRecord> = all.into_iter().filter(|r| r.agency == agency).collect();
            if own.is_empty() {
                return Err(SingleWindowError::NotFound(format!(
                    "declaration {id} refers no goods to agency {agency}"
                )));
            }
            Ok(own)
        }
        _ => Err(super::Forbidden { role: caller.role.as_str(), action: "read the goods referred to agencies" }.into()),
    }
}

/// An agency's decision on one referred item.
#[derive(Debug, Clone, serde::Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReferralDecisionDoc {
    /// The goods item.
    pub item: i64,
    /// The kind of document required.
    pub kind: String,
    /// `true` allows the goods, `false` refuses them.
    pub allow: bool,
    /// Why, 1 to 1000 characters.
    pub note: String,
}

/// The caller's agency allows or refuses referred goods, once, with a note (audited).
pub async fn decide(
    state: &AppState,
    caller: &Principal,
    id: DeclarationId,
    doc: &ReferralDecisionDoc,
) -> Result<ReferralRecord> {
    let agency = own_agency(caller, "decide on goods referred to an agency")?;
    let note = doc.note.trim();
    if note.is_empty() || note.chars().count() > MAX_NOTE || note.chars().any(char::is_control) {
        return Err(SingleWindowError::Invalid(
            "note",
            format!("1 to {MAX_NOTE} characters without control characters"),
        ));
    }
    let decision = ReferralDecision {
        agency: agency.to_string(),
        declaration_id: id.to_string(),
        item: doc.item,
        kind: doc.kind.clone(),
        allow: doc.allow,
        note: note.to_string(),
        actor: caller.name.clone(),
        at_us: Timestamp::now(),
    };
    state.store.decide_referral(&decision).await.map_err(|e| match e {
        StoreError::NotFound => SingleWindowError::NotFound(format!(
            "declaration {id} refers no {} document of item {} to agency {agency}",
            doc.kind, doc.item
        )),
        e => e.into(),
    })
}

/// Why a declaration may not be released yet, when it may not: goods referred to an agency
/// that has not decided, or has refused them.
pub async fn release_blocker(state: &AppState, id: DeclarationId) -> std::result::Result<Option<String>, StoreError> {
    let referrals = state.store.declaration_referrals(&id.to_string()).await?;
    let about = |r: &ReferralRecord| format!("item {} ({} document, agency {})", r.item, r.kind, r.agency);
    if let Some(r) = referrals.iter().find(|r| r.state == "refused") {
        let note = r.note.as_deref().unwrap_or_default();
        return Ok(Some(format!("the agency refused {}: {note}; refuse the declaration", about(r))));
    }
    let waiting: Vec<String> = referrals.iter().filter(|r| r.state == "pending").map(about).collect();
    if waiting.is_empty() {
        return Ok(None);
    }
    Ok(Some(format!("release waits for the agency's decision on {}", waiting.join(", "))))
}
