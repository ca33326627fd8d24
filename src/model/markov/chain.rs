//! [`MarkovChain`]: the absorbing chain built from [`TransitionCounts`].

use crate::channel::{ChannelId, Channels};
use crate::error::ModelError;
use crate::numeric::count_to_f64;

use super::counts::TransitionCounts;
use super::index::{check_states, to_u32};

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
}

impl MarkovChain {
    /// Builds the canonical chain from `counts`, with channel names from
    /// `channels`.
    ///
    /// # Errors
    ///
    /// [`ModelError::UnknownChannel`] when a state names a channel outside
    /// `channels`; [`ModelError::InvalidParameter`] when the counts merged
    /// different configurations; [`ModelError::Overflow`] when the counts
    /// are not exact in `f64` (see [`TransitionCounts::check_exact`]), or
    /// when there are more than `u32::MAX` states.
    ///
    /// # Complexity
    ///
    /// `O(S log S · k + E log E)` for `S` states of order `k` and `E`
    /// transitions.
    pub fn new(counts: &TransitionCounts, channels: &Channels) -> Result<Self, ModelError> {
        counts.check_config(counts.order().unwrap_or(1), counts.keeps_self_loops())?;
        counts.check_exact()?;
        let raw = counts.raw();
        for key in raw.keys {
            if let Some(c) = key.iter().find(|c| !channels.contains(**c)) {
                return Err(ModelError::UnknownChannel {
                    id: c.get(),
                    len: channels.len(),
                });
            }
        }
        let n = raw.keys.len();
        check_states(n)?;
        let mut perm: Vec<usize> = (0..n).collect();
        perm.sort_unstable_by(|&i, &j| raw.keys.get(i).cmp(&raw.keys.get(j)));
        // new index of old state i
        let mut rank = vec![0u32; n];
        for (new, &old) in perm.iter().enumerate() {
            if let Some(r) = rank.get_mut(old) {
                *r = to_u32(new);
            }
        }
        let pick = |v: &[u64], old: usize| v.get(old).copied().unwrap_or(0);
        let keys: Vec<Box<[ChannelId]>> = perm
            .iter()
            .filter_map(|&o| raw.keys.get(o).cloned())
            .collect();
        let start: Vec<u64> = perm.iter().map(|&o| pick(raw.start, o)).collect();
        let conversions: Vec<u64> = perm.iter().map(|&o| pick(raw.conversions, o)).collect();
        let nulls: Vec<u64> = perm.iter().map(|&o| pick(raw.nulls, o)).collect();
        let values: Vec<f64> = perm
            .iter()
            .map(|&o| raw.values.get(o).map_or(0.0, crate::CompensatedSum::value))
            .collect();
        let mut edges: Vec<(u32, u32, u64)> = raw
            .edges
            .iter()
            .filter(|&(_, &c)| c > 0)
            .filter_map(|(&(f, t), &c)| {
                let r = |i: u32| rank.get(i as usize).copied();
                Some((r(f)?, r(t)?, c))
            })
            .collect();
        edges.sort_unstable();
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
        let counts_v: Vec<u64> = edges.iter().map(|e| e.2).collect();
        let mut out: Vec<u64> = conversions
            .iter()
            .zip(&nulls)
            .map(|(&c, &m)| c.saturating_add(m))
            .collect();
        for &(f, _, c) in &edges {
            if let Some(o) = out.get_mut(f as usize) {
                *o = o.saturating_add(c);
            }
        }
        Ok(Self {
            order: counts.order().unwrap_or(1),
            keep_self_loops: counts.keeps_self_loops(),
            names: channels.iter().map(|(_, name)| name.to_owned()).collect(),
            keys,
            start,
            conversions,
            nulls,
            values,
            row_ptr,
            cols,
            counts: counts_v,
            out,
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
        let n = self.total_journeys();
        if n == 0 {
            return 0.0;
        }
        let total: u64 = self.out.iter().fold(0u64, |a, &c| a.saturating_add(c));
        count_to_f64(total) / count_to_f64(n)
    }
}
