//! The draws both modes share: effects, and a row's conversions and value.

use rand::Rng;
use rand::distr::Distribution;
use rand_distr::{Binomial, LogNormal, Normal};

use super::config::invalid;
use crate::channel::Channels;
use crate::error::SimulateError;
use crate::truth::TruthModel;

/// The truth model's terms other than the channel and pair effects.
pub(crate) struct Terms {
    pub(crate) intercept: f64,
    pub(crate) length: f64,
    pub(crate) length_cap: u32,
    pub(crate) half_life: Option<f64>,
    pub(crate) effect_sd: f64,
    pub(crate) synergy_sd: f64,
}

/// Draws β_c ~ N(0, effect_sd) for every channel in channel order, then,
/// when synergy_sd > 0, γ_cd ~ N(0, synergy_sd) for every pair c < d in
/// (c, d) order, into a truth model with the other terms of `terms`.
pub(crate) fn draw_effects<R: Rng + ?Sized>(
    rng: &mut R,
    channels: &Channels,
    terms: &Terms,
) -> Result<TruthModel, SimulateError> {
    let mut truth = TruthModel::new(terms.intercept, terms.length, terms.length_cap)?;
    if let Some(h) = terms.half_life {
        truth = truth.with_half_life(h)?;
    }
    let beta =
        Normal::new(0.0, terms.effect_sd).map_err(|e| invalid("effect_sd", e.to_string()))?;
    for (_, name) in channels.iter() {
        truth.add_channel(name, beta.sample(rng))?;
    }
    if terms.synergy_sd > 0.0 {
        let gamma =
            Normal::new(0.0, terms.synergy_sd).map_err(|e| invalid("synergy_sd", e.to_string()))?;
        let names: Vec<&str> = channels.iter().map(|(_, name)| name).collect();
        for (i, a) in names.iter().enumerate() {
            for b in names.iter().skip(i + 1) {
                truth.add_pair(a, b, gamma.sample(rng))?;
            }
        }
    }
    Ok(truth)
}

/// Per-conversion value law and its parameters.
pub(crate) fn value_law(mu: f64, sigma: f64) -> Result<LogNormal<f64>, SimulateError> {
    LogNormal::new(mu, sigma).map_err(|e| invalid("value_sigma", e.to_string()))
}

/// A row's outcome: conversions ~ Binomial(journeys, p), then one value
/// draw per conversion, summed and rounded to thousandths.
pub(crate) fn draw_outcome<R: Rng + ?Sized>(
    rng: &mut R,
    journeys: u64,
    p: f64,
    value: &LogNormal<f64>,
) -> Result<(u64, f64), SimulateError> {
    let conversions = Binomial::new(journeys, p)
        .map_err(|e| invalid("effects", format!("conversion probability {p}: {e}")))?
        .sample(rng);
    // Folded from +0.0: `Sum for f64` starts at −0.0, which prints as "-0.000".
    let total = (0..conversions).fold(0.0, |acc, _| acc + value.sample(rng));
    Ok((conversions, (total * 1000.0).round()))
}
