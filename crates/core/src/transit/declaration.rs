//! The transit declaration: the wire document (`TransitDoc`, every field optional so that the
//! checks can report each missing one with its JSON path), the checked domain type
//! (`TransitDeclaration`, built only by [`super::check`]) and the key and equality that make a
//! filing idempotent by the filer's local reference.

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::codes::{CurrencyCode, HsCode};
use crate::declaration::{Party, PartyDoc, Transport, TransportDoc};
use crate::ids::{OfficeCode, TraderId};
use crate::timestamp::Timestamp;

/// A transit declaration as filed. Parties and transport have the shapes of the goods
/// declaration's (`PartyDoc`, `TransportDoc`); the vehicle is `transport.means_id`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TransitDoc {
    /// The filer's own reference of this filing (local reference number, LRN), 1 to 22
    /// characters; a filing sent again with the same reference is the same filing.
    pub local_reference: Option<String>,
    /// The holder of the transit procedure (the filer), responsible for the guarantee.
    pub declarant: Option<PartyDoc>,
    /// Office of departure (8 characters starting with its country, e.g. `DE005000`).
    pub office_of_departure: Option<String>,
    /// Office of destination.
    pub office_of_destination: Option<String>,
    /// The prescribed route and its corridor.
    pub route: Option<RouteDoc>,
    /// Time limit for presenting the goods at the office of destination (microseconds since
    /// the epoch, UTC).
    #[schema(value_type = Option<i64>)]
    pub time_limit_at_us: Option<Timestamp>,
    /// The carrier.
    pub carrier: Option<PartyDoc>,
    /// Mode of transport, the vehicle (plate or other identity) and its nationality.
    pub transport: Option<TransportDoc>,
    /// Identifiers of the seals (navigation seals or customs seals) affixed.
    pub seals: Option<Vec<String>>,
    /// How the duties at stake are secured.
    pub guarantee: Option<GuaranteeDoc>,
    /// Goods items, numbered from 1.
    pub items: Option<Vec<TransitItemDoc>>,
}

/// The route: waypoints in order, from departure to destination, and the corridor around it.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RouteDoc {
    /// Waypoints, at least two.
    pub waypoints: Option<Vec<WaypointDoc>>,
    /// Width of the corridor around the route in metres (100 to 50,000).
    pub corridor_m: Option<u32>,
}

/// A point of the route, WGS 84 degrees.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct WaypointDoc {
    /// Latitude, -90 to 90.
    pub lat: Option<f64>,
    /// Longitude, -180 to 180.
    pub lon: Option<f64>,
}

/// The guarantee as filed.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct GuaranteeDoc {
    /// `account` (reserved on the declarant's single personal account) or `certificate`.
    pub kind: Option<String>,
    /// The certificate's reference (certificate only).
    pub reference: Option<String>,
    /// The certificate's access code (certificate only); checked, never stored or shown.
    pub access_code: Option<String>,
}

/// A goods item of a transit declaration or of pre-arrival information.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TransitItemDoc {
    /// Item number, 1, 2, 3 … in order.
    pub sequence: Option<u32>,
    /// Commodity code, 6 to 10 digits; the first six are an HS 2022 subheading.
    pub commodity_code: Option<String>,
    /// Plain-language description of the goods.
    pub description: Option<String>,
    /// Gross mass in kilograms.
    #[schema(value_type = Option<String>, example = "1200.5")]
    pub gross_mass: Option<Decimal>,
    /// Value of the goods in `currency`.
    #[schema(value_type = Option<String>, example = "25000.00")]
    pub value: Option<Decimal>,
    /// ISO 4217 currency of the value.
    pub currency: Option<String>,
}

/// A transit declaration that passed the checks.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TransitDeclaration {
    /// The filer's local reference.
    pub local_reference: LocalReference,
    /// The holder of the procedure.
    pub declarant: Party,
    /// Office of departure.
    pub office_of_departure: OfficeCode,
    /// Office of destination, another office.
    pub office_of_destination: OfficeCode,
    /// The prescribed route.
    pub route: Route,
    /// Time limit at the office of destination.
    pub time_limit: Timestamp,
    /// The carrier.
    pub carrier: Party,
    /// Transport and vehicle.
    pub transport: Transport,
    /// Seal ids, each once, in the order filed.
    pub seals: Vec<String>,
    /// The form of the guarantee (the access code is not kept here).
    pub guarantee: GuaranteeForm,
    /// Goods items in sequence order.
    pub items: Vec<TransitItem>,
}

/// A checked route.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Route {
    /// Waypoints, at least two.
    pub waypoints: Vec<Waypoint>,
    /// Corridor width, metres.
    pub corridor_m: u32,
}

/// A checked waypoint, WGS 84 degrees.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Waypoint {
    /// Latitude.
    pub lat: f64,
    /// Longitude.
    pub lon: f64,
}

/// The form of a guarantee.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum GuaranteeForm {
    /// Reserved on the declarant's single personal account.
    Account,
    /// Drawn from a guarantee certificate.
    Certificate {
        /// The certificate's reference.
        reference: String,
    },
}

/// A checked goods item.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TransitItem {
    /// Item number.
    pub sequence: u32,
    /// Commodity code (the HS6 part known).
    pub commodity_code: HsCode,
    /// Description.
    pub description: String,
    /// Gross mass, kg.
    pub gross_mass: Decimal,
    /// Value.
    pub value: Decimal,
    /// Currency of the value.
    pub currency: CurrencyCode,
}

/// The filer's local reference: 1 to 22 letters, digits, `-`, `_`, `/` or `.`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, ToSchema)]
#[serde(try_from = "String", into = "String")]
#[schema(value_type = String)]
pub struct LocalReference(String);

impl LocalReference {
    /// Longest local reference, characters (the EU's `an..22`).
    pub const MAX_LEN: usize = 22;

    /// A local reference, when `text` has its form.
    pub fn parse(text: &str) -> Option<LocalReference> {
        let ok = (1..=Self::MAX_LEN).contains(&text.len())
            && text.bytes().all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'/' | b'.'));
        ok.then(|| LocalReference(text.to_string()))
    }

    /// The text form.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for LocalReference {
    type Error = String;

    fn try_from(text: String) -> Result<Self, String> {
        LocalReference::parse(&text).ok_or_else(|| format!("{text:?} is not a local reference"))
    }
}

impl From<LocalReference> for String {
    fn from(r: LocalReference) -> String {
        r.0
    }
}

/// What makes two filings the same filing: the filer and its local reference. The store keeps
/// one movement per key; a filing sent again under a key it knows is compared with the first
/// ([`resend`]).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct FilingKey {
    /// The authenticated filer.
    pub filer: TraderId,
    /// Its local reference.
    pub local_reference: LocalReference,
}

impl FilingKey {
    /// The key of a filing, when the document carries a well-formed local reference.
    pub fn of(filer: &TraderId, doc: &TransitDoc) -> Option<FilingKey> {
        let local_reference = LocalReference::parse(doc.local_reference.as_deref()?)?;
        Some(FilingKey { filer: filer.clone(), local_reference })
    }
}

/// A filing received again under a key the store knows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Resend {
    /// The same document: answer with the movement made from the first (its MRN).
    Same,
    /// Another document under the same reference: refused, naming the top-level fields that
    /// differ.
    Different {
        /// Field names, in document order.
        fields: Vec<&'static str>,
    },
}

/// Compares a filing sent again with the first one under the same key. Numbers compare by value
/// (`12.5` is `12.50`), everything else as sent: a re-sent filing is the same bytes of meaning,
/// not a corrected one.
pub fn resend(first: &TransitDoc, again: &TransitDoc) -> Resend {
    let mut fields = Vec::new();
    let mut differ = |name: &'static str, same: bool| {
        if !same {
            fields.push(name);
        }
    };
    differ("local_reference", first.local_reference == again.local_reference);
    differ("declarant", first.declarant == again.declarant);
    differ("office_of_departure", first.office_of_departure == again.office_of_departure);
    differ("office_of_destination", first.office_of_destination == again.office_of_destination);
    differ("route", first.route == again.route);
    differ("time_limit_at_us", first.time_limit_at_us == again.time_limit_at_us);
    differ("carrier", first.carrier == again.carrier);
    differ("transport", first.transport == again.transport);
    differ("seals", first.seals == again.seals);
    differ("guarantee", first.guarantee == again.guarantee);
    differ("items", first.items == again.items);
    if fields.is_empty() {
        Resend::Same
    } else {
        Resend::Different { fields }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal_macros::dec;

    fn doc() -> TransitDoc {
        TransitDoc {
            local_reference: Some("LRN-2026-0001".into()),
            seals: Some(vec!["SEAL1".into()]),
            items: Some(vec![TransitItemDoc { value: Some(dec!(12.5)), ..Default::default() }]),
            ..Default::default()
        }
    }

    #[test]
    fn local_references_are_short_plain_identifiers() {
        assert!(LocalReference::parse("LRN-2026/0001_a.b").is_some());
        for bad in ["", "with space", "x".repeat(23).as_str(), "ünïcode"] {
            assert!(LocalReference::parse(bad).is_none(), "{bad:?}");
        }
        assert!(serde_json::from_str::<LocalReference>("\"ok-1\"").is_ok());
        assert!(serde_json::from_str::<LocalReference>("\"not ok\"").is_err());
    }

    #[test]
    fn the_filing_key_is_the_filer_and_the_local_reference() {
        let filer = TraderId::new("DE123456789").unwrap_or_else(|e| panic!("{e}"));
        let key = FilingKey::of(&filer, &doc());
        assert_eq!(key.as_ref().map(|k| k.local_reference.as_str()), Some("LRN-2026-0001"));
        assert_eq!(key.map(|k| k.filer), Some(filer.clone()));
        assert_eq!(FilingKey::of(&filer, &TransitDoc::default()), None);
    }

    #[test]
    fn a_filing_sent_again_unchanged_is_the_same_even_with_other_decimals() {
        let mut again = doc();
        again.items = Some(vec![TransitItemDoc { value: Some(dec!(12.50)), ..Default::default() }]);
        assert_eq!(resend(&doc(), &again), Resend::Same);
    }

    #[test]
    fn a_changed_filing_under_the_same_reference_names_what_changed() {
        let mut again = doc();
        again.seals = Some(vec!["SEAL2".into()]);
        again.office_of_destination = Some("DE004000".into());
        assert_eq!(resend(&doc(), &again), Resend::Different { fields: vec!["office_of_destination", "seals"] });
    }

    #[test]
    fn unknown_fields_are_refused_on_the_wire() {
        assert!(serde_json::from_str::<TransitDoc>(r#"{"local_reference":"A","colour":"red"}"#).is_err());
        let parsed = serde_json::from_str::<TransitDoc>(r#"{"route":{"waypoints":[{"lat":52.5,"lon":13.4}]}}"#);
        assert_eq!(parsed.ok().and_then(|d| d.route).and_then(|r| r.waypoints).map(|w| w.len()), Some(1));
    }
}
