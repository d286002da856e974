//! Customs value check: a price reference built from observed customs values, and the
//! undervaluation flag of a goods item.
//!
//! [`PriceReference::build`] groups observations by HS subheading and origin and reduces each
//! group to robust statistics (median, MAD, quartiles) of the value per kilogram and per unit.
//! [`PriceReference::check`] compares the declared customs value of an item with its group,
//! falling back to all origins of the subheading when the origin has too few observations.
//! Observations come from the labelled KCS data set ([`parse_kcs_csv`]) and from registered
//! declarations ([`Observation::from_item`]). See `docs/valuation.md`.

mod check;
mod kcs;
mod reference;
mod stats;

pub use check::{Basis, ValuationCheck};
pub use kcs::{parse_kcs_csv, ImportError, KcsImport, KRW_PER_EUR};
pub use reference::{Group, Observation, PriceReference, ReferenceFigures, Source, MIN_OBSERVATIONS};
pub use stats::Statistics;

#[cfg(test)]
mod tests;
