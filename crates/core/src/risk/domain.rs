//! The values a text field can hold. The parser checks every literal against them, because a
//! typo such as `item.origin = "cn"` would otherwise compile and silently never fire.

use super::ast::Field;
use crate::codes::{CountryCode, CurrencyCode, HsCode, Nomenclature, TransportMode};

/// Which literal values make sense for a text field.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Domain {
    /// Anything: names, identification numbers, descriptions.
    Free,
    DeclarationType,
    Procedure,
    Country,
    Currency,
    TransportMode,
    Incoterm,
    Hs,
    Hs6,
    Chapter,
    Category,
    Finding,
}

/// Incoterms 2020, the codes `declaration.incoterm` can hold.
const INCOTERMS: [&str; 11] = ["EXW", "FCA", "CPT", "CIP", "DAP", "DPU", "DDP", "FAS", "FOB", "CFR", "CIF"];

/// Checks a value compared exactly (`=`, `!=`, `in`); the message says why it cannot match.
pub(crate) fn check_value(field: Field, value: &str) -> Result<(), String> {
    let name = field.name();
    let digits = |n: usize| value.len() == n && value.bytes().all(|b| b.is_ascii_digit());
    let rule = match field.domain() {
        Domain::Free => None,
        Domain::DeclarationType => (!matches!(value, "IM" | "EX")).then(|| format!("`{name}` is \"IM\" or \"EX\"")),
        Domain::Procedure => (!digits(4)).then(|| format!("`{name}` is a four-digit code such as \"4000\"")),
        Domain::Country => CountryCode::parse(value)
            .is_none()
            .then(|| format!("`{name}` is an ISO country code of two capital letters such as \"CN\"")),
        Domain::Currency => CurrencyCode::parse(value)
            .is_none()
            .then(|| format!("`{name}` is an ISO currency code of three capital letters such as \"USD\"")),
        Domain::TransportMode => TransportMode::parse(value).is_none().then(|| {
            format!(
                "`{name}` is a one-digit code: \"1\" sea, \"2\" rail, \"3\" road, \"4\" air, \
                 \"5\" post, \"7\" fixed installation, \"8\" inland waterway, \"9\" own propulsion"
            )
        }),
        Domain::Incoterm => (!INCOTERMS.contains(&value))
            .then(|| format!("`{name}` is an Incoterms 2020 code: {}", INCOTERMS.join(", "))),
        Domain::Hs => HsCode::parse(value)
            .is_none()
            .then(|| format!("`{name}` is 6 to 10 digits starting with an HS 2022 subheading")),
        Domain::Hs6 => (!Nomenclature::hs2022().has_subheading(value))
            .then(|| format!("`{name}` is an HS 2022 subheading of six digits such as \"851713\"")),
        Domain::Category => {
            super::Category::parse(value).is_none().then(|| format!("`{name}` is \"low\", \"medium\" or \"high\""))
        }
        Domain::Finding => (!super::facts::is_finding(value)).then(|| {
            let codes: Vec<&str> = super::facts::FINDINGS.iter().map(|(c, _)| *c).collect();
            format!("`{name}` holds finding codes: {}", codes.join(", "))
        }),
        Domain::Chapter => (!(digits(2) && Nomenclature::hs2022().get(value).is_some()))
            .then(|| format!("`{name}` is an HS chapter of two digits such as \"61\"")),
    };
    match rule {
        Some(rule) => Err(format!("\"{}\" cannot match: {rule}", shorten(value))),
        None => Ok(()),
    }
}

/// Checks a `starts with` prefix. For commodity-code fields it must be digits, no longer than
/// the field, and the start of some HS subheading; other fields take any prefix.
pub(crate) fn check_prefix(field: Field, prefix: &str) -> Result<(), String> {
    let max = match field.domain() {
        Domain::Hs => 10,
        Domain::Hs6 => 6,
        Domain::Chapter => 2,
        _ => return Ok(()),
    };
    let digits = prefix.len() <= max && prefix.bytes().all(|b| b.is_ascii_digit());
    let known = digits && {
        let head = prefix.get(..prefix.len().min(6)).unwrap_or(prefix);
        Nomenclature::hs2022().subheadings().any(|e| e.code.starts_with(head))
    };
    if known {
        return Ok(());
    }
    Err(format!("no HS 2022 code starts with \"{}\"; `{}` holds up to {max} digits", shorten(prefix), field.name()))
}

/// Long values are cut in messages so that the message stays readable.
pub(crate) fn shorten(text: &str) -> String {
    const MAX: usize = 40;
    match text.char_indices().nth(MAX) {
        Some((cut, _)) => format!("{}…", &text[..cut]),
        None => text.to_string(),
    }
}
