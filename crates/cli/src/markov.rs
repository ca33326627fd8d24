//! `attribution transitions` and `attribution choose-order`.

use std::io::Write;

use attribution::model::markov::{Markov, OrderReport, TransitionCounts, select_order};
use attribution::{Merge, Model};
use comfy_table::{CellAlignment, Table, presets::UTF8_FULL_CONDENSED};

use crate::args::{ChooseOrderArgs, TransitionsArgs, TransitionsFormat};
use crate::error::{CliError, in_input};
use crate::output::Format;
use crate::runner::Runner;
use crate::source::{collect_journeys, fold_journeys};

/// A step cap removing more than this share of the conversion probability
/// is warned about: the credits then describe few of the conversions.
const CAP_LOSS_WARNING: f64 = 0.5;

/// The Markov model in `attribute`: like any model, plus a warning on
/// stderr when `--max-steps` removes most of the conversion probability.
pub struct MarkovRunner {
    model: Markov,
    counts: TransitionCounts,
}

impl MarkovRunner {
    pub fn new(model: Markov) -> Self {
        Self {
            counts: model.counts(),
            model,
        }
    }
}

impl Runner for MarkovRunner {
    fn observe(
        &mut self,
        journey: &attribution::Journey,
        channels: &attribution::Channels,
    ) -> Result<(), attribution::ModelError> {
        self.model.observe(&mut self.counts, journey, channels)
    }

    fn finish(
        &self,
        channels: &attribution::Channels,
    ) -> Result<attribution::Attribution, attribution::ModelError> {
        let chain = self.model.chain(&self.counts, channels)?;
        let effects = self.model.removal_effects(&chain)?;
        if let (Some(loss), Some(steps)) = (effects.cap_loss, self.model.max_steps_cap()) {
            if loss > CAP_LOSS_WARNING {
                let share = if loss < 0.9995 {
                    format!("{:.1}%", 100.0 * loss)
                } else {
                    "over 99.9%".to_owned()
                };
                let plural = if steps == 1 { "" } else { "s" };
                let _ = writeln!(
                    std::io::stderr().lock(),
                    "warning: --max-steps {steps} removes {share} of the Markov conversion \
                     probability; the credits describe only conversions within {steps} \
                     step{plural}"
                );
            }
        }
        Ok(self.model.attribution(&chain, &effects))
    }

    fn fresh(&self) -> Box<dyn Runner> {
        Box::new(Self::new(self.model))
    }

    fn merge(&mut self, other: &dyn Runner) {
        if let Some(other) = other.as_any().downcast_ref::<Self>() {
            self.counts.merge(&other.counts);
        }
    }

    fn as_any(&self) -> &dyn std::any::Any {
        self
    }
}

fn write_failed(e: impl std::fmt::Display) -> CliError {
    CliError::Other(format!("cannot write output: {e}"))
}

pub fn transitions(args: &TransitionsArgs) -> Result<(), CliError> {
    let model = Markov::new(args.order).map_err(|e| CliError::Input(format!("--order: {e}")))?;
    let (counts, channels, summary) = fold_journeys(
        &args.input,
        &args.build,
        args.threads,
        |_| Ok(model.counts()),
        |_| model.counts(),
        |counts, journey, channels| model.observe(counts, journey, channels),
        |counts: &mut TransitionCounts, other| counts.merge(&other),
    )
    .map_err(in_input(&args.input.input))?;
    summary.print();
    let chain = model.chain(&counts, &channels)?;
    let mut out = crate::open_output(args.output.as_deref())?;
    match args.format {
        TransitionsFormat::Dot => out
            .write_all(chain.to_dot().as_bytes())
            .map_err(write_failed)?,
        TransitionsFormat::Json => {
            serde_json::to_writer_pretty(&mut out, &chain.transitions()).map_err(write_failed)?;
            writeln!(out).map_err(write_failed)?;
        }
        TransitionsFormat::Csv => {
            let mut w = csv::Writer::from_writer(&mut out);
            w.write_record(["from", "to", "probability", "count"])
                .map_err(write_failed)?;
            for row in chain.transitions() {
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

pub fn choose_order(args: &ChooseOrderArgs) -> Result<(), CliError> {
    let journeys = collect_journeys(&args.input, &args.build)?;
    let report = select_order(&journeys, args.max_order, args.folds)?;
    let mut out = crate::open_output(args.output.as_deref())?;
    match args.format {
        Format::Json => {
            serde_json::to_writer_pretty(&mut out, &report).map_err(write_failed)?;
            writeln!(out).map_err(write_failed)?;
        }
        Format::Csv => write_order_csv(&report, &mut out)?,
        Format::Table => write_order_table(&report, &mut out)?,
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
    writeln!(
        out,
        "suggested order: {} ({}; {} folds)",
        report.suggested_order, report.rule, report.folds
    )
    .map_err(write_failed)
}
