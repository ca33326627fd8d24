//! [`Heuristic`]: every heuristic model behind one type, by CLI name.

use std::fmt;
use std::str::FromStr;

use super::weights::{TouchWeights, heuristic_model};
use super::{
    FirstTouch, LastNonDirect, LastTouch, Linear, PositionBased, PositionDecay, TimeDecay,
};
use crate::channel::{ChannelId, Channels};
use crate::error::ModelError;
use crate::journey::Journey;

/// Any heuristic model, so that a caller (the command line's `--model all`)
/// can hold and run a list of them. It implements [`Model`](crate::Model)
/// (state [`HeuristicState`](super::HeuristicState)) and [`TouchWeights`] by
/// delegating to the wrapped model.
///
/// # Example
///
/// ```
/// use attribution::model::heuristic::Heuristic;
/// use attribution::{Channels, Journey, JourneySet, Model};
///
/// let mut set = JourneySet::new(Channels::new());
/// let ppc = set.channels_mut().intern("PPC")?;
/// let email = set.channels_mut().intern("Email")?;
/// set.push(Journey::from_channels(&[ppc, email], 1, 0, 10.0)?)?;
/// let model: Heuristic = "first-touch".parse()?;
/// assert_eq!(model.attribute(&set)?.get("PPC").map(|c| c.value), Some(10.0));
/// let untimed: Vec<&str> = Heuristic::all()
///     .iter()
///     .filter(|m| !m.needs_timestamps())
///     .map(|m| m.name())
///     .collect();
/// assert_eq!(untimed, ["first-touch", "last-touch", "last-non-direct", "linear", "position-based", "position-decay"]);
/// assert!("markov".parse::<Heuristic>().is_err());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum Heuristic {
    /// See [`FirstTouch`].
    FirstTouch(FirstTouch),
    /// See [`LastTouch`].
    LastTouch(LastTouch),
    /// See [`LastNonDirect`].
    LastNonDirect(LastNonDirect),
    /// See [`Linear`].
    Linear(Linear),
    /// See [`PositionBased`].
    PositionBased(PositionBased),
    /// See [`TimeDecay`].
    TimeDecay(TimeDecay),
    /// See [`PositionDecay`].
    PositionDecay(PositionDecay),
}

impl Heuristic {
    /// The names the command line accepts, in the order of [`Heuristic::all`].
    pub const NAMES: [&'static str; 7] = [
        "first-touch",
        "last-touch",
        "last-non-direct",
        "linear",
        "position-based",
        "time-decay",
        "position-decay",
    ];

    /// Every heuristic with its default configuration, in the order of
    /// [`Heuristic::NAMES`]. Time decay needs timestamps: see
    /// [`Heuristic::needs_timestamps`].
    #[must_use]
    pub fn all() -> Vec<Self> {
        vec![
            Self::FirstTouch(FirstTouch),
            Self::LastTouch(LastTouch),
            Self::LastNonDirect(LastNonDirect::default()),
            Self::Linear(Linear::default()),
            Self::PositionBased(PositionBased::default()),
            Self::TimeDecay(TimeDecay::default()),
            Self::PositionDecay(PositionDecay::default()),
        ]
    }

    /// The heuristic called `name` (as the command line spells it, ASCII
    /// case-insensitive, surrounding whitespace ignored), with its default
    /// configuration.
    #[must_use]
    pub fn from_name(name: &str) -> Option<Self> {
        let name = name.trim();
        Self::NAMES
            .iter()
            .zip(Self::all())
            .find(|(known, _)| known.eq_ignore_ascii_case(name))
            .map(|(_, model)| model)
    }

    /// The heuristic of `spec` (any heuristic's spec, e.g. `linear:split=channel`).
    ///
    /// # Errors
    ///
    /// [`ModelError::UnknownModel`] for a name that is not a heuristic's,
    /// and as the model's `from_spec`.
    pub fn from_spec(spec: &crate::model::ModelSpec) -> Result<Self, ModelError> {
        let name = spec.name.trim();
        Ok(
            match Self::NAMES
                .iter()
                .position(|n| n.eq_ignore_ascii_case(name))
            {
                Some(0) => FirstTouch::from_spec(spec)?.into(),
                Some(1) => LastTouch::from_spec(spec)?.into(),
                Some(2) => LastNonDirect::from_spec(spec)?.into(),
                Some(3) => Linear::from_spec(spec)?.into(),
                Some(4) => PositionBased::from_spec(spec)?.into(),
                Some(5) => TimeDecay::from_spec(spec)?.into(),
                Some(6) => PositionDecay::from_spec(spec)?.into(),
                _ => {
                    return Err(ModelError::UnknownModel {
                        name: spec.name.clone(),
                        known: Self::NAMES.iter().map(|&n| n.to_owned()).collect(),
                    });
                }
            },
        )
    }

    /// Whether the model needs touch timestamps on converting journeys.
    #[must_use]
    pub fn needs_timestamps(&self) -> bool {
        matches!(self, Self::TimeDecay(_))
    }

    pub(crate) fn model_name(&self) -> &'static str {
        match self {
            Self::FirstTouch(m) => m.model_name(),
            Self::LastTouch(m) => m.model_name(),
            Self::LastNonDirect(m) => m.model_name(),
            Self::Linear(m) => m.model_name(),
            Self::PositionBased(m) => m.model_name(),
            Self::TimeDecay(m) => m.model_name(),
            Self::PositionDecay(m) => m.model_name(),
        }
    }

    pub(crate) fn model_spec(&self) -> crate::model::ModelSpec {
        match self {
            Self::FirstTouch(m) => m.model_spec(),
            Self::LastTouch(m) => m.model_spec(),
            Self::LastNonDirect(m) => m.model_spec(),
            Self::Linear(m) => m.model_spec(),
            Self::PositionBased(m) => m.model_spec(),
            Self::TimeDecay(m) => m.model_spec(),
            Self::PositionDecay(m) => m.model_spec(),
        }
    }

    pub(crate) fn model_parameters(&self) -> Vec<(String, String)> {
        match self {
            Self::FirstTouch(m) => m.model_parameters(),
            Self::LastTouch(m) => m.model_parameters(),
            Self::LastNonDirect(m) => m.model_parameters(),
            Self::Linear(m) => m.model_parameters(),
            Self::PositionBased(m) => m.model_parameters(),
            Self::TimeDecay(m) => m.model_parameters(),
            Self::PositionDecay(m) => m.model_parameters(),
        }
    }
}

impl TouchWeights for Heuristic {
    fn touch_weights<F: FnMut(ChannelId, f64)>(
        &self,
        journey: &Journey,
        channels: &Channels,
        emit: F,
    ) -> Result<(), ModelError> {
        match self {
            Self::FirstTouch(m) => m.touch_weights(journey, channels, emit),
            Self::LastTouch(m) => m.touch_weights(journey, channels, emit),
            Self::LastNonDirect(m) => m.touch_weights(journey, channels, emit),
            Self::Linear(m) => m.touch_weights(journey, channels, emit),
            Self::PositionBased(m) => m.touch_weights(journey, channels, emit),
            Self::TimeDecay(m) => m.touch_weights(journey, channels, emit),
            Self::PositionDecay(m) => m.touch_weights(journey, channels, emit),
        }
    }
}

heuristic_model!(Heuristic, timed);

macro_rules! from_model {
    ($($variant:ident),*) => {$(
        impl From<$variant> for Heuristic {
            fn from(model: $variant) -> Self {
                Self::$variant(model)
            }
        }
    )*};
}
from_model!(
    FirstTouch,
    LastTouch,
    LastNonDirect,
    Linear,
    PositionBased,
    TimeDecay,
    PositionDecay
);

/// The error of parsing a [`Heuristic`] from an unknown name.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown heuristic model `{name}` (expected one of: {})", Heuristic::NAMES.join(", "))]
pub struct UnknownHeuristic {
    /// The rejected name.
    pub name: String,
}

impl FromStr for Heuristic {
    type Err = UnknownHeuristic;

    /// As [`Heuristic::from_name`].
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::from_name(s).ok_or_else(|| UnknownHeuristic { name: s.to_owned() })
    }
}

impl fmt::Display for Heuristic {
    /// The command-line name.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.model_name())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Model;

    #[test]
    fn names_round_trip() {
        for (name, model) in Heuristic::NAMES.iter().zip(Heuristic::all()) {
            assert_eq!(model.name(), *name);
            assert_eq!(model.to_string(), *name);
            assert_eq!(name.parse::<Heuristic>().unwrap(), model);
        }
        assert_eq!(
            Heuristic::from_name(" Position-Based "),
            Some(Heuristic::PositionBased(PositionBased::default()))
        );
        let err = "u-shaped".parse::<Heuristic>().unwrap_err();
        assert!(err.to_string().contains("u-shaped"));
        assert!(err.to_string().contains("time-decay"));
        assert_eq!(
            Heuristic::from(Linear::per_channel()).parameters()[0].1,
            "channel"
        );
    }
}
