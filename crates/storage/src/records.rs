//! Rows of the store as domain-facing records.

use chrono::NaiveDate;
use serde::Serialize;
use utoipa::ToSchema;

use smartcustoms_core::ids::{DeclarationId, RegistrationNumber, TraderId};
use smartcustoms_core::ledger::{Amount, PostingKind, TaxSplit};
use smartcustoms_core::registration::{self, Admission, Decision, Reason, Registrable};
use smartcustoms_core::risk::{Category, Hit, Lane, ModelScore};
use smartcustoms_core::workflow::State;

/// A customs office.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema, sqlx::FromRow)]
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
    /// The decision's money columns ([`MoneyColumns::of`]).
    pub money: MoneyColumns,
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
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
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
    /// The model's score and explanation, random control and operator categories.
    pub risk: RiskView,
    /// The duty calculation with every input (measure, rate, exchange rate) and the value
    /// check of each item, for declarations that got that far.
    #[schema(value_type = Option<Object>)]
    pub duties: Option<serde_json::Value>,
    /// The duties to pay.
    pub duties_total: Option<Amount>,
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

/// The columns derived from a decision and its admission, in the writer's transaction.
pub(crate) struct DecisionColumns {
    pub state: State,
    pub lane: Option<Lane>,
    pub decision_json: String,
}

impl DecisionColumns {
    pub(crate) fn of(decision: &Decision, admission: Option<Admission>) -> Result<Self, crate::StoreError> {
        let state = registration::final_state(decision, admission);
        let registered = !matches!(admission, Some(Admission::AwaitingPayment { .. }));
        Ok(match decision {
            Decision::Refused { reasons } => DecisionColumns {
                state,
                lane: None,
                decision_json: json(&StoredDecision { reasons: reasons.clone(), ..StoredDecision::default() })?,
            },
            Decision::Accepted(a) => DecisionColumns {
                state,
                lane: registered.then_some(a.assessment.lane),
                decision_json: if registered {
                    registered_json(&a.registrable)?
                } else {
                    json(&StoredDecision::default())?
                },
            },
        })
    }
}

/// The money columns of a filing: the duty calculation with the value checks, the duties in
/// cents and the registration record. Serialised by the handler that decided the filing, so
/// the writer's serial section only copies them.
#[derive(Debug, Clone, Default)]
pub struct MoneyColumns {
    pub(crate) duties_json: Option<String>,
    pub(crate) duties_cents: Option<i64>,
    pub(crate) pending_json: Option<String>,
}

impl MoneyColumns {
    /// The columns of a decision (none for a refusal).
    pub fn of(decision: &Decision) -> Result<Self, crate::StoreError> {
        let Some(a) = decision.accepted() else { return Ok(MoneyColumns::default()) };
        Ok(MoneyColumns {
            duties_json: Some(json(&Duties { calculation: &a.duties, valuation: &a.valuation })?),
            duties_cents: Some(a.registrable.taxes.total().cents()),
            pending_json: Some(json(&a.registrable)?),
        })
    }
}

/// The duty calculation as stored and returned with a declaration.
#[derive(Serialize)]
struct Duties<'a> {
    calculation: &'a smartcustoms_core::tariff::DutyAssessment,
    valuation: &'a [Option<smartcustoms_core::valuation::ValuationCheck>],
}

/// Format of the JSON documents stored with a declaration (decision, duties, registration
/// record). Each carries it as `format`; a document without one was written before documents
/// carried their format (format 0) and reads the same.
pub const DOCUMENT_FORMAT: u32 = 1;

/// A document to store with its format, written in one pass (this runs in the writer's serial
/// section for every registration).
#[derive(Serialize)]
struct Versioned<'a, T: Serialize> {
    format: u32,
    #[serde(flatten)]
    document: &'a T,
}

/// Serialises a document to store, with its format. `T` serialises as a JSON object.
fn json<T: Serialize>(value: &T) -> Result<String, crate::StoreError> {
    serde_json::to_string(&Versioned { format: DOCUMENT_FORMAT, document: value })
        .map_err(|e| crate::StoreError::Internal(e.to_string()))
}

/// Reads a stored document of the current format or an earlier one, never a later one (a
/// database written by a newer version of the platform is refused, not misread).
pub fn read_document<T: serde::de::DeserializeOwned>(json: &str, what: &str) -> Result<T, crate::StoreError> {
    #[derive(serde::Deserialize)]
    struct Header {
        #[serde(default)]
        format: u32,
    }
    let corrupt = |e: serde_json::Error| crate::StoreError::Corrupt(format!("{what}: {e}"));
    let header: Header = serde_json::from_str(json).map_err(corrupt)?;
    if header.format > DOCUMENT_FORMAT {
        return Err(crate::StoreError::Corrupt(format!(
            "{what} has format {}, this version reads formats up to {DOCUMENT_FORMAT}",
            header.format
        )));
    }
    serde_json::from_str(json).map_err(corrupt)
}

/// What an officer's decision needs from the stored declaration.
pub(crate) struct StoredControl {
    pub taxes: TaxSplit,
    pub location_of_goods: String,
}

impl StoredControl {
    /// From the stored registration record; a declaration registered before duties were
    /// calculated has none, and its goods location is read from the filed document.
    pub(crate) fn parse_or_document(pending: Option<&str>, document: &[u8]) -> Result<Self, crate::StoreError> {
        if pending.is_some() {
            let r = crate::batch::parse_registrable(pending)?;
            return Ok(StoredControl { taxes: r.taxes, location_of_goods: r.location_of_goods });
        }
        let location = serde_json::from_slice::<smartcustoms_core::declaration::DeclarationDoc>(document)
            .ok()
            .and_then(|d| d.location_of_goods)
            .unwrap_or_default();
        Ok(StoredControl { taxes: TaxSplit::default(), location_of_goods: location })
    }
}

/// Reads the stored decision JSON back.
/// The decision as stored with a declaration: refusal reasons, or the profiles that fired and
/// the rest of the risk assessment.
#[derive(Debug, Clone, Default, serde::Serialize, serde::Deserialize)]
pub struct StoredDecision {
    /// Reasons of a refusal.
    pub reasons: Vec<Reason>,
    /// Profiles that fired.
    pub hits: Vec<Hit>,
    /// Model score, random control and operator categories.
    #[serde(default)]
    pub risk: RiskView,
}

/// What decided the lane besides the profiles.
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize, serde::Deserialize, ToSchema)]
pub struct RiskView {
    /// The model's score, lane and largest feature contributions.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub model: Option<ModelScore>,
    /// Selected by the random share of controls.
    #[serde(default)]
    pub random_control: bool,
    /// The declarant's risk category when assessed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub declarant_category: Option<Category>,
    /// The importer's risk category when assessed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub importer_category: Option<Category>,
    /// The reasons for the lane in plain terms.
    #[serde(default)]
    pub reasons: Vec<String>,
}

impl RiskView {
    /// The view of a registration record.
    pub fn of(r: &Registrable) -> RiskView {
        RiskView {
            model: r.model.clone(),
            random_control: r.random_control,
            declarant_category: r.declarant_category,
            importer_category: r.importer_category,
            reasons: r.assessment().reasons(),
        }
    }
}

/// The stored decision JSON of a registered declaration.
pub(crate) fn registered_json(r: &Registrable) -> Result<String, crate::StoreError> {
    json(&StoredDecision { reasons: Vec::new(), hits: r.hits.clone(), risk: RiskView::of(r) })
}

pub(crate) fn parse_decision_json(json: &str) -> Result<StoredDecision, crate::StoreError> {
    StoredDecision::parse(json)
}

impl StoredDecision {
    /// Reads the stored JSON.
    pub fn parse(json: &str) -> Result<StoredDecision, crate::StoreError> {
        read_document(json, "stored decision")
    }
}

/// Reads a stored state name.
pub(crate) fn parse_state(s: &str) -> Result<State, crate::StoreError> {
    State::parse(s).ok_or_else(|| crate::StoreError::Corrupt(format!("unknown state {s:?}")))
}

/// Reads a stored lane name.
pub(crate) fn parse_lane(s: Option<&str>) -> Result<Option<Lane>, crate::StoreError> {
    s.map(|s| Lane::parse(s).ok_or_else(|| crate::StoreError::Corrupt(format!("unknown lane {s:?}")))).transpose()
}

/// A deposit notified by a bank or payment operator.
#[derive(Debug, Clone)]
pub struct Deposit {
    /// The trader credited.
    pub trader: TraderId,
    /// Positive amount.
    pub amount: Amount,
    /// The payment reference, unique: a repeated notification with it changes nothing.
    pub reference: String,
    /// The bank's principal name.
    pub actor: String,
    /// Time, µs since the epoch.
    pub at_us: i64,
    /// Today at the offices (numbers of declarations it registers carry this date).
    pub date: NaiveDate,
}

/// A trader's balances.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct AccountBalance {
    /// The trader.
    pub trader: TraderId,
    /// What the trader can spend.
    pub available: Amount,
    /// What is set aside for registered declarations not yet released.
    pub reserved: Amount,
}

/// What a deposit did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct DepositOutcome {
    /// The ledger posting of the deposit.
    pub posting_id: i64,
    /// True when the reference had been notified before: nothing changed.
    pub duplicate: bool,
    /// Balances after the deposit (now, for a duplicate).
    pub balance: AccountBalance,
    /// Declarations that awaited payment and are now registered.
    pub registered: Vec<DeclarationSummary>,
}

/// A refund a trader asks for.
#[derive(Debug, Clone)]
pub struct Refund {
    /// The trader.
    pub trader: TraderId,
    /// Positive amount, at most the available balance.
    pub amount: Amount,
    /// Reference of the payment order to the bank.
    pub reference: String,
    /// Who asked.
    pub actor: String,
    /// Time, µs since the epoch.
    pub at_us: i64,
}

/// A refund made.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct RefundOutcome {
    /// The ledger posting.
    pub posting_id: i64,
    /// Reference of the payment order.
    pub reference: String,
    /// Balances after it.
    pub balance: AccountBalance,
}

/// A reservation outside registration.
#[derive(Debug, Clone)]
pub struct ReservationRequest {
    /// The trader.
    pub trader: TraderId,
    /// What the money is set aside for.
    pub reference: String,
    /// Positive amount.
    pub amount: Amount,
    /// Time, µs since the epoch.
    pub at_us: i64,
}

/// A declaration waiting for a deposit.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct AwaitingPayment {
    /// The declaration.
    pub declaration_id: DeclarationId,
    /// Receipt time, µs since the epoch.
    pub received_at_us: i64,
    /// Its duties.
    pub duties: Amount,
    /// What a deposit must add to the available balance to register it, counting the
    /// declarations before it (they register first, oldest first).
    pub missing: Amount,
}

/// Duties reserved for a registered declaration not yet released.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct OpenReservation {
    /// The declaration (or the reference of a reservation outside registration).
    pub reference: String,
    /// Amount still reserved.
    pub amount: Amount,
}

/// A trader's account as the trader sees it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct AccountView {
    /// Balances.
    #[serde(flatten)]
    pub balance: AccountBalance,
    /// Open reservations.
    pub reservations: Vec<OpenReservation>,
    /// Declarations awaiting payment, oldest first.
    pub awaiting_payment: Vec<AwaitingPayment>,
}

/// One line of a statement.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct StatementEntry {
    /// Ledger posting.
    pub posting_id: i64,
    /// Time, µs since the epoch.
    pub at_us: i64,
    /// What it is.
    pub kind: PostingKind,
    /// The declaration concerned.
    pub declaration_id: Option<String>,
    /// The payment reference.
    pub reference: Option<String>,
    /// Change of the available balance (negative when it decreases), as a decimal string.
    pub available_change: String,
    /// Change of the reserved balance.
    pub reserved_change: String,
    /// Available balance after the posting.
    pub available_after: Amount,
    /// Reserved balance after the posting.
    pub reserved_after: Amount,
}

/// A trader's statement for a period.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct Statement {
    /// The trader.
    pub trader: TraderId,
    /// Start of the period, µs since the epoch (inclusive).
    pub from_us: i64,
    /// End of the period, µs since the epoch (exclusive).
    pub to_us: i64,
    /// Balances at the start.
    pub opening: AccountBalance,
    /// Postings in the period, in order.
    pub entries: Vec<StatementEntry>,
    /// Balances at the end.
    pub closing: AccountBalance,
}

/// A stored ledger line with its posting, for replay.
#[derive(Debug, Clone)]
pub struct StoredLine {
    /// Posting id.
    pub posting_id: i64,
    /// Posting kind.
    pub kind: String,
    /// Account debited.
    pub debit: String,
    /// Account credited.
    pub credit: String,
    /// Cents.
    pub amount_cents: i64,
}

/// Per declaration: the state, the duties and what the ledger holds for it.
#[derive(Debug, Clone)]
pub struct DeclarationMoney {
    /// The declaration.
    pub id: String,
    /// Its state.
    pub state: State,
    /// Its duties in cents (none for refused filings).
    pub duties_cents: Option<i64>,
    /// Reserved, debited and released cents.
    pub reserved: i64,
    /// Debited cents.
    pub debited: i64,
    /// Released cents.
    pub released: i64,
}

/// A tariff entry kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, serde::Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum TariffKind {
    /// A measure.
    Measure,
    /// A country group.
    Group,
    /// An exchange rate.
    Rate,
}

impl TariffKind {
    /// Stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            TariffKind::Measure => "measure",
            TariffKind::Group => "group",
            TariffKind::Rate => "rate",
        }
    }

    /// Parses the stored name.
    pub fn parse(s: &str) -> Option<TariffKind> {
        [TariffKind::Measure, TariffKind::Group, TariffKind::Rate].into_iter().find(|k| k.as_str() == s)
    }
}

/// A new version of a tariff entry.
#[derive(Debug, Clone, PartialEq)]
pub struct NewTariffEntry {
    /// Kind.
    pub kind: TariffKind,
    /// Stable key (measure id, group code, `CURRENCY/valid_from` for a rate).
    pub key: String,
    /// The entry as JSON.
    pub body: serde_json::Value,
    /// True to withdraw the entry.
    pub withdrawn: bool,
}

/// A stored version of a tariff entry.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct TariffEntryRecord {
    /// Kind.
    pub kind: TariffKind,
    /// Key.
    pub key: String,
    /// Version, from 1.
    pub version: i64,
    /// The entry.
    #[schema(value_type = Object)]
    pub body: serde_json::Value,
    /// Withdrawn in this version.
    pub withdrawn: bool,
    /// Who changed it.
    pub author: String,
    /// When, µs since the epoch.
    pub created_at_us: i64,
}

/// A price observation row.
#[derive(Debug, Clone, PartialEq)]
pub struct PriceRow {
    /// HS subheading.
    pub hs6: String,
    /// Country of origin.
    pub origin: String,
    /// EUR per kg.
    pub value_per_kg: Option<rust_decimal::Decimal>,
    /// EUR per unit.
    pub value_per_unit: Option<rust_decimal::Decimal>,
    /// Where it comes from.
    pub source: String,
}

/// A recorded control outcome.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct InspectionRecord {
    /// Sequence number, for paging.
    pub id: i64,
    /// The declaration controlled.
    pub declaration_id: String,
    /// Its declarant.
    pub declarant: String,
    /// Who decided (officer, or the source of an import).
    pub officer: String,
    /// Goods released after the control.
    pub released: bool,
    /// Something was found.
    pub irregular: bool,
    /// The kinds found.
    pub irregularities: Vec<smartcustoms_core::inspection::Irregularity>,
    /// Additional duty assessed.
    pub additional_duty: Amount,
    /// `officer` for decisions taken in the system.
    pub source: String,
    /// Time, µs since the epoch.
    pub at_us: i64,
}

/// A registered declaration as the risk system learns from it: the document, the duty
/// calculation, the decision (lane, hits, model score, categories) and the outcome of its
/// control when it was controlled.
#[derive(Debug, Clone)]
pub struct StoredCase {
    /// Declaration id.
    pub id: String,
    /// Declarant.
    pub declarant: String,
    /// When it was filed, µs since the epoch.
    pub received_at_us: i64,
    /// Current state.
    pub state: String,
    /// The lane it was sent to.
    pub lane: String,
    /// The exact bytes filed.
    pub document: Vec<u8>,
    /// The duty calculation and value checks (JSON).
    pub duties: Option<String>,
    /// The decision (JSON: hits, model, random control, categories).
    pub decision: String,
    /// The outcome of its control: `Some(true)` when irregularities were found.
    pub irregular: Option<bool>,
    /// Additional duty assessed by the control, cents.
    pub additional_duty_cents: Option<i64>,
}

/// A trained model version to keep.
#[derive(Debug, Clone)]
pub struct NewRiskModel {
    /// Version (the next free one, see `Queries::next_risk_model_version`).
    pub version: i64,
    /// When trained, µs since the epoch.
    pub trained_at_us: i64,
    /// Becomes the active model.
    pub promoted: bool,
    /// Why it was or was not promoted.
    pub reason: String,
    /// Window, measures, thresholds (JSON).
    pub info: String,
    /// The model document.
    pub document: String,
}

/// A kept model version, without its trees.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct RiskModelRecord {
    /// Version.
    pub version: i64,
    /// When trained, µs since the epoch.
    pub trained_at_us: i64,
    /// Was promoted when trained.
    pub promoted: bool,
    /// Is the model in force.
    pub active: bool,
    /// Why it was or was not promoted.
    pub reason: String,
    /// Window, measures and thresholds.
    #[schema(value_type = Object)]
    pub info: serde_json::Value,
}

/// A control outcome recorded from an earlier system or from paper files.
#[derive(Debug, Clone)]
pub struct ImportedOutcome {
    /// The declaration controlled.
    pub declaration_id: String,
    /// What the control found.
    pub outcome: smartcustoms_core::inspection::InspectionOutcome,
    /// Where it comes from, e.g. `import:file.csv`.
    pub source: String,
    /// When recorded, µs since the epoch.
    pub at_us: i64,
}

/// What became of an imported outcome.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ImportResult {
    /// Recorded.
    Recorded,
    /// The declaration already has an outcome; the earlier one stays.
    AlreadyRecorded,
    /// No such declaration.
    UnknownDeclaration,
    /// The declaration was never registered (refused or awaiting payment).
    NotRegistered,
}
