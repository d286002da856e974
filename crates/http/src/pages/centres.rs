//! The supervisors' view of the declaration centres: the cases under control per centre and
//! inspector with the age of the oldest, the inspectors with their competences and leave, and
//! the dispatch rules in force (`GET /api/v1/dispatch` as a page).

use axum::extract::State;
use axum::response::IntoResponse;
use maud::html;

use smartcustoms_core::timestamp::Timestamp;

use super::centres_setup::{self, Said};
use super::{column_heads, live_layout, minute, signed_in, when, Follows, PageError, PageResult};
use crate::app::dispatch;
use crate::auth::Caller;
use crate::i18n::{t, t_with};
use crate::state::AppState;

/// An age for people: minutes, or hours and minutes.
fn age(since: Timestamp, now: Timestamp) -> String {
    super::work_queue::span((now - since).num_minutes().max(0))
}

/// `/console/centres`.
pub async fn page(State(state): State<AppState>, caller: Option<Caller>) -> PageResult {
    let here = "/console/centres";
    let caller = signed_in(caller, here)?;
    render(&state, &caller, None).await
}

/// The page, with what a change said (see [`super::centres_setup`]).
pub async fn render(state: &AppState, caller: &Caller, said: Option<Said>) -> PageResult {
    let here = "/console/centres";
    let setup = dispatch::setup(state, &caller.0).await.map_err(PageError::at(here))?;
    let now = Timestamp::now();
    let body = html! {
        h1 { (t("centres-title")) }
        @if let Some(s) = &said {
            p.error[s.bad] #setup-note role=(if s.bad { "alert" } else { "status" }) { (s.text) }
        }
        h2 { (t("centres-cases")) }
        @if setup.queues.is_empty() { p #no-cases { (t("centres-no-cases")) } }
        @else {
            table #queues {
                (column_heads(&[&t("queue-col-centre"), &t("work-col-inspector"), &t("centres-col-open"), &t("centres-col-since"), &t("dash-col-oldest")]))
                tbody { @for q in &setup.queues {
                    tr {
                        td { (q.centre.clone().unwrap_or_else(|| t("centres-not-dispatched"))) }
                        td { (q.inspector.clone().unwrap_or_else(|| t("centres-for-supervisor"))) }
                        td.open { (q.open) }
                        td { (when(q.oldest_since_us)) }
                        td { (age(q.oldest_since_us, now)) }
                    }
                } }
            }
        }
        h2 { (t("centres-inspectors")) }
        table #inspectors {
            (column_heads(&[&t("work-col-inspector"), &t("queue-col-centre"), &t("centres-col-competences"), &t("centres-col-open"), &t("centres-col-leave")]))
            tbody { @for i in &setup.inspectors {
                tr {
                    td { (i.user) } td { (i.centre) }
                    td { (i.competences.iter().cloned().collect::<Vec<_>>().join(", ")) }
                    td { (setup.loads.get(&i.user).copied().unwrap_or(0)) }
                    td { @if i.on_leave(now) { strong { (t("work-on-leave")) } " " }
                        @if let Some(from) = i.leave_from_us { (minute(from)) " – " (i.leave_until_us.map(minute).unwrap_or_else(|| t("centres-open-ended"))) } }
                }
            } }
        }
        h2 { (t("centres-rules")) }
        @match &setup.rules {
            None => p { (t("centres-no-rules")) },
            Some(r) => {
                p { (t_with("centres-version", &[("version", r.version.into()), ("author", r.author.clone().into()), ("at", minute(r.created_at_us).into())])) " "
                    strong { (r.rules.default_centre) } "." }
                table #rules {
                    (column_heads(&[&t("centres-col-rule"), &t("centres-col-codes"), &t("centres-col-transport"), &t("centres-col-offices"),
                        &t("centres-col-regions"), &t("queue-col-centre"), &t("centres-col-required")]))
                    tbody { @for rule in &r.rules.rules {
                        tr {
                            td { (rule.name) }
                            td { (rule.when.hs_prefixes.join(", ")) } td { (rule.when.transport_modes.join(", ")) }
                            td { (rule.when.offices.join(", ")) } td { (rule.when.regions.join(", ")) }
                            td { (rule.centre) } td { (rule.requires.iter().cloned().collect::<Vec<_>>().join(", ")) }
                        }
                    } }
                }
            }
        }
        h2 { (t("nav-centres")) }
        ul { @for c in &setup.centres { li { strong { (c.code) } " — " (c.name) @if let Some(o) = &c.office { " (" (t_with("centres-office", &[("office", o.to_string().into())])) ")" } } } }
        (centres_setup::forms(caller, &setup, said.as_ref()))
    };
    Ok(live_layout(&t("centres-title"), Some(caller), Follows::Declarations, body).into_response())
}
