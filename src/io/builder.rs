//! [`ReaderBuilder`]: configures and opens a [`JourneyReader`].

use std::collections::BTreeMap;
use std::fs::File;
use std::io::Read;
use std::path::Path;

use crate::channel::Channels;
use crate::error::{ReadError, ReadErrorKind};
use crate::io::header::{Header, Rules, Wanted};
use crate::io::options::{InputOptions, input_setters, open_file};
use crate::io::parallel::ParallelReader;
use crate::io::reader::JourneyReader;
use crate::io::row::RowParser;
use crate::io::shape::{Column, ColumnSpec, Shape};
use crate::io::timestamp::TimeParser;

/// The default bytes per round of [`ReaderBuilder::parallel_from_reader`].
const DEFAULT_BLOCK_SIZE: usize = 16 << 20;

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
    shape: Shape,
    separator: String,
    names: BTreeMap<Column, String>,
    channels: Channels,
    threads: usize,
    block_size: usize,
    input: InputOptions,
}

impl ReaderBuilder {
    /// A builder for `shape` with the defaults above.
    #[must_use]
    pub fn new(shape: Shape) -> Self {
        Self {
            shape,
            separator: ">".to_owned(),
            names: BTreeMap::new(),
            channels: Channels::new(),
            threads: 0,
            block_size: DEFAULT_BLOCK_SIZE,
            input: InputOptions::default(),
        }
    }

    input_setters!();

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

    /// Opens a [`ParallelReader`] over `rdr` and reads its header.
    ///
    /// # Errors
    ///
    /// As [`ReaderBuilder::from_reader`].
    pub fn parallel_from_reader<R: Read>(&self, rdr: R) -> Result<ParallelReader<R>, ReadError> {
        let reader = self.open(self.validate()?, rdr)?;
        Ok(ParallelReader::new(reader, self.threads, self.block_size))
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
        self.open(self.validate()?, rdr)
    }

    /// Opens the file at `path` (see [`ReaderBuilder::from_reader`]).
    ///
    /// # Errors
    ///
    /// As [`ReaderBuilder::from_reader`]; [`ReadErrorKind::Io`] names the
    /// path when the file cannot be opened.
    pub fn from_path(&self, path: impl AsRef<Path>) -> Result<JourneyReader<File>, ReadError> {
        let time = self.validate()?;
        self.open(time, open_file(path.as_ref())?)
    }

    /// Reads the header of `rdr` and matches it to the shape's columns.
    fn open<R: Read>(&self, time: TimeParser, rdr: R) -> Result<JourneyReader<R>, ReadError> {
        let mut records = self.input.records(rdr)?;
        let header = Header::read(&mut records, Rules::journeys(self.shape.name()))?;
        let specs = self.shape.columns();
        let wanted: Vec<Wanted<'_>> = specs
            .iter()
            .map(|spec| Wanted {
                name: self.name_of(spec),
                required: spec.required,
            })
            .collect();
        let found = header.resolve(&wanted, self.input.ignore_unknown_columns)?;
        let mut index = [None; Column::COUNT];
        for (spec, field) in specs.iter().zip(found) {
            if let Some(slot) = index.get_mut(spec.role.index()) {
                *slot = field;
            }
        }
        let parser = RowParser::new(
            self.shape,
            header.into_names(),
            index,
            &self.separator,
            time,
            self.input.decimal_comma_in(records.delimiter()),
        );
        Ok(JourneyReader::new(
            records,
            parser,
            self.input.lenient,
            self.channels.clone(),
        ))
    }

    /// The header name of `spec`'s column under this configuration.
    fn name_of(&self, spec: &ColumnSpec) -> &str {
        self.names.get(&spec.role).map_or(spec.name, String::as_str)
    }

    /// Checks the configuration; returns the timestamp parser.
    fn validate(&self) -> Result<TimeParser, ReadError> {
        let config = |msg: String| Err(ReadError::new(ReadErrorKind::Config(msg)));
        if self.separator.is_empty() {
            return config("the path separator is empty".to_owned());
        }
        let time = self.input.validate()?;
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
        Ok(time)
    }
}
