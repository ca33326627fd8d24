//! Solving the intercept that gives simulated journeys a target conversion
//! rate.

use crate::error::SimulateError;
use crate::numeric::{CompensatedSum, count_to_f64};
use crate::truth::sigmoid;

/// The solved intercept and how the solver got there.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Intercept {
    /// The intercept b0.
    pub value: f64,
    /// Newton steps taken.
    pub newton_steps: u32,
    /// Bisection steps taken (a Newton step that would leave the bracket).
    pub bisection_steps: u32,
}

/// Safety net: never reached in practice (each bisection halves the
/// bracket, each Newton step at least shrinks it by the probe).
const MAX_STEPS: u32 = 10_000;

/// The intercept b0 that makes the expected conversion rate of weighted
/// paths equal `rate`: the root of
///
/// ```text
/// F(b0) = Σ_j N_j·σ(b0 + η_j) − r*·N,   N = Σ_j N_j,
/// ```
///
/// where each entry of `paths` is (η_j, N_j): η_j is everything in the
/// path's logit z except b0, N_j its journeys. F is strictly increasing from
/// −r*·N to (1 − r*)·N, so the root exists and is unique exactly when
/// 0 < r* < 1.
///
/// **Method.** Start from the bracket [logit r* − max η − 1,
/// logit r* − min η + 1] (F < 0 at its left end, F > 0 at its right end)
/// and the point logit r* − mean η inside it; take Newton steps, and a
/// bisection step whenever a Newton step would leave the bracket. Every
/// evaluation tightens the bracket. When Newton steps stall on one side of
/// the root, a probe 4 ulp beyond the iterate closes the bracket. Stop when
/// the bracket is at most 4 ulp wide or F = 0. Sums are compensated
/// (Neumaier), so the expected rate of the result equals r* to about
/// 1e-15 relative.
///
/// # Complexity
///
/// O(paths) per step; a few Newton steps in practice, at most about 64
/// bisections per halving of the binary exponent range in the worst case.
///
/// # Errors
///
/// [`SimulateError::NoConversions`] when r* ≤ 0 (or NaN),
/// [`SimulateError::NoNonConversions`] when r* ≥ 1,
/// [`SimulateError::EmptyInput`] when the paths hold no journey,
/// [`SimulateError::InvalidConfig`] (`effects`) when an η is not finite.
///
/// # Example
///
/// ```
/// use attribution::simulate::solve_intercept;
///
/// // Two paths: η = 0 (3 journeys) and η = 1 (1 journey), target rate 0.25.
/// let b0 = solve_intercept(&[(0.0, 3), (1.0, 1)], 0.25)?.value;
/// let sigma = |x: f64| 1.0 / (1.0 + (-x).exp());
/// let rate = (3.0 * sigma(b0) + sigma(b0 + 1.0)) / 4.0;
/// assert!((rate - 0.25).abs() < 1e-15);
/// # Ok::<(), attribution::error::SimulateError>(())
/// ```
pub fn solve_intercept(paths: &[(f64, u64)], rate: f64) -> Result<Intercept, SimulateError> {
    if rate.is_nan() || rate <= 0.0 {
        return Err(SimulateError::NoConversions);
    }
    if rate >= 1.0 {
        return Err(SimulateError::NoNonConversions);
    }
    let mut total = 0u64;
    let mut min_eta = f64::INFINITY;
    let mut max_eta = f64::NEG_INFINITY;
    let mut mean = CompensatedSum::default();
    for &(eta, n) in paths {
        if !eta.is_finite() {
            return Err(SimulateError::InvalidConfig {
                field: "effects",
                reason: format!("a path's logit without intercept is {eta}"),
            });
        }
        if n == 0 {
            continue;
        }
        total = total.checked_add(n).ok_or(SimulateError::Overflow)?;
        min_eta = min_eta.min(eta);
        max_eta = max_eta.max(eta);
        mean.add(count_to_f64(n) * eta);
    }
    if total == 0 {
        return Err(SimulateError::EmptyInput);
    }
    let n_total = count_to_f64(total);
    let target = rate * n_total;
    let logit = (rate / (1.0 - rate)).ln();
    let eval = |b: f64| {
        let mut f = CompensatedSum::default();
        let mut df = CompensatedSum::default();
        for &(eta, n) in paths {
            if n > 0 {
                let p = sigmoid(b + eta);
                let w = count_to_f64(n);
                f.add(w * p);
                df.add(w * p * (1.0 - p));
            }
        }
        f.add(-target);
        (f.value(), df.value())
    };

    let mut lo = logit - max_eta - 1.0;
    let mut hi = logit - min_eta + 1.0;
    let mut x = (logit - mean.value() / n_total).clamp(lo, hi);
    let mut best = (f64::INFINITY, x);
    let mut newton_steps = 0;
    let mut bisection_steps = 0;
    for _ in 0..MAX_STEPS {
        let (f, df) = eval(x);
        if f.abs() < best.0 {
            best = (f.abs(), x);
        }
        if f == 0.0 {
            break;
        }
        if f < 0.0 {
            lo = x;
        } else {
            hi = x;
        }
        if ulps(lo, hi) <= 4 {
            break;
        }
        let newton = x - f / df;
        x = if df > 0.0 && newton > lo && newton < hi {
            newton_steps += 1;
            if ulps(newton.min(x), newton.max(x)) <= 2 {
                // Stalled on one side of the root: probe beyond it.
                let probe = if f < 0.0 {
                    step(x, 4).min(hi)
                } else {
                    step(x, -4).max(lo)
                };
                if probe > lo && probe < hi {
                    probe
                } else {
                    midpoint(lo, hi)
                }
            } else {
                newton
            }
        } else {
            bisection_steps += 1;
            midpoint(lo, hi)
        };
        if x <= lo || x >= hi {
            break;
        }
    }
    Ok(Intercept {
        value: best.1,
        newton_steps,
        bisection_steps,
    })
}

fn midpoint(lo: f64, hi: f64) -> f64 {
    lo + (hi - lo) / 2.0
}

/// A monotone map of the finite doubles onto `u64` (adjacent doubles map to
/// adjacent integers; −0 and +0 are adjacent).
fn key(x: f64) -> u64 {
    let bits = x.to_bits();
    if bits >> 63 == 1 {
        !bits
    } else {
        bits | (1 << 63)
    }
}

fn from_key(k: u64) -> f64 {
    if k >> 63 == 1 {
        f64::from_bits(k & !(1 << 63))
    } else {
        f64::from_bits(!k)
    }
}

/// The number of representable steps from `lo` up to `hi` (`lo ≤ hi`).
fn ulps(lo: f64, hi: f64) -> u64 {
    key(hi).saturating_sub(key(lo))
}

/// `x` moved by `n` representable steps (up for n > 0).
fn step(x: f64, n: i64) -> f64 {
    let k = key(x);
    let moved = if n >= 0 {
        k.saturating_add(n.unsigned_abs())
    } else {
        k.saturating_sub(n.unsigned_abs())
    };
    from_key(moved)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_monotone_and_adjacent() {
        let xs = [
            -1e300,
            -1.0,
            -f64::MIN_POSITIVE,
            -0.0,
            0.0,
            5e-324,
            1.0,
            1e300,
        ];
        for w in xs.windows(2) {
            assert!(key(w[0]) < key(w[1]), "{w:?}");
        }
        assert_eq!(ulps(-0.0, 0.0), 1);
        assert_eq!(step(1.0, 1), 1.0 + f64::EPSILON);
        assert_eq!(step(1.0, -2), 1.0 - f64::EPSILON);
        assert_eq!(step(-1.0, 1), -1.0 + f64::EPSILON / 2.0);
        for x in xs {
            assert_eq!(from_key(key(x)).to_bits(), x.to_bits());
        }
    }
}
