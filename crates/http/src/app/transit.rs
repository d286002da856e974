//! Electronic transit (D1): filing a transit declaration (checked with the TRN rules, signed,
//! idempotent by the filer's local reference, secured by a guarantee and accepted or refused
//! at once), the events that move it (release for transit, arrival, unloading remarks,
//! completion, cancellation, enquiry, recovery), guarantee certificates, and the job that opens
//! an enquiry on every overdue movement.

use chrono::{DateTime, Datelike, NaiveDate, Utc};
use rust_decimal::Decimal;

use smartcustoms_core::access::{Principal, Role};
use smartcustoms_core::flc::Finding;
use smartcustoms_core::ids::TraderId;
use smartcustoms_core::ledger::{Amount, AmountError};
use smartcustoms_core::signature::SignatureError;
use smartcustoms_core::tariff::{MeasureKind, RateForm, Tariff, NATIONAL_CURRENCY};
use smartcustoms_core::timestamp::Timestamp;
use smartcustoms_core::transit::declaration::TransitItem;
use smartcustoms_core::transit::guarantee::{
    self, access_digest, AccessCode, ExchangeRates, PrefixRates, Rates, StakeError, StakeRates,
};
use smartcustoms_core::transit::movement::{Event, Refused};
use smartcustoms_core::transit::{self, office_country, Resend, TransitContext, TransitDoc};
use smartcustoms_storage::{
    CertificateRecord, NewTransit, StoreError, TransitEventRecord, TransitFiled, TransitRecord, TransitStep,
};

use crate::state::AppState;

/// The rates the amount at stake is secured at when the tariff says less (or nothing, or only
/// a specific duty): 10 % duty and 20 % VAT. The tariff's ad valorem rates for each item's
/// code apply where they are higher; the highest secures the worst case while the final
/// procedure is not known.
pub const STAKE_FLOOR: Rates =
    Rates { duty: Decimal::from_parts(10, 0, 0, false, 2), vat: Decimal::from_parts(20, 0, 0, false, 2) };

/// Most movements a list returns.
pub const MAX_LIST: i64 = 500;

/// A transit declaration as received.
#[derive(Debug, Clone)]
pub struct FileTransit<'a> {
    /// The authenticated trader with the filer capacity (the adapter checks both): the
    /// declarant, holder of the procedure.
    pub trader: TraderId,
    /// The user who files.
    pub user: String,
    /// The declaration, exactly as sent.
    pub body: &'a [u8],
    /// Detached JWS over `body`.
    pub signature: Option<&'a str>,
    /// When it was received.
    pub received_at: DateTime<Utc>,
}

/// A movement as filed.
#[derive(Debug, Clone)]
pub struct FiledTransit {
    /// The movement (accepted, or refused because its guarantee does not cover).
    pub transit: TransitRecord,
    /// True when the local reference was filed before with the same content: nothing new.
    pub duplicate: bool,
}

/// Why a transit request is not taken.
#[derive(Debug, thiserror::Error)]
pub enum TransitError {
    /// The caller may not do this.
    #[error(transparent)]
    Forbidden(#[from] super::Forbidden),
    /// The text holds a NUL character.
    #[error("the transit declaration holds a NUL character")]
    UnstorableText,
    /// Not JSON.
    #[error("{0}")]
    MalformedJson(String),
    /// JSON of another shape.
    #[error("at {path}: {message}")]
    Schema {
        /// JSON path.
        path: String,
        /// What is wrong.
        message: String,
    },
    /// The declaration names another declarant than the trader filing it.
    #[error("filed by {filer} but names declarant {declared}")]
    DeclarantMismatch {
        /// Who files.
        filer: String,
        /// Who the declaration names.
        declared: String,
    },
    /// The signature is missing, malformed, by an unknown key or does not verify.
    #[error("the signature is not accepted: {0}")]
    Signature(SignatureError),
    /// The TRN rules found problems: every finding, in document order.
    #[error("the transit declaration breaks {} rule(s), see details.findings", .0.len())]
    Invalid(Vec<Finding>),
    /// The local reference was filed before with other content.
    #[error("local reference {reference} was filed before as {mrn} with other content: {}", .fields.join(", "))]
    ReferenceTaken {
        /// The reference.
        reference: String,
        /// The movement made from the first filing.
        mrn: String,
        /// The top-level fields that differ.
        fields: Vec<&'static str>,
    },
    /// The amount at stake cannot be computed (a currency without an exchange rate).
    #[error("the amount at stake cannot be computed: {0}")]
    Stake(StakeError),
    /// The movement's state does not take the event.
    #[error("{0}")]
    Refused(Refused),
    /// No such movement (or another trader's).
    #[error("transit {0} not found")]
    NotFound(String),
    /// A value is not valid: the field and why.
    #[error("invalid {0}: {1}")]
    InvalidValue(&'static str, String),
    /// The store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// Files a transit declaration: parse, key, signature, TRN rules, amount at stake, then one
/// transaction that allocates the MRN, secures the guarantee and accepts the movement (or
/// refuses it with the reason the guarantee does not cover). A local reference filed before
/// answers the movement made then when the content is the same, and is refused otherwise.
pub async fn file(state: &AppState, request: FileTransit<'_>) -> Result<FiledTransit, TransitError> {
    let FileTransit { trader, user, body, signature, received_at } = request;
    let doc = parse(body)?;
    if let Some(declared) = doc.declarant.as_ref().and_then(|d| d.id.as_deref()) {
        if declared != trader.as_str() {
            return Err(TransitError::DeclarantMismatch { filer: trader.to_string(), declared: declared.to_string() });
        }
    }
    if let Some(key) = transit::FilingKey::of(&trader, &doc) {
        if let Some(earlier) = state.store.transit_by_reference(&trader, key.local_reference.as_str()).await? {
            return same_as_before(state, earlier, &doc).await;
        }
    }
    match super::filing::verify_signature(state, &trader, signature, body).await? {
        Ok(()) => {}
        Err(e) => return Err(TransitError::Signature(e)),
    }
    let now = Timestamp::from(received_at);
    let offices = state.reference().offices.clone();
    let checked = transit::check(&doc, &TransitContext { now, offices }).map_err(TransitError::Invalid)?;
    let t = checked.declaration;
    let today = received_at.date_naive();
    let stake = {
        let reference = state.reference();
        let rates = stake_rates(&reference.tariff, &t.items, today);
        let exchange = exchange_rates(&reference.tariff, &t.items, today);
        guarantee::amount_at_stake(&t.items, &rates, &exchange).map_err(TransitError::Stake)?
    };
    let country = office_country(&t.office_of_departure)
        .ok_or_else(|| TransitError::InvalidValue("office_of_departure", "names no country".into()))?;
    let route = serde_json::json!({ "waypoints": t.route.waypoints, "corridor_m": t.route.corridor_m }).to_string();
    let pre_arrival = super::pre_arrival::link(state, &t, now).await?;
    let new = NewTransit {
        id: uuid::Uuid::new_v4().to_string(),
        filer: trader.clone(),
        local_reference: t.local_reference.as_str().to_string(),
        office_of_departure: t.office_of_departure.to_string(),
        office_of_destination: t.office_of_destination.to_string(),
        country: country.as_str().to_string(),
        year: today.year(),
        guarantee: t.guarantee.clone(),
        access_code: checked.access_code,
        stake,
        time_limit: t.time_limit,
        route,
        seals: t.seals.clone(),
        document: body.to_vec(),
        signature: signature.map(str::to_string),
        actor: user,
        pre_arrival,
        at: now,
    };
    match state.store.file_transit(&new).await? {
        TransitFiled::New(transit) => Ok(FiledTransit { transit, duplicate: false }),
        TransitFiled::Existing(earlier, _) => same_as_before(state, earlier, &doc).await,
    }
}

/// The answer to a local reference filed before: the movement when the content is the same.
async fn same_as_before(
    state: &AppState,
    earlier: TransitRecord,
    doc: &TransitDoc,
) -> Result<FiledTransit, TransitError> {
    let bytes = state.store.transit_document(&earlier.id).await?.ok_or(StoreError::NotFound)?;
    let first = parse(&bytes)?;
    match transit::resend(&first, doc) {
        Resend::Same => Ok(FiledTransit { transit: earlier, duplicate: true }),
        Resend::Different { fields } => {
            Err(TransitError::ReferenceTaken { reference: earlier.local_reference, mrn: earlier.mrn, fields })
        }
    }
}

/// Reads the filed bytes as a transit declaration.
pub fn parse(body: &[u8]) -> Result<TransitDoc, TransitError> {
    parse_json(body)
}

/// Reads filed JSON of a movement's documents (a transit declaration, pre-arrival
/// information): a NUL is unstorable, broken JSON malformed, another shape a schema error.
pub fn parse_json<T: serde::de::DeserializeOwned>(body: &[u8]) -> Result<T, TransitError> {
    if super::text::json_has_nul(body) {
        return Err(TransitError::UnstorableText);
    }
    super::text::parse_json(body).map_err(|e| match e {
        super::text::JsonProblem::Malformed(message) => TransitError::MalformedJson(message),
        super::text::JsonProblem::Schema { path, message } => TransitError::Schema { path, message },
    })
}

/// The event a caller names (`release`, `arrive`, `unloading_remarks`, `complete`, `cancel`,
/// `open_enquiry`, `recover`); none for another name (acceptance and refusal are the
/// guarantee's to decide).
pub fn event_named(name: &str, discrepancies: bool) -> Option<Event> {
    Some(match name {
        "release" => Event::Release,
        "arrive" => Event::Arrive,
        "unloading_remarks" => Event::UnloadingRemarks { discrepancies },
        "complete" => Event::Complete,
        "cancel" => Event::Cancel,
        "open_enquiry" => Event::OpenEnquiry,
        "recover" => Event::Recover,
        _ => return None,
    })
}

/// The rates the stake of `items` is computed at on `date`: the floor, and for each item's
/// code the tariff's erga omnes ad valorem duty and VAT where they are higher.
pub fn stake_rates(tariff: &Tariff, items: &[TransitItem], date: NaiveDate) -> StakeRates {
    let percent = |kind: MeasureKind, code: &str| {
        tariff.erga_omnes(kind, code, date).and_then(|m| match m.rate.form {
            RateForm::AdValorem(p) | RateForm::Mixed { percent: p, .. } | RateForm::HigherOf { percent: p, .. } => {
                Some(p / Decimal::ONE_HUNDRED)
            }
            RateForm::Specific(_) => None,
        })
    };
    let by_prefix = items
        .iter()
        .map(|i| {
            let code = i.commodity_code.as_str();
            let rates = Rates {
                duty: percent(MeasureKind::ImportDuty, code).unwrap_or(Decimal::ZERO),
                vat: percent(MeasureKind::Vat, code).unwrap_or(Decimal::ZERO),
            };
            PrefixRates { prefix: code.to_string(), rates }
        })
        .collect();
    StakeRates { default: STAKE_FLOOR, by_prefix }
}

/// National currency per unit of each currency the items are valued in, from the tariff's
/// exchange rates on `date`; a currency without a rate is left out (the stake then says so).
pub fn exchange_rates(tariff: &Tariff, items: &[TransitItem], date: NaiveDate) -> ExchangeRates {
    let mut rates = ExchangeRates::new();
    for item in items {
        let c = item.currency;
        if c.as_str() == NATIONAL_CURRENCY {
            rates.insert(c, Decimal::ONE);
        } else if let Some(r) = tariff.exchange_rate(c, date).and_then(|r| Decimal::ONE.checked_div(r.per_eur)) {
            rates.insert(c, r);
        }
    }
    rates
}

/// Who may move a movement by which event: the holder cancels; customs officers release for
/// transit, record arrival, unloading remarks and completion, and recover the duties; the
/// enquiry is opened by the platform when the time limit passes (officers may open it too).
fn may(principal: &Principal, event: &Event) -> Result<(), super::Forbidden> {
    let roles: &[Role] = match event {
        Event::Cancel => &[Role::Trader, Role::Officer, Role::Supervisor],
        Event::Accept | Event::Refuse => &[],
        _ => &[Role::Officer, Role::Supervisor],
    };
    super::require(principal, roles, event_action(event)).map(|_| ())
}

fn event_action(event: &Event) -> &'static str {
    match event {
        Event::Accept => "accept transits (the guarantee decides)",
        Event::Refuse => "refuse transits (the guarantee decides)",
        Event::Cancel => "cancel transits",
        Event::Release => "release goods for transit",
        Event::Arrive => "record arrivals",
        Event::UnloadingRemarks { .. } => "record unloading remarks",
        Event::Complete => "complete transits",
        Event::OpenEnquiry => "open enquiries",
        Event::Recover => "recover duties",
    }
}

/// Applies an event to a movement on the word of `principal`, with `remarks` kept on its
/// timeline. A trader reaches only its own movements (another's is not found).
pub async fn step(
    state: &AppState,
    principal: &Principal,
    id: &str,
    event: Event,
    remarks: Option<String>,
    at: Timestamp,
) -> Result<TransitRecord, TransitError> {
    may(principal, &event)?;
    if remarks.as_ref().is_some_and(|r| r.chars().count() > 2000 || r.contains('\0')) {
        return Err(TransitError::InvalidValue("remarks", "at most 2,000 characters, no NUL".into()));
    }
    let record = read(state, principal, id).await?;
    let details = match remarks {
        Some(r) => serde_json::json!({ "remarks": r }),
        None => serde_json::json!({}),
    };
    let step = TransitStep { id: record.id, event, actor: principal.name.clone(), details, at };
    let after = state.store.transit_step(&step).await?.map_err(TransitError::Refused)?;
    if matches!(after.state.as_str(), "completed" | "cancelled" | "recovered") {
        // The seals come off: a later movement may carry them.
        let seals: Vec<String> = serde_json::from_str(&after.seals).unwrap_or_default();
        if let Err(e) = super::seals::forget(&state.seals, &seals).await {
            // Their reports stay in the log and are placed when the monitors are rebuilt.
            tracing::warn!(error = %e, transit = %after.id, "placing the reports of the seals taken off failed");
        }
    }
    Ok(after)
}

/// One movement, by id or MRN: a trader's own, or any for customs staff.
pub async fn read(state: &AppState, principal: &Principal, id: &str) -> Result<TransitRecord, TransitError> {
    let record = state.store.transit(id).await?;
    match (record, principal.role) {
        (Some(r), Role::Trader) if principal.trader.as_ref().is_some_and(|t| t.as_str() == r.filer) => Ok(r),
        (Some(r), Role::Officer | Role::Supervisor | Role::Analyst | Role::Admin) => Ok(r),
        (Some(_), Role::Trader) | (None, _) => Err(TransitError::NotFound(id.to_string())),
        (Some(_), _) => Err(super::Forbidden { role: principal.role.as_str(), action: "read transits" }.into()),
    }
}

/// A movement's timeline.
pub async fn timeline(
    state: &AppState,
    principal: &Principal,
    id: &str,
) -> Result<Vec<TransitEventRecord>, TransitError> {
    let record = read(state, principal, id).await?;
    Ok(state.store.transit_timeline(&record.id).await?)
}

/// Movements, newest first: a trader's own, or everyone's for customs staff.
pub async fn list(state: &AppState, principal: &Principal, limit: i64) -> Result<Vec<TransitRecord>, TransitError> {
    let limit = limit.clamp(1, MAX_LIST);
    match principal.role {
        Role::Trader => {
            let trader = principal
                .trader
                .as_ref()
                .ok_or(super::Forbidden { role: principal.role.as_str(), action: "list transits" })?;
            Ok(state.store.transits(Some(trader), limit).await?)
        }
        Role::Officer | Role::Supervisor | Role::Analyst | Role::Admin => Ok(state.store.transits(None, limit).await?),
        _ => Err(super::Forbidden { role: principal.role.as_str(), action: "list transits" }.into()),
    }
}

/// A certificate issued, with its access code, which is shown this once and kept only as a
/// digest.
#[derive(Debug, Clone)]
pub struct Issued {
    /// The certificate.
    pub certificate: CertificateRecord,
    /// Its access code.
    pub access_code: String,
}

/// Issues a guarantee certificate to `holder` for `limit` (supervisors and administrators);
/// the access code is drawn at random and returned once. Audited.
pub async fn issue_certificate(
    state: &AppState,
    principal: &Principal,
    reference: &str,
    holder: &str,
    limit: Decimal,
    at: Timestamp,
) -> Result<Issued, TransitError> {
    super::require(principal, &[Role::Supervisor, Role::Admin], "issue guarantee certificates")?;
    let well_formed =
        (1..=24).contains(&reference.len()) && reference.bytes().all(|b| b.is_ascii_uppercase() || b.is_ascii_digit());
    if !well_formed {
        return Err(TransitError::InvalidValue("reference", "1 to 24 upper-case letters or digits".into()));
    }
    let holder = TraderId::new(holder.to_string()).map_err(|e| TransitError::InvalidValue("holder", e.to_string()))?;
    let limit = Amount::positive(limit).map_err(|e: AmountError| TransitError::InvalidValue("limit", e.to_string()))?;
    let access_code = random_code();
    let code = AccessCode::parse(&access_code)
        .ok_or_else(|| TransitError::InvalidValue("access_code", "could not be drawn".into()))?;
    let certificate = CertificateRecord {
        reference: reference.to_string(),
        holder: holder.to_string(),
        limit_cents: limit.cents(),
        balance_cents: limit.cents(),
        issued_by: principal.name.clone(),
        issued_at_us: at,
    };
    state.store.issue_certificate(&certificate, access_digest(reference, &code)).await?;
    Ok(Issued { certificate, access_code })
}

/// A certificate: its holder's, or any for customs staff.
pub async fn certificate(
    state: &AppState,
    principal: &Principal,
    reference: &str,
) -> Result<CertificateRecord, TransitError> {
    let found = state.store.certificate(reference).await?;
    match found {
        Some(c) if principal.role != Role::Trader => Ok(c),
        Some(c) if principal.trader.as_ref().is_some_and(|t| t.as_str() == c.holder) => Ok(c),
        _ => Err(TransitError::NotFound(reference.to_string())),
    }
}

/// Twelve letters and digits, from the operating system's random source.
fn random_code() -> String {
    use rand::Rng;
    const ALPHABET: &[u8] = b"ABCDEFGHJKLMNPQRSTUVWXYZ23456789";
    let mut rng = rand::rngs::OsRng;
    (0..12).map(|_| char::from(ALPHABET[rng.gen_range(0..ALPHABET.len())])).collect()
}

/// Opens an enquiry on every movement whose time limit passed at `now` (the platform's job,
/// run once per cluster); returns how many were opened.
pub async fn open_enquiries(state: &AppState, now: Timestamp) -> Result<usize, StoreError> {
    let mut opened = 0;
    for overdue in state.store.overdue_transits(now, 1000).await? {
        let details = serde_json::json!({ "reason": "the time limit passed before arrival", "time_limit_at_us": overdue.time_limit_at_us });
        let step = TransitStep { id: overdue.id, event: Event::OpenEnquiry, actor: "system".into(), details, at: now };
        if state.store.transit_step(&step).await?.is_ok() {
            opened += 1;
        }
    }
    Ok(opened)
}
