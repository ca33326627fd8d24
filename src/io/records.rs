//! Streaming CSV records with exact line numbers.
//!
//! A thin loop around [`csv_core::Reader`] (the state machine under the `csv`
//! crate) that owns its input buffer, so that it knows exactly which bytes
//! each record consumed. `csv::Reader`'s positions are off by one on CRLF
//! input and after blank lines; here the line of a record is 1 + the number
//! of `\n` before its first byte, which is right for LF and CRLF files, with
//! blank lines and with quoted fields that span lines.

use std::io::{self, Read};

use csv_core::ReadRecordResult;

const BUFFER: usize = 64 * 1024;
/// How far to look for the end of the header line when detecting the delimiter.
const MAX_PEEK: usize = 1024 * 1024;
const BOM: &[u8] = b"\xEF\xBB\xBF";
/// Candidate delimiters for auto-detection, in order of preference on ties.
const DELIMITERS: [u8; 3] = [b',', b';', b'\t'];

/// The csv-core state machine with the output buffers of one record, shared
/// by [`RecordReader`] and [`SliceRecords`]: feeds it input, grows the buffers
/// as needed and finds the line on which each record starts.
struct RecordParser {
    core: csv_core::Reader,
    fields: Vec<u8>,
    ends: Vec<usize>,
    nfields: usize,
    /// The line on which the last record started.
    record_line: u64,
}

/// Progress through one record across calls to [`RecordParser::feed`].
#[derive(Default)]
struct RecordProgress {
    outlen: usize,
    endlen: usize,
    started: bool,
}

impl RecordParser {
    fn new(delimiter: u8) -> Self {
        Self {
            core: csv_core::ReaderBuilder::new().delimiter(delimiter).build(),
            fields: vec![0; 1024],
            ends: vec![0; 32],
            nfields: 0,
            record_line: 1,
        }
    }

    /// Feeds `input` to the state machine; returns its result and the number
    /// of bytes consumed. Full output buffers are grown here, so callers only
    /// see `InputEmpty`, `Record` and `End` as outcomes that matter.
    fn feed(&mut self, input: &[u8], progress: &mut RecordProgress) -> (ReadRecordResult, usize) {
        // csv-core counts every `\n` it consumes; the record starts after
        // the blank lines it skips first.
        let lines_before = self.core.line();
        let (res, nin, nout, nend) = self.core.read_record(
            input,
            self.fields.get_mut(progress.outlen..).unwrap_or_default(),
            self.ends.get_mut(progress.endlen..).unwrap_or_default(),
        );
        if !progress.started {
            let consumed = input.get(..nin).unwrap_or_default();
            if let Some(k) = consumed.iter().position(|&b| b != b'\n' && b != b'\r') {
                let blank = consumed.get(..k).unwrap_or_default();
                self.record_line = lines_before + count_newlines(blank);
                progress.started = true;
            }
        }
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
            ReadRecordResult::Record => {
                if !progress.started {
                    self.record_line = self.core.line();
                }
                self.nfields = progress.endlen;
            }
            ReadRecordResult::InputEmpty | ReadRecordResult::End => {}
        }
        (res, nin)
    }

    fn record(&self) -> Record<'_> {
        Record {
            fields: &self.fields,
            ends: self.ends.get(..self.nfields).unwrap_or_default(),
        }
    }
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
        while !buf.get(..end).unwrap_or_default().contains(&b'\n') {
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

    /// Reads the next record; `false` at the end of the input.
    pub(crate) fn read_record(&mut self) -> io::Result<bool> {
        let mut progress = RecordProgress::default();
        loop {
            if self.start == self.end && !self.eof {
                self.start = 0;
                self.end = read_retrying(&mut self.rdr, &mut self.buf)?.min(self.buf.len());
                self.eof = self.end == 0;
            }
            let input = self.buf.get(self.start..self.end).unwrap_or_default();
            let (res, nin) = self.parser.feed(input, &mut progress);
            self.start += nin;
            self.bytes += nin as u64;
            match res {
                ReadRecordResult::Record => return Ok(true),
                ReadRecordResult::End => {
                    self.parser.nfields = 0;
                    return Ok(false);
                }
                _ => {}
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
    /// has not parsed, the underlying reader, and the number of `\n` consumed
    /// so far (the line of the next record is at least this + 1).
    pub(crate) fn into_rest(self) -> (Vec<u8>, R, bool, u64) {
        let rest = self
            .buf
            .get(self.start..self.end)
            .unwrap_or_default()
            .to_vec();
        (
            rest,
            self.rdr,
            self.eof,
            self.parser.core.line().saturating_sub(1),
        )
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
    /// Offset just after the last complete record, and `\n` consumed up to it.
    complete: usize,
    complete_newlines: u64,
    end: Option<SliceEnd>,
}

impl<'a> SliceRecords<'a> {
    pub(crate) fn new(input: &'a [u8], delimiter: u8, last: bool) -> Self {
        Self {
            input,
            pos: 0,
            last,
            parser: RecordParser::new(delimiter),
            complete: 0,
            complete_newlines: 0,
            end: None,
        }
    }

    /// Reads the next record; `false` at the end of the slice (see
    /// [`SliceRecords::end`]).
    pub(crate) fn read_record(&mut self) -> bool {
        if self.end.is_some() {
            return false;
        }
        let mut progress = RecordProgress::default();
        loop {
            let input = self.input.get(self.pos..).unwrap_or_default();
            let (res, nin) = self.parser.feed(input, &mut progress);
            self.pos += nin;
            match res {
                ReadRecordResult::Record => {
                    if input.is_empty() && !self.last {
                        // The end of the block closed a record that the
                        // input had not finished.
                        self.end = Some(SliceEnd::Partial(self.complete));
                        return false;
                    }
                    self.complete = self.pos;
                    self.complete_newlines = self.parser.core.line().saturating_sub(1);
                    return true;
                }
                ReadRecordResult::End => {
                    self.complete = self.pos;
                    self.complete_newlines = self.parser.core.line().saturating_sub(1);
                    self.end = Some(SliceEnd::Boundary);
                    return false;
                }
                // An empty input is csv-core's end of input: reached only
                // once every byte has been consumed.
                _ => {}
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

    /// How the slice ended, once [`SliceRecords::read_record`] returned `false`.
    pub(crate) fn end(&self) -> Option<SliceEnd> {
        self.end
    }

    /// The `\n` bytes in the part of the slice made of complete records.
    pub(crate) fn complete_newlines(&self) -> u64 {
        self.complete_newlines
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

fn read_retrying<R: Read>(rdr: &mut R, buf: &mut [u8]) -> io::Result<usize> {
    loop {
        match rdr.read(buf) {
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            other => return other,
        }
    }
}

fn count_newlines(bytes: &[u8]) -> u64 {
    bytes.iter().filter(|&&b| b == b'\n').count() as u64
}

/// The candidate delimiter that occurs most often outside quotes on the first
/// line; `,` when none occurs.
fn detect_delimiter(input: &[u8]) -> u8 {
    let mut counts = [0usize; DELIMITERS.len()];
    let mut quoted = false;
    for &b in input {
        match b {
            b'"' => quoted = !quoted,
            b'\n' if !quoted => break,
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

    fn records(input: &[u8]) -> Vec<(u64, Vec<String>)> {
        let whole = read_with(RecordReader::new(input, None).unwrap());
        let trickle = read_with(RecordReader::new(OneByte(input), None).unwrap());
        assert_eq!(whole, trickle);
        whole
    }

    fn read_with<R: Read>(mut r: RecordReader<R>) -> Vec<(u64, Vec<String>)> {
        let mut out = Vec::new();
        while r.read_record().unwrap() {
            let fields = r
                .fields()
                .map(|f| String::from_utf8_lossy(f).into_owned())
                .collect();
            out.push((r.line(), fields));
        }
        out
    }

    #[test]
    fn lines_are_exact_with_crlf_blank_lines_and_multiline_fields() {
        let expected = |s: &[&str]| s.iter().map(|x| (*x).to_owned()).collect::<Vec<_>>();
        for (input, sep) in [
            (&b"h\na\n\n\nb\n\"x\ny\"\nc\n"[..], "\n"),
            (&b"h\r\na\r\n\r\n\r\nb\r\n\"x\r\ny\"\r\nc"[..], "\r\n"),
        ] {
            let got = records(input);
            let xy = format!("x{sep}y");
            assert_eq!(
                got,
                vec![
                    (1, expected(&["h"])),
                    (2, expected(&["a"])),
                    (5, expected(&["b"])),
                    (6, expected(&[&xy])),
                    (8, expected(&["c"])),
                ]
            );
        }
    }

    #[test]
    fn bom_is_stripped_and_delimiter_detected_outside_quotes() {
        let got = records(b"\xEF\xBB\xBF\"a,b\";c;d\n1;2;3\n");
        assert_eq!(got[0].1, ["a,b", "c", "d"]);
        assert_eq!(got[1].1, ["1", "2", "3"]);
        assert_eq!(detect_delimiter(b"a\tb\tc,d\n"), b'\t');
        assert_eq!(detect_delimiter(b"abc\n"), b',');
        assert_eq!(detect_delimiter(b""), b',');
    }

    #[test]
    fn long_records_grow_the_buffers() {
        let long = "x".repeat(5000);
        let many = vec!["1"; 100].join(",");
        let input = format!("{long},{many}\n");
        let got = records(input.as_bytes());
        assert_eq!(got.len(), 1);
        assert_eq!(got[0].1.len(), 101);
        assert_eq!(got[0].1[0], long);
    }
}
