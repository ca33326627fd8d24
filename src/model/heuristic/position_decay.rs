//! [`PositionDecay`].

use super::weights::{TouchWeights, heuristic_model};
use crate::channel::{ChannelId, Channels};
use crate::error::ModelError;
use crate::journey::Journey;

/// Position decay: each step back from the end of the journey multiplies a
/// touch's weight by `ratio`.
///
/// The touch k steps before the last one gets `ratio^k` (the last touch 1),
/// normalised within the journey. `ratio = 1` is [`Linear`](super::Linear)
/// per touch; `ratio → 0` tends to [`LastTouch`](super::LastTouch). It is the
/// timestamp-free cousin of [`TimeDecay`](super::TimeDecay), for aggregated
/// paths without times; it is a separate, explicit model, never a silent
/// fallback. Default ratio 0.5. Peers: ChannelAttribution has no such model.
///
/// # Errors
///
/// [`PositionDecay::new`] returns [`ModelError::InvalidParameter`] (`ratio`)
/// unless `0 < ratio <= 1`. Observing never fails.
///
/// # Complexity
///
/// O(L) per journey of L touches (two passes, no allocation).
///
/// # Example
///
/// The tiny journeys of the fixtures, ratio 1/2: J1 gives 1/15, 2/15, 4/15,
/// 8/15; J4 (`Email > Email > LinkedIn`) gives Email 3/7, LinkedIn 4/7; J6
/// gives LinkedIn 1/3, PPC 2/3.
///
/// ```
/// use attribution::model::heuristic::PositionDecay;
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
/// let result = PositionDecay::new(0.5)?.attribute(&set)?;
/// let close = |a: f64, b: f64| (a - b).abs() <= 1e-12 * b.abs().max(1.0);
/// for (name, conversions, value) in [
///     ("PPC", 11.0 / 15.0, 224.0 / 3.0),
///     ("LandingPage", 2.0 / 15.0, 16.0),
///     ("Email", 73.0 / 105.0, 404.0 / 7.0),
///     ("LinkedIn", 256.0 / 105.0, 4444.0 / 21.0),
/// ] {
///     let credit = result.get(name).ok_or("missing channel")?;
///     assert!(close(credit.conversions, conversions) && close(credit.value, value));
/// }
/// assert_eq!(result.parameters(), [("ratio".to_owned(), "0.5".to_owned())]);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PositionDecay {
    ratio: f64,
}

impl Default for PositionDecay {
    /// Ratio 0.5.
    fn default() -> Self {
        Self { ratio: 0.5 }
    }
}

impl PositionDecay {
    /// The parameters of the spec `position-decay:rate=R`.
    pub const PARAMS: &'static [crate::model::ParamDoc] = &[crate::model::ParamDoc {
        key: "rate",
        default: "0.5",
        doc: "the ratio r in (0, 1]: a touch k steps before the last weighs r^k",
    }];

    /// The model of `spec`, e.g. `position-decay:rate=0.5` (`ratio` is
    /// accepted for `rate`).
    ///
    /// # Errors
    ///
    /// As [`PositionDecay::new`]; [`ModelError::InvalidParameter`] for a
    /// value that is not a number; [`ModelError::UnknownParameter`] for
    /// another key.
    pub fn from_spec(spec: &crate::model::ModelSpec) -> Result<Self, ModelError> {
        let params = crate::model::spec::Params::new(
            spec,
            "position-decay",
            Self::PARAMS,
            &[("ratio", "rate")],
        )?;
        let rate = params.parse("rate", "expected a number in (0, 1]", |t| {
            t.parse::<f64>().ok()
        })?;
        // The spec calls the ratio `rate`.
        Self::new(rate.unwrap_or(Self::default().ratio)).map_err(|e| match e {
            ModelError::InvalidParameter { value, reason, .. } => ModelError::InvalidParameter {
                name: "rate",
                value,
                reason,
            },
            other => other,
        })
    }

    /// Position decay with the given ratio per step.
    ///
    /// # Errors
    ///
    /// [`ModelError::InvalidParameter`] (`ratio`) unless `0 < ratio <= 1`
    /// (NaN is rejected).
    pub fn new(ratio: f64) -> Result<Self, ModelError> {
        if !(ratio > 0.0 && ratio <= 1.0) {
            return Err(ModelError::InvalidParameter {
                name: "ratio",
                value: ratio.to_string(),
                reason: "the decay ratio must be in (0, 1]",
            });
        }
        Ok(Self { ratio })
    }

    /// The ratio per step.
    #[must_use]
    pub fn ratio(&self) -> f64 {
        self.ratio
    }

    pub(crate) fn model_name(&self) -> &'static str {
        "position-decay"
    }

    pub(crate) fn model_spec(&self) -> crate::model::ModelSpec {
        crate::model::ModelSpec::new(self.model_name())
            .with("rate", crate::model::spec::format_f64(self.ratio))
    }

    pub(crate) fn model_parameters(&self) -> Vec<(String, String)> {
        vec![("ratio".to_owned(), self.ratio.to_string())]
    }
}

impl TouchWeights for PositionDecay {
    fn touch_weights<F: FnMut(ChannelId, f64)>(
        &self,
        journey: &Journey,
        _channels: &Channels,
        mut emit: F,
    ) -> Result<(), ModelError> {
        // Weights from the end: 1, r, r², …; the last touch's 1 keeps the
        // total ≥ 1 even when r^L underflows.
        let mut total = 0.0;
        let mut weight = 1.0;
        for _ in journey.channels() {
            total += weight;
            weight *= self.ratio;
        }
        // Emitted from the last touch back (the trait allows any order).
        let mut weight = 1.0 / total;
        for channel in journey.channels().rev() {
            emit(channel, weight);
            weight *= self.ratio;
        }
        Ok(())
    }
}

heuristic_model!(PositionDecay);
crate::model::registry::factory!(
    PositionDecayFactory,
    PositionDecay,
    "position-decay",
    "weight r^(touches before the end), normalised; no timestamps needed"
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn weights_by_hand() {
        let model = PositionDecay::new(0.5).unwrap();
        let mut channels = Channels::new();
        let a = channels.intern("A").unwrap();
        let b = channels.intern("B").unwrap();
        let journey = Journey::from_channels(&[a, b, a], 1, 0, 1.0).unwrap();
        // From the end: 1, 1/2, 1/4 over 7/4 -> A 5/7, B 2/7.
        let shares = model.journey_shares(&journey, &channels).unwrap();
        assert!((shares[0].1 - 5.0 / 7.0).abs() < 1e-15);
        assert!((shares[1].1 - 2.0 / 7.0).abs() < 1e-15);
        let flat = PositionDecay::new(1.0).unwrap();
        let shares = flat.journey_shares(&journey, &channels).unwrap();
        assert!((shares[0].1 - 2.0 / 3.0).abs() < 1e-15);
    }

    #[test]
    fn invalid_ratios_are_rejected() {
        for bad in [0.0, -0.5, 1.0000001, f64::NAN, f64::INFINITY] {
            assert!(
                matches!(
                    PositionDecay::new(bad),
                    Err(ModelError::InvalidParameter { name: "ratio", .. })
                ),
                "{bad}"
            );
        }
        assert_eq!(PositionDecay::new(1e-300).unwrap().ratio(), 1e-300);
    }
}
