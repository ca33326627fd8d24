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
//! * events are read by [`EventReader`](crate::io::events::EventReader).

mod assemble;
mod builder;
mod error;
mod options;
mod report;

pub use builder::JourneyBuilder;
pub use error::{BuildError, UnsortedKind};
pub use options::{DurationError, parse_duration};
pub use report::{BuildReport, DroppedEvents};
