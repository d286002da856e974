//! The filing desk of a trader's users: drafts of declarations and the personal signing key the
//! server holds sealed under the user's passphrase (see [`smartcustoms_core::sealed_key`]).

use smartcustoms_core::access::{Principal, Role};
use smartcustoms_core::ids::TraderId;
use smartcustoms_core::sealed_key::{self, SealError};
use smartcustoms_core::signature;
use smartcustoms_core::timestamp::Timestamp;
use smartcustoms_storage::{Draft, PersonalKey, StoreError};

use super::organisation::Capacity;
use crate::state::AppState;

/// Roles that prepare and file declarations.
pub const FILERS: &[Role] = &[Role::Trader];

/// Most fields a draft keeps.
pub const MAX_DRAFT_FIELDS: usize = 2_000;

/// Why a desk action failed.
#[derive(Debug, thiserror::Error)]
pub enum DeskError {
    /// The caller may not file.
    #[error(transparent)]
    Forbidden(#[from] super::Forbidden),
    /// The user has no personal signing key yet.
    #[error("you have no signing key yet: make one on your account page")]
    NoKey,
    /// The two passphrases given differ.
    #[error("the two passphrases differ")]
    Mismatch,
    /// The passphrase is not accepted or does not open the key.
    #[error(transparent)]
    Seal(#[from] SealError),
    /// The draft has too many fields.
    #[error("a draft keeps at most {MAX_DRAFT_FIELDS} fields")]
    TooBig,
    /// The declaration to copy cannot be read by the caller.
    #[error(transparent)]
    Read(#[from] super::declarations::ReadError),
    /// The store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// The organisation a user files for, when the user has the filer capacity in it.
pub fn declarant(principal: &Principal) -> Result<TraderId, DeskError> {
    let refused = super::Forbidden { role: principal.role.as_str(), action: "file without a party id" };
    super::require(principal, FILERS, "file declarations")?;
    super::organisation::require(principal, Capacity::File, "file declarations")?;
    principal.trader.clone().ok_or(DeskError::Forbidden(refused))
}

/// Makes the user a new personal signing key sealed under `passphrase` and registers its public
/// half as the declarant's key. A former key stays registered (its signatures stay verifiable)
/// but no longer signs.
pub async fn make_key(
    state: &AppState,
    principal: &Principal,
    passphrase: &str,
    again: &str,
) -> Result<PersonalKey, DeskError> {
    let trader = declarant(principal)?;
    sealed_key::check_passphrase(passphrase)?;
    if passphrase != again {
        return Err(DeskError::Mismatch);
    }
    let given = passphrase.to_string();
    let (key, sealed) = tokio::task::spawn_blocking(move || sealed_key::generate(&given))
        .await
        .map_err(|e| StoreError::Corrupt(e.to_string()))??;
    let public = key.verifying_key();
    let record = PersonalKey {
        user: principal.name.clone(),
        trader,
        kid: signature::key_id(&public),
        public_key: signature::encode_public_key(&public),
        sealed,
        created_at_us: Timestamp::now(),
    };
    state.store.put_personal_key(&record).await?;
    Ok(record)
}

/// The user's personal key, if made.
pub async fn key(state: &AppState, principal: &Principal) -> Result<Option<PersonalKey>, DeskError> {
    declarant(principal)?;
    Ok(state.store.personal_key(&principal.name).await?)
}

/// Signs `body` with the user's personal key opened by `passphrase`: a detached JWS anyone can
/// verify with the registered public key.
pub async fn sign(state: &AppState, principal: &Principal, passphrase: &str, body: &[u8]) -> Result<String, DeskError> {
    let key = key(state, principal).await?.ok_or(DeskError::NoKey)?;
    let (given, body) = (passphrase.to_string(), body.to_vec());
    tokio::task::spawn_blocking(move || {
        let signing = sealed_key::open(&key.sealed, &given)?;
        Ok(signature::sign_detached(&signing, &body))
    })
    .await
    .map_err(|e| StoreError::Corrupt(e.to_string()))?
}

/// Saves the form's fields as a draft (`id` given: over that draft of the declarant); returns
/// its id.
pub async fn save_draft(
    state: &AppState,
    principal: &Principal,
    id: Option<&str>,
    title: &str,
    fields: &[(String, String)],
) -> Result<String, DeskError> {
    let trader = declarant(principal)?;
    if fields.len() > MAX_DRAFT_FIELDS {
        return Err(DeskError::TooBig);
    }
    let id = match id.filter(|i| is_draft_id(i)) {
        Some(i) => i.to_string(),
        None => crate::identity::random_secret(12),
    };
    let fields = serde_json::to_string(fields).map_err(|e| StoreError::Corrupt(e.to_string()))?;
    let title: String = title.chars().take(80).collect();
    let draft = Draft {
        id: id.clone(),
        trader_id: trader.to_string(),
        author: principal.name.clone(),
        title,
        fields,
        saved_at_us: Timestamp::now(),
    };
    state.store.save_draft(&draft).await?;
    Ok(id)
}

/// A draft's fields; `None` when the declarant has no draft of this id.
pub async fn draft(
    state: &AppState,
    principal: &Principal,
    id: &str,
) -> Result<Option<(Draft, Vec<(String, String)>)>, DeskError> {
    let trader = declarant(principal)?;
    if !is_draft_id(id) {
        return Ok(None);
    }
    let Some(draft) = state.store.draft(&trader, id).await? else { return Ok(None) };
    let fields = serde_json::from_str(&draft.fields).map_err(|e| StoreError::Corrupt(e.to_string()))?;
    Ok(Some((draft, fields)))
}

/// The declarant's drafts, newest first.
pub async fn drafts(state: &AppState, principal: &Principal) -> Result<Vec<Draft>, DeskError> {
    Ok(state.store.drafts(&declarant(principal)?).await?)
}

/// Deletes a draft (after it was filed, or on request).
pub async fn delete_draft(state: &AppState, principal: &Principal, id: &str) -> Result<bool, DeskError> {
    let trader = declarant(principal)?;
    Ok(is_draft_id(id) && state.store.delete_draft(&trader, id).await?)
}

/// A filed declaration of the caller's, to start a new one from ("copy as new", or "fix and
/// resubmit" of a refused one): its document and the reasons it was refused for, if it was.
pub async fn copy_of(
    state: &AppState,
    principal: &Principal,
    id: smartcustoms_core::ids::DeclarationId,
) -> Result<(smartcustoms_core::declaration::DeclarationDoc, Vec<smartcustoms_core::registration::Reason>), DeskError> {
    declarant(principal)?;
    let record = super::declarations::readable(state, principal, id).await?;
    let doc = smartcustoms_core::declaration::DeclarationDoc::from_json(&record.document)
        .map_err(|e| StoreError::Corrupt(format!("declaration {id}: {}", e.message)))?;
    Ok((doc, record.reasons))
}

/// Draft ids are what [`crate::identity::random_secret`] makes: URL-safe, short.
fn is_draft_id(id: &str) -> bool {
    (8..=64).contains(&id.len()) && id.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}
