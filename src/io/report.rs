//! What a read did: rows, journeys, rejections.

use std::collections::BTreeMap;
use std::fmt;

use crate::channel::ChannelId;
use crate::error::ReadError;

/// A summary of a read: how many data rows were read, how many journeys they
/// gave and, in lenient mode, how many rows were rejected and why.
///
/// Rejections are counted per [`ReadErrorKind::reason`](crate::ReadErrorKind::reason);
/// the first [`ReadReport::MAX_EXAMPLES`] rejected rows are kept with their
/// full error (line, column, text) so that they can be shown to a person, and
/// the lines of the first [`ReadReport::MAX_LINES`] in
/// [`ReadReport::rejected_lines`]. A record whose quoted field does not close
/// on its line is one rejected row (`unterminated_quote`) at the line where
/// the quote opened; reading resumes at the next line.
///
/// # Example
///
/// ```
/// use attribution::io::{ReaderBuilder, Shape};
///
/// let csv = "path,total_conversions,total_null\nA > B,1,0\nA,1.5,0\n,1,0\nB,2,3\n";
/// let (set, report) = ReaderBuilder::new(Shape::Paths)
///     .lenient(true)
///     .from_reader(csv.as_bytes())?
///     .read_all()?;
/// assert_eq!(set.len(), 2);
/// assert_eq!((report.rows(), report.journeys(), report.rejected()), (4, 2, 2));
/// assert_eq!(report.rejected_for("fractional_count"), 1);
/// assert_eq!(report.rejected_for("empty_path"), 1);
/// assert_eq!(report.examples()[0].line(), Some(3));
/// assert_eq!(report.rejected_lines(), [3, 4]);
/// assert_eq!(
///     report.to_string(),
///     "4 rows read, 2 journeys, 2 rejected (empty_path: 1, fractional_count: 1) on lines 3, 4"
/// );
/// # Ok::<(), attribution::ReadError>(())
/// ```
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ReadReport {
    rows: u64,
    journeys: u64,
    rejected: BTreeMap<&'static str, u64>,
    examples: Vec<ReadError>,
    lines: Vec<u64>,
    /// The table's length when the read started, and the line on which each
    /// channel added since first appeared (in id order).
    channel_base: usize,
    channel_lines: Vec<u64>,
}

impl ReadReport {
    /// How many rejected rows keep their full error in [`ReadReport::examples`].
    pub const MAX_EXAMPLES: usize = 10;

    /// How many rejected rows keep their line in [`ReadReport::rejected_lines`].
    pub const MAX_LINES: usize = 20;

    /// Data rows read (the header is not counted), accepted or not.
    #[must_use]
    pub fn rows(&self) -> u64 {
        self.rows
    }

    /// Journeys produced.
    #[must_use]
    pub fn journeys(&self) -> u64 {
        self.journeys
    }

    /// Rows rejected (lenient mode), all reasons together.
    #[must_use]
    pub fn rejected(&self) -> u64 {
        self.rejected.values().sum()
    }

    /// Rows rejected for `reason` (a [`ReadErrorKind::reason`](crate::ReadErrorKind::reason)).
    #[must_use]
    pub fn rejected_for(&self, reason: &str) -> u64 {
        self.rejected.get(reason).copied().unwrap_or(0)
    }

    /// Rejections per reason, sorted by reason.
    pub fn rejections(&self) -> impl Iterator<Item = (&'static str, u64)> + '_ {
        self.rejected.iter().map(|(&r, &n)| (r, n))
    }

    /// The errors of the first rejected rows, in input order.
    #[must_use]
    pub fn examples(&self) -> &[ReadError] {
        &self.examples
    }

    /// The lines of the first [`ReadReport::MAX_LINES`] rejected rows, in
    /// input order ([`ReadReport::rejected`] counts them all).
    #[must_use]
    pub fn rejected_lines(&self) -> &[u64] {
        &self.lines
    }

    /// The line on which `channel` first appeared, for a channel this read
    /// added to the table (`None` for one the table held before, e.g. from
    /// [`ReaderBuilder::channels`](crate::io::ReaderBuilder::channels)). With
    /// [`Channels::confusable_groups`](crate::Channels::confusable_groups) it
    /// points a person at the row that introduced a look-alike spelling.
    ///
    /// ```
    /// use attribution::io::{ReaderBuilder, Shape};
    ///
    /// let csv = "path,total_conversions,total_null\nEmail,1,0\nEmail > E\u{200b}mail,1,0\n";
    /// let (set, report) = ReaderBuilder::new(Shape::Paths).from_reader(csv.as_bytes())?.read_all()?;
    /// let groups = set.channels().confusable_groups();
    /// assert_eq!(groups.len(), 1);
    /// assert_eq!(report.first_line(groups[0][1]), Some(3));
    /// # Ok::<(), attribution::ReadError>(())
    /// ```
    #[must_use]
    pub fn first_line(&self, channel: ChannelId) -> Option<u64> {
        let i = channel.index().checked_sub(self.channel_base)?;
        self.channel_lines.get(i).copied()
    }

    /// Starts the channel lines at a table of `len` channels.
    pub(crate) fn set_channel_base(&mut self, len: usize) {
        self.channel_base = len;
    }

    /// Records that the row on `line` added `added` channels to the table.
    pub(crate) fn note_channels(&mut self, added: usize, line: u64) {
        self.channel_lines.extend(std::iter::repeat_n(line, added));
    }

    /// Records the first lines of channels added next, in id order.
    pub(crate) fn note_channel_lines(&mut self, lines: impl Iterator<Item = u64>) {
        self.channel_lines.extend(lines);
    }

    /// Rejected rows per reason.
    pub(crate) fn rejected_per_reason(&self) -> &BTreeMap<&'static str, u64> {
        &self.rejected
    }

    /// The lines of the channels this read added, in id order (moved out).
    pub(crate) fn take_channel_lines(&mut self) -> Vec<u64> {
        std::mem::take(&mut self.channel_lines)
    }

    pub(crate) fn count_row(&mut self) {
        self.rows += 1;
    }

    pub(crate) fn count_journey(&mut self) {
        self.journeys += 1;
    }

    /// Adds the report of the rows that follow this one's, whose lines were
    /// counted from `line_offset + 1`. Channel lines are not merged: the
    /// caller knows which of `other`'s channels are new.
    pub(crate) fn append(&mut self, other: ReadReport, line_offset: u64) {
        self.rows += other.rows;
        self.journeys += other.journeys;
        for (reason, n) in other.rejected {
            *self.rejected.entry(reason).or_insert(0) += n;
        }
        for error in other.examples {
            if self.examples.len() >= Self::MAX_EXAMPLES {
                break;
            }
            self.examples.push(shift_line(error, line_offset));
        }
        let room = Self::MAX_LINES.saturating_sub(self.lines.len());
        self.lines
            .extend(other.lines.into_iter().take(room).map(|l| l + line_offset));
    }

    pub(crate) fn reject(&mut self, error: ReadError) {
        *self.rejected.entry(error.kind().reason()).or_insert(0) += 1;
        if let Some(line) = error.line() {
            if self.lines.len() < Self::MAX_LINES {
                self.lines.push(line);
            }
        }
        if self.examples.len() < Self::MAX_EXAMPLES {
            self.examples.push(error);
        }
    }
}

impl fmt::Display for ReadReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} rows read, {} journeys, {} rejected",
            self.rows,
            self.journeys,
            self.rejected()
        )?;
        if !self.rejected.is_empty() {
            f.write_str(" (")?;
            for (i, (reason, n)) in self.rejections().enumerate() {
                if i > 0 {
                    f.write_str(", ")?;
                }
                write!(f, "{reason}: {n}")?;
            }
            f.write_str(")")?;
        }
        write_lines(f, &self.lines, self.rejected())
    }
}

/// Writes ` on lines 3, 5` (or ` on line 3`), with ` and N more` when `total`
/// exceeds the lines listed; nothing when `lines` is empty.
pub(crate) fn write_lines(f: &mut fmt::Formatter<'_>, lines: &[u64], total: u64) -> fmt::Result {
    let Some((first, rest)) = lines.split_first() else {
        return Ok(());
    };
    let plural = if rest.is_empty() { "" } else { "s" };
    write!(f, " on line{plural} {first}")?;
    for line in rest {
        write!(f, ", {line}")?;
    }
    let more = total.saturating_sub(lines.len() as u64);
    if more > 0 {
        write!(f, " and {more} more")?;
    }
    Ok(())
}

/// `error` with its line moved down by `offset`.
pub(crate) fn shift_line(error: ReadError, offset: u64) -> ReadError {
    match error.line() {
        Some(line) => error.at_line(line + offset),
        None => error,
    }
}
