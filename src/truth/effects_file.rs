//! The effects file (`term,value`): a [`TruthModel`] as CSV.

use rustc_hash::FxHashMap;

use crate::error::TruthError;

use super::model::{TruthModel, is_reserved};

const INTERCEPT: &str = "(intercept)";
const LENGTH: &str = "(length)";
const LENGTH_CAP: &str = "(length-cap)";
const HALF_LIFE: &str = "(recency-half-life)";

/// The parsed rows, before the model is built.
#[derive(Default)]
struct Rows {
    /// Reserved term → value.
    reserved: FxHashMap<&'static str, f64>,
    /// (name, β) in file order.
    channels: Vec<(String, f64)>,
    /// (a, b, γ, line, term as written) in file order.
    pairs: Vec<(String, String, f64, u64, String)>,
    /// Line of each term seen, by canonical key (pairs unordered).
    seen: FxHashMap<String, u64>,
}

impl TruthModel {
    /// Reads a model from an effects file: CSV with the header `term,value`
    /// and one row per term.
    ///
    /// | term | value | |
    /// |---|---|---|
    /// | `(intercept)` | b0 | required |
    /// | `(length)` | ℓ | required (0 for none) |
    /// | `(length-cap)` | K, a non-negative integer | required |
    /// | `(recency-half-life)` | h > 0 | optional; absent means presence |
    /// | a channel name | β_c | one row per channel |
    /// | `A * B` | γ_AB | optional |
    ///
    /// Terms and values are trimmed; values are decimal numbers (`2`, `-0.6`,
    /// `1e-7`). A term with ` * ` (space, star, space) is a pair of two
    /// trimmed channel names, and `A * B` and `B * A` are the same term; a
    /// term that starts or ends with a star set off by a space (`A *`) is a
    /// pair with an empty side. A term in parentheses is reserved, and only
    /// the four above exist. Any other term is a channel name,
    /// case-sensitive. A UTF-8 byte-order mark is skipped. `(length-cap)` may
    /// be written `2` or `2.0`; a pair may come before or after its
    /// channels' rows. Channels keep their file order.
    ///
    /// # Errors
    ///
    /// [`TruthError::InvalidTerm`], with the 1-based line (the header is
    /// line 1) and the term, for: an unknown reserved term; a duplicate term
    /// (pairs compared unordered); a value that is not a number or not
    /// finite; a `(length-cap)` that is negative, fractional or above
    /// `u32::MAX`; a `(recency-half-life)` ≤ 0; a pair with equal sides, an
    /// empty side, more than two sides or a side without a channel row.
    /// [`TruthError::MissingTerm`] for an absent `(intercept)`, `(length)` or
    /// `(length-cap)` (in that order). [`TruthError::Format`] for a missing
    /// or wrong header, a row without exactly two fields, or bad CSV.
    ///
    /// # Example
    ///
    /// ```
    /// use attribution::truth::TruthModel;
    ///
    /// let text = "term,value\n(intercept),-1.5\n(length),0.25\n(length-cap),2\n\
    ///             (recency-half-life),2\nPPC,0.2\nLandingPage,0.1\nEmail,-0.6\n\
    ///             LinkedIn,0.9\nPPC * LandingPage,0.5\n";
    /// let model = TruthModel::read(text.as_bytes())?;
    /// assert_eq!(model.half_life(), Some(2.0));
    /// assert_eq!(model.gamma("LandingPage", "PPC"), Some(0.5));
    /// let mut out = Vec::new();
    /// model.write(&mut out)?;
    /// assert_eq!(String::from_utf8(out)?, text);
    ///
    /// let err = TruthModel::read("term,value\n(intercept),-1\n(lenght),0\n".as_bytes())
    ///     .unwrap_err();
    /// assert!(err.to_string().starts_with("line 3: term `(lenght)`: unknown reserved term"));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn read<R: std::io::Read>(reader: R) -> Result<TruthModel, TruthError> {
        let mut csv = csv::ReaderBuilder::new()
            .has_headers(false)
            .flexible(true)
            .from_reader(reader);
        let mut rows = Rows::default();
        let mut record = csv::StringRecord::new();
        let mut header = true;
        while csv.read_record(&mut record).map_err(format_error)? {
            let line = record.position().map_or(0, csv::Position::line);
            let fields: Vec<&str> = record.iter().map(str::trim).collect();
            if header {
                header = false;
                if fields != ["term", "value"] {
                    return Err(TruthError::Format(format!(
                        "line {line}: the effects file needs the header `term,value`, found `{}`",
                        fields.join(",")
                    )));
                }
                continue;
            }
            let [term, value] = fields[..] else {
                return Err(TruthError::Format(format!(
                    "line {line}: a row of the effects file has two fields, `term,value`; found {}",
                    fields.len()
                )));
            };
            rows.add(term, value, line)?;
        }
        if header {
            return Err(TruthError::Format(
                "the effects file is empty: it needs the header `term,value`".to_owned(),
            ));
        }
        rows.build()
    }

    /// Writes the model as an effects file (see [`TruthModel::read`]): the
    /// header `term,value`, then `(intercept)`, `(length)`, `(length-cap)`,
    /// `(recency-half-life)` when set, the channels in channel (insertion)
    /// order, then the pairs, each written `A * B` with A before B in channel
    /// order, sorted by (A, B). Numbers are Rust's shortest text that reads
    /// back to the same double (integers without a decimal point, no
    /// exponent), so reading the file gives back the same doubles, `-0`
    /// included.
    ///
    /// # Errors
    ///
    /// The I/O errors of `out`.
    pub fn write<W: std::io::Write>(&self, out: W) -> std::io::Result<()> {
        let mut csv = csv::WriterBuilder::new().from_writer(out);
        let mut row = |term: &str, value: String| csv.write_record([term, value.as_str()]);
        row("term", "value".to_owned())?;
        row(INTERCEPT, self.intercept().to_string())?;
        row(LENGTH, self.length().to_string())?;
        row(LENGTH_CAP, self.length_cap().to_string())?;
        if let Some(h) = self.half_life() {
            row(HALF_LIFE, h.to_string())?;
        }
        for (name, beta) in self.channels() {
            row(name, beta.to_string())?;
        }
        let position = |name: &str| self.channels().iter().position(|(n, _)| n == name);
        let mut pairs: Vec<(usize, usize, f64)> = self
            .pairs()
            .iter()
            .filter_map(|(a, b, g)| {
                let (i, j) = (position(a)?, position(b)?);
                Some((i.min(j), i.max(j), *g))
            })
            .collect();
        pairs.sort_by_key(|&(i, j, _)| (i, j));
        for (i, j, g) in pairs {
            if let (Some((a, _)), Some((b, _))) = (self.channels().get(i), self.channels().get(j)) {
                row(&format!("{a} * {b}"), g.to_string())?;
            }
        }
        csv.flush()
    }
}

impl Rows {
    /// Parses one row and checks what can be checked alone.
    fn add(&mut self, term: &str, value: &str, line: u64) -> Result<(), TruthError> {
        let invalid = |reason: String| TruthError::InvalidTerm {
            line: Some(line),
            term: term.to_owned(),
            reason,
        };
        let number = parse_number(value).map_err(invalid)?;
        if let Some(sides) = pair_sides(term) {
            let [a, b] = sides[..] else {
                return Err(invalid(format!(
                    "a pair has two sides `A * B`, this one has {}",
                    sides.len()
                )));
            };
            if a.is_empty() || b.is_empty() {
                return Err(invalid("a pair side is empty".to_owned()));
            }
            if a == b {
                return Err(invalid("a pair needs two different channels".to_owned()));
            }
            let key = if a <= b {
                format!("{a} * {b}")
            } else {
                format!("{b} * {a}")
            };
            self.first_time(key, line).map_err(invalid)?;
            self.pairs
                .push((a.to_owned(), b.to_owned(), number, line, term.to_owned()));
        } else if is_reserved(term) {
            let name = [INTERCEPT, LENGTH, LENGTH_CAP, HALF_LIFE]
                .into_iter()
                .find(|&r| r == term)
                .ok_or_else(|| {
                    invalid(format!(
                        "unknown reserved term (the reserved terms are {INTERCEPT}, {LENGTH}, \
                         {LENGTH_CAP} and {HALF_LIFE})"
                    ))
                })?;
            self.first_time(term.to_owned(), line).map_err(invalid)?;
            if name == LENGTH_CAP {
                cap_of(number).map_err(invalid)?;
            }
            if name == HALF_LIFE && number <= 0.0 {
                return Err(invalid(format!("the half-life must be > 0, got {value}")));
            }
            self.reserved.insert(name, number);
        } else if term.is_empty() {
            return Err(invalid("the term is empty".to_owned()));
        } else {
            self.first_time(term.to_owned(), line).map_err(invalid)?;
            self.channels.push((term.to_owned(), number));
        }
        Ok(())
    }

    /// Records the first line of a term; a second one is a duplicate.
    fn first_time(&mut self, key: String, line: u64) -> Result<(), String> {
        match self.seen.get(&key) {
            Some(first) => Err(format!("duplicate term (first on line {first})")),
            None => {
                self.seen.insert(key, line);
                Ok(())
            }
        }
    }

    /// The model, once every row is read.
    fn build(self) -> Result<TruthModel, TruthError> {
        let required = |name: &'static str| {
            self.reserved
                .get(name)
                .copied()
                .ok_or(TruthError::MissingTerm(name))
        };
        let intercept = required(INTERCEPT)?;
        let length = required(LENGTH)?;
        let cap = cap_of(required(LENGTH_CAP)?).map_err(|reason| TruthError::InvalidTerm {
            line: None,
            term: LENGTH_CAP.to_owned(),
            reason,
        })?;
        let mut model = TruthModel::new(intercept, length, cap)?;
        if let Some(&h) = self.reserved.get(HALF_LIFE) {
            model = model.with_half_life(h)?;
        }
        for (name, beta) in &self.channels {
            model.add_channel(name, *beta)?;
        }
        for (a, b, gamma, line, term) in self.pairs {
            for side in [&a, &b] {
                if model.beta(side).is_none() {
                    return Err(TruthError::InvalidTerm {
                        line: Some(line),
                        term,
                        reason: format!("`{side}` has no channel row of its own"),
                    });
                }
            }
            model
                .add_pair(&a, &b, gamma)
                .map_err(|e| with_line(e, line, &term))?;
        }
        Ok(model)
    }
}

/// The trimmed sides of a pair term, or `None` for a term that is not a
/// pair. The term is padded with a space on each side before splitting on
/// ` * `, so `A *` and `* B` are pairs with an empty side.
fn pair_sides(term: &str) -> Option<Vec<&str>> {
    let padded = format!(" {term} ");
    if !padded.contains(" * ") {
        return None;
    }
    // Split the original term at the same places: an offset of one in the
    // padded text is the start of the term.
    let mut sides = Vec::new();
    let mut start = 0usize;
    let mut from = 0usize;
    while let Some(found) = padded.get(from..).and_then(|rest| rest.find(" * ")) {
        let at = from + found;
        // The separator covers padded[at..at + 3], i.e. term[at - 1..at + 2].
        let end = at.saturating_sub(1).max(start);
        sides.push(term.get(start..end).unwrap_or("").trim());
        start = (at + 2).min(term.len());
        from = at + 2;
    }
    sides.push(term.get(start..).unwrap_or("").trim());
    Some(sides)
}

/// A decimal number, finite.
fn parse_number(value: &str) -> Result<f64, String> {
    let number: f64 = value
        .parse()
        .map_err(|_| format!("the value `{value}` is not a number"))?;
    if number.is_finite() {
        Ok(number)
    } else {
        Err(format!("the value `{value}` is not finite"))
    }
}

/// `(length-cap)`: a non-negative integer that fits in a `u32`.
fn cap_of(value: f64) -> Result<u32, String> {
    if value < 0.0 {
        return Err(format!(
            "the length cap must be a non-negative integer, got {value}"
        ));
    }
    if value.fract() != 0.0 {
        return Err(format!(
            "the length cap must be an integer, got the fraction {value}"
        ));
    }
    if value > f64::from(u32::MAX) {
        return Err(format!(
            "the length cap {value} is above the largest supported, {}",
            u32::MAX
        ));
    }
    // Checked above: an integer in 0..=u32::MAX, so the cast is exact.
    #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
    let cap = value as u32;
    Ok(cap)
}

fn with_line(error: TruthError, line: u64, term: &str) -> TruthError {
    match error {
        TruthError::InvalidTerm { reason, .. } => TruthError::InvalidTerm {
            line: Some(line),
            term: term.to_owned(),
            reason,
        },
        other => other,
    }
}

fn format_error(error: csv::Error) -> TruthError {
    TruthError::Format(format!("the effects file is not valid CSV: {error}"))
}
