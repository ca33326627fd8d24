//! `attribution evaluate --like INPUT --replicates R`: R simulations shaped
//! like the input, each with fresh effects, every model scored on each, and
//! the scores summarised per model.

use std::io::Write;
use std::sync::Arc;

use attribution::model::DynModel;
use attribution::model::Registry;
use attribution::simulate::{SimulationConfig, TouchLaw};
use attribution::truth::{
    Metric, ModelSummary, Score, TruthPaths, score_attribution, summarise_replicates, true_credit,
    verdict,
};
use rayon::prelude::*;

use crate::args::{EvaluateArgs, EvaluateFormat};
use crate::error::{CliError, write_failed};
use crate::evaluate::{cell, json_number, metric_table};
use crate::given::Given;
use crate::models::{Models, warn_unused_options};
use crate::progress::Progress;
use crate::runner::{finish, skip_reason};
use crate::warn::note;

/// One replicate's scores: per model (in plan order), its score, or `None`
/// when the model had no answer on this replicate (see [`skip_reason`]).
type Scores = Vec<Option<Score>>;

/// Fits the touch law to `like`, runs the replicates in parallel and writes
/// the summary.
pub fn run(
    args: &EvaluateArgs,
    like: &str,
    given: &Given,
    registry: &Registry,
) -> Result<(), CliError> {
    if args.replicates == 0 {
        return Err(CliError::Input(
            "--replicates must be at least 1".to_owned(),
        ));
    }
    let models = Models::new(&args.models, given, registry)?;
    // Simulated paths carry no timestamps: `all` leaves out the models that need them.
    let plan = models.plan(false)?;
    warn_unused_options(&plan, given);
    let law = crate::simulate::touch_law(
        Some(like),
        &args.read,
        &args.build,
        args.threads,
        &args.simulation,
        given,
    )?;
    let configs = (0..args.replicates)
        .map(|r| {
            crate::simulate::config(&args.simulation, &law, u64::try_from(r).unwrap_or(u64::MAX))
        })
        .collect::<Result<Vec<_>, _>>()?;
    let chosen: Vec<Arc<dyn DynModel>> = plan.chosen.iter().map(|c| Arc::clone(&c.model)).collect();
    // Drawn (on a terminal) only when the replicates take over a second.
    let progress = Progress::steps_after(
        u64::try_from(configs.len()).unwrap_or(u64::MAX),
        "replicates",
        std::time::Duration::from_secs(1),
    );
    // Capped at the cores (as for reading) and at the replicates.
    let threads = crate::source::useful_threads(args.threads).min(configs.len());
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .map_err(|e| CliError::Other(format!("cannot start the thread pool: {e}")))?;
    let outcomes: Vec<Result<Scores, CliError>> = pool.install(|| {
        configs
            .par_iter()
            .map(|config| {
                let scores = replicate(config, &law, &chosen);
                progress.bar().inc(1);
                scores
            })
            .collect()
    });
    drop(progress);
    let mut per_replicate: Vec<Vec<(String, Score)>> = Vec::with_capacity(outcomes.len());
    let mut no_answer = vec![0usize; plan.chosen.len()];
    for (r, outcome) in outcomes.into_iter().enumerate() {
        let scores = outcome.map_err(|e| in_replicate(e, r, &configs))?;
        let mut rows = Vec::with_capacity(scores.len());
        for ((score, chosen), missing) in scores.into_iter().zip(&plan.chosen).zip(&mut no_answer) {
            if score.is_none() {
                *missing += 1;
            }
            rows.push((chosen.label.clone(), score.unwrap_or_default()));
        }
        per_replicate.push(rows);
    }
    let summaries = summarise_replicates(&per_replicate);
    let mut notes = Vec::new();
    for (chosen, missing) in plan.chosen.iter().zip(&no_answer) {
        if *missing > 0 {
            notes.push(format!(
                "{}: no answer on {missing} of {} replicates (its game is degenerate there, \
                 or it needs both outcomes); its metrics are undefined on those",
                chosen.label, args.replicates
            ));
        }
    }
    // `all` left these out for the simulations, not for the input.
    let skipped: Vec<(String, String)> = plan
        .skipped
        .iter()
        .map(|(model, reason)| {
            let reason = if reason == crate::models::NO_TIMESTAMPS {
                "simulated journeys carry no touch timestamps".to_owned()
            } else {
                reason.clone()
            };
            (model.clone(), reason)
        })
        .collect();
    notes.extend(crate::runner::not_run(&skipped));
    let sentence = verdict(&summaries, like, args.replicates);
    let mut out = crate::open_output(args.output.as_deref())?;
    match args.format {
        EvaluateFormat::Table => {
            write_table(&summaries, &mut out)?;
            for line in notes.iter().chain(&sentence) {
                writeln!(out, "{line}").map_err(write_failed)?;
            }
        }
        EvaluateFormat::Csv | EvaluateFormat::Json => {
            for line in notes.iter().chain(&sentence) {
                note(line);
            }
            if args.format == EvaluateFormat::Csv {
                write_csv(&summaries, &mut out)?;
            } else {
                write_json(&summaries, &mut out)?;
            }
        }
    }
    out.flush().map_err(write_failed)
}

/// Simulates one replicate and scores every model on it.
fn replicate(
    config: &SimulationConfig,
    law: &TouchLaw,
    models: &[Arc<dyn DynModel>],
) -> Result<Scores, CliError> {
    let simulated =
        attribution::simulate::simulate(config, law).map_err(|e| CliError::Input(e.to_string()))?;
    let channels = &simulated.channels;
    let mut paths = TruthPaths::new();
    let mut states: Vec<_> = models.iter().map(|m| m.new_state()).collect();
    for journey in simulated.journeys() {
        let journey = journey.map_err(|e| CliError::Other(format!("internal: {e}")))?;
        paths
            .observe(&journey, channels)
            .map_err(|e| CliError::Other(format!("internal: {e}")))?;
        for (model, state) in models.iter().zip(&mut states) {
            model.observe(state.as_mut(), &journey, channels)?;
        }
    }
    let truth = true_credit(&simulated.effects, &paths, channels)
        .map_err(|e| CliError::Input(e.to_string()))?;
    let mut scores = Vec::with_capacity(models.len());
    for (model, state) in models.iter().zip(&mut states) {
        state.extend_channels(channels)?;
        match finish(model.as_ref(), state.as_ref()) {
            Ok(attribution) => scores.push(Some(
                score_attribution(&attribution, &truth)
                    .map_err(|e| CliError::Other(format!("internal: {e}")))?,
            )),
            Err(e) if skip_reason(&e).is_some() => scores.push(None),
            Err(e) => return Err(e.into()),
        }
    }
    Ok(scores)
}

/// Names the replicate (and how to reproduce it alone) in an error.
fn in_replicate(e: CliError, r: usize, configs: &[SimulationConfig]) -> CliError {
    let seed = configs.get(r).map_or(0, |c| c.seed);
    let context = format!("replicate {r} (simulate --like INPUT --seed {seed})");
    match e {
        CliError::Input(m) => CliError::Input(format!("{context}: {m}")),
        CliError::Other(m) => CliError::Other(format!("{context}: {m}")),
        other @ CliError::ClosedPipe => other,
    }
}

/// `mean [p10, p90]`, or `–`.
fn summary_cell(summary: &attribution::truth::Summary) -> String {
    match (summary.mean, summary.p10, summary.p90) {
        (Some(mean), Some(p10), Some(p90)) => format!("{mean:.3} [{p10:.3}, {p90:.3}]"),
        _ => cell(None),
    }
}

fn write_table(summaries: &[ModelSummary], out: &mut dyn Write) -> Result<(), CliError> {
    let table = metric_table(summaries.iter().map(|summary| {
        let cells = Metric::ALL.map(|m| summary_cell(summary.get(m)));
        (summary.label.clone(), cells)
    }));
    writeln!(out, "{table}").map_err(write_failed)?;
    writeln!(
        out,
        "Each cell: the mean over the replicates [10th, 90th percentile]. Best first: mean \
         Spearman, then mean share error. Larger is better except for share error."
    )
    .map_err(write_failed)
}

fn write_csv(summaries: &[ModelSummary], out: &mut dyn Write) -> Result<(), CliError> {
    let mut w = csv::Writer::from_writer(out);
    w.write_record(["model", "metric", "mean", "p10", "p90", "defined"])
        .map_err(write_failed)?;
    let text = |v: Option<f64>| v.map(|v| v.to_string()).unwrap_or_default();
    for summary in summaries {
        for &metric in &Metric::ALL {
            let s = summary.get(metric);
            w.write_record([
                summary.label.clone(),
                metric.name().to_owned(),
                text(s.mean),
                text(s.p10),
                text(s.p90),
                s.defined.to_string(),
            ])
            .map_err(write_failed)?;
        }
    }
    w.flush().map_err(write_failed)
}

fn write_json(summaries: &[ModelSummary], out: &mut dyn Write) -> Result<(), CliError> {
    let mut array = Vec::new();
    for summary in summaries {
        for &metric in &Metric::ALL {
            let s = summary.get(metric);
            array.push(serde_json::json!({
                "model": summary.label,
                "metric": metric.name(),
                "mean": json_number(s.mean),
                "p10": json_number(s.p10),
                "p90": json_number(s.p90),
                "defined": s.defined,
            }));
        }
    }
    serde_json::to_writer_pretty(&mut *out, &array).map_err(write_failed)?;
    writeln!(out).map_err(write_failed)
}
