//! [`ReaderBuilder`]: configures and opens a [`JourneyReader`].

use std::collections::BTreeMap;
use std::fs::File;
use std::io::Read;
use std::path::Path;

use crate::channel::Channels;
use crate::error::{ReadError, ReadErrorKind};
use crate::io::parallel::ParallelReader;
use crate::io::reader::JourneyReader;

/// The default bytes per round of [`ReaderBuilder::parallel_from_reader`].
const DEFAULT_BLOCK_SIZE: usize = 16 << 20;
use crate::io::shape::{Column, ColumnSpec, Shape};
use crate::io::time_format::TimeFormat;
use crate::io::timestamp::TimeParser;
use crate::io::timezone::Timezone;

/// Configures a CSV reader for one input [`Shape`], in the style of
/// `csv::ReaderBuilder`: setters take and return `&mut Self`, the builder is
/// reusable, and [`ReaderBuilder::from_reader`] / [`ReaderBuilder::from_path`]
/// open a [`JourneyReader`].
///
/// Defaults: delimiter auto-detected from the header line among `,` `;` and
/// tab; path separator `>`; the shape's default column names; strict mode
/// (the first bad row is an error); unknown columns are an error; an empty
/// channel table; timestamps detected per value, zone-less ones in UTC;
/// decimal commas read in `;`-delimited files only.
///
/// # Example
///
/// ```
/// use attribution::io::{Column, ReaderBuilder, Shape};
///
/// let csv = "conv;route;nulls\n2;Search -> Email;1\n";
/// let mut builder = ReaderBuilder::new(Shape::Paths);
/// builder
///     .separator("->")
///     .column(Column::Path, "route")
///     .column(Column::Conversions, "conv")
///     .column(Column::Nulls, "nulls");
/// let (set, _report) = builder.from_reader(csv.as_bytes())?.read_all()?;
/// let journey = &set.journeys()[0];
/// assert_eq!((journey.len(), journey.conversions(), journey.non_conversions()), (2, 2, 1));
/// assert_eq!(set.channels().iter().map(|(_, n)| n).collect::<Vec<_>>(), ["Search", "Email"]);
/// # Ok::<(), attribution::ReadError>(())
/// ```
#[derive(Debug, Clone)]
pub struct ReaderBuilder {
    pub(crate) shape: Shape,
    pub(crate) delimiter: Option<u8>,
    pub(crate) separator: String,
    pub(crate) names: BTreeMap<Column, String>,
    pub(crate) lenient: bool,
    pub(crate) ignore_unknown_columns: bool,
    pub(crate) channels: Channels,
    pub(crate) threads: usize,
    pub(crate) block_size: usize,
    pub(crate) time_format: TimeFormat,
    pub(crate) timezone: Timezone,
    pub(crate) decimal_comma: bool,
}

impl ReaderBuilder {
    /// A builder for `shape` with the defaults above.
    #[must_use]
    pub fn new(shape: Shape) -> Self {
        Self {
            shape,
            delimiter: None,
            separator: ">".to_owned(),
            names: BTreeMap::new(),
            lenient: false,
            ignore_unknown_columns: false,
            channels: Channels::new(),
            threads: 0,
            block_size: DEFAULT_BLOCK_SIZE,
            time_format: TimeFormat::Auto,
            timezone: Timezone::utc(),
            decimal_comma: false,
        }
    }

    /// The field delimiter; `None` (the default) detects it from the header
    /// line: whichever of `,` `;` and tab occurs most often outside quotes
    /// (`,` when none does).
    ///
    /// ```
    /// use attribution::io::{ReaderBuilder, Shape};
    ///
    /// let tsv = "path\ttotal_conversions\ttotal_null\nA > B\t1\t0\n";
    /// let set = ReaderBuilder::new(Shape::Paths).from_reader(tsv.as_bytes())?.read_all()?.0;
    /// assert_eq!(set.total_conversions(), 1);
    /// let set = ReaderBuilder::new(Shape::Paths)
    ///     .delimiter(Some(b'\t'))
    ///     .from_reader(tsv.as_bytes())?
    ///     .read_all()?
    ///     .0;
    /// assert_eq!(set.len(), 1);
    /// # Ok::<(), attribution::ReadError>(())
    /// ```
    pub fn delimiter(&mut self, delimiter: Option<u8>) -> &mut Self {
        self.delimiter = delimiter;
        self
    }

    /// The string that separates touches in the path column (and timestamps
    /// in the touch-times column); default `>`. Any non-empty string; tokens
    /// are trimmed and empty tokens dropped, so `" > "` and `">"` read the
    /// same paths.
    ///
    /// ```
    /// use attribution::io::{ReaderBuilder, Shape};
    ///
    /// let csv = "path,total_conversions,total_null\nA | B | | C,1,0\n";
    /// let set = ReaderBuilder::new(Shape::Paths)
    ///     .separator("|")
    ///     .from_reader(csv.as_bytes())?
    ///     .read_all()?
    ///     .0;
    /// assert_eq!(set.journeys()[0].len(), 3);
    /// # Ok::<(), attribution::ReadError>(())
    /// ```
    pub fn separator(&mut self, separator: &str) -> &mut Self {
        separator.clone_into(&mut self.separator);
        self
    }

    /// Reads the column with role `role` from the header name `name` instead
    /// of its default name (see [`Column`]). A role the shape does not have
    /// is a configuration error when the reader is opened.
    ///
    /// ```
    /// use attribution::io::{Column, ReaderBuilder, Shape};
    ///
    /// let csv = "id,channels,sale\nu1,A > B,true\n";
    /// let set = ReaderBuilder::new(Shape::Journeys)
    ///     .column(Column::JourneyId, "id")
    ///     .column(Column::Path, "channels")
    ///     .column(Column::Conversions, "sale")
    ///     .from_reader(csv.as_bytes())?
    ///     .read_all()?
    ///     .0;
    /// assert_eq!(set.journeys()[0].id(), Some("u1"));
    /// assert_eq!(set.journeys()[0].conversions(), 1);
    /// # Ok::<(), attribution::ReadError>(())
    /// ```
    pub fn column(&mut self, role: Column, name: &str) -> &mut Self {
        self.names.insert(role, name.trim().to_owned());
        self
    }

    /// Lenient mode: a bad data row is skipped and counted per reason in the
    /// [`ReadReport`](crate::io::ReadReport) instead of ending the read.
    /// Header errors (missing, unknown or duplicate columns, an empty file)
    /// and I/O errors stay fatal. Default `false`.
    ///
    /// ```
    /// use attribution::io::{ReaderBuilder, Shape};
    ///
    /// let csv = "path,total_conversions,total_null\nA,-1,0\nB,1,0\n";
    /// assert!(ReaderBuilder::new(Shape::Paths).from_reader(csv.as_bytes())?.read_all().is_err());
    /// let (set, report) = ReaderBuilder::new(Shape::Paths)
    ///     .lenient(true)
    ///     .from_reader(csv.as_bytes())?
    ///     .read_all()?;
    /// assert_eq!((set.len(), report.rejected_for("negative_count")), (1, 1));
    /// # Ok::<(), attribution::ReadError>(())
    /// ```
    pub fn lenient(&mut self, yes: bool) -> &mut Self {
        self.lenient = yes;
        self
    }

    /// Whether header columns the shape does not know are ignored (`true`)
    /// or an error (`false`, the default).
    ///
    /// ```
    /// use attribution::io::{ReaderBuilder, Shape};
    ///
    /// let csv = "path,total_conversions,total_null,campaign\nA,1,0,x\n";
    /// assert!(ReaderBuilder::new(Shape::Paths).from_reader(csv.as_bytes()).is_err());
    /// let set = ReaderBuilder::new(Shape::Paths)
    ///     .ignore_unknown_columns(true)
    ///     .from_reader(csv.as_bytes())?
    ///     .read_all()?
    ///     .0;
    /// assert_eq!(set.len(), 1);
    /// # Ok::<(), attribution::ReadError>(())
    /// ```
    pub fn ignore_unknown_columns(&mut self, yes: bool) -> &mut Self {
        self.ignore_unknown_columns = yes;
        self
    }

    /// Starts from an existing channel table: its channels keep their ids and
    /// new ones are appended in order of first appearance.
    ///
    /// ```
    /// use attribution::io::{ReaderBuilder, Shape};
    /// use attribution::Channels;
    ///
    /// let mut table = Channels::new();
    /// table.intern("Email")?;
    /// let csv = "path,total_conversions,total_null\nPPC > Email,1,0\n";
    /// let set = ReaderBuilder::new(Shape::Paths)
    ///     .channels(table)
    ///     .from_reader(csv.as_bytes())?
    ///     .read_all()?
    ///     .0;
    /// assert_eq!(set.channels().iter().map(|(_, n)| n).collect::<Vec<_>>(), ["Email", "PPC"]);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn channels(&mut self, table: Channels) -> &mut Self {
        self.channels = table;
        self
    }

    /// The number of threads of [`ReaderBuilder::parallel_from_reader`];
    /// `0` (the default) uses every core. At most
    /// [`ParallelReader::MAX_THREADS`] are used. Memory for the input does
    /// not grow with the number of threads (see
    /// [`block_size`](Self::block_size)); each thread keeps a fold state.
    ///
    /// ```
    /// use attribution::io::{ReaderBuilder, Shape};
    ///
    /// let csv = "path,total_conversions,total_null\nA,1,0\n";
    /// let reader = ReaderBuilder::new(Shape::Paths).threads(3).parallel_from_reader(csv.as_bytes())?;
    /// assert_eq!(reader.threads(), 3);
    /// # Ok::<(), attribution::ReadError>(())
    /// ```
    pub fn threads(&mut self, threads: usize) -> &mut Self {
        self.threads = threads;
        self
    }

    /// The bytes of input [`ReaderBuilder::parallel_from_reader`] parses per
    /// round, cut into one piece per thread (default 16 MiB; at least 1).
    /// Memory holds about `block_size` bytes of input (more only while a
    /// single record is longer), whatever the number of threads; small
    /// blocks are for tests.
    ///
    /// ```
    /// use attribution::io::{ReaderBuilder, Shape};
    ///
    /// let csv = "path,total_conversions,total_null\nA,1,0\nB,0,1\n";
    /// let folded = ReaderBuilder::new(Shape::Paths)
    ///     .threads(2)
    ///     .block_size(4)
    ///     .parallel_from_reader(csv.as_bytes())?
    ///     .fold(|| 0, |n, _, _| Ok::<(), ()>(*n += 1), |a, b| *a += b)
    ///     .unwrap();
    /// assert_eq!(folded.state, 2);
    /// # Ok::<(), attribution::ReadError>(())
    /// ```
    pub fn block_size(&mut self, bytes: usize) -> &mut Self {
        self.block_size = bytes.max(1);
        self
    }

    /// How the `touch_times` and `conversion_time` columns write
    /// timestamps (default [`TimeFormat::Auto`]: detected per value; see
    /// [`TimeFormat`] for the rules). An invalid strftime layout is a
    /// configuration error when the reader is opened.
    ///
    /// ```
    /// use attribution::io::{ReaderBuilder, Shape, TimeFormat};
    ///
    /// let csv = "journey_id,path,converted,touch_times\nJ,A > B,1,01/03/2024 09:00 > 02/03/2024 09:00\n";
    /// let set = ReaderBuilder::new(Shape::Journeys)
    ///     .time_format("%d/%m/%Y %H:%M".parse()?)
    ///     .from_reader(csv.as_bytes())?
    ///     .read_all()?
    ///     .0;
    /// let times: Vec<_> = set.journeys()[0].touches().iter().map(|t| t.time.unwrap().to_rfc3339()).collect();
    /// assert_eq!(times, ["2024-03-01T09:00:00+00:00", "2024-03-02T09:00:00+00:00"]);
    ///
    /// // By default each value is detected: Unix milliseconds, a date-time without zone.
    /// let csv = "journey_id,path,converted,touch_times\nJ,A > B,1,1709283600000 > 2024-03-02 09:00\n";
    /// let set = ReaderBuilder::new(Shape::Journeys).from_reader(csv.as_bytes())?.read_all()?.0;
    /// assert_eq!(set.journeys()[0].touches()[0].time.unwrap().to_rfc3339(), "2024-03-01T09:00:00+00:00");
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn time_format(&mut self, format: TimeFormat) -> &mut Self {
        self.time_format = format;
        self
    }

    /// The time zone of timestamps written without a zone or offset
    /// (default UTC); see [`Timezone`].
    ///
    /// ```
    /// use attribution::io::{ReaderBuilder, Shape};
    ///
    /// let csv = "journey_id,path,converted,conversion_time\nJ,A,1,2024-03-01 10:00\n";
    /// let set = ReaderBuilder::new(Shape::Journeys)
    ///     .timezone("+01:00".parse()?)
    ///     .from_reader(csv.as_bytes())?
    ///     .read_all()?
    ///     .0;
    /// assert_eq!(set.journeys()[0].conversion_time().unwrap().to_rfc3339(), "2024-03-01T09:00:00+00:00");
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn timezone(&mut self, zone: Timezone) -> &mut Self {
        self.timezone = zone;
        self
    }

    /// Read numbers with a decimal comma (`120,50`) in the value and count
    /// columns (default `false`). A number with a decimal comma is
    /// `[+-]?digits,digits`; its comma reads as a point, so `120,50` is
    /// 120.5 and the count `3,0` is 3 (`1,5` is still a fractional count).
    /// Numbers with a point are read either way. Files delimited by `;` read
    /// decimal commas whatever this setting, since there a comma cannot be a
    /// field separator. When it is off and a number with a decimal comma
    /// fails to parse, the error carries [`ReadHint::DecimalComma`](crate::ReadHint).
    ///
    /// ```
    /// use attribution::io::{ReaderBuilder, Shape};
    ///
    /// let tsv = "path\ttotal_conversions\ttotal_null\ttotal_conversion_value\nA\t2\t0\t120,50\n";
    /// assert!(ReaderBuilder::new(Shape::Paths).from_reader(tsv.as_bytes())?.read_all().is_err());
    /// let set = ReaderBuilder::new(Shape::Paths)
    ///     .decimal_comma(true)
    ///     .from_reader(tsv.as_bytes())?
    ///     .read_all()?
    ///     .0;
    /// assert_eq!(set.total_value(), 120.5);
    ///
    /// // Detected in a `;`-delimited file.
    /// let csv = "path;total_conversions;total_null;total_conversion_value\nA;2;0;120,50\n";
    /// let set = ReaderBuilder::new(Shape::Paths).from_reader(csv.as_bytes())?.read_all()?.0;
    /// assert_eq!(set.total_value(), 120.5);
    /// # Ok::<(), attribution::ReadError>(())
    /// ```
    pub fn decimal_comma(&mut self, yes: bool) -> &mut Self {
        self.decimal_comma = yes;
        self
    }

    /// The timestamp parser of this configuration.
    pub(crate) fn time_parser(&self) -> Result<TimeParser, ReadError> {
        TimeParser::new(&self.time_format, self.timezone)
            .map_err(|e| ReadError::new(ReadErrorKind::Config(e.to_string())))
    }

    /// Opens a [`ParallelReader`] over `rdr` and reads its header.
    ///
    /// # Errors
    ///
    /// As [`ReaderBuilder::from_reader`].
    pub fn parallel_from_reader<R: Read>(&self, rdr: R) -> Result<ParallelReader<R>, ReadError> {
        self.validate()?;
        ParallelReader::new(self, rdr)
    }

    /// Opens a reader over `rdr` and reads its header.
    ///
    /// `rdr` need not be buffered: the reader keeps its own buffer.
    ///
    /// # Errors
    ///
    /// [`ReadErrorKind::Config`] for an invalid configuration (empty
    /// separator, a delimiter that is not a single ASCII byte other than `"`,
    /// `\r` and `\n`, a renamed role the shape does not have, two roles with
    /// one name, an invalid strftime layout); [`ReadErrorKind::EmptyFile`]; header errors
    /// ([`ReadErrorKind::MissingColumn`], [`ReadErrorKind::UnknownColumn`],
    /// [`ReadErrorKind::DuplicateColumn`], [`ReadErrorKind::InvalidUtf8`]) on
    /// line 1; [`ReadErrorKind::Io`].
    pub fn from_reader<R: Read>(&self, rdr: R) -> Result<JourneyReader<R>, ReadError> {
        self.validate()?;
        JourneyReader::new(self, rdr)
    }

    /// Opens the file at `path` (see [`ReaderBuilder::from_reader`]).
    ///
    /// # Errors
    ///
    /// As [`ReaderBuilder::from_reader`]; [`ReadErrorKind::Io`] names the
    /// path when the file cannot be opened.
    pub fn from_path(&self, path: impl AsRef<Path>) -> Result<JourneyReader<File>, ReadError> {
        let path = path.as_ref();
        self.validate()?;
        let file = File::open(path)
            .map_err(|e| ReadError::new(ReadErrorKind::Io(format!("{}: {e}", path.display()))))?;
        JourneyReader::new(self, file)
    }

    /// The header name of `spec`'s column under this configuration.
    pub(crate) fn name_of(&self, spec: &ColumnSpec) -> &str {
        self.names.get(&spec.role).map_or(spec.name, String::as_str)
    }

    fn validate(&self) -> Result<(), ReadError> {
        let config = |msg: String| Err(ReadError::new(ReadErrorKind::Config(msg)));
        if self.separator.is_empty() {
            return config("the path separator is empty".to_owned());
        }
        if let Some(d) = self.delimiter {
            if !d.is_ascii() || matches!(d, b'"' | b'\r' | b'\n') {
                return config(format!(
                    "the delimiter must be an ASCII byte other than a quote or a line break, got {:?}",
                    char::from(d)
                ));
            }
        }
        self.time_parser()?;
        let specs = self.shape.columns();
        for (role, name) in &self.names {
            if !specs.iter().any(|s| s.role == *role) {
                return config(format!(
                    "the {} shape has no {role:?} column (renamed to `{name}`)",
                    self.shape
                ));
            }
            if name.is_empty() {
                return config(format!("empty column name for {role:?}"));
            }
        }
        for (i, a) in specs.iter().enumerate() {
            for b in specs.iter().skip(i + 1) {
                if self.name_of(a) == self.name_of(b) {
                    return config(format!(
                        "columns {:?} and {:?} are both named `{}`",
                        a.role,
                        b.role,
                        self.name_of(a)
                    ));
                }
            }
        }
        Ok(())
    }
}
