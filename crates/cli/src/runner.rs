//! Runs several models over one stream of journeys.

use attribution::{Attribution, Channels, Journey, Model, ModelError};

/// A model together with its running state, behind a trait object so that a
/// list of different models can observe the same stream in one pass.
pub trait Runner {
    /// Folds one journey into the state.
    fn observe(&mut self, journey: &Journey, channels: &Channels) -> Result<(), ModelError>;
    /// Finishes the state into an attribution.
    fn finish(&self, channels: &Channels) -> Result<Attribution, ModelError>;
}

struct ModelRunner<M: Model> {
    model: M,
    state: M::State,
}

impl<M: Model> Runner for ModelRunner<M> {
    fn observe(&mut self, journey: &Journey, channels: &Channels) -> Result<(), ModelError> {
        self.model.observe(&mut self.state, journey, channels)
    }

    fn finish(&self, channels: &Channels) -> Result<Attribution, ModelError> {
        self.model.finish(&self.state, channels)
    }
}

/// Boxes a model with a fresh state.
pub fn runner<M: Model + 'static>(model: M) -> Box<dyn Runner> {
    Box::new(ModelRunner {
        model,
        state: M::State::default(),
    })
}
