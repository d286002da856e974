//! Code lists used by declarations: ISO 3166 countries, ISO 4217 currencies, the HS 2022
//! nomenclature, transport modes, procedure codes and the smaller lists FLC checks against.
//! All lists are compiled into the binary; nothing is read at run time.

mod country;
mod currency;
mod hs;
mod lists;

pub use country::CountryCode;
pub use currency::CurrencyCode;
pub use hs::{HsCode, HsEntry, Nomenclature};
pub use lists::*;
