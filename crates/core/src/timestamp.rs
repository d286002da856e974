//! The one timestamp type of the platform: microseconds since the Unix epoch (UTC).
//!
//! Times are stored and hashed as this integer, so a value read back is exactly the
//! value written (the audit chain depends on it); on the wire it stays the same integer
//! (fields named `…_at_us`). [`Timestamp::rfc3339`] formats it for people and APIs.

use std::ops::{Add, Sub};

use chrono::{DateTime, NaiveDate, TimeDelta, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// A point in time, microseconds since the Unix epoch (UTC).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default, Serialize, Deserialize, ToSchema)]
#[serde(transparent)]
#[schema(value_type = i64, example = 1_700_000_000_000_000_i64)]
pub struct Timestamp(i64);

impl Timestamp {
    /// The epoch itself.
    pub const EPOCH: Timestamp = Timestamp(0);

    /// The time `micros` microseconds after the epoch.
    pub const fn from_micros(micros: i64) -> Self {
        Timestamp(micros)
    }

    /// Microseconds since the epoch: the stored and hashed form.
    pub const fn as_micros(self) -> i64 {
        self.0
    }

    /// The current time.
    pub fn now() -> Self {
        Utc::now().into()
    }

    /// Midnight UTC at the start of `date`.
    pub fn start_of(date: NaiveDate) -> Self {
        Timestamp::from(date.and_time(chrono::NaiveTime::MIN).and_utc())
    }

    /// As a date-time, `None` out of chrono's range.
    pub fn to_datetime(self) -> Option<DateTime<Utc>> {
        DateTime::from_timestamp_micros(self.0)
    }

    /// The UTC calendar date, `None` out of range.
    pub fn date(self) -> Option<NaiveDate> {
        self.to_datetime().map(|t| t.date_naive())
    }

    /// RFC 3339 text (UTC, microseconds); empty if out of range.
    pub fn rfc3339(self) -> String {
        self.to_datetime().map(|t| t.to_rfc3339_opts(chrono::SecondsFormat::Micros, true)).unwrap_or_default()
    }
}

/// Microseconds of a time span, saturating at the ends of the range.
fn micros_of(delta: TimeDelta) -> i64 {
    delta.num_microseconds().unwrap_or(if delta < TimeDelta::zero() { i64::MIN } else { i64::MAX })
}

impl Add<TimeDelta> for Timestamp {
    type Output = Timestamp;

    /// Later by `delta`, saturating at the ends of the range.
    fn add(self, delta: TimeDelta) -> Timestamp {
        Timestamp(self.0.saturating_add(micros_of(delta)))
    }
}

impl Sub<TimeDelta> for Timestamp {
    type Output = Timestamp;

    /// Earlier by `delta`, saturating at the ends of the range.
    fn sub(self, delta: TimeDelta) -> Timestamp {
        Timestamp(self.0.saturating_sub(micros_of(delta)))
    }
}

impl Sub for Timestamp {
    type Output = TimeDelta;

    /// The time from `earlier` to `self` (negative when `earlier` is later).
    fn sub(self, earlier: Timestamp) -> TimeDelta {
        TimeDelta::microseconds(self.0.saturating_sub(earlier.0))
    }
}

impl From<DateTime<Utc>> for Timestamp {
    fn from(at: DateTime<Utc>) -> Self {
        Timestamp(at.timestamp_micros())
    }
}

impl From<i64> for Timestamp {
    fn from(micros: i64) -> Self {
        Timestamp(micros)
    }
}

#[cfg(test)]
mod tests {
    use super::Timestamp;
    use chrono::TimeDelta;

    #[test]
    fn microsecond_timestamps_format_as_utc_rfc3339() {
        assert_eq!(Timestamp::from_micros(1_700_000_000_123_456).rfc3339(), "2023-11-14T22:13:20.123456Z");
    }

    #[test]
    fn a_timestamp_is_its_microseconds_on_the_wire() -> Result<(), serde_json::Error> {
        let at = Timestamp::from_micros(1_700_000_000_123_456);
        assert_eq!(serde_json::to_string(&at)?, "1700000000123456");
        assert_eq!(serde_json::from_str::<Timestamp>("1700000000123456")?, at);
        Ok(())
    }

    #[test]
    fn dates_and_shifts_stay_in_utc() {
        let at = Timestamp::from_micros(1_700_000_000_123_456);
        assert_eq!(at.date().map(|d| d.to_string()).as_deref(), Some("2023-11-14"));
        let midnight = at.date().map(Timestamp::start_of);
        assert_eq!(midnight.map(Timestamp::rfc3339).as_deref(), Some("2023-11-14T00:00:00.000000Z"));
        assert_eq!((at - TimeDelta::days(1)).date().map(|d| d.to_string()).as_deref(), Some("2023-11-13"));
        assert_eq!(at + TimeDelta::minutes(1) - at, TimeDelta::minutes(1));
        assert_eq!((Timestamp::from_micros(i64::MAX) + TimeDelta::days(1)).as_micros(), i64::MAX);
        assert_eq!((Timestamp::from_micros(i64::MIN) - TimeDelta::days(1)).as_micros(), i64::MIN);
    }
}
