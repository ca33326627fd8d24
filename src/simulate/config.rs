//! The options of a per-journey simulation.

use crate::error::SimulateError;
use crate::numeric::MAX_EXACT_COUNT;

/// The options of [`simulate`](super::simulate), with the defaults of the
/// `attribution simulate` command.
///
/// | field | meaning | default |
/// |---|---|---|
/// | `journeys` | number of simulated journeys N (1 ≤ N ≤ 2^53) | 100 000 |
/// | `channels` | channels of the recipe law (`ch00`..), ≥ 1; ignored with a fitted law, whose channels are the input's | 12 |
/// | `seed` | seed of the ChaCha8 generator | 42 |
/// | `effect_sd` | standard deviation of each β_c ~ N(0, effect_sd), ≥ 0 | 0.35 |
/// | `synergy_sd` | standard deviation of each pair effect γ_cd, ≥ 0; 0 draws no pair | 0 |
/// | `half_life` | recency half-life h in touches (> 0); `None` = presence | `None` |
/// | `length_effect` | ℓ, the logit per extra touch | 0.15 |
/// | `length_cap` | K, the cap on the extra touches counted | 6 |
///
/// # Example
///
/// ```
/// use attribution::simulate::SimulationConfig;
///
/// let config = SimulationConfig { journeys: 1_000, seed: 7, ..SimulationConfig::default() };
/// assert!(config.validate().is_ok());
/// let bad = SimulationConfig { effect_sd: -1.0, ..config };
/// assert!(bad.validate().is_err());
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct SimulationConfig {
    /// Number of simulated journeys N.
    pub journeys: u64,
    /// Number of channels of the recipe law (ignored with a fitted law).
    pub channels: usize,
    /// Seed of the random generator.
    pub seed: u64,
    /// Standard deviation of the channel effects β.
    pub effect_sd: f64,
    /// Standard deviation of the pair effects γ (0: no pair terms).
    pub synergy_sd: f64,
    /// Recency half-life in touches (`None`: presence weights).
    pub half_life: Option<f64>,
    /// Logit per extra touch, ℓ.
    pub length_effect: f64,
    /// Cap on the extra touches counted by the length term, K.
    pub length_cap: u32,
}

impl Default for SimulationConfig {
    fn default() -> Self {
        Self {
            journeys: 100_000,
            channels: 12,
            seed: 42,
            effect_sd: 0.35,
            synergy_sd: 0.0,
            half_life: None,
            length_effect: 0.15,
            length_cap: 6,
        }
    }
}

impl SimulationConfig {
    /// Checks every field.
    ///
    /// # Errors
    ///
    /// [`SimulateError::InvalidConfig`] naming the first bad field: `journeys`
    /// outside 1..=2^53 (larger counts are not exact in the readers),
    /// `channels` = 0, a standard deviation that is negative or not finite,
    /// a half-life that is not finite and > 0, a length effect that is not
    /// finite.
    pub fn validate(&self) -> Result<(), SimulateError> {
        if self.journeys == 0 || self.journeys > MAX_EXACT_COUNT {
            return Err(invalid(
                "journeys",
                format!("must be in 1..=2^53, got {}", self.journeys),
            ));
        }
        if self.channels == 0 {
            return Err(invalid("channels", "must be at least 1, got 0".to_owned()));
        }
        non_negative("effect_sd", self.effect_sd)?;
        non_negative("synergy_sd", self.synergy_sd)?;
        if let Some(h) = self.half_life
            && !(h.is_finite() && h > 0.0)
        {
            return Err(invalid(
                "half_life",
                format!("must be finite and > 0, got {h}"),
            ));
        }
        if !self.length_effect.is_finite() {
            return Err(invalid(
                "length_effect",
                format!("must be finite, got {}", self.length_effect),
            ));
        }
        Ok(())
    }
}

fn non_negative(field: &'static str, value: f64) -> Result<(), SimulateError> {
    if value.is_finite() && value >= 0.0 {
        Ok(())
    } else {
        Err(invalid(
            field,
            format!("must be finite and >= 0, got {value}"),
        ))
    }
}

/// [`SimulateError::InvalidConfig`].
pub(crate) fn invalid(field: &'static str, reason: String) -> SimulateError {
    SimulateError::InvalidConfig { field, reason }
}
