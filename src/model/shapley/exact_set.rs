//! [`ShapleyExactSet`]: the global exact-set game (`shapley-exact-set`).

use crate::attribution::Attribution;
use crate::channel::{ChannelId, Channels};
use crate::error::ModelError;
use crate::journey::Journey;
use crate::model::{Merge, ModelSpec, ParamDoc};
use crate::numeric::{CompensatedSum, count_to_f64};

use super::fit::{Credits, set_game_model};
use super::game::{PointMasses, weights};
use super::set_table::{SetTable, distinct_channels};

/// The relative size below which Σφ counts as zero: |Σφ| ≤ 1e−9·Σ|φ|.
const DEGENERATE: f64 = 1e-9;

/// `shapley-exact-set`: the Shapley value of the global exact-set game
/// (matches `do-attribution`).
///
/// # Definition
///
/// The players are the n channels of the observed journeys (converting or
/// not); a coalition T is worth the conversions of the journeys whose
/// distinct channel set is **exactly** T: v(T) = R(T). v is a sum of point
/// masses, so with w(s, n) = s!(n−s−1)!/n!
///
/// φ_i = Σ_{observed S} R(S)·(w(|S|−1, n) if i ∈ S, else −w(|S|, n)),
///
/// and channel i gets Σc·φ_i/Σφ conversions and Σv·φ_i/Σφ value (the
/// shares of the conversion game).
///
/// By efficiency Σφ = v(all channels) = R(all channels): the conversions
/// of the journeys that touched **every** channel, which on real data is
/// almost always 0. Then the shares φ_i/Σφ divide by zero (or by rounding
/// noise), so when |Σφ| ≤ 1e−9·Σ|φ| `finish` fails with
/// [`ModelError::DegenerateGame`] instead of returning them. Without
/// conversions every credit is 0.
///
/// # When to use
///
/// Rarely: only to reproduce `do-attribution`. The game credits a
/// coalition only for journeys with exactly its channels, so adding a
/// channel to a journey takes its conversions away from every smaller
/// coalition; the values are large with both signs and, being normalised by
/// R(all channels), defined only when some journey touched every channel.
/// [`Shapley`](super::Shapley) or [`ShapleyRate`](super::ShapleyRate)
/// answer the question users usually mean.
///
/// # Complexity
///
/// Observing: O(L log L) per journey. Finishing: O(Σ|S| + n) over the
/// distinct observed sets, by the identity
/// φ_i = Σ_{S∋i} R(S)[w(|S|−1,n) + w(|S|,n)] − Σ_S R(S)w(|S|,n); never
/// the 2^n coalitions.
///
/// # Per-journey credit
///
/// None: a channel's φ comes from every observed set, not from the journeys
/// it touched, so [`Model::journey_credit`](crate::Model::journey_credit)
/// refuses with [`ModelError::NoJourneyCredit`].
///
/// # Example
///
/// ```
/// use attribution::model::shapley::ShapleyExactSet;
/// use attribution::{Channels, Journey, JourneySet, Model, ModelError};
///
/// let mut set = JourneySet::new(Channels::new());
/// let a = set.channels_mut().intern("A")?;
/// let b = set.channels_mut().intern("B")?;
/// set.push(Journey::from_channels(&[a], 1, 0, 10.0)?)?;
/// set.push(Journey::from_channels(&[a, b], 1, 1, 30.0)?)?;
/// // v({A}) = 1, v({A, B}) = 1: φ_A = 1·1/2 + 1·1/2 = 1, φ_B = −1/2 + 1/2 = 0.
/// let result = ShapleyExactSet::new().attribute(&set)?;
/// assert_eq!(result.get("A").map(|c| (c.conversions, c.value)), Some((2.0, 40.0)));
/// assert_eq!(result.get("B").map(|c| (c.conversions, c.value)), Some((0.0, 0.0)));
///
/// // Nobody touched both channels and converted: Σφ = R({A, B}) = 0.
/// let mut set = JourneySet::new(Channels::new());
/// let a = set.channels_mut().intern("A")?;
/// let b = set.channels_mut().intern("B")?;
/// set.push(Journey::from_channels(&[a], 1, 0, 10.0)?)?;
/// set.push(Journey::from_channels(&[a, b], 0, 1, 0.0)?)?;
/// let err = ShapleyExactSet::new().attribute(&set).unwrap_err();
/// assert!(matches!(err, ModelError::DegenerateGame { .. }));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub struct ShapleyExactSet;

impl ShapleyExactSet {
    /// `shapley-exact-set` has no parameters.
    pub const PARAMS: &'static [ParamDoc] = &[];

    /// The model.
    #[must_use]
    pub fn new() -> Self {
        Self
    }

    /// The model of `spec` (`shapley-exact-set`).
    ///
    /// # Errors
    ///
    /// [`ModelError::UnknownParameter`] for any key.
    pub fn from_spec(spec: &ModelSpec) -> Result<Self, ModelError> {
        crate::model::spec::Params::new(spec, "shapley-exact-set", Self::PARAMS, &[])?;
        Ok(Self)
    }

    fn model_name(&self) -> &'static str {
        "shapley-exact-set"
    }

    fn model_spec(&self) -> ModelSpec {
        ModelSpec::new(self.model_name())
    }

    fn set_key(&self, journey: &Journey, _channels: &Channels, key: &mut Vec<ChannelId>) {
        distinct_channels(journey, key);
    }

    fn fit_table(&self, table: &SetTable) -> Result<Attribution, ModelError> {
        let channels = table.channels().len();
        let sets = table.sorted();
        // The players: every channel of an observed journey.
        let mut player = vec![false; channels];
        for (set, _) in &sets {
            for c in *set {
                if let Some(p) = player.get_mut(c.index()) {
                    *p = true;
                }
            }
        }
        let n = player.iter().filter(|&&p| p).count();
        let w = weights(n);
        let mut inside = vec![CompensatedSum::default(); channels];
        let mut masses = PointMasses::new(&w);
        for (set, counts) in &sets {
            if counts.converts() {
                masses.add(set, counts.conversions(), &mut inside);
            }
        }
        let outside = masses.outside();
        let phi: Vec<f64> = inside
            .iter()
            .zip(&player)
            .map(|(s, &p)| if p { s.value() - outside } else { 0.0 })
            .collect();
        let sum: CompensatedSum = phi.iter().copied().sum();
        let abs: CompensatedSum = phi.iter().map(|x| x.abs()).sum();
        let (sum, abs) = (sum.value(), abs.value());
        let mut credits = Credits::new(channels);
        let (total_c, total_v) = (table.total_conversions(), table.total_value());
        if total_c > 0.0 {
            if sum.abs() <= DEGENERATE * abs || sum.is_nan() {
                return Err(self.degenerate(table, n, sum));
            }
            for (i, &x) in phi.iter().enumerate() {
                credits.add(i, total_c * x / sum, total_v * x / sum);
            }
        }
        credits.into_attribution(table.channels(), table, self.model_name(), Vec::new())
    }

    fn degenerate(&self, table: &SetTable, n: usize, sum: f64) -> ModelError {
        let grand = table
            .iter()
            .find(|(set, _)| set.len() == n)
            .map_or(0.0, |(_, c)| c.conversions());
        ModelError::DegenerateGame {
            model: self.model_name().to_owned(),
            reason: format!(
                "its Shapley values sum to R(all channels) = {grand} (Σφ = {sum:e}), the \
                 conversions of journeys that touched every one of the {n} channels, so shares \
                 φ/Σφ would divide by (nearly) zero; the exact-set game is rarely meaningful: \
                 use shapley or shapley-rate",
                grand = count_like(grand)
            ),
        }
    }

    fn credit_of_journey(&self, _journey: &Journey) -> Result<Vec<(ChannelId, f64)>, ModelError> {
        Err(ModelError::NoJourneyCredit {
            model: self.model_name().to_owned(),
            reason: "it is a game over every observed channel set: a channel's value comes from \
                     all of them, not from one journey",
        })
    }
}

/// A count as text: integral values without a fraction.
fn count_like(x: f64) -> String {
    if x.fract() == 0.0 && x.abs() < count_to_f64(crate::numeric::MAX_EXACT_COUNT) {
        format!("{x:.0}")
    } else {
        x.to_string()
    }
}

set_game_model!(ShapleyExactSet);
crate::model::registry::factory!(
    ShapleyExactSetFactory,
    ShapleyExactSet,
    "shapley-exact-set",
    "Shapley value of the global exact-set game (needs journeys touching every channel)"
);
