//! Import of the labelled Korea Customs Service import declarations (`train.csv` of the KCS /
//! IBS "Customs Import Declaration" data set) as price observations.
//!
//! Item prices are in KRW and are converted at [`KRW_PER_EUR`]. Rows labelled as fraud are known
//! misdeclarations and are left out; so are rows whose subheading is not in HS 2022, rows of an
//! unknown origin and rows without a unit value (net mass or price zero). The text is parsed here; reading the file is
//! the caller's business.

use std::borrow::Cow;
use std::str::FromStr;

use rust_decimal::Decimal;
use serde::Serialize;

use super::reference::{Observation, Source};
use crate::codes::{CountryCode, Nomenclature};

/// Korean won per euro, the fixed rate also used for the demo price sample (`data/README.md`).
pub const KRW_PER_EUR: Decimal = Decimal::from_parts(1_450, 0, 0, false, 0);

/// At most this many invalid rows are described in [`KcsImport::invalid`]; all are counted.
const MAX_DESCRIBED: usize = 100;

/// The columns read, by header name; the others are ignored and may come in any order.
const HS6: &str = "HS6 Code";
const ORIGIN: &str = "Country of Origin";
const NET_MASS: &str = "Net Mass";
const PRICE: &str = "Item Price";
const FRAUD: &str = "Fraud";
const COLUMNS: [&str; 5] = [HS6, ORIGIN, NET_MASS, PRICE, FRAUD];

/// A problem with one line of the file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, thiserror::Error)]
#[error("line {line}: {message}")]
pub struct ImportError {
    /// Line number, from 1 (the header).
    pub line: usize,
    /// What is wrong.
    pub message: String,
}

/// The observations of an import and what was left out, by reason.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct KcsImport {
    /// One observation per usable row, [`Source::Kcs`].
    pub observations: Vec<Observation>,
    /// Data rows read (blank lines not counted).
    pub read: usize,
    /// Rows labelled as fraud (`Fraud` = 1).
    pub skipped_fraud: usize,
    /// Rows whose `HS6 Code` is not an HS 2022 subheading.
    pub skipped_unknown_hs: usize,
    /// Rows whose `Country of Origin` is not an ISO 3166 code (the data set writes `ZZ` for an
    /// unknown origin).
    pub skipped_unknown_origin: usize,
    /// Rows with a net mass or a price of zero, which give no unit value.
    pub skipped_no_value: usize,
    /// Rows that could not be read (wrong number of fields, bad number, bad fraud label).
    pub skipped_invalid: usize,
    /// The first invalid rows, with the reason.
    pub invalid: Vec<ImportError>,
}

/// Why a data row gives no observation.
enum Skip {
    Fraud,
    UnknownHs,
    UnknownOrigin,
    NoValue,
    Invalid(String),
}

/// Positions of the columns read, found by name in the header.
struct Layout {
    width: usize,
    hs6: usize,
    origin: usize,
    net_mass: usize,
    price: usize,
    fraud: usize,
}

/// Parses the text of the KCS `train.csv`. Fails, naming every missing column, only when the
/// header is unusable; bad rows are skipped and counted.
pub fn parse_kcs_csv(text: &str) -> Result<KcsImport, Vec<ImportError>> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut lines = text.split('\n').map(|line| line.strip_suffix('\r').unwrap_or(line)).enumerate();
    let header = lines.next().map(|(_, line)| line).unwrap_or_default();
    let layout = Layout::from_header(header)?;
    let mut import = KcsImport::default();
    for (index, line) in lines.filter(|(_, line)| !line.trim().is_empty()) {
        import.read += 1;
        match layout.row(line) {
            Ok(observation) => import.observations.push(observation),
            Err(Skip::Fraud) => import.skipped_fraud += 1,
            Err(Skip::UnknownHs) => import.skipped_unknown_hs += 1,
            Err(Skip::UnknownOrigin) => import.skipped_unknown_origin += 1,
            Err(Skip::NoValue) => import.skipped_no_value += 1,
            Err(Skip::Invalid(message)) => {
                import.skipped_invalid += 1;
                if import.invalid.len() < MAX_DESCRIBED {
                    import.invalid.push(ImportError { line: index + 1, message });
                }
            }
        }
    }
    Ok(import)
}

impl Layout {
    fn from_header(header: &str) -> Result<Layout, Vec<ImportError>> {
        let names = fields(header);
        let position = |name: &str| names.iter().position(|n| n.trim() == name);
        let missing: Vec<ImportError> = COLUMNS
            .iter()
            .filter(|name| position(name).is_none())
            .map(|name| ImportError { line: 1, message: format!("the header has no column `{name}`") })
            .collect();
        if !missing.is_empty() {
            return Err(missing);
        }
        let at = |name: &str| position(name).unwrap_or_default();
        Ok(Layout {
            width: names.len(),
            hs6: at(HS6),
            origin: at(ORIGIN),
            net_mass: at(NET_MASS),
            price: at(PRICE),
            fraud: at(FRAUD),
        })
    }

    fn row(&self, line: &str) -> Result<Observation, Skip> {
        let fields = fields(line);
        if fields.len() != self.width {
            return Err(Skip::Invalid(format!("expected {} fields, found {}", self.width, fields.len())));
        }
        let field = |i: usize| fields.get(i).map_or("", |f| f.trim());
        let fraud = match field(self.fraud) {
            "0" => false,
            "1" => true,
            other => return Err(Skip::Invalid(format!("`{FRAUD}` is 0 or 1, found {other:?}"))),
        };
        let net_mass = amount(NET_MASS, field(self.net_mass))?;
        let price = amount(PRICE, field(self.price))?;
        let hs6 = field(self.hs6);
        if fraud {
            return Err(Skip::Fraud);
        }
        if !Nomenclature::hs2022().has_subheading(hs6) {
            return Err(Skip::UnknownHs);
        }
        let origin = CountryCode::parse(field(self.origin)).ok_or(Skip::UnknownOrigin)?;
        if net_mass.is_zero() || price.is_zero() {
            return Err(Skip::NoValue);
        }
        let value_per_kg = (price / KRW_PER_EUR).checked_div(net_mass);
        Ok(Observation { hs6: hs6.to_string(), origin, value_per_kg, value_per_unit: None, source: Source::Kcs })
    }
}

/// A non-negative decimal, written plainly (`372254.4`) or in scientific notation (`1e-3`).
fn amount(column: &str, text: &str) -> Result<Decimal, Skip> {
    let value = Decimal::from_str(text).or_else(|_| Decimal::from_scientific(text));
    match value {
        Ok(value) if value >= Decimal::ZERO => Ok(value),
        _ => Err(Skip::Invalid(format!("`{column}` is a number of zero or more, found {text:?}"))),
    }
}

/// The fields of one CSV line. A field may be quoted (`"a,b"`, with `""` for a quote); quoted
/// line breaks are not supported, as the data set has none. Lines without quotes, which is all
/// of the data set, are split without copying.
fn fields(line: &str) -> Vec<Cow<'_, str>> {
    if !line.contains('"') {
        return line.split(',').map(Cow::Borrowed).collect();
    }
    let mut fields = Vec::new();
    let mut current = String::new();
    let mut quoted = false;
    let mut chars = line.chars().peekable();
    while let Some(c) = chars.next() {
        match (c, quoted) {
            ('"', true) if chars.peek() == Some(&'"') => {
                current.push('"');
                chars.next();
            }
            ('"', _) => quoted = !quoted,
            (',', false) => fields.push(Cow::Owned(std::mem::take(&mut current))),
            _ => current.push(c),
        }
    }
    fields.push(Cow::Owned(current));
    fields
}
