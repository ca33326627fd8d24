//! [`JourneyReader`]: a streaming iterator of journeys from CSV.

use std::io::Read;

use crate::channel::Channels;
use crate::error::{ReadError, ReadErrorKind};
use crate::io::intern::InternCache;
use crate::io::records::{Next, RecordReader, io_error};
use crate::io::report::ReadReport;
use crate::io::row::{Out, RowParser};
use crate::journey::{Journey, JourneySet};

/// Reads journeys from CSV, one row at a time.
///
/// Made by [`ReaderBuilder`](crate::io::ReaderBuilder). It is an iterator of `Result<Journey, ReadError>`
/// and holds one row in memory at a time (its buffers are reused across
/// rows), plus the channel table it interns into: the ids of the journeys
/// it yields refer to [`JourneyReader::channels`].
///
/// Row rules (both shapes): fields are trimmed of surrounding whitespace;
/// path tokens are split on the separator, trimmed, and empty tokens dropped;
/// a path with no token is [`ReadErrorKind::EmptyPath`]; counts are
/// non-negative integers (`3.0` and `3e2` are accepted as integral spellings
/// up to 2^53; `1.5` is [`ReadErrorKind::FractionalCount`], `-1`
/// [`ReadErrorKind::NegativeCount`], an integer above 2^53
/// [`ReadErrorKind::CountTooLarge`], `abc`/`nan`/`inf` or a count beyond
/// `u64::MAX` [`ReadErrorKind::InvalidCount`], an empty count
/// [`ReadErrorKind::EmptyField`]); values are finite and `>= 0` (else
/// [`ReadErrorKind::InvalidValue`]) and an empty value is 0. A count or
/// value with a decimal comma (`120,50`) is read in `;`-delimited files and
/// with [`ReaderBuilder::decimal_comma`](crate::io::ReaderBuilder::decimal_comma). A row with 0
/// conversions and 0 non-conversions is kept: it carries no information, and
/// every model ignores it. Blank lines are skipped.
///
/// Lines end at `\n`, `\r\n` or a bare `\r`, and errors name the line
/// counted that way (the header is line 1). Fields may be quoted (`"A, B"`,
/// `""` for a quote), but a quoted field must close on the line where it
/// opens: no field of the input shapes holds a line break, and a stray `"`
/// would otherwise swallow every following row into one field. A record
/// whose quote runs into a line end or the end of the input is
/// [`ReadErrorKind::UnterminatedQuote`] at the line and column where the
/// quote opened; in lenient mode that one record is skipped (and counted
/// with its line in the [`ReadReport`]) and reading resumes at the next line.
///
/// Journeys shape: `converted` is a count or `true`/`false` (any case); a
/// journey with `c` conversions has `c` conversions and, unless the optional
/// `non_converted` column says otherwise, 1 non-conversion when `c = 0` and
/// none otherwise. An empty `journey_id` means no id; ids are opaque strings
/// compared exactly. The optional `journey_index` column (an integer up to
/// `u32::MAX`, empty for none) numbers the journeys of one user, as the
/// journey builder writes them. `touch_times` (same
/// separator as the path) must have one timestamp per touch, or be empty
/// (an untimed journey); `conversion_time` empty means none. Timestamps are
/// read as [`ReaderBuilder::time_format`](crate::io::ReaderBuilder::time_format) says (by default each value is
/// detected: ISO 8601 / RFC 3339 with or without zone, a date, or a Unix time
/// in seconds, milliseconds or microseconds) and normalised to UTC.
///
/// [`JourneyReader::read_journey`] is the allocation-reusing twin of the
/// iterator: it refills a journey you already have.
///
/// After an error in strict mode the iterator ends. In lenient mode bad rows
/// are skipped and counted in [`JourneyReader::report`]; I/O errors end it.
///
/// # Example
///
/// ```
/// use attribution::io::{ReaderBuilder, Shape};
///
/// let csv = "journey_id,path,converted,value,touch_times,conversion_time\n\
///            J1,PPC > Email,1,120,2024-03-01T09:00:00Z > 2024-03-02T09:00:00Z,2024-03-02T10:00:00Z\n\
///            J2,PPC,0,,,\n";
/// let mut reader = ReaderBuilder::new(Shape::Journeys).from_reader(csv.as_bytes())?;
/// let j1 = reader.next().unwrap()?;
/// assert_eq!((j1.id(), j1.len(), j1.conversions(), j1.value()), (Some("J1"), 2, 1, 120.0));
/// assert!(j1.is_timed());
/// let j2 = reader.next().unwrap()?;
/// assert_eq!((j2.conversions(), j2.non_conversions(), j2.is_timed()), (0, 1, false));
/// assert!(reader.next().is_none());
/// assert_eq!(reader.channels().len(), 2);
/// assert_eq!(reader.report().journeys(), 2);
/// # Ok::<(), attribution::ReadError>(())
/// ```
#[derive(Debug)]
pub struct JourneyReader<R> {
    records: RecordReader<R>,
    parser: RowParser,
    lenient: bool,
    channels: Channels,
    cache: InternCache,
    report: ReadReport,
    done: bool,
}

impl<R: Read> JourneyReader<R> {
    /// A reader of the records after the header, parsed by `parser`,
    /// interning into `channels`.
    pub(crate) fn new(
        records: RecordReader<R>,
        parser: RowParser,
        lenient: bool,
        channels: Channels,
    ) -> Self {
        let mut report = ReadReport::default();
        report.set_channel_base(channels.len());
        Self {
            records,
            parser,
            lenient,
            channels,
            cache: InternCache::default(),
            report,
            done: false,
        }
    }

    /// The channel table the journeys read so far refer to.
    #[must_use]
    pub fn channels(&self) -> &Channels {
        &self.channels
    }

    /// Counts so far: rows, journeys, rejected rows per reason.
    #[must_use]
    pub fn report(&self) -> &ReadReport {
        &self.report
    }

    /// The line of the last record read (the header is line 1), for
    /// progress reporting.
    #[must_use]
    pub fn line(&self) -> u64 {
        self.records.line()
    }

    /// Bytes consumed from the input so far, for progress reporting.
    #[must_use]
    pub fn bytes_read(&self) -> u64 {
        self.records.bytes()
    }

    /// The field delimiter in use (given or detected).
    #[must_use]
    pub fn delimiter(&self) -> u8 {
        self.records.delimiter()
    }

    /// The header names, trimmed, in file order.
    #[must_use]
    pub fn headers(&self) -> &[String] {
        self.parser.header()
    }

    /// The channel table, once reading is done.
    #[must_use]
    pub fn into_channels(self) -> Channels {
        self.channels
    }

    /// Splits the reader after its header, for the parallel reader.
    pub(crate) fn into_parts(self) -> (RecordReader<R>, RowParser, bool, Channels) {
        (self.records, self.parser, self.lenient, self.channels)
    }

    /// Reads the next journey into `out`, reusing its allocation: the
    /// allocation-reusing twin of [`Iterator::next`], in the manner of
    /// `csv::Reader::read_record`. Any journey will do as the buffer, e.g.
    /// the first one the iterator yields. Returns `false` (leaving `out`
    /// as it was) at the end of the input.
    ///
    /// # Errors
    ///
    /// As the iterator: the row's error in strict mode (after which the
    /// reader is done), or an I/O error. On error `out` is unchanged.
    ///
    /// # Example
    ///
    /// ```
    /// use attribution::io::{ReaderBuilder, Shape};
    ///
    /// let csv = "path,total_conversions,total_null\nA > B,1,0\nB,0,2\nA > A > B,3,1\n";
    /// let mut reader = ReaderBuilder::new(Shape::Paths).from_reader(csv.as_bytes())?;
    /// let mut journey = reader.next().unwrap()?;
    /// let mut conversions = journey.conversions();
    /// while reader.read_journey(&mut journey)? {
    ///     conversions += journey.conversions();
    /// }
    /// assert_eq!((conversions, journey.len()), (4, 3));
    /// assert_eq!(reader.report().journeys(), 3);
    /// # Ok::<(), attribution::ReadError>(())
    /// ```
    pub fn read_journey(&mut self, out: &mut Journey) -> Result<bool, ReadError> {
        let mut channels = std::mem::take(&mut self.channels);
        let read = self.read_into(&mut channels, Out::Refill(out));
        self.channels = channels;
        read
    }

    /// Reads every remaining row into a [`JourneySet`] over the channel table.
    ///
    /// # Errors
    ///
    /// The first error of a row (strict mode) or an I/O error.
    pub fn read_all(mut self) -> Result<(JourneySet, ReadReport), ReadError> {
        // Intern straight into the set's table: no intermediate vector.
        let mut set = JourneySet::new(std::mem::take(&mut self.channels));
        while let Some(journey) = self.next_into(set.channels_mut()) {
            set.push(journey?)
                .map_err(|e| ReadError::new(ReadErrorKind::Journey(e)))?;
        }
        Ok((set, self.report))
    }

    /// The next journey, interning into `channels`.
    fn next_into(&mut self, channels: &mut Channels) -> Option<Result<Journey, ReadError>> {
        let mut slot = None;
        match self.read_into(channels, Out::New(&mut slot)) {
            Ok(true) => slot.map(Ok),
            Ok(false) => None,
            Err(e) => Some(Err(e)),
        }
    }

    /// Reads rows until one gives a journey (written to `out`) or the input
    /// ends, interning into `channels`.
    fn read_into(&mut self, channels: &mut Channels, mut out: Out<'_>) -> Result<bool, ReadError> {
        loop {
            if self.done {
                return Ok(false);
            }
            let open = match self.records.read_record() {
                Ok(Next::Record) => None,
                Ok(Next::OpenQuote(open)) => Some(open),
                Ok(Next::End) => {
                    self.done = true;
                    return Ok(false);
                }
                Err(e) => {
                    self.done = true;
                    return Err(io_error(e).at_line(self.records.line()));
                }
            };
            self.report.count_row();
            if let Some(open) = open {
                let e = self.parser.open_quote_error(&open);
                if self.lenient {
                    self.report.reject(e);
                    continue;
                }
                self.done = true;
                return Err(e);
            }
            let out = match &mut out {
                Out::New(slot) => Out::New(slot),
                Out::Refill(journey) => Out::Refill(journey),
            };
            let line = self.records.line();
            let known = channels.len();
            let parsed =
                self.parser
                    .parse(self.records.record(), line, channels, &mut self.cache, out);
            self.report
                .note_channels(channels.len().saturating_sub(known), line);
            match parsed {
                Ok(()) => {
                    self.report.count_journey();
                    return Ok(true);
                }
                Err(e) if self.lenient => self.report.reject(e),
                Err(e) => {
                    self.done = true;
                    return Err(e);
                }
            }
        }
    }
}

impl<R: Read> Iterator for JourneyReader<R> {
    type Item = Result<Journey, ReadError>;

    fn next(&mut self) -> Option<Self::Item> {
        let mut channels = std::mem::take(&mut self.channels);
        let item = self.next_into(&mut channels);
        self.channels = channels;
        item
    }
}
