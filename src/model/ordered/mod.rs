//! [`ShapleyOrdered`]: the ordered Shapley value (Zhao et al. 2018), credit
//! per channel **and per position** in the journey.
//!
//! # Definition
//!
//! In a converting journey j with conversions `c_j`, value `v_j` and `k`
//! distinct channels, the touch at position `t` (1-based, over the journey's
//! touches) of a channel `i` touched `count_j(i)` times gets
//!
//! ```text
//! c_j / (k · count_j(i))  conversions   and   v_j / (k · count_j(i))  value.
//! ```
//!
//! Summed over its touches, channel `i` gets `c_j / k`: the per-channel
//! totals are the Shapley values of the cumulative game `v(T) = Σ_{S ⊆ T}
//! R(S)` (`shapley`), which equal linear credit per distinct channel. The
//! ordered value splits each channel's share evenly over its touches, so
//! the credit of every (channel, position) pair is reported too
//! ([`ChannelCredit::positions`] and [`ChannelCredit::position_values`]).
//! Non-converting journeys give no credit.
//!
//! **Peer:** `shapley-attribution` 2.1.0, `OrderedShapleyAttribution`.
//!
//! # Parameters
//!
//! `max_position = P` (spec `shapley-ordered:max_position=P`, 0 = no cap,
//! the default): the touches at positions `P, P+1, …` pool into one bucket,
//! the `P+` bucket, the last of the `P` positions reported (with
//! [`ChannelCredit::positions_pooled`] set). It bounds the state's memory;
//! the per-channel totals do not change.
//!
//! # When to use it
//!
//! When the question is *where in the journey* a channel earns its credit
//! (openers against closers) while keeping the Shapley per-channel totals.
//!
//! # Complexity
//!
//! O(L) expected per journey of L touches (O(L·k) for journeys of at most 32
//! touches, which avoids hashing); memory O(channels × positions), positions
//! = min(P, longest converting journey). Merging is O(the other state).
//!
//! # Example
//!
//! The tiny journeys of the fixtures (`tests/data/tiny` in the repository):
//! in J1 (PPC > LandingPage > Email > LinkedIn, 1 conversion) each touch gets
//! 1/4; in J4 (Email > Email > LinkedIn) Email's two touches get 1/4 each and
//! LinkedIn 1/2.
//!
//! ```
//! use attribution::model::ordered::ShapleyOrdered;
//! use attribution::{Channels, Journey, JourneySet, Model};
//!
//! let mut set = JourneySet::new(Channels::new());
//! for (path, converted, value) in [
//!     ("PPC > LandingPage > Email > LinkedIn", 1, 120.0),
//!     ("PPC > LandingPage", 0, 0.0),
//!     ("LinkedIn", 1, 80.0),
//!     ("Email > Email > LinkedIn", 1, 60.0),
//!     ("PPC > LandingPage > Email", 0, 0.0),
//!     ("LinkedIn > PPC", 1, 100.0),
//!     ("PPC", 0, 0.0),
//!     ("Email > LinkedIn", 0, 0.0),
//! ] {
//!     let ids = path.split('>').map(|name| set.channels_mut().intern(name)).collect::<Result<Vec<_>, _>>()?;
//!     set.push(Journey::from_channels(&ids, converted, 1 - converted, value)?)?;
//! }
//! let result = ShapleyOrdered::new(0).attribute(&set)?;
//! let email = result.get("Email").ok_or("no Email")?;
//! assert_eq!((email.conversions, email.value), (0.75, 60.0));
//! assert_eq!(email.positions.as_deref(), Some(&[0.25, 0.25, 0.25, 0.0][..]));
//! assert_eq!(email.position_values.as_deref(), Some(&[15.0, 15.0, 30.0, 0.0][..]));
//! let linkedin = result.get("LinkedIn").ok_or("no LinkedIn")?;
//! assert_eq!((linkedin.conversions, linkedin.value), (2.25, 190.0));
//! assert_eq!(linkedin.positions.as_deref(), Some(&[1.5, 0.0, 0.5, 0.25][..]));
//!
//! // Positions 2 and later pooled into a `2+` bucket: the totals stay.
//! let capped = ShapleyOrdered::new(2).attribute(&set)?;
//! let linkedin = capped.get("LinkedIn").ok_or("no LinkedIn")?;
//! assert_eq!(linkedin.positions.as_deref(), Some(&[1.5, 0.75][..]));
//! assert!(linkedin.positions_pooled);
//! assert_eq!(linkedin.conversions, 2.25);
//!
//! // Nothing converts: no credit, no positions.
//! let empty = ShapleyOrdered::new(0).attribute(&JourneySet::new(Channels::new()))?;
//! assert!(empty.channels().is_empty());
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! [`ChannelCredit::positions`]: crate::ChannelCredit::positions
//! [`ChannelCredit::position_values`]: crate::ChannelCredit::position_values
//! [`ChannelCredit::positions_pooled`]: crate::ChannelCredit::positions_pooled

mod state;

pub use state::{InvalidOrderedState, OrderedState};

use rustc_hash::FxHashMap;

use crate::attribution::JourneyCredit;
use crate::channel::{ChannelId, Channels};
use crate::error::ModelError;
use crate::journey::Journey;
use crate::model::heuristic::HeuristicFit;
use crate::model::heuristic::weights::for_each_first_occurrence;
use crate::model::{Merge, Model, ModelSpec, ParamDoc};
use crate::numeric::count_to_f64;

/// Journeys up to this length count touches per channel by scanning;
/// longer ones use a hash map.
const SHORT_JOURNEY: usize = 32;

/// The ordered Shapley value: credit per channel and per position (see the
/// [module docs](self) for the definition, the peer and an example).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub struct ShapleyOrdered {
    max_position: usize,
}

impl ShapleyOrdered {
    /// The parameters of the spec `shapley-ordered:max_position=P`.
    pub const PARAMS: &'static [ParamDoc] = &[ParamDoc {
        key: "max_position",
        default: "0",
        doc: "positions P and later pool into a `P+` bucket (0: no cap)",
    }];

    /// The model with positions from `max_position` on pooled (0: no cap).
    #[must_use]
    pub fn new(max_position: usize) -> Self {
        Self { max_position }
    }

    /// The model of `spec`, e.g. `shapley-ordered:max_position=5`.
    ///
    /// # Errors
    ///
    /// [`ModelError::InvalidParameter`] for a `max_position` that is not a
    /// non-negative integer; [`ModelError::UnknownParameter`] for another
    /// key.
    pub fn from_spec(spec: &ModelSpec) -> Result<Self, ModelError> {
        let params = crate::model::spec::Params::new(spec, "shapley-ordered", Self::PARAMS, &[])?;
        let max_position = params
            .parse(
                "max_position",
                "expected a non-negative integer (0: no cap)",
                |t| t.parse::<usize>().ok(),
            )?
            .unwrap_or(0);
        Ok(Self::new(max_position))
    }

    /// The position cap (0: none).
    #[must_use]
    pub fn max_position(&self) -> usize {
        self.max_position
    }

    /// The 0-based bucket of 0-based position `t`.
    #[inline]
    fn bucket(&self, t: usize) -> usize {
        if self.max_position > 0 {
            t.min(self.max_position - 1)
        } else {
            t
        }
    }

    /// Credits every touch of `journey` with `c` conversions and `v` value
    /// shared as the ordered Shapley value shares them.
    fn credit(&self, state: &mut OrderedState, journey: &Journey, c: f64, v: f64) {
        let touches = journey.touches();
        if touches.len() <= SHORT_JOURNEY {
            let mut counts: Vec<(ChannelId, u32)> = Vec::with_capacity(touches.len());
            for touch in touches {
                match counts.iter_mut().find(|(ch, _)| *ch == touch.channel) {
                    Some(entry) => entry.1 += 1,
                    None => counts.push((touch.channel, 1)),
                }
            }
            let k = len_to_f64(counts.len());
            for (t, touch) in touches.iter().enumerate() {
                let count = counts
                    .iter()
                    .find(|(ch, _)| *ch == touch.channel)
                    .map_or(1, |&(_, n)| n);
                let w = 1.0 / (k * f64::from(count));
                state.credit(touch.channel, self.bucket(t), c * w, v * w);
            }
        } else {
            let mut counts: FxHashMap<ChannelId, u64> = FxHashMap::default();
            for touch in touches {
                *counts.entry(touch.channel).or_insert(0) += 1;
            }
            let k = len_to_f64(counts.len());
            for (t, touch) in touches.iter().enumerate() {
                let count = counts.get(&touch.channel).copied().unwrap_or(1);
                let w = 1.0 / (k * count_to_f64(count));
                state.credit(touch.channel, self.bucket(t), c * w, v * w);
            }
        }
    }

    /// Follows `channels` and checks the journey's channels are in it.
    fn prepare(
        state: &mut OrderedState,
        journey: &Journey,
        channels: &Channels,
    ) -> Result<(), ModelError> {
        state.follow(channels)?;
        if journey.conversions() == 0 {
            return Ok(());
        }
        crate::model::check_channels(journey, channels)
    }
}

impl Model for ShapleyOrdered {
    type State = OrderedState;
    type Fitted = HeuristicFit;

    fn name(&self) -> &'static str {
        "shapley-ordered"
    }

    fn spec(&self) -> ModelSpec {
        ModelSpec::new("shapley-ordered").with("max_position", self.max_position.to_string())
    }

    fn new_state(&self) -> OrderedState {
        OrderedState::new(Model::spec(self))
    }

    fn observe(
        &self,
        state: &mut OrderedState,
        journey: &Journey,
        channels: &Channels,
    ) -> Result<(), ModelError> {
        Self::prepare(state, journey, channels)?;
        let conversions = journey.conversions();
        if conversions == 0 {
            return Ok(());
        }
        let v = journey.value();
        state.check_journey(conversions, 0.0, v)?;
        self.credit(state, journey, count_to_f64(conversions), v);
        state.add_journey(conversions, 0.0, v);
        Ok(())
    }

    fn observe_weighted(
        &self,
        state: &mut OrderedState,
        journey: &Journey,
        channels: &Channels,
        weight: f64,
    ) -> Result<(), ModelError> {
        crate::model::check_weight(weight)?;
        if weight == 1.0 {
            return self.observe(state, journey, channels);
        }
        Self::prepare(state, journey, channels)?;
        let conversions = journey.conversions();
        if conversions == 0 || weight == 0.0 {
            return Ok(());
        }
        let v = journey.value() * weight;
        match crate::model::whole_weight(weight) {
            Some(w) => {
                let conversions = conversions.saturating_mul(w);
                state.check_journey(conversions, 0.0, v)?;
                self.credit(state, journey, count_to_f64(conversions), v);
                state.add_journey(conversions, 0.0, v);
            }
            None => {
                let c = count_to_f64(conversions) * weight;
                state.check_journey(0, c, v)?;
                self.credit(state, journey, c, v);
                state.add_journey(0, c, v);
            }
        }
        Ok(())
    }

    fn fit(&self, state: &OrderedState) -> Result<HeuristicFit, ModelError> {
        crate::model::check_spec(&Model::spec(self), state.spec())?;
        state
            .to_attribution(
                "shapley-ordered",
                Model::parameters(self),
                self.max_position,
            )
            .map(HeuristicFit::new)
    }

    /// Each of the journey's k distinct channels gets 1/k (the sum of its
    /// touches' shares), in order of first touch; `None` without
    /// conversions. The fit is not needed.
    fn journey_credit(
        &self,
        journey: &Journey,
        channels: &Channels,
        _fitted: Option<&HeuristicFit>,
    ) -> Result<Option<JourneyCredit>, ModelError> {
        if journey.conversions() == 0 {
            return Ok(None);
        }
        crate::model::check_channels(journey, channels)?;
        let mut shares = Vec::new();
        for_each_first_occurrence(journey, |channel, k| {
            shares.push((channel, 1.0 / len_to_f64(k)));
        });
        Ok(Some(JourneyCredit {
            journey: 0,
            shares,
            baseline: 0.0,
        }))
    }
}

crate::model::registry::factory!(
    ShapleyOrderedFactory,
    ShapleyOrdered,
    "shapley-ordered",
    "ordered Shapley value: each channel's 1/k split over its touches, credit per position"
);

/// A length as `f64` (exact below 2^53).
fn len_to_f64(n: usize) -> f64 {
    count_to_f64(u64::try_from(n).unwrap_or(u64::MAX))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::journey::JourneySet;

    #[test]
    fn long_and_short_journeys_share_alike() {
        let mut set = JourneySet::new(Channels::new());
        let a = set.channels_mut().intern("A").unwrap();
        let b = set.channels_mut().intern("B").unwrap();
        // 40 touches: A at even positions, B at odd ones, then one more A.
        let mut path: Vec<_> = (0..40).map(|i| if i % 2 == 0 { a } else { b }).collect();
        path.push(a);
        set.push(Journey::from_channels(&path, 2, 0, 4.0).unwrap())
            .unwrap();
        let result = ShapleyOrdered::new(0).attribute(&set).unwrap();
        let credit = result.get("A").unwrap();
        assert!((credit.conversions - 1.0).abs() < 1e-15);
        let positions = credit.positions.as_deref().unwrap();
        assert_eq!(positions.len(), 41);
        assert_eq!(positions[0], 1.0 / 21.0);
        assert_eq!(positions[1], 0.0);
        let capped = ShapleyOrdered::new(3).attribute(&set).unwrap();
        let b_credit = capped.get("B").unwrap();
        let positions = b_credit.positions.as_deref().unwrap();
        assert_eq!(positions.len(), 3);
        // B: 2 conversions / (2 channels × 20 touches) per touch; 19 pooled.
        assert_eq!(positions[1], 0.05);
        assert!((positions[2] - 0.95).abs() < 1e-14);
    }
}
