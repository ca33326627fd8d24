//! `attribution attribute`: run models over an input and write the credits.
//! Reading the input into the models' states is shared with `state`.

use std::io::Write;
use std::path::Path;
use std::sync::Arc;

use attribution::model::Registry;
use attribution::truth::TruthPaths;
use attribution::{Channels, Journey};

use crate::args::{AttributeArgs, BuildArgs, InputArgs, ModelArgs};
use crate::checks;
use crate::error::{CliError, in_input, write_failed};
use crate::given::Given;
use crate::models::{Models, Plan, warn_unused_options};
use crate::output::{self, Format, Labelled, Notes};
use crate::per_journey::PerJourney;
use crate::progress::Progress;
use crate::runner::Running;
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
    input: &InputArgs,
    given: &Given,
    models: &Models<'_>,
    headers: &[String],
) -> Result<(Started, Vec<Running>), CliError> {
    let plan = models.plan(has_timestamps(input, headers))?;
    warn_unused_options(&plan, given);
    let running = plan
        .chosen
        .iter()
        .map(|c| Running::new(Arc::clone(&c.model)))
        .collect();
    let has_value = has_value_column(input, headers);
    Ok((Started { plan, has_value }, running))
}

/// The models of one read of the input, each with its state (following
/// the input's final channel table), and what the header told.
pub struct Observed {
    /// The models and their states, in the order of `plan.chosen`.
    pub running: Vec<Running>,
    /// The models that run and those `all` left out.
    pub plan: Plan,
    /// Whether the input has a value column.
    pub has_value: bool,
    /// The input's distinct paths, when the reading asked for them (for the
    /// true credit of `evaluate`).
    pub paths: Option<TruthPaths>,
    /// The input's channel table (every channel, in order of first
    /// appearance).
    pub channels: Channels,
}

/// One thread's share of a read: the models' states, the paths grouped for
/// the true credit (when asked for), and the first error of grouping them.
struct Folded {
    running: Vec<Running>,
    paths: Option<TruthPaths>,
    error: Option<String>,
}

/// Where the input is and how to read it into the models.
pub struct Reading<'a> {
    pub input: &'a InputArgs,
    pub build: &'a BuildArgs,
    pub threads: usize,
    pub model_args: &'a ModelArgs,
    pub given: &'a Given,
    /// Also group the journeys by path ([`Observed::paths`]; not with
    /// `per_journey`).
    pub paths: bool,
}

/// Validates the input options, then streams every journey through all the
/// models, on `--threads` threads whose states are merged (one thread with
/// `per_journey`, whose rows follow the input order).
pub fn observe_input(
    reading: &Reading<'_>,
    models: &Models<'_>,
    per_journey: Option<&Path>,
) -> Result<Observed, CliError> {
    let Reading {
        input,
        build,
        threads,
        model_args,
        given,
        paths,
    } = *reading;
    checks::input_options(input, build, given, true)?;
    let (mut running, paths, channels, summary, started) = match per_journey {
        Some(path) => {
            if given.has("threads") {
                warning(
                    "--threads is ignored with --per-journey (journeys are read in order, on one thread)",
                );
            }
            let mut sink = Sink {
                input,
                given,
                models,
                per_journey: Some(PerJourney::create(path)?),
                started: None,
                running: Vec::new(),
                journeys: 0,
            };
            let (channels, summary) =
                for_each_journey(input, build, &mut sink).map_err(in_input(&input.input))?;
            if let Some(per_journey) = sink.per_journey {
                per_journey.finish()?;
            }
            (sink.running, None, channels, summary, sink.started)
        }
        None => {
            let mut started = None;
            let mut merge_error = None;
            let fresh = |running: Vec<Running>| Folded {
                running,
                paths: paths.then(TruthPaths::new),
                error: None,
            };
            let (folded, channels, summary) = fold_journeys(
                input,
                build,
                threads,
                |headers| {
                    let (s, running) = start(input, given, models, headers)?;
                    started = Some(s);
                    Ok(fresh(running))
                },
                |template: &Folded| fresh(template.running.iter().map(Running::fresh).collect()),
                |folded, journey, channels| {
                    if let Some(paths) = &mut folded.paths
                        && let Err(e) = paths.observe(journey, channels)
                    {
                        folded.error.get_or_insert(e.to_string());
                    }
                    folded
                        .running
                        .iter_mut()
                        .try_for_each(|m| m.observe(journey, channels))
                },
                |folded, other| {
                    for (m, o) in folded.running.iter_mut().zip(&other.running) {
                        if let Err(e) = m.merge(o) {
                            merge_error.get_or_insert(e.to_string());
                        }
                    }
                    if let (Some(paths), Some(theirs)) = (&mut folded.paths, other.paths)
                        && let Err(e) = paths.merge(theirs)
                    {
                        merge_error.get_or_insert(e.to_string());
                    }
                    if let Some(e) = other.error {
                        folded.error.get_or_insert(e);
                    }
                },
            )
            .map_err(in_input(&input.input))?;
            if let Some(e) = merge_error.or(folded.error) {
                return Err(CliError::Input(e));
            }
            let Folded { running, paths, .. } = folded;
            (running, paths, channels, summary, started)
        }
    };
    summary.print();
    checks::excluded_channels(&summary);
    crate::confusables::warn(&channels, &summary);
    let Some(Started { plan, has_value }) = started else {
        return Err(CliError::Other("internal: no header".to_owned()));
    };
    crate::journeys::warn_absent_channels(&model_args.transform, &channels);
    if given.has("direct") && plan.runs("last-non-direct") {
        checks::direct_channels(&model_args.direct, &channels);
    }
    // Every state lists every channel of the input, credited or not.
    for r in &mut running {
        r.state.extend_channels(&channels)?;
    }
    Ok(Observed {
        running,
        plan,
        has_value,
        paths,
        channels,
    })
}

/// Validates every option, reads the input into the models and writes
/// their credits.
pub fn run(args: &AttributeArgs, given: &Given, registry: &Registry) -> Result<(), CliError> {
    let models = Models::new(&args.models, given, registry)?;
    if args.per_journey.is_some() && !models.requests_per_journey() {
        checks::input_options(&args.input, &args.build, given, true)?;
        return Err(crate::per_journey::no_model());
    }
    let reading = Reading {
        input: &args.input,
        build: &args.build,
        threads: args.threads,
        model_args: &args.models,
        given,
        paths: false,
    };
    let observed = observe_input(&reading, &models, args.per_journey.as_deref())?;
    // Finishing solves the Markov chain: minutes on a large high-order input.
    let progress = Progress::phase("computing credits");
    let mut skipped = observed.plan.skipped;
    let mut results: Vec<Labelled> = Vec::with_capacity(observed.running.len());
    let mut coefficients = Vec::new();
    for (r, chosen) in observed.running.iter().zip(&observed.plan.chosen) {
        let finished = if args.coefficients.is_some() {
            crate::coefficients::finish(r.model.as_ref(), r.state.as_ref())
        } else {
            r.finish().map(|a| (a, None))
        };
        match finished {
            Ok((attribution, terms)) => {
                if let Some(terms) = terms {
                    coefficients.push((chosen.label.clone(), terms));
                }
                results.push(Labelled {
                    label: chosen.label.clone(),
                    spec: chosen.spec.clone(),
                    attribution,
                });
            }
            // `all` leaves out a model without an answer on this input (a
            // degenerate game, too many channels, one outcome class), as it
            // leaves out time decay on untimed input; asked for by name, it fails.
            Err(e) => crate::runner::leave_out(chosen, e, &mut skipped)?,
        }
    }
    drop(progress);
    let notes = Notes::new(&results, !observed.has_value, skipped);
    if let Some(path) = &args.coefficients {
        if coefficients.is_empty() {
            warning(format!(
                "--coefficients: no dda model ran, so `{}` is not written",
                path.display()
            ));
        } else {
            crate::coefficients::write(path, &coefficients)?;
        }
    }
    if let Some(path) = &args.positions {
        crate::positions::write(&results, path)?;
    }
    write_results(&results, &notes, args.format, args.output.as_deref())
}

/// Writes `results` as `attribute` does: notes on stderr for CSV and JSON,
/// the output to `output` or stdout.
pub fn write_results(
    results: &[Labelled],
    notes: &Notes,
    format: Format,
    output: Option<&Path>,
) -> Result<(), CliError> {
    if format != Format::Table {
        for line in notes.for_stderr() {
            note(line);
        }
    }
    let mut out = crate::open_output(output)?;
    output::write(results, format, notes, &mut out)?;
    out.flush().map_err(write_failed)
}

/// The one-thread read of `--per-journey`: every journey goes through the
/// models and into the per-journey file, in input order.
struct Sink<'a> {
    input: &'a InputArgs,
    given: &'a Given,
    models: &'a Models<'a>,
    per_journey: Option<PerJourney>,
    started: Option<Started>,
    running: Vec<Running>,
    /// Journeys seen so far.
    journeys: u64,
}

impl JourneySink for Sink<'_> {
    fn start(&mut self, headers: &[String]) -> Result<(), CliError> {
        let (started, running) = start(self.input, self.given, self.models, headers)?;
        if let Some(per_journey) = &mut self.per_journey {
            per_journey.choose(&started.plan)?;
        }
        self.started = Some(started);
        self.running = running;
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
        for running in &mut self.running {
            running
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
