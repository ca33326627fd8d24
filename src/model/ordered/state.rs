//! [`OrderedState`]: credit per (channel, position), the state of
//! [`ShapleyOrdered`](super::ShapleyOrdered).

use serde::{Deserialize, Serialize};

use crate::attribution::{Attribution, ChannelCredit};
use crate::channel::{ChannelId, Channels};
use crate::error::ModelError;
use crate::model::table::{follow, merge_tables};
use crate::model::{Merge, ModelSpec};
use crate::numeric::{CompensatedSum, MAX_EXACT_COUNT, count_to_f64};

/// Credit accumulated for one (channel, position).
#[derive(Debug, Clone, Copy, Default, PartialEq)]
struct Sums {
    conversions: CompensatedSum,
    value: CompensatedSum,
}

impl Sums {
    fn merge(&mut self, other: &Self) {
        self.conversions.merge(&other.conversions);
        self.value.merge(&other.value);
    }
}

/// The state of [`ShapleyOrdered`](super::ShapleyOrdered): its spec, its
/// channel table, the credit of every (channel, position) and the totals.
///
/// Positions are 0-based in the state (position `t` of the docs is index
/// `t − 1`). With `max_position = P > 0` a channel holds at most `P`
/// positions, the last one pooling position `P` and every later one, so the
/// state takes O(channels × min(P, longest converting journey)) memory;
/// without a cap, O(channels × longest converting journey).
///
/// Merging requires equal specs, maps the other state's channels by name and
/// adds the sums ([`CompensatedSum`]s: one pass up to a few units in the
/// last place) and the integer totals (exactly).
///
/// # Example
///
/// ```
/// use attribution::model::ordered::ShapleyOrdered;
/// use attribution::{Channels, Journey, Merge, Model};
///
/// let model = ShapleyOrdered::new(0);
/// let mut channels = Channels::new();
/// let (email, linkedin) = (channels.intern("Email")?, channels.intern("LinkedIn")?);
/// let mut state = model.new_state();
/// model.observe(&mut state, &Journey::from_channels(&[email, email, linkedin], 1, 0, 60.0)?, &channels)?;
/// // Email's two touches share its half; LinkedIn's one touch holds the other.
/// assert_eq!(state.position_conversions(email, 0), 0.25);
/// assert_eq!(state.position_conversions(email, 1), 0.25);
/// assert_eq!(state.position_value(linkedin, 2), 30.0);
/// assert_eq!(state.total_conversions(), 1.0);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(try_from = "StateRepr", into = "StateRepr")]
pub struct OrderedState {
    spec: ModelSpec,
    channels: Channels,
    /// `sums[channel][position]`.
    sums: Vec<Vec<Sums>>,
    converting_journeys: u64,
    conversions: u64,
    /// Conversions of journeys observed with a fractional weight.
    weighted_conversions: CompensatedSum,
    value: CompensatedSum,
}

impl OrderedState {
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

    fn sums(&self, channel: ChannelId, position: usize) -> Option<&Sums> {
        self.sums.get(channel.index())?.get(position)
    }

    /// Conversions credited to touches of `channel` at 0-based `position`
    /// (the pooled bucket for the last position of a capped model).
    #[must_use]
    pub fn position_conversions(&self, channel: ChannelId, position: usize) -> f64 {
        self.sums(channel, position)
            .map_or(0.0, |s| s.conversions.value())
    }

    /// Value credited to touches of `channel` at 0-based `position`.
    #[must_use]
    pub fn position_value(&self, channel: ChannelId, position: usize) -> f64 {
        self.sums(channel, position)
            .map_or(0.0, |s| s.value.value())
    }

    /// The number of positions the state holds: one more than the largest
    /// position credited (0 when empty).
    #[must_use]
    pub fn positions(&self) -> usize {
        self.sums.iter().map(Vec::len).max().unwrap_or(0)
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

    /// Follows the table `channels` (see [`Merge::extend_channels`]).
    #[inline]
    pub(crate) fn follow(&mut self, channels: &Channels) -> Result<(), ModelError> {
        follow(&mut self.channels, channels)
    }

    /// [`ModelError::Overflow`] unless one more journey of `conversions`
    /// (whole) or `weighted` (fractional) conversions and `value` keeps the
    /// totals exact and finite.
    pub(crate) fn check_journey(
        &self,
        conversions: u64,
        weighted: f64,
        value: f64,
    ) -> Result<(), ModelError> {
        check_totals(
            self.conversions.saturating_add(conversions),
            self.weighted_conversions.value() + weighted,
            self.value.value() + value,
        )
    }

    /// Records one converting journey's totals.
    pub(crate) fn add_journey(&mut self, conversions: u64, weighted: f64, value: f64) {
        self.converting_journeys = self.converting_journeys.saturating_add(1);
        self.conversions = self.conversions.saturating_add(conversions);
        if weighted != 0.0 {
            self.weighted_conversions.add(weighted);
        }
        self.value.add(value);
    }

    /// Credits the touch of `channel` at 0-based `position`.
    #[inline]
    pub(crate) fn credit(
        &mut self,
        channel: ChannelId,
        position: usize,
        conversions: f64,
        value: f64,
    ) {
        let index = channel.index();
        if index >= self.sums.len() {
            self.sums.resize_with(index + 1, Vec::new);
        }
        if let Some(row) = self.sums.get_mut(index) {
            if position >= row.len() {
                row.resize(position + 1, Sums::default());
            }
            if let Some(sums) = row.get_mut(position) {
                sums.conversions.add(conversions);
                sums.value.add(value);
            }
        }
    }

    /// The attribution: every channel of the table in index order, its
    /// credit the sum over its positions, the positions as extras (every
    /// channel padded to the same number of positions; `pooled` when the
    /// last one is a `P+` bucket).
    pub(crate) fn to_attribution(
        &self,
        model: &str,
        parameters: Vec<(String, String)>,
        max_position: usize,
    ) -> Result<Attribution, ModelError> {
        check_totals(
            self.conversions,
            self.weighted_conversions.value(),
            self.value.value(),
        )?;
        let width = self.positions();
        let pooled = max_position > 0 && width == max_position;
        let mut credits = Vec::with_capacity(self.channels.len());
        for (id, name) in self.channels.iter() {
            let row = self.sums.get(id.index()).map_or(&[][..], Vec::as_slice);
            let mut conversions = vec![0.0; width];
            let mut values = vec![0.0; width];
            let (mut total_c, mut total_v) = (CompensatedSum::default(), CompensatedSum::default());
            for ((sums, c), v) in row.iter().zip(&mut conversions).zip(&mut values) {
                *c = sums.conversions.value();
                *v = sums.value.value();
                total_c.merge(&sums.conversions);
                total_v.merge(&sums.value);
            }
            let (c, v) = (total_c.value(), total_v.value());
            if !(c.is_finite() && v.is_finite()) {
                return Err(ModelError::Overflow {
                    index: None,
                    what: format!(
                        "the credit of channel `{name}` exceeds the largest finite number ({:e})",
                        f64::MAX
                    ),
                });
            }
            credits.push(
                ChannelCredit::new(id, name, c, v)
                    .with_positions(conversions)
                    .with_position_values(values)
                    .with_positions_pooled(pooled),
            );
        }
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
/// or a sum is not finite.
fn check_totals(conversions: u64, weighted: f64, value: f64) -> Result<(), ModelError> {
    if conversions > MAX_EXACT_COUNT {
        return Err(ModelError::Overflow {
            index: None,
            what: format!(
                "the total of conversions exceeds 2^53 = {MAX_EXACT_COUNT}, above which counts are not exactly representable"
            ),
        });
    }
    if !(weighted.is_finite() && value.is_finite()) {
        return Err(ModelError::Overflow {
            index: None,
            what: format!(
                "the total of weighted conversions or of conversion value exceeds the largest finite number ({:e})",
                f64::MAX
            ),
        });
    }
    Ok(())
}

impl Merge for OrderedState {
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
        for (i, theirs) in other.sums.iter().enumerate() {
            let index = remap.index(i);
            if index >= self.sums.len() {
                self.sums.resize_with(index + 1, Vec::new);
            }
            if let Some(mine) = self.sums.get_mut(index) {
                if theirs.len() > mine.len() {
                    mine.resize(theirs.len(), Sums::default());
                }
                for (m, t) in mine.iter_mut().zip(theirs) {
                    m.merge(t);
                }
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
    /// Per channel index, `(conversions, value)` per position.
    sums: Vec<Vec<(CompensatedSum, CompensatedSum)>>,
    converting_journeys: u64,
    conversions: u64,
    weighted_conversions: CompensatedSum,
    value: CompensatedSum,
}

impl From<OrderedState> for StateRepr {
    fn from(s: OrderedState) -> Self {
        Self {
            spec: s.spec,
            channels: s.channels,
            sums: s
                .sums
                .iter()
                .map(|row| row.iter().map(|p| (p.conversions, p.value)).collect())
                .collect(),
            converting_journeys: s.converting_journeys,
            conversions: s.conversions,
            weighted_conversions: s.weighted_conversions,
            value: s.value,
        }
    }
}

/// Why a serialised ordered-Shapley state was rejected.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid shapley-ordered state: {0}")]
pub struct InvalidOrderedState(String);

impl TryFrom<StateRepr> for OrderedState {
    type Error = InvalidOrderedState;

    fn try_from(r: StateRepr) -> Result<Self, Self::Error> {
        Self::validated(r).map_err(crate::invalid::remember)
    }
}

impl OrderedState {
    fn validated(r: StateRepr) -> Result<Self, InvalidOrderedState> {
        let invalid = |what: String| InvalidOrderedState(what);
        if r.sums.len() > r.channels.len() {
            return Err(invalid(format!(
                "{} per-channel rows for {} channels",
                r.sums.len(),
                r.channels.len()
            )));
        }
        let cap = r
            .spec
            .get("max_position")
            .and_then(|p| p.parse::<usize>().ok())
            .unwrap_or(0);
        if let Some(i) = r.sums.iter().position(|row| cap > 0 && row.len() > cap) {
            return Err(invalid(format!(
                "channel #{i} holds more than max_position = {cap} positions"
            )));
        }
        if r.conversions > MAX_EXACT_COUNT {
            return Err(invalid(format!(
                "{} conversions, above 2^53 = {MAX_EXACT_COUNT}",
                r.conversions
            )));
        }
        let finite = |s: &CompensatedSum| s.value().is_finite() && s.value() >= 0.0;
        if !(finite(&r.weighted_conversions) && finite(&r.value)) {
            return Err(invalid(
                "a total is not a finite non-negative number".to_owned(),
            ));
        }
        if let Some(i) = r
            .sums
            .iter()
            .position(|row| !row.iter().all(|(c, v)| finite(c) && finite(v)))
        {
            return Err(invalid(format!(
                "a credit of channel #{i} is not a finite non-negative number"
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
                .map(|row| {
                    row.into_iter()
                        .map(|(conversions, value)| Sums { conversions, value })
                        .collect()
                })
                .collect(),
            converting_journeys: r.converting_journeys,
            conversions: r.conversions,
            weighted_conversions: r.weighted_conversions,
            value: r.value,
        })
    }
}
