use super::*;
use proptest::prelude::*;

/// The example rules of `docs/checkpoint.md`.
pub(crate) const EXAMPLE: &str = r#"{
  "version": "2026-03",
  "default_class": 5,
  "rules": [
    {"id": "live-animals", "class": 1, "when": [{"fact": "live_animals"}]},
    {"id": "humanitarian", "class": 1, "when": [{"fact": "humanitarian"}]},
    {"id": "dangerous-goods", "class": 2, "when": [{"fact": "dangerous_goods"}]},
    {"id": "perishable-flag", "class": 2, "when": [{"fact": "perishable"}]},
    {"id": "perishable-hs", "class": 2, "when": [{"fact": "goods_hs", "any_of": ["02", "03", "04", "07", "08"]}]},
    {"id": "aeo", "class": 3, "when": [{"fact": "aeo"}]},
    {"id": "empty", "class": 4, "when": [{"fact": "empty"}]}
  ]
}"#;

pub(crate) fn example() -> PriorityRules {
    PriorityRules::parse(EXAMPLE.as_bytes()).unwrap_or_else(|p| panic!("{p:#?}"))
}

fn codes(body: &str) -> Vec<(String, String)> {
    match PriorityRules::parse(body.as_bytes()) {
        Ok(_) => vec![],
        Err(problems) => problems.into_iter().map(|p| (p.code, p.path)).collect(),
    }
}

fn hs(code: &str) -> HsCode {
    HsCode::parse(code).unwrap_or_else(|| panic!("{code}"))
}

#[test]
fn the_documented_example_rules_are_valid() {
    let page = include_str!("../../../../docs/checkpoint.md");
    assert!(page.contains(EXAMPLE), "docs/checkpoint.md does not show the example rules");
    let rules = example();
    assert_eq!((rules.version(), rules.default_class(), rules.rules().len()), ("2026-03", 5, 7));
}

#[test]
fn the_best_class_wins_and_the_first_rule_giving_it_is_named() {
    let rules = example();
    let facts = VehicleFacts { aeo: true, perishable: true, goods: vec![hs("070310")], ..VehicleFacts::default() };
    let c = rules.classify(&facts);
    assert_eq!((c.class, c.rule.map(|r| r.id.as_str())), (2, Some("perishable-flag")));
    let hs_only = VehicleFacts { goods: vec![hs("851713"), hs("080390")], ..VehicleFacts::default() };
    assert_eq!(rules.classify(&hs_only).rule.map(|r| r.id.as_str()), Some("perishable-hs"));
    let nothing = rules.classify(&VehicleFacts { goods: vec![hs("851713")], ..VehicleFacts::default() });
    assert_eq!((nothing.class, nothing.rule), (5, None));
}

#[test]
fn every_condition_of_a_rule_must_hold() -> Result<(), Vec<Problem>> {
    let rules = PriorityRules::parse(
        br#"{"version":"1","rules":[{"id":"aeo-perishable","class":0,"when":[{"fact":"aeo"},{"fact":"perishable"}]}]}"#,
    )?;
    assert_eq!(rules.classify(&VehicleFacts { aeo: true, ..VehicleFacts::default() }).class, DEFAULT_CLASS);
    let both = VehicleFacts { aeo: true, perishable: true, ..VehicleFacts::default() };
    assert_eq!(rules.classify(&both).class, 0);
    Ok(())
}

#[test]
fn priority_cannot_be_bought() {
    for fact in ["paid", "fee_paid", "express", "Premium", "vip_lane", "fast_track", "pay"] {
        let body = format!(r#"{{"version":"1","rules":[{{"id":"x","class":0,"when":[{{"fact":"{fact}"}}]}}]}}"#);
        assert_eq!(codes(&body), [("CHK_033".to_string(), "$.rules[0].when[0].fact".to_string())], "{fact}");
    }
    let body = r#"{"version":"1","rules":[{"id":"x","class":0,"when":[{"fact":"aeo"}],"fee":10}]}"#;
    assert_eq!(codes(body).first().map(|c| c.0.as_str()), Some("CHK_030"));
    assert!(serde_json::from_str::<VehicleFacts>(r#"{"aeo":true,"paid":true}"#).is_err());
}

#[test]
fn unknown_facts_are_refused_with_the_list_of_known_ones() -> Result<(), String> {
    let body = r#"{"version":"1","rules":[{"id":"x","class":0,"when":[{"fact":"colour"}]}]}"#;
    let problems = PriorityRules::parse(body.as_bytes()).err().ok_or("accepted")?;
    assert_eq!(problems[0].code, "CHK_032");
    assert!(problems[0].message.contains("live_animals"), "{}", problems[0].message);
    Ok(())
}

#[test]
fn malformed_rules_get_every_problem_with_its_path() {
    let body = r#"{"default_class":12,"rules":[
        {"id":"a","class":10,"when":[]},
        {"id":"a","class":1,"when":[{"fact":"goods_hs"},{"fact":"aeo","any_of":["x"]},{"fact":"goods_hs","any_of":["2"]},{}]},
        {}]}"#;
    let got = codes(body);
    let want = [
        ("CHK_031", "$.version"),
        ("CHK_035", "$.default_class"),
        ("CHK_035", "$.rules[0].class"),
        ("CHK_037", "$.rules[0].when"),
        ("CHK_036", "$.rules[1].id"),
        ("CHK_034", "$.rules[1].when[0].any_of"),
        ("CHK_034", "$.rules[1].when[1].any_of"),
        ("CHK_034", "$.rules[1].when[2].any_of"),
        ("CHK_031", "$.rules[1].when[3].fact"),
        ("CHK_031", "$.rules[2].id"),
        ("CHK_031", "$.rules[2].class"),
        ("CHK_031", "$.rules[2].when"),
    ];
    assert_eq!(got, want.map(|(c, p)| (c.to_string(), p.to_string())));
    assert_eq!(codes("[]").first().map(|c| c.0.as_str()), Some("CHK_030"));
    assert_eq!(codes(r#"{"version":"1"}"#), [("CHK_031".to_string(), "$.rules".to_string())]);
}

/// Fact names a rule writer might try: the known ones and some that are not facts.
fn fact_name() -> impl Strategy<Value = String> {
    prop_oneof![
        proptest::sample::select(FACTS.to_vec()).prop_map(String::from),
        proptest::sample::select(vec!["paid", "fee", "express", "vip", "tip", "bribe", "priority", "colour"])
            .prop_map(String::from),
        "[a-z_]{1,10}",
    ]
}

pub(crate) fn rules_doc() -> impl Strategy<Value = RulesDoc> {
    let condition = (fact_name(), proptest::option::of(proptest::collection::vec("0[1-9]|8[0-9]{3}", 1..3)))
        .prop_map(|(fact, any_of)| ConditionDoc { fact: Some(fact), any_of });
    let rule = ("[a-d]", 0i64..=9, proptest::collection::vec(condition, 1..3)).prop_map(|(id, class, when)| RuleDoc {
        id: Some(id),
        class: Some(class),
        when: Some(when),
    });
    (0i64..=9, proptest::collection::vec(rule, 0..5)).prop_map(|(default_class, rules)| RulesDoc {
        version: Some("p".into()),
        default_class: Some(default_class),
        rules: Some(rules),
    })
}

/// Rules that always pass: known facts only, `any_of` only for `goods_hs`, unique ids.
pub(crate) fn valid_rules() -> impl Strategy<Value = PriorityRules> {
    let condition = prop_oneof![
        proptest::sample::select(FACTS.iter().copied().filter(|f| *f != "goods_hs").collect::<Vec<_>>())
            .prop_map(|f| ConditionDoc { fact: Some(f.into()), any_of: None }),
        proptest::collection::vec(proptest::sample::select(vec!["02", "08", "0803", "69", "851713"]), 1..3).prop_map(
            |p| ConditionDoc { fact: Some("goods_hs".into()), any_of: Some(p.into_iter().map(String::from).collect()) }
        ),
    ];
    let rule = (0i64..=9, proptest::collection::vec(condition, 1..3));
    (0i64..=9, proptest::collection::vec(rule, 0..6)).prop_map(|(default_class, rules)| {
        let doc = RulesDoc {
            version: Some("p".into()),
            default_class: Some(default_class),
            rules: Some(
                rules
                    .into_iter()
                    .enumerate()
                    .map(|(i, (class, when))| RuleDoc {
                        id: Some(format!("r{i}")),
                        class: Some(class),
                        when: Some(when),
                    })
                    .collect(),
            ),
        };
        doc.check().unwrap_or_else(|p| panic!("{p:#?}"))
    })
}

pub(crate) fn facts() -> impl Strategy<Value = VehicleFacts> {
    let goods = proptest::collection::vec(proptest::sample::select(vec!["020130", "080390", "851713", "690721"]), 0..3);
    (goods, any::<[bool; 6]>()).prop_map(
        |(goods, [perishable, aeo, live_animals, dangerous_goods, humanitarian, empty])| VehicleFacts {
            goods: goods.into_iter().map(hs).collect(),
            perishable,
            aeo,
            live_animals,
            dangerous_goods,
            humanitarian,
            empty,
        },
    )
}

proptest! {
    /// Whatever a rule writer tries, the rules that pass name only facts of the language.
    #[test]
    fn rules_that_pass_name_only_known_facts(doc in rules_doc()) {
        let named: Vec<String> = doc.rules.iter().flatten().flat_map(|r| r.when.iter().flatten())
            .filter_map(|c| c.fact.clone()).collect();
        if doc.check().is_ok() {
            prop_assert!(named.iter().all(|f| FACTS.contains(&f.as_str())), "{named:?}");
        }
    }

    /// A vehicle's class is a function of its facts alone, and it is never better than the
    /// default unless a rule whose every fact holds gives it.
    #[test]
    fn a_class_comes_only_from_facts_that_hold(rules in valid_rules(), f in facts()) {
        {
            let c = rules.classify(&f);
            prop_assert_eq!(c, rules.classify(&f.clone()));
            let applying: Vec<&Rule> = rules.rules().iter().filter(|r| r.when.iter().all(|x| x.holds(&f))).collect();
            match c.rule {
                Some(rule) => {
                    prop_assert!(rule.when.iter().all(|x| x.holds(&f)));
                    prop_assert_eq!(c.class, rule.class);
                    prop_assert!(applying.iter().all(|r| r.class >= c.class));
                }
                None => {
                    prop_assert!(applying.is_empty());
                    prop_assert_eq!(c.class, rules.default_class());
                }
            }
        }
    }
}
