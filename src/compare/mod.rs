//! Comparing models: which channel was most effective, asked of every model
//! at once and answered as a comparison, not as one number.
//!
//! [`Comparison::new`] takes several models' [`Attribution`]s of the same
//! journeys, each under a label, and computes:
//!
//! * per channel × model, the credit, its **share** and the channel's
//!   **rank** under the model ([`Cell`]);
//! * the **Kendall τ-b** agreement between every two models' rankings
//!   ([`kendall_tau_b`]);
//! * the **leader**: the channel that ranks first under the most models
//!   ([`Leader`]);
//! * where the models **disagree**: channels whose rank varies
//!   ([`RankSpread`], widest first) and models whose first place is not the
//!   leader ([`Dissent`]).
//!
//! The result is plain data (`serde`): the `attribution compare` command
//! prints it as a table, CSV or JSON.
//!
//! # Conventions
//!
//! * **Metric.** Shares and ranks are of attributed conversions by default,
//!   of value with [`Metric::Value`]; the cells carry both numbers.
//! * **Shares.** A share is the credit divided by the sum of the model's
//!   credits ([`ShareBasis::CreditSum`]), so that a model's shares sum to 1,
//!   unless the model says otherwise: a model whose credits do not sum to
//!   the total it reports (to 1e-9 relative), such as a participation model
//!   that gives every channel of a converting journey the whole conversion,
//!   gets shares of its total ([`ShareBasis::Total`]; for participation the
//!   fraction of conversions whose journeys touched the channel), and the
//!   basis is recorded on the model ([`ModelColumn::share_basis`]). A share
//!   is `None` when its denominator is 0 (no conversions).
//! * **Negative credit.** Some games (a Shapley game on conversion rates)
//!   give a channel negative credit: its share is negative (and others may
//!   exceed 1, the shares still summing to 1), and it ranks below every
//!   channel with more credit, zero included.
//! * **Ranks.** 1 is the most credit. Ties share the best rank of their
//!   group and the next rank skips ("1224", competition ranking), so that
//!   every channel tied for the most credit ranks first. Credits within
//!   [`TIE_TOLERANCE`] (1e-9) of the model's largest absolute credit are
//!   tied (rounding noise must not order channels).
//! * **Kendall τ-b** is computed on those ranks, so ties count as ties
//!   (τ-b, not τ-a); it is `None` where undefined (fewer than two channels,
//!   or a model that ties every channel).
//! * **Leader.** The channel with the most first places; ties broken by the
//!   lower sum of ranks over all models (the better mean rank), then by
//!   channel order. The channels it tied with on first places are listed
//!   ([`Leader::tied_with`]).
//! * **Channels** are the union of the models' channels, in order of first
//!   appearance (the first model's order, then channels only later models
//!   list). A channel a model does not list has credit 0 under it.
//!
//! # Example
//!
//! ```
//! use attribution::compare::{Comparison, Metric};
//! use attribution::{Attribution, ChannelCredit, ChannelId};
//!
//! let result = |model: &str, credits: [f64; 3]| {
//!     let channels = ["PPC", "Email", "LinkedIn"]
//!         .iter()
//!         .zip(credits)
//!         .enumerate()
//!         .map(|(i, (name, c))| ChannelCredit::new(ChannelId::from_index(i).unwrap(), *name, c, 0.0))
//!         .collect();
//!     Attribution::new(model, Vec::new(), channels, 4.0, 0.0)
//! };
//! let linear = result("linear", [2.0, 1.0, 1.0]);
//! let markov = result("markov", [1.5, 2.0, 0.5]);
//! let first = result("first-touch", [3.0, 1.0, 0.0]);
//! let comparison = Comparison::new(
//!     &[("linear", &linear), ("markov", &markov), ("first-touch", &first)],
//!     Metric::Conversions,
//! )?;
//!
//! let ppc = comparison.channel("PPC").unwrap();
//! assert_eq!(ppc.cells[0].share, Some(0.5));
//! let ranks: Vec<usize> = ppc.cells.iter().map(|c| c.rank).collect();
//! assert_eq!(ranks, [1, 2, 1]);
//! // Email and LinkedIn tie under linear: both rank 2.
//! assert_eq!(comparison.channel("LinkedIn").unwrap().cells[0].rank, 2);
//!
//! // Linear against markov: PPC–Email discordant, PPC–LinkedIn concordant,
//! // Email–LinkedIn tied under linear: τ-b = 0.
//! assert_eq!(comparison.kendall("linear", "markov"), Some(Some(0.0)));
//! assert_eq!(comparison.kendall("linear", "first-touch"), Some(Some(2.0 / 6.0_f64.sqrt())));
//! assert_eq!(comparison.kendall("markov", "first-touch"), Some(Some(1.0 / 3.0)));
//!
//! let leader = comparison.leader.as_ref().unwrap();
//! assert_eq!((leader.channel.as_str(), leader.first_under, leader.models), ("PPC", 2, 3));
//! // markov puts Email first.
//! assert_eq!(comparison.dissents[0].model, "markov");
//! assert_eq!(comparison.dissents[0].top, ["Email"]);
//! // Every channel's rank moves by one: the widest spreads first, ties in
//! // channel order.
//! let spread = &comparison.spreads[0];
//! assert_eq!((spread.channel.as_str(), spread.best_rank, spread.worst_rank), ("PPC", 1, 2));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! [`Attribution`]: crate::Attribution

mod comparison;
mod consensus;
mod kendall;
mod ranking;

pub use comparison::{Cell, ChannelRow, Comparison, Metric, ModelColumn};
pub use consensus::{Dissent, Leader, RankSpread};
pub use kendall::kendall_tau_b;
pub use ranking::{ShareBasis, TIE_TOLERANCE};
