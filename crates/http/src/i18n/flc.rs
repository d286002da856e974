//! The details of format-logical control's findings in the visitor's language: each rule's
//! template (`flc-FLC_038-detail`) filled with the values the finding carries (`args`).
//!
//! The field or party a finding names (`what`, e.g. "The declarant's id") is given by its
//! English words; the catalogues translate it as `flc-what-the-declarant-s-id`, the words
//! lowered with every run of other characters made a hyphen. The English templates give
//! exactly the core's messages, which the tests below hold for a finding of every rule.

use std::collections::BTreeMap;

use fluent_bundle::concurrent::FluentBundle;
use fluent_bundle::{FluentArgs, FluentResource};

use super::{bundles, Lang};

/// The detail of a finding of rule `code` in `lang`, or why there is none: no template, an
/// argument the template needs is missing, or the field named by `what` has no text.
pub(super) fn detail(lang: Lang, code: &str, args: &BTreeMap<String, String>) -> Result<String, String> {
    let bundle = &bundles()[lang.index()];
    let mut fluent = FluentArgs::new();
    for (name, value) in args {
        let value = match name.as_str() {
            "what" => render(bundle, &format!("flc-what-{}", words_id(value)), None)?,
            _ => value.clone(),
        };
        fluent.set(name.as_str(), value);
    }
    render(bundle, &format!("flc-{code}-detail"), Some(&fluent))
}

/// The message `id` filled with `args`; an error when it is missing or any reference in it
/// does not resolve (Fluent would otherwise write the reference's name into the text).
fn render(bundle: &FluentBundle<FluentResource>, id: &str, args: Option<&FluentArgs>) -> Result<String, String> {
    let pattern = bundle.get_message(id).and_then(|m| m.value()).ok_or_else(|| format!("no message {id}"))?;
    let mut errors = Vec::new();
    let text = bundle.format_pattern(pattern, args, &mut errors).into_owned();
    match errors.is_empty() {
        true => Ok(text),
        false => Err(format!("{id}: {errors:?}")),
    }
}

/// The id part of a field's English words: `The declarant's id` → `the-declarant-s-id`.
fn words_id(words: &str) -> String {
    let mut id = String::with_capacity(words.len());
    for c in words.chars() {
        if c.is_ascii_alphanumeric() {
            id.push(c.to_ascii_lowercase());
        } else if !id.is_empty() && !id.ends_with('-') {
            id.push('-');
        }
    }
    id.trim_end_matches('-').to_string()
}

#[cfg(test)]
mod tests {
    use super::super::CATALOGUES;
    use super::*;
    use serde_json::Value;

    /// The findings of core's FLC fixtures, one or more for every rule, with their messages and
    /// arguments, as core's `tests/flc.rs` keeps them (and checks them) in its snapshot.
    fn fixture_findings() -> Vec<(String, BTreeMap<String, String>, String)> {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../core/tests/flc_fixtures/snapshots/flc_findings.snap");
        let text = std::fs::read_to_string(path).unwrap_or_default();
        let json = text.splitn(3, "---").nth(2).unwrap_or_default();
        let snapshot: BTreeMap<String, (String, Vec<Value>)> = serde_json::from_str(json).unwrap_or_default();
        let mut found = Vec::new();
        for (_, (_, findings)) in snapshot {
            for f in findings {
                let code = f["code"].as_str().unwrap_or_default().to_string();
                let args = serde_json::from_value(f["args"].clone()).unwrap_or_default();
                found.push((code, args, f["message"].as_str().unwrap_or_default().to_string()));
            }
        }
        found
    }

    /// The source of a message in the Russian catalogue, its variants included.
    fn russian_source(id: &str) -> String {
        let text = CATALOGUES[1].1;
        let start = format!("{id} =");
        let mut lines = text.lines().skip_while(|l| !l.starts_with(&start));
        let first = lines.next().unwrap_or_default();
        let rest: Vec<&str> = lines.take_while(|l| l.starts_with(' ')).collect();
        format!("{first}\n{}", rest.join("\n"))
    }

    #[test]
    fn every_rule_has_its_detail_in_both_languages() {
        for rule in smartcustoms_core::flc::rules() {
            let id = format!("flc-{}-detail", rule.code);
            for lang in Lang::ALL {
                assert!(bundles()[lang.index()].get_message(&id).is_some(), "{id} in {}", lang.code());
            }
        }
    }

    /// Filled with a finding's arguments, the English template gives the core's message, which
    /// proves the arguments complete; the Russian one resolves every reference, is Russian, and
    /// shows every value (the field named by `what` in its Russian words; an argument that only
    /// chooses a variant, such as `part = previous`, need not appear).
    #[test]
    fn every_finding_of_the_fixtures_reads_the_same_in_english_and_fully_in_russian() {
        let findings = fixture_findings();
        let codes: std::collections::BTreeSet<&str> = findings.iter().map(|(c, _, _)| c.as_str()).collect();
        assert_eq!(codes.len(), smartcustoms_core::flc::rules().len(), "the fixtures cover every rule: {codes:?}");
        for (code, args, message) in &findings {
            assert_eq!(detail(Lang::En, code, args).as_deref(), Ok(message.as_str()), "{code} {args:?}");
            let ru = detail(Lang::Ru, code, args).unwrap_or_else(|e| panic!("{code} {args:?}: {e}"));
            assert!(ru.chars().any(|c| ('а'..='я').contains(&c.to_lowercase().next().unwrap_or(c))), "{ru}");
            let source = russian_source(&format!("flc-{code}-detail"));
            for (name, value) in args {
                if name == "what" {
                    let words = render(&bundles()[Lang::Ru.index()], &format!("flc-what-{}", words_id(value)), None);
                    assert!(words.is_ok_and(|w| ru.contains(&w)), "{code}: {value} in {ru}");
                } else if !source.contains(&format!("[{value}]")) {
                    assert!(ru.contains(value.as_str()), "{code}: {name} = {value:?} not in {ru}");
                }
            }
        }
    }

    #[test]
    fn the_english_words_of_every_field_are_its_id() {
        let ids: Vec<&str> = CATALOGUES[0].1.lines().filter(|l| l.starts_with("flc-what-")).collect();
        assert!(ids.len() > 50, "{ids:?}");
        for line in ids {
            let (id, words) = line.split_once(" = ").unwrap_or_default();
            assert_eq!(format!("flc-what-{}", words_id(words)), id);
        }
    }

    #[test]
    fn a_missing_argument_or_field_is_an_error_not_a_text() {
        let args: BTreeMap<String, String> = [("net".to_string(), "12".to_string())].into();
        assert!(detail(Lang::Ru, "FLC_038", &args).is_err());
        let args: BTreeMap<String, String> =
            [("what", "The moon"), ("path", "$.moon")].map(|(k, v)| (k.into(), v.into())).into();
        assert!(detail(Lang::Ru, "FLC_001", &args).is_err());
        let args: BTreeMap<String, String> =
            [("what", "The declarant's id"), ("path", "$.declarant.id")].map(|(k, v)| (k.into(), v.into())).into();
        assert_eq!(
            detail(Lang::Ru, "FLC_003", &args).as_deref(),
            Ok("Не указано обязательное значение «Идентификатор декларанта» ($.declarant.id).")
        );
    }
}
