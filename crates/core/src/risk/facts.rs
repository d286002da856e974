//! Facts about a declaration that are not written on it: computed before risk assessment (the
//! customs value by the tariff, the valuation check by the price reference) and read by the
//! item fields `item.customs_value` and `item.undervaluation`; and the operators' risk
//! categories, read by `declaration.declarant_category` and `declaration.importer_category`.

use rust_decimal::Decimal;

use super::Category;
use crate::transit::pre_arrival::Difference;
use crate::valuation::ValuationCheck;

/// Facts for each goods item, indexed like `Declaration::items`. The default has none: every
/// fact field then reads as it does for an item without facts.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Facts {
    /// One entry per goods item, in the order of the declaration's items; missing entries mean
    /// no facts for those items.
    pub items: Vec<ItemFacts>,
    /// The declarant's risk category, when it has a record.
    pub declarant_category: Option<Category>,
    /// The importer's risk category, when it has a record.
    pub importer_category: Option<Category>,
    /// The pre-arrival information that announced the consignment, when one was found.
    pub pre_arrival: Option<PreArrivalFacts>,
}

/// The pre-arrival information a declaration was matched to (same means of transport, arrival
/// announced near the filing) and how the declaration differs from it.
#[derive(Debug, Clone, PartialEq)]
pub struct PreArrivalFacts {
    /// Its id.
    pub id: String,
    /// The filer's reference.
    pub reference: String,
    /// The differences (subheadings, mass, value, parties); empty when the two agree.
    pub differences: Vec<Difference>,
}

/// Facts about one goods item.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ItemFacts {
    /// The customs value of the item in EUR, when the tariff computed it.
    pub customs_value_eur: Option<Decimal>,
    /// The item's check against the price reference, when there is a reference for it.
    pub valuation: Option<ValuationCheck>,
}

impl ItemFacts {
    /// The undervaluation in percent, 0 without a valuation check.
    pub fn undervaluation_percent(&self) -> Decimal {
        self.valuation.as_ref().map_or(Decimal::ZERO, |v| v.undervaluation_percent)
    }
}
