//! The penalised logistic fit of `dda` on the distinct-channel-set table:
//! its terms (intercept, channels, co-occurring pairs) and damped Newton.

use faer::Mat;
use faer::linalg::solvers::Solve;
use rustc_hash::FxHashMap;

use crate::channel::ChannelId;
use crate::error::ModelError;
use crate::numeric::CompensatedSum;

/// Newton iterations before [`ModelError::FitNoConvergence`].
pub(crate) const MAX_ITERATIONS: usize = 100;
/// Newton stops when the largest component of a step is at most this.
const STEP_TOLERANCE: f64 = 1e-12;
/// Step halvings before a line search gives up (the step is then far
/// below [`STEP_TOLERANCE`], so Newton stops).
const MAX_HALVINGS: usize = 80;

/// σ(x) = 1/(1 + e^(−x)), without overflow for any finite x.
#[inline]
pub(crate) fn sigmoid(x: f64) -> f64 {
    if x >= 0.0 {
        1.0 / (1.0 + (-x).exp())
    } else {
        let e = x.exp();
        e / (1.0 + e)
    }
}

/// log(1 + e^x), without overflow and accurate for large |x|.
#[inline]
fn softplus(x: f64) -> f64 {
    x.max(0.0) + (-x.abs()).exp().ln_1p()
}

/// The model's terms: parameter 0 is the intercept, then one per channel
/// that some set holds (ascending ids), then, when pairwise, one per pair of
/// channels that occur together in some set (ascending (a, b), a < b).
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Terms {
    /// Parameter index of each channel (by channel index), if it has one.
    channel: Vec<Option<usize>>,
    /// Parameter index of each pair (a < b by id).
    pair: FxHashMap<(ChannelId, ChannelId), usize>,
    /// The channel of each channel term, in parameter order.
    pub(crate) channels: Vec<ChannelId>,
    /// The pair of each pair term, in parameter order.
    pub(crate) pairs: Vec<(ChannelId, ChannelId)>,
}

impl Terms {
    /// The terms of `sets` over a table of `channels` channels.
    pub(crate) fn new<'a>(
        sets: impl Iterator<Item = &'a [ChannelId]> + Clone,
        channels: usize,
        pairwise: bool,
    ) -> Self {
        let mut present = vec![false; channels];
        let mut pairs: Vec<(ChannelId, ChannelId)> = Vec::new();
        for set in sets.clone() {
            for c in set {
                if let Some(slot) = present.get_mut(c.index()) {
                    *slot = true;
                }
            }
        }
        if pairwise {
            let mut seen = rustc_hash::FxHashSet::default();
            for set in sets {
                for (i, &a) in set.iter().enumerate() {
                    for &b in set.get(i + 1..).unwrap_or_default() {
                        if seen.insert((a, b)) {
                            pairs.push((a, b));
                        }
                    }
                }
            }
            pairs.sort_unstable();
        }
        let mut channel = vec![None; channels];
        let mut channels = Vec::new();
        for (i, (&here, slot)) in present.iter().zip(channel.iter_mut()).enumerate() {
            if here {
                *slot = Some(1 + channels.len());
                if let Some(id) = ChannelId::from_index(i) {
                    channels.push(id);
                }
            }
        }
        let first_pair = 1 + channels.len();
        let pair = pairs
            .iter()
            .enumerate()
            .map(|(i, &p)| (p, first_pair + i))
            .collect();
        Self {
            channel,
            pair,
            channels,
            pairs,
        }
    }

    /// The number of parameters, p.
    pub(crate) fn len(&self) -> usize {
        1 + self.channels.len() + self.pairs.len()
    }

    /// The parameter of channel `c`, if it has one.
    pub(crate) fn of_channel(&self, c: ChannelId) -> Option<usize> {
        self.channel.get(c.index()).copied().flatten()
    }

    /// The parameter of the pair {a, b}, if it has one.
    pub(crate) fn of_pair(&self, a: ChannelId, b: ChannelId) -> Option<usize> {
        let key = if a < b { (a, b) } else { (b, a) };
        self.pair.get(&key).copied()
    }

    /// The parameters active in `set` (sorted ascending ids): the
    /// intercept, its channels, its pairs.
    pub(crate) fn active(&self, set: &[ChannelId], out: &mut Vec<usize>) {
        out.clear();
        out.push(0);
        out.extend(set.iter().filter_map(|&c| self.of_channel(c)));
        if !self.pair.is_empty() {
            for (i, &a) in set.iter().enumerate() {
                for &b in set.get(i + 1..).unwrap_or_default() {
                    out.extend(self.of_pair(a, b));
                }
            }
        }
    }
}

/// One row of the fit: a set's active parameters and its counts.
struct Row {
    active: Vec<usize>,
    conversions: f64,
    journeys: f64,
}

/// The fitted coefficients and how the fit went.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct LogitFit {
    /// θ: intercept, channel terms, pair terms (see [`Terms`]).
    pub(crate) theta: Vec<f64>,
    pub(crate) terms: Terms,
    pub(crate) iterations: usize,
    pub(crate) max_gradient: f64,
    pub(crate) log_likelihood: f64,
    /// Σ_S N(S)·v(S) − ΣR at θ.
    pub(crate) intercept_residual: f64,
}

impl LogitFit {
    /// The linear predictor of `set` (sorted ascending ids).
    pub(crate) fn eta(&self, set: &[ChannelId]) -> f64 {
        let mut active = Vec::new();
        self.terms.active(set, &mut active);
        active
            .iter()
            .map(|&i| self.theta.get(i).copied().unwrap_or(0.0))
            .sum()
    }
}

/// The penalised objective F and its pieces on the rows.
struct Problem<'a> {
    rows: &'a [Row],
    lambda: f64,
    p: usize,
}

impl Problem<'_> {
    fn eta(row: &Row, theta: &[f64]) -> f64 {
        row.active
            .iter()
            .map(|&i| theta.get(i).copied().unwrap_or(0.0))
            .sum()
    }

    /// F(θ) = Σ [N·log(1 + e^η) − R·η] + (λ/2)·Σ_{i≥1} θ_i².
    fn objective(&self, theta: &[f64]) -> f64 {
        let mut f = CompensatedSum::default();
        for row in self.rows {
            let eta = Self::eta(row, theta);
            f.add(row.journeys * softplus(eta));
            f.add(-row.conversions * eta);
        }
        for t in theta.iter().skip(1) {
            f.add(0.5 * self.lambda * t * t);
        }
        f.value()
    }

    /// The gradient of F at θ (compensated sums).
    fn gradient(&self, theta: &[f64]) -> Vec<f64> {
        let mut g = vec![CompensatedSum::default(); self.p];
        for row in self.rows {
            let r = row.journeys * sigmoid(Self::eta(row, theta)) - row.conversions;
            for &i in &row.active {
                if let Some(slot) = g.get_mut(i) {
                    slot.add(r);
                }
            }
        }
        g.iter()
            .enumerate()
            .map(|(i, s)| {
                let pen = if i == 0 {
                    0.0
                } else {
                    self.lambda * theta.get(i).copied().unwrap_or(0.0)
                };
                s.value() + pen
            })
            .collect()
    }

    /// The Newton step H⁻¹g at θ, H the penalised Hessian.
    fn step(&self, theta: &[f64], g: &[f64]) -> Result<Vec<f64>, ModelError> {
        let p = self.p;
        let mut h = Mat::<f64>::zeros(p, p);
        for row in self.rows {
            let s = sigmoid(Self::eta(row, theta));
            let w = row.journeys * s * (1.0 - s);
            if w == 0.0 {
                continue;
            }
            for &i in &row.active {
                for &j in &row.active {
                    if i < p && j < p {
                        h[(i, j)] += w;
                    }
                }
            }
        }
        for i in 1..p {
            h[(i, i)] += self.lambda;
        }
        let rhs = Mat::<f64>::from_fn(p, 1, |i, _| g.get(i).copied().unwrap_or(0.0));
        let llt = h
            .llt(faer::Side::Lower)
            .map_err(|e| ModelError::NoConvergence(format!("the dda Hessian: {e}")))?;
        let sol = llt.solve(&rhs);
        Ok((0..p).map(|i| sol[(i, 0)]).collect())
    }
}

/// Fits the penalised logistic model to `sets` (set, R(S), N(S)) by damped
/// Newton from θ₀ = (log(ΣR/(ΣN − ΣR)), 0, …).
///
/// The caller checks 0 < ΣR < ΣN (a unique finite optimum) and λ > 0.
///
/// # Errors
///
/// [`ModelError::FitNoConvergence`] after [`MAX_ITERATIONS`] iterations
/// (`model` names the spec in it).
pub(crate) fn fit_logit(
    sets: &[(&[ChannelId], f64, f64)],
    channels: usize,
    lambda: f64,
    pairwise: bool,
    model: &str,
) -> Result<LogitFit, ModelError> {
    let terms = Terms::new(sets.iter().map(|(s, _, _)| *s), channels, pairwise);
    let rows: Vec<Row> = sets
        .iter()
        .map(|&(set, r, n)| {
            let mut active = Vec::new();
            terms.active(set, &mut active);
            Row {
                active,
                conversions: r,
                journeys: n,
            }
        })
        .collect();
    let total_r: CompensatedSum = sets.iter().map(|s| s.1).sum();
    let total_n: CompensatedSum = sets.iter().map(|s| s.2).sum();
    let (total_r, total_n) = (total_r.value(), total_n.value());
    let problem = Problem {
        rows: &rows,
        lambda,
        p: terms.len(),
    };
    let mut theta = vec![0.0; problem.p];
    if let Some(b0) = theta.first_mut() {
        *b0 = (total_r / (total_n - total_r)).ln();
    }
    let mut f = problem.objective(&theta);
    let mut iterations = 0;
    let mut converged = false;
    let mut last_step = f64::INFINITY;
    while iterations < MAX_ITERATIONS {
        iterations += 1;
        let g = problem.gradient(&theta);
        let s = problem.step(&theta, &g)?;
        let mut t = 1.0;
        let mut candidate: Vec<f64>;
        let mut f_new;
        let mut halvings = 0;
        loop {
            candidate = theta.iter().zip(&s).map(|(x, d)| x - t * d).collect();
            f_new = problem.objective(&candidate);
            if f_new <= f + 1e-15 * f.abs() || halvings >= MAX_HALVINGS {
                break;
            }
            t *= 0.5;
            halvings += 1;
        }
        last_step = s.iter().fold(0.0_f64, |m, d| m.max((t * d).abs()));
        if f_new.is_finite() && f_new <= f + 1e-15 * f.abs() {
            theta = candidate;
            f = f_new;
        }
        if last_step <= STEP_TOLERANCE || !last_step.is_finite() {
            converged = last_step.is_finite();
            break;
        }
    }
    if !converged {
        return Err(ModelError::FitNoConvergence {
            model: model.to_owned(),
            iterations,
            last_step,
        });
    }
    let g = problem.gradient(&theta);
    let max_gradient = g.iter().fold(0.0_f64, |m, x| m.max(x.abs()));
    let mut ll = CompensatedSum::default();
    let mut fitted = CompensatedSum::default();
    for row in &rows {
        let eta = Problem::eta(row, &theta);
        ll.add(row.conversions * eta);
        ll.add(-row.journeys * softplus(eta));
        fitted.add(row.journeys * sigmoid(eta));
    }
    fitted.add(-total_r);
    Ok(LogitFit {
        theta,
        terms,
        iterations,
        max_gradient,
        log_likelihood: ll.value(),
        intercept_residual: fitted.value(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sigmoid_and_softplus_are_stable() {
        assert_eq!(sigmoid(0.0), 0.5);
        assert_eq!(sigmoid(1000.0), 1.0);
        assert_eq!(sigmoid(-1000.0), 0.0);
        assert!((sigmoid(-745.0) - (-745.0f64).exp()).abs() < 1e-320);
        assert_eq!(softplus(1000.0), 1000.0);
        assert_eq!(softplus(-1000.0), 0.0);
        assert!((softplus(0.0) - 2f64.ln()).abs() < 1e-16);
    }
}
