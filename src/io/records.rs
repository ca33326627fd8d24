//! Streaming CSV records with exact line numbers.
//!
//! A thin loop around [`csv_core::Reader`] (the state machine under the `csv`
//! crate) that owns its input buffer and feeds the state machine **one
//! physical line at a time**, so that it knows exactly which bytes each
//! record consumed and where every line ends.
//!
//! * Lines end at `\n`, `\r\n` (one line end) or a bare `\r`; the line of a
//!   record is 1 + the line ends before its first byte, with blank lines
//!   skipped. (`csv::Reader` counts `\n` only, so a file with bare-CR line
//!   ends would report every error at line 1.)
//! * A quoted field must close on the line where it opens: none of the input
//!   shapes has a field that may hold a line break. A line end inside quotes
//!   (or the end of the input inside quotes) ends the record as an
//!   [`OpenQuote`], reported at the line and field where the quote opened;
//!   reading resumes at the next physical line. Without this rule one stray
//!   `"` would swallow every following row into a single field. As a
//!   consequence every physical line end is a record boundary, which is what
//!   lets the parallel reader cut its input at any line end.
//! * [`RecordReader::new`] reads the header line ahead to strip a UTF-8 byte
//!   order mark and, unless one is given, to detect the delimiter: every
//!   reader (paths, journeys, events) goes through it.

use std::io::{self, Read};

use csv_core::ReadRecordResult;

use crate::error::{ReadError, ReadErrorKind};

const BUFFER: usize = 64 * 1024;
/// How far to look for the end of the header line when detecting the delimiter.
const MAX_PEEK: usize = 1024 * 1024;
const BOM: &[u8] = b"\xEF\xBB\xBF";
/// Candidate delimiters for auto-detection, in order of preference on ties.
const DELIMITERS: [u8; 3] = [b',', b';', b'\t'];

/// A record whose quoted field ran into a line end or the end of the input.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct OpenQuote {
    /// The line on which the record (and so the quote) started.
    pub(crate) line: u64,
    /// The 0-based index of the field whose quote is open.
    pub(crate) field: usize,
    /// The field from its opening quote to the end of its line.
    pub(crate) text: String,
}

/// What a record reader found next.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Next {
    /// A record: see `record()` and `line()`.
    Record,
    /// A record with an unterminated quoted field, already skipped: reading
    /// goes on at the next line.
    OpenQuote(OpenQuote),
    /// The end of the input.
    End,
}

/// What [`RecordParser::step`] stopped on.
enum Step {
    Next(Next),
    /// The input was used up inside a record or between records.
    NeedInput,
}

/// The csv-core state machine with the output buffers of one record, shared
/// by [`RecordReader`] and [`SliceRecords`]: feeds it input one line at a
/// time, grows the buffers as needed, counts line ends and finds the line on
/// which each record starts.
struct RecordParser {
    core: csv_core::Reader,
    fields: Vec<u8>,
    ends: Vec<usize>,
    nfields: usize,
    /// The line on which the last record started.
    record_line: u64,
    /// Line ends consumed so far (`\r\n` counts once).
    lines: u64,
    /// Whether the last byte consumed was `\r` (a `\n` next is not a new line).
    after_cr: bool,
}

/// Progress through one record across calls to [`RecordParser::step`].
#[derive(Default)]
struct RecordProgress {
    outlen: usize,
    endlen: usize,
    started: bool,
}

impl RecordParser {
    fn new(delimiter: u8) -> Self {
        let mut core = csv_core::ReaderBuilder::new().delimiter(delimiter).build();
        keep_bom(&mut core);
        Self {
            core,
            fields: vec![0; 1024],
            ends: vec![0; 32],
            nfields: 0,
            record_line: 1,
            lines: 0,
            after_cr: false,
        }
    }

    /// Parses `input` until a record ends, a quoted field runs into a line
    /// end, or `input` is used up. `eof` says that `input` ends the data: a
    /// last line without a line end then ends its record. Returns what it
    /// stopped on and the number of bytes consumed.
    fn step(&mut self, input: &[u8], eof: bool, progress: &mut RecordProgress) -> (Step, usize) {
        let mut pos = 0;
        loop {
            let rest = input.get(pos..).unwrap_or_default();
            if rest.is_empty() {
                if !eof {
                    return (Step::NeedInput, pos);
                }
                if !progress.started {
                    self.nfields = 0;
                    return (Step::Next(Next::End), pos);
                }
                // Close the last line as if it ended with a line break, so
                // that a quote still open at the end of the input is caught
                // like one open at a line end.
                match self.feed(b"\n", progress) {
                    (ReadRecordResult::Record, _) => {
                        self.nfields = progress.endlen;
                        return (Step::Next(Next::Record), pos);
                    }
                    (ReadRecordResult::InputEmpty, 1) => {
                        return (Step::Next(Next::OpenQuote(self.open_quote(progress))), pos);
                    }
                    // Output grown: try again.
                    _ => continue,
                }
            }
            let line_len = memchr::memchr2(b'\n', b'\r', rest).map_or(rest.len(), |i| i + 1);
            let line = rest.get(..line_len).unwrap_or_default();
            let (res, nin) = self.feed(line, progress);
            let consumed = line.get(..nin).unwrap_or_default();
            if !progress.started && consumed.iter().any(|&b| b != b'\n' && b != b'\r') {
                progress.started = true;
                self.record_line = self.lines + 1;
            }
            // The line end, if consumed, is the last byte of `consumed`, and
            // the only one: a `\n` is the second half of a `\r\n` only when
            // it comes first, right after a `\r` consumed before.
            let line_end = match consumed.last() {
                Some(&b'\n') => {
                    self.lines += u64::from(!(self.after_cr && consumed.len() == 1));
                    self.after_cr = false;
                    true
                }
                Some(&b'\r') => {
                    self.lines += 1;
                    self.after_cr = true;
                    true
                }
                Some(_) => {
                    self.after_cr = false;
                    false
                }
                None => false,
            };
            pos += nin;
            match res {
                ReadRecordResult::Record => {
                    self.nfields = progress.endlen;
                    return (Step::Next(Next::Record), pos);
                }
                // A line end went into a field: only a quoted one takes it.
                ReadRecordResult::InputEmpty if line_end && progress.started => {
                    return (Step::Next(Next::OpenQuote(self.open_quote(progress))), pos);
                }
                ReadRecordResult::End => {
                    self.nfields = 0;
                    return (Step::Next(Next::End), pos);
                }
                _ => {}
            }
        }
    }

    /// Feeds `input` to the state machine, growing a full output buffer;
    /// returns its result and the number of bytes consumed.
    fn feed(&mut self, input: &[u8], progress: &mut RecordProgress) -> (ReadRecordResult, usize) {
        let (res, nin, nout, nend) = self.core.read_record(
            input,
            self.fields.get_mut(progress.outlen..).unwrap_or_default(),
            self.ends.get_mut(progress.endlen..).unwrap_or_default(),
        );
        progress.outlen += nout;
        progress.endlen += nend;
        match res {
            ReadRecordResult::OutputFull => {
                let len = self.fields.len();
                self.fields.resize(len * 2, 0);
            }
            ReadRecordResult::OutputEndsFull => {
                let len = self.ends.len();
                self.ends.resize(len * 2, 0);
            }
            _ => {}
        }
        (res, nin)
    }

    /// Describes the open quote of the record in progress and drops the
    /// record: the state machine starts afresh on the next line.
    fn open_quote(&mut self, progress: &mut RecordProgress) -> OpenQuote {
        let field = progress.endlen;
        let start = field
            .checked_sub(1)
            .and_then(|i| self.ends.get(i).copied())
            .unwrap_or(0);
        let text = self.fields.get(start..progress.outlen).unwrap_or_default();
        let text = text
            .strip_suffix(b"\n")
            .or_else(|| text.strip_suffix(b"\r"))
            .unwrap_or(text);
        let open = OpenQuote {
            line: self.record_line,
            field,
            text: format!("\"{}", String::from_utf8_lossy(text)),
        };
        self.core.reset();
        keep_bom(&mut self.core);
        *progress = RecordProgress::default();
        self.nfields = 0;
        open
    }

    fn record(&self) -> Record<'_> {
        Record {
            fields: &self.fields,
            ends: self.ends.get(..self.nfields).unwrap_or_default(),
        }
    }
}

/// Makes `core` read a byte order mark as data. csv-core strips a BOM at the
/// start of the first input it is given (and after a reset); the readers
/// strip the file's leading BOM themselves, and a BOM at the start of a later
/// line (the start of a parallel block, the line after a skipped record) must
/// read as it does everywhere else in the file. A call with no room for
/// output returns before reading a byte, but marks the reader as started.
fn keep_bom(core: &mut csv_core::Reader) {
    let _ = core.read_record(b"\n", &mut [], &mut []);
}

/// Reads CSV records one at a time, reusing its buffers.
pub(crate) struct RecordReader<R> {
    rdr: R,
    parser: RecordParser,
    delimiter: u8,
    buf: Vec<u8>,
    start: usize,
    end: usize,
    eof: bool,
    /// Bytes consumed so far, including a BOM.
    bytes: u64,
}

impl<R: Read> RecordReader<R> {
    /// Wraps `rdr`. Reads the header line ahead to strip a UTF-8 BOM and,
    /// when `delimiter` is `None`, to pick the delimiter among `,` `;` and tab.
    pub(crate) fn new(mut rdr: R, delimiter: Option<u8>) -> io::Result<Self> {
        let mut buf = vec![0; BUFFER];
        let mut end = 0;
        let mut eof = false;
        while memchr::memchr2(b'\n', b'\r', buf.get(..end).unwrap_or_default()).is_none() {
            if end == buf.len() {
                if buf.len() >= MAX_PEEK {
                    break;
                }
                buf.resize(buf.len() * 2, 0);
            }
            let n = read_retrying(&mut rdr, buf.get_mut(end..).unwrap_or_default())?;
            if n == 0 {
                eof = true;
                break;
            }
            // A `Read` that reports more than it could have written is a bug,
            // but must not make us slice out of bounds.
            end = (end + n).min(buf.len());
        }
        let start = if buf.get(..end).unwrap_or_default().starts_with(BOM) {
            BOM.len()
        } else {
            0
        };
        let delimiter =
            delimiter.unwrap_or_else(|| detect_delimiter(buf.get(start..end).unwrap_or_default()));
        Ok(Self {
            rdr,
            parser: RecordParser::new(delimiter),
            delimiter,
            buf,
            start,
            end,
            eof,
            bytes: start as u64,
        })
    }

    /// The delimiter in use.
    pub(crate) fn delimiter(&self) -> u8 {
        self.delimiter
    }

    /// Reads the next record.
    pub(crate) fn read_record(&mut self) -> io::Result<Next> {
        let mut progress = RecordProgress::default();
        loop {
            if self.start == self.end && !self.eof {
                self.start = 0;
                self.end = read_retrying(&mut self.rdr, &mut self.buf)?.min(self.buf.len());
                self.eof = self.end == 0;
            }
            let input = self.buf.get(self.start..self.end).unwrap_or_default();
            let (step, nin) = self.parser.step(input, self.eof, &mut progress);
            self.start += nin;
            self.bytes += nin as u64;
            if let Step::Next(next) = step {
                return Ok(next);
            }
        }
    }

    /// The last record.
    pub(crate) fn record(&self) -> Record<'_> {
        self.parser.record()
    }

    /// The fields of the last record.
    #[cfg(test)]
    pub(crate) fn fields(&self) -> impl Iterator<Item = &[u8]> + '_ {
        let record = self.record();
        (0..record.len()).map(move |i| record.field(i).unwrap_or_default())
    }

    /// Splits the reader after the last record: the bytes it buffered but
    /// has not parsed, the underlying reader, whether it reached the end of
    /// the input, and where it stands in the line count.
    pub(crate) fn into_rest(self) -> (Vec<u8>, R, bool, LinePosition) {
        let rest = self
            .buf
            .get(self.start..self.end)
            .unwrap_or_default()
            .to_vec();
        let position = LinePosition {
            lines: self.parser.lines,
            after_cr: self.parser.after_cr,
        };
        (rest, self.rdr, self.eof, position)
    }

    /// The 1-based line on which the last record started.
    pub(crate) fn line(&self) -> u64 {
        self.parser.record_line
    }

    /// Bytes consumed so far.
    pub(crate) fn bytes(&self) -> u64 {
        self.bytes
    }
}

/// Where a reader stands in the line count: the line ends consumed so far
/// (the next record starts on line `lines + 1` or later) and whether the
/// last byte was a `\r` (so that a `\n` next does not start another line).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct LinePosition {
    pub(crate) lines: u64,
    pub(crate) after_cr: bool,
}

/// A view of one parsed record: the unescaped bytes of its fields and where
/// each field ends.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Record<'a> {
    fields: &'a [u8],
    ends: &'a [usize],
}

impl<'a> Record<'a> {
    /// The number of fields.
    pub(crate) fn len(&self) -> usize {
        self.ends.len()
    }

    /// Field `i`.
    pub(crate) fn field(&self, i: usize) -> Option<&'a [u8]> {
        let end = *self.ends.get(i)?;
        let start = match i.checked_sub(1) {
            Some(prev) => *self.ends.get(prev)?,
            None => 0,
        };
        self.fields.get(start..end)
    }
}

/// How a [`SliceRecords`] ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum SliceEnd {
    /// Every byte belonged to complete records (or blank lines): the slice
    /// ended on a record boundary.
    Boundary,
    /// The bytes from this offset on are an unfinished record.
    Partial(usize),
}

/// Records of an in-memory slice that starts on a record boundary, with
/// lines counted from 1 at the slice's start.
///
/// With `last = false` the slice is a block of a longer input: an unfinished
/// record at its end is not returned, and [`SliceRecords::end`] says where it
/// starts. With `last = true` the end of the slice is the end of the input.
pub(crate) struct SliceRecords<'a> {
    input: &'a [u8],
    pos: usize,
    last: bool,
    parser: RecordParser,
    /// Offset just after the last complete record, and the line ends up to it.
    complete: usize,
    complete_lines: u64,
    end: Option<SliceEnd>,
}

impl<'a> SliceRecords<'a> {
    /// Records of `input`; `after_cr` says whether the byte before `input`
    /// was a `\r` (then a `\n` at its start ends no line).
    pub(crate) fn new(input: &'a [u8], delimiter: u8, last: bool, after_cr: bool) -> Self {
        let mut parser = RecordParser::new(delimiter);
        parser.after_cr = after_cr;
        Self {
            input,
            pos: 0,
            last,
            parser,
            complete: 0,
            complete_lines: 0,
            end: None,
        }
    }

    /// Reads the next record; [`Next::End`] at the end of the slice (see
    /// [`SliceRecords::end`]).
    pub(crate) fn read_record(&mut self) -> Next {
        if self.end.is_some() {
            return Next::End;
        }
        let mut progress = RecordProgress::default();
        let input = self.input.get(self.pos..).unwrap_or_default();
        let (step, nin) = self.parser.step(input, self.last, &mut progress);
        self.pos += nin;
        match step {
            Step::Next(next) => {
                self.complete = self.pos;
                self.complete_lines = self.parser.lines;
                if next == Next::End {
                    self.end = Some(SliceEnd::Boundary);
                }
                next
            }
            // Only when `last` is false. Blank lines up to the end are part
            // of the boundary; an unfinished line is left for the next block.
            Step::NeedInput if !progress.started => {
                self.complete = self.pos;
                self.complete_lines = self.parser.lines;
                self.end = Some(SliceEnd::Boundary);
                Next::End
            }
            Step::NeedInput => {
                self.end = Some(SliceEnd::Partial(self.complete));
                Next::End
            }
        }
    }

    /// The last record.
    pub(crate) fn record(&self) -> Record<'_> {
        self.parser.record()
    }

    /// The line of the last record, counted from 1 at the slice's start.
    pub(crate) fn line(&self) -> u64 {
        self.parser.record_line
    }

    /// How the slice ended, once [`SliceRecords::read_record`] returned
    /// [`Next::End`].
    pub(crate) fn end(&self) -> Option<SliceEnd> {
        self.end
    }

    /// The line ends in the part of the slice made of complete records.
    pub(crate) fn complete_lines(&self) -> u64 {
        self.complete_lines
    }
}

impl<R> std::fmt::Debug for RecordReader<R> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RecordReader")
            .field("delimiter", &char::from(self.delimiter))
            .field("line", &self.parser.record_line)
            .field("bytes", &self.bytes)
            .finish_non_exhaustive()
    }
}

/// An I/O error of the input, as a [`ReadError`] (the caller adds the line).
pub(crate) fn io_error(e: io::Error) -> ReadError {
    ReadError::new(ReadErrorKind::Io(e.to_string()))
}

/// The error of a record whose quoted field did not close: its line, the
/// column (by name when known, else `#n`) and the field from its quote on.
pub(crate) fn open_quote_error(open: &OpenQuote, column: Option<&str>) -> ReadError {
    let column = column.map_or_else(|| format!("#{}", open.field + 1), str::to_owned);
    ReadError::new(ReadErrorKind::UnterminatedQuote)
        .at_line(open.line)
        .in_column(column)
        .with_text(&open.text)
}

fn read_retrying<R: Read>(rdr: &mut R, buf: &mut [u8]) -> io::Result<usize> {
    loop {
        match rdr.read(buf) {
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            other => return other,
        }
    }
}

/// The candidate delimiter that occurs most often outside quotes on the first
/// line; `,` when none occurs.
pub(crate) fn detect_delimiter(input: &[u8]) -> u8 {
    let mut counts = [0usize; DELIMITERS.len()];
    let mut quoted = false;
    for &b in input {
        match b {
            b'"' => quoted = !quoted,
            b'\n' | b'\r' => break,
            _ if !quoted => {
                if let Some(i) = DELIMITERS.iter().position(|&d| d == b) {
                    if let Some(c) = counts.get_mut(i) {
                        *c += 1;
                    }
                }
            }
            _ => {}
        }
    }
    let mut best = (b',', 0);
    for (&d, &c) in DELIMITERS.iter().zip(&counts) {
        if c > best.1 {
            best = (d, c);
        }
    }
    best.0
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A reader that hands out one byte per call, to exercise every buffer
    /// boundary.
    struct OneByte<'a>(&'a [u8]);

    impl Read for OneByte<'_> {
        fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
            match (self.0.split_first(), buf.first_mut()) {
                (Some((&b, rest)), Some(slot)) => {
                    *slot = b;
                    self.0 = rest;
                    Ok(1)
                }
                _ => Ok(0),
            }
        }
    }

    /// A record as (line, fields), or an open quote as (line, [field, text]).
    type Got = (u64, Vec<String>);

    /// Reads `input` whole, byte by byte, and as one slice; all three must agree.
    fn records(input: &[u8]) -> Vec<Got> {
        let whole = read_with(RecordReader::new(input, None).unwrap());
        let trickle = read_with(RecordReader::new(OneByte(input), None).unwrap());
        assert_eq!(whole, trickle);
        let body = input.strip_prefix(BOM).unwrap_or(input);
        let mut slice = SliceRecords::new(body, b',', true, false);
        let mut sliced = Vec::new();
        loop {
            match slice.read_record() {
                Next::Record => sliced.push((slice.line(), fields_of(slice.record()))),
                Next::OpenQuote(q) => sliced.push(open(&q)),
                Next::End => break,
            }
        }
        assert_eq!(slice.end(), Some(SliceEnd::Boundary));
        assert_eq!(whole, sliced);
        whole
    }

    fn fields_of(record: Record<'_>) -> Vec<String> {
        (0..record.len())
            .map(|i| String::from_utf8_lossy(record.field(i).unwrap_or_default()).into_owned())
            .collect()
    }

    fn open(q: &OpenQuote) -> Got {
        (q.line, vec![format!("open #{}", q.field), q.text.clone()])
    }

    fn read_with<R: Read>(mut r: RecordReader<R>) -> Vec<Got> {
        let mut out = Vec::new();
        loop {
            match r.read_record().unwrap() {
                Next::Record => {
                    let fields = r
                        .fields()
                        .map(|f| String::from_utf8_lossy(f).into_owned())
                        .collect();
                    out.push((r.line(), fields));
                }
                Next::OpenQuote(q) => out.push(open(&q)),
                Next::End => return out,
            }
        }
    }

    fn row(line: u64, fields: &[&str]) -> Got {
        (line, fields.iter().map(|x| (*x).to_owned()).collect())
    }

    #[test]
    fn lines_are_exact_with_lf_crlf_bare_cr_and_blank_lines() {
        for nl in ["\n", "\r\n", "\r"] {
            let input = format!("h{nl}a{nl}{nl}{nl}b,\"x,y\"{nl}c");
            assert_eq!(
                records(input.as_bytes()),
                [
                    row(1, &["h"]),
                    row(2, &["a"]),
                    row(5, &["b", "x,y"]),
                    row(6, &["c"]),
                ],
                "{nl:?}"
            );
        }
        // Mixed line ends: `\r\n` is one line end, `\n\r` two.
        assert_eq!(
            records(b"h\r\na\rb\n\rc\r\n\r\nd\n"),
            [
                row(1, &["h"]),
                row(2, &["a"]),
                row(3, &["b"]),
                row(5, &["c"]),
                row(7, &["d"]),
            ]
        );
    }

    #[test]
    fn a_line_end_inside_quotes_skips_that_line_only() {
        for nl in ["\n", "\r\n", "\r"] {
            let input = format!("h,i,j{nl}a,\"b,1{nl}c,2,3{nl}\"d\",4,5{nl}");
            assert_eq!(
                records(input.as_bytes()),
                [
                    row(1, &["h", "i", "j"]),
                    row(2, &["open #1", "\"b,1"]),
                    row(3, &["c", "2", "3"]),
                    row(4, &["d", "4", "5"]),
                ],
                "{nl:?}"
            );
        }
    }

    #[test]
    fn a_quote_open_at_the_end_of_the_input_is_reported() {
        assert_eq!(
            records(b"h,i\na,\"b"),
            [row(1, &["h", "i"]), row(2, &["open #1", "\"b"])]
        );
        assert_eq!(
            records(b"h,i\na,\"b\"\"\"\"c"),
            [row(1, &["h", "i"]), row(2, &["open #1", "\"b\"\"c"])]
        );
        assert_eq!(
            records(b"h,i\n\"a\",\"b\""),
            [row(1, &["h", "i"]), row(2, &["a", "b"])]
        );
        assert_eq!(records(b"\""), [row(1, &["open #0", "\""])]);
    }

    #[test]
    fn a_block_cut_after_a_cr_continues_the_line_count() {
        // The first block ends on the `\r` of a `\r\n`.
        let mut first = SliceRecords::new(b"a\r", b',', false, false);
        assert_eq!(first.read_record(), Next::Record);
        assert_eq!(first.read_record(), Next::End);
        assert_eq!(
            (first.end(), first.complete_lines()),
            (Some(SliceEnd::Boundary), 1)
        );
        let mut second = SliceRecords::new(b"\nb\n", b',', true, true);
        assert_eq!(second.read_record(), Next::Record);
        assert_eq!(second.line(), 1);
        // A block that ends inside a line leaves it for the next block.
        let mut partial = SliceRecords::new(b"a\nb,\"c", b',', false, false);
        assert_eq!(partial.read_record(), Next::Record);
        assert_eq!(partial.read_record(), Next::End);
        assert_eq!(partial.end(), Some(SliceEnd::Partial(2)));
        assert_eq!(partial.complete_lines(), 1);
    }

    #[test]
    fn only_the_leading_bom_is_stripped() {
        // A BOM at the start of a later line, of a block, or of the line
        // after a skipped record is data, as it is mid-line.
        assert_eq!(
            records(b"\xEF\xBB\xBFh\n\xEF\xBB\xBFa\n\"x\n\xEF\xBB\xBFb\n"),
            [
                row(1, &["h"]),
                row(2, &["\u{feff}a"]),
                row(3, &["open #0", "\"x"]),
                row(4, &["\u{feff}b"]),
            ]
        );
        let mut block = SliceRecords::new(b"\xEF\xBB\xBFc\n", b',', true, false);
        assert_eq!(block.read_record(), Next::Record);
        assert_eq!(fields_of(block.record()), ["\u{feff}c"]);
    }

    #[test]
    fn bom_is_stripped_and_delimiter_detected_outside_quotes() {
        let got =
            read_with(RecordReader::new(&b"\xEF\xBB\xBF\"a,b\";c;d\n1;2;3\n"[..], None).unwrap());
        assert_eq!(got[0].1, ["a,b", "c", "d"]);
        assert_eq!(got[1].1, ["1", "2", "3"]);
        assert_eq!(detect_delimiter(b"a\tb\tc,d\n"), b'\t');
        assert_eq!(detect_delimiter(b"a;b\rc,d,e,f\r"), b';');
        assert_eq!(detect_delimiter(b"abc\n"), b',');
        assert_eq!(detect_delimiter(b""), b',');
    }

    #[test]
    fn long_records_grow_the_buffers() {
        let long = "x".repeat(5000);
        let many = vec!["1"; 100].join(",");
        let input = format!("{long},{many}\n\"{long}");
        let got = records(input.as_bytes());
        assert_eq!(got.len(), 2);
        assert_eq!(got[0].1.len(), 101);
        assert_eq!(got[0].1[0], long);
        assert_eq!(got[1], row(2, &["open #0", &format!("\"{long}")]));
    }
}
