//! The WCO Smart Customs survey form (Appendix 1 of the source): a draft as the web form or
//! the API sends it becomes a [`SurveyAnswer`] only if every field is valid, and every
//! problem is reported at once. What another member may see of an answer is a [`SurveyView`]
//! with the questions its respondent declared confidential (question 14) withheld.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::options::{Benefit, PerformanceImprovement, StakeholderGroup, SurveyStatus, SurveyTechnology, UseCase};
use crate::codes::CountryCode;

/// Most attachments to one answer.
pub const MAX_ATTACHMENTS: usize = 3;
/// Largest attachment, bytes (10 MB).
pub const MAX_ATTACHMENT_BYTES: usize = 10 * 1024 * 1024;
/// Most words in the outline (question 11).
const MAX_OUTLINE_WORDS: usize = 500;
/// Longest short answer (names, title), characters.
const SHORT: usize = 200;
/// Longest long answer (outline, scale, takeaways), characters.
const LONG: usize = 6000;

/// A question of the form, as question 14 refers to it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, ToSchema)]
pub enum Question {
    /// 1. Organization.
    #[serde(rename = "1")]
    Organization,
    /// 2. Respondent's full name.
    #[serde(rename = "2")]
    Respondent,
    /// 3. Email.
    #[serde(rename = "3")]
    Email,
    /// 4. Country.
    #[serde(rename = "4")]
    Country,
    /// 5. Stakeholder group.
    #[serde(rename = "5")]
    StakeholderGroup,
    /// 6. Title of the project.
    #[serde(rename = "6")]
    Title,
    /// 7.a Primary technology.
    #[serde(rename = "7a")]
    PrimaryTechnology,
    /// 7.b Secondary technologies.
    #[serde(rename = "7b")]
    SecondaryTechnologies,
    /// 8. Use cases.
    #[serde(rename = "8")]
    UseCases,
    /// 9. Performance improvements.
    #[serde(rename = "9")]
    PerformanceImprovements,
    /// 10. Status of adoption.
    #[serde(rename = "10")]
    Status,
    /// 11. Outline.
    #[serde(rename = "11")]
    Outline,
    /// 11.a Scale.
    #[serde(rename = "11a")]
    Scale,
    /// 12. Benefits.
    #[serde(rename = "12")]
    Benefits,
    /// 13. Takeaways.
    #[serde(rename = "13")]
    Takeaways,
    /// The attached files.
    #[serde(rename = "files")]
    Files,
}

impl Question {
    /// Every question, in the order of the form.
    pub const ALL: [Question; 16] = [
        Question::Organization,
        Question::Respondent,
        Question::Email,
        Question::Country,
        Question::StakeholderGroup,
        Question::Title,
        Question::PrimaryTechnology,
        Question::SecondaryTechnologies,
        Question::UseCases,
        Question::PerformanceImprovements,
        Question::Status,
        Question::Outline,
        Question::Scale,
        Question::Benefits,
        Question::Takeaways,
        Question::Files,
    ];

    /// The number as the form prints it.
    pub fn code(self) -> &'static str {
        match self {
            Question::Organization => "1",
            Question::Respondent => "2",
            Question::Email => "3",
            Question::Country => "4",
            Question::StakeholderGroup => "5",
            Question::Title => "6",
            Question::PrimaryTechnology => "7a",
            Question::SecondaryTechnologies => "7b",
            Question::UseCases => "8",
            Question::PerformanceImprovements => "9",
            Question::Status => "10",
            Question::Outline => "11",
            Question::Scale => "11a",
            Question::Benefits => "12",
            Question::Takeaways => "13",
            Question::Files => "files",
        }
    }

    /// The field of the draft that answers it.
    pub fn field(self) -> &'static str {
        match self {
            Question::Organization => "organization",
            Question::Respondent => "respondent",
            Question::Email => "email",
            Question::Country => "country",
            Question::StakeholderGroup => "stakeholder_group",
            Question::Title => "title",
            Question::PrimaryTechnology => "primary_technology",
            Question::SecondaryTechnologies => "secondary_technologies",
            Question::UseCases => "use_cases",
            Question::PerformanceImprovements => "performance_improvements",
            Question::Status => "status",
            Question::Outline => "outline",
            Question::Scale => "scale",
            Question::Benefits => "benefits",
            Question::Takeaways => "takeaways",
            Question::Files => "attachments",
        }
    }

    /// The question as the form asks it.
    pub fn label(self) -> &'static str {
        match self {
            Question::Organization => "Organization",
            Question::Respondent => "Respondent's full name",
            Question::Email => "Email",
            Question::Country => "Country",
            Question::StakeholderGroup => "Stakeholder group",
            Question::Title => "Title of the project, programme or initiative",
            Question::PrimaryTechnology => "Primary technology targeted",
            Question::SecondaryTechnologies => "Secondary technologies used or needed",
            Question::UseCases => "Use cases",
            Question::PerformanceImprovements => "Performance improvements",
            Question::Status => "Status of adoption or development",
            Question::Outline => "Brief outline (500 words at most)",
            Question::Scale => "Scale of the project",
            Question::Benefits => "Benefits",
            Question::Takeaways => "Major takeaways, challenges, opportunities and plans",
            Question::Files => "Attached files",
        }
    }

    /// Parses a question number (`4`, `7a`, `11a`, `files`).
    pub fn parse(code: &str) -> Option<Question> {
        Question::ALL.into_iter().find(|q| q.code() == code.trim())
    }
}

/// A survey answer as sent: every field a string or a list of strings, nothing checked yet.
#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
#[serde(default, deny_unknown_fields)]
pub struct SurveyDraft {
    /// 1. Organization.
    pub organization: String,
    /// 2. Respondent's full name.
    pub respondent: String,
    /// 3. Email.
    pub email: String,
    /// 4. Country, ISO 3166-1 alpha-2.
    pub country: String,
    /// 5. Stakeholder group (a code of [`StakeholderGroup`]).
    pub stakeholder_group: String,
    /// 6. Title.
    pub title: String,
    /// 7.a Primary technology (a code of [`SurveyTechnology`]).
    pub primary_technology: String,
    /// 7.a What "other" is, when chosen.
    pub primary_technology_other: String,
    /// 7.b Secondary technologies (codes).
    pub secondary_technologies: Vec<String>,
    /// 8. Use cases (codes of [`UseCase`]).
    pub use_cases: Vec<String>,
    /// 9. Performance improvements (codes of [`PerformanceImprovement`]).
    pub performance_improvements: Vec<String>,
    /// 10. Status (a code of [`SurveyStatus`]).
    pub status: String,
    /// 11. Outline, 500 words at most.
    pub outline: String,
    /// 11.a Scale.
    pub scale: String,
    /// 12. Benefits (codes of [`Benefit`]).
    pub benefits: Vec<String>,
    /// 12. What "others" are, when chosen.
    pub benefits_other: String,
    /// 13. Takeaways.
    pub takeaways: String,
    /// 14. Questions not to be shared with other members (`1`…`13`, `7a`, `11a`, `files`).
    pub confidential: Vec<String>,
    /// 14. The respondent's own words on confidentiality (never shown to other members).
    pub confidentiality_note: String,
}

/// A problem with one field of a draft.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct SurveyFinding {
    /// The field (`email`, `use_cases[2]`, `attachments[0]`).
    pub field: String,
    /// Stable code (`SURVEY_001`…).
    pub code: &'static str,
    /// What is wrong, for people.
    pub message: String,
}

/// An attachment as received: name, media type and size (the bytes stay with the caller).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Attachment {
    /// File name as sent.
    pub name: String,
    /// Media type as sent.
    pub content_type: String,
    /// Size in bytes.
    pub size: usize,
}

/// A valid survey answer.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct SurveyAnswer {
    /// 1.
    pub organization: String,
    /// 2.
    pub respondent: String,
    /// 3.
    pub email: String,
    /// 4. ISO 3166-1 alpha-2.
    pub country: String,
    /// 5.
    pub stakeholder_group: StakeholderGroup,
    /// 6.
    pub title: String,
    /// 7.a
    pub primary_technology: SurveyTechnology,
    /// 7.a when "other".
    pub primary_technology_other: String,
    /// 7.b
    pub secondary_technologies: Vec<SurveyTechnology>,
    /// 8.
    pub use_cases: Vec<UseCase>,
    /// 9.
    pub performance_improvements: Vec<PerformanceImprovement>,
    /// 10.
    pub status: SurveyStatus,
    /// 11.
    pub outline: String,
    /// 11.a
    pub scale: String,
    /// 12.
    pub benefits: Vec<Benefit>,
    /// 12. when "others".
    pub benefits_other: String,
    /// 13.
    pub takeaways: String,
    /// 14. Questions withheld from other members.
    pub confidential: Vec<Question>,
    /// 14. The respondent's note.
    pub confidentiality_note: String,
}

/// Collects the findings of one draft.
struct Check {
    findings: Vec<SurveyFinding>,
}

impl Check {
    fn add(&mut self, field: impl Into<String>, code: &'static str, message: impl Into<String>) {
        self.findings.push(SurveyFinding { field: field.into(), code, message: message.into() });
    }

    /// A trimmed text of at most `max` characters; required ones must not be empty.
    fn text(&mut self, field: &str, value: &str, required: bool, max: usize) -> String {
        let value = value.trim();
        if required && value.is_empty() {
            self.add(field, "SURVEY_001", "this question must be answered");
        } else if value.chars().count() > max {
            self.add(field, "SURVEY_002", format!("at most {max} characters"));
        } else if value.contains('\0') {
            self.add(field, "SURVEY_010", "holds a NUL character, which cannot be stored");
        }
        value.to_string()
    }

    /// One answer of a closed list.
    fn one<T: Copy>(&mut self, field: &str, value: &str, parse: fn(&str) -> Option<T>) -> Option<T> {
        let value = value.trim();
        if value.is_empty() {
            self.add(field, "SURVEY_001", "this question must be answered");
            return None;
        }
        let parsed = parse(value);
        if parsed.is_none() {
            self.add(field, "SURVEY_003", format!("{value:?} is not one of the answers of this question"));
        }
        parsed
    }

    /// Several answers of a closed list, each once.
    fn many<T: Copy + PartialEq>(
        &mut self,
        field: &str,
        values: &[String],
        required: bool,
        parse: fn(&str) -> Option<T>,
    ) -> Vec<T> {
        if required && values.iter().all(|v| v.trim().is_empty()) {
            self.add(field, "SURVEY_001", "choose at least one answer");
        }
        let mut out = Vec::new();
        for (i, v) in values.iter().enumerate().filter(|(_, v)| !v.trim().is_empty()) {
            match parse(v.trim()) {
                Some(t) if out.contains(&t) => {
                    self.add(format!("{field}[{i}]"), "SURVEY_008", format!("{v:?} is chosen twice"))
                }
                Some(t) => out.push(t),
                None => self.add(format!("{field}[{i}]"), "SURVEY_003", format!("{v:?} is not one of the answers")),
            }
        }
        out
    }
}

/// A plausible e-mail address: one `@`, a non-empty local part, a domain with a dot, no spaces.
fn plausible_email(s: &str) -> bool {
    let Some((local, domain)) = s.split_once('@') else { return false };
    !local.is_empty()
        && !domain.contains('@')
        && domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && !s.chars().any(char::is_whitespace)
}

impl SurveyAnswer {
    /// Checks every field of `draft` and the attachments; all problems are returned at once.
    pub fn validate(draft: &SurveyDraft, attachments: &[Attachment]) -> Result<SurveyAnswer, Vec<SurveyFinding>> {
        let mut c = Check { findings: Vec::new() };
        let organization = c.text("organization", &draft.organization, true, SHORT);
        let respondent = c.text("respondent", &draft.respondent, true, SHORT);
        let email = c.text("email", &draft.email, true, 254);
        if !email.is_empty() && !plausible_email(&email) {
            c.add("email", "SURVEY_004", format!("{email:?} is not an e-mail address"));
        }
        let country = draft.country.trim().to_ascii_uppercase();
        if country.is_empty() {
            c.add("country", "SURVEY_001", "this question must be answered");
        } else if CountryCode::parse(&country).is_none() {
            c.add("country", "SURVEY_005", format!("{country:?} is not an ISO 3166-1 alpha-2 country code"));
        }
        let stakeholder_group = c.one("stakeholder_group", &draft.stakeholder_group, StakeholderGroup::parse);
        let title = c.text("title", &draft.title, true, SHORT);
        let primary = c.one("primary_technology", &draft.primary_technology, SurveyTechnology::parse);
        let primary_technology_other =
            c.text("primary_technology_other", &draft.primary_technology_other, false, SHORT);
        if primary == Some(SurveyTechnology::Other) && primary_technology_other.is_empty() {
            c.add("primary_technology_other", "SURVEY_001", "say which other technology");
        }
        let secondary = c.many("secondary_technologies", &draft.secondary_technologies, false, SurveyTechnology::parse);
        if let Some(p) = primary.filter(|p| *p != SurveyTechnology::Other && secondary.contains(p)) {
            c.add("secondary_technologies", "SURVEY_008", format!("{} is already the primary technology", p.label()));
        }
        let use_cases = c.many("use_cases", &draft.use_cases, true, UseCase::parse);
        let improvements =
            c.many("performance_improvements", &draft.performance_improvements, false, PerformanceImprovement::parse);
        let status = c.one("status", &draft.status, SurveyStatus::parse);
        let outline = c.text("outline", &draft.outline, true, LONG);
        let words = outline.split_whitespace().count();
        if words > MAX_OUTLINE_WORDS {
            c.add("outline", "SURVEY_006", format!("{words} words; the outline takes {MAX_OUTLINE_WORDS} at most"));
        }
        let scale = c.text("scale", &draft.scale, false, LONG);
        let benefits = c.many("benefits", &draft.benefits, false, Benefit::parse);
        let benefits_other = c.text("benefits_other", &draft.benefits_other, false, SHORT);
        if benefits.contains(&Benefit::Others) && benefits_other.is_empty() {
            c.add("benefits_other", "SURVEY_001", "say which other benefits");
        }
        let takeaways = c.text("takeaways", &draft.takeaways, false, LONG);
        let mut confidential = Vec::new();
        for (i, q) in draft.confidential.iter().enumerate().filter(|(_, q)| !q.trim().is_empty()) {
            match Question::parse(q) {
                Some(q) if !confidential.contains(&q) => confidential.push(q),
                Some(_) => {}
                None => {
                    c.add(format!("confidential[{i}]"), "SURVEY_009", format!("{q:?} is not a question of the form"))
                }
            }
        }
        confidential.sort_unstable();
        let confidentiality_note = c.text("confidentiality_note", &draft.confidentiality_note, false, LONG);
        if attachments.len() > MAX_ATTACHMENTS {
            c.add("attachments", "SURVEY_007", format!("at most {MAX_ATTACHMENTS} files"));
        }
        for (i, a) in attachments.iter().enumerate() {
            if a.size == 0 {
                c.add(format!("attachments[{i}]"), "SURVEY_007", format!("{:?} is empty", a.name));
            } else if a.size > MAX_ATTACHMENT_BYTES {
                c.add(format!("attachments[{i}]"), "SURVEY_007", format!("{:?} is larger than 10 MB", a.name));
            }
            if a.name.trim().is_empty() || a.name.len() > 255 || a.name.contains(['/', '\\', '\0']) {
                c.add(format!("attachments[{i}]"), "SURVEY_007", "a file needs a plain name of at most 255 bytes");
            }
        }
        match (stakeholder_group, primary, status) {
            (Some(stakeholder_group), Some(primary_technology), Some(status)) if c.findings.is_empty() => {
                Ok(SurveyAnswer {
                    organization,
                    respondent,
                    email,
                    country,
                    stakeholder_group,
                    title,
                    primary_technology,
                    primary_technology_other,
                    secondary_technologies: secondary,
                    use_cases,
                    performance_improvements: improvements,
                    status,
                    outline,
                    scale,
                    benefits,
                    benefits_other,
                    takeaways,
                    confidential,
                    confidentiality_note,
                })
            }
            _ => Err(c.findings),
        }
    }

    /// Is this question withheld from other members?
    pub fn withholds(&self, q: Question) -> bool {
        self.confidential.contains(&q)
    }

    /// What a viewer sees: everything when `full` (the respondent's organisation, the
    /// repository's administrators), otherwise the answer without its confidential questions
    /// and without the confidentiality note.
    pub fn view(&self, full: bool) -> SurveyView {
        let shown = |q: Question| full || !self.withholds(q);
        fn keep<T: Clone>(shown: bool, v: &T) -> Option<T> {
            shown.then(|| v.clone())
        }
        SurveyView {
            organization: keep(shown(Question::Organization), &self.organization),
            respondent: keep(shown(Question::Respondent), &self.respondent),
            email: keep(shown(Question::Email), &self.email),
            country: keep(shown(Question::Country), &self.country),
            stakeholder_group: keep(shown(Question::StakeholderGroup), &self.stakeholder_group),
            title: keep(shown(Question::Title), &self.title),
            primary_technology: keep(shown(Question::PrimaryTechnology), &self.primary_technology),
            primary_technology_other: keep(shown(Question::PrimaryTechnology), &self.primary_technology_other),
            secondary_technologies: keep(shown(Question::SecondaryTechnologies), &self.secondary_technologies),
            use_cases: keep(shown(Question::UseCases), &self.use_cases),
            performance_improvements: keep(shown(Question::PerformanceImprovements), &self.performance_improvements),
            status: keep(shown(Question::Status), &self.status),
            outline: keep(shown(Question::Outline), &self.outline),
            scale: keep(shown(Question::Scale), &self.scale),
            benefits: keep(shown(Question::Benefits), &self.benefits),
            benefits_other: keep(shown(Question::Benefits), &self.benefits_other),
            takeaways: keep(shown(Question::Takeaways), &self.takeaways),
            confidential: self.confidential.clone(),
            confidentiality_note: keep(full, &self.confidentiality_note),
            full,
        }
    }
}

/// A survey answer as one viewer may see it: `None` where a question is withheld.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct SurveyView {
    /// 1.
    pub organization: Option<String>,
    /// 2.
    pub respondent: Option<String>,
    /// 3.
    pub email: Option<String>,
    /// 4.
    pub country: Option<String>,
    /// 5.
    pub stakeholder_group: Option<StakeholderGroup>,
    /// 6.
    pub title: Option<String>,
    /// 7.a
    pub primary_technology: Option<SurveyTechnology>,
    /// 7.a when "other".
    pub primary_technology_other: Option<String>,
    /// 7.b
    pub secondary_technologies: Option<Vec<SurveyTechnology>>,
    /// 8.
    pub use_cases: Option<Vec<UseCase>>,
    /// 9.
    pub performance_improvements: Option<Vec<PerformanceImprovement>>,
    /// 10.
    pub status: Option<SurveyStatus>,
    /// 11.
    pub outline: Option<String>,
    /// 11.a
    pub scale: Option<String>,
    /// 12.
    pub benefits: Option<Vec<Benefit>>,
    /// 12. when "others".
    pub benefits_other: Option<String>,
    /// 13.
    pub takeaways: Option<String>,
    /// Questions the respondent withheld from other members.
    pub confidential: Vec<Question>,
    /// The respondent's note on confidentiality (only in a full view).
    pub confidentiality_note: Option<String>,
    /// Whether this is the full answer.
    pub full: bool,
}

impl SurveyView {
    /// The visible free text, for searching: what is withheld is not searched.
    pub fn text(&self) -> String {
        let mut parts: Vec<&str> = Vec::new();
        for v in [
            &self.organization,
            &self.respondent,
            &self.country,
            &self.title,
            &self.primary_technology_other,
            &self.outline,
            &self.scale,
            &self.benefits_other,
            &self.takeaways,
        ]
        .into_iter()
        .flatten()
        {
            parts.push(v);
        }
        let labels: Vec<&str> = self
            .primary_technology
            .iter()
            .chain(self.secondary_technologies.iter().flatten())
            .map(|t| t.label())
            .chain(self.use_cases.iter().flatten().map(|u| u.label()))
            .collect();
        parts.extend(labels);
        parts.join("\n")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A complete, valid draft.
    pub(crate) fn draft() -> SurveyDraft {
        SurveyDraft {
            organization: "Customs of Examplestan".into(),
            respondent: "A. Officer".into(),
            email: "a.officer@customs.example".into(),
            country: "ee".into(),
            stakeholder_group: "customs_administration".into(),
            title: "Machine-learned risk scoring".into(),
            primary_technology: "ai_ml".into(),
            secondary_technologies: vec!["big_data".into(), "cloud".into()],
            use_cases: vec!["risk_management".into()],
            performance_improvements: vec!["fair_revenue".into()],
            status: "under_development".into(),
            outline: "Gradient-boosted trees rank consignments by the chance of an irregularity.".into(),
            benefits: vec!["efficiency".into()],
            ..SurveyDraft::default()
        }
    }

    fn codes(d: &SurveyDraft, files: &[Attachment]) -> Vec<(String, &'static str)> {
        match SurveyAnswer::validate(d, files) {
            Ok(_) => vec![],
            Err(f) => f.into_iter().map(|f| (f.field, f.code)).collect(),
        }
    }

    fn check(change: impl FnOnce(&mut SurveyDraft), expect: &[(&str, &str)]) {
        let mut d = draft();
        change(&mut d);
        let got = codes(&d, &[]);
        let want: Vec<(String, &str)> = expect.iter().map(|(f, c)| (f.to_string(), *c)).collect();
        assert_eq!(got, want);
    }

    #[test]
    fn a_complete_draft_is_an_answer_with_the_country_in_upper_case() {
        let a = SurveyAnswer::validate(&draft(), &[]);
        assert!(a.is_ok_and(|a| a.country == "EE" && a.primary_technology == SurveyTechnology::ArtificialIntelligence));
    }

    #[test]
    fn each_field_reports_its_own_bad_values() {
        check(|d| d.organization = " ".into(), &[("organization", "SURVEY_001")]);
        check(|d| d.respondent = "x".repeat(201), &[("respondent", "SURVEY_002")]);
        check(|d| d.email = "not-an-address".into(), &[("email", "SURVEY_004")]);
        check(|d| d.email = "a@b".into(), &[("email", "SURVEY_004")]);
        check(|d| d.country = "XX".into(), &[("country", "SURVEY_005")]);
        check(|d| d.stakeholder_group = "aliens".into(), &[("stakeholder_group", "SURVEY_003")]);
        check(|d| d.title = String::new(), &[("title", "SURVEY_001")]);
        check(|d| d.primary_technology = "telepathy".into(), &[("primary_technology", "SURVEY_003")]);
        check(|d| d.primary_technology = "other".into(), &[("primary_technology_other", "SURVEY_001")]);
        check(|d| d.secondary_technologies = vec!["ai_ml".into()], &[("secondary_technologies", "SURVEY_008")]);
        check(
            |d| d.secondary_technologies = vec!["cloud".into(), "cloud".into()],
            &[("secondary_technologies[1]", "SURVEY_008")],
        );
        check(|d| d.use_cases = vec![], &[("use_cases", "SURVEY_001")]);
        check(|d| d.use_cases = vec!["risk_management".into(), "juggling".into()], &[("use_cases[1]", "SURVEY_003")]);
        check(|d| d.performance_improvements = vec!["speed".into()], &[("performance_improvements[0]", "SURVEY_003")]);
        check(|d| d.status = "finished".into(), &[("status", "SURVEY_003")]);
        check(|d| d.outline = "word ".repeat(501), &[("outline", "SURVEY_006")]);
        check(|d| d.benefits = vec!["others".into()], &[("benefits_other", "SURVEY_001")]);
        check(|d| d.confidential = vec!["15".into()], &[("confidential[0]", "SURVEY_009")]);
        check(|d| d.title = "Gate\0check".into(), &[("title", "SURVEY_010")]);
    }

    #[test]
    fn every_problem_is_reported_at_once() {
        let found = codes(&SurveyDraft::default(), &[]);
        let fields: Vec<&str> = found.iter().map(|(f, _)| f.as_str()).collect();
        for f in [
            "organization",
            "respondent",
            "email",
            "country",
            "stakeholder_group",
            "title",
            "primary_technology",
            "use_cases",
            "status",
            "outline",
        ] {
            assert!(fields.contains(&f), "{f} missing from {fields:?}");
        }
    }

    #[test]
    fn attachments_are_at_most_three_files_of_10_mb() {
        let file = |size| Attachment { name: "report.pdf".into(), content_type: "application/pdf".into(), size };
        assert!(codes(&draft(), &[file(10 * 1024 * 1024)]).is_empty());
        assert_eq!(codes(&draft(), &[file(10 * 1024 * 1024 + 1)]), vec![("attachments[0]".to_string(), "SURVEY_007")]);
        assert_eq!(
            codes(&draft(), &[file(1), file(1), file(1), file(1)]),
            vec![("attachments".to_string(), "SURVEY_007")]
        );
        assert_eq!(codes(&draft(), &[file(0)]), vec![("attachments[0]".to_string(), "SURVEY_007")]);
    }

    #[test]
    fn another_member_sees_nothing_of_a_confidential_question() {
        let mut d = draft();
        d.confidential = vec!["11".into(), "3".into()];
        d.outline = "secret-pilot-at-port-x".into();
        d.confidentiality_note = "do not share the outline".into();
        let Ok(a) = SurveyAnswer::validate(&d, &[]) else { panic!("valid") };
        let other = a.view(false);
        assert_eq!(other.outline, None);
        assert_eq!(other.email, None);
        assert_eq!(other.confidentiality_note, None);
        assert!(!other.text().contains("secret-pilot"));
        let own = a.view(true);
        assert!(own.text().contains("secret-pilot"));
        assert_eq!(own.email.as_deref(), Some("a.officer@customs.example"));
    }
}
