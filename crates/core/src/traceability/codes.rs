//! The catalogue of `TRC_` codes: why a trader's report is refused, why a traced item cannot
//! open its batch, why a transfer is refused, and what a replay of a batch's history found.
//! Written once in the table below, which generates both the `Code` enum and the list
//! [`codes`] returns, as the transit and seal catalogues are. Codes are never reused.

use std::fmt::Display;

use crate::flc::{Finding, RuleInfo};

/// Generates `Code`, `Code::code` and the `CODES` table from one list.
macro_rules! catalogue {
    ($($variant:ident = $code:literal, $name:literal, $description:literal;)+) => {
        /// A `TRC_` code. Every finding, refusal and replay error names exactly one.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum Code {
            $(
                #[doc = $name]
                $variant,
            )+
        }

        impl Code {
            /// The stable code.
            pub fn code(self) -> &'static str {
                match self {
                    $(Code::$variant => $code,)+
                }
            }
        }

        /// Every code, in code order.
        static CODES: &[RuleInfo] = &[
            $(RuleInfo { code: $code, name: $name, description: $description },)+
        ];
    };
}

catalogue! {
    // A trader's report, refused whole (HTTP 422).
    Malformed = "TRC_001", "Report malformed",
        "The body is not JSON, not an object, has a field this report does not know, or a field has the wrong type; the path of the first such field is given.";
    FieldMissing = "TRC_002", "Field missing",
        "A required field is absent: kind, document and lines on every report; buyer on a sale; seller and sale_document on a return; reason and note on a write-off; batch, quantity and unit on every line.";
    KindUnknown = "TRC_003", "Kind unknown",
        "kind is not one of sale, return, export, write_off.";
    FieldNotForKind = "TRC_004", "Field not for this kind",
        "A field belongs to another kind of report (buyer outside a sale, seller or sale_document outside a return, reason or note outside a write-off).";
    TraderIdFormat = "TRC_005", "Trader id malformed",
        "The buyer or the seller is not a trader id: 1 to 64 characters, not blank, without control characters.";
    DocumentFormat = "TRC_006", "Document reference malformed",
        "A document reference is not 1 to 35 characters, is blank, starts or ends with a space, or holds control characters.";
    BatchNumberFormat = "TRC_007", "Batch number malformed",
        "A batch number is not a registration number followed by '/' and a three-digit item number from 001 to 999.";
    UnitUnknown = "TRC_008", "Unit unknown",
        "A unit is not one of the units goods are traced in (NAR, NPR, NMP, KGM, LTR, MTK, or an alias such as H87, PCE, C62, PR).";
    QuantityNotPositive = "TRC_009", "Quantity not positive",
        "A quantity is zero or negative.";
    QuantityTooFine = "TRC_010", "Quantity finer than its unit",
        "A quantity has more decimals than its unit allows: none for pieces, pairs and packs, 2 for square metres, 3 for kilograms and litres.";
    QuantityTooLarge = "TRC_011", "Quantity too large",
        "A quantity is above 10^12 units.";
    ReasonUnknown = "TRC_012", "Write-off reason unknown",
        "reason is not one of destroyed, consumed_in_production, lost.";
    NoteInvalid = "TRC_013", "Note blank, too long or with control characters",
        "The note of a write-off is blank, longer than 512 characters, or holds control characters.";
    NoLines = "TRC_014", "No lines",
        "The list of lines is empty.";
    TooManyLines = "TRC_015", "Too many lines",
        "More than 999 lines.";
    BatchRepeated = "TRC_016", "Batch listed twice",
        "The same batch is named by more than one line of the report.";

    // A traced goods item at release (checked again at filing, so that release never meets it).
    UnitNotTraced = "TRC_020", "Traced goods declared in another unit",
        "A goods item subject to traceability is declared in a unit other than the one its goods are traced in.";
    DeclaredQuantityUnusable = "TRC_021", "Declared quantity unusable",
        "The declared quantity of a traced item is zero or negative, finer than its unit, or above 10^12.";
    ImporterIdUnusable = "TRC_022", "Importer id unusable",
        "The importer's id is not a trader id, so the batch has no first holder.";

    // A transfer refused against the batch's state (HTTP 409 for the whole report).
    BatchUnknown = "TRC_030", "Batch unknown",
        "No batch has this number, or the state given is another batch's.";
    BatchClosed = "TRC_031", "Batch closed",
        "All of the batch was exported or written off; it takes no more transfers.";
    NotHolder = "TRC_032", "Not a holder",
        "The trader reporting holds none of the batch.";
    InsufficientBalance = "TRC_033", "Insufficient balance",
        "The quantity is more than the trader holds of the batch; the message gives both.";
    UnitMismatch = "TRC_034", "Unit mismatch",
        "The unit of the line is not the unit the batch is traced in.";
    ToOneself = "TRC_035", "Transfer to oneself",
        "The buyer of a sale, or the seller a return goes back to, is the trader reporting.";
    SaleNotFound = "TRC_036", "Sale not found",
        "A return names no sale of this batch from that seller to the trader reporting under that sale document.";
    ReturnExceedsSale = "TRC_037", "Return exceeds the sale",
        "A return is more than what the sale delivered less what was returned of it already.";
    BeforeRelease = "TRC_038", "Before release",
        "The time of the transfer is before the release of the goods.";
    BeforeLastMovement = "TRC_039", "Before the last movement",
        "The time of the transfer is before the batch's last recorded movement; history only grows forward.";

    // Replaying a stored history (consistency checks of the store).
    ReplayRefused = "TRC_050", "Movement refused on replay",
        "A stored movement is refused when the history is replayed from the release; the refusal's own code is given.";
    ReplayNumbering = "TRC_051", "Movement out of sequence",
        "Stored movements are not numbered 1, 2, 3 … in order.";
    ReplayBalances = "TRC_052", "Recorded balances differ",
        "A stored movement's balances after the transfer differ from the ones the replay computes.";
    SnapshotInconsistent = "TRC_053", "Stored state inconsistent",
        "A stored state of a batch is not one transfers could have left: a holder listed twice or holding zero or less, a negative total, the quantity released not conserved, a sale that returned more than it sold, or a last movement before the release.";
}

/// Every `TRC_` code, in code order.
pub fn codes() -> &'static [RuleInfo] {
    CODES
}

/// Collects findings while a report or a declaration is checked, so that every problem is
/// reported at once.
#[derive(Debug, Default)]
pub(crate) struct Findings(Vec<Finding>);

impl Findings {
    /// Records a problem under `code` at `path`, with the values its message is made from.
    pub(crate) fn push(
        &mut self,
        code: Code,
        path: impl Display,
        message: impl Into<String>,
        args: &[(&'static str, &dyn Display)],
    ) {
        self.0.push(finding(code, path, message, args));
    }

    /// Records a missing field and returns `None`, or returns the value.
    pub(crate) fn required<'a, T: ?Sized>(&mut self, path: impl Display, value: Option<&'a T>) -> Option<&'a T> {
        if value.is_none() {
            let path = path.to_string();
            let name = path.rsplit('.').next().unwrap_or_default().to_string();
            self.push(Code::FieldMissing, &path, format!("The field {name} is missing ({path})."), &[("path", &path)]);
        }
        value
    }

    /// True when nothing was found.
    pub(crate) fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The findings, in the order the checks ran.
    pub(crate) fn into_vec(self) -> Vec<Finding> {
        self.0
    }
}

/// One finding under `code`.
pub(crate) fn finding(
    code: Code,
    path: impl Display,
    message: impl Into<String>,
    args: &[(&'static str, &dyn Display)],
) -> Finding {
    Finding {
        code: code.code().to_string(),
        path: path.to_string(),
        message: message.into(),
        args: args.iter().map(|(name, value)| ((*name).to_string(), value.to_string())).collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_unique_ordered_and_well_formed() {
        let all = codes();
        assert!(all.windows(2).all(|w| w[0].code < w[1].code));
        assert!(all.iter().all(|c| c.code.len() == 7 && c.code.starts_with("TRC_0")));
        assert!(all.iter().all(|c| !c.name.is_empty() && c.description.ends_with('.')), "a name and a sentence");
        assert_eq!(Code::BatchUnknown.code(), "TRC_030");
        assert_eq!(Code::SnapshotInconsistent.code(), all[all.len() - 1].code);
    }

    #[test]
    fn the_traceability_document_lists_every_code_and_no_other() -> Result<(), std::io::Error> {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/traceability.md");
        let doc = std::fs::read_to_string(path)?;
        let listed: std::collections::BTreeSet<&str> =
            doc.lines().filter_map(|l| l.strip_prefix("| TRC_")).filter_map(|rest| rest.get(..3)).collect();
        let known: std::collections::BTreeSet<&str> =
            codes().iter().filter_map(|c| c.code.strip_prefix("TRC_")).collect();
        assert_eq!(listed, known);
        Ok(())
    }

    #[test]
    fn a_missing_field_is_named_with_its_path() {
        let mut f = Findings::default();
        assert_eq!(f.required::<str>("$.lines[2].unit", None), None);
        let found = f.into_vec();
        assert_eq!(found[0].code, "TRC_002");
        assert_eq!(found[0].message, "The field unit is missing ($.lines[2].unit).");
    }
}
