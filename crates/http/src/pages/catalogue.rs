//! Pages of the reference content: the catalogue, one technology, the glossary, one term, one
//! capability, the instruments and the search results.

use axum::extract::{Query, State};
use axum::response::{Html, IntoResponse};
use maud::{html, Markup};

use smartcustoms_core::knowledge::{self, Capability, Catalogue, Group, Status};

use super::{layout, status_badge, PageError, PagePath, PageResult};
use crate::app::knowledge::{instrument_matches, InstrumentFilter};
use crate::auth::Caller;
use crate::error::ApiError;
use crate::i18n::{t, t_or, t_with};
use crate::knowledge::{capability_url, link_terms, technology_url, term_url};
use crate::state::AppState;

/// A technology group's name in the request's language (`kb-group-<code>`; the core's English
/// label when no catalogue has it).
pub fn group_name(group: Group) -> String {
    t_or(&format!("kb-group-{}", group.code()), group.label())
}

/// A capability's name in the request's language (`capability-<id>`; the English name of the
/// product map when no catalogue has it).
pub fn capability_name(capability: &Capability) -> String {
    t_or(&format!("capability-{}", capability.id), capability.name)
}

/// The kind of a search result (`technology`, `term`, `instrument`, `help`) in the request's
/// language.
fn kind_name(kind: &str) -> String {
    t_or(&format!("search-kind-{kind}"), kind)
}

/// Text with every glossary term it contains linked to the term's page.
fn linked(catalogue: &Catalogue, text: &str) -> Markup {
    html! {
        @for (term, piece) in link_terms(catalogue, text) {
            @match term {
                Some(id) => { a.term href=(term_url(&id)) { (piece) } }
                None => { (piece) }
            }
        }
    }
}

/// Links to the capabilities an item names.
fn capability_links(ids: &[String]) -> Markup {
    html! {
        @for (i, id) in ids.iter().enumerate() {
            @if i > 0 { ", " }
            a href=(capability_url(id)) { (id) }
        }
    }
}

/// The catalogue: the 71 technologies by group with their status in this release, and the 46
/// terms of the glossary.
pub async fn index(State(state): State<AppState>, caller: Option<Caller>) -> Html<String> {
    let c = &state.knowledge.catalogue;
    let count = |s: Status| c.technologies.iter().filter(|t| t.status == s).count();
    let counts = [
        ("technologies", c.technologies.len().into()),
        ("groups", Group::ALL.len().into()),
        ("implemented", count(Status::Implemented).into()),
        ("partial", count(Status::Partial).into()),
        ("planned", count(Status::Planned).into()),
        ("out", count(Status::OutOfScope).into()),
    ];
    layout(
        &t("kb-title"),
        caller.as_ref(),
        html! {
            h1 { (t("kb-heading")) }
            p { (t_with("kb-counts", &counts)) }
            @for &group in Group::ALL {
                h2 id=(group.code()) { (group_name(group)) }
                table.technologies {
                    thead { tr { th { (t("kb-col-no")) } th { (t("kb-col-technology")) } th { (t("org-col-status")) } th { (t("kb-col-capabilities")) } } }
                    tbody {
                        @for t in c.in_group(group) {
                            tr id={"technology-" (t.number)} {
                                td { (t.number) }
                                td { a href=(technology_url(t.number)) { (t.name) } }
                                td { (status_badge(t.status)) }
                                td { (capability_links(&t.capabilities)) }
                            }
                        }
                    }
                }
            }
            h2 #glossary { (t_with("kb-glossary", &[("count", c.terms.len().into())])) }
            ol.terms {
                @for t in &c.terms { li { a href=(term_url(&t.id)) { (t.term) } } }
            }
            p {
                a href="/knowledge/instruments" { (t("kb-instruments")) } " · "
                a href="/knowledge/survey" { (t("survey-repository")) } " · "
                a href="/knowledge/maturity" { (t("maturity-title")) }
            }
        },
    )
}

/// One technology.
pub async fn technology(
    State(state): State<AppState>,
    caller: Option<Caller>,
    PagePath(number): PagePath<String>,
) -> PageResult {
    let c = &state.knowledge.catalogue;
    let here = format!("/knowledge/technologies/{number}");
    let t = number
        .parse::<u8>()
        .ok()
        .and_then(|n| c.technology(n))
        .ok_or_else(|| PageError::at(&here)(ApiError::NotFound(format!("technology {number}"))))?;
    Ok(layout(
        &t.name,
        caller.as_ref(),
        html! {
            p.muted { a href={"/knowledge#" (t.group.code())} { (group_name(t.group)) } " · " (t_with("kb-item-of", &[("n", t.number.into())])) }
            h1 { (t.number) ". " (t.name) }
            p { (linked(c, &t.summary)) }
            h2 { (crate::i18n::t("kb-for-traders")) } p { (linked(c, &t.for_traders)) }
            h2 { (crate::i18n::t("kb-for-officers")) } p { (linked(c, &t.for_officers)) }
            h2 { (crate::i18n::t("kb-needs")) } p { (linked(c, &t.needs)) }
            h2 { (crate::i18n::t("kb-in-platform")) }
            p { (status_badge(t.status)) " " (t.status_note) }
            @if !t.capabilities.is_empty() {
                ul {
                    @for id in &t.capabilities {
                        @if let Some(cap) = knowledge::capability(id) {
                            li { a href=(capability_url(cap.id)) { (cap.id) " " (capability_name(cap)) } " — " (status_badge(cap.status)) }
                        }
                    }
                }
            }
            @if !t.terms.is_empty() {
                h2 { (crate::i18n::t("kb-terms")) }
                ul.related-terms {
                    @for id in &t.terms {
                        @if let Some(term) = c.term(id) { li { a href=(term_url(id)) { (term.term) } } }
                    }
                }
            }
        },
    )
    .into_response())
}

/// The glossary.
pub async fn terms(State(state): State<AppState>, caller: Option<Caller>) -> Html<String> {
    let c = &state.knowledge.catalogue;
    layout(
        &t("nav-glossary"),
        caller.as_ref(),
        html! {
            h1 { (t("kb-glossary-title")) }
            dl {
                @for t in &c.terms {
                    dt id=(t.id) { a href=(term_url(&t.id)) { (t.number) ". " (t.term) } }
                    dd { (t.definition) }
                }
            }
        },
    )
}

/// One term, with the technologies that use it.
pub async fn term(State(state): State<AppState>, caller: Option<Caller>, PagePath(id): PagePath<String>) -> PageResult {
    let c = &state.knowledge.catalogue;
    let here = format!("/knowledge/terms/{id}");
    let t = c.term(&id).ok_or_else(|| PageError::at(&here)(ApiError::NotFound(format!("term {id}"))))?;
    Ok(layout(
        &t.term,
        caller.as_ref(),
        html! {
            p.muted { a href="/knowledge/terms" { (crate::i18n::t("nav-glossary")) } " · " (t_with("kb-term-of", &[("n", t.number.into())])) }
            h1 #term-title { (t.term) }
            p.definition { (t.definition) }
            @if !t.see_also.is_empty() {
                h2 { (crate::i18n::t("kb-see-also")) }
                ul { @for s in &t.see_also { @if let Some(o) = c.term(s) { li { a href=(term_url(s)) { (o.term) } } } } }
            }
            @if !t.technologies.is_empty() {
                h2 { (crate::i18n::t("nav-technologies")) }
                ul {
                    @for n in &t.technologies {
                        @if let Some(x) = c.technology(*n) { li { a href=(technology_url(*n)) { (n) ". " (x.name) } " " (status_badge(x.status)) } }
                    }
                }
            }
        },
    )
    .into_response())
}

/// One capability of the platform: its status, what exposes it, the items it implements.
pub async fn capability(
    State(state): State<AppState>,
    caller: Option<Caller>,
    PagePath(id): PagePath<String>,
) -> PageResult {
    let here = format!("/knowledge/capabilities/{id}");
    let cap = knowledge::capability(&id)
        .ok_or_else(|| PageError::at(&here)(ApiError::NotFound(format!("capability {id}"))))?;
    let items = state.knowledge.catalogue.implemented_by(cap.id);
    let name = capability_name(cap);
    Ok(layout(
        &name,
        caller.as_ref(),
        html! {
            h1 { (cap.id) " " (name) }
            p { (t("kb-status-release")) " " (status_badge(cap.status)) }
            @if !cap.evidence.is_empty() {
                h2 { (t("kb-where")) }
                ul {
                    @for e in cap.evidence {
                        @let (method, path) = e.split_once(' ').unwrap_or(("GET", e));
                        li {
                            code { (method) " " (path) }
                            @if method == "GET" && !path.contains('{') && !path.starts_with("/api/") { " — " a href=(path) { (t("kb-open")) } }
                        }
                    }
                }
                p.muted { (t("kb-endpoints")) " " a href="/api/v1/openapi.json" { (t("help-openapi")) } "." }
            }
            h2 { (t("kb-items")) }
            ul { @for t in items { li { a href=(technology_url(t.number)) { (t.number) ". " (t.name) } " " (status_badge(t.status)) } } }
        },
    )
    .into_response())
}

/// The instruments, searchable.
pub async fn instruments(
    State(state): State<AppState>,
    caller: Option<Caller>,
    Query(f): Query<InstrumentFilter>,
) -> Html<String> {
    let c = &state.knowledge.catalogue;
    let shown: Vec<_> = c.instruments.iter().filter(|i| instrument_matches(i, &f)).collect();
    let mut kinds: Vec<&str> = c.instruments.iter().map(|i| i.kind.as_str()).collect();
    kinds.sort_unstable();
    kinds.dedup();
    layout(
        &t("kb-instruments"),
        caller.as_ref(),
        html! {
            h1 { (t("kb-instruments-title")) }
            form method="get" {
                input type="search" name="q" value=(f.q.clone().unwrap_or_default()) placeholder=(t("kb-instruments-words")) aria-label=(t("kb-instruments-words"));
                select name="kind" aria-label=(t("kb-col-kind")) {
                    option value="" { (t("kb-any-kind")) }
                    @for k in &kinds { option value=(k) selected[f.kind.as_deref() == Some(*k)] { (k) } }
                }
                button type="submit" { (t("kb-filter")) }
            }
            p.muted { (t_with("kb-shown", &[("shown", shown.len().into()), ("all", c.instruments.len().into())])) }
            table {
                thead { tr { th { (t("kb-col-no")) } th { (t("kb-col-title")) } th { (t("kb-col-year")) } th { (t("kb-col-kind")) } th { (t("kb-col-topic")) } th { (t("kb-col-issuer")) } } }
                tbody {
                    @for i in shown {
                        tr id={"instrument-" (i.number)} {
                            td { (i.number) }
                            td { (i.title) @if !i.reference.is_empty() { br; span.muted { (i.reference) } } }
                            td { (i.year.map(|y| y.to_string()).unwrap_or_default()) }
                            td { (i.kind) } td { (i.topic) } td { (i.issuer) }
                        }
                    }
                }
            }
        },
    )
}

/// A search.
#[derive(Debug, serde::Deserialize)]
pub struct Ask {
    /// The question.
    pub q: Option<String>,
}

/// The consultation channel: a question in plain words, the best passages with links.
pub async fn search(State(state): State<AppState>, caller: Option<Caller>, Query(a): Query<Ask>) -> PageResult {
    let q = a.q.unwrap_or_default();
    let hits = if q.trim().is_empty() { Ok(Vec::new()) } else { crate::app::knowledge::search(&state, &q, 10) };
    Ok(layout(
        &t("search-label"),
        caller.as_ref(),
        html! {
            h1 { (t("kb-ask")) }
            form method="get" action="/knowledge/search" {
                input #q type="search" name="q" value=(q) size="60" placeholder=(t("kb-ask-example")) aria-label=(t("search-label"));
                button type="submit" { (t("search-button")) }
            }
            @match hits {
                Err(e) => { @let e = ApiError::from(e); p.error { (e.code()) " — " (super::errors::text(&e)) } }
                Ok(hits) if hits.is_empty() && !q.trim().is_empty() => { p #no-results { (t("kb-nothing")) } }
                Ok(hits) => {
                    ol #results {
                        @for h in hits {
                            li.hit {
                                span.kind { (kind_name(&h.kind)) } br;
                                a href=(h.url) { (h.title) } br;
                                span { (maud::PreEscaped(h.snippet_html)) }
                            }
                        }
                    }
                }
            }
        },
    )
    .into_response())
}
