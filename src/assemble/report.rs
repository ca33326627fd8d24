//! What a journey build read, built, dropped and could not attribute.

use std::collections::BTreeMap;
use std::fmt;

use serde::Serialize;

/// Events dropped by a builder option, per option.
///
/// Touch counts are in touches (a converting visit carries one touch). Every
/// touch read ends up in exactly one journey or in exactly one of these
/// counters; see [`BuildReport`] for the balance.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
#[non_exhaustive]
pub struct DroppedEvents {
    /// Rows dropped as duplicates ([`drop_duplicates`](super::JourneyBuilder::drop_duplicates)).
    pub duplicate_rows: u64,
    /// Of those, rows that carried a touch.
    pub duplicate_touches: u64,
    /// Of those, conversion rows (their conversions are not counted anywhere else).
    pub duplicate_conversions: u64,
    /// The value of the duplicate conversion rows.
    pub duplicate_value: f64,
    /// Touches on an excluded channel ([`exclude_channels`](super::JourneyBuilder::exclude_channels)).
    pub excluded_channel: u64,
    /// Touch rows read on each channel given to
    /// [`exclude_channels`](super::JourneyBuilder::exclude_channels), by its
    /// trimmed name, before any other option applies (duplicates included).
    /// Every excluded name is listed: 0 means the channel never occurs in the
    /// input (e.g. a misspelt name), so the exclusion did nothing.
    pub excluded_per_channel: BTreeMap<String, u64>,
    /// Touches older than the lookback window before their conversion
    /// ([`lookback`](super::JourneyBuilder::lookback)).
    pub lookback: u64,
    /// Touches merged into an identical preceding touch
    /// ([`collapse_repeats`](super::JourneyBuilder::collapse_repeats)).
    pub collapsed_repeats: u64,
    /// Touches beyond the last N ([`max_touches`](super::JourneyBuilder::max_touches)).
    pub max_touches: u64,
    /// Non-converting journeys left without touches (every touch was dropped by
    /// an option above), hence not built.
    pub empty_journeys: u64,
}

/// The account of one journey build (users, events, journeys,
/// conversions, unattributed conversions, rejected rows).
///
/// Balances (tested): `touch_events = touches_in_journeys +
/// dropped.duplicate_touches + dropped.excluded_channel + dropped.lookback +
/// dropped.collapsed_repeats + dropped.max_touches`;
/// `conversion_events = conversions + unattributed_conversions +
/// dropped.duplicate_conversions`; `total_value` = the value of the built
/// journeys + `unattributed_value` (up to rounding).
///
/// `Display` writes a short human summary (for stderr); `Serialize` writes
/// every field (for JSON output).
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
#[non_exhaustive]
pub struct BuildReport {
    /// Distinct users among the accepted rows.
    pub users: u64,
    /// Rows accepted by the reader.
    pub events_read: u64,
    /// Rows skipped by a lenient reader, per reason
    /// ([`ReadErrorKind::reason`](crate::ReadErrorKind::reason)).
    pub rows_rejected: BTreeMap<String, u64>,
    /// The lines of the first rows skipped by a lenient reader (at most
    /// [`EventReader::MAX_REJECTED_LINES`](crate::io::events::EventReader::MAX_REJECTED_LINES)),
    /// in input order.
    pub rejected_lines: Vec<u64>,
    /// Valid rows that are neither a conversion nor carry a channel (a page
    /// view without traffic source), skipped by a reader with conversion
    /// events; not counted in `events_read`.
    pub events_without_channel: u64,
    /// Accepted rows carrying a touch (a channel), converting visits included.
    pub touch_events: u64,
    /// Accepted conversion rows.
    pub conversion_events: u64,
    /// Journeys built.
    pub journeys: u64,
    /// Built journeys that end in a conversion.
    pub converting_journeys: u64,
    /// Touches in the built journeys.
    pub touches_in_journeys: u64,
    /// Conversions carried by the built journeys (attributable).
    pub conversions: u64,
    /// Conversions with no touch left before them: counted here, in no journey.
    pub unattributed_conversions: u64,
    /// Total value of the conversions kept (duplicates excluded): attributed
    /// plus unattributed.
    pub total_value: f64,
    /// Value of the unattributed conversions.
    pub unattributed_value: f64,
    /// Sum of the `value` column on non-conversion rows, which carries no
    /// conversion and is ignored.
    pub ignored_touch_value: f64,
    /// Events dropped by each option.
    pub dropped: DroppedEvents,
    /// The line on which each channel first appeared, in id order.
    #[serde(skip)]
    pub(crate) channel_lines: Vec<u64>,
}

impl BuildReport {
    /// The line of the event on which `channel` (an id of the built set's
    /// table) first appeared; `None` for an id beyond the table.
    #[must_use]
    pub fn first_line(&self, channel: crate::ChannelId) -> Option<u64> {
        self.channel_lines.get(channel.index()).copied()
    }

    /// Total rows skipped by a lenient reader.
    #[must_use]
    pub fn rows_rejected_total(&self) -> u64 {
        self.rows_rejected
            .values()
            .fold(0u64, |a, &b| a.saturating_add(b))
    }
}

impl fmt::Display for BuildReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            f,
            "read {} events ({} touches, {} conversion rows) from {} users",
            self.events_read, self.touch_events, self.conversion_events, self.users
        )?;
        if self.events_without_channel > 0 {
            writeln!(
                f,
                "skipped {} events without channel that are not conversions",
                self.events_without_channel
            )?;
        }
        if !self.rows_rejected.is_empty() {
            let reasons: Vec<String> = self
                .rows_rejected
                .iter()
                .map(|(reason, n)| format!("{reason}: {n}"))
                .collect();
            write!(
                f,
                "rejected {} rows ({})",
                self.rows_rejected_total(),
                reasons.join(", ")
            )?;
            crate::io::write_lines(f, &self.rejected_lines, self.rows_rejected_total())?;
            writeln!(f)?;
        }
        writeln!(
            f,
            "built {} journeys ({} converting) with {} touches",
            self.journeys, self.converting_journeys, self.touches_in_journeys
        )?;
        writeln!(
            f,
            "conversions: {} attributed, {} unattributed (no touch left); value {} of which {} unattributed",
            self.conversions,
            self.unattributed_conversions,
            self.total_value,
            self.unattributed_value
        )?;
        let d = &self.dropped;
        let dropped = [
            ("duplicate rows", d.duplicate_rows),
            ("excluded channel", d.excluded_channel),
            ("outside lookback", d.lookback),
            ("collapsed repeats", d.collapsed_repeats),
            ("beyond max touches", d.max_touches),
            ("empty non-converting journeys", d.empty_journeys),
        ];
        let parts: Vec<String> = dropped
            .iter()
            .filter(|(_, n)| *n > 0)
            .map(|(what, n)| format!("{what}: {n}"))
            .collect();
        if !parts.is_empty() {
            writeln!(f, "dropped: {}", parts.join(", "))?;
        }
        if self.ignored_touch_value != 0.0 {
            writeln!(
                f,
                "ignored value {} on non-conversion rows",
                self.ignored_touch_value
            )?;
        }
        Ok(())
    }
}
