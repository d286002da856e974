//! Pages of the survey repository: the answers with filters and charts, the form of
//! Appendix 1 with up to three files, and one answer.

use axum::extract::{Multipart, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect};
use maud::{html, Markup};

use smartcustoms_core::knowledge::{
    Benefit, PerformanceImprovement, Question, StakeholderGroup, SurveyDraft, SurveyFinding, SurveyStatus,
    SurveyTechnology, UseCase,
};

use super::{check_form_csrf, csrf_field, layout, signed_in, PageError, PagePath, PageResult};
use crate::app::knowledge::survey::{self, Count, Received, SurveyFilter, VisibleAnswer};
use crate::app::knowledge::KnowledgeError;
use crate::auth::{Caller, CSRF_FIELD};
use crate::error::ApiError;
use crate::i18n::{t, t_or, t_with};
use crate::state::AppState;

/// An answer of one of the survey form's closed lists, named on the pages in the visitor's
/// language by the message `survey-opt-<list>-<code>` of the knowledge catalogues (the core's
/// English label when no catalogue has it; a test checks every answer has its message).
pub trait Choice: Copy + PartialEq + 'static {
    /// The list's part of the message ids (`technology`, `status` …).
    const LIST: &'static str;

    /// Every answer of the list, in order.
    fn all() -> &'static [Self];

    /// The answer's stable code.
    fn code(self) -> &'static str;

    /// The core's English label.
    fn label(self) -> &'static str;

    /// The message id that names the answer.
    fn message(self) -> String {
        format!("survey-opt-{}-{}", Self::LIST, self.code())
    }

    /// The answer's name in the request's language.
    fn name(self) -> String {
        t_or(&self.message(), self.label())
    }

    /// The name of the answer with this code, if the list has one.
    fn name_of(code: &str) -> Option<String> {
        Self::all().iter().find(|c| c.code() == code).map(|c| c.name())
    }
}

/// Makes each closed list of the core a [`Choice`] under its list name.
macro_rules! choices {
    ($($list:ident => $name:literal),+ $(,)?) => {
        $(
            impl Choice for $list {
                const LIST: &'static str = $name;

                fn all() -> &'static [Self] {
                    $list::ALL
                }

                fn code(self) -> &'static str {
                    $list::code(self)
                }

                fn label(self) -> &'static str {
                    $list::label(self)
                }
            }
        )+
    };
}

choices!(
    StakeholderGroup => "stakeholder",
    SurveyTechnology => "technology",
    UseCase => "use_case",
    PerformanceImprovement => "improvement",
    SurveyStatus => "status",
    Benefit => "benefit",
);

/// The questions, as question 14 lists them.
impl Choice for Question {
    const LIST: &'static str = "question";

    fn all() -> &'static [Self] {
        const ALL: &[Question] = &Question::ALL;
        ALL
    }

    fn code(self) -> &'static str {
        Question::code(self)
    }

    fn label(self) -> &'static str {
        Question::label(self)
    }
}

/// A horizontal bar chart of the counts of a list's answers, each named in the visitor's language.
fn bars<T: Choice>(id: &str, counts: &[Count]) -> Markup {
    let max = counts.iter().map(|c| c.count).max().unwrap_or(0).max(1);
    html! {
        table.chart id=(id) {
            @for c in counts {
                tr {
                    td { (T::name_of(&c.code).unwrap_or_else(|| c.label.clone())) }
                    td style="width:50%" { span.bar style={"width:" (100 * c.count / max) "%"} {} }
                    td { (c.count) }
                }
            }
        }
    }
}

/// A select of one closed list.
fn select<T: Choice>(name: &str, chosen: Option<&str>) -> Markup {
    html! {
        select name=(name) id=(name) {
            option value="" { "—" }
            @for t in T::all() { option value=(t.code()) selected[chosen == Some(t.code())] { (t.name()) } }
        }
    }
}

/// The repository: answers matching the filters, with statistics and charts.
pub async fn list(State(state): State<AppState>, caller: Option<Caller>, Query(f): Query<SurveyFilter>) -> PageResult {
    let here = "/knowledge/survey";
    let caller = signed_in(caller, here)?;
    let answers =
        survey::visible(&state, &caller.0).await.and_then(|a| survey::filter(a, &f)).map_err(PageError::at(here))?;
    let stats = survey::stats(&answers);
    Ok(layout(
        &t("survey-repository"),
        Some(&caller),
        html! {
            h1 { (t("survey-repository")) }
            p { a href="/knowledge/survey/new" { (t("survey-submit-link")) } " · " (t("survey-export")) " "
                a href="/api/v1/knowledge/survey/export?format=csv" { "CSV" } " · "
                a href="/api/v1/knowledge/survey/export?format=json" { "JSON" } }
            form method="get" {
                input type="search" name="q" value=(f.q.clone().unwrap_or_default()) placeholder=(t("survey-words")) aria-label=(t("survey-words"));
                label for="technology" { " " (t("kb-col-technology")) " " }
                (select::<SurveyTechnology>("technology", f.technology.as_deref()))
                label for="status" { " " (t("org-col-status")) " " }
                (select::<SurveyStatus>("status", f.status.as_deref()))
                label for="use_case" { " " (t("survey-use-case")) " " }
                (select::<UseCase>("use_case", f.use_case.as_deref()))
                button type="submit" { (t("kb-filter")) }
            }
            p #answer-count { (t_with("survey-count", &[("count", answers.len().into())])) }
            table #answers {
                thead { tr { th { (t("kb-col-title")) } th { (t("survey-organization")) } th { (t("file-party-country")) } th { (t("survey-primary")) } th { (t("org-col-status")) } } }
                tbody {
                    @for a in &answers {
                        @let v = &a.answer;
                        tr {
                            td { a href={"/knowledge/survey/" (a.id)} { (v.title.clone().unwrap_or_else(|| t("survey-title-withheld"))) } }
                            td { (v.organization.clone().unwrap_or_else(|| t("survey-withheld"))) }
                            td { (v.country.clone().unwrap_or_default()) }
                            td { (v.primary_technology.map(Choice::name).unwrap_or_else(|| t("survey-withheld"))) }
                            td { (v.status.map(Choice::name).unwrap_or_else(|| t("survey-withheld"))) }
                        }
                    }
                }
            }
            h2 { (t("survey-by-status")) }
            table #technology-status {
                thead { tr { th { (t("kb-col-technology")) } @for s in SurveyStatus::ALL { th { (s.name()) } } th { (t("survey-all")) } } }
                tbody {
                    @for t in stats.technology_status.iter().filter(|t| t.total > 0) {
                        tr { td { (SurveyTechnology::name_of(&t.technology).unwrap_or_else(|| t.label.clone())) } @for c in &t.by_status { td { (c.count) } } td { (t.total) } }
                    }
                }
            }
            h2 { (t("survey-use-cases")) } (bars::<UseCase>("use-cases", &stats.use_cases))
            h2 { (t("survey-benefits")) } (bars::<Benefit>("benefits", &stats.benefits))
            p.muted { (t("survey-confidential-note")) }
        },
    )
    .into_response())
}

/// One answer.
pub async fn one(State(state): State<AppState>, caller: Option<Caller>, PagePath(id): PagePath<i64>) -> PageResult {
    let here = format!("/knowledge/survey/{id}");
    let caller = signed_in(caller, &here)?;
    let a = survey::visible_one(&state, &caller.0, id).await.map_err(PageError::at(&here))?;
    Ok(layout(&t("survey-answer"), Some(&caller), answer(&a)).into_response())
}

fn answer(a: &VisibleAnswer) -> Markup {
    let v = &a.answer;
    let withheld = html! { em.muted { (t("survey-withheld-by")) } };
    let text = |s: &Option<String>| match s {
        Some(s) => html! { (s) },
        None => withheld.clone(),
    };
    fn list<T: Choice>(v: &Option<Vec<T>>) -> Option<String> {
        v.as_ref().map(|l| l.iter().map(|t| t.name()).collect::<Vec<_>>().join("; "))
    }
    html! {
        h1 #answer-title { (v.title.clone().unwrap_or_else(|| t("survey-answer"))) }
        p.muted { (t_with("survey-submitted", &[("id", a.id.into()), ("at", super::minute_text(&a.submitted_at).into())])) @if a.own { " " (t("survey-by-yours")) } }
        table {
            tr { th { "1. " (t("survey-organization")) } td { (text(&v.organization)) } }
            tr { th { "2. " (t("survey-respondent")) } td { (text(&v.respondent)) } }
            tr { th { "3. " (t("survey-email")) } td { (text(&v.email)) } }
            tr { th { "4. " (t("file-party-country")) } td { (text(&v.country)) } }
            tr { th { "5. " (t("survey-stakeholder")) } td { (text(&v.stakeholder_group.map(Choice::name))) } }
            tr { th { "7.a " (t("survey-primary")) } td { (text(&v.primary_technology.map(Choice::name))) } }
            tr { th { "7.b " (t("survey-secondary")) } td { (text(&list(&v.secondary_technologies))) } }
            tr { th { "8. " (t("survey-use-cases")) } td { (text(&list(&v.use_cases))) } }
            tr { th { "9. " (t("survey-improvements")) } td { (text(&list(&v.performance_improvements))) } }
            tr { th { "10. " (t("org-col-status")) } td { (text(&v.status.map(Choice::name))) } }
            tr { th { "11. " (t("survey-outline")) } td { (text(&v.outline)) } }
            tr { th { "11.a " (t("survey-scale")) } td { (text(&v.scale)) } }
            tr { th { "12. " (t("survey-benefits")) } td { (text(&list(&v.benefits))) } }
            tr { th { "13. " (t("survey-takeaways")) } td { (text(&v.takeaways)) } }
            tr { th { (t("survey-files")) } td {
                @match &a.attachments {
                    None => { (withheld) }
                    Some(files) => { @for f in files { a href={"/api/v1/knowledge/survey/" (a.id) "/attachments/" (f.n)} { (f.name) } " (" (t_with("work-bytes", &[("size", crate::i18n::number(f.size.into()).into())])) ") " } }
                }
            } }
            tr { th { "14. " (t("survey-confidential")) } td { (v.confidential.iter().map(|q| q.code()).collect::<Vec<_>>().join(", ")) } }
        }
    }
}

/// What a finding says in the page's language: the core's message in English, a sentence for
/// its code in another language (the field it is shown next to says where).
fn finding(f: &SurveyFinding) -> String {
    match crate::i18n::current() {
        crate::i18n::Lang::En => f.message.clone(),
        _ => crate::i18n::t_or(&format!("survey-finding-{}", f.code), &f.message),
    }
}

/// The form, with the values sent and the problems found when it comes back.
fn form(caller: &Caller, draft: &SurveyDraft, findings: &[SurveyFinding]) -> Markup {
    let problem = |field: &str| -> Markup {
        let msgs: Vec<String> = findings
            .iter()
            .filter(|f| f.field == field || f.field.starts_with(&format!("{field}[")))
            .map(|f| format!("{}: {}", f.code, finding(f)))
            .collect();
        html! { @if !msgs.is_empty() { span.field-error data-field=(field) { (msgs.join("; ")) } } }
    };
    let text = |name: &str, label: &str, value: &str, kind: &str| {
        html! {
            label for=(name) { (label) (problem(name)) }
            input type=(kind) id=(name) name=(name) value=(value);
        }
    };
    let area = |name: &str, label: &str, value: &str| {
        html! {
            label for=(name) { (label) (problem(name)) }
            textarea id=(name) name=(name) rows="5" { (value) }
        }
    };
    fn checks<T: Choice>(name: &str, chosen: &[String]) -> Markup {
        html! {
            @for t in T::all() {
                label style="font-weight:400;display:inline-block;margin-right:1rem" {
                    input type="checkbox" name=(name) value=(t.code()) checked[chosen.iter().any(|c| c == t.code())];
                    " " (t.name())
                }
            }
        }
    }
    html! {
        @if !findings.is_empty() {
            div #findings.error {
                p { strong { (t_with("survey-not-saved", &[("count", findings.len().into())])) } }
                ul.findings { @for f in findings { li { code { (f.field) } " " (f.code) ": " (f.message) } } }
            }
        }
        form.stack #survey-form method="post" action="/knowledge/survey" enctype="multipart/form-data" {
            (csrf_field(caller))
            (text("organization", &format!("1. {}", t("survey-organization")), &draft.organization, "text"))
            (text("respondent", &format!("2. {}", t("survey-respondent-name")), &draft.respondent, "text"))
            (text("email", &format!("3. {}", t("survey-email")), &draft.email, "email"))
            (text("country", &format!("4. {}", t("survey-country")), &draft.country, "text"))
            label for="stakeholder_group" { "5. " (t("survey-stakeholder")) (problem("stakeholder_group")) }
            (select::<StakeholderGroup>("stakeholder_group", Some(&draft.stakeholder_group)))
            (text("title", &format!("6. {}", t("survey-project-title")), &draft.title, "text"))
            label for="primary_technology" { "7.a " (t("survey-primary-targeted")) (problem("primary_technology")) }
            (select::<SurveyTechnology>("primary_technology", Some(&draft.primary_technology)))
            (text("primary_technology_other", &format!("7.a {}", t("survey-if-other")), &draft.primary_technology_other, "text"))
            fieldset { legend { "7.b " (t("survey-secondary")) (problem("secondary_technologies")) }
                (checks::<SurveyTechnology>("secondary_technologies", &draft.secondary_technologies)) }
            fieldset { legend { "8. " (t("survey-use-cases")) (problem("use_cases")) }
                (checks::<UseCase>("use_cases", &draft.use_cases)) }
            fieldset { legend { "9. " (t("survey-improvements")) (problem("performance_improvements")) }
                (checks::<PerformanceImprovement>("performance_improvements", &draft.performance_improvements)) }
            label for="status" { "10. " (t("survey-status-of")) (problem("status")) }
            (select::<SurveyStatus>("status", Some(&draft.status)))
            (area("outline", &format!("11. {}", t("survey-outline-most")), &draft.outline))
            (area("scale", &format!("11.a {}", t("survey-scale-of")), &draft.scale))
            fieldset { legend { "12. " (t("survey-benefits")) (problem("benefits")) }
                (checks::<Benefit>("benefits", &draft.benefits)) }
            (text("benefits_other", &format!("12. {}", t("survey-if-others")), &draft.benefits_other, "text"))
            (area("takeaways", &format!("13. {}", t("survey-takeaways-long")), &draft.takeaways))
            fieldset { legend { (t("survey-files-up-to")) (problem("attachments")) }
                @for n in 1..=3 {
                    label for={"file-" (n)} { (t_with("survey-file", &[("n", n.into())])) " " }
                    input id={"file-" (n)} type="file" name="file";
                }
            }
            fieldset { legend { "14. " (t("survey-not-shared")) (problem("confidential")) }
                @for q in Question::ALL {
                    label style="font-weight:400;display:inline-block;margin-right:1rem" {
                        input type="checkbox" name="confidential" value=(q.code()) checked[draft.confidential.iter().any(|c| c == q.code())];
                        " " (q.code()) " " (q.name())
                    }
                }
            }
            (area("confidentiality_note", &format!("14. {}", t("survey-confidentiality-note")), &draft.confidentiality_note))
            p { button #submit type="submit" { (t("survey-submit")) } }
        }
    }
}

/// The empty form.
pub async fn new(caller: Option<Caller>) -> PageResult {
    let caller = signed_in(caller, "/knowledge/survey/new")?;
    caller.require(survey::SUBMITTERS, "submit survey answers").map_err(PageError::at("/knowledge/survey/new"))?;
    Ok(layout(
        &t("survey-submit-title"),
        Some(&caller),
        html! {
            h1 { (t("survey-title")) }
            p { (t("survey-intro")) }
            (form(&caller, &SurveyDraft::default(), &[]))
        },
    )
    .into_response())
}

/// Reads the multipart form into a draft and its files.
async fn read_form(mut multipart: Multipart) -> Result<(SurveyDraft, Vec<Received>, Option<String>), ApiError> {
    let mut d = SurveyDraft::default();
    let mut csrf = None;
    let mut files = Vec::new();
    let failed = |e: axum::extract::multipart::MultipartError| match e.status() {
        StatusCode::PAYLOAD_TOO_LARGE => ApiError::TooLarge(survey::SURVEY_BODY_LIMIT),
        _ => ApiError::MalformedJson(format!("the form could not be read: {}", e.body_text())),
    };
    while let Some(field) = multipart.next_field().await.map_err(failed)? {
        let name = field.name().unwrap_or_default().to_string();
        if name == "file" {
            let file_name = field.file_name().unwrap_or_default().to_string();
            let content_type = field.content_type().unwrap_or("application/octet-stream").to_string();
            let bytes = field.bytes().await.map_err(failed)?;
            if !file_name.is_empty() {
                files.push(Received { name: file_name, content_type, bytes: bytes.to_vec() });
            }
            continue;
        }
        let value = field.text().await.map_err(failed)?;
        match name.as_str() {
            CSRF_FIELD => csrf = Some(value),
            "organization" => d.organization = value,
            "respondent" => d.respondent = value,
            "email" => d.email = value,
            "country" => d.country = value,
            "stakeholder_group" => d.stakeholder_group = value,
            "title" => d.title = value,
            "primary_technology" => d.primary_technology = value,
            "primary_technology_other" => d.primary_technology_other = value,
            "secondary_technologies" => d.secondary_technologies.push(value),
            "use_cases" => d.use_cases.push(value),
            "performance_improvements" => d.performance_improvements.push(value),
            "status" => d.status = value,
            "outline" => d.outline = value,
            "scale" => d.scale = value,
            "benefits" => d.benefits.push(value),
            "benefits_other" => d.benefits_other = value,
            "takeaways" => d.takeaways = value,
            "confidential" => d.confidential.push(value),
            "confidentiality_note" => d.confidentiality_note = value,
            other => {
                return Err(ApiError::Schema {
                    path: other.to_string(),
                    message: "not a field of the survey form".into(),
                })
            }
        }
    }
    Ok((d, files, csrf))
}

/// Submits the form: the new answer's page, or the form again with every problem marked.
pub async fn create(State(state): State<AppState>, caller: Option<Caller>, multipart: Multipart) -> PageResult {
    let here = "/knowledge/survey/new";
    let caller = signed_in(caller, here)?;
    let (draft, files, csrf) = read_form(multipart).await.map_err(PageError::at(here))?;
    check_form_csrf(&caller, csrf.as_deref(), here)?;
    match survey::submit(&state, &caller.0, draft.clone(), files).await {
        Ok(id) => Ok(Redirect::to(&format!("/knowledge/survey/{id}")).into_response()),
        Err(KnowledgeError::SurveyInvalid(findings)) => Ok((
            StatusCode::UNPROCESSABLE_ENTITY,
            layout(
                &t("survey-submit-title"),
                Some(&caller),
                html! { h1 { (t("survey-title")) } (form(&caller, &draft, &findings)) },
            ),
        )
            .into_response()),
        Err(e) => Err(PageError::at(here)(e)),
    }
}
