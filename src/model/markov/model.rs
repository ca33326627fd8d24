//! [`Markov`]: the model configuration and its [`Model`] implementation.

use crate::attribution::{Attribution, ChannelCredit, Diagnostics, JourneyCredit};
use crate::channel::{ChannelId, Channels};
use crate::error::ModelError;
use crate::journey::{Journey, JourneySet};
use crate::model::spec::{ParamDoc, Params, parse_bool};
use crate::model::{Merge, Model, ModelSpec, check_spec};

use super::Solver;
use super::capped::capped_removal_effects;
use super::chain::MarkovChain;
use super::counts::{TransitionCounts, check_order};
use super::fit::MarkovFit;
use super::removal::{
    RemovalEffects, WORK_LIMIT, absorption_probabilities, removal_effects,
    removal_effects_and_absorption,
};

/// The Markov-chain removal-effect model of order `k` (see the
/// [module docs](super) for the definition and conventions).
///
/// Its spec is `markov:order=K,max_steps=none|N,self_loops=false|true`
/// ([`Markov::PARAMS`]); the solver and the work limit choose how the
/// result is computed, not what it is, so they are not part of it. Every
/// setting is validated when it is made ([`Markov::new`],
/// [`Markov::max_steps`], [`Markov::from_spec`]).
///
/// # Example
///
/// ```
/// use attribution::{Channels, Journey, JourneySet, Model};
/// use attribution::model::markov::Markov;
///
/// let mut set = JourneySet::new(Channels::new());
/// let a = set.channels_mut().intern("a")?;
/// let b = set.channels_mut().intern("b")?;
/// set.push(Journey::from_channels(&[a, b], 1, 0, 10.0)?)?;
/// set.push(Journey::from_channels(&[b], 1, 1, 30.0)?)?;
/// let model = Markov::new(1)?;
/// assert_eq!(model.name(), "markov");
/// let result = model.attribute(&set)?;
/// // P(conv) = 2/3; without a: 4/9 (RE 1/3); without b: 0 (RE 1).
/// let ca = result.get("a").unwrap();
/// assert!((ca.removal_effect.unwrap() - 1.0 / 3.0).abs() < 1e-15);
/// // 2 conversions · (1/3) / (1/3 + 1)
/// assert!((ca.conversions - 0.5).abs() < 1e-15);
/// assert!((result.get("b").unwrap().conversions - 1.5).abs() < 1e-15);
/// # Ok::<(), attribution::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Markov {
    order: usize,
    max_steps: Option<usize>,
    keep_self_loops: bool,
    solver: Solver,
    work_limit: u64,
}

impl Markov {
    /// The parameters of the spec, in canonical order.
    pub const PARAMS: &'static [ParamDoc] = &[
        ParamDoc {
            key: "order",
            default: "1",
            doc: "the order K: each state is a window of K consecutive touches (1 to 32)",
        },
        ParamDoc {
            key: "max_steps",
            default: "none",
            doc: "cap walks at N states (a walk still transient after N steps ends in null); none: uncapped",
        },
        ParamDoc {
            key: "self_loops",
            default: "false",
            doc: "keep consecutive identical states as self-loops instead of merging them",
        },
    ];

    /// The model of order `order` (no step cap, identical states merged,
    /// automatic solver).
    ///
    /// # Errors
    ///
    /// [`ModelError::InvalidParameter`] when `order` is 0 or above
    /// [`MAX_ORDER`](super::MAX_ORDER).
    pub fn new(order: usize) -> Result<Self, ModelError> {
        check_order(order)?;
        Ok(Self {
            order,
            max_steps: None,
            keep_self_loops: false,
            solver: Solver::Auto,
            work_limit: WORK_LIMIT,
        })
    }

    /// The model of `spec` (`markov:order=K,max_steps=N,self_loops=B`;
    /// missing keys take their defaults, `order` 1).
    ///
    /// # Errors
    ///
    /// [`ModelError::UnknownModel`] for another model's spec,
    /// [`ModelError::UnknownParameter`] for a key not in [`Markov::PARAMS`],
    /// [`ModelError::InvalidParameter`] for a bad value.
    ///
    /// # Example
    ///
    /// ```
    /// use attribution::Model;
    /// use attribution::model::markov::Markov;
    ///
    /// let model = Markov::from_spec(&"markov:order=2,max-steps=10".parse()?)?;
    /// assert_eq!(model.max_steps_cap(), Some(10));
    /// assert_eq!(model.spec().to_string(), "markov:order=2,max_steps=10,self_loops=false");
    /// assert_eq!(
    ///     Markov::from_spec(&"markov:max_steps=0".parse()?).unwrap_err().to_string(),
    ///     "invalid parameter `max_steps` = 0: the step cap must be at least 1 (or none)"
    /// );
    /// # Ok::<(), attribution::ModelError>(())
    /// ```
    pub fn from_spec(spec: &ModelSpec) -> Result<Self, ModelError> {
        let params = Params::new(
            spec,
            "markov",
            Self::PARAMS,
            &[("keep_self_loops", "self_loops")],
        )?;
        let order = params
            .parse(
                "order",
                "the Markov order must be an integer from 1 to 32",
                // An integer out of range gets `Markov::new`'s error below.
                |t| t.parse::<usize>().ok(),
            )?
            .unwrap_or(1);
        let max_steps = params
            .parse(
                "max_steps",
                "the step cap must be a positive integer or none",
                |t| {
                    if t.eq_ignore_ascii_case("none") {
                        Some(None)
                    } else {
                        t.parse::<usize>().ok().map(Some)
                    }
                },
            )?
            .flatten();
        let self_loops = params
            .parse("self_loops", "expected true or false", parse_bool)?
            .unwrap_or(false);
        Self::new(order)?
            .max_steps(max_steps)
            .map(|m| m.keep_self_loops(self_loops))
    }

    /// Caps journeys at `max_steps` states (a walk still transient after
    /// that ends in `(null)`), as a step-capped simulation does; `None`
    /// (the default) is the exact uncapped chain.
    ///
    /// The capped chain is computed by at most `max_steps` matrix–vector
    /// steps, stopping as soon as the chain has converged (a certified
    /// residual bound below 1e-14 of the result, beyond rounding): a cap of
    /// `usize::MAX` costs no more than the convergence. A cap so large that
    /// walks longer than it have probability below 1e-14 (by Markov's
    /// inequality on the mean number of visits) is solved as the uncapped
    /// chain. [`RemovalEffects::cap_loss`](super::RemovalEffects::cap_loss)
    /// tells how much of the conversion probability the cap removes (all of
    /// it when `max_steps` is shorter than every converting path).
    ///
    /// # Errors
    ///
    /// [`ModelError::InvalidParameter`] (`max_steps`) for `Some(0)`.
    pub fn max_steps(mut self, max_steps: Option<usize>) -> Result<Self, ModelError> {
        if max_steps == Some(0) {
            return Err(ModelError::InvalidParameter {
                name: "max_steps",
                value: "0".to_owned(),
                reason: "the step cap must be at least 1 (or none)",
            });
        }
        self.max_steps = max_steps;
        Ok(self)
    }

    /// Keeps consecutive identical states as self-loops instead of merging
    /// them. Never changes an uncapped result; with [`Markov::max_steps`]
    /// each repeat counts as a step.
    #[must_use]
    pub fn keep_self_loops(mut self, keep: bool) -> Self {
        self.keep_self_loops = keep;
        self
    }

    /// Whether consecutive identical states are kept as self-loops.
    #[must_use]
    pub fn keeps_self_loops(&self) -> bool {
        self.keep_self_loops
    }

    /// Chooses the linear solver (default [`Solver::Auto`]).
    #[must_use]
    pub fn solver(mut self, solver: Solver) -> Self {
        self.solver = solver;
        self
    }

    /// Sets the most work the removal effects may take before failing
    /// with [`ModelError::TooComplex`] (default [`WORK_LIMIT`], a few
    /// minutes of CPU): a lower bound on one sweep over every channel's
    /// system, in states plus transitions (see [`ModelError::TooComplex`]).
    /// Work grows with channels × the size of the strongly connected part
    /// of the chain where they are reached; channels that only a few states
    /// lead to are cheap whatever their number.
    #[must_use]
    pub fn work_limit(mut self, limit: u64) -> Self {
        self.work_limit = limit;
        self
    }

    /// The order `k`.
    #[must_use]
    pub fn order(&self) -> usize {
        self.order
    }

    /// The step cap set by [`Markov::max_steps`] (`None`: uncapped).
    #[must_use]
    pub fn max_steps_cap(&self) -> Option<usize> {
        self.max_steps
    }

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

impl Model for Markov {
    type State = TransitionCounts;
    type Fitted = MarkovFit;

    fn name(&self) -> &'static str {
        "markov"
    }

    fn spec(&self) -> ModelSpec {
        ModelSpec::new("markov")
            .with("order", self.order.to_string())
            .with(
                "max_steps",
                self.max_steps
                    .map_or_else(|| "none".to_owned(), |k| k.to_string()),
            )
            .with("self_loops", self.keep_self_loops.to_string())
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
        if (state.order(), state.keeps_self_loops()) != (self.order, self.keep_self_loops) {
            return Err(ModelError::WrongState {
                model: self.spec().to_string(),
                state: Some(state.spec().to_string()),
            });
        }
        state.follow(channels)?;
        if let Some(t) = journey
            .touches()
            .iter()
            .find(|t| !channels.contains(t.channel))
        {
            return Err(ModelError::UnknownChannel {
                id: t.channel.get(),
                len: channels.len(),
            });
        }
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
        if (state.order(), state.keeps_self_loops()) != (self.order, self.keep_self_loops) {
            return Err(ModelError::WrongState {
                model: self.spec().to_string(),
                state: Some(state.spec().to_string()),
            });
        }
        state.follow(channels)?;
        if let Some(t) = journey
            .touches()
            .iter()
            .find(|t| !channels.contains(t.channel))
        {
            return Err(ModelError::UnknownChannel {
                id: t.channel.get(),
                len: channels.len(),
            });
        }
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
        Ok(Some(JourneyCredit { journey: 0, shares }))
    }
}
