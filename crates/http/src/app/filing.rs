//! Filing a declaration: the exact bytes, a detached JWS over them, an optional idempotency
//! key and the time of receipt in; the declaration as recorded (registered, released, waiting
//! for payment or refused with every reason) or a typed refusal of the request out.

use chrono::{DateTime, Utc};
use sha2::{Digest, Sha256};

use smartcustoms_core::declaration::DeclarationDoc;
use smartcustoms_core::flc;
use smartcustoms_core::ids::{DeclarationId, TraderId};
use smartcustoms_core::ledger::Amount;
use smartcustoms_core::permits;
use smartcustoms_core::registration::{self, Decision, Filing as CoreFiling, Reason};
use smartcustoms_core::risk::{self, Hit, RiskContext, Scorer};
use smartcustoms_core::signature::{DetachedJws, SignatureError};
use smartcustoms_storage::{CommitError, Filing, MoneyColumns, Original, Recorded, StoreError};

use crate::state::{AppState, Reference};

/// Longest idempotency key, characters.
pub const MAX_IDEMPOTENCY_KEY: usize = 128;

/// A filing as received.
#[derive(Debug, Clone)]
pub struct FileRequest<'a> {
    /// The authenticated trader: the declarant, or a representative filing for the declarant
    /// the declaration names under an authorisation in force.
    pub trader: TraderId,
    /// The user who files (named in the audit trail when a representative files).
    pub user: String,
    /// The declaration, exactly as sent.
    pub body: &'a [u8],
    /// Detached JWS over `body`, if sent.
    pub signature: Option<&'a str>,
    /// The client's key for retries, if sent.
    pub idempotency_key: Option<String>,
    /// When it was received.
    pub received_at: DateTime<Utc>,
}

/// Why a filing request is not taken at all (as opposed to a declaration refused with reasons,
/// which is recorded).
#[derive(Debug, thiserror::Error)]
pub enum FileError {
    /// The text holds a character the database cannot store (NUL).
    #[error("the declaration holds a NUL character")]
    UnstorableText,
    /// The body is not JSON.
    #[error("{0}")]
    MalformedJson(String),
    /// The JSON does not have the declaration's shape.
    #[error("at {path}: {message}")]
    Schema {
        /// JSON path.
        path: String,
        /// What is wrong.
        message: String,
    },
    /// The declaration names another declarant than the one filing it.
    #[error("filed by {filer} but names declarant {declared}")]
    DeclarantMismatch {
        /// Who files.
        filer: String,
        /// Who the declaration names.
        declared: String,
    },
    /// The filer holds an authorisation of the declarant named, but none in force today
    /// (expired, not yet valid or revoked).
    #[error("{filer} holds no authorisation of {declared} in force today (expired, not yet valid or revoked)")]
    NotAuthorised {
        /// Who files.
        filer: String,
        /// The declarant the declaration names.
        declared: String,
    },
    /// The idempotency key is empty or too long.
    #[error("the idempotency key must be 1 to {MAX_IDEMPOTENCY_KEY} characters")]
    BadIdempotencyKey,
    /// The store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// Recording failed.
    #[error(transparent)]
    Commit(#[from] CommitError),
    /// The body is not a WCO DM goods declaration message.
    #[error("{0}")]
    Xml(smartcustoms_core::wcodm::XmlError),
}

/// A declaration as recorded, with what the filer is told about it.
#[derive(Debug)]
pub struct Filed {
    /// The declaration, new or (`duplicate`) the one filed before with the same key.
    pub recorded: Recorded,
    /// True when the idempotency key was seen before: nothing new was filed.
    pub duplicate: bool,
    /// Refusal reasons.
    pub reasons: Vec<Reason>,
    /// Risk profiles that fired.
    pub hits: Vec<Hit>,
    /// Duties calculated, when registrable.
    pub duties_total: Option<Amount>,
}

/// Checks the request and decides on the declaration (FLC, signature, duties, risk, lane)
/// against one reference snapshot; returns what is to be recorded. Nothing is written.
pub async fn prepare(state: &AppState, request: FileRequest<'_>) -> Result<Filing, FileError> {
    prepare_with(state, request, None).await
}

/// [`prepare`] a declaration received as `original` (another format than our JSON) and mapped
/// to the JSON in the request's body: the signature is checked over the original.
async fn prepare_with(
    state: &AppState,
    request: FileRequest<'_>,
    original: Option<Original>,
) -> Result<Filing, FileError> {
    let FileRequest { trader, user, body, signature: jws, idempotency_key, received_at } = request;
    let doc = parse(body)?;
    let (declarant, representative) = match doc.declarant.as_ref().and_then(|d| d.id.as_deref()) {
        Some(declared) if declared != trader.as_str() => {
            let mismatch =
                || FileError::DeclarantMismatch { filer: trader.to_string(), declared: declared.to_string() };
            let principal = TraderId::new(declared.to_string()).map_err(|_| mismatch())?;
            match super::organisation::may_represent(state, &trader, &principal, received_at.date_naive()).await? {
                Ok(()) => (principal, Some((trader.clone(), user))),
                Err(true) => {
                    return Err(FileError::NotAuthorised { filer: trader.to_string(), declared: declared.to_string() })
                }
                Err(false) => return Err(mismatch()),
            }
        }
        _ => (trader.clone(), None),
    };
    if idempotency_key.as_ref().is_some_and(|k| k.is_empty() || k.chars().count() > MAX_IDEMPOTENCY_KEY) {
        return Err(FileError::BadIdempotencyKey);
    }
    let signed = original.as_ref().map_or(body, |o| o.bytes.as_slice());
    let signature = verify_signature(state, &trader, jws, signed).await?;
    let means_id = doc.transport.as_ref().and_then(|t| t.means_id.as_deref()).map(str::trim).filter(|m| !m.is_empty());
    let announced = match means_id {
        Some(means) => super::pre_arrival::announcing(state, means, received_at.into()).await?,
        None => None,
    };
    let cited = smartcustoms_core::wcodm::cited_exports(&doc);
    let partner_exports = super::exchange::cited_messages(state, &cited).await?;

    let today = received_at.date_naive();
    let reference = state.reference();
    let Reference { profiles, offices, tariff, prices, model, categories, requirements, .. } = reference.as_ref();
    let id = DeclarationId::generate();
    let flc_context = flc::Context { today, offices: offices.clone() };
    let decision = registration::decide(CoreFiling {
        doc: &doc,
        flc: &flc_context,
        signature,
        profiles,
        tariff,
        prices,
        risk: RiskContext {
            scorer: model.as_deref().map(|m| m as &dyn Scorer),
            categories: Some(categories),
            random_share: state.config.random_share,
            draw: risk::draw(&id.to_string()),
            approximate: false,
        },
        date: today,
        pre_arrival: announced.as_ref().map(|(record, pre)| (record.id.as_str(), pre)),
        partner_exports: &partner_exports,
    });
    let (office, permit_needs) = match &decision {
        Decision::Accepted(a) => {
            (Some(a.declaration.office.to_string()), permits::needs(&a.declaration, requirements, today))
        }
        Decision::Refused { .. } => (doc.office.clone(), Vec::new()),
    };
    Ok(Filing {
        id,
        declarant,
        representative,
        transport_mode: doc.transport.as_ref().and_then(|t| t.mode.clone()).filter(|m| m.len() <= 2),
        transport_means: means_id.map(means_key),
        hs_codes: smartcustoms_storage::hs_codes(
            doc.items.iter().flatten().filter_map(|i| i.commodity_code.as_deref()),
        ),
        idempotency_key,
        document_sha256: hex::encode(Sha256::digest(body)),
        document: body.to_vec(),
        signature: jws.map(str::to_string),
        office,
        location_of_goods: doc.location_of_goods.clone(),
        money: MoneyColumns::of(&decision)?,
        decision,
        at_us: received_at.into(),
        date: today,
        permit_needs,
        original,
    })
}

/// Reads the filed bytes as a declaration.
pub fn parse(body: &[u8]) -> Result<DeclarationDoc, FileError> {
    if super::text::json_has_nul(body) {
        return Err(FileError::UnstorableText);
    }
    DeclarationDoc::from_json(body).map_err(|e| {
        if e.syntax {
            FileError::MalformedJson(e.message)
        } else {
            FileError::Schema { path: e.path, message: e.message }
        }
    })
}

/// What filing `doc` on `today` would be refused for before risk is looked at: every
/// format-logical finding and, when there is none, what stops the duties being calculated.
/// Nothing is recorded; the filing form shows these next to the fields they name.
pub fn check(state: &AppState, doc: &DeclarationDoc, today: chrono::NaiveDate) -> Vec<Reason> {
    let reference = state.reference();
    let context = flc::Context { today, offices: reference.offices.clone() };
    match flc::check(doc, &context) {
        Err(findings) => findings.into_iter().map(Reason::from).collect(),
        Ok(declaration) => reference.tariff.assess(&declaration, today).err().unwrap_or_default(),
    }
}

/// A means of transport as kept for finding a vehicle's declarations: a number plate in its
/// normal form (as a checkpoint reads it), anything else as declared, within 64 characters.
pub fn means_key(means_id: &str) -> String {
    match smartcustoms_core::checkpoint::Plate::parse(means_id) {
        Ok(plate) => plate.as_str().to_string(),
        Err(_) => means_id.chars().take(64).collect(),
    }
}

/// Files a declaration: [`prepare`], then record it through the group commit. A repeated
/// idempotency key answers the declaration filed before.
pub async fn file(state: &AppState, request: FileRequest<'_>) -> Result<Filed, FileError> {
    let received = std::time::Instant::now();
    record(state, prepare(state, request).await?, received).await
}

/// Files a goods declaration sent as a WCO DM DEC message in XML: maps it to our JSON (a
/// message our declaration cannot be read from is refused whole), checks the signature over
/// the XML as received, files the JSON as [`file`] does and keeps the XML beside it. Returns
/// the filing and the message's own references, which the response quotes.
pub async fn file_wco(
    state: &AppState,
    request: FileRequest<'_>,
) -> Result<(Filed, smartcustoms_core::wcodm::DecMessage), FileError> {
    let received = std::time::Instant::now();
    let message = smartcustoms_core::wcodm::parse_dec(request.body).map_err(FileError::Xml)?;
    let json = serde_json::to_vec(&message.declaration).map_err(|e| FileError::MalformedJson(e.to_string()))?;
    let original = Original {
        media_type: "application/xml",
        sha256: hex::encode(Sha256::digest(request.body)),
        bytes: request.body.to_vec(),
    };
    let filing = prepare_with(state, FileRequest { body: &json, ..request }, Some(original)).await?;
    Ok((record(state, filing, received).await?, message))
}

/// Records a prepared filing through the group commit and says what became of it.
async fn record(state: &AppState, filing: Filing, received: std::time::Instant) -> Result<Filed, FileError> {
    let (reasons, hits, duties_total) = match &filing.decision {
        Decision::Refused { reasons } => (reasons.clone(), Vec::new(), None),
        Decision::Accepted(a) => (Vec::new(), a.assessment.hits.clone(), Some(a.registrable.taxes.total())),
    };
    // The recording transaction checks the Single Window documents of an accepted declaration:
    // it may refuse it there, or refer its goods to an agency and send it to control.
    let checked_on_record = filing.decision.accepted().is_some() && !filing.permit_needs.is_empty();
    let recorded = state.commit.record(filing).await?;
    let s = recorded.summary();
    let duplicate = matches!(recorded, Recorded::Duplicate(_));
    // A repeat answers what was stored then; so does a declaration whose documents the
    // recording transaction checked, with the reasons or hits found there.
    let (reasons, hits, duties_total) = match duplicate || checked_on_record {
        true => {
            let stored = state.store.declaration(s.id).await?.ok_or(StoreError::NotFound)?;
            (stored.reasons, stored.hits, stored.duties_total)
        }
        false => (reasons, hits, duties_total),
    };
    if !duplicate {
        let lane = s.lane.map(|l| l.as_str()).unwrap_or("none");
        state.metrics.decisions.with_label_values(&[s.state.as_str(), lane]).inc();
        state.metrics.decision_latency.with_label_values(&[s.state.as_str()]).observe(received.elapsed().as_secs_f64());
    }
    Ok(Filed { recorded, duplicate, reasons, hits, duties_total })
}

/// Checks the detached JWS over the body with the declarant's registered keys. A bad signature
/// is not an error of the request: it is a reason the declaration is refused.
pub(crate) async fn verify_signature(
    state: &AppState,
    trader: &TraderId,
    jws: Option<&str>,
    body: &[u8],
) -> Result<Result<(), SignatureError>, StoreError> {
    let Some(jws) = jws else { return Ok(Err(SignatureError::Missing)) };
    let parsed = match DetachedJws::parse(jws) {
        Ok(p) => p,
        Err(e) => return Ok(Err(e)),
    };
    match state.key(trader, &parsed.kid).await? {
        Some(key) => Ok(state.signatures.verify(parsed.check(body, &key)).await),
        None => Ok(Err(SignatureError::UnknownKey(parsed.kid))),
    }
}
