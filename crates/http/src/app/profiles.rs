//! Risk profiles as analysts work on them: a text is checked (errors with line and column),
//! previewed on the declarations of the last days (how many it fires on, which lanes would
//! change) and saved as the profile's next version.

use chrono::{DateTime, Utc};
use serde::Serialize;
use utoipa::ToSchema;

use smartcustoms_core::access::{Principal, Role};
use smartcustoms_core::risk;
use smartcustoms_core::timestamp::Timestamp;
use smartcustoms_storage::{NewProfile, ProfileRecord};

use super::risk::{load, replay, ReplayReport, ReplaySettings, RiskJobError};
use super::Forbidden;
use crate::state::AppState;

/// Who writes profiles.
pub const WRITERS: &[Role] = &[Role::Analyst, Role::Admin];
/// The longest window a preview replays, days.
pub const MAX_PREVIEW_DAYS: i64 = 90;

/// Why a profile is not previewed or saved.
#[derive(Debug, thiserror::Error)]
pub enum ProfileError {
    /// The caller's role may not do this.
    #[error(transparent)]
    Forbidden(#[from] Forbidden),
    /// The text does not parse: the message gives line and column.
    #[error("{0}")]
    Syntax(String),
    /// The replay failed, or a parameter is wrong.
    #[error(transparent)]
    Risk(#[from] RiskJobError),
}

impl From<smartcustoms_storage::StoreError> for ProfileError {
    fn from(e: smartcustoms_storage::StoreError) -> Self {
        ProfileError::Risk(e.into())
    }
}

/// What a profile text would do on the declarations of the last days.
#[derive(Debug, Serialize, ToSchema)]
pub struct Preview {
    /// The profile's code.
    pub code: String,
    /// Days replayed.
    pub days: i64,
    /// Declarations it fires on.
    pub hits: u64,
    /// The replay with the profile in force (replacing the version of the same code): lanes
    /// as decided and as they would be, and how many change.
    pub report: ReplayReport,
}

/// Parses a text as a profile's first version (its number is the store's to give).
fn parse(text: &str) -> Result<risk::Profile, ProfileError> {
    risk::parse_profile(text, 1).map_err(|e| ProfileError::Syntax(e.to_string()))
}

/// Replays the last `days` days with `text` in force.
pub async fn preview(
    state: &AppState,
    caller: &Principal,
    text: &str,
    days: i64,
    now: DateTime<Utc>,
) -> Result<Preview, ProfileError> {
    super::require(caller, WRITERS, "preview risk profiles")?;
    if !(1..=MAX_PREVIEW_DAYS).contains(&days) {
        return Err(RiskJobError::BadParameter("days", format!("1 to {MAX_PREVIEW_DAYS}")).into());
    }
    let mut profile = parse(text)?;
    let code = profile.code.clone();
    let reference = state.reference();
    profile.version = reference.profiles.iter().filter(|p| p.code == code).map(|p| p.version + 1).max().unwrap_or(1);
    let mut profiles: Vec<risk::Profile> = reference.profiles.iter().filter(|p| p.code != code).cloned().collect();
    profiles.push(profile);
    let loaded = load(state.store.as_ref(), now, days).await?;
    let model = reference.model.clone();
    let random_share = state.config.random_share;
    let report = tokio::task::spawn_blocking(move || {
        let settings = ReplaySettings {
            profiles: &profiles,
            model: model.as_deref(),
            red_share: None,
            yellow_share: None,
            random_share,
        };
        replay(&loaded.cases, &settings)
    })
    .await
    .map_err(|e| RiskJobError::BadParameter("preview", format!("the replay stopped: {e}")))?;
    Ok(Preview { hits: report.hits.get(&code).copied().unwrap_or(0), code, days, report })
}

/// Saves `text` as a profile's next version (or its first), in force from now on.
pub async fn save(state: &AppState, caller: &Principal, text: &str) -> Result<ProfileRecord, ProfileError> {
    let analyst = super::require(caller, WRITERS, "write risk profiles")?;
    let parsed = parse(text)?;
    let record = state
        .store
        .add_profile(&NewProfile {
            code: parsed.code,
            source: text.to_string(),
            author: analyst.name.clone(),
            created_at_us: Timestamp::now(),
        })
        .await?;
    state.reload_reference_data().await.map_err(RiskJobError::from)?;
    Ok(record)
}
