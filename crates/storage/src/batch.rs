//! The backend-neutral part of every writing transaction: which filings are new, whose duties
//! are covered, how many registration numbers each office and day needs, and the rows to write. The backends only
//! read the current state (existing idempotency keys, sequence counters, audit head) and write
//! the rows this module plans.

use std::collections::{BTreeMap, HashMap};

use chrono::NaiveDate;

use smartcustoms_core::audit::{self, Action, NewEntry};
use smartcustoms_core::ids::{DeclarationId, RegistrationNumber, TraderId};
use smartcustoms_core::ledger::{Overdraft, Posting};
use smartcustoms_core::registration::{self, Admission, Decision, Registrable, SubmissionFacts};
use smartcustoms_core::release::{self, ControlDecision, ReleaseDocument};
use smartcustoms_core::timestamp::Timestamp;
use smartcustoms_core::workflow::State;

use crate::declarations::*;
use crate::ledger::*;
use crate::money::Ledger;
use crate::writeset::{DeclarationRow, DeclarationUpdate, NotificationRow, OutcomeRow, WriteSet};
use crate::StoreError;

/// Key of a daily registration sequence.
pub(crate) type SequenceKey = (smartcustoms_core::ids::OfficeCode, NaiveDate);

/// The office and date a filing is numbered under, `None` unless it is registered now.
pub(crate) fn sequence_key(f: &Filing, admission: Option<Admission>) -> Option<SequenceKey> {
    match (&f.decision, admission) {
        (Decision::Accepted(a), Some(Admission::Registered)) => Some((a.declaration.office.clone(), f.date)),
        _ => None,
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
            if let Some(s) = stored.get(&(f.declarant.to_string(), key.to_string())) {
                return Slot::Stored(s.clone());
            }
            match first_in_batch.get(&(f.declarant.as_str(), key)) {
                Some(&first) => Slot::SameAs(first),
                None => {
                    first_in_batch.insert((f.declarant.as_str(), key), i);
                    Slot::New
                }
            }
        })
        .collect()
}

/// Applies the last registration condition, duties covered, to every new accepted filing in
/// batch order, reserving (and on automatic release debiting) the duties of those covered.
pub(crate) fn admit(
    batch: &[Filing],
    slots: &[Slot],
    ledger: &mut Ledger,
) -> Result<Vec<Option<Admission>>, StoreError> {
    batch
        .iter()
        .zip(slots)
        .map(|(f, slot)| {
            let (Slot::New, Some(accepted)) = (slot, f.decision.accepted()) else { return Ok(None) };
            let registrable = &accepted.registrable;
            let admission = registration::admit(&registrable.taxes, ledger.available(&f.declarant));
            if admission == Admission::Registered {
                ledger.register(&f.declarant, &f.id.to_string(), registrable, f.at_us)?;
            }
            Ok(Some(admission))
        })
        .collect()
}

/// The traders whose money a batch may move.
pub(crate) fn traders(batch: &[Filing], slots: &[Slot]) -> Vec<TraderId> {
    let mut traders: Vec<TraderId> = batch
        .iter()
        .zip(slots)
        .filter(|(f, s)| matches!(s, Slot::New) && f.decision.accepted().is_some())
        .map(|(f, _)| f.declarant.clone())
        .collect();
    traders.sort_unstable();
    traders.dedup();
    traders
}

/// How many new numbers each office and day needs.
pub(crate) fn number_demand(keys: impl IntoIterator<Item = Option<SequenceKey>>) -> BTreeMap<SequenceKey, i64> {
    let mut demand = BTreeMap::new();
    for key in keys.into_iter().flatten() {
        *demand.entry(key).or_insert(0) += 1;
    }
    demand
}

/// The sequence keys of a batch's filings, given their admissions.
pub(crate) fn batch_keys<'a>(
    batch: &'a [Filing],
    admissions: &'a [Option<Admission>],
) -> impl Iterator<Item = Option<SequenceKey>> + 'a {
    batch.iter().zip(admissions).map(|(f, a)| sequence_key(f, *a))
}

/// Hands out the numbers allocated to a transaction, in order.
pub(crate) struct Numbers {
    next: BTreeMap<SequenceKey, i64>,
}

impl Numbers {
    /// `last_numbers` holds, per office and day, the last number allocated *including* `demand`.
    pub fn new(demand: &BTreeMap<SequenceKey, i64>, last_numbers: &BTreeMap<SequenceKey, i64>) -> Numbers {
        Numbers {
            next: demand.iter().map(|(k, n)| (k.clone(), last_numbers.get(k).copied().unwrap_or(*n) - n + 1)).collect(),
        }
    }

    /// The next number for an office and day.
    pub fn take(&mut self, key: &SequenceKey) -> Result<RegistrationNumber, StoreError> {
        let seq = self.next.get_mut(key).ok_or_else(|| StoreError::Internal("sequence plan".into()))?;
        let n = RegistrationNumber::new(key.0.as_str(), key.1, *seq as u64)
            .map_err(|e| StoreError::Conflict(e.to_string()))?;
        *seq += 1;
        Ok(n)
    }
}

fn release_rows(
    id: &str,
    number: &RegistrationNumber,
    location: &str,
    at_us: Timestamp,
    automatic: bool,
) -> Result<(ReleaseDocument, NotificationRow), StoreError> {
    let doc = ReleaseDocument {
        number: release::document_number(number),
        declaration_id: id.to_string(),
        registration_number: number.to_string(),
        released_at: at_us.rfc3339(),
        location_of_goods: location.to_string(),
        automatic,
    };
    let note = NotificationRow {
        recipient: location.to_string(),
        kind: "release",
        payload: serde_json::to_string(&doc).map_err(|e| StoreError::Internal(e.to_string()))?,
        created_at_us: at_us,
    };
    Ok((doc, note))
}

/// Plans the rows of a batch.
pub(crate) fn plan<'a>(
    batch: &'a [Filing],
    slots: Vec<Slot>,
    admissions: &[Option<Admission>],
    mut numbers: Numbers,
    ledger: Ledger,
    head: (i64, String),
) -> Result<(WriteSet<'a>, Vec<Recorded>), StoreError> {
    let mut set = WriteSet::default();
    let mut outcomes = Vec::with_capacity(batch.len());
    let mut new_entries = Vec::new();
    let mut created: HashMap<usize, DeclarationSummary> = HashMap::new();
    for (i, ((filing, slot), admission)) in batch.iter().zip(slots).zip(admissions).enumerate() {
        match slot {
            Slot::Stored(s) => outcomes.push(Recorded::Duplicate(s)),
            Slot::SameAs(first) => {
                let s = created.get(&first).cloned().ok_or_else(|| StoreError::Internal("batch order".into()))?;
                outcomes.push(Recorded::Duplicate(s));
            }
            Slot::New => {
                let number = sequence_key(filing, *admission).map(|key| numbers.take(&key)).transpose()?;
                let facts = SubmissionFacts {
                    id: filing.id,
                    declarant: filing.declarant.as_str(),
                    document_sha256: &filing.document_sha256,
                    representative: filing.representative.as_ref().map(|(r, user)| (r.as_str(), user.as_str())),
                    at_us: filing.at_us,
                };
                let trail = registration::audit_trail(&facts, &filing.decision, *admission, number.as_ref())
                    .map_err(|e| StoreError::Internal(format!("illegal transition: {e}")))?;
                new_entries.extend(trail);
                if let (Some(accepted), Some(n)) = (filing.decision.accepted(), &number) {
                    if accepted.auto_release {
                        let location = &accepted.declaration.location_of_goods;
                        let (doc, note) = release_rows(&filing.id.to_string(), n, location, filing.at_us, true)?;
                        set.releases.push(doc);
                        set.notifications.push(note);
                    }
                }
                let columns = DecisionColumns::of(&filing.decision, *admission)?;
                let summary = DeclarationSummary {
                    id: filing.id,
                    declarant: filing.declarant.clone(),
                    representative: filing.representative.as_ref().map(|(r, _)| r.clone()),
                    state: columns.state,
                    lane: columns.lane,
                    registration_number: number.clone(),
                    office: filing.office.clone(),
                    received_at_us: filing.at_us,
                    registered_at_us: number.as_ref().map(|_| filing.at_us),
                    updated_at_us: filing.at_us,
                };
                created.insert(i, summary.clone());
                outcomes.push(Recorded::Created(summary));
                set.inserts.push(DeclarationRow { filing, columns, number });
            }
        }
    }
    set.audit = audit::chain_all(new_entries, head.0, &head.1);
    (set.postings, set.balances) = ledger.finish();
    Ok((set, outcomes))
}

/// A declaration awaiting payment, as stored.
pub(crate) struct Awaiting {
    pub id: DeclarationId,
    pub summary: DeclarationSummary,
    pub registrable: Registrable,
}

/// Parses the stored registration record of a declaration awaiting payment.
pub(crate) fn parse_registrable(json: Option<&str>) -> Result<Registrable, StoreError> {
    let json =
        json.ok_or_else(|| StoreError::Corrupt("accepted declaration without its registration record".into()))?;
    crate::declarations::read_document(json, "registration record")
}

/// Posts a deposit and registers, oldest first, the declarations awaiting payment it covers.
/// Returns the declarations it registers, whose numbers the caller then allocates.
pub(crate) fn admit_awaiting(
    deposit: &Deposit,
    awaiting: Vec<Awaiting>,
    ledger: &mut Ledger,
) -> Result<(i64, Vec<Awaiting>), StoreError> {
    let posting = Posting::deposit(&deposit.trader, deposit.amount, &deposit.reference);
    let id = ledger
        .post(posting, deposit.at_us, &deposit.actor)
        .map_err(|e| StoreError::Internal(e.to_string()))?
        .ok_or_else(|| StoreError::Internal("empty deposit".into()))?;
    let mut registered = Vec::new();
    for a in awaiting {
        if registration::admit(&a.registrable.taxes, ledger.available(&deposit.trader)) == Admission::Registered {
            ledger.register(&deposit.trader, &a.id.to_string(), &a.registrable, deposit.at_us)?;
            registered.push(a);
        }
    }
    Ok((id, registered))
}

/// The answer to a deposit whose reference was notified before: nothing changes.
pub(crate) fn duplicate_deposit(posting_id: i64, trader: &TraderId, ledger: &Ledger) -> DepositOutcome {
    DepositOutcome {
        posting_id,
        duplicate: true,
        balance: AccountBalance {
            trader: trader.clone(),
            available: ledger.available(trader),
            reserved: ledger.reserved(trader),
        },
        registered: Vec::new(),
    }
}

/// The sequence key of a declaration registered after payment.
pub(crate) fn awaiting_key(a: &Awaiting, date: NaiveDate) -> SequenceKey {
    (a.registrable.office.clone(), date)
}

/// Plans the rows of a deposit and the registrations it allows.
pub(crate) fn plan_deposit(
    deposit: &Deposit,
    posting_id: i64,
    registered: Vec<Awaiting>,
    mut numbers: Numbers,
    ledger: Ledger,
    head: (i64, String),
) -> Result<(WriteSet<'static>, DepositOutcome), StoreError> {
    let mut set = WriteSet::default();
    let at_us = deposit.at_us;
    let available_after = ledger.available(&deposit.trader);
    let reserved_after = ledger.reserved(&deposit.trader);
    let mut entries = vec![NewEntry {
        at_us,
        declaration_id: None,
        actor: deposit.actor.clone(),
        action: Action::Deposit,
        details: serde_json::json!({
            "trader": deposit.trader.as_str(), "amount": deposit.amount, "reference": deposit.reference,
            "posting": posting_id, "registers": registered.iter().map(|a| a.id.to_string()).collect::<Vec<_>>(),
        })
        .to_string(),
    }];
    let mut summaries = Vec::new();
    for a in registered {
        let number = numbers.take(&awaiting_key(&a, deposit.date))?;
        let r = &a.registrable;
        entries.extend(
            registration::registration_trail(a.id, at_us, r, &number)
                .map_err(|e| StoreError::Internal(format!("illegal transition: {e}")))?,
        );
        if r.auto_release {
            let (doc, note) = release_rows(&a.id.to_string(), &number, &r.location_of_goods, at_us, true)?;
            set.releases.push(doc);
            set.notifications.push(note);
        }
        let state = if r.auto_release { State::Released } else { State::UnderControl };
        set.updates.push(DeclarationUpdate {
            id: a.id.to_string(),
            state: state.as_str(),
            lane: Some(r.lane.as_str()),
            registration_number: Some(number.to_string()),
            registered_at_us: Some(at_us),
            updated_at_us: at_us,
            decision_json: Some(crate::declarations::registered_json(r)?),
        });
        let mut s = a.summary;
        s.state = state;
        s.lane = Some(r.lane);
        s.registration_number = Some(number);
        s.registered_at_us = Some(at_us);
        s.updated_at_us = at_us;
        summaries.push(s);
    }
    set.audit = audit::chain_all(entries, head.0, &head.1);
    (set.postings, set.balances) = ledger.finish();
    let outcome = DepositOutcome {
        posting_id,
        duplicate: false,
        balance: AccountBalance {
            trader: deposit.trader.clone(),
            available: available_after,
            reserved: reserved_after,
        },
        registered: summaries,
    };
    Ok((set, outcome))
}

/// Plans a refund: the posting and its audit entry. `Overdraft` when the available balance
/// does not cover it.
pub(crate) fn plan_refund(
    refund: &Refund,
    mut ledger: Ledger,
    head: (i64, String),
) -> Result<Result<(WriteSet<'static>, RefundOutcome), Overdraft>, StoreError> {
    let posting = Posting::refund(&refund.trader, refund.amount, &refund.reference);
    let id = match ledger.post(posting, refund.at_us, &refund.actor) {
        Ok(id) => id.ok_or_else(|| StoreError::Internal("empty refund".into()))?,
        Err(overdraft) => return Ok(Err(overdraft)),
    };
    let balance = AccountBalance {
        trader: refund.trader.clone(),
        available: ledger.available(&refund.trader),
        reserved: ledger.reserved(&refund.trader),
    };
    let mut set = WriteSet::default();
    let entry = NewEntry {
        at_us: refund.at_us,
        declaration_id: None,
        actor: refund.actor.clone(),
        action: Action::Refund,
        details: serde_json::json!({
            "trader": refund.trader.as_str(), "amount": refund.amount, "reference": refund.reference, "posting": id,
        })
        .to_string(),
    };
    set.audit = audit::chain_all(vec![entry], head.0, &head.1);
    (set.postings, set.balances) = ledger.finish();
    Ok(Ok((set, RefundOutcome { posting_id: id, reference: refund.reference.clone(), balance })))
}

/// Plans reservations outside registration (the ledger primitive `bench ledger` measures):
/// each one applied in order against what the ones before it left.
pub(crate) fn plan_reservations(
    requests: &[ReservationRequest],
    mut ledger: Ledger,
) -> (WriteSet<'static>, Vec<Result<i64, Overdraft>>) {
    let results = requests
        .iter()
        .map(|r| {
            let posting = Posting::reservation(&r.trader, &r.reference, r.amount);
            ledger.post(posting, r.at_us, "system").map(|id| id.unwrap_or(0))
        })
        .collect();
    let mut set = WriteSet::default();
    (set.postings, set.balances) = ledger.finish();
    (set, results)
}

/// What an officer's decision writes, and the summary after it.
pub(crate) fn plan_control(
    mut summary: DeclarationSummary,
    stored: &StoredControl,
    decision: &ControlDecision,
    officer: &str,
    at_us: Timestamp,
    mut ledger: Ledger,
    head: (i64, String),
) -> Result<(WriteSet<'static>, DeclarationSummary), StoreError> {
    let id = summary.id.to_string();
    let (next, entry) =
        release::control_outcome(&id, summary.state, decision, officer, summary.registration_number.as_ref(), at_us)
            .map_err(|e| StoreError::Conflict(e.to_string()))?;
    let mut set = WriteSet::default();
    let trader = summary.declarant.clone();
    let posting = match decision.release {
        true => Posting::debit(&trader, &id, &stored.taxes),
        false => Posting::reservation_release(&trader, &id, stored.taxes.total()),
    };
    ledger.post(posting, at_us, officer).map_err(|e| StoreError::Internal(format!("reserved duties: {e}")))?;
    if let (Some(n), true) = (&summary.registration_number, decision.release) {
        let (doc, note) = release_rows(&id, n, &stored.location_of_goods, at_us, false)?;
        set.releases.push(doc);
        set.notifications.push(note);
    }
    set.audit = vec![entry.chain(head.0, &head.1)];
    set.outcomes.push(OutcomeRow {
        declaration_id: id.clone(),
        declarant: trader.to_string(),
        officer: officer.to_string(),
        released: decision.release,
        outcome: decision.outcome.clone(),
        at_us,
    });
    set.updates.push(DeclarationUpdate::state(id, next, at_us));
    (set.postings, set.balances) = ledger.finish();
    summary.state = next;
    summary.updated_at_us = at_us;
    Ok((set, summary))
}

/// A withdrawal by the declarant (see `Store::withdraw`): the new state and its audit entry.
/// Nothing was reserved for a declaration not yet registered, so no money moves.
pub(crate) fn plan_withdrawal(
    mut summary: DeclarationSummary,
    actor: &str,
    at_us: Timestamp,
    head: (i64, String),
) -> Result<(WriteSet<'static>, DeclarationSummary), StoreError> {
    let id = summary.id.to_string();
    let (next, entry) = release::withdrawal_outcome(&id, summary.state, actor, at_us)
        .map_err(|e| StoreError::Conflict(e.to_string()))?;
    let set = WriteSet {
        audit: vec![entry.chain(head.0, &head.1)],
        updates: vec![DeclarationUpdate::state(id, next, at_us)],
        ..WriteSet::default()
    };
    summary.state = next;
    summary.updated_at_us = at_us;
    Ok((set, summary))
}
