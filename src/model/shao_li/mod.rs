//! [`ShaoLi`]: the probabilistic attribution model of Shao & Li (2011), as
//! the `mta` package computes it.
//!
//! # Definition
//!
//! Over **all** journeys (converting or not; a path row with `c`
//! conversions and `n` non-conversions counts as `c + n` journeys of which
//! `c` convert):
//!
//! * `P(a)`: the conversion rate of the journeys containing channel `a`;
//! * `P(a, b)`: the conversion rate of the journeys containing both `a`
//!   and `b`.
//!
//! In a converting journey j with distinct channel set `S`, conversions
//! `c_j` and value `v_j`, the contribution of `a ∈ S` is
//!
//! ```text
//! contrib_j(a) = P(a) + Σ_{b ∈ S∖a} (P(a, b) − P(a) − P(b)) / (2(|S| − 1)),   or P(a) when |S| = 1.
//! ```
//!
//! * `normalise=global` (the default, `mta`'s): channel `a` gets
//!   `Σ_j c_j·contrib_j(a)`, rescaled once so that the credits sum to the
//!   total conversions; its value is `Σ_j v_j·contrib_j(a)`, rescaled to
//!   the total value.
//! * `normalise=journey`: each converting journey's contributions are
//!   normalised to sum to its conversions `c_j` (and to its value `v_j`),
//!   so every journey's credit sums to its own conversions.
//!
//! The contributions of one journey sum to `Σ_{pairs {a,b} ⊆ S} P(a, b) /
//! (|S| − 1)` (or `P(a)`), which is positive: every pair of a converting
//! journey's channels converts at least once. So both normalisations are
//! defined whenever something converts; single contributions can be
//! negative (a channel with a low rate next to channels with high ones),
//! and so can a channel's credit. When weights near the smallest `f64`
//! make a sum underflow to 0, `finish` returns
//! [`ModelError::DegenerateNormalisation`](crate::ModelError::DegenerateNormalisation).
//! Without conversions every credit is 0.
//!
//! **Peer:** `mta` 0.0.9, `MTA.shao()` (global normalisation of the
//! conversions; `mta` reports shares and no value). Its sets, rates and
//! contributions are the ones above: `set(row.path)` for the distinct
//! channels, `total_conversions / (total_conversions + total_null)` over
//! every row containing the channel (pair), and the `2·(|S| − 1)` divisor.
//!
//! # When to use it
//!
//! A cheap, order-free estimate of each channel's incremental effect from
//! co-occurrence: Shao & Li present it as an approximation of a Shapley
//! value of the conversion-rate game restricted to first- and second-order
//! terms. It ignores the order of touches and anything beyond pairs.
//!
//! # Complexity
//!
//! Observing a journey with `k` distinct channels (L touches) is
//! O(L log L + k²) (k(k−1)/2 pair updates). `finish` is O(Σ_S |S|²) over the
//! distinct converting sets S. Memory: O(channels + co-occurring pairs +
//! Σ_S |S|), see [`ShaoLiState`].
//!
//! # Example
//!
//! The tiny journeys of the fixtures (`tests/data/tiny` in the repository):
//! P(LinkedIn) = 4/5, P(Email) = 2/4, P(Email, LinkedIn) = 2/3, …
//!
//! ```
//! use attribution::model::shao_li::ShaoLi;
//! use attribution::{Channels, Journey, JourneySet, Model};
//!
//! let mut set = JourneySet::new(Channels::new());
//! for (path, converted, value) in [
//!     ("PPC > LandingPage > Email > LinkedIn", 1, 120.0),
//!     ("PPC > LandingPage", 0, 0.0),
//!     ("LinkedIn", 1, 80.0),
//!     ("Email > Email > LinkedIn", 1, 60.0),
//!     ("PPC > LandingPage > Email", 0, 0.0),
//!     ("LinkedIn > PPC", 1, 100.0),
//!     ("PPC", 0, 0.0),
//!     ("Email > LinkedIn", 0, 0.0),
//! ] {
//!     let ids = path.split('>').map(|name| set.channels_mut().intern(name)).collect::<Result<Vec<_>, _>>()?;
//!     set.push(Journey::from_channels(&ids, converted, 1 - converted, value)?)?;
//! }
//! let close = |a: f64, b: f64| (a - b).abs() <= 1e-12 * b.abs().max(1.0);
//!
//! let result = ShaoLi::global().attribute(&set)?;
//! let linkedin = result.get("LinkedIn").ok_or("no LinkedIn")?;
//! assert!(close(linkedin.conversions, 2.7602339181286553));
//! assert!(close(linkedin.value, 237.03296703296704));
//! let total: f64 = result.channels().iter().map(|c| c.conversions).sum();
//! assert!(close(total, 4.0));
//!
//! // Per journey: J3 (LinkedIn alone) gives LinkedIn its whole conversion.
//! let journey = ShaoLi::per_journey().attribute(&set)?;
//! let total: f64 = journey.channels().iter().map(|c| c.value).sum();
//! assert!(close(total, 360.0));
//!
//! // Nothing converts: every credit is 0.
//! let mut idle = JourneySet::new(Channels::new());
//! let ppc = idle.channels_mut().intern("PPC")?;
//! idle.push(Journey::from_channels(&[ppc], 0, 3, 0.0)?)?;
//! let none = ShaoLi::global().attribute(&idle)?;
//! assert_eq!(none.get("PPC").map(|c| (c.conversions, c.value)), Some((0.0, 0.0)));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

mod fit;
mod model;
mod state;

pub use fit::ShaoLiFit;
pub(crate) use model::ShaoLiFactory;
pub use model::{ShaoLi, ShaoLiNormalise};
pub use state::{InvalidShaoLiState, ShaoLiState};
