//! The paths-shape CSV writer both modes share.

use std::io::{self, Write};

/// `path,total_conversions,total_null,total_conversion_value` with
/// `delimiter`.
pub(crate) fn write_header<W: Write>(out: &mut W, delimiter: char) -> io::Result<()> {
    writeln!(
        out,
        "path{delimiter}total_conversions{delimiter}total_null{delimiter}total_conversion_value"
    )
}

/// One row: the touches' names joined by `separator` (quoted when the field
/// holds the delimiter or a quote), the counts, and the value written with
/// three decimals.
///
/// # Errors
///
/// [`io::ErrorKind::InvalidInput`] when a name holds a line break (the
/// readers reject line breaks inside fields) or the separator's trimmed
/// text (it would split into other channels when read back); errors of
/// `out`.
pub(crate) fn write_row<'a, W: Write>(
    out: &mut W,
    names: impl Iterator<Item = &'a str> + Clone,
    separator: &str,
    delimiter: char,
    conversions: u64,
    nulls: u64,
    value: f64,
) -> io::Result<()> {
    let split = separator.trim();
    let mut quote = false;
    for name in names.clone() {
        if name.contains(['\n', '\r']) || (!split.is_empty() && name.contains(split)) {
            return Err(io::Error::new(
                io::ErrorKind::InvalidInput,
                format!(
                    "channel {name:?} cannot be written in a paths file (it holds a line break \
                     or the path separator {separator:?})"
                ),
            ));
        }
        quote |= name.contains(delimiter) || name.contains('"');
    }
    if quote {
        out.write_all(b"\"")?;
    }
    for (i, name) in names.enumerate() {
        if i > 0 {
            out.write_all(separator.as_bytes())?;
        }
        if quote {
            out.write_all(name.replace('"', "\"\"").as_bytes())?;
        } else {
            out.write_all(name.as_bytes())?;
        }
    }
    if quote {
        out.write_all(b"\"")?;
    }
    writeln!(
        out,
        "{delimiter}{conversions}{delimiter}{nulls}{delimiter}{value:.3}"
    )
}
