//! The data model: [`Touchpoint`], [`Journey`], [`JourneySet`].

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::channel::{ChannelId, Channels};
use crate::error::JourneyError;

/// One touch of a journey: a channel and, optionally, when it happened (UTC).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Touchpoint {
    /// The channel touched.
    pub channel: ChannelId,
    /// When the touch happened, if known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub time: Option<DateTime<Utc>>,
}

impl Touchpoint {
    /// A touch without a timestamp.
    #[must_use]
    pub fn new(channel: ChannelId) -> Self {
        Self {
            channel,
            time: None,
        }
    }

    /// A touch at `time`.
    #[must_use]
    pub fn at(channel: ChannelId, time: DateTime<Utc>) -> Self {
        Self {
            channel,
            time: Some(time),
        }
    }
}

/// An ordered list of touchpoints and its outcome.
///
/// Outcomes are counts, so one aggregated path row (`PPC > Email` converted 3
/// times, not converted 40 times) and one user's journey (converted once) are
/// the same type. Invariants, checked by [`Journey::new`]: at least one touch;
/// `value` finite and `>= 0`; either every touch has a timestamp or none has.
///
/// # Example
///
/// ```
/// use attribution::{Channels, Journey, Touchpoint};
///
/// let mut channels = Channels::new();
/// let ppc = channels.intern("PPC")?;
/// let email = channels.intern("Email")?;
/// let journey = Journey::new(vec![Touchpoint::new(ppc), Touchpoint::new(email)], 1, 0, 120.0)?;
/// assert_eq!(journey.len(), 2);
/// assert_eq!(journey.conversions(), 1);
/// assert_eq!(journey.value(), 120.0);
/// # Ok::<(), attribution::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(try_from = "JourneyRepr", into = "JourneyRepr")]
pub struct Journey {
    touches: Vec<Touchpoint>,
    conversions: u64,
    non_conversions: u64,
    value: f64,
    conversion_time: Option<DateTime<Utc>>,
    id: Option<Box<str>>,
    index: Option<u32>,
    /// Frequency tags, one per touch, or empty for an ordinary journey
    /// (see [`Journey::tags`]).
    tags: Vec<u32>,
}

impl Journey {
    /// A journey with the given touches and outcome.
    ///
    /// # Errors
    ///
    /// [`JourneyError::NoTouches`], [`JourneyError::InvalidValue`] (NaN,
    /// infinite or negative), [`JourneyError::MixedTimestamps`].
    pub fn new(
        touches: Vec<Touchpoint>,
        conversions: u64,
        non_conversions: u64,
        value: f64,
    ) -> Result<Self, JourneyError> {
        check(&touches, value)?;
        Ok(Self {
            touches,
            conversions,
            non_conversions,
            // Normalise -0.0 so that serialisation and equality are canonical.
            value: value + 0.0,
            conversion_time: None,
            id: None,
            index: None,
            tags: Vec::new(),
        })
    }

    /// Replaces this journey's touches and outcome, keeping its invariants:
    /// the allocation-reusing twin of [`Journey::new`]. The new touches are
    /// swapped in from `touches` (which receives the old ones); the
    /// conversion time, id and journey index are cleared. On error nothing
    /// changes.
    pub(crate) fn refill(
        &mut self,
        touches: &mut Vec<Touchpoint>,
        conversions: u64,
        non_conversions: u64,
        value: f64,
    ) -> Result<(), JourneyError> {
        check(touches, value)?;
        std::mem::swap(&mut self.touches, touches);
        self.conversions = conversions;
        self.non_conversions = non_conversions;
        self.value = value + 0.0;
        self.conversion_time = None;
        self.id = None;
        self.index = None;
        self.tags.clear();
        Ok(())
    }

    /// Makes this journey the transform of `source`: swaps in `touches`
    /// and `tags` (which receive the old buffers, so that a reused output
    /// journey allocates nothing in the steady state) and copies the
    /// outcome, conversion time and journey index of `source` (not its id,
    /// which would allocate). The caller guarantees the invariants: at
    /// least one touch, timestamps on all or none, `tags` empty or one per
    /// touch, each at least 1.
    pub(crate) fn assign_tokens(
        &mut self,
        source: &Journey,
        touches: &mut Vec<Touchpoint>,
        tags: &mut Vec<u32>,
    ) {
        std::mem::swap(&mut self.touches, touches);
        std::mem::swap(&mut self.tags, tags);
        self.conversions = source.conversions;
        self.non_conversions = source.non_conversions;
        self.value = source.value;
        self.conversion_time = source.conversion_time;
        self.id = None;
        self.index = source.index;
    }

    /// Tags every touch with a count (a frequency token, as the
    /// `frequency` path transform makes them): touch `i` becomes the token
    /// (channel, `tags[i]`). Models that credit channels ignore tags; models
    /// whose result depends on path identity compare tokens. An empty
    /// `tags` removes the tags.
    ///
    /// ```
    /// use attribution::{Channels, Journey};
    ///
    /// let mut channels = Channels::new();
    /// let (a, b) = (channels.intern("A")?, channels.intern("B")?);
    /// let journey = Journey::from_channels(&[a, b], 1, 0, 0.0)?.with_tags(vec![3, 1])?;
    /// assert_eq!(journey.tags(), Some(&[3, 1][..]));
    /// assert_eq!(journey.token(0), Some((a, Some(3))));
    /// assert!(Journey::from_channels(&[a], 1, 0, 0.0)?.with_tags(vec![1, 2]).is_err());
    /// # Ok::<(), attribution::Error>(())
    /// ```
    ///
    /// # Errors
    ///
    /// [`JourneyError::InvalidTags`] unless `tags` is empty or has one tag
    /// per touch, each at least 1.
    pub fn with_tags(mut self, tags: Vec<u32>) -> Result<Self, JourneyError> {
        check_tags(self.touches.len(), &tags)?;
        self.tags = tags;
        Ok(self)
    }

    /// The frequency tags, one per touch, when the journey carries tokens
    /// (made by the `frequency` path transform, see
    /// [`crate::model::transform`]); `None` for an ordinary journey.
    #[must_use]
    pub fn tags(&self) -> Option<&[u32]> {
        (!self.tags.is_empty()).then_some(self.tags.as_slice())
    }

    /// Token `i`: its channel and, for a tagged journey, its tag.
    #[must_use]
    pub fn token(&self, i: usize) -> Option<(ChannelId, Option<u32>)> {
        let touch = self.touches.get(i)?;
        Some((touch.channel, self.tags.get(i).copied()))
    }

    /// Renames the channels of the touches (e.g. from a piece-local channel
    /// table to the global one); the invariants do not involve ids.
    pub(crate) fn map_channels(&mut self, mut f: impl FnMut(ChannelId) -> ChannelId) {
        for touch in &mut self.touches {
            touch.channel = f(touch.channel);
        }
    }

    /// Sets or clears the conversion time in place.
    pub(crate) fn set_conversion_time(&mut self, time: Option<DateTime<Utc>>) {
        self.conversion_time = time;
    }

    /// Sets or clears the id in place.
    pub(crate) fn set_id(&mut self, id: Option<&str>) {
        self.id = id.map(Into::into);
    }

    /// Sets or clears the journey index in place.
    pub(crate) fn set_journey_index(&mut self, index: Option<u32>) {
        self.index = index;
    }

    /// A journey of untimed touches on `channels`.
    ///
    /// # Errors
    ///
    /// As [`Journey::new`].
    pub fn from_channels(
        channels: &[ChannelId],
        conversions: u64,
        non_conversions: u64,
        value: f64,
    ) -> Result<Self, JourneyError> {
        Self::new(
            channels.iter().copied().map(Touchpoint::new).collect(),
            conversions,
            non_conversions,
            value,
        )
    }

    /// Sets the conversion time (the purchase).
    #[must_use]
    pub fn with_conversion_time(mut self, time: DateTime<Utc>) -> Self {
        self.conversion_time = Some(time);
        self
    }

    /// Sets an identifier (a journey or user id from the input). Ids are
    /// opaque strings, compared exactly.
    #[must_use]
    pub fn with_id(mut self, id: impl Into<Box<str>>) -> Self {
        self.id = Some(id.into());
        self
    }

    /// Sets the journey index: the 1-based position of this journey among
    /// the journeys of one user (its [`Journey::id`]). The journey builder
    /// numbers the journeys of a user who has several; together, id and
    /// index name a journey unambiguously, whatever characters the user ids
    /// hold.
    ///
    /// ```
    /// use attribution::{Channels, Journey};
    ///
    /// let mut channels = Channels::new();
    /// let ppc = channels.intern("PPC")?;
    /// let second = Journey::from_channels(&[ppc], 1, 0, 0.0)?
    ///     .with_id("u")
    ///     .with_journey_index(2);
    /// assert_eq!((second.id(), second.journey_index()), (Some("u"), Some(2)));
    /// # Ok::<(), attribution::Error>(())
    /// ```
    #[must_use]
    pub fn with_journey_index(mut self, index: u32) -> Self {
        self.index = Some(index);
        self
    }

    /// The touches, in order.
    #[must_use]
    pub fn touches(&self) -> &[Touchpoint] {
        &self.touches
    }

    /// The channels of the touches, in order.
    #[must_use]
    pub fn channels(&self) -> impl ExactSizeIterator<Item = ChannelId> + DoubleEndedIterator + '_ {
        self.touches.iter().map(|t| t.channel)
    }

    /// The number of touches (never 0).
    #[must_use]
    pub fn len(&self) -> usize {
        self.touches.len()
    }

    /// Always `false`: a journey has at least one touch. Provided for clippy's
    /// `len_without_is_empty` convention.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.touches.is_empty()
    }

    /// The first touch.
    #[must_use]
    pub fn first(&self) -> Option<&Touchpoint> {
        self.touches.first()
    }

    /// The last touch.
    #[must_use]
    pub fn last(&self) -> Option<&Touchpoint> {
        self.touches.last()
    }

    /// How many conversions this journey (or aggregated path) ended in.
    #[must_use]
    pub fn conversions(&self) -> u64 {
        self.conversions
    }

    /// How many times this journey (or aggregated path) ended without conversion.
    #[must_use]
    pub fn non_conversions(&self) -> u64 {
        self.non_conversions
    }

    /// The total value (revenue) of its conversions.
    #[must_use]
    pub fn value(&self) -> f64 {
        self.value
    }

    /// When the conversion happened, if known.
    #[must_use]
    pub fn conversion_time(&self) -> Option<DateTime<Utc>> {
        self.conversion_time
    }

    /// The journey's identifier, if it has one.
    #[must_use]
    pub fn id(&self) -> Option<&str> {
        self.id.as_deref()
    }

    /// The journey's 1-based position among the journeys of its user, if
    /// it has one (see [`Journey::with_journey_index`]).
    #[must_use]
    pub fn journey_index(&self) -> Option<u32> {
        self.index
    }

    /// Whether every touch carries a timestamp.
    #[must_use]
    pub fn is_timed(&self) -> bool {
        self.touches.iter().all(|t| t.time.is_some())
    }
}

/// The invariants of [`Journey::with_tags`].
fn check_tags(touches: usize, tags: &[u32]) -> Result<(), JourneyError> {
    if !tags.is_empty() && (tags.len() != touches || tags.contains(&0)) {
        return Err(JourneyError::InvalidTags {
            tags: tags.len(),
            touches,
        });
    }
    Ok(())
}

/// The invariants of [`Journey::new`].
fn check(touches: &[Touchpoint], value: f64) -> Result<(), JourneyError> {
    if touches.is_empty() {
        return Err(JourneyError::NoTouches);
    }
    if !value.is_finite() || value < 0.0 {
        return Err(JourneyError::InvalidValue { value });
    }
    let timed = touches.iter().filter(|t| t.time.is_some()).count();
    if timed != 0 && timed != touches.len() {
        return Err(JourneyError::MixedTimestamps);
    }
    Ok(())
}

#[derive(Serialize, Deserialize)]
struct JourneyRepr {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    journey_index: Option<u32>,
    touches: Vec<Touchpoint>,
    conversions: u64,
    non_conversions: u64,
    value: f64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    conversion_time: Option<DateTime<Utc>>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    tags: Vec<u32>,
}

impl TryFrom<JourneyRepr> for Journey {
    type Error = JourneyError;

    fn try_from(r: JourneyRepr) -> Result<Self, Self::Error> {
        let mut journey = Journey::new(r.touches, r.conversions, r.non_conversions, r.value)?;
        journey.conversion_time = r.conversion_time;
        journey.id = r.id.map(Into::into);
        journey.index = r.journey_index;
        journey.with_tags(r.tags)
    }
}

impl From<Journey> for JourneyRepr {
    fn from(j: Journey) -> Self {
        Self {
            id: j.id.map(String::from),
            journey_index: j.index,
            touches: j.touches,
            conversions: j.conversions,
            non_conversions: j.non_conversions,
            value: j.value,
            conversion_time: j.conversion_time,
            tags: j.tags,
        }
    }
}

/// A channel table and the journeys over it. Models take `&JourneySet`.
///
/// Every journey's channels belong to the table (checked by [`JourneySet::push`]).
///
/// # Example
///
/// ```
/// use attribution::{Channels, Journey, JourneySet};
///
/// let mut set = JourneySet::new(Channels::new());
/// let ppc = set.channels_mut().intern("PPC")?;
/// let email = set.channels_mut().intern("Email")?;
/// set.push(Journey::from_channels(&[ppc, email], 1, 0, 120.0)?)?;
/// set.push(Journey::from_channels(&[ppc], 0, 3, 0.0)?)?;
/// assert_eq!(set.len(), 2);
/// assert_eq!(set.total_conversions(), 1);
/// assert_eq!(set.total_value(), 120.0);
/// # Ok::<(), attribution::Error>(())
/// ```
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(try_from = "JourneySetRepr")]
pub struct JourneySet {
    channels: Channels,
    journeys: Vec<Journey>,
}

#[derive(Deserialize)]
struct JourneySetRepr {
    channels: Channels,
    journeys: Vec<Journey>,
}

impl TryFrom<JourneySetRepr> for JourneySet {
    type Error = JourneyError;

    fn try_from(r: JourneySetRepr) -> Result<Self, Self::Error> {
        let mut set = JourneySet::new(r.channels);
        set.journeys.reserve(r.journeys.len());
        for journey in r.journeys {
            set.push(journey)?;
        }
        Ok(set)
    }
}

impl JourneySet {
    /// An empty set over `channels`.
    #[must_use]
    pub fn new(channels: Channels) -> Self {
        Self {
            channels,
            journeys: Vec::new(),
        }
    }

    /// Adds a journey.
    ///
    /// # Errors
    ///
    /// [`JourneyError::UnknownChannel`] if a touch names a channel outside the table.
    pub fn push(&mut self, journey: Journey) -> Result<(), JourneyError> {
        if let Some(t) = journey
            .touches
            .iter()
            .find(|t| !self.channels.contains(t.channel))
        {
            return Err(JourneyError::UnknownChannel {
                id: t.channel.get(),
                len: self.channels.len(),
            });
        }
        self.journeys.push(journey);
        Ok(())
    }

    /// The channel table.
    #[must_use]
    pub fn channels(&self) -> &Channels {
        &self.channels
    }

    /// The channel table, to intern new channels. Existing ids never change.
    pub fn channels_mut(&mut self) -> &mut Channels {
        &mut self.channels
    }

    /// The journeys, in input order.
    #[must_use]
    pub fn journeys(&self) -> &[Journey] {
        &self.journeys
    }

    /// Iterates over the journeys.
    pub fn iter(&self) -> std::slice::Iter<'_, Journey> {
        self.journeys.iter()
    }

    /// The number of journeys.
    #[must_use]
    pub fn len(&self) -> usize {
        self.journeys.len()
    }

    /// Whether there are no journeys.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.journeys.is_empty()
    }

    /// Total conversions over all journeys (saturating).
    #[must_use]
    pub fn total_conversions(&self) -> u64 {
        self.journeys
            .iter()
            .fold(0u64, |acc, j| acc.saturating_add(j.conversions))
    }

    /// Total non-conversions over all journeys (saturating).
    #[must_use]
    pub fn total_non_conversions(&self) -> u64 {
        self.journeys
            .iter()
            .fold(0u64, |acc, j| acc.saturating_add(j.non_conversions))
    }

    /// Total value over all journeys.
    #[must_use]
    pub fn total_value(&self) -> f64 {
        let mut sum = crate::numeric::CompensatedSum::default();
        for j in &self.journeys {
            sum.add(j.value);
        }
        sum.value()
    }

    /// Splits into the channel table and the journeys.
    #[must_use]
    pub fn into_parts(self) -> (Channels, Vec<Journey>) {
        (self.channels, self.journeys)
    }
}

impl<'a> IntoIterator for &'a JourneySet {
    type Item = &'a Journey;
    type IntoIter = std::slice::Iter<'a, Journey>;

    fn into_iter(self) -> Self::IntoIter {
        self.journeys.iter()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn journey_invariants_are_checked() {
        let c = ChannelId::from_index(0).unwrap();
        assert_eq!(
            Journey::new(vec![], 1, 0, 0.0),
            Err(JourneyError::NoTouches)
        );
        assert!(matches!(
            Journey::from_channels(&[c], 1, 0, f64::NAN),
            Err(JourneyError::InvalidValue { .. })
        ));
        assert!(matches!(
            Journey::from_channels(&[c], 1, 0, -1.0),
            Err(JourneyError::InvalidValue { .. })
        ));
        let t = DateTime::from_timestamp(0, 0).unwrap();
        assert_eq!(
            Journey::new(vec![Touchpoint::at(c, t), Touchpoint::new(c)], 1, 0, 0.0),
            Err(JourneyError::MixedTimestamps)
        );
    }

    #[test]
    fn set_rejects_foreign_channels_and_round_trips_through_serde() {
        let mut set = JourneySet::new(Channels::new());
        let ppc = set.channels_mut().intern("PPC").unwrap();
        let foreign = ChannelId::from_index(5).unwrap();
        assert_eq!(
            set.push(Journey::from_channels(&[ppc, foreign], 1, 0, 1.0).unwrap()),
            Err(JourneyError::UnknownChannel { id: 5, len: 1 })
        );
        let t = DateTime::from_timestamp(1_700_000_000, 0).unwrap();
        set.push(
            Journey::new(vec![Touchpoint::at(ppc, t)], 1, 2, 9.5)
                .unwrap()
                .with_conversion_time(t)
                .with_id("J1"),
        )
        .unwrap();
        let json = serde_json::to_string(&set).unwrap();
        let back: JourneySet = serde_json::from_str(&json).unwrap();
        assert_eq!(back, set);
        let bad = json.replace("9.5", "-9.5");
        assert!(serde_json::from_str::<JourneySet>(&bad).is_err());
    }
}
