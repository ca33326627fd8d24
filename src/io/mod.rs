//! CSV readers and a writer for the input shapes (aggregated paths, journeys,
//! event logs), with
//! line-numbered errors.
//!
//! * [`ReaderBuilder`] configures a reader for a [`Shape`] (delimiter, path
//!   separator, column names, lenient mode) and opens a [`JourneyReader`].
//! * [`JourneyReader`] streams journeys row by row (constant memory per row)
//!   and interns channels in order of first appearance; [`JourneyReader::read_all`]
//!   collects them into a [`JourneySet`](crate::JourneySet).
//! * [`ParallelReader`] (from [`ReaderBuilder::parallel_from_reader`]) reads
//!   a file on several threads and folds its journeys into mergeable states,
//!   with the same channel table, report and errors as the streaming reader.
//! * [`ReadReport`] counts rows, journeys and rejected rows per reason.
//! * [`write_journeys`] writes the journeys shape back.
//! * [`TimeFormat`] and [`Timezone`] say how timestamps are read (by default
//!   each value's layout is detected and zone-less values are UTC).
//!
//! Every error names the line (the header is line 1), the column and the
//! offending text; see [`ReadError`](crate::ReadError).
//!
//! # Example
//!
//! ```
//! use attribution::io::{ReaderBuilder, Shape};
//!
//! let csv = "path,total_conversions,total_null,total_conversion_value\n\
//!            PPC > Email,1,0,120\n\
//!            PPC,0,1,0\n";
//! let (set, report) = ReaderBuilder::new(Shape::Paths).from_reader(csv.as_bytes())?.read_all()?;
//! assert_eq!(set.len(), 2);
//! assert_eq!(set.total_conversions(), 1);
//! assert_eq!(set.total_value(), 120.0);
//! assert_eq!(report.rows(), 2);
//!
//! let bad = "path,total_conversions,total_null\nPPC,1.5,0\n";
//! let err = ReaderBuilder::new(Shape::Paths).from_reader(bad.as_bytes())?.read_all().unwrap_err();
//! assert_eq!(err.to_string(), "line 2, column `total_conversions`: fractional count: \"1.5\"");
//! # Ok::<(), attribution::ReadError>(())
//! ```

// Each file imports only files listed before it (scripts/module_graph.py
// checks that there is no cycle): records (the one csv-core record layer:
// BOM, delimiter detection, line numbers), fields, shape, intern, report,
// writer, time_format, timezone, timestamp (the one timestamp parser),
// header (the one header resolver), options (the options every reader
// shares, with their setters), row, reader, parallel, builder,
// events/record, events/reader, events/builder.
mod builder;
pub mod events;
mod fields;
mod header;
mod intern;
mod options;
mod parallel;
mod reader;
mod records;
mod report;
mod row;
mod shape;
mod time_format;
mod timestamp;
mod timezone;
mod writer;

pub use crate::error::TimestampError;
pub use builder::ReaderBuilder;
pub use parallel::{FoldError, Folded, ParallelReader};
pub use reader::JourneyReader;
pub use report::ReadReport;
pub(crate) use report::write_lines;
pub use shape::{Column, Shape};
pub use time_format::{TimeFormat, TimeFormatError, TimeUnit};
pub use timezone::{Timezone, TimezoneError};
pub use writer::write_journeys;
