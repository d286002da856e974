//! Single Window documents (E1): the permits, licences and certificates other government
//! agencies issue, the requirements they set (which goods need which document), and the check
//! at registration that each required document exists, belongs to the declarant, is in force
//! on the date, covers the goods and has enough quantity left.
//!
//! Quantities are counted in thousandths of the permit's unit ([`Milli`]), so a drawdown is
//! exact integer arithmetic. A permit's quantity is split into what is still free, what is
//! *reserved* by declarations registered and not yet released, and what is *drawn* by released
//! ones; [`Levels`] moves quantity between them and never lets free quantity go below zero.
//!
//! A requirement may refer goods to its agency instead of refusing them: a declaration whose
//! document is missing or has not enough left is then registered, goes to the yellow lane, and
//! waits for the agency to allow or refuse the goods ([`Referral`], [`refer`]).

use std::collections::{BTreeMap, HashMap};

use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::declaration::{Declaration, GoodsItem};
use crate::registration::{Accepted, Reason};
use crate::risk::{Hit, Lane};

#[cfg(test)]
mod tests;

/// A quantity in thousandths of a unit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default, Serialize, Deserialize)]
pub struct Milli(pub i64);

impl Milli {
    /// The quantity of a decimal, when it has at most three decimals and fits.
    pub fn exact(d: Decimal) -> Option<Milli> {
        let scaled = d.checked_mul(Decimal::from(1000))?;
        if scaled.fract() != Decimal::ZERO {
            return None;
        }
        i64::try_from(scaled).ok().map(Milli)
    }

    /// A declared quantity as drawn: rounded up to the next thousandth (a declaration never
    /// draws less than it declares); `None` when it does not fit.
    pub fn drawn(d: Decimal) -> Option<Milli> {
        let scaled = d.checked_mul(Decimal::from(1000))?.ceil();
        i64::try_from(scaled).ok().map(Milli)
    }

    /// As a decimal of units.
    pub fn to_decimal(self) -> Decimal {
        Decimal::new(self.0, 3).normalize()
    }
}

impl std::fmt::Display for Milli {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}", self.to_decimal())
    }
}

/// What an agency requires: goods whose commodity code starts with `hs_prefix` (and, where
/// listed, of these origins, under these procedures) need a document of `document_kind` from
/// `agency`, between `valid_from` and `valid_to`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Requirement {
    /// Its id.
    pub id: i64,
    /// The agency that sets it.
    pub agency: String,
    /// The kind of document required (e.g. `VET`, `PHYTO`, `LICENCE`).
    pub document_kind: String,
    /// The commodity codes concerned, by their first digits (2 to 10).
    pub hs_prefix: String,
    /// Countries of origin concerned; empty: every origin.
    pub origins: Vec<String>,
    /// Procedure codes concerned; empty: every procedure.
    pub procedures: Vec<String>,
    /// First day in force.
    #[schema(value_type = String, format = Date)]
    pub valid_from: NaiveDate,
    /// Last day in force; none: until withdrawn.
    #[schema(value_type = Option<String>, format = Date)]
    pub valid_to: Option<NaiveDate>,
    /// What registration does when the document is missing or has not enough left.
    #[serde(default)]
    pub on_missing: OnMissing,
}

/// What registration does with goods whose required document is missing (`SW_001`) or has not
/// enough quantity left (`SW_008`). Other faults of a referenced document always refuse.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum OnMissing {
    /// Registration is refused.
    #[default]
    Refuse,
    /// The declaration is registered and waits for the agency's decision on the goods.
    Refer,
}

impl OnMissing {
    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            OnMissing::Refuse => "refuse",
            OnMissing::Refer => "refer",
        }
    }

    /// Reads a stored name.
    pub fn parse(text: &str) -> Option<OnMissing> {
        [OnMissing::Refuse, OnMissing::Refer].into_iter().find(|o| o.as_str() == text)
    }
}

impl Requirement {
    /// True when this requirement is in force on `date`.
    pub fn in_force(&self, date: NaiveDate) -> bool {
        self.valid_from <= date && self.valid_to.is_none_or(|to| date <= to)
    }

    /// True when it concerns `item`, declared under `procedure`, on `date`.
    pub fn concerns(&self, item: &GoodsItem, procedure: &str, date: NaiveDate) -> bool {
        self.in_force(date)
            && item.commodity_code.as_str().starts_with(&self.hs_prefix)
            && (self.origins.is_empty() || self.origins.iter().any(|o| o == item.origin.as_str()))
            && (self.procedures.is_empty() || self.procedures.iter().any(|p| p == procedure))
    }
}

/// A document one goods item needs, with the reference the declaration gives for it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Need {
    /// The item's sequence number.
    pub item: u32,
    /// Its position in the declaration's list of items (for the JSON path of a reason).
    pub index: usize,
    /// The requirement (the first in force that asks for this kind).
    pub requirement: i64,
    /// The agency.
    pub agency: String,
    /// The kind of document.
    pub kind: String,
    /// The item's commodity code.
    pub commodity_code: String,
    /// The item's declared quantity and unit, and net mass in kg.
    pub quantity: Decimal,
    /// Unit of `quantity`.
    pub unit: String,
    /// Net mass, kg.
    pub net_mass: Decimal,
    /// The number of the document of this kind the item references, if any.
    pub number: Option<String>,
    /// True when the requirement refers goods without enough document to the agency.
    #[serde(default)]
    pub refer: bool,
}

/// The documents the items of `declaration` need under `requirements` on `date`: one need
/// per item and document kind, however many requirements ask for it.
pub fn needs(declaration: &Declaration, requirements: &[Requirement], date: NaiveDate) -> Vec<Need> {
    let mut needs = Vec::new();
    for (index, item) in declaration.items.iter().enumerate() {
        let mut kinds: BTreeMap<&str, &Requirement> = BTreeMap::new();
        for r in requirements.iter().filter(|r| r.concerns(item, &declaration.procedure_code, date)) {
            kinds.entry(r.document_kind.as_str()).or_insert(r);
        }
        for (kind, r) in kinds {
            needs.push(Need {
                item: item.sequence,
                index,
                requirement: r.id,
                agency: r.agency.clone(),
                kind: kind.to_string(),
                commodity_code: item.commodity_code.as_str().to_string(),
                quantity: item.quantity,
                unit: item.unit.clone(),
                net_mass: item.net_mass,
                number: item.documents.iter().find(|d| d.kind == kind).map(|d| d.number.clone()),
                refer: r.on_missing == OnMissing::Refer,
            });
        }
    }
    needs
}

/// Whether a permit may be used.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum PermitStatus {
    /// In force.
    Active,
    /// Suspended by the agency; it may reinstate it.
    Suspended,
    /// Revoked by the agency. Final.
    Revoked,
}

impl PermitStatus {
    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            PermitStatus::Active => "active",
            PermitStatus::Suspended => "suspended",
            PermitStatus::Revoked => "revoked",
        }
    }

    /// A status by its stored name.
    pub fn parse(s: &str) -> Option<PermitStatus> {
        [PermitStatus::Active, PermitStatus::Suspended, PermitStatus::Revoked].into_iter().find(|p| p.as_str() == s)
    }
}

/// A permit, licence or certificate as the check reads it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Permit {
    /// Its number, unique across agencies.
    pub number: String,
    /// The issuing agency.
    pub agency: String,
    /// The kind of document.
    pub kind: String,
    /// The trader it was issued to.
    pub holder: String,
    /// The commodity codes it covers, by their first digits.
    pub hs_prefixes: Vec<String>,
    /// Its unit: `kg` (drawn by net mass) or the unit of quantity the items declare.
    pub unit: String,
    /// Quantity granted.
    pub quantity: Milli,
    /// Reserved by registered declarations not yet released.
    pub reserved: Milli,
    /// Drawn by released declarations.
    pub drawn: Milli,
    /// First day valid.
    pub valid_from: NaiveDate,
    /// Last day valid.
    pub valid_to: NaiveDate,
    /// Whether it may be used.
    pub status: PermitStatus,
}

impl Permit {
    /// Quantity neither reserved nor drawn.
    pub fn remaining(&self) -> Milli {
        Milli(self.quantity.0 - self.reserved.0 - self.drawn.0)
    }

    /// True when it covers goods of `commodity_code`.
    pub fn covers(&self, commodity_code: &str) -> bool {
        self.hs_prefixes.iter().any(|p| commodity_code.starts_with(p.as_str()))
    }

    /// How much of this permit's unit `need` declares: net mass for `kg`, the item's quantity
    /// when the units agree; `None` when they do not.
    pub fn measure(&self, need: &Need) -> Option<Milli> {
        if self.unit.eq_ignore_ascii_case("kg") {
            Milli::drawn(need.net_mass)
        } else if self.unit.eq_ignore_ascii_case(need.unit.trim()) {
            Milli::drawn(need.quantity)
        } else {
            None
        }
    }
}

/// Quantity one item takes from one permit.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Draw {
    /// The permit.
    pub permit: String,
    /// The item's sequence number.
    pub item: u32,
    /// Quantity, thousandths of the permit's unit.
    pub quantity: Milli,
}

/// The permits a check reads, by number, with their quantities as they move during one
/// writing transaction.
#[derive(Debug, Clone, Default)]
pub struct Levels {
    permits: HashMap<String, Permit>,
    changed: BTreeMap<String, ()>,
}

/// How a reserved quantity ends.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Settlement {
    /// The goods were released: reserved becomes drawn.
    Drawn,
    /// The declaration was refused, withdrawn or invalidated: reserved becomes free again.
    Restored,
}

impl Settlement {
    /// The stored name of a draw's state after it.
    pub fn as_str(self) -> &'static str {
        match self {
            Settlement::Drawn => "drawn",
            Settlement::Restored => "restored",
        }
    }
}

impl Levels {
    /// Levels over these permits.
    pub fn new(permits: impl IntoIterator<Item = Permit>) -> Levels {
        Levels { permits: permits.into_iter().map(|p| (p.number.clone(), p)).collect(), changed: BTreeMap::new() }
    }

    /// One permit.
    pub fn get(&self, number: &str) -> Option<&Permit> {
        self.permits.get(number)
    }

    /// Checks every need of one declaration of `holder` on `date`. When all are met, or those
    /// that are not are referred to their agencies (a missing document, or not enough left,
    /// under a requirement that refers), reserves the quantities of the documents that cover
    /// their needs (or draws them at once, when the goods are released at registration) and
    /// returns the draws and the referrals; otherwise nothing moves and every reason is
    /// returned.
    pub fn take(&mut self, needs: &[Need], holder: &str, date: NaiveDate, release: bool) -> Result<Taken, Vec<Reason>> {
        let mut reasons = Vec::new();
        let mut referrals = Vec::new();
        let mut draws: Vec<Draw> = Vec::new();
        let mut asked: BTreeMap<String, i64> = BTreeMap::new();
        for need in needs {
            match self.check(need, holder, date) {
                Ok(draw) => {
                    *asked.entry(draw.permit.clone()).or_insert(0) += draw.quantity.0;
                    draws.push(draw);
                }
                Err(reason) if need.refer && reason.code == "SW_001" => referrals.push(Referral::of(need, reason)),
                Err(reason) => reasons.push(reason),
            }
        }
        for (number, total) in &asked {
            let Some(p) = self.permits.get(number) else { continue };
            if *total > p.remaining().0 {
                for need in needs.iter().filter(|n| n.number.as_ref() == Some(number)) {
                    let asked = Milli(*total);
                    let short = reason(
                        need,
                        "SW_008",
                        format!(
                            "document {number} has {} {} left; the declaration draws {asked}",
                            p.remaining(),
                            p.unit
                        ),
                        vec![
                            ("number", number.to_string()),
                            ("remaining", p.remaining().to_string()),
                            ("asked", asked.to_string()),
                            ("unit", p.unit.clone()),
                        ],
                    );
                    if need.refer {
                        draws.retain(|d| !(d.permit == *number && d.item == need.item));
                        referrals.push(Referral::of(need, short));
                    } else {
                        reasons.push(short);
                    }
                }
            }
        }
        if !reasons.is_empty() {
            return Err(reasons);
        }
        for d in &draws {
            if let Some(p) = self.permits.get_mut(&d.permit) {
                if release {
                    p.drawn.0 += d.quantity.0;
                } else {
                    p.reserved.0 += d.quantity.0;
                }
                self.changed.insert(d.permit.clone(), ());
            }
        }
        Ok(Taken { draws, referrals })
    }

    fn check(&self, need: &Need, holder: &str, date: NaiveDate) -> Result<Draw, Reason> {
        let args = |extra: &[(&'static str, String)]| -> Vec<(&'static str, String)> {
            let mut a = vec![("kind", need.kind.clone()), ("agency", need.agency.clone())];
            a.extend(extra.iter().cloned());
            a
        };
        let Some(number) = need.number.as_deref() else {
            let message = format!(
                "item {} ({}) needs a {} document of agency {}; none is referenced",
                need.item, need.commodity_code, need.kind, need.agency
            );
            return Err(reason(need, "SW_001", message, args(&[])));
        };
        let numbered = |extra: &[(&'static str, String)]| -> Vec<(&'static str, String)> {
            let mut a = args(&[("number", number.to_string())]);
            a.extend(extra.iter().cloned());
            a
        };
        let Some(p) = self.permits.get(number).filter(|p| p.kind == need.kind && p.agency == need.agency) else {
            let message = format!("no {} document {number} of agency {} exists", need.kind, need.agency);
            return Err(reason(need, "SW_002", message, numbered(&[])));
        };
        if p.holder != holder {
            return Err(reason(
                need,
                "SW_003",
                format!("document {number} was issued to another trader"),
                numbered(&[]),
            ));
        }
        match p.status {
            PermitStatus::Active => {}
            status => {
                let message = format!("document {number} is {}", status.as_str());
                return Err(reason(need, "SW_005", message, numbered(&[("status", status.as_str().to_string())])));
            }
        }
        if date < p.valid_from || date > p.valid_to {
            let message = format!("document {number} is valid from {} to {}, not on {date}", p.valid_from, p.valid_to);
            let extra =
                [("from", p.valid_from.to_string()), ("to", p.valid_to.to_string()), ("date", date.to_string())];
            return Err(reason(need, "SW_004", message, numbered(&extra)));
        }
        if !p.covers(&need.commodity_code) {
            let message = format!("document {number} does not cover commodity code {}", need.commodity_code);
            return Err(reason(need, "SW_006", message, numbered(&[("code", need.commodity_code.clone())])));
        }
        let Some(quantity) = p.measure(need) else {
            let message =
                format!("document {number} is counted in {}; item {} declares {}", p.unit, need.item, need.unit);
            let extra = [("unit", p.unit.clone()), ("declared", need.unit.clone())];
            return Err(reason(need, "SW_007", message, numbered(&extra)));
        };
        Ok(Draw { permit: number.to_string(), item: need.item, quantity })
    }

    /// Ends reservations: each draw's quantity leaves `reserved` and, for a release, joins
    /// `drawn`. A draw of a permit not read is skipped (the caller reads every one it settles).
    pub fn settle(&mut self, draws: &[Draw], how: Settlement) {
        for d in draws {
            if let Some(p) = self.permits.get_mut(&d.permit) {
                p.reserved.0 -= d.quantity.0;
                if how == Settlement::Drawn {
                    p.drawn.0 += d.quantity.0;
                }
                self.changed.insert(d.permit.clone(), ());
            }
        }
    }

    /// The permits whose quantities moved, as they now stand.
    pub fn changed(&self) -> Vec<&Permit> {
        self.changed.keys().filter_map(|n| self.permits.get(n)).collect()
    }
}

/// What the check of one declaration's documents took: the draws on the documents that cover
/// their needs, and the needs referred to their agencies.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Taken {
    /// Quantities reserved (or drawn).
    pub draws: Vec<Draw>,
    /// Needs the agencies decide on.
    pub referrals: Vec<Referral>,
}

/// Goods an agency decides on because their document is missing or has not enough left.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Referral {
    /// The goods item.
    pub item: u32,
    /// The agency.
    pub agency: String,
    /// The kind of document required.
    pub kind: String,
    /// The requirement.
    pub requirement: i64,
    /// What the check found (`SW_001` or `SW_008`).
    pub reason: Reason,
}

impl Referral {
    fn of(need: &Need, reason: Reason) -> Referral {
        Referral {
            item: need.item,
            agency: need.agency.clone(),
            kind: need.kind.clone(),
            requirement: need.requirement,
            reason,
        }
    }
}

/// The code of the hit a declaration gets when goods are referred to an agency.
pub const REFERRAL_PROFILE: &str = "SW_REFERRAL";

/// Sends a declaration with referred goods to control: it is not released at registration,
/// its lane is yellow at least, and a hit tells the officer that release waits for the
/// agencies' decisions.
pub fn refer(accepted: &mut Accepted, referrals: &[Referral]) {
    if referrals.is_empty() {
        return;
    }
    let mut agencies: Vec<&str> = referrals.iter().map(|r| r.agency.as_str()).collect();
    agencies.sort_unstable();
    agencies.dedup();
    let found: Vec<String> =
        referrals.iter().map(|r| format!("item {} {} ({})", r.item, r.kind, r.reason.code)).collect();
    let mut items: Vec<u32> = referrals.iter().map(|r| r.item).collect();
    items.dedup();
    let hit = Hit {
        profile: REFERRAL_PROFILE.to_string(),
        version: 1,
        lane: Lane::Yellow,
        instruction: format!(
            "Goods referred to agency {}: {}. Release waits for the agency's decision; refuse the goods it refuses.",
            agencies.join(", "),
            found.join("; ")
        ),
        items,
        values: Vec::new(),
    };
    accepted.auto_release = false;
    accepted.registrable.auto_release = false;
    for (lane, hits) in [
        (&mut accepted.assessment.lane, &mut accepted.assessment.hits),
        (&mut accepted.registrable.lane, &mut accepted.registrable.hits),
    ] {
        *lane = crate::risk::add_hit(hits, *lane, hit.clone());
    }
}

fn reason(need: &Need, code: &str, message: String, args: Vec<(&'static str, String)>) -> Reason {
    let mut map: BTreeMap<String, String> = args.into_iter().map(|(k, v)| (k.to_string(), v)).collect();
    map.insert("item".into(), need.item.to_string());
    Reason { code: code.into(), path: Some(format!("$.items[{}].documents", need.index)), message, args: map }
}

/// Every reason code of the Single Window check, with what it means (for the documentation).
pub const REASONS: [(&str, &str); 8] = [
    ("SW_001", "a document the goods need under an agency's requirement is not referenced"),
    ("SW_002", "the referenced document does not exist (or is of another kind or agency)"),
    ("SW_003", "the document was issued to another trader"),
    ("SW_004", "the document is not valid on the date of registration"),
    ("SW_005", "the document is suspended or revoked"),
    ("SW_006", "the document does not cover the item's commodity code"),
    ("SW_007", "the document is counted in a unit the item does not declare"),
    ("SW_008", "the document has not enough quantity left for every item that draws on it"),
];

/// What an agency does to a document it issued.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Change {
    /// New quantity, end of validity or coverage (each left `None` stays).
    Amend {
        /// Quantity granted.
        quantity: Option<Milli>,
        /// Last day valid.
        valid_to: Option<NaiveDate>,
        /// Commodity codes covered.
        hs_prefixes: Option<Vec<String>>,
    },
    /// Suspend: no declaration may draw on it until reinstated.
    Suspend,
    /// Lift a suspension.
    Reinstate,
    /// Revoke for good.
    Revoke,
}

impl Change {
    /// The stored name of the change.
    pub fn as_str(&self) -> &'static str {
        match self {
            Change::Amend { .. } => "amended",
            Change::Suspend => "suspended",
            Change::Reinstate => "reinstated",
            Change::Revoke => "revoked",
        }
    }
}

/// Why a change of a document is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ChangeRefused {
    /// A revoked document is changed no more.
    #[error("document {0} is revoked")]
    Revoked(String),
    /// Only a suspended document is reinstated, only an active one suspended.
    #[error("document {number} is {status}")]
    WrongStatus {
        /// The document.
        number: String,
        /// Its status.
        status: &'static str,
    },
    /// The quantity asked is below what declarations reserved and drew.
    #[error("document {number} has {used} reserved or drawn; its quantity cannot be {asked}")]
    BelowUsed {
        /// The document.
        number: String,
        /// Reserved and drawn.
        used: Milli,
        /// Quantity asked.
        asked: Milli,
    },
    /// The validity would end before it starts.
    #[error("document {number} would end on {valid_to}, before it starts on {valid_from}")]
    EndsBeforeStart {
        /// The document.
        number: String,
        /// First day.
        valid_from: NaiveDate,
        /// Last day asked.
        valid_to: NaiveDate,
    },
}

impl Permit {
    /// The document after `change`, or why it is refused. Declarations' reservations stay:
    /// a suspended or revoked document refuses new declarations, and those registered on it
    /// keep what they reserved.
    pub fn changed(&self, change: &Change) -> Result<Permit, ChangeRefused> {
        let number = || self.number.clone();
        if self.status == PermitStatus::Revoked {
            return Err(ChangeRefused::Revoked(number()));
        }
        let mut next = self.clone();
        match change {
            Change::Amend { quantity, valid_to, hs_prefixes } => {
                if let Some(q) = quantity {
                    let used = Milli(self.reserved.0 + self.drawn.0);
                    if *q < used {
                        return Err(ChangeRefused::BelowUsed { number: number(), used, asked: *q });
                    }
                    next.quantity = *q;
                }
                if let Some(to) = valid_to {
                    if *to < self.valid_from {
                        let (valid_from, valid_to) = (self.valid_from, *to);
                        return Err(ChangeRefused::EndsBeforeStart { number: number(), valid_from, valid_to });
                    }
                    next.valid_to = *to;
                }
                if let Some(prefixes) = hs_prefixes {
                    next.hs_prefixes = prefixes.clone();
                }
            }
            Change::Suspend | Change::Reinstate => {
                let (from, to) = match change {
                    Change::Suspend => (PermitStatus::Active, PermitStatus::Suspended),
                    _ => (PermitStatus::Suspended, PermitStatus::Active),
                };
                if self.status != from {
                    return Err(ChangeRefused::WrongStatus { number: number(), status: self.status.as_str() });
                }
                next.status = to;
            }
            Change::Revoke => next.status = PermitStatus::Revoked,
        }
        Ok(next)
    }
}

/// True when `prefix` is 2 to 10 digits (a chapter, heading, subheading or national code).
pub fn valid_hs_prefix(prefix: &str) -> bool {
    (2..=10).contains(&prefix.len()) && prefix.bytes().all(|b| b.is_ascii_digit())
}
