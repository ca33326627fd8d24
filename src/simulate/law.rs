//! Touch laws: how a simulated journey's path is drawn.

use rand::Rng;
use rand::distr::weighted::WeightedIndex;
use rand::distr::{Bernoulli, Distribution};
use rand_distr::Geometric;

use super::config::invalid;
use super::fit::FittedLaw;
use super::names::{channel_table, popularity_weights};
use crate::channel::{ChannelId, Channels};
use crate::error::SimulateError;

/// How the paths of simulated journeys are drawn.
///
/// * [`TouchLaw::Recipe`]: the fixture recipe over channels `ch00`.. (see
///   [`RecipeLaw`]), used without an input to imitate.
/// * [`TouchLaw::Fitted`]: the law fitted to an input by
///   [`LawCounts`](super::LawCounts): its channels, length law, first-touch
///   law and one-step transition law.
///
/// # Example
///
/// ```
/// use attribution::simulate::TouchLaw;
///
/// let law = TouchLaw::recipe(3)?;
/// let names: Vec<&str> = law.channels().iter().map(|(_, n)| n).collect();
/// assert_eq!(names, ["ch00", "ch01", "ch02"]);
/// # Ok::<(), attribution::error::SimulateError>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
pub enum TouchLaw {
    /// The fixture recipe.
    Recipe(RecipeLaw),
    /// A law fitted to an input.
    Fitted(FittedLaw),
}

impl TouchLaw {
    /// The recipe law over `channels` channels with the defaults of
    /// [`RecipeLaw::new`].
    ///
    /// # Errors
    ///
    /// [`SimulateError::InvalidConfig`] (`channels`) for 0 channels;
    /// [`SimulateError::Channel`] for more channels than a table holds.
    pub fn recipe(channels: usize) -> Result<Self, SimulateError> {
        RecipeLaw::new(channels).map(Self::Recipe)
    }

    /// The channels paths are drawn over, in channel order.
    #[must_use]
    pub fn channels(&self) -> &Channels {
        match self {
            Self::Recipe(recipe) => recipe.channels(),
            Self::Fitted(fitted) => fitted.channels(),
        }
    }
}

/// The touch law of the fixture recipe, per journey:
///
/// * channels `ch00`..`ch{C−1}` ([`channel_names`](super::channel_names))
///   with popularity ∝ 1/rank^0.9 (`ch00` most popular);
/// * length L = min(20, Geometric(0.3)), counted in trials, so L ≥ 1;
/// * the first touch is drawn by popularity; each later touch repeats the
///   previous channel with probability 0.25 and is otherwise drawn by
///   popularity.
///
/// The draws of one path, in order: the geometric length, then per touch
/// after the first a Bernoulli(0.25) repeat draw and, unless it repeats, a
/// popularity draw (the first touch: a popularity draw only).
#[derive(Debug, Clone, PartialEq)]
pub struct RecipeLaw {
    channels: Channels,
    max_len: usize,
    length_p: f64,
    repeat_prob: f64,
    popularity_exponent: f64,
}

impl RecipeLaw {
    /// The recipe over `channels` channels: at most 20 touches, length law
    /// Geometric(0.3), repeat probability 0.25, popularity exponent 0.9.
    ///
    /// # Errors
    ///
    /// As [`TouchLaw::recipe`].
    pub fn new(channels: usize) -> Result<Self, SimulateError> {
        Self::with_parameters(channels, 20, 0.3, 0.25, 0.9)
    }

    /// The recipe with every parameter given (checked by the caller).
    pub(crate) fn with_parameters(
        channels: usize,
        max_len: usize,
        length_p: f64,
        repeat_prob: f64,
        popularity_exponent: f64,
    ) -> Result<Self, SimulateError> {
        if channels == 0 {
            return Err(invalid("channels", "must be at least 1, got 0".to_owned()));
        }
        Ok(Self {
            channels: channel_table(channels)?,
            max_len,
            length_p,
            repeat_prob,
            popularity_exponent,
        })
    }

    /// The channels `ch00`..
    #[must_use]
    pub fn channels(&self) -> &Channels {
        &self.channels
    }

    /// The longest path, in touches (20).
    #[must_use]
    pub fn max_len(&self) -> usize {
        self.max_len
    }

    /// The success probability of the geometric length law (0.3).
    #[must_use]
    pub fn length_p(&self) -> f64 {
        self.length_p
    }

    /// The probability that a later touch repeats the previous channel
    /// (0.25).
    #[must_use]
    pub fn repeat_prob(&self) -> f64 {
        self.repeat_prob
    }

    /// The popularity exponent: rank r weighs 1/r^exponent (0.9).
    #[must_use]
    pub fn popularity_exponent(&self) -> f64 {
        self.popularity_exponent
    }
}

/// A touch law ready to draw paths.
pub(crate) enum Sampler {
    Recipe(RecipeSampler),
    Fitted(FittedSampler),
}

impl Sampler {
    pub(crate) fn new(law: &TouchLaw) -> Result<Self, SimulateError> {
        match law {
            TouchLaw::Recipe(recipe) => RecipeSampler::new(recipe).map(Self::Recipe),
            TouchLaw::Fitted(fitted) => FittedSampler::new(fitted).map(Self::Fitted),
        }
    }

    /// Draws one path into `path` (cleared first).
    pub(crate) fn draw<R: Rng + ?Sized>(&self, rng: &mut R, path: &mut Vec<ChannelId>) {
        match self {
            Self::Recipe(s) => s.draw(rng, path),
            Self::Fitted(s) => s.draw(rng, path),
        }
    }
}

pub(crate) struct RecipeSampler {
    ids: Ids,
    popularity: WeightedIndex<f64>,
    length: Geometric,
    repeat: Bernoulli,
    max_len: usize,
}

impl RecipeSampler {
    pub(crate) fn new(recipe: &RecipeLaw) -> Result<Self, SimulateError> {
        let weights = popularity_weights(recipe.channels.len(), recipe.popularity_exponent);
        Ok(Self {
            ids: Ids::new(&recipe.channels)?,
            popularity: WeightedIndex::new(weights)
                .map_err(|e| invalid("popularity_exponent", e.to_string()))?,
            length: Geometric::new(recipe.length_p)
                .map_err(|e| invalid("length_p", e.to_string()))?,
            repeat: Bernoulli::new(recipe.repeat_prob)
                .map_err(|e| invalid("repeat_prob", e.to_string()))?,
            max_len: recipe.max_len,
        })
    }

    /// The length draw, then per touch: repeat draw (after the first touch)
    /// and popularity draw unless it repeats.
    pub(crate) fn draw<R: Rng + ?Sized>(&self, rng: &mut R, path: &mut Vec<ChannelId>) {
        // Trials of the geometric law: 1 + failures.
        let length = usize::try_from(self.length.sample(rng))
            .unwrap_or(usize::MAX)
            .saturating_add(1)
            .min(self.max_len);
        path.clear();
        for _ in 0..length {
            let channel = match path.last() {
                Some(&previous) if self.repeat.sample(rng) => previous,
                _ => self.ids.get(self.popularity.sample(rng)),
            };
            path.push(channel);
        }
    }
}

pub(crate) struct FittedSampler {
    ids: Ids,
    lengths: Vec<usize>,
    length: WeightedIndex<u64>,
    first: WeightedIndex<u64>,
    /// Per channel: its successors and their weights, or `None` when it is
    /// never followed (then the first-touch law is used).
    next: Vec<Option<(Vec<ChannelId>, WeightedIndex<u64>)>>,
}

impl FittedSampler {
    fn new(law: &FittedLaw) -> Result<Self, SimulateError> {
        let empty = || SimulateError::EmptyInput;
        let lengths = law.length_counts().iter().map(|&(l, _)| l).collect();
        let length =
            WeightedIndex::new(law.length_counts().iter().map(|&(_, n)| n)).map_err(|_| empty())?;
        let first = WeightedIndex::new(law.first_counts().iter().copied()).map_err(|_| empty())?;
        let next = (0..law.channels().len())
            .map(|a| {
                let row = ChannelId::from_index(a).map_or(&[][..], |a| law.transition_counts(a));
                if row.is_empty() {
                    return Ok(None);
                }
                let targets = row.iter().map(|&(b, _)| b).collect();
                let weights =
                    WeightedIndex::new(row.iter().map(|&(_, n)| n)).map_err(|_| empty())?;
                Ok(Some((targets, weights)))
            })
            .collect::<Result<_, SimulateError>>()?;
        Ok(Self {
            ids: Ids::new(law.channels())?,
            lengths,
            length,
            first,
            next,
        })
    }

    /// L ~ q, t_1 ~ f, then t_i ~ T(t_{i−1}, ·) (f for a channel never
    /// followed): one draw each.
    fn draw<R: Rng + ?Sized>(&self, rng: &mut R, path: &mut Vec<ChannelId>) {
        let length = self
            .lengths
            .get(self.length.sample(rng))
            .copied()
            .unwrap_or(1);
        path.clear();
        for _ in 0..length {
            let next = path
                .last()
                .and_then(|previous| self.next.get(previous.index()))
                .and_then(Option::as_ref);
            let channel = match next {
                Some((targets, weights)) => targets
                    .get(weights.sample(rng))
                    .copied()
                    .unwrap_or(self.ids.fallback),
                None => self.ids.get(self.first.sample(rng)),
            };
            path.push(channel);
        }
    }
}

/// The ids of a table, for the indices the laws draw.
struct Ids {
    ids: Vec<ChannelId>,
    fallback: ChannelId,
}

impl Ids {
    fn new(channels: &Channels) -> Result<Self, SimulateError> {
        let ids: Vec<ChannelId> = channels.iter().map(|(id, _)| id).collect();
        let fallback = ids.first().copied().ok_or(SimulateError::EmptyInput)?;
        Ok(Self { ids, fallback })
    }

    /// The id of index `i` (always in range: the laws are table-sized).
    fn get(&self, i: usize) -> ChannelId {
        self.ids.get(i).copied().unwrap_or(self.fallback)
    }
}
