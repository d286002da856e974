//! Risk profiles written by analysts in a small readable language, and the lane decision.
//!
//! A profile is a versioned rule: a condition over declaration and item fields, an effective
//! period and a measure (the lane and an instruction for the officer). `assess` runs every
//! profile in force on the declaration date and picks the most severe lane among those that fired.

mod lane;

pub use lane::Lane;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::declaration::Declaration;

/// A compiled risk profile, ready to evaluate.
#[derive(Debug, Clone, PartialEq)]
pub struct Profile {
    /// Stable code chosen by the analyst, e.g. `RP-ELEC-001`.
    pub code: String,
    /// Version, from 1; a change makes a new version.
    pub version: u32,
    /// Short human title.
    pub title: String,
    /// First day the profile applies.
    pub valid_from: NaiveDate,
    /// Last day the profile applies (inclusive); `None` means open-ended.
    pub valid_to: Option<NaiveDate>,
    /// The lane this profile sends a declaration to when it fires.
    pub lane: Lane,
    /// What the officer is to do.
    pub instruction: String,
    /// The profile's text as written by the analyst.
    pub source: String,
}

/// One profile that fired on a declaration.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Hit {
    /// Profile code.
    pub profile: String,
    /// Profile version.
    pub version: u32,
    /// Lane the profile asks for.
    pub lane: Lane,
    /// Instruction for the officer.
    pub instruction: String,
    /// Goods item numbers that matched (empty when the condition used header fields only).
    pub items: Vec<u32>,
}

/// The result of risk assessment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Assessment {
    /// The most severe lane among the hits, green when nothing fired.
    pub lane: Lane,
    /// Profiles that fired, most severe first.
    pub hits: Vec<Hit>,
}

/// Assesses a declaration against the profiles in force on `date`.
pub fn assess(_declaration: &Declaration, _profiles: &[Profile], _date: NaiveDate) -> Assessment {
    Assessment { lane: Lane::Green, hits: Vec::new() }
}
