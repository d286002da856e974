//! Outcomes of controls: what an officer found in a document check or an inspection. They are
//! the labels the risk engine learns from and the measure of how well profiles work.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::ledger::Amount;

/// A kind of irregularity found by a control.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Irregularity {
    /// The declared value is too low.
    Undervaluation,
    /// The commodity code is wrong.
    Misclassification,
    /// The declared origin (or the proof of preferential origin) is wrong.
    Origin,
    /// Prohibited or restricted goods without the required permit.
    ProhibitedGoods,
    /// Quantity or mass differs from the declaration.
    Quantity,
    /// The goods are not those described.
    Description,
    /// Documents missing, invalid or not matching.
    Documents,
    /// Anything else (the officer's reasons say what).
    Other,
}

impl Irregularity {
    /// Every kind, in the order officers see them.
    pub const ALL: [Irregularity; 8] = [
        Irregularity::Undervaluation,
        Irregularity::Misclassification,
        Irregularity::Origin,
        Irregularity::ProhibitedGoods,
        Irregularity::Quantity,
        Irregularity::Description,
        Irregularity::Documents,
        Irregularity::Other,
    ];

    /// Stable name, as in JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            Irregularity::Undervaluation => "undervaluation",
            Irregularity::Misclassification => "misclassification",
            Irregularity::Origin => "origin",
            Irregularity::ProhibitedGoods => "prohibited_goods",
            Irregularity::Quantity => "quantity",
            Irregularity::Description => "description",
            Irregularity::Documents => "documents",
            Irregularity::Other => "other",
        }
    }

    /// The kind a stable name stands for.
    pub fn parse(name: &str) -> Option<Irregularity> {
        Irregularity::ALL.into_iter().find(|k| k.as_str() == name)
    }

    /// In plain words.
    pub fn label(self) -> &'static str {
        match self {
            Irregularity::Undervaluation => "Value declared too low",
            Irregularity::Misclassification => "Wrong commodity code",
            Irregularity::Origin => "Wrong origin or proof of origin",
            Irregularity::ProhibitedGoods => "Prohibited or restricted goods without permit",
            Irregularity::Quantity => "Quantity or mass differs",
            Irregularity::Description => "Goods not as described",
            Irregularity::Documents => "Documents missing, invalid or not matching",
            Irregularity::Other => "Other (see the reasons)",
        }
    }
}

/// What a control found.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct InspectionOutcome {
    /// The irregularities found; empty when the control found nothing.
    pub irregularities: Vec<Irregularity>,
    /// Additional duties and taxes assessed because of the findings.
    #[serde(default)]
    pub additional_duty: Amount,
}

impl InspectionOutcome {
    /// True when the control found something.
    pub fn is_irregular(&self) -> bool {
        !self.irregularities.is_empty()
    }

    /// Checks that the outcome makes sense with the decision taken on the goods: no duplicate
    /// kinds, no additional duty without an irregularity, and no refusal of release without one.
    pub fn check(&self, release: bool) -> Result<(), String> {
        let mut kinds = self.irregularities.clone();
        kinds.sort_unstable();
        kinds.dedup();
        if kinds.len() != self.irregularities.len() {
            return Err("each kind of irregularity is listed once".into());
        }
        if self.additional_duty.cents() < 0 {
            return Err("the additional duty cannot be negative".into());
        }
        if !self.is_irregular() && self.additional_duty.cents() > 0 {
            return Err("an additional duty needs the irregularity that justifies it".into());
        }
        if !self.is_irregular() && !release {
            return Err("refusing release needs the irregularity found".into());
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn outcome(irregularities: Vec<Irregularity>, cents: i64) -> InspectionOutcome {
        InspectionOutcome { irregularities, additional_duty: Amount::from_cents(cents) }
    }

    #[test]
    fn outcomes_must_agree_with_the_decision() {
        assert_eq!(outcome(vec![], 0).check(true), Ok(()));
        assert!(outcome(vec![], 0).check(false).is_err());
        assert!(outcome(vec![], 100).check(true).is_err());
        assert_eq!(outcome(vec![Irregularity::Undervaluation], 12_345).check(true), Ok(()));
        assert_eq!(outcome(vec![Irregularity::ProhibitedGoods], 0).check(false), Ok(()));
        assert!(outcome(vec![Irregularity::Origin, Irregularity::Origin], 0).check(true).is_err());
        assert!(outcome(vec![Irregularity::Origin], -1).check(true).is_err());
    }

    #[test]
    fn the_wire_form_is_plain() {
        let o: InspectionOutcome =
            serde_json::from_str(r#"{"irregularities":["misclassification"],"additional_duty":"310.50"}"#)
                .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(o, outcome(vec![Irregularity::Misclassification], 31_050));
        let none: InspectionOutcome =
            serde_json::from_str(r#"{"irregularities":[]}"#).unwrap_or_else(|e| panic!("{e}"));
        assert!(!none.is_irregular());
    }

    #[test]
    fn each_kind_of_irregularity_keeps_its_json_name() {
        for kind in Irregularity::ALL {
            let json = serde_json::to_value(kind).unwrap_or_else(|e| panic!("{e}"));
            assert_eq!(json, kind.as_str());
            assert_eq!(Irregularity::parse(kind.as_str()), Some(kind));
        }
    }
}
