//! Finding every observed set that is a subset of a given set, without
//! enumerating the 2^k subsets.

use crate::channel::ChannelId;

/// Sets (each sorted ascending) in lexicographic order: an implicit prefix
/// tree, since the sets sharing a prefix are contiguous.
///
/// [`SortedSets::for_each_subset`] walks that tree depth first, entering
/// only the branches whose channel belongs to the query set C. It visits
/// each observed prefix that is a subset of C once, so its cost is bounded
/// both by 2^|C| (the subsets of C) and by Σ|S| over the observed sets (the
/// nodes of the tree), times a binary search per step: a 25-channel set
/// among a few observed sets costs a few steps, not 2^25, and a small set
/// among a million costs at most its 2^|C| prefixes. It never scans the
/// sets that share no prefix with C.
pub(crate) struct SortedSets<'a> {
    sets: Vec<&'a [ChannelId]>,
}

impl<'a> SortedSets<'a> {
    /// The sets, sorted (each set must be sorted ascending and distinct).
    pub(crate) fn new(mut sets: Vec<&'a [ChannelId]>) -> Self {
        sets.sort_unstable();
        Self { sets }
    }

    /// The sets in their sorted order.
    pub(crate) fn sets(&self) -> &[&'a [ChannelId]] {
        &self.sets
    }

    /// Calls `found(i)` for every set `self.sets()[i]` that is a subset of
    /// `query` (sorted ascending), in sorted order.
    pub(crate) fn for_each_subset(&self, query: &[ChannelId], mut found: impl FnMut(usize)) {
        self.search(0, self.sets.len(), 0, query, 0, &mut found);
    }

    /// The sets of `lo..hi` share a prefix of length `depth` made of
    /// channels of `query` before `query[next]`; reports those that are
    /// subsets of `query`.
    fn search(
        &self,
        mut lo: usize,
        hi: usize,
        depth: usize,
        query: &[ChannelId],
        next: usize,
        found: &mut dyn FnMut(usize),
    ) {
        let at = |i: usize| self.sets.get(i).and_then(|s| s.get(depth)).copied();
        // The prefix itself, if observed, sorts first.
        if lo < hi && self.sets.get(lo).is_some_and(|s| s.len() == depth) {
            found(lo);
            lo += 1;
        }
        let Some(rest) = query.get(next..) else {
            return;
        };
        // The sets of lo..hi are sorted by their channel at `depth`.
        let end_of = |lo: usize, x: ChannelId| {
            lo + self.sets.get(lo..hi).map_or(0, |r| {
                r.partition_point(|s| s.get(depth).is_some_and(|&c| c <= x))
            })
        };
        if hi.saturating_sub(lo) <= rest.len() {
            // Few sets: walk their groups.
            while lo < hi {
                let Some(x) = at(lo) else { return };
                let end = end_of(lo, x);
                if let Ok(j) = rest.binary_search(&x) {
                    self.search(lo, end, depth + 1, query, next + j + 1, found);
                }
                lo = end.max(lo + 1);
            }
        } else {
            // Many sets: look up each remaining channel of the query.
            for (j, &x) in rest.iter().enumerate() {
                if lo >= hi {
                    return;
                }
                let start = lo
                    + self.sets.get(lo..hi).map_or(0, |r| {
                        r.partition_point(|s| s.get(depth).is_some_and(|&c| c < x))
                    });
                let end = end_of(start, x);
                if start < end {
                    self.search(start, end, depth + 1, query, next + j + 1, found);
                }
                lo = end;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ids(v: &[usize]) -> Vec<ChannelId> {
        v.iter()
            .map(|&i| ChannelId::from_index(i).unwrap())
            .collect()
    }

    fn brute(sets: &[Vec<ChannelId>], query: &[ChannelId]) -> Vec<Vec<ChannelId>> {
        let mut out: Vec<Vec<ChannelId>> = sets
            .iter()
            .filter(|s| s.iter().all(|c| query.contains(c)))
            .cloned()
            .collect();
        out.sort();
        out
    }

    #[test]
    fn finds_exactly_the_subsets() {
        // Every non-empty subset of 0..6 with an odd bit pattern, plus a few more.
        let mut all: Vec<Vec<ChannelId>> = (1u32..64)
            .filter(|m| m % 3 != 0)
            .map(|m| ids(&(0..6).filter(|b| m >> b & 1 == 1).collect::<Vec<_>>()))
            .collect();
        all.push(ids(&[7]));
        all.push(ids(&[2, 9]));
        let sorted = SortedSets::new(all.iter().map(Vec::as_slice).collect());
        for query in [
            ids(&[0]),
            ids(&[1, 3]),
            ids(&[0, 1, 2, 3, 4, 5]),
            ids(&[2, 7, 9]),
            ids(&[0, 2, 4, 5, 9]),
            ids(&[8]),
        ] {
            let mut got: Vec<Vec<ChannelId>> = Vec::new();
            sorted.for_each_subset(&query, |i| got.push(sorted.sets()[i].to_vec()));
            let mut check = got.clone();
            check.sort();
            assert_eq!(got, check, "found in sorted order");
            assert_eq!(got, brute(&all, &query), "{query:?}");
        }
    }

    #[test]
    fn a_long_query_among_few_sets_is_cheap() {
        let query = ids(&(0..25).collect::<Vec<_>>());
        let sets = [ids(&[3]), ids(&[1, 24]), query.clone(), ids(&[25])];
        let sorted = SortedSets::new(sets.iter().map(Vec::as_slice).collect());
        let mut found = 0;
        sorted.for_each_subset(&query, |_| found += 1);
        assert_eq!(found, 3);
    }
}
