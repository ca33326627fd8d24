//! [`Coefficient`]: one term of the fitted logistic model, by name.

use serde::{Deserialize, Serialize};

use crate::channel::Channels;

use super::fit::LogitFit;

/// One term of `dda`'s fitted logistic model: `(intercept)`, a channel, or
/// a pair of channels `A * B` (A the channel that appears first in the
/// input), with its coefficient and odds ratio e^coefficient.
///
/// For `(intercept)`, the odds ratio is the odds of converting with no
/// tracked channel. `smoothed-set` lists its prior's terms. Channels that no
/// journey has have no term.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Coefficient {
    /// `(intercept)`, a channel name, or `A * B`.
    pub term: String,
    /// The fitted coefficient (b0, β_c or γ_cd).
    pub coefficient: f64,
    /// e^coefficient.
    pub odds_ratio: f64,
}

impl Coefficient {
    /// The name of the intercept's term.
    pub const INTERCEPT: &'static str = "(intercept)";

    fn new(term: String, coefficient: f64) -> Self {
        Self {
            term,
            coefficient,
            odds_ratio: coefficient.exp(),
        }
    }
}

/// The terms of `fit` by name: intercept, channels in table order, pairs
/// in table order of (first, second).
pub(crate) fn coefficients(fit: &LogitFit, channels: &Channels) -> Vec<Coefficient> {
    let name = |c| channels.name(c).unwrap_or("?");
    let theta = |i: usize| fit.theta.get(i).copied().unwrap_or(0.0);
    let mut out = vec![Coefficient::new(
        Coefficient::INTERCEPT.to_owned(),
        theta(0),
    )];
    for &c in &fit.terms.channels {
        if let Some(i) = fit.terms.of_channel(c) {
            out.push(Coefficient::new(name(c).to_owned(), theta(i)));
        }
    }
    for &(a, b) in &fit.terms.pairs {
        if let Some(i) = fit.terms.of_pair(a, b) {
            out.push(Coefficient::new(
                format!("{} * {}", name(a), name(b)),
                theta(i),
            ));
        }
    }
    out
}
