//! Realistic simulated declarations: HS codes, origins, masses and price levels drawn from the
//! price sample shipped in `data/prices/sample.csv` (subheadings, origins and masses from the
//! Korea Customs Service declaration data set, MIT licence; price levels placed inside the
//! plausible ranges of `data/prices/plausible.csv`). Used by the demo traffic, the benchmark and
//! `smartcustoms example declaration`, and the tests. Pure: the caller passes the random source.
//!
//! An officer reading a simulated declaration sees values per kilogram and per unit that real
//! trade in the heading has, quantities in the supplementary unit where the goods are counted
//! (pieces, pairs, square metres), and descriptions a trader would write for the subheading
//! (`data/prices/descriptions.csv`). One item in twenty is deliberately undervalued, at 15 % to
//! 40 % of its line's price level, for the risk engine to catch.
//!
//! So that the traffic exercises the tariff, about a fifth of the declarations are invoiced in
//! USD and one in twenty in CNY, and goods from the countries of the demo tariff's preference
//! groups claim their preference, usually with the proof of origin the tariff asks for.

use std::collections::HashMap;

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
const PLAUSIBLE_RANGES: &str = include_str!("../../../data/prices/plausible.csv");
const TRADE_DESCRIPTIONS: &str = include_str!("../../../data/prices/descriptions.csv");

/// Percentage of items priced far under their line's level, for the risk engine to catch.
const UNDERVALUED_PERCENT: u32 = 5;
/// Price of an ordinary item, in percent of its line's level (the spread `derive.py` leaves room for).
const PRICE_PERCENT: (u32, u32) = (70, 140);
/// Price of an undervalued item, in percent of its line's level: a clear factor under it.
const UNDERVALUED_PRICE_PERCENT: (u32, u32) = (15, 40);
/// Mass of one unit of counted goods, in percent of the typical mass of a unit.
const UNIT_MASS_PERCENT: (u32, u32) = (85, 115);
/// Size of an item, in percent of its line's typical mass.
const SIZE_PERCENT: (u32, u32) = (10, 200);
/// The least net mass of an item of counted goods, kg: a few grams of chips are not a shipment.
const LEAST_COUNTED_MASS: Decimal = Decimal::from_parts(5, 0, 0, false, 2);

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
    /// Price level, EUR per kg (the middle of the simulated prices).
    pub eur_per_kg: Decimal,
    /// Typical net mass of an item, kg.
    pub net_mass: Decimal,
    /// Quantity unit the goods are declared in: `KGM`, or a supplementary unit such as `NAR`
    /// (pieces), `NPR` (pairs) or `MTK` (square metres), after the line's plausible range.
    pub unit: String,
    /// Typical mass of one unit, kg, where the goods are counted in a supplementary unit.
    pub kg_per_unit: Option<Decimal>,
}

impl PriceLine {
    /// Price level per unit of the supplementary unit, EUR, where the goods are counted.
    pub fn eur_per_unit(&self) -> Option<Decimal> {
        self.kg_per_unit.map(|k| self.eur_per_kg * k)
    }
}

/// The price sample, parsed; each line carries the unit of its plausible range.
pub fn price_sample() -> Vec<PriceLine> {
    let ranges = plausible_ranges();
    PRICE_SAMPLE
        .lines()
        .skip(1)
        .filter_map(|l| {
            let f: Vec<&str> = l.split(',').collect();
            let hs6 = f.first()?.to_string();
            let range = range_for(&ranges, &hs6);
            Some(PriceLine {
                origin: f.get(1)?.to_string(),
                eur_per_kg: f.get(3)?.parse().ok()?,
                net_mass: f.get(6)?.parse().ok()?,
                unit: range.map_or_else(|| "KGM".to_string(), |r| r.unit.clone()),
                kg_per_unit: range.and_then(|r| r.kg_per_unit),
                hs6,
            })
        })
        .collect()
}

/// The range of values that real trade has for goods of an HS prefix (a chapter, heading or
/// subheading), from `data/prices/plausible.csv`.
#[derive(Debug, Clone, PartialEq)]
pub struct PlausibleRange {
    /// HS prefix of 2, 4 or 6 digits; the longest prefix of a subheading applies.
    pub prefix: String,
    /// Quantity unit: `KGM` when the goods are sold by weight, else the supplementary unit.
    pub unit: String,
    /// Lowest plausible value, EUR per kg.
    pub min_eur_per_kg: Decimal,
    /// Highest plausible value, EUR per kg.
    pub max_eur_per_kg: Decimal,
    /// Typical mass of one unit, kg, when the goods are counted.
    pub kg_per_unit: Option<Decimal>,
    /// Lowest plausible value per unit, EUR, when the goods are counted.
    pub min_eur_per_unit: Option<Decimal>,
    /// Highest plausible value per unit, EUR, when the goods are counted.
    pub max_eur_per_unit: Option<Decimal>,
    /// Why the range is what it is, in a sentence.
    pub basis: String,
}

impl PlausibleRange {
    /// Whether `eur_per_kg` lies in the range.
    pub fn fits_per_kg(&self, eur_per_kg: Decimal) -> bool {
        (self.min_eur_per_kg..=self.max_eur_per_kg).contains(&eur_per_kg)
    }

    /// Whether `eur_per_unit` lies in the range (always true for goods sold by weight).
    pub fn fits_per_unit(&self, eur_per_unit: Decimal) -> bool {
        match (self.min_eur_per_unit, self.max_eur_per_unit) {
            (Some(min), Some(max)) => (min..=max).contains(&eur_per_unit),
            _ => true,
        }
    }
}

/// The plausible ranges, parsed.
pub fn plausible_ranges() -> Vec<PlausibleRange> {
    let number = |f: &[String], i: usize| f.get(i).and_then(|v| v.parse::<Decimal>().ok());
    PLAUSIBLE_RANGES
        .lines()
        .skip(1)
        .filter_map(|l| {
            let f = crate::codes::split_csv_line(l).unwrap_or_default();
            Some(PlausibleRange {
                prefix: f.first()?.clone(),
                unit: f.get(1)?.clone(),
                min_eur_per_kg: number(&f, 2)?,
                max_eur_per_kg: number(&f, 3)?,
                kg_per_unit: number(&f, 4),
                min_eur_per_unit: number(&f, 5),
                max_eur_per_unit: number(&f, 6),
                basis: f.get(7).cloned().unwrap_or_default(),
            })
        })
        .collect()
}

/// The plausible range of a subheading: that of its longest listed prefix.
pub fn plausible_range(hs6: &str) -> Option<PlausibleRange> {
    range_for(&plausible_ranges(), hs6).cloned()
}

fn range_for<'a>(ranges: &'a [PlausibleRange], hs6: &str) -> Option<&'a PlausibleRange> {
    ranges.iter().filter(|r| hs6.starts_with(r.prefix.as_str())).max_by_key(|r| r.prefix.len())
}

/// Descriptions a trader would write for goods of each subheading, from
/// `data/prices/descriptions.csv`.
pub fn trade_descriptions() -> HashMap<String, Vec<String>> {
    TRADE_DESCRIPTIONS
        .lines()
        .skip(1)
        .filter_map(|l| {
            let f = crate::codes::split_csv_line(l).unwrap_or_default();
            let variants = f.get(1)?.split('|').map(|d| d.trim().to_string()).filter(|d| !d.is_empty());
            Some((f.first()?.clone(), variants.collect()))
        })
        .collect()
}

/// A short description from the nomenclature, for a subheading without trade descriptions: the
/// words after the subheading's leading category ("Spices; ginger, …" gives "Ginger, …").
fn nomenclature_description(hs6: &str) -> String {
    let Some(entry) = Nomenclature::hs2022().get(hs6) else { return "Goods".into() };
    let text = entry.description.split_once("; ").map_or(entry.description.as_str(), |(_, rest)| rest);
    let mut short = String::new();
    for word in text.split_whitespace() {
        if short.len() + word.len() > 60 {
            break;
        }
        if !short.is_empty() {
            short.push(' ');
        }
        short.push_str(word);
    }
    let mut chars = short.trim_end_matches([',', ';']).chars();
    chars.next().map(|c| c.to_uppercase().chain(chars).collect()).unwrap_or_else(|| "Goods".into())
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
    descriptions: HashMap<String, Vec<String>>,
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
            descriptions: trade_descriptions(),
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
        self.declaration_with_undervaluation(rng, declarant, date, max_items).0
    }

    /// The declaration [`World::declaration`] files (the same for the same random source) and,
    /// for each item, whether it was deliberately priced far under its line's level.
    pub fn declaration_with_undervaluation(
        &self,
        rng: &mut StdRng,
        declarant: &SimParty,
        date: NaiveDate,
        max_items: usize,
    ) -> (DeclarationDoc, Vec<bool>) {
        let n = rng.gen_range(1..=max_items.max(1));
        let origin_line = self.prices.choose(rng).cloned();
        let origin = origin_line.map(|l| l.origin).unwrap_or_else(|| "CN".into());
        // One consignment comes from one country; pick lines of that origin.
        let lines: Vec<&PriceLine> = self.prices.iter().filter(|l| l.origin == origin).collect();
        let (currency, per_eur) = invoice_currency(rng);
        let mut items = Vec::with_capacity(n);
        let mut undervalued = Vec::with_capacity(n);
        let mut total = Decimal::ZERO;
        let mut total_gross = Decimal::ZERO;
        for seq in 1..=n {
            let Some(line) = lines.choose(rng) else { break };
            let (item, under) = self.item(rng, line, seq as u32, per_eur);
            total += item.price.unwrap_or_default();
            total_gross += item.gross_mass.unwrap_or_default();
            items.push(item);
            undervalued.push(under);
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
        let doc = DeclarationDoc {
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
        };
        (doc, undervalued)
    }

    /// One item of `line`, priced in the invoice currency (`per_eur` units for 1 EUR), and
    /// whether it is priced far under the line's level.
    ///
    /// Counted goods are drawn as a whole number of units, each weighing about the line's
    /// typical mass of a unit and priced about its level per unit, so that the value per unit
    /// and per kilogram both stay in the plausible range; goods sold by weight are drawn as a
    /// mass priced about the level per kilogram.
    fn item(&self, rng: &mut StdRng, line: &PriceLine, sequence: u32, per_eur: Decimal) -> (GoodsItemDoc, bool) {
        let size = percent(rng, SIZE_PERCENT);
        let undervalued = rng.gen_range(0..100) < UNDERVALUED_PERCENT;
        let price_factor = percent(rng, if undervalued { UNDERVALUED_PRICE_PERCENT } else { PRICE_PERCENT });
        let (net, quantity, eur) = match (line.kg_per_unit, line.eur_per_unit()) {
            (Some(kg), Some(per_unit)) if kg > Decimal::ZERO => {
                let least = (LEAST_COUNTED_MASS / kg).ceil().max(Decimal::ONE);
                let count = (line.net_mass / kg * size).round().max(least);
                let net = mass(count * kg * percent(rng, UNIT_MASS_PERCENT));
                (net, count, count * per_unit * price_factor)
            }
            _ => {
                let net = mass(line.net_mass * size).max(Decimal::new(1, 1));
                (net, net, net * line.eur_per_kg * price_factor)
            }
        };
        let gross = mass(net * Decimal::new(108, 2)).max(net);
        let price = (eur * per_eur).round_dp(2).max(Decimal::ONE);
        let description = self
            .descriptions
            .get(&line.hs6)
            .and_then(|variants| variants.choose(rng).cloned())
            .unwrap_or_else(|| nomenclature_description(&line.hs6));
        let (preference, documents) = preference_and_documents(rng, &line.origin, sequence);
        let item = GoodsItemDoc {
            sequence: Some(sequence),
            commodity_code: Some(format!("{}{:04}", line.hs6, rng.gen_range(0..3) * 10)),
            description: Some(description),
            origin: Some(line.origin.clone()),
            net_mass: Some(net),
            gross_mass: Some(gross),
            quantity: Some(quantity),
            unit: Some(line.unit.clone()),
            price: Some(price),
            valuation_method: Some("1".into()),
            preference: Some(preference.into()),
            documents: Some(documents),
        };
        (item, undervalued)
    }
}

/// A factor drawn between `range.0` and `range.1` percent.
fn percent(rng: &mut StdRng, range: (u32, u32)) -> Decimal {
    Decimal::from(rng.gen_range(range.0..=range.1)) / Decimal::ONE_HUNDRED
}

/// A mass as a trader declares it: to 0.1 kg from 10 kg, to the gram below.
fn mass(kg: Decimal) -> Decimal {
    if kg >= Decimal::TEN {
        kg.round_dp(1)
    } else {
        kg.round_dp(3)
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
    use std::collections::HashSet;

    use rust_decimal_macros::dec;

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
    fn the_price_sample_spreads_over_chapters_and_origins() {
        let sample = price_sample();
        let chapters: HashSet<&str> = sample.iter().map(|l| &l.hs6[..2]).collect();
        let origins: HashSet<&str> = sample.iter().map(|l| l.origin.as_str()).collect();
        assert!(sample.len() >= 120, "{} lines", sample.len());
        assert!(chapters.len() >= 30, "{} chapters", chapters.len());
        assert!(origins.len() >= 6, "{origins:?}");
    }

    /// Whether `value` lies in `min..=max`.
    fn within(value: Decimal, min: Decimal, max: Decimal) -> bool {
        (min..=max).contains(&value)
    }

    #[test]
    fn every_sample_line_is_priced_within_its_plausible_range() {
        let spread = |(low, high): (u32, u32)| (Decimal::from(low) / dec!(100), Decimal::from(high) / dec!(100));
        let (low, high) = spread(PRICE_PERCENT);
        let (mass_low, mass_high) = spread(UNIT_MASS_PERCENT);
        for line in price_sample() {
            let name = format!("{} from {}", line.hs6, line.origin);
            let range = plausible_range(&line.hs6).unwrap_or_else(|| panic!("{name} has no plausible range"));
            assert_eq!(line.unit, range.unit, "{name}");
            assert!(line.net_mass > Decimal::ZERO, "{name}");
            let level = line.eur_per_kg;
            assert!(range.fits_per_kg(level), "{name}: {level} EUR/kg is outside {range:?}");
            // Every price the simulator draws around the level stays in range, per kg and per unit.
            let (kg_low, kg_high) = match line.kg_per_unit {
                Some(_) => (level * low / mass_high, level * high / mass_low),
                None => (level * low, level * high),
            };
            assert!(within(kg_low, range.min_eur_per_kg, range.max_eur_per_kg), "{name}: {kg_low} EUR/kg");
            assert!(within(kg_high, range.min_eur_per_kg, range.max_eur_per_kg), "{name}: {kg_high} EUR/kg");
            if let Some(per_unit) = line.eur_per_unit() {
                assert!(range.fits_per_unit(per_unit * low), "{name}: {} EUR per {}", per_unit * low, line.unit);
                assert!(range.fits_per_unit(per_unit * high), "{name}: {} EUR per {}", per_unit * high, line.unit);
                assert!(line.net_mass >= line.kg_per_unit.unwrap_or_default(), "{name}: less than one unit");
            }
        }
    }

    #[test]
    fn every_plausible_range_is_consistent() {
        let ranges = plausible_ranges();
        assert!(ranges.len() >= 100);
        for r in &ranges {
            assert!(Decimal::ZERO < r.min_eur_per_kg && r.min_eur_per_kg < r.max_eur_per_kg, "{r:?}");
            assert!(!r.basis.is_empty(), "{r:?}");
            assert!(["KGM", "NAR", "NPR", "MTK"].contains(&r.unit.as_str()), "{r:?}");
            let counted = (r.kg_per_unit, r.min_eur_per_unit, r.max_eur_per_unit);
            match counted {
                (Some(kg), Some(min), Some(max)) => {
                    assert!(r.unit != "KGM" && kg > Decimal::ZERO && Decimal::ZERO < min && min < max, "{r:?}");
                    // A typical unit at its lowest and highest value per kg cannot leave the unit range
                    // by more than the range itself allows.
                    assert!(min / kg < r.max_eur_per_kg && max / kg > r.min_eur_per_kg, "{r:?}");
                }
                (None, None, None) => assert_eq!(r.unit, "KGM", "{r:?}"),
                _ => panic!("{r:?} is half counted"),
            }
        }
    }

    /// The EUR value of an item priced in `currency`.
    fn in_eur(price: Decimal, currency: &str) -> Decimal {
        let per_eur = FOREIGN_INVOICES.iter().find(|f| f.0 == currency).map_or(Decimal::ONE, |f| f.2);
        price / per_eur
    }

    #[test]
    fn simulated_items_are_valued_within_the_plausible_range_of_their_heading() {
        let world = World::demo(8);
        let today = NaiveDate::from_ymd_opt(2026, 6, 1).unwrap_or_default();
        let levels: HashMap<(String, String), Decimal> =
            price_sample().into_iter().map(|l| ((l.hs6, l.origin), l.eur_per_kg)).collect();
        let mut r = rng(20_260_601);
        let (mut items, mut undervalued) = (0, 0);
        for i in 0..2_000 {
            let (doc, marks) = world.declaration_with_undervaluation(&mut r, &world.declarants[i % 8], today, 6);
            let currency = doc.invoice.as_ref().and_then(|v| v.currency.clone()).unwrap_or_default();
            let doc_items = doc.items.unwrap_or_default();
            assert_eq!(doc_items.len(), marks.len());
            for (item, under) in doc_items.iter().zip(marks) {
                let code = item.commodity_code.clone().unwrap_or_default();
                let origin = item.origin.clone().unwrap_or_default();
                let range = plausible_range(&code[..6]).unwrap_or_else(|| panic!("{code} has no range"));
                let unit = item.unit.clone().unwrap_or_default();
                let (net, quantity) = (item.net_mass.unwrap_or_default(), item.quantity.unwrap_or_default());
                let eur = in_eur(item.price.unwrap_or_default(), &currency);
                let per_kg = eur / net;
                assert_eq!(unit, range.unit, "declaration {i}, {code}");
                if unit == "KGM" {
                    assert_eq!(quantity, net, "declaration {i}, {code}");
                } else {
                    assert!(quantity >= Decimal::ONE && quantity.fract().is_zero(), "declaration {i}, {code}");
                }
                let per_unit = (unit != "KGM").then(|| eur / quantity);
                let shown =
                    format!("declaration {i}, {code} from {origin}: {eur:.2} EUR for {quantity} {unit}, {net} kg");
                items += 1;
                if !under {
                    assert!(range.fits_per_kg(per_kg), "{shown}: {per_kg:.4} EUR/kg outside {range:?}");
                    assert!(per_unit.is_none_or(|v| range.fits_per_unit(v)), "{shown}: outside {range:?}");
                    continue;
                }
                undervalued += 1;
                // Clearly under the line's level, never absurd: above a tenth of the range's floor.
                let level = levels.get(&(code[..6].to_string(), origin)).copied().unwrap_or_default();
                assert!(per_kg < level / dec!(2), "{shown}: {per_kg:.4} EUR/kg is not clearly under {level}");
                assert!(per_kg >= range.min_eur_per_kg / dec!(10), "{shown}: {per_kg:.4} EUR/kg is absurd");
                if let (Some(v), Some(min)) = (per_unit, range.min_eur_per_unit) {
                    assert!(v >= min / dec!(10), "{shown}: {v:.2} EUR per {unit} is absurd");
                }
            }
        }
        let share = f64::from(undervalued) * 100.0 / f64::from(items);
        assert!((3.0..=7.0).contains(&share), "{share:.1} % of {items} items undervalued");
    }

    /// The lower-case words of `text` of four letters or more, cut to their first five letters,
    /// so that "dresses" meets "dress" and "jerseys" meets "jersey".
    fn stems(text: &str) -> HashSet<String> {
        const COMMON: [&str; 10] =
            ["other", "with", "than", "their", "thereof", "whether", "not", "used", "kind", "made"];
        text.split(|c: char| !c.is_alphabetic())
            .map(str::to_lowercase)
            .filter(|w| w.chars().count() >= 4 && !COMMON.contains(&w.as_str()))
            .map(|w| w.chars().take(5).collect())
            .collect()
    }

    #[test]
    fn every_trade_description_names_goods_of_its_heading() {
        let descriptions = trade_descriptions();
        let hs = Nomenclature::hs2022();
        for line in price_sample() {
            let variants = descriptions.get(&line.hs6).unwrap_or_else(|| panic!("{} has no description", line.hs6));
            assert!(!variants.is_empty(), "{}", line.hs6);
            let heading: HashSet<String> = [&line.hs6[..4], line.hs6.as_str()]
                .iter()
                .filter_map(|c| hs.get(c))
                .flat_map(|e| stems(&e.description))
                .collect();
            for d in variants {
                assert!((3..=70).contains(&d.chars().count()), "{}: {d:?}", line.hs6);
                assert!(!stems(d).is_disjoint(&heading), "{}: {d:?} names nothing of its heading", line.hs6);
            }
        }
    }

    #[test]
    fn simulated_descriptions_come_from_the_subheading() {
        let world = World::demo(2);
        let descriptions = trade_descriptions();
        let today = NaiveDate::from_ymd_opt(2026, 6, 1).unwrap_or_default();
        let mut r = rng(5);
        for i in 0..300 {
            for item in world.declaration(&mut r, &world.declarants[i % 2], today, 4).items.unwrap_or_default() {
                let code = item.commodity_code.unwrap_or_default();
                let description = item.description.unwrap_or_default();
                assert!(descriptions[&code[..6]].contains(&description), "{code}: {description:?}");
            }
        }
    }

    #[test]
    fn a_subheading_without_trade_descriptions_is_described_from_the_nomenclature() {
        assert_eq!(nomenclature_description("091011"), "Ginger, neither crushed nor ground");
        assert_eq!(nomenclature_description("999999"), "Goods");
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
