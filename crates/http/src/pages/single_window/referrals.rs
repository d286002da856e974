//! `/agency/referrals`: the goods referred to the agency because their document is missing or
//! has not enough left (`app::referrals::pending`, as `GET /api/v1/single-window/referrals`),
//! oldest first, each with the form that allows or refuses them with a note
//! (`app::referrals::decide`, as `POST /api/v1/single-window/declarations/{id}/referrals`).

use axum::extract::rejection::FormRejection;
use axum::extract::{Form, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect};
use maud::{html, Markup};

use smartcustoms_core::ids::DeclarationId;
use smartcustoms_storage::ReferralRecord;

use super::form::{agency_of, Fields, Kind, Refusal};
use crate::app::referrals::{self, ReferralDecisionDoc};
use crate::auth::Caller;
use crate::i18n::t;
use crate::pages::{column_heads, csrf_field, layout, posted, signed_in, when, PageError, PageResult};
use crate::state::AppState;

const HERE: &str = "/agency/referrals";

/// Referrals on the page.
const SHOWN: i64 = 200;

/// `GET /agency/referrals`.
pub async fn page(State(state): State<AppState>, caller: Option<Caller>) -> PageResult {
    let caller = signed_in(caller, HERE)?;
    render(&state, &caller, None).await
}

/// `POST /agency/referrals`: allow or refuse one referred item (the button pressed says
/// which). Done: back to the page; refused: the page with the form as typed.
pub async fn post(
    State(state): State<AppState>,
    caller: Option<Caller>,
    form: Result<Form<Vec<(String, String)>>, FormRejection>,
) -> PageResult {
    let posted = posted(caller, form, HERE)?;
    agency_of(&posted.caller, HERE)?;
    let key = format!("{}:{}:{}", posted.field("declaration"), posted.field("item"), posted.field("kind"));
    let (Ok(id), Ok(item)) =
        (posted.field("declaration").parse::<DeclarationId>(), posted.field("item").parse::<i64>())
    else {
        let said = crate::pages::errors::text(&crate::error::ApiError::NotFound(format!("referral {key:?}")));
        return render(&state, &posted.caller, Some(Refusal::whole(&key, &posted, said, StatusCode::NOT_FOUND))).await;
    };
    let doc = ReferralDecisionDoc {
        item,
        kind: posted.field("kind").to_string(),
        allow: posted.field("decision") == "allow",
        note: posted.field("note").to_string(),
    };
    match referrals::decide(&state, &posted.caller.0, id, &doc).await {
        Ok(_) => Ok(Redirect::to(HERE).into_response()),
        Err(e) => {
            let refusal = Refusal::of(e, &key, &posted, &["note"], HERE)?;
            render(&state, &posted.caller, Some(refusal)).await
        }
    }
}

async fn render(state: &AppState, caller: &Caller, refusal: Option<Refusal>) -> PageResult {
    let agency = agency_of(caller, HERE)?;
    let waiting = referrals::pending(state, &caller.0, SHOWN).await.map_err(PageError::at(HERE))?;
    let refusal = refusal.as_ref();
    let title = t("sw-referrals-title");
    let body = html! {
        h1 { (title) " " code { (agency) } }
        p { (t("sw-referrals-intro")) }
        (Fields::new("unknown", "", refusal.filter(|r| !waiting.iter().any(|w| key(w) == r.form))).problem())
        @if waiting.is_empty() { p.muted #no-referrals { (t("sw-no-referrals")) } }
        @else {
            table #referrals {
                (column_heads(&[&t("sw-col-declaration"), &t("sw-col-item"), &t("sw-col-kind"), &t("sw-col-found"),
                    &t("sw-col-referred"), &t("sw-col-decision")]))
                tbody { @for r in &waiting { (row(caller, r, refusal)) } }
            }
        }
    };
    let status = refusal.map_or(StatusCode::OK, |r| r.status);
    Ok((status, layout(&title, Some(caller), body)).into_response())
}

fn key(r: &ReferralRecord) -> String {
    format!("{}:{}:{}", r.declaration_id, r.item, r.kind)
}

fn row(caller: &Caller, r: &ReferralRecord, refusal: Option<&Refusal>) -> Markup {
    let prefix = format!("referral-{}-{}-{}", r.declaration_id, r.item, r.kind);
    let f = Fields::new(prefix.clone(), &key(r), refusal);
    html! {
        tr data-declaration=(r.declaration_id) data-item=(r.item) {
            td { a href={"/agency/declarations#" (r.declaration_id)} { code { (r.declaration_id) } } }
            td.item { (r.item) }
            td.kind { code { (r.kind) } }
            td.found { code { (r.code) } " " span lang="en" { (r.message) } }
            td { (when(r.at_us)) }
            td {
                form.decide id=(prefix) method="post" action=(HERE) {
                    (csrf_field(caller))
                    input type="hidden" name="declaration" value=(r.declaration_id);
                    input type="hidden" name="item" value=(r.item);
                    input type="hidden" name="kind" value=(r.kind);
                    (f.problem())
                    (f.input("note", &t("sw-referral-note"), "", Kind::Text))
                    button type="submit" name="decision" value="allow" { (t("sw-allow")) }
                    " "
                    button type="submit" name="decision" value="refuse" { (t("sw-refuse")) }
                }
            }
        }
    }
}
