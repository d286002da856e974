//! Risk profiles written by analysts in a small readable language, and the lane decision.
//!
//! A profile is a versioned rule: a condition over declaration and item fields, an effective
//! period and a measure (the lane and an instruction for the officer). `assess` runs every
//! profile in force on the declaration date and picks the most severe lane among those that fired.
//!
//! The language is described in `docs/risk-language.md`. [`parse_profile`] compiles a text once
//! (field names resolved, values type-checked); evaluation then reads the declaration directly,
//! and the [`Facts`] computed about it (customs value, valuation check) for the fact fields.

mod ast;
mod domain;
mod error;
mod eval;
mod facts;
mod lane;
mod lexer;
mod operators;
mod parser;
mod profiles;
mod score;

pub use ast::{Condition, Field, FieldType};
pub use error::ParseError;
pub use facts::{is_finding, Facts, ItemFacts, PreArrivalFacts, FINDINGS};
pub use lane::Lane;
pub use operators::{categorise, Categorised, OperatorRecord};
pub use parser::{check_profile_text, parse_profile};
pub use profiles::demo_profiles;
pub use score::{draw, Categories, Category, Contribution, ModelScore, RiskContext, Scorer, Thresholds};

use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::declaration::Declaration;

/// A compiled risk profile, ready to evaluate. Only [`parse_profile`] builds one, so the
/// condition always agrees with [`Profile::source`].
#[derive(Debug, Clone, PartialEq)]
pub struct Profile {
    /// Stable code chosen by the analyst, e.g. `RP-ELEC-001`.
    pub code: String,
    /// Version, from 1; a change makes a new version.
    pub version: u32,
    /// Short human title.
    pub title: String,
    /// First day the profile applies.
    pub valid_from: NaiveDate,
    /// Last day the profile applies (inclusive); `None` means open-ended.
    pub valid_to: Option<NaiveDate>,
    /// The lane this profile sends a declaration to when it fires.
    pub lane: Lane,
    /// What the officer is to do.
    pub instruction: String,
    /// The profile's text as written by the analyst.
    pub source: String,
    /// The compiled `when` condition. Private so that it cannot drift from `source`.
    condition: Condition,
}

impl Profile {
    /// The compiled `when` condition; its `Display` is the canonical text of the condition.
    pub fn condition(&self) -> &Condition {
        &self.condition
    }

    /// True when `date` lies within the validity period, both ends included.
    pub fn is_in_force(&self, date: NaiveDate) -> bool {
        self.valid_from <= date && self.valid_to.is_none_or(|to| date <= to)
    }

    /// Evaluates the condition, whatever the validity period: the hit when it fires. Useful to
    /// try a draft profile against past declarations. Fact fields read as for items without
    /// facts; see [`Profile::evaluate_with`].
    pub fn evaluate(&self, declaration: &Declaration) -> Option<Hit> {
        self.evaluate_with(declaration, &Facts::default())
    }

    /// Evaluates the condition on a declaration and the facts computed about it (indexed like
    /// `declaration.items`), whatever the validity period: the hit when it fires.
    pub fn evaluate_with(&self, declaration: &Declaration, facts: &Facts) -> Option<Hit> {
        let indices = self.condition.matches(declaration, facts)?;
        let values = indices.iter().flat_map(|&i| self.condition.fact_values(declaration, facts, i)).collect();
        let items = indices.iter().filter_map(|&i| declaration.items.get(i)).map(|item| item.sequence).collect();
        Some(Hit {
            profile: self.code.clone(),
            version: self.version,
            lane: self.lane,
            instruction: self.instruction.clone(),
            items,
            values,
        })
    }
}

/// One profile that fired on a declaration.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Hit {
    /// Profile code.
    pub profile: String,
    /// Profile version.
    pub version: u32,
    /// Lane the profile asks for.
    pub lane: Lane,
    /// Instruction for the officer.
    pub instruction: String,
    /// Goods item numbers that matched (empty when the condition used header fields only).
    pub items: Vec<u32>,
    /// The values of the fact fields (`item.customs_value`, `item.undervaluation`) the
    /// condition read on each matching item. They are not on the declaration, so the hit keeps
    /// them to explain itself. Empty, and left out of the JSON, for other conditions.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub values: Vec<HitValue>,
}

/// The value a fact field had on a matching item when a profile fired.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct HitValue {
    /// Goods item number.
    pub item: u32,
    /// Field name, e.g. `item.undervaluation`.
    pub field: String,
    /// The value read.
    #[schema(value_type = String, example = "74.4")]
    pub value: Decimal,
}

/// The result of risk assessment.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Assessment {
    /// The most severe lane among the hits, the model's lane and a random control; green when
    /// nothing asks for more.
    pub lane: Lane,
    /// Profiles that fired, most severe first.
    pub hits: Vec<Hit>,
    /// The model's score, lane and explanation, when a model is active.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub model: Option<ModelScore>,
    /// Sent to inspection by the random share of controls, not by risk.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub random_control: bool,
    /// The declarant's risk category when assessed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub declarant_category: Option<Category>,
    /// The importer's risk category when assessed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub importer_category: Option<Category>,
    /// What other checks found about the declaration when assessed (see
    /// [`FINDINGS`](facts::FINDINGS)), kept so that the model learns from them later.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub findings: Vec<String>,
}

impl Assessment {
    /// The reasons for the lane in plain terms, one line per cause.
    pub fn reasons(&self) -> Vec<String> {
        let mut reasons: Vec<String> = self
            .hits
            .iter()
            .map(|h| format!("profile {} v{} asks for {}", h.profile, h.version, h.lane.as_str()))
            .collect();
        if let Some(m) = &self.model {
            reasons.push(format!("{} → {}", m.explanation(), m.lane.as_str()));
        }
        if self.random_control {
            reasons.push("random control".into());
        }
        reasons
    }
}

/// Assesses a declaration against the profiles in force on `date`, without facts: the fact
/// fields read as for items without facts (see [`assess_with`]).
pub fn assess(declaration: &Declaration, profiles: &[Profile], date: NaiveDate) -> Assessment {
    assess_with(declaration, &Facts::default(), profiles, date)
}

/// Assesses a declaration and the facts computed about it (indexed like `declaration.items`)
/// against the profiles in force on `date`.
///
/// The lane is the most severe lane among the hits, green when none fired. Hits are sorted most
/// severe first, then by profile code and version, so that the result (and its audit entry)
/// does not depend on the order the profiles were loaded in.
pub fn assess_with(declaration: &Declaration, facts: &Facts, profiles: &[Profile], date: NaiveDate) -> Assessment {
    let mut hits: Vec<Hit> =
        profiles.iter().filter(|p| p.is_in_force(date)).filter_map(|p| p.evaluate_with(declaration, facts)).collect();
    hits.sort_by(|a, b| b.lane.cmp(&a.lane).then_with(|| a.profile.cmp(&b.profile)).then(a.version.cmp(&b.version)));
    let lane = hits.first().map_or(Lane::Green, |h| h.lane);
    Assessment {
        lane,
        hits,
        model: None,
        random_control: false,
        declarant_category: facts.declarant_category,
        importer_category: facts.importer_category,
        findings: facts.findings.clone(),
    }
}

/// Assesses a declaration with everything that decides the lane: the profiles in force, the
/// model's score against the capacity thresholds, and the random share of controls for
/// declarations that would otherwise be released without an officer.
pub fn assess_in(
    declaration: &Declaration,
    facts: &Facts,
    profiles: &[Profile],
    date: NaiveDate,
    context: RiskContext<'_>,
) -> Assessment {
    let mut assessment = assess_with(declaration, facts, profiles, date);
    assessment.model = context.scorer.and_then(|s| match context.approximate {
        true => s.score_approximately(declaration, facts),
        false => s.score(declaration, facts),
    });
    if let Some(m) = &assessment.model {
        assessment.lane = assessment.lane.max(m.lane);
    }
    if let Some(hit) = facts.pre_arrival.as_ref().and_then(pre_arrival_hit) {
        assessment.lane = add_hit(&mut assessment.hits, assessment.lane, hit);
    }
    if assessment.lane.releases_automatically() && context.draw < context.random_share {
        assessment.lane = Lane::Red;
        assessment.random_control = true;
    }
    assessment
}

/// Adds a hit found outside the profiles before the first less severe one (hits stay most
/// severe first); returns the lane raised to the hit's.
pub fn add_hit(hits: &mut Vec<Hit>, lane: Lane, hit: Hit) -> Lane {
    let raised = lane.max(hit.lane);
    let at = hits.iter().position(|h| h.lane < hit.lane).unwrap_or(hits.len());
    hits.insert(at, hit);
    raised
}

/// The profile code of the hit a declaration gets when it differs from the pre-arrival
/// information that announced its consignment.
pub const PRE_ARRIVAL_PROFILE: &str = "PRE_ARRIVAL";

/// A declaration that differs from its pre-arrival information goes to a documents check at
/// least: the officer compares the two with the differences in hand.
fn pre_arrival_hit(pre: &facts::PreArrivalFacts) -> Option<Hit> {
    if pre.differences.is_empty() {
        return None;
    }
    let kinds: std::collections::BTreeSet<&str> = pre.differences.iter().map(|d| d.kind()).collect();
    let kinds = kinds.into_iter().collect::<Vec<_>>().join(", ");
    Some(Hit {
        profile: PRE_ARRIVAL_PROFILE.to_string(),
        version: 1,
        lane: Lane::Yellow,
        instruction: format!(
            "The declaration differs from pre-arrival information {} ({}): compare the two ({kinds}).",
            pre.reference, pre.id
        ),
        items: Vec::new(),
        values: Vec::new(),
    })
}

#[cfg(test)]
mod tests;
