//! The batch: the goods of one traced item of one released declaration, numbered after the
//! declaration's registration number and the item's sequence.
//!
//! Batches open at release, one for each traced item of an import declaration released for
//! free circulation. The same checks run when the declaration is filed ([`check_declaration`]),
//! so that a traced item declared in a wrong unit is refused before registration, and release
//! never meets a batch that cannot open.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::codes::{CountryCode, HsCode};
use crate::declaration::{Declaration, DeclarationType, GoodsItem};
use crate::flc::{shown, Finding};
use crate::ids::{InvalidId, RegistrationNumber, TraderId};
use crate::timestamp::Timestamp;

use super::codes::{Code, Findings};
use super::goods::{traced_goods, Quantity, QuantityError, TracedGoods, Unit};

/// Requested procedures (the first two digits of the procedure code) that release goods for
/// free circulation; goods under any other import procedure stay under customs control, and
/// traceability starts only when they are released.
pub const FREE_CIRCULATION: &[&str] = &["01", "07", "40", "42", "43", "44", "45", "46", "48", "61", "63", "68"];

/// The number of a batch: the declaration's registration number, `/`, and the item's
/// sequence in three digits, e.g. `10005000/260309/0000042/001`. Unique because registration
/// numbers are, and derived, so that storage and traders compute it without asking.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, ToSchema)]
#[serde(try_from = "String", into = "String")]
#[schema(value_type = String, example = "10005000/260309/0000042/001")]
pub struct BatchNumber(String);

impl BatchNumber {
    /// Highest item number; a declaration holds at most 999 items.
    pub const MAX_ITEM: u32 = 999;

    /// The number of item `item` of the declaration registered as `registration`, `None`
    /// when `item` is outside 1 to 999.
    pub fn new(registration: &RegistrationNumber, item: u32) -> Option<BatchNumber> {
        (1..=Self::MAX_ITEM).contains(&item).then(|| BatchNumber(format!("{registration}/{item:03}")))
    }

    /// A batch number, when `text` has its form.
    pub fn parse(text: &str) -> Result<BatchNumber, InvalidId> {
        let invalid = || InvalidId { kind: "batch number", value: text.to_string() };
        let (registration, item) = text.rsplit_once('/').ok_or_else(invalid)?;
        RegistrationNumber::parse(registration).map_err(|_| invalid())?;
        let whole = item.len() == 3 && item.bytes().all(|b| b.is_ascii_digit()) && item != "000";
        whole.then(|| BatchNumber(text.to_string())).ok_or_else(invalid)
    }

    /// The registration number of the declaration the batch was released under.
    pub fn registration(&self) -> &str {
        self.0.rsplit_once('/').map_or("", |(registration, _)| registration)
    }

    /// The item's sequence on that declaration.
    pub fn item(&self) -> u32 {
        self.0.rsplit_once('/').and_then(|(_, item)| item.parse().ok()).unwrap_or_default()
    }

    /// The text form.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Display for BatchNumber {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl TryFrom<String> for BatchNumber {
    type Error = InvalidId;

    fn try_from(text: String) -> Result<Self, InvalidId> {
        BatchNumber::parse(&text)
    }
}

impl From<BatchNumber> for String {
    fn from(number: BatchNumber) -> String {
        number.0
    }
}

impl std::str::FromStr for BatchNumber {
    type Err = InvalidId;

    fn from_str(s: &str) -> Result<Self, InvalidId> {
        BatchNumber::parse(s)
    }
}

/// A batch of traced goods as released: what it is and who first held it. Its quantities move
/// in [`super::BatchState`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Batch {
    /// The batch number (registration number and item).
    pub number: BatchNumber,
    /// The commodity code as declared.
    #[schema(value_type = String, example = "8418102001")]
    pub commodity_code: HsCode,
    /// The description as declared.
    pub description: String,
    /// The quantity released, in the unit the goods are traced in.
    pub initial: Quantity,
    /// The importer: the first holder.
    pub importer: TraderId,
    /// The country of origin.
    #[schema(value_type = String, example = "CN")]
    pub origin: CountryCode,
    /// When the goods were released.
    #[schema(value_type = i64)]
    pub released_at: Timestamp,
}

impl Batch {
    /// The unit the batch is traced in.
    pub fn unit(&self) -> Unit {
        self.initial.unit()
    }
}

/// A traced item of a declaration, checked: the item and its quantity in the traced unit.
#[derive(Debug, Clone, Copy)]
struct TracedItem<'a> {
    item: &'a GoodsItem,
    quantity: Quantity,
}

/// The entry of the list of traced goods a declared item falls under, whose unit it is
/// traced in; `None` when its goods are not traced.
pub fn item_traced_as(item: &GoodsItem) -> Option<&'static TracedGoods> {
    traced_goods(&item.commodity_code)
}

/// True when `declaration` releases goods for free circulation, so that its traced items open
/// batches: an import under one of the [`FREE_CIRCULATION`] procedures.
pub fn releases_for_free_circulation(declaration: &Declaration) -> bool {
    declaration.kind == DeclarationType::Import
        && declaration.procedure_code.get(..2).is_some_and(|p| FREE_CIRCULATION.contains(&p))
}

/// True when `declaration` opens batches at its release: it releases goods for free
/// circulation and at least one of its items is traced.
pub fn opens_batches(declaration: &Declaration) -> bool {
    releases_for_free_circulation(declaration) && declaration.items.iter().any(|i| item_traced_as(i).is_some())
}

/// Checks the traced items of a declaration when it is filed: every finding (`TRC_020` …
/// `TRC_022`), empty when its batches will open at release. A declaration that does not
/// release goods for free circulation, or has no traced item, has none.
pub fn check_declaration(declaration: &Declaration) -> Vec<Finding> {
    traced_items(declaration).err().unwrap_or_default()
}

/// The first holder and the checked traced items (none when the declaration does not release
/// goods for free circulation), or every finding, in document order.
fn traced_items(declaration: &Declaration) -> Result<(Option<TraderId>, Vec<TracedItem<'_>>), Vec<Finding>> {
    if !releases_for_free_circulation(declaration) {
        return Ok((None, Vec::new()));
    }
    let traced: Vec<(usize, &GoodsItem, &'static TracedGoods)> = declaration
        .items
        .iter()
        .enumerate()
        .filter_map(|(i, item)| item_traced_as(item).map(|goods| (i, item, goods)))
        .collect();
    if traced.is_empty() {
        return Ok((None, Vec::new()));
    }
    let mut f = Findings::default();
    // The importer's id matters only when a batch needs a first holder.
    let importer = TraderId::new(declaration.importer.id.as_str()).ok();
    if importer.is_none() {
        f.push(
            Code::ImporterIdUnusable,
            "$.importer.id",
            format!("The importer's id {} is not a trader id.", shown(&declaration.importer.id)),
            &[("value", &shown(&declaration.importer.id))],
        );
    }
    let items: Vec<TracedItem<'_>> =
        traced.into_iter().filter_map(|(i, item, goods)| traced_item(&mut f, i, item, goods)).collect();
    match importer {
        Some(importer) if f.is_empty() => Ok((Some(importer), items)),
        _ => Err(f.into_vec()),
    }
}

/// Checks one traced item: `None` when a finding was pushed.
fn traced_item<'a>(f: &mut Findings, i: usize, item: &'a GoodsItem, goods: &TracedGoods) -> Option<TracedItem<'a>> {
    let path = format!("$.items[{i}]");
    if Unit::from_code(&item.unit) != Some(goods.unit) {
        f.push(
            Code::UnitNotTraced,
            format!("{path}.unit"),
            format!(
                "{} ({}) are traced in {} ({}); the item is declared in {}.",
                goods.name,
                item.commodity_code,
                goods.unit.code(),
                goods.unit.label(),
                shown(&item.unit)
            ),
            &[("goods", &goods.name), ("traced", &goods.unit.code()), ("declared", &shown(&item.unit))],
        );
        return None;
    }
    match Quantity::new(item.quantity, goods.unit) {
        Ok(quantity) => Some(TracedItem { item, quantity }),
        Err(e) => {
            f.push(
                Code::DeclaredQuantityUnusable,
                format!("{path}.quantity"),
                format!("The quantity of traced goods {}.", quantity_problem(&e)),
                &[("quantity", &item.quantity), ("unit", &goods.unit.code())],
            );
            None
        }
    }
}

/// What is wrong with a quantity, as the end of a sentence.
pub(crate) fn quantity_problem(e: &QuantityError) -> String {
    match e {
        QuantityError::NotPositive(q) => format!("{q} is not positive"),
        QuantityError::TooFine { amount, unit } => {
            format!("{amount} has more than {} decimals, which is the most {} allow", unit.decimals(), unit.label())
        }
        QuantityError::TooLarge(q) => format!("{q} is above 10^12"),
    }
}

/// Opens the batches of a declaration at its release: one per traced item, in item order,
/// held by the importer. None when the declaration does not release goods for free circulation
/// or has no traced item.
///
/// # Errors
///
/// Every finding of `TRC_020` … `TRC_022` (which [`check_declaration`] gave at filing already).
pub fn open_batches(
    registration: &RegistrationNumber,
    declaration: &Declaration,
    released_at: Timestamp,
) -> Result<Vec<Batch>, Vec<Finding>> {
    let (Some(importer), items) = traced_items(declaration)? else { return Ok(Vec::new()) };
    let mut batches = Vec::with_capacity(items.len());
    for traced in items {
        // FLC numbers items 1 to 999, so every item has a batch number.
        let Some(number) = BatchNumber::new(registration, traced.item.sequence) else { continue };
        batches.push(Batch {
            number,
            commodity_code: traced.item.commodity_code.clone(),
            description: traced.item.description.clone(),
            initial: traced.quantity,
            importer: importer.clone(),
            origin: traced.item.origin,
            released_at,
        });
    }
    Ok(batches)
}

#[cfg(test)]
#[path = "batch_tests.rs"]
mod tests;
