//! What the risk engine indicates for pre-arrival information, before the goods arrive: the
//! consignee's record, goods that must not travel inland unchecked, and values far below the
//! price reference. Each indication has a stable `PRE_` code; the preliminary decision is
//! taken from them by [`super::pre_arrival::preliminary_decision`].

use rust_decimal::Decimal;

use crate::codes::CurrencyCode;
use crate::risk::{Categories, Category};
use crate::valuation::{Basis, PriceReference};

use super::guarantee::ExchangeRates;
use super::pre_arrival::{FormOfControl, Indication, Place, PreArrival};

/// Chapters and headings whose goods are checked at the border whoever sends them: arms and
/// ammunition (93), nuclear material (2844), precursors of drugs (2939), excise goods (2203 to
/// 2208 drinks, 24 tobacco) and waste (3825).
pub const BORDER_GOODS: &[&str] = &["93", "2844", "2939", "2203", "2204", "2205", "2206", "2207", "2208", "24", "3825"];

/// A value per kilogram below this share of the reference median is indicated for a check of
/// the documents.
pub const LOW_VALUE_SHARE: Decimal = Decimal::from_parts(40, 0, 0, false, 2);

/// The indications for `pre`: from the consignee's category, the goods, and their value per
/// kilogram against the price reference (origin: the consignor's country), the values in EUR
/// at `exchange`.
pub fn indications(
    pre: &PreArrival,
    categories: &Categories,
    prices: &PriceReference,
    exchange: &ExchangeRates,
) -> Vec<Indication> {
    let mut found = Vec::new();
    let consignee = pre.consignee.id.as_str();
    match categories.get(consignee) {
        Some(Category::High) => found.push(Indication {
            control: FormOfControl::Inspection,
            place: Place::Border,
            code: "PRE_001".into(),
            reason: format!("the consignee {consignee} is in the high-risk category: irregularities found repeatedly"),
        }),
        Some(Category::Low | Category::Medium) => {}
        None => found.push(Indication {
            control: FormOfControl::Documents,
            place: Place::Inland,
            code: "PRE_002".into(),
            reason: format!("the consignee {consignee} has no record with customs yet"),
        }),
    }
    for item in &pre.items {
        let code = item.commodity_code.as_str();
        if let Some(prefix) = BORDER_GOODS.iter().find(|p| code.starts_with(*p)) {
            found.push(Indication {
                control: FormOfControl::Documents,
                place: Place::Border,
                code: "PRE_003".into(),
                reason: format!("item {}: goods of {prefix} are checked at the border", item.sequence),
            });
        }
        if let Some(low) =
            low_value(item.commodity_code.as_str(), item.value, item.gross_mass, item.currency, pre, prices, exchange)
        {
            found.push(Indication {
                control: FormOfControl::Documents,
                place: Place::Inland,
                code: "PRE_004".into(),
                reason: format!("item {}: {low}", item.sequence),
            });
        }
    }
    found
}

fn low_value(
    code: &str,
    value: Decimal,
    gross_mass: Decimal,
    currency: CurrencyCode,
    pre: &PreArrival,
    prices: &PriceReference,
    exchange: &ExchangeRates,
) -> Option<String> {
    let hs6 = code.get(..6)?;
    let figures = prices.lookup(hs6, pre.consignor.country)?;
    let median = figures.statistics(Basis::Kg)?.median;
    let eur = value.checked_mul(*exchange.get(&currency)?)?;
    let per_kg = eur.checked_div(gross_mass)?;
    (per_kg < median * LOW_VALUE_SHARE)
        .then(|| format!("{} EUR/kg against a reference median of {} EUR/kg", per_kg.round_dp(2), median.round_dp(2)))
}

/// The `PRE_` codes with their meaning, as `docs/transit.md` lists them.
pub fn codes() -> [(&'static str, &'static str); 4] {
    [
        ("PRE_001", "inspection at the border: the consignee is in the high-risk category"),
        ("PRE_002", "documents inland: the consignee has no record with customs yet"),
        ("PRE_003", "documents at the border: arms, nuclear material, drug precursors, excise goods or waste"),
        ("PRE_004", "documents inland: the value per kilogram is below 40 % of the reference median"),
    ]
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use super::*;
    use crate::transit::pre_arrival::preliminary_decision;

    fn pre(consignee: &str, code: &str) -> PreArrival {
        let mut p = super::super::pre_arrival::tests::checked();
        p.consignee.id = consignee.to_string();
        p.items[0].commodity_code = crate::codes::HsCode::parse(code).unwrap_or_else(|| panic!("{code}"));
        p
    }

    fn eur() -> ExchangeRates {
        let mut r = ExchangeRates::new();
        r.insert(CurrencyCode::parse("EUR").unwrap_or_else(|| panic!("EUR")), Decimal::ONE);
        r
    }

    #[test]
    fn a_known_consignee_with_ordinary_goods_needs_no_control() {
        let p = pre("DE123456789", "851713");
        let cats = Categories(HashMap::from([("DE123456789".to_string(), Category::Low)]));
        let found = indications(&p, &cats, &PriceReference::default(), &eur());
        assert_eq!(preliminary_decision(&found).control, FormOfControl::None, "{found:?}");
    }

    #[test]
    fn a_high_risk_consignee_is_inspected_at_the_border_and_a_newcomer_checked_inland() {
        let p = pre("DE123456789", "851713");
        let high = Categories(HashMap::from([("DE123456789".to_string(), Category::High)]));
        let d = preliminary_decision(&indications(&p, &high, &PriceReference::default(), &eur()));
        assert_eq!((d.control, d.place), (FormOfControl::Inspection, Some(Place::Border)));
        let d = preliminary_decision(&indications(&p, &Categories::default(), &PriceReference::default(), &eur()));
        assert_eq!(
            (d.control, d.place, d.reasons[0].code.as_str()),
            (FormOfControl::Documents, Some(Place::Inland), "PRE_002")
        );
    }

    #[test]
    fn arms_are_checked_at_the_border_whoever_sends_them() {
        let p = pre("DE123456789", "930190");
        let cats = Categories(HashMap::from([("DE123456789".to_string(), Category::Low)]));
        let d = preliminary_decision(&indications(&p, &cats, &PriceReference::default(), &eur()));
        assert_eq!(
            (d.control, d.place, d.reasons[0].code.as_str()),
            (FormOfControl::Documents, Some(Place::Border), "PRE_003")
        );
    }
}
