//! The paths and journeys readers: timestamp layouts and zones, decimal
//! commas (streaming and parallel), and the hints of header errors.

use attribution::io::{ReaderBuilder, Shape, TimeFormat, TimeUnit, Timezone};
use attribution::{JourneySet, ReadError, ReadErrorKind, ReadHint};

fn read(builder: &ReaderBuilder, csv: &str) -> Result<JourneySet, ReadError> {
    Ok(builder.from_reader(csv.as_bytes())?.read_all()?.0)
}

fn touch_times(set: &JourneySet) -> Vec<Vec<String>> {
    set.iter()
        .map(|j| {
            j.touches()
                .iter()
                .map(|t| t.time.unwrap().to_rfc3339())
                .collect()
        })
        .collect()
}

const JOURNEYS: &str = "journey_id,path,converted,touch_times,conversion_time\n";

#[test]
fn journey_times_are_detected_per_value() {
    let csv = format!(
        "{JOURNEYS}J1,A > B > C,1,2024-03-01 09:00 > 1709370000 > 1709456400000,2024-03-03T10:00:00+01:00\n\
         J2,A,1,2024-03-04,2024-03-04 09:30:15.5\n"
    );
    let set = read(&ReaderBuilder::new(Shape::Journeys), &csv).unwrap();
    assert_eq!(
        touch_times(&set),
        [
            vec![
                "2024-03-01T09:00:00+00:00",
                "2024-03-02T09:00:00+00:00",
                "2024-03-03T09:00:00+00:00"
            ],
            vec!["2024-03-04T00:00:00+00:00"]
        ]
    );
    let conversions: Vec<_> = set
        .iter()
        .map(|j| j.conversion_time().unwrap().to_rfc3339())
        .collect();
    assert_eq!(
        conversions,
        ["2024-03-03T09:00:00+00:00", "2024-03-04T09:30:15.500+00:00"]
    );
}

#[test]
fn journey_times_in_a_zone_or_a_given_format() {
    let csv =
        format!("{JOURNEYS}J1,A > B,1,2024-03-01 10:00 > 2024-03-01T10:00Z,2024-03-01 12:00\n");
    let mut builder = ReaderBuilder::new(Shape::Journeys);
    builder.timezone(Timezone::parse("+01:00").unwrap());
    let set = read(&builder, &csv).unwrap();
    assert_eq!(
        touch_times(&set),
        [vec![
            "2024-03-01T09:00:00+00:00",
            "2024-03-01T10:00:00+00:00"
        ]]
    );
    assert_eq!(
        set.journeys()[0].conversion_time().unwrap().to_rfc3339(),
        "2024-03-01T11:00:00+00:00"
    );
    builder.time_format(TimeFormat::Unix(TimeUnit::Microseconds));
    let csv = format!("{JOURNEYS}J1,A,1,1709283600000000,1709283600000001\n");
    let set = read(&builder, &csv).unwrap();
    assert_eq!(
        set.journeys()[0]
            .conversion_time()
            .unwrap()
            .timestamp_nanos_opt(),
        Some(1_709_283_600_000_001_000)
    );
    let e = read(&builder, &format!("{JOURNEYS}J1,A,1,,2024-03-01\n")).unwrap_err();
    assert_eq!(
        e.to_string(),
        "line 2, column `conversion_time`: invalid timestamp (does not match the time format `unix-us`): \"2024-03-01\""
    );
    let e = builder
        .time_format(TimeFormat::Strftime("%H:%".to_owned()))
        .from_reader(JOURNEYS.as_bytes())
        .unwrap_err();
    assert!(matches!(e.kind(), ReadErrorKind::Config(_)), "{e}");
}

#[test]
fn ambiguous_touch_time_names_the_unit_setting() {
    let csv = format!("{JOURNEYS}J1,A > B,1,1709283600 > 17092836000000,\n");
    let e = read(&ReaderBuilder::new(Shape::Journeys), &csv).unwrap_err();
    assert_eq!(e.hint(), Some(&ReadHint::TimeUnit));
    assert_eq!(
        e.to_string(),
        "line 2, column `touch_times`: invalid timestamp (a 14-digit number is not a Unix time: seconds have up to 11 digits, milliseconds 13, microseconds 16): \"17092836000000\" (give the unit with `time_format`)"
    );
}

const PATHS_SEMI: &str = "path;total_conversions;total_null;total_conversion_value\n";

#[test]
fn decimal_commas_in_semicolon_files() {
    let csv = format!("{PATHS_SEMI}A > B;3,0;1;120,50\nB;1;0;0,25\nC;0;2;\n");
    let builder = ReaderBuilder::new(Shape::Paths);
    let set = read(&builder, &csv).unwrap();
    assert_eq!(set.total_conversions(), 4);
    assert_eq!(set.total_value(), 120.75);
    // The parallel reader reads them too.
    let folded = ReaderBuilder::new(Shape::Paths)
        .threads(2)
        .block_size(8)
        .parallel_from_reader(csv.as_bytes())
        .unwrap()
        .fold(
            || 0.0,
            |sum, journey, _| {
                *sum += journey.value();
                Ok::<(), ()>(())
            },
            |a, b| *a += b,
        )
        .unwrap();
    assert_eq!(folded.state, 120.75);
    // A fractional count stays an error, without a hint.
    let e = read(&builder, &format!("{PATHS_SEMI}A;1,5;0;\n")).unwrap_err();
    assert_eq!(
        e.to_string(),
        "line 2, column `total_conversions`: fractional count: \"1,5\""
    );
}

#[test]
fn decimal_commas_elsewhere_on_request() {
    let tsv = "journey_id\tpath\tconverted\tvalue\nJ\tA\t1\t99,90\n";
    let mut builder = ReaderBuilder::new(Shape::Journeys);
    let e = read(&builder, tsv).unwrap_err();
    assert_eq!(
        (e.kind(), e.hint()),
        (&ReadErrorKind::InvalidValue, Some(&ReadHint::DecimalComma))
    );
    assert_eq!(
        e.to_string(),
        "line 2, column `value`: invalid value (must be a finite, non-negative number): \"99,90\" (decimal comma? enable `decimal_comma`)"
    );
    let set = read(builder.decimal_comma(true), tsv).unwrap();
    assert_eq!(set.total_value(), 99.9);
    // A count with a decimal comma: the hint too.
    let e = read(
        &ReaderBuilder::new(Shape::Paths),
        "path,total_conversions,total_null\nA,\"2,0\",0\n",
    )
    .unwrap_err();
    assert_eq!(
        e.to_string(),
        "line 2, column `total_conversions`: invalid count: \"2,0\" (decimal comma? enable `decimal_comma`)"
    );
}

#[test]
fn header_errors_say_which_shape_the_header_looks_like() {
    let events = "user_id,timestamp,channel,conversion\nu,1,A,0\n";
    let e = read(&ReaderBuilder::new(Shape::Paths), events).unwrap_err();
    assert_eq!(
        e.hint(),
        Some(&ReadHint::UnknownColumn {
            looks_like: Some("events")
        })
    );
    assert_eq!(
        e.to_string(),
        "line 1, column `user_id`: unknown column `user_id`: \"user_id\" (the header looks like the events shape; or ignore unknown columns, or map the column to a role)"
    );
    // Unknown columns ignored: the missing one says the same.
    let e = read(
        ReaderBuilder::new(Shape::Journeys).ignore_unknown_columns(true),
        events,
    )
    .unwrap_err();
    assert_eq!(
        e.to_string(),
        "line 1, column `journey_id`: missing column `journey_id` (the header looks like the events shape; or map a differently named column to its role)"
    );
    let e = read(
        &ReaderBuilder::new(Shape::Journeys),
        "path,total_conversions,total_null\n",
    )
    .unwrap_err();
    assert_eq!(
        e.hint(),
        Some(&ReadHint::UnknownColumn {
            looks_like: Some("paths")
        })
    );
    // Duplicates carry no hint.
    let e = read(
        &ReaderBuilder::new(Shape::Paths),
        "path,path,total_conversions,total_null\n",
    )
    .unwrap_err();
    assert_eq!(e.hint(), None);
}
