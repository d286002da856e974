//! What a navigation seal sends: the wire form (`ReportDoc`), its checked form (`Report`), the
//! seal's state and the event codes of the EAEU list, and the coded problems of a report that
//! cannot be taken in.
//!
//! Unknown fields are ignored, not refused: seals of different makers add their own fields
//! (satellites, HDOP, firmware) and a firmware update must not make a fleet's reports bounce.
//! A misspelt required field is still caught, as that field is then missing (`SEAL_002`).

use std::borrow::Cow;
use std::fmt;

use chrono::DateTime;
use serde::{Deserialize, Deserializer, Serialize};
use utoipa::ToSchema;

use super::codes::Code;
use super::geo::Position;
use crate::timestamp::Timestamp;

/// The most event codes one report may carry; more is refused (`SEAL_010`) so that a faulty
/// seal cannot make a report expensive to check.
pub const MAX_EVENTS: usize = 16;

/// The state of the sealing element as the seal reports it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum SealState {
    /// The sealing element is closed and whole.
    Closed,
    /// The sealing element is open.
    Opened,
}

impl SealState {
    /// The stable code on the wire.
    pub fn code(self) -> &'static str {
        match self {
            SealState::Closed => "closed",
            SealState::Opened => "opened",
        }
    }

    /// The state with this code.
    pub fn from_code(code: &str) -> Option<Self> {
        match code {
            "closed" => Some(SealState::Closed),
            "opened" => Some(SealState::Opened),
            _ => None,
        }
    }
}

/// An event a navigation seal reports: the list of the EAEU agreement on navigation seals
/// (19 April 2022).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum SealEvent {
    /// The sealing element was broken (cut, pulled out).
    SealingElementBroken,
    /// The housing of the electronic unit was broken open.
    HousingBroken,
    /// The seal itself found that it left its programmed route.
    RouteDeviation,
    /// The seal's self-test failed (satellite receiver, memory, sensors).
    Malfunction,
    /// The battery charge fell below 15 %.
    BatteryLow,
    /// An unauthorised action on the seal (a command or a configuration change without the
    /// operator's key).
    UnauthorisedAction,
}

impl SealEvent {
    /// Every event, in code order.
    pub const ALL: [SealEvent; 6] = [
        SealEvent::SealingElementBroken,
        SealEvent::HousingBroken,
        SealEvent::RouteDeviation,
        SealEvent::Malfunction,
        SealEvent::BatteryLow,
        SealEvent::UnauthorisedAction,
    ];

    /// The stable code on the wire.
    pub fn code(self) -> &'static str {
        match self {
            SealEvent::SealingElementBroken => "sealing_element_broken",
            SealEvent::HousingBroken => "housing_broken",
            SealEvent::RouteDeviation => "route_deviation",
            SealEvent::Malfunction => "malfunction",
            SealEvent::BatteryLow => "battery_low",
            SealEvent::UnauthorisedAction => "unauthorised_action",
        }
    }

    /// The event with this code.
    pub fn from_code(code: &str) -> Option<Self> {
        SealEvent::ALL.into_iter().find(|e| e.code() == code)
    }

    fn bit(self) -> u8 {
        1 << (self as u8)
    }
}

/// A set of events, one bit each: a report's events are checked without allocating.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct EventSet(u8);

impl EventSet {
    /// No event.
    pub const EMPTY: EventSet = EventSet(0);

    /// The set with `event` added.
    #[must_use]
    pub fn with(self, event: SealEvent) -> EventSet {
        EventSet(self.0 | event.bit())
    }

    /// True when `event` is in the set.
    pub fn contains(self, event: SealEvent) -> bool {
        self.0 & event.bit() != 0
    }

    /// True when the set is empty.
    pub fn is_empty(self) -> bool {
        self.0 == 0
    }

    /// The events, in code order.
    pub fn iter(self) -> impl Iterator<Item = SealEvent> {
        SealEvent::ALL.into_iter().filter(move |e| self.contains(*e))
    }
}

impl FromIterator<SealEvent> for EventSet {
    fn from_iter<I: IntoIterator<Item = SealEvent>>(iter: I) -> Self {
        iter.into_iter().fold(EventSet::EMPTY, EventSet::with)
    }
}

/// A report as the seal sends it, before any check. Every field is optional here so that a
/// report missing several fields is told about all of them at once.
#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize, ToSchema)]
pub struct ReportDoc<'a> {
    /// The seal's own counter of reports, from 0 up.
    #[serde(default)]
    pub seq: Option<i64>,
    /// The device time of the fix, RFC 3339 (`2026-12-04T03:00:00Z`).
    #[serde(default, borrow)]
    #[schema(value_type = Option<String>)]
    pub time: Option<Text<'a>>,
    /// Latitude, degrees (WGS 84), −90 … 90.
    #[serde(default)]
    pub lat: Option<f64>,
    /// Longitude, degrees (WGS 84), −180 … 180.
    #[serde(default)]
    pub lon: Option<f64>,
    /// Battery charge, percent, 0 … 100.
    #[serde(default)]
    pub battery: Option<f64>,
    /// `closed` or `opened`.
    #[serde(default, borrow)]
    #[schema(value_type = Option<String>)]
    pub state: Option<Text<'a>>,
    /// Event codes; absent means none.
    #[serde(default, borrow)]
    #[schema(value_type = Option<Vec<String>>)]
    pub events: Option<Vec<Text<'a>>>,
}

/// A string of a report, borrowed from the body when it has no escapes, so that the common
/// report is read without allocating.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(transparent)]
pub struct Text<'a>(pub Cow<'a, str>);

impl<'de: 'a, 'a> Deserialize<'de> for Text<'a> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Visit;
        impl<'de> serde::de::Visitor<'de> for Visit {
            type Value = Text<'de>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a string")
            }
            fn visit_borrowed_str<E: serde::de::Error>(self, v: &'de str) -> Result<Self::Value, E> {
                Ok(Text(Cow::Borrowed(v)))
            }
            fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<Self::Value, E> {
                Ok(Text(Cow::Owned(v.to_owned())))
            }
        }
        deserializer.deserialize_str(Visit)
    }
}

impl Text<'_> {
    fn as_str(&self) -> &str {
        &self.0
    }
}

/// A checked report: every value in range. Small and `Copy`, so the monitor keeps and passes
/// reports without allocating.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Report {
    /// The seal's counter of reports.
    pub seq: u64,
    /// The device time of the fix.
    pub time: Timestamp,
    /// Where the seal was.
    pub position: Position,
    /// Battery charge, percent.
    pub battery: f64,
    /// The state of the sealing element.
    pub state: SealState,
    /// The events reported.
    pub events: EventSet,
}

impl Report {
    /// The wire form of the report (times as RFC 3339 with microseconds).
    pub fn to_doc(&self) -> ReportDoc<'static> {
        ReportDoc {
            seq: i64::try_from(self.seq).ok(),
            time: Some(Text(Cow::Owned(self.time.rfc3339()))),
            lat: Some(self.position.lat),
            lon: Some(self.position.lon),
            battery: Some(self.battery),
            state: Some(Text(Cow::Borrowed(self.state.code()))),
            events: Some(self.events.iter().map(|e| Text(Cow::Borrowed(e.code()))).collect()),
        }
    }
}

/// Why a report cannot be taken in, or what was noticed about one that was.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct Problem {
    /// Stable code, `SEAL_001` …
    pub code: String,
    /// JSON path of the offending field, e.g. `$.lat`.
    pub path: String,
    /// Plain-language explanation, in English.
    pub message: String,
}

impl Problem {
    pub(crate) fn new(code: Code, path: impl Into<String>, message: impl Into<String>) -> Self {
        Problem { code: code.code().to_string(), path: path.into(), message: message.into() }
    }
}

/// Reads and checks a report's body: the checked report, or every problem found.
///
/// # Errors
///
/// `SEAL_001` alone when the body is not a JSON object of the right types (naming the first
/// value of a wrong type); otherwise every range and code problem (`SEAL_002` … `SEAL_010`).
pub fn parse(body: &[u8]) -> Result<Report, Vec<Problem>> {
    let de = &mut serde_json::Deserializer::from_slice(body);
    let doc: ReportDoc<'_> = serde_path_to_error::deserialize(&mut *de).map_err(|e| {
        let path = format!("$.{}", e.path()).replace("$..", "$.");
        vec![Problem::new(Code::Malformed, path, e.into_inner().to_string())]
    })?;
    de.end().map_err(|e| vec![Problem::new(Code::Malformed, "$", e.to_string())])?;
    doc.check()
}

impl ReportDoc<'_> {
    /// Checks every field; the checked report, or every problem found.
    ///
    /// # Errors
    ///
    /// Every problem of `SEAL_002` … `SEAL_010`, never an empty list.
    pub fn check(&self) -> Result<Report, Vec<Problem>> {
        let mut problems = Vec::new();
        let mut missing = |name: &'static str| {
            problems.push(Problem::new(Code::Missing, format!("$.{name}"), format!("The field {name} is missing.")));
        };
        if self.seq.is_none() {
            missing("seq");
        }
        if self.time.is_none() {
            missing("time");
        }
        if self.lat.is_none() {
            missing("lat");
        }
        if self.lon.is_none() {
            missing("lon");
        }
        if self.battery.is_none() {
            missing("battery");
        }
        if self.state.is_none() {
            missing("state");
        }
        let seq = self.seq.and_then(|s| match u64::try_from(s) {
            Ok(s) => Some(s),
            Err(_) => {
                problems.push(Problem::new(
                    Code::SeqNegative,
                    "$.seq",
                    format!("The sequence number {s} is negative; it counts up from 0."),
                ));
                None
            }
        });
        let time = self.time.as_ref().and_then(|t| match DateTime::parse_from_rfc3339(t.as_str()) {
            Ok(at) => Some(Timestamp::from(at.to_utc())),
            Err(_) => {
                problems.push(Problem::new(
                    Code::TimeFormat,
                    "$.time",
                    format!("The time {} is not an RFC 3339 date and time with its offset.", shown(t.as_str())),
                ));
                None
            }
        });
        let lat = self.lat.filter(|lat| {
            let ok = (-90.0..=90.0).contains(lat);
            if !ok {
                problems.push(Problem::new(
                    Code::Latitude,
                    "$.lat",
                    format!("The latitude {lat} is not within −90 … 90."),
                ));
            }
            ok
        });
        let lon = self.lon.filter(|lon| {
            let ok = (-180.0..=180.0).contains(lon);
            if !ok {
                problems.push(Problem::new(
                    Code::Longitude,
                    "$.lon",
                    format!("The longitude {lon} is not within −180 … 180."),
                ));
            }
            ok
        });
        let battery = self.battery.filter(|b| {
            let ok = (0.0..=100.0).contains(b);
            if !ok {
                problems.push(Problem::new(
                    Code::Battery,
                    "$.battery",
                    format!("The battery charge {b} % is not within 0 … 100."),
                ));
            }
            ok
        });
        let state = self.state.as_ref().and_then(|s| {
            let state = SealState::from_code(s.as_str());
            if state.is_none() {
                problems.push(Problem::new(
                    Code::State,
                    "$.state",
                    format!("The state {} is neither closed nor opened.", shown(s.as_str())),
                ));
            }
            state
        });
        let codes = self.events.as_deref().unwrap_or_default();
        if codes.len() > MAX_EVENTS {
            problems.push(Problem::new(
                Code::TooManyEvents,
                "$.events",
                format!("The report carries {} event codes; at most {MAX_EVENTS} are taken.", codes.len()),
            ));
        }
        let mut events = EventSet::EMPTY;
        for (i, code) in codes.iter().enumerate().take(MAX_EVENTS) {
            match SealEvent::from_code(code.as_str()) {
                Some(e) => events = events.with(e),
                None => problems.push(Problem::new(
                    Code::Event,
                    format!("$.events[{i}]"),
                    format!("The event code {} is not in the list of navigation-seal events.", shown(code.as_str())),
                )),
            }
        }
        match (seq, time, lat, lon, battery, state) {
            (Some(seq), Some(time), Some(lat), Some(lon), Some(battery), Some(state)) if problems.is_empty() => {
                Ok(Report { seq, time, position: Position { lat, lon }, battery, state, events })
            }
            _ => Err(problems),
        }
    }
}

/// Shows a value in a message: quoted, escaped and cut to 40 characters.
fn shown(value: &str) -> String {
    const LIMIT: usize = 40;
    if value.chars().count() <= LIMIT {
        format!("{value:?}")
    } else {
        let head: String = value.chars().take(LIMIT).collect();
        format!("{head:?}…")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn codes(body: &str) -> Vec<String> {
        match parse(body.as_bytes()) {
            Ok(_) => vec![],
            Err(problems) => problems.into_iter().map(|p| p.code).collect(),
        }
    }

    const GOOD: &str = r#"{"seq":7,"time":"2026-12-04T03:00:00+03:00","lat":55.75,"lon":37.62,"battery":80,
        "state":"closed","events":["battery_low"],"hdop":0.9}"#;

    #[test]
    fn a_good_report_is_read_and_unknown_fields_are_ignored() -> Result<(), Vec<Problem>> {
        let r = parse(GOOD.as_bytes())?;
        assert_eq!(r.seq, 7);
        assert_eq!(r.time.rfc3339(), "2026-12-04T00:00:00.000000Z");
        assert_eq!(r.position, Position { lat: 55.75, lon: 37.62 });
        assert_eq!(r.state, SealState::Closed);
        assert!(r.events.contains(SealEvent::BatteryLow) && !r.events.contains(SealEvent::Malfunction));
        Ok(())
    }

    #[test]
    fn every_missing_field_is_named() -> Result<(), String> {
        let problems = parse(b"{}").err().ok_or("an empty object was accepted")?;
        let paths: Vec<&str> = problems.iter().map(|p| p.path.as_str()).collect();
        assert_eq!(paths, ["$.seq", "$.time", "$.lat", "$.lon", "$.battery", "$.state"]);
        assert!(problems.iter().all(|p| p.code == "SEAL_002"));
        Ok(())
    }

    #[test]
    fn out_of_range_values_and_unknown_codes_get_their_own_codes() {
        let body = r#"{"seq":-1,"time":"yesterday","lat":91,"lon":-181,"battery":101,"state":"ajar",
            "events":["housing_broken","sneezed"]}"#;
        assert_eq!(codes(body), ["SEAL_003", "SEAL_004", "SEAL_005", "SEAL_006", "SEAL_007", "SEAL_008", "SEAL_009"]);
    }

    #[test]
    fn a_value_of_the_wrong_type_or_bad_json_is_malformed_with_its_path() -> Result<(), String> {
        let problems = parse(br#"{"seq":"seven"}"#).err().ok_or("accepted")?;
        assert_eq!((problems[0].code.as_str(), problems[0].path.as_str()), ("SEAL_001", "$.seq"));
        assert_eq!(codes("[1,2]"), ["SEAL_001"]);
        assert_eq!(codes("{"), ["SEAL_001"]);
        assert_eq!(codes(r#"{"seq":1} trailing"#), ["SEAL_001"]);
        Ok(())
    }

    #[test]
    fn too_many_events_are_refused() {
        let events = vec!["\"malfunction\""; MAX_EVENTS + 1].join(",");
        let body = format!(
            r#"{{"seq":1,"time":"2026-12-04T00:00:00Z","lat":0,"lon":0,"battery":5,"state":"opened","events":[{events}]}}"#
        );
        assert_eq!(codes(&body), ["SEAL_010"]);
    }

    #[test]
    fn escaped_strings_are_read_too() -> Result<(), Vec<Problem>> {
        let body = r#"{"seq":1,"time":"2026-12-04T00:00:00Z","lat":0,"lon":0,"battery":5,"state":"op\u0065ned"}"#;
        assert_eq!(parse(body.as_bytes())?.state, SealState::Opened);
        Ok(())
    }

    #[test]
    fn event_codes_are_stable_snake_case() -> Result<(), serde_json::Error> {
        for e in SealEvent::ALL {
            assert_eq!(serde_json::to_string(&e)?, format!("\"{}\"", e.code()));
            assert_eq!(SealEvent::from_code(e.code()), Some(e));
        }
        Ok(())
    }

    fn report() -> impl Strategy<Value = Report> {
        (
            0u64..=i64::MAX as u64,
            0i64..4_102_444_800_000_000,
            -90.0f64..=90.0,
            -180.0f64..=180.0,
            0.0f64..=100.0,
            any::<bool>(),
            any::<u8>(),
        )
            .prop_map(|(seq, micros, lat, lon, battery, opened, bits)| Report {
                seq,
                time: Timestamp::from_micros(micros),
                position: Position { lat, lon },
                battery,
                state: if opened { SealState::Opened } else { SealState::Closed },
                events: SealEvent::ALL.into_iter().filter(|e| bits & (1 << (*e as u8)) != 0).collect(),
            })
    }

    fn json_value() -> impl Strategy<Value = serde_json::Value> {
        let leaf = prop_oneof![
            Just(serde_json::Value::Null),
            any::<bool>().prop_map(serde_json::Value::from),
            any::<i64>().prop_map(serde_json::Value::from),
            any::<f64>().prop_map(serde_json::Value::from),
            ".{0,12}".prop_map(serde_json::Value::from),
            prop_oneof![Just("closed"), Just("opened"), Just("2026-12-04T00:00:00Z"), Just("malfunction")]
                .prop_map(serde_json::Value::from),
        ];
        leaf.prop_recursive(3, 24, 4, |inner| proptest::collection::vec(inner, 0..4).prop_map(serde_json::Value::from))
    }

    proptest! {
        /// Whatever object arrives, reading it returns a report or problems, never a panic,
        /// and problems are never an empty list.
        #[test]
        fn any_json_object_is_answered(fields in proptest::collection::btree_map(
            prop_oneof![Just("seq".to_string()), Just("time".to_string()), Just("lat".to_string()),
                Just("lon".to_string()), Just("battery".to_string()), Just("state".to_string()),
                Just("events".to_string()), "[a-z]{1,6}"],
            json_value(), 0..9)) {
            let body = serde_json::to_vec(&fields).map_err(|e| TestCaseError::fail(e.to_string()))?;
            if let Err(problems) = parse(&body) {
                prop_assert!(!problems.is_empty());
                prop_assert!(problems.iter().all(|p| p.code.starts_with("SEAL_0")));
            }
        }

        /// A valid report written to the wire reads back as the same report. serde_json reads
        /// decimals fast rather than exactly, so a coordinate or charge may come back one unit
        /// in the last place off (a nanometre); everything else is exact.
        #[test]
        fn valid_reports_round_trip(r in report()) {
            let body = serde_json::to_vec(&r.to_doc()).map_err(|e| TestCaseError::fail(e.to_string()))?;
            let back = parse(&body).map_err(|p| TestCaseError::fail(format!("{p:?}")))?;
            let close = |a: f64, b: f64| (a - b).abs() <= 4.0 * f64::EPSILON * a.abs().max(1.0);
            prop_assert_eq!((back.seq, back.time, back.state, back.events), (r.seq, r.time, r.state, r.events));
            prop_assert!(close(back.position.lat, r.position.lat) && close(back.position.lon, r.position.lon));
            prop_assert!(close(back.battery, r.battery), "{:?} {:?}", back, r);
        }
    }
}
