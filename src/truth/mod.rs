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
//!
//! # Overview
//!
//! * [`TruthModel`]: the conversion law, p(P) = σ(z(P)) with an intercept,
//!   one effect per channel, optional pair effects, a capped length effect
//!   and an optional recency half-life. [`TruthModel::read`] and
//!   [`TruthModel::write`] carry it as an effects file (`term,value`).
//! * [`TruthPaths`]: an input's journeys grouped by identical channel
//!   sequence, filled journey by journey and merged across threads or
//!   files by channel name.
//! * [`true_credit`]: the exact true credit of every channel, the Shapley
//!   value of each path's conversion probability over its distinct channels
//!   (all 2^k coalitions, k ≤ [`MAX_PATH_CHANNELS`]), weighted by the
//!   path's journeys, plus the `(baseline)` Σ N·σ(b0). [`path_credit`] gives
//!   one path's values.
//! * [`TrueCredit`]: the result; [`TrueCredit::write`] and
//!   [`TrueCredit::read`] carry it as a truth file
//!   (`channel,true_conversions`).
//!
//! # Floating point
//!
//! Each path's coalition values are computed exactly as
//! [`BoundTruth::probability`] computes p of the restricted path, each φ is
//! a compensated sum of weighted differences, and the per-path credits are
//! added, with compensated sums, in the order of the paths' name sequences.
//! The result is therefore the same bits for any thread count and any split
//! into merged [`TruthPaths`]; it lands within about 1e-14 of the exact
//! value on the tiny journeys.
//!
//! # Example
//!
//! The tiny journeys under the tiny effects: LinkedIn caused 0.96 expected
//! conversions, Email destroyed 0.22, and the 8 journeys would convert
//! 1.46 times with no tracked touch at all.
//!
//! ```
//! use attribution::truth::{TruthModel, TruthPaths, true_credit};
//! use attribution::{ReaderBuilder, Shape};
//!
//! let effects = "term,value\n(intercept),-1.5\n(length),0.25\n(length-cap),2\n\
//!                (recency-half-life),2\nPPC,0.2\nLandingPage,0.1\nEmail,-0.6\n\
//!                LinkedIn,0.9\nPPC * LandingPage,0.5\n";
//! let model = TruthModel::read(effects.as_bytes())?;
//!
//! let csv = "path,total_conversions,total_conversion_value,total_null
//! PPC > LandingPage > Email > LinkedIn,1,120,0
//! PPC > LandingPage,0,0,1
//! LinkedIn,1,80,0
//! Email > Email > LinkedIn,1,60,0
//! PPC > LandingPage > Email,0,0,1
//! LinkedIn > PPC,1,100,0
//! PPC,0,0,1
//! Email > LinkedIn,0,0,1
//! ";
//! let mut reader = ReaderBuilder::new(Shape::Paths).from_reader(csv.as_bytes())?;
//! let mut paths = TruthPaths::new();
//! while let Some(journey) = reader.next() {
//!     paths.observe(&journey?, reader.channels())?;
//! }
//! let truth = true_credit(&model, &paths, reader.channels())?;
//!
//! let close = |a: f64, e: f64| (a - e).abs() <= 1e-9 * e.abs().max(1.0);
//! assert!(close(truth.get("PPC").unwrap(), 0.37292390470097636));
//! assert!(close(truth.get("LandingPage").unwrap(), 0.26065216221227894));
//! assert!(close(truth.get("Email").unwrap(), -0.2206755004621552));
//! assert!(close(truth.get("LinkedIn").unwrap(), 0.9643540434575578));
//! assert!(close(truth.baseline().unwrap(), 1.4594041904508508));
//! // Efficiency: the rows and the baseline add up to Σ p(P), the expected
//! // conversions (4 were observed).
//! assert!(close(truth.expected_conversions().unwrap(), 2.8366588003595088));
//!
//! let mut out = Vec::new();
//! truth.write(&mut out)?;
//! assert!(String::from_utf8(out)?.starts_with("channel,true_conversions\nPPC,0.3729239047009"));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

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
pub use self::score::{
    Metric, ModelSummary, Score, Summary, rank_scores, score, score_attribution, summarise,
    summarise_replicates, tie_ranks, verdict,
};
pub use self::true_credit::TrueCredit;
