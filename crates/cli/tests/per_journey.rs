//! `--per-journey FILE`: every converting journey's credit per heuristic
//! model, summing to the model's totals.

mod common;

use std::collections::HashMap;
use std::path::PathBuf;

use common::{close, fixture, run};

/// A fresh directory for one test's files.
fn temp_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("attribution-pj-{name}-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// Runs `attribute` with `--per-journey FILE`; returns (exit code, stderr, FILE's text).
fn per_journey(name: &str, args: &[&str]) -> (i32, String, Option<String>) {
    let dir = temp_dir(name);
    let file = dir.join("per_journey.csv");
    let mut all = vec!["attribute"];
    all.extend(args);
    all.extend(["--format", "csv", "--per-journey", file.to_str().unwrap()]);
    let out = run(&all, b"");
    let text = std::fs::read_to_string(&file).ok();
    std::fs::remove_dir_all(&dir).unwrap();
    (
        out.status.code().unwrap(),
        String::from_utf8(out.stderr).unwrap(),
        text,
    )
}

#[test]
fn journeys_file_ids_and_exact_rows() {
    let (code, stderr, text) = per_journey(
        "ids",
        &[
            &fixture("tiny/journeys.csv"),
            "--shape",
            "journeys",
            "--model",
            "first-touch,last-touch",
        ],
    );
    assert_eq!((code, stderr.as_str()), (0, ""));
    assert_eq!(
        text.unwrap(),
        "journey_id,journey_index,model,channel,conversions,value
J1,,first-touch,PPC,1,120
J1,,first-touch,LandingPage,0,0
J1,,first-touch,Email,0,0
J1,,first-touch,LinkedIn,0,0
J1,,last-touch,PPC,0,0
J1,,last-touch,LandingPage,0,0
J1,,last-touch,Email,0,0
J1,,last-touch,LinkedIn,1,120
J3,,first-touch,LinkedIn,1,80
J3,,last-touch,LinkedIn,1,80
J4,,first-touch,Email,1,60
J4,,first-touch,LinkedIn,0,0
J4,,last-touch,Email,0,0
J4,,last-touch,LinkedIn,1,60
J6,,first-touch,LinkedIn,1,100
J6,,first-touch,PPC,0,0
J6,,last-touch,LinkedIn,0,0
J6,,last-touch,PPC,1,100
"
    );
}

#[test]
fn paths_get_their_position_and_events_their_user() {
    let (code, _, text) = per_journey(
        "positions",
        &[&fixture("tiny/paths.csv"), "--model", "last-touch"],
    );
    assert_eq!(code, 0);
    let ids: Vec<String> = text
        .unwrap()
        .lines()
        .skip(1)
        .map(|l| l.split(',').next().unwrap().to_owned())
        .collect();
    // The converting paths are rows 1, 3, 4 and 6.
    assert_eq!(ids, ["1", "1", "1", "1", "3", "4", "4", "6", "6"]);
    let (code, _, text) = per_journey(
        "users",
        &[
            &fixture("tiny/events.csv"),
            "--shape",
            "events",
            "--model",
            "last-touch",
        ],
    );
    assert_eq!(code, 0);
    let text = text.unwrap();
    assert!(
        text.contains("\nU4,,last-touch,Email,0,0\nU4,,last-touch,LinkedIn,1,60\n"),
        "{text}"
    );
}

#[test]
fn rows_sum_to_every_heuristic_of_the_fixture() {
    let (code, stderr, text) = per_journey(
        "sums",
        &[
            &fixture("tiny/journeys.csv"),
            "--shape",
            "journeys",
            "--threads",
            "2",
        ],
    );
    assert_eq!(code, 0);
    let lines: Vec<&str> = stderr.lines().collect();
    assert_eq!(lines.len(), 3, "{stderr}");
    assert_eq!(
        lines[0],
        "warning: --threads is ignored with --per-journey (journeys are read in order, on one thread)"
    );
    assert!(
        lines[1].starts_with(
            "warning: --per-journey: markov, shapley-rate, shapley-exact-set, shao-li, \
             markov-shapley, dda, leave-one-out left out of `"
        ) && lines[1].ends_with(
            "per_journey.csv` (their credit is not defined journey by journey in one pass: \
             Markov, Shao & Li, dda and leave-one-out need the model fitted on the whole input, \
             shapley-rate and shapley-exact-set are games over whole channel sets, \
             markov-shapley a game over the whole chain)"
        ),
        "{stderr}"
    );
    assert!(
        lines[2].starts_with("note: participation: overlapping credit, not a partition"),
        "{stderr}"
    );
    let mut sums: HashMap<(String, String), (f64, f64)> = HashMap::new();
    let text = text.unwrap();
    let mut reader = csv::Reader::from_reader(text.as_bytes());
    for row in reader.records() {
        let row = row.unwrap();
        let entry = sums
            .entry((row[2].to_owned(), row[3].to_owned()))
            .or_default();
        entry.0 += row[4].parse::<f64>().unwrap();
        entry.1 += row[5].parse::<f64>().unwrap();
    }
    let expected = std::fs::read_to_string(fixture("tiny/expected.csv")).unwrap();
    let mut reader = csv::Reader::from_reader(expected.as_bytes());
    let mut checked = 0;
    for row in reader.records() {
        let row = row.unwrap();
        let model = match (&row[0], &row[1]) {
            ("linear", "per_unique_channel") | ("markov", _) => continue,
            (m, _) => m.replace('_', "-"),
        };
        let (c, v) = sums[&(model.clone(), row[2].to_owned())];
        let (ec, ev): (f64, f64) = (row[3].parse().unwrap(), row[4].parse().unwrap());
        assert!(
            close(c, ec) && close(v, ev),
            "{model} {}: {c} {v} vs {ec} {ev}",
            &row[2]
        );
        checked += 1;
    }
    assert_eq!(checked, 20);
    // last-non-direct and position-decay are not in the fixture, but are written.
    assert!(sums.keys().any(|(m, _)| m == "last-non-direct"));
    assert!(sums.keys().any(|(m, _)| m == "position-decay"));
    assert!(!sums.keys().any(|(m, _)| m.starts_with("markov")));
    // shapley: c/k per distinct channel (= linear per channel); participation: all of it.
    let shapley = [
        ("PPC", 0.75, 80.0),
        ("LandingPage", 0.25, 30.0),
        ("Email", 0.75, 60.0),
    ];
    for (channel, c, v) in shapley {
        let (gc, gv) = sums[&("shapley".to_owned(), channel.to_owned())];
        assert!(close(gc, c) && close(gv, v), "shapley {channel}: {gc} {gv}");
    }
    assert_eq!(
        sums[&("participation".to_owned(), "LinkedIn".to_owned())],
        (4.0, 360.0)
    );
    assert!(
        !sums
            .keys()
            .any(|(m, _)| m == "shapley-rate" || m == "shapley-exact-set")
    );
}

#[test]
fn markov_only_is_an_error_before_anything_is_written() {
    let (code, stderr, text) =
        per_journey("markov", &[&fixture("tiny/paths.csv"), "--model", "markov"]);
    assert_eq!(code, 2);
    assert_eq!(
        stderr,
        "error: --per-journey: no model that runs gives per-journey credit (markov has none: \
         its removal effects belong to the whole chain; nor has markov-shapley, a game over the \
         whole chain); add a heuristic model to --model\n"
    );
    assert_eq!(text, None);
}

#[test]
fn a_model_error_names_the_journey_and_line() {
    // time-decay needs timestamps; the paths shape has none.
    let (code, stderr, _) = per_journey(
        "untimed",
        &[&fixture("tiny/paths.csv"), "--model", "time-decay"],
    );
    assert_eq!(code, 2);
    assert!(
        stderr.starts_with("error: ") && stderr.contains("line 2") && stderr.contains("timestamps"),
        "{stderr}"
    );
}
