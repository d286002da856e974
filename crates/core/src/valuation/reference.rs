//! The price reference: observed unit values grouped by HS subheading and origin, reduced to
//! robust statistics once, then looked up per goods item.

use std::collections::HashMap;

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::check::Basis;
use super::stats::Statistics;
use crate::codes::{CountryCode, COUNT_UNITS};
use crate::declaration::GoodsItem;

/// Fewest observations a group needs before its statistics are used. Below it, a median says
/// more about the few traders in the group than about the price of the goods.
pub const MIN_OBSERVATIONS: u32 = 5;

/// Where an observation comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Source {
    /// The labelled Korea Customs Service import declarations (`train.csv`), rows not labelled
    /// as fraud.
    Kcs,
    /// A declaration registered on this platform.
    Declaration,
}

impl Source {
    /// Stable lower-case name, as stored.
    pub fn as_str(self) -> &'static str {
        match self {
            Source::Kcs => "kcs",
            Source::Declaration => "declaration",
        }
    }

    /// Parses the stored name.
    pub fn parse(name: &str) -> Option<Source> {
        [Source::Kcs, Source::Declaration].into_iter().find(|s| s.as_str() == name)
    }
}

/// One observed customs value of a goods item, as unit values in EUR.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Observation {
    /// The six-digit HS subheading.
    pub hs6: String,
    /// Country of origin.
    #[schema(value_type = String, example = "CN")]
    pub origin: CountryCode,
    /// Customs value per kilogram of net mass, EUR; `None` when the net mass is zero.
    #[schema(value_type = Option<String>, example = "3.25")]
    pub value_per_kg: Option<Decimal>,
    /// Customs value per unit, EUR; only when the quantity is in a count unit
    /// (`codes::lists::COUNT_UNITS`) and not zero.
    #[schema(value_type = Option<String>, example = "120.5")]
    pub value_per_unit: Option<Decimal>,
    /// Where the observation comes from.
    pub source: Source,
}

impl Observation {
    /// The observation made by a registered goods item whose customs value is
    /// `customs_value_eur`.
    pub fn from_item(item: &GoodsItem, customs_value_eur: Decimal, source: Source) -> Observation {
        Observation {
            hs6: item.commodity_code.hs6().to_string(),
            origin: item.origin,
            value_per_kg: per_kg(item, customs_value_eur),
            value_per_unit: per_unit(item, customs_value_eur),
            source,
        }
    }
}

/// Customs value per kilogram of the item, `None` without net mass.
pub(crate) fn per_kg(item: &GoodsItem, customs_value_eur: Decimal) -> Option<Decimal> {
    positive(item.net_mass).and_then(|mass| customs_value_eur.checked_div(mass))
}

/// Customs value per unit of the item, `None` unless its quantity is a number of pieces.
pub(crate) fn per_unit(item: &GoodsItem, customs_value_eur: Decimal) -> Option<Decimal> {
    let counted = COUNT_UNITS.contains(&item.unit.as_str());
    positive(item.quantity).filter(|_| counted).and_then(|quantity| customs_value_eur.checked_div(quantity))
}

fn positive(value: Decimal) -> Option<Decimal> {
    (value > Decimal::ZERO).then_some(value)
}

/// Which observations a set of reference figures summarises.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Group {
    /// The subheading from the item's own country of origin.
    Origin,
    /// The subheading from every origin: used when the origin has too few observations.
    AllOrigins,
}

/// The reference figures of one group: a subheading from one origin, or from all origins.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct ReferenceFigures {
    /// The six-digit HS subheading.
    pub hs6: String,
    /// The origin of the group; `None` for all origins.
    #[schema(value_type = Option<String>, example = "CN")]
    pub origin: Option<CountryCode>,
    /// Statistics of the value per kilogram, EUR; `None` with fewer than [`MIN_OBSERVATIONS`].
    pub per_kg: Option<Statistics>,
    /// Statistics of the value per unit, EUR; `None` with fewer than [`MIN_OBSERVATIONS`].
    pub per_unit: Option<Statistics>,
}

impl ReferenceFigures {
    /// Whether these figures are origin-specific or for all origins.
    pub fn group(&self) -> Group {
        match self.origin {
            Some(_) => Group::Origin,
            None => Group::AllOrigins,
        }
    }

    /// The statistics on one basis, `None` when the group has too few observations on it.
    pub fn statistics(&self, basis: Basis) -> Option<&Statistics> {
        match basis {
            Basis::Kg => self.per_kg.as_ref(),
            Basis::Unit => self.per_unit.as_ref(),
        }
    }

    fn new(hs6: &str, origin: Option<CountryCode>, values: &mut Values) -> Option<ReferenceFigures> {
        let usable = |values: &mut Vec<Decimal>| {
            (values.len() >= MIN_OBSERVATIONS as usize).then(|| Statistics::of(values)).flatten()
        };
        let per_kg = usable(&mut values.per_kg);
        let per_unit = usable(&mut values.per_unit);
        (per_kg.is_some() || per_unit.is_some()).then(|| ReferenceFigures {
            hs6: hs6.to_string(),
            origin,
            per_kg,
            per_unit,
        })
    }
}

/// The reference of one subheading: its figures over all origins and per origin.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Subheading {
    pub(crate) all_origins: ReferenceFigures,
    pub(crate) by_origin: HashMap<CountryCode, ReferenceFigures>,
}

/// Reference unit values per HS subheading and origin, built from observations.
///
/// Building sorts each group once; looking up is two hash lookups. The reference holds only
/// groups with at least [`MIN_OBSERVATIONS`] observations on one basis (per kg or per unit).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct PriceReference {
    pub(crate) subheadings: HashMap<String, Subheading>,
}

/// The unit values of one group, before they are reduced to statistics.
#[derive(Debug, Default)]
struct Values {
    per_kg: Vec<Decimal>,
    per_unit: Vec<Decimal>,
}

impl Values {
    fn push(&mut self, per_kg: Option<Decimal>, per_unit: Option<Decimal>) {
        self.per_kg.extend(per_kg.and_then(positive));
        self.per_unit.extend(per_unit.and_then(positive));
    }

    fn append(&mut self, other: &Values) {
        self.per_kg.extend_from_slice(&other.per_kg);
        self.per_unit.extend_from_slice(&other.per_unit);
    }
}

impl PriceReference {
    /// Builds the reference. Values of zero or less (free samples, bad data) are left out.
    pub fn build(observations: impl IntoIterator<Item = Observation>) -> PriceReference {
        let mut groups: HashMap<String, HashMap<CountryCode, Values>> = HashMap::new();
        for Observation { hs6, origin, value_per_kg, value_per_unit, .. } in observations {
            // The key moves out of the observation, so grouping allocates nothing per observation.
            groups.entry(hs6).or_default().entry(origin).or_default().push(value_per_kg, value_per_unit);
        }
        let subheadings =
            groups.into_iter().filter_map(|(hs6, origins)| subheading(&hs6, origins).map(|s| (hs6, s))).collect();
        PriceReference { subheadings }
    }

    /// The figures for goods of subheading `hs6` from `origin`: the origin's own group when it
    /// has enough observations, else the group of all origins (see [`ReferenceFigures::group`]);
    /// `None` when the subheading has too few observations.
    pub fn lookup(&self, hs6: &str, origin: CountryCode) -> Option<&ReferenceFigures> {
        let subheading = self.subheadings.get(hs6)?;
        Some(subheading.by_origin.get(&origin).unwrap_or(&subheading.all_origins))
    }

    /// The origin-specific figures and the all-origins figures of a subheading, in that order
    /// of preference; either may be absent.
    pub(crate) fn candidates(&self, hs6: &str, origin: CountryCode) -> [Option<&ReferenceFigures>; 2] {
        let subheading = self.subheadings.get(hs6);
        [subheading.and_then(|s| s.by_origin.get(&origin)), subheading.map(|s| &s.all_origins)]
    }

    /// Number of subheadings with reference figures.
    pub fn len(&self) -> usize {
        self.subheadings.len()
    }

    /// True when no subheading has reference figures.
    pub fn is_empty(&self) -> bool {
        self.subheadings.is_empty()
    }
}

/// Reduces the groups of one subheading; `None` when even all origins together are too few.
fn subheading(hs6: &str, origins: HashMap<CountryCode, Values>) -> Option<Subheading> {
    let mut all = Values::default();
    origins.values().for_each(|values| all.append(values));
    let all_origins = ReferenceFigures::new(hs6, None, &mut all)?;
    let by_origin = origins
        .into_iter()
        .filter_map(|(origin, mut values)| Some((origin, ReferenceFigures::new(hs6, Some(origin), &mut values)?)))
        .collect();
    Some(Subheading { all_origins, by_origin })
}
