//! Removal effects: exact (uncapped) and step-capped.

use rayon::prelude::*;
use serde::Serialize;

use crate::error::ModelError;
use crate::numeric::CompensatedSum;

use super::Solver;
use super::ancestors::{Plan, Scratch};
use super::blocked::plan_blocks;
use super::chain::MarkovChain;
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

/// The default of [`Markov::work_limit`](super::Markov::work_limit), in
/// units of the work of one sweep (states plus transitions of the cyclic
/// components swept, summed over the blocks of eight channels). The
/// removals run at ≈ 4·10⁶ such units per second and core (measured, with
/// the 20 to 60 sweeps a cyclic component takes), so the default allows
/// about four CPU-minutes; the benchmarks (10⁶ paths × 50 channels, orders
/// 3 to 6) need below 10⁷.
pub const WORK_LIMIT: u64 = 1_000_000_000;

pub(crate) fn removal_effects(
    chain: &MarkovChain,
    solver: Solver,
    work_limit: u64,
) -> Result<RemovalEffects, ModelError> {
    removal_effects_and_absorption(chain, solver, work_limit).map(|(effects, _)| effects)
}

/// The absorption probabilities into `(conversion)` of every chain state
/// (0 for states that cannot reach it), from the full chain's solution.
fn absorption(chain: &MarkovChain, system: &System, full: &Full) -> Vec<f64> {
    let mut h = vec![0.0; chain.n_states()];
    for (&s, x) in system.chain_of.iter().zip(&full.solved.x) {
        if let Some(hs) = h.get_mut(s as usize) {
            *hs = x[0].clamp(0.0, 1.0);
        }
    }
    h
}

/// The absorption probabilities of the (uncapped) chain, solved on their
/// own.
pub(crate) fn absorption_probabilities(chain: &MarkovChain) -> Result<Vec<f64>, ModelError> {
    let system = System::new(chain);
    let full = full_solution(&system, Solver::Auto)?;
    Ok(absorption(chain, &system, &full))
}

/// [`removal_effects`] and the absorption probabilities of the full chain
/// (by chain state), which its solution gives for free.
pub(crate) fn removal_effects_and_absorption(
    chain: &MarkovChain,
    solver: Solver,
    work_limit: u64,
) -> Result<(RemovalEffects, Vec<f64>), ModelError> {
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
    let h = absorption(chain, &system, &full);
    if p <= 0.0 {
        let effects = RemovalEffects {
            conversion_probability: 0.0,
            value_per_journey: 0.0,
            removal_effects: vec![0.0; nc],
            value_removal_effects: vec![0.0; nc],
            error_bounds: vec![0.0; nc],
            cap_loss: None,
        };
        return Ok((effects, h));
    }
    let blocked = match solver {
        Solver::Iterative => true,
        Solver::Dense => false,
        Solver::Auto => system.n > PER_CHANNEL_MAX,
    };
    let mut outcomes: Vec<Outcome> = if blocked {
        blocked_effects(&system, &full, nc, work_limit)?
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
    Ok((res, h))
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
fn blocked_effects(
    system: &System,
    full: &Full,
    nc: usize,
    work_limit: u64,
) -> Result<Vec<Outcome>, ModelError> {
    let (p, y) = (full.probability, full.solved.functional[1]);
    let plan = Plan::new(system);
    let active: Vec<usize> = (0..nc)
        .filter(|&c| system.by_channel.get(c).is_some_and(|v| !v.is_empty()))
        .collect();
    let blocks = plan_blocks(&active);
    let work: u64 = blocks
        .iter()
        .map(|block| {
            plan.cyclic_work(
                block
                    .iter()
                    .flat_map(|&c| system.by_channel.get(c).map_or(&[][..], Vec::as_slice))
                    .copied(),
            )
        })
        .fold(0u64, u64::saturating_add);
    if work > work_limit {
        return Err(ModelError::TooComplex {
            channels: active.len(),
            work,
            limit: work_limit,
        });
    }
    let solved: Vec<Result<super::blocked::BlockResult, ModelError>> = blocks
        .par_iter()
        .map_init(Scratch::default, |scratch, block| {
            system.removals_blocked(&full.solved.x, block, &plan, scratch)
        })
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
