//! Durations for the builder's windows, as the command line writes them.

use std::time::Duration;

/// A duration that [`parse_duration`] could not read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid duration {text:?}: {reason}")]
pub struct DurationError {
    text: String,
    reason: &'static str,
}

impl DurationError {
    /// The rejected text.
    #[must_use]
    pub fn text(&self) -> &str {
        &self.text
    }

    /// Why it was rejected.
    #[must_use]
    pub fn reason(&self) -> &'static str {
        self.reason
    }
}

/// Parses a duration written as a non-negative integer and a unit: `s`
/// (seconds), `m` (minutes), `h` (hours), `d` (days of 24 h) or `w` (weeks of
/// 7 d), e.g. `30d`, `30m`, `2w`, `90s`. Surrounding whitespace and a space
/// between number and unit are allowed; the unit is case-sensitive (`m` is
/// minutes, never months).
///
/// # Errors
///
/// [`DurationError`] when the number or the unit is missing or invalid, or the
/// duration exceeds `u64::MAX` seconds.
///
/// # Example
///
/// ```
/// use attribution::assemble::parse_duration;
/// use std::time::Duration;
///
/// assert_eq!(parse_duration("30d")?, Duration::from_secs(30 * 86_400));
/// assert_eq!(parse_duration(" 30 m ")?, Duration::from_secs(1_800));
/// assert_eq!(parse_duration("1w")?, Duration::from_secs(604_800));
/// assert!(parse_duration("30").is_err());
/// assert!(parse_duration("1.5h").is_err());
/// assert!(parse_duration("3mo").is_err());
/// # Ok::<(), attribution::assemble::DurationError>(())
/// ```
pub fn parse_duration(text: &str) -> Result<Duration, DurationError> {
    let error = |reason| DurationError {
        text: text.to_owned(),
        reason,
    };
    let trimmed = text.trim();
    let split = trimmed
        .find(|c: char| !c.is_ascii_digit())
        .ok_or_else(|| error("missing unit (one of s, m, h, d, w)"))?;
    let (number, unit) = trimmed.split_at(split);
    if number.is_empty() {
        return Err(error("expected a non-negative integer before the unit"));
    }
    let seconds_per_unit: u64 = match unit.trim_start() {
        "s" => 1,
        "m" => 60,
        "h" => 3_600,
        "d" => 86_400,
        "w" => 604_800,
        _ => return Err(error("unknown unit (expected one of s, m, h, d, w)")),
    };
    let count: u64 = number.parse().map_err(|_| error("number too large"))?;
    let seconds = count
        .checked_mul(seconds_per_unit)
        .ok_or_else(|| error("duration too large"))?;
    Ok(Duration::from_secs(seconds))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_unit_and_every_error() {
        let secs = |t| parse_duration(t).map(|d| d.as_secs());
        assert_eq!(secs("0s"), Ok(0));
        assert_eq!(secs("45s"), Ok(45));
        assert_eq!(secs("2h"), Ok(7_200));
        assert_eq!(secs("3d"), Ok(259_200));
        assert_eq!(secs("2w"), Ok(1_209_600));
        for bad in [
            "",
            "d",
            "-1d",
            "1.5h",
            "10",
            "10 x",
            "1D",
            "1dd",
            "99999999999999999999s",
        ] {
            assert!(parse_duration(bad).is_err(), "{bad:?} accepted");
        }
        let e = parse_duration("5y").unwrap_err();
        assert_eq!(e.text(), "5y");
        assert!(e.to_string().contains("unknown unit"));
        assert_eq!(
            parse_duration("30000000000000000w").unwrap_err().reason(),
            "duration too large"
        );
    }
}
