//! The exact true credit of each channel: what the truth model says it
//! caused.

use serde::Serialize;

/// The true credit of each channel under a [`TruthModel`](super::TruthModel)
/// on one input: `truth_c = Σ_P N_P·φ_c(P)`, the expected incremental
/// conversions channel c causes, and the `baseline`, Σ_P N_P·σ(b0), the
/// expected conversions with no tracked touch.
///
/// Channels come in the input's order of first appearance. The truth rows
/// plus the baseline sum to the expected conversions of the input under the
/// model (efficiency of the Shapley value).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TrueCredit {
    channels: Vec<(String, f64)>,
    baseline: Option<f64>,
}

impl TrueCredit {
    /// A true credit from its rows (channel, true conversions) and the
    /// baseline (`None` when read from a truth file without a `(baseline)`
    /// row).
    #[must_use]
    pub fn new(channels: Vec<(String, f64)>, baseline: Option<f64>) -> Self {
        Self { channels, baseline }
    }

    /// The channels and their true conversions, in input order.
    #[must_use]
    pub fn channels(&self) -> &[(String, f64)] {
        &self.channels
    }

    /// The true conversions of `channel`, if it is a row.
    #[must_use]
    pub fn get(&self, channel: &str) -> Option<f64> {
        self.channels
            .iter()
            .find(|(name, _)| name == channel)
            .map(|&(_, t)| t)
    }

    /// The expected conversions with no tracked touch, Σ_P N_P·σ(b0).
    #[must_use]
    pub fn baseline(&self) -> Option<f64> {
        self.baseline
    }

    /// Σ truth + baseline: the expected conversions of the input under the
    /// model (when the baseline is known).
    #[must_use]
    pub fn expected_conversions(&self) -> Option<f64> {
        let channels: crate::numeric::CompensatedSum = self.channels.iter().map(|&(_, t)| t).sum();
        self.baseline.map(|b| channels.value() + b)
    }
}
