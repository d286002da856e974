//! The error type of the crate.

/// Why a search index could not be built or searched.
#[derive(Debug, thiserror::Error)]
pub enum SearchError {
    /// The query is empty after trimming whitespace.
    #[error("the search query is empty")]
    EmptyQuery,
    /// The query is longer than [`crate::MAX_QUERY_CHARS`] characters.
    #[error("the search query is longer than {} characters", crate::MAX_QUERY_CHARS)]
    QueryTooLong,
    /// Tantivy failed while indexing or searching.
    #[error("search engine failure")]
    Tantivy(#[from] tantivy::TantivyError),
}
