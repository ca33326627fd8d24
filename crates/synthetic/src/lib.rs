//! # attribution-synthetic
//!
//! Seeded synthetic data for the tests and benchmarks of `attribution`. It writes
//! plain CSV text to any [`std::io::Write`], so it depends on nothing of the core
//! crate.
//!
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
//! The aggregated *paths* generator of the fixture recipe moved into the core crate, as
//! the distinct-rows mode of its simulator (`attribution::simulate::PathsConfig`, feature
//! `simulate`), so that `attribution simulate`, the fixtures and the benchmarks share one
//! generator. This crate keeps the events generator and its own copy of
//! [`channel_names`] (it depends on nothing of the core crate).
//!
//! ```
//! use attribution_synthetic::{EventsConfig, channel_names};
//!
//! assert_eq!(channel_names(2), ["ch00", "ch01"]);
//! let mut csv = Vec::new();
//! EventsConfig::new(5, 20, 4, 7).write_to(&mut csv).unwrap();
//! let text = String::from_utf8(csv).unwrap();
//! assert!(text.starts_with("user_id,timestamp,channel,conversion,value\n"));
//! ```

mod error;
mod events;
mod names;
mod time;

pub use crate::error::SyntheticError;
pub use crate::events::{EventOrder, EventsConfig, EventsSummary};
pub use crate::names::channel_names;
pub use crate::time::write_rfc3339_utc;
