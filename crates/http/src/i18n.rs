//! The pages' languages: message catalogues in Fluent (`locales/en.ftl`, `locales/ru.ftl`,
//! compiled in), the language of each request (the visitor's choice in the `sc_lang` cookie,
//! else the browser's `Accept-Language`, else English), and numbers formatted by language.
//!
//! The language is set for the whole handling of a request by [`with_language`], so page code
//! asks for a text with [`t`] without passing the language along.

mod flc;

use std::collections::BTreeMap;
use std::sync::OnceLock;

use axum::extract::Request;
use axum::middleware::Next;
use axum::response::Response;
use fluent_bundle::concurrent::FluentBundle;
use fluent_bundle::{FluentArgs, FluentResource, FluentValue};
use rust_decimal::Decimal;

/// The cookie that keeps a visitor's choice of language.
pub const LANG_COOKIE: &str = "sc_lang";

/// A language of the pages.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lang {
    /// English (the fallback of every message).
    En,
    /// Russian.
    Ru,
}

impl Lang {
    /// Every language, in the order of the switcher.
    pub const ALL: [Lang; 2] = [Lang::En, Lang::Ru];

    /// The BCP 47 code.
    pub fn code(self) -> &'static str {
        match self {
            Lang::En => "en",
            Lang::Ru => "ru",
        }
    }

    /// Its own name.
    pub fn name(self) -> &'static str {
        match self {
            Lang::En => "English",
            Lang::Ru => "Русский",
        }
    }

    /// A language by its code (`ru`, `ru-RU`, `en-GB` …).
    pub fn parse(code: &str) -> Option<Lang> {
        let primary = code.trim().split(['-', '_', ';']).next().unwrap_or("").to_ascii_lowercase();
        Lang::ALL.into_iter().find(|l| l.code() == primary)
    }

    /// The first language of an `Accept-Language` header that the pages speak.
    pub fn from_accept(header: &str) -> Option<Lang> {
        let mut ranked: Vec<(f32, Lang)> = header
            .split(',')
            .filter_map(|part| {
                let mut pieces = part.split(';');
                let lang = Lang::parse(pieces.next()?)?;
                let q = pieces.find_map(|p| p.trim().strip_prefix("q=")?.parse::<f32>().ok()).unwrap_or(1.0);
                Some((q, lang))
            })
            .collect();
        ranked.sort_by(|a, b| b.0.total_cmp(&a.0));
        ranked.first().map(|(_, l)| *l)
    }

    fn index(self) -> usize {
        match self {
            Lang::En => 0,
            Lang::Ru => 1,
        }
    }
}

/// Each language's catalogue: the pages of the public, the traders and the declarations
/// (`en.ftl`), the console of customs staff (`en-console.ftl`), the knowledge base's
/// interface (`en-knowledge.ftl`), the errors and reasons (`en-errors.ftl`) and the details
/// of format-logical control's findings (`en-flc.ftl`), the smart checkpoint's pages
/// (`en-checkpoint.ftl`) and the Single Window's pages (`en-single-window.ftl`), one text.
const CATALOGUES: [(&str, &str); 2] = [
    (
        "en",
        concat!(
            include_str!("../locales/en.ftl"),
            include_str!("../locales/en-console.ftl"),
            include_str!("../locales/en-knowledge.ftl"),
            include_str!("../locales/en-errors.ftl"),
            include_str!("../locales/en-flc.ftl"),
            include_str!("../locales/en-checkpoint.ftl"),
            include_str!("../locales/en-single-window.ftl"),
            include_str!("../locales/en-parcels.ftl")
        ),
    ),
    (
        "ru",
        concat!(
            include_str!("../locales/ru.ftl"),
            include_str!("../locales/ru-console.ftl"),
            include_str!("../locales/ru-knowledge.ftl"),
            include_str!("../locales/ru-errors.ftl"),
            include_str!("../locales/ru-flc.ftl"),
            include_str!("../locales/ru-checkpoint.ftl"),
            include_str!("../locales/ru-single-window.ftl"),
            include_str!("../locales/ru-parcels.ftl")
        ),
    ),
];

fn bundles() -> &'static [FluentBundle<FluentResource>; 2] {
    static BUNDLES: OnceLock<[FluentBundle<FluentResource>; 2]> = OnceLock::new();
    BUNDLES.get_or_init(|| {
        CATALOGUES.map(|(code, text)| {
            let id: unic_langid::LanguageIdentifier = code.parse().unwrap_or_default();
            let mut bundle = FluentBundle::new_concurrent(vec![id]);
            bundle.set_use_isolating(false);
            bundle.set_formatter(Some(match code {
                "ru" => |v, _| whole_number(Lang::Ru, v),
                _ => |v, _| whole_number(Lang::En, v),
            }));
            // A catalogue with an error still loads its other messages; a test checks both parse.
            let resource = FluentResource::try_new(text.to_string()).unwrap_or_else(|(r, _)| r);
            let _ = bundle.add_resource(resource);
            bundle
        })
    })
}

tokio::task_local! {
    static LANG: Lang;
}

/// The language of the request being handled (English outside a request).
pub fn current() -> Lang {
    LANG.try_with(|l| *l).unwrap_or(Lang::En)
}

/// Runs `f` in `lang`, as a request in that language would (a text made for another reader than
/// the request's, or a test).
pub fn in_language<R>(lang: Lang, f: impl FnOnce() -> R) -> R {
    LANG.sync_scope(lang, f)
}

/// Runs the rest of the request in its language.
pub async fn with_language(request: Request, next: Next) -> Response {
    let chosen = crate::auth::cookie_in(request.headers(), LANG_COOKIE).and_then(|c| Lang::parse(&c));
    let accepted = || {
        request
            .headers()
            .get(axum::http::header::ACCEPT_LANGUAGE)
            .and_then(|v| v.to_str().ok())
            .and_then(Lang::from_accept)
    };
    let lang = chosen.or_else(accepted).unwrap_or(Lang::En);
    LANG.scope(lang, next.run(request)).await
}

fn format(lang: Lang, id: &str, args: Option<&FluentArgs>) -> Option<String> {
    let bundle = &bundles()[lang.index()];
    let pattern = bundle.get_message(id)?.value()?;
    let mut errors = Vec::new();
    Some(bundle.format_pattern(pattern, args, &mut errors).into_owned())
}

/// The text of message `id` in the request's language (English when missing there; the id
/// itself when missing everywhere, which a test rules out for the ids the pages use).
pub fn t(id: &str) -> String {
    text(current(), id, None)
}

/// [`t`], or `fallback` when no catalogue has the message (names made from data, such as an
/// audit action's, that only some of which have a text).
pub fn t_or(id: &str, fallback: &str) -> String {
    format(current(), id, None).or_else(|| format(Lang::En, id, None)).unwrap_or_else(|| fallback.to_string())
}

/// [`t`] with arguments.
pub fn t_with(id: &str, args: &[(&str, FluentValue<'_>)]) -> String {
    let mut fluent = FluentArgs::new();
    for (name, value) in args {
        fluent.set(*name, value.clone());
    }
    text(current(), id, Some(&fluent))
}

fn text(lang: Lang, id: &str, args: Option<&FluentArgs>) -> String {
    format(lang, id, args).or_else(|| format(Lang::En, id, args)).unwrap_or_else(|| id.to_string())
}

/// How a catalogue writes a whole number given as an argument (a count): grouped as the
/// language groups digits, `12,500` or `12 500`; other values as Fluent writes them.
fn whole_number(lang: Lang, value: &FluentValue<'_>) -> Option<String> {
    match value {
        FluentValue::Number(n)
            if n.value.fract() == 0.0 && n.value.abs() < 1e15 && n.options.minimum_fraction_digits.is_none() =>
        {
            Some(number_in(lang, Decimal::from(n.value as i64)))
        }
        _ => None,
    }
}

/// A sentence for people that the use cases give (a field's problem, why nothing was done):
/// a message of the catalogues with its arguments, written in the request's language by
/// [`Phrase::localised`] and in English by `Display` (the API's messages are English).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Phrase {
    id: &'static str,
    args: Vec<(&'static str, String)>,
}

impl Phrase {
    /// The message `id`, which the catalogues of every language hold (a test checks the ids the
    /// code names).
    pub fn new(id: &'static str) -> Phrase {
        Phrase { id, args: Vec::new() }
    }

    /// A text that stays as it was written in every language (a problem the core states in
    /// English, a parser's message).
    pub fn verbatim(text: impl Into<String>) -> Phrase {
        Phrase { id: "verbatim", args: vec![("text", text.into())] }
    }

    /// With the argument `name`.
    pub fn with(mut self, name: &'static str, value: impl std::fmt::Display) -> Phrase {
        self.args.push((name, value.to_string()));
        self
    }

    /// The sentence in the request's language.
    pub fn localised(&self) -> String {
        self.in_language(current())
    }

    fn in_language(&self, lang: Lang) -> String {
        let mut args = FluentArgs::new();
        for (name, value) in &self.args {
            args.set(*name, value.as_str());
        }
        text(lang, self.id, Some(&args))
    }
}

impl std::fmt::Display for Phrase {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.in_language(Lang::En))
    }
}

/// A decimal number as the request's language writes it: `1,234.50` or `1 234,50`.
pub fn number(value: Decimal) -> String {
    number_in(current(), value)
}

fn number_in(lang: Lang, value: Decimal) -> String {
    let text = value.to_string();
    let (sign, digits) = text.strip_prefix('-').map_or(("", text.as_str()), |d| ("-", d));
    let (whole, fraction) = digits.split_once('.').unwrap_or((digits, ""));
    let (group, point) = match lang {
        Lang::En => (",", "."),
        Lang::Ru => ("\u{a0}", ","),
    };
    let mut grouped = String::new();
    for (i, c) in whole.chars().enumerate() {
        if i > 0 && (whole.len() - i) % 3 == 0 {
            grouped.push_str(group);
        }
        grouped.push(c);
    }
    match fraction.is_empty() {
        true => format!("{sign}{grouped}"),
        false => format!("{sign}{grouped}{point}{fraction}"),
    }
}

/// An amount of money as the request's language writes it, with its currency:
/// `1,234.50 EUR` or `1 234,50 EUR`.
pub fn money(amount: Decimal, currency: &str) -> String {
    format!("{} {currency}", number(amount))
}

/// A change of a balance kept as a decimal text (`-120.50`), as [`number`] writes it; a
/// text that is not a number is shown as it is.
pub fn number_text(text: &str) -> String {
    text.parse::<Decimal>().map(number).unwrap_or_else(|_| text.to_string())
}

/// A day as the request's language writes it: `2026-12-03` or `03.12.2026`.
pub fn day(date: chrono::NaiveDate) -> String {
    match current() {
        Lang::En => date.format("%Y-%m-%d").to_string(),
        Lang::Ru => date.format("%d.%m.%Y").to_string(),
    }
}

/// A time to the minute as the request's language writes it (the pages say the zone, UTC):
/// `2026-12-03 14:05` or `03.12.2026 14:05`.
pub fn minute(at: chrono::DateTime<chrono::Utc>) -> String {
    match current() {
        Lang::En => at.format("%Y-%m-%d %H:%M").to_string(),
        Lang::Ru => at.format("%d.%m.%Y %H:%M").to_string(),
    }
}

/// What a reason (a finding of format-logical control, a signature's fault …) says, in the
/// request's language. The core writes its messages in English with the values they concern,
/// and gives those values as `args`; another language fills its template of the rule
/// (`flc-FLC_038-detail`) with them. A reason without arguments (one stored before they
/// existed), or one whose template, argument or named field is missing, is said as before: the
/// rule's name (`flc-FLC_038`) and the English detail, or, for a code with no name there, the
/// core's message alone.
pub fn reason(code: &str, message: &str, args: &BTreeMap<String, String>) -> String {
    let lang = current();
    if lang == Lang::En {
        return message.to_string();
    }
    if !args.is_empty() {
        if let Ok(detail) = flc::detail(lang, code, args) {
            return detail;
        }
    }
    match format(lang, &format!("flc-{code}"), None) {
        Some(name) => t_with("reason-detail", &[("name", name.into()), ("detail", message.to_string().into())]),
        None => message.to_string(),
    }
}

/// True when the catalogue of `lang` holds message `id` (for tests).
#[cfg(test)]
pub(crate) fn has_message(lang: Lang, id: &str) -> bool {
    bundles()[lang.index()].has_message(id)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ids(text: &str) -> Vec<String> {
        text.lines()
            .filter(|l| !l.starts_with([' ', '#', '.']) && l.contains(" ="))
            .filter_map(|l| l.split(" =").next().map(|id| id.trim().to_string()))
            .collect()
    }

    #[test]
    fn both_catalogues_parse_and_have_the_same_messages() {
        for (code, text) in CATALOGUES {
            assert!(FluentResource::try_new(text.to_string()).is_ok(), "{code}.ftl does not parse");
        }
        let (mut en, mut ru) = (ids(CATALOGUES[0].1), ids(CATALOGUES[1].1));
        en.sort();
        ru.sort();
        assert!(en.len() > 50, "{en:?}");
        assert_eq!(en, ru, "every message in English and in Russian");
    }

    /// Every message id the pages ask for (`t("…")`, `t_with("…"`, and the form's labels) is in
    /// the catalogues.
    #[test]
    fn every_message_the_pages_use_is_in_the_catalogues() {
        fn sources(dir: &std::path::Path, out: &mut Vec<String>) {
            for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
                let path = entry.path();
                if path.is_dir() {
                    sources(&path, out);
                } else if path.extension().is_some_and(|e| e == "rs") && !path.ends_with("i18n.rs") {
                    out.push(std::fs::read_to_string(&path).unwrap_or_default());
                }
            }
        }
        let mut texts = Vec::new();
        sources(&std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src"), &mut texts);
        let known = ids(CATALOGUES[0].1);
        let mut used = Vec::new();
        for text in &texts {
            for call in ["t(\"", "t_with(\"", "f(\"", "Phrase::new(\""] {
                let mut from = 0;
                while let Some(at) = text[from..].find(call) {
                    let start = from + at;
                    from = start + call.len();
                    let before = text[..start].chars().last().unwrap_or(' ');
                    if before.is_alphanumeric() || before == '_' || before == '.' || before == ':' {
                        continue;
                    }
                    let rest = &text[from..];
                    // The form's fields: `f("key", "label-id", …)`: the second literal.
                    let rest = if call == "f(\"" { rest.split_once(", \"").map_or("", |(_, r)| r) } else { rest };
                    let id: String = rest.chars().take_while(|c| *c != '"').collect();
                    used.push(id);
                }
            }
        }
        used.retain(|id| id != "no-such-message");
        assert!(used.len() > 50, "{used:?}");
        let missing: Vec<&String> = used.iter().filter(|id| !known.contains(id)).collect();
        assert!(missing.is_empty(), "used but not in the catalogues: {missing:?}");
    }

    /// The messages named by a state or a lane (`state-released`, `lane-red`) exist.
    #[test]
    fn every_state_and_lane_has_its_name() {
        use smartcustoms_core::risk::Lane;
        use smartcustoms_core::workflow::State;
        let known = ids(CATALOGUES[0].1);
        let states = ["submitted", "refused", "awaiting_payment", "registered", "under_control", "released"];
        for name in states {
            assert!(State::parse(name).is_some() && known.contains(&format!("state-{name}")), "{name}");
        }
        for lane in [Lane::Green, Lane::Blue, Lane::Yellow, Lane::Red] {
            assert!(known.contains(&format!("lane-{}", lane.as_str())), "{lane:?}");
        }
    }

    /// Every rule of format-logical control has its name in both catalogues, and the English
    /// one is the core's.
    #[test]
    fn every_flc_rule_has_its_text_in_both_catalogues() {
        for rule in smartcustoms_core::flc::rules() {
            let id = format!("flc-{}", rule.code);
            assert_eq!(format(Lang::En, &id, None).as_deref(), Some(rule.name), "{id} in en.ftl");
            let ru = format(Lang::Ru, &id, None);
            assert!(ru.as_ref().is_some_and(|r| r != rule.name && !r.is_empty()), "{id} in ru.ftl: {ru:?}");
        }
    }

    #[tokio::test]
    async fn money_dates_and_reasons_follow_the_language() {
        let amount = Decimal::new(123450, 2);
        let at = chrono::DateTime::from_timestamp(1_796_306_700, 0).unwrap_or_default();
        let en = LANG.scope(Lang::En, async move {
            (money(amount, "EUR"), minute(at), day(at.date_naive()), number_text("-1200.5"))
        });
        assert_eq!(
            en.await,
            ("1,234.50 EUR".into(), "2026-12-03 14:05".into(), "2026-12-03".into(), "-1,200.5".into())
        );
        let ru = LANG
            .scope(Lang::Ru, async move { (money(amount, "EUR"), minute(at), day(at.date_naive()), number_text("x")) });
        assert_eq!(ru.await, ("1\u{a0}234,50 EUR".into(), "03.12.2026 14:05".into(), "03.12.2026".into(), "x".into()));
        let message = "The net mass 12 kg is larger than the gross mass 10 kg.";
        let none = BTreeMap::new();
        assert_eq!(LANG.scope(Lang::En, async { reason("FLC_038", message, &none) }).await, message);
        let ru = LANG.scope(Lang::Ru, async { reason("FLC_038", message, &none) }).await;
        assert!(ru.starts_with("Масса нетто") && ru.contains(message), "{ru}");
        assert_eq!(LANG.scope(Lang::Ru, async { reason("SIG_999", "As it was.", &none) }).await, "As it was.");
        let args: BTreeMap<String, String> = [("net", "12"), ("gross", "10")].map(|(k, v)| (k.into(), v.into())).into();
        assert_eq!(LANG.scope(Lang::En, async { reason("FLC_038", message, &args) }).await, message);
        let ru = LANG.scope(Lang::Ru, async { reason("FLC_038", message, &args) }).await;
        assert_eq!(ru, "Масса нетто 12 кг больше массы брутто 10 кг.");
        let partial: BTreeMap<String, String> = [("net".to_string(), "12".to_string())].into();
        let ru = LANG.scope(Lang::Ru, async { reason("FLC_038", message, &partial) }).await;
        assert!(ru.starts_with("Масса нетто") && ru.contains(message), "a missing argument falls back: {ru}");
    }

    /// The codes the pages name from the catalogues (`capacity-payer`, `posting-refund`,
    /// `role-officer` …) have their message.
    #[test]
    fn every_code_the_pages_name_has_its_text() {
        use smartcustoms_core::access::{Capacity, Role};
        use smartcustoms_core::inspection::Irregularity;
        use smartcustoms_core::knowledge::{Adoption, Status};
        use smartcustoms_core::ledger::PostingKind;
        use smartcustoms_core::risk::Category;
        let known = ids(CATALOGUES[0].1);
        let mut named: Vec<String> = Vec::new();
        named.extend(Capacity::ALL.iter().map(|c| format!("capacity-{}", c.as_str())));
        named.extend(Role::ALL.iter().map(|r| format!("role-{}", r.as_str())));
        named.extend(Irregularity::ALL.iter().map(|i| format!("irregularity-{}", i.as_str())));
        named.extend(PostingKind::ALL.iter().map(|k| format!("posting-{}", k.as_str())));
        named.extend(Category::ALL.iter().map(|c| format!("category-{}", c.as_str())));
        named.extend(Status::ALL.iter().map(|s| format!("status-{}", s.code())));
        named.extend(Adoption::ALL.iter().map(|a| format!("adoption-{}", a.code())));
        // The survey check's codes, SURVEY_001 to SURVEY_010 (docs/errors.md lists them).
        named.extend((1..=10).map(|n| format!("survey-finding-SURVEY_{n:03}")));
        let missing: Vec<&String> = named.iter().filter(|id| !known.contains(id)).collect();
        assert!(missing.is_empty(), "named but not in the catalogues: {missing:?}");
    }

    /// Every answer of every closed list of the survey form has its name in both catalogues:
    /// the English one is the core's label, the Russian one another text.
    #[test]
    fn every_answer_of_the_survey_lists_has_its_text_in_both_catalogues() {
        use crate::pages::survey::Choice;
        use smartcustoms_core::knowledge::{
            Benefit, PerformanceImprovement, Question, StakeholderGroup, SurveyStatus, SurveyTechnology, UseCase,
        };
        fn check<T: Choice>(wrong: &mut Vec<String>) -> usize {
            for answer in T::all() {
                let id = answer.message();
                let en = format(Lang::En, &id, None);
                let ru = format(Lang::Ru, &id, None);
                if en.as_deref() != Some(answer.label()) {
                    wrong.push(format!("{id} in English: {en:?}, the core says {:?}", answer.label()));
                }
                if ru.as_ref().is_none_or(|r| r.is_empty() || r == answer.label()) {
                    wrong.push(format!("{id} in Russian: {ru:?}"));
                }
            }
            T::all().len()
        }
        let mut wrong = Vec::new();
        let answers = check::<StakeholderGroup>(&mut wrong)
            + check::<SurveyTechnology>(&mut wrong)
            + check::<UseCase>(&mut wrong)
            + check::<PerformanceImprovement>(&mut wrong)
            + check::<SurveyStatus>(&mut wrong)
            + check::<Benefit>(&mut wrong)
            + check::<Question>(&mut wrong);
        assert_eq!(answers, 6 + 15 + 9 + 23 + 4 + 4 + 16);
        assert!(wrong.is_empty(), "{wrong:#?}");
    }

    /// The technology groups and the platform's capabilities have their names in both
    /// catalogues, the English ones as the core writes them.
    #[test]
    fn every_group_and_capability_has_its_name_in_both_catalogues() {
        use smartcustoms_core::knowledge::{Group, CAPABILITIES};
        let mut named: Vec<(String, &str)> =
            Group::ALL.iter().map(|g| (format!("kb-group-{}", g.code()), g.label())).collect();
        named.extend(CAPABILITIES.iter().map(|c| (format!("capability-{}", c.id), c.name)));
        let wrong: Vec<String> = named
            .iter()
            .filter(|(id, english)| {
                let ru = format(Lang::Ru, id, None);
                format(Lang::En, id, None).as_deref() != Some(*english) || ru.is_none_or(|r| r.is_empty())
            })
            .map(|(id, _)| id.clone())
            .collect();
        assert!(wrong.is_empty(), "{wrong:?}");
    }

    /// The kinds of search results and the help pages are named in both catalogues.
    #[test]
    fn every_search_kind_and_help_page_has_its_name() {
        let known = ids(CATALOGUES[1].1);
        let mut named: Vec<String> =
            ["technology", "term", "instrument", "help"].iter().map(|k| format!("search-kind-{k}")).collect();
        named.extend(crate::knowledge::HELP.iter().map(|p| format!("help-page-{}", p.slug)));
        let missing: Vec<&String> = named.iter().filter(|id| !known.contains(id)).collect();
        assert!(missing.is_empty(), "named but not in the catalogues: {missing:?}");
    }

    #[test]
    fn the_language_follows_the_browser() {
        assert_eq!(Lang::from_accept("ru-RU,ru;q=0.9,en-US;q=0.8"), Some(Lang::Ru));
        assert_eq!(Lang::from_accept("de-DE,en;q=0.5,ru;q=0.4"), Some(Lang::En));
        assert_eq!(Lang::from_accept("de, fr"), None);
        assert_eq!(Lang::parse("RU"), Some(Lang::Ru));
    }

    #[tokio::test]
    async fn numbers_and_texts_follow_the_language() {
        let n = Decimal::new(-123456789, 2);
        assert_eq!(LANG.scope(Lang::En, async { number(n) }).await, "-1,234,567.89");
        assert_eq!(LANG.scope(Lang::Ru, async { number(n) }).await, "-1\u{a0}234\u{a0}567,89");
        assert_eq!(LANG.scope(Lang::Ru, async { t("nav-sign-in") }).await, "Войти");
        assert_eq!(t("nav-sign-in"), "Sign in");
        assert_eq!(t("no-such-message"), "no-such-message");
    }

    /// Counts given to a message as numbers are grouped as the language groups digits, and
    /// still choose the plural form.
    #[tokio::test]
    async fn counts_in_messages_are_grouped_by_language() {
        let files = |n: i64| t_with("event-files", &[("count", n.into())]);
        let en = LANG.scope(Lang::En, async move { (files(1), files(12500)) }).await;
        assert_eq!(en, ("1 file".to_string(), "12,500 files".to_string()));
        let ru = LANG.scope(Lang::Ru, async move { files(12500) }).await;
        assert_eq!(ru, "файлов: 12\u{a0}500");
        let draw =
            LANG.scope(Lang::En, async { t_with("work-draw", &[("draw", "123456789".into()), ("count", 2.into())]) });
        assert!(draw.await.contains("123456789"), "texts given as text are left as they are");
    }
}
