//! Scores of a model's credit against the true credit, their ordering, and
//! summaries over simulated replicates.

mod double_double;
mod metrics;
mod summary;
mod ties;

use std::cmp::Ordering;

use serde::Serialize;

pub use self::summary::{ModelSummary, Summary, summarise, summarise_replicates, verdict};
use self::ties::TieGroups;
use super::TrueCredit;
use crate::attribution::{Attribution, Baseline};
use crate::error::TruthError;

/// One of the five scores of a model's credit against the true credit.
///
/// Larger is better for every metric except [`Metric::ShareError`], where 0
/// means the same shares. See [`score`] for the definitions.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Metric {
    /// Pearson correlation of the ranks (`spearman`).
    Spearman,
    /// Kendall's τ-b over the channel pairs (`kendall_tau_b`).
    KendallTauB,
    /// The share of channels whose signs agree (`sign_agreement`).
    SignAgreement,
    /// Half the L1 distance between the signed shares (`share_error`).
    ShareError,
    /// Whether the top groups hold the same channels (`top1`).
    Top1,
}

impl Metric {
    /// Every metric, in the order of the output columns.
    pub const ALL: [Metric; 5] = [
        Metric::Spearman,
        Metric::KendallTauB,
        Metric::SignAgreement,
        Metric::ShareError,
        Metric::Top1,
    ];

    /// The column name: `spearman`, `kendall_tau_b`, `sign_agreement`,
    /// `share_error` or `top1`.
    ///
    /// ```
    /// use attribution::truth::Metric;
    ///
    /// let names: Vec<&str> = Metric::ALL.iter().map(|m| m.name()).collect();
    /// assert_eq!(names, ["spearman", "kendall_tau_b", "sign_agreement", "share_error", "top1"]);
    /// ```
    #[must_use]
    pub fn name(self) -> &'static str {
        match self {
            Metric::Spearman => "spearman",
            Metric::KendallTauB => "kendall_tau_b",
            Metric::SignAgreement => "sign_agreement",
            Metric::ShareError => "share_error",
            Metric::Top1 => "top1",
        }
    }

    /// Whether a larger value is better: `true` for every metric except
    /// [`Metric::ShareError`].
    #[must_use]
    pub fn larger_is_better(self) -> bool {
        !matches!(self, Metric::ShareError)
    }
}

impl std::fmt::Display for Metric {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

/// The scores of one model's credit against the true credit; `None` where a
/// metric is undefined (an empty CSV cell, a JSON `null`).
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize)]
pub struct Score {
    /// Pearson correlation of the ranks.
    pub spearman: Option<f64>,
    /// Kendall's τ-b with tie groups.
    pub kendall_tau_b: Option<f64>,
    /// The share of channels whose signs agree.
    pub sign_agreement: Option<f64>,
    /// Half the L1 distance between the signed shares, in [0, 1].
    pub share_error: Option<f64>,
    /// 1 when the top groups hold the same channels, else 0.
    pub top1: Option<f64>,
}

impl Score {
    /// The value of `metric`.
    #[must_use]
    pub fn get(&self, metric: Metric) -> Option<f64> {
        match metric {
            Metric::Spearman => self.spearman,
            Metric::KendallTauB => self.kendall_tau_b,
            Metric::SignAgreement => self.sign_agreement,
            Metric::ShareError => self.share_error,
            Metric::Top1 => self.top1,
        }
    }
}

/// Scores a model's credit `x` against the true credit `t`, channel by
/// channel (`x[c]` and `t[c]` belong to the same channel).
///
/// # Conventions
///
/// * **Zeros and ties.** Floating point makes equal quantities differ in
///   their last bits, so each vector gets its own tolerance
///   τ = 10^−12·max_c |v_c| (for x and t separately). A value with |v| ≤ τ
///   is zero. Sorted ascending, two neighbours that differ by ≤ τ are in one
///   **tie group**, and chains join (a group may span more than τ). A
///   group's **rank** is the mean of the 1-based positions it fills.
/// * `spearman`: Pearson correlation of the ranks of x and of t. Undefined
///   when n < 2 or either vector is one group.
/// * `kendall_tau_b`: (n_c − n_d)/√((n_0 − n_x)(n_0 − n_t)) over the
///   n_0 = n(n−1)/2 pairs. A pair is concordant when x and t both order it
///   strictly and the same way, discordant when strictly and opposite ways;
///   n_x and n_t count the pairs inside one group of x and of t. Undefined
///   when n < 2 or a factor is 0.
/// * `sign_agreement`: (1/n)·#{c : sgn x_c = sgn t_c}, with sgn = 0 for a
///   zero. Undefined when n = 0.
/// * `share_error`: ½·Σ_c |x_c/Σ|x| − t_c/Σ|t||, on the raw values, shares
///   keeping their sign (a harmful channel credited positively pays twice);
///   in [0, 1]. Undefined when Σ|x| = 0 or Σ|t| = 0.
/// * `top1`: 1 when the top group of x (the one holding its largest value)
///   and the top group of t hold the same channels, else 0. Undefined when
///   n = 0.
///
/// # Floating point
///
/// Spearman and share error are evaluated in double-double and rounded
/// once (the nearest double to the exact value, as the fixtures hold);
/// Kendall's τ-b is within an ulp or two.
///
/// # Complexity
///
/// O(n log n) time (two sorts and Kendall's merge count), O(n) memory.
///
/// # Errors
///
/// [`TruthError::Unscorable`] when the lengths differ or a value is NaN or
/// infinite (naming `x[i]` or `t[i]`). No score is ever NaN.
///
/// # Example
///
/// First touch on the tiny journeys (channels PPC, LandingPage, Email,
/// LinkedIn) against the true credit of the tiny truth model:
///
/// ```
/// use attribution::truth::score;
///
/// let x = [1.0, 0.0, 1.0, 2.0];
/// let t = [0.37292390470097636, 0.26065216221227894, -0.2206755004621552, 0.9643540434575578];
/// let s = score(&x, &t)?;
/// // Ranks (2.5, 1, 2.5, 4) against (3, 2, 1, 4): 3/√(4.5·5).
/// assert_eq!(s.spearman, Some(0.6324555320336759));
/// // PPC–Email tied in x, LandingPage–Email discordant, 4 concordant:
/// // (4 − 1)/√((6 − 1)·(6 − 0)).
/// assert_eq!(s.kendall_tau_b, Some(0.5477225575051661));
/// // Signs (+, 0, +, +) against (+, +, −, +).
/// assert_eq!(s.sign_agreement, Some(0.5));
/// // Shares (¼, 0, ¼, ½) against t/Σ|t|.
/// assert_eq!(s.share_error, Some(0.2949396491028269));
/// assert_eq!(s.top1, Some(1.0));
/// // Nothing to rank: every metric but sign agreement and top1 undefined.
/// let one = score(&[2.0], &[1.0])?;
/// assert_eq!((one.spearman, one.kendall_tau_b, one.top1), (None, None, Some(1.0)));
/// # Ok::<(), attribution::TruthError>(())
/// ```
pub fn score(x: &[f64], t: &[f64]) -> Result<Score, TruthError> {
    if x.len() != t.len() {
        return Err(TruthError::Unscorable(format!(
            "the credits have {} values and the truth {}",
            x.len(),
            t.len()
        )));
    }
    check_finite(x, |i| format!("x[{i}]"))?;
    check_finite(t, |i| format!("t[{i}]"))?;
    Ok(score_finite(x, t))
}

/// Scores a model's result against the true credit: [`score`] with x_c the
/// model's conversions for each truth channel c.
///
/// The compared channels are the truth's, in its order (a truth row named
/// `(baseline)` is left out). A channel the model lists no row for counts 0;
/// the model's `(baseline)` ([`Attribution::baseline`]) and the channels it
/// has but the truth lacks are ignored. Value is not scored.
///
/// # Errors
///
/// [`TruthError::Unscorable`] when a compared credit or truth is NaN or
/// infinite, naming the channel.
///
/// # Example
///
/// ```
/// use attribution::truth::{TrueCredit, score_attribution};
/// use attribution::{Attribution, ChannelCredit, ChannelId};
///
/// let truth = TrueCredit::new(
///     vec![("PPC".into(), 0.4), ("Email".into(), -0.2), ("LinkedIn".into(), 0.9)],
///     Some(1.5),
/// );
/// // The model never saw Email and credits a channel the truth lacks.
/// let credit = |i, name: &str, c| ChannelCredit::new(ChannelId::from_index(i).unwrap(), name, c, 0.0);
/// let result = Attribution::new(
///     "demo",
///     vec![],
///     vec![credit(0, "LinkedIn", 3.0), credit(1, "PPC", 1.0), credit(2, "Other", 5.0)],
///     9.0,
///     0.0,
/// );
/// let s = score_attribution(&result, &truth)?;
/// // x = (1, 0, 3) against t = (0.4, −0.2, 0.9): same order.
/// assert_eq!(s.spearman, Some(1.0));
/// assert_eq!(s.sign_agreement, Some(2.0 / 3.0));
/// # Ok::<(), attribution::TruthError>(())
/// ```
pub fn score_attribution(result: &Attribution, truth: &TrueCredit) -> Result<Score, TruthError> {
    let rows: Vec<&(String, f64)> = truth
        .channels()
        .iter()
        .filter(|(name, _)| name != Baseline::NAME)
        .collect();
    let mut x = Vec::with_capacity(rows.len());
    let mut t = Vec::with_capacity(rows.len());
    for (name, truth) in rows {
        let credit = result.get(name).map_or(0.0, |c| c.conversions);
        if !credit.is_finite() {
            return Err(TruthError::Unscorable(format!(
                "the credit of channel `{name}` by `{}` is {credit}",
                result.model()
            )));
        }
        if !truth.is_finite() {
            return Err(TruthError::Unscorable(format!(
                "the truth of channel `{name}` is {truth}"
            )));
        }
        x.push(credit);
        t.push(*truth);
    }
    Ok(score_finite(&x, &t))
}

/// The mean ranks of `values` under the tie rule of [`score`]: τ =
/// 10^−12·max|v|, |v| ≤ τ is zero, neighbours within τ chain into one group,
/// and a group's rank is the mean of the 1-based positions it fills.
///
/// # Errors
///
/// [`TruthError::Unscorable`] when a value is NaN or infinite.
///
/// # Example
///
/// ```
/// use attribution::truth::tie_ranks;
///
/// // 1 and 1 + 1e-15 tie; 1e-13 is within 1e-12·2 of zero, so it ties 0.
/// assert_eq!(tie_ranks(&[1.0, 0.0, 1.0 + 1e-15, 2.0, 1e-13])?, [3.5, 1.5, 3.5, 5.0, 1.5]);
/// # Ok::<(), attribution::TruthError>(())
/// ```
pub fn tie_ranks(values: &[f64]) -> Result<Vec<f64>, TruthError> {
    check_finite(values, |i| format!("values[{i}]"))?;
    Ok(TieGroups::new(values).ranks().to_vec())
}

/// Orders scored models best first: `spearman` descending (undefined
/// last), then `share_error` ascending (undefined last), then the label.
///
/// # Example
///
/// ```
/// use attribution::truth::{Score, rank_scores};
///
/// let s = |rho, err| Score { spearman: rho, share_error: err, ..Score::default() };
/// let mut rows = vec![
///     ("c".to_string(), s(None, Some(0.1))),
///     ("b".to_string(), s(Some(0.4), Some(0.3))),
///     ("a".to_string(), s(Some(0.4), Some(0.3))),
///     ("d".to_string(), s(Some(0.4), Some(0.2))),
/// ];
/// rank_scores(&mut rows);
/// let labels: Vec<&str> = rows.iter().map(|(l, _)| l.as_str()).collect();
/// assert_eq!(labels, ["d", "a", "b", "c"]);
/// ```
pub fn rank_scores(rows: &mut [(String, Score)]) {
    rows.sort_by(|(la, a), (lb, b)| {
        best_first(
            (a.spearman, a.share_error, la),
            (b.spearman, b.share_error, lb),
        )
    });
}

/// The "best first" order of (spearman, share error, label).
pub(super) fn best_first(
    a: (Option<f64>, Option<f64>, &str),
    b: (Option<f64>, Option<f64>, &str),
) -> Ordering {
    undefined_last(a.0, b.0, true)
        .then_with(|| undefined_last(a.1, b.1, false))
        .then_with(|| a.2.cmp(b.2))
}

/// Orders defined values (descending when `larger_first`) before undefined.
fn undefined_last(a: Option<f64>, b: Option<f64>, larger_first: bool) -> Ordering {
    match (a, b) {
        (Some(x), Some(y)) if larger_first => y.total_cmp(&x),
        (Some(x), Some(y)) => x.total_cmp(&y),
        (Some(_), None) => Ordering::Less,
        (None, Some(_)) => Ordering::Greater,
        (None, None) => Ordering::Equal,
    }
}

/// The scores of two finite vectors of one length.
fn score_finite(x: &[f64], t: &[f64]) -> Score {
    let (gx, gt) = (TieGroups::new(x), TieGroups::new(t));
    Score {
        spearman: metrics::spearman(&gx, &gt),
        kendall_tau_b: metrics::kendall_tau_b(&gx, &gt),
        sign_agreement: metrics::sign_agreement(&gx, &gt),
        share_error: metrics::share_error(x, t),
        top1: metrics::top1(&gx, &gt),
    }
}

/// [`TruthError::Unscorable`] for the first non-finite value, named by
/// `name(index)`.
fn check_finite(values: &[f64], name: impl Fn(usize) -> String) -> Result<(), TruthError> {
    match values.iter().position(|v| !v.is_finite()) {
        Some(i) => Err(TruthError::Unscorable(format!(
            "{} is {}",
            name(i),
            values.get(i).copied().unwrap_or(f64::NAN)
        ))),
        None => Ok(()),
    }
}
