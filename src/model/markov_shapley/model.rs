//! The [`Model`] implementation of [`MarkovShapley`] and its fit.

use crate::attribution::{Attribution, ChannelCredit, JourneyCredit};
use crate::channel::{ChannelId, Channels};
use crate::error::ModelError;
use crate::journey::Journey;
use crate::model::markov::MarkovChain;
use crate::model::{Fitted, Merge, Model, ModelSpec, check_spec};

use super::config::MarkovShapley;
use super::game::{Game, Method};
use super::state::MarkovShapleyCounts;

/// A fitted `markov-shapley` model: the chain, the coalition game on it,
/// the Shapley values and the attribution.
///
/// # Example
///
/// The tiny fixture at order 1 (spec §4.1 of the model docs): the
/// coalition {PPC, LinkedIn} converts with probability 13/50.
///
/// ```
/// use attribution::io::{ReaderBuilder, Shape};
/// use attribution::model::markov_shapley::MarkovShapley;
/// use attribution::Model;
///
/// let csv = "path,total_conversions,total_conversion_value,total_null\n\
///     PPC > LandingPage > Email > LinkedIn,1,120,0\nPPC > LandingPage,0,0,1\n\
///     LinkedIn,1,80,0\nEmail > Email > LinkedIn,1,60,0\nPPC > LandingPage > Email,0,0,1\n\
///     LinkedIn > PPC,1,100,0\nPPC,0,0,1\nEmail > LinkedIn,0,0,1\n";
/// let (set, _) = ReaderBuilder::new(Shape::Paths).from_reader(csv.as_bytes())?.read_all()?;
/// let model = MarkovShapley::new(1)?;
/// let mut state = model.new_state();
/// for journey in &set {
///     model.observe(&mut state, journey, set.channels())?;
/// }
/// let fit = model.fit(&state)?;
/// let (v, value) = fit.coalition_value(&["PPC", "LinkedIn"]).unwrap();
/// assert!((v - 13.0 / 50.0).abs() < 1e-15 && (value - 24.0).abs() < 1e-12);
/// assert_eq!(fit.coalition_value(&[]), Some((0.0, 0.0)));
/// assert_eq!(fit.coalition_value(&["TV"]), None);
/// assert_eq!(fit.players(), ["PPC", "LandingPage", "Email", "LinkedIn"]);
/// let (phi, _) = fit.shapley_value("LandingPage").unwrap();
/// assert!((phi - 3.0 / 100.0).abs() < 1e-15);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone)]
pub struct MarkovShapleyFit {
    chain: MarkovChain,
    channels: Channels,
    game: Game,
    phi: Vec<[f64; 2]>,
    attribution: Attribution,
}

impl MarkovShapleyFit {
    /// The fitted chain (the same as `markov`'s at the order).
    #[must_use]
    pub fn chain(&self) -> &MarkovChain {
        &self.chain
    }

    /// The players: the channels with a state that can reach a conversion,
    /// in the state's channel order. Every other channel is a null player
    /// (its Shapley value is 0).
    #[must_use]
    pub fn players(&self) -> Vec<&str> {
        self.game
            .players
            .iter()
            .filter_map(|&id| self.channels.name(id))
            .collect()
    }

    /// `(v(T), v^V(T))` of the coalition `T` of channels named `members`:
    /// the conversion probability from `(start)` and the value per journey
    /// with every state containing a channel outside `T` redirected to
    /// `(null)`. `None` when a name is not a channel of the state.
    #[must_use]
    pub fn coalition_value(&self, members: &[&str]) -> Option<(f64, f64)> {
        let ids = members
            .iter()
            .map(|name| self.channels.get(name))
            .collect::<Option<Vec<ChannelId>>>()?;
        let [v, value] = self.game.value_of(&ids);
        Some((v, value))
    }

    /// `(φ_c, φ^V_c)`: the Shapley value of the channel named `name` in the
    /// conversion game and in the value game (they sum over the channels to
    /// v(all) = ΣR/ΣN and v^V(all) = ΣV/ΣN). `None` for an unknown name.
    #[must_use]
    pub fn shapley_value(&self, name: &str) -> Option<(f64, f64)> {
        let id = self.channels.get(name)?;
        Some(
            self.game
                .players
                .iter()
                .position(|&p| p == id)
                .and_then(|b| self.phi.get(b))
                .map_or((0.0, 0.0), |p| (p[0], p[1])),
        )
    }
}

impl Fitted for MarkovShapleyFit {
    fn attribution(&self) -> &Attribution {
        &self.attribution
    }

    fn into_attribution(self) -> Attribution {
        self.attribution
    }
}

crate::model::registry::factory!(
    MarkovShapleyFactory,
    MarkovShapley,
    "markov-shapley",
    "Shapley value of the order-K Markov chain's conversion probability over channel coalitions"
);

impl MarkovShapley {
    /// The checks of `observe`: the state's order, the channel table, the
    /// journey's ids.
    fn prepare(
        &self,
        state: &mut MarkovShapleyCounts,
        journey: &Journey,
        channels: &Channels,
    ) -> Result<(), ModelError> {
        if state.counts().order() != self.order {
            return Err(ModelError::WrongState {
                model: self.spec().to_string(),
                state: Some(state.spec().to_string()),
            });
        }
        crate::model::check_untagged(self.name(), journey)?;
        state.extend_channels(channels)?;
        crate::model::check_channels(journey, channels)?;
        Ok(())
    }

    /// The fit of `state` by `method`.
    pub(super) fn fit_with(
        &self,
        state: &MarkovShapleyCounts,
        method: Method,
    ) -> Result<MarkovShapleyFit, ModelError> {
        check_spec(&self.spec(), state.spec())?;
        let channels = state.channels().clone();
        let chain = MarkovChain::new(state.counts(), &channels)?;
        let mut present = vec![false; chain.n_channels()];
        for s in 0..chain.n_states() {
            for c in chain.state(s).unwrap_or(&[]) {
                if let Some(p) = present.get_mut(c.index()) {
                    *p = true;
                }
            }
        }
        let n_present = present.iter().filter(|&&p| p).count();
        if n_present > self.max_channels {
            return Err(ModelError::TooManyChannels {
                model: self.spec().to_string(),
                channels: n_present,
                max: self.max_channels,
            });
        }
        let game = Game::solve(&chain, method)?;
        let phi = game.shapley();
        let re = game.removal_effects();
        let [v_all, value_all] = game.grand();
        let total_conversions = chain.conversions_weight();
        let total_value = chain.total_value();
        let mut credits = Vec::with_capacity(channels.len());
        for (id, name) in channels.iter() {
            let b = game.players.iter().position(|&p| p == id);
            let [p, p_value] = b.and_then(|b| phi.get(b)).copied().unwrap_or([0.0; 2]);
            let conversions = if v_all > 0.0 && total_conversions > 0.0 {
                total_conversions * p / v_all
            } else {
                0.0
            };
            let value = if value_all > 0.0 && total_value > 0.0 {
                total_value * p_value / value_all
            } else {
                0.0
            };
            let effect = b.and_then(|b| re.get(b)).copied().unwrap_or(0.0);
            credits.push(
                ChannelCredit::new(id, name, conversions, value).with_removal_effect(effect, None),
            );
        }
        let attribution = Attribution::new(
            self.name(),
            self.parameters(),
            credits,
            total_conversions,
            total_value,
        );
        Ok(MarkovShapleyFit {
            chain,
            channels,
            game,
            phi,
            attribution,
        })
    }
}

impl Model for MarkovShapley {
    type State = MarkovShapleyCounts;
    type Fitted = MarkovShapleyFit;

    /// The chain's states are windows of channels: frequency tokens are
    /// refused ([`ModelError::TokensUnsupported`]).
    fn supports_tokens(&self) -> bool {
        false
    }

    fn name(&self) -> &'static str {
        Self::NAME
    }

    fn spec(&self) -> ModelSpec {
        self.canonical_spec()
    }

    fn new_state(&self) -> MarkovShapleyCounts {
        MarkovShapleyCounts::configured(self.spec(), self.order)
    }

    fn observe(
        &self,
        state: &mut MarkovShapleyCounts,
        journey: &Journey,
        channels: &Channels,
    ) -> Result<(), ModelError> {
        self.prepare(state, journey, channels)?;
        state.counts_mut().observe(journey);
        state.counts().check_exact()
    }

    fn observe_weighted(
        &self,
        state: &mut MarkovShapleyCounts,
        journey: &Journey,
        channels: &Channels,
        weight: f64,
    ) -> Result<(), ModelError> {
        crate::model::check_weight(weight)?;
        if weight == 1.0 {
            return self.observe(state, journey, channels);
        }
        self.prepare(state, journey, channels)?;
        state.counts_mut().observe_weighted(journey, weight);
        state.counts().check_exact()
    }

    fn fit(&self, state: &MarkovShapleyCounts) -> Result<MarkovShapleyFit, ModelError> {
        self.fit_with(state, Method::Auto)
    }

    /// Refused for converting journeys with
    /// [`ModelError::NoJourneyCredit`]: the game is global, a channel's
    /// value comes from the whole chain. `Ok(None)` for a non-converting
    /// journey.
    fn journey_credit(
        &self,
        journey: &Journey,
        _channels: &Channels,
        _fitted: Option<&MarkovShapleyFit>,
    ) -> Result<Option<JourneyCredit>, ModelError> {
        if journey.conversions() == 0 {
            return Ok(None);
        }
        Err(ModelError::NoJourneyCredit {
            model: Self::NAME.to_owned(),
            reason: "its game is global: a channel's Shapley value comes from the whole fitted \
                     chain, not from one journey",
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_sparse_solver_gives_the_dense_numbers() {
        let mut channels = Channels::new();
        let mut journeys = Vec::new();
        for (path, c, v) in [
            (&["PPC", "LandingPage", "Email", "LinkedIn"][..], 1, 120.0),
            (&["PPC", "LandingPage"][..], 0, 0.0),
            (&["LinkedIn"][..], 1, 80.0),
            (&["Email", "Email", "LinkedIn"][..], 1, 60.0),
            (&["PPC", "LandingPage", "Email"][..], 0, 0.0),
            (&["LinkedIn", "PPC"][..], 1, 100.0),
            (&["PPC"][..], 0, 0.0),
            (&["Email", "LinkedIn"][..], 0, 0.0),
        ] {
            let ids: Vec<ChannelId> = path.iter().map(|p| channels.intern(p).unwrap()).collect();
            journeys.push(Journey::from_channels(&ids, c, 1 - c, v).unwrap());
        }
        let want = [
            [1.1, 0.24, 0.71, 1.95],
            [2.0 / 3.0, 1.0 / 6.0, 5.0 / 6.0, 7.0 / 3.0],
            [0.75, 0.25, 0.75, 2.25],
        ];
        for (order, want) in (1..=3).zip(want) {
            let model = MarkovShapley::new(order).unwrap();
            let mut state = model.new_state();
            for j in &journeys {
                model.observe(&mut state, j, &channels).unwrap();
            }
            let dense = model.fit_with(&state, Method::Auto).unwrap();
            let sparse = model.fit_with(&state, Method::Sparse).unwrap();
            for ((a, b), w) in dense
                .attribution
                .channels()
                .iter()
                .zip(sparse.attribution.channels())
                .zip(want)
            {
                assert!((a.conversions - w).abs() < 1e-12, "{order} {}", a.name);
                assert!((b.conversions - w).abs() < 1e-12, "{order} {}", b.name);
                assert!((a.value - b.value).abs() < 1e-10, "{order} {}", a.name);
            }
        }
    }
}
