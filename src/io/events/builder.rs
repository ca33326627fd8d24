//! [`EventReaderBuilder`]: configures and opens an [`EventReader`].

use std::fs::File;
use std::io::Read;
use std::path::Path;

use super::reader::{Columns, EventReader};
use crate::error::{ReadError, ReadErrorKind, ReadHint};
use crate::io::header::{Header, Rules, Wanted};
use crate::io::options::{InputOptions, input_setters, open_file};
use crate::io::timestamp::TimeParser;

/// Configures and opens an [`EventReader`].
///
/// Setters take and return `&mut Self`; the builder is reusable.
///
/// # Example
///
/// ```
/// use attribution::io::events::EventReaderBuilder;
/// use attribution::io::{TimeFormat, TimeUnit};
///
/// let data = "who\twhen\tsource\tbought\nu1\t1709283600\tEmail\tfalse\n";
/// let mut reader = EventReaderBuilder::new()
///     .user_column("who")
///     .timestamp_column("when")
///     .channel_column("source")
///     .conversion_column("bought")
///     .delimiter(b'\t')
///     .time_format(TimeFormat::Unix(TimeUnit::Seconds))
///     .from_reader(data.as_bytes())?;
/// let event = reader.next().unwrap()?;
/// assert_eq!((event.user(), event.channel()), ("u1", Some("Email")));
/// assert_eq!(event.time_nanos(), 1_709_283_600_000_000_000);
/// # Ok::<(), attribution::ReadError>(())
/// ```
#[derive(Debug, Clone)]
pub struct EventReaderBuilder {
    user: String,
    timestamp: String,
    channel: String,
    conversion: String,
    value: String,
    event: String,
    conversion_events: Vec<String>,
    input: InputOptions,
}

impl Default for EventReaderBuilder {
    fn default() -> Self {
        Self {
            user: "user_id".to_owned(),
            timestamp: "timestamp".to_owned(),
            channel: "channel".to_owned(),
            conversion: "conversion".to_owned(),
            value: "value".to_owned(),
            event: "event_name".to_owned(),
            conversion_events: Vec::new(),
            input: InputOptions::default(),
        }
    }
}

/// The roles of the columns, in the order of [`EventReaderBuilder::roles`].
const USER: usize = 0;
const TIMESTAMP: usize = 1;
const CHANNEL: usize = 2;
const CONVERSION: usize = 3;
const VALUE: usize = 4;
const EVENT: usize = 5;

impl EventReaderBuilder {
    /// Default column names (`user_id`, `timestamp`, `channel`, `conversion`,
    /// `value`, `event_name`), delimiter detected, timestamps detected per
    /// value (zone-less ones in UTC), decimal commas in `;`-delimited files
    /// only, no conversion events, strict mode.
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }

    input_setters!();

    /// The name of the user column (default `user_id`).
    pub fn user_column(&mut self, name: &str) -> &mut Self {
        name.clone_into(&mut self.user);
        self
    }

    /// The name of the timestamp column (default `timestamp`).
    pub fn timestamp_column(&mut self, name: &str) -> &mut Self {
        name.clone_into(&mut self.timestamp);
        self
    }

    /// The name of the channel column (default `channel`).
    pub fn channel_column(&mut self, name: &str) -> &mut Self {
        name.clone_into(&mut self.channel);
        self
    }

    /// The name of the conversion-flag column (default `conversion`).
    pub fn conversion_column(&mut self, name: &str) -> &mut Self {
        name.clone_into(&mut self.conversion);
        self
    }

    /// The name of the optional value column (default `value`).
    pub fn value_column(&mut self, name: &str) -> &mut Self {
        name.clone_into(&mut self.value);
        self
    }

    /// The name of the event-name column read with
    /// [`conversion_events`](Self::conversion_events) (default `event_name`).
    ///
    /// ```
    /// use attribution::io::events::EventReaderBuilder;
    ///
    /// let data = "user_id,timestamp,channel,action\nu,1,Email,click\nu,2,,order\n";
    /// let events: Vec<_> = EventReaderBuilder::new()
    ///     .event_column("action")
    ///     .conversion_events(["order"])
    ///     .from_reader(data.as_bytes())?
    ///     .collect::<Result<_, _>>()?;
    /// assert_eq!(events.iter().map(|e| e.is_conversion()).collect::<Vec<_>>(), [false, true]);
    /// # Ok::<(), attribution::ReadError>(())
    /// ```
    pub fn event_column(&mut self, name: &str) -> &mut Self {
        name.clone_into(&mut self.event);
        self
    }

    /// Mark conversions by event name: a row is a conversion when its event
    /// column holds one of `names` (trimmed, case-sensitive); replaces any
    /// earlier list. With a non-empty list the event column is required and
    /// the `conversion` column optional (when present, a row is a conversion
    /// if either says so), and a row that is neither a conversion nor has a
    /// channel is skipped and counted
    /// ([`EventReader::skipped_without_channel`]) instead of rejected.
    /// An empty name is a configuration error when the reader is opened.
    ///
    /// ```
    /// use attribution::io::events::EventReaderBuilder;
    ///
    /// // GA4-like: microsecond timestamps, purchases marked by event name.
    /// let data = "user_id,timestamp,event_name,channel,value\n\
    ///             u,1709283600000000,session_start,google / cpc,\n\
    ///             u,1709283660000000,page_view,,\n\
    ///             u,1709283720000000,purchase,,49.9\n";
    /// let mut reader = EventReaderBuilder::new()
    ///     .conversion_events(["purchase", "sign_up"])
    ///     .from_reader(data.as_bytes())?;
    /// let events: Vec<_> = reader.by_ref().collect::<Result<_, _>>()?;
    /// assert_eq!(events.len(), 2);
    /// assert_eq!((events[0].channel(), events[0].is_conversion()), (Some("google / cpc"), false));
    /// assert_eq!((events[1].is_conversion(), events[1].value()), (true, 49.9));
    /// assert_eq!(events[1].time().to_rfc3339(), "2024-03-01T09:02:00+00:00");
    /// assert_eq!(reader.skipped_without_channel(), 1); // the page view
    /// # Ok::<(), attribution::ReadError>(())
    /// ```
    pub fn conversion_events<I, S>(&mut self, names: I) -> &mut Self
    where
        I: IntoIterator<Item = S>,
        S: AsRef<str>,
    {
        self.conversion_events = names
            .into_iter()
            .map(|s| s.as_ref().trim().to_owned())
            .collect();
        self
    }

    /// Opens the file at `path`.
    ///
    /// # Errors
    ///
    /// As [`EventReaderBuilder::from_reader`], plus [`ReadErrorKind::Io`] if the
    /// file cannot be opened.
    pub fn from_path(&self, path: impl AsRef<Path>) -> Result<EventReader<File>, ReadError> {
        self.from_reader(open_file(path.as_ref())?)
    }

    /// Reads the header from `input` and returns a reader positioned on the
    /// first data row.
    ///
    /// # Errors
    ///
    /// [`ReadErrorKind::Config`] (two roles given the same column name, a
    /// delimiter that is not an ASCII byte other than a quote or a line
    /// break, an invalid strftime layout, an empty conversion event name),
    /// [`ReadErrorKind::EmptyFile`] (no header), [`ReadErrorKind::InvalidUtf8`]
    /// (header not UTF-8), [`ReadErrorKind::MissingColumn`],
    /// [`ReadErrorKind::UnknownColumn`], [`ReadErrorKind::DuplicateColumn`],
    /// [`ReadErrorKind::Io`].
    pub fn from_reader<R: Read>(&self, input: R) -> Result<EventReader<R>, ReadError> {
        let time = self.validate()?;
        let mut records = self.input.records(input)?;
        let header = Header::read(&mut records, Rules::EVENTS)?;
        let by_event = !self.conversion_events.is_empty();
        let wanted: Vec<Wanted<'_>> = self
            .roles()
            .into_iter()
            .enumerate()
            .map(|(role, name)| Wanted {
                name,
                required: match role {
                    USER | TIMESTAMP | CHANNEL => true,
                    CONVERSION => !by_event,
                    EVENT => by_event,
                    _ => false,
                },
            })
            .collect();
        let found = header
            .resolve(&wanted, self.input.ignore_unknown_columns)
            .map_err(|e| self.conversion_events_hint(e, header.names()))?;
        let column = |role: usize| found.get(role).copied().flatten();
        let columns = Columns {
            user: column(USER).unwrap_or_default(),
            timestamp: column(TIMESTAMP).unwrap_or_default(),
            channel: column(CHANNEL).unwrap_or_default(),
            conversion: column(CONVERSION),
            value: column(VALUE),
            event: column(EVENT),
            conversion_events: self.conversion_events.clone(),
            names: header.into_names(),
        };
        let decimal_comma = self.input.decimal_comma_in(records.delimiter());
        Ok(EventReader::new(
            records,
            columns,
            time,
            decimal_comma,
            self.input.lenient,
        ))
    }

    /// Checks the configuration; returns the timestamp parser.
    fn validate(&self) -> Result<TimeParser, ReadError> {
        let config = |msg: String| ReadError::new(ReadErrorKind::Config(msg));
        let time = self.input.validate()?;
        if self.conversion_events.iter().any(String::is_empty) {
            return Err(config("empty conversion event name".to_owned()));
        }
        let roles = self.roles();
        for (i, a) in roles.iter().enumerate() {
            if roles.iter().skip(i + 1).any(|b| b == a) {
                return Err(config(format!("column name `{a}` is given for two roles")));
            }
        }
        Ok(time)
    }

    /// The configured column names, indexed by the role constants; the event
    /// column is a role only with conversion events.
    fn roles(&self) -> Vec<&str> {
        let mut roles = vec![
            self.user.trim(),
            self.timestamp.trim(),
            self.channel.trim(),
            self.conversion.trim(),
            self.value.trim(),
        ];
        if !self.conversion_events.is_empty() {
            roles.push(self.event.trim());
        }
        roles
    }

    /// A missing conversion column in a header that has the event column:
    /// the hint is to mark conversions by event name.
    fn conversion_events_hint(&self, e: ReadError, header: &[String]) -> ReadError {
        let event = self.event.trim();
        match e.kind() {
            ReadErrorKind::MissingColumn(name)
                if *name == self.conversion.trim() && header.iter().any(|h| h == event) =>
            {
                e.with_hint(ReadHint::ConversionEvents {
                    column: event.to_owned(),
                })
            }
            _ => e,
        }
    }
}
