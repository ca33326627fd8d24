//! Path transforms: rewrites of every journey's path applied before the
//! models of a run see it (Fractribution's and `mta`'s path transforms).
//!
//! A run takes a list of transforms ([`Transforms`]), applied in order to
//! every journey after journey assembly and before every model:
//!
//! | transform | result (touches t_1..t_L) | `D > A > B > B > C > D > C > C` → |
//! |---|---|---|
//! | `unique` | unchanged (identity; the default) | unchanged |
//! | `exposure` | each run of consecutive equal touches becomes one touch | `D > A > B > C > D > C` |
//! | `first` | the first occurrence of each channel, in order | `D > A > B > C` |
//! | `frequency` | as `first`; each token tagged with its channel's count in the path | `D(2) > A(1) > B(2) > C(3)` |
//! | `trim-last:N` | the last N touches (all of them when L ≤ N) | `trim-last:2`: `C > C` |
//! | `remove-if-not-all:X` | drop every X, unless that would leave nothing | X = A: `D > B > B > C > D > C > C` |
//! | `remove-if-last-and-not-all:X` | drop the trailing run of X, unless the path is all X | X = C: `D > A > B > B > C > D` |
//!
//! * **Outcomes are kept**: conversions, non-conversions and value stay as
//!   they were; journeys whose paths become equal are aggregated by each
//!   model as usual.
//! * **Tokens.** After `frequency` a token is the pair (channel, count),
//!   held as the journey's tags ([`Journey::tags`](crate::Journey::tags)).
//!   Credit always goes to the channel, so every model that credits
//!   channels works unchanged; `leave-one-out` compares tokens (path
//!   identity). The Markov models refuse tagged journeys
//!   ([`ModelError::TokensUnsupported`](crate::ModelError::TokensUnsupported)):
//!   use `exposure` or `first` with them.
//! * **Chain rules.** `frequency` must be the last transform; `N` is an
//!   integer ≥ 1; `X` is a channel name (the text after the first `:`,
//!   trimmed), looked up in the journey's channel table when applied: a
//!   name the table lacks makes the transform a no-op.
//! * **No empty paths.** No transform empties a non-empty path.
//! * **Timestamps.** A kept touch keeps its time, so `time-decay` still
//!   works.
//! * **Cost.** O(L) per journey, no allocation per journey in the steady
//!   state ([`Transformer`]).
//! * **In models.** A model spec carries its list under the key
//!   `transform` (`markov:order=2,transform=trim-last:2|exposure`); the
//!   [`Registry`](crate::model::Registry) builds the model behind the list
//!   ([`Transforms::wrap`]), and its states carry the spec, so states of
//!   different lists refuse to merge.
//! * **Fractribution parity.** Fractribution trims first
//!   (`path_lookback_steps`): put `trim-last:N` first. Its default transform
//!   is `exposure`; ours is none.
//!
//! ```
//! use attribution::model::Registry;
//! use attribution::{Channels, Journey, JourneySet};
//!
//! let mut set = JourneySet::new(Channels::new());
//! let ppc = set.channels_mut().intern("PPC")?;
//! let email = set.channels_mut().intern("Email")?;
//! set.push(Journey::from_channels(&[ppc, email, email], 1, 0, 30.0)?)?;
//! let model = Registry::builtin().parse("linear:transform=exposure")?;
//! let result = model.attribute(&set)?;
//! assert_eq!(result.get("Email").map(|c| c.conversions), Some(0.5));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

mod apply;
mod list;
mod path_transform;
mod wrapped;

pub use apply::Transformer;
pub use list::{TRANSFORM_KEY, Transforms};
pub use path_transform::PathTransform;
