//! Facts about a declaration that are not written on it: computed before risk assessment (the
//! customs value by the tariff, the valuation check by the price reference) and read by the
//! item fields `item.customs_value` and `item.undervaluation`; the operators' risk
//! categories, read by `declaration.declarant_category` and `declaration.importer_category`;
//! the findings of other checks (a partner administration's export that differs, a parcel's
//! flags), read by `declaration.findings`; and a parcel operator's data quality, read by
//! `declaration.operator_quality`.

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
    /// Codes of what other checks found about the declaration (see [`FINDINGS`]), each once,
    /// in the order found.
    pub findings: Vec<String>,
    /// The data-quality score (0 to 1) of the operator that filed a parcel; none for a
    /// declaration.
    pub operator_quality: Option<Decimal>,
}

impl Facts {
    /// Adds a finding unless it is there already.
    pub fn find(&mut self, code: &str) {
        if !self.findings.iter().any(|f| f == code) {
            self.findings.push(code.to_string());
        }
    }
}

/// The codes `declaration.findings` can hold, with what each means: the differences a partner
/// administration's export declaration shows against our import, and the flags of a parcel.
pub const FINDINGS: [(&str, &str); 14] = {
    use crate::wcodm as x;
    [
        (x::HS_DIFFERS, "the partner's export gives another HS subheading"),
        (x::MASS_DIFFERS, "the partner's export gives another net mass"),
        (x::QUANTITY_DIFFERS, "the partner's export gives another quantity"),
        (x::QUANTITY_NOT_COMPARABLE, "the partner's export gives the quantity in another unit"),
        (x::VALUE_DIFFERS, "the partner's export gives another value"),
        (x::VALUE_NOT_COMPARABLE, "the partner's export gives the value in another currency"),
        (x::EXPORT_LINE_MISSING, "a line of the partner's export is not declared"),
        (x::IMPORT_ITEM_MISSING, "an item is not on the partner's export"),
        (x::EXPORTER_DIFFERS, "the partner's export names another exporter"),
        (x::IMPORTER_DIFFERS, "the partner's export names another consignee"),
        ("PCL_101", "parcels of one seller to one buyer split to stay under the threshold"),
        ("PCL_102", "a VAT scheme number of another seller"),
        ("PCL_103", "a value implausible for the goods"),
        ("PCL_104", "a description too vague to classify"),
    ]
};

/// True for a code `declaration.findings` can hold.
pub fn is_finding(code: &str) -> bool {
    FINDINGS.iter().any(|(c, _)| *c == code)
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
