//! [`PositionBased`] (U-shaped).

use super::weights::{TouchWeights, heuristic_model};
use crate::channel::{ChannelId, Channels};
use crate::error::ModelError;
use crate::journey::Journey;
use crate::numeric::count_to_f64;

/// Rounding slack allowed on `first + last <= 1` (a few ulps of 1), so that
/// e.g. `(0.7, 0.3)` is accepted whatever the rounding of the sum.
const SUM_SLACK: f64 = 4.0 * f64::EPSILON;

/// Position-based (U-shaped): weight `first` to the first touch, `last` to
/// the last, the rest split equally over the middle **touches**.
///
/// For a converting journey of L touches with weights (f, l):
///
/// * L = 1: the only touch gets 1.
/// * L = 2: the first touch gets f/(f+l), the last l/(f+l) (0.5 each for the
///   default weights). When f = l = 0 this ratio is undefined; we split
///   evenly (1/2, 1/2), the limit of equal weights tending to 0.
/// * L ≥ 3: first f, last l, each of the L − 2 middle touches (1 − f − l)/(L − 2).
///   Repeats are not collapsed: a channel filling two middle positions gets
///   two shares, and `Email > Email > LinkedIn` gives Email 0.4 + 0.2.
///
/// Default weights (0.4, 0.4), the common "40/20/40". ChannelAttribution has
/// no position-based model; GA's former "position based" model uses the same
/// split but on its own (deduplicated) paths.
///
/// # Errors
///
/// [`PositionBased::new`] returns [`ModelError::InvalidParameter`] when a
/// weight is negative or NaN (`first`/`last`) or `first + last > 1`
/// (`first+last`, beyond 4 ulps of rounding). Observing never fails.
///
/// # Complexity
///
/// O(L) per journey of L touches.
///
/// # Example
///
/// The tiny journeys of the fixtures (`tests/data/tiny` in the repository):
///
/// ```
/// use attribution::model::heuristic::PositionBased;
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
/// let result = PositionBased::new(0.4, 0.4)?.attribute(&set)?;
/// let close = |a: f64, b: f64| (a - b).abs() <= 1e-12 * b.abs().max(1.0);
/// for (name, conversions, value) in [
///     ("PPC", 0.9, 98.0),          // 0.4 of J1, 0.5 of J6 (L = 2)
///     ("LandingPage", 0.1, 12.0),  // a middle touch of J1: 0.2 / 2
///     ("Email", 0.7, 48.0),        // 0.1 of J1, 0.4 + 0.2 of J4
///     ("LinkedIn", 2.3, 202.0),    // 0.4 of J1, all of J3, 0.4 of J4, 0.5 of J6
/// ] {
///     let credit = result.get(name).ok_or("missing channel")?;
///     assert!(close(credit.conversions, conversions) && close(credit.value, value));
/// }
/// assert!(PositionBased::new(0.7, 0.4).is_err());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PositionBased {
    first: f64,
    last: f64,
}

impl Default for PositionBased {
    /// Weights (0.4, 0.4).
    fn default() -> Self {
        Self {
            first: 0.4,
            last: 0.4,
        }
    }
}

impl PositionBased {
    /// The parameters of the spec `position-based:first=F,last=L`.
    pub const PARAMS: &'static [crate::model::ParamDoc] = &[
        crate::model::ParamDoc {
            key: "first",
            default: "0.4",
            doc: "the weight of the first touch",
        },
        crate::model::ParamDoc {
            key: "last",
            default: "0.4",
            doc: "the weight of the last touch (first + last <= 1; the rest goes to the middle)",
        },
    ];

    /// The model of `spec`, e.g. `position-based:first=0.3,last=0.3`.
    ///
    /// # Errors
    ///
    /// As [`PositionBased::new`]; [`ModelError::InvalidParameter`] for a
    /// value that is not a number; [`ModelError::UnknownParameter`] for
    /// another key.
    pub fn from_spec(spec: &crate::model::ModelSpec) -> Result<Self, ModelError> {
        let params = crate::model::spec::Params::new(spec, "position-based", Self::PARAMS, &[])?;
        let weight = |key| params.parse(key, "expected a number", |t| t.parse::<f64>().ok());
        let default = Self::default();
        Self::new(
            weight("first")?.unwrap_or(default.first),
            weight("last")?.unwrap_or(default.last),
        )
    }

    /// A model giving `first` to the first touch and `last` to the last.
    ///
    /// # Errors
    ///
    /// [`ModelError::InvalidParameter`] when `first` or `last` is negative
    /// or NaN, or their sum exceeds 1 (with 4 ulps of slack for rounding).
    pub fn new(first: f64, last: f64) -> Result<Self, ModelError> {
        for (name, weight) in [("first", first), ("last", last)] {
            if weight.is_nan() || weight < 0.0 {
                return Err(ModelError::InvalidParameter {
                    name,
                    value: weight.to_string(),
                    reason: "position weights must be non-negative numbers",
                });
            }
        }
        if first + last > 1.0 + SUM_SLACK {
            return Err(ModelError::InvalidParameter {
                name: "first+last",
                value: (first + last).to_string(),
                reason: "the first and last weights must sum to at most 1",
            });
        }
        // Normalise -0.0 so parameters print canonically.
        Ok(Self {
            first: first + 0.0,
            last: last + 0.0,
        })
    }

    /// The weight of the first touch.
    #[must_use]
    pub fn first(&self) -> f64 {
        self.first
    }

    /// The weight of the last touch.
    #[must_use]
    pub fn last(&self) -> f64 {
        self.last
    }

    pub(crate) fn model_name(&self) -> &'static str {
        "position-based"
    }

    pub(crate) fn model_spec(&self) -> crate::model::ModelSpec {
        use crate::model::spec::format_f64;
        crate::model::ModelSpec::new(self.model_name())
            .with("first", format_f64(self.first))
            .with("last", format_f64(self.last))
    }

    pub(crate) fn model_parameters(&self) -> Vec<(String, String)> {
        vec![
            ("first".to_owned(), self.first.to_string()),
            ("last".to_owned(), self.last.to_string()),
        ]
    }
}

impl TouchWeights for PositionBased {
    fn touch_weights<F: FnMut(ChannelId, f64)>(
        &self,
        journey: &Journey,
        _channels: &Channels,
        mut emit: F,
    ) -> Result<(), ModelError> {
        let len = journey.len();
        let mut channels = journey.channels();
        match (channels.next(), channels.next_back()) {
            (Some(only), None) => emit(only, 1.0),
            (Some(first), Some(last)) if len == 2 => {
                let ends = self.first + self.last;
                if ends > 0.0 {
                    emit(first, self.first / ends);
                    emit(last, self.last / ends);
                } else {
                    emit(first, 0.5);
                    emit(last, 0.5);
                }
            }
            (Some(first), Some(last)) => {
                emit(first, self.first);
                let middle_count = count_to_f64(u64::try_from(len - 2).unwrap_or(u64::MAX));
                let middle = (1.0 - self.first - self.last).max(0.0) / middle_count;
                for channel in channels {
                    emit(channel, middle);
                }
                emit(last, self.last);
            }
            (None, _) => {}
        }
        Ok(())
    }
}

heuristic_model!(PositionBased);
crate::model::registry::factory!(
    PositionBasedFactory,
    PositionBased,
    "position-based",
    "U-shaped: first and last touches weigh most, the middle shares the rest"
);

#[cfg(test)]
mod tests {
    use super::*;
    use crate::journey::JourneySet;
    use crate::model::Model;

    fn shares(model: &PositionBased, path: &[&str]) -> Vec<(String, f64)> {
        let mut channels = Channels::new();
        let ids: Vec<_> = path.iter().map(|n| channels.intern(n).unwrap()).collect();
        let journey = Journey::from_channels(&ids, 1, 0, 1.0).unwrap();
        model
            .journey_shares(&journey, &channels)
            .unwrap()
            .into_iter()
            .map(|(id, s)| (channels.name(id).unwrap().to_owned(), s))
            .collect()
    }

    fn s(pairs: &[(&str, f64)]) -> Vec<(String, f64)> {
        pairs.iter().map(|&(n, x)| (n.to_owned(), x)).collect()
    }

    #[test]
    fn short_journeys() {
        let model = PositionBased::default();
        assert_eq!(shares(&model, &["A"]), s(&[("A", 1.0)]));
        assert_eq!(shares(&model, &["A", "B"]), s(&[("A", 0.5), ("B", 0.5)]));
        assert_eq!(shares(&model, &["A", "A"]), s(&[("A", 1.0)]));
        let skewed = PositionBased::new(0.375, 0.125).unwrap();
        assert_eq!(shares(&skewed, &["A", "B"]), s(&[("A", 0.75), ("B", 0.25)]));
        let zero = PositionBased::new(0.0, 0.0).unwrap();
        assert_eq!(shares(&zero, &["A", "B"]), s(&[("A", 0.5), ("B", 0.5)]));
        // Only the middle counts when the ends get nothing.
        assert_eq!(
            shares(&zero, &["A", "B", "B", "C"]),
            s(&[("A", 0.0), ("B", 1.0), ("C", 0.0)])
        );
    }

    #[test]
    fn repeats_in_the_middle_get_several_shares() {
        let model = PositionBased::new(0.25, 0.25).unwrap();
        // Middle: B, C, B over 0.5 -> 1/6 each.
        let got = shares(&model, &["A", "B", "C", "B", "D"]);
        assert_eq!(got[0], ("A".to_owned(), 0.25));
        assert!((got[1].1 - 1.0 / 3.0).abs() < 1e-15);
        assert!((got[2].1 - 1.0 / 6.0).abs() < 1e-15);
        assert_eq!(got[3], ("D".to_owned(), 0.25));
        // First and last on the same channel add up.
        let got = shares(&model, &["A", "B", "A"]);
        assert_eq!(got, s(&[("A", 0.5), ("B", 0.5)]));
    }

    #[test]
    fn custom_weights_through_the_model() {
        let model = PositionBased::new(0.5, 0.3).unwrap();
        assert_eq!(
            model.parameters(),
            [
                ("first".to_owned(), "0.5".to_owned()),
                ("last".to_owned(), "0.3".to_owned())
            ]
        );
        let mut set = JourneySet::new(Channels::new());
        let a = set.channels_mut().intern("A").unwrap();
        let b = set.channels_mut().intern("B").unwrap();
        let c = set.channels_mut().intern("C").unwrap();
        set.push(Journey::from_channels(&[a, b, c], 10, 0, 100.0).unwrap())
            .unwrap();
        let result = model.attribute(&set).unwrap();
        let got: Vec<_> = result.channels().iter().map(|c| c.value).collect();
        assert_eq!(got[0], 50.0);
        assert!((got[1] - 20.0).abs() < 1e-12);
        assert_eq!(got[2], 30.0);
    }

    #[test]
    fn invalid_weights_are_rejected() {
        for (f, l, name) in [
            (-0.1, 0.4, "first"),
            (0.4, -0.0001, "last"),
            (f64::NAN, 0.4, "first"),
            (0.4, f64::NAN, "last"),
            (0.6, 0.5, "first+last"),
            (f64::INFINITY, 0.0, "first+last"),
        ] {
            match PositionBased::new(f, l) {
                Err(ModelError::InvalidParameter { name: got, .. }) => assert_eq!(got, name),
                other => panic!("({f}, {l}) gave {other:?}"),
            }
        }
        assert!(PositionBased::new(0.7, 0.3).is_ok());
        assert!(PositionBased::new(1.0, 0.0).is_ok());
        assert!(PositionBased::new(-0.0, 0.0).is_ok());
    }
}
