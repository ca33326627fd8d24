//! The result type every model returns.

use serde::{Deserialize, Serialize};

use crate::channel::ChannelId;

/// The credit of one channel.
///
/// Besides conversions and value, a model may fill optional extras:
/// the removal effect and its certified error bound (Markov), an
/// uncertainty interval, per-position credit. Absent extras are not
/// serialised. Build one with [`ChannelCredit::new`] and the `with_`
/// methods (the type is `#[non_exhaustive]`, so that extras can be added).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
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
    /// A certified bound on the error of `removal_effect`:
    /// `|removal_effect − exact| <= removal_effect_error` (Markov models).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub removal_effect_error: Option<f64>,
    /// An uncertainty interval of the credit (e.g. from a bootstrap).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub interval: Option<CreditInterval>,
    /// Conversions credited by position in the journey (index 0: the first
    /// touch), for models that credit positions (ordered Shapley values);
    /// they sum to `conversions`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub positions: Option<Vec<f64>>,
    /// Value credited by position, parallel to `positions` (same length);
    /// it sums to `value`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub position_values: Option<Vec<f64>>,
    /// Whether the last entry of `positions` (and `position_values`) pools
    /// its position and every later one: a `P+` bucket, P the entry's
    /// 1-based position (a model run with a position cap).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub positions_pooled: bool,
}

/// An interval of a channel's credit at a confidence `level`.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct CreditInterval {
    /// The confidence level, in (0, 1) (e.g. 0.95).
    pub level: f64,
    /// Lower bound of the conversions.
    pub conversions_lo: f64,
    /// Upper bound of the conversions.
    pub conversions_hi: f64,
    /// Lower bound of the value.
    pub value_lo: f64,
    /// Upper bound of the value.
    pub value_hi: f64,
    /// Lower bound of the share of all conversions.
    pub share_lo: f64,
    /// Upper bound of the share of all conversions.
    pub share_hi: f64,
}

impl CreditInterval {
    /// An interval at `level` of the conversions, value and share, each
    /// `(lo, hi)`.
    #[must_use]
    pub fn new(level: f64, conversions: (f64, f64), value: (f64, f64), share: (f64, f64)) -> Self {
        Self {
            level,
            conversions_lo: conversions.0,
            conversions_hi: conversions.1,
            value_lo: value.0,
            value_hi: value.1,
            share_lo: share.0,
            share_hi: share.1,
        }
    }
}

/// How a model's numbers were computed (filled by Markov models).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Diagnostics {
    /// Transient states of the chain.
    pub states: usize,
    /// Distinct state-to-state transitions (self-loops included).
    pub transitions: usize,
    /// Iterations of the iterative solver, when it reports them.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub iterations: Option<u64>,
    /// The final residual, when the solver reports it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub residual: Option<f64>,
    /// The largest certified error bound over the channels' removal effects.
    pub error_bound: f64,
    /// The method: `auto`, `dense`, `iterative`, or `capped` (step cap).
    pub solver: String,
}

impl Diagnostics {
    /// Diagnostics of a solve over `states` states and `transitions`
    /// transitions by `solver`, every result within `error_bound`.
    #[must_use]
    pub fn new(
        states: usize,
        transitions: usize,
        error_bound: f64,
        solver: impl Into<String>,
    ) -> Self {
        Self {
            states,
            transitions,
            iterations: None,
            residual: None,
            error_bound,
            solver: solver.into(),
        }
    }
}

/// The credit no channel earns: what a model with a baseline (`dda`)
/// attributes to the conversion rate of a journey without any tracked
/// touch. Written as the `(baseline)` row after the channels.
///
/// With a baseline, the channels' credits plus the baseline's sum to the
/// totals (see [Totals](Attribution#totals)).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Baseline {
    /// Conversions attributed to the baseline.
    pub conversions: f64,
    /// Value attributed to the baseline (0 when the result has no value,
    /// see [`Attribution::has_value`]).
    pub value: f64,
}

impl Baseline {
    /// The name of the baseline's row in outputs; a reserved channel name.
    pub const NAME: &'static str = "(baseline)";

    /// A baseline of `conversions` and `value`.
    #[must_use]
    pub fn new(conversions: f64, value: f64) -> Self {
        Self { conversions, value }
    }
}

/// How a fitted conversion model converged (filled by `dda`): written in
/// every output format beside the credits.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct FitDiagnostics {
    /// Newton iterations used.
    pub iterations: u64,
    /// The largest absolute component of the penalised objective's gradient
    /// at the returned coefficients.
    pub max_gradient: f64,
    /// The (unpenalised) log-likelihood of the counts at the coefficients:
    /// Σ_S [R(S)·η_S − N(S)·log(1 + e^η_S)].
    pub log_likelihood: f64,
    /// Σ_S N(S)·v(S) − ΣR: zero at the optimum (the intercept's equation),
    /// up to the solver's precision.
    pub intercept_residual: f64,
}

impl FitDiagnostics {
    /// Diagnostics of a fit.
    #[must_use]
    pub fn new(
        iterations: u64,
        max_gradient: f64,
        log_likelihood: f64,
        intercept_residual: f64,
    ) -> Self {
        Self {
            iterations,
            max_gradient,
            log_likelihood,
            intercept_residual,
        }
    }
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
            removal_effect_error: None,
            interval: None,
            positions: None,
            position_values: None,
            positions_pooled: false,
        }
    }

    /// Sets the removal effect and its certified error bound.
    #[must_use]
    pub fn with_removal_effect(mut self, effect: f64, error: Option<f64>) -> Self {
        self.removal_effect = Some(effect);
        self.removal_effect_error = error;
        self
    }

    /// Sets the uncertainty interval.
    #[must_use]
    pub fn with_interval(mut self, interval: CreditInterval) -> Self {
        self.interval = Some(interval);
        self
    }

    /// Sets the conversions credited by position.
    #[must_use]
    pub fn with_positions(mut self, positions: Vec<f64>) -> Self {
        self.positions = Some(positions);
        self
    }

    /// Sets the value credited by position (parallel to the positions).
    #[must_use]
    pub fn with_position_values(mut self, values: Vec<f64>) -> Self {
        self.position_values = Some(values);
        self
    }

    /// Says whether the last position pools every later one (`P+`).
    #[must_use]
    pub fn with_positions_pooled(mut self, pooled: bool) -> Self {
        self.positions_pooled = pooled;
        self
    }
}

/// The result of a model: per-channel credit, totals, and what produced it.
///
/// Channels are listed in first-appearance order (the channel table's id
/// order), including channels that received no credit.
///
/// # Totals
///
/// For almost every model the credits are a **partition** of the totals:
/// the channels' conversions sum to [`Attribution::total_conversions`] and
/// their values to [`Attribution::total_value`] (up to rounding), and a
/// channel's share is its credit over the total. A few models report
/// overlapping credit instead ([`Attribution::is_partition`] is `false`):
/// `participation` gives every channel of a converting journey that
/// journey's full conversions, so the credits sum to more than the total by
/// design, and a channel's credit over the total is the fraction of the
/// conversions whose journey touched it. Totals checks skip such results.
///
/// A model with a baseline (`dda`) credits part of the totals to no
/// channel: [`Attribution::baseline`]; then the channels' credits plus the
/// baseline's sum to the totals.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Attribution {
    model: String,
    parameters: Vec<(String, String)>,
    channels: Vec<ChannelCredit>,
    total_conversions: f64,
    total_value: f64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    diagnostics: Option<Diagnostics>,
    /// The credits overlap (they are not a partition of the totals).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    overlapping: bool,
    /// The credit of no channel (`dda`'s `(baseline)` row).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    baseline: Option<Baseline>,
    /// The model credits no value (the `value` cells are empty).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    no_value: bool,
    /// How a fitted conversion model converged (`dda`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    fit_diagnostics: Option<FitDiagnostics>,
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
            diagnostics: None,
            overlapping: false,
            baseline: None,
            no_value: false,
            fit_diagnostics: None,
        }
    }

    /// Adds the credit of no channel, the `(baseline)` row: the channels'
    /// credits plus the baseline's then sum to the totals.
    #[must_use]
    pub fn with_baseline(mut self, baseline: Baseline) -> Self {
        self.baseline = Some(baseline);
        self
    }

    /// The credit of no channel (`dda`: the conversions that channel
    /// presence does not explain), when the model has a baseline. Outputs
    /// write it as a row named [`Baseline::NAME`] after the channels.
    #[must_use]
    pub fn baseline(&self) -> Option<&Baseline> {
        self.baseline.as_ref()
    }

    /// Marks the result as crediting no value (`dda:credit=expected`
    /// credits expected conversions, with no value model behind them): the
    /// channels' `value` fields are 0 and outputs leave the value cells
    /// empty (JSON `null`); the value totals rule does not apply.
    #[must_use]
    pub fn without_value(mut self) -> Self {
        self.no_value = true;
        self
    }

    /// Whether the result credits value (`false` for
    /// `dda:credit=expected`, see [`Attribution::without_value`]).
    #[must_use]
    pub fn has_value(&self) -> bool {
        !self.no_value
    }

    /// Adds how the model's fit converged.
    #[must_use]
    pub fn with_fit_diagnostics(mut self, diagnostics: FitDiagnostics) -> Self {
        self.fit_diagnostics = Some(diagnostics);
        self
    }

    /// How the model's fit converged, for fitted conversion models (`dda`).
    #[must_use]
    pub fn fit_diagnostics(&self) -> Option<&FitDiagnostics> {
        self.fit_diagnostics.as_ref()
    }

    /// Marks the credits as overlapping: each channel's credit counts
    /// conversions other channels are credited with too, so the credits sum
    /// to more than the totals (see [Totals](Attribution#totals)).
    #[must_use]
    pub fn with_overlapping_credits(mut self) -> Self {
        self.overlapping = true;
        self
    }

    /// Whether the credits are a partition of the totals (they sum to
    /// [`Attribution::total_conversions`] and [`Attribution::total_value`]).
    /// `false` for overlapping credit such as `participation`'s (see
    /// [Totals](Attribution#totals)).
    #[must_use]
    pub fn is_partition(&self) -> bool {
        !self.overlapping
    }

    /// Adds how the numbers were computed.
    #[must_use]
    pub fn with_diagnostics(mut self, diagnostics: Diagnostics) -> Self {
        self.diagnostics = Some(diagnostics);
        self
    }

    /// How the numbers were computed, when the model says (Markov).
    #[must_use]
    pub fn diagnostics(&self) -> Option<&Diagnostics> {
        self.diagnostics.as_ref()
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
/// `shares` are fractions (one entry per distinct channel, in order of
/// first touch within the journey) which, with `baseline`, sum to 1; the
/// channel's credit from this journey is `share × conversions` and
/// `share × value`. `baseline` is the share no channel earns (`dda`'s
/// `(baseline)`; 0 for every other model).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct JourneyCredit {
    /// Position of the journey in its [`JourneySet`](crate::JourneySet).
    pub journey: usize,
    /// `(channel, share)` pairs.
    pub shares: Vec<(ChannelId, f64)>,
    /// The share of the journey credited to no channel (`dda`'s
    /// `(baseline)`); 0 for models without a baseline.
    #[serde(default)]
    pub baseline: f64,
}
