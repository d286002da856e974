//! Rows of the KCS customs declaration data set (`../shared/data/customs-declarations`), read
//! by column name. `Fraud` and `Critical Fraud` are the label, never features.

use std::borrow::Cow;

use crate::features::{Row, Schema};

/// One goods item of the data set.
#[derive(Debug, Clone, PartialEq)]
pub struct KcsRow {
    /// Acceptance date, `YYYY-MM-DD` (sorts in time order).
    pub date: String,
    /// The date as the number YYYYMMDD.
    pub day: i64,
    /// Categorical fields, in [`CATEGORICAL`] order.
    pub categories: [String; CATEGORICAL.len()],
    /// Tax rate, percent.
    pub tax_rate: f64,
    /// Net mass, kg.
    pub net_mass: f64,
    /// Item price (KRW).
    pub price: f64,
    /// The label: an irregularity was found (`Fraud` or `Critical Fraud`).
    pub irregular: bool,
}

/// The categorical columns used, by their names in the file.
pub const CATEGORICAL: [&str; 15] = [
    "Office ID",
    "Process Type",
    "Import Type",
    "Import Use",
    "Payment Type",
    "Mode of Transport",
    "Declarant ID",
    "Importer ID",
    "Seller ID",
    "Courier ID",
    "HS6 Code",
    "Country of Departure",
    "Country of Origin",
    "Tax Type",
    "Country of Origin Indicator",
];

/// Categorical columns used as ordinal codes, with their feature names.
const CODES: [(&str, &str); 10] = [
    ("Office ID", "office"),
    ("Process Type", "process_type"),
    ("Import Type", "import_type"),
    ("Import Use", "import_use"),
    ("Payment Type", "payment_type"),
    ("Mode of Transport", "transport_mode"),
    ("Country of Departure", "departure"),
    ("Country of Origin", "origin"),
    ("Tax Type", "tax_type"),
    ("Country of Origin Indicator", "origin_indicator"),
];

/// Fields whose history is a feature (parties and goods), with their feature names; `None` is
/// the exact pair of net mass and item price, which repeats between declarations of the same
/// goods.
const HISTORY: [(Option<&str>, &str); 6] = [
    (Some("Declarant ID"), "declarant"),
    (Some("Importer ID"), "importer"),
    (Some("Seller ID"), "seller"),
    (Some("Courier ID"), "courier"),
    (Some("HS6 Code"), "hs6"),
    (None, "same_goods"),
];

/// The features of a KCS row.
pub fn schema() -> Schema {
    Schema::new(
        &["net_mass", "price", "price_per_kg", "tax_rate", "hs6", "hs4", "hs2"],
        &CODES.map(|c| c.1),
        &HISTORY.map(|h| h.1),
    )
}

/// Where the fields the features read are among a row's categories.
const HS6: usize = 10;
const CODE_COLUMNS: [usize; 10] = [0, 1, 2, 3, 4, 5, 11, 12, 13, 14];
const HISTORY_COLUMNS: [Option<usize>; 6] = [Some(6), Some(7), Some(8), Some(9), Some(10), None];

impl Row for KcsRow {
    fn day(&self) -> i64 {
        self.day
    }

    fn numbers(&self, out: &mut Vec<f64>) {
        let hs = &self.categories[HS6];
        let prefix = |n: usize| hs.get(..n).and_then(|p| p.parse::<f64>().ok()).unwrap_or(f64::NAN);
        let per_kg = if self.net_mass > 0.0 { self.price / self.net_mass } else { f64::NAN };
        out.extend([self.net_mass, self.price, per_kg, self.tax_rate, prefix(6), prefix(4), prefix(2)]);
    }

    fn code(&self, i: usize) -> Cow<'_, str> {
        Cow::Borrowed(&self.categories[CODE_COLUMNS[i]])
    }

    fn history_key(&self, i: usize) -> Cow<'_, str> {
        match HISTORY_COLUMNS[i] {
            Some(c) => Cow::Borrowed(&self.categories[c]),
            None => Cow::Owned(format!("{}|{}", self.net_mass, self.price)),
        }
    }

    fn irregular(&self) -> bool {
        self.irregular
    }
}

/// Index of a categorical column in [`KcsRow::categories`].
pub fn column(name: &str) -> Option<usize> {
    CATEGORICAL.iter().position(|c| *c == name)
}

/// A problem in the file.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("line {line}: {message}")]
pub struct KcsError {
    /// Line, from 1.
    pub line: usize,
    /// What is wrong.
    pub message: String,
}

/// Reads a whole file. Every line must parse: this is evaluation data, not best effort.
pub fn parse(text: &str) -> Result<Vec<KcsRow>, KcsError> {
    let mut lines = text.lines();
    let header: Vec<&str> = lines.next().unwrap_or_default().split(',').map(str::trim).collect();
    let find = |name: &str| {
        header
            .iter()
            .position(|h| *h == name)
            .ok_or_else(|| KcsError { line: 1, message: format!("no column {name:?}") })
    };
    let date = find("Date")?;
    let (tax, mass, price, fraud, critical) =
        (find("Tax Rate")?, find("Net Mass")?, find("Item Price")?, find("Fraud")?, find("Critical Fraud")?);
    let categorical: Vec<usize> = CATEGORICAL.iter().map(|c| find(c)).collect::<Result<_, _>>()?;
    let mut rows = Vec::new();
    for (i, line) in lines.enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        let n = i + 2;
        let fields: Vec<&str> = line.split(',').collect();
        if fields.len() != header.len() {
            return Err(KcsError {
                line: n,
                message: format!("{} fields, the header has {}", fields.len(), header.len()),
            });
        }
        let number = |k: usize| {
            fields[k]
                .trim()
                .parse::<f64>()
                .map_err(|_| KcsError { line: n, message: format!("{} is not a number: {:?}", header[k], fields[k]) })
        };
        let flag = |k: usize| number(k).map(|v| v != 0.0);
        let day_text = fields[date].trim();
        rows.push(KcsRow {
            day: day_text
                .replace('-', "")
                .parse()
                .map_err(|_| KcsError { line: n, message: format!("Date is not YYYY-MM-DD: {day_text:?}") })?,
            date: day_text.to_string(),
            categories: std::array::from_fn(|c| fields[categorical[c]].trim().to_string()),
            tax_rate: number(tax)?,
            net_mass: number(mass)?,
            price: number(price)?,
            irregular: flag(fraud)? || flag(critical)?,
        });
    }
    Ok(rows)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn the_column_tables_agree_with_the_names() {
        assert_eq!(column("HS6 Code"), Some(HS6));
        for ((name, _), c) in CODES.iter().zip(CODE_COLUMNS) {
            assert_eq!(column(name), Some(c));
        }
        for ((name, _), c) in HISTORY.iter().zip(HISTORY_COLUMNS) {
            assert_eq!(name.and_then(column), c);
        }
        assert_eq!(schema().features().len(), 29);
    }

    const HEADER: &str = "Declaration ID,Date,Office ID,Process Type,Import Type,Import Use,Payment Type,Mode of Transport,Declarant ID,Importer ID,Seller ID,Courier ID,HS6 Code,Country of Departure,Country of Origin,Tax Rate,Tax Type,Country of Origin Indicator,Net Mass,Item Price,Fraud,Critical Fraud";

    #[test]
    fn rows_are_read_by_column_name_and_either_fraud_column_labels_them() {
        let text = format!(
            "{HEADER}\n1,2020-01-01,30,B,11,21,11,10,D,I,S,,440890,BE,BE,0.0,FEU1,G,108.0,372254.4,0,0\n\
             2,2020-01-02,40,B,11,21,11,40,D,I,S,,690722,CN,CN,8.0,A,Y,11352.0,375751.2,0,1\n"
        );
        let rows = parse(&text).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(rows.len(), 2);
        assert_eq!(rows[0].categories[column("HS6 Code").unwrap_or(0)], "440890");
        assert!(!rows[0].irregular && rows[1].irregular);
        assert_eq!(rows[1].net_mass, 11352.0);
    }

    #[test]
    fn a_short_line_or_a_missing_column_is_named() {
        assert_eq!(parse("Date,Fraud\n").map(|_| ()).unwrap_err().line, 1);
        let text = format!("{HEADER}\n1,2020-01-01\n");
        assert_eq!(parse(&text).map(|_| ()).unwrap_err().line, 2);
    }
}
