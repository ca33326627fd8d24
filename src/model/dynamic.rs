//! Object-safe models and states: [`DynModel`], [`DynState`], [`DynFitted`].

use std::any::Any;

use crate::attribution::{Attribution, JourneyCredit};
use crate::channel::Channels;
use crate::error::ModelError;
use crate::journey::{Journey, JourneySet};

use super::{Fitted, Merge, Model, ModelSpec, StateEnvelope};

/// A model's state behind a trait object: any [`Model::State`].
///
/// `dyn DynState` has the inherent methods `spec`, `channels` and
/// `extend_channels` (those of [`Merge`]); the trait's own methods have
/// distinct names so that they never clash with [`Merge`]'s on a concrete
/// state.
pub trait DynState: Any + Send + Sync {
    /// The state as [`Any`], to downcast to the concrete state type.
    fn as_any(&self) -> &dyn Any;
    /// The state as mutable [`Any`].
    fn as_any_mut(&mut self) -> &mut dyn Any;
    /// A boxed copy.
    fn clone_box(&self) -> Box<dyn DynState>;
    /// [`Merge::spec`].
    fn state_spec(&self) -> &ModelSpec;
    /// [`Merge::channels`].
    fn state_channels(&self) -> &Channels;
    /// [`Merge::extend_channels`].
    ///
    /// # Errors
    ///
    /// As [`Merge::extend_channels`].
    fn extend_state_channels(&mut self, channels: &Channels) -> Result<(), ModelError>;
}

impl<T: Merge + Clone + Send + Sync + 'static> DynState for T {
    fn as_any(&self) -> &dyn Any {
        self
    }

    fn as_any_mut(&mut self) -> &mut dyn Any {
        self
    }

    fn clone_box(&self) -> Box<dyn DynState> {
        Box::new(self.clone())
    }

    fn state_spec(&self) -> &ModelSpec {
        Merge::spec(self)
    }

    fn state_channels(&self) -> &Channels {
        Merge::channels(self)
    }

    fn extend_state_channels(&mut self, channels: &Channels) -> Result<(), ModelError> {
        Merge::extend_channels(self, channels)
    }
}

impl dyn DynState {
    /// The spec of the model that made the state ([`Merge::spec`]).
    #[must_use]
    pub fn spec(&self) -> &ModelSpec {
        self.state_spec()
    }

    /// The channel names the state's data refer to ([`Merge::channels`]).
    #[must_use]
    pub fn channels(&self) -> &Channels {
        self.state_channels()
    }

    /// See [`Merge::extend_channels`].
    ///
    /// # Errors
    ///
    /// As [`Merge::extend_channels`].
    pub fn extend_channels(&mut self, channels: &Channels) -> Result<(), ModelError> {
        self.extend_state_channels(channels)
    }
}

impl Clone for Box<dyn DynState> {
    fn clone(&self) -> Self {
        self.clone_box()
    }
}

impl std::fmt::Debug for dyn DynState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DynState")
            .field("spec", &self.spec().to_string())
            .field("channels", &self.channels().len())
            .finish_non_exhaustive()
    }
}

/// A fitted model behind a trait object: any [`Model::Fitted`].
///
/// `dyn DynFitted` has the inherent method `attribution`; downcast with
/// [`DynFitted::as_any`] to reach a model's own fit (e.g.
/// [`MarkovFit`](super::markov::MarkovFit)).
pub trait DynFitted: Send + Sync {
    /// [`Fitted::attribution`].
    fn fitted_attribution(&self) -> &Attribution;
    /// The fit as [`Any`], to downcast to the concrete type.
    fn as_any(&self) -> &dyn Any;
}

impl<T: Fitted> DynFitted for T {
    fn fitted_attribution(&self) -> &Attribution {
        Fitted::attribution(self)
    }

    fn as_any(&self) -> &dyn Any {
        self
    }
}

impl dyn DynFitted {
    /// The attribution of the fit.
    #[must_use]
    pub fn attribution(&self) -> &Attribution {
        self.fitted_attribution()
    }
}

/// An attribution model behind a trait object. Implemented for every
/// [`Model`].
///
/// # Example
///
/// ```
/// use attribution::model::{DynModel, Registry};
/// use attribution::{Channels, Journey};
///
/// let registry = Registry::builtin();
/// let models: Vec<Box<dyn DynModel>> = ["first-touch", "markov:order=2"]
///     .iter()
///     .map(|spec| registry.parse(spec))
///     .collect::<Result<_, _>>()?;
/// let mut channels = Channels::new();
/// let ids = [channels.intern("PPC")?, channels.intern("Email")?];
/// let journey = Journey::from_channels(&ids, 1, 0, 10.0)?;
/// for model in &models {
///     let mut state = model.new_state();
///     model.observe(state.as_mut(), &journey, &channels)?;
///     let result = model.finish(state.as_ref())?;
///     assert_eq!(result.total_conversions(), 1.0);
/// }
/// // A state of another model is an error, not a panic.
/// let markov_state = models[1].new_state();
/// assert!(models[0].finish(markov_state.as_ref()).is_err());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
///
/// Every [`Model`] is a [`DynModel`] (blanket implementation), so a program
/// can hold models of different types in one list (`Vec<Box<dyn DynModel>>`,
/// as [`Registry::parse`](super::Registry::parse) returns them) and their
/// states as `Box<dyn DynState>`. A state handed to a model of another type
/// is an error ([`ModelError::WrongState`]), never a panic.
///
/// The methods share the names of [`Model`]'s: on a concrete model, call
/// them through whichever trait is imported (importing both makes method
/// calls on concrete models ambiguous; `Box<dyn DynModel>` needs no import).
pub trait DynModel: Send + Sync {
    /// As [`Model::name`].
    fn name(&self) -> &'static str;
    /// As [`Model::spec`].
    fn spec(&self) -> ModelSpec;
    /// As [`Model::parameters`].
    fn parameters(&self) -> Vec<(String, String)>;
    /// As [`Model::new_state`].
    fn new_state(&self) -> Box<dyn DynState>;
    /// As [`Model::observe`].
    ///
    /// # Errors
    ///
    /// As [`Model::observe`]; [`ModelError::WrongState`] for a state of
    /// another model type.
    fn observe(
        &self,
        state: &mut dyn DynState,
        journey: &Journey,
        channels: &Channels,
    ) -> Result<(), ModelError>;
    /// As [`Model::observe_weighted`].
    ///
    /// # Errors
    ///
    /// As [`Model::observe_weighted`]; [`ModelError::WrongState`] for a
    /// state of another model type.
    fn observe_weighted(
        &self,
        state: &mut dyn DynState,
        journey: &Journey,
        channels: &Channels,
        weight: f64,
    ) -> Result<(), ModelError>;
    /// [`Merge::merge`] of two states of this model.
    ///
    /// # Errors
    ///
    /// As [`Merge::merge`]; [`ModelError::WrongState`] for a state of
    /// another model type.
    fn merge(&self, state: &mut dyn DynState, other: &dyn DynState) -> Result<(), ModelError>;
    /// As [`Model::finish`].
    ///
    /// # Errors
    ///
    /// As [`Model::finish`]; [`ModelError::WrongState`] for a state of
    /// another model type.
    fn finish(&self, state: &dyn DynState) -> Result<Attribution, ModelError>;
    /// As [`Model::fit`].
    ///
    /// # Errors
    ///
    /// As [`Model::fit`]; [`ModelError::WrongState`] for a state of
    /// another model type.
    fn fit(&self, state: &dyn DynState) -> Result<Box<dyn DynFitted>, ModelError>;
    /// As [`Model::journey_credit`].
    ///
    /// # Errors
    ///
    /// As [`Model::journey_credit`]; [`ModelError::WrongState`] for a fit
    /// of another model type.
    fn journey_credit(
        &self,
        journey: &Journey,
        channels: &Channels,
        fitted: Option<&dyn DynFitted>,
    ) -> Result<Option<JourneyCredit>, ModelError>;
    /// As [`Model::requires_timestamps`].
    fn requires_timestamps(&self) -> bool;
    /// As [`Model::supports_tokens`].
    fn supports_tokens(&self) -> bool;
    /// The state as bytes ([`StateEnvelope::to_bytes`]).
    ///
    /// # Errors
    ///
    /// As [`StateEnvelope::to_bytes`]; [`ModelError::WrongState`].
    fn state_to_bytes(&self, state: &dyn DynState) -> Result<Vec<u8>, ModelError>;
    /// The state as JSON ([`StateEnvelope::to_json`]).
    ///
    /// # Errors
    ///
    /// As [`StateEnvelope::to_json`]; [`ModelError::WrongState`].
    fn state_to_json(&self, state: &dyn DynState) -> Result<String, ModelError>;
    /// Reads a binary state of this model ([`StateEnvelope::from_bytes`]).
    ///
    /// # Errors
    ///
    /// As [`StateEnvelope::from_bytes`]; [`ModelError::WrongState`] for a
    /// state of another spec.
    fn state_from_bytes(&self, bytes: &[u8]) -> Result<Box<dyn DynState>, ModelError>;
    /// Reads a JSON state of this model ([`StateEnvelope::from_json`]).
    ///
    /// # Errors
    ///
    /// As [`StateEnvelope::from_json`]; [`ModelError::WrongState`] for a
    /// state of another spec.
    fn state_from_json(&self, text: &str) -> Result<Box<dyn DynState>, ModelError>;
    /// As [`Model::attribute`].
    ///
    /// # Errors
    ///
    /// As [`Model::attribute`].
    fn attribute(&self, journeys: &JourneySet) -> Result<Attribution, ModelError>;
}

impl std::fmt::Debug for dyn DynModel {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_tuple("DynModel")
            .field(&self.spec().to_string())
            .finish()
    }
}

/// The state as `M`'s, or [`ModelError::WrongState`].
fn downcast<'a, M: Model>(model: &M, state: &'a dyn DynState) -> Result<&'a M::State, ModelError> {
    state
        .as_any()
        .downcast_ref::<M::State>()
        .ok_or_else(|| wrong_type(model))
}

fn downcast_mut<'a, M: Model>(
    model: &M,
    state: &'a mut dyn DynState,
) -> Result<&'a mut M::State, ModelError> {
    state
        .as_any_mut()
        .downcast_mut::<M::State>()
        .ok_or_else(|| wrong_type(model))
}

fn wrong_type<M: Model>(model: &M) -> ModelError {
    ModelError::WrongState {
        model: Model::spec(model).to_string(),
        state: None,
    }
}

impl<M: Model + 'static> DynModel for M {
    fn name(&self) -> &'static str {
        Model::name(self)
    }

    fn spec(&self) -> ModelSpec {
        Model::spec(self)
    }

    fn parameters(&self) -> Vec<(String, String)> {
        Model::parameters(self)
    }

    fn new_state(&self) -> Box<dyn DynState> {
        Box::new(Model::new_state(self))
    }

    fn observe(
        &self,
        state: &mut dyn DynState,
        journey: &Journey,
        channels: &Channels,
    ) -> Result<(), ModelError> {
        Model::observe(self, downcast_mut(self, state)?, journey, channels)
    }

    fn observe_weighted(
        &self,
        state: &mut dyn DynState,
        journey: &Journey,
        channels: &Channels,
        weight: f64,
    ) -> Result<(), ModelError> {
        Model::observe_weighted(self, downcast_mut(self, state)?, journey, channels, weight)
    }

    fn merge(&self, state: &mut dyn DynState, other: &dyn DynState) -> Result<(), ModelError> {
        let other = downcast(self, other)?;
        downcast_mut(self, state)?.merge(other)
    }

    fn finish(&self, state: &dyn DynState) -> Result<Attribution, ModelError> {
        Model::finish(self, downcast(self, state)?)
    }

    fn fit(&self, state: &dyn DynState) -> Result<Box<dyn DynFitted>, ModelError> {
        Ok(Box::new(Model::fit(self, downcast(self, state)?)?))
    }

    fn journey_credit(
        &self,
        journey: &Journey,
        channels: &Channels,
        fitted: Option<&dyn DynFitted>,
    ) -> Result<Option<JourneyCredit>, ModelError> {
        let fitted = fitted
            .map(|f| {
                f.as_any()
                    .downcast_ref::<M::Fitted>()
                    .ok_or_else(|| wrong_type(self))
            })
            .transpose()?;
        Model::journey_credit(self, journey, channels, fitted)
    }

    fn requires_timestamps(&self) -> bool {
        Model::requires_timestamps(self)
    }

    fn supports_tokens(&self) -> bool {
        Model::supports_tokens(self)
    }

    fn attribute(&self, journeys: &JourneySet) -> Result<Attribution, ModelError> {
        Model::attribute(self, journeys)
    }

    fn state_to_bytes(&self, state: &dyn DynState) -> Result<Vec<u8>, ModelError> {
        StateEnvelope::new(downcast(self, state)?.clone()).to_bytes()
    }

    fn state_to_json(&self, state: &dyn DynState) -> Result<String, ModelError> {
        StateEnvelope::new(downcast(self, state)?.clone()).to_json()
    }

    fn state_from_bytes(&self, bytes: &[u8]) -> Result<Box<dyn DynState>, ModelError> {
        own_state(self, StateEnvelope::<M::State>::from_bytes(bytes)?)
    }

    fn state_from_json(&self, text: &str) -> Result<Box<dyn DynState>, ModelError> {
        own_state(self, StateEnvelope::<M::State>::from_json(text)?)
    }
}

/// The state of `envelope`, if `model` made it.
fn own_state<M: Model>(
    model: &M,
    envelope: StateEnvelope<M::State>,
) -> Result<Box<dyn DynState>, ModelError> {
    let spec = Model::spec(model);
    if envelope.spec != spec {
        return Err(ModelError::WrongState {
            model: spec.to_string(),
            state: Some(envelope.spec.to_string()),
        });
    }
    Ok(Box::new(envelope.state))
}
