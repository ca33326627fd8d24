//! Accurate floating-point accumulation.

use serde::{Deserialize, Serialize};

/// A compensated (Neumaier) running sum.
///
/// Keeps the rounding error of each addition in a second term, so that sums
/// of millions of credits stay accurate to a few units in the last place
/// whatever the order of the terms. Merging two sums is addition; it is
/// commutative and associative up to that same rounding.
///
/// # Example
///
/// ```
/// use attribution::CompensatedSum;
///
/// let mut s = CompensatedSum::default();
/// for x in [1e16, 1.0, -1e16] {
///     s.add(x);
/// }
/// assert_eq!(s.value(), 1.0); // a naive sum gives 0.0
/// ```
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
pub struct CompensatedSum {
    sum: f64,
    compensation: f64,
}

impl CompensatedSum {
    /// Adds `x`.
    #[inline]
    pub fn add(&mut self, x: f64) {
        let t = self.sum + x;
        if self.sum.abs() >= x.abs() {
            self.compensation += (self.sum - t) + x;
        } else {
            self.compensation += (x - t) + self.sum;
        }
        self.sum = t;
    }

    /// Adds another sum.
    #[inline]
    pub fn merge(&mut self, other: &Self) {
        self.add(other.sum);
        self.add(other.compensation);
    }

    /// The current total.
    #[inline]
    #[must_use]
    pub fn value(&self) -> f64 {
        self.sum + self.compensation
    }
}

impl std::iter::Sum<f64> for CompensatedSum {
    fn sum<I: Iterator<Item = f64>>(iter: I) -> Self {
        let mut s = Self::default();
        for x in iter {
            s.add(x);
        }
        s
    }
}

/// The largest count every sum of which the models carry exactly in `f64`:
/// 2^53 = 9 007 199 254 740 992. Above it, not every integer is representable,
/// so readers reject larger counts and models reject larger totals with
/// [`ModelError::Overflow`](crate::ModelError::Overflow) instead of rounding.
pub const MAX_EXACT_COUNT: u64 = 1 << 53;

/// Converts a count to `f64`: exact up to [`MAX_EXACT_COUNT`], which the
/// readers and models enforce.
#[inline]
#[must_use]
#[allow(clippy::cast_precision_loss)]
pub fn count_to_f64(n: u64) -> f64 {
    n as f64
}
