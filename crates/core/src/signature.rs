//! Electronic signatures on declarations: detached JWS (RFC 7515 Appendix F) with EdDSA over
//! Ed25519 (RFC 8037), over the exact bytes of the filed declaration.
//!
//! Compact detached form: `BASE64URL(header)..BASE64URL(signature)`. The signing input is
//! `BASE64URL(header) "." BASE64URL(payload)`, or, when the header says `"b64": false`
//! (RFC 7797), `BASE64URL(header) "." payload`. The header must name the algorithm `EdDSA` and the
//! key id (`kid`), which is the RFC 7638 thumbprint of the declarant's registered key.
//!
//! Devices (navigation seals, checkpoint equipment) that cannot send a header with their message
//! (MQTT 3.1.1 has none) send the compact JWS with the payload attached instead,
//! `BASE64URL(header).BASE64URL(payload).BASE64URL(signature)` ([`CompactJws`]), signed the same
//! way.
//!
//! The JOSE parts are small enough to write here on top of `ed25519-dalek`; general JOSE crates
//! either expect JWT claims or link OpenSSL.
//!
//! Verification uses the cofactored equation `[8][S]B = [8]R + [8][k]A`, which RFC 8032 §5.1.7
//! allows, with the encoding rules of ZIP 215, through `ed25519-zebra`. It is the one equation
//! for which checking many signatures in one multiscalar multiplication ([`verify_all`]) gives
//! every signature the answer it gets checked alone, whatever else is in the batch: with the
//! cofactorless equation a signature crafted with a small-order component passes or fails
//! depending on its neighbours. A signature made by any RFC 8032 signer verifies under both.

use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64;
use base64::Engine;
use ed25519_dalek::{Signer, SigningKey, VerifyingKey};
use ed25519_zebra::batch::{Item, Verifier as Batch};
use ed25519_zebra::{Signature, VerificationKeyBytes};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// Why a signature was not accepted. Each reason has its own stable code.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SignatureError {
    /// No signature came with the declaration.
    #[error("the declaration carries no electronic signature")]
    Missing,
    /// The JWS could not be read.
    #[error("the signature is not a detached compact JWS: {0}")]
    Malformed(String),
    /// The JWS uses an algorithm other than EdDSA.
    #[error("signature algorithm {0:?} is not accepted; use EdDSA (Ed25519)")]
    UnsupportedAlgorithm(String),
    /// The key id is not a key registered to the declarant.
    #[error("key {0:?} is not registered to the declarant")]
    UnknownKey(String),
    /// The signature does not match the declaration's bytes.
    #[error("the signature does not match the declaration (wrong key or altered content)")]
    Invalid,
}

impl SignatureError {
    /// The stable reason code.
    pub fn code(&self) -> &'static str {
        match self {
            SignatureError::Missing => "SIG_001",
            SignatureError::Malformed(_) => "SIG_002",
            SignatureError::UnsupportedAlgorithm(_) => "SIG_003",
            SignatureError::UnknownKey(_) => "SIG_004",
            SignatureError::Invalid => "SIG_005",
        }
    }
}

#[derive(Debug, Serialize, Deserialize)]
struct Header {
    alg: String,
    kid: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    b64: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    crit: Option<Vec<String>>,
}

/// A detached JWS split into its parts, before the key is looked up.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DetachedJws {
    /// The key id from the header.
    pub kid: String,
    header_b64: String,
    encode_payload: bool,
    signature: [u8; 64],
}

impl DetachedJws {
    /// Parses `header..signature`; checks the algorithm and that the payload is detached.
    pub fn parse(jws: &str) -> Result<Self, SignatureError> {
        let malformed = |m: &str| SignatureError::Malformed(m.to_string());
        let jws = jws.trim();
        if jws.is_empty() {
            return Err(SignatureError::Missing);
        }
        let mut parts = jws.split('.');
        let (Some(h), Some(p), Some(s), None) = (parts.next(), parts.next(), parts.next(), parts.next()) else {
            return Err(malformed("expected three dot-separated parts"));
        };
        if !p.is_empty() {
            return Err(malformed("the payload part must be empty (detached signature)"));
        }
        let header_bytes = B64.decode(h).map_err(|_| malformed("the header is not base64url"))?;
        let header: Header =
            serde_json::from_slice(&header_bytes).map_err(|_| malformed("the header is not a JSON object with alg"))?;
        if header.alg != "EdDSA" {
            return Err(SignatureError::UnsupportedAlgorithm(header.alg));
        }
        let kid = header.kid.ok_or_else(|| malformed("the header has no kid"))?;
        let encode_payload = match (header.b64, &header.crit) {
            (Some(false), Some(crit)) if crit.iter().any(|c| c == "b64") => false,
            (Some(false), _) => return Err(malformed("b64=false must be listed in crit")),
            _ => true,
        };
        let sig = B64.decode(s).map_err(|_| malformed("the signature is not base64url"))?;
        let signature: [u8; 64] = sig.try_into().map_err(|_| malformed("an Ed25519 signature has 64 bytes"))?;
        Ok(DetachedJws { kid, header_b64: h.to_string(), encode_payload, signature })
    }

    /// Verifies the signature over `payload` with the declarant's key.
    pub fn verify(&self, payload: &[u8], key: &VerifyingKey) -> Result<(), SignatureError> {
        self.check(payload, key).verify()
    }

    /// The signature over `payload` with the declarant's key, ready to verify alone or with
    /// others ([`verify_all`]).
    pub fn check(&self, payload: &[u8], key: &VerifyingKey) -> Check {
        Check::new(&signing_input(&self.header_b64, payload, self.encode_payload), &self.signature, key)
    }
}

/// One signature to verify, with what it signs already hashed: made where the request is read,
/// verified alone ([`Check::verify`]) or with others ([`verify_all`]).
#[derive(Debug, Clone)]
pub struct Check(Item);

impl Check {
    fn new(input: &[u8], signature: &[u8; 64], key: &VerifyingKey) -> Self {
        Check(Item::from((VerificationKeyBytes::from(key.to_bytes()), Signature::from_bytes(signature), input)))
    }

    /// Verifies this signature alone.
    pub fn verify(self) -> Result<(), SignatureError> {
        self.0.verify_single().map_err(|_| SignatureError::Invalid)
    }
}

/// Verifies many signatures; each gets the answer [`Check::verify`] gives it alone. One
/// multiscalar multiplication checks the whole batch, about half the work of checking each
/// alone from 16 signatures on; when the batch fails, each is checked alone to tell which.
pub fn verify_all(checks: Vec<Check>) -> Vec<Result<(), SignatureError>> {
    if checks.len() > 1 {
        let mut batch = Batch::new();
        for check in &checks {
            batch.queue(check.0.clone());
        }
        if batch.verify(rand::thread_rng()).is_ok() {
            return vec![Ok(()); checks.len()];
        }
    }
    checks.into_iter().map(Check::verify).collect()
}

/// A compact JWS with its payload attached (RFC 7515 §7.1), as devices send their messages.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CompactJws {
    /// The key id from the header.
    pub kid: String,
    /// The payload, decoded: the message as the device wrote it.
    pub payload: Vec<u8>,
    header_b64: String,
    payload_b64: String,
    signature: [u8; 64],
}

impl CompactJws {
    /// Parses `header.payload.signature` with an EdDSA header naming its key.
    pub fn parse(jws: &str) -> Result<Self, SignatureError> {
        let malformed = |m: &str| SignatureError::Malformed(m.to_string());
        let mut parts = jws.trim().split('.');
        let (Some(h), Some(p), Some(s), None) = (parts.next(), parts.next(), parts.next(), parts.next()) else {
            return Err(malformed("expected three dot-separated parts"));
        };
        let header_bytes = B64.decode(h).map_err(|_| malformed("the header is not base64url"))?;
        let header: Header =
            serde_json::from_slice(&header_bytes).map_err(|_| malformed("the header is not a JSON object with alg"))?;
        if header.alg != "EdDSA" {
            return Err(SignatureError::UnsupportedAlgorithm(header.alg));
        }
        if header.b64 == Some(false) {
            return Err(malformed("an attached payload is base64url encoded"));
        }
        let kid = header.kid.ok_or_else(|| malformed("the header has no kid"))?;
        let payload = B64.decode(p).map_err(|_| malformed("the payload is not base64url"))?;
        let sig = B64.decode(s).map_err(|_| malformed("the signature is not base64url"))?;
        let signature: [u8; 64] = sig.try_into().map_err(|_| malformed("an Ed25519 signature has 64 bytes"))?;
        Ok(CompactJws { kid, payload, header_b64: h.to_string(), payload_b64: p.to_string(), signature })
    }

    /// Verifies the signature with the device's key.
    pub fn verify(&self, key: &VerifyingKey) -> Result<(), SignatureError> {
        let mut input = Vec::with_capacity(self.header_b64.len() + 1 + self.payload_b64.len());
        input.extend_from_slice(self.header_b64.as_bytes());
        input.push(b'.');
        input.extend_from_slice(self.payload_b64.as_bytes());
        Check::new(&input, &self.signature, key).verify()
    }
}

/// Signs `payload` as a compact JWS with the payload attached, `kid` the key's thumbprint.
pub fn sign_compact(key: &SigningKey, payload: &[u8]) -> String {
    let detached = sign_detached(key, payload);
    let (header, signature) = detached.split_once("..").unwrap_or_default();
    format!("{header}.{}.{signature}", B64.encode(payload))
}

fn signing_input(header_b64: &str, payload: &[u8], encode_payload: bool) -> Vec<u8> {
    let mut input = Vec::with_capacity(header_b64.len() + 1 + payload.len() * 4 / 3 + 4);
    input.extend_from_slice(header_b64.as_bytes());
    input.push(b'.');
    if encode_payload {
        input.extend_from_slice(B64.encode(payload).as_bytes());
    } else {
        input.extend_from_slice(payload);
    }
    input
}

/// Signs `payload` with a detached JWS whose `kid` is the key's thumbprint.
pub fn sign_detached(key: &SigningKey, payload: &[u8]) -> String {
    let header = Header { alg: "EdDSA".into(), kid: Some(key_id(&key.verifying_key())), b64: None, crit: None };
    let header_json = serde_json::to_vec(&header).unwrap_or_default();
    let header_b64 = B64.encode(header_json);
    let sig = key.sign(&signing_input(&header_b64, payload, true));
    format!("{header_b64}..{}", B64.encode(sig.to_bytes()))
}

/// The key id of a public key: its RFC 7638 JWK thumbprint (SHA-256, base64url).
pub fn key_id(key: &VerifyingKey) -> String {
    let jwk = format!(r#"{{"crv":"Ed25519","kty":"OKP","x":"{}"}}"#, B64.encode(key.as_bytes()));
    B64.encode(Sha256::digest(jwk.as_bytes()))
}

/// The public key as its base64url `x` value (32 raw bytes), the form keys are registered in.
pub fn encode_public_key(key: &VerifyingKey) -> String {
    B64.encode(key.as_bytes())
}

/// Reads a public key from its base64url `x` value.
pub fn decode_public_key(x: &str) -> Option<VerifyingKey> {
    let bytes: [u8; 32] = B64.decode(x.trim()).ok()?.try_into().ok()?;
    VerifyingKey::from_bytes(&bytes).ok()
}

/// The secret key as base64url of its 32-byte seed, the form `smartcustoms keygen` writes.
pub fn encode_secret_key(key: &SigningKey) -> String {
    B64.encode(key.to_bytes())
}

/// Reads a secret key from its base64url seed.
pub fn decode_secret_key(seed: &str) -> Option<SigningKey> {
    let bytes: [u8; 32] = B64.decode(seed.trim()).ok()?.try_into().ok()?;
    Some(SigningKey::from_bytes(&bytes))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(seed: u8) -> SigningKey {
        SigningKey::from_bytes(&[seed; 32])
    }

    fn check(jws: &str, payload: &[u8], key: &SigningKey) -> Result<(), SignatureError> {
        let parsed = DetachedJws::parse(jws)?;
        if parsed.kid != key_id(&key.verifying_key()) {
            return Err(SignatureError::UnknownKey(parsed.kid));
        }
        parsed.verify(payload, &key.verifying_key())
    }

    #[test]
    fn a_signature_made_here_verifies_over_the_same_bytes() {
        let k = key(7);
        let jws = sign_detached(&k, b"{\"a\":1}");
        assert_eq!(check(&jws, b"{\"a\":1}", &k), Ok(()));
    }

    #[test]
    fn one_changed_byte_invalidates_the_signature() {
        let k = key(7);
        let jws = sign_detached(&k, b"{\"a\":1}");
        assert_eq!(check(&jws, b"{\"a\":2}", &k), Err(SignatureError::Invalid));
    }

    #[test]
    fn another_key_is_unknown() {
        let jws = sign_detached(&key(7), b"x");
        assert!(matches!(check(&jws, b"x", &key(8)), Err(SignatureError::UnknownKey(_))));
    }

    #[test]
    fn malformed_signatures_have_their_own_code() {
        for bad in ["abc", "a.b.c", "!!..!!", "e30..AAAA"] {
            let e = DetachedJws::parse(bad).err();
            assert_eq!(e.as_ref().map(SignatureError::code), Some("SIG_002"), "{bad}");
        }
        assert_eq!(DetachedJws::parse("").err(), Some(SignatureError::Missing));
    }

    #[test]
    fn other_algorithms_are_refused() {
        let h = B64.encode(br#"{"alg":"HS256","kid":"k"}"#);
        let e = DetachedJws::parse(&format!("{h}..AAAA")).err();
        assert_eq!(e.as_ref().map(SignatureError::code), Some("SIG_003"));
    }

    #[test]
    fn unencoded_payload_signatures_verify_when_declared_critical() {
        let k = key(3);
        let h = B64
            .encode(format!(r#"{{"alg":"EdDSA","kid":"{}","b64":false,"crit":["b64"]}}"#, key_id(&k.verifying_key())));
        let sig = k.sign(&signing_input(&h, b"payload", false));
        let jws = format!("{h}..{}", B64.encode(sig.to_bytes()));
        assert_eq!(check(&jws, b"payload", &k), Ok(()));
    }

    proptest::proptest! {
        #[test]
        fn parsing_never_panics_on_arbitrary_text(s in ".{0,300}") {
            let _ = DetachedJws::parse(&s);
        }

        #[test]
        fn parsing_never_panics_on_dot_separated_base64(h in "[A-Za-z0-9_-]{0,80}", p in "[A-Za-z0-9_-]{0,4}", s in "[A-Za-z0-9_-]{0,100}") {
            let _ = DetachedJws::parse(&format!("{h}.{p}.{s}"));
        }
    }

    #[test]
    fn an_attached_signature_verifies_and_gives_back_its_payload() -> Result<(), SignatureError> {
        let k = key(3);
        let jws = sign_compact(&k, b"{\"seq\":1}");
        let parsed = CompactJws::parse(&jws)?;
        assert_eq!((parsed.kid.clone(), parsed.payload.clone()), (key_id(&k.verifying_key()), b"{\"seq\":1}".to_vec()));
        assert_eq!(parsed.verify(&k.verifying_key()), Ok(()));
        assert_eq!(parsed.verify(&key(4).verifying_key()), Err(SignatureError::Invalid));
        let parts: Vec<&str> = jws.split('.').collect();
        let altered = format!("{}.{}.{}", parts[0], B64.encode(b"{\"seq\":2}"), parts[2]);
        assert_eq!(CompactJws::parse(&altered)?.verify(&k.verifying_key()), Err(SignatureError::Invalid));
        assert!(matches!(CompactJws::parse("{\"seq\":1}"), Err(SignatureError::Malformed(_))));
        Ok(())
    }

    /// Detached signatures by keys 1, 2, 3… over payloads `{"n":i}`, with their checks.
    fn checks(n: u8) -> Vec<(Vec<u8>, String, SigningKey)> {
        (1..=n)
            .map(|i| {
                let payload = format!("{{\"n\":{i}}}").into_bytes();
                let jws = sign_detached(&key(i), &payload);
                (payload, jws, key(i))
            })
            .collect()
    }

    #[test]
    fn a_batch_answers_each_signature_as_it_is_answered_alone() -> Result<(), SignatureError> {
        let signed = checks(6);
        let mut batch = Vec::new();
        for (i, (payload, jws, k)) in signed.iter().enumerate() {
            let parsed = DetachedJws::parse(jws)?;
            // The third is checked over other bytes, the fifth with another key.
            let check = match i {
                2 => parsed.check(b"{\"n\":99}", &k.verifying_key()),
                4 => parsed.check(payload, &key(42).verifying_key()),
                _ => parsed.check(payload, &k.verifying_key()),
            };
            batch.push(check);
        }
        let alone: Vec<_> = batch.iter().cloned().map(Check::verify).collect();
        let together = verify_all(batch);
        let invalid = Err(SignatureError::Invalid);
        assert_eq!(together, vec![Ok(()), Ok(()), invalid.clone(), Ok(()), invalid, Ok(())]);
        assert_eq!(together, alone);
        let valid: Vec<Check> = signed
            .iter()
            .map(|(p, jws, k)| DetachedJws::parse(jws).map(|j| j.check(p, &k.verifying_key())))
            .collect::<Result<_, _>>()?;
        assert_eq!(verify_all(valid), vec![Ok(()); 6]);
        assert_eq!(verify_all(Vec::new()), Vec::new());
        Ok(())
    }

    /// A signature whose `R` carries a component of order 8: only the cofactored equation
    /// accepts it. Made as its key's holder could make it.
    fn with_small_order_r(signer: &SigningKey, payload: &[u8]) -> String {
        use curve25519_dalek::{constants, Scalar};
        let secret = ed25519_dalek::hazmat::ExpandedSecretKey::from(&signer.to_bytes());
        let header = B64.encode(format!(r#"{{"alg":"EdDSA","kid":"{}"}}"#, key_id(&signer.verifying_key())));
        let input = signing_input(&header, payload, true);
        let r = Scalar::from_bytes_mod_order([9; 32]);
        let big_r = (constants::ED25519_BASEPOINT_TABLE * &r + constants::EIGHT_TORSION[1]).compress();
        let k = Scalar::from_hash(
            sha2::Sha512::new()
                .chain_update(big_r.as_bytes())
                .chain_update(signer.verifying_key().as_bytes())
                .chain_update(&input),
        );
        let s = r + k * secret.scalar;
        let mut signature = [0u8; 64];
        signature[..32].copy_from_slice(big_r.as_bytes());
        signature[32..].copy_from_slice(s.as_bytes());
        format!("{header}..{}", B64.encode(signature))
    }

    #[test]
    fn a_signature_only_the_cofactored_equation_accepts_gets_one_answer_alone_and_in_any_batch(
    ) -> Result<(), SignatureError> {
        use ed25519_dalek::Verifier as _;
        let k = key(11);
        let jws = with_small_order_r(&k, b"{\"n\":0}");
        let parsed = DetachedJws::parse(&jws)?;
        // The cofactorless equation refuses it: the case is real.
        let input = signing_input(&parsed.header_b64, b"{\"n\":0}", true);
        let cofactorless = k.verifying_key().verify(&input, &ed25519_dalek::Signature::from_bytes(&parsed.signature));
        assert!(cofactorless.is_err());
        assert_eq!(parsed.verify(b"{\"n\":0}", &k.verifying_key()), Ok(()));
        for others in 1..=8 {
            let mut batch = vec![parsed.check(b"{\"n\":0}", &k.verifying_key())];
            for (p, jws, k) in checks(others) {
                batch.push(DetachedJws::parse(&jws)?.check(&p, &k.verifying_key()));
            }
            assert_eq!(verify_all(batch), vec![Ok(()); usize::from(others) + 1], "with {others} others");
        }
        Ok(())
    }

    #[test]
    fn keys_round_trip_through_their_text_forms() {
        let k = key(9);
        let back = decode_secret_key(&encode_secret_key(&k)).map(|k| k.to_bytes());
        assert_eq!(back, Some(k.to_bytes()));
        let pk = decode_public_key(&encode_public_key(&k.verifying_key()));
        assert_eq!(pk, Some(k.verifying_key()));
    }
}
