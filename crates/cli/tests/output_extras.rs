//! The extras of the output: Markov's certified bound of each removal
//! effect (`removal_effect_error`, a CSV column only when some row has it)
//! and its diagnostics (JSON keys of its rows; a table footnote).

mod common;

use common::{fixture, run_ok};

#[test]
fn markov_rows_carry_their_error_bound_and_diagnostics() {
    let tiny = fixture("tiny/paths.csv");
    let csv = run_ok(&["attribute", &tiny, "--model", "linear", "--format", "csv"]);
    assert!(csv.starts_with("model,channel,conversions,value,removal_effect\nlinear,PPC,"));
    let csv = run_ok(&[
        "attribute",
        &tiny,
        "--model",
        "linear,markov",
        "--format",
        "csv",
    ]);
    let mut reader = csv::Reader::from_reader(csv.as_bytes());
    assert_eq!(
        reader.headers().unwrap(),
        vec![
            "model",
            "channel",
            "conversions",
            "value",
            "removal_effect",
            "removal_effect_error"
        ]
    );
    for record in reader.records() {
        let r = record.unwrap();
        if &r[0] == "markov" {
            let bound: f64 = r[5].parse().unwrap();
            assert!((0.0..1e-12).contains(&bound), "{r:?}");
        } else {
            assert_eq!((&r[4], &r[5]), ("", ""), "{r:?}");
        }
    }

    let json = run_ok(&[
        "attribute",
        &tiny,
        "--model",
        "linear,markov",
        "--format",
        "json",
    ]);
    let rows: Vec<serde_json::Value> = serde_json::from_str(&json).unwrap();
    assert_eq!(rows.len(), 8);
    for row in &rows {
        let keys: Vec<&str> = row
            .as_object()
            .unwrap()
            .keys()
            .map(String::as_str)
            .collect();
        if row["model"] == "markov" {
            assert!(row["removal_effect_error"].as_f64().unwrap() < 1e-12);
            let d = &row["diagnostics"];
            assert_eq!(
                (d["states"].as_u64(), d["solver"].as_str()),
                (Some(4), Some("auto"))
            );
            assert!(d["error_bound"].as_f64().unwrap() < 1e-12);
        } else {
            assert!(!keys.contains(&"diagnostics") && !keys.contains(&"removal_effect_error"));
        }
    }

    // Two orders: one diagnostics footnote naming each.
    let table = run_ok(&["attribute", &tiny, "--model", "markov", "--order", "1,2"]);
    let line = table
        .lines()
        .find(|l| l.starts_with("diagnostics: "))
        .unwrap();
    assert!(
        line.starts_with("diagnostics: markov:order=1: 4 states, 4 transitions, solver auto, "),
        "{line}"
    );
    assert!(line.contains("; markov:order=2: 7 states, "), "{line}");
}
