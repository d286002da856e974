//! The supervisors' view of the declaration centres: the cases under control per centre and
//! inspector with the age of the oldest, the inspectors with their competences and leave, and
//! the dispatch rules in force (`GET /api/v1/dispatch` as a page).

use axum::extract::State;
use axum::response::IntoResponse;
use maud::html;

use smartcustoms_core::timestamp::Timestamp;

use super::{column_heads, live_layout, minute, signed_in, Follows, PageError, PageResult};
use crate::app::dispatch;
use crate::auth::Caller;
use crate::state::AppState;

/// An age for people: minutes, or hours and minutes.
fn age(since: Timestamp, now: Timestamp) -> String {
    let m = (now - since).num_minutes().max(0);
    if m >= 60 {
        format!("{} h {:02} min", m / 60, m % 60)
    } else {
        format!("{m} min")
    }
}

/// `/console/centres`.
pub async fn page(State(state): State<AppState>, caller: Option<Caller>) -> PageResult {
    let here = "/console/centres";
    let caller = signed_in(caller, here)?;
    let setup = dispatch::setup(&state, &caller.0).await.map_err(PageError::at(here))?;
    let now = Timestamp::now();
    let body = html! {
        h1 { "Declaration centres" }
        h2 { "Cases under control" }
        @if setup.queues.is_empty() { p #no-cases { "No case is under control." } }
        @else {
            table #queues {
                (column_heads(&["Centre", "Inspector", "Open cases", "Oldest waiting since (UTC)", "Oldest waits"]))
                tbody { @for q in &setup.queues {
                    tr {
                        td { (q.centre.clone().unwrap_or_else(|| "not yet dispatched".into())) }
                        td { (q.inspector.clone().unwrap_or_else(|| "none: for the supervisor".into())) }
                        td.open { (q.open) }
                        td { (minute(q.oldest_since_us)) }
                        td { (age(q.oldest_since_us, now)) }
                    }
                } }
            }
        }
        h2 { "Inspectors" }
        table #inspectors {
            (column_heads(&["Inspector", "Centre", "Competences", "Open cases", "Leave"]))
            tbody { @for i in &setup.inspectors {
                tr {
                    td { (i.user) } td { (i.centre) }
                    td { (i.competences.iter().cloned().collect::<Vec<_>>().join(", ")) }
                    td { (setup.loads.get(&i.user).copied().unwrap_or(0)) }
                    td { @if i.on_leave(now) { strong { "on leave" } " " }
                        @if let Some(from) = i.leave_from_us { (minute(from)) " – " (i.leave_until_us.map(minute).unwrap_or_else(|| "open".into())) } }
                }
            } }
        }
        h2 { "Dispatch rules" }
        @match &setup.rules {
            None => p { "No rules yet: no case is dispatched until an administrator writes them." },
            Some(r) => {
                p { "Version " (r.version) " by " (r.author) ", " (minute(r.created_at_us)) " UTC. The first rule that takes a case wins; the others go to "
                    strong { (r.rules.default_centre) } "." }
                table #rules {
                    (column_heads(&["Rule", "Commodity codes", "Transport", "Offices", "Regions", "Centre", "Competences required"]))
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
        h2 { "Centres" }
        ul { @for c in &setup.centres { li { strong { (c.code) } " — " (c.name) @if let Some(o) = &c.office { " (office " (o) ")" } } } }
    };
    Ok(live_layout("Declaration centres", Some(&caller), Follows::Declarations, body).into_response())
}
