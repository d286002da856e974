//! Automatic registration: the list of conditions a declaration must meet to be registered,
//! the decision taken from them, and the audit trail of that decision.
//!
//! The conditions are a list ([`Condition::ALL`]) so later capabilities (documents present in
//! the e-register) add an entry instead of another code path. The last condition, duties
//! covered, depends on the ledger at the moment the filing is recorded, so [`decide`] stops
//! before it and the store applies [`admit`] in the same transaction that reserves the money.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::audit::{Action, NewEntry};
use crate::declaration::{Declaration, DeclarationDoc};
use crate::flc::{self, Finding};
use crate::ids::{DeclarationId, RegistrationNumber};
use crate::ledger::{self, Amount, Funding, TaxSplit};
use crate::release;
use crate::risk::{self, Assessment, Facts, Hit, ItemFacts, Lane, ModelScore, Profile, RiskContext};
use crate::signature::SignatureError;
use crate::tariff::{DutyAssessment, Tariff};
use crate::valuation::{PriceReference, ValuationCheck};
use crate::workflow::{EventKind, IllegalTransition, State};

/// Why a condition is not met: a stable code, the field concerned and a plain message.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Reason {
    /// Stable code (`FLC_…`, `SIG_…`).
    pub code: String,
    /// JSON path of the field, when the reason concerns one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,
    /// Plain-language explanation, in English.
    pub message: String,
    /// The values the message is made from, by name, for the pages to say the same in another
    /// language (see [`Finding::args`]). Left out when empty; reasons stored before it existed
    /// read as empty.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub args: BTreeMap<String, String>,
}

impl From<Finding> for Reason {
    fn from(f: Finding) -> Self {
        Reason { code: f.code, path: Some(f.path), message: f.message, args: f.args }
    }
}

impl From<&SignatureError> for Reason {
    fn from(e: &SignatureError) -> Self {
        Reason { code: e.code().to_string(), path: None, message: e.to_string(), args: BTreeMap::new() }
    }
}

/// A condition of automatic registration.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Condition {
    /// Format-logical control found nothing.
    FormatLogicalControl,
    /// The declarant's electronic signature is valid.
    ElectronicSignature,
    /// The tariff gives a duty for every item (measures and exchange rates exist on the date).
    DutiesCalculated,
    /// The trader's available balance covers the duties. Checked when the filing is recorded,
    /// against the ledger as it stands then; until it is met the declaration awaits payment.
    DutiesCovered,
}

impl Condition {
    /// Every condition, in the order they are checked.
    pub const ALL: [Condition; 4] = [
        Condition::FormatLogicalControl,
        Condition::ElectronicSignature,
        Condition::DutiesCalculated,
        Condition::DutiesCovered,
    ];
}

/// One condition with what was found against it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct ConditionResult {
    /// The condition.
    pub condition: Condition,
    /// Empty when the condition is met.
    pub reasons: Vec<Reason>,
}

/// What the system decides for a filed declaration before looking at the trader's money.
#[derive(Debug, Clone, PartialEq)]
pub enum Decision {
    /// Registration refused; the declaration is kept with the reasons.
    Refused {
        /// Every reason, from every unmet condition.
        reasons: Vec<Reason>,
    },
    /// Every condition but the last is met: duties calculated, risk assessed. It is registered
    /// when the duties are covered ([`admit`]), otherwise it awaits payment.
    Accepted(Box<Accepted>),
}

/// A declaration that meets every condition checked on the document.
#[derive(Debug, Clone, PartialEq)]
pub struct Accepted {
    /// The checked declaration.
    pub declaration: Declaration,
    /// The duty calculation, with its inputs.
    pub duties: DutyAssessment,
    /// The value check of each item, where a price reference exists.
    pub valuation: Vec<Option<ValuationCheck>>,
    /// What risk assessment read besides the declaration: customs values, value checks and
    /// operator categories.
    pub facts: Facts,
    /// The risk assessment and lane.
    pub assessment: Assessment,
    /// True when the goods are released without an officer once registered.
    pub auto_release: bool,
    /// What registration needs, derived once by [`decide`] so the store only reads it.
    pub registrable: Registrable,
    /// The partners' exports the import cites, each with what differs from the import.
    pub exchange: Vec<crate::wcodm::Matched>,
}

/// The duties of a calculation as ledger amounts. The calculation rounds every figure to the
/// cent; a total beyond what the ledger holds counts as the largest amount, which no balance
/// covers.
fn taxes_of(duties: &DutyAssessment) -> TaxSplit {
    let cents = |d: rust_decimal::Decimal| {
        Amount::from_decimal(d.round_dp_with_strategy(2, rust_decimal::RoundingStrategy::MidpointAwayFromZero))
            .unwrap_or(Amount::from_cents(i64::MAX / 4))
    };
    TaxSplit { duty: cents(duties.totals.duty), excise: cents(duties.totals.excise), vat: cents(duties.totals.vat) }
}

/// Everything registration of an accepted declaration needs: the outcome of risk assessment
/// and the duties. A declaration awaiting payment is registered from this record, with the
/// lane decided when it was filed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Registrable {
    /// Office of declaration.
    pub office: crate::ids::OfficeCode,
    /// Temporary-storage facility holding the goods.
    pub location_of_goods: String,
    /// The lane.
    pub lane: Lane,
    /// The profiles that fired.
    pub hits: Vec<Hit>,
    /// The model's score and explanation, when a model was active.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub model: Option<ModelScore>,
    /// Sent to inspection by the random share of controls.
    #[serde(default)]
    pub random_control: bool,
    /// The declarant's risk category when assessed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub declarant_category: Option<risk::Category>,
    /// The importer's risk category when assessed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub importer_category: Option<risk::Category>,
    /// What other checks found (see [`risk::FINDINGS`]).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub findings: Vec<String>,
    /// Released without an officer once registered.
    pub auto_release: bool,
    /// The duties to reserve.
    pub taxes: TaxSplit,
}

impl Decision {
    /// The accepted declaration, if any.
    pub fn accepted(&self) -> Option<&Accepted> {
        match self {
            Decision::Accepted(a) => Some(a),
            Decision::Refused { .. } => None,
        }
    }
}

/// The outcome of the last condition, duties covered.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Admission {
    /// Registered: the duties are reserved (and debited at once on automatic release).
    Registered,
    /// Waiting for a deposit: this much is missing from the available balance.
    AwaitingPayment {
        /// The duties.
        duties: Amount,
        /// What the trader had available.
        available: Amount,
        /// What is missing.
        missing: Amount,
    },
}

/// Checks the last condition against the trader's available balance.
pub fn admit(taxes: &TaxSplit, available: Amount) -> Admission {
    match ledger::funding(taxes.total(), available) {
        Funding::Covered => Admission::Registered,
        Funding::Missing(missing) => Admission::AwaitingPayment { duties: taxes.total(), available, missing },
    }
}

/// The state a declaration ends up in once decided and admitted.
pub fn final_state(decision: &Decision, admission: Option<Admission>) -> State {
    match (decision, admission) {
        (Decision::Refused { .. }, _) => State::Refused,
        (Decision::Accepted(_), Some(Admission::AwaitingPayment { .. })) => State::AwaitingPayment,
        (Decision::Accepted(a), _) if a.auto_release => State::Released,
        (Decision::Accepted(_), _) => State::UnderControl,
    }
}

/// Everything the decision needs, loaded by the shell.
#[derive(Debug)]
pub struct Filing<'a> {
    /// The declaration as filed.
    pub doc: &'a DeclarationDoc,
    /// FLC context (today, offices).
    pub flc: &'a flc::Context,
    /// The outcome of signature verification, done by the shell with the declarant's keys.
    pub signature: Result<(), SignatureError>,
    /// Risk profiles (all versions in force are filtered by date inside).
    pub profiles: &'a [Profile],
    /// The tariff.
    pub tariff: &'a Tariff,
    /// The price reference for the value check.
    pub prices: &'a PriceReference,
    /// The model, operator categories and random controls.
    pub risk: RiskContext<'a>,
    /// Date of acceptance (the office's today): measures, exchange rates and profiles valid on
    /// this date apply.
    pub date: NaiveDate,
    /// The pre-arrival information (its id and content) that announced the consignment, when
    /// the shell found one: the declaration is compared with it and differences go to risk.
    pub pre_arrival: Option<(&'a str, &'a crate::transit::pre_arrival::PreArrival)>,
    /// The partners' export declarations the items cite (`N830`), as received from the
    /// partners: an import is matched with each, and what differs goes to risk.
    pub partner_exports: &'a [crate::wcodm::PartnerExport],
}

/// Checks every registration condition that depends on the document alone and, when all are
/// met, calculates the duties, checks the customs value and assesses risk.
pub fn decide(filing: Filing<'_>) -> Decision {
    let checked = flc::check(filing.doc, filing.flc);
    let duties = checked.as_ref().ok().map(|d| filing.tariff.assess(d, filing.date));
    let conditions = [
        ConditionResult {
            condition: Condition::FormatLogicalControl,
            reasons: checked.as_ref().err().map(|f| f.iter().cloned().map(Reason::from).collect()).unwrap_or_default(),
        },
        ConditionResult {
            condition: Condition::ElectronicSignature,
            reasons: filing.signature.as_ref().err().map(|e| vec![Reason::from(e)]).unwrap_or_default(),
        },
        ConditionResult {
            condition: Condition::DutiesCalculated,
            reasons: duties.as_ref().and_then(|d| d.as_ref().err().cloned()).unwrap_or_default(),
        },
    ];
    match (checked, duties) {
        (Ok(declaration), Some(Ok(duties))) if conditions.iter().all(|c| c.reasons.is_empty()) => {
            let valuation: Vec<Option<ValuationCheck>> = declaration
                .items
                .iter()
                .zip(&duties.items)
                .map(|(item, d)| filing.prices.check(item, d.customs_value))
                .collect();
            let exchange = match declaration.kind {
                crate::declaration::DeclarationType::Import => filing
                    .partner_exports
                    .iter()
                    .map(|e| crate::wcodm::Matched {
                        partner: e.partner.clone(),
                        reference: e.reference.clone(),
                        mismatches: crate::wcodm::match_import(e, &declaration, &crate::wcodm::Tolerance::default()),
                    })
                    .collect(),
                crate::declaration::DeclarationType::Export => Vec::new(),
            };
            let facts = Facts {
                items: duties
                    .items
                    .iter()
                    .zip(&valuation)
                    .map(|(d, v)| ItemFacts { customs_value_eur: Some(d.customs_value), valuation: v.clone() })
                    .collect(),
                declarant_category: filing.risk.categories.and_then(|c| c.get(&declaration.declarant.id)),
                importer_category: filing.risk.categories.and_then(|c| c.get(&declaration.importer.id)),
                pre_arrival: filing.pre_arrival.map(|(id, pre)| {
                    use crate::transit::pre_arrival::{compare, Later, Tolerances};
                    crate::risk::PreArrivalFacts {
                        id: id.to_string(),
                        reference: pre.reference.as_str().to_string(),
                        differences: compare(pre, &Later::of_goods_declaration(&declaration), &Tolerances::default()),
                    }
                }),
                findings: crate::wcodm::finding_codes(&exchange),
                ..Facts::default()
            };
            let assessment = risk::assess_in(&declaration, &facts, filing.profiles, filing.date, filing.risk);
            let auto_release = release::is_automatic(&assessment);
            let registrable = Registrable {
                office: declaration.office.clone(),
                location_of_goods: declaration.location_of_goods.clone(),
                lane: assessment.lane,
                hits: assessment.hits.clone(),
                model: assessment.model.clone(),
                random_control: assessment.random_control,
                declarant_category: assessment.declarant_category,
                importer_category: assessment.importer_category,
                findings: assessment.findings.clone(),
                auto_release,
                taxes: taxes_of(&duties),
            };
            Decision::Accepted(Box::new(Accepted {
                declaration,
                duties,
                valuation,
                facts,
                assessment,
                auto_release,
                registrable,
                exchange,
            }))
        }
        _ => Decision::Refused { reasons: conditions.into_iter().flat_map(|c| c.reasons).collect() },
    }
}

/// Facts about the filing recorded in the `submitted` audit entry.
#[derive(Debug, Clone)]
pub struct SubmissionFacts<'a> {
    /// The declaration.
    pub id: DeclarationId,
    /// Declarant (the authenticated trader).
    pub declarant: &'a str,
    /// SHA-256 (hex) of the exact bytes filed.
    pub document_sha256: &'a str,
    /// The customs representative (broker) that filed for the declarant, and its user.
    pub representative: Option<(&'a str, &'a str)>,
    /// Time of the decision.
    pub at_us: crate::timestamp::Timestamp,
}

/// One step of a trail: the workflow event (none for `submitted`), the action and its details.
type Step = (Option<EventKind>, Action, serde_json::Value);

/// The audit entries of a decision, in order, from `submitted` to the state the filing ends in.
/// `number` is given when the declaration is registered now. Every entry is checked against the
/// workflow, so an illegal sequence cannot be written.
pub fn audit_trail(
    facts: &SubmissionFacts<'_>,
    decision: &Decision,
    admission: Option<Admission>,
    number: Option<&RegistrationNumber>,
) -> Result<Vec<NewEntry>, IllegalTransition> {
    let mut submitted = serde_json::json!({ "declarant": facts.declarant, "document_sha256": facts.document_sha256 });
    if let Some((representative, user)) = facts.representative {
        submitted["representative"] = serde_json::json!(representative);
        submitted["filed_by"] = serde_json::json!(user);
    }
    let mut steps: Vec<Step> = vec![(None, Action::Submitted, submitted)];
    match (decision, admission) {
        (Decision::Refused { reasons }, _) => {
            steps.push((Some(EventKind::Refused), Action::Refused, serde_json::json!({ "reasons": reasons })));
        }
        (Decision::Accepted(_), Some(Admission::AwaitingPayment { duties, available, missing })) => {
            steps.push((
                Some(EventKind::AwaitingPayment),
                Action::AwaitingPayment,
                serde_json::json!({
                    "conditions_met": [Condition::FormatLogicalControl, Condition::ElectronicSignature, Condition::DutiesCalculated],
                    "condition_unmet": Condition::DutiesCovered,
                    "duties": duties, "available": available, "missing": missing,
                }),
            ));
        }
        (Decision::Accepted(accepted), _) => steps.extend(registration_steps(&accepted.registrable, number)),
    }
    entries(facts.id, facts.at_us, State::Submitted, steps)
}

/// The audit entries of registering a declaration that awaited payment, once a deposit
/// covers its duties.
pub fn registration_trail(
    id: DeclarationId,
    at_us: crate::timestamp::Timestamp,
    registrable: &Registrable,
    number: &RegistrationNumber,
) -> Result<Vec<NewEntry>, IllegalTransition> {
    entries(id, at_us, State::AwaitingPayment, registration_steps(registrable, Some(number)))
}

fn registration_steps(r: &Registrable, number: Option<&RegistrationNumber>) -> Vec<Step> {
    let mut steps: Vec<Step> = vec![
        (
            Some(EventKind::Registered),
            Action::Registered,
            serde_json::json!({
                "registration_number": number,
                "conditions": Condition::ALL,
                "duties_reserved": r.taxes.total(),
            }),
        ),
        (
            Some(EventKind::LaneAssigned { lane: r.lane }),
            Action::LaneAssigned,
            serde_json::json!({
                "lane": r.lane, "hits": r.hits, "model": r.model, "random_control": r.random_control,
                "reasons": lane_reasons(r),
            }),
        ),
    ];
    if r.auto_release {
        steps.push((
            Some(EventKind::Released),
            Action::Released,
            serde_json::json!({
                "automatic": true,
                "release_document": number.map(release::document_number),
                "duties_debited": r.taxes,
            }),
        ));
    }
    steps
}

/// The reasons for the lane in plain terms.
fn lane_reasons(r: &Registrable) -> Vec<String> {
    r.assessment().reasons()
}

impl Registrable {
    /// The risk assessment this record keeps.
    pub fn assessment(&self) -> Assessment {
        Assessment {
            lane: self.lane,
            hits: self.hits.clone(),
            model: self.model.clone(),
            random_control: self.random_control,
            declarant_category: self.declarant_category,
            importer_category: self.importer_category,
            findings: self.findings.clone(),
        }
    }
}

fn entries(
    id: DeclarationId,
    at_us: crate::timestamp::Timestamp,
    from: State,
    steps: Vec<Step>,
) -> Result<Vec<NewEntry>, IllegalTransition> {
    let mut state = from;
    let mut entries = Vec::with_capacity(steps.len());
    for (event, action, details) in steps {
        if let Some(event) = event {
            state = state.apply(&event)?;
        }
        entries.push(NewEntry {
            at_us,
            declaration_id: Some(id.to_string()),
            actor: "system".into(),
            action,
            details: details.to_string(),
        });
    }
    Ok(entries)
}
