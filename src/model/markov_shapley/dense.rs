//! A small dense solve of the count-form absorbing system restricted to
//! the states of one coalition, with its certified residual bound.
//!
//! Hand-written rather than faer's LU: at order 1 a coalition has at most
//! 24 states and the solve runs 2^C times, where the set-up of a general
//! factorisation (allocation, blocking) costs more than the elimination
//! itself. The matrix is a nonsingular M-matrix, and partial pivoting keeps
//! the elimination backward stable anyway; the result is certified from
//! its residual, as every solve of the Markov module is.

use crate::model::markov::CoalitionSystem;
use crate::numeric::count_to_f64;

/// Buffers reused from coalition to coalition.
#[derive(Default)]
pub(super) struct Dense {
    /// Local index of each live state in the current coalition
    /// (`usize::MAX`: outside it).
    local: Vec<usize>,
    a: Vec<f64>,
    b: Vec<[f64; 2]>,
    x: Vec<[f64; 2]>,
}

impl Dense {
    /// `(Σ start_s x_s / N, its certified error bound)` per column, `x` the
    /// absorption probabilities (and values) of the system restricted to
    /// `included` (live indices; every other live state is redirected to
    /// `(null)`). `None` when elimination meets a zero pivot (it cannot on
    /// a fitted chain, whose restricted systems are nonsingular).
    pub(super) fn solve(
        &mut self,
        sys: &CoalitionSystem,
        included: &[usize],
    ) -> Option<([f64; 2], [f64; 2])> {
        let n = sys.journeys();
        if n <= 0.0 || included.is_empty() {
            return Some(([0.0; 2], [0.0; 2]));
        }
        let m = included.len();
        self.local.clear();
        self.local.resize(sys.n_live(), usize::MAX);
        for (i, &s) in included.iter().enumerate() {
            *self.local.get_mut(s)? = i;
        }
        self.a.clear();
        self.a.resize(m * m, 0.0);
        self.b.clear();
        for (i, &s) in included.iter().enumerate() {
            *self.a.get_mut(i * m + i)? = sys.diag(s);
            let (cols, w) = sys.row(s);
            for (&t, &wt) in cols.iter().zip(w) {
                let j = self.local.get(t as usize).copied().unwrap_or(usize::MAX);
                if j != usize::MAX {
                    *self.a.get_mut(i * m + j)? -= wt;
                }
            }
            self.b.push(sys.rhs(s));
        }
        self.eliminate(m)?;
        // Certify: count-form residual R_s = b_s − d_s x_s + Σ n_st x_t over
        // the coalition; the functional's error is at most Σ|R_s| / N.
        let mut f = [0.0f64; 2];
        let mut res = [0.0f64; 2];
        let mut scale = [0.0f64; 2];
        let mut max_deg = 0usize;
        for (i, &s) in included.iter().enumerate() {
            let xs = self.x.get(i).copied()?;
            let st = sys.start(s);
            let (cols, w) = sys.row(s);
            max_deg = max_deg.max(cols.len());
            let b = sys.rhs(s);
            let d = sys.diag(s);
            for j in 0..2 {
                f[j] += st * xs[j];
                let mut r = b[j] - d * xs[j];
                let mut mag = b[j].abs() + (d * xs[j]).abs();
                for (&t, &wt) in cols.iter().zip(w) {
                    let l = self.local.get(t as usize).copied().unwrap_or(usize::MAX);
                    if let Some(xt) = self.x.get(l) {
                        let v = wt * xt[j];
                        r += v;
                        mag += v.abs();
                    }
                }
                res[j] += r.abs();
                scale[j] += mag;
            }
        }
        let gamma =
            count_to_f64(u64::try_from(max_deg + 3).unwrap_or(u64::MAX)).sqrt() * f64::EPSILON;
        Some((
            [f[0] / n, f[1] / n],
            [
                (res[0] + gamma * scale[0]) / n,
                (res[1] + gamma * scale[1]) / n,
            ],
        ))
    }

    /// Gaussian elimination with partial pivoting of the `m × m` matrix
    /// `a` (row-major) against the two columns `b`, into `x`.
    fn eliminate(&mut self, m: usize) -> Option<()> {
        let (a, b) = (&mut self.a, &mut self.b);
        for k in 0..m {
            // Pivot: the largest |a_ik| for i ≥ k.
            let mut p = k;
            let mut best = a.get(k * m + k)?.abs();
            for i in k + 1..m {
                let v = a.get(i * m + k)?.abs();
                if v > best {
                    best = v;
                    p = i;
                }
            }
            if best == 0.0 || !best.is_finite() {
                return None;
            }
            if p != k {
                for j in 0..m {
                    a.swap(k * m + j, p * m + j);
                }
                b.swap(k, p);
            }
            let pivot = *a.get(k * m + k)?;
            let bk = *b.get(k)?;
            for i in k + 1..m {
                let factor = *a.get(i * m + k)? / pivot;
                if factor == 0.0 {
                    continue;
                }
                for j in k + 1..m {
                    let akj = *a.get(k * m + j)?;
                    *a.get_mut(i * m + j)? -= factor * akj;
                }
                let bi = b.get_mut(i)?;
                bi[0] -= factor * bk[0];
                bi[1] -= factor * bk[1];
            }
        }
        self.x.clear();
        self.x.resize(m, [0.0; 2]);
        for k in (0..m).rev() {
            let mut acc = *b.get(k)?;
            for j in k + 1..m {
                let akj = *a.get(k * m + j)?;
                let xj = *self.x.get(j)?;
                acc[0] -= akj * xj[0];
                acc[1] -= akj * xj[1];
            }
            let d = *a.get(k * m + k)?;
            *self.x.get_mut(k)? = [acc[0] / d, acc[1] / d];
        }
        Some(())
    }
}
