//! "Your export is my import" (E2): partner administrations and their keys, our exchange key,
//! partners' signed export messages taken in and matched with the imports that cite them, and
//! the differences found. Our own messages about released exports are made and delivered by
//! [`super::exchange_outbox`].
//!
//! A partner's message authenticates itself: it is a compact JWS signed with the key registered
//! for the partner it names, so no token is asked for. Matching reports facts (`XCH_0xx`); at
//! filing they become the declaration's findings for risk.

use chrono::{DateTime, Utc};
use ed25519_dalek::SigningKey;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use smartcustoms_core::access::{Principal, Role};
use smartcustoms_core::codes::CountryCode;
use smartcustoms_core::declaration::{Declaration, DeclarationType};
use smartcustoms_core::ids::DeclarationId;
use smartcustoms_core::signature::{self, CompactJws, SignatureError};
use smartcustoms_core::timestamp::Timestamp;
use smartcustoms_core::wcodm::{self, Matched, PartnerExport, Tolerance};
use smartcustoms_storage::{
    InboundRecord, MismatchRecord, NewPartner, OwnKeyRecord, PartnerKeyRecord, PartnerRecord, Received, StoreError,
};

use crate::state::AppState;

/// Largest partner message taken in, bytes.
pub const INBOUND_BODY_LIMIT: usize = 1024 * 1024;

/// Customs staff who read the exchange.
pub(crate) const STAFF: &[Role] = &[Role::Admin, Role::Officer, Role::Supervisor, Role::Analyst];

/// A partner administration to register (`POST /api/v1/exchange/partners`).
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PartnerDoc {
    /// Its country, ISO 3166-1 alpha-2.
    pub country: String,
    /// Its name.
    pub name: String,
    /// Its Ed25519 public key, base64url of the 32 bytes (as devices' keys are registered).
    pub public_key: String,
    /// Where our messages for it are pushed (`http://` or `https://`); none keeps them waiting.
    pub endpoint: Option<String>,
}

/// A partner administration with its keys.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PartnerView {
    /// The partner.
    #[serde(flatten)]
    pub partner: PartnerRecord,
    /// The key in force.
    pub key_id: Option<String>,
    /// Every key it had, ended ones too, oldest first.
    pub keys: Vec<PartnerKeyRecord>,
}

/// Our administration's exchange key, for partners to register.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ExchangeKey {
    /// The `kid` our messages name: the key's RFC 7638 thumbprint.
    pub key_id: String,
    /// The Ed25519 public key, base64url of the 32 bytes.
    pub public_key: String,
    /// Always `EdDSA`.
    pub algorithm: &'static str,
    /// When the key was made.
    #[schema(value_type = i64)]
    pub created_at_us: Timestamp,
}

/// What became of a partner's message.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct InboundAnswer {
    /// The partner.
    pub partner: String,
    /// The partner's reference.
    pub reference: String,
    /// The key it was signed with.
    pub key_id: String,
    /// When it was recorded (the first time, for a message sent again).
    #[schema(value_type = i64)]
    pub received_at_us: Timestamp,
    /// True when the partner sent this reference before: nothing new was stored.
    pub duplicate: bool,
    /// Our imports citing it, matched with it now.
    pub declarations: Vec<String>,
}

/// Why an exchange request is refused.
#[derive(Debug, thiserror::Error)]
pub enum ExchangeError {
    /// The caller's role may not do this.
    #[error(transparent)]
    Forbidden(#[from] super::Forbidden),
    /// A field of a partner's registration is not valid.
    #[error("{0}: {1}")]
    Invalid(&'static str, String),
    /// The public key is not an Ed25519 key.
    #[error("the public key is not a base64url Ed25519 key of 32 bytes")]
    BadKey,
    /// The message names a partner that is not registered.
    #[error("partner {0} is not registered")]
    UnknownPartner(String),
    /// The message's signature is not accepted.
    #[error("the signature is not accepted: {0}")]
    Signature(SignatureError),
    /// The message is signed with a key that is not the named partner's key in force.
    #[error("key {key_id} is not the key in force of partner {partner}: {why}")]
    NotPartnersKey {
        /// The key named.
        key_id: String,
        /// The partner the payload names.
        partner: String,
        /// Whose key it is or why it is not in force.
        why: String,
    },
    /// The message cannot be read.
    #[error("at {path}: {message}")]
    Malformed {
        /// JSON path, `$` for the whole message.
        path: String,
        /// What is wrong.
        message: String,
    },
    /// The partner sent another message under a reference recorded before.
    #[error("partner {partner} sent reference {reference} before with other content; the first message stands")]
    Resent {
        /// The partner.
        partner: String,
        /// The reference.
        reference: String,
    },
    /// The declaration does not exist.
    #[error("declaration {0} not found")]
    NotFound(String),
    /// The store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// Registers a partner administration, or changes its name, endpoint or key (administrators).
/// A new key ends the one in force; the ended key is kept so its messages stay verifiable.
pub async fn register_partner(
    state: &AppState,
    principal: &Principal,
    doc: &PartnerDoc,
    now: Timestamp,
) -> Result<PartnerView, ExchangeError> {
    super::require(principal, &[Role::Admin], "register partner administrations")?;
    let country = CountryCode::parse(&doc.country).ok_or_else(|| {
        ExchangeError::Invalid("country", format!("{:?} is not an ISO 3166-1 alpha-2 code", doc.country))
    })?;
    let name = doc.name.trim();
    if name.is_empty() || name.chars().count() > 200 || name.chars().any(char::is_control) {
        return Err(ExchangeError::Invalid("name", "1 to 200 characters without control characters".into()));
    }
    let endpoint = match doc.endpoint.as_deref().map(str::trim).filter(|e| !e.is_empty()) {
        Some(e) => Some(endpoint(e)?),
        None => None,
    };
    let key = signature::decode_public_key(&doc.public_key).ok_or(ExchangeError::BadKey)?;
    let partner = NewPartner {
        partner: PartnerRecord {
            country: country.as_str().to_string(),
            name: name.to_string(),
            endpoint,
            registered_by: principal.name.clone(),
            registered_at_us: now,
            updated_at_us: now,
        },
        key: PartnerKeyRecord {
            key_id: signature::key_id(&key),
            country: country.as_str().to_string(),
            public_key: signature::encode_public_key(&key),
            valid_from_us: now,
            ended_at_us: None,
        },
    };
    state.store.register_partner(&partner, &principal.name).await?;
    let views = views(state).await?;
    views.into_iter().find(|v| v.partner.country == country.as_str()).ok_or(ExchangeError::Store(StoreError::NotFound))
}

/// A partner's endpoint: an absolute `http` or `https` URL with a host, of at most 2,000
/// characters without spaces.
fn endpoint(text: &str) -> Result<String, ExchangeError> {
    let invalid = |m: &str| ExchangeError::Invalid("endpoint", m.to_string());
    if text.len() > 2000 || text.chars().any(|c| c.is_control() || c.is_whitespace() || !c.is_ascii()) {
        return Err(invalid("at most 2000 ASCII characters without spaces or control characters"));
    }
    let rest = text.strip_prefix("https://").or_else(|| text.strip_prefix("http://"));
    let host = rest.and_then(|r| r.split(['/', '?', '#']).next()).unwrap_or("");
    match host.is_empty() || host.contains('@') {
        true => Err(invalid("must be an http:// or https:// URL with a host")),
        false => Ok(text.to_string()),
    }
}

/// The partner administrations with their keys (customs staff).
pub async fn partners(state: &AppState, principal: &Principal) -> Result<Vec<PartnerView>, ExchangeError> {
    super::require(principal, STAFF, "read the partner administrations")?;
    views(state).await
}

async fn views(state: &AppState) -> Result<Vec<PartnerView>, ExchangeError> {
    let keys = state.store.partner_keys().await?;
    Ok(state
        .store
        .partners()
        .await?
        .into_iter()
        .map(|partner| {
            let keys: Vec<PartnerKeyRecord> = keys.iter().filter(|k| k.country == partner.country).cloned().collect();
            let key_id = keys.iter().find(|k| k.ended_at_us.is_none()).map(|k| k.key_id.clone());
            PartnerView { partner, key_id, keys }
        })
        .collect())
}

/// Our exchange key: the one kept in the database, made (and kept) by the first process that
/// needs it, so every process of a deployment signs with the same key.
pub async fn own_key(state: &AppState) -> Result<(SigningKey, OwnKeyRecord), StoreError> {
    let record = match state.store.own_exchange_key().await? {
        Some(record) => record,
        None => {
            let key = SigningKey::generate(&mut rand::rngs::OsRng);
            let made = OwnKeyRecord {
                key_id: signature::key_id(&key.verifying_key()),
                public_key: signature::encode_public_key(&key.verifying_key()),
                secret_key: signature::encode_secret_key(&key),
                created_at_us: Timestamp::now(),
            };
            state.store.keep_own_exchange_key(&made).await?
        }
    };
    let key = signature::decode_secret_key(&record.secret_key)
        .ok_or_else(|| StoreError::Corrupt("the stored exchange key does not read".into()))?;
    Ok((key, record))
}

/// Our exchange key's public half (anyone may read it: partners register it).
pub async fn public_key(state: &AppState) -> Result<ExchangeKey, ExchangeError> {
    let (_, record) = own_key(state).await?;
    Ok(ExchangeKey {
        key_id: record.key_id,
        public_key: record.public_key,
        algorithm: "EdDSA",
        created_at_us: record.created_at_us,
    })
}

/// Takes in a partner's message (a compact JWS around a `PartnerExport`) received at `at`: the
/// payload names the partner, whose key in force must be the `kid` and must verify the
/// signature. A reference the partner sent before is answered as recorded (a different
/// payload under it is refused). Every import citing the reference is matched with it.
pub async fn receive(state: &AppState, body: &[u8], at: Timestamp) -> Result<InboundAnswer, ExchangeError> {
    let malformed = |path: &str, message: String| ExchangeError::Malformed { path: path.to_string(), message };
    let text = std::str::from_utf8(body).map_err(|_| malformed("$", "the message is not UTF-8".into()))?;
    let jws = CompactJws::parse(text).map_err(|e| malformed("$", format!("not a compact JWS: {e}")))?;
    if super::text::json_has_nul(&jws.payload) {
        return Err(malformed("$", "the payload holds a NUL character".into()));
    }
    let export = parse_export(&jws.payload)?;
    wcodm::check_message(&export).map_err(|(path, message)| malformed(&path, message))?;
    if state.store.partner(&export.partner).await?.is_none() {
        return Err(ExchangeError::UnknownPartner(export.partner));
    }
    let not_partners =
        |why: String| ExchangeError::NotPartnersKey { key_id: jws.kid.clone(), partner: export.partner.clone(), why };
    let key = match state.store.partner_key(&jws.kid).await? {
        None => return Err(ExchangeError::Signature(SignatureError::UnknownKey(jws.kid.clone()))),
        Some(k) if k.country != export.partner => return Err(not_partners(format!("it is partner {}'s", k.country))),
        Some(k) if k.ended_at_us.is_some() => return Err(not_partners("it was replaced".into())),
        Some(k) => k,
    };
    let verifying = signature::decode_public_key(&key.public_key)
        .ok_or_else(|| StoreError::Corrupt(format!("partner key {} does not read", key.key_id)))?;
    jws.verify(&verifying).map_err(ExchangeError::Signature)?;

    let payload =
        String::from_utf8(jws.payload.clone()).map_err(|_| malformed("$", "the payload is not UTF-8".into()))?;
    let record = InboundRecord {
        partner: export.partner.clone(),
        reference: export.reference.clone(),
        key_id: jws.kid.clone(),
        jws: text.trim().to_string(),
        payload,
        released_at_us: Timestamp::from(export.released_at),
        received_at_us: at,
    };
    let (received, citing) = state.store.receive_partner_message(&record).await?;
    let (recorded, duplicate) = match received {
        Received::New(r) => (r, false),
        Received::Existing(r) if r.payload == record.payload => (r, true),
        Received::Existing(_) => {
            return Err(ExchangeError::Resent { partner: export.partner, reference: export.reference })
        }
    };
    let mut declarations = Vec::new();
    for c in citing {
        let Some(checked) = c.checked.as_deref() else { continue };
        let import = match smartcustoms_storage::read_document::<Declaration>(checked, "checked declaration") {
            Ok(d) if d.kind == DeclarationType::Import => d,
            Ok(_) => continue,
            Err(e) => {
                tracing::warn!(declaration.id = %c.declaration_id, error = %e, "a citing declaration cannot be read");
                continue;
            }
        };
        let matched = Matched {
            partner: export.partner.clone(),
            reference: export.reference.clone(),
            mismatches: wcodm::match_import(&export, &import, &Tolerance::default()),
        };
        state.store.record_matches(&c.declaration_id, &[matched], at).await?;
        declarations.push(c.declaration_id);
    }
    Ok(InboundAnswer {
        partner: recorded.partner,
        reference: recorded.reference,
        key_id: recorded.key_id,
        received_at_us: recorded.received_at_us,
        duplicate,
        declarations,
    })
}

/// The partners' messages, newest first, each with the JWS as received (customs staff).
pub async fn received(
    state: &AppState,
    principal: &Principal,
    limit: i64,
) -> Result<Vec<InboundRecord>, ExchangeError> {
    super::require(principal, STAFF, "read the partners' messages")?;
    if !(1..=1000).contains(&limit) {
        return Err(ExchangeError::Invalid("limit", "must be 1 to 1000".into()));
    }
    Ok(state.store.partner_messages_received(limit).await?)
}

/// Reads a message's payload as a partner's export, with the JSON path of what does not fit.
fn parse_export(payload: &[u8]) -> Result<PartnerExport, ExchangeError> {
    let de = &mut serde_json::Deserializer::from_slice(payload);
    serde_path_to_error::deserialize(de).map_err(|e| {
        let path = e.path().to_string();
        let inner = e.into_inner();
        let path =
            if inner.is_syntax() || inner.is_eof() || path == "." { "$".to_string() } else { format!("$.{path}") };
        ExchangeError::Malformed { path, message: inner.to_string() }
    })
}

/// The partners' messages that a filing's items cite (one indexed lookup, none when nothing is
/// cited), as exports to match the import with.
pub async fn cited_messages(state: &AppState, references: &[String]) -> Result<Vec<PartnerExport>, StoreError> {
    if references.is_empty() {
        return Ok(Vec::new());
    }
    let mut exports = Vec::new();
    for m in state.store.partner_messages(references).await? {
        match serde_json::from_str::<PartnerExport>(&m.payload) {
            Ok(e) => exports.push(e),
            Err(e) => tracing::error!(partner = %m.partner, reference = %m.reference, error = %e,
                "a stored partner message does not read; it is not matched"),
        }
    }
    Ok(exports)
}

/// The differences found between a declaration and the partners' exports it cites (customs
/// staff).
pub async fn mismatches(
    state: &AppState,
    principal: &Principal,
    id: DeclarationId,
) -> Result<Vec<MismatchRecord>, ExchangeError> {
    super::require(principal, STAFF, "read the differences found with partners' exports")?;
    if state.store.declaration(id).await?.is_none() {
        return Err(ExchangeError::NotFound(id.to_string()));
    }
    Ok(state.store.mismatches(&id.to_string()).await?)
}

/// A time of the store as a date and time (the epoch when out of range).
pub(crate) fn datetime(at: Timestamp) -> DateTime<Utc> {
    at.to_datetime().unwrap_or_default()
}
