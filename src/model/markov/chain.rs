//! [`MarkovChain`]: the absorbing chain built from [`TransitionCounts`].

use crate::channel::{ChannelId, Channels};
use crate::error::ModelError;
use crate::numeric::count_to_f64;

use super::counts::{Raw, RawCounts, Tally, TransitionCounts};

/// An absorbing Markov chain over order-k states, in canonical form.
///
/// Built from [`TransitionCounts`]: states are sorted by their channel ids,
/// so the chain (and every number computed from it) does not depend on the
/// order in which journeys were observed or counts merged. Transition
/// probabilities are counts divided by the total count leaving a state;
/// besides state-to-state transitions, a state leaves to `(conversion)` and
/// `(null)`, and `(start)` leaves to the first states of the paths.
///
/// # Example
///
/// ```
/// use attribution::{Channels, Journey, JourneySet};
/// use attribution::model::markov::{MarkovChain, TransitionCounts};
///
/// let mut set = JourneySet::new(Channels::new());
/// let a = set.channels_mut().intern("a")?;
/// let b = set.channels_mut().intern("b")?;
/// let mut counts = TransitionCounts::new(1)?;
/// counts.observe_path(&[a, b], 1, 0, 10.0);
/// counts.observe_path(&[b], 0, 1, 0.0);
/// let chain = MarkovChain::new(&counts, set.channels())?;
/// assert_eq!(chain.n_states(), 2);
/// assert_eq!(chain.state_label(1).as_deref(), Some("b"));
/// assert_eq!(chain.conversion_probability()?, 0.5);
/// # Ok::<(), attribution::Error>(())
/// ```
#[derive(Debug, Clone)]
pub struct MarkovChain {
    pub(crate) order: usize,
    pub(crate) keep_self_loops: bool,
    pub(crate) names: Vec<String>,
    pub(crate) keys: Vec<Box<[ChannelId]>>,
    pub(crate) start: Vec<u64>,
    pub(crate) conversions: Vec<u64>,
    pub(crate) nulls: Vec<u64>,
    pub(crate) values: Vec<f64>,
    /// CSR of state → state transitions (self-loops included), targets sorted.
    pub(crate) row_ptr: Vec<usize>,
    pub(crate) cols: Vec<u32>,
    pub(crate) counts: Vec<u64>,
    /// Total count leaving each state (transitions, conversions, nulls).
    pub(crate) out: Vec<u64>,
    /// The `f64` counts of a chain of weighted counts (the fields above
    /// then hold them rounded, for display).
    pub(crate) weights: Option<Box<ChainWeights>>,
}

/// The counts of a chain built from weighted counts, laid out as
/// [`MarkovChain`]'s integer ones.
#[derive(Debug, Clone)]
pub(crate) struct ChainWeights {
    start: Vec<f64>,
    conversions: Vec<f64>,
    nulls: Vec<f64>,
    counts: Vec<f64>,
    out: Vec<f64>,
}

/// The canonical layout of counts: states sorted, transitions as CSR.
struct Layout<T> {
    keys: Vec<Box<[ChannelId]>>,
    start: Vec<T>,
    conversions: Vec<T>,
    nulls: Vec<T>,
    values: Vec<f64>,
    row_ptr: Vec<usize>,
    cols: Vec<u32>,
    counts: Vec<T>,
    out: Vec<T>,
}

fn layout<T: Tally>(raw: &RawCounts<'_, T>) -> Layout<T> {
    let n = raw.keys.len();
    let mut perm: Vec<usize> = (0..n).collect();
    perm.sort_unstable_by(|&i, &j| raw.keys.get(i).cmp(&raw.keys.get(j)));
    // new index of old state i
    let mut rank = vec![0u32; n];
    for (new, &old) in perm.iter().enumerate() {
        if let Some(r) = rank.get_mut(old) {
            *r = u32::try_from(new).unwrap_or(u32::MAX);
        }
    }
    let pick = |v: &[T], old: usize| v.get(old).copied().unwrap_or_default();
    let keys: Vec<Box<[ChannelId]>> = perm
        .iter()
        .filter_map(|&o| raw.keys.get(o).cloned())
        .collect();
    let start: Vec<T> = perm.iter().map(|&o| pick(raw.start, o)).collect();
    let conversions: Vec<T> = perm.iter().map(|&o| pick(raw.conversions, o)).collect();
    let nulls: Vec<T> = perm.iter().map(|&o| pick(raw.nulls, o)).collect();
    let values: Vec<f64> = perm
        .iter()
        .map(|&o| raw.values.get(o).map_or(0.0, |v| v.value()))
        .collect();
    let mut edges: Vec<(u32, u32, T)> = raw
        .edges
        .iter()
        .filter(|&(_, &c)| c != T::default())
        .map(|(&(f, t), &c)| {
            let r = |i: u32| rank.get(i as usize).copied().unwrap_or(u32::MAX);
            (r(f), r(t), c)
        })
        .filter(|&(f, t, _)| (f as usize) < n && (t as usize) < n)
        .collect();
    edges.sort_unstable_by_key(|&(f, t, _)| (f, t));
    let mut row_ptr = vec![0usize; n + 1];
    for &(f, _, _) in &edges {
        if let Some(p) = row_ptr.get_mut(f as usize + 1) {
            *p += 1;
        }
    }
    for i in 0..n {
        let prev = row_ptr.get(i).copied().unwrap_or(0);
        if let Some(p) = row_ptr.get_mut(i + 1) {
            *p += prev;
        }
    }
    let cols: Vec<u32> = edges.iter().map(|e| e.1).collect();
    let counts: Vec<T> = edges.iter().map(|e| e.2).collect();
    let mut out: Vec<T> = conversions
        .iter()
        .zip(&nulls)
        .map(|(&c, &m)| c.plus(m))
        .collect();
    for &(f, _, c) in &edges {
        if let Some(o) = out.get_mut(f as usize) {
            *o = o.plus(c);
        }
    }
    Layout {
        keys,
        start,
        conversions,
        nulls,
        values,
        row_ptr,
        cols,
        counts,
        out,
    }
}

/// A non-negative weight rounded to the nearest count (saturating).
#[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
fn round_count(w: f64) -> u64 {
    if w.is_nan() || w <= 0.0 {
        0
    } else if w >= 18_446_744_073_709_551_615.0 {
        u64::MAX
    } else {
        w.round() as u64
    }
}

/// [`ModelError::ChannelMismatch`] unless `table` names the channels of
/// `state` alike (it may name more after them).
fn check_extends(state: &Channels, table: &Channels) -> Result<(), ModelError> {
    let mismatch = state
        .iter()
        .zip(table.iter().map(Some).chain(std::iter::repeat(None)))
        .find(|((_, a), b)| b.is_none_or(|(_, b)| a != &b));
    match mismatch {
        None => Ok(()),
        Some(((id, a), b)) => Err(ModelError::ChannelMismatch {
            index: id.index(),
            state: a.to_owned(),
            table: b.map(|(_, b)| b.to_owned()).unwrap_or_default(),
        }),
    }
}

impl MarkovChain {
    /// Builds the canonical chain from `counts`, with channel names from
    /// `channels`: the counts' own table ([`Merge::channels`](crate::Merge::channels)),
    /// or a table extending it (e.g. for counts filled by
    /// [`TransitionCounts::observe_path`] with ids of `channels`).
    ///
    /// # Errors
    ///
    /// [`ModelError::UnknownChannel`] when a state names a channel outside
    /// `channels`; [`ModelError::ChannelMismatch`] when `channels` does not
    /// extend the counts' table; [`ModelError::Overflow`] when the counts
    /// are not exact in `f64` (see [`TransitionCounts::check_exact`]).
    ///
    /// # Complexity
    ///
    /// `O(S log S · k + E log E)` for `S` states of order `k` and `E`
    /// transitions.
    pub fn new(counts: &TransitionCounts, channels: &Channels) -> Result<Self, ModelError> {
        check_extends(crate::Merge::channels(counts), channels)?;
        counts.check_exact()?;
        let raw = counts.raw();
        for key in raw.keys() {
            if let Some(c) = key.iter().find(|c| !channels.contains(**c)) {
                return Err(ModelError::UnknownChannel {
                    id: c.get(),
                    len: channels.len(),
                });
            }
        }
        let (layout, weights) = match raw {
            Raw::Exact(raw) => (layout(&raw), None),
            Raw::Weighted(raw) => {
                let l = layout(&raw);
                let rounded = |v: &[f64]| v.iter().map(|&w| round_count(w)).collect::<Vec<_>>();
                let exact = Layout {
                    keys: l.keys,
                    start: rounded(&l.start),
                    conversions: rounded(&l.conversions),
                    nulls: rounded(&l.nulls),
                    values: l.values,
                    row_ptr: l.row_ptr,
                    cols: l.cols,
                    counts: rounded(&l.counts),
                    out: rounded(&l.out),
                };
                let weights = ChainWeights {
                    start: l.start,
                    conversions: l.conversions,
                    nulls: l.nulls,
                    counts: l.counts,
                    out: l.out,
                };
                (exact, Some(Box::new(weights)))
            }
        };
        Ok(Self {
            order: counts.order(),
            keep_self_loops: counts.keeps_self_loops(),
            names: channels.iter().map(|(_, name)| name.to_owned()).collect(),
            keys: layout.keys,
            start: layout.start,
            conversions: layout.conversions,
            nulls: layout.nulls,
            values: layout.values,
            row_ptr: layout.row_ptr,
            cols: layout.cols,
            counts: layout.counts,
            out: layout.out,
            weights,
        })
    }

    /// Whether the chain was built from weighted counts
    /// ([`Model::observe_weighted`](crate::Model::observe_weighted) with a
    /// fractional weight): its probabilities come from `f64` weights, and
    /// the integer counts it shows ([`MarkovChain::transitions`]) are those
    /// weights rounded.
    #[must_use]
    pub fn is_weighted(&self) -> bool {
        self.weights.is_some()
    }

    /// The count entering state `s` from `(start)`, as `f64`.
    #[inline]
    pub(crate) fn start_weight(&self, s: usize) -> f64 {
        match &self.weights {
            None => count_to_f64(self.start.get(s).copied().unwrap_or(0)),
            Some(w) => w.start.get(s).copied().unwrap_or(0.0),
        }
    }

    /// The conversions ending in state `s`, as `f64`.
    #[inline]
    pub(crate) fn conversion_weight(&self, s: usize) -> f64 {
        match &self.weights {
            None => count_to_f64(self.conversions.get(s).copied().unwrap_or(0)),
            Some(w) => w.conversions.get(s).copied().unwrap_or(0.0),
        }
    }

    /// The non-conversions ending in state `s`, as `f64`.
    #[inline]
    pub(crate) fn null_weight(&self, s: usize) -> f64 {
        match &self.weights {
            None => count_to_f64(self.nulls.get(s).copied().unwrap_or(0)),
            Some(w) => w.nulls.get(s).copied().unwrap_or(0.0),
        }
    }

    /// The total count leaving state `s`, as `f64`.
    #[inline]
    pub(crate) fn out_weight(&self, s: usize) -> f64 {
        match &self.weights {
            None => count_to_f64(self.out.get(s).copied().unwrap_or(0)),
            Some(w) => w.out.get(s).copied().unwrap_or(0.0),
        }
    }

    /// The journeys (the count leaving `(start)`), as `f64`.
    pub(crate) fn journeys_weight(&self) -> f64 {
        match &self.weights {
            None => count_to_f64(self.total_journeys()),
            Some(w) => w
                .start
                .iter()
                .copied()
                .sum::<crate::CompensatedSum>()
                .value(),
        }
    }

    /// The conversions, as `f64`.
    pub(crate) fn conversions_weight(&self) -> f64 {
        match &self.weights {
            None => count_to_f64(self.total_conversions()),
            Some(w) => w
                .conversions
                .iter()
                .copied()
                .sum::<crate::CompensatedSum>()
                .value(),
        }
    }

    /// The transitions leaving state `i`: `(target, count)` as `f64`,
    /// self-loops included.
    pub(crate) fn row_weights(&self, i: usize) -> impl Iterator<Item = (u32, f64)> + '_ {
        let lo = self.row_ptr.get(i).copied().unwrap_or(0);
        let hi = self.row_ptr.get(i + 1).copied().unwrap_or(lo);
        let cols = self.cols.get(lo..hi).unwrap_or(&[]);
        let exact = self.counts.get(lo..hi).unwrap_or(&[]);
        let weighted = self
            .weights
            .as_ref()
            .map(|w| w.counts.get(lo..hi).unwrap_or(&[]));
        cols.iter().enumerate().map(move |(k, &t)| {
            let w = match weighted {
                Some(w) => w.get(k).copied().unwrap_or(0.0),
                None => count_to_f64(exact.get(k).copied().unwrap_or(0)),
            };
            (t, w)
        })
    }

    /// The order `k`.
    #[must_use]
    pub fn order(&self) -> usize {
        self.order
    }

    /// Whether consecutive identical states were kept as self-loops.
    #[must_use]
    pub fn keeps_self_loops(&self) -> bool {
        self.keep_self_loops
    }

    /// The number of transient states (excluding `(start)`, `(conversion)`,
    /// `(null)`).
    #[must_use]
    pub fn n_states(&self) -> usize {
        self.keys.len()
    }

    /// The number of distinct state-to-state transitions (self-loops
    /// included).
    #[must_use]
    pub fn n_transitions(&self) -> usize {
        self.cols.len()
    }

    /// The number of channels of the channel table the chain was built with.
    #[must_use]
    pub fn n_channels(&self) -> usize {
        self.names.len()
    }

    /// The channel names, by channel id.
    #[must_use]
    pub fn channel_names(&self) -> &[String] {
        &self.names
    }

    /// The channels of state `i` (states are sorted by their channel ids).
    #[must_use]
    pub fn state(&self, i: usize) -> Option<&[ChannelId]> {
        self.keys.get(i).map(AsRef::as_ref)
    }

    /// The state's name: channel names joined by ` > `.
    #[must_use]
    pub fn state_label(&self, i: usize) -> Option<String> {
        self.state(i).map(|k| self.label(k))
    }

    pub(crate) fn label(&self, key: &[ChannelId]) -> String {
        let mut s = String::new();
        for (j, c) in key.iter().enumerate() {
            if j > 0 {
                s.push_str(" > ");
            }
            s.push_str(self.names.get(c.index()).map_or("?", String::as_str));
        }
        s
    }

    /// Journeys observed (the count leaving `(start)`).
    #[must_use]
    pub fn total_journeys(&self) -> u64 {
        self.start.iter().fold(0u64, |a, &c| a.saturating_add(c))
    }

    /// Conversions observed.
    #[must_use]
    pub fn total_conversions(&self) -> u64 {
        self.conversions
            .iter()
            .fold(0u64, |a, &c| a.saturating_add(c))
    }

    /// Value observed (of paths with conversions).
    #[must_use]
    pub fn total_value(&self) -> f64 {
        self.values
            .iter()
            .copied()
            .sum::<crate::CompensatedSum>()
            .value()
    }

    /// The transitions leaving state `i`: `(target, count)`, self-loops included.
    pub(crate) fn row(&self, i: usize) -> impl Iterator<Item = (u32, u64)> + '_ {
        let lo = self.row_ptr.get(i).copied().unwrap_or(0);
        let hi = self.row_ptr.get(i + 1).copied().unwrap_or(lo);
        let cols = self.cols.get(lo..hi).unwrap_or(&[]);
        let counts = self.counts.get(lo..hi).unwrap_or(&[]);
        cols.iter().copied().zip(counts.iter().copied())
    }

    /// The probability of conversion from `(start)`: the absorption
    /// probability into `(conversion)`, solved exactly; 0 for an empty chain.
    ///
    /// # Errors
    ///
    /// [`ModelError::NoConvergence`] if the solver cannot certify its result.
    pub fn conversion_probability(&self) -> Result<f64, ModelError> {
        let system = super::system::System::new(self);
        let full = super::removal::full_solution(&system, super::Solver::Auto)?;
        Ok(full.probability)
    }

    /// Empirical mean number of states a journey visits: Σ out-counts / journeys.
    #[must_use]
    pub fn mean_visits(&self) -> f64 {
        let n = self.journeys_weight();
        if n <= 0.0 {
            return 0.0;
        }
        let total: crate::CompensatedSum = (0..self.n_states()).map(|s| self.out_weight(s)).sum();
        total.value() / n
    }
}
