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
