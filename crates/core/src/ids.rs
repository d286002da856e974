//! Typed identifiers and the registration number.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

/// Identifier of a filed declaration (UUID v7, so ids sort by filing time).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, ToSchema)]
#[serde(transparent)]
pub struct DeclarationId(pub Uuid);

impl std::fmt::Display for DeclarationId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.0.fmt(f)
    }
}

/// Identifier of a trader (a declarant), the party id used on declarations.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, ToSchema)]
#[serde(transparent)]
pub struct TraderId(pub String);

impl std::fmt::Display for TraderId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// Registration number `OFFICE/YYMMDD/NNNNNNN`: office of declaration, registration date and a
/// seven-digit sequence that restarts every day for every office.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, ToSchema)]
#[serde(transparent)]
pub struct RegistrationNumber(pub String);

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
        let n = RegistrationNumber::new("10005000", d, 42).map(|n| n.0);
        assert_eq!(n.as_deref(), Ok("10005000/260309/0000042"));
    }

    #[test]
    fn sequence_numbers_outside_one_to_ten_million_are_refused() {
        let d = NaiveDate::from_ymd_opt(2026, 3, 9).unwrap_or_default();
        assert!(RegistrationNumber::new("X", d, 0).is_err());
        assert!(RegistrationNumber::new("X", d, 10_000_000).is_err());
    }
}
