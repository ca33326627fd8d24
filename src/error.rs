//! Typed errors.
//!
//! Every fallible operation of the crate returns one of the small error types
//! below. Errors about input data say *where*: [`ReadError`] carries the
//! 1-based line (the header is line 1), the column name and the offending text.
//! All error enums are `#[non_exhaustive]` so that new failure modes can be
//! added without breaking callers.

use std::fmt;

/// An error raised while interning a channel name.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ChannelError {
    /// The name was empty after trimming surrounding whitespace.
    #[error("empty channel name")]
    EmptyName,
    /// More distinct channels than a [`ChannelId`](crate::ChannelId) can address.
    #[error("too many distinct channels (the limit is {limit})")]
    TooMany {
        /// The maximum number of channels.
        limit: usize,
    },
    /// The name is one of [`Channels::RESERVED`](crate::Channels::RESERVED).
    #[error(
        "channel name `{0}` is reserved (the transition output uses `(start)`, `(conversion)` and `(null)`, and the `dda` output `(baseline)`)"
    )]
    Reserved(String),
    /// A list of names meant to be a channel table names a channel twice
    /// (after trimming), e.g. a deserialised table.
    #[error("channel `{0}` is listed twice")]
    Duplicate(Box<str>),
}

/// An error raised when a [`Journey`](crate::Journey) or
/// [`JourneySet`](crate::JourneySet) would violate its invariants.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum JourneyError {
    /// A journey needs at least one touchpoint.
    #[error("a journey needs at least one touchpoint")]
    NoTouches,
    /// The value must be finite and non-negative.
    #[error("journey value must be finite and non-negative, got {value}")]
    InvalidValue {
        /// The rejected value.
        value: f64,
    },
    /// A touchpoint refers to a channel that the channel table does not hold.
    #[error("touchpoint refers to channel id {id}, but the channel table holds {len} channels")]
    UnknownChannel {
        /// The offending channel id.
        id: u32,
        /// The number of channels in the table.
        len: usize,
    },
    /// Some touchpoints carry a timestamp and others do not.
    #[error("either every touchpoint of a journey has a timestamp or none has")]
    MixedTimestamps,
    /// Frequency tags must be one per touch, each at least 1.
    #[error("{tags} frequency tags for {touches} touches (give one tag of at least 1 per touch)")]
    InvalidTags {
        /// How many tags were given.
        tags: usize,
        /// How many touches the journey has.
        touches: usize,
    },
}

/// What went wrong while reading a CSV input. See [`ReadError`] for where.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum ReadErrorKind {
    /// The underlying reader failed.
    #[error("I/O error: {0}")]
    Io(String),
    /// The input is not valid UTF-8.
    #[error("invalid UTF-8")]
    InvalidUtf8,
    /// The input holds no header (or nothing at all).
    #[error("empty input: no header row")]
    EmptyFile,
    /// A required column is absent from the header.
    #[error("missing column `{0}`")]
    MissingColumn(String),
    /// The header names a column the shape does not know.
    #[error("unknown column `{0}`")]
    UnknownColumn(String),
    /// The same column appears twice in the header.
    #[error("duplicate column `{0}`")]
    DuplicateColumn(String),
    /// A record has a different number of fields than the header.
    #[error("expected {expected} fields, found {found}")]
    FieldCount {
        /// Fields in the header.
        expected: usize,
        /// Fields in this record.
        found: usize,
    },
    /// A count is not a non-negative integer.
    #[error("invalid count")]
    InvalidCount,
    /// A count has a fractional part.
    #[error("fractional count")]
    FractionalCount,
    /// A count is negative.
    #[error("negative count")]
    NegativeCount,
    /// A value is not a finite, non-negative number.
    #[error("invalid value (must be a finite, non-negative number)")]
    InvalidValue,
    /// A path holds no channel after splitting and trimming.
    #[error("empty path")]
    EmptyPath,
    /// A timestamp that the reader's time format does not read; the detail
    /// says why.
    #[error("invalid timestamp ({0})")]
    InvalidTimestamp(TimestampError),
    /// A conversion flag is not one of `0`, `1`, `true`, `false`.
    #[error("invalid conversion flag (expected 0, 1, true or false)")]
    InvalidFlag,
    /// The number of touch times differs from the number of touches.
    #[error("{times} touch times for {touches} touches")]
    TouchTimesMismatch {
        /// Touches in the path.
        touches: usize,
        /// Timestamps in the touch-times column.
        times: usize,
    },
    /// A field that must not be empty is empty.
    #[error("empty field")]
    EmptyField,
    /// A channel name could not be interned.
    #[error("{0}")]
    Channel(#[from] ChannelError),
    /// A CSV syntax error reported by the `csv` crate.
    #[error("malformed CSV: {0}")]
    Csv(String),
    /// The reader configuration is invalid (e.g. an empty path separator).
    #[error("invalid reader configuration: {0}")]
    Config(String),
    /// A row would make an invalid journey (a guard; the readers check each
    /// field first, so this signals a bug rather than bad input).
    #[error("{0}")]
    Journey(#[from] JourneyError),
    /// A quoted field runs into a line end or the end of the input. No field
    /// of the input shapes holds a line break, so a quote must close on the
    /// line where it opens; the error names that line and the field.
    #[error("unterminated quoted field (a quote must close on the line where it opens)")]
    UnterminatedQuote,
    /// A count above 2^53 = 9007199254740992, beyond which not every integer
    /// is exactly representable in the floating-point arithmetic.
    #[error("count above 2^53 = 9007199254740992 (not exactly representable)")]
    CountTooLarge,
}

impl ReadErrorKind {
    /// A short, stable name for the kind, used as the key of lenient-mode
    /// rejection counts (e.g. `"fractional_count"`).
    #[must_use]
    pub fn reason(&self) -> &'static str {
        match self {
            Self::Io(_) => "io",
            Self::InvalidUtf8 => "invalid_utf8",
            Self::EmptyFile => "empty_file",
            Self::MissingColumn(_) => "missing_column",
            Self::UnknownColumn(_) => "unknown_column",
            Self::DuplicateColumn(_) => "duplicate_column",
            Self::FieldCount { .. } => "field_count",
            Self::InvalidCount => "invalid_count",
            Self::FractionalCount => "fractional_count",
            Self::NegativeCount => "negative_count",
            Self::InvalidValue => "invalid_value",
            Self::EmptyPath => "empty_path",
            Self::InvalidTimestamp(_) => "invalid_timestamp",
            Self::InvalidFlag => "invalid_flag",
            Self::TouchTimesMismatch { .. } => "touch_times_mismatch",
            Self::EmptyField => "empty_field",
            Self::Channel(_) => "invalid_channel",
            Self::Csv(_) => "malformed_csv",
            Self::Config(_) => "config",
            Self::Journey(_) => "invalid_journey",
            Self::UnterminatedQuote => "unterminated_quote",
            Self::CountTooLarge => "count_too_large",
        }
    }
}

/// An error raised while reading input, with its position.
///
/// `line` is 1-based and counts the header as line 1; `column` is the column
/// name as written in the header; `text` is the offending field (truncated to
/// 80 characters); `hint`, when there is one, a reader setting that would
/// probably have read the input.
#[derive(Debug, Clone, PartialEq)]
pub struct ReadError {
    kind: ReadErrorKind,
    line: Option<u64>,
    column: Option<String>,
    text: Option<String>,
    hint: Option<ReadHint>,
}

/// A suggestion carried by a [`ReadError`]: the reader setting that would
/// probably have read the input. [`ReadError`]'s `Display` words it with the
/// library's setters (in parentheses at the end); a front end can word it
/// with its own options instead (see [`ReadError::hint`]).
///
/// # Example
///
/// ```
/// use attribution::io::{ReaderBuilder, Shape};
/// use attribution::ReadHint;
///
/// let csv = "path;total_conversions;total_null;total_conversion_value\nA;1;0;1.234,5\n";
/// let err = ReaderBuilder::new(Shape::Paths).from_reader(csv.as_bytes())?.read_all().unwrap_err();
/// assert_eq!(err.hint(), None); // `;`-delimited: `120,5` would have been read
/// let csv = "path\ttotal_conversions\ttotal_null\ttotal_conversion_value\nA\t1\t0\t120,5\n";
/// let err = ReaderBuilder::new(Shape::Paths).from_reader(csv.as_bytes())?.read_all().unwrap_err();
/// assert_eq!(err.hint(), Some(&ReadHint::DecimalComma));
/// assert_eq!(
///     err.to_string(),
///     "line 2, column `total_conversion_value`: invalid value (must be a finite, non-negative number): \"120,5\" (decimal comma? enable `decimal_comma`)"
/// );
/// # Ok::<(), attribution::ReadError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum ReadHint {
    /// A number written with a decimal comma (`120,00`) while decimal commas
    /// are not read: `decimal_comma(true)` on the reader builder.
    DecimalComma,
    /// A timestamp whose layout automatic detection does not know: give it
    /// as a strftime layout ([`TimeFormat::Strftime`](crate::io::TimeFormat)).
    TimeLayout,
    /// An integer timestamp whose length does not tell its unit: give the
    /// unit ([`TimeFormat::Unix`](crate::io::TimeFormat)).
    TimeUnit,
    /// A required column is missing: the header may be of another shape, or
    /// name the column differently (map it to its role).
    MissingColumn {
        /// The shape the header looks like (`paths`, `journeys` or
        /// `events`), when it is not the configured one.
        looks_like: Option<&'static str>,
    },
    /// The header has a column the shape does not know: the header may be
    /// of another shape, or the column can be ignored or mapped to a role.
    UnknownColumn {
        /// The shape the header looks like, when it is not the configured one.
        looks_like: Option<&'static str>,
    },
    /// An events header with no conversion column but an event-name column:
    /// mark conversions by event name (`conversion_events`).
    ConversionEvents {
        /// The event column's name.
        column: String,
    },
}

impl fmt::Display for ReadHint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::DecimalComma => f.write_str("decimal comma? enable `decimal_comma`"),
            Self::TimeLayout => f.write_str("give the layout with `time_format`"),
            Self::TimeUnit => f.write_str("give the unit with `time_format`"),
            Self::MissingColumn { looks_like } | Self::UnknownColumn { looks_like } => {
                if let Some(shape) = looks_like {
                    write!(f, "the header looks like the {shape} shape; or ")?;
                }
                f.write_str(if matches!(self, Self::MissingColumn { .. }) {
                    "map a differently named column to its role"
                } else {
                    "ignore unknown columns, or map the column to a role"
                })
            }
            Self::ConversionEvents { column } => write!(
                f,
                "to mark conversions by the `{column}` column, set `conversion_events`"
            ),
        }
    }
}

const MAX_TEXT_CHARS: usize = 80;

impl ReadError {
    /// An error with no position (e.g. an I/O failure or a bad configuration).
    #[must_use]
    pub fn new(kind: ReadErrorKind) -> Self {
        Self {
            kind,
            line: None,
            column: None,
            text: None,
            hint: None,
        }
    }

    /// Sets (or with `None` removes) the hint.
    #[must_use]
    pub fn with_hint(mut self, hint: impl Into<Option<ReadHint>>) -> Self {
        self.hint = hint.into();
        self
    }

    /// The reader setting that would probably have read the input, if known.
    #[must_use]
    pub fn hint(&self) -> Option<&ReadHint> {
        self.hint.as_ref()
    }

    /// Sets the 1-based line (header = 1).
    #[must_use]
    pub fn at_line(mut self, line: u64) -> Self {
        self.line = Some(line);
        self
    }

    /// Sets the column name.
    #[must_use]
    pub fn in_column(mut self, column: impl Into<String>) -> Self {
        self.column = Some(column.into());
        self
    }

    /// Sets the offending text (truncated to 80 characters).
    #[must_use]
    pub fn with_text(mut self, text: &str) -> Self {
        let truncated: String = text.chars().take(MAX_TEXT_CHARS).collect();
        self.text = Some(if truncated.len() < text.len() {
            format!("{truncated}…")
        } else {
            truncated
        });
        self
    }

    /// What went wrong.
    #[must_use]
    pub fn kind(&self) -> &ReadErrorKind {
        &self.kind
    }

    /// The 1-based line of the offending record (header = line 1), if known.
    #[must_use]
    pub fn line(&self) -> Option<u64> {
        self.line
    }

    /// The name of the offending column, if known.
    #[must_use]
    pub fn column(&self) -> Option<&str> {
        self.column.as_deref()
    }

    /// The offending text, if any.
    #[must_use]
    pub fn text(&self) -> Option<&str> {
        self.text.as_deref()
    }
}

impl fmt::Display for ReadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(line) = self.line {
            write!(f, "line {line}")?;
            if let Some(column) = &self.column {
                write!(f, ", column `{column}`")?;
            }
            f.write_str(": ")?;
        } else if let Some(column) = &self.column {
            write!(f, "column `{column}`: ")?;
        }
        write!(f, "{}", self.kind)?;
        if let Some(text) = &self.text {
            write!(f, ": {text:?}")?;
        }
        if let Some(hint) = &self.hint {
            write!(f, " ({hint})")?;
        }
        Ok(())
    }
}

impl std::error::Error for ReadError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        Some(&self.kind)
    }
}

impl From<ReadErrorKind> for ReadError {
    fn from(kind: ReadErrorKind) -> Self {
        Self::new(kind)
    }
}

/// An error raised by a model: an invalid configuration (caught when the model
/// is built) or data the model cannot use.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum ModelError {
    /// A model parameter is out of range.
    #[error("invalid parameter `{name}` = {value}: {reason}")]
    InvalidParameter {
        /// The parameter name.
        name: &'static str,
        /// The rejected value, as text.
        value: String,
        /// Why it was rejected.
        reason: &'static str,
    },
    /// The model needs timestamps and a journey has none.
    #[error("{} has no timestamps; this model needs touch times", describe_journey(*.index, .id.as_deref()))]
    MissingTimestamps {
        /// Position of the journey in its [`JourneySet`](crate::JourneySet), when known.
        index: Option<usize>,
        /// The journey's id, when it has one.
        id: Option<String>,
    },
    /// A journey refers to a channel the channel table does not hold.
    #[error("journey refers to channel id {id}, but the channel table holds {len} channels")]
    UnknownChannel {
        /// The offending channel id.
        id: u32,
        /// The number of channels in the table.
        len: usize,
    },
    /// A numerical solver did not reach the required accuracy. An internal
    /// failure of the numerical method, never a fault of the input: every
    /// valid input is meant to solve.
    #[error("internal numerical error: solver did not converge: {0}")]
    NoConvergence(String),
    /// Cross-validation asks for more folds than there are journeys.
    #[error("{folds} cross-validation folds for {journeys} journeys: every fold needs a journey")]
    TooManyFolds {
        /// The folds asked for.
        folds: usize,
        /// The journeys to share among them.
        journeys: usize,
    },
    /// A total exceeds what the floating-point arithmetic carries: a sum of
    /// counts above 2^53 (where not every integer is an `f64`), or a sum of
    /// values above the largest finite `f64`. Raised instead of rounding or
    /// saturating; `index` is the journey whose addition crossed the limit
    /// (`None` when the totals of merged states cross it). Also a Markov
    /// chain of more than `u32::MAX` states, more than its solver's `u32`
    /// state indices number (`index` is `None`).
    #[error("{}{what}", describe_overflow(*.index))]
    Overflow {
        /// Position of the journey in its input, when known.
        index: Option<usize>,
        /// Which total overflowed, and its limit.
        what: String,
    },
    /// The exact Markov removal effects would take too long: every channel
    /// needs its own solve of the chain where it can be reached (eight
    /// channels share one), so many channels in one large strongly connected
    /// chain cost channels × chain size.
    #[error(
        "the exact removal effects of {channels} channels need at least {work} state updates \
         per sweep, above the limit of {limit}: merge rare channels into groups, lower the \
         order, or raise the limit (Markov::work_limit)"
    )]
    TooComplex {
        /// Channels with states to remove.
        channels: usize,
        /// A lower bound on the work of one sweep over every channel's system.
        work: u64,
        /// The limit it exceeds.
        limit: u64,
    },
    /// A model's normalisation would divide by a sum that is zero,
    /// negative or not finite: Shao & Li's summed contributions, which are
    /// positive for every converting journey, underflow to 0 only when
    /// journeys are weighted by numbers near the smallest `f64`.
    #[error("model `{model}` cannot normalise its credit: {what}")]
    DegenerateNormalisation {
        /// The model's name.
        model: String,
        /// Which sum, and its value.
        what: String,
    },
    /// A model spec that does not follow the syntax
    /// `name[:key=value,…]` (see [`ModelSpec`](crate::model::ModelSpec)).
    #[error("invalid model spec `{text}`: {reason}")]
    InvalidSpec {
        /// The spec text.
        text: String,
        /// What is wrong with it.
        reason: String,
    },
    /// A spec names a model the registry does not know.
    #[error("unknown model `{name}` (known models: {})", .known.join(", "))]
    UnknownModel {
        /// The name given.
        name: String,
        /// The names the registry knows.
        known: Vec<String>,
    },
    /// A model of this name is registered already.
    #[error("a model called `{name}` is registered already")]
    DuplicateModel {
        /// The name.
        name: String,
    },
    /// A spec gives a parameter the model does not have.
    #[error("model `{model}` has no parameter `{key}` ({})", describe_keys(.known))]
    UnknownParameter {
        /// The model.
        model: String,
        /// The key given.
        key: String,
        /// The model's keys.
        known: Vec<String>,
    },
    /// Two states cannot be merged: they were made by models of different
    /// specs (any parameter differs), or are otherwise inconsistent.
    #[error("cannot merge a state of `{right}` into a state of `{left}`")]
    IncompatibleStates {
        /// The spec of the state merged into.
        left: String,
        /// The spec of the state merged.
        right: String,
    },
    /// A state was observed against a channel table that is not the one it
    /// follows: a state must be observed against one (growing) table.
    #[error(
        "the state's channel #{index} is `{state}` but the channel table names it `{table}`: \
         a state must be observed against one channel table (which may grow)"
    )]
    ChannelMismatch {
        /// The channel index.
        index: usize,
        /// The state's name for it.
        state: String,
        /// The table's name for it.
        table: String,
    },
    /// A model was handed a state made by another model: of another spec,
    /// or (through [`DynModel`](crate::model::DynModel)) of another type.
    #[error("model `{model}` was given a state of {}", describe_state(.state.as_deref()))]
    WrongState {
        /// The model's spec.
        model: String,
        /// The state's spec, when the state has the model's type.
        state: Option<String>,
    },
    /// A game-theoretic model has no meaningful answer on this data: the
    /// shares it would report divide by a (near-)zero total. For example
    /// the exact-set Shapley game (`shapley-exact-set`) normalises by
    /// Σφ = R(all channels), the conversions of journeys that touched every
    /// channel, which is usually 0; dividing by it would turn rounding noise
    /// into credits. Raised instead of such shares.
    #[error("model `{model}` has no meaningful answer on this data: {reason}")]
    DegenerateGame {
        /// The model's spec.
        model: String,
        /// Why the game is degenerate, and what to use instead.
        reason: String,
    },
    /// The model credits whole sets of channels (a game over channel
    /// sets), so it has no per-journey credit (see
    /// [`Model::journey_credit`](crate::Model::journey_credit)).
    #[error("model `{model}` has no per-journey credit: {reason}")]
    NoJourneyCredit {
        /// The model's name.
        model: String,
        /// Why.
        reason: &'static str,
    },
    /// A conversion model (`dda`) needs both outcomes: at least one
    /// converting and one non-converting journey. Also raised for an input
    /// without journeys.
    #[error(
        "{model} needs at least one converting and one non-converting journey, but the input has \
         {conversions} conversions among {journeys} journeys"
    )]
    OneOutcomeClass {
        /// The model's spec.
        model: String,
        /// Total conversions, ΣR.
        conversions: f64,
        /// Total journeys (conversions plus non-conversions), ΣN.
        journeys: f64,
    },
    /// A channel set the model credits exactly (`dda`: 2^k coalition
    /// values) has more channels than the model's cap. Never truncated or
    /// sampled.
    #[error(
        "{model}: the channel set {set} has {k} channels, above max-channels = {max} (its exact \
         Shapley value needs 2^{k} coalition values); raise max-channels (at most 24), group \
         channels, or use markov-shapley or shapley"
    )]
    SetTooLarge {
        /// The model's spec.
        model: String,
        /// The set: its first ten channel names joined by ` + `, then `…`.
        set: String,
        /// Its number of channels.
        k: usize,
        /// The cap.
        max: usize,
    },
    /// Newton's method did not converge within its iteration budget (an
    /// internal numerical failure, not a fault of the input).
    #[error(
        "internal numerical error: the {model} fit did not converge in {iterations} Newton \
         iterations (last step {last_step:e})"
    )]
    FitNoConvergence {
        /// The model's spec.
        model: String,
        /// Iterations used.
        iterations: usize,
        /// The largest absolute component of the last step.
        last_step: f64,
    },
    /// A path transform (see [`crate::model::transform`]) could not be parsed, or
    /// the list breaks a chain rule (`frequency` must be last).
    #[error("invalid path transform #{position} `{text}`: {reason}")]
    InvalidTransform {
        /// The transform's 1-based position in the list.
        position: usize,
        /// The offending text.
        text: String,
        /// What is wrong, and what is accepted.
        reason: String,
    },
    /// The journey carries frequency tokens (the `frequency` path
    /// transform), which the model cannot build its states from yet.
    #[error(
        "model `{model}` does not support frequency tokens yet (the `frequency` path transform); use `exposure` or `first` instead"
    )]
    TokensUnsupported {
        /// The model's name.
        model: String,
    },
    /// A serialised state could not be read (see
    /// [`StateError`]).
    #[error(transparent)]
    State(#[from] StateError),
    /// Two bundles of states (see
    /// [`StateBundle::merge`](crate::model::StateBundle::merge)) do not hold
    /// states of the same model specs.
    #[error(
        "the states of {} do not match the states of {}: only states of the same model specs merge",
        describe_specs(.left),
        describe_specs(.right)
    )]
    MismatchedStates {
        /// The specs of the bundle merged into.
        left: Vec<String>,
        /// The specs of the bundle merged.
        right: Vec<String>,
    },
    /// A model whose cost grows as 2^channels (`markov-shapley`: one
    /// absorbing solve per coalition of channels) was given more channels
    /// than its `max_channels` allows. Never truncated or sampled.
    #[error(
        "model `{model}` was given {channels} channels, more than its max_channels = {max} \
         (it solves 2^channels coalitions): group channels, raise max_channels (at most 24), \
         or use `markov` (removal-effect shares) or `shapley`"
    )]
    TooManyChannels {
        /// The model's spec.
        model: String,
        /// The channels present in the input.
        channels: usize,
        /// The model's cap.
        max: usize,
    },
}

fn describe_specs(specs: &[String]) -> String {
    if specs.is_empty() {
        return "no model".to_owned();
    }
    let specs: Vec<String> = specs.iter().map(|s| format!("`{s}`")).collect();
    specs.join(", ")
}

fn describe_state(state: Option<&str>) -> String {
    match state {
        Some(spec) => format!("`{spec}`"),
        None => "another model type".to_owned(),
    }
}

fn describe_keys(known: &[String]) -> String {
    if known.is_empty() {
        "it has no parameters".to_owned()
    } else {
        format!("its parameters: {}", known.join(", "))
    }
}

fn describe_overflow(index: Option<usize>) -> String {
    match index {
        Some(i) => format!("numeric overflow at journey #{i}: "),
        None => "numeric overflow: ".to_owned(),
    }
}

fn describe_journey(index: Option<usize>, id: Option<&str>) -> String {
    match (index, id) {
        (Some(i), Some(id)) => format!("journey #{i} (`{id}`)"),
        (Some(i), None) => format!("journey #{i}"),
        (None, Some(id)) => format!("journey `{id}`"),
        (None, None) => "a journey".to_owned(),
    }
}

impl ModelError {
    /// Fills in the position of the offending journey, when the error is about one.
    #[must_use]
    pub fn at_journey(self, position: usize) -> Self {
        match self {
            Self::MissingTimestamps { index: None, id } => Self::MissingTimestamps {
                index: Some(position),
                id,
            },
            Self::Overflow { index: None, what } => Self::Overflow {
                index: Some(position),
                what,
            },
            other => other,
        }
    }
}

/// Any error of this crate, for callers that want one type.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// See [`ChannelError`].
    #[error(transparent)]
    Channel(#[from] ChannelError),
    /// See [`JourneyError`].
    #[error(transparent)]
    Journey(#[from] JourneyError),
    /// See [`ReadError`].
    #[error(transparent)]
    Read(#[from] ReadError),
    /// See [`ModelError`].
    #[error(transparent)]
    Model(#[from] ModelError),
    /// See [`BuildError`].
    #[error(transparent)]
    Build(#[from] BuildError),
    /// See [`CompareError`].
    #[error(transparent)]
    Compare(#[from] CompareError),
    /// See [`TruthError`].
    #[error(transparent)]
    Truth(#[from] TruthError),
    /// See [`SimulateError`].
    #[error(transparent)]
    Simulate(#[from] SimulateError),
}

// The errors of the input layer's timestamps and of journey assembly live
// here, below `io` and `assemble`, so that `Error` can hold them.

/// Why a timestamp was rejected: the detail of
/// [`ReadErrorKind::InvalidTimestamp`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum TimestampError {
    /// Automatic detection knows no layout that fits.
    #[error("not an ISO 8601 date or date-time nor a Unix time")]
    Unrecognized,
    /// An integer whose digit count does not tell its unit.
    #[error(
        "a {digits}-digit number is not a Unix time: seconds have up to 11 digits, milliseconds 13, microseconds 16"
    )]
    AmbiguousUnixTime {
        /// Digits before the decimal point, sign excluded.
        digits: usize,
    },
    /// The value does not match the given format.
    #[error("does not match the time format `{0}`")]
    FormatMismatch(String),
    /// The fields are well-formed but name no date or time (`2024-02-30`,
    /// `25:00`).
    #[error("no such date or time")]
    Impossible,
    /// The instant cannot be held: beyond chrono's range for journeys, or
    /// outside 1677-09-21..2262-04-11 (nanoseconds in an `i64`) for events.
    #[error("out of range")]
    OutOfRange,
    /// A local time skipped by a daylight-saving change in the reader's zone.
    #[error("local time that does not exist in time zone {zone}")]
    NonexistentLocalTime {
        /// The zone's name.
        zone: String,
    },
}

/// Why the events sorted-mode check failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum UnsortedKind {
    /// A user's events reappear after another user's.
    UserNotContiguous,
    /// A user's event is earlier than the previous one.
    TimeDecreasing,
}

/// An error raised while building journeys from events.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum BuildError {
    /// The events could not be read.
    #[error(transparent)]
    Read(#[from] ReadError),
    /// A builder option is out of range (caught at `build`).
    #[error("invalid option `{name}` = {value}: {reason}")]
    InvalidOption {
        /// The option's name.
        name: &'static str,
        /// The rejected value, as text.
        value: String,
        /// Why it was rejected.
        reason: &'static str,
    },
    /// In sorted mode, the input is not sorted by (user, time).
    #[error("line {line}: input is not sorted by (user, time) as `sorted` requires: {}", match .kind {
        UnsortedKind::UserNotContiguous => format!("user `{}` reappears after other users", .user),
        UnsortedKind::TimeDecreasing => format!("event of user `{}` is earlier than the one before it", .user),
    })]
    Unsorted {
        /// The 1-based line of the offending row (0 when the event had none).
        line: u64,
        /// The user of the offending row.
        user: String,
        /// What is out of order.
        kind: UnsortedKind,
    },
    /// More distinct users than fit in the compact (`u32`) user index.
    #[error("too many distinct users (the limit is {limit})")]
    TooManyUsers {
        /// The maximum number of users.
        limit: u64,
    },
    /// A user has more journeys than a journey index (`u32`) can number.
    #[error("user `{user}` has more than {limit} journeys")]
    TooManyJourneys {
        /// The user.
        user: String,
        /// The largest journey index.
        limit: u64,
    },
    /// A built journey violated its invariants (e.g. summed value overflowed
    /// to infinity).
    #[error("user `{user}`: {source}")]
    Journey {
        /// The user whose journey failed.
        user: String,
        /// The violated invariant.
        source: JourneyError,
    },
}

/// Why a serialised state could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum StateError {
    /// The data does not start like a state file (another file, or not a
    /// state at all).
    #[error("not an attribution state file")]
    NotAStateFile,
    /// A state file of another format version.
    #[error("state format version {found}, this build reads {supported}")]
    Version {
        /// The file's version.
        found: u32,
        /// The version this build reads.
        supported: u32,
    },
    /// The data is damaged: truncated, not decodable, or a state whose
    /// invariants do not hold.
    #[error("corrupt state: {0}")]
    Corrupt(String),
}

/// Why models' results cannot be compared
/// ([`Comparison::new`](crate::compare::Comparison::new)).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum CompareError {
    /// No result to compare.
    #[error("no model to compare")]
    NoModels,
    /// Two results carry the same label.
    #[error("two results are labelled `{0}`: every compared model needs its own label")]
    DuplicateLabel(String),
    /// One result lists a channel twice.
    #[error("the result of `{model}` lists channel `{channel}` twice")]
    DuplicateChannel {
        /// The label of the result.
        model: String,
        /// The channel.
        channel: String,
    },
    /// A credit or a total is NaN or infinite.
    #[error("the result of `{model}` has a non-finite {what}")]
    NonFinite {
        /// The label of the result.
        model: String,
        /// Which number: `total` or `credit of channel NAME`.
        what: String,
    },
}

/// Why a truth model, a truth file or a true credit was rejected
/// ([`truth`](crate::truth)). Every variant names what to fix: the line and
/// the term of an effects file, the channel of a truth file, the path that is
/// too wide.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum TruthError {
    /// A term of an effects file (`term,value`) is unknown, duplicated, has a
    /// bad value or a bad pair; `line` is the 1-based line of the file when the
    /// model was read from one.
    #[error("{}term `{term}`: {reason}", describe_line(*.line))]
    InvalidTerm {
        /// The 1-based line of the effects file, when read from one.
        line: Option<u64>,
        /// The term as written (trimmed).
        term: String,
        /// What is wrong with it.
        reason: String,
    },
    /// A required term is absent: `(intercept)`, `(length)` or `(length-cap)`.
    #[error("the required term `{0}` is missing")]
    MissingTerm(&'static str),
    /// A channel of the input has no row in the effects file (`file` =
    /// `"effects"`) or the truth file (`file` = `"truth"`).
    #[error("channel `{channel}` of the input has no row in the {file} file")]
    MissingChannel {
        /// The channel.
        channel: String,
        /// `"effects"` or `"truth"`.
        file: &'static str,
    },
    /// A row of a truth file (`channel,true_conversions`) is rejected: a
    /// channel outside the input, a duplicate, a non-finite value.
    #[error("{}channel `{channel}`: {reason}", describe_line(*.line))]
    InvalidTruthRow {
        /// The 1-based line of the truth file, when read from one.
        line: Option<u64>,
        /// The channel as written.
        channel: String,
        /// What is wrong with it.
        reason: String,
    },
    /// A distinct path has more distinct channels than the exact true credit
    /// enumerates (2^k coalitions per path).
    #[error(
        "{}the path `{path}` has {channels} distinct channels; the exact true credit \
         enumerates 2^k coalitions and stops above {max}: group channels (e.g. by \
         family) before evaluating",
        describe_line(*.line)
    )]
    PathTooWide {
        /// The path, touches joined by ` > `.
        path: String,
        /// The line of its first occurrence in a paths file, when known.
        line: Option<u64>,
        /// Its number of distinct channels.
        channels: usize,
        /// The cap (20).
        max: usize,
    },
    /// The file is not valid CSV, lacks its header or cannot be read.
    #[error("{0}")]
    Format(String),
    /// Credits cannot be scored against the truth: the two vectors differ in
    /// length, or a value (named: `model credit of channel X`, `truth of
    /// channel X`, `x[i]`, `t[i]`) is NaN or infinite.
    #[error("cannot score: {0}")]
    Unscorable(String),
    /// A journey given to [`TruthPaths`](crate::truth::TruthPaths) names a
    /// channel id (the raw number) outside the channel table passed with it.
    #[error("channel id {0} is not in the channel table given with the journey")]
    UnknownChannel(u32),
    /// A channel name of a path given to
    /// [`TruthPaths`](crate::truth::TruthPaths) is rejected by the channel
    /// table (empty, reserved, too many channels).
    #[error(transparent)]
    Channel(#[from] ChannelError),
}

/// `line N: ` or nothing.
fn describe_line(line: Option<u64>) -> String {
    line.map(|l| format!("line {l}: ")).unwrap_or_default()
}

/// Why the simulator (module `simulate`, feature `simulate`) stopped: a bad
/// configuration (the field and why), an input whose conversion rate no
/// intercept can match, an input without a journey, a distinct-rows request
/// that the path space cannot fill, or a failed write.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SimulateError {
    /// A configuration field is out of range.
    #[error("invalid simulation setting `{field}`: {reason}")]
    InvalidConfig {
        /// The field (`journeys`, `effect_sd`, …).
        field: &'static str,
        /// Why the value is rejected.
        reason: String,
    },
    /// The input of a fitted touch law has no conversion (r* = 0): no
    /// intercept gives its conversion rate.
    #[error(
        "the input has no conversions: no intercept makes simulated journeys convert at \
         its rate 0 (give an input with conversions)"
    )]
    NoConversions,
    /// Every journey of the input of a fitted touch law converts (r* = 1).
    #[error(
        "the input has no non-conversions: no intercept makes simulated journeys convert at \
         its rate 1 (give an input with non-converting journeys)"
    )]
    NoNonConversions,
    /// The input of a fitted touch law has no journey with a touch (and a
    /// positive journey count).
    #[error("the input has no journey with a touch: there is no touch law to fit")]
    EmptyInput,
    /// A journey refers to a channel id outside the channel table it was
    /// observed with.
    #[error("journey refers to channel id {id}, but the channel table holds {len} channels")]
    UnknownChannel {
        /// The raw channel id.
        id: u32,
        /// The size of the channel table.
        len: usize,
    },
    /// The channel table given to an observation renames a channel the
    /// counts already know (a different table; merge counts of different
    /// tables instead).
    #[error(
        "channel #{index} is `{counts}` in the law counts but `{table}` in the channel table: \
         observe each table into its own counts and merge them"
    )]
    ChannelMismatch {
        /// The 0-based channel index.
        index: usize,
        /// The name the counts hold.
        counts: String,
        /// The name the table holds.
        table: String,
    },
    /// A journey count overflowed 64 bits.
    #[error("the input's journey counts overflow 64 bits")]
    Overflow,
    /// Distinct-rows mode: consecutive draws gave only paths already written,
    /// so the path space is (nearly) used up.
    #[error(
        "no new distinct path after {attempts} draws ({rows_written} rows written): ask for \
         fewer paths, more channels or longer paths"
    )]
    Exhausted {
        /// Rows written before giving up.
        rows_written: usize,
        /// Consecutive draws that all gave an already written path.
        attempts: usize,
    },
    /// A drawn or solved term was rejected by the truth model (e.g. an effect
    /// that overflowed to infinity).
    #[error(transparent)]
    Truth(#[from] TruthError),
    /// A channel could not be interned (too many channels).
    #[error(transparent)]
    Channel(#[from] ChannelError),
    /// Writing the output failed.
    #[error("cannot write simulated paths: {0}")]
    Io(#[from] std::io::Error),
}
