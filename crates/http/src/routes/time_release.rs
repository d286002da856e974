//! Time release, public: how long declarations take from filing to registration, lane and
//! release, by lane, office and hour (see [`crate::app::time_release`]).

use axum::extract::State;
use axum::Json;
use chrono::{NaiveDate, Utc};
use serde::Deserialize;
use utoipa::IntoParams;

use crate::app::time_release::{self, TimeRelease};
use crate::error::ApiError;
use crate::extract::ApiQuery;
use crate::state::AppState;

/// The period.
#[derive(Debug, Deserialize, IntoParams)]
pub struct Period {
    /// First day (UTC, `YYYY-MM-DD`); by default six days before `to`.
    pub from: Option<NaiveDate>,
    /// Last day, included (UTC, `YYYY-MM-DD`); by default today. At most 31 days in all.
    pub to: Option<NaiveDate>,
}

/// Time release of the declarations filed in a period, computed from every recorded event:
/// count, mean, median and 95th percentile of the time from filing to registration, to the
/// lane and to release, overall and by lane, office and hour. Public: no declaration or
/// trader is named.
#[utoipa::path(get, path = "/api/v1/time-release", tag = "statistics", params(Period),
    responses((status = 200, body = TimeRelease), (status = 400, body = crate::error::ErrorBody)))]
pub async fn get(State(state): State<AppState>, ApiQuery(p): ApiQuery<Period>) -> Result<Json<TimeRelease>, ApiError> {
    Ok(Json(time_release::time_release(&state, p.from, p.to, Utc::now().date_naive()).await?.as_ref().clone()))
}
