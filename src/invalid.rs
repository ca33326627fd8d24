//! Why the last value deserialised on this thread was rejected.
//!
//! postcard drops the messages of custom deserialisation errors, so the
//! validation of a state (channel names, counts, lengths) leaves its reason
//! here, and the state reader puts it into its error. A leaf module: the
//! data types (channel tables) and the models' states both record reasons.

use std::cell::RefCell;
use std::fmt::Display;

thread_local! {
    /// Why the last state on this thread failed validation: postcard drops
    /// the messages of custom errors, so validation leaves its reason here.
    static INVALID: RefCell<Option<String>> = const { RefCell::new(None) };
}

/// Records why a value being deserialised is invalid (see [`INVALID`]).
pub(crate) fn remember<E: Display>(error: E) -> E {
    INVALID.with(|m| *m.borrow_mut() = Some(error.to_string()));
    error
}

pub(crate) fn forget() {
    INVALID.with(|m| *m.borrow_mut() = None);
}

/// Takes the reason recorded on this thread, if any.
pub(crate) fn take() -> Option<String> {
    INVALID.with(|m| m.borrow_mut().take())
}
