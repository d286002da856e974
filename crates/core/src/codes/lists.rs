use serde::{Deserialize, Serialize};

/// Mode of transport at the border (UN/ECE Recommendation 19).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum TransportMode {
    /// 1 — sea.
    Sea,
    /// 2 — rail.
    Rail,
    /// 3 — road.
    Road,
    /// 4 — air.
    Air,
    /// 5 — postal consignment.
    Post,
    /// 7 — fixed transport installation (pipeline, power line).
    FixedInstallation,
    /// 8 — inland waterway.
    InlandWaterway,
    /// 9 — own propulsion.
    OwnPropulsion,
}

impl TransportMode {
    /// Parses the one-digit code.
    pub fn parse(code: &str) -> Option<Self> {
        Some(match code {
            "1" => TransportMode::Sea,
            "2" => TransportMode::Rail,
            "3" => TransportMode::Road,
            "4" => TransportMode::Air,
            "5" => TransportMode::Post,
            "7" => TransportMode::FixedInstallation,
            "8" => TransportMode::InlandWaterway,
            "9" => TransportMode::OwnPropulsion,
            _ => return None,
        })
    }

    /// The one-digit code.
    pub fn code(self) -> &'static str {
        match self {
            TransportMode::Sea => "1",
            TransportMode::Rail => "2",
            TransportMode::Road => "3",
            TransportMode::Air => "4",
            TransportMode::Post => "5",
            TransportMode::FixedInstallation => "7",
            TransportMode::InlandWaterway => "8",
            TransportMode::OwnPropulsion => "9",
        }
    }
}

/// One entry of a small code list: the code and what it means.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct CodeEntry {
    /// The code as it appears on the declaration.
    pub code: &'static str,
    /// Plain-language meaning.
    pub name: &'static str,
}

/// Finds `code` in one of the lists below (they are short, so a linear scan is fine).
pub fn find_code(list: &'static [CodeEntry], code: &str) -> Option<&'static CodeEntry> {
    list.iter().find(|e| e.code == code)
}

/// Builds a `CodeEntry` in the constant tables below without repeating the field names.
const fn entry(code: &'static str, name: &'static str) -> CodeEntry {
    CodeEntry { code, name }
}

/// Modes of transport at the border (UN/ECE Recommendation 19), as [`TransportMode`] codes.
pub const TRANSPORT_MODES: &[CodeEntry] = &[
    entry("1", "sea"),
    entry("2", "rail"),
    entry("3", "road"),
    entry("4", "air"),
    entry("5", "post"),
    entry("7", "fixed installation"),
    entry("8", "inland waterway"),
    entry("9", "own propulsion"),
];

/// Requested procedures (first two digits of the procedure code) that an import declaration
/// may ask for, after the EU's Union Customs Code data element 1/10.
pub const IMPORT_PROCEDURES: &[CodeEntry] = &[
    entry("01", "Release for free circulation with simultaneous re-dispatch to a part of the territory outside the VAT area"),
    entry("07", "Release for free circulation with simultaneous placing under a warehousing procedure other than customs warehousing"),
    entry("40", "Release for free circulation and home use"),
    entry("42", "Release for free circulation and home use with a VAT-exempt supply to another member state"),
    entry("43", "Release for free circulation and home use under special transitional measures"),
    entry("44", "End-use"),
    entry("45", "Release for free circulation with placing under a tax warehousing procedure (VAT or excise)"),
    entry("46", "Import of processed products obtained from equivalent goods under outward processing"),
    entry("48", "Release for free circulation of replacement products under outward processing"),
    entry("51", "Inward processing"),
    entry("53", "Temporary admission"),
    entry("54", "Inward processing in another member state"),
    entry("61", "Re-importation with release for free circulation and home use"),
    entry("63", "Re-importation with release for free circulation and a VAT-exempt supply to another member state"),
    entry("68", "Re-importation with partial home use and placing under a tax warehousing procedure"),
    entry("71", "Customs warehousing"),
    entry("78", "Entry of goods into a free zone"),
];

/// Requested procedures that an export declaration may ask for.
pub const EXPORT_PROCEDURES: &[CodeEntry] = &[
    entry("10", "Permanent export"),
    entry("11", "Export of compensating products obtained from equivalent goods under inward processing"),
    entry("21", "Outward processing"),
    entry("22", "Temporary export other than outward processing"),
    entry("23", "Temporary export for return in the unaltered state"),
    entry("31", "Re-export"),
];

/// True when `code` (two digits) may stand as the previous procedure, the last two digits of
/// the procedure code: `00` (no previous procedure) or any requested procedure above.
pub fn is_previous_procedure(code: &str) -> bool {
    code == "00" || find_code(IMPORT_PROCEDURES, code).is_some() || find_code(EXPORT_PROCEDURES, code).is_some()
}

/// Incoterms 2020 (ICC). Earlier editions' terms such as `DAT` or `DAF` are not accepted.
pub const INCOTERMS_2020: &[CodeEntry] = &[
    entry("EXW", "Ex Works"),
    entry("FCA", "Free Carrier"),
    entry("CPT", "Carriage Paid To"),
    entry("CIP", "Carriage and Insurance Paid To"),
    entry("DAP", "Delivered at Place"),
    entry("DPU", "Delivered at Place Unloaded"),
    entry("DDP", "Delivered Duty Paid"),
    entry("FAS", "Free Alongside Ship"),
    entry("FOB", "Free on Board"),
    entry("CFR", "Cost and Freight"),
    entry("CIF", "Cost, Insurance and Freight"),
];

/// Units of quantity accepted on goods items: the UN/ECE Recommendation 20 codes that customs
/// tariffs use as supplementary units, plus the common mass and count units.
pub const UNITS: &[CodeEntry] = &[
    entry("C62", "One (unit)"),
    entry("CMT", "Centimetre"),
    entry("CTM", "Metric carat"),
    entry("DZN", "Dozen"),
    entry("GFI", "Gram of fissile isotopes"),
    entry("GRM", "Gram"),
    entry("H87", "Piece"),
    entry("HLT", "Hectolitre"),
    entry("KGM", "Kilogram"),
    entry("KMT", "Kilometre"),
    entry("KNI", "Kilogram of nitrogen"),
    entry("KPH", "Kilogram of potassium hydroxide"),
    entry("KPO", "Kilogram of potassium oxide"),
    entry("KSD", "Kilogram of substance 90 % dry"),
    entry("KUR", "Kilogram of uranium"),
    entry("KWH", "Kilowatt hour"),
    entry("LPA", "Litre of pure alcohol"),
    entry("LTR", "Litre"),
    entry("MLT", "Millilitre"),
    entry("MTK", "Square metre"),
    entry("MTQ", "Cubic metre"),
    entry("MTR", "Metre"),
    entry("MWH", "Megawatt hour"),
    entry("NAR", "Number of articles"),
    entry("NCL", "Number of cells"),
    entry("NMP", "Number of packs"),
    entry("NPL", "Number of parcels"),
    entry("NPR", "Number of pairs"),
    entry("PCE", "Piece (legacy code, still widely sent)"),
    entry("PR", "Pair"),
    entry("SET", "Set"),
    entry("TNE", "Tonne (1 000 kg)"),
];

/// Units that count whole things: a quantity in one of them must be a whole number.
/// `DZN` is left out on purpose: 2.5 dozen is thirty articles.
pub const COUNT_UNITS: &[&str] = &["C62", "H87", "NAR", "NCL", "NMP", "NPL", "NPR", "PCE", "PR", "SET"];

/// Units that measure the goods' own mass, with the number of kilograms in one unit. A quantity
/// in these units cannot exceed the gross mass. Units of a contained substance (`KNI`, `KSD`
/// and the like) are left out: an equivalent mass can exceed the mass of the goods.
pub const MASS_UNITS: &[MassUnit] = &[
    MassUnit { code: "GRM", grams: 1 },
    MassUnit { code: "KGM", grams: 1_000 },
    MassUnit { code: "TNE", grams: 1_000_000 },
];

/// A unit of quantity that is a mass.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct MassUnit {
    /// UN/ECE Rec. 20 code.
    pub code: &'static str,
    /// Grams in one unit (whole grams, so the table needs no decimals).
    pub grams: u32,
}

/// Customs valuation methods of the WTO Valuation Agreement (Articles 1 to 7).
pub const VALUATION_METHODS: &[CodeEntry] = &[
    entry("1", "Transaction value of the imported goods"),
    entry("2", "Transaction value of identical goods"),
    entry("3", "Transaction value of similar goods"),
    entry("4", "Deductive method"),
    entry("5", "Computed value"),
    entry("6", "Fall-back method"),
];

/// Tariff preference codes, after the EU's data element 4/17. The first digit is the regime
/// (1 erga omnes, 2 generalised system of preferences, 3 other preferential agreements,
/// 4 customs-union agreements); the last two say which measure applies.
pub const PREFERENCES: &[CodeEntry] = &[
    entry("100", "Erga omnes (MFN) duty, no preference"),
    entry("115", "Erga omnes, end-use"),
    entry("118", "Erga omnes, suspension with end-use"),
    entry("119", "Erga omnes, suspension with certificate"),
    entry("120", "Erga omnes, tariff quota"),
    entry("123", "Erga omnes, tariff quota with end-use"),
    entry("140", "Erga omnes, suspension for goods of a specified nature"),
    entry("150", "Erga omnes, suspension with certificate of nature"),
    entry("200", "Generalised system of preferences (GSP)"),
    entry("215", "GSP, end-use"),
    entry("218", "GSP, suspension with end-use"),
    entry("220", "GSP, tariff quota"),
    entry("223", "GSP, tariff quota with end-use"),
    entry("240", "GSP, suspension for goods of a specified nature"),
    entry("250", "GSP, suspension with certificate of nature"),
    entry("300", "Preferential agreement (free-trade agreement)"),
    entry("315", "Preferential agreement, end-use"),
    entry("318", "Preferential agreement, suspension with end-use"),
    entry("320", "Preferential agreement, tariff quota"),
    entry("323", "Preferential agreement, tariff quota with end-use"),
    entry("340", "Preferential agreement, goods of a specified nature"),
    entry("350", "Preferential agreement, certificate of nature"),
    entry("400", "Customs-union agreement"),
    entry("415", "Customs-union agreement, end-use"),
    entry("420", "Customs-union agreement, tariff quota"),
    entry("423", "Customs-union agreement, tariff quota with end-use"),
];

/// The preference code that claims no preference.
pub const NO_PREFERENCE: &str = "100";

/// True when the preference code claims a preferential rate (regimes 2, 3 and 4), which needs
/// a proof of preferential origin.
pub fn is_preferential(code: &str) -> bool {
    matches!(code.as_bytes().first(), Some(b'2' | b'3' | b'4'))
}

/// A document type that goods items may refer to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct DocumentType {
    /// Four-character code (after the EU's TARIC document codes).
    pub code: &'static str,
    /// What the document is.
    pub name: &'static str,
    /// True when the document proves preferential origin and so supports a preference claim.
    pub proves_origin: bool,
}

/// Builds a `DocumentType` row.
const fn doc(code: &'static str, name: &'static str, proves_origin: bool) -> DocumentType {
    DocumentType { code, name, proves_origin }
}

/// Document types accepted on goods items.
pub const DOCUMENT_TYPES: &[DocumentType] = &[
    doc("C100", "Import or export licence", false),
    doc("C400", "CITES permit or certificate", false),
    doc("N018", "Movement certificate A.TR. (customs union)", true),
    doc("N271", "Packing list", false),
    doc("N325", "Proforma invoice", false),
    doc("N380", "Commercial invoice", false),
    doc("N705", "Bill of lading", false),
    doc("N720", "Rail consignment note (CIM)", false),
    doc("N730", "Road consignment note (CMR)", false),
    doc("N740", "Air waybill", false),
    doc("N830", "Goods declaration for exportation (the partner's export, see wcodm::exchange)", false),
    doc("N851", "Phytosanitary certificate", false),
    doc("N853", "Common health entry document for products of animal origin", false),
    doc("N861", "Certificate of non-preferential origin", false),
    doc("N864", "Origin declaration on an invoice or commercial document", true),
    doc("N865", "Certificate of origin Form A (GSP)", true),
    doc("N935", "Invoice on which the customs value is based", false),
    doc("N954", "Movement certificate EUR.1", true),
    doc("N955", "ATA carnet", false),
    doc("U045", "Movement certificate EUR-MED", true),
    doc("U048", "EUR-MED origin declaration on an invoice", true),
];

/// Looks up a document type by code.
pub fn find_document_type(code: &str) -> Option<&'static DocumentType> {
    DOCUMENT_TYPES.iter().find(|d| d.code == code)
}

/// ISO 4217 currencies whose minor unit has three decimals; every other currency is allowed
/// two (even those with none, such as JPY, because unit prices are often quoted in fractions).
pub const THREE_DECIMAL_CURRENCIES: &[&str] = &["BHD", "IQD", "JOD", "KWD", "LYD", "OMR", "TND"];

/// Descriptions that say nothing about the goods. Carriers' and customs' lists of unacceptable
/// descriptions (EU ICS2, US CBP) reject these on their own.
pub const GENERIC_DESCRIPTIONS: &[&str] = &[
    "-",
    "accessories",
    "consolidated",
    "consolidation",
    "equipment",
    "freight",
    "general cargo",
    "gift",
    "gifts",
    "goods",
    "items",
    "merchandise",
    "misc",
    "miscellaneous",
    "n/a",
    "na",
    "none",
    "parts",
    "products",
    "said to contain",
    "samples",
    "spare parts",
    "stc",
    "stuff",
    "tbd",
    "various",
    "various goods",
];

/// Two-letter prefixes that identification numbers may carry besides ISO 3166 country codes:
/// `XI` is issued to traders in Northern Ireland.
pub const EXTRA_PARTY_ID_PREFIXES: &[&str] = &["XI"];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_list_repeats_a_code() {
        let lists: [&[CodeEntry]; 6] =
            [IMPORT_PROCEDURES, EXPORT_PROCEDURES, INCOTERMS_2020, UNITS, VALUATION_METHODS, PREFERENCES];
        for list in lists {
            let mut codes: Vec<&str> = list.iter().map(|e| e.code).collect();
            codes.sort_unstable();
            codes.dedup();
            assert_eq!(codes.len(), list.len());
        }
        let mut docs: Vec<&str> = DOCUMENT_TYPES.iter().map(|d| d.code).collect();
        docs.sort_unstable();
        docs.dedup();
        assert_eq!(docs.len(), DOCUMENT_TYPES.len());
    }

    #[test]
    fn count_and_mass_units_are_known_units() {
        for unit in COUNT_UNITS.iter().chain(MASS_UNITS.iter().map(|m| &m.code)) {
            assert!(find_code(UNITS, unit).is_some(), "{unit}");
        }
    }

    #[test]
    fn import_and_export_procedures_do_not_overlap() {
        for e in IMPORT_PROCEDURES {
            assert!(find_code(EXPORT_PROCEDURES, e.code).is_none(), "{}", e.code);
        }
    }

    #[test]
    fn only_regimes_two_to_four_are_preferential() {
        assert!(!is_preferential(NO_PREFERENCE));
        assert!(!is_preferential("120"));
        assert!(is_preferential("200") && is_preferential("300") && is_preferential("400"));
    }

    #[test]
    fn previous_procedure_is_none_or_a_known_procedure() {
        assert!(is_previous_procedure("00"));
        assert!(is_previous_procedure("71"));
        assert!(!is_previous_procedure("99"));
    }
}
