//! [`LeaveOneOut`]: Fractribution's counterfactual on path conversion rates
//! (`leave-one-out`).

mod state;

use rustc_hash::FxHashMap;

use crate::attribution::{Attribution, ChannelCredit, JourneyCredit};
use crate::channel::{ChannelId, Channels};
use crate::error::ModelError;
use crate::journey::Journey;
use crate::model::{Fitted, Merge, Model, ModelSpec, ParamDoc};
use crate::numeric::CompensatedSum;

pub use state::{InvalidPathTable, PathCounts, PathTable, Token};

/// `leave-one-out`: each touch's credit is the drop in its path's
/// conversion rate when that one touch is deleted, clipped at 0 and
/// normalised over the path. Parity with Google's open-source
/// Fractribution (which calls this rule "shapley"); **it is not a Shapley
/// value**.
///
/// # Definition
///
/// Group the (transformed, see [`crate::model::transform`]) journeys by token
/// path P: conv(P), null(P), V(P). The path rate is p(P) = conv(P) /
/// (conv(P) + null(P)); a path never observed, or with both counts 0, has
/// p = 0. For a converting path P = (t_1..t_L):
///
/// * L = 1: w_1 = 1;
/// * L ≥ 2: mc_i = max(p(P) − p(P∖i), 0), where P∖i is P with **position**
///   i deleted, looked up as it is (not transformed again: under
///   `exposure`, `A > B > A` minus B is `A > A`, which never occurs, so
///   p = 0); w_i = mc_i / Σ mc, or, when Σ mc = 0, the last touch takes
///   all (w_L = 1).
///
/// conversions_c = Σ_P conv(P)·Σ_{i: channel(t_i) = c} w_i, value the same
/// with V(P). Non-converting paths give nothing. Tokens after `frequency`
/// are (channel, count) pairs: path identity compares tokens, credit goes
/// to the channel.
///
/// # What it measures, and what not
///
/// How much each touch's presence raises the conversion rate of the exact
/// path it sits on, against the one path that lacks it. Negative gaps are
/// floored, never reported; interactions are not shared out as a Shapley
/// value would; a path whose counterfactuals were never observed splits
/// its credit by the observed gaps only (all of them unseen: equal shares,
/// since each gap is then p(P)). Credit sums to the conversions and value
/// of each path (efficient per path), with no baseline.
///
/// # Matches
///
/// Google Fractribution's Python core (its "shapley" attribution) fed the
/// same grouped path summary, on every transform chain of the tiny
/// fixture, to 1e-9. Put `trim-last:N` first and pass `exposure` to match
/// its defaults (it trims before transforming; its default transform is
/// `exposure`, ours is none).
///
/// # Differences from Fractribution
///
/// Fractribution builds one path per conversion from the sessions within
/// N days counted in whole days, so it keeps sessions that start up to
/// 24 h **after** the conversion; we do not (our journeys hold the touches
/// at or before the conversion). From path files the results agree. It
/// books path-less conversions to an `Unmatched_Channel` row (we have no
/// empty paths), cuts names at their first `(` (we keep names), and keeps
/// the first revenue of a path given twice (we add).
///
/// # Complexity
///
/// Observing: O(L) per journey, one entry per distinct path. Finishing:
/// one hash look-up per position, O(Σ_P L_P²) token comparisons, and a
/// sort of the paths (by channel name), so the result is bit-identical
/// under any row order or partition.
///
/// # Per-journey credit
///
/// The journey's weights w from the fitted path rates, summed per distinct
/// channel (needs the fit).
///
/// # Example
///
/// The tiny fixture under `exposure`: J4 `Email > Email > LinkedIn` becomes
/// `Email > LinkedIn` and joins the non-converting J8 (p = 1/2); deleting
/// Email gives `LinkedIn` (p = 1, gap 0), deleting LinkedIn gives `Email`
/// (unseen, gap 1/2), so LinkedIn takes J4's conversion.
///
/// ```
/// use attribution::io::{ReaderBuilder, Shape};
/// use attribution::model::Registry;
///
/// let csv = "path,total_conversions,total_conversion_value,total_null\n\
///            PPC > LandingPage > Email > LinkedIn,1,120,0\n\
///            PPC > LandingPage,0,0,1\n\
///            LinkedIn,1,80,0\n\
///            Email > Email > LinkedIn,1,60,0\n\
///            PPC > LandingPage > Email,0,0,1\n\
///            LinkedIn > PPC,1,100,0\n\
///            PPC,0,0,1\n\
///            Email > LinkedIn,0,0,1\n";
/// let (set, _) = ReaderBuilder::new(Shape::Paths).from_reader(csv.as_bytes())?.read_all()?;
/// let model = Registry::builtin().parse("leave-one-out:transform=exposure")?;
/// let result = model.attribute(&set)?;
/// let credit = |name: &str| result.get(name).map(|c| (c.conversions, c.value));
/// assert_eq!(credit("PPC"), Some((0.25, 30.0)));
/// assert_eq!(credit("Email"), Some((0.25, 30.0)));
/// assert_eq!(credit("LinkedIn"), Some((3.25, 270.0)));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub struct LeaveOneOut;

/// What [`LeaveOneOut`] learnt: the attribution and the path rates (for
/// per-journey credit).
#[derive(Debug, Clone, PartialEq)]
pub struct LeaveOneOutFit {
    attribution: Attribution,
    channels: Channels,
    rates: FxHashMap<Box<[Token]>, f64>,
}

impl LeaveOneOutFit {
    /// p(P) of a token path (ids of the fit's channel table); 0 if unseen.
    #[must_use]
    pub fn rate(&self, path: &[Token]) -> f64 {
        self.rates.get(path).copied().unwrap_or(0.0)
    }

    /// The channel table the fit's paths refer to.
    #[must_use]
    pub fn channels(&self) -> &Channels {
        &self.channels
    }
}

impl Fitted for LeaveOneOutFit {
    fn attribution(&self) -> &Attribution {
        &self.attribution
    }

    fn into_attribution(self) -> Attribution {
        self.attribution
    }
}

/// The weights of the positions of `path` into `weights`: `rate_without(i)`
/// is p(P∖i) (`None` for a one-touch path's only position is not asked).
fn position_weights(
    len: usize,
    rate: f64,
    mut rate_without: impl FnMut(usize) -> f64,
    weights: &mut Vec<f64>,
) {
    weights.clear();
    if len <= 1 {
        weights.resize(len, 1.0);
        return;
    }
    let mut total = 0.0;
    for i in 0..len {
        let gap = (rate - rate_without(i)).max(0.0);
        total += gap;
        weights.push(gap);
    }
    if total > 0.0 {
        for w in weights.iter_mut() {
            *w /= total;
        }
    } else {
        weights.fill(0.0);
        if let Some(last) = weights.last_mut() {
            *last = 1.0;
        }
    }
}

/// `path` without position `i`, into `out`.
fn without(path: &[Token], i: usize, out: &mut Vec<Token>) {
    out.clear();
    out.extend(
        path.iter()
            .enumerate()
            .filter(|&(j, _)| j != i)
            .map(|(_, t)| *t),
    );
}

impl LeaveOneOut {
    /// `leave-one-out` has no parameters.
    pub const PARAMS: &'static [ParamDoc] = &[];

    /// The model.
    #[must_use]
    pub fn new() -> Self {
        Self
    }

    /// The model of `spec` (`leave-one-out`).
    ///
    /// # Errors
    ///
    /// [`ModelError::UnknownParameter`] for any key.
    pub fn from_spec(spec: &ModelSpec) -> Result<Self, ModelError> {
        crate::model::spec::Params::new(spec, "leave-one-out", Self::PARAMS, &[])?;
        Ok(Self)
    }
}

impl LeaveOneOut {
    /// Spec §3 on a state: path rates from the state's own counts, the
    /// converting paths in a canonical order (sorted by channel name, then
    /// tag), so the sums do not depend on row order, partitions or channel
    /// ids.
    fn credit(&self, state: &PathTable) -> Result<Attribution, ModelError> {
        crate::model::check_spec(&Model::spec(self), state.spec())?;
        let channels = state.channels();
        let mut by_name: Vec<(ChannelId, &str)> = channels.iter().collect();
        by_name.sort_unstable_by(|a, b| a.1.cmp(b.1));
        let mut rank = vec![0usize; channels.len()];
        for (r, (id, _)) in by_name.iter().enumerate() {
            if let Some(slot) = rank.get_mut(id.index()) {
                *slot = r;
            }
        }
        let key = |&(c, t): &Token| (rank.get(c.index()).copied().unwrap_or(usize::MAX), t);
        let mut rows: Vec<(&[Token], &PathCounts)> =
            state.iter().filter(|(_, c)| c.converts()).collect();
        rows.sort_unstable_by(|a, b| a.0.iter().map(key).cmp(b.0.iter().map(key)));

        let rate_of = |p: &[Token]| state.get(p).map_or(0.0, PathCounts::rate);
        let mut conversions = vec![CompensatedSum::default(); channels.len()];
        let mut values = vec![CompensatedSum::default(); channels.len()];
        let (mut total_c, mut total_v) = (CompensatedSum::default(), CompensatedSum::default());
        let (mut scratch, mut weights) = (Vec::new(), Vec::new());
        for (path, counts) in &rows {
            let (c, v) = (counts.conversions(), counts.value());
            total_c.add(c);
            total_v.add(v);
            let rate = counts.rate();
            position_weights(
                path.len(),
                rate,
                |i| {
                    without(path, i, &mut scratch);
                    rate_of(&scratch)
                },
                &mut weights,
            );
            for ((channel, _), w) in path.iter().zip(&weights) {
                if let Some(sum) = conversions.get_mut(channel.index()) {
                    sum.add(c * w);
                }
                if let Some(sum) = values.get_mut(channel.index()) {
                    sum.add(v * w);
                }
            }
        }
        let mut out = Vec::with_capacity(channels.len());
        for (id, name) in channels.iter() {
            let c = conversions
                .get(id.index())
                .map_or(0.0, CompensatedSum::value);
            let v = values.get(id.index()).map_or(0.0, CompensatedSum::value);
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
        let attribution = Attribution::new(
            Model::name(self),
            Vec::new(),
            out,
            total_c.value(),
            total_v.value(),
        );
        Ok(attribution)
    }
}

impl Model for LeaveOneOut {
    type State = PathTable;
    type Fitted = LeaveOneOutFit;

    fn name(&self) -> &'static str {
        "leave-one-out"
    }

    fn spec(&self) -> ModelSpec {
        ModelSpec::new("leave-one-out")
    }

    fn new_state(&self) -> PathTable {
        PathTable::new(Model::spec(self))
    }

    fn observe(
        &self,
        state: &mut PathTable,
        journey: &Journey,
        channels: &Channels,
    ) -> Result<(), ModelError> {
        state.observe(journey, channels, None)
    }

    fn observe_weighted(
        &self,
        state: &mut PathTable,
        journey: &Journey,
        channels: &Channels,
        weight: f64,
    ) -> Result<(), ModelError> {
        state.observe(journey, channels, (weight != 1.0).then_some(weight))
    }

    fn fit(&self, state: &PathTable) -> Result<LeaveOneOutFit, ModelError> {
        let attribution = self.credit(state)?;
        let rates = state.iter().map(|(p, c)| (p.into(), c.rate())).collect();
        Ok(LeaveOneOutFit {
            attribution,
            channels: state.channels().clone(),
            rates,
        })
    }

    /// The attribution alone: no table of path rates for per-journey
    /// credit is built.
    fn finish(&self, state: &PathTable) -> Result<Attribution, ModelError> {
        self.credit(state)
    }

    fn journey_credit(
        &self,
        journey: &Journey,
        channels: &Channels,
        fitted: Option<&LeaveOneOutFit>,
    ) -> Result<Option<JourneyCredit>, ModelError> {
        if journey.conversions() == 0 {
            return Ok(None);
        }
        crate::model::check_channels(journey, channels)?;
        let Some(fit) = fitted else {
            return Ok(None);
        };
        // The journey's tokens in the fit's ids; a channel the fit never
        // saw makes every path through it unseen.
        let mut tokens: Vec<Token> = Vec::with_capacity(journey.len());
        let mut unknown: Vec<usize> = Vec::new();
        state::tokens_of(journey, &mut tokens);
        for (i, token) in tokens.iter_mut().enumerate() {
            match channels.name(token.0).and_then(|n| fit.channels.get(n)) {
                Some(id) => token.0 = id,
                None => unknown.push(i),
            }
        }
        let rate = if unknown.is_empty() {
            fit.rate(&tokens)
        } else {
            0.0
        };
        let (mut scratch, mut weights) = (Vec::new(), Vec::new());
        position_weights(
            tokens.len(),
            rate,
            |i| {
                if unknown.iter().any(|&u| u != i) {
                    return 0.0;
                }
                without(&tokens, i, &mut scratch);
                fit.rate(&scratch)
            },
            &mut weights,
        );
        let mut shares: Vec<(ChannelId, f64)> = Vec::new();
        for (channel, w) in journey.channels().zip(&weights) {
            match shares.iter_mut().find(|(c, _)| *c == channel) {
                Some((_, share)) => *share += w,
                None => shares.push((channel, *w)),
            }
        }
        Ok(Some(JourneyCredit {
            journey: 0,
            shares,
            baseline: 0.0,
        }))
    }
}

crate::model::registry::factory!(
    LeaveOneOutFactory,
    LeaveOneOut,
    "leave-one-out",
    "Fractribution's rule: each touch's clipped drop in path conversion rate when deleted, normalised (not a Shapley value)"
);
