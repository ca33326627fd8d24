//! [`MarkovFit`]: the fitted Markov model.

use crate::attribution::Attribution;
use crate::channel::{ChannelId, Channels};
use crate::model::Fitted;
use crate::numeric::CompensatedSum;

use super::chain::MarkovChain;
use super::removal::RemovalEffects;

/// A fitted Markov model: the chain, its removal effects, the attribution,
/// and the absorption probabilities `h(s) = P(absorbed in (conversion) |
/// in state s)` of every state, which the exact solution computes anyway.
///
/// With a step cap ([`Markov::max_steps`](super::Markov::max_steps)) the
/// removal effects and the attribution are those of the capped chain, the
/// absorption probabilities those of the uncapped one.
///
/// # Example
///
/// The tiny fixture's journeys at order 1: 4 of 8 journeys convert, so
/// `h(start) = P(conversion) = 1/2`.
///
/// ```
/// use attribution::io::{ReaderBuilder, Shape};
/// use attribution::model::markov::Markov;
/// use attribution::Model;
///
/// let csv = "path,total_conversions,total_null\n\
///     PPC > LandingPage > Email > LinkedIn,1,0\nPPC > LandingPage,0,1\nLinkedIn,1,0\n\
///     Email > Email > LinkedIn,1,0\nPPC > LandingPage > Email,0,1\nLinkedIn > PPC,1,0\n\
///     PPC,0,1\nEmail > LinkedIn,0,1\n";
/// let (set, _) = ReaderBuilder::new(Shape::Paths).from_reader(csv.as_bytes())?.read_all()?;
/// let model = Markov::new(1)?;
/// let mut state = model.new_state();
/// for journey in &set {
///     model.observe(&mut state, journey, set.channels())?;
/// }
/// let fit = model.fit(&state)?;
/// assert!((fit.conversion_probability(&[]).unwrap() - 0.5).abs() < 1e-12);
/// // h(LinkedIn) = (3 + h(PPC)) / 5 and h(PPC) = (1 + 3 · 2/3 · 3/4 · h(LinkedIn)) / 5.
/// let h_linkedin = fit.conversion_probability(&["LinkedIn"]).unwrap();
/// assert!((h_linkedin - 32.0 / 47.0).abs() < 1e-12);
/// assert_eq!(fit.conversion_probability(&["TV"]), None);
/// assert!((fit.removal_effects().removal_effects[0] - 0.475).abs() < 1e-12);
/// assert_eq!(fit.chain().n_states(), 4);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone)]
pub struct MarkovFit {
    chain: MarkovChain,
    channels: Channels,
    effects: RemovalEffects,
    attribution: Attribution,
    absorption: Vec<f64>,
    start: f64,
}

impl MarkovFit {
    pub(crate) fn new(
        chain: MarkovChain,
        effects: RemovalEffects,
        attribution: Attribution,
        absorption: Vec<f64>,
    ) -> Self {
        let mut channels = Channels::new();
        for name in chain.channel_names() {
            // The chain's names come from a valid table.
            let _ = channels.intern(name);
        }
        let journeys = chain.journeys_weight();
        let start = if journeys > 0.0 {
            let sum: CompensatedSum = absorption
                .iter()
                .enumerate()
                .map(|(s, h)| chain.start_weight(s) * h)
                .sum();
            (sum.value() / journeys).clamp(0.0, 1.0)
        } else {
            0.0
        };
        Self {
            chain,
            channels,
            effects,
            attribution,
            absorption,
            start,
        }
    }

    /// The fitted chain: states, transition counts and probabilities
    /// ([`MarkovChain::transitions`], [`MarkovChain::graph`]).
    #[must_use]
    pub fn chain(&self) -> &MarkovChain {
        &self.chain
    }

    /// The removal effects (by channel index of the state's table).
    #[must_use]
    pub fn removal_effects(&self) -> &RemovalEffects {
        &self.effects
    }

    /// The absorption probability into `(conversion)` of every state of
    /// [`MarkovFit::chain`], by state index (0 for states that cannot
    /// reach a conversion).
    #[must_use]
    pub fn absorption(&self) -> &[f64] {
        &self.absorption
    }

    /// `h(s)`, the probability of ending in `(conversion)` from state `s`
    /// given by its channel names (a window of `order` touches, or a whole
    /// shorter path); the empty state is `(start)`, whose `h` is
    /// P(conversion). `None` for a state the chain does not have.
    #[must_use]
    pub fn conversion_probability(&self, state: &[&str]) -> Option<f64> {
        let ids = state
            .iter()
            .map(|name| self.channels.get(name))
            .collect::<Option<Vec<_>>>()?;
        self.conversion_probability_of(&ids)
    }

    /// [`MarkovFit::conversion_probability`] of a state given by channel
    /// indices of the chain's table.
    #[must_use]
    pub fn conversion_probability_of(&self, state: &[ChannelId]) -> Option<f64> {
        if state.is_empty() {
            return Some(self.start);
        }
        // States are sorted by their channel ids.
        let i = self
            .chain
            .keys
            .binary_search_by(|key| key.as_ref().cmp(state))
            .ok()?;
        self.absorption.get(i).copied()
    }

    /// The removal effect of the channel called `name`, if the chain has it.
    pub(crate) fn removal_effect_of(&self, name: &str) -> Option<f64> {
        let id = self.channels.get(name)?;
        self.effects.removal_effects.get(id.index()).copied()
    }
}

impl Fitted for MarkovFit {
    fn attribution(&self) -> &Attribution {
        &self.attribution
    }

    fn into_attribution(self) -> Attribution {
        self.attribution
    }
}
