//! `attribution compare`: every model over one read of the input, side by
//! side: shares, ranks, Kendall τ-b, the leader and the disagreements (the
//! library's [`Comparison`]).

use std::io::Write;

use attribution::compare::{Comparison, Leader, Metric, ShareBasis};
use attribution::model::Registry;
use attribution::{Attribution, CompareError};
use comfy_table::{CellAlignment, Table, presets::UTF8_FULL_CONDENSED};

use crate::args::{ByArg, CompareArgs, CompareFormat};
use crate::attribute::{Reading, observe_input};
use crate::error::{CliError, write_failed};
use crate::given::Given;
use crate::models::Models;
use crate::progress::Progress;
use crate::warn::note;

/// Reads the input once into every model, compares their results and
/// writes the comparison.
pub fn run(args: &CompareArgs, given: &Given, registry: &Registry) -> Result<(), CliError> {
    let models = Models::new(&args.models, given, registry)?;
    let reading = Reading {
        input: &args.input,
        build: &args.build,
        threads: args.threads,
        model_args: &args.models,
        given,
        paths: false,
    };
    let observed = observe_input(&reading, &models, None)?;
    let metric = match args.by {
        ByArg::Conversions => Metric::Conversions,
        ByArg::Value if !observed.has_value => {
            return Err(CliError::Input(format!(
                "{}: --by value needs a value column, and the input has none",
                args.input.input
            )));
        }
        ByArg::Value => Metric::Value,
    };
    let progress = Progress::phase("computing credits");
    let (results, skipped) = crate::runner::finish_all(&observed.running, &observed.plan)?;
    drop(progress);
    let refs: Vec<(&str, &Attribution)> = results.iter().map(|(l, a)| (l.as_str(), a)).collect();
    let comparison = Comparison::new(&refs, metric).map_err(compare_error)?;
    let notes = notes(&comparison, &skipped);
    if args.format != CompareFormat::Table {
        for line in &notes {
            note(line);
        }
    }
    if let Some(path) = &args.kendall {
        let mut out = crate::open_output(Some(path))?;
        write_kendall_csv(&comparison, &mut out)?;
        out.flush().map_err(write_failed)?;
    }
    let mut out = crate::open_output(args.output.as_deref())?;
    match args.format {
        CompareFormat::Table => write_table(&comparison, &notes, &mut out)?,
        CompareFormat::Csv => write_csv(&comparison, &mut out)?,
        CompareFormat::Json => {
            serde_json::to_writer_pretty(&mut out, &comparison).map_err(write_failed)?;
            writeln!(out).map_err(write_failed)?;
        }
    }
    out.flush().map_err(write_failed)
}

/// No model to compare is the user's (`--model all` on an input no model
/// can run on); anything else is a result the models should not give.
fn compare_error(e: CompareError) -> CliError {
    match e {
        CompareError::NoModels => CliError::Input(e.to_string()),
        other => CliError::Other(format!("internal: {other}")),
    }
}

/// The metric's noun, plural.
fn metric_name(metric: Metric) -> &'static str {
    match metric {
        Metric::Value => "value",
        _ => "conversions",
    }
}

/// What the numbers need explained: models left out, models whose shares
/// are not of their credits' sum, negative shares.
fn notes(comparison: &Comparison, skipped: &[(String, String)]) -> Vec<String> {
    let mut lines = Vec::new();
    let metric = metric_name(comparison.metric);
    for m in &comparison.models {
        if m.share_basis == ShareBasis::Total && m.model == "dda" {
            lines.push(format!(
                "{}: its channels' credits sum to {} against {} {metric}; the rest is its \
                 (baseline), what channel presence does not explain; its shares are of the \
                 {metric}.",
                m.label, m.credit_sum, m.total
            ));
        } else if m.share_basis == ShareBasis::Total {
            lines.push(format!(
                "{}: its credits sum to {} against {} {metric} (it does not share out each \
                 conversion); its shares are of the {metric} and need not sum to 100%.",
                m.label, m.credit_sum, m.total
            ));
        }
    }
    let negative: Vec<&str> = comparison
        .models
        .iter()
        .enumerate()
        .filter(|(i, _)| {
            comparison.channels.iter().any(|r| {
                r.cells
                    .get(*i)
                    .and_then(|c| c.share)
                    .is_some_and(|s| s < 0.0)
            })
        })
        .map(|(_, m)| m.label.as_str())
        .collect();
    if !negative.is_empty() {
        lines.push(format!(
            "negative shares ({}): the model credits the channel with lowering conversions; \
             it ranks below every channel with more credit.",
            negative.join(", ")
        ));
    }
    lines.extend(crate::runner::not_run(skipped));
    lines
}

/// The long CSV: `model,channel,conversions,value,share,rank`, one row per
/// model and channel, full precision; an empty share when the model has
/// nothing to share.
fn write_csv(comparison: &Comparison, out: &mut dyn Write) -> Result<(), CliError> {
    let mut w = csv::Writer::from_writer(out);
    w.write_record(["model", "channel", "conversions", "value", "share", "rank"])
        .map_err(write_failed)?;
    for (i, model) in comparison.models.iter().enumerate() {
        for row in &comparison.channels {
            let Some(cell) = row.cells.get(i) else {
                continue;
            };
            w.write_record([
                model.label.clone(),
                row.channel.clone(),
                cell.conversions.to_string(),
                cell.value.to_string(),
                cell.share.map(|s| s.to_string()).unwrap_or_default(),
                cell.rank.to_string(),
            ])
            .map_err(write_failed)?;
        }
    }
    w.flush().map_err(write_failed)
}

/// The τ-b matrix as CSV: `model,LABEL…`, one row per model, empty where
/// τ-b is undefined.
fn write_kendall_csv(comparison: &Comparison, out: &mut dyn Write) -> Result<(), CliError> {
    let mut w = csv::Writer::from_writer(out);
    let mut header = vec!["model".to_owned()];
    header.extend(comparison.models.iter().map(|m| m.label.clone()));
    w.write_record(&header).map_err(write_failed)?;
    for (model, taus) in comparison.models.iter().zip(&comparison.kendall) {
        let mut record = vec![model.label.clone()];
        record.extend(
            taus.iter()
                .map(|t| t.map(|t| t.to_string()).unwrap_or_default()),
        );
        w.write_record(&record).map_err(write_failed)?;
    }
    w.flush().map_err(write_failed)
}

/// A share as a percentage (`-` when the model has nothing to share).
fn percent(share: Option<f64>) -> String {
    share.map_or_else(|| "-".to_owned(), |s| format!("{:.1}%", 100.0 * s))
}

/// `a, b and c`.
fn list(items: &[String]) -> String {
    match items {
        [] => String::new(),
        [one] => one.clone(),
        [rest @ .., last] => format!("{} and {last}", rest.join(", ")),
    }
}

/// The tables for people (shares and ranks; τ-b), then what they say in
/// words, then the notes.
fn write_table(
    comparison: &Comparison,
    notes: &[String],
    out: &mut dyn Write,
) -> Result<(), CliError> {
    let metric = metric_name(comparison.metric);
    let mut shares = Table::new();
    shares.load_preset(UTF8_FULL_CONDENSED);
    let mut header = vec!["channel".to_owned()];
    header.extend(
        comparison
            .models
            .iter()
            .map(|m| format!("{}\nshare rank", m.label)),
    );
    shares.set_header(header);
    for row in &comparison.channels {
        let mut cells = vec![row.channel.clone()];
        cells.extend(
            row.cells
                .iter()
                .map(|c| format!("{:>6} {:>4}", percent(c.share), c.rank)),
        );
        shares.add_row(cells);
    }
    for column in shares.column_iter_mut().skip(1) {
        column.set_cell_alignment(CellAlignment::Right);
    }
    writeln!(
        out,
        "Share of each model's attributed {metric} per channel, and the channel's rank under the \
         model (1 = most credit; ties share the best rank)\n{shares}\n"
    )
    .map_err(write_failed)?;

    let mut kendall = Table::new();
    kendall.load_preset(UTF8_FULL_CONDENSED);
    let mut header = vec![String::new()];
    header.extend(comparison.models.iter().map(|m| m.label.clone()));
    kendall.set_header(header);
    for (model, taus) in comparison.models.iter().zip(&comparison.kendall) {
        let mut cells = vec![model.label.clone()];
        cells.extend(
            taus.iter()
                .map(|t| t.map_or_else(|| "-".to_owned(), |t| format!("{t:.3}"))),
        );
        kendall.add_row(cells);
    }
    for column in kendall.column_iter_mut().skip(1) {
        column.set_cell_alignment(CellAlignment::Right);
    }
    writeln!(
        out,
        "Kendall's tau-b between the models' rankings (1 = same order, -1 = reversed, \
         - = undefined: every channel tied)\n{kendall}\n"
    )
    .map_err(write_failed)?;

    for line in verdict(comparison) {
        writeln!(out, "{line}").map_err(write_failed)?;
    }
    for line in notes {
        writeln!(out, "{line}").map_err(write_failed)?;
    }
    Ok(())
}

/// How the leader won its tie on first places: by a better mean rank, or
/// (on the same mean rank) by coming first in the input.
fn tie_break(comparison: &Comparison, leader: &Leader) -> String {
    let mean = |name: &str| comparison.channel(name).map(|r| r.mean_rank);
    let (same, worse): (Vec<String>, Vec<String>) = leader
        .tied_with
        .iter()
        .cloned()
        .partition(|t| mean(t) == mean(&leader.channel));
    let verb = if leader.tied_with.len() == 1 {
        "ranks"
    } else {
        "rank"
    };
    let how = match (worse.is_empty(), same.is_empty()) {
        (false, true) => format!("{} leads on mean rank", leader.channel),
        (true, _) => format!(
            "{} comes first in the input (same mean rank)",
            leader.channel
        ),
        (false, false) => format!(
            "{} leads on mean rank over {}, and comes first in the input before {} (same mean rank)",
            leader.channel,
            list(&worse),
            list(&same)
        ),
    };
    format!(" {} {verb} first as often; {how}.", list(&leader.tied_with))
}

/// The comparison in words: the leader, the models that put another
/// channel first, the widest rank spreads.
fn verdict(comparison: &Comparison) -> Vec<String> {
    let mut lines = Vec::new();
    let Some(leader) = &comparison.leader else {
        lines.push("No channel to compare.".to_owned());
        return lines;
    };
    let plural = if leader.models == 1 { "" } else { "s" };
    let mut sentence = format!(
        "{} ranks first under {} of {} model{plural}.",
        leader.channel, leader.first_under, leader.models
    );
    if !leader.tied_with.is_empty() {
        sentence.push_str(&tie_break(comparison, leader));
    }
    lines.push(sentence);
    for dissent in &comparison.dissents {
        lines.push(format!(
            "{} ranks {} first.",
            dissent.model,
            list(&dissent.top)
        ));
    }
    let widest = comparison
        .spreads
        .first()
        .map_or(0, |s| s.worst_rank - s.best_rank);
    let contested: Vec<String> = comparison
        .spreads
        .iter()
        .take_while(|s| s.worst_rank - s.best_rank == widest)
        .map(|s| {
            format!(
                "{} (rank {} under {}; {} under {})",
                s.channel,
                s.best_rank,
                list(&s.best_under),
                s.worst_rank,
                list(&s.worst_under)
            )
        })
        .collect();
    if contested.is_empty() {
        lines.push("Every model ranks the channels in the same order.".to_owned());
    } else {
        lines.push(format!("They disagree most on {}.", contested.join("; ")));
    }
    lines
}
