//! [`SetGameFit`], the per-channel sums a set game fills, and the `Model`
//! implementation every set game shares.

use crate::attribution::{Attribution, ChannelCredit};
use crate::channel::Channels;
use crate::error::ModelError;
use crate::model::Fitted;
use crate::numeric::CompensatedSum;

use super::set_table::SetTable;

/// A fitted set game (`shapley`, `shapley-rate`, `shapley-exact-set`,
/// `participation`): its attribution (the games learn nothing else a
/// caller needs).
#[derive(Debug, Clone, PartialEq)]
pub struct SetGameFit {
    attribution: Attribution,
}

impl SetGameFit {
    pub(crate) fn new(attribution: Attribution) -> Self {
        Self { attribution }
    }
}

impl Fitted for SetGameFit {
    fn attribution(&self) -> &Attribution {
        &self.attribution
    }

    fn into_attribution(self) -> Attribution {
        self.attribution
    }
}

/// Conversions and value credited per channel index.
pub(crate) struct Credits {
    conversions: Vec<CompensatedSum>,
    value: Vec<CompensatedSum>,
}

impl Credits {
    /// Zero credit for `n` channels.
    pub(crate) fn new(n: usize) -> Self {
        Self {
            conversions: vec![CompensatedSum::default(); n],
            value: vec![CompensatedSum::default(); n],
        }
    }

    /// Adds credit to channel index `i` (ignored beyond the table).
    #[inline]
    pub(crate) fn add(&mut self, i: usize, conversions: f64, value: f64) {
        if let Some(c) = self.conversions.get_mut(i) {
            c.add(conversions);
        }
        if let Some(v) = self.value.get_mut(i) {
            v.add(value);
        }
    }

    /// Adds `other`'s credit.
    pub(crate) fn merge(&mut self, other: &Self) {
        for (mine, theirs) in self.conversions.iter_mut().zip(&other.conversions) {
            mine.merge(theirs);
        }
        for (mine, theirs) in self.value.iter_mut().zip(&other.value) {
            mine.merge(theirs);
        }
    }

    /// The attribution of every channel of `channels` (in index order) with
    /// the totals of `table`.
    ///
    /// # Errors
    ///
    /// [`ModelError::Overflow`] when a credit is not finite.
    pub(crate) fn into_attribution(
        self,
        channels: &Channels,
        table: &SetTable,
        model: &str,
        parameters: Vec<(String, String)>,
    ) -> Result<Attribution, ModelError> {
        let credit = |i: usize| {
            (
                self.conversions.get(i).map_or(0.0, CompensatedSum::value),
                self.value.get(i).map_or(0.0, CompensatedSum::value),
            )
        };
        let mut out = Vec::with_capacity(channels.len());
        for (id, name) in channels.iter() {
            let (c, v) = credit(id.index());
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
        Ok(Attribution::new(
            model,
            parameters,
            out,
            table.total_conversions(),
            table.total_value(),
        ))
    }
}

/// Implements [`Model`](crate::model::Model) for a set game through its
/// inherent `model_name`, `model_spec`, `set_key`, `fit_table` and
/// `credit_of_journey`.
macro_rules! set_game_model {
    ($ty:ty) => {
        impl $crate::model::Model for $ty {
            type State = $crate::model::shapley::SetTable;
            type Fitted = $crate::model::shapley::SetGameFit;

            fn name(&self) -> &'static str {
                self.model_name()
            }

            fn spec(&self) -> $crate::model::ModelSpec {
                self.model_spec()
            }

            fn new_state(&self) -> Self::State {
                $crate::model::shapley::SetTable::new(self.model_spec())
            }

            fn observe(
                &self,
                state: &mut Self::State,
                journey: &$crate::journey::Journey,
                channels: &$crate::channel::Channels,
            ) -> Result<(), $crate::error::ModelError> {
                $crate::model::shapley::set_table::observe_set(
                    state,
                    journey,
                    channels,
                    None,
                    |j, c, key| self.set_key(j, c, key),
                )
            }

            fn observe_weighted(
                &self,
                state: &mut Self::State,
                journey: &$crate::journey::Journey,
                channels: &$crate::channel::Channels,
                weight: f64,
            ) -> Result<(), $crate::error::ModelError> {
                let weight = (weight != 1.0).then_some(weight);
                $crate::model::shapley::set_table::observe_set(
                    state,
                    journey,
                    channels,
                    weight,
                    |j, c, key| self.set_key(j, c, key),
                )
            }

            fn fit(&self, state: &Self::State) -> Result<Self::Fitted, $crate::error::ModelError> {
                $crate::model::check_spec(&self.model_spec(), $crate::model::Merge::spec(state))?;
                self.fit_table(state)
                    .map($crate::model::shapley::SetGameFit::new)
            }

            fn journey_credit(
                &self,
                journey: &$crate::journey::Journey,
                channels: &$crate::channel::Channels,
                _fitted: Option<&Self::Fitted>,
            ) -> Result<Option<$crate::attribution::JourneyCredit>, $crate::error::ModelError> {
                if journey.conversions() == 0 {
                    return Ok(None);
                }
                if let Some(channel) = journey.channels().find(|&c| !channels.contains(c)) {
                    return Err($crate::error::ModelError::UnknownChannel {
                        id: channel.get(),
                        len: channels.len(),
                    });
                }
                self.credit_of_journey(journey).map(|shares| {
                    Some($crate::attribution::JourneyCredit {
                        journey: 0,
                        shares,
                        baseline: 0.0,
                    })
                })
            }
        }
    };
}
pub(crate) use set_game_model;

/// The distinct channels of `journey` in order of first touch.
pub(crate) fn first_touch_order(
    journey: &crate::journey::Journey,
) -> Vec<crate::channel::ChannelId> {
    let mut seen = rustc_hash::FxHashSet::default();
    journey.channels().filter(|c| seen.insert(*c)).collect()
}
