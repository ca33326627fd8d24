//! `shapley-ordered` and `shao-li` through the command: the tiny fixture's
//! `expected_shapley.csv` rows and `expected_shapley_positions.csv` to
//! 1e-12, `--positions FILE`, `--max-position`, `--shao-normalise`.

mod common;

use std::path::PathBuf;

use common::{fixture, parse_output, run};

fn temp_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("attribution-sf-{name}-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// Runs `attribute tiny/paths.csv --format csv --positions FILE` with
/// `args`; returns (exit code, stdout, stderr, FILE's text).
fn attribute(name: &str, args: &[&str]) -> (i32, String, String, Option<String>) {
    let dir = temp_dir(name);
    let file = dir.join("positions.csv");
    let input = fixture("tiny/paths.csv");
    let mut all = vec!["attribute", input.as_str(), "--format", "csv"];
    all.extend(args);
    all.extend(["--positions", file.to_str().unwrap()]);
    let out = run(&all, b"");
    let text = std::fs::read_to_string(&file).ok();
    std::fs::remove_dir_all(&dir).unwrap();
    (
        out.status.code().unwrap(),
        String::from_utf8(out.stdout).unwrap(),
        String::from_utf8(out.stderr).unwrap(),
        text,
    )
}

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() <= 1e-12 * a.abs().max(b.abs()).max(1.0)
}

#[test]
fn tiny_fixture_and_positions_through_the_command() {
    let (code, stdout, stderr, positions) =
        attribute("fixture", &["--model", "shapley-ordered,shao-li"]);
    assert_eq!(code, 0, "{stderr}");
    let out = parse_output(&stdout);
    let expected = std::fs::read_to_string(fixture("tiny/expected_shapley.csv")).unwrap();
    let mut checked = 0;
    for line in expected.lines().skip(1) {
        let f: Vec<&str> = line.split(',').collect();
        if !matches!(f[0], "shapley-ordered" | "shao-li") {
            continue;
        }
        let (c, v, _) = out[&(f[0].to_owned(), f[1].to_owned())];
        assert!(close(c, f[2].parse().unwrap()), "{line}: {c}");
        assert!(close(v, f[3].parse().unwrap()), "{line}: {v}");
        checked += 1;
    }
    assert_eq!(checked, 8);

    let positions = positions.unwrap();
    let mut lines = positions.lines();
    assert_eq!(
        lines.next(),
        Some("model,channel,position,conversions,value")
    );
    let rows: Vec<Vec<&str>> = lines.map(|l| l.split(',').collect()).collect();
    assert_eq!(rows.len(), 16);
    let expected = std::fs::read_to_string(fixture("tiny/expected_shapley_positions.csv")).unwrap();
    for (line, row) in expected.lines().skip(1).zip(&rows) {
        let f: Vec<&str> = line.split(',').collect();
        assert_eq!(row[..3], ["shapley-ordered", f[0], f[1]], "{line}");
        let c: f64 = row[3].parse().unwrap();
        assert!(close(c, f[2].parse().unwrap()), "{line}: {row:?}");
    }
    // Value by position, worked by hand (see tests/shapley_ordered.rs).
    let values: Vec<&str> = rows.iter().map(|r| r[4]).collect();
    assert_eq!(
        values,
        [
            "30", "50", "0", "0", "0", "30", "0", "0", "15", "15", "30", "0", "130", "0", "30",
            "30"
        ]
    );
}

#[test]
fn max_position_pools_into_a_labelled_bucket() {
    let (code, stdout, stderr, positions) = attribute(
        "capped",
        &["--model", "shapley-ordered", "--max-position", "2"],
    );
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(
        positions.unwrap(),
        "model,channel,position,conversions,value\n\
         shapley-ordered:max_position=2,PPC,1,0.25,30\n\
         shapley-ordered:max_position=2,PPC,2+,0.5,50\n\
         shapley-ordered:max_position=2,LandingPage,1,0,0\n\
         shapley-ordered:max_position=2,LandingPage,2+,0.25,30\n\
         shapley-ordered:max_position=2,Email,1,0.25,15\n\
         shapley-ordered:max_position=2,Email,2+,0.5,45\n\
         shapley-ordered:max_position=2,LinkedIn,1,1.5,130\n\
         shapley-ordered:max_position=2,LinkedIn,2+,0.75,60\n"
    );
    // The totals do not change; the main CSV's positions column has two entries.
    assert!(
        stdout.contains("shapley-ordered:max_position=2,LinkedIn,2.25,190,,1.5|0.75\n"),
        "{stdout}"
    );
    // A spec's own key wins over the flag; both run, labelled by the parameter.
    let (code, stdout, stderr, positions) = attribute(
        "both",
        &[
            "--model",
            "shapley-ordered,shapley-ordered:max_position=3",
            "--max-position",
            "2",
        ],
    );
    assert_eq!(code, 0, "{stderr}");
    assert!(
        stdout.contains("shapley-ordered:max_position=3,PPC,"),
        "{stdout}"
    );
    let positions = positions.unwrap();
    assert!(
        positions.contains("shapley-ordered:max_position=2,PPC,2+,0.5,50\n"),
        "{positions}"
    );
    assert!(
        positions.contains("shapley-ordered:max_position=3,LinkedIn,3+,0.75,60\n"),
        "{positions}"
    );
}

#[test]
fn shao_normalise_journey_sums_each_journey() {
    let (code, stdout, stderr, positions) = attribute(
        "journey",
        &["--model", "shao-li", "--shao-normalise", "journey"],
    );
    assert_eq!(code, 0, "{stderr}");
    // Worked by hand from P (PPC 2/5, LandingPage 1/3, Email 1/2, LinkedIn
    // 4/5) and the pair rates, each journey's contributions normalised: J1
    // gives PPC 42/240, LandingPage 34/240, Email 49/240, LinkedIn 115/240.
    let out = parse_output(&stdout);
    for (channel, c, v) in [
        ("PPC", 19.0 / 40.0, 51.0),
        ("LandingPage", 17.0 / 120.0, 17.0),
        ("Email", 23.0 / 48.0, 41.0),
        ("LinkedIn", 697.0 / 240.0, 251.0),
    ] {
        let (gc, gv, _) = common::credit_of(&out, "shao-li", channel).unwrap();
        assert!(close(gc, c) && close(gv, v), "{channel}: {gc} {gv}");
    }
    // No model with positions runs: a warning, and the header alone.
    assert!(
        stderr.contains("--positions: no model that runs credits positions"),
        "{stderr}"
    );
    assert_eq!(
        positions.unwrap(),
        "model,channel,position,conversions,value\n"
    );
}

#[test]
fn bad_flag_values_exit_2() {
    let (code, _, stderr, _) = attribute("bad", &["--model", "shao-li", "--shao-normalise", "row"]);
    assert_eq!(code, 2);
    assert!(
        stderr.contains("invalid value 'row' for '--shao-normalise"),
        "{stderr}"
    );
    let (code, _, stderr, _) = attribute(
        "bad2",
        &["--model", "shapley-ordered", "--max-position", "x"],
    );
    assert_eq!(code, 2);
    assert!(
        stderr.contains("invalid value 'x' for '--max-position <P>'"),
        "{stderr}"
    );
}
