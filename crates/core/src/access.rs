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
}

impl Role {
    /// Every role.
    pub const ALL: [Role; 8] = [
        Role::Trader,
        Role::Officer,
        Role::Supervisor,
        Role::Analyst,
        Role::Admin,
        Role::Warehouse,
        Role::Bank,
        Role::Member,
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
}

impl Principal {
    /// May this principal read a declaration filed by `declarant`? Traders see only their own;
    /// officers, analysts and administrators see all.
    pub fn may_read(&self, declarant: &str) -> bool {
        match self.role {
            Role::Trader => self.trader.as_ref().is_some_and(|t| t.as_str() == declarant),
            Role::Warehouse | Role::Bank | Role::Member => false,
            Role::Officer | Role::Supervisor | Role::Analyst | Role::Admin => true,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn trader(id: &str) -> Principal {
        Principal {
            name: id.into(),
            role: Role::Trader,
            trader: Some(TraderId::new(id).unwrap_or_else(|e| panic!("{e}"))),
        }
    }

    #[test]
    fn a_trader_reads_only_its_own_declarations() {
        assert!(trader("DE1").may_read("DE1"));
        assert!(!trader("DE1").may_read("DE2"));
    }

    #[test]
    fn officers_read_every_declaration() {
        let o = Principal { name: "o".into(), role: Role::Officer, trader: None };
        assert!(o.may_read("DE2"));
    }
}
