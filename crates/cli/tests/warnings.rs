//! Options that do nothing get a `warning:` on stderr (and the output is the
//! same as without them); invalid values are errors even where the option
//! would be ignored; models `--model all` leaves out are named.

mod common;

use common::{fixture, run};

/// Runs and returns (exit code, stdout, stderr).
fn outcome(args: &[&str]) -> (i32, String, String) {
    let out = run(args, b"");
    (
        out.status.code().unwrap(),
        String::from_utf8(out.stdout).unwrap(),
        String::from_utf8(out.stderr).unwrap(),
    )
}

fn paths() -> String {
    fixture("tiny/paths.csv")
}

#[test]
fn defaults_give_no_warning() {
    let (code, _, stderr) = outcome(&[
        "attribute",
        &paths(),
        "--model",
        "first-touch,markov",
        "--format",
        "csv",
    ]);
    assert_eq!((code, stderr.as_str()), (0, ""));
}

#[test]
fn event_build_options_on_paths_input_are_named_and_change_nothing() {
    let plain = outcome(&[
        "attribute",
        &paths(),
        "--model",
        "linear",
        "--format",
        "csv",
    ]);
    let (code, stdout, stderr) = outcome(&[
        "attribute",
        &paths(),
        "--model",
        "linear",
        "--format",
        "csv",
        "--lookback",
        "30d",
        "--no-split",
        "--exclude",
        "PPC",
        "--sorted",
    ]);
    assert_eq!(code, 0);
    assert_eq!(stdout, plain.1);
    assert_eq!(
        stderr,
        "warning: --lookback, --no-split, --exclude, --sorted only apply to --shape events \
         (building journeys from an event log); they are ignored for paths input\n"
    );
}

#[test]
fn one_event_build_option_on_journeys_input_in_every_command() {
    let journeys = fixture("tiny/journeys.csv");
    let expected = "warning: --max-touches only applies to --shape events (building journeys \
                    from an event log); it is ignored for journeys input\n";
    for command in [
        "attribute",
        "compare",
        "transitions",
        "choose-order",
        "journeys",
    ] {
        let (code, _, stderr) = outcome(&[
            command,
            &journeys,
            "--shape",
            "journeys",
            "--max-touches",
            "2",
        ]);
        assert_eq!((code, stderr.as_str()), (0, expected), "{command}");
    }
}

#[test]
fn invalid_values_of_ignored_build_options_are_errors() {
    let (code, stdout, stderr) = outcome(&["attribute", &paths(), "--lookback", "3x"]);
    assert_eq!(code, 2);
    assert!(stdout.is_empty());
    assert!(
        stderr.starts_with("error: --lookback: ") && stderr.contains("3x"),
        "{stderr}"
    );
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    let (code, _, stderr) = outcome(&["transitions", &paths(), "--max-touches", "0"]);
    assert_eq!(code, 2);
    assert_eq!(
        stderr,
        "error: invalid option `max_touches` = 0: must be at least 1\n"
    );
}

#[test]
fn options_of_models_that_do_not_run_are_named() {
    let (code, stdout, stderr) = outcome(&[
        "attribute",
        &paths(),
        "--model",
        "markov",
        "--half-life",
        "3d",
        "--linear",
        "channel",
        "--format",
        "csv",
    ]);
    assert_eq!(code, 0);
    assert!(stdout.starts_with(
        "model,channel,conversions,value,removal_effect,removal_effect_error\nmarkov,PPC,"
    ));
    assert_eq!(
        stderr,
        "warning: --linear only applies to the linear model, which does not run; it is ignored\n\
         warning: --half-life only applies to the time-decay model, which does not run; it is ignored\n"
    );
    let (code, _, stderr) = outcome(&[
        "attribute",
        &paths(),
        "--model",
        "first-touch",
        "--order",
        "2",
        "--max-steps",
        "5",
        "--direct",
        "Email",
        "--decay-rate",
        "0.3",
        "--position-weights",
        "0.3,0.3",
        "--format",
        "csv",
    ]);
    assert_eq!(code, 0);
    assert_eq!(
        stderr,
        "warning: --direct only applies to the last-non-direct model, which does not run; it is ignored\n\
         warning: --position-weights only applies to the position-based model, which does not run; it is ignored\n\
         warning: --decay-rate only applies to the position-decay model, which does not run; it is ignored\n\
         warning: --order only applies to the markov model, which does not run; it is ignored\n\
         warning: --max-steps only applies to the markov model, which does not run; it is ignored\n"
    );
}

#[test]
fn half_life_on_untimed_input_names_why_time_decay_does_not_run() {
    let (code, _, stderr) = outcome(&[
        "attribute",
        &paths(),
        "--half-life",
        "3d",
        "--format",
        "csv",
    ]);
    assert_eq!(code, 0);
    assert_eq!(
        stderr,
        "warning: --half-life only applies to the time-decay model, which does not run \
         (the input has no touch timestamps); it is ignored\n\
         note: participation: overlapping credit, not a partition: every channel of a \
         converting journey gets all of its conversions and value, so the credits sum to more \
         than the total; a share is the fraction of conversions whose journey touched the \
         channel.\n\
         note: not run: time-decay (the input has no touch timestamps)\n"
    );
}

#[test]
fn invalid_values_of_options_of_models_that_do_not_run_are_errors() {
    for (args, error) in [
        (
            ["--position-weights", "2,2"],
            "error: --position-weights: invalid parameter `first+last` = 4: \
             the first and last weights must sum to at most 1\n",
        ),
        (
            ["--decay-rate", "5"],
            "error: --decay-rate: invalid parameter `rate` = 5: the decay ratio must be in (0, 1]\n",
        ),
        (
            ["--order", "0"],
            "error: --order: invalid parameter `order` = 0: the Markov order must be between 1 and 32\n",
        ),
    ] {
        let input = paths();
        let mut all = vec!["attribute", input.as_str(), "--model", "first-touch"];
        all.extend(args);
        let (code, stdout, stderr) = outcome(&all);
        assert_eq!((code, stdout.as_str()), (2, ""), "{args:?}");
        assert_eq!(stderr, error, "{args:?}");
    }
    let (code, _, stderr) = outcome(&[
        "attribute",
        &paths(),
        "--model",
        "markov",
        "--half-life",
        "soon",
    ]);
    assert_eq!(code, 2);
    assert!(stderr.starts_with("error: --half-life: "), "{stderr}");
}

#[test]
fn model_all_names_the_models_it_leaves_out() {
    let (code, _, stderr) = outcome(&["attribute", &paths(), "--format", "json"]);
    assert_eq!(code, 0);
    // participation's label (its credits overlap), then the models left out.
    assert_eq!(
        stderr,
        "note: participation: overlapping credit, not a partition: every channel of a \
         converting journey gets all of its conversions and value, so the credits sum to more \
         than the total; a share is the fraction of conversions whose journey touched the \
         channel.\n\
         note: not run: time-decay (the input has no touch timestamps)\n"
    );
    // Timed input: every model runs, only participation's label to say.
    let (code, _, stderr) = outcome(&[
        "attribute",
        &fixture("tiny/journeys.csv"),
        "--shape",
        "journeys",
        "--format",
        "csv",
    ]);
    assert_eq!(code, 0);
    assert!(
        stderr.starts_with("note: participation: overlapping credit")
            && stderr.lines().count() == 1,
        "{stderr}"
    );
}

#[test]
fn exclude_and_direct_names_that_are_not_channels() {
    let (code, stdout, stderr) = outcome(&[
        "attribute",
        &fixture("tiny/events.csv"),
        "--shape",
        "events",
        "--model",
        "last-non-direct",
        "--exclude",
        "Drect,PPC,Unknown",
        "--direct",
        "Email,Drect",
        "--format",
        "csv",
    ]);
    assert_eq!(code, 0);
    let warnings: Vec<&str> = stderr
        .lines()
        .filter(|l| l.starts_with("warning:"))
        .collect();
    assert_eq!(
        warnings,
        [
            "warning: --exclude: `Drect`, `Unknown` are not channels of the input, so they exclude nothing",
            "warning: --direct: `Drect` is not a channel of the input, so it marks no touch as direct",
        ]
    );
    // PPC is excluded; Email is direct: J1 (.. Email > LinkedIn) still goes to LinkedIn.
    assert!(!stdout.contains("PPC"), "{stdout}");
    // A single absent name.
    let (_, _, stderr) = outcome(&[
        "journeys",
        &fixture("tiny/events.csv"),
        "--shape",
        "events",
        "--exclude",
        "Drect",
    ]);
    assert!(
        stderr.ends_with(
            "warning: --exclude: `Drect` is not a channel of the input, so it excludes nothing\n"
        ),
        "{stderr}"
    );
}

#[test]
fn threads_and_sep_on_an_event_log() {
    let (code, _, stderr) = outcome(&[
        "transitions",
        &fixture("tiny/events.csv"),
        "--shape",
        "events",
        "--threads",
        "2",
        "--sep",
        "|",
    ]);
    assert_eq!(code, 0);
    let warnings: Vec<&str> = stderr
        .lines()
        .filter(|l| l.starts_with("warning:"))
        .collect();
    assert_eq!(
        warnings,
        [
            "warning: --threads only applies to reading paths and journeys files; it is ignored for --shape events",
            "warning: --sep only applies to paths and journeys input; it is ignored for --shape events",
        ]
    );
}
