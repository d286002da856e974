//! Test fixtures shared by the traceability tests: traders, a batch, transfers and a
//! declaration with traced and untraced items.

use chrono::NaiveDate;
use rust_decimal::Decimal;
use rust_decimal_macros::dec;

use crate::codes::{CountryCode, CurrencyCode, HsCode, TransportMode};
use crate::declaration::{Declaration, DeclarationType, GoodsItem, Party, Transport};
use crate::ids::{RegistrationNumber, TraderId};
use crate::timestamp::Timestamp;

use super::*;

/// The release of the test batch.
pub(crate) const RELEASED: Timestamp = Timestamp::from_micros(1_780_000_000_000_000);

/// `minutes` after the release.
pub(crate) fn after(minutes: i64) -> Timestamp {
    Timestamp::from_micros(RELEASED.as_micros() + minutes * 60_000_000)
}

pub(crate) fn t(id: &str) -> TraderId {
    TraderId::new(id).unwrap_or_else(|e| panic!("{e}"))
}

pub(crate) fn q(amount: Decimal, unit: Unit) -> Quantity {
    Quantity::new(amount, unit).unwrap_or_else(|e| panic!("{e}"))
}

pub(crate) fn doc(text: &str) -> DocumentRef {
    DocumentRef::parse(text).unwrap_or_else(|| panic!("test document {text}"))
}

pub(crate) fn registration() -> RegistrationNumber {
    RegistrationNumber::parse("10005000/260309/0000042").unwrap_or_else(|e| panic!("{e}"))
}

pub(crate) fn number(item: u32) -> BatchNumber {
    BatchNumber::new(&registration(), item).unwrap_or_else(|| panic!("test item {item}"))
}

/// Batch 001: refrigerators, `initial` pieces, imported by `IMP`.
pub(crate) fn fridges(initial: Decimal) -> Batch {
    batch(1, "8418102001", q(initial, Unit::Pieces))
}

pub(crate) fn batch(item: u32, code: &str, initial: Quantity) -> Batch {
    Batch {
        number: number(item),
        commodity_code: HsCode::parse(code).unwrap_or_else(|| panic!("test code {code}")),
        description: "Household refrigerators, two doors".into(),
        initial,
        importer: t("IMP"),
        origin: CountryCode::parse("CN").unwrap_or_else(|| panic!("test country")),
        released_at: RELEASED,
    }
}

pub(crate) fn transfer(
    state: &BatchState,
    holder: &str,
    operation: Operation,
    amount: Decimal,
    document: &str,
) -> Transfer {
    Transfer {
        batch: state.batch().number.clone(),
        holder: t(holder),
        operation,
        quantity: q(amount, state.batch().unit()),
        document: doc(document),
    }
}

pub(crate) fn sale(buyer: &str) -> Operation {
    Operation::Sale { buyer: t(buyer) }
}

pub(crate) fn back_to(seller: &str, sale_document: &str) -> Operation {
    Operation::Return { seller: t(seller), sale_document: doc(sale_document) }
}

pub(crate) fn write_off(reason: WriteOffReason) -> Operation {
    Operation::WriteOff { reason, note: Note::parse("Dropped from the forklift").unwrap_or_else(|| panic!("note")) }
}

/// Applies a transfer that must be accepted.
pub(crate) fn ok(state: &BatchState, transfer: &Transfer, at: Timestamp) -> Applied {
    apply(state, transfer, at).unwrap_or_else(|e| panic!("{e}"))
}

/// Applies a transfer that must be refused, and returns its code.
pub(crate) fn refused(state: &BatchState, transfer: &Transfer, at: Timestamp) -> &'static str {
    match apply(state, transfer, at) {
        Ok(a) => panic!("accepted: {:?}", a.movement),
        Err(r) => r.code(),
    }
}

fn country(code: &str) -> CountryCode {
    CountryCode::parse(code).unwrap_or_else(|| panic!("test country {code}"))
}

fn party(id: &str, code: &str) -> Party {
    Party { id: id.into(), name: format!("{id} Ltd"), country: country(code) }
}

/// A goods item of `quantity` in `unit`.
pub(crate) fn item(sequence: u32, code: &str, quantity: Decimal, unit: &str) -> GoodsItem {
    GoodsItem {
        sequence,
        commodity_code: HsCode::parse(code).unwrap_or_else(|| panic!("test code {code}")),
        description: format!("Goods of {code}"),
        origin: country("CN"),
        net_mass: dec!(500),
        gross_mass: dec!(520),
        quantity,
        unit: unit.into(),
        price: dec!(10000),
        valuation_method: "1".into(),
        preference: "100".into(),
        documents: vec![],
    }
}

/// An import for free circulation (procedure 4000) by `DE987654321000000`.
pub(crate) fn declaration(items: Vec<GoodsItem>) -> Declaration {
    Declaration {
        kind: DeclarationType::Import,
        procedure_code: "4000".into(),
        office: "DE004851".parse().unwrap_or_else(|e| panic!("{e}")),
        declarant: party("DE123456789012345", "DE"),
        importer: party("DE987654321000000", "DE"),
        exporter: party("CN913301000000", "CN"),
        representative: None,
        transport: Transport { mode: TransportMode::Sea, means_id: "IMO9321483".into(), nationality: None },
        location_of_goods: "DEHAMWAR1".into(),
        currency: CurrencyCode::parse("USD").unwrap_or_else(|| panic!("test currency")),
        invoice_total: dec!(30000),
        incoterm: "CIF".into(),
        declaration_date: NaiveDate::from_ymd_opt(2026, 3, 9).unwrap_or_default(),
        items,
    }
}
