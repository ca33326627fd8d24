//! The truth file (`channel,true_conversions`): a [`TrueCredit`] as CSV.

use rustc_hash::FxHashMap;

use crate::channel::Channels;
use crate::error::TruthError;

use super::true_credit::TrueCredit;

const BASELINE: &str = "(baseline)";

impl TrueCredit {
    /// Writes the truth file: the header `channel,true_conversions`, one row
    /// per channel in this credit's order (the input's order of first
    /// appearance), then `(baseline)` when it is known. Numbers are Rust's
    /// shortest text that reads back to the same double.
    ///
    /// # Errors
    ///
    /// The I/O errors of `out`.
    ///
    /// # Example
    ///
    /// ```
    /// use attribution::truth::TrueCredit;
    ///
    /// let truth = TrueCredit::new(vec![("PPC".into(), 0.5), ("Email".into(), -0.25)], Some(2.0));
    /// let mut out = Vec::new();
    /// truth.write(&mut out)?;
    /// assert_eq!(
    ///     String::from_utf8(out)?,
    ///     "channel,true_conversions\nPPC,0.5\nEmail,-0.25\n(baseline),2\n"
    /// );
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn write<W: std::io::Write>(&self, out: W) -> std::io::Result<()> {
        let mut csv = csv::WriterBuilder::new().from_writer(out);
        csv.write_record(["channel", "true_conversions"])?;
        for (name, truth) in self.channels() {
            csv.write_record([name.as_str(), truth.to_string().as_str()])?;
        }
        if let Some(baseline) = self.baseline() {
            csv.write_record([BASELINE, baseline.to_string().as_str()])?;
        }
        csv.flush()
    }

    /// Reads a truth file (`channel,true_conversions`, as
    /// [`TrueCredit::write`] writes it) for the channels of an input. Names
    /// and values are trimmed, a UTF-8 byte-order mark is skipped, and the
    /// rows of the result come in the order of `input` whatever the file's
    /// order. The `(baseline)` row is optional.
    ///
    /// # Errors
    ///
    /// * [`TruthError::InvalidTruthRow`], with the 1-based line (the header is
    ///   line 1) and the channel: a channel outside `input`, a duplicate row,
    ///   a value that is not a number or not finite;
    /// * [`TruthError::MissingChannel`] (`file = "truth"`) for the first
    ///   channel of `input` without a row;
    /// * [`TruthError::Format`] for a missing or wrong header, a row without
    ///   exactly two fields, or bad CSV.
    ///
    /// # Example
    ///
    /// ```
    /// use attribution::Channels;
    /// use attribution::truth::TrueCredit;
    ///
    /// let mut input = Channels::new();
    /// input.intern("PPC")?;
    /// input.intern("Email")?;
    /// let text = "channel,true_conversions\nEmail,-0.25\nPPC,0.5\n";
    /// let truth = TrueCredit::read(text.as_bytes(), &input)?;
    /// assert_eq!(truth.channels(), [("PPC".to_owned(), 0.5), ("Email".to_owned(), -0.25)]);
    /// assert_eq!(truth.baseline(), None);
    ///
    /// let err = TrueCredit::read("channel,true_conversions\nPPC,1\n".as_bytes(), &input)
    ///     .unwrap_err();
    /// assert_eq!(err.to_string(), "channel `Email` of the input has no row in the truth file");
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn read<R: std::io::Read>(reader: R, input: &Channels) -> Result<TrueCredit, TruthError> {
        let mut csv = csv::ReaderBuilder::new()
            .has_headers(false)
            .flexible(true)
            .from_reader(reader);
        let mut values: Vec<Option<f64>> = vec![None; input.len()];
        let mut lines: FxHashMap<usize, u64> = FxHashMap::default();
        let mut baseline: Option<(f64, u64)> = None;
        let mut record = csv::StringRecord::new();
        let mut header = true;
        while csv
            .read_record(&mut record)
            .map_err(|e| TruthError::Format(format!("the truth file is not valid CSV: {e}")))?
        {
            let line = record.position().map_or(0, csv::Position::line);
            let fields: Vec<&str> = record.iter().map(str::trim).collect();
            if header {
                header = false;
                if fields != ["channel", "true_conversions"] {
                    return Err(TruthError::Format(format!(
                        "line {line}: the truth file needs the header `channel,true_conversions`, found `{}`",
                        fields.join(",")
                    )));
                }
                continue;
            }
            let [channel, value] = fields[..] else {
                return Err(TruthError::Format(format!(
                    "line {line}: a row of the truth file has two fields, \
                     `channel,true_conversions`; found {}",
                    fields.len()
                )));
            };
            let invalid = |reason: String| TruthError::InvalidTruthRow {
                line: Some(line),
                channel: channel.to_owned(),
                reason,
            };
            let number: f64 = value
                .parse()
                .map_err(|_| invalid(format!("the value `{value}` is not a number")))?;
            if !number.is_finite() {
                return Err(invalid(format!("the value `{value}` is not finite")));
            }
            if channel == BASELINE {
                if let Some((_, first)) = baseline {
                    return Err(invalid(format!("duplicate row (first on line {first})")));
                }
                baseline = Some((number, line));
                continue;
            }
            let index = input
                .get(channel)
                .filter(|_| !channel.is_empty())
                .map(crate::ChannelId::index)
                .ok_or_else(|| invalid("is not a channel of the input".to_owned()))?;
            if let Some(first) = lines.get(&index) {
                return Err(invalid(format!("duplicate row (first on line {first})")));
            }
            lines.insert(index, line);
            if let Some(slot) = values.get_mut(index) {
                *slot = Some(number);
            }
        }
        if header {
            return Err(TruthError::Format(
                "the truth file is empty: it needs the header `channel,true_conversions`"
                    .to_owned(),
            ));
        }
        let rows = input
            .iter()
            .zip(values)
            .map(|((_, name), value)| {
                value
                    .map(|v| (name.to_owned(), v))
                    .ok_or_else(|| TruthError::MissingChannel {
                        channel: name.to_owned(),
                        file: "truth",
                    })
            })
            .collect::<Result<Vec<_>, _>>()?;
        Ok(TrueCredit::new(rows, baseline.map(|(b, _)| b)))
    }
}
