//! `markov-shapley`: the exact Shapley value of the fitted Markov chain's
//! conversion probability, as a game of the channels.
//!
//! # Definition
//!
//! The chain is that of [`markov`](super::markov) at order `k`: states are
//! windows of `k` consecutive touches (a shorter path is one shorter
//! state), consecutive equal states are merged, `start → s_1` and
//! `s_j → s_{j+1}` count `c + n`, the last state leads to `(conversion)`
//! with `c` and to `(null)` with `n`. Absorption is solved exactly, with no
//! step cap.
//!
//! The players are the C channels of the input. A coalition `T` keeps the
//! states all of whose channels are in `T` (`(Email, Email)` needs Email
//! only) and redirects every other state to `(null)`:
//!
//! ```text
//! v(T)   = P(conversion from (start) | states outside T redirected to null)
//! v(∅)   = 0,    v(all) = ΣR / ΣN   (conversions / journeys)
//! φ_c    = Σ_{T ∌ c} w(|T|, C) · [v(T ∪ {c}) − v(T)],   w(s, C) = 1 / (C · binom(C−1, s))
//! conversions_c = ΣR · φ_c / v(all)  (= ΣN · φ_c)
//! ```
//!
//! Σ_c φ_c = v(all), so the credits sum to the conversions with no
//! normalisation. **Value** is the same game on the value-weighted chain:
//! an absorption into `(conversion)` from last state `s` is worth
//! `m_s = Σv / Σc` of the journeys ending in `s` (as in `markov`), so
//! v^V(all) = ΣV/ΣN and `value_c = ΣV · φ^V_c / v^V(all)`. Without
//! conversions (or value) every credit (value) is 0.
//!
//! The `removal_effect` of each row is `RE_c = (v(all) − v(all∖c)) / v(all)`,
//! c's contribution when it joins last: exactly `markov`'s removal effect at
//! the same order. Σ RE ≠ 1, because an interaction counts once for every
//! channel in it; Shapley averages over all join orders instead.
//!
//! # What it measures, and what not
//!
//! How much conversion *flows through* each channel of the fitted chain:
//! the same question as `markov`'s removal effects, answered by an
//! efficient, symmetric rule instead of rescaled removal effects. It is not
//! lift: a channel that many converting journeys pass through earns credit
//! even when its presence lowers the conversion rate. A channel that only
//! ever ends non-converting journeys gets exactly 0. When `order` is at
//! least the longest path, every path is its own state and the credits
//! equal [`shapley`](super::shapley::Shapley) (linear per distinct channel).
//!
//! # Per-journey credit
//!
//! None: the game is global. [`Model::journey_credit`](crate::Model::journey_credit)
//! refuses converting journeys with
//! [`ModelError::NoJourneyCredit`](crate::ModelError::NoJourneyCredit).
//!
//! # Complexity
//!
//! 2^C coalitions, each one absorbing solve over the live states inside
//! it (precomputed channel masks per state). Chains of at most 64 live
//! states (order 1 always, C ≤ 24) solve each coalition by dense
//! elimination: about 2^C·(C/2)³/3 flops, around a second at C = 20.
//! Larger chains (higher orders) use `markov`'s sparse solver (strongly
//! connected components in topological order, dense LU or Gauss–Seidel
//! within). Every value is certified from its count-form residual to
//! 1e-10 relative (else solved again by the refined fallback, else
//! [`ModelError::NoConvergence`](crate::ModelError::NoConvergence)).
//! Coalitions run in parallel with the `parallel` feature; each is solved
//! by the same sequential code and φ is summed over the coalitions in a
//! fixed order, so results do not depend on the number of threads. Memory:
//! two `f64` per coalition (16 MiB at C = 20). Above `max_channels`
//! (default 20, at most 24) the model refuses with
//! [`ModelError::TooManyChannels`](crate::ModelError::TooManyChannels)
//! rather than truncate or sample.
//!
//! # Peers
//!
//! No published package computes this game. The chain, the removal effects
//! and the value convention are `markov`'s, i.e. ChannelAttribution's,
//! solved exactly.
//!
//! # Example
//!
//! The tiny fixture at order 1: the Shapley values are PPC 11/80,
//! LandingPage 3/100, Email 71/800, LinkedIn 39/160 (they sum to
//! v(all) = 1/2), so 8 journeys give PPC 11/10 conversions. LandingPage
//! only counts together with PPC, so Shapley halves its share.
//!
//! ```
//! use attribution::{Channels, Journey, JourneySet, Model};
//! use attribution::model::markov_shapley::MarkovShapley;
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
//! let result = MarkovShapley::new(1)?.attribute(&set)?;
//! let row = |name: &str| {
//!     let c = result.get(name).unwrap();
//!     (c.conversions, c.value, c.removal_effect.unwrap())
//! };
//! for (name, conversions, value, re) in [
//!     ("PPC", 1.1, 107.0, 0.475),
//!     ("LandingPage", 0.24, 21.0, 0.24),
//!     ("Email", 0.71, 62.0, 0.48),
//!     ("LinkedIn", 1.95, 170.0, 0.8),
//! ] {
//!     let (c, v, r) = row(name);
//!     assert!((c - conversions).abs() < 1e-12, "{name}");
//!     assert!((v - value).abs() < 1e-10, "{name}");
//!     assert!((r - re).abs() < 1e-12, "{name}");
//! }
//! # Ok::<(), attribution::Error>(())
//! ```

mod config;
mod dense;
mod game;
mod model;
mod state;

pub use config::{DEFAULT_MAX_CHANNELS, MAX_CHANNELS_LIMIT, MarkovShapley};
pub(crate) use model::MarkovShapleyFactory;
pub use model::MarkovShapleyFit;
pub use state::MarkovShapleyCounts;
