//! The order of operations at the checkpoint: from what is known of a vehicle (the preliminary
//! decision of its pre-arrival information, the open alerts of its navigation seal, its declared
//! mass, the goods declarations filed for it and the equipment events so far) the operations
//! still due, in order, each with its
//! reasons.
//!
//! The decision is computed as early as possible and again on every event: at booking, with only
//! the preliminary decision known, it is the provisional plan; each weighing, radiation reading
//! or scan re-decides from everything known. It depends on the facts, never on the booking: a
//! booking buys a time, not fewer checks. The rules are listed in `docs/checkpoint.md`.

use std::collections::BTreeSet;

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::codes::Code;
use super::event::{Event, RadiationReading, ScanResult, ScanVerdict, Stage, Weighing};
use super::reason::Reason;
use crate::codes::HsCode;
use crate::risk::Lane;
use crate::seals::AlertKind;
use crate::transit::pre_arrival::{FormOfControl, Place, PreliminaryDecision};

/// An operation at the checkpoint, in the order they are done: when several are due, they come
/// in this order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, ToSchema)]
#[schema(as = CheckpointOperation)]
#[serde(rename_all = "snake_case")]
pub enum Operation {
    /// Keep the vehicle where it is and call the radiation authority; nothing else is done
    /// until it decides.
    Hold,
    /// Measure again with a secondary portal or a handheld identifier, before anyone opens
    /// the vehicle.
    SecondaryRadiationCheck,
    /// Drive over the scale again.
    WeighAgain,
    /// Check the documents (and, for a transit, the seal's incidents).
    CheckDocuments,
    /// Scan the vehicle (X-ray or gamma-ray).
    Scan,
    /// Inspect the goods.
    Inspect,
    /// Let the vehicle go.
    Pass,
}

impl Operation {
    /// Every operation, in the order they are done.
    pub const ALL: [Operation; 7] = [
        Operation::Hold,
        Operation::SecondaryRadiationCheck,
        Operation::WeighAgain,
        Operation::CheckDocuments,
        Operation::Scan,
        Operation::Inspect,
        Operation::Pass,
    ];

    /// The stable code.
    pub fn code(self) -> &'static str {
        match self {
            Operation::Hold => "hold",
            Operation::SecondaryRadiationCheck => "secondary_radiation_check",
            Operation::WeighAgain => "weigh_again",
            Operation::CheckDocuments => "check_documents",
            Operation::Scan => "scan",
            Operation::Inspect => "inspect",
            Operation::Pass => "pass",
        }
    }
}

/// Goods whose natural radioactivity sets off radiation portals (naturally occurring
/// radioactive material, NORM), as commodity-code prefixes. A gamma alarm on a load made only of
/// these calls for a secondary check rather than a hold.
pub const NORM_HS_PREFIXES: [&str; 14] = [
    "0803", // bananas (potassium-40)
    "2508", // clays, bentonite (cat litter)
    "2510", // natural calcium phosphates
    "2516", // granite, porphyry, basalt
    "2525", // mica
    "2529", // feldspar, leucite
    "2530", // mineral substances n.e.s.
    "2615", // zirconium ores (zircon sand)
    "2618", // granulated slag
    "2621", // other slag and ash
    "3104", // potassic fertilisers (potash)
    "3105", // mixed fertilisers with potassium
    "6802", // worked stone, granite slabs
    "69",   // ceramic products, headings 6901 to 6914: tiles, bricks, sanitary ware
];

/// True when there are goods and every one is on the NORM list: a mixed load may hide a source
/// among its NORM goods, so it is not given the NORM allowance.
pub fn is_norm(goods: &[HsCode]) -> bool {
    !goods.is_empty() && goods.iter().all(|g| NORM_HS_PREFIXES.iter().any(|p| g.as_str().starts_with(p)))
}

/// What is known of the pre-arrival information.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PreArrivalStatus {
    /// Filed, with the preliminary decision on the form of control.
    Decided(PreliminaryDecision),
    /// None is needed (an empty vehicle).
    NotRequired,
    /// None was filed for goods that need it.
    Missing,
}

/// The expected gross mass of the laden vehicle: its unladen mass (registration, or its last
/// weighing empty) plus the declared gross mass of the goods. A scale weighs the whole vehicle,
/// so the goods' mass alone is never compared with it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct DeclaredMass {
    /// Unladen mass of the vehicle, kg.
    #[schema(value_type = String)]
    pub vehicle_kg: Decimal,
    /// Declared gross mass of the goods, kg.
    #[schema(value_type = String)]
    pub goods_kg: Decimal,
}

impl DeclaredMass {
    /// The expected gross mass of the laden vehicle, kg.
    pub fn total(&self) -> Decimal {
        self.vehicle_kg.saturating_add(self.goods_kg)
    }
}

/// A goods declaration filed for the goods on the vehicle, as it stands now.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct DeclarationStatus {
    /// Its registration number, or its id while it has none.
    pub number: String,
    /// Its lane, once assessed.
    #[schema(value_type = Option<String>)]
    pub lane: Option<Lane>,
    /// True once the goods are released.
    pub released: bool,
}

/// Everything the decision is made from.
#[derive(Debug, Clone, PartialEq)]
pub struct Case {
    /// The pre-arrival information's preliminary decision.
    pub pre_arrival: PreArrivalStatus,
    /// Commodity codes of the goods declared.
    pub goods: Vec<HsCode>,
    /// Open alerts of the navigation seal, for a vehicle in transit; empty otherwise.
    pub open_seal_alerts: Vec<AlertKind>,
    /// The expected mass, when declared.
    pub declared_mass: Option<DeclaredMass>,
    /// The goods declarations filed for the vehicle's goods (found by its number plate).
    pub declarations: Vec<DeclarationStatus>,
    /// The equipment events of this vehicle so far, in any order.
    pub events: Vec<Event>,
    /// The operations officers did and cleared (`check_documents`, `inspect`, `hold`); the
    /// equipment's operations (scan, weighing, radiation check) are done by their events.
    pub done: Vec<Operation>,
}

/// The administration's settings of the decision.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct DecisionRules {
    /// Percent of the expected mass allowed on top of the scale's accuracy class: packing,
    /// fuel and the driver weigh something.
    #[schema(value_type = String)]
    pub weight_tolerance_pct: Decimal,
}

impl Default for DecisionRules {
    /// A tolerance of 2 %.
    fn default() -> Self {
        DecisionRules { weight_tolerance_pct: Decimal::TWO }
    }
}

/// The operations due, in order, and every reason (those asking for an operation and those that
/// only note a fact).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[schema(as = CheckpointDecision)]
pub struct Decision {
    /// The operations, in the order of [`Operation`]; `[hold]` alone when held, `[pass]` alone
    /// when nothing is due.
    pub operations: Vec<Operation>,
    /// The reasons, by rule: pre-arrival, seal, weight, radiation, scan.
    pub reasons: Vec<Reason>,
}

/// The operations an officer does (and records as done); the others are done by the
/// equipment, whose events say how they went.
pub const OFFICERS_OPERATIONS: [Operation; 3] = [Operation::Hold, Operation::CheckDocuments, Operation::Inspect];

/// Decides the operations still due for the vehicle.
pub fn decide(case: &Case, rules: &DecisionRules) -> Decision {
    let mut events: Vec<&Event> = case.events.iter().collect();
    // A stable sort: events of the same instant keep the order they were given in.
    events.sort_by_key(|e| e.time());
    let scans: Vec<&ScanResult> =
        events.iter().filter_map(|e| if let Event::Scan(s) = e { Some(s) } else { None }).collect();
    let weighings: Vec<&Weighing> =
        events.iter().filter_map(|e| if let Event::Weighing(w) = e { Some(w) } else { None }).collect();
    let readings: Vec<&RadiationReading> =
        events.iter().filter_map(|e| if let Event::Radiation(r) = e { Some(r) } else { None }).collect();

    let mut reasons = Vec::new();
    // A goods declaration filed for the goods stands for the missing pre-arrival information:
    // its own lane says what is checked.
    let scan_asked = match (&case.pre_arrival, case.declarations.is_empty()) {
        (PreArrivalStatus::Missing, false) => false,
        (status, _) => pre_arrival(status, &mut reasons),
    };
    declarations(&case.declarations, &mut reasons);
    seal(&case.open_seal_alerts, &mut reasons);
    weight(&weighings, case.declared_mass, rules, &mut reasons);
    radiation(&readings, is_norm(&case.goods), &mut reasons);
    scan(&scans, scan_asked, &mut reasons);

    let mut due: BTreeSet<Operation> = reasons.iter().filter_map(|r| r.operation).collect();
    for op in case.done.iter().copied().collect::<BTreeSet<_>>() {
        if OFFICERS_OPERATIONS.contains(&op) && due.remove(&op) {
            let message = format!("An officer did {} and cleared it.", op.code());
            reasons.push(Reason::new(Code::DoneByOfficer, message));
        }
    }
    let operations = if due.contains(&Operation::Hold) {
        vec![Operation::Hold]
    } else if due.is_empty() {
        reasons.push(Reason::asking(Code::Pass, Operation::Pass, "No rule asks for an operation."));
        vec![Operation::Pass]
    } else {
        due.into_iter().collect()
    };
    Decision { operations, reasons }
}

/// The preliminary decision's part; true when it asks for a scan at the border.
fn pre_arrival(status: &PreArrivalStatus, reasons: &mut Vec<Reason>) -> bool {
    let decision = match status {
        PreArrivalStatus::NotRequired => return false,
        PreArrivalStatus::Missing => {
            let message = "No pre-arrival information was filed for the goods; the documents are checked.";
            reasons.push(Reason::asking(Code::NoPreArrival, Operation::CheckDocuments, message));
            return false;
        }
        PreArrivalStatus::Decided(d) => d,
    };
    let cited = decision.reasons.iter().map(|i| i.code.as_str()).collect::<Vec<_>>().join(", ");
    // A form of control without a place would be a broken decision; the border is the safe side.
    let place = decision.place.unwrap_or(Place::Border);
    match (decision.control, place) {
        (FormOfControl::None, _) => false,
        (_, Place::Inland) => {
            let message = format!("The preliminary decision places the control inland ({cited}).");
            reasons.push(Reason::new(Code::ControlInland, message));
            false
        }
        (FormOfControl::Documents, Place::Border) => {
            let message = format!("The preliminary decision asks for a documents check at the border ({cited}).");
            reasons.push(Reason::asking(Code::DocumentsAtBorder, Operation::CheckDocuments, message));
            false
        }
        (FormOfControl::Inspection, Place::Border) => true,
    }
}

/// The goods declarations' part: one not yet released is checked at the border as its lane
/// asks (documents for yellow, an inspection for red); a released one is noted.
fn declarations(declarations: &[DeclarationStatus], reasons: &mut Vec<Reason>) {
    for d in declarations {
        let number = &d.number;
        match (d.released, d.lane) {
            (true, _) => {
                let message = format!("Goods declaration {number} is released.");
                reasons.push(Reason::new(Code::DeclarationReleased, message));
            }
            (false, Some(Lane::Red)) => {
                let message = format!("Goods declaration {number} is under control with an inspection due.");
                reasons.push(Reason::asking(Code::DeclarationRed, Operation::Inspect, message));
            }
            (false, Some(Lane::Yellow)) => {
                let message = format!("Goods declaration {number} is under control with a documents check due.");
                reasons.push(Reason::asking(Code::DeclarationYellow, Operation::CheckDocuments, message));
            }
            (false, _) => {
                let message = format!("Goods declaration {number} is not released yet.");
                reasons.push(Reason::new(Code::DeclarationPending, message));
            }
        }
    }
}

/// The navigation seal's part.
fn seal(alerts: &[AlertKind], reasons: &mut Vec<Reason>) {
    let open: BTreeSet<AlertKind> = alerts.iter().copied().collect();
    for kind in open {
        match kind {
            AlertKind::Opened | AlertKind::Tamper => {
                let message = format!("The navigation seal has an open {} alert.", kind.code());
                reasons.push(Reason::asking(Code::SealOpened, Operation::Inspect, message));
            }
            AlertKind::Deviation
            | AlertKind::Stop
            | AlertKind::SignalLost
            | AlertKind::Overdue
            | AlertKind::Malfunction => {
                let message = format!("The navigation seal has an open {} alert to review.", kind.code());
                reasons.push(Reason::asking(Code::SealIncident, Operation::CheckDocuments, message));
            }
            // A low battery says nothing of the goods.
            AlertKind::BatteryLow => {}
        }
    }
}

/// The allowed difference from the expected mass for one weighing: the scale's maximum
/// permissible error plus the tolerance, as percent of the expected mass.
fn allowed(expected: Decimal, w: &Weighing, rules: &DecisionRules) -> Decimal {
    let percent = w.accuracy_class.percent().saturating_add(rules.weight_tolerance_pct);
    expected.abs().saturating_mul(percent) / Decimal::ONE_HUNDRED
}

/// True when the weighing is outside the expected mass by more than allowed.
fn outside(expected: Decimal, w: &Weighing, rules: &DecisionRules) -> bool {
    w.gross_mass_kg.saturating_sub(expected).abs() > allowed(expected, w, rules)
}

/// The weighing's part: the latest weighing decides; outside the declared mass it is weighed
/// again the first time and inspected when an earlier weighing was outside too.
fn weight(weighings: &[&Weighing], declared: Option<DeclaredMass>, rules: &DecisionRules, reasons: &mut Vec<Reason>) {
    let Some(latest) = weighings.last() else { return };
    let Some(declared) = declared else {
        let message = format!("Weighed {} kg; no declared mass to compare with.", latest.gross_mass_kg);
        reasons.push(Reason::new(Code::NoDeclaredMass, message));
        return;
    };
    let expected = declared.total();
    let margin = allowed(expected, latest, rules).round_dp(1);
    let measured = latest.gross_mass_kg;
    if !outside(expected, latest, rules) {
        let message = format!("Weighed {measured} kg, within {margin} kg of the expected {expected} kg.");
        reasons.push(Reason::new(Code::WeightWithin, message));
        return;
    }
    let before = weighings.len().saturating_sub(1);
    let persists = weighings[..before].iter().any(|w| outside(expected, w, rules));
    if persists {
        let message =
            format!("Weighed again {measured} kg, still more than {margin} kg from the expected {expected} kg.");
        reasons.push(Reason::asking(Code::WeightPersists, Operation::Inspect, message));
    } else {
        let message = format!(
            "Weighed {measured} kg, more than {margin} kg (class {} error + {} %) from the expected {expected} kg.",
            latest.accuracy_class.percent(),
            rules.weight_tolerance_pct
        );
        reasons.push(Reason::asking(Code::WeightDiscrepancy, Operation::WeighAgain, message));
    }
}

/// The radiation part: any neutron alarm holds; the latest gamma alarm asks for a secondary
/// check unless a secondary reading without alarm came after it; an alarm of the secondary
/// check itself is a confirmation.
fn radiation(readings: &[&RadiationReading], norm: bool, reasons: &mut Vec<Reason>) {
    if let Some(r) = readings.iter().find(|r| r.neutron_alarm) {
        let message = format!("The {} reading of {} raised a neutron alarm.", stage(r.stage), r.device);
        reasons.push(Reason::asking(Code::NeutronAlarm, Operation::Hold, message));
        return;
    }
    let Some(at) = readings.iter().rposition(|r| r.alarm) else { return };
    let alarm = readings[at];
    let counts = format!("{} cps against a background of {} cps", alarm.gamma_cps, alarm.gamma_background_cps);
    match (alarm.stage, norm) {
        (Stage::Secondary, false) => {
            let message = format!("The secondary check by {} alarmed on gamma ({counts}).", alarm.device);
            reasons.push(Reason::asking(Code::GammaConfirmed, Operation::Hold, message));
        }
        (Stage::Secondary, true) => {
            let message = format!("The secondary check by {} alarmed on gamma ({counts}) on NORM goods.", alarm.device);
            reasons.push(Reason::asking(Code::GammaConfirmedNorm, Operation::Inspect, message));
        }
        (Stage::Primary, _) => match readings[at + 1..].iter().rfind(|r| r.stage == Stage::Secondary) {
            Some(check) => {
                let message = format!("The secondary check by {} did not alarm.", check.device);
                reasons.push(Reason::new(Code::RadiationCleared, message));
            }
            None if norm => {
                let message = format!("{} alarmed on gamma ({counts}); the goods are NORM.", alarm.device);
                reasons.push(Reason::asking(Code::GammaNorm, Operation::SecondaryRadiationCheck, message));
            }
            None => {
                let message = format!("{} alarmed on gamma ({counts}).", alarm.device);
                reasons.push(Reason::asking(Code::GammaAlarm, Operation::SecondaryRadiationCheck, message));
            }
        },
    }
}

fn stage(stage: Stage) -> &'static str {
    match stage {
        Stage::Primary => "primary",
        Stage::Secondary => "secondary",
    }
}

/// The scanner's part: a suspect scan is inspected (a later scan does not undo a suspicion); a
/// clear scan does what was asked; without either, an unreadable scan is done again, and after
/// two the goods are inspected; a scan asked for and not yet done is due.
fn scan(scans: &[&ScanResult], asked: bool, reasons: &mut Vec<Reason>) {
    if asked {
        let message = "The preliminary decision asks for inspection at the border; the vehicle is scanned first.";
        reasons.push(if scans.is_empty() {
            Reason::asking(Code::InspectionAtBorder, Operation::Scan, message)
        } else {
            Reason::new(Code::InspectionAtBorder, message)
        });
    }
    let with = |v: ScanVerdict| scans.iter().filter(move |s| s.verdict == v);
    if let Some(s) = with(ScanVerdict::Suspect).next() {
        let message = format!("The scan by {} is suspect (image {}).", s.device, s.image);
        reasons.push(Reason::asking(Code::ScanSuspect, Operation::Inspect, message));
    } else if let Some(s) = with(ScanVerdict::Clear).next_back() {
        let message = format!("The scan by {} is clear (image {}).", s.device, s.image);
        reasons.push(Reason::new(Code::ScanClear, message));
    } else if with(ScanVerdict::Unreadable).count() >= 2 {
        let message = "Two scans could not be read; the goods are inspected instead.";
        reasons.push(Reason::asking(Code::ScanFailedTwice, Operation::Inspect, message));
    } else if let Some(s) = with(ScanVerdict::Unreadable).next() {
        let message = format!("The scan by {} cannot be read (image {}).", s.device, s.image);
        reasons.push(Reason::asking(Code::ScanUnreadable, Operation::Scan, message));
    }
}

#[cfg(test)]
#[path = "decision_tests.rs"]
mod tests;
