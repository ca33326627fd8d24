//! The linear systems of the absorbing chain and their exact solution.
//!
//! For the transient states that can reach `(conversion)` ("live" states),
//! absorption probabilities solve, in count form,
//!
//! ```text
//! d_s x_s − Σ_{t≠s} n_st x_t = b_s,      d_s = out_s − n_ss,
//! ```
//!
//! with `b_s` the conversions ending in `s` (and, for the value chain, their
//! value sum). States that cannot reach conversion have `x = 0` and drop out.
//!
//! The system is solved component by component: the strongly connected
//! components of the transition graph ([`Components`], iterative Tarjan)
//! come in reverse topological order, so every component sees its successors solved.
//! A singleton is one division; a component of at most [`DENSE_MAX`] states
//! is solved by dense LU with partial pivoting (faer); a larger one by
//! Gauss–Seidel sweeps until the update stalls at the rounding floor.
//!
//! Why Gauss–Seidel rather than a Krylov solver (faer ships BiCGSTAB in
//! `faer::matrix_free`): the matrix is a nonsingular M-matrix, so
//! Gauss–Seidel converges from any start, needs no tuning and no extra
//! vectors, and — swept over components in reverse topological order — is
//! exact back-substitution on the acyclic parts that dominate higher
//! orders. On the cyclic core, measured convergence is geometric at ≈ 0.55
//! per sweep; with dominant-mode extrapolation 1e-13 takes ≈ 26 sweeps, each
//! one pass over the rows. A Krylov iteration costs a matrix pass plus
//! several vector operations per step and per right-hand side, while the
//! blocked removal solver ([`super::blocked`]) reads each row once for 16
//! right-hand sides; at average degree ≈ 3.5 the vector operations would
//! cost as much as the matrix passes.
//!
//! # Certified accuracy
//!
//! Whatever the method, the result is checked a posteriori. In the fitted
//! chain, flow is conserved (every visit of a state is entered once and left
//! once), so the expected number of visits of state `s` from `(start)` is
//! exactly `z_s = out_s / N` (N journeys); with a removed set of states the
//! visits only decrease. For an approximate solution with count-form
//! residual `R_s = b_s + Σ n_st x_t − d_s x_s`, the error of the functional
//! `Σ_s start_s x_s / N` equals `Σ_s z_s R_s / out_s`, hence is at most
//! `‖R‖₁ / N`: a bound computed from the counts alone, without any spectral
//! estimate. [`Solved::error_bound`] holds it (plus the rounding of computing
//! `R` itself).

use faer::Mat;
use faer::linalg::solvers::Solve;

use crate::error::ModelError;
use crate::numeric::count_to_f64;

use super::Solver;
use super::chain::MarkovChain;
use super::scc::Components;

/// Largest strongly connected component solved by dense LU under
/// [`Solver::Auto`].
pub const DENSE_MAX: usize = 256;
/// Largest component [`Solver::Dense`] accepts (a 4096² matrix is 128 MiB).
pub const DENSE_LIMIT: usize = 4096;
/// Gauss–Seidel sweeps before giving up on a component (and falling back
/// to a direct method). With dominant-mode extrapolation, the chains
/// measured converge in 20–120 sweeps; beyond a few thousand, convergence
/// is too slow to be worth waiting for.
pub(crate) const MAX_SWEEPS: usize = 2_000;
/// Gauss–Seidel stops when a sweep changes `Σ d_s x_s` by less than this
/// fraction. Measured convergence is geometric (≈ 0.55 per sweep at order 3
/// on the synthetic data), so the remaining error is of the same order,
/// 1000 times below what the certified tolerance needs.
pub(crate) const SWEEP_TOL: f64 = 1e-13;

/// Extrapolations followed by a larger update after which Gauss–Seidel
/// stops extrapolating.
pub(crate) const HARMFUL_EXTRAPOLATIONS: usize = 3;

/// Two right-hand sides solved together: conversions and value.
pub(crate) type Pair = [f64; 2];

/// Largest system left after state reduction that the fallback solver
/// ([`Mode::Robust`]) factors by dense LU (a 2048² LU is ≈ 6·10⁹ flops).
pub(crate) const ROBUST_DENSE_MAX: usize = 2048;

/// How [`System::solve_with`] treats each strongly connected component.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Mode {
    /// As the [`Solver`] says.
    Solver(Solver),
    /// The fallback when a result cannot be certified: dense LU up to
    /// [`DENSE_MAX`] states, state reduction beyond (see
    /// [`Workspace::solve_by_reduction`]), Gauss–Seidel as the last resort.
    Robust,
}

pub(crate) struct System {
    /// Live states.
    pub n: usize,
    /// Off-diagonal count matrix among live states (no self-loops).
    pub row_ptr: Vec<usize>,
    pub cols: Vec<u32>,
    pub w: Vec<f64>,
    /// Self-loop counts.
    pub self_loops: Vec<f64>,
    /// `out − self-loop`.
    pub diag: Vec<f64>,
    /// Conversions and value ending in each state; values divided by
    /// `value_scale`.
    pub rhs: Vec<Pair>,
    /// The largest value sum of a state (1 without value): the value column
    /// is solved in units of it, so that no intermediate sum overflows
    /// whatever the magnitude of the values (value removal effects are
    /// ratios, independent of the unit).
    pub value_scale: f64,
    /// Count entering from `(start)`.
    pub start: Vec<f64>,
    /// Journeys (the count leaving `(start)`).
    pub journeys: f64,
    /// Live states containing each channel.
    pub by_channel: Vec<Vec<u32>>,
    /// The chain state of each live state.
    pub chain_of: Vec<u32>,
    /// Sweep position of each live state: states sorted by their channels
    /// rotated left by one (`(a, b, c)` by `(b, c, a)`), so that states
    /// sharing the successors `(b, c, ·)` are swept one after the other and
    /// find those rows in cache.
    pub sweep_rank: Vec<u32>,
}

/// The solution of one system.
pub(crate) struct Solved {
    pub x: Vec<Pair>,
    /// `Σ start_s x_s / N` per column.
    pub functional: Pair,
    /// Bound on the error of `functional`.
    pub error_bound: Pair,
    /// Bound on the error `x` causes when clamped in a removal system
    /// (`Σ_s φ_s |x_s − x*_s|` for any sub-probability `φ` of first
    /// entrances): the residual bound of `x`, or for a refined solution
    /// the residual bound of its unrounded form plus the rounding of `x`.
    pub clamp_bound: Pair,
}

/// The full chain's solution.
pub(crate) struct Full {
    pub solved: Solved,
    /// P(conversion).
    pub probability: f64,
    /// Whether it was computed by the refined fallback.
    pub refined: bool,
}

impl Full {
    /// Whether the error bound of either column exceeds `fraction` of its
    /// functional.
    pub fn bound_exceeds(&self, fraction: f64) -> bool {
        let (f, b) = (self.solved.functional, self.solved.error_bound);
        (0..2).any(|j| b[j] > fraction * f[j].abs())
    }
}

impl System {
    pub fn new(chain: &MarkovChain) -> Self {
        let ns = chain.n_states();
        // Live: can reach a state with conversions (reverse reachability).
        let mut pred_ptr = vec![0usize; ns + 1];
        for s in 0..ns {
            for (t, _) in chain.row(s) {
                if let Some(p) = pred_ptr.get_mut(t as usize + 1) {
                    *p += 1;
                }
            }
        }
        for i in 0..ns {
            let prev = pred_ptr.get(i).copied().unwrap_or(0);
            if let Some(p) = pred_ptr.get_mut(i + 1) {
                *p += prev;
            }
        }
        let mut fill = pred_ptr.clone();
        let mut preds = vec![0u32; pred_ptr.get(ns).copied().unwrap_or(0)];
        for s in 0..ns {
            for (t, _) in chain.row(s) {
                if let Some(f) = fill.get_mut(t as usize) {
                    if let Some(p) = preds.get_mut(*f) {
                        *p = u32::try_from(s).unwrap_or(u32::MAX);
                    }
                    *f += 1;
                }
            }
        }
        let mut live = vec![false; ns];
        let mut stack: Vec<usize> = Vec::new();
        for s in 0..ns {
            if chain.conversion_weight(s) > 0.0 {
                if let Some(l) = live.get_mut(s) {
                    *l = true;
                }
                stack.push(s);
            }
        }
        while let Some(t) = stack.pop() {
            let lo = pred_ptr.get(t).copied().unwrap_or(0);
            let hi = pred_ptr.get(t + 1).copied().unwrap_or(lo);
            for &p in preds.get(lo..hi).unwrap_or(&[]) {
                if let Some(l) = live.get_mut(p as usize) {
                    if !*l {
                        *l = true;
                        stack.push(p as usize);
                    }
                }
            }
        }
        let mut live_of = vec![u32::MAX; ns];
        let mut chain_of = Vec::new();
        for (s, &l) in live.iter().enumerate() {
            if l {
                if let Some(x) = live_of.get_mut(s) {
                    *x = u32::try_from(chain_of.len()).unwrap_or(u32::MAX);
                }
                chain_of.push(u32::try_from(s).unwrap_or(u32::MAX));
            }
        }
        let n = chain_of.len();
        let mut row_ptr = Vec::with_capacity(n + 1);
        row_ptr.push(0);
        let mut cols = Vec::new();
        let mut w = Vec::new();
        let mut self_loops = Vec::with_capacity(n);
        let mut diag = Vec::with_capacity(n);
        let mut rhs = Vec::with_capacity(n);
        let mut start = Vec::with_capacity(n);
        let value_scale = chain_of
            .iter()
            .filter_map(|&s| chain.values.get(s as usize))
            .fold(0.0f64, |m, &v| m.max(v));
        let value_scale = if value_scale > 0.0 && value_scale.is_finite() {
            value_scale
        } else {
            1.0
        };
        for &s in &chain_of {
            let s = s as usize;
            // Counts as f64 (exact below 2^53) or the weights of a
            // weighted chain.
            let mut self_loop = 0.0;
            for (t, c) in chain.row_weights(s) {
                if t as usize == s {
                    self_loop += c;
                    continue;
                }
                let lt = live_of.get(t as usize).copied().unwrap_or(u32::MAX);
                if lt != u32::MAX {
                    cols.push(lt);
                    w.push(c);
                }
            }
            row_ptr.push(cols.len());
            self_loops.push(self_loop);
            diag.push((chain.out_weight(s) - self_loop).max(0.0));
            rhs.push([
                chain.conversion_weight(s),
                chain.values.get(s).copied().unwrap_or(0.0) / value_scale,
            ]);
            start.push(chain.start_weight(s));
        }
        let mut by_channel: Vec<Vec<u32>> = vec![Vec::new(); chain.n_channels()];
        for (i, &s) in chain_of.iter().enumerate() {
            if let Some(key) = chain.state(s as usize) {
                let mut seen: Vec<usize> = key.iter().map(|c| c.index()).collect();
                seen.sort_unstable();
                seen.dedup();
                for c in seen {
                    if let Some(v) = by_channel.get_mut(c) {
                        v.push(u32::try_from(i).unwrap_or(u32::MAX));
                    }
                }
            }
        }
        let mut by_suffix: Vec<u32> = (0..n)
            .map(|i| u32::try_from(i).unwrap_or(u32::MAX))
            .collect();
        let rotated = |i: u32| {
            let key = chain_of
                .get(i as usize)
                .and_then(|&s| chain.state(s as usize))
                .unwrap_or(&[]);
            let (head, tail) = key.split_at(key.len().min(1));
            (tail, head)
        };
        by_suffix.sort_by(|&a, &b| rotated(a).cmp(&rotated(b)));
        let mut sweep_rank = vec![0u32; n];
        for (r, &i) in by_suffix.iter().enumerate() {
            if let Some(x) = sweep_rank.get_mut(i as usize) {
                *x = u32::try_from(r).unwrap_or(u32::MAX);
            }
        }
        Self {
            n,
            sweep_rank,
            row_ptr,
            cols,
            w,
            self_loops,
            diag,
            rhs,
            value_scale,
            start,
            journeys: chain.journeys_weight(),
            by_channel,
            chain_of,
        }
    }

    /// The most off-diagonal entries in a row.
    pub(crate) fn max_degree(&self) -> usize {
        self.row_ptr
            .windows(2)
            .map(|w| match w {
                [lo, hi] => hi.saturating_sub(*lo),
                _ => 0,
            })
            .max()
            .unwrap_or(0)
    }

    pub(crate) fn row(&self, i: usize) -> (&[u32], &[f64]) {
        let lo = self.row_ptr.get(i).copied().unwrap_or(0);
        let hi = self.row_ptr.get(i + 1).copied().unwrap_or(lo);
        (
            self.cols.get(lo..hi).unwrap_or(&[]),
            self.w.get(lo..hi).unwrap_or(&[]),
        )
    }

    /// Solves the full chain for conversions and value.
    pub fn solve_full(&self, solver: Solver) -> Result<Full, ModelError> {
        let solved = self.solve(&[], &self.rhs, solver)?;
        let probability = if self.journeys > 0.0 {
            solved.functional[0]
        } else {
            0.0
        };
        Ok(Full {
            solved,
            probability,
            refined: false,
        })
    }

    /// Solves `d_s x_s − Σ n_st x_t = rhs_s` on the live states outside
    /// `excluded` (sorted), with `x = 0` on `excluded`.
    pub fn solve(
        &self,
        excluded: &[u32],
        rhs: &[Pair],
        solver: Solver,
    ) -> Result<Solved, ModelError> {
        self.solve_with(excluded, rhs, Mode::Solver(solver))
    }

    /// [`System::solve`] with the component policy `mode`.
    pub(crate) fn solve_with(
        &self,
        excluded: &[u32],
        rhs: &[Pair],
        mode: Mode,
    ) -> Result<Solved, ModelError> {
        let n = self.n;
        let mut out_set = vec![false; n];
        for &e in excluded {
            if let Some(o) = out_set.get_mut(e as usize) {
                *o = true;
            }
        }
        let mut x: Vec<Pair> = vec![[0.0; 2]; n];
        let mut components = Components::default();
        components.run(&self.row_ptr, &self.cols, &out_set);
        // Position of each state within its component (u32::MAX: elsewhere).
        let mut local = vec![u32::MAX; n];
        let mut work = Workspace::default();
        for c in 0..components.len() {
            let scc = components.get(c);
            if let [v] = scc {
                let s = *v as usize;
                let (cols, w) = self.row(s);
                let mut acc = rhs.get(s).copied().unwrap_or([0.0; 2]);
                for (&t, &wt) in cols.iter().zip(w) {
                    if let Some(xt) = x.get(t as usize) {
                        acc[0] += wt * xt[0];
                        acc[1] += wt * xt[1];
                    }
                }
                let d = self.diag.get(s).copied().unwrap_or(1.0);
                if let Some(xs) = x.get_mut(s) {
                    *xs = [acc[0] / d, acc[1] / d];
                }
                continue;
            }
            for (p, &v) in scc.iter().enumerate() {
                if let Some(l) = local.get_mut(v as usize) {
                    *l = u32::try_from(p).unwrap_or(u32::MAX);
                }
            }
            work.build(self, scc, &local, rhs, &x);
            let use_dense = match mode {
                Mode::Robust => scc.len() <= DENSE_MAX,
                Mode::Solver(Solver::Auto) => scc.len() <= DENSE_MAX,
                Mode::Solver(Solver::Dense) => {
                    if scc.len() > DENSE_LIMIT {
                        return Err(ModelError::InvalidParameter {
                            name: "solver",
                            value: "dense".to_owned(),
                            reason: "a strongly connected component exceeds 4096 states; use the automatic or iterative solver",
                        });
                    }
                    true
                }
                Mode::Solver(Solver::Iterative) => false,
            };
            if use_dense {
                work.solve_dense();
            } else if mode != Mode::Robust || !work.solve_by_reduction() {
                work.solve_gauss_seidel()?;
            }
            for (p, &v) in scc.iter().enumerate() {
                if let (Some(xs), Some(val)) = (x.get_mut(v as usize), work.x.get(p)) {
                    *xs = *val;
                }
                if let Some(l) = local.get_mut(v as usize) {
                    *l = u32::MAX;
                }
            }
        }
        let (functional, error_bound) = self.certify(&out_set, rhs, &x);
        Ok(Solved {
            x,
            functional,
            error_bound,
            clamp_bound: error_bound,
        })
    }

    /// The functional `Σ start_s x_s / N` and its a-posteriori error bound.
    fn certify(&self, out_set: &[bool], rhs: &[Pair], x: &[Pair]) -> (Pair, Pair) {
        if self.journeys <= 0.0 {
            return ([0.0; 2], [0.0; 2]);
        }
        let mut f = [0.0f64; 2];
        let mut res = [0.0f64; 2];
        let mut scale = [0.0f64; 2];
        let mut max_deg = 0usize;
        for s in 0..self.n {
            if out_set.get(s).copied().unwrap_or(false) {
                continue;
            }
            let xs = x.get(s).copied().unwrap_or([0.0; 2]);
            let st = self.start.get(s).copied().unwrap_or(0.0);
            let (cols, w) = self.row(s);
            max_deg = max_deg.max(cols.len());
            let b = rhs.get(s).copied().unwrap_or([0.0; 2]);
            let d = self.diag.get(s).copied().unwrap_or(0.0);
            for j in 0..2 {
                f[j] += st * xs[j];
                let mut r = b[j] - d * xs[j];
                let mut mag = b[j].abs() + (d * xs[j]).abs();
                for (&t, &wt) in cols.iter().zip(w) {
                    if !out_set.get(t as usize).copied().unwrap_or(true) {
                        let v = wt * x.get(t as usize).map_or(0.0, |p| p[j]);
                        r += v;
                        mag += v.abs();
                    }
                }
                res[j] += r.abs();
                scale[j] += mag;
            }
        }
        // Rounding of the residual's own evaluation: the probabilistic
        // estimate √(m+3)·u of Higham & Mary (2019) rather than the
        // worst case (m+3)·u, which is far too pessimistic for sums of
        // positive terms of mixed magnitude.
        let gamma =
            count_to_f64(u64::try_from(max_deg + 3).unwrap_or(u64::MAX)).sqrt() * f64::EPSILON;
        let n = self.journeys;
        (
            [f[0] / n, f[1] / n],
            [
                (res[0] + gamma * scale[0]) / n,
                (res[1] + gamma * scale[1]) / n,
            ],
        )
    }
}

/// A component's local system.
#[derive(Default)]
struct Workspace {
    row_ptr: Vec<usize>,
    cols: Vec<u32>,
    w: Vec<f64>,
    diag: Vec<f64>,
    ext: Vec<Pair>,
    x: Vec<Pair>,
    update: Vec<Pair>,
}

impl Workspace {
    fn build(&mut self, sys: &System, scc: &[u32], local: &[u32], rhs: &[Pair], x: &[Pair]) {
        self.row_ptr.clear();
        self.cols.clear();
        self.w.clear();
        self.diag.clear();
        self.ext.clear();
        self.x.clear();
        self.row_ptr.push(0);
        for &v in scc {
            let s = v as usize;
            let mut acc = rhs.get(s).copied().unwrap_or([0.0; 2]);
            let (cols, w) = sys.row(s);
            for (&t, &wt) in cols.iter().zip(w) {
                let l = local.get(t as usize).copied().unwrap_or(u32::MAX);
                if l == u32::MAX {
                    // Outside the component: solved already, or excluded (0).
                    if let Some(xt) = x.get(t as usize) {
                        acc[0] += wt * xt[0];
                        acc[1] += wt * xt[1];
                    }
                } else {
                    self.cols.push(l);
                    self.w.push(wt);
                }
            }
            self.row_ptr.push(self.cols.len());
            self.diag.push(sys.diag.get(s).copied().unwrap_or(1.0));
            self.ext.push(acc);
            self.x.push(x.get(s).copied().unwrap_or([0.0; 2]));
        }
    }

    /// Solves by state reduction ([`super::reduction`]), the fallback for
    /// components above [`DENSE_MAX`] states: eliminates the
    /// cheap states (those whose elimination adds no more transitions than
    /// it removes, e.g. the long chains of single transitions of a long
    /// journey), solves the states left (dense LU when few, else
    /// Gauss–Seidel, then dense LU up to [`ROBUST_DENSE_MAX`] states or
    /// complete elimination when it stalls) and
    /// back-substitutes; `false` when every method exceeds its budget.
    fn solve_by_reduction(&mut self) -> bool {
        use super::reduction::{Component, reduce};
        /// In-degree × out-degree of a fill-neutral elimination.
        const CHEAP: u64 = 4;
        let Some(reduced) = reduce(
            &Component {
                row_ptr: &self.row_ptr,
                cols: &self.cols,
                w: &self.w,
                diag: &self.diag,
                rhs: &self.ext,
            },
            CHEAP,
        ) else {
            return false;
        };
        let mut sub = Workspace::default();
        sub.row_ptr.push(0);
        for row in &reduced.rows {
            for &(t, wt) in row {
                sub.cols.push(t);
                sub.w.push(wt);
            }
            sub.row_ptr.push(sub.cols.len());
        }
        sub.diag.clone_from(&reduced.diag);
        sub.ext.clone_from(&reduced.rhs);
        sub.x = vec![[0.0; 2]; reduced.left.len()];
        let left = reduced.left.len();
        let x_left = if left <= DENSE_MAX {
            sub.solve_dense();
            sub.x
        } else if sub.solve_gauss_seidel().is_ok() {
            sub.x
        } else if left <= ROBUST_DENSE_MAX {
            sub.solve_dense();
            sub.x
        } else {
            let complete = reduce(
                &Component {
                    row_ptr: &sub.row_ptr,
                    cols: &sub.cols,
                    w: &sub.w,
                    diag: &sub.diag,
                    rhs: &sub.ext,
                },
                u64::MAX,
            );
            match complete {
                Some(r) => r.back_substitute(&[]),
                None => return false,
            }
        };
        self.x = reduced.back_substitute(&x_left);
        true
    }

    fn solve_dense(&mut self) {
        let m = self.diag.len();
        let mut a = Mat::<f64>::zeros(m, m);
        for i in 0..m {
            a[(i, i)] = self.diag.get(i).copied().unwrap_or(1.0);
            let lo = self.row_ptr.get(i).copied().unwrap_or(0);
            let hi = self.row_ptr.get(i + 1).copied().unwrap_or(lo);
            for k in lo..hi {
                if let (Some(&j), Some(&wt)) = (self.cols.get(k), self.w.get(k)) {
                    a[(i, j as usize)] -= wt;
                }
            }
        }
        let b = Mat::<f64>::from_fn(m, 2, |i, j| self.ext.get(i).map_or(0.0, |e| e[j]));
        let sol = a.partial_piv_lu().solve(&b);
        for (i, xi) in self.x.iter_mut().enumerate() {
            *xi = [sol[(i, 0)], sol[(i, 1)]];
        }
    }

    /// Gauss–Seidel sweeps with dominant-mode extrapolation (convergent: the
    /// matrix is a nonsingular M-matrix, every live state leaks to
    /// conversion) until the weighted update `Σ d_s |Δx_s|` of a sweep falls
    /// below [`SWEEP_TOL`]·(1 − λ) of `Σ d_s |x_s|`, λ the contraction per
    /// sweep (so that the error left, ≈ Δ/(1 − λ), is small even when λ is
    /// close to 1), or to the rounding floor, or stops decreasing. The
    /// stopping rule only saves work: the result is certified afterwards
    /// from its residual. An error after [`MAX_SWEEPS`] sweeps.
    fn solve_gauss_seidel(&mut self) -> Result<(), ModelError> {
        let m = self.diag.len();
        let mut best = [f64::INFINITY; 2];
        let mut stalled = 0usize;
        self.update.clear();
        self.update.resize(m, [0.0; 2]);
        let mut ratios: [[f64; 2]; 2] = [[0.0; 2]; 2];
        let mut prev = [0.0f64; 2];
        let mut since = 0usize;
        // The largest contraction extrapolated away so far, per column.
        let mut slow = [0.0f64; 2];
        // The update before the last extrapolation: a larger one after it
        // means the error was not one dominant mode; after a few such
        // extrapolations, repeating them could diverge (see the blocked
        // solver), so the sweeps go on plainly.
        let mut before = [f64::INFINITY; 2];
        let mut harmful = 0usize;
        for _ in 0..MAX_SWEEPS {
            let mut delta = [0.0f64; 2];
            let mut scale = [0.0f64; 2];
            for i in 0..m {
                let lo = self.row_ptr.get(i).copied().unwrap_or(0);
                let hi = self.row_ptr.get(i + 1).copied().unwrap_or(lo);
                let mut acc = self.ext.get(i).copied().unwrap_or([0.0; 2]);
                let cols = self.cols.get(lo..hi).unwrap_or(&[]);
                let w = self.w.get(lo..hi).unwrap_or(&[]);
                for (&j, &wt) in cols.iter().zip(w) {
                    if let Some(xj) = self.x.get(j as usize) {
                        acc[0] += wt * xj[0];
                        acc[1] += wt * xj[1];
                    }
                }
                let d = self.diag.get(i).copied().unwrap_or(1.0);
                if let Some(xi) = self.x.get_mut(i) {
                    let new = [acc[0] / d, acc[1] / d];
                    for j in 0..2 {
                        delta[j] += d * (new[j] - xi[j]).abs();
                        scale[j] += acc[j].abs();
                    }
                    if let Some(u) = self.update.get_mut(i) {
                        *u = [new[0] - xi[0], new[1] - xi[1]];
                    }
                    *xi = new;
                }
            }
            let r = [delta[0] / prev[0], delta[1] / prev[1]];
            // The error left is ≈ Δ·λ/(1−λ) for the contraction λ per sweep
            // (estimated by the last ratios, and never below that of a mode
            // extrapolated away before): slow convergence must not pass
            // for convergence.
            // An update within a few roundings of every term cannot shrink
            // further: the rounding floor, whatever λ.
            if (0..2).all(|j| {
                let lambda = r[j].max(ratios[1][j]).max(slow[j]);
                delta[j] <= 16.0 * f64::EPSILON * scale[j]
                    || (lambda < 1.0 && delta[j] <= SWEEP_TOL * scale[j] * (1.0 - lambda))
            }) {
                return Ok(());
            }
            if since == 0 && (0..2).any(|j| delta[j] > before[j]) {
                harmful += 1;
            }
            since += 1;
            ratios = [ratios[1], r];
            prev = delta;
            // Once the updates shrink by a steady ratio λ, the error is
            // dominated by one mode, whose remaining sum Σ_k λ^k u is
            // added at once: x += u·λ/(1−λ). This halves the sweeps
            // measured at order 3 (57 → 26 per removal), and removes the
            // slow mode of nearly closed chains (λ → 1: long journeys
            // whose only exit is at the end), with the steadiness required
            // relative to 1 − λ; GS then resumes from the extrapolated
            // point, so convergence is unaffected.
            if since >= 4 && harmful < HARMFUL_EXTRAPOLATIONS {
                let mut f = [0.0; 2];
                let mut steady = true;
                for j in 0..2 {
                    let (a, b) = (ratios[0][j], ratios[1][j]);
                    steady &= b > 0.05 && b < 1.0 && (a - b).abs() <= 0.02 * b.min(1.0 - b);
                    f[j] = b / (1.0 - b);
                }
                if steady {
                    for (xi, u) in self.x.iter_mut().zip(&self.update) {
                        xi[0] += f[0] * u[0];
                        xi[1] += f[1] * u[1];
                    }
                    slow = [slow[0].max(ratios[1][0]), slow[1].max(ratios[1][1])];
                    before = delta;
                    since = 0;
                    best = [f64::INFINITY; 2];
                    stalled = 0;
                    continue;
                }
            }
            let improved = (0..2).any(|j| delta[j] < best[j]);
            for j in 0..2 {
                best[j] = best[j].min(delta[j]);
            }
            if improved {
                stalled = 0;
            } else {
                stalled += 1;
                // Updates at the rounding floor fluctuate instead of shrinking;
                // the a-posteriori bound judges the result.
                if stalled > 50 {
                    return Ok(());
                }
            }
        }
        Err(ModelError::NoConvergence(format!(
            "Gauss–Seidel on a component of {m} states did not converge in {MAX_SWEEPS} sweeps"
        )))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::channel::{ChannelId, Channels};
    use crate::model::markov::TransitionCounts;

    /// One journey around a cycle of `n` channels, `rounds` times, ending
    /// at the last channel, converting once.
    fn cycle_chain(n: usize, rounds: usize) -> MarkovChain {
        let mut channels = Channels::new();
        let ids: Vec<ChannelId> = (0..n)
            .map(|i| channels.intern(&format!("c{i}")).unwrap())
            .collect();
        let path: Vec<ChannelId> = ids.iter().copied().cycle().take(n * rounds).collect();
        let mut counts = TransitionCounts::new(1).unwrap();
        counts.observe_path(&path, 1, 0, 3.0);
        MarkovChain::new(&counts, &channels).unwrap()
    }

    #[test]
    fn the_robust_mode_solves_a_long_cycle_by_state_reduction() {
        // 300 states (above DENSE_MAX): no nulls, so every state converts
        // with probability 1; state reduction eliminates the whole cycle.
        let chain = cycle_chain(300, 50);
        let system = System::new(&chain);
        assert_eq!(system.n, 300);
        let solved = system.solve_with(&[], &system.rhs, Mode::Robust).unwrap();
        for x in &solved.x {
            assert!((x[0] - 1.0).abs() < 1e-13, "{x:?}");
        }
        assert!((solved.functional[0] - 1.0).abs() < 1e-13);
        // 15 000 visits: the (pessimistic) rounding estimate of the residual.
        assert!(solved.error_bound[0] < 1e-10, "{:?}", solved.error_bound);
    }

    #[test]
    fn refinement_certifies_what_rounding_alone_cannot() {
        // A 4-cycle walked 25 000 times: ~10^5 visits make the residual of
        // the rounded solution ~10^-11, above a 10^-13 target; refinement
        // (double-double residuals) brings the bound far below it.
        let chain = cycle_chain(4, 25_000);
        let system = System::new(&chain);
        let plain = system.solve(&[], &system.rhs, Solver::Dense).unwrap();
        assert!(plain.error_bound[0] > 1e-13, "{:?}", plain.error_bound);
        let refined = system
            .solve_refined(&[], &system.rhs, &[], |f| [1e-15 * f[0], 1e-15 * f[1]])
            .unwrap();
        assert!(refined.error_bound[0] < 1e-15, "{:?}", refined.error_bound);
        assert!((refined.functional[0] - 1.0).abs() < 1e-15);
        // Value: 3.0 per conversion, in units of the largest value sum.
        assert!((refined.functional[1] * system.value_scale - 3.0).abs() < 1e-14);
    }
}
