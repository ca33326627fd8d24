//! [`Shapley`]: the Shapley value of the cumulative game (`shapley`).

use crate::attribution::Attribution;
use crate::channel::{ChannelId, Channels};
use crate::error::ModelError;
use crate::journey::Journey;
use crate::model::{Merge, ModelSpec, ParamDoc};
use crate::numeric::count_to_f64;

use super::fit::{Credits, first_touch_order, set_game_model};
use super::set_table::{SetTable, distinct_channels};

/// `shapley`: the Shapley value of the cumulative game (Zhao et al. 2018).
///
/// # Definition
///
/// With R(S) the conversions of the journeys whose distinct channel set is
/// S, the coalition T is worth every conversion of a journey that used
/// only channels of T: v(T) = Σ_{S ⊆ T} R(S). Its Shapley value has the
/// closed form
///
/// φ_i = Σ_{S ∋ i} R(S) / |S|,
///
/// because v is a sum of unanimity games (R(S) on the coalitions containing
/// S), each of which splits R(S) equally among the members of S. Value is
/// the same with V(S) in place of R(S).
///
/// **This equals [`Linear`](crate::model::heuristic::Linear) per distinct
/// channel** (`linear:split=channel`): each converting journey gives each
/// of its k distinct channels c/k conversions and v/k value, however often
/// and in whatever order they were touched. The game view adds the axioms
/// (efficiency, symmetry, null player, additivity), not new numbers.
///
/// Matches `mta`'s `shapley` and `shapley-attribution`'s Simplified model.
///
/// # When to use
///
/// When "Shapley attribution" is asked for and the credits must be
/// non-negative and sum to the conversions; read it as linear per distinct
/// channel. It ignores order and the non-converting journeys.
///
/// # Complexity
///
/// Observing: O(L log L) per journey of L touches (its sorted set, one hash
/// lookup). Finishing: O(Σ|S|) over the distinct observed sets.
///
/// # Per-journey credit
///
/// c_j/k to each of the k distinct channels (shares 1/k, in order of first
/// touch), summing to the attribution.
///
/// # Example
///
/// The tiny journeys of the fixtures (`tests/data/tiny`): J1 = {PPC,
/// LandingPage, Email, LinkedIn} gives each 1/4, J4 = {Email, LinkedIn}
/// each 1/2, J6 = {LinkedIn, PPC} each 1/2 and J3 = {LinkedIn} 1.
///
/// ```
/// use attribution::model::shapley::Shapley;
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
/// let result = Shapley::new().attribute(&set)?;
/// let credit = |name: &str| result.get(name).map(|c| (c.conversions, c.value));
/// assert_eq!(credit("PPC"), Some((0.75, 80.0)));
/// assert_eq!(credit("LandingPage"), Some((0.25, 30.0)));
/// assert_eq!(credit("Email"), Some((0.75, 60.0)));
/// assert_eq!(credit("LinkedIn"), Some((2.25, 190.0)));
/// assert_eq!(result.total_conversions(), 4.0);
///
/// // No journeys: no credit, no division by zero.
/// let empty = Shapley::new().attribute(&JourneySet::new(Channels::new()))?;
/// assert!(empty.channels().is_empty());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub struct Shapley;

impl Shapley {
    /// `shapley` has no parameters.
    pub const PARAMS: &'static [ParamDoc] = &[];

    /// The model.
    #[must_use]
    pub fn new() -> Self {
        Self
    }

    /// The model of `spec` (`shapley`).
    ///
    /// # Errors
    ///
    /// [`ModelError::UnknownParameter`] for any key.
    pub fn from_spec(spec: &ModelSpec) -> Result<Self, ModelError> {
        crate::model::spec::Params::new(spec, "shapley", Self::PARAMS, &[])?;
        Ok(Self)
    }

    fn model_name(&self) -> &'static str {
        "shapley"
    }

    fn model_spec(&self) -> ModelSpec {
        ModelSpec::new(self.model_name())
    }

    fn set_key(&self, journey: &Journey, _channels: &Channels, key: &mut Vec<ChannelId>) {
        distinct_channels(journey, key);
    }

    fn fit_table(&self, table: &SetTable) -> Result<Attribution, ModelError> {
        let mut credits = Credits::new(table.channels().len());
        for (set, counts) in table.sorted() {
            if !counts.converts() {
                continue;
            }
            let k = count_to_f64(u64::try_from(set.len()).unwrap_or(u64::MAX));
            let (c, v) = (counts.conversions() / k, counts.value() / k);
            for channel in set {
                credits.add(channel.index(), c, v);
            }
        }
        credits.into_attribution(table.channels(), table, self.model_name(), Vec::new())
    }

    fn credit_of_journey(&self, journey: &Journey) -> Result<Vec<(ChannelId, f64)>, ModelError> {
        let order = first_touch_order(journey);
        let share = 1.0 / count_to_f64(u64::try_from(order.len()).unwrap_or(u64::MAX));
        Ok(order.into_iter().map(|c| (c, share)).collect())
    }
}

set_game_model!(Shapley);
crate::model::registry::factory!(
    ShapleyFactory,
    Shapley,
    "shapley",
    "Shapley value of the cumulative game (= linear per distinct channel)"
);
