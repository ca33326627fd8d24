//! [`JourneyReader`]: a streaming iterator of journeys from CSV.

use std::io::Read;

use chrono::{DateTime, Utc};

use crate::channel::Channels;
use crate::error::{ReadError, ReadErrorKind};
use crate::io::builder::ReaderBuilder;
use crate::io::fields::{parse_converted, parse_count, parse_value, trim};
use crate::io::intern::InternCache;
use crate::io::records::RecordReader;
use crate::io::report::ReadReport;
use crate::io::shape::{Column, Shape};
use crate::io::timestamp::parse_timestamp;
use crate::journey::{Journey, JourneySet, Touchpoint};

/// Reads journeys from CSV, one row at a time.
///
/// Made by [`ReaderBuilder`]. It is an iterator of `Result<Journey, ReadError>`
/// and holds one row in memory at a time (its buffers are reused across
/// rows), plus the channel table it interns into: the ids of the journeys
/// it yields refer to [`JourneyReader::channels`].
///
/// Row rules (both shapes): fields are trimmed of surrounding whitespace;
/// path tokens are split on the separator, trimmed, and empty tokens dropped;
/// a path with no token is [`ReadErrorKind::EmptyPath`]; counts are
/// non-negative integers (`3.0` and `3e2` are accepted as integral spellings
/// up to 2^53; `1.5` is [`ReadErrorKind::FractionalCount`], `-1`
/// [`ReadErrorKind::NegativeCount`], `abc`/`nan`/`inf` or a count beyond
/// `u64::MAX` [`ReadErrorKind::InvalidCount`], an empty count
/// [`ReadErrorKind::EmptyField`]); values are finite and `>= 0` (else
/// [`ReadErrorKind::InvalidValue`]) and an empty value is 0. A row with 0
/// conversions and 0 non-conversions is kept: it carries no information, and
/// every model ignores it. Blank lines are skipped.
///
/// Journeys shape: `converted` is a count or `true`/`false` (any case); a
/// journey with `c` conversions has `c` conversions and, unless the optional
/// `non_converted` column says otherwise, 1 non-conversion when `c = 0` and
/// none otherwise. An empty `journey_id` means no id. `touch_times` (same
/// separator as the path) must have one timestamp per touch, or be empty
/// (an untimed journey); `conversion_time` empty means none. Timestamps are
/// RFC 3339 with `Z` or an offset (normalised to UTC) or Unix seconds.
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
    shape: Shape,
    /// Header names (trimmed), for error messages.
    header: Vec<String>,
    /// The field index of each role present in the header.
    index: [Option<usize>; Column::COUNT],
    separator: Separator,
    lenient: bool,
    channels: Channels,
    cache: InternCache,
    report: ReadReport,
    touches: Vec<Touchpoint>,
    times: Vec<DateTime<Utc>>,
    done: bool,
}

impl<R: Read> JourneyReader<R> {
    pub(crate) fn new(config: &ReaderBuilder, rdr: R) -> Result<Self, ReadError> {
        let mut records = RecordReader::new(rdr, config.delimiter).map_err(io_error)?;
        if !records.read_record().map_err(io_error)? {
            return Err(ReadError::new(ReadErrorKind::EmptyFile));
        }
        let line = records.line();
        let mut header = Vec::with_capacity(records.len());
        for (i, raw) in records.fields().enumerate() {
            let name = std::str::from_utf8(raw).map_err(|_| {
                ReadError::new(ReadErrorKind::InvalidUtf8)
                    .at_line(line)
                    .in_column(format!("#{}", i + 1))
                    .with_text(&String::from_utf8_lossy(raw))
            })?;
            header.push(name.trim().to_owned());
        }
        let header_error = |kind: ReadErrorKind, name: &str| {
            ReadError::new(kind)
                .at_line(line)
                .in_column(name)
                .with_text(name)
        };
        let specs = config.shape.columns();
        let mut index = [None; Column::COUNT];
        for (i, name) in header.iter().enumerate() {
            match specs.iter().find(|s| config.name_of(s) == name) {
                Some(spec) => {
                    let slot = index.get_mut(spec.role.index());
                    match slot {
                        Some(slot @ None) => *slot = Some(i),
                        _ => {
                            return Err(header_error(
                                ReadErrorKind::DuplicateColumn(name.clone()),
                                name,
                            ));
                        }
                    }
                }
                None if config.ignore_unknown_columns => {}
                None => {
                    return Err(header_error(
                        ReadErrorKind::UnknownColumn(name.clone()),
                        name,
                    ));
                }
            }
        }
        for spec in specs.iter().filter(|s| s.required) {
            if index.get(spec.role.index()).copied().flatten().is_none() {
                let name = config.name_of(spec);
                return Err(
                    ReadError::new(ReadErrorKind::MissingColumn(name.to_owned()))
                        .at_line(line)
                        .in_column(name),
                );
            }
        }
        Ok(Self {
            records,
            shape: config.shape,
            header,
            index,
            separator: Separator::new(&config.separator),
            lenient: config.lenient,
            channels: config.channels.clone(),
            cache: InternCache::default(),
            report: ReadReport::default(),
            touches: Vec::new(),
            times: Vec::new(),
            done: false,
        })
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
        &self.header
    }

    /// The channel table, once reading is done.
    #[must_use]
    pub fn into_channels(self) -> Channels {
        self.channels
    }

    /// Reads every remaining row into a [`JourneySet`] over the channel table.
    ///
    /// # Errors
    ///
    /// The first error of a row (strict mode) or an I/O error.
    pub fn read_all(mut self) -> Result<(JourneySet, ReadReport), ReadError> {
        let mut journeys = Vec::new();
        for journey in &mut self {
            journeys.push(journey?);
        }
        let mut set = JourneySet::new(self.channels);
        for journey in journeys {
            set.push(journey)
                .map_err(|e| ReadError::new(ReadErrorKind::Journey(e)))?;
        }
        Ok((set, self.report))
    }

    fn parse_row(&mut self) -> Result<Journey, ReadError> {
        let line = self.records.line();
        let found = self.records.len();
        if found != self.header.len() {
            return Err(ReadError::new(ReadErrorKind::FieldCount {
                expected: self.header.len(),
                found,
            })
            .at_line(line));
        }
        let row = Row {
            records: &self.records,
            header: &self.header,
            index: &self.index,
            line,
        };
        let mut scratch = Scratch {
            channels: &mut self.channels,
            cache: &mut self.cache,
            touches: &mut self.touches,
            times: &mut self.times,
            separator: &self.separator,
        };
        match self.shape {
            Shape::Paths => row.paths(&mut scratch),
            Shape::Journeys => row.journeys(&mut scratch),
        }
    }
}

impl<R: Read> Iterator for JourneyReader<R> {
    type Item = Result<Journey, ReadError>;

    fn next(&mut self) -> Option<Self::Item> {
        loop {
            if self.done {
                return None;
            }
            match self.records.read_record() {
                Ok(true) => {}
                Ok(false) => {
                    self.done = true;
                    return None;
                }
                Err(e) => {
                    self.done = true;
                    return Some(Err(io_error(e).at_line(self.records.line())));
                }
            }
            self.report.count_row();
            match self.parse_row() {
                Ok(journey) => {
                    self.report.count_journey();
                    return Some(Ok(journey));
                }
                Err(e) if self.lenient => self.report.reject(e),
                Err(e) => {
                    self.done = true;
                    return Some(Err(e));
                }
            }
        }
    }
}

fn io_error(e: std::io::Error) -> ReadError {
    ReadError::new(ReadErrorKind::Io(e.to_string()))
}

/// The path separator, with a fast path for one ASCII character.
#[derive(Debug)]
enum Separator {
    Char(char),
    Str(Box<str>),
}

impl Separator {
    fn new(s: &str) -> Self {
        let mut chars = s.chars();
        match (chars.next(), chars.next()) {
            (Some(c), None) => Self::Char(c),
            _ => Self::Str(s.into()),
        }
    }

    /// Calls `f` on each trimmed, non-empty token of `s`.
    fn for_each_token<E>(
        &self,
        s: &str,
        mut f: impl FnMut(&str) -> Result<(), E>,
    ) -> Result<(), E> {
        let mut each = |t: &str| {
            let t = trim(t);
            if t.is_empty() { Ok(()) } else { f(t) }
        };
        match self {
            Self::Char(c) => s.split(*c).try_for_each(&mut each),
            Self::Str(p) => s.split(&**p).try_for_each(&mut each),
        }
    }
}

/// The mutable state a row writes into.
struct Scratch<'a> {
    channels: &'a mut Channels,
    cache: &'a mut InternCache,
    touches: &'a mut Vec<Touchpoint>,
    times: &'a mut Vec<DateTime<Utc>>,
    separator: &'a Separator,
}

/// The current record, with the header layout.
struct Row<'a, R> {
    records: &'a RecordReader<R>,
    header: &'a [String],
    index: &'a [Option<usize>; Column::COUNT],
    line: u64,
}

impl<R: Read> Row<'_, R> {
    fn error(&self, kind: ReadErrorKind, column: usize, text: &str) -> ReadError {
        let name = self.header.get(column).map_or("", String::as_str);
        ReadError::new(kind)
            .at_line(self.line)
            .in_column(name)
            .with_text(text)
    }

    /// The trimmed text of `role`'s field, or `None` if the column is absent.
    fn get(&self, role: Column) -> Result<Option<(&str, usize)>, ReadError> {
        Ok(self.get_raw(role)?.map(|(s, i)| (trim(s), i)))
    }

    /// The untrimmed text of `role`'s field: lists are split before trimming,
    /// so that a separator with spaces (`" | "`) also matches at the edges.
    fn get_raw(&self, role: Column) -> Result<Option<(&str, usize)>, ReadError> {
        let Some(i) = self.index.get(role.index()).copied().flatten() else {
            return Ok(None);
        };
        let raw = self.records.field(i).unwrap_or_default();
        match std::str::from_utf8(raw) {
            Ok(s) => Ok(Some((s, i))),
            Err(_) => Err(self.error(ReadErrorKind::InvalidUtf8, i, &String::from_utf8_lossy(raw))),
        }
    }

    fn count(
        &self,
        role: Column,
        parse: fn(&str) -> Result<u64, ReadErrorKind>,
    ) -> Result<Option<u64>, ReadError> {
        match self.get(role)? {
            Some((s, i)) => parse(s).map(Some).map_err(|k| self.error(k, i, s)),
            None => Ok(None),
        }
    }

    fn value(&self) -> Result<f64, ReadError> {
        match self.get(Column::Value)? {
            Some((s, i)) => parse_value(s).map_err(|k| self.error(k, i, s)),
            None => Ok(0.0),
        }
    }

    fn timestamp(&self, s: &str, column: usize) -> Result<DateTime<Utc>, ReadError> {
        parse_timestamp(s).ok_or_else(|| self.error(ReadErrorKind::InvalidTimestamp, column, s))
    }

    /// Interns the path's channels into `scratch.touches` (untimed).
    fn path(&self, scratch: &mut Scratch<'_>) -> Result<(), ReadError> {
        let Some((path, i)) = self.get_raw(Column::Path)? else {
            return Ok(());
        };
        scratch.touches.clear();
        let Scratch {
            channels,
            cache,
            touches,
            separator,
            ..
        } = scratch;
        separator.for_each_token(path, |token| {
            let id = cache
                .intern(channels, token)
                .map_err(|e| self.error(ReadErrorKind::Channel(e), i, token))?;
            touches.push(Touchpoint::new(id));
            Ok::<(), ReadError>(())
        })?;
        if touches.is_empty() {
            return Err(self.error(ReadErrorKind::EmptyPath, i, trim(path)));
        }
        Ok(())
    }

    fn journey(
        &self,
        scratch: &Scratch<'_>,
        conversions: u64,
        non_conversions: u64,
        value: f64,
    ) -> Result<Journey, ReadError> {
        Journey::new(scratch.touches.clone(), conversions, non_conversions, value)
            .map_err(|e| ReadError::new(ReadErrorKind::Journey(e)).at_line(self.line))
    }

    fn paths(&self, scratch: &mut Scratch<'_>) -> Result<Journey, ReadError> {
        let conversions = self.count(Column::Conversions, parse_count)?.unwrap_or(0);
        let nulls = self.count(Column::Nulls, parse_count)?.unwrap_or(0);
        let value = self.value()?;
        self.path(scratch)?;
        self.journey(scratch, conversions, nulls, value)
    }

    fn journeys(&self, scratch: &mut Scratch<'_>) -> Result<Journey, ReadError> {
        let conversions = self
            .count(Column::Conversions, parse_converted)?
            .unwrap_or(0);
        let nulls = self
            .count(Column::Nulls, parse_count)?
            .unwrap_or(u64::from(conversions == 0));
        let value = self.value()?;
        let conversion_time = match self.get(Column::ConversionTime)? {
            Some((s, i)) if !s.is_empty() => Some(self.timestamp(s, i)?),
            _ => None,
        };
        let id = match self.get(Column::JourneyId)? {
            Some((s, _)) if !s.is_empty() => Some(s),
            _ => None,
        };
        scratch.times.clear();
        let touch_times = match self.get_raw(Column::TouchTimes)? {
            Some((s, i)) if !trim(s).is_empty() => {
                let times = &mut *scratch.times;
                scratch.separator.for_each_token(s, |token| {
                    times.push(self.timestamp(token, i)?);
                    Ok::<(), ReadError>(())
                })?;
                // Check the count before interning so that a rejected row
                // adds no channel to the table.
                let mut touches = 0;
                if let Some((path, _)) = self.get_raw(Column::Path)? {
                    scratch.separator.for_each_token(path, |_| {
                        touches += 1;
                        Ok::<(), ReadError>(())
                    })?;
                }
                if touches != 0 && touches != times.len() {
                    return Err(self.error(
                        ReadErrorKind::TouchTimesMismatch {
                            touches,
                            times: times.len(),
                        },
                        i,
                        trim(s),
                    ));
                }
                true
            }
            _ => false,
        };
        self.path(scratch)?;
        if touch_times {
            for (touch, &time) in scratch.touches.iter_mut().zip(scratch.times.iter()) {
                touch.time = Some(time);
            }
        }
        let mut journey = self.journey(scratch, conversions, nulls, value)?;
        if let Some(t) = conversion_time {
            journey = journey.with_conversion_time(t);
        }
        if let Some(id) = id {
            journey = journey.with_id(id);
        }
        Ok(journey)
    }
}
