//! [`FirstTouch`] and [`LastTouch`].

use super::weights::{TouchWeights, heuristic_model};
use crate::channel::{ChannelId, Channels};
use crate::error::ModelError;
use crate::journey::Journey;

/// First touch: all of a converting journey's conversions and value go to its
/// first touch (`w_1 = 1`).
///
/// Identical in every tool (ChannelAttribution's `heuristic_models`
/// `first_touch`, Google Analytics' "first interaction"). Credits only
/// converting journeys.
///
/// # Errors
///
/// Never fails on a journey; `finish` fails with
/// [`ModelError::UnknownChannel`] if the state names channels outside the table.
///
/// # Complexity
///
/// O(1) per journey; the state holds O(channels) sums.
///
/// # Example
///
/// The tiny journeys of the fixtures (`tests/data/tiny` in the repository):
///
/// ```
/// use attribution::model::heuristic::FirstTouch;
/// use attribution::{Channels, Journey, JourneySet, Model};
///
/// let mut set = JourneySet::new(Channels::new());
/// for (path, converted, value) in [
///     ("PPC > LandingPage > Email > LinkedIn", 1, 120.0),
///     ("PPC > LandingPage", 0, 0.0),
///     ("LinkedIn", 1, 80.0),
///     ("Email > Email > LinkedIn", 1, 60.0),
///     ("PPC > LandingPage > Email", 0, 0.0),
///     ("LinkedIn > PPC", 1, 100.0),
///     ("PPC", 0, 0.0),
///     ("Email > LinkedIn", 0, 0.0),
/// ] {
///     let ids = path.split('>').map(|name| set.channels_mut().intern(name)).collect::<Result<Vec<_>, _>>()?;
///     set.push(Journey::from_channels(&ids, converted, 1 - converted, value)?)?;
/// }
/// let result = FirstTouch.attribute(&set)?;
/// let credit = |name: &str| result.get(name).map(|c| (c.conversions, c.value));
/// assert_eq!(credit("PPC"), Some((1.0, 120.0)));
/// assert_eq!(credit("LandingPage"), Some((0.0, 0.0)));
/// assert_eq!(credit("Email"), Some((1.0, 60.0)));
/// assert_eq!(credit("LinkedIn"), Some((2.0, 180.0)));
/// assert_eq!((result.total_conversions(), result.total_value()), (4.0, 360.0));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct FirstTouch;

impl FirstTouch {
    /// The parameters of the spec: none (`first-touch`).
    pub const PARAMS: &'static [crate::model::ParamDoc] = &[];

    /// The model of `spec` (`first-touch`).
    ///
    /// # Errors
    ///
    /// [`ModelError::UnknownParameter`] for any parameter,
    /// [`ModelError::InvalidSpec`] for another model's spec.
    pub fn from_spec(spec: &crate::model::ModelSpec) -> Result<Self, ModelError> {
        crate::model::spec::Params::new(spec, "first-touch", Self::PARAMS, &[])?;
        Ok(Self)
    }

    pub(crate) fn model_name(&self) -> &'static str {
        "first-touch"
    }

    pub(crate) fn model_spec(&self) -> crate::model::ModelSpec {
        crate::model::ModelSpec::new(self.model_name())
    }

    pub(crate) fn model_parameters(&self) -> Vec<(String, String)> {
        Vec::new()
    }
}

impl TouchWeights for FirstTouch {
    fn touch_weights<F: FnMut(ChannelId, f64)>(
        &self,
        journey: &Journey,
        _channels: &Channels,
        mut emit: F,
    ) -> Result<(), ModelError> {
        if let Some(touch) = journey.first() {
            emit(touch.channel, 1.0);
        }
        Ok(())
    }
}

heuristic_model!(FirstTouch);
crate::model::registry::factory!(
    FirstTouchFactory,
    FirstTouch,
    "first-touch",
    "all credit to the first touch"
);

/// Last touch: all of a converting journey's conversions and value go to its
/// last touch (`w_L = 1`).
///
/// Identical in every tool (ChannelAttribution's `last_touch`). Credits only
/// converting journeys. See [`LastNonDirect`](super::LastNonDirect) for the
/// variant that skips direct visits.
///
/// # Errors
///
/// Never fails on a journey; `finish` fails with
/// [`ModelError::UnknownChannel`] if the state names channels outside the table.
///
/// # Complexity
///
/// O(1) per journey; the state holds O(channels) sums.
///
/// # Example
///
/// The tiny journeys of the fixtures (`tests/data/tiny` in the repository):
///
/// ```
/// use attribution::model::heuristic::LastTouch;
/// use attribution::{Channels, Journey, JourneySet, Model};
///
/// let mut set = JourneySet::new(Channels::new());
/// for (path, converted, value) in [
///     ("PPC > LandingPage > Email > LinkedIn", 1, 120.0),
///     ("PPC > LandingPage", 0, 0.0),
///     ("LinkedIn", 1, 80.0),
///     ("Email > Email > LinkedIn", 1, 60.0),
///     ("PPC > LandingPage > Email", 0, 0.0),
///     ("LinkedIn > PPC", 1, 100.0),
///     ("PPC", 0, 0.0),
///     ("Email > LinkedIn", 0, 0.0),
/// ] {
///     let ids = path.split('>').map(|name| set.channels_mut().intern(name)).collect::<Result<Vec<_>, _>>()?;
///     set.push(Journey::from_channels(&ids, converted, 1 - converted, value)?)?;
/// }
/// let result = LastTouch.attribute(&set)?;
/// let credit = |name: &str| result.get(name).map(|c| (c.conversions, c.value));
/// assert_eq!(credit("PPC"), Some((1.0, 100.0)));
/// assert_eq!(credit("LandingPage"), Some((0.0, 0.0)));
/// assert_eq!(credit("Email"), Some((0.0, 0.0)));
/// assert_eq!(credit("LinkedIn"), Some((3.0, 260.0)));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct LastTouch;

impl LastTouch {
    /// The parameters of the spec: none (`last-touch`).
    pub const PARAMS: &'static [crate::model::ParamDoc] = &[];

    /// The model of `spec` (`last-touch`).
    ///
    /// # Errors
    ///
    /// [`ModelError::UnknownParameter`] for any parameter,
    /// [`ModelError::InvalidSpec`] for another model's spec.
    pub fn from_spec(spec: &crate::model::ModelSpec) -> Result<Self, ModelError> {
        crate::model::spec::Params::new(spec, "last-touch", Self::PARAMS, &[])?;
        Ok(Self)
    }

    pub(crate) fn model_name(&self) -> &'static str {
        "last-touch"
    }

    pub(crate) fn model_spec(&self) -> crate::model::ModelSpec {
        crate::model::ModelSpec::new(self.model_name())
    }

    pub(crate) fn model_parameters(&self) -> Vec<(String, String)> {
        Vec::new()
    }
}

impl TouchWeights for LastTouch {
    fn touch_weights<F: FnMut(ChannelId, f64)>(
        &self,
        journey: &Journey,
        _channels: &Channels,
        mut emit: F,
    ) -> Result<(), ModelError> {
        if let Some(touch) = journey.last() {
            emit(touch.channel, 1.0);
        }
        Ok(())
    }
}

heuristic_model!(LastTouch);
crate::model::registry::factory!(
    LastTouchFactory,
    LastTouch,
    "last-touch",
    "all credit to the last touch"
);

#[cfg(test)]
mod tests {
    use super::*;
    use crate::journey::JourneySet;
    use crate::model::Model;

    #[test]
    fn first_and_last_touch_by_hand() {
        let mut set = JourneySet::new(Channels::new());
        let a = set.channels_mut().intern("A").unwrap();
        let b = set.channels_mut().intern("B").unwrap();
        let c = set.channels_mut().intern("C").unwrap();
        set.push(Journey::from_channels(&[a, b, c], 3, 1, 30.0).unwrap())
            .unwrap();
        set.push(Journey::from_channels(&[b, b], 1, 0, 5.0).unwrap())
            .unwrap();
        set.push(Journey::from_channels(&[c, a], 0, 9, 0.0).unwrap())
            .unwrap();
        let first = FirstTouch.attribute(&set).unwrap();
        let got: Vec<_> = first
            .channels()
            .iter()
            .map(|c| (c.conversions, c.value))
            .collect();
        assert_eq!(got, [(3.0, 30.0), (1.0, 5.0), (0.0, 0.0)]);
        assert_eq!(first.model(), "first-touch");
        assert!(first.parameters().is_empty());
        let last = LastTouch.attribute(&set).unwrap();
        let got: Vec<_> = last
            .channels()
            .iter()
            .map(|c| (c.conversions, c.value))
            .collect();
        assert_eq!(got, [(0.0, 0.0), (1.0, 5.0), (3.0, 30.0)]);
        assert_eq!(last.total_conversions(), 4.0);
    }
}
