//! The fallback solve: iterative refinement with residuals in double-double.
//!
//! When a solution cannot be certified to the tolerance (long journeys make
//! the chain nearly closed, so that rounding alone leaves a count-form
//! residual of ≈ `ε · mean visits`, or Gauss–Seidel stalls), the system is
//! solved again by [`Mode::Robust`] (dense LU where the component allows)
//! and refined: the solution is carried as `hi + lo`, its residual is
//! evaluated with error-free products (`mul_add`) and compensated sums, so
//! that it is exact to far below the rounding of `hi`, and the correction
//! solves the same system with that residual as right-hand side. Two or
//! three rounds reach a residual at the level of `ε²`; the certified bound
//! `‖R‖₁ / N` of [`System::certify`](super::system) then holds for `hi + lo`.

use crate::error::ModelError;
use crate::numeric::{CompensatedSum, count_to_f64};

use super::system::{Mode, Pair, Solved, System};

/// Refinement rounds before giving up on the target.
const MAX_ROUNDS: usize = 4;

/// `a·b` as the rounded product and its exact error.
#[inline]
fn two_prod(a: f64, b: f64) -> (f64, f64) {
    let p = a * b;
    (p, a.mul_add(b, -p))
}

impl System {
    /// Solves `d_s e_s − Σ_t n_st e_t = b_s` on the live states outside
    /// `excluded` (sorted), with `e = fixed` on `excluded`, and refines the
    /// solution until the bound on its functional `Σ_s start_s e_s / N`
    /// (over every state, the fixed ones included) is at most
    /// `target(functional)`, or stops improving.
    pub(crate) fn solve_refined(
        &self,
        excluded: &[u32],
        b: &[Pair],
        fixed: &[Pair],
        target: impl Fn(Pair) -> Pair,
    ) -> Result<Solved, ModelError> {
        let n = self.n;
        let mut is_fixed = vec![false; n];
        for &e in excluded {
            if let Some(f) = is_fixed.get_mut(e as usize) {
                *f = true;
            }
        }
        // First solve: the fixed states enter the right-hand side.
        let mut rhs: Vec<Pair> = b.to_vec();
        rhs.resize(n, [0.0; 2]);
        for (s, r) in rhs.iter_mut().enumerate() {
            if is_fixed.get(s).copied().unwrap_or(true) {
                continue;
            }
            let (cols, w) = self.row(s);
            for (&t, &wt) in cols.iter().zip(w) {
                if is_fixed.get(t as usize).copied().unwrap_or(false) {
                    let ft = fixed.get(t as usize).copied().unwrap_or([0.0; 2]);
                    r[0] += wt * ft[0];
                    r[1] += wt * ft[1];
                }
            }
        }
        let mut hi = self.solve_with(excluded, &rhs, Mode::Robust)?.x;
        for &e in excluded {
            if let (Some(h), Some(f)) = (hi.get_mut(e as usize), fixed.get(e as usize)) {
                *h = *f;
            }
        }
        let mut lo: Vec<Pair> = vec![[0.0; 2]; n];
        let mut residual: Vec<Pair> = vec![[0.0; 2]; n];
        let first = self.residual_dd(&is_fixed, b, &hi, &lo, &mut residual);
        let (mut functional, mut bound) = first;
        for _ in 0..MAX_ROUNDS {
            let goal = target(functional);
            if (0..2).all(|j| bound[j] <= goal[j]) {
                break;
            }
            let correction = self.solve_with(excluded, &residual, Mode::Robust)?.x;
            let mut next_lo = lo.clone();
            for (s, (l, d)) in next_lo.iter_mut().zip(&correction).enumerate() {
                if !is_fixed.get(s).copied().unwrap_or(true) {
                    l[0] += d[0];
                    l[1] += d[1];
                }
            }
            let mut next_residual = vec![[0.0; 2]; n];
            let (f, bd) = self.residual_dd(&is_fixed, b, &hi, &next_lo, &mut next_residual);
            if (0..2).all(|j| bd[j] >= bound[j]) {
                break; // no progress: the solves are at their accuracy limit
            }
            (lo, residual, functional, bound) = (next_lo, next_residual, f, bd);
        }
        let mut x_max = [0.0f64; 2];
        let x: Vec<Pair> = hi
            .iter()
            .zip(&lo)
            .map(|(h, l)| {
                let v = [h[0] + l[0], h[1] + l[1]];
                x_max = [x_max[0].max(v[0].abs()), x_max[1].max(v[1].abs())];
                v
            })
            .collect();
        // Rounding `hi + lo` to `x` moves each entry by at most ε/2 of it.
        let rounding = [0.5 * f64::EPSILON * x_max[0], 0.5 * f64::EPSILON * x_max[1]];
        Ok(Solved {
            x,
            functional,
            error_bound: bound,
            clamp_bound: [bound[0] + rounding[0], bound[1] + rounding[1]],
        })
    }

    /// Writes the residual `R_s = b_s + Σ_t n_st e_t − d_s e_s` of
    /// `e = hi + lo` on the free states (0 on the fixed ones) into
    /// `residual`, evaluated with error-free products and compensated sums;
    /// returns the functional `Σ_s start_s e_s / N` and the bound
    /// `(‖R‖₁ + rounding) / N` on its error.
    fn residual_dd(
        &self,
        is_fixed: &[bool],
        b: &[Pair],
        hi: &[Pair],
        lo: &[Pair],
        residual: &mut [Pair],
    ) -> (Pair, Pair) {
        let mut functional = [CompensatedSum::default(), CompensatedSum::default()];
        let mut total = [0.0f64; 2];
        let mut max_deg = 0usize;
        let mut scale = [0.0f64; 2];
        let mut loose = [0.0f64; 2];
        for (s, r) in residual.iter_mut().enumerate() {
            let h = hi.get(s).copied().unwrap_or([0.0; 2]);
            let l = lo.get(s).copied().unwrap_or([0.0; 2]);
            let st = self.start.get(s).copied().unwrap_or(0.0);
            for j in 0..2 {
                let (p, e) = two_prod(st, h[j]);
                functional[j].add(p);
                functional[j].add(e);
                functional[j].add(st * l[j]);
            }
            if is_fixed.get(s).copied().unwrap_or(true) {
                *r = [0.0; 2];
                continue;
            }
            let (cols, w) = self.row(s);
            max_deg = max_deg.max(cols.len());
            let d = self.diag.get(s).copied().unwrap_or(0.0);
            let bs = b.get(s).copied().unwrap_or([0.0; 2]);
            for j in 0..2 {
                let mut acc = CompensatedSum::default();
                acc.add(bs[j]);
                let mut mag = bs[j].abs();
                let mut small = 0.0f64;
                for (&t, &wt) in cols.iter().zip(w) {
                    let ht = hi.get(t as usize).map_or(0.0, |v| v[j]);
                    let lt = lo.get(t as usize).map_or(0.0, |v| v[j]);
                    let (p, e) = two_prod(wt, ht);
                    acc.add(p);
                    acc.add(e);
                    acc.add(wt * lt);
                    mag += p.abs();
                    small += (wt * lt).abs();
                }
                let (p, e) = two_prod(d, h[j]);
                acc.add(-p);
                acc.add(-e);
                acc.add(-(d * l[j]));
                mag += p.abs();
                small += (d * l[j]).abs();
                let rj = acc.value();
                r[j] = rj;
                total[j] += rj.abs();
                scale[j] += mag;
                loose[j] += small;
            }
        }
        // Compensated summation of m terms errs by 2ε|R| + O(m ε²)·Σ|terms|;
        // the rounded products `w·lo` by ε each.
        let m = count_to_f64(u64::try_from(2 * max_deg + 5).unwrap_or(u64::MAX));
        let n = if self.journeys > 0.0 {
            self.journeys
        } else {
            1.0
        };
        let eps = f64::EPSILON;
        let mut bound = [0.0; 2];
        let mut value = [0.0; 2];
        for j in 0..2 {
            bound[j] =
                (total[j] * (1.0 + 2.0 * eps) + 4.0 * m * eps * eps * scale[j] + eps * loose[j])
                    / n;
            value[j] = functional[j].value() / n;
        }
        (value, bound)
    }
}
