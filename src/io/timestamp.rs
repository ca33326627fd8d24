//! Timestamps: the layouts the readers accept ([`TimeFormat`]) and how each
//! value is turned into an instant (UTC).

use std::fmt;
use std::str::FromStr;

use chrono::format::{Fixed, Item, Numeric, Pad, ParseErrorKind, Parsed, StrftimeItems};
use chrono::{DateTime, NaiveTime, Utc};

use crate::error::ReadHint;
use crate::io::timezone::Timezone;

/// How timestamps are written: detected per value (the default), a Unix
/// time in a given unit, or a strftime layout.
///
/// # Automatic detection ([`TimeFormat::Auto`])
///
/// Each value is classified on its own, so one file may mix layouts:
///
/// * **A number** (digits, an optional leading `-`, an optional `.` and
///   fraction) is a Unix time. Its unit follows from the number of digits
///   before the point, sign excluded: up to 11 digits are seconds (up to
///   year 5138), 13 digits milliseconds and 16 digits microseconds (as GA4's
///   `event_timestamp`; both cover 2001-09-09 to 2286-11-20). Other lengths
///   (12, 14, 15, 17 or more digits) are ambiguous and rejected with
///   [`TimestampError::AmbiguousUnixTime`]: give the unit with
///   [`TimeFormat::Unix`]. A negative number is a time before 1970, with the
///   same unit rule. The fraction may have up to 9 digits for seconds, 6 for
///   milliseconds and 3 for microseconds (nanosecond precision).
/// * **ISO 8601 / RFC 3339**: a date `YYYY-MM-DD`, optionally followed by
///   `T`, `t` or one space and a time `HH:MM`, `HH:MM:SS` or `HH:MM:SS.fff…`,
///   optionally followed (spaces allowed before it) by a zone: `Z`, `UTC`,
///   `+01:00`, `+0100` or `+01`. A date alone is midnight. A value without a
///   zone is local time in the reader's [`Timezone`] (default UTC).
///
/// # Given formats
///
/// * [`TimeFormat::Unix`]: every value is a Unix time in that unit, whatever
///   its length (same number syntax as above).
/// * [`TimeFormat::Strftime`]: a chrono strftime layout such as
///   `%d/%m/%Y %H:%M`. If it has an offset (`%z`, `%:z`) the offset is used;
///   `%s` is Unix seconds; otherwise the value is local time in the reader's
///   [`Timezone`]. A layout without a time of day (`%d.%m.%Y`) reads
///   midnight.
///
/// The text form ([`FromStr`], used by the command line's `--time-format`)
/// is `auto`, `unix-s`, `unix-ms`, `unix-us`, or a strftime layout.
///
/// # Example
///
/// ```
/// use attribution::io::{TimeFormat, TimeUnit};
///
/// assert_eq!("auto".parse::<TimeFormat>()?, TimeFormat::Auto);
/// assert_eq!("unix-us".parse::<TimeFormat>()?, TimeFormat::Unix(TimeUnit::Microseconds));
/// assert_eq!(
///     "%d/%m/%Y %H:%M".parse::<TimeFormat>()?,
///     TimeFormat::Strftime("%d/%m/%Y %H:%M".to_owned())
/// );
/// assert!("%Q".parse::<TimeFormat>().is_err());
/// # Ok::<(), attribution::io::TimeFormatError>(())
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub enum TimeFormat {
    /// Detect each value's layout (see above).
    #[default]
    Auto,
    /// A Unix time in this unit.
    Unix(TimeUnit),
    /// A chrono strftime layout (validated when the reader is opened).
    Strftime(String),
}

/// The unit of a Unix time.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum TimeUnit {
    /// Seconds since 1970-01-01T00:00:00Z (`unix-s`).
    Seconds,
    /// Milliseconds since the epoch (`unix-ms`).
    Milliseconds,
    /// Microseconds since the epoch (`unix-us`), as GA4's `event_timestamp`.
    Microseconds,
}

impl TimeUnit {
    /// Nanoseconds per unit.
    fn nanos(self) -> i128 {
        match self {
            Self::Seconds => 1_000_000_000,
            Self::Milliseconds => 1_000_000,
            Self::Microseconds => 1_000,
        }
    }

    /// Fraction digits down to the nanosecond.
    fn max_fraction_digits(self) -> usize {
        match self {
            Self::Seconds => 9,
            Self::Milliseconds => 6,
            Self::Microseconds => 3,
        }
    }

    /// The name in [`TimeFormat`]'s text form (`unix-s`, `unix-ms`, `unix-us`).
    #[must_use]
    pub fn name(self) -> &'static str {
        match self {
            Self::Seconds => "unix-s",
            Self::Milliseconds => "unix-ms",
            Self::Microseconds => "unix-us",
        }
    }
}

/// A time format text that is not `auto`, `unix-s|ms|us` or a valid
/// strftime layout.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "invalid time format `{0}` (expected auto, unix-s, unix-ms, unix-us or a strftime layout such as %d/%m/%Y %H:%M)"
)]
pub struct TimeFormatError(String);

impl FromStr for TimeFormat {
    type Err = TimeFormatError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let format = match s.trim() {
            "auto" => Self::Auto,
            "unix-s" => Self::Unix(TimeUnit::Seconds),
            "unix-ms" => Self::Unix(TimeUnit::Milliseconds),
            "unix-us" => Self::Unix(TimeUnit::Microseconds),
            _ => Self::Strftime(s.to_owned()),
        };
        Compiled::new(&format).map(|_| format)
    }
}

impl fmt::Display for TimeFormat {
    /// The text form: `auto`, `unix-ms`, or the layout.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Auto => f.write_str("auto"),
            Self::Unix(unit) => f.write_str(unit.name()),
            Self::Strftime(layout) => f.write_str(layout),
        }
    }
}

/// Why a timestamp was rejected: the detail of
/// [`ReadErrorKind::InvalidTimestamp`](crate::ReadErrorKind::InvalidTimestamp).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum TimestampError {
    /// Automatic detection knows no layout that fits.
    #[error("not an ISO 8601 date or date-time nor a Unix time")]
    Unrecognized,
    /// An integer whose digit count does not tell its unit.
    #[error(
        "a {digits}-digit number is not a Unix time: seconds have up to 11 digits, milliseconds 13, microseconds 16"
    )]
    AmbiguousUnixTime {
        /// Digits before the decimal point, sign excluded.
        digits: usize,
    },
    /// The value does not match the given format.
    #[error("does not match the time format `{0}`")]
    FormatMismatch(String),
    /// The fields are well-formed but name no date or time (`2024-02-30`,
    /// `25:00`).
    #[error("no such date or time")]
    Impossible,
    /// The instant cannot be held: beyond chrono's range for journeys, or
    /// outside 1677-09-21..2262-04-11 (nanoseconds in an `i64`) for events.
    #[error("out of range")]
    OutOfRange,
    /// A local time skipped by a daylight-saving change in the reader's zone.
    #[error("local time that does not exist in time zone {zone}")]
    NonexistentLocalTime {
        /// The zone's name.
        zone: String,
    },
}

impl TimestampError {
    /// The setting that would probably read the value: a layout for text
    /// automatic detection does not know, a unit for an ambiguous number.
    pub(crate) fn hint(&self) -> Option<ReadHint> {
        match self {
            Self::Unrecognized => Some(ReadHint::TimeLayout),
            Self::AmbiguousUnixTime { .. } => Some(ReadHint::TimeUnit),
            _ => None,
        }
    }
}

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
            TimeFormat::Strftime(layout) => {
                let items = StrftimeItems::new(layout)
                    .parse_to_owned()
                    .map_err(|_| TimeFormatError(layout.clone()))?;
                // A layout that reads nothing would accept only literal text.
                if !items
                    .iter()
                    .any(|i| matches!(i, Item::Numeric(..) | Item::Fixed(_)))
                {
                    return Err(TimeFormatError(layout.clone()));
                }
                Self::Strftime {
                    layout: layout.clone(),
                    items,
                }
            }
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
