//! Timestamps: RFC 3339 (normalised to UTC) or Unix seconds.

use chrono::{DateTime, Utc};

/// Parses a timestamp (surrounding whitespace ignored).
///
/// Accepted spellings:
/// * RFC 3339 with `Z` or a numeric offset, normalised to UTC
///   (`2024-03-01T09:00:00Z`, `2024-03-01T10:00:00+01:00`, fractional seconds
///   allowed; a space may replace the `T`);
/// * Unix seconds: an optional `-`, digits, and optionally `.` and up to nine
///   fractional digits (`1709283600`, `1709283600.25`).
///
/// Returns `None` for anything else, including dates without a time or an
/// offset (their time zone would be a guess) and out-of-range instants.
pub(crate) fn parse_timestamp(s: &str) -> Option<DateTime<Utc>> {
    let s = s.trim();
    if let Some(t) = parse_unix_seconds(s) {
        return Some(t);
    }
    DateTime::parse_from_rfc3339(s)
        .ok()
        .map(|t| t.with_timezone(&Utc))
}

fn parse_unix_seconds(s: &str) -> Option<DateTime<Utc>> {
    let (negative, digits) = match s.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, s),
    };
    let (whole, frac) = match digits.split_once('.') {
        Some((w, f)) => (w, f),
        None => (digits, ""),
    };
    let all_digits = |x: &str| x.bytes().all(|b| b.is_ascii_digit());
    if whole.is_empty() || !all_digits(whole) || !all_digits(frac) || frac.len() > 9 {
        return None;
    }
    if digits.ends_with('.') {
        return None;
    }
    let secs: i64 = whole.parse().ok()?;
    let mut nanos: u32 = 0;
    for b in frac.bytes().chain(std::iter::repeat(b'0')).take(9) {
        nanos = nanos * 10 + u32::from(b - b'0');
    }
    let (secs, nanos) = match (negative, nanos) {
        (false, _) => (secs, nanos),
        (true, 0) => (secs.checked_neg()?, 0),
        (true, n) => (secs.checked_neg()?.checked_sub(1)?, 1_000_000_000 - n),
    };
    DateTime::from_timestamp(secs, nanos)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn utc(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
    }

    #[test]
    fn rfc3339_is_normalised_to_utc() {
        let t = utc("2024-03-01T09:00:00Z");
        assert_eq!(parse_timestamp("2024-03-01T09:00:00Z"), Some(t));
        assert_eq!(parse_timestamp(" 2024-03-01T10:30:00+01:30 "), Some(t));
        assert_eq!(parse_timestamp("2024-03-01 09:00:00z"), Some(t));
        assert_eq!(
            parse_timestamp("2024-03-01T09:00:00.5Z"),
            Some(utc("2024-03-01T09:00:00.500Z"))
        );
    }

    #[test]
    fn unix_seconds() {
        assert_eq!(
            parse_timestamp("1709283600"),
            Some(utc("2024-03-01T09:00:00Z"))
        );
        assert_eq!(
            parse_timestamp("1709283600.25"),
            Some(utc("2024-03-01T09:00:00.25Z"))
        );
        assert_eq!(parse_timestamp("0"), DateTime::from_timestamp(0, 0));
        assert_eq!(
            parse_timestamp("-1.5"),
            DateTime::from_timestamp(-2, 500_000_000)
        );
        assert_eq!(parse_timestamp("-3"), DateTime::from_timestamp(-3, 0));
    }

    #[test]
    fn rejects_everything_else() {
        for bad in [
            "",
            "2024-03-01",
            "2024-03-01T09:00:00",
            "2024-02-30T09:00:00Z",
            "yesterday",
            "1.",
            ".5",
            "-",
            "1.0000000001",
            "99999999999999999999",
            "9223372036854775807",
            "1e9",
            "+5",
        ] {
            assert_eq!(parse_timestamp(bad), None, "{bad}");
        }
    }
}
