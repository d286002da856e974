//! What FLC reports (`Finding`), what it needs to know (`Context`) and the collector that the
//! checks push findings into.

use std::collections::BTreeMap;
use std::fmt::Display;

use chrono::NaiveDate;
use serde::Serialize;
use utoipa::ToSchema;

use super::rules::Rule;

/// One violation of an FLC rule.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct Finding {
    /// Stable rule code, e.g. `FLC_017`. Codes are never reused.
    pub code: String,
    /// JSON path of the offending field, e.g. `$.items[0].net_mass`.
    pub path: String,
    /// Plain-language explanation for the declarant, in English.
    pub message: String,
    /// The values the message is made from, by name (`net`, `gross`, `value`, `what` …), so
    /// that the pages can say the same in another language. Empty for a finding made without
    /// them; left out of the JSON then.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub args: BTreeMap<String, String>,
}

/// What FLC needs to know besides the declaration itself.
#[derive(Debug, Clone)]
pub struct Context {
    /// Today's date at the office (dates in the future are refused).
    pub today: NaiveDate,
    /// The customs offices of this administration, shared by every check; empty means "any
    /// well-formed code".
    pub offices: std::sync::Arc<[crate::ids::OfficeCode]>,
}

/// Collects findings while the checks run, so that every violation is reported at once.
#[derive(Debug, Default)]
pub(crate) struct Findings(Vec<Finding>);

impl Findings {
    /// Records a violation of `rule` at `path`, with the values its message is made from.
    /// The path and the arguments are formatted here, so checks pass cheap `Field`/`Index`
    /// values and borrowed values, and a valid declaration is checked without building a
    /// single path string or argument.
    pub(crate) fn push(
        &mut self,
        rule: Rule,
        path: impl Display,
        message: impl Into<String>,
        args: &[(&'static str, &dyn Display)],
    ) {
        self.0.push(Finding {
            code: rule.code().to_string(),
            path: path.to_string(),
            message: message.into(),
            args: args.iter().map(|(name, value)| ((*name).to_string(), value.to_string())).collect(),
        });
    }

    /// True when nothing was found.
    pub(crate) fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The findings, in the order the checks ran (document order, header before items).
    pub(crate) fn into_vec(self) -> Vec<Finding> {
        self.0
    }
}

/// The JSON path of a named field of `parent`: `parent.name`.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Field<P>(pub(crate) P, pub(crate) &'static str);

impl<P: Display> Display for Field<P> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}.{}", self.0, self.1)
    }
}

/// The JSON path of an element of the list at `parent`: `parent[index]`.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Index<P>(pub(crate) P, pub(crate) usize);

impl<P: Display> Display for Index<P> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}[{}]", self.0, self.1)
    }
}

/// A JSON path that costs nothing until a finding formats it: a `&str`, a `Field` or an `Index`.
pub(crate) trait JsonPath: Display + Copy {}

impl<T: Display + Copy> JsonPath for T {}

/// Shows a value in a message: quoted, with control characters escaped, and cut to 40
/// characters so that a megabyte of junk does not end up in the response and the logs.
pub(crate) fn shown(value: &str) -> String {
    const LIMIT: usize = 40;
    if value.chars().count() <= LIMIT {
        format!("{value:?}")
    } else {
        let head: String = value.chars().take(LIMIT).collect();
        format!("{head:?}…")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_are_formatted_like_json_paths() {
        let path = Field(Index(Field(Index("$.items", 2), "documents"), 1), "type");
        assert_eq!(path.to_string(), "$.items[2].documents[1].type");
    }

    #[test]
    fn short_values_are_quoted_whole() {
        assert_eq!(shown("DE005000"), "\"DE005000\"");
    }

    #[test]
    fn long_values_are_cut_and_control_characters_escaped() {
        let long = format!("a\n{}", "b".repeat(100));
        let s = shown(&long);
        assert!(s.starts_with("\"a\\nbbb") && s.ends_with('…'));
        assert!(s.chars().count() < 50);
    }
}
