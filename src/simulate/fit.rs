//! Fitting a touch law to an input: [`LawCounts`] (mergeable counts) and
//! [`FittedLaw`] (the law).

use std::collections::BTreeMap;

use crate::channel::{ChannelId, Channels};
use crate::error::SimulateError;
use crate::journey::Journey;
use crate::numeric::count_to_f64;

/// The counts a touch law is fitted from, accumulated journey by journey in
/// any input shape and mergeable by channel name.
///
/// Each journey with at least one touch weighs its journey count
/// N = conversions + non-conversions (an aggregated paths row with N
/// journeys counts N times; a journey of the journeys shape counts once).
/// Per journey of weight N with touches t_1..t_L it adds N to: the journeys,
/// its conversions to the conversions, the length L, the first touch t_1,
/// and every consecutive pair (t_i, t_{i+1}), repeats kept (a → a counts).
///
/// The counts follow the channel table they observe with, like a model's
/// state: the table of one reader, which only grows. Counts observed with
/// different tables (one per thread or file) merge by channel name with
/// [`LawCounts::merge`], exactly into the one-pass counts (integer sums).
///
/// # Complexity
///
/// `observe` is O(L) (a hash-map update per touch pair); memory is
/// O(channels + distinct lengths + distinct touch pairs).
///
/// # Example
///
/// On the tiny journeys (8 paths, one journey each):
///
/// ```
/// use attribution::io::{ReaderBuilder, Shape};
/// use attribution::simulate::LawCounts;
///
/// let csv = "path,total_conversions,total_null\n\
///            PPC > LandingPage > Email > LinkedIn,1,0\nPPC > LandingPage,0,1\n\
///            LinkedIn,1,0\nEmail > Email > LinkedIn,1,0\nPPC > LandingPage > Email,0,1\n\
///            LinkedIn > PPC,1,0\nPPC,0,1\nEmail > LinkedIn,0,1\n";
/// let mut reader = ReaderBuilder::new(Shape::Paths).from_reader(csv.as_bytes())?;
/// let mut counts = LawCounts::new();
/// while let Some(journey) = reader.next() {
///     counts.observe(&journey?, reader.channels())?;
/// }
/// let law = counts.finish()?;
/// assert_eq!(law.journeys(), 8);
/// assert_eq!(law.conversion_rate(), 0.5);
/// assert_eq!(law.length_share(1), 2.0 / 8.0);
/// let ppc = law.channels().get("PPC").unwrap();
/// assert_eq!(law.first_share(ppc), 4.0 / 8.0);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, Default, PartialEq)]
pub struct LawCounts {
    channels: Channels,
    journeys: u64,
    conversions: u64,
    /// Σ N·(L − 1): every transition count is at most this, so checking it
    /// for overflow checks them all.
    pairs: u64,
    lengths: BTreeMap<usize, u64>,
    /// By channel index.
    first: Vec<u64>,
    /// (from, to) by raw id.
    transitions: BTreeMap<(u32, u32), u64>,
}

impl LawCounts {
    /// Empty counts.
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }

    /// The channel table the counts follow.
    #[must_use]
    pub fn channels(&self) -> &Channels {
        &self.channels
    }

    /// The journeys observed so far (Σ N).
    #[must_use]
    pub fn journeys(&self) -> u64 {
        self.journeys
    }

    /// Adds one journey, its ids referring to `channels`.
    ///
    /// # Errors
    ///
    /// [`SimulateError::UnknownChannel`] for a touch outside `channels`;
    /// [`SimulateError::ChannelMismatch`] when `channels` is not the table
    /// the counts followed so far (names differ); [`SimulateError::Overflow`]
    /// when a count would pass 2^64 − 1. Nothing changes on error.
    pub fn observe(&mut self, journey: &Journey, channels: &Channels) -> Result<(), SimulateError> {
        if let Some(c) = journey.channels().find(|&c| !channels.contains(c)) {
            return Err(SimulateError::UnknownChannel {
                id: c.get(),
                len: channels.len(),
            });
        }
        let weight = journey
            .conversions()
            .checked_add(journey.non_conversions())
            .ok_or(SimulateError::Overflow)?;
        let touches = journey.len();
        let first = journey.channels().next();
        let (Some(first), true) = (first, weight > 0) else {
            return self.follow(channels);
        };
        let journeys = self
            .journeys
            .checked_add(weight)
            .ok_or(SimulateError::Overflow)?;
        let pairs = u64::try_from(touches.saturating_sub(1))
            .ok()
            .and_then(|n| n.checked_mul(weight))
            .and_then(|n| n.checked_add(self.pairs))
            .ok_or(SimulateError::Overflow)?;
        self.follow(channels)?;
        // Every other count is at most `journeys` or `pairs`: no overflow.
        self.journeys = journeys;
        self.pairs = pairs;
        self.conversions = self.conversions.saturating_add(journey.conversions());
        add(self.lengths.entry(touches).or_default(), weight);
        if let Some(n) = self.first.get_mut(first.index()) {
            add(n, weight);
        }
        let mut previous = first;
        for next in journey.channels().skip(1) {
            add(
                self.transitions
                    .entry((previous.get(), next.get()))
                    .or_default(),
                weight,
            );
            previous = next;
        }
        Ok(())
    }

    /// Adds `other` into `self`, mapping `other`'s channels by name: the
    /// merged table is `self`'s, then `other`'s new names in `other`'s
    /// order. Associative and commutative up to that order; the counts are
    /// those of one pass over both inputs, exactly.
    ///
    /// # Errors
    ///
    /// [`SimulateError::Overflow`]; [`SimulateError::Channel`] when the
    /// merged table would hold too many channels. Nothing changes on error.
    pub fn merge(&mut self, other: &Self) -> Result<(), SimulateError> {
        let journeys = self
            .journeys
            .checked_add(other.journeys)
            .ok_or(SimulateError::Overflow)?;
        let pairs = self
            .pairs
            .checked_add(other.pairs)
            .ok_or(SimulateError::Overflow)?;
        let mut merged = self.channels.clone();
        let map = other
            .channels
            .iter()
            .map(|(_, name)| merged.intern(name))
            .collect::<Result<Vec<ChannelId>, _>>()?;
        let remap = |id: u32| {
            usize::try_from(id)
                .ok()
                .and_then(|i| map.get(i))
                .map_or(id, |c| c.get())
        };
        self.channels = merged;
        self.journeys = journeys;
        self.pairs = pairs;
        self.conversions = self.conversions.saturating_add(other.conversions);
        for (&len, &n) in &other.lengths {
            add(self.lengths.entry(len).or_default(), n);
        }
        self.first.resize(self.channels.len(), 0);
        for (i, &n) in other.first.iter().enumerate() {
            let target = map.get(i).map_or(i, |c| c.index());
            if let Some(slot) = self.first.get_mut(target) {
                add(slot, n);
            }
        }
        for (&(a, b), &n) in &other.transitions {
            add(self.transitions.entry((remap(a), remap(b))).or_default(), n);
        }
        Ok(())
    }

    /// The fitted law. Its channels are the channels of the observed
    /// journeys of positive weight, in the order of the followed table
    /// (first appearance); channels that only occur in journeys of weight 0
    /// are left out.
    ///
    /// # Errors
    ///
    /// [`SimulateError::EmptyInput`] when no journey of positive weight was
    /// observed.
    pub fn finish(&self) -> Result<FittedLaw, SimulateError> {
        if self.journeys == 0 {
            return Err(SimulateError::EmptyInput);
        }
        let n = self.channels.len();
        let mut used = vec![false; n];
        for (i, &count) in self.first.iter().enumerate() {
            if count > 0
                && let Some(u) = used.get_mut(i)
            {
                *u = true;
            }
        }
        for &(_, b) in self.transitions.keys() {
            if let Some(u) = usize::try_from(b).ok().and_then(|b| used.get_mut(b)) {
                *u = true;
            }
        }
        let mut channels = Channels::new();
        let mut map: Vec<Option<ChannelId>> = vec![None; n];
        for ((id, name), u) in self.channels.iter().zip(&used) {
            if *u && let Some(slot) = map.get_mut(id.index()) {
                *slot = Some(channels.intern(name)?);
            }
        }
        let lookup = |id: u32| {
            usize::try_from(id)
                .ok()
                .and_then(|i| map.get(i).copied().flatten())
        };
        let mut first = vec![0; channels.len()];
        for (i, &count) in self.first.iter().enumerate() {
            if let Some(slot) = map
                .get(i)
                .copied()
                .flatten()
                .and_then(|c| first.get_mut(c.index()))
            {
                *slot = count;
            }
        }
        let mut transitions: Vec<Vec<(ChannelId, u64)>> = vec![Vec::new(); channels.len()];
        for (&(a, b), &count) in &self.transitions {
            if let (Some(a), Some(b)) = (lookup(a), lookup(b))
                && let Some(row) = transitions.get_mut(a.index())
            {
                row.push((b, count));
            }
        }
        for row in &mut transitions {
            row.sort_unstable_by_key(|&(b, _)| b);
        }
        Ok(FittedLaw {
            channels,
            journeys: self.journeys,
            conversions: self.conversions,
            lengths: self.lengths.iter().map(|(&l, &c)| (l, c)).collect(),
            first,
            transitions,
        })
    }

    /// Appends the names of `table` beyond the counts' own table, after
    /// checking that both name the last known channel alike.
    fn follow(&mut self, table: &Channels) -> Result<(), SimulateError> {
        if table.len() <= self.channels.len() {
            return Ok(());
        }
        if let Some(last) = self.channels.len().checked_sub(1) {
            let id = ChannelId::from_index(last);
            let mine = id.and_then(|id| self.channels.name(id)).unwrap_or_default();
            let theirs = id.and_then(|id| table.name(id)).unwrap_or_default();
            if mine != theirs {
                return Err(SimulateError::ChannelMismatch {
                    index: last,
                    counts: mine.to_owned(),
                    table: theirs.to_owned(),
                });
            }
        }
        let mut grown = self.channels.clone();
        for (_, name) in table.iter().skip(self.channels.len()) {
            grown.intern(name)?;
        }
        self.channels = grown;
        self.first.resize(self.channels.len(), 0);
        Ok(())
    }
}

/// Adds without overflow (the callers bound every count first).
fn add(slot: &mut u64, n: u64) {
    *slot = slot.saturating_add(n);
}

/// A touch law fitted to an input by [`LawCounts::finish`]. It matches these
/// statistics of the input's journeys with at least one touch, each journey
/// weighing 1 (an aggregated row with N journeys, N):
///
/// * **channels**: the input's names, in order of first appearance;
/// * **length law** q(L): the share of journeys with L touches (repeats
///   kept), for every observed L;
/// * **first-touch law** f(c): the share of journeys whose first touch is c;
/// * **transition law** T(a, b): over all consecutive touch pairs of all
///   journeys, the share of the pairs leaving a that go to b (a → a counts);
///   a channel never followed by a touch uses f instead;
/// * **conversion rate** r\* = conversions / journeys.
///
/// A simulated journey draws L ~ q, then t_1 ~ f, then t_i ~ T(t_{i−1}, ·).
/// Not matched: the dependence between length and content, sequence
/// structure beyond one step, time and value. Shares are exact ratios of
/// integer counts (the draws use the integer counts as weights).
#[derive(Debug, Clone, PartialEq)]
pub struct FittedLaw {
    channels: Channels,
    journeys: u64,
    conversions: u64,
    lengths: Vec<(usize, u64)>,
    first: Vec<u64>,
    transitions: Vec<Vec<(ChannelId, u64)>>,
}

impl FittedLaw {
    /// The channels, in the input's order of first appearance.
    #[must_use]
    pub fn channels(&self) -> &Channels {
        &self.channels
    }

    /// The number of journeys fitted (Σ N).
    #[must_use]
    pub fn journeys(&self) -> u64 {
        self.journeys
    }

    /// Their conversions.
    #[must_use]
    pub fn conversions(&self) -> u64 {
        self.conversions
    }

    /// r\* = conversions / journeys.
    #[must_use]
    pub fn conversion_rate(&self) -> f64 {
        count_to_f64(self.conversions) / count_to_f64(self.journeys)
    }

    /// The journeys per length L, ascending in L (only observed lengths).
    #[must_use]
    pub fn length_counts(&self) -> &[(usize, u64)] {
        &self.lengths
    }

    /// q(L): the share of journeys with `len` touches (0 if unobserved).
    #[must_use]
    pub fn length_share(&self, len: usize) -> f64 {
        let n = self
            .lengths
            .iter()
            .find(|&&(l, _)| l == len)
            .map_or(0, |&(_, n)| n);
        count_to_f64(n) / count_to_f64(self.journeys)
    }

    /// The journeys per first-touch channel, by channel index.
    #[must_use]
    pub fn first_counts(&self) -> &[u64] {
        &self.first
    }

    /// f(c): the share of journeys whose first touch is `channel`.
    #[must_use]
    pub fn first_share(&self, channel: ChannelId) -> f64 {
        let n = self.first.get(channel.index()).copied().unwrap_or(0);
        count_to_f64(n) / count_to_f64(self.journeys)
    }

    /// The weighted counts of the touch pairs leaving `from`: (next channel,
    /// count), ascending by channel; empty when `from` is never followed.
    #[must_use]
    pub fn transition_counts(&self, from: ChannelId) -> &[(ChannelId, u64)] {
        self.transitions
            .get(from.index())
            .map_or(&[], Vec::as_slice)
    }

    /// T(from, to): the share of the touch pairs leaving `from` that go to
    /// `to`; f(to) when `from` is never followed.
    #[must_use]
    pub fn transition_share(&self, from: ChannelId, to: ChannelId) -> f64 {
        let row = self.transition_counts(from);
        if row.is_empty() {
            return self.first_share(to);
        }
        let total: u64 = row.iter().map(|&(_, n)| n).sum();
        let n = row.iter().find(|&&(b, _)| b == to).map_or(0, |&(_, n)| n);
        count_to_f64(n) / count_to_f64(total)
    }
}
