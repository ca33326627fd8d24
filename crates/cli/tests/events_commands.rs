//! `--shape events` options and `attribution journeys`.

mod common;

use common::{fixture, parse_output, run, run_ok};

#[test]
fn journeys_subcommand_rebuilds_the_tiny_journeys_from_events() {
    let built = run_ok(&["journeys", &fixture("tiny/events.csv"), "--shape", "events"]);
    // Users U1..U8 are journeys J1..J8 of the fixture.
    let expected = std::fs::read_to_string(fixture("tiny/journeys.csv"))
        .unwrap()
        .replace("\nJ", "\nU");
    assert_eq!(built, expected);
}

#[test]
fn built_journeys_read_back_to_the_same_credits() {
    let dir = std::env::temp_dir().join(format!("attribution-events-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let journeys = dir.join("journeys.csv");
    let events = fixture("tiny/events.csv");
    run_ok(&[
        "journeys",
        &events,
        "--shape",
        "events",
        "--output",
        journeys.to_str().unwrap(),
    ]);
    let from_events = parse_output(&run_ok(&[
        "attribute",
        &events,
        "--shape",
        "events",
        "--format",
        "csv",
    ]));
    let from_journeys = parse_output(&run_ok(&[
        "attribute",
        journeys.to_str().unwrap(),
        "--shape",
        "journeys",
        "--format",
        "csv",
    ]));
    assert_eq!(from_events, from_journeys);
    assert_eq!(
        from_events.len(),
        16 * 4 + 5,
        "all seven heuristics, markov, the six Shapley-family models, markov-shapley and \
         leave-one-out on timed input, four channels each; dda, four channels and its (baseline)"
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

const LOG: &str = "\
user_id,timestamp,channel,conversion,value
u1,2024-01-01T00:00:00Z,PPC,0,0
u1,2024-03-01T00:00:00Z,Email,0,0
u1,2024-03-01T00:10:00Z,Email,0,0
u1,2024-03-02T00:00:00Z,Direct,0,0
u1,2024-03-02T01:00:00Z,,1,100
u2,2024-03-05T00:00:00Z,LinkedIn,0,0
u2,2024-03-05T00:00:00Z,LinkedIn,0,0
u2,2024-03-06T00:00:00+02:00,,1,50
u3,2024-03-07T00:00:00Z,,1,30
";

fn journeys_of(args: &[&str]) -> (String, String) {
    let mut all = vec!["journeys", "-", "--shape", "events"];
    all.extend_from_slice(args);
    let out = run(&all, LOG.as_bytes());
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    (
        String::from_utf8(out.stdout).unwrap(),
        String::from_utf8(out.stderr).unwrap(),
    )
}

#[test]
fn event_options_shape_the_journeys() {
    let (plain, report) = journeys_of(&[]);
    assert!(
        plain.contains("u1,PPC > Email > Email > Direct,1,100,"),
        "{plain}"
    );
    // +02:00 is normalised to UTC: 2024-03-05T22:00:00Z.
    assert!(
        plain.contains("u2,LinkedIn > LinkedIn,1,50,") && plain.contains("2024-03-05T22:00:00Z"),
        "{plain}"
    );
    // u3 converts with no touch: unattributed, in the report, in no journey.
    assert!(!plain.contains("u3"), "{plain}");
    assert!(report.contains("1 unattributed"), "{report}");

    let (lookback, _) = journeys_of(&["--lookback", "30d"]);
    assert!(
        lookback.contains("u1,Email > Email > Direct,1,100,"),
        "{lookback}"
    );
    let (excluded, _) = journeys_of(&["--exclude", "Direct", "--collapse-repeats"]);
    assert!(excluded.contains("u1,PPC > Email,1,100,"), "{excluded}");
    let (last_two, _) = journeys_of(&["--max-touches", "2"]);
    assert!(last_two.contains("u1,Email > Direct,1,100,"), "{last_two}");
    let (dedup, _) = journeys_of(&["--drop-duplicates"]);
    assert!(dedup.contains("u2,LinkedIn,1,50,"), "{dedup}");
    let (sessions, _) = journeys_of(&["--session-timeout", "7d"]);
    // The 60-day gap after PPC ends a non-converting journey.
    assert!(sessions.contains(",PPC,0,0,"), "{sessions}");
    assert!(
        sessions.contains(",Email > Email > Direct,1,100,"),
        "{sessions}"
    );
}

#[test]
fn bad_event_options_exit_2() {
    for args in [
        vec!["--lookback", "30"],
        vec!["--session-timeout", "1.5h"],
        vec!["--max-touches", "0"],
    ] {
        let mut all = vec!["journeys", "-", "--shape", "events"];
        all.extend_from_slice(&args);
        let out = run(&all, LOG.as_bytes());
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        assert_eq!(
            String::from_utf8_lossy(&out.stderr).lines().count(),
            1,
            "{args:?}"
        );
    }
    // Sorted mode on unsorted input names the line.
    let out = run(
        &["journeys", "-", "--shape", "events", "--sorted"],
        b"user_id,timestamp,channel,conversion\nu1,2024-01-02T00:00:00Z,A,0\nu1,2024-01-01T00:00:00Z,B,0\n",
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("line 3"));
}

#[test]
fn sorted_events_stream_to_the_same_credits_and_report() {
    // The tiny log is grouped by user and in time order within each.
    let events = fixture("tiny/events.csv");
    for command in [&["attribute", "--format", "csv"][..], &["transitions"][..]] {
        let with = |sorted: bool| {
            let mut args = vec![command[0], events.as_str(), "--shape", "events"];
            args.extend_from_slice(&command[1..]);
            if sorted {
                args.push("--sorted");
            }
            let out = run(&args, b"");
            assert_eq!(out.status.code(), Some(0), "{args:?}");
            (out.stdout, out.stderr)
        };
        let (streamed, report) = with(true);
        assert_eq!((streamed, report), with(false));
    }
}
