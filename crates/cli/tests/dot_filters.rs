//! `transitions --top N --min-probability P`: readable graphs of many
//! channels. Both filter every format; DOT also drops states left without
//! an edge; kept edges keep the full chain's probabilities.

mod common;

use common::{fixture, run, run_ok};

#[test]
fn top_one_edge_per_node_in_dot() {
    let dot = run_ok(&[
        "transitions",
        &fixture("tiny/paths.csv"),
        "--format",
        "dot",
        "--top",
        "1",
    ]);
    // (null) is nobody's most probable next state, so it is not drawn.
    assert_eq!(
        dot,
        r#"digraph {
    0 [ label = "(start)" ]
    1 [ label = "PPC" ]
    2 [ label = "LandingPage" ]
    3 [ label = "Email" ]
    4 [ label = "LinkedIn" ]
    5 [ label = "(conversion)" ]
    0 -> 1 [ label = "0.5000 (4)" ]
    1 -> 2 [ label = "0.6000 (3)" ]
    2 -> 3 [ label = "0.6667 (2)" ]
    3 -> 4 [ label = "0.7500 (3)" ]
    4 -> 5 [ label = "0.6000 (3)" ]
}
"#
    );
}

#[test]
fn min_probability_filters_csv_rows() {
    let csv = run_ok(&[
        "transitions",
        &fixture("tiny/paths.csv"),
        "--min-probability",
        "0.25",
    ]);
    assert_eq!(
        csv,
        "from,to,probability,count
(start),PPC,0.5,4
(start),Email,0.25,2
(start),LinkedIn,0.25,2
PPC,LandingPage,0.6,3
LandingPage,Email,0.6666666666666666,2
LandingPage,(null),0.3333333333333333,1
Email,LinkedIn,0.75,3
Email,(null),0.25,1
LinkedIn,(conversion),0.6,3
"
    );
}

#[test]
fn both_filters_on_json() {
    let json = run_ok(&[
        "transitions",
        &fixture("tiny/paths.csv"),
        "--format",
        "json",
        "--top",
        "1",
        "--min-probability",
        "0.6",
    ]);
    let rows: Vec<serde_json::Value> = serde_json::from_str(&json).unwrap();
    let pairs: Vec<(&str, &str)> = rows
        .iter()
        .map(|r| (r["from"].as_str().unwrap(), r["to"].as_str().unwrap()))
        .collect();
    assert_eq!(
        pairs,
        [
            ("PPC", "LandingPage"),
            ("LandingPage", "Email"),
            ("Email", "LinkedIn"),
            ("LinkedIn", "(conversion)"),
        ]
    );
}

#[test]
fn twelve_channels_keep_three_edges_per_node() {
    let input = fixture("synthetic/paths_100000_12.csv");
    let all = run_ok(&["transitions", &input, "--format", "dot"]);
    let top = run_ok(&["transitions", &input, "--format", "dot", "--top", "3"]);
    let edges = |dot: &str| dot.lines().filter(|l| l.contains(" -> ")).count();
    // (start) and 12 channel states, every one with more than 3 next states.
    assert_eq!((edges(&all), edges(&top)), (168, 13 * 3));
    for node in 0..13 {
        let out = top
            .lines()
            .filter(|l| l.trim_start().starts_with(&format!("{node} -> ")))
            .count();
        assert_eq!(out, 3, "node {node}");
    }
}

#[test]
fn invalid_filter_values_exit_2() {
    for (args, error) in [
        (
            ["--top", "0"],
            "error: --top: invalid parameter `top` = 0: must be at least 1\n",
        ),
        (
            ["--min-probability", "1.5"],
            "error: --min-probability: invalid parameter `min_probability` = 1.5: must be between 0 and 1\n",
        ),
        (
            ["--min-probability", "NaN"],
            "error: --min-probability: invalid parameter `min_probability` = NaN: must be between 0 and 1\n",
        ),
    ] {
        let input = fixture("tiny/paths.csv");
        let mut all = vec!["transitions", input.as_str()];
        all.extend(args);
        let out = run(&all, b"");
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        assert!(out.stdout.is_empty());
        assert_eq!(String::from_utf8(out.stderr).unwrap(), error, "{args:?}");
    }
}
