//! [`ShaoLi`]: the model, its parameters and the finishing computation.

use super::fit::{Rates, ShaoLiFit};
use super::state::ShaoLiState;
use crate::attribution::{Attribution, ChannelCredit, JourneyCredit};
use crate::channel::{ChannelId, Channels};
use crate::error::ModelError;
use crate::journey::Journey;
use crate::model::{Merge, Model, ModelSpec, ParamDoc};
use crate::numeric::{CompensatedSum, count_to_f64};

/// How [`ShaoLi`] turns contributions into credit.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ShaoLiNormalise {
    /// `Σ_j c_j·contrib_j(a)` rescaled once so that the credits sum to the
    /// total conversions (value: `Σ_j v_j·contrib_j(a)` rescaled to the
    /// total value), as `mta` does.
    #[default]
    Global,
    /// Each converting journey's contributions are normalised to sum to its
    /// conversions `c_j` (and its value `v_j`).
    Journey,
}

/// The probabilistic model of Shao & Li (2011), as the `mta` package
/// computes it (see the [module docs](super) for the definition, the peer,
/// the complexity and an example).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub struct ShaoLi {
    normalise: ShaoLiNormalise,
}

impl ShaoLi {
    /// The parameters of the spec `shao-li:normalise=global|journey`.
    pub const PARAMS: &'static [ParamDoc] = &[ParamDoc {
        key: "normalise",
        default: "global",
        doc: "global: Σ c·contrib rescaled to the total; journey: each journey's contributions sum to its conversions",
    }];

    /// The model with the given normalisation.
    #[must_use]
    pub fn new(normalise: ShaoLiNormalise) -> Self {
        Self { normalise }
    }

    /// Global normalisation (the default, `mta`'s).
    #[must_use]
    pub fn global() -> Self {
        Self::new(ShaoLiNormalise::Global)
    }

    /// Per-journey normalisation.
    #[must_use]
    pub fn per_journey() -> Self {
        Self::new(ShaoLiNormalise::Journey)
    }

    /// The normalisation.
    #[must_use]
    pub fn normalise(&self) -> ShaoLiNormalise {
        self.normalise
    }

    /// The model of `spec`, e.g. `shao-li:normalise=journey` (`normalize`
    /// is accepted for `normalise`).
    ///
    /// # Errors
    ///
    /// [`ModelError::InvalidParameter`] for a normalisation other than
    /// `global` or `journey`; [`ModelError::UnknownParameter`] for another
    /// key.
    pub fn from_spec(spec: &ModelSpec) -> Result<Self, ModelError> {
        let params = crate::model::spec::Params::new(
            spec,
            "shao-li",
            Self::PARAMS,
            &[("normalize", "normalise")],
        )?;
        let normalise = params
            .parse("normalise", "expected global or journey", |t| {
                if t.eq_ignore_ascii_case("global") {
                    Some(ShaoLiNormalise::Global)
                } else if t.eq_ignore_ascii_case("journey") {
                    Some(ShaoLiNormalise::Journey)
                } else {
                    None
                }
            })?
            .unwrap_or_default();
        Ok(Self::new(normalise))
    }

    fn normalise_text(self) -> &'static str {
        match self.normalise {
            ShaoLiNormalise::Global => "global",
            ShaoLiNormalise::Journey => "journey",
        }
    }

    /// Follows `channels`, checks the journey's channels are in it, and
    /// returns its distinct channel indices, ascending.
    fn prepare(
        state: &mut ShaoLiState,
        journey: &Journey,
        channels: &Channels,
    ) -> Result<Vec<u32>, ModelError> {
        state.follow(channels)?;
        crate::model::check_channels(journey, channels)?;
        let mut set: Vec<u32> = journey.channels().map(ChannelId::get).collect();
        set.sort_unstable();
        set.dedup();
        Ok(set)
    }

    fn degenerate(what: String) -> ModelError {
        ModelError::DegenerateNormalisation {
            model: "shao-li".to_owned(),
            what,
        }
    }

    /// The attribution of `state` under `rates`.
    fn attribution(&self, state: &ShaoLiState, rates: &Rates) -> Result<Attribution, ModelError> {
        let n = state.channels().len();
        let mut conversions = vec![CompensatedSum::default(); n];
        let mut values = vec![CompensatedSum::default(); n];
        let mut contributions = Vec::new();
        for (set, sums) in &state.sets {
            rates.contributions(set, &mut contributions);
            let (r, v) = (sums.conversions, sums.value.value());
            let (r, v) = match self.normalise {
                ShaoLiNormalise::Global => (r, v),
                ShaoLiNormalise::Journey => {
                    let total: f64 = contributions.iter().sum();
                    if !(total > 0.0 && total.is_finite()) {
                        return Err(Self::degenerate(format!(
                            "the contributions of a converting channel set sum to {total}"
                        )));
                    }
                    (r / total, v / total)
                }
            };
            for (&a, &contribution) in set.iter().zip(&contributions) {
                let a = usize::try_from(a).unwrap_or(usize::MAX);
                if let Some(c) = conversions.get_mut(a) {
                    c.add(r * contribution);
                }
                if let Some(c) = values.get_mut(a) {
                    c.add(v * contribution);
                }
            }
        }
        let (total_c, total_v) = (state.total_conversions(), state.total_value());
        let (scale_c, scale_v) = match self.normalise {
            ShaoLiNormalise::Journey => (1.0, 1.0),
            ShaoLiNormalise::Global => (
                scale(total_c, &conversions, "conversions")?,
                scale(total_v, &values, "value")?,
            ),
        };
        let credits = state
            .channels()
            .iter()
            .map(|(id, name)| {
                let c = conversions
                    .get(id.index())
                    .map_or(0.0, CompensatedSum::value);
                let v = values.get(id.index()).map_or(0.0, CompensatedSum::value);
                ChannelCredit::new(id, name, c * scale_c, v * scale_v)
            })
            .collect();
        Ok(Attribution::new(
            "shao-li",
            Model::parameters(self),
            credits,
            total_c,
            total_v,
        ))
    }
}

/// The factor that makes `sums` add up to `total` (0 when `total` is 0).
fn scale(total: f64, sums: &[CompensatedSum], what: &str) -> Result<f64, ModelError> {
    if total == 0.0 {
        return Ok(0.0);
    }
    let sum = sums
        .iter()
        .map(CompensatedSum::value)
        .sum::<CompensatedSum>()
        .value();
    let factor = total / sum;
    if sum > 0.0 && factor.is_finite() {
        Ok(factor)
    } else {
        Err(ShaoLi::degenerate(format!(
            "the contributions weighted by {what} sum to {sum:e} for a total of {total:e}"
        )))
    }
}

impl Model for ShaoLi {
    type State = ShaoLiState;
    type Fitted = ShaoLiFit;

    fn name(&self) -> &'static str {
        "shao-li"
    }

    fn spec(&self) -> ModelSpec {
        ModelSpec::new("shao-li").with("normalise", self.normalise_text())
    }

    fn new_state(&self) -> ShaoLiState {
        ShaoLiState::new(Model::spec(self))
    }

    /// Adds the journey's conversions `c` and journeys `c + n` to each of
    /// its distinct channels and each pair of them; a converting journey
    /// also adds `c` and `v` to its distinct set.
    fn observe(
        &self,
        state: &mut ShaoLiState,
        journey: &Journey,
        channels: &Channels,
    ) -> Result<(), ModelError> {
        let set = Self::prepare(state, journey, channels)?;
        let c = count_to_f64(journey.conversions());
        let journeys = c + count_to_f64(journey.non_conversions());
        if journeys == 0.0 {
            return Ok(());
        }
        let v = if c > 0.0 { journey.value() } else { 0.0 };
        state.check_journey(journeys, v)?;
        state.add(&set, c, journeys, v);
        Ok(())
    }

    fn observe_weighted(
        &self,
        state: &mut ShaoLiState,
        journey: &Journey,
        channels: &Channels,
        weight: f64,
    ) -> Result<(), ModelError> {
        crate::model::check_weight(weight)?;
        if weight == 1.0 {
            return self.observe(state, journey, channels);
        }
        let set = Self::prepare(state, journey, channels)?;
        let c = count_to_f64(journey.conversions()) * weight;
        let journeys = c + count_to_f64(journey.non_conversions()) * weight;
        if journeys == 0.0 {
            return Ok(());
        }
        let v = if c > 0.0 {
            journey.value() * weight
        } else {
            0.0
        };
        state.check_journey(journeys, v)?;
        state.add(&set, c, journeys, v);
        Ok(())
    }

    fn fit(&self, state: &ShaoLiState) -> Result<ShaoLiFit, ModelError> {
        crate::model::check_spec(&Model::spec(self), state.spec())?;
        let rates = Rates::of(state);
        let attribution = self.attribution(state, &rates)?;
        Ok(ShaoLiFit::new(attribution, state, rates))
    }

    /// The journey's contributions under the fitted rates, normalised to
    /// sum to 1 (in order of first touch; channels matched by name, a
    /// channel or pair the fit does not know has rate 0; equal shares when
    /// the contributions sum to 0). `None` without a fit or without
    /// conversions.
    ///
    /// With `normalise=journey` these shares times the journey's
    /// conversions and value sum to the attribution. With `global` they
    /// do not: the global credit weights each journey's contributions by
    /// one global factor instead of normalising them per journey.
    fn journey_credit(
        &self,
        journey: &Journey,
        channels: &Channels,
        fitted: Option<&ShaoLiFit>,
    ) -> Result<Option<JourneyCredit>, ModelError> {
        let Some(fit) = fitted else {
            return Ok(None);
        };
        if journey.conversions() == 0 {
            return Ok(None);
        }
        let mut distinct: Vec<ChannelId> = Vec::new();
        for id in journey.channels() {
            if !channels.contains(id) {
                return Err(ModelError::UnknownChannel {
                    id: id.get(),
                    len: channels.len(),
                });
            }
            if !distinct.contains(&id) {
                distinct.push(id);
            }
        }
        // Indices in the fit's table; channels it lacks get one past its end.
        let unknown = u32::try_from(fit.channels().len()).unwrap_or(u32::MAX);
        let set: Vec<u32> = distinct
            .iter()
            .map(|&id| {
                channels
                    .name(id)
                    .and_then(|name| fit.channels().get(name))
                    .map_or(unknown, ChannelId::get)
            })
            .collect();
        let mut contributions = Vec::new();
        fit.rates().contributions(&set, &mut contributions);
        let total: f64 = contributions.iter().sum();
        let k = count_to_f64(u64::try_from(distinct.len()).unwrap_or(u64::MAX));
        let shares = distinct
            .into_iter()
            .zip(contributions)
            .map(|(id, c)| {
                let share = if total > 0.0 && total.is_finite() {
                    c / total
                } else {
                    1.0 / k
                };
                (id, share)
            })
            .collect();
        Ok(Some(JourneyCredit {
            journey: 0,
            shares,
            baseline: 0.0,
        }))
    }
}

crate::model::registry::factory!(
    ShaoLiFactory,
    ShaoLi,
    "shao-li",
    "Shao & Li (2011) probabilistic model: conversion rates of channels and channel pairs"
);
