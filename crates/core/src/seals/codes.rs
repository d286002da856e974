//! The catalogue of `SEAL_` codes: why a report is refused or rejected, and what is flagged on
//! a report that is taken in. Written once in the table below, which generates both the
//! `Code` enum and the list `codes()` returns. Codes are never reused.

use serde::Serialize;
use utoipa::ToSchema;

/// Public description of one `SEAL_` code, for the API and `docs/seals.md`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
pub struct CodeInfo {
    /// Stable code, `SEAL_001` …
    pub code: &'static str,
    /// Short name.
    pub name: &'static str,
    /// What it means, in plain language.
    pub description: &'static str,
}

/// Generates `Code`, `Code::code` and the `CODES` table from one list.
macro_rules! catalogue {
    ($($variant:ident = $code:literal, $name:literal, $description:literal;)+) => {
        /// A `SEAL_` code. Every problem, rejection and flag names exactly one.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum Code {
            $(
                #[doc = $name]
                $variant,
            )+
        }

        impl Code {
            /// The stable code.
            pub fn code(self) -> &'static str {
                match self {
                    $(Code::$variant => $code,)+
                }
            }
        }

        /// Every code, in code order.
        static CODES: &[CodeInfo] = &[
            $(CodeInfo { code: $code, name: $name, description: $description },)+
        ];
    };
}

catalogue! {
    // The report itself (HTTP 422, or dropped with a log line on MQTT).
    Malformed = "SEAL_001", "Report malformed",
        "The body is not JSON, not an object, or a field has the wrong type (seq an integer; lat, lon and battery numbers; time and state strings; events a list of strings).";
    Missing = "SEAL_002", "Field missing",
        "A required field is absent: seq, time, lat, lon, battery or state.";
    SeqNegative = "SEAL_003", "Sequence number negative",
        "seq counts the seal's reports from 0 up; a negative value is refused.";
    TimeFormat = "SEAL_004", "Time not RFC 3339",
        "time is not an RFC 3339 date and time with its offset, e.g. 2026-12-04T03:00:00Z.";
    Latitude = "SEAL_005", "Latitude out of range",
        "lat is not within −90 … 90 degrees.";
    Longitude = "SEAL_006", "Longitude out of range",
        "lon is not within −180 … 180 degrees.";
    Battery = "SEAL_007", "Battery out of range",
        "battery is not a percentage within 0 … 100.";
    State = "SEAL_008", "Unknown state",
        "state is neither closed nor opened.";
    Event = "SEAL_009", "Unknown event code",
        "An event code is not one of sealing_element_broken, housing_broken, route_deviation, malfunction, battery_low, unauthorised_action.";
    TooManyEvents = "SEAL_010", "Too many events",
        "A report carries more than 16 event codes.";

    // Rejected by the monitor: the report is well formed but not used.
    ImpossibleJump = "SEAL_020", "Impossible jump",
        "Reaching the reported position from the seal's neighbouring report in device time needs a speed above 300 km/h; the position is not used.";
    TooOld = "SEAL_021", "Too old to place",
        "seq is more than 4096 below the highest seq seen, so the report cannot be told from a duplicate.";

    // Flagged on a report that was taken in.
    ClockAhead = "SEAL_030", "Device clock ahead",
        "The device time is more than 5 minutes after the time the report was received; the received time orders the report instead.";
    ClockBehind = "SEAL_031", "Device clock behind",
        "The device time is more than 24 hours before the time the report was received; the received time orders the report instead.";
    OutsideWindow = "SEAL_032", "Outside the reorder window",
        "The report is older than the reports the monitor keeps for reordering (the last 256); it is kept in the history but changes no incident.";
}

/// Every `SEAL_` code, in code order.
pub fn codes() -> &'static [CodeInfo] {
    CODES
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_unique_ordered_and_well_formed() {
        let all = codes();
        assert!(all.windows(2).all(|w| w[0].code < w[1].code));
        assert!(all.iter().all(|c| c.code.len() == 8 && c.code.starts_with("SEAL_0")));
        assert_eq!(Code::ImpossibleJump.code(), "SEAL_020");
    }

    #[test]
    fn the_seals_page_names_every_code() {
        let page = include_str!("../../../../docs/seals.md");
        for c in codes() {
            assert!(page.contains(&format!("| {} |", c.code)), "docs/seals.md lacks {}", c.code);
        }
    }
}
