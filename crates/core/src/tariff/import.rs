//! Tariff files: a CSV of measures, or a JSON document with measures, country groups and
//! exchange rates. Parsing checks each line on its own and names the line and field of every
//! problem; `Tariff::new` then checks the whole.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::measure::{check_code, CountryGroup, ExchangeRate, Measure, MeasureKind, Origin};
use super::rate::Rate;

/// The header a measures CSV must start with.
pub const CSV_HEADER: &str = "id,code,kind,origin,rate,proof,valid_from,valid_to,legal_base";

/// Number of fields of a measures CSV line.
const CSV_FIELDS: usize = 9;

/// A whole tariff in one JSON document.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TariffFile {
    /// Measures, every version.
    pub measures: Vec<Measure>,
    /// Country groups that preferential measures name.
    #[serde(default)]
    pub groups: Vec<CountryGroup>,
    /// Exchange rates.
    #[serde(default)]
    pub rates: Vec<ExchangeRate>,
}

/// A problem in a tariff file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct ImportError {
    /// Line of the file, from 1; 0 for a problem of a whole measure in a JSON file, which the
    /// message names by its position and id (`measures[3] (DUTY-61): …`).
    pub line: usize,
    /// What is wrong, starting with the field or column concerned.
    pub message: String,
}

impl std::fmt::Display for ImportError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "line {}: {}", self.line, self.message)
    }
}

/// Reads a file that is either a measures CSV or a JSON `TariffFile`: by the extension of
/// `name_hint` (`.csv`, `.json`), else by whether the text starts with `{`. A CSV gives
/// measures only.
pub fn parse_file(text: &str, name_hint: &str) -> Result<TariffFile, Vec<ImportError>> {
    let hint = name_hint.to_ascii_lowercase();
    let json = if hint.ends_with(".json") {
        true
    } else if hint.ends_with(".csv") {
        false
    } else {
        text.trim_start_matches('\u{feff}').trim_start().starts_with('{')
    };
    if json {
        parse_json(text)
    } else {
        parse_csv(text).map(|measures| TariffFile { measures, ..TariffFile::default() })
    }
}

/// Reads a JSON `TariffFile`, naming the line and column of the first problem.
pub fn parse_json(text: &str) -> Result<TariffFile, Vec<ImportError>> {
    let file: TariffFile = serde_json::from_str(text.trim_start_matches('\u{feff}'))
        .map_err(|e| vec![ImportError { line: e.line(), message: format!("column {}: {e}", e.column()) }])?;
    let errors: Vec<ImportError> = file
        .measures
        .iter()
        .enumerate()
        .flat_map(|(i, m)| {
            let at = format!("measures[{i}] ({})", m.id);
            m.check().into_iter().map(move |p| ImportError { line: 0, message: format!("{at}: {p}") })
        })
        .collect();
    if errors.is_empty() {
        Ok(file)
    } else {
        Err(errors)
    }
}

/// Reads a measures CSV: the header [`CSV_HEADER`], then one measure per line. Fields may be
/// double-quoted (`""` is a quote); `origin` is `erga_omnes` or a group code; `proof` lists
/// document type codes separated by `|`; an empty `valid_to` leaves the measure open-ended.
/// Blank lines are skipped. Every problem of every line is returned.
pub fn parse_csv(text: &str) -> Result<Vec<Measure>, Vec<ImportError>> {
    let mut lines = text.trim_start_matches('\u{feff}').lines().enumerate().map(|(i, l)| (i + 1, l));
    let header = lines.next().map(|(_, l)| l.trim()).unwrap_or("");
    if header != CSV_HEADER {
        return Err(vec![ImportError {
            line: 1,
            message: format!("header: expected {CSV_HEADER:?}, found {header:?}"),
        }]);
    }
    let mut measures = Vec::new();
    let mut errors = Vec::new();
    for (line, text) in lines.filter(|(_, l)| !l.trim().is_empty()) {
        match parse_line(text) {
            Ok(m) => measures.push(m),
            Err(problems) => errors.extend(problems.into_iter().map(|message| ImportError { line, message })),
        }
    }
    if errors.is_empty() {
        Ok(measures)
    } else {
        Err(errors)
    }
}

/// Parses one CSV line into a measure, listing every problem as `field: message`.
fn parse_line(text: &str) -> Result<Measure, Vec<String>> {
    let fields = crate::codes::split_csv_line(text).map_err(|e| vec![e])?;
    let [id, code, kind, origin, rate, proof, valid_from, valid_to, legal_base] =
        <[String; CSV_FIELDS]>::try_from(fields)
            .map_err(|f| vec![format!("expected {CSV_FIELDS} fields ({CSV_HEADER}), found {}", f.len())])?;
    let mut problems = Vec::new();
    let mut field = |name: &str, r: Result<(), String>| {
        if let Err(e) = r {
            problems.push(format!("{name}: {e}"));
        }
    };
    field("id", if id.trim().is_empty() { Err("empty".into()) } else { Ok(()) });
    field("code", check_code(code.trim()));
    let kind_parsed = MeasureKind::parse(kind.trim());
    field("kind", kind_parsed.map(|_| ()).ok_or_else(|| format!("{kind:?} is not import_duty, vat or excise")));
    let origin_parsed = Origin::parse(origin.trim());
    field("origin", origin_parsed.as_ref().map(|_| ()).map_err(String::clone));
    let rate_parsed = Rate::parse(&rate);
    field("rate", rate_parsed.as_ref().map(|_| ()).map_err(|e| e.to_string()));
    let from = date(&valid_from);
    field("valid_from", from.as_ref().map(|_| ()).map_err(String::clone));
    let to = if valid_to.trim().is_empty() { Ok(None) } else { date(&valid_to).map(Some) };
    field("valid_to", to.as_ref().map(|_| ()).map_err(String::clone));
    let (Some(kind), Ok(origin), Ok(rate), Ok(valid_from), Ok(valid_to)) =
        (kind_parsed, origin_parsed, rate_parsed, from, to)
    else {
        return Err(problems);
    };
    let proof = Some(proof.trim().to_string()).filter(|p| !p.is_empty());
    let measure = Measure {
        id: id.trim().to_string(),
        code: code.trim().to_string(),
        kind,
        origin,
        rate,
        proof,
        valid_from,
        valid_to,
        legal_base: legal_base.trim().to_string(),
    };
    // Field-level problems came first; the rest (proof, validity order) only the whole measure shows.
    problems
        .extend(measure.check().into_iter().filter(|p| !p.starts_with("the code")).map(|p| format!("measure: {p}")));
    if problems.is_empty() {
        Ok(measure)
    } else {
        Err(problems)
    }
}

fn date(text: &str) -> Result<NaiveDate, String> {
    NaiveDate::parse_from_str(text.trim(), "%Y-%m-%d").map_err(|_| format!("{text:?} is not a date YYYY-MM-DD"))
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    fn csv(rows: &[&str]) -> String {
        std::iter::once(CSV_HEADER).chain(rows.iter().copied()).collect::<Vec<_>>().join("\n")
    }

    #[test]
    fn a_measures_csv_is_read_with_quotes_proofs_and_open_validity() {
        let text = csv(&[
            "DUTY-6109,6109,import_duty,erga_omnes,12%,,2024-01-01,,\"Reg. (EU) 2023/2364, Annex I\"",
            "",
            "GSP-61,61,import_duty,GSP,9.6%,N865|N864,2024-01-01,2026-12-31,Reg. (EU) 978/2012",
        ]);
        let measures = parse_csv(&text).unwrap_or_default();
        assert_eq!(measures.len(), 2);
        assert_eq!(measures[0].legal_base, "Reg. (EU) 2023/2364, Annex I");
        assert_eq!(measures[0].valid_to, None);
        assert_eq!(measures[1].proof_codes().collect::<Vec<_>>(), ["N865", "N864"]);
        assert_eq!(measures[1].valid_to, NaiveDate::from_ymd_opt(2026, 12, 31));
    }

    #[test]
    fn every_problem_names_its_line_and_field() {
        let text = csv(&[
            "A,6109,import_duty,erga_omnes,12%,,2024-01-01,,ok",
            "B,6199,duty,erga_omnes,12 %%,,2024-13-01,,bad",
            "C,61,import_duty,GSP,5%,,2024-01-01,2023-01-01,no proof",
            "D,61,import_duty",
            "E,\"61,import_duty",
        ]);
        let errors = parse_csv(&text).err().unwrap_or_default();
        let shown: Vec<String> = errors.iter().map(ToString::to_string).collect();
        let expect = [
            "line 3: code: the code 6199 is not in HS 2022",
            "line 3: kind: \"duty\" is not import_duty, vat or excise",
            "line 3: rate: expected",
            "line 3: valid_from: \"2024-13-01\" is not a date YYYY-MM-DD",
            "line 4: measure: the preferential measure for group GSP names no proof of origin",
            "line 4: measure: valid_to 2023-01-01 is before valid_from 2024-01-01",
            "line 5: expected 9 fields",
            "line 6: a quoted field is not closed",
        ];
        for e in expect {
            assert!(shown.iter().any(|s| s.starts_with(e)), "{e} not in {shown:#?}");
        }
        assert_eq!(shown.len(), expect.len(), "{shown:#?}");
    }

    #[test]
    fn a_wrong_header_is_refused() {
        let errors = parse_csv("id,code,rate\nA,61,12%").err().unwrap_or_default();
        assert_eq!(errors.len(), 1);
        assert_eq!(errors[0].line, 1);
    }

    #[test]
    fn parse_file_picks_the_format_by_name_then_by_content() {
        let json = r#"{"measures": [{"id": "VAT", "code": "", "kind": "vat", "origin": "erga_omnes",
            "rate": "19%", "valid_from": "2024-01-01", "legal_base": "UStG"}]}"#;
        assert_eq!(parse_file(json, "tariff.json").map(|f| f.measures.len()), Ok(1));
        assert_eq!(parse_file(json, "upload").map(|f| f.measures.len()), Ok(1));
        let text = csv(&["VAT,,vat,erga_omnes,19%,,2024-01-01,,UStG"]);
        assert_eq!(parse_file(&text, "MEASURES.CSV").map(|f| f.measures.len()), Ok(1));
        assert_eq!(parse_file(&text, "upload").map(|f| f.measures.len()), Ok(1));
        let bad = parse_file("{\n\"measures\": [\n{\"id\": 1}]}", "t.json").err().unwrap_or_default();
        assert_eq!(bad.first().map(|e| e.line), Some(3), "{bad:?}");
    }

    #[test]
    fn a_json_measure_is_checked_and_named_by_position() {
        let json = r#"{"measures": [{"id": "X", "code": "7700", "kind": "import_duty", "origin": "GSP",
            "rate": "1%", "valid_from": "2024-01-01", "legal_base": "none"}]}"#;
        let messages: Vec<String> = parse_json(json).err().unwrap_or_default().into_iter().map(|e| e.message).collect();
        assert_eq!(
            messages,
            [
                "measures[0] (X): the code 7700: its HS part 77 is not in HS 2022",
                "measures[0] (X): the preferential measure for group GSP names no proof of origin",
            ]
        );
    }

    #[test]
    fn a_tariff_file_survives_a_json_round_trip() {
        let file = super::super::demo();
        let text = serde_json::to_string(&file).unwrap_or_default();
        assert_eq!(parse_json(&text), Ok(file));
    }

    proptest! {
        #[test]
        fn the_csv_parser_never_panics(body in "\\PC{0,200}") {
            let _ = parse_csv(&format!("{CSV_HEADER}\n{body}"));
            let _ = parse_csv(&body);
        }

        #[test]
        fn the_csv_parser_never_panics_on_lines_of_fields(fields in proptest::collection::vec("[0-9A-Za-z%|,.\" /+()-]{0,12}", 0..12)) {
            let _ = parse_csv(&format!("{CSV_HEADER}\n{}", fields.join(",")));
        }
    }
}
