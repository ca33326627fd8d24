//! Removal effects: exact (uncapped) and step-capped.

use rayon::prelude::*;
use serde::Serialize;

use crate::error::ModelError;
use crate::numeric::{CompensatedSum, count_to_f64};

use super::Solver;
use super::blocked::plan_blocks;
use super::chain::MarkovChain;
use super::scc::Components;
use super::system::{Full, Pair, Solved, System};

/// Removal effects of every channel, with the chain-level quantities they
/// derive from. Vectors are indexed by channel id.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RemovalEffects {
    /// P(conversion) of the chain (from `(start)`).
    pub conversion_probability: f64,
    /// Expected value absorbed per journey (Σ over conversions of the
    /// per-last-state mean value), the value analogue of P(conversion).
    pub value_per_journey: f64,
    /// `RE_c = 1 − P_−c / P`, unnormalised.
    pub removal_effects: Vec<f64>,
    /// The value removal effect `RE^v_c`.
    pub value_removal_effects: Vec<f64>,
    /// A certified bound on `|RE_c − exact RE_c|` (for step-capped chains,
    /// 0 up to rounding unless the iteration stopped early, see
    /// [`Markov::max_steps`](super::Markov::max_steps)).
    pub error_bounds: Vec<f64>,
    /// With a step cap, the share of the uncapped conversion probability
    /// that the cap removes, `1 − P_capped / P` (0 when the cap never binds,
    /// near 1 when it removes almost every conversion); `None` without a
    /// cap.
    pub cap_loss: Option<f64>,
}

/// Largest chain (live states) whose removals [`Solver::Auto`] solves one
/// channel at a time by dense LU. Beyond it the blocked solver wins: at 250
/// states and 16 channels, 16 dense factorisations cost ≈ 170 M flops
/// against ≈ 2 M for the blocked sweeps.
pub const PER_CHANNEL_MAX: usize = 64;

/// Required accuracy: `|RE − RE*| ≤ REL_TOL·RE + ABS_TOL`.
pub const REL_TOL: f64 = 1e-10;
/// See [`REL_TOL`].
pub const ABS_TOL: f64 = 1e-12;

/// A channel's `(RE, RE^v, certified bound)`, or `None` when its fast
/// solve could not be certified (it is then solved again by
/// [`robust_removal`]).
type Outcome = Option<(f64, f64, f64)>;

pub(crate) fn removal_effects(
    chain: &MarkovChain,
    solver: Solver,
) -> Result<RemovalEffects, ModelError> {
    let system = System::new(chain);
    let nc = chain.n_channels();
    let mut full = full_solution(&system, solver)?;
    let mut refined = full.refined;
    if !refined && full.bound_exceeds(0.25 * ABS_TOL) {
        // The bound of the full solution alone would take most of the
        // tolerance of a small removal effect (long journeys: the residual
        // of a rounded solution grows with the mean number of visits).
        full = refined_full(&system)?;
        refined = true;
    }
    let p = full.probability;
    let y = full.solved.functional[1];
    if p <= 0.0 {
        return Ok(RemovalEffects {
            conversion_probability: 0.0,
            value_per_journey: 0.0,
            removal_effects: vec![0.0; nc],
            value_removal_effects: vec![0.0; nc],
            error_bounds: vec![0.0; nc],
            cap_loss: None,
        });
    }
    let blocked = match solver {
        Solver::Iterative => true,
        Solver::Dense => false,
        Solver::Auto => system.n > PER_CHANNEL_MAX,
    };
    let mut outcomes: Vec<Outcome> = if blocked {
        blocked_effects(&system, &full, nc)?
    } else {
        (0..nc)
            .into_par_iter()
            .map(|c| single_removal(&system, &full, c, solver))
            .collect::<Result<_, _>>()?
    };
    // The fallback: the full chain refined, then each failed channel
    // refined on its own.
    if outcomes.iter().any(Option::is_none) {
        let refined = if refined {
            full
        } else {
            refined_full(&system)?
        };
        let failed: Vec<usize> = (0..nc)
            .filter(|&c| outcomes.get(c).is_some_and(Option::is_none))
            .collect();
        let redone: Vec<Result<(f64, f64, f64), ModelError>> = failed
            .par_iter()
            .map(|&c| robust_removal(&system, &refined, c))
            .collect();
        for (&c, r) in failed.iter().zip(redone) {
            if let Some(o) = outcomes.get_mut(c) {
                *o = Some(r?);
            }
        }
    }
    let mut res = RemovalEffects {
        conversion_probability: p,
        value_per_journey: y * system.value_scale,
        removal_effects: Vec::with_capacity(nc),
        value_removal_effects: Vec::with_capacity(nc),
        error_bounds: Vec::with_capacity(nc),
        cap_loss: None,
    };
    for (re, re_v, bound) in outcomes.into_iter().map(Option::unwrap_or_default) {
        res.removal_effects.push(re);
        res.value_removal_effects.push(re_v);
        res.error_bounds.push(bound);
    }
    Ok(res)
}

/// The full chain's solution by `solver`, or by the refined fallback when
/// that fails to converge.
pub(crate) fn full_solution(system: &System, solver: Solver) -> Result<Full, ModelError> {
    match system.solve_full(solver) {
        Ok(full) if full.bound_exceeds(1e-3) => refined_full(system),
        Err(ModelError::NoConvergence(_)) => refined_full(system),
        other => other,
    }
}

/// The full chain solved by the fallback: robust components and iterative
/// refinement to a bound of 1e-15 of the result where rounding allows.
fn refined_full(system: &System) -> Result<Full, ModelError> {
    let tol = 1e-3 * ABS_TOL;
    let solved = system.solve_refined(&[], &system.rhs, &[], |f| {
        [tol * f[0].abs(), tol * f[1].abs()]
    })?;
    let probability = if system.journeys > 0.0 {
        solved.functional[0]
    } else {
        0.0
    };
    Ok(Full {
        solved,
        probability,
        refined: true,
    })
}

/// The removal of channel `c` by the fallback: with the full chain's
/// solution clamped on the removed states, the others solve the
/// homogeneous system, refined until its bound is a quarter of the
/// tolerance (or stops improving).
fn robust_removal(system: &System, full: &Full, c: usize) -> Result<(f64, f64, f64), ModelError> {
    let removed = system.by_channel.get(c).map_or(&[][..], Vec::as_slice);
    if removed.is_empty() {
        return Ok((0.0, 0.0, 0.0));
    }
    let (p, y) = (full.probability, full.solved.functional[1]);
    let zeros: Vec<Pair> = vec![[0.0; 2]; system.n];
    let d = system.solve_refined(removed, &zeros, &full.solved.x, |f| {
        [
            0.25 * (REL_TOL * f[0] + ABS_TOL * p),
            0.25 * (REL_TOL * f[1] + ABS_TOL * y),
        ]
    })?;
    certified(c, d.functional, d.error_bound, p, y, &full.solved)
}

/// The removal of channel `c` as its own system: `d = x − x_{−c}` solves
/// the removal system with right-hand side the flow into the removed
/// states (all terms non-negative, no cancellation). `None` when it cannot
/// be certified.
fn single_removal(
    system: &System,
    full: &Full,
    c: usize,
    solver: Solver,
) -> Result<Outcome, ModelError> {
    let (x, p, y) = (&full.solved.x, full.probability, full.solved.functional[1]);
    let removed = system.by_channel.get(c).map_or(&[][..], Vec::as_slice);
    if removed.is_empty() {
        return Ok(Some((0.0, 0.0, 0.0)));
    }
    let mut in_removed = vec![false; system.n];
    for &r in removed {
        if let Some(f) = in_removed.get_mut(r as usize) {
            *f = true;
        }
    }
    let mut g: Vec<Pair> = vec![[0.0; 2]; system.n];
    for (s, gs) in g.iter_mut().enumerate() {
        if in_removed.get(s).copied().unwrap_or(true) {
            continue;
        }
        let (cols, w) = system.row(s);
        for (&t, &wt) in cols.iter().zip(w) {
            if in_removed.get(t as usize).copied().unwrap_or(false) {
                if let Some(xt) = x.get(t as usize) {
                    gs[0] += wt * xt[0];
                    gs[1] += wt * xt[1];
                }
            }
        }
    }
    let d = match system.solve(removed, &g, solver) {
        Ok(d) => d,
        Err(ModelError::NoConvergence(_)) => return Ok(None),
        Err(e) => return Err(e),
    };
    let mut direct = [CompensatedSum::default(), CompensatedSum::default()];
    for &r in removed {
        let st = system.start.get(r as usize).copied().unwrap_or(0.0);
        if let Some(xr) = x.get(r as usize) {
            direct[0].add(st * xr[0]);
            direct[1].add(st * xr[1]);
        }
    }
    let big_d = [
        d.functional[0] + direct[0].value() / system.journeys,
        d.functional[1] + direct[1].value() / system.journeys,
    ];
    Ok(certified(c, big_d, d.error_bound, p, y, &full.solved).ok())
}

/// The removals of every channel by [`System::removals_blocked`], blocks of
/// channels in parallel; `None` for the channels that could not be
/// certified.
fn blocked_effects(system: &System, full: &Full, nc: usize) -> Result<Vec<Outcome>, ModelError> {
    let (p, y) = (full.probability, full.solved.functional[1]);
    let mut components = Components::default();
    components.run(&system.row_ptr, &system.cols, &vec![false; system.n]);
    let active: Vec<usize> = (0..nc)
        .filter(|&c| system.by_channel.get(c).is_some_and(|v| !v.is_empty()))
        .collect();
    let blocks = plan_blocks(&active);
    let solved: Vec<Result<super::blocked::BlockResult, ModelError>> = blocks
        .par_iter()
        .map(|block| system.removals_blocked(&full.solved.x, block, &components))
        .collect();
    let mut outcomes: Vec<Outcome> = vec![Some((0.0, 0.0, 0.0)); nc];
    for (block, r) in blocks.iter().zip(solved) {
        let r = match r {
            Ok(r) => r,
            Err(ModelError::NoConvergence(_)) => {
                for &c in *block {
                    if let Some(o) = outcomes.get_mut(c) {
                        *o = None;
                    }
                }
                continue;
            }
            Err(e) => return Err(e),
        };
        for ((&c, d), b) in block.iter().zip(&r.d).zip(&r.bound) {
            if let Some(o) = outcomes.get_mut(c) {
                *o = certified(c, *d, *b, p, y, &full.solved).ok();
            }
        }
    }
    Ok(outcomes)
}

/// `RE = D / P` and `RE^v = D^v / Y` with their certified bound (from the
/// bound on `D`, on the clamped full solution and on `P`); an error when
/// the bound exceeds the tolerance.
fn certified(
    c: usize,
    big_d: Pair,
    d_bound: Pair,
    p: f64,
    y: f64,
    full: &Solved,
) -> Result<(f64, f64, f64), ModelError> {
    let (clamp, full_bound) = (full.clamp_bound, full.error_bound);
    let re = (big_d[0] / p).clamp(0.0, 1.0);
    let re_v = if y > 0.0 {
        (big_d[1] / y).clamp(0.0, 1.0)
    } else {
        0.0
    };
    let bound = (d_bound[0] + clamp[0]) / p + re * full_bound[0] / p;
    if bound > REL_TOL * re + ABS_TOL {
        return Err(ModelError::NoConvergence(format!(
            "removal effect of channel #{c}: certified error bound {bound:e} exceeds the tolerance"
        )));
    }
    if y > 0.0 {
        let bound_v = (d_bound[1] + clamp[1]) / y + re_v * full_bound[1] / y;
        if bound_v > REL_TOL * re_v + ABS_TOL {
            return Err(ModelError::NoConvergence(format!(
                "value removal effect of channel #{c}: certified error bound {bound_v:e} exceeds the tolerance"
            )));
        }
    }
    Ok((re, re_v, bound))
}

/// Removal effects of the chain whose journeys are cut after `max_steps`
/// states (a journey still in the chain after visiting `max_steps` states
/// ends in `(null)`), computed by at most `max_steps` sparse matrix–vector
/// steps: `x⁽ʲ⁺¹⁾ = (b + N x⁽ʲ⁾) / out`, `x⁽⁰⁾ = 0`, stopping early once the
/// chain has converged (see [`capped`]).
pub(crate) fn capped_removal_effects(
    chain: &MarkovChain,
    max_steps: usize,
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
            let mut effects = removal_effects(chain, Solver::Auto)?;
            // |D_k − D| ≤ tail and |P_k − P| ≤ tail.
            for b in &mut effects.error_bounds {
                *b += 2.0 * tail / p;
            }
            effects.cap_loss = Some((tail / p).min(1.0));
            return Ok(effects);
        }
    }
    let nc = chain.n_channels();
    let full = capped(&system, &[], max_steps);
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
    let effects: Vec<[f64; 3]> = (0..nc)
        .into_par_iter()
        .map(|c| {
            let removed = system.by_channel.get(c).map_or(&[][..], Vec::as_slice);
            if removed.is_empty() || p <= 0.0 {
                return [0.0; 3];
            }
            let r = capped(&system, removed, max_steps);
            let re = ((p - r.value[0]) / p).clamp(0.0, 1.0);
            let re_v = if y > 0.0 {
                ((y - r.value[1]) / y).clamp(0.0, 1.0)
            } else {
                0.0
            };
            let bound = (full.bound[0] + r.bound[0]) / p + re * full.bound[0] / p;
            [re, re_v, bound]
        })
        .collect();
    Ok(RemovalEffects {
        conversion_probability: p,
        value_per_journey: y * system.value_scale,
        removal_effects: effects.iter().map(|e| e[0]).collect(),
        value_removal_effects: effects.iter().map(|e| e[1]).collect(),
        error_bounds: effects.iter().map(|e| e[2]).collect(),
        cap_loss: Some(cap_loss),
    })
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

/// A capped iteration whose remaining change is at most this fraction of
/// the functional (beyond its rounding) stops: the cap no longer matters.
const CAPPED_TOL: f64 = 1e-14;
/// Steps without a smaller residual after which the iteration is taken to
/// be at its rounding floor (a safety net: the rounding estimate stops it
/// first).
const CAPPED_STALL: usize = 10_000;

/// The capped iteration with `removed` states zeroed. It stops before
/// `steps` once the chain has converged: the iterates increase towards the
/// uncapped solution `x*`, and the count-form residual of `x⁽ʲ⁾`,
/// `R_s = out_s (x⁽ʲ⁺¹⁾_s − x⁽ʲ⁾_s) ≥ 0`, bounds the distance left: every
/// later iterate (the capped value for any larger cap) lies between
/// `x⁽ʲ⁺¹⁾` and `x*`, whose functional is within `Σ_s R_s / N` of that of
/// `x⁽ʲ⁾` (flow conservation: a state is visited at most `out_s / N` times
/// per journey). It stops when that bound falls below [`CAPPED_TOL`] of
/// the functional plus the rounding of the residual's own evaluation, and
/// reports the bound: a large cap costs no more than the convergence.
fn capped(system: &System, removed: &[u32], steps: usize) -> Capped {
    let n = system.n;
    let mut res = Capped {
        value: [0.0; 2],
        bound: [0.0; 2],
        converged: false,
    };
    if system.journeys <= 0.0 {
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
    let gamma = count_to_f64(u64::try_from(system.max_degree() + 3).unwrap_or(u64::MAX)).sqrt()
        * f64::EPSILON;
    for step in 0..steps {
        let mut residual = [0.0f64; 2];
        let mut scale = [0.0f64; 2];
        let mut f = [0.0f64; 2];
        for (s, ns) in next.iter_mut().enumerate() {
            if !keep.get(s).copied().unwrap_or(false) {
                *ns = [0.0; 2];
                continue;
            }
            let mut acc = system.rhs.get(s).copied().unwrap_or([0.0; 2]);
            let sl = system.self_loops.get(s).copied().unwrap_or(0.0);
            let xs = x.get(s).copied().unwrap_or([0.0; 2]);
            acc[0] += sl * xs[0];
            acc[1] += sl * xs[1];
            let (cols, w) = system.row(s);
            for (&t, &wt) in cols.iter().zip(w) {
                if let Some(xt) = x.get(t as usize) {
                    acc[0] += wt * xt[0];
                    acc[1] += wt * xt[1];
                }
            }
            let out = system.diag.get(s).copied().unwrap_or(1.0) + sl;
            *ns = [acc[0] / out, acc[1] / out];
            let st = system.start.get(s).copied().unwrap_or(0.0);
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
        let n = system.journeys;
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
            res.value = functional(system, &x);
            res.bound = bound;
            res.converged = true;
            return res;
        }
    }
    res.value = functional(system, &x);
    res
}

/// `Σ start_s x_s / N`.
fn functional(system: &System, x: &[Pair]) -> Pair {
    let mut f = [CompensatedSum::default(), CompensatedSum::default()];
    for (s, xs) in x.iter().enumerate() {
        let st = system.start.get(s).copied().unwrap_or(0.0);
        f[0].add(st * xs[0]);
        f[1].add(st * xs[1]);
    }
    [
        f[0].value() / system.journeys,
        f[1].value() / system.journeys,
    ]
}
