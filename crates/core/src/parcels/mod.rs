//! E-commerce parcels (E3): low-value consignments filed in bulk by marketplaces, postal and
//! express operators. A parcel carries a reduced data set; it is checked on its own (a bad
//! parcel is refused with its reasons and the rest go on), charged under the low-value regime
//! (a flat duty per item and VAT, none of which is due here when the seller collected the VAT
//! under a registered VAT scheme number), scored, and released or held for a check.
//!
//! Flags are facts the risk rules read: a consignment split to stay under the threshold, a VAT
//! number used by a seller it does not belong to, a value implausible for the goods, and a
//! description too vague to classify.

use std::collections::HashMap;

use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::codes::{CountryCode, CurrencyCode, Nomenclature};
use crate::registration::Reason;
use crate::tariff::Tariff;
use crate::valuation::PriceReference;

mod risk;
#[cfg(test)]
mod tests;

pub use risk::{as_declaration, outcome, score, Scoring, PROCEDURE};

/// A party of a parcel: the seller, or the buyer with its address.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PartyDoc {
    /// Name.
    pub name: Option<String>,
    /// Address (the buyer's).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub address: Option<String>,
    /// ISO 3166 country code.
    pub country: Option<String>,
}

/// A parcel as filed: one line of the operator's NDJSON file.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ParcelDoc {
    /// The marketplace's own id of the sale, unique per operator.
    pub transaction_id: Option<String>,
    /// The operator filing (must be the caller's organisation).
    pub operator: Option<String>,
    /// The seller.
    pub seller: Option<PartyDoc>,
    /// The buyer, with the delivery address.
    pub buyer: Option<PartyDoc>,
    /// The HS subheading (6 digits).
    pub hs6: Option<String>,
    /// What the goods are.
    pub description: Option<String>,
    /// The price paid.
    #[schema(value_type = Option<String>)]
    pub value: Option<Decimal>,
    /// Its currency.
    pub currency: Option<String>,
    /// Country of origin.
    pub origin: Option<String>,
    /// Gross mass, kg.
    #[schema(value_type = Option<String>)]
    pub mass: Option<Decimal>,
    /// The seller's VAT scheme registration number (IOSS-like), when it collected the VAT.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub vat_number: Option<String>,
}

/// The low-value regime: which parcels it takes and what they pay.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Regime {
    /// Highest intrinsic value, EUR, of a parcel under the regime; a dearer one needs a full
    /// declaration.
    pub threshold_eur: Decimal,
    /// Flat duty per parcel, EUR.
    pub duty_per_item_eur: Decimal,
    /// VAT rate on value plus duty (0.2 for 20 %).
    pub vat_rate: Decimal,
    /// Days within which parcels of one seller to one buyer count as one consignment.
    pub split_window_days: i64,
    /// Below this share of the reference median value per kg, a value is implausible.
    pub implausible_share: Decimal,
    /// The office parcels are declared at, as the risk rules read it (`declaration.office`).
    pub office: crate::ids::OfficeCode,
}

impl Default for Regime {
    fn default() -> Self {
        Regime {
            threshold_eur: Decimal::from(150),
            duty_per_item_eur: Decimal::from(3),
            vat_rate: Decimal::new(20, 2),
            split_window_days: 3,
            implausible_share: Decimal::new(20, 2),
            office: crate::ids::OfficeCode::known("DE005000"),
        }
    }
}

/// A parcel that passed its checks.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Parcel {
    /// The marketplace's id.
    pub transaction_id: String,
    /// Seller's name and country.
    pub seller: (String, CountryCode),
    /// Buyer's name, address and country.
    pub buyer: (String, String, CountryCode),
    /// HS subheading.
    pub hs6: String,
    /// Description.
    pub description: String,
    /// Value and currency as filed.
    pub value: Decimal,
    /// Currency.
    pub currency: CurrencyCode,
    /// Value in EUR.
    pub value_eur: Decimal,
    /// Origin.
    pub origin: CountryCode,
    /// Mass, kg.
    pub mass: Decimal,
    /// VAT scheme number, if any.
    pub vat_number: Option<String>,
    /// The seller as a [`party_key`].
    pub seller_key: String,
    /// The buyer (name, address, country) as a [`party_key`].
    pub buyer_key: String,
}

/// Longest text field of a parcel, characters.
pub const MAX_TEXT: usize = 512;

/// Every reason code of a parcel's check and every flag, with what it means.
pub const CODES: [(&str, &str); 16] = [
    ("PCL_001", "a required field is missing"),
    ("PCL_002", "a text is empty, too long or holds control characters"),
    ("PCL_003", "the HS subheading is not six digits of HS 2022"),
    ("PCL_004", "a country code is not ISO 3166"),
    ("PCL_005", "the currency is not ISO 4217 or has no exchange rate on the date"),
    ("PCL_006", "the value is not positive or has more than two decimals"),
    ("PCL_007", "the mass is not positive"),
    ("PCL_008", "the value is above the low-value threshold: a full declaration is needed"),
    ("PCL_009", "the parcel names another operator than the one filing"),
    ("PCL_010", "the line is not a JSON parcel"),
    ("PCL_011", "the transaction id appears twice in the file"),
    ("PCL_012", "the operator's account does not cover the parcel's charges"),
    ("PCL_101", "split consignment: parcels of one seller to one buyer within days pass the threshold together"),
    ("PCL_102", "the VAT scheme number belongs to another seller"),
    ("PCL_103", "the value is implausibly low for the goods"),
    ("PCL_104", "the description is too vague to classify"),
];

fn reason(code: &str, path: &str, message: String) -> Reason {
    Reason { code: code.into(), path: Some(path.into()), message, args: Default::default() }
}

fn text(reasons: &mut Vec<Reason>, path: &str, value: Option<&str>) -> Option<String> {
    let Some(v) = value.map(str::trim) else {
        reasons.push(reason("PCL_001", path, format!("{path} is missing")));
        return None;
    };
    if v.is_empty() || v.chars().count() > MAX_TEXT || v.chars().any(char::is_control) {
        reasons.push(reason(
            "PCL_002",
            path,
            format!("{path} must be 1 to {MAX_TEXT} characters without control characters"),
        ));
        return None;
    }
    Some(v.to_string())
}

fn country(reasons: &mut Vec<Reason>, path: &str, value: Option<&str>) -> Option<CountryCode> {
    let v = text(reasons, path, value)?;
    let parsed = CountryCode::parse(&v);
    if parsed.is_none() {
        reasons.push(reason("PCL_004", path, format!("{v:?} is not an ISO 3166 country code")));
    }
    parsed
}

/// Checks one parcel filed by `operator` on `date`; the value is converted to EUR with the
/// tariff's rate of the day.
pub fn check(
    doc: &ParcelDoc,
    operator: &str,
    regime: &Regime,
    tariff: &Tariff,
    date: NaiveDate,
) -> Result<Parcel, Vec<Reason>> {
    let mut r = Vec::new();
    let transaction_id = text(&mut r, "$.transaction_id", doc.transaction_id.as_deref());
    if let Some(named) = text(&mut r, "$.operator", doc.operator.as_deref()) {
        if named != operator {
            r.push(reason(
                "PCL_009",
                "$.operator",
                format!("the parcel names operator {named}, but {operator} files it"),
            ));
        }
    }
    let seller = doc.seller.clone().unwrap_or_default();
    let buyer = doc.buyer.clone().unwrap_or_default();
    let seller_name = text(&mut r, "$.seller.name", seller.name.as_deref());
    let seller_country = country(&mut r, "$.seller.country", seller.country.as_deref());
    let buyer_name = text(&mut r, "$.buyer.name", buyer.name.as_deref());
    let buyer_address = text(&mut r, "$.buyer.address", buyer.address.as_deref());
    let buyer_country = country(&mut r, "$.buyer.country", buyer.country.as_deref());
    let hs6 = text(&mut r, "$.hs6", doc.hs6.as_deref()).filter(|h| {
        let ok = h.len() == 6 && h.bytes().all(|b| b.is_ascii_digit()) && Nomenclature::hs2022().has_subheading(h);
        if !ok {
            r.push(reason("PCL_003", "$.hs6", format!("{h:?} is not an HS 2022 subheading")));
        }
        ok
    });
    let description = text(&mut r, "$.description", doc.description.as_deref());
    let origin = country(&mut r, "$.origin", doc.origin.as_deref());
    let currency = text(&mut r, "$.currency", doc.currency.as_deref()).and_then(|c| {
        let parsed = CurrencyCode::parse(&c);
        if parsed.is_none() {
            r.push(reason("PCL_005", "$.currency", format!("{c:?} is not an ISO 4217 currency")));
        }
        parsed
    });
    let value = match doc.value {
        None => {
            r.push(reason("PCL_001", "$.value", "$.value is missing".into()));
            None
        }
        Some(v) if v <= Decimal::ZERO || v.scale() > 2 && v.normalize().scale() > 2 => {
            r.push(reason("PCL_006", "$.value", format!("{v} is not a positive amount with at most two decimals")));
            None
        }
        Some(v) => Some(v),
    };
    let mass = match doc.mass {
        None => {
            r.push(reason("PCL_001", "$.mass", "$.mass is missing".into()));
            None
        }
        Some(m) if m <= Decimal::ZERO => {
            r.push(reason("PCL_007", "$.mass", format!("{m} kg is not a positive mass")));
            None
        }
        Some(m) => Some(m),
    };
    let value_eur = match (value, currency) {
        (Some(v), Some(c)) if c.as_str() == "EUR" => Some(v),
        (Some(v), Some(c)) => match tariff.exchange_rate(c, date) {
            Some(rate) if rate.per_eur > Decimal::ZERO => Some((v / rate.per_eur).round_dp(2)),
            _ => {
                r.push(reason(
                    "PCL_005",
                    "$.currency",
                    format!("no exchange rate for {} is in force on {date}", c.as_str()),
                ));
                None
            }
        },
        _ => None,
    };
    if let Some(eur) = value_eur {
        if eur > regime.threshold_eur {
            let message = format!("{eur} EUR is above the low-value threshold of {} EUR", regime.threshold_eur);
            r.push(reason("PCL_008", "$.value", message));
        }
    }
    let vat_number = doc.vat_number.as_deref().map(str::trim).filter(|v| !v.is_empty()).map(str::to_string);
    match (
        transaction_id,
        seller_name.zip(seller_country),
        buyer_name.zip(buyer_address).zip(buyer_country),
        hs6,
        description,
        value.zip(currency).zip(value_eur),
        origin,
        mass,
    ) {
        (
            Some(id),
            Some(seller),
            Some(((bn, ba), bc)),
            Some(hs6),
            Some(description),
            Some(((v, c), eur)),
            Some(origin),
            Some(mass),
        ) if r.is_empty() => Ok(Parcel {
            transaction_id: id,
            seller_key: party_key(&[&seller.0]),
            buyer_key: party_key(&[&bn, &ba, bc.as_str()]),
            seller,
            buyer: (bn, ba, bc),
            hs6,
            description,
            value: v,
            currency: c,
            value_eur: eur,
            origin,
            mass,
            vat_number,
        }),
        _ => Err(r),
    }
}

/// What one parcel pays, in cents of EUR.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Charges {
    /// Duty.
    pub duty_cents: i64,
    /// VAT (zero when the seller collected it under its VAT scheme number).
    pub vat_cents: i64,
}

impl Charges {
    /// Both together.
    pub fn total(self) -> i64 {
        self.duty_cents + self.vat_cents
    }
}

fn cents(d: Decimal) -> i64 {
    (d * Decimal::ONE_HUNDRED)
        .round_dp_with_strategy(0, rust_decimal::RoundingStrategy::MidpointAwayFromZero)
        .try_into()
        .unwrap_or(i64::MAX / 4)
}

/// The charges of a parcel under `regime`; `vat_collected` when its VAT scheme number is
/// registered to its seller.
pub fn charges(p: &Parcel, regime: &Regime, vat_collected: bool) -> Charges {
    let duty = regime.duty_per_item_eur;
    let vat = if vat_collected { Decimal::ZERO } else { (p.value_eur + duty) * regime.vat_rate };
    Charges { duty_cents: cents(duty), vat_cents: cents(vat) }
}

/// A fact about a parcel the risk rules read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Flag {
    /// Parcels of one seller to one buyer within the window pass the threshold together.
    Split,
    /// The VAT scheme number belongs to another seller.
    VatMisuse,
    /// The value per kg is far below the reference for the goods.
    ImplausibleValue,
    /// The description names nothing a classifier could use.
    VagueDescription,
}

impl Flag {
    /// Its code.
    pub fn code(self) -> &'static str {
        match self {
            Flag::Split => "PCL_101",
            Flag::VatMisuse => "PCL_102",
            Flag::ImplausibleValue => "PCL_103",
            Flag::VagueDescription => "PCL_104",
        }
    }

    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            Flag::Split => "split",
            Flag::VatMisuse => "vat_misuse",
            Flag::ImplausibleValue => "implausible_value",
            Flag::VagueDescription => "vague_description",
        }
    }
}

/// Words that alone say nothing of what goods are.
const VAGUE: [&str; 16] = [
    "gift",
    "gifts",
    "goods",
    "item",
    "items",
    "parts",
    "accessories",
    "sample",
    "samples",
    "stuff",
    "product",
    "products",
    "merchandise",
    "present",
    "package",
    "other",
];

/// True when the description names nothing but vague words, or fewer than three letters.
pub fn vague(description: &str) -> bool {
    let words: Vec<String> = description
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| w.chars().count() > 1)
        .map(str::to_lowercase)
        .collect();
    words.iter().map(|w| w.chars().count()).sum::<usize>() < 3 || words.iter().all(|w| VAGUE.contains(&w.as_str()))
}

/// A buyer or seller as a key that ignores case, spacing and punctuation.
pub fn party_key(parts: &[&str]) -> String {
    let mut key = String::new();
    for part in parts {
        key.extend(part.chars().filter(|c| c.is_alphanumeric()).flat_map(char::to_lowercase));
        key.push('|');
    }
    key
}

/// What the flags read besides the parcel.
pub struct Context<'a> {
    /// VAT scheme numbers and the seller each is registered to (as a [`party_key`] of the name).
    pub vat_numbers: &'a HashMap<String, String>,
    /// The price reference (EUR per kg by subheading and origin).
    pub prices: &'a PriceReference,
    /// Value in EUR already shipped by each (seller key, buyer key) within the split window.
    pub recent: &'a HashMap<(String, String), Decimal>,
    /// The regime.
    pub regime: &'a Regime,
}

/// The flags of a parcel, and whether its seller collected the VAT.
pub fn assess(p: &Parcel, ctx: &Context<'_>) -> (Vec<Flag>, bool) {
    let mut flags = Vec::new();
    let vat_collected = match &p.vat_number {
        Some(n) => match ctx.vat_numbers.get(n) {
            Some(owner) if *owner == p.seller_key => true,
            _ => {
                flags.push(Flag::VatMisuse);
                false
            }
        },
        None => false,
    };
    let pair = (p.seller_key.clone(), p.buyer_key.clone());
    let before = ctx.recent.get(&pair).copied().unwrap_or_default();
    if before > Decimal::ZERO && before + p.value_eur > ctx.regime.threshold_eur {
        flags.push(Flag::Split);
    }
    let median = ctx.prices.lookup(&p.hs6, p.origin).and_then(|f| f.per_kg.as_ref()).map(|s| s.median);
    if let Some(median) = median.filter(|m| *m > Decimal::ZERO && p.mass > Decimal::ZERO) {
        if p.value_eur / p.mass < median * ctx.regime.implausible_share {
            flags.push(Flag::ImplausibleValue);
        }
    }
    if vague(&p.description) {
        flags.push(Flag::VagueDescription);
    }
    (flags, vat_collected)
}

/// Where a parcel goes: released, or held for a check of its documents (a vague description or
/// an implausible value) or of the goods (a split consignment or a misused VAT number); the
/// lane risk assessment gives may hold it too (see [`outcome`]). Ordered by severity.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    /// Released.
    Released,
    /// Held: its documents are checked.
    HeldDocuments,
    /// Held: the goods are inspected.
    HeldInspection,
}

impl Outcome {
    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Released => "released",
            Outcome::HeldDocuments => "held_documents",
            Outcome::HeldInspection => "held_inspection",
        }
    }

    /// The outcome of a parcel's flags.
    pub fn of(flags: &[Flag]) -> Outcome {
        if flags.iter().any(|f| matches!(f, Flag::Split | Flag::VatMisuse)) {
            Outcome::HeldInspection
        } else if flags.is_empty() {
            Outcome::Released
        } else {
            Outcome::HeldDocuments
        }
    }
}

/// An operator's data quality: the share of its parcels with a specific description and with a
/// plausible value, and their mean (1 is perfect).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, ToSchema)]
pub struct Quality {
    /// Parcels counted.
    pub parcels: i64,
    /// Share with a description specific enough to classify.
    pub specific_descriptions: f64,
    /// Share with a value plausible for the goods.
    pub plausible_values: f64,
    /// Share whose VAT number, when given, is the seller's.
    pub consistent_vat_numbers: f64,
    /// The mean of the three shares.
    pub score: f64,
}

impl Quality {
    /// The quality of `parcels` parcels of which `vague`, `implausible` and `vat_misuse` were flagged.
    pub fn of(parcels: i64, vague: i64, implausible: i64, vat_misuse: i64) -> Quality {
        let share = |bad: i64| if parcels == 0 { 1.0 } else { 1.0 - bad as f64 / parcels as f64 };
        let (d, v, n) = (share(vague), share(implausible), share(vat_misuse));
        Quality {
            parcels,
            specific_descriptions: d,
            plausible_values: v,
            consistent_vat_numbers: n,
            score: (d + v + n) / 3.0,
        }
    }
}
