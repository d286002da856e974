//! Features known at declaration time, for any kind of row (a KCS goods item, a platform
//! declaration's goods item). A [`Schema`] names three kinds of fields: numbers used as they are,
//! codes of low-cardinality fields that become ordinal numbers (most frequent first), and fields
//! whose *history* is a feature — how many earlier rows had the same value and what share of
//! them was found irregular. History is computed only from the past: a training row sees the
//! days before its own, a scored row sees the whole training period. The label of the row being
//! scored never enters its features.

use std::borrow::Cow;

use rustc_hash::FxHashMap;
use serde::{Deserialize, Serialize};

/// The fields a kind of row offers, by name.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Schema {
    /// Numeric features, in the order [`Row::numbers`] writes them.
    pub numbers: Vec<String>,
    /// Fields encoded as ordinal codes, indexed as [`Row::code`] reads them.
    pub codes: Vec<String>,
    /// Fields whose history is a feature, indexed as [`Row::history_key`] reads them.
    pub history: Vec<String>,
}

impl Schema {
    /// A schema from static names.
    pub fn new(numbers: &[&str], codes: &[&str], history: &[&str]) -> Schema {
        let own = |names: &[&str]| names.iter().map(|n| (*n).to_string()).collect();
        Schema { numbers: own(numbers), codes: own(codes), history: own(history) }
    }

    /// Names of the features, in column order: the numbers, the codes, then for each history
    /// field its count and its irregular rate.
    pub fn features(&self) -> Vec<String> {
        let mut names = self.numbers.clone();
        names.extend(self.codes.iter().cloned());
        for h in &self.history {
            names.push(format!("{h}_count"));
            names.push(format!("{h}_irregular_rate"));
        }
        names
    }
}

/// A row the encoder can read.
pub trait Row {
    /// The day of the row, as a number that sorts in time order (e.g. 20200131).
    fn day(&self) -> i64;
    /// Appends the numeric features, in [`Schema::numbers`] order.
    fn numbers(&self, out: &mut Vec<f64>);
    /// The value of code field `i`.
    fn code(&self, i: usize) -> Cow<'_, str>;
    /// The value of history field `i`; empty when unknown (no history is kept for it).
    fn history_key(&self, i: usize) -> Cow<'_, str>;
    /// The label: an irregularity was found.
    fn irregular(&self) -> bool;
}

/// Prior weight of the overall irregular rate in a history's smoothed rate.
const PRIOR: f64 = 5.0;

/// How often a value was seen and found irregular.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
pub struct Tally {
    /// Rows seen.
    pub seen: f64,
    /// Of which irregular.
    pub irregular: f64,
}

/// Tallies by value, one map per history field. Scoring an item looks up every code and history
/// field, so the maps hash with `rustc-hash` (several times faster than SipHash on short keys);
/// they are filled once from training rows, never from a request, so SipHash's resistance to
/// chosen colliding keys buys nothing here.
type Histories = Vec<FxHashMap<String, Tally>>;

/// What encoding needs from the training rows.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Encoder {
    schema: Schema,
    codes: Vec<FxHashMap<String, f64>>,
    history: Histories,
    base_rate: f64,
}

impl Encoder {
    /// Learns codes and histories from the training rows.
    pub fn fit<R: Row>(schema: Schema, rows: &[R]) -> Encoder {
        let codes = (0..schema.codes.len())
            .map(|c| {
                let mut counts: FxHashMap<Cow<'_, str>, usize> = FxHashMap::default();
                for r in rows {
                    *counts.entry(r.code(c)).or_default() += 1;
                }
                let mut by_count: Vec<(Cow<'_, str>, usize)> = counts.into_iter().collect();
                by_count.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
                by_count.into_iter().enumerate().map(|(i, (v, _))| (v.into_owned(), i as f64)).collect()
            })
            .collect();
        let mut history = vec![FxHashMap::default(); schema.history.len()];
        for r in rows {
            add(&mut history, r);
        }
        let base_rate = rows.iter().filter(|r| r.irregular()).count() as f64 / rows.len().max(1) as f64;
        Encoder { schema, codes, history, base_rate }
    }

    /// The schema.
    pub fn schema(&self) -> &Schema {
        &self.schema
    }

    /// Number of feature columns.
    pub fn width(&self) -> usize {
        self.schema.numbers.len() + self.schema.codes.len() + 2 * self.schema.history.len()
    }

    /// Share of irregular rows in the training period.
    pub fn base_rate(&self) -> f64 {
        self.base_rate
    }

    /// What the training period knows of history field `field` having `value`.
    pub fn tally(&self, field: usize, value: &str) -> Tally {
        self.history.get(field).and_then(|h| h.get(value)).copied().unwrap_or_default()
    }

    /// Features of the training rows, each from the days before its own (column-major), with
    /// the labels. Rows are taken in date order; the order is returned too.
    pub fn training_matrix<R: Row>(&self, rows: &[R]) -> (Vec<f64>, Vec<f64>) {
        let mut order: Vec<usize> = (0..rows.len()).collect();
        order.sort_by_key(|&i| rows[i].day());
        let mut past = vec![FxHashMap::default(); self.schema.history.len()];
        let mut features = vec![Vec::with_capacity(rows.len()); self.width()];
        let mut labels = Vec::with_capacity(rows.len());
        let mut day_start = 0;
        let mut values = Vec::with_capacity(self.width());
        for (k, &i) in order.iter().enumerate() {
            if rows[i].day() != rows[order[day_start]].day() {
                for &j in &order[day_start..k] {
                    add(&mut past, &rows[j]);
                }
                day_start = k;
            }
            self.encode(&past, &rows[i], &mut values);
            for (column, v) in features.iter_mut().zip(&values) {
                column.push(*v);
            }
            labels.push(if rows[i].irregular() { 1.0 } else { 0.0 });
        }
        (features.concat(), labels)
    }

    /// Features of rows after the training period (column-major).
    pub fn matrix<R: Row>(&self, rows: &[R]) -> Vec<f64> {
        let mut features = vec![Vec::with_capacity(rows.len()); self.width()];
        let mut values = Vec::with_capacity(self.width());
        for r in rows {
            self.encode(&self.history, r, &mut values);
            for (column, v) in features.iter_mut().zip(&values) {
                column.push(*v);
            }
        }
        features.concat()
    }

    /// Features of one row after the training period, in column order.
    pub fn row<R: Row>(&self, r: &R) -> Vec<f64> {
        let mut values = Vec::with_capacity(self.width());
        self.encode(&self.history, r, &mut values);
        values
    }

    /// Features of one row after the training period, in column order, written over `values`:
    /// scoring many rows reuses one buffer instead of allocating a vector per row.
    pub fn row_into<R: Row>(&self, r: &R, values: &mut Vec<f64>) {
        self.encode(&self.history, r, values);
    }

    fn encode<R: Row>(&self, history: &Histories, r: &R, values: &mut Vec<f64>) {
        values.clear();
        r.numbers(values);
        for (c, codes) in self.codes.iter().enumerate() {
            values.push(codes.get(r.code(c).as_ref()).copied().unwrap_or(f64::NAN));
        }
        for (h, tallies) in history.iter().enumerate() {
            let key = r.history_key(h);
            let t =
                if key.is_empty() { Tally::default() } else { tallies.get(key.as_ref()).copied().unwrap_or_default() };
            values.push(t.seen);
            values.push((t.irregular + PRIOR * self.base_rate) / (t.seen + PRIOR));
        }
    }
}

/// Counts a row in the histories.
fn add<R: Row>(history: &mut Histories, r: &R) {
    for (h, tallies) in history.iter_mut().enumerate() {
        let key = r.history_key(h);
        if key.is_empty() {
            continue;
        }
        let t = tallies.entry(key.into_owned()).or_default();
        t.seen += 1.0;
        t.irregular += if r.irregular() { 1.0 } else { 0.0 };
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    struct R(i64, &'static str, bool);

    impl Row for R {
        fn day(&self) -> i64 {
            self.0
        }
        fn numbers(&self, out: &mut Vec<f64>) {
            out.push(self.0 as f64);
        }
        fn code(&self, _: usize) -> Cow<'_, str> {
            Cow::Borrowed(self.1)
        }
        fn history_key(&self, _: usize) -> Cow<'_, str> {
            Cow::Borrowed(self.1)
        }
        fn irregular(&self) -> bool {
            self.2
        }
    }

    #[test]
    fn a_training_row_never_sees_its_own_label_or_its_own_day() {
        let rows = [R(1, "A", true), R(1, "A", true), R(2, "A", false)];
        let schema = Schema::new(&["day"], &["party"], &["party"]);
        assert_eq!(schema.features(), ["day", "party", "party_count", "party_irregular_rate"]);
        let encoder = Encoder::fit(schema, &rows);
        let (x, y) = encoder.training_matrix(&rows);
        assert_eq!(&x[6..9], &[0.0, 0.0, 2.0], "counts of the past only");
        assert_eq!(y, vec![1.0, 1.0, 0.0]);
        let scored = encoder.row(&R(5, "A", false));
        assert_eq!(scored[2], 3.0, "a scored row sees the whole training period");
        assert!(encoder.row(&R(5, "B", false))[1].is_nan(), "a code never seen is missing");
    }
}
