//! The Shapley weights w(s, n) and the Shapley value of a sum of point
//! masses, the arithmetic every set game shares.

use crate::channel::ChannelId;
use crate::numeric::{CompensatedSum, count_to_f64};

/// The Shapley weights of a game of `n` players: `w[s]` = w(s, n) =
/// s!·(n−s−1)!/n! for s = 0..n−1, and `w[n]` = 0 (a coalition of every
/// player has no one outside it to join).
///
/// Computed without factorials, so any `n` works: w(0, n) = 1/n and
/// w(s, n) = w(s−1, n)·s/(n−s), each step one multiplication and one
/// division (relative error at most about 2s units in the last place); the
/// recurrence runs only up to the middle and the rest mirrors it
/// (w(s, n) = w(n−1−s, n)), so the values near the ends, which carry the
/// weight, never go through the tiny middle ones (w(n/2, n) underflows to 0
/// beyond n ≈ 1030, where it is below 1e−308 and contributes nothing).
pub(crate) fn weights(n: usize) -> Vec<f64> {
    let mut w = vec![0.0; n + 1];
    if n == 0 {
        return w;
    }
    let nf = count_to_f64(u64::try_from(n).unwrap_or(u64::MAX));
    let half = (n - 1) / 2;
    let mut x = 1.0 / nf;
    for s in 0..=half {
        if s > 0 {
            let sf = count_to_f64(u64::try_from(s).unwrap_or(u64::MAX));
            x = x * sf / (nf - sf);
        }
        if let Some(slot) = w.get_mut(s) {
            *slot = x;
        }
        if let Some(slot) = w.get_mut(n - 1 - s) {
            *slot = x;
        }
    }
    w
}

/// Accumulates the Shapley value of a game that is a sum of point masses:
/// v(T) = Σ_S m(S)·[T = S] over some coalitions S of `n` players.
///
/// The point mass at S gives a player i ∈ S the weight w(|S|−1, n) and a
/// player outside S −w(|S|, n). Summed over S, with
/// `inside[i]` = Σ_{S∋i} m(S)·(w(|S|−1, n) + w(|S|, n)) and
/// `outside` = Σ_S m(S)·w(|S|, n):
///
/// φ_i = inside[i] − outside,
///
/// so the cost is O(Σ|S|), never O(n·#sets) nor O(2^n).
pub(crate) struct PointMasses<'w> {
    w: &'w [f64],
    outside: CompensatedSum,
}

impl<'w> PointMasses<'w> {
    /// A sum of point masses over the players of `w` ([`weights`] of n).
    pub(crate) fn new(w: &'w [f64]) -> Self {
        Self {
            w,
            outside: CompensatedSum::default(),
        }
    }

    /// Adds the point mass `mass` at the coalition `set`, adding its
    /// `inside` term to `inside[channel.index()]` of each member.
    pub(crate) fn add(&mut self, set: &[ChannelId], mass: f64, inside: &mut [CompensatedSum]) {
        let s = set.len();
        let below = s.checked_sub(1).and_then(|k| self.w.get(k)).copied();
        let at = self.w.get(s).copied().unwrap_or(0.0);
        let Some(below) = below else {
            return;
        };
        let member = mass * (below + at);
        for channel in set {
            if let Some(slot) = inside.get_mut(channel.index()) {
                slot.add(member);
            }
        }
        self.outside.add(mass * at);
    }

    /// Σ_S m(S)·w(|S|, n): subtract from every player's `inside`.
    pub(crate) fn outside(&self) -> f64 {
        self.outside.value()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn factorial(n: u32) -> f64 {
        (1..=n).map(f64::from).product()
    }

    #[test]
    fn weights_match_factorials_for_small_n() {
        for n in 1..=20u32 {
            let w = weights(n as usize);
            for s in 0..n {
                let exact = factorial(s) * factorial(n - s - 1) / factorial(n);
                let got = w[s as usize];
                assert!((got - exact).abs() <= 1e-15 * exact, "n {n} s {s}");
            }
            assert_eq!(w[n as usize], 0.0);
            // The weights of one player's marginal contributions: Σ_s C(n−1, s)·w(s, n) = 1.
            let total: f64 = (0..n)
                .map(|s| factorial(n - 1) / (factorial(s) * factorial(n - 1 - s)) * w[s as usize])
                .sum();
            assert!((total - 1.0).abs() < 1e-13, "n {n}");
        }
        assert_eq!(weights(0), [0.0]);
        assert_eq!(weights(1), [1.0, 0.0]);
    }

    #[test]
    fn weights_for_a_thousand_players_agree_with_sums_of_logarithms() {
        // ln k! as a compensated sum of logarithms.
        let ln_factorial = |k: usize| -> f64 {
            (1..=k)
                .map(|i| (i as f64).ln())
                .sum::<CompensatedSum>()
                .value()
        };
        let n = 1000usize;
        let w = weights(n);
        for s in [0usize, 1, 2, 10, 100, 300, 500, 700, 990, 998, 999] {
            let ln = ln_factorial(s) + ln_factorial(n - s - 1) - ln_factorial(n);
            let reference = ln.exp();
            // exp of a logarithm near −690 loses about 690·ε relatively.
            assert!(
                (w[s] - reference).abs() <= 1e-10 * reference,
                "s {s}: {} vs {reference}",
                w[s]
            );
        }
        assert_eq!(w[0], 1e-3);
        assert_eq!(w[999], 1e-3);
        assert!((w[1] - 1.0 / (1000.0 * 999.0)).abs() <= 1e-18);
        // Far beyond: the ends stay exact, the middle underflows harmlessly.
        let big = weights(5000);
        assert_eq!(big[0], 1.0 / 5000.0);
        assert_eq!(big[4999], 1.0 / 5000.0);
        assert_eq!(big[2500], 0.0);
    }

    #[test]
    fn point_masses_give_the_textbook_value() {
        let id = |i| ChannelId::from_index(i).unwrap();
        // n = 3, v = 1 at {0}, 2 at {0, 1}, 4 at {0, 1, 2}.
        let w = weights(3);
        let mut inside = vec![CompensatedSum::default(); 3];
        let mut masses = PointMasses::new(&w);
        masses.add(&[id(0)], 1.0, &mut inside);
        masses.add(&[id(0), id(1)], 2.0, &mut inside);
        masses.add(&[id(0), id(1), id(2)], 4.0, &mut inside);
        let phi: Vec<f64> = inside
            .iter()
            .map(|s| s.value() - masses.outside())
            .collect();
        // By enumeration of the 6 orders: φ = (1/3 + ... ) computed by hand:
        // point mass at {0}: (2/6, -1/6, -1/6); at {0,1}: 2·(1/6, 1/6, -2/6);
        // at {0,1,2}: 4·(1/3, 1/3, 1/3).
        let want = [
            2.0 / 6.0 + 2.0 / 6.0 + 4.0 / 3.0,
            -1.0 / 6.0 + 2.0 / 6.0 + 4.0 / 3.0,
            -1.0 / 6.0 - 4.0 / 6.0 + 4.0 / 3.0,
        ];
        for (g, w) in phi.iter().zip(want) {
            assert!((g - w).abs() < 1e-15, "{phi:?}");
        }
        assert!((phi.iter().sum::<f64>() - 4.0).abs() < 1e-15);
    }
}
