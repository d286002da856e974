//! Release of goods: when the system may release on its own, the electronic release document
//! and the notification to the holder of the temporary-storage facility.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::ids::RegistrationNumber;
use crate::risk::Assessment;

/// Automatic release needs a lane that releases without an officer and no open condition
/// (no fired profile asking for an action before release).
pub fn is_automatic(assessment: &Assessment) -> bool {
    assessment.lane.releases_automatically() && assessment.hits.iter().all(|h| h.lane.releases_automatically())
}

/// Number of the electronic release document: `R` followed by the registration number.
pub fn document_number(registration: &RegistrationNumber) -> String {
    format!("R{}", registration.as_str())
}

/// The electronic release document.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct ReleaseDocument {
    /// Document number.
    pub number: String,
    /// The declaration released.
    pub declaration_id: String,
    /// Its registration number.
    pub registration_number: String,
    /// Time of release, RFC 3339.
    pub released_at: String,
    /// Temporary-storage facility holding the goods.
    pub location_of_goods: String,
    /// Released without an officer.
    pub automatic: bool,
}

/// A message to an outside party (here the temporary-storage holder), kept until fetched and
/// optionally pushed to a webhook.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Notification {
    /// Sequence number in the outbox.
    pub id: i64,
    /// Recipient: the temporary-storage facility code.
    pub recipient: String,
    /// `release`.
    pub kind: String,
    /// The release document.
    pub payload: serde_json::Value,
    /// Creation time, RFC 3339.
    pub created_at: String,
    /// Time of successful webhook delivery, if pushed.
    pub delivered_at: Option<String>,
}

/// An officer's decision on a declaration under control.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct ControlDecision {
    /// Release the goods (`true`) or refuse release (`false`).
    pub release: bool,
    /// The officer's reasons, in plain language (findings of the document check or inspection).
    pub reason: String,
    /// What the control found: the label the risk engine learns from.
    pub outcome: crate::inspection::InspectionOutcome,
}

/// The state a control decision leads to and its audit entry, or the refusal of an illegal
/// transition (e.g. deciding on a declaration that is not under control).
pub fn control_outcome(
    declaration_id: &str,
    current: crate::workflow::State,
    decision: &ControlDecision,
    officer: &str,
    registration: Option<&RegistrationNumber>,
    at_us: crate::timestamp::Timestamp,
) -> Result<(crate::workflow::State, crate::audit::NewEntry), crate::workflow::IllegalTransition> {
    use crate::workflow::EventKind;
    let event = if decision.release { EventKind::Released } else { EventKind::Refused };
    let next = current.apply(&event)?;
    let details = if decision.release {
        serde_json::json!({
            "automatic": false, "reason": decision.reason, "release_document": registration.map(document_number),
            "outcome": decision.outcome,
        })
    } else {
        serde_json::json!({ "reasons": [{ "code": "CTL_001", "message": decision.reason }], "outcome": decision.outcome })
    };
    let entry = crate::audit::NewEntry {
        at_us,
        declaration_id: Some(declaration_id.to_string()),
        actor: officer.to_string(),
        action: event.action(),
        details: details.to_string(),
    };
    Ok((next, entry))
}

/// Reason code of a declaration withdrawn by its declarant.
pub const WITHDRAWN: &str = "WDR_001";

/// The state a withdrawal leads to and its audit entry: a declaration not yet registered, or
/// awaiting payment, may be withdrawn by its declarant (nothing was reserved for it, so no
/// money moves); any other state refuses.
pub fn withdrawal_outcome(
    declaration_id: &str,
    current: crate::workflow::State,
    actor: &str,
    at_us: crate::timestamp::Timestamp,
) -> Result<(crate::workflow::State, crate::audit::NewEntry), crate::workflow::IllegalTransition> {
    use crate::workflow::{EventKind, State};
    if !matches!(current, State::Submitted | State::AwaitingPayment) {
        return Err(crate::workflow::IllegalTransition { from: current, event: "withdrawn" });
    }
    let next = current.apply(&EventKind::Refused)?;
    let details = serde_json::json!({
        "withdrawn": true,
        "reasons": [{ "code": WITHDRAWN, "message": "Withdrawn by the declarant" }],
    });
    let entry = crate::audit::NewEntry {
        at_us,
        declaration_id: Some(declaration_id.to_string()),
        actor: actor.to_string(),
        action: EventKind::Refused.action(),
        details: details.to_string(),
    };
    Ok((next, entry))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::workflow::State;

    fn decision(release: bool) -> ControlDecision {
        let outcome = crate::inspection::InspectionOutcome {
            irregularities: if release { vec![] } else { vec![crate::inspection::Irregularity::Documents] },
            additional_duty: crate::ledger::Amount::ZERO,
        };
        ControlDecision { release, reason: "documents checked".into(), outcome }
    }

    #[test]
    fn an_officer_releases_or_refuses_only_what_is_under_control() {
        let n = RegistrationNumber::parse("DE005000/261124/0000001").unwrap_or_else(|e| panic!("{e}"));
        let (s, e) = control_outcome("d", State::UnderControl, &decision(true), "o", Some(&n), 1.into())
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!((s, e.action.as_str()), (State::Released, "released"));
        assert!(e.details.contains("RDE005000/261124/0000001"));
        let (s, _) = control_outcome("d", State::UnderControl, &decision(false), "o", Some(&n), 1.into())
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(s, State::Refused);
        assert!(control_outcome("d", State::Released, &decision(true), "o", Some(&n), 1.into()).is_err());
        assert!(control_outcome("d", State::Refused, &decision(false), "o", None, 1.into()).is_err());
    }

    #[test]
    fn a_declarant_withdraws_only_what_is_not_registered() {
        let (s, e) =
            withdrawal_outcome("d", State::AwaitingPayment, "anna", 1.into()).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!((s, e.action.as_str(), e.actor.as_str()), (State::Refused, "refused", "anna"));
        assert!(e.details.contains(WITHDRAWN));
        assert!(withdrawal_outcome("d", State::Submitted, "anna", 1.into()).is_ok());
        for state in [State::Registered, State::UnderControl, State::Released, State::Refused] {
            assert!(withdrawal_outcome("d", state, "anna", 1.into()).is_err(), "{state:?}");
        }
    }
}
