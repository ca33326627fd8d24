//! Warnings and notes on stderr.
//!
//! Every line the command writes to stderr besides its error goes through
//! here, through a fallible writer: a closed or full stderr never stops the
//! command (the write error is ignored, as there is nowhere left to report it).

use std::fmt::Display;
use std::io::Write;

/// Writes `warning: {message}`: an option or input that does nothing or may
/// not do what the user meant. The command goes on.
pub fn warning(message: impl Display) {
    let _ = writeln!(std::io::stderr().lock(), "warning: {message}");
}

/// Writes `note: {message}`: something the output leaves out, and why.
pub fn note(message: impl Display) {
    let _ = writeln!(std::io::stderr().lock(), "note: {message}");
}
