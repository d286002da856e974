//! People and machines: password hashing (argon2id), server-side sessions with CSRF tokens,
//! sign-in with rate limiting, and API tokens with expiry and revocation.
//!
//! A session id is 32 random bytes sent in an `HttpOnly; SameSite=Lax` cookie (plus `Secure`
//! when the server is configured for TLS); the database keeps only its SHA-256. Every
//! session-authenticated request reads the session from the database, so a sign-out or a
//! disabled user takes effect on every server process at once.

use std::time::Duration;

use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::Argon2;
use base64::Engine as _;
use chrono::TimeDelta;
use rand::RngCore;

use smartcustoms_core::access::Principal;
use smartcustoms_core::timestamp::Timestamp;
use smartcustoms_storage::{NewSession, NewToken, NewUser, SessionRecord, StoreError};

use crate::error::ApiError;
use crate::state::{token_hash, AppState};

/// Name of the cookie that carries a browser's session id.
pub const SESSION_COOKIE: &str = "sc_session";

/// Failed sign-ins are counted over this window.
pub const SIGN_IN_WINDOW_MINUTES: i64 = 15;
/// Failed sign-ins for one user name within the window after which sign-in is refused.
pub const SIGN_IN_LIMIT_PER_USER: i64 = 5;
/// Failed sign-ins from one address within the window after which sign-in is refused.
pub const SIGN_IN_LIMIT_PER_ADDRESS: i64 = 30;

/// A session is touched in the database at most this often.
const TOUCH_EVERY: TimeDelta = TimeDelta::minutes(1);

/// Settings of sessions.
#[derive(Debug, Clone, Copy)]
pub struct SessionConfig {
    /// A session without a request for this long ends.
    pub idle: Duration,
    /// A session ends this long after sign-in whatever happens.
    pub absolute: Duration,
    /// Cookies carry `Secure` (set when the server is reached over TLS).
    pub secure_cookies: bool,
}

impl Default for SessionConfig {
    fn default() -> Self {
        SessionConfig {
            idle: Duration::from_secs(30 * 60),
            absolute: Duration::from_secs(12 * 3600),
            secure_cookies: false,
        }
    }
}

/// The session behind a request.
#[derive(Debug, Clone)]
pub struct Session {
    /// SHA-256 of the session id.
    pub id_sha256: String,
    /// The CSRF token the session's forms carry.
    pub csrf: String,
}

/// Hashes a password with argon2id and a random salt (PHC string).
pub fn hash_password(password: &str) -> Result<String, argon2::password_hash::Error> {
    let salt = SaltString::generate(&mut rand::rngs::OsRng);
    Ok(Argon2::default().hash_password(password.as_bytes(), &salt)?.to_string())
}

/// True when `password` matches the PHC hash.
pub fn verify_password(password: &str, hash: &str) -> bool {
    PasswordHash::new(hash).is_ok_and(|h| Argon2::default().verify_password(password.as_bytes(), &h).is_ok())
}

/// A hash of no one's password, checked when the user name is unknown so that a wrong name
/// takes as long as a wrong password.
fn decoy_hash() -> &'static str {
    static DECOY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    DECOY.get_or_init(|| hash_password("decoy password of no user").unwrap_or_default())
}

/// Random bytes, base64url without padding.
pub fn random_secret(bytes: usize) -> String {
    let mut buf = vec![0u8; bytes];
    rand::rngs::OsRng.fill_bytes(&mut buf);
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(buf)
}

/// A new API token: `sc_` and 48 hex characters.
pub fn new_token() -> String {
    let mut bytes = [0u8; 24];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    format!("sc_{}", hex::encode(bytes))
}

/// The record of an API token issued now, without expiry.
pub fn token_record(token: &str, principal: Principal) -> NewToken {
    NewToken { sha256: token_hash(token), principal, issued_at_us: Timestamp::now(), expires_at_us: None }
}

/// The record of a user to add, with a password hash made beforehand (see [`hash_password`]).
pub fn user_record(name: &str, display_name: &str, password_hash: &str, principal: Principal) -> NewUser {
    NewUser {
        name: name.to_string(),
        display_name: display_name.to_string(),
        password_hash: password_hash.to_string(),
        principal,
        created_at_us: Timestamp::now(),
    }
}

/// Issues an API token for `principal`; returns the token (shown once) and its id.
pub async fn issue_token(
    state: &AppState,
    principal: Principal,
    expires_at_us: Option<Timestamp>,
    actor: &str,
) -> Result<(String, String), StoreError> {
    let token = new_token();
    let new = NewToken { sha256: token_hash(&token), principal, issued_at_us: Timestamp::now(), expires_at_us };
    let id = state.store.add_token(&new, actor).await?;
    Ok((token, id))
}

/// Why a sign-in did not start a session.
#[derive(Debug)]
pub enum SignInError {
    /// Wrong user name or password (the same answer for both).
    Wrong,
    /// Too many failures recently.
    Limited,
    /// The store failed.
    Store(StoreError),
}

impl From<StoreError> for SignInError {
    fn from(e: StoreError) -> Self {
        SignInError::Store(e)
    }
}

impl From<SignInError> for ApiError {
    fn from(e: SignInError) -> Self {
        match e {
            SignInError::Wrong => ApiError::InvalidToken,
            SignInError::Limited => ApiError::TooManySignIns(SIGN_IN_WINDOW_MINUTES),
            SignInError::Store(e) => e.into(),
        }
    }
}

/// Checks a user name and password and starts a session; returns the session id for the
/// cookie. Failures are recorded per name and address; past the limits the password is not
/// checked at all until the window has passed.
pub async fn sign_in(state: &AppState, name: &str, password: &str, address: &str) -> Result<String, SignInError> {
    let now = Timestamp::now();
    let since = now - TimeDelta::minutes(SIGN_IN_WINDOW_MINUTES);
    let (by_user, by_address) = state.store.sign_in_failures(name, address, since).await?;
    if by_user >= SIGN_IN_LIMIT_PER_USER || by_address >= SIGN_IN_LIMIT_PER_ADDRESS {
        tracing::warn!(user = name, address, "sign-in refused: too many failures");
        return Err(SignInError::Limited);
    }
    let user = state.store.user(name).await?.filter(|u| u.disabled_at_us.is_none());
    let hash = user.as_ref().map(|u| u.password_hash.clone()).unwrap_or_else(|| decoy_hash().to_string());
    let given = password.to_string();
    let matches = tokio::task::spawn_blocking(move || verify_password(&given, &hash)).await.unwrap_or(false);
    let Some(user) = user.filter(|_| matches) else {
        state.store.add_sign_in_failure(name, address, now).await?;
        return Err(SignInError::Wrong);
    };
    let id = random_secret(32);
    let config = state.config.sessions;
    state
        .store
        .start_session(&NewSession {
            id_sha256: token_hash(&id),
            user_name: user.name,
            csrf: random_secret(24),
            created_at_us: now,
            expires_at_us: now + span(config.absolute),
            address: address.to_string(),
        })
        .await?;
    Ok(id)
}

/// The live session of a cookie value, with its principal; `None` when unknown, ended,
/// idle too long or past its absolute end.
pub async fn session(state: &AppState, cookie: &str) -> Result<Option<(Principal, Session)>, StoreError> {
    if cookie.is_empty() || cookie.len() > 64 {
        return Ok(None);
    }
    let hash = token_hash(cookie);
    let Some(record) = state.store.session(&hash).await? else { return Ok(None) };
    let now = Timestamp::now();
    if !alive(&record, now, state.config.sessions) {
        return Ok(None);
    }
    if now - record.last_seen_us >= TOUCH_EVERY {
        state.store.touch_session(&hash, now).await?;
    }
    let principal = record.principal()?;
    Ok(Some((principal, Session { id_sha256: record.id_sha256, csrf: record.csrf })))
}

/// The principal and CSRF token of a session that was not ended but has lapsed (idle too long
/// or past its absolute end): what a form posted just after it lapsed belonged to, so that its
/// input can be kept for the user's next session.
pub async fn lapsed(state: &AppState, cookie: &str) -> Result<Option<(Principal, String)>, StoreError> {
    if cookie.is_empty() || cookie.len() > 64 {
        return Ok(None);
    }
    let Some(record) = state.store.session(&token_hash(cookie)).await? else { return Ok(None) };
    if alive(&record, Timestamp::now(), state.config.sessions) {
        return Ok(None);
    }
    let csrf = record.csrf.clone();
    Ok(Some((record.principal()?, csrf)))
}

/// True while a session is within its idle and absolute limits.
fn alive(s: &SessionRecord, now: Timestamp, config: SessionConfig) -> bool {
    now < s.expires_at_us && now - s.last_seen_us < span(config.idle)
}

/// A configured duration as a span of time (the longest one when out of range).
fn span(d: Duration) -> TimeDelta {
    TimeDelta::from_std(d).unwrap_or(TimeDelta::MAX)
}

/// The `Set-Cookie` value that hands a session id to the browser.
pub fn session_cookie(id: &str, config: SessionConfig) -> String {
    let secure = if config.secure_cookies { "; Secure" } else { "" };
    format!("{SESSION_COOKIE}={id}; Path=/; HttpOnly; SameSite=Lax; Max-Age={}{secure}", config.absolute.as_secs())
}

/// The `Set-Cookie` value that removes the session cookie.
pub fn clearing_cookie(config: SessionConfig) -> String {
    let secure = if config.secure_cookies { "; Secure" } else { "" };
    format!("{SESSION_COOKIE}=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0{secure}")
}

/// Compares two secrets in time independent of where they differ.
pub fn same_secret(a: &str, b: &str) -> bool {
    a.len() == b.len() && a.bytes().zip(b.bytes()).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(last_seen_us: Timestamp, expires_at_us: Timestamp) -> SessionRecord {
        SessionRecord {
            id_sha256: "h".into(),
            csrf: "c".into(),
            created_at_us: Timestamp::EPOCH,
            last_seen_us,
            expires_at_us,
            user_name: "u".into(),
            display_name: "U".into(),
            role: "officer".into(),
            trader_id: None,
            capacities: None,
        }
    }

    #[test]
    fn a_password_verifies_only_against_its_own_hash() -> Result<(), Box<dyn std::error::Error>> {
        let hash = hash_password("correct horse")?;
        assert!(hash.starts_with("$argon2id$"), "{hash}");
        assert!(verify_password("correct horse", &hash));
        assert!(!verify_password("correct horsf", &hash));
        assert!(!verify_password("correct horse", "not a hash"));
        assert_ne!(hash, hash_password("correct horse")?, "salted");
        Ok(())
    }

    #[test]
    fn sessions_end_when_idle_or_past_their_absolute_end() {
        let config =
            SessionConfig { idle: Duration::from_secs(60), absolute: Duration::from_secs(3600), secure_cookies: false };
        let at = Timestamp::from_micros;
        assert!(alive(&record(at(0), at(3_600_000_000)), at(59_000_000), config));
        assert!(!alive(&record(at(0), at(3_600_000_000)), at(60_000_000), config), "idle");
        assert!(!alive(&record(at(3_599_000_000), at(3_600_000_000)), at(3_600_000_000), config), "absolute");
    }

    #[test]
    fn cookies_are_http_only_same_site_and_secure_when_asked() {
        let plain = session_cookie("abc", SessionConfig::default());
        assert!(plain.contains("HttpOnly") && plain.contains("SameSite=Lax") && !plain.contains("Secure"), "{plain}");
        let tls = session_cookie("abc", SessionConfig { secure_cookies: true, ..SessionConfig::default() });
        assert!(tls.ends_with("; Secure"), "{tls}");
        assert!(clearing_cookie(SessionConfig::default()).contains("Max-Age=0"));
    }

    #[test]
    fn secrets_compare_equal_only_when_identical() {
        assert!(same_secret("abc", "abc"));
        assert!(!same_secret("abc", "abd"));
        assert!(!same_secret("abc", "abcd"));
        assert_eq!(random_secret(32).len(), 43);
        assert_ne!(random_secret(32), random_secret(32));
    }
}
