//! Electronic declaration centres and the dispatching of cases to inspectors.
//!
//! A case that needs an officer goes first to a centre, by the first dispatch rule whose
//! conditions it meets (commodity codes, transport mode, office, the declarant's country as its
//! region), else to the default centre; then to an inspector of that centre who is not on leave
//! and holds the competences the rule requires, the least loaded one, ties broken by a random
//! draw so that a trader cannot predict who will examine the goods. The rules are data, kept
//! in versions; every dispatch keeps its reasons (the rule and version, the loads seen, the
//! candidates and the draw), so that a supervisor can explain and replay it.

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::timestamp::Timestamp;

/// The name a dispatch gives when no rule accepted the case and it went to the default centre;
/// no rule may take it.
pub const DEFAULT_RULE: &str = "default";

/// An electronic declaration centre.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Centre {
    /// Code, e.g. `EDC-EXCISE`.
    pub code: String,
    /// Name.
    pub name: String,
    /// The customs office holding the goods it releases remotely when they are at a border
    /// warehouse (informational).
    #[serde(default)]
    pub office: Option<String>,
}

/// An inspector: an officer's user name, the centre the officer works in, the competences the
/// officer holds and any leave.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Inspector {
    /// The officer's user name.
    pub user: String,
    /// The centre's code.
    pub centre: String,
    /// Competence tags, e.g. `excise`, `sea`, `valuation`.
    #[serde(default)]
    pub competences: BTreeSet<String>,
    /// On leave from this time (microseconds since the epoch) …
    #[serde(default)]
    pub leave_from_us: Option<Timestamp>,
    /// … until this time; open-ended when absent.
    #[serde(default)]
    pub leave_until_us: Option<Timestamp>,
}

impl Inspector {
    /// On leave at `now`.
    pub fn on_leave(&self, now: Timestamp) -> bool {
        self.leave_from_us.is_some_and(|from| from <= now && self.leave_until_us.is_none_or(|until| now < until))
    }
}

/// When a rule applies: every list given must contain the case's value (for commodity codes,
/// a prefix of one of the case's codes); an empty list accepts any.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Condition {
    /// Commodity code prefixes (2 to 10 digits).
    #[serde(default)]
    pub hs_prefixes: Vec<String>,
    /// Transport modes at the border, one-digit codes (`1` sea, `2` rail, `3` road, `4` air, `5` post).
    #[serde(default)]
    pub transport_modes: Vec<String>,
    /// Offices of declaration.
    #[serde(default)]
    pub offices: Vec<String>,
    /// The declarant's country (its region).
    #[serde(default)]
    pub regions: Vec<String>,
}

/// A dispatch rule: a case that meets `when` goes to `centre`, to an inspector holding `requires`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Rule {
    /// Name, unique in the rule set, given in every explanation.
    pub name: String,
    /// When it applies.
    #[serde(default)]
    pub when: Condition,
    /// The centre.
    pub centre: String,
    /// The competences an inspector needs for these cases.
    #[serde(default)]
    pub requires: BTreeSet<String>,
}

/// The rules in force, first match wins; a case no rule takes goes to `default_centre`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Rules {
    /// The rules, in order.
    pub rules: Vec<Rule>,
    /// The centre of every other case.
    pub default_centre: String,
}

impl Rules {
    /// Every problem of a rule set against the centres that exist: unknown centres, repeated
    /// or empty names, prefixes that are not digits.
    pub fn problems(&self, centres: &[Centre]) -> Vec<String> {
        let known = |code: &str| centres.iter().any(|c| c.code == code);
        let mut problems = Vec::new();
        if !known(&self.default_centre) {
            problems.push(format!("default_centre: no centre {:?}", self.default_centre));
        }
        let mut names = BTreeSet::new();
        for (i, r) in self.rules.iter().enumerate() {
            if r.name.trim().is_empty() || !names.insert(r.name.as_str()) {
                problems.push(format!("rules[{i}].name: {:?} is empty or used twice", r.name));
            } else if r.name == DEFAULT_RULE {
                problems.push(format!("rules[{i}].name: {DEFAULT_RULE:?} names the default centre's choice"));
            }
            if !known(&r.centre) {
                problems.push(format!("rules[{i}].centre: no centre {:?}", r.centre));
            }
            for p in &r.when.hs_prefixes {
                if !(2..=10).contains(&p.len()) || !p.bytes().all(|b| b.is_ascii_digit()) {
                    problems.push(format!("rules[{i}].when.hs_prefixes: {p:?} is not 2 to 10 digits"));
                }
            }
        }
        problems
    }
}

/// What dispatching knows of a case.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Case {
    /// The items' commodity codes.
    pub commodity_codes: Vec<String>,
    /// Transport mode at the border (one-digit code).
    pub transport_mode: Option<String>,
    /// Office of declaration.
    pub office: Option<String>,
    /// The declarant's country.
    pub region: Option<String>,
}

impl Condition {
    fn accepts(&self, case: &Case) -> bool {
        let any_of =
            |list: &[String], value: Option<&String>| list.is_empty() || value.is_some_and(|v| list.contains(v));
        (self.hs_prefixes.is_empty()
            || case.commodity_codes.iter().any(|c| self.hs_prefixes.iter().any(|p| c.starts_with(p.as_str()))))
            && any_of(&self.transport_modes, case.transport_mode.as_ref())
            && any_of(&self.offices, case.office.as_ref())
            && any_of(&self.regions, case.region.as_ref())
    }
}

/// Why an inspector of the centre was not a candidate.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Passed {
    /// On leave at the time of dispatch.
    OnLeave,
    /// Lacks a competence the rule requires.
    LacksCompetence,
    /// More cases open than the least loaded.
    MoreLoaded,
}

/// A dispatch and its reasons.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Dispatch {
    /// The centre.
    pub centre: String,
    /// The inspector, or none when the centre has nobody present with the competences (the
    /// case waits in the centre's queue for its supervisor).
    pub inspector: Option<String>,
    /// The rule that chose the centre (`default` when none applied).
    pub rule: String,
    /// The version of the rules applied.
    pub rules_version: i64,
    /// The competences required.
    pub requires: BTreeSet<String>,
    /// Open cases of each inspector of the centre at that moment.
    pub loads: BTreeMap<String, i64>,
    /// The least loaded inspectors present and competent, among whom the draw chose.
    pub candidates: Vec<String>,
    /// The inspectors passed over, and why.
    pub passed: BTreeMap<String, Passed>,
    /// The random draw; `draw % candidates.len()` is the chosen candidate's position.
    pub draw: u64,
}

/// Dispatches a case: the centre by the first rule that takes it, then the least loaded
/// inspector of that centre who is present and competent, ties broken by `draw`.
pub fn dispatch(
    case: &Case,
    rules: &Rules,
    rules_version: i64,
    inspectors: &[Inspector],
    loads: &BTreeMap<String, i64>,
    now: Timestamp,
    draw: u64,
) -> Dispatch {
    let (rule, centre, requires) = match rules.rules.iter().find(|r| r.when.accepts(case)) {
        Some(r) => (r.name.clone(), r.centre.clone(), r.requires.clone()),
        None => (DEFAULT_RULE.to_string(), rules.default_centre.clone(), BTreeSet::new()),
    };
    let staff: Vec<&Inspector> = inspectors.iter().filter(|i| i.centre == centre).collect();
    let load = |user: &str| loads.get(user).copied().unwrap_or(0);
    let mut passed = BTreeMap::new();
    let mut present = Vec::new();
    for i in &staff {
        if i.on_leave(now) {
            passed.insert(i.user.clone(), Passed::OnLeave);
        } else if !requires.is_subset(&i.competences) {
            passed.insert(i.user.clone(), Passed::LacksCompetence);
        } else {
            present.push(i.user.clone());
        }
    }
    let least = present.iter().map(|u| load(u)).min();
    let mut candidates = Vec::new();
    for user in present {
        if Some(load(&user)) == least {
            candidates.push(user);
        } else {
            passed.insert(user, Passed::MoreLoaded);
        }
    }
    candidates.sort();
    let inspector = match candidates.len() {
        0 => None,
        n => Some(candidates[(draw % n as u64) as usize].clone()),
    };
    Dispatch {
        centre,
        inspector,
        rule,
        rules_version,
        requires,
        loads: staff.iter().map(|i| (i.user.clone(), load(&i.user))).collect(),
        candidates,
        passed,
        draw,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn centre(code: &str) -> Centre {
        Centre { code: code.into(), name: code.into(), office: None }
    }

    fn inspector(user: &str, centre: &str, competences: &[&str]) -> Inspector {
        Inspector {
            user: user.into(),
            centre: centre.into(),
            competences: competences.iter().map(|c| c.to_string()).collect(),
            leave_from_us: None,
            leave_until_us: None,
        }
    }

    fn rules() -> Rules {
        Rules {
            rules: vec![
                Rule {
                    name: "excise goods".into(),
                    when: Condition { hs_prefixes: vec!["2203".into(), "24".into()], ..Condition::default() },
                    centre: "EDC-EXCISE".into(),
                    requires: ["excise".to_string()].into(),
                },
                Rule {
                    name: "sea".into(),
                    when: Condition { transport_modes: vec!["1".into()], ..Condition::default() },
                    centre: "EDC-SEA".into(),
                    requires: BTreeSet::new(),
                },
            ],
            default_centre: "EDC-MAIN".into(),
        }
    }

    fn case(code: &str, mode: &str) -> Case {
        Case { commodity_codes: vec![code.into()], transport_mode: Some(mode.into()), ..Case::default() }
    }

    #[test]
    fn the_first_rule_that_takes_a_case_chooses_its_centre() {
        let r = rules();
        let none = BTreeMap::new();
        let d = dispatch(&case("2203001000", "1"), &r, 3, &[], &none, 0.into(), 0);
        assert_eq!((d.centre.as_str(), d.rule.as_str(), d.rules_version), ("EDC-EXCISE", "excise goods", 3));
        let d = dispatch(&case("8517130000", "1"), &r, 3, &[], &none, 0.into(), 0);
        assert_eq!((d.centre.as_str(), d.rule.as_str()), ("EDC-SEA", "sea"));
        let d = dispatch(&case("8517130000", "4"), &r, 3, &[], &none, 0.into(), 0);
        assert_eq!((d.centre.as_str(), d.rule.as_str(), d.inspector), ("EDC-MAIN", "default", None));
    }

    #[test]
    fn the_least_loaded_competent_inspector_present_gets_the_case() {
        let mut on_leave = inspector("ana", "EDC-EXCISE", &["excise"]);
        on_leave.leave_from_us = Some(Timestamp::from_micros(0));
        let staff = [
            on_leave,
            inspector("boris", "EDC-EXCISE", &["excise"]),
            inspector("carla", "EDC-EXCISE", &["excise", "sea"]),
            inspector("dmitri", "EDC-EXCISE", &[]),
            inspector("erik", "EDC-SEA", &["excise"]),
        ];
        let loads: BTreeMap<String, i64> = [("ana", 0), ("boris", 4), ("carla", 2), ("dmitri", 0)]
            .into_iter()
            .map(|(u, n)| (u.to_string(), n))
            .collect();
        let d = dispatch(&case("2402200000", "3"), &rules(), 1, &staff, &loads, 10.into(), 7);
        assert_eq!(d.inspector.as_deref(), Some("carla"));
        assert_eq!(d.candidates, vec!["carla".to_string()]);
        assert_eq!(d.passed.get("ana"), Some(&Passed::OnLeave));
        assert_eq!(d.passed.get("dmitri"), Some(&Passed::LacksCompetence));
        assert_eq!(d.passed.get("boris"), Some(&Passed::MoreLoaded));
        assert!(!d.loads.contains_key("erik"), "only the centre's inspectors count");
    }

    #[test]
    fn ties_are_broken_by_the_draw_and_replay_the_same() {
        let staff = [inspector("x", "EDC-MAIN", &[]), inspector("y", "EDC-MAIN", &[]), inspector("z", "EDC-MAIN", &[])];
        let none = BTreeMap::new();
        let chosen: BTreeSet<_> = (0..3)
            .map(|draw| dispatch(&case("8517", "4"), &rules(), 1, &staff, &none, 0.into(), draw).inspector)
            .collect();
        assert_eq!(chosen.len(), 3, "each draw picks another of the tied inspectors");
        let d = dispatch(&case("8517", "4"), &rules(), 1, &staff, &none, 0.into(), 41);
        assert_eq!(d.inspector, Some(d.candidates[(41 % 3) as usize].clone()));
    }

    #[test]
    fn leave_has_a_start_and_an_optional_end() {
        let mut i = inspector("a", "c", &[]);
        assert!(!i.on_leave(5.into()));
        i.leave_from_us = Some(Timestamp::from_micros(10));
        i.leave_until_us = Some(Timestamp::from_micros(20));
        assert!(!i.on_leave(5.into()) && i.on_leave(10.into()) && !i.on_leave(20.into()));
    }

    #[test]
    fn rules_name_only_centres_that_exist() {
        let centres = [centre("EDC-EXCISE"), centre("EDC-MAIN")];
        let problems = rules().problems(&centres);
        assert_eq!(problems, vec!["rules[1].centre: no centre \"EDC-SEA\"".to_string()]);
        let mut bad = rules();
        bad.rules[0].when.hs_prefixes.push("22x".into());
        bad.rules[1].name = "excise goods".into();
        assert_eq!(bad.problems(&[centre("EDC-EXCISE"), centre("EDC-SEA"), centre("EDC-MAIN")]).len(), 2);
        let mut named_default = rules();
        named_default.rules[0].name = DEFAULT_RULE.into();
        let problems = named_default.problems(&[centre("EDC-EXCISE"), centre("EDC-SEA"), centre("EDC-MAIN")]);
        assert_eq!(problems, vec![format!("rules[0].name: {DEFAULT_RULE:?} names the default centre's choice")]);
    }
}
