//! Pre-arrival information: advance cargo information about a consignment before it reaches
//! the border, its checks, the preliminary decision on the form of control, and the comparison
//! with the goods declaration or transit declaration filed later for the same consignment.
//!
//! The comparison groups items by HS subheading (the first six digits), so that a consignment
//! announced as one line and declared as three of the same subheading, or in another order,
//! compares equal; what differs (subheadings announced but not declared or the reverse, gross
//! mass per subheading and in total beyond the tolerance, value per subheading and currency
//! beyond the tolerance, and the parties) comes back as [`Difference`]s, facts for risk.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::codes::CurrencyCode;
use crate::declaration::{Declaration, Party, PartyDoc, Transport, TransportDoc};
use crate::flc::Finding;
use crate::ids::OfficeCode;
use crate::timestamp::Timestamp;

use super::check::{self, text, Offices, REFERENCE_LEN};
use super::declaration::{LocalReference, TransitDeclaration, TransitItem, TransitItemDoc};
use super::rules::{Findings, Rule};

/// Latest expected arrival, days after filing.
pub const MAX_ARRIVAL_DAYS: i64 = 90;

/// Pre-arrival information as filed.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PreArrivalDoc {
    /// The filer's reference, 1 to 22 letters, digits, `-`, `_`, `/` or `.`.
    pub reference: Option<String>,
    /// Office of first entry.
    pub office_of_entry: Option<String>,
    /// Expected arrival at the office of entry (microseconds since the epoch, UTC).
    #[schema(value_type = Option<i64>)]
    pub expected_arrival_at_us: Option<Timestamp>,
    /// Number of the transport document (bill of lading, CMR, air waybill) identifying the
    /// consignment.
    pub transport_document: Option<String>,
    /// Consignor (seller, exporter).
    pub consignor: Option<PartyDoc>,
    /// Consignee (buyer, importer).
    pub consignee: Option<PartyDoc>,
    /// Carrier.
    pub carrier: Option<PartyDoc>,
    /// Mode and means of transport arriving.
    pub transport: Option<TransportDoc>,
    /// Goods items.
    pub items: Option<Vec<TransitItemDoc>>,
}

/// Pre-arrival information that passed the checks.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PreArrival {
    /// The filer's reference.
    pub reference: LocalReference,
    /// Office of first entry.
    pub office_of_entry: OfficeCode,
    /// Expected arrival.
    pub expected_arrival: Timestamp,
    /// Transport document number.
    pub transport_document: String,
    /// Consignor.
    pub consignor: Party,
    /// Consignee.
    pub consignee: Party,
    /// Carrier.
    pub carrier: Party,
    /// Transport.
    pub transport: Transport,
    /// Goods items.
    pub items: Vec<TransitItem>,
}

/// What the pre-arrival checks need to know.
#[derive(Debug, Clone)]
pub struct PreArrivalContext {
    /// The time of filing.
    pub now: Timestamp,
    /// The administration's offices; empty means any well-formed code.
    pub offices: Arc<[OfficeCode]>,
}

impl Offices for PreArrivalContext {
    fn offices(&self) -> &[OfficeCode] {
        &self.offices
    }
}

/// Checks pre-arrival information with the transit rules it shares (`TRN_…` codes).
///
/// # Errors
///
/// Every finding, never an empty list, when a rule is violated.
pub fn check(doc: &PreArrivalDoc, ctx: &PreArrivalContext) -> Result<PreArrival, Vec<Finding>> {
    let mut f = Findings::default();
    let reference =
        f.required(Rule::FieldMissing, "$.reference", doc.reference.as_deref(), "The reference").and_then(|r| {
            let parsed = LocalReference::parse(r);
            if parsed.is_none() {
                f.push(
                    Rule::LocalReferenceFormat,
                    "$.reference",
                    format!(
                        "The reference {} is not 1 to 22 letters, digits, '-', '_', '/' or '.'.",
                        crate::flc::shown(r)
                    ),
                    &[("value", &crate::flc::shown(r))],
                );
            }
            parsed
        });
    let office = check::office(&mut f, ctx, "$.office_of_entry", "office of entry", doc.office_of_entry.as_deref());
    let arrival = check::future_time(
        &mut f,
        ctx.now,
        "$.expected_arrival_at_us",
        "expected arrival",
        doc.expected_arrival_at_us,
        MAX_ARRIVAL_DAYS,
    );
    let transport_document = f
        .required(
            Rule::FieldMissing,
            "$.transport_document",
            doc.transport_document.as_deref(),
            "The transport document",
        )
        .and_then(|d| text(&mut f, "$.transport_document", "The transport document", d, REFERENCE_LEN));
    let consignor = check::party(&mut f, "$.consignor", "consignor", doc.consignor.as_ref());
    let consignee = check::party(&mut f, "$.consignee", "consignee", doc.consignee.as_ref());
    let carrier = check::party(&mut f, "$.carrier", "carrier", doc.carrier.as_ref());
    let transport = f
        .required(Rule::FieldMissing, "$.transport", doc.transport.as_ref(), "The transport")
        .and_then(|t| check::transport(&mut f, "$.transport", t));
    let items = check::items(&mut f, "$.items", doc.items.as_deref());
    if !f.is_empty() {
        return Err(f.into_vec());
    }
    let built = (|| {
        Some(PreArrival {
            reference: reference?,
            office_of_entry: office?,
            expected_arrival: arrival?,
            transport_document: transport_document?,
            consignor: consignor?,
            consignee: consignee?,
            carrier: carrier?,
            transport: transport?,
            items: items?,
        })
    })();
    built.ok_or_else(|| {
        let mut f = Findings::default();
        f.push(Rule::FieldMissing, "$", "The pre-arrival information is incomplete.", &[]);
        f.into_vec()
    })
}

/// The form of control decided before arrival, weakest first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum FormOfControl {
    /// No control planned.
    None,
    /// Documents checked.
    Documents,
    /// Goods inspected.
    Inspection,
}

/// Where the control takes place.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Place {
    /// At the office of entry, before the goods go further.
    Border,
    /// Inland, at the office of destination or of clearance.
    Inland,
}

/// One reason for control, as the risk engine gives it for the consignment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Indication {
    /// The form of control it asks for.
    pub control: FormOfControl,
    /// Where it asks for it.
    pub place: Place,
    /// Stable code of the source (a risk profile's name, a rule's code).
    pub code: String,
    /// Why, in plain words.
    pub reason: String,
}

/// The preliminary decision on a consignment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct PreliminaryDecision {
    /// The form of control.
    pub control: FormOfControl,
    /// Where; none when there is no control.
    pub place: Option<Place>,
    /// The indications that decided it (those asking for the decided form).
    pub reasons: Vec<Indication>,
}

/// Decides from the indications: the strongest form asked for; at the border when any
/// indication of that form asks for the border (goods that must not travel inland unchecked),
/// else inland; no control when nothing is indicated.
pub fn preliminary_decision(indications: &[Indication]) -> PreliminaryDecision {
    let control = indications.iter().map(|i| i.control).max().unwrap_or(FormOfControl::None);
    if control == FormOfControl::None {
        return PreliminaryDecision { control, place: None, reasons: Vec::new() };
    }
    let reasons: Vec<Indication> = indications.iter().filter(|i| i.control == control).cloned().collect();
    let place = if reasons.iter().any(|i| i.place == Place::Border) { Place::Border } else { Place::Inland };
    PreliminaryDecision { control, place: Some(place), reasons }
}

/// A goods item as the comparison sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ComparedItem {
    /// HS subheading, six digits.
    pub hs6: String,
    /// Gross mass, kg.
    pub gross_mass: Decimal,
    /// Value.
    pub value: Decimal,
    /// Currency of the value.
    pub currency: CurrencyCode,
}

impl From<&TransitItem> for ComparedItem {
    fn from(i: &TransitItem) -> Self {
        ComparedItem {
            hs6: i.commodity_code.hs6().to_string(),
            gross_mass: i.gross_mass,
            value: i.value,
            currency: i.currency,
        }
    }
}

/// A role of a party in the consignment.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// Consignor; the exporter of a goods declaration.
    Consignor,
    /// Consignee; the importer of a goods declaration.
    Consignee,
    /// Carrier.
    Carrier,
}

/// The later filing for the same consignment: its items and the ids of the parties it names
/// (a role it does not name is not compared).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Later {
    /// Items.
    pub items: Vec<ComparedItem>,
    /// Party ids by role.
    pub parties: BTreeMap<Role, String>,
}

impl Later {
    /// A goods declaration: items in the invoice currency, exporter and importer.
    pub fn of_goods_declaration(d: &Declaration) -> Later {
        Later {
            items: d
                .items
                .iter()
                .map(|i| ComparedItem {
                    hs6: i.commodity_code.hs6().to_string(),
                    gross_mass: i.gross_mass,
                    value: i.price,
                    currency: d.currency,
                })
                .collect(),
            parties: [(Role::Consignor, d.exporter.id.clone()), (Role::Consignee, d.importer.id.clone())].into(),
        }
    }

    /// A transit declaration: its items and its carrier.
    pub fn of_transit(t: &TransitDeclaration) -> Later {
        Later {
            items: t.items.iter().map(ComparedItem::from).collect(),
            parties: [(Role::Carrier, t.carrier.id.clone())].into(),
        }
    }
}

/// How far mass and value may differ before it is a difference: the larger of a fraction of the
/// announced figure and an absolute amount.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Tolerances {
    /// Fraction of the announced gross mass (`0.05` is 5 %).
    #[schema(value_type = String)]
    pub mass_fraction: Decimal,
    /// Kilograms.
    #[schema(value_type = String)]
    pub mass_kg: Decimal,
    /// Fraction of the announced value.
    #[schema(value_type = String)]
    pub value_fraction: Decimal,
    /// Units of the currency.
    #[schema(value_type = String)]
    pub value_units: Decimal,
}

impl Default for Tolerances {
    /// 5 % or 1 kg of mass, 5 % or 1 unit of value: packing and weighing differ a little,
    /// rounding and freight a little.
    fn default() -> Self {
        Tolerances {
            mass_fraction: Decimal::new(5, 2),
            mass_kg: Decimal::ONE,
            value_fraction: Decimal::new(5, 2),
            value_units: Decimal::ONE,
        }
    }
}

/// A difference between the pre-arrival information and the later filing: a fact for risk.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Difference {
    /// Subheadings on one side only.
    HsCode {
        /// Announced, not declared.
        announced_only: Vec<String>,
        /// Declared, not announced.
        declared_only: Vec<String>,
    },
    /// Gross mass beyond the tolerance, for one subheading or (`hs6` absent) in total.
    GrossMass {
        /// The subheading; none for the total.
        hs6: Option<String>,
        /// Announced, kg.
        #[schema(value_type = String)]
        announced: Decimal,
        /// Declared, kg.
        #[schema(value_type = String)]
        declared: Decimal,
        /// The tolerance applied, kg.
        #[schema(value_type = String)]
        tolerance: Decimal,
    },
    /// Value of one subheading in one currency beyond the tolerance, or on one side only.
    Value {
        /// The subheading.
        hs6: String,
        /// The currency.
        #[schema(value_type = String)]
        currency: CurrencyCode,
        /// Announced; none when only declared in this currency.
        #[schema(value_type = Option<String>)]
        announced: Option<Decimal>,
        /// Declared; none when only announced in this currency.
        #[schema(value_type = Option<String>)]
        declared: Option<Decimal>,
    },
    /// Another party in a role.
    Party {
        /// The role.
        role: Role,
        /// Announced id.
        announced: String,
        /// Declared id.
        declared: String,
    },
}

impl Difference {
    /// Stable code of the kind of difference, as risk facts name it.
    pub fn kind(&self) -> &'static str {
        match self {
            Difference::HsCode { .. } => "hs_code",
            Difference::GrossMass { .. } => "gross_mass",
            Difference::Value { .. } => "value",
            Difference::Party { .. } => "party",
        }
    }
}

/// Gross mass and value per currency of each subheading.
type Groups = BTreeMap<String, (Decimal, BTreeMap<CurrencyCode, Decimal>)>;

fn group<'a>(items: impl IntoIterator<Item = &'a ComparedItem>) -> Groups {
    let mut groups = Groups::new();
    for i in items {
        let (mass, values) = groups.entry(i.hs6.clone()).or_default();
        *mass = mass.saturating_add(i.gross_mass);
        let v = values.entry(i.currency).or_default();
        *v = v.saturating_add(i.value);
    }
    groups
}

/// The larger of `fraction` of `announced` and `absolute`.
fn tolerance(announced: Decimal, fraction: Decimal, absolute: Decimal) -> Decimal {
    announced.abs().saturating_mul(fraction).max(absolute)
}

/// Compares pre-arrival information with the later filing for the same consignment.
pub fn compare(pre: &PreArrival, later: &Later, tol: &Tolerances) -> Vec<Difference> {
    let announced = group(pre.items.iter().map(ComparedItem::from).collect::<Vec<_>>().iter());
    let declared = group(later.items.iter());
    let mut out = Vec::new();

    let codes = |g: &Groups| g.keys().cloned().collect::<BTreeSet<String>>();
    let (a, d) = (codes(&announced), codes(&declared));
    if a != d {
        out.push(Difference::HsCode {
            announced_only: a.difference(&d).cloned().collect(),
            declared_only: d.difference(&a).cloned().collect(),
        });
    }

    let mass_difference = |hs6: Option<&String>, announced: Decimal, declared: Decimal| {
        let allowed = tolerance(announced, tol.mass_fraction, tol.mass_kg);
        (announced.saturating_sub(declared).abs() > allowed).then(|| Difference::GrossMass {
            hs6: hs6.cloned(),
            announced,
            declared,
            tolerance: allowed,
        })
    };
    for (hs6, (mass, values)) in &announced {
        let Some((declared_mass, declared_values)) = declared.get(hs6) else { continue };
        out.extend(mass_difference(Some(hs6), *mass, *declared_mass));
        let currencies: BTreeSet<&CurrencyCode> = values.keys().chain(declared_values.keys()).collect();
        for currency in currencies {
            let (a, d) = (values.get(currency).copied(), declared_values.get(currency).copied());
            let differs = match (a, d) {
                (Some(a), Some(d)) => a.saturating_sub(d).abs() > tolerance(a, tol.value_fraction, tol.value_units),
                _ => true,
            };
            if differs {
                out.push(Difference::Value { hs6: hs6.clone(), currency: *currency, announced: a, declared: d });
            }
        }
    }
    let total = |g: &Groups| g.values().fold(Decimal::ZERO, |t, (m, _)| t.saturating_add(*m));
    out.extend(mass_difference(None, total(&announced), total(&declared)));

    for (role, party) in
        [(Role::Consignor, &pre.consignor), (Role::Consignee, &pre.consignee), (Role::Carrier, &pre.carrier)]
    {
        if let Some(id) = later.parties.get(&role).filter(|id| **id != party.id) {
            out.push(Difference::Party { role, announced: party.id.clone(), declared: id.clone() });
        }
    }
    out
}

#[cfg(test)]
#[path = "pre_arrival_tests.rs"]
pub(crate) mod tests;
