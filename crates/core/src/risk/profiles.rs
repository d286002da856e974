//! Sample profiles for `serve --demo`: what an analyst at a real administration might write.
//!
//! Each targets one known pattern, so that ordinary traffic stays green and every lane shown
//! in the demo has a reason an officer would recognise. The price thresholds are set against
//! the reference prices of the demo's price sample (`data/prices/sample.csv`, median value per
//! kilogram of each subheading and origin), not against world prices: the sample's values per
//! kilogram are low, so a threshold here is "well under the sample's median", typically 40 % of
//! it. On the simulated demo traffic about four declarations in five are released green.

/// Texts of the demo profiles, each parsed with [`super::parse_profile`] at version 1.
pub fn demo_profiles() -> Vec<&'static str> {
    vec![
        r#"# Garlic, ceramic tiles and steel fasteners from China carry anti-dumping duties; a price far
# below the reference (median of the price sample) hides the duty or other goods.
# Reference prices, EUR/kg: garlic 0703 20 0.167, tiles 6907 22 0.023, fasteners 7318 15 0.0165.
profile RP-ADD-001 "Anti-dumping goods from China far below the reference price"
when item.origin = "CN"
  and ((item.hs6 = "070320" and item.value_per_kg < 0.067)
    or (item.hs6 = "690722" and item.value_per_kg < 0.009)
    or (item.hs6 = "731815" and item.value_per_kg < 0.0066))
lane red
instruction "Physical inspection: check that the goods are what is declared, weigh them, and take copies of the contract and proof of payment; charge the anti-dumping duty on the true value"
valid from 2025-01-01
"#,
        r#"# Intelligence case 2025/031: declarants suspected of undervaluing clothing, footwear and
# bags and of counterfeit brands.
profile RP-WATCH-002 "Watch list: clothing, footwear and bags from declarants under investigation"
when declaration.declarant in ["DE1000000000003", "NL009988776B01"]
  and item.chapter in ["42", "61", "62", "64"]
lane red
instruction "Physical inspection: check quantities, brands and labels against the invoice; report the findings to the intelligence unit under case 2025/031"
valid from 2025-03-01 to 2027-06-30
"#,
        r#"# Textile fabrics and footwear from China are the classic undervaluation case. Flag values
# under 40 % of the sample's median for the line.
profile RP-VAL-003 "Textile fabrics and footwear from China far below the reference price"
when item.origin = "CN"
  and ((item.hs6 = "540761" and item.value_per_kg < 0.055)
    or (item.hs6 = "560311" and item.value_per_kg < 0.053)
    or (item.hs6 = "560312" and item.value_per_kg < 0.036)
    or (item.hs6 = "560391" and item.value_per_kg < 0.024)
    or (item.hs6 = "560392" and item.value_per_kg < 0.035)
    or (item.hs6 = "640291" and item.value_per_kg < 0.10)
    or (item.hs6 = "640399" and item.value_per_kg < 0.20))
lane yellow
instruction "Documentary check: ask for the contract, the proof of payment and the transport costs; if the value is not justified, determine it under the fallback methods"
valid from 2025-01-01
"#,
        r#"# Toys are the product group with the most safety alerts (Safety Gate), most of them from China.
profile RP-SAFE-004 "Toys from China: product safety"
when item.hs6 = "950300" and item.origin = "CN"
lane yellow
instruction "Check the CE marking, the warnings and the EU declaration of conformity; refer doubtful toys to the market surveillance authority before release"
valid from 2025-01-01
"#,
        r#"# Dried chillies and ginger: aflatoxins and pesticide residues. The common health entry
# document (CHED-D, code N852) shows that the border control post has checked the consignment.
profile RP-FOOD-005 "Spices from China without a health entry document"
when item.origin = "CN"
  and item.hs6 in ["090421", "091011"]
  and item.document_types not contains "N852"
lane yellow
instruction "Ask for the CHED-D; without it, hold the goods and inform the border control post for sampling"
valid from 2025-01-01
"#,
        r#"# Heavy goods by road: the declared mass is what duties and quotas are charged on, and lorries
# are easily overloaded or declared light.
profile RP-ROAD-006 "Heavy consignments by road"
when declaration.transport_mode = "3" and item.gross_mass > 8_000
lane yellow
instruction "Weigh the vehicle on the office's weighbridge and compare with the declared gross mass"
valid from 2025-01-01
"#,
        r#"# The largest declarations are released and audited afterwards.
profile RP-AUD-007 "High-value declarations for post-release audit"
when declaration.currency = "EUR" and declaration.invoice_total > 20_000
lane blue
instruction "Release; select for post-release audit of the customs value and of the supplier's contracts"
valid from 2025-01-01
"#,
        r#"# On FOB and similar terms the freight and insurance to the EU border are not in the price
# and must be added to the customs value; they are often forgotten.
profile RP-AUD-008 "Sizeable declarations on FOB terms: freight and insurance to be added"
when declaration.incoterm in ["EXW", "FCA", "FAS", "FOB"] and declaration.invoice_total > 5_000
lane blue
instruction "Release; in the post-release audit check that freight and insurance to the EU border were added to the customs value"
valid from 2025-01-01
"#,
        r#"# Monitoring only: imports of plastic, paper and metal waste and scrap, before deciding on a
# measure under the Waste Shipment Regulation.
profile RP-MON-009 "Waste and scrap imports (monitoring only)"
when item.hs6 in ["391530", "470730", "720449", "760200"]
lane green
instruction "No action: counting the volume of waste imports by origin"
valid from 2025-01-01 to 2027-12-31
"#,
    ]
}
#[cfg(test)]
mod explore {
    use crate::{flc, simulate};
    use crate::declaration::Declaration;
    use rust_decimal::Decimal;
    use std::collections::BTreeMap;

    pub fn traffic(n: usize, seed: u64) -> Vec<Declaration> {
        let world = simulate::World::demo(8);
        let today = chrono::NaiveDate::from_ymd_opt(2026, 6, 1).unwrap_or_default();
        let ctx = flc::Context { today, offices: world.offices.clone() };
        let mut rng = simulate::rng(seed);
        (0..n).filter_map(|i| flc::check(&world.declaration(&mut rng, &world.declarants[i % 8], today, 6), &ctx).ok()).collect()
    }

    #[test]
    fn rates() {
        let profiles: Vec<crate::risk::Profile> = super::demo_profiles().into_iter().map(|t| crate::risk::parse_profile(t, 1).unwrap_or_else(|e| panic!("{e}\n{t}"))).collect();
        let date = chrono::NaiveDate::from_ymd_opt(2026, 6, 1).unwrap_or_default();
        for seed in [1u64, 2, 3, 4] {
            let ds = traffic(4000, seed);
            let n = ds.len() as f64;
            let mut per: BTreeMap<String, usize> = BTreeMap::new();
            let mut lanes: BTreeMap<String, usize> = BTreeMap::new();
            for d in &ds {
                let a = crate::risk::assess(d, &profiles, date);
                for h in &a.hits { *per.entry(h.profile.clone()).or_default() += 1; }
                *lanes.entry(format!("{:?}", a.lane)).or_default() += 1;
            }
            println!("seed {seed}: {:?}", lanes.iter().map(|(k, v)| format!("{k} {:.1}", *v as f64 * 100.0 / n)).collect::<Vec<_>>());
            println!("   {:?}", per.iter().map(|(k, v)| format!("{k} {:.2}", *v as f64 * 100.0 / n)).collect::<Vec<_>>());
        }
    }

    #[test]
    fn stats() {
        let ds = traffic(20000, 1);
        println!("n = {}", ds.len());
        let mut totals: Vec<Decimal> = ds.iter().map(|d| d.invoice_total).collect();
        totals.sort();
        for p in [50, 80, 90, 95, 96, 97, 98, 99] {
            println!("total p{p}: {}", totals[totals.len() * p / 100]);
        }
        let mut modes: BTreeMap<String, usize> = BTreeMap::new();
        for d in &ds { *modes.entry(format!("{:?}", d.transport.mode)).or_default() += 1; }
        println!("{modes:?}");
        let mut ch: BTreeMap<String, usize> = BTreeMap::new();
        for d in &ds {
            let mut seen: Vec<String> = d.items.iter().map(|i| i.commodity_code.to_string()[..2].to_string()).collect();
            seen.sort(); seen.dedup();
            for s in seen { *ch.entry(s).or_default() += 1; }
        }
        for (k, v) in &ch { println!("chapter {k}: {:.2} %", *v as f64 * 100.0 / ds.len() as f64); }
        let mut org: BTreeMap<String, usize> = BTreeMap::new();
        for d in &ds { *org.entry(d.items[0].origin.to_string()).or_default() += 1; }
        for (k, v) in &org { println!("origin {k}: {:.2} %", *v as f64 * 100.0 / ds.len() as f64); }
        let mut road: Vec<Decimal> = ds.iter().filter(|d| format!("{:?}", d.transport.mode) == "Road").flat_map(|d| d.items.iter().map(|i| i.gross_mass)).collect();
        road.sort();
        for p in [50, 80, 90, 95, 99] { println!("road item gross p{p}: {}", road[road.len() * p / 100]); }
        let mut roadt: Vec<Decimal> = ds.iter().filter(|d| format!("{:?}", d.transport.mode) == "Road").map(|d| d.items.iter().map(|i| i.gross_mass).sum()).collect();
        roadt.sort();
        for p in [50, 80, 90, 95, 99] { println!("road total gross p{p}: {}", roadt[roadt.len() * p / 100]); }
    }
}
