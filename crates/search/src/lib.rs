//! Full-text search of the knowledge base (catalogue, glossary, instruments, help pages) with
//! tantivy: English stemming, ranked passages with snippets. Depends on nothing of smartcustoms.
//!
//! Callers turn their content into [`Passage`]s (help pages via [`help::passages`]), build one
//! in-memory [`SearchIndex`] at startup and share it in an `Arc`; [`SearchIndex::search`] returns
//! ranked [`Hit`]s with plain-text and HTML snippets.

mod error;
pub mod help;
mod index;

pub use error::SearchError;
pub use index::{SearchIndex, MAX_QUERY_CHARS};

/// A passage to index.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Passage {
    /// What the passage comes from, such as `"help"`, `"glossary"` or `"catalogue"`.
    pub kind: String,
    /// The identifier of the passage within its kind, such as `"payments#the-single-personal-account"`.
    pub id: String,
    /// The title shown for a hit; its words weigh three times as much as body words.
    pub title: String,
    /// The plain text that is searched and from which snippets are cut.
    pub body: String,
    /// Where a hit links to.
    pub url: String,
}

/// A ranked result.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Hit {
    /// The kind of the matched passage.
    pub kind: String,
    /// The id of the matched passage.
    pub id: String,
    /// The title of the matched passage.
    pub title: String,
    /// A plain-text excerpt of the body around the matched words.
    pub snippet: String,
    /// The same excerpt as HTML: matched words in `<b>…</b>`, everything else escaped.
    pub snippet_html: String,
    /// The BM25 relevance score; hits come best first.
    pub score: f32,
    /// The url of the matched passage.
    pub url: String,
}
