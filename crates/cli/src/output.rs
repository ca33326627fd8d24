//! Writing attributions as a table, CSV or JSON.

use std::io::Write;

use attribution::Attribution;
use attribution::model::ModelSpec;
use comfy_table::{CellAlignment, Table, presets::UTF8_FULL_CONDENSED};

use crate::error::{CliError, write_failed};

/// Output format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// Aligned tables for people: conversions and value side by side per model.
    Table,
    /// `model,channel,conversions,value,removal_effect`, then the extras some
    /// row has (see `attribute --help`), full precision.
    Csv,
    /// The CSV rows as an array of JSON objects, extras and model
    /// diagnostics as keys of the rows that have them.
    Json,
}

/// A result with its name in the output.
pub struct Labelled {
    /// The name in the output: the model's name, or the name and the
    /// parameters that differ when several specs of one model run.
    pub label: String,
    /// The model's canonical spec.
    pub spec: ModelSpec,
    /// The result.
    pub attribution: Attribution,
}

/// What the output leaves out or needs explained, besides the numbers: in
/// the table, footnotes; with CSV or JSON (whose columns are fixed), notes on
/// stderr ([`Notes::for_stderr`]).
#[derive(Debug, Clone, Default)]
pub struct Notes {
    /// The input has no value column: every value is 0, and the table
    /// leaves out the value section.
    pub no_value_column: bool,
    /// `(model, reason)` for the models `--model all` left out.
    pub skipped: Vec<(String, String)>,
    /// The Markov orders that ran (the `order` of every model whose result
    /// has removal effects).
    pub markov_orders: Vec<String>,
    /// The labels of the results whose credits overlap (participation):
    /// not a partition of the total.
    pub overlapping: Vec<String>,
}

impl Notes {
    /// The notes of `results`, given what the input lacked.
    pub fn new(
        results: &[Labelled],
        no_value_column: bool,
        skipped: Vec<(String, String)>,
    ) -> Self {
        let mut markov_orders: Vec<String> = Vec::new();
        // Each order once (markov and markov-shapley of one order share it).
        for order in results
            .iter()
            .filter(|r| {
                r.attribution
                    .channels()
                    .iter()
                    .any(|c| c.removal_effect.is_some())
            })
            .filter_map(|r| r.spec.get("order").map(str::to_owned))
        {
            if !markov_orders.contains(&order) {
                markov_orders.push(order);
            }
        }
        let overlapping = results
            .iter()
            .filter(|r| !r.attribution.is_partition())
            .map(|r| r.label.clone())
            .collect();
        Self {
            no_value_column,
            skipped,
            markov_orders,
            overlapping,
        }
    }

    /// Says which results' credits overlap, and what their shares mean.
    fn overlapping_line(&self) -> Option<String> {
        (!self.overlapping.is_empty()).then(|| {
            format!(
                "{}: overlapping credit, not a partition: every channel of a converting journey \
                 gets all of its conversions and value, so the credits sum to more than the \
                 total; a share is the fraction of conversions whose journey touched the channel.",
                self.overlapping.join(", ")
            )
        })
    }

    fn skipped_line(&self) -> Option<String> {
        (!self.skipped.is_empty()).then(|| {
            let models: Vec<String> = self
                .skipped
                .iter()
                .map(|(model, reason)| format!("{model} ({reason})"))
                .collect();
            format!("not run: {}", models.join("; "))
        })
    }

    /// The notes for stderr when the output is CSV or JSON: the models left
    /// out (a missing value column needs no note there: the value column is
    /// 0 throughout, as the contract of those formats has it).
    pub fn for_stderr(&self) -> Vec<String> {
        self.overlapping_line()
            .into_iter()
            .chain(self.skipped_line())
            .collect()
    }

    /// The footnotes under the table.
    fn footnotes(&self) -> Vec<String> {
        let mut lines = Vec::new();
        if !self.markov_orders.is_empty() {
            let orders = &self.markov_orders;
            lines.push(format!(
                "Markov order{} {}: removal effect = share of conversions lost when the channel \
                 is removed (not normalised; removal effects usually sum to more than 1).",
                if orders.len() == 1 { "" } else { "s" },
                orders.join(", ")
            ));
        }
        lines.extend(self.overlapping_line());
        if self.no_value_column {
            lines.push(
                "value: not shown; the input has no value column, so there is no value to attribute."
                    .to_owned(),
            );
        }
        lines.extend(self.skipped_line());
        lines
    }
}

/// Writes `results` in `format` to `out`; `notes` are footnotes of the table.
pub fn write(
    results: &[Labelled],
    format: Format,
    notes: &Notes,
    out: &mut dyn Write,
) -> Result<(), CliError> {
    match format {
        Format::Csv => crate::output_rows::write_csv(results, out),
        Format::Json => crate::output_rows::write_json(results, out),
        Format::Table => write_table(results, notes, out),
    }
}

/// `model: N states, M transitions, solver S, …` for the models that
/// report how their numbers were computed.
fn diagnostic_notes(results: &[Labelled]) -> Vec<String> {
    let fits = results.iter().filter_map(|r| {
        let d = r.attribution.fit_diagnostics()?;
        Some(format!(
            "{}: fit in {} Newton iterations, max |gradient| {:.1e}, log-likelihood {:.6}, \
             Σ N·v − ΣR = {:.1e}",
            r.label, d.iterations, d.max_gradient, d.log_likelihood, d.intercept_residual
        ))
    });
    let chains = results.iter().filter_map(|r| {
        let d = r.attribution.diagnostics()?;
        let mut parts = vec![
            format!("{} states", d.states),
            format!("{} transitions", d.transitions),
            format!("solver {}", d.solver),
        ];
        if let Some(n) = d.iterations {
            parts.push(format!("{n} iterations"));
        }
        if let Some(residual) = d.residual {
            parts.push(format!("residual {residual:.1e}"));
        }
        parts.push(format!("removal effects within {:.1e}", d.error_bound));
        Some(format!("{}: {}", r.label, parts.join(", ")))
    });
    chains.chain(fits).collect()
}

/// `model: k=v, k=v` for the models that have parameters.
fn parameter_notes(results: &[Labelled]) -> Vec<String> {
    results
        .iter()
        .filter(|r| !r.attribution.parameters().is_empty())
        .map(|r| {
            let params: Vec<String> = r
                .attribution
                .parameters()
                .iter()
                .map(|(k, v)| format!("{k}={v}"))
                .collect();
            format!("{}: {}", r.label, params.join(", "))
        })
        .collect()
}

/// `x` as a percentage of `total` (`-` when the total is 0).
fn share(x: f64, total: f64) -> String {
    if total > 0.0 {
        format!("{:.1}%", 100.0 * x / total)
    } else {
        "-".to_owned()
    }
}

/// One section of the table: which number, and whether it is a share of a
/// total (conversions and value are; removal effects are not).
struct Section {
    title: &'static str,
    unit: &'static str,
    get: fn(&attribution::ChannelCredit) -> Option<f64>,
    total: Option<fn(&Attribution) -> f64>,
    /// Left out when the input has no value column.
    needs_value: bool,
}

const SECTIONS: [Section; 3] = [
    Section {
        title: "Attributed conversions per channel, and each channel's share (%) of the model's total",
        unit: "conversions %",
        get: |c| Some(c.conversions),
        total: Some(Attribution::total_conversions),
        needs_value: false,
    },
    Section {
        title: "Attributed value per channel, and each channel's share (%) of the model's total",
        unit: "value %",
        get: |c| Some(c.value),
        total: Some(Attribution::total_value),
        needs_value: true,
    },
    Section {
        title: "Markov removal effect per channel (see the note below)",
        unit: "removal effect",
        get: |c| c.removal_effect,
        total: None,
        needs_value: false,
    },
];

/// Side-by-side tables, channels as rows and models as columns: attributed
/// conversions with their shares, the same for value (left out when the
/// input has no value column), and removal effects when a Markov model ran;
/// then the footnotes and the models' parameters.
fn write_table(results: &[Labelled], notes: &Notes, out: &mut dyn Write) -> Result<(), CliError> {
    let Some(first) = results.first().map(|r| &r.attribution) else {
        return Ok(());
    };
    for section in &SECTIONS {
        if section.needs_value && notes.no_value_column {
            continue;
        }
        let get = section.get;
        // A result without value (dda:credit=expected) has no value cells.
        let shown: Vec<&Labelled> = results
            .iter()
            .filter(|r| r.attribution.channels().iter().any(|c| get(c).is_some()))
            .filter(|r| !section.needs_value || r.attribution.has_value())
            .collect();
        if shown.is_empty() {
            continue;
        }
        let mut table = Table::new();
        table.load_preset(UTF8_FULL_CONDENSED);
        let mut header = vec!["channel".to_owned()];
        header.extend(
            shown
                .iter()
                .map(|r| format!("{}\n{}", r.label, section.unit)),
        );
        table.set_header(header);
        let cell = |x: f64, a: &Attribution| match section.total {
            Some(total) => format!("{x:.4} {:>6}", share(x, total(a))),
            None => format!("{x:.4}"),
        };
        for (i, credit) in first.channels().iter().enumerate() {
            let mut row = vec![credit.name.clone()];
            for r in &shown {
                let a = &r.attribution;
                let x = a.channels().get(i).and_then(get);
                row.push(x.map(|x| cell(x, a)).unwrap_or_default());
            }
            table.add_row(row);
        }
        // The credit of no channel (dda), a share of the total like the
        // channels' (channels plus baseline make the total).
        if section.total.is_some() && shown.iter().any(|r| r.attribution.baseline().is_some()) {
            let mut row = vec![attribution::attribution::Baseline::NAME.to_owned()];
            row.extend(shown.iter().map(|r| {
                let a = &r.attribution;
                a.baseline()
                    .map(|b| {
                        let x = if section.needs_value {
                            b.value
                        } else {
                            b.conversions
                        };
                        cell(x, a)
                    })
                    .unwrap_or_default()
            }));
            table.add_row(row);
        }
        // Removal effects are not shares of a total: no total row for them.
        if let Some(total) = section.total {
            let mut row = vec!["total".to_owned()];
            row.extend(
                shown
                    .iter()
                    .map(|r| cell(total(&r.attribution), &r.attribution)),
            );
            table.add_row(row);
        }
        for column in table.column_iter_mut().skip(1) {
            column.set_cell_alignment(CellAlignment::Right);
        }
        writeln!(out, "{}\n{table}\n", section.title).map_err(write_failed)?;
    }
    for line in notes.footnotes() {
        writeln!(out, "{line}").map_err(write_failed)?;
    }
    let diagnostics = diagnostic_notes(results);
    if !diagnostics.is_empty() {
        writeln!(out, "diagnostics: {}", diagnostics.join("; ")).map_err(write_failed)?;
    }
    let params = parameter_notes(results);
    if !params.is_empty() {
        writeln!(out, "parameters: {}", params.join("; ")).map_err(write_failed)?;
    }
    Ok(())
}
