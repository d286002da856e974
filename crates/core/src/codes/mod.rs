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

/// Splits one CSV line with double-quoted fields (`""` escapes a quote); a quoted field left
/// open is an error (fields cannot span lines).
pub(crate) fn split_csv_line(line: &str) -> Result<Vec<String>, String> {
    let mut fields = Vec::new();
    let mut field = String::new();
    let mut quoted = false;
    let mut chars = line.chars().peekable();
    while let Some(c) = chars.next() {
        match (c, quoted) {
            ('"', true) if chars.peek() == Some(&'"') => {
                field.push('"');
                chars.next();
            }
            ('"', _) => quoted = !quoted,
            (',', false) => fields.push(std::mem::take(&mut field)),
            _ => field.push(c),
        }
    }
    if quoted {
        return Err("a quoted field is not closed (fields cannot span lines)".into());
    }
    fields.push(field);
    Ok(fields)
}
