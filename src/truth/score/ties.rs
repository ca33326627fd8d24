//! Zeros, tie groups and mean ranks under a vector's own tolerance.

use crate::numeric::count_to_f64;

/// The relative tolerance of §4: a vector's tolerance is this times its
/// largest magnitude.
const RELATIVE_TOLERANCE: f64 = 1e-12;

/// A count or index as `f64` (exact below 2^53, far above any slice here).
pub(super) fn index_to_f64(i: usize) -> f64 {
    count_to_f64(u64::try_from(i).unwrap_or(u64::MAX))
}

/// The tie groups of one finite vector.
///
/// τ = 10^−12·max|v|; a value with |v| ≤ τ is zero. Sorted ascending,
/// neighbours that differ by ≤ τ share a group, and chains join. Groups are
/// numbered from 0 in ascending order; each item's rank is the mean of the
/// 1-based sorted positions its group fills.
#[derive(Debug, Clone)]
pub(super) struct TieGroups {
    /// The values with every |v| ≤ τ replaced by 0 (so −0.0 is 0.0).
    snapped: Vec<f64>,
    /// The group of each item (0 = smallest).
    group: Vec<usize>,
    /// The mean rank of each item.
    rank: Vec<f64>,
    /// The number of groups.
    count: usize,
}

impl TieGroups {
    /// The groups of `values`, which the caller has checked are finite.
    ///
    /// O(n log n) time (one sort), O(n) memory.
    pub(super) fn new(values: &[f64]) -> Self {
        let tolerance = values.iter().fold(0.0_f64, |m, v| m.max(v.abs())) * RELATIVE_TOLERANCE;
        let snapped: Vec<f64> = values
            .iter()
            .map(|&v| if v.abs() <= tolerance { 0.0 } else { v })
            .collect();
        let mut order: Vec<usize> = (0..snapped.len()).collect();
        order.sort_by(|&a, &b| {
            let (va, vb) = (snapped.get(a), snapped.get(b));
            va.zip(vb)
                .map_or(std::cmp::Ordering::Equal, |(x, y)| x.total_cmp(y))
        });
        let mut group = vec![0; snapped.len()];
        let mut rank = vec![0.0; snapped.len()];
        let mut count = 0;
        // Walk the sorted values run by run: a run ends where the next
        // value lies more than τ above the current one.
        let sorted: Vec<f64> = order
            .iter()
            .filter_map(|&i| snapped.get(i).copied())
            .collect();
        let mut start = 0;
        while start < sorted.len() {
            let mut end = start + 1;
            while let (Some(&prev), Some(&next)) = (sorted.get(end - 1), sorted.get(end)) {
                if next - prev > tolerance {
                    break;
                }
                end += 1;
            }
            // Positions start+1 ..= end (1-based): their mean.
            let mean_rank = (index_to_f64(start) + index_to_f64(end) + 1.0) / 2.0;
            for &item in order.get(start..end).unwrap_or_default() {
                if let (Some(g), Some(r)) = (group.get_mut(item), rank.get_mut(item)) {
                    *g = count;
                    *r = mean_rank;
                }
            }
            count += 1;
            start = end;
        }
        Self {
            snapped,
            group,
            rank,
            count,
        }
    }

    /// The number of items.
    pub(super) fn len(&self) -> usize {
        self.group.len()
    }

    /// The values with the zeros snapped to 0.
    pub(super) fn snapped(&self) -> &[f64] {
        &self.snapped
    }

    /// The group index of each item (0 = the smallest values).
    pub(super) fn groups(&self) -> &[usize] {
        &self.group
    }

    /// The mean rank of each item.
    pub(super) fn ranks(&self) -> &[f64] {
        &self.rank
    }

    /// The number of groups.
    pub(super) fn count(&self) -> usize {
        self.count
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ties_chain_and_zeros_snap() {
        // 1, 1 + 0.6e-12, 1 + 1.2e-12 chain into one group (each step ≤ τ
        // = 1e-12·1.0000000000012) although the ends differ by more than τ.
        let v = [1.0, 1.0 + 0.6e-12, 1.0 + 1.2e-12, -0.0, 0.5e-12, 0.3];
        let g = TieGroups::new(&v);
        assert_eq!(g.count(), 3);
        assert_eq!(g.groups(), &[2, 2, 2, 0, 0, 1]);
        assert_eq!(g.ranks(), &[5.0, 5.0, 5.0, 1.5, 1.5, 3.0]);
        assert_eq!(g.snapped()[4], 0.0);
    }

    #[test]
    fn empty_and_single() {
        assert_eq!(TieGroups::new(&[]).count(), 0);
        let one = TieGroups::new(&[7.0]);
        assert_eq!((one.count(), one.ranks()), (1, &[1.0][..]));
        // All zero: τ = 0, one group.
        assert_eq!(TieGroups::new(&[0.0, -0.0, 0.0]).count(), 1);
    }
}
