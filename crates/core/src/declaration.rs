//! The goods declaration: the wire document (`DeclarationDoc`, every field optional so that
//! format-logical control can report each missing one) and the checked domain type
//! (`Declaration`), which only FLC can build.
//!
//! Field names follow the WCO Data Model; `docs/data-model.md` maps each field to its WCO DM ID.

use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::codes::{CountryCode, CurrencyCode, HsCode, TransportMode};

/// A goods declaration as filed: JSON in, JSON out. Every field is optional on the wire so that
/// a missing field is reported by FLC with its JSON path instead of failing the whole parse.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DeclarationDoc {
    /// Declaration type: `IM` (import) or `EX` (export). WCO DM D013.
    pub declaration_type: Option<String>,
    /// Customs procedure code, four digits: requested and previous procedure (e.g. `4000`
    /// release for free circulation). WCO DM 166 (procedure) and 161 (previous procedure).
    pub procedure_code: Option<String>,
    /// Code of the customs office where the declaration is lodged (8 characters). WCO DM 065.
    pub office: Option<String>,
    /// The person lodging the declaration. WCO DM R123 (name R124).
    pub declarant: Option<PartyDoc>,
    /// Importer / consignee. WCO DM R038 (name R037).
    pub importer: Option<PartyDoc>,
    /// Exporter / seller. WCO DM R032 (name R031).
    pub exporter: Option<PartyDoc>,
    /// Customs representative acting for the declarant, if any. WCO DM R004 (name R003).
    pub representative: Option<PartyDoc>,
    /// Transport at the border.
    pub transport: Option<TransportDoc>,
    /// Identifier of the temporary-storage facility where the goods are (location of goods). WCO DM L017.
    pub location_of_goods: Option<String>,
    /// Invoice currency and total amount.
    pub invoice: Option<InvoiceDoc>,
    /// Delivery terms (Incoterms 2020 code and place).
    pub delivery_terms: Option<DeliveryTermsDoc>,
    /// Date the declaration was made out by the declarant (`YYYY-MM-DD`). WCO DM D011.
    pub declaration_date: Option<NaiveDate>,
    /// Goods items, numbered from 1.
    pub items: Option<Vec<GoodsItemDoc>>,
}

/// A party (person or company) named on a declaration.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PartyDoc {
    /// Identification number (EORI-style: two-letter country prefix plus up to 15 characters).
    pub id: Option<String>,
    /// Name of the person or company.
    pub name: Option<String>,
    /// Street and number.
    pub street: Option<String>,
    /// City.
    pub city: Option<String>,
    /// Postal code.
    pub postcode: Option<String>,
    /// ISO 3166-1 alpha-2 country code.
    pub country: Option<String>,
}

/// Transport at the border.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TransportDoc {
    /// Mode of transport at the border, UN/ECE Rec. 19 code (1 sea, 2 rail, 3 road, 4 air,
    /// 5 post, 7 fixed installation, 8 inland waterway, 9 own propulsion). WCO DM T022.
    pub mode: Option<String>,
    /// Identity of the means of transport (vessel IMO number, flight, vehicle plate). WCO DM T006.
    pub means_id: Option<String>,
    /// Nationality of the means of transport, ISO 3166-1 alpha-2. WCO DM T014.
    pub nationality: Option<String>,
}

/// Invoice currency and total.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct InvoiceDoc {
    /// ISO 4217 currency code. WCO DM 135.
    pub currency: Option<String>,
    /// Total invoice amount, a decimal number (JSON number or string). WCO DM 109.
    #[schema(value_type = Option<String>, example = "12500.00")]
    pub total: Option<Decimal>,
    /// Invoice number.
    pub number: Option<String>,
    /// Invoice date.
    pub date: Option<NaiveDate>,
}

/// Delivery terms.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DeliveryTermsDoc {
    /// Incoterms 2020 code (EXW, FCA, CPT, CIP, DAP, DPU, DDP, FAS, FOB, CFR, CIF). WCO DM 090.
    pub incoterm: Option<String>,
    /// Named place. WCO DM L001.
    pub place: Option<String>,
}

/// One goods item.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct GoodsItemDoc {
    /// Goods item number, 1, 2, 3 … in order. WCO DM 006.
    pub sequence: Option<u32>,
    /// Commodity code, 6 to 10 digits; the first six are an HS 2022 subheading. WCO DM 145.
    pub commodity_code: Option<String>,
    /// Plain-language description of the goods. WCO DM 137.
    pub description: Option<String>,
    /// Country of origin, ISO 3166-1 alpha-2. WCO DM 063.
    pub origin: Option<String>,
    /// Net mass in kilograms. WCO DM 128.
    #[schema(value_type = Option<String>, example = "120.5")]
    pub net_mass: Option<Decimal>,
    /// Gross mass in kilograms. WCO DM 126.
    #[schema(value_type = Option<String>, example = "130")]
    pub gross_mass: Option<Decimal>,
    /// Quantity in the supplementary unit. WCO DM 130.
    #[schema(value_type = Option<String>, example = "100")]
    pub quantity: Option<Decimal>,
    /// Unit of the quantity (UN/ECE Rec. 20 code such as `KGM`, `NAR`, `LTR`): the unit attribute of WCO DM 130.
    pub unit: Option<String>,
    /// Item price in the invoice currency. WCO DM 112.
    #[schema(value_type = Option<String>, example = "2500.00")]
    pub price: Option<Decimal>,
    /// Valuation method, WTO Valuation Agreement method 1 to 6. WCO DM 122.
    pub valuation_method: Option<String>,
    /// Preference code: `100` no preference (MFN), `200` GSP, `300` free-trade agreement. WCO DM 164.
    pub preference: Option<String>,
    /// Documents attached to the item (certificates, licences, invoices).
    pub documents: Option<Vec<DocumentDoc>>,
}

/// A document referred to by a goods item.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DocumentDoc {
    /// Document type code (e.g. `N380` commercial invoice, `N954` EUR.1, `C100` licence). WCO DM D006.
    #[serde(rename = "type")]
    pub kind: Option<String>,
    /// Document reference number. WCO DM D005.
    pub number: Option<String>,
}

/// Why a filed body is not a `DeclarationDoc` at all (before FLC can look at it).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NotADeclaration {
    /// True when the bytes are not JSON; false when the JSON has the wrong shape or types.
    pub syntax: bool,
    /// JSON path of the offending value, e.g. `$.items[0].net_mass`.
    pub path: String,
    /// What is wrong.
    pub message: String,
}

impl DeclarationDoc {
    /// Reads the filed bytes, naming the path of the first value of a wrong type.
    pub fn from_json(bytes: &[u8]) -> Result<Self, NotADeclaration> {
        // Tracking the path allocates for every key read, so it is done only for bytes that
        // do not read: the second pass finds the same first error and names where it is.
        if let Ok(doc) = Self::deserialize(&mut serde_json::Deserializer::from_slice(bytes)) {
            return Ok(doc);
        }
        let de = &mut serde_json::Deserializer::from_slice(bytes);
        serde_path_to_error::deserialize(de).map_err(|e| {
            let path = format!("$.{}", e.path()).replace("$..", "$.");
            let inner = e.into_inner();
            NotADeclaration { syntax: inner.is_syntax() || inner.is_eof(), path, message: inner.to_string() }
        })
    }
}

/// Declaration type.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub enum DeclarationType {
    /// Import (`IM`).
    #[serde(rename = "IM")]
    Import,
    /// Export (`EX`).
    #[serde(rename = "EX")]
    Export,
}

impl DeclarationType {
    /// The two-letter code used on the wire.
    pub fn code(self) -> &'static str {
        match self {
            DeclarationType::Import => "IM",
            DeclarationType::Export => "EX",
        }
    }
}

/// A declaration that has passed format-logical control. Only `flc::check` builds one from a
/// filing; the store keeps it as checked at registration and reads it back (`Deserialize`) for
/// the risk model, never from outside input.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Declaration {
    /// Import or export.
    pub kind: DeclarationType,
    /// Four-digit customs procedure code.
    pub procedure_code: String,
    /// Office of declaration.
    pub office: crate::ids::OfficeCode,
    /// Declarant.
    pub declarant: Party,
    /// Importer / consignee.
    pub importer: Party,
    /// Exporter / seller.
    pub exporter: Party,
    /// Representative, if any.
    pub representative: Option<Party>,
    /// Transport at the border.
    pub transport: Transport,
    /// Temporary-storage facility holding the goods.
    pub location_of_goods: String,
    /// Invoice currency.
    pub currency: CurrencyCode,
    /// Invoice total.
    pub invoice_total: Decimal,
    /// Incoterms code.
    pub incoterm: String,
    /// Declaration date.
    pub declaration_date: NaiveDate,
    /// Goods items, in sequence order.
    pub items: Vec<GoodsItem>,
}

/// A checked party.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Party {
    /// Identification number.
    pub id: String,
    /// Name.
    pub name: String,
    /// Country of the address.
    pub country: CountryCode,
}

/// Checked transport data.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Transport {
    /// Mode at the border.
    pub mode: TransportMode,
    /// Identity of the means of transport.
    pub means_id: String,
    /// Nationality of the means, when given.
    pub nationality: Option<CountryCode>,
}

/// A checked goods item.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GoodsItem {
    /// Item number.
    pub sequence: u32,
    /// Commodity code (6–10 digits, the HS6 part known).
    pub commodity_code: HsCode,
    /// Description.
    pub description: String,
    /// Country of origin.
    pub origin: CountryCode,
    /// Net mass, kg.
    pub net_mass: Decimal,
    /// Gross mass, kg.
    pub gross_mass: Decimal,
    /// Quantity.
    pub quantity: Decimal,
    /// Unit of quantity.
    pub unit: String,
    /// Item price in the invoice currency.
    pub price: Decimal,
    /// Valuation method 1–6.
    pub valuation_method: String,
    /// Preference code.
    pub preference: String,
    /// Attached documents.
    pub documents: Vec<Document>,
}

/// A checked document reference.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Document {
    /// Type code.
    pub kind: String,
    /// Reference number.
    pub number: String,
}

impl GoodsItem {
    /// Declared value per kilogram of net mass, in the invoice currency (None when the mass is zero).
    pub fn value_per_kg(&self) -> Option<Decimal> {
        if self.net_mass.is_zero() {
            None
        } else {
            self.price.checked_div(self.net_mass)
        }
    }
}
