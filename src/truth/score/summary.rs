//! Summaries of the scores over simulated replicates: mean and 10th–90th
//! percentiles per model and metric, the best-first order, and the closing
//! sentence.

use serde::Serialize;

use super::ties::index_to_f64;
use super::{Metric, Score, best_first};
use crate::numeric::CompensatedSum;

/// One metric of one model over the replicates where it is defined: the
/// mean, the 10th and 90th percentiles, and how many replicates (m) defined
/// it. With m = 0, all three numbers are `None`.
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize)]
pub struct Summary {
    /// The arithmetic mean.
    pub mean: Option<f64>,
    /// The 10th percentile (linear interpolation).
    pub p10: Option<f64>,
    /// The 90th percentile (linear interpolation).
    pub p90: Option<f64>,
    /// The number of replicates where the metric is defined (m).
    pub defined: usize,
}

/// Summarises one metric over replicates: `None` entries (undefined) are
/// left out, and so is a NaN or infinite entry (scores never hold one).
///
/// Over the m defined values sorted y_0 ≤ … ≤ y_{m−1}: the arithmetic mean
/// (compensated sum), and p_q for q = 0.1 and 0.9 by linear interpolation
/// between order statistics (numpy's and R's default): u = q·(m − 1),
/// p_q = y_⌊u⌋ + (u − ⌊u⌋)·(y_⌈u⌉ − y_⌊u⌋).
///
/// # Complexity
///
/// O(m log m) time (one sort), O(m) memory.
///
/// # Example
///
/// ```
/// use attribution::truth::summarise;
///
/// let s = summarise(&[Some(4.0), None, Some(1.0), Some(3.0), Some(2.0)]);
/// assert_eq!((s.mean, s.p10, s.p90, s.defined), (Some(2.5), Some(1.3), Some(3.7), 4));
/// let none = summarise(&[None, None]);
/// assert_eq!((none.mean, none.p10, none.p90, none.defined), (None, None, None, 0));
/// ```
#[must_use]
pub fn summarise(values: &[Option<f64>]) -> Summary {
    let mut sorted: Vec<f64> = values
        .iter()
        .flatten()
        .copied()
        .filter(|v| v.is_finite())
        .collect();
    sorted.sort_by(f64::total_cmp);
    let defined = sorted.len();
    if defined == 0 {
        return Summary::default();
    }
    let sum: CompensatedSum = sorted.iter().copied().sum();
    Summary {
        mean: Some(sum.value() / index_to_f64(defined)),
        p10: percentile(&sorted, 0.1),
        p90: percentile(&sorted, 0.9),
        defined,
    }
}

/// p_q of a non-empty sorted slice by linear interpolation.
fn percentile(sorted: &[f64], q: f64) -> Option<f64> {
    let last = sorted.len().checked_sub(1)?;
    let u = q * index_to_f64(last);
    // ⌊u⌋ ≤ last, found by counting (no float-to-integer cast).
    let below = (0..=last).rev().find(|&i| index_to_f64(i) <= u)?;
    let above = if index_to_f64(below) < u {
        below + 1
    } else {
        below
    };
    let (lo, hi) = (*sorted.get(below)?, *sorted.get(above.min(last))?);
    Some(lo + (u - index_to_f64(below)) * (hi - lo))
}

/// One model's summaries over the replicates, one per metric.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ModelSummary {
    /// The model's label (its spec as the registry prints it).
    pub label: String,
    /// The summary of each metric, in the order of [`Metric::ALL`].
    pub metrics: [Summary; 5],
}

impl ModelSummary {
    /// The summary of `metric`.
    #[must_use]
    pub fn get(&self, metric: Metric) -> &Summary {
        let [spearman, kendall, sign, share, top1] = &self.metrics;
        match metric {
            Metric::Spearman => spearman,
            Metric::KendallTauB => kendall,
            Metric::SignAgreement => sign,
            Metric::ShareError => share,
            Metric::Top1 => top1,
        }
    }
}

/// Summarises the scores of every model over the replicates.
///
/// `per_replicate[r]` holds the (label, score) rows of replicate r; labels
/// are matched by name (a model absent from a replicate counts as undefined
/// there). The models come best first: mean `spearman` descending, then
/// mean `share_error` ascending (undefined last for both), then the label.
///
/// # Complexity
///
/// O(R·M² + M·R log R) for R replicates of M models.
///
/// # Example
///
/// ```
/// use attribution::truth::{Metric, Score, summarise_replicates};
///
/// let s = |rho| Score { spearman: Some(rho), ..Score::default() };
/// let replicates = vec![
///     vec![("last-touch".to_string(), s(0.2)), ("dda".to_string(), s(0.9))],
///     vec![("dda".to_string(), s(0.7)), ("last-touch".to_string(), s(0.4))],
/// ];
/// let summaries = summarise_replicates(&replicates);
/// assert_eq!(summaries[0].label, "dda");
/// let rho = summaries[0].get(Metric::Spearman);
/// assert!((rho.mean.unwrap() - 0.8).abs() < 1e-15);
/// assert_eq!(rho.defined, 2);
/// assert_eq!(summaries[0].get(Metric::Top1).defined, 0);
/// ```
#[must_use]
pub fn summarise_replicates(per_replicate: &[Vec<(String, Score)>]) -> Vec<ModelSummary> {
    let mut labels: Vec<&str> = Vec::new();
    for (label, _) in per_replicate.iter().flatten() {
        if !labels.contains(&label.as_str()) {
            labels.push(label);
        }
    }
    let mut out: Vec<ModelSummary> = labels
        .into_iter()
        .map(|label| {
            let scores: Vec<Option<&Score>> = per_replicate
                .iter()
                .map(|rows| rows.iter().find(|(l, _)| l == label).map(|(_, s)| s))
                .collect();
            let metrics = Metric::ALL.map(|metric| {
                let values: Vec<Option<f64>> = scores
                    .iter()
                    .map(|s| s.and_then(|s| s.get(metric)))
                    .collect();
                summarise(&values)
            });
            ModelSummary {
                label: label.to_owned(),
                metrics,
            }
        })
        .collect();
    out.sort_by(|a, b| best_first(order_key(a), order_key(b)));
    out
}

/// (mean spearman, mean share error, label).
fn order_key(s: &ModelSummary) -> (Option<f64>, Option<f64>, &str) {
    (
        s.get(Metric::Spearman).mean,
        s.get(Metric::ShareError).mean,
        &s.label,
    )
}

/// The closing sentence of a replicate report: which model tracked the
/// true effects best on data shaped like `input_name`, over `replicates`
/// replicates, and the runner-up. `None` when there is no model.
///
/// The winner is the best of `summaries` in the order of
/// [`summarise_replicates`]; numbers have 2 decimals. When the winner's
/// metric is defined in only m of the replicates, the sentence says
/// "over m of R replicates". When no model has a defined Spearman, the
/// sentence names the model with the smallest mean share error instead;
/// when neither is defined, it says so.
///
/// # Example
///
/// ```
/// use attribution::truth::{Score, summarise_replicates, verdict};
///
/// let s = |rho| Score { spearman: Some(rho), ..Score::default() };
/// let replicates: Vec<Vec<(String, Score)>> = [(0.85, 0.41), (0.99, 0.38), (0.95, 0.44)]
///     .iter()
///     .map(|&(a, b)| vec![("dda".to_string(), s(a)), ("markov-shapley".to_string(), s(b))])
///     .collect();
/// let summaries = summarise_replicates(&replicates);
/// assert_eq!(
///     verdict(&summaries, "paths.csv", 3).unwrap(),
///     "On data shaped like paths.csv (3 replicates), dda tracked the true effects best: \
///      mean Spearman 0.93 (10–90 %: 0.87–0.98); next markov-shapley, 0.41."
/// );
/// ```
#[must_use]
pub fn verdict(summaries: &[ModelSummary], input_name: &str, replicates: usize) -> Option<String> {
    let mut ordered: Vec<&ModelSummary> = summaries.iter().collect();
    ordered.sort_by(|a, b| best_first(order_key(a), order_key(b)));
    let (&winner, rest) = ordered.split_first()?;
    let plural = if replicates == 1 { "" } else { "s" };
    let opening = format!("On data shaped like {input_name} ({replicates} replicate{plural}), ");
    let (metric, label) = if winner.get(Metric::Spearman).mean.is_some() {
        (Metric::Spearman, "Spearman")
    } else if winner.get(Metric::ShareError).mean.is_some() {
        (Metric::ShareError, "share error")
    } else {
        return Some(format!(
            "{opening}neither Spearman nor share error was defined for any model, so none can \
             be named best."
        ));
    };
    let best = winner.get(metric);
    let mut text = format!("{opening}{} tracked the true effects best: ", winner.label);
    if metric == Metric::ShareError {
        text.push_str("no model's Spearman was defined; ");
    }
    text.push_str(&format!("mean {label} {}", two_decimals(best.mean)));
    if best.defined < replicates {
        text.push_str(&format!(
            " over {} of {replicates} replicates",
            best.defined
        ));
    }
    text.push_str(&format!(
        " (10–90 %: {}–{})",
        two_decimals(best.p10),
        two_decimals(best.p90)
    ));
    if let Some(next) = rest.first() {
        let value = next.get(metric).mean;
        match value {
            Some(_) => {
                text.push_str(&format!("; next {}, {}", next.label, two_decimals(value)));
                let defined = next.get(metric).defined;
                if defined < replicates {
                    text.push_str(&format!(" over {defined} of {replicates} replicates"));
                }
            }
            None => text.push_str(&format!("; next {} ({label} undefined)", next.label)),
        }
    }
    text.push('.');
    Some(text)
}

/// A number with 2 decimals (`–` when undefined), without a negative zero.
fn two_decimals(value: Option<f64>) -> String {
    match value {
        Some(v) => {
            let text = format!("{v:.2}");
            if text == "-0.00" {
                "0.00".to_owned()
            } else {
                text
            }
        }
        None => "–".to_owned(),
    }
}
