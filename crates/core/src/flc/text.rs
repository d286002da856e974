//! Field-level helpers shared by the header and item checks: presence of mandatory fields,
//! free-text limits, and the format predicates of identifiers.

use super::finding::{shown, Findings, JsonPath};
use super::rules::Rule;

/// Length limits of free-text fields, in characters, after the EU data model's `an..N` formats.
pub(crate) mod limit {
    /// Party names.
    pub(crate) const NAME: usize = 70;
    /// Street and number.
    pub(crate) const STREET: usize = 70;
    /// City.
    pub(crate) const CITY: usize = 35;
    /// Postcode.
    pub(crate) const POSTCODE: usize = 17;
    /// Short references: means of transport, invoice and document numbers, named place.
    pub(crate) const REFERENCE: usize = 35;
    /// Goods description.
    pub(crate) const DESCRIPTION: usize = 512;
}

/// Returns the value of a mandatory field, or records `rule` at `path` when it is absent.
pub(crate) fn required<'a, T>(
    f: &mut Findings,
    path: impl JsonPath,
    value: Option<&'a T>,
    rule: Rule,
    what: impl JsonPath,
) -> Option<&'a T>
where
    T: ?Sized,
{
    if value.is_none() {
        f.push(rule, path, format!("{what} is missing ({path})."), &[("what", &what), ("path", &path)]);
    }
    value
}

/// Checks a free-text value: not blank, no control characters, at most `max` characters.
/// Returns true when the text passes. Each problem is its own finding.
pub(crate) fn check_text(f: &mut Findings, path: impl JsonPath, what: impl JsonPath, value: &str, max: usize) -> bool {
    let mut ok = true;
    if value.trim().is_empty() {
        f.push(Rule::TextBlank, path, format!("{what} is blank."), &[("what", &what)]);
        // A blank value has no length or characters worth reporting on.
        return false;
    }
    if value.chars().any(char::is_control) {
        f.push(
            Rule::TextControlCharacters,
            path,
            format!("{what} contains control characters such as line breaks or tabs: {}.", shown(value)),
            &[("what", &what), ("value", &shown(value))],
        );
        ok = false;
    }
    let len = value.chars().count();
    if len > max {
        f.push(
            Rule::TextTooLong,
            path,
            format!("{what} has {len} characters; at most {max} are allowed."),
            &[("what", &what), ("length", &len), ("limit", &max)],
        );
        ok = false;
    }
    ok
}

/// A mandatory free-text field: present (else `missing` is recorded) and passing `check_text`.
pub(crate) fn required_text(
    f: &mut Findings,
    path: impl JsonPath,
    what: impl JsonPath,
    value: Option<&String>,
    max: usize,
    missing: Rule,
) -> Option<String> {
    let value = required(f, path, value, missing, what)?;
    check_text(f, path, what, value, max).then(|| value.clone())
}

/// An optional free-text field: checked only when present.
pub(crate) fn optional_text(
    f: &mut Findings,
    path: impl JsonPath,
    what: impl JsonPath,
    value: Option<&String>,
    max: usize,
) {
    if let Some(value) = value {
        check_text(f, path, what, value, max);
    }
}

/// True for upper-case ASCII letters and digits, the alphabet of codes and identifiers.
fn is_code_char(b: u8) -> bool {
    b.is_ascii_uppercase() || b.is_ascii_digit()
}

/// Party id: two upper-case letters, then 1 to 15 upper-case letters or digits (EORI format).
pub(crate) fn is_party_id(id: &str) -> bool {
    let b = id.as_bytes();
    (3..=17).contains(&b.len())
        && b.iter().take(2).all(u8::is_ascii_uppercase)
        && b.iter().skip(2).all(|&c| is_code_char(c))
}

/// Procedure code: exactly four digits.
pub(crate) fn is_procedure_code(code: &str) -> bool {
    code.len() == 4 && code.bytes().all(|b| b.is_ascii_digit())
}

/// Commodity code: 6 to 10 digits, nothing else.
pub(crate) fn is_commodity_code(code: &str) -> bool {
    (6..=10).contains(&code.len()) && code.bytes().all(|b| b.is_ascii_digit())
}

/// IMO ship identification number: `IMO` followed by seven digits (the prefix may be left
/// out), where the seventh digit is the last digit of the sum of the first six weighted
/// 7, 6, 5, 4, 3, 2.
pub(crate) fn is_imo_number(id: &str) -> bool {
    let digits = id.strip_prefix("IMO").unwrap_or(id).as_bytes();
    if digits.len() != 7 || !digits.iter().all(u8::is_ascii_digit) {
        return false;
    }
    let values: Vec<u32> = digits.iter().map(|d| u32::from(d - b'0')).collect();
    let weighted: u32 = values.iter().zip([7, 6, 5, 4, 3, 2]).map(|(v, w)| v * w).sum();
    values.last() == Some(&(weighted % 10))
}

/// Location of goods: 4 to 35 upper-case letters, digits, `-`, `/` or `.`, starting with a
/// letter or digit. Identifiers of storage facilities are codes, not addresses.
pub(crate) fn is_location_of_goods(id: &str) -> bool {
    let b = id.as_bytes();
    (4..=35).contains(&b.len())
        && b.first().is_some_and(|&c| is_code_char(c))
        && b.iter().all(|&c| is_code_char(c) || matches!(c, b'-' | b'/' | b'.'))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn eori_style_party_ids_are_accepted() {
        assert!(is_party_id("DE123456789012345"));
        assert!(is_party_id("GB123456789000"));
        assert!(is_party_id("XI123456789000"));
        assert!(is_party_id("CN9144030MA5F"));
    }

    #[test]
    fn party_ids_with_lower_case_punctuation_or_wrong_length_are_refused() {
        assert!(!is_party_id("de123456789"));
        assert!(!is_party_id("DE-123456"));
        assert!(!is_party_id("DE"));
        assert!(!is_party_id("DE1234567890123456"));
        assert!(!is_party_id("1E12345"));
    }

    #[test]
    fn realistic_office_codes_are_accepted() {
        for office in ["DE005000", "DE004800", "NL000396", "BE101000", "FR002300", "PL443010", "10702070"] {
            assert!(crate::ids::OfficeCode::parse(office).is_ok(), "{office}");
        }
        assert!(crate::ids::OfficeCode::parse("DE00500").is_err());
        assert!(crate::ids::OfficeCode::parse("de005000").is_err());
        assert!(crate::ids::OfficeCode::parse("DE0050000").is_err());
    }

    #[test]
    fn imo_numbers_need_a_valid_check_digit() {
        assert!(is_imo_number("IMO9811000"));
        assert!(is_imo_number("9321483"));
        assert!(!is_imo_number("IMO9811001"));
        assert!(!is_imo_number("IMO981100"));
        assert!(!is_imo_number("MAERSK ESSEN"));
    }

    #[test]
    fn commodity_codes_are_six_to_ten_digits() {
        assert!(is_commodity_code("851713"));
        assert!(is_commodity_code("8517130000"));
        assert!(!is_commodity_code("8517.13"));
        assert!(!is_commodity_code("85171"));
        assert!(!is_commodity_code("85171300001"));
    }

    #[test]
    fn location_codes_are_upper_case_identifiers() {
        assert!(is_location_of_goods("DEHAMCTA"));
        assert!(is_location_of_goods("DE-HAM/EUROGATE.1"));
        assert!(!is_location_of_goods("Hamburg CTA"));
        assert!(!is_location_of_goods("-HAM"));
        assert!(!is_location_of_goods("DEH"));
    }

    #[test]
    fn a_blank_text_is_reported_once() {
        let mut f = Findings::default();
        assert!(!check_text(&mut f, "$.x", "X", " \t ", 10));
        let codes: Vec<String> = f.into_vec().into_iter().map(|x| x.code).collect();
        assert_eq!(codes, ["FLC_017"]);
    }

    #[test]
    fn a_long_text_with_a_tab_gets_two_findings() {
        let mut f = Findings::default();
        assert!(!check_text(&mut f, "$.x", "X", "abc\tdefghijkl", 5));
        let codes: Vec<String> = f.into_vec().into_iter().map(|x| x.code).collect();
        assert_eq!(codes, ["FLC_018", "FLC_016"]);
    }
}
