//! The one error type of the generators.

use std::fmt;
use std::io;

/// What can go wrong while generating synthetic data.
#[derive(Debug)]
#[non_exhaustive]
pub enum SyntheticError {
    /// Writing the output failed.
    Io(io::Error),
    /// A configuration field is out of range.
    InvalidConfig {
        /// The name of the field.
        field: &'static str,
        /// Why the value is rejected.
        reason: String,
    },
}

impl fmt::Display for SyntheticError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Io(e) => write!(f, "cannot write synthetic data: {e}"),
            Self::InvalidConfig { field, reason } => {
                write!(f, "invalid synthetic configuration: `{field}` {reason}")
            }
        }
    }
}

impl std::error::Error for SyntheticError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Self::Io(e) => Some(e),
            _ => None,
        }
    }
}

impl From<io::Error> for SyntheticError {
    fn from(e: io::Error) -> Self {
        Self::Io(e)
    }
}

/// Checks that `p` is a probability in `(0, 1]` (or `[0, 1]` when `allow_zero`).
pub(crate) fn check_probability(
    field: &'static str,
    p: f64,
    allow_zero: bool,
) -> Result<(), SyntheticError> {
    let ok = p.is_finite() && p <= 1.0 && (p > 0.0 || (allow_zero && p == 0.0));
    if ok {
        Ok(())
    } else {
        let range = if allow_zero { "[0, 1]" } else { "(0, 1]" };
        Err(SyntheticError::InvalidConfig {
            field,
            reason: format!("must be a probability in {range}, got {p}"),
        })
    }
}

/// Checks that a count is at least `min`.
pub(crate) fn check_at_least(
    field: &'static str,
    value: usize,
    min: usize,
) -> Result<(), SyntheticError> {
    if value >= min {
        Ok(())
    } else {
        Err(SyntheticError::InvalidConfig {
            field,
            reason: format!("must be at least {min}, got {value}"),
        })
    }
}

/// Checks that a float is finite (and, when `positive`, strictly positive).
pub(crate) fn check_finite(
    field: &'static str,
    value: f64,
    positive: bool,
) -> Result<(), SyntheticError> {
    if value.is_finite() && (!positive || value > 0.0) {
        Ok(())
    } else {
        let what = if positive { "finite and > 0" } else { "finite" };
        Err(SyntheticError::InvalidConfig {
            field,
            reason: format!("must be {what}, got {value}"),
        })
    }
}
