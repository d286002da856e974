//! Checks of the declaration-level fields: type, procedure, office, transport,
//! location of goods, invoice and delivery terms (parties are in `party`).
//!
//! Each field is parsed on its own into an `Option`: `Some` only when the field passed every
//! check of its own. Cross-field rules then run only on values that are known to be good, so
//! one mistake yields one finding instead of a cascade.

use chrono::NaiveDate;
use rust_decimal::Decimal;

use crate::codes::{
    find_code, is_previous_procedure, CurrencyCode, TransportMode, EXPORT_PROCEDURES, IMPORT_PROCEDURES, INCOTERMS_2020,
};
use crate::declaration::{DeclarationDoc, DeclarationType, Transport, TransportDoc};
use crate::ids::OfficeCode;

use super::arithmetic;
use super::finding::{shown, Context, Findings};
use super::party::{self, country, PartyParts};
use super::rules::Rule;
use super::text::{self, limit, required, required_text};

/// The declaration-level fields as far as they could be parsed.
#[derive(Debug, Default)]
pub(crate) struct Header {
    pub(crate) kind: Option<DeclarationType>,
    pub(crate) procedure_code: Option<String>,
    pub(crate) office: Option<OfficeCode>,
    pub(crate) declarant: Option<PartyParts>,
    pub(crate) importer: Option<PartyParts>,
    pub(crate) exporter: Option<PartyParts>,
    /// `None` when no representative is named; `Some` holds what could be parsed.
    pub(crate) representative: Option<PartyParts>,
    pub(crate) transport_mode: Option<TransportMode>,
    pub(crate) transport: Option<Transport>,
    pub(crate) location_of_goods: Option<String>,
    pub(crate) currency: Option<CurrencyCode>,
    pub(crate) invoice_total: Option<Decimal>,
    pub(crate) invoice_date: Option<NaiveDate>,
    pub(crate) incoterm: Option<String>,
    pub(crate) declaration_date: Option<NaiveDate>,
}

/// Checks every declaration-level field of `doc`.
pub(crate) fn check_header(doc: &DeclarationDoc, ctx: &Context, f: &mut Findings) -> Header {
    let mut h = Header {
        kind: declaration_type(doc, f),
        procedure_code: procedure_code(doc, f),
        office: office(doc, ctx, f),
        declarant: party::party(f, "$.declarant", "declarant", doc.declarant.as_ref(), true),
        importer: party::party(f, "$.importer", "importer", doc.importer.as_ref(), true),
        exporter: party::party(f, "$.exporter", "exporter", doc.exporter.as_ref(), true),
        representative: party::party(f, "$.representative", "representative", doc.representative.as_ref(), false),
        ..Header::default()
    };
    if let Some(t) =
        required(f, "$.transport", doc.transport.as_ref(), Rule::HeaderFieldMissing, "The transport at the border")
    {
        (h.transport_mode, h.transport) = transport(t, f);
    }
    h.location_of_goods = location_of_goods(doc, f);
    invoice(doc, &mut h, f);
    h.incoterm = delivery_terms(doc, f);
    h.declaration_date = required(
        f,
        "$.declaration_date",
        doc.declaration_date.as_ref(),
        Rule::HeaderFieldMissing,
        "The declaration date",
    )
    .copied();
    h
}

fn declaration_type(doc: &DeclarationDoc, f: &mut Findings) -> Option<DeclarationType> {
    let path = "$.declaration_type";
    let code = required(f, path, doc.declaration_type.as_deref(), Rule::HeaderFieldMissing, "The declaration type")?;
    match code {
        "IM" => Some(DeclarationType::Import),
        "EX" => Some(DeclarationType::Export),
        _ => {
            f.push(
                Rule::DeclarationTypeUnknown,
                path,
                format!("The declaration type {} is unknown; use IM for import or EX for export.", shown(code)),
                &[("value", &shown(code))],
            );
            None
        }
    }
}

fn procedure_code(doc: &DeclarationDoc, f: &mut Findings) -> Option<String> {
    let path = "$.procedure_code";
    let code = required(f, path, doc.procedure_code.as_deref(), Rule::HeaderFieldMissing, "The procedure code")?;
    if !text::is_procedure_code(code) {
        f.push(
            Rule::ProcedureCodeFormat,
            path,
            format!("The procedure code {} is not four digits (e.g. 4000).", shown(code)),
            &[("value", &shown(code))],
        );
        return None;
    }
    // Both halves are ASCII digits now, so slicing at 2 is on a character boundary.
    let (requested, previous) = code.split_at(2);
    let known_requested =
        find_code(IMPORT_PROCEDURES, requested).is_some() || find_code(EXPORT_PROCEDURES, requested).is_some();
    if !known_requested {
        f.push(
            Rule::ProcedureUnknown,
            path,
            format!("The requested procedure {requested} in procedure code {code} is not a known customs procedure."),
            &[("part", &"requested"), ("procedure", &requested), ("code", &code)],
        );
    }
    if !is_previous_procedure(previous) {
        f.push(
            Rule::ProcedureUnknown,
            path,
            format!("The previous procedure {previous} in procedure code {code} is neither 00 nor a known customs procedure."),
            &[("part", &"previous"), ("procedure", &previous), ("code", &code)],
        );
    }
    (known_requested && is_previous_procedure(previous)).then(|| code.to_string())
}

fn office(doc: &DeclarationDoc, ctx: &Context, f: &mut Findings) -> Option<OfficeCode> {
    let path = "$.office";
    let code = required(f, path, doc.office.as_deref(), Rule::HeaderFieldMissing, "The customs office")?;
    let Ok(office) = OfficeCode::parse(code) else {
        f.push(
            Rule::OfficeCodeFormat,
            path,
            format!("The office code {} is not eight upper-case letters or digits (e.g. DE005000).", shown(code)),
            &[("value", &shown(code))],
        );
        return None;
    };
    if !ctx.offices.is_empty() && !ctx.offices.contains(&office) {
        f.push(
            Rule::OfficeUnknown,
            path,
            format!("The office {code} is not a customs office of this administration."),
            &[("office", &code)],
        );
        return None;
    }
    Some(office)
}

fn transport(t: &TransportDoc, f: &mut Findings) -> (Option<TransportMode>, Option<Transport>) {
    let mode = required(f, "$.transport.mode", t.mode.as_deref(), Rule::TransportFieldMissing, "The transport mode")
        .and_then(|m| {
            let parsed = TransportMode::parse(m);
            if parsed.is_none() {
                f.push(
                    Rule::TransportModeUnknown,
                    "$.transport.mode",
                    format!("The transport mode {} is not one of 1, 2, 3, 4, 5, 7, 8, 9.", shown(m)),
                    &[("value", &shown(m))],
                );
            }
            parsed
        });

    let path = "$.transport.means_id";
    let mut means_id = required_text(
        f,
        path,
        "The identity of the means of transport",
        t.means_id.as_ref(),
        limit::REFERENCE,
        Rule::TransportFieldMissing,
    );
    if let (Some(TransportMode::Sea), Some(id)) = (mode, means_id.as_deref()) {
        if !text::is_imo_number(id) {
            f.push(
                Rule::VesselImoInvalid,
                path,
                format!("By sea the means of transport is the vessel's IMO number (e.g. IMO9811000); {} is not a valid one.", shown(id)),
                &[("value", &shown(id))],
            );
            means_id = None;
        }
    }

    // Nationality is optional; `Some(None)` means absent, `None` means present but unknown.
    let nationality = match t.nationality.as_deref() {
        None => Some(None),
        Some(c) => {
            country(f, "$.transport.nationality", "The nationality of the means of transport", c, Rule::CountryUnknown)
                .map(Some)
        }
    };

    let transport = match (mode, means_id, nationality) {
        (Some(mode), Some(means_id), Some(nationality)) => Some(Transport { mode, means_id, nationality }),
        _ => None,
    };
    (mode, transport)
}

fn location_of_goods(doc: &DeclarationDoc, f: &mut Findings) -> Option<String> {
    let path = "$.location_of_goods";
    let id = required(f, path, doc.location_of_goods.as_deref(), Rule::HeaderFieldMissing, "The location of goods")?;
    if !text::is_location_of_goods(id) {
        f.push(
            Rule::LocationOfGoodsFormat,
            path,
            format!(
                "The location of goods {} is not an identifier of 4 to 35 upper-case letters, digits, '-', '/' or '.' (e.g. DEHAMCTA).",
                shown(id)
            ),
            &[("value", &shown(id))],
        );
        return None;
    }
    Some(id.to_string())
}

fn invoice(doc: &DeclarationDoc, h: &mut Header, f: &mut Findings) {
    let Some(inv) = required(f, "$.invoice", doc.invoice.as_ref(), Rule::HeaderFieldMissing, "The invoice") else {
        return;
    };
    if let Some(c) =
        required(f, "$.invoice.currency", inv.currency.as_deref(), Rule::InvoiceFieldMissing, "The invoice currency")
    {
        h.currency = CurrencyCode::parse(c);
        if h.currency.is_none() {
            let hint = if c == "RMB" { " (the Chinese yuan is CNY)" } else { "" };
            f.push(
                Rule::CurrencyUnknown,
                "$.invoice.currency",
                format!("The invoice currency {} is not an active ISO 4217 code{hint}.", shown(c)),
                &[("value", &shown(c)), ("suggested", &if c == "RMB" { "CNY" } else { "" })],
            );
        }
    }
    if let Some(total) =
        required(f, "$.invoice.total", inv.total.as_ref(), Rule::InvoiceFieldMissing, "The invoice total")
    {
        h.invoice_total =
            arithmetic::amount(f, "$.invoice.total", "The invoice total", *total, h.currency).then_some(*total);
    }
    text::optional_text(f, "$.invoice.number", "The invoice number", inv.number.as_ref(), limit::REFERENCE);
    h.invoice_date = inv.date;
}

fn delivery_terms(doc: &DeclarationDoc, f: &mut Findings) -> Option<String> {
    let terms = required(
        f,
        "$.delivery_terms",
        doc.delivery_terms.as_ref(),
        Rule::HeaderFieldMissing,
        "The delivery-terms group",
    )?;
    text::optional_text(
        f,
        "$.delivery_terms.place",
        "The named place of delivery",
        terms.place.as_ref(),
        limit::REFERENCE,
    );
    let path = "$.delivery_terms.incoterm";
    let code = required(f, path, terms.incoterm.as_deref(), Rule::IncotermMissing, "The Incoterms code")?;
    if find_code(INCOTERMS_2020, code).is_none() {
        f.push(
            Rule::IncotermUnknown,
            path,
            format!("The delivery terms {} are not an Incoterms 2020 rule (EXW, FCA, CPT, CIP, DAP, DPU, DDP, FAS, FOB, CFR, CIF).", shown(code)),
            &[("value", &shown(code))],
        );
        return None;
    }
    Some(code.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn codes(f: Findings) -> Vec<String> {
        f.into_vec().into_iter().map(|x| x.code).collect()
    }

    fn ctx(offices: &[&str]) -> Context {
        Context {
            today: NaiveDate::from_ymd_opt(2026, 11, 20).unwrap_or_default(),
            offices: offices.iter().map(|o| OfficeCode::parse(o).unwrap_or_else(|e| panic!("{e}"))).collect(),
        }
    }

    #[test]
    fn any_well_formed_office_passes_when_the_administration_lists_none() {
        let doc = DeclarationDoc { office: Some("PL443010".into()), ..Default::default() };
        let mut f = Findings::default();
        assert_eq!(office(&doc, &ctx(&[]), &mut f).as_ref().map(|o| o.as_str()), Some("PL443010"));
        assert!(f.is_empty());
    }

    #[test]
    fn an_office_of_another_administration_is_refused_when_offices_are_listed() {
        let doc = DeclarationDoc { office: Some("PL443010".into()), ..Default::default() };
        let mut f = Findings::default();
        assert_eq!(office(&doc, &ctx(&["DE005000", "DE004800", "NL000396"]), &mut f), None);
        assert_eq!(codes(f), ["FLC_036"]);
    }

    #[test]
    fn a_procedure_code_with_unknown_halves_gets_a_finding_for_each() {
        let doc = DeclarationDoc { procedure_code: Some("9999".into()), ..Default::default() };
        let mut f = Findings::default();
        assert_eq!(procedure_code(&doc, &mut f), None);
        assert_eq!(codes(f), ["FLC_029", "FLC_029"]);
    }

    #[test]
    fn release_after_customs_warehousing_is_a_known_procedure() {
        let doc = DeclarationDoc { procedure_code: Some("4071".into()), ..Default::default() };
        let mut f = Findings::default();
        assert_eq!(procedure_code(&doc, &mut f).as_deref(), Some("4071"));
    }

    #[test]
    fn a_road_vehicle_needs_no_imo_number() {
        let t = TransportDoc {
            mode: Some("3".into()),
            means_id: Some("HH-AB 1234".into()),
            nationality: Some("DE".into()),
        };
        let mut f = Findings::default();
        let (mode, transport) = transport(&t, &mut f);
        assert_eq!(mode, Some(TransportMode::Road));
        assert!(transport.is_some() && f.is_empty());
    }
}
