//! The price reference of the customs value check: released declarations add their item
//! values to the stored observations, and the reference is rebuilt from all observations.

use rust_decimal::Decimal;

use smartcustoms_core::declaration::DeclarationDoc;
use smartcustoms_core::valuation::{Observation, PriceReference, Source};
use smartcustoms_storage::{PriceRow, Store, StoreResult};

/// Collects observations from newly released declarations, then builds the reference from
/// every stored observation.
pub async fn refresh(store: &dyn Store) -> StoreResult<PriceReference> {
    collect(store).await?;
    rebuild(store).await
}

/// Adds the items of declarations released since the price cursor to the observations; returns
/// how many were added. The cursor moves by compare-and-set, so when two processes collect at
/// once, the second one's page is refused whole and nothing is counted twice.
pub async fn collect(store: &dyn Store) -> StoreResult<u64> {
    let mut added = 0;
    loop {
        let from = store.price_cursor().await?;
        let sources = store.price_sources(&from, 2_000).await?;
        let Some(last) = sources.last().map(|s| s.id.clone()) else { return Ok(added) };
        let rows: Vec<PriceRow> = sources.iter().flat_map(|s| observations(&s.document, s.duties.as_deref())).collect();
        added += store.add_price_observations(&rows, Some((&from, &last))).await?;
    }
}

/// Builds the reference from every stored observation.
pub async fn rebuild(store: &dyn Store) -> StoreResult<PriceReference> {
    let observations = store.price_observations().await?.into_iter().filter_map(observation);
    Ok(PriceReference::build(observations))
}

/// The observations of one released declaration: per item, its customs value (from the
/// stored calculation) over its mass and, for count units, its quantity.
pub fn observations(document: &[u8], duties: Option<&str>) -> Vec<PriceRow> {
    let (Ok(doc), Some(Ok(stored))) = (
        DeclarationDoc::from_json(document),
        duties.map(|d| smartcustoms_storage::read_document::<crate::app::risk::StoredDuties>(d, "stored duties")),
    ) else {
        return Vec::new();
    };
    let items = doc.items.unwrap_or_default();
    items
        .iter()
        .zip(&stored.calculation.items)
        .filter_map(|(item, calc)| {
            let hs6 = item.commodity_code.as_deref()?.get(..6)?.to_string();
            let origin = item.origin.clone()?;
            let per = |d: Option<Decimal>| d.filter(|d| !d.is_zero()).and_then(|d| calc.customs_value.checked_div(d));
            let count_unit = item.unit.as_deref().is_some_and(|u| smartcustoms_core::codes::COUNT_UNITS.contains(&u));
            Some(PriceRow {
                hs6,
                origin,
                value_per_kg: per(item.net_mass).map(|v| v.round_dp(6)),
                value_per_unit: if count_unit { per(item.quantity).map(|v| v.round_dp(6)) } else { None },
                source: Source::Declaration.as_str().to_string(),
            })
        })
        .collect()
}

/// A stored row as an observation (rows with an unknown origin or source are skipped).
fn observation(row: PriceRow) -> Option<Observation> {
    Some(Observation {
        hs6: row.hs6,
        origin: smartcustoms_core::codes::CountryCode::parse(&row.origin)?,
        value_per_kg: row.value_per_kg,
        value_per_unit: row.value_per_unit,
        source: Source::parse(&row.source)?,
    })
}

/// The rows to store for observations imported from a file.
pub fn rows_of(observations: &[Observation]) -> Vec<PriceRow> {
    observations
        .iter()
        .map(|o| PriceRow {
            hs6: o.hs6.clone(),
            origin: o.origin.to_string(),
            value_per_kg: o.value_per_kg,
            value_per_unit: o.value_per_unit,
            source: o.source.as_str().to_string(),
        })
        .collect()
}
