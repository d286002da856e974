//! "Your export is my import": a partner administration's export declaration of goods set
//! against our import declaration of the same goods, line by line, and our message for a
//! partner from a released export.
//!
//! Matching reports facts, not verdicts: a different subheading, masses, quantities or values
//! apart by more than the tolerance, lines found on one side only, other parties. Whether a
//! fact matters is for the risk rules and the officer. The messages are signed and checked
//! elsewhere, with the functions of `signature`.

use std::collections::BTreeSet;

use chrono::{DateTime, Utc};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::declaration::{Declaration, DeclarationDoc, GoodsItem, Party, PartyDoc};
use crate::ids::RegistrationNumber;

/// An export declaration released by a partner administration, as it tells us.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PartnerExport {
    /// The partner's country, ISO 3166-1 alpha-2.
    pub partner: String,
    /// The partner's number of the export declaration (its MRN or registration number).
    pub reference: String,
    /// The exporter.
    pub exporter: PartyDoc,
    /// The consignee, our importer.
    pub importer: PartyDoc,
    /// The goods, line by line.
    pub lines: Vec<PartnerLine>,
    /// When the partner released the goods for export.
    pub released_at: DateTime<Utc>,
}

/// One line of a partner's export declaration.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PartnerLine {
    /// Line number on the export declaration.
    pub sequence: u32,
    /// Commodity code, at least the six digits of the HS subheading.
    pub commodity_code: String,
    /// Description of the goods.
    pub description: String,
    /// Quantity in `unit`.
    #[schema(value_type = Option<String>, example = "600")]
    pub quantity: Option<Decimal>,
    /// Unit of the quantity, UN/ECE Rec. 20 (`NAR`, `KGM` …).
    pub unit: Option<String>,
    /// Net mass in kilograms.
    #[schema(value_type = Option<String>, example = "180.000")]
    pub net_mass: Option<Decimal>,
    /// Value of the line in `currency`.
    #[schema(value_type = Option<String>, example = "36000.00")]
    pub value: Option<Decimal>,
    /// ISO 4217 currency of the value.
    pub currency: Option<String>,
}

/// How far apart two figures may be before it is reported, as a share of the larger one
/// (`0.05` is 5 %).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Tolerance {
    /// For net masses.
    #[schema(value_type = String, example = "0.05")]
    pub mass: Decimal,
    /// For quantities in the same unit.
    #[schema(value_type = String, example = "0.05")]
    pub quantity: Decimal,
    /// For values in the same currency.
    #[schema(value_type = String, example = "0.05")]
    pub value: Decimal,
}

impl Default for Tolerance {
    /// 5 % for each.
    fn default() -> Self {
        let five_percent = Decimal::new(5, 2);
        Tolerance { mass: five_percent, quantity: five_percent, value: five_percent }
    }
}

/// One difference between the partner's export and our import.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Mismatch {
    /// Stable code, `XCH_001` … (see `docs/wco-data-model.md`).
    pub code: String,
    /// Line number on the partner's export, when the fact concerns a line.
    pub export_line: Option<u32>,
    /// Item number on our import, when the fact concerns an item.
    pub import_item: Option<u32>,
    /// What the export says.
    pub export_value: Option<String>,
    /// What the import says.
    pub import_value: Option<String>,
    /// The fact in plain language.
    pub message: String,
}

/// The HS subheading of two lines differs.
pub const HS_DIFFERS: &str = "XCH_001";
/// Net masses differ by more than the tolerance.
pub const MASS_DIFFERS: &str = "XCH_002";
/// Quantities in the same unit differ by more than the tolerance.
pub const QUANTITY_DIFFERS: &str = "XCH_003";
/// Quantities are in different units and cannot be compared.
pub const QUANTITY_NOT_COMPARABLE: &str = "XCH_004";
/// Values in the same currency differ by more than the tolerance.
pub const VALUE_DIFFERS: &str = "XCH_005";
/// Values are in different currencies (or one has none) and cannot be compared.
pub const VALUE_NOT_COMPARABLE: &str = "XCH_006";
/// A line of the export has no item on the import.
pub const EXPORT_LINE_MISSING: &str = "XCH_007";
/// An item of the import has no line on the export.
pub const IMPORT_ITEM_MISSING: &str = "XCH_008";
/// The exporters differ.
pub const EXPORTER_DIFFERS: &str = "XCH_009";
/// The importers (the export's consignee and our importer) differ.
pub const IMPORTER_DIFFERS: &str = "XCH_010";

/// The document type by which an item of our import cites the partner's export declaration
/// of the same goods (TARIC `N830`, goods declaration for exportation); its number is the
/// partner's reference (`PartnerExport::reference`).
pub const CITING_DOCUMENT: &str = "N830";

/// Longest partner reference, characters: what a document number on our declaration holds, so
/// that an import can cite it.
pub const MAX_REFERENCE: usize = 35;

/// Most lines a partner's message may carry.
pub const MAX_LINES: usize = 999;

/// The partners' references a filed declaration's items cite (documents of type
/// [`CITING_DOCUMENT`]), each once, in the order first cited. Read from the filing as it came, so
/// the shell can look the messages up before the decision.
pub fn cited_exports(doc: &DeclarationDoc) -> Vec<String> {
    let mut cited: Vec<String> = Vec::new();
    let documents = doc.items.iter().flatten().flat_map(|item| item.documents.iter().flatten());
    for d in documents.filter(|d| d.kind.as_deref() == Some(CITING_DOCUMENT)) {
        if let Some(number) = d.number.as_deref().map(str::trim).filter(|n| !n.is_empty()) {
            if !cited.iter().any(|c| c == number) {
                cited.push(number.to_string());
            }
        }
    }
    cited
}

/// The partners' references the items of a checked declaration cite, each once, in order.
pub fn cited_by(d: &Declaration) -> Vec<String> {
    let mut cited: Vec<String> = Vec::new();
    for doc in d.items.iter().flat_map(|i| &i.documents).filter(|doc| doc.kind == CITING_DOCUMENT) {
        let number = doc.number.trim();
        if !number.is_empty() && !cited.iter().any(|c| c == number) {
            cited.push(number.to_string());
        }
    }
    cited
}

/// A partner's export set against our import: which message, and every difference found.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Matched {
    /// The partner's country.
    pub partner: String,
    /// The partner's reference of its export declaration.
    pub reference: String,
    /// The differences, empty when the two agree.
    pub mismatches: Vec<Mismatch>,
}

/// The codes of the differences found, each once, in code order: what risk assessment reads as
/// the declaration's findings.
pub fn finding_codes(matched: &[Matched]) -> Vec<String> {
    let codes: BTreeSet<&str> = matched.iter().flat_map(|m| m.mismatches.iter().map(|x| x.code.as_str())).collect();
    codes.into_iter().map(str::to_string).collect()
}

/// What is wrong with a partner's message beyond its JSON shape, as (JSON path, problem): the
/// partner is not two capital letters, the reference is empty, too long or holds control
/// characters, there are no lines or too many, or two lines share a number.
pub fn check_message(e: &PartnerExport) -> Result<(), (String, String)> {
    let fail = |path: &str, problem: &str| Err((path.to_string(), problem.to_string()));
    if e.partner.len() != 2 || !e.partner.bytes().all(|b| b.is_ascii_uppercase()) {
        return fail("$.partner", "must be an ISO 3166-1 alpha-2 code (two capital letters)");
    }
    let reference = e.reference.trim();
    if reference.is_empty() || reference != e.reference || e.reference.chars().count() > MAX_REFERENCE {
        return fail("$.reference", "must be 1 to 35 characters without edge spaces");
    }
    if e.reference.chars().any(char::is_control) {
        return fail("$.reference", "must hold no control characters");
    }
    if e.lines.is_empty() || e.lines.len() > MAX_LINES {
        return fail("$.lines", "must hold 1 to 999 lines");
    }
    let numbers: BTreeSet<u32> = e.lines.iter().map(|l| l.sequence).collect();
    if numbers.len() != e.lines.len() {
        return fail("$.lines", "two lines have the same sequence number");
    }
    Ok(())
}

/// Sets the partner's export against our import and reports every difference.
///
/// Lines are paired first within the same HS subheading, closest value and mass first; lines
/// left over on both sides are then paired across subheadings by closest value and mass (and
/// reported with `XCH_001`); what is still left is missing on the other side. Parties come
/// first in the result, then the pairs in the order of the export's lines, then the lines
/// missing on either side.
pub fn match_import(export: &PartnerExport, import: &Declaration, tolerance: &Tolerance) -> Vec<Mismatch> {
    let mut found = Vec::new();
    party(&mut found, EXPORTER_DIFFERS, "exporter", &export.exporter, &import.exporter);
    party(&mut found, IMPORTER_DIFFERS, "importer", &export.importer, &import.importer);

    let currency = import.currency.as_str();
    let pairs = pair_lines(&export.lines, &import.items, currency);
    let mut paired: Vec<&(usize, usize)> = pairs.iter().collect();
    paired.sort_by_key(|(e, _)| *e);
    for &&(e, i) in &paired {
        if let (Some(line), Some(item)) = (export.lines.get(e), import.items.get(i)) {
            compare(&mut found, line, item, currency, tolerance);
        }
    }

    let used_lines: BTreeSet<usize> = pairs.iter().map(|(e, _)| *e).collect();
    let used_items: BTreeSet<usize> = pairs.iter().map(|(_, i)| *i).collect();
    for line in export.lines.iter().enumerate().filter(|(e, _)| !used_lines.contains(e)).map(|(_, l)| l) {
        found.push(Mismatch {
            code: EXPORT_LINE_MISSING.to_string(),
            export_line: Some(line.sequence),
            import_item: None,
            export_value: Some(format!("{} {}", hs6(&line.commodity_code), line.description)),
            import_value: None,
            message: format!(
                "Line {} of export {} ({}) has no matching item on the import.",
                line.sequence,
                export.reference,
                hs6(&line.commodity_code)
            ),
        });
    }
    for item in import.items.iter().enumerate().filter(|(i, _)| !used_items.contains(i)).map(|(_, it)| it) {
        found.push(Mismatch {
            code: IMPORT_ITEM_MISSING.to_string(),
            export_line: None,
            import_item: Some(item.sequence),
            export_value: None,
            import_value: Some(format!("{} {}", item.commodity_code.hs6(), item.description)),
            message: format!(
                "Item {} of the import ({}) is on no line of export {}.",
                item.sequence,
                item.commodity_code.hs6(),
                export.reference
            ),
        });
    }
    found
}

/// Our message for partners about a released export declaration: the partner field is our
/// country (the first two letters of the office code). The caller passes export declarations
/// only; the kind is not checked here.
pub fn export_message(
    d: &Declaration,
    registration_number: &RegistrationNumber,
    released_at: DateTime<Utc>,
) -> PartnerExport {
    let currency = d.currency.as_str().to_string();
    PartnerExport {
        partner: d.office.as_str().get(..2).unwrap_or_default().to_string(),
        reference: registration_number.as_str().to_string(),
        exporter: party_doc(&d.exporter),
        importer: party_doc(&d.importer),
        lines: d
            .items
            .iter()
            .map(|item| PartnerLine {
                sequence: item.sequence,
                commodity_code: item.commodity_code.as_str().to_string(),
                description: item.description.clone(),
                quantity: Some(item.quantity),
                unit: Some(item.unit.clone()),
                net_mass: Some(item.net_mass),
                value: Some(item.price),
                currency: Some(currency.clone()),
            })
            .collect(),
        released_at,
    }
}

fn party_doc(p: &Party) -> PartyDoc {
    PartyDoc {
        id: Some(p.id.clone()),
        name: Some(p.name.clone()),
        country: Some(p.country.as_str().to_string()),
        ..PartyDoc::default()
    }
}

/// The first six characters of a commodity code.
fn hs6(code: &str) -> &str {
    code.get(..6).unwrap_or(code)
}

/// How far apart two figures are, as a share of the larger (0 when both are zero).
fn relative(a: Decimal, b: Decimal) -> Decimal {
    let larger = a.abs().max(b.abs());
    if larger.is_zero() {
        Decimal::ZERO
    } else {
        (a - b).abs().checked_div(larger).unwrap_or(Decimal::ONE)
    }
}

/// How unlike a line and an item are, from 0 (same value and mass) up: the mean of the
/// relative differences that can be computed, 1 when none can.
fn distance(line: &PartnerLine, item: &GoodsItem, currency: &str) -> Decimal {
    let mut parts = Vec::new();
    if let Some(mass) = line.net_mass {
        parts.push(relative(mass, item.net_mass));
    }
    if let (Some(value), Some(c)) = (line.value, line.currency.as_deref()) {
        if c == currency {
            parts.push(relative(value, item.price));
        }
    }
    if parts.is_empty() {
        return Decimal::ONE;
    }
    let sum: Decimal = parts.iter().copied().sum();
    sum.checked_div(Decimal::from(parts.len())).unwrap_or(Decimal::ONE)
}

/// Pairs (export line index, import item index): within the subheading first, then across.
fn pair_lines(lines: &[PartnerLine], items: &[GoodsItem], currency: &str) -> Vec<(usize, usize)> {
    let mut pairs = Vec::new();
    let mut used_lines = BTreeSet::new();
    let mut used_items = BTreeSet::new();
    for same_hs in [true, false] {
        let mut candidates: Vec<(Decimal, usize, usize)> = Vec::new();
        for (e, line) in lines.iter().enumerate().filter(|(e, _)| !used_lines.contains(e)) {
            for (i, item) in items.iter().enumerate().filter(|(i, _)| !used_items.contains(i)) {
                if !same_hs || hs6(&line.commodity_code) == item.commodity_code.hs6() {
                    candidates.push((distance(line, item, currency), e, i));
                }
            }
        }
        candidates.sort();
        for (_, e, i) in candidates {
            if !used_lines.contains(&e) && !used_items.contains(&i) {
                used_lines.insert(e);
                used_items.insert(i);
                pairs.push((e, i));
            }
        }
    }
    pairs
}

/// The facts about one pair.
fn compare(found: &mut Vec<Mismatch>, line: &PartnerLine, item: &GoodsItem, currency: &str, tolerance: &Tolerance) {
    let fact = |code: &str, export_value: String, import_value: String, message: String| Mismatch {
        code: code.to_string(),
        export_line: Some(line.sequence),
        import_item: Some(item.sequence),
        export_value: Some(export_value),
        import_value: Some(import_value),
        message,
    };
    let pair = format!("Export line {} and import item {}", line.sequence, item.sequence);
    let (their_hs, our_hs) = (hs6(&line.commodity_code), item.commodity_code.hs6());
    if their_hs != our_hs {
        found.push(fact(
            HS_DIFFERS,
            their_hs.to_string(),
            our_hs.to_string(),
            format!("{pair} are classified differently: subheading {their_hs} on export, {our_hs} on import."),
        ));
    }
    if let Some(mass) = line.net_mass {
        if relative(mass, item.net_mass) > tolerance.mass {
            found.push(fact(
                MASS_DIFFERS,
                format!("{mass} kg"),
                format!("{} kg", item.net_mass),
                format!(
                    "{pair} differ in net mass by more than {}: {mass} kg on export, {} kg on import.",
                    percent(tolerance.mass),
                    item.net_mass
                ),
            ));
        }
    }
    if let Some(quantity) = line.quantity {
        match line.unit.as_deref() {
            Some(unit) if unit == item.unit => {
                if relative(quantity, item.quantity) > tolerance.quantity {
                    found.push(fact(
                        QUANTITY_DIFFERS,
                        format!("{quantity} {unit}"),
                        format!("{} {}", item.quantity, item.unit),
                        format!(
                            "{pair} differ in quantity by more than {}: {quantity} {unit} on export, {} {} on import.",
                            percent(tolerance.quantity),
                            item.quantity,
                            item.unit
                        ),
                    ));
                }
            }
            unit => {
                let unit = unit.unwrap_or("(no unit)");
                found.push(fact(
                    QUANTITY_NOT_COMPARABLE,
                    format!("{quantity} {unit}"),
                    format!("{} {}", item.quantity, item.unit),
                    format!(
                        "{pair} give quantities in different units ({unit} and {}); they are not compared.",
                        item.unit
                    ),
                ));
            }
        }
    }
    if let Some(value) = line.value {
        match line.currency.as_deref() {
            Some(c) if c == currency => {
                if relative(value, item.price) > tolerance.value {
                    found.push(fact(
                        VALUE_DIFFERS,
                        format!("{value} {c}"),
                        format!("{} {currency}", item.price),
                        format!(
                            "{pair} differ in value by more than {}: {value} {c} on export, {} {currency} on import.",
                            percent(tolerance.value),
                            item.price
                        ),
                    ));
                }
            }
            c => {
                let c = c.unwrap_or("(no currency)");
                found.push(fact(
                    VALUE_NOT_COMPARABLE,
                    format!("{value} {c}"),
                    format!("{} {currency}", item.price),
                    format!("{pair} give values in different currencies ({c} and {currency}); they are not compared."),
                ));
            }
        }
    }
}

/// `0.05` as `5 %`.
fn percent(share: Decimal) -> String {
    format!("{} %", (share * Decimal::ONE_HUNDRED).normalize())
}

/// Reports when the partner's party is not ours: by identification number when both have one,
/// otherwise by name (compared without case, spaces and punctuation).
fn party(found: &mut Vec<Mismatch>, code: &str, role: &str, theirs: &PartyDoc, ours: &Party) {
    let id = |s: &str| s.chars().filter(|c| !c.is_whitespace()).flat_map(char::to_uppercase).collect::<String>();
    let name = |s: &str| s.chars().filter(|c| c.is_alphanumeric()).flat_map(char::to_lowercase).collect::<String>();
    let differs = match (theirs.id.as_deref().map(id).filter(|s| !s.is_empty()), theirs.name.as_deref()) {
        (Some(their_id), _) => their_id != id(&ours.id),
        (None, Some(their_name)) => !name(their_name).is_empty() && name(their_name) != name(&ours.name),
        (None, None) => false,
    };
    if differs {
        let show = |id: Option<&str>, n: Option<&str>| match (id, n) {
            (Some(i), Some(n)) => format!("{i} {n}"),
            (Some(i), None) => i.to_string(),
            (None, Some(n)) => n.to_string(),
            (None, None) => String::new(),
        };
        let theirs_shown = show(theirs.id.as_deref(), theirs.name.as_deref());
        let ours_shown = show(Some(&ours.id), Some(&ours.name));
        found.push(Mismatch {
            code: code.to_string(),
            export_line: None,
            import_item: None,
            message: format!("The {role} differs: {theirs_shown} on export, {ours_shown} on import."),
            export_value: Some(theirs_shown),
            import_value: Some(ours_shown),
        });
    }
}
