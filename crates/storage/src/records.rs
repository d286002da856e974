//! Rows of the store as domain-facing records.

use chrono::NaiveDate;
use serde::Serialize;
use utoipa::ToSchema;

use smartcustoms_core::ids::{DeclarationId, RegistrationNumber, TraderId};
use smartcustoms_core::registration::{Decision, Reason};
use smartcustoms_core::risk::{Hit, Lane};
use smartcustoms_core::workflow::State;

/// A customs office.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct Office {
    /// Eight-character office code.
    pub code: String,
    /// Name.
    pub name: String,
}

/// A trader's registered public key.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct SigningKeyRecord {
    /// Owner.
    pub trader: TraderId,
    /// Key id (RFC 7638 thumbprint).
    pub kid: String,
    /// Ed25519 public key, base64url of the 32 raw bytes.
    pub public_key: String,
    /// Registration time, µs since the epoch.
    pub created_at_us: i64,
}

/// A risk profile text to store as a new version.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewProfile {
    /// Profile code (from the text).
    pub code: String,
    /// The whole profile text.
    pub source: String,
    /// Who wrote it.
    pub author: String,
    /// Time, µs since the epoch.
    pub created_at_us: i64,
}

/// A stored risk profile version.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct ProfileRecord {
    /// Profile code.
    pub code: String,
    /// Version, from 1.
    pub version: i64,
    /// The profile text.
    pub source: String,
    /// Who wrote it.
    pub author: String,
    /// Time, µs since the epoch.
    pub created_at_us: i64,
}

/// A filed declaration with the system's decision, ready to record.
#[derive(Debug, Clone)]
pub struct Filing {
    /// New id.
    pub id: DeclarationId,
    /// The authenticated declarant.
    pub declarant: TraderId,
    /// Client's idempotency key, unique per declarant.
    pub idempotency_key: Option<String>,
    /// The exact bytes filed (what the signature covers).
    pub document: Vec<u8>,
    /// SHA-256 of `document`, hex.
    pub document_sha256: String,
    /// The detached JWS, as received.
    pub signature: Option<String>,
    /// Office of declaration as filed (may be absent or wrong on refused filings).
    pub office: Option<String>,
    /// Temporary-storage facility as filed.
    pub location_of_goods: Option<String>,
    /// The system's decision.
    pub decision: Decision,
    /// Time of receipt and decision, µs since the epoch.
    pub at_us: i64,
    /// Registration date at the office.
    pub date: NaiveDate,
}

/// What `record_batch` did with one filing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Recorded {
    /// A new declaration was recorded.
    Created(DeclarationSummary),
    /// The idempotency key was used before: the earlier declaration, untouched.
    Duplicate(DeclarationSummary),
}

impl Recorded {
    /// The declaration either way.
    pub fn summary(&self) -> &DeclarationSummary {
        match self {
            Recorded::Created(s) | Recorded::Duplicate(s) => s,
        }
    }
}

/// The listing view of a declaration.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct DeclarationSummary {
    /// Id.
    pub id: DeclarationId,
    /// Declarant.
    pub declarant: TraderId,
    /// Current state.
    pub state: State,
    /// Lane, once assessed.
    pub lane: Option<Lane>,
    /// Registration number, once registered.
    pub registration_number: Option<RegistrationNumber>,
    /// Office of declaration as filed.
    pub office: Option<String>,
    /// Receipt time, µs since the epoch.
    pub received_at_us: i64,
    /// Registration time, µs since the epoch.
    pub registered_at_us: Option<i64>,
    /// Time of the last change, µs since the epoch.
    pub updated_at_us: i64,
}

/// A declaration with its document and decision.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct DeclarationRecord {
    /// The listing fields.
    #[serde(flatten)]
    pub summary: DeclarationSummary,
    /// The exact bytes filed.
    #[serde(skip)]
    pub document: Vec<u8>,
    /// SHA-256 of the document, hex.
    pub document_sha256: String,
    /// The detached JWS as received.
    pub signature: Option<String>,
    /// Reasons of a refusal.
    pub reasons: Vec<Reason>,
    /// Risk profiles that fired.
    pub hits: Vec<Hit>,
}

/// Listing filters.
#[derive(Debug, Clone, Default)]
pub struct ListQuery {
    /// Only this declarant's declarations.
    pub declarant: Option<TraderId>,
    /// Only in this state.
    pub state: Option<State>,
    /// Only ids sorting before this one (for paging).
    pub before: Option<DeclarationId>,
    /// Page size.
    pub limit: i64,
}

/// Number of declarations in one state and lane.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StateCount {
    /// State.
    pub state: State,
    /// Lane (none before assessment).
    pub lane: Option<Lane>,
    /// How many.
    pub count: i64,
}

/// The columns derived from a decision.
pub(crate) struct DecisionColumns {
    pub state: State,
    pub lane: Option<Lane>,
    pub decision_json: String,
}

impl DecisionColumns {
    pub(crate) fn of(decision: &Decision) -> Self {
        let state = decision.final_state();
        let lane = decision.lane();
        let decision_json = match decision {
            Decision::Refused { reasons } => serde_json::json!({ "reasons": reasons, "hits": [] }),
            Decision::Registered { assessment, .. } => serde_json::json!({ "reasons": [], "hits": assessment.hits }),
        }
        .to_string();
        DecisionColumns { state, lane, decision_json }
    }
}

/// Reads the stored decision JSON back.
pub(crate) fn parse_decision_json(json: &str) -> Result<(Vec<Reason>, Vec<Hit>), crate::StoreError> {
    #[derive(serde::Deserialize)]
    struct Stored {
        reasons: Vec<Reason>,
        hits: Vec<Hit>,
    }
    let s: Stored = serde_json::from_str(json).map_err(|e| crate::StoreError::Corrupt(e.to_string()))?;
    Ok((s.reasons, s.hits))
}

/// Reads a stored state name.
pub(crate) fn parse_state(s: &str) -> Result<State, crate::StoreError> {
    State::parse(s).ok_or_else(|| crate::StoreError::Corrupt(format!("unknown state {s:?}")))
}

/// Reads a stored lane name.
pub(crate) fn parse_lane(s: Option<&str>) -> Result<Option<Lane>, crate::StoreError> {
    s.map(|s| Lane::parse(s).ok_or_else(|| crate::StoreError::Corrupt(format!("unknown lane {s:?}")))).transpose()
}

/// The summary of a filing recorded bare (benchmark floor): as filed, nothing assigned.
pub(crate) fn bare_summary(f: &Filing) -> DeclarationSummary {
    let c = DecisionColumns::of(&f.decision);
    DeclarationSummary {
        id: f.id,
        declarant: f.declarant.clone(),
        state: c.state,
        lane: c.lane,
        registration_number: None,
        office: f.office.clone(),
        received_at_us: f.at_us,
        registered_at_us: None,
        updated_at_us: f.at_us,
    }
}
