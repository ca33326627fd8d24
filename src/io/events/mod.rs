//! The `events` input shape: a raw touch log, one row per event.
//!
//! Columns (matched by name, in any order; names configurable):
//! `user_id,timestamp,channel,conversion[,value]`, or with conversion events
//! `user_id,timestamp,channel,event_name[,conversion][,value]`.
//!
//! * `user_id`: any non-empty text (trimmed).
//! * `timestamp`: read as [`EventReaderBuilder::time_format`] says. By
//!   default each value is detected on its own (one file may mix layouts):
//!   ISO 8601 / RFC 3339 with `T` or a space, with or without seconds,
//!   fraction and zone, or a date alone; or a Unix time whose unit follows
//!   from its digits (up to 11: seconds, 13: milliseconds, 16: microseconds,
//!   as GA4's `event_timestamp`). Values without a zone are local time in
//!   [`EventReaderBuilder::timezone`] (default UTC). See
//!   [`TimeFormat`](crate::io::TimeFormat) for the exact rules. Instants are
//!   held as `i64` nanoseconds, so they must lie between 1677 and 2262.
//! * `channel`: the channel touched (trimmed). It may be empty only on a
//!   conversion row: a conversion with a channel is a *converting visit* (the
//!   visit counts as a touch), one without is a bare conversion.
//! * `conversion`: `0`, `1`, `true` or `false` (ASCII case-insensitive).
//! * `value` (optional column): the revenue of a conversion row, finite and
//!   `>= 0`; an empty cell is 0. On a non-conversion row it is validated and
//!   then ignored by the journey builder (which reports its sum). A decimal
//!   comma (`120,50`) is read in `;`-delimited files or with
//!   [`EventReaderBuilder::decimal_comma`].
//!
//! **Conversion events.** Trackers such as GA4 mark a purchase by an event
//! name (`event_name == purchase`) rather than a flag. With
//! [`EventReaderBuilder::conversion_events`] a row is a conversion when its
//! event column (default `event_name`) holds one of the names (trimmed,
//! case-sensitive). The `conversion` column is then optional; when present
//! as well, a row is a conversion if either says so. Every other row with a
//! channel is a touch; a row that is neither a conversion nor has a channel
//! (a page view without traffic source) is skipped and counted
//! ([`EventReader::skipped_without_channel`]) rather than rejected.
//!
//! The delimiter (`,`, `;` or tab) is detected from the header line unless
//! given. A UTF-8 byte order mark is stripped. Extra columns are an
//! [`UnknownColumn`](crate::ReadErrorKind::UnknownColumn) error unless
//! [`EventReaderBuilder::ignore_unknown_columns`] is set. Header errors
//! carry a [`ReadHint`](crate::ReadHint): the shape the header looks like,
//! or conversion events when the header has an event column but no
//! conversion column.
//!
//! The CSV rules are those of the journey readers: lines end at `\n`, `\r\n`
//! or a bare `\r` (errors name lines counted that way, header = line 1);
//! blank lines are skipped; a quoted field must close on the line where it
//! opens, else the record is an
//! [`UnterminatedQuote`](crate::ReadErrorKind::UnterminatedQuote) error at
//! that line and column (lenient mode skips it and resumes at the next line).
//!
//! # Example
//!
//! ```
//! use attribution::io::events::EventReaderBuilder;
//!
//! let data = "user_id;timestamp;channel;conversion;value\n\
//!             u1;2024-03-01T10:00:00+01:00;PPC;0;\n\
//!             u1;2024-03-02 09:00;;1;120,5\n";
//! let mut reader = EventReaderBuilder::new().from_reader(data.as_bytes())?;
//! let events: Vec<_> = reader.by_ref().collect::<Result<_, _>>()?;
//! assert_eq!(events.len(), 2);
//! assert_eq!(events[0].channel(), Some("PPC"));
//! assert_eq!(events[0].time().to_rfc3339(), "2024-03-01T09:00:00+00:00");
//! assert_eq!(events[1].time().to_rfc3339(), "2024-03-02T09:00:00+00:00");
//! assert_eq!((events[1].is_conversion(), events[1].value()), (true, 120.5));
//! assert_eq!(events[1].line(), 3);
//! # Ok::<(), attribution::ReadError>(())
//! ```

mod builder;
mod reader;
mod record;

pub use builder::EventReaderBuilder;
pub use reader::EventReader;
pub use record::EventRecord;
