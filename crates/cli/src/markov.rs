//! `attribution transitions` and `attribution choose-order`.

use std::io::Write;

use attribution::model::markov::{
    EdgeFilter, MAX_ORDER, Markov, OrderReport, TransitionCounts, select_order_with_progress,
};
// Not `DynModel`: importing it makes calls on `Markov` ambiguous.
use attribution::model::DynState;
use attribution::{Attribution, Journey, Merge, Model, ModelError};
use comfy_table::{CellAlignment, Table, presets::UTF8_FULL_CONDENSED};

use crate::args::{ChooseOrderArgs, OrderFormat, TransitionsArgs, TransitionsFormat};
use crate::checks;
use crate::error::{CliError, in_input, write_failed};
use crate::given::Given;
use crate::progress::Progress;
use crate::source::{collect_journeys, fold_journeys};
use crate::streams::diagnostic;

/// A step cap removing more than this share of the conversion probability
/// is warned about: the credits then describe few of the conversions.
const CAP_LOSS_WARNING: f64 = 0.5;

/// Finishes a Markov state like `DynModel::finish`, and warns on stderr
/// when the step cap (`max_steps`) removes most of the conversion
/// probability. `None` for a state of another model.
pub fn finish_with_warning(
    model: &dyn attribution::model::DynModel,
    state: &dyn DynState,
) -> Option<Result<Attribution, ModelError>> {
    let counts = state.as_any().downcast_ref::<TransitionCounts>()?;
    let spec = model.spec();
    if &spec != state.spec() {
        return None;
    }
    let result = Markov::from_spec(&spec).and_then(|markov| {
        let chain = markov.chain(counts)?;
        let effects = markov.removal_effects(&chain)?;
        if let (Some(loss), Some(steps)) = (effects.cap_loss, markov.max_steps_cap()) {
            warn_cap_loss(loss, steps);
        }
        Ok(markov.attribution(&chain, &effects))
    });
    Some(result)
}

fn warn_cap_loss(loss: f64, steps: usize) {
    if loss > CAP_LOSS_WARNING {
        let share = if loss < 0.9995 {
            format!("{:.1}%", 100.0 * loss)
        } else {
            "over 99.9%".to_owned()
        };
        let plural = if steps == 1 { "" } else { "s" };
        crate::warn::warning(format!(
            "--max-steps {steps} removes {share} of the Markov conversion \
             probability; the credits describe only conversions within {steps} \
             step{plural}"
        ));
    }
}

/// The `--min-probability` and `--top` filter.
fn edge_filter(args: &TransitionsArgs) -> Result<EdgeFilter, CliError> {
    EdgeFilter::new(args.min_probability, args.top).map_err(|e| {
        let flag = match &e {
            ModelError::InvalidParameter { name: "top", .. } => "--top",
            _ => "--min-probability",
        };
        CliError::Input(format!("{flag}: {e}"))
    })
}

pub fn transitions(args: &TransitionsArgs, given: &Given) -> Result<(), CliError> {
    let model = Markov::new(args.order).map_err(|e| CliError::Input(format!("--order: {e}")))?;
    let filter = edge_filter(args)?;
    checks::input_options(&args.input, &args.build, given, true)?;
    let mut merge_error = None;
    let (mut counts, channels, summary) = fold_journeys(
        &args.input,
        &args.build,
        args.threads,
        |_| Ok(model.counts()),
        |_| model.counts(),
        |counts, journey, channels| model.observe(counts, journey, channels),
        |counts: &mut TransitionCounts, other| {
            if let Err(e) = counts.merge(&other) {
                merge_error.get_or_insert(e);
            }
        },
    )
    .map_err(in_input(&args.input.input))?;
    if let Some(e) = merge_error {
        return Err(CliError::Input(e.to_string()));
    }
    counts.extend_channels(&channels)?;
    summary.print();
    checks::excluded_channels(&summary);
    crate::confusables::warn(&channels, &summary);
    let chain = model.chain(&counts)?;
    let mut out = crate::open_output(args.output.as_deref())?;
    match args.format {
        TransitionsFormat::Dot => out
            .write_all(chain.to_dot_filtered(&filter).as_bytes())
            .map_err(write_failed)?,
        TransitionsFormat::Json => {
            serde_json::to_writer_pretty(&mut out, &chain.transitions_filtered(&filter))
                .map_err(write_failed)?;
            writeln!(out).map_err(write_failed)?;
        }
        TransitionsFormat::Csv => {
            let mut w = csv::Writer::from_writer(&mut out);
            w.write_record(["from", "to", "probability", "count"])
                .map_err(write_failed)?;
            for row in chain.transitions_filtered(&filter) {
                w.write_record([
                    row.from.as_str(),
                    row.to.as_str(),
                    &row.probability.to_string(),
                    &row.count.to_string(),
                ])
                .map_err(write_failed)?;
            }
            w.flush().map_err(write_failed)?;
        }
    }
    out.flush().map_err(write_failed)
}

pub fn choose_order(args: &ChooseOrderArgs, given: &Given) -> Result<(), CliError> {
    checks::input_options(&args.input, &args.build, given, true)?;
    let (max_order, folds) = (args.max_order, args.folds);
    // Checked before the input is read.
    if !(1..=MAX_ORDER).contains(&max_order) {
        return Err(CliError::Input(format!(
            "--max-order {max_order}: expected an order from 1 to {MAX_ORDER}"
        )));
    }
    if folds < 2 {
        return Err(CliError::Input(format!(
            "--folds {folds}: cross-validation needs at least 2 folds"
        )));
    }
    let journeys = collect_journeys(&args.input, &args.build)?;
    if folds > journeys.len() {
        return Err(CliError::Input(format!(
            "--folds {folds}: more folds than the {} journeys of `{}` (every fold needs one)",
            journeys.len(),
            args.input.input
        )));
    }
    let longest = journeys.iter().map(Journey::len).max().unwrap_or(1);
    let progress = Progress::steps(
        u64::try_from(max_order.min(longest)).unwrap_or(u64::MAX),
        "choose-order: order",
    );
    let report = select_order_with_progress(&journeys, max_order, folds, |k, last| {
        progress
            .bar()
            .set_length(u64::try_from(last).unwrap_or(u64::MAX));
        progress
            .bar()
            .set_position(u64::try_from(k).unwrap_or(u64::MAX));
    })?;
    drop(progress);
    let computed = report.orders.len();
    if computed < max_order {
        diagnostic(&format!(
            "note: orders {} to {max_order} not computed: the longest journey has {computed} \
             touches, so they would repeat order {computed}",
            computed + 1
        ));
    }
    let mut out = crate::open_output(args.output.as_deref())?;
    match args.format {
        OrderFormat::Json => {
            serde_json::to_writer_pretty(&mut out, &report).map_err(write_failed)?;
            writeln!(out).map_err(write_failed)?;
        }
        OrderFormat::Csv => write_order_csv(&report, &mut out)?,
        OrderFormat::Table => write_order_table(&report, &mut out)?,
    }
    out.flush().map_err(write_failed)
}

const ORDER_HEADER: [&str; 8] = [
    "order",
    "states",
    "transitions",
    "parameters",
    "log_likelihood",
    "bic",
    "cv_log_loss",
    "cv_auc",
];

fn order_cells(report: &OrderReport) -> impl Iterator<Item = [String; 8]> + '_ {
    report.orders.iter().map(|o| {
        [
            o.order.to_string(),
            o.states.to_string(),
            o.transitions.to_string(),
            o.parameters.to_string(),
            o.log_likelihood.to_string(),
            o.bic.to_string(),
            o.cv_log_loss.to_string(),
            o.cv_auc.map(|a| a.to_string()).unwrap_or_default(),
        ]
    })
}

fn write_order_csv(report: &OrderReport, out: &mut dyn Write) -> Result<(), CliError> {
    let mut w = csv::Writer::from_writer(out);
    w.write_record(ORDER_HEADER).map_err(write_failed)?;
    for row in order_cells(report) {
        w.write_record(row).map_err(write_failed)?;
    }
    w.flush().map_err(write_failed)
}

fn write_order_table(report: &OrderReport, out: &mut dyn Write) -> Result<(), CliError> {
    let mut table = Table::new();
    table.load_preset(UTF8_FULL_CONDENSED);
    table.set_header(ORDER_HEADER);
    for o in &report.orders {
        table.add_row([
            o.order.to_string(),
            o.states.to_string(),
            o.transitions.to_string(),
            o.parameters.to_string(),
            format!("{:.2}", o.log_likelihood),
            format!("{:.2}", o.bic),
            format!("{:.6}", o.cv_log_loss),
            o.cv_auc.map(|a| format!("{a:.4}")).unwrap_or_default(),
        ]);
    }
    for column in table.column_iter_mut() {
        column.set_cell_alignment(CellAlignment::Right);
    }
    writeln!(out, "{table}").map_err(write_failed)?;
    writeln!(out, "columns:").map_err(write_failed)?;
    for (column, meaning) in ORDER_COLUMNS {
        writeln!(out, "  {column:<15} {meaning}").map_err(write_failed)?;
    }
    writeln!(
        out,
        "suggested order: {} ({})",
        report.suggested_order, report.rule
    )
    .map_err(write_failed)?;
    writeln!(out, "{}", suggestion_reason(report)).map_err(write_failed)
}

/// What each column of the choose-order table means.
const ORDER_COLUMNS: [(&str, &str); 8] = [
    (
        "order",
        "Markov order K: each state is a window of K consecutive touches",
    ),
    ("states", "states of the chain (distinct windows seen)"),
    (
        "transitions",
        "distinct transitions seen, from (start) and into (conversion)/(null) included",
    ),
    (
        "parameters",
        "free parameters: for (start) and each state, its distinct next states - 1",
    ),
    (
        "log_likelihood",
        "in-sample log-likelihood of the transitions (higher fits better, but it grows with the order)",
    ),
    (
        "bic",
        "-2 log_likelihood + parameters x ln(transitions observed): fit penalised by size (lower is better)",
    ),
    (
        "cv_log_loss",
        "mean log-loss of P(conversion | last state) on held-out journeys (lower is better)",
    ),
    (
        "cv_auc",
        "ROC AUC of the same prediction on held-out journeys (0.5 = chance, 1 = perfect; \
         empty without both outcomes)",
    ),
];

/// Why the suggested order was suggested, in one line.
fn suggestion_reason(report: &OrderReport) -> String {
    let k = report.suggested_order;
    let loss = report
        .orders
        .iter()
        .find(|o| o.order == k)
        .map_or(String::new(), |o| format!(" ({:.6})", o.cv_log_loss));
    let mut line = format!(
        "why: order {k} has the lowest cv_log_loss{loss}, so it best predicts whether journeys \
         it was not fitted on convert; a higher order's extra states only help if they predict \
         better out of sample."
    );
    let best_bic = report
        .orders
        .iter()
        .min_by(|a, b| a.bic.total_cmp(&b.bic))
        .map(|o| o.order);
    if let Some(b) = best_bic.filter(|&b| b != k) {
        line.push_str(&format!(" (BIC, for reference, is lowest at order {b}.)"));
    }
    line
}
