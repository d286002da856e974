//! Devices' signatures: a navigation seal or a piece of checkpoint equipment whose public key is
//! registered signs each message with it, and a message of such a device that is unsigned, or
//! signed with another key, or altered, is refused. Over MQTT (which carries no headers) the
//! message is a compact JWS with the JSON attached; over HTTP it is either that, or the JSON with
//! a detached JWS in `X-JWS-Signature`, as declarations are signed. A device without a
//! registered key is authenticated by the broker or its token alone, unless the deployment
//! requires every device to sign (`require_device_signatures`).

use std::borrow::Cow;
use std::collections::HashMap;

use ed25519_dalek::VerifyingKey;
use serde::Deserialize;
use utoipa::ToSchema;

use smartcustoms_core::access::{Principal, Role};
use smartcustoms_core::signature::{self, CompactJws, DetachedJws, SignatureError};
use smartcustoms_core::timestamp::Timestamp;
use smartcustoms_storage::{DeviceKeyRecord, StoreError};

use crate::state::AppState;

/// The registered keys, by device: the key id and the key.
#[derive(Debug, Clone, Default)]
pub struct DeviceKeys(HashMap<String, (String, VerifyingKey)>);

impl DeviceKeys {
    /// The keys of the stored records; a stored key that does not read is left out (and logged).
    pub fn of(records: &[DeviceKeyRecord]) -> DeviceKeys {
        let mut keys = HashMap::with_capacity(records.len());
        for r in records {
            match signature::decode_public_key(&r.public_key) {
                Some(key) => {
                    keys.insert(r.device.clone(), (r.key_id.clone(), key));
                }
                None => {
                    tracing::error!(device = %r.device, "a stored device key does not read; the device's messages are refused")
                }
            }
        }
        DeviceKeys(keys)
    }

    /// True when the device has a registered key.
    pub fn has(&self, device: &str) -> bool {
        self.0.contains_key(device)
    }
}

/// A device's message as received: its JSON, and the attached signature around it if any.
#[derive(Debug)]
pub struct Opened<'a> {
    /// The JSON as the device wrote it.
    pub payload: Cow<'a, [u8]>,
    jws: Option<CompactJws>,
}

/// Opens a message: JSON as it is (it starts with `{`), else a compact JWS around it.
pub fn open(body: &[u8]) -> Result<Opened<'_>, SignatureError> {
    match body.iter().find(|b| !b.is_ascii_whitespace()) {
        Some(b'{') | None => Ok(Opened { payload: Cow::Borrowed(body), jws: None }),
        Some(_) => {
            let text = std::str::from_utf8(body).map_err(|_| SignatureError::Malformed("not UTF-8".into()))?;
            let jws = CompactJws::parse(text)?;
            Ok(Opened { payload: Cow::Owned(jws.payload.clone()), jws: Some(jws) })
        }
    }
}

/// Checks the signature of `device`'s message: its attached or detached signature against the
/// device's registered key. Unsigned is accepted only from a device without a key, and only
/// when the deployment does not require signatures.
pub fn check(
    state: &AppState,
    device: &str,
    opened: &Opened<'_>,
    detached: Option<&str>,
) -> Result<(), SignatureError> {
    let reference = state.reference();
    let registered = reference.device_keys.0.get(device);
    match (registered, &opened.jws, detached) {
        (Some((kid, key)), Some(jws), _) => {
            if &jws.kid != kid {
                return Err(SignatureError::UnknownKey(jws.kid.clone()));
            }
            jws.verify(key)
        }
        (Some((kid, key)), None, Some(d)) => {
            let jws = DetachedJws::parse(d)?;
            if &jws.kid != kid {
                return Err(SignatureError::UnknownKey(jws.kid));
            }
            jws.verify(&opened.payload, key)
        }
        (Some(_), None, None) => Err(SignatureError::Missing),
        (None, Some(jws), _) => Err(SignatureError::UnknownKey(jws.kid.clone())),
        (None, None, Some(d)) => Err(DetachedJws::parse(d).map_or_else(|e| e, |j| SignatureError::UnknownKey(j.kid))),
        (None, None, None) if state.config.require_device_signatures => Err(SignatureError::Missing),
        (None, None, None) => Ok(()),
    }
}

/// A device's key as registered (`PUT /api/v1/devices/{device}/key`).
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct KeyDoc {
    /// `seal` or `checkpoint`.
    pub kind: String,
    /// The Ed25519 public key, base64url of its 32 bytes.
    pub public_key: String,
}

/// Why a key is not registered.
#[derive(Debug, thiserror::Error)]
pub enum DeviceKeyError {
    /// Only administrators register devices' keys.
    #[error(transparent)]
    Forbidden(#[from] super::Forbidden),
    /// The device id or kind is not valid.
    #[error("{0}: {1}")]
    Invalid(&'static str, String),
    /// The key is not an Ed25519 public key.
    #[error("the public key is not a base64url Ed25519 key of 32 bytes")]
    BadKey,
    /// The store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// Registers (or replaces) a device's key; from now on the device's messages must be signed
/// with it, in every process once it has reloaded its reference data.
pub async fn register(
    state: &AppState,
    principal: &Principal,
    device: &str,
    doc: &KeyDoc,
    now: Timestamp,
) -> Result<DeviceKeyRecord, DeviceKeyError> {
    super::require(principal, &[Role::Admin], "register devices' keys")?;
    let blank = device.trim().is_empty() || device.trim() != device;
    if blank || device.chars().count() > 64 || device.chars().any(char::is_control) {
        return Err(DeviceKeyError::Invalid(
            "device",
            "1 to 64 characters without control characters or edge spaces".into(),
        ));
    }
    if !matches!(doc.kind.as_str(), "seal" | "checkpoint") {
        return Err(DeviceKeyError::Invalid("kind", format!("{:?} is neither seal nor checkpoint", doc.kind)));
    }
    let key = signature::decode_public_key(&doc.public_key).ok_or(DeviceKeyError::BadKey)?;
    let record = DeviceKeyRecord {
        device: device.to_string(),
        kind: doc.kind.clone(),
        key_id: signature::key_id(&key),
        public_key: signature::encode_public_key(&key),
        registered_by: principal.name.clone(),
        registered_at_us: now,
    };
    state.store.register_device_key(&record).await?;
    state.reload_reference_data().await?;
    Ok(record)
}

/// The devices with a registered key (administrators and supervisors).
pub async fn list(state: &AppState, principal: &Principal) -> Result<Vec<DeviceKeyRecord>, DeviceKeyError> {
    super::require(principal, &[Role::Admin, Role::Supervisor], "list devices' keys")?;
    Ok(state.store.device_keys().await?)
}
