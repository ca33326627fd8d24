//! Writing attributions as a table, CSV or JSON (DESIGN §7).

use std::io::Write;

use attribution::Attribution;
use comfy_table::{CellAlignment, Table, presets::UTF8_FULL_CONDENSED};
use serde::Serialize;

use crate::error::{CliError, write_failed};

/// Output format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// Aligned tables for people: conversions and value side by side per model.
    Table,
    /// `model,channel,conversions,value,removal_effect`, full precision.
    Csv,
    /// The CSV rows as an array of JSON objects.
    Json,
}

#[derive(Serialize)]
struct Row<'a> {
    model: &'a str,
    channel: &'a str,
    conversions: f64,
    value: f64,
    removal_effect: Option<f64>,
}

fn rows(results: &[Attribution]) -> impl Iterator<Item = Row<'_>> {
    results.iter().flat_map(|a| {
        a.channels().iter().map(move |c| Row {
            model: a.model(),
            channel: &c.name,
            conversions: c.conversions,
            value: c.value,
            removal_effect: c.removal_effect,
        })
    })
}

/// Writes `results` in `format` to `out`.
pub fn write(results: &[Attribution], format: Format, out: &mut dyn Write) -> Result<(), CliError> {
    match format {
        Format::Csv => write_csv(results, out),
        Format::Json => {
            let all: Vec<Row<'_>> = rows(results).collect();
            serde_json::to_writer_pretty(&mut *out, &all).map_err(write_failed)?;
            writeln!(out).map_err(write_failed)
        }
        Format::Table => write_table(results, out),
    }
}

fn write_csv(results: &[Attribution], out: &mut dyn Write) -> Result<(), CliError> {
    let mut w = csv::Writer::from_writer(out);
    w.write_record(["model", "channel", "conversions", "value", "removal_effect"])
        .map_err(write_failed)?;
    // f64's Display is the shortest text that reads back to the same double.
    for r in rows(results) {
        let re = r.removal_effect.map(|x| x.to_string()).unwrap_or_default();
        w.write_record([
            r.model,
            r.channel,
            &r.conversions.to_string(),
            &r.value.to_string(),
            &re,
        ])
        .map_err(write_failed)?;
    }
    w.flush().map_err(write_failed)
}

/// `model: k=v, k=v` for the models that have parameters.
fn parameter_notes(results: &[Attribution]) -> Vec<String> {
    results
        .iter()
        .filter(|a| !a.parameters().is_empty())
        .map(|a| {
            let params: Vec<String> = a
                .parameters()
                .iter()
                .map(|(k, v)| format!("{k}={v}"))
                .collect();
            format!("{}: {}", a.model(), params.join(", "))
        })
        .collect()
}

/// One side-by-side table for conversions and one for value (plus removal
/// effects when a Markov model ran): channels as rows, models as columns.
fn write_table(results: &[Attribution], out: &mut dyn Write) -> Result<(), CliError> {
    let Some(first) = results.first() else {
        return Ok(());
    };
    type Getter = fn(&attribution::ChannelCredit) -> Option<f64>;
    let sections: [(&str, Getter); 3] = [
        ("conversions", |c| Some(c.conversions)),
        ("value", |c| Some(c.value)),
        ("removal effect", |c| c.removal_effect),
    ];
    for (title, get) in sections {
        let shown: Vec<&Attribution> = results
            .iter()
            .filter(|a| a.channels().iter().any(|c| get(c).is_some()))
            .collect();
        if shown.is_empty() {
            continue;
        }
        let mut table = Table::new();
        table.load_preset(UTF8_FULL_CONDENSED);
        let mut header = vec![title.to_owned()];
        header.extend(shown.iter().map(|a| a.model().to_owned()));
        table.set_header(header);
        for (i, credit) in first.channels().iter().enumerate() {
            let mut row = vec![credit.name.clone()];
            for a in &shown {
                let cell = a.channels().get(i).and_then(get);
                row.push(cell.map(|x| format!("{x:.4}")).unwrap_or_default());
            }
            table.add_row(row);
        }
        // Removal effects are not shares of a total: no total row for them.
        let totals: Option<Vec<f64>> = match title {
            "conversions" => Some(shown.iter().map(|a| a.total_conversions()).collect()),
            "value" => Some(shown.iter().map(|a| a.total_value()).collect()),
            _ => None,
        };
        if let Some(totals) = totals {
            let mut row = vec!["total".to_owned()];
            row.extend(totals.iter().map(|x| format!("{x:.4}")));
            table.add_row(row);
        }
        for column in table.column_iter_mut().skip(1) {
            column.set_cell_alignment(CellAlignment::Right);
        }
        writeln!(out, "{table}\n").map_err(write_failed)?;
    }
    let notes = parameter_notes(results);
    if !notes.is_empty() {
        writeln!(out, "parameters: {}", notes.join("; ")).map_err(write_failed)?;
    }
    Ok(())
}
