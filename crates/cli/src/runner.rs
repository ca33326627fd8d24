//! Runs several models over one stream of journeys: each model with its
//! state, behind the registry's object-safe [`DynModel`] and [`DynState`].

use std::sync::Arc;

use attribution::model::{DynModel, DynState};
use attribution::{Attribution, Channels, Journey, ModelError};

/// A model together with its running state, so that a list of different
/// models can observe the same stream in one pass (and threads can each
/// hold a [`Running::fresh`] copy).
pub struct Running {
    /// The model.
    pub model: Arc<dyn DynModel>,
    /// Its state.
    pub state: Box<dyn DynState>,
}

impl Running {
    /// The model with an empty state.
    pub fn new(model: Arc<dyn DynModel>) -> Self {
        Self {
            state: model.new_state(),
            model,
        }
    }

    /// The same model with an empty state (for another thread).
    pub fn fresh(&self) -> Self {
        Self::new(Arc::clone(&self.model))
    }

    /// Folds one journey into the state.
    pub fn observe(&mut self, journey: &Journey, channels: &Channels) -> Result<(), ModelError> {
        self.model.observe(self.state.as_mut(), journey, channels)
    }

    /// Merges the state of `other`, a running copy of the same model.
    pub fn merge(&mut self, other: &Self) -> Result<(), ModelError> {
        self.model.merge(self.state.as_mut(), other.state.as_ref())
    }

    /// Finishes the state (see [`finish`]).
    pub fn finish(&self) -> Result<Attribution, ModelError> {
        finish(self.model.as_ref(), self.state.as_ref())
    }
}

/// Finishes `state`, with the command's warnings about the result (a
/// Markov step cap that removes most of the conversion probability).
pub fn finish(model: &dyn DynModel, state: &dyn DynState) -> Result<Attribution, ModelError> {
    match crate::markov::finish_with_warning(model, state) {
        Some(result) => result,
        None => model.finish(state),
    }
}
