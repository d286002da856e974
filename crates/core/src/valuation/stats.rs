//! Robust statistics of a group of unit values: count, median, median absolute deviation and
//! quartiles, computed exactly in decimals (sorting and subtraction only).

use rust_decimal::prelude::ToPrimitive;
use rust_decimal::{Decimal, RoundingStrategy};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// Decimal places kept in the figures shown to users (EUR per kg or per unit).
pub(crate) const FIGURE_DECIMALS: u32 = 6;

/// Robust statistics of the values of one group, in EUR per kilogram or per unit.
///
/// Quantiles are linear interpolations between the closest ranks (Hyndman and Fan type 7, the
/// method of spreadsheets' `PERCENTILE.INC`): for `n` sorted values `x[0..n]` and a share `p`,
/// `h = (n − 1)·p` and `q = x[⌊h⌋] + (h − ⌊h⌋)·(x[⌊h⌋+1] − x[⌊h⌋])`. The median is `p = 0.5`.
/// Figures are rounded to six decimal places.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Statistics {
    /// Number of observations in the group.
    pub count: u32,
    /// Median value.
    #[schema(value_type = String, example = "12.5")]
    pub median: Decimal,
    /// Median absolute deviation from the median (not scaled).
    #[schema(value_type = String, example = "2.1")]
    pub mad: Decimal,
    /// 25th percentile.
    #[schema(value_type = String, example = "10.2")]
    pub p25: Decimal,
    /// 75th percentile.
    #[schema(value_type = String, example = "15.8")]
    pub p75: Decimal,
}

impl Statistics {
    /// The statistics of `values`; `None` when there are none. The values are sorted in place.
    pub(crate) fn of(values: &mut [Decimal]) -> Option<Statistics> {
        values.sort_unstable();
        let median = quantile(values, Decimal::new(5, 1))?;
        let mut deviations: Vec<Decimal> = values.iter().map(|v| (*v - median).abs()).collect();
        deviations.sort_unstable();
        Some(Statistics {
            count: u32::try_from(values.len()).unwrap_or(u32::MAX),
            median: figure(median),
            mad: figure(quantile(&deviations, Decimal::new(5, 1))?),
            p25: figure(quantile(values, Decimal::new(25, 2))?),
            p75: figure(quantile(values, Decimal::new(75, 2))?),
        })
    }
}

/// The `p` quantile (0 ≤ p ≤ 1) of sorted values by linear interpolation (type 7).
fn quantile(sorted: &[Decimal], p: Decimal) -> Option<Decimal> {
    let last = sorted.len().checked_sub(1)?;
    let h = Decimal::from(last) * p;
    let below = h.floor();
    let index = below.to_usize()?.min(last);
    let low = sorted[index];
    let high = sorted.get(index + 1).copied().unwrap_or(low);
    Some(low + (h - below) * (high - low))
}

/// Rounds a figure shown to users.
pub(crate) fn figure(value: Decimal) -> Decimal {
    value.round_dp_with_strategy(FIGURE_DECIMALS, RoundingStrategy::MidpointAwayFromZero).normalize()
}

#[cfg(test)]
mod tests {
    use rust_decimal_macros::dec;

    use super::*;

    fn stats(values: &[Decimal]) -> Option<Statistics> {
        Statistics::of(&mut values.to_vec())
    }

    #[test]
    fn no_values_have_no_statistics() {
        assert_eq!(stats(&[]), None);
    }

    #[test]
    fn one_value_is_its_own_median_and_quartiles() {
        let s = stats(&[dec!(7)]);
        assert_eq!(s, Some(Statistics { count: 1, median: dec!(7), mad: dec!(0), p25: dec!(7), p75: dec!(7) }));
    }

    #[test]
    fn quartiles_interpolate_between_the_closest_ranks() {
        // h = 3 × 0.25 = 0.75 → 1 + 0.75 × (2 − 1); the median of an even count is the midpoint.
        let s = stats(&[dec!(4), dec!(1), dec!(3), dec!(2)]);
        assert_eq!(s, Some(Statistics { count: 4, median: dec!(2.5), mad: dec!(1), p25: dec!(1.75), p75: dec!(3.25) }));
    }

    #[test]
    fn the_mad_ignores_outliers() {
        let s = stats(&[dec!(10), dec!(11), dec!(9), dec!(10), dec!(1000)]);
        assert_eq!(s.map(|s| (s.median, s.mad)), Some((dec!(10), dec!(1))));
    }

    #[test]
    fn figures_are_rounded_to_six_places() {
        let s = stats(&[dec!(0.1234564), dec!(0.1234566)]);
        assert_eq!(s.map(|s| s.median), Some(dec!(0.123457)));
    }

    #[test]
    fn the_order_of_the_values_does_not_matter() {
        let a = stats(&[dec!(5), dec!(1), dec!(9), dec!(3), dec!(7), dec!(2)]);
        let b = stats(&[dec!(1), dec!(2), dec!(3), dec!(5), dec!(7), dec!(9)]);
        assert_eq!(a, b);
    }
}
