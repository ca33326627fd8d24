//! [`MarkovShapleyCounts`]: the mergeable state of `markov-shapley`.

use serde::{Deserialize, Serialize};

use crate::channel::Channels;
use crate::error::ModelError;
use crate::model::markov::TransitionCounts;
use crate::model::{Merge, ModelSpec};

/// The state of [`MarkovShapley`](super::MarkovShapley): the transition
/// counts of `markov` at the model's order (counts `c + n` on every
/// transition, `c` and `n` into `(conversion)` and `(null)`, and the value
/// sum of each last state), carrying the `markov-shapley` spec.
///
/// It merges, serialises and validates exactly as
/// [`TransitionCounts`] does (states remapped by channel name, integer
/// counts merged bit-exactly); states of `markov` and of `markov-shapley`,
/// or of different orders or channel caps, refuse to merge.
///
/// # Example
///
/// ```
/// use attribution::model::markov_shapley::MarkovShapley;
/// use attribution::{Channels, Journey, Merge, Model};
///
/// let model = MarkovShapley::new(1)?;
/// let mut channels = Channels::new();
/// let a = channels.intern("a")?;
/// let mut state = model.new_state();
/// model.observe(&mut state, &Journey::from_channels(&[a, a], 1, 2, 5.0)?, &channels)?;
/// assert_eq!(state.spec().to_string(), "markov-shapley:order=1,max_channels=20");
/// assert_eq!(state.counts().total_journeys(), 3);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct MarkovShapleyCounts(TransitionCounts);

impl MarkovShapleyCounts {
    /// Empty counts of the model of `spec` at `order`.
    pub(super) fn configured(spec: ModelSpec, order: usize) -> Self {
        Self(TransitionCounts::configured(spec, order, false))
    }

    /// The transition counts.
    #[must_use]
    pub fn counts(&self) -> &TransitionCounts {
        &self.0
    }

    pub(super) fn counts_mut(&mut self) -> &mut TransitionCounts {
        &mut self.0
    }
}

impl Merge for MarkovShapleyCounts {
    fn spec(&self) -> &ModelSpec {
        self.0.spec()
    }

    fn channels(&self) -> &Channels {
        self.0.channels()
    }

    fn extend_channels(&mut self, channels: &Channels) -> Result<(), ModelError> {
        self.0.extend_channels(channels)
    }

    /// As [`TransitionCounts`]' merge: by channel name, counts added.
    fn merge(&mut self, other: &Self) -> Result<(), ModelError> {
        self.0.merge(&other.0)
    }
}
