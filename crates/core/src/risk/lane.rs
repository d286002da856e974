use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// The control lane of a declaration. Ordered by severity: green < blue < yellow < red.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Lane {
    /// Automatic release.
    Green,
    /// Release now, post-release audit later.
    Blue,
    /// Document check by an officer.
    Yellow,
    /// Physical inspection.
    Red,
}

impl Lane {
    /// Every lane, least severe first.
    pub const ALL: [Lane; 4] = [Lane::Green, Lane::Blue, Lane::Yellow, Lane::Red];

    /// Stable lower-case name.
    pub fn as_str(self) -> &'static str {
        match self {
            Lane::Green => "green",
            Lane::Blue => "blue",
            Lane::Yellow => "yellow",
            Lane::Red => "red",
        }
    }

    /// Parses the lower-case name.
    pub fn parse(s: &str) -> Option<Lane> {
        Lane::ALL.into_iter().find(|l| l.as_str() == s)
    }

    /// Green and blue release the goods without an officer; yellow and red need one.
    pub fn releases_automatically(self) -> bool {
        matches!(self, Lane::Green | Lane::Blue)
    }
}
