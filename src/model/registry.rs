//! [`ModelFactory`] and [`Registry`]: models built from their specs.

use super::dynamic::DynModel;
use super::spec::{ModelSpec, ParamDoc};
use crate::error::ModelError;

/// Builds one model from its specs: the registry's view of a model type.
///
/// `build` is the only validation: it checks every parameter (linfa-style
/// validated configurations), so a built model always runs.
pub trait ModelFactory: Send + Sync {
    /// The model's name as specs spell it (e.g. `position-based`).
    fn name(&self) -> &'static str;
    /// What the model does, in one line.
    fn summary(&self) -> &'static str;
    /// The parameters, in canonical order, with defaults.
    fn params(&self) -> &'static [ParamDoc];
    /// The model of `spec` (missing parameters take their defaults).
    ///
    /// # Errors
    ///
    /// [`ModelError::UnknownParameter`] for a key the model does not have,
    /// [`ModelError::InvalidParameter`] for a bad value,
    /// [`ModelError::InvalidSpec`] for a spec of another model.
    fn build(&self, spec: &ModelSpec) -> Result<Box<dyn DynModel>, ModelError>;
}

/// Implements [`ModelFactory`] on a unit struct for a model type with
/// `PARAMS` and `from_spec`.
macro_rules! factory {
    ($factory:ident, $model:ty, $name:literal, $summary:literal) => {
        /// The [`ModelFactory`](crate::model::ModelFactory) of this model.
        pub(crate) struct $factory;

        impl $crate::model::ModelFactory for $factory {
            fn name(&self) -> &'static str {
                $name
            }

            fn summary(&self) -> &'static str {
                $summary
            }

            fn params(&self) -> &'static [$crate::model::ParamDoc] {
                <$model>::PARAMS
            }

            fn build(
                &self,
                spec: &$crate::model::ModelSpec,
            ) -> Result<Box<dyn $crate::model::DynModel>, $crate::error::ModelError> {
                Ok(Box::new(<$model>::from_spec(spec)?))
            }
        }
    };
}
pub(crate) use factory;

/// A model and a state of it, as [`Registry::read_state`] returns them.
pub type ModelAndState = (Box<dyn DynModel>, Box<dyn super::DynState>);

/// Every model the program knows, by name: parses specs into models and
/// reads serialised states.
///
/// [`Registry::builtin`] holds every model of this crate; a program adds
/// its own with [`Registry::register`] (a model is a type implementing
/// [`Model`](crate::Model) plus a [`ModelFactory`]).
///
/// # Example
///
/// ```
/// use attribution::model::Registry;
///
/// let registry = Registry::builtin();
/// assert_eq!(
///     registry.names(),
///     ["first-touch", "last-touch", "last-non-direct", "linear", "position-based",
///      "time-decay", "position-decay", "markov", "shapley", "shapley-rate",
///      "shapley-exact-set", "shapley-ordered", "shao-li", "participation", "markov-shapley",
///      "dda", "leave-one-out"]
/// );
/// let model = registry.parse("position-based:first=0.3")?;
/// assert_eq!(model.spec().to_string(), "position-based:first=0.3,last=0.4");
/// assert_eq!(
///     registry.parse("u-shaped").err().map(|e| e.to_string()).as_deref(),
///     Some("unknown model `u-shaped` (known models: first-touch, last-touch, last-non-direct, \
///           linear, position-based, time-decay, position-decay, markov, shapley, shapley-rate, \
///           shapley-exact-set, shapley-ordered, shao-li, participation, markov-shapley, dda, \
///           leave-one-out)")
/// );
/// assert_eq!(
///     registry.parse("markov:ordr=2").err().map(|e| e.to_string()).as_deref(),
///     Some("model `markov` has no parameter `ordr` (its parameters: order, max_steps, self_loops)")
/// );
/// assert_eq!(
///     registry.parse("markov:order=x").err().map(|e| e.to_string()).as_deref(),
///     Some("invalid parameter `order` = x: the Markov order must be an integer from 1 to 32")
/// );
/// # Ok::<(), attribution::ModelError>(())
/// ```
pub struct Registry {
    factories: Vec<Box<dyn ModelFactory>>,
}

impl std::fmt::Debug for Registry {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Registry")
            .field("names", &self.names())
            .finish()
    }
}

impl Registry {
    /// A registry without models.
    #[must_use]
    pub fn empty() -> Self {
        Self {
            factories: Vec::new(),
        }
    }

    /// Every model of this crate: the heuristics, Markov, then the Shapley
    /// family (set games, ordered), Shao & Li and participation.
    #[must_use]
    pub fn builtin() -> Self {
        use super::heuristic::factories as h;
        use super::shapley::factories as s;
        let factories: Vec<Box<dyn ModelFactory>> = vec![
            Box::new(h::FirstTouchFactory),
            Box::new(h::LastTouchFactory),
            Box::new(h::LastNonDirectFactory),
            Box::new(h::LinearFactory),
            Box::new(h::PositionBasedFactory),
            Box::new(h::TimeDecayFactory),
            Box::new(h::PositionDecayFactory),
            Box::new(super::markov::MarkovFactory),
            Box::new(s::ShapleyFactory),
            Box::new(s::ShapleyRateFactory),
            Box::new(s::ShapleyExactSetFactory),
            Box::new(super::ordered::ShapleyOrderedFactory),
            Box::new(super::shao_li::ShaoLiFactory),
            Box::new(s::ParticipationFactory),
            Box::new(super::markov_shapley::MarkovShapleyFactory),
            Box::new(super::dda::DdaFactory),
            Box::new(super::leave_one_out::LeaveOneOutFactory),
        ];
        Self { factories }
    }

    /// Adds a model.
    ///
    /// # Errors
    ///
    /// [`ModelError::DuplicateModel`] when a model of that name is
    /// registered already.
    pub fn register(&mut self, factory: impl ModelFactory + 'static) -> Result<(), ModelError> {
        if self.factory(factory.name()).is_some() {
            return Err(ModelError::DuplicateModel {
                name: factory.name().to_owned(),
            });
        }
        self.factories.push(Box::new(factory));
        Ok(())
    }

    /// The names of the registered models, in registration order.
    #[must_use]
    pub fn names(&self) -> Vec<&'static str> {
        self.factories.iter().map(|f| f.name()).collect()
    }

    /// The registered factories, in registration order.
    pub fn factories(&self) -> impl ExactSizeIterator<Item = &dyn ModelFactory> + '_ {
        self.factories.iter().map(AsRef::as_ref)
    }

    /// The factory of the model called `name` (ASCII case-insensitive).
    #[must_use]
    pub fn factory(&self, name: &str) -> Option<&dyn ModelFactory> {
        let name = name.trim();
        self.factories()
            .find(|f| f.name().eq_ignore_ascii_case(name))
    }

    /// The model of `spec`.
    ///
    /// # Errors
    ///
    /// [`ModelError::UnknownModel`] (with the known names), and as
    /// [`ModelFactory::build`].
    ///
    /// A `transform` key (path transforms, see [`crate::model::transform`]) is the
    /// registry's, for every model: it is taken off the spec, the model is
    /// built from the rest and put behind the transforms
    /// ([`Transforms::wrap`](crate::model::transform::Transforms::wrap)).
    pub fn build(&self, spec: &ModelSpec) -> Result<Box<dyn DynModel>, ModelError> {
        let (inner, transforms) = crate::model::transform::Transforms::split_spec(spec)?;
        let model = self
            .factory(&inner.name)
            .ok_or_else(|| ModelError::UnknownModel {
                name: inner.name.clone(),
                known: self.names().iter().map(|&n| n.to_owned()).collect(),
            })?
            .build(&inner)?;
        if transforms.makes_tokens() && !model.supports_tokens() {
            return Err(ModelError::TokensUnsupported {
                model: model.name().to_owned(),
            });
        }
        Ok(transforms.wrap(model))
    }

    /// The model of the spec text `text` (see [`ModelSpec`] for the syntax).
    ///
    /// # Errors
    ///
    /// [`ModelError::InvalidSpec`] for a syntax error, and as
    /// [`Registry::build`].
    pub fn parse(&self, text: &str) -> Result<Box<dyn DynModel>, ModelError> {
        self.build(&text.parse()?)
    }

    /// Reads a serialised state, JSON or bytes (see [`StateEnvelope`]):
    /// builds the model of its spec and decodes the state.
    ///
    /// # Errors
    ///
    /// As [`StateEnvelope::from_json`] and [`StateEnvelope::from_bytes`];
    /// [`ModelError::UnknownModel`] for a model this registry lacks.
    ///
    /// # Example
    ///
    /// ```
    /// use attribution::model::Registry;
    /// use attribution::{Channels, Journey};
    ///
    /// let registry = Registry::builtin();
    /// let model = registry.parse("markov:order=2")?;
    /// let mut channels = Channels::new();
    /// let ids = [channels.intern("PPC")?, channels.intern("Email")?];
    /// let mut state = model.new_state();
    /// model.observe(state.as_mut(), &Journey::from_channels(&ids, 1, 1, 10.0)?, &channels)?;
    /// let bytes = model.state_to_bytes(state.as_ref())?;
    ///
    /// let (read_model, read_state) = registry.read_state(&bytes)?;
    /// assert_eq!(read_model.spec(), model.spec());
    /// assert_eq!(read_state.channels(), &channels);
    /// assert_eq!(read_model.finish(read_state.as_ref())?, model.finish(state.as_ref())?);
    /// assert_eq!(
    ///     registry.read_state(b"path,total_conversions\n").unwrap_err().to_string(),
    ///     "not an attribution state file"
    /// );
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    ///
    /// [`StateEnvelope`]: super::StateEnvelope
    /// [`StateEnvelope::from_json`]: super::StateEnvelope::from_json
    /// [`StateEnvelope::from_bytes`]: super::StateEnvelope::from_bytes
    pub fn read_state(&self, data: &[u8]) -> Result<ModelAndState, ModelError> {
        let spec = super::state_file::peek_spec(data)?;
        let model = self.build(&spec)?;
        let state = match super::state_file::encoding(data)? {
            super::state_file::Encoding::Json(text) => model.state_from_json(text)?,
            super::state_file::Encoding::Bytes(bytes) => model.state_from_bytes(bytes)?,
        };
        Ok((model, state))
    }
}

impl Default for Registry {
    /// [`Registry::builtin`].
    fn default() -> Self {
        Self::builtin()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn canonical_specs_round_trip_for_every_model() {
        let registry = Registry::builtin();
        for factory in registry.factories() {
            let default = factory.build(&ModelSpec::new(factory.name())).unwrap();
            let spec = default.spec();
            assert_eq!(spec.name, factory.name());
            let keys: Vec<&str> = spec.params.iter().map(|(k, _)| k.as_str()).collect();
            let documented: Vec<&str> = factory.params().iter().map(|p| p.key).collect();
            assert_eq!(keys, documented, "{}", factory.name());
            for (param, (_, value)) in factory.params().iter().zip(&spec.params) {
                assert_eq!(param.default, value, "{}", factory.name());
            }
            let again = registry.parse(&spec.to_string()).unwrap();
            assert_eq!(again.spec(), spec);
        }
    }

    #[test]
    fn register_refuses_a_duplicate_name() {
        let mut registry = Registry::empty();
        registry
            .register(crate::model::markov::MarkovFactory)
            .unwrap();
        assert_eq!(
            registry.register(crate::model::markov::MarkovFactory),
            Err(ModelError::DuplicateModel {
                name: "markov".to_owned()
            })
        );
        assert_eq!(registry.names(), ["markov"]);
    }
}
