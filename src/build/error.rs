//! The error of [`JourneyBuilder::build`](super::JourneyBuilder::build).

use crate::error::{JourneyError, ReadError};

/// Why the events sorted-mode check failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum UnsortedKind {
    /// A user's events reappear after another user's.
    UserNotContiguous,
    /// A user's event is earlier than the previous one.
    TimeDecreasing,
}

/// An error raised while building journeys from events.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum BuildError {
    /// The events could not be read.
    #[error(transparent)]
    Read(#[from] ReadError),
    /// A builder option is out of range (caught at `build`).
    #[error("invalid option `{name}` = {value}: {reason}")]
    InvalidOption {
        /// The option's name.
        name: &'static str,
        /// The rejected value, as text.
        value: String,
        /// Why it was rejected.
        reason: &'static str,
    },
    /// In sorted mode, the input is not sorted by (user, time).
    #[error("line {line}: input is not sorted by (user, time) as `sorted` requires: {}", match .kind {
        UnsortedKind::UserNotContiguous => format!("user `{}` reappears after other users", .user),
        UnsortedKind::TimeDecreasing => format!("event of user `{}` is earlier than the one before it", .user),
    })]
    Unsorted {
        /// The 1-based line of the offending row (0 when the event had none).
        line: u64,
        /// The user of the offending row.
        user: String,
        /// What is out of order.
        kind: UnsortedKind,
    },
    /// More distinct users than fit in the compact (`u32`) user index.
    #[error("too many distinct users (the limit is {limit})")]
    TooManyUsers {
        /// The maximum number of users.
        limit: u64,
    },
    /// A user has more journeys than a journey index (`u32`) can number.
    #[error("user `{user}` has more than {limit} journeys")]
    TooManyJourneys {
        /// The user.
        user: String,
        /// The largest journey index.
        limit: u64,
    },
    /// A built journey violated its invariants (e.g. summed value overflowed
    /// to infinity).
    #[error("user `{user}`: {source}")]
    Journey {
        /// The user whose journey failed.
        user: String,
        /// The violated invariant.
        source: JourneyError,
    },
}
