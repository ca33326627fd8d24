//! [`Linear`] (per touch and per distinct channel).

use super::weights::{TouchWeights, for_each_first_occurrence, heuristic_model};
use crate::channel::{ChannelId, Channels};
use crate::error::ModelError;
use crate::journey::Journey;
use crate::numeric::count_to_f64;

/// How [`Linear`] splits a journey.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum LinearSplit {
    /// Each of the L touches gets 1/L: a channel touched twice gets 2/L.
    #[default]
    PerTouch,
    /// Each of the k distinct channels of the journey gets 1/k, however often
    /// it was touched.
    PerChannel,
}

/// Linear: a converting journey's conversions and value are split equally.
///
/// * [`LinearSplit::PerTouch`] (the default): every touch gets `1/L`, so a
///   channel touched twice in one journey gets `2/L`. This is
///   ChannelAttribution's `linear_touch` convention.
/// * [`LinearSplit::PerChannel`]: every distinct channel gets `1/k`. Some
///   tools (e.g. GA4's linear model applied to deduplicated channel paths)
///   behave like this.
///
/// # Errors
///
/// Never fails on a journey; `finish` fails with
/// [`ModelError::UnknownChannel`] if the state names channels outside the table.
///
/// # Complexity
///
/// O(L) per journey of L touches for per-touch; per-channel is O(L²) for
/// journeys of at most 32 touches (no allocation for the scan) and O(L)
/// expected beyond.
///
/// # Example
///
/// The tiny journeys of the fixtures (`tests/data/tiny` in the repository): Email gets
/// 1/4 of J1 and 2/3 of J4 per touch, 1/4 + 1/2 per channel.
///
/// ```
/// use attribution::model::heuristic::Linear;
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
/// let close = |a: f64, b: f64| (a - b).abs() <= 1e-12 * b.abs().max(1.0);
///
/// let per_touch = Linear::per_touch().attribute(&set)?;
/// let email = per_touch.get("Email").ok_or("no Email")?;
/// assert!(close(email.conversions, 11.0 / 12.0) && close(email.value, 70.0));
/// let linkedin = per_touch.get("LinkedIn").ok_or("no LinkedIn")?;
/// assert!(close(linkedin.conversions, 25.0 / 12.0) && close(linkedin.value, 180.0));
/// assert_eq!(per_touch.get("PPC").map(|c| (c.conversions, c.value)), Some((0.75, 80.0)));
/// assert_eq!(per_touch.parameters(), [("per".to_owned(), "touch".to_owned())]);
///
/// let per_channel = Linear::per_channel().attribute(&set)?;
/// let email = per_channel.get("Email").ok_or("no Email")?;
/// assert!(close(email.conversions, 0.75) && close(email.value, 60.0));
/// let linkedin = per_channel.get("LinkedIn").ok_or("no LinkedIn")?;
/// assert!(close(linkedin.conversions, 2.25) && close(linkedin.value, 190.0));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub struct Linear {
    split: LinearSplit,
}

impl Linear {
    /// The parameters of the spec `linear:split=touch|channel`.
    pub const PARAMS: &'static [crate::model::ParamDoc] = &[crate::model::ParamDoc {
        key: "split",
        default: "touch",
        doc: "touch: 1/L per touch; channel: 1/k per distinct channel",
    }];

    /// The model of `spec`, e.g. `linear:split=channel` (`per` is accepted
    /// for `split`).
    ///
    /// # Errors
    ///
    /// [`ModelError::InvalidParameter`] for a split other than `touch` or
    /// `channel`; [`ModelError::UnknownParameter`] for another key.
    pub fn from_spec(spec: &crate::model::ModelSpec) -> Result<Self, ModelError> {
        let params =
            crate::model::spec::Params::new(spec, "linear", Self::PARAMS, &[("per", "split")])?;
        let split = params
            .parse("split", "expected touch or channel", |t| {
                if t.eq_ignore_ascii_case("touch") {
                    Some(LinearSplit::PerTouch)
                } else if t.eq_ignore_ascii_case("channel") {
                    Some(LinearSplit::PerChannel)
                } else {
                    None
                }
            })?
            .unwrap_or_default();
        Ok(Self::new(split))
    }

    /// Linear with the given split.
    #[must_use]
    pub fn new(split: LinearSplit) -> Self {
        Self { split }
    }

    /// Every touch gets 1/L (the default).
    #[must_use]
    pub fn per_touch() -> Self {
        Self::new(LinearSplit::PerTouch)
    }

    /// Every distinct channel of the journey gets 1/k.
    #[must_use]
    pub fn per_channel() -> Self {
        Self::new(LinearSplit::PerChannel)
    }

    /// The split.
    #[must_use]
    pub fn split(&self) -> LinearSplit {
        self.split
    }

    pub(crate) fn model_name(&self) -> &'static str {
        "linear"
    }

    pub(crate) fn model_spec(&self) -> crate::model::ModelSpec {
        let split = match self.split {
            LinearSplit::PerTouch => "touch",
            LinearSplit::PerChannel => "channel",
        };
        crate::model::ModelSpec::new(self.model_name()).with("split", split)
    }

    pub(crate) fn model_parameters(&self) -> Vec<(String, String)> {
        let per = match self.split {
            LinearSplit::PerTouch => "touch",
            LinearSplit::PerChannel => "channel",
        };
        vec![("per".to_owned(), per.to_owned())]
    }
}

impl TouchWeights for Linear {
    fn touch_weights<F: FnMut(ChannelId, f64)>(
        &self,
        journey: &Journey,
        _channels: &Channels,
        mut emit: F,
    ) -> Result<(), ModelError> {
        match self.split {
            LinearSplit::PerTouch => {
                let weight = 1.0 / len_to_f64(journey.len());
                for channel in journey.channels() {
                    emit(channel, weight);
                }
            }
            LinearSplit::PerChannel => {
                // The first touch of each of the k distinct channels carries 1/k.
                for_each_first_occurrence(journey, |channel, distinct| {
                    emit(channel, 1.0 / len_to_f64(distinct));
                });
            }
        }
        Ok(())
    }
}

heuristic_model!(Linear);
crate::model::registry::factory!(
    LinearFactory,
    Linear,
    "linear",
    "equal shares per touch (or per distinct channel)"
);

/// A length as `f64` (exact below 2^53).
fn len_to_f64(n: usize) -> f64 {
    count_to_f64(u64::try_from(n).unwrap_or(u64::MAX))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::journey::JourneySet;
    use crate::model::Model;

    #[test]
    fn per_touch_and_per_channel_by_hand() {
        let mut set = JourneySet::new(Channels::new());
        let a = set.channels_mut().intern("A").unwrap();
        let b = set.channels_mut().intern("B").unwrap();
        // A > A > B > A: per touch A 3/4, B 1/4; per channel A 1/2, B 1/2.
        set.push(Journey::from_channels(&[a, a, b, a], 4, 0, 8.0).unwrap())
            .unwrap();
        let touch = Linear::per_touch().attribute(&set).unwrap();
        assert_eq!(touch.get("A").unwrap().conversions, 3.0);
        assert_eq!(touch.get("B").unwrap().value, 2.0);
        let channel = Linear::per_channel().attribute(&set).unwrap();
        assert_eq!(channel.get("A").unwrap().conversions, 2.0);
        assert_eq!(channel.get("B").unwrap().value, 4.0);
        assert_eq!(
            channel.parameters(),
            [("per".to_owned(), "channel".to_owned())]
        );
        assert_eq!(Linear::default(), Linear::per_touch());
    }

    #[test]
    fn per_channel_on_a_long_journey_uses_the_hash_path() {
        let mut set = JourneySet::new(Channels::new());
        let ids: Vec<_> = (0..5)
            .map(|i| set.channels_mut().intern(&format!("c{i}")).unwrap())
            .collect();
        // 100 touches cycling over 5 channels, then 1 extra touch of c0.
        let mut path: Vec<_> = (0..100).map(|i| ids[i % 5]).collect();
        path.push(ids[0]);
        set.push(Journey::from_channels(&path, 5, 0, 10.0).unwrap())
            .unwrap();
        let result = Linear::per_channel().attribute(&set).unwrap();
        for c in result.channels() {
            assert_eq!((c.conversions, c.value), (1.0, 2.0));
        }
        let shares = Linear::per_channel()
            .journey_shares(&set.journeys()[0], set.channels())
            .unwrap();
        assert_eq!(shares.len(), 5);
        assert!(shares.iter().all(|&(_, s)| s == 0.2));
    }
}
