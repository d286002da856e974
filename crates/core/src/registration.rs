//! Automatic registration: the list of conditions a declaration must meet to be registered,
//! the decision taken from them, and the audit trail of that decision.
//!
//! The conditions are a list so later capabilities (duties covered, documents present in the
//! e-register) add an entry instead of another code path.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::audit::NewEntry;
use crate::declaration::{Declaration, DeclarationDoc};
use crate::flc::{self, Finding};
use crate::ids::{DeclarationId, RegistrationNumber};
use crate::release;
use crate::risk::{self, Assessment, Lane, Profile};
use crate::signature::SignatureError;
use crate::workflow::{EventKind, State};

/// Why a condition is not met: a stable code, the field concerned and a plain message.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Reason {
    /// Stable code (`FLC_…`, `SIG_…`).
    pub code: String,
    /// JSON path of the field, when the reason concerns one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,
    /// Plain-language explanation.
    pub message: String,
}

impl From<Finding> for Reason {
    fn from(f: Finding) -> Self {
        Reason { code: f.code, path: Some(f.path), message: f.message }
    }
}

impl From<&SignatureError> for Reason {
    fn from(e: &SignatureError) -> Self {
        Reason { code: e.code().to_string(), path: None, message: e.to_string() }
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
}

/// One condition with what was found against it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct ConditionResult {
    /// The condition.
    pub condition: Condition,
    /// Empty when the condition is met.
    pub reasons: Vec<Reason>,
}

/// What the system decides for a filed declaration.
#[derive(Debug, Clone, PartialEq)]
pub enum Decision {
    /// Registration refused; the declaration is kept with the reasons.
    Refused {
        /// Every reason, from every unmet condition.
        reasons: Vec<Reason>,
    },
    /// Registered and assessed.
    Registered {
        /// The checked declaration.
        declaration: Box<Declaration>,
        /// The risk assessment and lane.
        assessment: Assessment,
        /// True when the goods are released without an officer.
        auto_release: bool,
    },
}

impl Decision {
    /// The state the declaration ends up in.
    pub fn final_state(&self) -> State {
        match self {
            Decision::Refused { .. } => State::Refused,
            Decision::Registered { auto_release: true, .. } => State::Released,
            Decision::Registered { .. } => State::UnderControl,
        }
    }

    /// The lane, when registered.
    pub fn lane(&self) -> Option<Lane> {
        match self {
            Decision::Refused { .. } => None,
            Decision::Registered { assessment, .. } => Some(assessment.lane),
        }
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
    /// Registration date (the office's today).
    pub date: NaiveDate,
}

/// Checks every registration condition and, when all are met, assesses risk and decides release.
pub fn decide(filing: Filing<'_>) -> Decision {
    let checked = flc::check(filing.doc, filing.flc);
    let conditions = [
        ConditionResult {
            condition: Condition::FormatLogicalControl,
            reasons: checked.as_ref().err().map(|f| f.iter().cloned().map(Reason::from).collect()).unwrap_or_default(),
        },
        ConditionResult {
            condition: Condition::ElectronicSignature,
            reasons: filing.signature.as_ref().err().map(|e| vec![Reason::from(e)]).unwrap_or_default(),
        },
    ];
    match checked {
        Ok(declaration) if conditions.iter().all(|c| c.reasons.is_empty()) => {
            let assessment = risk::assess(&declaration, filing.profiles, filing.date);
            let auto_release = release::is_automatic(&assessment);
            Decision::Registered { declaration: Box::new(declaration), assessment, auto_release }
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
    /// Time of the decision, µs since the epoch.
    pub at_us: i64,
}

/// The audit entries of a decision, in order, from `submitted` to the final state. Every entry
/// is checked against the workflow, so an illegal sequence cannot be written.
pub fn audit_trail(
    facts: &SubmissionFacts<'_>,
    decision: &Decision,
    number: Option<&RegistrationNumber>,
) -> Result<Vec<NewEntry>, crate::workflow::IllegalTransition> {
    let mut steps: Vec<(Option<EventKind>, &str, serde_json::Value)> = vec![(
        None,
        "submitted",
        serde_json::json!({ "declarant": facts.declarant, "document_sha256": facts.document_sha256 }),
    )];
    match decision {
        Decision::Refused { reasons } => {
            steps.push((Some(EventKind::Refused), "refused", serde_json::json!({ "reasons": reasons })));
        }
        Decision::Registered { assessment, auto_release, .. } => {
            steps.push((
                Some(EventKind::Registered),
                "registered",
                serde_json::json!({
                    "registration_number": number,
                    "conditions": [Condition::FormatLogicalControl, Condition::ElectronicSignature],
                }),
            ));
            steps.push((
                Some(EventKind::LaneAssigned { lane: assessment.lane }),
                "lane_assigned",
                serde_json::json!({ "lane": assessment.lane, "hits": assessment.hits }),
            ));
            if *auto_release {
                steps.push((
                    Some(EventKind::Released),
                    "released",
                    serde_json::json!({
                        "automatic": true,
                        "release_document": number.map(release::document_number),
                    }),
                ));
            }
        }
    }
    let mut state = State::Submitted;
    let mut entries = Vec::with_capacity(steps.len());
    for (event, action, details) in steps {
        if let Some(event) = event {
            state = state.apply(&event)?;
        }
        entries.push(NewEntry {
            at_us: facts.at_us,
            declaration_id: Some(facts.id.to_string()),
            actor: "system".into(),
            action: action.into(),
            details: details.to_string(),
        });
    }
    Ok(entries)
}
