//! Attribution models and the contract they share.
//!
//! Every model is a small, validated configuration plus three operations
//! (the scale-out contract: any partition of the data, one `finish`):
//!
//! * [`Model::new_state`] makes an empty state, configured for the model:
//!   it carries the model's canonical [`ModelSpec`] and the channel names
//!   its data refer to (there is no `Default` state);
//! * [`Model::observe`] folds one journey into a state;
//! * [`Merge::merge`] combines two states of the same spec, remapping
//!   channels **by name**, so partial states computed on any partition of
//!   the journeys — threads, files read with their own channel tables,
//!   nodes of a distributed engine — combine into the state of one pass
//!   (associative and commutative: integer counts bit-exactly, float sums
//!   to rounding); states of different specs are refused;
//! * [`Model::finish`] turns a state into an [`Attribution`] (no channel
//!   table needed: the state carries its own); [`Model::fit`] also returns
//!   what the model learnt ([`Fitted`]: for Markov the chain, the removal
//!   effects and the absorption probabilities), and
//!   [`Model::journey_credit`] shares one journey among its channels.
//!
//! Around it:
//!
//! * [`ModelSpec`] names a model and its parameters (`markov:order=3`,
//!   `position-based:first=0.3,last=0.3`); [`Model::spec`] is canonical,
//!   and states carry it, so states of models that differ in any parameter
//!   refuse to merge ([`ModelError::IncompatibleStates`]).
//! * [`Registry`] builds models from specs ([`ModelFactory`]; every
//!   constructor validates, so a built model always runs) as
//!   [`DynModel`]s, which hold their states as [`DynState`]s.
//! * [`StateEnvelope`] writes and reads states as versioned JSON or bytes,
//!   validated when read.
//! * [`Model::observe_weighted`] folds a journey with a weight (finite,
//!   non-negative) multiplying its conversions, non-conversions and value.
//!
//! # Channel tables
//!
//! A state indexes channels by its own table, [`Merge::channels`]. While
//! observing, the state follows the table the journeys' ids refer to: a
//! reader's table only grows (append-only), so when it is longer than the
//! state's the new names are appended (one length comparison per journey).
//! A state must therefore be observed against one (growing) table; the
//! name at the last index the state knows is checked whenever names are
//! appended ([`ModelError::ChannelMismatch`]). Merging builds a map from the
//! other state's channel indices to this state's by name, appending the
//! names this state lacks in the other's order; so merging the states of
//! day files in chronological order gives exactly the channel order of one
//! pass over the concatenated files. [`ChannelCredit::channel`] is the index
//! in the finished state's table.
//!
//! [`ChannelCredit::channel`]: crate::ChannelCredit::channel
//!
//! # Example
//!
//! Two files whose channels appear in different orders, read with their own
//! tables, merge into the state of one pass:
//!
//! ```
//! use attribution::io::{ReaderBuilder, Shape};
//! use attribution::model::heuristic::Linear;
//! use attribution::{Merge, Model};
//!
//! let model = Linear::per_touch();
//! let state_of = |csv: &str| -> Result<_, Box<dyn std::error::Error>> {
//!     let mut reader = ReaderBuilder::new(Shape::Paths).from_reader(csv.as_bytes())?;
//!     let mut state = model.new_state();
//!     while let Some(journey) = reader.next() {
//!         model.observe(&mut state, &journey?, reader.channels())?;
//!     }
//!     Ok(state)
//! };
//! let header = "path,total_conversions,total_null\n";
//! let mut monday = state_of(&format!("{header}PPC > Email,1,0\n"))?;
//! let tuesday = state_of(&format!("{header}Email > Direct,2,1\nPPC,1,0\n"))?;
//! monday.merge(&tuesday)?;
//! let result = model.finish(&monday)?;
//! let names: Vec<&str> = result.channels().iter().map(|c| c.name.as_str()).collect();
//! assert_eq!(names, ["PPC", "Email", "Direct"]);
//! assert_eq!(result.get("Email").map(|c| c.conversions), Some(1.5));
//! assert_eq!(result.get("PPC").map(|c| c.conversions), Some(1.5));
//!
//! // States of different specs do not merge.
//! let other = Linear::per_channel().new_state();
//! assert!(monday.merge(&other).is_err());
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

pub mod dda;
mod dynamic;
pub mod heuristic;
pub mod leave_one_out;
pub mod markov;
pub mod markov_shapley;
pub mod ordered;
mod registry;
pub mod shao_li;
pub mod shapley;
pub(crate) mod spec;
mod state_bundle;
pub(crate) mod state_file;
mod table;
pub mod transform;

pub use dynamic::{DynFitted, DynModel, DynState};
pub use registry::{ModelAndState, ModelFactory, Registry};
pub use spec::{ModelSpec, ParamDoc};
pub use state_bundle::{BUNDLE_FORMAT, BUNDLE_MAGIC, BUNDLE_VERSION, StateBundle};
pub use state_file::{
    STATE_FORMAT, STATE_MAGIC, STATE_VERSION, StateEnvelope, StateError, peek_spec,
};

use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::attribution::{Attribution, JourneyCredit};
use crate::channel::Channels;
use crate::error::ModelError;
use crate::journey::{Journey, JourneySet};

/// A mergeable partial result that knows what it is: its model's spec and
/// the channel names its data refer to.
pub trait Merge {
    /// The canonical spec of the model that made the state.
    fn spec(&self) -> &ModelSpec;

    /// The channel names the state's data refer to, in index order.
    fn channels(&self) -> &Channels;

    /// Follows `channels`, a table extending the state's (the same names at
    /// the state's indices, possibly more after them): appends the names
    /// the state lacks. [`Model::observe`] does this for every journey;
    /// call it to list channels that no observed journey named, e.g. those
    /// a reader interned for rows it rejected.
    ///
    /// # Errors
    ///
    /// [`ModelError::ChannelMismatch`] when the name at the state's last
    /// index differs (the table is not the one the state follows).
    fn extend_channels(&mut self, channels: &Channels) -> Result<(), ModelError>;

    /// Adds `other` into `self`, remapping `other`'s channels by name.
    ///
    /// # Errors
    ///
    /// [`ModelError::IncompatibleStates`] when the specs differ (any
    /// parameter), or when the states are otherwise inconsistent. On error
    /// `self` is unchanged.
    fn merge(&mut self, other: &Self) -> Result<(), ModelError>;
}

/// An attribution model: `observe` journeys into a state, `merge` states,
/// `finish` once.
pub trait Model: Send + Sync {
    /// The mergeable state of this model.
    type State: Clone + Merge + Serialize + DeserializeOwned + Send + Sync + 'static;

    /// What [`Model::fit`] returns: the attribution and what the model
    /// learnt on the way ([`HeuristicFit`](heuristic::HeuristicFit),
    /// [`MarkovFit`](markov::MarkovFit)).
    type Fitted: Fitted;

    /// The model's name as the command line spells it (e.g. `"last-touch"`).
    fn name(&self) -> &'static str;

    /// The canonical spec: the name and every parameter with its value, in
    /// the model's documented key order. Two models of one type are equal
    /// exactly when their specs are.
    fn spec(&self) -> ModelSpec;

    /// The model's parameters as `(name, value)` pairs, for reports.
    fn parameters(&self) -> Vec<(String, String)> {
        self.spec().params
    }

    /// An empty state configured for this model (it carries the spec).
    fn new_state(&self) -> Self::State;

    /// Folds one journey into `state`. `channels` is the table the journey's
    /// ids refer to; the state follows it (see the [module docs](self)).
    ///
    /// # Errors
    ///
    /// When the journey lacks data the model needs (e.g. timestamps), refers
    /// to a channel outside `channels`, or `channels` is not the table the
    /// state follows.
    fn observe(
        &self,
        state: &mut Self::State,
        journey: &Journey,
        channels: &Channels,
    ) -> Result<(), ModelError>;

    /// [`Model::observe`] of a journey whose conversions, non-conversions
    /// and value are multiplied by `weight` (e.g. an inverse sampling
    /// probability). `observe_weighted(j, 1.0)` gives the same state as
    /// `observe(j)`, weight 2 the same as observing twice (to rounding),
    /// weight 0 the same as not observing (the state still follows
    /// `channels`). Whole-number weights keep integer counts exact;
    /// fractional ones switch them to `f64` sums.
    ///
    /// # Errors
    ///
    /// [`ModelError::InvalidParameter`] (`weight`) unless `weight` is
    /// finite and non-negative; otherwise as [`Model::observe`].
    fn observe_weighted(
        &self,
        state: &mut Self::State,
        journey: &Journey,
        channels: &Channels,
        weight: f64,
    ) -> Result<(), ModelError>;

    /// Fits the model to a state: the attribution and what the model learnt
    /// (for Markov, the chain, its removal effects and absorption
    /// probabilities).
    ///
    /// # Errors
    ///
    /// [`ModelError::WrongState`] for a state of another spec; when a
    /// numerical method fails or a total overflows.
    fn fit(&self, state: &Self::State) -> Result<Self::Fitted, ModelError>;

    /// Turns a state into the attribution: [`Model::fit`]'s attribution
    /// (a model may compute it more cheaply).
    ///
    /// # Errors
    ///
    /// As [`Model::fit`].
    fn finish(&self, state: &Self::State) -> Result<Attribution, ModelError> {
        Ok(self.fit(state)?.into_attribution())
    }

    /// How one journey's conversions and value are shared among its
    /// distinct channels (ids of `channels`, in order of first touch), so
    /// that credit can be joined back to leads; `journey` (the position) of
    /// the result is 0, for the caller to set.
    ///
    /// Non-converting journeys give no credit: `Ok(None)`. `fitted` is
    /// `None` in a first streaming pass; a model whose per-journey credit
    /// depends on the fit (Markov: the journey's conversions shared among
    /// its distinct channels in proportion to their removal effects)
    /// returns `Ok(None)` without it. Heuristics ignore `fitted`.
    ///
    /// # Errors
    ///
    /// When the journey lacks data the model needs (time decay:
    /// timestamps) or names a channel outside `channels`.
    fn journey_credit(
        &self,
        journey: &Journey,
        channels: &Channels,
        fitted: Option<&Self::Fitted>,
    ) -> Result<Option<JourneyCredit>, ModelError>;

    /// Whether the model needs touch timestamps on converting journeys
    /// (time decay does; a caller running every model can skip it on
    /// untimed input).
    fn requires_timestamps(&self) -> bool {
        false
    }

    /// Whether the model accepts journeys carrying frequency tokens (the
    /// `frequency` path transform, [`transform`]). The Markov models do not
    /// (their states are built from channels): they refuse such journeys
    /// with [`ModelError::TokensUnsupported`], and [`Registry::build`]
    /// refuses to put them behind a list that makes tokens.
    fn supports_tokens(&self) -> bool {
        true
    }

    /// Observes every journey of `journeys` and finishes: the one-call form.
    ///
    /// # Errors
    ///
    /// As [`Model::observe`] (with the journey's position filled in) and
    /// [`Model::finish`].
    fn attribute(&self, journeys: &JourneySet) -> Result<Attribution, ModelError> {
        let mut state = self.new_state();
        state.extend_channels(journeys.channels())?;
        for (i, journey) in journeys.iter().enumerate() {
            self.observe(&mut state, journey, journeys.channels())
                .map_err(|e| e.at_journey(i))?;
        }
        self.finish(&state)
    }
}

/// A fitted model: its attribution and whatever else the model learnt
/// (see [`Model::fit`]).
pub trait Fitted: Send + Sync + 'static {
    /// The attribution.
    fn attribution(&self) -> &Attribution;

    /// The attribution, by value.
    fn into_attribution(self) -> Attribution
    where
        Self: Sized;
}

/// [`ModelError::InvalidParameter`] unless `weight` is finite and `>= 0`.
pub(crate) fn check_weight(weight: f64) -> Result<(), ModelError> {
    if weight.is_finite() && weight >= 0.0 {
        Ok(())
    } else {
        Err(ModelError::InvalidParameter {
            name: "weight",
            value: weight.to_string(),
            reason: "a journey weight must be a finite, non-negative number",
        })
    }
}

/// Whether `weight` is a whole number that integer counts can be
/// multiplied by exactly (at most 2^53).
pub(crate) fn whole_weight(weight: f64) -> Option<u64> {
    (weight.fract() == 0.0
        && weight >= 0.0
        && weight <= crate::numeric::count_to_f64(crate::numeric::MAX_EXACT_COUNT))
    .then(|| {
        #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
        let w = weight as u64;
        w
    })
}

/// [`ModelError::UnknownChannel`] for the first touch of `journey` whose
/// channel is outside `channels` (the check of every `observe` and
/// `journey_credit`).
pub(crate) fn check_channels(journey: &Journey, channels: &Channels) -> Result<(), ModelError> {
    match journey.channels().find(|&c| !channels.contains(c)) {
        Some(channel) => Err(ModelError::UnknownChannel {
            id: channel.get(),
            len: channels.len(),
        }),
        None => Ok(()),
    }
}

/// [`ModelError::TokensUnsupported`] for a journey carrying frequency
/// tokens, for the models whose states are built from channels
/// ([`Model::supports_tokens`] false).
pub(crate) fn check_untagged(model: &str, journey: &Journey) -> Result<(), ModelError> {
    if journey.tags().is_some() {
        Err(ModelError::TokensUnsupported {
            model: model.to_owned(),
        })
    } else {
        Ok(())
    }
}

/// [`ModelError::IncompatibleStates`] unless two states to merge were made
/// by models of the same spec (the first check of every [`Merge::merge`]).
pub(crate) fn check_compatible(left: &ModelSpec, right: &ModelSpec) -> Result<(), ModelError> {
    if left == right {
        Ok(())
    } else {
        Err(ModelError::IncompatibleStates {
            left: left.to_string(),
            right: right.to_string(),
        })
    }
}

/// Checks that `state` was made by a model of spec `model`.
pub(crate) fn check_spec(model: &ModelSpec, state: &ModelSpec) -> Result<(), ModelError> {
    if model == state {
        Ok(())
    } else {
        Err(ModelError::WrongState {
            model: model.to_string(),
            state: Some(state.to_string()),
        })
    }
}
