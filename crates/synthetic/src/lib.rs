//! # attribution-synthetic
//!
//! Seeded synthetic data for the tests and benchmarks of `attribution`. It writes
//! plain CSV text to any [`std::io::Write`], so it depends on nothing of the core
//! crate.
//!
//! * [`PathsConfig`] writes the aggregated *paths* shape
//!   (`path,total_conversions,total_null,total_conversion_value`), one distinct path a
//!   row, following the recipe of the shared fixture `synthetic/paths_100000_12.csv`.
//! * [`EventsConfig`] writes the raw *events* shape
//!   (`user_id,timestamp,channel,conversion,value`) with sessions, returning users,
//!   `Direct` visits and users who convert twice.
//!
//! The output depends only on the configuration (including the seed): the generator is
//! ChaCha8 from `rand_chacha`, whose stream is specified and portable, and the
//! distributions come from `rand_distr` 0.5. The same configuration gives the same
//! bytes on every run of the same build. (Float functions such as `exp`/`ln` come from
//! the platform's math library, so a different platform could in principle round a
//! draw differently; the statistics do not change.)
//!
//! ```
//! use attribution_synthetic::PathsConfig;
//!
//! let mut csv = Vec::new();
//! let summary = PathsConfig::new(100, 5, 7).write_to(&mut csv).unwrap();
//! assert_eq!(summary.rows, 100);
//! let text = String::from_utf8(csv).unwrap();
//! assert!(text.starts_with("path,total_conversions,total_null,total_conversion_value\n"));
//! assert_eq!(text.lines().count(), 101);
//! ```

mod error;
mod events;
mod names;
mod paths;
mod time;

pub use crate::error::SyntheticError;
pub use crate::events::{EventOrder, EventsConfig, EventsSummary};
pub use crate::names::channel_names;
pub use crate::paths::{PathsConfig, PathsSummary};
pub use crate::time::write_rfc3339_utc;
