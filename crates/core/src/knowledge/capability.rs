//! The capabilities of the product map (PRODUCT.md, A1…G4) with their status in this release,
//! the endpoints and pages that expose them, and the activities that show they are used.
//!
//! This list is what a catalogue item's status is checked against: an item may claim to be
//! implemented only through capabilities listed here as implemented, and a test in the HTTP
//! crate checks that every endpoint named as evidence is routed and documented.

use serde::Serialize;
use utoipa::ToSchema;

use super::catalogue::{Status, Technology};

/// A capability of the platform.
#[derive(Debug, Clone, Copy, Serialize, ToSchema)]
pub struct Capability {
    /// Id in the product map.
    pub id: &'static str,
    /// Name.
    pub name: &'static str,
    /// Status in this release.
    pub status: Status,
    /// `METHOD /path` of the endpoints and pages that expose it (none unless implemented or partial).
    pub evidence: &'static [&'static str],
    /// Activities (audit entry kinds or stored records) whose count over the last 30 days
    /// shows that it is used; empty when serving it is use enough (reference content).
    pub usage: &'static [&'static str],
}

/// How much a capability was used over a period.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
pub struct CapabilityUse {
    /// Activities counted.
    pub count: u64,
}

const fn planned(id: &'static str, name: &'static str) -> Capability {
    Capability { id, name, status: Status::Planned, evidence: &[], usage: &[] }
}

/// Every capability of the product map.
pub const CAPABILITIES: &[Capability] = &[
    Capability {
        id: "A1",
        name: "Paperless system of record",
        status: Status::Partial,
        evidence: &["GET /api/v1/declarations/{id}", "GET /api/v1/declarations/{id}/events"],
        usage: &["submitted"],
    },
    Capability {
        id: "A2",
        name: "Electronic declaring",
        status: Status::Partial,
        evidence: &["POST /api/v1/declarations", "POST /api/v1/keys"],
        usage: &["submitted"],
    },
    Capability {
        id: "A3",
        name: "Format-logical control",
        status: Status::Implemented,
        evidence: &["POST /api/v1/declarations"],
        usage: &["submitted"],
    },
    Capability {
        id: "A4",
        name: "Automatic registration",
        status: Status::Implemented,
        evidence: &["POST /api/v1/declarations", "GET /api/v1/declarations/{id}"],
        usage: &["registered"],
    },
    Capability {
        id: "A5",
        name: "Risk assessment and lanes",
        status: Status::Implemented,
        evidence: &["GET /api/v1/risk-profiles", "POST /api/v1/risk-profiles"],
        usage: &["lane_assigned"],
    },
    Capability {
        id: "A6",
        name: "Automatic release and electronic release documents",
        status: Status::Implemented,
        evidence: &["GET /api/v1/notifications"],
        usage: &["released"],
    },
    planned("A7", "Electronic advance information and preliminary decisions"),
    planned("A8", "Remote release"),
    planned("A9", "Centralized automatic dispatching"),
    Capability {
        id: "A10",
        name: "Contactless interaction",
        status: Status::Partial,
        evidence: &["GET /api/v1/declarations", "GET /api/v1/declarations/{id}/events"],
        usage: &["submitted"],
    },
    Capability {
        id: "B1",
        name: "Tariff",
        status: Status::Implemented,
        evidence: &["GET /api/v1/tariff", "POST /api/v1/tariff"],
        usage: &["registered"],
    },
    Capability {
        id: "B2",
        name: "Single personal account",
        status: Status::Implemented,
        evidence: &["POST /api/v1/payments", "GET /api/v1/account", "GET /api/v1/account/statement"],
        usage: &["postings"],
    },
    Capability {
        id: "B3",
        name: "Automated customs value check",
        status: Status::Implemented,
        evidence: &["POST /api/v1/declarations"],
        usage: &["registered"],
    },
    Capability {
        id: "C1",
        name: "Smart, self-adjusting risk management",
        status: Status::Implemented,
        evidence: &[
            "GET /api/v1/risk/models",
            "POST /api/v1/risk/models/train",
            "GET /api/v1/risk/effectiveness",
            "GET /api/v1/risk/operators",
            "GET /api/v1/inspection-outcomes",
        ],
        usage: &["outcomes", "models"],
    },
    planned("C2", "Classification control"),
    planned("C3", "Semantic analysis of descriptions"),
    planned("C4", "Post-release control"),
    planned("C5", "Origin"),
    planned("C6", "IPR register"),
    planned("C7", "AEO register and mutual recognition"),
    planned("D1", "Transit"),
    planned("D2", "Navigation seals and e-locks"),
    planned("D3", "Goods traceability"),
    planned("D4", "Smart checkpoint"),
    Capability {
        id: "E1",
        name: "Single Window",
        status: Status::Partial,
        evidence: &[
            "POST /api/v1/agencies/{code}/requirements",
            "POST /api/v1/permits",
            "GET /api/v1/single-window/declarations",
            "GET /api/v1/single-window/referrals",
        ],
        usage: &["permit_quantities", "agency_decided"],
    },
    Capability {
        id: "E2",
        name: "Data exchange",
        status: Status::Partial,
        evidence: &["POST /api/v1/declarations/wco", "POST /api/v1/exchange/inbound", "GET /api/v1/exchange/outbox"],
        usage: &["exchange_received", "exchange_matched", "exchange_queued"],
    },
    Capability {
        id: "E3",
        name: "E-commerce",
        status: Status::Partial,
        evidence: &["POST /api/v1/parcels", "GET /api/v1/parcels/quality"],
        usage: &["parcels_filed", "parcel_decided"],
    },
    planned("F1", "Management dashboards and trade statistics"),
    Capability {
        id: "G1",
        name: "Technology catalogue and glossary",
        status: Status::Implemented,
        evidence: &[
            "GET /api/v1/knowledge/technologies",
            "GET /api/v1/knowledge/terms",
            "GET /api/v1/knowledge/instruments",
            "GET /knowledge",
        ],
        usage: &[],
    },
    Capability {
        id: "G2",
        name: "Maturity self-assessment",
        status: Status::Implemented,
        evidence: &[
            "POST /api/v1/knowledge/maturity",
            "GET /api/v1/knowledge/maturity/platform",
            "GET /knowledge/maturity",
        ],
        usage: &["assessments"],
    },
    Capability {
        id: "G3",
        name: "WCO Smart Customs survey repository",
        status: Status::Implemented,
        evidence: &[
            "POST /api/v1/knowledge/survey",
            "GET /api/v1/knowledge/survey",
            "GET /api/v1/knowledge/survey/stats",
            "GET /api/v1/knowledge/survey/export",
            "GET /knowledge/survey",
        ],
        usage: &["survey_answers"],
    },
    Capability {
        id: "G4",
        name: "Consultation channel",
        status: Status::Implemented,
        evidence: &["GET /api/v1/knowledge/search", "GET /knowledge/search"],
        usage: &[],
    },
];

/// The capability with this id.
pub fn find(id: &str) -> Option<&'static Capability> {
    CAPABILITIES.iter().find(|c| c.id == id)
}

/// What is wrong with a technology's claim about its status: an item is implemented only if
/// every capability it names is, and partial only if at least one is implemented or partial.
pub(super) fn claim_problems(t: &Technology) -> Vec<String> {
    let mut problems = Vec::new();
    let mut statuses = Vec::new();
    for id in &t.capabilities {
        match find(id) {
            Some(c) => statuses.push(c.status),
            None => problems.push(format!("technology {} names capability {id}, which does not exist", t.number)),
        }
    }
    let built = |s: &Status| matches!(s, Status::Implemented | Status::Partial);
    let claim = match t.status {
        Status::Implemented if statuses.is_empty() || statuses.iter().any(|s| *s != Status::Implemented) => {
            Some("implemented, but not every capability it names is implemented")
        }
        Status::Partial if !statuses.iter().any(built) => {
            Some("partial, but none of the capabilities it names is built")
        }
        Status::Planned if statuses.contains(&Status::Implemented) => {
            Some("planned, but a capability it names is implemented: say partial or implemented")
        }
        _ => None,
    };
    if let Some(claim) = claim {
        problems.push(format!("technology {} ({}) claims to be {claim}", t.number, t.name));
    }
    problems
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_unique_and_follow_the_product_map() {
        let mut ids: Vec<&str> = CAPABILITIES.iter().map(|c| c.id).collect();
        ids.sort_unstable();
        ids.dedup();
        assert_eq!(ids.len(), CAPABILITIES.len());
        assert_eq!(ids.len(), 10 + 3 + 7 + 4 + 3 + 1 + 4);
    }

    #[test]
    fn only_built_capabilities_name_evidence() {
        for c in CAPABILITIES {
            let built = matches!(c.status, Status::Implemented | Status::Partial);
            assert_eq!(built, !c.evidence.is_empty(), "{}", c.id);
        }
    }
}
