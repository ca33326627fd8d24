//! Bad input and bad options: exit code 2, one line on stderr naming the
//! place, never a panic.

mod common;

use common::{fixture, run};
use proptest::prelude::*;

/// Runs on `stdin` and returns (exit code, stderr).
fn fail(args: &[&str], stdin: &str) -> (i32, String) {
    let out = run(args, stdin.as_bytes());
    (
        out.status.code().unwrap(),
        String::from_utf8(out.stderr).unwrap(),
    )
}

fn assert_one_line_error(args: &[&str], stdin: &str, expected: &str) {
    let (code, stderr) = fail(args, stdin);
    assert_eq!(code, 2, "stderr: {stderr}");
    assert_eq!(stderr.lines().count(), 1, "stderr: {stderr}");
    assert_eq!(stderr.trim_end(), expected);
}

const PATHS: [&str; 2] = ["attribute", "-"];

#[test]
fn each_paths_error_names_line_column_and_text() {
    let header = "path,total_conversions,total_null\n";
    let cases = [
        (
            "A > B,1.5,0\n",
            "error: -: line 2, column `total_conversions`: fractional count: \"1.5\"",
        ),
        (
            "A,1,0\nB,-2,0\n",
            "error: -: line 3, column `total_conversions`: negative count: \"-2\"",
        ),
        (
            "A,x,0\n",
            "error: -: line 2, column `total_conversions`: invalid count: \"x\"",
        ),
        (
            " > ,1,0\n",
            "error: -: line 2, column `path`: empty path: \">\"",
        ),
    ];
    for (rows, expected) in cases {
        assert_one_line_error(&PATHS, &format!("{header}{rows}"), expected);
    }
    let with_value = "path,total_conversions,total_null,total_conversion_value\n";
    for bad in ["NaN", "inf", "-3"] {
        let (code, stderr) = fail(&PATHS, &format!("{with_value}A,1,0,{bad}\n"));
        assert_eq!(code, 2);
        assert!(
            stderr.starts_with("error: -: line 2, column `total_conversion_value`: invalid value"),
            "{stderr}"
        );
        assert!(stderr.contains(bad), "{stderr}");
    }
}

#[test]
fn structural_errors() {
    assert_one_line_error(
        &PATHS,
        "path,total_conversions\nA,1\n",
        "error: -: line 1, column `total_null`: missing column `total_null` (map a differently named column with --column ROLE=NAME)",
    );
    let (code, stderr) = fail(&PATHS, "");
    assert_eq!(code, 2);
    assert!(stderr.contains("empty input"), "{stderr}");
    let (code, stderr) = fail(
        &PATHS,
        "path,total_conversions,total_null\nA,1,0\nB\u{0},1\n",
    );
    assert_eq!(code, 2);
    assert!(stderr.contains("line 3"), "{stderr}");
    let out = run(&PATHS, b"path,total_conversions,total_null\n\xff\xfe,1,0\n");
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("line 2") && stderr.contains("invalid UTF-8"),
        "{stderr}"
    );
}

#[test]
fn events_and_journeys_errors_name_the_line() {
    let (code, stderr) = fail(
        &["attribute", "-", "--shape", "events"],
        "user_id,timestamp,channel,conversion\nu1,2024-03-01T09:00:00Z,PPC,0\nu1,yesterday,Email,0\n",
    );
    assert_eq!(code, 2);
    assert!(
        stderr.contains("line 3") && stderr.contains("timestamp"),
        "{stderr}"
    );
    let (code, stderr) = fail(
        &["attribute", "-", "--shape", "journeys"],
        "journey_id,path,converted\nJ1,A > B,maybe\n",
    );
    assert_eq!(code, 2);
    assert!(
        stderr.contains("line 2") && stderr.contains("converted"),
        "{stderr}"
    );
}

#[test]
fn lenient_mode_reports_rejections_on_stderr() {
    let out = run(
        &[
            "attribute",
            "-",
            "--lenient",
            "--model",
            "first-touch",
            "--format",
            "csv",
        ],
        b"path,total_conversions,total_null\nA,1,0\nB,1.5,0\n,1,0\nB,1,0\n",
    );
    assert!(out.status.success());
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert_eq!(
        stderr.trim_end(),
        "4 rows read, 2 journeys, 2 rejected (empty_path: 1, fractional_count: 1) on lines 3, 4"
    );
    let credits = common::parse_output(&String::from_utf8(out.stdout).unwrap());
    assert_eq!(credits.len(), 2);
}

#[test]
fn bad_options_exit_2() {
    let tiny = fixture("tiny/paths.csv");
    let cases: [(&[&str], &str); 5] = [
        (&["--model", "magic"], "unknown model `magic`"),
        (
            &["--model", "position-based", "--position-weights", "0.7,0.7"],
            "--position-weights",
        ),
        (
            &["--model", "time-decay", "--half-life", "7 fortnights"],
            "--half-life",
        ),
        (
            &["--model", "position-decay", "--decay-rate", "0"],
            "--decay-rate",
        ),
        (&["--model", "time-decay"], "journey #0 has no timestamps"),
    ];
    for (extra, needle) in cases {
        let mut args = vec!["attribute", tiny.as_str()];
        args.extend_from_slice(extra);
        let (code, stderr) = fail(&args, "");
        assert_eq!(code, 2, "{args:?}: {stderr}");
        assert!(stderr.contains(needle), "{args:?}: {stderr}");
        assert_eq!(stderr.lines().count(), 1, "{stderr}");
    }
    let (code, stderr) = fail(&["attribute", "/no/such/file.csv"], "");
    assert_eq!(code, 2);
    assert_eq!(
        stderr,
        "error: /no/such/file.csv: cannot open: No such file or directory (os error 2)\n"
    );
    // Unknown flags are clap's usage errors, also exit code 2.
    assert_eq!(fail(&["attribute", &tiny, "--frobnicate"], "").0, 2);
}

#[test]
fn help_is_there_for_a_newcomer() {
    let out = run(&["--help"], b"");
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        text.contains("attribute") && text.contains("journeys"),
        "{text}"
    );
    let out = run(&["attribute", "--help"], b"");
    let text = String::from_utf8(out.stdout).unwrap();
    for needle in [
        "--model",
        "first-touch",
        "time-decay",
        "--shape",
        "--lookback",
        "--format",
    ] {
        assert!(
            text.contains(needle),
            "missing {needle} in attribute --help"
        );
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    /// Arbitrary bytes on stdin, in every shape: exit 0 or 2, never a panic (101).
    #[test]
    fn arbitrary_input_never_panics(
        bytes in proptest::collection::vec(any::<u8>(), 0..300),
        shape in prop::sample::select(vec!["paths", "journeys", "events"]),
        lenient in any::<bool>(),
    ) {
        let mut args = vec!["attribute", "-", "--shape", shape, "--format", "csv"];
        if lenient {
            args.push("--lenient");
        }
        let out = run(&args, &bytes);
        let code = out.status.code();
        prop_assert!(code == Some(0) || code == Some(2), "exit {:?}: {}", code, String::from_utf8_lossy(&out.stderr));
    }

    /// Almost valid paths files: exit 0 or 2, and a failure is one line.
    #[test]
    fn almost_valid_paths_never_panic(
        rows in proptest::collection::vec(
            ("[A-Za-z>, ]{0,12}", "-?[0-9]{0,3}(\\.[05])?", "[0-9x]{0,2}", "(-|[0-9]){0,4}(\\.[0-9])?|NaN|inf"),
            0..6,
        ),
    ) {
        let mut text = String::from("path,total_conversions,total_null,total_conversion_value\n");
        for (p, c, n, v) in &rows {
            text.push_str(&format!("\"{p}\",{c},{n},{v}\n"));
        }
        let out = run(&["attribute", "-", "--format", "csv"], text.as_bytes());
        let code = out.status.code();
        prop_assert!(code == Some(0) || code == Some(2));
        if code == Some(2) {
            prop_assert_eq!(String::from_utf8_lossy(&out.stderr).lines().count(), 1);
        }
    }
}
