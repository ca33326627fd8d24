//! [`RowParser`]: the header layout and the rules that turn one CSV record
//! into a journey, shared by the streaming and the parallel readers.

use chrono::{DateTime, Utc};

use crate::channel::Channels;
use crate::error::{JourneyError, ReadError, ReadErrorKind};
use crate::io::fields::{parse_converted, parse_count, parse_number, parse_value, trim};
use crate::io::intern::InternCache;
use crate::io::records::{OpenQuote, Record, open_quote_error};
use crate::io::shape::{Column, Shape};
use crate::io::timestamp::TimeParser;
use crate::journey::{Journey, Touchpoint};

/// Where a parsed row goes: a fresh journey, or an existing one refilled.
pub(crate) enum Out<'a> {
    /// Build a new journey into the slot (its previous content is replaced).
    New(&'a mut Option<Journey>),
    /// Refill this journey, reusing its allocation.
    Refill(&'a mut Journey),
}

/// The header layout and the reusable buffers of row parsing.
#[derive(Debug, Clone)]
pub(crate) struct RowParser {
    shape: Shape,
    /// Header names (trimmed), for error messages.
    header: Vec<String>,
    /// The field index of each role present in the header.
    index: [Option<usize>; Column::COUNT],
    separator: Separator,
    touches: Vec<Touchpoint>,
    times: Vec<DateTime<Utc>>,
    time: TimeParser,
    decimal_comma: bool,
}

impl RowParser {
    /// The parser of rows under `header` (names trimmed, in file order),
    /// whose field `index[role.index()]` holds each role's column.
    pub(crate) fn new(
        shape: Shape,
        header: Vec<String>,
        index: [Option<usize>; Column::COUNT],
        separator: &str,
        time: TimeParser,
        decimal_comma: bool,
    ) -> Self {
        Self {
            shape,
            header,
            index,
            separator: Separator::new(separator),
            touches: Vec::new(),
            times: Vec::new(),
            time,
            decimal_comma,
        }
    }

    /// The header names, trimmed, in file order.
    pub(crate) fn header(&self) -> &[String] {
        &self.header
    }

    /// The error of a data record whose quoted field did not close.
    pub(crate) fn open_quote_error(&self, open: &OpenQuote) -> ReadError {
        open_quote_error(open, self.header.get(open.field).map(String::as_str))
    }

    /// Parses `record` (which starts on `line`) into `out`, interning its
    /// channels into `channels` through `cache`.
    pub(crate) fn parse(
        &mut self,
        record: Record<'_>,
        line: u64,
        channels: &mut Channels,
        cache: &mut InternCache,
        out: Out<'_>,
    ) -> Result<(), ReadError> {
        let found = record.len();
        if found != self.header.len() {
            return Err(ReadError::new(ReadErrorKind::FieldCount {
                expected: self.header.len(),
                found,
            })
            .at_line(line));
        }
        let row = Row {
            record,
            header: &self.header,
            index: &self.index,
            line,
            time: &self.time,
            decimal_comma: self.decimal_comma,
        };
        let mut scratch = Scratch {
            channels,
            cache,
            touches: &mut self.touches,
            times: &mut self.times,
            separator: &self.separator,
        };
        match self.shape {
            Shape::Paths => row.paths(&mut scratch, out),
            Shape::Journeys => row.journeys(&mut scratch, out),
        }
    }
}

/// The path separator, with a fast path for one ASCII character.
#[derive(Debug, Clone)]
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
struct Row<'a> {
    record: Record<'a>,
    header: &'a [String],
    index: &'a [Option<usize>; Column::COUNT],
    line: u64,
    time: &'a TimeParser,
    decimal_comma: bool,
}

impl Row<'_> {
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
        let raw = self.record.field(i).unwrap_or_default();
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
            Some((s, i)) => parse_number(s, self.decimal_comma, parse)
                .map(Some)
                .map_err(|(k, hint)| self.error(k, i, s).with_hint(hint)),
            None => Ok(None),
        }
    }

    fn value(&self) -> Result<f64, ReadError> {
        match self.get(Column::Value)? {
            Some((s, i)) => parse_number(s, self.decimal_comma, parse_value)
                .map_err(|(k, hint)| self.error(k, i, s).with_hint(hint)),
            None => Ok(0.0),
        }
    }

    fn timestamp(&self, s: &str, column: usize) -> Result<DateTime<Utc>, ReadError> {
        self.time.parse(s).map_err(|e| {
            let hint = e.hint();
            self.error(ReadErrorKind::InvalidTimestamp(e), column, s)
                .with_hint(hint)
        })
    }

    /// Interns the path's channels into `scratch.touches` (untimed).
    fn path(&self, scratch: &mut Scratch<'_>) -> Result<(), ReadError> {
        scratch.touches.clear();
        let Some((path, i)) = self.get_raw(Column::Path)? else {
            return Ok(());
        };
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

    fn journey<'o>(
        &self,
        scratch: &mut Scratch<'_>,
        out: Out<'o>,
        conversions: u64,
        non_conversions: u64,
        value: f64,
    ) -> Result<&'o mut Journey, ReadError> {
        let wrap = |e: JourneyError| ReadError::new(ReadErrorKind::Journey(e)).at_line(self.line);
        match out {
            Out::Refill(journey) => {
                journey
                    .refill(scratch.touches, conversions, non_conversions, value)
                    .map_err(wrap)?;
                Ok(journey)
            }
            Out::New(slot) => {
                let journey =
                    Journey::new(scratch.touches.clone(), conversions, non_conversions, value)
                        .map_err(wrap)?;
                Ok(slot.insert(journey))
            }
        }
    }

    fn paths(&self, scratch: &mut Scratch<'_>, out: Out<'_>) -> Result<(), ReadError> {
        let conversions = self.count(Column::Conversions, parse_count)?.unwrap_or(0);
        let nulls = self.count(Column::Nulls, parse_count)?.unwrap_or(0);
        let value = self.value()?;
        self.path(scratch)?;
        self.journey(scratch, out, conversions, nulls, value)?;
        Ok(())
    }

    fn journeys(&self, scratch: &mut Scratch<'_>, out: Out<'_>) -> Result<(), ReadError> {
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
        let index = match self.get(Column::JourneyIndex)? {
            Some((s, i)) if !s.is_empty() => Some(
                parse_count(s)
                    .and_then(|n| u32::try_from(n).map_err(|_| ReadErrorKind::InvalidCount))
                    .map_err(|k| self.error(k, i, s))?,
            ),
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
        let journey = self.journey(scratch, out, conversions, nulls, value)?;
        journey.set_conversion_time(conversion_time);
        journey.set_id(id);
        journey.set_journey_index(index);
        Ok(())
    }
}
