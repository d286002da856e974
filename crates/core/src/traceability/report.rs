//! A trader's report of what they did with traced goods: the wire form ([`ReportDoc`]), its
//! checked form ([`Report`]) and [`parse`], which refuses a report whole with every problem at
//! once, each with its `TRC_` code and JSON path.
//!
//! One report is one operation under one document (an invoice, an export declaration, an act
//! of write-off) over one or more batches, as an invoice lists several goods. Unknown fields
//! are refused: a trader's misspelt `buyer_id` must not turn a sale into a malformed one that
//! looks complete. The reporting trader is not in the body: it is the authenticated caller.

use std::collections::BTreeSet;

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::flc::{shown, Finding};
use crate::ids::TraderId;

use super::batch::{quantity_problem, BatchNumber};
use super::codes::{Code, Findings};
use super::goods::{Quantity, QuantityError, Unit};
use super::transfer::{DocumentRef, Note, Operation, Transfer, WriteOffReason};

/// The most lines one report may carry, as many as a declaration has items.
pub const MAX_LINES: usize = 999;

/// A report as the trader sends it. Every field is optional here so that each missing one is
/// named with its path.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReportDoc {
    /// `sale`, `return`, `export` or `write_off`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
    /// The document the operation is made under: the invoice, the return's credit note, the
    /// export declaration's number, the act of write-off.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub document: Option<String>,
    /// A sale's buyer (trader id).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub buyer: Option<String>,
    /// A return's seller, to whom the goods go back (trader id).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub seller: Option<String>,
    /// A return's sale document: the invoice of the sale taken back.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sale_document: Option<String>,
    /// A write-off's reason: `destroyed`, `consumed_in_production` or `lost`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// A write-off's note: what happened.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    /// The batches and quantities.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lines: Option<Vec<LineDoc>>,
}

/// One line of a report as sent.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LineDoc {
    /// The batch number.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub batch: Option<String>,
    /// The quantity, a decimal number (JSON number or string).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<String>, example = "12")]
    pub quantity: Option<Decimal>,
    /// The unit the trader means (UN/ECE Rec. 20 code), checked against the batch's.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unit: Option<String>,
}

/// A checked report.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct Report {
    /// The trader reporting.
    pub holder: TraderId,
    /// What is done.
    pub operation: Operation,
    /// The document it is done under.
    pub document: DocumentRef,
    /// The batches and quantities, each batch once, in the order sent.
    pub lines: Vec<Line>,
}

/// One checked line.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct Line {
    /// The batch.
    pub batch: BatchNumber,
    /// The quantity, in the unit the trader named.
    pub quantity: Quantity,
}

impl Report {
    /// The transfers the report makes, one per line, in line order.
    pub fn transfers(&self) -> impl Iterator<Item = Transfer> + '_ {
        self.lines.iter().map(|line| Transfer {
            batch: line.batch.clone(),
            holder: self.holder.clone(),
            operation: self.operation.clone(),
            quantity: line.quantity,
            document: self.document.clone(),
        })
    }

    /// The wire form of the report.
    pub fn to_doc(&self) -> ReportDoc {
        let mut doc = ReportDoc {
            kind: Some(self.operation.code().to_string()),
            document: Some(self.document.to_string()),
            lines: Some(
                self.lines
                    .iter()
                    .map(|l| LineDoc {
                        batch: Some(l.batch.to_string()),
                        quantity: Some(l.quantity.amount()),
                        unit: Some(l.quantity.unit().code().to_string()),
                    })
                    .collect(),
            ),
            ..ReportDoc::default()
        };
        match &self.operation {
            Operation::Sale { buyer } => doc.buyer = Some(buyer.to_string()),
            Operation::Return { seller, sale_document } => {
                doc.seller = Some(seller.to_string());
                doc.sale_document = Some(sale_document.to_string());
            }
            Operation::Export => {}
            Operation::WriteOff { reason, note } => {
                doc.reason = Some(reason.code().to_string());
                doc.note = Some(note.as_str().to_string());
            }
        }
        doc
    }
}

/// Reads and checks a report sent by `holder`: the checked report, or every problem found.
///
/// # Errors
///
/// `TRC_001` alone when the body is not a JSON object of the right fields and types (naming
/// the first offending value); otherwise every problem of `TRC_002` … `TRC_016`.
pub fn parse(body: &[u8], holder: &TraderId) -> Result<Report, Vec<Finding>> {
    let malformed = |path: String, message: String| {
        let mut f = Findings::default();
        f.push(Code::Malformed, path, message, &[]);
        f.into_vec()
    };
    // Serde would also read a struct from a JSON list of its fields in order; a report is an
    // object, so a list is refused here rather than read by position.
    if body.trim_ascii_start().first() != Some(&b'{') {
        return Err(malformed("$".into(), "The report is not a JSON object.".into()));
    }
    let de = &mut serde_json::Deserializer::from_slice(body);
    let doc: ReportDoc = serde_path_to_error::deserialize(&mut *de).map_err(|e| {
        // The path is `.` or `?` when the error is about the body as a whole.
        let path = match e.path().to_string().as_str() {
            "." | "?" => "$".to_string(),
            p => format!("$.{p}").replace("$..", "$."),
        };
        malformed(path, e.into_inner().to_string())
    })?;
    de.end().map_err(|e| malformed("$".into(), e.to_string()))?;
    doc.check(holder)
}

/// The fields that belong to one kind of report only.
const KIND_FIELDS: [(&str, &str); 5] = [
    ("buyer", "sale"),
    ("seller", "return"),
    ("sale_document", "return"),
    ("reason", "write_off"),
    ("note", "write_off"),
];

impl ReportDoc {
    /// Checks every field of a report sent by `holder`; the checked report, or every problem.
    ///
    /// # Errors
    ///
    /// Every problem of `TRC_002` … `TRC_016`, never an empty list.
    pub fn check(&self, holder: &TraderId) -> Result<Report, Vec<Finding>> {
        let mut f = Findings::default();
        let kind = f.required("$.kind", self.kind.as_deref()).and_then(|k| {
            let known = ["sale", "return", "export", "write_off"].contains(&k);
            if !known {
                f.push(
                    Code::KindUnknown,
                    "$.kind",
                    format!("The kind {} is not one of sale, return, export, write_off.", shown(k)),
                    &[("value", &shown(k))],
                );
            }
            known.then_some(k)
        });
        let document =
            f.required("$.document", self.document.as_deref()).and_then(|d| document(&mut f, "$.document", d));
        let operation = kind.and_then(|kind| self.operation(&mut f, kind));
        let lines = self.lines(&mut f);
        match (operation, document, lines) {
            (Some(operation), Some(document), Some(lines)) if f.is_empty() => {
                Ok(Report { holder: holder.clone(), operation, document, lines })
            }
            // Every `None` above pushed a finding; this keeps `Err` non-empty should one not.
            _ if f.is_empty() => {
                f.push(Code::FieldMissing, "$", "The report is incomplete.", &[]);
                Err(f.into_vec())
            }
            _ => Err(f.into_vec()),
        }
    }

    fn field(&self, name: &str) -> Option<&str> {
        match name {
            "buyer" => self.buyer.as_deref(),
            "seller" => self.seller.as_deref(),
            "sale_document" => self.sale_document.as_deref(),
            "reason" => self.reason.as_deref(),
            "note" => self.note.as_deref(),
            _ => None,
        }
    }

    /// The operation of a report of a known `kind`, checking the fields that go with it.
    fn operation(&self, f: &mut Findings, kind: &str) -> Option<Operation> {
        for (name, owner) in KIND_FIELDS {
            if owner != kind && self.field(name).is_some() {
                f.push(
                    Code::FieldNotForKind,
                    format!("$.{name}"),
                    format!("The field {name} belongs to a {owner} report, not to a {kind}."),
                    &[("field", &name), ("kind", &kind)],
                );
            }
        }
        match kind {
            "sale" => {
                let buyer = f.required("$.buyer", self.buyer.as_deref()).and_then(|b| trader(f, "$.buyer", b));
                Some(Operation::Sale { buyer: buyer? })
            }
            "return" => {
                let seller = f.required("$.seller", self.seller.as_deref()).and_then(|s| trader(f, "$.seller", s));
                let sale_document = f
                    .required("$.sale_document", self.sale_document.as_deref())
                    .and_then(|d| document(f, "$.sale_document", d));
                Some(Operation::Return { seller: seller?, sale_document: sale_document? })
            }
            "export" => Some(Operation::Export),
            _ => {
                let reason = f.required("$.reason", self.reason.as_deref()).and_then(|r| {
                    let reason = WriteOffReason::from_code(r);
                    if reason.is_none() {
                        f.push(
                            Code::ReasonUnknown,
                            "$.reason",
                            format!("The reason {} is not one of destroyed, consumed_in_production, lost.", shown(r)),
                            &[("value", &shown(r))],
                        );
                    }
                    reason
                });
                let note = f.required("$.note", self.note.as_deref()).and_then(|n| {
                    let note = Note::parse(n);
                    if note.is_none() {
                        f.push(
                            Code::NoteInvalid,
                            "$.note",
                            format!(
                                "The note is blank, longer than {} characters, or holds control characters: {}.",
                                Note::MAX_LEN,
                                shown(n)
                            ),
                            &[("value", &shown(n))],
                        );
                    }
                    note
                });
                Some(Operation::WriteOff { reason: reason?, note: note? })
            }
        }
    }

    /// The checked lines, each batch once.
    fn lines(&self, f: &mut Findings) -> Option<Vec<Line>> {
        let docs = f.required("$.lines", self.lines.as_deref())?;
        if docs.is_empty() {
            f.push(Code::NoLines, "$.lines", "The report has no lines; name at least one batch.", &[]);
            return None;
        }
        if docs.len() > MAX_LINES {
            f.push(
                Code::TooManyLines,
                "$.lines",
                format!("The report has {} lines; at most {MAX_LINES} are taken, so split it.", docs.len()),
                &[("count", &docs.len()), ("limit", &MAX_LINES)],
            );
        }
        let mut seen = BTreeSet::new();
        let mut lines = Vec::with_capacity(docs.len().min(MAX_LINES));
        let mut complete = true;
        for (i, doc) in docs.iter().enumerate().take(MAX_LINES) {
            match line(f, i, doc, &mut seen) {
                Some(l) => lines.push(l),
                None => complete = false,
            }
        }
        complete.then_some(lines)
    }
}

fn line(f: &mut Findings, i: usize, doc: &LineDoc, seen: &mut BTreeSet<BatchNumber>) -> Option<Line> {
    let batch = f.required(format!("$.lines[{i}].batch"), doc.batch.as_deref()).and_then(|b| {
        let Ok(batch) = BatchNumber::parse(b) else {
            f.push(
                Code::BatchNumberFormat,
                format!("$.lines[{i}].batch"),
                format!(
                    "The batch number {} is not a registration number followed by '/' and an item number 001 to 999.",
                    shown(b)
                ),
                &[("value", &shown(b))],
            );
            return None;
        };
        if !seen.insert(batch.clone()) {
            f.push(
                Code::BatchRepeated,
                format!("$.lines[{i}].batch"),
                format!("The batch {batch} is named by an earlier line already; give its whole quantity in one line."),
                &[("batch", &batch)],
            );
            return None;
        }
        Some(batch)
    });
    let unit = f.required(format!("$.lines[{i}].unit"), doc.unit.as_deref()).and_then(|u| {
        let unit = Unit::from_code(u);
        if unit.is_none() {
            f.push(
                Code::UnitUnknown,
                format!("$.lines[{i}].unit"),
                format!("The unit {} is not one goods are traced in (NAR, NPR, NMP, KGM, LTR, MTK).", shown(u)),
                &[("value", &shown(u))],
            );
        }
        unit
    });
    let amount = f.required(format!("$.lines[{i}].quantity"), doc.quantity.as_ref());
    let quantity = match (amount, unit) {
        (Some(amount), Some(unit)) => match Quantity::new(*amount, unit) {
            Ok(q) => Some(q),
            Err(e) => {
                let code = match e {
                    QuantityError::NotPositive(_) => Code::QuantityNotPositive,
                    QuantityError::TooFine { .. } => Code::QuantityTooFine,
                    QuantityError::TooLarge(_) => Code::QuantityTooLarge,
                };
                f.push(
                    code,
                    format!("$.lines[{i}].quantity"),
                    format!("The quantity {}.", quantity_problem(&e)),
                    &[("quantity", amount), ("unit", &unit.code())],
                );
                None
            }
        },
        _ => None,
    };
    Some(Line { batch: batch?, quantity: quantity? })
}

fn trader(f: &mut Findings, path: &str, id: &str) -> Option<TraderId> {
    let trader = TraderId::new(id).ok();
    if trader.is_none() {
        f.push(
            Code::TraderIdFormat,
            path,
            format!(
                "The trader id {} is not 1 to {} characters without control characters.",
                shown(id),
                TraderId::MAX_LEN
            ),
            &[("value", &shown(id))],
        );
    }
    trader
}

fn document(f: &mut Findings, path: &str, text: &str) -> Option<DocumentRef> {
    let document = DocumentRef::parse(text);
    if document.is_none() {
        f.push(
            Code::DocumentFormat,
            path,
            format!(
                "The document reference {} is not 1 to {} characters without control characters or spaces at its ends.",
                shown(text),
                DocumentRef::MAX_LEN
            ),
            &[("value", &shown(text))],
        );
    }
    document
}

#[cfg(test)]
#[path = "report_tests.rs"]
mod tests;
