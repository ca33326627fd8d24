//! [`Timezone`]: the zone in which timestamps without an offset are read.

use std::fmt;
use std::str::FromStr;

use chrono::{DateTime, FixedOffset, MappedLocalTime, NaiveDateTime, Offset, TimeZone, Utc};

use crate::error::TimestampError;

/// The time zone of timestamps written without a zone or offset
/// (`2024-03-01 10:00:00`, `2024-03-01`); default UTC. Values that carry
/// their own offset (`Z`, `+01:00`) or are Unix times ignore it.
///
/// A fixed offset from UTC, or (with the crate feature `tz`, which the
/// command-line tool enables) an IANA zone such as `Europe/Berlin`, whose
/// offset follows daylight saving time. In an IANA zone a local time that
/// occurs twice (when clocks go back) is read as the earlier instant, and a
/// local time that does not exist (skipped when clocks go forward) is an
/// [`TimestampError::NonexistentLocalTime`] error.
///
/// # Example
///
/// ```
/// use attribution::io::Timezone;
///
/// assert_eq!(Timezone::default(), Timezone::utc());
/// let east: Timezone = "+02:00".parse()?;
/// assert_eq!(east.to_string(), "+02:00");
/// assert_eq!("-0530".parse::<Timezone>()?.to_string(), "-05:30");
/// assert_eq!("UTC".parse::<Timezone>()?, Timezone::utc());
/// assert!("Mars/Olympus".parse::<Timezone>().is_err());
/// # Ok::<(), attribution::io::TimezoneError>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Timezone(Zone);

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Zone {
    Fixed(FixedOffset),
    #[cfg(feature = "tz")]
    Named(chrono_tz::Tz),
}

/// A time zone name that [`Timezone::parse`] does not know.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown time zone `{name}` (expected UTC, an offset such as +02:00{named})")]
pub struct TimezoneError {
    name: String,
    named: &'static str,
}

impl Timezone {
    /// Coordinated Universal Time (the default).
    #[must_use]
    pub fn utc() -> Self {
        Self(Zone::Fixed(Utc.fix()))
    }

    /// A fixed offset from UTC.
    ///
    /// ```
    /// use attribution::io::Timezone;
    /// use chrono::FixedOffset;
    ///
    /// let zone = Timezone::fixed(FixedOffset::east_opt(3600).unwrap());
    /// assert_eq!(zone.to_string(), "+01:00");
    /// ```
    #[must_use]
    pub fn fixed(offset: FixedOffset) -> Self {
        Self(Zone::Fixed(offset))
    }

    /// Reads a zone: `UTC` or `Z` (any case), a fixed offset (`+02:00`,
    /// `+0200`, `+02`, `-05:30`), or with the feature `tz` an IANA name
    /// (`Europe/Berlin`, case-sensitive as in the IANA database).
    ///
    /// # Errors
    ///
    /// [`TimezoneError`] for anything else.
    pub fn parse(name: &str) -> Result<Self, TimezoneError> {
        let text = name.trim();
        if text.eq_ignore_ascii_case("utc") || text.eq_ignore_ascii_case("z") {
            return Ok(Self::utc());
        }
        if text.starts_with(['+', '-']) {
            let mut parsed = chrono::format::Parsed::new();
            let items = chrono::format::StrftimeItems::new("%#z");
            if chrono::format::parse(&mut parsed, text, items).is_ok() {
                if let Some(offset) = parsed.offset().and_then(FixedOffset::east_opt) {
                    return Ok(Self::fixed(offset));
                }
            }
        }
        #[cfg(feature = "tz")]
        if let Ok(tz) = text.parse::<chrono_tz::Tz>() {
            return Ok(Self(Zone::Named(tz)));
        }
        Err(TimezoneError {
            name: name.to_owned(),
            named: if cfg!(feature = "tz") {
                " or an IANA name such as Europe/Berlin"
            } else {
                "; IANA names need the crate feature `tz`"
            },
        })
    }

    /// The instant of the local time `naive` in this zone.
    pub(crate) fn to_utc(self, naive: NaiveDateTime) -> Result<DateTime<Utc>, TimestampError> {
        let local = match self.0 {
            Zone::Fixed(offset) => map_local(offset.from_local_datetime(&naive)),
            #[cfg(feature = "tz")]
            Zone::Named(tz) => map_local(tz.from_local_datetime(&naive)),
        };
        local.ok_or_else(|| TimestampError::NonexistentLocalTime {
            zone: self.to_string(),
        })
    }
}

/// The earlier of two candidate instants; `None` when the local time does
/// not exist.
fn map_local<T: TimeZone>(local: MappedLocalTime<DateTime<T>>) -> Option<DateTime<Utc>> {
    local.earliest().map(|t| t.with_timezone(&Utc))
}

impl Default for Timezone {
    fn default() -> Self {
        Self::utc()
    }
}

impl FromStr for Timezone {
    type Err = TimezoneError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

impl fmt::Display for Timezone {
    /// `UTC`, the offset (`+02:00`) or the IANA name.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0 {
            Zone::Fixed(offset) if offset.local_minus_utc() == 0 => f.write_str("UTC"),
            Zone::Fixed(offset) => write!(f, "{offset}"),
            #[cfg(feature = "tz")]
            Zone::Named(tz) => f.write_str(tz.name()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::NaiveDate;

    fn naive(y: i32, mo: u32, d: u32, h: u32, mi: u32) -> NaiveDateTime {
        NaiveDate::from_ymd_opt(y, mo, d)
            .unwrap()
            .and_hms_opt(h, mi, 0)
            .unwrap()
    }

    #[test]
    fn fixed_offsets_and_utc() {
        for (text, shown, secs) in [
            ("UTC", "UTC", 0),
            ("z", "UTC", 0),
            ("+00:00", "UTC", 0),
            ("+02:00", "+02:00", 7200),
            ("+0200", "+02:00", 7200),
            ("+02", "+02:00", 7200),
            (" -05:30 ", "-05:30", -19800),
        ] {
            let zone = Timezone::parse(text).unwrap();
            assert_eq!(zone.to_string(), shown, "{text}");
            let t = zone.to_utc(naive(2024, 3, 1, 12, 0)).unwrap();
            assert_eq!(t.timestamp(), 1_709_294_400 - secs, "{text}");
        }
        for bad in ["", "+", "+2", "+25:00", "0200", "Berlin", "UTC+1"] {
            assert!(Timezone::parse(bad).is_err(), "{bad}");
        }
    }

    #[cfg(feature = "tz")]
    #[test]
    fn iana_zones_follow_daylight_saving() {
        let berlin = Timezone::parse("Europe/Berlin").unwrap();
        assert_eq!(berlin.to_string(), "Europe/Berlin");
        // Winter: UTC+1; summer: UTC+2.
        let winter = berlin.to_utc(naive(2024, 1, 15, 12, 0)).unwrap();
        assert_eq!(winter.to_rfc3339(), "2024-01-15T11:00:00+00:00");
        let summer = berlin.to_utc(naive(2024, 7, 15, 12, 0)).unwrap();
        assert_eq!(summer.to_rfc3339(), "2024-07-15T10:00:00+00:00");
        // 2024-10-27 02:30 happens twice: the earlier (CEST) instant.
        let twice = berlin.to_utc(naive(2024, 10, 27, 2, 30)).unwrap();
        assert_eq!(twice.to_rfc3339(), "2024-10-27T00:30:00+00:00");
        // 2024-03-31 02:30 does not exist.
        assert_eq!(
            berlin.to_utc(naive(2024, 3, 31, 2, 30)),
            Err(TimestampError::NonexistentLocalTime {
                zone: "Europe/Berlin".to_owned()
            })
        );
    }
}
