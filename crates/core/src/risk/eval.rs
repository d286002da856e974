//! Evaluates compiled conditions against a declaration and the facts computed about it.
//!
//! This runs for every profile on every declaration, so it reads fields straight out of the
//! declaration by `match` on [`Field`], borrows every text instead of copying it, and allocates
//! only the list of matching item numbers when a profile fires.

use rust_decimal::Decimal;

use super::ast::{CmpOp, Condition, Expr, Field, Op, Test};
use super::facts::{Facts, ItemFacts};
use super::HitValue;
use crate::declaration::{Declaration, GoodsItem};

/// What a condition sees: the declaration, and the item under test with its facts when there
/// is one.
#[derive(Clone, Copy)]
struct Scope<'a> {
    declaration: &'a Declaration,
    all: &'a Facts,
    item: Option<&'a GoodsItem>,
    facts: Option<&'a ItemFacts>,
}

impl Condition {
    /// Evaluates the condition. `None` when it does not fire; otherwise the positions in
    /// `declaration.items` of the items that satisfy it (empty for a condition on header fields
    /// only). `facts.items` is indexed like `declaration.items`.
    ///
    /// The parts on header fields are evaluated once; the parts on item fields are then
    /// evaluated for each item, so the whole condition holds for one single item, never for a
    /// mix of items.
    pub(crate) fn matches(&self, declaration: &Declaration, facts: &Facts) -> Option<Vec<usize>> {
        let header = Scope { declaration, all: facts, item: None, facts: None };
        let header_holds = self.conjuncts.iter().filter(|c| !c.per_item).all(|c| c.expr.holds(header));
        if !header_holds {
            return None;
        }
        if !self.per_item {
            return Some(Vec::new());
        }
        let items: Vec<usize> = (0..declaration.items.len())
            .filter(|&index| {
                let scope = Scope {
                    declaration,
                    all: facts,
                    item: declaration.items.get(index),
                    facts: facts.items.get(index),
                };
                self.conjuncts.iter().filter(|c| c.per_item).all(|c| c.expr.holds(scope))
            })
            .collect();
        (!items.is_empty()).then_some(items)
    }

    /// The values of the fact fields the condition reads, for the item at `index`, so that a
    /// hit shows what it fired on. Missing values are left out.
    pub(crate) fn fact_values(&self, declaration: &Declaration, facts: &Facts, index: usize) -> Vec<HitValue> {
        let Some(item) = declaration.items.get(index) else {
            return Vec::new();
        };
        let scope = Scope { declaration, all: facts, item: Some(item), facts: facts.items.get(index) };
        self.facts
            .iter()
            .filter_map(|&field| {
                let value = number(field, scope)?;
                Some(HitValue { item: item.sequence, field: field.name().to_string(), value })
            })
            .collect()
    }
}

impl Expr {
    fn holds(&self, scope: Scope<'_>) -> bool {
        match self {
            Expr::All(parts) => parts.iter().all(|p| p.holds(scope)),
            Expr::Any(parts) => parts.iter().any(|p| p.holds(scope)),
            Expr::Not(inner) => !inner.holds(scope),
            Expr::Test(test) => test.holds(scope),
        }
    }
}

impl Test {
    /// A test on a missing value is false, in its negative forms too (`!=`, `not in`, …): a
    /// missing value is unknown, not different.
    fn holds(&self, scope: Scope<'_>) -> bool {
        let positive = match &self.op {
            Op::TextEq(value) => text(self.field, scope).map(|t| t == value),
            Op::TextIn(values) => text(self.field, scope).map(|t| values.iter().any(|v| v == t)),
            Op::StartsWith(prefixes) => {
                text(self.field, scope).map(|t| prefixes.iter().any(|p| t.starts_with(p.as_str())))
            }
            Op::Contains(needles) => {
                text(self.field, scope).map(|t| needles.iter().any(|n| contains_ignore_case(t, n)))
            }
            Op::Has(codes) if self.field == Field::Findings => {
                Some(scope.all.findings.iter().any(|f| codes.contains(f)))
            }
            Op::Has(codes) => scope.item.map(|item| item.documents.iter().any(|d| codes.contains(&d.kind))),
            Op::NumCmp(op, value) => number(self.field, scope).map(|n| compare(*op, n, *value)),
            Op::NumIn(values) => number(self.field, scope).map(|n| values.contains(&n)),
        };
        positive.is_some_and(|p| p != self.negated)
    }
}

fn compare(op: CmpOp, left: Decimal, right: Decimal) -> bool {
    match op {
        CmpOp::Eq => left == right,
        CmpOp::Ne => left != right,
        CmpOp::Lt => left < right,
        CmpOp::Le => left <= right,
        CmpOp::Gt => left > right,
        CmpOp::Ge => left >= right,
    }
}

/// The value of a text field; `None` for an item field when no item is in scope (the parser's
/// split into header and item parts means this does not happen) and for non-text fields.
fn text<'a>(field: Field, scope: Scope<'a>) -> Option<&'a str> {
    let d = scope.declaration;
    Some(match field {
        Field::DeclarationType => d.kind.code(),
        Field::Procedure => &d.procedure_code,
        Field::Office => d.office.as_str(),
        Field::Declarant => &d.declarant.id,
        Field::Importer => &d.importer.id,
        Field::Exporter => &d.exporter.id,
        Field::ExporterCountry => d.exporter.country.as_str(),
        Field::TransportMode => d.transport.mode.code(),
        Field::Currency => d.currency.as_str(),
        Field::Incoterm => &d.incoterm,
        Field::DeclarantCategory => scope.all.declarant_category?.as_str(),
        Field::ImporterCategory => scope.all.importer_category?.as_str(),
        Field::Hs => scope.item?.commodity_code.as_str(),
        Field::Hs6 => scope.item?.commodity_code.hs6(),
        Field::Chapter => scope.item?.commodity_code.chapter(),
        Field::Origin => scope.item?.origin.as_str(),
        Field::Description => &scope.item?.description,
        Field::Unit => &scope.item?.unit,
        Field::Preference => &scope.item?.preference,
        Field::InvoiceTotal
        | Field::ItemCount
        | Field::NetMass
        | Field::GrossMass
        | Field::Quantity
        | Field::Price
        | Field::ValuePerKg
        | Field::CustomsValue
        | Field::Undervaluation
        | Field::OperatorQuality
        | Field::Findings
        | Field::DocumentTypes => return None,
    })
}

/// The value of a number field; `None` when it is missing (value per kg of an item without net
/// mass, customs value of an item without facts) and for non-number fields. The undervaluation
/// of an item without facts is 0: no known reference, so nothing known to be below it.
fn number(field: Field, scope: Scope<'_>) -> Option<Decimal> {
    let d = scope.declaration;
    match field {
        Field::InvoiceTotal => Some(d.invoice_total),
        Field::ItemCount => Some(Decimal::from(d.items.len())),
        Field::OperatorQuality => scope.all.operator_quality,
        Field::NetMass => scope.item.map(|i| i.net_mass),
        Field::GrossMass => scope.item.map(|i| i.gross_mass),
        Field::Quantity => scope.item.map(|i| i.quantity),
        Field::Price => scope.item.map(|i| i.price),
        Field::ValuePerKg => scope.item.and_then(GoodsItem::value_per_kg),
        Field::CustomsValue => scope.item.and(scope.facts?.customs_value_eur),
        Field::Undervaluation => {
            scope.item.map(|_| scope.facts.map_or(Decimal::ZERO, ItemFacts::undervaluation_percent))
        }
        _ => None,
    }
}

/// Case-insensitive substring search without allocating. `needle` is already lower case.
fn contains_ignore_case(haystack: &str, needle: &str) -> bool {
    if haystack.is_ascii() && needle.is_ascii() {
        let (h, n) = (haystack.as_bytes(), needle.as_bytes());
        return n.is_empty() || n.len() <= h.len() && h.windows(n.len()).any(|w| w.eq_ignore_ascii_case(n));
    }
    // Descriptions in other scripts: compare lower-cased characters from each start position.
    haystack.char_indices().any(|(start, _)| {
        let mut rest = haystack[start..].chars().flat_map(char::to_lowercase);
        needle.chars().all(|c| rest.next() == Some(c))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn contains_ignores_case_in_ascii_and_in_other_scripts() {
        assert!(contains_ignore_case("Mobile PHONES, new", "phone"));
        assert!(!contains_ignore_case("Mobile", "mobiles"));
        assert!(contains_ignore_case("Смартфоны НОВЫЕ", "новые"));
        assert!(contains_ignore_case("Straße", "straße"));
        assert!(!contains_ignore_case("Смартфон", "телефон"));
    }
}
