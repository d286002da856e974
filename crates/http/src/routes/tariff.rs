//! The tariff: read by everyone, changed by administrators. Every change is a new version of
//! the entries it touches and is validated with the whole tariff before it is stored.

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::Json;

use smartcustoms_core::access::Role;
use smartcustoms_core::tariff::{self, TariffFile};
use smartcustoms_storage::{TariffEntryRecord, TariffKind};

use crate::app::tariff::{self as tariff_data, TariffChange};
use crate::auth::Caller;
use crate::error::ApiError;
use crate::extract::ApiPath;
use crate::state::AppState;

/// The tariff in force: every measure (each validity period), country group and exchange rate.
#[utoipa::path(get, path = "/api/v1/tariff", tag = "tariff",
    responses((status = 200, body = TariffFile)), security(("token" = [])))]
pub async fn current(State(state): State<AppState>, _caller: Caller) -> Json<TariffFile> {
    Json(state.reference().tariff.to_file())
}

/// Load or change tariff entries (administrators). The body is a tariff file in JSON
/// (`{"measures": [...], "groups": [...], "rates": [...]}`) or a measures CSV
/// (`Content-Type: text/csv`). Entries with the key of an entry in force replace it as a new
/// version; the result must validate as a whole or nothing is stored.
#[utoipa::path(post, path = "/api/v1/tariff", tag = "tariff",
    request_body(content = TariffFile, description = "Tariff file (JSON) or measures CSV"),
    responses(
        (status = 200, body = TariffChange),
        (status = 403, body = crate::error::ErrorBody),
        (status = 422, description = "Not valid (TARIFF_001): every problem listed", body = crate::error::ErrorBody),
    ),
    security(("token" = [])))]
pub async fn change(
    State(state): State<AppState>,
    caller: Caller,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Json<TariffChange>, ApiError> {
    let admin = caller.require(&[Role::Admin], "change the tariff")?;
    let text = std::str::from_utf8(&body).map_err(|_| ApiError::MalformedJson("the body is not UTF-8 text".into()))?;
    let is_csv = headers
        .get(axum::http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("text/csv"));
    let file = tariff::parse_file(text, if is_csv { "upload.csv" } else { "upload.json" }).map_err(|errors| {
        ApiError::TariffInvalid(errors.iter().map(|e| format!("line {}: {}", e.line, e.message)).collect())
    })?;
    let changed = tariff_data::apply(state.store.as_ref(), &file, &admin.name).await?;
    state.reload_reference_data().await?;
    Ok(Json(changed))
}

/// Every version of one tariff entry, oldest first (`kind` is `measure`, `group` or `rate`;
/// `key` is `ID@VALID_FROM` for a measure, the code for a group, `CURRENCY@VALID_FROM` for a rate).
#[utoipa::path(get, path = "/api/v1/tariff/{kind}/{key}/versions", tag = "tariff",
    params(("kind" = String, Path), ("key" = String, Path)),
    responses((status = 200, body = Vec<TariffEntryRecord>), (status = 404, body = crate::error::ErrorBody)),
    security(("token" = [])))]
pub async fn versions(
    State(state): State<AppState>,
    _caller: Caller,
    ApiPath((kind, key)): ApiPath<(String, String)>,
) -> Result<Json<Vec<TariffEntryRecord>>, ApiError> {
    let kind =
        TariffKind::parse(&kind).ok_or_else(|| ApiError::BadParameter("kind", "one of measure, group, rate".into()))?;
    let versions = state.store.tariff_history(kind, &key).await?;
    if versions.is_empty() {
        return Err(ApiError::NotFound(format!("tariff {} {key}", kind.as_str())));
    }
    Ok(Json(versions))
}

/// Withdraw a tariff entry (administrators): a new version marked withdrawn. The rest of the
/// tariff must still validate.
#[utoipa::path(delete, path = "/api/v1/tariff/{kind}/{key}", tag = "tariff",
    params(("kind" = String, Path), ("key" = String, Path)),
    responses((status = 200, body = TariffEntryRecord), (status = 404, body = crate::error::ErrorBody), (status = 422, body = crate::error::ErrorBody)),
    security(("token" = [])))]
pub async fn withdraw(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath((kind, key)): ApiPath<(String, String)>,
) -> Result<(StatusCode, Json<TariffEntryRecord>), ApiError> {
    let admin = caller.require(&[Role::Admin], "change the tariff")?;
    let kind =
        TariffKind::parse(&kind).ok_or_else(|| ApiError::BadParameter("kind", "one of measure, group, rate".into()))?;
    let record = tariff_data::withdraw(state.store.as_ref(), kind, key, &admin.name).await?;
    state.reload_reference_data().await?;
    Ok((StatusCode::OK, Json(record)))
}

/// What to look up in the HS nomenclature.
#[derive(Debug, serde::Deserialize, utoipa::IntoParams)]
pub struct HsParams {
    /// Words of the description (each must start a word of the subheading's, its heading's or
    /// its chapter's description), or the first digits of the code; 1 to 100 characters.
    pub q: String,
    /// Subheadings, 1 to 200 (default 20).
    pub limit: Option<usize>,
}

/// One HS 2022 subheading found.
#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub struct HsHit {
    /// Six-digit subheading.
    pub code: String,
    /// Its description.
    pub description: String,
    /// The description of its heading (four digits).
    pub heading: String,
}

/// Find HS 2022 subheadings by words of their description or by the first digits of the code,
/// best match first. Needs no sign-in: the nomenclature is public.
#[utoipa::path(get, path = "/api/v1/hs", tag = "tariff", params(HsParams),
    responses((status = 200, body = Vec<HsHit>), (status = 400, body = crate::error::ErrorBody)))]
pub async fn hs(crate::extract::ApiQuery(p): crate::extract::ApiQuery<HsParams>) -> Result<Json<Vec<HsHit>>, ApiError> {
    let q = p.q.trim();
    if q.is_empty() || q.chars().count() > 100 {
        return Err(ApiError::BadParameter("q", "give 1 to 100 characters".into()));
    }
    let limit = p.limit.unwrap_or(20);
    if !(1..=200).contains(&limit) {
        return Err(ApiError::BadParameter("limit", format!("{limit} is not within 1 to 200")));
    }
    let hs = smartcustoms_core::codes::Nomenclature::hs2022();
    Ok(Json(
        hs.search(q, limit)
            .into_iter()
            .map(|e| HsHit {
                code: e.code.clone(),
                description: e.description.clone(),
                heading: hs.get(&e.code[..4]).map(|h| h.description.clone()).unwrap_or_default(),
            })
            .collect(),
    ))
}
