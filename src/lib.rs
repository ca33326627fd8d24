//! # attribution
//!
//! Multi-channel marketing attribution: which channels turned leads into
//! customers? A lead sees a PPC ad, lands on the landing page and leaves an
//! e-mail address, gets a newsletter with the catalogue, sees a LinkedIn
//! retargeting ad a week later and pays three days after that. This crate
//! models each customer journey as a sequence of touchpoints and shares every
//! conversion, and its value, among the channels — with the classic heuristic
//! models and with Markov-chain removal effects computed **exactly** (never by
//! simulation), on millions of journeys, deterministically.
//!
//! ## Module map
//!
//! Imports point down the layers: data types ← [`io`] ← [`assemble`] ←
//! [`model`], never up and never in a cycle (`scripts/module_graph.py`
//! prints the import graph and fails on a cycle or an upward import).
//!
//! | module | holds | may import |
//! |---|---|---|
//! | [`error`] | every error type: reading, timestamps, journeys, channels, models, assembly | nothing of the crate |
//! | [`numeric`] | compensated sums, the exact-count limit | nothing of the crate |
//! | [`channel`] | the channel table and channel ids | `error` |
//! | [`journey`] | touchpoints, journeys, journey sets | `channel`, `error`, `numeric` |
//! | [`attribution`] | what a model returns: credit per channel and per journey | the data types above |
//! | [`io`] | the input layer: one record layer (csv-core tokenizer, BOM, delimiter detection, line numbers), one header resolver, field and timestamp parsers, shared reader options; the `paths`, `journeys` and `events` readers; the journeys writer | the data types |
//! | [`assemble`] | event log → journeys: [`JourneyBuilder`](assemble::JourneyBuilder), its report, `parse_duration` | `io` and the data types |
//! | [`model`] | the models ([`Model`], [`Merge`]): heuristics, Markov chains, the Shapley family, the counterfactual models (`markov-shapley`, `dda`, `leave-one-out`), and the path transforms ([`model::transform`], also at [`transform`]) applied before them | the data types |
//! | [`compare`] | several models' results side by side: shares, ranks, Kendall τ-b, the leader, disagreements | the data types |
//! | [`truth`] | ground truth: the truth model and its effects file, the exact true credit per channel (Shapley value of the conversion probability over each path's channels), the truth file, scores of a model's credit against the truth and their replicate summaries | `compare` and the data types |
//! | [`simulate`](mod@simulate) | simulated journeys with a known truth: the fixture recipe, touch laws fitted to an input, the intercept solve, the paths-shape writer (feature `simulate`) | `truth` and the data types |
//!
//! ## Brief overview
//!
//! * [`Channels`] interns channel names into small [`ChannelId`]s, in order of
//!   first appearance.
//! * [`Journey`] is an ordered list of [`Touchpoint`]s plus its outcome
//!   (conversions, non-conversions, value, conversion time); a [`JourneySet`]
//!   owns the channel table and the journeys.
//! * [`io`] reads the `paths` and `journeys` CSV shapes (streaming, with
//!   line-numbered errors) and [`io::events`] the raw event log, which
//!   [`assemble::JourneyBuilder`] turns into journeys (lookback, inactivity split,
//!   exclusions, …) with a [`assemble::BuildReport`] that accounts for every event.
//! * [`model`] holds the models. Each is a small validated configuration that
//!   implements [`Model`]: `observe` journeys into a mergeable state that
//!   knows its model ([`ModelSpec`]) and its channel names, `merge` states
//!   by channel name (threads, files, nodes of a distributed engine),
//!   `finish` (or `fit`) once. A [`model::Registry`] builds models from
//!   specs such as `markov:order=3` and reads states saved as versioned
//!   JSON or bytes ([`model::StateEnvelope`]).
//! * [`Attribution`] is what every model returns: per-channel conversions and
//!   value in first-appearance order, totals, the model's parameters, and for
//!   Markov models the removal effects with their certified error bounds.
//!
//! ## Which model when
//!
//! | model | credit of a converting journey t₁..t_L | use it when |
//! |---|---|---|
//! | [first touch](model::heuristic::FirstTouch) | all to t₁ | you ask what *opens* journeys |
//! | [last touch](model::heuristic::LastTouch) | all to t_L | you ask what *closes* them (the ad platforms' default) |
//! | [last non-direct](model::heuristic::LastNonDirect) | the last touch not in the direct set | direct visits are navigation, not marketing |
//! | [linear](model::heuristic::Linear) | 1/L per touch (or 1/k per distinct channel) | you want a neutral baseline |
//! | [position-based](model::heuristic::PositionBased) | 40 % first, 40 % last, 20 % over the middle | openers and closers matter most |
//! | [time decay](model::heuristic::TimeDecay) | ∝ 2^(−age/half-life) at conversion | recent touches matter most |
//! | [position decay](model::heuristic::PositionDecay) | ∝ r^(touches before the end) | as time decay, without timestamps |
//! | [Markov order k](model::markov::Markov) | removal effects of the absorbing chain | you want credit learned from converting **and** non-converting journeys |
//! | [Shapley](model::shapley::Shapley) | Shapley value of the cumulative game (= 1/k per distinct channel) | you want "Shapley attribution" with non-negative credits |
//! | [Shapley rate](model::shapley::ShapleyRate) | per converting channel set, Shapley value of the conversion-rate game | combinations and their conversion rates matter (credits may be negative) |
//! | [Shapley exact set](model::shapley::ShapleyExactSet) | Shapley value of the global exact-set game | reproducing `do-attribution` (usually degenerate) |
//! | [participation](model::shapley::Participation) | every touched channel gets the whole journey | counting "assisted" conversions (credits overlap) |
//!
//! Heuristics credit only converting journeys; the Markov model also learns
//! from the journeys that did not convert. The conventions of every model are
//! pinned and documented on its type, including where other libraries differ.
//!
//! ## Example
//!
//! ```
//! use attribution::io::{ReaderBuilder, Shape};
//! use attribution::model::heuristic::Linear;
//! use attribution::Model;
//!
//! let csv = "\
//! path,total_conversions,total_null,total_conversion_value
//! PPC > LandingPage > Email > LinkedIn,1,0,120
//! PPC > LandingPage,0,1,0
//! LinkedIn,1,0,80
//! Email > Email > LinkedIn,1,0,60
//! ";
//! let (journeys, _report) = ReaderBuilder::new(Shape::Paths)
//!     .from_reader(csv.as_bytes())?
//!     .read_all()?;
//! let credit = Linear::per_touch().attribute(&journeys)?;
//! let email = credit.get("Email").unwrap();
//! assert_eq!(email.conversions, 0.25 + 2.0 / 3.0);
//! assert_eq!(email.value, 30.0 + 40.0);
//! assert_eq!(credit.total_conversions(), 3.0);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! ## Floating point
//!
//! Credits are sums of many small shares. Per-channel sums are kept as
//! compensated (Neumaier) sums ([`CompensatedSum`]), so they do not depend on
//! the order of the journeys beyond the last bit or two, and merging partial
//! states agrees with one pass to about 1e-15 relative. The test suite
//! compares every model with exact expected values (rational arithmetic or
//! independent double-precision solutions) at 1e-9 relative; observed errors
//! are around 1e-15. Markov removal effects are solved to a residual that
//! bounds their error well below 1e-10 (see [`model::markov`]).
//!
//! ## Scale-out
//!
//! States carry their channel names, so partial states computed anywhere —
//! files read with their own channel tables, threads, nodes — merge by
//! channel name, and saved states read back anywhere:
//!
//! ```
//! use attribution::io::{ReaderBuilder, Shape};
//! use attribution::model::Registry;
//!
//! let registry = Registry::builtin();
//! let model = registry.parse("markov:order=2")?;
//! let mut saved = Vec::new();
//! for day in [
//!     "path,total_conversions,total_null\nPPC > Email,1,0\nEmail,0,1\n",
//!     "path,total_conversions,total_null\nDisplay > Email,1,1\nPPC,0,1\n",
//! ] {
//!     let mut reader = ReaderBuilder::new(Shape::Paths).from_reader(day.as_bytes())?;
//!     let mut state = model.new_state();
//!     while let Some(journey) = reader.next() {
//!         model.observe(state.as_mut(), &journey?, reader.channels())?;
//!     }
//!     saved.push(model.state_to_bytes(state.as_ref())?);
//! }
//! // Elsewhere: read the states back, merge, finish.
//! let (model, mut total) = registry.read_state(&saved[0])?;
//! let (_, tuesday) = registry.read_state(&saved[1])?;
//! model.merge(total.as_mut(), tuesday.as_ref())?;
//! let result = model.finish(total.as_ref())?;
//! let names: Vec<&str> = result.channels().iter().map(|c| c.name.as_str()).collect();
//! assert_eq!(names, ["PPC", "Email", "Display"]);
//! assert_eq!(result.total_conversions(), 2.0);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! ## Cargo features
//!
//! | feature | default | what it adds |
//! |---|---|---|
//! | `parallel` | on | Markov removals of blocks of channels on all cores ([rayon](https://docs.rs/rayon)); without it they run one after the other, with bit-identical results |
//! | `dot` | on | [`MarkovChain::graph`] and [`MarkovChain::graph_filtered`] ([petgraph](https://docs.rs/petgraph) graphs), [`MarkovChain::to_dot`] and [`MarkovChain::to_dot_filtered`] (Graphviz DOT) |
//! | `simulate` | on | [`simulate`](mod@simulate): seeded simulated journeys from a known truth model (the fixture recipe, or a touch law fitted to an input), written in the paths shape ([rand](https://docs.rs/rand), [rand_chacha](https://docs.rs/rand_chacha), [rand_distr](https://docs.rs/rand_distr)) |
//! | `tz` | off | IANA zone names in [`io::Timezone::parse`] (`"Europe/Berlin"`, with [chrono-tz](https://docs.rs/chrono-tz)); without it only `UTC` and fixed offsets (`+02:00`) |
//!
//! Results never depend on the features: they only add API or threads.
//! `default-features = false` leaves the dependencies the models need
//! (chrono, csv, faer, serde, …); the `attribution` command enables `dot` and
//! `tz`.
//!
//! ## Limitations
//!
//! * A state follows one channel table while it observes (a reader's, which
//!   only grows); states of different tables merge by channel name.
//! * Counts are `u64` (or `f64` when journeys are observed with fractional
//!   weights); values are `f64` and must be finite and non-negative.
//! * Input is CSV; Parquet and a DataFusion adapter are planned.

// The workspace manifest ([workspace.lints]) sets `missing_docs`,
// `unsafe_code` and clippy's pedantic lints for every target. The library
// forbids `unsafe` outright and, outside its unit tests, denies panicking
// shortcuts and truncating casts (Cargo's lints cannot leave tests out).
#![forbid(unsafe_code)]
#![cfg_attr(docsrs, feature(doc_cfg))]
#![cfg_attr(
    not(test),
    deny(
        clippy::unwrap_used,
        clippy::expect_used,
        clippy::panic,
        clippy::cast_possible_truncation,
        clippy::cast_sign_loss,
        clippy::cast_possible_wrap
    )
)]

pub mod assemble;
pub mod attribution;
pub mod channel;
pub mod compare;
pub mod error;
mod invalid;
pub mod io;
pub mod journey;
pub mod model;
pub mod numeric;
mod parallel;
#[cfg(feature = "simulate")]
#[cfg_attr(docsrs, doc(cfg(feature = "simulate")))]
pub mod simulate;
pub mod truth;

// Re-exports (one line per item; keep sorted within each group).
pub use crate::attribution::{
    Attribution, ChannelCredit, CreditInterval, Diagnostics, JourneyCredit,
};
pub use crate::channel::{ChannelId, Channels};
pub use crate::error::{
    ChannelError, CompareError, Error, JourneyError, ModelError, ReadError, ReadErrorKind,
    ReadHint, TruthError,
};
pub use crate::io::{JourneyReader, ReadReport, ReaderBuilder, Shape, write_journeys};
pub use crate::journey::{Journey, JourneySet, Touchpoint};
pub use crate::model::heuristic::{
    FirstTouch, Heuristic, HeuristicState, LastNonDirect, LastTouch, Linear, LinearSplit,
    PositionBased, PositionDecay, TimeDecay, TouchWeights,
};
pub use crate::model::markov::{Markov, MarkovChain, TransitionCounts};
pub use crate::model::transform;
pub use crate::model::{Fitted, Merge, Model, ModelSpec};
pub use crate::numeric::CompensatedSum;

/// The README's library snippet, compiled and run as a doctest so that it
/// stays correct when pasted.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
pub struct ReadmeSnippet;
