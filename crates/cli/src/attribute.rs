//! `attribution attribute`: run models over an input and write the credits.

use attribution::{Attribution, Channels, Journey};

use crate::args::AttributeArgs;
use crate::checks;
use crate::error::{CliError, in_input, write_failed};
use crate::given::Given;
use crate::models::{Models, Plan, warn_unused_options};
use crate::output::{self, Format, Notes};
use crate::per_journey::PerJourney;
use crate::progress::Progress;
use crate::runner::Runner;
use crate::source::{
    JourneySink, fold_journeys, for_each_journey, has_timestamps, has_value_column, observe_error,
};
use crate::warn::{note, warning};

/// What the header told: the models that run and whether there is value.
struct Started {
    plan: Plan,
    has_value: bool,
}

/// Chooses the models once the header is known (for `all`: whether the
/// input has timestamps) and warns about options that do nothing.
fn start(
    args: &AttributeArgs,
    given: &Given,
    models: &Models,
    headers: &[String],
) -> (Started, Vec<Box<dyn Runner>>) {
    let plan = models.plan(has_timestamps(&args.input, headers));
    warn_unused_options(&plan, given);
    let runners = plan
        .chosen
        .iter()
        .map(crate::models::Chosen::runner)
        .collect();
    let has_value = has_value_column(&args.input, headers);
    (Started { plan, has_value }, runners)
}

/// Validates every option, then streams every journey through all the
/// models, on `--threads` threads whose states are merged (one thread with
/// `--per-journey`, whose rows follow the input order).
pub fn run(args: &AttributeArgs, given: &Given) -> Result<(), CliError> {
    let models = Models::new(args)?;
    checks::input_options(&args.input, &args.build, given, true)?;
    let (mut runners, channels, summary, started) = match &args.per_journey {
        Some(path) => {
            if !models.requests_heuristic() {
                return Err(crate::per_journey::no_model());
            }
            if given.has("threads") {
                warning(
                    "--threads is ignored with --per-journey (journeys are read in order, on one thread)",
                );
            }
            let mut sink = Sink {
                args,
                given,
                models: &models,
                per_journey: Some(PerJourney::create(path)?),
                started: None,
                runners: Vec::new(),
                journeys: 0,
            };
            let (channels, summary) = for_each_journey(&args.input, &args.build, &mut sink)
                .map_err(in_input(&args.input.input))?;
            if let Some(per_journey) = sink.per_journey {
                per_journey.finish()?;
            }
            (sink.runners, channels, summary, sink.started)
        }
        None => {
            let mut started = None;
            let mut merge_error = None;
            let (runners, channels, summary) = fold_journeys(
                &args.input,
                &args.build,
                args.threads,
                |headers| {
                    let (s, runners) = start(args, given, &models, headers);
                    started = Some(s);
                    Ok(runners)
                },
                |template: &Vec<Box<dyn Runner>>| template.iter().map(|r| r.fresh()).collect(),
                |runners, journey, channels| {
                    runners
                        .iter_mut()
                        .try_for_each(|m| m.observe(journey, channels))
                },
                |runners, other| {
                    for (m, o) in runners.iter_mut().zip(&other) {
                        if let Err(e) = m.merge(o.as_ref()) {
                            merge_error.get_or_insert(e);
                        }
                    }
                },
            )
            .map_err(in_input(&args.input.input))?;
            if let Some(e) = merge_error {
                return Err(CliError::Input(e.to_string()));
            }
            (runners, channels, summary, started)
        }
    };
    summary.print();
    checks::excluded_channels(&summary);
    crate::confusables::warn(&channels, &summary);
    let Some(Started { plan, has_value }) = started else {
        return Err(CliError::Other("internal: no header".to_owned()));
    };
    if given.has("direct") && plan.runs("last-non-direct") {
        checks::direct_channels(&args.direct, &channels);
    }
    // Finishing solves the Markov chain: minutes on a large high-order input.
    let progress = Progress::phase("computing credits");
    let results: Vec<Attribution> = runners
        .iter_mut()
        .zip(&plan.chosen)
        .map(|(m, chosen)| {
            let a = m.finish(&channels)?;
            let label = chosen.label();
            Ok(if a.model() == label {
                a
            } else {
                Attribution::new(
                    label,
                    a.parameters().to_vec(),
                    a.channels().to_vec(),
                    a.total_conversions(),
                    a.total_value(),
                )
            })
        })
        .collect::<Result<_, CliError>>()?;
    drop(progress);
    let notes = Notes {
        no_value_column: !has_value,
        skipped: plan.skipped.clone(),
        markov_orders: plan.markov_orders(),
    };
    if args.format != Format::Table {
        for line in notes.for_stderr() {
            note(line);
        }
    }
    let mut out = crate::open_output(args.output.as_deref())?;
    output::write(&results, args.format, &notes, &mut out)?;
    out.flush().map_err(write_failed)
}

/// The one-thread read of `--per-journey`: every journey goes through the
/// models and into the per-journey file, in input order.
struct Sink<'a> {
    args: &'a AttributeArgs,
    given: &'a Given,
    models: &'a Models,
    per_journey: Option<PerJourney>,
    started: Option<Started>,
    runners: Vec<Box<dyn Runner>>,
    /// Journeys seen so far.
    journeys: u64,
}

impl JourneySink for Sink<'_> {
    fn start(&mut self, headers: &[String]) -> Result<(), CliError> {
        let (started, runners) = start(self.args, self.given, self.models, headers);
        if let Some(per_journey) = &mut self.per_journey {
            per_journey.choose(&started.plan)?;
        }
        self.started = Some(started);
        self.runners = runners;
        Ok(())
    }

    fn journey(
        &mut self,
        journey: &Journey,
        channels: &Channels,
        line: Option<u64>,
    ) -> Result<(), CliError> {
        let position = self.journeys;
        self.journeys += 1;
        for runner in &mut self.runners {
            runner
                .observe(journey, channels)
                .map_err(|e| observe_error(e, position, line))?;
        }
        if let Some(per_journey) = &mut self.per_journey {
            per_journey
                .journey(journey, channels)
                .map_err(|e| match (line, e) {
                    (Some(line), CliError::Input(m)) => {
                        CliError::Input(format!("line {line}: {m}"))
                    }
                    (_, e) => e,
                })?;
        }
        Ok(())
    }
}
