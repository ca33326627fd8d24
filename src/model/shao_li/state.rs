//! [`ShaoLiState`]: single and pair counts over all journeys, plus the
//! conversions and value of every distinct converting channel set.

use rustc_hash::FxHashMap;
use serde::{Deserialize, Serialize};

use crate::channel::{ChannelId, Channels};
use crate::error::ModelError;
use crate::model::table::{Remap, follow, merge_tables};
use crate::model::{Merge, ModelSpec};
use crate::numeric::{CompensatedSum, MAX_EXACT_COUNT};

/// Conversions and journeys (conversions + non-conversions) of the journeys
/// containing a channel, or a pair of channels.
///
/// Counts are `f64`: whole-number sums below 2^53 are exact (the state
/// refuses larger totals), and fractionally weighted journeys add their
/// weighted counts.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
pub(crate) struct Counts {
    pub(crate) conversions: f64,
    pub(crate) journeys: f64,
}

impl Counts {
    fn add(&mut self, other: Self) {
        self.conversions += other.conversions;
        self.journeys += other.journeys;
    }

    /// The conversion rate, 0 without journeys.
    pub(crate) fn rate(self) -> f64 {
        if self.journeys > 0.0 {
            self.conversions / self.journeys
        } else {
            0.0
        }
    }
}

/// Conversions and value of the converting journeys of one distinct set.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub(crate) struct SetSums {
    pub(crate) conversions: f64,
    pub(crate) value: CompensatedSum,
}

/// The key of the pair of channel indices `a < b`.
#[inline]
pub(crate) fn pair_key(a: u32, b: u32) -> u64 {
    let (lo, hi) = if a < b { (a, b) } else { (b, a) };
    (u64::from(lo) << 32) | u64::from(hi)
}

/// The state of [`ShaoLi`](super::ShaoLi): its spec, its channel table, and
/// what `finish` needs.
///
/// * per channel `a`: the conversions and journeys of the journeys that
///   contain `a` (P(a) = their ratio);
/// * per pair `{a, b}` of channels that occur together in some journey:
///   the same for the journeys containing both (P(a, b));
/// * per distinct channel set `S` of a converting journey: `R(S)`, the
///   conversions, and `V(S)`, the value of the converting journeys whose set
///   is `S` (the contributions of a journey depend only on its set, so
///   `Σ_j c_j·contrib_j(a) = Σ_S R(S)·contrib_S(a)`);
/// * the totals.
///
/// Counts are weighted by the path rows' counts: a row with `c` conversions
/// and `n` non-conversions adds `c` and `c + n`.
///
/// # Memory
///
/// O(channels + co-occurring pairs + Σ_S |S|) for the distinct converting
/// sets S: a journey of k distinct channels touches k(k−1)/2 pairs, so
/// 50 channels have at most 1 225 pairs; the sets are at most the number of
/// converting path rows, usually far fewer. Each pair costs about 32 bytes,
/// each set 40 bytes plus 4 per channel.
///
/// # Example
///
/// ```
/// use attribution::model::shao_li::ShaoLi;
/// use attribution::{Channels, Journey, Model};
///
/// let model = ShaoLi::global();
/// let mut channels = Channels::new();
/// let (ppc, email) = (channels.intern("PPC")?, channels.intern("Email")?);
/// let mut state = model.new_state();
/// model.observe(&mut state, &Journey::from_channels(&[ppc, email, ppc], 1, 3, 50.0)?, &channels)?;
/// model.observe(&mut state, &Journey::from_channels(&[email], 0, 4, 0.0)?, &channels)?;
/// assert_eq!(state.channel_counts(email), Some((1.0, 8.0)));
/// assert_eq!(state.pair_counts(ppc, email), Some((1.0, 4.0)));
/// assert_eq!(state.converting_sets(), 1);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(try_from = "StateRepr", into = "StateRepr")]
pub struct ShaoLiState {
    spec: ModelSpec,
    channels: Channels,
    pub(crate) singles: Vec<Counts>,
    pub(crate) pairs: FxHashMap<u64, Counts>,
    /// Distinct converting sets, channel indices ascending.
    pub(crate) sets: FxHashMap<Box<[u32]>, SetSums>,
    /// Total journeys (conversions + non-conversions) observed.
    journeys: f64,
    /// Total conversions observed.
    pub(crate) conversions: f64,
    /// Total value of the converting journeys observed.
    pub(crate) value: CompensatedSum,
}

impl ShaoLiState {
    /// An empty state of the model `spec`.
    pub(crate) fn new(spec: ModelSpec) -> Self {
        Self {
            spec,
            channels: Channels::new(),
            singles: Vec::new(),
            pairs: FxHashMap::default(),
            sets: FxHashMap::default(),
            journeys: 0.0,
            conversions: 0.0,
            value: CompensatedSum::default(),
        }
    }

    /// `(conversions, journeys)` of the journeys containing `channel`, if any.
    #[must_use]
    pub fn channel_counts(&self, channel: ChannelId) -> Option<(f64, f64)> {
        self.singles
            .get(channel.index())
            .filter(|c| c.journeys > 0.0)
            .map(|c| (c.conversions, c.journeys))
    }

    /// `(conversions, journeys)` of the journeys containing both `a` and
    /// `b`, if any.
    #[must_use]
    pub fn pair_counts(&self, a: ChannelId, b: ChannelId) -> Option<(f64, f64)> {
        self.pairs
            .get(&pair_key(a.get(), b.get()))
            .map(|c| (c.conversions, c.journeys))
    }

    /// How many distinct channel sets of converting journeys the state holds.
    #[must_use]
    pub fn converting_sets(&self) -> usize {
        self.sets.len()
    }

    /// How many pairs of co-occurring channels the state holds.
    #[must_use]
    pub fn pairs(&self) -> usize {
        self.pairs.len()
    }

    /// Total conversions observed.
    #[must_use]
    pub fn total_conversions(&self) -> f64 {
        self.conversions
    }

    /// Total value of the converting journeys observed.
    #[must_use]
    pub fn total_value(&self) -> f64 {
        self.value.value()
    }

    /// Follows the table `channels` (see [`Merge::extend_channels`]).
    #[inline]
    pub(crate) fn follow(&mut self, channels: &Channels) -> Result<(), ModelError> {
        follow(&mut self.channels, channels)
    }

    /// [`ModelError::Overflow`] unless a journey of `journeys` (conversions +
    /// non-conversions) and `value` keeps the totals exact and finite.
    pub(crate) fn check_journey(&self, journeys: f64, value: f64) -> Result<(), ModelError> {
        check_totals(self.journeys + journeys, self.value.value() + value)
    }

    /// Adds a journey whose distinct channel indices (ascending) are `set`.
    pub(crate) fn add(&mut self, set: &[u32], conversions: f64, journeys: f64, value: f64) {
        let counts = Counts {
            conversions,
            journeys,
        };
        if let Some(&last) = set.last() {
            let span = usize::try_from(last).map_or(usize::MAX, |l| l.saturating_add(1));
            if span > self.singles.len() {
                self.singles.resize(span, Counts::default());
            }
        }
        for (i, &a) in set.iter().enumerate() {
            if let Some(single) = usize::try_from(a)
                .ok()
                .and_then(|a| self.singles.get_mut(a))
            {
                single.add(counts);
            }
            for &b in set.get(i + 1..).unwrap_or_default() {
                self.pairs.entry(pair_key(a, b)).or_default().add(counts);
            }
        }
        self.journeys += journeys;
        if conversions > 0.0 {
            self.conversions += conversions;
            self.value.add(value);
            if let Some(sums) = self.sets.get_mut(set) {
                sums.conversions += conversions;
                sums.value.add(value);
            } else {
                let mut sums = SetSums {
                    conversions,
                    value: CompensatedSum::default(),
                };
                sums.value.add(value);
                self.sets.insert(set.into(), sums);
            }
        }
    }
}

/// [`ModelError::Overflow`] when the journeys exceed 2^53 or the value is
/// not finite.
pub(crate) fn check_totals(journeys: f64, value: f64) -> Result<(), ModelError> {
    let exact = journeys.is_finite() && journeys <= crate::numeric::count_to_f64(MAX_EXACT_COUNT);
    if !exact {
        return Err(ModelError::Overflow {
            index: None,
            what: format!(
                "the total of journeys (conversions + non-conversions) exceeds 2^53 = {MAX_EXACT_COUNT}, above which counts are not exactly representable"
            ),
        });
    }
    if !value.is_finite() {
        return Err(ModelError::Overflow {
            index: None,
            what: format!(
                "the total conversion value exceeds the largest finite number ({:e})",
                f64::MAX
            ),
        });
    }
    Ok(())
}

impl Merge for ShaoLiState {
    fn spec(&self) -> &ModelSpec {
        &self.spec
    }

    fn channels(&self) -> &Channels {
        &self.channels
    }

    fn extend_channels(&mut self, channels: &Channels) -> Result<(), ModelError> {
        self.follow(channels)
    }

    /// Adds `other` into `self`, channels mapped by name: counts add
    /// (whole-number counts exactly), sets are re-keyed by the merged
    /// indices.
    fn merge(&mut self, other: &Self) -> Result<(), ModelError> {
        crate::model::check_compatible(&self.spec, &other.spec)?;
        check_totals(
            self.journeys + other.journeys,
            self.value.value() + other.value.value(),
        )?;
        let (grown, remap) = merge_tables(&self.channels, &other.channels)?;
        if let Some(table) = grown {
            self.channels = table;
        }
        let map = |i: u32| -> u32 {
            usize::try_from(i)
                .ok()
                .and_then(|i| u32::try_from(remap.index(i)).ok())
                .unwrap_or(i)
        };
        for (i, theirs) in other.singles.iter().enumerate() {
            let index = remap.index(i);
            if index >= self.singles.len() {
                self.singles.resize(index + 1, Counts::default());
            }
            if let Some(mine) = self.singles.get_mut(index) {
                mine.add(*theirs);
            }
        }
        for (&key, theirs) in &other.pairs {
            let (a, b) = unpack(key);
            self.pairs
                .entry(pair_key(map(a), map(b)))
                .or_default()
                .add(*theirs);
        }
        let mut key: Vec<u32> = Vec::new();
        for (set, theirs) in &other.sets {
            key.clear();
            key.extend(set.iter().map(|&i| map(i)));
            if !matches!(remap, Remap::Identity) {
                key.sort_unstable();
            }
            match self.sets.get_mut(key.as_slice()) {
                Some(mine) => {
                    mine.conversions += theirs.conversions;
                    mine.value.merge(&theirs.value);
                }
                None => {
                    self.sets.insert(key.as_slice().into(), *theirs);
                }
            }
        }
        self.journeys += other.journeys;
        self.conversions += other.conversions;
        self.value.merge(&other.value);
        Ok(())
    }
}

/// The channel indices of a pair key.
#[inline]
pub(crate) fn unpack(key: u64) -> (u32, u32) {
    let hi = u32::try_from(key >> 32).unwrap_or(u32::MAX);
    let lo = u32::try_from(key & u64::from(u32::MAX)).unwrap_or(u32::MAX);
    (hi, lo)
}

/// The serialised form, sorted so that equal states write equal bytes.
#[derive(Serialize, Deserialize)]
struct StateRepr {
    spec: ModelSpec,
    channels: Channels,
    /// `(conversions, journeys)` per channel index.
    singles: Vec<(f64, f64)>,
    /// `(a, b, conversions, journeys)`, `a < b`, ascending.
    pairs: Vec<(u32, u32, f64, f64)>,
    /// `(channel indices ascending, conversions, value)`, ascending.
    sets: Vec<(Vec<u32>, f64, CompensatedSum)>,
    journeys: f64,
    conversions: f64,
    value: CompensatedSum,
}

impl From<ShaoLiState> for StateRepr {
    fn from(s: ShaoLiState) -> Self {
        let mut pairs: Vec<(u32, u32, f64, f64)> = s
            .pairs
            .iter()
            .map(|(&key, c)| {
                let (a, b) = unpack(key);
                (a, b, c.conversions, c.journeys)
            })
            .collect();
        pairs.sort_unstable_by_key(|&(a, b, _, _)| (a, b));
        let mut sets: Vec<(Vec<u32>, f64, CompensatedSum)> = s
            .sets
            .iter()
            .map(|(set, sums)| (set.to_vec(), sums.conversions, sums.value))
            .collect();
        sets.sort_unstable_by(|a, b| a.0.cmp(&b.0));
        Self {
            spec: s.spec,
            channels: s.channels,
            singles: s
                .singles
                .iter()
                .map(|c| (c.conversions, c.journeys))
                .collect(),
            pairs,
            sets,
            journeys: s.journeys,
            conversions: s.conversions,
            value: s.value,
        }
    }
}

/// Why a serialised Shao–Li state was rejected.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid shao-li state: {0}")]
pub struct InvalidShaoLiState(String);

impl TryFrom<StateRepr> for ShaoLiState {
    type Error = InvalidShaoLiState;

    fn try_from(r: StateRepr) -> Result<Self, Self::Error> {
        Self::validated(r).map_err(crate::invalid::remember)
    }
}

/// Whether `(conversions, journeys)` are finite, `0 <= conversions <=
/// journeys`.
fn valid_counts(conversions: f64, journeys: f64) -> bool {
    conversions.is_finite() && journeys.is_finite() && 0.0 <= conversions && conversions <= journeys
}

impl ShaoLiState {
    fn validated(r: StateRepr) -> Result<Self, InvalidShaoLiState> {
        let invalid = |what: String| InvalidShaoLiState(what);
        let n = r.channels.len();
        if r.singles.len() > n {
            return Err(invalid(format!(
                "{} per-channel counts for {n} channels",
                r.singles.len()
            )));
        }
        if let Some(i) = r.singles.iter().position(|&(c, j)| !valid_counts(c, j)) {
            return Err(invalid(format!(
                "the counts of channel #{i} are not finite with 0 <= conversions <= journeys"
            )));
        }
        let within = |i: u32| usize::try_from(i).is_ok_and(|i| i < n);
        let mut pairs = FxHashMap::default();
        let mut previous: Option<(u32, u32)> = None;
        for &(a, b, c, j) in &r.pairs {
            if !(a < b && within(b)) {
                return Err(invalid(format!(
                    "pair ({a}, {b}) is not two ascending channel indices below {n}"
                )));
            }
            if previous.is_some_and(|p| p >= (a, b)) {
                return Err(invalid(format!("pair ({a}, {b}) is out of order")));
            }
            if !valid_counts(c, j) {
                return Err(invalid(format!(
                    "the counts of pair ({a}, {b}) are not finite with 0 <= conversions <= journeys"
                )));
            }
            previous = Some((a, b));
            pairs.insert(
                pair_key(a, b),
                Counts {
                    conversions: c,
                    journeys: j,
                },
            );
        }
        let mut sets = FxHashMap::default();
        let mut previous: Option<&[u32]> = None;
        for (set, c, v) in &r.sets {
            if set.is_empty()
                || !set.windows(2).all(|w| w.first() < w.get(1))
                || !set.iter().all(|&i| within(i))
            {
                return Err(invalid(format!(
                    "converting set {set:?} is not ascending channel indices below {n}"
                )));
            }
            if previous.is_some_and(|p| p >= set.as_slice()) {
                return Err(invalid(format!("converting set {set:?} is out of order")));
            }
            if !(c.is_finite() && *c > 0.0 && v.value().is_finite() && v.value() >= 0.0) {
                return Err(invalid(format!(
                    "converting set {set:?} has no positive finite conversions or a bad value"
                )));
            }
            previous = Some(set);
            sets.insert(
                set.as_slice().into(),
                SetSums {
                    conversions: *c,
                    value: *v,
                },
            );
        }
        if !(valid_counts(r.conversions, r.journeys)
            && r.journeys <= crate::numeric::count_to_f64(MAX_EXACT_COUNT))
        {
            return Err(invalid(
                "the totals are not finite with 0 <= conversions <= journeys <= 2^53".to_owned(),
            ));
        }
        if !(r.value.value().is_finite() && r.value.value() >= 0.0) {
            return Err(invalid(
                "the total value is not a finite non-negative number".to_owned(),
            ));
        }
        Ok(Self {
            spec: r.spec,
            channels: r.channels,
            singles: r
                .singles
                .into_iter()
                .map(|(conversions, journeys)| Counts {
                    conversions,
                    journeys,
                })
                .collect(),
            pairs,
            sets,
            journeys: r.journeys,
            conversions: r.conversions,
            value: r.value,
        })
    }
}
