//! The credit of `dda`: the exact Shapley value of the fitted conversion
//! model over each credited set, scaled to the set's conversions and value.

use rustc_hash::FxHashMap;

use crate::attribution::{Attribution, Baseline, ChannelCredit};
use crate::channel::{ChannelId, Channels};
use crate::error::ModelError;
use crate::model::Merge;
use crate::model::shapley::SetTable;
use crate::numeric::CompensatedSum;

use super::game::{ConversionModel, shapley};
use super::{Dda, DdaBaseline, DdaCredit};

/// The shares of every credited set, by set.
pub(crate) type SharesBySet = FxHashMap<Box<[ChannelId]>, SetShares>;

/// The Shapley value of one set's game: φ_c(S) per channel of S (in the
/// set's ascending id order), v(S), and the v(∅) the game used (0 with
/// `baseline=zero`).
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct SetShares {
    pub(crate) phi: Vec<f64>,
    pub(crate) v_set: f64,
    pub(crate) v_empty: f64,
}

/// The set's name for messages: its first ten channel names joined by
/// ` + `, then `…`.
pub(crate) fn describe_set(set: &[ChannelId], channels: &Channels) -> String {
    let mut names: Vec<&str> = set
        .iter()
        .take(10)
        .map(|&c| channels.name(c).unwrap_or("?"))
        .collect();
    if set.len() > 10 {
        names.push("…");
    }
    format!("{{{}}}", names.join(" + "))
}

impl Dda {
    /// The game of `set` (sorted ids) and its Shapley value.
    ///
    /// # Errors
    ///
    /// [`ModelError::SetTooLarge`] above `max_channels`.
    pub(crate) fn set_shares(
        &self,
        model: &ConversionModel,
        set: &[ChannelId],
        channels: &Channels,
        values: &mut Vec<f64>,
    ) -> Result<SetShares, ModelError> {
        if set.len() > self.max_channels {
            return Err(ModelError::SetTooLarge {
                model: self.model_spec().to_string(),
                set: describe_set(set, channels),
                k: set.len(),
                max: self.max_channels,
            });
        }
        model.coalition_values(set, values);
        let v_empty = match self.baseline {
            DdaBaseline::Model => values.first().copied().unwrap_or(0.0),
            DdaBaseline::Zero => 0.0,
        };
        if let Some(first) = values.first_mut() {
            *first = v_empty;
        }
        let v_set = values.last().copied().unwrap_or(0.0);
        let mut phi = Vec::new();
        shapley(values, set.len(), &mut phi);
        Ok(SetShares {
            phi,
            v_set,
            v_empty,
        })
    }

    /// The attribution of `table` under `model`, and the shares of every
    /// credited set (converting sets; every set for `credit=expected`).
    pub(crate) fn credit_table(
        &self,
        model: &ConversionModel,
        table: &SetTable,
    ) -> Result<(Attribution, SharesBySet), ModelError> {
        let channels = table.channels();
        let expected = self.credit == DdaCredit::Expected;
        let sets: Vec<_> = table
            .sorted()
            .into_iter()
            .filter(|(_, c)| expected || c.converts())
            .collect();
        // Check every cap first, so that the error names the first set.
        if let Some((set, _)) = sets.iter().find(|(s, _)| s.len() > self.max_channels) {
            return Err(ModelError::SetTooLarge {
                model: self.model_spec().to_string(),
                set: describe_set(set, channels),
                k: set.len(),
                max: self.max_channels,
            });
        }
        let shares = crate::parallel::map_init(&sets, Vec::new, |values, (set, _)| {
            self.set_shares(model, set, channels, values)
        });
        let n = channels.len();
        let mut conversions = vec![CompensatedSum::default(); n];
        let mut value = vec![CompensatedSum::default(); n];
        let (mut base_c, mut base_v) = (CompensatedSum::default(), CompensatedSum::default());
        let mut by_set = FxHashMap::default();
        for ((set, counts), shares) in sets.iter().zip(shares) {
            let shares = shares?;
            let (scale_c, scale_v) = if expected {
                (counts.journeys(), 0.0)
            } else {
                if shares.v_set <= 0.0 || !shares.v_set.is_finite() {
                    return Err(ModelError::DegenerateGame {
                        model: self.model_spec().to_string(),
                        reason: format!(
                            "the fitted conversion probability of the converting set {} is {}, \
                             so its conversions cannot be shared",
                            describe_set(set, channels),
                            shares.v_set
                        ),
                    });
                }
                (
                    counts.conversions() / shares.v_set,
                    counts.value() / shares.v_set,
                )
            };
            for (&c, &phi) in set.iter().zip(&shares.phi) {
                if let Some(slot) = conversions.get_mut(c.index()) {
                    slot.add(scale_c * phi);
                }
                if let Some(slot) = value.get_mut(c.index()) {
                    slot.add(scale_v * phi);
                }
            }
            base_c.add(scale_c * shares.v_empty);
            base_v.add(scale_v * shares.v_empty);
            by_set.insert(Box::<[ChannelId]>::from(*set), shares);
        }
        let mut out = Vec::with_capacity(n);
        for (id, name) in channels.iter() {
            let c = conversions
                .get(id.index())
                .map_or(0.0, CompensatedSum::value);
            let v = value.get(id.index()).map_or(0.0, CompensatedSum::value);
            if !(c.is_finite() && v.is_finite()) {
                return Err(ModelError::Overflow {
                    index: None,
                    what: format!(
                        "the credit of channel `{name}` exceeds the largest finite number ({:e})",
                        f64::MAX
                    ),
                });
            }
            out.push(ChannelCredit::new(id, name, c, v));
        }
        let mut attribution = Attribution::new(
            self.model_name(),
            self.model_spec().params,
            out,
            table.total_conversions(),
            if expected { 0.0 } else { table.total_value() },
        )
        .with_baseline(Baseline::new(base_c.value(), base_v.value()));
        if expected {
            attribution = attribution.without_value();
        }
        Ok((attribution, by_set))
    }
}
