//! Typed identifiers and the registration number.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

/// An identifier that does not have its form: which kind, and the text given.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{value:?} is not a {kind}")]
pub struct InvalidId {
    /// What it should have been (`declaration id`, `trader id`, `registration number`).
    pub kind: &'static str,
    /// The text given.
    pub value: String,
}

/// Identifier of a filed declaration (UUID v7, so ids sort by filing time).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, ToSchema)]
#[serde(into = "String", try_from = "String")]
pub struct DeclarationId(Uuid);

impl From<DeclarationId> for String {
    fn from(id: DeclarationId) -> String {
        id.to_string()
    }
}

impl TryFrom<String> for DeclarationId {
    type Error = InvalidId;

    fn try_from(text: String) -> Result<Self, InvalidId> {
        text.parse()
    }
}

impl DeclarationId {
    /// A new id, ordered after every id generated before it.
    pub fn generate() -> Self {
        DeclarationId(Uuid::now_v7())
    }

    /// The UUID.
    pub fn uuid(&self) -> Uuid {
        self.0
    }
}

impl std::str::FromStr for DeclarationId {
    type Err = InvalidId;

    fn from_str(s: &str) -> Result<Self, InvalidId> {
        s.parse().map(DeclarationId).map_err(|_| InvalidId { kind: "declaration id", value: s.to_string() })
    }
}

impl std::fmt::Display for DeclarationId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.0.fmt(f)
    }
}

/// Identifier of a trader (a declarant), the party id used on declarations: 1 to 64
/// characters, no control characters, not blank.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, ToSchema)]
#[serde(try_from = "String")]
#[schema(value_type = String)]
pub struct TraderId(String);

impl TraderId {
    /// Longest trader id, in bytes.
    pub const MAX_LEN: usize = 64;

    /// A trader id, when `id` has the form of one.
    pub fn new(id: impl Into<String>) -> Result<Self, InvalidId> {
        let id = id.into();
        if id.trim().is_empty() || id.len() > Self::MAX_LEN || id.chars().any(char::is_control) {
            return Err(InvalidId { kind: "trader id", value: id });
        }
        Ok(TraderId(id))
    }

    /// The text form.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for TraderId {
    type Error = InvalidId;

    fn try_from(id: String) -> Result<Self, InvalidId> {
        TraderId::new(id)
    }
}

impl std::str::FromStr for TraderId {
    type Err = InvalidId;

    fn from_str(s: &str) -> Result<Self, InvalidId> {
        TraderId::new(s)
    }
}

impl std::fmt::Display for TraderId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// A customs office code: exactly eight upper-case letters or digits (e.g. `DE005000`).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, ToSchema)]
#[serde(try_from = "String", into = "String")]
#[schema(value_type = String)]
pub struct OfficeCode(String);

impl OfficeCode {
    /// An office code, when `code` has the form of one.
    pub fn parse(code: &str) -> Result<Self, InvalidId> {
        if code.len() == 8 && code.bytes().all(|b| b.is_ascii_uppercase() || b.is_ascii_digit()) {
            Ok(OfficeCode(code.to_string()))
        } else {
            Err(InvalidId { kind: "customs office code", value: code.to_string() })
        }
    }

    /// The text form.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// An office code written in the source, known to have the form of one.
    pub(crate) fn known(code: &'static str) -> Self {
        debug_assert!(OfficeCode::parse(code).is_ok(), "{code} is not an office code");
        OfficeCode(code.to_string())
    }
}

impl TryFrom<String> for OfficeCode {
    type Error = InvalidId;

    fn try_from(code: String) -> Result<Self, InvalidId> {
        OfficeCode::parse(&code)
    }
}

impl From<OfficeCode> for String {
    fn from(code: OfficeCode) -> String {
        code.0
    }
}

impl std::str::FromStr for OfficeCode {
    type Err = InvalidId;

    fn from_str(s: &str) -> Result<Self, InvalidId> {
        OfficeCode::parse(s)
    }
}

impl std::fmt::Display for OfficeCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// Version of a trained risk model: 1 for the first, each retraining the next.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, ToSchema)]
#[serde(transparent)]
pub struct ModelVersion(i64);

impl ModelVersion {
    /// The first version.
    pub const FIRST: ModelVersion = ModelVersion(1);

    /// The version after this one.
    pub fn next(self) -> ModelVersion {
        ModelVersion(self.0 + 1)
    }

    /// The number, as stored.
    pub fn get(self) -> i64 {
        self.0
    }
}

impl From<i64> for ModelVersion {
    fn from(n: i64) -> Self {
        ModelVersion(n)
    }
}

impl std::fmt::Display for ModelVersion {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.0.fmt(f)
    }
}

/// Registration number `OFFICE/YYMMDD/NNNNNNN`: office of declaration, registration date and a
/// seven-digit sequence that restarts every day for every office.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, ToSchema)]
#[serde(try_from = "String")]
#[schema(value_type = String)]
pub struct RegistrationNumber(String);

impl TryFrom<String> for RegistrationNumber {
    type Error = InvalidId;

    fn try_from(number: String) -> Result<Self, InvalidId> {
        RegistrationNumber::parse(&number)
    }
}

/// The daily sequence of an office ran past 9,999,999.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("the daily sequence of office {office} is exhausted")]
pub struct SequenceExhausted {
    /// The office.
    pub office: String,
}

impl RegistrationNumber {
    /// Largest daily sequence number.
    pub const MAX_SEQUENCE: u64 = 9_999_999;

    /// Formats a registration number.
    pub fn new(office: &str, date: NaiveDate, sequence: u64) -> Result<Self, SequenceExhausted> {
        if sequence == 0 || sequence > Self::MAX_SEQUENCE {
            return Err(SequenceExhausted { office: office.to_string() });
        }
        Ok(RegistrationNumber(format!("{office}/{}/{sequence:07}", date.format("%y%m%d"))))
    }

    /// A registration number, when `text` has its form.
    pub fn parse(text: &str) -> Result<Self, InvalidId> {
        let invalid = || InvalidId { kind: "registration number", value: text.to_string() };
        let mut parts = text.split('/');
        let (Some(office), Some(date), Some(sequence), None) = (parts.next(), parts.next(), parts.next(), parts.next())
        else {
            return Err(invalid());
        };
        let digits = |s: &str, n: usize| s.len() == n && s.bytes().all(|b| b.is_ascii_digit());
        if office.is_empty() || office.chars().any(char::is_control) || !digits(date, 6) || !digits(sequence, 7) {
            return Err(invalid());
        }
        NaiveDate::parse_from_str(date, "%y%m%d").map_err(|_| invalid())?;
        Ok(RegistrationNumber(text.to_string()))
    }

    /// The text form.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Display for RegistrationNumber {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn registration_numbers_are_office_date_and_seven_digits() {
        let d = NaiveDate::from_ymd_opt(2026, 3, 9).unwrap_or_default();
        let n = RegistrationNumber::new("10005000", d, 42).map(|n| n.to_string());
        assert_eq!(n.as_deref(), Ok("10005000/260309/0000042"));
        assert_eq!(RegistrationNumber::parse("10005000/260309/0000042").map(|n| n.to_string()).ok(), n.ok());
    }

    #[test]
    fn identifiers_are_parsed_once_into_their_form() {
        for bad in ["", "X/260309/42", "X/261309/0000042", "/260309/0000042", "X/260309/0000042/1", "X-260309-0000042"]
        {
            assert!(RegistrationNumber::parse(bad).is_err(), "{bad:?}");
        }
        assert!(serde_json::from_str::<RegistrationNumber>("\"X/260309/0000001\"").is_ok());
        assert!(serde_json::from_str::<RegistrationNumber>("\"nonsense\"").is_err());
        assert!(TraderId::new("DE123456789").is_ok());
        for bad in ["", "  ", "DE\u{0}1", &"X".repeat(65)] {
            assert!(TraderId::new(bad).is_err(), "{bad:?}");
        }
        assert!(serde_json::from_str::<TraderId>("\"\"").is_err());
        let id = DeclarationId::generate();
        assert_eq!(id.to_string().parse::<DeclarationId>(), Ok(id));
        assert!("not-a-uuid".parse::<DeclarationId>().is_err());
    }

    #[test]
    fn sequence_numbers_outside_one_to_ten_million_are_refused() {
        let d = NaiveDate::from_ymd_opt(2026, 3, 9).unwrap_or_default();
        assert!(RegistrationNumber::new("X", d, 0).is_err());
        assert!(RegistrationNumber::new("X", d, 10_000_000).is_err());
    }
}
