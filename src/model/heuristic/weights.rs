//! [`TouchWeights`]: the one thing each heuristic defines, and everything
//! derived from it (observing a journey, per-journey credit).

use rustc_hash::FxHashMap;

use super::state::HeuristicState;
use crate::attribution::JourneyCredit;
use crate::channel::{ChannelId, Channels};
use crate::error::ModelError;
use crate::journey::{Journey, JourneySet};
use crate::numeric::count_to_f64;

/// Journeys up to this length use allocation-free quadratic scans for
/// "have we seen this channel before"; longer ones use a hash map.
const SHORT_JOURNEY: usize = 32;

/// The weights a heuristic gives to the touches of one journey.
///
/// Every heuristic is defined by one function: journey → a weight per touch,
/// weights non-negative and summing to 1. A converting journey with `c`
/// conversions and value `v` then gives each touch's channel `c·w` conversions
/// and `v·w` value; the same weights, summed per distinct channel, are the
/// journey's shares ([`TouchWeights::journey_shares`]).
///
/// Non-converting journeys give no credit, so models never ask for their
/// weights (in particular time decay does not need their timestamps).
pub trait TouchWeights {
    /// Calls `emit(channel, weight)` once per touch of `journey`, in any order
    /// (consumers only sum per channel). Touches whose weight is 0 may be
    /// skipped; the emitted weights are non-negative and sum to 1 (up to
    /// rounding).
    ///
    /// # Errors
    ///
    /// When the journey lacks data the model needs (time decay:
    /// [`ModelError::MissingTimestamps`], without the journey's position).
    fn touch_weights<F: FnMut(ChannelId, f64)>(
        &self,
        journey: &Journey,
        channels: &Channels,
        emit: F,
    ) -> Result<(), ModelError>;

    /// The shares of the distinct channels of `journey`, in order of first
    /// touch: one `(channel, share)` per distinct channel (shares of 0
    /// included), summing to 1.
    ///
    /// Computed for any journey, converting or not.
    ///
    /// # Errors
    ///
    /// As [`TouchWeights::touch_weights`].
    ///
    /// # Complexity
    ///
    /// O(L) expected time for a journey of L touches (O(L²) worst case for
    /// journeys of at most 32 touches, which avoids hashing).
    fn journey_shares(
        &self,
        journey: &Journey,
        channels: &Channels,
    ) -> Result<Vec<(ChannelId, f64)>, ModelError> {
        let mut shares: Vec<(ChannelId, f64)> = Vec::new();
        if journey.len() <= SHORT_JOURNEY {
            for channel in journey.channels() {
                if !shares.iter().any(|&(c, _)| c == channel) {
                    shares.push((channel, 0.0));
                }
            }
            self.touch_weights(journey, channels, |channel, weight| {
                if let Some(entry) = shares.iter_mut().find(|(c, _)| *c == channel) {
                    entry.1 += weight;
                }
            })?;
        } else {
            let mut position: FxHashMap<ChannelId, usize> = FxHashMap::default();
            for channel in journey.channels() {
                position.entry(channel).or_insert_with(|| {
                    shares.push((channel, 0.0));
                    shares.len() - 1
                });
            }
            self.touch_weights(journey, channels, |channel, weight| {
                if let Some(entry) = position.get(&channel).and_then(|&i| shares.get_mut(i)) {
                    entry.1 += weight;
                }
            })?;
        }
        Ok(shares)
    }

    /// Per-journey credit for every **converting** journey of `set` (in set
    /// order; non-converting journeys give no credit and are skipped), so that
    /// credit can be joined back to leads. The shares of each journey sum to 1;
    /// multiplied by the journey's conversions and value and summed over
    /// journeys they give the model's [`Attribution`](crate::Attribution).
    ///
    /// # Errors
    ///
    /// Each item is an error when the journey lacks data the model needs,
    /// with the journey's position filled in.
    ///
    /// # Complexity
    ///
    /// O(total touches), lazily, one small allocation per journey.
    ///
    /// # Example
    ///
    /// ```
    /// use attribution::model::heuristic::{PositionBased, TouchWeights};
    /// use attribution::{Channels, Journey, JourneySet};
    ///
    /// let mut set = JourneySet::new(Channels::new());
    /// let email = set.channels_mut().intern("Email")?;
    /// let linkedin = set.channels_mut().intern("LinkedIn")?;
    /// set.push(Journey::from_channels(&[email], 0, 1, 0.0)?)?;
    /// set.push(Journey::from_channels(&[email, email, linkedin], 1, 0, 60.0)?)?;
    /// let credits: Vec<_> = PositionBased::default().journey_credits(&set).collect::<Result<_, _>>()?;
    /// assert_eq!(credits.len(), 1);
    /// assert_eq!(credits[0].journey, 1);
    /// assert_eq!(credits[0].shares, vec![(email, 0.6), (linkedin, 0.4)]);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    fn journey_credits<'a>(
        &'a self,
        set: &'a JourneySet,
    ) -> impl Iterator<Item = Result<JourneyCredit, ModelError>> + 'a
    where
        Self: Sized,
    {
        set.iter()
            .enumerate()
            .filter(|(_, journey)| journey.conversions() > 0)
            .map(move |(index, journey)| {
                self.journey_shares(journey, set.channels())
                    .map(|shares| JourneyCredit {
                        journey: index,
                        shares,
                        baseline: 0.0,
                    })
                    .map_err(|e| e.at_journey(index))
            })
    }
}

/// Folds one journey into `state` with `model`'s weights: the shared
/// `Model::observe` of every heuristic. The state follows `channels` even
/// for a journey that gives no credit, so that it lists every channel.
#[inline]
pub(crate) fn observe_journey<M: TouchWeights>(
    model: &M,
    state: &mut HeuristicState,
    journey: &Journey,
    channels: &Channels,
) -> Result<(), ModelError> {
    state.follow(channels)?;
    let conversions = journey.conversions();
    if conversions == 0 {
        return Ok(());
    }
    crate::model::check_channels(journey, channels)?;
    let v = journey.value();
    state.check_journey(conversions, v)?;
    let c = count_to_f64(conversions);
    model.touch_weights(journey, channels, |channel, weight| {
        state.credit(channel, c * weight, v * weight);
    })?;
    state.add_journey(conversions, v);
    Ok(())
}

/// [`observe_journey`] with the journey's conversions and value multiplied
/// by `weight`: whole-number weights keep the integer totals exact,
/// fractional ones add to the weighted conversions.
pub(crate) fn observe_journey_weighted<M: TouchWeights>(
    model: &M,
    state: &mut HeuristicState,
    journey: &Journey,
    channels: &Channels,
    weight: f64,
) -> Result<(), ModelError> {
    crate::model::check_weight(weight)?;
    if weight == 1.0 {
        return observe_journey(model, state, journey, channels);
    }
    state.follow(channels)?;
    let conversions = journey.conversions();
    if conversions == 0 || weight == 0.0 {
        return Ok(());
    }
    crate::model::check_channels(journey, channels)?;
    let v = journey.value() * weight;
    match crate::model::whole_weight(weight) {
        Some(w) => {
            let conversions = conversions.saturating_mul(w);
            state.check_journey(conversions, v)?;
            let c = count_to_f64(conversions);
            model.touch_weights(journey, channels, |channel, share| {
                state.credit(channel, c * share, v * share);
            })?;
            state.add_journey(conversions, v);
        }
        None => {
            let c = count_to_f64(conversions) * weight;
            state.check_weighted_journey(c, v)?;
            model.touch_weights(journey, channels, |channel, share| {
                state.credit(channel, c * share, v * share);
            })?;
            state.add_weighted_journey(c, v);
        }
    }
    Ok(())
}

/// The shared `Model::journey_credit` of every heuristic: the journey's
/// shares, `None` for a journey without conversions.
pub(crate) fn journey_credit<M: TouchWeights>(
    model: &M,
    journey: &Journey,
    channels: &Channels,
) -> Result<Option<JourneyCredit>, ModelError> {
    if journey.conversions() == 0 {
        return Ok(None);
    }
    crate::model::check_channels(journey, channels)?;
    let shares = model.journey_shares(journey, channels)?;
    Ok(Some(JourneyCredit {
        journey: 0,
        shares,
        baseline: 0.0,
    }))
}

/// Calls `f(channel, k)` for the first touch of each of the k distinct
/// channels of `journey`, in journey order. Allocation-free for short journeys.
pub(crate) fn for_each_first_occurrence(journey: &Journey, mut f: impl FnMut(ChannelId, usize)) {
    let touches = journey.touches();
    if touches.len() <= SHORT_JOURNEY {
        let firsts = || {
            touches.iter().enumerate().filter_map(|(i, touch)| {
                let seen = touches
                    .get(..i)
                    .is_some_and(|before| before.iter().any(|t| t.channel == touch.channel));
                (!seen).then_some(touch.channel)
            })
        };
        let distinct = firsts().count();
        for channel in firsts() {
            f(channel, distinct);
        }
    } else {
        let mut seen = rustc_hash::FxHashSet::default();
        let firsts: Vec<ChannelId> = touches
            .iter()
            .filter(|t| seen.insert(t.channel))
            .map(|t| t.channel)
            .collect();
        for &channel in &firsts {
            f(channel, firsts.len());
        }
    }
}

/// Implements [`Model`](crate::model::Model) for a heuristic through its
/// [`TouchWeights`], its inherent `model_name`, `model_spec` and
/// `model_parameters` (and `needs_timestamps` with `, timed`).
macro_rules! heuristic_model {
    ($ty:ty) => {
        $crate::model::heuristic::weights::heuristic_model!($ty, |_m: &$ty| false);
    };
    ($ty:ty, timed) => {
        $crate::model::heuristic::weights::heuristic_model!($ty, |m: &$ty| m.needs_timestamps());
    };
    ($ty:ty, $timed:expr) => {
        impl $crate::model::Model for $ty {
            type State = $crate::model::heuristic::HeuristicState;
            type Fitted = $crate::model::heuristic::HeuristicFit;

            fn name(&self) -> &'static str {
                self.model_name()
            }

            fn spec(&self) -> $crate::model::ModelSpec {
                self.model_spec()
            }

            fn parameters(&self) -> Vec<(String, String)> {
                self.model_parameters()
            }

            fn new_state(&self) -> Self::State {
                $crate::model::heuristic::HeuristicState::new(self.model_spec())
            }

            fn observe(
                &self,
                state: &mut Self::State,
                journey: &$crate::journey::Journey,
                channels: &$crate::channel::Channels,
            ) -> Result<(), $crate::error::ModelError> {
                $crate::model::heuristic::weights::observe_journey(self, state, journey, channels)
            }

            fn observe_weighted(
                &self,
                state: &mut Self::State,
                journey: &$crate::journey::Journey,
                channels: &$crate::channel::Channels,
                weight: f64,
            ) -> Result<(), $crate::error::ModelError> {
                $crate::model::heuristic::weights::observe_journey_weighted(
                    self, state, journey, channels, weight,
                )
            }

            fn fit(&self, state: &Self::State) -> Result<Self::Fitted, $crate::error::ModelError> {
                $crate::model::check_spec(&self.model_spec(), $crate::model::Merge::spec(state))?;
                state
                    .to_attribution(self.model_name(), self.model_parameters())
                    .map($crate::model::heuristic::HeuristicFit::new)
            }

            fn journey_credit(
                &self,
                journey: &$crate::journey::Journey,
                channels: &$crate::channel::Channels,
                _fitted: Option<&Self::Fitted>,
            ) -> Result<Option<$crate::attribution::JourneyCredit>, $crate::error::ModelError> {
                $crate::model::heuristic::weights::journey_credit(self, journey, channels)
            }

            fn requires_timestamps(&self) -> bool {
                let timed = $timed;
                timed(self)
            }
        }
    };
}
pub(crate) use heuristic_model;

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::heuristic::{FirstTouch, Linear};
    use crate::model::{Merge, Model};

    #[test]
    fn observe_follows_a_growing_table() {
        let mut channels = Channels::new();
        let a = channels.intern("A").unwrap();
        let model = Linear::per_touch();
        let mut state = model.new_state();
        model
            .observe(
                &mut state,
                &Journey::from_channels(&[a], 1, 0, 2.0).unwrap(),
                &channels,
            )
            .unwrap();
        // The table grows (a streaming reader met a new channel).
        let b = channels.intern("B").unwrap();
        let c = channels.intern("C").unwrap();
        model
            .observe(
                &mut state,
                &Journey::from_channels(&[a, b], 2, 0, 4.0).unwrap(),
                &channels,
            )
            .unwrap();
        assert_eq!(state.channel_span(), 2);
        assert_eq!(state.channels(), &channels);
        let result = model.finish(&state).unwrap();
        assert_eq!(
            result.get("A").map(|c| (c.conversions, c.value)),
            Some((2.0, 4.0))
        );
        assert_eq!(
            result.get("B").map(|c| (c.conversions, c.value)),
            Some((1.0, 2.0))
        );
        assert_eq!(
            result.get("C").map(|c| (c.channel, c.conversions)),
            Some((c, 0.0))
        );
        // Another table: the name at the state's last index differs.
        let mut other = Channels::new();
        for name in ["A", "B", "X", "D"] {
            other.intern(name).unwrap();
        }
        assert_eq!(
            model.observe(
                &mut state,
                &Journey::from_channels(&[a], 1, 0, 0.0).unwrap(),
                &other
            ),
            Err(ModelError::ChannelMismatch {
                index: 2,
                state: "C".to_owned(),
                table: "X".to_owned()
            })
        );
        // A state of another spec is refused.
        assert_eq!(
            Linear::per_channel().finish(&state),
            Err(ModelError::WrongState {
                model: "linear:split=channel".to_owned(),
                state: Some("linear:split=touch".to_owned())
            })
        );
    }

    #[test]
    fn observe_rejects_a_journey_outside_the_table() {
        let mut channels = Channels::new();
        let a = channels.intern("A").unwrap();
        let foreign = ChannelId::from_index(3).unwrap();
        let mut state = FirstTouch.new_state();
        let journey = Journey::from_channels(&[a, foreign], 1, 0, 1.0).unwrap();
        assert_eq!(
            FirstTouch.observe(&mut state, &journey, &channels),
            Err(ModelError::UnknownChannel { id: 3, len: 1 })
        );
        assert_eq!(state.total_conversions(), 0.0);
        assert_eq!(state.channel_span(), 0);
        // Non-converting journeys are skipped before any check: they give no credit.
        let idle = Journey::from_channels(&[foreign], 0, 5, 0.0).unwrap();
        assert_eq!(FirstTouch.observe(&mut state, &idle, &channels), Ok(()));
    }

    #[test]
    fn first_occurrences_short_and_long_agree() {
        let ids: Vec<_> = (0..4).map(|i| ChannelId::from_index(i).unwrap()).collect();
        let short: Vec<_> = [2, 0, 2, 3, 0].iter().map(|&i| ids[i]).collect();
        let long: Vec<_> = (0..40).map(|i| short[i % 5]).collect();
        for path in [short, long] {
            let journey = Journey::from_channels(&path, 1, 0, 0.0).unwrap();
            let mut seen = Vec::new();
            for_each_first_occurrence(&journey, |c, k| seen.push((c, k)));
            assert_eq!(seen, [(ids[2], 3), (ids[0], 3), (ids[3], 3)]);
        }
    }
}
