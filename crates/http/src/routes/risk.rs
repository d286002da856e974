//! The self-adjusting risk system for analysts and officers: model versions and retraining,
//! the effectiveness of profiles, operator categories and AEO authorisations.

use axum::extract::State;
use axum::Json;
use serde::Deserialize;
use utoipa::ToSchema;

use smartcustoms_core::access::Role;
use smartcustoms_core::risk::Categorised;
use smartcustoms_model::ModelError;
use smartcustoms_storage::RiskModelRecord;

use crate::app::risk::{self as risk_engine, ProfileEffectiveness, RiskJobError, TrainReport};
use crate::auth::Caller;
use crate::error::ApiError;
use crate::extract::{ApiPath, JsonBody};
use crate::state::AppState;

const STAFF: [Role; 4] = [Role::Officer, Role::Supervisor, Role::Analyst, Role::Admin];

impl From<RiskJobError> for ApiError {
    fn from(e: RiskJobError) -> Self {
        match e {
            RiskJobError::Store(e) => e.into(),
            RiskJobError::BadParameter(name, m) => ApiError::BadParameter(name, m),
            RiskJobError::Model(
                e @ (ModelError::Empty(_) | ModelError::SingleClass(_) | ModelError::TooFewOutcomes { .. }),
            ) => ApiError::ModelTraining(e.to_string()),
            RiskJobError::Model(e) => {
                tracing::error!(error = %e, "risk model job failed");
                ApiError::ModelTraining(e.to_string())
            }
        }
    }
}

/// Every kept model version, newest first, with its data window, held-out measures,
/// thresholds and why it was or was not promoted.
#[utoipa::path(get, path = "/api/v1/risk/models", tag = "risk",
    responses((status = 200, body = Vec<RiskModelRecord>), (status = 403, body = crate::error::ErrorBody)),
    security(("token" = [])))]
pub async fn models(State(state): State<AppState>, caller: Caller) -> Result<Json<Vec<RiskModelRecord>>, ApiError> {
    caller.require(&STAFF, "read risk models")?;
    Ok(Json(state.store.risk_models().await?))
}

/// Retrains the model now on the recorded outcomes; the candidate is kept as a new version
/// and put in force only if it beats the model in force on recent held-out outcomes.
#[utoipa::path(post, path = "/api/v1/risk/models/train", tag = "risk",
    responses((status = 200, body = TrainReport), (status = 403, body = crate::error::ErrorBody),
        (status = 409, description = "Too few outcomes, or one class only", body = crate::error::ErrorBody)),
    security(("token" = [])))]
pub async fn train(State(state): State<AppState>, caller: Caller) -> Result<Json<TrainReport>, ApiError> {
    caller.require(&[Role::Analyst, Role::Admin], "retrain the risk model")?;
    Ok(Json(risk_engine::retrain_now(&state).await?))
}

/// How often each profile's hits (and the model's and random controls') were confirmed by
/// controls in the last year, with retirement proposals for profiles that find nothing.
#[utoipa::path(get, path = "/api/v1/risk/effectiveness", tag = "risk",
    responses((status = 200, body = Vec<ProfileEffectiveness>), (status = 403, body = crate::error::ErrorBody)),
    security(("token" = [])))]
pub async fn effectiveness(
    State(state): State<AppState>,
    caller: Caller,
) -> Result<Json<Vec<ProfileEffectiveness>>, ApiError> {
    caller.require(&STAFF, "read profile effectiveness")?;
    Ok(Json(risk_engine::effectiveness_now(&state).await?))
}

/// The operator categories in force, with each operator's record and the reason.
#[utoipa::path(get, path = "/api/v1/risk/operators", tag = "risk",
    responses((status = 200, body = Vec<Categorised>), (status = 403, body = crate::error::ErrorBody)),
    security(("token" = [])))]
pub async fn operators(State(state): State<AppState>, caller: Caller) -> Result<Json<Vec<Categorised>>, ApiError> {
    caller.require(&STAFF, "read operator categories")?;
    let rows = state.store.operator_categories().await?;
    Ok(Json(rows.iter().filter_map(|c| serde_json::from_str(&c.record).ok()).collect()))
}

/// An AEO authorisation.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Aeo {
    /// Number of the authorisation.
    pub reference: String,
}

/// Records an operator's AEO authorisation; categories are recomputed at once.
#[utoipa::path(put, path = "/api/v1/risk/operators/{id}/aeo", tag = "risk", request_body = Aeo,
    params(("id" = String, Path, description = "Operator identification number")),
    responses((status = 200, body = Vec<Categorised>), (status = 403, body = crate::error::ErrorBody),
        (status = 422, body = crate::error::ErrorBody)),
    security(("token" = [])))]
pub async fn aeo(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<String>,
    JsonBody(aeo): JsonBody<Aeo>,
) -> Result<Json<Vec<Categorised>>, ApiError> {
    caller.require(&[Role::Admin], "record AEO authorisations")?;
    Ok(Json(risk_engine::add_aeo(&state, &id, &aeo.reference).await?))
}
