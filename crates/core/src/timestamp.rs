//! Timestamps are stored as microseconds since the Unix epoch (UTC), so hashed values
//! round-trip exactly; this formats them for people and APIs.

/// RFC 3339 text (UTC, microseconds) of a µs timestamp; empty if out of range.
pub fn rfc3339(at_us: i64) -> String {
    chrono::DateTime::from_timestamp_micros(at_us)
        .map(|t| t.to_rfc3339_opts(chrono::SecondsFormat::Micros, true))
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    #[test]
    fn microsecond_timestamps_format_as_utc_rfc3339() {
        assert_eq!(super::rfc3339(1_700_000_000_123_456), "2023-11-14T22:13:20.123456Z");
    }
}
