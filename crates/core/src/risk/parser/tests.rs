//! Parser tests: each construct, and each error with its message and position.

use chrono::NaiveDate;
use proptest::prelude::*;

use super::*;

const EXAMPLE: &str = r#"profile RP-ELEC-001 "Cheap smartphones from high-risk origins"
when item.hs starts with "851713" and item.origin in ["CN", "HK"] and item.value_per_kg < 40
lane red
instruction "Physical inspection: count units and compare with the invoice"
valid from 2026-01-01 to 2026-12-31
"#;

/// A complete profile around a condition; the condition starts at line 2, column 6.
fn with_condition(condition: &str) -> String {
    format!("profile RP-T-1 \"Test\"\nwhen {condition}\nlane red\ninstruction \"Inspect\"\nvalid from 2026-01-01\n")
}

fn parse(text: &str) -> Profile {
    match parse_profile(text, 1) {
        Ok(profile) => profile,
        Err(e) => panic!("{e}\nin:\n{text}"),
    }
}

/// The condition as printed back after compiling, which shows how it was understood.
fn condition(condition: &str) -> String {
    parse(&with_condition(condition)).condition().to_string()
}

/// The error as the analyst sees it: "line L, column C: message".
fn error(text: &str) -> String {
    match parse_profile(text, 1) {
        Ok(profile) => panic!("expected an error, got {profile:?}"),
        Err(e) => e.to_string(),
    }
}

fn condition_error(condition: &str) -> String {
    error(&with_condition(condition))
}

fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap_or_default()
}

#[test]
fn the_example_profile_compiles_with_every_clause() {
    let p = parse(EXAMPLE);
    assert_eq!(p.code, "RP-ELEC-001");
    assert_eq!(p.version, 1);
    assert_eq!(p.title, "Cheap smartphones from high-risk origins");
    assert_eq!(p.lane, Lane::Red);
    assert_eq!(p.instruction, "Physical inspection: count units and compare with the invoice");
    assert_eq!((p.valid_from, p.valid_to), (date(2026, 1, 1), Some(date(2026, 12, 31))));
    assert_eq!(p.source, EXAMPLE);
    assert!(p.condition().uses_item_fields());
    assert_eq!(
        p.condition().to_string(),
        r#"item.hs starts with "851713" and item.origin in ["CN", "HK"] and item.value_per_kg < 40"#
    );
}

#[test]
fn the_version_is_stored_and_starts_at_one() {
    assert_eq!(parse_profile(EXAMPLE, 7).map(|p| p.version), Ok(7));
    assert_eq!(
        parse_profile(EXAMPLE, 0).map_err(|e| e.to_string()),
        Err("line 1, column 1: profile versions start at 1, not 0".into())
    );
}

#[test]
fn clauses_may_come_in_any_order_on_any_lines_and_the_end_date_is_optional() {
    let p = parse(
        "# comment\nprofile X1 \"t\" valid from 2026-02-01 lane blue\ninstruction \"i\" # why\n\
         when declaration.invoice_total\n  > 5",
    );
    assert_eq!((p.lane, p.valid_from, p.valid_to), (Lane::Blue, date(2026, 2, 1), None));
    assert!(!p.condition().uses_item_fields());
    assert_eq!(p.condition().to_string(), "declaration.invoice_total > 5");
}

#[test]
fn every_comparison_operator_is_understood() {
    for op in ["=", "!=", "<", "<=", ">", ">="] {
        assert_eq!(condition(&format!("item.net_mass {op} 2.50")), format!("item.net_mass {op} 2.50"));
    }
    assert_eq!(condition(r#"item.origin != "CN""#), r#"item.origin != "CN""#);
}

#[test]
fn numbers_may_have_underscores_decimals_and_a_sign() {
    assert_eq!(condition("declaration.invoice_total >= 1_000_000.5"), "declaration.invoice_total >= 1000000.5");
    assert_eq!(condition("item.price > -1"), "item.price > -1");
}

#[test]
fn lists_take_one_or_more_values_and_a_trailing_comma() {
    assert_eq!(condition(r#"item.origin in ["CN",]"#), r#"item.origin in ["CN"]"#);
    assert_eq!(condition(r#"item.origin not in ["CN", "HK"]"#), r#"item.origin not in ["CN", "HK"]"#);
    assert_eq!(condition("declaration.item_count in [1, 2]"), "declaration.item_count in [1, 2]");
}

#[test]
fn starts_with_takes_a_text_or_a_list_of_texts() {
    assert_eq!(condition(r#"item.hs starts with "85""#), r#"item.hs starts with "85""#);
    assert_eq!(condition(r#"item.hs starts with ["85", "84"]"#), r#"item.hs starts with ["85", "84"]"#);
    assert_eq!(condition(r#"item.hs not starts with "85""#), r#"item.hs not starts with "85""#);
}

#[test]
fn contains_is_stored_in_lower_case_and_works_on_document_lists() {
    assert_eq!(condition(r#"item.description contains "Phone""#), r#"item.description contains "phone""#);
    assert_eq!(
        condition(r#"item.document_types not contains ["N954", "N865"]"#),
        r#"item.document_types not contains ["N954", "N865"]"#
    );
}

#[test]
fn and_or_not_and_parentheses_nest() {
    assert_eq!(
        condition(r#"not (item.origin = "CN" or item.origin = "HK") and not not item.price > 1"#),
        r#"not (item.origin = "CN" or item.origin = "HK") and not not item.price > 1"#
    );
    assert_eq!(
        condition(r#"((item.origin = "CN")) or (item.price > 1 and item.price < 2)"#),
        r#"item.origin = "CN" or (item.price > 1 and item.price < 2)"#
    );
}

#[test]
fn texts_keep_escaped_quotes_when_printed_back() {
    assert_eq!(condition(r#"item.description contains "5\" disk""#), r#"item.description contains "5\" disk""#);
}

#[test]
fn a_missing_value_at_the_end_of_a_line_is_reported_there() {
    assert_eq!(
        condition_error("item.value_per_kg <"),
        "line 2, column 25: expected a value after `<`, found end of line"
    );
    assert_eq!(
        error("profile A \"t\" when item.price >"),
        "line 1, column 32: expected a value after `>`, found end of text"
    );
}

#[test]
fn a_missing_operand_names_what_may_come() {
    assert_eq!(
        condition_error(r#"item.origin = "CN" and"#),
        "line 2, column 28: expected a field (such as `item.origin`), `not` or `(` after `and`, found end of line"
    );
    assert_eq!(
        condition_error(r#"item.origin "CN""#),
        "line 2, column 18: expected `=`, `!=`, `<`, `<=`, `>`, `>=`, `in`, `starts with` or `contains` after `item.origin`, found `\"CN\"`"
    );
}

#[test]
fn unknown_fields_are_refused_with_a_suggestion_when_there_is_one() {
    assert_eq!(
        condition_error(r#"item.orign = "CN""#),
        "line 2, column 6: unknown field `item.orign`; did you mean `item.origin`?"
    );
    assert_eq!(
        condition_error(r#"origin = "CN""#),
        "line 2, column 6: unknown field `origin`; did you mean `item.origin`?"
    );
    assert_eq!(
        condition_error("item.colour = 1"),
        "line 2, column 6: unknown field `item.colour`; the fields are listed in docs/risk-language.md"
    );
}

#[test]
fn the_valuation_fields_are_numbers_with_suggestions_for_typos() {
    assert_eq!(condition("item.undervaluation > 60"), "item.undervaluation > 60");
    assert_eq!(
        condition("item.customs_value >= 1_000 and item.undervaluation in [0]"),
        "item.customs_value >= 1000 and item.undervaluation in [0]"
    );
    assert_eq!(
        condition_error("item.undervalution > 60"),
        "line 2, column 6: unknown field `item.undervalution`; did you mean `item.undervaluation`?"
    );
    assert_eq!(
        condition_error("undervaluation > 60"),
        "line 2, column 6: unknown field `undervaluation`; did you mean `item.undervaluation`?"
    );
    assert_eq!(
        condition_error("item.customs_valu > 60"),
        "line 2, column 6: unknown field `item.customs_valu`; did you mean `item.customs_value`?"
    );
    assert_eq!(
        condition_error(r#"item.undervaluation > "60""#),
        "line 2, column 28: `item.undervaluation` is a number: write 60 without quotes"
    );
}

#[test]
fn text_and_number_fields_refuse_values_of_the_other_type() {
    assert_eq!(
        condition_error("item.hs = 851713"),
        "line 2, column 16: `item.hs` is text: write the value in double quotes, \"851713\""
    );
    assert_eq!(
        condition_error(r#"item.net_mass < "40""#),
        "line 2, column 22: `item.net_mass` is a number: write 40 without quotes"
    );
    assert_eq!(
        condition_error(r#"item.price in [1, "x"]"#),
        "line 2, column 24: `item.price` is a number: compare it with a number such as 40"
    );
    assert_eq!(
        condition_error("item.origin = CN"),
        "line 2, column 20: expected a value after `=`, found `CN`; text values go in double quotes: \"CN\""
    );
}

#[test]
fn operators_are_checked_against_the_field_type() {
    assert_eq!(
        condition_error(r#"item.net_mass starts with "1""#),
        "line 2, column 20: `starts with` works on text, but `item.net_mass` is a number"
    );
    assert_eq!(
        condition_error(r#"item.price contains "1""#),
        "line 2, column 17: `contains` works on text, but `item.price` is a number"
    );
    assert_eq!(
        condition_error(r#"item.origin < "CN""#),
        "line 2, column 18: `<` compares numbers, but `item.origin` is text; use `=`, `!=`, `in` or `starts with`"
    );
    assert_eq!(
        condition_error(r#"item.document_types = "N954""#),
        "line 2, column 26: `item.document_types` is a list of document codes; test it with `item.document_types contains \"N954\"` or `item.document_types not contains \"N954\"`"
    );
    assert_eq!(
        condition_error("item.price not = 1"),
        "line 2, column 21: expected `in`, `starts with` or `contains` after `not`, found `=`"
    );
    assert_eq!(
        condition_error(r#"item.hs starts "8""#),
        "line 2, column 21: expected `with` after `starts`, found `\"8\"`"
    );
}

#[test]
fn values_are_checked_against_the_code_list_of_the_field() {
    assert_eq!(condition_error(r#"item.origin = "cn""#), "line 2, column 20: \"cn\" cannot match: `item.origin` is an ISO country code of two capital letters such as \"CN\"");
    assert_eq!(
        condition_error(r#"item.chapter in ["61", "77"]"#),
        "line 2, column 29: \"77\" cannot match: `item.chapter` is an HS chapter of two digits such as \"61\""
    );
    assert_eq!(condition_error(r#"item.hs6 = "851799""#), "line 2, column 17: \"851799\" cannot match: `item.hs6` is an HS 2022 subheading of six digits such as \"851713\"");
    assert_eq!(
        condition_error(r#"declaration.type = "IMPORT""#),
        "line 2, column 25: \"IMPORT\" cannot match: `declaration.type` is \"IM\" or \"EX\""
    );
    assert_eq!(condition_error(r#"declaration.currency = "usd""#), "line 2, column 29: \"usd\" cannot match: `declaration.currency` is an ISO currency code of three capital letters such as \"USD\"");
    assert_eq!(condition_error(r#"declaration.transport_mode = "6""#), "line 2, column 35: \"6\" cannot match: `declaration.transport_mode` is a one-digit code: \"1\" sea, \"2\" rail, \"3\" road, \"4\" air, \"5\" post, \"7\" fixed installation, \"8\" inland waterway, \"9\" own propulsion");
    assert_eq!(condition_error(r#"declaration.incoterm = "DAT""#), "line 2, column 29: \"DAT\" cannot match: `declaration.incoterm` is an Incoterms 2020 code: EXW, FCA, CPT, CIP, DAP, DPU, DDP, FAS, FOB, CFR, CIF");
    assert_eq!(
        condition_error(r#"declaration.procedure = "40""#),
        "line 2, column 30: \"40\" cannot match: `declaration.procedure` is a four-digit code such as \"4000\""
    );
    assert_eq!(condition_error(r#"item.hs = "85171300001""#), "line 2, column 16: \"85171300001\" cannot match: `item.hs` is 6 to 10 digits starting with an HS 2022 subheading");
    assert_eq!(
        condition_error(r#"item.hs starts with ["85", "8A"]"#),
        "line 2, column 33: no HS 2022 code starts with \"8A\"; `item.hs` holds up to 10 digits"
    );
    assert_eq!(
        condition_error(r#"item.chapter starts with "610""#),
        "line 2, column 31: no HS 2022 code starts with \"610\"; `item.chapter` holds up to 2 digits"
    );
}

#[test]
fn empty_lists_and_empty_texts_are_refused() {
    assert_eq!(
        condition_error("item.origin in []"),
        "line 2, column 21: the list is empty; put at least one value between `[` and `]`"
    );
    assert_eq!(
        condition_error("item.hs starts with []"),
        "line 2, column 26: the list is empty; put at least one value between `[` and `]`"
    );
    assert_eq!(
        condition_error(r#"item.description contains """#),
        "line 2, column 32: an empty text matches everything; write the text to look for"
    );
    assert_eq!(
        condition_error(r#"item.origin in ["CN" "HK"]"#),
        "line 2, column 27: expected `,` or `]` after `\"CN\"`, found `\"HK\"`"
    );
}

#[test]
fn mixing_and_with_or_needs_parentheses() {
    assert_eq!(
        condition_error(r#"item.price > 1 and item.price < 5 or item.origin = "CN""#),
        "line 2, column 40: `or` after `and` needs parentheses: write `(… and …) or …` or `… and (… or …)`"
    );
}

#[test]
fn parentheses_must_balance() {
    assert_eq!(
        condition_error("(item.price > 1"),
        "line 2, column 21: expected `)` to close the `(` of line 2, column 6, found end of line"
    );
    assert_eq!(condition_error("item.price > 1)"), "line 2, column 20: this `)` has no matching `(`");
}

#[test]
fn a_condition_followed_by_something_else_is_explained() {
    assert_eq!(
        condition_error(r#"item.price > 1 item.origin = "CN""#),
        "line 2, column 21: expected `and`, `or`, or a new line starting with `lane`, `instruction` or `valid`, found `item.origin`"
    );
    assert_eq!(
        condition_error(r#"item.price > 1 AND item.origin = "CN""#),
        "line 2, column 21: expected `and`, `or`, or a new line starting with `lane`, `instruction` or `valid`, found `AND` (keywords are written in lower case: `and`)"
    );
}

#[test]
fn deep_nesting_is_refused_instead_of_overflowing_the_stack() {
    let deep = format!("{}item.price > 1{}", "(".repeat(40), ")".repeat(40));
    assert_eq!(
        condition_error(&deep),
        "line 2, column 38: the condition is nested too deeply (more than 32 levels of `(` and `not`)"
    );
    assert!(condition_error(&"not ".repeat(100_000)).contains("nested too deeply"));
}

#[test]
fn the_header_must_come_first_and_be_complete() {
    assert_eq!(error(""), "line 1, column 1: the profile is empty; it starts with `profile CODE \"title\"`");
    assert_eq!(error("lane red"), "line 1, column 1: expected `profile CODE \"title\"` at the start, found `lane`");
    assert_eq!(
        error("profile \"t\""),
        "line 1, column 9: expected the profile code, such as RP-ELEC-001, after `profile`, found `\"t\"`"
    );
    assert_eq!(error("profile RP.1 \"t\""), "line 1, column 9: a profile code starts with a letter and has at most 40 letters, digits, `-` and `_`, such as RP-ELEC-001; found `RP.1`");
    assert_eq!(
        error("profile RP-1\nwhen"),
        "line 1, column 13: expected the title in double quotes after the profile code, found end of line"
    );
    assert_eq!(
        error("profile RP-1 \" \""),
        "line 1, column 14: the title is empty; say in a few words what the profile looks for"
    );
}

#[test]
fn unknown_lanes_are_refused() {
    let text = EXAMPLE.replace("lane red", "lane orange");
    assert_eq!(error(&text), "line 3, column 6: unknown lane `orange`; the lanes are green, blue, yellow and red");
}

#[test]
fn the_validity_must_not_end_before_it_starts() {
    let text = EXAMPLE.replace("to 2026-12-31", "to 2025-12-31");
    assert_eq!(error(&text), "line 5, column 26: the end date 2025-12-31 is before the start date 2026-01-01");
    let text = EXAMPLE.replace("valid from 2026-01-01", "valid 2026-01-01");
    assert_eq!(error(&text), "line 5, column 7: expected `from` after `valid`, found `2026-01-01`");
    let text = EXAMPLE.replace("to 2026-12-31", "to");
    assert_eq!(error(&text), "line 5, column 25: expected a date such as 2026-01-31 after `to`, found end of text");
}

#[test]
fn a_clause_given_twice_points_back_at_the_first() {
    let text = format!("{EXAMPLE}lane yellow\n");
    assert_eq!(error(&text), "line 6, column 1: `lane` appears twice; the first is on line 3");
}

#[test]
fn every_missing_clause_is_named() {
    let cases = [
        ("when", "the profile has no `when` condition; add a line such as `when item.origin = \"CN\"`"),
        ("lane", "the profile has no `lane`; add a line such as `lane yellow`"),
        ("instruction", "the profile has no `instruction`; add a line such as `instruction \"Check the invoice\"`"),
        ("valid", "the profile has no validity; add a line such as `valid from 2026-01-01`"),
    ];
    for (clause, message) in cases {
        let text: String = EXAMPLE.lines().filter(|l| !l.starts_with(clause)).map(|l| format!("{l}\n")).collect();
        let e = error(&text);
        assert!(e.ends_with(message), "{e}");
    }
    assert_eq!(
        error("profile A \"t\""),
        "line 1, column 14: the profile has no `when` condition; add a line such as `when item.origin = \"CN\"`"
    );
}

#[test]
fn something_other_than_a_clause_is_explained() {
    assert_eq!(
        error("profile A \"t\"\nlane red inspect"),
        "line 2, column 10: expected a line starting with `when`, `lane`, `instruction` or `valid`, found `inspect`"
    );
    assert_eq!(
        error("profile A \"t\" instruction \"\""),
        "line 1, column 27: the instruction is empty; say what the officer is to do"
    );
}

#[test]
fn lexical_errors_carry_their_position() {
    assert_eq!(
        condition_error("item.price > 4$"),
        "line 2, column 20: unexpected character `$`; text values go in double quotes"
    );
    assert_eq!(error("profile A \"t\nwhen"), "line 1, column 11: this text has no closing `\"`");
}

#[test]
fn check_profile_text_agrees_with_parse_profile() {
    assert_eq!(check_profile_text(EXAMPLE), Ok(()));
    assert_eq!(check_profile_text("lane red").map_err(|e| (e.line, e.column)), Err((1, 1)));
}

/// Fragments of the language, so that generated texts get past the lexer and into the parser.
fn fragment() -> impl Strategy<Value = &'static str> {
    prop::sample::select(vec![
        "profile",
        "RP-1",
        "\"t\"",
        "when",
        "lane",
        "red",
        "instruction",
        "valid",
        "from",
        "to",
        "2026-01-01",
        "2025-01-01",
        "item.origin",
        "item.price",
        "item.undervaluation",
        "item.hs",
        "item.document_types",
        "declaration.type",
        "and",
        "or",
        "not",
        "in",
        "starts",
        "with",
        "contains",
        "(",
        ")",
        "[",
        "]",
        ",",
        "=",
        "!=",
        "<",
        ">=",
        "40",
        "\"CN\"",
        "\"85\"",
        "\"N954\"",
        "\n",
        "\"",
    ])
}

proptest! {
    #[test]
    fn parse_profile_never_panics_on_arbitrary_text(text in "\\PC*") {
        let _ = parse_profile(&text, 1);
    }

    #[test]
    fn parse_profile_never_panics_on_shuffled_language(parts in prop::collection::vec(fragment(), 0..60)) {
        let _ = parse_profile(&parts.join(" "), 1);
    }

    #[test]
    fn errors_point_inside_the_text(parts in prop::collection::vec(fragment(), 0..40)) {
        let text = parts.join(" ");
        if let Err(e) = parse_profile(&text, 1) {
            let lines = text.split('\n').count().max(1);
            prop_assert!(e.line >= 1 && e.line as usize <= lines, "{e} in {text:?}");
            prop_assert!(e.column >= 1);
        }
    }

    #[test]
    fn a_printed_condition_compiles_to_the_same_condition(parts in prop::collection::vec(fragment(), 0..40)) {
        let text = format!("profile A \"t\" lane red instruction \"i\" valid from 2026-01-01 when {}", parts.join(" "));
        if let Ok(profile) = parse_profile(&text, 1) {
            let again = parse(&with_condition(&profile.condition().to_string()));
            prop_assert_eq!(again.condition(), profile.condition());
        }
    }
}
