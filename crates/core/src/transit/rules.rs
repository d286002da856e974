//! The catalogue of transit checks (`TRN_…` codes) and the collector the checks push their
//! findings into. One table generates both the `Rule` enum and the list [`rules`] returns, as
//! FLC's catalogue does; codes are never reused. The same catalogue serves the transit
//! declaration and the pre-arrival information, which share parties, items and transport.

use std::fmt::Display;

use crate::flc::{Finding, RuleInfo};

/// Generates `Rule`, `Rule::code` and the `RULES` table from one list of rules.
macro_rules! catalogue {
    ($($rule:ident = $code:literal, $name:literal, $description:literal;)+) => {
        /// A transit rule. Every finding names exactly one.
        #[derive(Debug, Clone, Copy, PartialEq, Eq)]
        pub(crate) enum Rule {
            $(
                #[doc = $name]
                $rule,
            )+
        }

        impl Rule {
            /// The stable code of the rule.
            pub(crate) fn code(self) -> &'static str {
                match self {
                    $(Rule::$rule => $code,)+
                }
            }
        }

        /// Every rule, in code order.
        static RULES: &[RuleInfo] = &[
            $(RuleInfo { code: $code, name: $name, description: $description },)+
        ];
    };
}

catalogue! {
    FieldMissing = "TRN_001", "Mandatory field missing",
        "A mandatory field or group is absent: on a transit declaration local_reference, declarant, office_of_departure, office_of_destination, route (waypoints, corridor_m), time_limit_at_us, carrier, transport (mode, means_id), seals, guarantee or items; on pre-arrival information reference, office_of_entry, expected_arrival_at_us, transport_document, consignor, consignee, carrier, transport or items.";
    PartyFieldMissing = "TRN_002", "Party field missing",
        "A party (declarant, carrier, consignor, consignee) lacks its id, name or country.";
    ItemFieldMissing = "TRN_003", "Item field missing",
        "A goods item lacks one of sequence, commodity_code, description, gross_mass, value or currency.";
    LocalReferenceFormat = "TRN_004", "Local reference malformed",
        "The filer's local reference (or the pre-arrival reference) is not 1 to 22 letters, digits, '-', '_', '/' or '.'.";
    OfficeCodeFormat = "TRN_005", "Office code malformed",
        "An office code is not eight upper-case letters or digits.";
    OfficeUnknown = "TRN_006", "Office not of this administration",
        "An office is not one of the administration's customs offices (checked only when the administration lists them).";
    OfficeCountryMissing = "TRN_007", "Office code without a country",
        "The office of departure's code does not start with an ISO 3166 country code, which the movement reference number carries.";
    SameOffices = "TRN_008", "Departure and destination are the same office",
        "The office of destination is the office of departure; a transit moves goods between two offices.";
    TooFewWaypoints = "TRN_009", "Route too short",
        "The route has fewer than 2 waypoints (at least the place of departure and the place of destination).";
    WaypointOutOfRange = "TRN_010", "Waypoint out of range",
        "A waypoint's latitude is outside -90 to 90 degrees or its longitude outside -180 to 180 degrees, or a coordinate is not a number.";
    CorridorOutOfRange = "TRN_011", "Corridor width out of range",
        "The corridor width around the route is outside 100 to 50,000 metres.";
    TimeLimitPast = "TRN_012", "Time limit not in the future",
        "The time limit of the transit (or the expected arrival of pre-arrival information) is not after the time of filing.";
    TimeLimitTooFar = "TRN_013", "Time limit too far ahead",
        "The time limit of the transit is more than 30 days after filing (the expected arrival more than 90 days).";
    NoSeals = "TRN_014", "No seals",
        "The list of seals is empty; a transit under customs seal names at least one seal.";
    SealIdFormat = "TRN_015", "Seal id malformed",
        "A seal id is not 1 to 35 upper-case letters, digits, '-' or '/'.";
    SealRepeated = "TRN_016", "Seal listed twice",
        "The same seal id is listed more than once.";
    TooManySeals = "TRN_017", "Too many seals",
        "More than 99 seals are listed.";
    NoItems = "TRN_018", "No goods items",
        "The list of goods items is empty.";
    TooManyItems = "TRN_019", "Too many goods items",
        "More than 999 goods items are listed.";
    ItemSequence = "TRN_020", "Item numbers out of sequence",
        "Goods items are numbered 1, 2, 3 … in the order they are listed.";
    CommodityCodeFormat = "TRN_021", "Commodity code malformed",
        "A commodity code is not 6 to 10 digits.";
    SubheadingUnknown = "TRN_022", "HS subheading unknown",
        "The first six digits of a commodity code are not a subheading of HS 2022.";
    TextInvalid = "TRN_023", "Text blank, too long or with control characters",
        "A free-text field is blank, holds control characters, or is longer than its limit (names 70 characters, descriptions 512, references 35).";
    DescriptionVague = "TRN_024", "Description too vague",
        "A goods description has fewer than 3 characters or is only a generic word such as \"goods\" or \"parts\".";
    CountryUnknown = "TRN_025", "Country code unknown",
        "A party's country or the nationality of the means of transport is not an ISO 3166-1 alpha-2 code.";
    CurrencyUnknown = "TRN_026", "Currency unknown",
        "An item's currency is not an active ISO 4217 code.";
    MassImplausible = "TRN_027", "Gross mass implausible",
        "A gross mass is zero or negative, above 500,000,000 kg, or has more than 3 decimals.";
    ValueImplausible = "TRN_028", "Value implausible",
        "An item's value is zero or negative, reaches 10^14, or has more decimals than its currency allows (2, or 3 for BHD, IQD, JOD, KWD, LYD, OMR, TND).";
    PartyIdFormat = "TRN_029", "Party id malformed",
        "A party id is not two upper-case letters (an ISO 3166 country code or XI) followed by 1 to 15 upper-case letters or digits.";
    TransportModeUnsuitable = "TRN_030", "Transport mode unknown or unsuitable",
        "The transport mode is not a UN/ECE Rec. 19 code, or is post (5) or fixed installation (7), which do not carry goods under transit.";
    GuaranteeInvalid = "TRN_031", "Guarantee malformed",
        "The guarantee's kind is neither account nor certificate, a certificate lacks its reference (1 to 24 upper-case letters or digits) or its access code (4 to 16 characters), or an account guarantee names a certificate.";
}

/// The catalogue of every transit rule, in code order.
pub fn rules() -> &'static [RuleInfo] {
    RULES
}

/// Collects findings while the checks run, so that every violation is reported at once.
#[derive(Debug, Default)]
pub(crate) struct Findings(Vec<Finding>);

impl Findings {
    /// Records a violation of `rule` at `path`, with the values its message is made from.
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

    /// Records a missing mandatory field and returns `None`, or returns the value.
    pub(crate) fn required<'a, T: ?Sized>(
        &mut self,
        rule: Rule,
        path: impl Display,
        value: Option<&'a T>,
        what: &str,
    ) -> Option<&'a T> {
        if value.is_none() {
            let path = path.to_string();
            self.push(rule, &path, format!("{what} is missing ({path})."), &[("what", &what), ("path", &path)]);
        }
        value
    }

    /// True when nothing was found.
    pub(crate) fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The findings, in the order the checks ran.
    pub(crate) fn into_vec(self) -> Vec<Finding> {
        self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_numbered_without_gaps_in_catalogue_order() {
        for (i, rule) in rules().iter().enumerate() {
            assert_eq!(rule.code, format!("TRN_{:03}", i + 1));
        }
        assert_eq!(Rule::GuaranteeInvalid.code(), rules()[rules().len() - 1].code);
    }

    #[test]
    fn every_rule_has_a_name_and_a_sentence() {
        for rule in rules() {
            assert!(!rule.name.is_empty() && rule.description.ends_with('.'), "{}", rule.code);
        }
    }

    #[test]
    fn the_transit_document_lists_every_rule_and_no_other() -> Result<(), std::io::Error> {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/transit.md");
        let doc = std::fs::read_to_string(path)?;
        let listed: std::collections::BTreeSet<&str> =
            doc.lines().filter_map(|l| l.strip_prefix("| TRN_")).filter_map(|rest| rest.get(..3)).collect();
        let known: std::collections::BTreeSet<&str> =
            rules().iter().filter_map(|r| r.code.strip_prefix("TRN_")).collect();
        assert_eq!(listed, known);
        Ok(())
    }

    #[test]
    fn a_missing_field_names_its_path() {
        let mut f = Findings::default();
        assert_eq!(f.required::<str>(Rule::FieldMissing, "$.seals", None, "The list of seals"), None);
        let found = f.into_vec();
        assert_eq!(found[0].code, "TRN_001");
        assert_eq!(found[0].message, "The list of seals is missing ($.seals).");
    }
}
