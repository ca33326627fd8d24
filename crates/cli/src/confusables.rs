//! The warning about channel names that differ only by Unicode
//! normalisation or invisible characters (a mid-file byte order mark, a
//! zero-width space, NFC vs NFD): they are distinct channels, which a person
//! almost never means.

use attribution::channel::escape_invisible;
use attribution::{ChannelId, Channels};

use crate::source::Summary;
use crate::warn::warning;

/// Warns once per group of look-alike channel names, naming the line where
/// the second spelling first appeared.
pub fn warn(channels: &Channels, summary: &Summary) {
    for group in &channels.confusable_groups() {
        warning(message(channels, summary, group));
    }
}

/// `channels "Email" and "E\u{200b}mail" differ only by …`.
fn message(channels: &Channels, summary: &Summary, group: &[ChannelId]) -> String {
    let quoted: Vec<String> = group
        .iter()
        .filter_map(|&id| channels.name(id))
        .map(|name| format!("\"{}\"", escape_invisible(name)))
        .collect();
    let names = match quoted.split_last() {
        Some((last, rest)) if !rest.is_empty() => format!("{} and {last}", rest.join(", ")),
        _ => quoted.join(""),
    };
    let mut text = format!(
        "channels {names} differ only by Unicode normalisation or invisible \
         characters and are counted as different channels"
    );
    let second = group.get(1).copied();
    if let (Some(id), Some(spelling)) = (second, quoted.get(1)) {
        if let Some(line) = summary.first_line(id) {
            text.push_str(&format!("; {spelling} first appears on line {line}"));
        }
    }
    text
}
