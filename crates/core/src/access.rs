//! Who may do what: principals authenticated by API tokens and their roles.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::ids::TraderId;

/// The role a token grants.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// A declarant: files declarations and sees only its own.
    Trader,
    /// A customs officer at an electronic declaration centre: sees declarations, decides controls.
    Officer,
    /// The supervisor of a declaration centre: an officer who also reassigns cases between
    /// inspectors and reads the centre's queues.
    Supervisor,
    /// A risk analyst: writes risk profiles.
    Analyst,
    /// Administrator of the customs service: offices, users, tokens.
    Admin,
    /// Holder of a temporary-storage facility: receives release notifications for it.
    Warehouse,
    /// A bank or payment operator: notifies deposits to traders' accounts.
    Bank,
    /// A member organisation of the Smart Customs community (another administration, an
    /// international organisation, a research body): contributes survey answers and
    /// self-assessments to the knowledge base and sees no declarations.
    Member,
    /// Equipment of customs control: a navigation seal operator's gateway, checkpoint
    /// equipment. Sends telemetry and equipment events; reads nothing.
    Device,
    /// Staff or software of another government agency (veterinary, phytosanitary, technical
    /// regulation, export control …) in the Single Window: issues and manages its own permits,
    /// licences and certificates and reads the declarations its requirements concern, within
    /// its competence. `trader` holds the agency's code.
    Agency,
}

impl Role {
    /// Every role.
    pub const ALL: [Role; 10] = [
        Role::Trader,
        Role::Officer,
        Role::Supervisor,
        Role::Analyst,
        Role::Admin,
        Role::Warehouse,
        Role::Bank,
        Role::Member,
        Role::Device,
        Role::Agency,
    ];

    /// Stable lower-case name.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Trader => "trader",
            Role::Officer => "officer",
            Role::Supervisor => "supervisor",
            Role::Analyst => "analyst",
            Role::Admin => "admin",
            Role::Warehouse => "warehouse",
            Role::Bank => "bank",
            Role::Member => "member",
            Role::Device => "device",
            Role::Agency => "agency",
        }
    }

    /// Parses the stored name.
    pub fn parse(s: &str) -> Option<Role> {
        Role::ALL.into_iter().find(|r| r.as_str() == s)
    }
}

/// An authenticated caller.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Principal {
    /// Name of the user or system the token was issued to.
    pub name: String,
    /// Role.
    pub role: Role,
    /// For traders: the party id they declare as; for warehouses: the facility code.
    pub trader: Option<TraderId>,
    /// For a trader's user: what it may do in its organisation. `None`: every capacity (the
    /// organisation's own account, and API tokens, which are its software).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub capacities: Option<Vec<Capacity>>,
}

/// What a trader's user may do within its organisation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Capacity {
    /// Prepare, sign and file declarations; withdraw them; answer officers' requests.
    #[serde(rename = "filer")]
    File,
    /// Ask for refunds from the account.
    #[serde(rename = "payer")]
    Pay,
    /// Read the organisation's declarations and account (every user may).
    #[serde(rename = "viewer")]
    View,
    /// Add, change and remove users; authorise representatives.
    #[serde(rename = "admin")]
    Administer,
}

impl Capacity {
    /// Every capacity.
    pub const ALL: [Capacity; 4] = [Capacity::File, Capacity::Pay, Capacity::View, Capacity::Administer];

    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            Capacity::File => "filer",
            Capacity::Pay => "payer",
            Capacity::View => "viewer",
            Capacity::Administer => "admin",
        }
    }

    /// A capacity by its stored name.
    pub fn parse(name: &str) -> Option<Capacity> {
        Capacity::ALL.into_iter().find(|c| c.as_str() == name.trim())
    }

    /// The capacities stored for a user, comma-separated (`None`: none recorded, so every one).
    pub fn of_stored(text: Option<&str>) -> Vec<Capacity> {
        match text {
            None => Capacity::ALL.to_vec(),
            Some(text) => text.split(',').filter_map(Capacity::parse).collect(),
        }
    }
}

impl Principal {
    /// A principal with every capacity of its role.
    pub fn new(name: impl Into<String>, role: Role, trader: Option<TraderId>) -> Principal {
        Principal { name: name.into(), role, trader, capacities: None }
    }

    /// What this principal may do in its organisation (every capacity unless restricted).
    pub fn capacities(&self) -> Vec<Capacity> {
        self.capacities.clone().unwrap_or_else(|| Capacity::ALL.to_vec())
    }

    /// True when this principal has `capacity` (viewing needs none).
    pub fn has(&self, capacity: Capacity) -> bool {
        capacity == Capacity::View || self.capacities.as_ref().is_none_or(|c| c.contains(&capacity))
    }

    /// May this principal read a declaration filed by `declarant`? Traders see only their own;
    /// officers, analysts and administrators see all.
    pub fn may_read(&self, declarant: &str) -> bool {
        match self.role {
            Role::Trader => self.trader.as_ref().is_some_and(|t| t.as_str() == declarant),
            Role::Warehouse | Role::Bank | Role::Member | Role::Device | Role::Agency => false,
            Role::Officer | Role::Supervisor | Role::Analyst | Role::Admin => true,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn trader(id: &str) -> Principal {
        Principal::new(id, Role::Trader, Some(TraderId::new(id).unwrap_or_else(|e| panic!("{e}"))))
    }

    #[test]
    fn a_trader_reads_only_its_own_declarations() {
        assert!(trader("DE1").may_read("DE1"));
        assert!(!trader("DE1").may_read("DE2"));
    }

    #[test]
    fn a_user_has_the_capacities_recorded_for_it_and_an_organisation_account_all() {
        let mut clerk = trader("DE1");
        assert!(clerk.has(Capacity::File) && clerk.has(Capacity::Administer));
        clerk.capacities = Some(Capacity::of_stored(Some("filer,viewer")));
        assert!(clerk.has(Capacity::File) && clerk.has(Capacity::View) && !clerk.has(Capacity::Pay));
        clerk.capacities = Some(Vec::new());
        assert!(clerk.has(Capacity::View), "every user reads");
        assert_eq!(Capacity::of_stored(Some("payer, nonsense")), [Capacity::Pay]);
    }

    #[test]
    fn officers_read_every_declaration() {
        let o = Principal::new("o", Role::Officer, None);
        assert!(o.may_read("DE2"));
    }
}
