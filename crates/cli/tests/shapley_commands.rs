//! The Shapley family through the command: `tiny/expected_shapley.csv`
//! (shapley, shapley-rate) to 1e-12 from paths and journeys, the
//! `--shapley-*` flags, participation labelled in every format, and
//! `--model all` leaving out a degenerate exact-set game with a warning.

mod common;

use common::{fixture, parse_output, run, run_ok};

fn expected() -> Vec<(String, String, f64, f64)> {
    let text = std::fs::read_to_string(fixture("tiny/expected_shapley.csv")).unwrap();
    csv::Reader::from_reader(text.as_bytes())
        .records()
        .map(|r| {
            let r = r.unwrap();
            (
                r[0].to_owned(),
                r[1].to_owned(),
                r[2].parse().unwrap(),
                r[3].parse().unwrap(),
            )
        })
        .filter(|r| r.0 == "shapley" || r.0 == "shapley-rate")
        .collect()
}

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() <= 1e-12 * b.abs().max(1.0)
}

#[test]
fn expected_shapley_through_the_command() {
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
            "shapley,shapley-rate",
            "--format",
            "csv",
        ]));
        let rows = expected();
        assert_eq!(rows.len(), 8);
        assert_eq!(out.len(), 8);
        for (model, channel, c, v) in rows {
            let (gc, gv, re) = out[&(model.clone(), channel.clone())];
            assert!(
                close(gc, c) && close(gv, v),
                "{shape} {model} {channel}: {gc} {gv}"
            );
            assert_eq!(re, None);
        }
    }
}

#[test]
fn shapley_flags_set_the_rate_game() {
    let csv = |extra: &[&str]| {
        let mut args = vec!["attribute", "--model", "shapley-rate", "--format", "csv"];
        let input = fixture("tiny/paths.csv");
        args.insert(1, &input);
        args.extend(extra);
        parse_output(&run_ok(&args))
    };
    // count: LinkedIn 11/3, PPC and Email 1/6, LandingPage 0.
    let count = csv(&["--shapley-value", "count"]);
    let get = |out: &common::Credits, ch: &str| common::credit_of(out, "shapley-rate", ch).unwrap();
    assert!(close(get(&count, "LinkedIn").0, 11.0 / 3.0));
    assert!(close(get(&count, "Email").0, 1.0 / 6.0));
    assert!(close(get(&count, "LandingPage").0, 0.0));
    // max 1 channel, most recent: J1 → {LinkedIn}, J4 → {LinkedIn}, J6 → {PPC}:
    // every converting set is a single channel and takes its own conversions.
    let capped = csv(&["--shapley-max-channels", "1"]);
    assert_eq!(get(&capped, "LinkedIn").0, 3.0);
    assert_eq!(get(&capped, "PPC").0, 1.0);
    // alphabetical: J1 → {PPC}, J4 → {LinkedIn}, J6 → {PPC}.
    let alphabetical = csv(&[
        "--shapley-max-channels",
        "1",
        "--shapley-keep",
        "alphabetical",
    ]);
    assert_eq!(get(&alphabetical, "LinkedIn").0, 2.0);
    assert_eq!(get(&alphabetical, "PPC").0, 2.0);
    // A spec's own key wins over the flag.
    let spec = parse_output(&run_ok(&[
        "attribute",
        &fixture("tiny/paths.csv"),
        "--model",
        "shapley-rate:value=rate",
        "--shapley-value",
        "count",
        "--format",
        "csv",
    ]));
    assert!(close(get(&spec, "Email").0, -0.375));
}

#[test]
fn participation_is_labelled_in_every_format() {
    let input = fixture("tiny/paths.csv");
    let out = run(
        &[
            "attribute",
            &input,
            "--model",
            "participation,shapley",
            "--format",
            "csv",
        ],
        b"",
    );
    assert!(out.status.success());
    let stdout = String::from_utf8(out.stdout).unwrap();
    assert!(stdout.starts_with("model,channel,conversions,value,removal_effect\n"));
    assert!(
        stdout.contains("participation,LinkedIn,4,360,\n"),
        "{stdout}"
    );
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert_eq!(
        stderr,
        "note: participation: overlapping credit, not a partition: every channel of a \
         converting journey gets all of its conversions and value, so the credits sum to more \
         than the total; a share is the fraction of conversions whose journey touched the \
         channel.\n"
    );
    let json = run_ok(&[
        "attribute",
        &input,
        "--model",
        "participation,shapley",
        "--format",
        "json",
    ]);
    let rows: Vec<serde_json::Value> = serde_json::from_str(&json).unwrap();
    for row in &rows {
        let overlapping = row.get("overlapping") == Some(&serde_json::json!(true));
        assert_eq!(overlapping, row["model"] == "participation", "{row}");
    }
    let table = run_ok(&["attribute", &input, "--model", "participation"]);
    assert!(
        table.contains("participation: overlapping credit, not a partition"),
        "{table}"
    );
    // LinkedIn touched every converting journey: 100%.
    assert!(table.contains("4.0000 100.0%"), "{table}");
}

#[test]
fn all_leaves_out_a_degenerate_exact_set_game_with_a_warning() {
    // No converting journey touches A, B and C together.
    let input = "path,total_conversions,total_null\nA > B,1,0\nC,1,1\nA,0,1\n";
    let out = run(
        &["attribute", "-", "--model", "all", "--format", "csv"],
        input.as_bytes(),
    );
    assert!(out.status.success());
    let stdout = String::from_utf8(out.stdout).unwrap();
    assert!(!stdout.contains("shapley-exact-set"));
    for model in ["shapley,", "shapley-rate,", "participation,", "markov,"] {
        assert!(stdout.contains(&format!("\n{model}")), "{model}: {stdout}");
    }
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(
        stderr.contains(
            "warning: --model all: shapley-exact-set left out: its Shapley values sum to \
             R(all channels) = 0"
        ),
        "{stderr}"
    );
    assert!(
        stderr
            .contains("shapley-exact-set (its game is degenerate on this input, see the warning)"),
        "{stderr}"
    );
    // Asked for by name, the degenerate game is an error.
    let by_name = run(
        &["attribute", "-", "--model", "shapley-exact-set"],
        input.as_bytes(),
    );
    assert!(!by_name.status.success());
    let stderr = String::from_utf8(by_name.stderr).unwrap();
    assert!(
        stderr.contains("model `shapley-exact-set` has no meaningful answer on this data"),
        "{stderr}"
    );
}

#[test]
fn all_on_the_tiny_inputs_runs_the_shapley_family() {
    for (input, shape) in [
        ("tiny/paths.csv", "paths"),
        ("tiny/journeys.csv", "journeys"),
        ("tiny/events.csv", "events"),
    ] {
        let out = parse_output(&run_ok(&[
            "attribute",
            &fixture(input),
            "--shape",
            shape,
            "--format",
            "csv",
        ]));
        for model in [
            "shapley",
            "shapley-rate",
            "shapley-exact-set",
            "participation",
        ] {
            assert!(
                out.contains_key(&(model.to_owned(), "LinkedIn".to_owned())),
                "{shape} {model}"
            );
        }
        // J1 touches every channel and converts: the exact-set game is defined.
        let (c, v, _) = out[&("shapley-exact-set".to_owned(), "LinkedIn".to_owned())];
        assert!(close(c, 8.0 / 3.0) && close(v, 240.0), "{shape}: {c} {v}");
    }
}
