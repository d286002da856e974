//! E-commerce parcels (E3): an operator (a marketplace, a postal or express operator) files a
//! newline-delimited JSON file of parcels. Each line is checked on its own; a bad line is
//! refused with its reasons and the rest go on. Each good parcel is charged under the
//! low-value regime, flagged, assessed by the risk profiles and the model like a declaration of
//! one item, and released or held; the whole file is recorded in one
//! transaction that charges the operator's account (see `smartcustoms_storage::ParcelFiling`).
//! A transaction id filed before is answered as recorded then, so a file sent twice records
//! nothing twice.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use chrono::{DateTime, Utc};
use rust_decimal::Decimal;
use sha2::{Digest, Sha256};

use smartcustoms_core::access::{Principal, Role};
use smartcustoms_core::ids::TraderId;
use smartcustoms_core::parcels::{self, Context, ParcelDoc, Quality, Regime, Scoring};
use smartcustoms_core::registration::Reason;
use smartcustoms_core::risk::{Lane, RiskContext, Scorer};
use smartcustoms_core::timestamp::Timestamp;
use smartcustoms_storage::{
    BatchRecord, NewParcel, ParcelFiling, ParcelRecord, ParcelsFiled, Refusal, StoreError, VatRegistration,
};

use crate::state::AppState;

/// Most parcels in one file.
pub const MAX_PARCELS: usize = 100_000;

/// Largest file, bytes.
pub const MAX_FILE: usize = 64 * 1024 * 1024;

/// Why a file is not taken at all (a bad parcel is refused alone, with its reasons).
#[derive(Debug, thiserror::Error)]
pub enum ParcelError {
    /// The caller may not do this.
    #[error(transparent)]
    Forbidden(#[from] super::Forbidden),
    /// The file holds no parcel.
    #[error("the file holds no parcel: one JSON object per line is expected")]
    Empty,
    /// The file holds more parcels than one file may.
    #[error("the file holds {0} parcels; at most {MAX_PARCELS} per file")]
    TooMany(usize),
    /// A field is not valid.
    #[error("{0}: {1}")]
    Invalid(&'static str, String),
    /// No such parcel or file for this caller.
    #[error("{0}")]
    NotFound(String),
    /// The parcel is decided already.
    #[error("{0}")]
    Settled(String),
    /// The store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// A file as received.
#[derive(Debug)]
pub struct BulkFile<'a> {
    /// The operator's organisation.
    pub operator: TraderId,
    /// The user or token filing.
    pub actor: String,
    /// The file.
    pub body: &'a [u8],
    /// When it was received.
    pub received_at: DateTime<Utc>,
}

/// Files a bulk file of parcels: [`prepare`], then record it in one transaction.
pub async fn file(state: &AppState, f: BulkFile<'_>) -> Result<ParcelsFiled, ParcelError> {
    let filing = prepare(state, f).await?;
    Ok(state.store.record_parcels(Arc::new(filing)).await?)
}

/// Checks, charges and flags every parcel of a file against one reference snapshot; returns
/// what is to be recorded. Nothing is written.
pub async fn prepare(state: &AppState, f: BulkFile<'_>) -> Result<ParcelFiling, ParcelError> {
    let lines: Vec<(i64, &[u8])> = f
        .body
        .split(|b| *b == b'\n')
        .enumerate()
        .map(|(i, l)| (i as i64 + 1, l.strip_suffix(b"\r").unwrap_or(l)))
        .filter(|(_, l)| l.iter().any(|b| !b.is_ascii_whitespace()))
        .collect();
    if lines.is_empty() {
        return Err(ParcelError::Empty);
    }
    if lines.len() > MAX_PARCELS {
        return Err(ParcelError::TooMany(lines.len()));
    }
    let regime = &state.config.parcel_regime;
    let reference = state.reference();
    let date = f.received_at.date_naive();
    let operator = f.operator.as_str();

    let mut refusals = Vec::new();
    let mut checked = Vec::with_capacity(lines.len());
    let mut seen = HashSet::with_capacity(lines.len());
    for (line, bytes) in &lines {
        let refuse = |reasons: Vec<Reason>, id: Option<String>| Refusal { line: *line, transaction_id: id, reasons };
        let doc: ParcelDoc = match serde_json::from_slice(bytes) {
            Ok(doc) => doc,
            Err(e) => {
                let reason =
                    Reason { code: "PCL_010".into(), path: None, message: e.to_string(), args: Default::default() };
                refusals.push(refuse(vec![reason], None));
                continue;
            }
        };
        match parcels::check(&doc, operator, regime, &reference.tariff, date) {
            Err(reasons) => refusals.push(refuse(reasons, doc.transaction_id.clone())),
            Ok(p) if !seen.insert(p.transaction_id.clone()) => {
                let message = format!("transaction id {} appears earlier in the file", p.transaction_id);
                let reason = Reason {
                    code: "PCL_011".into(),
                    path: Some("$.transaction_id".into()),
                    message,
                    args: Default::default(),
                };
                refusals.push(refuse(vec![reason], Some(p.transaction_id)));
            }
            Ok(p) => checked.push((*line, p, bytes)),
        }
    }

    // What each seller already sent to each buyer within the window, then this file in order.
    let buyers: Vec<String> =
        checked.iter().map(|(_, p, _)| p.buyer_key.clone()).collect::<HashSet<_>>().into_iter().collect();
    let since = f.received_at - chrono::TimeDelta::days(regime.split_window_days);
    let mut recent: HashMap<(String, String), Decimal> = HashMap::new();
    for (seller, buyer, cents) in state.store.recent_consignments(&buyers, since.into()).await? {
        recent.insert((seller, buyer), Decimal::new(cents, 2));
    }
    let counts = state.store.parcel_quality(operator).await?;
    let quality =
        (counts.parcels > 0).then(|| Quality::of(counts.parcels, counts.vague, counts.implausible, counts.vat_misuse));
    let scoring = Scoring {
        operator,
        quality: quality.and_then(|q| Decimal::from_f64_retain(q.score)).map(|q| q.round_dp(4)),
        regime,
        profiles: &reference.profiles,
        prices: &reference.prices,
        risk: RiskContext {
            scorer: reference.model.as_deref().map(|m| m as &dyn Scorer),
            categories: Some(&reference.categories),
            random_share: state.config.random_share,
            draw: 0.0,
            approximate: true,
        },
        date,
    };
    let mut new = Vec::with_capacity(checked.len());
    for (line, p, bytes) in checked {
        let ctx = Context { vat_numbers: &reference.vat_numbers, prices: &reference.prices, recent: &recent, regime };
        let (flags, vat_collected) = parcels::assess(&p, &ctx);
        let assessment = parcels::score(&p, &flags, &scoring);
        let charges = parcels::charges(&p, regime, vat_collected);
        *recent.entry((p.seller_key.clone(), p.buyer_key.clone())).or_default() += p.value_eur;
        new.push(NewParcel {
            id: uuid::Uuid::now_v7().to_string(),
            line,
            transaction_id: p.transaction_id,
            seller_key: p.seller_key,
            buyer_key: p.buyer_key,
            hs6: p.hs6,
            origin: p.origin.as_str().to_string(),
            value_eur_cents: (p.value_eur * Decimal::ONE_HUNDRED).try_into().unwrap_or(i64::MAX / 4),
            duty_cents: charges.duty_cents,
            vat_cents: charges.vat_cents,
            outcome: parcels::outcome(&flags, assessment.lane),
            lane: assessment.lane,
            // A green lane needs no explaining; writing the model's score for every parcel
            // released would cost more than the check.
            reasons: match assessment.lane {
                Lane::Green => Vec::new(),
                _ => assessment.reasons(),
            },
            flags,
            document: String::from_utf8_lossy(bytes).into_owned(),
        });
    }
    let filing = ParcelFiling {
        batch_id: uuid::Uuid::now_v7().to_string(),
        operator: f.operator.clone(),
        actor: f.actor,
        sha256: hex::encode(Sha256::digest(f.body)),
        lines: lines.len() as i64,
        parcels: new,
        refusals,
        at_us: f.received_at.into(),
    };
    Ok(filing)
}

/// The organisation whose parcels `caller` reads: its own for an operator, the one asked for
/// (or none) for customs staff.
fn reader(caller: &Principal, asked: Option<&str>) -> Result<Option<String>, ParcelError> {
    match caller.role {
        Role::Trader => Ok(caller.trader.as_ref().map(|t| t.to_string())),
        Role::Officer | Role::Supervisor | Role::Analyst | Role::Admin => Ok(asked.map(str::to_string)),
        _ => Err(super::Forbidden { role: caller.role.as_str(), action: "read parcels" }.into()),
    }
}

/// A file with its parcels (its operator, or customs staff).
pub async fn batch(
    state: &AppState,
    caller: &Principal,
    id: &str,
) -> Result<(BatchRecord, Vec<ParcelRecord>), ParcelError> {
    let missing = || ParcelError::NotFound(format!("no parcel file {id}"));
    let b = state.store.parcel_batch(id).await?.ok_or_else(missing)?;
    if reader(caller, None)?.is_some_and(|own| caller.role == Role::Trader && own != b.operator) {
        return Err(missing());
    }
    let parcels = state.store.parcels_of_batch(id, MAX_PARCELS as i64).await?;
    Ok((b, parcels.into_iter().map(|p| for_reader(caller, p)).collect()))
}

/// One parcel (its operator, or customs staff).
pub async fn parcel(state: &AppState, caller: &Principal, id: &str) -> Result<ParcelRecord, ParcelError> {
    let missing = || ParcelError::NotFound(format!("no parcel {id}"));
    let p = state.store.parcel(id).await?.ok_or_else(missing)?;
    if reader(caller, None)?.is_some_and(|own| caller.role == Role::Trader && own != p.operator) {
        return Err(missing());
    }
    Ok(for_reader(caller, p))
}

/// A parcel as `caller` may read it: the reasons for its lane (the profiles that fired, the
/// model's explanation) are for customs staff only, as they are for declarations.
fn for_reader(caller: &Principal, mut p: ParcelRecord) -> ParcelRecord {
    if caller.role == Role::Trader {
        p.reasons.clear();
    }
    p
}

/// An officer releases or refuses a held parcel, with a reason: released, its charges are
/// debited from what the file reserved; refused, the reservation goes back to the operator.
pub async fn decide(
    state: &AppState,
    caller: &Principal,
    id: &str,
    release: bool,
    reason: &str,
) -> Result<ParcelRecord, ParcelError> {
    super::require(caller, &[Role::Officer, Role::Supervisor], "decide on parcels")?;
    let reason = reason.trim();
    if reason.is_empty() || reason.chars().count() > 500 || reason.chars().any(char::is_control) {
        return Err(ParcelError::Invalid("reason", "1 to 500 characters without control characters".into()));
    }
    let decision = smartcustoms_storage::ParcelDecision {
        parcel: id.to_string(),
        release,
        officer: caller.name.clone(),
        reason: reason.to_string(),
        at_us: Timestamp::now(),
    };
    match state.store.decide_parcel(decision).await {
        Err(StoreError::NotFound) => return Err(ParcelError::NotFound(format!("no parcel {id}"))),
        Err(StoreError::Conflict(m)) => return Err(ParcelError::Settled(m)),
        other => other?,
    };
    state.store.parcel(id).await?.ok_or_else(|| ParcelError::NotFound(format!("no parcel {id}")))
}

/// An operator's files, newest first.
pub async fn batches(
    state: &AppState,
    caller: &Principal,
    operator: Option<&str>,
) -> Result<Vec<BatchRecord>, ParcelError> {
    let Some(operator) = reader(caller, operator)? else {
        return Err(ParcelError::Invalid("operator", "name the operator".into()));
    };
    Ok(state.store.parcel_batches(&operator, 100).await?)
}

/// An operator's data quality: its own for an operator, any for customs staff.
pub async fn quality(state: &AppState, caller: &Principal, operator: Option<&str>) -> Result<Quality, ParcelError> {
    let Some(operator) = reader(caller, operator)? else {
        return Err(ParcelError::Invalid("operator", "name the operator".into()));
    };
    let c = state.store.parcel_quality(&operator).await?;
    Ok(Quality::of(c.parcels, c.vague, c.implausible, c.vat_misuse))
}

/// Registers a VAT scheme number to a seller (administrators); every process reads it from
/// its next reload of reference data, this one at once.
pub async fn register_vat_number(
    state: &AppState,
    caller: &Principal,
    number: &str,
    seller: &str,
    country: &str,
) -> Result<VatRegistration, ParcelError> {
    super::require(caller, &[Role::Admin], "register VAT scheme numbers")?;
    let valid =
        |s: &str, max: usize| !s.trim().is_empty() && s.chars().count() <= max && !s.chars().any(char::is_control);
    if !valid(number, 32) || number.chars().any(char::is_whitespace) {
        return Err(ParcelError::Invalid("number", "1 to 32 characters without spaces".into()));
    }
    if !valid(seller, 200) {
        return Err(ParcelError::Invalid("seller", "1 to 200 characters".into()));
    }
    if smartcustoms_core::codes::CountryCode::parse(country).is_none() {
        return Err(ParcelError::Invalid("country", format!("{country:?} is not an ISO 3166 country code")));
    }
    let r = VatRegistration {
        number: number.to_string(),
        seller: seller.trim().to_string(),
        seller_key: parcels::party_key(&[seller]),
        country: country.to_string(),
        registered_by: caller.name.clone(),
        registered_at_us: Timestamp::now(),
    };
    state.store.register_vat_number(&r).await?;
    state.reload_reference_data().await?;
    Ok(r)
}

/// The registered VAT scheme numbers (customs staff).
pub async fn vat_numbers(state: &AppState, caller: &Principal) -> Result<Vec<VatRegistration>, ParcelError> {
    super::require(caller, &[Role::Admin, Role::Officer, Role::Supervisor, Role::Analyst], "read VAT scheme numbers")?;
    Ok(state.store.vat_numbers().await?)
}

/// The regime's figures, for the documentation and the operators' pages.
pub fn regime(state: &AppState) -> &Regime {
    &state.config.parcel_regime
}
