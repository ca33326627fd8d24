//! Ground truth: a conversion law with known channel effects
//! ([`TruthModel`]), the exact credit each channel caused under it, and
//! scores of every model's credit against that truth.
//!
//! The models answer different questions (last touch: who closed; Markov
//! removal effects: how much conversion flow passes through a channel; a
//! presence model with Shapley credit: how much a channel's presence lifts
//! the chance to convert). On real data nobody knows how many conversions
//! each channel caused. Under a written-down law it is known, so a model can
//! be scored against it. The answer is only as good as the truth model: the
//! family offers presence, recency and synergy truths so that no model wins
//! by construction.

mod credit;
mod effects_file;
mod model;
mod path_game;
mod paths;
mod score;
mod true_credit;
mod truth_file;

pub use self::credit::{path_credit, true_credit};
pub use self::model::{BoundTruth, TruthModel, sigmoid};
pub use self::path_game::MAX_PATH_CHANNELS;
pub use self::paths::TruthPaths;
pub use self::true_credit::TrueCredit;
