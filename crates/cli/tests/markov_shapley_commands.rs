//! `markov-shapley` through the command: the rows of
//! `tiny/expected_counterfactual.csv` (orders 1 to 3) to 1e-9 from paths
//! and journeys, its typed errors with their exit codes, `--model all`
//! leaving it out above its channel cap, and `--per-journey` refusing it.

mod common;

use common::{fixture, parse_output, run, run_ok};

/// `(spec, channel, conversions, value)` of the markov-shapley rows.
fn expected() -> Vec<(String, String, f64, f64)> {
    let text = std::fs::read_to_string(fixture("tiny/expected_counterfactual.csv")).unwrap();
    csv::Reader::from_reader(text.as_bytes())
        .records()
        .map(Result::unwrap)
        .filter(|r| &r[0] == "markov-shapley")
        .map(|r| {
            (
                r[1].to_owned(),
                r[3].to_owned(),
                r[4].parse().unwrap(),
                r[5].parse().unwrap(),
            )
        })
        .collect()
}

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() <= 1e-9 * b.abs().max(1.0)
}

#[test]
fn expected_counterfactual_rows_through_the_command() {
    let rows = expected();
    assert_eq!(rows.len(), 12);
    for (input, shape) in [
        ("tiny/paths.csv", "paths"),
        ("tiny/journeys.csv", "journeys"),
    ] {
        let out = parse_output(&run_ok(&[
            "attribute",
            &fixture(input),
            "--shape",
            shape,
            "--model",
            "markov-shapley",
            "--model",
            "markov-shapley:order=2",
            "--model",
            "markov-shapley:order=3",
            "--format",
            "csv",
        ]));
        assert_eq!(out.len(), 12, "{shape}");
        // The model column labels the three orders.
        for (spec, channel, c, v) in &rows {
            let label = if spec.contains("order=") {
                spec.clone()
            } else {
                "markov-shapley:order=1".to_owned()
            };
            let (gc, gv, re) = out[&(label.clone(), channel.clone())];
            assert!(
                close(gc, *c) && close(gv, *v),
                "{shape} {label} {channel}: {gc} {gv}"
            );
            assert!(re.is_some());
        }
        let re = |label: &str, channel: &str| out[&(label.to_owned(), channel.to_owned())].2;
        for (channel, want) in [
            ("PPC", 19.0 / 40.0),
            ("LandingPage", 6.0 / 25.0),
            ("Email", 12.0 / 25.0),
            ("LinkedIn", 4.0 / 5.0),
        ] {
            let got = re("markov-shapley:order=1", channel).unwrap();
            assert!(close(got, want), "{channel}: {got}");
        }
    }
}

#[test]
fn bad_parameters_and_too_many_channels_exit_2() {
    let input = fixture("tiny/paths.csv");
    for (spec, message) in [
        (
            "markov-shapley:order=0",
            "invalid parameter `order` = 0: the Markov order must be between 1 and 32",
        ),
        (
            "markov-shapley:max-channels=30",
            "invalid parameter `max_channels` = 30: max_channels must be an integer from 1 to \
             24 (2^max_channels coalitions are solved)",
        ),
        (
            "markov-shapley:max-channels=3",
            "model `markov-shapley:order=1,max_channels=3` was given 4 channels, more than its \
             max_channels = 3 (it solves 2^channels coalitions): group channels, raise \
             max_channels (at most 24), or use `markov` (removal-effect shares) or `shapley`",
        ),
    ] {
        let out = run(&["attribute", &input, "--model", spec], b"");
        assert_eq!(out.status.code(), Some(2), "{spec}");
        let stderr = String::from_utf8(out.stderr).unwrap();
        assert!(stderr.contains(message), "{spec}: {stderr}");
        assert!(out.stdout.is_empty(), "{spec}");
    }
}

/// 21 channels, each in a converting and a non-converting journey.
fn many_channels() -> String {
    let mut csv = "path,total_conversions,total_null\n".to_owned();
    for i in 0..21 {
        csv += &format!("C{i} > C{},1,1\n", (i + 1) % 21);
    }
    csv
}

#[test]
fn all_leaves_markov_shapley_out_above_its_cap() {
    let input = many_channels();
    let out = run(
        &["attribute", "-", "--model", "all", "--format", "csv"],
        input.as_bytes(),
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let stdout = String::from_utf8(out.stdout).unwrap();
    assert!(!stdout.contains("markov-shapley"));
    assert!(stdout.contains("\nmarkov,"));
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(
        stderr.contains(
            "warning: --model all: markov-shapley left out: model \
             `markov-shapley:order=1,max_channels=20` was given 21 channels"
        ),
        "{stderr}"
    );
    // Asked for by name, it is an error; with a higher cap it runs.
    let named = run(
        &["attribute", "-", "--model", "markov-shapley"],
        input.as_bytes(),
    );
    assert_eq!(named.status.code(), Some(2));
    // With a cap that fits (the tiny input's 4 channels), it runs.
    let raised = run_ok(&[
        "attribute",
        &fixture("tiny/paths.csv"),
        "--model",
        "markov-shapley:max_channels=4",
        "--format",
        "csv",
    ]);
    let credits = parse_output(&raised);
    let total: f64 = credits.values().map(|c| c.0).sum();
    assert!((total - 4.0).abs() < 1e-9, "{total}");
}

#[test]
fn per_journey_says_markov_shapley_has_no_journey_credit() {
    let dir = std::env::temp_dir().join(format!("ms-per-journey-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("credit.csv");
    let file = file.to_str().unwrap();
    let input = fixture("tiny/paths.csv");
    let out = run(
        &[
            "attribute",
            &input,
            "--model",
            "markov-shapley",
            "--per-journey",
            file,
        ],
        b"",
    );
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(
        String::from_utf8(out.stderr).unwrap(),
        "error: --per-journey: no model that runs gives per-journey credit (markov has none: \
         its removal effects belong to the whole chain; nor has markov-shapley, a game over the \
         whole chain); add a heuristic model to --model\n"
    );
    // With a heuristic, markov-shapley is left out of the file with a warning.
    let out = run(
        &[
            "attribute",
            &input,
            "--model",
            "markov-shapley,linear",
            "--per-journey",
            file,
            "--format",
            "csv",
        ],
        b"",
    );
    assert!(out.status.success());
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(
        stderr.contains("markov-shapley a game over the whole chain"),
        "{stderr}"
    );
    let written = std::fs::read_to_string(file).unwrap();
    assert!(!written.contains("markov-shapley"));
    std::fs::remove_dir_all(&dir).unwrap();
}
