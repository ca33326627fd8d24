//! Helpers shared by the command's integration tests.
#![allow(dead_code)]

use std::collections::HashMap;
use std::io::Write;
use std::process::{Command, Output, Stdio};

pub const FIXTURES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../tests/data");

pub fn fixture(rel: &str) -> String {
    format!("{FIXTURES}/{rel}")
}

/// Runs the `attribution` binary with `args`, feeding `stdin`.
pub fn run(args: &[&str], stdin: &[u8]) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_attribution"))
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut input = child.stdin.take().unwrap();
    // The command may exit before reading everything (bad header): ignore EPIPE.
    let _ = input.write_all(stdin);
    drop(input);
    child.wait_with_output().unwrap()
}

/// Runs and expects success; returns stdout.
pub fn run_ok(args: &[&str]) -> String {
    let out = run(args, b"");
    assert!(
        out.status.success(),
        "attribution {args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

/// The columns the CSV output may add after the five it always has.
pub const EXTRA_COLUMNS: [&str; 13] = [
    "removal_effect_error",
    "interval_level",
    "conversions_lo",
    "conversions_hi",
    "value_lo",
    "value_hi",
    "share_lo",
    "share_hi",
    "positions",
    "fit_iterations",
    "fit_max_gradient",
    "fit_log_likelihood",
    "fit_intercept_residual",
];

/// `(model, channel) -> (conversions, value, removal_effect)` from the
/// command's CSV output.
pub type Credits = HashMap<(String, String), (f64, f64, Option<f64>)>;

pub fn parse_output(csv_text: &str) -> Credits {
    let mut reader = csv::Reader::from_reader(csv_text.as_bytes());
    let header = reader.headers().unwrap().clone();
    assert_eq!(
        header.iter().take(5).collect::<Vec<_>>(),
        vec!["model", "channel", "conversions", "value", "removal_effect"]
    );
    // Then only the documented extras some row has (Markov: the bound).
    for extra in header.iter().skip(5) {
        assert!(EXTRA_COLUMNS.contains(&extra), "unexpected column {extra}");
    }
    reader
        .records()
        .map(|r| {
            let r = r.unwrap();
            let re = (!r[4].is_empty()).then(|| r[4].parse().unwrap());
            (
                (r[0].to_owned(), r[1].to_owned()),
                (r[2].parse().unwrap(), r[3].parse().unwrap(), re),
            )
        })
        .collect()
}

pub fn close(actual: f64, expected: f64) -> bool {
    (actual - expected).abs() <= 1e-9 * expected.abs().max(1.0)
}

/// The row of `model` and `channel`. A run of one spec labels it with the
/// parameters that differ from the defaults (`linear:split=channel`), so
/// `model` may name the model only when one label of that name has a row
/// for `channel`.
#[allow(dead_code)]
pub fn credit_of(out: &Credits, model: &str, channel: &str) -> Option<(f64, f64, Option<f64>)> {
    let key = (model.to_owned(), channel.to_owned());
    out.get(&key).copied().or_else(|| {
        let mut same = out
            .iter()
            .filter(|((m, c), _)| c == channel && m.split(':').next() == Some(model));
        match (same.next(), same.next()) {
            (Some((_, credit)), None) => Some(*credit),
            _ => None,
        }
    })
}

/// Asserts that `out` credits `channel` under `model` with the expected
/// conversions, value and removal effect (1e-9 relative; `None` = empty).
pub fn assert_credit(
    out: &Credits,
    model: &str,
    channel: &str,
    expected: (f64, f64, Option<f64>),
    context: &str,
) {
    let Some((conv, value, re)) = credit_of(out, model, channel) else {
        panic!("{context}: no row for {model} {channel}");
    };
    assert!(
        close(conv, expected.0),
        "{context}: {model} {channel} conversions {conv} vs {}",
        expected.0
    );
    assert!(
        close(value, expected.1),
        "{context}: {model} {channel} value {value} vs {}",
        expected.1
    );
    match (re, expected.2) {
        (Some(a), Some(e)) => assert!(close(a, e), "{context}: {model} {channel} RE {a} vs {e}"),
        (a, e) => assert_eq!(a, e, "{context}: {model} {channel} removal effect"),
    }
}
