//! `attribution state` (the models' partial states of an input, to a file)
//! and `attribution merge` (state files merged, finished and written as
//! `attribute` writes them).

use std::io::Write;
use std::path::Path;

use attribution::ModelError;
use attribution::model::{ModelSpec, Registry, StateBundle};

use crate::args::{MergeArgs, StateArgs, StateFormat};
use crate::attribute::{Reading, observe_input, write_results};
use crate::error::{CliError, write_failed};
use crate::given::Given;
use crate::models::{DEGENERATE, Models, ONE_OUTCOME, TOO_MANY_CHANNELS, labels};
use crate::output::{Labelled, Notes};
use crate::progress::Progress;
use crate::runner::finish;
use crate::warn::warning;

/// The meta key recording whether the input had a value column.
const VALUE_COLUMN: &str = "value_column";
/// The prefix of the meta keys naming a model `all` left out (the value is
/// the reason).
const NOT_RUN: &str = "not_run.";
/// The prefix of the meta keys naming a spec only `--model all` asked for
/// (`merge` leaves it out, with a warning, when its game is degenerate).
const FROM_ALL: &str = "from_all.";

/// Reads the input into the models and writes their states.
pub fn state(args: &StateArgs, given: &Given, registry: &Registry) -> Result<(), CliError> {
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
    let mut bundle = StateBundle::new();
    for running in observed.running {
        let model = registry.build(&running.model.spec())?;
        bundle.push(model, running.state)?;
    }
    bundle.set_meta(VALUE_COLUMN, observed.has_value.to_string());
    for (model, reason) in &observed.plan.skipped {
        bundle.set_meta(format!("{NOT_RUN}{model}"), reason.clone());
    }
    for chosen in observed.plan.chosen.iter().filter(|c| c.from_all) {
        bundle.set_meta(format!("{FROM_ALL}{}", chosen.spec), "true");
    }
    let data = match args.state_format {
        StateFormat::Binary => bundle.to_bytes()?,
        StateFormat::Json => {
            let mut text = bundle.to_json()?;
            text.push('\n');
            text.into_bytes()
        }
    };
    let mut out = crate::open_output(Some(&args.output))?;
    out.write_all(&data).map_err(write_failed)?;
    out.flush().map_err(write_failed)
}

/// Reads one state file.
fn read(registry: &Registry, path: &Path) -> Result<StateBundle, CliError> {
    let name = path.display();
    let data =
        std::fs::read(path).map_err(|e| CliError::Input(format!("{name}: cannot open: {e}")))?;
    StateBundle::read(registry, &data).map_err(|e| match CliError::from(e) {
        CliError::Input(m) => CliError::Input(format!("{name}: {m}")),
        CliError::Other(m) => CliError::Other(format!("{name}: {m}")),
        e @ CliError::ClosedPipe => e,
    })
}

fn describe(specs: &[String]) -> String {
    if specs.is_empty() {
        return "no model".to_owned();
    }
    let specs: Vec<String> = specs.iter().map(|s| format!("`{s}`")).collect();
    specs.join(", ")
}

/// Merges the state files, finishes and writes as `attribute` does.
pub fn merge(args: &MergeArgs, registry: &Registry) -> Result<(), CliError> {
    let mut files = args.files.iter();
    let Some(first_path) = files.next() else {
        return Err(CliError::Input(
            "merge needs at least one state file".to_owned(),
        ));
    };
    let mut merged = read(registry, first_path)?;
    let only_all = |bundle: &StateBundle, spec: &ModelSpec| {
        bundle.meta(&format!("{FROM_ALL}{spec}")) == Some("true")
    };
    let mut from_all: Vec<ModelSpec> = merged
        .specs()
        .filter(|s| only_all(&merged, s))
        .cloned()
        .collect();
    let mut has_value = merged.meta(VALUE_COLUMN) == Some("true");
    let mut skipped = not_run(&merged);
    for path in files {
        let bundle = read(registry, path)?;
        has_value |= bundle.meta(VALUE_COLUMN) == Some("true");
        from_all.retain(|s| only_all(&bundle, s));
        for entry in not_run(&bundle) {
            if !skipped.contains(&entry) {
                skipped.push(entry);
            }
        }
        merged.merge(&bundle).map_err(|e| match e {
            ModelError::MismatchedStates { left, right } => CliError::Input(format!(
                "{}: its states do not match those of {}: {} holds {}, {} holds {}; only \
                 states of the same model specs merge",
                path.display(),
                first_path.display(),
                first_path.display(),
                describe(&left),
                path.display(),
                describe(&right),
            )),
            e => CliError::Input(format!("{}: {e}", path.display())),
        })?;
    }
    let specs: Vec<ModelSpec> = merged.specs().cloned().collect();
    let progress = Progress::phase("computing credits");
    let mut results: Vec<Labelled> = Vec::with_capacity(specs.len());
    for (((model, state), label), spec) in merged
        .entries()
        .zip(labels(&specs, registry))
        .zip(specs.iter())
    {
        match finish(model, state) {
            Ok(attribution) => results.push(Labelled {
                label,
                spec: spec.clone(),
                attribution,
            }),
            // As `attribute` does: a degenerate game only `all` asked for is left out.
            Err(ModelError::DegenerateGame { reason, .. }) if from_all.contains(spec) => {
                warning(format!("--model all: {label} left out: {reason}"));
                skipped.push((label, DEGENERATE.to_owned()));
            }
            Err(e @ ModelError::TooManyChannels { .. }) if from_all.contains(spec) => {
                warning(format!("--model all: {label} left out: {e}"));
                skipped.push((label, TOO_MANY_CHANNELS.to_owned()));
            }
            Err(e @ ModelError::OneOutcomeClass { .. }) if from_all.contains(spec) => {
                warning(format!("--model all: {label} left out: {e}"));
                skipped.push((label, ONE_OUTCOME.to_owned()));
            }
            Err(e) => return Err(e.into()),
        }
    }
    drop(progress);
    let notes = Notes::new(&results, !has_value, skipped);
    write_results(&results, &notes, args.format, args.output.as_deref())
}

/// The models `all` left out when the bundle was written.
fn not_run(bundle: &StateBundle) -> Vec<(String, String)> {
    bundle
        .meta_pairs()
        .iter()
        .filter_map(|(k, v)| {
            k.strip_prefix(NOT_RUN)
                .map(|model| (model.to_owned(), v.clone()))
        })
        .collect()
}
