//! [`Markov`]: the model configuration and its [`Model`] implementation.

use crate::attribution::{Attribution, ChannelCredit, Diagnostics, JourneyCredit};
use crate::channel::{ChannelId, Channels};
use crate::error::ModelError;
use crate::journey::{Journey, JourneySet};
use crate::model::{Merge, Model, ModelSpec, check_spec};

use super::Solver;
use super::capped::capped_removal_effects;
use super::chain::MarkovChain;
use super::config::Markov;
use super::counts::TransitionCounts;
use super::fit::MarkovFit;
use super::removal::{
    RemovalEffects, absorption_probabilities, removal_effects, removal_effects_and_absorption,
};

impl Markov {
    /// Empty counts configured for this model: [`Model::new_state`].
    #[must_use]
    pub fn counts(&self) -> TransitionCounts {
        self.new_state()
    }

    /// Counts every journey of `journeys` and builds the chain: the input of
    /// [`MarkovChain::transitions`], [`MarkovChain::to_dot`] and
    /// [`Markov::removal_effects`].
    ///
    /// # Errors
    ///
    /// As [`Model::observe`] and [`MarkovChain::new`].
    ///
    /// # Example
    ///
    /// ```
    /// use attribution::{Channels, Journey, JourneySet};
    /// use attribution::model::markov::Markov;
    ///
    /// let mut set = JourneySet::new(Channels::new());
    /// let a = set.channels_mut().intern("a")?;
    /// let b = set.channels_mut().intern("b")?;
    /// set.push(Journey::from_channels(&[a, b, a], 1, 1, 5.0)?)?;
    /// let chain = Markov::new(2)?.fit_chain(&set)?;
    /// assert_eq!(chain.n_states(), 2); // a > b, b > a
    /// assert_eq!(chain.transitions().len(), 4);
    /// # Ok::<(), attribution::Error>(())
    /// ```
    pub fn fit_chain(&self, journeys: &JourneySet) -> Result<MarkovChain, ModelError> {
        let mut counts = self.counts();
        counts.extend_channels(journeys.channels())?;
        for (i, journey) in journeys.iter().enumerate() {
            self.observe(&mut counts, journey, journeys.channels())
                .map_err(|e| e.at_journey(i))?;
        }
        self.chain(&counts)
    }

    /// The chain of `state`, with the state's channel names.
    ///
    /// # Errors
    ///
    /// As [`MarkovChain::new`], and [`ModelError::WrongState`] when `state`
    /// was made by another model.
    pub fn chain(&self, state: &TransitionCounts) -> Result<MarkovChain, ModelError> {
        check_spec(&self.spec(), state.spec())?;
        MarkovChain::new(state, state.channels())
    }

    /// Removal effects of `chain` under this model's step cap and solver.
    ///
    /// # Errors
    ///
    /// [`ModelError::NoConvergence`] when the solver cannot certify the
    /// tolerance; [`ModelError::InvalidParameter`] for a dense solve of a
    /// too large component; [`ModelError::TooComplex`] above
    /// [`Markov::work_limit`].
    pub fn removal_effects(&self, chain: &MarkovChain) -> Result<RemovalEffects, ModelError> {
        match self.max_steps {
            Some(k) => capped_removal_effects(chain, k, self.work_limit),
            None => removal_effects(chain, self.solver, self.work_limit),
        }
    }

    /// Turns removal effects into an [`Attribution`].
    #[must_use]
    pub fn attribution(&self, chain: &MarkovChain, effects: &RemovalEffects) -> Attribution {
        let total_conversions = chain.conversions_weight();
        let total_value = chain.total_value();
        let re_sum: f64 = effects.removal_effects.iter().sum();
        let rev_sum: f64 = effects.value_removal_effects.iter().sum();
        let credits = chain
            .channel_names()
            .iter()
            .enumerate()
            .filter_map(|(i, name)| {
                let channel = ChannelId::from_index(i)?;
                let re = effects.removal_effects.get(i).copied().unwrap_or(0.0);
                let rev = effects.value_removal_effects.get(i).copied().unwrap_or(0.0);
                let credit = ChannelCredit::new(
                    channel,
                    name.clone(),
                    if re_sum > 0.0 {
                        total_conversions * re / re_sum
                    } else {
                        0.0
                    },
                    if rev_sum > 0.0 {
                        total_value * rev / rev_sum
                    } else {
                        0.0
                    },
                )
                .with_removal_effect(re, effects.error_bounds.get(i).copied());
                Some(credit)
            })
            .collect();
        let solver = match (self.max_steps, self.solver) {
            (Some(_), _) => "capped",
            (None, Solver::Dense) => "dense",
            (None, Solver::Iterative) => "iterative",
            (None, _) => "auto",
        };
        let error_bound = effects.error_bounds.iter().copied().fold(0.0, f64::max);
        Attribution::new(
            self.name(),
            self.parameters(),
            credits,
            total_conversions,
            total_value,
        )
        .with_diagnostics(Diagnostics::new(
            chain.n_states(),
            chain.n_transitions(),
            error_bound,
            solver,
        ))
    }
}

crate::model::registry::factory!(
    MarkovFactory,
    Markov,
    "markov",
    "exact removal effects of the order-K absorbing Markov chain"
);

impl Markov {
    /// What `observe` and `observe_weighted` check before counting: the
    /// state is this model's, it follows `channels`, and the journey names
    /// only channels of the table.
    fn prepare(
        &self,
        state: &mut TransitionCounts,
        journey: &Journey,
        channels: &Channels,
    ) -> Result<(), ModelError> {
        if (state.order(), state.keeps_self_loops()) != (self.order, self.keep_self_loops) {
            return Err(ModelError::WrongState {
                model: self.spec().to_string(),
                state: Some(state.spec().to_string()),
            });
        }
        crate::model::check_untagged(self.name(), journey)?;
        state.follow(channels)?;
        crate::model::check_channels(journey, channels)?;
        Ok(())
    }
}

impl Model for Markov {
    type State = TransitionCounts;
    type Fitted = MarkovFit;

    /// The chain's states are windows of channels: frequency tokens are
    /// refused ([`ModelError::TokensUnsupported`]).
    fn supports_tokens(&self) -> bool {
        false
    }

    fn name(&self) -> &'static str {
        "markov"
    }

    fn spec(&self) -> ModelSpec {
        self.canonical_spec()
    }

    fn parameters(&self) -> Vec<(String, String)> {
        let mut p = vec![("order".to_owned(), self.order.to_string())];
        if let Some(k) = self.max_steps {
            p.push(("max_steps".to_owned(), k.to_string()));
        }
        if self.keep_self_loops {
            p.push(("keep_self_loops".to_owned(), "true".to_owned()));
        }
        p
    }

    fn new_state(&self) -> TransitionCounts {
        TransitionCounts::configured(self.spec(), self.order, self.keep_self_loops)
    }

    fn observe(
        &self,
        state: &mut TransitionCounts,
        journey: &Journey,
        channels: &Channels,
    ) -> Result<(), ModelError> {
        self.prepare(state, journey, channels)?;
        state.observe(journey);
        state.check_exact()
    }

    fn observe_weighted(
        &self,
        state: &mut TransitionCounts,
        journey: &Journey,
        channels: &Channels,
        weight: f64,
    ) -> Result<(), ModelError> {
        crate::model::check_weight(weight)?;
        if weight == 1.0 {
            return self.observe(state, journey, channels);
        }
        self.prepare(state, journey, channels)?;
        state.observe_weighted(journey, weight);
        state.check_exact()
    }

    fn fit(&self, state: &TransitionCounts) -> Result<MarkovFit, ModelError> {
        let chain = self.chain(state)?;
        let (effects, absorption) = match self.max_steps {
            None => removal_effects_and_absorption(&chain, self.solver, self.work_limit)?,
            Some(k) => (
                capped_removal_effects(&chain, k, self.work_limit)?,
                absorption_probabilities(&chain)?,
            ),
        };
        let attribution = self.attribution(&chain, &effects);
        Ok(MarkovFit::new(chain, effects, attribution, absorption))
    }

    /// The attribution without the absorption probabilities of
    /// [`Model::fit`] (which a step-capped model computes separately).
    fn finish(&self, state: &TransitionCounts) -> Result<Attribution, ModelError> {
        let chain = self.chain(state)?;
        let effects = self.removal_effects(&chain)?;
        Ok(self.attribution(&chain, &effects))
    }

    /// The journey's conversions shared among its distinct channels in
    /// proportion to their removal effects in `fitted` (channels matched by
    /// name; a channel the fit does not know has removal effect 0), equally
    /// when they are all 0. `None` without a fit or without conversions.
    fn journey_credit(
        &self,
        journey: &Journey,
        channels: &Channels,
        fitted: Option<&MarkovFit>,
    ) -> Result<Option<JourneyCredit>, ModelError> {
        crate::model::check_untagged(self.name(), journey)?;
        let Some(fit) = fitted else {
            return Ok(None);
        };
        if journey.conversions() == 0 {
            return Ok(None);
        }
        let mut shares: Vec<(ChannelId, f64)> = Vec::new();
        for id in journey.channels() {
            let name = channels.name(id).ok_or(ModelError::UnknownChannel {
                id: id.get(),
                len: channels.len(),
            })?;
            if !shares.iter().any(|&(c, _)| c == id) {
                shares.push((id, fit.removal_effect_of(name).unwrap_or(0.0)));
            }
        }
        let total: f64 = shares.iter().map(|&(_, re)| re).sum();
        let k = crate::numeric::count_to_f64(u64::try_from(shares.len()).unwrap_or(u64::MAX));
        for (_, share) in &mut shares {
            *share = if total > 0.0 { *share / total } else { 1.0 / k };
        }
        Ok(Some(JourneyCredit {
            journey: 0,
            shares,
            baseline: 0.0,
        }))
    }
}
