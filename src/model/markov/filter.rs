//! [`EdgeFilter`]: which transitions a drawing of the chain keeps.

use crate::error::ModelError;

/// Which transitions [`MarkovChain::to_dot_filtered`] and
/// [`MarkovChain::transitions_filtered`] keep, so that a chain of a dozen
/// channels or more stays readable.
///
/// Two rules, applied to the outgoing edges of every node (`(start)` and
/// each state) separately:
///
/// 1. `min_probability`: keep the edges whose transition probability is at
///    least `P` (in `[0, 1]`; 0, the default, keeps everything);
/// 2. `top`: of those, keep the `N` most probable (`N ≥ 1`; ties keep the
///    canonical order: states first, in state order, then `(conversion)`,
///    then `(null)`). `None`, the default, keeps them all.
///
/// Filtering only hides edges: the probabilities and counts of the kept
/// edges are those of the full chain (the kept probabilities of a node no
/// longer sum to 1).
///
/// [`MarkovChain::to_dot_filtered`]: super::MarkovChain::to_dot_filtered
/// [`MarkovChain::transitions_filtered`]: super::MarkovChain::transitions_filtered
///
/// # Example
///
/// ```
/// use attribution::model::markov::EdgeFilter;
///
/// let filter = EdgeFilter::new(0.05, Some(3))?;
/// assert_eq!((filter.min_probability(), filter.top()), (0.05, Some(3)));
/// assert!(EdgeFilter::default().is_empty());
/// assert!(EdgeFilter::new(1.5, None).is_err());
/// assert!(EdgeFilter::new(f64::NAN, None).is_err());
/// assert!(EdgeFilter::new(0.0, Some(0)).is_err());
/// # Ok::<(), attribution::ModelError>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct EdgeFilter {
    min_probability: f64,
    top: Option<usize>,
}

impl EdgeFilter {
    /// A filter keeping, per node, the outgoing edges of probability at
    /// least `min_probability`, at most `top` of them (the most probable).
    ///
    /// # Errors
    ///
    /// [`ModelError::InvalidParameter`] when `min_probability` is not in
    /// `[0, 1]` (NaN included) or `top` is `Some(0)`.
    pub fn new(min_probability: f64, top: Option<usize>) -> Result<Self, ModelError> {
        if !(0.0..=1.0).contains(&min_probability) {
            return Err(ModelError::InvalidParameter {
                name: "min_probability",
                value: min_probability.to_string(),
                reason: "must be between 0 and 1",
            });
        }
        if top == Some(0) {
            return Err(ModelError::InvalidParameter {
                name: "top",
                value: "0".to_owned(),
                reason: "must be at least 1",
            });
        }
        Ok(Self {
            min_probability,
            top,
        })
    }

    /// The smallest probability kept.
    #[must_use]
    pub fn min_probability(&self) -> f64 {
        self.min_probability
    }

    /// The most edges kept per node, if limited.
    #[must_use]
    pub fn top(&self) -> Option<usize> {
        self.top
    }

    /// Whether the filter keeps every edge.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.min_probability <= 0.0 && self.top.is_none()
    }

    /// Which of `rows` to keep: `rows` are `(node, probability)` with the
    /// edges of one node contiguous, in canonical order.
    pub(crate) fn keep<K: PartialEq>(&self, rows: &[(K, f64)]) -> Vec<bool> {
        let mut keep: Vec<bool> = rows
            .iter()
            .map(|(_, p)| *p >= self.min_probability)
            .collect();
        let Some(top) = self.top else {
            return keep;
        };
        let mut start = 0;
        while start < rows.len() {
            let node = rows.get(start).map(|(k, _)| k);
            let len = rows
                .get(start..)
                .unwrap_or_default()
                .iter()
                .take_while(|(k, _)| Some(k) == node)
                .count()
                .max(1);
            let mut kept: Vec<usize> = (start..start + len)
                .filter(|&i| keep.get(i).copied().unwrap_or(false))
                .collect();
            // Stable: equal probabilities keep their canonical order.
            kept.sort_by(|&a, &b| {
                let p = |i: usize| rows.get(i).map_or(0.0, |r| r.1);
                p(b).total_cmp(&p(a))
            });
            for &i in kept.iter().skip(top) {
                if let Some(k) = keep.get_mut(i) {
                    *k = false;
                }
            }
            start += len;
        }
        keep
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_the_most_probable_per_node() {
        let rows = [(0, 0.5), (0, 0.2), (0, 0.3), (1, 0.1), (1, 0.9), (2, 1.0)];
        let f = EdgeFilter::new(0.0, Some(2)).unwrap();
        assert_eq!(f.keep(&rows), [true, false, true, true, true, true]);
        let f = EdgeFilter::new(0.25, Some(1)).unwrap();
        assert_eq!(f.keep(&rows), [true, false, false, false, true, true]);
        let f = EdgeFilter::new(0.3, None).unwrap();
        assert_eq!(f.keep(&rows), [true, false, true, false, true, true]);
        assert_eq!(EdgeFilter::default().keep(&rows), [true; 6]);
    }

    #[test]
    fn ties_keep_canonical_order() {
        let rows = [("a", 0.25), ("a", 0.25), ("a", 0.25), ("a", 0.25)];
        let f = EdgeFilter::new(0.0, Some(2)).unwrap();
        assert_eq!(f.keep(&rows), [true, true, false, false]);
    }
}
