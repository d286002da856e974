//! Format-logical control (FLC): turns a filed `DeclarationDoc` into a checked `Declaration`,
//! or reports every violation at once with a stable rule code, the JSON path and a message.
//!
//! `check` is the only way to build a `Declaration` ("parse, don't validate"). The rules are
//! listed by `rules()` and documented in `docs/flc-rules.md`; each lives in the module of its
//! group: `header` and `items` (presence, formats, code lists), `arithmetic`, `dates` and
//! `logic` (cross-field).

mod arithmetic;
mod check;
mod dates;
mod finding;
mod header;
mod items;
mod logic;
mod party;
mod rules;
mod text;

pub use check::check;
pub use finding::{Context, Finding};
pub use rules::{rules, RuleInfo};

// Shared with the transit checks, which report under their own codes.
pub(crate) use finding::shown;
pub(crate) use text::is_party_id;
