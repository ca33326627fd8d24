//! The command's error type and its exit codes.

use std::fmt;

use attribution::ReadHint;

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
        let message = match e.hint().map(cli_hint) {
            Some(hint) => format!("{} ({hint})", e.clone().with_hint(None)),
            None => e.to_string(),
        };
        match e.kind() {
            attribution::ReadErrorKind::Io(_) => Self::Other(message),
            _ => Self::Input(message),
        }
    }
}

/// A reader's hint in terms of the command's options.
fn cli_hint(hint: &ReadHint) -> String {
    match hint {
        ReadHint::DecimalComma => "use --decimal-comma".to_owned(),
        ReadHint::TimeLayout => {
            "give the layout with --time-format, e.g. --time-format '%d/%m/%Y %H:%M'".to_owned()
        }
        ReadHint::TimeUnit => "give the unit with --time-format unix-s|unix-ms|unix-us".to_owned(),
        ReadHint::MissingColumn { looks_like } => {
            let advice = "map a differently named column with --column ROLE=NAME";
            match looks_like {
                Some(shape) => format!("the header looks like --shape {shape}; or {advice}"),
                None => advice.to_owned(),
            }
        }
        ReadHint::UnknownColumn { looks_like } => {
            let advice = "skip unknown columns with --ignore-unknown-columns, or map this one with --column ROLE=NAME";
            match looks_like {
                Some(shape) => format!("the header looks like --shape {shape}; or {advice}"),
                None => advice.to_owned(),
            }
        }
        ReadHint::ConversionEvents { column } => format!(
            "to mark conversions by the `{column}` column, use --conversion-event NAME, e.g. --conversion-event purchase"
        ),
        other => other.to_string(),
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
