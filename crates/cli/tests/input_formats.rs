//! Input formats: timestamps detected per value, --time-format, --timezone,
//! --decimal-comma, --conversion-event (a GA4-like export), and the hints
//! of the errors that these options fix.

mod common;

use common::{assert_credit, fixture, parse_output, run};

/// Runs on `stdin`, expects success; returns (stdout, stderr).
fn ok(args: &[&str], stdin: &str) -> (String, String) {
    let out = run(args, stdin.as_bytes());
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(out.status.success(), "attribution {args:?}: {stderr}");
    (String::from_utf8(out.stdout).unwrap(), stderr)
}

/// Runs on `stdin`, expects exit code 2 and one line on stderr; returns it.
fn fails(args: &[&str], stdin: &str) -> String {
    let out = run(args, stdin.as_bytes());
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert_eq!(out.status.code(), Some(2), "attribution {args:?}: {stderr}");
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    stderr.trim_end().to_owned()
}

const EVENTS: &str = "user_id,timestamp,channel,conversion\n";
const JOURNEYS_HEADER: &str = "journey_id,path,converted,value,touch_times,conversion_time";

#[test]
fn mixed_timestamp_layouts_in_one_file() {
    let input = format!(
        "{EVENTS}u,2024-03-01 09:00:00,A,0\nu,1709290800000,B,0\nu,2024-03-01T12:00:00+01:00,C,0\n\
         u,1709294400000000,,1\nv,2024-03-02,A,0\nv,1709373600,,1\n"
    );
    let (out, _) = ok(&["journeys", "-", "--shape", "events"], &input);
    assert_eq!(
        out,
        format!(
            "{JOURNEYS_HEADER}\n\
             u,A > B > C,1,0,2024-03-01T09:00:00Z > 2024-03-01T11:00:00Z > 2024-03-01T11:00:00Z,2024-03-01T12:00:00Z\n\
             v,A,1,0,2024-03-02T00:00:00Z,2024-03-02T10:00:00Z\n"
        )
    );
}

#[test]
fn zone_less_times_in_the_given_zone() {
    let input = format!("{EVENTS}u,2024-03-01 10:00,A,0\nu,2024-07-01 10:00,,1\n");
    let args = |zone| ["journeys", "-", "--shape", "events", "--timezone", zone];
    let (out, _) = ok(&args("+02:00"), &input);
    assert_eq!(
        out,
        format!("{JOURNEYS_HEADER}\nu,A,1,0,2024-03-01T08:00:00Z,2024-07-01T08:00:00Z\n")
    );
    // An IANA zone follows daylight saving: UTC+1 in March, UTC+2 in July.
    let (out, _) = ok(&args("Europe/Berlin"), &input);
    assert_eq!(
        out,
        format!("{JOURNEYS_HEADER}\nu,A,1,0,2024-03-01T09:00:00Z,2024-07-01T08:00:00Z\n")
    );
    let (out, _) = ok(&["journeys", "-", "--shape", "events"], &input);
    assert_eq!(
        out,
        format!("{JOURNEYS_HEADER}\nu,A,1,0,2024-03-01T10:00:00Z,2024-07-01T10:00:00Z\n")
    );
}

#[test]
fn time_format_option() {
    let input = format!("{EVENTS}u,01/03/2024 10:00,A,0\nu,02/03/2024 10:30,,1\n");
    let (out, _) = ok(
        &[
            "journeys",
            "-",
            "--shape",
            "events",
            "--time-format",
            "%d/%m/%Y %H:%M",
        ],
        &input,
    );
    assert_eq!(
        out,
        format!("{JOURNEYS_HEADER}\nu,A,1,0,2024-03-01T10:00:00Z,2024-03-02T10:30:00Z\n")
    );
    // The journeys shape reads its touch times the same way.
    let journeys =
        "journey_id,path,converted,touch_times\nJ,A > B,1,1709283600000 > 1709287200000\n";
    let (out, _) = ok(
        &[
            "journeys",
            "-",
            "--shape",
            "journeys",
            "--time-format",
            "unix-ms",
        ],
        journeys,
    );
    assert_eq!(
        out,
        "journey_id,path,converted,value,touch_times\n\
         J,A > B,1,0,2024-03-01T09:00:00Z > 2024-03-01T10:00:00Z\n"
    );
}

#[test]
fn timestamp_errors_name_the_option() {
    let args = ["attribute", "-", "--shape", "events"];
    assert_eq!(
        fails(&args, &format!("{EVENTS}u,170928360012,A,0\n")),
        "error: -: line 2, column `timestamp`: invalid timestamp (a 12-digit number is not a Unix time: seconds have up to 11 digits, milliseconds 13, microseconds 16): \"170928360012\" (give the unit with --time-format unix-s|unix-ms|unix-us)"
    );
    assert_eq!(
        fails(
            &args,
            &format!("{EVENTS}u,2024-03-01,A,0\nu,01/03/2024 10:00,A,0\n")
        ),
        "error: -: line 3, column `timestamp`: invalid timestamp (not an ISO 8601 date or date-time nor a Unix time): \"01/03/2024 10:00\" (give the layout with --time-format, e.g. --time-format '%d/%m/%Y %H:%M')"
    );
    let args = [
        "attribute",
        "-",
        "--shape",
        "events",
        "--time-format",
        "unix-s",
    ];
    assert_eq!(
        fails(&args, &format!("{EVENTS}u,2024-03-01,A,0\n")),
        "error: -: line 2, column `timestamp`: invalid timestamp (does not match the time format `unix-s`): \"2024-03-01\""
    );
    // Bad option values are usage errors.
    let out = run(&["attribute", "-", "--timezone", "Mars/Olympus"], b"");
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(
        stderr.starts_with(
            "error: invalid value 'Mars/Olympus' for '--timezone <ZONE>': unknown time zone `Mars/Olympus` (expected UTC, an offset such as +02:00 or an IANA name such as Europe/Berlin)"
        ),
        "{stderr}"
    );
    let out = run(&["attribute", "-", "--time-format", "%Q"], b"");
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(
        stderr.starts_with(
            "error: invalid value '%Q' for '--time-format <FORMAT>': invalid time format `%Q`"
        ),
        "{stderr}"
    );
}

#[test]
fn decimal_commas() {
    let args = [
        "attribute",
        "-",
        "--model",
        "first-touch",
        "--format",
        "csv",
    ];
    // Detected in a `;`-delimited file.
    let paths = "path;total_conversions;total_null;total_conversion_value\nA > B;2;1;120,50\nB;1,0;0;0,25\n";
    let (out, _) = ok(&args, paths);
    let credits = parse_output(&out);
    assert_credit(
        &credits,
        "first-touch",
        "A",
        (2.0, 120.5, None),
        "semicolon",
    );
    assert_credit(&credits, "first-touch", "B", (1.0, 0.25, None), "semicolon");
    // Elsewhere the error names the option, which reads the file.
    let tsv = paths.replace(';', "\t");
    assert_eq!(
        fails(&args, &tsv),
        "error: -: line 2, column `total_conversion_value`: invalid value (must be a finite, non-negative number): \"120,50\" (use --decimal-comma)"
    );
    let mut with = args.to_vec();
    with.push("--decimal-comma");
    let (out, _) = ok(&with, &tsv);
    assert_credit(
        &parse_output(&out),
        "first-touch",
        "A",
        (2.0, 120.5, None),
        "tab",
    );
    // A fractional count is still an error.
    assert_eq!(
        fails(&with, "path\ttotal_conversions\ttotal_null\nA\t1,5\t0\n"),
        "error: -: line 2, column `total_conversions`: fractional count: \"1,5\""
    );
}

#[test]
fn header_errors_suggest_shape_and_options() {
    // An events file read as paths (the default shape).
    assert_eq!(
        fails(&["attribute", "-"], &format!("{EVENTS}u,1,A,0\n")),
        "error: -: line 1, column `user_id`: unknown column `user_id`: \"user_id\" (the header looks like --shape events; or skip unknown columns with --ignore-unknown-columns, or map this one with --column ROLE=NAME)"
    );
    assert_eq!(
        fails(
            &[
                "attribute",
                "-",
                "--shape",
                "journeys",
                "--ignore-unknown-columns"
            ],
            &format!("{EVENTS}u,1,A,0\n"),
        ),
        "error: -: line 1, column `journey_id`: missing column `journey_id` (the header looks like --shape events; or map a differently named column with --column ROLE=NAME)"
    );
    assert_eq!(
        fails(
            &["attribute", "-", "--shape", "events"],
            "user_id,timestamp,channel,conversion,campaign\nu,1,A,0,x\n"
        ),
        "error: -: line 1, column `campaign`: unknown column `campaign` (skip unknown columns with --ignore-unknown-columns, or map this one with --column ROLE=NAME)"
    );
    // An event log whose conversions are event names.
    assert_eq!(
        fails(
            &["attribute", "-", "--shape", "events"],
            "user_id,timestamp,channel,event_name\nu,1,A,purchase\n"
        ),
        "error: -: line 1, column `conversion`: missing column `conversion` (to mark conversions by the `event_name` column, use --conversion-event NAME, e.g. --conversion-event purchase)"
    );
    assert_eq!(
        fails(
            &["attribute", "-", "--conversion-event", "purchase"],
            "path,total_conversions,total_null\nA,1,0\n"
        ),
        "error: -: --conversion-event needs --shape events (the input shape is paths)"
    );
}

#[test]
fn conversion_events_on_a_renamed_event_column() {
    let input = "user_id,timestamp,channel,action,value\n\
                 u,2024-03-01T09:00:00Z,Email,click,\n\
                 u,2024-03-01T09:05:00Z,,view,\n\
                 u,2024-03-01T09:10:00Z,,order,\"12,5\"\n";
    let (out, stderr) = ok(
        &[
            "journeys",
            "-",
            "--shape",
            "events",
            "--column",
            "event=action",
            "--conversion-event",
            "order",
            "--decimal-comma",
        ],
        input,
    );
    assert_eq!(
        out,
        format!("{JOURNEYS_HEADER}\nu,Email,1,12.5,2024-03-01T09:00:00Z,2024-03-01T09:10:00Z\n")
    );
    assert!(
        stderr.contains("skipped 1 events without channel that are not conversions\n"),
        "{stderr}"
    );
}

/// The GA4-like fixture's options; its credits are worked out in
/// tests/data/README.md.
fn ga4_args(events: &[&'static str]) -> Vec<String> {
    let mut args: Vec<String> = [
        "attribute",
        &fixture("ga4_like/events.csv"),
        "--shape",
        "events",
        "--column",
        "user_id=user_pseudo_id",
        "--column",
        "timestamp=event_timestamp",
        "--column",
        "channel=source_medium",
        "--column",
        "value=purchase_revenue",
        "--ignore-unknown-columns",
        "--model",
        "first-touch,last-touch,linear,markov",
        "--format",
        "csv",
    ]
    .iter()
    .map(|s| (*s).to_owned())
    .collect();
    for e in events {
        args.push("--conversion-event".to_owned());
        args.push((*e).to_owned());
    }
    args
}

#[test]
fn ga4_like_export_with_conversion_events() {
    for events in [
        &["purchase", "generate_lead"][..],
        &["purchase,generate_lead"],
    ] {
        let args = ga4_args(events);
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let (out, stderr) = ok(&args, "");
        assert_eq!(
            stderr,
            "read 10 events (8 touches, 3 conversion rows) from 3 users\n\
             skipped 3 events without channel that are not conversions\n\
             built 4 journeys (3 converting) with 8 touches\n\
             conversions: 3 attributed, 0 unattributed (no touch left); value 200.5 of which 0 unattributed\n"
        );
        let c = parse_output(&out);
        let (cpc, fb, email, bing) = (
            "google / cpc",
            "facebook / social",
            "newsletter / email",
            "bing / organic",
        );
        for (model, channel, expected) in [
            ("first-touch", cpc, (1.0, 120.0)),
            ("first-touch", fb, (1.0, 80.5)),
            ("first-touch", email, (0.0, 0.0)),
            ("first-touch", bing, (1.0, 0.0)),
            ("last-touch", cpc, (0.0, 0.0)),
            ("last-touch", fb, (1.0, 80.5)),
            ("last-touch", email, (1.0, 120.0)),
            ("last-touch", bing, (1.0, 0.0)),
            ("linear", cpc, (0.5, 60.0)),
            ("linear", fb, (1.0, 80.5)),
            ("linear", email, (0.5, 60.0)),
            ("linear", bing, (1.0, 0.0)),
        ] {
            assert_credit(&c, model, channel, (expected.0, expected.1, None), "ga4");
        }
        let third = Some(1.0 / 3.0);
        assert_credit(&c, "markov", cpc, (0.75, 48120.0 / 641.0, third), "ga4");
        assert_credit(&c, "markov", fb, (0.75, 64561.0 / 1282.0, third), "ga4");
        assert_credit(&c, "markov", email, (0.75, 48120.0 / 641.0, third), "ga4");
        assert_credit(&c, "markov", bing, (0.75, 0.0, third), "ga4");
    }
}
