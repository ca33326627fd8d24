//! The header record of every input shape: read it (an empty input, an
//! unterminated quote, names that are not UTF-8), and match its names to the
//! columns a reader looks for (missing, unknown and duplicate columns, with
//! a hint at the shape the header looks like).
//!
//! The journey readers (`paths`, `journeys`) and the event reader report a
//! few header problems in different words; [`Rules`] names each difference,
//! so that both readers go through this one resolver and keep their
//! messages.

use std::io::Read;

use crate::error::{ReadError, ReadErrorKind, ReadHint};
use crate::io::records::{Next, RecordReader, open_quote_error};
use crate::io::shape::guess_shape;

/// How a reader words header problems.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Rules {
    /// The reader's shape, left out of the "looks like" hints.
    pub(crate) shape: &'static str,
    /// An empty input is an error at line 1, and so is a header whose fields
    /// are all blank (the event reader); else an empty input names no line.
    pub(crate) empty_at_line: bool,
    /// A header name that is not UTF-8 names its column as `#n`.
    pub(crate) utf8_column: bool,
    /// Unknown and duplicate column errors carry the name as their text.
    pub(crate) name_as_text: bool,
    /// The first unknown column is reported as soon as it is seen, before
    /// any missing one (the journey readers); else after the missing ones.
    pub(crate) unknown_first: bool,
}

impl Rules {
    /// The rules of the `paths` and `journeys` readers.
    pub(crate) const fn journeys(shape: &'static str) -> Self {
        Self {
            shape,
            empty_at_line: false,
            utf8_column: true,
            name_as_text: true,
            unknown_first: true,
        }
    }

    /// The rules of the event reader.
    pub(crate) const EVENTS: Self = Self {
        shape: "events",
        empty_at_line: true,
        utf8_column: false,
        name_as_text: false,
        unknown_first: false,
    };
}

/// A column a reader looks for.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Wanted<'a> {
    /// Its name in the header (trimmed).
    pub(crate) name: &'a str,
    /// Whether a header without it is an error.
    pub(crate) required: bool,
}

/// The header record: its names, trimmed, in file order.
#[derive(Debug)]
pub(crate) struct Header {
    names: Vec<String>,
    line: u64,
    rules: Rules,
}

impl Header {
    /// Reads the first record of `records` as the header.
    pub(crate) fn read<R: Read>(
        records: &mut RecordReader<R>,
        rules: Rules,
    ) -> Result<Self, ReadError> {
        let empty = || {
            let e = ReadError::new(ReadErrorKind::EmptyFile);
            if rules.empty_at_line { e.at_line(1) } else { e }
        };
        match records
            .read_record()
            .map_err(crate::io::records::io_error)?
        {
            Next::Record => {}
            Next::OpenQuote(open) => return Err(open_quote_error(&open, None)),
            Next::End => return Err(empty()),
        }
        let record = records.record();
        let line = records.line();
        let fields = (0..record.len()).map(|i| record.field(i).unwrap_or_default());
        if rules.empty_at_line
            && fields
                .clone()
                .all(|f| f.iter().all(u8::is_ascii_whitespace))
        {
            return Err(ReadError::new(ReadErrorKind::EmptyFile).at_line(line));
        }
        let mut names = Vec::with_capacity(record.len());
        for (i, raw) in fields.enumerate() {
            let name = std::str::from_utf8(raw).map_err(|_| {
                let e = ReadError::new(ReadErrorKind::InvalidUtf8).at_line(line);
                let e = if rules.utf8_column {
                    e.in_column(format!("#{}", i + 1))
                } else {
                    e
                };
                e.with_text(&String::from_utf8_lossy(raw))
            })?;
            names.push(name.trim().to_owned());
        }
        Ok(Self { names, line, rules })
    }

    /// The names, trimmed, in file order.
    pub(crate) fn names(&self) -> &[String] {
        &self.names
    }

    /// The names, for the reader to keep (error messages name columns).
    pub(crate) fn into_names(self) -> Vec<String> {
        self.names
    }

    /// The field index of each of `wanted` (`None` for an optional column
    /// the header lacks). A name matches the first of `wanted` with that
    /// name.
    ///
    /// Errors, all on the header's line and naming the column:
    /// [`ReadErrorKind::DuplicateColumn`] (the first repeated name, in
    /// header order), [`ReadErrorKind::MissingColumn`] (the first missing
    /// required column, in `wanted` order) and, unless `ignore_unknown`,
    /// [`ReadErrorKind::UnknownColumn`] (the first unknown name); the last
    /// two carry a [`ReadHint`] with the shape the header looks like.
    pub(crate) fn resolve(
        &self,
        wanted: &[Wanted<'_>],
        ignore_unknown: bool,
    ) -> Result<Vec<Option<usize>>, ReadError> {
        let rules = self.rules;
        let looks_like = guess_shape(&self.names).filter(|s| *s != rules.shape);
        let error = |kind: ReadErrorKind, name: &str| {
            let e = ReadError::new(kind).at_line(self.line).in_column(name);
            if rules.name_as_text {
                e.with_text(name)
            } else {
                e
            }
        };
        let unknown_error = |name: &str| {
            error(ReadErrorKind::UnknownColumn(name.to_owned()), name)
                .with_hint(ReadHint::UnknownColumn { looks_like })
        };
        let mut found = vec![None; wanted.len()];
        let mut unknown = None;
        for (i, name) in self.names.iter().enumerate() {
            match wanted.iter().position(|w| w.name == name) {
                Some(role) => match found.get_mut(role) {
                    Some(slot @ None) => *slot = Some(i),
                    _ => return Err(error(ReadErrorKind::DuplicateColumn(name.clone()), name)),
                },
                None if ignore_unknown => {}
                None if rules.unknown_first => return Err(unknown_error(name)),
                None => unknown = unknown.or(Some(name)),
            }
        }
        for (w, slot) in wanted.iter().zip(&found) {
            if w.required && slot.is_none() {
                return Err(
                    ReadError::new(ReadErrorKind::MissingColumn(w.name.to_owned()))
                        .at_line(self.line)
                        .in_column(w.name)
                        .with_hint(ReadHint::MissingColumn { looks_like }),
                );
            }
        }
        match unknown {
            Some(name) => Err(unknown_error(name)),
            None => Ok(found),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::io::records::io_error;

    fn header(text: impl AsRef<[u8]>, rules: Rules) -> Result<Header, ReadError> {
        let mut records = RecordReader::new(text.as_ref(), None).map_err(io_error)?;
        Header::read(&mut records, rules)
    }

    const WANTED: [Wanted<'static>; 2] = [
        Wanted {
            name: "a",
            required: true,
        },
        Wanted {
            name: "b",
            required: false,
        },
    ];

    #[test]
    fn the_two_rule_sets_differ_only_where_they_say() {
        let journeys = Rules::journeys("paths");
        let found = header(" b , a \n", journeys)
            .and_then(|h| h.resolve(&WANTED, false))
            .unwrap();
        assert_eq!(found, [Some(1), Some(0)]);
        // Unknown and missing: the journey readers report the unknown column
        // (with its name as text), the event reader the missing one.
        let e = header("x\n", journeys)
            .and_then(|h| h.resolve(&WANTED, false))
            .unwrap_err();
        assert_eq!(
            e.to_string(),
            "line 1, column `x`: unknown column `x`: \"x\" (ignore unknown columns, or map the column to a role)"
        );
        let e = header("x\n", Rules::EVENTS)
            .and_then(|h| h.resolve(&WANTED, false))
            .unwrap_err();
        assert_eq!(
            e.to_string(),
            "line 1, column `a`: missing column `a` (map a differently named column to its role)"
        );
        let e = header("x,a\n", Rules::EVENTS)
            .and_then(|h| h.resolve(&WANTED, false))
            .unwrap_err();
        assert_eq!(
            e.to_string(),
            "line 1, column `x`: unknown column `x` (ignore unknown columns, or map the column to a role)"
        );
        assert_eq!(
            header("x,a\n", Rules::EVENTS)
                .and_then(|h| h.resolve(&WANTED, true))
                .unwrap(),
            [Some(1), None]
        );
        // Duplicates.
        let e = header("a,a\n", journeys)
            .and_then(|h| h.resolve(&WANTED, false))
            .unwrap_err();
        assert_eq!(
            e.to_string(),
            "line 1, column `a`: duplicate column `a`: \"a\""
        );
        let e = header("a,a\n", Rules::EVENTS)
            .and_then(|h| h.resolve(&WANTED, false))
            .unwrap_err();
        assert_eq!(e.to_string(), "line 1, column `a`: duplicate column `a`");
        // Empty inputs and blank headers.
        let e = header("", journeys).unwrap_err();
        assert_eq!(e.to_string(), "empty input: no header row");
        let e = header("", Rules::EVENTS).unwrap_err();
        assert_eq!(e.to_string(), "line 1: empty input: no header row");
        let e = header("\n , \n", Rules::EVENTS).unwrap_err();
        assert_eq!(e.to_string(), "line 2: empty input: no header row");
        let names = header("\n , \n", journeys).unwrap().into_names();
        assert_eq!(names, ["", ""]);
        // A name that is not UTF-8.
        let e = header(b"a,\xE9\n", journeys).unwrap_err();
        assert_eq!(
            e.to_string(),
            "line 1, column `#2`: invalid UTF-8: \"\u{fffd}\""
        );
        let e = header(b"a,\xE9\n", Rules::EVENTS).unwrap_err();
        assert_eq!(e.to_string(), "line 1: invalid UTF-8: \"\u{fffd}\"");
    }
}
