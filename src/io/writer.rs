//! [`write_journeys`]: the journeys shape, written so that it reads back identically.

use std::io::{self, Write};

use chrono::{DateTime, SecondsFormat, Utc};

use crate::journey::{Journey, JourneySet};

/// Writes `set` as CSV in the journeys shape, comma-delimited, touches and
/// touch times joined by `sep`.
///
/// Columns: `journey_id` always; `journey_index` only if some journey has
/// one (see [`Journey::journey_index`]); `path,converted` always; then
/// `non_converted` only if
/// some journey's non-conversions differ from the journeys-shape default (1
/// when it has no conversion, 0 otherwise), as for aggregated paths; `value`
/// always; `touch_times` only if some journey is timed; `conversion_time`
/// only if some journey has one. Values are written in the shortest form
/// that reads back to the same `f64`, timestamps in RFC 3339 UTC with `Z`
/// and as many fractional digits as needed. A journey without id gets an
/// empty `journey_id`.
///
/// Reading the output with `ReaderBuilder::new(Shape::Journeys).separator(sep)`
/// gives back an equal [`JourneySet`], provided the channel table holds no
/// channel that no journey uses (such channels are not written).
///
/// # Errors
///
/// [`io::ErrorKind::InvalidInput`] when the output would not read back
/// identically: an empty `sep`, a channel name or timestamp that contains
/// `sep` in a way that changes the split, a channel name or journey id with
/// a line break (the readers reject line breaks inside quoted fields), or a
/// journey id that is empty or has surrounding whitespace. Errors of `w`.
///
/// # Example
///
/// ```
/// use attribution::io::{write_journeys, ReaderBuilder, Shape};
/// use attribution::{Channels, Journey, JourneySet};
///
/// let mut set = JourneySet::new(Channels::new());
/// let ppc = set.channels_mut().intern("PPC")?;
/// let email = set.channels_mut().intern("Email")?;
/// set.push(Journey::from_channels(&[ppc, email], 1, 0, 120.5)?.with_id("J1"))?;
/// set.push(Journey::from_channels(&[email], 0, 1, 0.0)?)?;
/// let mut out = Vec::new();
/// write_journeys(&set, &mut out, " > ")?;
/// let text = String::from_utf8(out)?;
/// assert_eq!(text, "journey_id,path,converted,value\nJ1,PPC > Email,1,120.5\n,Email,0,0\n");
/// let (back, _) = ReaderBuilder::new(Shape::Journeys).from_reader(text.as_bytes())?.read_all()?;
/// assert_eq!(back, set);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn write_journeys<W: Write>(set: &JourneySet, w: W, sep: &str) -> Result<(), io::Error> {
    if sep.is_empty() {
        return Err(invalid("the path separator is empty".to_owned()));
    }
    let journeys = set.journeys();
    let with_nulls = journeys
        .iter()
        .any(|j| j.non_conversions() != u64::from(j.conversions() == 0));
    let with_times = journeys.iter().any(Journey::is_timed);
    let with_conversion_time = journeys.iter().any(|j| j.conversion_time().is_some());
    let with_index = journeys.iter().any(|j| j.journey_index().is_some());

    let mut out = csv::WriterBuilder::new().from_writer(w);
    let mut header = vec!["journey_id"];
    if with_index {
        header.push("journey_index");
    }
    header.extend(["path", "converted"]);
    if with_nulls {
        header.push("non_converted");
    }
    header.push("value");
    if with_times {
        header.push("touch_times");
    }
    if with_conversion_time {
        header.push("conversion_time");
    }
    out.write_record(&header)?;

    let channels = set.channels();
    let mut names: Vec<&str> = Vec::new();
    let mut stamps: Vec<String> = Vec::new();
    let mut record: Vec<String> = Vec::with_capacity(header.len());
    for (n, journey) in journeys.iter().enumerate() {
        record.clear();
        let id = journey.id().unwrap_or("");
        if journey.id().is_some() && (id.is_empty() || id.trim() != id) {
            return Err(invalid(format!(
                "journey #{n}: id {id:?} is empty or has surrounding whitespace"
            )));
        }
        if has_line_break(id) {
            return Err(invalid(format!(
                "journey #{n}: id {id:?} holds a line break"
            )));
        }
        record.push(id.to_owned());
        if with_index {
            record.push(
                journey
                    .journey_index()
                    .map(|i| i.to_string())
                    .unwrap_or_default(),
            );
        }
        names.clear();
        for channel in journey.channels() {
            names.push(channels.name(channel).ok_or_else(|| {
                invalid(format!(
                    "journey #{n}: channel id {channel} is not in the table"
                ))
            })?);
        }
        match journey.tags() {
            // Frequency tokens, for display only: `Name(count)`.
            Some(tags) => {
                let tokens: Vec<String> = names
                    .iter()
                    .zip(tags)
                    .map(|(name, tag)| format!("{name}({tag})"))
                    .collect();
                let refs: Vec<&str> = tokens.iter().map(String::as_str).collect();
                record.push(join_checked(&refs, sep, n)?);
            }
            None => record.push(join_checked(&names, sep, n)?),
        }
        record.push(journey.conversions().to_string());
        if with_nulls {
            record.push(journey.non_conversions().to_string());
        }
        record.push(journey.value().to_string());
        if with_times {
            stamps.clear();
            stamps.extend(
                journey
                    .touches()
                    .iter()
                    .filter_map(|t| t.time.map(format_time)),
            );
            let refs: Vec<&str> = stamps.iter().map(String::as_str).collect();
            record.push(join_checked(&refs, sep, n)?);
        }
        if with_conversion_time {
            record.push(
                journey
                    .conversion_time()
                    .map(format_time)
                    .unwrap_or_default(),
            );
        }
        out.write_record(&record)?;
    }
    out.flush()?;
    Ok(())
}

fn has_line_break(s: &str) -> bool {
    memchr::memchr2(b'\n', b'\r', s.as_bytes()).is_some()
}

fn invalid(msg: String) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidInput, msg)
}

fn format_time(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::AutoSi, true)
}

/// Joins `tokens` with `sep` and checks that splitting the result the way the
/// reader does gives the tokens back.
fn join_checked(tokens: &[&str], sep: &str, journey: usize) -> Result<String, io::Error> {
    if let Some(token) = tokens.iter().find(|t| has_line_break(t)) {
        return Err(invalid(format!(
            "journey #{journey}: {token:?} holds a line break"
        )));
    }
    let joined = tokens.join(sep);
    let mut back = joined.split(sep).map(str::trim).filter(|t| !t.is_empty());
    let same = tokens.iter().all(|t| back.next() == Some(*t)) && back.next().is_none();
    if same {
        Ok(joined)
    } else {
        Err(invalid(format!(
            "journey #{journey}: {joined:?} does not split back on {sep:?} into {tokens:?}"
        )))
    }
}
