//! The Single Window: agencies, their requirements and documents, and the declarations an
//! agency's requirements concern (see `app::single_window`).

use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use smartcustoms_core::ids::DeclarationId;
use smartcustoms_core::permits::Requirement;
use smartcustoms_storage::{AgencyRecord, DrawRecord, ReferralRecord};

use crate::app::referrals::{self, ReferralDecisionDoc};
use crate::app::single_window::{self as sw, AgencyDoc, AgencyView, ChangeDoc, PermitDoc, PermitView, RequirementDoc};
use crate::auth::Caller;
use crate::error::ApiError;
use crate::extract::{ApiPath, ApiQuery, JsonBody};
use crate::state::AppState;

/// Register an agency, or change its name and competence (administrators). `fields` lists the
/// declaration fields its staff may read in the declarations its requirements concern.
#[utoipa::path(put, path = "/api/v1/agencies/{code}", tag = "single window",
    request_body(content = AgencyDoc, content_type = "application/json"),
    params(("code" = String, Path, description = "Agency code, 2 to 16 capitals or digits")),
    responses((status = 200, body = AgencyRecord), (status = 400, body = crate::error::ErrorBody),
        (status = 403, body = crate::error::ErrorBody)),
    security(("token" = [])))]
pub async fn put_agency(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(code): ApiPath<String>,
    JsonBody(doc): JsonBody<AgencyDoc>,
) -> Result<Json<AgencyRecord>, ApiError> {
    Ok(Json(sw::save_agency(&state, &caller.0, &code, &doc).await?))
}

/// The agencies of the Single Window.
#[utoipa::path(get, path = "/api/v1/agencies", tag = "single window",
    responses((status = 200, body = Vec<AgencyRecord>), (status = 403, body = crate::error::ErrorBody)),
    security(("token" = [])))]
pub async fn agencies(State(state): State<AppState>, caller: Caller) -> Result<Json<Vec<AgencyRecord>>, ApiError> {
    Ok(Json(sw::agencies(&state, &caller.0).await?))
}

/// Add a requirement of an agency (its staff, or administrators): goods whose commodity code
/// starts with `hs_prefix` (of the origins and procedures listed, if any) need a document of
/// `document_kind` from the agency, from `valid_from` (to `valid_to`). Registration refuses a
/// declaration of such goods without a valid document with enough quantity left (`SW_` reasons).
#[utoipa::path(post, path = "/api/v1/agencies/{code}/requirements", tag = "single window",
    request_body(content = RequirementDoc, content_type = "application/json"),
    params(("code" = String, Path, description = "Agency code")),
    responses((status = 201, body = Requirement), (status = 400, body = crate::error::ErrorBody),
        (status = 403, body = crate::error::ErrorBody), (status = 404, body = crate::error::ErrorBody)),
    security(("token" = [])))]
pub async fn add_requirement(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(code): ApiPath<String>,
    JsonBody(doc): JsonBody<RequirementDoc>,
) -> Result<(StatusCode, Json<Requirement>), ApiError> {
    Ok((StatusCode::CREATED, Json(sw::add_requirement(&state, &caller.0, &code, &doc).await?)))
}

/// The requirements of an agency, of every date.
#[utoipa::path(get, path = "/api/v1/agencies/{code}/requirements", tag = "single window",
    params(("code" = String, Path, description = "Agency code")),
    responses((status = 200, body = Vec<Requirement>), (status = 403, body = crate::error::ErrorBody)),
    security(("token" = [])))]
pub async fn requirements(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(code): ApiPath<String>,
) -> Result<Json<Vec<Requirement>>, ApiError> {
    Ok(Json(sw::requirements(&state, &caller.0, Some(&code))?))
}

/// The end of a requirement.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EndDoc {
    /// Its last day in force.
    #[schema(value_type = String, format = Date)]
    pub valid_to: NaiveDate,
}

/// End a requirement of an agency on a day (its staff, or administrators).
#[utoipa::path(post, path = "/api/v1/agencies/{code}/requirements/{id}/end", tag = "single window",
    request_body(content = EndDoc, content_type = "application/json"),
    params(("code" = String, Path, description = "Agency code"), ("id" = i64, Path, description = "Requirement id")),
    responses((status = 200, body = Requirement), (status = 403, body = crate::error::ErrorBody),
        (status = 404, body = crate::error::ErrorBody)),
    security(("token" = [])))]
pub async fn end_requirement(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath((code, id)): ApiPath<(String, i64)>,
    JsonBody(doc): JsonBody<EndDoc>,
) -> Result<Json<Requirement>, ApiError> {
    Ok(Json(sw::end_requirement(&state, &caller.0, &code, id, doc.valid_to).await?))
}

/// Issue a document of the caller's agency (agency staff): a permit, licence or certificate
/// for a holder, covering commodity codes by prefix, with a quantity in `unit` (`kg`: drawn
/// by the items' net mass; otherwise the items' unit of quantity) and a validity.
#[utoipa::path(post, path = "/api/v1/permits", tag = "single window",
    request_body(content = PermitDoc, content_type = "application/json"),
    responses((status = 201, body = PermitView), (status = 400, body = crate::error::ErrorBody),
        (status = 403, body = crate::error::ErrorBody), (status = 409, body = crate::error::ErrorBody)),
    security(("token" = [])))]
pub async fn issue(
    State(state): State<AppState>,
    caller: Caller,
    JsonBody(doc): JsonBody<PermitDoc>,
) -> Result<(StatusCode, Json<PermitView>), ApiError> {
    Ok((StatusCode::CREATED, Json(sw::issue(&state, &caller.0, &doc).await?)))
}

/// Filters of the list of documents.
#[derive(Debug, Deserialize, IntoParams)]
pub struct PermitQuery {
    /// Issued by this agency (customs staff and traders).
    pub agency: Option<String>,
    /// Issued to this trader (customs staff and agencies).
    pub holder: Option<String>,
}

/// Documents, newest first: an agency's own, a trader's own, any for customs staff.
#[utoipa::path(get, path = "/api/v1/permits", tag = "single window", params(PermitQuery),
    responses((status = 200, body = Vec<PermitView>), (status = 403, body = crate::error::ErrorBody)),
    security(("token" = [])))]
pub async fn list(
    State(state): State<AppState>,
    caller: Caller,
    ApiQuery(q): ApiQuery<PermitQuery>,
) -> Result<Json<Vec<PermitView>>, ApiError> {
    Ok(Json(sw::list(&state, &caller.0, q.agency, q.holder).await?))
}

/// A document with what each declaration reserved, drew or restored.
#[derive(Debug, Serialize, ToSchema)]
pub struct PermitWithDraws {
    /// The document.
    #[serde(flatten)]
    pub permit: PermitView,
    /// What declarations' items took from it, oldest first.
    pub draws: Vec<DrawRecord>,
}

/// One document with its draws (its agency, its holder, customs staff).
#[utoipa::path(get, path = "/api/v1/permits/{number}", tag = "single window",
    params(("number" = String, Path, description = "Document number")),
    responses((status = 200, body = PermitWithDraws), (status = 404, body = crate::error::ErrorBody)),
    security(("token" = [])))]
pub async fn get(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(number): ApiPath<String>,
) -> Result<Json<PermitWithDraws>, ApiError> {
    let (permit, draws) = sw::permit(&state, &caller.0, &number).await?;
    Ok(Json(PermitWithDraws { permit, draws }))
}

/// Amend, suspend, reinstate or revoke a document of the caller's agency, with a reason. An
/// amendment changes `quantity` (never below what is reserved and drawn), `valid_to` or
/// `hs_prefixes`; a suspended or revoked document refuses new declarations (`SW_005`).
#[utoipa::path(post, path = "/api/v1/permits/{number}/{change}", tag = "single window",
    request_body(content = ChangeDoc, content_type = "application/json"),
    params(("number" = String, Path, description = "Document number"),
        ("change" = String, Path, description = "`amend`, `suspend`, `reinstate` or `revoke`")),
    responses((status = 200, body = PermitView), (status = 400, body = crate::error::ErrorBody),
        (status = 403, body = crate::error::ErrorBody), (status = 404, body = crate::error::ErrorBody),
        (status = 409, description = "Refused in the document's state", body = crate::error::ErrorBody)),
    security(("token" = [])))]
pub async fn change(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath((number, what)): ApiPath<(String, String)>,
    JsonBody(doc): JsonBody<ChangeDoc>,
) -> Result<Json<PermitView>, ApiError> {
    Ok(Json(sw::change(&state, &caller.0, &number, &what, &doc).await?))
}

/// Paging of an agency's declarations.
#[derive(Debug, Deserialize, IntoParams)]
pub struct AgencyQuery {
    /// Most declarations returned, 1 to 500 (default 100).
    pub limit: Option<i64>,
}

/// The declarations the caller's agency's requirements concern, newest first, each with only
/// the fields of the agency's competence and the items its requirements concern.
#[utoipa::path(get, path = "/api/v1/single-window/declarations", tag = "single window", params(AgencyQuery),
    responses((status = 200, body = Vec<AgencyView>), (status = 403, body = crate::error::ErrorBody)),
    security(("token" = [])))]
pub async fn declarations(
    State(state): State<AppState>,
    caller: Caller,
    ApiQuery(q): ApiQuery<AgencyQuery>,
) -> Result<Json<Vec<AgencyView>>, ApiError> {
    Ok(Json(sw::agency_declarations(&state, &caller.0, q.limit.unwrap_or(100)).await?))
}

/// One declaration as the caller's agency may see it; 404 when its requirements do not
/// concern the declaration.
#[utoipa::path(get, path = "/api/v1/single-window/declarations/{id}", tag = "single window",
    params(("id" = String, Path, description = "Declaration id")),
    responses((status = 200, body = AgencyView), (status = 403, body = crate::error::ErrorBody),
        (status = 404, body = crate::error::ErrorBody)),
    security(("token" = [])))]
pub async fn declaration(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<DeclarationId>,
) -> Result<Json<AgencyView>, ApiError> {
    Ok(Json(sw::agency_declaration(&state, &caller.0, id).await?))
}

/// The goods referred to the caller's agency that wait for its decision (their document is
/// missing or has not enough left, under a requirement that refers), oldest first.
#[utoipa::path(get, path = "/api/v1/single-window/referrals", tag = "single window", params(AgencyQuery),
    responses((status = 200, body = Vec<ReferralRecord>), (status = 403, body = crate::error::ErrorBody)),
    security(("token" = [])))]
pub async fn referrals(
    State(state): State<AppState>,
    caller: Caller,
    ApiQuery(q): ApiQuery<AgencyQuery>,
) -> Result<Json<Vec<ReferralRecord>>, ApiError> {
    Ok(Json(referrals::pending(&state, &caller.0, q.limit.unwrap_or(100)).await?))
}

/// The goods of a declaration referred to agencies, decided or not: every one for customs
/// staff, the caller's own for an agency.
#[utoipa::path(get, path = "/api/v1/single-window/declarations/{id}/referrals", tag = "single window",
    params(("id" = String, Path, description = "Declaration id")),
    responses((status = 200, body = Vec<ReferralRecord>), (status = 403, body = crate::error::ErrorBody),
        (status = 404, body = crate::error::ErrorBody)),
    security(("token" = [])))]
pub async fn declaration_referrals(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<DeclarationId>,
) -> Result<Json<Vec<ReferralRecord>>, ApiError> {
    Ok(Json(referrals::of_declaration(&state, &caller.0, id).await?))
}

/// The caller's agency allows or refuses referred goods, once, with a note. The officer may
/// release the declaration once every referred item is allowed; 409 when decided before.
#[utoipa::path(post, path = "/api/v1/single-window/declarations/{id}/referrals", tag = "single window",
    request_body(content = ReferralDecisionDoc, content_type = "application/json"),
    params(("id" = String, Path, description = "Declaration id")),
    responses((status = 200, body = ReferralRecord), (status = 400, body = crate::error::ErrorBody),
        (status = 403, body = crate::error::ErrorBody), (status = 404, body = crate::error::ErrorBody),
        (status = 409, body = crate::error::ErrorBody)),
    security(("token" = [])))]
pub async fn decide_referral(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<DeclarationId>,
    JsonBody(doc): JsonBody<ReferralDecisionDoc>,
) -> Result<Json<ReferralRecord>, ApiError> {
    Ok(Json(referrals::decide(&state, &caller.0, id, &doc).await?))
}
