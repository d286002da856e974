//! A realistic DEC-DMS import declaration for the tests: two goods items by sea into Hamburg,
//! the first two items of `tests/flc_fixtures/valid.json`, written the way the UK's service
//! writes its messages (with elements our declaration does not read, such as packaging and
//! containers, left in).

use chrono::NaiveDate;

use crate::declaration::DeclarationDoc;
use crate::flc::Context;
use crate::ids::OfficeCode;

/// The message.
pub(crate) const IMPORT: &str = include_str!("sample_import.xml");

/// The same declaration as our JSON has it: `valid.json` without its third item.
pub(crate) fn expected() -> DeclarationDoc {
    let json = include_str!("../../tests/flc_fixtures/valid.json");
    let mut doc = DeclarationDoc::from_json(json.as_bytes()).unwrap_or_else(|e| panic!("{e:?}"));
    if let Some(items) = doc.items.as_mut() {
        items.truncate(2);
    }
    if let Some(invoice) = doc.invoice.as_mut() {
        invoice.total = Some(rust_decimal::Decimal::new(4_350_000, 2));
    }
    doc
}

/// The administration of the tests, a day after the declaration was made out.
pub(crate) fn ctx() -> Context {
    Context {
        today: NaiveDate::from_ymd_opt(2026, 11, 20).unwrap_or_default(),
        offices: ["DE005000", "DE004800", "NL000396"]
            .iter()
            .map(|o| OfficeCode::parse(o).unwrap_or_else(|e| panic!("{e}")))
            .collect(),
    }
}

/// The sample with `from` replaced by `to` (which must occur).
pub(crate) fn with(from: &str, to: &str) -> String {
    assert!(IMPORT.contains(from), "the sample has no {from:?}");
    IMPORT.replacen(from, to, 1)
}
