//! The append-only, hash-chained audit log.
//!
//! Every decision the system takes is one entry. Each entry carries the hash of the previous
//! one, so changing, removing or reordering any entry breaks the chain from that point on;
//! [`verify`] recomputes the chain and names the first broken link.

use serde::Serialize;
use sha2::{Digest, Sha256};
use utoipa::ToSchema;

use crate::timestamp::Timestamp;

/// What an audit entry records: a step of a declaration's workflow, a movement of money or a
/// change of identity. Stored and hashed as its name (`as_str`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Action {
    /// A declaration was filed.
    Submitted,
    /// Refused at registration or at release.
    Refused,
    /// Accepted, waiting for its duties to be covered.
    AwaitingPayment,
    /// Registered with a number.
    Registered,
    /// Sent to a lane by risk assessment.
    LaneAssigned,
    /// Goods released.
    Released,
    /// A case under control sent to a centre and an inspector, or reassigned.
    Dispatched,
    /// An officer asked the declarant for documents or information.
    DocumentsRequested,
    /// The declarant answered a request, with documents.
    DocumentsAnswered,
    /// A bank's payment credited.
    Deposit,
    /// Money paid back to a trader.
    Refund,
    /// A user created.
    UserAdded,
    /// A user's password changed.
    PasswordChanged,
    /// A user disabled.
    UserDisabled,
    /// A customs office created or renamed by an administrator.
    OfficeSaved,
    /// A user signed in.
    SignedIn,
    /// A user signed out.
    SignedOut,
    /// An API token issued.
    TokenIssued,
    /// An API token revoked.
    TokenRevoked,
    /// A user's capacities within its organisation set.
    MemberChanged,
    /// A declarant authorised a customs representative to file for it.
    AuthorisationGranted,
    /// An authorisation of a representative revoked.
    AuthorisationRevoked,
    /// A transit movement changed state (declared, accepted, refused, released for transit,
    /// arrived, unloaded, completed, cancelled, enquiry, recovered); details name the MRN, the
    /// event, both states and the reasons.
    TransitStateChanged,
    /// A guarantee certificate was issued to a holder.
    CertificateIssued,
    /// A seal alert (an incident on a sealed journey) was raised, amended or ended.
    SealAlert,
    /// Pre-arrival information was filed and its preliminary decision taken.
    PreArrivalFiled,
    /// The batches of traced goods of a released declaration were opened.
    BatchesOpened,
    /// A holder's report moved quantities of traced batches (sale, return, export, write-off).
    BatchTransferred,
    /// A checkpoint's slots, priority rules or decision settings were changed.
    CheckpointConfigured,
    /// A vehicle was booked for a checkpoint's slot, joined its live queue, was called, crossed,
    /// was refused or its booking was cancelled.
    CheckpointVehicle,
    /// The checkpoint decided (again) the operations due for a vehicle; details give what
    /// triggered it, the operations and every reason.
    CheckpointDecided,
    /// A checkpoint's equipment reported an event for no vehicle it could name.
    CheckpointUnmatched,
    /// A device's public key was registered (its messages must then be signed with it).
    DeviceKeyRegistered,
    /// A declaration reserved quantities of Single Window documents, or its reservations were
    /// drawn (release) or restored (refusal, withdrawal); details list each draw.
    PermitQuantities,
    /// An agency, a requirement or a document of the Single Window was registered or changed.
    SingleWindowChanged,
    /// A bulk file of e-commerce parcels was filed: its counts, charges, and a digest of every
    /// parcel's outcome, charges and flags (so a stored parcel altered later breaks the chain).
    ParcelsFiled,
    /// A VAT scheme number was registered to a seller.
    VatNumberRegistered,
    /// An officer released or refused a held parcel, with the reason.
    ParcelDecided,
    /// Goods whose Single Window document is missing or short were referred to the agency;
    /// details list each referral.
    ReferredToAgency,
    /// An agency allowed or refused goods referred to it, with its note.
    AgencyDecided,
    /// A partner administration was registered or changed, with its key in force.
    ExchangePartnerRegistered,
    /// A partner administration's signed export message was received.
    ExchangeReceived,
    /// An import was matched with a partner's export message it cites; details list every
    /// difference found (`XCH_0xx`).
    ExchangeMatched,
    /// Our signed message about a released export was queued for the partner.
    ExchangeQueued,
}

impl Action {
    /// Every action.
    pub const ALL: &'static [Action] = &[
        Action::Submitted,
        Action::Refused,
        Action::AwaitingPayment,
        Action::Registered,
        Action::LaneAssigned,
        Action::Released,
        Action::Dispatched,
        Action::DocumentsRequested,
        Action::DocumentsAnswered,
        Action::Deposit,
        Action::Refund,
        Action::UserAdded,
        Action::PasswordChanged,
        Action::UserDisabled,
        Action::OfficeSaved,
        Action::SignedIn,
        Action::SignedOut,
        Action::TokenIssued,
        Action::TokenRevoked,
        Action::MemberChanged,
        Action::AuthorisationGranted,
        Action::AuthorisationRevoked,
        Action::TransitStateChanged,
        Action::CertificateIssued,
        Action::SealAlert,
        Action::PreArrivalFiled,
        Action::BatchesOpened,
        Action::BatchTransferred,
        Action::CheckpointConfigured,
        Action::CheckpointVehicle,
        Action::CheckpointDecided,
        Action::CheckpointUnmatched,
        Action::DeviceKeyRegistered,
        Action::PermitQuantities,
        Action::SingleWindowChanged,
        Action::ParcelsFiled,
        Action::VatNumberRegistered,
        Action::ParcelDecided,
        Action::ReferredToAgency,
        Action::AgencyDecided,
        Action::ExchangePartnerRegistered,
        Action::ExchangeReceived,
        Action::ExchangeMatched,
        Action::ExchangeQueued,
    ];

    /// The stable name, as stored and hashed.
    pub fn as_str(self) -> &'static str {
        match self {
            Action::Submitted => "submitted",
            Action::Refused => "refused",
            Action::AwaitingPayment => "awaiting_payment",
            Action::Registered => "registered",
            Action::LaneAssigned => "lane_assigned",
            Action::Released => "released",
            Action::Dispatched => "dispatched",
            Action::DocumentsRequested => "documents_requested",
            Action::DocumentsAnswered => "documents_answered",
            Action::Deposit => "deposit",
            Action::Refund => "refund",
            Action::UserAdded => "user_added",
            Action::PasswordChanged => "password_changed",
            Action::UserDisabled => "user_disabled",
            Action::OfficeSaved => "office_saved",
            Action::SignedIn => "signed_in",
            Action::SignedOut => "signed_out",
            Action::TokenIssued => "token_issued",
            Action::TokenRevoked => "token_revoked",
            Action::MemberChanged => "member_changed",
            Action::AuthorisationGranted => "authorisation_granted",
            Action::AuthorisationRevoked => "authorisation_revoked",
            Action::TransitStateChanged => "transit_state_changed",
            Action::CertificateIssued => "certificate_issued",
            Action::SealAlert => "seal_alert",
            Action::PreArrivalFiled => "pre_arrival_filed",
            Action::BatchesOpened => "batches_opened",
            Action::BatchTransferred => "batch_transferred",
            Action::CheckpointConfigured => "checkpoint_configured",
            Action::CheckpointVehicle => "checkpoint_vehicle",
            Action::CheckpointDecided => "checkpoint_decided",
            Action::CheckpointUnmatched => "checkpoint_unmatched",
            Action::DeviceKeyRegistered => "device_key_registered",
            Action::PermitQuantities => "permit_quantities",
            Action::SingleWindowChanged => "single_window_changed",
            Action::ParcelsFiled => "parcels_filed",
            Action::VatNumberRegistered => "vat_number_registered",
            Action::ParcelDecided => "parcel_decided",
            Action::ReferredToAgency => "referred_to_agency",
            Action::AgencyDecided => "agency_decided",
            Action::ExchangePartnerRegistered => "exchange_partner_registered",
            Action::ExchangeReceived => "exchange_received",
            Action::ExchangeMatched => "exchange_matched",
            Action::ExchangeQueued => "exchange_queued",
        }
    }

    /// The action a stored name stands for.
    pub fn parse(name: &str) -> Option<Action> {
        Action::ALL.iter().copied().find(|a| a.as_str() == name)
    }
}

impl std::fmt::Display for Action {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The `prev_hash` of the first entry.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// One audit log entry as stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct AuditEntry {
    /// Position in the log, from 1, without gaps.
    pub seq: i64,
    /// Time of the decision.
    pub at_us: Timestamp,
    /// The declaration concerned, if any.
    pub declaration_id: Option<String>,
    /// Who decided: `system`, or the officer or trader id.
    pub actor: String,
    /// What happened.
    pub action: Action,
    /// The reasons and data of the decision, as the exact JSON text that was hashed.
    pub details: String,
    /// Hash of the previous entry (hex SHA-256), [`GENESIS`] for the first.
    pub prev_hash: String,
    /// Hash of this entry (hex SHA-256).
    pub hash: String,
}

/// The content of an entry before it is placed in the chain.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewEntry {
    /// Time of the decision.
    pub at_us: Timestamp,
    /// The declaration concerned.
    pub declaration_id: Option<String>,
    /// Who decided.
    pub actor: String,
    /// What happened.
    pub action: Action,
    /// Reasons and data, JSON text.
    pub details: String,
}

impl NewEntry {
    /// Places the entry after `prev` (seq and hash of the last entry; `(0, GENESIS)` for an empty log).
    pub fn chain(self, prev_seq: i64, prev_hash: &str) -> AuditEntry {
        let seq = prev_seq + 1;
        let hash = entry_hash(
            seq,
            self.at_us,
            self.declaration_id.as_deref(),
            &self.actor,
            self.action.as_str(),
            &self.details,
            prev_hash,
        );
        AuditEntry {
            seq,
            at_us: self.at_us,
            declaration_id: self.declaration_id,
            actor: self.actor,
            action: self.action,
            details: self.details,
            prev_hash: prev_hash.to_string(),
            hash,
        }
    }
}

/// Chains a batch of new entries after the given head; returns them with the new head.
pub fn chain_all(entries: Vec<NewEntry>, mut prev_seq: i64, prev_hash: &str) -> Vec<AuditEntry> {
    let mut prev_hash = prev_hash.to_string();
    let mut out = Vec::with_capacity(entries.len());
    for e in entries {
        let chained = e.chain(prev_seq, &prev_hash);
        prev_seq = chained.seq;
        prev_hash.clone_from(&chained.hash);
        out.push(chained);
    }
    out
}

/// The hash of an entry: SHA-256 over its fields, each length-prefixed so that no two
/// different entries can serialise to the same bytes.
pub fn entry_hash(
    seq: i64,
    at_us: Timestamp,
    declaration_id: Option<&str>,
    actor: &str,
    action: &str,
    details: &str,
    prev_hash: &str,
) -> String {
    let mut h = Sha256::new();
    h.update(seq.to_be_bytes());
    h.update(at_us.as_micros().to_be_bytes());
    for field in [declaration_id.unwrap_or(""), actor, action, details, prev_hash] {
        h.update((field.len() as u64).to_be_bytes());
        h.update(field.as_bytes());
    }
    hex::encode(h.finalize())
}

/// Where and why a chain is broken.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("audit chain broken at entry {seq}: {reason}")]
pub struct BrokenLink {
    /// Sequence number of the first bad entry.
    pub seq: i64,
    /// What is wrong with it.
    pub reason: String,
}

/// Incremental verifier: feed entries in `seq` order; it stops at the first broken link.
#[derive(Debug, Clone)]
pub struct Verifier {
    prev_seq: i64,
    prev_hash: String,
}

impl Default for Verifier {
    fn default() -> Self {
        Verifier { prev_seq: 0, prev_hash: GENESIS.to_string() }
    }
}

impl Verifier {
    /// Checks the next entry against the chain so far.
    pub fn check(&mut self, e: &AuditEntry) -> Result<(), BrokenLink> {
        let broken = |reason: String| Err(BrokenLink { seq: e.seq, reason });
        if e.seq != self.prev_seq + 1 {
            return broken(format!("expected entry {} next, found {}", self.prev_seq + 1, e.seq));
        }
        if e.prev_hash != self.prev_hash {
            return broken("its prev_hash does not match the hash of the entry before it".into());
        }
        let recomputed = entry_hash(
            e.seq,
            e.at_us,
            e.declaration_id.as_deref(),
            &e.actor,
            e.action.as_str(),
            &e.details,
            &e.prev_hash,
        );
        if recomputed != e.hash {
            return broken("its content does not match its hash (the entry was altered)".into());
        }
        self.prev_seq = e.seq;
        self.prev_hash.clone_from(&e.hash);
        Ok(())
    }

    /// Number of entries verified so far.
    pub fn verified(&self) -> i64 {
        self.prev_seq
    }
}

/// Verifies a whole chain held in memory; returns the number of entries.
pub fn verify<'a>(entries: impl IntoIterator<Item = &'a AuditEntry>) -> Result<i64, BrokenLink> {
    let mut v = Verifier::default();
    for e in entries {
        v.check(e)?;
    }
    Ok(v.verified())
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn entry(i: i64) -> NewEntry {
        NewEntry {
            at_us: Timestamp::from_micros(1_700_000_000_000_000 + i),
            declaration_id: Some(format!("d{i}")),
            actor: "system".into(),
            action: Action::Registered,
            details: format!("{{\"n\":{i}}}"),
        }
    }

    fn chain(n: i64) -> Vec<AuditEntry> {
        chain_all((0..n).map(entry).collect(), 0, GENESIS)
    }

    #[test]
    fn an_untouched_chain_verifies() {
        assert_eq!(verify(&chain(10)), Ok(10));
    }

    #[test]
    fn an_altered_entry_is_the_first_broken_link() {
        let mut c = chain(10);
        c[4].details = "{\"n\":999}".into();
        assert_eq!(verify(&c).map_err(|b| b.seq), Err(5));
    }

    #[test]
    fn a_removed_entry_is_reported_where_the_gap_is() {
        let mut c = chain(10);
        c.remove(6);
        assert_eq!(verify(&c).map_err(|b| b.seq), Err(8));
    }

    #[test]
    fn batches_chain_onto_each_other() {
        let first = chain(3);
        let last = &first[2];
        let second = chain_all((3..6).map(entry).collect(), last.seq, &last.hash);
        let all: Vec<_> = first.iter().chain(second.iter()).collect();
        assert_eq!(verify(all), Ok(6));
    }

    proptest! {
        #[test]
        fn changing_any_field_of_any_entry_breaks_the_chain(idx in 0usize..8, field in 0u8..4, s in "[a-z]{1,8}") {
            let mut c = chain(8);
            match field {
                0 => c[idx].actor.push_str(&s),
                1 => c[idx].action = if c[idx].action == Action::Registered { Action::Released } else { Action::Registered },
                2 => c[idx].details.push_str(&s),
                _ => c[idx].at_us = Timestamp::from_micros(c[idx].at_us.as_micros() + 1),
            }
            prop_assert_eq!(verify(&c).map_err(|b| b.seq), Err(idx as i64 + 1));
        }
    }
}
