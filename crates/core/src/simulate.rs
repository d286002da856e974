//! Realistic simulated declarations: HS codes, origins, masses and price levels drawn from the
//! price sample shipped in `data/prices/sample.csv` (derived from the Korea Customs Service
//! declaration data set, MIT licence). Used by the demo traffic, the benchmark and
//! `smartcustoms example declaration`, and the tests. Pure: the caller passes the random source.
//!
//! So that the traffic exercises the tariff, about a fifth of the declarations are invoiced in
//! USD and one in twenty in CNY, and goods from the countries of the demo tariff's preference
//! groups claim their preference, usually with the proof of origin the tariff asks for.

use chrono::NaiveDate;
use rand::rngs::StdRng;
use rand::seq::SliceRandom;
use rand::{Rng, SeedableRng};
use rust_decimal::Decimal;

use crate::codes::Nomenclature;
use crate::declaration::{
    DeclarationDoc, DeliveryTermsDoc, DocumentDoc, GoodsItemDoc, InvoiceDoc, PartyDoc, TransportDoc,
};

const PRICE_SAMPLE: &str = include_str!("../../../data/prices/sample.csv");

/// Invoice currencies other than EUR, with the percentage of declarations invoiced in them and
/// the fixed, illustrative units per EUR the simulator converts its EUR prices with.
const FOREIGN_INVOICES: &[(&str, u32, Decimal)] =
    &[("USD", 20, Decimal::from_parts(108, 0, 0, false, 2)), ("CNY", 5, Decimal::from_parts(780, 0, 0, false, 2))];

/// Preferences claimed for goods of an origin, after the country groups of the demo tariff
/// (`data/tariff/demo.json`): origin, preference code, and the proof of origin attached.
const PREFERENCE_CLAIMS: &[(&str, &str, &str)] = &[
    ("BD", "200", "N865"),
    ("ID", "200", "N864"),
    ("IN", "200", "N865"),
    ("JP", "300", "N864"),
    ("KH", "200", "N865"),
    ("KR", "300", "N954"),
    ("LK", "200", "N864"),
    ("PK", "200", "N865"),
    ("VN", "200", "N865"),
];

/// Percentage of preference claims whose proof is of a type the tariff does not accept for the
/// claim (an EUR-MED certificate), so the preference is refused and the conventional rate applies.
const WRONG_PROOF_PERCENT: u32 = 15;

/// A proof of preferential origin that no demo preference accepts.
const WRONG_PROOF: &str = "U045";

/// One line of the price sample.
#[derive(Debug, Clone)]
pub struct PriceLine {
    /// HS subheading.
    pub hs6: String,
    /// Country of origin.
    pub origin: String,
    /// Median declared value, EUR per kg.
    pub eur_per_kg: Decimal,
    /// Median net mass of an item, kg.
    pub net_mass: Decimal,
}

/// The price sample, parsed.
pub fn price_sample() -> Vec<PriceLine> {
    PRICE_SAMPLE
        .lines()
        .skip(1)
        .filter_map(|l| {
            let f: Vec<&str> = l.split(',').collect();
            Some(PriceLine {
                hs6: f.first()?.to_string(),
                origin: f.get(1)?.to_string(),
                eur_per_kg: f.get(3)?.parse().ok()?,
                net_mass: f.get(6)?.parse().ok()?,
            })
        })
        .collect()
}

/// A party the simulator files for.
#[derive(Debug, Clone)]
pub struct SimParty {
    /// Party id (EORI style).
    pub id: String,
    /// Name.
    pub name: String,
    /// City.
    pub city: String,
    /// Postcode.
    pub postcode: String,
}

/// The simulated world: offices, temporary-storage facilities, declarants and the price sample.
#[derive(Debug, Clone)]
pub struct World {
    /// Office codes.
    pub offices: std::sync::Arc<[crate::ids::OfficeCode]>,
    /// Temporary-storage facility codes.
    pub warehouses: Vec<String>,
    /// Declarants.
    pub declarants: Vec<SimParty>,
    prices: Vec<PriceLine>,
}

/// Demo offices: code and name.
pub const OFFICES: &[(&str, &str)] = &[
    ("DE005000", "Electronic declaration centre Hamburg"),
    ("DE004700", "Electronic declaration centre Frankfurt Airport"),
    ("DE002300", "Electronic declaration centre Munich"),
    ("DE009100", "Border office Frankfurt (Oder)"),
];

/// The codes of the demo offices.
pub fn demo_offices() -> std::sync::Arc<[crate::ids::OfficeCode]> {
    OFFICES.iter().filter_map(|(code, _)| crate::ids::OfficeCode::parse(code).ok()).collect()
}

/// Demo temporary-storage facilities.
pub const WAREHOUSES: &[&str] = &["DEHAMTS001", "DEFRATS002", "DEMUCTS003", "DEFFOTS004"];

impl World {
    /// The demo world with `n` declarants `DE1000000000001`, `DE1000000000002`, …
    pub fn demo(n: usize) -> Self {
        let cities = [("Hamburg", "20457"), ("Frankfurt am Main", "60549"), ("Munich", "80331"), ("Berlin", "10115")];
        let declarants = (1..=n)
            .map(|i| {
                let (city, postcode) = cities[i % cities.len()];
                SimParty {
                    id: format!("DE{:013}", 1_000_000_000_000u64 + i as u64),
                    name: format!("Demo Trading {i} GmbH"),
                    city: city.into(),
                    postcode: postcode.into(),
                }
            })
            .collect();
        World {
            offices: demo_offices(),
            warehouses: WAREHOUSES.iter().map(|w| w.to_string()).collect(),
            declarants,
            prices: price_sample(),
        }
    }

    /// A realistic import declaration by `declarant`, dated `date`, with 1 to `max_items` items.
    pub fn declaration(
        &self,
        rng: &mut StdRng,
        declarant: &SimParty,
        date: NaiveDate,
        max_items: usize,
    ) -> DeclarationDoc {
        let n = rng.gen_range(1..=max_items.max(1));
        let origin_line = self.prices.choose(rng).cloned();
        let origin = origin_line.map(|l| l.origin).unwrap_or_else(|| "CN".into());
        // One consignment comes from one country; pick lines of that origin.
        let lines: Vec<&PriceLine> = self.prices.iter().filter(|l| l.origin == origin).collect();
        let (currency, per_eur) = invoice_currency(rng);
        let mut items = Vec::with_capacity(n);
        let mut total = Decimal::ZERO;
        let mut total_gross = Decimal::ZERO;
        for seq in 1..=n {
            let Some(line) = lines.choose(rng) else { break };
            let item = self.item(rng, line, seq as u32, per_eur);
            total += item.price.unwrap_or_default();
            total_gross += item.gross_mass.unwrap_or_default();
            items.push(item);
        }
        let mode = if total_gross < Decimal::from(500) {
            "4"
        } else if total_gross < Decimal::from(20_000) {
            "3"
        } else {
            "1"
        };
        let means = match mode {
            "4" => format!("LH{}", rng.gen_range(100..9999)),
            "3" => format!("HH{}AB{}", rng.gen_range(10..99), rng.gen_range(100..999)),
            _ => imo_number(rng.gen_range(900_000..999_999)),
        };
        let office = self.offices.choose(rng).map(|o| o.as_str().to_string()).unwrap_or_default();
        let warehouse = self.warehouses.choose(rng).cloned().unwrap_or_default();
        let declarant_doc =
            party(&declarant.id, &declarant.name, "Hafenstrasse 1", &declarant.city, &declarant.postcode, "DE");
        let exporter_id = format!("{origin}{}", rng.gen_range(100_000_000u64..999_999_999));
        DeclarationDoc {
            declaration_type: Some("IM".into()),
            procedure_code: Some("4000".into()),
            office: Some(office),
            declarant: Some(declarant_doc.clone()),
            importer: Some(declarant_doc),
            exporter: Some(party(
                &exporter_id,
                &format!("Export Co {exporter_id}"),
                "1 Industrial Road",
                "Export City",
                "100000",
                &origin,
            )),
            representative: None,
            transport: Some(TransportDoc {
                mode: Some(mode.into()),
                means_id: Some(means),
                nationality: Some(if mode == "1" { "PA".into() } else { "DE".into() }),
            }),
            location_of_goods: Some(warehouse),
            invoice: Some(InvoiceDoc {
                currency: Some(currency.into()),
                total: Some(total),
                number: Some(format!("INV-{}", rng.gen_range(10_000..99_999))),
                date: Some(date - chrono::Duration::days(rng.gen_range(1..20))),
            }),
            delivery_terms: Some(DeliveryTermsDoc {
                incoterm: Some(["CIF", "FOB", "DAP", "CFR"].choose(rng).copied().unwrap_or("CIF").into()),
                place: Some("Hamburg".into()),
            }),
            declaration_date: Some(date),
            items: Some(items),
        }
    }

    /// One item of `line`, priced in the invoice currency (`per_eur` units for 1 EUR).
    fn item(&self, rng: &mut StdRng, line: &PriceLine, sequence: u32, per_eur: Decimal) -> GoodsItemDoc {
        // Masses and prices vary around the observed medians; a few consignments are priced far
        // below the reference, which is what the undervaluation profiles look for.
        let mass_factor = Decimal::from(rng.gen_range(5..200)) / Decimal::from(100);
        let net = (line.net_mass * mass_factor).round_dp(1).max(Decimal::new(1, 1));
        let gross = (net * Decimal::new(108, 2)).round_dp(1);
        let price_factor = if rng.gen_bool(0.05) {
            Decimal::from(rng.gen_range(5..30)) / Decimal::from(100)
        } else {
            Decimal::from(rng.gen_range(70..140)) / Decimal::from(100)
        };
        let price = (net * line.eur_per_kg * price_factor * per_eur).round_dp(2).max(Decimal::ONE);
        let description = Nomenclature::hs2022()
            .get(&line.hs6)
            .map(|e| e.description.chars().take(120).collect::<String>())
            .unwrap_or_else(|| "Goods".into());
        let (quantity, unit) = if ["84", "85", "95", "90"].contains(&&line.hs6[..2]) {
            ((net / Decimal::from(2)).ceil().max(Decimal::ONE), "NAR")
        } else {
            (net, "KGM")
        };
        let (preference, documents) = preference_and_documents(rng, &line.origin, sequence);
        GoodsItemDoc {
            sequence: Some(sequence),
            commodity_code: Some(format!("{}{:04}", line.hs6, rng.gen_range(0..3) * 10)),
            description: Some(description),
            origin: Some(line.origin.clone()),
            net_mass: Some(net),
            gross_mass: Some(gross),
            quantity: Some(quantity),
            unit: Some(unit.into()),
            price: Some(price),
            valuation_method: Some("1".into()),
            preference: Some(preference.into()),
            documents: Some(documents),
        }
    }
}

/// Draws the invoice currency and its units per EUR (1 for EUR).
fn invoice_currency(rng: &mut StdRng) -> (&'static str, Decimal) {
    let mut draw = rng.gen_range(0..100u32);
    for &(code, percent, per_eur) in FOREIGN_INVOICES {
        if draw < percent {
            return (code, per_eur);
        }
        draw -= percent;
    }
    ("EUR", Decimal::ONE)
}

/// The preference code and documents of an item from `origin`: the commercial invoice, plus a
/// proof of origin when the origin's goods claim a preference (now and then of the wrong type).
fn preference_and_documents(rng: &mut StdRng, origin: &str, sequence: u32) -> (&'static str, Vec<DocumentDoc>) {
    let invoice = DocumentDoc { kind: Some("N380".into()), number: Some(format!("INV-{sequence}")) };
    let Some(&(_, preference, proof)) = PREFERENCE_CLAIMS.iter().find(|(o, _, _)| *o == origin) else {
        return ("100", vec![invoice]);
    };
    let proof = if rng.gen_range(0..100) < WRONG_PROOF_PERCENT { WRONG_PROOF } else { proof };
    let number = format!("{proof}-{}", rng.gen_range(100_000..999_999));
    (preference, vec![invoice, DocumentDoc { kind: Some(proof.into()), number: Some(number) }])
}

/// A vessel IMO number: six digits and a check digit (weights 7 to 2, sum modulo 10).
fn imo_number(six: u32) -> String {
    let digits: Vec<u32> = six.to_string().chars().filter_map(|c| c.to_digit(10)).collect();
    let check: u32 = digits.iter().zip((2..=7).rev()).map(|(d, w)| d * w).sum::<u32>() % 10;
    format!("IMO{six}{check}")
}

fn party(id: &str, name: &str, street: &str, city: &str, postcode: &str, country: &str) -> PartyDoc {
    PartyDoc {
        id: Some(id.into()),
        name: Some(name.into()),
        street: Some(street.into()),
        city: Some(city.into()),
        postcode: Some(postcode.into()),
        country: Some(country.into()),
    }
}

/// A deterministic random source for reproducible runs.
pub fn rng(seed: u64) -> StdRng {
    StdRng::seed_from_u64(seed)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::flc;

    #[test]
    fn every_demo_office_has_a_well_formed_code() {
        let offices = demo_offices();
        let codes: Vec<&str> = offices.iter().map(|o| o.as_str()).collect();
        assert_eq!(codes, OFFICES.iter().map(|(code, _)| *code).collect::<Vec<_>>());
    }

    #[test]
    fn imo_numbers_carry_their_check_digit() {
        // IMO 9074729 is a published example: 9*7+0*6+7*5+4*4+7*3+2*2 = 139.
        assert_eq!(imo_number(907472), "IMO9074729");
    }

    #[test]
    fn the_price_sample_is_loaded() {
        assert!(price_sample().len() > 100);
    }

    #[test]
    fn preference_claims_follow_the_demo_tariff_groups() {
        let demo = crate::tariff::demo();
        let groups_of = |origin: &str| -> Vec<String> {
            let member = |g: &&crate::tariff::CountryGroup| g.countries.iter().any(|c| c.as_str() == origin);
            demo.groups.iter().filter(member).map(|g| g.code.clone()).collect()
        };
        for line in price_sample().iter().filter(|l| !groups_of(&l.origin).is_empty()) {
            assert!(PREFERENCE_CLAIMS.iter().any(|c| c.0 == line.origin), "{} claims no preference", line.origin);
        }
        for (origin, _, proof) in PREFERENCE_CLAIMS {
            let groups = groups_of(origin);
            let accepts = |m: &&crate::tariff::Measure| {
                m.origin.group().is_some_and(|g| groups.iter().any(|o| o == g)) && m.proof_codes().any(|p| p == *proof)
            };
            assert!(demo.measures.iter().any(|m| accepts(&m)), "no demo preference for {origin} accepts {proof}");
        }
        assert!(!demo.measures.iter().any(|m| m.proof_codes().any(|p| p == WRONG_PROOF)));
    }

    #[test]
    fn simulated_declarations_pass_format_logical_control() {
        let world = World::demo(5);
        let today = NaiveDate::from_ymd_opt(2026, 11, 20).unwrap_or_default();
        let ctx = flc::Context { today, offices: world.offices.clone() };
        let mut r = rng(1);
        for i in 0..500 {
            let d = world.declaration(&mut r, &world.declarants[i % 5], today, 10);
            let checked = flc::check(&d, &ctx);
            assert!(checked.is_ok(), "declaration {i} fails FLC: {:?}", checked.err());
        }
    }
}
