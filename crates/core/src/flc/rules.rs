//! The catalogue of FLC rules: one stable code, a short name and a description per rule.
//!
//! The catalogue is written once, in the `catalogue!` table below, which generates both the
//! `Rule` enum the checks use and the static list that `rules()` returns, so the two cannot
//! drift apart. Codes are never reused: a retired rule keeps its line with a note in its
//! description instead of being deleted.

use serde::Serialize;
use utoipa::ToSchema;

/// Public description of one FLC rule, for the CLI, the API and `docs/flc-rules.md`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
pub struct RuleInfo {
    /// Stable code, `FLC_001` …
    pub code: &'static str,
    /// Short name.
    pub name: &'static str,
    /// What the rule checks, in plain language.
    pub description: &'static str,
}

/// Generates `Rule`, `Rule::code` and the `RULES` table from one list of rules.
macro_rules! catalogue {
    ($($rule:ident = $code:literal, $name:literal, $description:literal;)+) => {
        /// An FLC rule. Every finding names exactly one.
        #[derive(Debug, Clone, Copy, PartialEq, Eq)]
        pub(crate) enum Rule {
            $(
                #[doc = $name]
                $rule,
            )+
        }

        impl Rule {
            /// The stable code of the rule.
            pub(crate) fn code(self) -> &'static str {
                match self {
                    $(Rule::$rule => $code,)+
                }
            }
        }

        /// Every rule, in code order.
        static RULES: &[RuleInfo] = &[
            $(RuleInfo { code: $code, name: $name, description: $description },)+
        ];
    };
}

catalogue! {
    // Structure: mandatory fields and groups.
    HeaderFieldMissing = "FLC_001", "Mandatory field missing",
        "A mandatory declaration-level field or group is absent: declaration_type, procedure_code, office, transport, location_of_goods, invoice, delivery_terms, declaration_date or items.";
    PartyMissing = "FLC_002", "Party missing",
        "The declarant, the importer or the exporter is absent. All three are required on import and on export.";
    PartyFieldMissing = "FLC_003", "Party field missing",
        "A party (declarant, importer, exporter or representative) lacks its id, name or country.";
    TransportFieldMissing = "FLC_004", "Transport field missing",
        "The transport at the border lacks its mode or the identity of the means of transport.";
    InvoiceFieldMissing = "FLC_005", "Invoice field missing",
        "The invoice lacks its currency or its total amount.";
    IncotermMissing = "FLC_006", "Incoterm missing",
        "The delivery terms lack the Incoterms code.";
    NoItems = "FLC_007", "No goods items",
        "The list of goods items is empty; a declaration covers at least one item.";
    ItemFieldMissing = "FLC_008", "Item field missing",
        "A goods item lacks one of its mandatory fields: sequence, commodity_code, description, origin, net_mass, gross_mass, quantity, unit, price, valuation_method or preference.";
    DocumentFieldMissing = "FLC_009", "Document field missing",
        "A document referred to by a goods item lacks its type or its number.";
    TooManyItems = "FLC_010", "Too many goods items",
        "A declaration holds at most 999 goods items; larger consignments are split over several declarations.";

    // Formats.
    DeclarationTypeUnknown = "FLC_011", "Declaration type unknown",
        "The declaration type is neither IM (import) nor EX (export).";
    ProcedureCodeFormat = "FLC_012", "Procedure code malformed",
        "The procedure code is not exactly four digits (requested procedure followed by previous procedure).";
    OfficeCodeFormat = "FLC_013", "Office code malformed",
        "The customs office code is not exactly eight upper-case letters or digits.";
    PartyIdFormat = "FLC_014", "Party id malformed",
        "A party id is not two upper-case letters followed by 1 to 15 upper-case letters or digits.";
    PartyIdPrefixUnknown = "FLC_015", "Party id prefix unknown",
        "The first two letters of a party id are neither an ISO 3166-1 country code nor XI (Northern Ireland).";
    TextTooLong = "FLC_016", "Text too long",
        "A free-text field is longer than its limit: names and streets 70 characters, cities, means of transport, invoice and document numbers and places 35, postcodes 17, descriptions 512.";
    TextBlank = "FLC_017", "Text blank",
        "A free-text field is empty or holds only spaces.";
    TextControlCharacters = "FLC_018", "Control characters in text",
        "A free-text field holds control characters (line breaks, tabs, NUL and the like), which break the exchange of the declaration with other systems.";
    DescriptionTooShort = "FLC_019", "Description too short",
        "The goods description has fewer than 3 characters, too few to identify the goods.";
    DescriptionGeneric = "FLC_020", "Description too vague",
        "The goods description is only a generic word such as \"goods\", \"parts\" or \"various\", which does not identify the goods.";
    CommodityCodeFormat = "FLC_021", "Commodity code malformed",
        "The commodity code is not 6 to 10 digits (no dots or spaces).";
    VesselImoInvalid = "FLC_022", "Vessel IMO number invalid",
        "For sea transport (mode 1) the means of transport is a vessel's IMO number: IMO followed by 7 digits whose last digit is the check digit.";
    LocationOfGoodsFormat = "FLC_023", "Location of goods malformed",
        "The location of goods is not 4 to 35 upper-case letters, digits, '-', '/' or '.', starting with a letter or digit.";

    // Code lists.
    CountryUnknown = "FLC_024", "Country code unknown",
        "A party's country or the nationality of the means of transport is not an ISO 3166-1 alpha-2 code.";
    OriginUnknown = "FLC_025", "Country of origin unknown",
        "The country of origin of a goods item is not an ISO 3166-1 alpha-2 code.";
    CurrencyUnknown = "FLC_026", "Currency unknown",
        "The invoice currency is not an active ISO 4217 code.";
    SubheadingUnknown = "FLC_027", "HS subheading unknown",
        "The first six digits of the commodity code are not a subheading of the HS 2022 nomenclature.";
    TransportModeUnknown = "FLC_028", "Transport mode unknown",
        "The mode of transport is not a UN/ECE Recommendation 19 code (1, 2, 3, 4, 5, 7, 8 or 9).";
    ProcedureUnknown = "FLC_029", "Procedure code unknown",
        "The requested procedure (first two digits) or the previous procedure (last two) is not in the list of customs procedures.";
    ProcedureTypeMismatch = "FLC_030", "Procedure does not fit the declaration type",
        "The requested procedure belongs to the other declaration type, e.g. permanent export (10) on an import declaration.";
    IncotermUnknown = "FLC_031", "Incoterm unknown",
        "The delivery terms code is not an Incoterms 2020 rule (earlier editions' DAT or DAF are refused).";
    UnitUnknown = "FLC_032", "Unit unknown",
        "The unit of quantity is not in the list of UN/ECE Recommendation 20 codes accepted here.";
    ValuationMethodUnknown = "FLC_033", "Valuation method unknown",
        "The valuation method is not 1 to 6 (WTO Valuation Agreement methods).";
    PreferenceUnknown = "FLC_034", "Preference code unknown",
        "The preference code is not in the list of tariff preference codes (100 no preference, 2xx GSP, 3xx preferential agreements, 4xx customs unions).";
    DocumentTypeUnknown = "FLC_035", "Document type unknown",
        "A document type code is not in the list of document types accepted here.";
    OfficeUnknown = "FLC_036", "Office not of this administration",
        "The office of declaration is not one of the administration's customs offices (checked only when the administration lists its offices).";

    // Arithmetic.
    InvoiceTotalMismatch = "FLC_037", "Item prices do not add up to the invoice total",
        "The item prices differ from the invoice total by more than the tolerance: the larger of 1.00 currency unit and 0.5 % of the total.";
    NetAboveGross = "FLC_038", "Net mass above gross mass",
        "A goods item's net mass is larger than its gross mass.";
    MassNotPositive = "FLC_039", "Mass not positive",
        "A net or gross mass is zero or negative.";
    QuantityNotPositive = "FLC_040", "Quantity not positive",
        "A quantity is zero or negative.";
    AmountNotPositive = "FLC_041", "Amount not positive",
        "An item price or the invoice total is zero or negative.";
    MassImplausible = "FLC_042", "Mass implausible",
        "A net or gross mass exceeds the ceiling for the mode of transport: 500,000 kg per item by road, air and post; 500,000,000 kg by sea, rail, inland waterway, fixed installation or own propulsion.";
    QuantityImplausible = "FLC_043", "Quantity implausible",
        "A quantity exceeds 1,000,000,000 units.";
    AmountTooLarge = "FLC_044", "Amount too large",
        "An item price or the invoice total reaches 100,000,000,000,000 (10^14), beyond the n..16,2 format of amounts.";
    MassDecimals = "FLC_045", "Too many decimals in a mass",
        "A mass has more than 3 decimal places (masses are declared to the gram).";
    AmountDecimals = "FLC_046", "Too many decimals in an amount",
        "An amount has more decimal places than its currency allows: 2, or 3 for currencies with a three-decimal minor unit (BHD, IQD, JOD, KWD, LYD, OMR, TND).";
    QuantityDecimals = "FLC_047", "Too many decimals in a quantity",
        "A quantity has more than 6 decimal places.";
    MassQuantityAboveGross = "FLC_048", "Quantity in a mass unit above the gross mass",
        "When the unit is a mass (GRM, KGM, TNE), the quantity converted to kilograms cannot exceed the item's gross mass.";
    CountNotWhole = "FLC_049", "Counted quantity not whole",
        "When the unit counts things (NAR, PCE, H87, C62, PR, NPR, SET, NPL, NMP, NCL) the quantity is a whole number.";
    PostalTooHeavy = "FLC_050", "Postal consignment too heavy",
        "By post (mode 5) the gross masses of all items add up to at most 50 kg, the largest postal parcel of the UPU Convention.";

    // Dates.
    DeclarationDateFuture = "FLC_051", "Declaration date in the future",
        "The declaration date is after today at the office.";
    DeclarationDateTooOld = "FLC_052", "Declaration date too old",
        "The declaration date is more than 90 days before today; the declarant makes out a new declaration.";
    InvoiceDateAfterDeclaration = "FLC_053", "Invoice date after the declaration date",
        "The invoice is dated after the declaration date (or after today when the declaration date is missing).";

    // Cross-field logic.
    ItemSequence = "FLC_054", "Item numbers out of sequence",
        "Goods items are numbered 1, 2, 3 … in the order they are listed, without gaps or repeats.";
    RepresentativeIsDeclarant = "FLC_055", "Representative is the declarant",
        "A representative is named with the same id as the declarant; a person does not represent themselves.";
    PreferenceWithoutProof = "FLC_056", "Preference claimed without proof of origin",
        "An import item claims a preference (2xx, 3xx, 4xx) but lists no proof of preferential origin (N954 EUR.1, U045 EUR-MED, N864 or U048 origin declaration, N865 Form A, N018 A.TR.).";
    PreferentialOriginIsImporterCountry = "FLC_057", "Preferential origin in the importer's country",
        "An import item claims a preference for goods originating in the importer's own country; such goods are returned goods, not preferential imports.";
    PreferenceOnExport = "FLC_058", "Tariff preference on an export",
        "An export item carries a preference code other than 100; tariff preferences are claimed on import only.";
    DuplicateDocument = "FLC_059", "Document listed twice",
        "A goods item lists the same document (same type and number) more than once.";
    FixedInstallationGoods = "FLC_060", "Goods cannot travel by fixed installation",
        "By fixed transport installation (mode 7: pipelines, power lines) only goods of HS chapters 22 (water), 27 (mineral fuels, gas, electricity) and 28 (industrial gases) can be carried.";
}

/// The catalogue of every FLC rule, in code order.
pub fn rules() -> &'static [RuleInfo] {
    RULES
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_numbered_without_gaps_in_catalogue_order() {
        for (i, rule) in rules().iter().enumerate() {
            assert_eq!(rule.code, format!("FLC_{:03}", i + 1));
        }
    }

    #[test]
    fn the_enum_and_the_table_agree() {
        assert_eq!(Rule::HeaderFieldMissing.code(), "FLC_001");
        assert_eq!(Rule::FixedInstallationGoods.code(), rules()[rules().len() - 1].code);
    }

    #[test]
    fn every_rule_has_a_name_and_a_description() {
        assert!(rules().len() >= 45);
        for rule in rules() {
            assert!(!rule.name.is_empty() && rule.description.ends_with('.'), "{}", rule.code);
        }
    }
}
