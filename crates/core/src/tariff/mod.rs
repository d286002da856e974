//! The customs tariff: measures with validity, exchange rates, country groups, and the duty
//! calculation of a declaration.
//!
//! A [`Measure`] levies import duty, VAT or excise on the goods under a code (all goods, a
//! chapter, heading, subheading or national line) for an origin (erga omnes, or a country group
//! for a preferential rate) over a validity period. Its [`Rate`] is ad valorem, specific (EUR
//! per kg, litre or pieces), mixed, the higher of the two, optionally with a minimum and a
//! maximum; it has a text form (`5% + 0.50 EUR/kg`) used in files and shown in calculations.
//! [`Tariff::new`] validates a whole tariff; lookups take, among the measures valid on the
//! date, the one whose code is the longest prefix of the commodity code.
//!
//! [`Tariff::assess`] computes, per goods item: the customs value (the price converted to EUR
//! at the rate in force), the import duty (the preferential rate when the item claims a
//! preference, its origin is in the measure's group and a proof of the required type is
//! attached; the conventional rate otherwise, saying why), excise where a measure applies, and
//! VAT on customs value + duty + excise.
//!
//! **Rounding.** The currency conversion is kept at full precision. The customs value and each
//! tax amount of an item (duty, excise, VAT) are rounded to the cent, half away from zero
//! (`RoundingStrategy::MidpointAwayFromZero`: 0.005 → 0.01). The VAT base is the sum of the
//! rounded figures, and the totals are sums of the rounded item figures.
//!
//! `docs/tariff.md` describes the model, the file formats and the reason codes.

mod assess;
mod demo;
mod import;
mod measure;
mod rate;
mod schedule;

#[cfg(test)]
mod tests;

pub use assess::{
    item_quantity, round_to_cent, AppliedMeasure, AppliedRate, DutyAssessment, ItemDuties, Quantity, TaxBase, Totals,
    REASON_CODES,
};
pub use demo::demo;
pub use import::{parse_csv, parse_file, parse_json, ImportError, TariffFile, CSV_HEADER};
pub use measure::{check_code, CountryGroup, ExchangeRate, Measure, MeasureKind, Origin, NATIONAL_CURRENCY};
pub use rate::{QuantityUnit, Rate, RateError, RateForm, SpecificRate};
pub use schedule::Tariff;
