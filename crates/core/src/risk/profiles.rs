//! Sample profiles for `serve --demo`: what an analyst at a real administration might write.
//!
//! Each profile targets one known pattern (anti-dumping evasion, undervaluation, a watch list,
//! product and food safety, heavy road consignments, customs value audits), so that ordinary
//! traffic stays green and every lane shown in the demo has a reason an officer would recognise.
//!
//! Price thresholds are set against the reference prices of the demo's price sample
//! (`data/prices/sample.csv`, the median value per kilogram of each subheading and origin), not
//! against world prices. A threshold here means
//! "well under the sample's median for that line": 40 % of it, which the simulator's normal
//! prices (70 % to 140 % of the median) never go below and its undervalued ones (15 % to 40 %)
//! stay under. On the simulated demo traffic about 80 % of declarations go green, 10 % yellow,
//! 5 % red and 4 % blue (see the test below).
//!
//! `RP-VAL-010` reads `item.undervaluation`, a fact computed against the price reference
//! (`docs/valuation.md`) and given to `risk::assess_with`. It fires only where the platform
//! supplies that fact; `risk::assess` (and so the lane mix below) sees no undervaluation.

/// Texts of the demo profiles, each parsed with [`super::parse_profile`] at version 1.
pub fn demo_profiles() -> Vec<&'static str> {
    vec![
        r#"# Garlic, ceramic tiles and steel fasteners from China carry anti-dumping duties. A price far
# below the reference hides part of the duty, or different goods.
# Reference (median of the price sample), EUR/kg: garlic 1.04, tiles 0.37, fasteners 2.40.
profile RP-ADD-001 "Anti-dumping goods from China far below the reference price"
when item.origin = "CN"
  and ((item.hs6 = "070320" and item.value_per_kg < 0.42)
    or (item.hs6 = "690722" and item.value_per_kg < 0.15)
    or (item.hs6 = "731815" and item.value_per_kg < 0.96))
lane red
instruction "Physical inspection: check that the goods are those declared and weigh them; take copies of the contract and proof of payment, and charge the anti-dumping duty"
valid from 2025-01-01
"#,
        r#"# Intelligence case 2025/031: declarants suspected of undervaluing clothing, footwear and
# bags and of importing counterfeit brands.
profile RP-WATCH-002 "Watch list: clothing, footwear and bags of declarants under investigation"
when declaration.declarant in ["DE1000000000003", "NL009988776B01"]
  and item.chapter in ["42", "61", "62", "64"]
lane red
instruction "Physical inspection: check quantities, brands and labels against the invoice; report the findings to the intelligence unit, case 2025/031"
valid from 2025-03-01 to 2027-06-30
"#,
        r#"# Textile fabrics and footwear from China are the classic undervaluation case. The threshold
# is 40 % of the price sample's median for each line.
profile RP-VAL-003 "Textile fabrics and footwear from China far below the reference price"
when item.origin = "CN"
  and ((item.hs6 = "540761" and item.value_per_kg < 1.67)
    or (item.hs6 = "560311" and item.value_per_kg < 0.99)
    or (item.hs6 = "560312" and item.value_per_kg < 0.99)
    or (item.hs6 = "560391" and item.value_per_kg < 0.99)
    or (item.hs6 = "560392" and item.value_per_kg < 0.99)
    or (item.hs6 = "640291" and item.value_per_kg < 4.8)
    or (item.hs6 = "640399" and item.value_per_kg < 10.8))
lane yellow
instruction "Documentary check: ask for the contract, proof of payment and transport costs; if they do not support the declared value, determine the value by the fallback methods"
valid from 2025-01-01
"#,
        r#"# Toys draw more product-safety alerts (Safety Gate) than any other product group, most of
# them for toys made in China.
profile RP-SAFE-004 "Toys from China: product safety"
when item.hs6 = "950300" and item.origin = "CN"
lane yellow
instruction "Check the CE marking, the warnings and the EU declaration of conformity; refer doubtful toys to the market surveillance authority before release"
valid from 2025-01-01
"#,
        r#"# Dried chillies and ginger: risk of aflatoxins and pesticide residues. The common health
# entry document (CHED-D, document code N852) shows that the border control post has checked
# the consignment.
profile RP-FOOD-005 "Dried chillies and ginger from China without a health entry document"
when item.origin = "CN"
  and item.hs6 in ["090421", "091011"]
  and item.document_types not contains "N852"
lane yellow
instruction "Ask for the CHED-D; without it, hold the goods and ask the border control post to sample them"
valid from 2025-01-01
"#,
        r#"# Duties, quotas and anti-dumping measures are often charged by weight, and a lorry
# declared light is a lorry partly hidden. Items over 8 tonnes by road are weighed.
profile RP-ROAD-006 "Heavy consignments by road"
when declaration.transport_mode = "3" and item.gross_mass > 8_000
lane yellow
instruction "Weigh the lorry on the weighbridge and compare with the declared gross mass; count the packages"
valid from 2025-01-01
"#,
        r#"# The largest declarations (about the top 4 % of the demo traffic by value) are released
# and audited afterwards.
profile RP-AUD-007 "High-value declarations for post-release audit"
when declaration.currency = "EUR" and declaration.invoice_total > 20_000
lane blue
instruction "Release; select for post-release audit of the customs value and the supply contract"
valid from 2025-01-01
"#,
        r#"# Under EXW, FCA, FAS and FOB terms, freight and insurance to the EU border are not in the
# price. They must be added to the customs value, and often are not.
profile RP-AUD-008 "Declarations on FOB-type terms: freight and insurance to be added"
when declaration.incoterm in ["EXW", "FCA", "FAS", "FOB"] and declaration.invoice_total > 5_000
lane blue
instruction "Release; in the post-release audit check that freight and insurance to the EU border were added to the customs value"
valid from 2025-01-01
"#,
        r#"# Monitoring only: imports of plastic, paper and metal waste and scrap are counted before a
# measure under the Waste Shipment Regulation is decided on.
profile RP-MON-009 "Waste and scrap imports (monitoring only)"
when item.hs6 in ["391530", "470730", "720449", "760200"]
lane green
instruction "No action: the volume of waste imports by origin is being monitored"
valid from 2025-01-01 to 2027-12-31
"#,
        r#"# The declared customs value per kilogram (or per piece) is more than 60 % under the median of
# the same subheading from the same origin, or from all origins when that origin has too few
# observations. The reference is built from the KCS data set and registered declarations.
profile RP-VAL-010 "Customs value far below the price reference"
when item.undervaluation > 60
lane yellow
instruction "Documentary check of the customs value: compare it with the reference shown in the valuation check; ask for the contract, proof of payment and transport costs"
valid from 2025-01-01
"#,
    ]
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use chrono::NaiveDate;

    use super::demo_profiles;
    use crate::risk::{self, Lane, Profile};
    use crate::{flc, simulate};

    /// Assesses `n` simulated declarations, filed as `serve --demo` files them (8 declarants, 1
    /// to 6 items), and counts the lanes and the profiles that fired.
    fn run(profiles: &[Profile], seed: u64, n: usize, fired: &mut BTreeMap<String, usize>) -> BTreeMap<Lane, usize> {
        let world = simulate::World::demo(8);
        let today = NaiveDate::from_ymd_opt(2026, 6, 1).unwrap_or_default();
        let ctx = flc::Context { today, offices: world.offices.clone() };
        let mut rng = simulate::rng(seed);
        let mut lanes = BTreeMap::new();
        for i in 0..n {
            let doc = world.declaration(&mut rng, &world.declarants[i % 8], today, 6);
            let declaration = flc::check(&doc, &ctx).unwrap_or_else(|e| panic!("declaration {i} fails FLC: {e:?}"));
            let assessment = risk::assess(&declaration, profiles, today);
            *lanes.entry(assessment.lane).or_default() += 1;
            for hit in assessment.hits {
                *fired.entry(hit.profile).or_default() += 1;
            }
        }
        lanes
    }

    #[test]
    fn the_demo_profiles_give_simulated_traffic_a_realistic_mix_of_lanes() {
        let profiles: Vec<Profile> = demo_profiles()
            .into_iter()
            .map(|text| risk::parse_profile(text, 1).unwrap_or_else(|e| panic!("{e}\nin:\n{text}")))
            .collect();
        let expected =
            [(Lane::Green, 75.0..=85.0), (Lane::Yellow, 8.0..=15.0), (Lane::Red, 3.0..=8.0), (Lane::Blue, 2.0..=6.0)];
        let mut fired = BTreeMap::new();
        for seed in [1, 2, 3] {
            let n = 4_000;
            let lanes = run(&profiles, seed, n, &mut fired);
            for (lane, range) in &expected {
                let share = *lanes.get(lane).unwrap_or(&0) as f64 * 100.0 / n as f64;
                assert!(
                    range.contains(&share),
                    "seed {seed}: {share:.1} % {lane:?}, expected {range:?} (all lanes: {lanes:?})"
                );
            }
        }
        // Every demo profile shows up in the demo, except those on facts the simulator lacks.
        for p in profiles.iter().filter(|p| !p.condition().uses_facts()) {
            assert!(fired.contains_key(&p.code), "{} never fires on simulated traffic: {fired:?}", p.code);
        }
    }
}
