//! Checks of the goods items and the documents they refer to, field by field.
//!
//! Like the header, every field is parsed into an `Option` that is `Some` only when the field
//! passed its own checks; the rules between fields and between items run afterwards on those.

use rust_decimal::Decimal;

use crate::codes::{
    find_code, find_document_type, CodeEntry, CountryCode, HsCode, GENERIC_DESCRIPTIONS, PREFERENCES, UNITS,
    VALUATION_METHODS,
};
use crate::declaration::{Document, DocumentDoc, GoodsItem, GoodsItemDoc};

use super::arithmetic;
use super::finding::{shown, Field, Findings, Index, JsonPath};
use super::header::Header;
use super::party;
use super::rules::Rule;
use super::text::{self, limit, required, required_text};

/// The most goods items one declaration may hold.
pub(crate) const MAX_ITEMS: usize = 999;
/// The fewest characters a description may have.
const MIN_DESCRIPTION_CHARS: usize = 3;

/// A goods item as far as it could be parsed.
#[derive(Debug, Default)]
pub(crate) struct ItemParts {
    pub(crate) sequence: Option<u32>,
    pub(crate) commodity_code: Option<HsCode>,
    pub(crate) description: Option<String>,
    pub(crate) origin: Option<CountryCode>,
    pub(crate) net_mass: Option<Decimal>,
    pub(crate) gross_mass: Option<Decimal>,
    pub(crate) quantity: Option<Decimal>,
    pub(crate) unit: Option<String>,
    pub(crate) price: Option<Decimal>,
    pub(crate) valuation_method: Option<String>,
    pub(crate) preference: Option<String>,
    /// `Some` (possibly empty) when every document passed; absent documents are an empty list.
    pub(crate) documents: Option<Vec<Document>>,
}

impl ItemParts {
    /// The checked goods item, when every field passed.
    pub(crate) fn finish(&self) -> Option<GoodsItem> {
        Some(GoodsItem {
            sequence: self.sequence?,
            commodity_code: self.commodity_code.clone()?,
            description: self.description.clone()?,
            origin: self.origin?,
            net_mass: self.net_mass?,
            gross_mass: self.gross_mass?,
            quantity: self.quantity?,
            unit: self.unit.clone()?,
            price: self.price?,
            valuation_method: self.valuation_method.clone()?,
            preference: self.preference.clone()?,
            documents: self.documents.clone()?,
        })
    }
}

/// Checks the list of items and every item in it. `None` when the list itself is missing.
pub(crate) fn check_items(items: Option<&[GoodsItemDoc]>, header: &Header, f: &mut Findings) -> Option<Vec<ItemParts>> {
    let items = required(f, "$.items", items, Rule::HeaderFieldMissing, "The list of goods items")?;
    if items.is_empty() {
        f.push(Rule::NoItems, "$.items", "The declaration has no goods items; declare at least one.", &[]);
    }
    if items.len() > MAX_ITEMS {
        f.push(
            Rule::TooManyItems,
            "$.items",
            format!(
                "The declaration has {} goods items; at most {MAX_ITEMS} are allowed, so split the consignment.",
                items.len()
            ),
            &[("count", &items.len()), ("limit", &MAX_ITEMS)],
        );
    }
    let parts = items
        .iter()
        .enumerate()
        .map(|(i, item)| {
            let path = Index("$.items", i);
            let parts = check_item(f, path, item, header);
            arithmetic::check_item(f, path, &parts);
            parts
        })
        .collect();
    Some(parts)
}

/// Checks the fields of one item; `path` is the item's path, e.g. `$.items[2]`.
fn check_item(f: &mut Findings, path: impl JsonPath, item: &GoodsItemDoc, header: &Header) -> ItemParts {
    let field = |name: &'static str| Field(path, name);
    let missing = Rule::ItemFieldMissing;
    let mut parts = ItemParts {
        sequence: required(f, field("sequence"), item.sequence.as_ref(), missing, "The item number").copied(),
        ..ItemParts::default()
    };

    if let Some(code) =
        required(f, field("commodity_code"), item.commodity_code.as_deref(), missing, "The commodity code")
    {
        parts.commodity_code = commodity_code(f, field("commodity_code"), code);
    }
    parts.description = description(f, field("description"), item.description.as_ref());
    if let Some(c) = required(f, field("origin"), item.origin.as_deref(), missing, "The country of origin") {
        parts.origin = party::country(f, field("origin"), "The country of origin", c, Rule::OriginUnknown);
    }

    let mode = header.transport_mode;
    parts.net_mass = required(f, field("net_mass"), item.net_mass.as_ref(), missing, "The net mass")
        .filter(|&&m| arithmetic::mass(f, field("net_mass"), "The net mass", m, mode))
        .copied();
    parts.gross_mass = required(f, field("gross_mass"), item.gross_mass.as_ref(), missing, "The gross mass")
        .filter(|&&m| arithmetic::mass(f, field("gross_mass"), "The gross mass", m, mode))
        .copied();
    parts.quantity = required(f, field("quantity"), item.quantity.as_ref(), missing, "The quantity")
        .filter(|&&q| arithmetic::quantity(f, field("quantity"), q))
        .copied();
    parts.unit = listed(
        f,
        field("unit"),
        item.unit.as_deref(),
        "The unit of quantity",
        UNITS,
        Rule::UnitUnknown,
        "a UN/ECE Rec. 20 code such as NAR (articles), NPR (pairs), KGM or LTR",
    );
    parts.price = required(f, field("price"), item.price.as_ref(), missing, "The item price")
        .filter(|&&p| arithmetic::amount(f, field("price"), "The item price", p, header.currency))
        .copied();
    parts.valuation_method = listed(
        f,
        field("valuation_method"),
        item.valuation_method.as_deref(),
        "The valuation method",
        VALUATION_METHODS,
        Rule::ValuationMethodUnknown,
        "a WTO valuation method from 1 to 6",
    );
    parts.preference = listed(
        f,
        field("preference"),
        item.preference.as_deref(),
        "The preference code",
        PREFERENCES,
        Rule::PreferenceUnknown,
        "a code such as 100 (no preference), 200 (GSP) or 300 (free-trade agreement)",
    );
    parts.documents = documents(f, field("documents"), item.documents.as_deref());
    parts
}

fn commodity_code(f: &mut Findings, path: impl JsonPath, code: &str) -> Option<HsCode> {
    if !text::is_commodity_code(code) {
        f.push(
            Rule::CommodityCodeFormat,
            path,
            format!(
                "The commodity code {} is not 6 to 10 digits without dots or spaces (e.g. 8517130000).",
                shown(code)
            ),
            &[("value", &shown(code))],
        );
        return None;
    }
    let parsed = HsCode::parse(code);
    if parsed.is_none() {
        // The code is 6 to 10 ASCII digits here, so the first six bytes are characters.
        let hs6 = code.get(..6).unwrap_or(code);
        f.push(
            Rule::SubheadingUnknown,
            path,
            format!("The commodity code {code} starts with {hs6}, which is not a subheading of HS 2022 (it may be from an older edition)."),
            &[("code", &code), ("hs6", &hs6)],
        );
    }
    parsed
}

fn description(f: &mut Findings, path: impl JsonPath, value: Option<&String>) -> Option<String> {
    let d = required_text(f, path, "The goods description", value, limit::DESCRIPTION, Rule::ItemFieldMissing)?;
    let trimmed = d.trim();
    if trimmed.chars().count() < MIN_DESCRIPTION_CHARS {
        f.push(
            Rule::DescriptionTooShort,
            path,
            format!(
                "The goods description {} is too short to identify the goods; describe them in plain words.",
                shown(&d)
            ),
            &[("value", &shown(&d))],
        );
        return None;
    }
    if GENERIC_DESCRIPTIONS.contains(&trimmed.to_lowercase().as_str()) {
        f.push(
            Rule::DescriptionGeneric,
            path,
            format!(
                "The goods description {} does not say what the goods are; name them (e.g. \"men's leather shoes\").",
                shown(&d)
            ),
            &[("value", &shown(&d))],
        );
        return None;
    }
    Some(d)
}

/// A mandatory item field whose value comes from a code list; `expected` tells the declarant
/// what a good value looks like.
fn listed(
    f: &mut Findings,
    path: impl JsonPath,
    value: Option<&str>,
    what: &str,
    list: &'static [CodeEntry],
    unknown: Rule,
    expected: &str,
) -> Option<String> {
    let code = required(f, path, value, Rule::ItemFieldMissing, what)?;
    if find_code(list, code).is_none() {
        f.push(
            unknown,
            path,
            format!("{what} {} is not known; use {expected}.", shown(code)),
            &[("what", &what), ("value", &shown(code))],
        );
        return None;
    }
    Some(code.to_string())
}

/// A document type code from the list, or a finding.
fn document_type(f: &mut Findings, path: impl JsonPath, code: &str) -> Option<String> {
    if find_document_type(code).is_none() {
        f.push(
            Rule::DocumentTypeUnknown,
            path,
            format!(
                "The document type {} is not known; use a code such as N380 (commercial invoice), \
                 N705 (bill of lading) or N954 (EUR.1).",
                shown(code)
            ),
            &[("value", &shown(code))],
        );
        return None;
    }
    Some(code.to_string())
}

/// Checks the documents of one item; absent documents are an empty list.
fn documents(f: &mut Findings, path: impl JsonPath, docs: Option<&[DocumentDoc]>) -> Option<Vec<Document>> {
    let docs = docs.unwrap_or_default();
    let mut checked = Vec::with_capacity(docs.len());
    let mut all_ok = true;
    for (j, d) in docs.iter().enumerate() {
        let doc_path = Index(path, j);
        let kind =
            required(f, Field(doc_path, "type"), d.kind.as_deref(), Rule::DocumentFieldMissing, "The document type")
                .and_then(|k| document_type(f, Field(doc_path, "type"), k));
        let number = required_text(
            f,
            Field(doc_path, "number"),
            "The document number",
            d.number.as_ref(),
            limit::REFERENCE,
            Rule::DocumentFieldMissing,
        );
        match (kind, number) {
            (Some(kind), Some(number)) => {
                if checked.iter().any(|c: &Document| c.kind == kind && c.number == number) {
                    f.push(
                        Rule::DuplicateDocument,
                        doc_path,
                        format!("Document {kind} {} is listed more than once for this item.", shown(&number)),
                        &[("document", &kind), ("number", &shown(&number))],
                    );
                    all_ok = false;
                } else {
                    checked.push(Document { kind, number });
                }
            }
            _ => all_ok = false,
        }
    }
    all_ok.then_some(checked)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn codes(f: Findings) -> Vec<String> {
        f.into_vec().into_iter().map(|x| x.code).collect()
    }

    fn doc(kind: &str, number: &str) -> DocumentDoc {
        DocumentDoc { kind: Some(kind.into()), number: Some(number.into()) }
    }

    #[test]
    fn an_item_without_any_field_gets_one_finding_per_mandatory_field() {
        let mut f = Findings::default();
        let parts = check_item(&mut f, "$.items[0]", &GoodsItemDoc::default(), &Header::default());
        assert!(parts.finish().is_none());
        let found = f.into_vec();
        assert_eq!(found.len(), 11);
        assert!(found.iter().all(|x| x.code == "FLC_008"));
        assert!(found.iter().any(|x| x.path == "$.items[0].net_mass"));
    }

    #[test]
    fn a_code_from_hs_2017_is_refused_with_a_hint() {
        let mut f = Findings::default();
        assert!(commodity_code(&mut f, "$.c", "8517120000").is_none());
        let found = f.into_vec();
        assert_eq!(found.first().map(|x| x.code.as_str()), Some("FLC_027"));
        assert!(found.first().is_some_and(|x| x.message.contains("851712")));
    }

    #[test]
    fn generic_descriptions_are_refused_whatever_their_case() {
        let mut f = Findings::default();
        assert!(description(&mut f, "$.d", Some(&"  Spare Parts ".to_string())).is_none());
        assert!(description(&mut f, "$.d", Some(&"Brake pads for passenger cars".to_string())).is_some());
        assert_eq!(codes(f), ["FLC_020"]);
    }

    #[test]
    fn a_two_letter_description_is_too_short() {
        let mut f = Findings::default();
        assert!(description(&mut f, "$.d", Some(&"TV".to_string())).is_none());
        assert_eq!(codes(f), ["FLC_019"]);
    }

    #[test]
    fn the_same_document_twice_is_a_finding_but_the_same_number_under_two_types_is_not() {
        let mut f = Findings::default();
        let ok = [doc("N380", "INV-1"), doc("N935", "INV-1")];
        assert_eq!(documents(&mut f, "$.items[0].documents", Some(&ok)).map(|d| d.len()), Some(2));
        let twice = [doc("N380", "INV-1"), doc("N380", "INV-1")];
        assert!(documents(&mut f, "$.items[0].documents", Some(&twice)).is_none());
        assert_eq!(codes(f), ["FLC_059"]);
    }

    #[test]
    fn absent_documents_are_an_empty_list() {
        let mut f = Findings::default();
        assert_eq!(documents(&mut f, "$.items[0].documents", None), Some(vec![]));
        assert!(f.is_empty());
    }
}
