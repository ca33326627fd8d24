//! [`TransitionCounts`]: the mergeable state of the Markov model.

use rustc_hash::FxHashMap;
use serde::{Deserialize, Serialize};

use crate::channel::{ChannelId, Channels};
use crate::error::ModelError;
use crate::journey::Journey;
use crate::model::table::{Remap, follow, merge_tables};
use crate::model::{Merge, ModelSpec};
use crate::numeric::{CompensatedSum, MAX_EXACT_COUNT, count_to_f64};

/// Transition counts of an order-k Markov chain over customer journeys: the
/// mergeable state of [`Markov`](super::Markov).
///
/// A path with touches `t_1..t_L`, `c` conversions, `n` non-conversions and
/// value `v` is turned into states `s_1..s_m`: the sliding windows of `k`
/// consecutive touches (a path shorter than `k` gives one shorter state, the
/// whole path, distinct from every full-length state), with consecutive
/// identical states merged into one (unless self-loops are kept). It adds
/// `c + n` to `start → s_1` and to every `s_j → s_{j+1}`, `c` to
/// `s_m → conversion`, `n` to `s_m → null`, and `v` to the value sum of the
/// last state `s_m` (only when `c > 0`: value without a conversion cannot be
/// attributed and is ignored).
///
/// Like every state it knows its model (its [`Merge::spec`], e.g.
/// `markov:order=2,max_steps=none,self_loops=false`) and the channel names
/// its ids refer to ([`Merge::channels`]); there is no `Default`.
/// [`TransitionCounts::new`] makes the counts of a default-configured
/// [`Markov`](super::Markov) model of that order.
///
/// Counts are integers, so merging the counts of any partition of the
/// journeys gives bit-identical counts (states are remapped by channel
/// name); value sums are compensated sums, equal up to rounding. Counts
/// saturate at `u64::MAX` rather than wrap, and
/// [`TransitionCounts::check_exact`] (called by the model and by
/// [`MarkovChain::new`](super::MarkovChain::new)) rejects counts whose total
/// exceeds 2^53, so no count is ever silently rounded.
///
/// States are interned in order of first appearance; [`MarkovChain`](super::MarkovChain)
/// sorts them, so the result never depends on the order of the journeys.
///
/// # Example
///
/// ```
/// use attribution::ChannelId;
/// use attribution::model::markov::TransitionCounts;
///
/// let [a, b] = [0, 1].map(|i| ChannelId::from_index(i).unwrap());
/// let mut counts = TransitionCounts::new(2)?;
/// counts.observe_path(&[a, a, a, b], 1, 2, 10.0);
/// // windows (a,a), (a,a), (a,b): the repeated (a,a) is merged
/// assert_eq!(counts.n_states(), 2);
/// assert_eq!(counts.count(None, Some(&[a, a])), 3);
/// assert_eq!(counts.count(Some(&[a, a]), Some(&[a, b])), 3);
/// assert_eq!(counts.conversions(&[a, b]), 1);
/// assert_eq!(counts.non_conversions(&[a, b]), 2);
/// # Ok::<(), attribution::ModelError>(())
/// ```
///
/// # Complexity
///
/// Observing a path of `L` touches costs `O(L·k)` (hashing the windows) and
/// allocates only when a new state or edge appears.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(try_from = "CountsRepr", into = "CountsRepr")]
pub struct TransitionCounts {
    spec: ModelSpec,
    channels: Channels,
    order: usize,
    keep_self_loops: bool,
    states: States,
    tallies: Table<u64>,
    /// Set (once) by the first observation with a fractional weight: the
    /// counts then live here as `f64` and `tallies` stays empty.
    weighted: Option<Box<Table<f64>>>,
    scratch: Vec<ChannelId>,
    /// Plain sum of the values added (for overflow detection only).
    value_sum: f64,
}

/// The interned states and their value sums.
#[derive(Debug, Clone, Default)]
struct States {
    keys: Vec<Box<[ChannelId]>>,
    /// States of at most [`PACK_LEN`] channels with ids below 2^20, packed
    /// into one integer: hashing it is much cheaper than hashing a slice
    /// behind a pointer.
    packed: FxHashMap<u128, u32>,
    /// All other states.
    index: FxHashMap<Box<[ChannelId]>, u32>,
    values: Vec<CompensatedSum>,
}

/// A count: exact (`u64`, saturating) or weighted (`f64`).
pub(crate) trait Tally: Copy + Default + PartialEq + std::fmt::Debug {
    /// `self + other` (saturating for integers).
    fn plus(self, other: Self) -> Self;
    /// `self · visits` (saturating for integers).
    fn times(self, visits: u64) -> Self;
}

impl Tally for u64 {
    #[inline]
    fn plus(self, other: Self) -> Self {
        self.saturating_add(other)
    }
    #[inline]
    fn times(self, visits: u64) -> Self {
        self.saturating_mul(visits)
    }
}

impl Tally for f64 {
    #[inline]
    fn plus(self, other: Self) -> Self {
        self + other
    }
    #[inline]
    fn times(self, visits: u64) -> Self {
        self * crate::numeric::count_to_f64(visits)
    }
}

impl Table<u64> {
    /// The same counts as `f64` (exact: they are at most 2^53).
    fn to_weighted(&self) -> Table<f64> {
        let f = |v: &[u64]| v.iter().map(|&c| crate::numeric::count_to_f64(c)).collect();
        Table {
            start: f(&self.start),
            conversions: f(&self.conversions),
            nulls: f(&self.nulls),
            edges: self
                .edges
                .iter()
                .map(|(&k, &c)| (k, crate::numeric::count_to_f64(c)))
                .collect(),
            mass: crate::numeric::count_to_f64(self.mass),
        }
    }
}

/// The counts proper: per state (by state index) and per edge.
#[derive(Debug, Clone, Default)]
struct Table<T> {
    start: Vec<T>,
    conversions: Vec<T>,
    nulls: Vec<T>,
    edges: FxHashMap<(u32, u32), T>,
    /// Σ of every count leaving a state (`Σ_s out_s`): bounds every count of
    /// the chain, so when it is at most 2^53 all of them are exact in `f64`.
    mass: T,
}

impl<T: Tally> Table<T> {
    #[inline]
    fn push_state(&mut self) {
        self.start.push(T::default());
        self.conversions.push(T::default());
        self.nulls.push(T::default());
    }

    #[inline]
    fn add_edge(&mut self, from: u32, to: u32, by: T) {
        let e = self.edges.entry((from, to)).or_default();
        *e = e.plus(by);
    }
}

#[inline]
fn add<T: Tally>(v: &mut [T], i: u32, by: T) {
    if let Some(x) = v.get_mut(idx(i)) {
        *x = x.plus(by);
    }
}

#[inline]
fn get<T: Tally>(v: &[T], i: u32) -> T {
    v.get(idx(i)).copied().unwrap_or_default()
}

impl States {
    #[inline]
    fn lookup(&self, key: &[ChannelId]) -> Option<u32> {
        match pack(key) {
            Some(p) => self.packed.get(&p).copied(),
            None => self.index.get(key).copied(),
        }
    }

    /// The index of `key`, adding it (and a row of `table`) if it is new.
    #[inline]
    fn intern<T: Tally>(&mut self, key: &[ChannelId], table: &mut Table<T>) -> u32 {
        // More than u32::MAX states cannot be held in memory anyway.
        let next = u32::try_from(self.keys.len()).unwrap_or(u32::MAX);
        let i = match pack(key) {
            Some(p) => *self.packed.entry(p).or_insert(next),
            None => match self.index.get(key) {
                Some(&i) => i,
                None => {
                    self.index.insert(key.into(), next);
                    next
                }
            },
        };
        if i != next {
            return i;
        }
        self.keys.push(key.into());
        self.values.push(CompensatedSum::default());
        table.push_state();
        i
    }

    fn len(&self) -> usize {
        self.keys.len()
    }
}

/// Adds one path to `table`: the counting loop, for exact and weighted
/// counts alike. `weight` is `conversions + non_conversions`.
#[allow(clippy::too_many_arguments)]
#[inline]
fn count_path<T: Tally>(
    states: &mut States,
    table: &mut Table<T>,
    order: usize,
    keep_self_loops: bool,
    path: &[ChannelId],
    conversions: T,
    non_conversions: T,
    weight: T,
) -> Option<u32> {
    let k = order;
    // States visited (each leaves once: to the next state or the end).
    let mut visits = 1u64;
    let last = if path.len() < k {
        let s = states.intern(path, table);
        add(&mut table.start, s, weight);
        Some(s)
    } else {
        let mut prev: Option<(u32, &[ChannelId])> = None;
        for window in path.windows(k) {
            match prev {
                None => {
                    let s = states.intern(window, table);
                    add(&mut table.start, s, weight);
                    prev = Some((s, window));
                }
                Some((p, pw)) if pw == window => {
                    if keep_self_loops {
                        table.add_edge(p, p, weight);
                        visits += 1;
                    }
                }
                Some((p, _)) => {
                    let s = states.intern(window, table);
                    table.add_edge(p, s, weight);
                    visits += 1;
                    prev = Some((s, window));
                }
            }
        }
        prev.map(|(s, _)| s)
    };
    table.mass = table.mass.plus(weight.times(visits));
    if let Some(last) = last {
        add(&mut table.conversions, last, conversions);
        add(&mut table.nulls, last, non_conversions);
    }
    last
}

impl TransitionCounts {
    /// Empty counts of `Markov::new(order)` (consecutive identical states
    /// merged, no step cap).
    ///
    /// # Errors
    ///
    /// [`ModelError::InvalidParameter`] when `order` is 0 or above
    /// [`MAX_ORDER`](super::MAX_ORDER).
    pub fn new(order: usize) -> Result<Self, ModelError> {
        Self::with_self_loops(order, false)
    }

    /// Empty counts of `Markov::new(order)` with `keep_self_loops`, which
    /// keeps consecutive identical states as `s → s` transitions instead of
    /// merging them.
    ///
    /// # Errors
    ///
    /// [`ModelError::InvalidParameter`] when `order` is 0 or above
    /// [`MAX_ORDER`](super::MAX_ORDER).
    pub fn with_self_loops(order: usize, keep_self_loops: bool) -> Result<Self, ModelError> {
        let model = super::config::Markov::new(order)?.keep_self_loops(keep_self_loops);
        Ok(Self::configured(
            model.canonical_spec(),
            order,
            keep_self_loops,
        ))
    }

    /// Empty counts of the model of `spec` (the model's own spec).
    pub(crate) fn configured(spec: ModelSpec, order: usize, keep_self_loops: bool) -> Self {
        Self {
            spec,
            channels: Channels::new(),
            order,
            keep_self_loops,
            states: States::default(),
            tallies: Table::default(),
            weighted: None,
            scratch: Vec::new(),
            value_sum: 0.0,
        }
    }

    /// The order `k`.
    #[must_use]
    pub fn order(&self) -> usize {
        self.order
    }

    /// Whether consecutive identical states are kept as self-loops.
    #[must_use]
    pub fn keeps_self_loops(&self) -> bool {
        self.keep_self_loops
    }

    /// Follows the table `channels` (see [`Merge::extend_channels`]).
    #[inline]
    pub(crate) fn follow(&mut self, channels: &Channels) -> Result<(), ModelError> {
        follow(&mut self.channels, channels)
    }

    /// Adds one journey (its channels, conversions, non-conversions, value).
    /// The journey's ids are taken as ids of the counts' table: the
    /// [`Model`](crate::Model) methods check them and follow the reader's
    /// table; this low-level method does not.
    pub fn observe(&mut self, journey: &Journey) {
        let mut scratch = std::mem::take(&mut self.scratch);
        scratch.clear();
        scratch.extend(journey.channels());
        self.observe_path(
            &scratch,
            journey.conversions(),
            journey.non_conversions(),
            journey.value(),
        );
        self.scratch = scratch;
    }

    /// Adds one path of channels with its outcome. An empty path, or one with
    /// `conversions + non_conversions == 0`, adds nothing. A non-finite or
    /// negative `value` is ignored (the readers and [`Journey`] never
    /// produce one). Ids are not checked against the counts' table (see
    /// [`TransitionCounts::observe`]).
    pub fn observe_path(
        &mut self,
        path: &[ChannelId],
        conversions: u64,
        non_conversions: u64,
        value: f64,
    ) {
        let weight = conversions.saturating_add(non_conversions);
        if path.is_empty() || weight == 0 {
            return;
        }
        let last = match &mut self.weighted {
            None => count_path(
                &mut self.states,
                &mut self.tallies,
                self.order,
                self.keep_self_loops,
                path,
                conversions,
                non_conversions,
                weight,
            ),
            Some(table) => {
                let (c, n) = (count_to_f64(conversions), count_to_f64(non_conversions));
                count_path(
                    &mut self.states,
                    table.as_mut(),
                    self.order,
                    self.keep_self_loops,
                    path,
                    c,
                    n,
                    c + n,
                )
            }
        };
        if let Some(last) = last {
            if conversions > 0 && value.is_finite() && value > 0.0 {
                self.add_value(last, value);
            }
        }
    }

    /// Adds one path whose conversions, non-conversions and value are
    /// multiplied by `weight` (finite, non-negative; else nothing is
    /// added). A whole-number weight keeps the counts exact (`c·w` and
    /// `n·w`, saturating); the first fractional weight switches the counts,
    /// once, to `f64` weights (the integer counts converted), to which
    /// every later observation adds.
    pub fn observe_path_weighted(
        &mut self,
        path: &[ChannelId],
        conversions: u64,
        non_conversions: u64,
        value: f64,
        weight: f64,
    ) {
        if !(weight.is_finite() && weight >= 0.0) {
            return;
        }
        if let (Some(w), None) = (crate::model::whole_weight(weight), &self.weighted) {
            self.observe_path(
                path,
                conversions.saturating_mul(w),
                non_conversions.saturating_mul(w),
                value * weight,
            );
            return;
        }
        let c = count_to_f64(conversions) * weight;
        let n = count_to_f64(non_conversions) * weight;
        if path.is_empty() || c + n <= 0.0 {
            return;
        }
        self.weighted_table();
        let table = self.weighted.get_or_insert_with(Box::default);
        let last = count_path(
            &mut self.states,
            table.as_mut(),
            self.order,
            self.keep_self_loops,
            path,
            c,
            n,
            c + n,
        );
        let value = value * weight;
        if let Some(last) = last {
            if c > 0.0 && value.is_finite() && value > 0.0 {
                self.add_value(last, value);
            }
        }
    }

    /// Adds one journey with weight `weight` (see
    /// [`TransitionCounts::observe_path_weighted`]).
    pub fn observe_weighted(&mut self, journey: &Journey, weight: f64) {
        let mut scratch = std::mem::take(&mut self.scratch);
        scratch.clear();
        scratch.extend(journey.channels());
        self.observe_path_weighted(
            &scratch,
            journey.conversions(),
            journey.non_conversions(),
            journey.value(),
            weight,
        );
        self.scratch = scratch;
    }

    /// Whether the counts are `f64` weights (after an observation with a
    /// fractional weight) rather than exact integers.
    #[must_use]
    pub fn is_weighted(&self) -> bool {
        self.weighted.is_some()
    }

    #[inline]
    fn add_value(&mut self, state: u32, value: f64) {
        if let Some(v) = self.states.values.get_mut(idx(state)) {
            v.add(value);
            self.value_sum += value;
        }
    }

    /// The index of state `key`, if it was seen.
    pub(crate) fn state_index(&self, key: &[ChannelId]) -> Option<u32> {
        self.states.lookup(key)
    }

    /// Checks that the counts are exact in `f64` and the value sums finite:
    /// the total count of transitions out of states (which bounds every
    /// count, and every state's total) is at most
    /// [`MAX_EXACT_COUNT`](crate::numeric::MAX_EXACT_COUNT) = 2^53, and the
    /// values sum to a finite number.
    ///
    /// # Errors
    ///
    /// [`ModelError::Overflow`], without a journey position (the model's
    /// `observe` adds it).
    ///
    /// # Example
    ///
    /// ```
    /// use attribution::{ChannelId, ModelError};
    /// use attribution::model::markov::TransitionCounts;
    ///
    /// let a = ChannelId::from_index(0).unwrap();
    /// let mut counts = TransitionCounts::new(1)?;
    /// counts.observe_path(&[a], 1 << 52, 0, 1e308);
    /// assert!(counts.check_exact().is_ok());
    /// counts.observe_path(&[a, a], 1 << 52, 1, 1e308);
    /// assert!(matches!(counts.check_exact(), Err(ModelError::Overflow { .. })));
    /// # Ok::<(), ModelError>(())
    /// ```
    pub fn check_exact(&self) -> Result<(), ModelError> {
        let exact = match &self.weighted {
            None => self.tallies.mass <= MAX_EXACT_COUNT,
            Some(table) => table.mass.is_finite(),
        };
        if !exact {
            return Err(ModelError::Overflow {
                index: None,
                what: format!(
                    "the Markov transition counts sum to more than 2^53 = {MAX_EXACT_COUNT}, above which counts are not exactly representable"
                ),
            });
        }
        if !self.value_sum.is_finite() {
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

    /// The number of distinct states.
    #[must_use]
    pub fn n_states(&self) -> usize {
        self.states.len()
    }

    /// The number of distinct state-to-state transitions (self-loops included).
    #[must_use]
    pub fn n_edges(&self) -> usize {
        match &self.weighted {
            None => self.tallies.edges.len(),
            Some(t) => t.edges.len(),
        }
    }

    /// The count of the transition `from → to`, where `None` is `(start)` as
    /// `from`; `to = None` sums conversions and non-conversions of `from`.
    /// For weighted counts ([`TransitionCounts::is_weighted`]), the weight
    /// rounded to the nearest integer: see [`TransitionCounts::weight`].
    #[must_use]
    pub fn count(&self, from: Option<&[ChannelId]>, to: Option<&[ChannelId]>) -> u64 {
        match &self.weighted {
            None => self.lookup_count(&self.tallies, from, to),
            Some(t) => float_to_count(self.lookup_count(t, from, to).round()),
        }
    }

    /// [`TransitionCounts::count`] as `f64`: the exact count, or the weight
    /// of weighted counts.
    #[must_use]
    pub fn weight(&self, from: Option<&[ChannelId]>, to: Option<&[ChannelId]>) -> f64 {
        match &self.weighted {
            None => count_to_f64(self.lookup_count(&self.tallies, from, to)),
            Some(t) => self.lookup_count(t, from, to),
        }
    }

    fn lookup_count<T: Tally>(
        &self,
        table: &Table<T>,
        from: Option<&[ChannelId]>,
        to: Option<&[ChannelId]>,
    ) -> T {
        let f = from.map(|k| self.states.lookup(k));
        let t = to.map(|k| self.states.lookup(k));
        match (f, t) {
            (None, Some(Some(t))) => get(&table.start, t),
            (Some(Some(f)), Some(Some(t))) => table.edges.get(&(f, t)).copied().unwrap_or_default(),
            (Some(Some(f)), None) => get(&table.conversions, f).plus(get(&table.nulls, f)),
            _ => T::default(),
        }
    }

    /// Conversions of the paths whose last state is `state` (weighted
    /// counts: rounded).
    #[must_use]
    pub fn conversions(&self, state: &[ChannelId]) -> u64 {
        let s = self.states.lookup(state);
        match (&self.weighted, s) {
            (_, None) => 0,
            (None, Some(s)) => get(&self.tallies.conversions, s),
            (Some(t), Some(s)) => float_to_count(get(&t.conversions, s).round()),
        }
    }

    /// Non-conversions of the paths whose last state is `state` (weighted
    /// counts: rounded).
    #[must_use]
    pub fn non_conversions(&self, state: &[ChannelId]) -> u64 {
        let s = self.states.lookup(state);
        match (&self.weighted, s) {
            (_, None) => 0,
            (None, Some(s)) => get(&self.tallies.nulls, s),
            (Some(t), Some(s)) => float_to_count(get(&t.nulls, s).round()),
        }
    }

    /// Total conversions observed (weighted counts: rounded).
    #[must_use]
    pub fn total_conversions(&self) -> u64 {
        match &self.weighted {
            None => self
                .tallies
                .conversions
                .iter()
                .fold(0u64, |a, &c| a.saturating_add(c)),
            Some(t) => float_to_count(sum(&t.conversions).round()),
        }
    }

    /// Total value observed (of paths with conversions).
    #[must_use]
    pub fn total_value(&self) -> f64 {
        let mut s = CompensatedSum::default();
        for v in &self.states.values {
            s.merge(v);
        }
        s.value()
    }

    /// Total journeys observed (conversions + non-conversions; weighted
    /// counts: rounded).
    #[must_use]
    pub fn total_journeys(&self) -> u64 {
        match &self.weighted {
            None => self
                .tallies
                .start
                .iter()
                .fold(0u64, |a, &c| a.saturating_add(c)),
            Some(t) => float_to_count(sum(&t.start).round()),
        }
    }

    pub(crate) fn raw(&self) -> Raw<'_> {
        let keys = &self.states.keys;
        let values = &self.states.values;
        match &self.weighted {
            None => Raw::Exact(RawCounts {
                keys,
                start: &self.tallies.start,
                conversions: &self.tallies.conversions,
                nulls: &self.tallies.nulls,
                values,
                edges: &self.tallies.edges,
            }),
            Some(t) => Raw::Weighted(RawCounts {
                keys,
                start: &t.start,
                conversions: &t.conversions,
                nulls: &t.nulls,
                values,
                edges: &t.edges,
            }),
        }
    }

    /// The counts as weights (converting them once), for merging weighted
    /// counts in.
    fn weighted_table(&mut self) -> &mut Table<f64> {
        if self.weighted.is_none() {
            self.weighted = Some(Box::new(self.tallies.to_weighted()));
            self.tallies = Table::default();
        }
        self.weighted.get_or_insert_with(Box::default)
    }
}

/// Compensated sum of weights.
fn sum(v: &[f64]) -> f64 {
    v.iter().copied().sum::<CompensatedSum>().value()
}

/// A whole, non-negative number as a count (saturating).
#[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
fn float_to_count(w: f64) -> u64 {
    if w.is_nan() || w <= 0.0 {
        0
    } else if w >= 18_446_744_073_709_551_615.0 {
        u64::MAX
    } else {
        w as u64
    }
}

/// Borrowed view of the counts for building a chain.
pub(crate) struct RawCounts<'a, T> {
    pub keys: &'a [Box<[ChannelId]>],
    pub start: &'a [T],
    pub conversions: &'a [T],
    pub nulls: &'a [T],
    pub values: &'a [CompensatedSum],
    pub edges: &'a FxHashMap<(u32, u32), T>,
}

/// Exact or weighted counts.
pub(crate) enum Raw<'a> {
    Exact(RawCounts<'a, u64>),
    Weighted(RawCounts<'a, f64>),
}

impl Raw<'_> {
    pub(crate) fn keys(&self) -> &[Box<[ChannelId]>] {
        match self {
            Self::Exact(r) => r.keys,
            Self::Weighted(r) => r.keys,
        }
    }
}

/// Longest state packed into an integer key.
const PACK_LEN: usize = 6;
/// Bits per channel id in a packed key.
const PACK_BITS: u32 = 20;

/// `len` in the top bits, then the ids, 20 bits each; `None` when the state
/// is too long or an id too large.
#[inline]
fn pack(key: &[ChannelId]) -> Option<u128> {
    if key.len() > PACK_LEN {
        return None;
    }
    let mut v = u128::from(u8::try_from(key.len()).unwrap_or(0));
    for c in key {
        let id = c.get();
        if id >= 1 << PACK_BITS {
            return None;
        }
        v = (v << PACK_BITS) | u128::from(id);
    }
    Some(v)
}

#[inline]
fn idx(i: u32) -> usize {
    i as usize
}

impl Merge for TransitionCounts {
    fn spec(&self) -> &ModelSpec {
        &self.spec
    }

    fn channels(&self) -> &Channels {
        &self.channels
    }

    fn extend_channels(&mut self, channels: &Channels) -> Result<(), ModelError> {
        self.follow(channels)
    }

    /// Adds `other`'s counts, its states remapped by channel name.
    /// Associative and commutative (exact counts bit-exactly, weights to
    /// rounding); an empty state of the same spec is the identity. Merging
    /// weighted counts into exact ones makes them weighted.
    fn merge(&mut self, other: &Self) -> Result<(), ModelError> {
        if self.spec != other.spec
            || (self.order, self.keep_self_loops) != (other.order, other.keep_self_loops)
        {
            return Err(ModelError::IncompatibleStates {
                left: self.spec.to_string(),
                right: other.spec.to_string(),
            });
        }
        let (grown, remap) = merge_tables(&self.channels, &other.channels)?;
        if let Some(table) = grown {
            self.channels = table;
        }
        if self.weighted.is_none() && other.weighted.is_none() {
            merge_counts(
                &mut self.states,
                &mut self.tallies,
                &other.states,
                &other.tallies,
                &remap,
            );
        } else {
            let converted;
            let theirs = match other.weighted.as_deref() {
                Some(t) => t,
                None => {
                    converted = other.tallies.to_weighted();
                    &converted
                }
            };
            self.weighted_table();
            let table = self.weighted.get_or_insert_with(Box::default);
            merge_counts(&mut self.states, table, &other.states, theirs, &remap);
        }
        self.value_sum += other.value_sum;
        Ok(())
    }
}

/// Adds `theirs` (with its states `other`) into `mine` (states `states`),
/// the other's channel ids mapped by `remap`.
fn merge_counts<T: Tally>(
    states: &mut States,
    mine: &mut Table<T>,
    other: &States,
    theirs: &Table<T>,
    remap: &Remap,
) {
    let mut key: Vec<ChannelId> = Vec::new();
    let map: Vec<u32> = other
        .keys
        .iter()
        .map(|k| {
            if remap.is_identity() {
                states.intern(k, mine)
            } else {
                key.clear();
                key.extend(k.iter().map(|&c| remap.id(c)));
                states.intern(&key, mine)
            }
        })
        .collect();
    let to = |i: u32| map.get(idx(i)).copied().unwrap_or(u32::MAX);
    for (i, &s) in map.iter().enumerate() {
        let i = u32::try_from(i).unwrap_or(u32::MAX);
        add(&mut mine.start, s, get(&theirs.start, i));
        add(&mut mine.conversions, s, get(&theirs.conversions, i));
        add(&mut mine.nulls, s, get(&theirs.nulls, i));
        if let (Some(x), Some(y)) = (states.values.get_mut(idx(s)), other.values.get(idx(i))) {
            x.merge(y);
        }
    }
    for (&(f, t), &c) in &theirs.edges {
        mine.add_edge(to(f), to(t), c);
    }
    mine.mass = mine.mass.plus(theirs.mass);
}

impl PartialEq for TransitionCounts {
    /// Equal when they hold the same spec, channel table, states and counts
    /// (whatever the interning order; exact or weighted alike); value sums
    /// are compared by value.
    fn eq(&self, other: &Self) -> bool {
        if self.spec != other.spec
            || self.channels != other.channels
            || self.states.len() != other.states.len()
        {
            return false;
        }
        let mut map = Vec::with_capacity(self.states.len());
        for k in &self.states.keys {
            match other.states.lookup(k) {
                Some(j) => map.push(j),
                None => return false,
            }
        }
        let values = map.iter().enumerate().all(|(i, &j)| {
            self.states.values.get(i).map(CompensatedSum::value)
                == other.states.values.get(idx(j)).map(CompensatedSum::value)
        });
        values
            && match (&self.weighted, &other.weighted) {
                (None, None) => same_counts(&map, &self.tallies, &other.tallies),
                (Some(a), Some(b)) => same_counts(&map, a, b),
                _ => false,
            }
    }
}

fn same_counts<T: Tally>(map: &[u32], a: &Table<T>, b: &Table<T>) -> bool {
    a.edges.len() == b.edges.len()
        && map.iter().enumerate().all(|(i, &j)| {
            let i = u32::try_from(i).unwrap_or(u32::MAX);
            get(&a.start, i) == get(&b.start, j)
                && get(&a.conversions, i) == get(&b.conversions, j)
                && get(&a.nulls, i) == get(&b.nulls, j)
        })
        && a.edges.iter().all(|(&(f, t), c)| {
            let key = (
                map.get(idx(f)).copied().unwrap_or(u32::MAX),
                map.get(idx(t)).copied().unwrap_or(u32::MAX),
            );
            b.edges.get(&key) == Some(c)
        })
}

/// Serialised form: the spec, the channel table, and the counts: states as
/// channel-index lists with their counts, edges as `(from, to, count)`
/// triples sorted for a canonical text; exact or weighted.
#[derive(Serialize, Deserialize)]
struct CountsRepr {
    spec: ModelSpec,
    channels: Channels,
    counts: CountsData,
}

#[derive(Serialize, Deserialize)]
enum CountsData {
    /// Integer counts.
    Exact {
        states: Vec<StateRepr<u64>>,
        edges: Vec<(u32, u32, u64)>,
    },
    /// `f64` weights.
    Weighted {
        states: Vec<StateRepr<f64>>,
        edges: Vec<(u32, u32, f64)>,
    },
}

#[derive(Serialize, Deserialize)]
struct StateRepr<T> {
    channels: Vec<ChannelId>,
    start: T,
    conversions: T,
    nulls: T,
    value: CompensatedSum,
}

/// Serialised edges: `(from, to, count)`.
type EdgeReprs<T> = Vec<(u32, u32, T)>;

fn repr<T: Tally>(states: &States, t: &Table<T>) -> (Vec<StateRepr<T>>, EdgeReprs<T>) {
    let reprs = states
        .keys
        .iter()
        .enumerate()
        .map(|(i, k)| StateRepr {
            channels: k.to_vec(),
            start: t.start.get(i).copied().unwrap_or_default(),
            conversions: t.conversions.get(i).copied().unwrap_or_default(),
            nulls: t.nulls.get(i).copied().unwrap_or_default(),
            value: states.values.get(i).copied().unwrap_or_default(),
        })
        .collect();
    let mut edges: Vec<(u32, u32, T)> = t.edges.iter().map(|(&(f, t), &n)| (f, t, n)).collect();
    edges.sort_unstable_by_key(|&(f, t, _)| (f, t));
    (reprs, edges)
}

impl From<TransitionCounts> for CountsRepr {
    fn from(c: TransitionCounts) -> Self {
        let counts = match &c.weighted {
            None => {
                let (states, edges) = repr(&c.states, &c.tallies);
                CountsData::Exact { states, edges }
            }
            Some(t) => {
                let (states, edges) = repr(&c.states, t);
                CountsData::Weighted { states, edges }
            }
        };
        Self {
            spec: c.spec,
            channels: c.channels,
            counts,
        }
    }
}

/// Why serialised counts were rejected.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum CountsError {
    /// A state's length does not fit the order.
    #[error("state #{0} has an invalid length for the order")]
    StateLength(usize),
    /// The same state is listed twice.
    #[error("state #{0} is listed twice")]
    DuplicateState(usize),
    /// A state names a channel outside the channel table.
    #[error("state #{0} names a channel outside the channel table")]
    UnknownChannel(usize),
    /// An edge refers to a state that is not listed, or is listed twice,
    /// or is a self-loop of counts that merge repeated states.
    #[error("edge #{0} refers to a missing state, is listed twice, or is a self-loop")]
    Edge(usize),
    /// The spec is not a valid Markov spec.
    #[error("invalid spec: {0}")]
    Spec(String),
    /// A count or value breaks an invariant of observed counts: totals above
    /// 2^53, a count or value that is not a finite non-negative number (or
    /// value on a state without conversions), or a state entered a
    /// different number of times than it is left.
    #[error("inconsistent counts: {0}")]
    Inconsistent(String),
}

impl TryFrom<CountsRepr> for TransitionCounts {
    type Error = CountsError;

    fn try_from(r: CountsRepr) -> Result<Self, Self::Error> {
        Self::validated(r).map_err(crate::invalid::remember)
    }
}

/// What validation needs of a count type.
trait Checked: Tally {
    /// Finite and non-negative.
    fn valid(self) -> bool;
    /// Whether `inflow` and `outflow` agree (exactly, or to rounding).
    fn balanced(inflow: Self, outflow: Self) -> bool;
    fn to_f64(self) -> f64;
}

impl Checked for u64 {
    fn valid(self) -> bool {
        true
    }
    fn balanced(inflow: Self, outflow: Self) -> bool {
        inflow == outflow
    }
    fn to_f64(self) -> f64 {
        count_to_f64(self)
    }
}

impl Checked for f64 {
    fn valid(self) -> bool {
        self.is_finite() && self >= 0.0
    }
    fn balanced(inflow: Self, outflow: Self) -> bool {
        (inflow - outflow).abs() <= 1e-9 * inflow.max(outflow)
    }
    fn to_f64(self) -> f64 {
        self
    }
}

/// Fills `table` from the serialised states and edges, checking them.
#[allow(clippy::too_many_arguments)]
fn fill<T: Checked>(
    c: &mut States,
    table: &mut Table<T>,
    value_sum: &mut f64,
    order: usize,
    keep_self_loops: bool,
    n_channels: usize,
    states: Vec<StateRepr<T>>,
    edges: Vec<(u32, u32, T)>,
) -> Result<(), CountsError> {
    let inconsistent = |what: String| CountsError::Inconsistent(what);
    for (i, s) in states.into_iter().enumerate() {
        if s.channels.is_empty() || s.channels.len() > order {
            return Err(CountsError::StateLength(i));
        }
        if s.channels.iter().any(|id| id.index() >= n_channels) {
            return Err(CountsError::UnknownChannel(i));
        }
        if c.lookup(&s.channels).is_some() {
            return Err(CountsError::DuplicateState(i));
        }
        if !(s.start.valid() && s.conversions.valid() && s.nulls.valid()) {
            return Err(inconsistent(format!("the counts of state #{i}")));
        }
        let value = s.value.value();
        if !(value.is_finite() && value >= 0.0) || (value > 0.0 && s.conversions.to_f64() <= 0.0) {
            return Err(inconsistent(format!("the value of state #{i}")));
        }
        let j = c.intern(&s.channels, table);
        add(&mut table.start, j, s.start);
        add(&mut table.conversions, j, s.conversions);
        add(&mut table.nulls, j, s.nulls);
        table.mass = table.mass.plus(s.conversions).plus(s.nulls);
        *value_sum += value;
        if let Some(x) = c.values.get_mut(idx(j)) {
            *x = s.value;
        }
    }
    let n = c.len();
    for (i, (f, t, count)) in edges.into_iter().enumerate() {
        if idx(f) >= n
            || idx(t) >= n
            || (f == t && !keep_self_loops)
            || table.edges.contains_key(&(f, t))
            || !count.valid()
        {
            return Err(CountsError::Edge(i));
        }
        table.add_edge(f, t, count);
        table.mass = table.mass.plus(count);
    }
    // Flow: every visit of a state enters it once and leaves it once.
    let mut inflow: Vec<T> = table.start.clone();
    let mut outflow: Vec<T> = table
        .conversions
        .iter()
        .zip(&table.nulls)
        .map(|(a, b)| a.plus(*b))
        .collect();
    for (&(f, to), &count) in &table.edges {
        add(&mut outflow, f, count);
        add(&mut inflow, to, count);
    }
    if let Some(s) = inflow
        .iter()
        .zip(&outflow)
        .position(|(a, b)| !T::balanced(*a, *b))
    {
        return Err(inconsistent(format!(
            "state #{s} is entered {:?} times and left {:?} times",
            inflow.get(s).copied().unwrap_or_default(),
            outflow.get(s).copied().unwrap_or_default()
        )));
    }
    Ok(())
}

/// The order and self-loop setting of the spec of a model whose state is
/// these counts: `markov`, or `markov-shapley` (which merges repeats).
fn chain_config(spec: &ModelSpec) -> Result<(usize, bool), ModelError> {
    use crate::model::markov_shapley::MarkovShapley;
    if spec.name == MarkovShapley::NAME {
        return Ok((MarkovShapley::from_spec(spec)?.order(), false));
    }
    let model = super::config::Markov::from_spec(spec)?;
    Ok((model.order(), model.keeps_self_loops()))
}

impl TransitionCounts {
    fn validated(r: CountsRepr) -> Result<Self, CountsError> {
        let (order, keep_self_loops) =
            chain_config(&r.spec).map_err(|e| CountsError::Spec(e.to_string()))?;
        let mut c = Self::configured(r.spec, order, keep_self_loops);
        c.channels = r.channels;
        let n_channels = c.channels.len();
        let mut value_sum = 0.0;
        match r.counts {
            CountsData::Exact { states, edges } => {
                fill(
                    &mut c.states,
                    &mut c.tallies,
                    &mut value_sum,
                    order,
                    keep_self_loops,
                    n_channels,
                    states,
                    edges,
                )?;
                if c.tallies.mass > MAX_EXACT_COUNT {
                    return Err(CountsError::Inconsistent(format!(
                        "the counts sum to more than 2^53 = {MAX_EXACT_COUNT}"
                    )));
                }
            }
            CountsData::Weighted { states, edges } => {
                let mut table = Table::default();
                fill(
                    &mut c.states,
                    &mut table,
                    &mut value_sum,
                    order,
                    keep_self_loops,
                    n_channels,
                    states,
                    edges,
                )?;
                if !table.mass.is_finite() {
                    return Err(CountsError::Inconsistent(
                        "the weights sum to more than the largest finite number".to_owned(),
                    ));
                }
                c.weighted = Some(Box::new(table));
            }
        }
        if !value_sum.is_finite() {
            return Err(CountsError::Inconsistent(
                "the values sum to more than the largest finite number".to_owned(),
            ));
        }
        c.value_sum = value_sum;
        Ok(c)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ids(v: &[usize]) -> Vec<ChannelId> {
        v.iter()
            .map(|&i| ChannelId::from_index(i).unwrap())
            .collect()
    }

    fn table(names: &[&str]) -> Channels {
        let mut t = Channels::new();
        for n in names {
            t.intern(n).unwrap();
        }
        t
    }

    #[test]
    fn states_follow_the_fixture_conventions() {
        // Order 1: Email > Email > LinkedIn -> (Email), (LinkedIn)
        let mut c = TransitionCounts::new(1).unwrap();
        c.observe_path(&ids(&[0, 0, 1]), 1, 0, 60.0);
        assert_eq!(c.n_states(), 2);
        assert_eq!(c.count(Some(&ids(&[0])), Some(&ids(&[1]))), 1);
        assert_eq!(c.n_edges(), 1);
        // Order 3: a path shorter than k gives one shorter state
        let mut c = TransitionCounts::new(3).unwrap();
        c.observe_path(&ids(&[1]), 1, 0, 80.0);
        c.observe_path(&ids(&[0, 1]), 0, 1, 0.0);
        assert_eq!(c.n_states(), 2);
        assert_eq!(c.conversions(&ids(&[1])), 1);
        assert_eq!(c.non_conversions(&ids(&[0, 1])), 1);
        assert_eq!(c.n_edges(), 0);
        assert_eq!(c.total_journeys(), 2);
        assert_eq!(c.total_value(), 80.0);
    }

    #[test]
    fn packed_and_unpacked_states_count_alike() {
        // ids below and above 2^20, orders below and above PACK_LEN
        for (base, order) in [(0usize, 2usize), (1 << 20, 2), (0, 7), (1 << 20, 8)] {
            let path = ids(&[
                base,
                base + 1,
                base,
                base + 1,
                base + 2,
                base,
                base + 1,
                base + 2,
                base + 3,
            ]);
            let mut c = TransitionCounts::new(order).unwrap();
            c.observe_path(&path, 1, 2, 4.0);
            c.observe_path(&path, 0, 1, 0.0);
            c.observe_path(&path[..1], 1, 0, 1.0);
            let distinct: std::collections::BTreeSet<&[ChannelId]> = path.windows(order).collect();
            assert_eq!(c.n_states(), distinct.len() + 1, "order {order}");
            assert_eq!(c.count(None, Some(&path[..order])), 4);
            assert_eq!(c.conversions(&path[path.len() - order..]), 1);
            assert_eq!(c.conversions(&path[..1]), 1);
        }
    }

    #[test]
    fn self_loops_are_kept_on_request() {
        let mut c = TransitionCounts::with_self_loops(2, true).unwrap();
        c.observe_path(&ids(&[0, 0, 0, 1]), 2, 1, 5.0);
        assert_eq!(c.count(Some(&ids(&[0, 0])), Some(&ids(&[0, 0]))), 3);
        assert_eq!(c.count(Some(&ids(&[0, 0])), Some(&ids(&[0, 1]))), 3);
    }

    #[test]
    fn merge_remaps_by_name_and_checks_the_spec() {
        // a: table x, y, z; b: table z, y, x (ids reversed).
        let mut a = TransitionCounts::new(2).unwrap();
        a.follow(&table(&["x", "y", "z"])).unwrap();
        a.observe_path(&ids(&[0, 1, 2]), 1, 0, 3.0);
        let mut b = TransitionCounts::new(2).unwrap();
        b.follow(&table(&["z", "y", "x", "w"])).unwrap();
        b.observe_path(&ids(&[0, 1, 0]), 0, 4, 0.0); // z y z
        b.observe_path(&ids(&[2, 1]), 2, 1, 7.5); // x y
        b.observe_path(&ids(&[3]), 1, 0, 1.0); // w
        let mut ab = a.clone();
        ab.merge(&b).unwrap();
        let mut one = TransitionCounts::new(2).unwrap();
        one.follow(&table(&["x", "y", "z", "w"])).unwrap();
        one.observe_path(&ids(&[0, 1, 2]), 1, 0, 3.0);
        one.observe_path(&ids(&[2, 1, 2]), 0, 4, 0.0);
        one.observe_path(&ids(&[0, 1]), 2, 1, 7.5);
        one.observe_path(&ids(&[3]), 1, 0, 1.0);
        assert_eq!(ab, one);
        // The same counts the other way round, in b's channel order.
        let mut ba = b.clone();
        ba.merge(&a).unwrap();
        assert_eq!(ba.channels(), &table(&["z", "y", "x", "w"]));
        assert_eq!(ba.total_journeys(), one.total_journeys());
        assert_eq!(ba.count(None, Some(&ids(&[2, 1]))), 4); // x y
        let json = serde_json::to_string(&ab).unwrap();
        let back: TransitionCounts = serde_json::from_str(&json).unwrap();
        assert_eq!(back, ab);
        let mut empty = TransitionCounts::new(2).unwrap();
        empty.merge(&ab).unwrap();
        assert_eq!(empty, ab);
        let mut o3 = TransitionCounts::new(3).unwrap();
        let before = o3.clone();
        assert!(matches!(
            o3.merge(&ab),
            Err(ModelError::IncompatibleStates { .. })
        ));
        assert_eq!(o3, before);
        assert!(TransitionCounts::new(0).is_err());
        let bad = json.replace("\"edges\":[[0,1,", "\"edges\":[[9,1,");
        assert!(serde_json::from_str::<TransitionCounts>(&bad).is_err());
    }

    #[test]
    fn deserialisation_checks_flow_and_ranges() {
        let mut c = TransitionCounts::new(1).unwrap();
        c.follow(&table(&["a", "b"])).unwrap();
        c.observe_path(&ids(&[0, 1]), 1, 1, 2.0);
        let json = serde_json::to_string(&c).unwrap();
        assert!(json.contains("\"edges\":[[0,1,2]]"), "{json}");
        for (from, to, why) in [
            ("\"edges\":[[0,1,2]]", "\"edges\":[[0,1,3]]", "entered"),
            (
                "\"edges\":[[0,1,2]]",
                "\"edges\":[[0,1,2],[0,1,2]]",
                "edge #1",
            ),
            ("\"edges\":[[0,1,2]]", "\"edges\":[[0,0,2]]", "edge #0"),
            (
                "\"channels\":[\"a\",\"b\"]",
                "\"channels\":[\"a\"]",
                "outside the channel table",
            ),
            ("markov:order=1", "markov:order=0", "invalid spec"),
        ] {
            let bad = json.replace(from, to);
            assert_ne!(bad, json);
            let err = serde_json::from_str::<TransitionCounts>(&bad).unwrap_err();
            assert!(err.to_string().contains(why), "{err}");
        }
    }
}
