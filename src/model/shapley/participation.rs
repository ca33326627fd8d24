//! [`Participation`]: every touched channel gets the whole journey
//! (`participation`).

use crate::attribution::Attribution;
use crate::channel::{ChannelId, Channels};
use crate::error::ModelError;
use crate::journey::Journey;
use crate::model::{Merge, ModelSpec, ParamDoc};

use super::fit::{Credits, first_touch_order, set_game_model};
use super::set_table::{SetTable, distinct_channels};

/// `participation`: every distinct channel of a converting journey gets the
/// journey's full conversions c_j and value v_j ("assisted" or "influenced"
/// conversions, as analytics tools report them).
///
/// # Definition
///
/// conversions_i = Σ_{S ∋ i} R(S), value_i = Σ_{S ∋ i} V(S): the
/// conversions (and value) of the journeys that touched channel i, at any
/// position, however often.
///
/// **The credits overlap**: a journey of k channels is counted k times, so
/// they sum to more than the total conversions by design. The result says
/// so ([`Attribution::is_partition`] is `false`), totals checks skip it and
/// every output of the command labels it. A channel's credit over the total
/// conversions is the fraction of the conversions (of converting journeys,
/// each weighted by its conversions) whose journey touched the channel.
///
/// # When to use
///
/// To answer "how many conversions did this channel take part in?", beside
/// a model that shares credit. Not an attribution: it cannot be summed
/// across channels or compared with the total.
///
/// # Complexity
///
/// O(L log L) per journey of L touches; finishing O(Σ|S|) over the
/// distinct observed sets.
///
/// # Per-journey credit
///
/// Share 1 for every distinct channel (so each gets the full c_j and v_j):
/// the shares sum to k, not 1.
///
/// # Example
///
/// ```
/// use attribution::model::shapley::Participation;
/// use attribution::{Channels, Journey, JourneySet, Model};
///
/// let mut set = JourneySet::new(Channels::new());
/// let ppc = set.channels_mut().intern("PPC")?;
/// let email = set.channels_mut().intern("Email")?;
/// set.push(Journey::from_channels(&[ppc, email, ppc], 2, 0, 50.0)?)?;
/// set.push(Journey::from_channels(&[email], 1, 3, 10.0)?)?;
/// let result = Participation::new().attribute(&set)?;
/// assert!(!result.is_partition());
/// assert_eq!(result.get("PPC").map(|c| (c.conversions, c.value)), Some((2.0, 50.0)));
/// assert_eq!(result.get("Email").map(|c| (c.conversions, c.value)), Some((3.0, 60.0)));
/// // Credits sum to 5 > 3 conversions: Email took part in all of them.
/// assert_eq!(result.total_conversions(), 3.0);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub struct Participation;

impl Participation {
    /// `participation` has no parameters.
    pub const PARAMS: &'static [ParamDoc] = &[];

    /// The model.
    #[must_use]
    pub fn new() -> Self {
        Self
    }

    /// The model of `spec` (`participation`).
    ///
    /// # Errors
    ///
    /// [`ModelError::UnknownParameter`] for any key.
    pub fn from_spec(spec: &ModelSpec) -> Result<Self, ModelError> {
        crate::model::spec::Params::new(spec, "participation", Self::PARAMS, &[])?;
        Ok(Self)
    }

    fn model_name(&self) -> &'static str {
        "participation"
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
            for channel in set {
                credits.add(channel.index(), counts.conversions(), counts.value());
            }
        }
        credits
            .into_attribution(table.channels(), table, self.model_name(), Vec::new())
            .map(Attribution::with_overlapping_credits)
    }

    fn credit_of_journey(&self, journey: &Journey) -> Result<Vec<(ChannelId, f64)>, ModelError> {
        Ok(first_touch_order(journey)
            .into_iter()
            .map(|c| (c, 1.0))
            .collect())
    }
}

set_game_model!(Participation);
crate::model::registry::factory!(
    ParticipationFactory,
    Participation,
    "participation",
    "every touched channel gets the journey's full conversions (overlapping: sums exceed the total)"
);
