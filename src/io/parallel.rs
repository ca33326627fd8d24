//! [`ParallelReader`]: reads a paths or journeys file on several threads and
//! folds its journeys into mergeable states.
//!
//! The input is consumed in rounds of `block_size` bytes. Each round is cut
//! at line ends into one piece per thread; each piece is parsed
//! with a copy of the channel table as it stood at the start of the round,
//! extended piece-locally with the names the piece sees first. After the
//! round the pieces' new names are added to the table **in file order** (the
//! first piece's, then the second's, …), so ids are exactly those the
//! sequential [`JourneyReader`](crate::io::JourneyReader) hands out. Journeys
//! that use only known channels (and every journey of a round's first piece,
//! whose local ids are already the final ones) are folded at once; the few
//! that use a channel new to their piece are kept, renumbered after the
//! merge and folded then.
//!
//! Pieces are cut at line ends (`\n`, `\r\n` or a bare `\r`). That is
//! always a record boundary: a quoted field must close on the line where it
//! opens, and a record whose quote runs into a line end is skipped (lenient)
//! or an error (strict) at that line, in the sequential reader as here. The
//! first round is one small piece, so that the common channels are known
//! before the others start.

use std::io::Read;
use std::thread;

use crate::channel::{ChannelId, Channels};
use crate::error::{ReadError, ReadErrorKind};
use crate::io::intern::InternCache;
use crate::io::reader::JourneyReader;
use crate::io::records::{LinePosition, Next, SliceEnd, SliceRecords, io_error};
use crate::io::report::{ReadReport, shift_line};
use crate::io::row::{Out, RowParser};
use crate::journey::Journey;

/// The size of the first round: one piece, read on the calling thread.
const WARM_UP: usize = 1 << 20;

/// What [`ParallelReader::fold`] returns: the merged state, the channel
/// table its ids refer to, and the read report.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct Folded<S> {
    /// The states of all workers, merged.
    pub state: S,
    /// The channel table, in order of first appearance in the file.
    pub channels: Channels,
    /// Rows, journeys and rejections, as the sequential reader counts them.
    pub report: ReadReport,
}

/// Why [`ParallelReader::fold`] failed: the first failing row in file order.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum FoldError<E> {
    /// A row could not be read (strict mode), or the input failed.
    Read(ReadError),
    /// The fold function rejected a journey.
    Fold {
        /// The fold function's error.
        error: E,
        /// The line the journey's row starts on (the header is line 1).
        line: u64,
        /// The journey's 0-based position among the journeys read.
        journey: u64,
    },
    /// A worker thread could not be started (the system's message).
    Thread(String),
}

impl<E: std::fmt::Display> std::fmt::Display for FoldError<E> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Read(e) => e.fmt(f),
            Self::Fold { error, line, .. } => write!(f, "line {line}: {error}"),
            Self::Thread(message) => write!(f, "cannot start a reading thread: {message}"),
        }
    }
}

impl<E: std::error::Error + 'static> std::error::Error for FoldError<E> {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Self::Read(e) => Some(e),
            Self::Fold { error, .. } => Some(error),
            Self::Thread(_) => None,
        }
    }
}

impl<E> From<ReadError> for FoldError<E> {
    fn from(e: ReadError) -> Self {
        Self::Read(e)
    }
}

/// Reads journeys on several threads and folds them into per-thread states,
/// merged at the end. Made by [`ReaderBuilder::parallel_from_reader`](crate::io::ReaderBuilder::parallel_from_reader), which
/// has read the header.
///
/// Same results as the sequential [`JourneyReader`]: the same channel table
/// (ids in order of first appearance), the same journeys (the fold sees them
/// as a multiset: in no particular order), the same [`ReadReport`] and, in
/// strict mode, the same first error with the same line. States are merged,
/// so a model whose state holds float sums may differ from a sequential run
/// by float rounding only (integer counts are exact).
///
/// # Example
///
/// ```
/// use attribution::io::{ReaderBuilder, Shape};
///
/// let csv = "path,total_conversions,total_null\nA > B,1,0\nB,2,1\nC > A,0,1\n";
/// let reader = ReaderBuilder::new(Shape::Paths)
///     .threads(2)
///     .block_size(8)
///     .parallel_from_reader(csv.as_bytes())?;
/// let folded = reader
///     .fold(
///         || 0u64,
///         |touches, journey, _channels| {
///             *touches += journey.len() as u64;
///             Ok::<(), std::convert::Infallible>(())
///         },
///         |a, b| *a += b,
///     )
///     .unwrap();
/// assert_eq!(folded.state, 5);
/// assert_eq!(folded.channels.iter().map(|(_, n)| n).collect::<Vec<_>>(), ["A", "B", "C"]);
/// assert_eq!(folded.report.journeys(), 3);
/// # Ok::<(), attribution::ReadError>(())
/// ```
#[derive(Debug)]
pub struct ParallelReader<R> {
    rdr: R,
    buf: Vec<u8>,
    eof: bool,
    /// Line ends before `buf`, and whether the byte before it was a `\r`.
    position: LinePosition,
    parser: RowParser,
    delimiter: u8,
    lenient: bool,
    channels: Channels,
    threads: usize,
    block_size: usize,
}

impl<R: Read> ParallelReader<R> {
    /// The most threads a reader uses, whatever is asked for.
    pub const MAX_THREADS: usize = 256;

    /// Takes over `reader`, which has read the header: `threads` threads
    /// (0: every core) parse rounds of `block_size` bytes.
    pub(crate) fn new(reader: JourneyReader<R>, threads: usize, block_size: usize) -> Self {
        let delimiter = reader.delimiter();
        let (records, parser, lenient, channels) = reader.into_parts();
        let (buf, rdr, eof, position) = records.into_rest();
        let threads = match threads {
            0 => thread::available_parallelism().map_or(1, std::num::NonZero::get),
            n => n,
        }
        .min(Self::MAX_THREADS);
        Self {
            rdr,
            buf,
            eof,
            position,
            parser,
            delimiter,
            lenient,
            channels,
            threads,
            block_size: block_size.max(1),
        }
    }

    /// The header names, trimmed, in file order.
    #[must_use]
    pub fn headers(&self) -> &[String] {
        self.parser.header()
    }

    /// The number of threads the fold uses (at most [`Self::MAX_THREADS`]).
    #[must_use]
    pub fn threads(&self) -> usize {
        self.threads
    }

    /// Reads every row and folds each journey into a state: `init` makes one
    /// state per thread, `fold` adds a journey to a state (with the channel
    /// table its ids refer to, a prefix of the final table), and `merge`
    /// combines two states (it must be associative and commutative, as
    /// [`Merge`](crate::Merge) is).
    ///
    /// # Errors
    ///
    /// The first failing row in file order: [`FoldError::Read`] for a row
    /// the reader rejects (strict mode) or an I/O error;
    /// [`FoldError::Fold`] when `fold` fails, with the row's line and the
    /// journey's position; [`FoldError::Thread`] when the system cannot
    /// start a thread.
    ///
    /// # Complexity
    ///
    /// O(bytes / threads) time per thread plus a merge of the states; memory
    /// holds one round (`block_size` bytes, whatever the number of threads)
    /// and one state per thread.
    pub fn fold<S, E, I, F, M>(
        mut self,
        init: I,
        fold: F,
        mut merge: M,
    ) -> Result<Folded<S>, FoldError<E>>
    where
        S: Send,
        E: Send,
        I: Fn() -> S,
        F: Fn(&mut S, &Journey, &Channels) -> Result<(), E> + Sync,
        M: FnMut(&mut S, S),
    {
        let threads = self.threads.max(1);
        let mut states: Vec<S> = (0..threads).map(|_| init()).collect();
        let mut workers: Vec<Worker> = (0..threads)
            .map(|_| Worker {
                parser: self.parser.clone(),
                cache: InternCache::default(),
                journey: None,
            })
            .collect();
        let mut report = ReadReport::default();
        report.set_channel_base(self.channels.len());
        let mut journeys_before = 0u64;
        let mut pos = 0;
        let mut want = WARM_UP.min(self.block_size);
        let mut first_round = true;
        let mut io_failure = None;
        loop {
            if self.buf.len() - pos < want && !self.eof {
                self.buf.drain(..pos);
                pos = 0;
                if let Err(e) = self.fill(want) {
                    io_failure = Some(e);
                }
            }
            let last = self.eof && io_failure.is_none();
            let data = self.buf.get(pos..).unwrap_or_default();
            if data.is_empty() && self.eof {
                break;
            }
            let pieces = if first_round { 1 } else { threads };
            let spans = split(data, pieces);
            let base = &self.channels;
            let delimiter = self.delimiter;
            let lenient = self.lenient;
            let nspans = spans.len();
            // Whether the byte before each span is a `\r`.
            let mut after_cr = Vec::with_capacity(nspans);
            let mut offset = 0usize;
            for span in &spans {
                after_cr.push(match offset.checked_sub(1) {
                    Some(before) => data.get(before) == Some(&b'\r'),
                    None => self.position.after_cr,
                });
                offset += span.len();
            }
            let after_cr = &after_cr;
            let run = |i: usize, span: &[u8], worker: &mut Worker, state: &mut S| {
                worker.run(
                    span,
                    &Piece {
                        delimiter,
                        last: last && i + 1 == nspans,
                        after_cr: after_cr.get(i).copied().unwrap_or(false),
                        lenient,
                        first: i == 0,
                        base,
                    },
                    state,
                    &fold,
                )
            };
            let mut results: Vec<PieceResult<E>> = Vec::with_capacity(nspans);
            let mut spawn_error = None;
            {
                let mut jobs = spans.iter().zip(workers.iter_mut()).zip(states.iter_mut());
                if let Some(((span, worker), state)) = jobs.next() {
                    let others: Vec<_> = thread::scope(|scope| {
                        let mut handles = Vec::with_capacity(nspans);
                        for (k, ((span, worker), state)) in jobs.enumerate() {
                            let run = &run;
                            match spawn_worker(scope, move || run(k + 1, span, worker, state)) {
                                Ok(handle) => handles.push(handle),
                                Err(e) => {
                                    spawn_error = Some(e);
                                    break;
                                }
                            }
                        }
                        if spawn_error.is_none() {
                            results.push(run(0, span, worker, state));
                        }
                        handles
                            .into_iter()
                            .map(|h| h.join().unwrap_or_else(|e| std::panic::resume_unwind(e)))
                            .collect()
                    });
                    results.extend(others);
                }
            }
            if let Some(e) = spawn_error {
                return Err(FoldError::Thread(e.to_string()));
            }
            // Merge the tables in file order and renumber deferred journeys.
            let base_len = self.channels.len();
            let mut consumed = 0;
            let mut newlines = self.position.lines;
            let mut first_error: Option<(FoldError<E>, u64)> = None;
            for (i, mut piece) in results.into_iter().enumerate() {
                let known = self.channels.len();
                let channel_lines = piece.report.take_channel_lines();
                if i == 0 {
                    self.channels = std::mem::take(&mut piece.table);
                    report.note_channel_lines(channel_lines.iter().map(|l| l + newlines));
                } else {
                    let remap = remap(&mut self.channels, &piece.table, base_len)?;
                    // The piece's new names that are new to the file too, in
                    // id order.
                    report.note_channel_lines(
                        remap
                            .iter()
                            .zip(&channel_lines)
                            .filter(|(id, _)| id.index() >= known)
                            .map(|(_, l)| l + newlines),
                    );
                    for (journey, _, _) in &mut piece.deferred {
                        journey.map_channels(|c| {
                            c.index()
                                .checked_sub(base_len)
                                .and_then(|k| remap.get(k).copied())
                                .unwrap_or(c)
                        });
                    }
                }
                if let Some(state) = states.get_mut(i) {
                    for (journey, line, index) in piece.deferred.drain(..) {
                        if let Err(e) = fold(state, &journey, &self.channels) {
                            let earlier = piece.error.as_ref().is_none_or(|(_, l, _)| line < *l);
                            if earlier {
                                piece.error = Some((PieceError::Fold(e), line, index));
                            }
                            break;
                        }
                    }
                }
                if let Some((error, line, index)) = piece.error {
                    let error = match error {
                        PieceError::Read(e) => FoldError::Read(shift_line(e, newlines)),
                        PieceError::Fold(error) => FoldError::Fold {
                            error,
                            line: line + newlines,
                            journey: journeys_before + index,
                        },
                    };
                    first_error = Some((error, 0));
                    break;
                }
                journeys_before += piece.report.journeys();
                report.append(piece.report, newlines);
                newlines += piece.newlines;
                consumed += piece.consumed;
                if piece.partial && i + 1 < nspans {
                    return Err(FoldError::Read(ReadError::new(ReadErrorKind::Io(
                        "internal: a block did not end on a record boundary".to_owned(),
                    ))));
                }
            }
            for worker in &mut workers {
                worker.cache.forget_from(base_len);
            }
            if let Some((error, _)) = first_error {
                return Err(error);
            }
            self.position.lines = newlines;
            if let Some(last_byte) = consumed.checked_sub(1).and_then(|i| data.get(i)) {
                self.position.after_cr = *last_byte == b'\r';
            }
            pos += consumed;
            first_round = false;
            if io_failure.is_some() {
                break;
            }
            // No complete record in the round: read more before cutting.
            want = if consumed == 0 {
                (self.buf.len() - pos).saturating_mul(2).max(want)
            } else {
                self.block_size
            };
            if last && pos >= self.buf.len() {
                break;
            }
        }
        if let Some(e) = io_failure {
            return Err(FoldError::Read(
                io_error(e).at_line(self.position.lines + 1),
            ));
        }
        let mut states = states.into_iter();
        let Some(mut state) = states.next() else {
            return Err(FoldError::Read(ReadError::new(ReadErrorKind::Io(
                "internal: no worker state".to_owned(),
            ))));
        };
        for other in states {
            merge(&mut state, other);
        }
        Ok(Folded {
            state,
            channels: self.channels,
            report,
        })
    }

    /// Reads until `buf` holds at least `want` bytes or the input ends.
    fn fill(&mut self, want: usize) -> std::io::Result<()> {
        while self.buf.len() < want && !self.eof {
            let len = self.buf.len();
            let chunk = (want - len).max(64 * 1024);
            self.buf.resize(len + chunk, 0);
            let n = loop {
                match self.rdr.read(self.buf.get_mut(len..).unwrap_or_default()) {
                    Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                    Err(e) => {
                        self.buf.truncate(len);
                        return Err(e);
                    }
                    Ok(n) => break n.min(chunk),
                }
            };
            self.buf.truncate(len + n);
            self.eof = n == 0;
        }
        Ok(())
    }
}

/// Starts a worker of [`ParallelReader::fold`] on `scope`; an error when
/// the system cannot start a thread.
fn spawn_worker<'scope, 'env, T: Send + 'scope>(
    scope: &'scope thread::Scope<'scope, 'env>,
    work: impl FnOnce() -> T + Send + 'scope,
) -> std::io::Result<thread::ScopedJoinHandle<'scope, T>> {
    #[cfg(test)]
    if tests::FAIL_SPAWN.with(std::cell::Cell::get) {
        return Err(std::io::Error::other("no thread for this test"));
    }
    thread::Builder::new().spawn_scoped(scope, work)
}

/// Cuts `data` into at most `pieces` spans of about equal size, each but
/// the last ending just after a line end (never between the `\r` and the
/// `\n` of a `\r\n`).
fn split(data: &[u8], pieces: usize) -> Vec<&[u8]> {
    let mut spans = Vec::with_capacity(pieces);
    let target = data.len() / pieces.max(1);
    let mut rest = data;
    for _ in 1..pieces {
        let Some(tail) = rest.get(target.min(rest.len())..) else {
            break;
        };
        let Some(at) = memchr::memchr2(b'\n', b'\r', tail) else {
            break;
        };
        let end = match (tail.get(at), tail.get(at + 1)) {
            (Some(b'\r'), Some(b'\n')) => at + 2,
            // A `\r` at the very end may be the first half of a `\r\n`.
            (Some(b'\r'), None) => break,
            _ => at + 1,
        };
        let cut = rest.len() - tail.len() + end;
        let (head, tail) = rest.split_at(cut.min(rest.len()));
        spans.push(head);
        rest = tail;
    }
    spans.push(rest);
    spans
}

/// The global ids of `local`'s channels from `base_len` on, adding the new
/// ones to `global` in `local`'s order.
fn remap(
    global: &mut Channels,
    local: &Channels,
    base_len: usize,
) -> Result<Vec<ChannelId>, ReadError> {
    local
        .iter()
        .skip(base_len)
        .map(|(_, name)| {
            global
                .intern(name)
                .map_err(|e| ReadError::new(ReadErrorKind::Channel(e)))
        })
        .collect()
}

/// What a worker keeps from round to round.
struct Worker {
    parser: RowParser,
    cache: InternCache,
    journey: Option<Journey>,
}

/// One piece's settings.
struct Piece<'a> {
    delimiter: u8,
    last: bool,
    /// Whether the byte before the piece is a `\r`.
    after_cr: bool,
    lenient: bool,
    /// The round's first piece: its local ids are final.
    first: bool,
    /// The table at the start of the round.
    base: &'a Channels,
}

enum PieceError<E> {
    Read(ReadError),
    Fold(E),
}

/// A parsed piece, with lines counted from 1 at its start and journey
/// positions from 0.
struct PieceResult<E> {
    table: Channels,
    report: ReadReport,
    /// Journeys using channels new to this piece, with line and position.
    deferred: Vec<(Journey, u64, u64)>,
    /// The piece's first error, with its line and journey position.
    error: Option<(PieceError<E>, u64, u64)>,
    /// Bytes of complete records, and the line ends among them.
    consumed: usize,
    newlines: u64,
    partial: bool,
}

impl Worker {
    fn run<S, E, F>(
        &mut self,
        span: &[u8],
        piece: &Piece<'_>,
        state: &mut S,
        fold: &F,
    ) -> PieceResult<E>
    where
        F: Fn(&mut S, &Journey, &Channels) -> Result<(), E>,
    {
        let mut table = piece.base.clone();
        let base_len = table.len();
        let mut report = ReadReport::default();
        let mut deferred = Vec::new();
        let mut error = None;
        let mut records = SliceRecords::new(span, piece.delimiter, piece.last, piece.after_cr);
        loop {
            match records.read_record() {
                Next::Record => {}
                Next::OpenQuote(open) => {
                    report.count_row();
                    let e = self.parser.open_quote_error(&open);
                    if piece.lenient {
                        report.reject(e);
                        continue;
                    }
                    error = Some((PieceError::Read(e), open.line, 0));
                    break;
                }
                Next::End => break,
            }
            report.count_row();
            let line = records.line();
            let out = match &mut self.journey {
                Some(journey) => Out::Refill(journey),
                None => Out::New(&mut self.journey),
            };
            let known = table.len();
            let parsed =
                self.parser
                    .parse(records.record(), line, &mut table, &mut self.cache, out);
            report.note_channels(table.len().saturating_sub(known), line);
            match (parsed, &self.journey) {
                (Ok(()), Some(journey)) => {
                    let index = report.journeys();
                    report.count_journey();
                    if piece.first || journey.channels().all(|c| c.index() < base_len) {
                        let channels = if piece.first { &table } else { piece.base };
                        if let Err(e) = fold(state, journey, channels) {
                            error = Some((PieceError::Fold(e), line, index));
                            break;
                        }
                    } else {
                        deferred.push((journey.clone(), line, index));
                    }
                }
                (Ok(()), None) => {}
                (Err(e), _) if piece.lenient => report.reject(e),
                (Err(e), _) => {
                    error = Some((PieceError::Read(e), line, 0));
                    break;
                }
            }
        }
        let (consumed, partial) = match records.end() {
            Some(SliceEnd::Partial(at)) => (at, true),
            _ => (span.len(), false),
        };
        PieceResult {
            table,
            report,
            deferred,
            error,
            consumed,
            newlines: records.complete_lines(),
            partial,
        }
    }
}

#[cfg(test)]
mod tests {
    use std::cell::Cell;

    use super::*;
    use crate::io::{ReaderBuilder, Shape};

    /// A fold that counts journeys.
    fn count<E>(n: &mut u64, _: &Journey, _: &Channels) -> Result<(), E> {
        *n += 1;
        Ok(())
    }

    thread_local! {
        /// Makes [`spawn_worker`] fail on this thread.
        pub(super) static FAIL_SPAWN: Cell<bool> = const { Cell::new(false) };
    }

    #[test]
    fn a_thread_that_cannot_start_is_an_error() {
        let mut csv = String::from("path,total_conversions,total_null\n");
        // More than the first round, which is read as one piece.
        for _ in 0..10_000 {
            csv.push_str("A > B,1,0\n");
        }
        let mut builder = ReaderBuilder::new(Shape::Paths);
        builder.threads(2).block_size(64);
        FAIL_SPAWN.with(|f| f.set(true));
        let result = builder
            .parallel_from_reader(csv.as_bytes())
            .map(|r| r.fold(|| 0u64, count::<String>, |a, b| *a += b));
        FAIL_SPAWN.with(|f| f.set(false));
        let err = result.unwrap().unwrap_err();
        assert_eq!(err, FoldError::Thread("no thread for this test".to_owned()));
        assert_eq!(
            err.to_string(),
            "cannot start a reading thread: no thread for this test"
        );
    }

    /// A reader that remembers the largest read asked of it.
    struct Spy<'a> {
        data: &'a [u8],
        largest_request: &'a Cell<usize>,
    }

    impl Read for Spy<'_> {
        fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
            self.largest_request
                .set(self.largest_request.get().max(buf.len()));
            self.data.read(buf)
        }
    }

    #[test]
    fn threads_are_capped_and_memory_does_not_grow_with_them() {
        let mut csv = String::from("path,total_conversions,total_null\n");
        for i in 0..40_000 {
            csv.push_str(&format!("A > ch{},1,0\n", i % 7));
        }
        let block = 128 * 1024;
        let largest_request = Cell::new(0);
        let spy = Spy {
            data: csv.as_bytes(),
            largest_request: &largest_request,
        };
        let mut builder = ReaderBuilder::new(Shape::Paths);
        builder.threads(100_000).block_size(block);
        let reader = builder.parallel_from_reader(spy).unwrap();
        assert_eq!(reader.threads(), ParallelReader::<Spy<'_>>::MAX_THREADS);
        let folded = reader.fold(|| 0u64, count::<()>, |a, b| *a += b).unwrap();
        assert_eq!(folded.state, 40_000);
        assert_eq!(folded.channels.len(), 8);
        // The buffer grows to one round, not one round per thread.
        assert!(csv.len() > 2 * block);
        assert!(largest_request.get() <= block, "{}", largest_request.get());
    }
}
