//! # attribution
//!
//! Multi-channel marketing attribution: which channels turned leads into
//! customers? (Crate documentation is completed with the models.)

#![deny(missing_docs)]
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

pub mod attribution;
pub mod build;
pub mod channel;
pub mod error;
pub mod io;
pub mod journey;
pub mod model;
pub mod numeric;

// Re-exports (one line per item; keep sorted within each group).
pub use crate::attribution::{Attribution, ChannelCredit, JourneyCredit};
pub use crate::channel::{ChannelId, Channels};
pub use crate::error::{ChannelError, Error, JourneyError, ModelError, ReadError, ReadErrorKind};
pub use crate::io::{JourneyReader, ReadReport, ReaderBuilder, Shape, write_journeys};
pub use crate::journey::{Journey, JourneySet, Touchpoint};
pub use crate::model::markov::{Markov, MarkovChain, TransitionCounts};
pub use crate::model::{Merge, Model};
pub use crate::numeric::CompensatedSum;
