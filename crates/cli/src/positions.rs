//! `attribute --positions FILE`: the credit by position of every model that
//! has it, one row per model, channel and position.

use std::io::Write;
use std::path::Path;

use crate::error::{CliError, write_failed};
use crate::output::Labelled;
use crate::warn::warning;

/// The header of the positions file.
const HEADER: [&str; 5] = ["model", "channel", "position", "conversions", "value"];

/// Writes `model,channel,position,conversions,value` for every channel of
/// every result with positions: positions 1-based, the last one `P+` when
/// it pools position P and later; value empty when the model gives none.
/// Warns when no result has positions (the file then holds the header).
pub fn write(results: &[Labelled], path: &Path) -> Result<(), CliError> {
    if !results.iter().any(|r| {
        r.attribution
            .channels()
            .iter()
            .any(|c| c.positions.is_some())
    }) {
        warning(
            "--positions: no model that runs credits positions (shapley-ordered does); \
             the file holds the header only",
        );
    }
    let out = crate::open_output(Some(path))?;
    write_rows(results, out)
}

fn write_rows(results: &[Labelled], out: Box<dyn Write>) -> Result<(), CliError> {
    let mut w = csv::Writer::from_writer(out);
    w.write_record(HEADER).map_err(write_failed)?;
    for r in results {
        for c in r.attribution.channels() {
            let Some(positions) = &c.positions else {
                continue;
            };
            let values = c.position_values.as_deref().unwrap_or_default();
            for (i, conversions) in positions.iter().enumerate() {
                let t = i + 1;
                let position = if c.positions_pooled && t == positions.len() {
                    format!("{t}+")
                } else {
                    t.to_string()
                };
                let value = values.get(i).map(f64::to_string).unwrap_or_default();
                w.write_record([
                    r.label.as_str(),
                    c.name.as_str(),
                    position.as_str(),
                    conversions.to_string().as_str(),
                    value.as_str(),
                ])
                .map_err(write_failed)?;
            }
        }
    }
    w.flush().map_err(write_failed)
}
