//! [`MarkovShapley`]: the model's validated configuration (order and
//! channel cap) and its canonical spec.

use crate::error::ModelError;
use crate::model::ModelSpec;
use crate::model::spec::{ParamDoc, Params};

/// The largest `max_channels`: 2^24 coalitions, two `f64` each (256 MiB).
pub const MAX_CHANNELS_LIMIT: usize = 24;

/// The default `max_channels`: 2^20 coalitions (16 MiB of values; about a
/// second at order 1).
pub const DEFAULT_MAX_CHANNELS: usize = 20;

/// `markov-shapley`: the Shapley value of the order-k Markov chain's
/// conversion probability as a game of the channels (see the
/// [module docs](super) for the definition, what it measures and its cost).
///
/// Its spec is `markov-shapley:order=K,max_channels=M`
/// ([`MarkovShapley::PARAMS`]); both are validated when the model is made.
///
/// # Example
///
/// ```
/// use attribution::Model;
/// use attribution::model::markov_shapley::MarkovShapley;
///
/// let model = MarkovShapley::from_spec(&"markov-shapley:order=2".parse()?)?;
/// assert_eq!(model.order(), 2);
/// assert_eq!(model.spec().to_string(), "markov-shapley:order=2,max_channels=20");
/// assert_eq!(
///     MarkovShapley::from_spec(&"markov-shapley:max-channels=25".parse()?)
///         .unwrap_err()
///         .to_string(),
///     "invalid parameter `max_channels` = 25: max_channels must be an integer from 1 to 24 \
///      (2^max_channels coalitions are solved)"
/// );
/// # Ok::<(), attribution::ModelError>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MarkovShapley {
    pub(super) order: usize,
    pub(super) max_channels: usize,
}

impl MarkovShapley {
    /// The model's name, as specs spell it.
    pub const NAME: &'static str = "markov-shapley";

    /// The parameters of the spec, in canonical order.
    pub const PARAMS: &'static [ParamDoc] = &[
        ParamDoc {
            key: "order",
            default: "1",
            doc: "the Markov order K: each state is a window of K consecutive touches (1 to 32)",
        },
        ParamDoc {
            key: "max_channels",
            default: "20",
            doc: "refuse inputs with more channels than this (1 to 24): the game has 2^channels coalitions",
        },
    ];

    /// The model of order `order` with the default channel cap (20).
    ///
    /// # Errors
    ///
    /// [`ModelError::InvalidParameter`] when `order` is 0 or above
    /// [`MAX_ORDER`](crate::model::markov::MAX_ORDER).
    pub fn new(order: usize) -> Result<Self, ModelError> {
        crate::model::markov::Markov::new(order)?;
        Ok(Self {
            order,
            max_channels: DEFAULT_MAX_CHANNELS,
        })
    }

    /// Sets the channel cap: an input with more channels than `max` is
    /// refused with [`ModelError::TooManyChannels`].
    ///
    /// # Errors
    ///
    /// [`ModelError::InvalidParameter`] unless `max` is in
    /// 1..=[`MAX_CHANNELS_LIMIT`].
    pub fn max_channels(mut self, max: usize) -> Result<Self, ModelError> {
        if !(1..=MAX_CHANNELS_LIMIT).contains(&max) {
            return Err(invalid_max_channels(&max.to_string()));
        }
        self.max_channels = max;
        Ok(self)
    }

    /// The model of `spec` (`markov-shapley:order=K,max_channels=M`; missing
    /// keys take their defaults; `max-channels` is accepted for
    /// `max_channels`).
    ///
    /// # Errors
    ///
    /// [`ModelError::InvalidSpec`] for another model's spec,
    /// [`ModelError::UnknownParameter`] for a key not in
    /// [`MarkovShapley::PARAMS`], [`ModelError::InvalidParameter`] for a bad
    /// value.
    pub fn from_spec(spec: &ModelSpec) -> Result<Self, ModelError> {
        let params = Params::new(spec, Self::NAME, Self::PARAMS, &[])?;
        let order = params
            .parse(
                "order",
                "the Markov order must be an integer from 1 to 32",
                |t| t.parse::<usize>().ok(),
            )?
            .unwrap_or(1);
        let model = Self::new(order)?;
        match params.get("max_channels") {
            None => Ok(model),
            Some(text) => match text.parse::<usize>() {
                Ok(max) => model.max_channels(max),
                Err(_) => Err(invalid_max_channels(text)),
            },
        }
    }

    /// The order `k`.
    #[must_use]
    pub fn order(&self) -> usize {
        self.order
    }

    /// The channel cap.
    #[must_use]
    pub fn channel_cap(&self) -> usize {
        self.max_channels
    }

    /// The canonical spec: `markov-shapley:order=K,max_channels=M`.
    pub(super) fn canonical_spec(&self) -> ModelSpec {
        ModelSpec::new(Self::NAME)
            .with("order", self.order.to_string())
            .with("max_channels", self.max_channels.to_string())
    }
}

fn invalid_max_channels(value: &str) -> ModelError {
    ModelError::InvalidParameter {
        name: "max_channels",
        value: value.to_owned(),
        reason: "max_channels must be an integer from 1 to 24 (2^max_channels coalitions are solved)",
    }
}
