use serde::{Deserialize, Serialize};

/// Mode of transport at the border (UN/ECE Recommendation 19).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum TransportMode {
    /// 1 — sea.
    Sea,
    /// 2 — rail.
    Rail,
    /// 3 — road.
    Road,
    /// 4 — air.
    Air,
    /// 5 — postal consignment.
    Post,
    /// 7 — fixed transport installation (pipeline, power line).
    FixedInstallation,
    /// 8 — inland waterway.
    InlandWaterway,
    /// 9 — own propulsion.
    OwnPropulsion,
}

impl TransportMode {
    /// Parses the one-digit code.
    pub fn parse(code: &str) -> Option<Self> {
        Some(match code {
            "1" => TransportMode::Sea,
            "2" => TransportMode::Rail,
            "3" => TransportMode::Road,
            "4" => TransportMode::Air,
            "5" => TransportMode::Post,
            "7" => TransportMode::FixedInstallation,
            "8" => TransportMode::InlandWaterway,
            "9" => TransportMode::OwnPropulsion,
            _ => return None,
        })
    }

    /// The one-digit code.
    pub fn code(self) -> &'static str {
        match self {
            TransportMode::Sea => "1",
            TransportMode::Rail => "2",
            TransportMode::Road => "3",
            TransportMode::Air => "4",
            TransportMode::Post => "5",
            TransportMode::FixedInstallation => "7",
            TransportMode::InlandWaterway => "8",
            TransportMode::OwnPropulsion => "9",
        }
    }
}
