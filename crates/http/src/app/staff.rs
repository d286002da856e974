//! The administrator's changes of who works in the system and where: people who sign in (any
//! role: customs staff, traders' users, members), their disabling, and the customs offices.
//! Each change of a person is written to the audit log with the administrator's name.

use smartcustoms_core::access::{Principal, Role};
use smartcustoms_core::ids::{OfficeCode, TraderId};
use smartcustoms_core::timestamp::Timestamp;
use smartcustoms_storage::NewUser;
use smartcustoms_storage::StoreError;
use smartcustoms_storage::{Office, UserRecord};

use super::Forbidden;
use crate::i18n::Phrase;
use crate::state::AppState;

/// Who administers people and offices.
pub const ADMINS: &[Role] = &[Role::Admin];

/// Why a change is not made.
#[derive(Debug, thiserror::Error)]
pub enum StaffError {
    /// The caller's role may not do this.
    #[error(transparent)]
    Forbidden(#[from] Forbidden),
    /// A value is not valid: the field and what is wrong.
    #[error("{0}: {1}")]
    Invalid(&'static str, Phrase),
    /// No such person.
    #[error("{0} is not found")]
    NotFound(String),
    /// The sign-in name is another person's already.
    #[error("{0}")]
    Taken(Phrase),
    /// The store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// A person to add: sign-in name, name shown and first password.
#[derive(Debug, Clone, Copy)]
pub struct Person<'a> {
    /// Sign-in name: 3 to 64 lower-case letters, digits, dots, dashes or underscores.
    pub name: &'a str,
    /// Name shown on pages, 1 to 100 characters.
    pub display_name: &'a str,
    /// First password, 10 to 200 characters (only its Argon2id hash is kept).
    pub password: &'a str,
}

impl Person<'_> {
    /// The first problem of the person's fields: field and what is wrong.
    pub fn problem(&self) -> Option<(&'static str, Phrase)> {
        let name_ok = (3..=64).contains(&self.name.len())
            && self.name.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b"._-".contains(&b));
        if !name_ok {
            return Some(("name", Phrase::new("problem-user-name")));
        }
        if self.display_name.trim().is_empty() || self.display_name.chars().count() > 100 {
            return Some(("display_name", Phrase::new("problem-display-name")));
        }
        if !(10..=200).contains(&self.password.chars().count()) {
            return Some(("password", Phrase::new("problem-password")));
        }
        None
    }

    /// The stored record of the person acting as `principal`, its password hashed off the
    /// request threads.
    pub async fn record(&self, principal: Principal) -> Result<NewUser, StoreError> {
        let password = self.password.to_string();
        let hash = tokio::task::spawn_blocking(move || crate::identity::hash_password(&password))
            .await
            .map_err(|e| StoreError::Internal(e.to_string()))?
            .map_err(|e| StoreError::Internal(e.to_string()))?;
        Ok(crate::identity::user_record(self.name, self.display_name.trim(), &hash, principal))
    }
}

/// Adds a person with a role; a trader's user names its organisation (`party`), nobody else
/// does.
pub async fn add_person(
    state: &AppState,
    caller: &Principal,
    person: Person<'_>,
    role: Role,
    party: Option<&str>,
) -> Result<(), StaffError> {
    let admin = super::require(caller, ADMINS, "add people")?;
    if let Some((field, problem)) = person.problem() {
        return Err(StaffError::Invalid(field, problem));
    }
    let trader = match (role, party.map(str::trim).filter(|p| !p.is_empty())) {
        (Role::Trader, None) => return Err(StaffError::Invalid("party", Phrase::new("problem-party-missing"))),
        (Role::Trader, Some(p)) => Some(
            TraderId::new(p.to_string())
                .map_err(|e| StaffError::Invalid("party", Phrase::new("problem-party-id").with("detail", e)))?,
        ),
        (_, Some(_)) => return Err(StaffError::Invalid("party", Phrase::new("problem-party-not-trader"))),
        (_, None) => None,
    };
    let record = person.record(Principal::new(person.name, role, trader)).await?;
    match state.store.add_user(&record, &admin.name).await {
        Err(StoreError::Conflict(_)) => {
            Err(StaffError::Taken(Phrase::new("problem-name-taken").with("name", person.name)))
        }
        other => Ok(other?),
    }
}

/// Disables a person: no more sign-in, its sessions end; what it did stays in the audit log.
/// An administrator cannot disable itself.
pub async fn disable_person(state: &AppState, caller: &Principal, name: &str, at: Timestamp) -> Result<(), StaffError> {
    let admin = super::require(caller, ADMINS, "disable people")?;
    if name == admin.name {
        return Err(StaffError::Invalid("name", Phrase::new("problem-disable-self")));
    }
    match state.store.disable_user(name, &admin.name, at).await {
        Err(StoreError::NotFound) => Err(StaffError::NotFound(format!("user {name}"))),
        other => {
            other?;
            state.forget_principals();
            Ok(())
        }
    }
}

/// Creates or renames a customs office (audited as `office_saved`); the reference data in force
/// is reloaded at once.
pub async fn put_office(state: &AppState, caller: &Principal, code: &str, name: &str) -> Result<(), StaffError> {
    super::require(caller, ADMINS, "change customs offices")?;
    let code = OfficeCode::parse(code.trim())
        .map_err(|e| StaffError::Invalid("code", Phrase::new("problem-office-code").with("detail", e)))?;
    let name = name.trim();
    if name.is_empty() || name.chars().count() > 200 {
        return Err(StaffError::Invalid("office_name", Phrase::new("problem-office-name")));
    }
    state.store.save_office(code.as_str(), name, &caller.name, Timestamp::now()).await?;
    state.reload_reference_data().await?;
    Ok(())
}

/// Most people one page of [`people`] holds.
pub const MAX_PEOPLE_PAGE: i64 = 500;

/// One page of the people who sign in, by sign-in name: those after `after` (empty: from the
/// first), at most `limit`, disabled ones included.
pub async fn people(
    state: &AppState,
    caller: &Principal,
    after: &str,
    limit: i64,
) -> Result<Vec<UserRecord>, StaffError> {
    super::require(caller, ADMINS, "list people")?;
    if !(1..=MAX_PEOPLE_PAGE).contains(&limit) {
        return Err(StaffError::Invalid("limit", Phrase::new("problem-people-limit").with("max", MAX_PEOPLE_PAGE)));
    }
    Ok(state.store.users_after(after, limit).await?)
}

/// A person as stored (just added, say).
pub async fn person(state: &AppState, caller: &Principal, name: &str) -> Result<UserRecord, StaffError> {
    super::require(caller, ADMINS, "read people")?;
    state.store.user(name).await?.ok_or_else(|| StaffError::NotFound(format!("user {name}")))
}

/// The customs offices, by code: reference data every signed-in caller may read.
pub async fn offices(state: &AppState) -> Result<Vec<Office>, StaffError> {
    Ok(state.store.offices().await?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_person_needs_a_plain_name_a_shown_name_and_a_long_password() {
        let ok = Person { name: "j.smith", display_name: "Jane Smith", password: "long enough pass" };
        assert_eq!(ok.problem(), None);
        assert_eq!(Person { name: "JS", ..ok }.problem().map(|p| p.0), Some("name"));
        assert_eq!(Person { name: "jane smith", ..ok }.problem().map(|p| p.0), Some("name"));
        assert_eq!(Person { display_name: " ", ..ok }.problem().map(|p| p.0), Some("display_name"));
        assert_eq!(Person { password: "short", ..ok }.problem().map(|p| p.0), Some("password"));
    }
}
