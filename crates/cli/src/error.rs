//! The command's error type and its exit codes.

use std::fmt;

/// Why the command failed. `Input` (bad data, bad options) exits with 2,
/// everything else with 1.
#[derive(Debug)]
pub enum CliError {
    /// Bad input data or an invalid option value.
    Input(String),
    /// A failure that is not the user's input (e.g. cannot write the output).
    Other(String),
}

impl CliError {
    pub fn exit_code(&self) -> u8 {
        match self {
            Self::Input(_) => 2,
            Self::Other(_) => 1,
        }
    }
}

impl fmt::Display for CliError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Input(m) | Self::Other(m) => f.write_str(m),
        }
    }
}

impl From<attribution::ReadError> for CliError {
    fn from(e: attribution::ReadError) -> Self {
        match e.kind() {
            attribution::ReadErrorKind::Io(_) => Self::Other(e.to_string()),
            _ => Self::Input(e.to_string()),
        }
    }
}

impl From<attribution::ModelError> for CliError {
    fn from(e: attribution::ModelError) -> Self {
        Self::Input(e.to_string())
    }
}

/// Prefixes the error message with the input's name.
pub fn in_input(name: &str) -> impl Fn(CliError) -> CliError + '_ {
    move |e| match e {
        CliError::Input(m) => CliError::Input(format!("{name}: {m}")),
        CliError::Other(m) => CliError::Other(format!("{name}: {m}")),
    }
}
