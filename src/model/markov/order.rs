//! Order selection: fit, likelihood, cross-validated conversion prediction.

use rustc_hash::FxHashMap;
use serde::Serialize;

use crate::channel::ChannelId;
use crate::error::ModelError;
use crate::journey::{Journey, JourneySet};
use crate::numeric::{CompensatedSum, count_to_f64};

use super::chain::MarkovChain;
use super::config::check_order;
use super::counts::TransitionCounts;

/// Statistics of one order.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct OrderStats {
    /// The order `k`.
    pub order: usize,
    /// Number of transient states.
    pub states: usize,
    /// Number of distinct transitions with a positive count (including those
    /// from `(start)` and into `(conversion)`/`(null)`).
    pub transitions: usize,
    /// Free parameters: Σ over `(start)` and the states of (distinct
    /// targets − 1).
    pub parameters: usize,
    /// In-sample log-likelihood of all observed transitions,
    /// `Σ n_st ln(n_st / out_s)` (natural log).
    pub log_likelihood: f64,
    /// `−2 LL + parameters · ln(transitions observed)`.
    pub bic: f64,
    /// Cross-validated log-loss (mean negative log-likelihood per journey)
    /// of the predicted conversion probability.
    pub cv_log_loss: f64,
    /// Cross-validated ROC AUC of the predicted conversion probability
    /// (`None` without both conversions and non-conversions).
    pub cv_auc: Option<f64>,
}

/// The result of [`select_order`].
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct OrderReport {
    /// One entry per order, from 1 to the maximum (capped at the longest
    /// journey's touches).
    pub orders: Vec<OrderStats>,
    /// Folds of the cross-validation.
    pub folds: usize,
    /// The suggested order: the lowest cross-validated log-loss (the lower
    /// order on ties).
    pub suggested_order: usize,
    /// The rule that chose `suggested_order`, in words.
    pub rule: String,
}

/// Compares orders `1..=max_order` of the Markov model on `journeys`.
///
/// # Method
///
/// For each order: the number of states, the in-sample log-likelihood of the
/// transition counts and its BIC, and a deterministic `folds`-fold
/// cross-validation — journey `i` (in input order) is in fold `i mod folds`
/// — of the chain as a conversion classifier. A journey's predicted
/// conversion probability is the fitted chain's probability of ending in
/// `(conversion)` rather than `(null)` when it leaves its last state `s`:
/// `p = (conv_s + p₀) / (conv_s + null_s + 1)`, smoothed towards the
/// training conversion rate `p₀` with one pseudo-journey (so states unseen
/// in training predict `p₀`), clamped to `[1e-12, 1 − 1e-12]`. Journeys
/// count with their conversions (positives) and non-conversions
/// (negatives). The suggested order minimises the cross-validated log-loss,
/// which, unlike the in-sample likelihood, penalises the extra states of a
/// higher order by their worse out-of-sample predictions; BIC is reported
/// for reference (the likelihoods of different orders are of slightly
/// different sequences, because merged repeats differ by order).
///
/// Orders above the longest journey's number of touches are not computed:
/// every state of such an order is a whole path, as at the longest
/// journey's order, so they would repeat it. `orders` then ends there.
///
/// # Errors
///
/// [`ModelError::InvalidParameter`] when `max_order` is 0 or above the
/// maximum, or `folds < 2`; [`ModelError::TooManyFolds`] when `folds` is
/// above the number of journeys (entries of `journeys`);
/// [`ModelError::Overflow`] (naming the journey) when the transition counts
/// exceed 2^53.
///
/// # Complexity
///
/// `O(max_order · Σ L·k)` counting and `O(n)` memory for the folds, whatever
/// their number; no linear system is solved.
///
/// # Example
///
/// ```
/// use attribution::{Channels, Journey, JourneySet};
/// use attribution::model::markov::select_order;
///
/// let mut set = JourneySet::new(Channels::new());
/// let a = set.channels_mut().intern("a")?;
/// let b = set.channels_mut().intern("b")?;
/// for _ in 0..3 {
///     set.push(Journey::from_channels(&[a, b], 1, 0, 0.0)?)?;
///     set.push(Journey::from_channels(&[b, b], 0, 1, 0.0)?)?;
/// }
/// let report = select_order(&set, 2, 3)?;
/// assert_eq!(report.orders.len(), 2);
/// assert_eq!(report.orders[0].states, 2);
/// assert_eq!(report.orders[1].states, 2); // (a,b) and (b,b)
/// assert_eq!(report.orders[1].cv_auc, Some(1.0));
/// assert_eq!(report.suggested_order, 2);
/// // Journeys of 2 touches: order 3 would repeat order 2.
/// assert_eq!(select_order(&set, 5, 3)?.orders.len(), 2);
/// assert!(select_order(&set, 2, 7).is_err()); // 7 folds for 6 journeys
/// # Ok::<(), attribution::Error>(())
/// ```
pub fn select_order(
    journeys: &JourneySet,
    max_order: usize,
    folds: usize,
) -> Result<OrderReport, ModelError> {
    select_order_with_progress(journeys, max_order, folds, |_, _| {})
}

/// [`select_order`], calling `progress(k, last)` before computing order
/// `k` of `1..=last` (e.g. to show progress: a high order on a large input
/// takes minutes).
///
/// # Errors
///
/// As [`select_order`].
///
/// # Example
///
/// ```
/// use attribution::{Channels, Journey, JourneySet};
/// use attribution::model::markov::select_order_with_progress;
///
/// let mut set = JourneySet::new(Channels::new());
/// let a = set.channels_mut().intern("a")?;
/// for n in 1..=3 {
///     set.push(Journey::from_channels(&vec![a; n], 1, 1, 0.0)?)?;
/// }
/// let mut seen = Vec::new();
/// let report = select_order_with_progress(&set, 2, 3, |k, last| seen.push((k, last)))?;
/// assert_eq!(seen, [(1, 2), (2, 2)]);
/// assert_eq!(report.orders.len(), 2);
/// # Ok::<(), attribution::Error>(())
/// ```
pub fn select_order_with_progress(
    journeys: &JourneySet,
    max_order: usize,
    folds: usize,
    mut progress: impl FnMut(usize, usize),
) -> Result<OrderReport, ModelError> {
    check_order(max_order)?;
    if folds < 2 {
        return Err(ModelError::InvalidParameter {
            name: "folds",
            value: folds.to_string(),
            reason: "cross-validation needs at least 2 folds",
        });
    }
    if folds > journeys.len() {
        return Err(ModelError::TooManyFolds {
            folds,
            journeys: journeys.len(),
        });
    }
    let longest = journeys.iter().map(Journey::len).max().unwrap_or(1);
    let last_order = max_order.min(longest.max(1));
    let mut orders = Vec::with_capacity(last_order);
    let mut path: Vec<ChannelId> = Vec::new();
    for k in 1..=last_order {
        progress(k, last_order);
        let mut all = TransitionCounts::new(k)?;
        for (i, j) in journeys.iter().enumerate() {
            all.observe(j);
            all.check_exact().map_err(|e| e.at_journey(i))?;
        }
        // The training counts of fold f are all counts minus f's own: only
        // the outcomes by last state and the totals are needed.
        let mut held_out: FxHashMap<(usize, u32), (u64, u64)> = FxHashMap::default();
        let mut fold_totals = vec![(0u64, 0u64); folds];
        for (i, j) in journeys.iter().enumerate() {
            let (jc, jn) = (j.conversions(), j.non_conversions());
            let weight = jc.saturating_add(jn);
            if weight == 0 {
                continue; // observed by nobody
            }
            path.clear();
            path.extend(j.channels());
            let f = i % folds;
            if let Some(s) = all.state_index(last_state(&path, k)) {
                let slot = held_out.entry((f, s)).or_default();
                slot.0 = slot.0.saturating_add(jc);
                slot.1 = slot.1.saturating_add(jn);
            }
            if let Some(t) = fold_totals.get_mut(f) {
                t.0 = t.0.saturating_add(weight);
                t.1 = t.1.saturating_add(jc);
            }
        }
        let chain = MarkovChain::new(&all, journeys.channels())?;
        let (ll, transitions, parameters, observed) = likelihood(&chain);
        let (all_journeys, all_conversions) = (all.total_journeys(), all.total_conversions());
        let mut loss = CompensatedSum::default();
        let mut weight = 0u64;
        let mut scored: Vec<(f64, u64, u64)> = Vec::with_capacity(journeys.len());
        for (i, j) in journeys.iter().enumerate() {
            let f = i % folds;
            let Some(&(fold_journeys, fold_conversions)) = fold_totals.get(f) else {
                continue;
            };
            path.clear();
            path.extend(j.channels());
            let last = last_state(&path, k);
            let (own_c, own_n) = all
                .state_index(last)
                .and_then(|s| held_out.get(&(f, s)).copied())
                .unwrap_or((0, 0));
            let c = all.conversions(last).saturating_sub(own_c);
            let n = all.non_conversions(last).saturating_sub(own_n);
            let total = all_journeys.saturating_sub(fold_journeys);
            let p0 = if total == 0 {
                0.5
            } else {
                count_to_f64(all_conversions.saturating_sub(fold_conversions)) / count_to_f64(total)
            };
            let p = ((count_to_f64(c) + p0) / (count_to_f64(c) + count_to_f64(n) + 1.0))
                .clamp(1e-12, 1.0 - 1e-12);
            let (jc, jn) = (j.conversions(), j.non_conversions());
            loss.add(-(count_to_f64(jc) * p.ln() + count_to_f64(jn) * (1.0 - p).ln()));
            weight = weight.saturating_add(jc.saturating_add(jn));
            scored.push((p, jc, jn));
        }
        let cv_log_loss = if weight == 0 {
            0.0
        } else {
            loss.value() / count_to_f64(weight)
        };
        orders.push(OrderStats {
            order: k,
            states: chain.n_states(),
            transitions,
            parameters,
            log_likelihood: ll,
            bic: -2.0 * ll
                + count_to_f64(u64::try_from(parameters).unwrap_or(u64::MAX))
                    * count_to_f64(observed.max(1)).ln(),
            cv_log_loss,
            cv_auc: auc(&mut scored),
        });
    }
    let mut suggested = 1;
    let mut best = f64::INFINITY;
    for o in &orders {
        if o.cv_log_loss < best {
            best = o.cv_log_loss;
            suggested = o.order;
        }
    }
    Ok(OrderReport {
        orders,
        folds,
        suggested_order: suggested,
        rule: format!(
            "lowest {folds}-fold cross-validated log-loss of P(conversion | last state); lower order on ties"
        ),
    })
}

/// The last order-k state of a path (merging repeats never changes it).
fn last_state(path: &[ChannelId], k: usize) -> &[ChannelId] {
    path.get(path.len().saturating_sub(k)..).unwrap_or(path)
}

/// `(log-likelihood, distinct transitions, free parameters, transitions observed)`.
fn likelihood(chain: &MarkovChain) -> (f64, usize, usize, u64) {
    let mut ll = CompensatedSum::default();
    let mut distinct = 0usize;
    let mut params = 0usize;
    let mut observed = 0u64;
    let mut row = |counts: &mut dyn Iterator<Item = u64>, total: u64| {
        let mut targets = 0usize;
        for c in counts.filter(|&c| c > 0) {
            targets += 1;
            ll.add(count_to_f64(c) * (count_to_f64(c) / count_to_f64(total)).ln());
        }
        distinct += targets;
        params += targets.saturating_sub(1);
        observed = observed.saturating_add(total);
    };
    let n = chain.total_journeys();
    if n > 0 {
        row(&mut chain.start.iter().copied(), n);
    }
    for s in 0..chain.n_states() {
        let out = chain.out.get(s).copied().unwrap_or(0);
        if out == 0 {
            continue;
        }
        let conv = chain.conversions.get(s).copied().unwrap_or(0);
        let null = chain.nulls.get(s).copied().unwrap_or(0);
        row(&mut chain.row(s).map(|(_, c)| c).chain([conv, null]), out);
    }
    (ll.value(), distinct, params, observed)
}

/// Weighted ROC AUC of `(score, positives, negatives)`; ties count one half.
fn auc(scored: &mut [(f64, u64, u64)]) -> Option<f64> {
    scored.sort_by(|a, b| a.0.total_cmp(&b.0));
    let pos: f64 = scored.iter().map(|s| count_to_f64(s.1)).sum();
    let neg: f64 = scored.iter().map(|s| count_to_f64(s.2)).sum();
    if pos <= 0.0 || neg <= 0.0 {
        return None;
    }
    let mut area = 0.0;
    let mut neg_below = 0.0;
    let mut i = 0;
    while i < scored.len() {
        let score = scored.get(i).map_or(0.0, |s| s.0);
        let (mut gp, mut gn) = (0.0, 0.0);
        while let Some(s) = scored.get(i).filter(|s| s.0 == score) {
            gp += count_to_f64(s.1);
            gn += count_to_f64(s.2);
            i += 1;
        }
        area += gp * (neg_below + 0.5 * gn);
        neg_below += gn;
    }
    Some(area / (pos * neg))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn auc_counts_ties_as_half() {
        let mut s = vec![(0.2, 1, 1), (0.8, 2, 0), (0.1, 0, 3)];
        // pairs: pos@0.2 vs neg@0.2 tie (1·1·0.5), vs neg@0.1 (1·3);
        // pos@0.8 (2) vs all 4 negatives: 8. Total 11.5 / (3·4).
        assert_eq!(auc(&mut s), Some(11.5 / 12.0));
        assert_eq!(auc(&mut [(0.5, 1, 0)]), None);
    }
}
