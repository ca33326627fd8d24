//! Parsing of single fields: counts, values, conversion flags.
//!
//! Every function takes the field already trimmed and returns the kind of
//! error only; the reader adds line, column and text.

use crate::error::{ReadErrorKind, ReadHint};

/// The longest number rewritten for a decimal comma; longer text is no
/// number any reader accepts.
const MAX_COMMA_NUMBER: usize = 64;

/// Whether `s` is a number with a decimal comma: `[+-]?digits,digits`
/// (`120,00`, `-0,5`).
pub(crate) fn has_decimal_comma(s: &str) -> bool {
    let unsigned = s.strip_prefix(['+', '-']).unwrap_or(s);
    let all_digits = |x: &str| !x.is_empty() && x.bytes().all(|b| b.is_ascii_digit());
    unsigned
        .split_once(',')
        .is_some_and(|(whole, fraction)| all_digits(whole) && all_digits(fraction))
}

/// Parses the number field `s` with `parse`. With `decimal_comma`, a decimal
/// comma (see [`has_decimal_comma`]) reads as a point: `120,5` is `120.5`
/// and, as a count, `3,0` is 3. On failure returns the error kind and, when
/// decimal commas are off and `s` has one, [`ReadHint::DecimalComma`].
#[inline]
pub(crate) fn parse_number<T>(
    s: &str,
    decimal_comma: bool,
    parse: impl Fn(&str) -> Result<T, ReadErrorKind>,
) -> Result<T, (ReadErrorKind, Option<ReadHint>)> {
    // The common case, no comma at all, without the full check: every
    // count and value of every row comes through here.
    if !s.as_bytes().contains(&b',') || !has_decimal_comma(s) {
        return parse(s).map_err(|kind| (kind, None));
    }
    if !decimal_comma {
        return parse(s).map_err(|kind| (kind, Some(ReadHint::DecimalComma)));
    }
    let mut buf = [0u8; MAX_COMMA_NUMBER];
    let Some(slot) = buf.get_mut(..s.len()) else {
        return parse(s).map_err(|kind| (kind, None));
    };
    slot.copy_from_slice(s.as_bytes());
    for b in slot.iter_mut() {
        if *b == b',' {
            *b = b'.';
        }
    }
    // ASCII in, ASCII out.
    let text = std::str::from_utf8(slot).unwrap_or(s);
    parse(text).map_err(|kind| (kind, None))
}

/// Integral float spellings (`3.0`, `3e2`) are accepted up to 2^53, where
/// every integer is still exactly representable; larger counts must be
/// written as integers.
const MAX_FLOAT_COUNT: f64 = 9_007_199_254_740_992.0;

/// A non-negative integer count.
///
/// Accepts decimal integers and integral float spellings (`3.0`, `3e2`, as
/// written by pandas) up to 2^53; a larger integer is
/// [`ReadErrorKind::CountTooLarge`]. Rejects fractions
/// ([`ReadErrorKind::FractionalCount`]), negatives
/// ([`ReadErrorKind::NegativeCount`]), anything else including NaN, infinity
/// and overflow ([`ReadErrorKind::InvalidCount`]) and the empty field
/// ([`ReadErrorKind::EmptyField`]).
pub(crate) fn parse_count(s: &str) -> Result<u64, ReadErrorKind> {
    if s.is_empty() {
        return Err(ReadErrorKind::EmptyField);
    }
    if s.bytes().all(|b| b.is_ascii_digit()) {
        let mut n: u64 = 0;
        for b in s.bytes() {
            n = n
                .checked_mul(10)
                .and_then(|n| n.checked_add(u64::from(b - b'0')))
                .ok_or(ReadErrorKind::InvalidCount)?;
        }
        return exact_count(n);
    }
    let x: f64 = s.parse().map_err(|_| ReadErrorKind::InvalidCount)?;
    if !x.is_finite() {
        return Err(ReadErrorKind::InvalidCount);
    }
    if x < 0.0 {
        return Err(ReadErrorKind::NegativeCount);
    }
    if x.fract() != 0.0 {
        return Err(ReadErrorKind::FractionalCount);
    }
    if x > MAX_FLOAT_COUNT {
        return Err(ReadErrorKind::InvalidCount);
    }
    // x is integral and in [0, 2^53]: the conversion is exact.
    #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
    Ok(x as u64)
}

/// `n` when the models can carry it exactly (at most
/// [`MAX_EXACT_COUNT`](crate::numeric::MAX_EXACT_COUNT) = 2^53), else
/// [`ReadErrorKind::CountTooLarge`]: larger counts would be rounded.
fn exact_count(n: u64) -> Result<u64, ReadErrorKind> {
    if n > crate::numeric::MAX_EXACT_COUNT {
        return Err(ReadErrorKind::CountTooLarge);
    }
    Ok(n)
}

/// A finite, non-negative value; the empty field is 0.
pub(crate) fn parse_value(s: &str) -> Result<f64, ReadErrorKind> {
    if s.is_empty() {
        return Ok(0.0);
    }
    match s.parse::<f64>() {
        Ok(x) if x.is_finite() && x >= 0.0 => Ok(x + 0.0),
        _ => Err(ReadErrorKind::InvalidValue),
    }
}

/// The `converted` column of the journeys shape: `true`/`false` (any ASCII
/// case) or a count as in [`parse_count`]. Text that is not a number is
/// [`ReadErrorKind::InvalidFlag`].
pub(crate) fn parse_converted(s: &str) -> Result<u64, ReadErrorKind> {
    if s.eq_ignore_ascii_case("true") {
        return Ok(1);
    }
    if s.eq_ignore_ascii_case("false") {
        return Ok(0);
    }
    match parse_count(s) {
        Err(ReadErrorKind::InvalidCount) if s.parse::<f64>().is_err() => {
            Err(ReadErrorKind::InvalidFlag)
        }
        other => other,
    }
}

/// `str::trim` with a fast path for ASCII edges: strips the ASCII bytes that
/// `char::is_whitespace` accepts, then defers to `str::trim` only when an
/// edge is non-ASCII (U+00A0, U+3000, …). Same result as `s.trim()`.
#[inline]
pub(crate) fn trim(s: &str) -> &str {
    const fn is_ascii_space(b: u8) -> bool {
        matches!(b, b' ' | b'\t' | b'\n' | 0x0B | 0x0C | b'\r')
    }
    let bytes = s.as_bytes();
    let start = bytes
        .iter()
        .position(|&b| !is_ascii_space(b))
        .unwrap_or(bytes.len());
    let end = bytes
        .iter()
        .rposition(|&b| !is_ascii_space(b))
        .map_or(start, |i| i + 1);
    // `start` and `end` sit next to ASCII bytes, so they are char boundaries.
    let inner = s.get(start..end).unwrap_or_default();
    match (inner.as_bytes().first(), inner.as_bytes().last()) {
        (Some(&a), Some(&b)) if a >= 0x80 || b >= 0x80 => inner.trim(),
        _ => inner,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts() {
        assert_eq!(parse_count("0"), Ok(0));
        assert_eq!(parse_count("42"), Ok(42));
        assert_eq!(parse_count("9007199254740992"), Ok(1 << 53));
        assert_eq!(
            parse_count("9007199254740993"),
            Err(ReadErrorKind::CountTooLarge)
        );
        assert_eq!(
            parse_count("18446744073709551615"),
            Err(ReadErrorKind::CountTooLarge)
        );
        assert_eq!(
            parse_count("18446744073709551616"),
            Err(ReadErrorKind::InvalidCount)
        );
        assert_eq!(parse_count("3.0"), Ok(3));
        assert_eq!(parse_count("3e2"), Ok(300));
        assert_eq!(parse_count("+7"), Ok(7));
        assert_eq!(parse_count("-0"), Ok(0));
        assert_eq!(parse_count("9007199254740992.0"), Ok(1 << 53));
        assert_eq!(parse_count("1e17"), Err(ReadErrorKind::InvalidCount));
        assert_eq!(parse_count("1.5"), Err(ReadErrorKind::FractionalCount));
        assert_eq!(parse_count("-1"), Err(ReadErrorKind::NegativeCount));
        assert_eq!(parse_count("-1.5"), Err(ReadErrorKind::NegativeCount));
        for bad in ["abc", "nan", "NaN", "inf", "-inf", "1,5", "0x10", "1 2"] {
            assert_eq!(parse_count(bad), Err(ReadErrorKind::InvalidCount), "{bad}");
        }
        assert_eq!(parse_count(""), Err(ReadErrorKind::EmptyField));
    }

    #[test]
    fn values() {
        assert_eq!(parse_value(""), Ok(0.0));
        assert_eq!(parse_value("120"), Ok(120.0));
        assert_eq!(parse_value("0.1"), Ok(0.1));
        assert_eq!(parse_value("1e3"), Ok(1000.0));
        assert!(parse_value("-0").unwrap().is_sign_positive());
        for bad in ["-1", "nan", "inf", "-inf", "x", "1e400"] {
            assert_eq!(parse_value(bad), Err(ReadErrorKind::InvalidValue), "{bad}");
        }
    }

    #[test]
    fn conversion_flags() {
        assert_eq!(parse_converted("1"), Ok(1));
        assert_eq!(parse_converted("0"), Ok(0));
        assert_eq!(parse_converted("TRUE"), Ok(1));
        assert_eq!(parse_converted("False"), Ok(0));
        assert_eq!(parse_converted("3"), Ok(3));
        assert_eq!(parse_converted("yes"), Err(ReadErrorKind::InvalidFlag));
        assert_eq!(parse_converted("0.5"), Err(ReadErrorKind::FractionalCount));
        assert_eq!(parse_converted("-1"), Err(ReadErrorKind::NegativeCount));
        assert_eq!(parse_converted(""), Err(ReadErrorKind::EmptyField));
    }

    #[test]
    fn decimal_commas() {
        for yes in ["120,00", "0,5", "-1,5", "+3,0", "1,234"] {
            assert!(has_decimal_comma(yes), "{yes}");
        }
        for no in [
            "120", "120.5", ",5", "5,", "1,2,3", "1.234,5", "1 ,5", "a,b", "",
        ] {
            assert!(!has_decimal_comma(no), "{no}");
        }
        assert_eq!(parse_number("120,25", true, parse_value), Ok(120.25));
        assert_eq!(parse_number("120.25", true, parse_value), Ok(120.25));
        assert_eq!(parse_number("3,0", true, parse_count), Ok(3));
        assert_eq!(
            parse_number("1,5", true, parse_count),
            Err((ReadErrorKind::FractionalCount, None))
        );
        assert_eq!(
            parse_number("-1,5", true, parse_value),
            Err((ReadErrorKind::InvalidValue, None))
        );
        assert_eq!(
            parse_number("120,25", false, parse_value),
            Err((ReadErrorKind::InvalidValue, Some(ReadHint::DecimalComma)))
        );
        assert_eq!(
            parse_number("3,0", false, parse_count),
            Err((ReadErrorKind::InvalidCount, Some(ReadHint::DecimalComma)))
        );
        assert_eq!(
            parse_number("1.234,5", false, parse_value),
            Err((ReadErrorKind::InvalidValue, None))
        );
        let long = format!("1,{}", "0".repeat(MAX_COMMA_NUMBER));
        assert_eq!(
            parse_number(&long, true, parse_value),
            Err((ReadErrorKind::InvalidValue, None))
        );
    }

    #[test]
    fn fast_trim_agrees_with_str_trim() {
        for s in [
            "",
            " ",
            "a",
            " a ",
            "\t\r\n a b \x0b\x0c",
            "\u{a0}x\u{3000}",
            " \u{a0} x \u{85}",
            "\u{3000}",
            "ایمیل ",
            " 広告 🚀",
            "\u{2003}\u{a0}",
        ] {
            assert_eq!(trim(s), s.trim(), "{s:?}");
        }
    }
}
