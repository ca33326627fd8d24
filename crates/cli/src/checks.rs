//! Options that would do nothing: every value is validated up front, and an
//! option given where it has no effect gets a warning naming it.

use attribution::Channels;

use crate::args::{BuildArgs, InputArgs, ShapeArg};
use crate::error::CliError;
use crate::given::Given;
use crate::source::{Summary, journey_builder, validate_builder};
use crate::warn::warning;

/// Validates the event-build options whatever the input shape (an invalid
/// value is an error even where it would be ignored), then warns about
/// options that do nothing with this input: the build options and `--sep`
/// (`sep_reads_paths`: when the command uses it only to split paths) on
/// anything but an event log, `--threads` on an event log.
pub fn input_options(
    input: &InputArgs,
    build: &BuildArgs,
    given: &Given,
    sep_reads_paths: bool,
) -> Result<(), CliError> {
    validate_builder(&journey_builder(build)?)?;
    let shape = match input.shape {
        ShapeArg::Paths => "paths",
        ShapeArg::Journeys => "journeys",
        ShapeArg::Events => {
            if given.has("threads") {
                warning(
                    "--threads only applies to reading paths and journeys files; \
                     it is ignored for --shape events",
                );
            }
            if sep_reads_paths && given.has("sep") {
                warning(
                    "--sep only applies to paths and journeys input; it is ignored for --shape events",
                );
            }
            return Ok(());
        }
    };
    let event_only = [
        ("--lookback", build.lookback.is_some()),
        ("--session-timeout", build.session_timeout.is_some()),
        ("--no-split", build.no_split),
        ("--collapse-repeats", build.collapse_repeats),
        ("--exclude", !build.exclude.is_empty()),
        ("--max-touches", build.max_touches.is_some()),
        ("--drop-duplicates", build.drop_duplicates),
        ("--sorted", build.sorted),
    ];
    let given: Vec<&str> = event_only
        .iter()
        .filter(|(_, on)| *on)
        .map(|(flag, _)| *flag)
        .collect();
    if !given.is_empty() {
        let (verb, them) = if given.len() == 1 {
            ("applies", "it is")
        } else {
            ("apply", "they are")
        };
        warning(format!(
            "{} only {verb} to --shape events (building journeys from an event log); \
             {them} ignored for {shape} input",
            given.join(", ")
        ));
    }
    Ok(())
}

/// After an event log was built: warns about `--exclude` names that never
/// occur in it (a misspelt channel excludes nothing).
pub fn excluded_channels(summary: &Summary) {
    let Summary::Build(report) = summary else {
        return;
    };
    let absent: Vec<String> = report
        .dropped
        .excluded_per_channel
        .iter()
        .filter(|(_, n)| **n == 0)
        .map(|(name, _)| format!("`{name}`"))
        .collect();
    if let Some(names) = not_channels(&absent, "exclude", "excludes", "nothing") {
        warning(format!("--exclude: {names}"));
    }
}

/// After the read: warns about `--direct` names that are not channels of the
/// input (last-non-direct then treats no touch of theirs as direct).
pub fn direct_channels(direct: &[String], channels: &Channels) {
    let mut absent: Vec<String> = Vec::new();
    for name in direct.iter().map(|name| name.trim()) {
        let quoted = format!("`{name}`");
        if channels.get(name).is_none() && !absent.contains(&quoted) {
            absent.push(quoted);
        }
    }
    if let Some(names) = not_channels(&absent, "mark", "marks", "no touch as direct") {
        warning(format!("--direct: {names}"));
    }
}

/// "`a` is not a channel of the input, so it {verb_one} {object}" (or the plural).
fn not_channels(names: &[String], verb_many: &str, verb_one: &str, object: &str) -> Option<String> {
    match names {
        [] => None,
        [one] => Some(format!(
            "{one} is not a channel of the input, so it {verb_one} {object}"
        )),
        many => Some(format!(
            "{} are not channels of the input, so they {verb_many} {object}",
            many.join(", ")
        )),
    }
}
