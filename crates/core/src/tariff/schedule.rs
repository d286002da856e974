//! The tariff as a whole: validated on construction, then asked for the measure that applies
//! to a commodity code on a date (the longest matching code wins) and for exchange rates.

use std::collections::{BTreeMap, HashMap};

use chrono::NaiveDate;

use crate::codes::{CountryCode, CurrencyCode};

use super::import::TariffFile;
use super::measure::{check_group_code, CountryGroup, ExchangeRate, Measure, MeasureKind, Origin, NATIONAL_CURRENCY};

/// Code lengths a measure may have, longest first: the order of the lookup.
const CODE_LENGTHS: [usize; 6] = [10, 8, 6, 4, 2, 0];

/// A validated tariff: measures (every version), country groups and exchange rates.
///
/// `Tariff::default()` is the empty tariff: no measure, so every assessment fails with TAR_001
/// and TAR_004 (and TAR_002 for a foreign currency).
#[derive(Debug, Clone, Default)]
pub struct Tariff {
    measures: Vec<Measure>,
    groups: BTreeMap<String, CountryGroup>,
    rates: Vec<ExchangeRate>,
    /// Indices into `measures` by code, so a lookup tries at most six keys.
    index: HashMap<String, Vec<usize>>,
}

impl Tariff {
    /// Builds a tariff, or lists every problem: unknown HS codes, preferential measures without
    /// proof or naming an unknown group, validity ending before it starts, negative or absurd
    /// rates, versions of the same code, kind and origin whose validities overlap, versions that
    /// share an id but not the line, duplicate groups, exchange rates for EUR or not above zero,
    /// and overlapping exchange rates for one currency.
    pub fn new(
        measures: Vec<Measure>,
        groups: Vec<CountryGroup>,
        rates: Vec<ExchangeRate>,
    ) -> Result<Tariff, Vec<String>> {
        let mut problems = Vec::new();
        let groups = check_groups(groups, &mut problems);
        check_measures(&measures, &groups, &mut problems);
        check_rates(&rates, &mut problems);
        if !problems.is_empty() {
            return Err(problems);
        }
        let mut index: HashMap<String, Vec<usize>> = HashMap::new();
        for (i, m) in measures.iter().enumerate() {
            index.entry(m.code.clone()).or_default().push(i);
        }
        Ok(Tariff { measures, groups, rates, index })
    }

    /// Builds a tariff from a tariff file.
    pub fn from_file(file: TariffFile) -> Result<Tariff, Vec<String>> {
        Tariff::new(file.measures, file.groups, file.rates)
    }

    /// The tariff as a file (measures in their original order, groups by code).
    pub fn to_file(&self) -> TariffFile {
        TariffFile {
            measures: self.measures.clone(),
            groups: self.groups().cloned().collect(),
            rates: self.rates.clone(),
        }
    }

    /// Every measure, every version.
    pub fn measures(&self) -> &[Measure] {
        &self.measures
    }

    /// The country groups, by code.
    pub fn groups(&self) -> impl Iterator<Item = &CountryGroup> {
        self.groups.values()
    }

    /// A country group by code.
    pub fn group(&self, code: &str) -> Option<&CountryGroup> {
        self.groups.get(code)
    }

    /// Every exchange rate, every period.
    pub fn exchange_rates(&self) -> &[ExchangeRate] {
        &self.rates
    }

    /// The rate for `currency` on `date`; `None` for EUR (which needs none) and when no rate is
    /// in force.
    pub fn exchange_rate(&self, currency: CurrencyCode, date: NaiveDate) -> Option<&ExchangeRate> {
        self.rates.iter().find(|r| r.currency == currency && r.is_valid_on(date))
    }

    /// The erga omnes measure of `kind` for `code` on `date`: the one whose code is the longest
    /// prefix of `code`.
    pub fn erga_omnes(&self, kind: MeasureKind, code: &str, date: NaiveDate) -> Option<&Measure> {
        self.longest_match(kind, code, date, |m| m.origin == Origin::ErgaOmnes).into_iter().next()
    }

    /// The preferential import-duty measures for `code` from `origin` on `date` with the longest
    /// matching code, one per group containing `origin`, ordered by group code.
    pub fn preferential(&self, code: &str, origin: CountryCode, date: NaiveDate) -> Vec<&Measure> {
        self.longest_match(MeasureKind::ImportDuty, code, date, |m| {
            m.origin.group().and_then(|g| self.groups.get(g)).is_some_and(|g| g.contains(origin))
        })
    }

    /// The measures of `kind` valid on `date` that `accept` takes, with the longest code that is a
    /// prefix of `code` and has any, sorted by origin.
    fn longest_match(
        &self,
        kind: MeasureKind,
        code: &str,
        date: NaiveDate,
        accept: impl Fn(&Measure) -> bool,
    ) -> Vec<&Measure> {
        for len in CODE_LENGTHS {
            let Some(prefix) = code.get(..len) else { continue };
            let Some(candidates) = self.index.get(prefix) else { continue };
            let mut found: Vec<&Measure> = candidates
                .iter()
                .filter_map(|&i| self.measures.get(i))
                .filter(|m| m.kind == kind && m.is_valid_on(date) && accept(m))
                .collect();
            if !found.is_empty() {
                found.sort_by(|a, b| a.origin.cmp(&b.origin));
                return found;
            }
        }
        Vec::new()
    }
}

fn check_groups(groups: Vec<CountryGroup>, problems: &mut Vec<String>) -> BTreeMap<String, CountryGroup> {
    let mut by_code = BTreeMap::new();
    for g in groups {
        if let Err(e) = check_group_code(&g.code) {
            problems.push(format!("country group: {e}"));
        }
        if g.countries.is_empty() {
            problems.push(format!("country group {}: it lists no country", g.code));
        }
        if by_code.contains_key(&g.code) {
            problems.push(format!("country group {}: the code is used twice", g.code));
        }
        by_code.insert(g.code.clone(), g);
    }
    by_code
}

/// How a measure is named in problems: its id and the start of its validity.
fn label(m: &Measure) -> String {
    format!("measure {} (from {})", m.id, m.valid_from)
}

fn check_measures(measures: &[Measure], groups: &BTreeMap<String, CountryGroup>, problems: &mut Vec<String>) {
    for m in measures {
        problems.extend(m.check().into_iter().map(|p| format!("{}: {p}", label(m))));
        if let Some(g) = m.origin.group().filter(|g| !groups.contains_key(*g)) {
            problems.push(format!("{}: country group {g} does not exist", label(m)));
        }
    }
    let mut lines: BTreeMap<(&str, MeasureKind, &Origin), Vec<&Measure>> = BTreeMap::new();
    let mut ids: HashMap<&str, &Measure> = HashMap::new();
    for m in measures {
        lines.entry((m.code.as_str(), m.kind, &m.origin)).or_default().push(m);
        let first = ids.entry(m.id.as_str()).or_insert(m);
        if (first.code.as_str(), first.kind, &first.origin) != (m.code.as_str(), m.kind, &m.origin) {
            problems.push(format!(
                "{}: the id is also used for {} {} {}; versions of one id must share code, kind and origin",
                label(m),
                first.kind,
                first.code,
                first.origin
            ));
        }
    }
    for versions in lines.values_mut() {
        versions.sort_by_key(|m| m.valid_from);
        for pair in versions.windows(2) {
            if let [a, b] = pair {
                if a.valid_to.is_none_or(|to| to >= b.valid_from) {
                    problems.push(format!(
                        "{} and {}: both apply {} {} to {:?} on {}",
                        label(a),
                        label(b),
                        a.kind,
                        a.origin,
                        a.code,
                        b.valid_from
                    ));
                }
            }
        }
    }
}

fn check_rates(rates: &[ExchangeRate], problems: &mut Vec<String>) {
    let mut by_currency: BTreeMap<CurrencyCode, Vec<&ExchangeRate>> = BTreeMap::new();
    for r in rates {
        let label = format!("exchange rate {} (from {})", r.currency, r.valid_from);
        if r.currency.as_str() == NATIONAL_CURRENCY {
            problems.push(format!("{label}: {NATIONAL_CURRENCY} is the national currency and needs no rate"));
        }
        if r.per_eur <= rust_decimal::Decimal::ZERO {
            problems.push(format!("{label}: the rate {} must be above zero", r.per_eur));
        }
        if r.valid_to.is_some_and(|to| to < r.valid_from) {
            problems.push(format!("{label}: valid_to is before valid_from"));
        }
        by_currency.entry(r.currency).or_default().push(r);
    }
    for (currency, periods) in &mut by_currency {
        periods.sort_by_key(|r| r.valid_from);
        for pair in periods.windows(2) {
            if let [a, b] = pair {
                if a.valid_to.is_none_or(|to| to >= b.valid_from) {
                    problems.push(format!(
                        "exchange rates {currency} from {} and from {} overlap on {}",
                        a.valid_from, b.valid_from, b.valid_from
                    ));
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use rust_decimal_macros::dec;

    use super::*;
    use crate::tariff::rate::Rate;

    fn date(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap_or_default()
    }

    fn measure(id: &str, code: &str, origin: Origin, percent: i64, from: NaiveDate, to: Option<NaiveDate>) -> Measure {
        let proof = (origin != Origin::ErgaOmnes).then(|| "N865|N864".to_string());
        Measure {
            id: id.into(),
            code: code.into(),
            kind: MeasureKind::ImportDuty,
            origin,
            rate: Rate::ad_valorem(percent.into()),
            proof,
            valid_from: from,
            valid_to: to,
            legal_base: "Test regulation".into(),
        }
    }

    fn country(code: &str) -> CountryCode {
        CountryCode::parse(code).unwrap_or_else(|| panic!("test country {code}"))
    }

    fn gsp() -> CountryGroup {
        CountryGroup { code: "GSP".into(), name: "GSP beneficiaries".into(), countries: vec![country("VN")] }
    }

    fn ids(found: Vec<&Measure>) -> Vec<&str> {
        found.into_iter().map(|m| m.id.as_str()).collect()
    }

    #[test]
    fn the_longest_matching_code_valid_on_the_date_wins() {
        let start = date(2024, 1, 1);
        let tariff = Tariff::new(
            vec![
                measure("ALL", "", Origin::ErgaOmnes, 5, start, None),
                measure("CH85", "85", Origin::ErgaOmnes, 3, start, None),
                measure("H8517-OLD", "8517", Origin::ErgaOmnes, 2, start, Some(date(2025, 12, 31))),
                measure("H8517", "8517", Origin::ErgaOmnes, 0, date(2026, 1, 1), None),
                measure("GSP85", "85", Origin::Group("GSP".into()), 1, start, None),
            ],
            vec![gsp()],
            vec![],
        );
        let Ok(tariff) = tariff else { panic!("{tariff:?}") };
        let eo = |code: &str, d| tariff.erga_omnes(MeasureKind::ImportDuty, code, d).map(|m| m.id.as_str());
        assert_eq!(eo("8517620000", date(2025, 6, 1)), Some("H8517-OLD"));
        assert_eq!(eo("8517620000", date(2026, 1, 1)), Some("H8517"));
        assert_eq!(eo("8504400000", date(2026, 1, 1)), Some("CH85"));
        assert_eq!(eo("0101210000", date(2026, 1, 1)), Some("ALL"));
        assert_eq!(eo("0101210000", date(2023, 12, 31)), None);
        assert_eq!(ids(tariff.preferential("8517620000", country("VN"), start)), ["GSP85"]);
        assert!(tariff.preferential("8517620000", country("CN"), start).is_empty());
    }

    #[test]
    fn every_problem_of_a_tariff_is_listed() {
        let start = date(2024, 1, 1);
        let mut no_proof = measure("P1", "61", Origin::Group("GSP".into()), 9, start, None);
        no_proof.proof = None;
        let problems = Tariff::new(
            vec![
                measure("A", "6109", Origin::ErgaOmnes, 12, start, None),
                measure("A", "6109", Origin::ErgaOmnes, 10, date(2025, 1, 1), None),
                measure("B", "7700", Origin::ErgaOmnes, 1, start, None),
                measure("C", "62", Origin::Group("FTA".into()), 0, start, None),
                measure("D", "63", Origin::ErgaOmnes, 1, start, Some(date(2023, 1, 1))),
                no_proof,
            ],
            vec![gsp(), gsp()],
            vec![ExchangeRate {
                currency: CurrencyCode::parse("EUR").unwrap_or_else(|| panic!()),
                per_eur: dec!(0),
                valid_from: start,
                valid_to: None,
            }],
        )
        .err()
        .unwrap_or_default();
        let expect = [
            "both apply import_duty erga_omnes to \"6109\"",
            "77 is not in HS 2022",
            "country group FTA does not exist",
            "valid_to 2023-01-01 is before valid_from",
            "names no proof of origin",
            "the code is used twice",
            "EUR is the national currency",
            "must be above zero",
        ];
        for e in expect {
            assert!(problems.iter().any(|p| p.contains(e)), "{e} not in {problems:#?}");
        }
        assert_eq!(problems.len(), expect.len(), "{problems:#?}");
    }
}
