//! The traders of the simulated world and what each hides: most are honest, some undervalue
//! now and then, a few declare high-duty goods under a lower-duty heading, a ring of importers
//! undervalues one kind of goods on one route and changes route and goods partway, and
//! newcomers keep arriving. The mix is set by the constants below; `docs/risk-simulation.md`
//! explains the choices.

use chrono::NaiveDate;
use rand::distributions::WeightedIndex;
use rand::prelude::Distribution;
use rand::rngs::StdRng;
use rand::seq::SliceRandom;
use rand::Rng;
use rust_decimal::Decimal;
use serde::Serialize;

use smartcustoms_core::inspection::Irregularity;
use smartcustoms_core::risk::OperatorRecord;
use smartcustoms_core::simulate::{price_sample, PriceLine, OFFICES};
use smartcustoms_core::valuation::{Observation, MIN_OBSERVATIONS};

use super::consignment::{self, Consignment, Goods, Header, Party};

/// Declarations a week per established trader: 2,000 declarations a week come from 250 traders.
pub const DECLARATIONS_PER_TRADER: usize = 8;
/// Customs brokers who file for other traders.
pub const BROKERS: usize = 8;
/// Share of traders that file through a broker rather than themselves.
pub const BROKER_SHARE: f64 = 0.6;
/// Share of established traders that undervalue now and then.
pub const UNDERVALUER_SHARE: f64 = 0.12;
/// Share of established traders that misclassify systematically.
pub const MISCLASSIFIER_SHARE: f64 = 0.06;
/// Share of honest established traders that hold an AEO authorisation.
pub const AEO_SHARE: f64 = 0.25;
/// Share of an occasional undervaluer's declarations that are undervalued.
pub const UNDERVALUED_DECLARATIONS: f64 = 0.3;
/// The same for a newcomer that undervalues: it has no record to protect.
pub const NEWCOMER_UNDERVALUED_DECLARATIONS: f64 = 0.5;
/// An undervalued item is declared at this share of its price, in percent (inclusive range).
pub const UNDERVALUED_PRICE_PERCENT: (u32, u32) = (30, 50);
/// Share of a misclassifier's items of a high-duty heading that it declares under the low one.
pub const MISCLASSIFIED_ITEMS: f64 = 0.9;
/// Share of honest items genuinely sold at 40–70 % of the usual price (end of line, seconds):
/// regular, yet they look like undervaluation.
pub const DISCOUNTED_ITEMS: f64 = 0.04;
/// Importers in the ring.
pub const RING_MEMBERS: usize = 5;
/// Share of all declarations the ring files.
pub const RING_SHARE: f64 = 0.02;
/// The ring declares its goods at this share of their price, in percent (inclusive range).
pub const RING_PRICE_PERCENT: (u32, u32) = (25, 40);
/// Ring importers replaced by new front companies when the ring changes route.
pub const RING_FRONTS_REPLACED: usize = 3;
/// A trader caught this many times faces the consequences (a penalty, a post-clearance audit)…
pub const DETERRED_AFTER: u32 = 3;
/// … and stops hiding anything with this probability (the ring never does: it changes route).
pub const DETERRED_SHARE: f64 = 0.5;
/// Observations of each price line in the price reference before the run: the line's count in
/// the price sample, at most this many.
pub const HISTORY_PER_LINE: usize = 60;
/// New traders a week per 1,000 declarations a week.
pub const NEWCOMERS_PER_THOUSAND: f64 = 2.5;
/// What newcomers hide: shares of honest, undervaluing and misclassifying newcomers.
pub const NEWCOMER_MIX: [(Behaviour, f64); 3] =
    [(Behaviour::Honest, 0.6), (Behaviour::Undervaluer, 0.25), (Behaviour::Misclassifier, 0.15)];

/// High-duty goods declared under a lower-duty heading, as pairs of HS subheadings (true,
/// declared), all from China and all in the price sample: footwear with rubber uppers
/// (16.9 %, at least 3.50 EUR/kg) as footwear with textile uppers (8 %); monitors (2.7 %) as
/// computer output units (0 %); headphones (2.7 %) as communication apparatus (0 %); prepared
/// groundnuts (14 %) as oil seeds (2 %).
pub const MISCLASSIFICATIONS: [(&str, &str); 4] =
    [("640291", "640419"), ("852852", "847160"), ("851830", "851762"), ("200811", "120799")];

/// The goods and the way into the territory of the ring.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Route {
    /// HS subheading of the goods.
    pub hs6: &'static str,
    /// Country of origin.
    pub origin: &'static str,
    /// Office of declaration (index into `simulate::OFFICES`).
    pub office: usize,
    /// Mode of transport at the border.
    pub transport_mode: &'static str,
}

/// The ring before it changes: women's trousers from China (12 %, among the most common lines
/// of the price sample) by sea through Hamburg.
pub const RING_BEFORE: Route = Route { hs6: "620463", origin: "CN", office: 0, transport_mode: "1" };
/// The ring after it changes: T-shirts from Viet Nam (claiming the GSP preference, 9.6 %) by
/// road through Frankfurt (Oder).
pub const RING_AFTER: Route = Route { hs6: "610910", origin: "VN", office: 3, transport_mode: "3" };

/// What a trader does that its declarations do not say.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Behaviour {
    /// Declares what it imports, at the price it pays.
    Honest,
    /// Declares part of the price on some of its declarations.
    Undervaluer,
    /// Declares goods of a high-duty heading under a lower-duty one.
    Misclassifier,
    /// Imports for the ring.
    Ring,
}

/// An importer of the simulated world.
#[derive(Debug, Clone)]
pub struct Trader {
    /// Identity on the declarations.
    pub party: Party,
    /// What it hides.
    pub behaviour: Behaviour,
    /// Arrived during the run.
    pub newcomer: bool,
    /// The broker that files for it (index into the brokers), or none when it files itself.
    pub broker: Option<usize>,
    /// Country its goods come from.
    pub origin: String,
    /// The price lines of the goods it imports (repeated lines are imported more often).
    lines: Vec<usize>,
    /// Its usual office (index into `simulate::OFFICES`).
    office: usize,
    /// Invoice currency and its units per EUR.
    currency: (&'static str, Decimal),
    incoterm: &'static str,
    exporters: Vec<String>,
    max_items: usize,
    /// How much it imports, relative to others.
    pub weight: f64,
    /// Holds an AEO authorisation.
    pub aeo: bool,
    /// First declaration ever (before the run for established traders).
    pub first_seen: NaiveDate,
    /// Declarations filed before the run.
    pub prior_declarations: u64,
    /// Still importing.
    pub active: bool,
    /// Times a control caught it.
    pub caught: u32,
}

/// Everyone who imports or files in the simulated world, and the state of the ring.
#[derive(Debug, Clone)]
pub struct Population {
    /// The importers, established ones first, then newcomers and new ring fronts in order of
    /// arrival.
    pub traders: Vec<Trader>,
    /// The customs brokers.
    pub brokers: Vec<Party>,
    /// The ring's broker (index into `brokers`).
    pub ring_broker: usize,
    /// The ring's route in force.
    pub route: Route,
    lines: Vec<PriceLine>,
    /// How often each line occurs in the price sample: how common the goods are.
    popularity: Vec<f64>,
    start: NaiveDate,
    newcomers_per_week: usize,
    next_id: u64,
}

/// Draws from a log-normal distribution with median 1 and the given spread.
fn lognormal(rng: &mut StdRng, sigma: f64) -> f64 {
    let u1: f64 = rng.gen_range(f64::EPSILON..1.0);
    let u2: f64 = rng.gen();
    let normal = (-2.0 * u1.ln()).sqrt() * (2.0 * std::f64::consts::PI * u2).cos();
    (sigma * normal).exp()
}

/// A percentage drawn from an inclusive range, as a share.
fn percent(rng: &mut StdRng, range: (u32, u32)) -> Decimal {
    Decimal::from(rng.gen_range(range.0..=range.1)) / Decimal::from(100)
}

impl Population {
    /// The world at the start of the run: established traders sized to `declarations_per_week`,
    /// brokers and the ring on its first route. The run starts on `start`.
    pub fn new(rng: &mut StdRng, declarations_per_week: usize, start: NaiveDate) -> Population {
        let lines = price_sample();
        let popularity = lines.iter().map(|l| observations_of(&l.hs6, &l.origin) as f64).collect();
        let brokers = (1..=BROKERS as u64)
            .map(|n| Party::new(2_000_000_000_000 + n, &format!("Customs Broker {n} GmbH"), n as usize))
            .collect();
        let mut population = Population {
            traders: Vec::new(),
            brokers,
            ring_broker: rng.gen_range(0..BROKERS),
            route: RING_BEFORE,
            lines,
            popularity,
            start,
            newcomers_per_week: ((declarations_per_week as f64 * NEWCOMERS_PER_THOUSAND / 1000.0).round() as usize)
                .max(1),
            next_id: 0,
        };
        let established = (declarations_per_week / DECLARATIONS_PER_TRADER).max(20);
        for _ in 0..established {
            let draw: f64 = rng.gen();
            let behaviour = if draw < UNDERVALUER_SHARE {
                Behaviour::Undervaluer
            } else if draw < UNDERVALUER_SHARE + MISCLASSIFIER_SHARE {
                Behaviour::Misclassifier
            } else {
                Behaviour::Honest
            };
            let first_seen = start - chrono::Duration::days(rng.gen_range(120..2_000));
            let trader = population.trader(rng, behaviour, false, first_seen);
            population.traders.push(trader);
        }
        for _ in 0..RING_MEMBERS {
            let first_seen = start - chrono::Duration::days(rng.gen_range(30..80));
            let member = population.ring_member(rng, first_seen);
            population.traders.push(member);
        }
        population
    }

    fn trader(&mut self, rng: &mut StdRng, behaviour: Behaviour, newcomer: bool, first_seen: NaiveDate) -> Trader {
        self.next_id += 1;
        let n = self.next_id;
        let weight = lognormal(rng, 1.0);
        // Misclassifiers trade the high-duty goods of the pairs, all from China; others import
        // goods of one origin, common goods more often than rare ones (weights: the square root
        // of a line's count in the price sample).
        let common = |i: &usize| self.popularity[*i].sqrt();
        let all: Vec<usize> = (0..self.lines.len()).collect();
        let origin = if behaviour == Behaviour::Misclassifier {
            "CN".to_string()
        } else {
            all.choose_weighted(rng, common).map_or_else(|_| "CN".to_string(), |&i| self.lines[i].origin.clone())
        };
        let own: Vec<usize> = all.iter().copied().filter(|&i| self.lines[i].origin == origin).collect();
        let count = rng.gen_range(2..=6);
        let mut lines: Vec<usize> = own
            .choose_multiple_weighted(rng, count.min(own.len()), |i| common(i))
            .map_or_else(|_| Vec::new(), |l| l.copied().collect());
        let line_of = |hs6: &str| self.lines.iter().position(|l| l.hs6 == hs6 && l.origin == "CN");
        match behaviour {
            Behaviour::Misclassifier => {
                // Its business is the high-duty goods: each comes up twice as often as others.
                let pairs = rng.gen_range(1..=2);
                for (truth, _) in MISCLASSIFICATIONS.choose_multiple(rng, pairs) {
                    lines.extend(line_of(truth).into_iter().flat_map(|l| [l, l, l]));
                }
            }
            // Some honest importers from China trade the same goods, under the right heading,
            // so that the headings alone do not give the misclassifiers away.
            _ if origin == "CN" && rng.gen_bool(0.15) => {
                let (truth, declared) = MISCLASSIFICATIONS.choose(rng).copied().unwrap_or(MISCLASSIFICATIONS[0]);
                lines.extend(line_of(truth).into_iter().chain(line_of(declared)));
            }
            _ => {}
        }
        let suppliers = rng.gen_range(1..=3);
        let exporters =
            (0..suppliers).map(|_| format!("{origin}{}", rng.gen_range(100_000_000u64..999_999_999))).collect();
        Trader {
            party: Party::new(3_000_000_000_000 + n, &format!("Import {n} GmbH"), n as usize),
            behaviour,
            newcomer,
            broker: rng.gen_bool(BROKER_SHARE).then(|| rng.gen_range(0..BROKERS)),
            origin,
            lines,
            office: rng.gen_range(0..OFFICES.len()),
            currency: if rng.gen_bool(0.2) { ("USD", Decimal::new(108, 2)) } else { ("EUR", Decimal::ONE) },
            incoterm: ["CIF", "FOB", "DAP", "CFR"].choose(rng).copied().unwrap_or("CIF"),
            exporters,
            max_items: rng.gen_range(1..=5),
            weight,
            aeo: !newcomer && behaviour == Behaviour::Honest && weight > 1.0 && rng.gen_bool(AEO_SHARE * 2.0),
            first_seen,
            prior_declarations: if newcomer { 0 } else { (weight * 150.0) as u64 + rng.gen_range(20..60) },
            active: true,
            caught: 0,
        }
    }

    /// A front company of the ring: young, filing through the ring's broker, buying from the
    /// ring's supplier of the route in force.
    fn ring_member(&mut self, rng: &mut StdRng, first_seen: NaiveDate) -> Trader {
        let mut member = self.trader(rng, Behaviour::Ring, false, first_seen);
        member.broker = Some(self.ring_broker);
        member.origin = self.route.origin.to_string();
        member.office = self.route.office;
        member.max_items = 2;
        member.aeo = false;
        member.prior_declarations = rng.gen_range(5..15);
        member.exporters = vec![ring_exporter(self.route)];
        member.lines = self.ring_line().into_iter().collect();
        member
    }

    /// The price line of the ring's goods: the route's origin, else any origin of the heading.
    fn ring_line(&self) -> Option<usize> {
        let Route { hs6, origin, .. } = self.route;
        let same = self.lines.iter().position(|l| l.hs6 == hs6 && l.origin == origin);
        same.or_else(|| self.lines.iter().position(|l| l.hs6 == hs6))
    }

    /// The first day of `week` (from 1).
    pub fn week_start(&self, week: u32) -> NaiveDate {
        self.start + chrono::Duration::days(7 * (i64::from(week) - 1))
    }

    /// The ring changes route and goods, and some of its fronts are replaced by new companies.
    pub fn switch_ring(&mut self, rng: &mut StdRng, week: u32) {
        self.route = RING_AFTER;
        let start = self.week_start(week);
        let members: Vec<usize> =
            (0..self.traders.len()).filter(|&i| self.traders[i].behaviour == Behaviour::Ring).collect();
        for (k, &i) in members.iter().enumerate() {
            if k < RING_FRONTS_REPLACED {
                self.traders[i].active = false;
                let mut front = self.ring_member(rng, start);
                front.newcomer = true;
                front.prior_declarations = 0;
                self.traders.push(front);
            } else {
                let line = self.ring_line();
                let member = &mut self.traders[i];
                member.origin = RING_AFTER.origin.to_string();
                member.office = RING_AFTER.office;
                member.exporters = vec![ring_exporter(RING_AFTER)];
                member.lines = line.into_iter().collect();
            }
        }
    }

    /// New traders arriving in `week`.
    pub fn arrive(&mut self, rng: &mut StdRng, week: u32) {
        let start = self.week_start(week);
        for _ in 0..self.newcomers_per_week {
            let draw: f64 = rng.gen();
            let mut total = 0.0;
            let behaviour = NEWCOMER_MIX
                .iter()
                .find(|(_, share)| {
                    total += share;
                    draw < total
                })
                .map_or(Behaviour::Honest, |(b, _)| *b);
            let trader = self.trader(rng, behaviour, true, start);
            self.traders.push(trader);
        }
    }

    /// The declarations of `week`, `count` of them, each with what was really imported.
    pub fn declarations(&self, rng: &mut StdRng, week: u32, count: usize) -> Vec<Consignment> {
        let active: Vec<usize> = (0..self.traders.len()).filter(|&i| self.traders[i].active).collect();
        let others: f64 = active
            .iter()
            .filter(|&&i| self.traders[i].behaviour != Behaviour::Ring)
            .map(|&i| self.traders[i].weight)
            .sum();
        let ring_members = active.iter().filter(|&&i| self.traders[i].behaviour == Behaviour::Ring).count().max(1);
        let ring_weight = others * RING_SHARE / (1.0 - RING_SHARE) / ring_members as f64;
        let weights: Vec<f64> = active
            .iter()
            .map(|&i| if self.traders[i].behaviour == Behaviour::Ring { ring_weight } else { self.traders[i].weight })
            .collect();
        let Ok(pick) = WeightedIndex::new(&weights) else { return Vec::new() };
        let start = self.week_start(week);
        let mut out: Vec<Consignment> = (0..count)
            .map(|k| {
                let who = active[pick.sample(rng)];
                let date = start + chrono::Duration::days(rng.gen_range(0..7));
                self.consignment(rng, who, date, format!("{week}/{k}"))
            })
            .collect();
        out.sort_by_key(|c| c.date);
        out
    }

    fn consignment(&self, rng: &mut StdRng, who: usize, date: NaiveDate, key: String) -> Consignment {
        let trader = &self.traders[who];
        let ring = trader.behaviour == Behaviour::Ring;
        let undervalues = match trader.behaviour {
            Behaviour::Undervaluer if trader.newcomer => rng.gen_bool(NEWCOMER_UNDERVALUED_DECLARATIONS),
            Behaviour::Undervaluer => rng.gen_bool(UNDERVALUED_DECLARATIONS),
            _ => false,
        };
        let n = rng.gen_range(1..=trader.max_items);
        let mut goods = Vec::with_capacity(n);
        for _ in 0..n {
            let Some(&line) = trader.lines.choose(rng) else { break };
            let line = &self.lines[line];
            let mut g = Goods::of(rng, line, if ring { (500, 2_000) } else { (5, 200) });
            if ring {
                // The ring's goods keep the price of their line, whatever origin it declares.
                g.origin = self.route.origin.to_string();
                g.declared_eur = (g.eur * percent(rng, RING_PRICE_PERCENT)).round_dp(2).max(Decimal::new(1, 2));
            } else if undervalues && (goods.is_empty() || rng.gen_bool(0.7)) {
                g.declared_eur = (g.eur * percent(rng, UNDERVALUED_PRICE_PERCENT)).round_dp(2).max(Decimal::new(1, 2));
            } else if trader.behaviour == Behaviour::Misclassifier && rng.gen_bool(MISCLASSIFIED_ITEMS) {
                if let Some((_, declared)) = MISCLASSIFICATIONS.iter().find(|(truth, _)| *truth == line.hs6) {
                    g.declared_hs6 = (*declared).to_string();
                }
            } else if trader.behaviour != Behaviour::Ring && rng.gen_bool(DISCOUNTED_ITEMS) {
                g.eur = (g.eur * percent(rng, (40, 70))).round_dp(2).max(Decimal::ONE);
                g.declared_eur = g.eur;
            }
            goods.push(g);
        }
        let mut kinds = Vec::new();
        if goods.iter().any(|g| g.declared_eur < g.eur) {
            kinds.push(Irregularity::Undervaluation);
        }
        if goods.iter().any(|g| g.declared_hs6 != g.hs6) {
            kinds.push(Irregularity::Misclassification);
        }
        let header = Header {
            declarant: trader.broker.map_or_else(|| trader.party.clone(), |b| self.brokers[b].clone()),
            importer: trader.party.clone(),
            exporter: trader.exporters.choose(rng).cloned().unwrap_or_else(|| format!("{}100000000", trader.origin)),
            office: if ring || rng.gen_bool(0.8) { trader.office } else { rng.gen_range(0..OFFICES.len()) },
            transport_mode: ring.then_some(self.route.transport_mode),
            currency: trader.currency,
            incoterm: trader.incoterm,
            date,
        };
        let header = consignment::Prepared::new(rng, header, &goods);
        Consignment {
            declared: header.document(&goods, false),
            actual: (!kinds.is_empty()).then(|| header.document(&goods, true)),
            kinds,
            ring,
            behaviour: trader.behaviour,
            newcomer: trader.newcomer,
            date,
            key,
        }
    }

    /// The records of every operator before the run: established traders' and brokers' past
    /// declarations and age, without controls (the platform holds no outcomes from before).
    pub fn prior_records(&self) -> Vec<OperatorRecord> {
        let traders = self.traders.iter().filter(|t| t.prior_declarations > 0).map(|t| OperatorRecord {
            id: t.party.id.clone(),
            declarations: t.prior_declarations,
            controls: 0,
            irregular: 0,
            first_seen: t.first_seen,
            aeo: t.aeo,
        });
        let brokers = self.brokers.iter().map(|b| OperatorRecord {
            id: b.id.clone(),
            declarations: 2_000,
            controls: 0,
            irregular: 0,
            first_seen: self.start - chrono::Duration::days(3_000),
            aeo: false,
        });
        traders.chain(brokers).collect()
    }

    /// A control caught the importer `id`: after [`DETERRED_AFTER`] catches it may stop
    /// hiding anything.
    pub fn caught(&mut self, rng: &mut StdRng, id: &str) {
        let Some(trader) = self.traders.iter_mut().find(|t| t.party.id == id) else { return };
        trader.caught += 1;
        if trader.caught == DETERRED_AFTER && trader.behaviour != Behaviour::Ring && rng.gen_bool(DETERRED_SHARE) {
            trader.behaviour = Behaviour::Honest;
        }
    }

    /// Observed prices before the run: every line of the price sample at honest prices, as
    /// often as the sample counts it (at most [`HISTORY_PER_LINE`]), as the price reference's
    /// history.
    pub fn history(&self, rng: &mut StdRng) -> Vec<Observation> {
        self.lines
            .iter()
            .zip(&self.popularity)
            .flat_map(|(line, &n)| {
                (0..(n as usize).clamp(MIN_OBSERVATIONS as usize, HISTORY_PER_LINE)).map(move |_| line)
            })
            .filter_map(|line| Goods::of(rng, line, (5, 200)).observation())
            .collect()
    }
}

/// The price sample as shipped, for the count of observations behind each line.
const PRICE_SAMPLE: &str = include_str!("../../../../data/prices/sample.csv");

/// How many observations the price sample's line of `hs6` from `origin` summarises.
fn observations_of(hs6: &str, origin: &str) -> u32 {
    PRICE_SAMPLE
        .lines()
        .skip(1)
        .map(|l| l.split(',').collect::<Vec<_>>())
        .find(|f| f.first() == Some(&hs6) && f.get(1) == Some(&origin))
        .and_then(|f| f.get(2)?.parse().ok())
        .unwrap_or(MIN_OBSERVATIONS)
}

/// The ring's supplier on a route.
fn ring_exporter(route: Route) -> String {
    format!("{}{}", route.origin, if route.origin == "CN" { "440012345" } else { "550067890" })
}
