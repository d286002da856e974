//! Arithmetic rules: amounts, masses and quantities on their own (sign, ceiling, decimals),
//! within one item (net against gross, quantities in mass or count units) and over the whole
//! declaration (item prices against the invoice total, postal mass limit).
//!
//! Every operation is checked: the values come from the wire and `Decimal`'s operators panic
//! on overflow.

use rust_decimal::Decimal;

use crate::codes::{CurrencyCode, TransportMode, COUNT_UNITS, MASS_UNITS, THREE_DECIMAL_CURRENCIES};

use super::finding::{Field, Findings, JsonPath};
use super::header::Header;
use super::items::ItemParts;
use super::rules::Rule;

/// Amounts must stay below 10^14, the integer part of the `n..16,2` amount format.
const AMOUNT_LIMIT: Decimal = Decimal::from_parts(0x107A_4000, 0x5AF3, 0, false, 0);
/// Per-item mass ceiling by road, air and post, in kg: no lorry, aircraft or mail bag carries
/// 500 tonnes of one item.
const LIGHT_MODE_MASS_LIMIT: Decimal = Decimal::from_parts(500_000, 0, 0, false, 0);
/// Per-item mass ceiling by sea, rail, inland waterway, fixed installation and own propulsion,
/// in kg: above the largest bulk carrier's deadweight, so only typing errors reach it.
const BULK_MODE_MASS_LIMIT: Decimal = Decimal::from_parts(500_000_000, 0, 0, false, 0);
/// Ceiling on a quantity.
const QUANTITY_LIMIT: Decimal = Decimal::from_parts(1_000_000_000, 0, 0, false, 0);
/// Largest total gross mass of a postal consignment, in kg (UPU Convention maximum parcel).
const POSTAL_MASS_LIMIT: Decimal = Decimal::from_parts(50, 0, 0, false, 0);
/// Mass is declared to the gram.
const MASS_DECIMALS: u32 = 3;
/// Quantities are declared with at most six decimals (`n..16,6`).
const QUANTITY_DECIMALS: u32 = 6;

/// Significant decimal places: `12.50` has one, `12.00` none.
fn decimals(value: Decimal) -> u32 {
    value.normalize().scale()
}

/// Decimal places an amount in `currency` may have: 3 for the three-decimal currencies, else 2.
fn amount_decimals(currency: Option<CurrencyCode>) -> u32 {
    match currency {
        Some(c) if THREE_DECIMAL_CURRENCIES.contains(&c.as_str()) => 3,
        _ => 2,
    }
}

/// Checks a price or the invoice total. Returns true when it passes every rule.
pub(crate) fn amount(
    f: &mut Findings,
    path: impl JsonPath,
    what: impl JsonPath,
    value: Decimal,
    currency: Option<CurrencyCode>,
) -> bool {
    let mut ok = true;
    if value <= Decimal::ZERO {
        f.push(
            Rule::AmountNotPositive,
            path,
            format!("{what} is {value}; it must be more than zero."),
            &[("what", &what), ("value", &value)],
        );
        ok = false;
    }
    if value.abs() >= AMOUNT_LIMIT {
        f.push(
            Rule::AmountTooLarge,
            path,
            format!("{what} {value} is too large; amounts stay below {AMOUNT_LIMIT}."),
            &[("what", &what), ("value", &value), ("limit", &AMOUNT_LIMIT)],
        );
        ok = false;
    }
    let allowed = amount_decimals(currency);
    if decimals(value) > allowed {
        f.push(
            Rule::AmountDecimals,
            path,
            format!("{what} {value} has {} decimal places; at most {allowed} are allowed.", decimals(value)),
            &[("what", &what), ("value", &value), ("decimals", &decimals(value)), ("allowed", &allowed)],
        );
        ok = false;
    }
    ok
}

/// The per-item mass ceiling for a mode of transport. When the mode is unknown the higher
/// ceiling applies, so that a bad mode does not also turn every mass into a finding.
fn mass_limit(mode: Option<TransportMode>) -> Decimal {
    match mode {
        Some(TransportMode::Road | TransportMode::Air | TransportMode::Post) => LIGHT_MODE_MASS_LIMIT,
        _ => BULK_MODE_MASS_LIMIT,
    }
}

/// Checks a net or gross mass in kg. Returns true when it passes every rule.
pub(crate) fn mass(
    f: &mut Findings,
    path: impl JsonPath,
    what: impl JsonPath,
    value: Decimal,
    mode: Option<TransportMode>,
) -> bool {
    let mut ok = true;
    if value <= Decimal::ZERO {
        f.push(
            Rule::MassNotPositive,
            path,
            format!("{what} is {value} kg; it must be more than zero."),
            &[("what", &what), ("value", &value)],
        );
        ok = false;
    }
    let limit = mass_limit(mode);
    if value > limit {
        let by = mode.map(|m| format!(" by transport mode {}", m.code())).unwrap_or_default();
        f.push(
            Rule::MassImplausible,
            path,
            format!("{what} of {value} kg is implausible{by}; the ceiling per item is {limit} kg."),
            &[("what", &what), ("value", &value), ("mode", &mode.map_or("unknown", |m| m.code())), ("limit", &limit)],
        );
        ok = false;
    }
    if decimals(value) > MASS_DECIMALS {
        f.push(
            Rule::MassDecimals,
            path,
            format!(
                "{what} {value} has {} decimal places; masses are declared to the gram (3 decimals).",
                decimals(value)
            ),
            &[("what", &what), ("value", &value), ("decimals", &decimals(value))],
        );
        ok = false;
    }
    ok
}

/// Checks a quantity. Returns true when it passes every rule.
pub(crate) fn quantity(f: &mut Findings, path: impl JsonPath, value: Decimal) -> bool {
    let mut ok = true;
    if value <= Decimal::ZERO {
        f.push(
            Rule::QuantityNotPositive,
            path,
            format!("The quantity is {value}; it must be more than zero."),
            &[("value", &value)],
        );
        ok = false;
    }
    if value > QUANTITY_LIMIT {
        f.push(
            Rule::QuantityImplausible,
            path,
            format!("The quantity {value} is implausible; it is at most {QUANTITY_LIMIT}."),
            &[("value", &value), ("limit", &QUANTITY_LIMIT)],
        );
        ok = false;
    }
    if decimals(value) > QUANTITY_DECIMALS {
        f.push(
            Rule::QuantityDecimals,
            path,
            format!(
                "The quantity {value} has {} decimal places; at most {QUANTITY_DECIMALS} are allowed.",
                decimals(value)
            ),
            &[("value", &value), ("decimals", &decimals(value)), ("allowed", &QUANTITY_DECIMALS)],
        );
        ok = false;
    }
    ok
}

/// Rules between the fields of one item; `path` is the item's path, e.g. `$.items[0]`.
/// Only values that passed their own checks take part.
pub(crate) fn check_item(f: &mut Findings, path: impl JsonPath, item: &ItemParts) {
    if let (Some(net), Some(gross)) = (item.net_mass, item.gross_mass) {
        if net > gross {
            f.push(
                Rule::NetAboveGross,
                Field(path, "net_mass"),
                format!("The net mass {net} kg is larger than the gross mass {gross} kg."),
                &[("net", &net), ("gross", &gross)],
            );
        }
    }
    let (Some(quantity), Some(unit)) = (item.quantity, item.unit.as_deref()) else {
        return;
    };
    if let (Some(gross), Some(mass_unit)) = (item.gross_mass, MASS_UNITS.iter().find(|m| m.code == unit)) {
        let kg =
            quantity.checked_mul(Decimal::from(mass_unit.grams)).and_then(|g| g.checked_div(Decimal::ONE_THOUSAND));
        if kg.is_some_and(|kg| kg > gross) {
            f.push(
                Rule::MassQuantityAboveGross,
                Field(path, "quantity"),
                format!("The quantity {quantity} {unit} is more than the gross mass of {gross} kg."),
                &[("quantity", &quantity), ("unit", &unit), ("gross", &gross)],
            );
        }
    }
    if COUNT_UNITS.contains(&unit) && !quantity.fract().is_zero() {
        f.push(
            Rule::CountNotWhole,
            Field(path, "quantity"),
            format!("The quantity {quantity} is not a whole number, but the unit {unit} counts things."),
            &[("quantity", &quantity), ("unit", &unit)],
        );
    }
}

/// Sums values when every one of them passed its checks; `None` otherwise (or on overflow).
fn sum_if_all(mut values: impl Iterator<Item = Option<Decimal>>) -> Option<Decimal> {
    values.try_fold(Decimal::ZERO, |acc, v| acc.checked_add(v?))
}

/// The tolerance for the invoice total: the larger of 1.00 and 0.5 % of the total. Rounding
/// item prices to the cent, and discounts or charges spread over the items, leave differences
/// of this size in honest invoices.
pub(crate) fn invoice_tolerance(total: Decimal) -> Decimal {
    let share = total.abs().checked_mul(Decimal::new(5, 3)).unwrap_or(Decimal::MAX);
    share.max(Decimal::ONE)
}

/// Rules over all items: item prices against the invoice total, and the postal mass limit.
pub(crate) fn check_totals(f: &mut Findings, header: &Header, items: &[ItemParts]) {
    if items.is_empty() {
        return;
    }
    if let (Some(total), Some(sum)) = (header.invoice_total, sum_if_all(items.iter().map(|i| i.price))) {
        let difference = (sum - total).abs();
        let tolerance = invoice_tolerance(total);
        if difference > tolerance {
            let currency = header.currency.map(|c| format!(" {c}")).unwrap_or_default();
            f.push(
                Rule::InvoiceTotalMismatch,
                "$.invoice.total",
                format!(
                    "The item prices add up to {sum}{currency} but the invoice total is {total}{currency}; the difference of {difference} is more than the tolerance of {} (the larger of 1.00 and 0.5 % of the total).",
                    tolerance.round_dp(2)
                ),
                &[
                    ("sum", &sum),
                    ("total", &total),
                    ("currency", &header.currency.as_ref().map_or("unknown", |c| c.as_str())),
                    ("difference", &difference),
                    ("tolerance", &tolerance.round_dp(2)),
                ],
            );
        }
    }
    if header.transport_mode == Some(TransportMode::Post) {
        if let Some(gross) = sum_if_all(items.iter().map(|i| i.gross_mass)) {
            if gross > POSTAL_MASS_LIMIT {
                f.push(
                    Rule::PostalTooHeavy,
                    "$.items",
                    format!("The items weigh {gross} kg gross in total; a postal consignment weighs at most {POSTAL_MASS_LIMIT} kg."),
                    &[("gross", &gross), ("limit", &POSTAL_MASS_LIMIT)],
                );
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal_macros::dec;

    fn codes(f: Findings) -> Vec<String> {
        f.into_vec().into_iter().map(|x| x.code).collect()
    }

    #[test]
    fn the_constants_have_the_values_their_comments_say() {
        assert_eq!(AMOUNT_LIMIT, dec!(100_000_000_000_000));
        assert_eq!(LIGHT_MODE_MASS_LIMIT, dec!(500_000));
        assert_eq!(BULK_MODE_MASS_LIMIT, dec!(500_000_000));
        assert_eq!(QUANTITY_LIMIT, dec!(1_000_000_000));
    }

    #[test]
    fn trailing_zeros_do_not_count_as_decimals() {
        assert_eq!(decimals(dec!(36000.00)), 0);
        assert_eq!(decimals(dec!(12.50)), 1);
        assert_eq!(decimals(dec!(0.001)), 3);
    }

    #[test]
    fn the_tolerance_is_one_unit_for_small_invoices_and_half_a_percent_for_large_ones() {
        assert_eq!(invoice_tolerance(dec!(50)), dec!(1));
        assert_eq!(invoice_tolerance(dec!(200)), dec!(1));
        assert_eq!(invoice_tolerance(dec!(48750.00)), dec!(243.75));
    }

    #[test]
    fn kuwaiti_dinars_may_have_three_decimals_but_euros_only_two() {
        let kwd = CurrencyCode::parse("KWD");
        let eur = CurrencyCode::parse("EUR");
        let mut f = Findings::default();
        assert!(amount(&mut f, "$.p", "The price", dec!(1234.567), kwd));
        assert!(!amount(&mut f, "$.p", "The price", dec!(1234.567), eur));
        assert_eq!(codes(f), ["FLC_046"]);
    }

    #[test]
    fn a_negative_amount_with_many_decimals_gets_two_findings() {
        let mut f = Findings::default();
        assert!(!amount(&mut f, "$.p", "The price", dec!(-1.001), None));
        assert_eq!(codes(f), ["FLC_041", "FLC_046"]);
    }

    #[test]
    fn six_hundred_tonnes_in_one_item_are_implausible_by_road_but_not_by_sea() {
        let mut f = Findings::default();
        assert!(mass(&mut f, "$.m", "The net mass", dec!(600000), Some(TransportMode::Sea)));
        assert!(!mass(&mut f, "$.m", "The net mass", dec!(600000), Some(TransportMode::Road)));
        assert_eq!(codes(f), ["FLC_042"]);
    }

    #[test]
    fn a_quantity_above_a_billion_is_implausible() {
        let mut f = Findings::default();
        assert!(quantity(&mut f, "$.q", dec!(1000000000)));
        assert!(!quantity(&mut f, "$.q", dec!(1000000001)));
        assert_eq!(codes(f), ["FLC_043"]);
    }

    #[test]
    fn a_quantity_in_tonnes_is_compared_with_the_gross_mass_in_kilograms() {
        let item = ItemParts {
            gross_mass: Some(dec!(1500)),
            quantity: Some(dec!(1.6)),
            unit: Some("TNE".into()),
            ..ItemParts::default()
        };
        let mut f = Findings::default();
        check_item(&mut f, "$.items[0]", &item);
        assert_eq!(codes(f), ["FLC_048"]);
    }

    #[test]
    fn a_dozen_may_be_fractional_but_pairs_may_not() {
        let mut f = Findings::default();
        let dozen = ItemParts { quantity: Some(dec!(2.5)), unit: Some("DZN".into()), ..ItemParts::default() };
        check_item(&mut f, "$.items[0]", &dozen);
        let pairs = ItemParts { quantity: Some(dec!(2.5)), unit: Some("NPR".into()), ..ItemParts::default() };
        check_item(&mut f, "$.items[1]", &pairs);
        assert_eq!(codes(f), ["FLC_049"]);
    }

    #[test]
    fn sums_are_skipped_when_one_value_is_unknown_or_the_sum_overflows() {
        assert_eq!(sum_if_all([Some(dec!(1)), None].into_iter()), None);
        assert_eq!(sum_if_all([Some(Decimal::MAX), Some(Decimal::MAX)].into_iter()), None);
        assert_eq!(sum_if_all([Some(dec!(1.5)), Some(dec!(2))].into_iter()), Some(dec!(3.5)));
    }
}
