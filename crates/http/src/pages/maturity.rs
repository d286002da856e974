//! Pages of the maturity self-assessment: the list, the form of 71 answers, a printable report
//! against a chosen target, and this platform's own profile.

use std::collections::HashMap;

use axum::extract::{Form, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect};
use maud::{html, Markup};

use smartcustoms_core::knowledge::{Adoption, AssessmentDraft, Group, MaturityAnswer, MaturityReport};

use super::{check_form_csrf, csrf_field, layout, signed_in, PageError, PagePath, PageResult};
use crate::app::knowledge::maturity::{self, TargetQuery};
use crate::app::knowledge::KnowledgeError;
use crate::auth::{Caller, CSRF_FIELD};
use crate::i18n::{t, t_or, t_with};
use crate::knowledge::technology_url;
use crate::state::AppState;

/// The choice of target, kept in the page's address.
fn target_form(action: &str, q: &TargetQuery) -> Markup {
    let current = q.target.clone().unwrap_or_else(|| "full".into());
    html! {
        form.noprint method="get" action=(action) {
            label for="target" { (t("maturity-compare-with")) " " }
            input #target type="text" name="target" value=(current) size="12";
            " " (t("maturity-target-note")) " "
            button type="submit" { (t("maturity-compare")) }
        }
    }
}

/// A scored report as a printable page body.
fn report(r: &MaturityReport) -> Markup {
    html! {
        h1 #maturity-title { (t_with("maturity-of", &[("administration", r.administration.clone().into())])) }
        p { (t("maturity-overall")) " " strong #overall { (format!("{:.1}", r.overall)) " %" } " "
            (t_with("maturity-against", &[("target", r.target.to_string().into()), ("score", format!("{:.1}", r.target_overall).into())])) }
        table #groups {
            thead { tr { th { (t("maturity-col-group")) } th { (t("decl-col-items")) } th { (t("maturity-col-answered")) } th { (t("maturity-col-score")) }
                th { (t("maturity-col-target")) } th {} } }
            tbody {
                @for g in &r.groups {
                    tr {
                        td { (super::catalogue::group_name(g.group)) } td { (g.items) } td { (g.answered) }
                        td { (format!("{:.1}", g.score)) } td { (format!("{:.1}", g.target_score)) }
                        td style="width:30%" { span.bar style={"width:" (g.score) "%"} {} }
                    }
                }
            }
        }
        h2 { (t_with("maturity-gaps", &[("count", r.gaps.len().into())])) }
        table #gaps {
            thead { tr { th { (t("kb-col-no")) } th { (t("kb-col-technology")) } th { (t("maturity-col-group")) } th { (t("maturity-col-own")) }
                th { (t("maturity-col-target-level")) } th { (t("maturity-col-levels")) } } }
            tbody {
                @for g in &r.gaps {
                    tr { td { (g.number) } td { a href=(technology_url(g.number)) { (g.name) } } td { (super::catalogue::group_name(g.group)) }
                        td { (adoption(g.own)) } td { (adoption(g.target)) } td { (g.levels) } }
                }
            }
        }
        h2 { (t("maturity-answers")) }
        table {
            thead { tr { th { (t("kb-col-no")) } th { (t("org-col-status")) } th { (t("maturity-col-evidence")) } } }
            tbody { @for a in &r.answers { tr { td { (a.number) } td { (adoption(a.status)) } td { (a.evidence) } } } }
        }
        p.noprint { button onclick="window.print()" { (t("maturity-print")) } }
    }
}

/// A level of adoption in the request's language.
fn adoption(a: Adoption) -> String {
    t_or(&format!("adoption-{}", a.code()), a.label())
}

/// The assessments the visitor may read.
pub async fn list(State(state): State<AppState>, caller: Option<Caller>) -> PageResult {
    let here = "/knowledge/maturity";
    let caller = signed_in(caller, here)?;
    let rows = maturity::summaries(&state, &caller.0).await.map_err(PageError::at(here))?;
    Ok(layout(&t("maturity-title"), Some(&caller), html! {
        h1 { (t("maturity-title")) }
        p { a href="/knowledge/maturity/new" { (t("maturity-assess")) } " · "
            a href="/knowledge/maturity/platform" { (t("maturity-own")) } }
        table #assessments {
            thead { tr { th { (t("admin-col-id")) } th { (t("maturity-administration")) } th { (t("maturity-col-by")) } th { (t("maturity-col-when")) }
                th { (t("maturity-col-overall")) } } }
            tbody { @for r in rows { tr { td { a href={"/knowledge/maturity/" (r.id)} { (r.id) } } td { (r.administration) }
                td { (r.author) } td { (super::when_text(&r.at)) } td { (format!("{:.1}", r.overall)) } } } }
        }
    })
    .into_response())
}

/// The form: one answer per catalogue item, grouped.
fn assessment_form(state: &AppState, caller: &Caller, values: &HashMap<String, String>, problems: &[String]) -> Markup {
    let c = &state.knowledge.catalogue;
    html! {
        @if !problems.is_empty() { ul.findings #problems { @for p in problems { li { (p) } } } }
        form.stack #maturity-form method="post" action="/knowledge/maturity" {
            (csrf_field(caller))
            label for="administration" { (t("maturity-administration")) }
            input #administration type="text" name="administration" value=(values.get("administration").cloned().unwrap_or_default());
            @for &g in Group::ALL {
                h2 { (super::catalogue::group_name(g)) }
                table {
                    @for t in c.in_group(g) {
                        @let key = format!("status_{}", t.number);
                        tr {
                            td { (t.number) ". " (t.name) }
                            td { select name=(key) {
                                @for a in Adoption::ALL.iter().rev() {
                                    option value=(a.code()) selected[values.get(&key).map_or("not_considered", String::as_str) == a.code()] { (adoption(*a)) }
                                }
                            } }
                            td { input type="text" name={"evidence_" (t.number)} placeholder=(crate::i18n::t("maturity-evidence"))
                                value=(values.get(&format!("evidence_{}", t.number)).cloned().unwrap_or_default()); }
                        }
                    }
                }
            }
            p { button type="submit" { (t("maturity-score")) } }
        }
    }
}

/// The empty form (every item preset to not considered).
pub async fn new(State(state): State<AppState>, caller: Option<Caller>) -> PageResult {
    let here = "/knowledge/maturity/new";
    let caller = signed_in(caller, here)?;
    caller.require(maturity::ASSESSORS, "submit maturity assessments").map_err(PageError::at(here))?;
    Ok(layout(
        &t("maturity-assess"),
        Some(&caller),
        html! {
            h1 { (t("maturity-assess")) }
            p { (t("maturity-assess-intro")) }
            (assessment_form(&state, &caller, &HashMap::new(), &[]))
        },
    )
    .into_response())
}

/// Scores and keeps the form's assessment, then shows it.
pub async fn create(
    State(state): State<AppState>,
    caller: Option<Caller>,
    Form(values): Form<HashMap<String, String>>,
) -> PageResult {
    let here = "/knowledge/maturity/new";
    let caller = signed_in(caller, here)?;
    check_form_csrf(&caller, values.get(CSRF_FIELD).map(String::as_str), here)?;
    let mut answers = Vec::new();
    let mut problems = Vec::new();
    for t in &state.knowledge.catalogue.technologies {
        let code = values.get(&format!("status_{}", t.number)).map(String::as_str).unwrap_or("not_considered");
        match Adoption::parse(code) {
            Some(status) => answers.push(MaturityAnswer {
                number: t.number,
                status,
                evidence: values.get(&format!("evidence_{}", t.number)).cloned().unwrap_or_default(),
            }),
            None => problems.push(format!("item {}: {code:?} is not a status", t.number)),
        }
    }
    let draft = AssessmentDraft { administration: values.get("administration").cloned().unwrap_or_default(), answers };
    let outcome = match problems.is_empty() {
        true => maturity::submit(&state, &caller.0, &draft, &TargetQuery::default()).await,
        false => Err(KnowledgeError::AssessmentInvalid(problems)),
    };
    match outcome {
        Ok(kept) => Ok(Redirect::to(&format!("/knowledge/maturity/{}", kept.id)).into_response()),
        Err(KnowledgeError::AssessmentInvalid(problems)) => Ok((
            StatusCode::UNPROCESSABLE_ENTITY,
            layout(
                &t("maturity-assess"),
                Some(&caller),
                html! { h1 { (t("maturity-assess")) } (assessment_form(&state, &caller, &values, &problems)) },
            ),
        )
            .into_response()),
        Err(e) => Err(PageError::at(here)(e)),
    }
}

/// A kept assessment against a target, printable.
pub async fn one(
    State(state): State<AppState>,
    caller: Option<Caller>,
    PagePath(id): PagePath<i64>,
    Query(q): Query<TargetQuery>,
) -> PageResult {
    let here = format!("/knowledge/maturity/{id}");
    let caller = signed_in(caller, &here)?;
    let kept = maturity::kept_against(&state, &caller.0, id, &q).await.map_err(PageError::at(&here))?;
    Ok(layout(
        &t("maturity-report"),
        Some(&caller),
        html! {
            p.muted { (t_with("maturity-kept", &[("id", kept.id.into()), ("author", kept.author.clone().into()), ("at", super::minute_text(&kept.at).into())])) " · "
                a.noprint href={"/api/v1/knowledge/maturity/" (kept.id)} { "JSON" } }
            (target_form(&here, &q))
            (report(&kept.report))
        },
    )
    .into_response())
}

/// This platform's own profile, from its configuration and use over the last 30 days.
pub async fn platform(
    State(state): State<AppState>,
    caller: Option<Caller>,
    Query(q): Query<TargetQuery>,
) -> PageResult {
    let here = "/knowledge/maturity/platform";
    let caller = signed_in(caller, here)?;
    let r = maturity::platform_report(&state, &caller.0, &q).await.map_err(PageError::at(here))?;
    Ok(layout(
        &t("maturity-platform"),
        Some(&caller),
        html! {
            p.muted { (t("maturity-platform-note")) }
            (target_form(here, &q))
            (report(&r))
        },
    )
    .into_response())
}
