//! [`JourneyBuilder`]: the options of a journey build and its entry points.

use std::io::Read;
use std::time::Duration;

use rustc_hash::FxHashMap;

use super::assembler::{Assembler, Settings};
use super::report::BuildReport;
use crate::channel::Channels;
use crate::error::BuildError;
use crate::io::events::{EventReader, EventRecord};
use crate::journey::{Journey, JourneySet};

/// Builds journeys from an event log (group by user, sort by time, split,
/// window, exclude).
///
/// Setters take and return `&mut Self`; options are validated when a build
/// starts. Defaults: split after each conversion, no lookback, no inactivity
/// timeout, repeats kept, nothing excluded, no touch limit, duplicates kept,
/// input in any order.
///
/// # The rules, in the order they apply
///
/// Each user's events are sorted by time (stable: events at the same instant
/// keep their input order), then:
///
/// 1. **Duplicates** ([`drop_duplicates`](Self::drop_duplicates), off by
///    default): an event identical to an earlier one of the same user — same
///    time, same channel (or both none), same conversion flag and value — is
///    dropped. A dropped conversion row's conversion and value are counted in
///    [`DroppedEvents`](super::DroppedEvents), nowhere else.
/// 2. **Cutting into journeys.** Events are walked in time order.
///    * *Inactivity* ([`session_timeout`](Self::session_timeout)): when the gap
///      between two consecutive events of the user (every event counts, excluded
///      channels included: they are activity) is *longer* than the timeout, the
///      open journey ends; if it holds no conversion it is a non-converting
///      journey.
///    * A touch (a row with a channel) joins the open journey. A conversion row
///      adds one conversion and its value; a *converting visit* (a conversion
///      row with a channel) first adds its touch, so the visit is the
///      journey's last touch.
///    * *Split on conversion* (default on): a conversion ends the open journey,
///      with the conversion's time as its conversion time. Further conversion
///      rows at **the same instant**, with no other event between, join that
///      journey (conversions 2, 3, …; values summed; a converting visit's touch
///      appended). Two conversions at different instants with no touch between
///      give the second one an empty journey: it is *unattributed* (rule 7).
///    * With splitting off, a journey holds all its conversions (and the touches
///      after the last one); its conversion time is that of the last conversion.
///    * A journey left open when the user's events end is non-converting
///      (`non_conversions` = 1).
/// 3. **Excluded channels** ([`exclude_channels`](Self::exclude_channels)):
///    their touches are dropped (a converting visit on one becomes a bare
///    conversion). Excluded channels are not entered in the channel table.
/// 4. **Lookback** ([`lookback`](Self::lookback)): in a converting journey,
///    touches earlier than `conversion time − window` are dropped (a touch
///    exactly at the boundary stays). Non-converting journeys are untouched.
/// 5. **Collapse repeats** ([`collapse_repeats`](Self::collapse_repeats), off by
///    default): consecutive touches on the same channel become one, the first
///    (its time is kept).
/// 6. **Max touches** ([`max_touches`](Self::max_touches)): only the last N
///    touches are kept.
/// 7. **Empty journeys.** A converting journey with no touch left is not built:
///    its conversions and value are counted as *unattributed* in the
///    [`BuildReport`]. A non-converting one with no touch left is counted in
///    `dropped.empty_journeys`.
///
/// Exclusion comes before lookback and collapsing so that `PPC > Direct > PPC`
/// with Direct excluded collapses to `PPC`; the touch limit comes last so that
/// N counts the touches actually kept.
///
/// # Output
///
/// Journeys are ordered by the first appearance of their user in the input,
/// then by time. Every journey has its user id as its [`id`](crate::Journey::id),
/// unchanged; when a user has several journeys they are numbered 1, 2, … in
/// time order by their [`journey_index`](crate::Journey::journey_index) (a
/// user's only journey has none). Ids are opaque strings compared exactly, so
/// the user `u` with two journeys, (`u`, 1) and (`u`, 2), and a user named
/// `u#1`, (`u#1`, none), stay distinct. Every touch
/// carries its timestamp (UTC); converting journeys carry their conversion
/// time. Channel ids follow the first appearance of each channel in the input.
///
/// # Memory
///
/// By default every event is held, as 24 bytes (interned user and channel,
/// `i64` nanoseconds, value), plus the user-id table. With
/// [`sorted(true)`](Self::sorted) the input must already be grouped by user and
/// in time order within each user; only one user's events are held (plus the set
/// of user ids seen, to detect a user that reappears).
///
/// # Complexity
///
/// O(n log n) time for n events (the sort; O(n) in sorted mode).
///
/// # Example
///
/// ```
/// use attribution::assemble::{parse_duration, JourneyBuilder};
/// use attribution::io::events::EventReaderBuilder;
///
/// let log = "user_id,timestamp,channel,conversion,value\n\
///            ann,2024-01-01T09:00:00Z,PPC,0,0\n\
///            ann,2024-03-01T09:00:00Z,Email,0,0\n\
///            ann,2024-03-04T09:00:00Z,LinkedIn,1,120\n\
///            bob,2024-03-02T09:00:00Z,Direct,0,0\n\
///            bob,2024-03-02T09:05:00Z,,1,80\n";
/// let reader = EventReaderBuilder::new().from_reader(log.as_bytes())?;
/// let (journeys, report) = JourneyBuilder::new()
///     .lookback(parse_duration("30d")?)
///     .exclude_channels(["Direct"])
///     .build(reader)?;
/// let channels = journeys.channels();
/// let ann = &journeys.journeys()[0];
/// let path: Vec<_> = ann.channels().filter_map(|c| channels.name(c)).collect();
/// assert_eq!(path, ["Email", "LinkedIn"]); // PPC is 60 days before the purchase
/// assert_eq!((ann.id(), ann.conversions(), ann.value()), (Some("ann"), 1, 120.0));
/// assert_eq!(journeys.len(), 1);
/// assert_eq!((report.unattributed_conversions, report.unattributed_value), (1, 80.0));
/// assert_eq!((report.dropped.lookback, report.dropped.excluded_channel), (1, 1));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone)]
pub struct JourneyBuilder {
    split: bool,
    lookback: Option<Duration>,
    timeout: Option<Duration>,
    collapse: bool,
    exclude: Vec<String>,
    max_touches: Option<usize>,
    dedup: bool,
    sorted: bool,
}

impl Default for JourneyBuilder {
    fn default() -> Self {
        Self {
            split: true,
            lookback: None,
            timeout: None,
            collapse: false,
            exclude: Vec::new(),
            max_touches: None,
            dedup: false,
            sorted: false,
        }
    }
}

impl JourneyBuilder {
    /// A builder with the default options.
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }

    /// Split after each conversion (default `true`); `false` builds one journey
    /// per user (or per inactivity session). CLI: `--no-split`.
    pub fn split_on_conversion(&mut self, yes: bool) -> &mut Self {
        self.split = yes;
        self
    }

    /// Drop touches older than `window` before their conversion (`None`, the
    /// default, keeps all). CLI: `--lookback 30d`.
    pub fn lookback(&mut self, window: impl Into<Option<Duration>>) -> &mut Self {
        self.lookback = window.into();
        self
    }

    /// End a journey when the user is inactive for longer than `timeout`
    /// (`None`, the default, never). CLI: `--session-timeout 30m`.
    pub fn session_timeout(&mut self, timeout: impl Into<Option<Duration>>) -> &mut Self {
        self.timeout = timeout.into();
        self
    }

    /// Merge consecutive touches on the same channel (default `false`).
    /// CLI: `--collapse-repeats`.
    pub fn collapse_repeats(&mut self, yes: bool) -> &mut Self {
        self.collapse = yes;
        self
    }

    /// Drop the touches on these channels (names trimmed, case-sensitive);
    /// replaces any earlier list. CLI: `--exclude Direct,Unknown`.
    pub fn exclude_channels<I, S>(&mut self, names: I) -> &mut Self
    where
        I: IntoIterator<Item = S>,
        S: AsRef<str>,
    {
        self.exclude = names.into_iter().map(|s| s.as_ref().to_owned()).collect();
        self
    }

    /// Keep at most the last `n` touches of each journey (`None`, the default,
    /// keeps all; `Some(0)` is rejected at build). CLI: `--max-touches N`.
    pub fn max_touches(&mut self, n: impl Into<Option<usize>>) -> &mut Self {
        self.max_touches = n.into();
        self
    }

    /// Drop repeated identical events (default `false`); see rule 1.
    pub fn drop_duplicates(&mut self, yes: bool) -> &mut Self {
        self.dedup = yes;
        self
    }

    /// Promise that the input is sorted by (user, time): stream it, holding one
    /// user at a time (default `false`). A violation is a
    /// [`BuildError::Unsorted`] naming the line. CLI: `--sorted`.
    pub fn sorted(&mut self, yes: bool) -> &mut Self {
        self.sorted = yes;
        self
    }

    /// Builds journeys from an events file.
    ///
    /// # Errors
    ///
    /// [`BuildError::InvalidOption`] (max touches 0, a window longer than
    /// `i64::MAX` ns ≈ 292 years, an empty excluded name), [`BuildError::Read`]
    /// (any reader error; in lenient mode only I/O), [`BuildError::Unsorted`]
    /// (sorted mode), [`BuildError::TooManyUsers`], [`BuildError::Journey`]
    /// (a journey's summed value overflows).
    pub fn build<R: Read>(
        &self,
        mut reader: EventReader<R>,
    ) -> Result<(JourneySet, BuildReport), BuildError> {
        let settings = self.settings()?;
        let mut assembler = Assembler::new(&settings);
        let mut event = EventRecord::default();
        while reader.read_event(&mut event)? {
            assembler.push(&event)?;
        }
        let (set, mut report) = assembler.finish()?;
        add_reader_counts(&mut report, &reader);
        Ok((set, report))
    }

    /// Builds journeys from an events file and hands each one to `f` as soon
    /// as it is complete, with the channel table as it stands (its ids are
    /// final). Same journeys, in the same order, with the same ids, as
    /// [`JourneyBuilder::build`]; returns the final channel table and the
    /// report.
    ///
    /// In [`sorted`](Self::sorted) mode memory stays flat: one user's events
    /// and journeys are held at a time (plus the user ids seen). Otherwise
    /// every event is held, as by `build`, and the journeys are handed over
    /// at the end.
    ///
    /// # Errors
    ///
    /// As [`JourneyBuilder::build`] (converted into `E`), and the first error
    /// of `f`, which ends the build.
    ///
    /// # Example
    ///
    /// ```
    /// use attribution::assemble::{BuildError, JourneyBuilder};
    /// use attribution::io::events::EventReaderBuilder;
    ///
    /// let log = "user_id,timestamp,channel,conversion\n\
    ///            ann,2024-03-01T09:00:00Z,PPC,0\n\
    ///            ann,2024-03-02T09:00:00Z,Email,1\n\
    ///            bob,2024-03-02T09:00:00Z,Email,0\n";
    /// let reader = EventReaderBuilder::new().from_reader(log.as_bytes())?;
    /// let mut paths = Vec::new();
    /// let (channels, report) = JourneyBuilder::new().sorted(true).for_each_journey(
    ///     reader,
    ///     |journey, channels| {
    ///         let names: Vec<_> = journey.channels().filter_map(|c| channels.name(c)).collect();
    ///         paths.push((journey.id().map(str::to_owned), names.join(" > ")));
    ///         Ok::<(), BuildError>(())
    ///     },
    /// )?;
    /// assert_eq!(paths, [
    ///     (Some("ann".to_owned()), "PPC > Email".to_owned()),
    ///     (Some("bob".to_owned()), "Email".to_owned()),
    /// ]);
    /// assert_eq!((channels.len(), report.journeys), (2, 2));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn for_each_journey<R, E, F>(
        &self,
        mut reader: EventReader<R>,
        mut f: F,
    ) -> Result<(Channels, BuildReport), E>
    where
        R: Read,
        E: From<BuildError>,
        F: FnMut(&Journey, &Channels) -> Result<(), E>,
    {
        let settings = self.settings()?;
        let mut assembler = Assembler::new(&settings);
        let mut event = EventRecord::default();
        while reader.read_event(&mut event).map_err(BuildError::from)? {
            assembler.push(&event)?;
            let (journeys, channels) = assembler.drain_journeys();
            for journey in journeys {
                f(&journey, channels)?;
            }
        }
        assembler.flush()?;
        let (journeys, channels) = assembler.drain_journeys();
        for journey in journeys {
            f(&journey, channels)?;
        }
        let (channels, _, mut report) = assembler.into_parts();
        add_reader_counts(&mut report, &reader);
        Ok((channels, report))
    }

    /// Builds journeys from events already in memory. Errors name
    /// [`EventRecord::line`] (0 unless set).
    ///
    /// # Errors
    ///
    /// As [`JourneyBuilder::build`], plus [`BuildError::Read`] for a
    /// non-conversion event without a channel or a conversion value that is
    /// negative or not finite.
    ///
    /// # Example
    ///
    /// ```
    /// use attribution::assemble::JourneyBuilder;
    /// use attribution::io::events::EventRecord;
    /// use chrono::DateTime;
    ///
    /// let t = |s| DateTime::from_timestamp(s, 0).unwrap();
    /// let (set, report) = JourneyBuilder::new().build_from_events([
    ///     EventRecord::conversion("u", t(50), None, 10.0),
    ///     EventRecord::touch("u", t(10), "Email"),
    ///     EventRecord::conversion("u", t(20), Some("PPC"), 5.0),
    /// ])?;
    /// assert_eq!(set.len(), 1); // Email > PPC, converted at t = 20
    /// assert_eq!(set.journeys()[0].id(), Some("u"));
    /// assert_eq!((report.conversions, report.unattributed_conversions), (1, 1));
    /// # Ok::<(), attribution::assemble::BuildError>(())
    /// ```
    pub fn build_from_events<I>(&self, events: I) -> Result<(JourneySet, BuildReport), BuildError>
    where
        I: IntoIterator<Item = EventRecord>,
    {
        let settings = self.settings()?;
        let mut assembler = Assembler::new(&settings);
        for event in events {
            assembler.push(&event)?;
        }
        assembler.finish()
    }

    fn settings(&self) -> Result<Settings, BuildError> {
        let nanos = |name: &'static str, d: Option<Duration>| -> Result<Option<i64>, BuildError> {
            d.map(|d| {
                i64::try_from(d.as_nanos()).map_err(|_| BuildError::InvalidOption {
                    name,
                    value: format!("{d:?}"),
                    reason: "longer than i64::MAX nanoseconds (about 292 years)",
                })
            })
            .transpose()
        };
        if self.max_touches == Some(0) {
            return Err(BuildError::InvalidOption {
                name: "max_touches",
                value: "0".to_owned(),
                reason: "must be at least 1",
            });
        }
        let mut exclude = FxHashMap::default();
        for name in &self.exclude {
            let trimmed = name.trim();
            if trimmed.is_empty() {
                return Err(BuildError::InvalidOption {
                    name: "exclude_channels",
                    value: format!("{name:?}"),
                    reason: "empty channel name",
                });
            }
            let next = u32::try_from(exclude.len()).unwrap_or(u32::MAX) & !(1 << 31);
            exclude.entry(trimmed.into()).or_insert(next);
        }
        Ok(Settings {
            split: self.split,
            lookback: nanos("lookback", self.lookback)?,
            timeout: nanos("session_timeout", self.timeout)?,
            collapse: self.collapse,
            exclude,
            max_touches: self.max_touches,
            dedup: self.dedup,
            sorted: self.sorted,
        })
    }
}

/// The reader's own counts in the build report: rows rejected in lenient
/// mode, and rows skipped because they are neither a touch nor a conversion.
fn add_reader_counts<R: Read>(report: &mut BuildReport, reader: &EventReader<R>) {
    report.rows_rejected = reader
        .rejected()
        .iter()
        .map(|(reason, &n)| ((*reason).to_owned(), n))
        .collect();
    report.events_without_channel = reader.skipped_without_channel();
    report.rejected_lines = reader.rejected_lines().to_vec();
}
