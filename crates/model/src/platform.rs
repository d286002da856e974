//! The platform's own rows: one per goods item of a declaration, with the features the system
//! knows when the declaration is filed — its fields, the customs value and value check the
//! tariff and price reference computed, the operators' risk categories, how many findings other
//! checks made (a partner's export that differs, a parcel's flags), and the history of
//! its declarant, importer, exporter and goods among past control outcomes.

use std::borrow::Cow;

use rust_decimal::prelude::ToPrimitive;

use smartcustoms_core::declaration::Declaration;
use smartcustoms_core::risk::Facts;

use crate::features::{Row, Schema};

const NUMBERS: [&str; 13] = [
    "customs_value_eur",
    "value_per_kg_eur",
    "net_mass",
    "quantity",
    "undervaluation",
    "item_count",
    "preference_claimed",
    "declarant_category",
    "importer_category",
    "hs6",
    "hs4",
    "hs2",
    "findings",
];
const CODES: [&str; 7] =
    ["office", "procedure", "transport_mode", "origin", "exporter_country", "incoterm", "currency"];
const HISTORY: [&str; 5] = ["declarant", "importer", "exporter", "hs6", "origin_hs6"];

/// The features of a platform row.
pub fn schema() -> Schema {
    Schema::new(&NUMBERS, &CODES, &HISTORY)
}

/// One goods item of a declaration, ready to encode.
#[derive(Debug, Clone, PartialEq)]
pub struct ItemRow {
    /// Day of acceptance as YYYYMMDD.
    pub day: i64,
    /// Goods item number.
    pub item: u32,
    numbers: [f64; NUMBERS.len()],
    codes: [String; CODES.len()],
    history: [String; HISTORY.len()],
    /// The label, when known: the control of the declaration found an irregularity.
    pub irregular: bool,
}

fn number(d: rust_decimal::Decimal) -> f64 {
    d.to_f64().unwrap_or(f64::NAN)
}

/// Day number YYYYMMDD of a date.
pub fn day_of(date: chrono::NaiveDate) -> i64 {
    use chrono::Datelike as _;
    i64::from(date.year()) * 10_000 + i64::from(date.month()) * 100 + i64::from(date.day())
}

impl ItemRow {
    /// The rows of a declaration, one per goods item, with the facts computed about it.
    pub fn of(declaration: &Declaration, facts: &Facts, irregular: bool) -> Vec<ItemRow> {
        let day = day_of(declaration.declaration_date);
        let level = |c: Option<smartcustoms_core::risk::Category>| c.map_or(f64::NAN, |c| c.level());
        declaration
            .items
            .iter()
            .enumerate()
            .map(|(i, item)| {
                let f = facts.items.get(i);
                let value = f.and_then(|f| f.customs_value_eur).map_or(f64::NAN, number);
                let mass = number(item.net_mass);
                let hs6 = item.commodity_code.hs6();
                let prefix = |n: usize| hs6.get(..n).and_then(|p| p.parse::<f64>().ok()).unwrap_or(f64::NAN);
                ItemRow {
                    day,
                    item: item.sequence,
                    numbers: [
                        value,
                        if mass > 0.0 { value / mass } else { f64::NAN },
                        mass,
                        number(item.quantity),
                        f.map_or(0.0, |f| number(f.undervaluation_percent())),
                        declaration.items.len() as f64,
                        if item.preference == "100" { 0.0 } else { 1.0 },
                        level(facts.declarant_category),
                        level(facts.importer_category),
                        prefix(6),
                        prefix(4),
                        prefix(2),
                        facts.findings.len() as f64,
                    ],
                    codes: [
                        declaration.office.to_string(),
                        declaration.procedure_code.clone(),
                        declaration.transport.mode.code().to_string(),
                        item.origin.as_str().to_string(),
                        declaration.exporter.country.as_str().to_string(),
                        declaration.incoterm.clone(),
                        declaration.currency.as_str().to_string(),
                    ],
                    history: [
                        declaration.declarant.id.clone(),
                        declaration.importer.id.clone(),
                        declaration.exporter.id.clone(),
                        hs6.to_string(),
                        format!("{}|{hs6}", item.origin.as_str()),
                    ],
                    irregular,
                }
            })
            .collect()
    }
}

impl ItemRow {
    /// The row with another label.
    pub fn labelled(&self, irregular: bool) -> ItemRow {
        ItemRow { irregular, ..self.clone() }
    }
}

impl Row for ItemRow {
    fn day(&self) -> i64 {
        self.day
    }

    fn numbers(&self, out: &mut Vec<f64>) {
        out.extend_from_slice(&self.numbers);
    }

    fn code(&self, i: usize) -> Cow<'_, str> {
        Cow::Borrowed(&self.codes[i])
    }

    fn history_key(&self, i: usize) -> Cow<'_, str> {
        Cow::Borrowed(&self.history[i])
    }

    fn irregular(&self) -> bool {
        self.irregular
    }
}
