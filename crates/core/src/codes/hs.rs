use std::collections::HashMap;
use std::sync::OnceLock;

use serde::{Deserialize, Serialize};

/// The HS 2022 nomenclature as shipped in `data/hs/harmonized-system.csv` (public domain).
const HS_CSV: &str = include_str!("../../../../data/hs/harmonized-system.csv");

/// One line of the nomenclature: a chapter (2 digits), heading (4) or subheading (6).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct HsEntry {
    /// Section in Roman numerals.
    pub section: String,
    /// The code: 2, 4 or 6 digits.
    pub code: String,
    /// Official description.
    pub description: String,
    /// Code of the parent line (`TOTAL` for chapters).
    pub parent: String,
}

/// The HS 2022 nomenclature, indexed by code.
#[derive(Debug)]
pub struct Nomenclature {
    entries: HashMap<String, HsEntry>,
    /// Each subheading's code with the lower-cased words of its description and of its
    /// heading's and chapter's, made on the first word search.
    words: OnceLock<Vec<Searchable>>,
}

/// A subheading's code with the lower-cased words of its own description and of those above it.
type Searchable = (String, Vec<String>, Vec<String>);

impl Nomenclature {
    /// The compiled-in HS 2022 nomenclature, parsed once.
    pub fn hs2022() -> &'static Nomenclature {
        static NOMENCLATURE: OnceLock<Nomenclature> = OnceLock::new();
        NOMENCLATURE.get_or_init(|| Nomenclature::parse(HS_CSV))
    }

    fn parse(csv: &str) -> Nomenclature {
        let mut entries = HashMap::new();
        for line in csv.lines().skip(1) {
            let Ok(fields) = super::split_csv_line(line) else { continue };
            // Chapter 99 ("commodities not specified according to kind", section TOTAL) is a
            // trade-statistics line of the source data, not part of the HS: it cannot be declared.
            if fields.len() < 5 || fields[0] == "TOTAL" {
                continue;
            }
            let entry = HsEntry {
                section: fields[0].clone(),
                code: fields[1].clone(),
                description: fields[2].clone(),
                parent: fields[3].clone(),
            };
            entries.insert(entry.code.clone(), entry);
        }
        Nomenclature { entries, words: OnceLock::new() }
    }

    /// Looks up a chapter, heading or subheading.
    pub fn get(&self, code: &str) -> Option<&HsEntry> {
        self.entries.get(code)
    }

    /// True when the six-digit subheading exists.
    pub fn has_subheading(&self, hs6: &str) -> bool {
        hs6.len() == 6 && self.entries.contains_key(hs6)
    }

    /// All six-digit subheadings, unordered.
    pub fn subheadings(&self) -> impl Iterator<Item = &HsEntry> {
        self.entries.values().filter(|e| e.code.len() == 6)
    }

    /// Subheadings that match `text`, best first: by code when `text` is digits (those starting
    /// with them), otherwise those whose description, or that of their heading or chapter, has
    /// every word of `text` as the start of a word (own description weighs double).
    pub fn search(&self, text: &str, limit: usize) -> Vec<&HsEntry> {
        let text = text.trim();
        let mut found: Vec<(usize, &HsEntry)> = if !text.is_empty() && text.bytes().all(|b| b.is_ascii_digit()) {
            self.subheadings().filter(|e| e.code.starts_with(&text[..text.len().min(6)])).map(|e| (0, e)).collect()
        } else {
            let wanted: Vec<String> = words(text).filter(|w| w.chars().count() >= 2).collect();
            if wanted.is_empty() {
                return Vec::new();
            }
            let index = self.words.get_or_init(|| {
                self.subheadings()
                    .map(|e| {
                        let above = |n: usize| self.get(&e.code[..n]).map(|h| h.description.as_str()).unwrap_or("");
                        let own = words(&e.description).collect();
                        (e.code.clone(), own, words(above(4)).chain(words(above(2))).collect())
                    })
                    .collect()
            });
            index
                .iter()
                .filter_map(|(code, own, above)| {
                    let mut score = 0;
                    for w in &wanted {
                        if own.iter().any(|o| o.starts_with(w.as_str())) {
                            score += 2;
                        } else if above.iter().any(|o| o.starts_with(w.as_str())) {
                            score += 1;
                        } else {
                            return None;
                        }
                    }
                    Some((score, self.get(code)?))
                })
                .collect()
        };
        found.sort_by(|(sa, a), (sb, b)| sb.cmp(sa).then_with(|| a.code.cmp(&b.code)));
        found.into_iter().take(limit).map(|(_, e)| e).collect()
    }

    /// Number of lines of every level.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// True when nothing was loaded.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }
}

/// The lower-cased words of a text.
fn words(text: &str) -> impl Iterator<Item = String> + '_ {
    text.split(|c: char| !c.is_alphanumeric()).filter(|w| !w.is_empty()).map(str::to_lowercase)
}

/// A commodity code of 6 to 10 digits whose first six digits are an HS 2022 subheading.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct HsCode(String);

impl HsCode {
    /// Parses a commodity code; `None` unless it has 6 to 10 digits and a known HS6 part.
    pub fn parse(code: &str) -> Option<Self> {
        let digits_ok = (6..=10).contains(&code.len()) && code.bytes().all(|b| b.is_ascii_digit());
        if digits_ok && Nomenclature::hs2022().has_subheading(&code[..6]) {
            Some(HsCode(code.to_string()))
        } else {
            None
        }
    }

    /// The full code.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The six-digit HS subheading.
    pub fn hs6(&self) -> &str {
        &self.0[..6]
    }

    /// The two-digit chapter.
    pub fn chapter(&self) -> &str {
        &self.0[..2]
    }
}

impl std::fmt::Display for HsCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl TryFrom<String> for HsCode {
    type Error = String;
    fn try_from(s: String) -> Result<Self, String> {
        HsCode::parse(&s).ok_or_else(|| format!("unknown commodity code {s:?}"))
    }
}

impl From<HsCode> for String {
    fn from(c: HsCode) -> String {
        c.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn search_finds_subheadings_by_words_and_by_code() {
        let n = Nomenclature::hs2022();
        let radios: Vec<&str> = n.search("radio receivers", 50).iter().map(|e| e.code.as_str()).collect();
        assert!(radios.iter().all(|c| c.len() == 6), "{radios:?}");
        assert!(radios.iter().any(|c| c.starts_with("8527")), "{radios:?}");
        let onions: Vec<&str> = n.search("Onions", 10).iter().map(|e| e.code.as_str()).collect();
        assert!(onions.contains(&"070310"), "{onions:?}");
        let by_code: Vec<&str> = n.search("8527", 100).iter().map(|e| e.code.as_str()).collect();
        assert!(!by_code.is_empty() && by_code.iter().all(|c| c.starts_with("8527")), "{by_code:?}");
        assert!(n.search("", 10).is_empty());
        assert!(n.search("zzzzqqq", 10).is_empty());
        assert_eq!(n.search("onions", 1).len(), 1);
    }

    #[test]
    fn the_nomenclature_has_all_levels() {
        let n = Nomenclature::hs2022();
        assert_eq!(n.get("01").map(|e| e.parent.as_str()), Some("TOTAL"));
        assert_eq!(n.get("0101").map(|e| e.parent.as_str()), Some("01"));
        assert!(n.subheadings().count() > 5600);
    }

    #[test]
    fn quoted_descriptions_keep_their_commas() {
        let e = Nomenclature::hs2022().get("0101").map(|e| e.description.clone());
        assert_eq!(e.as_deref(), Some("Horses, asses, mules and hinnies; live"));
    }

    #[test]
    fn commodity_codes_need_a_known_subheading_and_6_to_10_digits() {
        assert!(HsCode::parse("010121").is_some());
        assert!(HsCode::parse("0101210000").is_some());
        assert!(HsCode::parse("01012100001").is_none());
        assert!(HsCode::parse("123456").is_none());
        assert!(HsCode::parse("000000").is_none());
        assert!(HsCode::parse("999999").is_none(), "chapter 99 is statistics, not HS");
        assert!(HsCode::parse("0101").is_none());
        assert!(HsCode::parse("01012a").is_none());
    }
}
