//! The command reproduces the fixtures' expected numbers through its CSV output.

mod common;

use common::{assert_credit, fixture, parse_output, run_ok};

/// How to ask the command for each (model, variant) of `tiny/expected.csv`.
fn invocation(model: &str, variant: &str) -> Option<(&'static str, Vec<&'static str>)> {
    Some(match (model, variant) {
        ("first_touch", "") => ("first-touch", vec![]),
        ("last_touch", "") => ("last-touch", vec![]),
        ("linear", "per_touch") => ("linear", vec!["--linear", "touch"]),
        ("linear", "per_unique_channel") => ("linear", vec!["--linear", "channel"]),
        ("position_based", "40_20_40") => ("position-based", vec!["--position-weights", "0.4,0.4"]),
        ("time_decay", "half_life_7d") => ("time-decay", vec!["--half-life", "7d"]),
        _ => return None,
    })
}

fn check_tiny(input: &str, shape: &str, timed: bool) {
    let expected = std::fs::read_to_string(fixture("tiny/expected.csv")).unwrap();
    let mut reader = csv::Reader::from_reader(expected.as_bytes());
    let mut checked = 0;
    for row in reader.records() {
        let row = row.unwrap();
        let Some((name, extra)) = invocation(&row[0], &row[1]) else {
            continue;
        };
        if name == "time-decay" && !timed {
            continue;
        }
        let mut args = vec![
            "attribute",
            input,
            "--shape",
            shape,
            "--model",
            name,
            "--format",
            "csv",
        ];
        args.extend(extra);
        let out = parse_output(&run_ok(&args));
        let expected = (row[3].parse().unwrap(), row[4].parse().unwrap(), None);
        assert_credit(&out, name, &row[2], expected, shape);
        checked += 1;
    }
    assert_eq!(checked, if timed { 24 } else { 20 });
}

#[test]
fn tiny_paths_through_the_command() {
    check_tiny(&fixture("tiny/paths.csv"), "paths", false);
}

#[test]
fn tiny_journeys_through_the_command() {
    check_tiny(&fixture("tiny/journeys.csv"), "journeys", true);
}

#[test]
fn tiny_events_through_the_command() {
    check_tiny(&fixture("tiny/events.csv"), "events", true);
}

#[test]
fn synthetic_heuristics_through_the_command() {
    let out = parse_output(&run_ok(&[
        "attribute",
        &fixture("synthetic/paths_100000_12.csv"),
        "--model",
        "first-touch,last-touch,linear",
        "--format",
        "csv",
    ]));
    let expected = std::fs::read_to_string(fixture("synthetic/expected_heuristics.csv")).unwrap();
    let mut reader = csv::Reader::from_reader(expected.as_bytes());
    let mut checked = 0;
    for row in reader.records() {
        let row = row.unwrap();
        let model = row[0].replace('_', "-");
        let expected = (row[2].parse().unwrap(), row[3].parse().unwrap(), None);
        assert_credit(&out, &model, &row[1], expected, "synthetic");
        checked += 1;
    }
    assert_eq!(checked, 36);
    assert_eq!(out.len(), 36);
}

#[test]
fn all_models_on_paths_skip_time_decay_and_keep_first_appearance_order() {
    let text = run_ok(&["attribute", &fixture("tiny/paths.csv"), "--format", "csv"]);
    let models: Vec<&str> = text
        .lines()
        .skip(1)
        .map(|l| l.split(',').next().unwrap())
        .collect();
    let mut distinct = models.clone();
    distinct.dedup();
    assert!(!distinct.contains(&"time-decay"));
    assert_eq!(&distinct[..2], ["first-touch", "last-touch"]);
    let channels: Vec<&str> = text
        .lines()
        .skip(1)
        .take(4)
        .map(|l| l.split(',').nth(1).unwrap())
        .collect();
    assert_eq!(channels, ["PPC", "LandingPage", "Email", "LinkedIn"]);
}

#[test]
fn json_and_csv_carry_the_same_numbers() {
    let input = fixture("tiny/journeys.csv");
    let csv_out = parse_output(&run_ok(&[
        "attribute",
        &input,
        "--shape",
        "journeys",
        "--model",
        "all",
        "--format",
        "csv",
    ]));
    let json_out = run_ok(&[
        "attribute",
        &input,
        "--shape",
        "journeys",
        "--model",
        "all",
        "--format",
        "json",
    ]);
    let rows: Vec<serde_json::Value> = serde_json::from_str(&json_out).unwrap();
    assert_eq!(rows.len(), csv_out.len());
    for row in rows {
        let key = (
            row["model"].as_str().unwrap().to_owned(),
            row["channel"].as_str().unwrap().to_owned(),
        );
        let (c, v, _) = csv_out[&key];
        assert_eq!(row["conversions"].as_f64().unwrap(), c);
        assert_eq!(row["value"].as_f64().unwrap(), v);
    }
}

#[test]
fn output_file_and_stdin() {
    let dir = std::env::temp_dir().join(format!("attribution-cli-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("out.csv");
    let data = std::fs::read(fixture("tiny/paths.csv")).unwrap();
    let out = common::run(
        &[
            "attribute",
            "-",
            "--model",
            "last-touch",
            "--format",
            "csv",
            "--output",
            file.to_str().unwrap(),
        ],
        &data,
    );
    assert!(out.status.success());
    assert!(out.stdout.is_empty());
    let credits = parse_output(&std::fs::read_to_string(&file).unwrap());
    assert_eq!(
        credits[&("last-touch".to_owned(), "LinkedIn".to_owned())].0,
        3.0
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn tiny_markov_orders_1_to_3_through_the_command() {
    let expected = std::fs::read_to_string(fixture("tiny/expected.csv")).unwrap();
    for shape in ["paths", "journeys", "events"] {
        let input = fixture(&format!("tiny/{shape}.csv"));
        for order in 1..=3 {
            let out = parse_output(&run_ok(&[
                "attribute",
                &input,
                "--shape",
                shape,
                "--model",
                "markov",
                "--order",
                &order.to_string(),
                "--format",
                "csv",
            ]));
            let mut reader = csv::Reader::from_reader(expected.as_bytes());
            let mut checked = 0;
            for row in reader.records() {
                let row = row.unwrap();
                if &row[0] != "markov" || row[1] != format!("order_{order}") {
                    continue;
                }
                let expect = |i: usize| row[i].parse::<f64>().unwrap();
                let context = format!("{shape} order {order}");
                assert_credit(
                    &out,
                    "markov",
                    &row[2],
                    (expect(3), expect(4), Some(expect(5))),
                    &context,
                );
                checked += 1;
            }
            assert_eq!(checked, 4);
        }
    }
}

#[test]
fn synthetic_markov_orders_1_to_3_through_the_command() {
    let input = fixture("synthetic/paths_100000_12.csv");
    for order in 1..=3 {
        let out = parse_output(&run_ok(&[
            "attribute",
            &input,
            "--model",
            "markov",
            "--order",
            &order.to_string(),
            "--format",
            "csv",
        ]));
        let expected = std::fs::read_to_string(fixture(&format!(
            "synthetic/expected_markov_order{order}.csv"
        )))
        .unwrap();
        let mut reader = csv::Reader::from_reader(expected.as_bytes());
        let mut checked = 0;
        for row in reader.records() {
            let row = row.unwrap();
            let expect = |i: usize| row[i].parse::<f64>().unwrap();
            let expected = (expect(1), expect(2), Some(expect(3)));
            assert_credit(
                &out,
                "markov",
                &row[0],
                expected,
                &format!("synthetic order {order}"),
            );
            checked += 1;
        }
        assert_eq!(checked, 12);
    }
}

#[test]
fn all_includes_markov_with_removal_effects() {
    let out = parse_output(&run_ok(&[
        "attribute",
        &fixture("tiny/paths.csv"),
        "--model",
        "all",
        "--format",
        "csv",
    ]));
    assert_eq!(
        out.len(),
        15 * 4 + 5,
        "six untimed heuristics, markov, shapley, shapley-rate, shapley-exact-set, \
         shapley-ordered, shao-li, participation, markov-shapley and leave-one-out, four \
         channels each; dda, four channels and its (baseline)"
    );
    assert_eq!(
        out[&("markov".to_owned(), "LinkedIn".to_owned())].2,
        Some(0.8)
    );
    assert_eq!(out[&("linear".to_owned(), "LinkedIn".to_owned())].2, None);
}
