//! The tariff as stored: one versioned entry per measure (per validity period), country group
//! and exchange rate. Converts between a tariff file and store entries and loads the tariff
//! in force.

use serde::Serialize;
use utoipa::ToSchema;

use smartcustoms_core::tariff::{Tariff, TariffFile};
use smartcustoms_core::timestamp::Timestamp;
use smartcustoms_storage::{NewTariffEntry, Store, StoreResult, TariffEntryRecord, TariffKind};

/// Why a tariff change is not made.
#[derive(Debug, thiserror::Error)]
pub enum TariffError {
    /// The tariff that would result does not validate; every problem is listed.
    #[error("the tariff is not valid: {}", .0.join("; "))]
    Invalid(Vec<String>),
    /// No entry of this kind and key is in force.
    #[error("tariff {kind} {key} not found")]
    NotFound {
        /// The entry's kind.
        kind: &'static str,
        /// Its key.
        key: String,
    },
    /// The store failed.
    #[error(transparent)]
    Store(#[from] smartcustoms_storage::StoreError),
}

/// The stable key of each entry of a tariff file: a measure's id with the start of its
/// validity (one line has one entry per period), a group's code, a currency with the start of
/// the rate's validity.
pub fn entries_of(file: &TariffFile) -> Result<Vec<NewTariffEntry>, String> {
    let mut entries = Vec::with_capacity(file.measures.len() + file.groups.len() + file.rates.len());
    let json = |v: serde_json::Result<serde_json::Value>| v.map_err(|e| e.to_string());
    for m in &file.measures {
        entries.push(NewTariffEntry {
            kind: TariffKind::Measure,
            key: format!("{}@{}", m.id, m.valid_from),
            body: json(serde_json::to_value(m))?,
            withdrawn: false,
        });
    }
    for g in &file.groups {
        entries.push(NewTariffEntry {
            kind: TariffKind::Group,
            key: g.code.clone(),
            body: json(serde_json::to_value(g))?,
            withdrawn: false,
        });
    }
    for r in &file.rates {
        entries.push(NewTariffEntry {
            kind: TariffKind::Rate,
            key: format!("{}@{}", r.currency, r.valid_from),
            body: json(serde_json::to_value(r))?,
            withdrawn: false,
        });
    }
    Ok(entries)
}

/// The tariff file made of the entries in force (latest version of each, not withdrawn).
pub fn file_of(records: &[TariffEntryRecord]) -> Result<TariffFile, String> {
    let mut file = TariffFile::default();
    for r in records.iter().filter(|r| !r.withdrawn) {
        let body = r.body.clone();
        let bad =
            |e: serde_json::Error| format!("stored tariff entry {} {} v{}: {e}", r.kind.as_str(), r.key, r.version);
        match r.kind {
            TariffKind::Measure => file.measures.push(serde_json::from_value(body).map_err(bad)?),
            TariffKind::Group => file.groups.push(serde_json::from_value(body).map_err(bad)?),
            TariffKind::Rate => file.rates.push(serde_json::from_value(body).map_err(bad)?),
        }
    }
    Ok(file)
}

/// The file of `current` with `changes` applied (same key replaces, new key adds).
pub fn merge(current: &[TariffEntryRecord], changes: &[NewTariffEntry]) -> Vec<TariffEntryRecord> {
    let mut merged: Vec<TariffEntryRecord> = current.to_vec();
    for c in changes {
        let record = TariffEntryRecord {
            kind: c.kind,
            key: c.key.clone(),
            version: 0,
            body: c.body.clone(),
            withdrawn: c.withdrawn,
            author: String::new(),
            created_at_us: Timestamp::EPOCH,
        };
        match merged.iter_mut().find(|r| r.kind == c.kind && r.key == c.key) {
            Some(existing) => *existing = record,
            None => merged.push(record),
        }
    }
    merged
}

/// Loads the tariff in force. A stored tariff that no longer validates (it was validated when
/// saved) is logged and replaced by an empty one, under which every declaration is refused
/// with TAR_001 rather than assessed wrongly.
pub async fn load(store: &dyn Store) -> StoreResult<Tariff> {
    let records = store.tariff_entries().await?;
    let tariff = file_of(&records).map_err(|e| vec![e]).and_then(Tariff::from_file);
    Ok(tariff.unwrap_or_else(|problems| {
        tracing::error!(?problems, "the stored tariff does not validate; declarations cannot be assessed");
        Tariff::default()
    }))
}

/// What a tariff change did.
#[derive(Debug, Serialize, ToSchema)]
pub struct TariffChange {
    /// The entry versions written.
    pub changed: Vec<TariffEntryRecord>,
    /// Entries in the file identical to the version in force, not written again.
    pub unchanged: usize,
}

/// Validates a tariff file against the tariff in force and stores the entries that differ.
pub async fn apply(store: &dyn Store, file: &TariffFile, author: &str) -> Result<TariffChange, TariffError> {
    let entries = entries_of(file).map_err(|e| TariffError::Invalid(vec![e]))?;
    let current = store.tariff_entries().await?;
    let changes: Vec<_> = entries
        .into_iter()
        .filter(|e| !current.iter().any(|c| c.kind == e.kind && c.key == e.key && c.body == e.body && !c.withdrawn))
        .collect();
    let unchanged = file.measures.len() + file.groups.len() + file.rates.len() - changes.len();
    validate(&current, &changes)?;
    let changed = store.add_tariff_entries(&changes, author, Timestamp::now()).await?;
    Ok(TariffChange { changed, unchanged })
}

/// Withdraws an entry in force: a new version marked withdrawn, written only when the rest of
/// the tariff still validates.
pub async fn withdraw(
    store: &dyn Store,
    kind: TariffKind,
    key: String,
    author: &str,
) -> Result<TariffEntryRecord, TariffError> {
    let current = store.tariff_entries().await?;
    let entry = current
        .iter()
        .find(|c| c.kind == kind && c.key == key && !c.withdrawn)
        .ok_or_else(|| TariffError::NotFound { kind: kind.as_str(), key: key.clone() })?;
    let change = NewTariffEntry { kind, key, body: entry.body.clone(), withdrawn: true };
    validate(&current, std::slice::from_ref(&change))?;
    let mut written = store.add_tariff_entries(&[change], author, Timestamp::now()).await?;
    written
        .pop()
        .ok_or_else(|| TariffError::Store(smartcustoms_storage::StoreError::Internal("no version written".into())))
}

/// Checks that the tariff in force with `changes` applied validates as a whole.
fn validate(current: &[TariffEntryRecord], changes: &[NewTariffEntry]) -> Result<(), TariffError> {
    let merged = merge(current, changes);
    file_of(&merged).map_err(|e| vec![e]).and_then(Tariff::from_file).map_err(TariffError::Invalid)?;
    Ok(())
}
