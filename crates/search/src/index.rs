//! The in-memory tantivy index of passages and its ranked search.

use tantivy::collector::TopDocs;
use tantivy::query::{Query, QueryParser};
use tantivy::schema::{Field, IndexRecordOption, Schema, TextFieldIndexing, TextOptions, Value, STORED};
use tantivy::snippet::SnippetGenerator;
use tantivy::tokenizer::{
    Language, LowerCaser, RemoveLongFilter, SimpleTokenizer, Stemmer, StopWordFilter, TextAnalyzer,
};
use tantivy::{Index, IndexReader, IndexWriter, ReloadPolicy, TantivyDocument};

use crate::{Hit, Passage, SearchError};

/// The longest query, in characters after trimming, that [`SearchIndex::search`] accepts.
pub const MAX_QUERY_CHARS: usize = 500;

/// The name under which the English analyzer is registered with the index.
const TOKENIZER: &str = "en_stem_stop";

/// How many times a title word outweighs a body word.
const TITLE_BOOST: f32 = 3.0;

/// The longest snippet, in characters.
const SNIPPET_CHARS: usize = 200;

/// Tokens longer than this (in bytes) are dropped: they are hashes or base64, not words.
const MAX_TOKEN_BYTES: usize = 40;

/// The indexing writer's memory budget; the whole knowledge base is a few megabytes of text.
const WRITER_MEMORY_BYTES: usize = 50_000_000;

/// Words dropped from titles, bodies and queries: Lucene's English stop words plus the words
/// that open questions, so that "What is a single personal account?" searches for its nouns.
const STOP_WORDS: &[&str] = &[
    // Lucene's English list, as in tantivy's `StopWordFilter::new(Language::English)`.
    "a", "an", "and", "are", "as", "at", "be", "but", "by", "for", "if", "in", "into", "is", "it", "no", "not", "of",
    "on", "or", "such", "that", "the", "their", "then", "there", "these", "they", "this", "to", "was", "will", "with",
    // Question words.
    "what", "which", "how", "does", "do", "can", "i", "my", "who", "why", "when",
];

/// The fields of the schema.
#[derive(Debug, Clone, Copy)]
struct Fields {
    kind: Field,
    id: Field,
    title: Field,
    body: Field,
    url: Field,
}

/// A read-only full-text index of passages, built once in memory.
///
/// It is `Send + Sync` and every search takes a fresh searcher from the kept reader, so one
/// index can be shared in an `Arc` by all request handlers.
pub struct SearchIndex {
    reader: IndexReader,
    parser: QueryParser,
    fields: Fields,
    len: usize,
}

impl std::fmt::Debug for SearchIndex {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SearchIndex").field("len", &self.len).finish_non_exhaustive()
    }
}

impl SearchIndex {
    /// Indexes the passages in RAM with one commit and keeps a reader on the result.
    pub fn build(passages: Vec<Passage>) -> Result<SearchIndex, SearchError> {
        let (schema, fields) = schema();
        let index = Index::create_in_ram(schema);
        index.tokenizers().register(TOKENIZER, analyzer());

        let len = passages.len();
        let mut writer: IndexWriter<TantivyDocument> = index.writer_with_num_threads(1, WRITER_MEMORY_BYTES)?;
        for passage in passages {
            let mut doc = TantivyDocument::default();
            doc.add_text(fields.kind, passage.kind);
            doc.add_text(fields.id, passage.id);
            doc.add_text(fields.title, passage.title);
            doc.add_text(fields.body, passage.body);
            doc.add_text(fields.url, passage.url);
            writer.add_document(doc)?;
        }
        writer.commit()?;

        let reader = index.reader_builder().reload_policy(ReloadPolicy::Manual).try_into()?;
        let mut parser = QueryParser::for_index(&index, vec![fields.title, fields.body]);
        parser.set_field_boost(fields.title, TITLE_BOOST);
        Ok(SearchIndex { reader, parser, fields, len })
    }

    /// Returns at most `limit` passages matching any word of `query`, best first.
    ///
    /// The query is parsed leniently: quotes, brackets, `AND`/`OR` and other punctuation never
    /// make it fail. A query that is nothing but stop words and punctuation finds nothing.
    pub fn search(&self, query: &str, limit: usize) -> Result<Vec<Hit>, SearchError> {
        let query = query.trim();
        if query.is_empty() {
            return Err(SearchError::EmptyQuery);
        }
        if query.chars().count() > MAX_QUERY_CHARS {
            return Err(SearchError::QueryTooLong);
        }
        // The syntax errors are dropped on purpose: users type prose, not query syntax.
        let (parsed, _errors) = self.parser.parse_query_lenient(&close_quotes(query));
        if limit == 0 || !has_terms(parsed.as_ref()) {
            return Ok(Vec::new());
        }

        let searcher = self.reader.searcher();
        let top = searcher.search(&parsed, &TopDocs::with_limit(limit).order_by_score())?;
        let mut snippets = SnippetGenerator::create(&searcher, parsed.as_ref(), self.fields.body)?;
        snippets.set_max_num_chars(SNIPPET_CHARS);

        let mut hits = Vec::with_capacity(top.len());
        for (score, address) in top {
            let doc: TantivyDocument = searcher.doc(address)?;
            let body = text(&doc, self.fields.body);
            let snippet = snippets.snippet(&body);
            let (snippet, snippet_html) = if snippet.is_empty() {
                let start = leading_text(&body, SNIPPET_CHARS).to_owned();
                let html = escape_html(&start);
                (start, html)
            } else {
                (snippet.fragment().to_owned(), snippet.to_html())
            };
            hits.push(Hit {
                kind: text(&doc, self.fields.kind),
                id: text(&doc, self.fields.id),
                title: text(&doc, self.fields.title),
                snippet,
                snippet_html,
                score,
                url: text(&doc, self.fields.url),
            });
        }
        Ok(hits)
    }

    /// The number of indexed passages.
    pub fn len(&self) -> usize {
        self.len
    }

    /// Whether no passage was indexed.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }
}

/// The schema: stemmed title and body, and stored-only kind, id and url.
fn schema() -> (Schema, Fields) {
    let indexing = TextFieldIndexing::default()
        .set_tokenizer(TOKENIZER)
        .set_index_option(IndexRecordOption::WithFreqsAndPositions);
    let text = TextOptions::default().set_indexing_options(indexing).set_stored();
    let mut builder = Schema::builder();
    let fields = Fields {
        kind: builder.add_text_field("kind", STORED),
        id: builder.add_text_field("id", STORED),
        title: builder.add_text_field("title", text.clone()),
        body: builder.add_text_field("body", text),
        url: builder.add_text_field("url", STORED),
    };
    (builder.build(), fields)
}

/// The analyzer for titles, bodies and queries: words, lower-cased, without stop words, stemmed.
fn analyzer() -> TextAnalyzer {
    TextAnalyzer::builder(SimpleTokenizer::default())
        .filter(RemoveLongFilter::limit(MAX_TOKEN_BYTES))
        .filter(LowerCaser)
        .filter(StopWordFilter::remove(STOP_WORDS.iter().map(|w| (*w).to_owned())))
        .filter(Stemmer::new(Language::English))
        .build()
}

/// Whether the query looks for at least one term; `*` or a query of stop words does not.
fn has_terms(query: &dyn Query) -> bool {
    let mut any = false;
    query.query_terms(&mut |_, _| any = true);
    any
}

/// Drops the last double quote when the quotes are unbalanced.
///
/// The lenient parser would otherwise read everything after an unclosed quote as one phrase,
/// so `"unclosed transit` would look for the exact phrase instead of either word.
fn close_quotes(query: &str) -> std::borrow::Cow<'_, str> {
    let unbalanced = query.chars().fold(false, |open, c| open ^ (c == '"'));
    if !unbalanced {
        return query.into();
    }
    match query.rfind('"') {
        Some(last) => format!("{} {}", &query[..last], &query[last + 1..]).into(),
        None => query.into(),
    }
}

/// The first string value of a field, or an empty string.
fn text(doc: &TantivyDocument, field: Field) -> String {
    doc.get_first(field).and_then(|v| v.as_str()).unwrap_or_default().to_owned()
}

/// At most `max_chars` characters from the start of `text`, cut after a whole word if possible.
fn leading_text(text: &str, max_chars: usize) -> &str {
    let text = text.trim();
    let Some((cut, _)) = text.char_indices().nth(max_chars) else {
        return text;
    };
    let head = &text[..cut];
    match head.rfind(char::is_whitespace) {
        Some(space) if space > 0 => head[..space].trim_end(),
        _ => head,
    }
}

/// Escapes text for an HTML element body or a quoted attribute.
fn escape_html(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn passage(id: &str, title: &str, body: &str) -> Passage {
        Passage {
            kind: "glossary".to_owned(),
            id: id.to_owned(),
            title: title.to_owned(),
            body: body.to_owned(),
            url: format!("/glossary/{id}"),
        }
    }

    fn knowledge_base() -> Vec<Passage> {
        vec![
            passage(
                "declarant",
                "Declarant",
                "The person declaring goods to customs, or on whose behalf the declaration is lodged.",
            ),
            passage(
                "spa",
                "Single personal account",
                "One account per trader from which duties, taxes and fees are debited.",
            ),
            passage(
                "transit",
                "Transit procedure",
                "Goods move under customs control between two customs offices without paying duties.",
            ),
            passage(
                "xss",
                "Sanitising",
                "A body with <script>alert('x')</script> & other markup must be escaped in snippets.",
            ),
        ]
    }

    /// Searches the test knowledge base and returns the ids of the hits, best first.
    fn check(query: &str) -> Result<Vec<String>, SearchError> {
        let index = SearchIndex::build(knowledge_base())?;
        Ok(index.search(query, 10)?.into_iter().map(|hit| hit.id).collect())
    }

    #[test]
    fn a_plural_finds_passages_with_other_forms_of_the_word() -> Result<(), SearchError> {
        assert_eq!(check("declarations")?, ["declarant"]);
        assert_eq!(check("declared")?, ["declarant"]);
        Ok(())
    }

    #[test]
    fn a_title_match_ranks_above_a_single_mention_in_a_long_body() -> Result<(), SearchError> {
        let long_body = format!(
            "{} Transit is mentioned once here. {}",
            "Filler words about tariffs. ".repeat(30),
            "More filler text. ".repeat(30)
        );
        let index = SearchIndex::build(vec![
            passage("mention", "Tariff classification", &long_body),
            passage("title", "Transit", "Moving goods between customs offices under control."),
        ])?;
        let hits = index.search("transit", 10)?;
        let ids: Vec<&str> = hits.iter().map(|h| h.id.as_str()).collect();
        assert_eq!(ids, ["title", "mention"]);
        assert!(hits[0].score > hits[1].score);
        Ok(())
    }

    #[test]
    fn a_question_with_stop_words_and_a_question_mark_finds_its_subject() -> Result<(), SearchError> {
        let ids = check("What is a single personal account?")?;
        assert_eq!(ids.first().map(String::as_str), Some("spa"));
        Ok(())
    }

    #[test]
    fn a_query_of_only_stop_words_finds_nothing() -> Result<(), SearchError> {
        assert!(check("what is the?")?.is_empty());
        assert!(check("*")?.is_empty());
        Ok(())
    }

    #[test]
    fn odd_syntax_never_fails() -> Result<(), SearchError> {
        for query in [
            "AND OR ((",
            "c++",
            "\"unclosed",
            "goods)",
            "title:",
            "kind:glossary goods",
            "url:/x",
            "body:*",
            "title:[a TO z]",
            "goods^1000",
            "goods^-2",
            "-goods",
            "+",
            "\"customs offices\"~2",
            "goods~",
            "IN [goods duties]",
            "/reg.*ex/",
            "!@#$%^&*()_+{}|:<>?",
            "\\",
            "Таможня",
        ] {
            check(query)?;
        }
        assert_eq!(check("\"unclosed transit")?, ["transit"]);
        Ok(())
    }

    #[test]
    fn an_empty_query_is_rejected() {
        assert!(matches!(check(""), Err(SearchError::EmptyQuery)));
        assert!(matches!(check(" \t\n "), Err(SearchError::EmptyQuery)));
    }

    #[test]
    fn an_over_long_query_is_rejected() -> Result<(), SearchError> {
        assert!(matches!(check(&"a".repeat(MAX_QUERY_CHARS + 1)), Err(SearchError::QueryTooLong)));
        check(&"é".repeat(MAX_QUERY_CHARS))?;
        Ok(())
    }

    #[test]
    fn the_limit_caps_the_number_of_hits() -> Result<(), SearchError> {
        let index = SearchIndex::build(knowledge_base())?;
        assert_eq!(index.search("customs goods duties", 1)?.len(), 1);
        assert!(index.search("customs", 0)?.is_empty());
        Ok(())
    }

    #[test]
    fn a_snippet_highlights_the_matched_words_and_escapes_html() -> Result<(), SearchError> {
        let index = SearchIndex::build(knowledge_base())?;
        let hits = index.search("escaped markup", 10)?;
        let hit = hits.iter().find(|h| h.id == "xss").ok_or(SearchError::EmptyQuery)?;
        assert!(hit.snippet.contains("<script>"));
        assert!(!hit.snippet_html.contains("<script>"));
        assert!(hit.snippet_html.contains("&lt;script&gt;"));
        assert!(hit.snippet_html.contains("<b>markup</b>"));
        Ok(())
    }

    #[test]
    fn a_title_only_match_gets_the_start_of_the_body_escaped() -> Result<(), SearchError> {
        let index = SearchIndex::build(knowledge_base())?;
        let hits = index.search("sanitising", 10)?;
        let hit = hits.first().ok_or(SearchError::EmptyQuery)?;
        assert_eq!(hit.id, "xss");
        assert!(hit.snippet.starts_with("A body with <script>"));
        assert!(hit.snippet_html.starts_with("A body with &lt;script&gt;alert(&#39;x&#39;)"));
        assert!(!hit.snippet_html.contains("<script>"));
        Ok(())
    }

    #[test]
    fn hits_carry_the_stored_fields_of_their_passage() -> Result<(), SearchError> {
        let index = SearchIndex::build(knowledge_base())?;
        let hits = index.search("transit", 10)?;
        let hit = hits.first().ok_or(SearchError::EmptyQuery)?;
        assert_eq!(
            (hit.kind.as_str(), hit.id.as_str(), hit.title.as_str(), hit.url.as_str()),
            ("glossary", "transit", "Transit procedure", "/glossary/transit")
        );
        assert!(hit.score > 0.0);
        Ok(())
    }

    #[test]
    fn an_unbalanced_quote_is_dropped_and_a_balanced_phrase_kept() {
        assert_eq!(close_quotes("\"unclosed transit"), " unclosed transit");
        assert_eq!(close_quotes("\"a b\" \"c"), "\"a b\"  c");
        assert_eq!(close_quotes("\"a b\""), "\"a b\"");
    }

    #[test]
    fn a_phrase_in_quotes_matches_only_the_words_in_order() -> Result<(), SearchError> {
        assert_eq!(check("\"customs offices\"")?, ["transit"]);
        assert!(check("\"offices customs\"")?.is_empty());
        Ok(())
    }

    #[test]
    fn the_leading_text_is_cut_after_a_whole_word() {
        assert_eq!(leading_text("  short  ", 200), "short");
        assert_eq!(leading_text("one two three", 9), "one two");
        assert_eq!(leading_text("abcdefghij", 4), "abcd");
        assert_eq!(leading_text("ééé ééé", 5), "ééé");
    }

    #[test]
    fn an_index_reports_its_size_and_is_shareable_across_threads() -> Result<(), SearchError> {
        fn shareable<T: Send + Sync>(_: &T) {}
        let index = SearchIndex::build(knowledge_base())?;
        shareable(&index);
        assert_eq!(index.len(), 4);
        assert!(!index.is_empty());
        let empty = SearchIndex::build(Vec::new())?;
        assert!(empty.is_empty());
        assert!(empty.search("goods", 10)?.is_empty());
        Ok(())
    }
}
