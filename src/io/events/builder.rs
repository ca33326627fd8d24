//! [`EventReaderBuilder`]: configures and opens an [`EventReader`].

use std::fs::File;
use std::io::Read;
use std::path::Path;

use super::reader::{Columns, EventReader};
use crate::error::{ReadError, ReadErrorKind, ReadHint};
use crate::io::reader::io_error;
use crate::io::records::{Next, Record, RecordReader};
use crate::io::row::open_quote_error;
use crate::io::shape::guess_shape;
use crate::io::time_format::TimeFormat;
use crate::io::timestamp::TimeParser;
use crate::io::timezone::Timezone;

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
    delimiter: Option<u8>,
    time_format: TimeFormat,
    timezone: Timezone,
    decimal_comma: bool,
    lenient: bool,
    ignore_unknown: bool,
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
            delimiter: None,
            time_format: TimeFormat::Auto,
            timezone: Timezone::utc(),
            decimal_comma: false,
            lenient: false,
            ignore_unknown: false,
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

    /// The field delimiter; `None` (the default) detects it from the header
    /// line: the most frequent of `,`, `;` and tab (`,` when none occurs).
    /// Accepts a `u8` or an `Option<u8>`.
    pub fn delimiter(&mut self, delimiter: impl Into<Option<u8>>) -> &mut Self {
        self.delimiter = delimiter.into();
        self
    }

    /// Ignore header columns that are not one of the roles (default
    /// `false`: an unknown column is an error).
    pub fn ignore_unknown_columns(&mut self, yes: bool) -> &mut Self {
        self.ignore_unknown = yes;
        self
    }

    /// How timestamps are written (default [`TimeFormat::Auto`]: detected per
    /// value). An invalid strftime layout is a configuration error when the
    /// reader is opened.
    ///
    /// ```
    /// use attribution::io::events::EventReaderBuilder;
    /// use attribution::io::TimeFormat;
    ///
    /// let data = "user_id,timestamp,channel,conversion\nu,01.03.2024 10:00,PPC,0\n";
    /// let event = EventReaderBuilder::new()
    ///     .time_format(TimeFormat::Strftime("%d.%m.%Y %H:%M".to_owned()))
    ///     .from_reader(data.as_bytes())?
    ///     .next()
    ///     .unwrap()?;
    /// assert_eq!(event.time().to_rfc3339(), "2024-03-01T10:00:00+00:00");
    /// # Ok::<(), attribution::ReadError>(())
    /// ```
    pub fn time_format(&mut self, format: TimeFormat) -> &mut Self {
        self.time_format = format;
        self
    }

    /// The time zone of timestamps written without a zone or offset
    /// (default UTC); values with their own offset and Unix times ignore it.
    ///
    /// ```
    /// use attribution::io::events::EventReaderBuilder;
    ///
    /// let data = "user_id,timestamp,channel,conversion\nu,2024-03-01 10:00,PPC,0\nu,2024-03-01T10:00Z,PPC,0\n";
    /// let times: Vec<String> = EventReaderBuilder::new()
    ///     .timezone("-05:00".parse()?)
    ///     .from_reader(data.as_bytes())?
    ///     .map(|e| e.map(|e| e.time().to_rfc3339()))
    ///     .collect::<Result<_, _>>()?;
    /// assert_eq!(times, ["2024-03-01T15:00:00+00:00", "2024-03-01T10:00:00+00:00"]);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn timezone(&mut self, zone: Timezone) -> &mut Self {
        self.timezone = zone;
        self
    }

    /// Read a decimal comma (`120,50`) in the value column (default `false`;
    /// `;`-delimited files read decimal commas anyway). The rules are those
    /// of [`ReaderBuilder::decimal_comma`](crate::io::ReaderBuilder::decimal_comma).
    ///
    /// ```
    /// use attribution::io::events::EventReaderBuilder;
    ///
    /// let data = "user_id\ttimestamp\tchannel\tconversion\tvalue\nu\t1\tPPC\t1\t120,50\n";
    /// assert!(EventReaderBuilder::new().from_reader(data.as_bytes())?.next().unwrap().is_err());
    /// let event = EventReaderBuilder::new()
    ///     .decimal_comma(true)
    ///     .from_reader(data.as_bytes())?
    ///     .next()
    ///     .unwrap()?;
    /// assert_eq!(event.value(), 120.5);
    /// # Ok::<(), attribution::ReadError>(())
    /// ```
    pub fn decimal_comma(&mut self, yes: bool) -> &mut Self {
        self.decimal_comma = yes;
        self
    }

    /// Lenient mode: a bad data row is skipped and counted per reason (see
    /// [`EventReader::rejected`]) instead of stopping the read. Header and I/O
    /// errors still stop it. Default off.
    pub fn lenient(&mut self, yes: bool) -> &mut Self {
        self.lenient = yes;
        self
    }

    /// Opens the file at `path`.
    ///
    /// # Errors
    ///
    /// As [`EventReaderBuilder::from_reader`], plus [`ReadErrorKind::Io`] if the
    /// file cannot be opened.
    pub fn from_path(&self, path: impl AsRef<Path>) -> Result<EventReader<File>, ReadError> {
        let path = path.as_ref();
        let file = File::open(path)
            .map_err(|e| ReadError::new(ReadErrorKind::Io(format!("{}: {e}", path.display()))))?;
        self.from_reader(file)
    }

    /// Reads the header from `input` and returns a reader positioned on the
    /// first data row.
    ///
    /// # Errors
    ///
    /// [`ReadErrorKind::EmptyFile`] (no header), [`ReadErrorKind::InvalidUtf8`]
    /// (header not UTF-8), [`ReadErrorKind::MissingColumn`],
    /// [`ReadErrorKind::UnknownColumn`], [`ReadErrorKind::DuplicateColumn`],
    /// [`ReadErrorKind::Config`] (two roles given the same column name, a
    /// delimiter that is a quote or line break, an invalid strftime layout,
    /// an empty conversion event name), [`ReadErrorKind::Io`].
    pub fn from_reader<R: Read>(&self, input: R) -> Result<EventReader<R>, ReadError> {
        let config = |msg: String| ReadError::new(ReadErrorKind::Config(msg));
        let time =
            TimeParser::new(&self.time_format, self.timezone).map_err(|e| config(e.to_string()))?;
        if self.conversion_events.iter().any(String::is_empty) {
            return Err(config("empty conversion event name".to_owned()));
        }
        if let Some(d) = self.delimiter {
            if matches!(d, b'"' | b'\n' | b'\r') {
                return Err(config(format!(
                    "delimiter {:?} is not allowed",
                    char::from(d)
                )));
            }
        }
        let mut records = RecordReader::new(input, self.delimiter).map_err(io_error)?;
        match records.read_record().map_err(io_error)? {
            Next::Record => {}
            Next::OpenQuote(open) => return Err(open_quote_error(&open, None)),
            Next::End => return Err(ReadError::new(ReadErrorKind::EmptyFile).at_line(1)),
        }
        let names = records.record();
        let line = records.line();
        let blank = (0..names.len()).all(|i| {
            names
                .field(i)
                .unwrap_or_default()
                .iter()
                .all(u8::is_ascii_whitespace)
        });
        if blank {
            return Err(ReadError::new(ReadErrorKind::EmptyFile).at_line(line));
        }
        let columns = self.resolve_columns(names, line)?;
        let delimiter = records.delimiter();
        Ok(EventReader::new(
            records,
            columns,
            time,
            self.decimal_comma || delimiter == b';',
            self.lenient,
        ))
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

    fn resolve_columns(&self, names: Record<'_>, line: u64) -> Result<Columns, ReadError> {
        let roles = self.roles();
        for (i, a) in roles.iter().enumerate() {
            if roles.iter().skip(i + 1).any(|b| b == a) {
                return Err(ReadError::new(ReadErrorKind::Config(format!(
                    "column name `{a}` is given for two roles"
                ))));
            }
        }
        let mut header_names = Vec::with_capacity(names.len());
        for raw in (0..names.len()).map(|i| names.field(i).unwrap_or_default()) {
            let name = std::str::from_utf8(raw).map_err(|_| {
                ReadError::new(ReadErrorKind::InvalidUtf8)
                    .at_line(line)
                    .with_text(&String::from_utf8_lossy(raw))
            })?;
            header_names.push(name.trim().to_owned());
        }
        let looks_like = guess_shape(&header_names).filter(|s| *s != "events");
        let header_error =
            |kind: ReadErrorKind, name: &str| ReadError::new(kind).at_line(line).in_column(name);
        let mut found: [Option<usize>; 6] = [None; 6];
        let mut unknown = None;
        for (index, name) in header_names.iter().enumerate() {
            let Some(role) = roles.iter().position(|r| r == name) else {
                unknown = unknown.or(Some(name));
                continue;
            };
            if let Some(slot) = found.get_mut(role) {
                if slot.is_some() {
                    return Err(header_error(
                        ReadErrorKind::DuplicateColumn(name.clone()),
                        name,
                    ));
                }
                *slot = Some(index);
            }
        }
        let by_event = !self.conversion_events.is_empty();
        let mut required = vec![USER, TIMESTAMP, CHANNEL];
        required.push(if by_event { EVENT } else { CONVERSION });
        for role in required {
            if found.get(role).copied().flatten().is_some() {
                continue;
            }
            let name = roles.get(role).copied().unwrap_or_default();
            let event = self.event.trim();
            let hint = if role == CONVERSION && header_names.iter().any(|h| h == event) {
                ReadHint::ConversionEvents {
                    column: event.to_owned(),
                }
            } else {
                ReadHint::MissingColumn { looks_like }
            };
            return Err(
                header_error(ReadErrorKind::MissingColumn(name.to_owned()), name).with_hint(hint),
            );
        }
        if let Some(name) = unknown.filter(|_| !self.ignore_unknown) {
            return Err(
                header_error(ReadErrorKind::UnknownColumn(name.clone()), name)
                    .with_hint(ReadHint::UnknownColumn { looks_like }),
            );
        }
        let column = |role: usize| found.get(role).copied().flatten();
        Ok(Columns {
            user: column(USER).unwrap_or_default(),
            timestamp: column(TIMESTAMP).unwrap_or_default(),
            channel: column(CHANNEL).unwrap_or_default(),
            conversion: column(CONVERSION),
            value: column(VALUE),
            event: column(EVENT),
            conversion_events: self.conversion_events.clone(),
            names: header_names,
        })
    }
}
