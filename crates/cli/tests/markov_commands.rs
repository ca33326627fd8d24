//! `attribution transitions` and `attribution choose-order`.

mod common;

use common::{fixture, run, run_ok};

#[test]
fn transitions_csv_of_the_tiny_order_1_chain() {
    let text = run_ok(&["transitions", &fixture("tiny/paths.csv"), "--order", "1"]);
    let mut lines = text.lines();
    assert_eq!(lines.next(), Some("from,to,probability,count"));
    let rows: Vec<&str> = lines.collect();
    // Start: 4 of 8 journeys begin with PPC, 2 with Email, 2 with LinkedIn.
    assert!(rows.contains(&"(start),PPC,0.5,4"), "{text}");
    assert!(rows.contains(&"(start),Email,0.25,2"), "{text}");
    // PPC > LandingPage in J1, J2, J5; PPC ends J6 (converted) and J7 (not).
    assert!(rows.contains(&"PPC,LandingPage,0.6,3"), "{text}");
    assert!(rows.contains(&"PPC,(conversion),0.2,1"), "{text}");
    assert!(rows.contains(&"PPC,(null),0.2,1"), "{text}");
    // Email > Email is merged: J4 gives Email -> LinkedIn once.
    assert!(
        !rows.iter().any(|r| r.starts_with("Email,Email,")),
        "{text}"
    );
    // Probabilities leaving each state sum to 1.
    let mut out: std::collections::HashMap<&str, f64> = std::collections::HashMap::new();
    for r in &rows {
        let cells: Vec<&str> = r.split(',').collect();
        *out.entry(cells[0]).or_default() += cells[2].parse::<f64>().unwrap();
    }
    for (state, total) in out {
        assert!((total - 1.0).abs() < 1e-12, "{state}: {total}");
    }
}

#[test]
fn transitions_order_2_names_states_with_the_separator() {
    let text = run_ok(&["transitions", &fixture("tiny/paths.csv"), "--order", "2"]);
    assert!(text.contains("(start),PPC > LandingPage,"), "{text}");
    assert!(
        text.contains("(start),LinkedIn,"),
        "a one-touch path is a shorter state: {text}"
    );
}

#[test]
fn transitions_dot_and_json() {
    let dot = run_ok(&["transitions", &fixture("tiny/paths.csv"), "--format", "dot"]);
    assert!(dot.starts_with("digraph"), "{dot}");
    assert!(
        dot.contains("(conversion)") && dot.contains("0.6000 (3)"),
        "{dot}"
    );
    let json = run_ok(&[
        "transitions",
        &fixture("tiny/paths.csv"),
        "--format",
        "json",
    ]);
    let rows: Vec<serde_json::Value> = serde_json::from_str(&json).unwrap();
    let start_ppc = rows
        .iter()
        .find(|r| r["from"] == "(start)" && r["to"] == "PPC")
        .unwrap();
    assert_eq!(start_ppc["probability"], 0.5);
    assert_eq!(start_ppc["count"], 4);
}

#[test]
fn choose_order_reports_every_order_and_a_suggestion() {
    let json = run_ok(&[
        "choose-order",
        &fixture("synthetic/paths_100000_12.csv"),
        "--max-order",
        "3",
        "--format",
        "json",
    ]);
    let report: serde_json::Value = serde_json::from_str(&json).unwrap();
    let states: Vec<u64> = report["orders"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o["states"].as_u64().unwrap())
        .collect();
    // The fixture README: 12, 156 and 1 884 states.
    assert_eq!(states, [12, 156, 1884]);
    assert_eq!(report["folds"], 5);
    let suggested = report["suggested_order"].as_u64().unwrap();
    let best = report["orders"]
        .as_array()
        .unwrap()
        .iter()
        .min_by(|a, b| {
            a["cv_log_loss"]
                .as_f64()
                .unwrap()
                .total_cmp(&b["cv_log_loss"].as_f64().unwrap())
        })
        .unwrap();
    assert_eq!(best["order"].as_u64().unwrap(), suggested);
}

#[test]
fn markov_option_errors_exit_2() {
    for args in [
        vec!["attribute", "--model", "markov", "--order", "0"],
        vec!["attribute", "--model", "markov", "--max-steps", "0"],
        vec!["transitions", "--order", "0"],
        vec!["choose-order", "--folds", "1"],
    ] {
        let mut args = args.clone();
        let input = fixture("tiny/paths.csv");
        args.insert(1, &input);
        let out = run(&args, b"");
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        assert_eq!(String::from_utf8_lossy(&out.stderr).lines().count(), 1);
    }
}

#[test]
fn choose_order_checks_folds_and_max_order() {
    let tiny = fixture("tiny/paths.csv"); // 8 journeys, at most 4 touches
    let fails = |extra: &[&str], expected: String| {
        let mut args = vec!["choose-order", tiny.as_str()];
        args.extend_from_slice(extra);
        let out = run(&args, b"");
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        assert_eq!(String::from_utf8(out.stderr).unwrap(), expected, "{args:?}");
    };
    fails(
        &["--folds", "100000000"],
        format!(
            "error: --folds 100000000: more folds than the 8 journeys of `{tiny}` (every fold needs one)\n"
        ),
    );
    fails(
        &["--folds", "9"],
        format!(
            "error: --folds 9: more folds than the 8 journeys of `{tiny}` (every fold needs one)\n"
        ),
    );
    fails(
        &["--folds", "1"],
        "error: --folds 1: cross-validation needs at least 2 folds\n".to_owned(),
    );
    for k in ["0", "33"] {
        fails(
            &["--max-order", k],
            format!("error: --max-order {k}: expected an order from 1 to 32\n"),
        );
    }
    // As many folds as journeys: leave-one-out.
    let out = run(
        &["choose-order", &tiny, "--folds", "8", "--format", "json"],
        b"",
    );
    assert_eq!(out.status.code(), Some(0));
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report["folds"], 8);

    // Orders above the longest journey are not computed, and stderr says so.
    let out = run(
        &[
            "choose-order",
            &tiny,
            "--max-order",
            "10",
            "--format",
            "csv",
        ],
        b"",
    );
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(
        String::from_utf8(out.stderr).unwrap(),
        "note: orders 5 to 10 not computed: the longest journey has 4 touches, so they would \
         repeat order 4\n"
    );
    let csv = String::from_utf8(out.stdout).unwrap();
    let orders: Vec<&str> = csv
        .lines()
        .skip(1)
        .map(|l| &l[..l.find(',').unwrap()])
        .collect();
    assert_eq!(orders, ["1", "2", "3", "4"]);
    assert_eq!(
        csv,
        run_ok(&["choose-order", &tiny, "--max-order", "4", "--format", "csv"])
    );
}

#[test]
fn choose_order_help_describes_its_own_formats() {
    let help = run_ok(&["choose-order", "--help"]);
    let help = help.split_whitespace().collect::<Vec<_>>().join(" ");
    for needle in [
        "table: One aligned table for people, and the suggested order",
        "csv: order,states,transitions,parameters,log_likelihood,bic,cv_log_loss,cv_auc; full precision",
        "json: {\"orders\": [the CSV rows as objects], \"folds\", \"suggested_order\", \"rule\"}",
        "Cross-validation folds: at least 2, at most the number of journeys",
    ] {
        assert!(help.contains(needle), "missing {needle:?} in {help}");
    }
    assert!(!help.contains("model,channel,conversions"), "{help}");
}
