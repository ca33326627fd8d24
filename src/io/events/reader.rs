//! [`EventReader`]: streams the events of a log, row by row.

use std::collections::BTreeMap;
use std::io::Read;

use super::record::EventRecord;
use crate::error::{ReadError, ReadErrorKind};
use crate::io::fields::{parse_number, parse_value, trim};
use crate::io::records::{Next, RecordReader, io_error, open_quote_error};
use crate::io::report::ReadReport;
use crate::io::timestamp::TimeParser;

/// The position of each column in a record, the conversion events, and the
/// header's names.
#[derive(Debug, Clone)]
pub(super) struct Columns {
    pub(super) user: usize,
    pub(super) timestamp: usize,
    pub(super) channel: usize,
    pub(super) conversion: Option<usize>,
    pub(super) value: Option<usize>,
    pub(super) event: Option<usize>,
    pub(super) conversion_events: Vec<String>,
    pub(super) names: Vec<String>,
}

/// A streaming reader of an events file. Build one with
/// [`EventReaderBuilder`](super::EventReaderBuilder).
///
/// [`EventReader::read_event`] reuses one record's buffers (the fast path);
/// the [`Iterator`] implementation allocates a fresh [`EventRecord`] per row.
///
/// # Errors
///
/// Each row error names the line, the column and the offending text:
/// [`ReadErrorKind::FieldCount`], [`ReadErrorKind::InvalidUtf8`],
/// [`ReadErrorKind::EmptyField`] (empty user, timestamp or flag; empty channel
/// on a non-conversion row unless conversion events are set),
/// [`ReadErrorKind::InvalidTimestamp`],
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
    time: TimeParser,
    decimal_comma: bool,
    lenient: bool,
    /// Rejected rows per reason and their first lines, as the journey
    /// readers count them.
    report: ReadReport,
    skipped: u64,
}

/// What a valid row holds.
enum Row {
    Event,
    /// Neither a conversion nor a touch (conversion events only).
    WithoutChannel,
}

impl<R: Read> EventReader<R> {
    /// How many rejected rows keep their line in [`EventReader::rejected_lines`].
    pub const MAX_REJECTED_LINES: usize = ReadReport::MAX_LINES;

    pub(super) fn new(
        records: RecordReader<R>,
        columns: Columns,
        time: TimeParser,
        decimal_comma: bool,
        lenient: bool,
    ) -> Self {
        Self {
            records,
            columns,
            time,
            decimal_comma,
            lenient,
            report: ReadReport::default(),
            skipped: 0,
        }
    }

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
                Ok(Row::Event) => return Ok(true),
                Ok(Row::WithoutChannel) => self.skipped = self.skipped.saturating_add(1),
                Err(error) if self.lenient => self.report.reject(error),
                Err(error) => return Err(error),
            }
        }
    }

    /// The header names, trimmed, in file order.
    #[must_use]
    pub fn headers(&self) -> &[String] {
        &self.columns.names
    }

    /// Whether the input has a value column. Without one every conversion
    /// has value 0.
    ///
    /// # Example
    ///
    /// ```
    /// use attribution::io::events::EventReaderBuilder;
    ///
    /// let csv = "user_id,timestamp,channel,conversion\nu1,2024-03-01T09:00:00Z,PPC,0\n";
    /// let reader = EventReaderBuilder::new().from_reader(csv.as_bytes())?;
    /// assert!(!reader.has_value_column());
    /// assert_eq!(reader.headers(), ["user_id", "timestamp", "channel", "conversion"]);
    /// # Ok::<(), attribution::ReadError>(())
    /// ```
    #[must_use]
    pub fn has_value_column(&self) -> bool {
        self.columns.value.is_some()
    }

    /// Rows skipped in lenient mode, per reason ([`ReadErrorKind::reason`]).
    #[must_use]
    pub fn rejected(&self) -> &BTreeMap<&'static str, u64> {
        self.report.rejected_per_reason()
    }

    /// Valid rows skipped so far because they are neither a conversion nor
    /// have a channel: with conversion events only (without them such a row
    /// is an [`EmptyField`](ReadErrorKind::EmptyField) error).
    #[must_use]
    pub fn skipped_without_channel(&self) -> u64 {
        self.skipped
    }

    /// The lines of the first [`EventReader::MAX_REJECTED_LINES`] rows
    /// skipped in lenient mode, in input order.
    #[must_use]
    pub fn rejected_lines(&self) -> &[u64] {
        self.report.rejected_lines()
    }

    fn field(&self, index: usize, line: u64) -> Result<&str, ReadError> {
        let raw = self.records.record().field(index).unwrap_or_default();
        std::str::from_utf8(raw).map(trim).map_err(|_| {
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

    fn parse_record(&mut self, line: u64, out: &mut EventRecord) -> Result<Row, ReadError> {
        let expected = self.columns.names.len();
        let found = self.records.record().len();
        if found != expected {
            return Err(
                ReadError::new(ReadErrorKind::FieldCount { expected, found }).at_line(line),
            );
        }
        let c = &self.columns;
        let (ui, ti, ci, vi) = (c.user, c.timestamp, c.channel, c.value);

        let user = self.field(ui, line)?;
        if user.is_empty() {
            return Err(self.error(ReadErrorKind::EmptyField, line, ui, user));
        }

        let flagged = match self.columns.conversion {
            Some(fi) => {
                let flag = self.field(fi, line)?;
                if flag == "1" || flag.eq_ignore_ascii_case("true") {
                    true
                } else if flag == "0" || flag.eq_ignore_ascii_case("false") {
                    false
                } else if flag.is_empty() {
                    return Err(self.error(ReadErrorKind::EmptyField, line, fi, flag));
                } else {
                    return Err(self.error(ReadErrorKind::InvalidFlag, line, fi, flag));
                }
            }
            None => false,
        };
        let by_event = match self.columns.event {
            Some(ei) => {
                let event = self.field(ei, line)?;
                self.columns.conversion_events.iter().any(|e| e == event)
            }
            None => false,
        };
        let conversion = flagged || by_event;

        let stamp = self.field(ti, line)?;
        if stamp.is_empty() {
            return Err(self.error(ReadErrorKind::EmptyField, line, ti, stamp));
        }
        let time = self.time.parse_nanos(stamp).map_err(|e| {
            let hint = e.hint();
            self.error(ReadErrorKind::InvalidTimestamp(e), line, ti, stamp)
                .with_hint(hint)
        })?;

        let channel = self.field(ci, line)?;
        let without_channel = channel.is_empty() && !conversion;
        if without_channel && self.columns.event.is_none() {
            return Err(self.error(ReadErrorKind::EmptyField, line, ci, channel));
        }

        let value = match vi {
            None => 0.0,
            Some(vi) => {
                let text = self.field(vi, line)?;
                parse_number(text, self.decimal_comma, parse_value)
                    .map_err(|(kind, hint)| self.error(kind, line, vi, text).with_hint(hint))?
            }
        };
        if without_channel {
            return Ok(Row::WithoutChannel);
        }

        // Every field is valid: commit the record.
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
        Ok(Row::Event)
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
