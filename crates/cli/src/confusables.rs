//! The warning about channel names that differ only by Unicode
//! normalisation or invisible characters (a mid-file byte order mark, a
//! zero-width space, NFC vs NFD): they are distinct channels, which a person
//! almost never means.

use std::io::Write;

use attribution::channel::escape_invisible;
use attribution::{ChannelId, Channels};

use crate::source::Summary;

/// Writes one warning per group of look-alike channel names on stderr,
/// naming the line where the second spelling first appeared. A failed
/// write to stderr is ignored: the warning must not fail the command.
pub fn warn(channels: &Channels, summary: &Summary) {
    let groups = channels.confusable_groups();
    if groups.is_empty() {
        return;
    }
    let mut stderr = std::io::stderr().lock();
    for group in &groups {
        let _ = writeln!(stderr, "{}", message(channels, summary, group));
    }
}

/// `warning: channels "Email" and "E\u{200b}mail" differ only by …`.
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
        "warning: channels {names} differ only by Unicode normalisation or invisible \
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
