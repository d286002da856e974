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
    /// The exact pair of net mass and item price, `mass|price`: the key of the same-goods
    /// history, built once when the row is read rather than at every lookup.
    pub goods: String,
    /// The label: an irregularity was found (`Fraud` or `Critical Fraud`).
    pub irregular: bool,
}

impl KcsRow {
    /// The same-goods key of a net mass and an item price.
    pub fn goods_key(net_mass: f64, price: f64) -> String {
        format!("{net_mass}|{price}")
    }
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
        let per_kg = if self.net_mass > 0.0 { self.price / self.net_mass } else { f64::NAN };
        out.extend([self.net_mass, self.price, per_kg, self.tax_rate]);
        if hs.len() == 6 && hs.bytes().all(|b| b.is_ascii_digit()) {
            // The usual six digits: the chapter and heading by division, as parsing them would.
            let hs6 = hs.bytes().fold(0u32, |n, b| n * 10 + u32::from(b - b'0'));
            out.extend([f64::from(hs6), f64::from(hs6 / 100), f64::from(hs6 / 10_000)]);
        } else {
            let prefix = |n: usize| hs.get(..n).and_then(|p| p.parse::<f64>().ok()).unwrap_or(f64::NAN);
            out.extend([prefix(6), prefix(4), prefix(2)]);
        }
    }

    fn code(&self, i: usize) -> Cow<'_, str> {
        Cow::Borrowed(&self.categories[CODE_COLUMNS[i]])
    }

    fn history_key(&self, i: usize) -> Cow<'_, str> {
        match HISTORY_COLUMNS[i] {
            Some(c) => Cow::Borrowed(&self.categories[c]),
            None => Cow::Borrowed(&self.goods),
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

/// A problem in the file: a line that was set aside, or (line 1) a header the file cannot be
/// read without.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("line {line}: {message}")]
pub struct KcsError {
    /// Line, from 1.
    pub line: usize,
    /// What is wrong.
    pub message: String,
}

/// A file read: the rows that parsed, and the lines that did not, in file order.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct KcsFile {
    /// The goods items read.
    pub rows: Vec<KcsRow>,
    /// Lines set aside, each with its number and what is wrong with it.
    pub rejected: Vec<KcsError>,
}

/// The non-categorical columns read.
const DATE: &str = "Date";
const TAX_RATE: &str = "Tax Rate";
const NET_MASS: &str = "Net Mass";
const ITEM_PRICE: &str = "Item Price";
const FRAUD: &str = "Fraud";
const CRITICAL_FRAUD: &str = "Critical Fraud";

/// Where the columns read are in the file.
struct Columns {
    date: usize,
    tax_rate: usize,
    net_mass: usize,
    price: usize,
    fraud: usize,
    critical: usize,
    categorical: [usize; CATEGORICAL.len()],
}

/// Reads a whole file. Columns are found by name, in any order; columns not used are ignored.
/// A missing column fails the whole file (naming every missing one), since no row could be
/// read without it; a line that does not parse is set aside with its number and the rest are
/// read.
pub fn parse(text: &str) -> Result<KcsFile, KcsError> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut lines = text.lines();
    let header_line = lines.next().filter(|h| !h.trim().is_empty()).ok_or_else(|| KcsError {
        line: 1,
        message: "the file is empty: a header line naming the columns is expected".to_string(),
    })?;
    let header: Vec<&str> = header_line.split(',').map(unquote).collect();
    let mut missing = Vec::new();
    let mut find = |name: &'static str| {
        header.iter().position(|h| *h == name).unwrap_or_else(|| {
            missing.push(name);
            0
        })
    };
    let columns = Columns {
        date: find(DATE),
        tax_rate: find(TAX_RATE),
        net_mass: find(NET_MASS),
        price: find(ITEM_PRICE),
        fraud: find(FRAUD),
        critical: find(CRITICAL_FRAUD),
        categorical: CATEGORICAL.map(&mut find),
    };
    if !missing.is_empty() {
        let names: Vec<String> = missing.iter().map(|m| format!("{m:?}")).collect();
        return Err(KcsError { line: 1, message: format!("no column {} in the header", names.join(", ")) });
    }
    let mut file = KcsFile::default();
    let mut fields = Vec::with_capacity(header.len());
    for (i, line) in lines.enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        let n = i + 2;
        fields.clear();
        fields.extend(line.split(',').map(unquote));
        if fields.len() != header.len() {
            let message = format!("{} fields, the header has {}", fields.len(), header.len());
            file.rejected.push(KcsError { line: n, message });
            continue;
        }
        match read_row(&fields, &header, &columns) {
            Ok(row) => file.rows.push(row),
            Err(message) => file.rejected.push(KcsError { line: n, message }),
        }
    }
    Ok(file)
}

/// A field without surrounding blanks and quotes.
fn unquote(field: &str) -> &str {
    let field = field.trim();
    field.strip_prefix('"').and_then(|f| f.strip_suffix('"')).unwrap_or(field)
}

/// One row from its fields, or what is wrong with it.
fn read_row(fields: &[&str], header: &[&str], c: &Columns) -> Result<KcsRow, String> {
    let number = |k: usize| match fields[k].parse::<f64>() {
        Ok(v) if v.is_finite() => Ok(v),
        _ if fields[k].is_empty() => Err(format!("{} is empty", header[k])),
        _ => Err(format!("{} is not a number: {:?}", header[k], fields[k])),
    };
    // The labels are whole numbers, 0 for nothing found (`Critical Fraud` also takes 2).
    let flag = |k: usize| match fields[k].parse::<f64>() {
        Ok(v) if v >= 0.0 && v.fract() == 0.0 && v.is_finite() => Ok(v != 0.0),
        _ => Err(format!("{} is not 0, 1 or 2: {:?}", header[k], fields[k])),
    };
    let date = fields[c.date];
    let day = day_number(date).ok_or_else(|| format!("Date is not a date YYYY-MM-DD: {date:?}"))?;
    let (net_mass, price) = (number(c.net_mass)?, number(c.price)?);
    Ok(KcsRow {
        date: date.to_string(),
        day,
        categories: c.categorical.map(|k| fields[k].to_string()),
        tax_rate: number(c.tax_rate)?,
        net_mass,
        price,
        goods: KcsRow::goods_key(net_mass, price),
        irregular: flag(c.fraud)? | flag(c.critical)?,
    })
}

/// YYYYMMDD of a date written `YYYY-MM-DD`, if it is one.
fn day_number(date: &str) -> Option<i64> {
    let b = date.as_bytes();
    let digits = |r: std::ops::Range<usize>| -> Option<i64> {
        b.get(r.clone())
            .filter(|d| d.iter().all(u8::is_ascii_digit))
            .map(|d| d.iter().fold(0, |n, d| n * 10 + i64::from(d - b'0')))
    };
    if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
        return None;
    }
    let (year, month, day) = (digits(0..4)?, digits(5..7)?, digits(8..10)?);
    ((1..=12).contains(&month) && (1..=31).contains(&day)).then_some(year * 10_000 + month * 100 + day)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::evaluate::{evaluate, EvaluationError, TrainingSettings};
    use crate::features::Encoder;

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

    /// A line of the file in [`HEADER`]'s layout.
    fn item(date: &str, declarant: &str, mass: f64, price: f64, fraud: u8) -> String {
        format!("1,{date},30,B,11,21,11,10,{declarant},I,S,,440890,BE,BE,8.0,A,G,{mass},{price},{fraud},0")
    }

    fn parsed(text: &str) -> KcsFile {
        parse(text).unwrap_or_else(|e| panic!("{e}"))
    }

    #[test]
    fn rows_are_read_by_column_name_and_any_nonzero_fraud_column_labels_them() {
        let text = format!(
            "{HEADER}\n1,2020-01-01,30,B,11,21,11,10,D,I,S,,440890,BE,BE,0.0,FEU1,G,108.0,372254.4,0,0\n\
             2,2020-01-02,40,B,11,21,11,40,D,I,S,,690722,CN,CN,8.0,A,Y,11352.0,375751.2,0,2\n"
        );
        let file = parsed(&text);
        assert_eq!(file.rejected, []);
        let rows = file.rows;
        assert_eq!(rows.len(), 2);
        assert_eq!(rows[0].categories[HS6], "440890");
        assert!(!rows[0].irregular && rows[1].irregular);
        assert_eq!((rows[1].net_mass, rows[1].day), (11352.0, 20200102));
        assert_eq!(rows[0].history_key(5), "108|372254.4", "the same-goods key is the exact pair");
        let mut numbers = Vec::new();
        rows[0].numbers(&mut numbers);
        assert_eq!(numbers[4..], [440890.0, 4408.0, 44.0], "HS6, heading and chapter");
        let odd = KcsRow {
            categories: std::array::from_fn(|c| if c == HS6 { "8471a".into() } else { String::new() }),
            ..rows[0].clone()
        };
        numbers.clear();
        odd.numbers(&mut numbers);
        assert!(numbers[4].is_nan() && numbers[5] == 8471.0 && numbers[6] == 84.0, "{numbers:?}");
    }

    #[test]
    fn a_missing_column_fails_the_file_and_every_missing_one_is_named() {
        let without = HEADER.replace(",Fraud,", ",").replace("HS6 Code,", "");
        let Err(e) = parse(&format!("{without}\n")) else { panic!("a file without Fraud was read") };
        assert_eq!(e.line, 1);
        assert!(e.message.contains("\"Fraud\"") && e.message.contains("\"HS6 Code\""), "{e}");
        assert!(!e.message.contains("Critical"), "{e}");
    }

    #[test]
    fn extra_columns_are_ignored_wherever_they_stand() {
        let plain = parsed(&format!("{HEADER}\n{}\n", item("2020-01-01", "D", 10.0, 99.5, 1)));
        let text = format!("Remark,{HEADER},Inspector\nfirst,{},x\n", item("2020-01-01", "D", 10.0, 99.5, 1));
        let extra = parsed(&text);
        assert_eq!(extra.rejected, []);
        assert_eq!(extra.rows, plain.rows);
    }

    #[test]
    fn unparsable_lines_are_set_aside_with_their_numbers_and_the_rest_is_read() {
        let good = item("2020-01-01", "D", 10.0, 99.5, 0);
        let text = [
            HEADER.to_string(),
            good.clone(),
            "1,2020-01-01".to_string(),
            item("2020-01-01", "D", 10.0, 99.5, 0).replace(",10,99.5,", ",ten,99.5,"),
            item("01/02/2020", "D", 10.0, 99.5, 0),
            String::new(),
            item("2020-01-01", "D", 10.0, 99.5, 0).replace(",0,0", ",yes,0"),
            item("2020-01-01", "D", 10.0, 99.5, 0).replace(",10,99.5,", ",,99.5,"),
            item("2020-01-01", "D", 10.0, 99.5, 0).replace(",10,99.5,", ",NaN,99.5,"),
            good.clone(),
        ]
        .join("\r\n");
        let file = parsed(&text);
        assert_eq!(file.rows.len(), 2);
        let lines: Vec<usize> = file.rejected.iter().map(|e| e.line).collect();
        assert_eq!(lines, [3, 4, 5, 7, 8, 9], "the blank line 6 is no row, and no error");
        let messages: Vec<&str> = file.rejected.iter().map(|e| e.message.as_str()).collect();
        assert_eq!(
            messages,
            [
                "2 fields, the header has 22",
                "Net Mass is not a number: \"ten\"",
                "Date is not a date YYYY-MM-DD: \"01/02/2020\"",
                "Fraud is not 0, 1 or 2: \"yes\"",
                "Net Mass is empty",
                "Net Mass is not a number: \"NaN\"",
            ]
        );
        assert_eq!(file.rejected[0].to_string(), "line 3: 2 fields, the header has 22");
    }

    #[test]
    fn an_empty_file_or_one_without_rows_is_refused_clearly() {
        for empty in ["", "\n", "\u{feff}"] {
            let Err(e) = parse(empty) else { panic!("{empty:?} was read") };
            assert!(e.message.contains("empty"), "{e}");
        }
        let header_only = parsed(&format!("{HEADER}\n"));
        assert_eq!(header_only, KcsFile::default());
        let train = parsed(&format!("{HEADER}\n{}\n", item("2020-01-01", "D", 1.0, 2.0, 1))).rows;
        let refused = evaluate(schema(), &header_only.rows, None, &train, TrainingSettings::default());
        assert!(matches!(refused, Err(EvaluationError::Empty(_))), "{refused:?}");
        let refused = evaluate(schema(), &train, None, &header_only.rows, TrainingSettings::default());
        assert!(matches!(refused, Err(EvaluationError::Empty(_))), "{refused:?}");
    }

    /// Items over 60 days, one in five irregular (the expensive ones per kg), each declarant
    /// seen again and again.
    fn items(days: u32, irregular: impl Fn(usize) -> bool) -> Vec<KcsRow> {
        let lines: Vec<String> = (0..days as usize * 10)
            .map(|i| {
                let date = format!("2020-{:02}-{:02}", 1 + i / 10 / 28, 1 + i / 10 % 28);
                let mass = 10.0 + (i % 7) as f64;
                let fraud = irregular(i);
                let price = if fraud { 1000.0 } else { 100.0 } * mass + i as f64;
                item(&date, &format!("D{}", i % 13), mass, price, u8::from(fraud))
            })
            .collect();
        parsed(&format!("{HEADER}\n{}\n", lines.join("\n"))).rows
    }

    #[test]
    fn labels_of_a_single_class_are_refused_with_a_clear_error() {
        let small = TrainingSettings { iterations: 5, ..TrainingSettings::default() };
        let (regular, mixed) = (items(20, |_| false), items(20, |i| i % 5 == 0));
        let refused = evaluate(schema(), &regular, None, &mixed, small);
        let Err(e @ EvaluationError::SingleClass { .. }) = refused else { panic!("{refused:?}") };
        assert!(e.to_string().contains("no irregular item"), "{e}");
        let all_irregular = items(20, |_| true);
        let refused = evaluate(schema(), &all_irregular, None, &mixed, small);
        let Err(e @ EvaluationError::SingleClass { .. }) = refused else { panic!("{refused:?}") };
        assert!(e.to_string().contains("no regular item"), "{e}");
        let refused = evaluate(schema(), &mixed, None, &regular, small);
        assert!(matches!(refused, Err(EvaluationError::SingleClass { .. })), "{refused:?}");
    }

    #[test]
    fn an_empty_history_gives_zero_counts_and_the_base_rate_and_the_model_still_trains() {
        // Every training item on one day: none has a past, so every history is empty.
        let one_day: Vec<KcsRow> =
            items(20, |i| i % 5 == 0).into_iter().map(|r| KcsRow { day: 20200101, ..r }).collect();
        let encoder = Encoder::fit(schema(), &one_day);
        let (x, _) = encoder.training_matrix(&one_day);
        let n = one_day.len();
        let declarant_count = 17;
        assert!(x[declarant_count * n..(declarant_count + 1) * n].iter().all(|c| *c == 0.0));
        // An item of parties and goods never seen, and an empty courier (no history kept).
        let unseen = items(1, |_| false).into_iter().next().map(|r| KcsRow {
            categories: std::array::from_fn(|c| format!("new {c}")),
            goods: KcsRow::goods_key(-1.0, -1.0),
            ..r
        });
        let Some(unseen) = unseen else { panic!("no row") };
        let features = encoder.row(&unseen);
        for h in 0..HISTORY.len() {
            assert_eq!(features[17 + 2 * h], 0.0);
            assert!((features[18 + 2 * h] - encoder.base_rate()).abs() < 1e-12);
        }
        let result = evaluate(schema(), &one_day, None, &items(5, |i| i % 5 == 0), TrainingSettings::default());
        let result = result.unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(result.test_rows, 50);
        assert!(result.metrics.auc > 0.9, "price per kg alone separates them: {result:?}");
    }
}
