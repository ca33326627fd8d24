//! Exact Markov-chain attribution of any order (Anderl et al. 2016).
//!
//! # Definition
//!
//! Journeys become walks through an absorbing Markov chain: states are the
//! sliding windows of `k` consecutive touches (see [`TransitionCounts`] for
//! the exact convention), plus `(start)`, `(conversion)` and `(null)`.
//! The **removal effect** of channel `c` is
//!
//! ```text
//! RE_c = 1 − P(conversion | every state containing c redirected to null) / P(conversion)
//!      = P(conversion and a visit to a state containing c) / P(conversion),
//! ```
//!
//! computed **exactly** from the absorbing chain's linear equations, never by
//! simulation. Credit is normalised globally:
//! `conversions_c = Σ conversions · RE_c / Σ_j RE_j`. Value is attributed the
//! same way with the value removal effect `RE^v_c`, in which each absorption
//! into `(conversion)` from state `s` is weighted by the mean value
//! `m_s = Σ v / Σ c` of the conversions whose last state is `s`.
//! [`ChannelCredit::removal_effect`](crate::ChannelCredit::removal_effect)
//! holds the unnormalised `RE_c`.
//!
//! # Conventions (and where peers differ)
//!
//! * Consecutive identical states are merged (ChannelAttribution does the
//!   same); keeping them as self-loops ([`Markov::keep_self_loops`]) never
//!   changes an uncapped result, because a self-loop only delays the next
//!   transition: absorption probabilities solve
//!   `(out_s − n_ss) x_s = b_s + Σ_{t≠s} n_st x_t` either way.
//! * A path shorter than `k` is one state of its own length.
//! * No step cap by default. ChannelAttribution simulates walks cut at the
//!   longest observed path and reports the removal effects of ~10 000 simulated
//!   journeys; [`Markov::max_steps`] reproduces a step cap exactly.
//! * Value of a path without conversions is ignored (it cannot be attributed).
//!
//! # Degenerate data
//!
//! * Empty input or no conversions: every credit and removal effect is 0.
//! * No non-conversions: P(conversion) = 1, so `RE_c` = P(visit c).
//! * One channel: it gets every conversion and all value (`RE = 1`).
//! * A channel seen only in journeys that never reach a conversion: its
//!   states cannot reach `(conversion)`, `RE = 0`.
//! * States that cannot reach conversion have absorption probability 0 and
//!   are dropped from the linear systems.
//! * A chain whose only way to conversion passes through every channel:
//!   every `RE_c = 1`, and credit is split equally.
//!
//! # Accuracy
//!
//! See [`RemovalEffects::error_bounds`]: every removal effect is certified
//! by an a-posteriori bound (flow conservation of the fitted chain makes the
//! expected visit counts known exactly, so the count-form residual bounds the
//! error without spectral estimates) to `|RE − RE*| ≤ 1e-10·RE + 1e-12`;
//! the computation fails with [`ModelError::NoConvergence`] otherwise.
//!
//! # Example
//!
//! The tiny fixture journeys at order 1:
//!
//! ```
//! use attribution::{Channels, Journey, JourneySet, Model};
//! use attribution::model::markov::Markov;
//!
//! let mut set = JourneySet::new(Channels::new());
//! let mut add = |path: &[&str], conv: u64, value: f64| -> Result<(), attribution::Error> {
//!     let ids = path
//!         .iter()
//!         .map(|c| set.channels_mut().intern(c))
//!         .collect::<Result<Vec<_>, _>>()?;
//!     set.push(Journey::from_channels(&ids, conv, 1 - conv, value)?)?;
//!     Ok(())
//! };
//! add(&["PPC", "LandingPage", "Email", "LinkedIn"], 1, 120.0)?;
//! add(&["PPC", "LandingPage"], 0, 0.0)?;
//! add(&["LinkedIn"], 1, 80.0)?;
//! add(&["Email", "Email", "LinkedIn"], 1, 60.0)?;
//! add(&["PPC", "LandingPage", "Email"], 0, 0.0)?;
//! add(&["LinkedIn", "PPC"], 1, 100.0)?;
//! add(&["PPC"], 0, 0.0)?;
//! add(&["Email", "LinkedIn"], 0, 0.0)?;
//! let result = Markov::new(1)?.attribute(&set)?;
//! let re = |name: &str| result.get(name).unwrap().removal_effect.unwrap();
//! assert!((re("PPC") - 0.475).abs() < 1e-12);
//! assert!((re("LandingPage") - 0.24).abs() < 1e-12);
//! assert!((re("Email") - 0.48).abs() < 1e-12);
//! assert!((re("LinkedIn") - 0.8).abs() < 1e-12);
//! let email = result.get("Email").unwrap().conversions;
//! assert!((email - 4.0 * 0.48 / 1.995).abs() < 1e-12);
//! # Ok::<(), attribution::Error>(())
//! ```
//!
//! # Complexity
//!
//! Counting is `O(Σ L·k)`. Solving: one system for the full chain and one
//! per channel (in parallel with rayon; each removal is computed
//! sequentially, so results never depend on the number of threads).
//! Strongly connected components are found in `O(S + E)`; components of up
//! to 256 states use dense LU (`O(m³)`), larger ones Gauss–Seidel
//! (`O(E)` per sweep).

mod blocked;
mod chain;
mod counts;
mod model;
mod order;
mod output;
mod removal;
mod scc;
mod system;

pub use chain::MarkovChain;
pub use counts::{CountsError, MAX_ORDER, TransitionCounts};
pub use model::Markov;
pub use order::{OrderReport, OrderStats, select_order};
pub use output::{TransitionEdge, TransitionRow};
pub use removal::{ABS_TOL, REL_TOL, RemovalEffects};
pub use system::{DENSE_LIMIT, DENSE_MAX};

/// How the linear systems are solved.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[non_exhaustive]
pub enum Solver {
    /// Per strongly connected component: dense LU up to [`DENSE_MAX`]
    /// states, Gauss–Seidel above.
    #[default]
    Auto,
    /// Dense LU on every component (fails above [`DENSE_LIMIT`] states).
    Dense,
    /// Gauss–Seidel on every component of two or more states (for testing
    /// the iterative path on small chains).
    Iterative,
}
