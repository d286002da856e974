//! Maturity self-assessment of a customs administration against the catalogue.
//!
//! For each catalogue item the administration states how far it has adopted it, on the scale
//! of question 10 of the WCO survey plus "not considered". Each answer is worth a level from 0
//! (not considered) to 4 (adopted); an item not answered counts as not considered. A group's
//! score is the mean level of its items as a percentage of 4, and the overall score the same
//! over all 71 items, so every item weighs the same. Gaps are the items where a target (full
//! adoption, this platform's own profile, or another assessment) stands higher.

use std::collections::HashMap;

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::capability::{self, CapabilityUse};
use super::catalogue::{Catalogue, Group, Status};
use super::options::options;

options!(
    /// How far an item is adopted: the scale of question 10 of the WCO survey, lowest first.
    Adoption {
        NotConsidered => "not_considered", "not considered";
        /// No feasibility study yet.
        UnderConsideration => "under_consideration", "under consideration";
        /// A feasibility study is done.
        Planned => "planned", "planned";
        /// Proof of concept or pilot.
        UnderDevelopment => "under_development", "under development";
        /// Operational.
        Adopted => "adopted", "adopted";
    }
);

impl Adoption {
    /// The level, 0 to 4: the position on the scale, as the variants are declared.
    pub fn level(self) -> u8 {
        self as u8
    }
}

/// The answer for one catalogue item.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MaturityAnswer {
    /// Catalogue item, 1 to 71.
    pub number: u8,
    /// How far it is adopted.
    pub status: Adoption,
    /// What shows it (a law, a system, a figure); may be empty.
    #[serde(default)]
    pub evidence: String,
}

/// An assessment as sent.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AssessmentDraft {
    /// Who is assessed (an administration's name).
    pub administration: String,
    /// The answers; items left out count as not considered.
    pub answers: Vec<MaturityAnswer>,
}

/// An assessment that cannot be scored.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("the assessment is not valid: {}", .0.join("; "))]
pub struct MaturityError(pub Vec<String>);

/// What an assessment is compared with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    /// Every item adopted.
    Full,
    /// Another set of answers (a peer's assessment, this platform's profile).
    Profile(String, Vec<MaturityAnswer>),
}

/// A group's score.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct GroupScore {
    /// Group code.
    pub group: Group,
    /// Group name.
    pub label: &'static str,
    /// Items in the group.
    pub items: usize,
    /// Items answered.
    pub answered: usize,
    /// Mean level as a percentage of full adoption, one decimal.
    pub score: f64,
    /// The target's score for the group.
    pub target_score: f64,
}

/// An item where the target stands higher.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct Gap {
    /// Catalogue item.
    pub number: u8,
    /// Its name.
    pub name: String,
    /// Its group.
    pub group: Group,
    /// The assessed status.
    pub own: Adoption,
    /// The target's status.
    pub target: Adoption,
    /// Levels between them.
    pub levels: u8,
}

/// The scored assessment.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct MaturityReport {
    /// Who was assessed.
    pub administration: String,
    /// Overall score, percent.
    pub overall: f64,
    /// The target's overall score, percent.
    pub target_overall: f64,
    /// What the assessment was compared with.
    pub target: String,
    /// Per group, in catalogue order.
    pub groups: Vec<GroupScore>,
    /// Items below the target, largest gap first.
    pub gaps: Vec<Gap>,
    /// Items not answered (counted as not considered).
    pub unanswered: Vec<u8>,
    /// The answers, one per item, in catalogue order.
    pub answers: Vec<MaturityAnswer>,
}

/// Percentage of full adoption of a sum of levels over `items` items, one decimal.
fn percent(levels: u32, items: usize) -> f64 {
    if items == 0 {
        return 0.0;
    }
    (1000.0 * f64::from(levels) / (4.0 * items as f64)).round() / 10.0
}

impl AssessmentDraft {
    /// Checks the draft and scores it against `target`.
    pub fn score(&self, catalogue: &Catalogue, target: &Target) -> Result<MaturityReport, MaturityError> {
        let mut problems = Vec::new();
        if self.administration.contains('\0') {
            problems.push("administration: holds a NUL character, which cannot be stored".to_string());
        } else if self.administration.trim().is_empty() || self.administration.chars().count() > 200 {
            problems.push("administration: name the administration assessed (at most 200 characters)".to_string());
        }
        let own = answers_by_item(catalogue, &self.answers, "answers", &mut problems);
        let (target_name, target_levels) = match target {
            Target::Full => ("full adoption".to_string(), HashMap::new()),
            Target::Profile(name, answers) => {
                (name.clone(), answers_by_item(catalogue, answers, "target", &mut problems))
            }
        };
        if !problems.is_empty() {
            return Err(MaturityError(problems));
        }
        let status_of =
            |map: &HashMap<u8, &MaturityAnswer>, n: u8| map.get(&n).map_or(Adoption::NotConsidered, |a| a.status);
        let target_of = |n: u8| match target {
            Target::Full => Adoption::Adopted,
            Target::Profile(..) => status_of(&target_levels, n),
        };
        let mut groups = Vec::new();
        for &group in Group::ALL {
            let items: Vec<u8> = catalogue.in_group(group).map(|t| t.number).collect();
            let level = |f: &dyn Fn(u8) -> Adoption| items.iter().map(|n| u32::from(f(*n).level())).sum::<u32>();
            groups.push(GroupScore {
                group,
                label: group.label(),
                items: items.len(),
                answered: items.iter().filter(|n| own.contains_key(n)).count(),
                score: percent(level(&|n| status_of(&own, n)), items.len()),
                target_score: percent(level(&target_of), items.len()),
            });
        }
        let all = catalogue.technologies.len();
        let total =
            |f: &dyn Fn(u8) -> Adoption| catalogue.technologies.iter().map(|t| u32::from(f(t.number).level())).sum();
        let mut gaps: Vec<Gap> = catalogue
            .technologies
            .iter()
            .filter_map(|t| {
                let (o, g) = (status_of(&own, t.number), target_of(t.number));
                (g.level() > o.level()).then(|| Gap {
                    number: t.number,
                    name: t.name.clone(),
                    group: t.group,
                    own: o,
                    target: g,
                    levels: g.level() - o.level(),
                })
            })
            .collect();
        gaps.sort_by(|a, b| b.levels.cmp(&a.levels).then(a.number.cmp(&b.number)));
        Ok(MaturityReport {
            administration: self.administration.trim().to_string(),
            overall: percent(total(&|n| status_of(&own, n)), all),
            target_overall: percent(total(&target_of), all),
            target: target_name,
            groups,
            gaps,
            unanswered: catalogue.technologies.iter().map(|t| t.number).filter(|n| !own.contains_key(n)).collect(),
            answers: catalogue
                .technologies
                .iter()
                .map(|t| match own.get(&t.number) {
                    Some(a) => (*a).clone(),
                    None => {
                        MaturityAnswer { number: t.number, status: Adoption::NotConsidered, evidence: String::new() }
                    }
                })
                .collect(),
        })
    }
}

/// The answers by item, with a problem for each unknown item, repeated item or long evidence.
fn answers_by_item<'a>(
    catalogue: &Catalogue,
    answers: &'a [MaturityAnswer],
    what: &str,
    problems: &mut Vec<String>,
) -> HashMap<u8, &'a MaturityAnswer> {
    let mut map = HashMap::new();
    for (i, a) in answers.iter().enumerate() {
        if catalogue.technology(a.number).is_none() {
            problems.push(format!("{what}[{i}]: there is no catalogue item {}", a.number));
        } else if map.insert(a.number, a).is_some() {
            problems.push(format!("{what}[{i}]: item {} is answered twice", a.number));
        }
        if a.evidence.chars().count() > 2000 {
            problems.push(format!("{what}[{i}]: evidence takes at most 2000 characters"));
        } else if a.evidence.contains('\0') {
            problems.push(format!("{what}[{i}]: evidence holds a NUL character, which cannot be stored"));
        }
    }
    map
}

/// How the platform's own capabilities were used over the last 30 days, by capability id.
pub type PlatformUsage = HashMap<&'static str, CapabilityUse>;

/// Answers for this platform, filled from its own configuration and use: an item whose
/// capabilities are all implemented and were used over the period is adopted; implemented but
/// unused, or partly built, is under development; planned is planned; out of scope is not
/// considered. The evidence names the capabilities and what was counted.
pub fn platform_answers(catalogue: &Catalogue, usage: &PlatformUsage) -> Vec<MaturityAnswer> {
    catalogue
        .technologies
        .iter()
        .map(|t| {
            let caps: Vec<&capability::Capability> =
                t.capabilities.iter().filter_map(|id| capability::find(id)).collect();
            let used = |c: &capability::Capability| c.usage.is_empty() || usage.get(c.id).is_some_and(|u| u.count > 0);
            let evidence: Vec<String> = caps
                .iter()
                .map(|c| match (c.status, usage.get(c.id)) {
                    (Status::Planned | Status::OutOfScope, _) => format!("{} {}: {}", c.id, c.name, c.status.label()),
                    (_, _) if c.usage.is_empty() => {
                        format!("{} {}: {}, served by this platform", c.id, c.name, c.status.label())
                    }
                    (_, u) => format!(
                        "{} {}: {}, {} {} in the last 30 days",
                        c.id,
                        c.name,
                        c.status.label(),
                        u.map_or(0, |u| u.count),
                        c.usage.join(" + ")
                    ),
                })
                .collect();
            let status = match t.status {
                Status::Implemented if caps.iter().all(|c| used(c)) => Adoption::Adopted,
                Status::Implemented | Status::Partial => Adoption::UnderDevelopment,
                Status::Planned => Adoption::Planned,
                Status::OutOfScope => Adoption::NotConsidered,
            };
            MaturityAnswer { number: t.number, status, evidence: evidence.join("; ") }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn catalogue() -> Catalogue {
        match Catalogue::embedded() {
            Ok(c) => c,
            Err(e) => panic!("{e}"),
        }
    }

    fn answer(number: u8, status: Adoption) -> MaturityAnswer {
        MaturityAnswer { number, status, evidence: String::new() }
    }

    #[test]
    fn a_worked_example_scores_groups_and_the_whole() {
        let c = catalogue();
        let automation: Vec<u8> = c.in_group(Group::Automation).map(|t| t.number).collect();
        // Every automation item adopted but the first, which is planned; nothing else answered.
        let mut answers: Vec<MaturityAnswer> = automation.iter().map(|n| answer(*n, Adoption::Adopted)).collect();
        answers[0].status = Adoption::Planned;
        let draft = AssessmentDraft { administration: "Customs of Examplestan".into(), answers };
        let Ok(r) = draft.score(&c, &Target::Full) else { panic!("valid") };
        let n = automation.len();
        let levels = 4 * (n as u32 - 1) + 2;
        let g = &r.groups[0];
        assert_eq!((g.group, g.items, g.answered), (Group::Automation, n, n));
        assert_eq!(g.score, percent(levels, n));
        assert_eq!(r.overall, percent(levels, 71));
        assert_eq!(r.target_overall, 100.0);
        assert_eq!(r.unanswered.len(), 71 - n);
        // The largest gaps are the unanswered items (4 levels), then the planned one (2).
        assert_eq!(r.gaps.len(), 71 - n + 1);
        assert_eq!(r.gaps.last().map(|g| (g.number, g.levels)), Some((automation[0], 2)));
    }

    #[test]
    fn with_16_items_of_which_15_adopted_and_one_planned_the_group_scores_96_9() {
        // 15 × 4 + 2 = 62 of 64 levels.
        assert_eq!(percent(62, 16), 96.9);
        assert_eq!(percent(62, 71), 21.8);
    }

    #[test]
    fn text_that_cannot_be_stored_is_a_problem() {
        let c = catalogue();
        let mut with_evidence = answer(1, Adoption::Planned);
        with_evidence.evidence = "pilot\0".into();
        let draft = AssessmentDraft { administration: "Customs\0of A".into(), answers: vec![with_evidence] };
        let Err(MaturityError(problems)) = draft.score(&c, &Target::Full) else { panic!("refused") };
        assert!(problems[0].starts_with("administration: holds a NUL"), "{problems:?}");
        assert!(problems[1].contains("evidence holds a NUL"), "{problems:?}");
    }

    #[test]
    fn a_peer_profile_is_the_target() {
        let c = catalogue();
        let own = AssessmentDraft { administration: "A".into(), answers: vec![answer(1, Adoption::Planned)] };
        let peer = vec![answer(1, Adoption::Adopted), answer(2, Adoption::Planned)];
        let Ok(r) = own.score(&c, &Target::Profile("B".into(), peer)) else { panic!("valid") };
        assert_eq!(r.target, "B");
        let gaps: Vec<(u8, u8)> = r.gaps.iter().map(|g| (g.number, g.levels)).collect();
        assert_eq!(gaps, vec![(1, 2), (2, 2)]);
    }

    #[test]
    fn unknown_and_repeated_items_are_refused() {
        let c = catalogue();
        let d = AssessmentDraft {
            administration: " ".into(),
            answers: vec![answer(72, Adoption::Adopted), answer(3, Adoption::Adopted), answer(3, Adoption::Planned)],
        };
        let Err(MaturityError(p)) = d.score(&c, &Target::Full) else { panic!("invalid") };
        assert_eq!(p.len(), 3, "{p:?}");
    }

    #[test]
    fn the_platform_profile_follows_status_and_use() {
        let c = catalogue();
        let mut usage = PlatformUsage::new();
        for cap in super::capability::CAPABILITIES {
            usage.insert(cap.id, CapabilityUse { count: 5 });
        }
        let answers = platform_answers(&c, &usage);
        assert_eq!(answers.len(), 71);
        for (t, a) in c.technologies.iter().zip(&answers) {
            let expected = match t.status {
                Status::Implemented => Adoption::Adopted,
                Status::Partial => Adoption::UnderDevelopment,
                Status::Planned => Adoption::Planned,
                Status::OutOfScope => Adoption::NotConsidered,
            };
            assert_eq!(a.status, expected, "item {}", t.number);
        }
        // Nothing used: implemented items whose capabilities count activity fall back.
        let idle = platform_answers(&c, &PlatformUsage::new());
        let registration = c
            .technologies
            .iter()
            .position(|t| t.capabilities.iter().any(|c| c == "A4") && t.status == Status::Implemented);
        if let Some(i) = registration {
            assert_eq!(idle[i].status, Adoption::UnderDevelopment);
        }
    }
}
