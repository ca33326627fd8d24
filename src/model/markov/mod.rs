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
//! error without spectral estimates) to `|RE − RE*| ≤ 1e-10·RE + 1e-12`.
//!
//! When a result cannot be certified so (long journeys make the chain nearly
//! closed: the residual of a rounded solution grows with the mean number of
//! visits, and Gauss–Seidel slows down), it is computed again by a fallback:
//! dense LU for components of up to [`DENSE_MAX`] states, above that state
//! reduction (exact elimination of the states whose elimination adds no
//! transitions, e.g. the long chains of a long journey, then dense LU or
//! Gauss–Seidel on the rest), and iterative refinement with residuals
//! evaluated in double-double arithmetic. Only if that fails too does the
//! computation fail, with
//! [`ModelError::NoConvergence`](crate::ModelError::NoConvergence): an
//! internal numerical failure, never a fault of the input.
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
//! Counting is `O(Σ L·k)` hash operations (states of up to 6 channels are
//! packed into one integer key).
//!
//! Solving works on the states that can reach `(conversion)`, in the
//! order of their strongly connected components (iterative Tarjan, `O(S+E)`),
//! which come in reverse topological order: acyclic parts are exact
//! back-substitution, only cycles iterate. The full chain is solved first.
//! The removals then need, per channel `c`, `D_c = P(conversion and a visit
//! to a state containing c)` (computed directly, never as a difference of
//! two nearly equal probabilities):
//!
//! * small chains (at most [`PER_CHANNEL_MAX`] = 64 live states, e.g.
//!   order 1), or [`Solver::Dense`]: one system per channel, its components
//!   by dense LU with partial pivoting (faer, `O(m³)`);
//! * larger chains, or [`Solver::Iterative`]: all channels together, eight
//!   per Gauss–Seidel sweep over the full chain's matrix, restricted to the
//!   states that can reach the block's removed states (elsewhere the
//!   quantity is exactly 0), with dominant-mode extrapolation; blocks run in
//!   parallel with rayon (the `parallel` feature, on by default; without it,
//!   one after the other with the same results). A block costs `O(E_A)` per sweep for the `E_A`
//!   transitions among those states: channels reached from few states cost
//!   little whatever their number (100 000 channels each seen in one
//!   single-touch journey: 0.5 s, against 9.4 s and quadratic growth when
//!   every block swept the whole chain), while `C` channels inside one
//!   strongly connected chain of `E` transitions cost `O(C/8 · E)` per
//!   sweep. Above [`WORK_LIMIT`] (about four CPU-minutes;
//!   [`Markov::work_limit`] changes it) the computation is refused with
//!   [`ModelError::TooComplex`](crate::ModelError::TooComplex) rather than
//!   run for hours.
//!   Sparse LU is avoided on purpose: on these de Bruijn-like graphs it fills
//!   in catastrophically (order 3 × 50 channels: 128 M nonzeros).
//!
//! Each block or channel is computed sequentially, so results never depend
//! on the number of threads. Measured (release, 2-core machine, two
//! threads): 100 000 paths × 50 channels at order 3 (52 000 live states)
//! solve in ≈ 0.35 s; 1 000 000 paths (119 000 states) in ≈ 1.0 s
//! (≈ 1.8 s on one thread); order 6 on 1 000 000 paths × 50 channels
//! (2 million states) in ≈ 3.4 s, 1.5 GB peak for the whole process.

mod ancestors;
mod blocked;
mod capped;
mod chain;
mod coalition;
mod config;
mod counts;
mod filter;
mod fit;
mod index;
mod model;
mod order;
mod output;
mod reduction;
mod refine;
mod removal;
mod scc;
mod system;

pub use chain::MarkovChain;
pub(crate) use coalition::CoalitionSystem;
pub use config::{MAX_ORDER, Markov};
pub use counts::{CountsError, TransitionCounts};
pub use filter::EdgeFilter;
pub use fit::MarkovFit;
pub(crate) use model::MarkovFactory;
pub use order::{OrderReport, OrderStats, select_order, select_order_with_progress};
#[cfg(feature = "dot")]
pub use output::TransitionEdge;
pub use output::TransitionRow;
pub use removal::{ABS_TOL, PER_CHANNEL_MAX, REL_TOL, RemovalEffects, WORK_LIMIT};
pub use system::{DENSE_LIMIT, DENSE_MAX};

/// How the linear systems are solved.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[non_exhaustive]
pub enum Solver {
    /// Dense LU per channel for chains of at most [`PER_CHANNEL_MAX`] live
    /// states; the blocked Gauss–Seidel solver above (the full chain's own
    /// components: dense LU up to [`DENSE_MAX`] states, Gauss–Seidel above).
    #[default]
    Auto,
    /// One system per channel, dense LU on every component (fails on a
    /// component above [`DENSE_LIMIT`] states).
    Dense,
    /// Gauss–Seidel everywhere (the blocked removal solver and Gauss–Seidel
    /// on every cyclic component of the full chain), also on small chains:
    /// for testing the iterative path.
    Iterative,
}
