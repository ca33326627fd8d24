//! Reading journeys from any input shape, streaming where the shape allows.

use attribution::assemble::{BuildError, JourneyBuilder, parse_duration};
use attribution::io::events::{EventReader, EventReaderBuilder};
use attribution::io::{Column, FoldError, ReaderBuilder, Shape};
use attribution::{Channels, Journey, JourneySet, ModelError};

use crate::args::{BuildArgs, InputArgs, ShapeArg};
use crate::error::{CliError, in_input};
use crate::input::Input;

/// What the read found, for stderr (or the JSON output).
pub enum Summary {
    /// A paths or journeys file: the read report, when anything was rejected.
    Read(attribution::io::ReadReport),
    /// An event log: the build report.
    Build(Box<attribution::assemble::BuildReport>),
}

impl Summary {
    /// The line on which `channel` first appeared in the input, when known.
    pub fn first_line(&self, channel: attribution::ChannelId) -> Option<u64> {
        match self {
            Self::Read(r) => r.first_line(channel),
            Self::Build(r) => r.first_line(channel),
        }
    }

    /// Prints the summary on stderr when there is something worth saying:
    /// rejected rows, or the build report of an event log. A stderr that
    /// cannot be written is ignored.
    pub fn print(&self) {
        let text = match self {
            Self::Read(r) if r.rejected() > 0 => r.to_string(),
            Self::Read(_) => return,
            Self::Build(r) => r.to_string(),
        };
        crate::streams::diagnostic(text.trim_end());
    }
}

/// Whether the input has a value column (the header as the reader saw it;
/// for an event log, its own header). Without one every value is 0.
pub fn has_value_column(input: &InputArgs, headers: &[String]) -> bool {
    let default = match input.shape {
        ShapeArg::Paths => "total_conversion_value",
        ShapeArg::Journeys | ShapeArg::Events => "value",
    };
    let name = column_override(input, "value")
        .or_else(|| column_override(input, "total_conversion_value"))
        .unwrap_or(default);
    headers.iter().any(|h| h.trim() == name)
}

/// Whether journeys of this input carry touch timestamps.
pub fn has_timestamps(input: &InputArgs, headers: &[String]) -> bool {
    match input.shape {
        ShapeArg::Paths => false,
        ShapeArg::Events => true,
        ShapeArg::Journeys => {
            let name = column_override(input, "touch_times").unwrap_or("touch_times");
            headers.iter().any(|h| h.trim() == name)
        }
    }
}

fn column_override<'a>(input: &'a InputArgs, role: &str) -> Option<&'a str> {
    input
        .columns
        .iter()
        .filter_map(|c| c.split_once('='))
        .find(|(r, _)| r.trim() == role)
        .map(|(_, name)| name.trim())
}

fn parse_columns(input: &InputArgs) -> Result<Vec<(String, String)>, CliError> {
    input
        .columns
        .iter()
        .map(|c| {
            c.split_once('=')
                .map(|(r, n)| (r.trim().to_owned(), n.trim().to_owned()))
                .filter(|(r, n)| !r.is_empty() && !n.is_empty())
                .ok_or_else(|| CliError::Input(format!("--column expects ROLE=NAME, got `{c}`")))
        })
        .collect()
}

fn role(shape: Shape, name: &str) -> Result<Column, CliError> {
    let role = match name {
        "path" => Some(Column::Path),
        "conversions" | "converted" | "total_conversions" => Some(Column::Conversions),
        "nulls" | "total_null" | "non_converted" => Some(Column::Nulls),
        "value" | "total_conversion_value" => Some(Column::Value),
        "journey_id" => Some(Column::JourneyId),
        "journey_index" => Some(Column::JourneyIndex),
        "touch_times" => Some(Column::TouchTimes),
        "conversion_time" => Some(Column::ConversionTime),
        _ => None,
    };
    role.filter(|r| r.default_name(shape).is_some())
        .ok_or_else(|| {
            CliError::Input(format!(
                "--column: `{name}` is not a column role of the {shape} shape"
            ))
        })
}

/// Receives what [`for_each_journey`] reads.
pub trait JourneySink {
    /// Called once, before the first journey, with the input's header.
    fn start(&mut self, headers: &[String]) -> Result<(), CliError>;
    /// Called for every journey, with the channel table as it stands and the
    /// input line it came from (none for journeys built from events).
    fn journey(
        &mut self,
        journey: &Journey,
        channels: &Channels,
        line: Option<u64>,
    ) -> Result<(), CliError>;
}

/// Reads every journey of the input and hands it to `sink`, with the channel
/// table as it stands. Paths and journeys files are streamed; an event log is
/// built into journeys first (unless sorted, it must be held in memory).
/// Returns the final channel table and a summary of the read.
pub fn for_each_journey(
    input: &InputArgs,
    build: &BuildArgs,
    sink: &mut dyn JourneySink,
) -> Result<(Channels, Summary), CliError> {
    let opened = Input::open(&input.input, after_reading(input.shape))?;
    let result = match reader_shape(input.shape) {
        Some(shape) => {
            let builder = reader_builder(input, shape)?;
            let mut reader = builder.from_reader(opened.reader)?;
            sink.start(reader.headers())?;
            if let Some(first) = reader.next() {
                // One journey, refilled row after row.
                let mut journey = first?;
                sink.journey(&journey, reader.channels(), Some(reader.line()))?;
                while reader.read_journey(&mut journey)? {
                    sink.journey(&journey, reader.channels(), Some(reader.line()))?;
                }
            }
            let report = reader.report().clone();
            Ok((reader.into_channels(), Summary::Read(report)))
        }
        None => {
            // Journeys go to the sink as they are built: with `--sorted`,
            // one user at a time.
            let reader = event_reader(input, opened.reader)?;
            sink.start(reader.headers())?;
            let (channels, report) = journey_builder(build)?
                .for_each_journey(reader, |journey, channels| {
                    sink.journey(journey, channels, None)
                })?;
            Ok((channels, Summary::Build(Box::new(report))))
        }
    };
    drop(opened.progress);
    result
}

/// What the progress bar shows once the input is read: building journeys
/// from events takes a while after the last byte.
fn after_reading(shape: ShapeArg) -> Option<&'static str> {
    (shape == ShapeArg::Events).then_some("building journeys")
}

/// The reader configuration of a paths or journeys input.
fn reader_builder(input: &InputArgs, shape: Shape) -> Result<ReaderBuilder, CliError> {
    if !input.conversion_events.is_empty() {
        return Err(CliError::Input(format!(
            "--conversion-event needs --shape events (the input shape is {shape})"
        )));
    }
    let mut builder = ReaderBuilder::new(shape);
    builder
        .delimiter(input.delimiter)
        .separator(&input.sep)
        .lenient(input.lenient)
        .ignore_unknown_columns(input.ignore_unknown_columns)
        .time_format(input.time_format.clone())
        .timezone(input.timezone)
        .decimal_comma(input.decimal_comma);
    for (r, name) in &parse_columns(input)? {
        builder.column(role(shape, r)?, name);
    }
    Ok(builder)
}

/// A model error of the journey at `position`, read from `line`.
pub fn observe_error(e: ModelError, position: u64, line: Option<u64>) -> CliError {
    let e = CliError::from(e.at_journey(usize::try_from(position).unwrap_or(usize::MAX)));
    match line {
        Some(line) => CliError::Input(format!("line {line}: {e}")),
        None => e,
    }
}

/// The threads worth using for `--threads requested`: 0 means every core,
/// and more threads than cores only cost memory (a fold state each), so
/// the count is capped at the number of cores.
pub fn useful_threads(requested: usize) -> usize {
    let cores = std::thread::available_parallelism().map_or(1, std::num::NonZero::get);
    match requested {
        0 => cores,
        n => n.min(cores),
    }
}

/// Folds every journey of the input into a state: `start` makes the state
/// once the header is known, `observe` adds a journey. With `threads != 1`
/// a paths or journeys file is read on several threads (0: every core;
/// capped at the number of cores),
/// each folding into a `fresh` copy of the started state; the copies are
/// merged with `merge` at the end. Returns the state, the final channel
/// table and a summary of the read.
pub fn fold_journeys<S: Send>(
    input: &InputArgs,
    build: &BuildArgs,
    threads: usize,
    start: impl FnOnce(&[String]) -> Result<S, CliError>,
    fresh: impl Fn(&S) -> S,
    observe: impl Fn(&mut S, &Journey, &Channels) -> Result<(), ModelError> + Sync,
    merge: impl FnMut(&mut S, S),
) -> Result<(S, Channels, Summary), CliError> {
    let threads = useful_threads(threads);
    let Some(shape) = reader_shape(input.shape).filter(|_| threads != 1) else {
        // Event logs are built into journeys first; `--threads 1` reads sequentially.
        return fold_sequentially(input, build, start, observe);
    };
    let opened = Input::open(&input.input, None)?;
    let mut builder = reader_builder(input, shape)?;
    builder.threads(threads);
    let reader = builder.parallel_from_reader(opened.reader)?;
    let template = start(reader.headers())?;
    let folded = reader
        .fold(|| fresh(&template), &observe, merge)
        .map_err(|e| match e {
            FoldError::Fold {
                error,
                line,
                journey,
            } => observe_error(error, journey, Some(line)),
            FoldError::Read(e) => CliError::from(e),
            other => CliError::Other(other.to_string()),
        });
    drop(opened.progress);
    let folded = folded?;
    Ok((folded.state, folded.channels, Summary::Read(folded.report)))
}

struct Sequential<S, B, O> {
    start: Option<B>,
    state: Option<S>,
    observe: O,
    journeys: u64,
}

impl<S, B, O> JourneySink for Sequential<S, B, O>
where
    B: FnOnce(&[String]) -> Result<S, CliError>,
    O: Fn(&mut S, &Journey, &Channels) -> Result<(), ModelError>,
{
    fn start(&mut self, headers: &[String]) -> Result<(), CliError> {
        if let Some(start) = self.start.take() {
            self.state = Some(start(headers)?);
        }
        Ok(())
    }

    fn journey(
        &mut self,
        journey: &Journey,
        channels: &Channels,
        line: Option<u64>,
    ) -> Result<(), CliError> {
        let position = self.journeys;
        self.journeys += 1;
        let state = self
            .state
            .as_mut()
            .ok_or_else(|| CliError::Other("internal: journey before header".to_owned()))?;
        (self.observe)(state, journey, channels).map_err(|e| observe_error(e, position, line))
    }
}

fn fold_sequentially<S>(
    input: &InputArgs,
    build: &BuildArgs,
    start: impl FnOnce(&[String]) -> Result<S, CliError>,
    observe: impl Fn(&mut S, &Journey, &Channels) -> Result<(), ModelError>,
) -> Result<(S, Channels, Summary), CliError> {
    let mut sink = Sequential {
        start: Some(start),
        state: None,
        observe,
        journeys: 0,
    };
    let (channels, summary) = for_each_journey(input, build, &mut sink)?;
    let state = sink
        .state
        .ok_or_else(|| CliError::Other("internal: no header".to_owned()))?;
    Ok((state, channels, summary))
}

impl From<BuildError> for CliError {
    fn from(e: BuildError) -> Self {
        match e {
            BuildError::Read(r) => r.into(),
            other => CliError::Input(other.to_string()),
        }
    }
}

fn duration(flag: &str, text: &Option<String>) -> Result<Option<std::time::Duration>, CliError> {
    text.as_deref()
        .map(|t| parse_duration(t).map_err(|e| CliError::Input(format!("{flag}: {e}"))))
        .transpose()
}

/// The journey builder configured from the command line.
pub fn journey_builder(build: &BuildArgs) -> Result<JourneyBuilder, CliError> {
    let mut b = JourneyBuilder::new();
    b.split_on_conversion(!build.no_split)
        .lookback(duration("--lookback", &build.lookback)?)
        .session_timeout(duration("--session-timeout", &build.session_timeout)?)
        .collapse_repeats(build.collapse_repeats)
        .exclude_channels(build.exclude.iter().map(String::as_str))
        .max_touches(build.max_touches)
        .drop_duplicates(build.drop_duplicates)
        .sorted(build.sorted);
    Ok(b)
}

/// Checks the builder's options without reading anything (an invalid value
/// is an error even when the input is not an event log).
pub fn validate_builder(builder: &JourneyBuilder) -> Result<(), CliError> {
    builder
        .build_from_events(std::iter::empty())
        .map(|_| ())
        .map_err(CliError::from)
}

/// Reads every journey of the input into a [`JourneySet`], printing the
/// read or build summary on stderr.
pub fn collect_journeys(input: &InputArgs, build: &BuildArgs) -> Result<JourneySet, CliError> {
    let (set, summary) = read_journeys(input, build).map_err(in_input(&input.input))?;
    summary.print();
    crate::checks::excluded_channels(&summary);
    crate::confusables::warn(set.channels(), &summary);
    Ok(set)
}

fn read_journeys(input: &InputArgs, build: &BuildArgs) -> Result<(JourneySet, Summary), CliError> {
    let opened = Input::open(&input.input, after_reading(input.shape))?;
    let result = match reader_shape(input.shape) {
        Some(shape) => reader_builder(input, shape).and_then(|builder| {
            let (set, report) = builder.from_reader(opened.reader)?.read_all()?;
            Ok((set, Summary::Read(report)))
        }),
        None => event_reader(input, opened.reader).and_then(|reader| {
            let (set, report) = journey_builder(build)?.build(reader)?;
            Ok((set, Summary::Build(Box::new(report))))
        }),
    };
    drop(opened.progress);
    result
}

/// The shape of the journey readers, or `None` for an event log.
fn reader_shape(shape: ShapeArg) -> Option<Shape> {
    match shape {
        ShapeArg::Paths => Some(Shape::Paths),
        ShapeArg::Journeys => Some(Shape::Journeys),
        ShapeArg::Events => None,
    }
}

/// The reader of an event log.
fn event_reader(
    input: &InputArgs,
    rdr: Box<dyn std::io::Read>,
) -> Result<EventReader<Box<dyn std::io::Read>>, CliError> {
    let mut rb = EventReaderBuilder::new();
    rb.delimiter(input.delimiter)
        .lenient(input.lenient)
        .ignore_unknown_columns(input.ignore_unknown_columns)
        .time_format(input.time_format.clone())
        .timezone(input.timezone)
        .decimal_comma(input.decimal_comma)
        .conversion_events(&input.conversion_events);
    for (r, name) in &parse_columns(input)? {
        match r.as_str() {
            "user_id" | "user" => rb.user_column(name),
            "timestamp" | "time" => rb.timestamp_column(name),
            "channel" => rb.channel_column(name),
            "conversion" => rb.conversion_column(name),
            "value" => rb.value_column(name),
            "event" | "event_name" => rb.event_column(name),
            other => {
                return Err(CliError::Input(format!(
                    "--column: `{other}` is not a column role of the events shape \
                     (user_id, timestamp, channel, conversion, value, event)"
                )));
            }
        };
    }
    Ok(rb.from_reader(rdr)?)
}
