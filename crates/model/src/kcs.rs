//! Rows of the KCS customs declaration data set (`../shared/data/customs-declarations`), read
//! by column name. `Fraud` and `Critical Fraud` are the label, never features.

/// One goods item of the data set.
#[derive(Debug, Clone, PartialEq)]
pub struct KcsRow {
    /// Acceptance date, `YYYY-MM-DD` (sorts in time order).
    pub date: String,
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
        rows.push(KcsRow {
            date: fields[date].trim().to_string(),
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
