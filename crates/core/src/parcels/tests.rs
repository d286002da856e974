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
