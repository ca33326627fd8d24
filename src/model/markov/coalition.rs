//! Absorption with a *set* of states removed: the coalition values of
//! `markov-shapley` (see [`crate::model::markov_shapley`]), on the same
//! linear systems as the removal effects.
//!
//! A coalition keeps the live states (those that can reach `(conversion)`)
//! whose channels all belong to it and redirects every other state to
//! `(null)`; its value is the conversion probability from `(start)` (and
//! the value per journey) of the chain so restricted.

use crate::channel::ChannelId;
use crate::error::ModelError;

use super::Solver;
use super::chain::MarkovChain;
use super::removal::{ABS_TOL, REL_TOL};
use super::system::{Pair, System};

/// The live states of a chain and their count-form system
/// `d_s x_s − Σ_t n_st x_t = b_s`, for solving it with any set of states
/// removed.
pub(crate) struct CoalitionSystem {
    system: System,
    keys: Vec<Box<[ChannelId]>>,
}

impl CoalitionSystem {
    /// The system of `chain`'s live states.
    pub(crate) fn new(chain: &MarkovChain) -> Self {
        let system = System::new(chain);
        let keys = system
            .chain_of
            .iter()
            .map(|&s| chain.state(s as usize).unwrap_or(&[]).into())
            .collect();
        Self { system, keys }
    }

    /// The number of live states.
    pub(crate) fn n_live(&self) -> usize {
        self.system.n
    }

    /// The channels of live state `i`.
    pub(crate) fn key(&self, i: usize) -> &[ChannelId] {
        self.keys.get(i).map_or(&[], AsRef::as_ref)
    }

    /// The off-diagonal counts `n_st` of row `i` (live indices, no
    /// self-loops).
    pub(crate) fn row(&self, i: usize) -> (&[u32], &[f64]) {
        self.system.row(i)
    }

    /// `d_i = out_i − n_ii`.
    pub(crate) fn diag(&self, i: usize) -> f64 {
        self.system.diag.get(i).copied().unwrap_or(1.0)
    }

    /// The right-hand side of row `i`: conversions ending in it and their
    /// value divided by [`CoalitionSystem::value_scale`].
    pub(crate) fn rhs(&self, i: usize) -> Pair {
        self.system.rhs.get(i).copied().unwrap_or([0.0; 2])
    }

    /// The count entering state `i` from `(start)`.
    pub(crate) fn start(&self, i: usize) -> f64 {
        self.system.start.get(i).copied().unwrap_or(0.0)
    }

    /// The journeys (count leaving `(start)`).
    pub(crate) fn journeys(&self) -> f64 {
        self.system.journeys
    }

    /// The unit of the value column.
    pub(crate) fn value_scale(&self) -> f64 {
        self.system.value_scale
    }

    /// `(P(conversion), value per journey / value_scale)` from `(start)`
    /// with the live states `excluded` (sorted indices) redirected to
    /// `(null)`, by the sparse solver of the removal effects (components in
    /// topological order; dense LU or Gauss–Seidel inside a component),
    /// certified by its residual to `REL_TOL·f + floor`; when the bound is
    /// larger, solved again by the refined fallback.
    ///
    /// # Errors
    ///
    /// [`ModelError::NoConvergence`] when neither solve can be certified.
    pub(crate) fn solve_without(&self, excluded: &[u32], floor: Pair) -> Result<Pair, ModelError> {
        let ok = |f: Pair, b: Pair| (0..2).all(|j| b[j] <= REL_TOL * f[j].abs() + floor[j]);
        if self.system.journeys <= 0.0 {
            return Ok([0.0; 2]);
        }
        match self.system.solve(excluded, &self.system.rhs, Solver::Auto) {
            Ok(s) if ok(s.functional, s.error_bound) => return Ok(s.functional),
            Ok(_) | Err(ModelError::NoConvergence(_)) => {}
            Err(e) => return Err(e),
        }
        let zeros: Vec<Pair> = vec![[0.0; 2]; self.system.n];
        let tol = 1e-3 * ABS_TOL;
        let s = self
            .system
            .solve_refined(excluded, &self.system.rhs, &zeros, |f| {
                [tol * f[0].abs(), tol * f[1].abs()]
            })?;
        if ok(s.functional, s.error_bound) {
            Ok(s.functional)
        } else {
            Err(ModelError::NoConvergence(format!(
                "coalition value over {} of {} states: certified error bound {:e} exceeds the tolerance",
                self.system.n - excluded.len(),
                self.system.n,
                s.error_bound[0].max(s.error_bound[1])
            )))
        }
    }
}
