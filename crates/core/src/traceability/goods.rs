//! Which goods are traced and in what unit, and the quantities of traced goods.
//!
//! The list is data ([`TRACED_GOODS`]): an HS prefix, a name and the unit of account. A
//! commodity code is traced when it starts with one of the prefixes; the longest matching
//! prefix decides, so that a narrower entry can give a subheading another unit than its
//! heading. Units are the UN/ECE Recommendation 20 codes the goods declaration already uses for
//! its supplementary quantity, so a declared item is taken as declared, without conversion.

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::codes::HsCode;

/// A unit in which traced goods are accounted for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub enum Unit {
    /// Pieces (`p/st`), UN/ECE `NAR`; also sent as `H87`, `PCE` or `C62`.
    Pieces,
    /// Pairs (`pa`), UN/ECE `NPR`; also sent as `PR`.
    Pairs,
    /// Packs, UN/ECE `NMP`: medicines are traced by the pack sold to the patient.
    Packs,
    /// Kilograms, UN/ECE `KGM`.
    Kilograms,
    /// Litres, UN/ECE `LTR`.
    Litres,
    /// Square metres, UN/ECE `MTK`.
    SquareMetres,
}

impl Unit {
    /// Every unit.
    pub const ALL: [Unit; 6] =
        [Unit::Pieces, Unit::Pairs, Unit::Packs, Unit::Kilograms, Unit::Litres, Unit::SquareMetres];

    /// The UN/ECE Rec. 20 code the unit is stored and sent back as.
    pub fn code(self) -> &'static str {
        match self {
            Unit::Pieces => "NAR",
            Unit::Pairs => "NPR",
            Unit::Packs => "NMP",
            Unit::Kilograms => "KGM",
            Unit::Litres => "LTR",
            Unit::SquareMetres => "MTK",
        }
    }

    /// Other codes that mean the same unit: traders and declarations send the legacy and
    /// generic codes for a piece or a pair, and refusing them would only make them resend.
    pub fn aliases(self) -> &'static [&'static str] {
        match self {
            Unit::Pieces => &["H87", "PCE", "C62"],
            Unit::Pairs => &["PR"],
            Unit::Packs | Unit::Kilograms | Unit::Litres | Unit::SquareMetres => &[],
        }
    }

    /// The short label tariffs print (`p/st`, `pa`, `kg` …).
    pub fn label(self) -> &'static str {
        match self {
            Unit::Pieces => "p/st",
            Unit::Pairs => "pa",
            Unit::Packs => "packs",
            Unit::Kilograms => "kg",
            Unit::Litres => "l",
            Unit::SquareMetres => "m²",
        }
    }

    /// Decimals a quantity may have: things counted are whole; a gram, a millilitre and a
    /// square decimetre are the finest the trade accounts in.
    pub fn decimals(self) -> u32 {
        match self {
            Unit::Pieces | Unit::Pairs | Unit::Packs => 0,
            Unit::SquareMetres => 2,
            Unit::Kilograms | Unit::Litres => 3,
        }
    }

    /// The unit with this code or alias.
    pub fn from_code(code: &str) -> Option<Unit> {
        Unit::ALL.into_iter().find(|u| u.code() == code || u.aliases().contains(&code))
    }
}

impl std::fmt::Display for Unit {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.code())
    }
}

impl ToSchema for Unit {}
impl utoipa::PartialSchema for Unit {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        utoipa::openapi::ObjectBuilder::new()
            .schema_type(utoipa::openapi::schema::Type::String)
            .enum_values(Some(Unit::ALL.map(Unit::code)))
            .description(Some("UN/ECE Rec. 20 code of the unit; H87, PCE, C62 and PR are read as NAR and NPR."))
            .into()
    }
}

impl TryFrom<String> for Unit {
    type Error = String;

    fn try_from(code: String) -> Result<Self, String> {
        Unit::from_code(&code).ok_or_else(|| format!("{code:?} is not a unit goods are traced in"))
    }
}

impl From<Unit> for String {
    fn from(unit: Unit) -> String {
        unit.code().to_string()
    }
}

/// An entry of the list of traced goods.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
pub struct TracedGoods {
    /// The HS prefix, 4 to 10 digits; every commodity code starting with it is traced.
    pub prefix: &'static str,
    /// What the goods are, in plain language.
    pub name: &'static str,
    /// The unit the goods are accounted for in.
    pub unit: Unit,
}

const fn traced(prefix: &'static str, name: &'static str, unit: Unit) -> TracedGoods {
    TracedGoods { prefix, name, unit }
}

/// Goods subject to traceability, by HS prefix: the goods of the EAEU traceability list
/// (refrigerators, washing machines, monitors and television receivers, earth-moving
/// machinery) and goods that national schemes trace the same way. The list is data: an
/// administration changes it here and the tests check every prefix against HS 2022.
pub const TRACED_GOODS: &[TracedGoods] = &[
    traced("160431", "Caviar", Unit::Kilograms),
    traced("2402", "Cigars, cheroots, cigarillos and cigarettes", Unit::Pieces),
    traced("3004", "Medicaments put up in measured doses or for retail sale", Unit::Packs),
    traced("3303", "Perfumes and toilet waters", Unit::Litres),
    traced("4011", "New pneumatic tyres, of rubber", Unit::Pieces),
    traced("4303", "Articles of apparel and clothing accessories, of furskin", Unit::Pieces),
    traced("5701", "Carpets, knotted", Unit::SquareMetres),
    traced("6403", "Footwear with uppers of leather", Unit::Pairs),
    traced("8418", "Refrigerators, freezers and heat pumps", Unit::Pieces),
    traced("8429", "Bulldozers, graders, excavators and other earth-moving machinery", Unit::Pieces),
    traced("8450", "Household or laundry-type washing machines", Unit::Pieces),
    traced("8528", "Monitors, projectors and television receivers", Unit::Pieces),
];

/// The entry a commodity code is traced under, `None` when its goods are not traced. The
/// longest matching prefix decides.
pub fn traced_goods(commodity_code: &HsCode) -> Option<&'static TracedGoods> {
    TRACED_GOODS.iter().filter(|g| commodity_code.as_str().starts_with(g.prefix)).max_by_key(|g| g.prefix.len())
}

/// The most one quantity may be: 10^12 units. Every balance of a batch is at most its initial
/// quantity, so sums of balances stay far below what a `Decimal` holds and never overflow.
pub const MAX_QUANTITY: Decimal = Decimal::from_parts(0xD4A5_1000, 0xE8, 0, false, 0);

/// A positive quantity of traced goods in its unit, with no more decimals than the unit allows
/// and at most [`MAX_QUANTITY`]. Only [`Quantity::new`] builds one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "QuantityDoc", into = "QuantityDoc")]
pub struct Quantity {
    amount: Decimal,
    unit: Unit,
}

/// The wire form of a quantity: `{"amount": "12", "unit": "NAR"}`.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct QuantityDoc {
    /// The amount, a decimal number.
    #[schema(value_type = String, example = "12")]
    pub amount: Decimal,
    /// The unit's code.
    pub unit: Unit,
}

/// Why a figure is not a quantity of traced goods.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum QuantityError {
    /// Zero or negative.
    #[error("{0} is not a positive quantity")]
    NotPositive(Decimal),
    /// More decimals than the unit allows.
    #[error("{amount} {unit} has more than {decimals} decimals", decimals = unit.decimals())]
    TooFine {
        /// The figure.
        amount: Decimal,
        /// Its unit.
        unit: Unit,
    },
    /// Above [`MAX_QUANTITY`].
    #[error("{0} is above the largest quantity, 10^12")]
    TooLarge(Decimal),
}

impl Quantity {
    /// A quantity, when `amount` is positive, within the unit's decimals and at most
    /// [`MAX_QUANTITY`]. Trailing zeros are dropped, so `12.500` and `12.5` are the same.
    pub fn new(amount: Decimal, unit: Unit) -> Result<Quantity, QuantityError> {
        if amount <= Decimal::ZERO {
            return Err(QuantityError::NotPositive(amount));
        }
        if amount > MAX_QUANTITY {
            return Err(QuantityError::TooLarge(amount));
        }
        let amount = amount.normalize();
        if amount.scale() > unit.decimals() {
            return Err(QuantityError::TooFine { amount, unit });
        }
        Ok(Quantity { amount, unit })
    }

    /// The figure.
    pub fn amount(&self) -> Decimal {
        self.amount
    }

    /// The unit.
    pub fn unit(&self) -> Unit {
        self.unit
    }
}

impl std::fmt::Display for Quantity {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} {}", self.amount, self.unit.label())
    }
}

impl ToSchema for Quantity {}
impl utoipa::PartialSchema for Quantity {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        <QuantityDoc as utoipa::PartialSchema>::schema()
    }
}

impl TryFrom<QuantityDoc> for Quantity {
    type Error = QuantityError;

    fn try_from(doc: QuantityDoc) -> Result<Self, QuantityError> {
        Quantity::new(doc.amount, doc.unit)
    }
}

impl From<Quantity> for QuantityDoc {
    fn from(q: Quantity) -> QuantityDoc {
        QuantityDoc { amount: q.amount, unit: q.unit }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::codes::{find_code, Nomenclature, COUNT_UNITS, UNITS};
    use rust_decimal_macros::dec;

    fn hs(code: &str) -> HsCode {
        HsCode::parse(code).unwrap_or_else(|| panic!("test code {code}"))
    }

    #[test]
    fn refrigerators_and_tyres_are_traced_in_pieces_and_onions_are_not_traced() {
        assert_eq!(traced_goods(&hs("8418102001")).map(|g| g.unit), Some(Unit::Pieces));
        assert_eq!(traced_goods(&hs("401110")).map(|g| g.unit), Some(Unit::Pieces));
        assert_eq!(traced_goods(&hs("640391")).map(|g| g.unit), Some(Unit::Pairs));
        assert_eq!(traced_goods(&hs("300490")).map(|g| g.unit), Some(Unit::Packs));
        assert_eq!(traced_goods(&hs("160431")).map(|g| g.unit), Some(Unit::Kilograms));
        assert_eq!(traced_goods(&hs("160432")), None, "caviar substitutes are not caviar");
        assert_eq!(traced_goods(&hs("070310")), None);
    }

    #[test]
    fn every_prefix_is_digits_and_starts_some_hs_2022_subheading() {
        let subheadings: Vec<String> = Nomenclature::hs2022().subheadings().map(|e| e.code.clone()).collect();
        for g in TRACED_GOODS {
            assert!((4..=10).contains(&g.prefix.len()) && g.prefix.bytes().all(|b| b.is_ascii_digit()), "{}", g.prefix);
            let head = &g.prefix[..g.prefix.len().min(6)];
            assert!(subheadings.iter().any(|s| s.starts_with(head)), "{} starts no subheading", g.prefix);
        }
        assert!(TRACED_GOODS.windows(2).all(|w| w[0].prefix < w[1].prefix), "kept in code order, each once");
    }

    #[test]
    fn units_are_declaration_units_and_counted_units_are_whole() {
        for unit in Unit::ALL {
            for code in std::iter::once(unit.code()).chain(unit.aliases().iter().copied()) {
                assert!(find_code(UNITS, code).is_some(), "{code} is not a declaration unit");
                assert_eq!(Unit::from_code(code), Some(unit));
                assert_eq!(COUNT_UNITS.contains(&code), unit.decimals() == 0, "{code}");
            }
        }
        assert_eq!(Unit::from_code("KG"), None);
    }

    #[test]
    fn a_quantity_is_positive_within_its_unit_and_bounded() {
        assert_eq!(MAX_QUANTITY, Decimal::from(1_000_000_000_000_i64));
        assert_eq!(Quantity::new(dec!(12.000), Unit::Pieces).map(|q| q.amount().to_string()), Ok("12".into()));
        assert_eq!(Quantity::new(dec!(0), Unit::Kilograms), Err(QuantityError::NotPositive(dec!(0))));
        assert!(matches!(Quantity::new(dec!(-1), Unit::Kilograms), Err(QuantityError::NotPositive(_))));
        assert!(matches!(Quantity::new(dec!(1.5), Unit::Pieces), Err(QuantityError::TooFine { .. })));
        assert!(matches!(Quantity::new(dec!(1.005), Unit::SquareMetres), Err(QuantityError::TooFine { .. })));
        assert!(Quantity::new(dec!(1.005), Unit::Litres).is_ok());
        assert!(Quantity::new(MAX_QUANTITY, Unit::Pieces).is_ok());
        assert!(matches!(Quantity::new(MAX_QUANTITY + dec!(1), Unit::Pieces), Err(QuantityError::TooLarge(_))));
    }

    #[test]
    fn a_quantity_is_read_back_only_when_valid() -> Result<(), serde_json::Error> {
        let q = Quantity::new(dec!(2.5), Unit::Kilograms).unwrap_or_else(|e| panic!("{e}"));
        let json = serde_json::to_string(&q)?;
        assert_eq!(json, r#"{"amount":"2.5","unit":"KGM"}"#);
        assert_eq!(serde_json::from_str::<Quantity>(&json)?, q);
        assert!(serde_json::from_str::<Quantity>(r#"{"amount":"2.5","unit":"NAR"}"#).is_err());
        assert!(serde_json::from_str::<Quantity>(r#"{"amount":"2","unit":"XXX"}"#).is_err());
        assert_eq!(q.to_string(), "2.5 kg");
        Ok(())
    }
}
