//! The movement reference number (MRN) of a transit, after the EU's: 18 characters,
//!
//! ```text
//! 26 DE 00000000000AB K
//! │  │  │             └ check character, ISO 7064 MOD 37,36 over the 17 before it
//! │  │  └ unique part: 13 digits or upper-case letters (the serial in base 36)
//! │  └ country of the office of departure, ISO 3166-1 alpha-2
//! └ year of acceptance, two digits
//! ```
//!
//! The EU computes its check digit as ISO 6346 does (weights 2^i, mod 11, then mod 10), which
//! lets some single changes through: `B` (12) and `1` are equal mod 11, and a remainder of 10
//! becomes 0. ISO 7064 MOD 37,36, a hybrid system over the 36 letters and digits, detects every
//! change of one character, so a mistyped MRN is refused instead of naming another movement.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::codes::CountryCode;
use crate::ids::{InvalidId, OfficeCode};

/// Characters in an MRN.
pub const MRN_LEN: usize = 18;
/// Characters of the unique part.
const UNIQUE_LEN: usize = 13;
/// The alphabet of ISO 7064 MOD 37,36: digits are worth 0 to 9, letters 10 to 35.
const ALPHABET: &[u8; 36] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ";

/// A movement reference number, parsed once: its check character is right.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, ToSchema)]
#[serde(try_from = "String", into = "String")]
#[schema(value_type = String, example = "26DE0000000000001A")]
pub struct Mrn(String);

/// The value of an alphanumeric character in ISO 7064 MOD 37,36.
fn value(c: u8) -> Option<u32> {
    match c {
        b'0'..=b'9' => Some(u32::from(c - b'0')),
        b'A'..=b'Z' => Some(u32::from(c - b'A') + 10),
        _ => None,
    }
}

/// The ISO 7064 MOD 37,36 check character of `text`, `None` when a character is not a digit
/// or an upper-case letter.
pub fn check_character(text: &str) -> Option<char> {
    const M: u32 = 36;
    let mut p = M;
    for c in text.bytes() {
        let mut s = (p + value(c)?) % M;
        if s == 0 {
            s = M;
        }
        p = (s * 2) % (M + 1);
    }
    let check = (M + 1 - p) % M;
    ALPHABET.get(check as usize).map(|&b| char::from(b))
}

/// The country an office code starts with (EU office codes are the country and six characters).
pub fn office_country(office: &OfficeCode) -> Option<CountryCode> {
    office.as_str().get(..2).and_then(CountryCode::parse)
}

impl Mrn {
    /// The MRN of the `serial`-th movement accepted in `year` by the offices of `country`; the
    /// store keeps the serial unique per country and year.
    pub fn new(year: i32, country: CountryCode, serial: u64) -> Mrn {
        let mut unique = [b'0'; UNIQUE_LEN];
        let mut rest = serial;
        for slot in unique.iter_mut().rev() {
            // u64::MAX has 13 digits in base 36, so the serial always fits.
            *slot = ALPHABET[(rest % 36) as usize];
            rest /= 36;
        }
        let body = format!("{:02}{}{}", year.rem_euclid(100), country.as_str(), String::from_utf8_lossy(&unique));
        let check = check_character(&body).unwrap_or('0');
        Mrn(format!("{body}{check}"))
    }

    /// An MRN, when `text` has the form of one and its check character is right.
    pub fn parse(text: &str) -> Result<Mrn, InvalidId> {
        let invalid = || InvalidId { kind: "movement reference number", value: text.to_string() };
        let b = text.as_bytes();
        if b.len() != MRN_LEN || !b.iter().all(|c| value(*c).is_some()) || !b[..2].iter().all(u8::is_ascii_digit) {
            return Err(invalid());
        }
        if CountryCode::parse(&text[2..4]).is_none() {
            return Err(invalid());
        }
        let (body, check) = text.split_at(MRN_LEN - 1);
        if check_character(body).map(String::from).as_deref() != Some(check) {
            return Err(invalid());
        }
        Ok(Mrn(text.to_string()))
    }

    /// The text form.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The country of the office of departure.
    pub fn country(&self) -> Option<CountryCode> {
        self.0.get(2..4).and_then(CountryCode::parse)
    }
}

impl TryFrom<String> for Mrn {
    type Error = InvalidId;

    fn try_from(text: String) -> Result<Self, InvalidId> {
        Mrn::parse(&text)
    }
}

impl From<Mrn> for String {
    fn from(mrn: Mrn) -> String {
        mrn.0
    }
}

impl std::str::FromStr for Mrn {
    type Err = InvalidId;

    fn from_str(s: &str) -> Result<Self, InvalidId> {
        Mrn::parse(s)
    }
}

impl std::fmt::Display for Mrn {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn de() -> CountryCode {
        CountryCode::parse("DE").unwrap_or_else(|| panic!("DE is a country"))
    }

    #[test]
    fn an_mrn_is_year_country_serial_and_check_character() {
        let mrn = Mrn::new(2026, de(), 42);
        assert_eq!(mrn.as_str().len(), MRN_LEN);
        assert_eq!(mrn.as_str(), "26DE0000000000016V");
        assert_eq!(Mrn::parse(mrn.as_str()), Ok(mrn.clone()));
        assert_eq!(mrn.country(), Some(de()));
        assert_eq!(Mrn::new(2026, de(), u64::MAX).as_str().get(4..17), Some("3W5E11264SGSF"));
    }

    #[test]
    fn the_check_character_follows_iso_7064_mod_37_36() {
        // Worked by hand: P=36; 'A'(10): s=46 mod 36=10, p=20; '1': s=21, p=42 mod 37=5;
        // check = (37 - 5) mod 36 = 32, the letter W.
        assert_eq!(check_character("A1"), Some('W'));
        assert_eq!(check_character("a1"), None);
        assert_eq!(check_character(""), Some('1'));
    }

    #[test]
    fn malformed_mrns_are_refused() {
        let good = Mrn::new(2026, de(), 7).to_string();
        let lower = good.to_lowercase();
        let short = &good[..17];
        let no_country = format!("26XX{}", &good[4..]);
        for bad in ["", short, lower.as_str(), no_country.as_str(), "2XDE0000000000007A"] {
            assert!(Mrn::parse(bad).is_err(), "{bad:?}");
        }
        assert_eq!(serde_json::from_str::<Mrn>(&format!("\"{good}\"")).ok().map(String::from), Some(good));
        assert!(serde_json::from_str::<Mrn>("\"nonsense\"").is_err());
    }

    #[test]
    fn an_office_code_gives_its_country_when_it_starts_with_one() {
        let office = |c: &str| OfficeCode::parse(c).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(office_country(&office("DE005000")), Some(de()));
        assert_eq!(office_country(&office("10702070")), None);
    }

    proptest! {
        /// Any single changed character of a valid MRN, the check character included, is
        /// detected.
        #[test]
        fn any_single_changed_character_is_detected(
            year in 2000i32..2100,
            serial in any::<u64>(),
            at in 0usize..MRN_LEN,
            replacement in 0usize..36,
        ) {
            let mrn = Mrn::new(year, de(), serial);
            prop_assert!(Mrn::parse(mrn.as_str()).is_ok());
            let mut bytes = mrn.as_str().as_bytes().to_vec();
            prop_assume!(bytes[at] != ALPHABET[replacement]);
            bytes[at] = ALPHABET[replacement];
            let changed = String::from_utf8(bytes).unwrap_or_default();
            prop_assert!(Mrn::parse(&changed).is_err(), "{} accepted after changing {}", changed, mrn);
        }

        /// Whatever text arrives, parsing does not panic, and what parses prints back the same.
        #[test]
        fn parsing_any_text_is_total(text in "\\PC{0,24}") {
            if let Ok(mrn) = Mrn::parse(&text) {
                prop_assert_eq!(mrn.as_str(), text.as_str());
            }
        }
    }
}
