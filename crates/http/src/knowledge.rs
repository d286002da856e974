//! The knowledge base as the server holds it: the checked catalogue, the help pages, and the
//! full-text index over both, built once per process.

use std::sync::{Arc, OnceLock};

use smartcustoms_core::knowledge::{Catalogue, Technology};
use smartcustoms_search::{help, Passage, SearchIndex};

use crate::i18n::Lang;

/// A help page: a document of the repository compiled into the binary.
#[derive(Debug, Clone, Copy)]
pub struct HelpPage {
    /// Address under `/help/`.
    pub slug: &'static str,
    /// Title.
    pub title: &'static str,
    /// Where the document lives in the repository, for resolving the links between documents.
    pub path: &'static str,
    /// Markdown text.
    pub markdown: &'static str,
    /// The language the document is written in.
    pub lang: Lang,
}

/// A help page from a document of the repository, in English unless another language is named.
macro_rules! help_page {
    ($slug:literal, $title:literal, $path:literal) => {
        help_page!($slug, $title, $path, Lang::En)
    };
    ($slug:literal, $title:literal, $path:literal, $lang:expr) => {
        HelpPage {
            slug: $slug,
            title: $title,
            path: $path,
            markdown: include_str!(concat!("../../../", $path)),
            lang: $lang,
        }
    };
}

/// The help pages, in the order they are listed (after those in the visitor's language). The
/// reference documents are in English, the language of the API and its codes; the user's guide
/// is in Russian. The index names each page from the catalogues (`help-page-<slug>`); the
/// title here is the document's own, which the search shows.
pub const HELP: &[HelpPage] = &[
    help_page!("overview", "Platform overview", "README.md"),
    help_page!("knowledge", "The knowledge base", "docs/knowledge.md"),
    help_page!("errors", "Error and reason codes", "docs/errors.md"),
    help_page!("flc-rules", "Format-logical control rules", "docs/flc-rules.md"),
    help_page!("risk-language", "The risk profile language", "docs/risk-language.md"),
    help_page!("risk-model-evaluation", "Evaluating the consignment risk model", "docs/risk-model-evaluation.md"),
    help_page!("risk-simulation", "The risk system in a simulated world", "docs/risk-simulation.md"),
    help_page!("tariff", "Tariff and duty calculation", "docs/tariff.md"),
    help_page!("valuation", "Customs value check", "docs/valuation.md"),
    help_page!("data-model", "Declaration data model", "docs/data-model.md"),
    help_page!("transit", "Transit, guarantees and pre-arrival information", "docs/transit.md"),
    help_page!("seals", "Navigation seals: reports and alerts", "docs/seals.md"),
    help_page!("checkpoint", "The smart checkpoint", "docs/checkpoint.md"),
    help_page!("traceability", "Goods traceability", "docs/traceability.md"),
    help_page!("guide-ru", "Руководство пользователя", "docs/ru/guide.md", Lang::Ru),
];

/// An image the help pages show, served at `/help/img/{name}`.
#[derive(Debug, Clone, Copy)]
pub struct HelpImage {
    /// File name under `docs/img/`.
    pub name: &'static str,
    /// The file.
    pub bytes: &'static [u8],
}

impl HelpImage {
    /// Media type, from the file name's extension (the images are PNG or SVG).
    pub fn content_type(&self) -> &'static str {
        if self.name.ends_with(".svg") {
            "image/svg+xml"
        } else {
            "image/png"
        }
    }
}

/// An image of `docs/img/`.
macro_rules! help_image {
    ($name:literal) => {
        HelpImage { name: $name, bytes: include_bytes!(concat!("../../../docs/img/", $name)) }
    };
}

/// The images of the help pages.
pub const HELP_IMAGES: &[HelpImage] = &[
    help_image!("knowledge.png"),
    help_image!("technology.png"),
    help_image!("search.png"),
    help_image!("survey-error.png"),
    help_image!("survey-answer.png"),
    help_image!("maturity.png"),
    help_image!("time-release.png"),
    help_image!("dashboard.png"),
    help_image!("work-queue.png"),
    help_image!("precision-at-n.svg"),
    help_image!("risk-simulation.svg"),
];

/// Where a link or image of a help page leads in the application: another help page (with its
/// anchor), a help image, or an address that is already absolute or within the page. `None`
/// for repository files the server does not serve (source code, other documents): the page
/// shows the link's text without the link.
pub fn help_link(page: &HelpPage, dest: &str) -> Option<String> {
    if dest.starts_with(['#', '/']) || dest.contains("://") || dest.starts_with("mailto:") {
        return Some(dest.to_owned());
    }
    let (file, fragment) = dest.split_once('#').map_or((dest, None), |(f, a)| (f, Some(a)));
    let mut parts: Vec<&str> = page.path.split('/').collect();
    parts.pop();
    for part in file.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                parts.pop()?;
            }
            part => parts.push(part),
        }
    }
    let target = parts.join("/");
    if let Some(p) = HELP.iter().find(|p| p.path == target) {
        return Some(match fragment {
            Some(a) => format!("/help/{}#{a}", p.slug),
            None => format!("/help/{}", p.slug),
        });
    }
    let name = target.strip_prefix("docs/img/")?;
    HELP_IMAGES.iter().find(|i| i.name == name).map(|i| format!("/help/img/{}", i.name))
}

/// The loaded knowledge base.
pub struct Knowledge {
    /// Catalogue, glossary, instruments, Table 1.
    pub catalogue: Catalogue,
    /// Full-text index over the catalogue, glossary, instruments and help pages.
    pub index: SearchIndex,
}

impl std::fmt::Debug for Knowledge {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Knowledge").field("passages", &self.index.len()).finish()
    }
}

/// Questions a trader, an officer or an administration would ask, each with the passages
/// that answer it (`kind:id`; any of them counts). The relevance test expects each in the top 3;
/// `bench knowledge` asks them.
pub const RELEVANCE_QUESTIONS: [(&str, &[&str]); 20] = [
    ("What is a single personal account?", &["term:single-personal-account", "technology:17"]),
    ("How can duties be paid centrally from one account?", &["technology:17"]),
    ("How do navigation seals track goods in transit?", &["technology:21", "term:navigation-seal"]),
    ("What is a digital twin?", &["term:digital-twin", "technology:35"]),
    ("Can goods be released automatically without an officer?", &["technology:8", "technology:58"]),
    ("How does the risk management system learn from inspection results?", &["technology:34"]),
    (
        "How is the declared customs value checked against prices?",
        &["technology:19", "term:automated-system-for-checking-customs-value", "help:valuation#the-check"],
    ),
    ("What is the Single Window?", &["technology:25", "term:single-window-mechanism"]),
    ("electronic queue for trucks at the checkpoint", &["technology:55"]),
    ("automatic recognition of vehicle number plates", &["technology:60"]),
    ("What is blockchain?", &["term:blockchain", "technology:49"]),
    ("radiation control at the border", &["technology:61"]),
    ("Kyoto Convention guidelines on information and communication technology", &["instrument:2"]),
    ("research paper on blockchain for customs", &["instrument:5"]),
    ("What does the error PAY_003 mean?", &["help:errors#api-errors"]),
    ("How do I write a risk profile?", &["help:risk-language#the-risk-profile-language"]),
    (
        "Who sees confidential answers of the WCO survey?",
        &["help:knowledge#submitting-an-answer-to-the-wco-smart-customs-survey"],
    ),
    ("How is the maturity of an administration scored?", &["help:knowledge#maturity-self-assessment"]),
    ("remote release of goods kept at a border warehouse", &["technology:11"]),
    ("authorised economic operator programme", &["technology:43"]),
];

/// Parses, checks and indexes the knowledge base.
pub fn build() -> Result<Knowledge, String> {
    let catalogue = Catalogue::embedded().map_err(|e| e.to_string())?;
    let index = SearchIndex::build(passages(&catalogue)).map_err(|e| format!("building the search index: {e}"))?;
    Ok(Knowledge { catalogue, index })
}

/// The knowledge base, parsed, checked and indexed on first use and shared by every state of
/// the process. An inconsistent catalogue is an error of the build, reported at start.
pub fn load() -> Result<Arc<Knowledge>, String> {
    static LOADED: OnceLock<Result<Arc<Knowledge>, String>> = OnceLock::new();
    LOADED.get_or_init(|| build().map(Arc::new)).clone()
}

/// Address of a technology's page.
pub fn technology_url(number: u8) -> String {
    format!("/knowledge/technologies/{number}")
}

/// Address of a term's page.
pub fn term_url(id: &str) -> String {
    format!("/knowledge/terms/{id}")
}

/// Address of a capability's page.
pub fn capability_url(id: &str) -> String {
    format!("/knowledge/capabilities/{id}")
}

/// Every passage the search ranks.
fn passages(c: &Catalogue) -> Vec<Passage> {
    let mut out = Vec::new();
    for t in &c.technologies {
        out.push(Passage {
            kind: "technology".into(),
            id: t.number.to_string(),
            title: format!("{}. {}", t.number, t.name),
            body: technology_text(t),
            url: technology_url(t.number),
        });
    }
    for t in &c.terms {
        out.push(Passage {
            kind: "term".into(),
            id: t.id.clone(),
            title: t.term.clone(),
            body: t.definition.clone(),
            url: term_url(&t.id),
        });
    }
    for i in &c.instruments {
        let year = i.year.map(|y| y.to_string()).unwrap_or_default();
        out.push(Passage {
            kind: "instrument".into(),
            id: i.number.to_string(),
            title: i.title.clone(),
            body: [i.kind.as_str(), &i.topic, &i.issuer, &i.authors, &year, &i.reference, &i.section].join(". "),
            url: format!("/knowledge/instruments#instrument-{}", i.number),
        });
    }
    for page in HELP {
        out.extend(help::passages(page.slug, page.title, page.markdown));
    }
    out
}

/// The searchable text of a technology.
fn technology_text(t: &Technology) -> String {
    format!(
        "{}\nFor traders: {}\nFor officers: {}\nWhat it needs: {}\nIn this platform ({}): {}\nGroup: {}",
        t.summary,
        t.for_traders,
        t.for_officers,
        t.needs,
        t.status.label(),
        t.status_note,
        t.group.label()
    )
}

/// Splits `text` into plain pieces and glossary-term pieces (term id, matched text), so pages
/// can link every term where it appears. Longer terms win; matches are whole words, case
/// insensitive, and each term is linked once per text.
pub fn link_terms<'a>(catalogue: &Catalogue, text: &'a str) -> Vec<(Option<String>, &'a str)> {
    let lower = text.to_ascii_lowercase();
    let mut terms: Vec<(String, &str)> = catalogue
        .terms
        .iter()
        .flat_map(|t| {
            // "Internet of Things (IoT)" also matches "Internet of Things".
            let short = t.term.split(" (").next().unwrap_or(&t.term).to_ascii_lowercase();
            [(t.term.to_ascii_lowercase(), t.id.as_str()), (short, t.id.as_str())]
        })
        .filter(|(name, _)| name.len() >= 4)
        .collect();
    terms.sort_by_key(|t| std::cmp::Reverse(t.0.len()));
    let word = |b: Option<&u8>| b.is_none_or(|c| !c.is_ascii_alphanumeric());
    let mut spans: Vec<(usize, usize, &str)> = Vec::new();
    let mut linked: Vec<&str> = Vec::new();
    for (name, id) in &terms {
        if linked.contains(id) {
            continue;
        }
        let mut from = 0;
        while let Some(pos) = lower[from..].find(name.as_str()).map(|p| p + from) {
            let end = pos + name.len();
            let free = spans.iter().all(|(s, e, _)| end <= *s || pos >= *e);
            if free && word(pos.checked_sub(1).and_then(|i| lower.as_bytes().get(i))) && word(lower.as_bytes().get(end))
            {
                spans.push((pos, end, id));
                linked.push(id);
                break;
            }
            from = end;
        }
    }
    spans.sort_unstable();
    let mut out = Vec::new();
    let mut at = 0;
    for (s, e, id) in spans {
        if s > at {
            out.push((None, &text[at..s]));
        }
        out.push((Some(id.to_string()), &text[s..e]));
        at = e;
    }
    if at < text.len() {
        out.push((None, &text[at..]));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn knowledge() -> Arc<Knowledge> {
        match load() {
            Ok(k) => k,
            Err(e) => panic!("{e}"),
        }
    }

    #[test]
    fn terms_in_a_text_become_links_once_each() {
        let k = knowledge();
        let pieces = link_terms(&k.catalogue, "Blockchain and machine learning; blockchain again.");
        let linked: Vec<(&str, &str)> = pieces.iter().filter_map(|(id, s)| id.as_deref().map(|id| (id, *s))).collect();
        assert_eq!(linked, vec![("blockchain", "Blockchain"), ("machine-learning", "machine learning")]);
        let text: String = pieces.iter().map(|(_, s)| *s).collect();
        assert_eq!(text, "Blockchain and machine learning; blockchain again.");
    }

    #[test]
    fn every_help_page_and_catalogue_entry_is_indexed() {
        let k = knowledge();
        let c = &k.catalogue;
        assert!(k.index.len() > c.technologies.len() + c.terms.len() + c.instruments.len() + HELP.len());
    }

    #[test]
    fn help_links_lead_to_pages_and_images_the_server_has() {
        let readme = HELP[0];
        let evaluation = HELP.iter().find(|p| p.slug == "risk-model-evaluation").copied().unwrap_or(readme);
        assert_eq!(help_link(&readme, "docs/knowledge.md").as_deref(), Some("/help/knowledge"));
        assert_eq!(help_link(&readme, "docs/img/search.png").as_deref(), Some("/help/img/search.png"));
        assert_eq!(help_link(&readme, "#the-two-commands").as_deref(), Some("#the-two-commands"));
        assert_eq!(help_link(&readme, "/api/v1/openapi.json").as_deref(), Some("/api/v1/openapi.json"));
        assert_eq!(help_link(&evaluation, "../README.md#benchmarks").as_deref(), Some("/help/overview#benchmarks"));
        assert_eq!(help_link(&evaluation, "img/precision-at-n.svg").as_deref(), Some("/help/img/precision-at-n.svg"));
        assert_eq!(help_link(&evaluation, "flc-rules.md").as_deref(), Some("/help/flc-rules"));
        assert_eq!(help_link(&readme, "ARCHITECTURE.md"), None);
        assert_eq!(help_link(&readme, "../../etc/passwd"), None);
        assert_eq!(help_link(&readme, "docs/img/missing.png"), None);
    }

    /// The Russian guide is a help page in Russian whose every link leads to a page or image the
    /// server has, and its words are found by the search.
    #[test]
    fn the_russian_guide_links_only_to_what_the_server_has_and_is_searchable() {
        let Some(guide) = HELP.iter().find(|p| p.slug == "guide-ru") else { panic!("no guide-ru help page") };
        assert_eq!((guide.lang, guide.path), (Lang::Ru, "docs/ru/guide.md"));
        let dropped = std::cell::RefCell::new(Vec::new());
        let html = help::render_html(guide.markdown, |dest| {
            let to = help_link(guide, dest);
            if to.is_none() {
                dropped.borrow_mut().push(dest.to_owned());
            }
            to
        });
        assert_eq!(dropped.into_inner(), Vec::<String>::new());
        assert!(html.contains("href=\"/help/risk-language\""), "a link to another document becomes its help page");
        assert!(html.contains("href=\"/help/overview#api-overview\""), "the README's section");
        let hits = match knowledge().index.search("лицевой счёт", 5) {
            Ok(hits) => hits,
            Err(e) => panic!("{e}"),
        };
        assert!(hits.iter().any(|h| h.kind == "help" && h.id.starts_with("guide-ru")), "{hits:?}");
    }

    #[test]
    fn every_image_the_help_pages_show_is_served() {
        let unserved = std::cell::RefCell::new(Vec::new());
        for page in HELP {
            help::render_html(page.markdown, |dest| {
                let to = help_link(page, dest);
                if to.is_none() && (dest.ends_with(".png") || dest.ends_with(".svg")) {
                    unserved.borrow_mut().push(format!("{}: {dest}", page.path));
                }
                to
            });
        }
        assert_eq!(unserved.into_inner(), Vec::<String>::new());
    }
}
