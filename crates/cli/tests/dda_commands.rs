//! `dda` through the command: the ten variants of the tiny fixture's
//! `expected_counterfactual.csv` and `expected_dda_coefficients.csv`
//! (through `--coefficients FILE`) to 1e-9, the `(baseline)` row and the
//! fit diagnostics in every format, and each error kind with its exit code.

mod common;

use std::path::PathBuf;

use common::{close, fixture, run};

fn temp_file(name: &str) -> PathBuf {
    std::env::temp_dir().join(format!("attribution-dda-{name}-{}.csv", std::process::id()))
}

/// Runs `attribute INPUT --format csv --model SPEC`; (code, stdout, stderr).
fn attribute(input: &str, args: &[&str]) -> (i32, String, String) {
    let mut all = vec!["attribute", input, "--format", "csv"];
    all.extend(args);
    let out = run(&all, b"");
    (
        out.status.code().unwrap(),
        String::from_utf8(out.stdout).unwrap(),
        String::from_utf8(out.stderr).unwrap(),
    )
}

fn fixture_rows(file: &str) -> Vec<csv::StringRecord> {
    let mut reader = csv::Reader::from_path(fixture(&format!("tiny/{file}"))).unwrap();
    reader.records().map(Result::unwrap).collect()
}

fn variants(rows: &[csv::StringRecord]) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for r in rows.iter().filter(|r| &r[0] == "dda") {
        if !out.iter().any(|s| s == &r[1]) {
            out.push(r[1].to_owned());
        }
    }
    out
}

#[test]
fn the_ten_variants_of_expected_counterfactual_csv() {
    let rows = fixture_rows("expected_counterfactual.csv");
    let input = fixture("tiny/paths.csv");
    let variants = variants(&rows);
    assert_eq!(variants.len(), 10);
    for spec in &variants {
        let (code, stdout, stderr) = attribute(&input, &["--model", spec]);
        assert_eq!(code, 0, "{spec}: {stderr}");
        let mut reader = csv::Reader::from_reader(stdout.as_bytes());
        let header: Vec<String> = reader
            .headers()
            .unwrap()
            .iter()
            .map(str::to_owned)
            .collect();
        assert_eq!(
            header,
            [
                "model",
                "channel",
                "conversions",
                "value",
                "removal_effect",
                "fit_iterations",
                "fit_max_gradient",
                "fit_log_likelihood",
                "fit_intercept_residual"
            ]
        );
        let out: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
        let names: Vec<&str> = out.iter().map(|r| &r[1]).collect();
        // Channels in first-appearance order, then the baseline, even when 0.
        assert_eq!(
            names,
            ["PPC", "LandingPage", "Email", "LinkedIn", "(baseline)"],
            "{spec}"
        );
        for want in rows.iter().filter(|r| &r[0] == "dda" && &r[1] == spec) {
            let got = out.iter().find(|r| r[1] == want[3]).unwrap();
            let (c, wc): (f64, f64) = (got[2].parse().unwrap(), want[4].parse().unwrap());
            assert!(close(c, wc), "{spec} {}: {c} vs {wc}", &want[3]);
            if want[5].is_empty() {
                assert_eq!(&got[3], "", "{spec}: credit=expected has no value");
            } else {
                let (v, wv): (f64, f64) = (got[3].parse().unwrap(), want[5].parse().unwrap());
                assert!(close(v, wv), "{spec} {}: {v} vs {wv}", &want[3]);
            }
            assert_eq!(&got[4], "");
            let residual: f64 = got[8].parse().unwrap();
            assert!(residual.abs() <= 1e-12, "{spec}: {residual}");
        }
    }
}

#[test]
fn coefficients_file_reproduces_expected_dda_coefficients_csv() {
    let rows = fixture_rows("expected_dda_coefficients.csv");
    let file = temp_file("coefficients");
    let input = fixture("tiny/paths.csv");
    // Three dda specs and a model without coefficients in one run.
    let (code, stdout, stderr) = attribute(
        &input,
        &[
            "--model",
            "dda,dda:value=logit-pairwise,dda:lambda=0.25,linear",
            "--coefficients",
            file.to_str().unwrap(),
        ],
    );
    assert_eq!(code, 0, "{stderr}");
    let text = std::fs::read_to_string(&file).unwrap();
    std::fs::remove_file(&file).unwrap();
    let mut reader = csv::Reader::from_reader(text.as_bytes());
    assert_eq!(
        reader.headers().unwrap(),
        vec!["model", "term", "coefficient", "odds_ratio"]
    );
    let got: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    assert_eq!(got.len(), rows.len());
    // The model cell is the run's `model` column, in the order of the run.
    let mut labels: Vec<String> = Vec::new();
    for row in csv::Reader::from_reader(stdout.as_bytes()).records() {
        let model = row.unwrap()[0].to_owned();
        if model.starts_with("dda") && !labels.contains(&model) {
            labels.push(model);
        }
    }
    assert_eq!(labels.len(), 3, "{stdout}");
    let specs = variants(&rows);
    let label = |spec: &str| labels[specs.iter().position(|s| s == spec).unwrap()].clone();
    for (g, w) in got.iter().zip(&rows) {
        assert_eq!(&g[0], label(&w[1]).as_str());
        assert_eq!(&g[1], &w[2]);
        let (c, wc): (f64, f64) = (g[2].parse().unwrap(), w[3].parse().unwrap());
        let (o, wo): (f64, f64) = (g[3].parse().unwrap(), w[4].parse().unwrap());
        assert!(close(c, wc) && close(o, wo), "{g:?} vs {w:?}");
    }
}

#[test]
fn json_and_table_carry_the_baseline_and_the_diagnostics() {
    let input = fixture("tiny/paths.csv");
    let out = run(
        &[
            "attribute",
            &input,
            "--format",
            "json",
            "--model",
            "dda:credit=expected",
        ],
        b"",
    );
    assert_eq!(out.status.code(), Some(0));
    let rows: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let rows = rows.as_array().unwrap();
    assert_eq!(rows.len(), 5);
    let baseline = &rows[4];
    assert_eq!(baseline["channel"], "(baseline)");
    assert!(close(
        baseline["conversions"].as_f64().unwrap(),
        3.1381472292165706
    ));
    assert!(baseline["value"].is_null());
    assert!(baseline["fit_diagnostics"]["iterations"].as_u64().unwrap() >= 1);
    let out = run(&["attribute", &input, "--model", "dda"], b"");
    let table = String::from_utf8(out.stdout).unwrap();
    let baseline_rows: Vec<&str> = table.lines().filter(|l| l.contains("(baseline)")).collect();
    assert_eq!(baseline_rows.len(), 2, "{table}");
    assert!(baseline_rows[0].contains("2.6298  65.7%"), "{table}");
    assert!(baseline_rows[1].contains("239.6088  66.6%"), "{table}");
    assert!(table.contains("dda: fit in 5 Newton iterations"), "{table}");
}

#[test]
fn errors_exit_2_with_their_cause() {
    let dir = std::env::temp_dir();
    let write = |name: &str, text: &str| {
        let path = dir.join(format!("attribution-dda-{name}-{}.csv", std::process::id()));
        std::fs::write(&path, text).unwrap();
        path
    };
    let one_class = write(
        "one-class",
        "path,total_conversions,total_null\nA > B,2,0\nB,1,0\n",
    );
    let (code, stdout, stderr) = attribute(one_class.to_str().unwrap(), &["--model", "dda"]);
    assert_eq!(code, 2, "{stderr}");
    assert!(stdout.is_empty());
    assert!(
        stderr.contains("needs at least one converting and one non-converting journey, but the input has 3 conversions among 3 journeys"),
        "{stderr}"
    );
    // `all` leaves dda out with a warning instead.
    let (code, stdout, stderr) = attribute(one_class.to_str().unwrap(), &["--model", "all"]);
    assert_eq!(code, 0, "{stderr}");
    assert!(!stdout.contains("dda"), "{stdout}");
    assert!(stderr.contains("--model all: dda left out"), "{stderr}");
    std::fs::remove_file(&one_class).unwrap();

    let names: Vec<String> = (0..12).map(|i| format!("C{i}")).collect();
    let wide = write(
        "wide",
        &format!(
            "path,total_conversions,total_null\n{},1,1\nC0,0,1\n",
            names.join(" > ")
        ),
    );
    let (code, _, stderr) = attribute(wide.to_str().unwrap(), &["--model", "dda:max-channels=11"]);
    std::fs::remove_file(&wide).unwrap();
    assert_eq!(code, 2, "{stderr}");
    assert!(
        stderr.contains("the channel set {C0 + C1 + C2 + C3 + C4 + C5 + C6 + C7 + C8 + C9 + …} has 12 channels, above max-channels = 11"),
        "{stderr}"
    );
    assert!(stderr.contains(
        "raise max-channels (at most 24), group channels, or use markov-shapley or shapley"
    ));

    let input = fixture("tiny/paths.csv");
    for (spec, message) in [
        ("dda:lambda=0", "invalid parameter `lambda` = 0"),
        ("dda:lambda=nan", "invalid parameter `lambda` = NaN"),
        (
            "dda:prior-weight=-1,value=smoothed-set",
            "invalid parameter `prior_weight` = -1",
        ),
        (
            "dda:prior-weight=2",
            "prior_weight applies only with value=smoothed-set",
        ),
        (
            "dda:value=smoothed-set,credit=expected",
            "credit=expected needs value=logit or logit-pairwise",
        ),
        (
            "dda:max-channels=25",
            "max_channels must be an integer from 1 to 24",
        ),
        (
            "dda:value=tree",
            "expected logit, logit-pairwise or smoothed-set",
        ),
    ] {
        let (code, stdout, stderr) = attribute(&input, &["--model", spec]);
        assert_eq!(code, 2, "{spec}: {stderr}");
        assert!(stdout.is_empty());
        assert!(stderr.contains(message), "{spec}: {stderr}");
    }
    // An empty input: no journeys.
    let empty = write("empty", "path,total_conversions,total_null\n");
    let (code, _, stderr) = attribute(empty.to_str().unwrap(), &["--model", "dda"]);
    std::fs::remove_file(&empty).unwrap();
    assert_eq!(code, 2, "{stderr}");
    assert!(!stderr.contains("NaN"));
}
