//! Removal effects of the step-capped chain.

use crate::error::ModelError;
use crate::numeric::{CompensatedSum, count_to_f64};
use crate::parallel;

use super::Solver;
use super::ancestors::Plan;
use super::blocked::BLOCK;
use super::chain::MarkovChain;
use super::index::to_u32;
use super::removal::{RemovalEffects, full_solution, removal_effects};
use super::system::{Pair, System};

/// A capped iteration whose remaining change is at most this fraction of
/// the functional (beyond its rounding) stops: the cap no longer matters.
const CAPPED_TOL: f64 = 1e-14;
/// Steps without a smaller residual after which the iteration is taken to
/// be at its rounding floor (a safety net: the rounding estimate stops it
/// first).
const CAPPED_STALL: usize = 10_000;

/// Removal effects of the chain whose journeys are cut after `max_steps`
/// states (a journey still in the chain after visiting `max_steps` states
/// ends in `(null)`), computed by at most `max_steps` sparse matrix–vector
/// steps: `x⁽ʲ⁺¹⁾ = (b + N x⁽ʲ⁾) / out`, `x⁽⁰⁾ = 0`, stopping early once the
/// chain has converged (see [`capped`]).
///
/// A channel's removal changes the iterates only on the states that can
/// reach its states; it is iterated on those and the states they lead to
/// (closed under transitions, so exact), unless they are more than half of
/// the chain.
pub(crate) fn capped_removal_effects(
    chain: &MarkovChain,
    max_steps: usize,
    work_limit: u64,
) -> Result<RemovalEffects, ModelError> {
    if max_steps == 0 {
        return Err(ModelError::InvalidParameter {
            name: "max_steps",
            value: "0".to_owned(),
            reason: "a journey visits at least one state",
        });
    }
    let steps = count_to_f64(u64::try_from(max_steps).unwrap_or(u64::MAX));
    // P(a walk is longer than k steps) ≤ E[steps] / k (Markov's
    // inequality), and E[steps] is the mean number of visits, known
    // exactly from the counts. Beyond this cap the exact uncapped chain
    // differs from the capped one by less than the tolerance.
    let tail = chain.mean_visits() / steps;
    let system = System::new(chain);
    if tail <= CAPPED_TOL {
        let p = full_solution(&system, Solver::Auto)?.probability;
        if tail <= CAPPED_TOL * p {
            let mut effects = removal_effects(chain, Solver::Auto, work_limit)?;
            // |D_k − D| ≤ tail and |P_k − P| ≤ tail.
            for b in &mut effects.error_bounds {
                *b += 2.0 * tail / p;
            }
            effects.cap_loss = Some((tail / p).min(1.0));
            return Ok(effects);
        }
    }
    let nc = chain.n_channels();
    let plan = Plan::new(&system);
    // A lower bound on the work, in the units of the blocked removals
    // (states and transitions swept per eight channels): each channel
    // iterates at least once over the cyclic components holding its states.
    let active = system.by_channel.iter().filter(|v| !v.is_empty()).count();
    let work = system
        .by_channel
        .iter()
        .map(|removed| plan.cyclic_work(removed.iter().copied()))
        .fold(0u64, u64::saturating_add)
        / u64::try_from(BLOCK).unwrap_or(1);
    if work > work_limit {
        return Err(ModelError::TooComplex {
            channels: active,
            work,
            limit: work_limit,
        });
    }
    let gamma = count_to_f64(u64::try_from(system.max_degree() + 3).unwrap_or(u64::MAX)).sqrt()
        * f64::EPSILON;
    let whole = Rows::whole(&system);
    let full = capped(&whole, &[], max_steps, gamma);
    let [p, y] = full.value;
    let cap_loss = if p <= 0.0 || full.converged {
        // Converged: P_capped is within `bound` of P.
        (full.bound[0] / (p + full.bound[0])).clamp(0.0, 1.0)
    } else {
        let uncapped = full_solution(&system, Solver::Auto)?.probability;
        if uncapped > 0.0 {
            (1.0 - p / uncapped).clamp(0.0, 1.0)
        } else {
            0.0
        }
    };
    let channels: Vec<usize> = (0..nc).collect();
    let effects: Vec<[f64; 3]> = parallel::map_init(&channels, Local::default, |local, &c| {
        let removed = system.by_channel.get(c).map_or(&[][..], Vec::as_slice);
        if removed.is_empty() || p <= 0.0 {
            return [0.0; 3];
        }
        // P − P_{−c} and its bound.
        let (diff, bound) = match local.rows(&system, &plan, removed) {
            Some((rows, removed)) => {
                let with = capped(&rows, &[], max_steps, gamma);
                let without = capped(&rows, &removed, max_steps, gamma);
                (
                    [
                        with.value[0] - without.value[0],
                        with.value[1] - without.value[1],
                    ],
                    with.bound[0] + without.bound[0],
                )
            }
            None => {
                let without = capped(&whole, removed, max_steps, gamma);
                (
                    [p - without.value[0], y - without.value[1]],
                    full.bound[0] + without.bound[0],
                )
            }
        };
        let re = (diff[0] / p).clamp(0.0, 1.0);
        let re_v = if y > 0.0 {
            (diff[1] / y).clamp(0.0, 1.0)
        } else {
            0.0
        };
        [re, re_v, bound / p + re * full.bound[0] / p]
    });
    Ok(RemovalEffects {
        conversion_probability: p,
        value_per_journey: y * system.value_scale,
        removal_effects: effects.iter().map(|e| e[0]).collect(),
        value_removal_effects: effects.iter().map(|e| e[1]).collect(),
        error_bounds: effects.iter().map(|e| e[2]).collect(),
        cap_loss: Some(cap_loss),
    })
}

/// The rows a capped iteration runs over.
struct Rows<'a> {
    row_ptr: &'a [usize],
    cols: &'a [u32],
    w: &'a [f64],
    diag: &'a [f64],
    self_loops: &'a [f64],
    rhs: &'a [Pair],
    start: &'a [f64],
    journeys: f64,
}

impl<'a> Rows<'a> {
    fn whole(sys: &'a System) -> Self {
        Self {
            row_ptr: &sys.row_ptr,
            cols: &sys.cols,
            w: &sys.w,
            diag: &sys.diag,
            self_loops: &sys.self_loops,
            rhs: &sys.rhs,
            start: &sys.start,
            journeys: sys.journeys,
        }
    }

    fn row(&self, i: usize) -> (&[u32], &[f64]) {
        let lo = self.row_ptr.get(i).copied().unwrap_or(0);
        let hi = self.row_ptr.get(i + 1).copied().unwrap_or(lo);
        (
            self.cols.get(lo..hi).unwrap_or(&[]),
            self.w.get(lo..hi).unwrap_or(&[]),
        )
    }
}

/// A worker's buffers for the rows of one channel.
#[derive(Default)]
struct Local {
    stamp: u32,
    mark: Vec<u32>,
    index: Vec<u32>,
    members: Vec<u32>,
    row_ptr: Vec<usize>,
    cols: Vec<u32>,
    w: Vec<f64>,
    diag: Vec<f64>,
    self_loops: Vec<f64>,
    rhs: Vec<Pair>,
    start: Vec<f64>,
}

impl Local {
    /// The states that can reach `removed`, with every state they lead to,
    /// renumbered, and `removed` in that numbering; `None` when they are
    /// more than half of the chain.
    fn rows<'a>(
        &'a mut self,
        sys: &'a System,
        plan: &Plan,
        removed: &[u32],
    ) -> Option<(Rows<'a>, Vec<u32>)> {
        let n = sys.n;
        if self.mark.len() < n {
            self.mark.resize(n, 0);
            self.index.resize(n, 0);
        }
        self.stamp = self.stamp.wrapping_add(1);
        if self.stamp == 0 {
            self.mark.iter_mut().for_each(|m| *m = 0);
            self.stamp = 1;
        }
        let stamp = self.stamp;
        self.members.clear();
        let visit = |s: u32, mark: &mut Vec<u32>, members: &mut Vec<u32>| {
            if let Some(m) = mark.get_mut(s as usize) {
                if *m != stamp {
                    *m = stamp;
                    members.push(s);
                }
            }
        };
        for &r in removed {
            visit(r, &mut self.mark, &mut self.members);
        }
        // Ancestors, then everything they lead to.
        let mut i = 0;
        while let Some(&s) = self.members.get(i) {
            for &q in plan.preds(s as usize) {
                visit(q, &mut self.mark, &mut self.members);
            }
            if 2 * self.members.len() > n {
                return None;
            }
            i += 1;
        }
        let mut i = 0;
        while let Some(&s) = self.members.get(i) {
            for &t in sys.row(s as usize).0 {
                visit(t, &mut self.mark, &mut self.members);
            }
            if 2 * self.members.len() > n {
                return None;
            }
            i += 1;
        }
        for (k, &s) in self.members.iter().enumerate() {
            if let Some(x) = self.index.get_mut(s as usize) {
                *x = to_u32(k);
            }
        }
        self.row_ptr.clear();
        self.cols.clear();
        self.w.clear();
        self.diag.clear();
        self.self_loops.clear();
        self.rhs.clear();
        self.start.clear();
        self.row_ptr.push(0);
        for &s in &self.members {
            let s = s as usize;
            let (cols, w) = sys.row(s);
            // The members are closed under transitions: every target
            // has its index.
            for (&t, &wt) in cols.iter().zip(w) {
                if let Some(&l) = self.index.get(t as usize) {
                    self.cols.push(l);
                    self.w.push(wt);
                }
            }
            self.row_ptr.push(self.cols.len());
            self.diag.push(sys.diag.get(s).copied().unwrap_or(1.0));
            self.self_loops
                .push(sys.self_loops.get(s).copied().unwrap_or(0.0));
            self.rhs.push(sys.rhs.get(s).copied().unwrap_or([0.0; 2]));
            self.start.push(sys.start.get(s).copied().unwrap_or(0.0));
        }
        let local_removed: Vec<u32> = removed
            .iter()
            .filter_map(|&r| self.index.get(r as usize).copied())
            .collect();
        Some((
            Rows {
                row_ptr: &self.row_ptr,
                cols: &self.cols,
                w: &self.w,
                diag: &self.diag,
                self_loops: &self.self_loops,
                rhs: &self.rhs,
                start: &self.start,
                journeys: sys.journeys,
            },
            local_removed,
        ))
    }
}

/// The functional of a capped iteration and how it ended.
struct Capped {
    /// `Σ start_s x_s / N` (conversions, value).
    value: Pair,
    /// Bound on the distance of `value` from the capped chain's exact value.
    bound: Pair,
    /// Whether the iteration stopped before `max_steps` because the chain
    /// had converged (the cap then no longer matters).
    converged: bool,
}

/// The capped iteration over `rows` with `removed` states zeroed. It stops
/// before `steps` once the chain has converged: the iterates increase
/// towards the uncapped solution `x*`, and the count-form residual of
/// `x⁽ʲ⁾`, `R_s = out_s (x⁽ʲ⁺¹⁾_s − x⁽ʲ⁾_s) ≥ 0`, bounds the distance left:
/// every later iterate (the capped value for any larger cap) lies between
/// `x⁽ʲ⁺¹⁾` and `x*`, whose functional is within `Σ_s R_s / N` of that of
/// `x⁽ʲ⁾` (flow conservation: a state is visited at most `out_s / N` times
/// per journey). It stops when that bound falls below [`CAPPED_TOL`] of
/// the functional plus the rounding of the residual's own evaluation
/// (`gamma` per term), and reports the bound: a large cap costs no more
/// than the convergence.
fn capped(rows: &Rows<'_>, removed: &[u32], steps: usize, gamma: f64) -> Capped {
    let n = rows.diag.len();
    let mut res = Capped {
        value: [0.0; 2],
        bound: [0.0; 2],
        converged: false,
    };
    if rows.journeys <= 0.0 {
        return res;
    }
    let mut keep = vec![true; n];
    for &r in removed {
        if let Some(k) = keep.get_mut(r as usize) {
            *k = false;
        }
    }
    let mut x: Vec<Pair> = vec![[0.0; 2]; n];
    let mut next: Vec<Pair> = vec![[0.0; 2]; n];
    let mut best = [f64::INFINITY; 2];
    let mut stalled = 0usize;
    for step in 0..steps {
        let mut residual = [0.0f64; 2];
        let mut scale = [0.0f64; 2];
        let mut f = [0.0f64; 2];
        for (s, ns) in next.iter_mut().enumerate() {
            if !keep.get(s).copied().unwrap_or(false) {
                *ns = [0.0; 2];
                continue;
            }
            let mut acc = rows.rhs.get(s).copied().unwrap_or([0.0; 2]);
            let sl = rows.self_loops.get(s).copied().unwrap_or(0.0);
            let xs = x.get(s).copied().unwrap_or([0.0; 2]);
            acc[0] += sl * xs[0];
            acc[1] += sl * xs[1];
            let (cols, w) = rows.row(s);
            for (&t, &wt) in cols.iter().zip(w) {
                if let Some(xt) = x.get(t as usize) {
                    acc[0] += wt * xt[0];
                    acc[1] += wt * xt[1];
                }
            }
            let out = rows.diag.get(s).copied().unwrap_or(1.0) + sl;
            *ns = [acc[0] / out, acc[1] / out];
            let st = rows.start.get(s).copied().unwrap_or(0.0);
            for j in 0..2 {
                residual[j] += (acc[j] - out * xs[j]).abs();
                scale[j] += acc[j].abs() + (out * xs[j]).abs();
                f[j] += st * ns[j];
            }
        }
        std::mem::swap(&mut x, &mut next);
        if step + 1 == steps {
            break;
        }
        let n = rows.journeys;
        let bound = [
            (residual[0] + gamma * scale[0]) / n,
            (residual[1] + gamma * scale[1]) / n,
        ];
        let done = if (0..2).all(|j| residual[j] <= CAPPED_TOL * f[j] + 4.0 * gamma * scale[j]) {
            true
        } else if (0..2).any(|j| bound[j] < best[j]) {
            stalled = 0;
            best = [best[0].min(bound[0]), best[1].min(bound[1])];
            false
        } else {
            stalled += 1;
            stalled > CAPPED_STALL
        };
        if done {
            res.value = functional(rows, &x);
            res.bound = bound;
            res.converged = true;
            return res;
        }
    }
    res.value = functional(rows, &x);
    res
}

/// `Σ start_s x_s / N`.
fn functional(rows: &Rows<'_>, x: &[Pair]) -> Pair {
    let mut f = [CompensatedSum::default(), CompensatedSum::default()];
    for (s, xs) in x.iter().enumerate() {
        let st = rows.start.get(s).copied().unwrap_or(0.0);
        f[0].add(st * xs[0]);
        f[1].add(st * xs[1]);
    }
    [f[0].value() / rows.journeys, f[1].value() / rows.journeys]
}
