//! Every writing transaction, written once: recording a batch of filings, a deposit, a refund,
//! reservations and an officer's decision. Each is a script over [`WriteTx`], the small
//! interface a backend offers inside one open transaction (the audit head, idempotency and
//! reference lookups, balances, registration sequences, and the write set); the planning in
//! [`crate::batch`] decides what to write. The backends open and commit the transaction.
//!
//! The PostgreSQL implementation awaits the driver; the SQLite one (rusqlite, synchronous)
//! finishes every step on its first poll and is driven by [`run_ready`] on the writer's thread.

use std::collections::{BTreeMap, HashMap};
use std::future::Future;
use std::task::{Context, Poll, Waker};

use smartcustoms_core::ids::{DeclarationId, TraderId};
use smartcustoms_core::ledger::Overdraft;
use smartcustoms_core::release::ControlDecision;
use smartcustoms_core::requests;
use smartcustoms_core::timestamp::Timestamp;

use crate::batch::{self, Awaiting, SequenceKey};
use crate::declarations::*;
use crate::dispatch::NewDispatch;
use crate::ledger::*;
use crate::money::{self, Ledger};
use crate::permits_tx;
use crate::requests::{Answer, Ask};
use crate::writeset::{AnswerRow, DispatchRow, RequestRow, WriteSet};
use crate::{StoreError, StoreResult};
use smartcustoms_core::permits::Levels;

/// A stored declaration as a writing transaction reads it: its summary, its registration
/// record (`pending`) and, when asked for, the filed document.
pub(crate) struct StoredDeclaration {
    pub summary: DeclarationSummary,
    pub pending: Option<String>,
    pub document: Vec<u8>,
}

/// An earlier posting found by its kind and reference: id, trader and total of its lines.
pub(crate) struct EarlierPosting {
    pub id: i64,
    pub trader: String,
    pub cents: i64,
}

/// What a backend offers inside one open writing transaction.
pub(crate) trait WriteTx {
    /// Takes the lock that orders writing transactions (where the backend needs one) and
    /// reads the audit head: sequence number and hash of the last entry.
    async fn head(&mut self) -> StoreResult<(i64, String)>;

    /// The declarations already stored under these (declarant, idempotency key) pairs.
    async fn stored_filings(
        &mut self,
        keys: Vec<(String, String)>,
    ) -> StoreResult<HashMap<(String, String), DeclarationSummary>>;

    /// The stored balances of these accounts (absent ones are zero) and the last posting id.
    async fn balances(&mut self, accounts: Vec<String>) -> StoreResult<(Vec<(String, i64)>, i64)>;

    /// Adds `demand` numbers to each office's daily sequence and returns, per office and day,
    /// the last number now allocated.
    async fn allocate(&mut self, demand: &BTreeMap<SequenceKey, i64>) -> StoreResult<BTreeMap<SequenceKey, i64>>;

    /// The posting of this kind stored under this reference, if any.
    async fn posting_by_reference(
        &mut self,
        kind: &'static str,
        reference: &str,
    ) -> StoreResult<Option<EarlierPosting>>;

    /// A trader's declarations awaiting payment, oldest first (without documents).
    async fn awaiting_payment(&mut self, trader: &str) -> StoreResult<Vec<StoredDeclaration>>;

    /// One declaration with its document.
    async fn declaration(&mut self, id: &str) -> StoreResult<Option<StoredDeclaration>>;

    /// A request for documents: the declaration it concerns and whether it is answered.
    async fn request(&mut self, id: i64) -> StoreResult<Option<(String, bool)>>;

    /// The centre a case is dispatched to, if it is.
    async fn dispatched(&mut self, id: &str) -> StoreResult<Option<String>>;

    /// The Single Window documents with these numbers (absent ones are left out).
    async fn permits(&mut self, numbers: Vec<String>) -> StoreResult<Vec<smartcustoms_core::permits::Permit>>;

    /// The draws of these declarations still reserved, with their declaration.
    async fn reserved_draws(
        &mut self,
        ids: Vec<String>,
    ) -> StoreResult<Vec<(String, smartcustoms_core::permits::Draw)>>;

    /// The parcels `operator` filed before under these transaction ids, by transaction id.
    async fn stored_parcels(
        &mut self,
        operator: &str,
        ids: &[&str],
    ) -> StoreResult<HashMap<String, crate::parcels_tx::StoredParcel>>;

    /// A parcel for an officer's decision.
    async fn held_parcel(&mut self, id: &str) -> StoreResult<Option<crate::parcels_tx::HeldParcel>>;

    /// Writes everything the transaction planned.
    async fn write(&mut self, set: WriteSet<'_>) -> StoreResult<()>;
}

/// Drives a transaction script whose every step is ready at once (the synchronous SQLite
/// writer). A step that would wait is a defect of the backend, reported as internal.
pub(crate) fn run_ready<T>(script: impl Future<Output = StoreResult<T>>) -> StoreResult<T> {
    let mut script = std::pin::pin!(script);
    match script.as_mut().poll(&mut Context::from_waker(Waker::noop())) {
        Poll::Ready(out) => out,
        Poll::Pending => Err(StoreError::Internal("a synchronous transaction step did not finish".into())),
    }
}

async fn ledger(tx: &mut impl WriteTx, accounts: Vec<String>) -> StoreResult<Ledger> {
    let (balances, last) = tx.balances(accounts).await?;
    Ledger::new(balances, last)
}

async fn numbers(tx: &mut impl WriteTx, demand: BTreeMap<SequenceKey, i64>) -> StoreResult<batch::Numbers> {
    let last = tx.allocate(&demand).await?;
    Ok(batch::Numbers::new(&demand, &last))
}

/// Settles the Single Window draws of the declarations whose state `set` ends (released:
/// drawn; refused or withdrawn: restored), in the same transaction.
async fn settle_permits(tx: &mut impl WriteTx, set: &mut WriteSet<'_>, head: &(i64, String)) -> StoreResult<()> {
    let endings = permits_tx::endings(&set.updates);
    if endings.is_empty() {
        return Ok(());
    }
    let reserved = tx.reserved_draws(endings.iter().map(|(id, _, _)| id.clone()).collect()).await?;
    if reserved.is_empty() {
        return Ok(());
    }
    let mut numbers: Vec<String> = reserved.iter().map(|(_, d)| d.permit.clone()).collect();
    numbers.sort_unstable();
    numbers.dedup();
    let mut levels = Levels::new(tx.permits(numbers).await?);
    let (permits, entries) = permits_tx::settle(&endings, reserved, &mut levels)?;
    set.chain_after(head, entries);
    set.permits = permits;
    Ok(())
}

/// Records a batch of decided filings (see `Store::record_batch`).
pub(crate) async fn record(tx: &mut impl WriteTx, filings: &[Filing]) -> StoreResult<Vec<Recorded>> {
    let head = tx.head().await?;
    let keys = filings.iter().filter_map(|f| Some((f.declarant.to_string(), f.idempotency_key.clone()?))).collect();
    let stored = tx.stored_filings(keys).await?;
    let slots = batch::slots(filings, &stored);
    let referenced = permits_tx::referenced(filings, &slots);
    let mut levels = match referenced.is_empty() {
        true => Levels::default(),
        false => Levels::new(tx.permits(referenced).await?),
    };
    let (filings, draws) = permits_tx::check_batch(filings, &slots, &mut levels)?;
    let filings = filings.as_ref();
    let mut ledger = ledger(tx, money::accounts_of(&batch::traders(filings, &slots))).await?;
    let admissions = batch::admit(filings, &slots, &mut ledger)?;
    let numbers = numbers(tx, batch::number_demand(batch::batch_keys(filings, &admissions))).await?;
    let (permits, mut entries) = permits_tx::batch_writes(filings, &slots, &admissions, draws, &mut levels)?;
    let (exchange, matched) = crate::exchange_tx::batch_writes(filings, &slots);
    entries.extend(matched);
    let (mut set, outcomes) = batch::plan(filings, slots, &admissions, numbers, ledger, head.clone())?;
    set.chain_after(&head, entries);
    set.permits = permits;
    set.exchange = exchange;
    tx.write(set).await?;
    Ok(outcomes)
}

/// A bulk file of parcels (see `Store::record_parcels`).
pub(crate) async fn parcels(
    tx: &mut impl WriteTx,
    f: &crate::parcels_tx::ParcelFiling,
) -> StoreResult<crate::parcels_tx::ParcelsFiled> {
    let head = tx.head().await?;
    let ids: Vec<&str> = f.parcels.iter().map(|p| p.transaction_id.as_str()).collect();
    let stored = tx.stored_parcels(f.operator.as_str(), &ids).await?;
    let mut ledger = ledger(tx, money::accounts_of([&f.operator])).await?;
    let (filed, parcels, entry) = crate::parcels_tx::plan(f, &stored, &mut ledger)?;
    let mut set = WriteSet { audit: vec![entry.chain(head.0, &head.1)], parcels, ..WriteSet::default() };
    (set.postings, set.balances) = ledger.finish();
    tx.write(set).await?;
    Ok(filed)
}

/// An officer's decision on a held parcel (see `Store::decide_parcel`); the new outcome.
pub(crate) async fn decide_parcel(
    tx: &mut impl WriteTx,
    d: &crate::parcels_tx::ParcelDecision,
) -> StoreResult<&'static str> {
    let head = tx.head().await?;
    let parcel = tx.held_parcel(&d.parcel).await?.ok_or(StoreError::NotFound)?;
    let operator = TraderId::new(parcel.operator.clone()).map_err(|e| StoreError::Corrupt(e.to_string()))?;
    let mut ledger = ledger(tx, money::accounts_of([&operator])).await?;
    let (outcome, entry) = crate::parcels_tx::plan_decision(&parcel, d, &mut ledger)?;
    let parcels = crate::parcels_tx::ParcelWrites { decided: vec![(parcel.id, outcome)], ..Default::default() };
    let mut set = WriteSet { audit: vec![entry.chain(head.0, &head.1)], parcels, ..WriteSet::default() };
    (set.postings, set.balances) = ledger.finish();
    tx.write(set).await?;
    Ok(outcome)
}

/// A deposit and the registrations it allows (see `Store::deposit`).
pub(crate) async fn deposit(tx: &mut impl WriteTx, d: &Deposit) -> StoreResult<DepositOutcome> {
    let head = tx.head().await?;
    let mut ledger = ledger(tx, money::accounts_of([&d.trader])).await?;
    if let Some(earlier) = tx.posting_by_reference("deposit", &d.reference).await? {
        if earlier.trader != d.trader.as_str() || earlier.cents != d.amount.cents() {
            return Err(StoreError::Conflict(format!(
                "payment reference {} was notified before for another trader or amount",
                d.reference
            )));
        }
        return Ok(batch::duplicate_deposit(earlier.id, &d.trader, &ledger));
    }
    let mut awaiting = Vec::new();
    for stored in tx.awaiting_payment(d.trader.as_str()).await? {
        awaiting.push(Awaiting {
            id: stored.summary.id,
            registrable: batch::parse_registrable(stored.pending.as_deref())?,
            summary: stored.summary,
        });
    }
    let (posting_id, registered) = batch::admit_awaiting(d, awaiting, &mut ledger)?;
    let demand = batch::number_demand(registered.iter().map(|a| Some(batch::awaiting_key(a, d.date))));
    let numbers = numbers(tx, demand).await?;
    let (mut set, outcome) = batch::plan_deposit(d, posting_id, registered, numbers, ledger, head.clone())?;
    settle_permits(tx, &mut set, &head).await?;
    tx.write(set).await?;
    Ok(outcome)
}

/// A refund (see `Store::refund`). Nothing is written on an overdraft.
pub(crate) async fn refund(tx: &mut impl WriteTx, r: &Refund) -> StoreResult<Result<RefundOutcome, Overdraft>> {
    let head = tx.head().await?;
    if tx.posting_by_reference("refund", &r.reference).await?.is_some() {
        return Err(StoreError::Conflict(format!("refund reference {} was used before", r.reference)));
    }
    let ledger = ledger(tx, money::accounts_of([&r.trader])).await?;
    match batch::plan_refund(r, ledger, head)? {
        Ok((set, outcome)) => {
            tx.write(set).await?;
            Ok(Ok(outcome))
        }
        Err(overdraft) => Ok(Err(overdraft)),
    }
}

/// Reservations outside registration (see `Store::reserve_batch`).
pub(crate) async fn reserve(
    tx: &mut impl WriteTx,
    requests: &[ReservationRequest],
) -> StoreResult<Vec<Result<i64, Overdraft>>> {
    tx.head().await?;
    let ledger = ledger(tx, money::accounts_of(requests.iter().map(|r| &r.trader))).await?;
    let (set, results) = batch::plan_reservations(requests, ledger);
    tx.write(set).await?;
    Ok(results)
}

/// An officer's decision (see `Store::decide_control`).
pub(crate) async fn control(
    tx: &mut impl WriteTx,
    id: DeclarationId,
    decision: &ControlDecision,
    officer: &str,
    at_us: Timestamp,
) -> StoreResult<DeclarationSummary> {
    let head = tx.head().await?;
    let stored = tx.declaration(&id.to_string()).await?.ok_or(StoreError::NotFound)?;
    let control = StoredControl::parse_or_document(stored.pending.as_deref(), &stored.document)?;
    let ledger = ledger(tx, money::accounts_of([&stored.summary.declarant])).await?;
    let (mut set, summary) =
        batch::plan_control(stored.summary, &control, decision, officer, at_us, ledger, head.clone())?;
    settle_permits(tx, &mut set, &head).await?;
    tx.write(set).await?;
    Ok(summary)
}

/// A withdrawal by the declarant (see `Store::withdraw`).
pub(crate) async fn withdraw(
    tx: &mut impl WriteTx,
    id: DeclarationId,
    declarant: &TraderId,
    actor: &str,
    at_us: Timestamp,
) -> StoreResult<DeclarationSummary> {
    let head = tx.head().await?;
    let stored = tx.declaration(&id.to_string()).await?.ok_or(StoreError::NotFound)?;
    if &stored.summary.declarant != declarant {
        return Err(StoreError::NotFound);
    }
    let (mut set, summary) = batch::plan_withdrawal(stored.summary, actor, at_us, head.clone())?;
    settle_permits(tx, &mut set, &head).await?;
    tx.write(set).await?;
    Ok(summary)
}

/// A request for documents (see `Store::request_documents`); returns its id, the sequence
/// number of its audit entry.
pub(crate) async fn ask(tx: &mut impl WriteTx, ask: &Ask) -> StoreResult<i64> {
    let head = tx.head().await?;
    let id = ask.declaration.to_string();
    let stored = tx.declaration(&id).await?.ok_or(StoreError::NotFound)?;
    let entry = requests::request_entry(&id, stored.summary.state, &ask.officer, &ask.question, ask.due_at, ask.at_us)
        .map_err(|e| StoreError::Conflict(e.to_string()))?
        .chain(head.0, &head.1);
    let request = RequestRow {
        id: entry.seq,
        declaration_id: id,
        asked_by: ask.officer.clone(),
        question: ask.question.trim().to_string(),
        due_at_us: ask.due_at,
        asked_at_us: ask.at_us,
    };
    let seq = entry.seq;
    tx.write(WriteSet { audit: vec![entry], requests: vec![request], ..WriteSet::default() }).await?;
    Ok(seq)
}

/// An answer to a request (see `Store::answer_request`).
pub(crate) async fn answer(tx: &mut impl WriteTx, a: Answer) -> StoreResult<()> {
    let head = tx.head().await?;
    let id = a.declaration.to_string();
    let stored = tx.declaration(&id).await?.ok_or(StoreError::NotFound)?;
    if stored.summary.declarant != a.declarant {
        return Err(StoreError::NotFound);
    }
    match tx.request(a.request).await? {
        Some((declaration, _)) if declaration != id => return Err(StoreError::NotFound),
        None => return Err(StoreError::NotFound),
        Some((_, true)) => return Err(StoreError::Conflict(format!("request {} is answered already", a.request))),
        Some((_, false)) => {}
    }
    let files = requests::file_meta(&a.files);
    let entry = requests::answer_entry(&id, stored.summary.state, a.request, &a.actor, &a.text, &files, a.at_us)
        .map_err(|e| StoreError::Conflict(e.to_string()))?
        .chain(head.0, &head.1);
    let row = AnswerRow {
        request_id: a.request,
        text: a.text.trim().to_string(),
        by: a.actor,
        at_us: a.at_us,
        files: files.into_iter().zip(a.files.into_iter().map(|f| f.bytes)).collect(),
    };
    tx.write(WriteSet { audit: vec![entry], answers: vec![row], ..WriteSet::default() }).await
}

/// A case's dispatch, first or reassigned (see `Store::dispatch`).
pub(crate) async fn dispatch(tx: &mut impl WriteTx, d: NewDispatch) -> StoreResult<()> {
    let head = tx.head().await?;
    let id = d.declaration.to_string();
    let stored = tx.declaration(&id).await?.ok_or(StoreError::NotFound)?;
    if stored.summary.state != smartcustoms_core::workflow::State::UnderControl {
        return Err(StoreError::Conflict(format!(
            "a declaration that is {} is not dispatched",
            stored.summary.state.as_str()
        )));
    }
    let before = tx.dispatched(&id).await?;
    if d.reassignment.is_none() && before.is_some() {
        return Err(StoreError::Conflict(format!("declaration {id} is dispatched already")));
    }
    let reasons = serde_json::to_string(&d.dispatch).map_err(|e| StoreError::Internal(e.to_string()))?;
    let mut details = serde_json::to_value(&d.dispatch).map_err(|e| StoreError::Internal(e.to_string()))?;
    if let (Some(reason), Some(map)) = (&d.reassignment, details.as_object_mut()) {
        map.insert("reassigned".into(), serde_json::json!({ "reason": reason, "from_centre": before }));
    }
    let entry = smartcustoms_core::audit::NewEntry {
        at_us: d.at_us,
        declaration_id: Some(id.clone()),
        actor: d.actor,
        action: smartcustoms_core::audit::Action::Dispatched,
        details: details.to_string(),
    }
    .chain(head.0, &head.1);
    let row = DispatchRow {
        declaration_id: id,
        centre: d.dispatch.centre,
        inspector: d.dispatch.inspector,
        reasons,
        at_us: d.at_us,
    };
    tx.write(WriteSet { audit: vec![entry], dispatches: vec![row], ..WriteSet::default() }).await
}
