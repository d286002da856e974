//! Markdown help pages: split into searchable passages and rendered to HTML with the same
//! heading anchors, so that a hit's url lands on its section.

use std::collections::HashSet;

use pulldown_cmark::{CowStr, Event, HeadingLevel, Options, Parser, Tag, TagEnd};

use crate::Passage;

/// The kind of every help passage.
const KIND: &str = "help";

/// The anchor used for a heading with no ASCII letter or digit.
const FALLBACK_ANCHOR: &str = "section";

/// What separates table cells in a passage body, in place of the Markdown pipes.
const CELL_SEPARATOR: &str = " · ";

/// Splits a Markdown help page into passages at its headings (levels 1-3).
///
/// Each section becomes one passage of kind `"help"` with id `"{slug}#{anchor}"`, title
/// `"{page_title} — {heading}"` (just `page_title` when the heading repeats it) and url
/// `"/help/{slug}#{anchor}"`. Text before the first heading becomes a passage with id `slug`,
/// title `page_title` and url `"/help/{slug}"`. The body is the section's readable plain text:
/// Markdown formatting, link targets, raw HTML tags and table pipes are stripped, code is kept,
/// and blocks, list items and table rows go on separate lines. Headings of levels 4-6 stay in the
/// body of their section. Sections with no body text are left out, since a snippet needs text.
pub fn passages(slug: &str, page_title: &str, markdown: &str) -> Vec<Passage> {
    let mut anchors = Anchors::default();
    let mut out = Vec::new();
    // The section being read: `None` for the text before the first heading.
    let mut section: Option<(String, String)> = None;
    let mut body = PlainText::default();
    // The text of the heading being read, if any.
    let mut heading: Option<PlainText> = None;

    for event in Parser::new_ext(markdown, options()) {
        match event {
            Event::Start(Tag::Heading { .. }) => heading = Some(PlainText::default()),
            Event::End(TagEnd::Heading(level)) => {
                let text = heading.take().unwrap_or_default().finish().replace('\n', " ");
                // Minor headings take an anchor too, so that the anchors match `render_html`.
                let anchor = anchors.next(&text);
                if splits(level) {
                    push_passage(&mut out, slug, page_title, section.take(), std::mem::take(&mut body));
                    section = Some((anchor, text));
                } else {
                    body.block_break();
                    body.text.push_str(&text);
                    body.block_break();
                }
            }
            event => heading.as_mut().unwrap_or(&mut body).push_event(&event),
        }
    }
    push_passage(&mut out, slug, page_title, section, body);
    out
}

/// Renders a Markdown page to HTML (tables enabled) where every heading gets `id="{anchor}"`,
/// the same anchors [`passages`] uses.
///
/// Raw HTML in the Markdown is escaped and shown as text rather than passed through, so that a
/// help page can never inject markup or scripts into the application's pages.
///
/// `link` maps the destination of every link and image, as written in the Markdown, to the
/// address the page should use; `None` drops the link but keeps its text (an image keeps its
/// alternative text), for destinations the server does not serve.
pub fn render_html(markdown: &str, link: impl Fn(&str) -> Option<String>) -> String {
    let events: Vec<Event<'_>> = Parser::new_ext(markdown, options()).collect();
    let mut anchors = Anchors::default();
    let mut rendered = Vec::with_capacity(events.len());
    // Links do not nest, and neither do images: one flag per kind says whether the end event
    // belongs to a dropped start.
    let (mut dropped_link, mut dropped_image) = (false, false);
    for (i, event) in events.iter().enumerate() {
        rendered.push(match event {
            Event::Start(tag @ (Tag::Link { .. } | Tag::Image { .. })) => match retarget(tag, &link) {
                Some(tag) => Event::Start(tag),
                None if matches!(tag, Tag::Link { .. }) => {
                    dropped_link = true;
                    continue;
                }
                None => {
                    dropped_image = true;
                    continue;
                }
            },
            Event::End(TagEnd::Link) if std::mem::take(&mut dropped_link) => continue,
            Event::End(TagEnd::Image) if std::mem::take(&mut dropped_image) => continue,
            Event::Start(Tag::Heading { level, classes, attrs, .. }) => {
                let id = anchors.next(&heading_text(&events[i + 1..]));
                Event::Start(Tag::Heading {
                    level: *level,
                    id: Some(CowStr::from(id)),
                    classes: classes.clone(),
                    attrs: attrs.clone(),
                })
            }
            Event::Html(html) | Event::InlineHtml(html) => Event::Text(html.clone()),
            event => event.clone(),
        });
    }
    let mut html = String::with_capacity(markdown.len() * 3 / 2);
    pulldown_cmark::html::push_html(&mut html, rendered.into_iter());
    html
}

/// A link or image tag with its destination mapped by `link`; `None` when `link` drops it.
fn retarget<'a>(tag: &Tag<'a>, link: &impl Fn(&str) -> Option<String>) -> Option<Tag<'a>> {
    let mut tag = tag.clone();
    if let Tag::Link { dest_url, .. } | Tag::Image { dest_url, .. } = &mut tag {
        *dest_url = CowStr::from(link(dest_url)?);
    }
    Some(tag)
}

/// The anchor of a heading text: lower-case ASCII letters and digits joined by single hyphens
/// (e.g. "The single personal account" -> "the-single-personal-account").
///
/// Every other character separates words, so "C++ & Go" becomes "c-go"; a heading with no ASCII
/// letter or digit gives an empty string.
pub fn anchor(heading: &str) -> String {
    heading
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|word| !word.is_empty())
        .map(str::to_ascii_lowercase)
        .collect::<Vec<_>>()
        .join("-")
}

/// The Markdown extensions help pages use; `passages` and `render_html` must parse alike.
fn options() -> Options {
    Options::ENABLE_TABLES
}

/// Whether a heading of this level starts a new passage.
fn splits(level: HeadingLevel) -> bool {
    matches!(level, HeadingLevel::H1 | HeadingLevel::H2 | HeadingLevel::H3)
}

/// The plain text of a heading, given the events after its start.
fn heading_text(events: &[Event<'_>]) -> String {
    let mut text = PlainText::default();
    for event in events {
        if let Event::End(TagEnd::Heading(_)) = event {
            break;
        }
        text.push_event(event);
    }
    text.finish().replace('\n', " ")
}

/// Appends the passage for a finished section, unless it has no text.
fn push_passage(
    out: &mut Vec<Passage>,
    slug: &str,
    page_title: &str,
    section: Option<(String, String)>,
    body: PlainText,
) {
    let body = body.finish();
    if body.is_empty() {
        return;
    }
    let (id, title, url) = match section {
        None => (slug.to_owned(), page_title.to_owned(), format!("/help/{slug}")),
        Some((anchor, heading)) => {
            let title = if heading.is_empty() || heading == page_title {
                page_title.to_owned()
            } else {
                format!("{page_title} — {heading}")
            };
            (format!("{slug}#{anchor}"), title, format!("/help/{slug}#{anchor}"))
        }
    };
    out.push(Passage { kind: KIND.to_owned(), id, title, body, url });
}

/// Hands out unique heading anchors in document order, suffixing repeats with `-1`, `-2`, ….
#[derive(Debug, Default)]
struct Anchors {
    used: HashSet<String>,
}

impl Anchors {
    fn next(&mut self, heading: &str) -> String {
        let base = match anchor(heading) {
            base if base.is_empty() => FALLBACK_ANCHOR.to_owned(),
            base => base,
        };
        let mut candidate = base.clone();
        let mut n = 0;
        while self.used.contains(&candidate) {
            n += 1;
            candidate = format!("{base}-{n}");
        }
        self.used.insert(candidate.clone());
        candidate
    }
}

/// Readable plain text accumulated from Markdown events.
#[derive(Debug, Default)]
struct PlainText {
    text: String,
}

impl PlainText {
    fn push_event(&mut self, event: &Event<'_>) {
        match event {
            Event::Text(text) | Event::Code(text) | Event::InlineMath(text) | Event::DisplayMath(text) => {
                self.text.push_str(text)
            }
            Event::SoftBreak => self.text.push(' '),
            Event::HardBreak | Event::Rule => self.block_break(),
            Event::TaskListMarker(done) => self.text.push_str(if *done { "[x] " } else { "[ ] " }),
            Event::Start(Tag::Item | Tag::TableRow | Tag::TableHead) => self.block_break(),
            Event::End(TagEnd::TableCell) => self.text.push_str(CELL_SEPARATOR),
            Event::End(TagEnd::TableRow | TagEnd::TableHead) => {
                if self.text.ends_with(CELL_SEPARATOR) {
                    self.text.truncate(self.text.len() - CELL_SEPARATOR.len());
                }
                self.block_break();
            }
            Event::End(
                TagEnd::Paragraph
                | TagEnd::Item
                | TagEnd::CodeBlock
                | TagEnd::BlockQuote(_)
                | TagEnd::List(_)
                | TagEnd::Table
                | TagEnd::FootnoteDefinition
                | TagEnd::DefinitionListTitle
                | TagEnd::DefinitionListDefinition,
            ) => self.block_break(),
            Event::Start(Tag::CodeBlock(_) | Tag::Paragraph | Tag::BlockQuote(_)) => self.block_break(),
            // Raw HTML tags and footnote markers are markup, not prose.
            Event::Html(_) | Event::InlineHtml(_) | Event::FootnoteReference(_) | Event::Start(_) | Event::End(_) => {}
        }
    }

    /// Starts a new line unless the text is empty or already ends a line.
    fn block_break(&mut self) {
        if !self.text.is_empty() && !self.text.ends_with('\n') {
            self.text.push('\n');
        }
    }

    /// The text with each line's whitespace collapsed and blank lines dropped.
    fn finish(self) -> String {
        self.text
            .lines()
            .map(|line| line.split_whitespace().collect::<Vec<_>>().join(" "))
            .filter(|line| !line.is_empty())
            .collect::<Vec<_>>()
            .join("\n")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const PAGE: &str = r#"Welcome to **payments**. See [the FAQ](/help/faq).

# Payments

## The single personal account

Every trader has *one* account. Top it up with `spa topup --amount 100`.

| Fee | Amount |
|-----|--------|
| Processing | 5 EUR |

```sh
smartcustoms spa balance
```

#### Minor note

- first item
- second <em>item</em>

## The single personal account

A repeated heading.

### C++ & Go!

Code.
"#;

    #[test]
    fn a_page_is_split_into_one_passage_per_section() {
        let found = passages("payments", "Payments", PAGE);
        let ids: Vec<&str> = found.iter().map(|p| p.id.as_str()).collect();
        assert_eq!(
            ids,
            [
                "payments",
                "payments#the-single-personal-account",
                "payments#the-single-personal-account-1",
                "payments#c-go"
            ]
        );
        let urls: Vec<&str> = found.iter().map(|p| p.url.as_str()).collect();
        assert_eq!(
            urls,
            [
                "/help/payments",
                "/help/payments#the-single-personal-account",
                "/help/payments#the-single-personal-account-1",
                "/help/payments#c-go"
            ]
        );
        let titles: Vec<&str> = found.iter().map(|p| p.title.as_str()).collect();
        assert_eq!(
            titles,
            [
                "Payments",
                "Payments — The single personal account",
                "Payments — The single personal account",
                "Payments — C++ & Go!"
            ]
        );
        assert!(found.iter().all(|p| p.kind == "help"));
    }

    #[test]
    fn a_section_body_is_readable_plain_text() {
        let found = passages("payments", "Payments", PAGE);
        assert_eq!(found[0].body, "Welcome to payments. See the FAQ.");
        assert_eq!(
            found[1].body,
            "Every trader has one account. Top it up with spa topup --amount 100.\n\
             Fee · Amount\n\
             Processing · 5 EUR\n\
             smartcustoms spa balance\n\
             Minor note\n\
             first item\n\
             second item"
        );
        assert!(found.iter().all(|p| !p.body.contains('|') && !p.body.contains('*') && !p.body.contains("```")));
    }

    #[test]
    fn rendered_headings_carry_the_anchors_of_the_passages() {
        let html = render_html(PAGE, |u| Some(u.to_owned()));
        for p in passages("payments", "Payments", PAGE).iter().skip(1) {
            let (_, anchor) = p.id.split_once('#').unwrap_or_default();
            assert!(html.contains(&format!(" id=\"{anchor}\"")), "{anchor} missing in {html}");
        }
        assert!(html.contains("<h1 id=\"payments\">Payments</h1>"));
        assert!(html.contains("<h4 id=\"minor-note\">Minor note</h4>"));
        assert!(html.contains("<table>"));
    }

    #[test]
    fn rendered_raw_html_is_escaped() {
        let html =
            render_html("Hi <script>alert(1)</script>\n\n<div onclick=\"x()\">block</div>\n", |u| Some(u.to_owned()));
        assert!(!html.contains("<script>"));
        assert!(!html.contains("<div"));
        assert!(html.contains("&lt;script&gt;"));
    }

    #[test]
    fn links_and_images_go_where_the_resolver_says_or_become_text() {
        let page =
            "See [the guide](docs/guide.md#setup), [the code](src/lib.rs) and [the web](https://example.org).\n\n\
                    ![A chart](docs/img/chart.svg) ![A photo](photo.jpg)\n";
        let html = render_html(page, |u| match u {
            "docs/guide.md#setup" => Some("/help/guide#setup".to_owned()),
            "docs/img/chart.svg" => Some("/help/img/chart.svg".to_owned()),
            u if u.starts_with("https://") => Some(u.to_owned()),
            _ => None,
        });
        assert!(html.contains("<a href=\"/help/guide#setup\">the guide</a>"), "{html}");
        assert!(html.contains(" the code and "), "{html}");
        assert!(html.contains("<a href=\"https://example.org\">the web</a>"), "{html}");
        assert!(html.contains("<img src=\"/help/img/chart.svg\" alt=\"A chart\""), "{html}");
        assert!(html.contains("A photo") && !html.contains("photo.jpg"), "{html}");
    }

    #[test]
    fn an_anchor_is_lower_case_words_joined_by_hyphens() {
        assert_eq!(anchor("The single personal account"), "the-single-personal-account");
        assert_eq!(anchor("  C++ & Go -- 2026!  "), "c-go-2026");
        assert_eq!(anchor("Таможня"), "");
    }

    #[test]
    fn headings_without_ascii_words_get_a_fallback_anchor() {
        let found = passages("ru", "Помощь", "# Таможня\n\nТекст.\n\n# Склад\n\nЕщё.\n");
        let ids: Vec<&str> = found.iter().map(|p| p.id.as_str()).collect();
        assert_eq!(ids, ["ru#section", "ru#section-1"]);
        let html = render_html("# Таможня\n\nТекст.\n\n# Склад\n\nЕщё.\n", |u| Some(u.to_owned()));
        assert!(html.contains("id=\"section\"") && html.contains("id=\"section-1\""));
    }

    #[test]
    fn help_passages_are_searchable_by_a_question() -> Result<(), crate::SearchError> {
        let index = crate::SearchIndex::build(passages("payments", "Payments", PAGE))?;
        let hits = index.search("What is a single personal account?", 5)?;
        assert_eq!(hits.first().map(|h| h.url.as_str()), Some("/help/payments#the-single-personal-account"));
        Ok(())
    }
}
