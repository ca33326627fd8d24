//! [`InputOptions`]: the settings every reader shares (delimiter, timestamp
//! format and zone, decimal commas, lenient mode, unknown columns), their
//! checks, and the setters each reader builder gets from
//! [`input_setters!`](input_setters).

use std::fs::File;
use std::io::Read;
use std::path::Path;

use crate::error::{ReadError, ReadErrorKind};
use crate::io::records::{RecordReader, io_error};
use crate::io::time_format::TimeFormat;
use crate::io::timestamp::TimeParser;
use crate::io::timezone::Timezone;

/// The settings of the record layer and of field parsing that every input
/// shape shares. Each reader builder holds one as its `input` field and
/// gets its setters from [`input_setters!`](input_setters).
#[derive(Debug, Clone)]
pub(crate) struct InputOptions {
    /// The field delimiter; `None` detects it from the header line.
    pub(crate) delimiter: Option<u8>,
    /// Skip and count bad data rows instead of stopping.
    pub(crate) lenient: bool,
    /// Ignore header columns the reader does not know.
    pub(crate) ignore_unknown_columns: bool,
    /// How timestamps are written.
    pub(crate) time_format: TimeFormat,
    /// The zone of timestamps written without one.
    pub(crate) timezone: Timezone,
    /// Read decimal commas (also read in `;`-delimited files without it).
    pub(crate) decimal_comma: bool,
}

impl Default for InputOptions {
    fn default() -> Self {
        Self {
            delimiter: None,
            lenient: false,
            ignore_unknown_columns: false,
            time_format: TimeFormat::Auto,
            timezone: Timezone::utc(),
            decimal_comma: false,
        }
    }
}

impl InputOptions {
    /// Checks the options and prepares the timestamp parser.
    ///
    /// # Errors
    ///
    /// [`ReadErrorKind::Config`] for a delimiter that is not an ASCII byte
    /// other than `"`, `\r` and `\n`, or an invalid strftime layout.
    pub(crate) fn validate(&self) -> Result<TimeParser, ReadError> {
        let config = |msg: String| ReadError::new(ReadErrorKind::Config(msg));
        if let Some(d) = self.delimiter {
            if !d.is_ascii() || matches!(d, b'"' | b'\r' | b'\n') {
                return Err(config(format!(
                    "the delimiter must be an ASCII byte other than a quote or a line break, got {:?}",
                    char::from(d)
                )));
            }
        }
        TimeParser::new(&self.time_format, self.timezone).map_err(|e| config(e.to_string()))
    }

    /// The record layer over `rdr`: a UTF-8 byte order mark stripped, the
    /// delimiter given or detected from the header line.
    pub(crate) fn records<R: Read>(&self, rdr: R) -> Result<RecordReader<R>, ReadError> {
        RecordReader::new(rdr, self.delimiter).map_err(io_error)
    }

    /// Whether numbers are read with a decimal comma in a file delimited by
    /// `delimiter`: when asked for, and always in `;`-delimited files, where
    /// a comma cannot separate fields.
    pub(crate) fn decimal_comma_in(&self, delimiter: u8) -> bool {
        self.decimal_comma || delimiter == b';'
    }
}

/// Opens the input file at `path`; the error names the path.
pub(crate) fn open_file(path: &Path) -> Result<File, ReadError> {
    File::open(path)
        .map_err(|e| ReadError::new(ReadErrorKind::Io(format!("{}: {e}", path.display()))))
}

/// The setters of [`InputOptions`], written once for every reader builder:
/// expands, inside the builder's `impl`, to `delimiter`, `lenient`,
/// `ignore_unknown_columns`, `time_format`, `timezone` and `decimal_comma`,
/// which set the builder's `input` field.
macro_rules! input_setters {
    () => {
        /// The field delimiter: a `u8`, or `None` (the default) to detect it
        /// from the header line: whichever of `,` `;` and tab occurs most
        /// often outside quotes (`,` when none does). It must be an ASCII
        /// byte other than `"`, `\r` and `\n`; anything else is a
        /// configuration error when the reader is opened. A UTF-8 byte
        /// order mark before the header is stripped either way.
        ///
        /// ```
        /// use attribution::io::events::EventReaderBuilder;
        /// use attribution::io::{ReaderBuilder, Shape};
        ///
        /// let tsv = "path\ttotal_conversions\ttotal_null\nA > B\t1\t0\n";
        /// let reader = ReaderBuilder::new(Shape::Paths).from_reader(tsv.as_bytes())?;
        /// assert_eq!(reader.delimiter(), b'\t');
        /// assert_eq!(reader.read_all()?.0.total_conversions(), 1);
        ///
        /// let log = "user_id|timestamp|channel|conversion\nu1|1709283600|PPC|0\n";
        /// let event = EventReaderBuilder::new()
        ///     .delimiter(b'|')
        ///     .from_reader(log.as_bytes())?
        ///     .next()
        ///     .unwrap()?;
        /// assert_eq!(event.channel(), Some("PPC"));
        ///
        /// let err = ReaderBuilder::new(Shape::Paths).delimiter(b'"').from_reader(tsv.as_bytes()).unwrap_err();
        /// assert_eq!(
        ///     err.to_string(),
        ///     "invalid reader configuration: the delimiter must be an ASCII byte other than a quote or a line break, got '\"'"
        /// );
        /// # Ok::<(), attribution::ReadError>(())
        /// ```
        pub fn delimiter(&mut self, delimiter: impl Into<Option<u8>>) -> &mut Self {
            self.input.delimiter = delimiter.into();
            self
        }

        /// Lenient mode: a bad data row is skipped and counted per reason
        /// (in the journey readers' [`ReadReport`](crate::io::ReadReport),
        /// in [`EventReader::rejected`](crate::io::events::EventReader::rejected))
        /// instead of ending the read. Header errors (missing, unknown or
        /// duplicate columns, an empty file) and I/O errors stay fatal.
        /// Default `false`.
        ///
        /// ```
        /// use attribution::io::events::EventReaderBuilder;
        /// use attribution::io::{ReaderBuilder, Shape};
        ///
        /// let csv = "path,total_conversions,total_null\nA,-1,0\nB,1,0\n";
        /// assert!(ReaderBuilder::new(Shape::Paths).from_reader(csv.as_bytes())?.read_all().is_err());
        /// let (set, report) = ReaderBuilder::new(Shape::Paths)
        ///     .lenient(true)
        ///     .from_reader(csv.as_bytes())?
        ///     .read_all()?;
        /// assert_eq!((set.len(), report.rejected_for("negative_count")), (1, 1));
        ///
        /// let log = "user_id,timestamp,channel,conversion\nu1,yesterday,PPC,0\nu1,1709283600,PPC,0\n";
        /// let mut reader = EventReaderBuilder::new().lenient(true).from_reader(log.as_bytes())?;
        /// assert_eq!(reader.by_ref().count(), 1);
        /// assert_eq!((reader.rejected()["invalid_timestamp"], reader.rejected_lines()), (1, &[2][..]));
        /// # Ok::<(), attribution::ReadError>(())
        /// ```
        pub fn lenient(&mut self, yes: bool) -> &mut Self {
            self.input.lenient = yes;
            self
        }

        /// Whether header columns the reader does not know are ignored
        /// (`true`) or an error (`false`, the default).
        ///
        /// ```
        /// use attribution::io::events::EventReaderBuilder;
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
        ///
        /// let log = "user_id,timestamp,channel,conversion,campaign\nu1,1709283600,PPC,0,x\n";
        /// assert!(EventReaderBuilder::new().from_reader(log.as_bytes()).is_err());
        /// let reader = EventReaderBuilder::new().ignore_unknown_columns(true).from_reader(log.as_bytes())?;
        /// assert_eq!(reader.count(), 1);
        /// # Ok::<(), attribution::ReadError>(())
        /// ```
        pub fn ignore_unknown_columns(&mut self, yes: bool) -> &mut Self {
            self.input.ignore_unknown_columns = yes;
            self
        }

        /// How timestamps are written: the journeys shape's `touch_times`
        /// and `conversion_time`, the events shape's `timestamp` (default
        /// [`TimeFormat::Auto`](crate::io::TimeFormat::Auto): detected per
        /// value; see [`TimeFormat`](crate::io::TimeFormat) for the rules).
        /// An invalid strftime layout is a configuration error when the
        /// reader is opened.
        ///
        /// ```
        /// use attribution::io::events::EventReaderBuilder;
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
        ///
        /// let log = "user_id,timestamp,channel,conversion\nu,01.03.2024 10:00,PPC,0\n";
        /// let event = EventReaderBuilder::new()
        ///     .time_format(TimeFormat::Strftime("%d.%m.%Y %H:%M".to_owned()))
        ///     .from_reader(log.as_bytes())?
        ///     .next()
        ///     .unwrap()?;
        /// assert_eq!(event.time().to_rfc3339(), "2024-03-01T10:00:00+00:00");
        /// # Ok::<(), Box<dyn std::error::Error>>(())
        /// ```
        pub fn time_format(&mut self, format: crate::io::TimeFormat) -> &mut Self {
            self.input.time_format = format;
            self
        }

        /// The time zone of timestamps written without a zone or offset
        /// (default UTC); values with their own offset and Unix times
        /// ignore it. See [`Timezone`](crate::io::Timezone).
        ///
        /// ```
        /// use attribution::io::events::EventReaderBuilder;
        /// use attribution::io::{ReaderBuilder, Shape};
        ///
        /// let csv = "journey_id,path,converted,conversion_time\nJ,A,1,2024-03-01 10:00\n";
        /// let set = ReaderBuilder::new(Shape::Journeys)
        ///     .timezone("+01:00".parse()?)
        ///     .from_reader(csv.as_bytes())?
        ///     .read_all()?
        ///     .0;
        /// assert_eq!(set.journeys()[0].conversion_time().unwrap().to_rfc3339(), "2024-03-01T09:00:00+00:00");
        ///
        /// let log = "user_id,timestamp,channel,conversion\nu,2024-03-01 10:00,PPC,0\nu,2024-03-01T10:00Z,PPC,0\n";
        /// let times: Vec<String> = EventReaderBuilder::new()
        ///     .timezone("-05:00".parse()?)
        ///     .from_reader(log.as_bytes())?
        ///     .map(|e| e.map(|e| e.time().to_rfc3339()))
        ///     .collect::<Result<_, _>>()?;
        /// assert_eq!(times, ["2024-03-01T15:00:00+00:00", "2024-03-01T10:00:00+00:00"]);
        /// # Ok::<(), Box<dyn std::error::Error>>(())
        /// ```
        pub fn timezone(&mut self, zone: crate::io::Timezone) -> &mut Self {
            self.input.timezone = zone;
            self
        }

        /// Read numbers with a decimal comma (`120,50`) in the value and
        /// count columns (default `false`). A number with a decimal comma is
        /// `[+-]?digits,digits`; its comma reads as a point, so `120,50` is
        /// 120.5 and the count `3,0` is 3 (`1,5` is still a fractional
        /// count). Numbers with a point are read either way. Files delimited
        /// by `;` read decimal commas whatever this setting, since there a
        /// comma cannot be a field separator. When it is off and a number
        /// with a decimal comma fails to parse, the error carries
        /// [`ReadHint::DecimalComma`](crate::ReadHint).
        ///
        /// ```
        /// use attribution::io::events::EventReaderBuilder;
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
        ///
        /// let log = "user_id\ttimestamp\tchannel\tconversion\tvalue\nu\t1\tPPC\t1\t120,50\n";
        /// assert!(EventReaderBuilder::new().from_reader(log.as_bytes())?.next().unwrap().is_err());
        /// let event = EventReaderBuilder::new()
        ///     .decimal_comma(true)
        ///     .from_reader(log.as_bytes())?
        ///     .next()
        ///     .unwrap()?;
        /// assert_eq!(event.value(), 120.5);
        /// # Ok::<(), attribution::ReadError>(())
        /// ```
        pub fn decimal_comma(&mut self, yes: bool) -> &mut Self {
            self.input.decimal_comma = yes;
            self
        }
    };
}

pub(crate) use input_setters;
