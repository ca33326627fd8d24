//! [`HeuristicState`]: the mergeable state shared by every heuristic model.

use serde::{Deserialize, Serialize};

use crate::attribution::{Attribution, ChannelCredit};
use crate::channel::{ChannelId, Channels};
use crate::error::ModelError;
use crate::model::Merge;
use crate::numeric::{CompensatedSum, MAX_EXACT_COUNT, count_to_f64};

/// Credit accumulated for one channel.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
struct ChannelSums {
    conversions: CompensatedSum,
    value: CompensatedSum,
}

/// The state of every heuristic model: credit per channel plus totals.
///
/// Per-channel sums are indexed by [`ChannelId::index`] and grow as journeys
/// name new channels, so a state can follow a channel table that grows while
/// a streaming reader interns channels. Only converting journeys
/// (`conversions > 0`) are folded in.
///
/// [`Default`] is the empty state (the identity of [`Merge::merge`]). Merging
/// adds per-channel sums ([`CompensatedSum`]s, so the result equals one pass
/// up to a few units in the last place) and integer totals (bit-exact,
/// saturating).
///
/// # Example
///
/// ```
/// use attribution::model::heuristic::{FirstTouch, HeuristicState};
/// use attribution::{Channels, Journey, Merge, Model};
///
/// let mut channels = Channels::new();
/// let ppc = channels.intern("PPC")?;
/// let email = channels.intern("Email")?;
/// let model = FirstTouch;
/// let (mut left, mut right) = (HeuristicState::default(), HeuristicState::default());
/// model.observe(&mut left, &Journey::from_channels(&[ppc, email], 1, 0, 120.0)?, &channels)?;
/// model.observe(&mut right, &Journey::from_channels(&[email], 2, 5, 60.0)?, &channels)?;
/// left.merge(&right);
/// assert_eq!(left.total_conversions(), 3);
/// assert_eq!(left.conversions(email), 2.0);
/// let result = model.finish(&left, &channels)?;
/// assert_eq!(result.get("PPC").map(|c| c.value), Some(120.0));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct HeuristicState {
    channels: Vec<ChannelSums>,
    converting_journeys: u64,
    conversions: u64,
    value: CompensatedSum,
}

impl HeuristicState {
    /// Conversions credited to `channel` so far (0 for a channel never credited).
    #[must_use]
    pub fn conversions(&self, channel: ChannelId) -> f64 {
        self.channels
            .get(channel.index())
            .map_or(0.0, |s| s.conversions.value())
    }

    /// Value credited to `channel` so far (0 for a channel never credited).
    #[must_use]
    pub fn value(&self, channel: ChannelId) -> f64 {
        self.channels
            .get(channel.index())
            .map_or(0.0, |s| s.value.value())
    }

    /// Total conversions of the converting journeys observed (saturating).
    #[must_use]
    pub fn total_conversions(&self) -> u64 {
        self.conversions
    }

    /// Total value of the converting journeys observed.
    #[must_use]
    pub fn total_value(&self) -> f64 {
        self.value.value()
    }

    /// How many converting journeys (or path rows) were observed.
    #[must_use]
    pub fn converting_journeys(&self) -> u64 {
        self.converting_journeys
    }

    /// One more than the largest channel index credited so far (0 when empty).
    #[must_use]
    pub fn channel_span(&self) -> usize {
        self.channels.len()
    }

    /// Checks that one more converting journey keeps the totals exact:
    /// conversions at most [`MAX_EXACT_COUNT`] (2^53) and a finite value sum.
    ///
    /// # Errors
    ///
    /// [`ModelError::Overflow`] (without the journey's position).
    pub(crate) fn check_journey(&self, conversions: u64, value: f64) -> Result<(), ModelError> {
        check_totals(
            self.conversions.saturating_add(conversions),
            self.value.value() + value,
        )
    }

    /// Records one converting journey's totals.
    pub(crate) fn add_journey(&mut self, conversions: u64, value: f64) {
        self.converting_journeys = self.converting_journeys.saturating_add(1);
        self.conversions = self.conversions.saturating_add(conversions);
        self.value.add(value);
    }

    /// Credits `channel` with `conversions` and `value`.
    pub(crate) fn credit(&mut self, channel: ChannelId, conversions: f64, value: f64) {
        let index = channel.index();
        if index >= self.channels.len() {
            self.channels.resize(index + 1, ChannelSums::default());
        }
        if let Some(sums) = self.channels.get_mut(index) {
            sums.conversions.add(conversions);
            sums.value.add(value);
        }
    }

    /// Turns the state into an [`Attribution`] over `channels`: every channel
    /// of the table in id order, including those with no credit.
    ///
    /// # Errors
    ///
    /// [`ModelError::UnknownChannel`] when the state credits a channel id the
    /// table does not hold.
    pub(crate) fn to_attribution(
        &self,
        model: &str,
        parameters: Vec<(String, String)>,
        channels: &Channels,
    ) -> Result<Attribution, ModelError> {
        check_totals(self.conversions, self.value.value())?;
        if let Some(i) = self
            .channels
            .iter()
            .position(|s| !(s.conversions.value().is_finite() && s.value.value().is_finite()))
        {
            return Err(ModelError::Overflow {
                index: None,
                what: format!(
                    "the credit of channel #{i} exceeds the largest finite number ({:e})",
                    f64::MAX
                ),
            });
        }
        if self.channels.len() > channels.len() {
            let id = u32::try_from(self.channels.len() - 1).unwrap_or(u32::MAX);
            return Err(ModelError::UnknownChannel {
                id,
                len: channels.len(),
            });
        }
        let credits = channels
            .iter()
            .map(|(id, name)| ChannelCredit {
                channel: id,
                name: name.to_owned(),
                conversions: self.conversions(id),
                value: self.value(id),
                removal_effect: None,
            })
            .collect();
        Ok(Attribution::new(
            model,
            parameters,
            credits,
            count_to_f64(self.conversions),
            self.value.value(),
        ))
    }
}

/// [`ModelError::Overflow`] when the conversions exceed [`MAX_EXACT_COUNT`]
/// or the value sum is not finite.
fn check_totals(conversions: u64, value: f64) -> Result<(), ModelError> {
    if conversions > MAX_EXACT_COUNT {
        return Err(ModelError::Overflow {
            index: None,
            what: format!(
                "the total of conversions exceeds 2^53 = {MAX_EXACT_COUNT}, above which counts are not exactly representable"
            ),
        });
    }
    if !value.is_finite() {
        return Err(ModelError::Overflow {
            index: None,
            what: format!(
                "the total conversion value exceeds the largest finite number ({:e})",
                f64::MAX
            ),
        });
    }
    Ok(())
}

impl Merge for HeuristicState {
    /// Adds `other` into `self`: associative and commutative (integer totals
    /// exactly, floating-point sums up to compensated rounding).
    fn merge(&mut self, other: &Self) {
        if other.channels.len() > self.channels.len() {
            self.channels
                .resize(other.channels.len(), ChannelSums::default());
        }
        for (mine, theirs) in self.channels.iter_mut().zip(&other.channels) {
            mine.conversions.merge(&theirs.conversions);
            mine.value.merge(&theirs.value);
        }
        self.converting_journeys = self
            .converting_journeys
            .saturating_add(other.converting_journeys);
        self.conversions = self.conversions.saturating_add(other.conversions);
        self.value.merge(&other.value);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn id(i: usize) -> ChannelId {
        ChannelId::from_index(i).unwrap()
    }

    #[test]
    fn credit_grows_and_merge_adds() {
        let mut a = HeuristicState::default();
        a.credit(id(2), 1.5, 10.0);
        a.add_journey(2, 10.0);
        assert_eq!(a.channel_span(), 3);
        assert_eq!(a.conversions(id(0)), 0.0);
        let mut b = HeuristicState::default();
        b.credit(id(4), 0.5, 1.0);
        b.credit(id(2), 0.5, 2.0);
        b.add_journey(1, 3.0);
        a.merge(&b);
        assert_eq!(a.channel_span(), 5);
        assert_eq!(a.conversions(id(2)), 2.0);
        assert_eq!(a.value(id(2)), 12.0);
        assert_eq!(a.conversions(id(4)), 0.5);
        assert_eq!(a.total_conversions(), 3);
        assert_eq!(a.total_value(), 13.0);
        assert_eq!(a.converting_journeys(), 2);
        assert_eq!(a.conversions(id(99)), 0.0);
    }

    #[test]
    fn default_is_the_merge_identity() {
        let mut a = HeuristicState::default();
        a.credit(id(1), 1.0, 2.0);
        a.add_journey(1, 2.0);
        let mut b = a.clone();
        b.merge(&HeuristicState::default());
        assert_eq!(a, b);
        let mut c = HeuristicState::default();
        c.merge(&a);
        assert_eq!(a, c);
    }

    #[test]
    fn serde_round_trip() {
        let mut a = HeuristicState::default();
        a.credit(id(1), 1.0 / 3.0, 0.1);
        a.credit(id(1), 1e16, 0.2);
        a.add_journey(7, 0.3);
        let json = serde_json::to_string(&a).unwrap();
        let back: HeuristicState = serde_json::from_str(&json).unwrap();
        assert_eq!(back, a);
    }

    #[test]
    fn finish_rejects_channels_beyond_the_table() {
        let mut channels = Channels::new();
        channels.intern("A").unwrap();
        let mut a = HeuristicState::default();
        a.credit(id(3), 1.0, 1.0);
        assert_eq!(
            a.to_attribution("x", vec![], &channels),
            Err(ModelError::UnknownChannel { id: 3, len: 1 })
        );
        channels.intern("B").unwrap();
        channels.intern("C").unwrap();
        channels.intern("D").unwrap();
        let result = a.to_attribution("x", vec![], &channels).unwrap();
        assert_eq!(result.channels().len(), 4);
        assert_eq!(result.get("D").unwrap().conversions, 1.0);
        assert_eq!(result.get("A").unwrap().conversions, 0.0);
    }
}
