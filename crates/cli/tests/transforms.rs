//! `--transform` on `attribute`, `state`/`merge` and `journeys`: the
//! `leave-one-out` rows of `tests/data/tiny/expected_counterfactual.csv`
//! through the command, every `InvalidTransform` case and `markov` with
//! `frequency` (exit 2 and the message), the warning about absent channels,
//! and attributing with a transform = attributing the transformed file.

mod common;

use common::{fixture, parse_output, run, run_ok};

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() <= 1e-9 * b.abs().max(1.0)
}

/// `--transform` arguments of a fixture list (`trim-last:2 | exposure`).
fn transform_args(list: &str) -> Vec<String> {
    list.split(" | ")
        .flat_map(|t| ["--transform".to_owned(), t.to_owned()])
        .collect()
}

#[test]
fn every_leave_one_out_row_through_the_command() {
    let expected = std::fs::read_to_string(fixture("tiny/expected_counterfactual.csv")).unwrap();
    let mut reader = csv::Reader::from_reader(expected.as_bytes());
    let mut checked = 0;
    for row in reader.records() {
        let row = row.unwrap();
        if &row[0] != "leave-one-out" {
            continue;
        }
        let (list, channel) = (&row[2], &row[3]);
        let (c, v): (f64, f64) = (row[4].parse().unwrap(), row[5].parse().unwrap());
        for (input, shape) in [
            ("tiny/paths.csv", "paths"),
            ("tiny/journeys.csv", "journeys"),
        ] {
            let input = fixture(input);
            let mut args = vec![
                "attribute".to_owned(),
                input,
                "--shape".to_owned(),
                shape.to_owned(),
                "--model".to_owned(),
                "leave-one-out".to_owned(),
                "--format".to_owned(),
                "csv".to_owned(),
            ];
            args.extend(transform_args(list));
            let args: Vec<&str> = args.iter().map(String::as_str).collect();
            let out = parse_output(&run_ok(&args));
            // The model column is the label without the transforms.
            let (got_c, got_v, _) = out[&("leave-one-out".to_owned(), channel.to_owned())];
            assert!(close(got_c, c), "{list} {shape} {channel}: {got_c} vs {c}");
            assert!(close(got_v, v), "{list} {shape} {channel}: {got_v} vs {v}");
            assert_eq!(out.len(), 4);
        }
        checked += 1;
    }
    assert_eq!(checked, 28);
}

#[test]
fn fallback_example_through_the_command() {
    let out = run(
        &["attribute", "-", "--model", "leave-one-out", "--format", "csv"],
        b"path,total_conversions,total_null,total_conversion_value\nA > B,1,2,30\nA,1,1,5\nB,1,1,7\n",
    );
    assert!(out.status.success());
    assert_eq!(
        String::from_utf8(out.stdout).unwrap(),
        "model,channel,conversions,value,removal_effect\n\
         leave-one-out,A,1,5,\n\
         leave-one-out,B,2,37,\n"
    );
}

fn fails(args: &[&str], message: &str) {
    let out = run(args, b"");
    assert_eq!(out.status.code(), Some(2), "{args:?}");
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert_eq!(stderr, format!("error: {message}\n"), "{args:?}");
    assert!(out.stdout.is_empty());
}

#[test]
fn invalid_transforms_exit_2_with_the_position_and_text() {
    let input = fixture("tiny/paths.csv");
    let known = "unique, exposure, first, frequency, trim-last:N, remove-if-not-all:CHANNEL, \
                 remove-if-last-and-not-all:CHANNEL";
    for (transforms, message) in [
        (
            &["exposure", "recency"][..],
            format!("invalid path transform #2 `recency`: unknown transform (known: {known})"),
        ),
        (
            &["trim-last"],
            "invalid path transform #1 `trim-last`: missing N: write `trim-last:N` with an integer N >= 1"
                .to_owned(),
        ),
        (
            &["trim-last:two"],
            "invalid path transform #1 `trim-last:two`: N must be an integer >= 1, not `two`".to_owned(),
        ),
        (
            &["trim-last:0"],
            "invalid path transform #1 `trim-last:0`: N must be an integer >= 1 (`trim-last:0` would \
             mean no limit: leave the transform out)"
                .to_owned(),
        ),
        (
            &["remove-if-not-all:"],
            "invalid path transform #1 `remove-if-not-all:`: missing the channel: write \
             `remove-if-not-all:CHANNEL`"
                .to_owned(),
        ),
        (
            &["exposure", "remove-if-last-and-not-all"],
            "invalid path transform #2 `remove-if-last-and-not-all`: missing the channel: write \
             `remove-if-last-and-not-all:CHANNEL`"
                .to_owned(),
        ),
        (
            &["frequency", "exposure"],
            "invalid path transform #1 `frequency`: `frequency` must be the last transform of the list"
                .to_owned(),
        ),
    ] {
        for command in ["attribute", "journeys"] {
            let mut args = vec![command, input.as_str()];
            for t in transforms {
                args.extend(["--transform", t]);
            }
            fails(&args, &message);
        }
    }
    // In a spec, too.
    fails(
        &[
            "attribute",
            &input,
            "--model",
            "linear:transform=first|trim-last:0",
        ],
        "invalid path transform #2 `trim-last:0`: N must be an integer >= 1 (`trim-last:0` would \
         mean no limit: leave the transform out)",
    );
}

#[test]
fn markov_with_frequency_exits_2() {
    let input = fixture("tiny/paths.csv");
    for (model, named) in [("markov", "markov"), ("markov-shapley", "markov-shapley")] {
        let out = run(
            &[
                "attribute",
                &input,
                "--model",
                model,
                "--transform",
                "frequency",
            ],
            b"",
        );
        assert_eq!(out.status.code(), Some(2));
        let stderr = String::from_utf8(out.stderr).unwrap();
        assert!(
            stderr.ends_with(
                format!(
                    "model `{named}` does not support frequency tokens yet (the `frequency` path \
                 transform); use `exposure` or `first` instead\n"
                )
                .as_str()
            ),
            "{stderr}"
        );
    }
}

#[test]
fn all_with_frequency_leaves_the_markov_models_out() {
    let input = fixture("tiny/paths.csv");
    let out = run(
        &[
            "attribute",
            &input,
            "--transform",
            "frequency",
            "--format",
            "csv",
        ],
        b"",
    );
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    let stdout = String::from_utf8(out.stdout).unwrap();
    assert!(!stdout.contains("\nmarkov"), "{stdout}");
    // leave-one-out runs on the tokens: the fixture's `frequency` row.
    assert!(
        stdout.contains("\nleave-one-out,LinkedIn,3.25,270,"),
        "{stdout}"
    );
    assert!(
        stderr.contains(
            "markov (its states are built from channels, not from the tokens of --transform \
             frequency); markov-shapley (its states are built from channels, not from the tokens \
             of --transform frequency)"
        ),
        "{stderr}"
    );
}

#[test]
fn a_remove_of_an_absent_channel_warns_once() {
    let input = fixture("tiny/paths.csv");
    let out = run(
        &[
            "attribute",
            &input,
            "--model",
            "linear,leave-one-out",
            "--transform",
            "remove-if-not-all: TikTok",
            "--format",
            "csv",
        ],
        b"",
    );
    assert!(out.status.success());
    assert_eq!(
        String::from_utf8(out.stderr).unwrap(),
        "warning: --transform remove-if-not-all: TikTok: channel `TikTok` never occurs in the \
         input; the transform does nothing\n"
    );
}

#[test]
fn states_carry_the_transforms() {
    let dir = std::env::temp_dir().join(format!("attribution-transforms-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let input = fixture("tiny/paths.csv");
    let state = |name: &str, extra: &[&str]| {
        let path = dir.join(name).to_string_lossy().into_owned();
        let mut args = vec![
            "state",
            input.as_str(),
            "--model",
            "leave-one-out,linear",
            "-o",
            &path,
        ];
        args.extend(extra);
        run_ok(&args);
        path
    };
    let exposure = state("exposure.json", &["--transform", "exposure"]);
    let plain = state("plain.json", &[]);
    let out = parse_output(&run_ok(&["merge", &exposure, "--format", "csv"]));
    let (c, v, _) = out[&("leave-one-out".to_owned(), "LinkedIn".to_owned())];
    assert_eq!((c, v), (3.25, 270.0));
    let twice = parse_output(&run_ok(&["merge", &exposure, &exposure, "--format", "csv"]));
    let (c, v, _) = twice[&("leave-one-out".to_owned(), "LinkedIn".to_owned())];
    assert_eq!((c, v), (6.5, 540.0));
    let out = run(&["merge", &exposure, &plain], b"");
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(
        stderr.contains("`leave-one-out:transform=exposure`"),
        "{stderr}"
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn journeys_writes_the_transformed_paths() {
    let out = run_ok(&[
        "journeys",
        &fixture("tiny/journeys.csv"),
        "--shape",
        "journeys",
        "--transform",
        "frequency",
    ]);
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(
        lines[0],
        "journey_id,path,converted,value,touch_times,conversion_time"
    );
    assert_eq!(
        lines[4],
        "J4,Email(2) > LinkedIn(1),1,60,2024-03-01T09:00:00Z > 2024-03-11T09:00:00Z,2024-03-11T10:00:00Z"
    );
}

#[test]
fn attributing_with_a_transform_equals_attributing_the_transformed_file() {
    // Spec property 11 (without `frequency`), every model that runs on
    // untimed input and timed input.
    let dir = std::env::temp_dir().join(format!("attribution-transformed-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let lists: [&[&str]; 5] = [
        &["exposure"],
        &["first"],
        &["trim-last:2", "exposure"],
        &["exposure", "remove-if-not-all:LandingPage"],
        &["remove-if-last-and-not-all:LinkedIn", "trim-last:3"],
    ];
    let input = fixture("tiny/journeys.csv");
    for (k, list) in lists.iter().enumerate() {
        let mut flags: Vec<&str> = Vec::new();
        for t in *list {
            flags.extend(["--transform", t]);
        }
        let file = dir.join(format!("t{k}.csv")).to_string_lossy().into_owned();
        let mut args = vec![
            "journeys",
            input.as_str(),
            "--shape",
            "journeys",
            "-o",
            &file,
        ];
        args.extend(&flags);
        run_ok(&args);
        let mut direct = vec![
            "attribute",
            input.as_str(),
            "--shape",
            "journeys",
            "--format",
            "csv",
        ];
        direct.extend(&flags);
        let from_file = ["attribute", &file, "--shape", "journeys", "--format", "csv"];
        let a = parse_output(&run_ok(&direct));
        let b = parse_output(&run_ok(&from_file));
        // The transformed file lacks the channels the transforms removed
        // everywhere: those rows are 0 in the direct run.
        for (key, (c, v, re)) in &a {
            match b.get(key) {
                Some((c2, v2, re2)) => {
                    assert!(close(*c, *c2) && close(*v, *v2), "{list:?} {key:?}");
                    assert_eq!(re.is_some(), re2.is_some());
                    if let (Some(x), Some(y)) = (re, re2) {
                        assert!(close(*x, *y), "{list:?} {key:?}");
                    }
                }
                None => assert!(*c == 0.0 && *v == 0.0, "{list:?} {key:?}"),
            }
        }
        assert!(b.keys().all(|k| a.contains_key(k)));
    }
    std::fs::remove_dir_all(&dir).unwrap();
}
