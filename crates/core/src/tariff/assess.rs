//! The duty calculation of a declaration: customs value, import duty (conventional or
//! preferential), excise and import VAT per goods item, with every figure the calculation
//! used, and the totals to pay.

use chrono::NaiveDate;
use rust_decimal::{Decimal, RoundingStrategy};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::codes::{is_preferential, CountryCode, CurrencyCode, COUNT_UNITS};
use crate::declaration::{Declaration, GoodsItem};
use crate::registration::Reason;

use super::measure::{ExchangeRate, Measure, MeasureKind, Origin, NATIONAL_CURRENCY};
use super::rate::{QuantityUnit, Rate};
use super::schedule::Tariff;

/// Every reason code the calculation can return, with what it means.
pub const REASON_CODES: &[(&str, &str)] = &[
    ("TAR_001", "No import-duty measure covers the commodity code on the assessment date."),
    ("TAR_002", "No exchange rate for the invoice currency is in force on the assessment date."),
    ("TAR_003", "A specific rate is charged per litre or per piece, and the item's quantity is not in such a unit."),
    ("TAR_004", "No VAT measure covers the commodity code on the assessment date."),
    ("TAR_005", "An amount of the calculation is out of the range of decimal arithmetic."),
];

/// Litre-based units of quantity (UN/ECE Rec. 20) and the litres in one unit.
const LITRE_UNITS: &[(&str, Decimal)] =
    &[("LTR", Decimal::ONE), ("HLT", Decimal::ONE_HUNDRED), ("MLT", Decimal::from_parts(1, 0, 0, false, 3))];

/// Pieces in one dozen, the one count unit that is not one piece.
const DOZEN: Decimal = Decimal::from_parts(12, 0, 0, false, 0);

/// The duties and taxes of a declaration, in EUR, with every figure behind them.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct DutyAssessment {
    /// Currency of every amount: always `EUR`.
    #[schema(value_type = String, example = "EUR")]
    pub currency: CurrencyCode,
    /// The date whose measures and exchange rates were applied.
    pub date: NaiveDate,
    /// One calculation per goods item, in declaration order.
    pub items: Vec<ItemDuties>,
    /// Sums over the items.
    pub totals: Totals,
}

impl DutyAssessment {
    /// The amount to pay or secure: duty, excise and VAT of every item.
    pub fn total(&self) -> Decimal {
        self.totals.total
    }
}

/// The calculation of one goods item.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct ItemDuties {
    /// The item number.
    pub sequence: u32,
    /// The commodity code declared.
    #[schema(example = "8517620000")]
    pub commodity_code: String,
    /// The country of origin declared.
    #[schema(value_type = String, example = "CN")]
    pub origin: CountryCode,
    /// The item price in the invoice currency.
    #[schema(value_type = String, example = "2500.00")]
    pub price: Decimal,
    /// Customs value in EUR: the price converted, rounded to the cent.
    #[schema(value_type = String, example = "2304.15")]
    pub customs_value: Decimal,
    /// The exchange rate used; `None` when the invoice is in EUR.
    pub exchange_rate: Option<AppliedRate>,
    /// Import duty.
    pub duty: AppliedMeasure,
    /// Excise duty, when an excise measure covers the goods.
    pub excise: Option<AppliedMeasure>,
    /// Import VAT, on customs value + duty + excise.
    pub vat: AppliedMeasure,
    /// Why a claimed preference was not granted (the conventional duty was applied instead).
    pub preference_refused: Option<String>,
}

/// An exchange rate as applied.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct AppliedRate {
    /// The invoice currency.
    #[schema(value_type = String, example = "USD")]
    pub currency: CurrencyCode,
    /// Units of the currency for 1 EUR; the customs value is the price divided by it.
    #[schema(value_type = String, example = "1.0850")]
    pub per_eur: Decimal,
    /// First day of the rate's period.
    pub valid_from: NaiveDate,
}

/// A measure as applied to one item.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct AppliedMeasure {
    /// The measure's id.
    pub measure_id: String,
    /// First day of the version applied.
    pub valid_from: NaiveDate,
    /// The measure's code (the longest that matched the commodity code; `""` for all goods).
    pub code: String,
    /// `erga_omnes` or the country group of a preferential rate.
    pub origin: Origin,
    /// The rate in its text form.
    pub rate: Rate,
    /// What the rate was applied to.
    pub base: TaxBase,
    /// The amount in EUR, rounded to the cent.
    #[schema(value_type = String, example = "276.50")]
    pub amount: Decimal,
    /// The regulation the measure rests on.
    pub legal_base: String,
}

/// What a rate was applied to: the value for an ad valorem part, quantities for specific parts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct TaxBase {
    /// Value in EUR, when the rate has an ad valorem part.
    #[schema(value_type = Option<String>, example = "2304.15")]
    pub value: Option<Decimal>,
    /// Quantities, one per unit the rate is charged in (empty for a purely ad valorem rate).
    pub quantities: Vec<Quantity>,
}

/// A quantity in the unit a specific rate is charged per.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Quantity {
    /// How many units.
    #[schema(value_type = String, example = "120.5")]
    pub amount: Decimal,
    /// The unit.
    pub unit: QuantityUnit,
}

/// Sums over all items, in EUR.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize, ToSchema)]
pub struct Totals {
    /// Sum of the customs values.
    #[schema(value_type = String)]
    pub customs_value: Decimal,
    /// Sum of the import duties.
    #[schema(value_type = String)]
    pub duty: Decimal,
    /// Sum of the excise duties.
    #[schema(value_type = String)]
    pub excise: Decimal,
    /// Sum of the import VAT.
    #[schema(value_type = String)]
    pub vat: Decimal,
    /// Duty + excise + VAT: the amount to pay or secure.
    #[schema(value_type = String)]
    pub total: Decimal,
}

/// Rounds an amount to the cent, half away from zero (0.005 → 0.01).
pub fn round_to_cent(amount: Decimal) -> Decimal {
    amount.round_dp_with_strategy(2, RoundingStrategy::MidpointAwayFromZero)
}

/// The measures chosen for one item before any amount is computed.
struct Plan<'a> {
    duty: &'a Measure,
    excise: Option<&'a Measure>,
    vat: &'a Measure,
    preference_refused: Option<String>,
}

fn reason(code: &str, path: String, message: String) -> Reason {
    Reason { code: code.to_string(), path: Some(path), message, args: Default::default() }
}

fn item_path(index: usize, field: &str) -> String {
    format!("$.items[{index}].{field}")
}

/// The item's quantity in `unit`: net mass for kilograms, the declared quantity converted for
/// litres and pieces; `None` when the item's unit of quantity is not of that kind.
pub fn item_quantity(item: &GoodsItem, unit: QuantityUnit) -> Option<Decimal> {
    let factor = match unit {
        QuantityUnit::Kilogram => return Some(item.net_mass),
        QuantityUnit::Litre => LITRE_UNITS.iter().find(|(u, _)| *u == item.unit).map(|(_, f)| *f),
        QuantityUnit::Piece if item.unit == "DZN" => Some(DOZEN),
        QuantityUnit::Piece => COUNT_UNITS.contains(&item.unit.as_str()).then_some(Decimal::ONE),
    };
    factor.and_then(|f| item.quantity.checked_mul(f))
}

impl Tariff {
    /// Assesses the duties and taxes of `declaration` with the measures and exchange rates in
    /// force on `date`. Whether they are payable (the procedure, an export) is the caller's
    /// decision. Returns every reason of every item when any figure cannot be computed; a
    /// preference that is not granted is not a reason (the item says why in
    /// `preference_refused`).
    pub fn assess(&self, declaration: &Declaration, date: NaiveDate) -> Result<DutyAssessment, Vec<Reason>> {
        let mut reasons = Vec::new();
        let conversion = match self.conversion(declaration.currency, date) {
            Ok(c) => Some(c),
            Err(r) => {
                reasons.push(r);
                None
            }
        };
        let mut items = Vec::with_capacity(declaration.items.len());
        for (i, item) in declaration.items.iter().enumerate() {
            match (self.plan(i, item, date), conversion) {
                (Ok(plan), Some(rate)) => match compute(i, item, &plan, rate) {
                    Ok(duties) => items.push(duties),
                    Err(r) => reasons.push(r),
                },
                (Err(r), _) => reasons.extend(r),
                (Ok(_), None) => {}
            }
        }
        if !reasons.is_empty() {
            return Err(reasons);
        }
        let totals = totals(&items).ok_or_else(|| {
            vec![reason("TAR_005", "$.items".into(), "The totals of the declaration are out of range.".into())]
        })?;
        let currency = CurrencyCode::parse(NATIONAL_CURRENCY).unwrap_or(declaration.currency);
        Ok(DutyAssessment { currency, date, items, totals })
    }

    /// The exchange rate for the invoice currency: `Ok(None)` for EUR.
    fn conversion(&self, currency: CurrencyCode, date: NaiveDate) -> Result<Option<&ExchangeRate>, Reason> {
        if currency.as_str() == NATIONAL_CURRENCY {
            return Ok(None);
        }
        self.exchange_rate(currency, date).map(Some).ok_or_else(|| {
            reason(
                "TAR_002",
                "$.invoice.currency".into(),
                format!("No exchange rate for {currency} is in force on {date}; the customs value cannot be converted to EUR."),
            )
        })
    }

    /// Chooses the measures for item `index` and checks that the quantities they need are there.
    fn plan(&self, index: usize, item: &GoodsItem, date: NaiveDate) -> Result<Plan<'_>, Vec<Reason>> {
        let code = item.commodity_code.as_str();
        let mut reasons = Vec::new();
        let (duty, preference_refused) = self.duty_measure(item, date);
        let excise = self.erga_omnes(MeasureKind::Excise, code, date);
        let vat = self.erga_omnes(MeasureKind::Vat, code, date);
        if duty.is_none() {
            reasons.push(reason(
                "TAR_001",
                item_path(index, "commodity_code"),
                format!("No import-duty measure covers commodity code {code} on {date}."),
            ));
        }
        if vat.is_none() {
            reasons.push(reason(
                "TAR_004",
                item_path(index, "commodity_code"),
                format!("No VAT measure covers commodity code {code} on {date}."),
            ));
        }
        for m in [duty, excise, vat].into_iter().flatten() {
            reasons.extend(missing_quantities(index, item, m));
        }
        match (duty, vat) {
            (Some(duty), Some(vat)) if reasons.is_empty() => Ok(Plan { duty, excise, vat, preference_refused }),
            _ => Err(reasons),
        }
    }

    /// The import-duty measure for the item and, when a claimed preference is not granted, why.
    fn duty_measure(&self, item: &GoodsItem, date: NaiveDate) -> (Option<&Measure>, Option<String>) {
        let conventional = self.erga_omnes(MeasureKind::ImportDuty, item.commodity_code.as_str(), date);
        if !is_preferential(&item.preference) {
            return (conventional, None);
        }
        match self.preference(item, date) {
            Ok(m) => (Some(m), None),
            Err(why) => (conventional, Some(why)),
        }
    }

    /// The preferential measure the item is entitled to: the longest-matching one for a group
    /// containing its origin whose proof of origin is attached.
    fn preference(&self, item: &GoodsItem, date: NaiveDate) -> Result<&Measure, String> {
        let code = item.commodity_code.as_str();
        let claim = &item.preference;
        let candidates = self.preferential(code, item.origin, date);
        let attached = |m: &&&Measure| m.proof_codes().any(|p| item.documents.iter().any(|d| d.kind == p));
        if let Some(m) = candidates.iter().find(attached) {
            return Ok(m);
        }
        let Some(first) = candidates.first() else {
            return Err(format!(
                "Preference {claim} is not granted: no preferential rate applies to {code} originating in {} on {date}. The conventional rate applies.",
                item.origin
            ));
        };
        let needed: Vec<&str> = first.proof_codes().collect();
        let mut listed: Vec<&str> = item.documents.iter().map(|d| d.kind.as_str()).collect();
        listed.sort_unstable();
        listed.dedup();
        Err(format!(
            "Preference {claim} is not granted: the preferential rate {} of measure {} ({}) needs proof of origin {}, and the item lists {}. The conventional rate applies.",
            first.rate,
            first.id,
            first.origin,
            needed.join(" or "),
            if listed.is_empty() { "no document".to_string() } else { listed.join(", ") },
        ))
    }
}

/// TAR_003 for each unit the measure's rate needs that the item has no quantity in.
fn missing_quantities(index: usize, item: &GoodsItem, m: &Measure) -> Vec<Reason> {
    m.rate
        .quantity_units()
        .into_iter()
        .filter(|&u| item_quantity(item, u).is_none())
        .map(|u| {
            let units = match u {
                QuantityUnit::Litre => "LTR, HLT or MLT".to_string(),
                _ => format!("a count unit such as NAR or PCE ({} or DZN)", COUNT_UNITS.join(", ")),
            };
            reason(
                "TAR_003",
                item_path(index, "unit"),
                format!(
                    "Measure {} charges {} per {}, but the quantity is in {}; declare it in {units}.",
                    m.id,
                    m.rate,
                    u.name(),
                    item.unit
                ),
            )
        })
        .collect()
}

fn out_of_range(index: usize) -> Reason {
    reason(
        "TAR_005",
        item_path(index, "price"),
        "The duties of this item cannot be computed: an amount is out of range.".into(),
    )
}

/// Computes the item's figures along the plan: value, duty, excise, then VAT on their sum.
fn compute(index: usize, item: &GoodsItem, plan: &Plan<'_>, rate: Option<&ExchangeRate>) -> Result<ItemDuties, Reason> {
    let converted = match rate {
        Some(r) => item.price.checked_div(r.per_eur),
        None => Some(item.price),
    };
    let customs_value = converted.map(round_to_cent).ok_or_else(|| out_of_range(index))?;
    let duty = apply(plan.duty, customs_value, item).ok_or_else(|| out_of_range(index))?;
    let excise = match plan.excise {
        Some(m) => Some(apply(m, customs_value, item).ok_or_else(|| out_of_range(index))?),
        None => None,
    };
    let excise_amount = excise.as_ref().map_or(Decimal::ZERO, |e| e.amount);
    let vat_base = customs_value
        .checked_add(duty.amount)
        .and_then(|v| v.checked_add(excise_amount))
        .ok_or_else(|| out_of_range(index))?;
    let vat = apply(plan.vat, vat_base, item).ok_or_else(|| out_of_range(index))?;
    Ok(ItemDuties {
        sequence: item.sequence,
        commodity_code: item.commodity_code.to_string(),
        origin: item.origin,
        price: item.price,
        customs_value,
        exchange_rate: rate.map(|r| AppliedRate { currency: r.currency, per_eur: r.per_eur, valid_from: r.valid_from }),
        duty,
        excise,
        vat,
        preference_refused: plan.preference_refused.clone(),
    })
}

/// Applies the measure's rate to `value` and the item's quantities, rounding to the cent.
fn apply(m: &Measure, value: Decimal, item: &GoodsItem) -> Option<AppliedMeasure> {
    let amount = round_to_cent(m.rate.amount(value, |u| item_quantity(item, u))?);
    let quantities = m
        .rate
        .quantity_units()
        .into_iter()
        .map(|unit| item_quantity(item, unit).map(|amount| Quantity { amount, unit }))
        .collect::<Option<Vec<_>>>()?;
    Some(AppliedMeasure {
        measure_id: m.id.clone(),
        valid_from: m.valid_from,
        code: m.code.clone(),
        origin: m.origin.clone(),
        rate: m.rate,
        base: TaxBase { value: m.rate.has_ad_valorem().then_some(value), quantities },
        amount,
        legal_base: m.legal_base.clone(),
    })
}

/// Sums the rounded item figures; `None` on overflow.
fn totals(items: &[ItemDuties]) -> Option<Totals> {
    let mut t = Totals::default();
    for i in items {
        let excise = i.excise.as_ref().map_or(Decimal::ZERO, |e| e.amount);
        t.customs_value = t.customs_value.checked_add(i.customs_value)?;
        t.duty = t.duty.checked_add(i.duty.amount)?;
        t.excise = t.excise.checked_add(excise)?;
        t.vat = t.vat.checked_add(i.vat.amount)?;
    }
    t.total = t.duty.checked_add(t.excise)?.checked_add(t.vat)?;
    Some(t)
}
