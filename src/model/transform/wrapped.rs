//! A model behind a transform list: [`Transforms::wrap`] builds it, and
//! [`Registry::build`](crate::model::Registry::build) does so for every spec
//! with a `transform` key.

use std::any::Any;

use serde::{Deserialize, Serialize};

use crate::attribution::{Attribution, JourneyCredit};
use crate::channel::Channels;
use crate::error::{ModelError, StateError};
use crate::journey::{Journey, JourneySet};
use crate::model::{
    DynFitted, DynModel, DynState, ModelSpec, STATE_FORMAT, STATE_MAGIC, STATE_VERSION,
};

use super::{TRANSFORM_KEY, Transformer, Transforms};

impl Transforms {
    /// `model` behind this list: a model that transforms every journey
    /// before `model` observes it or credits it. Its spec is `model`'s
    /// plus `transform=…` (the list without `unique`), and its states carry
    /// that spec, so states of different lists refuse to merge. The state
    /// follows the whole channel table, so a channel the transforms leave
    /// without touches is still listed (with 0). An identity list (empty,
    /// or only `unique`) returns `model` itself: no cost, the same spec.
    ///
    /// ```
    /// use attribution::model::Registry;
    /// use attribution::transform::Transforms;
    ///
    /// let registry = Registry::builtin();
    /// let model = Transforms::parse(["trim-last:1"])?.wrap(registry.parse("linear")?);
    /// assert_eq!(model.spec().to_string(), "linear:split=touch,transform=trim-last:1");
    /// // The registry builds the same model from the spec text.
    /// let again = registry.parse("linear:transform=trim-last:1")?;
    /// assert_eq!(again.spec(), model.spec());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    #[must_use]
    pub fn wrap(&self, model: Box<dyn DynModel>) -> Box<dyn DynModel> {
        let canonical = self.canonical();
        if canonical.is_empty() {
            return model;
        }
        let spec = model.spec().with(TRANSFORM_KEY, canonical.spec_value());
        Box::new(Transformed {
            inner: model,
            transforms: canonical,
            spec,
        })
    }
}

/// A model observing transformed journeys.
struct Transformed {
    inner: Box<dyn DynModel>,
    transforms: Transforms,
    /// The inner spec plus `transform=…`.
    spec: ModelSpec,
}

/// The state of a [`Transformed`] model: the inner model's state under the
/// outer spec, and the transformer's buffers (not serialised).
struct TransformedState {
    spec: ModelSpec,
    inner: Box<dyn DynState>,
    scratch: Transformer,
}

impl DynState for TransformedState {
    fn as_any(&self) -> &dyn Any {
        self
    }

    fn as_any_mut(&mut self) -> &mut dyn Any {
        self
    }

    fn clone_box(&self) -> Box<dyn DynState> {
        Box::new(Self {
            spec: self.spec.clone(),
            inner: self.inner.clone_box(),
            scratch: Transformer::new(),
        })
    }

    fn state_spec(&self) -> &ModelSpec {
        &self.spec
    }

    fn state_channels(&self) -> &Channels {
        self.inner.channels()
    }

    fn extend_state_channels(&mut self, channels: &Channels) -> Result<(), ModelError> {
        self.inner.extend_channels(channels)
    }
}

impl Transformed {
    fn wrong(&self, state: Option<&ModelSpec>) -> ModelError {
        ModelError::WrongState {
            model: self.spec.to_string(),
            state: state.map(ToString::to_string),
        }
    }

    fn own<'a>(&self, state: &'a dyn DynState) -> Result<&'a TransformedState, ModelError> {
        let state = state
            .as_any()
            .downcast_ref::<TransformedState>()
            .ok_or_else(|| self.wrong(None))?;
        if state.spec == self.spec {
            Ok(state)
        } else {
            Err(self.wrong(Some(&state.spec)))
        }
    }

    fn own_mut<'a>(
        &self,
        state: &'a mut dyn DynState,
    ) -> Result<&'a mut TransformedState, ModelError> {
        let state = state
            .as_any_mut()
            .downcast_mut::<TransformedState>()
            .ok_or_else(|| self.wrong(None))?;
        if state.spec == self.spec {
            Ok(state)
        } else {
            Err(self.wrong(Some(&state.spec)))
        }
    }

    fn wrap_state(&self, inner: Box<dyn DynState>) -> Box<dyn DynState> {
        Box::new(TransformedState {
            spec: self.spec.clone(),
            inner,
            scratch: Transformer::new(),
        })
    }
}

/// Puts the source journey's id back into an error about it.
fn with_id(e: ModelError, journey: &Journey) -> ModelError {
    match e {
        ModelError::MissingTimestamps { index, id: None } => ModelError::MissingTimestamps {
            index,
            id: journey.id().map(ToOwned::to_owned),
        },
        other => other,
    }
}

fn corrupt(what: impl std::fmt::Display) -> ModelError {
    StateError::Corrupt(what.to_string()).into()
}

#[derive(Serialize)]
struct JsonOut<'a> {
    format: &'static str,
    version: u32,
    spec: &'a ModelSpec,
    state: JsonState<serde_json::Value>,
}

#[derive(Serialize, Deserialize)]
struct JsonState<T> {
    /// The inner model's state file, whole.
    inner: T,
}

#[derive(Deserialize)]
struct JsonIn {
    state: JsonState<serde_json::Value>,
}

impl DynModel for Transformed {
    fn name(&self) -> &'static str {
        self.inner.name()
    }

    fn spec(&self) -> ModelSpec {
        self.spec.clone()
    }

    fn parameters(&self) -> Vec<(String, String)> {
        self.spec.params.clone()
    }

    fn new_state(&self) -> Box<dyn DynState> {
        self.wrap_state(self.inner.new_state())
    }

    fn observe(
        &self,
        state: &mut dyn DynState,
        journey: &Journey,
        channels: &Channels,
    ) -> Result<(), ModelError> {
        let TransformedState { inner, scratch, .. } = self.own_mut(state)?;
        let transformed = scratch.journey(&self.transforms, journey, channels);
        self.inner
            .observe(inner.as_mut(), transformed, channels)
            .map_err(|e| with_id(e, journey))
    }

    fn observe_weighted(
        &self,
        state: &mut dyn DynState,
        journey: &Journey,
        channels: &Channels,
        weight: f64,
    ) -> Result<(), ModelError> {
        let TransformedState { inner, scratch, .. } = self.own_mut(state)?;
        let transformed = scratch.journey(&self.transforms, journey, channels);
        self.inner
            .observe_weighted(inner.as_mut(), transformed, channels, weight)
            .map_err(|e| with_id(e, journey))
    }

    fn merge(&self, state: &mut dyn DynState, other: &dyn DynState) -> Result<(), ModelError> {
        let theirs = other
            .as_any()
            .downcast_ref::<TransformedState>()
            .ok_or_else(|| self.wrong(None))?;
        let mine = self.own_mut(state)?;
        crate::model::check_compatible(&mine.spec, &theirs.spec)?;
        self.inner.merge(mine.inner.as_mut(), theirs.inner.as_ref())
    }

    fn finish(&self, state: &dyn DynState) -> Result<Attribution, ModelError> {
        self.inner.finish(self.own(state)?.inner.as_ref())
    }

    fn fit(&self, state: &dyn DynState) -> Result<Box<dyn DynFitted>, ModelError> {
        self.inner.fit(self.own(state)?.inner.as_ref())
    }

    fn journey_credit(
        &self,
        journey: &Journey,
        channels: &Channels,
        fitted: Option<&dyn DynFitted>,
    ) -> Result<Option<JourneyCredit>, ModelError> {
        let mut scratch = Transformer::new();
        let transformed = scratch.journey(&self.transforms, journey, channels);
        self.inner
            .journey_credit(transformed, channels, fitted)
            .map_err(|e| with_id(e, journey))
    }

    fn requires_timestamps(&self) -> bool {
        self.inner.requires_timestamps()
    }

    fn supports_tokens(&self) -> bool {
        self.inner.supports_tokens()
    }

    /// Magic, version, the outer spec, then the inner model's whole state
    /// file as a byte string.
    fn state_to_bytes(&self, state: &dyn DynState) -> Result<Vec<u8>, ModelError> {
        let state = self.own(state)?;
        let inner = self.inner.state_to_bytes(state.inner.as_ref())?;
        let mut out = Vec::with_capacity(inner.len() + 64);
        out.extend_from_slice(&STATE_MAGIC);
        out.extend_from_slice(&STATE_VERSION.to_le_bytes());
        let out = postcard::to_extend(&self.spec, out).map_err(corrupt)?;
        postcard::to_extend(&inner, out).map_err(corrupt)
    }

    /// The envelope with the outer spec; `state` holds `inner`, the inner
    /// model's whole state file.
    fn state_to_json(&self, state: &dyn DynState) -> Result<String, ModelError> {
        let state = self.own(state)?;
        let inner = self.inner.state_to_json(state.inner.as_ref())?;
        let inner: serde_json::Value = serde_json::from_str(&inner).map_err(corrupt)?;
        serde_json::to_string_pretty(&JsonOut {
            format: STATE_FORMAT,
            version: STATE_VERSION,
            spec: &self.spec,
            state: JsonState { inner },
        })
        .map_err(corrupt)
    }

    fn state_from_bytes(&self, bytes: &[u8]) -> Result<Box<dyn DynState>, ModelError> {
        let spec = crate::model::peek_spec(bytes)?;
        self.check_file_spec(&spec)?;
        // Skip what `peek_spec` checked: magic, version, spec.
        let rest = bytes
            .get(STATE_MAGIC.len() + 4..)
            .ok_or_else(|| corrupt("the data is truncated"))?;
        let (_, rest) = postcard::take_from_bytes::<ModelSpec>(rest)
            .map_err(|_| corrupt("the data is truncated"))?;
        let (inner, rest) = postcard::take_from_bytes::<Vec<u8>>(rest)
            .map_err(|_| corrupt("the data is truncated"))?;
        if !rest.is_empty() {
            return Err(corrupt(format!("{} bytes after the state", rest.len())));
        }
        Ok(self.wrap_state(self.inner.state_from_bytes(&inner)?))
    }

    fn state_from_json(&self, text: &str) -> Result<Box<dyn DynState>, ModelError> {
        let spec = crate::model::peek_spec(text.as_bytes())?;
        self.check_file_spec(&spec)?;
        let full: JsonIn = serde_json::from_str(text).map_err(corrupt)?;
        let inner = serde_json::to_string(&full.state.inner).map_err(corrupt)?;
        Ok(self.wrap_state(self.inner.state_from_json(&inner)?))
    }

    fn attribute(&self, journeys: &JourneySet) -> Result<Attribution, ModelError> {
        let mut state = self.new_state();
        state.extend_channels(journeys.channels())?;
        for (i, journey) in journeys.iter().enumerate() {
            self.observe(state.as_mut(), journey, journeys.channels())
                .map_err(|e| e.at_journey(i))?;
        }
        self.finish(state.as_ref())
    }
}

impl Transformed {
    fn check_file_spec(&self, spec: &ModelSpec) -> Result<(), ModelError> {
        if *spec == self.spec {
            Ok(())
        } else {
            Err(self.wrong(Some(spec)))
        }
    }
}
