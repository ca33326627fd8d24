//! Helpers shared by the command's integration tests.
#![allow(dead_code)]

use std::collections::HashMap;
use std::io::Write;
use std::process::{Command, Output, Stdio};

pub const FIXTURES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared/fixtures");

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

/// `(model, channel) -> (conversions, value, removal_effect)` from the
/// command's CSV output.
pub type Credits = HashMap<(String, String), (f64, f64, Option<f64>)>;

pub fn parse_output(csv_text: &str) -> Credits {
    let mut reader = csv::Reader::from_reader(csv_text.as_bytes());
    assert_eq!(
        reader.headers().unwrap(),
        vec!["model", "channel", "conversions", "value", "removal_effect"]
    );
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
