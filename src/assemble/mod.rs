//! Journey assembly from raw event logs (grouping by user, sorting,
//! splitting after conversions, lookback and inactivity windows).
//!
//! Analysts rarely have ready-made paths: they have a log of touches. This
//! module turns one into a [`JourneySet`](crate::JourneySet):
//!
//! * [`JourneyBuilder`] holds the options (split on conversion, lookback,
//!   inactivity timeout, collapse repeats, exclude channels, max touches,
//!   drop duplicates, sorted streaming) and documents the order in which its
//!   rules apply;
//! * [`BuildReport`] accounts for every event: in a journey, dropped by an
//!   option ([`DroppedEvents`]), or an unattributed conversion; never lost;
//! * [`parse_duration`] reads `30d`, `30m`, `2w` as the command line writes them;
//! * [`BuildError`] says why a build failed;
//! * events are read by [`EventReader`](crate::io::events::EventReader).

mod assembler;
mod builder;
mod duration;
mod report;

pub use crate::error::{BuildError, UnsortedKind};
pub use builder::JourneyBuilder;
pub use duration::{DurationError, parse_duration};
pub use report::{BuildReport, DroppedEvents};
