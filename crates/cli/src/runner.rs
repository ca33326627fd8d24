//! Runs several models over one stream of journeys.

use std::any::Any;

use attribution::{Attribution, Channels, Journey, Merge, Model, ModelError};

/// A model together with its running state, behind a trait object so that a
/// list of different models can observe the same stream in one pass.
pub trait Runner: Send {
    /// Folds one journey into the state.
    fn observe(&mut self, journey: &Journey, channels: &Channels) -> Result<(), ModelError>;
    /// Finishes the state into an attribution, listing every channel of
    /// `channels` (the final table, which extends the state's).
    fn finish(&mut self, channels: &Channels) -> Result<Attribution, ModelError>;
    /// The same model with an empty state (for another thread).
    fn fresh(&self) -> Box<dyn Runner>;
    /// Merges the state of `other`, a runner of the same model.
    fn merge(&mut self, other: &dyn Runner) -> Result<(), ModelError>;
    /// For [`Runner::merge`].
    fn as_any(&self) -> &dyn Any;
}

struct ModelRunner<M: Model> {
    model: M,
    state: M::State,
}

impl<M: Model + Clone + Send + 'static> Runner for ModelRunner<M> {
    fn observe(&mut self, journey: &Journey, channels: &Channels) -> Result<(), ModelError> {
        self.model.observe(&mut self.state, journey, channels)
    }

    fn finish(&mut self, channels: &Channels) -> Result<Attribution, ModelError> {
        self.state.extend_channels(channels)?;
        self.model.finish(&self.state)
    }

    fn fresh(&self) -> Box<dyn Runner> {
        runner(self.model.clone())
    }

    fn merge(&mut self, other: &dyn Runner) -> Result<(), ModelError> {
        match other.as_any().downcast_ref::<Self>() {
            Some(other) => self.state.merge(&other.state),
            None => Ok(()),
        }
    }

    fn as_any(&self) -> &dyn Any {
        self
    }
}

/// Boxes a model with a fresh state.
pub fn runner<M: Model + Clone + Send + 'static>(model: M) -> Box<dyn Runner> {
    Box::new(ModelRunner {
        state: model.new_state(),
        model,
    })
}
