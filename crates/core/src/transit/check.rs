//! The format-logical checks of a transit declaration, and the field checks it shares with
//! pre-arrival information (parties, items, transport, offices).
//!
//! Like FLC, every field is parsed on its own into an `Option` that is `Some` only when the
//! field passed; rules between fields run on good values only, so one mistake is one finding.
//! The predicates and code lists are core's own: office codes (`OfficeCode`), countries,
//! currencies, the HS 2022 nomenclature, party ids and generic descriptions.

use std::collections::BTreeSet;
use std::sync::Arc;

use chrono::TimeDelta;
use rust_decimal::Decimal;

use crate::codes::{
    CountryCode, CurrencyCode, HsCode, TransportMode, EXTRA_PARTY_ID_PREFIXES, GENERIC_DESCRIPTIONS,
    THREE_DECIMAL_CURRENCIES,
};
use crate::declaration::{Party, PartyDoc, Transport, TransportDoc};
use crate::flc::{is_party_id, shown, Finding};
use crate::ids::OfficeCode;
use crate::timestamp::Timestamp;

use super::declaration::{
    GuaranteeDoc, GuaranteeForm, LocalReference, Route, RouteDoc, TransitDeclaration, TransitDoc, TransitItem,
    TransitItemDoc, Waypoint,
};
use super::guarantee::AccessCode;
use super::mrn::office_country;
use super::rules::{Findings, Rule};

/// Narrowest corridor, metres: GNSS error plus the width of a road.
pub const MIN_CORRIDOR_M: u32 = 100;
/// Widest corridor, metres: beyond it the route says nothing.
pub const MAX_CORRIDOR_M: u32 = 50_000;
/// Latest time limit, days after filing.
pub const MAX_TIME_LIMIT_DAYS: i64 = 30;
/// Most seals one transit lists.
pub const MAX_SEALS: usize = 99;
/// Most goods items one transit or pre-arrival lists.
pub const MAX_ITEMS: usize = 999;
/// Longest seal id, characters.
const MAX_SEAL_LEN: usize = 35;
/// Longest name, characters.
const NAME_LEN: usize = 70;
/// Longest reference (means of transport, transport document), characters.
pub(crate) const REFERENCE_LEN: usize = 35;
/// Longest description, characters.
const DESCRIPTION_LEN: usize = 512;
/// Shortest description, characters.
const MIN_DESCRIPTION: usize = 3;
/// Largest gross mass of one item, kg (the bulk ceiling of FLC).
const MASS_LIMIT: Decimal = Decimal::from_parts(500_000_000, 0, 0, false, 0);
/// Values stay below 10^14.
const VALUE_LIMIT: Decimal = Decimal::from_parts(0x107A_4000, 0x5AF3, 0, false, 0);

/// What the checks need to know besides the document.
#[derive(Debug, Clone)]
pub struct TransitContext {
    /// The time of filing (time limits are in the future of it).
    pub now: Timestamp,
    /// The administration's customs offices; empty means any well-formed code.
    pub offices: Arc<[OfficeCode]>,
}

/// A transit declaration that passed, with the access code of its certificate, if any, which
/// the guarantee check needs once and nothing keeps.
#[derive(Debug, Clone, PartialEq)]
pub struct Checked {
    /// The declaration.
    pub declaration: TransitDeclaration,
    /// The certificate's access code as filed.
    pub access_code: Option<AccessCode>,
}

/// Checks a transit declaration; returns it checked or every finding, in document order.
///
/// # Errors
///
/// Every finding, never an empty list, when a rule of [`super::rules`] is violated.
pub fn check(doc: &TransitDoc, ctx: &TransitContext) -> Result<Checked, Vec<Finding>> {
    let mut f = Findings::default();
    let local_reference = f
        .required(Rule::FieldMissing, "$.local_reference", doc.local_reference.as_deref(), "The local reference")
        .and_then(|r| local_reference(&mut f, "$.local_reference", r));
    let declarant = party(&mut f, "$.declarant", "declarant", doc.declarant.as_ref());
    let departure =
        office(&mut f, ctx, "$.office_of_departure", "office of departure", doc.office_of_departure.as_deref());
    let departure = departure.filter(|o| {
        let known = office_country(o).is_some();
        if !known {
            f.push(
                Rule::OfficeCountryMissing,
                "$.office_of_departure",
                format!("The office of departure {o} does not start with an ISO 3166 country code, which the movement reference number carries."),
                &[("office", o)],
            );
        }
        known
    });
    let destination =
        office(&mut f, ctx, "$.office_of_destination", "office of destination", doc.office_of_destination.as_deref());
    if let (Some(d), Some(e)) = (&departure, &destination) {
        if d == e {
            f.push(
                Rule::SameOffices,
                "$.office_of_destination",
                format!("The office of destination {e} is the office of departure; a transit moves goods to another office."),
                &[("office", e)],
            );
        }
    }
    let route = route(&mut f, doc.route.as_ref());
    let time_limit = time_limit(&mut f, ctx, doc.time_limit_at_us);
    let carrier = party(&mut f, "$.carrier", "carrier", doc.carrier.as_ref());
    let transport = f
        .required(Rule::FieldMissing, "$.transport", doc.transport.as_ref(), "The transport")
        .and_then(|t| transport(&mut f, "$.transport", t));
    let seals = seals(&mut f, doc.seals.as_deref());
    let guarantee = guarantee(&mut f, doc.guarantee.as_ref());
    let items = items(&mut f, "$.items", doc.items.as_deref());

    if !f.is_empty() {
        return Err(f.into_vec());
    }
    let built = (|| {
        let (guarantee, access_code) = guarantee?;
        let declaration = TransitDeclaration {
            local_reference: local_reference?,
            declarant: declarant?,
            office_of_departure: departure?,
            office_of_destination: destination?,
            route: route?,
            time_limit: time_limit?,
            carrier: carrier?,
            transport: transport?,
            seals: seals?,
            guarantee,
            items: items?,
        };
        Some(Checked { declaration, access_code })
    })();
    // Every part is `None` only after a finding was pushed; this keeps `Err` non-empty should a
    // later rule break that.
    built.ok_or_else(|| {
        let mut f = Findings::default();
        f.push(Rule::FieldMissing, "$", "The transit declaration is incomplete.", &[]);
        f.into_vec()
    })
}

fn local_reference(f: &mut Findings, path: &str, text: &str) -> Option<LocalReference> {
    let parsed = LocalReference::parse(text);
    if parsed.is_none() {
        f.push(
            Rule::LocalReferenceFormat,
            path,
            format!("The reference {} is not 1 to 22 letters, digits, '-', '_', '/' or '.'.", shown(text)),
            &[("value", &shown(text))],
        );
    }
    parsed
}

/// A mandatory office: well formed and, when the administration lists its offices, one of them.
pub(crate) fn office(
    f: &mut Findings,
    ctx_offices: &impl Offices,
    path: &str,
    what: &str,
    code: Option<&str>,
) -> Option<OfficeCode> {
    let code = f.required(Rule::FieldMissing, path, code, &format!("The {what}"))?;
    let Ok(office) = OfficeCode::parse(code) else {
        f.push(
            Rule::OfficeCodeFormat,
            path,
            format!("The {what} {} is not eight upper-case letters or digits (e.g. DE005000).", shown(code)),
            &[("what", &what), ("value", &shown(code))],
        );
        return None;
    };
    let listed = ctx_offices.offices();
    if !listed.is_empty() && !listed.contains(&office) {
        f.push(
            Rule::OfficeUnknown,
            path,
            format!("The {what} {code} is not a customs office of this administration."),
            &[("what", &what), ("office", &code)],
        );
        return None;
    }
    Some(office)
}

/// Whatever holds the administration's list of offices.
pub(crate) trait Offices {
    /// The offices; empty means any well-formed code.
    fn offices(&self) -> &[OfficeCode];
}

impl Offices for TransitContext {
    fn offices(&self) -> &[OfficeCode] {
        &self.offices
    }
}

fn route(f: &mut Findings, route: Option<&RouteDoc>) -> Option<Route> {
    let route = f.required(Rule::FieldMissing, "$.route", route, "The route")?;
    let waypoints =
        f.required(Rule::FieldMissing, "$.route.waypoints", route.waypoints.as_deref(), "The route's waypoints");
    let checked = waypoints.map(|points| {
        if points.len() < 2 {
            f.push(
                Rule::TooFewWaypoints,
                "$.route.waypoints",
                format!("The route has {} waypoint(s); it needs at least 2, departure and destination.", points.len()),
                &[("count", &points.len())],
            );
        }
        let mut ok = points.len() >= 2;
        let mut out = Vec::with_capacity(points.len());
        for (i, p) in points.iter().enumerate() {
            let path = format!("$.route.waypoints[{i}]");
            let lat = f.required(Rule::FieldMissing, format!("{path}.lat"), p.lat.as_ref(), "The latitude");
            let lon = f.required(Rule::FieldMissing, format!("{path}.lon"), p.lon.as_ref(), "The longitude");
            let (Some(&lat), Some(&lon)) = (lat, lon) else {
                ok = false;
                continue;
            };
            if !(-90.0..=90.0).contains(&lat) || !(-180.0..=180.0).contains(&lon) {
                f.push(
                    Rule::WaypointOutOfRange,
                    &path,
                    format!("The waypoint ({lat}, {lon}) is outside latitude -90 to 90 or longitude -180 to 180."),
                    &[("lat", &lat), ("lon", &lon)],
                );
                ok = false;
                continue;
            }
            out.push(Waypoint { lat, lon });
        }
        ok.then_some(out)
    });
    let corridor = f
        .required(Rule::FieldMissing, "$.route.corridor_m", route.corridor_m.as_ref(), "The corridor width")
        .copied()
        .filter(|&m| {
            let ok = (MIN_CORRIDOR_M..=MAX_CORRIDOR_M).contains(&m);
            if !ok {
                f.push(
                    Rule::CorridorOutOfRange,
                    "$.route.corridor_m",
                    format!("The corridor width {m} m is outside {MIN_CORRIDOR_M} to {MAX_CORRIDOR_M} m."),
                    &[("value", &m), ("min", &MIN_CORRIDOR_M), ("max", &MAX_CORRIDOR_M)],
                );
            }
            ok
        });
    Some(Route { waypoints: checked.flatten()?, corridor_m: corridor? })
}

/// A time that must lie after `now` and at most `max_days` after it.
pub(crate) fn future_time(
    f: &mut Findings,
    now: Timestamp,
    path: &str,
    what: &str,
    at: Option<Timestamp>,
    max_days: i64,
) -> Option<Timestamp> {
    let at = *f.required(Rule::FieldMissing, path, at.as_ref(), &format!("The {what}"))?;
    if at <= now {
        f.push(
            Rule::TimeLimitPast,
            path,
            format!("The {what} {} is not after the time of filing {}.", at.rfc3339(), now.rfc3339()),
            &[("what", &what), ("value", &at.rfc3339()), ("now", &now.rfc3339())],
        );
        return None;
    }
    if at > now + TimeDelta::days(max_days) {
        f.push(
            Rule::TimeLimitTooFar,
            path,
            format!("The {what} {} is more than {max_days} days after the time of filing.", at.rfc3339()),
            &[("what", &what), ("value", &at.rfc3339()), ("days", &max_days)],
        );
        return None;
    }
    Some(at)
}

fn time_limit(f: &mut Findings, ctx: &TransitContext, at: Option<Timestamp>) -> Option<Timestamp> {
    future_time(f, ctx.now, "$.time_limit_at_us", "time limit", at, MAX_TIME_LIMIT_DAYS)
}

/// A free text: not blank, no control characters, at most `max` characters.
pub(crate) fn text(f: &mut Findings, path: &str, what: &str, value: &str, max: usize) -> Option<String> {
    let problem = if value.trim().is_empty() {
        Some("is blank".to_string())
    } else if value.chars().any(char::is_control) {
        Some(format!("contains control characters: {}", shown(value)))
    } else if value.chars().count() > max {
        Some(format!("has {} characters; at most {max} are allowed", value.chars().count()))
    } else {
        None
    };
    match problem {
        Some(problem) => {
            f.push(Rule::TextInvalid, path, format!("{what} {problem}."), &[("what", &what), ("problem", &problem)]);
            None
        }
        None => Some(value.to_string()),
    }
}

/// A mandatory party: id, name and country.
pub(crate) fn party(f: &mut Findings, path: &str, role: &str, doc: Option<&PartyDoc>) -> Option<Party> {
    let p = f.required(Rule::FieldMissing, path, doc, &format!("The {role}"))?;
    let id_path = format!("{path}.id");
    let id = f.required(Rule::PartyFieldMissing, &id_path, p.id.as_deref(), &format!("The {role}'s id")).and_then(
        |id| {
            let prefix_ok = id.get(..2).is_some_and(|c| {
                CountryCode::parse(c).is_some() || EXTRA_PARTY_ID_PREFIXES.contains(&c)
            });
            if is_party_id(id) && prefix_ok {
                Some(id.to_string())
            } else {
                f.push(
                    Rule::PartyIdFormat,
                    &id_path,
                    format!("The {role}'s id {} is not a country code followed by 1 to 15 upper-case letters or digits (e.g. DE123456789012345).", shown(id)),
                    &[("role", &role), ("value", &shown(id))],
                );
                None
            }
        },
    );
    let name_path = format!("{path}.name");
    let name = f
        .required(Rule::PartyFieldMissing, &name_path, p.name.as_deref(), &format!("The {role}'s name"))
        .and_then(|n| text(f, &name_path, &format!("The {role}'s name"), n, NAME_LEN));
    let country_path = format!("{path}.country");
    let country = f
        .required(Rule::PartyFieldMissing, &country_path, p.country.as_deref(), &format!("The {role}'s country"))
        .and_then(|c| country(f, &country_path, &format!("The {role}'s country"), c));
    Some(Party { id: id?, name: name?, country: country? })
}

fn country(f: &mut Findings, path: &str, what: &str, code: &str) -> Option<CountryCode> {
    let parsed = CountryCode::parse(code);
    if parsed.is_none() {
        f.push(
            Rule::CountryUnknown,
            path,
            format!("{what} {} is not an ISO 3166-1 alpha-2 country code.", shown(code)),
            &[("what", &what), ("value", &shown(code))],
        );
    }
    parsed
}

/// The transport: a mode that can carry goods under transit, the vehicle, its nationality.
pub(crate) fn transport(f: &mut Findings, path: &str, t: &TransportDoc) -> Option<Transport> {
    let mode_path = format!("{path}.mode");
    let mode = f.required(Rule::FieldMissing, &mode_path, t.mode.as_deref(), "The transport mode").and_then(|m| {
        match TransportMode::parse(m) {
            Some(mode) if !matches!(mode, TransportMode::Post | TransportMode::FixedInstallation) => Some(mode),
            _ => {
                f.push(
                    Rule::TransportModeUnsuitable,
                    &mode_path,
                    format!("The transport mode {} is not one of 1, 2, 3, 4, 8, 9 (post and fixed installations carry no transit).", shown(m)),
                    &[("value", &shown(m))],
                );
                None
            }
        }
    });
    let means_path = format!("{path}.means_id");
    let means_id = f
        .required(Rule::FieldMissing, &means_path, t.means_id.as_deref(), "The vehicle (means of transport)")
        .and_then(|v| text(f, &means_path, "The vehicle (means of transport)", v, REFERENCE_LEN));
    let nationality = match t.nationality.as_deref() {
        None => Some(None),
        Some(c) => country(f, &format!("{path}.nationality"), "The vehicle's nationality", c).map(Some),
    };
    Some(Transport { mode: mode?, means_id: means_id?, nationality: nationality? })
}

fn seals(f: &mut Findings, seals: Option<&[String]>) -> Option<Vec<String>> {
    let seals = f.required(Rule::FieldMissing, "$.seals", seals, "The list of seals")?;
    let mut ok = true;
    if seals.is_empty() {
        f.push(Rule::NoSeals, "$.seals", "No seal is listed; name every seal affixed.", &[]);
        ok = false;
    }
    if seals.len() > MAX_SEALS {
        f.push(
            Rule::TooManySeals,
            "$.seals",
            format!("{} seals are listed; at most {MAX_SEALS} are allowed.", seals.len()),
            &[("count", &seals.len()), ("limit", &MAX_SEALS)],
        );
        ok = false;
    }
    let mut seen = BTreeSet::new();
    for (i, id) in seals.iter().enumerate() {
        let well_formed = (1..=MAX_SEAL_LEN).contains(&id.len())
            && id.bytes().all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || matches!(b, b'-' | b'/'));
        if !well_formed {
            f.push(
                Rule::SealIdFormat,
                format!("$.seals[{i}]"),
                format!("The seal id {} is not 1 to 35 upper-case letters, digits, '-' or '/'.", shown(id)),
                &[("value", &shown(id))],
            );
            ok = false;
        } else if !seen.insert(id.as_str()) {
            f.push(
                Rule::SealRepeated,
                format!("$.seals[{i}]"),
                format!("The seal {id} is listed more than once."),
                &[("seal", id)],
            );
            ok = false;
        }
    }
    ok.then(|| seals.to_vec())
}

fn guarantee(f: &mut Findings, g: Option<&GuaranteeDoc>) -> Option<(GuaranteeForm, Option<AccessCode>)> {
    let g = f.required(Rule::FieldMissing, "$.guarantee", g, "The guarantee")?;
    let kind = f.required(Rule::FieldMissing, "$.guarantee.kind", g.kind.as_deref(), "The guarantee's kind")?;
    match kind {
        "account" => {
            if g.reference.is_some() || g.access_code.is_some() {
                return bad(
                    f,
                    "$.guarantee",
                    "An account guarantee names no certificate reference or access code.".into(),
                );
            }
            Some((GuaranteeForm::Account, None))
        }
        "certificate" => {
            let reference = match g.reference.as_deref() {
                Some(r) if is_certificate_reference(r) => Some(r.to_string()),
                Some(r) => bad(
                    f,
                    "$.guarantee.reference",
                    format!("The certificate reference {} is not 1 to 24 upper-case letters or digits.", shown(r)),
                ),
                None => {
                    bad(f, "$.guarantee.reference", "A certificate guarantee needs the certificate's reference.".into())
                }
            };
            let code = match g.access_code.as_deref() {
                // The code itself is never repeated in a message.
                Some(c) => AccessCode::parse(c).or_else(|| {
                    bad(f, "$.guarantee.access_code", "The access code is not 4 to 16 letters or digits.".into())
                }),
                None => bad(
                    f,
                    "$.guarantee.access_code",
                    "A certificate guarantee needs the certificate's access code.".into(),
                ),
            };
            Some((GuaranteeForm::Certificate { reference: reference? }, Some(code?)))
        }
        other => bad(
            f,
            "$.guarantee.kind",
            format!("The guarantee's kind {} is neither account nor certificate.", shown(other)),
        ),
    }
}

/// Records a malformed guarantee.
fn bad<T>(f: &mut Findings, path: &str, message: String) -> Option<T> {
    f.push(Rule::GuaranteeInvalid, path, message, &[]);
    None
}

/// A certificate reference: 1 to 24 upper-case letters or digits.
pub(crate) fn is_certificate_reference(r: &str) -> bool {
    (1..=24).contains(&r.len()) && r.bytes().all(|b| b.is_ascii_uppercase() || b.is_ascii_digit())
}

/// The goods items: present, 1 to 999, numbered in order, each field checked.
pub(crate) fn items(f: &mut Findings, path: &str, items: Option<&[TransitItemDoc]>) -> Option<Vec<TransitItem>> {
    let items = f.required(Rule::FieldMissing, path, items, "The list of goods items")?;
    let mut ok = true;
    if items.is_empty() {
        f.push(Rule::NoItems, path, "No goods item is listed; declare at least one.", &[]);
        ok = false;
    }
    if items.len() > MAX_ITEMS {
        f.push(
            Rule::TooManyItems,
            path,
            format!("{} goods items are listed; at most {MAX_ITEMS} are allowed.", items.len()),
            &[("count", &items.len()), ("limit", &MAX_ITEMS)],
        );
        ok = false;
    }
    let mut out = Vec::with_capacity(items.len());
    for (i, item) in items.iter().enumerate() {
        let expected = u32::try_from(i + 1).unwrap_or(u32::MAX);
        let item_path = format!("{path}[{i}]");
        if let Some(seq) = item.sequence.filter(|&s| s != expected) {
            f.push(
                Rule::ItemSequence,
                format!("{item_path}.sequence"),
                format!("The item numbered {seq} is listed in position {expected}; number items 1, 2, 3 … in order."),
                &[("sequence", &seq), ("expected", &expected)],
            );
            ok = false;
        }
        match self::item(f, &item_path, item) {
            Some(checked) => out.push(checked),
            None => ok = false,
        }
    }
    ok.then_some(out)
}

fn item(f: &mut Findings, path: &str, item: &TransitItemDoc) -> Option<TransitItem> {
    let field = |name: &str| format!("{path}.{name}");
    let missing = Rule::ItemFieldMissing;
    let sequence = f.required(missing, field("sequence"), item.sequence.as_ref(), "The item number").copied();
    let commodity_code = f
        .required(missing, field("commodity_code"), item.commodity_code.as_deref(), "The commodity code")
        .and_then(|c| commodity_code(f, &field("commodity_code"), c));
    let description = f
        .required(missing, field("description"), item.description.as_deref(), "The goods description")
        .and_then(|d| text(f, &field("description"), "The goods description", d, DESCRIPTION_LEN))
        .filter(|d| {
            let trimmed = d.trim();
            let vague = trimmed.chars().count() < MIN_DESCRIPTION
                || GENERIC_DESCRIPTIONS.contains(&trimmed.to_lowercase().as_str());
            if vague {
                f.push(
                    Rule::DescriptionVague,
                    field("description"),
                    format!(
                        "The goods description {} does not say what the goods are; name them in plain words.",
                        shown(d)
                    ),
                    &[("value", &shown(d))],
                );
            }
            !vague
        });
    let gross_mass = f
        .required(missing, field("gross_mass"), item.gross_mass.as_ref(), "The gross mass")
        .copied()
        .filter(|&m| mass(f, &field("gross_mass"), m));
    let currency = f.required(missing, field("currency"), item.currency.as_deref(), "The currency").and_then(|c| {
        let parsed = CurrencyCode::parse(c);
        if parsed.is_none() {
            f.push(
                Rule::CurrencyUnknown,
                field("currency"),
                format!("The currency {} is not an active ISO 4217 code.", shown(c)),
                &[("value", &shown(c))],
            );
        }
        parsed
    });
    let value = f
        .required(missing, field("value"), item.value.as_ref(), "The value")
        .copied()
        .filter(|&v| value(f, &field("value"), v, currency));
    Some(TransitItem {
        sequence: sequence?,
        commodity_code: commodity_code?,
        description: description?,
        gross_mass: gross_mass?,
        value: value?,
        currency: currency?,
    })
}

fn commodity_code(f: &mut Findings, path: &str, code: &str) -> Option<HsCode> {
    if !((6..=10).contains(&code.len()) && code.bytes().all(|b| b.is_ascii_digit())) {
        f.push(
            Rule::CommodityCodeFormat,
            path,
            format!("The commodity code {} is not 6 to 10 digits without dots or spaces.", shown(code)),
            &[("value", &shown(code))],
        );
        return None;
    }
    let parsed = HsCode::parse(code);
    if parsed.is_none() {
        let hs6 = code.get(..6).unwrap_or(code);
        f.push(
            Rule::SubheadingUnknown,
            path,
            format!("The commodity code {code} starts with {hs6}, which is not a subheading of HS 2022."),
            &[("code", &code), ("hs6", &hs6)],
        );
    }
    parsed
}

/// Significant decimal places: `12.50` has one.
fn decimals(v: Decimal) -> u32 {
    v.normalize().scale()
}

fn mass(f: &mut Findings, path: &str, m: Decimal) -> bool {
    let problem = if m <= Decimal::ZERO {
        "it must be more than zero".to_string()
    } else if m > MASS_LIMIT {
        format!("the ceiling per item is {MASS_LIMIT} kg")
    } else if decimals(m) > 3 {
        format!("it has {} decimals; masses are declared to the gram (3 decimals)", decimals(m))
    } else {
        return true;
    };
    f.push(
        Rule::MassImplausible,
        path,
        format!("The gross mass {m} kg is implausible: {problem}."),
        &[("value", &m), ("problem", &problem)],
    );
    false
}

fn value(f: &mut Findings, path: &str, v: Decimal, currency: Option<CurrencyCode>) -> bool {
    let allowed = match currency {
        Some(c) if THREE_DECIMAL_CURRENCIES.contains(&c.as_str()) => 3,
        _ => 2,
    };
    let problem = if v <= Decimal::ZERO {
        "it must be more than zero".to_string()
    } else if v >= VALUE_LIMIT {
        format!("values stay below {VALUE_LIMIT}")
    } else if decimals(v) > allowed {
        format!("it has {} decimals; at most {allowed} are allowed", decimals(v))
    } else {
        return true;
    };
    f.push(
        Rule::ValueImplausible,
        path,
        format!("The value {v} is implausible: {problem}."),
        &[("value", &v), ("problem", &problem)],
    );
    false
}

#[cfg(test)]
#[path = "check_tests.rs"]
pub(crate) mod tests;
