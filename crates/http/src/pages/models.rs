//! The risk model's versions with their held-out measures and why each was or was not put in
//! force, and how effective each risk profile was in the last year with the retirement
//! proposals; analysts retrain on demand. The same use cases as `GET /api/v1/risk/models`,
//! `GET /api/v1/risk/effectiveness` and `POST /api/v1/risk/models/train`.

use axum::extract::rejection::FormRejection;
use axum::extract::{Form, State};
use axum::http::StatusCode;
use axum::response::IntoResponse;
use maud::html;

use smartcustoms_core::access::Role;

use super::{csrf_field, layout, posted, signed_in, when, PageError, PageResult};
use crate::app::risk as engine;
use crate::auth::Caller;
use crate::error::ApiError;
use crate::i18n::{number, t, t_with};
use crate::state::AppState;

const HERE: &str = "/console/models";
const READERS: &[Role] = &[Role::Officer, Role::Supervisor, Role::Analyst, Role::Admin];
const TRAINERS: &[Role] = &[Role::Analyst, Role::Admin];

/// `GET /console/models`.
pub async fn page(State(state): State<AppState>, caller: Option<Caller>) -> PageResult {
    let caller = signed_in(caller, HERE)?;
    render(&state, &caller, None, StatusCode::OK).await
}

/// `POST /console/models`: retrain now.
pub async fn train(
    State(state): State<AppState>,
    caller: Option<Caller>,
    form: Result<Form<Vec<(String, String)>>, FormRejection>,
) -> PageResult {
    let posted = posted(caller, form, HERE)?;
    posted.caller.require(TRAINERS, "retrain the risk model").map_err(PageError::at(HERE))?;
    let (note, status) = match engine::retrain_now(&state).await {
        Ok(r) => {
            let verdict = if r.promoted { t("models-promoted") } else { t("models-kept") };
            let args = [
                ("version", r.version.to_string().into()),
                ("outcomes", r.outcomes.to_string().into()),
                ("verdict", verdict.into()),
                ("reason", r.reason.clone().into()),
            ];
            (t_with("models-trained", &args), StatusCode::OK)
        }
        Err(e) => {
            let e = ApiError::from(e);
            (format!("{}: {}", e.code(), super::errors::text(&e)), e.status())
        }
    };
    render(&state, &posted.caller, Some(note), status).await
}

fn figure(info: &serde_json::Value, key: &str) -> String {
    match info.pointer(&format!("/metrics/{key}")).and_then(serde_json::Value::as_f64) {
        Some(v) => format!("{v:.3}"),
        None => "-".into(),
    }
}

async fn render(state: &AppState, caller: &Caller, note: Option<String>, status: StatusCode) -> PageResult {
    caller.require(READERS, "read risk models").map_err(PageError::at(HERE))?;
    let models = state.store.risk_models().await.map_err(PageError::at(HERE))?;
    let effectiveness = engine::effectiveness_now(state).await.map_err(PageError::at(HERE))?;
    let body = html! {
        h1 { (t("models-title")) }
        @if let Some(n) = &note { p #train-note role="status" { (n) } }
        h2 { (t("models-versions")) }
        @if models.is_empty() { p.muted { (t("models-none")) } }
        @else {
            table #models {
                thead { tr {
                    th scope="col" { (t("models-col-version")) } th scope="col" { (t("models-col-trained")) } th scope="col" { (t("models-col-in-force")) }
                    th scope="col" { "AUC" } th scope="col" { (t("models-col-precision")) } th scope="col" { (t("models-col-recall")) }
                    th scope="col" { (t("models-col-why")) }
                } }
                tbody {
                    @for m in &models {
                        tr {
                            td { (m.version) } td { (when(m.trained_at_us)) }
                            td { @if m.active { strong { (t("models-in-force")) } } @else if m.promoted { (t("models-was-in-force")) } @else { (t("models-not-promoted")) } }
                            td { (figure(&m.info, "auc")) } td { (figure(&m.info, "precision_at_10")) } td { (figure(&m.info, "recall_at_10")) }
                            td { (m.reason) }
                        }
                    }
                }
            }
        }
        @if TRAINERS.contains(&caller.0.role) {
            form method="post" action=(HERE) { (csrf_field(caller)) button type="submit" #train { (t("models-retrain")) } }
        }
        h2 { (t("models-effectiveness")) }
        @if effectiveness.is_empty() { p.muted { (t("models-no-outcomes")) } }
        @else {
            table #effectiveness {
                thead { tr {
                    th scope="col" { (t("decl-col-profile")) } th scope="col" { (t("models-col-hits")) } th scope="col" { (t("models-col-controlled")) }
                    th scope="col" { (t("models-col-confirmed")) } th scope="col" { (t("models-col-hit-rate")) } th scope="col" { (t("models-col-recovered")) }
                    th scope="col" { (t("models-col-proposal")) }
                } }
                tbody {
                    @for e in &effectiveness {
                        tr {
                            td { (e.profile) } td { (e.hits) } td { (e.controlled) } td { (e.confirmed) }
                            td { (e.hit_rate.map(|r| format!("{:.0} %", r * 100.0)).unwrap_or_else(|| "-".into())) }
                            td { (number(rust_decimal::Decimal::new(e.recovered_cents, 2))) }
                            td { (e.proposal.clone().unwrap_or_default()) }
                        }
                    }
                }
            }
        }
        p { a href="/console/profiles" { (t("models-edit-profiles")) } }
    };
    Ok((status, layout(&t("models-title"), Some(caller), body)).into_response())
}
