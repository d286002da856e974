//! The compiled form of a profile condition. Field names are resolved to [`Field`] and literals
//! are typed and checked when the profile is parsed, so evaluation does no string lookups and
//! cannot meet a type error.

use std::fmt;

use rust_decimal::Decimal;

use super::domain::Domain;

/// A field a profile condition can test. Header fields come from the declaration; item fields
/// from one goods item at a time (see [`Field::is_item`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Field {
    /// `declaration.type`: `IM` or `EX`.
    DeclarationType,
    /// `declaration.procedure`: four-digit procedure code.
    Procedure,
    /// `declaration.office`: office of declaration.
    Office,
    /// `declaration.declarant`: declarant's identification number.
    Declarant,
    /// `declaration.importer`: importer's identification number.
    Importer,
    /// `declaration.exporter`: exporter's identification number.
    Exporter,
    /// `declaration.exporter_country`: country of the exporter's address.
    ExporterCountry,
    /// `declaration.transport_mode`: one-digit UN/ECE Rec. 19 code.
    TransportMode,
    /// `declaration.currency`: invoice currency.
    Currency,
    /// `declaration.invoice_total`: invoice total in the invoice currency.
    InvoiceTotal,
    /// `declaration.item_count`: number of goods items.
    ItemCount,
    /// `declaration.incoterm`: Incoterms 2020 code.
    Incoterm,
    /// `declaration.declarant_category`: the declarant's risk category (`low`, `medium`,
    /// `high`), from the [`Facts`](super::Facts); missing for an operator without a record.
    DeclarantCategory,
    /// `declaration.importer_category`: the importer's risk category, like the declarant's.
    ImporterCategory,
    /// `declaration.findings`: codes of what other checks found, from the
    /// [`Facts`](super::Facts) (see [`FINDINGS`](super::facts::FINDINGS)).
    Findings,
    /// `declaration.operator_quality`: the data-quality score (0 to 1) of a parcel's operator,
    /// from the [`Facts`](super::Facts); missing for a declaration.
    OperatorQuality,
    /// `item.hs`: the full commodity code (6 to 10 digits).
    Hs,
    /// `item.hs6`: the six-digit HS subheading.
    Hs6,
    /// `item.chapter`: the two-digit HS chapter.
    Chapter,
    /// `item.origin`: country of origin.
    Origin,
    /// `item.description`: description of the goods.
    Description,
    /// `item.net_mass`: net mass in kilograms.
    NetMass,
    /// `item.gross_mass`: gross mass in kilograms.
    GrossMass,
    /// `item.quantity`: quantity in the supplementary unit.
    Quantity,
    /// `item.unit`: unit of the quantity.
    Unit,
    /// `item.price`: item price in the invoice currency.
    Price,
    /// `item.value_per_kg`: price divided by net mass; missing when the net mass is zero.
    ValuePerKg,
    /// `item.customs_value`: customs value in EUR, from the [`Facts`](super::Facts); missing
    /// when not computed.
    CustomsValue,
    /// `item.undervaluation`: percent below the reference median, from the
    /// [`Facts`](super::Facts); 0 without a reference or when not below.
    Undervaluation,
    /// `item.preference`: preference code (`100` none, `200` GSP, `300` free-trade agreement).
    Preference,
    /// `item.document_types`: the type codes of the documents attached to the item.
    DocumentTypes,
}

/// The kind of value a field holds; it decides which tests the parser accepts on it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FieldType {
    /// Text, compared exactly (`=`, `in`, `starts with`) or case-insensitively (`contains`).
    Text,
    /// A decimal number, compared with `=`, `!=`, `<`, `<=`, `>`, `>=` and `in`.
    Number,
    /// A list of codes, tested with `contains` and `not contains`.
    CodeList,
}

/// Name, type and literal domain of every field, in the order the documentation lists them.
const FIELDS: [(Field, &str, FieldType, Domain); 31] = [
    (Field::DeclarationType, "declaration.type", FieldType::Text, Domain::DeclarationType),
    (Field::Procedure, "declaration.procedure", FieldType::Text, Domain::Procedure),
    (Field::Office, "declaration.office", FieldType::Text, Domain::Free),
    (Field::Declarant, "declaration.declarant", FieldType::Text, Domain::Free),
    (Field::Importer, "declaration.importer", FieldType::Text, Domain::Free),
    (Field::Exporter, "declaration.exporter", FieldType::Text, Domain::Free),
    (Field::ExporterCountry, "declaration.exporter_country", FieldType::Text, Domain::Country),
    (Field::TransportMode, "declaration.transport_mode", FieldType::Text, Domain::TransportMode),
    (Field::Currency, "declaration.currency", FieldType::Text, Domain::Currency),
    (Field::InvoiceTotal, "declaration.invoice_total", FieldType::Number, Domain::Free),
    (Field::ItemCount, "declaration.item_count", FieldType::Number, Domain::Free),
    (Field::Incoterm, "declaration.incoterm", FieldType::Text, Domain::Incoterm),
    (Field::DeclarantCategory, "declaration.declarant_category", FieldType::Text, Domain::Category),
    (Field::ImporterCategory, "declaration.importer_category", FieldType::Text, Domain::Category),
    (Field::Findings, "declaration.findings", FieldType::CodeList, Domain::Finding),
    (Field::OperatorQuality, "declaration.operator_quality", FieldType::Number, Domain::Free),
    (Field::Hs, "item.hs", FieldType::Text, Domain::Hs),
    (Field::Hs6, "item.hs6", FieldType::Text, Domain::Hs6),
    (Field::Chapter, "item.chapter", FieldType::Text, Domain::Chapter),
    (Field::Origin, "item.origin", FieldType::Text, Domain::Country),
    (Field::Description, "item.description", FieldType::Text, Domain::Free),
    (Field::NetMass, "item.net_mass", FieldType::Number, Domain::Free),
    (Field::GrossMass, "item.gross_mass", FieldType::Number, Domain::Free),
    (Field::Quantity, "item.quantity", FieldType::Number, Domain::Free),
    (Field::Unit, "item.unit", FieldType::Text, Domain::Free),
    (Field::Price, "item.price", FieldType::Number, Domain::Free),
    (Field::ValuePerKg, "item.value_per_kg", FieldType::Number, Domain::Free),
    (Field::CustomsValue, "item.customs_value", FieldType::Number, Domain::Free),
    (Field::Undervaluation, "item.undervaluation", FieldType::Number, Domain::Free),
    (Field::Preference, "item.preference", FieldType::Text, Domain::Free),
    (Field::DocumentTypes, "item.document_types", FieldType::CodeList, Domain::Free),
];

impl Field {
    /// Every field, header fields first, in the order the documentation lists them.
    pub fn all() -> impl Iterator<Item = Field> {
        FIELDS.iter().map(|f| f.0)
    }

    /// Looks a field up by the name analysts write, e.g. `item.origin`.
    pub fn parse(name: &str) -> Option<Field> {
        FIELDS.iter().find(|f| f.1 == name).map(|f| f.0)
    }

    fn entry(self) -> &'static (Field, &'static str, FieldType, Domain) {
        // The table lists the variants in declaration order, so the discriminant is the index.
        &FIELDS[self as usize]
    }

    /// The name analysts write.
    pub fn name(self) -> &'static str {
        self.entry().1
    }

    /// The kind of value the field holds.
    pub fn field_type(self) -> FieldType {
        self.entry().2
    }

    pub(crate) fn domain(self) -> Domain {
        self.entry().3
    }

    /// The field an analyst probably meant by an unknown name: the one with the same last part
    /// (`origin` for `item.origin`), or else one within two typing mistakes.
    pub(crate) fn closest(word: &str) -> Option<Field> {
        let last_part = |name: &str| name.rsplit('.').next().map(str::to_string);
        let same_last_part = Field::all().find(|f| last_part(f.name()) == last_part(word));
        same_last_part.or_else(|| {
            // Long words cannot be two edits away from a field name; skip the work.
            if word.chars().count() > 40 {
                return None;
            }
            Field::all()
                .map(|f| (edit_distance(word, f.name()), f))
                .min_by_key(|(distance, _)| *distance)
                .filter(|(distance, _)| *distance <= 2)
                .map(|(_, f)| f)
        })
    }

    /// True for fields of one goods item (`item.…`), false for header fields (`declaration.…`).
    pub fn is_item(self) -> bool {
        self as usize >= Field::Hs as usize
    }

    /// True for fields read from the [`Facts`](super::Facts) computed before assessment rather
    /// than from the declaration itself. A hit records their values, because they cannot be
    /// recomputed from the stored declaration later.
    pub fn is_fact(self) -> bool {
        matches!(self, Field::CustomsValue | Field::Undervaluation)
    }
}

/// Levenshtein distance, for "did you mean" suggestions.
fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut diagonal = i;
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let substitution = diagonal + usize::from(ca != *cb);
            diagonal = row[j + 1];
            row[j + 1] = substitution.min(row[j] + 1).min(diagonal + 1);
        }
    }
    row[b.len()]
}

/// A comparison operator.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum CmpOp {
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
}

impl CmpOp {
    pub(crate) fn symbol(self) -> &'static str {
        match self {
            CmpOp::Eq => "=",
            CmpOp::Ne => "!=",
            CmpOp::Lt => "<",
            CmpOp::Le => "<=",
            CmpOp::Gt => ">",
            CmpOp::Ge => ">=",
        }
    }
}

/// A boolean expression over fields.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Expr {
    All(Vec<Expr>),
    Any(Vec<Expr>),
    Not(Box<Expr>),
    Test(Test),
}

/// One test of one field. `negated` holds the negative forms (`not in`, `not starts with`,
/// `not contains`, and `!=` on text) so that a missing value makes them false too, as the
/// language promises for every comparison; only the logical `not` turns false into true.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Test {
    pub(crate) field: Field,
    pub(crate) negated: bool,
    pub(crate) op: Op,
}

/// The typed test. Text and numbers have separate variants so evaluation never checks types.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Op {
    /// `=` (or `!=` when negated) on a text field.
    TextEq(String),
    /// `in [..]` on a text field.
    TextIn(Vec<String>),
    /// Any comparison on a number field.
    NumCmp(CmpOp, Decimal),
    /// `in [..]` on a number field.
    NumIn(Vec<Decimal>),
    /// `starts with` one of the prefixes.
    StartsWith(Vec<String>),
    /// Case-insensitive `contains` on a text field; the needles are stored in lower case.
    Contains(Vec<String>),
    /// `contains` on a code list: some element equals one of the codes.
    Has(Vec<String>),
}

/// One top-level `and` part of a condition, marked with whether it reads item fields.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Conjunct {
    pub(crate) expr: Expr,
    pub(crate) per_item: bool,
}

/// A compiled `when` condition.
///
/// It is kept as its top-level `and` parts so that the parts on header fields are evaluated once
/// per declaration and only the parts on item fields once per item. `Display` prints the
/// condition back in canonical form, which is what the officer sees as the reason of a hit.
#[derive(Debug, Clone, PartialEq)]
pub struct Condition {
    pub(crate) conjuncts: Vec<Conjunct>,
    pub(crate) per_item: bool,
    /// The fact fields the condition reads, each once, in the order they first appear.
    pub(crate) facts: Vec<Field>,
}

impl Condition {
    /// Compiles a parsed expression: splits its top-level `and` and marks the item parts.
    pub(crate) fn new(expr: Expr) -> Condition {
        let mut parts = Vec::new();
        flatten_all(expr, &mut parts);
        let conjuncts: Vec<Conjunct> =
            parts.into_iter().map(|expr| Conjunct { per_item: expr.uses_items(), expr }).collect();
        let per_item = conjuncts.iter().any(|c| c.per_item);
        let mut facts = Vec::new();
        conjuncts.iter().for_each(|c| c.expr.collect_facts(&mut facts));
        Condition { conjuncts, per_item, facts }
    }

    /// True when the condition reads item fields, so that it is evaluated item by item.
    pub fn uses_item_fields(&self) -> bool {
        self.per_item
    }

    /// True when the condition reads fact fields (`item.customs_value`, `item.undervaluation`),
    /// which only [`assess_with`](super::assess_with) supplies; under [`assess`](super::assess)
    /// they read as for an item without facts.
    pub fn uses_facts(&self) -> bool {
        !self.facts.is_empty()
    }
}

fn flatten_all(expr: Expr, out: &mut Vec<Expr>) {
    match expr {
        Expr::All(parts) => parts.into_iter().for_each(|p| flatten_all(p, out)),
        other => out.push(other),
    }
}

impl Expr {
    fn uses_items(&self) -> bool {
        match self {
            Expr::All(parts) | Expr::Any(parts) => parts.iter().any(Expr::uses_items),
            Expr::Not(inner) => inner.uses_items(),
            Expr::Test(test) => test.field.is_item(),
        }
    }

    fn collect_facts(&self, out: &mut Vec<Field>) {
        match self {
            Expr::All(parts) | Expr::Any(parts) => parts.iter().for_each(|p| p.collect_facts(out)),
            Expr::Not(inner) => inner.collect_facts(out),
            Expr::Test(test) if test.field.is_fact() && !out.contains(&test.field) => out.push(test.field),
            Expr::Test(_) => {}
        }
    }
}

impl fmt::Display for Condition {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let [only] = self.conjuncts.as_slice() {
            return write!(f, "{}", only.expr);
        }
        for (i, conjunct) in self.conjuncts.iter().enumerate() {
            if i > 0 {
                f.write_str(" and ")?;
            }
            write_operand(f, &conjunct.expr)?;
        }
        Ok(())
    }
}

/// Writes an operand of `and`, `or` or `not`: compound expressions get parentheses, because the
/// language refuses `and` and `or` mixed without them.
fn write_operand(f: &mut fmt::Formatter<'_>, expr: &Expr) -> fmt::Result {
    match expr {
        Expr::All(_) | Expr::Any(_) => write!(f, "({expr})"),
        _ => write!(f, "{expr}"),
    }
}

impl fmt::Display for Expr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Expr::All(parts) | Expr::Any(parts) => {
                let joiner = if matches!(self, Expr::All(_)) { " and " } else { " or " };
                for (i, part) in parts.iter().enumerate() {
                    if i > 0 {
                        f.write_str(joiner)?;
                    }
                    write_operand(f, part)?;
                }
                Ok(())
            }
            Expr::Not(inner) => {
                f.write_str("not ")?;
                write_operand(f, inner)
            }
            Expr::Test(test) => write!(f, "{test}"),
        }
    }
}

impl fmt::Display for Test {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let not = if self.negated { "not " } else { "" };
        write!(f, "{} ", self.field.name())?;
        match &self.op {
            Op::TextEq(v) => {
                f.write_str(if self.negated { "!= " } else { "= " })?;
                write_text(f, v)
            }
            Op::NumCmp(op, n) => write!(f, "{} {n}", op.symbol()),
            Op::TextIn(vs) => {
                write!(f, "{not}in ")?;
                write_list(f, vs, |f, v| write_text(f, v))
            }
            Op::NumIn(ns) => {
                write!(f, "{not}in ")?;
                write_list(f, ns, |f, n| write!(f, "{n}"))
            }
            Op::StartsWith(vs) => {
                write!(f, "{not}starts with ")?;
                write_texts(f, vs)
            }
            Op::Contains(vs) | Op::Has(vs) => {
                write!(f, "{not}contains ")?;
                write_texts(f, vs)
            }
        }
    }
}

/// One text as is, several as a list, matching the two forms the parser accepts.
fn write_texts(f: &mut fmt::Formatter<'_>, values: &[String]) -> fmt::Result {
    match values {
        [one] => write_text(f, one),
        _ => write_list(f, values, |f, v| write_text(f, v)),
    }
}

fn write_list<T>(
    f: &mut fmt::Formatter<'_>,
    values: &[T],
    mut write_one: impl FnMut(&mut fmt::Formatter<'_>, &T) -> fmt::Result,
) -> fmt::Result {
    f.write_str("[")?;
    for (i, v) in values.iter().enumerate() {
        if i > 0 {
            f.write_str(", ")?;
        }
        write_one(f, v)?;
    }
    f.write_str("]")
}

/// Writes a quoted text with the two escapes the lexer understands.
pub(crate) fn write_text(f: &mut fmt::Formatter<'_>, text: &str) -> fmt::Result {
    f.write_str("\"")?;
    for c in text.chars() {
        if matches!(c, '"' | '\\') {
            f.write_str("\\")?;
        }
        write!(f, "{c}")?;
    }
    f.write_str("\"")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_field_table_is_in_declaration_order() {
        for (i, entry) in FIELDS.iter().enumerate() {
            assert_eq!(entry.0 as usize, i, "{} is out of place", entry.1);
        }
    }

    #[test]
    fn item_fields_are_exactly_those_named_item() {
        for field in Field::all() {
            assert_eq!(field.is_item(), field.name().starts_with("item."), "{}", field.name());
            assert_eq!(Field::parse(field.name()), Some(field));
        }
    }
}
