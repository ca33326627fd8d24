//! RFC 3339 formatting of Unix seconds without a date-time dependency.

use std::io::{self, Write};

/// Writes Unix seconds `secs` as an RFC 3339 UTC timestamp with a `Z` suffix and whole
/// seconds, e.g. `2024-03-01T09:00:00Z`. Valid for years 0000..=9999.
///
/// ```
/// let mut out = Vec::new();
/// attribution_synthetic::write_rfc3339_utc(&mut out, 1_709_283_600).unwrap();
/// assert_eq!(out, b"2024-03-01T09:00:00Z");
/// ```
///
/// # Errors
/// Returns the writer's error.
pub fn write_rfc3339_utc<W: Write + ?Sized>(out: &mut W, secs: i64) -> io::Result<()> {
    let days = secs.div_euclid(86_400);
    let second_of_day = secs.rem_euclid(86_400);
    let (year, month, day) = civil_from_days(days);
    write!(
        out,
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}Z",
        second_of_day / 3600,
        second_of_day % 3600 / 60,
        second_of_day % 60
    )
}

/// Proleptic Gregorian (year, month, day) of the day `days` after 1970-01-01
/// (H. Hinnant's `civil_from_days`).
fn civil_from_days(days: i64) -> (i64, i64, i64) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(secs: i64) -> String {
        let mut out = Vec::new();
        write_rfc3339_utc(&mut out, secs).unwrap();
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn known_instants() {
        assert_eq!(text(0), "1970-01-01T00:00:00Z");
        assert_eq!(text(951_782_400), "2000-02-29T00:00:00Z");
        assert_eq!(text(1_709_283_600), "2024-03-01T09:00:00Z");
        assert_eq!(text(1_709_251_199), "2024-02-29T23:59:59Z");
        assert_eq!(text(-1), "1969-12-31T23:59:59Z");
    }

    #[test]
    fn agrees_with_chrono_every_13_hours_over_60_years() {
        let mut secs = 946_684_800 - 20 * 365 * 86_400;
        while secs < 946_684_800 + 40 * 365 * 86_400 {
            let expected = chrono::DateTime::from_timestamp(secs, 0)
                .unwrap()
                .format("%Y-%m-%dT%H:%M:%SZ")
                .to_string();
            assert_eq!(text(secs), expected, "secs = {secs}");
            secs += 13 * 3600 + 17;
        }
    }
}
