//! Warnings and notes on stderr.
//!
//! Every line the command writes to stderr besides its error goes through
//! here or [`diagnostic`], through a fallible writer: a closed or full stderr never stops the
//! command (the write error is ignored, as there is nowhere left to report it).

use std::fmt::Display;

use crate::streams::diagnostic;

/// Writes `warning: {message}`: an option or input that does nothing or may
/// not do what the user meant. The command goes on.
pub fn warning(message: impl Display) {
    diagnostic(&format!("warning: {message}"));
}

/// Writes `note: {message}`: something the output leaves out, and why.
pub fn note(message: impl Display) {
    diagnostic(&format!("note: {message}"));
}
