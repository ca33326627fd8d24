//! The recipe's channel names and popularity weights.

use crate::channel::Channels;
use crate::error::SimulateError;

/// The channel names `ch00`..`chNN` for `count` channels, zero-padded to the
/// width of the largest index (at least two digits): 12 channels give
/// `ch00`..`ch11`, 150 give `ch000`..`ch149`.
///
/// # Example
///
/// ```
/// use attribution::simulate::channel_names;
///
/// assert_eq!(channel_names(3), ["ch00", "ch01", "ch02"]);
/// assert_eq!(channel_names(101)[100], "ch100");
/// ```
#[must_use]
pub fn channel_names(count: usize) -> Vec<String> {
    let width = digits(count.saturating_sub(1)).max(2);
    (0..count).map(|i| format!("ch{i:0width$}")).collect()
}

/// The table of [`channel_names`]`(count)`.
pub(crate) fn channel_table(count: usize) -> Result<Channels, SimulateError> {
    let mut channels = Channels::new();
    for name in channel_names(count) {
        channels.intern(&name)?;
    }
    Ok(channels)
}

/// Decimal digits of `n` (1 for 0).
fn digits(mut n: usize) -> usize {
    let mut d = 1;
    while n >= 10 {
        n /= 10;
        d += 1;
    }
    d
}

/// Zipf-like popularity: the channel of rank r (1-based) weighs
/// `1 / r^exponent`.
pub(crate) fn popularity_weights(count: usize, exponent: f64) -> Vec<f64> {
    (1..=count)
        .map(|rank| 1.0 / crate::numeric::count_to_f64(rank as u64).powf(exponent))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_zero_padded_to_the_widest_index() {
        assert_eq!(channel_names(1), ["ch00"]);
        let twelve = channel_names(12);
        assert_eq!(twelve.first().map(String::as_str), Some("ch00"));
        assert_eq!(twelve.last().map(String::as_str), Some("ch11"));
        assert_eq!(channel_names(50)[49], "ch49");
        assert_eq!(channel_names(100)[99], "ch99");
        assert_eq!(channel_names(101)[0], "ch000");
        assert!(channel_names(0).is_empty());
    }

    #[test]
    fn digits_counts_decimal_digits() {
        assert_eq!(digits(0), 1);
        assert_eq!(digits(9), 1);
        assert_eq!(digits(10), 2);
        assert_eq!(digits(1_000_000), 7);
    }

    #[test]
    fn popularity_decreases_with_rank() {
        let w = popularity_weights(3, 0.9);
        assert_eq!(w[0], 1.0);
        assert_eq!(w[1], 1.0 / 2f64.powf(0.9));
        assert!(w[1] > w[2]);
    }
}
