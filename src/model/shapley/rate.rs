//! [`ShapleyRate`]: a local conversion-rate game per converting set
//! (`shapley-rate`).

use std::fmt;

use crate::attribution::Attribution;
use crate::channel::{ChannelId, Channels};
use crate::error::ModelError;
use crate::journey::Journey;
use crate::model::{Merge, ModelSpec, ParamDoc};
use crate::numeric::CompensatedSum;

use super::fit::{Credits, set_game_model};
use super::game::{PointMasses, weights};
use super::set_table::{SetCounts, SetTable, distinct_channels};
use super::subsets::SortedSets;

/// What the local game of [`ShapleyRate`] is worth on an observed
/// coalition T (with R(T) > 0).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum RateValue {
    /// v_C(T) = R(T)/N(T), the conversion rate (the default); credits are
    /// rescaled by R(C)/v_C(C) (value: V(C)/v_C(C)).
    #[default]
    Rate,
    /// v_C(T) = R(T), the conversions: φ^C sums to R(C), not rescaled
    /// (value: V(C)·φ^C_i/R(C)).
    Count,
    /// v_C(T) = V(T), the value: φ^C sums to V(C), not rescaled
    /// (conversions: R(C)·φ^C_i/V(C)).
    Value,
}

impl RateValue {
    fn as_str(self) -> &'static str {
        match self {
            Self::Rate => "rate",
            Self::Count => "count",
            Self::Value => "value",
        }
    }
}

impl fmt::Display for RateValue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Which channels [`ShapleyRate`] keeps of a journey with more than
/// `max_channels` distinct channels.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Keep {
    /// The K most recently touched distinct channels (by each channel's
    /// last touch; the default).
    #[default]
    Recent,
    /// The K alphabetically last channel names (byte order), as
    /// `marketing-attribution-models` does.
    Alphabetical,
}

impl Keep {
    fn as_str(self) -> &'static str {
        match self {
            Self::Recent => "recent",
            Self::Alphabetical => "alphabetical",
        }
    }
}

/// `shapley-rate`: the Shapley value of a local conversion-rate game per
/// converting channel set (matches `marketing-attribution-models`'
/// `attribution_shapley` with `conv_rate`).
///
/// # Definition
///
/// For every channel set C with conversions (R(C) > 0), the players are
/// the channels of C and the game is
///
/// v_C(T) = R(T)/N(T) for every **observed** T ⊆ C with R(T) > 0, and 0
/// for every other T
///
/// (R: conversions, N: journeys, i.e. conversions plus non-conversions, of
/// the journeys whose distinct channel set is exactly T). With φ^C its
/// Shapley value, channel i gets R(C)·φ^C_i/v_C(C) conversions and
/// V(C)·φ^C_i/v_C(C) value from C; summed over C, the credits are a
/// partition of the totals (φ^C sums to v_C(C) by efficiency).
///
/// v_C is a sum of point masses, so, with w(s, n) = s!(n−s−1)!/n!,
///
/// φ^C_i = Σ_{observed S ⊆ C} v_C(S)·(w(|S|−1, |C|) if i ∈ S, else −w(|S|, |C|)),
///
/// computed exactly for every C, whatever its size.
///
/// **Credits can be negative**: a channel whose sets convert worse than the
/// sets without it loses credit. On the tiny fixture (`tests/data/tiny`),
/// {LinkedIn} converts every time, {Email, LinkedIn} half of the time, so
/// Email gets −1/2 from {Email, LinkedIn} and +1/8 from J1's set: −0.375
/// in all (example below).
///
/// # Parameters
///
/// * `value` ([`RateValue`]): `rate` (the default), `count` or `value`.
/// * `max_channels` (K, 0 = all): a journey with more than K distinct
///   channels counts as the set of K of them, chosen by `keep`
///   ([`Keep`]): the K most recent (`recent`, the default) or the
///   alphabetically last K (`alphabetical`, the peer's choice, to
///   reproduce its numbers).
///
/// # When to use
///
/// When credit should reflect how channel *combinations* convert relative
/// to each other, including the non-converting journeys; accept that
/// credits can be negative and that unobserved coalitions count as worth 0.
/// For credits that are always non-negative, use [`Shapley`](super::Shapley).
///
/// # Errors
///
/// `finish` with `value=value` fails ([`ModelError::DegenerateGame`]) when
/// a converting set has no value: its conversions cannot be shared by a
/// game worth 0.
///
/// # Complexity
///
/// Observing: O(L log L) per journey. Finishing: for each converting set C,
/// its observed converting subsets are found by walking the lexicographically
/// sorted sets as a prefix tree, entering only channels of C (at most
/// min(2^|C|, Σ|S|) steps, each a binary search; never the 2^|C|
/// coalitions), then φ^C costs O(Σ_{S ⊆ C}|S|) by the identity
/// φ_i = Σ_{S∋i} v(S)[w(|S|−1,n) + w(|S|,n)] − Σ_S v(S)w(|S|,n).
/// Parallel over the sets with the `parallel` feature (results do not
/// depend on it).
///
/// # Per-journey credit
///
/// None: the credit of a set depends on the other observed sets, not on the
/// journey, so [`Model::journey_credit`](crate::Model::journey_credit)
/// refuses with [`ModelError::NoJourneyCredit`].
///
/// # Example
///
/// ```
/// use attribution::model::shapley::ShapleyRate;
/// use attribution::{Channels, Journey, JourneySet, Model};
///
/// let mut set = JourneySet::new(Channels::new());
/// for (path, converted, value) in [
///     ("PPC > LandingPage > Email > LinkedIn", 1, 120.0),
///     ("PPC > LandingPage", 0, 0.0),
///     ("LinkedIn", 1, 80.0),
///     ("Email > Email > LinkedIn", 1, 60.0),
///     ("PPC > LandingPage > Email", 0, 0.0),
///     ("LinkedIn > PPC", 1, 100.0),
///     ("PPC", 0, 0.0),
///     ("Email > LinkedIn", 0, 0.0),
/// ] {
///     let ids = path.split('>').map(|name| set.channels_mut().intern(name)).collect::<Result<Vec<_>, _>>()?;
///     set.push(Journey::from_channels(&ids, converted, 1 - converted, value)?)?;
/// }
/// let result = ShapleyRate::default().attribute(&set)?;
/// let close = |a: f64, b: f64| (a - b).abs() <= 1e-12 * b.abs().max(1.0);
/// let email = result.get("Email").ok_or("no Email")?;
/// assert!(close(email.conversions, -0.375) && close(email.value, -15.0));
/// let linkedin = result.get("LinkedIn").ok_or("no LinkedIn")?;
/// assert!(close(linkedin.conversions, 4.125) && close(linkedin.value, 345.0));
/// let ppc = result.get("PPC").ok_or("no PPC")?;
/// assert!(close(ppc.conversions, 5.0 / 24.0) && close(ppc.value, 25.0));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub struct ShapleyRate {
    value: RateValue,
    max_channels: usize,
    keep: Keep,
}

impl ShapleyRate {
    /// The parameters of `shapley-rate:value=…,max_channels=…,keep=…`.
    pub const PARAMS: &'static [ParamDoc] = &[
        ParamDoc {
            key: "value",
            default: "rate",
            doc: "the local game: rate (R/N), count (R) or value (V)",
        },
        ParamDoc {
            key: "max_channels",
            default: "0",
            doc: "keep at most K distinct channels per journey (0: all)",
        },
        ParamDoc {
            key: "keep",
            default: "recent",
            doc: "which K channels: recent (last touched) or alphabetical (last K names)",
        },
    ];

    /// The model with the given game, channel cap (0: none) and choice of
    /// channels under the cap.
    #[must_use]
    pub fn new(value: RateValue, max_channels: usize, keep: Keep) -> Self {
        Self {
            value,
            max_channels,
            keep,
        }
    }

    /// The model of `spec`, e.g. `shapley-rate:value=count,max_channels=4`.
    ///
    /// # Errors
    ///
    /// [`ModelError::InvalidParameter`] for an unknown `value` or `keep`, or
    /// a `max_channels` that is not a non-negative integer;
    /// [`ModelError::UnknownParameter`] for another key.
    pub fn from_spec(spec: &ModelSpec) -> Result<Self, ModelError> {
        let params = crate::model::spec::Params::new(spec, "shapley-rate", Self::PARAMS, &[])?;
        let value = params
            .parse("value", "expected rate, count or value", |t| {
                [RateValue::Rate, RateValue::Count, RateValue::Value]
                    .into_iter()
                    .find(|v| t.eq_ignore_ascii_case(v.as_str()))
            })?
            .unwrap_or_default();
        let max_channels = params
            .parse(
                "max_channels",
                "expected a non-negative integer (0: keep every channel)",
                |t| t.parse::<usize>().ok(),
            )?
            .unwrap_or(0);
        let keep = params
            .parse("keep", "expected recent or alphabetical", |t| {
                [Keep::Recent, Keep::Alphabetical]
                    .into_iter()
                    .find(|k| t.eq_ignore_ascii_case(k.as_str()))
            })?
            .unwrap_or_default();
        Ok(Self::new(value, max_channels, keep))
    }

    /// The local game.
    #[must_use]
    pub fn value(&self) -> RateValue {
        self.value
    }

    /// The channel cap per journey (0: none).
    #[must_use]
    pub fn max_channels(&self) -> usize {
        self.max_channels
    }

    /// Which channels the cap keeps.
    #[must_use]
    pub fn keep(&self) -> Keep {
        self.keep
    }

    fn model_name(&self) -> &'static str {
        "shapley-rate"
    }

    fn model_spec(&self) -> ModelSpec {
        ModelSpec::new(self.model_name())
            .with("value", self.value.as_str())
            .with("max_channels", self.max_channels.to_string())
            .with("keep", self.keep.as_str())
    }

    fn set_key(&self, journey: &Journey, channels: &Channels, key: &mut Vec<ChannelId>) {
        distinct_channels(journey, key);
        let k = self.max_channels;
        if k == 0 || key.len() <= k {
            return;
        }
        match self.keep {
            Keep::Recent => {
                key.clear();
                for channel in journey.channels().rev() {
                    if !key.contains(&channel) {
                        key.push(channel);
                        if key.len() == k {
                            break;
                        }
                    }
                }
            }
            Keep::Alphabetical => {
                let name = |c: &ChannelId| channels.name(*c).unwrap_or_default();
                key.sort_unstable_by(|a, b| name(a).cmp(name(b)));
                key.drain(..key.len() - k);
            }
        }
        key.sort_unstable();
    }

    /// v(T) of the local games on an observed converting set.
    fn worth(&self, counts: &SetCounts) -> f64 {
        match self.value {
            RateValue::Rate => counts.conversions() / counts.journeys(),
            RateValue::Count => counts.conversions(),
            RateValue::Value => counts.value(),
        }
    }

    fn fit_table(&self, table: &SetTable) -> Result<Attribution, ModelError> {
        let converting: Vec<(&[ChannelId], &SetCounts)> =
            table.iter().filter(|(_, c)| c.converts()).collect();
        let counts_of: rustc_hash::FxHashMap<&[ChannelId], &SetCounts> =
            converting.iter().copied().collect();
        let sorted = SortedSets::new(converting.iter().map(|(s, _)| *s).collect());
        let sets = sorted.sets();
        let worth: Vec<f64> = sets
            .iter()
            .map(|s| counts_of.get(s).map_or(0.0, |c| self.worth(c)))
            .collect();
        let n = table.channels().len();
        // Fixed chunks (not per thread): the sums do not depend on threads.
        let chunk = sets.len().div_ceil(64).max(256);
        let starts: Vec<usize> = (0..sets.len()).step_by(chunk).collect();
        let partial = crate::parallel::map_init(
            &starts,
            || Scratch::new(n),
            |scratch, &start| -> Result<Credits, ModelError> {
                let mut credits = Credits::new(n);
                let end = (start + chunk).min(sets.len());
                for c in start..end {
                    let (Some(set), Some(&own)) = (sets.get(c), worth.get(c)) else {
                        continue;
                    };
                    let counts = counts_of.get(set).map(|c| **c).unwrap_or_default();
                    self.credit_set(set, own, &counts, &sorted, &worth, scratch, &mut credits)?;
                }
                Ok(credits)
            },
        );
        let mut credits = Credits::new(n);
        for part in partial {
            credits.merge(&part?);
        }
        credits.into_attribution(
            table.channels(),
            table,
            self.model_name(),
            self.model_spec().params,
        )
    }

    /// Adds the credit of the converting set `set` (worth `own`).
    #[allow(clippy::too_many_arguments)]
    fn credit_set(
        &self,
        set: &[ChannelId],
        own: f64,
        counts: &SetCounts,
        sorted: &SortedSets<'_>,
        worth: &[f64],
        scratch: &mut Scratch,
        credits: &mut Credits,
    ) -> Result<(), ModelError> {
        let (scale_c, scale_v) = match self.value {
            RateValue::Rate => (counts.conversions() / own, counts.value() / own),
            RateValue::Count => (1.0, counts.value() / own),
            RateValue::Value => {
                if own <= 0.0 {
                    return Err(self.no_value(set));
                }
                (counts.conversions() / own, 1.0)
            }
        };
        let Scratch {
            inside,
            weights: cache,
        } = scratch;
        let w = weights_for(cache, set.len());
        let mut masses = PointMasses::new(w);
        let sets = sorted.sets();
        sorted.for_each_subset(set, |i| {
            if let (Some(s), Some(&m)) = (sets.get(i), worth.get(i)) {
                if m != 0.0 {
                    masses.add(s, m, inside);
                }
            }
        });
        let outside = masses.outside();
        for channel in set {
            if let Some(slot) = inside.get_mut(channel.index()) {
                let phi = slot.value() - outside;
                *slot = CompensatedSum::default();
                credits.add(channel.index(), scale_c * phi, scale_v * phi);
            }
        }
        Ok(())
    }

    fn no_value(&self, set: &[ChannelId]) -> ModelError {
        ModelError::DegenerateGame {
            model: self.model_spec().to_string(),
            reason: format!(
                "a channel set of {} channel(s) has conversions but no value, so the value game \
                 (value=value) is worth 0 on it and cannot share its conversions; use value=rate \
                 or value=count, or give every converting journey a value",
                set.len()
            ),
        }
    }

    fn credit_of_journey(&self, _journey: &Journey) -> Result<Vec<(ChannelId, f64)>, ModelError> {
        Err(ModelError::NoJourneyCredit {
            model: self.model_name().to_owned(),
            reason: "it is a game over the observed channel sets: a set's credit depends on how \
                     its observed subsets convert, not on one journey",
        })
    }
}

/// Per-thread buffers: the `inside` sums per channel (reset after each
/// set) and the Shapley weights per coalition size.
struct Scratch {
    inside: Vec<CompensatedSum>,
    weights: Vec<Vec<f64>>,
}

impl Scratch {
    fn new(n: usize) -> Self {
        Self {
            inside: vec![CompensatedSum::default(); n],
            weights: Vec::new(),
        }
    }
}

/// The weights of a `k`-player game from `cache`, computed once.
fn weights_for(cache: &mut Vec<Vec<f64>>, k: usize) -> &[f64] {
    if cache.len() <= k {
        cache.resize(k + 1, Vec::new());
    }
    match cache.get_mut(k) {
        Some(slot) => {
            if slot.is_empty() {
                *slot = weights(k);
            }
            slot
        }
        None => &[],
    }
}

set_game_model!(ShapleyRate);
crate::model::registry::factory!(
    ShapleyRateFactory,
    ShapleyRate,
    "shapley-rate",
    "Shapley value of a local conversion-rate game per converting channel set (may be negative)"
);
