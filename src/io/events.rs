//! The `events` input shape: a raw touch log, one row per event.
//!
//! Columns (matched by name, in any order; names configurable):
//! `user_id,timestamp,channel,conversion[,value]`.
//!
//! * `user_id`: any non-empty text (trimmed).
//! * `timestamp`: RFC 3339 with `Z` or an offset (normalised to UTC), or Unix
//!   seconds (optionally with a decimal fraction). The format is detected once
//!   per file from the first data row, or given with
//!   [`EventReaderBuilder::timestamp_format`]; a later row in the other format
//!   is an [`InvalidTimestamp`](ReadErrorKind::InvalidTimestamp) error.
//! * `channel`: the channel touched (trimmed). It may be empty only on a
//!   conversion row: a conversion with a channel is a *converting visit* (the
//!   visit counts as a touch), one without is a bare conversion.
//! * `conversion`: `0`, `1`, `true` or `false` (ASCII case-insensitive).
//! * `value` (optional column): the revenue of a conversion row, finite and
//!   `>= 0`; an empty cell is 0. On a non-conversion row it is validated and
//!   then ignored by the journey builder (which reports its sum).
//!
//! The delimiter (`,`, `;` or tab) is detected from the header line unless
//! given. A UTF-8 byte order mark is stripped. Extra columns are an
//! [`UnknownColumn`](ReadErrorKind::UnknownColumn) error unless
//! [`EventReaderBuilder::ignore_unknown_columns`] is set.
//!
//! The CSV rules are those of the journey readers: lines end at `\n`, `\r\n`
//! or a bare `\r` (errors name lines counted that way, header = line 1);
//! blank lines are skipped; a quoted field must close on the line where it
//! opens, else the record is an
//! [`UnterminatedQuote`](ReadErrorKind::UnterminatedQuote) error at that line
//! and column (lenient mode skips it and resumes at the next line).
//!
//! # Example
//!
//! ```
//! use attribution::io::events::EventReaderBuilder;
//!
//! let data = "user_id;timestamp;channel;conversion;value\n\
//!             u1;2024-03-01T10:00:00+01:00;PPC;0;\n\
//!             u1;2024-03-02T09:00:00Z;;1;120.5\n";
//! let mut reader = EventReaderBuilder::new().from_reader(data.as_bytes())?;
//! let events: Vec<_> = reader.by_ref().collect::<Result<_, _>>()?;
//! assert_eq!(events.len(), 2);
//! assert_eq!(events[0].channel(), Some("PPC"));
//! assert_eq!(events[0].time().to_rfc3339(), "2024-03-01T09:00:00+00:00");
//! assert_eq!((events[1].is_conversion(), events[1].value()), (true, 120.5));
//! assert_eq!(events[1].line(), 3);
//! # Ok::<(), attribution::ReadError>(())
//! ```

use std::collections::BTreeMap;
use std::fs::File;
use std::io::Read;
use std::path::Path;

use chrono::{DateTime, Utc};

use crate::build::timestamp::TimestampKind;
use crate::error::{ReadError, ReadErrorKind};
use crate::io::reader::io_error;
use crate::io::records::{Next, Record, RecordReader};
use crate::io::row::open_quote_error;

/// How the timestamps of an events file are written.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
#[non_exhaustive]
pub enum TimestampFormat {
    /// Detect from the first data row: a plain number is Unix seconds,
    /// anything else RFC 3339.
    #[default]
    Auto,
    /// RFC 3339 (`2024-03-01T09:00:00Z`, `2024-03-01T10:00:00+01:00`).
    Rfc3339,
    /// Seconds since the Unix epoch (`1709283600`, `1709283600.25`).
    UnixSeconds,
}

/// Configures and opens an [`EventReader`].
///
/// Setters take and return `&mut Self`; the builder is reusable.
///
/// # Example
///
/// ```
/// use attribution::io::events::{EventReaderBuilder, TimestampFormat};
///
/// let data = "who\twhen\tsource\tbought\nu1\t1709283600\tEmail\tfalse\n";
/// let mut reader = EventReaderBuilder::new()
///     .user_column("who")
///     .timestamp_column("when")
///     .channel_column("source")
///     .conversion_column("bought")
///     .delimiter(b'\t')
///     .timestamp_format(TimestampFormat::UnixSeconds)
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
    delimiter: Option<u8>,
    timestamps: TimestampFormat,
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
            delimiter: None,
            timestamps: TimestampFormat::Auto,
            lenient: false,
            ignore_unknown: false,
        }
    }
}

impl EventReaderBuilder {
    /// Default column names (`user_id`, `timestamp`, `channel`, `conversion`,
    /// `value`), delimiter detected, timestamp format detected, strict mode.
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

    /// The field delimiter; `None` (the default) detects it from the header
    /// line: the most frequent of `,`, `;` and tab (`,` when none occurs).
    /// Accepts a `u8` or an `Option<u8>`.
    pub fn delimiter(&mut self, delimiter: impl Into<Option<u8>>) -> &mut Self {
        self.delimiter = delimiter.into();
        self
    }

    /// Ignore header columns that are not one of the five roles (default
    /// `false`: an unknown column is an error, DESIGN §6).
    pub fn ignore_unknown_columns(&mut self, yes: bool) -> &mut Self {
        self.ignore_unknown = yes;
        self
    }

    /// How timestamps are written (default [`TimestampFormat::Auto`]).
    pub fn timestamp_format(&mut self, format: TimestampFormat) -> &mut Self {
        self.timestamps = format;
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
    /// [`ReadErrorKind::Config`] (two roles given the same column name, or a
    /// delimiter that is a quote or line break), [`ReadErrorKind::Io`].
    pub fn from_reader<R: Read>(&self, input: R) -> Result<EventReader<R>, ReadError> {
        if let Some(d) = self.delimiter {
            if matches!(d, b'"' | b'\n' | b'\r') {
                return Err(ReadError::new(ReadErrorKind::Config(format!(
                    "delimiter {:?} is not allowed",
                    char::from(d)
                ))));
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
        let timestamps = match self.timestamps {
            TimestampFormat::Auto => None,
            TimestampFormat::Rfc3339 => Some(TimestampKind::Rfc3339),
            TimestampFormat::UnixSeconds => Some(TimestampKind::UnixSeconds),
        };
        Ok(EventReader {
            records,
            columns,
            timestamps,
            lenient: self.lenient,
            rejected: BTreeMap::new(),
            rejected_lines: Vec::new(),
        })
    }

    fn resolve_columns(&self, names: Record<'_>, line: u64) -> Result<Columns, ReadError> {
        let roles = [
            &self.user,
            &self.timestamp,
            &self.channel,
            &self.conversion,
            &self.value,
        ];
        for (i, a) in roles.iter().enumerate() {
            if roles.iter().skip(i + 1).any(|b| b.trim() == a.trim()) {
                return Err(ReadError::new(ReadErrorKind::Config(format!(
                    "column name `{a}` is given for two roles"
                ))));
            }
        }
        let mut found: [Option<usize>; 5] = [None; 5];
        let mut header_names = Vec::with_capacity(names.len());
        for index in 0..names.len() {
            let raw = names.field(index).unwrap_or_default();
            let name = std::str::from_utf8(raw)
                .map_err(|_| {
                    ReadError::new(ReadErrorKind::InvalidUtf8)
                        .at_line(line)
                        .with_text(&String::from_utf8_lossy(raw))
                })?
                .trim();
            header_names.push(name.to_owned());
            let Some(role) = roles.iter().position(|r| r.trim() == name) else {
                if self.ignore_unknown {
                    continue;
                }
                return Err(
                    ReadError::new(ReadErrorKind::UnknownColumn(name.to_owned()))
                        .at_line(line)
                        .in_column(name),
                );
            };
            if let Some(slot) = found.get_mut(role) {
                if slot.is_some() {
                    return Err(
                        ReadError::new(ReadErrorKind::DuplicateColumn(name.to_owned()))
                            .at_line(line)
                            .in_column(name),
                    );
                }
                *slot = Some(index);
            }
        }
        let required = |role: usize| {
            found.get(role).copied().flatten().ok_or_else(|| {
                let name = roles.get(role).map_or("", |n| n.trim());
                ReadError::new(ReadErrorKind::MissingColumn(name.to_owned())).at_line(line)
            })
        };
        Ok(Columns {
            user: required(0)?,
            timestamp: required(1)?,
            channel: required(2)?,
            conversion: required(3)?,
            value: found[4],
            names: header_names,
        })
    }
}

/// The position of each column in a record, and the header's names.
#[derive(Debug, Clone)]
struct Columns {
    user: usize,
    timestamp: usize,
    channel: usize,
    conversion: usize,
    value: Option<usize>,
    names: Vec<String>,
}

/// One event of the log, owned. [`EventReader::read_event`] fills one in place
/// (reusing its buffers); the iterator hands out fresh ones.
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
    user: String,
    channel: String,
    time: i64,
    conversion: bool,
    value: f64,
    line: u64,
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

/// A streaming reader of an events file. Build one with [`EventReaderBuilder`].
///
/// [`EventReader::read_event`] reuses one record's buffers (the fast path);
/// the [`Iterator`] implementation allocates a fresh [`EventRecord`] per row.
///
/// # Errors
///
/// Each row error names the line, the column and the offending text:
/// [`ReadErrorKind::FieldCount`], [`ReadErrorKind::InvalidUtf8`],
/// [`ReadErrorKind::EmptyField`] (empty user, timestamp or flag; empty channel
/// on a non-conversion row), [`ReadErrorKind::InvalidTimestamp`],
/// [`ReadErrorKind::InvalidFlag`], [`ReadErrorKind::InvalidValue`],
/// [`ReadErrorKind::UnterminatedQuote`], [`ReadErrorKind::Io`]. In lenient
/// mode row errors (all but I/O) are counted, with their lines, and skipped.
///
/// # Complexity
///
/// O(bytes) time; memory for one row.
#[derive(Debug)]
pub struct EventReader<R> {
    records: RecordReader<R>,
    columns: Columns,
    timestamps: Option<TimestampKind>,
    lenient: bool,
    rejected: BTreeMap<&'static str, u64>,
    rejected_lines: Vec<u64>,
}

impl<R: Read> EventReader<R> {
    /// How many rejected rows keep their line in [`EventReader::rejected_lines`].
    pub const MAX_REJECTED_LINES: usize = 20;

    /// Reads the next valid event into `out`. Returns `Ok(false)` at the end
    /// of input.
    ///
    /// # Errors
    ///
    /// See [`EventReader`]. In lenient mode only I/O errors are returned.
    pub fn read_event(&mut self, out: &mut EventRecord) -> Result<bool, ReadError> {
        loop {
            let next = self
                .records
                .read_record()
                .map_err(|e| io_error(e).at_line(self.records.line()))?;
            let result = match next {
                Next::End => return Ok(false),
                Next::OpenQuote(open) => Err(open_quote_error(
                    &open,
                    self.columns.names.get(open.field).map(String::as_str),
                )),
                Next::Record => self.parse_record(self.records.line(), out),
            };
            match result {
                Ok(()) => return Ok(true),
                Err(error) if self.lenient => self.reject(&error),
                Err(error) => return Err(error),
            }
        }
    }

    /// Rows skipped in lenient mode, per reason ([`ReadErrorKind::reason`]).
    #[must_use]
    pub fn rejected(&self) -> &BTreeMap<&'static str, u64> {
        &self.rejected
    }

    /// The timestamp format in use: given, detected from the first row, or
    /// `Auto` before any row was read.
    #[must_use]
    pub fn timestamp_format(&self) -> TimestampFormat {
        match self.timestamps {
            None => TimestampFormat::Auto,
            Some(TimestampKind::Rfc3339) => TimestampFormat::Rfc3339,
            Some(TimestampKind::UnixSeconds) => TimestampFormat::UnixSeconds,
        }
    }

    /// The lines of the first [`EventReader::MAX_REJECTED_LINES`] rows
    /// skipped in lenient mode, in input order.
    #[must_use]
    pub fn rejected_lines(&self) -> &[u64] {
        &self.rejected_lines
    }

    fn reject(&mut self, error: &ReadError) {
        let count = self.rejected.entry(error.kind().reason()).or_insert(0);
        *count = count.saturating_add(1);
        if let Some(line) = error.line() {
            if self.rejected_lines.len() < Self::MAX_REJECTED_LINES {
                self.rejected_lines.push(line);
            }
        }
    }

    fn field(&self, index: usize, line: u64) -> Result<&str, ReadError> {
        let raw = self.records.record().field(index).unwrap_or_default();
        std::str::from_utf8(raw).map(str::trim).map_err(|_| {
            ReadError::new(ReadErrorKind::InvalidUtf8)
                .at_line(line)
                .in_column(self.column_name(index))
                .with_text(&String::from_utf8_lossy(raw))
        })
    }

    fn column_name(&self, index: usize) -> &str {
        self.columns.names.get(index).map_or("", String::as_str)
    }

    fn error(&self, kind: ReadErrorKind, line: u64, index: usize, text: &str) -> ReadError {
        ReadError::new(kind)
            .at_line(line)
            .in_column(self.column_name(index))
            .with_text(text)
    }

    fn parse_record(&mut self, line: u64, out: &mut EventRecord) -> Result<(), ReadError> {
        let expected = self.columns.names.len();
        let found = self.records.record().len();
        if found != expected {
            return Err(
                ReadError::new(ReadErrorKind::FieldCount { expected, found }).at_line(line),
            );
        }
        let c = &self.columns;
        let (ui, ti, ci, fi, vi) = (c.user, c.timestamp, c.channel, c.conversion, c.value);

        let user = self.field(ui, line)?;
        if user.is_empty() {
            return Err(self.error(ReadErrorKind::EmptyField, line, ui, user));
        }

        let flag = self.field(fi, line)?;
        let conversion = if flag == "1" || flag.eq_ignore_ascii_case("true") {
            true
        } else if flag == "0" || flag.eq_ignore_ascii_case("false") {
            false
        } else if flag.is_empty() {
            return Err(self.error(ReadErrorKind::EmptyField, line, fi, flag));
        } else {
            return Err(self.error(ReadErrorKind::InvalidFlag, line, fi, flag));
        };

        let stamp = self.field(ti, line)?;
        if stamp.is_empty() {
            return Err(self.error(ReadErrorKind::EmptyField, line, ti, stamp));
        }
        let kind = self
            .timestamps
            .unwrap_or_else(|| TimestampKind::detect(stamp));
        let Some(time) = kind.parse_nanos(stamp) else {
            return Err(self.error(ReadErrorKind::InvalidTimestamp, line, ti, stamp));
        };

        let channel = self.field(ci, line)?;
        if channel.is_empty() && !conversion {
            return Err(self.error(ReadErrorKind::EmptyField, line, ci, channel));
        }

        let value = match vi {
            None => 0.0,
            Some(vi) => {
                let text = self.field(vi, line)?;
                if text.is_empty() {
                    0.0
                } else {
                    match text.parse::<f64>() {
                        Ok(v) if v.is_finite() && v >= 0.0 => v + 0.0,
                        _ => return Err(self.error(ReadErrorKind::InvalidValue, line, vi, text)),
                    }
                }
            }
        };

        // Every field is valid: commit the detected format and the record.
        self.timestamps = Some(kind);
        let user = self.field(ui, line)?;
        out.user.clear();
        out.user.push_str(user);
        let channel = self.field(ci, line)?;
        out.channel.clear();
        out.channel.push_str(channel);
        out.time = time;
        out.conversion = conversion;
        out.value = value;
        out.line = line;
        Ok(())
    }
}

impl<R: Read> Iterator for EventReader<R> {
    type Item = Result<EventRecord, ReadError>;

    fn next(&mut self) -> Option<Self::Item> {
        let mut record = EventRecord::default();
        match self.read_event(&mut record) {
            Ok(true) => Some(Ok(record)),
            Ok(false) => None,
            Err(e) => Some(Err(e)),
        }
    }
}
