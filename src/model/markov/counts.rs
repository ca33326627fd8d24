//! [`TransitionCounts`]: the mergeable state of the Markov model.

use rustc_hash::FxHashMap;
use serde::{Deserialize, Serialize};

use crate::channel::ChannelId;
use crate::error::ModelError;
use crate::journey::Journey;
use crate::model::Merge;
use crate::numeric::CompensatedSum;

/// Transition counts of an order-k Markov chain over customer journeys: the
/// mergeable state of [`Markov`](super::Markov) (the transition counts, mergeable
/// across partitions of the journeys).
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
/// Counts are integers, so merging the counts of any partition of the
/// journeys gives bit-identical counts; value sums are compensated sums,
/// equal up to rounding. Counts saturate at `u64::MAX` rather than wrap, and
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
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(try_from = "CountsRepr", into = "CountsRepr")]
pub struct TransitionCounts {
    /// 0 while unconfigured (the [`Default`] identity of merging).
    order: usize,
    keep_self_loops: bool,
    /// Set when states of different configurations were merged.
    conflict: Option<(usize, bool)>,
    keys: Vec<Box<[ChannelId]>>,
    /// States of at most [`PACK_LEN`] channels with ids below 2^20, packed
    /// into one integer: hashing it is much cheaper than hashing a slice
    /// behind a pointer (counting 1M paths at order 3: 476 → ... ms).
    packed: FxHashMap<u128, u32>,
    /// All other states.
    index: FxHashMap<Box<[ChannelId]>, u32>,
    start: Vec<u64>,
    conversions: Vec<u64>,
    nulls: Vec<u64>,
    values: Vec<CompensatedSum>,
    edges: FxHashMap<(u32, u32), u64>,
    scratch: Vec<ChannelId>,
    /// Σ of every count leaving a state (`Σ_s out_s`, saturating): bounds
    /// every count of the chain, so when it is at most 2^53 all of them are
    /// exact in `f64`.
    mass: u64,
    /// Plain sum of the values added (for overflow detection only).
    value_sum: f64,
}

impl TransitionCounts {
    /// Empty counts for order `order` (consecutive identical states merged).
    ///
    /// # Errors
    ///
    /// [`ModelError::InvalidParameter`] when `order` is 0.
    pub fn new(order: usize) -> Result<Self, ModelError> {
        Self::with_self_loops(order, false)
    }

    /// Empty counts for order `order`; `keep_self_loops` keeps consecutive
    /// identical states as `s → s` transitions instead of merging them.
    ///
    /// # Errors
    ///
    /// [`ModelError::InvalidParameter`] when `order` is 0.
    pub fn with_self_loops(order: usize, keep_self_loops: bool) -> Result<Self, ModelError> {
        check_order(order)?;
        Ok(Self {
            order,
            keep_self_loops,
            ..Self::default()
        })
    }

    /// The order `k`, or `None` for counts that were never configured
    /// (the [`Default`] value).
    #[must_use]
    pub fn order(&self) -> Option<usize> {
        (self.order > 0).then_some(self.order)
    }

    /// Whether consecutive identical states are kept as self-loops.
    #[must_use]
    pub fn keeps_self_loops(&self) -> bool {
        self.keep_self_loops
    }

    /// Configures default (empty, unconfigured) counts; checks configured ones.
    ///
    /// # Errors
    ///
    /// [`ModelError::InvalidParameter`] when the counts were configured with
    /// another order or self-loop setting.
    pub fn ensure_config(&mut self, order: usize, keep_self_loops: bool) -> Result<(), ModelError> {
        check_order(order)?;
        if self.order == 0 && self.keys.is_empty() {
            self.order = order;
            self.keep_self_loops = keep_self_loops;
            return Ok(());
        }
        self.check_config(order, keep_self_loops)
    }

    /// Checks that the counts were built with `order` and `keep_self_loops`
    /// (empty, unconfigured counts match anything).
    ///
    /// # Errors
    ///
    /// [`ModelError::InvalidParameter`] on a mismatch, or when counts of
    /// different configurations were merged.
    pub fn check_config(&self, order: usize, keep_self_loops: bool) -> Result<(), ModelError> {
        if let Some((o, _)) = self.conflict {
            return Err(ModelError::InvalidParameter {
                name: "order",
                value: o.to_string(),
                reason: "transition counts of different orders or self-loop settings were merged",
            });
        }
        if self.order == 0 && self.keys.is_empty() {
            return Ok(());
        }
        if self.order != order {
            return Err(ModelError::InvalidParameter {
                name: "order",
                value: self.order.to_string(),
                reason: "the transition counts were built with another order than the model's",
            });
        }
        if self.keep_self_loops != keep_self_loops {
            return Err(ModelError::InvalidParameter {
                name: "keep_self_loops",
                value: self.keep_self_loops.to_string(),
                reason: "the transition counts were built with another self-loop setting",
            });
        }
        Ok(())
    }

    /// Adds one journey (its channels, conversions, non-conversions, value).
    ///
    /// Unconfigured counts are treated as order 1.
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
    /// `conversions + non_conversions == 0`, adds nothing. Unconfigured
    /// counts are treated as order 1. A non-finite or negative `value` is
    /// ignored (the readers and [`Journey`] never produce one).
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
        if self.order == 0 {
            self.order = 1;
        }
        let k = self.order;
        // States visited (each leaves once: to the next state or the end).
        let mut visits = 1u64;
        let last = if path.len() < k {
            let s = self.intern(path);
            add(&mut self.start, s, weight);
            Some(s)
        } else {
            let mut prev: Option<(u32, &[ChannelId])> = None;
            for window in path.windows(k) {
                match prev {
                    None => {
                        let s = self.intern(window);
                        add(&mut self.start, s, weight);
                        prev = Some((s, window));
                    }
                    Some((p, pw)) if pw == window => {
                        if self.keep_self_loops {
                            add_edge(&mut self.edges, p, p, weight);
                            visits += 1;
                        }
                    }
                    Some((p, _)) => {
                        let s = self.intern(window);
                        add_edge(&mut self.edges, p, s, weight);
                        visits += 1;
                        prev = Some((s, window));
                    }
                }
            }
            prev.map(|(s, _)| s)
        };
        self.mass = self.mass.saturating_add(weight.saturating_mul(visits));
        if let Some(last) = last {
            add(&mut self.conversions, last, conversions);
            add(&mut self.nulls, last, non_conversions);
            if conversions > 0 && value.is_finite() && value > 0.0 {
                if let Some(v) = self.values.get_mut(idx(last)) {
                    v.add(value);
                    self.value_sum += value;
                }
            }
        }
    }

    /// The index of state `key`, if it was seen.
    pub(crate) fn state_index(&self, key: &[ChannelId]) -> Option<u32> {
        self.lookup(key)
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
        if self.mass > crate::numeric::MAX_EXACT_COUNT {
            return Err(ModelError::Overflow {
                index: None,
                what: format!(
                    "the Markov transition counts sum to more than 2^53 = {}, above which counts are not exactly representable",
                    crate::numeric::MAX_EXACT_COUNT
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

    fn lookup(&self, key: &[ChannelId]) -> Option<u32> {
        match pack(key) {
            Some(p) => self.packed.get(&p).copied(),
            None => self.index.get(key).copied(),
        }
    }

    fn intern(&mut self, key: &[ChannelId]) -> u32 {
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
        self.start.push(0);
        self.conversions.push(0);
        self.nulls.push(0);
        self.values.push(CompensatedSum::default());
        i
    }

    /// The number of distinct states.
    #[must_use]
    pub fn n_states(&self) -> usize {
        self.keys.len()
    }

    /// The number of distinct state-to-state transitions (self-loops included).
    #[must_use]
    pub fn n_edges(&self) -> usize {
        self.edges.len()
    }

    /// The count of the transition `from → to`, where `None` is `(start)` as
    /// `from`; `to = None` sums conversions and non-conversions of `from`.
    #[must_use]
    pub fn count(&self, from: Option<&[ChannelId]>, to: Option<&[ChannelId]>) -> u64 {
        let f = from.map(|k| self.lookup(k));
        let t = to.map(|k| self.lookup(k));
        match (f, t) {
            (None, Some(Some(t))) => get(&self.start, t),
            (Some(Some(f)), Some(Some(t))) => self.edges.get(&(f, t)).copied().unwrap_or(0),
            (Some(Some(f)), None) => get(&self.conversions, f).saturating_add(get(&self.nulls, f)),
            _ => 0,
        }
    }

    /// Conversions of the paths whose last state is `state`.
    #[must_use]
    pub fn conversions(&self, state: &[ChannelId]) -> u64 {
        self.lookup(state).map_or(0, |s| get(&self.conversions, s))
    }

    /// Non-conversions of the paths whose last state is `state`.
    #[must_use]
    pub fn non_conversions(&self, state: &[ChannelId]) -> u64 {
        self.lookup(state).map_or(0, |s| get(&self.nulls, s))
    }

    /// Total conversions observed.
    #[must_use]
    pub fn total_conversions(&self) -> u64 {
        self.conversions
            .iter()
            .fold(0u64, |a, &c| a.saturating_add(c))
    }

    /// Total value observed (of paths with conversions).
    #[must_use]
    pub fn total_value(&self) -> f64 {
        let mut s = CompensatedSum::default();
        for v in &self.values {
            s.merge(v);
        }
        s.value()
    }

    /// Total journeys observed (conversions + non-conversions).
    #[must_use]
    pub fn total_journeys(&self) -> u64 {
        self.start.iter().fold(0u64, |a, &c| a.saturating_add(c))
    }

    pub(crate) fn raw(&self) -> RawCounts<'_> {
        RawCounts {
            keys: &self.keys,
            start: &self.start,
            conversions: &self.conversions,
            nulls: &self.nulls,
            values: &self.values,
            edges: &self.edges,
        }
    }
}

/// Borrowed view of the counts for building a chain.
pub(crate) struct RawCounts<'a> {
    pub keys: &'a [Box<[ChannelId]>],
    pub start: &'a [u64],
    pub conversions: &'a [u64],
    pub nulls: &'a [u64],
    pub values: &'a [CompensatedSum],
    pub edges: &'a FxHashMap<(u32, u32), u64>,
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

pub(crate) fn check_order(order: usize) -> Result<(), ModelError> {
    if order == 0 || order > MAX_ORDER {
        return Err(ModelError::InvalidParameter {
            name: "order",
            value: order.to_string(),
            reason: "the Markov order must be between 1 and 32",
        });
    }
    Ok(())
}

/// The largest supported order.
pub const MAX_ORDER: usize = 32;

fn idx(i: u32) -> usize {
    i as usize
}

fn get(v: &[u64], i: u32) -> u64 {
    v.get(idx(i)).copied().unwrap_or(0)
}

fn add(v: &mut [u64], i: u32, by: u64) {
    if let Some(x) = v.get_mut(idx(i)) {
        *x = x.saturating_add(by);
    }
}

fn add_edge(edges: &mut FxHashMap<(u32, u32), u64>, from: u32, to: u32, by: u64) {
    let e = edges.entry((from, to)).or_insert(0);
    *e = e.saturating_add(by);
}

impl Merge for TransitionCounts {
    /// Adds `other`'s counts. Associative and commutative; the default value
    /// is the identity. Merging counts of different orders or self-loop
    /// settings marks the result as conflicting, which
    /// [`check_config`](TransitionCounts::check_config) reports.
    fn merge(&mut self, other: &Self) {
        if other.order == 0 && other.keys.is_empty() {
            return;
        }
        if let Some(c) = other.conflict {
            self.conflict.get_or_insert(c);
        }
        if self.order == 0 && self.keys.is_empty() {
            self.order = other.order;
            self.keep_self_loops = other.keep_self_loops;
        } else if (self.order, self.keep_self_loops) != (other.order, other.keep_self_loops) {
            self.conflict
                .get_or_insert((other.order, other.keep_self_loops));
        }
        let map: Vec<u32> = other.keys.iter().map(|k| self.intern(k)).collect();
        let remap = |i: u32| map.get(idx(i)).copied().unwrap_or(u32::MAX);
        for (i, &s) in map.iter().enumerate() {
            let j = s as usize;
            if let Some(x) = self.start.get_mut(j) {
                *x = x.saturating_add(other.start.get(i).copied().unwrap_or(0));
            }
            if let Some(x) = self.conversions.get_mut(j) {
                *x = x.saturating_add(other.conversions.get(i).copied().unwrap_or(0));
            }
            if let Some(x) = self.nulls.get_mut(j) {
                *x = x.saturating_add(other.nulls.get(i).copied().unwrap_or(0));
            }
            if let (Some(x), Some(y)) = (self.values.get_mut(j), other.values.get(i)) {
                x.merge(y);
            }
        }
        for (&(f, t), &c) in &other.edges {
            add_edge(&mut self.edges, remap(f), remap(t), c);
        }
        self.mass = self.mass.saturating_add(other.mass);
        self.value_sum += other.value_sum;
    }
}

impl PartialEq for TransitionCounts {
    /// Equal when they hold the same configuration, states and counts
    /// (whatever the interning order); value sums are compared by value.
    fn eq(&self, other: &Self) -> bool {
        if (self.order, self.keep_self_loops, self.conflict)
            != (other.order, other.keep_self_loops, other.conflict)
            || self.keys.len() != other.keys.len()
            || self.edges.len() != other.edges.len()
        {
            return false;
        }
        let mut map = Vec::with_capacity(self.keys.len());
        for k in &self.keys {
            match other.lookup(k) {
                Some(j) => map.push(j),
                None => return false,
            }
        }
        let same = map.iter().enumerate().all(|(i, &j)| {
            let j = idx(j);
            self.start.get(i) == other.start.get(j)
                && self.conversions.get(i) == other.conversions.get(j)
                && self.nulls.get(i) == other.nulls.get(j)
                && self.values.get(i).map(CompensatedSum::value)
                    == other.values.get(j).map(CompensatedSum::value)
        });
        same && self.edges.iter().all(|(&(f, t), c)| {
            let key = (
                map.get(idx(f)).copied().unwrap_or(u32::MAX),
                map.get(idx(t)).copied().unwrap_or(u32::MAX),
            );
            other.edges.get(&key) == Some(c)
        })
    }
}

/// Serialised form: states as channel-id lists, edges as `(from, to, count)`
/// triples sorted for a canonical text.
#[derive(Serialize, Deserialize)]
struct CountsRepr {
    order: usize,
    #[serde(default)]
    keep_self_loops: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    conflict: Option<(usize, bool)>,
    states: Vec<StateRepr>,
    edges: Vec<(u32, u32, u64)>,
}

#[derive(Serialize, Deserialize)]
struct StateRepr {
    channels: Vec<ChannelId>,
    start: u64,
    conversions: u64,
    nulls: u64,
    value: CompensatedSum,
}

impl From<TransitionCounts> for CountsRepr {
    fn from(c: TransitionCounts) -> Self {
        let states = c
            .keys
            .iter()
            .enumerate()
            .map(|(i, k)| StateRepr {
                channels: k.to_vec(),
                start: c.start.get(i).copied().unwrap_or(0),
                conversions: c.conversions.get(i).copied().unwrap_or(0),
                nulls: c.nulls.get(i).copied().unwrap_or(0),
                value: c.values.get(i).copied().unwrap_or_default(),
            })
            .collect();
        let mut edges: Vec<(u32, u32, u64)> =
            c.edges.iter().map(|(&(f, t), &n)| (f, t, n)).collect();
        edges.sort_unstable();
        Self {
            order: c.order,
            keep_self_loops: c.keep_self_loops,
            conflict: c.conflict,
            states,
            edges,
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
    /// An edge refers to a state that is not listed.
    #[error("edge #{0} refers to a missing state")]
    EdgeOutOfRange(usize),
    /// The order is 0 but states are listed, or above the maximum.
    #[error("invalid order {0}")]
    Order(usize),
}

impl TryFrom<CountsRepr> for TransitionCounts {
    type Error = CountsError;

    fn try_from(r: CountsRepr) -> Result<Self, Self::Error> {
        if r.order > MAX_ORDER || (r.order == 0 && !r.states.is_empty()) {
            return Err(CountsError::Order(r.order));
        }
        let mut c = Self {
            order: r.order,
            keep_self_loops: r.keep_self_loops,
            conflict: r.conflict,
            ..Self::default()
        };
        for (i, s) in r.states.into_iter().enumerate() {
            if s.channels.is_empty() || s.channels.len() > r.order {
                return Err(CountsError::StateLength(i));
            }
            if c.lookup(&s.channels).is_some() {
                return Err(CountsError::DuplicateState(i));
            }
            let j = c.intern(&s.channels);
            let j = idx(j);
            if let Some(x) = c.start.get_mut(j) {
                *x = s.start;
            }
            if let Some(x) = c.conversions.get_mut(j) {
                *x = s.conversions;
            }
            if let Some(x) = c.nulls.get_mut(j) {
                *x = s.nulls;
            }
            c.mass = c.mass.saturating_add(s.conversions).saturating_add(s.nulls);
            c.value_sum += s.value.value();
            if let Some(x) = c.values.get_mut(j) {
                *x = s.value;
            }
        }
        let n = c.keys.len();
        for (i, (f, t, count)) in r.edges.into_iter().enumerate() {
            if idx(f) >= n || idx(t) >= n {
                return Err(CountsError::EdgeOutOfRange(i));
            }
            add_edge(&mut c.edges, f, t, count);
            c.mass = c.mass.saturating_add(count);
        }
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
            let back: TransitionCounts =
                serde_json::from_str(&serde_json::to_string(&c).unwrap()).unwrap();
            assert_eq!(back, c);
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
    fn merge_serde_and_config_checks() {
        let mut a = TransitionCounts::new(2).unwrap();
        a.observe_path(&ids(&[0, 1, 2]), 1, 0, 3.0);
        let mut b = TransitionCounts::default();
        b.ensure_config(2, false).unwrap();
        b.observe_path(&ids(&[2, 1, 2]), 0, 4, 0.0);
        b.observe_path(&ids(&[0, 1]), 2, 1, 7.5);
        let mut ab = a.clone();
        ab.merge(&b);
        let mut ba = b.clone();
        ba.merge(&a);
        assert_eq!(ab, ba);
        let mut one = TransitionCounts::new(2).unwrap();
        one.observe_path(&ids(&[0, 1, 2]), 1, 0, 3.0);
        one.observe_path(&ids(&[2, 1, 2]), 0, 4, 0.0);
        one.observe_path(&ids(&[0, 1]), 2, 1, 7.5);
        assert_eq!(ab, one);
        let json = serde_json::to_string(&ab).unwrap();
        let back: TransitionCounts = serde_json::from_str(&json).unwrap();
        assert_eq!(back, ab);
        let mut empty = TransitionCounts::default();
        empty.merge(&ab);
        assert_eq!(empty, ab);
        assert!(ab.check_config(3, false).is_err());
        assert!(ab.check_config(2, true).is_err());
        let mut mixed = ab.clone();
        let mut o1 = TransitionCounts::new(1).unwrap();
        o1.observe_path(&ids(&[0]), 1, 0, 0.0);
        mixed.merge(&o1);
        assert!(mixed.check_config(2, false).is_err());
        assert!(TransitionCounts::new(0).is_err());
        let bad = json.replace("\"edges\":[[0,1,", "\"edges\":[[9,1,");
        assert!(serde_json::from_str::<TransitionCounts>(&bad).is_err());
    }
}
