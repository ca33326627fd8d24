//! [`HeuristicState`]: the mergeable state shared by every heuristic model.

use serde::{Deserialize, Serialize};

use crate::attribution::{Attribution, ChannelCredit};
use crate::channel::{ChannelId, Channels};
use crate::error::ModelError;
use crate::model::table::{Remap, follow, merge_tables};
use crate::model::{Merge, ModelSpec};
use crate::numeric::{CompensatedSum, MAX_EXACT_COUNT, count_to_f64};

/// Credit accumulated for one channel.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
struct ChannelSums {
    conversions: CompensatedSum,
    value: CompensatedSum,
}

/// The state of every heuristic model: its spec, its channel table, credit
/// per channel plus totals.
///
/// Made by [`Model::new_state`](crate::Model::new_state) (there is no
/// `Default`: a state knows its model). Per-channel sums are indexed by the
/// state's own table ([`Merge::channels`]), which follows the table of the
/// journeys observed; only converting journeys (`conversions > 0`) add
/// credit.
///
/// Merging requires equal specs, maps the other state's channels by name,
/// adds per-channel sums ([`CompensatedSum`]s, so the result equals one
/// pass up to a few units in the last place) and integer totals
/// (bit-exact, saturating).
///
/// # Example
///
/// ```
/// use attribution::model::heuristic::FirstTouch;
/// use attribution::{Channels, Journey, Merge, Model};
///
/// let model = FirstTouch;
/// // Two readers with their own tables: PPC is id 0 on the left, Email on the right.
/// let (mut left_table, mut right_table) = (Channels::new(), Channels::new());
/// let ppc = left_table.intern("PPC")?;
/// let email_left = left_table.intern("Email")?;
/// let email = right_table.intern("Email")?;
/// let (mut left, mut right) = (model.new_state(), model.new_state());
/// model.observe(&mut left, &Journey::from_channels(&[ppc, email_left], 1, 0, 120.0)?, &left_table)?;
/// model.observe(&mut right, &Journey::from_channels(&[email], 2, 5, 60.0)?, &right_table)?;
/// left.merge(&right)?;
/// assert_eq!(left.total_conversions(), 3.0);
/// assert_eq!(left.conversions_of("Email"), 2.0);
/// let result = model.finish(&left)?;
/// assert_eq!(result.get("PPC").map(|c| c.value), Some(120.0));
/// assert_eq!(result.get("Email").map(|c| c.value), Some(60.0));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(try_from = "StateRepr", into = "StateRepr")]
pub struct HeuristicState {
    spec: ModelSpec,
    channels: Channels,
    sums: Vec<ChannelSums>,
    converting_journeys: u64,
    conversions: u64,
    /// Conversions of journeys observed with a fractional weight.
    weighted_conversions: CompensatedSum,
    value: CompensatedSum,
}

impl HeuristicState {
    /// An empty state of the model `spec`.
    pub(crate) fn new(spec: ModelSpec) -> Self {
        Self {
            spec,
            channels: Channels::new(),
            sums: Vec::new(),
            converting_journeys: 0,
            conversions: 0,
            weighted_conversions: CompensatedSum::default(),
            value: CompensatedSum::default(),
        }
    }

    /// Conversions credited to channel `channel` of the state's table so far
    /// (0 for a channel never credited).
    #[must_use]
    pub fn conversions(&self, channel: ChannelId) -> f64 {
        self.sums
            .get(channel.index())
            .map_or(0.0, |s| s.conversions.value())
    }

    /// Value credited to channel `channel` of the state's table so far (0 for
    /// a channel never credited).
    #[must_use]
    pub fn value(&self, channel: ChannelId) -> f64 {
        self.sums
            .get(channel.index())
            .map_or(0.0, |s| s.value.value())
    }

    /// Conversions credited to the channel called `name` (0 when unknown).
    #[must_use]
    pub fn conversions_of(&self, name: &str) -> f64 {
        self.channels
            .get(name)
            .map_or(0.0, |id| self.conversions(id))
    }

    /// Value credited to the channel called `name` (0 when unknown).
    #[must_use]
    pub fn value_of(&self, name: &str) -> f64 {
        self.channels.get(name).map_or(0.0, |id| self.value(id))
    }

    /// Total conversions of the converting journeys observed (weighted
    /// ones with their weights).
    #[must_use]
    pub fn total_conversions(&self) -> f64 {
        count_to_f64(self.conversions) + self.weighted_conversions.value()
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
        self.sums.len()
    }

    /// Follows the table `channels` (see [`Merge::extend_channels`]).
    #[inline]
    pub(crate) fn follow(&mut self, channels: &Channels) -> Result<(), ModelError> {
        follow(&mut self.channels, channels)
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

    /// [`HeuristicState::check_journey`] for a journey of fractionally
    /// weighted conversions.
    pub(crate) fn check_weighted_journey(
        &self,
        conversions: f64,
        value: f64,
    ) -> Result<(), ModelError> {
        check_totals(self.conversions, self.value.value() + value)?;
        if (self.weighted_conversions.value() + conversions).is_finite() {
            Ok(())
        } else {
            Err(ModelError::Overflow {
                index: None,
                what: format!(
                    "the total of weighted conversions exceeds the largest finite number ({:e})",
                    f64::MAX
                ),
            })
        }
    }

    /// Records one fractionally weighted converting journey's totals.
    pub(crate) fn add_weighted_journey(&mut self, conversions: f64, value: f64) {
        self.converting_journeys = self.converting_journeys.saturating_add(1);
        self.weighted_conversions.add(conversions);
        self.value.add(value);
    }

    /// Records one converting journey's totals.
    pub(crate) fn add_journey(&mut self, conversions: u64, value: f64) {
        self.converting_journeys = self.converting_journeys.saturating_add(1);
        self.conversions = self.conversions.saturating_add(conversions);
        self.value.add(value);
    }

    /// Credits `channel` with `conversions` and `value`.
    #[inline]
    pub(crate) fn credit(&mut self, channel: ChannelId, conversions: f64, value: f64) {
        let index = channel.index();
        if index >= self.sums.len() {
            self.sums.resize(index + 1, ChannelSums::default());
        }
        if let Some(sums) = self.sums.get_mut(index) {
            sums.conversions.add(conversions);
            sums.value.add(value);
        }
    }

    /// Turns the state into an [`Attribution`]: every channel of the state's
    /// table in index order, including those with no credit.
    ///
    /// # Errors
    ///
    /// [`ModelError::Overflow`] when a total or a credit is not finite.
    pub(crate) fn to_attribution(
        &self,
        model: &str,
        parameters: Vec<(String, String)>,
    ) -> Result<Attribution, ModelError> {
        check_totals(self.conversions, self.value.value())?;
        if let Some(i) = self
            .sums
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
        let credits = self
            .channels
            .iter()
            .map(|(id, name)| ChannelCredit::new(id, name, self.conversions(id), self.value(id)))
            .collect();
        Ok(Attribution::new(
            model,
            parameters,
            credits,
            self.total_conversions(),
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
    fn spec(&self) -> &ModelSpec {
        &self.spec
    }

    fn channels(&self) -> &Channels {
        &self.channels
    }

    fn extend_channels(&mut self, channels: &Channels) -> Result<(), ModelError> {
        self.follow(channels)
    }

    /// Adds `other` into `self`: associative and commutative (integer totals
    /// exactly, floating-point sums up to compensated rounding).
    fn merge(&mut self, other: &Self) -> Result<(), ModelError> {
        crate::model::check_compatible(&self.spec, &other.spec)?;
        let (grown, remap) = merge_tables(&self.channels, &other.channels)?;
        if let Some(table) = grown {
            self.channels = table;
        }
        let span = match &remap {
            Remap::Identity => other.sums.len(),
            Remap::Map(_) => (0..other.sums.len())
                .map(|i| remap.index(i) + 1)
                .max()
                .unwrap_or(0),
        };
        if span > self.sums.len() {
            self.sums.resize(span, ChannelSums::default());
        }
        for (i, theirs) in other.sums.iter().enumerate() {
            if let Some(mine) = self.sums.get_mut(remap.index(i)) {
                mine.conversions.merge(&theirs.conversions);
                mine.value.merge(&theirs.value);
            }
        }
        self.converting_journeys = self
            .converting_journeys
            .saturating_add(other.converting_journeys);
        self.conversions = self.conversions.saturating_add(other.conversions);
        self.weighted_conversions.merge(&other.weighted_conversions);
        self.value.merge(&other.value);
        Ok(())
    }
}

/// The serialised form: every field, validated when read.
#[derive(Serialize, Deserialize)]
struct StateRepr {
    spec: ModelSpec,
    channels: Channels,
    /// `(conversions, value)` per channel index.
    sums: Vec<(CompensatedSum, CompensatedSum)>,
    converting_journeys: u64,
    conversions: u64,
    weighted_conversions: CompensatedSum,
    value: CompensatedSum,
}

impl From<HeuristicState> for StateRepr {
    fn from(s: HeuristicState) -> Self {
        Self {
            spec: s.spec,
            channels: s.channels,
            sums: s.sums.iter().map(|c| (c.conversions, c.value)).collect(),
            converting_journeys: s.converting_journeys,
            conversions: s.conversions,
            weighted_conversions: s.weighted_conversions,
            value: s.value,
        }
    }
}

/// Why a serialised heuristic state was rejected.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid heuristic state: {0}")]
pub struct InvalidHeuristicState(String);

impl TryFrom<StateRepr> for HeuristicState {
    type Error = InvalidHeuristicState;

    fn try_from(r: StateRepr) -> Result<Self, Self::Error> {
        Self::validated(r).map_err(crate::invalid::remember)
    }
}

impl HeuristicState {
    fn validated(r: StateRepr) -> Result<Self, InvalidHeuristicState> {
        let invalid = |what: String| InvalidHeuristicState(what);
        if r.sums.len() > r.channels.len() {
            return Err(invalid(format!(
                "{} per-channel sums for {} channels",
                r.sums.len(),
                r.channels.len()
            )));
        }
        if r.conversions > MAX_EXACT_COUNT {
            return Err(invalid(format!(
                "{} conversions, above 2^53 = {MAX_EXACT_COUNT}",
                r.conversions
            )));
        }
        let finite = |s: &CompensatedSum| s.value().is_finite() && s.value() >= 0.0;
        if !finite(&r.weighted_conversions) {
            return Err(invalid(
                "the weighted conversions are not a finite non-negative number".to_owned(),
            ));
        }
        if !finite(&r.value) {
            return Err(invalid(
                "the total value is not a finite non-negative number".to_owned(),
            ));
        }
        if let Some(i) = r.sums.iter().position(|(c, v)| !(finite(c) && finite(v))) {
            return Err(invalid(format!(
                "the credit of channel #{i} is not a finite non-negative number"
            )));
        }
        if r.converting_journeys == 0
            && (r.conversions != 0
                || r.value.value() != 0.0
                || r.weighted_conversions.value() != 0.0)
        {
            return Err(invalid("totals without a converting journey".to_owned()));
        }
        Ok(Self {
            spec: r.spec,
            channels: r.channels,
            sums: r
                .sums
                .into_iter()
                .map(|(conversions, value)| ChannelSums { conversions, value })
                .collect(),
            converting_journeys: r.converting_journeys,
            conversions: r.conversions,
            weighted_conversions: r.weighted_conversions,
            value: r.value,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn id(i: usize) -> ChannelId {
        ChannelId::from_index(i).unwrap()
    }

    fn state(names: &[&str]) -> HeuristicState {
        let mut s = HeuristicState::new(ModelSpec::new("first-touch"));
        let mut table = Channels::new();
        for n in names {
            table.intern(n).unwrap();
        }
        s.follow(&table).unwrap();
        s
    }

    #[test]
    fn credit_grows_and_merge_adds_by_name() {
        let mut a = state(&["A", "B", "C"]);
        a.credit(id(2), 1.5, 10.0);
        a.add_journey(2, 10.0);
        assert_eq!(a.channel_span(), 3);
        assert_eq!(a.conversions(id(0)), 0.0);
        // b's table: C, D, A, B, E
        let mut b = state(&["C", "D", "A", "B", "E"]);
        b.credit(id(4), 0.5, 1.0);
        b.credit(id(0), 0.5, 2.0);
        b.add_journey(1, 3.0);
        a.merge(&b).unwrap();
        let names: Vec<&str> = a.channels().iter().map(|(_, n)| n).collect();
        assert_eq!(names, ["A", "B", "C", "D", "E"]);
        assert_eq!(a.conversions_of("C"), 2.0);
        assert_eq!(a.value_of("C"), 12.0);
        assert_eq!(a.conversions_of("E"), 0.5);
        assert_eq!(a.total_conversions(), 3.0);
        assert_eq!(a.total_value(), 13.0);
        assert_eq!(a.converting_journeys(), 2);
        assert_eq!(a.conversions(id(99)), 0.0);
    }

    #[test]
    fn an_empty_state_is_the_merge_identity_and_specs_must_agree() {
        let mut a = state(&["A", "B"]);
        a.credit(id(1), 1.0, 2.0);
        a.add_journey(1, 2.0);
        let mut b = a.clone();
        b.merge(&state(&[])).unwrap();
        assert_eq!(a, b);
        let mut c = state(&[]);
        c.merge(&a).unwrap();
        assert_eq!(a, c);
        let mut other = HeuristicState::new(ModelSpec::new("last-touch"));
        let before = other.clone();
        assert_eq!(
            other.merge(&a),
            Err(ModelError::IncompatibleStates {
                left: "last-touch".to_owned(),
                right: "first-touch".to_owned()
            })
        );
        assert_eq!(other, before);
    }

    #[test]
    fn serde_round_trip_and_validation() {
        let mut a = state(&["A", "B"]);
        a.credit(id(1), 1.0 / 3.0, 0.1);
        a.credit(id(1), 1e16, 0.2);
        a.add_journey(7, 0.3);
        let json = serde_json::to_string(&a).unwrap();
        let back: HeuristicState = serde_json::from_str(&json).unwrap();
        assert_eq!(back, a);
        let mut value: serde_json::Value = serde_json::from_str(&json).unwrap();
        let sums = value["sums"].as_array_mut().unwrap();
        let first = sums[0].clone();
        sums.push(first);
        let err = serde_json::from_value::<HeuristicState>(value).unwrap_err();
        assert!(
            err.to_string().contains("per-channel sums for 2 channels"),
            "{err}"
        );
    }

    #[test]
    fn finish_lists_every_channel_of_the_table() {
        let mut a = state(&["A", "B", "C", "D"]);
        a.credit(id(3), 1.0, 1.0);
        a.add_journey(1, 1.0);
        let result = a.to_attribution("x", vec![]).unwrap();
        assert_eq!(result.channels().len(), 4);
        assert_eq!(result.get("D").unwrap().conversions, 1.0);
        assert_eq!(result.get("A").unwrap().conversions, 0.0);
    }
}
