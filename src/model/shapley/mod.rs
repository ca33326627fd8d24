//! Shapley-value attribution on channel sets, and participation credit.
//!
//! The Python packages do not agree on what "Shapley attribution" means:
//! each computes the Shapley value of a different cooperative game over the
//! channels. This module offers each game as a named, exact model, all on
//! one mergeable state, the [`SetTable`] (counts per distinct channel set).
//!
//! # Notation
//!
//! For a journey j: S_j the set of its distinct channels, c_j its
//! conversions, n_j its non-conversions, v_j its value. For a channel set
//! S: R(S) = Σ_{j: S_j = S} c_j, N(S) = Σ_{j: S_j = S} (c_j + n_j),
//! V(S) = Σ_{j: S_j = S, c_j > 0} v_j. The Shapley weight of a coalition of
//! s players in a game of n players is w(s, n) = s!·(n−s−1)!/n!.
//!
//! # The models
//!
//! | model | CLI name | game | peer it matches | credits |
//! |---|---|---|---|---|
//! | [`Shapley`] | `shapley` | cumulative: v(T) = Σ_{S⊆T} R(S) | `mta` `shapley`, `shapley-attribution` Simplified | φ_i = Σ_{S∋i} R(S)/\|S\| (= linear per distinct channel) |
//! | [`ShapleyRate`] | `shapley-rate` | per converting set C: v_C(T) = R(T)/N(T) on observed T ⊆ C | `marketing-attribution-models` `attribution_shapley` (`conv_rate`) | may be negative |
//! | [`ShapleyExactSet`] | `shapley-exact-set` | global: v(T) = R(T) | `do-attribution` | shares φ/Σφ; an error when Σφ ≈ 0 (usual) |
//! | [`Participation`] | `participation` | none: each touched channel gets the whole journey | analytics tools' "assisted conversions" | overlapping: sums exceed the total |
//!
//! Every game here is a sum of *point masses* (a value on single
//! coalitions) or of unanimity games, so its Shapley value has a closed
//! form computed exactly, in time linear in the size of the observed sets
//! (never by enumerating the 2^n coalitions, never by sampling):
//!
//! φ_i = Σ_{S∋i} v(S)·[w(|S|−1, n) + w(|S|, n)] − Σ_S v(S)·w(|S|, n).
//!
//! A journey of 25 distinct channels costs 25 steps, not 2^25.
//!
//! # Which one?
//!
//! * Non-negative credits that sum to the conversions, with a game-theory
//!   name: [`Shapley`] (and know that it is linear per distinct channel).
//! * How *combinations* convert, relative to their sub-combinations, with
//!   the non-converting journeys counted: [`ShapleyRate`] (credits may be
//!   negative).
//! * Reproducing `do-attribution`: [`ShapleyExactSet`], which is defined
//!   only when some journey touched every channel.
//! * "In how many conversions did the channel take part?": [`Participation`]
//!   (not an attribution: the credits overlap).
//!
//! # Per-journey credit
//!
//! `shapley` shares a journey equally among its distinct channels and
//! `participation` gives each the whole journey. `shapley-rate` and
//! `shapley-exact-set` are games over the observed *sets*: a set's credit
//! depends on the other sets observed, not on a journey, so they refuse
//! with [`ModelError::NoJourneyCredit`](crate::ModelError::NoJourneyCredit)
//! (a journey's share of its set's credit would be an arbitrary choice).
//!
//! # Floating point
//!
//! Weights are computed by products, not factorials (w(0, n) = 1/n,
//! w(s, n) = w(s−1, n)·s/(n−s), mirrored at the middle), so any number of
//! channels works: for 1000 channels they agree with a log-gamma
//! computation to 1e−10 relatively (the log-gamma route being the less
//! accurate one). Sums are compensated and run over the sets in sorted
//! order in fixed chunks, so a state gives the same result whatever the
//! number of threads, and merged states give one pass's result up to
//! rounding (channel ids, hence the order of the sets, may differ). Tests
//! compare against a brute-force enumeration of all 2^n coalitions to
//! 1e−10.

mod cumulative;
mod exact_set;
mod fit;
pub(crate) mod game;
mod participation;
mod rate;
pub(crate) mod set_table;
mod subsets;

pub use cumulative::Shapley;
pub use exact_set::ShapleyExactSet;
pub use fit::SetGameFit;
pub(crate) use fit::first_touch_order;
pub(crate) use game::weights as game_weights;
pub use participation::Participation;
pub use rate::{Keep, RateValue, ShapleyRate};
pub use set_table::{InvalidSetTable, SetCounts, SetTable};

/// The factories of the registry.
pub(crate) mod factories {
    pub(crate) use super::cumulative::ShapleyFactory;
    pub(crate) use super::exact_set::ShapleyExactSetFactory;
    pub(crate) use super::participation::ParticipationFactory;
    pub(crate) use super::rate::ShapleyRateFactory;
}
