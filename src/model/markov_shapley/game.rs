//! The coalition game on the chain: the values v(T) and v^V(T) of every
//! coalition of players, and their Shapley values.

use crate::channel::ChannelId;
use crate::error::ModelError;
use crate::model::markov::{CoalitionSystem, MarkovChain};
use crate::model::shapley::game::weights;
use crate::numeric::CompensatedSum;
use crate::parallel;

use super::dense::Dense;

/// Chains with at most this many live states solve each coalition densely;
/// larger ones by the sparse component solver of `markov`.
pub(super) const DENSE_STATES: usize = 64;

/// Coalitions per work item.
const CHUNK: usize = 1024;

/// How the coalition values are solved.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Method {
    /// Dense elimination up to [`DENSE_STATES`] live states, sparse above.
    Auto,
    /// The sparse component solver for every coalition.
    #[cfg_attr(not(test), allow(dead_code))]
    Sparse,
}

/// The game: the players (channel ids with a live state, in id order) and
/// `[v(T), v^V(T)]` for every coalition `T` (a bit mask over the players).
#[derive(Debug, Clone)]
pub(super) struct Game {
    pub(super) players: Vec<ChannelId>,
    pub(super) values: Vec<[f64; 2]>,
}

/// A Shapley value: conversions column and value column.
pub(super) type Phi = [f64; 2];

impl Game {
    /// Solves the 2^C coalitions of `chain`'s players (C ≤ `limit`).
    ///
    /// # Errors
    ///
    /// [`ModelError::NoConvergence`] when a solve cannot be certified.
    pub(super) fn solve(chain: &MarkovChain, method: Method) -> Result<Self, ModelError> {
        let sys = CoalitionSystem::new(chain);
        let n_live = sys.n_live();
        let mut player_of: Vec<Option<u32>> = vec![None; chain.n_channels()];
        for i in 0..n_live {
            for c in sys.key(i) {
                if let Some(slot) = player_of.get_mut(c.index()) {
                    *slot = Some(0);
                }
            }
        }
        let mut players = Vec::new();
        let mut bit = 0u32;
        for (c, slot) in player_of.iter_mut().enumerate() {
            if slot.is_some() {
                *slot = Some(bit);
                bit += 1;
                if let Some(id) = ChannelId::from_index(c) {
                    players.push(id);
                }
            }
        }
        if players.len() > super::config::MAX_CHANNELS_LIMIT {
            return Err(ModelError::InvalidParameter {
                name: "max_channels",
                value: players.len().to_string(),
                reason: "at most 24 players",
            });
        }
        // The players of each live state, OR-ed: `(Email, Email)` needs Email only.
        let masks: Vec<u32> = (0..n_live)
            .map(|i| {
                sys.key(i)
                    .iter()
                    .filter_map(|c| player_of.get(c.index()).copied().flatten())
                    .fold(0u32, |m, b| m | (1 << b))
            })
            .collect();
        let total = 1usize << players.len();
        let all = u32::try_from(total - 1).unwrap_or(u32::MAX);
        // The grand coalition first: its value sets the absolute floor of
        // every other certificate.
        let full = sys.solve_without(&[], [0.0; 2])?;
        let floor = [
            crate::model::markov::ABS_TOL * full[0].abs(),
            crate::model::markov::ABS_TOL * full[1].abs(),
        ];
        let dense = method == Method::Auto && n_live <= DENSE_STATES;
        let starts: Vec<usize> = (0..total).step_by(CHUNK).collect();
        let chunks = parallel::map_init(&starts, Scratch::default, |scratch, &start| {
            let end = (start + CHUNK).min(total);
            (start..end)
                .map(|t| {
                    let t = u32::try_from(t).unwrap_or(u32::MAX);
                    if t == all {
                        return Ok(full);
                    }
                    scratch.value(&sys, &masks, t, dense, floor)
                })
                .collect::<Result<Vec<[f64; 2]>, ModelError>>()
        });
        let scale = sys.value_scale();
        let mut values = Vec::with_capacity(total);
        for chunk in chunks {
            values.extend(chunk?.into_iter().map(|v| [v[0], v[1] * scale]));
        }
        Ok(Self { players, values })
    }

    /// `[v, v^V]` of the grand coalition.
    pub(super) fn grand(&self) -> [f64; 2] {
        self.values.last().copied().unwrap_or([0.0; 2])
    }

    /// The Shapley value of each player, summed over the coalitions in
    /// mask order (a fixed order: bit-identical for any thread count).
    pub(super) fn shapley(&self) -> Vec<Phi> {
        let n = self.players.len();
        let w = weights(n);
        let bits: Vec<usize> = (0..n).collect();
        let total = self.values.len();
        parallel::map(&bits, |&b| {
            let bit = 1usize << b;
            let mut acc = [CompensatedSum::default(), CompensatedSum::default()];
            let mut hi = 0usize;
            while hi < total {
                for t in hi..hi + bit {
                    let size = usize::try_from(t.count_ones()).unwrap_or(0);
                    let wt = w.get(size).copied().unwrap_or(0.0);
                    if let (Some(with), Some(without)) =
                        (self.values.get(t | bit), self.values.get(t))
                    {
                        acc[0].add(wt * (with[0] - without[0]));
                        acc[1].add(wt * (with[1] - without[1]));
                    }
                }
                hi += 2 * bit;
            }
            [acc[0].value(), acc[1].value()]
        })
    }

    /// The removal effect `(v(all) − v(all∖c)) / v(all)` of each player
    /// (0 when v(all) = 0).
    pub(super) fn removal_effects(&self) -> Vec<f64> {
        let all = self.values.len().saturating_sub(1);
        let v_all = self.grand()[0];
        (0..self.players.len())
            .map(|b| {
                let without = self.values.get(all & !(1 << b)).map_or(0.0, |v| v[0]);
                if v_all > 0.0 {
                    ((v_all - without) / v_all).clamp(0.0, 1.0)
                } else {
                    0.0
                }
            })
            .collect()
    }

    /// `[v(T), v^V(T)]` of the coalition of `members` (channel ids; ids that
    /// are not players are null players and change nothing).
    pub(super) fn value_of(&self, members: &[ChannelId]) -> [f64; 2] {
        let mask = members
            .iter()
            .filter_map(|c| self.players.iter().position(|p| p == c))
            .fold(0usize, |m, b| m | (1 << b));
        self.values.get(mask).copied().unwrap_or([0.0; 2])
    }
}

/// Per-worker buffers.
#[derive(Default)]
struct Scratch {
    dense: Dense,
    states: Vec<usize>,
    excluded: Vec<u32>,
}

impl Scratch {
    /// `[v(T), v^V(T) / value_scale]` of coalition `t`.
    fn value(
        &mut self,
        sys: &CoalitionSystem,
        masks: &[u32],
        t: u32,
        dense: bool,
        floor: [f64; 2],
    ) -> Result<[f64; 2], ModelError> {
        if t == 0 {
            return Ok([0.0; 2]);
        }
        self.excluded.clear();
        self.states.clear();
        for (i, &m) in masks.iter().enumerate() {
            if m & !t == 0 {
                self.states.push(i);
            } else {
                self.excluded.push(u32::try_from(i).unwrap_or(u32::MAX));
            }
        }
        if self.states.is_empty() {
            return Ok([0.0; 2]);
        }
        if dense {
            if let Some((f, bound)) = self.dense.solve(sys, &self.states) {
                let certified = (0..2)
                    .all(|j| bound[j] <= crate::model::markov::REL_TOL * f[j].abs() + floor[j]);
                if certified {
                    return Ok(f);
                }
            }
        }
        sys.solve_without(&self.excluded, floor)
    }
}
