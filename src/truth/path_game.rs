//! The Shapley value of one path's game v(T) = p(P|T) − σ(b0), evaluated on
//! all 2^k coalitions of its distinct channels.

use crate::channel::ChannelId;
use crate::numeric::CompensatedSum;

use super::model::{BoundTruth, sigmoid};

/// The most distinct channels of one path that the exact true credit
/// enumerates (2^k coalitions per path).
pub const MAX_PATH_CHANNELS: usize = 20;

/// Reusable buffers for [`PathGame::shapley`]: one per worker thread.
#[derive(Debug, Default)]
pub(crate) struct PathGame {
    /// The distinct channels of the path, in order of first appearance.
    distinct: Vec<ChannelId>,
    /// Local index (into `distinct`) of every touch.
    local: Vec<usize>,
    /// n_c: touches of each distinct channel.
    touches: Vec<usize>,
    /// a_cd (row-major k×k): touches of d after the last touch of c.
    after: Vec<usize>,
    beta: Vec<f64>,
    /// γ (row-major k×k, only i < j used).
    gamma: Vec<f64>,
    /// recency[m] = 2^(−m/h) for m < L.
    recency: Vec<f64>,
    /// v(T) by bit mask over `distinct`.
    value: Vec<f64>,
    /// w(s) = s!(k − s − 1)!/k! for the current k.
    weights: Vec<f64>,
    /// φ by local index.
    phi: Vec<f64>,
}

/// Why a path cannot be evaluated: it has `channels` > [`MAX_PATH_CHANNELS`]
/// distinct channels.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct TooWide {
    pub(crate) channels: usize,
}

impl PathGame {
    /// Evaluates the Shapley value of every distinct channel of `path` and
    /// returns them as (channel, φ) in order of first appearance. v(T) is
    /// computed with the same operations, in the same order, as
    /// [`BoundTruth::probability`] of the restricted path P|T, so
    /// v(S) = p(P) − σ(b0) holds bit for bit.
    pub(crate) fn shapley(
        &mut self,
        bound: &BoundTruth,
        path: &[ChannelId],
    ) -> Result<impl Iterator<Item = (ChannelId, f64)> + '_, TooWide> {
        self.layout(path)?;
        self.tables(bound, path);
        self.coalitions(bound);
        self.phi();
        Ok(self.distinct.iter().copied().zip(self.phi.iter().copied()))
    }

    /// `distinct`, `local` and k; stops at more than the cap.
    fn layout(&mut self, path: &[ChannelId]) -> Result<(), TooWide> {
        self.distinct.clear();
        self.local.clear();
        for &c in path {
            let i = match self.distinct.iter().position(|&d| d == c) {
                Some(i) => i,
                None => {
                    if self.distinct.len() == MAX_PATH_CHANNELS {
                        return Err(TooWide {
                            channels: distinct_count(path),
                        });
                    }
                    self.distinct.push(c);
                    self.distinct.len() - 1
                }
            };
            self.local.push(i);
        }
        Ok(())
    }

    /// n_c, a_cd, β, γ, the recency table and the weights.
    fn tables(&mut self, bound: &BoundTruth, path: &[ChannelId]) {
        let k = self.distinct.len();
        self.touches.clear();
        self.touches.resize(k, 0);
        self.after.clear();
        self.after.resize(k * k, 0);
        // Walking the path backwards, `seen[d]` counts the touches of d after
        // the current position; at the last touch of c they are a_c·.
        let mut seen = vec![0usize; k];
        let mut done = vec![false; k];
        for &c in self.local.iter().rev() {
            if let Some(slot) = self.touches.get_mut(c) {
                *slot += 1;
            }
            if let Some(first) = done.get_mut(c).filter(|d| !**d) {
                *first = true;
                if let Some(row) = self.after.get_mut(c * k..(c + 1) * k) {
                    row.copy_from_slice(&seen);
                }
            }
            if let Some(s) = seen.get_mut(c) {
                *s += 1;
            }
        }
        self.beta.clear();
        self.beta
            .extend(self.distinct.iter().map(|&c| bound.beta(c)));
        self.gamma.clear();
        self.gamma.resize(k * k, 0.0);
        if bound.has_pairs() {
            for (i, &a) in self.distinct.iter().enumerate() {
                for (j, &b) in self.distinct.iter().enumerate().skip(i + 1) {
                    if let Some(g) = self.gamma.get_mut(i * k + j) {
                        *g = bound.gamma(a, b);
                    }
                }
            }
        }
        self.recency.clear();
        if bound.half_life().is_some() {
            self.recency
                .extend((0..path.len()).map(|m| bound.recency(m)));
        }
        self.weights.clear();
        self.weights.extend(weights(k));
    }

    /// v(T) for every bit mask T over the distinct channels.
    ///
    /// The masks are visited in Gray-code order, so that one channel joins
    /// or leaves at each step: L_T and every a-sum Σ_{d∈T} a_cd are updated
    /// in O(k), and z costs O(k) (O(k²) with pairs, whose terms are added
    /// in the order [`BoundTruth::z`] adds them).
    fn coalitions(&mut self, bound: &BoundTruth) {
        let k = self.distinct.len();
        let b0 = bound.intercept();
        let base = sigmoid(b0);
        let pairs = bound.has_pairs();
        let recency = !self.recency.is_empty();
        let masks = 1usize << k;
        self.value.clear();
        self.value.resize(masks, 0.0);
        // For the current mask: its length and, per channel c, the touches
        // of the mask's channels after the last touch of c.
        let mut length = 0usize;
        let mut after = vec![0usize; k];
        let mut mask = 0usize;
        for step in 1..masks {
            let d = usize::try_from(step.trailing_zeros()).unwrap_or(0);
            let bit = 1usize << d;
            let joins = mask & bit == 0;
            mask ^= bit;
            let n = self.touches.get(d).copied().unwrap_or(0);
            length = if joins { length + n } else { length - n };
            if recency {
                for (c, sum) in after.iter_mut().enumerate() {
                    let a = self.after.get(c * k + d).copied().unwrap_or(0);
                    *sum = if joins { *sum + a } else { *sum - a };
                }
            }
            let mut z = b0 + bound.length_term(length);
            for c in (0..k).filter(|&c| (mask >> c) & 1 == 1) {
                let beta = self.beta.get(c).copied().unwrap_or(0.0);
                let r = if recency {
                    let steps = after.get(c).copied().unwrap_or(0);
                    self.recency.get(steps).copied().unwrap_or(0.0)
                } else {
                    1.0
                };
                z += beta * r;
            }
            if pairs {
                for i in (0..k).filter(|&i| (mask >> i) & 1 == 1) {
                    for j in (i + 1..k).filter(|&j| (mask >> j) & 1 == 1) {
                        z += self.gamma.get(i * k + j).copied().unwrap_or(0.0);
                    }
                }
            }
            if let Some(v) = self.value.get_mut(mask) {
                *v = sigmoid(z) - base;
            }
        }
    }

    /// φ_c = Σ_{T ⊆ S∖{c}} w(|T|)·[v(T ∪ {c}) − v(T)], each sum compensated,
    /// over T in increasing mask order.
    fn phi(&mut self) {
        let k = self.distinct.len();
        self.phi.clear();
        for c in 0..k {
            let bit = 1usize << c;
            let low = bit - 1;
            let mut sum = CompensatedSum::default();
            for m in 0..(1usize << k) >> 1 {
                // Insert a 0 at bit c: every mask without c, in order.
                let without = ((m & !low) << 1) | (m & low);
                let with = without | bit;
                let gain = self.value.get(with).copied().unwrap_or(0.0)
                    - self.value.get(without).copied().unwrap_or(0.0);
                let size = usize::try_from(without.count_ones()).unwrap_or(0);
                sum.add(self.weights.get(size).copied().unwrap_or(0.0) * gain);
            }
            self.phi.push(sum.value());
        }
    }
}

/// w(s) = s!(k − s − 1)!/k! = 1/(k·C(k − 1, s)) for s = 0..k−1: the
/// denominators are integers below 2^53 for k ≤ 20, so each weight is the
/// double nearest to its exact value.
fn weights(k: usize) -> impl Iterator<Item = f64> {
    let kf = crate::numeric::count_to_f64(k as u64);
    let mut binomial = 1.0f64;
    (0..k).map(move |s| {
        let w = 1.0 / (kf * binomial);
        // C(k−1, s+1) = C(k−1, s)·(k−1−s)/(s+1), exact in f64 for k ≤ 20
        // (every intermediate is an integer below 2^53).
        let (num, den) = ((k - 1 - s) as u64, (s + 1) as u64);
        binomial = binomial * crate::numeric::count_to_f64(num) / crate::numeric::count_to_f64(den);
        w
    })
}

/// The number of distinct channels of `path` (for the error of a wide path).
fn distinct_count(path: &[ChannelId]) -> usize {
    let mut ids: Vec<ChannelId> = path.to_vec();
    ids.sort_unstable();
    ids.dedup();
    ids.len()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::channel::Channels;
    use crate::truth::TruthModel;

    /// Every v(T) equals p(P|T) − σ(b0) of the restricted path built
    /// explicitly, bit for bit, with recency, pairs and a length cap.
    #[test]
    fn coalition_values_are_the_restricted_paths_probabilities() {
        let mut model = TruthModel::new(-1.25, 0.3, 3)
            .unwrap()
            .with_half_life(1.7)
            .unwrap();
        let mut channels = Channels::new();
        for (i, beta) in [0.4, -0.7, 1.1, 0.05].into_iter().enumerate() {
            let name = format!("c{i}");
            channels.intern(&name).unwrap();
            model.add_channel(&name, beta).unwrap();
        }
        model.add_pair("c2", "c0", 0.35).unwrap();
        model.add_pair("c1", "c3", -0.2).unwrap();
        let bound = model.bind(&channels).unwrap();
        let id = |i: usize| ChannelId::from_index(i).unwrap();
        let path: Vec<ChannelId> = [2, 0, 2, 3, 1, 0, 0, 3, 2].into_iter().map(id).collect();
        let mut game = PathGame::default();
        let phi: Vec<(ChannelId, f64)> = game.shapley(&bound, &path).unwrap().collect();
        assert_eq!(
            phi.iter().map(|p| p.0).collect::<Vec<_>>(),
            [id(2), id(0), id(3), id(1)]
        );
        let base = bound.baseline_probability();
        for mask in 0..16usize {
            let members: Vec<ChannelId> = (0..4)
                .filter(|&c| (mask >> c) & 1 == 1)
                .map(|c| game.distinct[c])
                .collect();
            let restricted: Vec<ChannelId> = path
                .iter()
                .copied()
                .filter(|c| members.contains(c))
                .collect();
            let expected = bound.probability(&restricted) - base;
            assert_eq!(
                game.value[mask].to_bits(),
                expected.to_bits(),
                "mask {mask}"
            );
        }
    }

    #[test]
    fn weights_are_the_shapley_weights() {
        let w: Vec<f64> = weights(3).collect();
        assert_eq!(w, [1.0 / 3.0, 1.0 / 6.0, 1.0 / 3.0]);
        assert_eq!(weights(1).collect::<Vec<_>>(), [1.0]);
        // C(19, 9) = 92378.
        let w20: Vec<f64> = weights(20).collect();
        assert_eq!(w20[9], 1.0 / (20.0 * 92378.0));
        assert_eq!(w20[0], 1.0 / 20.0);
        assert_eq!(w20[19], 1.0 / 20.0);
    }
}
