//! Fuzzing the command: random bytes, mutated fixtures and random option
//! combinations through every subcommand. Whatever the input, the command
//! must end by itself with exit code 0, 2 or 3, never panic or abort, and a
//! successful CSV run must print well-formed rows with finite numbers.
//!
//! `cargo test` runs a small number of cases (64). CI runs a fixed budget
//! with `ATTRIBUTION_FUZZ_CASES` (see `.ci/run`); a failing case is printed
//! by proptest, shrunk, with the exact arguments and input.

use std::io::{Read, Write};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use proptest::prelude::*;
use proptest::test_runner::{Config, FileFailurePersistence, TestRunner};

const FIXTURES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../tests/data/tiny");

/// A case that takes longer than this is a hang (the inputs are tiny).
const DEADLINE: Duration = Duration::from_secs(10);

/// The outcome of one run of the binary.
struct Outcome {
    code: Option<i32>,
    stdout: Vec<u8>,
    stderr: String,
}

/// Runs `attribution args` with `stdin`, killing it after [`DEADLINE`].
fn run(args: &[String], stdin: Vec<u8>) -> Result<Outcome, String> {
    let mut child = Command::new(env!("CARGO_BIN_EXE_attribution"))
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| format!("spawn: {e}"))?;
    let mut input = child.stdin.take().ok_or("no stdin")?;
    let feeder = std::thread::spawn(move || {
        // The command may exit before reading everything: ignore EPIPE.
        let _ = input.write_all(&stdin);
    });
    let mut out = child.stdout.take().ok_or("no stdout")?;
    let mut err = child.stderr.take().ok_or("no stderr")?;
    let out_reader = std::thread::spawn(move || {
        let mut buf = Vec::new();
        let _ = out.read_to_end(&mut buf);
        buf
    });
    let err_reader = std::thread::spawn(move || {
        let mut buf = Vec::new();
        let _ = err.read_to_end(&mut buf);
        buf
    });
    let start = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().map_err(|e| format!("wait: {e}"))? {
            break status;
        }
        if start.elapsed() > DEADLINE {
            let _ = child.kill();
            let _ = child.wait();
            return Err(format!("hang: still running after {DEADLINE:?}"));
        }
        std::thread::sleep(Duration::from_millis(2));
    };
    let _ = feeder.join();
    let stdout = out_reader.join().map_err(|_| "stdout reader")?;
    let stderr = err_reader.join().map_err(|_| "stderr reader")?;
    Ok(Outcome {
        code: status.code(),
        stdout,
        stderr: String::from_utf8_lossy(&stderr).into_owned(),
    })
}

fn fixture(name: &str) -> Vec<u8> {
    std::fs::read(format!("{FIXTURES}/{name}")).unwrap_or_default()
}

/// One byte-level mutation of a seed file.
#[derive(Debug, Clone)]
enum Mutation {
    Insert(usize, Vec<u8>),
    Delete(usize, usize),
    Overwrite(usize, u8),
    DuplicateLine(usize),
}

fn apply(mut data: Vec<u8>, mutations: &[Mutation]) -> Vec<u8> {
    for m in mutations {
        let len = data.len().max(1);
        match m {
            Mutation::Insert(at, bytes) => {
                let at = at % (data.len() + 1);
                data.splice(at..at, bytes.iter().copied());
            }
            Mutation::Delete(at, n) => {
                let at = at % len;
                let end = (at + n).min(data.len());
                if at < end {
                    data.drain(at..end);
                }
            }
            Mutation::Overwrite(at, b) => {
                if !data.is_empty() {
                    let at = at % data.len();
                    data[at] = *b;
                }
            }
            Mutation::DuplicateLine(n) => {
                let text = data.clone();
                let lines: Vec<&[u8]> = text.split(|&b| b == b'\n').collect();
                let line = lines[n % lines.len()].to_vec();
                data.push(b'\n');
                data.extend_from_slice(&line);
            }
        }
    }
    data
}

/// Byte snippets that have broken CSV readers before: quotes, line ends,
/// BOMs, invisible characters, reserved names, huge and odd numbers.
fn hostile_snippet() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        Just(b"\"".to_vec()),
        Just(b"\r".to_vec()),
        Just(b"\r\n".to_vec()),
        Just(b"\n".to_vec()),
        Just(b",".to_vec()),
        Just(b";".to_vec()),
        Just(b" > ".to_vec()),
        Just(b">>".to_vec()),
        Just("\u{feff}".as_bytes().to_vec()),
        Just("\u{200b}".as_bytes().to_vec()),
        Just("e\u{301}".as_bytes().to_vec()),
        Just(b"(start)".to_vec()),
        Just(b"(null)".to_vec()),
        Just(b"18446744073709551615".to_vec()),
        Just(b"9007199254740993".to_vec()),
        Just(b"1e308".to_vec()),
        Just(b"-1".to_vec()),
        Just(b"1.5".to_vec()),
        Just(b"NaN".to_vec()),
        Just(b"inf".to_vec()),
        Just(b"120,00".to_vec()),
        Just(b"1709283600000".to_vec()),
        Just(b"1709283600000000".to_vec()),
        Just(b"2024-03-01 10:00".to_vec()),
        Just(b"2024-03-01".to_vec()),
        Just(vec![0xff, 0xfe]),
        Just(vec![0]),
        prop::collection::vec(any::<u8>(), 1..8),
    ]
}

fn mutation() -> impl Strategy<Value = Mutation> {
    prop_oneof![
        (any::<usize>(), hostile_snippet()).prop_map(|(a, b)| Mutation::Insert(a, b)),
        (any::<usize>(), 1usize..16).prop_map(|(a, n)| Mutation::Delete(a, n)),
        (any::<usize>(), any::<u8>()).prop_map(|(a, b)| Mutation::Overwrite(a, b)),
        any::<usize>().prop_map(Mutation::DuplicateLine),
    ]
}

/// Input bytes, shown escaped (`b"path,…\n"`) when proptest reports a case.
#[derive(Clone)]
struct Bytes(Vec<u8>);

impl std::fmt::Debug for Bytes {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "b\"{}\"", self.0.escape_ascii())
    }
}

/// The input: a mutated fixture of some shape, or random bytes.
fn input() -> impl Strategy<Value = (Option<&'static str>, Bytes)> {
    let seed = prop_oneof![
        Just(("paths", "paths.csv")),
        Just(("journeys", "journeys.csv")),
        Just(("events", "events.csv")),
        Just(("journeys", "journeys_stages.csv")),
    ];
    prop_oneof![
        4 => (seed, prop::collection::vec(mutation(), 0..4)).prop_map(|((shape, file), ms)| {
            (Some(shape), Bytes(apply(fixture(file), &ms)))
        }),
        1 => prop::collection::vec(any::<u8>(), 0..300).prop_map(|b| (None, Bytes(b))),
    ]
}

/// A value for an option: usually plausible, sometimes hostile.
fn value(plausible: &'static [&'static str]) -> impl Strategy<Value = String> {
    prop_oneof![
        40 => prop::sample::select(plausible).prop_map(str::to_owned),
        1 => prop::sample::select(&[
            "", "0", "-1", "18446744073709551615", "1e400", "NaN", "x", ",", "\u{feff}",
        ][..]).prop_map(str::to_owned),
    ]
}

/// Options shared by every subcommand, then the subcommand's own.
fn arguments() -> impl Strategy<Value = (String, Vec<String>)> {
    let command = prop::sample::select(
        &[
            "attribute",
            "compare",
            "transitions",
            "choose-order",
            "journeys",
            "evaluate",
            "evaluate-like",
            "simulate",
        ][..],
    );
    let shape = prop::option::of(value(&["paths", "journeys", "events"]));
    let common = (
        prop::option::of(value(&[",", ";", "tab", "|"])),
        prop::option::of(value(&[">", " > ", "|", "->"])),
        any::<bool>(),
        any::<bool>(),
        prop::option::of(value(&["0", "1", "2", "400", "10000"])),
        prop::option::of(value(&["1d", "30d", "1h", "0s"])),
        prop::option::of(value(&["30m", "1d"])),
        any::<bool>(),
        prop::option::weighted(0.1, value(&["path=journey_path", "value=revenue", "bogus"])),
    );
    let model = (
        prop::option::of(value(&[
            "all",
            "markov",
            "first-touch,linear",
            "time-decay",
            "position-based",
        ])),
        prop::option::of(value(&["1", "2", "3", "5"])),
        prop::option::of(value(&["1", "5", "1000", "18446744073709551615"])),
        prop::option::of(value(&["table", "csv", "json"])),
        prop::option::of(value(&["0.4,0.4", "1,1", "0.5,-0.1", "0,0"])),
        prop::option::of(value(&["7d", "0s", "1w", "-3h"])),
        prop::option::of(value(&["2", "5", "100000000", "1"])),
        prop::option::of(value(&["1", "3", "40"])),
    );
    (command, shape, common, model).prop_map(|(command, shape, common, model)| {
        let mut args: Vec<String> = Vec::new();
        let mut opt = |name: &str, v: &Option<String>| {
            if let Some(v) = v {
                args.push(format!("--{name}"));
                args.push(v.clone());
            }
        };
        opt("shape", &shape);
        let (delimiter, sep, lenient, ignore, threads, lookback, timeout, no_split, column) =
            common;
        opt("delimiter", &delimiter);
        opt("sep", &sep);
        opt("lookback", &lookback);
        opt("session-timeout", &timeout);
        opt("column", &column);
        let (models, order, max_steps, format, weights, half_life, folds, max_order) = model;
        match command {
            "attribute" | "compare" => {
                opt("threads", &threads);
                opt("model", &models);
                opt("order", &order);
                opt("max-steps", &max_steps);
                opt("format", &format);
                opt("position-weights", &weights);
                opt("half-life", &half_life);
            }
            "transitions" => {
                opt("threads", &threads);
                opt("order", &order);
            }
            "choose-order" => {
                opt("folds", &folds);
                opt("max-order", &max_order);
            }
            // The tiny truth model: inputs with other channels end on exit 2.
            "evaluate" => {
                opt("threads", &threads);
                opt("format", &format);
                let effects = format!(
                    "{}/../../tests/data/tiny/truth_effects.csv",
                    env!("CARGO_MANIFEST_DIR")
                );
                opt("truth-model", &Some(effects));
            }
            // Small simulations shaped like the input (`--like` comes
            // before the input; see the runner).
            "evaluate-like" | "simulate" => {
                opt("threads", &threads);
                opt("journeys", &Some("300".to_owned()));
                if command == "evaluate-like" {
                    opt("format", &format);
                    opt("replicates", &Some("2".to_owned()));
                    opt("model", &Some("first-touch,markov".to_owned()));
                }
            }
            _ => {}
        }
        for (flag, on) in [
            ("--lenient", lenient),
            ("--ignore-unknown-columns", ignore),
            ("--no-split", no_split),
        ] {
            if on {
                args.push(flag.to_owned());
            }
        }
        (command.to_owned(), args)
    })
}

/// Checks one run; `Err` describes the defect.
fn check(command: &str, args: &[String], out: &Outcome) -> Result<(), String> {
    if out.stderr.contains("panicked") || out.stderr.contains("RUST_BACKTRACE") {
        return Err(format!("panic: {}", out.stderr));
    }
    match out.code {
        Some(0 | 2 | 3) => {}
        other => return Err(format!("exit status {other:?}; stderr: {}", out.stderr)),
    }
    if out.code != Some(0) && !out.stderr.contains("error") {
        return Err(format!("failure without an error message: {}", out.stderr));
    }
    // `compare`'s CSV has conversions and value in the same columns.
    let csv_output = (command == "attribute" || command == "compare")
        && args.windows(2).any(|w| w[0] == "--format" && w[1] == "csv");
    if out.code == Some(0) && csv_output {
        let mut reader = csv::Reader::from_reader(out.stdout.as_slice());
        for record in reader.records() {
            let record = record.map_err(|e| format!("output is not CSV: {e}"))?;
            for field in [2, 3] {
                let text = record.get(field).unwrap_or("");
                let number: f64 = text
                    .parse()
                    .map_err(|_| format!("column {field} is not a number: {text:?}"))?;
                if !number.is_finite() {
                    return Err(format!("non-finite credit {text:?} with exit 0"));
                }
            }
        }
    }
    Ok(())
}

#[test]
fn the_command_never_panics_hangs_or_prints_non_finite_credit() {
    let cases = std::env::var("ATTRIBUTION_FUZZ_CASES")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(64);
    let mut runner = TestRunner::new(Config {
        cases,
        failure_persistence: Some(Box::new(FileFailurePersistence::Off)),
        // A hang costs DEADLINE per shrinking step: bound the shrinking.
        max_shrink_time: 60_000,
        ..Config::default()
    });
    let strategy = (input(), arguments(), any::<bool>());
    // Exit codes 0, 2, 3 seen, to show that the cases reach past argument parsing.
    let codes = std::cell::RefCell::new([0u64; 3]);
    let result = runner.run(
        &strategy,
        |((shape, Bytes(data)), (command, options), via_file)| {
            // `evaluate-like` is `evaluate --like INPUT`; `simulate` reads `--like INPUT`.
            let mut args = match command.as_str() {
                "evaluate-like" => vec!["evaluate".to_owned(), "--like".to_owned()],
                "simulate" => vec!["simulate".to_owned(), "--like".to_owned()],
                _ => vec![command.clone()],
            };
            let dir = std::env::temp_dir().join(format!("attribution-fuzz-{}", std::process::id()));
            let stdin = if via_file {
                std::fs::create_dir_all(&dir).map_err(|e| TestCaseError::fail(e.to_string()))?;
                let file = dir.join("input.csv");
                std::fs::write(&file, &data).map_err(|e| TestCaseError::fail(e.to_string()))?;
                args.push(file.display().to_string());
                Vec::new()
            } else {
                args.push("-".to_owned());
                data
            };
            if let (Some(shape), false) = (shape, options.iter().any(|a| a == "--shape")) {
                args.push("--shape".to_owned());
                args.push(shape.to_owned());
            }
            args.extend(options);
            let out = run(&args, stdin).map_err(TestCaseError::fail)?;
            if let Some(slot) = match out.code {
                Some(0) => Some(0),
                Some(2) => Some(1),
                Some(3) => Some(2),
                _ => None,
            } {
                codes.borrow_mut()[slot] += 1;
            }
            check(&command, &args, &out).map_err(|e| TestCaseError::fail(format!("{args:?}: {e}")))
        },
    );
    if let Err(e) = result {
        panic!("{e}");
    }
    let [ok, bad_input, internal] = *codes.borrow();
    eprintln!(
        "fuzz: {cases} cases, 0 failures (exit 0: {ok}, exit 2: {bad_input}, exit 3: {internal})"
    );
    // With a few dozen cases, all may end on bad input by chance.
    assert!(
        cases < 500 || ok > 0,
        "no case ran to success: the generator only makes usage errors"
    );
}
