//! Priority in the electronic queue: the facts of a vehicle and its goods, and the rules, kept as
//! data, that give a vehicle its priority class.
//!
//! Priority cannot be bought. The rule language has facts about the goods and the operator only
//! (perishable, live animals, dangerous goods, humanitarian, empty, AEO, HS codes); there is no
//! fact about payment, and [`VehicleFacts`] has no field for one. A rule naming any other fact is
//! refused (`CHK_032`), and one naming payment, a fee or an express service is refused with its
//! own code (`CHK_033`), so that the refusal says why. A field outside the language (say
//! `"fee": 10` beside a rule) is refused too (`CHK_030`).

use std::collections::BTreeSet;

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::codes::Code;
use super::reason::{is_label, shown, Problem};
use crate::codes::HsCode;

/// The lowest (first served) and highest priority class.
pub const CLASSES: std::ops::RangeInclusive<u8> = 0..=9;
/// The class of a vehicle no rule applies to, unless the rules say otherwise.
pub const DEFAULT_CLASS: u8 = 5;
/// Longest rule id, characters.
pub const RULE_ID_MAX_LEN: usize = 64;

/// What is known of a vehicle and its goods that priority may depend on. The caller builds it
/// from the pre-arrival information, the declaration and the AEO register; it has no field for
/// anything paid.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct VehicleFacts {
    /// Commodity codes of the goods carried.
    #[serde(default)]
    #[schema(value_type = Vec<String>)]
    pub goods: Vec<HsCode>,
    /// The pre-arrival information flags the goods as perishable.
    #[serde(default)]
    pub perishable: bool,
    /// The carrier or the declarant is an authorised economic operator.
    #[serde(default)]
    pub aeo: bool,
    /// Live animals are carried.
    #[serde(default)]
    pub live_animals: bool,
    /// Dangerous goods (ADR) are carried.
    #[serde(default)]
    pub dangerous_goods: bool,
    /// The consignment is humanitarian aid.
    #[serde(default)]
    pub humanitarian: bool,
    /// The vehicle is empty.
    #[serde(default)]
    pub empty: bool,
}

/// A fact a rule's condition may name.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
#[serde(tag = "fact", content = "any_of", rename_all = "snake_case")]
pub enum Fact {
    /// The perishable flag of the pre-arrival information.
    Perishable,
    /// Some goods have a commodity code starting with one of these prefixes (2, 4 or 6 digits).
    GoodsHs(Vec<String>),
    /// An authorised economic operator.
    Aeo,
    /// Live animals.
    LiveAnimals,
    /// Dangerous goods.
    DangerousGoods,
    /// Humanitarian aid.
    Humanitarian,
    /// An empty vehicle.
    Empty,
}

/// The facts' names, as rules write them.
pub const FACTS: [&str; 7] =
    ["perishable", "goods_hs", "aeo", "live_animals", "dangerous_goods", "humanitarian", "empty"];

/// Words that mark a fact as about payment, for the refusal's message.
const PAYMENT_WORDS: [&str; 11] =
    ["pay", "paid", "fee", "express", "premium", "vip", "fast", "price", "charge", "money", "cash"];

impl Fact {
    /// True when the vehicle's facts meet this one.
    pub fn holds(&self, facts: &VehicleFacts) -> bool {
        match self {
            Fact::Perishable => facts.perishable,
            Fact::GoodsHs(prefixes) => {
                facts.goods.iter().any(|g| prefixes.iter().any(|p| g.as_str().starts_with(p.as_str())))
            }
            Fact::Aeo => facts.aeo,
            Fact::LiveAnimals => facts.live_animals,
            Fact::DangerousGoods => facts.dangerous_goods,
            Fact::Humanitarian => facts.humanitarian,
            Fact::Empty => facts.empty,
        }
    }
}

/// A checked rule: when every fact of `when` holds, the vehicle may have `class`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct Rule {
    /// The rule's id, named in the reason of a vehicle's place.
    pub id: String,
    /// The class it gives, 0 (first) … 9.
    pub class: u8,
    /// The facts that must all hold.
    pub when: Vec<Fact>,
}

/// A checked, versioned set of priority rules. Built only by [`PriorityRules::parse`] or
/// [`RulesDoc::check`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct PriorityRules {
    version: String,
    default_class: u8,
    rules: Vec<Rule>,
}

/// The class a vehicle has and the rule that gave it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Classification<'a> {
    /// The class.
    pub class: u8,
    /// The rule; none for the default class.
    pub rule: Option<&'a Rule>,
}

impl PriorityRules {
    /// Reads and checks rules written as JSON.
    ///
    /// # Errors
    ///
    /// `CHK_030` alone when the text is not JSON of the rule language's shape; otherwise every
    /// problem of `CHK_031` … `CHK_037`.
    pub fn parse(body: &[u8]) -> Result<PriorityRules, Vec<Problem>> {
        let de = &mut serde_json::Deserializer::from_slice(body);
        let doc: RulesDoc = serde_path_to_error::deserialize(&mut *de).map_err(|e| {
            let path = format!("$.{}", e.path()).replace("$..", "$.");
            vec![Problem::new(Code::RulesMalformed, path, e.into_inner().to_string())]
        })?;
        de.end().map_err(|e| vec![Problem::new(Code::RulesMalformed, "$", e.to_string())])?;
        doc.check()
    }

    /// The caller's version of these rules, recorded with every queue order.
    pub fn version(&self) -> &str {
        &self.version
    }

    /// The class of a vehicle no rule applies to.
    pub fn default_class(&self) -> u8 {
        self.default_class
    }

    /// The rules, in the order written.
    pub fn rules(&self) -> &[Rule] {
        &self.rules
    }

    /// The best (lowest) class any applying rule gives, with the first rule (in the order
    /// written) giving it; the default class when no rule applies.
    pub fn classify(&self, facts: &VehicleFacts) -> Classification<'_> {
        let best = self.rules.iter().filter(|r| r.when.iter().all(|f| f.holds(facts))).fold(
            None::<&Rule>,
            |best, r| match best {
                Some(b) if b.class <= r.class => Some(b),
                _ => Some(r),
            },
        );
        match best {
            Some(rule) => Classification { class: rule.class, rule: Some(rule) },
            None => Classification { class: self.default_class, rule: None },
        }
    }
}

/// Rules as written, before any check.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RulesDoc {
    /// The caller's version of the rules (a date, a number), 1 to 64 characters.
    pub version: Option<String>,
    /// The class of a vehicle no rule applies to; 5 when absent.
    pub default_class: Option<i64>,
    /// The rules.
    pub rules: Option<Vec<RuleDoc>>,
}

/// A rule as written.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RuleDoc {
    /// The rule's id.
    pub id: Option<String>,
    /// The class it gives, 0 … 9.
    pub class: Option<i64>,
    /// The facts that must all hold.
    pub when: Option<Vec<ConditionDoc>>,
}

/// A condition as written: a fact's name, and the HS prefixes for `goods_hs`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ConditionDoc {
    /// One of `perishable`, `goods_hs`, `aeo`, `live_animals`, `dangerous_goods`,
    /// `humanitarian`, `empty`.
    pub fact: Option<String>,
    /// For `goods_hs` only: commodity-code prefixes of 2, 4 or 6 digits.
    pub any_of: Option<Vec<String>>,
}

impl RulesDoc {
    /// Checks the rules; the checked rules, or every problem found.
    ///
    /// # Errors
    ///
    /// Every problem of `CHK_031` … `CHK_037`, never an empty list.
    pub fn check(&self) -> Result<PriorityRules, Vec<Problem>> {
        let mut problems = Vec::new();
        let version = match self.version.as_deref() {
            None => {
                problems.push(Problem::new(Code::RulesMissing, "$.version", "The field version is missing."));
                None
            }
            Some(v) if !is_label(v, RULE_ID_MAX_LEN) => {
                let message = format!("The version {} is blank, too long or has control characters.", shown(v));
                problems.push(Problem::new(Code::RulesMissing, "$.version", message));
                None
            }
            Some(v) => Some(v.to_string()),
        };
        let default_class =
            class(&mut problems, "$.default_class", self.default_class.unwrap_or(i64::from(DEFAULT_CLASS)));
        if self.rules.is_none() {
            problems.push(Problem::new(Code::RulesMissing, "$.rules", "The field rules is missing."));
        }
        let mut seen = BTreeSet::new();
        let mut rules = Vec::new();
        for (i, doc) in self.rules.iter().flatten().enumerate() {
            let path = format!("$.rules[{i}]");
            if let Some(rule) = doc.check(&mut problems, &path, &mut seen) {
                rules.push(rule);
            }
        }
        match (version, default_class) {
            (Some(version), Some(default_class)) if problems.is_empty() => {
                Ok(PriorityRules { version, default_class, rules })
            }
            _ => Err(problems),
        }
    }
}

fn class(problems: &mut Vec<Problem>, path: &str, value: i64) -> Option<u8> {
    match u8::try_from(value) {
        Ok(c) if CLASSES.contains(&c) => Some(c),
        _ => {
            let message = format!("The class {value} is not within 0 … 9.");
            problems.push(Problem::new(Code::ClassRange, path, message));
            None
        }
    }
}

impl RuleDoc {
    fn check(&self, problems: &mut Vec<Problem>, path: &str, seen: &mut BTreeSet<String>) -> Option<Rule> {
        let mut missing = |name: &str| {
            problems.push(Problem::new(
                Code::RulesMissing,
                format!("{path}.{name}"),
                format!("The rule's field {name} is missing."),
            ));
        };
        if self.id.is_none() {
            missing("id");
        }
        if self.class.is_none() {
            missing("class");
        }
        if self.when.is_none() {
            missing("when");
        }
        let id = self.id.as_deref().and_then(|id| {
            let fresh = is_label(id, RULE_ID_MAX_LEN) && seen.insert(id.to_string());
            if !fresh {
                let message = format!("The rule id {} is blank, too long, or used by an earlier rule.", shown(id));
                problems.push(Problem::new(Code::RuleId, format!("{path}.id"), message));
            }
            fresh.then(|| id.to_string())
        });
        let class = self.class.and_then(|c| class(problems, &format!("{path}.class"), c));
        let when = self.when.as_ref().and_then(|when| {
            if when.is_empty() {
                let message = "The rule has no condition, so it would apply to every vehicle.";
                problems.push(Problem::new(Code::NoCondition, format!("{path}.when"), message));
                return None;
            }
            let facts: Vec<Option<Fact>> =
                when.iter().enumerate().map(|(i, c)| c.check(problems, &format!("{path}.when[{i}]"))).collect();
            facts.into_iter().collect::<Option<Vec<Fact>>>()
        });
        Some(Rule { id: id?, class: class?, when: when? })
    }
}

impl ConditionDoc {
    fn check(&self, problems: &mut Vec<Problem>, path: &str) -> Option<Fact> {
        let Some(name) = self.fact.as_deref() else {
            problems.push(Problem::new(Code::RulesMissing, format!("{path}.fact"), "The field fact is missing."));
            return None;
        };
        let fact = match name {
            "perishable" => Fact::Perishable,
            "goods_hs" => Fact::GoodsHs(Vec::new()),
            "aeo" => Fact::Aeo,
            "live_animals" => Fact::LiveAnimals,
            "dangerous_goods" => Fact::DangerousGoods,
            "humanitarian" => Fact::Humanitarian,
            "empty" => Fact::Empty,
            other => {
                let lower = other.to_lowercase();
                let (code, message) = if PAYMENT_WORDS.iter().any(|w| lower.contains(w)) {
                    let message = format!(
                        "The fact {} is about payment; priority cannot be bought. Known facts: {}.",
                        shown(other),
                        FACTS.join(", ")
                    );
                    (Code::PaidPriority, message)
                } else {
                    let message = format!("The fact {} is unknown. Known facts: {}.", shown(other), FACTS.join(", "));
                    (Code::UnknownFact, message)
                };
                problems.push(Problem::new(code, format!("{path}.fact"), message));
                return None;
            }
        };
        let values_path = format!("{path}.any_of");
        match (fact, &self.any_of) {
            (Fact::GoodsHs(_), Some(prefixes)) if !prefixes.is_empty() => {
                let bad: Vec<&String> = prefixes
                    .iter()
                    .filter(|p| !matches!(p.len(), 2 | 4 | 6) || !p.bytes().all(|b| b.is_ascii_digit()))
                    .collect();
                if let Some(first) = bad.first() {
                    let message = format!("The prefix {} is not 2, 4 or 6 digits.", shown(first));
                    problems.push(Problem::new(Code::FactValues, values_path, message));
                    return None;
                }
                Some(Fact::GoodsHs(prefixes.clone()))
            }
            (Fact::GoodsHs(_), _) => {
                let message = "goods_hs needs any_of: a list of commodity-code prefixes of 2, 4 or 6 digits.";
                problems.push(Problem::new(Code::FactValues, values_path, message));
                None
            }
            (_, Some(_)) => {
                let message = format!("The fact {} takes no any_of.", shown(name));
                problems.push(Problem::new(Code::FactValues, values_path, message));
                None
            }
            (fact, None) => Some(fact),
        }
    }
}

#[cfg(test)]
#[path = "priority_tests.rs"]
pub(crate) mod tests;
