//! Exchange of goods declarations in the XML messages of the WCO Data Model, in the DEC-DMS
//! structure that administrations such as the UK's Customs Declaration Service use.
//!
//! - `parse_dec` reads a declaration message (`Declaration` of namespace
//!   `urn:wco:datamodel:WCO:DEC-DMS:2`) into our `DeclarationDoc`; format-logical control then
//!   runs on it exactly as on a JSON filing. The reader refuses document type declarations,
//!   undefined entities, deep nesting and oversized messages before mapping anything.
//! - `write_res` writes our answer as a response message (`Response` of namespace
//!   `urn:wco:datamodel:WCO:RES-DMS:2`); `xml_pointer` turns the JSON path of a finding into the
//!   element path of the declaration message.
//! - `match_import` compares a partner administration's export declaration with our import of
//!   the same goods ("your export is my import"); `export_message` makes our message for a
//!   partner from a released export.
//!
//! Nothing here does I/O, and nothing signs: messages are signed and verified with the
//! functions of `signature`. `docs/wco-data-model.md` maps every element used to its WCO DM ID.

mod dec;
mod error;
mod exchange;
mod pointer;
mod res;
mod tree;

#[cfg(test)]
mod dec_tests;
#[cfg(test)]
mod exchange_tests;
#[cfg(test)]
mod res_tests;
#[cfg(test)]
mod sample;

pub use dec::{parse_dec, DecMessage};
pub use error::{Position, XmlError};
pub use exchange::{
    check_message, cited_by, cited_exports, export_message, finding_codes, match_import, Matched, Mismatch,
    PartnerExport, PartnerLine, Tolerance, CITING_DOCUMENT, EXPORTER_DIFFERS, EXPORT_LINE_MISSING, HS_DIFFERS,
    IMPORTER_DIFFERS, IMPORT_ITEM_MISSING, MASS_DIFFERS, QUANTITY_DIFFERS, QUANTITY_NOT_COMPARABLE, VALUE_DIFFERS,
    VALUE_NOT_COMPARABLE,
};
pub use pointer::{wco_pointers, xml_pointer, WcoPointer};
pub use res::{write_res, ResponseDoc, ResponseError, ResponseFunction, LANE_STATEMENT_TYPE};

/// Namespace of the goods declaration message (DEC-DMS, version 2 of the WCO DM XML schemas).
pub const DEC_NAMESPACE: &str = "urn:wco:datamodel:WCO:DEC-DMS:2";
/// Namespace of the response message (RES-DMS).
pub const RES_NAMESPACE: &str = "urn:wco:datamodel:WCO:RES-DMS:2";
/// Namespace of the metadata envelope (`MetaData`) in which the UK's service wraps a declaration.
pub const METADATA_NAMESPACE: &str = "urn:wco:datamodel:WCO:DocumentMetaData-DMS:2";
/// Deepest nesting of elements accepted. A DEC-DMS declaration is at most about ten levels deep,
/// even inside its metadata envelope.
pub const MAX_DEPTH: usize = 24;
/// Most elements accepted in one message, whatever their names.
pub const MAX_ELEMENTS: usize = 100_000;
/// Most attributes (namespace declarations included) accepted on one element; a declaration
/// element carries about eight.
pub const MAX_ATTRIBUTES: usize = 32;
/// Most goods items accepted in one message; FLC allows no more either.
pub const MAX_ITEMS: usize = 999;
