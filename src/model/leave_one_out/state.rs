//! [`PathTable`]: counts per distinct (transformed) token path, the state
//! of `leave-one-out`.

use rustc_hash::FxHashMap;
use serde::{Deserialize, Serialize};

use crate::channel::{ChannelId, Channels};
use crate::error::ModelError;
use crate::journey::Journey;
use crate::model::table::{follow, merge_tables};
use crate::model::{Merge, ModelSpec};
use crate::numeric::{CompensatedSum, MAX_EXACT_COUNT, count_to_f64};

/// One token of a path: a channel and its frequency tag (0 for an
/// untagged journey).
pub type Token = (ChannelId, u32);

/// The counts of the journeys with one path: conversions, non-conversions
/// and value. Whole counts are integers (merged exactly); journeys observed
/// with a fractional weight add to `f64` sums beside them.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
pub struct PathCounts {
    conversions: u64,
    non_conversions: u64,
    weighted_conversions: CompensatedSum,
    weighted_non_conversions: CompensatedSum,
    value: CompensatedSum,
}

impl PathCounts {
    /// conv(P): the conversions of the journeys with this path.
    #[must_use]
    pub fn conversions(&self) -> f64 {
        count_to_f64(self.conversions) + self.weighted_conversions.value()
    }

    /// null(P): their non-conversions.
    #[must_use]
    pub fn non_conversions(&self) -> f64 {
        count_to_f64(self.non_conversions) + self.weighted_non_conversions.value()
    }

    /// V(P): the value of the converting journeys with this path.
    #[must_use]
    pub fn value(&self) -> f64 {
        self.value.value()
    }

    /// p(P) = conv/(conv + null); 0 when both are 0.
    #[must_use]
    pub fn rate(&self) -> f64 {
        let c = self.conversions();
        let total = c + self.non_conversions();
        if total > 0.0 { c / total } else { 0.0 }
    }

    /// Whether some journey with this path converted.
    #[must_use]
    pub fn converts(&self) -> bool {
        self.conversions > 0 || self.weighted_conversions.value() > 0.0
    }

    fn add(&mut self, other: &Self) {
        self.conversions = self.conversions.saturating_add(other.conversions);
        self.non_conversions = self.non_conversions.saturating_add(other.non_conversions);
        self.weighted_conversions.merge(&other.weighted_conversions);
        self.weighted_non_conversions
            .merge(&other.weighted_non_conversions);
        self.value.merge(&other.value);
    }

    fn finite(&self) -> bool {
        self.conversions().is_finite()
            && self.non_conversions().is_finite()
            && self.value().is_finite()
    }
}

/// The state of `leave-one-out`: per distinct token path P (the
/// transformed path: channels, with their frequency tags when the
/// journeys carry them), conv(P), null(P) and V(P).
///
/// Like every state it carries its model's spec and the channel names its
/// paths refer to; [`Merge::merge`] maps the other state's channels by
/// name and adds the counts, so the merge of any partition equals one
/// pass. Serialised with its paths sorted; reading validates every
/// invariant (paths non-empty, ids in the table, tags all 0 or all ≥ 1
/// within a path, some journey per path, no value without conversions,
/// totals at most 2^53, finite non-negative sums, no path listed twice).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(try_from = "PathTableRepr", into = "PathTableRepr")]
pub struct PathTable {
    spec: ModelSpec,
    channels: Channels,
    paths: FxHashMap<Box<[Token]>, PathCounts>,
    /// Σ integer conversions (checked against 2^53).
    conversions: u64,
    /// Σ integer journeys (checked against 2^53).
    journeys: u64,
    /// Scratch: the key of the journey being observed.
    key: Vec<Token>,
}

impl PartialEq for PathTable {
    fn eq(&self, other: &Self) -> bool {
        self.spec == other.spec
            && self.channels == other.channels
            && self.paths == other.paths
            && self.conversions == other.conversions
            && self.journeys == other.journeys
    }
}

impl PathTable {
    pub(crate) fn new(spec: ModelSpec) -> Self {
        Self {
            spec,
            channels: Channels::new(),
            paths: FxHashMap::default(),
            conversions: 0,
            journeys: 0,
            key: Vec::new(),
        }
    }

    /// How many distinct paths were observed.
    #[must_use]
    pub fn len(&self) -> usize {
        self.paths.len()
    }

    /// Whether no journey was observed.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.paths.is_empty()
    }

    /// The counts of `path` (ids of the state's table), if observed.
    #[must_use]
    pub fn get(&self, path: &[Token]) -> Option<&PathCounts> {
        self.paths.get(path)
    }

    /// Every path with its counts, in no particular order.
    #[must_use]
    pub fn iter(&self) -> impl ExactSizeIterator<Item = (&[Token], &PathCounts)> + '_ {
        self.paths.iter().map(|(k, v)| (&**k, v))
    }

    /// Folds `journey` (already transformed) with `weight` (`None`: whole).
    pub(crate) fn observe(
        &mut self,
        journey: &Journey,
        channels: &Channels,
        weight: Option<f64>,
    ) -> Result<(), ModelError> {
        if let Some(w) = weight {
            crate::model::check_weight(w)?;
        }
        follow(&mut self.channels, channels)?;
        crate::model::check_channels(journey, channels)?;
        let (c, n, v) = (
            journey.conversions(),
            journey.non_conversions(),
            journey.value(),
        );
        let mut counts = PathCounts::default();
        match weight {
            Some(0.0) => return Ok(()),
            None => (counts.conversions, counts.non_conversions) = (c, n),
            Some(w) => match crate::model::whole_weight(w) {
                Some(k) => {
                    (counts.conversions, counts.non_conversions) =
                        (c.saturating_mul(k), n.saturating_mul(k));
                }
                None => {
                    counts.weighted_conversions.add(count_to_f64(c) * w);
                    counts.weighted_non_conversions.add(count_to_f64(n) * w);
                }
            },
        }
        if counts.conversions() + counts.non_conversions() <= 0.0 {
            // A journey without outcomes changes no rate (an unseen path
            // has p = 0 as well).
            return Ok(());
        }
        if counts.converts() {
            counts.value.add(v * weight.unwrap_or(1.0));
        }
        let total_c = self.conversions.saturating_add(counts.conversions);
        let total_j = self
            .journeys
            .saturating_add(counts.conversions)
            .saturating_add(counts.non_conversions);
        check_counts(total_c, total_j)?;
        tokens_of(journey, &mut self.key);
        // One lookup for a path seen before (the usual case), one more to
        // insert a new one.
        let slot = self.paths.get_mut(self.key.as_slice());
        let mut merged = slot.as_deref().copied().unwrap_or_default();
        merged.add(&counts);
        if !merged.finite() {
            return Err(overflow());
        }
        match slot {
            Some(slot) => *slot = merged,
            None => {
                self.paths.insert(self.key.as_slice().into(), merged);
            }
        }
        (self.conversions, self.journeys) = (total_c, total_j);
        Ok(())
    }
}

/// The tokens of `journey` into `out` (cleared first).
pub(crate) fn tokens_of(journey: &Journey, out: &mut Vec<Token>) {
    out.clear();
    match journey.tags() {
        Some(tags) => out.extend(journey.channels().zip(tags.iter().copied())),
        None => out.extend(journey.channels().map(|c| (c, 0))),
    }
}

fn overflow() -> ModelError {
    ModelError::Overflow {
        index: None,
        what: format!(
            "a sum of a path exceeds the largest finite number ({:e})",
            f64::MAX
        ),
    }
}

fn check_counts(conversions: u64, journeys: u64) -> Result<(), ModelError> {
    if conversions > MAX_EXACT_COUNT || journeys > MAX_EXACT_COUNT {
        return Err(ModelError::Overflow {
            index: None,
            what: format!(
                "the total of journeys exceeds 2^53 = {MAX_EXACT_COUNT}, above which counts are not exactly representable"
            ),
        });
    }
    Ok(())
}

impl Merge for PathTable {
    fn spec(&self) -> &ModelSpec {
        &self.spec
    }

    fn channels(&self) -> &Channels {
        &self.channels
    }

    fn extend_channels(&mut self, channels: &Channels) -> Result<(), ModelError> {
        follow(&mut self.channels, channels)
    }

    fn merge(&mut self, other: &Self) -> Result<(), ModelError> {
        crate::model::check_compatible(&self.spec, &other.spec)?;
        let total_c = self.conversions.saturating_add(other.conversions);
        let total_j = self.journeys.saturating_add(other.journeys);
        check_counts(total_c, total_j)?;
        let (grown, remap) = merge_tables(&self.channels, &other.channels)?;
        // Check every merged sum before changing anything.
        let mut merged: Vec<(Box<[Token]>, PathCounts)> = Vec::with_capacity(other.paths.len());
        for (theirs, counts) in &other.paths {
            let key: Box<[Token]> = theirs.iter().map(|&(c, t)| (remap.id(c), t)).collect();
            let mut sum = self.paths.get(&key).copied().unwrap_or_default();
            sum.add(counts);
            if !sum.finite() {
                return Err(overflow());
            }
            merged.push((key, sum));
        }
        for (key, sum) in merged {
            self.paths.insert(key, sum);
        }
        if let Some(table) = grown {
            self.channels = table;
        }
        (self.conversions, self.journeys) = (total_c, total_j);
        Ok(())
    }
}

#[derive(Serialize, Deserialize)]
struct PathRow {
    tokens: Vec<Token>,
    counts: PathCounts,
}

#[derive(Serialize, Deserialize)]
struct PathTableRepr {
    spec: ModelSpec,
    channels: Channels,
    paths: Vec<PathRow>,
}

impl From<PathTable> for PathTableRepr {
    fn from(t: PathTable) -> Self {
        let mut paths: Vec<PathRow> = t
            .paths
            .into_iter()
            .map(|(k, counts)| PathRow {
                tokens: k.into_vec(),
                counts,
            })
            .collect();
        paths.sort_unstable_by(|a, b| a.tokens.cmp(&b.tokens));
        Self {
            spec: t.spec,
            channels: t.channels,
            paths,
        }
    }
}

/// Why a serialised path table was rejected.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid path state: {0}")]
pub struct InvalidPathTable(String);

impl TryFrom<PathTableRepr> for PathTable {
    type Error = InvalidPathTable;

    fn try_from(r: PathTableRepr) -> Result<Self, Self::Error> {
        Self::validated(r).map_err(crate::invalid::remember)
    }
}

impl PathTable {
    fn validated(r: PathTableRepr) -> Result<Self, InvalidPathTable> {
        let invalid = InvalidPathTable;
        let mut table = Self::new(r.spec);
        table.channels = r.channels;
        for (i, row) in r.paths.into_iter().enumerate() {
            if row.tokens.is_empty() {
                return Err(invalid(format!("path #{i} is empty")));
            }
            if let Some((id, _)) = row
                .tokens
                .iter()
                .find(|(id, _)| id.index() >= table.channels.len())
            {
                return Err(invalid(format!(
                    "path #{i} names channel #{} of {} channels",
                    id.index(),
                    table.channels.len()
                )));
            }
            let tagged = row.tokens.iter().filter(|(_, t)| *t > 0).count();
            if tagged != 0 && tagged != row.tokens.len() {
                return Err(invalid(format!("path #{i} has tags on some tokens only")));
            }
            let c = &row.counts;
            let fine = |s: &CompensatedSum| s.value().is_finite() && s.value() >= 0.0;
            if !(fine(&c.weighted_conversions)
                && fine(&c.weighted_non_conversions)
                && fine(&c.value))
            {
                return Err(invalid(format!(
                    "path #{i} has a sum that is not a finite non-negative number"
                )));
            }
            if c.conversions() + c.non_conversions() <= 0.0 {
                return Err(invalid(format!("path #{i} has no journey")));
            }
            if c.value() > 0.0 && !c.converts() {
                return Err(invalid(format!("path #{i} has value without conversions")));
            }
            table.conversions = table.conversions.saturating_add(c.conversions);
            table.journeys = table
                .journeys
                .saturating_add(c.conversions)
                .saturating_add(c.non_conversions);
            if table.conversions > MAX_EXACT_COUNT || table.journeys > MAX_EXACT_COUNT {
                return Err(invalid(format!(
                    "more than 2^53 = {MAX_EXACT_COUNT} journeys"
                )));
            }
            if table.paths.insert(row.tokens.into(), row.counts).is_some() {
                return Err(invalid(format!("path #{i} is listed twice")));
            }
        }
        Ok(table)
    }
}
