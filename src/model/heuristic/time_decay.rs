//! [`TimeDecay`].

use std::time::Duration;

use chrono::{DateTime, Utc};

use super::weights::{TouchWeights, heuristic_model};
use crate::channel::{ChannelId, Channels};
use crate::error::ModelError;
use crate::journey::Journey;

const SECONDS_PER_DAY: u64 = 86_400;

/// Time decay: touches closer to the conversion get exponentially more credit.
///
/// A touch at time t of a journey converting at time T gets the weight
/// `2^(−(T − t)/h)` with half-life h, and weights are normalised within the
/// journey. When the journey has no conversion time, T is its last touch's
/// time. Because of the normalisation the anchor only matters through the
/// *differences* between touch times: anchoring on the conversion or on the
/// last touch gives the same shares. A touch later than T (bad data) gets a
/// weight above 1; it is not rejected.
///
/// Default half-life: 7 days (GA's former time-decay model used 7 days too).
/// ChannelAttribution has no time-decay model.
///
/// Numerically, exponents are taken relative to the latest touch, so that the
/// largest weight is exactly 1: long journeys with a short half-life never
/// underflow to 0/0.
///
/// # Errors
///
/// * [`TimeDecay::with_half_life`] fails with [`ModelError::InvalidParameter`]
///   (`half_life`) for a zero half-life; [`TimeDecay::with_half_life_secs`]
///   also for a negative, infinite or NaN one.
/// * Observing a **converting** journey without timestamps:
///   [`ModelError::MissingTimestamps`] with the journey's id (and, through
///   [`Model::attribute`](crate::Model::attribute) or
///   [`TouchWeights::journey_credits`], its position). Non-converting journeys
///   give no credit and may lack timestamps.
///
/// # Complexity
///
/// O(L) per journey of L touches (two passes, no allocation).
///
/// # Example
///
/// The tiny journeys of the fixtures (`tests/data/tiny/journeys.csv` in the repository):
///
/// ```
/// use attribution::model::heuristic::TimeDecay;
/// use attribution::{Channels, Journey, JourneySet, Model, Touchpoint};
/// use chrono::{DateTime, Utc};
///
/// let mut set = JourneySet::new(Channels::new());
/// let at = |day: u32, time: &str| -> Result<DateTime<Utc>, chrono::ParseError> {
///     format!("2024-03-{day:02}T{time}:00Z").parse()
/// };
/// for (path, times, converted, value, conversion) in [
///     ("PPC > LandingPage > Email > LinkedIn", [(1, "09:00"), (1, "09:02"), (2, "09:00"), (9, "09:00")].as_slice(), 1, 120.0, Some((9, "09:30"))),
///     ("PPC > LandingPage", &[(1, "12:00"), (1, "12:01")], 0, 0.0, None),
///     ("LinkedIn", &[(3, "09:00")], 1, 80.0, Some((3, "09:10"))),
///     ("Email > Email > LinkedIn", &[(1, "09:00"), (4, "09:00"), (11, "09:00")], 1, 60.0, Some((11, "10:00"))),
///     ("PPC > LandingPage > Email", &[(2, "09:00"), (2, "09:01"), (5, "09:00")], 0, 0.0, None),
///     ("LinkedIn > PPC", &[(1, "09:00"), (15, "09:00")], 1, 100.0, Some((15, "09:05"))),
///     ("PPC", &[(6, "09:00")], 0, 0.0, None),
///     ("Email > LinkedIn", &[(3, "09:00"), (7, "09:00")], 0, 0.0, None),
/// ] {
///     let mut touches = Vec::new();
///     for (name, &(day, time)) in path.split('>').zip(times) {
///         touches.push(Touchpoint::at(set.channels_mut().intern(name)?, at(day, time)?));
///     }
///     let mut journey = Journey::new(touches, converted, 1 - converted, value)?;
///     if let Some((day, time)) = conversion {
///         journey = journey.with_conversion_time(at(day, time)?);
///     }
///     set.push(journey)?;
/// }
/// let result = TimeDecay::default().attribute(&set)?;
/// assert_eq!(result.parameters(), [("half_life".to_owned(), "7d".to_owned())]);
/// let close = |a: f64, b: f64| (a - b).abs() <= 1e-12 * b.abs().max(1.0);
/// for (name, conversions, value) in [
///     ("PPC", 0.9882386220106036, 102.58863464127245),
///     ("LandingPage", 0.18826451209844786, 22.591741451813743),
///     ("Email", 0.6735011302690992, 52.880005133964914),
///     ("LinkedIn", 2.1499957356218493, 181.93961877294888),
/// ] {
///     let credit = result.get(name).ok_or("missing channel")?;
///     assert!(close(credit.conversions, conversions) && close(credit.value, value));
/// }
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct TimeDecay {
    half_life: Duration,
    half_life_secs: f64,
}

impl Default for TimeDecay {
    /// A half-life of 7 days.
    fn default() -> Self {
        let half_life = Duration::from_secs(7 * SECONDS_PER_DAY);
        Self {
            half_life,
            half_life_secs: half_life.as_secs_f64(),
        }
    }
}

impl TimeDecay {
    /// The parameters of the spec `time-decay:half_life=7d`.
    pub const PARAMS: &'static [crate::model::ParamDoc] = &[crate::model::ParamDoc {
        key: "half_life",
        default: "7d",
        doc: "the half-life: a number (decimals allowed) with unit s, m, h, d or w",
    }];

    /// The model of `spec`, e.g. `time-decay:half_life=36h`. The half-life
    /// is a decimal number with a unit `s`, `m`, `h`, `d` or `w` (`1.5s`,
    /// `36h`, `2w`), read exactly to the nanosecond.
    ///
    /// # Errors
    ///
    /// [`ModelError::InvalidParameter`] (`half_life`) for a value that is
    /// not a positive duration; [`ModelError::UnknownParameter`] for
    /// another key.
    ///
    /// # Example
    ///
    /// ```
    /// use std::time::Duration;
    /// use attribution::Model;
    /// use attribution::model::heuristic::TimeDecay;
    ///
    /// let model = TimeDecay::from_spec(&"time-decay:half-life=1.5d".parse()?)?;
    /// assert_eq!(model.half_life(), Duration::from_secs(129_600));
    /// assert_eq!(model.spec().to_string(), "time-decay:half_life=36h");
    /// assert!(TimeDecay::from_spec(&"time-decay:half_life=0d".parse()?).is_err());
    /// # Ok::<(), attribution::ModelError>(())
    /// ```
    pub fn from_spec(spec: &crate::model::ModelSpec) -> Result<Self, ModelError> {
        let params = crate::model::spec::Params::new(spec, "time-decay", Self::PARAMS, &[])?;
        let half_life = params.parse(
            "half_life",
            "expected a positive duration: a number with unit s, m, h, d or w (e.g. 7d, 36h, 1.5s)",
            parse_duration,
        )?;
        match half_life {
            Some(d) => Self::with_half_life(d),
            None => Ok(Self::default()),
        }
    }

    /// Time decay with the given half-life.
    ///
    /// # Errors
    ///
    /// [`ModelError::InvalidParameter`] (`half_life`) if it is zero.
    ///
    /// # Example
    ///
    /// ```
    /// use std::time::Duration;
    /// use attribution::model::heuristic::TimeDecay;
    ///
    /// let model = TimeDecay::with_half_life(Duration::from_secs(36 * 3600))?;
    /// assert_eq!(model.half_life(), Duration::from_secs(129_600));
    /// assert!(TimeDecay::with_half_life(Duration::ZERO).is_err());
    /// # Ok::<(), attribution::ModelError>(())
    /// ```
    pub fn with_half_life(half_life: Duration) -> Result<Self, ModelError> {
        if half_life.is_zero() {
            return Err(ModelError::InvalidParameter {
                name: "half_life",
                value: format_duration(half_life),
                reason: "the half-life must be positive",
            });
        }
        Ok(Self {
            half_life,
            half_life_secs: half_life.as_secs_f64(),
        })
    }

    /// Time decay with a half-life of `seconds`.
    ///
    /// # Errors
    ///
    /// [`ModelError::InvalidParameter`] (`half_life`) unless `seconds` is
    /// finite and positive (and representable as a [`Duration`]).
    pub fn with_half_life_secs(seconds: f64) -> Result<Self, ModelError> {
        let invalid = || ModelError::InvalidParameter {
            name: "half_life",
            value: seconds.to_string(),
            reason: "the half-life must be a positive, finite number of seconds",
        };
        if !seconds.is_finite() || seconds <= 0.0 {
            return Err(invalid());
        }
        let duration = Duration::try_from_secs_f64(seconds).map_err(|_| invalid())?;
        Self::with_half_life(duration).map_err(|_| invalid())
    }

    /// The half-life.
    #[must_use]
    pub fn half_life(&self) -> Duration {
        self.half_life
    }

    pub(crate) fn model_name(&self) -> &'static str {
        "time-decay"
    }

    pub(crate) fn model_spec(&self) -> crate::model::ModelSpec {
        crate::model::ModelSpec::new(self.model_name())
            .with("half_life", format_duration(self.half_life))
    }

    /// Always `true`: time decay needs touch timestamps.
    pub(crate) fn needs_timestamps(&self) -> bool {
        true
    }

    pub(crate) fn model_parameters(&self) -> Vec<(String, String)> {
        vec![("half_life".to_owned(), format_duration(self.half_life))]
    }
}

impl TouchWeights for TimeDecay {
    fn touch_weights<F: FnMut(ChannelId, f64)>(
        &self,
        journey: &Journey,
        _channels: &Channels,
        mut emit: F,
    ) -> Result<(), ModelError> {
        let missing = || ModelError::MissingTimestamps {
            index: None,
            id: journey.id().map(str::to_owned),
        };
        // Journey guarantees all touches are timed or none is.
        let Some(latest) = journey.touches().iter().filter_map(|t| t.time).max() else {
            return Err(missing());
        };
        let mut total = 0.0;
        for touch in journey.touches() {
            let time = touch.time.ok_or_else(missing)?;
            total += self.relative_weight(time, latest);
        }
        for touch in journey.touches() {
            let time = touch.time.ok_or_else(missing)?;
            emit(touch.channel, self.relative_weight(time, latest) / total);
        }
        Ok(())
    }
}

impl TimeDecay {
    /// `2^(−(latest − time)/h)`: the weight relative to the latest touch,
    /// in (0, 1]. Equal to the conversion-anchored weight up to a common
    /// factor, which normalisation cancels.
    fn relative_weight(&self, time: DateTime<Utc>, latest: DateTime<Utc>) -> f64 {
        let delta = latest.signed_duration_since(time);
        let seconds = seconds_f64(delta.num_seconds()) + f64::from(delta.subsec_nanos()) * 1e-9;
        (-seconds / self.half_life_secs).exp2()
    }
}

heuristic_model!(TimeDecay, timed);
crate::model::registry::factory!(
    TimeDecayFactory,
    TimeDecay,
    "time-decay",
    "weight 2^(-age/half-life) at conversion; needs timestamps"
);

#[allow(clippy::cast_precision_loss)] // seconds beyond 2^53 lose sub-second precision only
fn seconds_f64(seconds: i64) -> f64 {
    seconds as f64
}

/// A decimal number with unit `s`, `m`, `h`, `d` or `w`, to the nanosecond
/// (rounded to the nearest); `None` when it is not one or does not fit a
/// [`Duration`].
fn parse_duration(text: &str) -> Option<Duration> {
    let text = text.trim();
    let unit_at = text.find(|c: char| !(c.is_ascii_digit() || c == '.'))?;
    let (number, unit) = text.split_at(unit_at);
    let seconds_per_unit: u128 = match unit.trim() {
        "s" => 1,
        "m" => 60,
        "h" => 3_600,
        "d" => 86_400,
        "w" => 604_800,
        _ => return None,
    };
    let (whole, fraction) = number.split_once('.').unwrap_or((number, ""));
    if whole.is_empty() && fraction.is_empty()
        || fraction.contains('.')
        || fraction.len() > 30
        || whole.len() > 30
    {
        return None;
    }
    let digits = |t: &str| -> Option<u128> {
        if t.is_empty() {
            Some(0)
        } else {
            t.parse().ok()
        }
    };
    let scale = 10u128.checked_pow(u32::try_from(fraction.len()).ok()?)?;
    // nanoseconds = (whole + fraction / scale) · unit · 10^9, rounded.
    let unit_nanos = seconds_per_unit.checked_mul(1_000_000_000)?;
    let numerator = digits(whole)?
        .checked_mul(scale)?
        .checked_add(digits(fraction)?)?
        .checked_mul(unit_nanos)?;
    let nanos = numerator.checked_add(scale / 2)? / scale;
    let secs = u64::try_from(nanos / 1_000_000_000).ok()?;
    let sub = u32::try_from(nanos % 1_000_000_000).ok()?;
    Some(Duration::new(secs, sub))
}

/// `7d`, `36h`, `90m`, `45s`, or exact fractional seconds (`1.5s`): the
/// text [`parse_duration`] reads back to the same duration.
fn format_duration(d: Duration) -> String {
    let secs = d.as_secs();
    if d.subsec_nanos() != 0 {
        let fraction = format!("{:09}", d.subsec_nanos());
        format!("{secs}.{}s", fraction.trim_end_matches('0'))
    } else if secs != 0 && secs % SECONDS_PER_DAY == 0 {
        format!("{}d", secs / SECONDS_PER_DAY)
    } else if secs != 0 && secs % 3600 == 0 {
        format!("{}h", secs / 3600)
    } else if secs != 0 && secs % 60 == 0 {
        format!("{}m", secs / 60)
    } else {
        format!("{secs}s")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::journey::{JourneySet, Touchpoint};
    use crate::model::Model;

    fn t(hours: i64) -> DateTime<Utc> {
        DateTime::from_timestamp(1_700_000_000 + hours * 3600, 0).unwrap()
    }

    #[test]
    fn weights_halve_every_half_life() {
        let model = TimeDecay::with_half_life(Duration::from_secs(3600)).unwrap();
        let mut channels = Channels::new();
        let a = channels.intern("A").unwrap();
        let b = channels.intern("B").unwrap();
        // Touches 2 h and 1 h before the conversion: weights 1/4 and 1/2 -> 1/3, 2/3.
        let journey = Journey::new(
            vec![Touchpoint::at(a, t(0)), Touchpoint::at(b, t(1))],
            3,
            0,
            9.0,
        )
        .unwrap()
        .with_conversion_time(t(2));
        let shares = model.journey_shares(&journey, &channels).unwrap();
        assert!((shares[0].1 - 1.0 / 3.0).abs() < 1e-15);
        assert!((shares[1].1 - 2.0 / 3.0).abs() < 1e-15);
        // Without a conversion time the anchor is the last touch: same shares.
        let untimed_conversion = Journey::new(
            vec![Touchpoint::at(a, t(0)), Touchpoint::at(b, t(1))],
            3,
            0,
            9.0,
        )
        .unwrap();
        assert_eq!(
            model
                .journey_shares(&untimed_conversion, &channels)
                .unwrap(),
            shares
        );
    }

    #[test]
    fn far_apart_touches_do_not_underflow() {
        let model = TimeDecay::with_half_life(Duration::from_secs(1)).unwrap();
        let mut channels = Channels::new();
        let a = channels.intern("A").unwrap();
        let b = channels.intern("B").unwrap();
        let journey = Journey::new(
            vec![Touchpoint::at(a, t(0)), Touchpoint::at(b, t(10_000))],
            1,
            0,
            1.0,
        )
        .unwrap()
        .with_conversion_time(t(20_000));
        let shares = model.journey_shares(&journey, &channels).unwrap();
        assert_eq!(shares, [(a, 0.0), (b, 1.0)]);
    }

    #[test]
    fn missing_timestamps_name_the_journey() {
        let mut set = JourneySet::new(Channels::new());
        let a = set.channels_mut().intern("A").unwrap();
        // A non-converting untimed journey is fine...
        set.push(Journey::from_channels(&[a], 0, 4, 0.0).unwrap())
            .unwrap();
        set.push(Journey::new(vec![Touchpoint::at(a, t(0))], 1, 0, 1.0).unwrap())
            .unwrap();
        assert!(TimeDecay::default().attribute(&set).is_ok());
        // ...a converting one is not.
        set.push(
            Journey::from_channels(&[a, a], 1, 0, 1.0)
                .unwrap()
                .with_id("J9"),
        )
        .unwrap();
        let err = TimeDecay::default().attribute(&set).unwrap_err();
        assert_eq!(
            err,
            ModelError::MissingTimestamps {
                index: Some(2),
                id: Some("J9".to_owned())
            }
        );
        assert!(err.to_string().contains("journey #2 (`J9`)"), "{err}");
        let from_credits: Vec<_> = TimeDecay::default().journey_credits(&set).collect();
        assert_eq!(from_credits.len(), 2);
        assert_eq!(from_credits[1], Err(err));
    }

    #[test]
    fn half_life_validation_and_formatting() {
        assert!(TimeDecay::with_half_life(Duration::ZERO).is_err());
        for bad in [0.0, -1.0, f64::NAN, f64::INFINITY, 1e300] {
            assert!(
                matches!(
                    TimeDecay::with_half_life_secs(bad),
                    Err(ModelError::InvalidParameter {
                        name: "half_life",
                        ..
                    })
                ),
                "{bad}"
            );
        }
        let fmt = |secs: f64| {
            TimeDecay::with_half_life_secs(secs).unwrap().parameters()[0]
                .1
                .clone()
        };
        assert_eq!(fmt(7.0 * 86_400.0), "7d");
        assert_eq!(fmt(36.0 * 3600.0), "36h");
        assert_eq!(fmt(90.0 * 60.0), "90m");
        assert_eq!(fmt(45.0), "45s");
        assert_eq!(fmt(1.5), "1.5s");
        assert_eq!(fmt(1e-9), "0.000000001s");
        for text in [
            "7d",
            "36h",
            "90m",
            "45s",
            "1.5s",
            "0.000000001s",
            "2w",
            "1.25d",
        ] {
            let d = parse_duration(text).unwrap();
            assert_eq!(parse_duration(&format_duration(d)), Some(d), "{text}");
        }
        assert_eq!(parse_duration("1.5d"), Some(Duration::from_secs(129_600)));
        assert_eq!(parse_duration(".5m"), Some(Duration::from_secs(30)));
        assert_eq!(parse_duration("0.0000000004s"), Some(Duration::ZERO));
        for bad in [
            "",
            "d",
            "7",
            "7x",
            "1.2.3d",
            "-1d",
            "1e3s",
            ".s",
            "99999999999999999999w",
        ] {
            assert_eq!(parse_duration(bad), None, "{bad}");
        }
        assert_eq!(
            TimeDecay::default().half_life(),
            Duration::from_secs(604_800)
        );
    }
}
