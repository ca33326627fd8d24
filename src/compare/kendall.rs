//! Kendall's τ-b rank correlation, with ties, in O(n log n).

use crate::numeric::count_to_f64;

/// Kendall's τ-b of the pairs `(x_i, y_i)` (Kendall 1945; the variant that
/// corrects for ties, as R's `cor(method = "kendall")` and SciPy's
/// `kendalltau` compute it):
///
/// τ_b = (n_c − n_d) / √((n_0 − n_1)(n_0 − n_2))
///
/// where, over the n_0 = n(n−1)/2 pairs of items, n_c pairs are concordant
/// (ordered the same way by x and by y), n_d discordant, n_1 tied in x
/// and n_2 tied in y (a pair tied in both counts in n_1 and in n_2, and in
/// neither n_c nor n_d).
///
/// # Arguments
///
/// `pairs`: one `(x, y)` per item (for the comparison, a channel's ranks
/// under two models). Ties are exact equality of `T`.
///
/// # Returns
///
/// τ_b in [−1, 1] (clamped: the square root may round the last bit), or
/// `None` when it is undefined: fewer than two items, or every item tied in
/// x or every item tied in y (a zero denominator).
///
/// # Complexity
///
/// O(n log n) time (Knight 1966: sort by (x, y), then count the
/// discordant pairs as the inversions of a merge sort by y), O(n) memory.
/// Pair counts are `u64`: exact for any slice that fits in memory.
///
/// Why not the `kendalls` crate: it also computes a significance whose
/// integer products overflow (a panic in debug builds) for a few thousand
/// tied items, e.g. channels that a model credits with nothing.
///
/// # Example
///
/// ```
/// use attribution::compare::kendall_tau_b;
///
/// // Two rankings of four channels that swap the middle two: 5 concordant
/// // pairs, 1 discordant, no ties.
/// assert_eq!(kendall_tau_b(&[(1, 1), (2, 3), (3, 2), (4, 4)]), Some(4.0 / 6.0));
/// // Ties: x = (1, 1, 3), y = (1, 2, 3): n_c = 2, n_d = 0, n_1 = 1, n_2 = 0.
/// assert_eq!(kendall_tau_b(&[(1, 1), (1, 2), (3, 3)]), Some(2.0 / 6.0_f64.sqrt()));
/// // Undefined: everything tied in x, or fewer than two items.
/// assert_eq!(kendall_tau_b(&[(1, 1), (1, 2)]), None);
/// assert_eq!(kendall_tau_b::<u32>(&[]), None);
/// ```
#[must_use]
pub fn kendall_tau_b<T: Ord + Copy>(pairs: &[(T, T)]) -> Option<f64> {
    let n = u64::try_from(pairs.len()).ok()?;
    if n < 2 {
        return None;
    }
    let all = n * (n - 1) / 2;
    let mut sorted = pairs.to_vec();
    sorted.sort_unstable();
    let tied_x = tied_pairs(&sorted, |a, b| a.0 == b.0);
    let tied_xy = tied_pairs(&sorted, |a, b| a == b);
    let mut ys: Vec<T> = sorted.iter().map(|p| p.1).collect();
    let discordant = sort_counting_inversions(&mut ys);
    let tied_y = tied_pairs(&ys, |a, b| a == b);
    let (dx, dy) = (all - tied_x, all - tied_y);
    if dx == 0 || dy == 0 {
        return None;
    }
    // n_c − n_d = n_0 − n_1 − n_2 + n_3 − 2 n_d (n_3: tied in both).
    let plus = count_to_f64(all + tied_xy);
    let minus = count_to_f64(tied_x + tied_y + 2 * discordant);
    let tau = (plus - minus) / (count_to_f64(dx) * count_to_f64(dy)).sqrt();
    Some(tau.clamp(-1.0, 1.0))
}

/// Pairs within runs of consecutive equal items (`same`) of a sorted slice:
/// Σ t(t−1)/2 over the runs.
fn tied_pairs<T>(sorted: &[T], same: impl Fn(&T, &T) -> bool) -> u64 {
    let mut total = 0_u64;
    let mut run = 1_u64;
    for w in sorted.windows(2) {
        match w {
            [a, b] if same(a, b) => run += 1,
            _ => {
                total += run * (run - 1) / 2;
                run = 1;
            }
        }
    }
    total + run * (run - 1) / 2
}

/// Sorts `items` (a stable, bottom-up merge sort) and returns the number
/// of strict inversions (pairs i < j with items[i] > items[j]).
fn sort_counting_inversions<T: Ord + Copy>(items: &mut Vec<T>) -> u64 {
    let n = items.len();
    let mut buffer = items.clone();
    let mut inversions = 0_u64;
    let mut width = 1;
    while width < n {
        let mut start = 0;
        while start < n {
            let mid = (start + width).min(n);
            let end = (start + 2 * width).min(n);
            inversions += merge(
                &items[start..mid],
                &items[mid..end],
                &mut buffer[start..end],
            );
            start = end;
        }
        std::mem::swap(items, &mut buffer);
        width *= 2;
    }
    inversions
}

/// Merges the sorted `left` and `right` into `out` (left first on equal
/// items) and returns how many (left, right) pairs were inverted.
fn merge<T: Ord + Copy>(left: &[T], right: &[T], out: &mut [T]) -> u64 {
    let (mut i, mut j) = (0, 0);
    let mut inversions = 0_u64;
    for slot in out.iter_mut() {
        match (left.get(i), right.get(j)) {
            (Some(&l), Some(&r)) if r < l => {
                *slot = r;
                j += 1;
                // `r` comes before every remaining item of `left`.
                inversions += u64::try_from(left.len() - i).unwrap_or(u64::MAX);
            }
            (Some(&l), _) => {
                *slot = l;
                i += 1;
            }
            (None, Some(&r)) => {
                *slot = r;
                j += 1;
            }
            (None, None) => break,
        }
    }
    inversions
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// The textbook definition, pair by pair.
    fn brute_force(pairs: &[(u8, u8)]) -> Option<f64> {
        let (mut concordant, mut discordant, mut tied_x, mut tied_y) = (0, 0, 0, 0);
        let n = pairs.len();
        for i in 0..n {
            for j in i + 1..n {
                let (a, b) = (pairs[i], pairs[j]);
                let dx = a.0.cmp(&b.0);
                let dy = a.1.cmp(&b.1);
                if dx.is_eq() {
                    tied_x += 1;
                }
                if dy.is_eq() {
                    tied_y += 1;
                }
                if dx.is_ne() && dy.is_ne() {
                    if dx == dy {
                        concordant += 1;
                    } else {
                        discordant += 1;
                    }
                }
            }
        }
        let all = n * n.saturating_sub(1) / 2;
        let denominator = ((all - tied_x) as f64 * (all - tied_y) as f64).sqrt();
        (denominator > 0.0).then(|| f64::from(concordant - discordant) / denominator)
    }

    #[test]
    fn hand_values() {
        // Identical and reversed rankings.
        assert_eq!(kendall_tau_b(&[(1, 1), (2, 2), (3, 3)]), Some(1.0));
        assert_eq!(kendall_tau_b(&[(1, 3), (2, 2), (3, 1)]), Some(-1.0));
        // x = (1, 2, 2, 4), y = (1, 2, 3, 3), items a b c d: concordant
        // ab ac ad bd, tied in x bc, tied in y cd, no discordant pair:
        // τ_b = 4 / √(5·5) = 0.8.
        assert_eq!(
            kendall_tau_b(&[(1, 1), (2, 2), (2, 3), (4, 3)]),
            Some(4.0 / 5.0)
        );
        // Tied in both for one pair: (1,1), (1,1), (2,2): n_c = 2, n_1 = n_2 = 1.
        assert_eq!(kendall_tau_b(&[(1, 1), (1, 1), (2, 2)]), Some(1.0));
        // All tied in y.
        assert_eq!(kendall_tau_b(&[(1, 5), (2, 5), (3, 5)]), None);
        assert_eq!(kendall_tau_b(&[(7, 7)]), None);
    }

    #[test]
    fn inversions_of_a_reversed_slice() {
        let mut v: Vec<u32> = (0..37).rev().collect();
        assert_eq!(sort_counting_inversions(&mut v), 37 * 36 / 2);
        assert_eq!(v, (0..37).collect::<Vec<_>>());
    }

    proptest! {
        #[test]
        fn agrees_with_the_pair_count(
            pairs in prop::collection::vec((0_u8..6, 0_u8..6), 0..40)
        ) {
            let fast = kendall_tau_b(&pairs);
            let slow = brute_force(&pairs);
            match (fast, slow) {
                (Some(a), Some(b)) => prop_assert!((a - b).abs() <= 1e-12, "{a} vs {b}"),
                (a, b) => prop_assert_eq!(a, b),
            }
        }

        #[test]
        fn is_symmetric_in_x_and_y(pairs in prop::collection::vec((0_u8..5, 0_u8..5), 0..30)) {
            let swapped: Vec<(u8, u8)> = pairs.iter().map(|&(x, y)| (y, x)).collect();
            prop_assert_eq!(kendall_tau_b(&pairs), kendall_tau_b(&swapped));
        }
    }
}
