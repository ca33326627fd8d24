//! [`SetTable`]: counts per distinct channel set, the mergeable state of
//! the set-level games (the Shapley family, and later models built on
//! channel sets).

use rustc_hash::FxHashMap;
use serde::{Deserialize, Serialize};

use crate::channel::{ChannelId, Channels};
use crate::error::ModelError;
use crate::journey::Journey;
use crate::model::table::{Remap, follow, merge_tables};
use crate::model::{Merge, ModelSpec};
use crate::numeric::{CompensatedSum, MAX_EXACT_COUNT, count_to_f64};

/// The counts of the journeys whose (distinct, possibly reduced) channel
/// set is one set S: R(S) conversions, N(S) journeys (conversions plus
/// non-conversions) and V(S) value.
///
/// Whole counts are kept as integers (exact, merged bit-exactly); journeys
/// observed with a fractional weight add to `f64` sums beside them, so
/// [`SetCounts::conversions`] and [`SetCounts::journeys`] are the integer
/// part plus the weighted part.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct SetCounts {
    conversions: u64,
    journeys: u64,
    weighted_conversions: CompensatedSum,
    weighted_journeys: CompensatedSum,
    value: CompensatedSum,
}

impl SetCounts {
    /// R(S): the conversions of the journeys with this set.
    #[must_use]
    pub fn conversions(&self) -> f64 {
        count_to_f64(self.conversions) + self.weighted_conversions.value()
    }

    /// N(S): the journeys with this set, converting or not (each aggregated
    /// row counts its conversions plus its non-conversions).
    #[must_use]
    pub fn journeys(&self) -> f64 {
        count_to_f64(self.journeys) + self.weighted_journeys.value()
    }

    /// V(S): the value of the converting journeys with this set (the value
    /// of a journey without conversions is ignored, as every model does).
    #[must_use]
    pub fn value(&self) -> f64 {
        self.value.value()
    }

    /// Whether some journey of this set converted (R(S) > 0).
    #[must_use]
    pub fn converts(&self) -> bool {
        self.conversions > 0 || self.weighted_conversions.value() > 0.0
    }

    fn add(&mut self, other: &Self) {
        self.conversions = self.conversions.saturating_add(other.conversions);
        self.journeys = self.journeys.saturating_add(other.journeys);
        self.weighted_conversions.merge(&other.weighted_conversions);
        self.weighted_journeys.merge(&other.weighted_journeys);
        self.value.merge(&other.value);
    }
}

/// The state of the set-level games: per distinct channel set S, the
/// [`SetCounts`] R(S), N(S), V(S) of the journeys whose set is S.
///
/// A journey's set is the sorted set of the ids of its distinct channels
/// (a model may reduce it first, e.g. `shapley-rate`'s `max_channels`).
/// Non-converting journeys count too (in N(S)), since some games need
/// conversion rates. The state carries its model's spec and the channel
/// names its sets refer to, like every state: [`Merge::merge`] maps the
/// other state's channel ids by name, re-sorts each remapped set and adds
/// the counts (integers exactly; fractional weights as compensated sums),
/// so the merge of any partition equals one pass.
///
/// Serialised as the spec, the channel names and one row per set, sorted by
/// set (deterministic output); reading validates every invariant (sets
/// sorted, distinct and non-empty, ids in the table, conversions at most
/// the journeys, totals at most 2^53, finite non-negative sums).
///
/// Built for reuse: the Shapley models ([`Shapley`](super::Shapley),
/// [`ShapleyRate`](super::ShapleyRate),
/// [`ShapleyExactSet`](super::ShapleyExactSet),
/// [`Participation`](super::Participation)) read it, and any model whose
/// answer depends only on the counts per channel set can too.
///
/// # Example
///
/// ```
/// use attribution::model::shapley::Shapley;
/// use attribution::{Channels, Journey, Merge, Model};
///
/// let model = Shapley::new();
/// let mut left_table = Channels::new();
/// let (ppc, email) = (left_table.intern("PPC")?, left_table.intern("Email")?);
/// let mut right_table = Channels::new();
/// let (email_r, ppc_r) = (right_table.intern("Email")?, right_table.intern("PPC")?);
/// let (mut left, mut right) = (model.new_state(), model.new_state());
/// model.observe(&mut left, &Journey::from_channels(&[ppc, email, ppc], 1, 2, 10.0)?, &left_table)?;
/// model.observe(&mut right, &Journey::from_channels(&[email_r, ppc_r], 3, 0, 30.0)?, &right_table)?;
/// left.merge(&right)?;
/// // One set {PPC, Email}: R = 4 conversions, N = 6 journeys, V = 40.
/// assert_eq!(left.len(), 1);
/// let counts = left.get(&[ppc, email]).ok_or("no set")?;
/// assert_eq!((counts.conversions(), counts.journeys(), counts.value()), (4.0, 6.0, 40.0));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(try_from = "TableRepr", into = "TableRepr")]
pub struct SetTable {
    spec: ModelSpec,
    channels: Channels,
    sets: FxHashMap<Box<[ChannelId]>, SetCounts>,
    /// Σ of the integer conversions (checked against 2^53).
    conversions: u64,
    /// Σ of the integer journeys (checked against 2^53).
    journeys: u64,
}

/// A journey's contribution to its set: integer or fractionally weighted.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Amount {
    /// Whole counts.
    Whole {
        conversions: u64,
        non_conversions: u64,
        value: f64,
    },
    /// Counts multiplied by a fractional weight.
    Weighted {
        conversions: f64,
        journeys: f64,
        value: f64,
    },
}

impl SetTable {
    /// An empty table of the model `spec`.
    pub(crate) fn new(spec: ModelSpec) -> Self {
        Self {
            spec,
            channels: Channels::new(),
            sets: FxHashMap::default(),
            conversions: 0,
            journeys: 0,
        }
    }

    /// How many distinct sets were observed.
    #[must_use]
    pub fn len(&self) -> usize {
        self.sets.len()
    }

    /// Whether no journey was observed.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.sets.is_empty()
    }

    /// The counts of the set of `channels` (ids of the state's table, in
    /// any order, repeats ignored), if observed.
    #[must_use]
    pub fn get(&self, channels: &[ChannelId]) -> Option<&SetCounts> {
        let mut key = channels.to_vec();
        key.sort_unstable();
        key.dedup();
        self.sets.get(key.as_slice())
    }

    /// Every observed set (its channel ids, ascending) with its counts, in
    /// no particular order.
    #[must_use]
    pub fn iter(&self) -> impl ExactSizeIterator<Item = (&[ChannelId], &SetCounts)> + '_ {
        self.sets.iter().map(|(k, v)| (&**k, v))
    }

    /// Every observed set with its counts, sorted by set (ascending ids,
    /// lexicographically; a set before its extensions).
    #[must_use]
    pub fn sorted(&self) -> Vec<(&[ChannelId], &SetCounts)> {
        let mut rows: Vec<_> = self.iter().collect();
        rows.sort_unstable_by(|a, b| a.0.cmp(b.0));
        rows
    }

    /// Total conversions observed, Σ R(S).
    #[must_use]
    pub fn total_conversions(&self) -> f64 {
        let weighted: CompensatedSum = self
            .sets
            .values()
            .map(|c| c.weighted_conversions.value())
            .sum();
        count_to_f64(self.conversions) + weighted.value()
    }

    /// Total value of the converting journeys, Σ V(S).
    #[must_use]
    pub fn total_value(&self) -> f64 {
        let total: CompensatedSum = self.sets.values().map(SetCounts::value).sum();
        total.value()
    }

    /// Follows the table `channels` (see [`Merge::extend_channels`]).
    #[inline]
    pub(crate) fn follow(&mut self, channels: &Channels) -> Result<(), ModelError> {
        follow(&mut self.channels, channels)
    }

    /// Adds `amount` to the set `key` (ids of the state's table, ascending,
    /// distinct, non-empty: the caller's invariant).
    ///
    /// # Errors
    ///
    /// [`ModelError::Overflow`] (without the journey's position) when a
    /// total of integer counts would exceed 2^53 or a sum would not be
    /// finite; the state is then unchanged.
    pub(crate) fn add(&mut self, key: &[ChannelId], amount: Amount) -> Result<(), ModelError> {
        let mut counts = SetCounts::default();
        match amount {
            Amount::Whole {
                conversions,
                non_conversions,
                value,
            } => {
                let journeys = conversions.saturating_add(non_conversions);
                let total_c = self.conversions.saturating_add(conversions);
                let total_j = self.journeys.saturating_add(journeys);
                check_counts(total_c, total_j)?;
                counts.conversions = conversions;
                counts.journeys = journeys;
                if conversions > 0 {
                    counts.value.add(value);
                }
            }
            Amount::Weighted {
                conversions,
                journeys,
                value,
            } => {
                counts.weighted_conversions.add(conversions);
                counts.weighted_journeys.add(journeys);
                if conversions > 0.0 {
                    counts.value.add(value);
                }
            }
        }
        let entry = self.sets.get(key);
        let mut merged = entry.copied().unwrap_or_default();
        merged.add(&counts);
        check_finite(&merged)?;
        self.conversions = self.conversions.saturating_add(counts.conversions);
        self.journeys = self.journeys.saturating_add(counts.journeys);
        match self.sets.get_mut(key) {
            Some(slot) => *slot = merged,
            None => {
                self.sets.insert(key.into(), merged);
            }
        }
        Ok(())
    }
}

/// [`ModelError::Overflow`] unless both integer totals are at most 2^53.
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

/// [`ModelError::Overflow`] unless every sum of `counts` is finite.
fn check_finite(counts: &SetCounts) -> Result<(), ModelError> {
    if counts.value().is_finite()
        && counts.conversions().is_finite()
        && counts.journeys().is_finite()
    {
        Ok(())
    } else {
        Err(ModelError::Overflow {
            index: None,
            what: format!(
                "a sum of a channel set exceeds the largest finite number ({:e})",
                f64::MAX
            ),
        })
    }
}

/// The sorted distinct channels of `journey` into `key` (cleared first).
pub(crate) fn distinct_channels(journey: &Journey, key: &mut Vec<ChannelId>) {
    key.clear();
    key.extend(journey.channels());
    key.sort_unstable();
    key.dedup();
}

/// Folds `journey`, weighted by `weight` (`None`: observe), into `state`
/// under the set `key_of` computes: the shared `observe` of the set games.
pub(crate) fn observe_set(
    state: &mut SetTable,
    journey: &Journey,
    channels: &Channels,
    weight: Option<f64>,
    key_of: impl FnOnce(&Journey, &Channels, &mut Vec<ChannelId>),
) -> Result<(), ModelError> {
    if let Some(w) = weight {
        crate::model::check_weight(w)?;
    }
    state.follow(channels)?;
    crate::model::check_channels(journey, channels)?;
    let (c, n, v) = (
        journey.conversions(),
        journey.non_conversions(),
        journey.value(),
    );
    let amount = match weight {
        None => Amount::Whole {
            conversions: c,
            non_conversions: n,
            value: v,
        },
        Some(0.0) => return Ok(()),
        Some(w) => match crate::model::whole_weight(w) {
            Some(k) => Amount::Whole {
                conversions: c.saturating_mul(k),
                non_conversions: n.saturating_mul(k),
                value: v * w,
            },
            None => Amount::Weighted {
                conversions: count_to_f64(c) * w,
                journeys: count_to_f64(c.saturating_add(n)) * w,
                value: v * w,
            },
        },
    };
    let mut key = Vec::with_capacity(journey.len());
    key_of(journey, channels, &mut key);
    if key.is_empty() {
        return Ok(());
    }
    state.add(&key, amount)
}

impl Merge for SetTable {
    fn spec(&self) -> &ModelSpec {
        &self.spec
    }

    fn channels(&self) -> &Channels {
        &self.channels
    }

    fn extend_channels(&mut self, channels: &Channels) -> Result<(), ModelError> {
        self.follow(channels)
    }

    /// Adds `other` into `self`: associative and commutative (integer
    /// counts exactly, fractional sums up to compensated rounding).
    fn merge(&mut self, other: &Self) -> Result<(), ModelError> {
        crate::model::check_compatible(&self.spec, &other.spec)?;
        check_counts(
            self.conversions.saturating_add(other.conversions),
            self.journeys.saturating_add(other.journeys),
        )?;
        // Every merged sum is at most the sum of both states' totals: when
        // those are finite, so is every set's, and nothing below can fail.
        let sums = |t: &Self| {
            t.sets.values().fold([0.0; 3], |[c, j, v], s| {
                [
                    c + s.weighted_conversions.value(),
                    j + s.weighted_journeys.value(),
                    v + s.value(),
                ]
            })
        };
        let (mine, theirs) = (sums(self), sums(other));
        if mine.iter().zip(&theirs).any(|(a, b)| !(a + b).is_finite()) {
            return Err(ModelError::Overflow {
                index: None,
                what: format!(
                    "a sum of the merged states exceeds the largest finite number ({:e})",
                    f64::MAX
                ),
            });
        }
        let (grown, remap) = merge_tables(&self.channels, &other.channels)?;
        let mut key: Vec<ChannelId> = Vec::new();
        for (theirs, counts) in &other.sets {
            key.clear();
            key.extend(theirs.iter().map(|&id| remap.id(id)));
            if !matches!(remap, Remap::Identity) {
                key.sort_unstable();
            }
            match self.sets.get_mut(key.as_slice()) {
                Some(slot) => slot.add(counts),
                None => {
                    self.sets.insert(key.as_slice().into(), *counts);
                }
            }
        }
        if let Some(table) = grown {
            self.channels = table;
        }
        self.conversions = self.conversions.saturating_add(other.conversions);
        self.journeys = self.journeys.saturating_add(other.journeys);
        Ok(())
    }
}

/// One set in the serialised form.
#[derive(Serialize, Deserialize)]
struct SetRow {
    /// The set's channel ids, ascending.
    channels: Vec<ChannelId>,
    conversions: u64,
    journeys: u64,
    weighted_conversions: CompensatedSum,
    weighted_journeys: CompensatedSum,
    value: CompensatedSum,
}

/// The serialised form: spec, channel names, sets sorted by set; validated
/// when read.
#[derive(Serialize, Deserialize)]
struct TableRepr {
    spec: ModelSpec,
    channels: Channels,
    sets: Vec<SetRow>,
}

impl From<SetTable> for TableRepr {
    fn from(t: SetTable) -> Self {
        let mut sets: Vec<SetRow> = t
            .sets
            .into_iter()
            .map(|(key, c)| SetRow {
                channels: key.into_vec(),
                conversions: c.conversions,
                journeys: c.journeys,
                weighted_conversions: c.weighted_conversions,
                weighted_journeys: c.weighted_journeys,
                value: c.value,
            })
            .collect();
        sets.sort_unstable_by(|a, b| a.channels.cmp(&b.channels));
        Self {
            spec: t.spec,
            channels: t.channels,
            sets,
        }
    }
}

/// Why a serialised set table was rejected.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid channel-set state: {0}")]
pub struct InvalidSetTable(String);

impl TryFrom<TableRepr> for SetTable {
    type Error = InvalidSetTable;

    fn try_from(r: TableRepr) -> Result<Self, Self::Error> {
        Self::validated(r).map_err(crate::invalid::remember)
    }
}

impl SetTable {
    fn validated(r: TableRepr) -> Result<Self, InvalidSetTable> {
        let invalid = |what: String| InvalidSetTable(what);
        let mut sets: FxHashMap<Box<[ChannelId]>, SetCounts> = FxHashMap::default();
        let (mut conversions, mut journeys) = (0u64, 0u64);
        for (i, row) in r.sets.into_iter().enumerate() {
            if row.channels.is_empty() {
                return Err(invalid(format!("set #{i} is empty")));
            }
            if row.channels.windows(2).any(|w| w[0] >= w[1]) {
                return Err(invalid(format!(
                    "set #{i} is not sorted ascending without repeats"
                )));
            }
            if let Some(id) = row
                .channels
                .iter()
                .find(|id| id.index() >= r.channels.len())
            {
                return Err(invalid(format!(
                    "set #{i} names channel #{} of {} channels",
                    id.index(),
                    r.channels.len()
                )));
            }
            if row.conversions > row.journeys {
                return Err(invalid(format!(
                    "set #{i} has {} conversions for {} journeys",
                    row.conversions, row.journeys
                )));
            }
            let fine = |s: &CompensatedSum| s.value().is_finite() && s.value() >= 0.0;
            if !(fine(&row.weighted_conversions)
                && fine(&row.weighted_journeys)
                && fine(&row.value))
            {
                return Err(invalid(format!(
                    "set #{i} has a sum that is not a finite non-negative number"
                )));
            }
            let counts = SetCounts {
                conversions: row.conversions,
                journeys: row.journeys,
                weighted_conversions: row.weighted_conversions,
                weighted_journeys: row.weighted_journeys,
                value: row.value,
            };
            if counts.journeys() <= 0.0 {
                return Err(invalid(format!("set #{i} has no journey")));
            }
            if counts.value() > 0.0 && !counts.converts() {
                return Err(invalid(format!("set #{i} has value without conversions")));
            }
            conversions = conversions.saturating_add(row.conversions);
            journeys = journeys.saturating_add(row.journeys);
            if conversions > MAX_EXACT_COUNT || journeys > MAX_EXACT_COUNT {
                return Err(invalid(format!(
                    "more than 2^53 = {MAX_EXACT_COUNT} journeys"
                )));
            }
            if sets.insert(row.channels.into(), counts).is_some() {
                return Err(invalid(format!("set #{i} is listed twice")));
            }
        }
        Ok(Self {
            spec: r.spec,
            channels: r.channels,
            sets,
            conversions,
            journeys,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn id(i: usize) -> ChannelId {
        ChannelId::from_index(i).unwrap()
    }

    fn table(names: &[&str]) -> SetTable {
        let mut s = SetTable::new(ModelSpec::new("shapley"));
        let mut t = Channels::new();
        for n in names {
            t.intern(n).unwrap();
        }
        s.follow(&t).unwrap();
        s
    }

    fn whole(c: u64, n: u64, v: f64) -> Amount {
        Amount::Whole {
            conversions: c,
            non_conversions: n,
            value: v,
        }
    }

    #[test]
    fn merge_remaps_by_name_and_resorts_sets() {
        let mut a = table(&["A", "B", "C"]);
        a.add(&[id(0), id(2)], whole(1, 1, 5.0)).unwrap();
        // b's table: C, D, A: its set {C, A} is {0, 2} there too, but
        // {A, C} = {0, 2} here only after re-sorting [2, 0].
        let mut b = table(&["C", "D", "A"]);
        b.add(&[id(0), id(2)], whole(2, 0, 7.0)).unwrap();
        b.add(&[id(1)], whole(0, 3, 0.0)).unwrap();
        a.merge(&b).unwrap();
        let names: Vec<&str> = a.channels().iter().map(|(_, n)| n).collect();
        assert_eq!(names, ["A", "B", "C", "D"]);
        let ac = a.get(&[id(2), id(0)]).unwrap();
        assert_eq!(
            (ac.conversions(), ac.journeys(), ac.value()),
            (3.0, 4.0, 12.0)
        );
        let d = a.get(&[id(3)]).unwrap();
        assert_eq!((d.conversions(), d.journeys()), (0.0, 3.0));
        assert_eq!(a.len(), 2);
        assert_eq!(a.total_conversions(), 3.0);
        assert_eq!(a.total_value(), 12.0);
    }

    #[test]
    fn value_of_non_converting_journeys_is_ignored_and_weights_switch_to_sums() {
        let mut a = table(&["A"]);
        a.add(&[id(0)], whole(0, 2, 9.0)).unwrap();
        a.add(
            &[id(0)],
            Amount::Weighted {
                conversions: 0.5,
                journeys: 1.5,
                value: 2.0,
            },
        )
        .unwrap();
        let c = a.get(&[id(0)]).unwrap();
        assert_eq!((c.conversions(), c.journeys(), c.value()), (0.5, 3.5, 2.0));
        assert!(c.converts());
    }

    #[test]
    fn specs_must_agree_and_the_empty_state_is_the_identity() {
        let mut a = table(&["A", "B"]);
        a.add(&[id(0), id(1)], whole(1, 0, 1.0)).unwrap();
        let mut b = a.clone();
        b.merge(&table(&[])).unwrap();
        assert_eq!(a, b);
        let mut other = SetTable::new(ModelSpec::new("participation"));
        let before = other.clone();
        assert!(matches!(
            other.merge(&a),
            Err(ModelError::IncompatibleStates { .. })
        ));
        assert_eq!(other, before);
    }

    #[test]
    fn overflow_leaves_the_state_unchanged() {
        let mut a = table(&["A"]);
        a.add(&[id(0)], whole(MAX_EXACT_COUNT, 0, 0.0)).unwrap();
        let before = a.clone();
        assert!(matches!(
            a.add(&[id(0)], whole(1, 0, 0.0)),
            Err(ModelError::Overflow { .. })
        ));
        assert_eq!(a, before);
        assert!(matches!(a.merge(&before), Err(ModelError::Overflow { .. })));
        assert_eq!(a, before);
    }

    #[test]
    fn serde_is_sorted_and_validated() {
        let mut a = table(&["A", "B", "C"]);
        a.add(&[id(1), id(2)], whole(1, 1, 3.0)).unwrap();
        a.add(&[id(0)], whole(0, 1, 0.0)).unwrap();
        a.add(&[id(0), id(2)], whole(2, 0, 1.0)).unwrap();
        let json = serde_json::to_string(&a).unwrap();
        let back: SetTable = serde_json::from_str(&json).unwrap();
        assert_eq!(back, a);
        let value: serde_json::Value = serde_json::from_str(&json).unwrap();
        let keys: Vec<&serde_json::Value> = value["sets"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| &r["channels"])
            .collect();
        assert_eq!(
            keys,
            [
                &serde_json::json!([0]),
                &serde_json::json!([0, 2]),
                &serde_json::json!([1, 2])
            ]
        );
        let reject = |edit: &dyn Fn(&mut serde_json::Value), message: &str| {
            let mut v = value.clone();
            edit(&mut v);
            let err = serde_json::from_value::<SetTable>(v).unwrap_err();
            assert!(err.to_string().contains(message), "{err} vs {message}");
        };
        reject(
            &|v| v["sets"][1]["channels"] = serde_json::json!([2, 0]),
            "not sorted",
        );
        reject(
            &|v| v["sets"][1]["channels"] = serde_json::json!([]),
            "is empty",
        );
        reject(
            &|v| v["sets"][1]["channels"] = serde_json::json!([0, 3]),
            "channel #3 of 3",
        );
        reject(
            &|v| v["sets"][1]["channels"] = serde_json::json!([0]),
            "listed twice",
        );
        reject(
            &|v| v["sets"][1]["conversions"] = serde_json::json!(5),
            "5 conversions for 2",
        );
        reject(
            &|v| v["sets"][0]["journeys"] = serde_json::json!(0),
            "has no journey",
        );
        reject(
            &|v| v["sets"][0]["value"] = serde_json::json!({"sum": 1.0, "compensation": 0.0}),
            "value without conversions",
        );
    }
}
