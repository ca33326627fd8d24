//! Simulated journeys with a known truth (feature `simulate`, on by
//! default): the data behind `attribution simulate`, the synthetic fixtures
//! and the benchmarks, from one generator.
//!
//! A simulation draws channel effects, journeys' paths from a touch law, and
//! each journey's conversion from a [`TruthModel`](crate::truth::TruthModel)
//! (a logistic law with those effects), so the credit each channel caused is
//! known and models can be scored against it.
//!
//! * [`simulate`] is the per-journey mode: N independent journeys merged
//!   into distinct rows ([`Simulated`]), with the touch law of the fixture
//!   recipe ([`TouchLaw::recipe`], channels `ch00`..) or one fitted to an
//!   input ([`LawCounts`] → [`FittedLaw`]), whose conversion rate it then
//!   matches by solving the intercept ([`solve_intercept`]).
//! * [`PathsConfig`] is the distinct-rows mode of the shared synthetic
//!   fixture and the benchmarks (the `gen_paths` example): distinct paths,
//!   each row with its own journey count. It shares the recipe's path draw,
//!   the effects draw, the conversion law, the value draw and the CSV writer
//!   with [`simulate`].
//!
//! **Determinism.** Every draw comes from one ChaCha8 stream
//! (`rand_chacha`, seeded with `seed_from_u64`), whose output is specified
//! and portable, in a documented order, and generation is sequential: the
//! same configuration gives the same rows and bytes on every run of the same
//! build, whatever the thread count. (The distributions of `rand_distr` 0.5
//! use the platform's `exp`/`ln`, so another platform could in principle
//! round a draw differently; the statistics do not change.)
//!
//! # Example
//!
//! Fit the touch law of an input and simulate data shaped like it:
//!
//! ```
//! use attribution::io::{ReaderBuilder, Shape};
//! use attribution::simulate::{simulate, LawCounts, SimulationConfig, TouchLaw};
//!
//! let csv = "path,total_conversions,total_null\n\
//!            PPC > Email,3,7\nEmail,1,9\nPPC > PPC > LinkedIn,2,3\n";
//! let mut reader = ReaderBuilder::new(Shape::Paths).from_reader(csv.as_bytes())?;
//! let mut counts = LawCounts::new();
//! while let Some(journey) = reader.next() {
//!     counts.observe(&journey?, reader.channels())?;
//! }
//! let law = counts.finish()?;
//! assert_eq!(law.journeys(), 25);
//! let config = SimulationConfig { journeys: law.journeys(), ..SimulationConfig::default() };
//! let simulated = simulate(&config, &TouchLaw::Fitted(law))?;
//! assert_eq!(simulated.total_journeys(), 25);
//! // The solved intercept gives the input's conversion rate 6/25 in expectation.
//! let bound = simulated.effects.bind(&simulated.channels)?;
//! let expected: f64 = simulated
//!     .rows
//!     .iter()
//!     .map(|r| (r.conversions + r.nulls) as f64 * bound.probability(&r.path))
//!     .sum();
//! assert!((expected / 25.0 - 0.24).abs() < 1e-12);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

mod config;
mod csv;
mod distinct;
mod draws;
mod fit;
mod intercept;
mod law;
mod names;
mod run;

pub use self::config::SimulationConfig;
pub use self::distinct::{PathsConfig, PathsSummary};
pub use self::fit::{FittedLaw, LawCounts};
pub use self::intercept::{Intercept, solve_intercept};
pub use self::law::{RecipeLaw, TouchLaw};
pub use self::names::channel_names;
pub use self::run::{RECIPE_INTERCEPT, Simulated, SimulatedRow, VALUE_MU, VALUE_SIGMA, simulate};
