//! The demo tariff shipped in `data/tariff/demo.json`: illustrative figures modelled on the EU
//! Common Customs Tariff and German VAT and excise, not legal rates.

use super::import::TariffFile;

const DEMO_JSON: &str = include_str!("../../../../data/tariff/demo.json");

/// The demo tariff file (measures, country groups, exchange rates). A test checks that it
/// parses and that `Tariff::new` accepts it, so an empty file here means a broken build.
pub fn demo() -> TariffFile {
    serde_json::from_str(DEMO_JSON).unwrap_or_default()
}
