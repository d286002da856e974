//! The lines of the tariff: measures, the country groups preferential measures name, and the
//! exchange rates for converting invoice amounts.

use std::fmt;

use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::codes::{find_document_type, CountryCode, CurrencyCode, Nomenclature};

use super::rate::Rate;

/// The currency duties and taxes are assessed and paid in. It needs no exchange rate.
pub const NATIONAL_CURRENCY: &str = "EUR";

/// Longest country group code.
const MAX_GROUP_CODE: usize = 20;

/// What a measure levies.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum MeasureKind {
    /// Customs duty on import (conventional or preferential).
    ImportDuty,
    /// Import VAT.
    Vat,
    /// Excise duty (beer, wine, spirits, tobacco, mineral oils).
    Excise,
}

impl MeasureKind {
    /// The code used in tariff files.
    pub fn code(self) -> &'static str {
        match self {
            MeasureKind::ImportDuty => "import_duty",
            MeasureKind::Vat => "vat",
            MeasureKind::Excise => "excise",
        }
    }

    /// Parses the code used in tariff files.
    pub fn parse(code: &str) -> Option<Self> {
        [MeasureKind::ImportDuty, MeasureKind::Vat, MeasureKind::Excise].into_iter().find(|k| k.code() == code)
    }
}

impl fmt::Display for MeasureKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

/// Whom a measure applies to: goods of every origin, or goods originating in a country group
/// (a preferential measure).
///
/// Serialised as `"erga_omnes"` or the group code.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub enum Origin {
    /// Every origin: the conventional (MFN) rate, VAT and excise.
    ErgaOmnes,
    /// Goods originating in a country of the group with this code.
    Group(String),
}

impl Origin {
    /// The text used in tariff files for erga omnes measures.
    pub const ERGA_OMNES: &'static str = "erga_omnes";

    /// Parses `erga_omnes` or a group code (capital letters, digits and `-`, up to 20).
    pub fn parse(text: &str) -> Result<Self, String> {
        if text == Self::ERGA_OMNES {
            Ok(Origin::ErgaOmnes)
        } else {
            check_group_code(text).map(|()| Origin::Group(text.to_string()))
        }
    }

    /// The group code of a preferential measure.
    pub fn group(&self) -> Option<&str> {
        match self {
            Origin::ErgaOmnes => None,
            Origin::Group(code) => Some(code),
        }
    }
}

impl fmt::Display for Origin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.group().unwrap_or(Self::ERGA_OMNES))
    }
}

impl TryFrom<String> for Origin {
    type Error = String;
    fn try_from(s: String) -> Result<Self, String> {
        Origin::parse(&s)
    }
}

impl From<Origin> for String {
    fn from(o: Origin) -> String {
        o.to_string()
    }
}

impl utoipa::PartialSchema for Origin {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        utoipa::openapi::ObjectBuilder::new()
            .schema_type(utoipa::openapi::schema::Type::String)
            .description(Some("`erga_omnes`, or the code of the country group a preferential measure applies to."))
            .examples([serde_json::json!("erga_omnes"), serde_json::json!("GSP")])
            .into()
    }
}

impl ToSchema for Origin {}

/// Checks a country group code: 1 to 20 capital letters, digits and `-`.
pub(crate) fn check_group_code(code: &str) -> Result<(), String> {
    let ok = !code.is_empty()
        && code.len() <= MAX_GROUP_CODE
        && code.bytes().all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || b == b'-');
    if ok {
        Ok(())
    } else {
        Err(format!(
            "{code:?} is neither `erga_omnes` nor a group code (1 to {MAX_GROUP_CODE} capital letters, digits and `-`)"
        ))
    }
}

/// One line of the tariff: a duty or tax rate for the goods under a code, for an origin, over
/// a period. A change of rate is a new version: the same `id`, code, kind and origin with a
/// later validity; every version is kept.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Measure {
    /// Identifier the administration chooses (e.g. `DUTY-8517`); shared by the versions of one line.
    pub id: String,
    /// Goods covered: `""` for all goods, or a chapter (2 digits), heading (4), subheading (6)
    /// or national line (8 or 10 digits) whose HS part exists in HS 2022.
    #[schema(example = "8517")]
    pub code: String,
    /// What the measure levies.
    pub kind: MeasureKind,
    /// `erga_omnes`, or the country group of a preferential measure.
    pub origin: Origin,
    /// The rate, in its text form.
    pub rate: Rate,
    /// Document type codes that prove preferential origin, separated by `|` (e.g. `N865|N864`);
    /// one of them must be attached to the item. Required on preferential measures only.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub proof: Option<String>,
    /// First day the measure applies.
    pub valid_from: NaiveDate,
    /// Last day the measure applies (inclusive); `None` while open-ended.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub valid_to: Option<NaiveDate>,
    /// The regulation the measure rests on (free text).
    pub legal_base: String,
}

impl Measure {
    /// True when the measure applies on `date`.
    pub fn is_valid_on(&self, date: NaiveDate) -> bool {
        valid_on(self.valid_from, self.valid_to, date)
    }

    /// The document type codes that prove origin for this measure.
    pub fn proof_codes(&self) -> impl Iterator<Item = &str> {
        self.proof.as_deref().unwrap_or("").split('|').map(str::trim).filter(|c| !c.is_empty())
    }

    /// Checks the measure on its own: code, rate, proof and validity. Checks that need the
    /// whole tariff (groups, overlaps) are `Tariff::new`'s.
    pub fn check(&self) -> Vec<String> {
        let mut problems = Vec::new();
        if self.id.trim().is_empty() {
            problems.push("the id is empty".to_string());
        }
        if let Err(e) = check_code(&self.code) {
            problems.push(e);
        }
        if let Err(e) = self.rate.check() {
            problems.push(format!("the rate {}: {e}", self.rate));
        }
        problems.extend(self.check_proof());
        if self.valid_to.is_some_and(|to| to < self.valid_from) {
            problems.push(format!(
                "valid_to {} is before valid_from {}",
                self.valid_to.unwrap_or(self.valid_from),
                self.valid_from
            ));
        }
        problems
    }

    fn check_proof(&self) -> Vec<String> {
        let mut problems = Vec::new();
        match (&self.origin, self.proof_codes().next().is_some()) {
            (Origin::Group(g), false) => {
                problems.push(format!("the preferential measure for group {g} names no proof of origin"))
            }
            (Origin::ErgaOmnes, true) => problems.push("an erga omnes measure takes no proof of origin".to_string()),
            _ => {}
        }
        if self.origin != Origin::ErgaOmnes && self.kind != MeasureKind::ImportDuty {
            problems.push(format!("only import duties have preferential rates, not {}", self.kind));
        }
        for code in self.proof_codes() {
            if !find_document_type(code).is_some_and(|d| d.proves_origin) {
                problems.push(format!("{code:?} is not a document type that proves preferential origin"));
            }
        }
        problems
    }
}

/// True when `date` falls in `from ..= to` (open-ended without `to`).
pub(crate) fn valid_on(from: NaiveDate, to: Option<NaiveDate>, date: NaiveDate) -> bool {
    from <= date && to.is_none_or(|to| date <= to)
}

/// Checks a measure code: empty, or 2, 4, 6, 8 or 10 digits whose chapter, heading and
/// subheading exist in HS 2022.
pub fn check_code(code: &str) -> Result<(), String> {
    if code.is_empty() {
        return Ok(());
    }
    if !matches!(code.len(), 2 | 4 | 6 | 8 | 10) || !code.bytes().all(|b| b.is_ascii_digit()) {
        return Err(format!("the code {code:?} is not empty or 2, 4, 6, 8 or 10 digits"));
    }
    let hs = Nomenclature::hs2022();
    for len in [2, 4, 6].into_iter().filter(|&l| l <= code.len()) {
        let part = &code[..len];
        if hs.get(part).is_none() && part == code {
            return Err(format!("the code {code} is not in HS 2022"));
        }
        if hs.get(part).is_none() {
            return Err(format!("the code {code}: its HS part {part} is not in HS 2022"));
        }
    }
    Ok(())
}

/// A named set of countries, such as the beneficiaries of the generalised system of
/// preferences or the partners of a free-trade agreement.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CountryGroup {
    /// Code that preferential measures name as their origin (e.g. `GSP`).
    #[schema(example = "GSP")]
    pub code: String,
    /// Plain-language name.
    pub name: String,
    /// Member countries, ISO 3166-1 alpha-2.
    #[schema(value_type = Vec<String>, example = json!(["VN", "IN"]))]
    pub countries: Vec<CountryCode>,
}

impl CountryGroup {
    /// True when `country` is a member.
    pub fn contains(&self, country: CountryCode) -> bool {
        self.countries.contains(&country)
    }
}

/// How many units of a currency one euro buys over a period (the form the ECB publishes).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ExchangeRate {
    /// The foreign currency.
    #[schema(value_type = String, example = "USD")]
    pub currency: CurrencyCode,
    /// Units of `currency` for 1 EUR.
    #[schema(value_type = String, example = "1.0850")]
    pub per_eur: Decimal,
    /// First day the rate applies.
    pub valid_from: NaiveDate,
    /// Last day the rate applies (inclusive); `None` while open-ended.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub valid_to: Option<NaiveDate>,
}

impl ExchangeRate {
    /// True when the rate applies on `date`.
    pub fn is_valid_on(&self, date: NaiveDate) -> bool {
        valid_on(self.valid_from, self.valid_to, date)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn measure_codes_must_exist_in_hs_2022() {
        for ok in ["", "85", "8517", "851762", "85176200", "8517620010"] {
            assert_eq!(check_code(ok), Ok(()), "{ok}");
        }
        for bad in ["8", "851", "8517.62", "77", "9999", "851799", "85176200100"] {
            assert!(check_code(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn origins_read_and_print_the_same() {
        assert_eq!(Origin::parse("erga_omnes"), Ok(Origin::ErgaOmnes));
        assert_eq!(Origin::parse("EPA-JP").map(|o| o.to_string()), Ok("EPA-JP".to_string()));
        assert!(Origin::parse("gsp").is_err());
        assert!(Origin::parse("").is_err());
    }

    #[test]
    fn measure_kinds_read_their_codes() {
        for kind in [MeasureKind::ImportDuty, MeasureKind::Vat, MeasureKind::Excise] {
            assert_eq!(MeasureKind::parse(kind.code()), Some(kind));
        }
        assert_eq!(MeasureKind::parse("duty"), None);
    }
}
