//! The machine-learned side of risk assessment, as the core sees it: a [`Scorer`] gives each
//! declaration a score with the contributions of its features, capacity thresholds turn the
//! score into a lane, and operator [`Category`]s summarise each trader's record. The model
//! itself lives in the `smartcustoms-model` crate; the core only decides with it.

use std::collections::HashMap;

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::{Facts, Lane};
use crate::declaration::Declaration;

/// Risk category of an operator (declarant or importer), from its record.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Category {
    /// A long, clean record or an authorised economic operator.
    Low,
    /// Neither low nor high: newcomers and ordinary records.
    Medium,
    /// Irregularities found repeatedly.
    High,
}

impl Category {
    /// Every category, lowest risk first.
    pub const ALL: [Category; 3] = [Category::Low, Category::Medium, Category::High];

    /// The code written in profiles and answers: `low`, `medium`, `high`.
    pub fn as_str(self) -> &'static str {
        match self {
            Category::Low => "low",
            Category::Medium => "medium",
            Category::High => "high",
        }
    }

    /// Reads a code.
    pub fn parse(text: &str) -> Option<Category> {
        Category::ALL.into_iter().find(|c| c.as_str() == text)
    }

    /// 0, 1, 2: the category as a model feature.
    pub fn level(self) -> f64 {
        match self {
            Category::Low => 0.0,
            Category::Medium => 1.0,
            Category::High => 2.0,
        }
    }
}

/// The categories of operators in force, by identification number. Operators not listed are
/// unknown (no record yet).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Categories(pub HashMap<String, Category>);

impl Categories {
    /// The category of an operator, if it has one.
    pub fn get(&self, id: &str) -> Option<Category> {
        self.0.get(id).copied()
    }
}

/// Score thresholds set from inspection capacity: the riskiest `red_share` of declarations go
/// to the red lane, the next ones up to `yellow_share` to the yellow lane.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Thresholds {
    /// Share of declarations sent to inspection by the model, e.g. 0.05.
    pub red_share: f64,
    /// Share of declarations sent to a document check or inspection by the model, e.g. 0.10.
    pub yellow_share: f64,
    /// Lowest score that goes to the red lane.
    pub red: f64,
    /// Lowest score that goes to the yellow lane.
    pub yellow: f64,
}

impl Thresholds {
    /// The lane for a score.
    pub fn lane(&self, score: f64) -> Lane {
        if score >= self.red {
            Lane::Red
        } else if score >= self.yellow {
            Lane::Yellow
        } else {
            Lane::Green
        }
    }

    /// Thresholds that put the given shares of `scores` (one per declaration) in each lane.
    pub fn from_scores(scores: &[f64], red_share: f64, yellow_share: f64) -> Thresholds {
        let mut sorted: Vec<f64> = scores.iter().copied().filter(|s| s.is_finite()).collect();
        sorted.sort_by(|a, b| b.total_cmp(a));
        let at = |share: f64| {
            if sorted.is_empty() || share <= 0.0 {
                return f64::INFINITY;
            }
            let n = ((sorted.len() as f64 * share).ceil() as usize).clamp(1, sorted.len());
            sorted[n - 1]
        };
        let red = at(red_share);
        Thresholds { red_share, yellow_share, red, yellow: at(yellow_share.max(red_share)).min(red) }
    }
}

/// What a feature did to a score.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Contribution {
    /// Feature name, e.g. `importer_irregular_rate`.
    pub feature: String,
    /// The feature's value on the item; `null` when missing.
    pub value: Option<f64>,
    /// Its contribution to the score, in log-odds (positive raises the risk).
    pub contribution: f64,
}

/// The model's view of a declaration.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct ModelScore {
    /// Version of the model that scored.
    pub model_version: crate::ids::ModelVersion,
    /// Probability of an irregularity on the riskiest item, 0 to 1.
    pub score: f64,
    /// The riskiest goods item.
    pub item: u32,
    /// The lane the capacity thresholds give this score.
    pub lane: Lane,
    /// The thresholds applied.
    pub thresholds: Thresholds,
    /// The largest contributions on the riskiest item, largest first (by absolute value).
    pub contributions: Vec<Contribution>,
    /// True when the contributions are exact Shapley values (every declaration the model sends
    /// to an officer); false for the approximate path attribution used for the others.
    #[serde(default)]
    pub exact: bool,
}

impl ModelScore {
    /// The features that raised the score (positive contributions), at most three, in the order
    /// of [`ModelScore::contributions`].
    pub fn raised_by(&self) -> impl Iterator<Item = &Contribution> {
        self.contributions.iter().filter(|c| c.contribution > 0.0).take(3)
    }

    /// The explanation in plain terms: the features that raised the score most.
    pub fn explanation(&self) -> String {
        let raised: Vec<String> = self
            .raised_by()
            .map(|c| match c.value {
                Some(v) => format!("{} = {}", c.feature, round(v)),
                None => format!("{} unknown", c.feature),
            })
            .collect();
        let percent = round(self.score * 100.0);
        if raised.is_empty() {
            format!("model score {percent} % on item {}", self.item)
        } else {
            format!("model score {percent} % on item {}, raised by {}", self.item, raised.join(", "))
        }
    }
}

fn round(x: f64) -> f64 {
    (x * 100.0).round() / 100.0
}

/// A model that scores declarations. Implementations must be cheap to call concurrently.
pub trait Scorer: Send + Sync {
    /// Scores a declaration with the facts computed about it and the categories of its
    /// operators; `None` when the model cannot score it.
    fn score(&self, declaration: &Declaration, facts: &Facts) -> Option<ModelScore>;

    /// Scores like [`Scorer::score`], explaining with the approximate contributions only
    /// (`exact` false) and only the scores that send to an officer: for mass streams such as
    /// parcels, where explaining every released one would cost more than scoring it.
    fn score_approximately(&self, declaration: &Declaration, facts: &Facts) -> Option<ModelScore> {
        self.score(declaration, facts)
    }
}

/// Everything beyond the profiles that decides the lane.
#[derive(Clone, Copy, Default)]
pub struct RiskContext<'a> {
    /// The active model, when there is one.
    pub scorer: Option<&'a dyn Scorer>,
    /// Operator categories in force.
    pub categories: Option<&'a Categories>,
    /// Share of declarations that would go green sent to a random inspection, 0 to 1.
    pub random_share: f64,
    /// A number in [0, 1) drawn for this declaration; it is selected for a random control when
    /// below `random_share`. Derived from the declaration's id, so a replay draws the same.
    pub draw: f64,
    /// Explain the model's scores approximately only (see [`Scorer::score_approximately`]).
    pub approximate: bool,
}

impl std::fmt::Debug for RiskContext<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RiskContext")
            .field("scorer", &self.scorer.is_some())
            .field("random_share", &self.random_share)
            .field("draw", &self.draw)
            .finish()
    }
}

/// The draw of a declaration for random controls: a number in [0, 1) from its id (or any
/// stable text), the same every time.
pub fn draw(key: &str) -> f64 {
    use sha2::Digest as _;
    let digest = sha2::Sha256::digest(key.as_bytes());
    let mut first = [0u8; 8];
    first.copy_from_slice(&digest[..8]);
    (u64::from_be_bytes(first) >> 11) as f64 / (1u64 << 53) as f64
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn thresholds_put_the_riskiest_shares_in_red_and_yellow() {
        let scores: Vec<f64> = (0..100).map(|i| f64::from(i) / 100.0).collect();
        let t = Thresholds::from_scores(&scores, 0.05, 0.10);
        let lanes: Vec<Lane> = scores.iter().map(|&s| t.lane(s)).collect();
        assert_eq!(lanes.iter().filter(|l| **l == Lane::Red).count(), 5);
        assert_eq!(lanes.iter().filter(|l| **l == Lane::Yellow).count(), 5);
        assert_eq!(Thresholds::from_scores(&[], 0.05, 0.1).lane(1.0), Lane::Green);
        assert_eq!(Thresholds::from_scores(&scores, 0.0, 0.0).lane(1.0), Lane::Green);
    }

    #[test]
    fn draws_are_stable_and_spread() {
        assert_eq!(draw("a"), draw("a"));
        let below = (0..10_000).filter(|i| draw(&i.to_string()) < 0.01).count();
        assert!((50..=150).contains(&below), "{below}");
    }

    #[test]
    fn the_explanation_names_what_raised_the_score() {
        let score = ModelScore {
            model_version: crate::ids::ModelVersion::FIRST,
            score: 0.8312,
            item: 2,
            lane: Lane::Red,
            thresholds: Thresholds { red_share: 0.05, yellow_share: 0.1, red: 0.5, yellow: 0.2 },
            contributions: vec![
                Contribution { feature: "importer_irregular_rate".into(), value: Some(0.4), contribution: 1.2 },
                Contribution { feature: "value_per_kg_eur".into(), value: None, contribution: 0.3 },
                Contribution { feature: "hs6".into(), value: Some(851713.0), contribution: -0.2 },
            ],
            exact: true,
        };
        assert_eq!(
            score.explanation(),
            "model score 83.12 % on item 2, raised by importer_irregular_rate = 0.4, value_per_kg_eur unknown"
        );
        assert_eq!(Category::parse("high"), Some(Category::High));
    }
}
