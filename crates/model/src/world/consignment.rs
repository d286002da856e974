//! One consignment of the simulated world: the goods as they really are and the declaration
//! the trader files for them, which may say less (a lower price, a lower-duty heading).

use chrono::NaiveDate;
use rand::rngs::StdRng;
use rand::Rng;
use rust_decimal::Decimal;

use smartcustoms_core::codes::{CountryCode, Nomenclature};
use smartcustoms_core::declaration::{
    DeclarationDoc, DeliveryTermsDoc, DocumentDoc, GoodsItemDoc, InvoiceDoc, PartyDoc, TransportDoc,
};
use smartcustoms_core::inspection::Irregularity;
use smartcustoms_core::simulate::{PriceLine, OFFICES, WAREHOUSES};
use smartcustoms_core::valuation::{Observation, Source};

use super::traders::Behaviour;

/// A declaration as filed, beside the truth about the goods.
#[derive(Debug, Clone)]
pub struct Consignment {
    /// The declaration the trader files.
    pub declared: DeclarationDoc,
    /// The declaration that would tell the truth, when the filed one does not.
    pub actual: Option<DeclarationDoc>,
    /// What the filed declaration hides; empty when it is true.
    pub kinds: Vec<Irregularity>,
    /// Filed for the ring.
    pub ring: bool,
    /// What its importer hides in general.
    pub behaviour: Behaviour,
    /// Its importer arrived during the run.
    pub newcomer: bool,
    /// Date of the declaration.
    pub date: NaiveDate,
    /// A stable key, from which the random-control draw is made.
    pub key: String,
}

impl Consignment {
    /// True when the declaration hides something.
    pub fn is_irregular(&self) -> bool {
        !self.kinds.is_empty()
    }
}

/// A party on the declarations.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Party {
    /// Identification number (EORI style).
    pub id: String,
    /// Name.
    pub name: String,
    city: &'static str,
    postcode: &'static str,
}

const CITIES: [(&str, &str); 4] =
    [("Hamburg", "20457"), ("Frankfurt am Main", "60549"), ("Munich", "80331"), ("Berlin", "10115")];

impl Party {
    /// A German party with a 13-digit number after `DE`.
    pub fn new(number: u64, name: &str, city: usize) -> Party {
        let (city, postcode) = CITIES[city % CITIES.len()];
        Party { id: format!("DE{number:013}"), name: name.to_string(), city, postcode }
    }

    fn doc(&self) -> PartyDoc {
        party(&self.id, &self.name, "Hafenstrasse 1", self.city, self.postcode, "DE")
    }
}

/// One goods item: what it is and what it is declared as.
#[derive(Debug, Clone)]
pub struct Goods {
    /// The true HS subheading.
    pub hs6: String,
    /// The declared HS subheading.
    pub declared_hs6: String,
    /// Country of origin.
    pub origin: String,
    /// National subdivision of the commodity code (the last four digits).
    suffix: u32,
    net: Decimal,
    gross: Decimal,
    /// The price paid, EUR.
    pub eur: Decimal,
    /// The price declared, EUR.
    pub declared_eur: Decimal,
}

impl Goods {
    /// Goods of a price line, truthfully declared: the mass varies around the line's median
    /// between `mass_percent` of it, the price between 70 % and 140 % of the line's median
    /// value per kilogram.
    pub fn of(rng: &mut StdRng, line: &PriceLine, mass_percent: (u32, u32)) -> Goods {
        let factor = Decimal::from(rng.gen_range(mass_percent.0..=mass_percent.1)) / Decimal::from(100);
        let net = (line.net_mass * factor).round_dp(1).max(Decimal::new(1, 1));
        let price_factor = Decimal::from(rng.gen_range(70..=140)) / Decimal::from(100);
        let eur = (net * line.eur_per_kg * price_factor).round_dp(2).max(Decimal::ONE);
        Goods {
            hs6: line.hs6.clone(),
            declared_hs6: line.hs6.clone(),
            origin: line.origin.clone(),
            suffix: rng.gen_range(0..3) * 10,
            net,
            gross: (net * Decimal::new(108, 2)).round_dp(1),
            eur,
            declared_eur: eur,
        }
    }

    /// Quantity and unit of the goods under `hs6`: pieces for machines, appliances, toys and
    /// instruments, kilograms otherwise.
    fn quantity(&self, hs6: &str) -> (Decimal, &'static str) {
        if ["84", "85", "90", "95"].iter().any(|c| hs6.starts_with(c)) {
            ((self.net / Decimal::from(2)).ceil().max(Decimal::ONE), "NAR")
        } else {
            (self.net, "KGM")
        }
    }

    /// The observation of honest goods for the price reference's history.
    pub fn observation(&self) -> Option<Observation> {
        let (quantity, unit) = self.quantity(&self.hs6);
        Some(Observation {
            hs6: self.hs6.clone(),
            origin: CountryCode::parse(&self.origin)?,
            value_per_kg: self.eur.checked_div(self.net),
            value_per_unit: (unit == "NAR").then(|| self.eur.checked_div(quantity)).flatten(),
            source: Source::Kcs,
        })
    }
}

/// Preferences claimed for goods of an origin, after the demo tariff's groups: origin,
/// preference code and the proof of origin attached.
const PREFERENCES: [(&str, &str, &str); 3] = [("VN", "200", "N865"), ("KR", "300", "N954"), ("JP", "300", "N864")];

/// Everything on a declaration but its goods.
#[derive(Debug, Clone)]
pub struct Header {
    /// Who files.
    pub declarant: Party,
    /// Who imports.
    pub importer: Party,
    /// The supplier's identification number (its first two letters are its country).
    pub exporter: String,
    /// Office of declaration (index into `simulate::OFFICES`).
    pub office: usize,
    /// The mode of transport, when the route sets it; otherwise it follows from the mass.
    pub transport_mode: Option<&'static str>,
    /// Invoice currency and its units per EUR.
    pub currency: (&'static str, Decimal),
    /// Delivery terms.
    pub incoterm: &'static str,
    /// Date of the declaration.
    pub date: NaiveDate,
}

/// A header with its random details drawn, so that the filed and the true declaration of a
/// consignment differ only where the trader lies.
#[derive(Debug, Clone)]
pub struct Prepared {
    header: Header,
    mode: &'static str,
    means: String,
    invoice_number: String,
    invoice_date: NaiveDate,
    proofs: Vec<String>,
}

impl Prepared {
    /// Draws the means of transport, invoice number and date and proof numbers.
    pub fn new(rng: &mut StdRng, header: Header, goods: &[Goods]) -> Prepared {
        let gross: Decimal = goods.iter().map(|g| g.gross).sum();
        let mode = header.transport_mode.unwrap_or(if gross < Decimal::from(500) {
            "4"
        } else if gross < Decimal::from(20_000) {
            "3"
        } else {
            "1"
        });
        let means = match mode {
            "4" => format!("LH{}", rng.gen_range(100..9999)),
            "3" => format!("HH{}AB{}", rng.gen_range(10..99), rng.gen_range(100..999)),
            _ => imo_number(rng.gen_range(900_000..999_999)),
        };
        Prepared {
            mode,
            means,
            invoice_number: format!("INV-{}", rng.gen_range(10_000..99_999)),
            invoice_date: header.date - chrono::Duration::days(rng.gen_range(1..20)),
            proofs: goods.iter().map(|_| format!("{}", rng.gen_range(100_000..999_999))).collect(),
            header,
        }
    }

    /// The declaration of the goods: as filed, or (`actual`) as it would be if true.
    pub fn document(&self, goods: &[Goods], actual: bool) -> DeclarationDoc {
        let h = &self.header;
        let (currency, per_eur) = h.currency;
        let items: Vec<GoodsItemDoc> = goods
            .iter()
            .zip(&self.proofs)
            .enumerate()
            .map(|(i, (g, proof))| {
                let (hs6, eur) = if actual { (&g.hs6, g.eur) } else { (&g.declared_hs6, g.declared_eur) };
                let (quantity, unit) = g.quantity(hs6);
                let description = Nomenclature::hs2022()
                    .get(hs6)
                    .map(|e| e.description.chars().take(120).collect::<String>())
                    .unwrap_or_else(|| format!("Articles of subheading {hs6}"));
                let seq = i as u32 + 1;
                let mut documents = vec![DocumentDoc { kind: Some("N380".into()), number: Some(format!("INV-{seq}")) }];
                let preference = match PREFERENCES.iter().find(|(o, _, _)| *o == g.origin) {
                    Some((_, code, kind)) => {
                        documents
                            .push(DocumentDoc { kind: Some((*kind).into()), number: Some(format!("{kind}-{proof}")) });
                        *code
                    }
                    None => "100",
                };
                GoodsItemDoc {
                    sequence: Some(seq),
                    commodity_code: Some(format!("{hs6}{:04}", g.suffix)),
                    description: Some(description),
                    origin: Some(g.origin.clone()),
                    net_mass: Some(g.net),
                    gross_mass: Some(g.gross),
                    quantity: Some(quantity),
                    unit: Some(unit.into()),
                    price: Some((eur * per_eur).round_dp(2).max(Decimal::new(1, 2))),
                    valuation_method: Some("1".into()),
                    preference: Some(preference.into()),
                    documents: Some(documents),
                }
            })
            .collect();
        let total = items.iter().filter_map(|i| i.price).sum();
        let exporter_country = h.exporter.get(..2).unwrap_or("CN");
        DeclarationDoc {
            declaration_type: Some("IM".into()),
            procedure_code: Some("4000".into()),
            office: Some(OFFICES[h.office % OFFICES.len()].0.into()),
            declarant: Some(h.declarant.doc()),
            importer: Some(h.importer.doc()),
            exporter: Some(party(
                &h.exporter,
                &format!("Export Co {}", h.exporter),
                "1 Industrial Road",
                "Export City",
                "100000",
                exporter_country,
            )),
            representative: None,
            transport: Some(TransportDoc {
                mode: Some(self.mode.into()),
                means_id: Some(self.means.clone()),
                nationality: Some(if self.mode == "1" { "PA".into() } else { "DE".into() }),
            }),
            location_of_goods: Some(WAREHOUSES[h.office % WAREHOUSES.len()].into()),
            invoice: Some(InvoiceDoc {
                currency: Some(currency.into()),
                total: Some(total),
                number: Some(self.invoice_number.clone()),
                date: Some(self.invoice_date),
            }),
            delivery_terms: Some(DeliveryTermsDoc { incoterm: Some(h.incoterm.into()), place: Some("Hamburg".into()) }),
            declaration_date: Some(h.date),
            items: Some(items),
        }
    }
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
