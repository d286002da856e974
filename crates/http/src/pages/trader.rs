//! The trader's declarations: tabs for what needs the trader's action, what is in progress, what
//! is released and what was refused, newest first with paging, live (a lane or a release shows
//! without reloading).

use axum::extract::{Query, State};
use axum::response::IntoResponse;
use maud::html;
use serde::Deserialize;

use smartcustoms_core::access::Role;
use smartcustoms_core::workflow::State as DeclState;

use super::{column_heads, live_layout, minute, signed_in, Follows, PageError, PageResult};
use crate::app::declarations::{self, ListRequest, ReadError};
use crate::auth::Caller;
use crate::i18n::t;
use crate::state::AppState;

/// Declarations on one page.
const PAGE: i64 = 50;

/// A tab: its code, its title and the states it shows.
const TABS: &[(&str, &str, &[DeclState])] = &[
    ("action", "tab-action", &[DeclState::AwaitingPayment]),
    ("progress", "tab-progress", &[DeclState::Submitted, DeclState::Registered, DeclState::UnderControl]),
    ("released", "tab-released", &[DeclState::Released]),
    ("refused", "tab-refused", &[DeclState::Refused]),
];

/// The tab, filters and page the address asks for.
#[derive(Debug, Default, Deserialize)]
pub struct TabQuery {
    tab: Option<String>,
    before: Option<String>,
    number: Option<String>,
    office: Option<String>,
    lane: Option<String>,
    from: Option<String>,
    to: Option<String>,
    represented: Option<String>,
    hs: Option<String>,
}

impl TabQuery {
    /// The filters as a query string (without the tab and page), to carry them in links.
    fn filters(&self) -> String {
        let fields = [
            ("number", &self.number),
            ("office", &self.office),
            ("lane", &self.lane),
            ("from", &self.from),
            ("to", &self.to),
            ("represented", &self.represented),
            ("hs", &self.hs),
        ];
        let mut out = form_urlencoded::Serializer::new(String::new());
        for (name, value) in fields {
            if let Some(v) = value.as_deref().filter(|v| !v.trim().is_empty()) {
                out.append_pair(name, v);
            }
        }
        out.finish()
    }
}

/// `/trader/declarations`: the signed-in trader's declarations, by tab, with search filters.
pub async fn page(State(state): State<AppState>, caller: Option<Caller>, Query(q): Query<TabQuery>) -> PageResult {
    let here = "/trader/declarations";
    let caller = signed_in(caller, here)?;
    let at = |e: ReadError| PageError::at(here)(e);
    crate::app::require(&caller.0, &[Role::Trader], "read a trader's declarations").map_err(|f| at(f.into()))?;
    let &(tab, title, states) = TABS.iter().find(|(code, ..)| Some(*code) == q.tab.as_deref()).unwrap_or(&TABS[0]);
    let states = states.iter().map(|s| s.as_str()).collect::<Vec<_>>().join(",");
    let request = ListRequest {
        state: Some(&states),
        before: q.before.as_deref(),
        limit: PAGE,
        declarant: None,
        office: q.office.as_deref(),
        lane: q.lane.as_deref(),
        from: q.from.as_deref(),
        to: q.to.as_deref(),
        number: q.number.as_deref(),
        represented: q.represented.as_deref() == Some("true"),
        hs: q.hs.as_deref(),
    };
    let (rows, problem) = match declarations::list(&state, &caller.0, request).await {
        Ok(rows) => (rows, None),
        Err(e @ ReadError::BadParameter(..)) => (Vec::new(), Some(e.to_string())),
        Err(e) => return Err(at(e)),
    };
    let filters = q.filters();
    let link = |tab: &str, before: Option<String>| {
        let mut query = format!("?tab={tab}");
        if !filters.is_empty() {
            query.push('&');
            query.push_str(&filters);
        }
        if let Some(b) = before {
            query.push_str("&before=");
            query.push_str(&b);
        }
        query
    };
    let value = |v: &Option<String>| v.clone().unwrap_or_default();
    let next = (rows.len() == PAGE as usize).then(|| rows.last().map(|r| r.id)).flatten();
    let body = html! {
        h1 { (t("list-title")) }
        p { a #file-new href="/trader/file" { (t("list-file")) } " · " a href="/trader/key" { (t("list-key")) } }
        form.filters #filters method="get" action=(here) role="search" aria-label=(t("list-search")) {
            input type="hidden" name="tab" value=(tab);
            label { (t("list-number")) " " input #f-number type="text" name="number" value=(value(&q.number)) size="24"; }
            label { (t("list-whose")) " " select #f-represented name="represented" {
                option value="" selected[q.represented.as_deref() != Some("true")] { (t("list-own")) }
                option value="true" selected[q.represented.as_deref() == Some("true")] { (t("list-represented")) }
            } }
            label { (t("list-hs")) " " input #f-hs type="text" name="hs" value=(value(&q.hs)) size="8" inputmode="numeric"; }
            label { (t("list-office")) " " input #f-office type="text" name="office" value=(value(&q.office)) size="10"; }
            label { (t("list-lane")) " " select #f-lane name="lane" {
                option value="" { (t("list-any")) }
                @for lane in ["green", "blue", "yellow", "red"] {
                    option value=(lane) selected[q.lane.as_deref() == Some(lane)] { (t(&format!("lane-{lane}"))) }
                }
            } }
            label { (t("list-from")) " " input #f-from type="date" name="from" value=(value(&q.from)); }
            label { (t("list-to")) " " input #f-to type="date" name="to" value=(value(&q.to)); }
            button type="submit" { (t("search-button")) }
            @if !filters.is_empty() { " " a href={"?tab=" (tab)} { (t("list-clear")) } }
        }
        @if let Some(p) = &problem { p.error #filter-error role="alert" { (p) } }
        nav.tabs aria-label=(t("list-tabs")) {
            @for &(code, label, _) in TABS {
                @if code == tab { a href=(link(code, None)) aria-current="page" { strong { (t(label)) } } }
                @else { a href=(link(code, None)) { (t(label)) } }
                " "
            }
        }
        h2 #tab-title { (t(title)) }
        @if rows.is_empty() {
            p #no-declarations { (t("list-none")) }
        } @else {
            table #declarations {
                (column_heads(&[&t("list-col-declaration"), &t("list-number"), &t("list-office"), &t("list-col-state"), &t("list-lane"), &t("list-col-filed")]))
                tbody {
                    @for r in &rows {
                        tr {
                            td { a href={"/declarations/" (r.id)} { code { (r.id) } } }
                            td { (r.registration_number.as_ref().map(ToString::to_string).unwrap_or_default()) }
                            td { (r.office.clone().unwrap_or_default()) }
                            td.state { (t(&format!("state-{}", r.state.as_str()))) }
                            td { (r.lane.map(|l| t(&format!("lane-{}", l.as_str()))).unwrap_or_else(|| "-".into())) }
                            td { (minute(r.received_at_us)) }
                        }
                    }
                }
            }
        }
        @if let Some(last) = next {
            p { a #next href=(link(tab, Some(last.to_string()))) { (t("list-older")) } }
        }
    };
    Ok(live_layout(&t("list-title"), Some(&caller), Follows::Declarations, body).into_response())
}
