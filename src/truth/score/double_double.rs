//! Double-double arithmetic (a value as the unevaluated sum hi + lo of two
//! doubles, about 106 bits), so that share error and Spearman round once:
//! the metrics are exact functions of the ranks and the shares, and the
//! fixtures hold the nearest double to the exact value.
//!
//! The error-free transformations are Knuth's two-sum and the fused
//! multiply-add product; the operations follow Hida, Li and Bailey's QD
//! library (accurate addition, division by two refinement steps).

/// hi + lo with |lo| ≤ ½ ulp(hi).
#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) struct DoubleDouble {
    hi: f64,
    lo: f64,
}

/// a + b exactly, as (rounded sum, error) (Knuth).
fn two_sum(a: f64, b: f64) -> DoubleDouble {
    let s = a + b;
    let bb = s - a;
    DoubleDouble {
        hi: s,
        lo: (a - (s - bb)) + (b - bb),
    }
}

/// a + b exactly when |a| ≥ |b| (Dekker).
fn quick_two_sum(a: f64, b: f64) -> DoubleDouble {
    let s = a + b;
    DoubleDouble {
        hi: s,
        lo: b - (s - a),
    }
}

/// a·b exactly, as (rounded product, error), by a fused multiply-add.
fn two_prod(a: f64, b: f64) -> DoubleDouble {
    let p = a * b;
    DoubleDouble {
        hi: p,
        lo: a.mul_add(b, -p),
    }
}

impl DoubleDouble {
    /// Zero.
    pub(super) const ZERO: Self = Self { hi: 0.0, lo: 0.0 };

    /// The double `x`.
    pub(super) fn from(x: f64) -> Self {
        Self { hi: x, lo: 0.0 }
    }

    /// The nearest double.
    pub(super) fn value(self) -> f64 {
        self.hi + self.lo
    }

    /// self + other (the accurate, IEEE-style addition).
    pub(super) fn add(self, other: Self) -> Self {
        let s = two_sum(self.hi, other.hi);
        let t = two_sum(self.lo, other.lo);
        let u = quick_two_sum(s.hi, s.lo + t.hi);
        quick_two_sum(u.hi, u.lo + t.lo)
    }

    /// −self.
    pub(super) fn neg(self) -> Self {
        Self {
            hi: -self.hi,
            lo: -self.lo,
        }
    }

    /// |self|.
    pub(super) fn abs(self) -> Self {
        if self.hi < 0.0 { self.neg() } else { self }
    }

    /// self·other.
    pub(super) fn mul(self, other: Self) -> Self {
        let p = two_prod(self.hi, other.hi);
        quick_two_sum(p.hi, p.lo + (self.hi * other.lo + self.lo * other.hi))
    }

    /// self/other (three quotient terms).
    pub(super) fn div(self, other: Self) -> Self {
        let q1 = self.hi / other.hi;
        let r = self.add(other.mul(Self::from(q1)).neg());
        let q2 = r.hi / other.hi;
        let r = r.add(other.mul(Self::from(q2)).neg());
        let q3 = r.hi / other.hi;
        quick_two_sum(q1, q2).add(Self::from(q3))
    }

    /// √self for self > 0 (one Newton step from the double square root).
    pub(super) fn sqrt(self) -> Self {
        let s = self.hi.sqrt();
        let residual = self.add(two_prod(s, s).neg());
        quick_two_sum(s, residual.hi / (2.0 * s))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_third_and_square_roots() {
        let third = DoubleDouble::from(1.0).div(DoubleDouble::from(3.0));
        // 1/3 to ~106 bits: 3·third − 1 vanishes to far below an ulp of 1.
        let back = third
            .mul(DoubleDouble::from(3.0))
            .add(DoubleDouble::from(-1.0));
        assert!(back.value().abs() < 1e-30);
        let root = DoubleDouble::from(2.0).sqrt();
        let square = root.mul(root).add(DoubleDouble::from(-2.0));
        assert!(square.value().abs() < 1e-30);
        assert_eq!(root.value(), std::f64::consts::SQRT_2);
        assert_eq!(DoubleDouble::ZERO.add(third.neg()).abs(), third);
    }
}
