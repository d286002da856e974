//! The backend-neutral part of recording a batch: which filings are new, how many
//! registration numbers each office and day needs, and the rows to insert. The backends only
//! read the current state (existing idempotency keys, sequence counters, audit head) and write
//! the rows this module plans.

use std::collections::{BTreeMap, HashMap};

use chrono::NaiveDate;

use smartcustoms_core::audit::{self, AuditEntry};
use smartcustoms_core::ids::RegistrationNumber;
use smartcustoms_core::registration::{self, Decision, SubmissionFacts};
use smartcustoms_core::release::{self, ReleaseDocument};
use smartcustoms_core::timestamp::rfc3339;

use crate::records::{DecisionColumns, DeclarationSummary, Filing, Recorded};
use crate::StoreError;

/// Key of a daily registration sequence.
pub(crate) type SequenceKey = (String, NaiveDate);

/// The office and date a registered filing is numbered under, `None` when refused.
pub(crate) fn sequence_key(f: &Filing) -> Option<SequenceKey> {
    match &f.decision {
        Decision::Registered { declaration, .. } => Some((declaration.office.clone(), f.date)),
        Decision::Refused { .. } => None,
    }
}

/// Splits a batch into new filings and repeats of an idempotency key, given the keys already
/// stored. A key repeated inside the batch refers to its first filing in the batch.
pub(crate) enum Slot {
    New,
    Stored(DeclarationSummary),
    SameAs(usize),
}

pub(crate) fn slots(batch: &[Filing], stored: &HashMap<(String, String), DeclarationSummary>) -> Vec<Slot> {
    let mut first_in_batch: HashMap<(&str, &str), usize> = HashMap::new();
    batch
        .iter()
        .enumerate()
        .map(|(i, f)| {
            let Some(key) = f.idempotency_key.as_deref() else { return Slot::New };
            if let Some(s) = stored.get(&(f.declarant.0.clone(), key.to_string())) {
                return Slot::Stored(s.clone());
            }
            match first_in_batch.get(&(f.declarant.0.as_str(), key)) {
                Some(&first) => Slot::SameAs(first),
                None => {
                    first_in_batch.insert((f.declarant.0.as_str(), key), i);
                    Slot::New
                }
            }
        })
        .collect()
}

/// How many new numbers each office and day needs.
pub(crate) fn number_demand(batch: &[Filing], slots: &[Slot]) -> BTreeMap<SequenceKey, i64> {
    let mut demand = BTreeMap::new();
    for (f, s) in batch.iter().zip(slots) {
        if let (Slot::New, Some(key)) = (s, sequence_key(f)) {
            *demand.entry(key).or_insert(0) += 1;
        }
    }
    demand
}

/// A declaration row to insert.
pub(crate) struct DeclarationRow<'a> {
    pub filing: &'a Filing,
    pub columns: DecisionColumns,
    pub number: Option<RegistrationNumber>,
}

/// A notification to insert.
pub(crate) struct NotificationRow {
    pub recipient: String,
    pub kind: &'static str,
    pub payload: String,
    pub created_at_us: i64,
}

/// Everything a batch writes.
pub(crate) struct Plan<'a> {
    pub declarations: Vec<DeclarationRow<'a>>,
    pub audit: Vec<AuditEntry>,
    pub releases: Vec<ReleaseDocument>,
    pub notifications: Vec<NotificationRow>,
    pub outcomes: Vec<Recorded>,
}

impl Plan<'_> {
    /// The new audit head after this batch, if it wrote entries.
    pub fn head(&self) -> Option<(i64, &str)> {
        self.audit.last().map(|e| (e.seq, e.hash.as_str()))
    }
}

/// Plans the rows of a batch. `last_numbers` holds, per office and day, the last sequence
/// number allocated *including* this batch's demand.
pub(crate) fn plan<'a>(
    batch: &'a [Filing],
    slots: Vec<Slot>,
    last_numbers: &BTreeMap<SequenceKey, i64>,
    head: (i64, String),
) -> Result<Plan<'a>, StoreError> {
    let demand = number_demand(batch, &slots);
    let mut next: BTreeMap<SequenceKey, i64> =
        demand.iter().map(|(k, n)| (k.clone(), last_numbers.get(k).copied().unwrap_or(*n) - n + 1)).collect();
    let mut plan = Plan {
        declarations: Vec::new(),
        audit: Vec::new(),
        releases: Vec::new(),
        notifications: Vec::new(),
        outcomes: Vec::with_capacity(batch.len()),
    };
    let mut new_entries = Vec::new();
    let mut created: HashMap<usize, DeclarationSummary> = HashMap::new();
    for (i, (filing, slot)) in batch.iter().zip(slots).enumerate() {
        match slot {
            Slot::Stored(s) => plan.outcomes.push(Recorded::Duplicate(s)),
            Slot::SameAs(first) => {
                let s = created.get(&first).cloned().ok_or_else(|| StoreError::Corrupt("batch order".into()))?;
                plan.outcomes.push(Recorded::Duplicate(s));
            }
            Slot::New => {
                let number = match sequence_key(filing) {
                    Some(key) => {
                        let seq = next.get_mut(&key).ok_or_else(|| StoreError::Corrupt("sequence plan".into()))?;
                        let n = RegistrationNumber::new(&key.0, key.1, *seq as u64)
                            .map_err(|e| StoreError::Conflict(e.to_string()))?;
                        *seq += 1;
                        Some(n)
                    }
                    None => None,
                };
                let facts = SubmissionFacts {
                    id: filing.id,
                    declarant: &filing.declarant.0,
                    document_sha256: &filing.document_sha256,
                    at_us: filing.at_us,
                };
                let trail = registration::audit_trail(&facts, &filing.decision, number.as_ref())
                    .map_err(|e| StoreError::Corrupt(e.to_string()))?;
                new_entries.extend(trail);
                if let (Decision::Registered { auto_release: true, declaration, .. }, Some(n)) =
                    (&filing.decision, &number)
                {
                    let doc = ReleaseDocument {
                        number: release::document_number(n),
                        declaration_id: filing.id.to_string(),
                        registration_number: n.to_string(),
                        released_at: rfc3339(filing.at_us),
                        location_of_goods: declaration.location_of_goods.clone(),
                        automatic: true,
                    };
                    plan.notifications.push(NotificationRow {
                        recipient: doc.location_of_goods.clone(),
                        kind: "release",
                        payload: serde_json::to_string(&doc).map_err(|e| StoreError::Corrupt(e.to_string()))?,
                        created_at_us: filing.at_us,
                    });
                    plan.releases.push(doc);
                }
                let columns = DecisionColumns::of(&filing.decision);
                let summary = DeclarationSummary {
                    id: filing.id,
                    declarant: filing.declarant.clone(),
                    state: columns.state,
                    lane: columns.lane,
                    registration_number: number.clone(),
                    office: filing.office.clone(),
                    received_at_us: filing.at_us,
                    registered_at_us: number.as_ref().map(|_| filing.at_us),
                    updated_at_us: filing.at_us,
                };
                created.insert(i, summary.clone());
                plan.outcomes.push(Recorded::Created(summary));
                plan.declarations.push(DeclarationRow { filing, columns, number });
            }
        }
    }
    plan.audit = audit::chain_all(new_entries, head.0, &head.1);
    Ok(plan)
}

/// What an officer's decision writes.
pub(crate) struct ControlPlan {
    pub summary: DeclarationSummary,
    pub entry: AuditEntry,
    pub release: Option<(ReleaseDocument, NotificationRow)>,
}

/// Plans an officer's decision on a stored declaration (its summary and filed document).
pub(crate) fn plan_control(
    mut summary: DeclarationSummary,
    document: &[u8],
    decision: &smartcustoms_core::release::ControlDecision,
    officer: &str,
    at_us: i64,
    head: (i64, String),
) -> Result<ControlPlan, StoreError> {
    let id = summary.id.to_string();
    let (next, entry) =
        release::control_outcome(&id, summary.state, decision, officer, summary.registration_number.as_ref(), at_us)
            .map_err(|e| StoreError::Conflict(e.to_string()))?;
    let entry = entry.chain(head.0, &head.1);
    let release = match (&summary.registration_number, decision.release) {
        (Some(n), true) => {
            let location = serde_json::from_slice::<smartcustoms_core::declaration::DeclarationDoc>(document)
                .ok()
                .and_then(|d| d.location_of_goods)
                .unwrap_or_default();
            let doc = ReleaseDocument {
                number: release::document_number(n),
                declaration_id: id,
                registration_number: n.to_string(),
                released_at: rfc3339(at_us),
                location_of_goods: location.clone(),
                automatic: false,
            };
            let note = NotificationRow {
                recipient: location,
                kind: "release",
                payload: serde_json::to_string(&doc).map_err(|e| StoreError::Corrupt(e.to_string()))?,
                created_at_us: at_us,
            };
            Some((doc, note))
        }
        _ => None,
    };
    summary.state = next;
    summary.updated_at_us = at_us;
    Ok(ControlPlan { summary, entry, release })
}
