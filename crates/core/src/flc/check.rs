//! The entry point: runs every group of rules over a `DeclarationDoc` and builds the checked
//! `Declaration` when nothing was found.

use crate::declaration::{Declaration, DeclarationDoc};

use super::finding::{Context, Finding, Findings};
use super::header::{self, Header};
use super::items::{self, ItemParts};
use super::rules::Rule;
use super::{arithmetic, dates, logic};

/// Checks a declaration; returns the checked declaration or all findings.
///
/// Every rule runs, so the declarant sees every violation at once rather than one per
/// attempt. Findings come in document order: header fields, then dates, then items, then the
/// rules that span several fields.
///
/// # Errors
///
/// Returns every finding, never an empty list, when any rule of `rules()` is violated.
pub fn check(doc: &DeclarationDoc, ctx: &Context) -> Result<Declaration, Vec<Finding>> {
    let mut f = Findings::default();
    let header = header::check_header(doc, ctx, &mut f);
    dates::check_dates(&header, ctx, &mut f);
    let items = items::check_items(doc.items.as_deref(), &header, &mut f);
    let all_items = items.as_deref().unwrap_or_default();
    logic::check(&header, all_items, &mut f);
    arithmetic::check_totals(&mut f, &header, all_items);

    if !f.is_empty() {
        return Err(f.into_vec());
    }
    build(&header, all_items).ok_or_else(|| {
        // Unreachable by construction: every part is `None` only after a finding was pushed.
        // The property test in `tests/flc.rs` holds that; this keeps the promise that `Err`
        // is never empty should a future rule break it.
        vec![Finding {
            code: Rule::HeaderFieldMissing.code().to_string(),
            path: "$".to_string(),
            message: "The declaration is incomplete.".to_string(),
            args: Default::default(),
        }]
    })
}

/// Assembles the domain type from parts that all passed.
fn build(h: &Header, items: &[ItemParts]) -> Option<Declaration> {
    Some(Declaration {
        kind: h.kind?,
        procedure_code: h.procedure_code.clone()?,
        office: h.office.clone()?,
        declarant: h.declarant.as_ref()?.finish()?,
        importer: h.importer.as_ref()?.finish()?,
        exporter: h.exporter.as_ref()?.finish()?,
        representative: match &h.representative {
            None => None,
            Some(parts) => Some(parts.finish()?),
        },
        transport: h.transport.clone()?,
        location_of_goods: h.location_of_goods.clone()?,
        currency: h.currency?,
        invoice_total: h.invoice_total?,
        incoterm: h.incoterm.clone()?,
        declaration_date: h.declaration_date?,
        items: items.iter().map(ItemParts::finish).collect::<Option<Vec<_>>>()?,
    })
}
