//! `--model` specs: NAME[:KEY=VALUE,...], repeated or comma-separated (a
//! piece holding `=` but no `:` continues the previous spec); the model
//! flags apply to the specs that do not set their keys; labels name the
//! parameters that differ; spec errors are the library's, exit code 2;
//! `attribute --help` lists the registry's models.

mod common;

use common::{fixture, run};

fn outcome(args: &[&str]) -> (i32, String, String) {
    let out = run(args, b"");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8(out.stdout).unwrap(),
        String::from_utf8(out.stderr).unwrap(),
    )
}

/// The table's `parameters:` footnote for `--model` values `models`.
fn parameters(models: &[&str]) -> String {
    let tiny = fixture("tiny/paths.csv");
    let mut args = vec!["attribute", tiny.as_str()];
    args.extend_from_slice(models);
    let (code, table, stderr) = outcome(&args);
    assert_eq!(code, 0, "{stderr}");
    table
        .lines()
        .find_map(|l| l.strip_prefix("parameters: "))
        .unwrap_or_else(|| panic!("{table}"))
        .to_owned()
}

/// The CSV output's models, in order.
fn models(models: &[&str]) -> Vec<String> {
    let tiny = fixture("tiny/paths.csv");
    let mut args = vec!["attribute", tiny.as_str(), "--format", "csv"];
    args.extend_from_slice(models);
    let (code, csv, stderr) = outcome(&args);
    assert_eq!(code, 0, "{stderr}");
    let mut names: Vec<String> = Vec::new();
    for record in csv::Reader::from_reader(csv.as_bytes()).records() {
        let model = record.unwrap()[0].to_owned();
        if names.last() != Some(&model) {
            names.push(model);
        }
    }
    names
}

#[test]
fn comma_lists_and_repeated_specs() {
    assert_eq!(
        models(&["--model", "linear,markov:order=2,max_steps=5"]),
        ["linear", "markov:order=2,max_steps=5"]
    );
    assert_eq!(
        parameters(&["--model", "linear,markov:order=2,max_steps=5"]),
        "linear: per=touch; markov:order=2,max_steps=5: order=2, max_steps=5"
    );
    assert_eq!(
        models(&[
            "--model",
            "markov:order=3",
            "--model",
            "position-based:first=0.3,last=0.3"
        ]),
        ["markov:order=3", "position-based:first=0.3,last=0.3"]
    );
    // The same spec twice runs once.
    assert_eq!(
        models(&["--model", "linear", "--model", "linear:split=touch"]),
        ["linear"]
    );
}

#[test]
fn labels_name_the_parameters_that_differ() {
    assert_eq!(
        models(&[
            "--model",
            "markov:order=2",
            "--model",
            "markov:order=2,max-steps=5"
        ]),
        [
            "markov:order=2,max_steps=none",
            "markov:order=2,max_steps=5"
        ]
    );
    assert_eq!(
        models(&["--model", "markov,linear", "--order", "3,1"]),
        ["markov:order=3", "markov:order=1", "linear"]
    );
}

#[test]
fn a_key_in_a_spec_wins_over_its_flag() {
    assert_eq!(
        parameters(&["--model", "markov:order=3", "--order", "2"]),
        "markov:order=3: order=3"
    );
    // The flag still sets the keys the spec leaves out.
    assert_eq!(
        parameters(&[
            "--model",
            "position-based:first=0.2",
            "--position-weights",
            "0.5,0.3"
        ]),
        "position-based:first=0.2,last=0.3: first=0.2, last=0.3"
    );
    // Also through an alias of the key (`ratio` for `rate`).
    assert_eq!(
        parameters(&[
            "--model",
            "position-decay:ratio=0.25",
            "--decay-rate",
            "0.9"
        ]),
        "position-decay:rate=0.25: ratio=0.25"
    );
    assert_eq!(
        parameters(&["--model", "position-decay", "--decay-rate", "0.9"]),
        "position-decay:rate=0.9: ratio=0.9"
    );
    // With a spec that sets every key of the flag, the flag does nothing
    // but is not warned about: its model runs.
    let tiny = fixture("tiny/paths.csv");
    let (code, _, stderr) = outcome(&[
        "attribute",
        &tiny,
        "--model",
        "linear:split=channel",
        "--linear",
        "touch",
        "--format",
        "csv",
    ]);
    assert_eq!((code, stderr.as_str()), (0, ""));
}

#[test]
fn spec_errors_are_the_librarys_with_exit_code_2() {
    let tiny = fixture("tiny/paths.csv");
    for (model, expected) in [
        (
            "markov:order",
            "error: invalid model spec `markov:order`: parameter `order` has no `=value`\n",
        ),
        (
            "markov:ordr=2",
            "error: model `markov` has no parameter `ordr` (its parameters: order, max_steps, \
             self_loops)\n",
        ),
        (
            "u-shaped",
            "error: unknown model `u-shaped` (known models: first-touch, last-touch, \
             last-non-direct, linear, position-based, time-decay, position-decay, markov, shapley, \
             shapley-rate, shapley-exact-set, shapley-ordered, shao-li, participation, \
             markov-shapley, dda, leave-one-out)\n",
        ),
        (
            "linear,markov:max_steps=0",
            "error: invalid parameter `max_steps` = 0: the step cap must be at least 1 (or \
             none)\n",
        ),
        (
            "position-based:first=0.8,last=0.8",
            "error: invalid parameter `first+last` = 1.6: the first and last weights must sum \
             to at most 1\n",
        ),
    ] {
        let (code, stdout, stderr) = outcome(&["attribute", &tiny, "--model", model]);
        assert_eq!(
            (code, stdout.as_str(), stderr.as_str()),
            (2, "", expected),
            "{model}"
        );
    }
}

#[test]
fn help_lists_the_registrys_models_keys_defaults_and_flags() {
    let (code, help, _) = outcome(&["attribute", "--help"]);
    assert_eq!(code, 0);
    for line in [
        "  first-touch      all credit to the first touch\n",
        "  markov           exact removal effects of the order-K absorbing Markov chain\n",
        "    order=1          the order K: each state is a window of K consecutive touches (1 to 32)\n",
        "    self_loops=false keep consecutive identical states as self-loops instead of merging them\n",
        "    split=touch      touch: 1/L per touch; channel: 1/k per distinct channel [--linear]\n",
    ] {
        assert!(help.contains(line), "missing {line:?} in {help}");
    }
    let (_, help, _) = outcome(&["state", "--help"]);
    assert!(
        help.contains("  time-decay       weight 2^(-age/half-life)"),
        "{help}"
    );
}
