//! [`LastNonDirect`].

use super::weights::{TouchWeights, heuristic_model};
use crate::channel::{ChannelId, Channels};
use crate::error::ModelError;
use crate::journey::Journey;

/// Last non-direct touch: all credit to the last touch whose channel is not
/// *direct*; a journey made only of direct touches credits its last touch.
///
/// The direct set is given by channel **name** (trimmed, compared byte for
/// byte like channel names), default `{"Direct"}`. Names absent from the
/// input's channel table are allowed and simply never match. An empty set
/// makes the model equal to [`LastTouch`](super::LastTouch).
///
/// Peers: Google Analytics' "last non-direct click" follows the same rule
/// (falling back to direct when nothing else is there); ChannelAttribution has
/// no such model.
///
/// # Errors
///
/// [`LastNonDirect::with_direct_channels`] rejects empty names
/// ([`ModelError::InvalidParameter`]). Observing never fails on a journey.
///
/// # Complexity
///
/// O(L·d) string comparisons per journey of L touches and d direct names,
/// at worst; it stops at the last non-direct touch. No allocation.
///
/// # Example
///
/// The tiny journeys of the fixtures have no direct touch, so last non-direct
/// equals last touch there; with `LinkedIn` declared direct:
///
/// ```
/// use attribution::model::heuristic::LastNonDirect;
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
/// let default = LastNonDirect::default().attribute(&set)?;
/// assert_eq!(default.get("LinkedIn").map(|c| c.conversions), Some(3.0));
///
/// let model = LastNonDirect::with_direct_channels(["LinkedIn"])?;
/// let result = model.attribute(&set)?;
/// let credit = |name: &str| result.get(name).map(|c| (c.conversions, c.value));
/// assert_eq!(credit("PPC"), Some((1.0, 100.0)));
/// assert_eq!(credit("LandingPage"), Some((0.0, 0.0)));
/// assert_eq!(credit("Email"), Some((2.0, 180.0)));
/// assert_eq!(credit("LinkedIn"), Some((1.0, 80.0))); // J3 is all direct
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LastNonDirect {
    direct: Vec<String>,
}

impl Default for LastNonDirect {
    /// The direct set `{"Direct"}`.
    fn default() -> Self {
        Self {
            direct: vec!["Direct".to_owned()],
        }
    }
}

impl LastNonDirect {
    /// The parameters of the spec `last-non-direct:direct=NAME|NAME…`.
    pub const PARAMS: &'static [crate::model::ParamDoc] = &[crate::model::ParamDoc {
        key: "direct",
        default: "Direct",
        doc: "the direct channels, separated by | (empty: none, the model is last touch)",
    }];

    /// The model of `spec`, e.g. `last-non-direct:direct=Direct|Email`
    /// (an empty value is the empty set; see
    /// [`ModelSpec`](crate::model::ModelSpec) for escaping `|`).
    ///
    /// # Errors
    ///
    /// As [`LastNonDirect::with_direct_channels`];
    /// [`ModelError::UnknownParameter`] for another key.
    ///
    /// # Example
    ///
    /// ```
    /// use attribution::model::heuristic::LastNonDirect;
    ///
    /// let model = LastNonDirect::from_spec(&"last-non-direct:direct=Direct|Brand search".parse()?)?;
    /// assert_eq!(model.direct_channels(), ["Direct", "Brand search"]);
    /// let none = LastNonDirect::from_spec(&"last-non-direct:direct=".parse()?)?;
    /// assert!(none.direct_channels().is_empty());
    /// # Ok::<(), attribution::ModelError>(())
    /// ```
    pub fn from_spec(spec: &crate::model::ModelSpec) -> Result<Self, ModelError> {
        let params = crate::model::spec::Params::new(spec, "last-non-direct", Self::PARAMS, &[])?;
        match params.get("direct") {
            None => Ok(Self::default()),
            Some("") => Self::with_direct_channels(Vec::<String>::new()),
            Some(list) => Self::with_direct_channels(crate::model::spec::split_list(list)),
        }
    }

    /// A model whose direct set is `names` (trimmed; duplicates ignored).
    ///
    /// # Errors
    ///
    /// [`ModelError::InvalidParameter`] (`direct`) if a name is empty after
    /// trimming.
    pub fn with_direct_channels<I, S>(names: I) -> Result<Self, ModelError>
    where
        I: IntoIterator<Item = S>,
        S: AsRef<str>,
    {
        let mut direct: Vec<String> = Vec::new();
        for name in names {
            let trimmed = name.as_ref().trim();
            if trimmed.is_empty() {
                return Err(ModelError::InvalidParameter {
                    name: "direct",
                    value: format!("{:?}", name.as_ref()),
                    reason: "direct channel names must not be empty",
                });
            }
            if !direct.iter().any(|d| d == trimmed) {
                direct.push(trimmed.to_owned());
            }
        }
        Ok(Self { direct })
    }

    /// The direct channel names, in the order given.
    #[must_use]
    pub fn direct_channels(&self) -> &[String] {
        &self.direct
    }

    pub(crate) fn model_name(&self) -> &'static str {
        "last-non-direct"
    }

    pub(crate) fn model_spec(&self) -> crate::model::ModelSpec {
        crate::model::ModelSpec::new(self.model_name())
            .with("direct", crate::model::spec::join_list(&self.direct))
    }

    pub(crate) fn model_parameters(&self) -> Vec<(String, String)> {
        vec![("direct".to_owned(), self.direct.join(","))]
    }
}

impl TouchWeights for LastNonDirect {
    fn touch_weights<F: FnMut(ChannelId, f64)>(
        &self,
        journey: &Journey,
        channels: &Channels,
        mut emit: F,
    ) -> Result<(), ModelError> {
        // Compare names, not ids: the table may grow between journeys, and
        // a name lookup by id is an index, so this allocates nothing.
        let is_direct = |channel: ChannelId| {
            channels
                .name(channel)
                .is_some_and(|name| self.direct.iter().any(|d| d == name))
        };
        let chosen = journey
            .channels()
            .rev()
            .find(|&c| !is_direct(c))
            .or_else(|| journey.last().map(|t| t.channel));
        if let Some(channel) = chosen {
            emit(channel, 1.0);
        }
        Ok(())
    }
}

heuristic_model!(LastNonDirect);
crate::model::registry::factory!(
    LastNonDirectFactory,
    LastNonDirect,
    "last-non-direct",
    "all credit to the last touch not in the direct set"
);

#[cfg(test)]
mod tests {
    use super::*;
    use crate::journey::JourneySet;
    use crate::model::Model;

    fn set(paths: &[(&[&str], u64, f64)]) -> JourneySet {
        let mut set = JourneySet::new(Channels::new());
        for (path, conversions, value) in paths {
            let ids: Vec<_> = path
                .iter()
                .map(|n| set.channels_mut().intern(n).unwrap())
                .collect();
            set.push(Journey::from_channels(&ids, *conversions, 0, *value).unwrap())
                .unwrap();
        }
        set
    }

    fn credits(model: &LastNonDirect, set: &JourneySet) -> Vec<(String, f64, f64)> {
        model
            .attribute(set)
            .unwrap()
            .channels()
            .iter()
            .map(|c| (c.name.clone(), c.conversions, c.value))
            .collect()
    }

    #[test]
    fn default_skips_direct_and_falls_back_to_last() {
        let set = set(&[
            (&["PPC", "Email", "Direct", "Direct"], 1, 10.0),
            (&["Direct", "Direct"], 2, 4.0),
            (&["Email", "Direct", "PPC"], 1, 1.0),
        ]);
        let got = credits(&LastNonDirect::default(), &set);
        assert_eq!(
            got,
            [
                ("PPC".to_owned(), 1.0, 1.0),
                ("Email".to_owned(), 1.0, 10.0),
                ("Direct".to_owned(), 2.0, 4.0)
            ]
        );
    }

    #[test]
    fn custom_direct_set() {
        let set = set(&[
            (&["PPC", "Organic", "Brand search"], 1, 10.0),
            (&["Organic", "Brand search"], 1, 3.0),
            (&["Direct"], 1, 2.0),
        ]);
        let model =
            LastNonDirect::with_direct_channels([" Brand search", "Organic", "Organic"]).unwrap();
        assert_eq!(model.direct_channels(), ["Brand search", "Organic"]);
        assert_eq!(
            model.parameters(),
            [("direct".to_owned(), "Brand search,Organic".to_owned())]
        );
        let got = credits(&model, &set);
        assert_eq!(
            got,
            [
                ("PPC".to_owned(), 1.0, 10.0),
                ("Organic".to_owned(), 0.0, 0.0),
                ("Brand search".to_owned(), 1.0, 3.0),
                ("Direct".to_owned(), 1.0, 2.0)
            ]
        );
        let empty = LastNonDirect::with_direct_channels(Vec::<String>::new()).unwrap();
        assert_eq!(credits(&empty, &set)[2].1, 2.0);
    }

    #[test]
    fn empty_direct_name_is_rejected() {
        assert!(matches!(
            LastNonDirect::with_direct_channels(["Direct", " "]),
            Err(ModelError::InvalidParameter { name: "direct", .. })
        ));
    }
}
