//! [`Markov`]: the model configuration and its [`Model`] implementation.

use crate::attribution::{Attribution, ChannelCredit};
use crate::channel::{ChannelId, Channels};
use crate::error::ModelError;
use crate::journey::{Journey, JourneySet};
use crate::model::Model;
use crate::numeric::count_to_f64;

use super::Solver;
use super::capped::capped_removal_effects;
use super::chain::MarkovChain;
use super::counts::{TransitionCounts, check_order};
use super::removal::{RemovalEffects, WORK_LIMIT, removal_effects};

/// The Markov-chain removal-effect model of order `k` (see the
/// [module docs](super) for the definition and conventions).
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

    /// Caps journeys at `max_steps` states (a walk still transient after
    /// that ends in `(null)`), as a step-capped simulation does; `None`
    /// (the default) is the exact uncapped chain. `Some(0)` is rejected by
    /// [`Model::finish`].
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
    #[must_use]
    pub fn max_steps(mut self, max_steps: Option<usize>) -> Self {
        self.max_steps = max_steps;
        self
    }

    /// Keeps consecutive identical states as self-loops instead of merging
    /// them. Never changes an uncapped result; with [`Markov::max_steps`]
    /// each repeat counts as a step.
    #[must_use]
    pub fn keep_self_loops(mut self, keep: bool) -> Self {
        self.keep_self_loops = keep;
        self
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

    /// Empty counts configured for this model.
    #[must_use]
    pub fn counts(&self) -> TransitionCounts {
        let mut c = TransitionCounts::default();
        // The order was validated by `new`.
        let _ = c.ensure_config(self.order, self.keep_self_loops);
        c
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
    /// let chain = Markov::new(2)?.fit(&set)?;
    /// assert_eq!(chain.n_states(), 2); // a > b, b > a
    /// assert_eq!(chain.transitions().len(), 4);
    /// # Ok::<(), attribution::Error>(())
    /// ```
    pub fn fit(&self, journeys: &JourneySet) -> Result<MarkovChain, ModelError> {
        let mut counts = self.counts();
        for (i, journey) in journeys.iter().enumerate() {
            self.observe(&mut counts, journey, journeys.channels())
                .map_err(|e| e.at_journey(i))?;
        }
        self.chain(&counts, journeys.channels())
    }

    /// The chain of `state` with names from `channels`.
    ///
    /// # Errors
    ///
    /// As [`MarkovChain::new`], and when `state` has another configuration.
    pub fn chain(
        &self,
        state: &TransitionCounts,
        channels: &Channels,
    ) -> Result<MarkovChain, ModelError> {
        state.check_config(self.order, self.keep_self_loops)?;
        MarkovChain::new(state, channels)
    }

    /// Removal effects of `chain` under this model's step cap and solver.
    ///
    /// # Errors
    ///
    /// [`ModelError::NoConvergence`] when the solver cannot certify the
    /// tolerance; [`ModelError::InvalidParameter`] for `max_steps = Some(0)`
    /// or a dense solve of a too large component;
    /// [`ModelError::TooComplex`] above [`Markov::work_limit`].
    pub fn removal_effects(&self, chain: &MarkovChain) -> Result<RemovalEffects, ModelError> {
        match self.max_steps {
            Some(k) => capped_removal_effects(chain, k, self.work_limit),
            None => removal_effects(chain, self.solver, self.work_limit),
        }
    }

    /// Turns removal effects into an [`Attribution`].
    #[must_use]
    pub fn attribution(&self, chain: &MarkovChain, effects: &RemovalEffects) -> Attribution {
        let total_conversions = count_to_f64(chain.total_conversions());
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
                Some(ChannelCredit {
                    channel,
                    name: name.clone(),
                    conversions: if re_sum > 0.0 {
                        total_conversions * re / re_sum
                    } else {
                        0.0
                    },
                    value: if rev_sum > 0.0 {
                        total_value * rev / rev_sum
                    } else {
                        0.0
                    },
                    removal_effect: Some(re),
                })
            })
            .collect();
        Attribution::new(
            self.name(),
            self.parameters(),
            credits,
            total_conversions,
            total_value,
        )
    }
}

impl Model for Markov {
    type State = TransitionCounts;

    fn name(&self) -> &'static str {
        "markov"
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

    fn observe(
        &self,
        state: &mut TransitionCounts,
        journey: &Journey,
        channels: &Channels,
    ) -> Result<(), ModelError> {
        state.ensure_config(self.order, self.keep_self_loops)?;
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

    fn finish(
        &self,
        state: &TransitionCounts,
        channels: &Channels,
    ) -> Result<Attribution, ModelError> {
        let chain = self.chain(state, channels)?;
        let effects = self.removal_effects(&chain)?;
        Ok(self.attribution(&chain, &effects))
    }
}
