//! Everything one transaction writes, planned by backend-neutral code and written by each
//! backend in one place.

use std::collections::HashMap;

use smartcustoms_core::audit::{Action, AuditEntry, NewEntry};
use smartcustoms_core::ids::RegistrationNumber;
use smartcustoms_core::ledger::Posting;
use smartcustoms_core::release::ReleaseDocument;
use smartcustoms_core::timestamp::Timestamp;

use crate::declarations::{DecisionColumns, Filing};

/// A declaration row to insert.
pub(crate) struct DeclarationRow<'a> {
    pub filing: &'a Filing,
    pub columns: DecisionColumns,
    pub number: Option<RegistrationNumber>,
}

/// A change of a stored declaration (a registration after payment, an officer's decision).
/// Fields left `None` keep their stored value.
pub(crate) struct DeclarationUpdate {
    pub id: String,
    pub state: &'static str,
    pub lane: Option<&'static str>,
    pub registration_number: Option<String>,
    pub registered_at_us: Option<Timestamp>,
    pub updated_at_us: Timestamp,
    pub decision_json: Option<String>,
}

impl DeclarationUpdate {
    /// A change of state only (a decision, a withdrawal).
    pub fn state(id: String, state: smartcustoms_core::workflow::State, at_us: Timestamp) -> DeclarationUpdate {
        DeclarationUpdate {
            id,
            state: state.as_str(),
            lane: None,
            registration_number: None,
            registered_at_us: None,
            updated_at_us: at_us,
            decision_json: None,
        }
    }
}

/// A notification to insert.
pub(crate) struct NotificationRow {
    pub recipient: String,
    pub kind: &'static str,
    pub payload: String,
    pub created_at_us: Timestamp,
}

/// A ledger posting with the id it is stored under.
pub(crate) struct PostingRow {
    pub id: i64,
    pub posting: Posting,
    pub at_us: Timestamp,
    pub actor: String,
}

/// The outcome of a control.
pub(crate) struct OutcomeRow {
    pub declaration_id: String,
    pub declarant: String,
    pub officer: String,
    pub released: bool,
    pub outcome: smartcustoms_core::inspection::InspectionOutcome,
    pub at_us: Timestamp,
}

impl OutcomeRow {
    /// The irregularity kinds as stored: their names, comma-separated.
    pub fn irregularities(&self) -> String {
        crate::risk::stored_irregularities(&self.outcome.irregularities)
    }
}

/// A request for documents to insert.
pub(crate) struct RequestRow {
    pub id: i64,
    pub declaration_id: String,
    pub asked_by: String,
    pub question: String,
    pub due_at_us: Timestamp,
    pub asked_at_us: Timestamp,
}

/// An answer to a request: its columns and its files.
pub(crate) struct AnswerRow {
    pub request_id: i64,
    pub text: String,
    pub by: String,
    pub at_us: Timestamp,
    pub files: Vec<(smartcustoms_core::requests::FileMeta, Vec<u8>)>,
}

/// A case's dispatch to insert or replace.
pub(crate) struct DispatchRow {
    pub declaration_id: String,
    pub centre: String,
    pub inspector: Option<String>,
    pub reasons: String,
    pub at_us: Timestamp,
}

/// When a declaration got its lane and when it was released (microseconds), as one
/// transaction records them.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub(crate) struct StepMark {
    pub lane_at_us: Option<i64>,
    pub released_at_us: Option<i64>,
}

/// The step marks of one transaction by declaration id. A backend takes those of the rows it
/// inserts into their inserts ([`StepMarks::take`]); what is left updates stored rows.
pub(crate) struct StepMarks(pub HashMap<String, StepMark>);

impl StepMarks {
    /// The marks of declaration `id`, taken out (none when the transaction records none).
    pub fn take(&mut self, id: &str) -> StepMark {
        self.0.remove(id).unwrap_or_default()
    }
}

/// The rows of one transaction.
#[derive(Default)]
pub(crate) struct WriteSet<'a> {
    pub inserts: Vec<DeclarationRow<'a>>,
    pub updates: Vec<DeclarationUpdate>,
    pub audit: Vec<AuditEntry>,
    pub releases: Vec<ReleaseDocument>,
    pub notifications: Vec<NotificationRow>,
    pub postings: Vec<PostingRow>,
    /// New balances of the accounts the postings changed.
    pub balances: Vec<(String, i64)>,
    pub outcomes: Vec<OutcomeRow>,
    pub requests: Vec<RequestRow>,
    pub answers: Vec<AnswerRow>,
    pub dispatches: Vec<DispatchRow>,
    /// Draws on Single Window documents and the documents' new quantities.
    pub permits: crate::permits_tx::PermitWrites,
    /// A bulk file of parcels.
    pub parcels: crate::parcels_tx::ParcelWrites<'a>,
    /// Imports' citations of partners' exports and what matching them found.
    pub exchange: crate::exchange_tx::ExchangeWrites,
}

impl WriteSet<'_> {
    /// The new audit head after this transaction, if it wrote entries.
    pub fn head(&self) -> Option<(i64, &str)> {
        self.audit.last().map(|e| (e.seq, e.hash.as_str()))
    }

    /// Chains `entries` after the last audit entry this transaction already planned (or after
    /// `head`, the head it started from).
    pub fn chain_after(&mut self, head: &(i64, String), entries: Vec<NewEntry>) {
        let (seq, hash) = self.head().map_or_else(|| (head.0, head.1.clone()), |(seq, hash)| (seq, hash.to_string()));
        self.audit.extend(smartcustoms_core::audit::chain_all(entries, seq, &hash));
    }

    /// For each declaration whose lane or release this transaction records, when: the times
    /// the declaration's row keeps for the release-time figures (the first entry of each wins,
    /// here and against what the row already holds).
    pub fn step_marks(&self) -> StepMarks {
        let mut marks: HashMap<String, StepMark> = HashMap::new();
        for e in &self.audit {
            let Some(id) = e.declaration_id.as_deref() else { continue };
            let lane = match e.action {
                Action::LaneAssigned => true,
                Action::Released => false,
                _ => continue,
            };
            if !marks.contains_key(id) {
                marks.insert(id.to_owned(), StepMark::default());
            }
            let Some(mark) = marks.get_mut(id) else { continue };
            let slot = if lane { &mut mark.lane_at_us } else { &mut mark.released_at_us };
            *slot = slot.or(Some(e.at_us.as_micros()));
        }
        StepMarks(marks)
    }

    /// The ledger lines as columns: posting id, debit, credit, cents.
    pub fn lines(&self) -> impl Iterator<Item = (i64, String, String, i64)> + '_ {
        self.postings
            .iter()
            .flat_map(|p| p.posting.lines.iter().map(move |l| (p.id, l.debit.key(), l.credit.key(), l.amount.cents())))
    }
}
