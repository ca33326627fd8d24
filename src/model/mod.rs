//! Attribution models and the contract they share.
//!
//! Every model is a small, validated configuration plus three operations
//! (the scale-out contract: any partition of the data, one `finish`):
//!
//! * [`Model::observe`] folds one journey into a state;
//! * [`Merge::merge`] combines two states (associative, commutative,
//!   [`Default`] is the identity), so partial states computed on any partition
//!   of the journeys — threads, files, nodes of a distributed engine — combine
//!   into the state of one pass;
//! * [`Model::finish`] turns a state into an [`Attribution`].
//!
//! States hold per-channel data indexed by [`ChannelId`](crate::ChannelId):
//! states that are merged must have been observed against the same channel
//! table (or tables where one extends the other, as a streaming reader's does).

pub mod heuristic;
pub mod markov;

use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::attribution::Attribution;
use crate::channel::Channels;
use crate::error::ModelError;
use crate::journey::{Journey, JourneySet};

/// A mergeable partial result.
pub trait Merge {
    /// Adds `other` into `self`.
    fn merge(&mut self, other: &Self);
}

/// An attribution model: `observe` journeys into a state, `merge` states,
/// `finish` once.
pub trait Model {
    /// The mergeable state of this model.
    type State: Default + Clone + Merge + Serialize + DeserializeOwned + Send + Sync;

    /// The model's name as the command line spells it (e.g. `"last-touch"`).
    fn name(&self) -> &'static str;

    /// The model's parameters as `(name, value)` pairs, for reports.
    fn parameters(&self) -> Vec<(String, String)>;

    /// Folds one journey into `state`. `channels` is the table the journey's
    /// ids refer to.
    ///
    /// # Errors
    ///
    /// When the journey lacks data the model needs (e.g. timestamps).
    fn observe(
        &self,
        state: &mut Self::State,
        journey: &Journey,
        channels: &Channels,
    ) -> Result<(), ModelError>;

    /// Turns a state into the attribution.
    ///
    /// # Errors
    ///
    /// When the state refers to channels outside `channels`, or a numerical
    /// method fails.
    fn finish(&self, state: &Self::State, channels: &Channels) -> Result<Attribution, ModelError>;

    /// Observes every journey of `journeys` and finishes: the one-call form.
    ///
    /// # Errors
    ///
    /// As [`Model::observe`] (with the journey's position filled in) and
    /// [`Model::finish`].
    fn attribute(&self, journeys: &JourneySet) -> Result<Attribution, ModelError> {
        let mut state = Self::State::default();
        for (i, journey) in journeys.iter().enumerate() {
            self.observe(&mut state, journey, journeys.channels())
                .map_err(|e| e.at_journey(i))?;
        }
        self.finish(&state, journeys.channels())
    }
}
