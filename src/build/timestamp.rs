//! Per-file timestamp kinds for the events reader. The parsing itself is
//! [`crate::io::timestamp::parse_timestamp`] (RFC 3339 with `Z` or an offset,
//! normalised to UTC, or Unix seconds with up to nine fractional digits); this
//! module adds the per-file detection and enforcement and the conversion to
//! `i64` nanoseconds.
//!
//! Held as `i64` nanoseconds, so the representable range is the years
//! 1677–2262; a timestamp outside it is rejected as invalid rather than
//! wrapped.

use crate::io::timestamp::parse_timestamp;

/// How a file writes its timestamps.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum TimestampKind {
    /// RFC 3339, e.g. `2024-03-01T09:00:00Z` or `2024-03-01T10:00:00+01:00`.
    Rfc3339,
    /// Seconds since 1970-01-01T00:00:00Z, e.g. `1709283600` or `1709283600.25`.
    UnixSeconds,
}

impl TimestampKind {
    /// Guesses the kind from one sample: a plain (signed, decimal) number is Unix
    /// seconds, anything else RFC 3339.
    pub(crate) fn detect(sample: &str) -> Self {
        if looks_numeric(sample.trim()) {
            Self::UnixSeconds
        } else {
            Self::Rfc3339
        }
    }

    /// Parses `text` (trimmed) to nanoseconds since the epoch, UTC; `None` if it
    /// is not of this kind, invalid, or outside the `i64` nanosecond range.
    pub(crate) fn parse_nanos(self, text: &str) -> Option<i64> {
        let text = text.trim();
        if Self::detect(text) != self {
            return None;
        }
        parse_timestamp(text)?.timestamp_nanos_opt()
    }
}

fn looks_numeric(s: &str) -> bool {
    let digits = s.strip_prefix('-').unwrap_or(s);
    let (whole, fraction) = digits.split_once('.').unwrap_or((digits, ""));
    !whole.is_empty()
        && whole.bytes().all(|b| b.is_ascii_digit())
        && fraction.bytes().all(|b| b.is_ascii_digit())
}

#[cfg(test)]
mod tests {
    use super::*;

    const NANOS_PER_SECOND: i64 = 1_000_000_000;

    #[test]
    fn rfc3339_offsets_are_normalised_to_utc() {
        let z = TimestampKind::Rfc3339.parse_nanos("2024-03-01T09:00:00Z");
        let plus = TimestampKind::Rfc3339.parse_nanos("2024-03-01T10:30:00+01:30");
        let minus = TimestampKind::Rfc3339.parse_nanos(" 2024-02-29T23:00:00-10:00 ");
        assert_eq!(z, Some(1_709_283_600 * NANOS_PER_SECOND));
        assert_eq!(plus, z);
        assert_eq!(minus, z);
        assert_eq!(
            TimestampKind::Rfc3339.parse_nanos("2024-03-01T09:00:00.5Z"),
            Some(1_709_283_600 * NANOS_PER_SECOND + 500_000_000)
        );
        assert_eq!(TimestampKind::Rfc3339.parse_nanos("2024-03-01"), None);
        assert_eq!(
            TimestampKind::Rfc3339.parse_nanos("3000-01-01T00:00:00Z"),
            None
        );
    }

    #[test]
    fn unix_seconds_with_fractions_and_signs() {
        let k = TimestampKind::UnixSeconds;
        assert_eq!(k.parse_nanos("1709283600"), Some(1_709_283_600_000_000_000));
        assert_eq!(k.parse_nanos("1.25"), Some(1_250_000_000));
        assert_eq!(k.parse_nanos("-1.5"), Some(-1_500_000_000));
        assert_eq!(k.parse_nanos("0.000000001"), Some(1));
        assert_eq!(k.parse_nanos("0.0000000001"), None);
        assert_eq!(k.parse_nanos("1e9"), None);
        assert_eq!(k.parse_nanos(""), None);
        assert_eq!(k.parse_nanos("."), None);
        assert_eq!(k.parse_nanos("99999999999999999999"), None);
        assert_eq!(
            TimestampKind::detect("1709283600"),
            TimestampKind::UnixSeconds
        );
        assert_eq!(
            TimestampKind::detect("2024-03-01T09:00:00Z"),
            TimestampKind::Rfc3339
        );
    }
}
