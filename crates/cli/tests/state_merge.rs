//! `attribution state` and `attribution merge`: the states of the parts of
//! an input, written as files (binary and JSON) and merged in any order,
//! give what `attribute` gives on the whole input — every model, Markov
//! orders 1 to 3, time decay on timed journeys; files of other models or
//! parameters, damaged files and files of other kinds are errors naming
//! the file (exit code 2).

mod common;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use common::{fixture, run};

fn temp_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("attribution-state-{}-{name}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// Runs the command; returns (exit code, stdout, stderr).
fn outcome(args: &[&str]) -> (i32, String, String) {
    let out = run(args, b"");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8(out.stdout).unwrap(),
        String::from_utf8(out.stderr).unwrap(),
    )
}

/// `(model, channel) -> (conversions, value, removal effect)`, and the
/// channels of every model in output order.
type Rows = BTreeMap<(String, String), (f64, f64, Option<f64>)>;

fn rows(csv_text: &str) -> (Rows, BTreeMap<String, Vec<String>>) {
    let mut reader = csv::Reader::from_reader(csv_text.as_bytes());
    let mut rows = Rows::new();
    let mut order: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for record in reader.records() {
        let r = record.unwrap();
        let re = (!r[4].is_empty()).then(|| r[4].parse().unwrap());
        order
            .entry(r[0].to_owned())
            .or_default()
            .push(r[1].to_owned());
        let previous = rows.insert(
            (r[0].to_owned(), r[1].to_owned()),
            (r[2].parse().unwrap(), r[3].parse().unwrap(), re),
        );
        assert!(previous.is_none(), "row twice: {:?}", &r);
    }
    (rows, order)
}

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() <= 1e-12 * a.abs().max(b.abs()).max(1.0)
}

/// Asserts that two CSV outputs hold the same rows (by model and channel),
/// numbers equal to 1e-12.
fn assert_same_credits(actual: &str, expected: &str, context: &str) {
    let (actual, _) = rows(actual);
    let (expected, _) = rows(expected);
    let keys = |r: &Rows| r.keys().cloned().collect::<Vec<_>>();
    assert_eq!(keys(&actual), keys(&expected), "{context}");
    for (key, &(c, v, re)) in &expected {
        let (ac, av, are) = actual[key];
        assert!(close(ac, c), "{context} {key:?}: conversions {ac} vs {c}");
        assert!(close(av, v), "{context} {key:?}: value {av} vs {v}");
        match (are, re) {
            (Some(a), Some(e)) => assert!(close(a, e), "{context} {key:?}: RE {a} vs {e}"),
            (None, None) => {}
            other => panic!("{context} {key:?}: removal effects {other:?}"),
        }
    }
}

/// The first-appearance order of the channels of a paths or journeys CSV
/// (the path column is `column`, touches separated by `>`).
fn first_appearance(csv_text: &str, column: usize) -> Vec<String> {
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(if csv_text.contains(';') { b';' } else { b',' })
        .from_reader(csv_text.as_bytes());
    let mut seen: Vec<String> = Vec::new();
    for record in reader.records() {
        for touch in record.unwrap()[column].split('>') {
            let touch = touch.trim().to_owned();
            if !seen.contains(&touch) {
                seen.push(touch);
            }
        }
    }
    seen
}

/// Writes the header and the given data lines of `lines` to `path`.
fn write_part(path: &Path, header: &str, lines: &[&str]) {
    let mut text = format!("{header}\n");
    for line in lines {
        text.push_str(line);
        text.push('\n');
    }
    std::fs::write(path, text).unwrap();
}

/// `state` on `input` with `extra`, to `output`.
fn state(input: &Path, output: &Path, extra: &[&str]) {
    let mut args = vec![
        "state",
        input.to_str().unwrap(),
        "-o",
        output.to_str().unwrap(),
    ];
    args.extend_from_slice(extra);
    let (code, stdout, stderr) = outcome(&args);
    assert_eq!((code, stdout.as_str()), (0, ""), "{args:?}: {stderr}");
}

/// `merge` of `files` with `extra`; returns stdout and stderr.
fn merge(files: &[&Path], extra: &[&str]) -> (String, String) {
    let mut args = vec!["merge"];
    args.extend(files.iter().map(|f| f.to_str().unwrap()));
    args.extend_from_slice(extra);
    let (code, stdout, stderr) = outcome(&args);
    assert_eq!(code, 0, "{args:?}: {stderr}");
    (stdout, stderr)
}

/// Splits `input` (header + data lines) into three parts by line numbers,
/// writes each part's states (binary and JSON), and checks that merging
/// them in reverse order (binary, JSON, and both mixed) gives `attribute`
/// on the whole input; and that merging them in order gives the channel
/// order of one pass over the parts concatenated.
fn check_parts(name: &str, input: &str, parts: [&[usize]; 3], column: usize, options: &[&str]) {
    let dir = temp_dir(name);
    let text = std::fs::read_to_string(input).unwrap();
    let mut lines = text.lines();
    let header = lines.next().unwrap();
    let data: Vec<&str> = lines.collect();
    let mut files = Vec::new();
    let mut orders = Vec::new();
    let mut concatenated: Vec<&str> = Vec::new();
    for (i, part) in parts.iter().enumerate() {
        let part_lines: Vec<&str> = part.iter().map(|&l| data[l]).collect();
        concatenated.extend(&part_lines);
        let path = dir.join(format!("part{i}.csv"));
        write_part(&path, header, &part_lines);
        orders.push(first_appearance(
            &std::fs::read_to_string(&path).unwrap(),
            column,
        ));
        let binary = dir.join(format!("part{i}.state"));
        let json = dir.join(format!("part{i}.json"));
        state(&path, &binary, options);
        state(
            &path,
            &json,
            &[options, &["--state-format", "json"]].concat(),
        );
        assert!(std::fs::read(&binary).unwrap().starts_with(b"ATTRBNDL"));
        assert!(
            std::fs::read_to_string(&json)
                .unwrap()
                .starts_with("{\n  \"format\": \"attribution-states\",\n  \"version\": 1,")
        );
        files.push((binary, json));
    }
    // The parts meet the channels in different orders.
    assert_ne!(orders[0], orders[1], "{name}");
    assert_ne!(orders[1], orders[2], "{name}");
    assert_ne!(orders[0], orders[2], "{name}");

    let mut whole = vec!["attribute", input, "--format", "csv"];
    whole.extend_from_slice(options);
    let (code, expected, expected_stderr) = outcome(&whole);
    assert_eq!(code, 0, "{expected_stderr}");

    let (b, j): (Vec<&Path>, Vec<&Path>) = files
        .iter()
        .map(|(b, j)| (b.as_path(), j.as_path()))
        .unzip();
    for (label, order) in [
        ("binary, reversed", vec![b[2], b[1], b[0]]),
        ("json, reversed", vec![j[2], j[1], j[0]]),
        ("mixed", vec![j[1], b[2], j[0]]),
    ] {
        let (merged, stderr) = merge(&order, &["--format", "csv"]);
        assert_same_credits(&merged, &expected, &format!("{name}, {label}"));
        // The notes of `attribute` (models `all` left out) come along.
        assert_eq!(stderr, expected_stderr, "{name}, {label}");
    }

    // In order, the channels come in the order of one pass over the parts
    // concatenated.
    let all = dir.join("concatenated.csv");
    write_part(&all, header, &concatenated);
    let mut one_pass = vec!["attribute", all.to_str().unwrap(), "--format", "csv"];
    one_pass.extend_from_slice(options);
    let (code, one_pass, _) = outcome(&one_pass);
    assert_eq!(code, 0);
    let (merged, _) = merge(&[b[0], j[1], b[2]], &["--format", "csv"]);
    assert_same_credits(&merged, &one_pass, &format!("{name}, in order"));
    assert_eq!(rows(&merged).1, rows(&one_pass).1, "{name}: channel order");
    std::fs::remove_dir_all(dir).unwrap();
}

#[test]
fn merged_parts_of_timed_journeys_equal_one_pass_for_every_model() {
    // J3 J8 J7 | J5 J2 | J6 J4 J1: LinkedIn first, PPC first, LinkedIn > PPC > Email.
    check_parts(
        "journeys",
        &fixture("tiny/journeys.csv"),
        [&[2, 7, 6], &[4, 1], &[5, 3, 0]],
        1,
        &["--shape", "journeys", "--model", "all", "--order", "1,2,3"],
    );
}

#[test]
fn merged_parts_of_synthetic_paths_equal_one_pass_for_every_model() {
    let lines: Vec<usize> = (0..100_000).collect();
    // Unequal parts; the second starts at the end of the file.
    check_parts(
        "synthetic",
        &fixture("synthetic/paths_100000_12.csv"),
        [&lines[..30_000], &lines[70_000..], &lines[30_000..70_000]],
        0,
        &["--model", "all", "--order", "1,2,3"],
    );
}

#[test]
fn merged_parts_with_specs_and_threads_equal_one_pass() {
    // Explicit specs with parameters (timed journeys), several threads.
    check_parts(
        "specs",
        &fixture("tiny/journeys.csv"),
        [&[0, 1], &[3, 2], &[5, 4, 7, 6]],
        1,
        &[
            "--shape",
            "journeys",
            "--model",
            "time-decay:half_life=3d,markov:order=2,max_steps=5",
            "--model",
            "position-based:first=0.25,last=0.5",
            "--model",
            "last-non-direct:direct=Email|PPC,linear:split=channel",
            "--threads",
            "2",
        ],
    );
}

#[test]
fn merge_of_one_file_writes_what_attribute_writes() {
    let dir = temp_dir("one");
    let input = fixture("tiny/paths.csv");
    let file = dir.join("all.state");
    state(Path::new(&input), &file, &["--order", "1,2"]);
    for format in ["table", "csv", "json"] {
        let (code, expected, expected_stderr) =
            outcome(&["attribute", &input, "--order", "1,2", "--format", format]);
        assert_eq!(code, 0);
        let (merged, stderr) = merge(&[&file], &["--format", format]);
        assert_eq!(merged, expected, "{format}");
        assert_eq!(stderr, expected_stderr, "{format}");
    }
    // -o writes the same to a file.
    let out = dir.join("out.csv");
    let (merged, _) = merge(&[&file], &["--format", "csv", "-o", out.to_str().unwrap()]);
    assert_eq!(merged, "");
    let (_, expected, _) = outcome(&["attribute", &input, "--order", "1,2", "--format", "csv"]);
    assert_eq!(std::fs::read_to_string(&out).unwrap(), expected);
    std::fs::remove_dir_all(dir).unwrap();
}

#[test]
fn states_of_other_models_or_parameters_do_not_merge() {
    let dir = temp_dir("mismatch");
    let input = fixture("tiny/paths.csv");
    let input = Path::new(&input);
    let order2 = dir.join("order2.state");
    let order3 = dir.join("order3.json");
    let more = dir.join("more.state");
    state(input, &order2, &["--model", "markov:order=2"]);
    state(
        input,
        &order3,
        &[
            "--model",
            "markov",
            "--order",
            "3",
            "--state-format",
            "json",
        ],
    );
    state(input, &more, &["--model", "markov:order=2,linear"]);
    let (o2, o3, m) = (
        order2.to_str().unwrap(),
        order3.to_str().unwrap(),
        more.to_str().unwrap(),
    );
    let (code, stdout, stderr) = outcome(&["merge", o2, o3]);
    assert_eq!((code, stdout.as_str()), (2, ""));
    assert_eq!(
        stderr,
        format!(
            "error: {o3}: its states do not match those of {o2}: {o2} holds \
             `markov:order=2,max_steps=none,self_loops=false`, {o3} holds \
             `markov:order=3,max_steps=none,self_loops=false`; only states of the same model \
             specs merge\n"
        )
    );
    let (code, _, stderr) = outcome(&["merge", o2, o2, m]);
    assert_eq!(code, 2);
    assert_eq!(
        stderr,
        format!(
            "error: {m}: its states do not match those of {o2}: {o2} holds \
             `markov:order=2,max_steps=none,self_loops=false`, {m} holds \
             `markov:order=2,max_steps=none,self_loops=false`, `linear:split=touch`; only \
             states of the same model specs merge\n"
        )
    );
    std::fs::remove_dir_all(dir).unwrap();
}

#[test]
fn damaged_and_foreign_files_are_errors_naming_the_file() {
    let dir = temp_dir("damaged");
    let input = fixture("tiny/paths.csv");
    let good = dir.join("good.state");
    state(Path::new(&input), &good, &["--model", "linear,markov"]);
    let bytes = std::fs::read(&good).unwrap();
    let json_file = dir.join("good.json");
    state(
        Path::new(&input),
        &json_file,
        &["--model", "linear,markov", "--state-format", "json"],
    );
    let json = std::fs::read_to_string(&json_file).unwrap();

    let truncated = dir.join("truncated.state");
    std::fs::write(&truncated, &bytes[..bytes.len() / 2]).unwrap();
    let other_version = dir.join("v2.state");
    let mut v2 = bytes.clone();
    v2[8] = 2;
    std::fs::write(&other_version, &v2).unwrap();
    let inner = dir.join("inner.state");
    let mut damaged = bytes.clone();
    let at = damaged.windows(8).rposition(|w| w == b"ATTRSTAT").unwrap();
    damaged[at] = b'X';
    std::fs::write(&inner, &damaged).unwrap();
    let bad_json = dir.join("bad.json");
    // A channel named twice in the second state's table.
    let mut value: serde_json::Value = serde_json::from_str(&json).unwrap();
    let names = &mut value["states"][1]["state"]["channels"];
    names[1] = names[0].clone();
    let broken = serde_json::to_string_pretty(&value).unwrap();
    std::fs::write(&bad_json, broken).unwrap();
    let cut_json = dir.join("cut.json");
    std::fs::write(&cut_json, &json[..json.len() / 2]).unwrap();

    let name = |p: &Path| p.to_str().unwrap().to_owned();
    let cases: Vec<(String, String)> = vec![
        (
            name(&truncated),
            format!(
                "error: {}: corrupt state: the data is truncated\n",
                name(&truncated)
            ),
        ),
        (
            name(&other_version),
            format!(
                "error: {}: state format version 2, this build reads 1\n",
                name(&other_version)
            ),
        ),
        (
            name(&inner),
            format!(
                "error: {}: corrupt state: state #1: not an attribution state file\n",
                name(&inner)
            ),
        ),
        (
            input.clone(),
            format!("error: {input}: not an attribution state file\n"),
        ),
        (
            "/no/such/file.state".to_owned(),
            "error: /no/such/file.state: cannot open: No such file or directory (os error 2)\n"
                .to_owned(),
        ),
    ];
    for (file, expected) in &cases {
        // Named whether it comes first or after a good file.
        for args in [
            vec!["merge", file.as_str()],
            vec!["merge", good.to_str().unwrap(), file],
        ] {
            let (code, stdout, stderr) = outcome(&args);
            assert_eq!((code, stdout.as_str()), (2, ""), "{args:?}");
            assert_eq!(&stderr, expected, "{args:?}");
        }
    }
    for (file, what) in [
        (&bad_json, "state #1: channel `PPC` is listed twice"),
        (&cut_json, "EOF while parsing"),
    ] {
        let (code, stdout, stderr) = outcome(&["merge", good.to_str().unwrap(), &name(file)]);
        assert_eq!((code, stdout.as_str()), (2, ""));
        let prefix = format!("error: {}: corrupt state: {what}", name(file));
        assert!(stderr.starts_with(&prefix), "{stderr}");
        assert_eq!(stderr.lines().count(), 1, "{stderr}");
    }
    std::fs::remove_dir_all(dir).unwrap();
}

#[test]
fn state_checks_its_options_like_attribute() {
    let input = fixture("tiny/paths.csv");
    for (args, expected) in [
        (
            vec!["--model", "markov:ordr=2"],
            "error: model `markov` has no parameter `ordr` (its parameters: order, max_steps, \
             self_loops)\n",
        ),
        (
            vec!["--model", "magic"],
            "error: unknown model `magic` (known models: first-touch, last-touch, \
             last-non-direct, linear, position-based, time-decay, position-decay, markov, shapley, \
             shapley-rate, shapley-exact-set, shapley-ordered, shao-li, participation, \
             markov-shapley, dda, leave-one-out)\n",
        ),
        (
            vec!["--order", "0"],
            "error: --order: invalid parameter `order` = 0: the Markov order must be between 1 \
             and 32\n",
        ),
    ] {
        let mut all = vec!["state", input.as_str(), "-o", "/dev/null"];
        all.extend_from_slice(&args);
        let (code, stdout, stderr) = outcome(&all);
        assert_eq!(
            (code, stdout.as_str(), stderr.as_str()),
            (2, "", expected),
            "{args:?}"
        );
    }
    // The output file is required.
    let (code, _, stderr) = outcome(&["state", &input]);
    assert_eq!(code, 2);
    assert!(stderr.contains("--output <FILE>"), "{stderr}");
}
