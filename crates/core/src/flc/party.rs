//! Checks of the parties named on a declaration: declarant, importer, exporter and
//! representative.

use crate::codes::{CountryCode, EXTRA_PARTY_ID_PREFIXES};
use crate::declaration::{Party, PartyDoc};

use super::finding::{shown, Field, Findings, JsonPath};
use super::rules::Rule;
use super::text::{self, limit, required, required_text};

/// A party as far as it could be parsed.
#[derive(Debug, Default)]
pub(crate) struct PartyParts {
    pub(crate) id: Option<String>,
    pub(crate) name: Option<String>,
    pub(crate) country: Option<CountryCode>,
}

impl PartyParts {
    /// The checked party, when every field passed.
    pub(crate) fn finish(&self) -> Option<Party> {
        Some(Party { id: self.id.clone()?, name: self.name.clone()?, country: self.country? })
    }
}

/// Checks one party. `role` is used in messages ("declarant"); a missing mandatory party is
/// one finding, not one per field.
pub(crate) fn party(
    f: &mut Findings,
    path: impl JsonPath,
    role: &str,
    doc: Option<&PartyDoc>,
    mandatory: bool,
) -> Option<PartyParts> {
    let Some(p) = doc else {
        if mandatory {
            f.push(
                Rule::PartyMissing,
                path,
                format!("The {role} is missing ({path})."),
                &[("what", &format_args!("The {role}")), ("path", &path)],
            );
        }
        return None;
    };
    let mut parts = PartyParts::default();

    let id_path = Field(path, "id");
    if let Some(id) = required(f, id_path, p.id.as_deref(), Rule::PartyFieldMissing, format_args!("The {role}'s id")) {
        if !text::is_party_id(id) {
            f.push(
                Rule::PartyIdFormat,
                id_path,
                format!(
                    "The {role}'s id {} is not two upper-case letters followed by 1 to 15 upper-case letters or digits (e.g. DE123456789012345).",
                    shown(id)
                ),
                &[("what", &format_args!("The {role}'s id")), ("value", &shown(id))],
            );
        } else if CountryCode::parse(&id[..2]).is_none() && !EXTRA_PARTY_ID_PREFIXES.contains(&&id[..2]) {
            // `is_party_id` guarantees two ASCII letters in front, so the slice is safe.
            f.push(
                Rule::PartyIdPrefixUnknown,
                id_path,
                format!("The {role}'s id {} does not start with an ISO 3166 country code.", shown(id)),
                &[("what", &format_args!("The {role}'s id")), ("value", &shown(id))],
            );
        } else {
            parts.id = Some(id.to_string());
        }
    }

    parts.name = required_text(
        f,
        Field(path, "name"),
        format_args!("The {role}'s name"),
        p.name.as_ref(),
        limit::NAME,
        Rule::PartyFieldMissing,
    );
    text::optional_text(
        f,
        Field(path, "street"),
        format_args!("The {role}'s street"),
        p.street.as_ref(),
        limit::STREET,
    );
    text::optional_text(f, Field(path, "city"), format_args!("The {role}'s city"), p.city.as_ref(), limit::CITY);
    text::optional_text(
        f,
        Field(path, "postcode"),
        format_args!("The {role}'s postcode"),
        p.postcode.as_ref(),
        limit::POSTCODE,
    );

    let country_path = Field(path, "country");
    if let Some(c) =
        required(f, country_path, p.country.as_deref(), Rule::PartyFieldMissing, format_args!("The {role}'s country"))
    {
        parts.country = country(f, country_path, format_args!("The {role}'s country"), c, Rule::CountryUnknown);
    }
    Some(parts)
}

/// Parses an ISO 3166 code, recording `rule` when it is unknown.
pub(crate) fn country(
    f: &mut Findings,
    path: impl JsonPath,
    what: impl JsonPath,
    code: &str,
    rule: Rule,
) -> Option<CountryCode> {
    let parsed = CountryCode::parse(code);
    if parsed.is_none() {
        let hint = if code == "UK" { " (the United Kingdom is GB)" } else { "" };
        f.push(
            rule,
            path,
            format!("{what} {} is not an ISO 3166-1 alpha-2 country code{hint}.", shown(code)),
            &[("what", &what), ("value", &shown(code)), ("suggested", &if code == "UK" { "GB" } else { "" })],
        );
    }
    parsed
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_missing_optional_representative_is_not_a_finding() {
        let mut f = Findings::default();
        assert!(party(&mut f, "$.representative", "representative", None, false).is_none());
        assert!(f.is_empty());
    }

    #[test]
    fn a_northern_irish_trader_id_is_accepted() {
        let p = PartyDoc {
            id: Some("XI123456789000".into()),
            name: Some("Belfast Traders Ltd".into()),
            country: Some("GB".into()),
            ..Default::default()
        };
        let mut f = Findings::default();
        let parts = party(&mut f, "$.importer", "importer", Some(&p), true);
        assert!(f.is_empty());
        assert!(parts.and_then(|p| p.finish()).is_some());
    }
}
