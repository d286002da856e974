//! The undervaluation check of one goods item against the price reference.

use rust_decimal::{Decimal, RoundingStrategy};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::reference::{per_kg, per_unit, Group, PriceReference};
use super::stats::{figure, Statistics};
use crate::declaration::GoodsItem;

/// Scales the MAD to the standard deviation of a normal distribution.
const MAD_TO_SIGMA: Decimal = Decimal::from_parts(14_826, 0, 0, false, 4);

/// How many (scaled) MADs below the median a declared value must lie to be flagged.
const MADS_BELOW: Decimal = Decimal::from_parts(3, 0, 0, false, 0);

/// Share of the median a declared value must stay under to be flagged, whatever the spread
/// (70 %, that is more than 30 % below the median).
const SHARE_OF_MEDIAN: Decimal = Decimal::from_parts(7, 0, 0, false, 1);

/// Whether unit values are per kilogram of net mass or per unit of quantity.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Basis {
    /// EUR per kilogram of net mass.
    Kg,
    /// EUR per unit of quantity (a count unit such as `NAR` or `PCE`).
    Unit,
}

/// The declared unit value of a goods item compared with the price reference.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct ValuationCheck {
    /// Per kilogram or per unit.
    pub basis: Basis,
    /// Declared customs value per kilogram or per unit, EUR, rounded to six places.
    #[schema(value_type = String, example = "3.2")]
    pub declared: Decimal,
    /// Whether the reference is the item's origin or all origins of the subheading.
    pub group: Group,
    /// The reference statistics on [`ValuationCheck::basis`].
    pub reference: Statistics,
    /// The declared value is flagged below this: the lower of median − 3 × 1.4826 × MAD and
    /// 70 % of the median, and never below zero.
    #[schema(value_type = String, example = "2.5")]
    pub lower_bound: Decimal,
    /// How far the declared value lies below the median, in percent of the median (0 to 100,
    /// 0 when at or above it), rounded to 0.1.
    #[schema(value_type = String, example = "74.4")]
    pub undervaluation_percent: Decimal,
    /// True when the declared value is below [`ValuationCheck::lower_bound`].
    pub flagged: bool,
}

impl PriceReference {
    /// Checks the customs value of a goods item (EUR, computed by the tariff) against the
    /// reference; `None` when there is no reference for the item or no unit value to compare.
    ///
    /// The value per unit is compared when the quantity is in a count unit and a per-unit
    /// reference exists (the origin's, else all origins'); otherwise the value per kilogram.
    pub fn check(&self, item: &GoodsItem, customs_value_eur: Decimal) -> Option<ValuationCheck> {
        let candidates = self.candidates(item.commodity_code.hs6(), item.origin);
        let reference = |basis: Basis| {
            candidates.iter().flatten().find_map(|figures| Some((figures.group(), figures.statistics(basis)?)))
        };
        let by_unit = per_unit(item, customs_value_eur).zip(reference(Basis::Unit)).map(|found| (Basis::Unit, found));
        let by_kg = || per_kg(item, customs_value_eur).zip(reference(Basis::Kg)).map(|found| (Basis::Kg, found));
        let (basis, (declared, (group, statistics))) = by_unit.or_else(by_kg)?;
        Some(ValuationCheck::new(basis, figure(declared), group, statistics.clone()))
    }
}

impl ValuationCheck {
    fn new(basis: Basis, declared: Decimal, group: Group, reference: Statistics) -> ValuationCheck {
        let lower_bound = lower_bound(&reference);
        ValuationCheck {
            basis,
            declared,
            group,
            undervaluation_percent: undervaluation_percent(declared, reference.median),
            lower_bound,
            flagged: declared < lower_bound,
            reference,
        }
    }
}

/// The flag threshold: a robust outlier bound (3 scaled MADs under the median) that is also at
/// least 30 % under the median, so that tight groups (MAD near 0) do not flag small discounts.
fn lower_bound(reference: &Statistics) -> Decimal {
    let by_spread = reference.median - MADS_BELOW * MAD_TO_SIGMA * reference.mad;
    let by_share = SHARE_OF_MEDIAN * reference.median;
    figure(by_spread.min(by_share).max(Decimal::ZERO))
}

/// How far `declared` lies below `median`, in percent of the median, from 0 to 100.
pub(crate) fn undervaluation_percent(declared: Decimal, median: Decimal) -> Decimal {
    if median <= Decimal::ZERO || declared >= median {
        return Decimal::ZERO;
    }
    let percent = (median - declared) / median * Decimal::ONE_HUNDRED;
    percent.min(Decimal::ONE_HUNDRED).round_dp_with_strategy(1, RoundingStrategy::MidpointAwayFromZero).normalize()
}
