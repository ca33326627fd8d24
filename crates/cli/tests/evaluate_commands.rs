//! `attribution simulate` and `attribution evaluate` end to end: the tiny
//! fixture's true credit and metrics, the truth and effects files, typed
//! errors with exit 2, determinism across thread counts, and the replicate
//! report's shape.

mod common;

use std::collections::HashMap;
use std::path::PathBuf;

use common::{fixture, run, run_ok};

fn temp_file(name: &str) -> PathBuf {
    std::env::temp_dir().join(format!(
        "attribution-evaluate-{name}-{}.csv",
        std::process::id()
    ))
}

/// |a − e| ≤ 1e-9·max(|e|, 1), the fixtures' rule.
fn near(actual: f64, expected: f64) -> bool {
    (actual - expected).abs() <= 1e-9 * expected.abs().max(1.0)
}

fn records(text: &str) -> Vec<csv::StringRecord> {
    csv::Reader::from_reader(text.as_bytes())
        .records()
        .map(Result::unwrap)
        .collect()
}

/// `model -> [spearman, kendall_tau_b, sign_agreement, share_error, top1]`
/// (`None` for an empty cell).
fn metrics(text: &str) -> HashMap<String, Vec<Option<f64>>> {
    let mut reader = csv::Reader::from_reader(text.as_bytes());
    assert_eq!(
        reader.headers().unwrap(),
        vec![
            "model",
            "spearman",
            "kendall_tau_b",
            "sign_agreement",
            "share_error",
            "top1"
        ]
    );
    reader
        .records()
        .map(|r| {
            let r = r.unwrap();
            let values = (1..6)
                .map(|i| {
                    let cell = &r[i];
                    (!cell.is_empty()).then(|| cell.parse().unwrap())
                })
                .collect();
            (r[0].to_owned(), values)
        })
        .collect()
}

fn expected_metrics() -> HashMap<String, Vec<Option<f64>>> {
    metrics(&std::fs::read_to_string(fixture("tiny/expected_metrics.csv")).unwrap())
}

const FOUR: &str = "first-touch,last-touch,linear,markov";

#[test]
fn truth_model_reproduces_expected_metrics_and_truth() {
    let truth_out = temp_file("truth-out");
    let out = run_ok(&[
        "evaluate",
        &fixture("tiny/paths.csv"),
        "--truth-model",
        &fixture("tiny/truth_effects.csv"),
        "--truth-out",
        truth_out.to_str().unwrap(),
        "--model",
        FOUR,
        "--format",
        "csv",
    ]);
    let actual = metrics(&out);
    let expected = expected_metrics();
    assert_eq!(actual.len(), 4);
    for (model, values) in &expected {
        let got = &actual[model];
        for (g, e) in got.iter().zip(values) {
            match (g, e) {
                (Some(g), Some(e)) => assert!(near(*g, *e), "{model}: {g} vs {e}"),
                (g, e) => assert_eq!(g, e, "{model}"),
            }
        }
    }
    // Best first: Spearman descending, then share error ascending.
    let order: Vec<String> = records(&out).iter().map(|r| r[0].to_owned()).collect();
    assert_eq!(order, ["last-touch", "first-touch", "linear", "markov"]);

    // The truth file: expected_truth.csv to 1e-9, same rows in the same order.
    let written = records(&std::fs::read_to_string(&truth_out).unwrap());
    let expected = records(&std::fs::read_to_string(fixture("tiny/expected_truth.csv")).unwrap());
    assert_eq!(written.len(), expected.len());
    for (w, e) in written.iter().zip(&expected) {
        assert_eq!(&w[0], &e[0]);
        let (w, e): (f64, f64) = (w[1].parse().unwrap(), e[1].parse().unwrap());
        assert!(near(w, e), "{w} vs {e}");
    }
    std::fs::remove_file(truth_out).ok();
}

#[test]
fn a_truth_file_scores_like_the_truth_model() {
    let from_file = run_ok(&[
        "evaluate",
        &fixture("tiny/paths.csv"),
        "--truth",
        &fixture("tiny/expected_truth.csv"),
        "--model",
        FOUR,
        "--format",
        "csv",
    ]);
    let actual = metrics(&from_file);
    for (model, values) in expected_metrics() {
        for (g, e) in actual[&model].iter().zip(&values) {
            match (g, e) {
                (Some(g), Some(e)) => assert!(near(*g, *e), "{model}: {g} vs {e}"),
                (g, e) => assert_eq!(g, e, "{model}"),
            }
        }
    }
}

#[test]
fn json_and_table_carry_the_same_rows() {
    let args = |format: &'static str| {
        run_ok(&[
            "evaluate",
            &fixture("tiny/paths.csv"),
            "--truth-model",
            &fixture("tiny/truth_effects.csv"),
            "--model",
            FOUR,
            "--format",
            format,
        ])
    };
    let json: serde_json::Value = serde_json::from_str(&args("json")).unwrap();
    let rows = json.as_array().unwrap();
    assert_eq!(rows.len(), 4);
    assert_eq!(rows[0]["model"], "last-touch");
    assert!(
        (rows[0]["spearman"].as_f64().unwrap() - 0.9486832980505138).abs() < 1e-12,
        "{json}"
    );
    assert_eq!(rows[0]["top1"].as_f64(), Some(1.0));
    let table = args("table");
    assert!(table.contains("last-touch"), "{table}");
    assert!(table.contains("0.949"), "{table}");
    assert!(table.contains("Best first"), "{table}");
    assert!(table.contains("2.8367 expected in all"), "{table}");
}

/// Writes `text` to a fresh temporary file and returns its path.
fn write_temp(name: &str, text: &str) -> PathBuf {
    let path = temp_file(name);
    std::fs::write(&path, text).unwrap();
    path
}

#[test]
fn bad_effects_and_truth_files_exit_2_naming_the_cause() {
    let effects = std::fs::read_to_string(fixture("tiny/truth_effects.csv")).unwrap();
    let cases: Vec<(&str, String, &str)> = vec![
        (
            "unknown",
            effects.replace("(length-cap)", "(length-kap)"),
            "(length-kap)",
        ),
        (
            "duplicate",
            format!("{effects}LandingPage * PPC,0.1\n"),
            "LandingPage * PPC",
        ),
        (
            "nonfinite",
            effects.replace("Email,-0.6", "Email,inf"),
            "Email",
        ),
        ("missing", effects.replace("LinkedIn,0.9\n", ""), "LinkedIn"),
    ];
    for (name, text, needle) in cases {
        let path = write_temp(name, &text);
        let out = run(
            &[
                "evaluate",
                &fixture("tiny/paths.csv"),
                "--truth-model",
                path.to_str().unwrap(),
            ],
            b"",
        );
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{name}: {stderr}");
        assert!(stderr.contains(needle), "{name}: {stderr}");
        assert!(
            stderr.contains(path.file_name().unwrap().to_str().unwrap()),
            "{name}: the file is named: {stderr}"
        );
        assert_eq!(stderr.trim_end().lines().count(), 1, "{name}: {stderr}");
        std::fs::remove_file(path).ok();
    }
    // A truth file that does not cover the input's channels.
    let path = write_temp(
        "truth-short",
        "channel,true_conversions\nPPC,1\nLandingPage,0.5\nEmail,0\n",
    );
    let out = run(
        &[
            "evaluate",
            &fixture("tiny/paths.csv"),
            "--truth",
            path.to_str().unwrap(),
        ],
        b"",
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("LinkedIn"), "{stderr}");
    std::fs::remove_file(path).ok();
    // Neither or both truths.
    let out = run(&["evaluate", &fixture("tiny/paths.csv")], b"");
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--truth-model"));
}

fn simulate(args: &[&str]) -> String {
    let mut all = vec!["simulate"];
    all.extend_from_slice(args);
    run_ok(&all)
}

#[test]
fn simulate_is_deterministic_and_writes_its_effects() {
    let effects = temp_file("sim-effects");
    let a = simulate(&[
        "--journeys",
        "5000",
        "--channels",
        "6",
        "--seed",
        "3",
        "--effects-out",
        effects.to_str().unwrap(),
    ]);
    let b = simulate(&["--journeys", "5000", "--channels", "6", "--seed", "3"]);
    let c = simulate(&["--journeys", "5000", "--channels", "6", "--seed", "4"]);
    assert_eq!(a, b);
    assert_ne!(a, c);
    assert!(a.starts_with("path,total_conversions,total_null,total_conversion_value\n"));
    let journeys: u64 = records(&a)
        .iter()
        .map(|r| r[1].parse::<u64>().unwrap() + r[2].parse::<u64>().unwrap())
        .sum();
    assert_eq!(journeys, 5000);
    let terms: Vec<String> = records(&std::fs::read_to_string(&effects).unwrap())
        .iter()
        .map(|r| r[0].to_owned())
        .collect();
    assert_eq!(
        terms,
        [
            "(intercept)",
            "(length)",
            "(length-cap)",
            "ch00",
            "ch01",
            "ch02",
            "ch03",
            "ch04",
            "ch05"
        ]
    );
    // The simulation scored against its own effects runs every model.
    let sim = write_temp("sim-paths", &a);
    let scored = run_ok(&[
        "evaluate",
        sim.to_str().unwrap(),
        "--truth-model",
        effects.to_str().unwrap(),
        "--format",
        "csv",
    ]);
    assert!(metrics(&scored).contains_key("dda"), "{scored}");
    std::fs::remove_file(effects).ok();
    std::fs::remove_file(sim).ok();
}

#[test]
fn simulate_like_reads_the_input_the_same_on_any_thread_count() {
    let input = fixture("synthetic/paths_100000_12.csv");
    let one = simulate(&["--like", &input, "--threads", "1", "--journeys", "20000"]);
    let many = simulate(&["--like", &input, "--threads", "8", "--journeys", "20000"]);
    assert_eq!(one, many);
    // The input's channel names.
    assert!(
        one.lines().skip(1).all(|l| l.starts_with("ch")),
        "{}",
        &one[..200]
    );
    let out = run(&["simulate", "--like", &input, "--channels", "3"], b"");
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--channels"));
}

#[test]
fn replicates_report_every_metric_and_do_not_depend_on_threads() {
    let base = [
        "evaluate",
        "--like",
        &fixture("tiny/paths.csv"),
        "--replicates",
        "4",
        "--journeys",
        "2000",
        "--model",
        "last-touch,linear,markov,dda",
        "--format",
        "csv",
    ];
    let mut one = base.to_vec();
    one.extend(["--threads", "1"]);
    let mut two = base.to_vec();
    two.extend(["--threads", "2"]);
    let a = run(&one, b"");
    let b = run(&two, b"");
    assert!(a.status.success(), "{}", String::from_utf8_lossy(&a.stderr));
    assert_eq!(a.stdout, b.stdout);
    let text = String::from_utf8(a.stdout).unwrap();
    let rows = records(&text);
    assert_eq!(rows.len(), 4 * 5);
    let metrics: Vec<&str> = rows.iter().take(5).map(|r| r.get(1).unwrap()).collect();
    assert_eq!(
        metrics,
        [
            "spearman",
            "kendall_tau_b",
            "sign_agreement",
            "share_error",
            "top1"
        ]
    );
    for r in &rows {
        let defined: usize = r[5].parse().unwrap();
        assert!(defined <= 4);
        if defined > 0 {
            let (mean, p10, p90): (f64, f64, f64) = (
                r[2].parse().unwrap(),
                r[3].parse().unwrap(),
                r[4].parse().unwrap(),
            );
            assert!(p10 <= mean + 1e-12 && mean <= p90 + 1e-12, "{r:?}");
        }
    }
    let stderr = String::from_utf8_lossy(&a.stderr);
    assert!(stderr.contains("On data shaped like"), "{stderr}");
    assert!(stderr.contains("(4 replicates)"), "{stderr}");
    // `all` leaves out time decay because the simulations have no timestamps.
    let all = run(
        &[
            "evaluate",
            "--like",
            &fixture("tiny/events.csv"),
            "--shape",
            "events",
            "--replicates",
            "1",
            "--journeys",
            "500",
            "--format",
            "csv",
        ],
        b"",
    );
    let stderr = String::from_utf8_lossy(&all.stderr);
    assert!(all.status.success(), "{stderr}");
    assert!(
        stderr.contains("time-decay (simulated journeys carry no touch timestamps)"),
        "{stderr}"
    );
}
