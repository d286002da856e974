//! Rates of duty and tax, their text form and how they turn a value and a quantity into an
//! amount.
//!
//! The text form is what administrators write in a tariff file and what a calculation shows:
//!
//! ```text
//! rate     = form [ " min " specific ] [ " max " specific ]
//! form     = percent | specific | percent " + " specific | "max(" percent ", " specific ")"
//! percent  = decimal "%"                                   12%
//! specific = decimal " EUR/" [ whole number ] unit         2.50 EUR/kg, 90.00 EUR/1000p
//! unit     = "kg" (net mass) | "l" (litres) | "p" (pieces)
//! ```

use std::fmt;
use std::str::FromStr;

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// Largest percentage a rate may carry; anything above is a typing error.
const MAX_PERCENT: Decimal = Decimal::from_parts(10_000, 0, 0, false, 0);
/// Largest amount of a specific rate, EUR per quantity base.
const MAX_SPECIFIC: Decimal = Decimal::from_parts(1_000_000_000, 0, 0, false, 0);
/// Largest quantity base (`EUR/1000000p` at most).
const MAX_PER: u32 = 1_000_000;

/// What a specific rate is charged per.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum QuantityUnit {
    /// Kilograms of net mass (`kg`).
    Kilogram,
    /// Litres (`l`): the item's quantity in `LTR`, `HLT` or `MLT`.
    Litre,
    /// Pieces (`p`): the item's quantity in a count unit such as `NAR` or `PCE`.
    Piece,
}

impl QuantityUnit {
    /// The symbol used in the text form of a rate.
    pub fn symbol(self) -> &'static str {
        match self {
            QuantityUnit::Kilogram => "kg",
            QuantityUnit::Litre => "l",
            QuantityUnit::Piece => "p",
        }
    }

    /// The unit in plain words, for messages.
    pub fn name(self) -> &'static str {
        match self {
            QuantityUnit::Kilogram => "kilogram of net mass",
            QuantityUnit::Litre => "litre",
            QuantityUnit::Piece => "piece",
        }
    }
}

/// A specific rate: `amount` EUR per `per` units (e.g. 90.00 EUR per 1000 pieces).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SpecificRate {
    /// EUR charged per quantity base.
    pub amount: Decimal,
    /// Size of the quantity base: 1 for `EUR/kg`, 100 for `EUR/100kg`, 1000 for `EUR/1000p`.
    pub per: u32,
    /// Unit of the quantity base.
    pub unit: QuantityUnit,
}

impl SpecificRate {
    /// `amount` EUR per one `unit`.
    pub fn per_unit(amount: Decimal, unit: QuantityUnit) -> Self {
        SpecificRate { amount, per: 1, unit }
    }

    /// The charge for `quantity` units; `None` on arithmetic overflow.
    pub fn charge(&self, quantity: Decimal) -> Option<Decimal> {
        self.amount.checked_mul(quantity)?.checked_div(Decimal::from(self.per))
    }

    fn check(&self) -> Result<(), String> {
        if self.amount.is_sign_negative() || self.amount > MAX_SPECIFIC {
            return Err(format!("the amount {} EUR must be between 0 and {MAX_SPECIFIC}", self.amount));
        }
        if self.per == 0 || self.per > MAX_PER {
            return Err(format!("the quantity base {} must be between 1 and {MAX_PER}", self.per));
        }
        Ok(())
    }
}

impl fmt::Display for SpecificRate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} EUR/", self.amount)?;
        if self.per != 1 {
            write!(f, "{}", self.per)?;
        }
        f.write_str(self.unit.symbol())
    }
}

/// The form of a rate, without its minimum and maximum.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RateForm {
    /// A percentage of the value (`12%`).
    AdValorem(Decimal),
    /// An amount per quantity (`2.50 EUR/kg`).
    Specific(SpecificRate),
    /// A percentage plus an amount per quantity (`5% + 0.50 EUR/kg`).
    Mixed {
        /// The ad valorem part, percent.
        percent: Decimal,
        /// The specific part.
        specific: SpecificRate,
    },
    /// Whichever is higher: the percentage or the amount per quantity (`max(8%, 1.20 EUR/kg)`).
    HigherOf {
        /// The ad valorem alternative, percent.
        percent: Decimal,
        /// The specific alternative.
        specific: SpecificRate,
    },
}

/// A rate of duty or tax: its form and an optional minimum and maximum charge.
///
/// Serialised as its text form (`"5% + 0.50 EUR/kg"`), so tariff files and stored calculations
/// read the way the tariff is printed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Rate {
    /// The form.
    pub form: RateForm,
    /// The least that is charged, when the tariff sets one (`min 0.30 EUR/kg`).
    pub minimum: Option<SpecificRate>,
    /// The most that is charged, when the tariff sets one (`max 3.00 EUR/kg`).
    pub maximum: Option<SpecificRate>,
}

/// Why a text is not a rate.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct RateError(pub String);

impl Rate {
    /// A percentage of the value.
    pub fn ad_valorem(percent: Decimal) -> Self {
        Rate::from(RateForm::AdValorem(percent))
    }

    /// An amount per one unit of quantity.
    pub fn specific(amount: Decimal, unit: QuantityUnit) -> Self {
        Rate::from(RateForm::Specific(SpecificRate::per_unit(amount, unit)))
    }

    /// Parses the text form (see the module documentation).
    pub fn parse(text: &str) -> Result<Self, RateError> {
        let rate = Parser::new(text).rate()?;
        rate.check().map_err(RateError)?;
        Ok(rate)
    }

    /// True when the rate takes a percentage of the value.
    pub fn has_ad_valorem(&self) -> bool {
        !matches!(self.form, RateForm::Specific(_))
    }

    /// The units of quantity the rate needs, without repeats.
    pub fn quantity_units(&self) -> Vec<QuantityUnit> {
        let main = match self.form {
            RateForm::AdValorem(_) => None,
            RateForm::Specific(s) | RateForm::Mixed { specific: s, .. } | RateForm::HigherOf { specific: s, .. } => {
                Some(s)
            }
        };
        let mut units: Vec<QuantityUnit> =
            [main, self.minimum, self.maximum].into_iter().flatten().map(|s| s.unit).collect();
        units.sort_unstable();
        units.dedup();
        units
    }

    /// Checks that every figure is within bounds: percentages from 0 to 10 000, amounts not
    /// negative, quantity bases from 1, and the minimum not above a maximum in the same unit.
    pub fn check(&self) -> Result<(), String> {
        let percent = match self.form {
            RateForm::AdValorem(p) | RateForm::Mixed { percent: p, .. } | RateForm::HigherOf { percent: p, .. } => {
                Some(p)
            }
            RateForm::Specific(_) => None,
        };
        if let Some(p) = percent.filter(|p| p.is_sign_negative() || *p > MAX_PERCENT) {
            return Err(format!("the percentage {p}% must be between 0 and {MAX_PERCENT}"));
        }
        let specifics = match self.form {
            RateForm::AdValorem(_) => None,
            RateForm::Specific(s) | RateForm::Mixed { specific: s, .. } | RateForm::HigherOf { specific: s, .. } => {
                Some(s)
            }
        };
        for s in [specifics, self.minimum, self.maximum].into_iter().flatten() {
            s.check()?;
        }
        if let (Some(min), Some(max)) = (self.minimum, self.maximum) {
            let per_unit = |s: SpecificRate| s.amount / Decimal::from(s.per);
            if min.unit == max.unit && per_unit(min) > per_unit(max) {
                return Err(format!("the minimum {min} is above the maximum {max}"));
            }
        }
        Ok(())
    }

    /// The amount due on `value` (EUR) with `quantity` giving the quantity in each unit the rate
    /// needs, at full precision (the caller rounds). `None` when a needed quantity is missing
    /// or the arithmetic overflows.
    pub fn amount(&self, value: Decimal, quantity: impl Fn(QuantityUnit) -> Option<Decimal>) -> Option<Decimal> {
        let specific = |s: SpecificRate| quantity(s.unit).and_then(|q| s.charge(q));
        let ad_valorem = |p: Decimal| value.checked_mul(p)?.checked_div(Decimal::ONE_HUNDRED);
        let mut amount = match self.form {
            RateForm::AdValorem(p) => ad_valorem(p)?,
            RateForm::Specific(s) => specific(s)?,
            RateForm::Mixed { percent, specific: s } => ad_valorem(percent)?.checked_add(specific(s)?)?,
            RateForm::HigherOf { percent, specific: s } => ad_valorem(percent)?.max(specific(s)?),
        };
        if let Some(min) = self.minimum {
            amount = amount.max(specific(min)?);
        }
        if let Some(max) = self.maximum {
            amount = amount.min(specific(max)?);
        }
        Some(amount)
    }
}

impl From<RateForm> for Rate {
    fn from(form: RateForm) -> Self {
        Rate { form, minimum: None, maximum: None }
    }
}

impl fmt::Display for Rate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.form {
            RateForm::AdValorem(p) => write!(f, "{p}%")?,
            RateForm::Specific(s) => write!(f, "{s}")?,
            RateForm::Mixed { percent, specific } => write!(f, "{percent}% + {specific}")?,
            RateForm::HigherOf { percent, specific } => write!(f, "max({percent}%, {specific})")?,
        }
        if let Some(min) = self.minimum {
            write!(f, " min {min}")?;
        }
        if let Some(max) = self.maximum {
            write!(f, " max {max}")?;
        }
        Ok(())
    }
}

impl FromStr for Rate {
    type Err = RateError;
    fn from_str(s: &str) -> Result<Self, RateError> {
        Rate::parse(s)
    }
}

impl TryFrom<String> for Rate {
    type Error = RateError;
    fn try_from(s: String) -> Result<Self, RateError> {
        Rate::parse(&s)
    }
}

impl From<Rate> for String {
    fn from(r: Rate) -> String {
        r.to_string()
    }
}

impl utoipa::PartialSchema for Rate {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        utoipa::openapi::ObjectBuilder::new()
            .schema_type(utoipa::openapi::schema::Type::String)
            .description(Some(
                "A rate in its text form: `12%`, `2.50 EUR/kg`, `1.20 EUR/l`, `90.00 EUR/1000p`, \
                 `5% + 0.50 EUR/kg`, `max(8%, 1.20 EUR/kg)`, optionally followed by `min …` and `max …`.",
            ))
            .examples([serde_json::json!("5% + 0.50 EUR/kg")])
            .into()
    }
}

impl ToSchema for Rate {}

/// A hand-written recursive-descent parser over the text form; positions in messages are
/// 1-based character columns.
struct Parser<'a> {
    text: &'a str,
    pos: usize,
}

impl<'a> Parser<'a> {
    fn new(text: &'a str) -> Self {
        Parser { text, pos: 0 }
    }

    fn rest(&self) -> &'a str {
        self.text.get(self.pos..).unwrap_or("")
    }

    fn skip_spaces(&mut self) {
        let rest = self.rest();
        self.pos += rest.len() - rest.trim_start().len();
    }

    /// Consumes `token` (after any spaces) when it comes next.
    fn eat(&mut self, token: &str) -> bool {
        self.skip_spaces();
        if self.rest().starts_with(token) {
            self.pos += token.len();
            true
        } else {
            false
        }
    }

    fn error(&self, expected: &str) -> RateError {
        let column = self.text.get(..self.pos).map_or(0, |s| s.chars().count()) + 1;
        let found = match self.rest().chars().next() {
            Some(c) => format!("{c:?}"),
            None => "the end".to_string(),
        };
        RateError(format!("expected {expected} at column {column} of {:?}, found {found}", self.text))
    }

    fn expect(&mut self, token: &str) -> Result<(), RateError> {
        if self.eat(token) {
            Ok(())
        } else {
            Err(self.error(&format!("`{token}`")))
        }
    }

    fn decimal(&mut self) -> Result<Decimal, RateError> {
        self.skip_spaces();
        let rest = self.rest();
        let len = rest.find(|c: char| !(c.is_ascii_digit() || c == '.')).unwrap_or(rest.len());
        let digits = &rest[..len];
        let value = digits
            .starts_with(|c: char| c.is_ascii_digit())
            .then(|| Decimal::from_str(digits).ok())
            .flatten()
            .ok_or_else(|| self.error("a number such as 12 or 2.50"))?;
        self.pos += len;
        Ok(value)
    }

    fn whole_number(&mut self) -> Result<Option<u32>, RateError> {
        let rest = self.rest();
        let len = rest.find(|c: char| !c.is_ascii_digit()).unwrap_or(rest.len());
        if len == 0 {
            return Ok(None);
        }
        let value = rest[..len].parse().map_err(|_| self.error("a quantity base such as 100 or 1000"))?;
        self.pos += len;
        Ok(Some(value))
    }

    fn unit(&mut self) -> Result<QuantityUnit, RateError> {
        // `kg` before the one-letter units, and a unit must not run on into a word.
        for unit in [QuantityUnit::Kilogram, QuantityUnit::Litre, QuantityUnit::Piece] {
            let symbol = unit.symbol();
            let rest = self.rest();
            let ends = rest.get(symbol.len()..).is_none_or(|r| !r.starts_with(|c: char| c.is_alphanumeric()));
            if rest.starts_with(symbol) && ends {
                self.pos += symbol.len();
                return Ok(unit);
            }
        }
        Err(self.error("a unit: kg, l or p"))
    }

    /// The rest of a specific rate once its amount is read: ` EUR/` [base] unit.
    fn specific_after(&mut self, amount: Decimal) -> Result<SpecificRate, RateError> {
        self.expect("EUR/")?;
        self.skip_spaces();
        let per = self.whole_number()?.unwrap_or(1);
        self.skip_spaces();
        let unit = self.unit()?;
        Ok(SpecificRate { amount, per, unit })
    }

    fn specific(&mut self) -> Result<SpecificRate, RateError> {
        let amount = self.decimal()?;
        self.specific_after(amount)
    }

    fn percent(&mut self) -> Result<Decimal, RateError> {
        let value = self.decimal()?;
        self.expect("%")?;
        Ok(value)
    }

    fn form(&mut self) -> Result<RateForm, RateError> {
        if self.eat("max(") {
            let percent = self.percent()?;
            self.expect(",")?;
            let specific = self.specific()?;
            self.expect(")")?;
            return Ok(RateForm::HigherOf { percent, specific });
        }
        let number = self.decimal()?;
        if !self.eat("%") {
            return self.specific_after(number).map(RateForm::Specific);
        }
        if self.eat("+") {
            let specific = self.specific()?;
            return Ok(RateForm::Mixed { percent: number, specific });
        }
        Ok(RateForm::AdValorem(number))
    }

    fn rate(&mut self) -> Result<Rate, RateError> {
        let mut rate = Rate::from(self.form()?);
        if self.eat("min ") {
            rate.minimum = Some(self.specific()?);
        }
        if self.eat("max ") {
            rate.maximum = Some(self.specific()?);
        }
        self.skip_spaces();
        if !self.rest().is_empty() {
            return Err(self.error("the end of the rate, `min …` or `max …`"));
        }
        Ok(rate)
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;
    use rust_decimal_macros::dec;

    use super::*;

    fn check(text: &str, expect: Rate) {
        assert_eq!(Rate::parse(text), Ok(expect), "{text}");
        assert_eq!(expect.to_string(), text);
    }

    fn kg(amount: Decimal) -> SpecificRate {
        SpecificRate::per_unit(amount, QuantityUnit::Kilogram)
    }

    #[test]
    fn every_form_of_rate_reads_and_prints_the_same() {
        check("12%", Rate::ad_valorem(dec!(12)));
        check("2.50 EUR/kg", Rate::specific(dec!(2.50), QuantityUnit::Kilogram));
        check("1.20 EUR/l", Rate::specific(dec!(1.20), QuantityUnit::Litre));
        let per_thousand = SpecificRate { amount: dec!(90.00), per: 1000, unit: QuantityUnit::Piece };
        check("90.00 EUR/1000p", Rate::from(RateForm::Specific(per_thousand)));
        check("5% + 0.50 EUR/kg", Rate::from(RateForm::Mixed { percent: dec!(5), specific: kg(dec!(0.50)) }));
        check("max(8%, 1.20 EUR/kg)", Rate::from(RateForm::HigherOf { percent: dec!(8), specific: kg(dec!(1.20)) }));
        let bounded =
            Rate { minimum: Some(kg(dec!(0.30))), maximum: Some(kg(dec!(3.00))), ..Rate::ad_valorem(dec!(4.5)) };
        check("4.5% min 0.30 EUR/kg max 3.00 EUR/kg", bounded);
    }

    #[test]
    fn spaces_around_tokens_are_optional() {
        assert_eq!(Rate::parse(" 5 %+0.50 EUR/ 100 kg "), Rate::parse("5% + 0.50 EUR/100kg"));
        assert_eq!(Rate::parse("max( 8 % ,1.20 EUR/kg )"), Rate::parse("max(8%, 1.20 EUR/kg)"));
    }

    #[test]
    fn malformed_rates_say_what_was_expected_where() {
        let err = |t: &str| Rate::parse(t).err().map(|e| e.0).unwrap_or_default();
        assert!(err("12").contains("`EUR/` at column 3"), "{}", err("12"));
        assert!(err("2.50 EUR/kgs").contains("a unit"), "{}", err("2.50 EUR/kgs"));
        assert!(err("2.50 USD/kg").contains("`EUR/`"));
        assert!(err("max(8%, 1 EUR/kg").contains("`)`"));
        assert!(err("-5%").contains("a number"));
        assert!(err("5% 1").contains("the end of the rate"));
        assert!(err("").contains("found the end"));
        assert!(err("12000%").contains("between 0 and 10000"));
        assert!(err("1 EUR/0kg").contains("quantity base 0"));
        assert!(err("1% min 2 EUR/kg max 1 EUR/kg").contains("above the maximum"));
    }

    #[test]
    fn amounts_follow_the_form() {
        let value = dec!(1000);
        let q = |u: QuantityUnit| (u == QuantityUnit::Kilogram).then_some(dec!(50));
        let amount = |t: &str| Rate::parse(t).ok().and_then(|r| r.amount(value, q));
        assert_eq!(amount("12%"), Some(dec!(120)));
        assert_eq!(amount("2.50 EUR/kg"), Some(dec!(125)));
        assert_eq!(amount("12.80 EUR/100kg"), Some(dec!(6.4)));
        assert_eq!(amount("5% + 0.50 EUR/kg"), Some(dec!(75)));
        assert_eq!(amount("max(8%, 1.20 EUR/kg)"), Some(dec!(80)));
        assert_eq!(amount("max(5%, 1.20 EUR/kg)"), Some(dec!(60)));
        assert_eq!(amount("1% min 0.30 EUR/kg"), Some(dec!(15)));
        assert_eq!(amount("50% max 3 EUR/kg"), Some(dec!(150)));
        assert_eq!(amount("1.20 EUR/l"), None, "no litres known");
    }

    fn specific_strategy() -> impl Strategy<Value = SpecificRate> {
        let unit = prop_oneof![Just(QuantityUnit::Kilogram), Just(QuantityUnit::Litre), Just(QuantityUnit::Piece)];
        (0..1_000_000_000i64, 0..5u32, prop_oneof![Just(1u32), Just(100), Just(1000)], unit)
            .prop_map(|(m, scale, per, unit)| SpecificRate { amount: Decimal::new(m, scale), per, unit })
    }

    fn rate_strategy() -> impl Strategy<Value = Rate> {
        let percent = (0..100_000i64, 0..4u32).prop_map(|(m, s)| Decimal::new(m, s).min(MAX_PERCENT));
        let form = prop_oneof![
            percent.clone().prop_map(RateForm::AdValorem),
            specific_strategy().prop_map(RateForm::Specific),
            (percent.clone(), specific_strategy())
                .prop_map(|(percent, specific)| RateForm::Mixed { percent, specific }),
            (percent, specific_strategy()).prop_map(|(percent, specific)| RateForm::HigherOf { percent, specific }),
        ];
        (form, proptest::option::of(specific_strategy()), proptest::option::of(specific_strategy()))
            .prop_map(|(form, minimum, maximum)| Rate { form, minimum, maximum })
    }

    proptest! {
        #[test]
        fn printing_then_parsing_gives_the_same_rate(rate in rate_strategy()) {
            let text = rate.to_string();
            match Rate::parse(&text) {
                Ok(parsed) => prop_assert_eq!(parsed, rate),
                // Only the minimum-above-maximum check may refuse a printed rate.
                Err(e) => prop_assert!(rate.check().is_err(), "{} fails: {}", text, e),
            }
        }

        #[test]
        fn the_rate_parser_never_panics(text in "\\PC{0,40}") {
            let _ = Rate::parse(&text);
        }
    }
}
