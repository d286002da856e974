//! The people who sign in, administered by machine: an administration's identity management
//! lists them, adds one with a role and disables one, through the same use cases as the
//! administrator's page (`app::staff`), audited with the administrator's name.

use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use smartcustoms_core::access::Role;
use smartcustoms_core::timestamp::Timestamp;
use smartcustoms_storage::UserRecord;

use crate::app::staff::{self, Person, StaffError};
use crate::auth::Caller;
use crate::error::ApiError;
use crate::extract::{ApiPath, ApiQuery, JsonBody};
use crate::state::AppState;

/// A person to add. The password is kept only as its Argon2id hash and never shown again.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewPersonRequest {
    /// Sign-in name: 3 to 64 lower-case letters, digits, dots, dashes or underscores.
    pub name: String,
    /// Name shown on pages, 1 to 100 characters.
    pub display_name: String,
    /// First password, 10 to 200 characters.
    pub password: String,
    /// `trader`, `officer`, `supervisor`, `analyst`, `admin`, `warehouse`, `bank` or `member`.
    pub role: String,
    /// The trader a trader's user works for (required for role `trader`, refused for others).
    pub organisation: Option<String>,
}

/// A person who signs in (never the password).
#[derive(Debug, Serialize, ToSchema)]
pub struct PersonView {
    /// Sign-in name.
    pub name: String,
    /// Name shown on pages.
    pub display_name: String,
    /// Role.
    pub role: String,
    /// The trader a trader's user works for.
    pub organisation: Option<String>,
    /// When the person was added (microseconds since the epoch).
    pub created_at_us: Timestamp,
    /// True once disabled: no sign-in, no session, no token in the person's name.
    pub disabled: bool,
    /// When the person was disabled (microseconds since the epoch).
    pub disabled_at_us: Option<Timestamp>,
}

impl From<UserRecord> for PersonView {
    fn from(u: UserRecord) -> Self {
        PersonView {
            name: u.name,
            display_name: u.display_name,
            role: u.role,
            organisation: u.trader_id,
            created_at_us: u.created_at_us,
            disabled: u.disabled_at_us.is_some(),
            disabled_at_us: u.disabled_at_us,
        }
    }
}

/// Paging of people.
#[derive(Debug, Deserialize, IntoParams)]
pub struct PeopleParams {
    /// Only people whose sign-in name sorts after this one (pass the last name of the previous
    /// page).
    pub after: Option<String>,
    /// Page size, 1 to 500 (default 100).
    pub limit: Option<i64>,
}

/// The errors of the use cases with the request's own field names: the body names the trader
/// `organisation`, and `limit` is a query parameter.
fn refused(e: StaffError) -> ApiError {
    match e {
        StaffError::Invalid("party", m) => ApiError::StaffInvalid("organisation", m.to_string()),
        StaffError::Invalid("limit", m) => ApiError::BadParameter("limit", m.to_string()),
        e => e.into(),
    }
}

/// List the people who sign in, by sign-in name, disabled ones included (administrators).
#[utoipa::path(get, path = "/api/v1/people", tag = "administration", params(PeopleParams),
    responses((status = 200, body = Vec<PersonView>), (status = 400, body = crate::error::ErrorBody),
        (status = 401, body = crate::error::ErrorBody), (status = 403, body = crate::error::ErrorBody)),
    security(("token" = [])))]
pub async fn list(
    State(state): State<AppState>,
    caller: Caller,
    ApiQuery(p): ApiQuery<PeopleParams>,
) -> Result<Json<Vec<PersonView>>, ApiError> {
    let after = p.after.as_deref().unwrap_or("");
    let people = staff::people(&state, &caller.0, after, p.limit.unwrap_or(100)).await.map_err(refused)?;
    Ok(Json(people.into_iter().map(PersonView::from).collect()))
}

/// Add a person with a role (administrators); audited. The person signs in at once.
#[utoipa::path(post, path = "/api/v1/people", tag = "administration", request_body = NewPersonRequest,
    responses((status = 201, body = PersonView), (status = 401, body = crate::error::ErrorBody),
        (status = 403, body = crate::error::ErrorBody),
        (status = 409, description = "The sign-in name is taken (RES_002)", body = crate::error::ErrorBody),
        (status = 422, description = "A field is not valid (ADM_001, `details.field`)", body = crate::error::ErrorBody)),
    security(("token" = [])))]
pub async fn add(
    State(state): State<AppState>,
    caller: Caller,
    JsonBody(body): JsonBody<NewPersonRequest>,
) -> Result<(StatusCode, Json<PersonView>), ApiError> {
    let admin = caller.require(staff::ADMINS, "add people")?;
    let role = Role::parse(&body.role)
        .ok_or_else(|| ApiError::StaffInvalid("role", format!("{:?} is not a role", body.role)))?;
    let person = Person { name: &body.name, display_name: &body.display_name, password: &body.password };
    staff::add_person(&state, admin, person, role, body.organisation.as_deref()).await.map_err(refused)?;
    let added = staff::person(&state, admin, &body.name).await?;
    Ok((StatusCode::CREATED, Json(added.into())))
}

/// Disable a person (administrators; not oneself); audited. The person can no longer sign in,
/// its sessions end and tokens issued in its name stop working; what it did stays in the audit
/// log. Disabling a disabled person changes nothing.
#[utoipa::path(post, path = "/api/v1/people/{name}/disable", tag = "administration",
    params(("name" = String, Path, description = "Sign-in name")),
    responses((status = 200, body = PersonView), (status = 401, body = crate::error::ErrorBody),
        (status = 403, body = crate::error::ErrorBody), (status = 404, body = crate::error::ErrorBody),
        (status = 422, description = "Oneself (ADM_001)", body = crate::error::ErrorBody)),
    security(("token" = [])))]
pub async fn disable(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(name): ApiPath<String>,
) -> Result<Json<PersonView>, ApiError> {
    staff::disable_person(&state, &caller.0, &name, Timestamp::now()).await?;
    Ok(Json(staff::person(&state, &caller.0, &name).await?.into()))
}
