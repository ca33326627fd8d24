//! The conversion model v(T) of `dda` on the subsets of one channel set,
//! and the exact Shapley value of the game T ↦ v(T) over that set.

use rustc_hash::FxHashMap;

use crate::channel::ChannelId;
use crate::model::shapley::game_weights;

use super::fit::{LogitFit, sigmoid};

/// The observed sets' counts the `smoothed-set` model moves toward, and
/// its prior weight m.
pub(crate) struct Smoothing {
    /// (R(S), N(S)) of every observed set.
    pub(crate) counts: FxHashMap<Box<[ChannelId]>, (f64, f64)>,
    /// m, the prior weight (≥ 0).
    pub(crate) weight: f64,
}

/// The fitted conversion model: the logistic fit (plain or pairwise),
/// possibly smoothed toward the observed sets' rates.
pub(crate) struct ConversionModel {
    pub(crate) logit: LogitFit,
    pub(crate) smoothing: Option<Smoothing>,
}

impl ConversionModel {
    /// v(∅) = σ(b0) (for `smoothed-set`, its prior's).
    pub(crate) fn empty_value(&self) -> f64 {
        sigmoid(self.logit.theta.first().copied().unwrap_or(0.0))
    }

    /// v(set), `set` sorted ascending ids.
    pub(crate) fn value(&self, set: &[ChannelId]) -> f64 {
        let p0 = sigmoid(self.logit.eta(set));
        self.smooth(set, p0)
    }

    /// The smoothed value of `set` given its prior p0.
    fn smooth(&self, set: &[ChannelId], p0: f64) -> f64 {
        match &self.smoothing {
            Some(s) if !set.is_empty() => match s.counts.get(set) {
                Some(&(r, n)) if n > 0.0 => (r + s.weight * p0) / (n + s.weight),
                _ => p0,
            },
            _ => p0,
        }
    }

    /// v(T) for every T ⊆ `set` (bit i of the mask: `set[i]`), into `out`.
    /// `set` has at most 30 channels (the caller's cap is 24).
    pub(crate) fn coalition_values(&self, set: &[ChannelId], out: &mut Vec<f64>) {
        let k = set.len();
        let size = 1usize << k;
        out.clear();
        out.resize(size, 0.0);
        let theta = &self.logit.theta;
        let terms = &self.logit.terms;
        let at = |i: Option<usize>| i.and_then(|i| theta.get(i)).copied().unwrap_or(0.0);
        let beta: Vec<f64> = set.iter().map(|&c| at(terms.of_channel(c))).collect();
        let pairwise = !terms.pairs.is_empty();
        let gamma: Vec<f64> = if pairwise {
            let mut g = vec![0.0; k * k];
            for (i, &a) in set.iter().enumerate() {
                for (j, &b) in set.iter().enumerate() {
                    if i != j {
                        if let Some(slot) = g.get_mut(i * k + j) {
                            *slot = at(terms.of_pair(a, b));
                        }
                    }
                }
            }
            g
        } else {
            Vec::new()
        };
        // η(T) = η(T without its lowest channel) + that channel's terms.
        if let Some(first) = out.first_mut() {
            *first = theta.first().copied().unwrap_or(0.0);
        }
        for mask in 1..size {
            let low = mask.trailing_zeros() as usize;
            let rest = mask & (mask - 1);
            let mut eta =
                out.get(rest).copied().unwrap_or(0.0) + beta.get(low).copied().unwrap_or(0.0);
            if pairwise {
                let mut others = rest;
                while others != 0 {
                    let j = others.trailing_zeros() as usize;
                    eta += gamma.get(low * k + j).copied().unwrap_or(0.0);
                    others &= others - 1;
                }
            }
            if let Some(slot) = out.get_mut(mask) {
                *slot = eta;
            }
        }
        for x in out.iter_mut() {
            *x = sigmoid(*x);
        }
        if let Some(s) = &self.smoothing {
            // Only observed subsets move; walk the 2^k subsets' keys when
            // the table is larger, else the table.
            let mut key: Vec<ChannelId> = Vec::with_capacity(k);
            if s.counts.len() < size {
                for (observed, &(r, n)) in &s.counts {
                    let Some(mask) = mask_of(observed, set) else {
                        continue;
                    };
                    if n > 0.0 {
                        if let Some(slot) = out.get_mut(mask) {
                            *slot = (r + s.weight * *slot) / (n + s.weight);
                        }
                    }
                }
            } else {
                for mask in 1..size {
                    key.clear();
                    key.extend(
                        set.iter()
                            .enumerate()
                            .filter(|(i, _)| mask >> i & 1 == 1)
                            .map(|(_, &c)| c),
                    );
                    if let Some(&(r, n)) = s.counts.get(key.as_slice()) {
                        if n > 0.0 {
                            if let Some(slot) = out.get_mut(mask) {
                                *slot = (r + s.weight * *slot) / (n + s.weight);
                            }
                        }
                    }
                }
            }
        }
    }
}

/// The mask of `subset` within `set` (both sorted ascending), if it is a
/// subset.
fn mask_of(subset: &[ChannelId], set: &[ChannelId]) -> Option<usize> {
    let mut mask = 0usize;
    for c in subset {
        let i = set.binary_search(c).ok()?;
        mask |= 1usize << i;
    }
    Some(mask)
}

/// The Shapley value of the game `values` (v(T) by mask over k players,
/// `values.len()` = 2^k) into `phi` (k entries):
/// φ_c = Σ_{T ∌ c} w(|T|, k)·[v(T ∪ c) − v(T)].
pub(crate) fn shapley(values: &[f64], k: usize, phi: &mut Vec<f64>) {
    phi.clear();
    phi.resize(k, 0.0);
    let w = game_weights(k);
    for (mask, &v) in values.iter().enumerate() {
        let size = mask.count_ones() as usize;
        let weight = w.get(size).copied().unwrap_or(0.0);
        if weight == 0.0 {
            continue;
        }
        for (c, slot) in phi.iter_mut().enumerate() {
            let bit = 1usize << c;
            if mask & bit == 0 {
                let with = values.get(mask | bit).copied().unwrap_or(v);
                *slot += weight * (with - v);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shapley_of_a_unanimity_game_splits_equally() {
        // v(T) = 1 iff T = {0, 1, 2}.
        let mut values = vec![0.0; 8];
        values[7] = 1.0;
        let mut phi = Vec::new();
        shapley(&values, 3, &mut phi);
        for x in &phi {
            assert!((x - 1.0 / 3.0).abs() < 1e-15);
        }
        // An additive game gives each player its own worth.
        let values: Vec<f64> = (0..8usize)
            .map(|m| {
                [1.0, 2.0, 4.0]
                    .iter()
                    .enumerate()
                    .filter(|(i, _)| m >> i & 1 == 1)
                    .map(|(_, x)| x)
                    .sum()
            })
            .collect();
        shapley(&values, 3, &mut phi);
        assert_eq!(phi, [1.0, 2.0, 4.0]);
    }
}
