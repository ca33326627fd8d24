//! [`TimeParser`]: turns a timestamp field into an instant (UTC) under a
//! [`TimeFormat`] and a [`Timezone`]; the rules are documented on
//! [`TimeFormat`].

use chrono::format::{Fixed, Item, Numeric, Pad, ParseErrorKind, Parsed, StrftimeItems};
use chrono::{DateTime, NaiveDateTime, NaiveTime, Utc};

use crate::error::TimestampError;
use crate::io::time_format::{TimeFormat, TimeFormatError, TimeUnit, layout_items};
use crate::io::timezone::Timezone;

/// A [`TimeFormat`] prepared for parsing.
#[derive(Debug, Clone)]
enum Compiled {
    Auto,
    Unix(TimeUnit),
    Strftime {
        layout: String,
        items: Vec<Item<'static>>,
    },
}

impl Compiled {
    fn new(format: &TimeFormat) -> Result<Self, TimeFormatError> {
        Ok(match format {
            TimeFormat::Auto => Self::Auto,
            TimeFormat::Unix(unit) => Self::Unix(*unit),
            TimeFormat::Strftime(layout) => Self::Strftime {
                layout: layout.clone(),
                items: layout_items(layout)?,
            },
        })
    }
}

/// Parses timestamp fields under one [`TimeFormat`] and [`Timezone`].
#[derive(Debug, Clone)]
pub(crate) struct TimeParser {
    format: Compiled,
    zone: Timezone,
}

impl TimeParser {
    /// Prepares `format` (a strftime layout is checked here).
    pub(crate) fn new(format: &TimeFormat, zone: Timezone) -> Result<Self, TimeFormatError> {
        Ok(Self {
            format: Compiled::new(format)?,
            zone,
        })
    }

    /// The instant of `text` (surrounding whitespace ignored).
    pub(crate) fn parse(&self, text: &str) -> Result<DateTime<Utc>, TimestampError> {
        let text = text.trim();
        match &self.format {
            Compiled::Auto => match unix_digits(text) {
                Some(digits) => {
                    let unit = match digits {
                        0..=11 => TimeUnit::Seconds,
                        13 => TimeUnit::Milliseconds,
                        16 => TimeUnit::Microseconds,
                        _ => return Err(TimestampError::AmbiguousUnixTime { digits }),
                    };
                    parse_unix(text, unit, TimestampError::Unrecognized)
                }
                None => self.parse_iso(text),
            },
            Compiled::Unix(unit) => {
                let mismatch = TimestampError::FormatMismatch(unit.name().to_owned());
                match unix_digits(text) {
                    Some(_) => parse_unix(text, *unit, mismatch),
                    None => Err(mismatch),
                }
            }
            Compiled::Strftime { layout, items } => self.parse_layout(text, layout, items),
        }
    }

    /// [`TimeParser::parse`] in nanoseconds since the epoch; instants
    /// outside the `i64` range (1677–2262) are [`TimestampError::OutOfRange`].
    pub(crate) fn parse_nanos(&self, text: &str) -> Result<i64, TimestampError> {
        self.parse(text)?
            .timestamp_nanos_opt()
            .ok_or(TimestampError::OutOfRange)
    }

    /// ISO 8601: date, optional time, optional zone (see [`TimeFormat`]).
    fn parse_iso(&self, s: &str) -> Result<DateTime<Utc>, TimestampError> {
        // Fast paths through chrono's RFC 3339 scanner (several times faster
        // than the general items below): a full date-time with a zone, or
        // without one (read with a `Z` appended, as local time).
        if let Ok(t) = DateTime::parse_from_rfc3339(s) {
            return Ok(t.with_timezone(&Utc));
        }
        if let Some(naive) = parse_zone_less_rfc3339(s) {
            return self.zone.to_utc(naive);
        }
        self.parse_iso_items(s)
    }

    /// [`TimeParser::parse_iso`] with chrono's general parser, piece by piece.
    fn parse_iso_items(&self, s: &str) -> Result<DateTime<Utc>, TimestampError> {
        const DATE: &[Item<'static>] = &[
            Item::Numeric(Numeric::Year, Pad::Zero),
            Item::Literal("-"),
            Item::Numeric(Numeric::Month, Pad::Zero),
            Item::Literal("-"),
            Item::Numeric(Numeric::Day, Pad::Zero),
        ];
        const HOUR_MINUTE: &[Item<'static>] = &[
            Item::Numeric(Numeric::Hour, Pad::Zero),
            Item::Literal(":"),
            Item::Numeric(Numeric::Minute, Pad::Zero),
        ];
        const SECONDS: &[Item<'static>] = &[
            Item::Literal(":"),
            Item::Numeric(Numeric::Second, Pad::Zero),
            Item::Fixed(Fixed::Nanosecond),
        ];
        let unrecognized = |e| parse_error(e, TimestampError::Unrecognized);
        let mut parsed = Parsed::new();
        let rest = chrono::format::parse_and_remainder(&mut parsed, s, DATE.iter())
            .map_err(unrecognized)?;
        let Some(rest) = rest.strip_prefix(['T', 't', ' ']) else {
            if !rest.is_empty() {
                return Err(TimestampError::Unrecognized);
            }
            let date = parsed.to_naive_date().map_err(conversion_error)?;
            return self.zone.to_utc(date.and_time(NaiveTime::MIN));
        };
        let mut rest = chrono::format::parse_and_remainder(&mut parsed, rest, HOUR_MINUTE.iter())
            .map_err(unrecognized)?;
        if rest.starts_with(':') {
            rest = chrono::format::parse_and_remainder(&mut parsed, rest, SECONDS.iter())
                .map_err(unrecognized)?;
        } else {
            parsed.set_second(0).map_err(unrecognized)?;
        }
        let zone = rest.trim_start();
        if zone.is_empty() {
            let naive = parsed
                .to_naive_datetime_with_offset(0)
                .map_err(conversion_error)?;
            return self.zone.to_utc(naive);
        }
        if zone.eq_ignore_ascii_case("utc") {
            parsed.set_offset(0).map_err(unrecognized)?;
        } else {
            chrono::format::parse(&mut parsed, zone, StrftimeItems::new("%#z"))
                .map_err(unrecognized)?;
        }
        to_utc(&parsed)
    }

    /// A value under a strftime layout.
    fn parse_layout(
        &self,
        s: &str,
        layout: &str,
        items: &[Item<'static>],
    ) -> Result<DateTime<Utc>, TimestampError> {
        let mut parsed = Parsed::new();
        chrono::format::parse(&mut parsed, s, items.iter())
            .map_err(|e| parse_error(e, TimestampError::FormatMismatch(layout.to_owned())))?;
        if parsed.offset().is_some() || parsed.timestamp().is_some() {
            return to_utc(&parsed);
        }
        let naive = if parsed.hour_div_12().is_none() && parsed.hour_mod_12().is_none() {
            parsed
                .to_naive_date()
                .map_err(conversion_error)?
                .and_time(NaiveTime::MIN)
        } else {
            parsed
                .to_naive_datetime_with_offset(0)
                .map_err(conversion_error)?
        };
        self.zone.to_utc(naive)
    }
}

/// `YYYY-MM-DD[T ]HH:MM:SS[.f]` without a zone, as a local time: read by
/// chrono's RFC 3339 scanner with a `Z` appended in a stack buffer.
fn parse_zone_less_rfc3339(s: &str) -> Option<NaiveDateTime> {
    const MAX: usize = 40;
    let mut buf = [0u8; MAX];
    let with_z = buf.get_mut(..s.len() + 1)?;
    let (text, z) = with_z.split_at_mut(s.len());
    text.copy_from_slice(s.as_bytes());
    z.copy_from_slice(b"Z");
    let text = std::str::from_utf8(with_z).ok()?;
    DateTime::parse_from_rfc3339(text)
        .ok()
        .map(|t| t.naive_utc())
}

/// The instant of a parse that carries an offset or a Unix timestamp.
fn to_utc(parsed: &Parsed) -> Result<DateTime<Utc>, TimestampError> {
    let instant = if parsed.offset().is_some() {
        parsed.to_datetime().map(|t| t.with_timezone(&Utc))
    } else {
        parsed.to_datetime_with_timezone(&Utc)
    };
    instant.map_err(conversion_error)
}

/// A field out of its range (month 13, hour 25) names no date or time;
/// anything else does not fit the layout: `mismatch`.
fn parse_error(e: chrono::format::ParseError, mismatch: TimestampError) -> TimestampError {
    match e.kind() {
        ParseErrorKind::OutOfRange | ParseErrorKind::Impossible => TimestampError::Impossible,
        _ => mismatch,
    }
}

/// Why well-formed fields make no instant (`2024-02-30`).
fn conversion_error(_: chrono::format::ParseError) -> TimestampError {
    TimestampError::Impossible
}

/// If `s` is `-?digits(.digits)?`, the number of digits before the point.
fn unix_digits(s: &str) -> Option<usize> {
    let unsigned = s.strip_prefix('-').unwrap_or(s);
    let (whole, fraction) = match unsigned.split_once('.') {
        Some((w, f)) if !f.is_empty() => (w, f),
        Some(_) => return None,
        None => (unsigned, ""),
    };
    let digits = |x: &str| x.bytes().all(|b| b.is_ascii_digit());
    (!whole.is_empty() && digits(whole) && digits(fraction)).then_some(whole.len())
}

/// A Unix time `-?digits(.digits)?` in `unit` (syntax checked by
/// [`unix_digits`]). A fraction finer than a nanosecond is `too_fine`.
fn parse_unix(
    s: &str,
    unit: TimeUnit,
    too_fine: TimestampError,
) -> Result<DateTime<Utc>, TimestampError> {
    let (negative, unsigned) = match s.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, s),
    };
    let (whole, fraction) = unsigned.split_once('.').unwrap_or((unsigned, ""));
    if fraction.len() > unit.max_fraction_digits() {
        return Err(too_fine);
    }
    unix_nanos(negative, whole, fraction, unit)
        .and_then(|nanos| {
            let secs = i64::try_from(nanos.div_euclid(1_000_000_000)).ok()?;
            let subsec = u32::try_from(nanos.rem_euclid(1_000_000_000)).ok()?;
            DateTime::from_timestamp(secs, subsec)
        })
        .ok_or(TimestampError::OutOfRange)
}

/// Nanoseconds since the epoch of a Unix time's parts; `None` on overflow.
fn unix_nanos(negative: bool, whole: &str, fraction: &str, unit: TimeUnit) -> Option<i128> {
    // At most 38 digits fit an i128; anything longer is out of range anyway.
    let whole: i128 = whole.parse().ok()?;
    let mut nanos = whole.checked_mul(unit.nanos())?;
    if !fraction.is_empty() {
        let scale = 10i128.checked_pow(u32::try_from(fraction.len()).ok()?)?;
        let fraction: i128 = fraction.parse().ok()?;
        nanos = nanos.checked_add(fraction.checked_mul(unit.nanos())? / scale)?;
    }
    Some(if negative { -nanos } else { nanos })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn auto() -> TimeParser {
        TimeParser::new(&TimeFormat::Auto, Timezone::utc()).unwrap()
    }

    fn rfc(t: Result<DateTime<Utc>, TimestampError>) -> String {
        t.map_or_else(|e| format!("error: {e}"), |t| t.to_rfc3339())
    }

    #[test]
    fn iso_layouts_with_and_without_zone() {
        let p = auto();
        for (text, expected) in [
            ("2024-03-01T09:00:00Z", "2024-03-01T09:00:00+00:00"),
            (" 2024-03-01T10:30:00+01:30 ", "2024-03-01T09:00:00+00:00"),
            ("2024-03-01 09:00:00z", "2024-03-01T09:00:00+00:00"),
            ("2024-03-01t10:00:00+0100", "2024-03-01T09:00:00+00:00"),
            ("2024-03-01T10:00:00+01", "2024-03-01T09:00:00+00:00"),
            ("2024-03-01 09:00:00 UTC", "2024-03-01T09:00:00+00:00"),
            ("2024-03-01 10:00:00 +01:00", "2024-03-01T09:00:00+00:00"),
            ("2024-03-01T09:00:00.5Z", "2024-03-01T09:00:00.500+00:00"),
            (
                "2024-03-01T09:00:00.123456789Z",
                "2024-03-01T09:00:00.123456789+00:00",
            ),
            ("2024-03-01 10:00:00", "2024-03-01T10:00:00+00:00"),
            ("2024-03-01T10:00:00", "2024-03-01T10:00:00+00:00"),
            ("2024-03-01T10:00:00.25", "2024-03-01T10:00:00.250+00:00"),
            ("2024-03-01 10:00", "2024-03-01T10:00:00+00:00"),
            ("2024-03-01T10:00Z", "2024-03-01T10:00:00+00:00"),
            ("2024-03-01", "2024-03-01T00:00:00+00:00"),
        ] {
            assert_eq!(rfc(p.parse(text)), expected, "{text:?}");
        }
    }

    #[test]
    fn unix_units_by_digit_count() {
        let p = auto();
        for (text, expected) in [
            ("1709283600", "2024-03-01T09:00:00+00:00"),
            ("1709283600.25", "2024-03-01T09:00:00.250+00:00"),
            ("0", "1970-01-01T00:00:00+00:00"),
            ("-1.5", "1969-12-31T23:59:58.500+00:00"),
            ("99999999999", "5138-11-16T09:46:39+00:00"),
            ("1709283600123", "2024-03-01T09:00:00.123+00:00"),
            ("1709283600123.5", "2024-03-01T09:00:00.123500+00:00"),
            ("1709283600123456", "2024-03-01T09:00:00.123456+00:00"),
            (
                "1709283600123456.789",
                "2024-03-01T09:00:00.123456789+00:00",
            ),
            ("-1000000000000", "1938-04-24T22:13:20+00:00"),
        ] {
            assert_eq!(rfc(p.parse(text)), expected, "{text:?}");
        }
        for (text, digits) in [
            ("170928360012", 12),
            ("17092836001234", 14),
            ("170928360012345", 15),
            ("17092836001234567", 17),
            ("-170928360012", 12),
        ] {
            assert_eq!(
                p.parse(text),
                Err(TimestampError::AmbiguousUnixTime { digits }),
                "{text}"
            );
        }
        assert_eq!(
            p.parse("1.0000000001"),
            Err(TimestampError::Unrecognized),
            "finer than a nanosecond"
        );
        assert_eq!(
            p.parse("99999999999.5"),
            Ok(DateTime::from_timestamp(99_999_999_999, 500_000_000).unwrap())
        );
    }

    #[test]
    fn given_units_accept_any_length() {
        let ms =
            TimeParser::new(&TimeFormat::Unix(TimeUnit::Milliseconds), Timezone::utc()).unwrap();
        assert_eq!(rfc(ms.parse("86400000")), "1970-01-02T00:00:00+00:00");
        assert_eq!(rfc(ms.parse("1.5")), "1970-01-01T00:00:00.001500+00:00");
        assert_eq!(
            ms.parse("2024-03-01"),
            Err(TimestampError::FormatMismatch("unix-ms".to_owned()))
        );
        let us =
            TimeParser::new(&TimeFormat::Unix(TimeUnit::Microseconds), Timezone::utc()).unwrap();
        assert_eq!(
            rfc(us.parse("170928360012345")),
            "1975-06-02T08:06:00.012345+00:00"
        );
        assert_eq!(
            us.parse("1.0001"),
            Err(TimestampError::FormatMismatch("unix-us".to_owned()))
        );
        let s = TimeParser::new(&TimeFormat::Unix(TimeUnit::Seconds), Timezone::utc()).unwrap();
        assert_eq!(
            s.parse("1709283600123").map(|t| t.timestamp()),
            Ok(1_709_283_600_123)
        );
        assert_eq!(
            s.parse("99999999999999999999999"),
            Err(TimestampError::OutOfRange)
        );
    }

    #[test]
    fn strftime_layouts() {
        let zone = Timezone::parse("+02:00").unwrap();
        let parser =
            |layout: &str| TimeParser::new(&TimeFormat::Strftime(layout.to_owned()), zone).unwrap();
        let dmy = parser("%d/%m/%Y %H:%M");
        assert_eq!(
            rfc(dmy.parse("01/03/2024 11:00")),
            "2024-03-01T09:00:00+00:00"
        );
        assert_eq!(
            dmy.parse("2024-03-01 11:00"),
            Err(TimestampError::FormatMismatch("%d/%m/%Y %H:%M".to_owned()))
        );
        assert_eq!(
            dmy.parse("31/02/2024 11:00"),
            Err(TimestampError::Impossible)
        );
        let with_offset = parser("%d.%m.%Y %H:%M %z");
        assert_eq!(
            rfc(with_offset.parse("01.03.2024 10:00 +0100")),
            "2024-03-01T09:00:00+00:00"
        );
        assert_eq!(
            rfc(parser("%d.%m.%Y").parse("01.03.2024")),
            "2024-02-29T22:00:00+00:00"
        );
        assert_eq!(
            rfc(parser("%s").parse("1709283600")),
            "2024-03-01T09:00:00+00:00"
        );
        assert_eq!(
            TimeParser::new(&TimeFormat::Strftime("%Q".to_owned()), zone).map(|_| ()),
            Err(TimeFormatError("%Q".to_owned()))
        );
        assert!(TimeParser::new(&TimeFormat::Strftime("date".to_owned()), zone).is_err());
    }

    #[test]
    fn zone_less_values_use_the_zone() {
        let p = TimeParser::new(&TimeFormat::Auto, Timezone::parse("-05:00").unwrap()).unwrap();
        assert_eq!(
            rfc(p.parse("2024-03-01 04:00")),
            "2024-03-01T09:00:00+00:00"
        );
        assert_eq!(rfc(p.parse("2024-03-01")), "2024-03-01T05:00:00+00:00");
        // Values with their own offset, and Unix times, ignore it.
        assert_eq!(
            rfc(p.parse("2024-03-01T09:00:00Z")),
            "2024-03-01T09:00:00+00:00"
        );
        assert_eq!(rfc(p.parse("1709283600")), "2024-03-01T09:00:00+00:00");
    }

    #[test]
    fn rejects_everything_else() {
        let p = auto();
        for (bad, expected) in [
            ("", TimestampError::Unrecognized),
            ("yesterday", TimestampError::Unrecognized),
            ("1.", TimestampError::Unrecognized),
            (".5", TimestampError::Unrecognized),
            ("-", TimestampError::Unrecognized),
            ("1e9", TimestampError::Unrecognized),
            ("+5", TimestampError::Unrecognized),
            ("01/03/2024", TimestampError::Unrecognized),
            ("2024-03-01T", TimestampError::Unrecognized),
            ("2024-03-01T10", TimestampError::Unrecognized),
            (
                "2024-03-01T10:00:00 Europe/Berlin",
                TimestampError::Unrecognized,
            ),
            ("2024-03-01T10:00:00Zjunk", TimestampError::Unrecognized),
            ("2024-03-01x", TimestampError::Unrecognized),
            ("2024-02-30T09:00:00Z", TimestampError::Impossible),
            ("2024-13-01", TimestampError::Impossible),
            ("2024-03-01 10:61", TimestampError::Impossible),
            ("2024-03-01T25:00:00", TimestampError::Impossible),
        ] {
            assert_eq!(p.parse(bad), Err(expected), "{bad:?}");
        }
        assert_eq!(
            p.parse_nanos("3000-01-01T00:00:00Z"),
            Err(TimestampError::OutOfRange)
        );
        assert_eq!(
            p.parse_nanos("2024-03-01T09:00:00Z"),
            Ok(1_709_283_600_000_000_000)
        );
    }

    #[test]
    fn text_forms_round_trip() {
        for text in ["auto", "unix-s", "unix-ms", "unix-us", "%Y%m%d %H%M"] {
            assert_eq!(text.parse::<TimeFormat>().unwrap().to_string(), text);
        }
    }
}
