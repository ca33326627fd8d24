//! The journeys-shape reader and `write_journeys`.

use attribution::io::{Column, ReaderBuilder, Shape, write_journeys};
use attribution::{Channels, Journey, JourneySet, ReadError, ReadErrorKind, Touchpoint};
use chrono::{DateTime, Utc};

const TINY_JOURNEYS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/tiny/journeys.csv");
const TINY_PATHS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/tiny/paths.csv");

fn t(s: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
}

fn read(csv: &str) -> Result<JourneySet, ReadError> {
    Ok(ReaderBuilder::new(Shape::Journeys)
        .from_reader(csv.as_bytes())?
        .read_all()?
        .0)
}

type Row<'a> = (
    Option<&'a str>,
    Vec<&'a str>,
    u64,
    u64,
    f64,
    Vec<DateTime<Utc>>,
    Option<DateTime<Utc>>,
);

fn rows(set: &JourneySet) -> Vec<Row<'_>> {
    set.iter()
        .map(|j| {
            (
                j.id(),
                j.channels()
                    .map(|c| set.channels().name(c).unwrap())
                    .collect(),
                j.conversions(),
                j.non_conversions(),
                j.value(),
                j.touches().iter().filter_map(|t| t.time).collect(),
                j.conversion_time(),
            )
        })
        .collect()
}

fn times(day_times: &[&str]) -> Vec<DateTime<Utc>> {
    day_times
        .iter()
        .map(|s| t(&format!("2024-{s}:00Z").replace(' ', "T")))
        .collect()
}

#[test]
fn tiny_journeys_give_the_eight_journeys_of_the_readme() {
    let (set, report) = ReaderBuilder::new(Shape::Journeys)
        .from_path(TINY_JOURNEYS)
        .unwrap()
        .read_all()
        .unwrap();
    let names: Vec<&str> = set.channels().iter().map(|(_, n)| n).collect();
    assert_eq!(names, ["PPC", "LandingPage", "Email", "LinkedIn"]);
    let conv = |s: &str| Some(t(&format!("2024-{s}:00Z").replace(' ', "T")));
    let expected: Vec<Row<'_>> = vec![
        (
            Some("J1"),
            vec!["PPC", "LandingPage", "Email", "LinkedIn"],
            1,
            0,
            120.0,
            times(&["03-01 09:00", "03-01 09:02", "03-02 09:00", "03-09 09:00"]),
            conv("03-09 09:30"),
        ),
        (
            Some("J2"),
            vec!["PPC", "LandingPage"],
            0,
            1,
            0.0,
            times(&["03-01 12:00", "03-01 12:01"]),
            None,
        ),
        (
            Some("J3"),
            vec!["LinkedIn"],
            1,
            0,
            80.0,
            times(&["03-03 09:00"]),
            conv("03-03 09:10"),
        ),
        (
            Some("J4"),
            vec!["Email", "Email", "LinkedIn"],
            1,
            0,
            60.0,
            times(&["03-01 09:00", "03-04 09:00", "03-11 09:00"]),
            conv("03-11 10:00"),
        ),
        (
            Some("J5"),
            vec!["PPC", "LandingPage", "Email"],
            0,
            1,
            0.0,
            times(&["03-02 09:00", "03-02 09:01", "03-05 09:00"]),
            None,
        ),
        (
            Some("J6"),
            vec!["LinkedIn", "PPC"],
            1,
            0,
            100.0,
            times(&["03-01 09:00", "03-15 09:00"]),
            conv("03-15 09:05"),
        ),
        (
            Some("J7"),
            vec!["PPC"],
            0,
            1,
            0.0,
            times(&["03-06 09:00"]),
            None,
        ),
        (
            Some("J8"),
            vec!["Email", "LinkedIn"],
            0,
            1,
            0.0,
            times(&["03-03 09:00", "03-07 09:00"]),
            None,
        ),
    ];
    assert_eq!(rows(&set), expected);
    assert!(set.iter().all(Journey::is_timed));
    assert_eq!((set.total_conversions(), set.total_value()), (4, 360.0));
    assert_eq!(
        (report.rows(), report.journeys(), report.rejected()),
        (8, 8, 0)
    );
}

#[test]
fn tiny_journeys_match_tiny_paths_without_times() {
    let journeys = ReaderBuilder::new(Shape::Journeys)
        .from_path(TINY_JOURNEYS)
        .unwrap()
        .read_all()
        .unwrap()
        .0;
    let paths = ReaderBuilder::new(Shape::Paths)
        .from_path(TINY_PATHS)
        .unwrap()
        .read_all()
        .unwrap()
        .0;
    assert_eq!(journeys.channels(), paths.channels());
    let strip = |j: &Journey| {
        (
            j.channels().collect::<Vec<_>>(),
            j.conversions(),
            j.non_conversions(),
            j.value(),
        )
    };
    assert_eq!(
        journeys.iter().map(strip).collect::<Vec<_>>(),
        paths.iter().map(strip).collect::<Vec<_>>()
    );
}

#[test]
fn converted_flags_counts_and_non_converted_column() {
    let set =
        read("journey_id,path,converted\na,X,true\nb,X,FALSE\nc,X,3\nd,X,0\n, X ,1\n").unwrap();
    let got: Vec<(Option<&str>, u64, u64)> = set
        .iter()
        .map(|j| (j.id(), j.conversions(), j.non_conversions()))
        .collect();
    assert_eq!(
        got,
        [
            (Some("a"), 1, 0),
            (Some("b"), 0, 1),
            (Some("c"), 3, 0),
            (Some("d"), 0, 1),
            (None, 1, 0)
        ]
    );
    let set = read("journey_id,path,converted,non_converted\na,X,2,5\nb,X,0,0\n").unwrap();
    let got: Vec<(u64, u64)> = set
        .iter()
        .map(|j| (j.conversions(), j.non_conversions()))
        .collect();
    assert_eq!(got, [(2, 5), (0, 0)]);
}

#[test]
fn timestamps_unix_seconds_and_offsets_are_normalised_to_utc() {
    let set = read(
        "journey_id,path,converted,touch_times,conversion_time\n\
         a,A > B,1,1709283600 > 2024-03-01T10:30:00+01:00,1709290800.5\n\
         b,A,0,,\n",
    )
    .unwrap();
    let a = &set.journeys()[0];
    assert_eq!(
        a.touches()
            .iter()
            .map(|t| t.time.unwrap())
            .collect::<Vec<_>>(),
        [t("2024-03-01T09:00:00Z"), t("2024-03-01T09:30:00Z")]
    );
    assert_eq!(a.conversion_time(), Some(t("2024-03-01T11:00:00.5Z")));
    let b = &set.journeys()[1];
    assert!(!b.is_timed() && b.conversion_time().is_none());
}

fn check(err: &ReadError, kind: ReadErrorKind, line: u64, column: &str, text: &str, display: &str) {
    assert_eq!(err.kind(), &kind, "{err}");
    assert_eq!(err.line(), Some(line), "{err}");
    assert_eq!(err.column(), Some(column), "{err}");
    assert_eq!(err.text(), Some(text), "{err}");
    assert_eq!(err.to_string(), display);
}

const HEADER: &str = "journey_id,path,converted,value,touch_times,conversion_time\n";

fn row_err(row: &str) -> ReadError {
    read(&format!("{HEADER}J0,A,0,0,,\n{row}")).unwrap_err()
}

#[test]
fn bad_touch_time() {
    check(
        &row_err("J1,A > B,1,5,2024-03-01T09:00:00Z > 2024-03-01 9am,\n"),
        ReadErrorKind::InvalidTimestamp,
        3,
        "touch_times",
        "2024-03-01 9am",
        "line 3, column `touch_times`: invalid timestamp: \"2024-03-01 9am\"",
    );
}

#[test]
fn bad_conversion_time() {
    check(
        &row_err("J1,A,1,5,,2024-03-01T09:00:00\n"),
        ReadErrorKind::InvalidTimestamp,
        3,
        "conversion_time",
        "2024-03-01T09:00:00",
        "line 3, column `conversion_time`: invalid timestamp: \"2024-03-01T09:00:00\"",
    );
}

#[test]
fn touch_times_mismatch() {
    check(
        &row_err("J1,A > B > C,1,5,1709283600 > 1709283601,\n"),
        ReadErrorKind::TouchTimesMismatch {
            touches: 3,
            times: 2,
        },
        3,
        "touch_times",
        "1709283600 > 1709283601",
        "line 3, column `touch_times`: 2 touch times for 3 touches: \"1709283600 > 1709283601\"",
    );
}

#[test]
fn invalid_flag() {
    check(
        &row_err("J1,A,yes,5,,\n"),
        ReadErrorKind::InvalidFlag,
        3,
        "converted",
        "yes",
        "line 3, column `converted`: invalid conversion flag (expected 0, 1, true or false): \"yes\"",
    );
    assert_eq!(
        row_err("J1,A,0.5,5,,\n").kind(),
        &ReadErrorKind::FractionalCount
    );
    assert_eq!(
        row_err("J1,A,-1,5,,\n").kind(),
        &ReadErrorKind::NegativeCount
    );
}

#[test]
fn empty_path_and_bad_value_in_journeys() {
    check(
        &row_err("J1, > ,1,5,,\n"),
        ReadErrorKind::EmptyPath,
        3,
        "path",
        ">",
        "line 3, column `path`: empty path: \">\"",
    );
    check(
        &row_err("J1,A,1,-5,,\n"),
        ReadErrorKind::InvalidValue,
        3,
        "value",
        "-5",
        "line 3, column `value`: invalid value (must be a finite, non-negative number): \"-5\"",
    );
}

#[test]
fn missing_journey_id_column() {
    let err = ReaderBuilder::new(Shape::Journeys)
        .from_reader("path,converted\nA,1\n".as_bytes())
        .unwrap_err();
    assert_eq!(
        err.kind(),
        &ReadErrorKind::MissingColumn("journey_id".into())
    );
    assert_eq!(
        err.to_string(),
        "line 1, column `journey_id`: missing column `journey_id`"
    );
    // Paths-shape columns are unknown to the journeys shape.
    let err = ReaderBuilder::new(Shape::Journeys)
        .from_reader("journey_id,path,total_conversions\n".as_bytes())
        .unwrap_err();
    assert_eq!(
        err.kind(),
        &ReadErrorKind::UnknownColumn("total_conversions".into())
    );
}

#[test]
fn lenient_journeys_reject_without_leaking_channels() {
    let input = format!("{HEADER}J1,A > B,1,5,1 > 2,3\nJ2,C > D,1,5,1,\nJ3,E,1,5,x,\nJ4,B,0,0,,\n");
    let (set, report) = ReaderBuilder::new(Shape::Journeys)
        .lenient(true)
        .from_reader(input.as_bytes())
        .unwrap()
        .read_all()
        .unwrap();
    assert_eq!(
        set.iter().map(|j| j.id().unwrap()).collect::<Vec<_>>(),
        ["J1", "J4"]
    );
    assert_eq!(
        set.channels().iter().map(|(_, n)| n).collect::<Vec<_>>(),
        ["A", "B"]
    );
    assert_eq!(report.rejected_for("touch_times_mismatch"), 1);
    assert_eq!(report.rejected_for("invalid_timestamp"), 1);
}

#[test]
fn renamed_journey_columns_and_custom_separator() {
    let input = "when;user;did_buy;channels\n1 -> 2;u1;1;Search -> Email\n";
    let set = ReaderBuilder::new(Shape::Journeys)
        .separator("->")
        .column(Column::JourneyId, "user")
        .column(Column::Conversions, "did_buy")
        .column(Column::Path, "channels")
        .column(Column::TouchTimes, "when")
        .from_reader(input.as_bytes())
        .unwrap()
        .read_all()
        .unwrap()
        .0;
    let j = &set.journeys()[0];
    assert_eq!((j.id(), j.len(), j.conversions()), (Some("u1"), 2, 1));
    assert_eq!(j.touches()[1].time, DateTime::from_timestamp(2, 0));
}

fn round_trip(set: &JourneySet, sep: &str) -> String {
    let mut out = Vec::new();
    write_journeys(set, &mut out, sep).unwrap();
    let text = String::from_utf8(out).unwrap();
    let back = ReaderBuilder::new(Shape::Journeys)
        .separator(sep)
        .from_reader(text.as_bytes())
        .unwrap()
        .read_all()
        .unwrap()
        .0;
    assert_eq!(&back, set, "{text}");
    text
}

#[test]
fn write_then_read_gives_the_same_set() {
    let tiny = ReaderBuilder::new(Shape::Journeys)
        .from_path(TINY_JOURNEYS)
        .unwrap()
        .read_all()
        .unwrap()
        .0;
    let text = round_trip(&tiny, " > ");
    // The tiny file itself is what the writer writes.
    assert_eq!(text, std::fs::read_to_string(TINY_JOURNEYS).unwrap());
    round_trip(&tiny, "|");

    // Aggregated paths need the non_converted column.
    let paths = ReaderBuilder::new(Shape::Paths)
        .from_path(TINY_PATHS)
        .unwrap()
        .read_all()
        .unwrap()
        .0;
    let text = round_trip(&paths, ">");
    assert!(
        text.starts_with("journey_id,path,converted,value\n"),
        "{text}"
    );
    let mut set = JourneySet::new(Channels::new());
    let a = set
        .channels_mut()
        .intern("Ad \"Spring\", 2024\nsale")
        .unwrap();
    let b = set.channels_mut().intern("広告 🚀").unwrap();
    let time = t("2024-03-01T09:00:00.123456789Z");
    set.push(
        Journey::from_channels(&[a, b, a], 3, 40, 0.1 + 0.2)
            .unwrap()
            .with_id("x,1"),
    )
    .unwrap();
    set.push(
        Journey::new(vec![Touchpoint::at(b, time)], 0, 1, 0.0)
            .unwrap()
            .with_conversion_time(time),
    )
    .unwrap();
    set.push(Journey::from_channels(&[b], 0, 0, 1e300).unwrap())
        .unwrap();
    let text = round_trip(&set, " > ");
    assert!(
        text.starts_with(
            "journey_id,path,converted,non_converted,value,touch_times,conversion_time\n"
        ),
        "{text}"
    );
}

#[test]
fn write_refuses_what_would_not_read_back() {
    let mut set = JourneySet::new(Channels::new());
    let a = set.channels_mut().intern("A > B").unwrap();
    set.push(Journey::from_channels(&[a], 1, 0, 0.0).unwrap())
        .unwrap();
    let err = write_journeys(&set, Vec::new(), ">").unwrap_err();
    assert_eq!(err.kind(), std::io::ErrorKind::InvalidInput);
    assert!(write_journeys(&set, Vec::new(), "").is_err());
    assert!(write_journeys(&set, Vec::new(), " | ").is_ok());
    let mut set = JourneySet::new(Channels::new());
    let a = set.channels_mut().intern("A").unwrap();
    set.push(
        Journey::from_channels(&[a], 1, 0, 0.0)
            .unwrap()
            .with_id(" padded"),
    )
    .unwrap();
    assert!(write_journeys(&set, Vec::new(), ">").is_err());
}
