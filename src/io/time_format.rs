//! The public face of timestamp reading: [`TimeFormat`], [`TimeUnit`] and
//! the errors [`TimeFormatError`] and [`TimestampError`]. The parsing itself
//! is in `timestamp.rs`.

use std::fmt;
use std::str::FromStr;

use chrono::format::{Item, StrftimeItems};

use crate::error::{ReadHint, TimestampError};

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
///   A compact date such as `20240301` is a number too (8 digits: seconds
///   in 1970); read it with the layout `%Y%m%d`.
/// * **ISO 8601 / RFC 3339**: a date `YYYY-MM-DD`, optionally followed by
///   `T`, `t` or one space and a time `HH:MM`, `HH:MM:SS` or `HH:MM:SS.fff…`,
///   optionally followed (spaces allowed before it) by a zone: `Z`, `UTC`,
///   `+01:00`, `+0100` or `+01`. A date alone is midnight. A value without a
///   zone is local time in the reader's [`Timezone`](crate::io::Timezone) (default UTC).
///
/// # Given formats
///
/// * [`TimeFormat::Unix`]: every value is a Unix time in that unit, whatever
///   its length (same number syntax as above).
/// * [`TimeFormat::Strftime`]: a chrono strftime layout such as
///   `%d/%m/%Y %H:%M`. If it has an offset (`%z`, `%:z`) the offset is used;
///   `%s` is Unix seconds; otherwise the value is local time in the reader's
///   [`Timezone`](crate::io::Timezone). A layout without a time of day (`%d.%m.%Y`) reads
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
    pub(crate) fn nanos(self) -> i128 {
        match self {
            Self::Seconds => 1_000_000_000,
            Self::Milliseconds => 1_000_000,
            Self::Microseconds => 1_000,
        }
    }

    /// Fraction digits down to the nanosecond.
    pub(crate) fn max_fraction_digits(self) -> usize {
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
pub struct TimeFormatError(pub(crate) String);

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
        if let Self::Strftime(layout) = &format {
            layout_items(layout)?;
        }
        Ok(format)
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

/// The parsing items of a strftime layout; an error for an invalid layout or
/// one that reads no field (it would accept only literal text).
pub(crate) fn layout_items(layout: &str) -> Result<Vec<Item<'static>>, TimeFormatError> {
    let items = StrftimeItems::new(layout)
        .parse_to_owned()
        .map_err(|_| TimeFormatError(layout.to_owned()))?;
    if items
        .iter()
        .any(|i| matches!(i, Item::Numeric(..) | Item::Fixed(_)))
    {
        Ok(items)
    } else {
        Err(TimeFormatError(layout.to_owned()))
    }
}
