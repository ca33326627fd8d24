//! The command's error type and its exit codes.

use std::fmt;
use std::io;

/// Exit code of a run that failed on bad input data or a bad option value
/// (clap's usage errors use the same code).
pub const EXIT_INPUT: u8 = 2;
/// Exit code of an internal or numerical failure, or of output that cannot
/// be written (other than to a closed pipe).
pub const EXIT_INTERNAL: u8 = 3;

use attribution::ReadHint;

/// Why the command failed. `Input` (bad data, bad options) exits with 2,
/// `Other` (internal, numerical, output) with 3; `ClosedPipe` ends quietly
/// with 0: the reader of the output has gone (`attribution … | head`).
#[derive(Debug)]
pub enum CliError {
    /// Bad input data or an invalid option value.
    Input(String),
    /// A failure that is not the user's input (e.g. cannot write the output,
    /// a solver did not converge).
    Other(String),
    /// Standard output is a pipe whose reader has closed it.
    ClosedPipe,
}

impl CliError {
    pub fn exit_code(&self) -> u8 {
        match self {
            Self::Input(_) => EXIT_INPUT,
            Self::Other(_) => EXIT_INTERNAL,
            Self::ClosedPipe => 0,
        }
    }
}

impl fmt::Display for CliError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Input(m) | Self::Other(m) => f.write_str(m),
            Self::ClosedPipe => f.write_str("standard output was closed by its reader"),
        }
    }
}

impl From<attribution::ReadError> for CliError {
    /// Every read error is about the input, I/O failures included (an
    /// unreadable file, a directory), except a journey that breaks its own
    /// invariants after the reader checked each field: that is a bug.
    fn from(e: attribution::ReadError) -> Self {
        let message = match e.hint().map(cli_hint) {
            Some(hint) => format!("{} ({hint})", e.clone().with_hint(None)),
            None => e.to_string(),
        };
        match e.kind() {
            attribution::ReadErrorKind::Journey(_) => Self::Other(message),
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
    /// Numerical failures (a solver that did not converge) and inconsistent
    /// internal data (a journey naming a channel the table lacks, which
    /// the command's readers cannot produce) exit with 3; the rest is about
    /// the options or the data.
    fn from(e: attribution::ModelError) -> Self {
        use attribution::ModelError as M;
        match e {
            M::NoConvergence(_) | M::FitNoConvergence { .. } | M::UnknownChannel { .. } => {
                Self::Other(e.to_string())
            }
            _ => Self::Input(e.to_string()),
        }
    }
}

/// An error of writing the output, which may come from an I/O error.
pub trait WriteFailure: fmt::Display {
    /// The kind of the underlying I/O error, if any.
    fn io_kind(&self) -> Option<io::ErrorKind>;
}

impl WriteFailure for io::Error {
    /// The kind, or that of the I/O error inside a CSV error converted to
    /// `io::Error` (as the library's writers do).
    fn io_kind(&self) -> Option<io::ErrorKind> {
        match self
            .get_ref()
            .and_then(|inner| inner.downcast_ref::<csv::Error>())
        {
            Some(csv_error) => csv_error.io_kind(),
            None => Some(self.kind()),
        }
    }
}

impl WriteFailure for csv::Error {
    fn io_kind(&self) -> Option<io::ErrorKind> {
        match self.kind() {
            csv::ErrorKind::Io(e) => Some(e.kind()),
            _ => None,
        }
    }
}

impl WriteFailure for serde_json::Error {
    fn io_kind(&self) -> Option<io::ErrorKind> {
        self.io_error_kind()
    }
}

/// The output could not be written: quiet for a closed pipe, exit 3 otherwise.
pub fn write_failed(e: impl WriteFailure) -> CliError {
    if e.io_kind() == Some(io::ErrorKind::BrokenPipe) {
        CliError::ClosedPipe
    } else {
        CliError::Other(format!("cannot write output: {e}"))
    }
}

/// Prefixes the error message with the input's name.
pub fn in_input(name: &str) -> impl Fn(CliError) -> CliError + '_ {
    move |e| match e {
        CliError::Input(m) => CliError::Input(format!("{name}: {m}")),
        CliError::Other(m) => CliError::Other(format!("{name}: {m}")),
        CliError::ClosedPipe => CliError::ClosedPipe,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exit_codes_follow_the_contract() {
        use attribution::ModelError as M;
        assert_eq!(CliError::from(M::NoConvergence("x".into())).exit_code(), 3);
        let newton = M::FitNoConvergence {
            model: "dda".into(),
            iterations: 100,
            last_step: 1e-3,
        };
        assert!(
            newton
                .to_string()
                .contains("did not converge in 100 Newton iterations")
        );
        assert_eq!(CliError::from(newton).exit_code(), 3);
        let one_class = M::OneOutcomeClass {
            model: "dda".into(),
            conversions: 0.0,
            journeys: 0.0,
        };
        assert_eq!(CliError::from(one_class).exit_code(), 2);
        assert_eq!(
            CliError::from(M::UnknownChannel { id: 3, len: 1 }).exit_code(),
            3
        );
        let bad_parameter = M::InvalidParameter {
            name: "order",
            value: "0".into(),
            reason: "r",
        };
        assert_eq!(CliError::from(bad_parameter).exit_code(), 2);
        let io = attribution::ReadError::new(attribution::ReadErrorKind::Io("EIO".into()));
        assert_eq!(CliError::from(io).exit_code(), 2);
        let pipe = io::Error::from(io::ErrorKind::BrokenPipe);
        assert!(matches!(write_failed(pipe), CliError::ClosedPipe));
        let wrapped = io::Error::from(csv::Error::from(io::Error::from(io::ErrorKind::BrokenPipe)));
        assert!(matches!(write_failed(wrapped), CliError::ClosedPipe));
        assert_eq!(CliError::ClosedPipe.exit_code(), 0);
        let full = io::Error::from_raw_os_error(28);
        let e = write_failed(full);
        assert_eq!(e.exit_code(), 3);
        assert!(e.to_string().starts_with("cannot write output: "), "{e}");
    }
}
