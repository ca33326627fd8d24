//! [`EventRecord`]: one event of the log.

use chrono::{DateTime, Utc};

/// One event of the log, owned.
/// [`EventReader::read_event`](super::EventReader::read_event) fills one in
/// place (reusing its buffers); the iterator hands out fresh ones.
///
/// # Example
///
/// ```
/// use attribution::io::events::EventRecord;
/// use chrono::DateTime;
///
/// let t = DateTime::from_timestamp(1_709_283_600, 0).unwrap();
/// let visit = EventRecord::touch("u1", t, "PPC");
/// let purchase = EventRecord::conversion("u1", t, None, 120.0);
/// assert_eq!(visit.channel(), Some("PPC"));
/// assert!(!visit.is_conversion());
/// assert_eq!((purchase.channel(), purchase.value()), (None, 120.0));
/// ```
#[derive(Debug, Clone, Default, PartialEq)]
pub struct EventRecord {
    pub(super) user: String,
    pub(super) channel: String,
    pub(super) time: i64,
    pub(super) conversion: bool,
    pub(super) value: f64,
    pub(super) line: u64,
}

impl EventRecord {
    /// A touch: `user` saw `channel` at `time`.
    #[must_use]
    pub fn touch(user: &str, time: DateTime<Utc>, channel: &str) -> Self {
        Self {
            user: user.trim().to_owned(),
            channel: channel.trim().to_owned(),
            time: nanos_of(time),
            conversion: false,
            value: 0.0,
            line: 0,
        }
    }

    /// A conversion of `user` at `time` worth `value`, on a converting visit to
    /// `channel` or (with `None`) without a touch.
    #[must_use]
    pub fn conversion(user: &str, time: DateTime<Utc>, channel: Option<&str>, value: f64) -> Self {
        Self {
            user: user.trim().to_owned(),
            channel: channel.map(str::trim).unwrap_or_default().to_owned(),
            time: nanos_of(time),
            conversion: true,
            value,
            line: 0,
        }
    }

    /// Sets the line number reported in errors about this event.
    #[must_use]
    pub fn at_line(mut self, line: u64) -> Self {
        self.line = line;
        self
    }

    /// The user id (trimmed, never empty when read from a file).
    #[must_use]
    pub fn user(&self) -> &str {
        &self.user
    }

    /// The channel (trimmed), or `None` for a bare conversion.
    #[must_use]
    pub fn channel(&self) -> Option<&str> {
        if self.channel.is_empty() {
            None
        } else {
            Some(&self.channel)
        }
    }

    /// When the event happened, UTC.
    #[must_use]
    pub fn time(&self) -> DateTime<Utc> {
        DateTime::from_timestamp_nanos(self.time)
    }

    /// When the event happened, in nanoseconds since the Unix epoch.
    #[must_use]
    pub fn time_nanos(&self) -> i64 {
        self.time
    }

    /// Whether the row is a conversion.
    #[must_use]
    pub fn is_conversion(&self) -> bool {
        self.conversion
    }

    /// The value column (0 when absent or empty).
    #[must_use]
    pub fn value(&self) -> f64 {
        self.value
    }

    /// The 1-based line of the row (header = line 1); 0 when the event was
    /// not read from a file and no line was set.
    #[must_use]
    pub fn line(&self) -> u64 {
        self.line
    }
}

/// Nanoseconds since the epoch, saturating outside 1677–2262.
fn nanos_of(time: DateTime<Utc>) -> i64 {
    time.timestamp_nanos_opt()
        .unwrap_or(if time.timestamp() < 0 {
            i64::MIN
        } else {
            i64::MAX
        })
}
