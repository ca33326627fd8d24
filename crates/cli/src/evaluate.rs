//! `attribution evaluate`: every model scored against a known truth, on an
//! input (`--truth-model`, `--truth`) or on simulations shaped like it
//! (`--like`, in [`crate::replicates`]).

use std::io::Write;
use std::path::Path;

use attribution::model::Registry;
use attribution::truth::{
    Metric, Score, TrueCredit, TruthModel, rank_scores, score_attribution, true_credit,
};
use comfy_table::{CellAlignment, Table, presets::UTF8_FULL_CONDENSED};

use crate::args::{EvaluateArgs, EvaluateFormat, InputArgs};
use crate::attribute::{Reading, observe_input};
use crate::error::{CliError, write_failed};
use crate::given::Given;
use crate::models::Models;
use crate::progress::Progress;
use crate::warn::{note, warning};

/// The options of the simulation, which only `--like` uses.
pub const SIMULATION_OPTIONS: &[&str] = &[
    "journeys",
    "channels",
    "seed",
    "effect_sd",
    "synergy_sd",
    "recency_half_life",
    "length_effect",
    "length_cap",
];

/// Runs `evaluate` in the mode its options choose.
pub fn run(args: &EvaluateArgs, given: &Given, registry: &Registry) -> Result<(), CliError> {
    match (&args.input, &args.like) {
        (None, Some(like)) => crate::replicates::run(args, like, given, registry),
        (Some(input), None) => on_input(args, input, given, registry),
        _ => Err(CliError::Input(
            "give INPUT (with --truth-model or --truth) or --like INPUT, not both".to_owned(),
        )),
    }
}

/// Scores the models on `input` against the truth of `--truth-model` or
/// `--truth`.
fn on_input(
    args: &EvaluateArgs,
    input: &str,
    given: &Given,
    registry: &Registry,
) -> Result<(), CliError> {
    if args.truth_model.is_some() == args.truth.is_some() {
        return Err(CliError::Input(
            "evaluate INPUT needs exactly one truth: --truth-model EFFECTS (term,value) or \
             --truth TRUTH (channel,true_conversions); or score on simulations with --like INPUT"
                .to_owned(),
        ));
    }
    let unused: Vec<String> = given
        .names()
        .filter(|name| SIMULATION_OPTIONS.contains(name))
        .map(|name| format!("--{}", name.replace('_', "-")))
        .collect();
    if !unused.is_empty() {
        warning(format!(
            "{} only apply to simulations (--like INPUT); ignored",
            unused.join(", ")
        ));
    }
    // The truth model first: a bad effects file fails before the input is read.
    let truth_model = args.truth_model.as_deref().map(read_effects).transpose()?;
    let input = InputArgs::new(input.to_owned(), args.read.clone());
    let models = Models::new(&args.models, given, registry)?;
    let reading = Reading {
        input: &input,
        build: &args.build,
        threads: args.threads,
        model_args: &args.models,
        given,
        paths: truth_model.is_some(),
    };
    let observed = observe_input(&reading, &models, None)?;
    let truth = match (&truth_model, &args.truth, &args.truth_model) {
        (Some(model), _, Some(path)) => {
            let paths = observed.paths.as_ref().ok_or_else(|| {
                CliError::Other("internal: the paths were not grouped".to_owned())
            })?;
            let _progress = Progress::phase("computing the true credit");
            true_credit(model, paths, &observed.channels)
                .map_err(|e| CliError::Input(format!("{}: {e}", path.display())))?
        }
        (_, Some(path), _) => read_truth(path, &observed.channels)?,
        _ => return Err(CliError::Other("internal: no truth".to_owned())),
    };
    if let Some(path) = &args.truth_out {
        let mut out = crate::open_output(Some(path))?;
        truth
            .write(&mut out)
            .and_then(|()| out.flush())
            .map_err(write_failed)?;
    }
    let progress = Progress::phase("computing credits");
    let (results, skipped) = crate::runner::finish_all(&observed.running, &observed.plan)?;
    drop(progress);
    let mut rows: Vec<(String, Score)> = Vec::with_capacity(results.len());
    for (label, attribution) in &results {
        let score = score_attribution(attribution, &truth)
            .map_err(|e| CliError::Other(format!("internal: scoring {label}: {e}")))?;
        rows.push((label.clone(), score));
    }
    rank_scores(&mut rows);
    let notes = notes(&truth, &skipped);
    let mut out = crate::open_output(args.output.as_deref())?;
    match args.format {
        EvaluateFormat::Table => {
            write_table(&rows, &mut out)?;
            for line in &notes {
                writeln!(out, "{line}").map_err(write_failed)?;
            }
        }
        EvaluateFormat::Csv => {
            notes.iter().for_each(note);
            write_csv(&rows, &mut out)?;
        }
        EvaluateFormat::Json => {
            notes.iter().for_each(note);
            write_json(&rows, &mut out)?;
        }
    }
    out.flush().map_err(write_failed)
}

/// Reads an effects file, naming it in every error.
pub fn read_effects(path: &Path) -> Result<TruthModel, CliError> {
    let file = std::fs::File::open(path)
        .map_err(|e| CliError::Input(format!("cannot open `{}`: {e}", path.display())))?;
    TruthModel::read(std::io::BufReader::new(file))
        .map_err(|e| CliError::Input(format!("{}: {e}", path.display())))
}

/// Reads a truth file against the input's channels, naming it in every error.
fn read_truth(path: &Path, channels: &attribution::Channels) -> Result<TrueCredit, CliError> {
    let file = std::fs::File::open(path)
        .map_err(|e| CliError::Input(format!("cannot open `{}`: {e}", path.display())))?;
    TrueCredit::read(std::io::BufReader::new(file), channels)
        .map_err(|e| CliError::Input(format!("{}: {e}", path.display())))
}

/// What the scores need explained: the truth's totals, models left out.
fn notes(truth: &TrueCredit, skipped: &[(String, String)]) -> Vec<String> {
    let mut lines = Vec::new();
    if let (Some(baseline), Some(expected)) = (truth.baseline(), truth.expected_conversions()) {
        lines.push(format!(
            "true credit: the channels caused {} expected conversions and {} would happen \
             with no tracked touch (baseline); {} expected in all under the truth model",
            people(expected - baseline),
            people(baseline),
            people(expected)
        ));
    }
    lines.extend(crate::runner::not_run(skipped));
    lines
}

/// A number for people: 4 significant decimals at most.
fn people(x: f64) -> String {
    let text = format!("{x:.4}");
    let text = text.trim_end_matches('0').trim_end_matches('.');
    if text == "-0" {
        "0".to_owned()
    } else {
        text.to_owned()
    }
}

/// A metric in a table cell: 3 decimals, `–` when undefined.
pub fn cell(value: Option<f64>) -> String {
    value.map_or_else(|| "–".to_owned(), |v| format!("{v:.3}"))
}

/// A table with one row per model (its label and one cell per metric, in
/// the order of [`Metric::ALL`]), the metric columns right-aligned.
pub fn metric_table(rows: impl Iterator<Item = (String, [String; 5])>) -> Table {
    let mut table = Table::new();
    table.load_preset(UTF8_FULL_CONDENSED);
    let mut header = vec!["model".to_owned()];
    header.extend(Metric::ALL.iter().map(|&m| title(m).to_owned()));
    table.set_header(header);
    for (label, cells) in rows {
        let mut row = vec![label];
        row.extend(cells);
        table.add_row(row);
    }
    for i in 1..=Metric::ALL.len() {
        if let Some(column) = table.column_mut(i) {
            column.set_cell_alignment(CellAlignment::Right);
        }
    }
    table
}

/// The metric's column title in the table.
fn title(metric: Metric) -> &'static str {
    match metric {
        Metric::Spearman => "Spearman",
        Metric::KendallTauB => "Kendall τ-b",
        Metric::SignAgreement => "sign agreement",
        Metric::ShareError => "share error",
        Metric::Top1 => "top-1",
    }
}

fn write_table(rows: &[(String, Score)], out: &mut dyn Write) -> Result<(), CliError> {
    let table = metric_table(
        rows.iter()
            .map(|(label, score)| (label.clone(), Metric::ALL.map(|m| cell(score.get(m))))),
    );
    writeln!(out, "{table}").map_err(write_failed)?;
    writeln!(
        out,
        "Best first: Spearman (descending), then share error (ascending). \
         Larger is better except for share error (0 = the true shares)."
    )
    .map_err(write_failed)
}

fn write_csv(rows: &[(String, Score)], out: &mut dyn Write) -> Result<(), CliError> {
    let mut w = csv::Writer::from_writer(out);
    let mut header = vec!["model"];
    header.extend(Metric::ALL.iter().map(|m| m.name()));
    w.write_record(&header).map_err(write_failed)?;
    for (label, score) in rows {
        let mut record = vec![label.clone()];
        record.extend(
            Metric::ALL
                .iter()
                .map(|&m| score.get(m).map(|v| v.to_string()).unwrap_or_default()),
        );
        w.write_record(&record).map_err(write_failed)?;
    }
    w.flush().map_err(write_failed)
}

fn write_json(rows: &[(String, Score)], out: &mut dyn Write) -> Result<(), CliError> {
    let array: Vec<serde_json::Value> = rows
        .iter()
        .map(|(label, score)| {
            let mut object = serde_json::Map::new();
            object.insert("model".to_owned(), label.clone().into());
            for &m in &Metric::ALL {
                object.insert(m.name().to_owned(), json_number(score.get(m)));
            }
            serde_json::Value::Object(object)
        })
        .collect();
    serde_json::to_writer_pretty(&mut *out, &array).map_err(write_failed)?;
    writeln!(out).map_err(write_failed)
}

/// A JSON number, or `null` when undefined.
pub fn json_number(value: Option<f64>) -> serde_json::Value {
    value
        .and_then(serde_json::Number::from_f64)
        .map_or(serde_json::Value::Null, serde_json::Value::Number)
}
