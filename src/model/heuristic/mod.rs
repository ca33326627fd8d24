//! Heuristic (rule-based) attribution models (first touch, last touch, last
//! non-direct, linear, position-based, time decay, position decay).
//!
//! Each heuristic shares every converting journey's conversions `c` and value
//! `v` among its touches with weights `w_1..w_L` (non-negative, summing to 1):
//! touch i's channel gets `c·w_i` conversions and `v·w_i` value. The models
//! differ only in the weights ([`TouchWeights`]):
//!
//! | model | CLI name | weights |
//! |---|---|---|
//! | [`FirstTouch`] | `first-touch` | all to the first touch |
//! | [`LastTouch`] | `last-touch` | all to the last touch |
//! | [`LastNonDirect`] | `last-non-direct` | all to the last touch not in the direct set |
//! | [`Linear`] | `linear` | 1/L per touch (or 1/k per distinct channel) |
//! | [`PositionBased`] | `position-based` | 0.4 first, 0.4 last, 0.2 over the middle touches |
//! | [`TimeDecay`] | `time-decay` | ∝ 2^(−Δt/h), Δt to the conversion, h = 7 days |
//! | [`PositionDecay`] | `position-decay` | ∝ r^(steps before the end), r = 0.5 |
//!
//! Only converting journeys (`conversions > 0`) give credit; the value of a
//! journey without conversions is ignored. Every model attributes conversions
//! **and** value, and the credits sum to the totals of the converting journeys.
//!
//! All heuristics share one mergeable state, [`HeuristicState`], and
//! implement [`Model`](crate::Model) (observe / merge / finish) and
//! [`TouchWeights::journey_credits`] (per-journey shares, to join credit back
//! to leads). [`Heuristic`] holds any of them, parsed from its CLI name.
//!
//! # Floating point
//!
//! Per-channel sums are [`CompensatedSum`](crate::CompensatedSum)s, so the
//! results do not depend on the order of journeys beyond a few ulps; tests
//! compare with a relative tolerance of 1e-9 against exact rational fixtures.

mod catalog;
mod first_last;
mod fit;
mod last_non_direct;
mod linear;
mod position_based;
mod position_decay;
mod state;
mod time_decay;
pub(crate) mod weights;

pub use catalog::{Heuristic, UnknownHeuristic};
pub use fit::HeuristicFit;

/// The factories of the registry.
pub(crate) mod factories {
    pub(crate) use super::first_last::{FirstTouchFactory, LastTouchFactory};
    pub(crate) use super::last_non_direct::LastNonDirectFactory;
    pub(crate) use super::linear::LinearFactory;
    pub(crate) use super::position_based::PositionBasedFactory;
    pub(crate) use super::position_decay::PositionDecayFactory;
    pub(crate) use super::time_decay::TimeDecayFactory;
}
pub use first_last::{FirstTouch, LastTouch};
pub use last_non_direct::LastNonDirect;
pub use linear::{Linear, LinearSplit};
pub use position_based::PositionBased;
pub use position_decay::PositionDecay;
pub use state::HeuristicState;
pub use time_decay::TimeDecay;
pub use weights::TouchWeights;
