//! [`Transformer`]: applies a [`Transforms`] list to paths and journeys in
//! O(L) per path, reusing its buffers.

use crate::channel::Channels;
use crate::journey::{Journey, Touchpoint};

use super::{PathTransform, Transforms};

/// A token while transforming: the touch and its tag (0: untagged).
type Token = (Touchpoint, u32);

/// Applies transform lists, reusing its buffers: after the first journeys,
/// transforming allocates nothing (unless a longer path or a larger channel
/// table comes along).
///
/// Every transform is O(L) for a path of L touches (`first` and
/// `frequency` mark channels in a table indexed by channel id, reset by an
/// epoch counter rather than cleared). Kept touches keep their timestamps
/// (the first of a run for `exposure`, the first occurrence for `first`
/// and `frequency`). No transform empties a non-empty path.
///
/// Transforms compare channels; a touch of a journey that already carries
/// tags keeps its tag (only `frequency` sets tags).
///
/// ```
/// use attribution::transform::{Transformer, Transforms};
/// use attribution::{Channels, Journey};
///
/// let mut channels = Channels::new();
/// let ids: Vec<_> = ["D", "A", "B", "B", "C", "D", "C", "C"]
///     .iter()
///     .map(|n| channels.intern(n))
///     .collect::<Result<_, _>>()?;
/// let journey = Journey::from_channels(&ids, 1, 0, 0.0)?;
/// let mut transformer = Transformer::new();
/// let out = transformer.journey(&Transforms::parse(["frequency"])?, &journey, &channels);
/// let names: Vec<_> = out.channels().filter_map(|c| channels.name(c)).collect();
/// assert_eq!(names, ["D", "A", "B", "C"]);
/// assert_eq!(out.tags(), Some(&[2, 1, 2, 3][..]));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, Default)]
pub struct Transformer {
    tokens: Vec<Token>,
    touches: Vec<Touchpoint>,
    tags: Vec<u32>,
    /// `seen[c] == epoch`: channel c was marked in the current pass.
    seen: Vec<u32>,
    /// Counts per channel (valid where `seen` holds the counting pass's epoch).
    counts: Vec<u32>,
    epoch: u32,
    out: Option<Journey>,
}

impl Transformer {
    /// A transformer with empty buffers.
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }

    /// Transforms the path `touches` (with its `tags`, if tagged; the path
    /// may be empty) and returns the result: the touches and, when tagged,
    /// one tag per touch.
    pub fn path(
        &mut self,
        transforms: &Transforms,
        touches: &[Touchpoint],
        tags: Option<&[u32]>,
        channels: &Channels,
    ) -> (&[Touchpoint], Option<&[u32]>) {
        self.run(transforms, touches, tags, channels);
        let tagged = !self.tags.is_empty();
        (&self.touches, tagged.then_some(self.tags.as_slice()))
    }

    /// `journey` transformed: the journey itself when the list is the
    /// identity, else this transformer's reused output journey (the same
    /// outcome, conversion time and journey index; no id).
    pub fn journey<'a>(
        &'a mut self,
        transforms: &Transforms,
        journey: &'a Journey,
        channels: &Channels,
    ) -> &'a Journey {
        if transforms.is_identity() {
            return journey;
        }
        self.run(transforms, journey.touches(), journey.tags(), channels);
        let out = self.out.get_or_insert_with(|| journey.clone());
        out.assign_tokens(journey, &mut self.touches, &mut self.tags);
        out
    }

    /// Runs the list into `self.touches` / `self.tags` (tags empty when
    /// untagged).
    fn run(
        &mut self,
        transforms: &Transforms,
        touches: &[Touchpoint],
        tags: Option<&[u32]>,
        channels: &Channels,
    ) {
        self.tokens.clear();
        match tags {
            Some(tags) if tags.len() == touches.len() => self
                .tokens
                .extend(touches.iter().copied().zip(tags.iter().copied())),
            _ => self.tokens.extend(touches.iter().map(|&t| (t, 0))),
        }
        let mut tagged = tags.is_some();
        for transform in transforms.as_slice() {
            match transform {
                PathTransform::Unique => {}
                PathTransform::Exposure => {
                    self.tokens.dedup_by(|b, a| a.0.channel == b.0.channel);
                }
                PathTransform::First => self.first(false),
                PathTransform::Frequency => {
                    self.first(true);
                    tagged = true;
                }
                PathTransform::TrimLast(n) => {
                    if let Some(excess) = self.tokens.len().checked_sub(*n) {
                        self.tokens.drain(..excess);
                    }
                }
                PathTransform::RemoveIfNotAll(name) => {
                    let x = channels.get(name);
                    if x.is_some() && self.tokens.iter().any(|t| Some(t.0.channel) != x) {
                        self.tokens.retain(|t| Some(t.0.channel) != x);
                    }
                }
                PathTransform::RemoveIfLastAndNotAll(name) => {
                    let x = channels.get(name);
                    if x.is_some() && self.tokens.iter().any(|t| Some(t.0.channel) != x) {
                        while self.tokens.last().is_some_and(|t| Some(t.0.channel) == x) {
                            self.tokens.pop();
                        }
                    }
                }
            }
        }
        self.touches.clear();
        self.touches.extend(self.tokens.iter().map(|t| t.0));
        self.tags.clear();
        if tagged {
            self.tags.extend(self.tokens.iter().map(|t| t.1.max(1)));
        }
    }

    /// A fresh epoch for `seen` (resetting the table when the counter
    /// wraps).
    fn next_epoch(&mut self) -> u32 {
        if self.epoch == u32::MAX {
            self.seen.fill(0);
            self.epoch = 0;
        }
        self.epoch += 1;
        self.epoch
    }

    /// Makes `seen` and `counts` index every channel of the tokens.
    fn size_tables(&mut self) {
        let needed = self
            .tokens
            .iter()
            .map(|t| t.0.channel.index() + 1)
            .max()
            .unwrap_or(0);
        if needed > self.seen.len() {
            self.seen.resize(needed, 0);
            self.counts.resize(needed, 0);
        }
    }

    /// `first` (keep each channel's first occurrence); with `count`, tag
    /// each kept token with its channel's count in the path (`frequency`).
    fn first(&mut self, count: bool) {
        self.size_tables();
        if count {
            let epoch = self.next_epoch();
            for (touch, _) in &self.tokens {
                let i = touch.channel.index();
                if let (Some(seen), Some(n)) = (self.seen.get_mut(i), self.counts.get_mut(i)) {
                    if *seen == epoch {
                        *n = n.saturating_add(1);
                    } else {
                        *seen = epoch;
                        *n = 1;
                    }
                }
            }
        }
        let epoch = self.next_epoch();
        let (seen, counts) = (&mut self.seen, &self.counts);
        self.tokens.retain_mut(|(touch, tag)| {
            let i = touch.channel.index();
            let Some(mark) = seen.get_mut(i) else {
                return true;
            };
            if *mark == epoch {
                return false;
            }
            *mark = epoch;
            if count {
                *tag = counts.get(i).copied().unwrap_or(1);
            }
            true
        });
    }
}
