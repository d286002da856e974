use super::*;
use crate::timestamp::Timestamp;
use proptest::prelude::*;

fn plate(text: &str) -> Plate {
    Plate::parse(text).unwrap_or_else(|e| panic!("{e}"))
}

fn id(text: &str) -> EntryId {
    EntryId::new(text).unwrap_or_else(|e| panic!("{e}"))
}

fn read(text: &str, country: Option<&str>, confidence: f64) -> PlateRead {
    PlateRead {
        device: "cam-1".into(),
        time: Timestamp::from_micros(1_780_000_000_000_000),
        plate: plate(text),
        country: country.and_then(CountryCode::parse),
        confidence,
    }
}

fn expected(entry: &str, text: &str, country: Option<&str>) -> Expected {
    Expected { id: id(entry), plate: plate(text), country: country.and_then(CountryCode::parse) }
}

fn code(m: &PlateMatch) -> &str {
    match m {
        PlateMatch::Matched { reason, .. } | PlateMatch::Unmatched { reason, .. } => &reason.code,
    }
}

#[test]
fn plates_are_upper_case_without_spaces_or_dashes() {
    assert_eq!(plate("ab-123 cd").as_str(), "AB123CD");
    assert_eq!(plate(" wx\u{2013}12345 ").as_str(), "WX12345");
}

#[test]
fn cyrillic_letters_with_a_latin_twin_are_written_in_latin() {
    assert_eq!(plate("а123вс 77").as_str(), "A123BC77");
    assert_eq!(plate("А123ВС77"), plate("A123BC77"));
}

#[test]
fn plates_that_are_empty_too_long_or_with_other_characters_are_refused() {
    for bad in ["", " - ", "AB*123", "ÄB123", "Ж123", &"A".repeat(16)] {
        assert!(Plate::parse(bad).is_err(), "{bad:?}");
    }
    assert!(serde_json::from_str::<Plate>("\"AB 12\"").is_ok());
    assert!(serde_json::from_str::<Plate>("\"AB/12\"").is_err());
}

#[test]
fn an_exact_plate_matches_with_the_read_confidence() {
    let m = match_plate(&read("AB123CD", None, 0.9), &[expected("b1", "AB-123-CD", Some("PL"))], MIN_CONFIDENCE);
    assert_eq!(code(&m), "CHK_050");
    assert!(matches!(m, PlateMatch::Matched { kind: MatchKind::Exact, confidence, .. } if confidence == 0.9));
}

#[test]
fn one_look_alike_character_matches_with_lower_confidence() {
    let list = [expected("b1", "AB123CD", None), expected("b2", "KX555", None)];
    let m = match_plate(&read("A8123CD", None, 0.9), &list, MIN_CONFIDENCE);
    assert_eq!(code(&m), "CHK_051");
    match m {
        PlateMatch::Matched { id: got, kind, confidence, .. } => {
            assert_eq!((got, kind), (id("b1"), MatchKind::LookAlike));
            assert!((confidence - 0.9 * LOOK_ALIKE_FACTOR).abs() < 1e-12);
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(code(&match_plate(&read("KXSS5", None, 0.9), &list, MIN_CONFIDENCE)), "CHK_052");
    assert_eq!(code(&match_plate(&read("AB123CE", None, 0.9), &list, MIN_CONFIDENCE)), "CHK_052");
}

#[test]
fn an_exact_match_wins_over_a_look_alike_one() {
    let list = [expected("b1", "SO100", None), expected("b2", "5O100", None)];
    let m = match_plate(&read("SO100", None, 0.9), &list, MIN_CONFIDENCE);
    assert!(matches!(&m, PlateMatch::Matched { id: got, kind: MatchKind::Exact, .. } if *got == id("b1")), "{m:?}");
}

#[test]
fn an_unknown_plate_is_a_reason_not_an_error() {
    let m = match_plate(&read("ZZ999", None, 0.99), &[expected("b1", "AB123", None)], MIN_CONFIDENCE);
    assert!(matches!(&m, PlateMatch::Unmatched { candidates, .. } if candidates.is_empty()));
    assert_eq!(code(&m), "CHK_052");
}

#[test]
fn several_equal_matches_are_ambiguous_and_listed() {
    let list = [expected("b2", "AB123", Some("DE")), expected("b1", "AB123", Some("PL"))];
    let m = match_plate(&read("AB123", None, 0.95), &list, MIN_CONFIDENCE);
    assert_eq!(code(&m), "CHK_053");
    assert!(matches!(&m, PlateMatch::Unmatched { candidates, .. } if *candidates == [id("b1"), id("b2")]));
    let near = [expected("b1", "AB120", None), expected("b2", "AB12O", None)];
    assert_eq!(code(&match_plate(&read("AB12O", None, 0.95), &near[..1], MIN_CONFIDENCE)), "CHK_051");
    let twice = [expected("b1", "S0I", None), expected("b2", "5OI", None)];
    assert_eq!(code(&match_plate(&read("SOI", None, 0.95), &twice, MIN_CONFIDENCE)), "CHK_053");
}

#[test]
fn a_known_country_that_differs_rules_a_vehicle_out() {
    let list = [expected("b2", "AB123", Some("DE")), expected("b1", "AB123", Some("PL"))];
    let m = match_plate(&read("AB123", Some("PL"), 0.95), &list, MIN_CONFIDENCE);
    assert!(matches!(&m, PlateMatch::Matched { id: got, .. } if *got == id("b1")), "{m:?}");
}

#[test]
fn a_read_below_the_minimum_confidence_is_left_to_an_officer() {
    let m = match_plate(&read("AB123", None, 0.3), &[expected("b1", "AB123", None)], MIN_CONFIDENCE);
    assert_eq!(code(&m), "CHK_054");
}

proptest! {
    /// Whatever the order of the expected vehicles, the match is the same.
    #[test]
    fn the_match_does_not_depend_on_the_order_of_the_list(
        plates in proptest::collection::vec("[AB8SO05I1]{3}", 1..8),
        pick in 0usize..8,
        rotate in 0usize..8,
    ) {
        let list: Vec<Expected> =
            plates.iter().enumerate().map(|(i, p)| expected(&format!("e{i}"), p, None)).collect();
        let r = read(&plates[pick % plates.len()], None, 0.9);
        let mut turned = list.clone();
        turned.rotate_left(rotate % list.len());
        prop_assert_eq!(match_plate(&r, &list, MIN_CONFIDENCE), match_plate(&r, &turned, MIN_CONFIDENCE));
    }

    /// Normalising is idempotent: a normalised plate reads back as itself.
    #[test]
    fn normalising_twice_changes_nothing(text in "[a-zA-Z0-9 \\-]{1,20}") {
        if let Ok(p) = Plate::parse(&text) {
            prop_assert_eq!(Plate::parse(p.as_str()).ok(), Some(p.clone()));
        }
    }
}
