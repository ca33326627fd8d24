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
                    })
                    .map_err(|e| e.at_journey(index))
            })
    }
}

/// Folds one journey into `state` with `model`'s weights: the shared
/// `Model::observe` of every heuristic.
pub(crate) fn observe_weighted<M: TouchWeights>(
    model: &M,
    state: &mut HeuristicState,
    journey: &Journey,
    channels: &Channels,
) -> Result<(), ModelError> {
    let conversions = journey.conversions();
    if conversions == 0 {
        return Ok(());
    }
    if let Some(channel) = journey.channels().find(|&c| !channels.contains(c)) {
        return Err(ModelError::UnknownChannel {
            id: channel.get(),
            len: channels.len(),
        });
    }
    let c = count_to_f64(conversions);
    let v = journey.value();
    model.touch_weights(journey, channels, |channel, weight| {
        state.credit(channel, c * weight, v * weight);
    })?;
    state.add_journey(conversions, v);
    Ok(())
}

/// Whether the touch at `index` is the first touch of its channel in
/// `journey`, as flags per touch, and the number of distinct channels.
pub(crate) fn first_occurrences(journey: &Journey) -> (Vec<bool>, usize) {
    let touches = journey.touches();
    let mut flags = Vec::with_capacity(touches.len());
    if touches.len() <= SHORT_JOURNEY {
        for (i, touch) in touches.iter().enumerate() {
            let seen = touches
                .get(..i)
                .is_some_and(|before| before.iter().any(|t| t.channel == touch.channel));
            flags.push(!seen);
        }
    } else {
        let mut seen = rustc_hash::FxHashSet::default();
        for touch in touches {
            flags.push(seen.insert(touch.channel));
        }
    }
    let distinct = flags.iter().filter(|&&first| first).count();
    (flags, distinct)
}

/// Implements [`Model`](crate::model::Model) for a heuristic through its
/// [`TouchWeights`], its inherent `model_name` and `model_parameters`.
macro_rules! heuristic_model {
    ($ty:ty) => {
        impl $crate::model::Model for $ty {
            type State = $crate::model::heuristic::HeuristicState;

            fn name(&self) -> &'static str {
                self.model_name()
            }

            fn parameters(&self) -> Vec<(String, String)> {
                self.model_parameters()
            }

            fn observe(
                &self,
                state: &mut Self::State,
                journey: &$crate::journey::Journey,
                channels: &$crate::channel::Channels,
            ) -> Result<(), $crate::error::ModelError> {
                $crate::model::heuristic::weights::observe_weighted(self, state, journey, channels)
            }

            fn finish(
                &self,
                state: &Self::State,
                channels: &$crate::channel::Channels,
            ) -> Result<$crate::attribution::Attribution, $crate::error::ModelError> {
                state.to_attribution(self.model_name(), self.model_parameters(), channels)
            }
        }
    };
}
pub(crate) use heuristic_model;
