//! Cross-field rules: facts that are each well-formed but do not fit together (procedure and
//! declaration type, item numbering, representative and declarant, preference and origin,
//! mode of transport and goods).
//!
//! These rules run only on values that passed their own checks, so a mistake in one field is
//! not reported a second time through its consequences.
//!
//! Deliberately absent: "the importer is established in the country of the office". In a
//! customs union (the EU) an importer from any member state may declare at any office, and
//! FLC does not know the administration's territory; see `docs/flc-rules.md`.

use crate::codes::{
    find_code, find_document_type, is_preferential, TransportMode, EXPORT_PROCEDURES, IMPORT_PROCEDURES, NO_PREFERENCE,
};
use crate::declaration::DeclarationType;

use super::finding::{Field, Findings, Index, JsonPath};
use super::header::Header;
use super::items::ItemParts;
use super::rules::Rule;

/// HS chapters of goods that can move by fixed transport installation: 22 (water), 27
/// (mineral fuels, natural gas, electrical energy) and 28 (industrial gases such as hydrogen,
/// oxygen and nitrogen).
const FIXED_INSTALLATION_CHAPTERS: &[&str] = &["22", "27", "28"];

/// Runs every cross-field rule.
pub(crate) fn check(header: &Header, items: &[ItemParts], f: &mut Findings) {
    procedure_fits_type(header, f);
    representative_is_not_declarant(header, f);
    for (i, item) in items.iter().enumerate() {
        let path = Index("$.items", i);
        sequence(path, i, item, f);
        preference(path, header, item, f);
        fixed_installation(path, header, item, f);
    }
}

fn procedure_fits_type(header: &Header, f: &mut Findings) {
    let (Some(kind), Some(code)) = (header.kind, header.procedure_code.as_deref()) else {
        return;
    };
    // The code is four ASCII digits once it is in the header.
    let requested = code.get(..2).unwrap_or(code);
    // Known procedures belong to exactly one of the two lists, so a miss means the other type.
    let (list, this, other, type_code) = match kind {
        DeclarationType::Import => (IMPORT_PROCEDURES, "an import", "an export", "IM"),
        DeclarationType::Export => (EXPORT_PROCEDURES, "an export", "an import", "EX"),
    };
    if find_code(list, requested).is_none() {
        f.push(
            Rule::ProcedureTypeMismatch,
            "$.procedure_code",
            format!(
                "The requested procedure {requested} (in {code}) is {other} procedure, but this is {this} declaration."
            ),
            &[("procedure", &requested), ("code", &code), ("declaration_type", &type_code)],
        );
    }
}

fn representative_is_not_declarant(header: &Header, f: &mut Findings) {
    let representative = header.representative.as_ref().and_then(|p| p.id.as_deref());
    let declarant = header.declarant.as_ref().and_then(|p| p.id.as_deref());
    if let (Some(r), Some(d)) = (representative, declarant) {
        if r == d {
            f.push(
                Rule::RepresentativeIsDeclarant,
                "$.representative.id",
                format!("The representative has the declarant's own id {d}; leave the representative out when the declarant acts for itself."),
                &[("id", &d)],
            );
        }
    }
}

fn sequence(path: impl JsonPath, index: usize, item: &ItemParts, f: &mut Findings) {
    let Some(found) = item.sequence else { return };
    let expected = index + 1;
    if usize::try_from(found).ok() != Some(expected) {
        f.push(
            Rule::ItemSequence,
            Field(path, "sequence"),
            format!("Item {expected} in the list is numbered {found}; number the items 1, 2, 3 … in order, without gaps or repeats."),
            &[("position", &expected), ("number", &found)],
        );
    }
}

fn preference(path: impl JsonPath, header: &Header, item: &ItemParts, f: &mut Findings) {
    let Some(preference) = item.preference.as_deref() else {
        return;
    };
    match header.kind {
        Some(DeclarationType::Import) if is_preferential(preference) => {
            if let Some(docs) = &item.documents {
                let proven = docs.iter().any(|d| find_document_type(&d.kind).is_some_and(|t| t.proves_origin));
                if !proven {
                    f.push(
                        Rule::PreferenceWithoutProof,
                        Field(path, "preference"),
                        format!("Preference {preference} is claimed but the item lists no proof of preferential origin (e.g. N954 EUR.1 or N864 origin declaration)."),
                        &[("preference", &preference)],
                    );
                }
            }
            let importer_country = header.importer.as_ref().and_then(|p| p.country);
            if let (Some(origin), Some(importer)) = (item.origin, importer_country) {
                if origin == importer {
                    f.push(
                        Rule::PreferentialOriginIsImporterCountry,
                        Field(path, "origin"),
                        format!("Preference {preference} is claimed for goods originating in {origin}, the importer's own country."),
                        &[("preference", &preference), ("origin", &origin)],
                    );
                }
            }
        }
        Some(DeclarationType::Export) if preference != NO_PREFERENCE => {
            f.push(
                Rule::PreferenceOnExport,
                Field(path, "preference"),
                format!("Preference {preference} is claimed on an export; export items carry {NO_PREFERENCE}."),
                &[("preference", &preference), ("allowed", &NO_PREFERENCE)],
            );
        }
        _ => {}
    }
}

fn fixed_installation(path: impl JsonPath, header: &Header, item: &ItemParts, f: &mut Findings) {
    if header.transport_mode != Some(TransportMode::FixedInstallation) {
        return;
    }
    let Some(code) = &item.commodity_code else {
        return;
    };
    if !FIXED_INSTALLATION_CHAPTERS.contains(&code.chapter()) {
        f.push(
            Rule::FixedInstallationGoods,
            Field(path, "commodity_code"),
            format!(
                "Goods of HS chapter {} (code {code}) cannot travel by pipeline or power line (transport mode 7).",
                code.chapter()
            ),
            &[("chapter", &code.chapter()), ("code", &code)],
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::codes::{CountryCode, HsCode};
    use crate::declaration::Document;
    use crate::flc::party::PartyParts;

    fn codes(f: Findings) -> Vec<String> {
        f.into_vec().into_iter().map(|x| x.code).collect()
    }

    fn import_header() -> Header {
        Header {
            kind: Some(DeclarationType::Import),
            importer: Some(PartyParts { country: CountryCode::parse("DE"), ..PartyParts::default() }),
            ..Header::default()
        }
    }

    fn preferential_item(origin: &str, documents: Vec<Document>) -> ItemParts {
        ItemParts {
            sequence: Some(1),
            origin: CountryCode::parse(origin),
            preference: Some("300".into()),
            documents: Some(documents),
            ..ItemParts::default()
        }
    }

    #[test]
    fn a_preference_backed_by_an_eur1_passes() {
        let eur1 = Document { kind: "N954".into(), number: "VN-2026-004512".into() };
        let mut f = Findings::default();
        check(&import_header(), &[preferential_item("VN", vec![eur1])], &mut f);
        assert!(f.is_empty());
    }

    #[test]
    fn a_commercial_invoice_does_not_prove_preferential_origin() {
        let invoice = Document { kind: "N380".into(), number: "INV-1".into() };
        let mut f = Findings::default();
        check(&import_header(), &[preferential_item("VN", vec![invoice])], &mut f);
        assert_eq!(codes(f), ["FLC_056"]);
    }

    #[test]
    fn german_goods_claiming_a_preference_into_germany_are_refused() {
        let eur1 = Document { kind: "N954".into(), number: "X1".into() };
        let mut f = Findings::default();
        check(&import_header(), &[preferential_item("DE", vec![eur1])], &mut f);
        assert_eq!(codes(f), ["FLC_057"]);
    }

    #[test]
    fn export_items_claim_no_preference_and_need_no_proof() {
        let header = Header { kind: Some(DeclarationType::Export), ..Header::default() };
        let mut f = Findings::default();
        check(&header, &[preferential_item("DE", vec![])], &mut f);
        assert_eq!(codes(f), ["FLC_058"]);
    }

    #[test]
    fn permanent_export_does_not_fit_an_import_declaration() {
        let header = Header { procedure_code: Some("1000".into()), ..import_header() };
        let mut f = Findings::default();
        check(&header, &[], &mut f);
        let found = f.into_vec();
        assert_eq!(found.len(), 1);
        assert!(found.iter().all(|x| x.code == "FLC_030" && x.message.contains("export procedure")));
    }

    #[test]
    fn a_repeated_item_number_is_reported_where_it_breaks_the_order() {
        let items: Vec<ItemParts> =
            [1, 2, 2, 4].iter().map(|&s| ItemParts { sequence: Some(s), ..ItemParts::default() }).collect();
        let mut f = Findings::default();
        check(&Header::default(), &items, &mut f);
        let paths: Vec<String> = f.into_vec().into_iter().map(|x| x.path).collect();
        assert_eq!(paths, ["$.items[2].sequence"]);
    }

    #[test]
    fn natural_gas_may_come_by_pipeline_but_smartphones_may_not() {
        let header = Header { transport_mode: Some(TransportMode::FixedInstallation), ..Header::default() };
        let gas = ItemParts { sequence: Some(1), commodity_code: HsCode::parse("271121"), ..ItemParts::default() };
        let phones = ItemParts { sequence: Some(2), commodity_code: HsCode::parse("851713"), ..ItemParts::default() };
        let mut f = Findings::default();
        check(&header, &[gas, phones], &mut f);
        let paths: Vec<String> = f.into_vec().into_iter().map(|x| x.path).collect();
        assert_eq!(paths, ["$.items[1].commodity_code"]);
    }
}
