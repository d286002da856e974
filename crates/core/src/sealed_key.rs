//! A person's signing key held by the server, sealed under a passphrase only the person knows.
//!
//! The Ed25519 seed is encrypted with ChaCha20-Poly1305 under a key derived from the passphrase
//! by Argon2id (19 MiB, 2 passes: the OWASP recommendation) with a random salt. The server
//! stores the salt, the nonce and the ciphertext, never the passphrase or the seed; to sign, the
//! person gives the passphrase, the seed is opened for that one signature and dropped. The
//! public key is registered like any other declarant key, so every signature made this way is
//! verifiable by anyone who has the public key, exactly as one made by the trader's own
//! software.

use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64;
use base64::Engine;
use chacha20poly1305::aead::{Aead, KeyInit};
use chacha20poly1305::{ChaCha20Poly1305, Key, Nonce};
use ed25519_dalek::SigningKey;
use rand::RngCore;

/// Shortest passphrase accepted, characters.
pub const MIN_PASSPHRASE: usize = 10;

/// Longest passphrase accepted, characters.
pub const MAX_PASSPHRASE: usize = 200;

/// A sealed key as stored: every part base64url without padding.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SealedKey {
    /// Argon2id salt, 16 bytes.
    pub salt: String,
    /// ChaCha20-Poly1305 nonce, 12 bytes.
    pub nonce: String,
    /// The encrypted 32-byte seed with its 16-byte tag.
    pub sealed: String,
}

/// Why a key could not be sealed or opened.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SealError {
    /// The passphrase is too short or too long.
    #[error("the passphrase must be {MIN_PASSPHRASE} to {MAX_PASSPHRASE} characters")]
    BadPassphrase,
    /// The passphrase does not open the key.
    #[error("the passphrase does not open the signing key")]
    WrongPassphrase,
    /// The stored parts are not a sealed key.
    #[error("the stored signing key is damaged")]
    Damaged,
}

/// Checks a new passphrase's length.
pub fn check_passphrase(passphrase: &str) -> Result<(), SealError> {
    let n = passphrase.chars().count();
    if (MIN_PASSPHRASE..=MAX_PASSPHRASE).contains(&n) {
        Ok(())
    } else {
        Err(SealError::BadPassphrase)
    }
}

fn derive(passphrase: &str, salt: &[u8]) -> Result<Key, SealError> {
    let mut key = [0u8; 32];
    argon2::Argon2::default()
        .hash_password_into(passphrase.as_bytes(), salt, &mut key)
        .map_err(|_| SealError::Damaged)?;
    Ok(Key::from(key))
}

/// Makes a new signing key and seals it under `passphrase`. Slow on purpose (Argon2id).
pub fn generate(passphrase: &str) -> Result<(SigningKey, SealedKey), SealError> {
    check_passphrase(passphrase)?;
    let mut rng = rand::rngs::OsRng;
    let key = SigningKey::generate(&mut rng);
    let (mut salt, mut nonce) = ([0u8; 16], [0u8; 12]);
    rng.fill_bytes(&mut salt);
    rng.fill_bytes(&mut nonce);
    let cipher = ChaCha20Poly1305::new(&derive(passphrase, &salt)?);
    let sealed = cipher.encrypt(&Nonce::from(nonce), key.to_bytes().as_slice()).map_err(|_| SealError::Damaged)?;
    Ok((key, SealedKey { salt: B64.encode(salt), nonce: B64.encode(nonce), sealed: B64.encode(sealed) }))
}

/// Opens a sealed key with `passphrase`. Slow on purpose (Argon2id).
pub fn open(sealed: &SealedKey, passphrase: &str) -> Result<SigningKey, SealError> {
    let part = |s: &str| B64.decode(s).map_err(|_| SealError::Damaged);
    let (salt, nonce, ciphertext) = (part(&sealed.salt)?, part(&sealed.nonce)?, part(&sealed.sealed)?);
    let nonce: [u8; 12] = nonce.try_into().map_err(|_| SealError::Damaged)?;
    let cipher = ChaCha20Poly1305::new(&derive(passphrase, &salt)?);
    let seed = cipher.decrypt(&Nonce::from(nonce), ciphertext.as_slice()).map_err(|_| SealError::WrongPassphrase)?;
    let seed: [u8; 32] = seed.try_into().map_err(|_| SealError::Damaged)?;
    Ok(SigningKey::from_bytes(&seed))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_sealed_key_opens_with_its_passphrase_only() -> Result<(), SealError> {
        let (key, sealed) = generate("correct horse battery")?;
        assert_eq!(open(&sealed, "correct horse battery")?.to_bytes(), key.to_bytes());
        assert_eq!(open(&sealed, "correct horse battery!").map(|_| ()), Err(SealError::WrongPassphrase));
        Ok(())
    }

    #[test]
    fn passphrases_have_a_length() {
        assert_eq!(generate("short").map(|_| ()), Err(SealError::BadPassphrase));
        assert!(check_passphrase(&"x".repeat(MAX_PASSPHRASE + 1)).is_err());
        assert!(check_passphrase("ten chars!").is_ok());
    }

    #[test]
    fn damaged_parts_are_named_as_such() -> Result<(), SealError> {
        let (_, sealed) = generate("correct horse battery")?;
        let cut = SealedKey { nonce: "AAAA".into(), ..sealed.clone() };
        assert_eq!(open(&cut, "correct horse battery").map(|_| ()), Err(SealError::Damaged));
        let flipped = SealedKey { sealed: B64.encode(vec![0u8; 48]), ..sealed };
        assert_eq!(open(&flipped, "correct horse battery").map(|_| ()), Err(SealError::WrongPassphrase));
        Ok(())
    }
}
