//! The result type every model returns.

use serde::{Deserialize, Serialize};

use crate::channel::ChannelId;

/// The credit of one channel.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ChannelCredit {
    /// The channel's index in the channel table of the state the result
    /// was finished from (for a state observed against one reader's table,
    /// its id there; after merges, the merged table's: see
    /// [`Merge::channels`](crate::Merge::channels)).
    pub channel: ChannelId,
    /// The channel's name.
    pub name: String,
    /// Attributed conversions.
    pub conversions: f64,
    /// Attributed value (revenue).
    pub value: f64,
    /// The unnormalised removal effect (Markov models only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub removal_effect: Option<f64>,
}

impl ChannelCredit {
    /// The credit of channel `channel` (its index in the state's table),
    /// called `name`, without removal effect.
    #[must_use]
    pub fn new(channel: ChannelId, name: impl Into<String>, conversions: f64, value: f64) -> Self {
        Self {
            channel,
            name: name.into(),
            conversions,
            value,
            removal_effect: None,
        }
    }
}

/// The result of a model: per-channel credit, totals, and what produced it.
///
/// Channels are listed in first-appearance order (the channel table's id
/// order), including channels that received no credit.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Attribution {
    model: String,
    parameters: Vec<(String, String)>,
    channels: Vec<ChannelCredit>,
    total_conversions: f64,
    total_value: f64,
}

impl Attribution {
    /// Assembles a result. Models call this; users read it.
    #[must_use]
    pub fn new(
        model: impl Into<String>,
        parameters: Vec<(String, String)>,
        channels: Vec<ChannelCredit>,
        total_conversions: f64,
        total_value: f64,
    ) -> Self {
        Self {
            model: model.into(),
            parameters,
            channels,
            total_conversions,
            total_value,
        }
    }

    /// The model's name as the command line spells it (e.g. `"position-based"`).
    #[must_use]
    pub fn model(&self) -> &str {
        &self.model
    }

    /// The model's parameters as `(name, value)` pairs, e.g. `("half_life", "7d")`.
    #[must_use]
    pub fn parameters(&self) -> &[(String, String)] {
        &self.parameters
    }

    /// Per-channel credit in first-appearance order.
    #[must_use]
    pub fn channels(&self) -> &[ChannelCredit] {
        &self.channels
    }

    /// The credit of the channel called `name`, if present.
    #[must_use]
    pub fn get(&self, name: &str) -> Option<&ChannelCredit> {
        let name = name.trim();
        self.channels.iter().find(|c| c.name == name)
    }

    /// Total conversions of the attributed journeys.
    #[must_use]
    pub fn total_conversions(&self) -> f64 {
        self.total_conversions
    }

    /// Total value of the attributed journeys.
    #[must_use]
    pub fn total_value(&self) -> f64 {
        self.total_value
    }
}

/// How one journey's conversions and value are shared among its channels.
///
/// `shares` are fractions summing to 1 (one entry per distinct channel, in
/// order of first touch within the journey); the channel's credit from this
/// journey is `share × conversions` and `share × value`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct JourneyCredit {
    /// Position of the journey in its [`JourneySet`](crate::JourneySet).
    pub journey: usize,
    /// `(channel, share)` pairs.
    pub shares: Vec<(ChannelId, f64)>,
}
