//! The journeys of an input grouped by identical channel sequence: what the
//! exact true credit needs to read once.

use rustc_hash::FxHashMap;

use crate::channel::{ChannelId, Channels};
use crate::error::TruthError;
use crate::journey::Journey;

/// The distinct paths of an input, each with its number of journeys N =
/// conversions + non-conversions: the input of
/// [`true_credit`](super::true_credit).
///
/// Paths are kept as sequences of channel ids of the accumulator's own
/// channel table ([`TruthPaths::channels`]), so accumulators filled from
/// inputs with different channel tables (one per reader thread, one per
/// file) [merge](Self::merge) by channel *name*. Distinct paths are listed in
/// order of first occurrence: this accumulator's paths first, then the new
/// ones of a merged accumulator. The true credit does not depend on that
/// order (it sums paths in the order of their name sequences), so one pass
/// and any split into merged parts give bit-identical results.
///
/// Counts are `u64` and saturate at `u64::MAX` instead of wrapping. The
/// readers cap every count at 2^53, so only more than 2 048 such rows of one
/// path could saturate, and past 2^53 journeys the `f64` sums are no longer
/// exact anyway.
///
/// # Complexity
///
/// [`observe`](Self::observe) is O(L) for a journey of L touches (one hash of
/// the path, and a name comparison per touch to check the channel-table
/// cache). Memory is O(Σ L) over the distinct paths.
///
/// # Example
///
/// ```
/// use attribution::truth::TruthPaths;
///
/// let mut paths = TruthPaths::new();
/// paths.observe_path(&["PPC", "Email"], 3)?;
/// paths.observe_path(&["PPC"], 1)?;
/// paths.observe_path(&["PPC", "Email"], 2)?;
/// assert_eq!((paths.len(), paths.journeys()), (2, 6));
/// # Ok::<(), attribution::TruthError>(())
/// ```
#[derive(Debug, Clone, Default)]
pub struct TruthPaths {
    channels: Channels,
    index: FxHashMap<Box<[ChannelId]>, usize>,
    paths: Vec<(Box<[ChannelId]>, u64)>,
    journeys: u64,
    /// Cache for `observe`: the own id of a caller's id, checked by name.
    remap: Vec<Option<ChannelId>>,
    scratch: Vec<ChannelId>,
}

impl TruthPaths {
    /// An empty accumulator.
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds a journey: its channel sequence with N = conversions +
    /// non-conversions journeys. `channels` is the table the journey's ids
    /// refer to; it may differ from call to call (it is matched by name).
    /// A journey with N = 0 adds nothing.
    ///
    /// # Errors
    ///
    /// [`TruthError::UnknownChannel`] for an id outside `channels`;
    /// [`TruthError::Channel`] if the own table cannot take the name (more
    /// than [`Channels::MAX`] channels).
    pub fn observe(&mut self, journey: &Journey, channels: &Channels) -> Result<(), TruthError> {
        let n = journey
            .conversions()
            .saturating_add(journey.non_conversions());
        if n == 0 {
            return Ok(());
        }
        let mut scratch = std::mem::take(&mut self.scratch);
        scratch.clear();
        let mapped = journey
            .channels()
            .try_for_each(|id| {
                let own = self.own_id(id, channels)?;
                scratch.push(own);
                Ok(())
            })
            .map(|()| self.add(&scratch, n));
        self.scratch = scratch;
        mapped
    }

    /// Adds `journeys` journeys with the path `path`, given by channel names
    /// (trimmed, as [`Channels::intern`] does). The empty path is allowed:
    /// its journeys only add to the baseline. `journeys = 0` adds nothing.
    ///
    /// # Errors
    ///
    /// [`TruthError::Channel`] for a name the channel table rejects (empty,
    /// reserved).
    pub fn observe_path<S: AsRef<str>>(
        &mut self,
        path: &[S],
        journeys: u64,
    ) -> Result<(), TruthError> {
        if journeys == 0 {
            return Ok(());
        }
        let ids = path
            .iter()
            .map(|name| self.channels.intern(name.as_ref()))
            .collect::<Result<Vec<_>, _>>()?;
        self.add(&ids, journeys);
        Ok(())
    }

    /// Adds every path of `other`, remapping its channels by name. The
    /// paths new to `self` are appended in `other`'s order. Associative and
    /// commutative up to the order of listing, which the true credit does
    /// not depend on.
    ///
    /// # Errors
    ///
    /// [`TruthError::Channel`] if the merged table would exceed
    /// [`Channels::MAX`] channels; `self` is unchanged then.
    pub fn merge(&mut self, other: TruthPaths) -> Result<(), TruthError> {
        let mut channels = self.channels.clone();
        let map = other
            .channels
            .iter()
            .map(|(_, name)| channels.intern(name))
            .collect::<Result<Vec<_>, _>>()?;
        self.channels = channels;
        let mut path = Vec::new();
        for (theirs, n) in other.paths {
            path.clear();
            path.extend(
                theirs
                    .iter()
                    .map(|id| map.get(id.index()).copied().unwrap_or(*id)),
            );
            self.add(&path, n);
        }
        Ok(())
    }

    /// The number of distinct paths.
    #[must_use]
    pub fn len(&self) -> usize {
        self.paths.len()
    }

    /// Whether no journey was observed.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.paths.is_empty()
    }

    /// The number of journeys observed (saturating at `u64::MAX`).
    #[must_use]
    pub fn journeys(&self) -> u64 {
        self.journeys
    }

    /// The accumulator's own channel table: the ids of [`Self::paths`].
    #[must_use]
    pub fn channels(&self) -> &Channels {
        &self.channels
    }

    /// The distinct paths (ids of [`Self::channels`]) and their journeys,
    /// in order of first occurrence.
    #[must_use]
    pub fn paths(&self) -> impl ExactSizeIterator<Item = (&[ChannelId], u64)> + '_ {
        self.paths.iter().map(|(path, n)| (path.as_ref(), *n))
    }

    fn add(&mut self, path: &[ChannelId], n: u64) {
        self.journeys = self.journeys.saturating_add(n);
        if let Some(entry) = self.index.get(path).and_then(|&i| self.paths.get_mut(i)) {
            entry.1 = entry.1.saturating_add(n);
            return;
        }
        let key: Box<[ChannelId]> = path.into();
        self.index.insert(key.clone(), self.paths.len());
        self.paths.push((key, n));
    }

    /// The own id of the caller's `id` of `channels`.
    fn own_id(&mut self, id: ChannelId, channels: &Channels) -> Result<ChannelId, TruthError> {
        let name = channels
            .name(id)
            .ok_or(TruthError::UnknownChannel(id.get()))?;
        if let Some(own) = self.remap.get(id.index()).copied().flatten() {
            if self.channels.name(own) == Some(name) {
                return Ok(own);
            }
        }
        let own = self.channels.intern(name)?;
        if self.remap.len() <= id.index() {
            self.remap.resize(id.index() + 1, None);
        }
        if let Some(slot) = self.remap.get_mut(id.index()) {
            *slot = Some(own);
        }
        Ok(own)
    }
}
