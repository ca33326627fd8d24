//! The journey-assembly algorithm behind [`JourneyBuilder`](super::JourneyBuilder).
//!
//! Events are held compactly ([`CompactEvent`], 24 bytes: interned user and
//! channel, `i64` nanoseconds, value). In the default mode every event is held,
//! then stably sorted by (user, time); in sorted mode only the current user's.
//! Either way each user's events go through [`Assembler::process_user`], which
//! applies the rules in the order documented on the builder.

use chrono::DateTime;
use rustc_hash::{FxHashMap, FxHashSet};

use super::report::BuildReport;
use crate::channel::{ChannelId, Channels};
use crate::error::{BuildError, ReadError, ReadErrorKind, UnsortedKind};
use crate::io::events::EventRecord;
use crate::journey::{Journey, JourneySet, Touchpoint};
use crate::numeric::CompensatedSum;

/// No channel: a bare conversion.
const NO_CHANNEL: u32 = u32::MAX;
/// Set on the channel of an excluded channel's touch; the low bits index the
/// exclusion list, so distinct excluded channels stay distinct for de-duplication.
const EXCLUDED_BIT: u32 = 1 << 31;
/// The value of a non-conversion event (conversion values are `>= 0`).
const NOT_A_CONVERSION: f64 = -1.0;

/// One event, compactly: 24 bytes.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct CompactEvent {
    time: i64,
    value: f64,
    user: u32,
    channel: u32,
}

impl CompactEvent {
    fn is_conversion(&self) -> bool {
        self.value >= 0.0
    }

    fn has_touch(&self) -> bool {
        self.channel != NO_CHANNEL
    }

    /// The same event again (user compared by the caller): same time, channel,
    /// conversion flag and value.
    fn duplicates(&self, other: &Self) -> bool {
        self.time == other.time
            && self.channel == other.channel
            && self.value.to_bits() == other.value.to_bits()
    }
}

/// The validated options.
#[derive(Debug, Clone)]
pub(crate) struct Settings {
    pub(crate) split: bool,
    pub(crate) lookback: Option<i64>,
    pub(crate) timeout: Option<i64>,
    pub(crate) collapse: bool,
    pub(crate) exclude: FxHashMap<Box<str>, u32>,
    pub(crate) max_touches: Option<usize>,
    pub(crate) dedup: bool,
    pub(crate) sorted: bool,
}

/// A journey in the making: touches `start..end` of the touch buffer.
#[derive(Debug, Clone, Copy, Default)]
struct Segment {
    start: usize,
    end: usize,
    conversions: u64,
    value: f64,
    conversion_time: Option<i64>,
}

/// Buffers reused from one user to the next.
#[derive(Debug, Default)]
struct Scratch {
    kept: Vec<CompactEvent>,
    touches: Vec<(u32, i64)>,
    segments: Vec<Segment>,
    work: Vec<(u32, i64)>,
    journeys: Vec<Journey>,
}

#[derive(Debug, Default)]
struct Sums {
    total: CompensatedSum,
    unattributed: CompensatedSum,
    ignored: CompensatedSum,
    duplicate: CompensatedSum,
}

pub(crate) struct Assembler<'s> {
    settings: &'s Settings,
    channels: Channels,
    report: BuildReport,
    sums: Sums,
    journeys: Vec<Journey>,
    /// All events (default mode) or the current user's (sorted mode).
    events: Vec<CompactEvent>,
    /// Default mode: user ids interned in order of first appearance.
    users: FxHashMap<Box<str>, u32>,
    /// Sorted mode: the current user, and the users already finished.
    current: Option<Box<str>>,
    seen: FxHashSet<Box<str>>,
    scratch: Scratch,
    /// Touch rows read per excluded channel, by exclusion index.
    excluded_seen: Vec<u64>,
}

impl<'s> Assembler<'s> {
    pub(crate) fn new(settings: &'s Settings) -> Self {
        Self {
            settings,
            channels: Channels::new(),
            report: BuildReport::default(),
            sums: Sums::default(),
            journeys: Vec::new(),
            events: Vec::new(),
            users: FxHashMap::default(),
            current: None,
            seen: FxHashSet::default(),
            scratch: Scratch::default(),
            excluded_seen: vec![0; settings.exclude.len()],
        }
    }

    pub(crate) fn push(&mut self, event: &EventRecord) -> Result<(), BuildError> {
        let line = event.line();
        let channel = match event.channel() {
            None if !event.is_conversion() => {
                return Err(ReadError::new(ReadErrorKind::EmptyField)
                    .at_line(line)
                    .in_column("channel")
                    .into());
            }
            None => NO_CHANNEL,
            Some(name) => match self.settings.exclude.get(name.trim()) {
                Some(&k) => {
                    if let Some(n) = usize::try_from(k)
                        .ok()
                        .and_then(|i| self.excluded_seen.get_mut(i))
                    {
                        *n += 1;
                    }
                    EXCLUDED_BIT | k
                }
                None => self.intern_channel(name, line)?,
            },
        };
        let value = if event.is_conversion() {
            let v = event.value();
            if !v.is_finite() || v < 0.0 {
                return Err(ReadError::new(ReadErrorKind::InvalidValue)
                    .at_line(line)
                    .in_column("value")
                    .with_text(&v.to_string())
                    .into());
            }
            v + 0.0
        } else {
            self.sums.ignored.add(event.value());
            NOT_A_CONVERSION
        };
        let r = &mut self.report;
        r.events_read += 1;
        r.touch_events += u64::from(channel != NO_CHANNEL);
        r.conversion_events += u64::from(event.is_conversion());

        let time = event.time_nanos();
        let user = if self.settings.sorted {
            if self.current.as_deref() != Some(event.user()) {
                if self.seen.contains(event.user()) {
                    return Err(BuildError::Unsorted {
                        line,
                        user: event.user().to_owned(),
                        kind: UnsortedKind::UserNotContiguous,
                    });
                }
                self.flush_current()?;
                self.current = Some(event.user().into());
                self.report.users += 1;
            } else if self.events.last().is_some_and(|last| last.time > time) {
                return Err(BuildError::Unsorted {
                    line,
                    user: event.user().to_owned(),
                    kind: UnsortedKind::TimeDecreasing,
                });
            }
            0
        } else if let Some(&id) = self.users.get(event.user()) {
            id
        } else {
            let id = u32::try_from(self.users.len()).map_err(|_| BuildError::TooManyUsers {
                limit: u64::from(u32::MAX),
            })?;
            self.users.insert(event.user().into(), id);
            id
        };
        self.events.push(CompactEvent {
            time,
            value,
            user,
            channel,
        });
        Ok(())
    }

    fn intern_channel(&mut self, name: &str, line: u64) -> Result<u32, BuildError> {
        let known = self.channels.len();
        let id = self.channels.intern(name).map_err(|e| {
            ReadError::new(ReadErrorKind::Channel(e))
                .at_line(line)
                .in_column("channel")
                .with_text(name)
        })?;
        if self.channels.len() > known {
            self.report.channel_lines.push(line);
        }
        if id.get() >= EXCLUDED_BIT {
            return Err(ReadError::new(ReadErrorKind::Channel(
                crate::error::ChannelError::TooMany { limit: 1 << 31 },
            ))
            .at_line(line)
            .into());
        }
        Ok(id.get())
    }

    /// Sorted mode: builds the current user's journeys and forgets its events.
    fn flush_current(&mut self) -> Result<(), BuildError> {
        if let Some(user) = self.current.take() {
            let events = std::mem::take(&mut self.events);
            self.process_user(&user, &events)?;
            self.events = events;
            self.events.clear();
            self.seen.insert(user);
        }
        Ok(())
    }

    /// Builds the journeys of the users not built yet: in sorted mode the
    /// last user's, otherwise every user's (after sorting the events).
    pub(crate) fn flush(&mut self) -> Result<(), BuildError> {
        if self.settings.sorted {
            return self.flush_current();
        }
        self.report.users = self.users.len() as u64;
        let mut names: Vec<Box<str>> = vec![Box::from(""); self.users.len()];
        for (name, id) in self.users.drain() {
            if let Some(slot) = usize::try_from(id).ok().and_then(|i| names.get_mut(i)) {
                *slot = name;
            }
        }
        let mut events = std::mem::take(&mut self.events);
        // Stable: events of one user at the same instant keep input order.
        events.sort_by_key(|e| (e.user, e.time));
        for group in events.chunk_by(|a, b| a.user == b.user) {
            let name = group
                .first()
                .and_then(|e| usize::try_from(e.user).ok())
                .and_then(|i| names.get(i))
                .map_or("", AsRef::as_ref);
            self.process_user(name, group)?;
        }
        Ok(())
    }

    /// The journeys built so far (taken out), with the channel table their
    /// ids refer to.
    pub(crate) fn drain_journeys(&mut self) -> (std::vec::Drain<'_, Journey>, &Channels) {
        (self.journeys.drain(..), &self.channels)
    }

    /// The channel table, the journeys not drained and the report, once
    /// [`Assembler::flush`] has run.
    pub(crate) fn into_parts(self) -> (Channels, Vec<Journey>, BuildReport) {
        let mut report = self.report;
        report.total_value = self.sums.total.value();
        report.unattributed_value = self.sums.unattributed.value();
        report.ignored_touch_value = self.sums.ignored.value();
        report.dropped.duplicate_value = self.sums.duplicate.value();
        report.dropped.excluded_per_channel = self
            .settings
            .exclude
            .iter()
            .map(|(name, &k)| {
                let seen = usize::try_from(k)
                    .ok()
                    .and_then(|i| self.excluded_seen.get(i))
                    .copied()
                    .unwrap_or(0);
                (name.to_string(), seen)
            })
            .collect();
        (self.channels, self.journeys, report)
    }

    pub(crate) fn finish(mut self) -> Result<(JourneySet, BuildReport), BuildError> {
        self.flush()?;
        let (channels, journeys, report) = self.into_parts();
        let mut set = JourneySet::new(channels);
        for journey in journeys {
            set.push(journey).map_err(|source| BuildError::Journey {
                user: String::new(),
                source,
            })?;
        }
        Ok((set, report))
    }

    /// Builds the journeys of one user from its events sorted by time.
    fn process_user(&mut self, user: &str, events: &[CompactEvent]) -> Result<(), BuildError> {
        let mut scratch = std::mem::take(&mut self.scratch);
        self.deduplicate(events, &mut scratch.kept);
        self.segment(&scratch.kept, &mut scratch.touches, &mut scratch.segments);
        scratch.journeys.clear();
        for segment in &scratch.segments {
            let touches = scratch
                .touches
                .get(segment.start..segment.end)
                .unwrap_or_default();
            if let Some(journey) = self.finish_segment(user, segment, touches, &mut scratch.work)? {
                scratch.journeys.push(journey);
            }
        }
        // A user's only journey has no index; several are numbered 1, 2, …
        // in time order.
        let single = scratch.journeys.len() == 1;
        for (k, journey) in scratch.journeys.drain(..).enumerate() {
            let mut journey = journey.with_id(user);
            if !single {
                let index = u32::try_from(k + 1).map_err(|_| BuildError::TooManyJourneys {
                    user: user.to_owned(),
                    limit: u64::from(u32::MAX),
                })?;
                journey = journey.with_journey_index(index);
            }
            self.journeys.push(journey);
        }
        self.scratch = scratch;
        Ok(())
    }

    /// Rule 1: drops repeated identical events; counts the conversions kept.
    fn deduplicate(&mut self, events: &[CompactEvent], kept: &mut Vec<CompactEvent>) {
        kept.clear();
        let mut run_start = 0;
        let mut previous_time = None;
        for e in events {
            if previous_time != Some(e.time) {
                run_start = kept.len();
                previous_time = Some(e.time);
            }
            let duplicate = self.settings.dedup
                && kept
                    .get(run_start..)
                    .is_some_and(|run| run.iter().any(|k| k.duplicates(e)));
            if duplicate {
                let d = &mut self.report.dropped;
                d.duplicate_rows += 1;
                d.duplicate_touches += u64::from(e.has_touch());
                if e.is_conversion() {
                    d.duplicate_conversions += 1;
                    self.sums.duplicate.add(e.value);
                }
                continue;
            }
            if e.is_conversion() {
                self.sums.total.add(e.value);
            }
            kept.push(*e);
        }
    }

    /// Rule 2: cuts the events into journeys at conversions and inactivity gaps.
    fn segment(
        &self,
        events: &[CompactEvent],
        touches: &mut Vec<(u32, i64)>,
        segments: &mut Vec<Segment>,
    ) {
        touches.clear();
        segments.clear();
        let split = self.settings.split;
        let mut open = Segment::default();
        let mut previous_time: Option<i64> = None;
        // The previous event closed a journey with a conversion.
        let mut just_converted = false;
        let close = |open: &mut Segment, touches: &Vec<(u32, i64)>, segments: &mut Vec<Segment>| {
            open.end = touches.len();
            if open.end > open.start || open.conversions > 0 {
                segments.push(*open);
            }
            *open = Segment {
                start: touches.len(),
                end: touches.len(),
                ..Segment::default()
            };
        };
        for e in events {
            if let (Some(limit), Some(previous)) = (self.settings.timeout, previous_time) {
                if e.time.saturating_sub(previous) > limit {
                    close(&mut open, touches, segments);
                    just_converted = false;
                }
            }
            let same_moment = previous_time == Some(e.time);
            previous_time = Some(e.time);
            if split && just_converted && same_moment && e.is_conversion() {
                // Another conversion at the very instant of the one that just
                // closed a journey (e.g. two items bought together) joins it.
                if let Some(last) = segments.last_mut() {
                    if e.has_touch() {
                        touches.push((e.channel, e.time));
                        last.end = touches.len();
                        open.start = touches.len();
                        open.end = touches.len();
                    }
                    last.conversions += 1;
                    last.value += e.value;
                    continue;
                }
            }
            just_converted = false;
            if e.has_touch() {
                touches.push((e.channel, e.time));
            }
            if e.is_conversion() {
                open.conversions += 1;
                open.value += e.value;
                open.conversion_time = Some(e.time);
                if split {
                    close(&mut open, touches, segments);
                    just_converted = true;
                }
            }
        }
        close(&mut open, touches, segments);
    }

    /// Rules 3–6 on one journey: exclusion, lookback, collapse, max touches;
    /// then either a journey or an unattributed conversion.
    fn finish_segment(
        &mut self,
        user: &str,
        segment: &Segment,
        touches: &[(u32, i64)],
        work: &mut Vec<(u32, i64)>,
    ) -> Result<Option<Journey>, BuildError> {
        let s = self.settings;
        let d = &mut self.report.dropped;
        work.clear();
        for &touch in touches {
            if touch.0 & EXCLUDED_BIT == 0 {
                work.push(touch);
            } else {
                d.excluded_channel += 1;
            }
        }
        if let (Some(window), Some(at)) = (s.lookback, segment.conversion_time) {
            let cutoff = at.saturating_sub(window);
            let before = work.len();
            work.retain(|&(_, t)| t >= cutoff);
            d.lookback += (before - work.len()) as u64;
        }
        if s.collapse {
            let before = work.len();
            work.dedup_by_key(|t| t.0);
            d.collapsed_repeats += (before - work.len()) as u64;
        }
        if let Some(max) = s.max_touches {
            if work.len() > max {
                let cut = work.len() - max;
                work.drain(..cut);
                d.max_touches += cut as u64;
            }
        }
        if work.is_empty() {
            if segment.conversions > 0 {
                self.report.unattributed_conversions += segment.conversions;
                self.sums.unattributed.add(segment.value);
            } else {
                d.empty_journeys += 1;
            }
            return Ok(None);
        }
        let points: Vec<Touchpoint> = work
            .iter()
            .filter_map(|&(c, t)| {
                let channel = usize::try_from(c).ok().and_then(ChannelId::from_index)?;
                Some(Touchpoint::at(channel, DateTime::from_timestamp_nanos(t)))
            })
            .collect();
        let converted = segment.conversions > 0;
        let mut journey = Journey::new(
            points,
            segment.conversions,
            u64::from(!converted),
            segment.value,
        )
        .map_err(|source| BuildError::Journey {
            user: user.to_owned(),
            source,
        })?;
        if let Some(at) = segment.conversion_time {
            journey = journey.with_conversion_time(DateTime::from_timestamp_nanos(at));
        }
        let r = &mut self.report;
        r.journeys += 1;
        r.converting_journeys += u64::from(converted);
        r.conversions += segment.conversions;
        r.touches_in_journeys += journey.len() as u64;
        Ok(Some(journey))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn compact_event_is_24_bytes() {
        assert_eq!(std::mem::size_of::<CompactEvent>(), 24);
    }
}
