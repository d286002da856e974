use std::collections::HashMap;

use chrono::NaiveDate;
use rust_decimal_macros::dec;

use super::*;
use crate::tariff::{demo, Tariff};

fn tariff() -> Tariff {
    Tariff::from_file(demo()).unwrap_or_else(|e| panic!("{e:?}"))
}

fn day() -> NaiveDate {
    NaiveDate::from_ymd_opt(2024, 5, 2).unwrap_or_default()
}

fn doc() -> ParcelDoc {
    ParcelDoc {
        transaction_id: Some("T-1".into()),
        operator: Some("MKT1".into()),
        seller: Some(PartyDoc { name: Some("Shenzhen Gadgets Ltd".into()), address: None, country: Some("CN".into()) }),
        buyer: Some(PartyDoc {
            name: Some("Anna Schmidt".into()),
            address: Some("Hauptstr. 1, 10115 Berlin".into()),
            country: Some("DE".into()),
        }),
        hs6: Some("851762".into()),
        description: Some("Bluetooth earphones".into()),
        value: Some(dec!(45.90)),
        currency: Some("USD".into()),
        origin: Some("CN".into()),
        mass: Some(dec!(0.3)),
        vat_number: None,
    }
}

fn checked(d: &ParcelDoc) -> Result<Parcel, Vec<&'static str>> {
    check(d, "MKT1", &Regime::default(), &tariff(), day())
        .map_err(|r| r.iter().map(|r| CODES.iter().find(|c| c.0 == r.code).map_or("?", |c| c.0)).collect())
}

#[test]
fn a_good_parcel_is_converted_to_eur_and_charged_a_flat_duty_and_vat() {
    let p = checked(&doc()).unwrap_or_else(|r| panic!("{r:?}"));
    assert_eq!(p.value_eur, dec!(42.05), "45.90 USD at 1.0915 per EUR");
    let c = charges(&p, &Regime::default(), false);
    assert_eq!(c, Charges { duty_cents: 300, vat_cents: 901 }, "20 % of 42.05 + 3.00");
    assert_eq!(charges(&p, &Regime::default(), true).vat_cents, 0, "VAT collected by the seller");
}

#[test]
fn every_fault_of_a_parcel_is_reported_at_once() {
    let mut d = doc();
    d.transaction_id = None;
    d.hs6 = Some("999999".into());
    if let Some(b) = d.buyer.as_mut() {
        b.country = Some("XX".into());
    }
    d.value = Some(dec!(-1));
    d.mass = Some(dec!(0));
    d.currency = Some("ABC".into());
    d.operator = Some("OTHER".into());
    let mut codes = checked(&d).err().unwrap_or_default();
    codes.sort_unstable();
    assert_eq!(codes, ["PCL_001", "PCL_003", "PCL_004", "PCL_005", "PCL_006", "PCL_007", "PCL_009"]);
    let mut dear = doc();
    dear.value = Some(dec!(400));
    assert_eq!(checked(&dear).err().unwrap_or_default(), ["PCL_008"]);
    let mut long = doc();
    long.description = Some("x".repeat(MAX_TEXT + 1));
    assert_eq!(checked(&long).err().unwrap_or_default(), ["PCL_002"]);
}

#[test]
fn flags_find_splits_misused_vat_numbers_implausible_values_and_vague_descriptions() {
    let p = checked(&doc()).unwrap_or_else(|r| panic!("{r:?}"));
    let vat_numbers: HashMap<String, String> = [("IM2760000001".to_string(), party_key(&["Other Seller GmbH"]))].into();
    let prices = crate::valuation::PriceReference::default();
    let regime = Regime::default();
    let mut recent = HashMap::new();
    let ctx = Context { vat_numbers: &vat_numbers, prices: &prices, recent: &recent, regime: &regime };
    assert_eq!(assess(&p, &ctx), (vec![], false));
    assert_eq!(Outcome::of(&[]), Outcome::Released);

    let mut misused = p.clone();
    misused.vat_number = Some("IM2760000001".into());
    assert_eq!(assess(&misused, &ctx).0, [Flag::VatMisuse]);
    let own: HashMap<String, String> = [("IM2760000001".to_string(), party_key(&["shenzhen  gadgets LTD"]))].into();
    let ctx_own = Context { vat_numbers: &own, ..ctx };
    assert_eq!(assess(&misused, &ctx_own), (vec![], true), "the seller's own number");

    let pair = (party_key(&[&p.seller.0]), party_key(&[&p.buyer.0, &p.buyer.1, p.buyer.2.as_str()]));
    recent.insert(pair, dec!(120));
    let ctx = Context { vat_numbers: &vat_numbers, prices: &prices, recent: &recent, regime: &regime };
    assert_eq!(assess(&p, &ctx).0, [Flag::Split], "120 + 42.05 EUR to one buyer passes 150");
    assert_eq!(Outcome::of(&[Flag::Split]), Outcome::HeldInspection);

    for (description, is_vague) in
        [("gift", true), ("Parts", true), ("goods, items", true), ("ok", true), ("Cotton T-shirt", false)]
    {
        assert_eq!(vague(description), is_vague, "{description}");
    }
    assert_eq!(Outcome::of(&[Flag::VagueDescription]), Outcome::HeldDocuments);
}

#[test]
fn quality_is_the_mean_of_the_good_shares() {
    let q = Quality::of(10, 2, 1, 0);
    assert_eq!((q.specific_descriptions, q.plausible_values, q.consistent_vat_numbers), (0.8, 0.9, 1.0));
    assert!((q.score - 0.9).abs() < 1e-9);
    assert_eq!(Quality::of(0, 0, 0, 0).score, 1.0);
}

mod properties {
    use proptest::prelude::*;

    use super::*;

    proptest! {
        /// A parcel line of any content is refused with reasons or accepted, never a panic;
        /// an accepted one is never above the threshold.
        #[test]
        fn any_parcel_is_checked_without_panicking(
            id in proptest::option::of(".{0,20}"), hs6 in proptest::option::of("[0-9]{0,8}"),
            value in proptest::option::of(-1000i64..100_000), mass in proptest::option::of(-5i64..50),
            currency in proptest::option::of("[A-Z]{3}"), description in proptest::option::of(".{0,40}"),
        ) {
            let mut d = doc();
            d.transaction_id = id;
            d.hs6 = hs6;
            d.value = value.map(|v| rust_decimal::Decimal::new(v, 2));
            d.mass = mass.map(rust_decimal::Decimal::from);
            d.currency = currency;
            d.description = description;
            if let Ok(p) = check(&d, "MKT1", &Regime::default(), &tariff(), day()) {
                prop_assert!(p.value_eur <= Regime::default().threshold_eur && p.mass > rust_decimal::Decimal::ZERO);
            }
        }
    }
}

fn scoring<'a>(regime: &'a Regime, profiles: &'a [crate::risk::Profile], prices: &'a PriceReference) -> Scoring<'a> {
    Scoring {
        operator: "MKT1",
        quality: Some(dec!(0.4)),
        regime,
        profiles,
        prices,
        risk: crate::risk::RiskContext::default(),
        date: day(),
    }
}

fn profile(condition: &str, lane: &str) -> crate::risk::Profile {
    let text = format!(
        "profile P-1 \"Parcels\"\nwhen {condition}\nlane {lane}\ninstruction \"Check\"\nvalid from 2024-01-01\n"
    );
    crate::risk::parse_profile(&text, 1).unwrap_or_else(|e| panic!("{e}"))
}

#[test]
fn a_parcel_is_a_declaration_of_one_item_for_the_risk_rules() {
    let p = checked(&doc()).unwrap_or_else(|r| panic!("{r:?}"));
    let d = as_declaration(&p, "MKT1", &Regime::default(), day()).unwrap_or_else(|| panic!("no declaration"));
    assert_eq!((d.procedure_code.as_str(), d.office.as_str(), d.declarant.id.as_str()), ("4000", "DE005000", "MKT1"));
    assert_eq!((d.importer.id.as_str(), d.exporter.id.as_str()), (p.buyer_key.as_str(), p.seller_key.as_str()));
    assert_eq!(d.transport.mode.code(), "5");
    assert_eq!(d.items.len(), 1);
    assert_eq!((d.items[0].commodity_code.hs6(), d.items[0].price), ("851762", dec!(45.90)));
}

#[test]
fn profiles_read_a_parcels_fields_flags_and_operator_quality() {
    let p = checked(&doc()).unwrap_or_else(|r| panic!("{r:?}"));
    let regime = Regime::default();
    let prices = PriceReference::default();
    let by_goods = [profile(r#"item.hs6 = "851762" and item.origin = "CN""#, "yellow")];
    let a = score(&p, &[], &scoring(&regime, &by_goods, &prices));
    assert_eq!(a.lane, crate::risk::Lane::Yellow);
    assert_eq!(outcome(&[], a.lane), Outcome::HeldDocuments, "the lane holds a parcel without flags");

    let by_flag = [profile(r#"declaration.findings contains "PCL_104""#, "red")];
    assert_eq!(score(&p, &[], &scoring(&regime, &by_flag, &prices)).lane, crate::risk::Lane::Green);
    let flagged = score(&p, &[Flag::VagueDescription], &scoring(&regime, &by_flag, &prices));
    assert_eq!((flagged.lane, flagged.findings.as_slice()), (crate::risk::Lane::Red, &["PCL_104".to_string()][..]));
    assert_eq!(outcome(&[Flag::VagueDescription], flagged.lane), Outcome::HeldInspection, "the lane is more severe");

    let by_quality = [profile("declaration.operator_quality < 0.5", "yellow")];
    assert_eq!(score(&p, &[], &scoring(&regime, &by_quality, &prices)).lane, crate::risk::Lane::Yellow);
    let mut good = scoring(&regime, &by_quality, &prices);
    good.quality = Some(dec!(0.9));
    assert_eq!(score(&p, &[], &good).lane, crate::risk::Lane::Green);
}

#[test]
fn flags_hold_a_parcel_even_when_its_lane_is_green() {
    assert_eq!(outcome(&[Flag::Split], crate::risk::Lane::Green), Outcome::HeldInspection);
    assert_eq!(outcome(&[], crate::risk::Lane::Blue), Outcome::Released);
    assert_eq!(outcome(&[], crate::risk::Lane::Red), Outcome::HeldInspection);
}

/// A model that scores every parcel alike and records the findings it was shown.
struct Model(f64, std::sync::Mutex<Vec<String>>);

impl crate::risk::Scorer for Model {
    fn score(
        &self,
        _: &crate::declaration::Declaration,
        facts: &crate::risk::Facts,
    ) -> Option<crate::risk::ModelScore> {
        if let Ok(mut seen) = self.1.lock() {
            seen.extend(facts.findings.iter().cloned());
        }
        let thresholds = crate::risk::Thresholds { red_share: 0.05, yellow_share: 0.1, red: 0.8, yellow: 0.5 };
        Some(crate::risk::ModelScore {
            model_version: crate::ids::ModelVersion::from(2),
            score: self.0,
            item: 1,
            lane: thresholds.lane(self.0),
            thresholds,
            contributions: Vec::new(),
            exact: false,
        })
    }
}

#[test]
fn the_model_scores_every_parcel_and_sees_its_flags() {
    let p = checked(&doc()).unwrap_or_else(|r| panic!("{r:?}"));
    let regime = Regime::default();
    let prices = PriceReference::default();
    let model = Model(0.9, Default::default());
    let mut s = scoring(&regime, &[], &prices);
    s.risk.scorer = Some(&model);
    let a = score(&p, &[Flag::ImplausibleValue], &s);
    assert_eq!(a.lane, crate::risk::Lane::Red);
    assert!(a.model.is_some_and(|m| m.score == 0.9));
    assert_eq!(*model.1.lock().unwrap_or_else(|e| e.into_inner()), ["PCL_103"]);
    let calm = Model(0.1, Default::default());
    s.risk.scorer = Some(&calm);
    assert_eq!(score(&p, &[], &s).lane, crate::risk::Lane::Green);
}

#[test]
fn random_controls_reach_parcels_by_their_own_draw() {
    let regime = Regime::default();
    let prices = PriceReference::default();
    let mut s = scoring(&regime, &[], &prices);
    s.risk.random_share = 0.5;
    let lanes: Vec<bool> = (0..200)
        .map(|i| {
            let mut d = doc();
            d.transaction_id = Some(format!("T-{i}"));
            let p = checked(&d).unwrap_or_else(|r| panic!("{r:?}"));
            score(&p, &[], &s).random_control
        })
        .collect();
    let chosen = lanes.iter().filter(|c| **c).count();
    assert!((60..=140).contains(&chosen), "about half are chosen: {chosen}");
}
