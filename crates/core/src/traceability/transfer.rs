//! What a holder does with traced goods: sell them to another trader, take back a sale, export
//! them, or write them off. A [`Transfer`] moves one quantity of one batch; a report (see
//! `report.rs`) carries one operation over one or more batches.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::ids::TraderId;

use super::batch::BatchNumber;
use super::goods::Quantity;

/// A document reference: an invoice number, an export declaration's number, an act of
/// write-off. 1 to 35 characters (the length of a WCO document reference), not blank, without
/// control characters or spaces at its ends, so that a reference typed twice matches itself.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, ToSchema)]
#[serde(try_from = "String", into = "String")]
#[schema(value_type = String, example = "INV-2026-0042")]
pub struct DocumentRef(String);

impl DocumentRef {
    /// Longest reference, characters.
    pub const MAX_LEN: usize = 35;

    /// A reference, when `text` has the form of one.
    pub fn parse(text: &str) -> Option<DocumentRef> {
        let ok = !text.trim().is_empty()
            && text.chars().count() <= Self::MAX_LEN
            && text.trim() == text
            && !text.chars().any(char::is_control);
        ok.then(|| DocumentRef(text.to_string()))
    }

    /// The text form.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Display for DocumentRef {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl TryFrom<String> for DocumentRef {
    type Error = String;

    fn try_from(text: String) -> Result<Self, String> {
        DocumentRef::parse(&text).ok_or_else(|| format!("{text:?} is not a document reference"))
    }
}

impl From<DocumentRef> for String {
    fn from(r: DocumentRef) -> String {
        r.0
    }
}

/// The free text of a write-off: 1 to 512 characters, not blank, without control characters.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(try_from = "String", into = "String")]
#[schema(value_type = String, example = "Crushed in the warehouse fire of 3 May")]
pub struct Note(String);

impl Note {
    /// Longest note, characters.
    pub const MAX_LEN: usize = 512;

    /// A note, when `text` has the form of one.
    pub fn parse(text: &str) -> Option<Note> {
        let ok =
            !text.trim().is_empty() && text.chars().count() <= Self::MAX_LEN && !text.chars().any(char::is_control);
        ok.then(|| Note(text.to_string()))
    }

    /// The text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for Note {
    type Error = String;

    fn try_from(text: String) -> Result<Self, String> {
        Note::parse(&text).ok_or_else(|| "a note is 1 to 512 characters without control characters".to_string())
    }
}

impl From<Note> for String {
    fn from(n: Note) -> String {
        n.0
    }
}

/// Why goods are written off.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum WriteOffReason {
    /// Destroyed (scrapped, burnt, broken beyond use).
    Destroyed,
    /// Used up in making other goods, which are not traced as this batch.
    ConsumedInProduction,
    /// Lost or stolen.
    Lost,
}

impl WriteOffReason {
    /// Every reason.
    pub const ALL: [WriteOffReason; 3] =
        [WriteOffReason::Destroyed, WriteOffReason::ConsumedInProduction, WriteOffReason::Lost];

    /// The stable code on the wire.
    pub fn code(self) -> &'static str {
        match self {
            WriteOffReason::Destroyed => "destroyed",
            WriteOffReason::ConsumedInProduction => "consumed_in_production",
            WriteOffReason::Lost => "lost",
        }
    }

    /// The reason with this code.
    pub fn from_code(code: &str) -> Option<WriteOffReason> {
        WriteOffReason::ALL.into_iter().find(|r| r.code() == code)
    }
}

/// What the holder does with the goods.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Operation {
    /// Sold to another trader, who holds them from now on. The document is the invoice.
    Sale {
        /// The buyer.
        buyer: TraderId,
    },
    /// A sale taken back: the buyer of an earlier sale (the holder) gives the goods back to
    /// its seller. The document is the return's own (a credit note).
    Return {
        /// The seller the goods go back to.
        seller: TraderId,
        /// The document of the sale taken back.
        sale_document: DocumentRef,
    },
    /// Exported: the goods leave the territory and the batch's circulation. The document is
    /// the export declaration's number.
    Export,
    /// Written off: the goods no longer exist as such. The document is the act of write-off.
    WriteOff {
        /// Why.
        reason: WriteOffReason,
        /// What happened, in the holder's words.
        note: Note,
    },
}

impl Operation {
    /// The stable code of the operation: `sale`, `return`, `export`, `write_off`.
    pub fn code(&self) -> &'static str {
        match self {
            Operation::Sale { .. } => "sale",
            Operation::Return { .. } => "return",
            Operation::Export => "export",
            Operation::WriteOff { .. } => "write_off",
        }
    }

    /// The trader who holds the goods after the operation; `None` when they leave circulation.
    pub fn receiver(&self) -> Option<&TraderId> {
        match self {
            Operation::Sale { buyer } => Some(buyer),
            Operation::Return { seller, .. } => Some(seller),
            Operation::Export | Operation::WriteOff { .. } => None,
        }
    }
}

/// One quantity of one batch moved by its holder.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Transfer {
    /// The batch.
    pub batch: BatchNumber,
    /// The trader reporting, who must hold the quantity.
    pub holder: TraderId,
    /// What is done.
    pub operation: Operation,
    /// How much, in the batch's unit.
    pub quantity: Quantity,
    /// The document the operation is made under.
    pub document: DocumentRef,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_document_reference_is_short_and_clean() {
        assert!(DocumentRef::parse("INV-2026-0042").is_some());
        assert!(DocumentRef::parse("10005000/260309/0000042").is_some());
        assert!(DocumentRef::parse(&"X".repeat(35)).is_some());
        for bad in ["", "   ", " INV-1", "INV-1 ", "INV\n1", &"X".repeat(36)] {
            assert!(DocumentRef::parse(bad).is_none(), "{bad:?}");
        }
    }

    #[test]
    fn a_note_is_free_text_without_control_characters() {
        assert!(Note::parse("Crushed in the warehouse fire of 3 May").is_some());
        assert!(Note::parse(&"é".repeat(512)).is_some());
        for bad in ["", " ", "line\nbreak", &"x".repeat(513)] {
            assert!(Note::parse(bad).is_none(), "{bad:?}");
        }
    }

    #[test]
    fn operations_and_reasons_have_stable_codes() -> Result<(), serde_json::Error> {
        for r in WriteOffReason::ALL {
            assert_eq!(serde_json::to_string(&r)?, format!("\"{}\"", r.code()));
            assert_eq!(WriteOffReason::from_code(r.code()), Some(r));
        }
        let sale = Operation::Sale { buyer: TraderId::new("DE2").unwrap_or_else(|e| panic!("{e}")) };
        assert_eq!(serde_json::to_string(&sale)?, r#"{"kind":"sale","buyer":"DE2"}"#);
        assert_eq!(serde_json::to_string(&Operation::Export)?, r#"{"kind":"export"}"#);
        assert_eq!(Operation::Export.receiver(), None);
        Ok(())
    }
}
