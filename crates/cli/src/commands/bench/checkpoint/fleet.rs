//! The vehicles of `bench checkpoint`: what they carry and under which pre-arrival information,
//! what goes wrong on their way through the lane, the events their equipment sends, and the
//! operations the rules of `docs/checkpoint.md` leave due after each event. The expected
//! operations are worked out here from those rules, independently of the platform's `decide`,
//! so that a wrong decision is counted rather than copied.

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use serde_json::{json, Value};

use smartcustoms_core::simulate::SimParty;
use smartcustoms_core::timestamp::Timestamp;
use smartcustoms_core::transit::pre_arrival::{FormOfControl, Place, PreliminaryDecision};

/// A kind of goods a vehicle may carry.
#[derive(Debug, Clone, Copy)]
pub struct Goods {
    /// Commodity code (six digits).
    pub hs: &'static str,
    /// Description as announced.
    pub description: &'static str,
    /// Naturally occurring radioactive material (docs/checkpoint.md's NORM list).
    pub norm: bool,
    /// Perishable goods (a priority fact).
    pub perishable: bool,
    /// Dangerous goods under ADR (a priority fact).
    pub dangerous: bool,
}

/// The goods announced in the pre-arrival information: ordinary goods, NORM goods that set
/// portals off, and excise goods and arms that are checked at the border whoever sends them.
pub const GOODS: [Goods; 8] = [
    Goods { hs: "851713", description: "Smartphones", norm: false, perishable: false, dangerous: false },
    Goods { hs: "847130", description: "Laptop computers", norm: false, perishable: false, dangerous: false },
    Goods { hs: "080390", description: "Bananas, fresh", norm: true, perishable: true, dangerous: false },
    Goods { hs: "690721", description: "Ceramic floor tiles", norm: true, perishable: false, dangerous: false },
    Goods {
        hs: "310420",
        description: "Potassium chloride fertiliser",
        norm: true,
        perishable: false,
        dangerous: false,
    },
    Goods { hs: "320890", description: "Paints in organic solvent", norm: false, perishable: false, dangerous: true },
    Goods { hs: "240220", description: "Cigarettes", norm: false, perishable: false, dangerous: false },
    Goods { hs: "930190", description: "Sporting rifles", norm: false, perishable: false, dangerous: false },
];

/// The consignee of announced goods, by its record with customs (the categories the bench
/// puts in force): low risk, high risk (inspection at the border), or no record yet.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Consignee {
    /// Category low.
    Low,
    /// Category high.
    High,
    /// No record.
    Unknown,
}

/// What a vehicle carries and what the platform knows of it before it arrives.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Cargo {
    /// Empty: no pre-arrival information is needed.
    Empty,
    /// Laden without pre-arrival information.
    Unannounced,
    /// Laden under signed pre-arrival information filed beforehand.
    Announced {
        /// Index into [`GOODS`].
        goods: usize,
        /// The consignee.
        consignee: Consignee,
        /// Gross mass of the goods, kg.
        goods_kg: u32,
        /// True when the carrier names the pre-arrival information when it books; otherwise
        /// the platform finds it by the plate.
        named: bool,
    },
}

/// The weighings of a vehicle.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Weight {
    /// Within the expected mass.
    Within,
    /// Outside, then within when weighed again.
    Resolved,
    /// Outside twice.
    Persists,
}

/// The radiation readings of a vehicle.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Radiation {
    /// No alarm.
    Clean,
    /// A primary gamma alarm the secondary check clears.
    GammaCleared,
    /// A primary gamma alarm the secondary check confirms.
    GammaConfirmed,
    /// A neutron alarm at the primary portal.
    Neutron,
}

/// One vehicle driven through the checkpoint.
#[derive(Debug, Clone)]
pub struct Vehicle {
    /// The plate as the carrier types it.
    pub plate: String,
    /// Country of registration.
    pub country: &'static str,
    /// The lane whose equipment measures it.
    pub lane: usize,
    /// False for a vehicle the checkpoint does not know (its plate read stays unattached).
    pub known: bool,
    /// Booked a slot; otherwise joins the live queue.
    pub booked: bool,
    /// Its cargo.
    pub cargo: Cargo,
    /// Unladen mass, kg.
    pub unladen_kg: u32,
    /// Load of an unannounced vehicle, kg (the scale sees it, the platform has nothing to
    /// compare it with).
    pub load_kg: u32,
    /// Its weighings.
    pub weight: Weight,
    /// Its radiation readings.
    pub radiation: Radiation,
    /// Scanned even if no scan is asked for (random scanning).
    pub random_scan: bool,
    /// Its scan, when scanned, is suspect.
    pub suspect: bool,
}

/// Lanes of the checkpoint, each with a camera, a scale, a portal and a secondary instrument.
pub const LANES: usize = 8;

/// `n` vehicles the checkpoint knows and `unknown` it does not, spread among them, drawn
/// from `seed`. Shares: 40 % booked; 15 % empty, 20 % laden without pre-arrival information,
/// 65 % announced (consignees 60 % low risk, 25 % without a record, 15 % high risk); 1 %
/// neutron alarms, gamma alarms on 30 % of NORM loads and 6 % of others (a quarter confirmed);
/// weight discrepancies on 6 % of announced vehicles (half resolved by weighing again); 10 %
/// scanned at random besides those the preliminary decision sends to the scanner, a fifth of
/// scans suspect.
pub fn fleet(prefix: &str, n: usize, unknown: usize, seed: u64) -> Vec<Vehicle> {
    let mut rng = StdRng::seed_from_u64(seed);
    let countries = ["PL", "LT", "BY", "DE", "UA"];
    let every = (n + unknown).checked_div(unknown).unwrap_or(usize::MAX);
    let (mut known, mut strangers) = (0, 0);
    let mut out = Vec::with_capacity(n + unknown);
    while known < n || strangers < unknown {
        let position = known + strangers;
        let stranger = strangers < unknown && (known == n || (position + 1) % every == 0);
        let plate = if stranger {
            strangers += 1;
            format!("Z{prefix}U{strangers:05}")
        } else {
            known += 1;
            format!("K{prefix}{known:06}")
        };
        let cargo = match rng.gen_range(0..100) {
            0..=14 => Cargo::Empty,
            15..=34 => Cargo::Unannounced,
            _ => Cargo::Announced {
                goods: rng.gen_range(0..GOODS.len()),
                consignee: match rng.gen_range(0..100) {
                    0..=59 => Consignee::Low,
                    60..=84 => Consignee::Unknown,
                    _ => Consignee::High,
                },
                goods_kg: rng.gen_range(8_000..24_000),
                named: rng.gen_bool(0.5),
            },
        };
        let norm = matches!(cargo, Cargo::Announced { goods, .. } if GOODS[goods].norm);
        let radiation = if rng.gen_bool(0.01) {
            Radiation::Neutron
        } else if rng.gen_bool(if norm { 0.30 } else { 0.06 }) {
            if rng.gen_bool(0.25) {
                Radiation::GammaConfirmed
            } else {
                Radiation::GammaCleared
            }
        } else {
            Radiation::Clean
        };
        let weight = match (cargo, rng.gen_range(0..100)) {
            (Cargo::Announced { .. }, 0..=2) => Weight::Resolved,
            (Cargo::Announced { .. }, 3..=5) => Weight::Persists,
            _ => Weight::Within,
        };
        out.push(Vehicle {
            plate,
            country: countries[rng.gen_range(0..countries.len())],
            lane: position % LANES,
            known: !stranger,
            booked: rng.gen_bool(0.4),
            cargo,
            unladen_kg: rng.gen_range(12_500..16_000),
            load_kg: rng.gen_range(5_000..22_000),
            weight,
            radiation,
            random_scan: rng.gen_bool(0.1),
            suspect: rng.gen_bool(0.2),
        });
    }
    out
}

/// A checkpoint's settings as a supervisor writes them: 30-minute slots on 8 lanes,
/// `per_lane` places each, bookable three days ahead; the priority rules of
/// `docs/checkpoint.md`.
pub fn settings(per_lane: u32) -> Value {
    json!({
        "name": "Bench road crossing",
        "slots": { "length_minutes": 30, "lanes": LANES, "per_lane": per_lane, "horizon_hours": 72, "grace_minutes": 15 },
        "weight_tolerance_pct": "2",
        "min_confidence": 0.6,
        "priority_rules": crate::demo_checkpoint::example_rules(),
    })
}

/// The pre-arrival information announcing an `Announced` vehicle's goods under `reference`.
pub fn pre_arrival(v: &Vehicle, reference: &str, consignee: &SimParty, now: Timestamp) -> Option<Value> {
    let Cargo::Announced { goods, goods_kg, .. } = v.cargo else { return None };
    let g = GOODS[goods];
    Some(json!({
        "reference": reference,
        "office_of_entry": "DE009100",
        "expected_arrival_at_us": now.as_micros() + 3_600_000_000,
        "transport_document": format!("CMR {reference}"),
        "consignor": { "id": "CN91440300MA5F", "name": "Shenzhen Trading Ltd", "country": "CN" },
        "consignee": { "id": consignee.id, "name": consignee.name, "country": &consignee.id[..2] },
        "carrier": { "id": "PL5260250274", "name": "Trans Polska Sp. z o.o.", "country": "PL" },
        "transport": { "mode": "3", "means_id": v.plate, "nationality": v.country },
        "items": [{ "sequence": 1, "commodity_code": g.hs, "description": g.description,
                    "gross_mass": format!("{goods_kg}.0"), "value": "60000.00", "currency": "EUR" }]
    }))
}

/// The booking or queue entry of a vehicle, naming `pre_arrival` when given.
pub fn admission(v: &Vehicle, slot: Option<String>, pre_arrival: Option<&str>) -> Value {
    let goods = match v.cargo {
        Cargo::Announced { goods, .. } => Some(GOODS[goods]),
        _ => None,
    };
    json!({
        "plate": v.plate,
        "country": v.country,
        "slot": slot,
        "pre_arrival": pre_arrival,
        "unladen_mass_kg": matches!(v.cargo, Cargo::Announced { .. }).then(|| v.unladen_kg.to_string()),
        "empty": v.cargo == Cargo::Empty,
        "perishable": goods.is_some_and(|g| g.perishable),
        "dangerous_goods": goods.is_some_and(|g| g.dangerous),
    })
}

/// What the platform decides a vehicle's operations from besides its events.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Basis {
    /// An empty vehicle.
    NotRequired,
    /// Laden without pre-arrival information.
    Missing,
    /// The preliminary decision of its pre-arrival information.
    Decided(FormOfControl, Option<Place>),
}

impl Basis {
    /// The basis of a vehicle whose pre-arrival information got `decision`.
    pub fn of(v: &Vehicle, decision: Option<&PreliminaryDecision>) -> Basis {
        match (v.cargo, decision) {
            (Cargo::Empty, _) => Basis::NotRequired,
            (_, Some(d)) => Basis::Decided(d.control, d.place),
            (_, None) => Basis::Missing,
        }
    }

    fn asks_scan(&self) -> bool {
        matches!(self, Basis::Decided(FormOfControl::Inspection, Some(Place::Border) | None))
    }
}

/// What the rules know of a vehicle after some of its events.
#[derive(Debug, Clone)]
struct Known {
    basis: Basis,
    norm: bool,
    mass_known: bool,
    outside: Vec<bool>,
    neutron: bool,
    primary_gamma: bool,
    secondary_alarm: Option<bool>,
    scans: Vec<bool>,
}

impl Known {
    /// The operations due, comma separated in the order of the table in docs/checkpoint.md.
    fn due(&self) -> String {
        let mut due = Vec::new();
        let latest_outside = self.mass_known && self.outside.last() == Some(&true);
        let earlier_outside = self.outside.iter().rev().skip(1).any(|o| *o);
        if self.neutron || (self.secondary_alarm == Some(true) && !self.norm) {
            return "hold".into();
        }
        if self.primary_gamma && self.secondary_alarm.is_none() {
            due.push("secondary_radiation_check");
        }
        if latest_outside && !earlier_outside {
            due.push("weigh_again");
        }
        let documents = match &self.basis {
            Basis::Missing => true,
            Basis::Decided(FormOfControl::Documents, place) => *place != Some(Place::Inland),
            _ => false,
        };
        if documents {
            due.push("check_documents");
        }
        if self.basis.asks_scan() && self.scans.is_empty() {
            due.push("scan");
        }
        let suspect = self.scans.iter().any(|s| *s);
        if suspect || (self.secondary_alarm == Some(true) && self.norm) || (latest_outside && earlier_outside) {
            due.push("inspect");
        }
        if due.is_empty() {
            due.push("pass");
        }
        due.join(",")
    }
}

/// One event a lane's equipment sends, without its time, and the operations due once it is
/// decided.
#[derive(Debug, Clone)]
pub struct Step {
    /// The event's kind (and the change the platform's notice names).
    pub kind: &'static str,
    /// The event as sent, but for `time`.
    pub body: Value,
    /// The operations due after it.
    pub due: String,
}

impl Step {
    /// The event's JSON with its time `now`.
    pub fn to_json(&self, now: Timestamp) -> Vec<u8> {
        let mut body = self.body.clone();
        body["time"] = json!(now.rfc3339());
        serde_json::to_vec(&body).unwrap_or_default()
    }
}

/// The operations due when the vehicle is booked or joins the queue (the provisional plan).
pub fn planned(v: &Vehicle, basis: &Basis) -> String {
    known(v, basis).due()
}

fn known(v: &Vehicle, basis: &Basis) -> Known {
    Known {
        basis: basis.clone(),
        norm: matches!(v.cargo, Cargo::Announced { goods, .. } if GOODS[goods].norm),
        mass_known: matches!(v.cargo, Cargo::Announced { .. }),
        outside: Vec::new(),
        neutron: false,
        primary_gamma: false,
        secondary_alarm: None,
        scans: Vec::new(),
    }
}

/// The events of a vehicle through its lane, in order: the plate read, the weighing (and a
/// second one after a discrepancy), the primary portal (and the secondary check after a
/// gamma alarm), the scanner when a scan is due or the vehicle is picked at random. Nothing
/// follows a hold: the vehicle waits for the radiation authority. A vehicle the checkpoint
/// does not know only passes the camera.
pub fn script(v: &Vehicle, basis: &Basis, seq: usize) -> Vec<Step> {
    let lane = v.lane;
    let mut k = known(v, basis);
    let mut steps = Vec::new();
    let read = json!({ "kind": "plate_read", "device": format!("anpr-{lane}"), "plate": v.plate,
                       "country": v.country, "confidence": 0.92, "lane": lane });
    steps.push(Step { kind: "plate_read", body: read, due: k.due() });
    if !v.known {
        return steps;
    }
    let expected_kg = match v.cargo {
        Cargo::Announced { goods_kg, .. } => f64::from(v.unladen_kg + goods_kg),
        Cargo::Unannounced => f64::from(v.unladen_kg + v.load_kg),
        Cargo::Empty => f64::from(v.unladen_kg),
    };
    // Within: up to ±1 % (the class 1 scale and 2 % tolerance allow 3 %); outside: 15 % over.
    let within = expected_kg * (1.0 + ((seq * 37 % 21) as f64 - 10.0) / 1000.0);
    let outside = expected_kg * 1.15;
    let weighings: &[bool] = match v.weight {
        Weight::Within => &[false],
        Weight::Resolved => &[true, false],
        Weight::Persists => &[true, true],
    };
    for &out in weighings {
        let kg = if out { outside } else { within };
        let body = json!({ "kind": "weighing", "device": format!("wim-{lane}"), "plate": v.plate,
                           "gross_mass_kg": (kg * 10.0).round() / 10.0, "axles": 5, "accuracy_class": 1,
                           "length_m": 16.5, "width_m": 2.55, "height_m": 4.0 });
        k.outside.push(out);
        steps.push(Step { kind: "weighing", body, due: k.due() });
    }
    let reading = |stage: &str, alarm: bool, neutron: bool| {
        let device = if stage == "primary" { format!("rpm-{lane}") } else { format!("riid-{lane}") };
        json!({ "kind": "radiation", "device": device, "plate": v.plate, "stage": stage, "alarm": alarm,
                "neutron_alarm": neutron, "gamma_cps": if alarm && !neutron { 4650.0 } else { 1840.0 },
                "gamma_background_cps": 1800.0, "neutron_cps": if neutron { 41.0 } else { 2.0 },
                "neutron_background_cps": 2.0 })
    };
    let primary = match v.radiation {
        Radiation::Clean => reading("primary", false, false),
        Radiation::GammaCleared | Radiation::GammaConfirmed => reading("primary", true, false),
        Radiation::Neutron => reading("primary", true, true),
    };
    k.neutron = v.radiation == Radiation::Neutron;
    k.primary_gamma = matches!(v.radiation, Radiation::GammaCleared | Radiation::GammaConfirmed);
    steps.push(Step { kind: "radiation", body: primary, due: k.due() });
    if k.primary_gamma {
        let confirmed = v.radiation == Radiation::GammaConfirmed;
        k.secondary_alarm = Some(confirmed);
        steps.push(Step { kind: "radiation", body: reading("secondary", confirmed, false), due: k.due() });
    }
    if k.due() == "hold" {
        return steps;
    }
    if basis.asks_scan() || v.random_scan {
        let verdict = if v.suspect { "suspect" } else { "clear" };
        k.scans.push(v.suspect);
        let body = json!({ "kind": "scan", "device": "xray-1", "plate": v.plate, "verdict": verdict,
                           "image": format!("xray-1/{}", v.plate) });
        steps.push(Step { kind: "scan", body, due: k.due() });
    }
    steps
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vehicle(cargo: Cargo, weight: Weight, radiation: Radiation) -> Vehicle {
        Vehicle {
            plate: "K1".into(),
            country: "PL",
            lane: 0,
            known: true,
            booked: false,
            cargo,
            unladen_kg: 14_000,
            load_kg: 10_000,
            weight,
            radiation,
            random_scan: false,
            suspect: true,
        }
    }

    fn last(v: &Vehicle, basis: &Basis) -> String {
        script(v, basis, 1).last().map(|s| s.due.clone()).unwrap_or_default()
    }

    #[test]
    fn the_expected_operations_follow_the_documented_rules() {
        let tiles = Cargo::Announced { goods: 3, consignee: Consignee::Low, goods_kg: 20_000, named: true };
        let phones = Cargo::Announced { goods: 0, consignee: Consignee::High, goods_kg: 20_000, named: true };
        let none = Basis::Decided(FormOfControl::None, None);
        let inspect = Basis::Decided(FormOfControl::Inspection, Some(Place::Border));
        let empty = vehicle(Cargo::Empty, Weight::Within, Radiation::Clean);
        assert_eq!(last(&empty, &Basis::NotRequired), "pass");
        let unannounced = vehicle(Cargo::Unannounced, Weight::Within, Radiation::Clean);
        assert_eq!(last(&unannounced, &Basis::Missing), "check_documents");
        let neutron = vehicle(Cargo::Unannounced, Weight::Within, Radiation::Neutron);
        assert_eq!(last(&neutron, &Basis::Missing), "hold");
        let norm = vehicle(tiles, Weight::Persists, Radiation::GammaConfirmed);
        let steps = script(&norm, &none, 1);
        let due: Vec<&str> = steps.iter().map(|s| s.due.as_str()).collect();
        assert_eq!(due, ["pass", "weigh_again", "inspect", "secondary_radiation_check,inspect", "inspect"]);
        let scanned = vehicle(phones, Weight::Resolved, Radiation::GammaCleared);
        assert_eq!(planned(&scanned, &inspect), "scan");
        let due: Vec<String> = script(&scanned, &inspect, 1).into_iter().map(|s| s.due).collect();
        assert_eq!(due, ["scan", "weigh_again,scan", "scan", "secondary_radiation_check,scan", "scan", "inspect"]);
        let confirmed = vehicle(phones, Weight::Within, Radiation::GammaConfirmed);
        assert_eq!(last(&confirmed, &inspect), "hold", "no scan after a hold");
    }

    #[test]
    fn the_fleet_has_every_kind_of_vehicle_and_unique_plates() {
        let f = fleet("AB1", 2_000, 20, 7);
        assert_eq!(f.len(), 2_020);
        assert_eq!(f.iter().filter(|v| !v.known).count(), 20);
        let plates: std::collections::HashSet<&str> = f.iter().map(|v| v.plate.as_str()).collect();
        assert_eq!(plates.len(), f.len());
        assert!(f.iter().any(|v| v.radiation == Radiation::Neutron));
        assert!(f.iter().any(|v| v.weight == Weight::Persists));
        assert!(f.iter().any(|v| v.cargo == Cargo::Empty) && f.iter().any(|v| v.booked));
    }
}
