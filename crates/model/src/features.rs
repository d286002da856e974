//! Features known at declaration time. Codes of low-cardinality fields become ordinal numbers;
//! parties and HS codes become their history — how many earlier declarations and what share
//! of them was found irregular — computed only from the past: a training row sees the days
//! before its own, a scored row sees the whole training period. The label of the row being
//! scored never enters its features.

use std::borrow::Cow;
use std::collections::HashMap;

use crate::kcs::{column, KcsRow};

/// Fields whose history is a feature (parties and goods); `mass and price` is the exact pair of
/// net mass and item price, which repeats between declarations of the same goods.
const HISTORY: [&str; 6] = ["Declarant ID", "Importer ID", "Seller ID", "Courier ID", "HS6 Code", "mass and price"];

/// The value of a history field (by its column, `None` for mass and price) of a row.
fn history_key(r: &KcsRow, column: Option<usize>) -> Cow<'_, str> {
    match column {
        Some(c) => Cow::Borrowed(&r.categories[c]),
        None => Cow::Owned(format!("{}|{}", r.net_mass, r.price)),
    }
}

/// Where the fields the features read are among a row's categories, looked up once.
#[derive(Debug, Clone)]
struct Columns {
    hs6: usize,
    codes: Vec<usize>,
    history: Vec<Option<usize>>,
}

impl Columns {
    fn new() -> Columns {
        Columns {
            hs6: column("HS6 Code").unwrap_or(0),
            codes: CODES.iter().map(|name| column(name).unwrap_or(0)).collect(),
            history: HISTORY.iter().map(|name| column(name)).collect(),
        }
    }

    /// Counts a row in the histories.
    fn add(&self, history: &mut [HashMap<String, Tally>], r: &KcsRow) {
        for (&c, tallies) in self.history.iter().zip(history.iter_mut()) {
            let value = history_key(r, c);
            if value.is_empty() {
                continue;
            }
            let t = tallies.entry(value.into_owned()).or_default();
            t.seen += 1.0;
            t.irregular += if r.irregular { 1.0 } else { 0.0 };
        }
    }
}

/// Fields used as ordinal codes.
const CODES: [&str; 10] = [
    "Office ID",
    "Process Type",
    "Import Type",
    "Import Use",
    "Payment Type",
    "Mode of Transport",
    "Country of Departure",
    "Country of Origin",
    "Tax Type",
    "Country of Origin Indicator",
];

/// Names of the features, in column order.
pub const FEATURES: [&str; 29] = [
    "net_mass",
    "price",
    "price_per_kg",
    "tax_rate",
    "hs6",
    "hs4",
    "hs2",
    "office",
    "process_type",
    "import_type",
    "import_use",
    "payment_type",
    "transport_mode",
    "departure",
    "origin",
    "tax_type",
    "origin_indicator",
    "declarant_count",
    "declarant_irregular_rate",
    "importer_count",
    "importer_irregular_rate",
    "seller_count",
    "seller_irregular_rate",
    "courier_count",
    "courier_irregular_rate",
    "hs6_count",
    "hs6_irregular_rate",
    "same_goods_count",
    "same_goods_irregular_rate",
];

/// Prior weight of the overall irregular rate in a history's smoothed rate.
const PRIOR: f64 = 5.0;

#[derive(Debug, Clone, Copy, Default)]
struct Tally {
    seen: f64,
    irregular: f64,
}

/// What encoding needs from the training rows.
#[derive(Debug, Clone)]
pub struct Encoder {
    columns: Columns,
    codes: Vec<HashMap<String, f64>>,
    history: Vec<HashMap<String, Tally>>,
    base_rate: f64,
}

impl Encoder {
    /// Learns codes and histories from the training rows.
    pub fn fit(rows: &[KcsRow]) -> Encoder {
        let columns = Columns::new();
        let codes = columns
            .codes
            .iter()
            .map(|&c| {
                let mut counts: HashMap<&str, usize> = HashMap::new();
                for r in rows {
                    *counts.entry(r.categories[c].as_str()).or_default() += 1;
                }
                let mut by_count: Vec<(&str, usize)> = counts.into_iter().collect();
                by_count.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
                by_count.into_iter().enumerate().map(|(i, (v, _))| (v.to_string(), i as f64)).collect()
            })
            .collect();
        let mut history = vec![HashMap::new(); HISTORY.len()];
        for r in rows {
            columns.add(&mut history, r);
        }
        let base_rate = rows.iter().filter(|r| r.irregular).count() as f64 / rows.len().max(1) as f64;
        Encoder { columns, codes, history, base_rate }
    }

    /// Features of the training rows, each from the days before its own (column-major), with
    /// the labels. Rows are taken in date order.
    pub fn training_matrix(&self, rows: &[KcsRow]) -> (Vec<f64>, Vec<f64>) {
        let mut order: Vec<usize> = (0..rows.len()).collect();
        order.sort_by(|&a, &b| rows[a].date.cmp(&rows[b].date));
        let mut past = vec![HashMap::new(); HISTORY.len()];
        let mut features = vec![Vec::with_capacity(rows.len()); FEATURES.len()];
        let mut labels = Vec::with_capacity(rows.len());
        let mut day_start = 0;
        for (k, &i) in order.iter().enumerate() {
            if rows[i].date != rows[order[day_start]].date {
                for &j in &order[day_start..k] {
                    self.columns.add(&mut past, &rows[j]);
                }
                day_start = k;
            }
            self.push(&past, &rows[i], &mut features);
            labels.push(if rows[i].irregular { 1.0 } else { 0.0 });
        }
        (features.concat(), labels)
    }

    /// Features of rows after the training period (column-major).
    pub fn matrix(&self, rows: &[KcsRow]) -> Vec<f64> {
        let mut features = vec![Vec::with_capacity(rows.len()); FEATURES.len()];
        for r in rows {
            self.push(&self.history, r, &mut features);
        }
        features.concat()
    }

    fn push(&self, history: &[HashMap<String, Tally>], r: &KcsRow, out: &mut [Vec<f64>]) {
        let hs = &r.categories[self.columns.hs6];
        let prefix = |n: usize| hs.get(..n).and_then(|p| p.parse::<f64>().ok()).unwrap_or(f64::NAN);
        let per_kg = if r.net_mass > 0.0 { r.price / r.net_mass } else { f64::NAN };
        let mut values = vec![r.net_mass, r.price, per_kg, r.tax_rate, prefix(6), prefix(4), prefix(2)];
        for (&c, codes) in self.columns.codes.iter().zip(&self.codes) {
            values.push(codes.get(&r.categories[c]).copied().unwrap_or(f64::NAN));
        }
        for (&c, tallies) in self.columns.history.iter().zip(history) {
            let value = history_key(r, c);
            let t = if value.is_empty() {
                Tally::default()
            } else {
                tallies.get(value.as_ref()).copied().unwrap_or_default()
            };
            values.push(t.seen);
            values.push((t.irregular + PRIOR * self.base_rate) / (t.seen + PRIOR));
        }
        for (column, v) in out.iter_mut().zip(values) {
            column.push(v);
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::kcs::CATEGORICAL;

    fn row(date: &str, importer: &str, irregular: bool) -> KcsRow {
        let mut categories: [String; CATEGORICAL.len()] = Default::default();
        categories[column("Importer ID").unwrap_or(0)] = importer.into();
        categories[column("HS6 Code").unwrap_or(0)] = "851713".into();
        KcsRow { date: date.into(), categories, tax_rate: 8.0, net_mass: 2.0, price: 10.0, irregular }
    }

    #[test]
    fn a_training_row_never_sees_its_own_label_or_its_own_day() {
        let rows = vec![row("2020-01-01", "A", true), row("2020-01-01", "A", true), row("2020-01-02", "A", false)];
        let encoder = Encoder::fit(&rows);
        let (x, y) = encoder.training_matrix(&rows);
        let n = rows.len();
        let count = FEATURES.iter().position(|f| *f == "importer_count").unwrap_or(0);
        assert_eq!(&x[count * n..count * n + n], &[0.0, 0.0, 2.0]);
        assert_eq!(y, vec![1.0, 1.0, 0.0]);
        let scored = encoder.matrix(&[row("2020-02-01", "A", false)]);
        assert_eq!(scored[count], 3.0, "a scored row sees the whole training period");
        let per_kg = FEATURES.iter().position(|f| *f == "price_per_kg").unwrap_or(0);
        assert_eq!(scored[per_kg], 5.0);
    }
}
