//! A trader organisation's users and what each may do in it (file, pay, view, administer), and
//! the authorisations under which a customs representative (a broker) files for a declarant.
//!
//! A trader user with no capacities recorded is the organisation's own account and has them
//! all; the organisation's administrator adds users with some of them, changes and removes
//! them. A declarant's administrator authorises a representative for a period; the
//! representative then files declarations naming that declarant, signed with its own key, and
//! the declaration, its audit trail and its page say who filed for whom.

use chrono::NaiveDate;

pub use smartcustoms_core::access::Capacity;
use smartcustoms_core::access::{Principal, Role};
use smartcustoms_core::ids::TraderId;
use smartcustoms_core::timestamp::Timestamp;
use smartcustoms_storage::{AuthorisationRecord, MemberRecord, StoreError};

use crate::i18n::Phrase;
use crate::state::AppState;

/// Longest authorisation, days.
pub const MAX_AUTHORISATION_DAYS: i64 = 5 * 366;

/// Why an organisation action failed.
#[derive(Debug, thiserror::Error)]
pub enum OrgError {
    /// The caller may not do this.
    #[error(transparent)]
    Forbidden(#[from] super::Forbidden),
    /// A value is not valid; the field and why.
    #[error("{0}: {1}")]
    Invalid(&'static str, Phrase),
    /// No such user or authorisation in the caller's organisation.
    #[error("{0} not found")]
    NotFound(String),
    /// The store failed (a user name taken is a conflict).
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// The caller's organisation (its party id), if the caller is a trader's user.
fn organisation(principal: &Principal, action: &'static str) -> Result<TraderId, super::Forbidden> {
    super::require(principal, &[Role::Trader], action)?;
    principal.trader.clone().ok_or(super::Forbidden { role: principal.role.as_str(), action })
}

/// The caller's organisation, when the caller has `capacity` in it.
pub fn require(principal: &Principal, capacity: Capacity, action: &'static str) -> Result<TraderId, super::Forbidden> {
    let trader = organisation(principal, action)?;
    match principal.has(capacity) {
        true => Ok(trader),
        false => Err(super::Forbidden { role: capacity_role(capacity), action }),
    }
}

/// How a missing capacity is named in a refusal.
fn capacity_role(missing: Capacity) -> &'static str {
    match missing {
        Capacity::File => "user without the filer capacity",
        Capacity::Pay => "user without the payer capacity",
        Capacity::View => "user",
        Capacity::Administer => "user who is not the organisation's administrator",
    }
}

/// Reads a list of capacities (names separated by commas); at least one.
pub fn parse_capacities<'a>(names: impl IntoIterator<Item = &'a str>) -> Result<Vec<Capacity>, OrgError> {
    let mut out = Vec::new();
    for name in names.into_iter().flat_map(|n| n.split(',')).map(str::trim).filter(|n| !n.is_empty()) {
        let c = Capacity::parse(name).ok_or_else(|| {
            OrgError::Invalid("capacities", Phrase::new("problem-capacity").with("name", format!("{name:?}")))
        })?;
        if !out.contains(&c) {
            out.push(c);
        }
    }
    if out.is_empty() {
        return Err(OrgError::Invalid("capacities", Phrase::new("problem-no-capacity")));
    }
    Ok(out)
}

fn stored(capacities: &[Capacity]) -> String {
    capacities.iter().map(|c| c.as_str()).collect::<Vec<_>>().join(",")
}

/// The organisation's users.
pub async fn members(state: &AppState, principal: &Principal) -> Result<Vec<MemberRecord>, OrgError> {
    let org = require(principal, Capacity::Administer, "manage the organisation's users")?;
    Ok(state.store.members(&org).await?)
}

/// A new user of the organisation, for [`add_member`].
#[derive(Debug, Clone)]
pub struct NewMember<'a> {
    /// Sign-in name.
    pub name: &'a str,
    /// Name shown.
    pub display_name: &'a str,
    /// First password (at least 10 characters).
    pub password: &'a str,
    /// What the user may do.
    pub capacities: Vec<Capacity>,
}

/// Adds a user to the caller's organisation with some capacities.
pub async fn add_member(state: &AppState, principal: &Principal, new: NewMember<'_>) -> Result<(), OrgError> {
    let org = require(principal, Capacity::Administer, "manage the organisation's users")?;
    let person = super::staff::Person { name: new.name, display_name: new.display_name, password: new.password };
    if let Some((field, problem)) = person.problem() {
        return Err(OrgError::Invalid(field, problem));
    }
    if new.capacities.is_empty() {
        return Err(OrgError::Invalid("capacities", Phrase::new("problem-no-capacity")));
    }
    let record = person.record(Principal::new(new.name, Role::Trader, Some(org.clone()))).await?;
    state.store.add_user(&record, &principal.name).await?;
    let at = Timestamp::now();
    state.store.put_member(new.name, &org, &stored(&new.capacities), &principal.name, at).await?;
    Ok(())
}

/// A user of the caller's organisation other than the caller.
async fn other_member(state: &AppState, principal: &Principal, user: &str) -> Result<TraderId, OrgError> {
    let org = require(principal, Capacity::Administer, "manage the organisation's users")?;
    if user == principal.name {
        return Err(OrgError::Invalid("user", Phrase::new("problem-change-self")));
    }
    match state.store.user(user).await? {
        Some(u) if u.trader_id.as_deref() == Some(org.as_str()) => Ok(org),
        _ => Err(OrgError::NotFound(format!("user {user}"))),
    }
}

/// Changes what a user of the caller's organisation may do.
pub async fn set_capacities(
    state: &AppState,
    principal: &Principal,
    user: &str,
    capacities: &[Capacity],
) -> Result<(), OrgError> {
    let org = other_member(state, principal, user).await?;
    if capacities.is_empty() {
        return Err(OrgError::Invalid("capacities", Phrase::new("problem-no-capacity")));
    }
    Ok(state.store.put_member(user, &org, &stored(capacities), &principal.name, Timestamp::now()).await?)
}

/// Removes a user from the caller's organisation: it can no longer sign in; what it did stays
/// in the audit log under its name.
pub async fn remove_member(state: &AppState, principal: &Principal, user: &str) -> Result<(), OrgError> {
    other_member(state, principal, user).await?;
    Ok(state.store.disable_user(user, &principal.name, Timestamp::now()).await?)
}

/// The authorisations the caller's organisation granted or holds.
pub async fn authorisations(state: &AppState, principal: &Principal) -> Result<Vec<AuthorisationRecord>, OrgError> {
    let org = organisation(principal, "read authorisations")?;
    Ok(state.store.authorisations(&org).await?)
}

/// Authorises `representative` to file for the caller's organisation from `from` to `until`
/// (days, inclusive); returns the authorisation.
pub async fn grant(
    state: &AppState,
    principal: &Principal,
    representative: &str,
    from: NaiveDate,
    until: NaiveDate,
) -> Result<AuthorisationRecord, OrgError> {
    let org = require(principal, Capacity::Administer, "authorise representatives")?;
    let representative = TraderId::new(representative.trim().to_string())
        .map_err(|e| OrgError::Invalid("representative", Phrase::new("problem-party-id").with("detail", e)))?;
    if representative == org {
        return Err(OrgError::Invalid("representative", Phrase::new("problem-represent-self")));
    }
    if !state.store.trader_known(&representative).await? {
        return Err(OrgError::Invalid(
            "representative",
            Phrase::new("problem-unknown-trader").with("id", &representative),
        ));
    }
    let today = chrono::Utc::now().date_naive();
    if until < from || until < today || (until - from).num_days() > MAX_AUTHORISATION_DAYS {
        return Err(OrgError::Invalid(
            "valid_until",
            Phrase::new("problem-period").with("days", MAX_AUTHORISATION_DAYS),
        ));
    }
    let record = AuthorisationRecord {
        id: uuid::Uuid::now_v7().simple().to_string(),
        representative: representative.to_string(),
        declarant: org.to_string(),
        valid_from: from,
        valid_until: until,
        granted_by: principal.name.clone(),
        granted_at_us: Timestamp::now(),
        revoked_by: None,
        revoked_at_us: None,
    };
    state.store.grant(&record).await?;
    Ok(record)
}

/// Revokes one of the caller's organisation's authorisations.
pub async fn revoke(state: &AppState, principal: &Principal, id: &str) -> Result<(), OrgError> {
    let org = require(principal, Capacity::Administer, "authorise representatives")?;
    match state.store.revoke_authorisation(id, &org, &principal.name, Timestamp::now()).await? {
        true => Ok(()),
        false => Err(OrgError::NotFound(format!("authorisation {id} in force"))),
    }
}

/// Whether `filer` may file for `declarant` on `day`: `Ok(())`, or why not: it never held an
/// authorisation of that declarant (`false`), or holds none in force that day (`true`).
pub async fn may_represent(
    state: &AppState,
    filer: &TraderId,
    declarant: &TraderId,
    day: NaiveDate,
) -> Result<Result<(), bool>, StoreError> {
    if state.store.authorised(filer, declarant, day).await? {
        return Ok(Ok(()));
    }
    let held = state.store.authorisations(filer).await?;
    let ever = held.iter().any(|a| a.representative == filer.as_str() && a.declarant == declarant.as_str());
    Ok(Err(ever))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn capacities_are_read_from_their_names() {
        let caps = parse_capacities(["filer, payer", "filer"]).map_err(|e| e.to_string());
        assert_eq!(caps, Ok(vec![Capacity::File, Capacity::Pay]));
        assert!(parse_capacities(["owner"]).is_err());
        assert!(parse_capacities([" ", ""]).is_err());
        assert_eq!(stored(&[Capacity::View, Capacity::Administer]), "viewer,admin");
    }
}
