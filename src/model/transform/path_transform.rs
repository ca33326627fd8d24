//! [`PathTransform`]: one path transform, parsed from and printed as text.

use std::fmt;

use crate::error::ModelError;

/// One path transform: a rewrite of a journey's touches applied before the
/// models see it (see the [module docs](super) for the whole list).
///
/// Parsed from text with [`PathTransform::parse`]: the name (ASCII
/// case-insensitive), then, for the transforms that take one, `:` and the
/// argument (`trim-last:2`, `remove-if-not-all:Landing Page`). The argument
/// is the text after the first `:`, trimmed. [`fmt::Display`] gives the
/// canonical text back.
///
/// ```
/// use attribution::transform::PathTransform;
///
/// let t = PathTransform::parse(" Trim-Last : 2 ", 1)?;
/// assert_eq!(t, PathTransform::TrimLast(2));
/// assert_eq!(t.to_string(), "trim-last:2");
/// let r = PathTransform::parse("remove-if-not-all: Landing Page", 1)?;
/// assert_eq!(r.to_string(), "remove-if-not-all:Landing Page");
/// assert_eq!(
///     PathTransform::parse("trim-last:0", 3).unwrap_err().to_string(),
///     "invalid path transform #3 `trim-last:0`: N must be an integer >= 1 \
///      (`trim-last:0` would mean no limit: leave the transform out)"
/// );
/// # Ok::<(), attribution::ModelError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum PathTransform {
    /// `unique`: the path unchanged (the identity, the default).
    Unique,
    /// `exposure`: each run of consecutive equal touches becomes its first
    /// touch.
    Exposure,
    /// `first`: the first occurrence of each channel, in order.
    First,
    /// `frequency`: as `first`, each token tagged with its channel's count
    /// in the path (a token is the pair (channel, count)). Must be the last
    /// transform of a list.
    Frequency,
    /// `trim-last:N`: the last N touches (all of them when the path has at
    /// most N). N ≥ 1.
    TrimLast(usize),
    /// `remove-if-not-all:X`: drops every touch of channel X, unless that
    /// would leave nothing (then the path is unchanged).
    RemoveIfNotAll(String),
    /// `remove-if-last-and-not-all:X`: drops the trailing run of X, unless
    /// the path is all X (then unchanged).
    RemoveIfLastAndNotAll(String),
}

/// The transforms, as `attribute --help` and error messages list them.
pub(crate) const KNOWN: &str = "unique, exposure, first, frequency, trim-last:N, \
     remove-if-not-all:CHANNEL, remove-if-last-and-not-all:CHANNEL";

impl PathTransform {
    /// Parses one transform; `position` (1-based, in its list) goes into
    /// the error.
    ///
    /// # Errors
    ///
    /// [`ModelError::InvalidTransform`] for an unknown name, a missing or
    /// invalid `N` (an integer ≥ 1), a missing channel, or an argument
    /// given to a transform that takes none.
    pub fn parse(text: &str, position: usize) -> Result<Self, ModelError> {
        let invalid = |reason: String| ModelError::InvalidTransform {
            position,
            text: text.trim().to_owned(),
            reason,
        };
        let (name, argument) = match text.split_once(':') {
            Some((name, argument)) => (name.trim(), Some(argument.trim())),
            None => (text.trim(), None),
        };
        let name = name.to_ascii_lowercase();
        let no_argument = |t: Self| match argument {
            None => Ok(t),
            Some(_) => Err(invalid(format!("`{name}` takes no argument"))),
        };
        let channel = |make: fn(String) -> Self| match argument {
            Some(x) if !x.is_empty() => Ok(make(x.to_owned())),
            _ => Err(invalid(format!(
                "missing the channel: write `{name}:CHANNEL`"
            ))),
        };
        match name.as_str() {
            "unique" => no_argument(Self::Unique),
            "exposure" => no_argument(Self::Exposure),
            "first" => no_argument(Self::First),
            "frequency" => no_argument(Self::Frequency),
            "trim-last" => match argument {
                None | Some("") => Err(invalid(
                    "missing N: write `trim-last:N` with an integer N >= 1".to_owned(),
                )),
                Some(n) => match n.parse::<usize>() {
                    Ok(n) if n >= 1 => Ok(Self::TrimLast(n)),
                    Ok(_) => Err(invalid(
                        "N must be an integer >= 1 (`trim-last:0` would mean no limit: \
                         leave the transform out)"
                            .to_owned(),
                    )),
                    Err(_) => Err(invalid(format!("N must be an integer >= 1, not `{n}`"))),
                },
            },
            "remove-if-not-all" => channel(Self::RemoveIfNotAll),
            "remove-if-last-and-not-all" => channel(Self::RemoveIfLastAndNotAll),
            "" => Err(invalid(format!("empty transform (known: {KNOWN})"))),
            _ => Err(invalid(format!("unknown transform (known: {KNOWN})"))),
        }
    }

    /// The channel a remove transform names.
    #[must_use]
    pub fn channel(&self) -> Option<&str> {
        match self {
            Self::RemoveIfNotAll(x) | Self::RemoveIfLastAndNotAll(x) => Some(x),
            _ => None,
        }
    }
}

impl fmt::Display for PathTransform {
    /// The canonical text: `trim-last:2`, `remove-if-not-all:Email`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Unique => f.write_str("unique"),
            Self::Exposure => f.write_str("exposure"),
            Self::First => f.write_str("first"),
            Self::Frequency => f.write_str("frequency"),
            Self::TrimLast(n) => write!(f, "trim-last:{n}"),
            Self::RemoveIfNotAll(x) => write!(f, "remove-if-not-all:{x}"),
            Self::RemoveIfLastAndNotAll(x) => write!(f, "remove-if-last-and-not-all:{x}"),
        }
    }
}
