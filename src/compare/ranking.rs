//! Shares of a model's credit and ranks of its channels.

use serde::{Deserialize, Serialize};

use crate::numeric::CompensatedSum;

/// Credits closer than this, relative to the model's largest absolute
/// credit, are tied: sums of the same shares taken in another order differ
/// in the last bits, and such noise must not order channels.
pub const TIE_TOLERANCE: f64 = 1e-9;

/// Credit totals closer than this, relative, are equal (the totals rule of
/// every model: credits sum to the total to 1e-9 relative).
const TOTAL_TOLERANCE: f64 = 1e-9;

/// What a model's shares are fractions of.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum ShareBasis {
    /// The model's credits sum to its total (to 1e-9 relative), as for
    /// every model that shares out each conversion: a share is the credit
    /// divided by the sum of the model's credits, and the shares sum to 1.
    /// Negative credits (a Shapley game with a channel that lowers the
    /// conversion rate) give negative shares, and others above 1.
    CreditSum,
    /// The credits do not sum to the model's total: the model says so by
    /// reporting a total other than its credits' sum (e.g. participation,
    /// which gives every channel of a converting journey the whole
    /// conversion). A share is the credit divided by the model's total (for
    /// participation: the fraction of conversions whose journeys the
    /// channel touched); shares need not sum to 1.
    Total,
}

/// The shares of `credits` and their basis, given the model's `total`:
/// `None` shares when the basis is zero.
pub(crate) fn shares(credits: &[f64], total: f64) -> (ShareBasis, f64, Vec<Option<f64>>) {
    let sum = credits.iter().copied().sum::<CompensatedSum>().value();
    let scale = sum.abs().max(total.abs());
    let (basis, denominator) = if (sum - total).abs() <= TOTAL_TOLERANCE * scale {
        (ShareBasis::CreditSum, sum)
    } else {
        (ShareBasis::Total, total)
    };
    let shares = credits
        .iter()
        .map(|&c| (denominator != 0.0).then(|| c / denominator))
        .collect();
    (basis, sum, shares)
}

/// Competition ranks ("1224") of `credits`, highest credit first: tied
/// credits (within [`TIE_TOLERANCE`] of the largest absolute credit, each
/// compared with the highest credit of its tie group) share the best rank
/// of the group, and the next group's rank counts every channel before it.
pub(crate) fn competition_ranks(credits: &[f64]) -> Vec<usize> {
    let largest = credits.iter().fold(0.0_f64, |m, c| m.max(c.abs()));
    let tolerance = TIE_TOLERANCE * largest;
    let mut order: Vec<usize> = (0..credits.len()).collect();
    let credit = |i: usize| credits.get(i).copied().unwrap_or(0.0);
    order.sort_by(|&a, &b| credit(b).total_cmp(&credit(a)));
    let mut ranks = vec![0; credits.len()];
    let mut group: Option<(f64, usize)> = None;
    for (position, &i) in order.iter().enumerate() {
        let c = credit(i);
        let rank = match group {
            Some((anchor, rank)) if anchor - c <= tolerance => rank,
            _ => {
                group = Some((c, position + 1));
                position + 1
            }
        };
        if let Some(slot) = ranks.get_mut(i) {
            *slot = rank;
        }
    }
    ranks
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranks_share_the_best_rank_of_a_tie() {
        assert_eq!(competition_ranks(&[1.0, 0.0, 1.0, 2.0]), [2, 4, 2, 1]);
        assert_eq!(competition_ranks(&[0.0, 0.0]), [1, 1]);
        assert_eq!(competition_ranks(&[]), Vec::<usize>::new());
        // Rounding noise ties; a real difference does not.
        assert_eq!(competition_ranks(&[0.1 + 0.2, 0.3, 0.3 - 1e-6]), [1, 1, 3]);
        // Negative credit ranks last.
        assert_eq!(competition_ranks(&[-0.375, 1.0, 0.5]), [3, 1, 2]);
    }

    #[test]
    fn shares_of_the_credit_sum_or_of_the_total() {
        let (basis, sum, s) = shares(&[3.0, -1.0], 2.0);
        assert_eq!((basis, sum), (ShareBasis::CreditSum, 2.0));
        assert_eq!(s, [Some(1.5), Some(-0.5)]);
        // Credits summing to more than the total: shares of the total.
        let (basis, sum, s) = shares(&[2.0, 1.0], 2.0);
        assert_eq!((basis, sum), (ShareBasis::Total, 3.0));
        assert_eq!(s, [Some(1.0), Some(0.5)]);
        // Nothing to share.
        let (basis, _, s) = shares(&[0.0, 0.0], 0.0);
        assert_eq!((basis, s), (ShareBasis::CreditSum, vec![None, None]));
    }
}
